/* fuzz_ddb_request: DynamoDB's request checks (protocol/dynamodb request,
 * table, items, query, batch). The first byte picks the operation, the
 * rest is its JSON body. The body goes through ddb_request_check with the
 * operation's input shape; a refusal must carry a type and a message.
 * What passes goes on to the operation's own parsing and table checks, on
 * a fixed table with a local and a global index: CreateTable builds a
 * definition whose stored JSON must read back to the same text and whose
 * description must be written; UpdateTable and TagResource change the
 * fixed table; the item, read and batch operations parse and check
 * against it. Nothing may crash or leak whatever the input, and the
 * call arena's budget must fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"
#include "protocol/dynamodb/batch.h"
#include "protocol/dynamodb/items.h"
#include "protocol/dynamodb/query.h"
#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/table.h"

enum {
#define DDB_OP_INDEX(name, family, action, handler) OP_##name,
    DDB_OPERATIONS(DDB_OP_INDEX)
#undef DDB_OP_INDEX
    OP_COUNT
};

static const struct ddb_shape *const inputs[OP_COUNT] = {
#define DDB_OP_INPUT(name, family, action, handler) &ddb_input_##name,
    DDB_OPERATIONS(DDB_OP_INPUT)
#undef DDB_OP_INPUT
};

static const char FIXED_TABLE[] =
    "{\"TableName\":\"fuzz\",\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"b\",\"AttributeType\":\"N\"},{\"AttributeName\":\"c\",\"AttributeType\":\"B\"},"
    "{\"AttributeName\":\"d\",\"AttributeType\":\"S\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"b\",\"KeyType\":\"RANGE\"}],"
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"c\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"d\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"x\"]}}],"
    "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}";

static struct arena fixed_arena;
static struct ddb_table fixed;

static void make_fixed_table(void)
{
    static bool made;
    if (made)
        return;
    enum json_error jerr;
    const struct json_value *doc = json_parse(FIXED_TABLE, sizeof FIXED_TABLE - 1, &jerr);
    struct ddb_error err;
    arena_init(&fixed_arena, 0);
    if (!doc || !ddb_request_check(&ddb_input_CreateTable, doc, &err) ||
        !ddb_table_from_create(&fixed_arena, doc, "00000000-0000-4000-8000-000000000000", 1000, 2000, &fixed, &err))
        abort();
    ddb_table_settle(&fixed, 3000, true);
    /* The definition points into the arena, not into the document. */
    json_free(doc);
    made = true;
}

static void refused(const struct ddb_error *err)
{
    if (err->type == DDB_ERR_NONE || err->message[0] == '\0')
        abort();
}

static void describe(const struct ddb_table *t)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    ddb_table_describe(&w, "Table", t, "arn:aws:dynamodb:us-east-1:000000000000:table/fuzz", NULL, false);
    jw_object_close(&w);
    if (!strbuf_failed(&sb)) {
        enum json_error jerr;
        const struct json_value *back = json_parse(sb.data, sb.len, &jerr);
        if (!back)
            abort();
        json_free(back);
    }
    strbuf_free(&sb);
}

/* The stored form reads back to a definition that stores the same text. */
static void stored_round_trip(const struct ddb_table *t)
{
    struct strbuf first, second;
    strbuf_init(&first);
    strbuf_init(&second);
    ddb_table_to_json(&first, t);
    if (!strbuf_failed(&first)) {
        struct arena a;
        arena_init(&a, 0);
        struct ddb_table back;
        struct ddb_error err;
        if (!ddb_table_from_json(&a, first.data, first.len, &back, &err))
            abort();
        ddb_table_to_json(&second, &back);
        if (!strbuf_failed(&second) && (first.len != second.len || memcmp(first.data, second.data, first.len) != 0))
            abort();
        arena_free(&a);
    }
    strbuf_free(&first);
    strbuf_free(&second);
}

static void operation(int op, const struct json_value *doc, struct arena *a)
{
    struct ddb_error err;
    switch (op) {
    case OP_CreateTable: {
        struct ddb_table t;
        if (!ddb_table_from_create(a, doc, "11111111-1111-4111-8111-111111111111", 1000, 2000, &t, &err)) {
            refused(&err);
            return;
        }
        stored_round_trip(&t);
        describe(&t);
        ddb_table_settle(&t, 5000, false);
        describe(&t);
        return;
    }
    case OP_UpdateTable: {
        if (!ddb_table_check_update(doc, &err)) {
            refused(&err);
            return;
        }
        struct ddb_table t;
        struct ddb_table_change change;
        bool limit = false, in_use = false;
        if (!ddb_table_apply_update(a, &fixed, doc, 4000, 5000, &t, &change, &limit, &in_use, &err)) {
            refused(&err);
            return;
        }
        stored_round_trip(&t);
        describe(&t);
        return;
    }
    case OP_TagResource: {
        const struct json_value *tags = json_get(doc, "Tags");
        struct ddb_table t;
        if (tags && !ddb_table_add_tags(a, &fixed, tags, &t, &err))
            refused(&err);
        return;
    }
    case OP_PutItem:
    case OP_GetItem:
    case OP_UpdateItem:
    case OP_DeleteItem: {
        enum ddb_item_operation kind = op == OP_PutItem   ? DDB_OP_PUT
                                       : op == OP_GetItem ? DDB_OP_GET
                                       : op == OP_UpdateItem ? DDB_OP_UPDATE
                                                             : DDB_OP_DELETE;
        struct ddb_item_request r;
        if (!ddb_item_request_parse(a, kind, doc, false, &r, &err)) {
            refused(&err);
            return;
        }
        if (!ddb_item_request_check_table(&r, &fixed, &err))
            refused(&err);
        return;
    }
    case OP_Query:
    case OP_Scan: {
        struct ddb_read_request r;
        if (!ddb_read_request_parse(a, doc, op == OP_Scan, &r, &err)) {
            refused(&err);
            return;
        }
        struct ddb_read_plan plan;
        if (!ddb_read_request_check_table(&r, &fixed, &plan, &err))
            refused(&err);
        return;
    }
    case OP_BatchGetItem: {
        struct ddb_batch_get g;
        if (!ddb_batch_get_parse(a, doc, &g, &err))
            refused(&err);
        return;
    }
    case OP_BatchWriteItem: {
        struct ddb_batch_write w;
        if (!ddb_batch_write_parse(a, doc, &w, &err))
            refused(&err);
        return;
    }
    default:
        return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    make_fixed_table();
    int op = data[0] % OP_COUNT;
    enum json_error jerr;
    const struct json_value *doc = json_parse((const char *)data + 1, size - 1, &jerr);
    if (!doc)
        return 0;
    struct ddb_error err;
    if (!ddb_request_check(inputs[op], doc, &err)) {
        refused(&err);
    } else {
        struct arena arena, small;
        arena_init(&arena, 0);
        operation(op, doc, &arena);
        arena_free(&arena);
        arena_init(&small, 256);
        operation(op, doc, &small);
        arena_free(&small);
    }
    json_free(doc);
    return 0;
}
