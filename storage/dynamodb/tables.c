/* tables: DynamoDB table definitions in ddb_tables — load, create,
 * update (with the storage work a change brings), delete, list — and the
 * work that follows changes in steps: purging a deleted table's or
 * index's rows, filling a new index (or the TTL expiries) from the items.
 * Statistics (item count, bytes) are kept per table and index in
 * ddb_stats as writes add to them. */
#include "storage/dynamodb/ddb_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"
#include "protocol/dynamodb/value_json.h"

static enum ddb_store_err step_done(int rc)
{
    return rc == SQLITE_DONE ? DDB_STORE_OK : rc == SQLITE_NOMEM ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
}

static void visit_row(sqlite3_stmt *s, void (*visit)(void *arg, const struct ddb_table_row *row), void *arg)
{
    struct ddb_table_row row = {
        .id = sqlite3_column_int64(s, 0),
        .version = sqlite3_column_int64(s, 1),
        .definition = (const char *)sqlite3_column_text(s, 2),
        .len = (size_t)sqlite3_column_bytes(s, 2),
    };
    visit(arg, &row);
}

enum ddb_store_err ddb_table_load(struct store_conn *conn, const char *account, const char *region, const char *name,
                                  void (*visit)(void *arg, const struct ddb_table_row *row), void *arg)
{
    sqlite3_stmt *s = db_stmt(conn, "SELECT id, version, definition FROM ddb_tables"
                                    " WHERE account = ?1 AND region = ?2 AND name = ?3");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        visit_row(s, visit, arg);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? DDB_STORE_OK : rc == SQLITE_DONE ? DDB_STORE_NOT_FOUND : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_table_load_id(struct store_conn *conn, int64_t id,
                                     void (*visit)(void *arg, const struct ddb_table_row *row), void *arg)
{
    sqlite3_stmt *s = db_stmt(conn, "SELECT id, version, definition FROM ddb_tables WHERE id = ?1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        visit_row(s, visit, arg);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? DDB_STORE_OK : rc == SQLITE_DONE ? DDB_STORE_NOT_FOUND : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_table_version(struct store_conn *conn, int64_t table_id, int64_t *version)
{
    sqlite3_stmt *s = db_stmt(conn, "SELECT version FROM ddb_tables WHERE id = ?1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? DDB_STORE_OK : rc == SQLITE_DONE ? DDB_STORE_NOT_FOUND : DDB_STORE_STORAGE;
}

static const char *table_name_of(const char *definition, size_t len, struct arena *a)
{
    struct ddb_table t;
    struct ddb_error err;
    if (!ddb_table_from_json(a, definition, len, &t, &err))
        return NULL;
    return t.name.s;
}

enum ddb_store_err ddb_table_create(struct store_conn *writer, const char *account, const char *region,
                                    const char *name, const char *definition, const char *stream_view_type,
                                    const char *stream_label, int64_t now_ms, int64_t *id)
{
    sqlite3_stmt *s = db_stmt(writer, "INSERT OR IGNORE INTO ddb_tables(account, region, name, version, definition)"
                                      " VALUES (?1, ?2, ?3, 1, ?4)");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, definition, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_done(rc);
    if (sqlite3_changes(writer->db) == 0)
        return DDB_STORE_EXISTS;
    *id = sqlite3_last_insert_rowid(writer->db);
    if (stream_view_type)
        return ddb_stream_begin(writer, *id, account, region, name, stream_label, stream_view_type, now_ms);
    return DDB_STORE_OK;
}

static enum ddb_store_err exec_ids(struct store_conn *writer, const char *sql, int64_t a, int64_t b)
{
    sqlite3_stmt *s = db_stmt(writer, sql);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return step_done(rc);
}

/* Whether a missed update found a changed table or none. */
static enum ddb_store_err stale_or_gone(struct store_conn *writer, int64_t id)
{
    int64_t version;
    enum ddb_store_err e = ddb_table_version(writer, id, &version);
    return e == DDB_STORE_OK ? DDB_STORE_STALE : e;
}

enum ddb_store_err ddb_table_update(struct store_conn *writer, int64_t id, int64_t version, const char *definition,
                                    const struct ddb_table_storage_change *change, int64_t now_ms,
                                    int64_t *new_version)
{
    sqlite3_stmt *s = db_stmt(writer, "UPDATE ddb_tables SET definition = ?3, version = version + 1"
                                      " WHERE id = ?1 AND version = ?2");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, version);
    sqlite3_bind_text(s, 3, definition, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_done(rc);
    if (sqlite3_changes(writer->db) == 0)
        return stale_or_gone(writer, id);
    *new_version = version + 1;
    enum ddb_store_err e = DDB_STORE_OK;
    if (change->dropped_number) {
        e = exec_ids(writer, "INSERT OR IGNORE INTO ddb_purges(tbl, ino) VALUES (?1, ?2)", id, change->dropped_number);
        if (e == DDB_STORE_OK)
            e = exec_ids(writer, "DELETE FROM ddb_stats WHERE tbl = ?1 AND ino = ?2", id, change->dropped_number);
        if (e == DDB_STORE_OK)
            e = exec_ids(writer, "DELETE FROM ddb_backfills WHERE tbl = ?1 AND ino = ?2", id, change->dropped_number);
    }
    if (e == DDB_STORE_OK && change->backfill_number)
        e = exec_ids(writer, "INSERT OR IGNORE INTO ddb_backfills(tbl, ino) VALUES (?1, ?2)", id,
                     change->backfill_number);
    if (e == DDB_STORE_OK && change->ttl_changed)
        e = exec_ids(writer, "INSERT OR IGNORE INTO ddb_backfills(tbl, ino) VALUES (?1, ?2)", id, 0);
    if (e == DDB_STORE_OK && (change->stream_disabled || change->stream_view_type))
        e = ddb_stream_disable(writer, id, now_ms);
    if (e == DDB_STORE_OK && change->stream_view_type) {
        sqlite3_stmt *q = db_stmt(writer, "SELECT account, region, definition FROM ddb_tables WHERE id = ?1");
        if (!q)
            return DDB_STORE_STORAGE;
        sqlite3_bind_int64(q, 1, id);
        rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            struct arena a;
            arena_init(&a, 0);
            const char *name = table_name_of((const char *)sqlite3_column_text(q, 2),
                                             (size_t)sqlite3_column_bytes(q, 2), &a);
            char account[64], region[64];
            snprintf(account, sizeof(account), "%s", (const char *)sqlite3_column_text(q, 0));
            snprintf(region, sizeof(region), "%s", (const char *)sqlite3_column_text(q, 1));
            sqlite3_reset(q);
            e = name ? ddb_stream_begin(writer, id, account, region, name, change->stream_label,
                                        change->stream_view_type, now_ms)
                     : DDB_STORE_STORAGE;
            arena_free(&a);
        } else {
            sqlite3_reset(q);
            e = step_done(rc == SQLITE_DONE ? SQLITE_ERROR : rc);
        }
    }
    return e;
}

enum ddb_store_err ddb_table_delete(struct store_conn *writer, int64_t id, int64_t version, int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(writer, "DELETE FROM ddb_tables WHERE id = ?1 AND version = ?2");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, version);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_done(rc);
    if (sqlite3_changes(writer->db) == 0)
        return stale_or_gone(writer, id);
    enum ddb_store_err e = exec_ids(writer, "INSERT OR IGNORE INTO ddb_purges(tbl, ino) VALUES (?1, 0)", id, 0);
    if (e == DDB_STORE_OK)
        e = exec_ids(writer, "DELETE FROM ddb_stats WHERE tbl = ?1", id, 0);
    if (e == DDB_STORE_OK)
        e = exec_ids(writer, "DELETE FROM ddb_backfills WHERE tbl = ?1", id, 0);
    if (e == DDB_STORE_OK)
        e = ddb_stream_disable(writer, id, now_ms);
    return e;
}

enum ddb_store_err ddb_table_list(struct store_conn *reader, const char *account, const char *region,
                                  const char *after, int64_t limit,
                                  bool (*visit)(void *arg, const char *name), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT name FROM ddb_tables WHERE account = ?1 AND region = ?2 AND name > ?3"
                                      " ORDER BY name LIMIT ?4");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, after, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, limit);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (!name) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, name)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return step_done(rc);
}

