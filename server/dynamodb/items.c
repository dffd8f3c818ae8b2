/* items: PutItem, GetItem, UpdateItem and DeleteItem.
 *
 * The request is checked and parsed by protocol/dynamodb/items.c, then
 * against its table. GetItem reads on the loop thread's reader and
 * splices the stored item's JSON into the answer (or projects it). The
 * writes become one struct ddb_write applied by storage/dynamodb/
 * items.c inside the group commit (condition, update, indexes, stream),
 * answered once durable with the return values, consumed capacity and
 * item collection metrics the request asked for. */
#include "server/dynamodb/service.h"

#include <string.h>

#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/value_json.h"

struct item_job {
    struct ddb_call *call;
    struct ddb_item_request *r;
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    struct ddb_write w;
    enum ddb_store_err err;
};

static int apply_item(struct store_conn *writer, void *arg)
{
    struct item_job *j = arg;
    j->err = ddb_item_write(writer, &j->call->arena, &j->w, ddb_now_ms());
    return j->err == DDB_STORE_OK ? 0 : -1;
}

/* Capacity a write consumed: the larger of the old and new items', in
 * write units. */
double ddb_write_units(const struct ddb_write *w)
{
    double old_units = w->had_old ? ddb_capacity_units(w->old_size, false, true) : 0;
    double new_units = w->has_new ? ddb_capacity_units(w->new_size, false, true) : 0;
    double units = old_units > new_units ? old_units : new_units;
    return units > 0 ? units : 1;
}

void ddb_answer_write_failure(struct ddb_call *c, const struct ddb_write *w, bool return_old)
{
    switch (w->outcome) {
    case DDB_WRITE_NO_TABLE: ddb_send_not_found(c); break;
    case DDB_WRITE_INVALID: ddb_send_ddb_error(c, &w->err); break;
    case DDB_WRITE_CONDITION_FAILED:
        ddb_send_conditional_failed(c, return_old && w->had_old ? &w->old_item : NULL);
        break;
    default: ddb_restart(c); break;
    }
}

