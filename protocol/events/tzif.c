/* protocol/events tzif: TZif files and POSIX TZ strings; see tzif.h.
 *
 * A parsed zone is its transition times (ascending), the type index of
 * each, the types' offsets, and the footer rule: a standard offset and,
 * when the zone has daylight saving time, the DST offset and the two
 * yearly change rules. The rule's dates are found with the proleptic
 * Gregorian arithmetic of protocol/events/schedule.h. */
#include "protocol/events/tzif.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/events/schedule.h"

#define MAX_TYPES 256

/* When a yearly change happens: a kind of date and a local time of day. */
struct change_rule {
    enum { RULE_JULIAN_NO_LEAP, RULE_ZERO_BASED, RULE_MONTH_WEEK_DAY } kind;
    int day;                       /* Jn: 1-365; n: 0-365; M: the weekday 0 (Sunday) - 6 */
    int month, week;               /* M only */
    int32_t seconds;               /* local time of the change, -167h .. 167h */
};

struct posix_rule {
    bool present;
    int32_t std_offset;            /* seconds east of UTC */
    bool has_dst;
    int32_t dst_offset;
    struct change_rule start, end; /* start: into DST (in standard time); end: out (in DST time) */
};

struct events_tzif {
    int64_t *times;
    unsigned char *type_of;        /* per transition */
    size_t n_times;
    int32_t offsets[MAX_TYPES];
    size_t n_types;
    struct posix_rule footer;
};

/* ---- the POSIX TZ string --------------------------------------------------- */

struct reader {
    const char *s;
    size_t len, pos;
};

static int peek(const struct reader *r) { return r->pos < r->len ? (unsigned char)r->s[r->pos] : -1; }

static bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(int c) { return c >= '0' && c <= '9'; }

/* A zone abbreviation: three or more letters, or "<...>" of letters,
 * digits, '+' and '-'. */
static bool read_name(struct reader *r)
{
    size_t start = r->pos;
    if (peek(r) == '<') {
        r->pos++;
        while (peek(r) != '>') {
            int c = peek(r);
            if (c < 0 || !(is_alpha(c) || is_digit(c) || c == '+' || c == '-'))
                return false;
            r->pos++;
        }
        r->pos++;
        return r->pos - start >= 5;
    }
    while (is_alpha(peek(r)))
        r->pos++;
    return r->pos - start >= 3;
}

static bool read_number(struct reader *r, int max_digits, long *out)
{
    long v = 0;
    int digits = 0;
    while (is_digit(peek(r)) && digits < max_digits) {
        v = v * 10 + (peek(r) - '0');
        r->pos++;
        digits++;
    }
    *out = v;
    return digits > 0 && !is_digit(peek(r));
}

/* [+-]h[h[h]][:mm[:ss]] in seconds, hours up to max_hours. */
static bool read_time(struct reader *r, long max_hours, int32_t *out)
{
    int sign = 1;
    if (peek(r) == '+' || peek(r) == '-') {
        sign = peek(r) == '-' ? -1 : 1;
        r->pos++;
    }
    long h, m = 0, s = 0;
    if (!read_number(r, 3, &h) || h > max_hours)
        return false;
    if (peek(r) == ':') {
        r->pos++;
        if (!read_number(r, 2, &m) || m > 59)
            return false;
        if (peek(r) == ':') {
            r->pos++;
            if (!read_number(r, 2, &s) || s > 59)
                return false;
        }
    }
    *out = (int32_t)(sign * (h * 3600 + m * 60 + s));
    return true;
}

static bool read_change(struct reader *r, struct change_rule *c)
{
    long a, b, d;
    if (peek(r) == 'M') {
        r->pos++;
        if (!read_number(r, 2, &a) || a < 1 || a > 12 || peek(r) != '.')
            return false;
        r->pos++;
        if (!read_number(r, 1, &b) || b < 1 || b > 5 || peek(r) != '.')
            return false;
        r->pos++;
        if (!read_number(r, 1, &d) || d > 6)
            return false;
        *c = (struct change_rule){RULE_MONTH_WEEK_DAY, (int)d, (int)a, (int)b, 7200};
    } else if (peek(r) == 'J') {
        r->pos++;
        if (!read_number(r, 3, &a) || a < 1 || a > 365)
            return false;
        *c = (struct change_rule){RULE_JULIAN_NO_LEAP, (int)a, 0, 0, 7200};
    } else {
        if (!read_number(r, 3, &a) || a > 365)
            return false;
        *c = (struct change_rule){RULE_ZERO_BASED, (int)a, 0, 0, 7200};
    }
    if (peek(r) == '/') {
        r->pos++;
        if (!read_time(r, 167, &c->seconds))
            return false;
    }
    return true;
}

