/* Unit tests for protocol/dynamodb value.c, value_json.c and key.c: AWS's
 * two passes over AttributeValues (JSON shapes, then values) with their
 * exact messages, conversion and serialization, equality and order, item
 * sizes, and keys (sortable bytes and AWS's key checks). */
#include "ddb_test.h"

#include "protocol/dynamodb/key.h"

static const char *shape_error(const char *text, enum ddb_json_slot slot)
{
    memset(&fx->err, 0, sizeof(fx->err));
    assert_false(ddb_json_check_value(J(text), slot, &fx->err));
    assert_int_equal(fx->err.type, DDB_ERR_SERIALIZATION);
    return fx->err.message;
}

static void test_shapes(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"{\"S\":true}", "TRUE_VALUE cannot be converted to String"},
        {"{\"S\":false}", "FALSE_VALUE cannot be converted to String"},
        {"{\"S\":23}", "NUMBER_VALUE cannot be converted to String"},
        {"{\"N\":-2147483648}", "NUMBER_VALUE cannot be converted to String"},
        {"{\"S\":34.56}", "DECIMAL_VALUE cannot be converted to String"},
        {"{\"S\":[]}", "Unrecognized collection type class java.lang.String"},
        {"{\"N\":{}}", "Start of structure or map found where not expected"},
        {"{\"B\":true}", "only base-64-encoded strings are convertible to bytes"},
        {"{\"B\":34.56}", "only base-64-encoded strings are convertible to bytes"},
        {"{\"B\":[]}", "Unrecognized collection type class java.nio.ByteBuffer"},
        {"{\"B\":{}}", "Start of structure or map found where not expected"},
        {"{\"B\":\"23456\"}", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
        {"{\"B\":\"=+/=\"}", "Invalid last non-pad Base64 character dectected"},
        {"{\"B\":\"+/+=\"}", "Invalid last non-pad Base64 character dectected"},
        {"{\"BOOL\":\"23\"}", "Unexpected token received from parser"},
        {"{\"BOOL\":23}", "NUMBER_VALUE cannot be converted to Boolean"},
        {"{\"NULL\":34.56}", "DECIMAL_VALUE cannot be converted to Boolean"},
        {"{\"NULL\":[]}", "Unrecognized collection type class java.lang.Boolean"},
        {"{\"BOOL\":{}}", "Start of structure or map found where not expected"},
        {"{\"SS\":\"23\"}", "Unexpected field type"},
        {"{\"NS\":true}", "Unexpected field type"},
        {"{\"L\":{}}", "Start of structure or map found where not expected"},
        {"{\"SS\":[23]}", "NUMBER_VALUE cannot be converted to String"},
        {"{\"BS\":[true]}", "only base-64-encoded strings are convertible to bytes"},
        {"{\"L\":[\"23\"]}", "Unexpected value type in payload"},
        {"{\"L\":[[]]}", "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
        {"{\"L\":[{\"BS\":[\"23456\"]}]}", "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
        {"{\"M\":\"23\"}", "Unexpected field type"},
        {"{\"M\":[]}", "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
        {"{\"M\":{\"a\":34.56}}", "Unexpected value type in payload"},
        {"{\"M\":{\"a\":{\"BS\":[{}]}}}", "Start of structure or map found where not expected"},
        {"\"23\"", "Unexpected value type in payload"},
        {"[]", "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
        /* AWS's member order (S before N) decides which error shows */
        {"{\"N\":true,\"S\":5}", "NUMBER_VALUE cannot be converted to String"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(shape_error(cases[i][0], DDB_SLOT_MAP_VALUE), cases[i][1]);
    assert_string_equal(shape_error("23", DDB_SLOT_FIELD), "Unexpected field type");
    assert_string_equal(shape_error("[]", DDB_SLOT_FIELD),
                        "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
    assert_false(ddb_json_check_map(J("[]"), &fx->err));
    assert_string_equal(fx->err.message, "Unrecognized collection type java.util.Map<java.lang.String, "
                                         "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    assert_false(ddb_json_check_map(J("true"), &fx->err));
    assert_string_equal(fx->err.message, "Unexpected field type");
    /* a shape error wins over a value error earlier in the same value */
    assert_string_equal(value_error("{\"L\":[{},{\"S\":5}]}", DDB_ERR_SERIALIZATION),
                        "NUMBER_VALUE cannot be converted to String");
    /* booleans coerce from strings as AWS does */
    struct ddb_value v = V("{\"BOOL\":\"yes\"}");
    assert_true(v.boolean);
    v = V("{\"BOOL\":\"0\"}");
    assert_false(v.boolean);
    v = V("{\"NULL\":\"TRUE\"}");
    assert_int_equal(v.type, DDB_NULL);
}

#define INVALID "One or more parameter values were invalid: "

static void test_value_errors(void **state)
{
    (void)state;
    static const char *const empty = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
    assert_string_equal(value_error("{}", DDB_ERR_VALIDATION), empty);
    assert_int_equal(fx->err.fault, DDB_FAULT_EMPTY_VALUE);
    assert_string_equal(value_error("{\"a\":\"\"}", DDB_ERR_VALIDATION), empty);
    assert_string_equal(value_error("{\"S\":null}", DDB_ERR_VALIDATION), empty);
    assert_string_equal(value_error("{\"M\":{\"a\":{}}}", DDB_ERR_VALIDATION), empty);
    assert_string_equal(value_error("{\"L\":[{}]}", DDB_ERR_VALIDATION), empty);
    assert_string_equal(value_error("{\"L\":[{\"a\":{}}]}", DDB_ERR_VALIDATION), empty);
    static const char *const cases[][2] = {
        {"{\"NULL\":\"no\"}", INVALID "Null attribute value types must have the value of true"},
        {"{\"NULL\":false}", INVALID "Null attribute value types must have the value of true"},
        {"{\"SS\":[]}", INVALID "An string set  may not be empty"},
        {"{\"NS\":[]}", INVALID "An number set  may not be empty"},
        {"{\"BS\":[]}", INVALID "Binary sets should not be empty"},
        {"{\"SS\":[\"a\",\"a\"]}", INVALID "Input collection [a, a] contains duplicates."},
        {"{\"BS\":[\"Yg==\",\"Yg==\"]}", INVALID "Input collection [Yg==, Yg==]of type BS contains duplicates."},
        {"{\"S\":\"\",\"N\":\"\"}", "The parameter cannot be converted to a numeric value"},
        {"{\"S\":\"a\",\"N\":\"\"}", "The parameter cannot be converted to a numeric value"},
        {"{\"S\":\"a\",\"N\":\"b\"}", "The parameter cannot be converted to a numeric value: b"},
        {"{\"NS\":[\"1\",\"\"]}", "The parameter cannot be converted to a numeric value"},
        {"{\"NS\":[\"1\",\"b\"]}", "The parameter cannot be converted to a numeric value: b"},
        {"{\"NS\":[\"1\",\"1\"]}", "Input collection contains duplicates"},
        {"{\"NS\":[\"1\",\"1.0\"]}", "Input collection contains duplicates"},
        {"{\"N\":\"123456789012345678901234567890123456789\"}", "Attempting to store more than 38 significant digits in a Number"},
        {"{\"N\":\"-1.23456789012345678901234567890123456789\"}", "Attempting to store more than 38 significant digits in a Number"},
        {"{\"N\":\"1e126\"}", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
        {"{\"N\":\"-1e126\"}", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
        {"{\"N\":\"1e-131\"}", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
        {"{\"N\":\"-1e-131\"}", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
        {"{\"S\":\"a\",\"N\":\"1\"}", "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
        {"{\"M\":{\"x\":{\"L\":[{\"N\":\"abc\"}]}}}", "The parameter cannot be converted to a numeric value: abc"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(value_error(cases[i][0], DDB_ERR_VALIDATION), cases[i][1]);
    /* the starting-key quirk follows the kind of fault */
    value_error("{\"NS\":[]}", DDB_ERR_VALIDATION);
    assert_false(ddb_value_fault_takes_start_key_prefix(fx->err.fault));
    value_error("{\"SS\":[]}", DDB_ERR_VALIDATION);
    assert_true(ddb_value_fault_takes_start_key_prefix(fx->err.fault));
    value_error("{\"SS\":[\"a\",\"a\"]}", DDB_ERR_VALIDATION);
    assert_false(ddb_value_fault_takes_start_key_prefix(fx->err.fault));
}

/* depth map levels around a leaf */
static const char *deep(int depth, const char *leaf)
{
    static char text[4096];
    size_t n = 0;
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"M\":{\"n\":");
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", leaf);
    for (int i = 0; i < depth; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "}}");
    return text;
}

static void test_nesting(void **state)
{
    (void)state;
    struct ddb_value v = V(deep(31, "{\"S\":\"leaf\"}"));
    assert_int_equal(ddb_value_depth(&v), 32);
    const char *nest = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
                       "supported limit";
    assert_string_equal(value_error(deep(32, "{\"S\":\"leaf\"}"), DDB_ERR_VALIDATION), nest);
    /* the depth is reached before the bad number at the bottom */
    assert_string_equal(value_error(deep(40, "{\"N\":\"abc\"}"), DDB_ERR_VALIDATION), nest);
    assert_int_equal(fx->err.fault, DDB_FAULT_NESTING);
}

static void test_conversion_and_output(void **state)
{
    (void)state;
    struct ddb_value item = M("{\"b\":{\"N\":\"-0015.789e6\"},\"a\":{\"S\":\"x\\u0000y\"},\"c\":{\"B\":\"AQI=\"},"
                              "\"d\":{\"BOOL\":false},\"e\":{\"NULL\":true},\"f\":{\"SS\":[\"b\",\"a\"]},"
                              "\"g\":{\"NS\":[\"1.50\",\"-2\"]},\"h\":{\"BS\":[\"AQI=\",\"Ag==\",\"AQ==\"]},"
                              "\"i\":{\"L\":[{\"S\":\"a\"},{\"M\":{}},{\"L\":[]}]},\"j\":{\"M\":{\"z\":{\"N\":\"1\"},"
                              "\"y\":{\"N\":\"2\"}}},\"k\":null,\"a\":{\"S\":\"last\"}}");
    assert_int_equal(item.len, 10);
    const struct ddb_value *a = ddb_map_get(&item, "a", 1);
    assert_non_null(a);
    assert_int_equal(a->len, 4); /* the later "a" wins */
    const struct ddb_value *c = ddb_map_get(&item, "c", 1);
    assert_int_equal(c->len, 2);
    assert_memory_equal(c->u.bytes, "\x01\x02", 2);
    assert_null(ddb_map_get(&item, "k", 1));
    /* the last of repeated names counts, even null, and only it is checked */
    struct ddb_value repeated =
        M("{\"a\":{\"N\":\"bad\"},\"b\":{\"S\":\"x\"},\"a\":{\"S\":\"1\"},\"b\":null,\"a\":{\"S\":\"2\"}}");
    assert_string_equal(to_json(&repeated, true), "{\"a\":{\"S\":\"2\"}}");
    assert_string_equal(to_json(&item, true),
                        "{\"a\":{\"S\":\"last\"},\"b\":{\"N\":\"-15789000\"},\"c\":{\"B\":\"AQI=\"},"
                        "\"d\":{\"BOOL\":false},\"e\":{\"NULL\":true},\"f\":{\"SS\":[\"b\",\"a\"]},"
                        "\"g\":{\"NS\":[\"1.5\",\"-2\"]},\"h\":{\"BS\":[\"AQI=\",\"Ag==\",\"AQ==\"]},"
                        "\"i\":{\"L\":[{\"S\":\"a\"},{\"M\":{}},{\"L\":[]}]},"
                        "\"j\":{\"M\":{\"y\":{\"N\":\"2\"},\"z\":{\"N\":\"1\"}}}}");
    struct ddb_value s = V("{\"S\":\"x\\u0000y\"}");
    assert_int_equal(s.len, 3);
    assert_string_equal(to_json(&s, false), "{\"S\":\"x\\u0000y\"}");
    struct ddb_value empty_b = V("{\"B\":\"\"}");
    assert_int_equal(empty_b.len, 0);
    /* the writer integration */
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    ddb_jw_map(&w, "Item", &item);
    ddb_jw_value(&w, "One", &s);
    jw_object_close(&w);
    assert_non_null(strstr(sb.data, "{\"Item\":{\"a\""));
    assert_non_null(strstr(sb.data, ",\"One\":{\"S\":\"x\\u0000y\"}}"));
    strbuf_free(&sb);
    /* describe, as in messages */
    strbuf_init(&sb);
    ddb_value_describe(&sb, c);
    assert_string_equal(sb.data, "{B:AQI=}");
    strbuf_free(&sb);
}

static void test_equality_and_order(void **state)
{
    (void)state;
    struct ddb_value a = V("{\"SS\":[\"a\",\"b\",\"c\"]}"), b = V("{\"SS\":[\"c\",\"a\",\"b\"]}");
    assert_true(ddb_value_equal(&a, &b));
    b = V("{\"SS\":[\"c\",\"a\",\"d\"]}");
    assert_false(ddb_value_equal(&a, &b));
    /* a large set goes through the sorted comparison */
    char big1[2048] = "{\"NS\":[", big2[2048] = "{\"NS\":[";
    for (int i = 0; i < 40; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%s\"%d\"", i ? "," : "", i);
        strcat(big1, num);
        snprintf(num, sizeof(num), "%s\"%d\"", i ? "," : "", 39 - i);
        strcat(big2, num);
    }
    strcat(big1, "]}");
    strcat(big2, "]}");
    a = V(big1);
    b = V(big2);
    assert_true(ddb_value_equal(&a, &b));
    a = V("{\"N\":\"1.0\"}");
    b = V("{\"N\":\"1\"}");
    assert_true(ddb_value_equal(&a, &b));
    a = V("{\"M\":{\"x\":{\"L\":[{\"N\":\"1\"}]}}}");
    b = V("{\"M\":{\"x\":{\"L\":[{\"N\":\"1.0\"}]}}}");
    assert_true(ddb_value_equal(&a, &b));
    b = V("{\"M\":{\"x\":{\"L\":[{\"S\":\"1\"}]}}}");
    assert_false(ddb_value_equal(&a, &b));
    a = V("{\"N\":\"-10\"}");
    b = V("{\"N\":\"9\"}");
    assert_true(ddb_value_compare(&a, &b) < 0);
    a = V("{\"S\":\"\\u00e9\"}");
    b = V("{\"S\":\"z\"}");
    assert_true(ddb_value_compare(&a, &b) > 0); /* UTF-8 bytes, unsigned */
    a = V("{\"B\":\"/w==\"}");
    b = V("{\"B\":\"AA==\"}");
    assert_true(ddb_value_compare(&a, &b) > 0);
}

static void test_maps(void **state)
{
    (void)state;
    struct ddb_value m = M("{\"b\":{\"N\":\"1\"},\"d\":{\"N\":\"2\"}}"), out, v = V("{\"S\":\"x\"}");
    assert_true(ddb_map_with(&fx->arena, &m, "c", 1, &v, &out));
    assert_string_equal(to_json(&out, true), "{\"b\":{\"N\":\"1\"},\"c\":{\"S\":\"x\"},\"d\":{\"N\":\"2\"}}");
    assert_true(ddb_map_with(&fx->arena, &out, "b", 1, &v, &out));
    assert_string_equal(to_json(&out, true), "{\"b\":{\"S\":\"x\"},\"c\":{\"S\":\"x\"},\"d\":{\"N\":\"2\"}}");
    assert_true(ddb_map_without(&fx->arena, &out, "c", 1, &out));
    assert_true(ddb_map_without(&fx->arena, &out, "zz", 2, &out));
    assert_string_equal(to_json(&out, true), "{\"b\":{\"S\":\"x\"},\"d\":{\"N\":\"2\"}}");
    /* the original is untouched */
    assert_string_equal(to_json(&m, true), "{\"b\":{\"N\":\"1\"},\"d\":{\"N\":\"2\"}}");
}

static void test_item_size(void **state)
{
    (void)state;
    /* names + values: S by bytes, N by digits, B by bytes, sets by members,
     * L and M 3 + 1 per element (+ names) */
    struct ddb_value item = M("{\"id\":{\"S\":\"abc\"},\"n\":{\"N\":\"12345\"},\"flag\":{\"BOOL\":true},"
                              "\"l\":{\"L\":[{\"S\":\"xy\"}]}}");
    assert_int_equal(ddb_item_size(&item), 5 + 5 + 5 + 7);
    item = M("{\"m\":{\"M\":{\"ab\":{\"NULL\":true}}},\"s\":{\"SS\":[\"a\",\"bc\"]},\"b\":{\"BS\":[\"AQI=\"]},"
             "\"e\":{\"S\":\"\\u00e9\"}}");
    assert_int_equal(ddb_item_size(&item), (1 + 3 + 1 + 2 + 1) + (1 + 3) + (1 + 2) + (1 + 2));
    /* the page size of dynalite's "just under limit" items: 25 of them
     * stay under 1 MB, and one more byte in the last goes over */
    char e[41646];
    memset(e, 'e', sizeof(e) - 1);
    e[sizeof(e) - 1] = '\0';
    char *text = malloc(sizeof(e) + 512);
    snprintf(text, sizeof(e) + 512, "{\"a\":{\"S\":\"0123456789\"},\"b\":{\"S\":\"00\"},\"e\":{\"S\":\"%s\"}}", e);
    struct ddb_value big = M(text);
    assert_int_equal(ddb_item_page_size(&big, "b", 1), 41943); /* 25 of them: 1048575 */
    snprintf(text, sizeof(e) + 512, "{\"a\":{\"S\":\"0123456789\"},\"b\":{\"S\":\"00\"},\"e\":{\"S\":\"e%s\"}}", e);
    big = M(text);
    assert_int_equal(ddb_item_page_size(&big, "b", 1), 41944);
    free(text);
    /* dynalite's capacity tests: 1024 bytes is one write unit, 1025 two */
    assert_true(ddb_capacity_units(1024, false, false) == 1);
    assert_true(ddb_capacity_units(1025, false, false) == 2);
    assert_true(ddb_capacity_units(4096, true, false) == 0.5);
    assert_true(ddb_capacity_units(4097, true, true) == 2);
    assert_true(ddb_capacity_units(0, true, false) == 0.5);
}

static struct ddb_key_schema schema(const char *hash, enum ddb_type ht, const char *range, enum ddb_type rt)
{
    return (struct ddb_key_schema){hash, strlen(hash), ht, range, range ? strlen(range) : 0, rt};
}

static const char *key_error(const struct ddb_key_schema *s, const char *key)
{
    struct ddb_value k = M(key);
    assert_false(ddb_key_check(s, &k, &fx->err));
    return fx->err.message;
}

static void test_key_checks(void **state)
{
    (void)state;
    struct ddb_key_schema hash = schema("a", DDB_S, NULL, DDB_S);
    static const char *const mismatches[] = {
        "{}", "{\"b\":{\"S\":\"a\"}}", "{\"a\":{\"S\":\"a\"},\"b\":{\"S\":\"a\"}}", "{\"a\":{\"B\":\"abcd\"}}",
        "{\"a\":{\"N\":\"1\"}}", "{\"a\":{\"BOOL\":true}}", "{\"a\":{\"SS\":[\"a\"]}}", "{\"a\":{\"M\":{}}}",
    };
    for (size_t i = 0; i < sizeof(mismatches) / sizeof(mismatches[0]); i++)
        assert_string_equal(key_error(&hash, mismatches[i]), "The provided key element does not match the schema");
    assert_string_equal(key_error(&hash, "{\"a\":{\"S\":\"\"}}"),
                        INVALID "The AttributeValue for a key attribute cannot contain an empty string value. Key: a");
    char big[3000] = "{\"a\":{\"S\":\"";
    memset(big + strlen(big), 'x', 2049);
    strcat(big, "\"}}");
    assert_string_equal(key_error(&hash, big),
                        INVALID "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    struct ddb_key_schema range = schema("a", DDB_S, "b", DDB_B);
    assert_string_equal(key_error(&range, "{\"a\":{\"S\":\"a\"}}"), "The provided key element does not match the schema");
    assert_string_equal(key_error(&range, "{\"a\":{\"S\":\"a\"},\"b\":{\"B\":\"\"}}"),
                        INVALID "The AttributeValue for a key attribute cannot contain an empty binary value. Key: b");
    struct ddb_value ok = M("{\"a\":{\"S\":\"a\"},\"b\":{\"B\":\"AQI=\"}}");
    assert_true(ddb_key_check(&range, &ok, &fx->err));

    struct ddb_value item = M("{\"b\":{\"S\":\"x\"}}");
    assert_false(ddb_item_check_key(&hash, &item, &fx->err));
    assert_string_equal(fx->err.message, INVALID "Missing the key a in the item");
    item = M("{\"a\":{\"N\":\"1\"}}");
    assert_false(ddb_item_check_key(&hash, &item, &fx->err));
    assert_string_equal(fx->err.message, INVALID "Type mismatch for key a expected: S actual: N");
    item = M("{\"a\":{\"S\":\"\"}}");
    assert_false(ddb_item_check_key(&hash, &item, &fx->err));
    assert_string_equal(fx->err.message, "One or more parameter values are not valid. The AttributeValue for a key "
                                         "attribute cannot contain an empty string value. Key: a");
    char bigr[2000] = "{\"a\":{\"S\":\"a\"},\"b\":{\"B\":\"";
    for (int i = 0; i < 342; i++)
        strcat(bigr, "AAAA");
    strcat(bigr, "\"}}");
    item = M(bigr);
    assert_false(ddb_item_check_key(&range, &item, &fx->err));
    assert_string_equal(fx->err.message,
                        INVALID "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");

    struct ddb_key_schema index = schema("c", DDB_S, "d", DDB_N);
    item = M("{\"a\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"}}");
    assert_false(ddb_item_check_index_key(&index, "index1", &item, &fx->err));
    assert_string_equal(fx->err.message, INVALID "Type mismatch for Index Key c Expected: S Actual: N IndexName: index1");
    item = M("{\"a\":{\"S\":\"a\"},\"x\":{\"N\":\"1\"}}");
    assert_true(ddb_item_check_index_key(&index, "index1", &item, &fx->err));

    item = M("{\"a\":{\"S\":\"k\"},\"b\":{\"B\":\"AQI=\"},\"c\":{\"N\":\"1\"}}");
    struct ddb_value key;
    assert_true(ddb_item_key(&fx->arena, &range, &item, &key));
    assert_string_equal(to_json(&key, true), "{\"a\":{\"S\":\"k\"},\"b\":{\"B\":\"AQI=\"}}");
}

static void test_key_bytes(void **state)
{
    (void)state;
    struct ddb_value s1 = V("{\"S\":\"a\"}"), s2 = V("{\"S\":\"ab\"}"), n1 = V("{\"N\":\"-2.5\"}"), n2 = V("{\"N\":\"10\"}");
    uint8_t k1[64], k2[64];
    size_t l1 = ddb_key_encoded_len(&s1), l2 = ddb_key_encoded_len(&s2);
    ddb_key_encode(&s1, k1);
    ddb_key_encode(&s2, k2);
    assert_true(memcmp(k1, k2, l1 < l2 ? l1 : l2) <= 0 && l1 < l2);
    l1 = ddb_key_encoded_len(&n1);
    l2 = ddb_key_encoded_len(&n2);
    ddb_key_encode(&n1, k1);
    ddb_key_encode(&n2, k2);
    assert_true(memcmp(k1, k2, l1 < l2 ? l1 : l2) < 0);
    struct ddb_value back;
    assert_true(ddb_key_decode(&fx->arena, DDB_N, k1, l1, &back, &fx->err));
    assert_string_equal(to_json(&back, false), "{\"N\":\"-2.5\"}");
    assert_true(ddb_key_decode(&fx->arena, DDB_S, (const uint8_t *)"ab", 2, &back, &fx->err));
    assert_string_equal(to_json(&back, false), "{\"S\":\"ab\"}");
    assert_false(ddb_key_decode(&fx->arena, DDB_N, (const uint8_t *)"zz", 2, &back, &fx->err));

    uint8_t end[8];
    size_t end_len;
    assert_true(ddb_key_prefix_end((const uint8_t *)"ab", 2, end, &end_len));
    assert_int_equal(end_len, 2);
    assert_memory_equal(end, "ac", 2);
    assert_true(ddb_key_prefix_end((const uint8_t *)"a\xff\xff", 3, end, &end_len));
    assert_int_equal(end_len, 1);
    assert_memory_equal(end, "b", 1);
    assert_false(ddb_key_prefix_end((const uint8_t *)"\xff", 1, end, &end_len));
    assert_false(ddb_key_prefix_end((const uint8_t *)"", 0, end, &end_len));
}

static void test_arena_budget(void **state)
{
    (void)state;
    struct arena small;
    arena_init(&small, 1024);
    struct ddb_value v;
    struct ddb_error err;
    char text[4096] = "{\"L\":[";
    for (int i = 0; i < 100; i++)
        strcat(text, i ? ",{\"S\":\"abcdefghij\"}" : "{\"S\":\"abcdefghij\"}");
    strcat(text, "]}");
    assert_false(ddb_value_from_json(&small, J(text), DDB_SLOT_MAP_VALUE, &v, &err));
    assert_int_equal(err.type, DDB_ERR_NOMEM);
    assert_true(small.failed);
    arena_free(&small);
    assert_string_equal(ddb_error_aws_type(&err), "com.amazonaws.dynamodb.v20120810#InternalServerError");
    err.type = DDB_ERR_VALIDATION;
    assert_string_equal(ddb_error_aws_type(&err), "com.amazon.coral.validate#ValidationException");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shapes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_value_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_nesting, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_conversion_and_output, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_equality_and_order, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_maps, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_item_size, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_key_checks, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_key_bytes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_arena_budget, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
