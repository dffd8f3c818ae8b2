/* test_ddb_store: DynamoDB's storage functions (storage/dynamodb/) against
 * an in-memory database made by the DynamoDB schema steps, one connection
 * serving as writer and reader. Above all the contract with Streams and
 * time to live (storage/dynamodb/ddb_store.h): a stream record per item
 * change, in the same transaction, with the images the view type asks
 * for, none when nothing changed; streams listed newest first, read by
 * sequence, trimmed; expired items listed by expiry and removed by a TTL
 * write that records its principal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/core/json.h"
#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/key.h"
#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/value_json.h"
#include "storage/core/store_internal.h"
#include "storage/dynamodb/ddb_store.h"

#define ACCT "000000000000"
#define REGION "us-east-1"
#define T0 1700000000000LL

struct fixture {
    struct store_conn conn;
    struct arena arena;
    const struct json_value *trees[64];
    size_t ntrees;
    struct ddb_table table;
    int64_t id, version;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f || sqlite3_open(":memory:", &f->conn.db) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < ddb_schema.n_steps; i++)
        if (sqlite3_exec(f->conn.db, ddb_schema.steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    arena_init(&f->arena, 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < f->ntrees; i++)
        json_free(f->trees[i]);
    arena_free(&f->arena);
    db_conn_close(&f->conn);
    free(f);
    return 0;
}

static const struct json_value *J(struct fixture *f, const char *text)
{
    enum json_error e;
    const struct json_value *v = json_parse(text, strlen(text), &e);
    assert_non_null(v);
    assert_true(f->ntrees < 64);
    f->trees[f->ntrees++] = v;
    return v;
}

/* A table pk (S) + sk (N) with a stream of the view type (NULL: none)
 * and, when ttl, time to live on "exp". */
static void make_table(struct fixture *f, const char *name, const char *view, bool ttl)
{
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
             "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
             "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]"
             "%s%s%s}",
             name, view ? ",\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"" : "",
             view ? view : "", view ? "\"}" : "");
    const struct json_value *req = J(f, body);
    struct ddb_error err;
    assert_true(ddb_request_check(&ddb_input_CreateTable, req, &err));
    assert_true(ddb_table_from_create(&f->arena, req, "6f1c3a52-1d1e-4a3b-9c8d-0123456789ab", T0, T0, &f->table, &err));
    ddb_table_settle(&f->table, T0, true);
    if (ttl) {
        f->table.ttl_enabled = true;
        f->table.ttl_attribute = (struct ddb_name){"exp", 3};
    }
    struct strbuf def;
    strbuf_init(&def);
    ddb_table_to_json(&def, &f->table);
    assert_int_equal(ddb_table_create(&f->conn, ACCT, REGION, name, def.data,
                                      f->table.stream_enabled ? f->table.stream_view_type : NULL,
                                      f->table.stream_label, T0, &f->id),
                     DDB_STORE_OK);
    strbuf_free(&def);
    f->version = 1;
}