static void item_done(void *arg, bool ok)
{
    struct item_job *j = arg;
    struct ddb_call *c = j->call;
    if (!ok) {
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
        return;
    }
    if (j->w.outcome != DDB_WRITE_DONE) {
        ddb_answer_write_failure(c, &j->w, j->r->return_old_on_failure);
        return;
    }
    struct ddb_value attributes;
    bool present = false;
    if (!ddb_item_return_values(&c->arena, j->r, j->w.had_old ? &j->w.old_item : NULL,
                                j->w.has_new ? &j->w.new_item : NULL, &attributes, &present)) {
        ddb_send_no_memory(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (present)
        ddb_jw_map(&w, "Attributes", &attributes);
    ddb_jw_one_write_capacity(c, &w, j->ref->name, &j->w);
    if (ddb_wants_collection_metrics(c->json, j->def))
        ddb_jw_collection_metrics(&w, "ItemCollectionMetrics", c, j->ref, j->def,
                                  j->w.has_new ? &j->w.new_item : j->w.had_old ? &j->w.old_item : &j->w.key_map);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

bool ddb_prepare_write(struct ddb_call *c, const struct ddb_item_request *r, struct ddb_table_ref *ref,
                       const struct ddb_table *def, struct ddb_write *w)
{
    memset(w, 0, sizeof(*w));
    w->table = def;
    w->table_id = ref->id;
    w->version = ref->version;
    w->condition = r->condition;
    switch (r->op) {
    case DDB_OP_PUT: {
        w->kind = DDB_WRITE_PUT;
        w->item = &r->item;
        struct strbuf json;
        strbuf_init(&json);
        ddb_map_to_json(&json, &r->item);
        char *copy = strbuf_failed(&json) ? NULL : arena_memdup(&c->arena, json.data, json.len);
        w->item_json = copy;
        w->item_json_len = json.len;
        strbuf_free(&json);
        if (!copy || !ddb_item_key(&c->arena, &def->keys, &r->item, &w->key_map))
            return false;
        break;
    }
    case DDB_OP_UPDATE:
        w->kind = DDB_WRITE_UPDATE;
        w->update = &r->update;
        w->key_map = r->key;
        break;
    case DDB_OP_DELETE:
        w->kind = DDB_WRITE_DELETE;
        w->key_map = r->key;
        break;
    default:
        w->kind = DDB_WRITE_CHECK;
        w->key_map = r->key;
        break;
    }
    w->want_old = r->return_old_on_failure || r->return_values == DDB_RETURN_ALL_OLD ||
                  r->return_values == DDB_RETURN_UPDATED_OLD;
    return ddb_stored_key_of(&c->arena, &def->keys, &w->key_map, &w->key);
}

/* Parses the request and finds its table, checked: false when answered. */
static bool checked_request(struct ddb_call *c, enum ddb_item_operation op, struct ddb_item_request **out,
                            struct ddb_table_ref **ref, const struct ddb_table **def)
{
    struct ddb_item_request *r = arena_alloc(&c->arena, sizeof(*r));
    struct ddb_error err;
    if (!r) {
        ddb_send_no_memory(c);
        return false;
    }
    if (!ddb_item_request_parse(&c->arena, op, c->json, false, r, &err)) {
        ddb_send_ddb_error(c, &err);
        return false;
    }
    if (!ddb_data_table(c, r->table, ref, def))
        return false;
    if (!ddb_item_request_check_table(r, *def, &err)) {
        ddb_send_ddb_error(c, &err);
        return false;
    }
    *out = r;
    return true;
}

static void write_item(struct ddb_call *c, enum ddb_item_operation op)
{
    struct ddb_item_request *r;
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    if (!checked_request(c, op, &r, &ref, &def))
        return;
    struct item_job *j = arena_alloc(&c->arena, sizeof(*j));
    if (!j || !ddb_prepare_write(c, r, ref, def, &j->w)) {
        ddb_send_no_memory(c);
        return;
    }
    j->call = c;
    j->r = r;
    j->ref = ref;
    j->def = def;
    ddb_submit(c, apply_item, item_done, j);
}

void ddb_put_item(struct ddb_call *c) { write_item(c, DDB_OP_PUT); }
void ddb_update_item(struct ddb_call *c) { write_item(c, DDB_OP_UPDATE); }
void ddb_delete_item(struct ddb_call *c) { write_item(c, DDB_OP_DELETE); }

/* ---- GetItem -------------------------------------------------------------------- */

struct get_answer {
    struct ddb_call *call;
    const struct ddb_item_request *r;
    struct json_writer *w;
    int64_t size;
    bool found, failed;
};

bool ddb_jw_stored_item(struct ddb_call *c, struct json_writer *w, const char *key, const struct ddb_stored_item *item,
                        const struct ddb_projection *projection)
{
    if (!projection) {
        jw_raw(w, key, item->json, item->len);
        return true;
    }
    struct ddb_value value, projected;
    struct ddb_error err;
    bool ok = ddb_item_from_json_text(&c->arena, item->json, item->len, &value, &err) &&
              ddb_project(&c->arena, &value, projection->paths, projection->len, &projected);
    if (ok)
        ddb_jw_map(w, key, &projected);
    return ok;
}

static void get_visit(void *arg, const struct ddb_stored_item *item)
{
    struct get_answer *g = arg;
    g->found = true;
    g->size = item->size;
    g->failed = !ddb_jw_stored_item(g->call, g->w, "Item", item, g->r->has_projection ? &g->r->projection : NULL);
}

void ddb_get_item(struct ddb_call *c)
{
    struct ddb_item_request *r;
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    if (!checked_request(c, DDB_OP_GET, &r, &ref, &def))
        return;
    struct ddb_stored_key key;
    if (!ddb_stored_key_of(&c->arena, &def->keys, &r->key, &key)) {
        ddb_send_no_memory(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    struct get_answer g = {.call = c, .r = r, .w = &w};
    enum ddb_store_err e = ddb_item_get(ddb_reader(c), ref->id, &key, get_visit, &g);
    ddb_jw_capacity(&w, "ConsumedCapacity", ddb_return_capacity(c->json), ref->name,
                    ddb_capacity_units(g.found ? (size_t)g.size : 0, true, r->consistent));
    jw_object_close(&w);
    if (e != DDB_STORE_OK)
        ddb_send_store_error(c, e);
    else if (g.failed)
        ddb_send_store_error(c, DDB_STORE_STORAGE);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}