enum ddb_store_err ddb_table_all(struct store_conn *reader,
                                 bool (*visit)(void *arg, const char *account, const char *region,
                                               const struct ddb_table_row *row),
                                 void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT id, version, definition, account, region FROM ddb_tables ORDER BY id");
    if (!s)
        return DDB_STORE_STORAGE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct ddb_table_row row = {
            .id = sqlite3_column_int64(s, 0),
            .version = sqlite3_column_int64(s, 1),
            .definition = (const char *)sqlite3_column_text(s, 2),
            .len = (size_t)sqlite3_column_bytes(s, 2),
        };
        const char *account = (const char *)sqlite3_column_text(s, 3);
        const char *region = (const char *)sqlite3_column_text(s, 4);
        if (!row.definition || !account || !region) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, account, region, &row)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return step_done(rc);
}

enum ddb_store_err ddb_table_stats(struct store_conn *reader, int64_t id, int number, int64_t *items, int64_t *bytes)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT items, bytes FROM ddb_stats WHERE tbl = ?1 AND ino = ?2");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, number);
    int rc = sqlite3_step(s);
    *items = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    *bytes = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_stats_add(struct store_conn *writer, int64_t table_id, int number, int64_t items,
                                 int64_t bytes)
{
    if (items == 0 && bytes == 0)
        return DDB_STORE_OK;
    sqlite3_stmt *s = db_stmt(writer, "INSERT INTO ddb_stats(tbl, ino, items, bytes) VALUES (?1, ?2, ?3, ?4)"
                                      " ON CONFLICT(tbl, ino) DO UPDATE SET items = items + ?3, bytes = bytes + ?4");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, number);
    sqlite3_bind_int64(s, 3, items);
    sqlite3_bind_int64(s, 4, bytes);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return step_done(rc);
}

