/* fuzz_ddb_partiql: DynamoDB PartiQL statements (protocol/dynamodb
 * partiql). The input is a statement parsed with three fixed parameters;
 * what parses has its WHERE evaluated against a fixed item, its key
 * extracted, and an UPDATE applied. Errors must be AWS-style validation
 * errors (or the arena budget); nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/partiql.h"
#include "protocol/dynamodb/value_json.h"

static const char params_json[] = "[{\"S\":\"k\"},{\"N\":\"5\"},{\"SS\":[\"x\",\"y\"]}]";
static const char item_json[] = "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"},\"a\":{\"N\":\"5\"},\"ss\":{\"SS\":[\"a\"]},"
                                "\"l\":{\"L\":[{\"S\":\"x\"},{\"M\":{\"q\":{\"N\":\"1\"}}}]},\"m\":{\"M\":{\"k\":{\"S\":\"v\"}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum json_error jerr;
    const struct json_value *pj = json_parse(params_json, sizeof(params_json) - 1, &jerr);
    const struct json_value *ij = json_parse(item_json, sizeof(item_json) - 1, &jerr);
    if (!pj || !ij)
        abort();
    struct arena arena;
    arena_init(&arena, 16 << 20);
    struct ddb_error err;
    struct ddb_value params[3], item;
    for (size_t i = 0; i < 3; i++)
        if (!ddb_value_from_json(&arena, &pj->u.items[i], DDB_SLOT_MAP_VALUE, &params[i], &err))
            abort();
    if (!ddb_map_from_json(&arena, ij, &item, &err))
        abort();
    struct ddb_partiql st;
    if (ddb_partiql_parse(&arena, (const char *)data, size, params, 3, &st, &err)) {
        if (st.where)
            (void)ddb_condition_eval(st.where, &item);
        struct ddb_key_schema schema = {"pk", 2, DDB_S, "sk", 2, DDB_N};
        struct ddb_value key, out;
        bool complete;
        (void)ddb_partiql_key(&arena, &st, &schema, &key, &complete);
        if (st.kind == DDB_PARTIQL_UPDATE && ddb_update_apply(&arena, &st.update, &item, &out, &err))
            for (size_t i = 0; i < out.len; i++)
                if (ddb_value_depth(&out.u.attrs[i].value) > DDB_MAX_NESTING)
                    abort();
        if (st.kind == DDB_PARTIQL_SELECT && !st.select_all)
            (void)ddb_project(&arena, &item, st.projection.paths, st.projection.len, &out);
    } else if (err.type != DDB_ERR_VALIDATION && err.type != DDB_ERR_NOMEM) {
        abort();
    }
    arena_free(&arena);
    json_free(pj);
    json_free(ij);
    return 0;
}
