/* query: the key-ordered reads of Query and Scan — one range of
 * ddb_items_by_key or ddb_index_items_by_key, forwards or backwards.
 *
 * Every range is written as two row values over the index's ordering
 * columns: lower <= row < upper. An inclusive bound on a key value x
 * stays x, an exclusive one becomes x followed by a zero byte (the
 * smallest byte string after x), and an unbounded end is a value above
 * every key. The position a page stopped at (ExclusiveStartKey) narrows
 * the range the same way, so each kind of read is one prepared
 * statement whose plan is a single index range scan. */
#include "storage/dynamodb/ddb_internal.h"

#include <string.h>

/* Above every encoded key (keys are at most 2048 bytes). */
#define KEY_MAX_LEN (DDB_HASH_KEY_MAX + 1)
static const uint8_t key_max[KEY_MAX_LEN] = {
    [0 ... KEY_MAX_LEN - 1] = 0xff,
};

/* One ordering column's value in a bound. */
struct part {
    bool integer;
    int64_t i;
    const uint8_t *b;
    size_t n;
};

#define MAX_PARTS 6

struct tuple {
    struct part p[MAX_PARTS];
    size_t n;
};

static int compare_part(const struct part *a, const struct part *b)
{
    if (a->integer)
        return a->i < b->i ? -1 : a->i > b->i;
    size_t n = a->n < b->n ? a->n : b->n;
    int c = n ? memcmp(a->b, b->b, n) : 0;
    return c ? c : a->n < b->n ? -1 : a->n > b->n;
}

static int compare_tuple(const struct tuple *a, const struct tuple *b)
{
    for (size_t i = 0; i < a->n; i++) {
        int c = compare_part(&a->p[i], &b->p[i]);
        if (c)
            return c;
    }
    return 0;
}

static struct part integer(int64_t i) { return (struct part){.integer = true, .i = i}; }
static struct part bytes(const uint8_t *b, size_t n) { return (struct part){.b = n ? b : (const uint8_t *)"", .n = n}; }

/* x followed by a zero byte, in the arena-free scratch `buf`. */
static struct part successor(const uint8_t *x, size_t n, uint8_t *buf)
{
    if (n)
        memcpy(buf, x, n);
    buf[n] = 0;
    return (struct part){.b = buf, .n = n + 1};
}

static void bind_tuple(sqlite3_stmt *s, int first, const struct tuple *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->p[i].integer)
            sqlite3_bind_int64(s, first + (int)i, t->p[i].i);
        else
            ddb_bind_bytes(s, first + (int)i, t->p[i].b, t->p[i].n);
    }
}

/* The sort-key bounds of a Query as the first part of its tuples. */
static void sort_bounds(const struct ddb_range *r, struct part *lower, struct part *upper, uint8_t *lower_buf,
                        uint8_t *upper_buf)
{
    if (!r->lower.bytes)
        *lower = bytes(NULL, 0);
    else if (r->lower.open)
        *lower = successor(r->lower.bytes, r->lower.len, lower_buf);
    else
        *lower = bytes(r->lower.bytes, r->lower.len);
    if (!r->upper.bytes)
        *upper = bytes(key_max, sizeof(key_max));
    else if (r->upper.open)
        *upper = bytes(r->upper.bytes, r->upper.len);
    else
        *upper = successor(r->upper.bytes, r->upper.len, upper_buf);
}

static enum ddb_store_err run(sqlite3_stmt *s, bool index, bool (*visit)(void *arg, const struct ddb_stored_item *item),
                              void *arg)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct ddb_stored_item item = {
            .json = sqlite3_column_blob(s, 0),
            .len = (size_t)sqlite3_column_bytes(s, 0),
            .size = sqlite3_column_int64(s, 1),
            .page_size = sqlite3_column_int64(s, 2),
            .hash = (uint32_t)sqlite3_column_int64(s, 3),
            .hk = sqlite3_column_blob(s, 4),
            .hk_len = (size_t)sqlite3_column_bytes(s, 4),
            .rk = sqlite3_column_blob(s, 5),
            .rk_len = (size_t)sqlite3_column_bytes(s, 5),
        };
        if (index) {
            item.ihash = (uint32_t)sqlite3_column_int64(s, 6);
            item.ihk = sqlite3_column_blob(s, 7);
            item.ihk_len = (size_t)sqlite3_column_bytes(s, 7);
            item.irk = sqlite3_column_blob(s, 8);
            item.irk_len = (size_t)sqlite3_column_bytes(s, 8);
        }
        if (!item.json) {
            item.json = "{}";
            item.len = 2;
        }
        if (!visit(arg, &item)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? DDB_STORE_OK : rc == SQLITE_NOMEM ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
}

/* Narrows [lower, upper) to after (forwards) or before (backwards) the
 * start position. */
