/* Unit tests for protocol/dynamodb projection.c and legacy.c:
 * ProjectionExpression syntax and AWS's errors, projecting items onto
 * paths, AttributesToGet, Expected, QueryFilter/ScanFilter, KeyConditions
 * and the rules against mixing legacy and expression parameters. */
#include "ddb_test.h"

#include "protocol/dynamodb/legacy.h"

static const char *projection_error(const char *expr, const char *names)
{
    struct ddb_expr_context *ctx = context(names, NULL);
    struct ddb_projection p;
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_parse_projection(ctx, expr, strlen(expr), &p, &fx->err))
        return NULL;
    return fx->err.message;
}

static void test_projection_errors(void **state)
{
    (void)state;
    static const char *const syntax[] = {"whatever(stuff)", ":a", "abort,", "a,,b", "a..b", "a[b]", "(a.b).c", "(a)",
                                         "(a),(b)", "(a,b)", "a-b", "a[1", ","};
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        const char *got = projection_error(syntax[i], NULL);
        if (!got || strncmp(got, "Invalid ProjectionExpression: Syntax error; ", 44) != 0)
            fail_msg("%s: %s", syntax[i], got ? got : "(ok)");
    }
    assert_string_equal(projection_error("a.abORt", NULL),
                        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: abORt");
    assert_string_equal(projection_error("#a,ABSoLUTE", NULL),
                        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: ABSoLUTE");
    assert_string_equal(projection_error("a,b,a,#a", NULL),
                        "Invalid ProjectionExpression: An expression attribute name used in the document path is not "
                        "defined; attribute name: #a");
    assert_string_equal(projection_error("b[1], b.a, #a.b, a", "{\"#a\":\"a\"}"),
                        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
                        "rewrite one of these paths; path one: [a, b], path two: [a]");
    assert_string_equal(projection_error("a, #a[1]", "{\"#a\":\"a\"}"),
                        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
                        "rewrite one of these paths; path one: [a], path two: [a, [1]]");
    const char *names = "{\"#a\":\"a\",\"#b\":\"[3]\"}";
    assert_string_equal(projection_error("a.b, #a[1], #b", names),
                        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
                        "rewrite one of these paths; path one: [a, b], path two: [a, [1]]");
    assert_string_equal(projection_error("a.b[1], #a[1], #b", names),
                        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
                        "rewrite one of these paths; path one: [a, b, [1]], path two: [a, [1]]");
    assert_string_equal(projection_error("a[3].b, #a.#b.b", names),
                        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
                        "rewrite one of these paths; path one: [a, [3], b], path two: [a, [3], b]");
    assert_string_equal(projection_error("", NULL), "Invalid ProjectionExpression: The expression can not be empty;");
}

static const char *projected(const char *expr, const char *names, const char *item)
{
    struct ddb_expr_context *ctx = context(names, NULL);
    struct ddb_projection p;
    if (!ddb_parse_projection(ctx, expr, strlen(expr), &p, &fx->err))
        fail_msg("%s: %s", expr, fx->err.message);
    struct ddb_value it = M(item), out;
    assert_true(ddb_project(&fx->arena, &it, p.paths, p.len, &out));
    return to_json(&out, true);
}

static void test_projecting(void **state)
{
    (void)state;
    const char *item = "{\"a\":{\"S\":\"k\"},\"b\":{\"M\":{\"a\":{\"S\":\"a\"},\"b\":{\"S\":\"b\"},\"c\":{\"S\":\"c\"}}},"
                       "\"c\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"},{\"S\":\"c\"}]}}";
    const char *want = "{\"b\":{\"M\":{\"b\":{\"S\":\"b\"},\"c\":{\"S\":\"c\"}}},\"c\":{\"L\":[{\"S\":\"b\"},{\"S\":\"c\"}]}}";
    assert_string_equal(projected("b.c,c[2],b.b,c[1],c[0].a", NULL, item), want);
    assert_string_equal(projected("#b.#c,#c[2],#b.#b,#c[1],#c[0][1]", "{\"#b\":\"b\",\"#c\":\"c\"}", item), want);
    assert_string_equal(projected("f[2], f[0], e.d, e.a, d", NULL,
                                  "{\"a\":{\"S\":\"x\"},\"b\":{\"S\":\"b1\"},\"e\":{\"M\":{\"a\":{\"S\":\"b1\"},"
                                  "\"d\":{\"S\":\"b1\"}}},\"f\":{\"L\":[{\"S\":\"d1\"},{\"S\":\"d2\"},{\"S\":\"d3\"}]}}"),
                        "{\"e\":{\"M\":{\"a\":{\"S\":\"b1\"},\"d\":{\"S\":\"b1\"}}},\"f\":{\"L\":[{\"S\":\"d1\"},"
                        "{\"S\":\"d3\"}]}}");
    assert_string_equal(projected("f[2], f[0], e.d, e.a, d", NULL, "{\"a\":{\"S\":\"x\"},\"b\":{\"S\":\"b2\"}}"), "{}");
    assert_string_equal(projected("f[2], e.d, d", NULL, "{\"d\":{\"S\":\"d3\"},\"e\":{\"S\":\"e3\"}}"),
                        "{\"d\":{\"S\":\"d3\"}}");
    assert_string_equal(projected("l[0].x, l[0].y", NULL,
                                  "{\"l\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"},\"z\":{\"N\":\"3\"}}}]}}"),
                        "{\"l\":{\"L\":[{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}}]}}");
}

