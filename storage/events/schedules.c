/* storage/events schedules: EventBridge Scheduler's schedule groups and
 * schedules; see events_store.h. */
#include "storage/events/events_store.h"

#include <stdlib.h>
#include <string.h>

#include "storage/events/sql.h"

void scheduler_group_row_free(struct scheduler_group_row *g)
{
    free(g->name);
    memset(g, 0, sizeof(*g));
}

static bool load_group(sqlite3_stmt *s, void *row)
{
    struct scheduler_group_row *g = row;
    memset(g, 0, sizeof(*g));
    evsql_account(s, 0, g->account);
    g->created_ms = evsql_int(s, 2);
    g->modified_ms = evsql_int(s, 3);
    return evsql_text(s, 1, &g->name);
}

static void free_group(void *row) { scheduler_group_row_free(row); }

int scheduler_store_group_get(struct store_conn *c, const char *account, const char *name,
                              struct scheduler_group_row *out)
{
    static const char sql[] = "SELECT account, name, created_ms, modified_ms FROM scheduler_groups"
                              " WHERE account = ?1 AND name = ?2";
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = evsql_bind(c, sql, "tt", account, name);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? (load_group(s, out) ? 1 : -1) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

int scheduler_store_group_list(struct store_conn *c, const char *account, const char *prefix, const char *after,
                               size_t limit, struct scheduler_group_row **out, size_t *n)
{
    static const char sql[] = "SELECT account, name, created_ms, modified_ms FROM scheduler_groups"
                              " WHERE account = ?1 AND name > ?2 AND substr(name, 1, length(?3)) = ?3"
                              " ORDER BY name LIMIT ?4";
    return evsql_rows(evsql_bind(c, sql, "ttti", account, after, prefix, (int64_t)limit), (void **)out, n,
                      sizeof(**out), load_group, free_group);
}

int scheduler_store_group_insert(struct store_conn *w, const struct scheduler_group_row *g)
{
    static const char sql[] = "INSERT OR IGNORE INTO scheduler_groups(account, name, created_ms, modified_ms)"
                              " VALUES (?1, ?2, ?3, ?4)";
    return evsql_exec(w, evsql_bind(w, sql, "ttii", g->account, g->name, g->created_ms, g->modified_ms));
}

int scheduler_store_group_delete(struct store_conn *w, const char *account, const char *name,
                                 const char *group_arn)
{
    static const char sql_tags[] = "DELETE FROM events_tags WHERE arn = ?1";
    static const char sql_schedules[] = "DELETE FROM scheduler_schedules WHERE account = ?1 AND grp = ?2";
    static const char sql_group[] = "DELETE FROM scheduler_groups WHERE account = ?1 AND name = ?2";
    if (evsql_exec(w, evsql_bind(w, sql_tags, "t", group_arn)) < 0 ||
        evsql_exec(w, evsql_bind(w, sql_schedules, "tt", account, name)) < 0)
        return -1;
    return evsql_exec(w, evsql_bind(w, sql_group, "tt", account, name));
}

/* ---- schedules ------------------------------------------------------------------- */

void scheduler_schedule_row_free(struct scheduler_schedule_row *s)
{
    free(s->group);
    free(s->name);
    free(s->doc);
    free(s->state);
    memset(s, 0, sizeof(*s));
}

#define SCHEDULE_COLUMNS "account, grp, name, doc, state, anchor_ms, next_fire_ms, created_ms, modified_ms"

static bool load_schedule(sqlite3_stmt *s, void *row)
{
    struct scheduler_schedule_row *r = row;
    memset(r, 0, sizeof(*r));
    evsql_account(s, 0, r->account);
    r->anchor_ms = evsql_int(s, 5);
    r->next_fire_ms = evsql_int(s, 6);
    r->created_ms = evsql_int(s, 7);
    r->modified_ms = evsql_int(s, 8);
    if (evsql_text(s, 1, &r->group) && evsql_text(s, 2, &r->name) && evsql_text(s, 3, &r->doc) &&
        evsql_text(s, 4, &r->state))
        return true;
    scheduler_schedule_row_free(r);
    return false;
}

static void free_schedule(void *row) { scheduler_schedule_row_free(row); }

int scheduler_store_schedule_get(struct store_conn *c, const char *account, const char *group, const char *name,
                                 struct scheduler_schedule_row *out)
{
    static const char sql[] = "SELECT " SCHEDULE_COLUMNS " FROM scheduler_schedules"
                              " WHERE account = ?1 AND grp = ?2 AND name = ?3";
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = evsql_bind(c, sql, "ttt", account, group, name);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? (load_schedule(s, out) ? 1 : -1) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

int scheduler_store_schedule_list(struct store_conn *c, const char *account, const char *group, const char *prefix,
                                  const char *state, const char *after_group, const char *after_name, size_t limit,
                                  struct scheduler_schedule_row **out, size_t *n)
{
    static const char sql[] = "SELECT " SCHEDULE_COLUMNS " FROM scheduler_schedules"
                              " WHERE account = ?1 AND (?2 IS NULL OR grp = ?2) AND (?3 IS NULL OR state = ?3)"
                              " AND substr(name, 1, length(?4)) = ?4 AND (grp > ?5 OR (grp = ?5 AND name > ?6))"
                              " ORDER BY grp, name LIMIT ?7";
    return evsql_rows(evsql_bind(c, sql, "tttttti", account, group, state, prefix, after_group, after_name,
                                 (int64_t)limit),
                      (void **)out, n, sizeof(**out), load_schedule, free_schedule);
}

int scheduler_store_schedule_all(struct store_conn *c, struct scheduler_schedule_row **out, size_t *n)
{
    static const char sql[] = "SELECT " SCHEDULE_COLUMNS " FROM scheduler_schedules";
    return evsql_rows(evsql_bind(c, sql, ""), (void **)out, n, sizeof(**out), load_schedule, free_schedule);
}

static int write_schedule(struct store_conn *w, const char *sql, const struct scheduler_schedule_row *r)
{
    sqlite3_stmt *s = evsql_bind(w, sql, "tttttiiii", r->account, r->group, r->name, r->doc, r->state, r->anchor_ms,
                                 r->next_fire_ms, r->created_ms, r->modified_ms);
    if (s && r->next_fire_ms < 0 && sqlite3_bind_null(s, 7) != SQLITE_OK) {
        sqlite3_reset(s);
        return -1;
    }
    return evsql_exec(w, s);
}

int scheduler_store_schedule_insert(struct store_conn *w, const struct scheduler_schedule_row *s)
{
    static const char sql[] = "INSERT OR IGNORE INTO scheduler_schedules(" SCHEDULE_COLUMNS ")"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    return write_schedule(w, sql, s);
}

int scheduler_store_schedule_replace(struct store_conn *w, const struct scheduler_schedule_row *s)
{
    static const char sql[] = "UPDATE scheduler_schedules SET doc = ?4, state = ?5, anchor_ms = ?6,"
                              " next_fire_ms = ?7, created_ms = ?8, modified_ms = ?9"
                              " WHERE account = ?1 AND grp = ?2 AND name = ?3";
    return write_schedule(w, sql, s);
}

int scheduler_store_schedule_delete(struct store_conn *w, const char *account, const char *group, const char *name)
{
    static const char sql[] = "DELETE FROM scheduler_schedules WHERE account = ?1 AND grp = ?2 AND name = ?3";
    return evsql_exec(w, evsql_bind(w, sql, "ttt", account, group, name));
}

int scheduler_store_schedule_advance(struct store_conn *w, const char *account, const char *group,
                                     const char *name, int64_t expected, int64_t next)
{
    static const char sql[] = "UPDATE scheduler_schedules SET next_fire_ms = CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END"
                              " WHERE account = ?1 AND grp = ?2 AND name = ?3 AND next_fire_ms = ?4"
                              " AND state = 'ENABLED'";
    return evsql_exec(w, evsql_bind(w, sql, "tttii", account, group, name, expected, next));
}

int scheduler_store_schedule_count(struct store_conn *c, const char *account, const char *group)
{
    static const char sql[] = "SELECT count(*) FROM scheduler_schedules WHERE account = ?1 AND grp = ?2";
    sqlite3_stmt *s = evsql_bind(c, sql, "tt", account, group);
    if (!s)
        return -1;
    int count = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return count;
}
