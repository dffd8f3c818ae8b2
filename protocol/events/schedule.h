/* protocol/events schedule: schedule expressions of EventBridge rules
 * (PutRule's ScheduleExpression: rate and cron, in UTC) and of
 * EventBridge Scheduler (CreateSchedule's: rate, cron and at, evaluated in
 * ScheduleExpressionTimezone), parsed once and asked for the next fire
 * time, pure.
 *
 * rate(value unit): value a positive integer; unit minute, hour or day
 *   when value is 1, minutes, hours or days otherwise ("rate(1 minutes)"
 *   and "rate(5 hour)" are refused). A rate counts fixed durations from
 *   an anchor, whatever the time zone: days are 24 hours, also across a
 *   daylight saving change.
 * cron(minutes hours day-of-month month day-of-week year): six fields
 *   separated by blanks; minutes 0-59, hours 0-23, day-of-month 1-31,
 *   month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT (SUN is 1), year
 *   1970-2199; names in any case. Each field is '*' or a comma list of
 *   values, ranges a-b (a range may wrap: hours 22-2 is 22,23,0,1,2) and
 *   steps a/n, a-b/n, * /n. Exactly one of day-of-month and day-of-week is
 *   '?'. Day-of-month alone may be L (last day), L-n (n days before it),
 *   LW (last weekday) or nW (the weekday nearest day n, within the month;
 *   no fire in a month shorter than n); day-of-week alone may be nL (the
 *   month's last weekday n) or n#k (its k-th weekday n, k 1-5), and a
 *   bare L there is 7 (Saturday). Empty list items are ignored, as AWS's
 *   parser does ("0/5," is "0/5").
 * at(yyyy-mm-ddThh:mm:ss): Scheduler only, one fire at that wall-clock
 *   time in the schedule's zone.
 *
 * Time zones: protocol/ reads no files, so the caller hands in a zone as
 * one function: the UTC offset in effect at a UTC instant (the server
 * answers from the tz database). Everything else is derived here. Around
 * daylight saving changes, as EventBridge Scheduler documents: a cron time
 * that does not exist in spring is skipped; one that happens twice in the
 * fall fires once, at its first occurrence; an at() time that does not
 * exist fires at the same distance past the change (02:30 becomes 03:30),
 * one that happens twice fires at its first occurrence.
 *
 * Times are seconds since the Unix epoch, UTC, within 2^40 seconds of it
 * (beyond, nothing fires); cron fires fall on whole minutes (AWS invokes
 * within the following minute). */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_SCHEDULE_H
#define CLOUDLESS_PROTOCOL_EVENTS_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"

enum events_schedule_dialect {
    EVENTS_SCHEDULE_RULE,          /* EventBridge PutRule: rate and cron */
    EVENTS_SCHEDULE_SCHEDULER,     /* EventBridge Scheduler: rate, cron and at */
};

enum events_schedule_kind { EVENTS_SCHEDULE_RATE, EVENTS_SCHEDULE_CRON, EVENTS_SCHEDULE_AT };

#define EVENTS_CRON_FIRST_YEAR 1970
#define EVENTS_CRON_LAST_YEAR 2199

/* A cron expression, field by field: a bit per allowed value, plus the
 * special day rules. */
struct events_cron {
    uint64_t minutes;              /* bit m: minute m, 0-59 */
    uint32_t hours;                /* bit h: 0-23 */
    uint32_t days;                 /* bit d: day of month d, 1-31 */
    uint16_t months;               /* bit m: 1-12 */
    uint8_t weekdays;              /* bit w: 1 (SUN) - 7 (SAT) */
    uint64_t years[4];             /* bit y - 1970 */
    bool any_day_of_month;         /* day-of-month is '?' */
    bool any_day_of_week;          /* day-of-week is '?' */
    int last_day_offset;           /* L (0) or L-n (n); -1 when not used */
    bool last_weekday;             /* LW */
    int nearest_weekday;           /* nW: n, 0 when not used */
    int last_of_weekday;           /* nL: n, 0 when not used */
    int nth_weekday, nth;          /* n#k: n and k, 0 when not used */
};

/* A wall-clock time (at() and the conversions). */
struct events_civil {
    int year, month, day, hour, minute, second;
};

struct events_schedule {
    enum events_schedule_kind kind;
    int64_t rate_seconds;          /* RATE */
    struct events_cron cron;       /* CRON */
    struct events_civil at;        /* AT, in the schedule's zone */
};

/* Parses an expression (len bytes). False when AWS refuses it; the
 * messages are below. */
bool events_schedule_parse(const char *expr, size_t len, enum events_schedule_dialect dialect,
                           struct events_schedule *out);

/* ValidationException's message for a refused expression: PutRule's
 * "Parameter ScheduleExpression is not valid.", or Scheduler's "Invalid
 * Schedule Expression <expression>.". */
#define EVENTS_SCHEDULE_RULE_INVALID "Parameter ScheduleExpression is not valid."
void events_schedule_scheduler_invalid(struct strbuf *out, const char *expr, size_t len);

/* A time zone, as the caller knows it: `utc_offset` stores the offset
 * from UTC in seconds east (New York in winter: -18000) in effect at the
 * UTC instant, returning false when it cannot tell. A NULL zone is UTC. */
struct events_zone {
    bool (*utc_offset)(void *ctx, int64_t utc, int32_t *offset);
    void *ctx;
};

enum events_next_result {
    EVENTS_NEXT_OK,
    EVENTS_NEXT_NONE,              /* never fires again (at() passed, cron past 2199) */
    EVENTS_NEXT_ZONE_ERROR,        /* the zone could not answer */
};

/* The first fire time strictly after `after`, in *next. `anchor` is a
 * fire time of a rate schedule (its first: the schedule's StartDate or
 * creation time, as the caller decides); the others ignore it. */
enum events_next_result events_schedule_next(const struct events_schedule *schedule,
                                             const struct events_zone *zone, int64_t anchor,
                                             int64_t after, int64_t *next);

/* Calendar arithmetic in the proleptic Gregorian calendar, UTC. */
int64_t events_civil_to_seconds(const struct events_civil *c);
void events_seconds_to_civil(int64_t seconds, struct events_civil *out);

/* The UTC instant of a wall-clock time in a zone, with the at() rules
 * above for times that do not exist or happen twice. */
enum events_next_result events_civil_to_utc(const struct events_civil *local, const struct events_zone *zone,
                                            int64_t *utc);

#endif
