/* items: one item's change as the group commit applies it, and item
 * reads.
 *
 * A change is prepared, then committed. prepare reads and decides: the
 * table is still at the version the request was checked against, the
 * old item (parsed only when something needs it: a condition, an
 * update, the return values, an index or a stream), the condition, the
 * new item (an update applied, with AWS's runtime checks). commit writes
 * the item's row, replaces its index entries (unless they did not
 * change), adds to the statistics and appends the stream record. Nothing
 * is written before every check passed, so a refused change leaves no
 * trace even inside a larger transaction. */
#include "storage/dynamodb/ddb_internal.h"

#include <string.h>

#include "protocol/core/json.h"
#include "protocol/dynamodb/value_json.h"

static enum ddb_store_err step_result(int rc)
{
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? DDB_STORE_OK : rc == SQLITE_NOMEM ? DDB_STORE_NOMEM
                                                                                      : DDB_STORE_STORAGE;
}

/* ---- keys ---------------------------------------------------------------------- */

static bool encode(struct arena *a, const struct ddb_value *v, const uint8_t **out, size_t *len)
{
    if (!v) {
        *out = (const uint8_t *)"";
        *len = 0;
        return true;
    }
    size_t n = ddb_key_encoded_len(v);
    uint8_t *bytes = arena_alloc(a, n + 1);
    if (!bytes)
        return false;
    ddb_key_encode(v, bytes);
    *out = bytes;
    *len = n;
    return true;
}

bool ddb_stored_key_of(struct arena *a, const struct ddb_key_schema *keys, const struct ddb_value *item,
                       struct ddb_stored_key *out)
{
    const struct ddb_value *hash = ddb_map_get(item, keys->hash_name, keys->hash_name_len);
    const struct ddb_value *range = keys->range_name ? ddb_map_get(item, keys->range_name, keys->range_name_len) : NULL;
    if (!hash || (keys->range_name && !range))
        return false;
    out->hash = ddb_key_scan_hash(hash, NULL);
    return encode(a, hash, &out->hk, &out->hk_len) && encode(a, range, &out->rk, &out->rk_len);
}

/* ---- index entries ------------------------------------------------------------ */

static bool has_key_type(const struct ddb_value *v, enum ddb_type type)
{
    return v && v->type == type && (type == DDB_N || v->len > 0);
}

static bool add_attribute(struct ddb_attr *attrs, size_t *n, const struct ddb_value *item, const char *name,
                          size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (ddb_name_compare(attrs[i].name, attrs[i].name_len, name, len) == 0)
            return true;
    const struct ddb_value *v = ddb_map_get(item, name, len);
    if (!v)
        return true;
    attrs[*n] = (struct ddb_attr){.name = name, .name_len = len, .value = *v};
    (*n)++;
    return true;
}

bool ddb_index_entry_of(struct arena *a, const struct ddb_table *t, const struct ddb_index *ix,
                        const struct ddb_value *item, struct ddb_index_entry *out, bool *present)
{
    *present = false;
    const struct ddb_value *ih = ddb_map_get(item, ix->keys.hash_name, ix->keys.hash_name_len);
    const struct ddb_value *ir = ix->keys.range_name ? ddb_map_get(item, ix->keys.range_name, ix->keys.range_name_len)
                                                     : NULL;
    if (!has_key_type(ih, ix->keys.hash_type) || (ix->keys.range_name && !has_key_type(ir, ix->keys.range_type)))
        return true;
    const struct ddb_value *th = ddb_map_get(item, t->keys.hash_name, t->keys.hash_name_len);
    const struct ddb_value *tr = t->keys.range_name ? ddb_map_get(item, t->keys.range_name, t->keys.range_name_len)
                                                    : NULL;
    if (!th)
        return true;
    out->ihash = ddb_key_scan_hash(ih, NULL);
    out->thash = ddb_key_scan_hash(th, tr);
    if (!encode(a, ih, &out->ihk, &out->ihk_len) || !encode(a, ir, &out->irk, &out->irk_len))
        return false;
    if (ix->projection == DDB_PROJECT_ALL) {
        out->projected = *item;
    } else {
        size_t cap = 4 + ix->n_non_key, n = 0;
        struct ddb_attr *attrs = arena_array(a, cap, sizeof(*attrs));
        if (!attrs)
            return false;
        add_attribute(attrs, &n, item, t->keys.hash_name, t->keys.hash_name_len);
        if (t->keys.range_name)
            add_attribute(attrs, &n, item, t->keys.range_name, t->keys.range_name_len);
        add_attribute(attrs, &n, item, ix->keys.hash_name, ix->keys.hash_name_len);
        if (ix->keys.range_name)
            add_attribute(attrs, &n, item, ix->keys.range_name, ix->keys.range_name_len);
        for (size_t i = 0; ix->projection == DDB_PROJECT_INCLUDE && i < ix->n_non_key; i++)
            add_attribute(attrs, &n, item, ix->non_key[i].s, ix->non_key[i].len);
        ddb_map_build(attrs, n, &out->projected);
    }
    *present = true;
    return true;
}

