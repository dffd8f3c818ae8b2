/* tags: a log group's tags, kept as one JSON object in its logs_groups
 * row: read whole, changed by the caller, written back whole. */
#include "storage/logs/logs_internal.h"

#include <stdlib.h>
#include <string.h>

enum logs_err logs_get_group_tags(struct store_conn *reader, const char *account, const char *group, char **json)
{
    *json = NULL;
    sqlite3_stmt *s = db_stmt(reader, "SELECT tags FROM logs_groups WHERE account = ?1 AND name = ?2");
    if (!s)
        return LOGS_ERR_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    enum logs_err err = rc == SQLITE_DONE ? LOGS_ERR_NO_GROUP : rc == SQLITE_ROW ? LOGS_OK : LOGS_ERR_STORAGE;
    if (err == LOGS_OK && db_column_strdup(s, 0, json) < 0)
        err = LOGS_ERR_NOMEM;
    if (err == LOGS_OK && !*json && !(*json = strdup("{}")))
        err = LOGS_ERR_NOMEM;
    sqlite3_reset(s);
    return err;
}

enum logs_err logs_set_group_tags(struct store_conn *writer, const char *account, const char *group,
                                  const char *tags_json)
{
    int rc = logs_exec(writer, "UPDATE logs_groups SET tags = ?3 WHERE account = ?1 AND name = ?2", account, group,
                       tags_json, 0);
    return rc < 0 ? LOGS_ERR_STORAGE : rc == 0 ? LOGS_ERR_NO_GROUP : LOGS_OK;
}
