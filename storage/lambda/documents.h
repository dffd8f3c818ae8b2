/* documents: what storage/lambda/functions.c and esm.c share — Lambda
 * state kept as rows of two keys and one JSON document. Internal to
 * storage/lambda/. */
#ifndef CLOUDLESS_STORAGE_LAMBDA_DOCUMENTS_H
#define CLOUDLESS_STORAGE_LAMBDA_DOCUMENTS_H

#include <stddef.h>

#include "storage/lambda/lambda_storage.h"

struct store_conn;

/* Runs `sql` (a string literal selecting key, key, document) on the reader
 * and calls each(arg, key1, key2, doc) per row; a column SQLite cannot
 * produce is given as NULL. `table` names the table in err. */
enum lambda_storage_err lambda_documents_load(struct store_conn *reader, const char *sql, const char *table,
                                              int (*each)(void *arg, const char *key1, const char *key2,
                                                          const char *doc),
                                              void *arg, char *err, size_t errlen);
/* Runs `sql` (a string literal) with ?1..?n bound to texts. */
enum lambda_storage_err lambda_documents_exec(struct store_conn *writer, const char *sql, int n,
                                              const char *const texts[]);

#endif