static int64_t range_page_size(const struct ddb_table *t, const struct ddb_value *item)
{
    return (int64_t)ddb_item_page_size(item, t->keys.range_name, t->keys.range_name_len);
}

enum ddb_store_err ddb_index_entry_put(struct store_conn *writer, const struct ddb_table *t, int64_t table_id,
                                       int number, const struct ddb_stored_key *key,
                                       const struct ddb_index_entry *e, bool only_new, bool *inserted)
{
    struct strbuf json;
    strbuf_init(&json);
    ddb_map_to_json(&json, &e->projected);
    if (strbuf_failed(&json)) {
        strbuf_free(&json);
        return DDB_STORE_NOMEM;
    }
    sqlite3_stmt *s = only_new
                          ? db_stmt(writer, "INSERT OR IGNORE INTO ddb_index_items(tbl, ino, ihash, ihk, irk, thash, hk,"
                                            " rk, size, page_size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
                                            " ?10, ?11)")
                          : db_stmt(writer, "INSERT INTO ddb_index_items(tbl, ino, ihash, ihk, irk, thash, hk, rk, size,"
                                            " page_size, item) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    if (!s) {
        strbuf_free(&json);
        return DDB_STORE_STORAGE;
    }
    int64_t size = (int64_t)ddb_item_size(&e->projected);
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, number);
    sqlite3_bind_int64(s, 3, e->ihash);
    ddb_bind_bytes(s, 4, e->ihk, e->ihk_len);
    ddb_bind_bytes(s, 5, e->irk, e->irk_len);
    sqlite3_bind_int64(s, 6, e->thash);
    ddb_bind_bytes(s, 7, key->hk, key->hk_len);
    ddb_bind_bytes(s, 8, key->rk, key->rk_len);
    sqlite3_bind_int64(s, 9, size);
    sqlite3_bind_int64(s, 10, range_page_size(t, &e->projected));
    sqlite3_bind_blob(s, 11, json.data, (int)json.len, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    strbuf_free(&json);
    if (rc != SQLITE_DONE)
        return step_result(rc);
    *inserted = sqlite3_changes(writer->db) > 0;
    return *inserted ? ddb_stats_add(writer, table_id, number, 1, size) : DDB_STORE_OK;
}

static enum ddb_store_err index_entry_delete(struct store_conn *writer, int64_t table_id, int number,
                                             const struct ddb_stored_key *key, const struct ddb_index_entry *e)
{
    sqlite3_stmt *s = db_stmt(writer, "DELETE FROM ddb_index_items WHERE tbl = ?1 AND ino = ?2 AND ihash = ?3"
                                      " AND ihk = ?4 AND irk = ?5 AND thash = ?6 AND hk = ?7 AND rk = ?8"
                                      " RETURNING size");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, number);
    sqlite3_bind_int64(s, 3, e->ihash);
    ddb_bind_bytes(s, 4, e->ihk, e->ihk_len);
    ddb_bind_bytes(s, 5, e->irk, e->irk_len);
    sqlite3_bind_int64(s, 6, e->thash);
    ddb_bind_bytes(s, 7, key->hk, key->hk_len);
    ddb_bind_bytes(s, 8, key->rk, key->rk_len);
    int rc = sqlite3_step(s);
    int64_t size = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    bool found = rc == SQLITE_ROW;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return step_result(rc);
    return found ? ddb_stats_add(writer, table_id, number, -1, -size) : DDB_STORE_OK;
}

