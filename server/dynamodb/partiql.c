/* partiql: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.
 *
 * protocol/dynamodb/partiql.c parses a statement into the trees of the
 * expression language; here each runs as the operation it stands for:
 *   SELECT  a page of a Query on the partition its WHERE pins down (a
 *           Scan otherwise), the WHERE as the filter, the projected
 *           paths under their last names; NextToken carries the position
 *   INSERT  a PutItem that fails when the item exists (DuplicateItem)
 *   UPDATE  an UpdateItem of the item its WHERE names fully, the WHERE as
 *           the condition (no item: ConditionalCheckFailed)
 *   DELETE  a DeleteItem likewise (no item: nothing to do)
 * BatchExecuteStatement runs each statement on its own, answering each;
 * ExecuteTransaction runs writes all-or-nothing (and reads of whole keys
 * from one snapshot), with a ClientRequestToken as TransactWriteItems. */
#include "server/dynamodb/service.h"

#include <stdint.h>
#include <string.h>

#include "protocol/core/base64.h"
#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/partiql.h"
#include "protocol/dynamodb/query.h"
#include "protocol/dynamodb/value_json.h"
#include "server/core/server.h"
#include "storage/core/store.h"

#define DUPLICATE_MESSAGE "Duplicate primary key exists in table"

/* One statement, parsed and resolved against its table. */
struct statement {
    struct ddb_partiql st;
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    const struct ddb_index *index;
    struct ddb_value key;          /* what WHERE pins down of the key */
    bool complete;                 /* ...all of it */
    struct ddb_item_request r;     /* writes: the item request it stands for */
};

/* ---- conditions built for statements --------------------------------------------- */

static const struct ddb_condition *exists_condition(struct arena *a, const struct ddb_table *t, bool exists)
{
    struct ddb_path_step *step = arena_alloc(a, sizeof(*step));
    struct ddb_operand *path = arena_alloc(a, sizeof(*path));
    struct ddb_operand *fn = arena_alloc(a, sizeof(*fn));
    struct ddb_condition *cond = arena_alloc(a, sizeof(*cond));
    if (!step || !path || !fn || !cond)
        return NULL;
    *step = (struct ddb_path_step){.name = t->keys.hash_name, .name_len = t->keys.hash_name_len};
    *path = (struct ddb_operand){.kind = DDB_OPERAND_PATH, .path = {.steps = step, .len = 1}};
    *fn = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION,
                               .function = exists ? DDB_FN_ATTRIBUTE_EXISTS : DDB_FN_ATTRIBUTE_NOT_EXISTS,
                               .args = path, .nargs = 1};
    *cond = (struct ddb_condition){.kind = DDB_COND_FUNCTION, .operands = fn, .noperands = 1};
    return cond;
}

/* "no item, or WHERE holds": DELETE of a missing item does nothing. */
static const struct ddb_condition *absent_or(struct arena *a, const struct ddb_table *t,
                                             const struct ddb_condition *where)
{
    const struct ddb_condition *absent = exists_condition(a, t, false);
    struct ddb_condition *children = arena_array(a, 2, sizeof(*children));
    struct ddb_condition *either = arena_alloc(a, sizeof(*either));
    if (!absent || !children || !either)
        return NULL;
    children[0] = *absent;
    children[1] = *where;
    *either = (struct ddb_condition){.kind = DDB_COND_OR, .children = children, .nchildren = 2};
    return either;
}

/* ---- parsing and resolving ------------------------------------------------------- */

/* A statement object ({Statement, Parameters, ...}) parsed and resolved:
 * false with err (or *not_found) when it cannot run. */
