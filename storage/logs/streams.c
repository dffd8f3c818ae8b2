/* streams: log streams in logs_streams — create, delete (with their
 * events), list. A stream's row carries the statistics DescribeLogStreams
 * shows (first and last event time, last ingestion, stored bytes), which
 * storage/logs/events.c updates once per batch of events. */
#include "storage/logs/logs_internal.h"

enum logs_err logs_stream_exists(struct store_conn *reader, const char *account, const char *group,
                                 const char *stream)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT 1 FROM logs_streams WHERE account = ?1 AND grp = ?2 AND name = ?3");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, stream, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? LOGS_OK : rc == SQLITE_DONE ? LOGS_ERR_NO_STREAM : LOGS_ERR_STORAGE;
}

enum logs_err logs_create_stream(struct store_conn *writer, const char *account, const char *group,
                                 const char *stream, int64_t now_ms)
{
    int rc = logs_exec(writer, "INSERT OR IGNORE INTO logs_streams(account, grp, name, created_ms) VALUES (?1, ?2, ?3, ?4)",
                       account, group, stream, now_ms);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_STREAM_EXISTS : LOGS_OK;
}

enum logs_err logs_delete_stream(struct store_conn *writer, const char *account, const char *group,
                                 const char *stream)
{
    if (logs_exec(writer, "DELETE FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3", account,
                  group, stream, 0) < 0)
        return LOGS_ERR_STORAGE;
    int rc = logs_exec(writer, "DELETE FROM logs_streams WHERE account = ?1 AND grp = ?2 AND name = ?3", account,
                       group, stream, 0);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_NO_STREAM : LOGS_OK;
}

#define LIST_STREAMS(order)                                                                                 \
    "SELECT name, created_ms, first_ts, last_ts, last_ingest_ms, stored_bytes FROM logs_streams"          \
    " WHERE account = ?1 AND grp = ?2 AND substr(name, 1, length(?3)) = ?3 ORDER BY " order " LIMIT -1 OFFSET ?4"

enum logs_err logs_list_streams(struct store_conn *reader, const char *account, const char *group,
                                const char *prefix, bool by_last_event, bool descending, int64_t offset,
                                bool (*visit)(void *arg, const struct logs_stream_info *s), void *arg)
{
    /* One literal per order: the statement cache knows statements by address. */
    static const char *const sql[2][2] = {
        {LIST_STREAMS("name ASC"), LIST_STREAMS("name DESC")},
        {LIST_STREAMS("coalesce(last_ts, 0) ASC"), LIST_STREAMS("coalesce(last_ts, 0) DESC")},
    };
    sqlite3_stmt *s = db_stmt(reader, sql[by_last_event][descending]);
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, offset);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct logs_stream_info info = {
            .name = (const char *)sqlite3_column_text(s, 0),
            .created_ms = sqlite3_column_int64(s, 1),
            .has_events = sqlite3_column_type(s, 2) != SQLITE_NULL,
            .first_ts = sqlite3_column_int64(s, 2),
            .last_ts = sqlite3_column_int64(s, 3),
            .last_ingest_ms = sqlite3_column_int64(s, 4),
            .stored_bytes = sqlite3_column_int64(s, 5),
        };
        if (!info.name) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &info)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LOGS_OK : LOGS_ERR_STORAGE;
}
