/* storage/events schema: the tables of EventBridge and EventBridge
 * Scheduler (schema module "events", see db_migrate in storage/core/db.c)
 * and the statement helpers of sql.h.
 *
 * Buses, rules and targets are keyed by account and name; rules and
 * targets go with their bus, targets with their rule (the delete
 * functions remove them together). Tags are keyed by the resource's ARN.
 * A schedule keeps its settings as one JSON document (doc) beside the
 * columns the scheduler queries. events_deliveries is the outbox (see
 * events_store.h): AUTOINCREMENT so a delivered row's number is never
 * reused, since the deliverer reads past the last number it took. */
#include "storage/events/sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct schema_step steps[] = {
    {"buses-rules-targets-schedules-outbox",
        "CREATE TABLE events_buses("
        "  account TEXT NOT NULL, name TEXT NOT NULL,"
        "  description TEXT, kms_key TEXT, dlq_arn TEXT, policy TEXT,"
        "  created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,"
        "  PRIMARY KEY(account, name)) WITHOUT ROWID;"
        "CREATE TABLE events_rules("
        "  account TEXT NOT NULL, bus TEXT NOT NULL, name TEXT NOT NULL,"
        "  pattern TEXT, schedule TEXT, state TEXT NOT NULL, description TEXT, role_arn TEXT,"
        "  created_ms INTEGER NOT NULL, anchor_ms INTEGER NOT NULL, next_fire_ms INTEGER,"
        "  PRIMARY KEY(account, bus, name)) WITHOUT ROWID;"
        "CREATE TABLE events_targets("
        "  account TEXT NOT NULL, bus TEXT NOT NULL, rule TEXT NOT NULL, id TEXT NOT NULL,"
        "  arn TEXT NOT NULL, spec TEXT NOT NULL,"
        "  PRIMARY KEY(account, bus, rule, id)) WITHOUT ROWID;"
        "CREATE INDEX events_targets_by_arn ON events_targets(account, bus, arn, rule);"
        "CREATE TABLE events_tags("
        "  arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
        "  PRIMARY KEY(arn, key)) WITHOUT ROWID;"
        "CREATE TABLE scheduler_groups("
        "  account TEXT NOT NULL, name TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,"
        "  PRIMARY KEY(account, name)) WITHOUT ROWID;"
        "CREATE TABLE scheduler_schedules("
        "  account TEXT NOT NULL, grp TEXT NOT NULL, name TEXT NOT NULL,"
        "  doc TEXT NOT NULL, state TEXT NOT NULL,"
        "  anchor_ms INTEGER NOT NULL, next_fire_ms INTEGER,"
        "  created_ms INTEGER NOT NULL, modified_ms INTEGER NOT NULL,"
        "  PRIMARY KEY(account, grp, name)) WITHOUT ROWID;"
        "CREATE TABLE events_deliveries("
        "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  account TEXT NOT NULL, kind INTEGER NOT NULL, source TEXT NOT NULL,"
        "  target TEXT NOT NULL, event TEXT NOT NULL, created_ms INTEGER NOT NULL,"
        "  attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL);"
        "CREATE INDEX events_deliveries_retries ON events_deliveries(next_ms) WHERE attempts > 0;"},
};

const struct schema_module events_schema = {"events", steps, sizeof(steps) / sizeof(steps[0])};

sqlite3_stmt *evsql_bind(struct store_conn *c, const char *sql, const char *format, ...)
{
    sqlite3_stmt *s = db_stmt(c, sql);
    if (!s)
        return NULL;
    va_list ap;
    va_start(ap, format);
    bool ok = true;
    for (int i = 0; ok && format[i]; i++) {
        if (format[i] == 't')
            ok = db_bind_text(s, i + 1, va_arg(ap, const char *)) == 0;
        else
            ok = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t)) == SQLITE_OK;
    }
    va_end(ap);
    if (!ok) {
        sqlite3_reset(s);
        return NULL;
    }
    return s;
}

int evsql_exec(struct store_conn *c, sqlite3_stmt *s)
{
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? sqlite3_changes(c->db) : -1;
}

bool evsql_text(sqlite3_stmt *s, int col, char **out)
{
    return db_column_strdup(s, col, out) == 0;
}

int64_t evsql_int(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, col);
}

void evsql_account(sqlite3_stmt *s, int col, char out[13])
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(out, 13, "%s", t ? (const char *)t : "");
}

void *evsql_push(void **array, size_t *n, size_t *cap, size_t size)
{
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 16;
        void *p = realloc(*array, grown * size);
        if (!p)
            return NULL;
        *array = p;
        *cap = grown;
    }
    void *slot = (char *)*array + *n * size;
    memset(slot, 0, size);
    (*n)++;
    return slot;
}

int evsql_rows(sqlite3_stmt *s, void **out, size_t *n, size_t size, bool (*load)(sqlite3_stmt *s, void *row),
               void (*release)(void *row))
{
    *out = NULL;
    *n = 0;
    if (!s)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        void *row = evsql_push(out, n, &cap, size);
        if (!row || !load(s, row)) {
            if (row)
                (*n)--;
            rc = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return 0;
    for (size_t i = 0; i < *n; i++)
        release((char *)*out + i * size);
    free(*out);
    *out = NULL;
    *n = 0;
    return -1;
}