/* ---- purges ------------------------------------------------------------------- */

static enum ddb_store_err delete_some(struct store_conn *writer, const char *sql, int64_t tbl, int64_t ino,
                                      int64_t limit, int *deleted)
{
    sqlite3_stmt *s = db_stmt(writer, sql);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, tbl);
    sqlite3_bind_int64(s, 2, ino);
    sqlite3_bind_int64(s, 3, limit);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    *deleted = rc == SQLITE_DONE ? sqlite3_changes(writer->db) : 0;
    return step_done(rc);
}

enum ddb_store_err ddb_purge_step(struct store_conn *writer, int64_t limit, bool *more)
{
    *more = false;
    sqlite3_stmt *s = db_stmt(writer, "SELECT tbl, ino FROM ddb_purges LIMIT 1");
    if (!s)
        return DDB_STORE_STORAGE;
    int rc = sqlite3_step(s);
    int64_t tbl = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    int64_t ino = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
    sqlite3_reset(s);
    if (rc == SQLITE_DONE)
        return DDB_STORE_OK;
    if (rc != SQLITE_ROW)
        return DDB_STORE_STORAGE;
    int items = 0, entries = 0;
    enum ddb_store_err e = DDB_STORE_OK;
    if (ino == 0)
        e = delete_some(writer, "DELETE FROM ddb_items WHERE id IN"
                                " (SELECT id FROM ddb_items WHERE tbl = ?1 AND ?2 = 0 LIMIT ?3)",
                        tbl, ino, limit, &items);
    if (e == DDB_STORE_OK)
        e = ino == 0 ? delete_some(writer, "DELETE FROM ddb_index_items WHERE id IN"
                                           " (SELECT id FROM ddb_index_items WHERE tbl = ?1 AND ?2 = 0 LIMIT ?3)",
                                   tbl, ino, limit, &entries)
                     : delete_some(writer, "DELETE FROM ddb_index_items WHERE id IN"
                                           " (SELECT id FROM ddb_index_items WHERE tbl = ?1 AND ino = ?2 LIMIT ?3)",
                                   tbl, ino, limit, &entries);
    if (e != DDB_STORE_OK)
        return e;
    if (items == 0 && entries == 0)
        e = exec_ids(writer, "DELETE FROM ddb_purges WHERE tbl = ?1 AND ino = ?2", tbl, ino);
    *more = true;
    return e;
}