static void narrow(const struct ddb_range *r, const struct tuple *start_at, const struct tuple *start_after,
                   struct tuple *lower, struct tuple *upper)
{
    if (!r->has_start)
        return;
    if (r->backward) {
        if (compare_tuple(start_at, upper) < 0)
            *upper = *start_at;
    } else if (compare_tuple(start_after, lower) > 0) {
        *lower = *start_after;
    }
}

static const char *const table_query_sql[2] = {
    "SELECT item, size, page_size, hash, hk, rk FROM ddb_items"
    " WHERE tbl = ?1 AND hash = ?2 AND hk = ?3 AND rk >= ?4 AND rk < ?5 ORDER BY rk",
    "SELECT item, size, page_size, hash, hk, rk FROM ddb_items"
    " WHERE tbl = ?1 AND hash = ?2 AND hk = ?3 AND rk >= ?4 AND rk < ?5 ORDER BY rk DESC",
};

static const char *const index_query_sql[2] = {
    "SELECT item, size, page_size, thash, hk, rk, ihash, ihk, irk FROM ddb_index_items"
    " WHERE tbl = ?1 AND ino = ?2 AND ihash = ?3 AND ihk = ?4"
    " AND (irk, thash, hk, rk) >= (?5, ?6, ?7, ?8) AND (irk, thash, hk, rk) < (?9, ?10, ?11, ?12)"
    " ORDER BY irk, thash, hk, rk",
    "SELECT item, size, page_size, thash, hk, rk, ihash, ihk, irk FROM ddb_index_items"
    " WHERE tbl = ?1 AND ino = ?2 AND ihash = ?3 AND ihk = ?4"
    " AND (irk, thash, hk, rk) >= (?5, ?6, ?7, ?8) AND (irk, thash, hk, rk) < (?9, ?10, ?11, ?12)"
    " ORDER BY irk DESC, thash DESC, hk DESC, rk DESC",
};

static const char *const table_scan_sql =
    "SELECT item, size, page_size, hash, hk, rk FROM ddb_items"
    " WHERE tbl = ?1 AND (hash, hk, rk) >= (?2, ?3, ?4) AND (hash, hk, rk) < (?5, ?6, ?7)"
    " ORDER BY hash, hk, rk";

static const char *const index_scan_sql =
    "SELECT item, size, page_size, thash, hk, rk, ihash, ihk, irk FROM ddb_index_items"
    " WHERE tbl = ?1 AND ino = ?2"
    " AND (ihash, ihk, irk, thash, hk, rk) >= (?3, ?4, ?5, ?6, ?7, ?8)"
    " AND (ihash, ihk, irk, thash, hk, rk) < (?9, ?10, ?11, ?12, ?13, ?14)"
    " ORDER BY ihash, ihk, irk, thash, hk, rk";

static enum ddb_store_err query_table(struct store_conn *reader, const struct ddb_range *r,
                                      bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    uint8_t lower_buf[DDB_RANGE_KEY_MAX + 2], upper_buf[DDB_RANGE_KEY_MAX + 2], start_buf[DDB_RANGE_KEY_MAX + 2];
    struct tuple lower = {.n = 1}, upper = {.n = 1}, at = {.n = 1}, after = {.n = 1};
    sort_bounds(r, &lower.p[0], &upper.p[0], lower_buf, upper_buf);
    if (r->has_start) {
        at.p[0] = bytes(r->start.rk, r->start.rk_len);
        after.p[0] = successor(r->start.rk, r->start.rk_len < DDB_RANGE_KEY_MAX ? r->start.rk_len : DDB_RANGE_KEY_MAX,
                               start_buf);
    }
    narrow(r, &at, &after, &lower, &upper);
    sqlite3_stmt *s = db_stmt(reader, table_query_sql[r->backward]);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, r->table_id);
    sqlite3_bind_int64(s, 2, r->hash);
    ddb_bind_bytes(s, 3, r->hk, r->hk_len);
    bind_tuple(s, 4, &lower);
    bind_tuple(s, 5, &upper);
    return run(s, false, visit, arg);
}

