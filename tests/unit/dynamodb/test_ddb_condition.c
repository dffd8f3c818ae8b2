/* Unit tests for protocol/dynamodb condition.c and key_condition.c: the
 * condition grammar and its syntax errors, AWS's semantic errors in AWS's
 * precedence, unused names and values, evaluation against items, and key
 * conditions (reduction, schema checks, sort key ranges). */
#include "ddb_test.h"

#include "protocol/dynamodb/key.h"

/* The error of parsing a FilterExpression (NULL when it parses). */
static const char *filter_error(const char *expr, const char *names, const char *values)
{
    struct ddb_expr_context *ctx = context(names, values);
    struct ddb_parsed_condition pc;
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_parse_condition(ctx, DDB_EXPR_FILTER, expr, strlen(expr), &pc, &fx->err))
        return NULL;
    assert_int_equal(fx->err.type, DDB_ERR_VALIDATION);
    return fx->err.message;
}

static void expect_prefix(const char *got, const char *prefix)
{
    if (!got || strncmp(got, prefix, strlen(prefix)) != 0)
        fail_msg("got \"%s\", want prefix \"%s\"", got ? got : "(ok)", prefix);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const char *const cases[] = {
        "things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
        "attribute_exists(\"Pictures.RearView\")", "attribute_exists(Pictures..RearView)",
        "attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c", "a > between", "a in b",
        "a in (b,c,)", "(a)between(b.(c.d))and(c)", "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff",
        "b[:a] > a", "b[#_] > a", "\xc3\xbc > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a",
        "(size(a)).b > a", "size(a)[0] > a", "(size(a))[0] > a", "a", "(a)", "a = b AND c", "NOT NOT a = b",
        "a = (b = c)", "(a = b) = c", "a = b = c", "f()", "a BETWEEN b", "a = b OR", ")",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_prefix(filter_error(cases[i], NULL, NULL), "Invalid FilterExpression: Syntax error; ");
    assert_string_equal(filter_error("a > 4", NULL, NULL),
                        "Invalid FilterExpression: Syntax error; token: \"4\", near: \"> 4\"");
    assert_string_equal(filter_error("a = ", NULL, NULL),
                        "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"=\"");
    assert_string_equal(filter_error("", NULL, NULL), "Invalid FilterExpression: The expression can not be empty;");
    char big[DDB_EXPRESSION_MAX_BYTES + 2];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    expect_prefix(filter_error(big, NULL, NULL),
                  "Invalid FilterExpression: Expression size has exceeded the maximum allowed size");
    /* deep nesting is refused, not recursed into */
    char nested[400] = "";
    for (int i = 0; i < 150; i++)
        strcat(nested, "(");
    strcat(nested, "a = b");
    for (int i = 0; i < 150; i++)
        strcat(nested, ")");
    expect_prefix(filter_error(nested, NULL, NULL), "Invalid FilterExpression: Syntax error; ");
}

static void test_semantic_errors(void **state)
{
    (void)state;
    static const char *const redundant[] = {
        "a=a and a > ((views))", "(a)between(((b.c)).d)and(c)", "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a", "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))",
    };
    for (size_t i = 0; i < sizeof(redundant) / sizeof(redundant[0]); i++)
        assert_string_equal(filter_error(redundant[i], NULL, NULL),
                            "Invalid FilterExpression: The expression has redundant parentheses;");
    static const char *const cases[][2] = {
        {"a=a and whatever((:things)) > a", "Invalid function name; function: whatever"},
        {"attRIbute_exIsts((views), #a)", "Invalid function name; function: attRIbute_exIsts"},
        {"a=a and attribute_exists((views), (#a)) > b",
         "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"contains(:things, c) > b", "The function is not allowed to be used this way in an expression; function: contains"},
        {"size(contains(a, b)) > a", "The function is not allowed to be used this way in an expression; function: contains"},
        {"size(things)", "The function is not allowed to be used this way in an expression; function: size"},
        {"a = b AND size(things)", "The function is not allowed to be used this way in an expression; function: size"},
        {"a in (b, attribute_exists(things))",
         "The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {"attribute_exists(views, #a)", "Attribute name is a reserved keyword; reserved keyword: views"},
        {":a < abOrT", "Attribute name is a reserved keyword; reserved keyword: abOrT"},
        {"attribute_exists(#Pictures.RearView, :a) and a=a",
         "An expression attribute name used in the document path is not defined; attribute name: #Pictures"},
        {"(#P between :lo and :hi) and (#PC in (:cat1, :cat2))",
         "An expression attribute name used in the document path is not defined; attribute name: #P"},
        {"#_ > a", "An expression attribute name used in the document path is not defined; attribute name: #_"},
        {"begins_with(:hello, #a, #b)",
         "An expression attribute value used in expression is not defined; attribute value: :hello"},
        {":a < :b", "An expression attribute value used in expression is not defined; attribute value: :a"},
        {"attribute_exists(things, a) and a=a",
         "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of "
         "operands: 2"},
        {"begins_with(things, size(a), b)",
         "Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"},
        {"size(things, a) > b",
         "Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
    };
    char want[512];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(want, sizeof(want), "Invalid FilterExpression: %s", cases[i][1]);
        assert_string_equal(filter_error(cases[i][0], NULL, NULL), want);
    }
    const char *names = "{\"#a\":\"a\"}";
    static const char *const distinct[][3] = {
        {"a = a AND #a = b AND :views > a", "=", "[a]"},
        {"#a <> a", "<>", "[a]"},
        {"a > #a", ">", "[a]"},
        {"((a=a) OR (a=a))", "=", "[a]"},
        {"contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"},
        {"attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"},
    };
    for (size_t i = 0; i < sizeof(distinct) / sizeof(distinct[0]); i++) {
        snprintf(want, sizeof(want),
                 "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this "
                 "operator or function; operator: %s, first operand: %s",
                 distinct[i][1], distinct[i][2]);
        assert_string_equal(filter_error(distinct[i][0], names, NULL), want);
    }
    static const char *const types[][3] = {
        {"attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", "{\":a\":{\"N\":\"1\"}}"},
        {"attribute_type(a, :a)", "attribute_type", "{\":a\":{\"BS\":[\"YQ==\"]}}"},
        {"begins_with(a, size(a)) and a=:a", "begins_with", "{\":a\":{\"N\":\"1\"}}"},
        {"begins_with(:a, a)", "begins_with", "{\":a\":{\"M\":{}}}"},
        {"size(size(a)) > :a", "size", "{\":a\":{\"N\":\"1\"}}"},
        {"attribute_not_exists(size(:a))", "size", "{\":a\":{\"N\":\"1\"}}"},
        {"size(:a) > a", "size", "{\":a\":{\"BOOL\":true}}"},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        const char *got = filter_error(types[i][0], NULL, types[i][2]);
        snprintf(want, sizeof(want),
                 "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: %s",
                 types[i][1]);
        expect_prefix(got, want);
    }
    assert_string_equal(filter_error("attribute_type(a, :a)", NULL, "{\":a\":{\"S\":\"1\"}}"),
                        "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: "
                        "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
    assert_string_equal(filter_error("attribute_not_exists(size(:a))", NULL, "{\":a\":{\"S\":\"1\"}}"),
                        "Invalid FilterExpression: Operator or function requires a document path; operator or "
                        "function: attribute_not_exists");
    assert_string_equal(filter_error("a between :b and :a", NULL, "{\":a\":{\"S\":\"a\"},\":b\":{\"N\":\"1\"}}"),
                        "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and upper "
                        "bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}");
    assert_string_equal(filter_error("a between :b and :a", NULL, "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"b\"}}"),
                        "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or "
                        "equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: "
                        "AttributeValue: {S:a}");
}

static void test_context(void **state)
{
    (void)state;
    struct ddb_expr_context ctx;
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, J("{}"), NULL, &fx->err));
    assert_string_equal(fx->err.message, "ExpressionAttributeNames must not be empty");
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, J("{\"a\":\"a\"}"), NULL, &fx->err));
    assert_string_equal(fx->err.message, "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, NULL, J("{}"), &fx->err));
    assert_string_equal(fx->err.message, "ExpressionAttributeValues must not be empty");
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, NULL, J("{\":\":{\"S\":\"b\"}}"), &fx->err));
    assert_string_equal(fx->err.message, "ExpressionAttributeValues contains invalid key: Syntax error; key: \":\"");
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, NULL, J("{\":b\":{\"NULL\":false}}"), &fx->err));
    assert_string_equal(fx->err.message, "ExpressionAttributeValues contains invalid value: One or more parameter "
                                         "values were invalid: Null attribute value types must have the value of "
                                         "true for key :b");
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, NULL, J("{\":b\":{\"S\":5}}"), &fx->err));
    assert_int_equal(fx->err.type, DDB_ERR_SERIALIZATION);
    assert_false(ddb_expr_context_init(&ctx, &fx->arena, J("{\"#a\":5}"), NULL, &fx->err));
    assert_string_equal(fx->err.message, "NUMBER_VALUE cannot be converted to String");

    struct ddb_expr_context *c = context("{\"#a\":\"a\",\"#b\":\"b\",\"#c\":\"c\"}",
                                         "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"b\"}}");
    struct ddb_parsed_condition pc;
    assert_true(ddb_parse_condition(c, DDB_EXPR_CONDITION, "#b = :b", 7, &pc, &fx->err));
    assert_false(ddb_expr_context_check_unused(c, &fx->err));
    assert_string_equal(fx->err.message, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #c}");
    c = context("{\"#a\":\"a\"}", "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"b\"},\":c\":{\"S\":\"c\"}}");
    assert_true(ddb_parse_condition(c, DDB_EXPR_CONDITION, "#a = :b", 7, &pc, &fx->err));
    assert_false(ddb_expr_context_check_unused(c, &fx->err));
    assert_string_equal(fx->err.message, "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}");
    assert_true(ddb_parse_condition(c, DDB_EXPR_CONDITION, "a IN (:a, :c)", 13, &pc, &fx->err));
    assert_true(ddb_expr_context_check_unused(c, &fx->err));
    /* a key given twice counts once, with its last value */
    c = context("{\"#a\":\"x\",\"#a\":\"y\"}", "{\":v\":{\"N\":\"bad\"},\":v\":{\"S\":\"y\"}}");
    assert_true(ddb_parse_condition(c, DDB_EXPR_CONDITION, "#a = :v", 7, &pc, &fx->err));
    assert_true(ddb_expr_context_check_unused(c, &fx->err));
    struct ddb_value yes = M("{\"y\":{\"S\":\"y\"}}");
    assert_true(ddb_condition_eval(pc.condition, &yes));
}

