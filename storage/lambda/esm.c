/* esm: the durable rows of Lambda event source mappings — their table, as
 * ordered schema steps (see db_migrate in db.c; a change is a new step at
 * the end), and the typed functions over it.
 *
 * One row per mapping: its UUID, owner account and its settings as a small
 * JSON document written by server/lambda/esm.c. Rows keep their rowid when
 * updated, so ordering by rowid lists mappings in creation order. */
#include "storage/core/store_internal.h"
#include "storage/lambda/documents.h"
#include "storage/lambda/lambda_storage.h"

static const struct schema_step lambda_esm_steps[] = {
    {"mappings",
        "CREATE TABLE lambda_esm("
        "  uuid TEXT PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  doc TEXT NOT NULL);"},
};

const struct schema_module lambda_esm_schema = {"lambda_esm", lambda_esm_steps,
                                                sizeof(lambda_esm_steps) / sizeof(lambda_esm_steps[0])};

static const char sql_put[] = "INSERT INTO lambda_esm(uuid, account, doc) VALUES(?1, ?2, ?3) "
                              "ON CONFLICT(uuid) DO UPDATE SET doc = excluded.doc";
static const char sql_delete[] = "DELETE FROM lambda_esm WHERE uuid = ?1 AND account = ?2";
static const char sql_load[] = "SELECT uuid, account, doc FROM lambda_esm ORDER BY rowid";

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
    return lambda_documents_exec(writer, sql_delete, 2, params);
}

enum lambda_storage_err lambda_mappings_load(struct store_conn *reader,
                                             int (*each)(void *arg, const char *uuid,
                                                         const char *account, const char *doc),
                                             void *arg, char *err, size_t errlen)
{
    return lambda_documents_load(reader, sql_load, "lambda_esm", each, arg, err, errlen);
}
