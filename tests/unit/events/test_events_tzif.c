/* Unit tests for protocol/events tzif.c: TZif files built here (version 1
 * and 2, transitions before and after, the footer rule beyond the last
 * transition), POSIX TZ strings (northern and southern daylight time,
 * Mm.w.d with "last week", Jn, zero-based n, /time beyond 24 h and
 * negative, <+0330> names, zones without daylight time), refusals of
 * malformed input, and the system's tz database when it is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/events/schedule.h"
#include "protocol/events/tzif.h"

static int64_t at(const char *iso)
{
    struct events_civil c;
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &c.year, &c.month, &c.day, &c.hour, &c.minute, &c.second) != 6)
        fail_msg("bad time %s", iso);
    return events_civil_to_seconds(&c);
}

static struct events_tzif *posix(const char *tz)
{
    struct events_tzif *z;
    if (events_tzif_from_posix(tz, strlen(tz), &z) != EVENTS_TZIF_OK)
        fail_msg("%s was refused", tz);
    return z;
}

static void test_posix_northern(void **state)
{
    (void)state;
    struct events_tzif *z = posix("EST5EDT,M3.2.0,M11.1.0");
    /* 2024: DST from March 10 07:00 UTC to November 3 06:00 UTC. */
    assert_int_equal(events_tzif_offset(z, at("2024-01-15T12:00:00")), -5 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-03-10T06:59:59")), -5 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-03-10T07:00:00")), -4 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-11-03T05:59:59")), -4 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-11-03T06:00:00")), -5 * 3600);
    events_tzif_free(z);
    /* Europe: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC. */
    z = posix("CET-1CEST,M3.5.0,M10.5.0/3");
    assert_int_equal(events_tzif_offset(z, at("2024-03-31T00:59:59")), 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-03-31T01:00:00")), 7200);
    assert_int_equal(events_tzif_offset(z, at("2024-10-27T00:59:59")), 7200);
    assert_int_equal(events_tzif_offset(z, at("2024-10-27T01:00:00")), 3600);
    events_tzif_free(z);
}

static void test_posix_southern_and_odd(void **state)
{
    (void)state;
    /* Sydney: DST from the first Sunday of October to the first Sunday of April. */
    struct events_tzif *z = posix("AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_int_equal(events_tzif_offset(z, at("2024-01-15T00:00:00")), 11 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-06-15T00:00:00")), 10 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-04-06T15:59:59")), 11 * 3600);   /* 03:00 AEDT Apr 7 */
    assert_int_equal(events_tzif_offset(z, at("2024-04-06T16:00:00")), 10 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-10-05T15:59:59")), 10 * 3600);   /* 02:00 AEST Oct 6 */
    assert_int_equal(events_tzif_offset(z, at("2024-10-05T16:00:00")), 11 * 3600);
    events_tzif_free(z);
    z = posix("<+0330>-3:30");
    assert_int_equal(events_tzif_offset(z, at("2024-07-01T00:00:00")), 3 * 3600 + 1800);
    events_tzif_free(z);
    z = posix("UTC0");
    assert_int_equal(events_tzif_offset(z, at("2024-07-01T00:00:00")), 0);
    events_tzif_free(z);
    /* Jn ignores Feb 29 (J60 is March 1); n counts it (59 is Feb 29 in a leap year). */
    z = posix("XST3XDT,J60/0,J300/0");
    assert_int_equal(events_tzif_offset(z, at("2024-03-01T02:59:59")), -3 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-03-01T03:00:00")), -2 * 3600);
    events_tzif_free(z);
    z = posix("XST3XDT,59/0,300/0");
    assert_int_equal(events_tzif_offset(z, at("2024-02-29T03:00:00")), -2 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2023-03-01T03:00:00")), -2 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2023-03-01T02:59:59")), -3 * 3600);
    events_tzif_free(z);
    /* Times past 24 h and negative (RFC 8536): Israel's /26 is 02:00 the next day. */
    z = posix("IST-2IDT,M3.4.4/26,M10.5.0");
    assert_int_equal(events_tzif_offset(z, at("2024-03-29T00:00:00")), 3 * 3600);  /* 02:00 Fri Mar 29 local */
    assert_int_equal(events_tzif_offset(z, at("2024-03-28T23:59:59")), 2 * 3600);
    events_tzif_free(z);
    z = posix("XST3XDT,M3.2.0/-1,M11.1.0/-1");
    assert_int_equal(events_tzif_offset(z, at("2024-03-10T01:59:59")), -3 * 3600);  /* 23:00 Mar 9 local */
    assert_int_equal(events_tzif_offset(z, at("2024-03-10T02:00:00")), -2 * 3600);
    events_tzif_free(z);
}

