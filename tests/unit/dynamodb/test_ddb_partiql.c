/* Unit tests for protocol/dynamodb partiql.c: the four statements and
 * their parts (projection, index, WHERE as a condition, INSERT items,
 * UPDATE actions, RETURNING, ORDER BY), parameters, literals, comments,
 * the key a WHERE pins down, and AWS's messages for what is refused. */
#include "ddb_test.h"

#include "protocol/dynamodb/partiql.h"

static struct ddb_partiql parse(const char *text, const char *params_json)
{
    struct ddb_value params[8];
    size_t n = 0;
    if (params_json) {
        const struct json_value *arr = J(params_json);
        for (size_t i = 0; i < arr->len && i < 8; i++)
            if (!ddb_value_from_json(&fx->arena, &arr->u.items[i], DDB_SLOT_MAP_VALUE, &params[n++], &fx->err))
                fail_msg("param: %s", fx->err.message);
    }
    struct ddb_partiql st;
    if (!ddb_partiql_parse(&fx->arena, text, strlen(text), params, n, &st, &fx->err))
        fail_msg("%s: %s", text, fx->err.message);
    return st;
}

static const char *parse_error(const char *text, const char *params_json)
{
    struct ddb_value params[8];
    size_t n = 0;
    if (params_json) {
        const struct json_value *arr = J(params_json);
        for (size_t i = 0; i < arr->len && i < 8; i++)
            assert_true(ddb_value_from_json(&fx->arena, &arr->u.items[i], DDB_SLOT_MAP_VALUE, &params[n++], &fx->err));
    }
    struct ddb_partiql st;
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_partiql_parse(&fx->arena, text, strlen(text), params, n, &st, &fx->err))
        fail_msg("%s: parsed", text);
    assert_int_equal(fx->err.type, DDB_ERR_VALIDATION);
    return fx->err.message;
}

static bool where(const struct ddb_partiql *st, const char *item)
{
    struct ddb_value it = M(item);
    return ddb_condition_eval(st->where, &it);
}

static void test_select(void **state)
{
    (void)state;
    struct ddb_partiql st = parse("SELECT * FROM \"Music\" WHERE Artist = 'Acme' AND SongTitle > ?", "[{\"S\":\"M\"}]");
    assert_int_equal(st.kind, DDB_PARTIQL_SELECT);
    assert_true(st.select_all);
    assert_int_equal(st.table_len, 5);
    assert_memory_equal(st.table, "Music", 5);
    assert_null(st.index);
    assert_true(where(&st, "{\"Artist\":{\"S\":\"Acme\"},\"SongTitle\":{\"S\":\"Z\"}}"));
    assert_false(where(&st, "{\"Artist\":{\"S\":\"Acme\"},\"SongTitle\":{\"S\":\"A\"}}"));
    struct ddb_key_schema schema = {"Artist", 6, DDB_S, "SongTitle", 9, DDB_S};
    struct ddb_value key;
    bool complete;
    assert_true(ddb_partiql_key(&fx->arena, &st, &schema, &key, &complete));
    assert_false(complete);
    assert_string_equal(to_json(&key, true), "{\"Artist\":{\"S\":\"Acme\"}}");

    st = parse("select a, b.c[1], \"weird name\" from Music.\"by-year\" where 7.31e6 = pk order by sk desc", NULL);
    assert_false(st.select_all);
    assert_int_equal(st.projection.len, 3);
    assert_int_equal(st.projection.paths[1].len, 3);
    assert_int_equal(st.projection.paths[1].steps[2].index, 1);
    assert_memory_equal(st.projection.paths[2].steps[0].name, "weird name", 10);
    assert_memory_equal(st.index, "by-year", 7);
    assert_true(st.has_order && st.order_descending);
    struct ddb_key_schema nschema = {"pk", 2, DDB_N, NULL, 0, DDB_S};
    assert_true(ddb_partiql_key(&fx->arena, &st, &nschema, &key, &complete));
    assert_true(complete);
    assert_string_equal(to_json(&key, true), "{\"pk\":{\"N\":\"7310000\"}}");

    /* comments are whitespace */
    st = parse("-- first\nSELECT * FROM \"t\" /* a note */ WHERE pk = 'a' -- trailing", NULL);
    assert_true(where(&st, "{\"pk\":{\"S\":\"a\"}}"));
    st = parse("SELECT * FROM t", NULL);
    assert_null(st.where);
}

