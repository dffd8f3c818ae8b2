/* logs_schema: the CloudWatch Logs tables, as ordered schema steps (see
 * db_migrate in db.c). A change is a new step at the end.
 *
 * logs_groups holds a group's settings (retention, tags as one JSON
 * object), logs_streams each stream with the statistics DescribeLogStreams
 * shows (kept up to date per batch of events), logs_events the events,
 * indexed by (group, stream, time) for GetLogEvents and (group, time) for
 * FilterLogEvents and retention sweeps. A message is TEXT of its exact
 * length: it may hold U+0000. */
#include "storage/core/store_internal.h"

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
