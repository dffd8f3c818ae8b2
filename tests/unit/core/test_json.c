/* Unit tests for protocol/core/json: the reader (field readers, types,
 * absence, wrong types; exact string lengths with U+0000; nesting bounded
 * without recursion; malformed UTF-8 and trailing bytes refused; numbers
 * kept as written) and the writer's commas, nesting, escaping and
 * re-serialization of a parsed tree at any depth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/core/json.h"

static void test_readers(void **state)
{
    (void)state;
    const char text[] = "{\"s\":\"v\",\"n\":42,\"b\":true,\"f\":1.5,\"o\":{\"x\":\"y\"},\"z\":null}";
    const struct json_value *v = json_parse(text, strlen(text), NULL);
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
    json_free(v);
}

static void test_parse_rejects_bad_input(void **state)
{
    (void)state;
    enum json_error err = JSON_OK;
    assert_null(json_parse("{not json", 9, &err));
    assert_int_equal(err, JSON_ERR_SYNTAX);
    /* Not NUL-terminated: only len bytes count. */
    const char text[] = "{\"a\":1}garbage";
    const struct json_value *v = json_parse(text, 7, &err);
    assert_non_null(v);
    assert_int_equal(err, JSON_OK);
    json_free(v);
    /* ... but trailing bytes within len are an error. */
    assert_null(json_parse(text, strlen(text), &err));
    assert_int_equal(err, JSON_ERR_SYNTAX);
    /* Empty, blank, two documents, a lone key. */
    assert_null(json_parse("", 0, &err));
    assert_null(json_parse("  ", 2, &err));
    assert_null(json_parse("{} {}", 5, &err));
    assert_null(json_parse("{\"a\"}", 5, &err));
    /* Malformed UTF-8 in a string and in a key; a raw NUL byte. */
    assert_null(json_parse("{\"a\":\"\xff\"}", 8, &err));
    assert_int_equal(err, JSON_ERR_SYNTAX);
    assert_null(json_parse("{\"\xc3\x28\":1}", 9, &err));
    assert_null(json_parse("{\"a\":\"x\0\"}", 9, &err));
    /* Comments are not JSON. */
    assert_null(json_parse("{/*c*/}", 7, &err));
}

static void test_strings_keep_their_bytes(void **state)
{
    (void)state;
    const char text[] = "{\"s\":\"bad\\u0000char\",\"k\\u0000\":\"v\",\"u\":\"\\u00e9\\ud83d\\ude00\"}";
    const struct json_value *v = json_parse(text, strlen(text), NULL);
    assert_non_null(v);
    size_t len = 0;
    const char *s = json_strn(v, "s", &len);
    assert_int_equal(len, 8);
    assert_memory_equal(s, "bad\0char", 8);
    assert_true(json_has_nul(json_get(v, "s")));
    assert_false(json_has_nul(json_get(v, "u")));
    /* A key with a NUL is not the key cut at the NUL. */
    assert_null(json_get(v, "k"));
    assert_int_equal(v->u.members[1].key_len, 2);
    /* Escapes decode to UTF-8, surrogate pairs included. */
    assert_string_equal(json_str(v, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
    /* Written back, the NUL is an escape again and nothing is lost. */
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_tree(&w, NULL, json_get(v, "s"));
    assert_string_equal(sb.data, "\"bad\\u0000char\"");
    strbuf_free(&sb);
    json_free(v);
}

static void test_numbers_keep_their_text(void **state)
{
    (void)state;
    const char text[] = "{\"big\":12345678901234567890123456789012345678,\"f\":-1.5e3,"
                        "\"i\":-42,\"over\":9223372036854775808}";
    const struct json_value *v = json_parse(text, strlen(text), NULL);
    assert_non_null(v);
    assert_string_equal(json_get(v, "big")->u.str, "12345678901234567890123456789012345678");
    int64_t n = 0;
    assert_int_equal(json_int(v, "big", &n), -1);
    assert_int_equal(json_int(v, "over", &n), -1);
    assert_int_equal(json_int(v, "f", &n), -1);
    assert_int_equal(json_int(v, "i", &n), 1);
    assert_int_equal(n, -42);
    double d = 0;
    assert_true(json_number_double(json_get(v, "f"), &d));
    assert_true(d == -1500.0);
    json_free(v);
}

static void test_repeated_key_takes_the_last(void **state)
{
    (void)state;
    const char text[] = "{\"a\":\"first\",\"a\":\"last\"}";
    const struct json_value *v = json_parse(text, strlen(text), NULL);
    assert_string_equal(json_str(v, "a"), "last");
    assert_int_equal(v->len, 2);
    json_free(v);
}

/* depth opening brackets then depth closing ones. */
static char *nested(size_t depth, char open, char close)
{
    char *s = malloc(2 * depth + 1);
    assert_non_null(s);
    memset(s, open, depth);
    memset(s + depth, close, depth);
    s[2 * depth] = '\0';
    return s;
}

static void test_nesting_is_bounded(void **state)
{
    (void)state;
    enum json_error err;
    /* At the bound: parsed, and written back whole without recursion. */
    char *ok = nested(JSON_MAX_NESTING, '[', ']');
    const struct json_value *v = json_parse(ok, strlen(ok), &err);
    assert_non_null(v);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_tree(&w, NULL, v);
    assert_false(strbuf_failed(&sb));
    assert_string_equal(sb.data, ok);
    strbuf_free(&sb);
    json_free(v);
    free(ok);
    /* One more: refused. A million: refused just as fast, no stack used. */
    char *deeper = nested(JSON_MAX_NESTING + 1, '[', ']');
    assert_null(json_parse(deeper, strlen(deeper), &err));
    assert_int_equal(err, JSON_ERR_NESTING);
    free(deeper);
    char *huge = nested(1000000, '[', ']');
    assert_null(json_parse(huge, strlen(huge), &err));
    assert_int_equal(err, JSON_ERR_NESTING);
    free(huge);
    /* Unclosed deep input too. */
    char *open = nested(1000000, '[', '[');
    assert_null(json_parse(open, strlen(open), &err));
    assert_int_equal(err, JSON_ERR_NESTING);
    free(open);
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
    const struct json_value *v = json_parse(text, strlen(text), NULL);
    assert_non_null(v);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_tree(&w, NULL, v);
    assert_string_equal(sb.data, text);
    strbuf_free(&sb);
    json_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_readers),
        cmocka_unit_test(test_parse_rejects_bad_input),
        cmocka_unit_test(test_strings_keep_their_bytes),
        cmocka_unit_test(test_numbers_keep_their_text),
        cmocka_unit_test(test_repeated_key_takes_the_last),
        cmocka_unit_test(test_nesting_is_bounded),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_tree_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