static void test_where(void **state)
{
    (void)state;
    const char *item = "{\"pk\":{\"S\":\"k\"},\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]},\"s\":{\"S\":\"str\"},"
                       "\"m\":{\"M\":{\"sub\":{\"S\":\"x\"}}},\"nul\":{\"NULL\":true},\"flag\":{\"BOOL\":true},"
                       "\"n\":{\"N\":\"5\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"two\"}]}}";
    static const struct {
        const char *cond;
        bool want;
    } cases[] = {
        {"attribute_exists(ss)", true}, {"attribute_exists(nope)", false}, {"attribute_not_exists(nope)", true},
        {"NOT attribute_exists(nope)", true}, {"ATTRIBUTE_EXISTS(ss)", true},
        {"(attribute_exists(nope) OR attribute_exists(ss))", true}, {"attribute_exists(ss) = true", true},
        {"attribute_exists(ss) = false", false}, {"attribute_exists(\"ss\")", true}, {"attribute_exists(m.sub)", true},
        {"attribute_exists(m.nope)", false}, {"size(s) = 3", true}, {"size(s) = 4", false},
        {"attribute_type(ss, 'SS')", true}, {"attribute_type(ss, 'S')", false}, {"nul IS NULL", true},
        {"s IS NULL", false}, {"s IS NOT NULL", true}, {"nul IS NOT NULL", false}, {"flag IS BOOL", true},
        {"s IS STRING", true}, {"s IS BOOL", false}, {"nope IS MISSING", true}, {"s IS NOT MISSING", true},
        {"n BETWEEN 1 AND 5", true}, {"n NOT BETWEEN 1 AND 5", false}, {"n IN [1, 5, 7]", true},
        {"n IN (2, 3)", false}, {"s NOT IN ['a']", true}, {"begins_with(s, 'st')", true}, {"contains(ss, 'b')", true},
        {"contains(s, 'tr')", true}, {"n <> 5", false}, {"n != 4", true}, {"n >= 5.0", true}, {"n < 10", true},
        {"l[1] = 'two'", true}, {"l = [1, 'two']", true}, {"m = {'sub': 'x'}", true}, {"ss = <<'c','a','b'>>", true},
        {"m['sub'] = 'x'", true}, {"s = 'str' AND (n = 1 OR n = 5)", true}, {"NOT (s = 'str')", false},
    };
    char text[256];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), "SELECT * FROM \"T\" WHERE pk = 'k' AND %s", cases[i].cond);
        struct ddb_partiql st = parse(text, NULL);
        if (where(&st, item) != cases[i].want)
            fail_msg("%s: want %s", cases[i].cond, cases[i].want ? "true" : "false");
    }
}

static void test_insert(void **state)
{
    (void)state;
    struct ddb_partiql st = parse("INSERT INTO \"T\" VALUE {'pk': 7.32e6, 'tag': 'gram''mar', 'b': true, 'z': null, "
                                  "'l': [1, -.5, 'x'], 'm': {'k': {'deep': ?}}, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>}",
                                  "[{\"B\":\"AQI=\"}]");
    assert_int_equal(st.kind, DDB_PARTIQL_INSERT);
    assert_string_equal(to_json(&st.item, true),
                        "{\"b\":{\"BOOL\":true},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"-0.5\"},{\"S\":\"x\"}]},"
                        "\"m\":{\"M\":{\"k\":{\"M\":{\"deep\":{\"B\":\"AQI=\"}}}}},\"ns\":{\"NS\":[\"1\",\"2\"]},"
                        "\"pk\":{\"N\":\"7320000\"},\"ss\":{\"SS\":[\"a\",\"b\"]},\"tag\":{\"S\":\"gram'mar\"},"
                        "\"z\":{\"NULL\":true}}");
    st = parse("INSERT INTO t VALUE ?", "[{\"M\":{\"pk\":{\"S\":\"p\"}}}]");
    assert_string_equal(to_json(&st.item, true), "{\"pk\":{\"S\":\"p\"}}");
}

