/* Unit tests for protocol/dynamodb update.c (and AttributeUpdates from
 * legacy.c): UpdateExpression syntax and AWS's semantic errors in AWS's
 * precedence, applying updates (SET from the old item, list appends and
 * removals by original index, ADD and DELETE on numbers and sets), AWS's
 * runtime errors, UPDATED_OLD/NEW projections and the key checks. */
#include "ddb_test.h"

#include "protocol/dynamodb/legacy.h"

static const char *update_error(const char *expr, const char *names, const char *values)
{
    struct ddb_expr_context *ctx = context(names, values);
    struct ddb_update u;
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_parse_update(ctx, expr, strlen(expr), &u, &fx->err))
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
        "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b", "delete a = b",
        "delete a b", "delete a if_not_exist(b)", "add abort b", "add a if_not_exist(b)", "remove a b", "set a b",
        "set :a = b", "add :a b", "delete :a b", "remove :a", "set a = b / c", "set a = b * c", "set a[1] = \"eight\"",
        "set a[1] = 1", "SET a = if_not_exist(a, 100)", "SET if_not_exist(a, b) = a", "set (a = (b + c))",
        "set a = (b.c).d + e", "set a = (b.c)[0] + e", "set a = b + c + d", "set a = (((b)))", "set a = ((b)) + c",
        "set a = (b + c) + d", "set a = b,", "set a.set = b", "SET a = b REMOVE",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_prefix(update_error(cases[i], NULL, NULL), "Invalid UpdateExpression: Syntax error; ");
    assert_string_equal(update_error("INVALID SYNTAX HERE", NULL, NULL),
                        "Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"");
    assert_string_equal(update_error("", NULL, NULL), "Invalid UpdateExpression: The expression can not be empty;");
    /* accepted forms */
    assert_null(update_error("set a = (b) + c, d = ((e)), f = (g - h), i = (j) - (k)", NULL, NULL));
    assert_null(update_error("SET a = if_not_exists(a, :z) + :one remove b, c[2] ADD d :one DELETE e :set", NULL,
                             "{\":z\":{\"N\":\"0\"},\":one\":{\"N\":\"1\"},\":set\":{\"SS\":[\"x\"]}}"));
}

