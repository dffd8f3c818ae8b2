/* query: Query and Scan.
 *
 * The request is checked by protocol/dynamodb/query.c, then one range of
 * the table or index is read (storage/dynamodb/query.c) on the loop
 * thread's reader and written into the answer as it goes: a page holds
 * at most Limit items read or 1 MB of them as AWS counts the bytes, the
 * filter applies after the cut (Count against ScannedCount), and
 * LastEvaluatedKey is the key of the last item read whenever the page
 * was cut. Items are spliced as stored unless a filter or projection
 * needs them parsed. */
#include "server/dynamodb/service.h"

#include <math.h>
#include <string.h>

#include "protocol/dynamodb/query.h"
#include "protocol/dynamodb/value_json.h"

/* A page being read: the request's side and what the reading found. */
struct page {
    struct ddb_call *call;
    struct ddb_page *p;
    struct json_writer *w;
    int64_t page_bytes;
    bool has_last;
    struct ddb_stored_item last;
    bool failed;
};

static const uint8_t *copy_bytes(struct arena *a, const uint8_t *b, size_t n)
{
    return b ? (const uint8_t *)arena_memdup(a, b, n) : (const uint8_t *)"";
}

static bool remember_last(struct page *p, const struct ddb_stored_item *item)
{
    struct arena *a = &p->call->arena;
    p->last = *item;
    p->last.json = NULL;
    p->last.hk = copy_bytes(a, item->hk, item->hk_len);
    p->last.rk = copy_bytes(a, item->rk, item->rk_len);
    p->last.ihk = copy_bytes(a, item->ihk, item->ihk_len);
    p->last.irk = copy_bytes(a, item->irk, item->irk_len);
    p->has_last = p->last.hk && p->last.rk && p->last.ihk && p->last.irk;
    return p->has_last;
}

/* For a local index that does not project everything: the item itself. */
struct fetched {
    struct ddb_call *call;
    struct ddb_value item;
    int64_t size;
    bool found, failed;
};

static void fetch_visit(void *arg, const struct ddb_stored_item *item)
{
    struct fetched *f = arg;
    struct ddb_error err;
    f->found = true;
    f->size = item->size;
    f->failed = !ddb_item_from_json_text(&f->call->arena, item->json, item->len, &f->item, &err);
}

static bool fetch_from_table(struct page *p, const struct ddb_stored_item *entry, struct ddb_value *out)
{
    struct ddb_call *c = p->call;
    struct ddb_value hash;
    struct ddb_error err;
    if (!ddb_key_decode(&c->arena, p->p->def->keys.hash_type, entry->hk, entry->hk_len, &hash, &err))
        return false;
    struct ddb_stored_key key = {.hash = ddb_key_scan_hash(&hash, NULL), .hk = entry->hk, .hk_len = entry->hk_len,
                                 .rk = entry->rk, .rk_len = entry->rk_len};
    struct fetched f = {.call = c};
    if (ddb_item_get(ddb_reader(c), p->p->ref->id, &key, fetch_visit, &f) != DDB_STORE_OK || f.failed || !f.found)
        return false;
    p->p->table_bytes += f.size;
    *out = f.item;
    return true;
}

/* The item as the answer shows it: the paths projected, under their full
 * spine (ProjectionExpression) or under their last name (PartiQL). */
static bool project(struct ddb_call *c, const struct ddb_page *q, const struct ddb_value *item, struct ddb_value *out)
{
    return q->leaf_names ? ddb_project_leaves(&c->arena, item, q->paths, q->n_paths, out)
                         : ddb_project(&c->arena, item, q->paths, q->n_paths, out);
}

static bool visit_item(void *arg, const struct ddb_stored_item *item)
{
    struct page *p = arg;
    struct ddb_call *c = p->call;
    struct ddb_page *q = p->p;
    if ((q->limit && q->scanned >= q->limit) || p->page_bytes >= DDB_PAGE_MAX_BYTES)
        return false;
    q->scanned++;
    p->page_bytes += item->page_size;
    if (q->index)
        q->index_bytes += item->size;
    else
        q->table_bytes += item->size;
    if (!remember_last(p, item)) {
        p->failed = true;
        return false;
    }
    if (!q->filter && !q->paths && !q->fetch_from_table) {
        q->count++;
        if (!q->count_only)
            jw_raw(p->w, NULL, item->json, item->len);
        return true;
    }
    struct ddb_value value;
    if (q->fetch_from_table) {
        if (!fetch_from_table(p, item, &value)) {
            p->failed = true;
            return false;
        }
    } else {
        struct ddb_error err;
        if (!ddb_item_from_json_text(&c->arena, item->json, item->len, &value, &err)) {
            p->failed = true;
            return false;
        }
    }
    if (q->filter && !ddb_condition_eval(q->filter, &value))
        return true;
    q->count++;
    if (q->count_only)
        return true;
    if (q->paths) {
        struct ddb_value projected;
        if (!project(c, q, &value, &projected)) {
            p->failed = true;
            return false;
        }
        ddb_jw_map(p->w, NULL, &projected);
    } else {
        ddb_jw_map(p->w, NULL, &value);
    }
    return true;
}