static enum ddb_store_err query_index(struct store_conn *reader, const struct ddb_range *r,
                                      bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    uint8_t lower_buf[DDB_HASH_KEY_MAX + 2], upper_buf[DDB_HASH_KEY_MAX + 2], start_buf[DDB_RANGE_KEY_MAX + 2];
    struct tuple lower = {.n = 4}, upper = {.n = 4}, at = {.n = 4}, after = {.n = 4};
    sort_bounds(r, &lower.p[0], &upper.p[0], lower_buf, upper_buf);
    lower.p[1] = upper.p[1] = integer(-1);
    lower.p[2] = lower.p[3] = upper.p[2] = upper.p[3] = bytes(NULL, 0);
    if (r->has_start) {
        at.p[0] = after.p[0] = bytes(r->start.irk, r->start.irk_len);
        at.p[1] = after.p[1] = integer(r->start.hash);
        at.p[2] = after.p[2] = bytes(r->start.hk, r->start.hk_len);
        at.p[3] = bytes(r->start.rk, r->start.rk_len);
        after.p[3] = successor(r->start.rk, r->start.rk_len < DDB_RANGE_KEY_MAX ? r->start.rk_len : DDB_RANGE_KEY_MAX,
                               start_buf);
    }
    narrow(r, &at, &after, &lower, &upper);
    sqlite3_stmt *s = db_stmt(reader, index_query_sql[r->backward]);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, r->table_id);
    sqlite3_bind_int64(s, 2, r->index_number);
    sqlite3_bind_int64(s, 3, r->hash);
    ddb_bind_bytes(s, 4, r->hk, r->hk_len);
    bind_tuple(s, 5, &lower);
    bind_tuple(s, 9, &upper);
    return run(s, true, visit, arg);
}

static enum ddb_store_err scan_table(struct store_conn *reader, const struct ddb_range *r,
                                     bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    uint8_t start_buf[DDB_RANGE_KEY_MAX + 2];
    struct tuple lower = {.n = 3, .p = {integer(r->hash_low), bytes(NULL, 0), bytes(NULL, 0)}};
    struct tuple upper = {.n = 3, .p = {integer(r->hash_high), bytes(NULL, 0), bytes(NULL, 0)}};
    struct tuple after = {.n = 3};
    if (r->has_start) {
        after.p[0] = integer(r->start.hash);
        after.p[1] = bytes(r->start.hk, r->start.hk_len);
        after.p[2] = successor(r->start.rk, r->start.rk_len < DDB_RANGE_KEY_MAX ? r->start.rk_len : DDB_RANGE_KEY_MAX,
                               start_buf);
    }
    narrow(r, &after, &after, &lower, &upper);
    sqlite3_stmt *s = db_stmt(reader, table_scan_sql);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, r->table_id);
    bind_tuple(s, 2, &lower);
    bind_tuple(s, 5, &upper);
    return run(s, false, visit, arg);
}

static enum ddb_store_err scan_index(struct store_conn *reader, const struct ddb_range *r,
                                     bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    uint8_t start_buf[DDB_RANGE_KEY_MAX + 2];
    struct tuple lower = {.n = 6, .p = {integer(r->hash_low), bytes(NULL, 0), bytes(NULL, 0), integer(-1),
                                        bytes(NULL, 0), bytes(NULL, 0)}};
    struct tuple upper = {.n = 6, .p = {integer(r->hash_high), bytes(NULL, 0), bytes(NULL, 0), integer(-1),
                                        bytes(NULL, 0), bytes(NULL, 0)}};
    struct tuple after = {.n = 6};
    if (r->has_start) {
        after.p[0] = integer(r->start.ihash);
        after.p[1] = bytes(r->start.ihk, r->start.ihk_len);
        after.p[2] = bytes(r->start.irk, r->start.irk_len);
        after.p[3] = integer(r->start.hash);
        after.p[4] = bytes(r->start.hk, r->start.hk_len);
        after.p[5] = successor(r->start.rk, r->start.rk_len < DDB_RANGE_KEY_MAX ? r->start.rk_len : DDB_RANGE_KEY_MAX,
                               start_buf);
    }
    narrow(r, &after, &after, &lower, &upper);
    sqlite3_stmt *s = db_stmt(reader, index_scan_sql);
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, r->table_id);
    sqlite3_bind_int64(s, 2, r->index_number);
    bind_tuple(s, 3, &lower);
    bind_tuple(s, 9, &upper);
    return run(s, true, visit, arg);
}

enum ddb_store_err ddb_range_read(struct store_conn *reader, const struct ddb_range *r,
                                  bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    if (r->scan)
        return r->index_number ? scan_index(reader, r, visit, arg) : scan_table(reader, r, visit, arg);
    return r->index_number ? query_index(reader, r, visit, arg) : query_table(reader, r, visit, arg);
}

enum ddb_store_err ddb_ttl_next_table(struct store_conn *conn, int64_t after, int64_t *table_id)
{
    sqlite3_stmt *s = db_stmt(conn, "SELECT tbl FROM ddb_items WHERE tbl > ?1 AND expires IS NOT NULL"
                                    " ORDER BY tbl LIMIT 1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, after);
    int rc = sqlite3_step(s);
    *table_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_ttl_expired(struct store_conn *reader, int64_t table_id, int64_t now_s, int64_t limit,
                                   bool (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT item, size, page_size, hash, hk, rk FROM ddb_items"
                                      " WHERE tbl = ?1 AND expires IS NOT NULL AND expires <= ?2"
                                      " ORDER BY expires LIMIT ?3");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, now_s);
    sqlite3_bind_int64(s, 3, limit);
    return run(s, false, visit, arg);
}
