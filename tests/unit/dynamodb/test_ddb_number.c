/* Unit tests for protocol/dynamodb number.c: parsing with AWS's grammar and
 * limits, canonical text, comparison, exact + and -, item-size bytes and
 * the sortable key encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/dynamodb/number.h"

static struct ddb_number parse(const char *s)
{
    struct ddb_number n;
    enum ddb_number_status st = ddb_number_parse(s, strlen(s), &n);
    if (st != DDB_NUMBER_OK)
        fail_msg("%s: status %d", s, st);
    return n;
}

static const char *canonical(const char *s)
{
    static char out[DDB_NUMBER_TEXT_MAX];
    struct ddb_number n = parse(s);
    ddb_number_format(&n, out);
    return out;
}

static void test_canonical_text(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"0", "0"}, {"-0", "0"}, {"+0", "0"}, {"0.000", "0"}, {"0e125", "0"},
        {"1", "1"}, {"+3", "3"}, {"-7.1234", "-7.1234"}, {"-17e5", "-1700000"},
        {"-17.4E37", "-174000000000000000000000000000000000000"},
        {".123", "0.123"}, {"0001.23", "1.23"}, {"1e+5", "100000"}, {"5.", "5"},
        {"1.200", "1.2"}, {"0042", "42"}, {"1.5E2", "150"}, {"-0015.789e6", "-15789000"},
        {"12.3456", "12.3456"}, {"0.0000001", "0.0000001"}, {"1E-3", "0.001"},
        {"0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
        {"-00001.23456789012345678901234567890123456780000", "-1.2345678901234567890123456789012345678"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_string_equal(canonical(cases[i][0]), cases[i][1]);

    /* the extremes of the range, in plain notation */
    char expect[DDB_NUMBER_TEXT_MAX];
    memset(expect, '9', 38);
    memset(expect + 38, '0', 88);
    expect[126] = '\0';
    assert_string_equal(canonical("0009.99999999999999999999999999999999999990000e125"), expect);
    strcpy(expect, "-0.");
    memset(expect + 3, '0', 129);
    strcpy(expect + 132, "1");
    assert_string_equal(canonical("-0001.000e-130"), expect);
}

static void test_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum ddb_number_status status;
    } cases[] = {
        {"", DDB_NUMBER_EMPTY},
        {"abc", DDB_NUMBER_INVALID}, {"1.2.3", DDB_NUMBER_INVALID}, {" 1", DDB_NUMBER_INVALID},
        {"1 ", DDB_NUMBER_INVALID}, {"0x10", DDB_NUMBER_INVALID}, {"1e", DDB_NUMBER_INVALID},
        {"NaN", DDB_NUMBER_INVALID}, {"Infinity", DDB_NUMBER_INVALID}, {"-Infinity", DDB_NUMBER_INVALID},
        {".", DDB_NUMBER_INVALID}, {"+e2", DDB_NUMBER_INVALID}, {"1+2", DDB_NUMBER_INVALID},
        {"++5", DDB_NUMBER_INVALID}, {"-", DDB_NUMBER_INVALID}, {"1_000", DDB_NUMBER_INVALID},
        {"1e9223372036854775808", DDB_NUMBER_INVALID},
        {"1e126", DDB_NUMBER_OVERFLOW}, {"-1e126", DDB_NUMBER_OVERFLOW}, {"11e125", DDB_NUMBER_OVERFLOW},
        {"1e99999999999", DDB_NUMBER_OVERFLOW}, {"1e2147483648", DDB_NUMBER_OVERFLOW},
        {"1e2147483647", DDB_NUMBER_OVERFLOW}, {"0e126", DDB_NUMBER_OVERFLOW},
        {"1e-131", DDB_NUMBER_UNDERFLOW}, {"-1e-131", DDB_NUMBER_UNDERFLOW}, {"0.9e-130", DDB_NUMBER_UNDERFLOW},
        {"1e-99999999999", DDB_NUMBER_UNDERFLOW}, {"0e-131", DDB_NUMBER_UNDERFLOW},
        {"123456789012345678901234567890123456789", DDB_NUMBER_PRECISION},
        {"-1.23456789012345678901234567890123456789", DDB_NUMBER_PRECISION},
        {"3.14159265358979323846264338327950288419", DDB_NUMBER_PRECISION},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ddb_number n;
        enum ddb_number_status st = ddb_number_parse(cases[i].text, strlen(cases[i].text), &n);
        if (st != cases[i].status)
            fail_msg("%s: got %d, want %d", cases[i].text, st, cases[i].status);
    }
    assert_string_equal(ddb_number_status_message(DDB_NUMBER_OVERFLOW),
                        "Number overflow. Attempting to store a number with magnitude larger than supported range");
    assert_string_equal(ddb_number_status_message(DDB_NUMBER_UNDERFLOW),
                        "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    assert_string_equal(ddb_number_status_message(DDB_NUMBER_PRECISION),
                        "Attempting to store more than 38 significant digits in a Number");
    assert_string_equal(ddb_number_status_message(DDB_NUMBER_EMPTY),
                        "The parameter cannot be converted to a numeric value");
    /* 38 digits and the range limits are fine */
    parse("31415926535897932384626433832795028841e30");
    parse("9.9999999999999999999999999999999999999E+125");
    parse("1e-130");
    parse("-1E-130");
    parse("1" "0000000000000000000000000000000000000000000000000000"); /* trailing zeros are free */
}

