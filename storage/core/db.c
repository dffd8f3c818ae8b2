/* db: SQLite connections for the store, their prepared-statement caches and
 * the schema migrations.
 *
 * The writer connection (commit thread) runs WAL with synchronous=FULL and
 * foreign keys on; the reader connection (loop thread) opens the same file
 * read-only. Statements are cached per connection, keyed by the address of
 * their SQL string literal, so each is prepared once.
 *
 * The schema is versioned per module (see db_migrate below). */
#include "storage/core/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int exec_reporting(struct store_conn *c, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return -1;
}

int db_exec_text(struct store_conn *c, const char *sql, int n, const char *const texts[])
{
    sqlite3_stmt *s = db_stmt(c, sql);
    bool ok = s != NULL;
    for (int i = 0; ok && i < n; i++)
        ok = db_bind_text(s, i + 1, texts[i]) == 0;
    ok = ok && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? sqlite3_changes(c->db) : -1;
}

int db_conn_open(struct store_conn *c, const char *path, bool writer, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    int flags = SQLITE_OPEN_NOMUTEX |
                (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        db_conn_close(c);
        return -1;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if (sqlite3_busy_timeout(c->db, 5000) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite busy_timeout: %s", sqlite3_errmsg(c->db));
        db_conn_close(c);
        return -1;
    }
    /* Room for the hot pages of the indexes every read and write walks;
     * SQLite's default 2 MiB turns most of them into a pread. 16 MiB per
     * connection keeps the whole process under 64 MiB however it is used.
     * Statement journals (a multi-row INSERT ... SELECT inside a savepoint
     * needs one) and sorts stay in memory: on disk each was a file created,
     * written and unlinked in /var/tmp per statement. */
    if (exec_reporting(c, "PRAGMA cache_size=-16384", err, errlen) != 0 ||
        exec_reporting(c, "PRAGMA temp_store=MEMORY", err, errlen) != 0) {
        db_conn_close(c);
        return -1;
    }
    if (writer &&
        (exec_reporting(c, "PRAGMA journal_mode=WAL", err, errlen) != 0 ||
         exec_reporting(c, "PRAGMA synchronous=FULL", err, errlen) != 0 ||
         exec_reporting(c, "PRAGMA foreign_keys=ON", err, errlen) != 0 ||
         /* Checkpoint at 64 MiB of WAL rather than 4: the pages every commit
          * rewrites (index roots, the last leaf of blob_data) are then
          * copied back once per 16,384 pages instead of once per 1,000,
          * which measured 3,500 -> 5,700 durable 4 KiB PUTs/s. The
          * checkpoint still runs inside a commit, so the log is rewound.
          * (A checkpoint thread beside the commit thread measured no
          * faster here and doubled p99: its fsyncs queue with the WAL's.) */
         exec_reporting(c, "PRAGMA wal_autocheckpoint=16384", err, errlen) != 0)) {
        db_conn_close(c);
        return -1;
    }
    return 0;
}

void db_conn_close(struct store_conn *c)
{
    for (size_t i = 0; i < c->n_cache; i++)
        sqlite3_finalize(c->cache[i].stmt);
    free(c->cache);
    if (c->db) {
        /* Any statement a load left unfinalized ends with the connection,
         * so close cannot fail as busy. */
        sqlite3_stmt *s;
        while ((s = sqlite3_next_stmt(c->db, NULL)))
            sqlite3_finalize(s);
        sqlite3_close(c->db);
    }
    memset(c, 0, sizeof(*c));
}

sqlite3_stmt *db_stmt(struct store_conn *c, const char *sql)
{
    for (size_t i = 0; i < c->n_cache; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].stmt);
            sqlite3_clear_bindings(c->cache[i].stmt);
            return c->cache[i].stmt;
        }
    }
    if (c->n_cache == c->cap_cache) {
        size_t cap = c->cap_cache ? c->cap_cache * 2 : 32;
        struct db_cached_stmt *grown = realloc(c->cache, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        c->cache = grown;
        c->cap_cache = cap;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return NULL;
    c->cache[c->n_cache].sql = sql;
    c->cache[c->n_cache].stmt = s;
    c->n_cache++;
    return s;
}

int db_exec(struct store_conn *c, const char *sql)
{
    sqlite3_stmt *s = db_stmt(c, sql);
    int rc = s ? sqlite3_step(s) : SQLITE_ERROR;
    if (s)
        sqlite3_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static const char sql_begin[] = "BEGIN";
static const char sql_commit[] = "COMMIT";

int db_read_begin(struct store_conn *c)
{
    if (c->read_depth > 0 || db_exec(c, sql_begin) == 0) {
        if (c->read_depth++ == 0)
            c->read_snapshots++;
        return 0;
    }
    return -1;
}

int db_read_end(struct store_conn *c)
{
    if (c->read_depth == 0 || --c->read_depth > 0)
        return 0;
    return db_exec(c, sql_commit);
}

int db_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    int rc = text ? sqlite3_bind_text(s, idx, text, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(s, idx);
    return rc == SQLITE_OK ? 0 : -1;
}

int db_column_strdup(sqlite3_stmt *s, int col, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return 0;
    const unsigned char *text = sqlite3_column_text(s, col);
    if (!text)
        return -1;
    *out = strdup((const char *)text);
    return *out ? 0 : -1;
}

/* ---- migrations ---------------------------------------------------------
 * Each module that keeps tables here (S3, SQS, ...) lists its schema steps
 * in order in its own file; schema_migrations records how many steps of each
 * module a database has, so modules evolve independently and a new step is
 * one more array entry where the module lives. All pending steps of all
 * modules run in one transaction at start-up. */

static const struct schema_module *const modules[] = {
    &s3_schema,
    &sqs_schema,
    &s3_config_schema,
    &lambda_schema,
    &logs_schema,
    &s3_notify_schema,
    &lambda_esm_schema,
    &iam_schema,
    &ddb_schema,
    &events_schema,
};

static int applied_steps(struct store_conn *c, const char *module, size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT count(*) FROM schema_migrations WHERE module = ?1", -1, &s,
                           NULL) != SQLITE_OK ||
        sqlite3_bind_text(s, 1, module, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        snprintf(err, errlen, "sqlite: cannot read schema_migrations: %s", sqlite3_errmsg(c->db));
        sqlite3_finalize(s);
        return -1;
    }
    *n = (size_t)sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return 0;
}

static int record_step(struct store_conn *c, const char *module, size_t step, const char *name,
                       char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(c->db,
                                "INSERT INTO schema_migrations(module, step, name, applied_ms)"
                                " VALUES (?1, ?2, ?3, ?4)", -1, &s, NULL) == SQLITE_OK &&
             sqlite3_bind_text(s, 1, module, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_int64(s, 2, (sqlite3_int64)step) == SQLITE_OK &&
             sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC) == SQLITE_OK &&
             sqlite3_bind_int64(s, 4, clock_now_ms()) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
    if (!ok)
        snprintf(err, errlen, "sqlite: cannot record migration %s/%s: %s", module, name,
                 sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    return ok ? 0 : -1;
}

int db_migrate(struct store_conn *c, char *err, size_t errlen)
{
    if (exec_reporting(c, "BEGIN IMMEDIATE", err, errlen) != 0)
        return -1;
    if (exec_reporting(c,
                       "CREATE TABLE IF NOT EXISTS schema_migrations("
                       "  module TEXT NOT NULL, step INTEGER NOT NULL, name TEXT NOT NULL,"
                       "  applied_ms INTEGER NOT NULL, PRIMARY KEY(module, step)) WITHOUT ROWID",
                       err, errlen) != 0)
        goto fail;
    for (size_t m = 0; m < sizeof(modules) / sizeof(modules[0]); m++) {
        const struct schema_module *mod = modules[m];
        size_t done = 0;
        if (applied_steps(c, mod->module, &done, err, errlen) != 0)
            goto fail;
        if (done > mod->n_steps) {
            snprintf(err, errlen, "meta.db has %zu %s schema steps, newer than this program's %zu",
                     done, mod->module, mod->n_steps);
            goto fail;
        }
        for (size_t i = done; i < mod->n_steps; i++) {
            if (exec_reporting(c, mod->steps[i].sql, err, errlen) != 0 ||
                record_step(c, mod->module, i, mod->steps[i].name, err, errlen) != 0)
                goto fail;
        }
    }
    if (exec_reporting(c, "COMMIT", err, errlen) != 0)
        goto fail;
    return 0;
fail:
    db_exec(c, "ROLLBACK");
    return -1;
}