static void test_semantic_errors(void **state)
{
    (void)state;
    const char *nv = "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"a\"}}", *nn = "{\"#a\":\"a\",\"#b\":\"b\"}";
    assert_string_equal(update_error(" set #c = :c set abOrt = true ", nn, nv),
                        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt");
    assert_string_equal(update_error(" remove Absolute ", nn, nv),
                        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute");
    assert_string_equal(update_error("set #c = if_not_exist(:c) set c = d", nn, nv),
                        "Invalid UpdateExpression: Invalid function name; function: if_not_exist");
    static const char *const sections[][2] = {
        {"set a = #c set c = :d", "SET"}, {"remove #d set a = b remove e", "REMOVE"},
        {"add #d :e set a = b add e :f", "ADD"}, {"delete #d :e set a = b delete #e :f", "DELETE"},
    };
    char want[512];
    for (size_t i = 0; i < 4; i++) {
        snprintf(want, sizeof(want),
                 "Invalid UpdateExpression: The \"%s\" section can only be used once in an update expression;",
                 sections[i][1]);
        assert_string_equal(update_error(sections[i][0], nn, nv), want);
    }
    assert_string_equal(update_error("SET #c = if_not_exists(:c)", nn, nv),
                        "Invalid UpdateExpression: An expression attribute name used in the document path is not "
                        "defined; attribute name: #c");
    assert_string_equal(update_error("SET #a = if_not_exists(:c)", nn, nv),
                        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
                        "attribute value: :c");
    const char *paths = "{\"#b\":\"b\",\"#c\":\"c\",\"#d\":\"[3]\"}";
    assert_string_equal(update_error("set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
                                     "{\"#c\":\"c\",\"#d\":\"[3]\"}", NULL),
                        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
                        "one of these paths; path one: [c, [1], a], path two: [c]");
    assert_string_equal(update_error("set #c[3].#d = a, #c[3] = a", "{\"#c\":\"c\",\"#d\":\"[3]\"}", NULL),
                        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite "
                        "one of these paths; path one: [c, [3], [3]], path two: [c, [3]]");
    assert_string_equal(update_error("set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", paths, NULL),
                        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite "
                        "one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]");
    assert_string_equal(update_error("remove a.#c set a[1] = #d", paths, NULL),
                        "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite "
                        "one of these paths; path one: [a, c], path two: [a, [1]]");
    static const char *const operands[][4] = {
        {"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", "{\"S\":\"a\"}", "ADD", "STRING"},
        {"delete a.b :a", "{\"S\":\"a\"}", "DELETE", "STRING"},
        {"add a.b :a", "{\"NULL\":\"1\"}", "ADD", "NULL"},
        {"add a.b :a", "{\"BOOL\":\"0\"}", "ADD", "BOOLEAN"},
        {"delete a.b :a", "{\"B\":\"YQ==\"}", "DELETE", "BINARY"},
        {"add a.b :a", "{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"}]}}}", "ADD", "MAP"},
        {"delete a.b :a", "{\"L\":[{\"N\":\"1\"}]}", "DELETE", "LIST"},
        {"delete a.b :a", "{\"N\":\"1\"}", "DELETE", "NUMBER"},
    };
    for (size_t i = 0; i < sizeof(operands) / sizeof(operands[0]); i++) {
        char values[256];
        snprintf(values, sizeof(values), "{\":a\":%s,\":b\":{\"S\":\"a\"}}", operands[i][1]);
        snprintf(want, sizeof(want),
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand "
                 "type: %s",
                 operands[i][2], operands[i][3]);
        assert_string_equal(update_error(operands[i][0], NULL, values), want);
    }
    expect_prefix(update_error("set a = if_not_exists(c)", nn, nv),
                  "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or "
                  "function: if_not_exists, number of operands: 1");
    expect_prefix(update_error("set a = if_not_exists(if_not_exists(a, b), c)", nn, nv),
                  "Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
                  "if_not_exists");
    const char *vals = "{\":a\":{\"S\":\"a\"},\":b\":{\"N\":\"1\"},\":c\":{\"B\":\"YQ==\"},\":d\":{\"BOOL\":\"no\"},"
                       "\":e\":{\"NULL\":\"true\"},\":f\":{\"SS\":[\"a\"]},\":g\":{\"NS\":[\"1\"]},\":h\":{\"BS\":[\"YQ==\"]},"
                       "\":i\":{\"M\":{}},\":j\":{\"L\":[]}}";
    static const char *const fns[][3] = {
        {"set a = list_append(:a, a)", "list_append", "S"}, {"set a = list_append(a, :b)", "list_append", "N"},
        {"set a = list_append(:e, a)", "list_append", "NULL"}, {"set a = list_append(:h, a)", "list_append", "BS"},
        {"set a = a + :a", "+", "S"}, {"set a = :c + a", "+", "B"}, {"set a = a + :d", "+", "BOOL"},
        {"set a = a + :j", "+", "L"}, {"set a = a - :f", "-", "SS"}, {"set a = a - :i", "-", "M"},
    };
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        snprintf(want, sizeof(want),
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: "
                 "%s, operand type: %s",
                 fns[i][1], fns[i][2]);
        const char *got = update_error(fns[i][0], nn, vals);
        assert_string_equal(got, want);
    }
}

/* Applies expr to item (JSON); the error message, or NULL with *out set. */
static const char *apply(const char *expr, const char *names, const char *values, const char *item,
                         struct ddb_value *out)
{
    struct ddb_expr_context *ctx = context(names, values);
    struct ddb_update u;
    if (!ddb_parse_update(ctx, expr, strlen(expr), &u, &fx->err))
        fail_msg("%s: %s", expr, fx->err.message);
    struct ddb_value it = M(item);
    memset(&fx->err, 0, sizeof(fx->err));
    if (!ddb_update_apply(&fx->arena, &u, &it, out, &fx->err))
        return fx->err.message;
    return NULL;
}

static const char *applied(const char *expr, const char *names, const char *values, const char *item)
{
    struct ddb_value out;
    const char *e = apply(expr, names, values, item, &out);
    if (e)
        fail_msg("%s: %s", expr, e);
    return to_json(&out, true);
}