static bool load_statement(struct ddb_call *c, const struct json_value *obj, struct statement *s, bool *not_found,
                           struct ddb_error *err)
{
    memset(s, 0, sizeof(*s));
    *not_found = false;
    const struct json_value *params = json_get(obj, "Parameters");
    size_t n = params && params->type == JSON_ARRAY ? params->len : 0;
    struct ddb_value *values = arena_array(&c->arena, n + 1, sizeof(*values));
    if (!values)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < n; i++)
        if (!ddb_value_from_json(&c->arena, &params->u.items[i], DDB_SLOT_MAP_VALUE, &values[i], err))
            return false;
    size_t len;
    const char *text = json_strn(obj, "Statement", &len);
    if (!ddb_partiql_parse(&c->arena, text, len, values, n, &s->st, err))
        return false;
    char name[256];
    snprintf(name, sizeof(name), "%.*s", (int)s->st.table_len, s->st.table);
    if (ddb_find_table(c, name, &s->ref) != DDB_STORE_OK) {
        *not_found = true;
        return false;
    }
    s->def = ddb_table_now(c, s->ref, false);
    if (s->def->status == DDB_STATUS_CREATING) {
        *not_found = true;
        return false;
    }
    const struct ddb_key_schema *keys = &s->def->keys;
    if (s->st.index) {
        s->index = ddb_table_index(s->def, s->st.index, s->st.index_len);
        if (!s->index || !ddb_index_is_live(s->index))
            return ddb_fail(err, DDB_ERR_VALIDATION, "The table does not have the specified index: %.*s",
                            (int)s->st.index_len, s->st.index);
        keys = &s->index->keys;
    }
    if (!ddb_partiql_key(&c->arena, &s->st, keys, &s->key, &s->complete))
        return ddb_fail_nomem(err);
    switch (s->st.kind) {
    case DDB_PARTIQL_SELECT: return true;
    case DDB_PARTIQL_INSERT:
        s->r = (struct ddb_item_request){.op = DDB_OP_PUT, .item = s->st.item};
        if (!(s->r.condition = exists_condition(&c->arena, s->def, false)))
            return ddb_fail_nomem(err);
        break;
    case DDB_PARTIQL_UPDATE:
    case DDB_PARTIQL_DELETE:
        if (!s->complete)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "Where clause does not contain a mandatory equality on all key attributes");
        s->r = (struct ddb_item_request){.op = s->st.kind == DDB_PARTIQL_UPDATE ? DDB_OP_UPDATE : DDB_OP_DELETE,
                                         .key = s->key};
        if (s->st.kind == DDB_PARTIQL_UPDATE) {
            s->r.has_update = true;
            s->r.update = s->st.update;
            s->r.condition = s->st.where;
        } else if (!(s->r.condition = absent_or(&c->arena, s->def, s->st.where))) {
            return ddb_fail_nomem(err);
        }
        static const enum ddb_return_values returning[] = {
            [DDB_RETURNING_NONE] = DDB_RETURN_NONE, [DDB_RETURNING_ALL_OLD] = DDB_RETURN_ALL_OLD,
            [DDB_RETURNING_MODIFIED_OLD] = DDB_RETURN_UPDATED_OLD, [DDB_RETURNING_ALL_NEW] = DDB_RETURN_ALL_NEW,
            [DDB_RETURNING_MODIFIED_NEW] = DDB_RETURN_UPDATED_NEW};
        s->r.return_values = returning[s->st.returning];
        break;
    }
    const char *failure = json_str(obj, "ReturnValuesOnConditionCheckFailure");
    s->r.return_old_on_failure = failure && strcmp(failure, "ALL_OLD") == 0;
    return ddb_item_request_check_table(&s->r, s->def, err);
}

/* ---- SELECT -------------------------------------------------------------------------- */

/* The page a SELECT reads: one partition when WHERE pins the partition
 * key (and the sort key, when equal), else the whole table or index. */
