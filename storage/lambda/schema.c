/* lambda_schema: the Lambda and CloudWatch Logs tables, as ordered schema
 * steps (see db_migrate in db.c). A change is a new step at the end.
 *
 * lambda_functions keeps one row per function: its whole state (versions,
 * aliases, policy, tags, concurrency, event invoke config) as one JSON
 * document written by server/lambda/store.c, since every change rewrites a
 * small document (storage/lambda/functions.c). lambda_events is the durable
 * queue of accepted asynchronous invocations: a row from the 202 until the
 * event succeeded, went to its failure destination or was dropped
 * (storage/lambda/async.c). Both were created by one step, so they stay one
 * module; the event source mappings' table is its own module, in
 * storage/lambda/esm.c.
 *
 * logs_* hold CloudWatch Logs data: groups, streams and events, events
 * indexed by (group, stream, time) for GetLogEvents and (group, time) for
 * FilterLogEvents and retention sweeps. */
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

static const struct schema_step logs_steps[] = {
    {"groups-streams-events",
        "CREATE TABLE logs_groups("
        "  account TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  retention_days INTEGER,"
        "  tags TEXT NOT NULL DEFAULT '{}',"
        "  PRIMARY KEY(account, name)) WITHOUT ROWID;"
        "CREATE TABLE logs_streams("
        "  account TEXT NOT NULL,"
        "  grp TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  first_ts INTEGER,"
        "  last_ts INTEGER,"
        "  last_ingest_ms INTEGER,"
        "  stored_bytes INTEGER NOT NULL DEFAULT 0,"
        "  PRIMARY KEY(account, grp, name)) WITHOUT ROWID;"
        "CREATE TABLE logs_events("
        "  id INTEGER PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  grp TEXT NOT NULL,"
        "  stream TEXT NOT NULL,"
        "  ts INTEGER NOT NULL,"
        "  ingest_ms INTEGER NOT NULL,"
        "  message TEXT NOT NULL);"
        "CREATE INDEX logs_events_by_stream ON logs_events(account, grp, stream, ts, id);"
        "CREATE INDEX logs_events_by_group ON logs_events(account, grp, ts, id);"},
};

const struct schema_module logs_schema = {"logs", logs_steps, sizeof(logs_steps) / sizeof(logs_steps[0])};
