/* Unit tests for protocol/events schedule.c: rate (singular and plural
 * units, fixed periods from an anchor), cron (every field and wildcard:
 * lists, wrapping ranges, steps, names, L, L-n, LW, nW, nL, n#k, year
 * bounds, Feb 29, expressions that never fire, AWS's oddities), at(), the
 * refusals, and next fire times in a zone across daylight saving
 * changes (New York's rules stand in for the tz database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/events/schedule.h"

/* "2024-03-10T02:30:00Z" to seconds. */
static int64_t at(const char *iso)
{
    struct events_civil c;
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d", &c.year, &c.month, &c.day, &c.hour, &c.minute, &c.second) != 6)
        fail_msg("bad time %s", iso);
    return events_civil_to_seconds(&c);
}

static void iso(int64_t t, char out[32])
{
    struct events_civil c;
    events_seconds_to_civil(t, &c);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

static struct events_schedule parse_ok(const char *expr, enum events_schedule_dialect dialect)
{
    struct events_schedule s;
    if (!events_schedule_parse(expr, strlen(expr), dialect, &s))
        fail_msg("%s was refused", expr);
    return s;
}

/* New York since 2007: daylight time from the second Sunday of March,
 * 02:00 local (07:00 UTC), to the first Sunday of November, 02:00 local
 * (06:00 UTC). */
static int nth_sunday(int year, int month, int n)
{
    struct events_civil first = {year, month, 1, 0, 0, 0};
    int64_t days = events_civil_to_seconds(&first) / 86400;
    int weekday = (int)((days % 7 + 7 + 4) % 7);   /* 0 Sunday */
    return 1 + (7 - weekday) % 7 + 7 * (n - 1);
}

static bool new_york(void *ctx, int64_t utc, int32_t *offset)
{
    (void)ctx;
    struct events_civil c;
    events_seconds_to_civil(utc, &c);
    struct events_civil start = {c.year, 3, nth_sunday(c.year, 3, 2), 7, 0, 0};
    struct events_civil end = {c.year, 11, nth_sunday(c.year, 11, 1), 6, 0, 0};
    bool daylight = utc >= events_civil_to_seconds(&start) && utc < events_civil_to_seconds(&end);
    *offset = daylight ? -4 * 3600 : -5 * 3600;
    return true;
}

static bool broken_zone(void *ctx, int64_t utc, int32_t *offset)
{
    (void)ctx;
    (void)utc;
    (void)offset;
    return false;
}

struct next_case {
    const char *expr;
    const char *after;
    const char *next;              /* NULL: never again */
};

static void run_next(const struct next_case *cases, size_t n, const struct events_zone *zone)
{
    for (size_t i = 0; i < n; i++) {
        struct events_schedule s = parse_ok(cases[i].expr, EVENTS_SCHEDULE_SCHEDULER);
        int64_t next;
        enum events_next_result r = events_schedule_next(&s, zone, 0, at(cases[i].after), &next);
        if (!cases[i].next) {
            if (r != EVENTS_NEXT_NONE)
                fail_msg("case %zu: %s after %s should never fire", i, cases[i].expr, cases[i].after);
            continue;
        }
        if (r != EVENTS_NEXT_OK)
            fail_msg("case %zu: %s after %s did not fire", i, cases[i].expr, cases[i].after);
        char got[32];
        iso(next, got);
        if (strcmp(got, cases[i].next) != 0)
            fail_msg("case %zu: %s after %s: got %s, want %s", i, cases[i].expr, cases[i].after, got, cases[i].next);
    }
}

#define RUN_NEXT(cases, zone) run_next(cases, sizeof(cases) / sizeof(cases[0]), zone)

static void test_rate(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        int64_t seconds;
    } valid[] = {
        {"rate(1 minute)", 60}, {"rate(5 minutes)", 300}, {"rate(1 hour)", 3600},
        {"rate(12 hours)", 43200}, {"rate(1 day)", 86400}, {"rate(7 days)", 604800},
        {"rate(01 minute)", 60}, {"rate(2147483647 days)", 2147483647LL * 86400},
    };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        struct events_schedule s = parse_ok(valid[i].expr, EVENTS_SCHEDULE_RULE);
        assert_int_equal(s.kind, EVENTS_SCHEDULE_RATE);
        assert_int_equal(s.rate_seconds, valid[i].seconds);
    }
    static const char *const invalid[] = {
        "rate(1 minutes)", "rate(5 minute)", "rate(1 hours)", "rate(5 hour)", "rate(1 days)", "rate(2 day)",
        "rate(0 minutes)", "rate(-1 minutes)", "rate(5 Minutes)", "rate(5  minutes)", "rate( 5 minutes)",
        "rate(5 minutes )", "rate(5 seconds)", "rate(minutes)", "rate(5)", "rate 5 minutes", "rate(1.5 hours)",
        "rate(5 minutes", "rate(2147483648 minutes)", "rate()", "", "rate(5 weeks)",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        struct events_schedule s;
        if (events_schedule_parse(invalid[i], strlen(invalid[i]), EVENTS_SCHEDULE_SCHEDULER, &s))
            fail_msg("%s was accepted", invalid[i]);
    }
    /* fires at anchor + k * period, strictly after the given instant */
    struct events_schedule s = parse_ok("rate(5 minutes)", EVENTS_SCHEDULE_RULE);
    int64_t next;
    assert_int_equal(events_schedule_next(&s, NULL, 1000, 999, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 1000);
    assert_int_equal(events_schedule_next(&s, NULL, 1000, 1000, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 1300);
    assert_int_equal(events_schedule_next(&s, NULL, 1000, 1299, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 1300);
    assert_int_equal(events_schedule_next(&s, NULL, 1000, 1000 + 300 * 1000000LL, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 1000 + 300 * 1000001LL);
    /* a day is 24 hours, whatever the zone does */
    struct events_zone ny = {new_york, NULL};
    s = parse_ok("rate(1 day)", EVENTS_SCHEDULE_SCHEDULER);
    assert_int_equal(events_schedule_next(&s, &ny, at("2024-03-09T14:00:00"), at("2024-03-09T14:00:00"), &next),
                     EVENTS_NEXT_OK);
    assert_int_equal(next, at("2024-03-10T14:00:00"));
}

static void test_cron_next_utc(void **state)
{
    (void)state;
    static const struct next_case cases[] = {
        {"cron(0 10 * * ? *)", "2024-01-01T10:00:00", "2024-01-02T10:00:00Z"},
        {"cron(0 10 * * ? *)", "2024-01-01T09:59:59", "2024-01-01T10:00:00Z"},
        {"cron(0 12 * * ? *)", "2024-12-31T12:00:00", "2025-01-01T12:00:00Z"},
        {"cron(15 12 * * ? *)", "2024-01-01T12:15:30", "2024-01-02T12:15:00Z"},
        {"cron(5,35 14 * * ? *)", "2024-01-01T14:05:00", "2024-01-01T14:35:00Z"},
        {"cron(0/15 * * * ? *)", "2024-01-01T10:07:00", "2024-01-01T10:15:00Z"},
        {"cron(0/15 * * * ? *)", "2024-01-01T10:45:00", "2024-01-01T11:00:00Z"},
        {"cron(1/10 * * * ? *)", "2024-01-01T10:21:00", "2024-01-01T10:31:00Z"},
        {"cron(*/20 * * * ? *)", "2024-01-01T10:41:00", "2024-01-01T11:00:00Z"},
        {"cron(10-20/5 * * * ? *)", "2024-01-01T10:16:00", "2024-01-01T10:20:00Z"},
        {"cron(10-20/5 * * * ? *)", "2024-01-01T10:20:00", "2024-01-01T11:10:00Z"},
        {"cron(0 18 ? * MON-FRI *)", "2024-06-14T18:00:00", "2024-06-17T18:00:00Z"},
        {"cron(0 8 1 * ? *)", "2024-12-01T08:00:00", "2025-01-01T08:00:00Z"},
        {"cron(0/10 * ? * MON-FRI *)", "2024-06-14T23:55:00", "2024-06-17T00:00:00Z"},
        /* a range that wraps: 20:00 to 02:59 */
        {"cron(0/30 20-2 ? * MON-FRI *)", "2024-06-14T02:30:00", "2024-06-14T20:00:00Z"},
        {"cron(0/30 20-2 ? * MON-FRI *)", "2024-06-14T23:30:00", "2024-06-17T00:00:00Z"},
        {"cron(0 0 1 NOV-FEB ? *)", "2024-02-02T00:00:00", "2024-11-01T00:00:00Z"},
        {"cron(0 0 1 nov-feb ? *)", "2024-12-01T00:00:00", "2025-01-01T00:00:00Z"},
        {"cron(0 0 ? * SAT,SUN *)", "2024-06-10T00:00:00", "2024-06-15T00:00:00Z"},
        {"cron(0 0 ? * 1,7 *)", "2024-06-15T00:00:00", "2024-06-16T00:00:00Z"},
        /* L: the last day; L-n; LW the last weekday */
        {"cron(0 0 L * ? *)", "2024-02-01T00:00:00", "2024-02-29T00:00:00Z"},
        {"cron(0 0 L * ? *)", "2023-02-01T00:00:00", "2023-02-28T00:00:00Z"},
        {"cron(0 0 L * ? *)", "2024-04-30T00:00:00", "2024-05-31T00:00:00Z"},
        {"cron(0 0 L-2 * ? *)", "2024-02-01T00:00:00", "2024-02-27T00:00:00Z"},
        {"cron(0 0 LW * ? *)", "2023-09-01T00:00:00", "2023-09-29T00:00:00Z"},
        {"cron(0 0 LW * ? *)", "2023-12-01T00:00:00", "2023-12-29T00:00:00Z"},
        {"cron(0 0 LW * ? *)", "2020-08-01T00:00:00", "2020-08-31T00:00:00Z"},
        /* nW: the weekday nearest day n, never leaving the month */
        {"cron(0 0 15W * ? *)", "2024-06-01T00:00:00", "2024-06-14T00:00:00Z"},
        {"cron(0 0 1W * ? *)", "2024-05-31T12:00:00", "2024-06-03T00:00:00Z"},
        {"cron(0 0 31W * ? *)", "2024-04-01T00:00:00", "2024-05-31T00:00:00Z"},
        {"cron(0 0 3W * ? *)", "2024-06-01T00:00:00", "2024-06-03T00:00:00Z"},
        /* day-of-week L, nL and n#k */
        {"cron(15 10 ? * 6L 2019-2022)", "2019-01-01T00:00:00", "2019-01-25T10:15:00Z"},
        {"cron(15 10 ? * 6L 2019-2022)", "2022-12-30T10:15:00", NULL},
        {"cron(0 0 ? * L *)", "2024-06-10T00:00:00", "2024-06-15T00:00:00Z"},
        {"cron(0 0 ? * 2L *)", "2024-06-01T00:00:00", "2024-06-24T00:00:00Z"},
        {"cron(0 12 ? * 3#2 *)", "2024-06-01T00:00:00", "2024-06-11T12:00:00Z"},
        {"cron(0 12 ? * TUE#2 *)", "2024-06-11T12:00:00", "2024-07-09T12:00:00Z"},
        {"cron(0 12 ? * FRI#5 *)", "2024-06-01T00:00:00", "2024-08-30T12:00:00Z"},
        /* Feb 29 and dates that never come */
        {"cron(0 0 29 2 ? *)", "2021-03-01T00:00:00", "2024-02-29T00:00:00Z"},
        {"cron(0 0 29 FEB ? 2101-2103)", "2000-01-01T00:00:00", NULL},
        {"cron(0 0 31 2 ? *)", "2024-01-01T00:00:00", NULL},
        {"cron(0 0 30 2 ? *)", "2024-01-01T00:00:00", NULL},
        /* years: bounds and steps */
        {"cron(0 0 1 1 ? 2199)", "2198-06-01T00:00:00", "2199-01-01T00:00:00Z"},
        {"cron(0 0 1 1 ? 2199)", "2199-01-01T00:00:00", NULL},
        {"cron(59 23 31 12 ? 2199)", "2199-12-31T23:58:00", "2199-12-31T23:59:00Z"},
        {"cron(59 23 31 12 ? 2199)", "2199-12-31T23:59:00", NULL},
        {"cron(0 0 1 1 ? 1970)", "1969-06-01T00:00:00", "1970-01-01T00:00:00Z"},
        {"cron(0 0 1 1 ? 2030-2034/2)", "2030-01-01T00:00:00", "2032-01-01T00:00:00Z"},
        {"cron(0 0 1 1 ? 2030/3)", "2031-01-01T00:00:00", "2033-01-01T00:00:00Z"},
        {"cron(0 0 1 1 ? 2030,2025)", "2024-01-01T00:00:00", "2025-01-01T00:00:00Z"},
        /* AWS's own oddities it accepts */
        {"cron(0/5, 9-18, ?, *, MON-FRI, *)", "2024-06-14T18:55:00", "2024-06-17T09:00:00Z"},
        {"cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)", "2024-06-15T08:15:00", "2024-06-17T08:00:00Z"},
        {"cron(30-30 13-13 ? * 2,4,6 *)", "2024-06-14T13:30:00", "2024-06-17T13:30:00Z"},
        {"cron(1-31/30 1-1 ? * 1,7 *)", "2024-06-15T01:01:00", "2024-06-15T01:31:00Z"},
        {"cron( 0  12\t* * ? * )", "2024-06-15T00:00:00", "2024-06-15T12:00:00Z"},
    };
    RUN_NEXT(cases, NULL);
}

static void test_cron_refusals(void **state)
{
    (void)state;
    static const char *const invalid[] = {
        "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 1 * MON *)", "cron(0 12 * *)",
        "cron(0 12 * * ? * *)", "cron(0 12 * * ?)", "cron(60 12 * * ? *)", "cron(0 24 * * ? *)",
        "cron(0 0 32 * ? *)", "cron(0 0 0 * ? *)", "cron(0 0 * 13 ? *)", "cron(0 0 * 0 ? *)",
        "cron(0 0 ? * 8 *)", "cron(0 0 ? * 0 *)", "cron(0 0 * * ? 1969)", "cron(0 0 * * ? 2200)",
        "cron(0/0 * * * ? *)", "cron(0/60 * * * ? *)", "cron(? 0 * * ? *)", "cron(0 ? * * ? *)",
        "cron(0 0 ? * 3#1,6#3 *)", "cron(0 0 L,5 * ? *)", "cron(0 0 ? * 3#6 *)", "cron(0 0 ? * 3#0 *)",
        "cron(0 0 L-31 * ? *)", "cron(15 12 ? * -1 *)", "cron(*/1 * * * *)", "cron()", "cron(0 12 * * ? *",
        "Cron(0 12 * * ? *)", "cron(a b c d e f)", "cron(0 0 W * ? *)", "cron(0 0 32W * ? *)",
        "cron(0 0 ? * 9L *)", "cron(0 0 ? * MONDAY *)", "cron(0 0 1-x * ? *)", "cron(0 0 ? JANUARY ? *)",
        "cron(0 0 1 * ? *) ", "cron(, 0 1 * ? *)", "cron(0 0 1 * ?,? *)", "cron(0 0 5W,6 * ? *)",
        "cron(0 0 ? * 2L,3 *)", "cron(1- * * * ? *)", "cron(-1 * * * ? *)", "cron(0 0 LX * ? *)",
        "cron(0 0 1/ * ? *)", "cron(* * * * ? * )x", "cron(0\n0 * * ? *)", "cron(0 0 ? * L-1 *)",
        "cron(5 * * * ? */0)", "at(2030-01-01T00:00:00)",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        struct events_schedule s;
        if (events_schedule_parse(invalid[i], strlen(invalid[i]), EVENTS_SCHEDULE_RULE, &s))
            fail_msg("%s was accepted", invalid[i]);
    }
    struct strbuf message;
    strbuf_init(&message);
    events_schedule_scheduler_invalid(&message, "cron(0 12 * * * *)", 18);
    assert_string_equal(message.data, "Invalid Schedule Expression cron(0 12 * * * *).");
    strbuf_free(&message);
    assert_string_equal(EVENTS_SCHEDULE_RULE_INVALID, "Parameter ScheduleExpression is not valid.");
}

static void test_at(void **state)
{
    (void)state;
    struct events_schedule s = parse_ok("at(2030-06-01T12:30:15)", EVENTS_SCHEDULE_SCHEDULER);
    assert_int_equal(s.kind, EVENTS_SCHEDULE_AT);
    int64_t next;
    assert_int_equal(events_schedule_next(&s, NULL, 0, at("2030-06-01T12:30:14"), &next), EVENTS_NEXT_OK);
    assert_int_equal(next, at("2030-06-01T12:30:15"));
    assert_int_equal(events_schedule_next(&s, NULL, 0, at("2030-06-01T12:30:15"), &next), EVENTS_NEXT_NONE);
    parse_ok("at(2024-02-29T23:59:59)", EVENTS_SCHEDULE_SCHEDULER);
    static const char *const invalid[] = {
        "at(2023-02-29T00:00:00)", "at(2030-13-01T00:00:00)", "at(2030-00-01T00:00:00)", "at(2030-04-31T00:00:00)",
        "at(2030-01-01T24:00:00)", "at(2030-01-01T00:60:00)", "at(2030-01-01T00:00:60)", "at(2030-01-01 00:00:00)",
        "at(2030-01-01T00:00)", "at(2030-01-01T00:00:00Z)", "at(30-01-01T00:00:00)", "at(2030-1-01T00:00:00)",
        "at()", "at(2030-01-01T00:00:0x)",
    };
    for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        struct events_schedule t;
        if (events_schedule_parse(invalid[i], strlen(invalid[i]), EVENTS_SCHEDULE_SCHEDULER, &t))
            fail_msg("%s was accepted", invalid[i]);
    }
}

static void test_zones(void **state)
{
    (void)state;
    struct events_zone ny = {new_york, NULL};
    static const struct next_case cases[] = {
        /* 09:00 in New York is 14:00 UTC in winter, 13:00 in summer */
        {"cron(0 9 * * ? *)", "2024-03-09T14:00:00", "2024-03-10T13:00:00Z"},
        {"cron(0 9 * * ? *)", "2024-11-02T13:00:00", "2024-11-03T14:00:00Z"},
        /* spring forward: 02:30 does not exist on 2024-03-10 and is skipped */
        {"cron(30 2 * * ? *)", "2024-03-09T07:30:00", "2024-03-11T06:30:00Z"},
        {"cron(0 * * * ? *)", "2024-03-10T06:30:00", "2024-03-10T07:00:00Z"},
        /* fall back: 01:30 happens twice on 2024-11-03 and fires once, first */
        {"cron(30 1 * * ? *)", "2024-11-03T05:00:00", "2024-11-03T05:30:00Z"},
        {"cron(30 1 * * ? *)", "2024-11-03T05:30:00", "2024-11-04T06:30:00Z"},
        {"cron(* * * * ? *)", "2024-11-03T05:59:00", "2024-11-03T07:00:00Z"},
        {"cron(* * * * ? *)", "2024-11-03T06:10:00", "2024-11-03T07:00:00Z"},
        /* at(): a missing time moves past the change; a repeated one fires first */
        {"at(2024-03-10T02:30:00)", "2024-01-01T00:00:00", "2024-03-10T07:30:00Z"},
        {"at(2024-11-03T01:30:00)", "2024-01-01T00:00:00", "2024-11-03T05:30:00Z"},
        {"at(2024-07-04T12:00:00)", "2024-01-01T00:00:00", "2024-07-04T16:00:00Z"},
    };
    RUN_NEXT(cases, &ny);

    struct events_zone broken = {broken_zone, NULL};
    struct events_schedule s = parse_ok("cron(0 9 * * ? *)", EVENTS_SCHEDULE_SCHEDULER);
    int64_t next;
    assert_int_equal(events_schedule_next(&s, &broken, 0, 0, &next), EVENTS_NEXT_ZONE_ERROR);
    s = parse_ok("at(2030-01-01T00:00:00)", EVENTS_SCHEDULE_SCHEDULER);
    assert_int_equal(events_schedule_next(&s, &broken, 0, 0, &next), EVENTS_NEXT_ZONE_ERROR);
}

static void test_calendar(void **state)
{
    (void)state;
    struct events_civil c;
    events_seconds_to_civil(0, &c);
    assert_int_equal(c.year, 1970);
    assert_int_equal(c.month, 1);
    assert_int_equal(c.day, 1);
    events_seconds_to_civil(-1, &c);
    assert_int_equal(c.year, 1969);
    assert_int_equal(c.second, 59);
    assert_int_equal(at("2000-02-29T00:00:00"), 951782400);
    assert_int_equal(at("2199-12-31T23:59:59"), 7258118399LL);
    for (int64_t t = -86400LL * 800; t < 86400LL * 365 * 300; t += 86400LL * 7 + 3607) {
        events_seconds_to_civil(t, &c);
        assert_int_equal(events_civil_to_seconds(&c), t);
    }
}

/* Instants far outside the calendar answer without overflowing. */
static void test_extreme_times(void **state)
{
    (void)state;
    struct events_schedule cron = parse_ok("cron(0 10 * * ? *)", EVENTS_SCHEDULE_RULE);
    struct events_schedule rate = parse_ok("rate(2147483647 days)", EVENTS_SCHEDULE_RULE);
    struct events_schedule once = parse_ok("at(9999-12-31T23:59:59)", EVENTS_SCHEDULE_SCHEDULER);
    struct events_zone ny = {new_york, NULL};
    int64_t next;
    assert_int_equal(events_schedule_next(&cron, &ny, 0, INT64_MAX, &next), EVENTS_NEXT_NONE);
    assert_int_equal(events_schedule_next(&cron, NULL, 0, INT64_MIN, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, at("1970-01-01T10:00:00"));
    assert_int_equal(events_schedule_next(&rate, NULL, INT64_MIN, 0, &next), EVENTS_NEXT_NONE);
    assert_int_equal(events_schedule_next(&rate, NULL, 0, INT64_MIN, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 0);
    assert_int_equal(events_schedule_next(&rate, NULL, 0, 1, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, 2147483647LL * 86400);
    assert_int_equal(events_schedule_next(&once, &ny, 0, 0, &next), EVENTS_NEXT_OK);
    assert_int_equal(next, at("10000-01-01T04:59:59"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate),
        cmocka_unit_test(test_cron_next_utc),
        cmocka_unit_test(test_cron_refusals),
        cmocka_unit_test(test_at),
        cmocka_unit_test(test_zones),
        cmocka_unit_test(test_calendar),
        cmocka_unit_test(test_extreme_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
