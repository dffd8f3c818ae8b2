/* batch: BatchGetItem and BatchWriteItem.
 *
 * BatchGetItem reads every key on the loop thread's reader; answers past
 * 16 MB leave the rest in UnprocessedKeys, as AWS does. BatchWriteItem's
 * puts and deletes go to the group commit as one job: every table is
 * checked for changes before any item is written, so a batch is applied
 * whole and UnprocessedItems stays empty. */
#include "server/dynamodb/service.h"

#include <string.h>

#include "protocol/dynamodb/batch.h"
#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/value_json.h"

/* AWS's limit on a BatchGetItem answer. */
#define BATCH_GET_MAX_BYTES (16 * 1024 * 1024)

/* ---- BatchGetItem ------------------------------------------------------------------ */

struct get_one {
    struct ddb_call *call;
    struct json_writer *w;
    const struct ddb_projection *projection;
    int64_t size;
    bool found, failed;
};

static void get_one_visit(void *arg, const struct ddb_stored_item *item)
{
    struct get_one *g = arg;
    g->found = true;
    g->size = item->size;
    g->failed = !ddb_jw_stored_item(g->call, g->w, NULL, item, g->projection);
}

void ddb_batch_get_item(struct ddb_call *c)
{
    struct ddb_batch_get req;
    struct ddb_error err;
    if (!ddb_batch_get_parse(&c->arena, c->json, &req, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_table_ref **refs = arena_array(&c->arena, req.n + 1, sizeof(*refs));
    const struct ddb_table **defs = arena_array(&c->arena, req.n + 1, sizeof(*defs));
    double *units = arena_array(&c->arena, req.n + 1, sizeof(*units));
    if (!refs || !defs || !units) {
        ddb_send_no_memory(c);
        return;
    }
    for (size_t i = 0; i < req.n; i++) {
        if (!ddb_data_table(c, req.tables[i].table, &refs[i], &defs[i]))
            return;
        for (size_t k = 0; k < req.tables[i].n_keys; k++) {
            if (!ddb_key_check(&defs[i]->keys, &req.tables[i].keys[k], &err)) {
                ddb_send_ddb_error(c, &err);
                return;
            }
        }
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "Responses");
    enum ddb_store_err e = DDB_STORE_OK;
    bool failed = false;
    /* where each table stopped: the keys after it are unprocessed */
    size_t *stopped = arena_array(&c->arena, req.n + 1, sizeof(*stopped));
    if (!stopped) {
        strbuf_free(&sb);
        ddb_send_no_memory(c);
        return;
    }
    for (size_t i = 0; i < req.n; i++) {
        const struct ddb_batch_get_table *t = &req.tables[i];
        jw_array_open(&w, t->table);
        stopped[i] = t->n_keys;
        for (size_t k = 0; k < t->n_keys && e == DDB_STORE_OK && !failed; k++) {
            if (sb.len > BATCH_GET_MAX_BYTES) {
                stopped[i] = k;
                break;
            }
            struct ddb_stored_key key;
            if (!ddb_stored_key_of(&c->arena, &defs[i]->keys, &t->keys[k], &key)) {
                failed = true;
                break;
            }
            struct get_one g = {.call = c, .w = &w, .projection = t->has_projection ? &t->projection : NULL};
            e = ddb_item_get(ddb_reader(c), refs[i]->id, &key, get_one_visit, &g);
            failed |= g.failed;
            units[i] += ddb_capacity_units(g.found ? (size_t)g.size : 0, true, t->consistent);
        }
        jw_array_close(&w);
    }
    jw_object_close(&w);
    jw_object_open(&w, "UnprocessedKeys");
    for (size_t i = 0; i < req.n; i++) {
        const struct ddb_batch_get_table *t = &req.tables[i];
        if (stopped[i] == t->n_keys)
            continue;
        jw_object_open(&w, t->table);
        jw_array_open(&w, "Keys");
        for (size_t k = stopped[i]; k < t->n_keys; k++)
            ddb_jw_map(&w, NULL, &t->keys[k]);
        jw_array_close(&w);
        static const char *const echoed[] = {"ProjectionExpression", "ExpressionAttributeNames", "AttributesToGet",
                                             "ConsistentRead"};
        for (size_t m = 0; m < sizeof(echoed) / sizeof(echoed[0]); m++) {
            const struct json_value *v = json_get(t->request, echoed[m]);
            if (v && v->type != JSON_NULL)
                jw_tree(&w, echoed[m], v);
        }
        jw_object_close(&w);
    }
    jw_object_close(&w);
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode != DDB_CAPACITY_NONE) {
        jw_array_open(&w, "ConsumedCapacity");
        for (size_t i = 0; i < req.n; i++)
            ddb_jw_capacity(&w, NULL, mode, req.tables[i].table, units[i]);
        jw_array_close(&w);
    }
    jw_object_close(&w);
    if (e != DDB_STORE_OK || failed)
        ddb_send_store_error(c, e != DDB_STORE_OK ? e : DDB_STORE_STORAGE);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- BatchWriteItem ----------------------------------------------------------------- */

struct batch_job {
    struct ddb_call *call;
    struct ddb_write *writes;
    size_t n;
    const char **tables;           /* per write, its table's name */
    const struct ddb_table **defs; /* per write */
    bool committed;
    enum ddb_token_state token_state;
    enum ddb_store_err err;
};

static int apply_batch(struct store_conn *writer, void *arg)
{
    struct batch_job *j = arg;
    struct ddb_call *c = j->call;
    j->err = ddb_transact(writer, &c->arena, j->writes, j->n, c->account, c->region, NULL, NULL, ddb_now_ms(),
                          &j->token_state, &j->committed);
    return j->err == DDB_STORE_OK ? 0 : -1;
}

static void batch_done(void *arg, bool ok)
{
    struct batch_job *j = arg;
    struct ddb_call *c = j->call;
    if (!ok) {
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
        return;
    }
    if (!j->committed) {
        for (size_t i = 0; i < j->n; i++) {
            if (j->writes[i].outcome != DDB_WRITE_DONE) {
                ddb_answer_write_failure(c, &j->writes[i], false);
                return;
            }
        }
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "UnprocessedItems");
    jw_object_close(&w);
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode != DDB_CAPACITY_NONE) {
        jw_array_open(&w, "ConsumedCapacity");
        for (size_t i = 0; i < j->n; i++) {
            bool first = true;
            for (size_t k = 0; k < i && first; k++)
                first = strcmp(j->tables[k], j->tables[i]) != 0;
            if (!first)
                continue;
            struct ddb_write_capacity cap = {0};
            for (size_t k = i; k < j->n; k++)
                if (strcmp(j->tables[k], j->tables[i]) == 0)
                    (void)ddb_capacity_add_write(c, &cap, &j->writes[k], 1);
            ddb_jw_write_capacity(&w, NULL, mode, j->tables[i], &cap);
        }
        jw_array_close(&w);
    }
    bool metrics = false;
    for (size_t i = 0; i < j->n; i++)
        metrics |= ddb_wants_collection_metrics(c->json, j->defs[i]);
    if (metrics) {
        jw_object_open(&w, "ItemCollectionMetrics");
        for (size_t i = 0; i < j->n; i++) {
            bool first = true;
            for (size_t k = 0; k < i && first; k++)
                first = strcmp(j->tables[k], j->tables[i]) != 0;
            if (!first || !ddb_wants_collection_metrics(c->json, j->defs[i]))
                continue;
            jw_array_open(&w, j->tables[i]);
            for (size_t k = i; k < j->n; k++)
                if (strcmp(j->tables[k], j->tables[i]) == 0)
                    ddb_jw_collection_metrics(&w, NULL, c, NULL, j->defs[k], &j->writes[k].key_map);
            jw_array_close(&w);
        }
        jw_object_close(&w);
    }
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* A key error of a batch put is reported as AWS reports it for batches. */
static void send_batch_key_error(struct ddb_call *c, const struct ddb_error *err)
{
    if (strstr(err->message, "Missing the key") || strstr(err->message, "Type mismatch for key"))
        ddb_send_validation(c, "The provided key element does not match the schema");
    else
        ddb_send_ddb_error(c, err);
}

void ddb_batch_write_item(struct ddb_call *c)
{
    struct ddb_batch_write req;
    struct ddb_error err;
    if (!ddb_batch_write_parse(&c->arena, c->json, &req, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    size_t total = 0;
    for (size_t i = 0; i < req.n; i++)
        total += req.tables[i].n;
    struct batch_job *j = arena_alloc(&c->arena, sizeof(*j));
    struct ddb_write *writes = arena_array(&c->arena, total + 1, sizeof(*writes));
    const char **tables = arena_array(&c->arena, total + 1, sizeof(*tables));
    const struct ddb_table **defs = arena_array(&c->arena, total + 1, sizeof(*defs));
    if (!j || !writes || !tables || !defs) {
        ddb_send_no_memory(c);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < req.n; i++) {
        const struct ddb_batch_write_table *t = &req.tables[i];
        struct ddb_table_ref *ref;
        const struct ddb_table *def;
        if (!ddb_data_table(c, t->table, &ref, &def))
            return;
        size_t first = n;
        for (size_t k = 0; k < t->n; k++) {
            struct ddb_item_request *r = arena_alloc(&c->arena, sizeof(*r));
            if (!r) {
                ddb_send_no_memory(c);
                return;
            }
            r->op = t->requests[k].put ? DDB_OP_PUT : DDB_OP_DELETE;
            r->table = t->table;
            if (t->requests[k].put)
                r->item = t->requests[k].value;
            else
                r->key = t->requests[k].value;
            if (!ddb_item_request_check_table(r, def, &err)) {
                send_batch_key_error(c, &err);
                return;
            }
            if (!ddb_prepare_write(c, r, ref, def, &writes[n])) {
                ddb_send_no_memory(c);
                return;
            }
            for (size_t m = first; m < n; m++) {
                if (ddb_value_equal(&writes[m].key_map, &writes[n].key_map)) {
                    ddb_send_validation(c, "Provided list of item keys contains duplicates");
                    return;
                }
            }
            tables[n] = t->table;
            defs[n] = def;
            n++;
        }
    }
    *j = (struct batch_job){.call = c, .writes = writes, .n = n, .tables = tables, .defs = defs};
    ddb_submit(c, apply_batch, batch_done, j);
}
