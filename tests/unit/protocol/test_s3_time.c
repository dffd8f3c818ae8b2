/* Unit tests for protocol/s3 time.c: RFC 1123 and ISO 8601 output, the
 * three HTTP date formats in, and round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

/* 2009-10-12T17:50:30.123Z */
static const int64_t sample_ms = 1255369830123LL;

static void test_http_date(void **state)
{
    char out[40];
    s3_http_date(sample_ms, out);
    assert_string_equal(out, "Mon, 12 Oct 2009 17:50:30 GMT");
    s3_http_date(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    s3_http_date(-1, out);
    assert_string_equal(out, "Wed, 31 Dec 1969 23:59:59 GMT");
}

static void test_iso8601(void **state)
{
    char out[32];
    s3_iso8601(sample_ms, out);
    assert_string_equal(out, "2009-10-12T17:50:30.123Z");
    s3_iso8601(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    s3_iso8601(951782400000LL + 7, out); /* leap day 2000 */
    assert_string_equal(out, "2000-02-29T00:00:00.007Z");
}

static void test_parse_formats(void **state)
{
    const int64_t want = 784111777000LL; /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_int_equal(s3_parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), want);
    assert_int_equal(s3_parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), want);
    assert_int_equal(s3_parse_http_date("Sun Nov  6 08:49:37 1994"), want);
    assert_int_equal(s3_parse_http_date("Sun Nov 06 08:49:37 1994"), want);
    assert_int_equal(s3_parse_http_date("Thursday, 01-Jan-15 00:00:00 GMT"), 1420070400000LL);
    assert_int_equal(s3_parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
}

static void test_parse_rejects(void **state)
{
    static const char *const bad[] = {
        "", "garbage", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:61:00 GMT",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMTX", "Sun Nov  6 08:49:37 1994 ",
        "2009-10-12T17:50:30Z", "Sun, 30 Feb 1994 00:00:00 GMT",
        "Sun, 31 Apr 1994 00:00:00 GMT", NULL};
    for (size_t i = 0; bad[i]; i++) {
        if (s3_parse_http_date(bad[i]) != -1)
            print_error("accepted \"%s\"\n", bad[i]);
        assert_int_equal(s3_parse_http_date(bad[i]), -1);
    }
    assert_int_equal(s3_parse_http_date(NULL), -1);
}

static void test_round_trip(void **state)
{
    static const int64_t times[] = {0, 784111777000LL, 1255369830000LL, 1700000000000LL,
                                    4102444799000LL, 951782400000LL};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        char out[40];
        s3_http_date(times[i], out);
        assert_int_equal(s3_parse_http_date(out), times[i]);
    }
    char out[40];
    s3_http_date(sample_ms, out); /* milliseconds are dropped by HTTP dates */
    assert_int_equal(s3_parse_http_date(out), sample_ms - 123);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_parse_formats),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
