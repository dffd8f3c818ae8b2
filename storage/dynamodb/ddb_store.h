/* ddb_store: DynamoDB's durable state — tables, items, secondary index
 * entries, stream records, time-to-live expiries, transaction tokens —
 * behind typed functions; every SQL statement of the service is in
 * storage/dynamodb/.
 *
 *   storage/dynamodb/schema.c        the ddb_* tables
 *   storage/dynamodb/tables.c        table definitions (protocol/dynamodb/
 *                                    table.h, stored as JSON with a version
 *                                    that every change bumps), listing,
 *                                    statistics, purges of deleted tables
 *                                    and indexes, index backfills
 *   storage/dynamodb/items.c         one item's change, as the group commit
 *                                    applies it: old item, condition, new
 *                                    item, index entries, statistics,
 *                                    stream record — and item reads
 *   storage/dynamodb/query.c         key-ordered range reads of a table or
 *                                    an index (Query, Scan)
 *   storage/dynamodb/transactions.c  all-or-nothing groups of changes and
 *                                    ClientRequestToken idempotency
 *   storage/dynamodb/streams.c       stream records: written with the
 *                                    change, read by stream and sequence
 *
 * Layout. A table's items are rows of ddb_items keyed (table id, scan
 * hash, partition key bytes, sort key bytes): the key values encoded by
 * ddb_key_encode, so SQLite's BLOB order (memcmp, then length) is
 * DynamoDB's order, and the scan hash (ddb_key_scan_hash) first, so a
 * Scan walks the items in AWS's order and a segment is a range. Each row
 * keeps the item as its canonical JSON (answers splice it as it is), its
 * size as AWS counts it, its size towards a 1 MB page, and its expiry
 * when the table has time to live. Index entries are rows of
 * ddb_index_items keyed (table id, index number, index scan hash, index
 * keys, table scan hash, table keys) with the projected item. Every
 * lookup, Query and Scan page is one range of a unique index, so a table
 * of a million items reads as fast as an empty one.
 *
 * Connections: writes take the writer, as a store_submit() apply callback
 * gets it, and run inside the group commit's transaction; reads take the
 * loop thread's reader (store_reader()). A write names the version of the
 * table definition it was checked against: when the table changed since
 * (an index created, a stream enabled, the table deleted), the write does
 * nothing and says so (DDB_WRITE_STALE), and the server checks the
 * request again against the new definition.
 *
 * Streams and time to live (the contract with what consumes them): every
 * change of an item of a table whose stream is enabled — PutItem,
 * UpdateItem, DeleteItem, their batch, transaction and PartiQL forms, and
 * TTL deletions — writes, in the same transaction, one ddb_stream_records
 * row: a sequence number increasing across all streams, the event
 * (INSERT, MODIFY, REMOVE; none when nothing changed), the creation
 * time, the keys and the images the stream's view type asks for. Readers
 * use ddb_stream_* below. An item of a table with time to live enabled
 * carries its expiry (the TTL attribute's number, in epoch seconds) in an
 * indexed column: ddb_ttl_expired() lists the expired items of a table in
 * expiry order, and ddb_item_write() with ttl_removal deletes one (if it
 * is still expired) with its stream record. */
#ifndef CLOUDLESS_STORAGE_DYNAMODB_STORE_H
#define CLOUDLESS_STORAGE_DYNAMODB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/dynamodb/expression.h"
#include "protocol/dynamodb/streams.h"
#include "protocol/dynamodb/table.h"

struct store_conn;

enum ddb_store_err {
    DDB_STORE_OK = 0,
    DDB_STORE_NOT_FOUND,           /* no such table (or stream, token...) */
    DDB_STORE_EXISTS,              /* create: a table of that name exists */
    DDB_STORE_STALE,               /* the table's definition changed since it was read */
    DDB_STORE_NOMEM,
    DDB_STORE_STORAGE,             /* SQLite failed */
};

/* ---- tables (storage/dynamodb/tables.c) ----------------------------------------- */

/* A table as stored: its id (never reused), the version of its
 * definition and the definition (JSON, see ddb_table_from_json). */
struct ddb_table_row {
    int64_t id;
    int64_t version;
    const char *definition;
    size_t len;
};

/* The table account/region/name; DDB_STORE_NOT_FOUND when there is none.
 * The row lives until visit returns. */