static void test_attributes_to_get(void **state)
{
    (void)state;
    struct ddb_projection p;
    assert_false(ddb_legacy_attributes_to_get(&fx->arena, J("[\"a\",\"b\",\"b\",\"a\"]"), &p, &fx->err));
    assert_string_equal(fx->err.message, "One or more parameter values were invalid: Duplicate value in attribute name: b");
    assert_true(ddb_legacy_attributes_to_get(&fx->arena, J("[\"b\",\"a.b\"]"), &p, &fx->err));
    struct ddb_value item = M("{\"a.b\":{\"N\":\"1\"},\"a\":{\"M\":{\"b\":{\"N\":\"2\"}}},\"c\":{\"N\":\"3\"}}"), out;
    assert_true(ddb_project(&fx->arena, &item, p.paths, p.len, &out));
    assert_string_equal(to_json(&out, true), "{\"a.b\":{\"N\":\"1\"}}");
}

#define INVALID "One or more parameter values were invalid: "

static const char *expected_error(const char *expected)
{
    const struct ddb_condition *c;
    memset(&fx->err, 0, sizeof(fx->err));
    assert_false(ddb_legacy_expected(&fx->arena, J(expected), NULL, &c, &fx->err));
    return fx->err.message;
}

static bool expected_eval(const char *expected, const char *op, const char *item)
{
    const struct ddb_condition *c;
    if (!ddb_legacy_expected(&fx->arena, J(expected), op, &c, &fx->err))
        fail_msg("%s: %s", expected, fx->err.message);
    if (!c)
        return true;
    struct ddb_value it;
    if (item)
        it = M(item);
    return ddb_condition_eval(c, item ? &it : NULL);
}

