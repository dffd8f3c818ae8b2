/* esm: the durable rows of Lambda event source mappings — their tables, as
 * ordered schema steps (see db_migrate in db.c; a change is a new step at
 * the end), and the typed functions over them.
 *
 * One row per mapping: its UUID, owner account and its settings as a small
 * JSON document written by server/lambda/esm.c. Rows keep their rowid when
 * updated, so ordering by rowid lists mappings in creation order. A stream
 * mapping also has its position (lambda_esm_positions): the sequence
 * number of the last stream record it is done with, rewritten after every
 * batch, so it has a table of its own rather than the document. */
#include "storage/core/store_internal.h"
#include "storage/lambda/documents.h"
#include "storage/lambda/lambda_storage.h"

#include <stdio.h>

static const struct schema_step lambda_esm_steps[] = {
    {"mappings",
        "CREATE TABLE lambda_esm("
        "  uuid TEXT PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  doc TEXT NOT NULL);"},
    {"stream-positions",
        "CREATE TABLE lambda_esm_positions("
        "  uuid TEXT PRIMARY KEY,"
        "  position INTEGER NOT NULL) WITHOUT ROWID;"},
};

const struct schema_module lambda_esm_schema = {"lambda_esm", lambda_esm_steps,
                                                sizeof(lambda_esm_steps) / sizeof(lambda_esm_steps[0])};

static const char sql_put[] = "INSERT INTO lambda_esm(uuid, account, doc) VALUES(?1, ?2, ?3) "
                              "ON CONFLICT(uuid) DO UPDATE SET doc = excluded.doc";
static const char sql_delete[] = "DELETE FROM lambda_esm WHERE uuid = ?1 AND account = ?2";
static const char sql_load[] = "SELECT uuid, account, doc FROM lambda_esm ORDER BY rowid";
static const char sql_delete_position[] = "DELETE FROM lambda_esm_positions WHERE uuid = ?1"
                                          " AND NOT EXISTS (SELECT 1 FROM lambda_esm WHERE uuid = ?1)";
static const char sql_put_position[] = "INSERT INTO lambda_esm_positions(uuid, position) VALUES(?1, ?2) "
                                       "ON CONFLICT(uuid) DO UPDATE SET position = excluded.position";
static const char sql_load_positions[] = "SELECT uuid, position FROM lambda_esm_positions";

enum lambda_storage_err lambda_mappings_put(struct store_conn *writer, const char *uuid,
                                            const char *account, const char *doc)
{
    const char *const params[] = {uuid, account, doc};
    return lambda_documents_exec(writer, sql_put, 3, params);
}

enum lambda_storage_err lambda_mappings_delete(struct store_conn *writer, const char *uuid,
                                               const char *account)
{
    const char *const params[] = {uuid, account};
    enum lambda_storage_err err = lambda_documents_exec(writer, sql_delete, 2, params);
    return err == LAMBDA_STORAGE_OK ? lambda_documents_exec(writer, sql_delete_position, 1, params) : err;
}

enum lambda_storage_err lambda_mapping_position_put(struct store_conn *writer, const char *uuid, int64_t position)
{
    sqlite3_stmt *s = db_stmt(writer, sql_put_position);
    if (!s)
        return LAMBDA_STORAGE_DB;
    int rc = db_bind_text(s, 1, uuid);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(s, 2, position);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LAMBDA_STORAGE_OK : rc == SQLITE_NOMEM ? LAMBDA_STORAGE_NO_MEMORY : LAMBDA_STORAGE_DB;
}

enum lambda_storage_err lambda_mapping_positions_load(struct store_conn *reader,
                                                      int (*each)(void *arg, const char *uuid, int64_t position),
                                                      void *arg, char *err, size_t errlen)
{
    sqlite3_stmt *s = db_stmt(reader, sql_load_positions);
    if (!s) {
        snprintf(err, errlen, "cannot read lambda_esm_positions: %s", sqlite3_errmsg(reader->db));
        return LAMBDA_STORAGE_DB;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *uuid = (const char *)sqlite3_column_text(s, 0);
        if (!uuid || each(arg, uuid, sqlite3_column_int64(s, 1)) < 0) {
            sqlite3_reset(s);
            snprintf(err, errlen, "cannot read lambda_esm_positions: out of memory");
            return LAMBDA_STORAGE_NO_MEMORY;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot read lambda_esm_positions: %s", sqlite3_errmsg(reader->db));
        return LAMBDA_STORAGE_DB;
    }
    return LAMBDA_STORAGE_OK;
}

enum lambda_storage_err lambda_mappings_load(struct store_conn *reader,
                                             int (*each)(void *arg, const char *uuid,
                                                         const char *account, const char *doc),
                                             void *arg, char *err, size_t errlen)
{
    return lambda_documents_load(reader, sql_load, "lambda_esm", each, arg, err, errlen);
}
