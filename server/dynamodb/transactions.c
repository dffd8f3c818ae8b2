/* transactions: TransactWriteItems and TransactGetItems, and the commit of
 * a write transaction that ExecuteTransaction (partiql.c) shares.
 *
 * Every element is an item request of its own (protocol/dynamodb/items.c
 * parses it without the legacy parameters), checked against its table;
 * two elements on one item are refused. The writes go to the group commit
 * as one job (storage/dynamodb/transactions.c): all prepared, then all
 * committed, or none when any condition fails — answered with AWS's
 * TransactionCanceledException and one reason per element, in order.
 * A ClientRequestToken makes a repeat within ten minutes a no-op, and a
 * different request under the same token an error. The gets read one
 * snapshot of the reader. */
#include "server/dynamodb/service.h"

#include <stdint.h>
#include <string.h>

#include "protocol/auth/checksum.h"
#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/value_json.h"
#include "server/core/server.h"
#include "storage/core/store.h"

struct element {
    struct ddb_item_request r;
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    struct ddb_stored_key key;
};

/* The element's action and its request object. */
static const struct json_value *action_of(const struct json_value *element, enum ddb_item_operation *op)
{
    static const struct {
        const char *name;
        enum ddb_item_operation op;
    } actions[] = {{"ConditionCheck", DDB_OP_CONDITION_CHECK}, {"Put", DDB_OP_PUT}, {"Delete", DDB_OP_DELETE},
                   {"Update", DDB_OP_UPDATE}, {"Get", DDB_OP_GET}};
    const struct json_value *found = NULL;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        const struct json_value *v = json_get(element, actions[i].name);
        if (v && v->type != JSON_NULL) {
            if (found)
                return NULL;
            found = v;
            *op = actions[i].op;
        }
    }
    return found;
}

/* Parses, finds the tables of, and checks every element: false when
 * answered. Key errors that AWS reports per element are left in
 * *invalid (index of the first, its message in err) rather than answered. */
static bool load_elements(struct ddb_call *c, const struct json_value *list, bool writes, struct element **out,
                          size_t *n_out, size_t *invalid, struct ddb_error *key_err)
{
    struct element *els = arena_array(&c->arena, list->len + 1, sizeof(*els));
    struct ddb_error err;
    if (!els) {
        ddb_send_no_memory(c);
        return false;
    }
    *invalid = SIZE_MAX;
    for (size_t i = 0; i < list->len; i++) {
        enum ddb_item_operation op;
        const struct json_value *req = action_of(&list->u.items[i], &op);
        if (!req || (writes && op == DDB_OP_GET) || (!writes && op != DDB_OP_GET)) {
            ddb_send_validation(c, "TransactItems can only contain one of Check, Put, Update or Delete");
            return false;
        }
        if (!ddb_item_request_parse(&c->arena, op, req, true, &els[i].r, &err)) {
            ddb_send_ddb_error(c, &err);
            return false;
        }
    }
    for (size_t i = 0; i < list->len; i++) {
        struct element *e = &els[i];
        if (!ddb_data_table(c, e->r.table, &e->ref, &e->def))
            return false;
        if (!ddb_item_request_check_table(&e->r, e->def, &err)) {
            /* AWS answers empty key values up front, and a write's wrong key
             * types as that element's cancellation reason */
            bool up_front = strncmp(err.message, "One or more parameter values are not valid.", 43) == 0;
            if (up_front || !writes) {
                ddb_send_ddb_error(c, &err);
                return false;
            }
            if (*invalid == SIZE_MAX) {
                *invalid = i;
                *key_err = err;
            }
            continue;
        }
        const struct ddb_value *key_source = e->r.op == DDB_OP_PUT ? &e->r.item : &e->r.key;
        if (!ddb_stored_key_of(&c->arena, &e->def->keys, key_source, &e->key)) {
            ddb_send_no_memory(c);
            return false;
        }
        for (size_t k = 0; k < i; k++) {
            const struct element *o = &els[k];
            if (o->ref == e->ref && o->key.hash == e->key.hash && o->key.hk_len == e->key.hk_len &&
                o->key.rk_len == e->key.rk_len && memcmp(o->key.hk, e->key.hk, e->key.hk_len) == 0 &&
                memcmp(o->key.rk, e->key.rk, e->key.rk_len) == 0) {
                ddb_send_validation(c, "Transaction request cannot include multiple operations on one item");
                return false;
            }
        }
    }
    *out = els;
    *n_out = list->len;
    return true;
}

