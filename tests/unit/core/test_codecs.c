/* Unit tests for the codecs of protocol/core: hex, base64 (strict and
 * lenient), percent-encoding and query strings, UUIDs, globs, and UTF-8
 * repair. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/core/base64.h"
#include "protocol/core/glob.h"
#include "protocol/core/hex.h"
#include "protocol/core/percent.h"
#include "protocol/core/utf8.h"
#include "protocol/core/uuid.h"

static void test_base64_rfc4648(void **state)
{
    (void)state;
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                         "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        char out[16];
        unsigned char back[16];
        assert_int_equal(base64_encode((const unsigned char *)plain[i], strlen(plain[i]), out),
                         strlen(coded[i]));
        assert_string_equal(out, coded[i]);
        long n = base64_decode_strict(coded[i], strlen(coded[i]), back, sizeof back);
        assert_int_equal(n, (long)strlen(plain[i]));
        assert_memory_equal(back, plain[i], (size_t)n);
    }
}

static void test_base64_rejects_bad_input(void **state)
{
    (void)state;
    unsigned char out[16];
    assert_int_equal(base64_decode_strict("Zg=", 3, out, sizeof out), -1);        /* not a multiple of 4 */
    assert_int_equal(base64_decode_strict("Z===", 4, out, sizeof out), -1);       /* too much padding */
    assert_int_equal(base64_decode_strict("Zg==Zg==", 8, out, sizeof out), -1);   /* padding mid-string */
    assert_int_equal(base64_decode_strict("Zm9!", 4, out, sizeof out), -1);       /* bad alphabet */
    assert_int_equal(base64_decode_strict("Zm=v", 4, out, sizeof out), -1);
    assert_int_equal(base64_decode_strict("Zm9vYmFy", 8, out, 5), -1);            /* overflow */
    assert_int_equal(base64_decode_strict("Zm9vYmFy", 8, out, 6), 6);
}

static void test_hex(void **state)
{
    (void)state;
    unsigned char bytes[] = { 0x00, 0x7f, 0xab, 0xff };
    char hex[9];
    unsigned char back[4];
    hex_encode(bytes, 4, hex);
    assert_string_equal(hex, "007fabff");
    assert_int_equal(hex_decode("007FabfF", 8, back, sizeof back), 4);
    assert_memory_equal(back, bytes, 4);
    assert_int_equal(hex_decode("abc", 3, back, sizeof back), -1);
    assert_int_equal(hex_decode("zz", 2, back, sizeof back), -1);
    assert_int_equal(hex_decode("0011223344", 10, back, sizeof back), -1);
}

static void test_base64_lenient(void **state)
{
    (void)state;
    unsigned char out[16];
    /* Padding optional, line breaks and blanks skipped. */
    assert_int_equal(base64_decode_lenient("Zg", 2, out, sizeof out), 1);
    assert_int_equal(out[0], 'f');
    assert_int_equal(base64_decode_lenient("Zm9v\r\nYmFy\n", 11, out, sizeof out), 6);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(base64_decode_lenient("Zm8=", 4, out, sizeof out), 2);
    /* Still refused: another alphabet, a dangling character, data after
     * padding, overflow. */
    assert_int_equal(base64_decode_lenient("Zm9-", 4, out, sizeof out), -1);
    assert_int_equal(base64_decode_lenient("Zm9vY", 5, out, sizeof out), -1);
    assert_int_equal(base64_decode_lenient("Zg==Zg", 6, out, sizeof out), -1);
    assert_int_equal(base64_decode_lenient("Zm9vYmFy", 8, out, 5), -1);
}

static void test_base64_canonical(void **state)
{
    (void)state;
    assert_true(base64_is_canonical("Zm9vYg==", 8));
    assert_true(base64_is_canonical("Zm8=", 4));
    assert_true(base64_is_canonical("", 0));
    assert_false(base64_is_canonical("Zm9vYh==", 8));   /* stray bits under the padding */
    assert_false(base64_is_canonical("Zm9=", 4));
    assert_false(base64_is_canonical("Zm9v!", 5));
    assert_false(base64_is_canonical("==", 2));
}

