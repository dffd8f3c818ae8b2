/* storage/events rules: rules and their targets; see events_store.h. */
#include "storage/events/events_store.h"

#include <stdlib.h>
#include <string.h>

#include "storage/events/sql.h"

void events_rule_row_free(struct events_rule_row *r)
{
    free(r->bus);
    free(r->name);
    free(r->pattern);
    free(r->schedule);
    free(r->state);
    free(r->description);
    free(r->role_arn);
    memset(r, 0, sizeof(*r));
}

#define RULE_COLUMNS \
    "account, bus, name, pattern, schedule, state, description, role_arn, created_ms, anchor_ms, next_fire_ms"

static bool load_rule(sqlite3_stmt *s, void *row)
{
    struct events_rule_row *r = row;
    memset(r, 0, sizeof(*r));
    evsql_account(s, 0, r->account);
    r->created_ms = evsql_int(s, 8);
    r->anchor_ms = evsql_int(s, 9);
    r->next_fire_ms = evsql_int(s, 10);
    if (evsql_text(s, 1, &r->bus) && evsql_text(s, 2, &r->name) && evsql_text(s, 3, &r->pattern) &&
        evsql_text(s, 4, &r->schedule) && evsql_text(s, 5, &r->state) && evsql_text(s, 6, &r->description) &&
        evsql_text(s, 7, &r->role_arn))
        return true;
    events_rule_row_free(r);
    return false;
}

static void free_rule(void *row) { events_rule_row_free(row); }

int events_store_rule_get(struct store_conn *c, const char *account, const char *bus, const char *name,
                          struct events_rule_row *out)
{
    static const char sql[] = "SELECT " RULE_COLUMNS " FROM events_rules"
                              " WHERE account = ?1 AND bus = ?2 AND name = ?3";
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = evsql_bind(c, sql, "ttt", account, bus, name);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? (load_rule(s, out) ? 1 : -1) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

int events_store_rule_list(struct store_conn *c, const char *account, const char *bus, const char *prefix,
                           const char *after, size_t limit, struct events_rule_row **out, size_t *n)
{
    static const char sql[] = "SELECT " RULE_COLUMNS " FROM events_rules WHERE account = ?1 AND bus = ?2"
                              " AND name > ?3 AND substr(name, 1, length(?4)) = ?4 ORDER BY name LIMIT ?5";
    return evsql_rows(evsql_bind(c, sql, "tttti", account, bus, after, prefix, (int64_t)limit), (void **)out, n,
                      sizeof(**out), load_rule, free_rule);
}

int events_store_rule_all(struct store_conn *c, struct events_rule_row **out, size_t *n)
{
    static const char sql[] = "SELECT " RULE_COLUMNS " FROM events_rules";
    return evsql_rows(evsql_bind(c, sql, ""), (void **)out, n, sizeof(**out), load_rule, free_rule);
}

int events_store_rule_put(struct store_conn *w, const struct events_rule_row *r)
{
    static const char sql[] = "INSERT OR REPLACE INTO events_rules(" RULE_COLUMNS ")"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    sqlite3_stmt *s = evsql_bind(w, sql, "ttttttttii", r->account, r->bus, r->name, r->pattern, r->schedule,
                                 r->state, r->description, r->role_arn, r->created_ms, r->anchor_ms);
    if (s && (r->next_fire_ms < 0 ? sqlite3_bind_null(s, 11) : sqlite3_bind_int64(s, 11, r->next_fire_ms)) !=
                 SQLITE_OK) {
        sqlite3_reset(s);
        return -1;
    }
    return evsql_exec(w, s) < 0 ? -1 : 0;
}

/* A next_fire_ms of -1 is stored as NULL. */
int events_store_rule_set_state(struct store_conn *w, const char *account, const char *bus, const char *name,
                                const char *state, int64_t next_fire_ms)
{
    static const char sql[] = "UPDATE events_rules SET state = ?4,"
                              " next_fire_ms = CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END"
                              " WHERE account = ?1 AND bus = ?2 AND name = ?3";
    return evsql_exec(w, evsql_bind(w, sql, "tttti", account, bus, name, state, next_fire_ms));
}

int events_store_rule_advance(struct store_conn *w, const char *account, const char *bus, const char *name,
                              int64_t expected, int64_t next)
{
    static const char sql[] = "UPDATE events_rules SET next_fire_ms = CASE WHEN ?5 < 0 THEN NULL ELSE ?5 END"
                              " WHERE account = ?1 AND bus = ?2 AND name = ?3 AND next_fire_ms = ?4"
                              " AND state <> 'DISABLED'";
    return evsql_exec(w, evsql_bind(w, sql, "tttii", account, bus, name, expected, next));
}

int events_store_rule_delete(struct store_conn *w, const char *account, const char *bus, const char *name,
                             const char *rule_arn)
{
    static const char sql_tags[] = "DELETE FROM events_tags WHERE arn = ?1";
    static const char sql_targets[] = "DELETE FROM events_targets WHERE account = ?1 AND bus = ?2 AND rule = ?3";
    static const char sql_rule[] = "DELETE FROM events_rules WHERE account = ?1 AND bus = ?2 AND name = ?3";
    if (evsql_exec(w, evsql_bind(w, sql_tags, "t", rule_arn)) < 0 ||
        evsql_exec(w, evsql_bind(w, sql_targets, "ttt", account, bus, name)) < 0)
        return -1;
    return evsql_exec(w, evsql_bind(w, sql_rule, "ttt", account, bus, name));
}

int events_store_rule_count(struct store_conn *c, const char *account, const char *bus)
{
    static const char sql[] = "SELECT count(*) FROM events_rules WHERE account = ?1 AND bus = ?2";
    sqlite3_stmt *s = evsql_bind(c, sql, "tt", account, bus);
    if (!s)
        return -1;
    int count = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return count;
}

/* ---- targets --------------------------------------------------------------------- */

void events_target_rows_free(struct events_target_row *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].id);
        free(t[i].arn);
        free(t[i].spec);
    }
    free(t);
}

