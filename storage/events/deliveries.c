/* storage/events deliveries: the outbox of events on their way to
 * targets, and their attempts; see events_store.h. */
#include "storage/events/events_store.h"

#include <stdlib.h>
#include <string.h>

#include "storage/events/sql.h"

#define DELIVERY_COLUMNS "seq, account, kind, source, target, event, created_ms, attempts, next_ms"

void events_delivery_rows_free(struct events_delivery_row *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(d[i].source);
        free(d[i].target);
        free(d[i].event);
    }
    free(d);
}

static void free_delivery(void *row)
{
    struct events_delivery_row *d = row;
    free(d->source);
    free(d->target);
    free(d->event);
}

static bool load_delivery(sqlite3_stmt *s, void *row)
{
    struct events_delivery_row *d = row;
    d->seq = sqlite3_column_int64(s, 0);
    evsql_account(s, 1, d->account);
    d->kind = sqlite3_column_int(s, 2) == EVENTS_DELIVERY_SCHEDULE ? EVENTS_DELIVERY_SCHEDULE : EVENTS_DELIVERY_RULE;
    d->created_ms = sqlite3_column_int64(s, 6);
    d->attempts = sqlite3_column_int(s, 7);
    d->next_ms = sqlite3_column_int64(s, 8);
    if (evsql_text(s, 3, &d->source) && evsql_text(s, 4, &d->target) && evsql_text(s, 5, &d->event))
        return true;
    free_delivery(d);
    return false;
}

int events_store_delivery_insert(struct store_conn *w, const struct events_delivery_row *d)
{
    static const char sql[] = "INSERT INTO events_deliveries(account, kind, source, target, event, created_ms,"
                              " attempts, next_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?6)";
    return evsql_exec(w, evsql_bind(w, sql, "tittti", d->account, (int64_t)d->kind, d->source, d->target,
                                    d->event, d->created_ms)) < 0 ? -1 : 0;
}

int events_store_delivery_insert_rule_targets(struct store_conn *w, const char *account, const char *bus,
                                              const char *rule, const char *rule_arn, const char *event,
                                              int64_t created_ms)
{
    static const char sql[] = "INSERT INTO events_deliveries(account, kind, source, target, event, created_ms,"
                              " attempts, next_ms)"
                              " SELECT ?1, 0, ?4, spec, ?5, ?6, 0, ?6 FROM events_targets"
                              " WHERE account = ?1 AND bus = ?2 AND rule = ?3 ORDER BY id";
    return evsql_exec(w, evsql_bind(w, sql, "ttttti", account, bus, rule, rule_arn, event, created_ms));
}

int events_store_deliveries_fresh(struct store_conn *c, int64_t after, size_t limit,
                                  struct events_delivery_row **out, size_t *n)
{
    static const char sql[] = "SELECT " DELIVERY_COLUMNS " FROM events_deliveries"
                              " WHERE seq > ?1 AND attempts = 0 ORDER BY seq LIMIT ?2";
    return evsql_rows(evsql_bind(c, sql, "ii", after, (int64_t)limit), (void **)out, n, sizeof(**out),
                      load_delivery, free_delivery);
}

int events_store_deliveries_due(struct store_conn *c, int64_t now_ms, size_t limit,
                                struct events_delivery_row **out, size_t *n)
{
    static const char sql[] = "SELECT " DELIVERY_COLUMNS " FROM events_deliveries"
                              " WHERE attempts > 0 AND next_ms <= ?1 ORDER BY next_ms LIMIT ?2";
    return evsql_rows(evsql_bind(c, sql, "ii", now_ms, (int64_t)limit), (void **)out, n, sizeof(**out),
                      load_delivery, free_delivery);
}

int events_store_deliveries_next_retry(struct store_conn *c, int64_t after_ms, int64_t *next_ms)
{
    static const char sql[] = "SELECT min(next_ms) FROM events_deliveries WHERE attempts > 0 AND next_ms > ?1";
    *next_ms = -1;
    sqlite3_stmt *s = evsql_bind(c, sql, "i", after_ms);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *next_ms = evsql_int(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int events_store_delivery_delete(struct store_conn *w, int64_t seq)
{
    static const char sql[] = "DELETE FROM events_deliveries WHERE seq = ?1";
    return evsql_exec(w, evsql_bind(w, sql, "i", seq)) < 0 ? -1 : 0;
}

int events_store_delivery_retry(struct store_conn *w, int64_t seq, int attempts, int64_t next_ms)
{
    static const char sql[] = "UPDATE events_deliveries SET attempts = ?2, next_ms = ?3 WHERE seq = ?1";
    return evsql_exec(w, evsql_bind(w, sql, "iii", seq, (int64_t)attempts, next_ms)) < 0 ? -1 : 0;
}