/* ---- the commit (TransactWriteItems and ExecuteTransaction) -------------------------- */

static int apply_transaction(struct store_conn *writer, void *arg)
{
    struct ddb_transaction *t = arg;
    struct ddb_call *c = t->call;
    t->err = ddb_transact(writer, &c->arena, t->writes, t->n, c->account, c->region, t->token, t->digest, ddb_now_ms(),
                          &t->token_state, &t->written);
    return t->err == DDB_STORE_OK ? 0 : -1;
}

static void transaction_done(void *arg, bool ok)
{
    struct ddb_transaction *t = arg;
    struct ddb_call *c = t->call;
    if (!ok) {
        ddb_send_store_error(c, t->err == DDB_STORE_OK ? DDB_STORE_STORAGE : t->err);
        return;
    }
    if (t->token_state == DDB_TOKEN_MISMATCH) {
        ddb_send_error(c, 400, "IdempotentParameterMismatchException",
                       "Request parameters do not match the parameters of a previous request with the same "
                       "ClientRequestToken");
        return;
    }
    if (t->token_state == DDB_TOKEN_SAME || t->written) {
        t->committed(t);
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (t->writes[i].outcome == DDB_WRITE_STALE || t->writes[i].outcome == DDB_WRITE_NO_TABLE) {
            ddb_answer_write_failure(c, &t->writes[i], false);
            return;
        }
    }
    t->cancelled(t);
}

bool ddb_transaction_set_token(struct ddb_transaction *t, const char *token, const struct json_value *request)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_tree(&w, NULL, request);
    bool ok = !strbuf_failed(&sb);
    if (ok)
        checksum_sha256(sb.data ? sb.data : "", sb.len, t->digest);
    strbuf_free(&sb);
    t->token = ok ? arena_strdup(&t->call->arena, token) : NULL;
    return t->token != NULL;
}

void ddb_transaction_commit(struct ddb_transaction *t)
{
    ddb_submit(t->call, apply_transaction, transaction_done, t);
}

/* ---- TransactWriteItems ----------------------------------------------------------- */

/* TransactionCanceledException with one reason per element: element
 * `invalid` (SIZE_MAX: none) failed its checks before anything was written;
 * otherwise the outcomes of `writes`. */
static void send_cancelled(struct ddb_call *c, struct ddb_write *writes, const struct element *els, size_t n,
                           size_t invalid, const struct ddb_error *invalid_err)
{
    struct ddb_cancel_reason *reasons = arena_array(&c->arena, n, sizeof(*reasons));
    if (!reasons) {
        ddb_send_no_memory(c);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct ddb_cancel_reason *r = &reasons[i];
        r->code = "None";
        if (i == invalid) {
            r->code = "ValidationError";
            r->message = invalid_err->message;
        } else if (writes && writes[i].outcome == DDB_WRITE_CONDITION_FAILED) {
            r->code = "ConditionalCheckFailed";
            r->message = "The conditional request failed";
            if (els[i].r.return_old_on_failure && writes[i].had_old)
                r->item = &writes[i].old_item;
        } else if (writes && writes[i].outcome == DDB_WRITE_INVALID) {
            r->code = "ValidationError";
            r->message = writes[i].err.message;
        }
    }
    ddb_send_transaction_cancelled(c, reasons, n);
}

static void answer_writes(struct ddb_transaction *t)
{
    struct ddb_call *c = t->call;
    const struct element *els = t->arg;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode != DDB_CAPACITY_NONE) {
        jw_array_open(&w, "ConsumedCapacity");
        for (size_t i = 0; i < t->n; i++) {
            bool first = true;
            for (size_t k = 0; k < i && first; k++)
                first = els[k].ref != els[i].ref;
            if (!first)
                continue;
            struct ddb_write_capacity cap = {0};
            for (size_t k = i; k < t->n; k++) {
                if (els[k].ref != els[i].ref)
                    continue;
                if (t->written)
                    (void)ddb_capacity_add_write(c, &cap, &t->writes[k], 2);
                else
                    cap.table += 2;
            }
            ddb_jw_write_capacity(&w, NULL, mode, els[i].ref->name, &cap);
        }
        jw_array_close(&w);
    }
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