/* ---- backfills ------------------------------------------------------------------- */

void ddb_backfill_cursor_free(struct ddb_backfill_cursor *cursor)
{
    free(cursor->hk);
    free(cursor->rk);
    memset(cursor, 0, sizeof(*cursor));
}

static bool cursor_set(struct ddb_backfill_cursor *c, int64_t hash, const void *hk, size_t hk_len, const void *rk,
                       size_t rk_len)
{
    uint8_t *h = malloc(hk_len + 1), *r = malloc(rk_len + 1);
    if (!h || !r) {
        free(h);
        free(r);
        return false;
    }
    if (hk_len)
        memcpy(h, hk, hk_len);
    if (rk_len)                    /* a table without a sort key has none */
        memcpy(r, rk, rk_len);
    free(c->hk);
    free(c->rk);
    c->hk = h;
    c->rk = r;
    c->hk_len = hk_len;
    c->rk_len = rk_len;
    c->hash = hash;
    c->started = true;
    return true;
}

/* Loads the definition of table id into t (an arena of the caller's). */
struct loaded {
    struct arena *arena;
    struct ddb_table *table;
    int64_t version;
    bool ok;
};

static void load_visit(void *arg, const struct ddb_table_row *row)
{
    struct loaded *l = arg;
    struct ddb_error err;
    l->version = row->version;
    l->ok = ddb_table_from_json(l->arena, row->definition, row->len, l->table, &err);
}

/* The index backfilled to the end: it stops backfilling in the stored
 * definition. */
static enum ddb_store_err finish_index(struct store_conn *writer, struct ddb_table *t, int64_t id, int64_t version,
                                       int number)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (t->indexes[i].number == number)
            t->indexes[i].backfilling = false;
    struct strbuf sb;
    strbuf_init(&sb);
    ddb_table_to_json(&sb, t);
    enum ddb_store_err e = DDB_STORE_NOMEM;
    if (!strbuf_failed(&sb)) {
        struct ddb_table_storage_change none = {0};
        int64_t new_version;
        e = ddb_table_update(writer, id, version, sb.data, &none, 0, &new_version);
    }
    strbuf_free(&sb);
    return e;
}

static enum ddb_store_err backfill_row(struct store_conn *writer, struct arena *a, const struct ddb_table *t,
                                       const struct ddb_index *ix, int64_t id, sqlite3_stmt *row)
{
    const char *json = (const char *)sqlite3_column_blob(row, 4);
    size_t len = (size_t)sqlite3_column_bytes(row, 4);
    struct ddb_value item;
    struct ddb_error err;
    enum ddb_store_err e = DDB_STORE_OK;
    if (!ddb_item_from_json_text(a, json ? json : "{}", json ? len : 2, &item, &err)) {
        e = DDB_STORE_STORAGE;
    } else if (ix) {
        struct ddb_index_entry entry;
        bool present, inserted;
        struct ddb_stored_key key = {
            .hash = (uint32_t)sqlite3_column_int64(row, 1),
            .hk = sqlite3_column_blob(row, 2), .hk_len = (size_t)sqlite3_column_bytes(row, 2),
            .rk = sqlite3_column_blob(row, 3), .rk_len = (size_t)sqlite3_column_bytes(row, 3),
        };
        if (!ddb_index_entry_of(a, t, ix, &item, &entry, &present))
            e = DDB_STORE_NOMEM;
        else if (present)
            e = ddb_index_entry_put(writer, t, id, ix->number, &key, &entry, true, &inserted);
    } else {
        int64_t expires;
        sqlite3_stmt *u = db_stmt(writer, "UPDATE ddb_items SET expires = ?2 WHERE id = ?1");
        if (!u) {
            e = DDB_STORE_STORAGE;
        } else {
            sqlite3_bind_int64(u, 1, sqlite3_column_int64(row, 0));
            if (ddb_item_expiry(t, &item, &expires))
                sqlite3_bind_int64(u, 2, expires);
            else
                sqlite3_bind_null(u, 2);
            e = step_done(sqlite3_step(u));
            sqlite3_reset(u);
        }
    }
    return e;
}