static void test_expected(void **state)
{
    (void)state;
    assert_string_equal(expected_error("{\"a\":{}}"), INVALID "Value must be provided when Exists is null for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"Exists\":true}}"),
                        INVALID "Value must be provided when Exists is true for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"Exists\":false,\"Value\":{\"S\":\"a\"}}}"),
                        INVALID "Value cannot be used when Exists is false for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"ComparisonOperator\":\"LT\"}}"),
                        INVALID "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"Exists\":true,\"ComparisonOperator\":\"LT\"}}"),
                        INVALID "Exists and ComparisonOperator cannot be used together for Attribute: a");
    assert_string_equal(
        expected_error("{\"a\":{\"AttributeValueList\":[{\"S\":\"a\"}],\"Value\":{\"S\":\"a\"},\"ComparisonOperator\":\"LT\"}}"),
        INVALID "Value and AttributeValueList cannot be used together for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"AttributeValueList\":[{\"S\":\"a\"}]}}"),
                        INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: a");
    assert_string_equal(expected_error("{\"a\":{\"Exists\":true,\"AttributeValueList\":[{\"S\":\"a\"}]}}"),
                        INVALID "AttributeValueList can only be used with a ComparisonOperator for Attribute: a");
    static const char *const arity[][2] = {
        {"{\"a\":{\"AttributeValueList\":[],\"ComparisonOperator\":\"EQ\"}}", "EQ"},
        {"{\"a\":{\"AttributeValueList\":[{\"S\":\"a\"}],\"ComparisonOperator\":\"NULL\"}}", "NULL"},
        {"{\"a\":{\"AttributeValueList\":[],\"ComparisonOperator\":\"IN\"}}", "IN"},
        {"{\"a\":{\"AttributeValueList\":[{\"N\":\"1\"},{\"N\":\"10\"},{\"N\":\"12\"}],\"ComparisonOperator\":\"BETWEEN\"}}", "BETWEEN"},
        {"{\"a\":{\"Value\":{\"S\":\"a\"},\"ComparisonOperator\":\"NULL\"}}", "NULL"},
        {"{\"a\":{\"Value\":{\"S\":\"a\"},\"ComparisonOperator\":\"BETWEEN\"}}", "BETWEEN"},
    };
    char want[256];
    for (size_t i = 0; i < sizeof(arity) / sizeof(arity[0]); i++) {
        snprintf(want, sizeof(want), INVALID "Invalid number of argument(s) for the %s ComparisonOperator", arity[i][1]);
        assert_string_equal(expected_error(arity[i][0]), want);
    }
    assert_string_equal(
        expected_error("{\"a\":{\"AttributeValueList\":[{\"S\":\"b\"},{\"N\":\"1\"}],\"ComparisonOperator\":\"IN\"}}"),
        INVALID "AttributeValues inside AttributeValueList must be of same type");
    assert_string_equal(
        expected_error("{\"a\":{\"AttributeValueList\":[{\"S\":\"b\"},{\"S\":\"a\"}],\"ComparisonOperator\":\"BETWEEN\"}}"),
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    assert_string_equal(expected_error("{\"a\":{\"Value\":{\"N\":\"1e126\"}}}"),
                        "Number overflow. Attempting to store a number with magnitude larger than supported range");

    const char *item = "{\"a\":{\"S\":\"k\"},\"c\":{\"N\":\"5\"}}";
    assert_true(expected_eval("{\"a\":{\"Value\":{\"S\":\"k\"}},\"b\":{\"Exists\":false},"
                              "\"c\":{\"ComparisonOperator\":\"GE\",\"Value\":{\"N\":\"5\"}}}", NULL, item));
    assert_false(expected_eval("{\"a\":{\"Value\":{\"S\":\"k\"}},\"b\":{\"Exists\":false},"
                               "\"c\":{\"Value\":{\"N\":\"6\"}}}", NULL, item));
    assert_true(expected_eval("{\"a\":{\"Value\":{\"S\":\"x\"}},\"c\":{\"Value\":{\"N\":\"5\"}}}", "OR", item));
    assert_false(expected_eval("{\"a\":{\"ComparisonOperator\":\"NOT_NULL\"}}", NULL, NULL));
    assert_true(expected_eval("{\"a\":{\"ComparisonOperator\":\"NULL\"}}", NULL, NULL));
    assert_true(expected_eval("{\"z\":{\"ComparisonOperator\":\"NE\",\"AttributeValueList\":[{\"S\":\"x\"}]}}", NULL, item));
    assert_true(expected_eval("{\"z\":{\"ComparisonOperator\":\"NOT_CONTAINS\",\"AttributeValueList\":[{\"S\":\"x\"}]}}",
                              NULL, item));
    assert_true(expected_eval("{\"a\":{\"ComparisonOperator\":\"BEGINS_WITH\",\"AttributeValueList\":[{\"S\":\"k\"}]}}",
                              NULL, item));
    assert_true(expected_eval("{\"c\":{\"ComparisonOperator\":\"IN\",\"AttributeValueList\":[{\"N\":\"1\"},{\"N\":\"5\"}]}}",
                              NULL, item));
    assert_true(expected_eval("{\"c\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":[{\"N\":\"1\"},{\"N\":\"5\"}]}}",
                              NULL, item));
    assert_true(expected_eval("{}", NULL, item));
}

static void test_filters_and_key_conditions(void **state)
{
    (void)state;
    const struct ddb_condition *c;
    static const char *const arity[] = {
        "{\"a\":{\"ComparisonOperator\":\"EQ\"},\"b\":{\"ComparisonOperator\":\"NULL\"}}",
        "{\"a\":{\"ComparisonOperator\":\"IN\"}}", "{\"a\":{\"ComparisonOperator\":\"BETWEEN\"}}",
        "{\"a\":{\"ComparisonOperator\":\"NOT_NULL\",\"AttributeValueList\":[{\"S\":\"a\"}]}}",
        "{\"a\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":[{\"S\":\"a\"},{\"S\":\"a\"}]}}",
    };
    for (size_t i = 0; i < sizeof(arity) / sizeof(arity[0]); i++) {
        assert_false(ddb_legacy_filter(&fx->arena, J(arity[i]), NULL, &c, &fx->err));
        if (strstr(fx->err.message, "Invalid number of argument(s) for the ") == NULL)
            fail_msg("%s: %s", arity[i], fx->err.message);
    }
    static const char *const invalid_types[][3] = {
        {"LT", "{\"BOOL\":true}", "BOOL"}, {"IN", "{\"SS\":[\"a\"]}", "SS"}, {"GE", "{\"L\":[]}", "L"},
        {"CONTAINS", "{\"NS\":[\"1\"]}", "NS"}, {"BEGINS_WITH", "{\"N\":\"1\"}", "N"},
    };
    for (size_t i = 0; i < sizeof(invalid_types) / sizeof(invalid_types[0]); i++) {
        char filter[256], want[256];
        snprintf(filter, sizeof(filter), "{\"a\":{\"ComparisonOperator\":\"%s\",\"AttributeValueList\":[%s]}}",
                 invalid_types[i][0], invalid_types[i][1]);
        snprintf(want, sizeof(want), INVALID "ComparisonOperator %s is not valid for %s AttributeValue type",
                 invalid_types[i][0], invalid_types[i][2]);
        assert_false(ddb_legacy_filter(&fx->arena, J(filter), NULL, &c, &fx->err));
        assert_string_equal(fx->err.message, want);
    }
    assert_false(ddb_legacy_filter(&fx->arena,
                                   J("{\"a\":{\"ComparisonOperator\":\"EQ\",\"AttributeValueList\":[{\"N\":\"1\"},{\"S\":\"a\",\"N\":\"1\"}]}}"),
                                   NULL, &c, &fx->err));
    assert_string_equal(fx->err.message, "Supplied AttributeValue has more than one datatypes set, must contain exactly "
                                         "one of the supported datatypes");
    assert_true(ddb_legacy_filter(&fx->arena,
                                  J("{\"b\":{\"ComparisonOperator\":\"GT\",\"AttributeValueList\":[{\"N\":\"2\"}]},"
                                    "\"c\":{\"ComparisonOperator\":\"CONTAINS\",\"AttributeValueList\":[{\"S\":\"x\"}]}}"),
                                  "OR", &c, &fx->err));
    struct ddb_value item = M("{\"b\":{\"N\":\"1\"},\"c\":{\"SS\":[\"x\",\"y\"]}}");
    assert_true(ddb_condition_eval(c, &item));
    item = M("{\"b\":{\"N\":\"1\"},\"c\":{\"SS\":[\"z\"]}}");
    assert_false(ddb_condition_eval(c, &item));

    struct ddb_key_condition kc;
    assert_false(ddb_legacy_key_conditions(&fx->arena, J("{}"), &kc, &fx->err));
    assert_string_equal(fx->err.message, "Conditions can be of length 1 or 2 only");
    assert_false(ddb_legacy_key_conditions(&fx->arena,
                                           J("{\"a\":{\"ComparisonOperator\":\"NULL\"},\"b\":{\"ComparisonOperator\":\"NULL\"},"
                                             "\"c\":{\"ComparisonOperator\":\"NULL\"}}"),
                                           &kc, &fx->err));
    assert_string_equal(fx->err.message, "Conditions can be of length 1 or 2 only");
    assert_false(ddb_legacy_key_conditions(&fx->arena,
                                           J("{\"a\":{\"ComparisonOperator\":\"BETWEEN\",\"AttributeValueList\":"
                                             "[{\"S\":\"b\"},{\"S\":\"a\"}]}}"),
                                           &kc, &fx->err));
    assert_string_equal(fx->err.message,
                        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound");
    assert_true(ddb_legacy_key_conditions(&fx->arena, J("{\"z\":{\"ComparisonOperator\":\"NULL\"}}"), &kc, &fx->err));
    struct ddb_key_schema schema = {"a", 1, DDB_S, NULL, 0, DDB_S};
    const struct ddb_key_predicate *hash, *range;
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Query condition missed key schema element: a");
    assert_true(ddb_legacy_key_conditions(&fx->arena, J("{\"a\":{\"ComparisonOperator\":\"NULL\"}}"), &kc, &fx->err));
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Attempted conditional constraint is not an indexable operation");
}

static const char *mix_error(const struct ddb_param *e, size_t ne, const struct ddb_param *l, size_t nl, bool names,
                             bool values)
{
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_check_expression_params(e, ne, l, nl, names, values, &fx->err))
        return NULL;
    return fx->err.message;
}

static void test_mixing(void **state)
{
    (void)state;
    struct ddb_param e[] = {{"UpdateExpression", true}, {"ConditionExpression", true}};
    struct ddb_param l[] = {{"AttributeUpdates", true}, {"Expected", true}};
    assert_string_equal(mix_error(e, 2, l, 2, true, true),
                        "Can not use both expression and non-expression parameters in the same request: "
                        "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: "
                        "{UpdateExpression, ConditionExpression}");
    e[0].present = e[1].present = false;
    l[0].present = false;
    assert_string_equal(mix_error(e, 2, l, 2, true, true),
                        "ExpressionAttributeNames can only be specified when using expressions");
    assert_string_equal(mix_error(e, 2, l, 2, false, true),
                        "ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and "
                        "ConditionExpression are null");
    struct ddb_param qe[] = {{"ProjectionExpression", true}, {"FilterExpression", true}, {"KeyConditionExpression", false}};
    struct ddb_param ql[] = {{"AttributesToGet", true}, {"QueryFilter", true}, {"ConditionalOperator", true},
                             {"KeyConditions", true}};
    assert_string_equal(mix_error(qe, 3, ql, 4, true, true),
                        "Can not use both expression and non-expression parameters in the same request: "
                        "Non-expression parameters: {AttributesToGet, QueryFilter, ConditionalOperator} Expression "
                        "parameters: {ProjectionExpression, FilterExpression}");
    ql[0].present = ql[1].present = ql[2].present = false;
    assert_null(mix_error(qe, 3, ql, 4, true, true)); /* KeyConditions with other expressions is fine */
    struct ddb_param ge[] = {{"ProjectionExpression", false}};
    struct ddb_param gl[] = {{"AttributesToGet", true}};
    assert_null(mix_error(ge, 1, gl, 1, false, true)); /* no expression takes values: nothing to say */
    struct ddb_param pe[] = {{"ConditionExpression", false}};
    struct ddb_param pl[] = {{"Expected", false}};
    assert_string_equal(mix_error(pe, 1, pl, 1, false, true),
                        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_projection_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_projecting, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_attributes_to_get, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_expected, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_filters_and_key_conditions, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_mixing, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