static void test_update_and_delete(void **state)
{
    (void)state;
    struct ddb_partiql st = parse("UPDATE \"T\" SET a = a + 1, b.c = 'x' SET l = list_append(l, [2]) "
                                  "SET ss = set_add(ss, <<'z'>>) SET ns = set_delete(ns, <<1>>) REMOVE gone "
                                  "WHERE pk = 'k' AND attribute_exists(a) RETURNING MODIFIED NEW *",
                                  NULL);
    assert_int_equal(st.kind, DDB_PARTIQL_UPDATE);
    assert_int_equal(st.update.len, 6);
    assert_int_equal(st.returning, DDB_RETURNING_MODIFIED_NEW);
    assert_true(ddb_name_list_has(&st.update.nested, "b", 1));
    struct ddb_value item = M("{\"pk\":{\"S\":\"k\"},\"a\":{\"N\":\"1\"},\"b\":{\"M\":{}},\"l\":{\"L\":[{\"N\":\"1\"}]},"
                              "\"ss\":{\"SS\":[\"y\"]},\"ns\":{\"NS\":[\"1\",\"2\"]},\"gone\":{\"S\":\"g\"}}"),
                     out;
    assert_true(ddb_condition_eval(st.where, &item));
    assert_true(ddb_update_apply(&fx->arena, &st.update, &item, &out, &fx->err));
    assert_string_equal(to_json(&out, true),
                        "{\"a\":{\"N\":\"2\"},\"b\":{\"M\":{\"c\":{\"S\":\"x\"}}},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]},"
                        "\"ns\":{\"NS\":[\"2\"]},\"pk\":{\"S\":\"k\"},\"ss\":{\"SS\":[\"y\",\"z\"]}}");
    struct ddb_key_schema schema = {"pk", 2, DDB_S, NULL, 0, DDB_S};
    struct ddb_value key;
    bool complete;
    assert_true(ddb_partiql_key(&fx->arena, &st, &schema, &key, &complete));
    assert_true(complete);

    st = parse("UPDATE t SET x = ? SET y = ? WHERE pk = ?", "[{\"N\":\"1\"},{\"S\":\"two\"},{\"S\":\"k\"}]");
    assert_int_equal(st.update.len, 2);
    st = parse("DELETE FROM \"T\" WHERE pk = 'k' RETURNING ALL OLD *", NULL);
    assert_int_equal(st.kind, DDB_PARTIQL_DELETE);
    assert_int_equal(st.returning, DDB_RETURNING_ALL_OLD);
    /* set_add of a number to a string set fails when applied */
    st = parse("UPDATE t SET ss = set_add(ss, <<1>>) WHERE pk = 'k'", NULL);
    assert_false(ddb_update_apply(&fx->arena, &st.update, &item, &out, &fx->err));
    assert_string_equal(fx->err.message, "An operand in the update expression has an incorrect data type");
}

#define MALFORMED "Statement wasn't well formed, can't be processed: "

