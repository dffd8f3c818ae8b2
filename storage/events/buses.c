/* storage/events buses: event buses and their permission policy, and the
 * tags of every EventBridge and Scheduler resource; see events_store.h. */
#include "storage/events/events_store.h"

#include <stdlib.h>
#include <string.h>

#include "storage/events/sql.h"

void events_bus_row_free(struct events_bus_row *b)
{
    free(b->name);
    free(b->description);
    free(b->kms_key);
    free(b->dlq_arn);
    free(b->policy);
    memset(b, 0, sizeof(*b));
}

#define BUS_COLUMNS "account, name, description, kms_key, dlq_arn, policy, created_ms, modified_ms"

static bool load_bus(sqlite3_stmt *s, struct events_bus_row *b)
{
    memset(b, 0, sizeof(*b));
    evsql_account(s, 0, b->account);
    b->created_ms = evsql_int(s, 6);
    b->modified_ms = evsql_int(s, 7);
    if (evsql_text(s, 1, &b->name) && evsql_text(s, 2, &b->description) && evsql_text(s, 3, &b->kms_key) &&
        evsql_text(s, 4, &b->dlq_arn) && evsql_text(s, 5, &b->policy))
        return true;
    events_bus_row_free(b);
    return false;
}

int events_store_bus_get(struct store_conn *c, const char *account, const char *name, struct events_bus_row *out)
{
    static const char sql[] = "SELECT " BUS_COLUMNS " FROM events_buses WHERE account = ?1 AND name = ?2";
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = evsql_bind(c, sql, "tt", account, name);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? (load_bus(s, out) ? 1 : -1) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

static bool load_bus_row(sqlite3_stmt *s, void *row) { return load_bus(s, row); }
static void free_bus_row(void *row) { events_bus_row_free(row); }

int events_store_bus_list(struct store_conn *c, const char *account, const char *prefix, const char *after,
                          size_t limit, struct events_bus_row **out, size_t *n)
{
    static const char sql[] = "SELECT " BUS_COLUMNS " FROM events_buses WHERE account = ?1 AND name > ?2"
                              " AND substr(name, 1, length(?3)) = ?3 ORDER BY name LIMIT ?4";
    return evsql_rows(evsql_bind(c, sql, "ttti", account, after, prefix, (int64_t)limit), (void **)out, n,
                      sizeof(**out), load_bus_row, free_bus_row);
}

int events_store_bus_insert(struct store_conn *w, const struct events_bus_row *b)
{
    static const char sql[] = "INSERT OR IGNORE INTO events_buses(" BUS_COLUMNS ")"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    return evsql_exec(w, evsql_bind(w, sql, "ttttttii", b->account, b->name, b->description, b->kms_key,
                                    b->dlq_arn, b->policy, b->created_ms, b->modified_ms));
}

int events_store_bus_update(struct store_conn *w, const struct events_bus_row *b)
{
    static const char sql[] = "UPDATE events_buses SET description = ?3, kms_key = ?4, dlq_arn = ?5,"
                              " modified_ms = ?6 WHERE account = ?1 AND name = ?2";
    return evsql_exec(w, evsql_bind(w, sql, "ttttti", b->account, b->name, b->description, b->kms_key,
                                    b->dlq_arn, b->modified_ms));
}

int events_store_bus_set_policy(struct store_conn *w, const char *account, const char *name, const char *policy,
                                int64_t now_ms)
{
    static const char sql[] =
        "INSERT INTO events_buses(account, name, policy, created_ms, modified_ms) VALUES (?1, ?2, ?3, ?4, ?4)"
        " ON CONFLICT(account, name) DO UPDATE SET policy = ?3, modified_ms = ?4";
    return evsql_exec(w, evsql_bind(w, sql, "ttti", account, name, policy, now_ms)) < 0 ? -1 : 0;
}

int events_store_bus_delete(struct store_conn *w, const char *account, const char *name, const char *bus_arn,
                            const char *rule_arn_prefix)
{
    static const char sql_tags[] = "DELETE FROM events_tags WHERE arn = ?1 OR substr(arn, 1, length(?2)) = ?2";
    static const char sql_targets[] = "DELETE FROM events_targets WHERE account = ?1 AND bus = ?2";
    static const char sql_rules[] = "DELETE FROM events_rules WHERE account = ?1 AND bus = ?2";
    static const char sql_bus[] = "DELETE FROM events_buses WHERE account = ?1 AND name = ?2";
    if (evsql_exec(w, evsql_bind(w, sql_tags, "tt", bus_arn, rule_arn_prefix)) < 0 ||
        evsql_exec(w, evsql_bind(w, sql_targets, "tt", account, name)) < 0 ||
        evsql_exec(w, evsql_bind(w, sql_rules, "tt", account, name)) < 0)
        return -1;
    return evsql_exec(w, evsql_bind(w, sql_bus, "tt", account, name));
}

/* ---- tags ---------------------------------------------------------------------- */

void events_tags_free(struct events_tag *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(t[i].key);
        free(t[i].value);
    }
    free(t);
}

static bool load_tag(sqlite3_stmt *s, void *row)
{
    struct events_tag *t = row;
    if (evsql_text(s, 0, &t->key) && evsql_text(s, 1, &t->value))
        return true;
    free(t->key);
    return false;
}

static void free_tag(void *row)
{
    struct events_tag *t = row;
    free(t->key);
    free(t->value);
}

int events_store_tags_get(struct store_conn *c, const char *arn, struct events_tag **out, size_t *n)
{
    static const char sql[] = "SELECT key, value FROM events_tags WHERE arn = ?1 ORDER BY key";
    return evsql_rows(evsql_bind(c, sql, "t", arn), (void **)out, n, sizeof(**out), load_tag, free_tag);
}

int events_store_tag_put(struct store_conn *w, const char *arn, const char *key, const char *value)
{
    static const char sql[] = "INSERT OR REPLACE INTO events_tags(arn, key, value) VALUES (?1, ?2, ?3)";
    return evsql_exec(w, evsql_bind(w, sql, "ttt", arn, key, value)) < 0 ? -1 : 0;
}

int events_store_tag_delete(struct store_conn *w, const char *arn, const char *key)
{
    static const char sql[] = "DELETE FROM events_tags WHERE arn = ?1 AND key = ?2";
    return evsql_exec(w, evsql_bind(w, sql, "tt", arn, key)) < 0 ? -1 : 0;
}