static void test_apply(void **state)
{
    (void)state;
    /* dynalite's "should update nested attributes" */
    const char *item = "{\"a\":{\"S\":\"k\"},\"b\":{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"},\"c\":{\"N\":\"3\"}}},"
                       "\"c\":{\"L\":[{\"N\":\"1\"},{\"N\":\"3\"}]}}";
    const char *expr = "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a";
    const char *values = "{\":a\":{\"N\":\"2\"},\":b\":{\"SS\":[\"a\"]}}";
    struct ddb_expr_context *ctx = context(NULL, values);
    struct ddb_update u;
    assert_true(ddb_parse_update(ctx, expr, strlen(expr), &u, &fx->err));
    struct ddb_value old = M(item), updated;
    assert_true(ddb_update_apply(&fx->arena, &u, &old, &updated, &fx->err));
    assert_string_equal(to_json(&updated, true),
                        "{\"a\":{\"S\":\"k\"},\"b\":{\"M\":{\"a\":{\"S\":\"k\"},\"b\":{\"N\":\"2\"},\"c\":{\"N\":\"4\"}}},"
                        "\"c\":{\"L\":[{\"N\":\"1\"},{\"S\":\"k\"},{\"N\":\"3\"},{\"N\":\"-1\"},{\"N\":\"2\"},"
                        "{\"SS\":[\"a\"]}]}}");
    struct ddb_path *paths;
    size_t npaths;
    assert_true(ddb_update_paths(&fx->arena, &u, &paths, &npaths));
    struct ddb_value projected;
    assert_true(ddb_project(&fx->arena, &updated, paths, npaths, &projected));
    assert_string_equal(to_json(&projected, true),
                        "{\"b\":{\"M\":{\"a\":{\"S\":\"k\"},\"c\":{\"N\":\"4\"}}},"
                        "\"c\":{\"L\":[{\"S\":\"k\"},{\"N\":\"3\"},{\"N\":\"2\"}]}}");
    assert_true(ddb_project(&fx->arena, &old, paths, npaths, &projected));
    assert_string_equal(to_json(&projected, true),
                        "{\"b\":{\"M\":{\"a\":{\"N\":\"1\"},\"c\":{\"N\":\"3\"}}},\"c\":{\"L\":[{\"N\":\"3\"}]}}");

    const char *list = "{\"k\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"}]}}";
    /* REMOVE takes the original indexes */
    assert_string_equal(applied("REMOVE l[1], l[2]", NULL, NULL, list),
                        "{\"k\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"3\"}]}}");
    assert_string_equal(applied("REMOVE l[9], gone, k", NULL, NULL, list),
                        "{\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"}]}}");
    assert_string_equal(applied("REMOVE l[0] SET l[2] = :v", NULL, "{\":v\":{\"S\":\"v\"}}", list),
                        "{\"k\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"v\"},{\"N\":\"3\"}]}}");
    assert_string_equal(applied("SET l = list_append(l, :more), n = list_append(:more, :more)", NULL,
                                "{\":more\":{\"L\":[{\"S\":\"m\"}]}}", list),
                        "{\"k\":{\"S\":\"x\"},\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"},"
                        "{\"S\":\"m\"}]},\"n\":{\"L\":[{\"S\":\"m\"},{\"S\":\"m\"}]}}");
    assert_string_equal(applied("SET c = if_not_exists(c, :z) + :one, d = if_not_exists(k, :z)", NULL,
                                "{\":z\":{\"N\":\"0\"},\":one\":{\"N\":\"1\"}}", list),
                        "{\"c\":{\"N\":\"1\"},\"d\":{\"S\":\"x\"},\"k\":{\"S\":\"x\"},"
                        "\"l\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"},{\"N\":\"2\"},{\"N\":\"3\"}]}}");
    /* values come from the item before the update */
    assert_string_equal(applied("SET a = b, b = a", NULL, NULL, "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"}}"),
                        "{\"a\":{\"N\":\"2\"},\"b\":{\"N\":\"1\"}}");
    /* ADD and DELETE */
    const char *sets = "{\"n\":{\"N\":\"5\"},\"s\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\",\"3\"]}}";
    assert_string_equal(applied("ADD n :n, s :s, fresh :s, num :n", NULL,
                                "{\":n\":{\"N\":\"-7.5\"},\":s\":{\"SS\":[\"b\",\"c\",\"d\"]}}", sets),
                        "{\"fresh\":{\"SS\":[\"b\",\"c\",\"d\"]},\"n\":{\"N\":\"-2.5\"},\"ns\":{\"NS\":[\"1\",\"2\",\"3\"]},"
                        "\"num\":{\"N\":\"-7.5\"},\"s\":{\"SS\":[\"a\",\"b\",\"c\",\"d\"]}}");
    assert_string_equal(applied("DELETE ns :d, s :all, gone :all", NULL,
                                "{\":d\":{\"NS\":[\"1\",\"4\"]},\":all\":{\"SS\":[\"a\",\"b\"]}}", sets),
                        "{\"n\":{\"N\":\"5\"},\"ns\":{\"NS\":[\"2\",\"3\"]}}");
    assert_string_equal(applied("SET m.x.y = :v", NULL, "{\":v\":{\"S\":\"v\"}}",
                                "{\"m\":{\"M\":{\"x\":{\"M\":{}}}}}"),
                        "{\"m\":{\"M\":{\"x\":{\"M\":{\"y\":{\"S\":\"v\"}}}}}}");
}