static bool select_page(struct ddb_call *c, const struct statement *s, const struct json_value *obj,
                        struct ddb_page *q, struct ddb_error *err)
{
    const struct ddb_key_schema *keys = s->index ? &s->index->keys : &s->def->keys;
    bool consistent = false;
    const struct json_value *cr = json_get(obj, "ConsistentRead");
    if (cr && cr->type != JSON_NULL)
        ddb_json_boolean(cr, &consistent, NULL);
    if (consistent && s->index && s->index->global)
        return ddb_fail(err, DDB_ERR_VALIDATION, "Consistent reads are not supported on global secondary indexes");
    int64_t limit = 0;
    const struct json_value *lv = json_get(obj, "Limit");
    if (lv && lv->type == JSON_NUMBER)
        json_number_int64(lv, &limit);
    *q = (struct ddb_page){
        .ref = s->ref, .def = s->def, .index = s->index, .limit = limit, .consistent = consistent,
        .filter = s->st.where,
        .paths = s->st.select_all ? NULL : s->st.projection.paths, .n_paths = s->st.projection.len,
        .leaf_names = true,
    };
    q->range.table_id = s->ref->id;
    q->range.index_number = s->index ? s->index->number : 0;
    const struct ddb_value *hash = ddb_map_get(&s->key, keys->hash_name, keys->hash_name_len);
    if (s->st.has_order && !hash)
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        "Must have WHERE clause in the statement when using ORDER BY clause.");
    if (hash) {
        struct ddb_stored_key partition;
        if (!ddb_stored_key_of(&c->arena, &(struct ddb_key_schema){keys->hash_name, keys->hash_name_len,
                                                                  keys->hash_type, NULL, 0, DDB_S},
                               &s->key, &partition))
            return ddb_fail_nomem(err);
        q->range.hash = partition.hash;
        q->range.hk = partition.hk;
        q->range.hk_len = partition.hk_len;
        q->range.backward = s->st.has_order && s->st.order_descending;
        const struct ddb_value *range = keys->range_name
                                            ? ddb_map_get(&s->key, keys->range_name, keys->range_name_len)
                                            : NULL;
        if (range) {
            size_t n = ddb_key_encoded_len(range);
            uint8_t *rk = arena_alloc(&c->arena, n + 1);
            if (!rk)
                return ddb_fail_nomem(err);
            ddb_key_encode(range, rk);
            q->range.lower = q->range.upper = (struct ddb_key_bound){rk, n, false};
        }
    } else {
        q->range.scan = true;
        q->range.hash_low = 0;
        q->range.hash_high = 1u << 24;
    }
    /* NextToken: the position the previous page stopped at */
    size_t len;
    const char *token = json_strn(obj, "NextToken", &len);
    if (token) {
        unsigned char *raw = arena_alloc(&c->arena, len + 1);
        long n = raw ? base64_decode_strict(token, len, raw, len) : -1;
        struct ddb_value start;
        struct ddb_error inner;
        struct ddb_stored_key tk, ik;
        if (n <= 0 || !ddb_item_from_json_text(&c->arena, (const char *)raw, (size_t)n, &start, &inner) ||
            !ddb_stored_key_of(&c->arena, &s->def->keys, &start, &tk) ||
            (s->index && !ddb_stored_key_of(&c->arena, &s->index->keys, &start, &ik)))
            return ddb_fail(err, DDB_ERR_VALIDATION, "Given NextToken is not valid");
        q->range.has_start = true;
        q->range.start.hash = tk.hash;
        q->range.start.hk = tk.hk;
        q->range.start.hk_len = tk.hk_len;
        q->range.start.rk = tk.rk;
        q->range.start.rk_len = tk.rk_len;
        if (s->index) {
            q->range.start.ihash = ik.hash;
            q->range.start.ihk = ik.hk;
            q->range.start.ihk_len = ik.hk_len;
            q->range.start.irk = ik.rk;
            q->range.start.irk_len = ik.rk_len;
            q->range.start.hash = ddb_key_scan_hash(
                ddb_map_get(&start, s->def->keys.hash_name, s->def->keys.hash_name_len),
                s->def->keys.range_name ? ddb_map_get(&start, s->def->keys.range_name, s->def->keys.range_name_len)
                                        : NULL);
        }
    }
    return true;
}

static void jw_next_token(struct json_writer *w, const struct ddb_value *last_key)
{
    struct strbuf json, b64;
    strbuf_init(&json);
    strbuf_init(&b64);
    ddb_map_to_json(&json, last_key);
    if (!strbuf_failed(&json))
        base64_append(&b64, (const unsigned char *)json.data, json.len);
    jw_stringn(w, "NextToken", b64.data ? b64.data : "", b64.len);
    strbuf_free(&json);
    strbuf_free(&b64);
}

/* ---- ExecuteStatement ---------------------------------------------------------------- */

struct statement_job {
    struct ddb_call *call;
    struct statement *s;
    struct ddb_write w;
    enum ddb_store_err err;
};

static int apply_statement(struct store_conn *writer, void *arg)
{
    struct statement_job *j = arg;
    j->err = ddb_item_write(writer, &j->call->arena, &j->w, ddb_now_ms());
    return j->err == DDB_STORE_OK ? 0 : -1;
}

