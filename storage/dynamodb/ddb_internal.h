/* ddb_internal: what the storage/dynamodb/ files share and nobody else sees. */
#ifndef CLOUDLESS_STORAGE_DYNAMODB_INTERNAL_H
#define CLOUDLESS_STORAGE_DYNAMODB_INTERNAL_H

#include "storage/core/store_internal.h"
#include "storage/dynamodb/ddb_store.h"

/* Binds len bytes as a BLOB (an empty one, never NULL). */
static inline int ddb_bind_bytes(sqlite3_stmt *s, int index, const void *bytes, size_t len)
{
    return sqlite3_bind_blob(s, index, len ? bytes : "", (int)len, SQLITE_TRANSIENT);
}

/* Adds to the item count and bytes of a table (number 0) or index. */
enum ddb_store_err ddb_stats_add(struct store_conn *writer, int64_t table_id, int number, int64_t items,
                                 int64_t bytes);

/* The version of a table's definition: DDB_STORE_NOT_FOUND when it is gone. */
enum ddb_store_err ddb_table_version(struct store_conn *conn, int64_t table_id, int64_t *version);

/* One secondary index entry of an item: its key and projected item. */
struct ddb_index_entry {
    uint32_t ihash, thash;
    const uint8_t *ihk, *irk;
    size_t ihk_len, irk_len;
    struct ddb_value projected;
};
/* The entry item has in index ix (false when it has not the index's keys). */
bool ddb_index_entry_of(struct arena *a, const struct ddb_table *t, const struct ddb_index *ix,
                        const struct ddb_value *item, struct ddb_index_entry *out, bool *present);
/* Writes an entry (the table key in key). With only_new, an entry already
 * there is left as it is and *inserted says whether this one was new. */
enum ddb_store_err ddb_index_entry_put(struct store_conn *writer, const struct ddb_table *t, int64_t table_id,
                                       int number, const struct ddb_stored_key *key,
                                       const struct ddb_index_entry *e, bool only_new, bool *inserted);

/* The expiry (epoch seconds) time to live gives item, or false. */
bool ddb_item_expiry(const struct ddb_table *t, const struct ddb_value *item, int64_t *expires);

/* Streams (storage/dynamodb/streams.c): the table's enabled stream (0:
 * none), a stream's beginning and end, and one record. */
enum ddb_store_err ddb_stream_current(struct store_conn *writer, int64_t table_id, int64_t *stream_id);
enum ddb_store_err ddb_stream_begin(struct store_conn *writer, int64_t table_id, const char *account,
                                    const char *region, const char *table_name, const char *label,
                                    const char *view_type, int64_t now_ms);
enum ddb_store_err ddb_stream_disable(struct store_conn *writer, int64_t table_id, int64_t now_ms);
struct ddb_stream_change {
    const char *event;
    const char *keys, *new_image, *old_image;
    size_t keys_len, new_len, old_len;
    int64_t size;
    bool ttl_removal;
};
enum ddb_store_err ddb_stream_append(struct store_conn *writer, int64_t stream_id, const struct ddb_stream_change *c,
                                     int64_t now_ms);

#endif