static void test_runtime_errors(void **state)
{
    (void)state;
    struct ddb_value out;
    const char *base = "{\"a\":{\"S\":\"k\"},\"b\":{\"M\":{\"a\":{\"SS\":[\"1\"]}}},\"c\":{\"N\":\"1\"},\"d\":{\"NS\":[\"1\"]}}";
    static const char *const incorrect[][2] = {
        {"delete d :a", "{\":a\":{\"SS\":[\"1\"]}}"}, {"delete b :a", "{\":a\":{\"NS\":[\"1\"]}}"},
        {"delete b.a :a", "{\":a\":{\"NS\":[\"1\"]}}"}, {"delete c :a", "{\":a\":{\"NS\":[\"1\"]}}"},
        {"add b :a", "{\":a\":{\"NS\":[\"1\"]}}"}, {"add d :a", "{\":a\":{\"N\":\"1\"}}"},
        {"set e = a + :a", "{\":a\":{\"N\":\"1\"}}"}, {"set e = b - :a", "{\":a\":{\"N\":\"1\"}}"},
        {"set e = list_append(d, if_not_exists(f, :a))", "{\":a\":{\"L\":[]}}"},
    };
    for (size_t i = 0; i < sizeof(incorrect) / sizeof(incorrect[0]); i++) {
        const char *e = apply(incorrect[i][0], NULL, incorrect[i][1], base, &out);
        if (!e || strcmp(e, "An operand in the update expression has an incorrect data type") != 0)
            fail_msg("%s: %s", incorrect[i][0], e ? e : "(ok)");
    }
    assert_string_equal(apply("set c = b2", NULL, NULL, "{\"a\":{\"S\":\"k\"}}", &out),
                        "The provided expression refers to an attribute that does not exist in the item");
    assert_string_equal(apply("set e = list_append(b2, c)", NULL, NULL, "{\"a\":{\"S\":\"k\"}}", &out),
                        "The provided expression refers to an attribute that does not exist in the item");
    const char *existing = "{\"a\":{\"S\":\"k\"},\"b\":{\"S\":\"k\"},\"c\":{\"M\":{\"1\":{\"S\":\"a\"}}},"
                           "\"d\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}";
    static const char *const invalid[] = {
        "set b.a = :a, #1 = :a", "set b[1] = :a, #1 = :a", "set y.a = :a, #1 = :a", "set y[1] = :a, #1 = :a",
        "set c[1] = :a, #1 = :a", "set d.#1 = :a", "remove b.a set #1 = :a", "remove y.a set #1 = :a",
        "remove c[1] set #1 = :a", "remove d.#1 set #1 = :a", "delete b[1] :a set #1 = :a", "delete y.a :a set #1 = :a",
        "delete d.#1 :a", "add b.a :a set #1 = :a", "add c[1] :a set #1 = :a", "add d.#1 :a",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        const char *e = apply(invalid[i], "{\"#1\":\"1\"}", "{\":a\":{\"SS\":[\"a\"]}}", existing, &out);
        if (!e || strcmp(e, "The document path provided in the update expression is invalid for update") != 0)
            fail_msg("%s: %s", invalid[i], e ? e : "(ok)");
    }
    assert_string_equal(apply("set b.a = a", NULL, NULL, "{\"a\":{\"S\":\"k\"}}", &out),
                        "The document path provided in the update expression is invalid for update");
    assert_string_equal(apply("set n = n + :big", NULL, "{\":big\":{\"N\":\"9e125\"}}", "{\"n\":{\"N\":\"9e125\"}}", &out),
                        "Number overflow. Attempting to store a number with magnitude larger than supported range");
    assert_string_equal(apply("add n :one", NULL, "{\":one\":{\"N\":\"1\"}}", "{\"n\":{\"N\":\"1e50\"}}", &out),
                        "Number overflow. Attempting to store a number with magnitude larger than supported range");
    /* a value placed deep enough to pass 32 levels */
    char deep[1024] = "{\"M\":{\"n\":";
    for (int i = 0; i < 30; i++)
        strcat(deep, "{\"M\":{\"n\":");
    strcat(deep, "{\"S\":\"x\"}");
    for (int i = 0; i < 31; i++)
        strcat(deep, "}}");
    char values[1100];
    snprintf(values, sizeof(values), "{\":v\":%s}", deep);
    assert_null(apply("set top = :v", NULL, values, "{\"m\":{\"M\":{}}}", &out));
    assert_string_equal(apply("set m.x = :v", NULL, values, "{\"m\":{\"M\":{}}}", &out),
                        "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
                        "beyond supported limit");
}