struct key_part {
    const char *name;
    size_t len;
    enum ddb_type type;
    const uint8_t *bytes;
    size_t bytes_len;
};

/* LastEvaluatedKey: the table's key attributes and the index's, decoded
 * from the last item's stored key. */
static bool last_key(struct page *p, struct ddb_value *out)
{
    struct ddb_call *c = p->call;
    const struct ddb_table *t = p->p->def;
    struct ddb_attr *attrs = arena_array(&c->arena, 4, sizeof(*attrs));
    size_t n = 0;
    struct ddb_error err;
    if (!attrs)
        return false;
    struct key_part parts[4] = {
        {t->keys.hash_name, t->keys.hash_name_len, t->keys.hash_type, p->last.hk, p->last.hk_len},
        {t->keys.range_name, t->keys.range_name_len, t->keys.range_type, p->last.rk, p->last.rk_len},
    };
    size_t np = 2;
    if (p->p->index) {
        const struct ddb_key_schema *ik = &p->p->index->keys;
        parts[np++] = (struct key_part){ik->hash_name, ik->hash_name_len, ik->hash_type, p->last.ihk,
                                        p->last.ihk_len};
        parts[np++] = (struct key_part){ik->range_name, ik->range_name_len, ik->range_type, p->last.irk,
                                        p->last.irk_len};
    }
    for (size_t i = 0; i < np; i++) {
        if (!parts[i].name)
            continue;
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = ddb_name_compare(attrs[k].name, attrs[k].name_len, parts[i].name, parts[i].len) == 0;
        if (dup)
            continue;
        attrs[n] = (struct ddb_attr){.name = parts[i].name, .name_len = parts[i].len};
        if (!ddb_key_decode(&c->arena, parts[i].type, parts[i].bytes, parts[i].bytes_len, &attrs[n].value, &err))
            return false;
        n++;
    }
    ddb_map_build(attrs, n, out);
    return true;
}

enum ddb_store_err ddb_read_page(struct ddb_call *c, struct ddb_page *q, struct json_writer *w)
{
    struct page p = {.call = c, .p = q, .w = w};
    q->count = q->scanned = q->table_bytes = q->index_bytes = 0;
    q->cut = false;
    enum ddb_store_err e = ddb_range_read(ddb_reader(c), &q->range, visit_item, &p);
    if (e != DDB_STORE_OK)
        return e;
    if (p.failed)
        return c->arena.failed ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
    q->cut = ((q->limit && q->scanned >= q->limit) || p.page_bytes >= DDB_PAGE_MAX_BYTES) && p.has_last;
    if (q->cut && !last_key(&p, &q->last_key))
        return DDB_STORE_NOMEM;
    return DDB_STORE_OK;
}

static double read_units(int64_t bytes, bool consistent)
{
    return ceil((double)bytes / 4096.0) * (consistent ? 1.0 : 0.5);
}

void ddb_jw_page_capacity(struct ddb_call *c, struct json_writer *w, const struct ddb_page *q, const char *index_name)
{
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode == DDB_CAPACITY_NONE)
        return;
    double table_units = read_units(q->table_bytes, q->consistent);
    double index_units = read_units(q->index_bytes, q->consistent);
    if (mode == DDB_CAPACITY_TOTAL || !q->index) {
        ddb_jw_capacity(w, "ConsumedCapacity", mode, q->ref->name, table_units + index_units);
        return;
    }
    jw_object_open(w, "ConsumedCapacity");
    jw_string(w, "TableName", q->ref->name);
    ddb_jw_units(w, "CapacityUnits", table_units + index_units);
    jw_object_open(w, "Table");
    ddb_jw_units(w, "CapacityUnits", table_units);
    jw_object_close(w);
    jw_object_open(w, q->index->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
    jw_object_open(w, index_name);
    ddb_jw_units(w, "CapacityUnits", index_units);
    jw_object_close(w);
    jw_object_close(w);
    jw_object_close(w);
}

