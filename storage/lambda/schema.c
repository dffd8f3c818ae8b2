/* lambda_schema: the Lambda tables, as ordered schema steps (see
 * db_migrate in db.c). A change is a new step at the end.
 *
 * lambda_functions keeps one row per function: its whole state (versions,
 * aliases, policy, tags, concurrency, event invoke config) as one JSON
 * document written by server/lambda/store.c, since every change rewrites a
 * small document (storage/lambda/functions.c). lambda_events is the durable
 * queue of accepted asynchronous invocations: a row from the 202 until the
 * event succeeded, went to its failure destination or was dropped
 * (storage/lambda/async.c). Both were created by one step, so they stay one
 * module; the event source mappings' table is its own module, in
 * storage/lambda/esm.c. */
#include "storage/core/store_internal.h"

static const struct schema_step lambda_steps[] = {
    {"functions-events",
        "CREATE TABLE lambda_functions("
        "  account TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  doc TEXT NOT NULL,"
        "  PRIMARY KEY(account, name)) WITHOUT ROWID;"
        "CREATE TABLE lambda_events("
        "  id INTEGER PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  function TEXT NOT NULL,"
        "  qualifier TEXT NOT NULL,"
        "  request_id TEXT NOT NULL,"
        "  payload BLOB NOT NULL,"
        "  attempts INTEGER NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  next_ms INTEGER NOT NULL);"},
};

const struct schema_module lambda_schema = {"lambda", lambda_steps,
                                            sizeof(lambda_steps) / sizeof(lambda_steps[0])};