static bool same_entry(const struct ddb_index_entry *a, const struct ddb_index_entry *b)
{
    return a->ihash == b->ihash && a->ihk_len == b->ihk_len && a->irk_len == b->irk_len &&
           memcmp(a->ihk, b->ihk, a->ihk_len) == 0 && memcmp(a->irk, b->irk, a->irk_len) == 0 &&
           ddb_value_equal(&a->projected, &b->projected);
}

/* ---- time to live -------------------------------------------------------------- */

bool ddb_item_expiry(const struct ddb_table *t, const struct ddb_value *item, int64_t *expires)
{
    if (!t->ttl_enabled || !t->ttl_attribute.s)
        return false;
    const struct ddb_value *v = ddb_map_get(item, t->ttl_attribute.s, t->ttl_attribute.len);
    struct ddb_number n;
    if (!v || v->type != DDB_N || !ddb_value_get_number(v, &n) || n.negative)
        return false;
    if (ddb_number_is_zero(&n)) {
        *expires = 0;
        return true;
    }
    if (n.exponent > 17)
        return false;              /* beyond any time */
    int64_t secs = 0;
    for (int i = 0; i <= n.exponent; i++)
        secs = secs * 10 + (i < n.ndigits ? n.digits[i] : 0);
    *expires = n.exponent < 0 ? 0 : secs;
    return true;
}

/* ---- the change ------------------------------------------------------------------- */

static bool has_live_indexes(const struct ddb_table *t)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (ddb_index_is_live(&t->indexes[i]))
            return true;
    return false;
}

/* What the prepared change found and keeps for commit. */
struct old_row {
    int64_t id;
    int64_t size;
    const char *json;              /* the stored text (copied into the arena) */
    size_t len;
    bool parsed;
};

/* What prepare leaves commit (in the request's arena). */
struct ddb_write_state {
    struct old_row old;
};

static bool parse_item(struct arena *a, const char *json, size_t len, struct ddb_value *out)
{
    struct ddb_error err;
    return ddb_item_from_json_text(a, json, len, out, &err);
}

static bool needs_old_item(const struct ddb_write *w)
{
    return w->condition || w->kind == DDB_WRITE_UPDATE || w->want_old || has_live_indexes(w->table) ||
           w->table->stream_enabled || w->ttl_removal;
}