static void test_keys_and_indexes(void **state)
{
    (void)state;
    struct ddb_key_schema table = {"a", 1, DDB_S, "b", 1, DDB_S};
    static const char *const touching[] = {"add a.b :a", "delete a :a", "remove d set b = :a, a = :a", "set x = :a REMOVE b"};
    for (size_t i = 0; i < 4; i++) {
        struct ddb_expr_context *ctx = context(NULL, "{\":a\":{\"NS\":[\"1\"]}}");
        struct ddb_update u;
        assert_true(ddb_parse_update(ctx, touching[i], strlen(touching[i]), &u, &fx->err));
        assert_false(ddb_update_check_key_attributes(&u, &table, &fx->err));
        expect_prefix(fx->err.message, "One or more parameter values were invalid: Cannot update attribute ");
    }
    struct ddb_expr_context *ctx = context(NULL, "{\":a\":{\"N\":\"1\"}}");
    struct ddb_update u;
    const char *expr = "set d.a = a add c :a";
    assert_true(ddb_parse_update(ctx, expr, strlen(expr), &u, &fx->err));
    assert_true(ddb_name_list_has(&u.nested, "d", 1));
    assert_false(ddb_name_list_has(&u.nested, "c", 1));
    assert_int_equal(u.actions[1].static_type, DDB_N);
    assert_int_equal(u.actions[0].static_type, -1);
    struct ddb_key_schema index = {"c", 1, DDB_S, NULL, 0, DDB_S};
    assert_false(ddb_update_check_index_types(&u, &index, "index1", &fx->err));
    assert_string_equal(fx->err.message, "One or more parameter values were invalid: Type mismatch for Index Key c "
                                         "Expected: S Actual: N IndexName: index1");
    struct ddb_key_schema index_d = {"d", 1, DDB_S, NULL, 0, DDB_S};
    assert_false(ddb_check_nested_key_paths(&u.nested, &index_d, true, &fx->err));
    assert_string_equal(fx->err.message, "Key attributes must be scalars; list random access '[]' and map lookup '.' "
                                         "are not allowed: IndexKey: d");
    assert_true(ddb_check_nested_key_paths(&u.nested, &index, false, &fx->err));
    ctx = context(NULL, NULL);
    expr = "set c = e";
    assert_true(ddb_parse_update(ctx, expr, strlen(expr), &u, &fx->err));
    struct ddb_value item = M("{\"a\":{\"S\":\"k\"},\"e\":{\"N\":\"1\"}}"), out;
    assert_true(ddb_update_apply(&fx->arena, &u, &item, &out, &fx->err));
    assert_false(ddb_update_check_index_key(&u, &out, &index, &fx->err));
    assert_string_equal(fx->err.message,
                        "The update expression attempted to update the secondary index key to unsupported type");
}