enum ddb_store_err ddb_table_load(struct store_conn *conn, const char *account, const char *region, const char *name,
                                  void (*visit)(void *arg, const struct ddb_table_row *row), void *arg);
/* The same by id (the writer uses it to reread what it changes). */
enum ddb_store_err ddb_table_load_id(struct store_conn *conn, int64_t id,
                                     void (*visit)(void *arg, const struct ddb_table_row *row), void *arg);
/* Creates the table (version 1); DDB_STORE_EXISTS when the name is taken.
 * With stream_view_type non-NULL, its first stream begins (label). */
enum ddb_store_err ddb_table_create(struct store_conn *writer, const char *account, const char *region,
                                    const char *name, const char *definition, const char *stream_view_type,
                                    const char *stream_label, int64_t now_ms, int64_t *id);
/* Replaces the definition if it is still at `version`; DDB_STORE_STALE
 * otherwise, DDB_STORE_NOT_FOUND when the table is gone. The change's
 * storage work comes with it: an index to fill from the items, an index
 * whose entries go, the table's stream disabled or a new one begun
 * (stream_view_type non-NULL), the TTL expiries recomputed. */
struct ddb_table_storage_change {
    int backfill_number;           /* fill this index from the items (0 none) */
    int dropped_number;            /* purge this index's entries (0 none) */
    bool stream_disabled;
    const char *stream_view_type;  /* a new stream begins */
    const char *stream_label;
    bool ttl_changed;              /* the TTL attribute or its state changed */
};
enum ddb_store_err ddb_table_update(struct store_conn *writer, int64_t id, int64_t version, const char *definition,
                                    const struct ddb_table_storage_change *change, int64_t now_ms,
                                    int64_t *new_version);
/* Deletes the table (its items and entries are purged afterwards by
 * ddb_purge_step) and disables its stream; DDB_STORE_STALE or
 * DDB_STORE_NOT_FOUND as ddb_table_update. */
enum ddb_store_err ddb_table_delete(struct store_conn *writer, int64_t id, int64_t version, int64_t now_ms);
/* The account's tables in the region named after `after` ("" from the
 * start), by name, at most `limit`. */
enum ddb_store_err ddb_table_list(struct store_conn *reader, const char *account, const char *region,
                                  const char *after, int64_t limit,
                                  bool (*visit)(void *arg, const char *name), void *arg);
/* Every table (at start-up: transitions and backfills to resume). */
enum ddb_store_err ddb_table_all(struct store_conn *reader,
                                 bool (*visit)(void *arg, const char *account, const char *region,
                                               const struct ddb_table_row *row),
                                 void *arg);
/* Item count and bytes of the table (number 0) and of its indexes. */
enum ddb_store_err ddb_table_stats(struct store_conn *reader, int64_t id, int number, int64_t *items, int64_t *bytes);

/* One step of the work deleted tables and indexes leave: removes up to
 * `limit` of their rows; *more says whether any remain. */
enum ddb_store_err ddb_purge_step(struct store_conn *writer, int64_t limit, bool *more);
/* One step of filling index `number` of table `id` from the items after
 * the cursor (a position the previous step returned; NULL at first).
 * When no item remains the index stops backfilling (its definition
 * changes: a new version). *done says so. Stale when the table changed
 * in between in a way that drops the index. */
struct ddb_backfill_cursor {
    int64_t hash;
    uint8_t *hk, *rk;              /* malloc'ed by the step; ddb_backfill_cursor_free */
    size_t hk_len, rk_len;
    bool started;
};
enum ddb_store_err ddb_backfill_step(struct store_conn *writer, int64_t id, int number, int64_t limit,
                                     struct ddb_backfill_cursor *cursor, int64_t now_ms, bool *done);
void ddb_backfill_cursor_free(struct ddb_backfill_cursor *cursor);
/* The backfills still to do (after a restart): index numbers, 0 for TTL
 * expiries. */
enum ddb_store_err ddb_backfill_pending(struct store_conn *reader,
                                        bool (*visit)(void *arg, int64_t table_id, int number), void *arg);

/* ---- keys as stored ----------------------------------------------------------------- */

/* A table key as storage keys it. Bytes point into an arena. */
struct ddb_stored_key {
    uint32_t hash;                 /* ddb_key_scan_hash of the partition key */
    const uint8_t *hk, *rk;        /* encoded partition and sort key ("" when none) */
    size_t hk_len, rk_len;
};
/* The stored key of an item or a Key map under the table's schema (the
 * key attributes must be there, checked). */