static void test_posix_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "EST", "ES5", "EST5EDT", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0",
                                      "EST5EDT,M3.6.0,M11.1.0", "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J100",
                                      "EST5EDT,366,100", "<AB", "<+03>", "EST25", "EST5EDT,M3.2.0/168,M11.1.0",
                                      "EST5EDT,M3.2.0,M11.1.0x", "EST5:60"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct events_tzif *z = NULL;
        if (events_tzif_from_posix(bad[i], strlen(bad[i]), &z) != EVENTS_TZIF_INVALID)
            fail_msg("%s was accepted", bad[i]);
        assert_null(z);
    }
}

/* ---- TZif files ------------------------------------------------------------------- */

struct file {
    unsigned char data[4096];
    size_t len;
};

static void put(struct file *f, const void *p, size_t n)
{
    assert_true(f->len + n <= sizeof(f->data));
    memcpy(f->data + f->len, p, n);
    f->len += n;
}

static void put32(struct file *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                          (unsigned char)v};
    put(f, b, 4);
}

static void put64(struct file *f, int64_t v)
{
    put32(f, (uint32_t)((uint64_t)v >> 32));
    put32(f, (uint32_t)v);
}

/* A zone: offsets[] types (isdst alternating), times[] switching to type
 * index types[]. */
struct zone_spec {
    char version;                  /* 0, '2', '3' */
    const int64_t *times;
    const unsigned char *types;
    size_t n_times;
    const int32_t *offsets;
    size_t n_types;
    const char *footer;
};

static void put_block(struct file *f, const struct zone_spec *z, size_t tsize)
{
    put(f, "TZif", 4);
    char version = z->version;
    put(f, &version, 1);
    unsigned char zero[15] = {0};
    put(f, zero, 15);
    put32(f, 0);                   /* isutcnt */
    put32(f, 0);                   /* isstdcnt */
    put32(f, 0);                   /* leapcnt */
    put32(f, (uint32_t)z->n_times);
    put32(f, (uint32_t)z->n_types);
    put32(f, 4);                   /* charcnt: "XST\0" */
    for (size_t i = 0; i < z->n_times; i++) {
        if (tsize == 8)
            put64(f, z->times[i]);
        else
            put32(f, (uint32_t)z->times[i]);
    }
    put(f, z->types, z->n_times);
    for (size_t i = 0; i < z->n_types; i++) {
        put32(f, (uint32_t)z->offsets[i]);
        unsigned char tail[2] = {(unsigned char)(i % 2), 0};
        put(f, tail, 2);
    }
    put(f, "XST", 4);
}

static struct file build(const struct zone_spec *z)
{
    struct file f = {.len = 0};
    put_block(&f, z, 4);
    if (z->version) {
        put_block(&f, z, 8);
        put(&f, "\n", 1);
        put(&f, z->footer, strlen(z->footer));
        put(&f, "\n", 1);
    }
    return f;
}

static void test_tzif_transitions(void **state)
{
    (void)state;
    const int64_t times[] = {at("2000-01-01T00:00:00"), at("2010-01-01T00:00:00"), at("2020-01-01T00:00:00")};
    const unsigned char types[] = {1, 2, 1};
    const int32_t offsets[] = {3600, 7200, 10800};
    struct zone_spec spec = {'2', times, types, 3, offsets, 3, "XST-5"};
    struct file f = build(&spec);
    struct events_tzif *z;
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_OK);
    assert_int_equal(events_tzif_offset(z, at("1990-01-01T00:00:00")), 3600);   /* before: type 0 */
    assert_int_equal(events_tzif_offset(z, at("2000-01-01T00:00:00")), 7200);
    assert_int_equal(events_tzif_offset(z, at("2015-06-01T00:00:00")), 10800);
    assert_int_equal(events_tzif_offset(z, at("2019-12-31T23:59:59")), 10800);
    assert_int_equal(events_tzif_offset(z, at("2020-01-01T00:00:00")), 5 * 3600);  /* the footer from here */
    assert_int_equal(events_tzif_offset(z, at("2300-01-01T00:00:00")), 5 * 3600);
    events_tzif_free(z);
    /* Version 1: no footer, the last transition's type stays. */
    spec.version = 0;
    f = build(&spec);
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_OK);
    assert_int_equal(events_tzif_offset(z, at("2030-01-01T00:00:00")), 7200);
    events_tzif_free(z);
    /* Version 2 with an empty footer behaves the same. */
    spec.version = '2';
    spec.footer = "";
    f = build(&spec);
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_OK);
    assert_int_equal(events_tzif_offset(z, at("2030-01-01T00:00:00")), 7200);
    events_tzif_free(z);
}