/* One item change through ddb_item_write; the outcome. */
static enum ddb_write_outcome write_item(struct fixture *f, const char *op, const char *request, int64_t now_ms,
                                         bool ttl_removal)
{
    const struct json_value *req = J(f, request);
    enum ddb_item_operation kind = strcmp(op, "put") == 0      ? DDB_OP_PUT
                                   : strcmp(op, "update") == 0 ? DDB_OP_UPDATE
                                                               : DDB_OP_DELETE;
    struct ddb_item_request *r = arena_alloc(&f->arena, sizeof(*r));
    struct ddb_error err;
    assert_non_null(r);
    if (!ddb_item_request_parse(&f->arena, kind, req, false, r, &err))
        fail_msg("%s: %s", request, err.message);
    struct ddb_write *w = arena_alloc(&f->arena, sizeof(*w));
    memset(w, 0, sizeof(*w));
    w->table = &f->table;
    w->table_id = f->id;
    w->version = f->version;
    w->condition = r->condition;
    w->ttl_removal = ttl_removal;
    if (kind == DDB_OP_PUT) {
        w->kind = DDB_WRITE_PUT;
        w->item = &r->item;
        assert_true(ddb_item_key(&f->arena, &f->table.keys, &r->item, &w->key_map));
    } else {
        w->kind = kind == DDB_OP_UPDATE ? DDB_WRITE_UPDATE : DDB_WRITE_DELETE;
        w->update = kind == DDB_OP_UPDATE ? &r->update : NULL;
        w->key_map = r->key;
    }
    assert_true(ddb_stored_key_of(&f->arena, &f->table.keys, &w->key_map, &w->key));
    assert_int_equal(sqlite3_exec(f->conn.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(ddb_item_write(&f->conn, &f->arena, w, now_ms), DDB_STORE_OK);
    assert_int_equal(sqlite3_exec(f->conn.db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    return w->outcome;
}

#define PUT(f, item) write_item(f, "put", "{\"TableName\":\"t\",\"Item\":" item "}", T0 + 1000, false)

/* ---- what visitors saw -------------------------------------------------------------- */

struct records {
    int64_t seq[16];
    char event[16][8];
    char keys[16][128], new_image[16][256], old_image[16][256];
    bool has_new[16], has_old[16], ttl[16];
    int64_t size[16];
    size_t n;
};

static bool record(void *arg, const struct ddb_stream_record *r)
{
    struct records *s = arg;
    assert_true(s->n < 16);
    s->seq[s->n] = r->seq;
    snprintf(s->event[s->n], sizeof(s->event[0]), "%s", r->event);
    snprintf(s->keys[s->n], sizeof(s->keys[0]), "%.*s", (int)r->keys_len, r->keys);
    s->has_new[s->n] = r->new_image != NULL;
    s->has_old[s->n] = r->old_image != NULL;
    if (r->new_image)
        snprintf(s->new_image[s->n], sizeof(s->new_image[0]), "%.*s", (int)r->new_len, r->new_image);
    if (r->old_image)
        snprintf(s->old_image[s->n], sizeof(s->old_image[0]), "%.*s", (int)r->old_len, r->old_image);
    s->ttl[s->n] = r->ttl_removal;
    s->size[s->n] = r->size;
    s->n++;
    return true;
}

struct streams {
    int64_t id[8];
    char label[8][32], view[8][24];
    int64_t disabled_ms[8];
    int64_t trimmed_seq[8];
    size_t n;
};

static bool stream_seen(void *arg, const struct ddb_stream_info *info)
{
    struct streams *s = arg;
    assert_true(s->n < 8);
    s->id[s->n] = info->id;
    snprintf(s->label[s->n], sizeof(s->label[0]), "%s", info->label);
    snprintf(s->view[s->n], sizeof(s->view[0]), "%s", info->view_type);
    s->disabled_ms[s->n] = info->disabled_ms;
    s->trimmed_seq[s->n] = info->trimmed_seq;
    s->n++;
    return true;
}

static void stream_got(void *arg, const struct ddb_stream_info *info) { (void)stream_seen(arg, info); }

static int64_t only_stream(struct fixture *f, const char *table)
{
    struct streams s = {0};
    assert_int_equal(ddb_stream_list(&f->conn, ACCT, REGION, table, stream_seen, &s), DDB_STORE_OK);
    assert_int_equal(s.n, 1);
    return s.id[0];
}

/* ---- tests ---------------------------------------------------------------------------- */

static void test_every_change_writes_a_record(void **state)
{
    struct fixture *f = *state;
    make_table(f, "orders", "NEW_AND_OLD_IMAGES", false);
    int64_t stream = only_stream(f, "orders");

    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"N\":\"1\"}}"), DDB_WRITE_DONE);
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"N\":\"2\"}}"), DDB_WRITE_DONE);
    /* Nothing changes: no record. */
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"N\":\"2\"}}"), DDB_WRITE_DONE);
    assert_int_equal(write_item(f, "update",
                                "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
                                "\"UpdateExpression\":\"SET v = v + :one\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}}}",
                                T0 + 2000, false),
                     DDB_WRITE_DONE);
    /* A failed condition: no record. */
    assert_int_equal(write_item(f, "delete",
                                "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}},"
                                "\"ConditionExpression\":\"attribute_not_exists(v)\"}",
                                T0 + 3000, false),
                     DDB_WRITE_CONDITION_FAILED);
    assert_int_equal(write_item(f, "delete", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}",
                                T0 + 4000, false),
                     DDB_WRITE_DONE);
    /* Deleting what is not there: no record. */
    assert_int_equal(write_item(f, "delete", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}}",
                                T0 + 5000, false),
                     DDB_WRITE_DONE);

    struct records r = {0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, 0, 100, record, &r), DDB_STORE_OK);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.event[0], "INSERT");
    assert_string_equal(r.event[1], "MODIFY");
    assert_string_equal(r.event[2], "MODIFY");
    assert_string_equal(r.event[3], "REMOVE");
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.keys[i], "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}");
        if (i)
            assert_true(r.seq[i] > r.seq[i - 1]);
        assert_false(r.ttl[i]);
    }
    assert_true(r.has_new[0] && !r.has_old[0]);
    assert_non_null(strstr(r.new_image[0], "\"v\":{\"N\":\"1\"}"));
    assert_non_null(strstr(r.old_image[1], "\"v\":{\"N\":\"1\"}"));
    assert_non_null(strstr(r.new_image[1], "\"v\":{\"N\":\"2\"}"));
    assert_non_null(strstr(r.new_image[2], "\"v\":{\"N\":\"3\"}"));
    assert_true(!r.has_new[3] && r.has_old[3]);
    assert_true(r.size[1] > r.size[0]);

    /* Reading on from a sequence number, a page at a time. */
    struct records later = {0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, r.seq[1], 1, record, &later), DDB_STORE_OK);
    assert_int_equal(later.n, 1);
    assert_int_equal(later.seq[0], r.seq[2]);
    int64_t first, last;
    assert_int_equal(ddb_stream_bounds(&f->conn, stream, &first, &last), DDB_STORE_OK);
    assert_int_equal(first, r.seq[0]);
    assert_int_equal(last, r.seq[3]);
}

