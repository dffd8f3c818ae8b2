/* lambda_esm_schema: the table of Lambda event source mappings, as ordered
 * schema steps (see db_migrate in db.c). A change is a new step at the end.
 *
 * One row per mapping: its UUID, owner account and its settings as a small
 * JSON document written by server/lambda/esm.c. Rows keep their rowid when
 * updated, so ordering by rowid lists mappings in creation order. */
#include "storage/core/store_internal.h"

static const struct schema_step lambda_esm_steps[] = {
    {"mappings",
        "CREATE TABLE lambda_esm("
        "  uuid TEXT PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  doc TEXT NOT NULL);"},
};

const struct schema_module lambda_esm_schema = {"lambda_esm", lambda_esm_steps,
                                                sizeof(lambda_esm_steps) / sizeof(lambda_esm_steps[0])};