static void test_refusals(void **state)
{
    (void)state;
    static const char *const leftover[] = {
        "SELECT * FROM \"N\" WHERE pk = 1 foo", "SELECT * FROM \"N\" WHERE pk = 1 e5",
        "INSERT INTO \"N\" VALUE {'pk': 970001} foo", "UPDATE \"N\" SET a = 9 WHERE pk = 970002 foo",
        "DELETE FROM \"N\" WHERE pk = 970003 foo", "SELECT * FROM \"N\" WHERE pk = 1)",
        "DELETE FROM \"N\" WHERE pk = 970004 ORDER BY pk", "SELECT * FROM \"N\" ORDER BY pk WHERE pk = 1",
        "INSERT INTO \"S\" t VALUE {'pk': 'x'}",
    };
    for (size_t i = 0; i < sizeof(leftover) / sizeof(leftover[0]); i++)
        assert_string_equal(parse_error(leftover[i], NULL), MALFORMED "Unexpected token after expression");
    static const char *const unreadable[] = {
        "SELECT * FROM \"N\" WHERE pk = 1e2147483648", "SELECT * FROM \"N\" WHERE pk = 1e99999999999",
        "SELECT * FROM \"N\" WHERE pk = 1.5e-2147483647", "SELECT * FROM \"N\" WHERE pk = 1 # note",
        "SELECT * FROM \"N\" WHERE pk = 1 /* note", "SELECT * FROM \"N\" WHERE pk = 'open",
    };
    for (size_t i = 0; i < sizeof(unreadable) / sizeof(unreadable[0]); i++)
        assert_string_equal(parse_error(unreadable[i], NULL), MALFORMED);
    static const char *const aliases[] = {
        "SELECT * FROM \"S\" t WHERE pk = 'x'", "SELECT * FROM \"S\" AS t WHERE pk = 'x'",
        "UPDATE \"S\" t SET a = 3 WHERE pk = 'x'", "DELETE FROM \"S\" t WHERE pk = 'x'",
    };
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(parse_error(aliases[i], NULL), "Aliasing is not supported");
    const char *overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range";
    char want[256];
    snprintf(want, sizeof(want), "%s under root", overflow);
    assert_string_equal(parse_error("SELECT * FROM \"N\" WHERE pk = 1e126", NULL), want);
    assert_string_equal(parse_error("INSERT INTO \"N\" VALUE {'pk': 1e126}", NULL), want);
    assert_string_equal(parse_error("SELECT * FROM \"N\" WHERE pk = 123456789012345678901234567890123456789", NULL),
                        "Attempting to store more than 38 significant digits in a Number under root");
    assert_string_equal(parse_error("UPDATE \"N\" SET a = 1e-131 WHERE pk = 970005", NULL),
                        "Number underflow. Attempting to store a number with magnitude smaller than supported range under root");
    snprintf(want, sizeof(want), "%s under root.x", overflow);
    assert_string_equal(parse_error("INSERT INTO \"N\" VALUE {'pk': 970006, 'm': {'x': 1e126}}", NULL), want);
    snprintf(want, sizeof(want), "%s under root[1]", overflow);
    assert_string_equal(parse_error("INSERT INTO \"N\" VALUE {'pk': 970007, 'l': [1, 1e126]}", NULL), want);

    const char *base = "SELECT * FROM \"T\" WHERE pk = 'k' AND ";
    char text[256];
    snprintf(text, sizeof(text), "%sattribute_exists('ss')", base);
    assert_string_equal(parse_error(text, NULL),
                        "Operator or function requires a document path; operator or function: attribute_exists");
    snprintf(text, sizeof(text), "%sattribute_exists()", base);
    assert_string_equal(parse_error(text, NULL), "Incorrect number of operands for operator or function; operator or "
                                                 "function: attribute_exists, number of operands: 0");
    snprintf(text, sizeof(text), "%sEXISTS(ss)", base);
    assert_string_equal(parse_error(text, NULL), "Unrecognized function: exists at 1:38:6");
    snprintf(text, sizeof(text), "%sattribute_exists(m.inner)", base);
    assert_string_equal(parse_error(text, NULL), MALFORMED "Invalid path dot component");
    snprintf(text, sizeof(text), "%sset_add(ss, <<'x'>>) = ss", base);
    assert_string_equal(parse_error(text, NULL), "Unrecognized function: set_add at 1:38:7");
    snprintf(text, sizeof(text), "%sval < ?", base);
    assert_string_equal(parse_error(text, "[{\"BOOL\":true}]"),
                        "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL");
    snprintf(text, sizeof(text), "%sval BETWEEN ? AND ?", base);
    assert_string_equal(parse_error(text, "[{\"BOOL\":true},{\"BOOL\":false}]"),
                        "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL");
    assert_string_equal(parse_error("SELECT attribute_exists(ss) FROM \"T\" WHERE pk = 'k'", NULL),
                        "Unexpected path component at 1:8:16");
    const char *upd = "UPDATE \"T\" SET ";
    snprintf(text, sizeof(text), "%st = set_add(ss, <<'x'>>) WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL), "The first argument to SET_ADD must equal the assignment value at 1:20:7");
    snprintf(text, sizeof(text), "%sss = set_add(ss, 'x') WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL), "The second argument to SET_ADD must be a value with type SET at 1:29:2");
    snprintf(text, sizeof(text), "%sss = set_add(ss) WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL), "SET_ADD must have exactly two arguments at 1:21:7");
    snprintf(text, sizeof(text), "%sss = set_add(ss, <<'x', 'x'>>) WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL),
                        "One or more parameter values were invalid: Input collection [x, x] contains duplicates.");
    snprintf(text, sizeof(text), "%sss = set_add(ss, <<>>) WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL), "Empty bags are not supported");
    snprintf(text, sizeof(text), "%st = set_delete(ss, <<'a'>>) WHERE pk = 'k'", upd);
    assert_string_equal(parse_error(text, NULL), "The first argument to SET_DELETE must equal the assignment value at 1:20:10");
    assert_string_equal(parse_error("INSERT INTO \"T\" VALUE {'pk': 'p', 'ss': set_add(<<'a'>>, <<'b'>>)}", NULL),
                        "Unsupported data type: set_add under key root at 1:41:7");
    assert_string_equal(parse_error("SELECT * FROM t WHERE pk = ? AND x = ?", "[{\"S\":\"a\"}]"),
                        "Number of parameters in request and statement don't match.");
    assert_string_equal(parse_error("SELECT * FROM t ORDER BY pk", NULL),
                        "Must have WHERE clause in the statement when using ORDER BY clause.");
    assert_string_equal(parse_error("DELETE FROM t WHERE pk = 'k' RETURNING ALL NEW *", NULL),
                        "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed in DELETE "
                        "statements.");
    assert_string_equal(parse_error("UPDATE t ADD a 1 WHERE pk = 'k'", NULL),
                        "Only SET and REMOVE are supported in update expressions at this time");
    assert_string_equal(parse_error("SELECT * FROM t WHERE pk IS FLOAT", NULL),
                        "Unsupported data type for IS operator: FLOAT. Supported data types are [MISSING, NULL, "
                        "BOOLEAN, BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]");
    assert_string_equal(parse_error("SELECT * FROM t WHERE pk = MISSING", NULL), "MISSING must be compared using IS operator");
    assert_string_equal(parse_error("INSERT INTO t VALUE {'a': 1, 'a': 2}", NULL), "Duplicate keys in tuple. Key: a under root");
    assert_string_equal(parse_error("SELECT * FROM t WHERE a = <<1, 'x'>>", NULL),
                        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    /* deep nesting is refused, not recursed into */
    char deep[600] = "SELECT * FROM t WHERE ";
    for (int i = 0; i < 100; i++)
        strcat(deep, "(");
    strcat(deep, "a = 1");
    for (int i = 0; i < 100; i++)
        strcat(deep, ")");
    assert_non_null(strstr(parse_error(deep, NULL), MALFORMED));
    assert_string_equal(parse_error("", NULL), MALFORMED "Empty statement");
    char *huge = malloc(DDB_PARTIQL_MAX_BYTES + 64);
    strcpy(huge, "SELECT * FROM t WHERE a IN [");
    while (strlen(huge) < DDB_PARTIQL_MAX_BYTES)
        strcat(huge, "1, ");
    strcat(huge, "1]");
    assert_non_null(strstr(parse_error(huge, NULL), "Member must have length less than or equal to 8192"));
    free(huge);
    assert_string_equal(parse_error("UPDATE t SET a = 1, a.b = 2 WHERE pk = 'k'", NULL),
                        "Two document paths overlap with each other; must remove or rewrite one of these paths; path "
                        "one: [a], path two: [a, b]");
    char nested[400] = "INSERT INTO t VALUE {'pk': 'k', 'l': ";
    for (int i = 0; i < 40; i++)
        strcat(nested, "[");
    for (int i = 0; i < 40; i++)
        strcat(nested, "]");
    strcat(nested, "}");
    assert_string_equal(parse_error(nested, NULL), "Nesting Levels have exceeded supported limits: Attributes in the "
                                                   "item have nested levels beyond supported limit");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_select, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_where, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_insert, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_update_and_delete, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refusals, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
