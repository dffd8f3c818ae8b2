/* protocol/events schedule: rate, cron and at expressions and their next
 * fire times; see schedule.h for the syntax and the time zone rules.
 *
 * A cron field parses into a bit set of the values it allows (lists,
 * wrapping ranges and steps expanded), and the day fields' special forms
 * into their own members. The next fire time is found in the zone's wall
 * clock, field by field from the year down (a later year, month, day,
 * hour or minute resets the fields below it), and only then turned into a
 * UTC instant, skipping wall-clock times that do not exist and second
 * occurrences of repeated ones. Calendar arithmetic is done here on day
 * counts, without the C library's time zone state. */
#include "protocol/events/schedule.h"

#include <string.h>

/* ---- calendar ----------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

/* Days since 1970-01-01 of a date (month 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *year, int *month, int *day)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = m;
    *day = d;
}

static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Day of the week in cron's numbering: 1 Sunday .. 7 Saturday. */
static int cron_weekday(int y, int m, int d)
{
    int64_t days = days_from_civil(y, m, d);
    return (int)((days % 7 + 7 + 4) % 7) + 1;   /* 1970-01-01 was a Thursday */
}

int64_t events_civil_to_seconds(const struct events_civil *c)
{
    return days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
}

void events_seconds_to_civil(int64_t seconds, struct events_civil *out)
{
    int64_t days = floor_div(seconds, 86400);
    int64_t rest = seconds - days * 86400;
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(rest / 3600);
    out->minute = (int)(rest / 60 % 60);
    out->second = (int)(rest % 60);
}

/* ---- parsing ------------------------------------------------------------ */

struct cursor {
    const char *s, *end;
};

static bool accept(struct cursor *c, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->s) < n || memcmp(c->s, word, n) != 0)
        return false;
    c->s += n;
    return true;
}

/* Up to `max_digits` decimal digits (at least one) into *out. */
static bool read_number(struct cursor *c, int max_digits, long *out)
{
    long v = 0;
    int n = 0;
    while (c->s < c->end && *c->s >= '0' && *c->s <= '9') {
        if (++n > max_digits)
            return false;
        v = v * 10 + (*c->s++ - '0');
    }
    *out = v;
    return n > 0;
}

static bool read_fixed(const char *s, int width, int *out)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* rate(value unit) */
static bool parse_rate(struct cursor c, struct events_schedule *out)
{
    long value;
    if (!read_number(&c, 10, &value) || value < 1 || value > 2147483647L || !accept(&c, " "))
        return false;
    static const struct {
        const char *one, *many;
        int64_t seconds;
    } units[] = {{"minute", "minutes", 60}, {"hour", "hours", 3600}, {"day", "days", 86400}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        const char *unit = value == 1 ? units[i].one : units[i].many;
        struct cursor rest = c;
        if (accept(&rest, unit) && rest.s == rest.end) {
            out->kind = EVENTS_SCHEDULE_RATE;
            out->rate_seconds = value * units[i].seconds;
            return true;
        }
    }
    return false;
}

/* at(yyyy-mm-ddThh:mm:ss) */
static bool parse_at(struct cursor c, struct events_schedule *out)
{
    const char *s = c.s;
    struct events_civil *t = &out->at;
    if (c.end - s != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        !read_fixed(s, 4, &t->year) || !read_fixed(s + 5, 2, &t->month) || !read_fixed(s + 8, 2, &t->day) ||
        !read_fixed(s + 11, 2, &t->hour) || !read_fixed(s + 14, 2, &t->minute) || !read_fixed(s + 17, 2, &t->second))
        return false;
    if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > days_in_month(t->year, t->month) || t->hour > 23 ||
        t->minute > 59 || t->second > 59)
        return false;
    out->kind = EVENTS_SCHEDULE_AT;
    return true;
}

enum field { F_MINUTES, F_HOURS, F_DAY_OF_MONTH, F_MONTH, F_DAY_OF_WEEK, F_YEAR, N_FIELDS };

