/* Unit tests for protocol/json: field readers over yajl trees (types,
 * absence, wrong types) and the writer's commas, nesting, escaping and
 * re-serialization of a parsed tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/core/json.h"

static void test_readers(void **state)
{
    (void)state;
    const char text[] = "{\"s\":\"v\",\"n\":42,\"b\":true,\"f\":1.5,\"o\":{\"x\":\"y\"},\"z\":null}";
    yajl_val v = json_parse(text, strlen(text));
    assert_non_null(v);
    assert_string_equal(json_str(v, "s"), "v");
    assert_null(json_str(v, "n"));
    assert_null(json_str(v, "missing"));
    int64_t n = 0;
    assert_int_equal(json_int(v, "n", &n), 1);
    assert_int_equal(n, 42);
    assert_int_equal(json_int(v, "s", &n), -1);
    assert_int_equal(json_int(v, "f", &n), -1);
    assert_int_equal(json_int(v, "z", &n), 0);
    assert_int_equal(json_int(v, "missing", &n), 0);
    bool b = false;
    assert_int_equal(json_bool(v, "b", &b), 1);
    assert_true(b);
    assert_int_equal(json_bool(v, "n", &b), -1);
    assert_string_equal(json_str(json_get(v, "o"), "x"), "y");
    assert_null(json_get(json_get(v, "s"), "x"));
    yajl_tree_free(v);
}

static void test_parse_rejects_bad_input(void **state)
{
    (void)state;
    assert_null(json_parse("{not json", 9));
    /* Not NUL-terminated: only len bytes count. */
    const char text[] = "{\"a\":1}garbage";
    yajl_val v = json_parse(text, 7);
    assert_non_null(v);
    yajl_tree_free(v);
}

static void test_writer(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "a", "q\"uote\n");
    jw_int(&w, "n", -7);
    jw_array_open(&w, "l");
    jw_bool(&w, NULL, false);
    jw_null(&w, NULL);
    jw_object_open(&w, NULL);
    jw_object_close(&w);
    jw_array_close(&w);
    jw_string_opt(&w, "skipped", NULL);
    jw_raw(&w, "r", "[1,2]", 5);
    jw_object_close(&w);
    assert_false(strbuf_failed(&sb));
    assert_string_equal(sb.data, "{\"a\":\"q\\\"uote\\n\",\"n\":-7,\"l\":[false,null,{}],\"r\":[1,2]}");
    strbuf_free(&sb);
}

static void test_tree_round_trip(void **state)
{
    (void)state;
    const char text[] = "{\"k\":[1,\"two\",{\"three\":3.5}],\"t\":true,\"e\":{}}";
    yajl_val v = json_parse(text, strlen(text));
    assert_non_null(v);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_tree(&w, NULL, v);
    assert_string_equal(sb.data, text);
    strbuf_free(&sb);
    yajl_tree_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_parse_rejects_bad_input),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_tree_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
