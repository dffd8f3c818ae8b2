/* streams: DynamoDB Streams' durable half — one ddb_streams row per time
 * a table's stream was enabled (its label makes its ARN), and the
 * records item changes append to the enabled one in the same transaction
 * (storage/dynamodb/items.c). Readers list streams and read records by
 * sequence number; a trim drops records past AWS's 24 hours, in steps,
 * and remembers per stream the last sequence number it dropped. */
#include "storage/dynamodb/ddb_internal.h"

static enum ddb_store_err done_or(int rc)
{
    return rc == SQLITE_DONE ? DDB_STORE_OK : rc == SQLITE_NOMEM ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_stream_current(struct store_conn *writer, int64_t table_id, int64_t *stream_id)
{
    sqlite3_stmt *s = db_stmt(writer, "SELECT id FROM ddb_streams WHERE tbl = ?1 AND disabled_ms IS NULL");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    int rc = sqlite3_step(s);
    *stream_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_stream_begin(struct store_conn *writer, int64_t table_id, const char *account,
                                    const char *region, const char *table_name, const char *label,
                                    const char *view_type, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(writer, "INSERT INTO ddb_streams(tbl, account, region, table_name, label, view_type,"
                                      " created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_text(s, 2, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, table_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, view_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now_ms);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return done_or(rc);
}

enum ddb_store_err ddb_stream_disable(struct store_conn *writer, int64_t table_id, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(writer, "UPDATE ddb_streams SET disabled_ms = ?2 WHERE tbl = ?1 AND disabled_ms IS NULL");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, now_ms);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return done_or(rc);
}

enum ddb_store_err ddb_stream_append(struct store_conn *writer, int64_t stream_id, const struct ddb_stream_change *c,
                                     int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(writer, "INSERT INTO ddb_stream_records(stream, event, created_ms, keys, new_image,"
                                      " old_image, size, ttl_removal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, stream_id);
    sqlite3_bind_text(s, 2, c->event, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, now_ms);
    sqlite3_bind_blob(s, 4, c->keys, (int)c->keys_len, SQLITE_STATIC);
    if (c->new_image)
        sqlite3_bind_blob(s, 5, c->new_image, (int)c->new_len, SQLITE_STATIC);
    if (c->old_image)
        sqlite3_bind_blob(s, 6, c->old_image, (int)c->old_len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, c->size);
    sqlite3_bind_int(s, 8, c->ttl_removal);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return done_or(rc);
}

static struct ddb_stream_info info_of(sqlite3_stmt *s)
{
    return (struct ddb_stream_info){
        .id = sqlite3_column_int64(s, 0),
        .table_id = sqlite3_column_int64(s, 1),
        .account = (const char *)sqlite3_column_text(s, 2),
        .region = (const char *)sqlite3_column_text(s, 3),
        .table_name = (const char *)sqlite3_column_text(s, 4),
        .label = (const char *)sqlite3_column_text(s, 5),
        .view_type = (const char *)sqlite3_column_text(s, 6),
        .created_ms = sqlite3_column_int64(s, 7),
        .disabled_ms = sqlite3_column_type(s, 8) == SQLITE_NULL ? 0 : sqlite3_column_int64(s, 8),
        .trimmed_seq = sqlite3_column_int64(s, 9),
    };
}

#define STREAM_COLUMNS "id, tbl, account, region, table_name, label, view_type, created_ms, disabled_ms, trimmed_seq"

enum ddb_store_err ddb_stream_list(struct store_conn *reader, const char *account, const char *region,
                                   const char *table_name, bool (*visit)(void *arg, const struct ddb_stream_info *s),
                                   void *arg)
{
    sqlite3_stmt *s = table_name ? db_stmt(reader, "SELECT " STREAM_COLUMNS " FROM ddb_streams"
                                                   " WHERE account = ?1 AND region = ?2 AND table_name = ?3"
                                                   " ORDER BY id DESC")
                                 : db_stmt(reader, "SELECT " STREAM_COLUMNS " FROM ddb_streams"
                                                   " WHERE account = ?1 AND region = ?2 ORDER BY id DESC");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    if (table_name)
        sqlite3_bind_text(s, 3, table_name, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct ddb_stream_info info = info_of(s);
        if (!visit(arg, &info)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return done_or(rc);
}

enum ddb_store_err ddb_stream_get(struct store_conn *reader, const char *account, const char *region,
                                  const char *table_name, const char *label,
                                  void (*visit)(void *arg, const struct ddb_stream_info *s), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT " STREAM_COLUMNS " FROM ddb_streams"
                                      " WHERE account = ?1 AND region = ?2 AND table_name = ?3 AND label = ?4"
                                      " ORDER BY id DESC LIMIT 1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, table_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, label, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        struct ddb_stream_info info = info_of(s);
        visit(arg, &info);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? DDB_STORE_OK : rc == SQLITE_DONE ? DDB_STORE_NOT_FOUND : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_stream_read(struct store_conn *reader, int64_t stream_id, int64_t after_seq, int64_t limit,
                                   bool (*visit)(void *arg, const struct ddb_stream_record *r), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT seq, event, created_ms, keys, new_image, old_image, size, ttl_removal"
                                      " FROM ddb_stream_records WHERE stream = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, stream_id);
    sqlite3_bind_int64(s, 2, after_seq);
    sqlite3_bind_int64(s, 3, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct ddb_stream_record r = {
            .seq = sqlite3_column_int64(s, 0),
            .event = (const char *)sqlite3_column_text(s, 1),
            .created_ms = sqlite3_column_int64(s, 2),
            .keys = sqlite3_column_blob(s, 3),
            .keys_len = (size_t)sqlite3_column_bytes(s, 3),
            .new_image = sqlite3_column_blob(s, 4),
            .new_len = (size_t)sqlite3_column_bytes(s, 4),
            .old_image = sqlite3_column_blob(s, 5),
            .old_len = (size_t)sqlite3_column_bytes(s, 5),
            .size = sqlite3_column_int64(s, 6),
            .ttl_removal = sqlite3_column_int(s, 7) != 0,
        };
        if (!r.event || !r.keys) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &r)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return done_or(rc);
}

enum ddb_store_err ddb_stream_bounds(struct store_conn *reader, int64_t stream_id, int64_t *first, int64_t *last)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT min(seq), max(seq) FROM ddb_stream_records WHERE stream = ?1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, stream_id);
    int rc = sqlite3_step(s);
    *first = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    *last = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

/* The records one trim step takes: the oldest ones before the cutoff. */
#define TRIMMED "SELECT seq, stream FROM ddb_stream_records WHERE created_ms < ?1 ORDER BY created_ms, seq LIMIT ?2"

enum ddb_store_err ddb_stream_trim(struct store_conn *writer, int64_t cutoff_ms, int64_t limit, bool *more)
{
    *more = false;
    sqlite3_stmt *s = db_stmt(writer, "SELECT stream, max(seq), count(*) FROM (" TRIMMED ") GROUP BY stream");
    sqlite3_stmt *mark = db_stmt(writer, "UPDATE ddb_streams SET trimmed_seq = max(trimmed_seq, ?2) WHERE id = ?1");
    if (!s || !mark)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, cutoff_ms);
    sqlite3_bind_int64(s, 2, limit);
    int64_t taken = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        taken += sqlite3_column_int64(s, 2);
        sqlite3_bind_int64(mark, 1, sqlite3_column_int64(s, 0));
        sqlite3_bind_int64(mark, 2, sqlite3_column_int64(s, 1));
        int mrc = sqlite3_step(mark);
        sqlite3_reset(mark);
        if (mrc != SQLITE_DONE) {
            rc = mrc;
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return done_or(rc);
    s = db_stmt(writer, "DELETE FROM ddb_stream_records WHERE seq IN (SELECT seq FROM (" TRIMMED "))");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, cutoff_ms);
    sqlite3_bind_int64(s, 2, limit);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return done_or(rc);
    *more = taken == limit;
    s = db_stmt(writer, "DELETE FROM ddb_streams WHERE disabled_ms IS NOT NULL AND disabled_ms < ?1"
                        " AND NOT EXISTS (SELECT 1 FROM ddb_stream_records r WHERE r.stream = ddb_streams.id)");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, cutoff_ms);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return done_or(rc);
}
