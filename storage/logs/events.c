/* events: log events in logs_events — batches in, a stream's events read
 * with paging, a group's events scanned for FilterLogEvents, and the
 * retention sweep.
 *
 * A batch may go to many streams (the buffered writer of other services'
 * output mixes them): each stream it touches is created if missing, with
 * its group, and its statistics are updated once for the batch, not once
 * per event. Positions are (ts, id): id grows with every event stored, so
 * events of one millisecond keep their order. A message is bound and read
 * with its length, U+0000 included. */
#include "storage/logs/logs_internal.h"

#include <stdlib.h>
#include <string.h>

/* A stream a batch of events goes to: what its row's statistics gain. */
struct stream_batch {
    const struct logs_new_event *first;    /* names the stream */
    int64_t min_ts, max_ts, bytes;
};

static bool same_stream(const struct logs_new_event *a, const struct logs_new_event *b)
{
    return strcmp(a->account, b->account) == 0 && strcmp(a->group, b->group) == 0 &&
           strcmp(a->stream, b->stream) == 0;
}

enum logs_err logs_put_events(struct store_conn *conn, const struct logs_new_event *events, size_t n,
                              int64_t now)
{
    struct stream_batch *streams = NULL;
    size_t n_streams = 0, cap_streams = 0;
    enum logs_err rc = LOGS_OK;
    for (size_t i = 0; i < n && rc == LOGS_OK; i++) {
        const struct logs_new_event *e = &events[i];
        struct stream_batch *b = NULL;
        for (size_t k = n_streams; k > 0 && !b; k--)
            if (same_stream(streams[k - 1].first, e))
                b = &streams[k - 1];
        if (!b) {
            if (n_streams == cap_streams) {
                size_t cap = cap_streams ? cap_streams * 2 : 16;
                struct stream_batch *grown = realloc(streams, cap * sizeof(*grown));
                if (!grown) {
                    rc = LOGS_ERR_NOMEM;
                    break;
                }
                streams = grown;
                cap_streams = cap;
            }
            if (logs_exec(conn, "INSERT OR IGNORE INTO logs_groups(account, name, created_ms) VALUES (?1, ?2, ?4)",
                          e->account, e->group, NULL, now) < 0 ||
                logs_exec(conn, "INSERT OR IGNORE INTO logs_streams(account, grp, name, created_ms) VALUES (?1, ?2, ?3, ?4)",
                          e->account, e->group, e->stream, now) < 0) {
                rc = LOGS_ERR_STORAGE;
                break;
            }
            b = &streams[n_streams++];
            *b = (struct stream_batch){e, e->ts, e->ts, 0};
        }
        if (e->ts < b->min_ts)
            b->min_ts = e->ts;
        if (e->ts > b->max_ts)
            b->max_ts = e->ts;
        b->bytes += (int64_t)e->len;
        sqlite3_stmt *s = db_stmt(conn, "INSERT INTO logs_events(account, grp, stream, ts, ingest_ms, message)"
                                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        bool ok = s && sqlite3_bind_text(s, 1, e->account, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 2, e->group, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 3, e->stream, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 4, e->ts) == SQLITE_OK && sqlite3_bind_int64(s, 5, now) == SQLITE_OK &&
                  sqlite3_bind_text64(s, 6, e->message, e->len, SQLITE_STATIC, SQLITE_UTF8) == SQLITE_OK &&
                  sqlite3_step(s) == SQLITE_DONE;
        if (s)
            sqlite3_reset(s);
        if (!ok)
            rc = LOGS_ERR_STORAGE;
    }
    for (size_t k = 0; k < n_streams && rc == LOGS_OK; k++) {
        const struct stream_batch *b = &streams[k];
        sqlite3_stmt *s = db_stmt(conn, "UPDATE logs_streams SET first_ts = min(coalesce(first_ts, ?4), ?4),"
                                         " last_ts = max(coalesce(last_ts, ?7), ?7), last_ingest_ms = ?5,"
                                         " stored_bytes = stored_bytes + ?6 WHERE account = ?1 AND grp = ?2 AND name = ?3");
        bool ok = s && sqlite3_bind_text(s, 1, b->first->account, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 2, b->first->group, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 3, b->first->stream, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 4, b->min_ts) == SQLITE_OK && sqlite3_bind_int64(s, 5, now) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 6, b->bytes) == SQLITE_OK && sqlite3_bind_int64(s, 7, b->max_ts) == SQLITE_OK &&
                  sqlite3_step(s) == SQLITE_DONE;
        if (s)
            sqlite3_reset(s);
        if (!ok)
            rc = LOGS_ERR_STORAGE;
    }
    free(streams);
    return rc;
}

