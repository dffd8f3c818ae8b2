/* async: the durable queue of accepted asynchronous Lambda invocations
 * (lambda_events, see schema.c). server/lambda/async.c inserts a row before
 * it answers 202, records each failed attempt and when the next is due,
 * and deletes the row once the event succeeded, went to its failure
 * destination or was dropped; at start-up the rows are read back. */
#include "storage/lambda/lambda_storage.h"

#include <stdio.h>

#include "storage/core/store_internal.h"

static const char sql_insert[] =
    "INSERT INTO lambda_events(id, account, function, qualifier, request_id, payload, attempts,"
    " created_ms, next_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_reschedule[] = "UPDATE lambda_events SET attempts = ?2, next_ms = ?3 WHERE id = ?1";
static const char sql_delete[] = "DELETE FROM lambda_events WHERE id = ?1";
static const char sql_load[] = "SELECT id, account, function, qualifier, request_id, payload, attempts,"
                               " created_ms, next_ms FROM lambda_events ORDER BY id DESC";

/* Steps a bound statement to its end and resets it. */
static enum lambda_storage_err run(sqlite3_stmt *s, bool bound)
{
    bool ok = bound && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? LAMBDA_STORAGE_OK : LAMBDA_STORAGE_DB;
}

enum lambda_storage_err lambda_events_insert(struct store_conn *writer, const struct lambda_event_row *row)
{
    sqlite3_stmt *s = db_stmt(writer, sql_insert);
    if (!s)
        return LAMBDA_STORAGE_DB;
    bool ok = sqlite3_bind_int64(s, 1, row->id) == SQLITE_OK &&
              sqlite3_bind_text(s, 2, row->account, -1, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_text(s, 3, row->function, -1, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_text(s, 4, row->qualifier ? row->qualifier : "", -1, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_text(s, 5, row->request_id, -1, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_blob(s, 6, row->payload ? row->payload : "", (int)row->len, SQLITE_STATIC) == SQLITE_OK &&
              sqlite3_bind_int(s, 7, row->attempts) == SQLITE_OK &&
              sqlite3_bind_int64(s, 8, row->created_ms) == SQLITE_OK &&
              sqlite3_bind_int64(s, 9, row->next_ms) == SQLITE_OK;
    return run(s, ok);
}

enum lambda_storage_err lambda_events_reschedule(struct store_conn *writer, int64_t id, int attempts,
                                                 int64_t next_ms)
{
    sqlite3_stmt *s = db_stmt(writer, sql_reschedule);
    if (!s)
        return LAMBDA_STORAGE_DB;
    bool ok = sqlite3_bind_int64(s, 1, id) == SQLITE_OK && sqlite3_bind_int(s, 2, attempts) == SQLITE_OK &&
              sqlite3_bind_int64(s, 3, next_ms) == SQLITE_OK;
    return run(s, ok);
}

enum lambda_storage_err lambda_events_delete(struct store_conn *writer, int64_t id)
{
    sqlite3_stmt *s = db_stmt(writer, sql_delete);
    if (!s)
        return LAMBDA_STORAGE_DB;
    return run(s, sqlite3_bind_int64(s, 1, id) == SQLITE_OK);
}

enum lambda_storage_err lambda_events_load(struct store_conn *reader,
                                           int (*each)(void *arg, const struct lambda_event_row *row),
                                           void *arg, char *err, size_t errlen)
{
    sqlite3_stmt *s = db_stmt(reader, sql_load);
    if (!s) {
        snprintf(err, errlen, "cannot read lambda_events: %s", sqlite3_errmsg(reader->db));
        return LAMBDA_STORAGE_DB;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct lambda_event_row row = {
            .id = sqlite3_column_int64(s, 0),
            .account = (const char *)sqlite3_column_text(s, 1),
            .function = (const char *)sqlite3_column_text(s, 2),
            .qualifier = (const char *)sqlite3_column_text(s, 3),
            .request_id = (const char *)sqlite3_column_text(s, 4),
            .attempts = sqlite3_column_int(s, 6),
            .created_ms = sqlite3_column_int64(s, 7),
            .next_ms = sqlite3_column_int64(s, 8),
        };
        row.payload = sqlite3_column_blob(s, 5);     /* then its size, as SQLite asks */
        row.len = (size_t)sqlite3_column_bytes(s, 5);
        bool whole = row.account && row.function && row.qualifier && row.request_id && (row.payload || !row.len);
        if (!whole || each(arg, &row) < 0) {
            sqlite3_reset(s);
            snprintf(err, errlen, "cannot read lambda_events: out of memory");
            return LAMBDA_STORAGE_NO_MEMORY;
        }
    }
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "cannot read lambda_events: %s", sqlite3_errmsg(reader->db));
        sqlite3_reset(s);
        return LAMBDA_STORAGE_DB;
    }
    sqlite3_reset(s);
    return LAMBDA_STORAGE_OK;
}