static void statement_done(void *arg, bool ok)
{
    struct statement_job *j = arg;
    struct ddb_call *c = j->call;
    if (!ok) {
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
        return;
    }
    if (j->w.outcome == DDB_WRITE_CONDITION_FAILED && j->s->st.kind == DDB_PARTIQL_INSERT) {
        ddb_send_error(c, 400, "DuplicateItemException", DUPLICATE_MESSAGE);
        return;
    }
    if (j->w.outcome != DDB_WRITE_DONE) {
        ddb_answer_write_failure(c, &j->w, j->s->r.return_old_on_failure);
        return;
    }
    struct ddb_value attributes;
    bool present = false;
    if (!ddb_item_return_values(&c->arena, &j->s->r, j->w.had_old ? &j->w.old_item : NULL,
                                j->w.has_new ? &j->w.new_item : NULL, &attributes, &present)) {
        ddb_send_no_memory(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Items");
    if (present)
        ddb_jw_map(&w, NULL, &attributes);
    jw_array_close(&w);
    ddb_jw_one_write_capacity(c, &w, j->s->ref->name, &j->w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

static bool answer_load_failure(struct ddb_call *c, bool not_found, const struct ddb_error *err)
{
    if (not_found)
        ddb_send_not_found(c);
    else
        ddb_send_ddb_error(c, err);
    return false;
}

void ddb_execute_statement(struct ddb_call *c)
{
    struct statement *s = arena_alloc(&c->arena, sizeof(*s));
    struct ddb_error err;
    bool not_found;
    if (!s) {
        ddb_send_no_memory(c);
        return;
    }
    if (!load_statement(c, c->json, s, &not_found, &err)) {
        answer_load_failure(c, not_found, &err);
        return;
    }
    if (s->st.kind == DDB_PARTIQL_SELECT) {
        struct ddb_page q;
        if (!select_page(c, s, c->json, &q, &err)) {
            ddb_send_ddb_error(c, &err);
            return;
        }
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        jw_object_open(&w, NULL);
        jw_array_open(&w, "Items");
        enum ddb_store_err e = ddb_read_page(c, &q, &w);
        jw_array_close(&w);
        if (e == DDB_STORE_OK && q.cut)
            jw_next_token(&w, &q.last_key);
        ddb_jw_page_capacity(c, &w, &q, NULL);
        jw_object_close(&w);
        if (e != DDB_STORE_OK)
            ddb_send_store_error(c, e);
        else
            ddb_send_json(c, &sb);
        strbuf_free(&sb);
        return;
    }
    struct statement_job *j = arena_alloc(&c->arena, sizeof(*j));
    if (!j || !ddb_prepare_write(c, &s->r, s->ref, s->def, &j->w)) {
        ddb_send_no_memory(c);
        return;
    }
    j->call = c;
    j->s = s;
    ddb_submit(c, apply_statement, statement_done, j);
}

/* ---- reads of whole keys (batches, transactions) ---------------------------------- */

struct got {
    struct ddb_call *call;
    struct json_writer *w;
    const struct statement *s;
    bool found, failed;
};

static void got_visit(void *arg, const struct ddb_stored_item *item)
{
    struct got *g = arg;
    struct ddb_value value, projected;
    struct ddb_error err;
    g->found = true;
    if (!ddb_item_from_json_text(&g->call->arena, item->json, item->len, &value, &err)) {
        g->failed = true;
        return;
    }
    if (g->s->st.where && !ddb_condition_eval(g->s->st.where, &value))
        return;
    if (!g->s->st.select_all) {
        if (!ddb_project_leaves(&g->call->arena, &value, g->s->st.projection.paths, g->s->st.projection.len,
                                &projected)) {
            g->failed = true;
            return;
        }
        value = projected;
    }
    ddb_jw_map(g->w, "Item", &value);
}

/* A SELECT of one whole key, as batches and transactions allow them. */
static enum ddb_store_err read_key(struct ddb_call *c, const struct statement *s, struct json_writer *w)
{
    struct ddb_stored_key key;
    if (!ddb_stored_key_of(&c->arena, &s->def->keys, &s->key, &key))
        return DDB_STORE_NOMEM;
    struct got g = {.call = c, .w = w, .s = s};
    enum ddb_store_err e = ddb_item_get(ddb_reader(c), s->ref->id, &key, got_visit, &g);
    return e == DDB_STORE_OK && g.failed ? DDB_STORE_STORAGE : e;
}

/* ---- BatchExecuteStatement ----------------------------------------------------------- */

struct batch_statement {
    struct statement s;
    bool loaded;
    bool not_found;
    struct ddb_error err;
    struct ddb_write w;
};

struct batch_job {
    struct ddb_call *call;
    struct batch_statement *bs;
    size_t n;
    struct ddb_write **writes;
    size_t n_writes;
    bool stale;
    enum ddb_store_err err;
};

static int apply_batch(struct store_conn *writer, void *arg)
{
    struct batch_job *j = arg;
    j->err = ddb_items_write_each(writer, &j->call->arena, j->writes, j->n_writes, ddb_now_ms(), &j->stale);
    return j->err == DDB_STORE_OK ? 0 : -1;
}

static void jw_statement_error(struct json_writer *w, const char *code, const char *message, const struct ddb_value *item)
{
    jw_object_open(w, "Error");
    if (item)
        ddb_jw_map(w, "Item", item);
    jw_string(w, "Code", code);
    jw_string(w, "Message", message);
    jw_object_close(w);
}

static void answer_batch(struct ddb_call *c, struct batch_job *j)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Responses");
    enum ddb_store_err e = DDB_STORE_OK;
    for (size_t i = 0; i < j->n && e == DDB_STORE_OK; i++) {
        struct batch_statement *b = &j->bs[i];
        jw_object_open(&w, NULL);
        if (!b->loaded) {
            if (b->not_found)
                jw_statement_error(&w, "ResourceNotFound", "Requested resource not found", NULL);
            else
                jw_statement_error(&w, "ValidationError", b->err.message, NULL);
        } else {
            jw_string(&w, "TableName", b->s.ref->name);
            if (b->s.st.kind == DDB_PARTIQL_SELECT) {
                e = read_key(c, &b->s, &w);
            } else if (b->w.outcome == DDB_WRITE_CONDITION_FAILED) {
                if (b->s.st.kind == DDB_PARTIQL_INSERT)
                    jw_statement_error(&w, "DuplicateItem", DUPLICATE_MESSAGE, NULL);
                else
                    jw_statement_error(&w, "ConditionalCheckFailed", "The conditional request failed",
                                       b->s.r.return_old_on_failure && b->w.had_old ? &b->w.old_item : NULL);
            } else if (b->w.outcome == DDB_WRITE_INVALID) {
                jw_statement_error(&w, "ValidationError", b->w.err.message, NULL);
            } else if (b->w.outcome == DDB_WRITE_NO_TABLE) {
                jw_statement_error(&w, "ResourceNotFound", "Requested resource not found", NULL);
            }
        }
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
    if (e != DDB_STORE_OK)
        ddb_send_store_error(c, e);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

static void batch_done(void *arg, bool ok)
{
    struct batch_job *j = arg;
    struct ddb_call *c = j->call;
    if (!ok)
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
    else if (j->stale)
        ddb_restart(c);
    else
        answer_batch(c, j);
}

void ddb_batch_execute_statement(struct ddb_call *c)
{
    const struct json_value *list = json_get(c->json, "Statements");
    struct batch_job *j = arena_alloc(&c->arena, sizeof(*j));
    struct batch_statement *bs = arena_array(&c->arena, list->len + 1, sizeof(*bs));
    struct ddb_write **writes = arena_array(&c->arena, list->len + 1, sizeof(*writes));
    if (!j || !bs || !writes) {
        ddb_send_no_memory(c);
        return;
    }
    *j = (struct batch_job){.call = c, .bs = bs, .n = list->len, .writes = writes};
    for (size_t i = 0; i < list->len; i++) {
        struct batch_statement *b = &bs[i];
        b->loaded = load_statement(c, &list->u.items[i], &b->s, &b->not_found, &b->err);
        if (b->loaded && b->s.st.kind == DDB_PARTIQL_SELECT && !b->s.complete) {
            b->loaded = false;
            ddb_fail(&b->err, DDB_ERR_VALIDATION, "Select statements within BatchExecuteStatement must specify the "
                                                  "full primary key");
        }
        if (!b->loaded && b->err.type == DDB_ERR_NOMEM) {
            ddb_send_no_memory(c);
            return;
        }
        if (b->loaded && b->s.st.kind != DDB_PARTIQL_SELECT) {
            if (!ddb_prepare_write(c, &b->s.r, b->s.ref, b->s.def, &b->w)) {
                ddb_send_no_memory(c);
                return;
            }
            writes[j->n_writes++] = &b->w;
        }
    }
    if (!j->n_writes) {
        answer_batch(c, j);
        return;
    }
    ddb_submit(c, apply_batch, batch_done, j);
}

/* ---- ExecuteTransaction ---------------------------------------------------------------- */

static void statements_cancelled(struct ddb_transaction *t)
{
    struct ddb_call *c = t->call;
    const struct statement *ss = t->arg;
    struct ddb_cancel_reason *reasons = arena_array(&c->arena, t->n, sizeof(*reasons));
    if (!reasons) {
        ddb_send_no_memory(c);
        return;
    }
    for (size_t i = 0; i < t->n; i++) {
        const struct ddb_write *wr = &t->writes[i];
        struct ddb_cancel_reason *r = &reasons[i];
        r->code = "None";
        if (wr->outcome == DDB_WRITE_CONDITION_FAILED) {
            bool insert = ss[i].st.kind == DDB_PARTIQL_INSERT;
            r->code = insert ? "DuplicateItem" : "ConditionalCheckFailed";
            r->message = insert ? DUPLICATE_MESSAGE : "The conditional request failed";
            if (!insert && ss[i].r.return_old_on_failure && wr->had_old)
                r->item = &wr->old_item;
        } else if (wr->outcome == DDB_WRITE_INVALID) {
            r->code = "ValidationError";
            r->message = wr->err.message;
        }
    }
    ddb_send_transaction_cancelled(c, reasons, t->n);
}

static void statements_committed(struct ddb_transaction *t)
{
    struct strbuf sb = {.data = "{}", .len = 2};
    ddb_send_json(t->call, &sb);
}

void ddb_execute_transaction(struct ddb_call *c)
{
    const struct json_value *list = json_get(c->json, "TransactStatements");
    struct statement *ss = arena_array(&c->arena, list->len + 1, sizeof(*ss));
    if (!ss) {
        ddb_send_no_memory(c);
        return;
    }
    size_t reads = 0;
    for (size_t i = 0; i < list->len; i++) {
        struct ddb_error err;
        bool not_found;
        if (!load_statement(c, &list->u.items[i], &ss[i], &not_found, &err)) {
            answer_load_failure(c, not_found, &err);
            return;
        }
        if (ss[i].st.kind == DDB_PARTIQL_SELECT) {
            if (!ss[i].complete) {
                ddb_send_validation(c, "Select statements within ExecuteTransaction must specify the full primary "
                                       "key");
                return;
            }
            reads++;
        }
        for (size_t k = 0; k < i; k++) {
            if (ss[k].ref == ss[i].ref && ddb_value_equal(&ss[k].key, &ss[i].key) && ss[i].complete && ss[k].complete) {
                ddb_send_validation(c, "Transaction request cannot include multiple operations on one item");
                return;
            }
        }
    }
    if (reads && reads != list->len) {
        ddb_send_validation(c, "Transaction must contain either all reads or all writes");
        return;
    }
    if (reads) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        jw_object_open(&w, NULL);
        jw_array_open(&w, "Responses");
        enum ddb_store_err e = DDB_STORE_OK;
        store_read_scope_begin(c->ds->srv->store);
        for (size_t i = 0; i < list->len && e == DDB_STORE_OK; i++) {
            jw_object_open(&w, NULL);
            e = read_key(c, &ss[i], &w);
            jw_object_close(&w);
        }
        store_read_scope_end(c->ds->srv->store);
        jw_array_close(&w);
        jw_object_close(&w);
        if (e != DDB_STORE_OK)
            ddb_send_store_error(c, e);
        else
            ddb_send_json(c, &sb);
        strbuf_free(&sb);
        return;
    }
    struct ddb_transaction *t = arena_alloc(&c->arena, sizeof(*t));
    struct ddb_write *writes = arena_array(&c->arena, list->len + 1, sizeof(*writes));
    if (!t || !writes) {
        ddb_send_no_memory(c);
        return;
    }
    *t = (struct ddb_transaction){.call = c, .writes = writes, .n = list->len, .committed = statements_committed,
                                  .cancelled = statements_cancelled, .arg = ss};
    for (size_t i = 0; i < list->len; i++) {
        if (!ddb_prepare_write(c, &ss[i].r, ss[i].ref, ss[i].def, &writes[i])) {
            ddb_send_no_memory(c);
            return;
        }
    }
    const char *token = json_str(c->json, "ClientRequestToken");
    if (token && !ddb_transaction_set_token(t, token, list)) {
        ddb_send_no_memory(c);
        return;
    }
    ddb_transaction_commit(t);
}
