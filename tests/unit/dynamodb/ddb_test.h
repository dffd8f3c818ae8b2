/* Helpers shared by the DynamoDB protocol unit tests: parse JSON text,
 * convert AttributeValues, serialize them back, and load an expression
 * context from JSON text. Header-only: each test binary includes it once. */
#ifndef CLOUDLESS_TESTS_DDB_TEST_H
#define CLOUDLESS_TESTS_DDB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/dynamodb/expression.h"
#include "protocol/dynamodb/value_json.h"

/* Every test runs with one arena and frees the JSON trees it parsed. */
struct fixture {
    struct arena arena;
    const struct json_value *trees[512];
    size_t ntrees;
    struct ddb_error err;
};

static struct fixture *fx;

__attribute__((unused)) static int fixture_setup(void **state)
{
    fx = calloc(1, sizeof(*fx));
    arena_init(&fx->arena, 0);
    *state = fx;
    return 0;
}

__attribute__((unused)) static int fixture_teardown(void **state)
{
    for (size_t i = 0; i < fx->ntrees; i++)
        json_free(fx->trees[i]);
    arena_free(&fx->arena);
    free(fx);
    fx = NULL;
    *state = NULL;
    return 0;
}

__attribute__((unused)) static const struct json_value *J(const char *text)
{
    if (!text)
        return NULL;
    enum json_error e;
    const struct json_value *v = json_parse(text, strlen(text), &e);
    assert_non_null(v);
    assert_true(fx->ntrees < 512);
    fx->trees[fx->ntrees++] = v;
    return v;
}

/* A value from JSON text that must be valid. */
__attribute__((unused)) static struct ddb_value V(const char *text)
{
    struct ddb_value v;
    if (!ddb_value_from_json(&fx->arena, J(text), DDB_SLOT_MAP_VALUE, &v, &fx->err))
        fail_msg("%s: %s", text, fx->err.message);
    return v;
}

/* A map (item, key) from JSON text that must be valid. */
__attribute__((unused)) static struct ddb_value M(const char *text)
{
    struct ddb_value v;
    if (!ddb_map_from_json(&fx->arena, J(text), &v, &fx->err))
        fail_msg("%s: %s", text, fx->err.message);
    return v;
}

/* The error converting text, which must fail. */
__attribute__((unused)) static const char *value_error(const char *text, enum ddb_error_type type)
{
    struct ddb_value v;
    memset(&fx->err, 0, sizeof(fx->err));
    assert_false(ddb_value_from_json(&fx->arena, J(text), DDB_SLOT_MAP_VALUE, &v, &fx->err));
    assert_int_equal(fx->err.type, type);
    return fx->err.message;
}

/* Serialized JSON of a value or map (static buffer, next call overwrites). */
__attribute__((unused)) static const char *to_json(const struct ddb_value *v, bool map)
{
    static char out[8192];
    struct strbuf sb;
    strbuf_init(&sb);
    if (map)
        ddb_map_to_json(&sb, v);
    else
        ddb_value_to_json(&sb, v);
    assert_false(strbuf_failed(&sb));
    snprintf(out, sizeof(out), "%s", sb.data ? sb.data : "");
    strbuf_free(&sb);
    return out;
}

__attribute__((unused)) static struct ddb_expr_context *context(const char *names, const char *values)
{
    static struct ddb_expr_context ctx;
    if (!ddb_expr_context_init(&ctx, &fx->arena, J(names), J(values), &fx->err))
        fail_msg("context: %s", fx->err.message);
    return &ctx;
}

#endif
