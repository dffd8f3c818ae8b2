/* fuzz_ddb_expression: DynamoDB's expression language (protocol/dynamodb
 * condition, update, projection, key_condition). The first byte picks the
 * parser, the rest is the expression, parsed against fixed
 * ExpressionAttributeNames/Values; what parses is evaluated against a
 * fixed item (conditions), reduced (key conditions), applied to it
 * (updates, checking the result stays within the nesting limit) or
 * projected. Errors must name their expression; nothing may crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/expression.h"
#include "protocol/dynamodb/value_json.h"

static const char names_json[] = "{\"#a\":\"a\",\"#b\":\"b\",\"#l\":\"l\",\"#m\":\"m\",\"#n\":\"n\",\"#s\":\"s\","
                                 "\"#dot\":\"x.y\",\"#idx\":\"[1]\"}";
static const char values_json[] =
    "{\":s\":{\"S\":\"str\"},\":n\":{\"N\":\"12.5\"},\":z\":{\"N\":\"0\"},\":big\":{\"N\":\"9e125\"},"
    "\":b\":{\"B\":\"AQI=\"},\":t\":{\"BOOL\":true},\":null\":{\"NULL\":true},\":ss\":{\"SS\":[\"a\",\"b\"]},"
    "\":ns\":{\"NS\":[\"1\",\"2\"]},\":bs\":{\"BS\":[\"AQ==\"]},\":l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"1\"}]},"
    "\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\":type\":{\"S\":\"S\"}}";
static const char item_json[] =
    "{\"a\":{\"S\":\"str\"},\"b\":{\"N\":\"3\"},\"s\":{\"SS\":[\"a\",\"c\"]},\"n\":{\"NS\":[\"1\"]},"
    "\"l\":{\"L\":[{\"S\":\"x\"},{\"M\":{\"q\":{\"L\":[{\"N\":\"1\"}]}}},{\"N\":\"7\"}]},"
    "\"m\":{\"M\":{\"k\":{\"S\":\"v\"},\"in\":{\"M\":{\"deep\":{\"BOOL\":false}}}}},\"x.y\":{\"NULL\":true}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum json_error jerr;
    const struct json_value *names = json_parse(names_json, sizeof(names_json) - 1, &jerr);
    const struct json_value *values = json_parse(values_json, sizeof(values_json) - 1, &jerr);
    const struct json_value *item_doc = json_parse(item_json, sizeof(item_json) - 1, &jerr);
    if (!names || !values || !item_doc)
        abort();
    struct arena arena;
    arena_init(&arena, 16 << 20);
    struct ddb_error err;
    struct ddb_expr_context ctx;
    struct ddb_value item;
    if (!ddb_expr_context_init(&ctx, &arena, names, values, &err) || !ddb_map_from_json(&arena, item_doc, &item, &err))
        abort();
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    bool ok = false;
    switch (data[0] % 5) {
    case 0:
    case 1: {
        struct ddb_parsed_condition pc;
        ok = ddb_parse_condition(&ctx, data[0] % 5 ? DDB_EXPR_FILTER : DDB_EXPR_CONDITION, text, len, &pc, &err);
        if (ok) {
            (void)ddb_condition_eval(pc.condition, &item);
            (void)ddb_condition_eval(pc.condition, NULL);
        }
        break;
    }
    case 2: {
        struct ddb_parsed_condition pc;
        struct ddb_key_condition kc;
        ok = ddb_parse_key_condition(&ctx, text, len, &pc, &err);
        if (ok && ddb_key_condition_reduce(&arena, &pc, &kc, &err)) {
            struct ddb_key_schema schema = {"a", 1, DDB_S, "b", 1, DDB_N};
            const struct ddb_key_predicate *hash, *range;
            if (ddb_key_condition_check(&kc, &schema, &hash, &range, &err) && range) {
                struct ddb_key_range r;
                (void)ddb_key_predicate_range(&arena, range, &r);
                (void)ddb_key_predicate_matches(range, ddb_map_get(&item, "b", 1));
            }
        }
        break;
    }
    case 3: {
        struct ddb_update u;
        ok = ddb_parse_update(&ctx, text, len, &u, &err);
        struct ddb_value out;
        if (ok && ddb_update_apply(&arena, &u, &item, &out, &err)) {
            for (size_t i = 0; i < out.len; i++)
                if (ddb_value_depth(&out.u.attrs[i].value) > DDB_MAX_NESTING)
                    abort();
            struct ddb_path *paths;
            size_t n;
            struct ddb_value projected;
            if (ddb_update_paths(&arena, &u, &paths, &n))
                (void)ddb_project(&arena, &out, paths, n, &projected);
        }
        break;
    }
    case 4: {
        struct ddb_projection p;
        ok = ddb_parse_projection(&ctx, text, len, &p, &err);
        struct ddb_value out;
        if (ok)
            (void)ddb_project(&arena, &item, p.paths, p.len, &out);
        break;
    }
    }
    if (!ok && err.type != DDB_ERR_NOMEM && strncmp(err.message, "Invalid ", 8) != 0)
        abort();
    if (ok)
        (void)ddb_expr_context_check_unused(&ctx, &err);
    arena_free(&arena);
    json_free(names);
    json_free(values);
    json_free(item_doc);
    return 0;
}