static void test_tzif_refusals(void **state)
{
    (void)state;
    const int64_t times[] = {at("2000-01-01T00:00:00"), at("2010-01-01T00:00:00")};
    const unsigned char types[] = {1, 0};
    const int32_t offsets[] = {3600, 7200};
    struct zone_spec spec = {'2', times, types, 2, offsets, 2, "XST-1"};
    struct file good = build(&spec);
    struct events_tzif *z;
    /* Every truncation is refused. */
    for (size_t len = 0; len < good.len; len++)
        if (events_tzif_parse(good.data, len, &z) != EVENTS_TZIF_INVALID)
            fail_msg("a file cut at %zu bytes was accepted", len);
    /* A type index out of range, times out of order, a bad footer, a bad magic. */
    const unsigned char bad_types[] = {1, 5};
    spec.types = bad_types;
    struct file f = build(&spec);
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_INVALID);
    spec.types = types;
    const int64_t backwards[] = {at("2010-01-01T00:00:00"), at("2000-01-01T00:00:00")};
    spec.times = backwards;
    f = build(&spec);
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_INVALID);
    spec.times = times;
    spec.footer = "not a rule";
    f = build(&spec);
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_INVALID);
    f = good;
    f.data[0] = 'X';
    assert_int_equal(events_tzif_parse(f.data, f.len, &z), EVENTS_TZIF_INVALID);
}

static bool tzif_offset(void *ctx, int64_t utc, int32_t *offset)
{
    *offset = events_tzif_offset(ctx, utc);
    return true;
}

static void test_system_database(void **state)
{
    (void)state;
    FILE *fp = fopen("/usr/share/zoneinfo/America/New_York", "rb");
    if (!fp) {
        skip();
        return;
    }
    static unsigned char data[1 << 16];
    size_t len = fread(data, 1, sizeof(data), fp);
    fclose(fp);
    struct events_tzif *z;
    assert_int_equal(events_tzif_parse(data, len, &z), EVENTS_TZIF_OK);
    assert_int_equal(events_tzif_offset(z, at("1990-07-01T12:00:00")), -4 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-01-15T12:00:00")), -5 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2024-03-10T07:00:00")), -4 * 3600);
    assert_int_equal(events_tzif_offset(z, at("2100-07-01T12:00:00")), -4 * 3600);
    /* With schedule.c: a 09:00 cron in New York, across the spring change. */
    struct events_zone zone = {tzif_offset, z};
    struct events_schedule s;
    assert_true(events_schedule_parse("cron(0 9 * * ? *)", 17, EVENTS_SCHEDULE_SCHEDULER, &s));
    int64_t next;
    assert_int_equal(events_schedule_next(&s, &zone, 0, at("2024-03-09T15:00:00"), &next), EVENTS_NEXT_OK);
    assert_int_equal(next, at("2024-03-10T13:00:00"));
    assert_int_equal(events_schedule_next(&s, &zone, 0, at("2024-03-08T15:00:00"), &next), EVENTS_NEXT_OK);
    assert_int_equal(next, at("2024-03-09T14:00:00"));
    events_tzif_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posix_northern),
        cmocka_unit_test(test_posix_southern_and_odd),
        cmocka_unit_test(test_posix_refusals),
        cmocka_unit_test(test_tzif_transitions),
        cmocka_unit_test(test_tzif_refusals),
        cmocka_unit_test(test_system_database),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