enum ddb_store_err ddb_backfill_step(struct store_conn *writer, int64_t id, int number, int64_t limit,
                                     struct ddb_backfill_cursor *cursor, int64_t now_ms, bool *done)
{
    (void)now_ms;
    *done = false;
    struct arena a;
    arena_init(&a, 0);
    struct ddb_table t;
    struct loaded l = {.arena = &a, .table = &t};
    enum ddb_store_err e = ddb_table_load_id(writer, id, load_visit, &l);
    const struct ddb_index *ix = NULL;
    if (e == DDB_STORE_OK && !l.ok)
        e = DDB_STORE_STORAGE;
    if (e == DDB_STORE_OK && number) {
        for (size_t i = 0; i < t.n_indexes; i++)
            if (t.indexes[i].number == number && t.indexes[i].backfilling)
                ix = &t.indexes[i];
        if (!ix)
            e = DDB_STORE_NOT_FOUND;
    }
    if (e == DDB_STORE_NOT_FOUND) {
        *done = true;
        arena_free(&a);
        return exec_ids(writer, "DELETE FROM ddb_backfills WHERE tbl = ?1 AND ino = ?2", id, number);
    }
    sqlite3_stmt *s = e == DDB_STORE_OK
                          ? db_stmt(writer, "SELECT id, hash, hk, rk, item FROM ddb_items"
                                            " WHERE tbl = ?1 AND (hash, hk, rk) > (?2, ?3, ?4)"
                                            " ORDER BY hash, hk, rk LIMIT ?5")
                          : NULL;
    if (e == DDB_STORE_OK && !s)
        e = DDB_STORE_STORAGE;
    int64_t seen = 0;
    if (e == DDB_STORE_OK) {
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int64(s, 2, cursor->started ? cursor->hash : -1);
        ddb_bind_bytes(s, 3, cursor->hk, cursor->started ? cursor->hk_len : 0);
        ddb_bind_bytes(s, 4, cursor->rk, cursor->started ? cursor->rk_len : 0);
        sqlite3_bind_int64(s, 5, limit);
        int rc;
        while (e == DDB_STORE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            seen++;
            e = backfill_row(writer, &a, &t, ix, id, s);
            if (e == DDB_STORE_OK &&
                !cursor_set(cursor, sqlite3_column_int64(s, 1), sqlite3_column_blob(s, 2),
                            (size_t)sqlite3_column_bytes(s, 2), sqlite3_column_blob(s, 3),
                            (size_t)sqlite3_column_bytes(s, 3)))
                e = DDB_STORE_NOMEM;
        }
        if (e == DDB_STORE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
            e = DDB_STORE_STORAGE;
        sqlite3_reset(s);
    }
    if (e == DDB_STORE_OK && seen < limit) {
        *done = true;
        e = exec_ids(writer, "DELETE FROM ddb_backfills WHERE tbl = ?1 AND ino = ?2", id, number);
        if (e == DDB_STORE_OK && ix)
            e = finish_index(writer, &t, id, l.version, number);
    }
    arena_free(&a);
    return e;
}

enum ddb_store_err ddb_backfill_pending(struct store_conn *reader,
                                        bool (*visit)(void *arg, int64_t table_id, int number), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT tbl, ino FROM ddb_backfills ORDER BY tbl, ino");
    if (!s)
        return DDB_STORE_STORAGE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (!visit(arg, sqlite3_column_int64(s, 0), (int)sqlite3_column_int64(s, 1))) {
            rc = SQLITE_DONE;
            break;
        }
    sqlite3_reset(s);
    return step_done(rc);
}
