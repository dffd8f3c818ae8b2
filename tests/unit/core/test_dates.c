/* Unit tests for protocol/core/dates: RFC 1123 and ISO 8601 output (and
 * Lambda's +0000 form), the three HTTP date formats in, SigV2's zoned
 * forms, SigV4's x-amz-date, and round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "protocol/core/dates.h"

/* 2009-10-12T17:50:30.123Z */
static const int64_t sample_ms = 1255369830123LL;

static void test_http_date(void **state)
{
    char out[40];
    date_http(sample_ms, out);
    assert_string_equal(out, "Mon, 12 Oct 2009 17:50:30 GMT");
    date_http(0, out);
    assert_string_equal(out, "Thu, 01 Jan 1970 00:00:00 GMT");
    date_http(-1, out);
    assert_string_equal(out, "Wed, 31 Dec 1969 23:59:59 GMT");
}

static void test_iso8601(void **state)
{
    char out[32];
    date_iso8601(sample_ms, out);
    assert_string_equal(out, "2009-10-12T17:50:30.123Z");
    date_iso8601(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    date_iso8601(951782400000LL + 7, out); /* leap day 2000 */
    assert_string_equal(out, "2000-02-29T00:00:00.007Z");
}

static void test_parse_formats(void **state)
{
    const int64_t want = 784111777000LL; /* Sun, 06 Nov 1994 08:49:37 GMT */
    assert_int_equal(date_parse_http("Sun, 06 Nov 1994 08:49:37 GMT"), want);
    assert_int_equal(date_parse_http("Sunday, 06-Nov-94 08:49:37 GMT"), want);
    assert_int_equal(date_parse_http("Sun Nov  6 08:49:37 1994"), want);
    assert_int_equal(date_parse_http("Sun Nov 06 08:49:37 1994"), want);
    assert_int_equal(date_parse_http("Thursday, 01-Jan-15 00:00:00 GMT"), 1420070400000LL);
    assert_int_equal(date_parse_http("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
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
        if (date_parse_http(bad[i]) != -1)
            print_error("accepted \"%s\"\n", bad[i]);
        assert_int_equal(date_parse_http(bad[i]), -1);
    }
    assert_int_equal(date_parse_http(NULL), -1);
}

static void test_round_trip(void **state)
{
    static const int64_t times[] = {0, 784111777000LL, 1255369830000LL, 1700000000000LL,
                                    4102444799000LL, 951782400000LL};
    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
        char out[40];
        date_http(times[i], out);
        assert_int_equal(date_parse_http(out), times[i]);
    }
    char out[40];
    date_http(sample_ms, out); /* milliseconds are dropped by HTTP dates */
    assert_int_equal(date_parse_http(out), sample_ms - 123);
}

static void test_iso8601_offset(void **state)
{
    char out[40];
    date_iso8601_offset(sample_ms, out);
    assert_string_equal(out, "2009-10-12T17:50:30.123+0000");
}

static void test_zoned(void **state)
{
    const int64_t want = 1175024202000LL;   /* Tue, 27 Mar 2007 19:36:42 GMT */
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 19:36:42 +0000"), want);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 19:36:42 GMT"), want);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 19:36:42 UTC"), want);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 21:36:42 +0200"), want);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 14:36:42 -0500"), want);
    assert_int_equal(date_parse_http_zoned("Wed, 7 Mar 2007 19:36:42 GMT"), 1173296202000LL);
    /* Plain HTTP refuses what only SigV2 sends. */
    assert_int_equal(date_parse_http("Tue, 27 Mar 2007 19:36:42 +0000"), -1);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 19:36:42 +2400"), -1);
    assert_int_equal(date_parse_http_zoned("Tue, 27 Mar 2007 19:36:42 +00"), -1);
}

static void test_amz_date(void **state)
{
    assert_int_equal(date_parse_amz("20091012T175030Z"), 1255369830);
    assert_int_equal(date_parse_amz("20090230T000000Z"), -1);
    assert_int_equal(date_parse_amz("20091012T175030"), -1);
    assert_int_equal(date_parse_amz("2009101T175030Z"), -1);
    assert_int_equal(date_parse_amz("20091012T176030Z"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_http_date),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_parse_formats),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_iso8601_offset),
        cmocka_unit_test(test_zoned),
        cmocka_unit_test(test_amz_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