/* Evaluates expr (with values) against item (JSON map, NULL: no item). */
static bool eval(const char *expr, const char *values, const char *item)
{
    struct ddb_expr_context *ctx = context("{\"#k\":\"k.dot\"}", values);
    struct ddb_parsed_condition pc;
    if (!ddb_parse_condition(ctx, DDB_EXPR_CONDITION, expr, strlen(expr), &pc, &fx->err))
        fail_msg("%s: %s", expr, fx->err.message);
    struct ddb_value it;
    if (item)
        it = M(item);
    return ddb_condition_eval(pc.condition, item ? &it : NULL);
}

static void test_evaluation(void **state)
{
    (void)state;
    const char *item = "{\"s\":{\"S\":\"hello\"},\"n\":{\"N\":\"10\"},\"b\":{\"B\":\"AQID\"},\"t\":{\"BOOL\":true},"
                       "\"z\":{\"NULL\":true},\"ss\":{\"SS\":[\"x\",\"y\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},"
                       "\"l\":{\"L\":[{\"S\":\"a\"},{\"M\":{\"q\":{\"N\":\"5\"}}},{\"N\":\"7\"}]},"
                       "\"m\":{\"M\":{\"in1\":{\"M\":{\"deep\":{\"S\":\"d\"}}},\"lst\":{\"L\":[{\"N\":\"1\"}]}}},"
                       "\"k.dot\":{\"S\":\"dotted\"}}";
    const char *v = "{\":hello\":{\"S\":\"hello\"},\":he\":{\"S\":\"he\"},\":ten\":{\"N\":\"10.0\"},\":nine\":{\"N\":\"9\"},"
                    "\":x\":{\"S\":\"x\"},\":one\":{\"N\":\"1\"},\":seven\":{\"N\":\"7\"},\":a\":{\"S\":\"a\"},"
                    "\":m5\":{\"M\":{\"q\":{\"N\":\"5\"}}},\":ss\":{\"SS\":[\"y\",\"x\"]},\":b12\":{\"B\":\"AQI=\"},"
                    "\":b2\":{\"B\":\"Ag==\"},\":S\":{\"S\":\"S\"},\":NULL\":{\"S\":\"NULL\"},\":five\":{\"N\":\"5\"},"
                    "\":d\":{\"S\":\"d\"},\":dotted\":{\"S\":\"dotted\"}}";
    static const struct {
        const char *expr;
        bool want;
    } cases[] = {
        {"s = :hello", true}, {"s <> :hello", false}, {"n = :ten", true}, {"n > :nine", true}, {"n >= :ten", true},
        {"n < :nine", false}, {"s > :he", true}, {"gone = :hello", false}, {"gone <> :hello", true},
        {"gone <> gone2", true}, {"gone = gone2", false}, {"s = n", false}, {"s <> n", true},
        {"ss = :ss", true}, {"l[1] = :m5", true}, {"l[1].q = :five", true}, {"l[9] = :five", false},
        {"m.in1.deep = :d", true}, {"m.lst[0] = :one", true}, {"m.gone.deep = :d", false},
        {"s[0] = :a", false}, {"#k = :dotted", true}, {"k.dot = :dotted", false},
        {"n BETWEEN :nine AND :ten", true}, {"n BETWEEN :one AND :nine", false}, {"s BETWEEN :nine AND :ten", false},
        {"n IN (:one, :ten)", true}, {"n IN (:one, :nine)", false}, {"gone IN (:one)", false},
        {"attribute_exists(s)", true}, {"attribute_exists(gone)", false}, {"attribute_not_exists(gone)", true},
        {"attribute_exists(z)", true}, {"attribute_exists(l[2])", true}, {"attribute_exists(l[3])", false},
        {"attribute_type(z, :NULL)", true}, {"attribute_type(s, :S)", true}, {"attribute_type(n, :S)", false},
        {"begins_with(s, :he)", true}, {"begins_with(s, :x)", false}, {"begins_with(n, :he)", false},
        {"begins_with(b, :b12)", true}, {"begins_with(b, :b2)", false},
        {"contains(s, :he)", true}, {"contains(s, :x)", false}, {"contains(ss, :x)", true}, {"contains(ns, :one)", true},
        {"contains(ns, :x)", false}, {"contains(l, :a)", true}, {"contains(l, :seven)", true}, {"contains(l, :m5)", true},
        {"contains(b, :b2)", true}, {"contains(gone, :a)", false},
        {"size(s) = :five", true}, {"size(ss) < :five", true}, {"size(l) > :one", true}, {"size(m) = :one", false},
        {"size(n) = :one", false}, {"size(b) > :one", true}, {"size(gone) <> :one", true},
        {"NOT s = :hello", false}, {"NOT (s = :hello AND n = :nine)", true}, {"s = :hello AND n = :ten", true},
        {"s = :x OR n = :ten", true}, {"s = :x OR n = :nine OR t = t2", false},
        {"s = :hello AND (n = :nine OR begins_with(s, :he))", true}, {"(s) = :hello", true}, {"(l[1]).q = :five", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (eval(cases[i].expr, v, item) != cases[i].want)
            fail_msg("%s: want %s", cases[i].expr, cases[i].want ? "true" : "false");
    /* size() of a string counts characters, not bytes */
    const char *sized = "{\"s\":{\"S\":\"ab\\u00ff\"},\"e\":{\"S\":\"\\ud83d\\ude00\"},\"b\":{\"B\":\"YWJj\"}}";
    const char *three = "{\":three\":{\"N\":\"3\"},\":two\":{\"N\":\"2\"}}";
    assert_true(eval("size(s) = :three", three, sized));
    assert_true(eval("size(e) = :two", three, sized));
    assert_true(eval("size(b) = :three", three, sized));
    assert_true(eval("((size(b)) = :three) AND (size(s)) = :three", three, sized));
    /* no item at all: every path is missing */
    assert_true(eval("attribute_not_exists(a)", NULL, NULL));
    assert_false(eval("a = :x", "{\":x\":{\"S\":\"x\"}}", NULL));
    assert_true(eval("a <> :x", "{\":x\":{\"S\":\"x\"}}", NULL));
}

static void test_filter_key_attributes(void **state)
{
    (void)state;
    struct ddb_key_schema range = {"a", 1, DDB_S, "b", 1, DDB_S};
    static const char *const hash_uses[] = {"attribute_exists(a.b) AND b2 = :b", "a = :b", "a[1] = :b",
                                            "size(a) > :b"};
    for (size_t i = 0; i < 4; i++) {
        struct ddb_expr_context *ctx = context(NULL, "{\":b\":{\"N\":\"1\"}}");
        struct ddb_parsed_condition pc;
        assert_true(ddb_parse_condition(ctx, DDB_EXPR_FILTER, hash_uses[i], strlen(hash_uses[i]), &pc, &fx->err));
        assert_false(ddb_check_filter_key_attributes(pc.condition, &range, "Filter Expression", &fx->err));
        assert_string_equal(fx->err.message,
                            "Filter Expression can only contain non-primary key attributes: Primary key attribute: a");
    }
    struct ddb_expr_context *ctx = context(NULL, "{\":b\":{\"N\":\"1\"}}");
    struct ddb_parsed_condition pc;
    assert_true(ddb_parse_condition(ctx, DDB_EXPR_FILTER, "c = :b OR b = :b", 16, &pc, &fx->err));
    assert_false(ddb_check_filter_key_attributes(pc.condition, &range, "Filter Expression", &fx->err));
    assert_string_equal(fx->err.message,
                        "Filter Expression can only contain non-primary key attributes: Primary key attribute: b");
    ctx = context(NULL, "{\":b\":{\"N\":\"1\"}}");
    assert_true(ddb_parse_condition(ctx, DDB_EXPR_FILTER, "c = :b", 6, &pc, &fx->err));
    assert_true(ddb_check_filter_key_attributes(pc.condition, &range, "Filter Expression", &fx->err));
}

static struct ddb_key_condition key_condition(const char *expr, const char *values)
{
    struct ddb_expr_context *ctx = context(NULL, values);
    struct ddb_parsed_condition pc;
    struct ddb_key_condition kc;
    if (!ddb_parse_key_condition(ctx, expr, strlen(expr), &pc, &fx->err))
        fail_msg("%s: %s", expr, fx->err.message);
    if (!ddb_key_condition_reduce(&fx->arena, &pc, &kc, &fx->err))
        fail_msg("%s: %s", expr, fx->err.message);
    return kc;
}

static const char *key_condition_error(const char *expr, const char *values)
{
    struct ddb_expr_context *ctx = context(NULL, values);
    struct ddb_parsed_condition pc;
    struct ddb_key_condition kc;
    memset(&fx->err, 0, sizeof(fx->err));
    if (!ddb_parse_key_condition(ctx, expr, strlen(expr), &pc, &fx->err))
        return fx->err.message;
    assert_false(ddb_key_condition_reduce(&fx->arena, &pc, &kc, &fx->err));
    return fx->err.message;
}

static void test_key_condition_errors(void **state)
{
    (void)state;
    expect_prefix(key_condition_error("a > 4", NULL), "Invalid KeyConditionExpression: Syntax error; ");
    expect_prefix(key_condition_error("attribute_type(a, b)", NULL),
                  "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or "
                  "function: attribute_type, operand type:");
    assert_string_equal(key_condition_error("attribute_type(a, :a)", "{\":a\":{\"S\":\"S\"}}"),
                        "Invalid operator used in KeyConditionExpression: attribute_type");
    static const char *const operators[][2] = {
        {"a > b and size(b) > c or a > c", "OR"}, {"a in (b, size(c), d)", "IN"},
        {"attribute_exists(a)", "attribute_exists"}, {"attribute_not_exists(a)", "attribute_not_exists"},
        {"contains(a.d, b)", "contains"}, {"not a > b", "NOT"}, {"a <> b", "<>"},
    };
    char want[256];
    for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
        snprintf(want, sizeof(want), "Invalid operator used in KeyConditionExpression: %s", operators[i][1]);
        assert_string_equal(key_condition_error(operators[i][0], NULL), want);
    }
    const char *ab = "{\":a\":{\"S\":\"1\"},\":b\":{\"S\":\"1\"}}";
    assert_string_equal(key_condition_error(":a between size(b) and size(a) and b > :b", ab),
                        "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as "
                        "its first operand");
    assert_string_equal(key_condition_error("begins_with(:a, b) and a > :b", ab),
                        "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute "
                        "as its first operand");
    static const char *const nested_ops[] = {"size(b) > a AND a.b > b AND b > c", "a > size(b.d)",
                                             "a between size(b) and size(a)"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(key_condition_error(nested_ops[i], NULL), "KeyConditionExpressions cannot contain nested operations");
    static const char *const multiple[] = {"b > a.b", "b between c[1] and d", "a between b and size(a)", "begins_with(a, b)"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(key_condition_error(multiple[i], NULL),
                            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    static const char *const nested[] = {"b.d > a AND c.d > e.f", "a.d > c", "b[0] > a"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(key_condition_error(nested[i], NULL),
                            "KeyConditionExpressions cannot have conditions on nested attributes");
    const char *ones = "{\":a\":{\"N\":\"1\"},\":b\":{\"N\":\"1\"}}";
    assert_string_equal(key_condition_error(":b > :a AND a < :b", ones),
                        "Invalid condition in KeyConditionExpression: No key attribute specified");
    assert_string_equal(key_condition_error(":a > b AND :a < :b", ones),
                        "Invalid condition in KeyConditionExpression: No key attribute specified");
    assert_string_equal(key_condition_error("b > :a AND b < :a and c = :a and d = :a", "{\":a\":{\"N\":\"1\"}}"),
                        "KeyConditionExpressions must only contain one condition per key");
    assert_string_equal(key_condition_error("(a > :a and b > :a) and (b > :a and c > :a)", "{\":a\":{\"N\":\"1\"}}"),
                        "KeyConditionExpressions must only contain one condition per key");
    assert_string_equal(key_condition_error(":a = a and b = :a and :a = c", "{\":a\":{\"S\":\"a\"}}"),
                        "Conditions can be of length 1 or 2 only");
    assert_string_equal(key_condition_error("a = :a", "{\":a\":{\"BOOL\":true}}"),
                        "One or more parameter values were invalid: ComparisonOperator EQ is not valid for BOOL "
                        "AttributeValue type");
}

static void test_key_conditions(void **state)
{
    (void)state;
    struct ddb_key_condition kc = key_condition(":v < r AND h = :h", "{\":h\":{\"S\":\"x\"},\":v\":{\"N\":\"5\"}}");
    assert_int_equal(kc.len, 2);
    assert_int_equal(kc.predicates[0].op, DDB_OP_GT); /* flipped: r > :v */
    assert_int_equal(kc.predicates[1].op, DDB_OP_EQ);
    struct ddb_key_schema schema = {"h", 1, DDB_S, "r", 1, DDB_N};
    const struct ddb_key_predicate *hash, *range;
    assert_true(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_memory_equal(hash->name, "h", 1);
    assert_memory_equal(range->name, "r", 1);
    struct ddb_value six = V("{\"N\":\"6\"}"), five = V("{\"N\":\"5\"}");
    assert_true(ddb_key_predicate_matches(range, &six));
    assert_false(ddb_key_predicate_matches(range, &five));
    struct ddb_key_range r;
    assert_true(ddb_key_predicate_range(&fx->arena, range, &r));
    assert_true(r.has_lower && r.lower_open && !r.has_upper);

    kc = key_condition("h = :h AND begins_with(r, :p)", "{\":h\":{\"S\":\"x\"},\":p\":{\"S\":\"ab\"}}");
    struct ddb_key_schema sschema = {"h", 1, DDB_S, "r", 1, DDB_S};
    assert_true(ddb_key_condition_check(&kc, &sschema, &hash, &range, &fx->err));
    assert_true(ddb_key_predicate_range(&fx->arena, range, &r));
    assert_true(r.has_lower && !r.lower_open && r.has_upper && r.upper_open);
    assert_memory_equal(r.lower, "ab", 2);
    assert_memory_equal(r.upper, "ac", 2);
    struct ddb_value abc = V("{\"S\":\"abc\"}"), b = V("{\"S\":\"b\"}");
    assert_true(ddb_key_predicate_matches(range, &abc));
    assert_false(ddb_key_predicate_matches(range, &b));

    /* against the schema */
    kc = key_condition("r = :v", "{\":v\":{\"N\":\"5\"}}");
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Query condition missed key schema element: h");
    kc = key_condition("h > :h", "{\":h\":{\"S\":\"x\"}}");
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Query key condition not supported");
    kc = key_condition("h = :h", "{\":h\":{\"N\":\"1\"}}");
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "One or more parameter values were invalid: Condition parameter type does not "
                                         "match schema type");
    kc = key_condition("h = :h AND z = :h", "{\":h\":{\"S\":\"x\"}}");
    assert_false(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Query condition missed key schema element: r");
    struct ddb_key_schema hash_only = {"h", 1, DDB_S, NULL, 0, DDB_S};
    kc = key_condition("h = :h AND r = :h", "{\":h\":{\"S\":\"x\"}}");
    assert_false(ddb_key_condition_check(&kc, &hash_only, &hash, &range, &fx->err));
    assert_string_equal(fx->err.message, "Query key condition not supported");
    kc = key_condition("h = :h", "{\":h\":{\"S\":\"x\"}}");
    assert_true(ddb_key_condition_check(&kc, &schema, &hash, &range, &fx->err));
    assert_null(range);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_syntax_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_semantic_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_context, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_evaluation, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_filter_key_attributes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_key_condition_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_key_conditions, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