static int cmp(const char *a, const char *b)
{
    struct ddb_number x = parse(a), y = parse(b);
    return ddb_number_compare(&x, &y);
}

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(cmp("1", "1.0"), 0);
    assert_int_equal(cmp("0", "-0"), 0);
    assert_int_equal(cmp("1", "2"), -1);
    assert_int_equal(cmp("10", "9"), 1);
    assert_int_equal(cmp("-10", "-9"), -1);
    assert_int_equal(cmp("-1", "0"), -1);
    assert_int_equal(cmp("0.001", "0"), 1);
    assert_int_equal(cmp("1.5", "1.49999999999999999999999999999999"), 1);
    assert_int_equal(cmp("-1.5", "-1"), -1);
    assert_int_equal(cmp("1e125", "9.99e124"), 1);
}

static const char *arith(const char *a, char op, const char *b, enum ddb_number_status want)
{
    static char out[DDB_NUMBER_TEXT_MAX];
    struct ddb_number x = parse(a), y = parse(b), r;
    enum ddb_number_status st = op == '+' ? ddb_number_add(&x, &y, &r) : ddb_number_subtract(&x, &y, &r);
    assert_int_equal(st, want);
    if (st != DDB_NUMBER_OK)
        return NULL;
    ddb_number_format(&r, out);
    return out;
}

static void test_arithmetic(void **state)
{
    (void)state;
    assert_string_equal(arith("1", '+', "3", DDB_NUMBER_OK), "4");
    assert_string_equal(arith("1", '-', "2", DDB_NUMBER_OK), "-1");
    assert_string_equal(arith("0.1", '+', "0.2", DDB_NUMBER_OK), "0.3");
    assert_string_equal(arith("1", '+', "10000000000000000000000", DDB_NUMBER_OK), "10000000000000000000001");
    assert_string_equal(arith("10000000000000000000000", '-', "1", DDB_NUMBER_OK), "9999999999999999999999");
    assert_string_equal(arith("-5", '+', "5", DDB_NUMBER_OK), "0");
    assert_string_equal(arith("-5", '-', "-7.25", DDB_NUMBER_OK), "2.25");
    assert_string_equal(arith("99.99", '+', "0.01", DDB_NUMBER_OK), "100");
    assert_string_equal(arith("0", '-', "12.5", DDB_NUMBER_OK), "-12.5");
    assert_null(arith("1.1e-130", '-', "1.0e-130", DDB_NUMBER_UNDERFLOW));
    assert_null(arith("9e125", '+', "9e125", DDB_NUMBER_OVERFLOW));
    assert_null(arith("9e125", '-', "-9e125", DDB_NUMBER_OVERFLOW));
    /* an inexact result: AWS calls it an overflow too */
    assert_null(arith("1e50", '-', "1", DDB_NUMBER_OVERFLOW));
    assert_null(arith("1e50", '+', "1", DDB_NUMBER_OVERFLOW));
    assert_string_equal(arith("12345678901234567890123456789012345678", '-', "12345678901234567890123456789012345677",
                              DDB_NUMBER_OK),
                        "1");
    struct ddb_number n;
    char out[DDB_NUMBER_TEXT_MAX];
    ddb_number_from_uint(1200, &n);
    ddb_number_format(&n, out);
    assert_string_equal(out, "1200");
    ddb_number_from_uint(0, &n);
    assert_true(ddb_number_is_zero(&n));
}

