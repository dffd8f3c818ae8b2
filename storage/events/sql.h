/* storage/events sql: what the files of storage/events share — statement
 * helpers over db_stmt (storage/core/store_internal.h) that bind a list of
 * parameters described by a format, so each typed function is its SQL and
 * a line of binding. Internal to storage/events. */
#ifndef CLOUDLESS_STORAGE_EVENTS_SQL_H
#define CLOUDLESS_STORAGE_EVENTS_SQL_H

#include <stdint.h>

#include "storage/core/store_internal.h"

/* The cached statement for `sql` (a string literal) with ?1..?n bound
 * from the arguments, one per format character: 't' a const char * (NULL
 * binds NULL), 'i' an int64_t. NULL on error. */
sqlite3_stmt *evsql_bind(struct store_conn *c, const char *sql, const char *format, ...);
/* Runs a bound statement that returns no rows: the rows it changed, or -1. */
int evsql_exec(struct store_conn *c, sqlite3_stmt *s);
/* A column as a heap string (NULL stays NULL); false on no memory. */
bool evsql_text(sqlite3_stmt *s, int col, char **out);
/* A column as an int64, -1 when NULL. */
int64_t evsql_int(sqlite3_stmt *s, int col);
/* Copies a 12-digit account column into out. */
void evsql_account(sqlite3_stmt *s, int col, char out[13]);

/* Grows *array (of *n elements of `size` bytes, capacity *cap) by one
 * zeroed element; NULL on no memory. */
void *evsql_push(void **array, size_t *n, size_t *cap, size_t size);

/* Steps a bound statement to its end, loading each row into a new element
 * of *out (elements of `size` bytes) with load(); on failure the loaded
 * elements are released with release() and -1 returned. */
int evsql_rows(sqlite3_stmt *s, void **out, size_t *n, size_t size, bool (*load)(sqlite3_stmt *s, void *row),
               void (*release)(void *row));

#endif
