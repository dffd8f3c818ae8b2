/* functions: the durable rows of Lambda functions (lambda_functions, see
 * schema.c). A function's whole state — versions, aliases, policy, tags,
 * concurrency, event invoke config — is one JSON document, written by
 * server/lambda/store.c and rewritten whole after every change; here it is
 * stored, removed and read back at start-up. */
#include "storage/lambda/lambda_storage.h"

#include "storage/lambda/documents.h"

static const char sql_put[] = "INSERT OR REPLACE INTO lambda_functions(account, name, doc) VALUES (?1, ?2, ?3)";
static const char sql_delete[] = "DELETE FROM lambda_functions WHERE account = ?1 AND name = ?2";
static const char sql_load[] = "SELECT account, name, doc FROM lambda_functions ORDER BY account, name";

enum lambda_storage_err lambda_functions_put(struct store_conn *writer, const char *account,
                                             const char *name, const char *doc)
{
    const char *const params[] = {account, name, doc};
    return lambda_documents_exec(writer, sql_put, 3, params);
}

enum lambda_storage_err lambda_functions_delete(struct store_conn *writer, const char *account,
                                                const char *name)
{
    const char *const params[] = {account, name};
    return lambda_documents_exec(writer, sql_delete, 2, params);
}

enum lambda_storage_err lambda_functions_load(struct store_conn *reader,
                                              int (*each)(void *arg, const char *account,
                                                          const char *name, const char *doc),
                                              void *arg, char *err, size_t errlen)
{
    return lambda_documents_load(reader, sql_load, "lambda_functions", each, arg, err, errlen);
}
