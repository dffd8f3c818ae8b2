/* groups: log groups in logs_groups — create, delete (with their streams
 * and events), list with their streams' stored bytes, retention. A group's
 * tags are a JSON object in its row (storage/logs/tags.c). */
#include "storage/logs/logs_internal.h"

int logs_exec(struct store_conn *conn, const char *sql, const char *a, const char *b, const char *c, int64_t i4)
{
    sqlite3_stmt *s = db_stmt(conn, sql);
    int rc = -1;
    if (s) {
        if (a)
            sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
        if (b)
            sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
        if (c)
            sqlite3_bind_text(s, 3, c, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, i4);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = 0;
        sqlite3_reset(s);
    }
    return rc < 0 ? -1 : sqlite3_changes(conn->db);
}

enum logs_err logs_group_exists(struct store_conn *reader, const char *account, const char *group)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT 1 FROM logs_groups WHERE account = ?1 AND name = ?2");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? LOGS_OK : rc == SQLITE_DONE ? LOGS_ERR_NO_GROUP : LOGS_ERR_STORAGE;
}

enum logs_err logs_create_group(struct store_conn *writer, const char *account, const char *group,
                                const char *tags_json, int64_t now_ms)
{
    int rc = logs_exec(writer, "INSERT OR IGNORE INTO logs_groups(account, name, created_ms, tags) VALUES (?1, ?2, ?4, ?3)",
                       account, group, tags_json, now_ms);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_GROUP_EXISTS : LOGS_OK;
}

enum logs_err logs_delete_group(struct store_conn *writer, const char *account, const char *group)
{
    if (logs_exec(writer, "DELETE FROM logs_events WHERE account = ?1 AND grp = ?2", account, group, NULL, 0) < 0 ||
        logs_exec(writer, "DELETE FROM logs_streams WHERE account = ?1 AND grp = ?2", account, group, NULL, 0) < 0)
        return LOGS_ERR_STORAGE;
    int rc = logs_exec(writer, "DELETE FROM logs_groups WHERE account = ?1 AND name = ?2", account, group, NULL, 0);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_NO_GROUP : LOGS_OK;
}

enum logs_err logs_set_retention(struct store_conn *writer, const char *account, const char *group, int64_t days)
{
    int rc = days < 0
                 ? logs_exec(writer, "UPDATE logs_groups SET retention_days = NULL WHERE account = ?1 AND name = ?2",
                             account, group, NULL, 0)
                 : logs_exec(writer, "UPDATE logs_groups SET retention_days = ?4 WHERE account = ?1 AND name = ?2",
                             account, group, NULL, days);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_NO_GROUP : LOGS_OK;
}

enum logs_err logs_list_groups(struct store_conn *reader, const char *account, const char *after,
                               const char *prefix, const char *infix,
                               bool (*visit)(void *arg, const struct logs_group_info *g), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT g.name, g.created_ms, g.retention_days,"
                                      " (SELECT coalesce(sum(stored_bytes), 0) FROM logs_streams st"
                                      "  WHERE st.account = g.account AND st.grp = g.name)"
                                      " FROM logs_groups g WHERE g.account = ?1 AND g.name > ?2"
                                      " AND substr(g.name, 1, length(?3)) = ?3 AND instr(g.name, ?4) > 0 ORDER BY g.name");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, after, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, prefix, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, infix, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct logs_group_info g = {
            .name = (const char *)sqlite3_column_text(s, 0),
            .created_ms = sqlite3_column_int64(s, 1),
            .retention_days = sqlite3_column_type(s, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 2),
            .stored_bytes = sqlite3_column_int64(s, 3),
        };
        if (!g.name) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &g)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? LOGS_OK : LOGS_ERR_STORAGE;
}