bool ddb_stored_key_of(struct arena *a, const struct ddb_key_schema *keys, const struct ddb_value *item,
                       struct ddb_stored_key *out);

/* ---- items (storage/dynamodb/items.c) --------------------------------------------- */

/* An item as stored, given to readers' visitors; valid until the visitor returns. */
struct ddb_stored_item {
    const char *json;              /* the item (a JSON object of AttributeValues) */
    size_t len;
    int64_t size;                  /* ddb_item_size */
    int64_t page_size;             /* ddb_item_page_size */
    /* Position (for LastEvaluatedKey): the table key, and for index
     * entries the index key too. */
    const uint8_t *hk, *rk, *ihk, *irk;
    size_t hk_len, rk_len, ihk_len, irk_len;
    uint32_t hash, ihash;
};

/* GetItem: the item at key, visited if there is one. */
enum ddb_store_err ddb_item_get(struct store_conn *reader, int64_t table_id, const struct ddb_stored_key *key,
                                void (*visit)(void *arg, const struct ddb_stored_item *item), void *arg);

enum ddb_write_kind { DDB_WRITE_PUT, DDB_WRITE_UPDATE, DDB_WRITE_DELETE, DDB_WRITE_CHECK };

enum ddb_write_outcome {
    DDB_WRITE_DONE = 0,
    DDB_WRITE_CONDITION_FAILED,    /* ConditionalCheckFailed; old item kept when there was one */
    DDB_WRITE_INVALID,             /* AWS's runtime ValidationException (update, size, index key): err */
    DDB_WRITE_STALE,               /* the table changed: check again */
    DDB_WRITE_NO_TABLE,            /* the table is gone */
};

/* One item change. The inputs live in the request's arena; the results
 * are put there too. */
struct ddb_write {
    enum ddb_write_kind kind;
    const struct ddb_table *table; /* the definition the request was checked against */
    int64_t table_id, version;
    struct ddb_stored_key key;
    struct ddb_value key_map;      /* the key attributes, as a map */
    const struct ddb_value *item;  /* PUT: the new item */
    const char *item_json;         /* PUT: the new item as canonical JSON (NULL: made here) */
    size_t item_json_len;
    const struct ddb_update *update;       /* UPDATE */
    const struct ddb_condition *condition; /* NULL: unconditional */
    bool want_old;                 /* keep the old item (ReturnValues, ...) */
    bool ttl_removal;              /* a TTL deletion: only while the item is expired at now (s) */
    /* results */
    enum ddb_write_outcome outcome;
    struct ddb_error err;
    bool had_old, has_new;
    struct ddb_value old_item, new_item;
    size_t old_size, new_size;
    /* Write units the change cost each of table->indexes (NULL when the
     * table has no index): as AWS bills them, a new or removed entry one
     * write of its size, a changed one a write of the larger size, a
     * moved one (its index key changed) both; an entry's size is its
     * projected attributes plus 100 bytes. */
    double *index_units;
    struct ddb_write_state *state; /* storage's, between prepare and commit */
};

/* Applies one change inside the group commit: the table's version,
 * the old item, the condition, the new item (AWS's checks: size,
 * index key types), the item's row, its index entries, the statistics
 * and the stream record. DDB_STORE_OK with w->outcome; an error when
 * SQLite or memory failed (the caller rolls back). */
enum ddb_store_err ddb_item_write(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms);

/* The two halves ddb_item_write and transactions use: prepare reads and
 * decides (no change made), commit makes the prepared change. */
enum ddb_store_err ddb_item_prepare(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms);
enum ddb_store_err ddb_item_commit(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms);

/* Changes made one by one, each with its own outcome (BatchExecuteStatement),
 * once every table is still at the version its write names: otherwise
 * none is made and *stale says so. */
enum ddb_store_err ddb_items_write_each(struct store_conn *writer, struct arena *a, struct ddb_write **writes,
                                        size_t n, int64_t now_ms, bool *stale);

/* ---- ranges (storage/dynamodb/query.c) ----------------------------------------------- */

/* A bound on a key component as storage compares it. */
struct ddb_key_bound {
    const uint8_t *bytes;
    size_t len;
    bool open;                     /* excludes the value itself */
};

