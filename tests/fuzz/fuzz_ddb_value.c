/* fuzz_ddb_value: DynamoDB AttributeValues from JSON (protocol/dynamodb
 * value_json). The input is a JSON document read both as one
 * AttributeValue and as a map of them (an item). What converts must
 * serialize to JSON that converts again to an equal value with the same
 * text, the same size and the same depth; nothing may crash or leak
 * whatever the input, and a small arena budget must fail cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/value_json.h"

static void round_trip(const struct ddb_value *v, bool map)
{
    struct strbuf first, second;
    strbuf_init(&first);
    strbuf_init(&second);
    if (map)
        ddb_map_to_json(&first, v);
    else
        ddb_value_to_json(&first, v);
    if (strbuf_failed(&first))
        goto out;
    enum json_error jerr;
    const struct json_value *again = json_parse(first.data, first.len, &jerr);
    if (!again)
        abort();
    struct arena arena;
    arena_init(&arena, 0);
    struct ddb_value back;
    struct ddb_error err;
    bool ok = map ? ddb_map_from_json(&arena, again, &back, &err)
                  : ddb_value_from_json(&arena, again, DDB_SLOT_MAP_VALUE, &back, &err);
    if (!ok || !ddb_value_equal(v, &back))
        abort();
    if (map ? ddb_item_size(v) != ddb_item_size(&back) : ddb_value_size(v) != ddb_value_size(&back))
        abort();
    if (ddb_value_depth(v) != ddb_value_depth(&back))
        abort();
    if (map)
        ddb_map_to_json(&second, &back);
    else
        ddb_value_to_json(&second, &back);
    if (!strbuf_failed(&second) && (second.len != first.len || memcmp(first.data, second.data, first.len) != 0))
        abort();
    arena_free(&arena);
    json_free(again);
out:
    strbuf_free(&first);
    strbuf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum json_error jerr;
    const struct json_value *doc = json_parse((const char *)data, size, &jerr);
    if (!doc)
        return 0;
    struct arena arena, small;
    arena_init(&arena, 0);
    arena_init(&small, 512);
    struct ddb_value v;
    struct ddb_error err;
    if (ddb_value_from_json(&arena, doc, DDB_SLOT_MAP_VALUE, &v, &err)) {
        if (ddb_value_depth(&v) > DDB_MAX_NESTING)
            abort();
        round_trip(&v, false);
    } else if (err.type == DDB_ERR_NONE || err.message[0] == '\0') {
        abort();
    }
    if (ddb_map_from_json(&arena, doc, &v, &err))
        round_trip(&v, true);
    (void)ddb_map_from_json(&small, doc, &v, &err);
    arena_free(&small);
    arena_free(&arena);
    json_free(doc);
    return 0;
}