enum ddb_store_err ddb_item_prepare(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms)
{
    w->outcome = DDB_WRITE_DONE;
    w->had_old = w->has_new = false;
    w->old_size = w->new_size = 0;
    int64_t version;
    enum ddb_store_err e = ddb_table_version(writer, w->table_id, &version);
    if (e == DDB_STORE_NOT_FOUND) {
        w->outcome = DDB_WRITE_NO_TABLE;
        return DDB_STORE_OK;
    }
    if (e != DDB_STORE_OK)
        return e;
    if (version != w->version) {
        w->outcome = DDB_WRITE_STALE;
        return DDB_STORE_OK;
    }
    struct ddb_write_state *p = arena_alloc(a, sizeof(*p));
    if (!p)
        return DDB_STORE_NOMEM;
    w->state = p;
    sqlite3_stmt *s = db_stmt(writer, "SELECT id, size, item, expires FROM ddb_items"
                                      " WHERE tbl = ?1 AND hash = ?2 AND hk = ?3 AND rk = ?4");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, w->table_id);
    sqlite3_bind_int64(s, 2, w->key.hash);
    ddb_bind_bytes(s, 3, w->key.hk, w->key.hk_len);
    ddb_bind_bytes(s, 4, w->key.rk, w->key.rk_len);
    int rc = sqlite3_step(s);
    bool expired = false;
    if (rc == SQLITE_ROW) {
        w->had_old = true;
        p->old.id = sqlite3_column_int64(s, 0);
        p->old.size = sqlite3_column_int64(s, 1);
        w->old_size = (size_t)p->old.size;
        expired = sqlite3_column_type(s, 3) != SQLITE_NULL && sqlite3_column_int64(s, 3) <= now_ms / 1000;
        if (needs_old_item(w)) {
            const char *json = sqlite3_column_blob(s, 2);
            p->old.len = (size_t)sqlite3_column_bytes(s, 2);
            p->old.json = arena_memdup(a, json ? json : "{}", json ? p->old.len : 2);
            if (!json)
                p->old.len = 2;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return DDB_STORE_STORAGE;
    if (w->had_old && needs_old_item(w)) {
        if (!p->old.json || !parse_item(a, p->old.json, p->old.len, &w->old_item))
            return a->failed ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
        p->old.parsed = true;
    }
    if (w->ttl_removal && (!w->had_old || !expired)) {
        w->outcome = DDB_WRITE_CONDITION_FAILED;
        return DDB_STORE_OK;
    }
    if (w->condition && !ddb_condition_eval(w->condition, w->had_old ? &w->old_item : NULL)) {
        w->outcome = DDB_WRITE_CONDITION_FAILED;
        return DDB_STORE_OK;
    }
    switch (w->kind) {
    case DDB_WRITE_PUT:
        w->new_item = *w->item;
        w->has_new = true;
        break;
    case DDB_WRITE_UPDATE:
        if (!ddb_update_apply(a, w->update, w->had_old ? &w->old_item : &w->key_map, &w->new_item, &w->err)) {
            if (w->err.type == DDB_ERR_NOMEM)
                return DDB_STORE_NOMEM;
            w->outcome = DDB_WRITE_INVALID;
            return DDB_STORE_OK;
        }
        for (size_t i = 0; i < w->table->n_indexes; i++) {
            if (!ddb_update_check_index_key(w->update, &w->new_item, &w->table->indexes[i].keys, &w->err)) {
                w->outcome = DDB_WRITE_INVALID;
                return DDB_STORE_OK;
            }
        }
        if (ddb_item_size(&w->new_item) > DDB_ITEM_MAX_SIZE) {
            ddb_fail(&w->err, DDB_ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
            w->outcome = DDB_WRITE_INVALID;
            return DDB_STORE_OK;
        }
        w->has_new = true;
        break;
    case DDB_WRITE_DELETE:
    case DDB_WRITE_CHECK: break;
    }
    if (w->has_new)
        w->new_size = ddb_item_size(&w->new_item);
    return DDB_STORE_OK;
}

static enum ddb_store_err write_row(struct store_conn *writer, struct ddb_write *w, const struct old_row *old,
                                    const char *json, size_t len)
{
    int64_t expires;
    bool expiring = ddb_item_expiry(w->table, &w->new_item, &expires);
    sqlite3_stmt *s =
        w->had_old ? db_stmt(writer, "UPDATE ddb_items SET size = ?2, page_size = ?3, expires = ?4, item = ?5"
                                     " WHERE id = ?1")
                   : db_stmt(writer, "INSERT INTO ddb_items(tbl, hash, hk, rk, size, page_size, expires, item)"
                                     " VALUES (?6, ?7, ?8, ?9, ?2, ?3, ?4, ?5)");
    if (!s)
        return DDB_STORE_STORAGE;
    if (w->had_old) {
        sqlite3_bind_int64(s, 1, old->id);
    } else {
        sqlite3_bind_int64(s, 6, w->table_id);
        sqlite3_bind_int64(s, 7, w->key.hash);
        ddb_bind_bytes(s, 8, w->key.hk, w->key.hk_len);
        ddb_bind_bytes(s, 9, w->key.rk, w->key.rk_len);
    }
    sqlite3_bind_int64(s, 2, (int64_t)w->new_size);
    sqlite3_bind_int64(s, 3, range_page_size(w->table, &w->new_item));
    if (expiring)
        sqlite3_bind_int64(s, 4, expires);
    else
        sqlite3_bind_null(s, 4);
    sqlite3_bind_blob(s, 5, json, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return step_result(rc);
}

static enum ddb_store_err delete_row(struct store_conn *writer, int64_t id)
{
    sqlite3_stmt *s = db_stmt(writer, "DELETE FROM ddb_items WHERE id = ?1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return step_result(rc);
}

/* Write units of an index entry of size bytes (AWS adds 100 bytes of
 * overhead to each). */
static double index_write_units(const struct ddb_index_entry *e)
{
    return ddb_capacity_units(ddb_item_size(&e->projected) + 100, false, true);
}

static enum ddb_store_err update_indexes(struct store_conn *writer, struct arena *a, struct ddb_write *w)
{
    const struct ddb_table *t = w->table;
    if (t->n_indexes && !(w->index_units = arena_array(a, t->n_indexes, sizeof(*w->index_units))))
        return DDB_STORE_NOMEM;
    for (size_t i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        if (!ddb_index_is_live(ix))
            continue;
        struct ddb_index_entry old_e, new_e;
        bool old_present = false, new_present = false, inserted;
        if ((w->had_old && !ddb_index_entry_of(a, t, ix, &w->old_item, &old_e, &old_present)) ||
            (w->has_new && !ddb_index_entry_of(a, t, ix, &w->new_item, &new_e, &new_present)))
            return DDB_STORE_NOMEM;
        if (old_present && new_present && same_entry(&old_e, &new_e))
            continue;
        bool moved = old_present && new_present &&
                     (old_e.ihash != new_e.ihash || old_e.ihk_len != new_e.ihk_len || old_e.irk_len != new_e.irk_len ||
                      memcmp(old_e.ihk, new_e.ihk, old_e.ihk_len) != 0 || memcmp(old_e.irk, new_e.irk, old_e.irk_len) != 0);
        double old_units = old_present ? index_write_units(&old_e) : 0;
        double new_units = new_present ? index_write_units(&new_e) : 0;
        w->index_units[i] = moved ? old_units + new_units : old_units > new_units ? old_units : new_units;
        enum ddb_store_err e = old_present ? index_entry_delete(writer, w->table_id, ix->number, &w->key, &old_e)
                                           : DDB_STORE_OK;
        if (e == DDB_STORE_OK && new_present)
            e = ddb_index_entry_put(writer, t, w->table_id, ix->number, &w->key, &new_e, false, &inserted);
        if (e != DDB_STORE_OK)
            return e;
    }
    return DDB_STORE_OK;
}

/* The stream record of the change, when the table has a stream and the
 * item changed. */
static enum ddb_store_err record_stream(struct store_conn *writer, struct ddb_write *w, const struct old_row *old,
                                        const char *new_json, size_t new_len, int64_t now_ms)
{
    const char *event = NULL;
    if (w->has_new && !w->had_old)
        event = "INSERT";
    else if (w->has_new && !ddb_value_equal(&w->old_item, &w->new_item))
        event = "MODIFY";
    else if (!w->has_new && w->had_old && w->kind == DDB_WRITE_DELETE)
        event = "REMOVE";
    if (!event)
        return DDB_STORE_OK;
    int64_t stream;
    enum ddb_store_err e = ddb_stream_current(writer, w->table_id, &stream);
    if (e != DDB_STORE_OK || !stream)
        return e;
    const char *view = w->table->stream_view_type ? w->table->stream_view_type : "KEYS_ONLY";
    bool with_new = strcmp(view, "NEW_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
    bool with_old = strcmp(view, "OLD_IMAGE") == 0 || strcmp(view, "NEW_AND_OLD_IMAGES") == 0;
    struct strbuf keys;
    strbuf_init(&keys);
    ddb_map_to_json(&keys, &w->key_map);
    if (strbuf_failed(&keys)) {
        strbuf_free(&keys);
        return DDB_STORE_NOMEM;
    }
    struct ddb_stream_change c = {
        .event = event,
        .keys = keys.data,
        .keys_len = keys.len,
        .ttl_removal = w->ttl_removal,
        .size = (int64_t)ddb_item_size(&w->key_map),
    };
    if (with_new && w->has_new) {
        c.new_image = new_json;
        c.new_len = new_len;
        c.size += (int64_t)w->new_size;
    }
    if (with_old && w->had_old) {
        c.old_image = old->json;
        c.old_len = old->len;
        c.size += (int64_t)w->old_size;
    }
    e = ddb_stream_append(writer, stream, &c, now_ms);
    strbuf_free(&keys);
    return e;
}

enum ddb_store_err ddb_item_commit(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms)
{
    if (w->outcome != DDB_WRITE_DONE || w->kind == DDB_WRITE_CHECK)
        return DDB_STORE_OK;
    struct ddb_write_state *p = w->state;
    if (!w->has_new && !w->had_old)
        return DDB_STORE_OK;
    struct strbuf json;
    strbuf_init(&json);
    const char *text = w->item_json;
    size_t len = w->item_json_len;
    if (w->has_new && !text) {
        ddb_map_to_json(&json, &w->new_item);
        if (strbuf_failed(&json)) {
            strbuf_free(&json);
            return DDB_STORE_NOMEM;
        }
        text = json.data;
        len = json.len;
    }
    enum ddb_store_err e = w->has_new ? write_row(writer, w, &p->old, text, len) : delete_row(writer, p->old.id);
    if (e == DDB_STORE_OK)
        e = ddb_stats_add(writer, w->table_id, 0, (int64_t)w->has_new - (int64_t)w->had_old,
                          (int64_t)w->new_size - (int64_t)w->old_size);
    if (e == DDB_STORE_OK && has_live_indexes(w->table))
        e = update_indexes(writer, a, w);
    if (e == DDB_STORE_OK && w->table->stream_enabled)
        e = record_stream(writer, w, &p->old, text, len, now_ms);
    strbuf_free(&json);
    return e;
}

enum ddb_store_err ddb_item_write(struct store_conn *writer, struct arena *a, struct ddb_write *w, int64_t now_ms)
{
    enum ddb_store_err e = ddb_item_prepare(writer, a, w, now_ms);
    if (e == DDB_STORE_OK)
        e = ddb_item_commit(writer, a, w, now_ms);
    return e;
}

enum ddb_store_err ddb_items_write_each(struct store_conn *writer, struct arena *a, struct ddb_write **writes,
                                        size_t n, int64_t now_ms, bool *stale)
{
    *stale = false;
    for (size_t i = 0; i < n; i++) {
        int64_t version;
        enum ddb_store_err e = ddb_table_version(writer, writes[i]->table_id, &version);
        if (e == DDB_STORE_OK && version != writes[i]->version) {
            *stale = true;
            return DDB_STORE_OK;
        }
        if (e != DDB_STORE_OK && e != DDB_STORE_NOT_FOUND)
            return e;
    }
    for (size_t i = 0; i < n; i++) {
        enum ddb_store_err e = ddb_item_write(writer, a, writes[i], now_ms);
        if (e != DDB_STORE_OK)
            return e;
    }
    return DDB_STORE_OK;
}

/* ---- reads -------------------------------------------------------------------------- */

enum ddb_store_err ddb_item_get(struct store_conn *reader, int64_t table_id, const struct ddb_stored_key *key,
                                void (*visit)(void *arg, const struct ddb_stored_item *item), void *arg)
{
    sqlite3_stmt *s = db_stmt(reader, "SELECT item, size, page_size FROM ddb_items"
                                      " WHERE tbl = ?1 AND hash = ?2 AND hk = ?3 AND rk = ?4");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, table_id);
    sqlite3_bind_int64(s, 2, key->hash);
    ddb_bind_bytes(s, 3, key->hk, key->hk_len);
    ddb_bind_bytes(s, 4, key->rk, key->rk_len);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        struct ddb_stored_item item = {
            .json = sqlite3_column_blob(s, 0),
            .len = (size_t)sqlite3_column_bytes(s, 0),
            .size = sqlite3_column_int64(s, 1),
            .page_size = sqlite3_column_int64(s, 2),
            .hash = key->hash, .hk = key->hk, .hk_len = key->hk_len, .rk = key->rk, .rk_len = key->rk_len,
        };
        if (!item.json) {
            item.json = "{}";
            item.len = 2;
        }
        visit(arg, &item);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}