static const char *legacy_error(const char *updates)
{
    struct ddb_update u;
    memset(&fx->err, 0, sizeof(fx->err));
    assert_false(ddb_legacy_attribute_updates(&fx->arena, J(updates), &u, &fx->err));
    return fx->err.message;
}

static const char *legacy_applied(const char *updates, const char *item, bool ok)
{
    struct ddb_update u;
    if (!ddb_legacy_attribute_updates(&fx->arena, J(updates), &u, &fx->err))
        fail_msg("%s: %s", updates, fx->err.message);
    struct ddb_value it = M(item), out;
    if (ddb_update_apply(&fx->arena, &u, &it, &out, &fx->err) != ok)
        fail_msg("%s: %s", updates, ok ? fx->err.message : "applied");
    return ok ? to_json(&out, true) : fx->err.message;
}

static void test_attribute_updates(void **state)
{
    (void)state;
    assert_string_equal(legacy_error("{\"a\":{\"Action\":\"PUT\"}}"),
                        "One or more parameter values were invalid: Only DELETE action is allowed when no attribute "
                        "value is specified");
    assert_string_equal(legacy_error("{\"a\":{\"Action\":\"DELETE\",\"Value\":{\"S\":\"x\"}}}"),
                        "One or more parameter values were invalid: DELETE action with value is not supported for the "
                        "type S");
    assert_string_equal(legacy_error("{\"a\":{\"Action\":\"ADD\",\"Value\":{\"M\":{}}}}"),
                        "One or more parameter values were invalid: ADD action is not supported for the type M");
    assert_string_equal(legacy_error("{\"a\":{\"Value\":{\"SS\":[]}}}"),
                        "One or more parameter values were invalid: An string set  may not be empty");
    const char *item = "{\"a\":{\"S\":\"k\"},\"b\":{\"SS\":[\"1\"]},\"c\":{\"N\":\"1\"},\"d\":{\"NS\":[\"1\"]},"
                       "\"l\":{\"L\":[{\"S\":\"a\"}]}}";
    static const char *const mismatches[] = {
        "{\"b\":{\"Action\":\"DELETE\",\"Value\":{\"NS\":[\"1\"]}}}", "{\"c\":{\"Action\":\"DELETE\",\"Value\":{\"NS\":[\"1\"]}}}",
        "{\"b\":{\"Action\":\"ADD\",\"Value\":{\"NS\":[\"1\"]}}}", "{\"d\":{\"Action\":\"ADD\",\"Value\":{\"N\":\"1\"}}}",
    };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(legacy_applied(mismatches[i], item, false), "Type mismatch for attribute to update");
    assert_string_equal(
        legacy_applied("{\"b\":{\"Action\":\"DELETE\"},\"c\":{\"Action\":\"ADD\",\"Value\":{\"N\":\"3\"}},"
                       "\"d\":{\"Action\":\"DELETE\",\"Value\":{\"NS\":[\"1\"]}},\"l\":{\"Action\":\"ADD\","
                       "\"Value\":{\"L\":[{\"N\":\"2\"}]}},\"e\":{\"Value\":{\"BOOL\":true}},"
                       "\"f\":{\"Action\":\"ADD\",\"Value\":{\"SS\":[\"x\"]}}}",
                       item, true),
        "{\"a\":{\"S\":\"k\"},\"c\":{\"N\":\"4\"},\"e\":{\"BOOL\":true},\"f\":{\"SS\":[\"x\"]},"
        "\"l\":{\"L\":[{\"S\":\"a\"},{\"N\":\"2\"}]}}");
    /* a name given twice applies in order */
    assert_string_equal(legacy_applied("{\"z\":{\"Value\":{\"N\":\"1\"}},\"z\":{\"Action\":\"ADD\",\"Value\":{\"N\":\"2\"}}}",
                                       item, true),
                        "{\"a\":{\"S\":\"k\"},\"b\":{\"SS\":[\"1\"]},\"c\":{\"N\":\"1\"},\"d\":{\"NS\":[\"1\"]},"
                        "\"l\":{\"L\":[{\"S\":\"a\"}]},\"z\":{\"N\":\"3\"}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_syntax_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_semantic_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_apply, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_runtime_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_indexes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_attribute_updates, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