/* One Query or Scan page's range. */
struct ddb_range {
    int64_t table_id;
    int index_number;              /* 0: the table itself */
    bool backward;                 /* ScanIndexForward false */
    bool scan;                     /* Scan: the hash range below, else one partition */
    uint32_t hash_low, hash_high;  /* Scan: [low, high) of scan hashes */
    /* Query: the partition and the sort key's bounds (NULL bytes: unbounded). */
    uint32_t hash;
    const uint8_t *hk;
    size_t hk_len;
    struct ddb_key_bound lower, upper;
    /* Where the previous page stopped (ExclusiveStartKey): excluded. */
    bool has_start;
    struct ddb_stored_item start;
};

/* Visits the rows of the range in order until visit returns false. */
enum ddb_store_err ddb_range_read(struct store_conn *reader, const struct ddb_range *r,
                                  bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg);

/* ---- transactions (storage/dynamodb/transactions.c) ------------------------------- */

/* A ClientRequestToken seen within the last ten minutes: its request's
 * digest. */
enum ddb_token_state { DDB_TOKEN_NEW, DDB_TOKEN_SAME, DDB_TOKEN_MISMATCH };

#define DDB_TOKEN_TTL_MS (10 * 60 * 1000)

/* Every change or none: prepares all (stopping at nothing: each gets its
 * outcome, AWS's cancellation reasons), and commits all when every one
 * is DDB_WRITE_DONE. *committed says whether it did. With a token, a
 * repeat of the same request within ten minutes changes nothing
 * (*token_state SAME), a different one is refused (MISMATCH). */
enum ddb_store_err ddb_transact(struct store_conn *writer, struct arena *a, struct ddb_write *writes, size_t n,
                                const char *account, const char *region, const char *token,
                                const unsigned char digest[32], int64_t now_ms, enum ddb_token_state *token_state,
                                bool *committed);

/* ---- streams (storage/dynamodb/streams.c) ----------------------------------------- */

struct ddb_stream_info {
    int64_t id;
    int64_t table_id;
    const char *account, *region, *table_name;
    const char *label;             /* its ARN: <table ARN>/stream/<label> */
    const char *view_type;         /* KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
    int64_t created_ms;
    int64_t disabled_ms;           /* 0 while enabled */
    int64_t trimmed_seq;           /* the last sequence number trimmed from it (0: none) */
};

/* Streams of a table (all tables when table_name is NULL), newest first. */
enum ddb_store_err ddb_stream_list(struct store_conn *reader, const char *account, const char *region,
                                   const char *table_name, bool (*visit)(void *arg, const struct ddb_stream_info *s),
                                   void *arg);
/* The stream of table/label. */
enum ddb_store_err ddb_stream_get(struct store_conn *reader, const char *account, const char *region,
                                  const char *table_name, const char *label,
                                  void (*visit)(void *arg, const struct ddb_stream_info *s), void *arg);
/* Records of a stream with sequence numbers above after_seq, in order, at
 * most limit. */
enum ddb_store_err ddb_stream_read(struct store_conn *reader, int64_t stream_id, int64_t after_seq, int64_t limit,
                                   bool (*visit)(void *arg, const struct ddb_stream_record *r), void *arg);
/* The first and last sequence numbers of a stream (0, 0 when empty). */
enum ddb_store_err ddb_stream_bounds(struct store_conn *reader, int64_t stream_id, int64_t *first, int64_t *last);
/* One step of the trim: deletes up to `limit` records created before
 * cutoff_ms (AWS keeps 24 hours), oldest first, raising their streams'
 * trimmed_seq; then disabled streams with no records left. *more says
 * whether old records remain. */
enum ddb_store_err ddb_stream_trim(struct store_conn *writer, int64_t cutoff_ms, int64_t limit, bool *more);

/* ---- time to live ------------------------------------------------------------------- */

/* The first table after table id `after` whose items carry expiries
 * (*table_id 0: none), for the sweep to go through them in turn. */
enum ddb_store_err ddb_ttl_next_table(struct store_conn *conn, int64_t after, int64_t *table_id);
/* Items of the table whose expiry is at or before now_s, soonest first,
 * at most limit: their stored keys (for a ttl_removal write). */
enum ddb_store_err ddb_ttl_expired(struct store_conn *reader, int64_t table_id, int64_t now_s, int64_t limit,
                                   bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg);

#endif