static void test_base64_append(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    base64_append(&sb, (const unsigned char *)"foobar!", 7);
    assert_string_equal(sb.data, "Zm9vYmFyIQ==");
    strbuf_free(&sb);
}

static void test_percent_decode(void **state)
{
    char *s = percent_decode("a%20b+c%2b%2F", 13, 0, NULL);
    assert_string_equal(s, "a b+c+/");
    free(s);
    s = percent_decode("a+b", 3, PERCENT_PLUS_IS_SPACE, NULL);
    assert_string_equal(s, "a b");
    free(s);
    s = percent_decode("abc%41", 3, 0, NULL); /* the length bounds the input */
    assert_string_equal(s, "abc");
    free(s);
    errno = 0;
    assert_null(percent_decode("abc%4", 5, 0, NULL));
    assert_int_equal(errno, EINVAL);
    assert_null(percent_decode("%", 1, 0, NULL));
    assert_null(percent_decode("%%41", 4, 0, NULL));
    assert_null(percent_decode("%00", 3, 0, NULL));
    s = percent_decode("", 0, 0, NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_percent_encode(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    percent_encode(&sb, "a b/c+d~e_f.g-h\xe2\x82\xac&=?%", strlen("a b/c+d~e_f.g-h\xe2\x82\xac&=?%"), true);
    assert_string_equal(sb.data, "a%20b/c%2Bd~e_f.g-h%E2%82%AC%26%3D%3F%25");
    strbuf_reset(&sb);
    percent_encode(&sb, "dir/file", strlen("dir/file"), false);
    assert_string_equal(sb.data, "dir%2Ffile");
    strbuf_reset(&sb);
    const char *key = "x y/\xc3\xa9+%";
    percent_encode(&sb, key, strlen(key), true);
    char *back = percent_decode(sb.data, sb.len, 0, NULL);
    assert_string_equal(back, key);
    free(back);
    strbuf_free(&sb);
}

static void test_percent_decode_flags(void **state)
{
    (void)state;
    char out[16];
    /* Forms may carry %00 for a later check to refuse; keys may not. */
    assert_int_equal(percent_decode_into("a%00b", 5, out, PERCENT_ALLOW_NUL), 3);
    assert_memory_equal(out, "a\0b", 3);
    assert_int_equal(percent_decode_into("a%00b", 5, out, 0), -1);
    assert_int_equal(percent_decode_into("a+b%2B", 6, out, PERCENT_PLUS_IS_SPACE), 4);
    assert_string_equal(out, "a b+");
    /* Lenient (SigV4): bad escapes stay as they are. */
    struct strbuf sb;
    strbuf_init(&sb);
    percent_decode_lenient(&sb, "%41%zz%4+%", 10);
    assert_string_equal(sb.data, "A%zz%4+%");
    strbuf_free(&sb);
}

static void test_query_param(void **state)
{
    (void)state;
    bool present;
    char *v = query_param("a=1&b&c=x%20y+z&%61%62=2", "c", &present);
    assert_true(present);
    assert_string_equal(v, "x y z");
    free(v);
    v = query_param("a=1&b&c=3", "b", &present);
    assert_true(present);
    assert_string_equal(v, "");
    free(v);
    v = query_param("a=1&b&c=3", "ab", &present);
    assert_false(present);
    assert_null(v);
    v = query_param("a=1&%61%62=2", "ab", &present);   /* names are compared decoded */
    assert_string_equal(v, "2");
    free(v);
    v = query_param("", "a", &present);
    assert_false(present);
    v = query_param("&&a=1", "a", &present);
    assert_string_equal(v, "1");
    free(v);
}

static void test_query_param_next(void **state)
{
    (void)state;
    const char *cursor = "tagKeys=a&x=1&tagKeys=b%2Fc&tagKeys";
    char *v = query_param_next(&cursor, "tagKeys");
    assert_string_equal(v, "a");
    free(v);
    v = query_param_next(&cursor, "tagKeys");
    assert_string_equal(v, "b/c");
    free(v);
    v = query_param_next(&cursor, "tagKeys");
    assert_string_equal(v, "");
    free(v);
    assert_null(query_param_next(&cursor, "tagKeys"));
    assert_int_equal(errno, 0);
}

static void test_uuid(void **state)
{
    (void)state;
    char a[37], b[37];
    uuid_v4(a);
    uuid_v4(b);
    assert_int_equal(strlen(a), 36);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            assert_int_equal(a[i], '-');
        else
            assert_non_null(strchr("0123456789abcdef", a[i]));
    }
    assert_int_equal(a[14], '4');                       /* version 4 */
    assert_non_null(strchr("89ab", a[19]));             /* RFC 4122 variant */
    /* Named: stable, and different names differ. SHA-256("abc") begins
     * ba7816bf 8f01cfea 414140de 5dae2223. */
    uuid_from_name("abc", a);
    assert_string_equal(a, "ba7816bf-8f01-4fea-8141-40de5dae2223");
    uuid_from_name("abd", b);
    assert_string_not_equal(a, b);
}

static void test_glob(void **state)
{
    (void)state;
    assert_true(glob_match("s3:Get*", "s3:GetObject", true, false));
    assert_false(glob_match("s3:Get*", "s3:PutObject", true, false));
    assert_true(glob_match("a?c", "abc", true, false));
    assert_false(glob_match("a?c", "abc", false, false));
    assert_true(glob_match("a?c", "a?c", false, false));
    assert_true(glob_match("*b*b*", "abcabc", false, false));
    assert_true(glob_match("ABC*", "abcdef", false, true));
    assert_false(glob_match("abc", "abcd", false, false));
    /* With a length, NULs are characters like the others. */
    assert_true(glob_match_n("a*b", "a\0b", 3, false, false));
    assert_false(glob_match_n("a", "a\0b", 3, false, false));
    assert_true(glob_match_n("a?b", "a\0b", 3, true, false));
    assert_true(glob_match_n("ab", "abc", 2, false, false));
    assert_true(glob_match_n("*", "", 0, false, false));
    assert_false(glob_match_n("?", "", 0, true, false));
}

/* Each case as Python's bytes.decode("utf-8", "replace") has it. */
static void test_utf8_repair(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t len;
        const char *out;
        size_t out_len;
    } cases[] = {
        {"", 0, "", 0},
        {"plain \0 text\x1b[0m", 17, "plain \0 text\x1b[0m", 17},
        {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", 13,
         "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", 13},
        {"a\xFF" "b", 3, "a\xEF\xBF\xBD" "b", 5},
        {"a\xE2\x82", 3, "a\xEF\xBF\xBD", 4},                      /* cut short: one */
        {"\xF0\x9F\x98x", 4, "\xEF\xBF\xBDx", 4},                  /* same length, not the same text */
        {"\xC0\xAF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 6},            /* overlong */
        {"\xE0\x80\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 9},
        {"\xED\xB2\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 9},   /* a surrogate */
        {"\xF4\x90\x80\x80", 4, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 12},
        {"\x80\xBF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 6},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 99;
        char *out = utf8_repaired_copy(cases[i].in, cases[i].len, &len);
        assert_non_null(out);
        if (len != cases[i].out_len || memcmp(out, cases[i].out, len) != 0)
            fail_msg("case %zu", i);
        assert_int_equal(out[len], '\0');
        free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_base64_rejects_bad_input),
        cmocka_unit_test(test_base64_lenient),
        cmocka_unit_test(test_base64_canonical),
        cmocka_unit_test(test_base64_append),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_percent_decode),
        cmocka_unit_test(test_percent_encode),
        cmocka_unit_test(test_percent_decode_flags),
        cmocka_unit_test(test_query_param),
        cmocka_unit_test(test_query_param_next),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_utf8_repair),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