/* POSIX offsets count west ("EST5" is five hours behind UTC). */
static bool parse_posix(const char *s, size_t len, struct posix_rule *out)
{
    memset(out, 0, sizeof(*out));
    struct reader r = {s, len, 0};
    int32_t west;
    if (!read_name(&r) || !read_time(&r, 24, &west))
        return false;
    out->present = true;
    out->std_offset = -west;
    if (r.pos == len)
        return true;
    if (!read_name(&r))
        return false;
    out->has_dst = true;
    out->dst_offset = out->std_offset + 3600;
    if (peek(&r) != ',' && r.pos < len) {
        if (!read_time(&r, 24, &west))
            return false;
        out->dst_offset = -west;
    }
    if (peek(&r) != ',')
        return false;              /* RFC 8536 footers always give the rules */
    r.pos++;
    if (!read_change(&r, &out->start) || peek(&r) != ',')
        return false;
    r.pos++;
    return read_change(&r, &out->end) && r.pos == len;
}

static bool leap_year(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

static int64_t day_start(int year, int month, int day)
{
    struct events_civil c = {year, month, day, 0, 0, 0};
    return events_civil_to_seconds(&c);
}

/* The local (wall-clock) second at which the rule's change happens in year. */
static int64_t change_local(const struct change_rule *c, int year)
{
    int64_t day;
    switch (c->kind) {
    case RULE_JULIAN_NO_LEAP: {
        int n = c->day - 1 + (leap_year(year) && c->day >= 60 ? 1 : 0);
        day = day_start(year, 1, 1) + (int64_t)n * 86400;
        break;
    }
    case RULE_ZERO_BASED:
        day = day_start(year, 1, 1) + (int64_t)c->day * 86400;
        break;
    default: {
        int64_t first = day_start(year, c->month, 1);
        int weekday = (int)(((first / 86400) % 7 + 11) % 7);   /* 1970-01-01 was a Thursday (4) */
        int mday = 1 + (c->day - weekday + 7) % 7 + (c->week - 1) * 7;
        while (mday > month_days(year, c->month))
            mday -= 7;
        day = first + (int64_t)(mday - 1) * 86400;
        break;
    }
    }
    return day + c->seconds;
}

static int32_t posix_offset(const struct posix_rule *p, int64_t utc)
{
    if (!p->has_dst)
        return p->std_offset;
    struct events_civil civil;
    events_seconds_to_civil(utc + p->std_offset, &civil);
    int64_t start = change_local(&p->start, civil.year) - p->std_offset;
    int64_t end = change_local(&p->end, civil.year) - p->dst_offset;
    bool dst = start < end ? utc >= start && utc < end : !(utc >= end && utc < start);
    return dst ? p->dst_offset : p->std_offset;
}

/* ---- TZif ---------------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p) { return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4)); }

struct header {
    unsigned version;
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static bool read_header(const unsigned char *d, size_t len, struct header *h)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        return false;
    h->version = d[4] == 0 ? 1 : (unsigned)(d[4] - '0');
    if (h->version < 1 || h->version > 4)
        return false;
    h->isutcnt = be32(d + 20);
    h->isstdcnt = be32(d + 24);
    h->leapcnt = be32(d + 28);
    h->timecnt = be32(d + 32);
    h->typecnt = be32(d + 36);
    h->charcnt = be32(d + 40);
    return h->typecnt >= 1 && h->typecnt <= MAX_TYPES && h->timecnt <= EVENTS_TZIF_MAX_TRANSITIONS &&
           h->leapcnt <= 1000 && h->charcnt <= 4096 && (h->isutcnt == 0 || h->isutcnt == h->typecnt) &&
           (h->isstdcnt == 0 || h->isstdcnt == h->typecnt);
}

/* The size of a data block after its header, with times of `tsize` bytes. */
static size_t block_size(const struct header *h, size_t tsize)
{
    return (size_t)h->timecnt * (tsize + 1) + (size_t)h->typecnt * 6 + h->charcnt +
           (size_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

static enum events_tzif_result read_block(const unsigned char *d, const struct header *h, size_t tsize,
                                          struct events_tzif *z)
{
    z->n_times = h->timecnt;
    z->n_types = h->typecnt;
    if (h->timecnt) {
        z->times = malloc(h->timecnt * sizeof(*z->times));
        z->type_of = malloc(h->timecnt);
        if (!z->times || !z->type_of)
            return EVENTS_TZIF_NOMEM;
    }
    const unsigned char *p = d;
    for (size_t i = 0; i < h->timecnt; i++, p += tsize) {
        z->times[i] = tsize == 8 ? be64(p) : (int64_t)(int32_t)be32(p);
        if (i && z->times[i] <= z->times[i - 1])
            return EVENTS_TZIF_INVALID;
    }
    for (size_t i = 0; i < h->timecnt; i++, p++) {
        if (*p >= h->typecnt)
            return EVENTS_TZIF_INVALID;
        z->type_of[i] = *p;
    }
    for (size_t i = 0; i < h->typecnt; i++, p += 6) {
        int32_t off = (int32_t)be32(p);
        if (off < -89999 || off > 93599 || p[4] > 1)   /* RFC 8536: -25:59:59 .. 25:59:59 */
            return EVENTS_TZIF_INVALID;
        z->offsets[i] = off;
    }
    return EVENTS_TZIF_OK;
}

enum events_tzif_result events_tzif_parse(const unsigned char *data, size_t len, struct events_tzif **out)
{
    *out = NULL;
    struct header h;
    if (!read_header(data, len, &h) || len - 44 < block_size(&h, 4))
        return EVENTS_TZIF_INVALID;
    const unsigned char *block = data + 44;
    size_t tsize = 4, end = 44 + block_size(&h, 4);
    if (h.version >= 2) {
        struct header h2;
        if (!read_header(data + end, len - end, &h2) || h2.version != h.version ||
            len - end - 44 < block_size(&h2, 8))
            return EVENTS_TZIF_INVALID;
        block = data + end + 44;
        h = h2;
        tsize = 8;
        end += 44 + block_size(&h2, 8);
    }
    struct events_tzif *z = calloc(1, sizeof(*z));
    if (!z)
        return EVENTS_TZIF_NOMEM;
    enum events_tzif_result rc = read_block(block, &h, tsize, z);
    if (rc == EVENTS_TZIF_OK && h.version >= 2) {
        /* The footer: "\n<TZ string>\n", the string possibly empty. */
        const char *f = (const char *)data + end;
        size_t flen = len - end;
        const char *nl = flen >= 2 && f[0] == '\n' ? memchr(f + 1, '\n', flen - 1) : NULL;
        if (!nl)
            rc = EVENTS_TZIF_INVALID;
        else if (nl > f + 1 && !parse_posix(f + 1, (size_t)(nl - f - 1), &z->footer))
            rc = EVENTS_TZIF_INVALID;
    }
    if (rc != EVENTS_TZIF_OK) {
        events_tzif_free(z);
        return rc;
    }
    *out = z;
    return EVENTS_TZIF_OK;
}

enum events_tzif_result events_tzif_from_posix(const char *tz, size_t len, struct events_tzif **out)
{
    *out = NULL;
    struct events_tzif *z = calloc(1, sizeof(*z));
    if (!z)
        return EVENTS_TZIF_NOMEM;
    if (!parse_posix(tz, len, &z->footer)) {
        free(z);
        return EVENTS_TZIF_INVALID;
    }
    z->n_types = 1;
    z->offsets[0] = z->footer.std_offset;
    *out = z;
    return EVENTS_TZIF_OK;
}

int32_t events_tzif_offset(const struct events_tzif *z, int64_t utc)
{
    if (z->n_times == 0 || utc >= z->times[z->n_times - 1]) {
        if (z->footer.present)
            return posix_offset(&z->footer, utc);
        return z->n_times ? z->offsets[z->type_of[z->n_times - 1]] : z->offsets[0];
    }
    if (utc < z->times[0])
        return z->offsets[0];
    size_t lo = 0, hi = z->n_times - 1;    /* times[lo] <= utc < times[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->times[mid] <= utc)
            lo = mid;
        else
            hi = mid;
    }
    return z->offsets[z->type_of[lo]];
}

void events_tzif_free(struct events_tzif *z)
{
    if (!z)
        return;
    free(z->times);
    free(z->type_of);
    free(z);
}