static void test_view_types_and_no_stream(void **state)
{
    struct fixture *f = *state;
    make_table(f, "keys-only", "KEYS_ONLY", false);
    int64_t stream = only_stream(f, "keys-only");
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"v\":{\"S\":\"x\"}}"), DDB_WRITE_DONE);
    struct records r = {0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, 0, 10, record, &r), DDB_STORE_OK);
    assert_int_equal(r.n, 1);
    assert_false(r.has_new[0]);
    assert_false(r.has_old[0]);

    make_table(f, "plain", NULL, false);
    struct streams s = {0};
    assert_int_equal(ddb_stream_list(&f->conn, ACCT, REGION, "plain", stream_seen, &s), DDB_STORE_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"), DDB_WRITE_DONE);
    int64_t first, last;
    assert_int_equal(ddb_stream_bounds(&f->conn, stream, &first, &last), DDB_STORE_OK);
    assert_int_equal(last, r.seq[0]);
}

static void test_streams_disabled_and_begun_again(void **state)
{
    struct fixture *f = *state;
    make_table(f, "orders", "NEW_IMAGE", false);
    char first_label[32];
    snprintf(first_label, sizeof(first_label), "%s", f->table.stream_label);
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"}}"), DDB_WRITE_DONE);

    struct strbuf def;
    strbuf_init(&def);
    f->table.stream_enabled = false;
    ddb_table_to_json(&def, &f->table);
    struct ddb_table_storage_change off = {.stream_disabled = true};
    assert_int_equal(ddb_table_update(&f->conn, f->id, f->version, def.data, &off, T0 + 10000, &f->version),
                     DDB_STORE_OK);
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"1\"}}"), DDB_WRITE_DONE);

    strbuf_reset(&def);
    f->table.stream_enabled = true;
    f->table.stream_view_type = "OLD_IMAGE";
    snprintf(f->table.stream_label, sizeof(f->table.stream_label), "2023-11-14T22:13:40.000");
    ddb_table_to_json(&def, &f->table);
    struct ddb_table_storage_change on = {.stream_view_type = "OLD_IMAGE", .stream_label = f->table.stream_label};
    assert_int_equal(ddb_table_update(&f->conn, f->id, f->version, def.data, &on, T0 + 20000, &f->version),
                     DDB_STORE_OK);
    strbuf_free(&def);
    assert_int_equal(PUT(f, "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"}}"), DDB_WRITE_DONE);

    struct streams s = {0};
    assert_int_equal(ddb_stream_list(&f->conn, ACCT, REGION, "orders", stream_seen, &s), DDB_STORE_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.label[0], "2023-11-14T22:13:40.000");   /* newest first */
    assert_string_equal(s.view[0], "OLD_IMAGE");
    assert_int_equal(s.disabled_ms[0], 0);
    assert_string_equal(s.label[1], first_label);
    assert_int_equal(s.disabled_ms[1], T0 + 10000);

    struct records old = {0}, now = {0};
    assert_int_equal(ddb_stream_read(&f->conn, s.id[1], 0, 10, record, &old), DDB_STORE_OK);
    assert_int_equal(old.n, 1);                 /* b was written while no stream was enabled */
    assert_int_equal(ddb_stream_read(&f->conn, s.id[0], 0, 10, record, &now), DDB_STORE_OK);
    assert_int_equal(now.n, 1);
    assert_string_equal(now.keys[0], "{\"pk\":{\"S\":\"c\"},\"sk\":{\"N\":\"1\"}}");

    struct streams got = {0};
    assert_int_equal(ddb_stream_get(&f->conn, ACCT, REGION, "orders", first_label, stream_got, &got), DDB_STORE_OK);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.id[0], s.id[1]);
    assert_int_equal(ddb_stream_get(&f->conn, ACCT, REGION, "orders", "nope", stream_got, &got),
                     DDB_STORE_NOT_FOUND);

    /* Trimming, a step at a time: records older than the cutoff go, oldest
     * first, each stream remembering the last one it lost; then the
     * disabled stream left empty. */
    bool more = false;
    assert_int_equal(ddb_stream_trim(&f->conn, T0 + 30000, 1, &more), DDB_STORE_OK);
    assert_true(more);
    struct streams mid = {0};
    assert_int_equal(ddb_stream_list(&f->conn, ACCT, REGION, "orders", stream_seen, &mid), DDB_STORE_OK);
    assert_int_equal(mid.n, 1);                 /* the disabled stream lost its one record, and went */
    assert_string_equal(mid.label[0], "2023-11-14T22:13:40.000");
    assert_int_equal(mid.trimmed_seq[0], 0);
    assert_int_equal(ddb_stream_trim(&f->conn, T0 + 30000, 10, &more), DDB_STORE_OK);
    assert_false(more);
    struct records none = {0};
    assert_int_equal(ddb_stream_read(&f->conn, s.id[0], 0, 10, record, &none), DDB_STORE_OK);
    assert_int_equal(none.n, 0);
    s = (struct streams){0};
    assert_int_equal(ddb_stream_list(&f->conn, ACCT, REGION, "orders", stream_seen, &s), DDB_STORE_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.label[0], "2023-11-14T22:13:40.000");
    assert_int_equal(s.trimmed_seq[0], now.seq[0]);
    /* Nothing old left: a step does nothing. */
    assert_int_equal(ddb_stream_trim(&f->conn, T0 + 30000, 10, &more), DDB_STORE_OK);
    assert_false(more);
}