/* Steps through a query's rows (id, stream or NULL, ts, ingest_ms,
 * message), handing each to visit until it returns false. */
static enum logs_err visit_events(sqlite3_stmt *s, bool with_stream,
                                  bool (*visit)(void *arg, const struct logs_event *e), void *arg)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct logs_event e = {
            .id = sqlite3_column_int64(s, 0),
            .stream = with_stream ? (const char *)sqlite3_column_text(s, 1) : NULL,
            .ts = sqlite3_column_int64(s, 2),
            .ingest_ms = sqlite3_column_int64(s, 3),
            .message = (const char *)sqlite3_column_text(s, 4),
        };
        e.len = (size_t)sqlite3_column_bytes(s, 4);
        if (!e.message || (with_stream && !e.stream)) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &e)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LOGS_OK : LOGS_ERR_STORAGE;
}

enum logs_err logs_read_stream(struct store_conn *reader, const char *account, const char *group,
                               const char *stream, int64_t start, int64_t end, bool backward,
                               int64_t after_ts, int64_t after_id, int64_t limit,
                               bool (*visit)(void *arg, const struct logs_event *e), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, backward
        ? "SELECT id, NULL, ts, ingest_ms, message FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3"
          " AND ts >= ?4 AND ts < ?5 AND (ts < ?6 OR (ts = ?6 AND id < ?7)) ORDER BY ts DESC, id DESC LIMIT ?8"
        : "SELECT id, NULL, ts, ingest_ms, message FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3"
          " AND ts >= ?4 AND ts < ?5 AND (ts > ?6 OR (ts = ?6 AND id > ?7)) ORDER BY ts, id LIMIT ?8");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, stream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, start);
    sqlite3_bind_int64(s, 5, end);
    sqlite3_bind_int64(s, 6, after_ts);
    sqlite3_bind_int64(s, 7, after_id);
    sqlite3_bind_int64(s, 8, limit);
    return visit_events(s, false, visit, arg);
}

enum logs_err logs_scan_group(struct store_conn *reader, const char *account, const char *group,
                              int64_t start, int64_t end, int64_t after_ts, int64_t after_id,
                              bool (*visit)(void *arg, const struct logs_event *e), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT id, stream, ts, ingest_ms, message FROM logs_events"
                                      " WHERE account = ?1 AND grp = ?2 AND ts >= ?3 AND ts <= ?4"
                                      " AND (ts > ?5 OR (ts = ?5 AND id > ?6)) ORDER BY ts, id");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, start);
    sqlite3_bind_int64(s, 4, end);
    sqlite3_bind_int64(s, 5, after_ts);
    sqlite3_bind_int64(s, 6, after_id);
    return visit_events(s, true, visit, arg);
}

enum logs_err logs_expire_events(struct store_conn *writer, int64_t now)
{
    sqlite3_stmt *s = db_stmt(writer, "DELETE FROM logs_events WHERE id IN (SELECT e.id FROM logs_events e"
                                      " JOIN logs_groups g ON g.account = e.account AND g.name = e.grp"
                                      " WHERE g.retention_days IS NOT NULL AND e.ts < ?1 - g.retention_days * 86400000)");
    if (!s)
        return LOGS_ERR_STORAGE;
    bool ok = sqlite3_bind_int64(s, 1, now) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? LOGS_OK : LOGS_ERR_STORAGE;
}