static void writes_cancelled(struct ddb_transaction *t)
{
    send_cancelled(t->call, t->writes, t->arg, t->n, SIZE_MAX, NULL);
}

void ddb_transact_write_items(struct ddb_call *c)
{
    const struct json_value *items = json_get(c->json, "TransactItems");
    struct element *els;
    size_t n, invalid;
    struct ddb_error key_err;
    if (!load_elements(c, items, true, &els, &n, &invalid, &key_err))
        return;
    if (invalid != SIZE_MAX) {
        send_cancelled(c, NULL, els, n, invalid, &key_err);
        return;
    }
    struct ddb_transaction *t = arena_alloc(&c->arena, sizeof(*t));
    struct ddb_write *writes = arena_array(&c->arena, n + 1, sizeof(*writes));
    if (!t || !writes) {
        ddb_send_no_memory(c);
        return;
    }
    *t = (struct ddb_transaction){.call = c, .writes = writes, .n = n, .committed = answer_writes,
                                  .cancelled = writes_cancelled, .arg = els};
    const char *token = json_str(c->json, "ClientRequestToken");
    if (token && !ddb_transaction_set_token(t, token, items)) {
        ddb_send_no_memory(c);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ddb_prepare_write(c, &els[i].r, els[i].ref, els[i].def, &writes[i])) {
            ddb_send_no_memory(c);
            return;
        }
        writes[i].want_old = els[i].r.return_old_on_failure;
    }
    ddb_transaction_commit(t);
}

/* ---- TransactGetItems ------------------------------------------------------------- */

struct got {
    struct ddb_call *call;
    struct json_writer *w;
    const struct ddb_projection *projection;
    int64_t size;
    bool found, failed;
};

static void got_visit(void *arg, const struct ddb_stored_item *item)
{
    struct got *g = arg;
    g->found = true;
    g->size = item->size;
    g->failed = !ddb_jw_stored_item(g->call, g->w, "Item", item, g->projection);
}

void ddb_transact_get_items(struct ddb_call *c)
{
    const struct json_value *items = json_get(c->json, "TransactItems");
    struct element *els;
    size_t n, invalid;
    struct ddb_error key_err;
    if (!load_elements(c, items, false, &els, &n, &invalid, &key_err))
        return;
    if (invalid != SIZE_MAX) {
        ddb_send_ddb_error(c, &key_err);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Responses");
    double *units = arena_array(&c->arena, n + 1, sizeof(*units));
    bool failed = !units;
    enum ddb_store_err e = DDB_STORE_OK;
    store_read_scope_begin(c->ds->srv->store);
    for (size_t i = 0; i < n && !failed && e == DDB_STORE_OK; i++) {
        jw_object_open(&w, NULL);
        struct got g = {.call = c, .w = &w, .projection = els[i].r.has_projection ? &els[i].r.projection : NULL};
        e = ddb_item_get(ddb_reader(c), els[i].ref->id, &els[i].key, got_visit, &g);
        failed |= g.failed;
        units[i] = 2 * ddb_capacity_units(g.found ? (size_t)g.size : 0, true, true);
        jw_object_close(&w);
    }
    store_read_scope_end(c->ds->srv->store);
    jw_array_close(&w);
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode != DDB_CAPACITY_NONE && !failed) {
        jw_array_open(&w, "ConsumedCapacity");
        for (size_t i = 0; i < n; i++) {
            bool first = true;
            for (size_t k = 0; k < i && first; k++)
                first = els[k].ref != els[i].ref;
            if (!first)
                continue;
            double total = 0;
            for (size_t k = i; k < n; k++)
                if (els[k].ref == els[i].ref)
                    total += units[k];
            ddb_jw_capacity(&w, NULL, mode, els[i].ref->name, total);
        }
        jw_array_close(&w);
    }
    jw_object_close(&w);
    if (e != DDB_STORE_OK || failed)
        ddb_send_store_error(c, e != DDB_STORE_OK ? e : DDB_STORE_STORAGE);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}
