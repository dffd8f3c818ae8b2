/* fuzz_events_schedule: EventBridge and Scheduler schedule expressions
 * (protocol/events). The input up to its first newline is the expression;
 * the next eight bytes, when present, pick the instant to look after. A
 * parsed expression's next fire time, in UTC and in a zone with daylight
 * saving, must come strictly after that instant, on a whole minute for
 * cron. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/events/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Daylight time (+1h over a -5h standard offset) from the 70th to the
 * 300th day of each year, switching at 07:00 UTC. */
static bool seasonal(void *ctx, int64_t utc, int32_t *offset)
{
    (void)ctx;
    struct events_civil c;
    events_seconds_to_civil(utc, &c);
    struct events_civil jan1 = {c.year, 1, 1, 7, 0, 0};
    int64_t day = (utc - events_civil_to_seconds(&jan1)) / 86400;
    *offset = day >= 70 && day < 300 ? -4 * 3600 : -5 * 3600;
    return true;
}

static void check(const struct events_schedule *s, const struct events_zone *zone, int64_t after)
{
    int64_t next;
    if (events_schedule_next(s, zone, after - 3600, after, &next) != EVENTS_NEXT_OK)
        return;
    if (next <= after)
        abort();
    if (s->kind == EVENTS_SCHEDULE_CRON && next % 60 != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *newline = memchr(text, '\n', size);
    size_t len = newline ? (size_t)(newline - text) : size;
    int64_t after = 1700000000;
    if (newline && size - len - 1 >= 8) {
        uint64_t bits;
        memcpy(&bits, newline + 1, 8);
        after = (int64_t)(bits % (8000000000ULL)) - 100000000;   /* 1966 .. 2220 */
    }
    struct events_zone zone = {seasonal, NULL};
    for (int dialect = 0; dialect < 2; dialect++) {
        struct events_schedule s;
        if (!events_schedule_parse(text, len, (enum events_schedule_dialect)dialect, &s))
            continue;
        check(&s, NULL, after);
        check(&s, &zone, after);
    }
    return 0;
}
