/* ddb_schema: the DynamoDB tables, as ordered schema steps (see db_migrate
 * in db.c). A change is a new step at the end.
 *
 * ddb_tables        one row per table: its definition (JSON) and the
 *                   version every change of it bumps
 * ddb_items         the items, keyed (table, scan hash, partition key,
 *                   sort key) by a unique index; a rowid table because
 *                   the rows are large (an item is up to 400 KB) and the
 *                   index stays small
 * ddb_index_items   secondary index entries with their projected item
 * ddb_stats         item count and bytes per table (index 0) and index
 * ddb_purges        deleted tables (index 0) and indexes whose rows are
 *                   still being removed
 * ddb_backfills     indexes being filled from the items, and tables
 *                   (index 0) whose items' TTL expiries are being set
 * ddb_streams       each stream a table had (one per enabling), with
 *                   the last sequence number trimmed from it, and
 * ddb_stream_records every change it recorded; AUTOINCREMENT keeps
 *                   sequence numbers growing even once old records go
 * ddb_tx_tokens     TransactWriteItems/ExecuteTransaction
 *                   ClientRequestTokens of the last ten minutes */
#include "storage/core/store_internal.h"

static const struct schema_step ddb_steps[] = {
    {"tables-items-indexes-streams",
        "CREATE TABLE ddb_tables("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  account TEXT NOT NULL,"
        "  region TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  version INTEGER NOT NULL,"
        "  definition TEXT NOT NULL,"
        "  UNIQUE(account, region, name));"
        "CREATE TABLE ddb_items("
        "  id INTEGER PRIMARY KEY,"
        "  tbl INTEGER NOT NULL,"
        "  hash INTEGER NOT NULL,"
        "  hk BLOB NOT NULL,"
        "  rk BLOB NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  page_size INTEGER NOT NULL,"
        "  expires INTEGER,"
        "  item BLOB NOT NULL);"
        "CREATE UNIQUE INDEX ddb_items_by_key ON ddb_items(tbl, hash, hk, rk);"
        "CREATE INDEX ddb_items_by_expiry ON ddb_items(tbl, expires) WHERE expires IS NOT NULL;"
        "CREATE TABLE ddb_index_items("
        "  id INTEGER PRIMARY KEY,"
        "  tbl INTEGER NOT NULL,"
        "  ino INTEGER NOT NULL,"
        "  ihash INTEGER NOT NULL,"
        "  ihk BLOB NOT NULL,"
        "  irk BLOB NOT NULL,"
        "  thash INTEGER NOT NULL,"
        "  hk BLOB NOT NULL,"
        "  rk BLOB NOT NULL,"
        "  size INTEGER NOT NULL,"
        "  page_size INTEGER NOT NULL,"
        "  item BLOB NOT NULL);"
        "CREATE UNIQUE INDEX ddb_index_items_by_key"
        "  ON ddb_index_items(tbl, ino, ihash, ihk, irk, thash, hk, rk);"
        "CREATE TABLE ddb_stats("
        "  tbl INTEGER NOT NULL,"
        "  ino INTEGER NOT NULL,"
        "  items INTEGER NOT NULL,"
        "  bytes INTEGER NOT NULL,"
        "  PRIMARY KEY(tbl, ino)) WITHOUT ROWID;"
        "CREATE TABLE ddb_purges("
        "  tbl INTEGER NOT NULL,"
        "  ino INTEGER NOT NULL,"
        "  PRIMARY KEY(tbl, ino)) WITHOUT ROWID;"
        "CREATE TABLE ddb_backfills("
        "  tbl INTEGER NOT NULL,"
        "  ino INTEGER NOT NULL,"
        "  PRIMARY KEY(tbl, ino)) WITHOUT ROWID;"
        "CREATE TABLE ddb_streams("
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  tbl INTEGER NOT NULL,"
        "  account TEXT NOT NULL,"
        "  region TEXT NOT NULL,"
        "  table_name TEXT NOT NULL,"
        "  label TEXT NOT NULL,"
        "  view_type TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  disabled_ms INTEGER);"
        "CREATE INDEX ddb_streams_by_table ON ddb_streams(account, region, table_name, id);"
        "CREATE UNIQUE INDEX ddb_streams_enabled ON ddb_streams(tbl) WHERE disabled_ms IS NULL;"
        "CREATE TABLE ddb_stream_records("
        "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  stream INTEGER NOT NULL,"
        "  event TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  keys BLOB NOT NULL,"
        "  new_image BLOB,"
        "  old_image BLOB,"
        "  size INTEGER NOT NULL,"
        "  ttl_removal INTEGER NOT NULL DEFAULT 0);"
        "CREATE INDEX ddb_stream_records_by_stream ON ddb_stream_records(stream, seq);"
        "CREATE INDEX ddb_stream_records_by_time ON ddb_stream_records(created_ms);"
        "CREATE TABLE ddb_tx_tokens("
        "  account TEXT NOT NULL,"
        "  region TEXT NOT NULL,"
        "  token TEXT NOT NULL,"
        "  digest BLOB NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  PRIMARY KEY(account, region, token)) WITHOUT ROWID;"},
    /* The highest sequence number trimmed from each stream: a reader
     * positioned before it has lost records (TrimmedDataAccessException),
     * and TRIM_HORIZON starts after it. */
    {"stream-trim-horizon",
        "ALTER TABLE ddb_streams ADD COLUMN trimmed_seq INTEGER NOT NULL DEFAULT 0;"},
};

const struct schema_module ddb_schema = {"dynamodb", ddb_steps, sizeof(ddb_steps) / sizeof(ddb_steps[0])};