struct expired {
    char keys[8][64];
    size_t n;
};

static bool expired_seen(void *arg, const struct ddb_stored_item *item)
{
    struct expired *e = arg;
    assert_true(e->n < 8);
    snprintf(e->keys[e->n], sizeof(e->keys[0]), "%.*s", (int)item->hk_len, (const char *)item->hk);
    e->n++;
    return true;
}

static void test_time_to_live(void **state)
{
    struct fixture *f = *state;
    make_table(f, "sessions", "NEW_AND_OLD_IMAGES", true);
    int64_t stream = only_stream(f, "sessions");
    int64_t now_s = T0 / 1000;
    char item[256];
    static const char *const names[] = {"late", "early", "future", "text", "none"};
    static const char *const exps[] = {"{\"N\":\"%lld\"}", "{\"N\":\"%lld\"}", "{\"N\":\"%lld\"}", "{\"S\":\"%lld\"}",
                                       NULL};
    static const int64_t offsets[] = {-10, -100, 100, -100, 0};
    for (int i = 0; i < 5; i++) {
        char exp[64] = "";
        if (exps[i]) {
            char value[48];
            snprintf(value, sizeof(value), exps[i], (long long)(now_s + offsets[i]));
            snprintf(exp, sizeof(exp), ",\"exp\":%s", value);
        }
        snprintf(item, sizeof(item), "{\"TableName\":\"t\",\"Item\":{\"pk\":{\"S\":\"%s\"},\"sk\":{\"N\":\"1\"}%s}}",
                 names[i], exp);
        assert_int_equal(write_item(f, "put", item, T0 - 200000, false), DDB_WRITE_DONE);
    }
    /* The sweep finds the table, and nothing after it. */
    int64_t next;
    assert_int_equal(ddb_ttl_next_table(&f->conn, 0, &next), DDB_STORE_OK);
    assert_int_equal(next, f->id);
    assert_int_equal(ddb_ttl_next_table(&f->conn, f->id, &next), DDB_STORE_OK);
    assert_int_equal(next, 0);
    /* Expired items only (a number in the past), soonest first. */
    struct expired e = {0};
    assert_int_equal(ddb_ttl_expired(&f->conn, f->id, now_s, 10, expired_seen, &e), DDB_STORE_OK);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.keys[0], "early");
    assert_string_equal(e.keys[1], "late");

    /* The TTL deletion: removed with a REMOVE record marked as TTL's. */
    assert_int_equal(write_item(f, "delete", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"early\"},\"sk\":{\"N\":\"1\"}}}",
                                T0, true),
                     DDB_WRITE_DONE);
    /* Not (or no longer) expired: left alone. */
    assert_int_equal(write_item(f, "delete", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"future\"},\"sk\":{\"N\":\"1\"}}}",
                                T0, true),
                     DDB_WRITE_CONDITION_FAILED);
    assert_int_equal(write_item(f, "delete", "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"early\"},\"sk\":{\"N\":\"1\"}}}",
                                T0, true),
                     DDB_WRITE_CONDITION_FAILED);
    e = (struct expired){0};
    assert_int_equal(ddb_ttl_expired(&f->conn, f->id, now_s, 10, expired_seen, &e), DDB_STORE_OK);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.keys[0], "late");
    /* An update that moves the expiry into the future takes the item off the list. */
    snprintf(item, sizeof(item),
             "{\"TableName\":\"t\",\"Key\":{\"pk\":{\"S\":\"late\"},\"sk\":{\"N\":\"1\"}},\"UpdateExpression\":\"SET exp = :e\","
             "\"ExpressionAttributeValues\":{\":e\":{\"N\":\"%lld\"}}}",
             (long long)(now_s + 1000));
    assert_int_equal(write_item(f, "update", item, T0, false), DDB_WRITE_DONE);
    e = (struct expired){0};
    assert_int_equal(ddb_ttl_expired(&f->conn, f->id, now_s, 10, expired_seen, &e), DDB_STORE_OK);
    assert_int_equal(e.n, 0);

    struct records r = {0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, 0, 16, record, &r), DDB_STORE_OK);
    assert_int_equal(r.n, 7);                   /* five inserts, the TTL removal, the update */
    assert_string_equal(r.event[5], "REMOVE");
    assert_true(r.ttl[5]);
    assert_true(r.has_old[5]);
    assert_false(r.ttl[6]);
}