/* The range of the request's plan. */
static bool range_of(struct ddb_call *c, const struct ddb_read_request *r, const struct ddb_read_plan *plan,
                     const struct ddb_table *t, int64_t table_id, struct ddb_range *out)
{
    memset(out, 0, sizeof(*out));
    out->table_id = table_id;
    out->index_number = plan->index ? plan->index->number : 0;
    out->backward = r->backward;
    out->scan = r->scan;
    struct arena *a = &c->arena;
    if (r->scan) {
        out->hash_low = 0;
        out->hash_high = 1u << 24;
        if (r->segmented)
            ddb_scan_segment_bounds(r->segment, r->total_segments, &out->hash_low, &out->hash_high);
    } else {
        const struct ddb_value *hv = &plan->hash->values[0];
        size_t n = ddb_key_encoded_len(hv);
        uint8_t *hk = arena_alloc(a, n + 1);
        if (!hk)
            return false;
        ddb_key_encode(hv, hk);
        out->hash = ddb_key_scan_hash(hv, NULL);
        out->hk = hk;
        out->hk_len = n;
        if (plan->range) {
            struct ddb_key_range kr;
            if (!ddb_key_predicate_range(a, plan->range, &kr))
                return false;
            if (kr.has_lower)
                out->lower = (struct ddb_key_bound){kr.lower, kr.lower_len, kr.lower_open};
            if (kr.has_upper)
                out->upper = (struct ddb_key_bound){kr.upper, kr.upper_len, kr.upper_open};
        }
    }
    if (r->has_start) {
        struct ddb_stored_key tk;
        if (!ddb_stored_key_of(a, &t->keys, &r->start, &tk))
            return false;
        out->has_start = true;
        out->start.hk = tk.hk;
        out->start.hk_len = tk.hk_len;
        out->start.rk = tk.rk;
        out->start.rk_len = tk.rk_len;
        out->start.hash = tk.hash;
        if (plan->index) {
            struct ddb_stored_key ik;
            if (!ddb_stored_key_of(a, &plan->index->keys, &r->start, &ik))
                return false;
            out->start.ihash = ik.hash;
            out->start.ihk = ik.hk;
            out->start.ihk_len = ik.hk_len;
            out->start.irk = ik.rk;
            out->start.irk_len = ik.rk_len;
            const struct ddb_value *h = ddb_map_get(&r->start, t->keys.hash_name, t->keys.hash_name_len);
            const struct ddb_value *g =
                t->keys.range_name ? ddb_map_get(&r->start, t->keys.range_name, t->keys.range_name_len) : NULL;
            out->start.hash = ddb_key_scan_hash(h, g);
        }
    }
    return true;
}

static void read_page(struct ddb_call *c, bool scan)
{
    struct ddb_read_request *r = arena_alloc(&c->arena, sizeof(*r));
    struct ddb_read_plan *plan = arena_alloc(&c->arena, sizeof(*plan));
    struct ddb_error err;
    if (!r || !plan) {
        ddb_send_no_memory(c);
        return;
    }
    if (!ddb_read_request_parse(&c->arena, c->json, scan, r, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    if (!ddb_data_table(c, r->table, &ref, &def))
        return;
    if (!ddb_read_request_check_table(r, def, plan, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_page q = {
        .ref = ref, .def = def, .index = plan->index, .fetch_from_table = plan->fetch_from_table,
        .limit = r->limit, .consistent = r->consistent, .count_only = r->select == DDB_SELECT_COUNT,
        .filter = r->filter,
        .paths = r->has_projection ? r->projection.paths : NULL, .n_paths = r->projection.len,
    };
    if (!range_of(c, r, plan, def, ref->id, &q.range)) {
        ddb_send_no_memory(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (!q.count_only)
        jw_array_open(&w, "Items");
    enum ddb_store_err e = ddb_read_page(c, &q, &w);
    if (!q.count_only)
        jw_array_close(&w);
    jw_int(&w, "Count", q.count);
    jw_int(&w, "ScannedCount", q.scanned);
    if (q.cut)
        ddb_jw_map(&w, "LastEvaluatedKey", &q.last_key);
    ddb_jw_page_capacity(c, &w, &q, r->index_name);
    jw_object_close(&w);
    if (e != DDB_STORE_OK)
        ddb_send_store_error(c, e);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

void ddb_query(struct ddb_call *c) { read_page(c, false); }
void ddb_scan(struct ddb_call *c) { read_page(c, true); }
