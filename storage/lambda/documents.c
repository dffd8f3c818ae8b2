/* documents: loading and writing the rows of two keys and one JSON
 * document that Lambda's functions and event source mappings are kept as;
 * see documents.h. */
#include "storage/lambda/documents.h"

#include <stdio.h>

#include "storage/core/store_internal.h"

enum lambda_storage_err lambda_documents_load(struct store_conn *reader, const char *sql, const char *table,
                                              int (*each)(void *arg, const char *key1, const char *key2,
                                                          const char *doc),
                                              void *arg, char *err, size_t errlen)
{
    sqlite3_stmt *s = db_stmt(reader, sql);
    if (!s) {
        snprintf(err, errlen, "cannot read %s: %s", table, sqlite3_errmsg(reader->db));
        return LAMBDA_STORAGE_DB;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *key1 = (const char *)sqlite3_column_text(s, 0);
        const char *key2 = (const char *)sqlite3_column_text(s, 1);
        const char *doc = (const char *)sqlite3_column_text(s, 2);
        if (each(arg, key1, key2, doc) < 0) {
            sqlite3_reset(s);
            snprintf(err, errlen, "cannot read %s: out of memory", table);
            return LAMBDA_STORAGE_NO_MEMORY;
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot read %s: %s", table, sqlite3_errmsg(reader->db));
        sqlite3_reset(s);
        return LAMBDA_STORAGE_DB;
    }
    sqlite3_reset(s);
    return LAMBDA_STORAGE_OK;
}

enum lambda_storage_err lambda_documents_exec(struct store_conn *writer, const char *sql, int n,
                                              const char *const texts[])
{
    return db_exec_text(writer, sql, n, texts) < 0 ? LAMBDA_STORAGE_DB : LAMBDA_STORAGE_OK;
}