static void test_transactions_write_records(void **state)
{
    struct fixture *f = *state;
    make_table(f, "ledger", "KEYS_ONLY", false);
    int64_t stream = only_stream(f, "ledger");
    struct ddb_write writes[2];
    const char *keys[2] = {"{\"pk\":{\"S\":\"x\"},\"sk\":{\"N\":\"1\"}}", "{\"pk\":{\"S\":\"y\"},\"sk\":{\"N\":\"2\"}}"};
    struct ddb_value items[2];
    struct ddb_error err;
    for (int i = 0; i < 2; i++) {
        memset(&writes[i], 0, sizeof(writes[i]));
        assert_true(ddb_map_from_json(&f->arena, J(f, keys[i]), &items[i], &err));
        writes[i].kind = DDB_WRITE_PUT;
        writes[i].table = &f->table;
        writes[i].table_id = f->id;
        writes[i].version = f->version;
        writes[i].item = &items[i];
        writes[i].key_map = items[i];
        assert_true(ddb_stored_key_of(&f->arena, &f->table.keys, &items[i], &writes[i].key));
    }
    unsigned char digest[32] = {1};
    enum ddb_token_state token_state;
    bool committed = false;
    assert_int_equal(sqlite3_exec(f->conn.db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(ddb_transact(&f->conn, &f->arena, writes, 2, ACCT, REGION, "token-1", digest, T0, &token_state,
                                  &committed),
                     DDB_STORE_OK);
    assert_int_equal(sqlite3_exec(f->conn.db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_true(committed);
    assert_int_equal(token_state, DDB_TOKEN_NEW);
    struct records r = {0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, 0, 10, record, &r), DDB_STORE_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.keys[0], keys[0]);
    assert_string_equal(r.keys[1], keys[1]);

    /* The same token again within ten minutes: nothing is written again. */
    for (int i = 0; i < 2; i++)
        writes[i].outcome = DDB_WRITE_DONE;
    committed = false;
    assert_int_equal(ddb_transact(&f->conn, &f->arena, writes, 2, ACCT, REGION, "token-1", digest, T0 + 1000,
                                  &token_state, &committed),
                     DDB_STORE_OK);
    assert_int_equal(token_state, DDB_TOKEN_SAME);
    digest[0] = 2;
    assert_int_equal(ddb_transact(&f->conn, &f->arena, writes, 2, ACCT, REGION, "token-1", digest, T0 + 1000,
                                  &token_state, &committed),
                     DDB_STORE_OK);
    assert_int_equal(token_state, DDB_TOKEN_MISMATCH);
    r = (struct records){0};
    assert_int_equal(ddb_stream_read(&f->conn, stream, 0, 10, record, &r), DDB_STORE_OK);
    assert_int_equal(r.n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_change_writes_a_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_types_and_no_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams_disabled_and_begun_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_to_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions_write_records, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