static const struct {
    int min, max, max_step;
} limits[N_FIELDS] = {
    [F_MINUTES] = {0, 59, 59},
    [F_HOURS] = {0, 23, 23},
    [F_DAY_OF_MONTH] = {1, 31, 31},
    [F_MONTH] = {1, 12, 12},
    [F_DAY_OF_WEEK] = {1, 7, 7},
    [F_YEAR] = {EVENTS_CRON_FIRST_YEAR, EVENTS_CRON_LAST_YEAR, EVENTS_CRON_LAST_YEAR - EVENTS_CRON_FIRST_YEAR},
};

static const char *const month_names[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                            "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
static const char *const day_names[7] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

static char upper(char ch) { return ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch; }

/* A value of the field: a number, or a month or day name. */
static bool read_value(struct cursor *c, enum field f, int *out)
{
    const char *const *names = f == F_MONTH ? month_names : f == F_DAY_OF_WEEK ? day_names : NULL;
    if (names && c->end - c->s >= 3) {
        int count = f == F_MONTH ? 12 : 7;
        for (int i = 0; i < count; i++)
            if (upper(c->s[0]) == names[i][0] && upper(c->s[1]) == names[i][1] && upper(c->s[2]) == names[i][2]) {
                c->s += 3;
                *out = i + 1;
                return true;
            }
    }
    long v;
    if (!read_number(c, 4, &v) || v < limits[f].min || v > limits[f].max)
        return false;
    *out = (int)v;
    return true;
}

static void set_bit(struct events_cron *cron, enum field f, int v)
{
    switch (f) {
    case F_MINUTES:
        cron->minutes |= 1ULL << v;
        break;
    case F_HOURS:
        cron->hours |= 1UL << v;
        break;
    case F_DAY_OF_MONTH:
        cron->days |= 1UL << v;
        break;
    case F_MONTH:
        cron->months |= (uint16_t)(1U << v);
        break;
    case F_DAY_OF_WEEK:
        cron->weekdays |= (uint8_t)(1U << v);
        break;
    case F_YEAR:
        cron->years[(v - EVENTS_CRON_FIRST_YEAR) / 64] |= 1ULL << ((v - EVENTS_CRON_FIRST_YEAR) % 64);
        break;
    case N_FIELDS:
        break;
    }
}

/* Sets from..to (wrapping past the field's maximum) in steps. */
static void set_range(struct events_cron *cron, enum field f, int from, int to, int step)
{
    int span = limits[f].max - limits[f].min + 1;
    int count = (to >= from ? to - from : to - from + span) + 1;
    for (int i = 0; i < count; i += step)
        set_bit(cron, f, limits[f].min + (from - limits[f].min + i) % span);
}

/* The day fields' forms that must stand alone: L, L-n, LW, nW; nL, n#k. */
static bool parse_special_day(struct cursor c, enum field f, struct events_cron *cron)
{
    if (f == F_DAY_OF_MONTH) {
        long n;
        if (accept(&c, "L")) {
            if (c.s == c.end) {
                cron->last_day_offset = 0;
                return true;
            }
            if (accept(&c, "W") && c.s == c.end) {
                cron->last_weekday = true;
                return true;
            }
            if (accept(&c, "-") && read_number(&c, 2, &n) && c.s == c.end && n <= 30) {
                cron->last_day_offset = (int)n;
                return true;
            }
            return false;
        }
        if (read_number(&c, 2, &n) && n >= 1 && n <= 31 && accept(&c, "W") && c.s == c.end) {
            cron->nearest_weekday = (int)n;
            return true;
        }
        return false;
    }
    int weekday;
    if (!read_value(&c, F_DAY_OF_WEEK, &weekday))
        return false;
    long k;
    if (accept(&c, "L") && c.s == c.end) {
        cron->last_of_weekday = weekday;
        return true;
    }
    if (accept(&c, "#") && read_number(&c, 1, &k) && k >= 1 && k <= 5 && c.s == c.end) {
        cron->nth_weekday = weekday;
        cron->nth = (int)k;
        return true;
    }
    return false;
}

/* One list item: *, * /n, v, v/n, a-b, a-b/n (and a bare L in day-of-week). */
static bool parse_item(struct cursor c, enum field f, struct events_cron *cron)
{
    int from = limits[f].min, to = limits[f].max;
    if (f == F_DAY_OF_WEEK && c.end - c.s == 1 && upper(*c.s) == 'L') {
        set_bit(cron, f, 7);
        return true;
    }
    if (accept(&c, "*")) {
        if (c.s == c.end) {
            set_range(cron, f, from, to, 1);
            return true;
        }
    } else {
        if (!read_value(&c, f, &from))
            return false;
        to = from;
        if (accept(&c, "-")) {
            if (!read_value(&c, f, &to))
                return false;
        } else if (c.s < c.end && *c.s == '/') {
            to = limits[f].max;     /* v/n: from v to the end */
        }
    }
    long step = 1;
    if (accept(&c, "/") && (!read_number(&c, 4, &step) || step < 1 || step > limits[f].max_step))
        return false;
    if (c.s != c.end)
        return false;
    set_range(cron, f, from, to, (int)step);
    return true;
}

/* A field: a comma list whose empty items are ignored ("0/5," is "0/5",
 * as AWS's parser reads it); '?' and the special day forms stand alone. */
static bool parse_field(struct cursor c, enum field f, struct events_cron *cron)
{
    struct cursor items[64];
    size_t n = 0;
    while (c.s < c.end) {
        const char *comma = memchr(c.s, ',', (size_t)(c.end - c.s));
        struct cursor item = {c.s, comma ? comma : c.end};
        c.s = comma ? comma + 1 : c.end;
        if (item.s == item.end)
            continue;
        if (n == sizeof(items) / sizeof(items[0]))
            return false;
        items[n++] = item;
    }
    if (n == 0)
        return false;
    if (n == 1 && (f == F_DAY_OF_MONTH || f == F_DAY_OF_WEEK)) {
        if (items[0].end - items[0].s == 1 && *items[0].s == '?') {
            if (f == F_DAY_OF_MONTH)
                cron->any_day_of_month = true;
            else
                cron->any_day_of_week = true;
            return true;
        }
        if (parse_special_day(items[0], f, cron))
            return true;
    }
    for (size_t i = 0; i < n; i++)
        if (!parse_item(items[i], f, cron))
            return false;
    return true;
}

static bool blank(char ch) { return ch == ' ' || ch == '\t'; }

/* cron(f f f f f f) */
static bool parse_cron(struct cursor c, struct events_schedule *out)
{
    struct events_cron *cron = &out->cron;
    memset(cron, 0, sizeof(*cron));
    cron->last_day_offset = -1;
    for (int f = 0; f < N_FIELDS; f++) {
        while (c.s < c.end && blank(*c.s))
            c.s++;
        struct cursor field = {c.s, c.s};
        while (field.end < c.end && !blank(*field.end))
            field.end++;
        if (field.s == field.end || !parse_field(field, (enum field)f, cron))
            return false;
        c.s = field.end;
    }
    while (c.s < c.end && blank(*c.s))
        c.s++;
    if (c.s != c.end || cron->any_day_of_month == cron->any_day_of_week)
        return false;
    out->kind = EVENTS_SCHEDULE_CRON;
    return true;
}

bool events_schedule_parse(const char *expr, size_t len, enum events_schedule_dialect dialect,
                           struct events_schedule *out)
{
    memset(out, 0, sizeof(*out));
    struct cursor c = {expr, expr + len};
    if (len < 2 || expr[len - 1] != ')')
        return false;
    c.end--;
    if (accept(&c, "rate("))
        return parse_rate(c, out);
    if (accept(&c, "cron("))
        return parse_cron(c, out);
    if (dialect == EVENTS_SCHEDULE_SCHEDULER && accept(&c, "at("))
        return parse_at(c, out);
    return false;
}

void events_schedule_scheduler_invalid(struct strbuf *out, const char *expr, size_t len)
{
    strbuf_puts(out, "Invalid Schedule Expression ");
    strbuf_append(out, expr, len);
    strbuf_putc(out, '.');
}

/* ---- zones -------------------------------------------------------------- */

static bool offset_at(const struct events_zone *zone, int64_t utc, int32_t *offset)
{
    if (!zone) {
        *offset = 0;
        return true;
    }
    return zone->utc_offset(zone->ctx, utc, offset);
}

/* The UTC instants showing wall-clock time `local` (seconds as if UTC):
 * none in a spring-forward gap, two in a fall-back overlap, else one.
 * Offsets a day either side bracket any single transition near it.
 * *before is the offset before the transition, for the gap rule. */
static bool instants_of(const struct events_zone *zone, int64_t local, int64_t found[2], int *n,
                        int32_t *before)
{
    int32_t early, late;
    if (!offset_at(zone, local - 86400, &early) || !offset_at(zone, local + 86400, &late))
        return false;
    *before = early;
    *n = 0;
    int32_t candidates[2] = {early, late};
    for (int i = 0; i < 2; i++) {
        int64_t utc = local - candidates[i];
        int32_t actual;
        if (!offset_at(zone, utc, &actual))
            return false;
        if (actual == candidates[i] && (*n == 0 || found[0] != utc))
            found[(*n)++] = utc;
    }
    if (*n == 2 && found[1] < found[0]) {
        int64_t t = found[0];
        found[0] = found[1];
        found[1] = t;
    }
    return true;
}

enum events_next_result events_civil_to_utc(const struct events_civil *local, const struct events_zone *zone,
                                            int64_t *utc)
{
    int64_t wall = events_civil_to_seconds(local);
    int64_t found[2];
    int n;
    int32_t before;
    if (!instants_of(zone, wall, found, &n, &before))
        return EVENTS_NEXT_ZONE_ERROR;
    *utc = n > 0 ? found[0] : wall - before;   /* in a gap: as far past the change */
    return EVENTS_NEXT_OK;
}

/* ---- next fire ---------------------------------------------------------- */

static bool year_allowed(const struct events_cron *c, int y)
{
    int i = y - EVENTS_CRON_FIRST_YEAR;
    return i >= 0 && y <= EVENTS_CRON_LAST_YEAR && (c->years[i / 64] >> (i % 64) & 1);
}

/* Bit d set for every day d of the month the expression allows. */
static uint32_t allowed_days(const struct events_cron *c, int y, int m)
{
    int last = days_in_month(y, m);
    uint32_t mask = 0;
    if (c->any_day_of_week) {
        if (c->last_day_offset >= 0) {
            if (last - c->last_day_offset >= 1)
                mask |= 1UL << (last - c->last_day_offset);
        } else if (c->last_weekday) {
            int d = last, w = cron_weekday(y, m, last);
            d -= w == 1 ? 2 : w == 7 ? 1 : 0;
            mask |= 1UL << d;
        } else if (c->nearest_weekday) {
            int d = c->nearest_weekday;
            if (d > last)
                return 0;
            int w = cron_weekday(y, m, d);
            if (w == 7)
                d = d == 1 ? 3 : d - 1;
            else if (w == 1)
                d = d == last ? d - 2 : d + 1;
            mask |= 1UL << d;
        } else {
            for (int d = 1; d <= last; d++)
                if (c->days >> d & 1)
                    mask |= 1UL << d;
        }
        return mask;
    }
    if (c->last_of_weekday) {
        int d = last - (cron_weekday(y, m, last) - c->last_of_weekday + 7) % 7;
        return 1UL << d;
    }
    if (c->nth_weekday) {
        int d = 1 + (c->nth_weekday - cron_weekday(y, m, 1) + 7) % 7 + 7 * (c->nth - 1);
        return d <= last ? 1UL << d : 0;
    }
    int w = cron_weekday(y, m, 1);
    for (int d = 1; d <= last; d++, w = w % 7 + 1)
        if (c->weekdays >> w & 1)
            mask |= 1UL << d;
    return mask;
}

/* Lowest set bit at or above `from` (bits up to 63), or -1. */
static int next_bit(uint64_t bits, int from)
{
    if (from > 63)
        return -1;
    bits &= ~0ULL << from;
    return bits ? __builtin_ctzll(bits) : -1;
}

/* The first wall-clock minute at or after `from` (seconds as if UTC) the
 * expression allows; false past EVENTS_CRON_LAST_YEAR. */
static bool cron_next_wall(const struct events_cron *c, int64_t from, int64_t *out)
{
    struct events_civil t;
    events_seconds_to_civil(from, &t);
    int y = t.year, mo = t.month, d = t.day, h = t.hour, mi = t.minute;
    if (y < EVENTS_CRON_FIRST_YEAR)
        y = EVENTS_CRON_FIRST_YEAR, mo = 1, d = 1, h = 0, mi = 0;
    while (y <= EVENTS_CRON_LAST_YEAR) {
        if (!year_allowed(c, y)) {
            y++, mo = 1, d = 1, h = 0, mi = 0;
            continue;
        }
        int nm = next_bit(c->months, mo);
        if (nm < 0) {
            y++, mo = 1, d = 1, h = 0, mi = 0;
            continue;
        }
        if (nm != mo)
            mo = nm, d = 1, h = 0, mi = 0;
        int nd = next_bit(allowed_days(c, y, mo), d);
        if (nd < 0) {
            mo++, d = 1, h = 0, mi = 0;
            if (mo > 12)
                y++, mo = 1;
            continue;
        }
        if (nd != d)
            d = nd, h = 0, mi = 0;
        int nh = next_bit(c->hours, h);
        if (nh < 0) {
            d++, h = 0, mi = 0;    /* past the month's end: the day search moves on */
            continue;
        }
        if (nh != h)
            h = nh, mi = 0;
        int nmi = next_bit(c->minutes, mi);
        if (nmi < 0) {
            h++, mi = 0;           /* past 23: the hour search moves to the next day */
            continue;
        }
        struct events_civil found = {y, mo, d, h, nmi, 0};
        *out = events_civil_to_seconds(&found);
        return true;
    }
    return false;
}

/* Wall-clock minutes skipped in a row before the zone is taken to be
 * broken: more than any real transition (Samoa skipped a whole day). */
#define MAX_SKIPPED_MINUTES 100000

static enum events_next_result cron_next(const struct events_cron *c, const struct events_zone *zone, int64_t after,
                                         int64_t *next)
{
    int32_t offset;
    if (!offset_at(zone, after, &offset))
        return EVENTS_NEXT_ZONE_ERROR;
    int64_t wall = floor_div(after + offset, 60) * 60 + 60;
    for (int skipped = 0; skipped < MAX_SKIPPED_MINUTES; skipped++) {
        if (!cron_next_wall(c, wall, &wall))
            return EVENTS_NEXT_NONE;
        int64_t found[2];
        int n;
        int32_t before;
        if (!instants_of(zone, wall, found, &n, &before))
            return EVENTS_NEXT_ZONE_ERROR;
        /* A time the clock skips does not fire; one it shows twice fires
         * at the first showing only. */
        if (n > 0 && found[0] > after) {
            *next = found[0];
            return EVENTS_NEXT_OK;
        }
        wall += 60;
    }
    return EVENTS_NEXT_ZONE_ERROR;
}

/* Instants this module computes with: some 34,000 years either side of
 * 1970, so that no arithmetic on them can overflow. */
#define TIME_LIMIT (INT64_C(1) << 40)

enum events_next_result events_schedule_next(const struct events_schedule *s, const struct events_zone *zone,
                                             int64_t anchor, int64_t after, int64_t *next)
{
    if (after >= TIME_LIMIT || anchor >= TIME_LIMIT || anchor <= -TIME_LIMIT)
        return EVENTS_NEXT_NONE;
    if (after <= -TIME_LIMIT)
        after = -TIME_LIMIT;       /* long before 1970: the same first fire */
    switch (s->kind) {
    case EVENTS_SCHEDULE_RATE:
        if (after < anchor) {
            *next = anchor;
        } else {
            int64_t periods = (after - anchor) / s->rate_seconds + 1;
            *next = anchor + periods * s->rate_seconds;
        }
        return EVENTS_NEXT_OK;
    case EVENTS_SCHEDULE_CRON:
        return cron_next(&s->cron, zone, after, next);
    case EVENTS_SCHEDULE_AT: {
        int64_t at;
        enum events_next_result r = events_civil_to_utc(&s->at, zone, &at);
        if (r != EVENTS_NEXT_OK)
            return r;
        if (at <= after)
            return EVENTS_NEXT_NONE;
        *next = at;
        return EVENTS_NEXT_OK;
    }
    }
    return EVENTS_NEXT_NONE;
}