static bool load_target(sqlite3_stmt *s, void *row)
{
    struct events_target_row *t = row;
    if (evsql_text(s, 0, &t->id) && evsql_text(s, 1, &t->arn) && evsql_text(s, 2, &t->spec))
        return true;
    free(t->id);
    free(t->arn);
    return false;
}

static void free_target(void *row)
{
    struct events_target_row *t = row;
    free(t->id);
    free(t->arn);
    free(t->spec);
}

int events_store_targets_get(struct store_conn *c, const char *account, const char *bus, const char *rule,
                             struct events_target_row **out, size_t *n)
{
    static const char sql[] = "SELECT id, arn, spec FROM events_targets"
                              " WHERE account = ?1 AND bus = ?2 AND rule = ?3 ORDER BY id";
    return evsql_rows(evsql_bind(c, sql, "ttt", account, bus, rule), (void **)out, n, sizeof(**out), load_target,
                      free_target);
}

int events_store_target_put(struct store_conn *w, const char *account, const char *bus, const char *rule,
                            const struct events_target_row *t)
{
    static const char sql[] = "INSERT OR REPLACE INTO events_targets(account, bus, rule, id, arn, spec)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    return evsql_exec(w, evsql_bind(w, sql, "tttttt", account, bus, rule, t->id, t->arn, t->spec)) < 0 ? -1 : 0;
}

int events_store_target_delete(struct store_conn *w, const char *account, const char *bus, const char *rule,
                               const char *id)
{
    static const char sql[] = "DELETE FROM events_targets WHERE account = ?1 AND bus = ?2 AND rule = ?3 AND id = ?4";
    return evsql_exec(w, evsql_bind(w, sql, "tttt", account, bus, rule, id));
}

void events_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static bool load_name(sqlite3_stmt *s, void *row) { return evsql_text(s, 0, row); }
static void free_name(void *row) { free(*(char **)row); }

int events_store_rules_by_target(struct store_conn *c, const char *account, const char *bus, const char *arn,
                                 const char *after, size_t limit, char ***names, size_t *n)
{
    static const char sql[] = "SELECT DISTINCT rule FROM events_targets"
                              " WHERE account = ?1 AND bus = ?2 AND arn = ?3 AND rule > ?4 ORDER BY rule LIMIT ?5";
    return evsql_rows(evsql_bind(c, sql, "tttti", account, bus, arn, after, (int64_t)limit), (void **)names, n,
                      sizeof(**names), load_name, free_name);
}