static void test_size(void **state)
{
    (void)state;
    /* byte sizes measured against DynamoDB's 400 KB gate */
    static const struct {
        const char *text;
        size_t size;
    } cases[] = {
        {"1", 2}, {"12", 2}, {"123", 3}, {"1234", 3}, {"12345", 4}, {"123456", 4}, {"1234567", 5},
        {"12345678901234567890123456789012345678", 20}, {"0042", 2}, {"100", 2}, {"1010", 3},
        {"0.0000001", 2}, {"0", 1}, {"-0", 1}, {"1E125", 2}, {"1E-100", 2}, {"1.5", 3}, {"1.200", 3},
        {"1.234", 4}, {"3.14159", 5}, {"100.5", 4}, {"0.15", 2}, {"-42", 3}, {"-12345", 5},
        {"-1E125", 3}, {"-0.15", 3}, {"12.3456", 4}, {"0.012", 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ddb_number n = parse(cases[i].text);
        if (ddb_number_size(&n) != cases[i].size)
            fail_msg("%s: size %zu, want %zu", cases[i].text, ddb_number_size(&n), cases[i].size);
    }
}

static int key_cmp(const char *a, const char *b)
{
    struct ddb_number x = parse(a), y = parse(b), back;
    uint8_t ka[DDB_NUMBER_KEY_MAX], kb[DDB_NUMBER_KEY_MAX];
    size_t la = ddb_number_key_encode(&x, ka), lb = ddb_number_key_encode(&y, kb);
    assert_true(ddb_number_key_decode(ka, la, &back));
    assert_int_equal(ddb_number_compare(&back, &x), 0);
    int c = memcmp(ka, kb, la < lb ? la : lb);
    if (c == 0)
        c = (la > lb) - (la < lb);
    return c < 0 ? -1 : c > 0;
}

static void test_key_order(void **state)
{
    (void)state;
    static const char *const ascending[] = {
        "-9.9999999999999999999999999999999999999e125", "-1e10", "-100", "-99.5", "-10", "-9.91", "-9",
        "-1.5", "-1", "-0.5", "-1e-130", "0", "1e-130", "0.001", "0.5", "1", "1.0000001", "1.5", "9",
        "10", "99.5", "100", "1e10", "9.9999999999999999999999999999999999999e125",
    };
    size_t n = sizeof(ascending) / sizeof(ascending[0]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (key_cmp(ascending[i], ascending[j]) != (i < j ? -1 : i > j))
                fail_msg("%s vs %s", ascending[i], ascending[j]);
    assert_int_equal(key_cmp("1.0", "1"), 0);
    struct ddb_number n1;
    static const uint8_t junk[] = {3, 130, 0};
    assert_false(ddb_number_key_decode(junk, sizeof(junk), &n1));
    static const uint8_t neg_without_end[] = {1, 120, 5};
    assert_false(ddb_number_key_decode(neg_without_end, sizeof(neg_without_end), &n1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_text),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_key_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
