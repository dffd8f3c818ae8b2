/* protocol/core dates: see dates.h. Everything is UTC and
 * locale-independent: day and month names come from fixed tables rather
 * than strftime, and parsing ends in timegm(). */
#include "protocol/core/dates.h"

#include <stdbool.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const day_names[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* Splits ms since the epoch into a UTC calendar time and the leftover ms,
 * rounding toward minus infinity so times before 1970 stay correct. */
static void split_ms(int64_t ms, struct tm *tm, int *millis)
{
    int64_t secs = ms / 1000;
    int64_t rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        secs -= 1;
    }
    time_t t = (time_t)secs;
    if (!gmtime_r(&t, tm))
        memset(tm, 0, sizeof(*tm));
    *millis = (int)rem;
}

/* Years outside 0..9999 cannot be written in these formats; they are clamped
 * (and the field casts let the compiler see every field's width). */
static unsigned four_digit_year(const struct tm *tm)
{
    long year = (long)tm->tm_year + 1900;
    return year < 0 ? 0u : year > 9999 ? 9999u : (unsigned)year;
}

void date_http(int64_t ms, char out[40])
{
    struct tm tm;
    int millis;
    split_ms(ms, &tm, &millis);
    snprintf(out, 40, "%s, %02u %s %04u %02u:%02u:%02u GMT",
             day_names[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100,
             month_names[(unsigned)tm.tm_mon % 12],
             four_digit_year(&tm), (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
             (unsigned)tm.tm_sec % 100);
}

void date_iso8601(int64_t ms, char out[32])
{
    struct tm tm;
    int millis;
    split_ms(ms, &tm, &millis);
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", four_digit_year(&tm),
             (unsigned)(tm.tm_mon + 1) % 100, (unsigned)tm.tm_mday % 100,
             (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100, (unsigned)tm.tm_sec % 100,
             (unsigned)millis % 1000);
}

void date_iso8601_offset(int64_t ms, char out[40])
{
    char z[32];
    date_iso8601(ms, z);
    snprintf(out, 40, "%.23s+0000", z);
}

static int month_index(const char *name)
{
    for (int i = 0; i < 12; i++)
        if (strcasecmp(name, month_names[i]) == 0)
            return i;
    return -1;
}

/* Reads fixed-width decimal digits; returns false unless exactly `width`
 * digits are at *p. */
static bool read_digits(const char **p, int width, int *value)
{
    int v = 0;
    for (int i = 0; i < width; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += width;
    *value = v;
    return true;
}

static bool expect_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* "HH:MM:SS" */
static bool read_clock(const char **p, struct tm *tm)
{
    return read_digits(p, 2, &tm->tm_hour) && expect_char(p, ':') &&
           read_digits(p, 2, &tm->tm_min) && expect_char(p, ':') &&
           read_digits(p, 2, &tm->tm_sec);
}

/* Three letters naming a month. */
static bool read_month(const char **p, struct tm *tm)
{
    char name[4];
    for (int i = 0; i < 3; i++) {
        if (!isalpha((unsigned char)(*p)[i]))
            return false;
        name[i] = (*p)[i];
    }
    name[3] = '\0';
    tm->tm_mon = month_index(name);
    *p += 3;
    return tm->tm_mon >= 0;
}

/* " GMT" ending the string, or for SigV2 (zoned) also " UTC", " Z" or
 * " +hhmm" / " -hhmm": the zone's offset east of UTC in seconds. */
static bool read_zone(const char *p, bool zoned, int *offset_s)
{
    *offset_s = 0;
    if (strcmp(p, " GMT") == 0)
        return true;
    if (!zoned)
        return false;
    if (strcmp(p, " UTC") == 0 || strcmp(p, " Z") == 0)
        return true;
    int hh, mm;
    if (p[0] != ' ' || (p[1] != '+' && p[1] != '-'))
        return false;
    const char *q = p + 2;
    if (!read_digits(&q, 2, &hh) || !read_digits(&q, 2, &mm) || *q || hh > 23 || mm > 59)
        return false;
    *offset_s = (hh * 3600 + mm * 60) * (p[1] == '-' ? -1 : 1);
    return true;
}

/* "06 Nov 1994 08:49:37 GMT" (after "Sun, "); zoned: SigV2's forms, a
 * one-digit day and another zone too. */
static bool parse_rfc1123(const char *p, struct tm *tm, bool zoned, int *offset_s)
{
    int year;
    bool one_digit_day = zoned && p[0] >= '0' && p[0] <= '9' && p[1] == ' ';
    if (!(read_digits(&p, one_digit_day ? 1 : 2, &tm->tm_mday) && expect_char(&p, ' ') && read_month(&p, tm) &&
          expect_char(&p, ' ') && read_digits(&p, 4, &year) && expect_char(&p, ' ') &&
          read_clock(&p, tm)))
        return false;
    tm->tm_year = year - 1900;
    return read_zone(p, zoned, offset_s);
}

/* "06-Nov-94 08:49:37 GMT" (after "Sunday, "); two-digit years below 70
 * are this century. */
static bool parse_rfc850(const char *p, struct tm *tm)
{
    int year;
    if (!(read_digits(&p, 2, &tm->tm_mday) && expect_char(&p, '-') && read_month(&p, tm) &&
          expect_char(&p, '-') && read_digits(&p, 2, &year) && expect_char(&p, ' ') &&
          read_clock(&p, tm)))
        return false;
    tm->tm_year = year < 70 ? year + 100 : year;
    return strcmp(p, " GMT") == 0;
}

/* "Nov  6 08:49:37 1994" (after "Sun ") */
static bool parse_asctime(const char *p, struct tm *tm)
{
    int year;
    if (!(read_month(&p, tm) && expect_char(&p, ' ')))
        return false;
    if (*p == ' ') {
        p++;
        if (!read_digits(&p, 1, &tm->tm_mday))
            return false;
    } else if (!read_digits(&p, 2, &tm->tm_mday)) {
        return false;
    }
    if (!(expect_char(&p, ' ') && read_clock(&p, tm) && expect_char(&p, ' ') &&
          read_digits(&p, 4, &year)))
        return false;
    tm->tm_year = year - 1900;
    return *p == '\0';
}

static bool fields_in_range(const struct tm *tm)
{
    return tm->tm_mday >= 1 && tm->tm_mday <= 31 && tm->tm_hour <= 23 && tm->tm_min <= 59 &&
           tm->tm_sec <= 60;
}

/* date_parse_http, or with zoned the SigV2 forms of RFC 1123 too. */
static int64_t parse_http(const char *s, bool zoned)
{
    int offset_s = 0;
    if (!s)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    size_t day_len = 0;
    while (isalpha((unsigned char)s[day_len]))
        day_len++;
    if (day_len < 3)
        return -1;
    const char *rest = s + day_len;
    bool ok;
    if (rest[0] == ',' && rest[1] == ' ')
        ok = day_len == 3 ? parse_rfc1123(rest + 2, &tm, zoned, &offset_s) : parse_rfc850(rest + 2, &tm);
    else if (rest[0] == ' ' && day_len == 3)
        ok = parse_asctime(rest + 1, &tm);
    else
        ok = false;
    if (!ok || !fields_in_range(&tm))
        return -1;
    int mday = tm.tm_mday;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday) /* timegm moved "30 Feb" to March */
        return -1;
    return ((int64_t)t - offset_s) * 1000;
}

int64_t date_parse_http(const char *s) { return parse_http(s, false); }

int64_t date_parse_http_zoned(const char *s) { return parse_http(s, true); }

int64_t date_parse_iso8601(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *p = s;
    int year, mon, mday;
    if (!read_digits(&p, 4, &year) || !expect_char(&p, '-') || !read_digits(&p, 2, &mon) ||
        !expect_char(&p, '-') || !read_digits(&p, 2, &mday) || !expect_char(&p, 'T') ||
        !read_clock(&p, &tm))
        return -1;
    int millis = 0;
    if (*p == '.') {
        p++;
        int scale = 100, digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++) {
            millis += (*p - '0') * scale;
            scale /= 10;
        }
        if (digits == 0)
            return -1;
    }
    if ((strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0) || mon < 1 || mon > 12)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    if (!fields_in_range(&tm))
        return -1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday)
        return -1;
    return (int64_t)t * 1000 + millis;
}

int64_t date_parse_amz(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *p = s;
    int year, mon;
    if (!read_digits(&p, 4, &year) || !read_digits(&p, 2, &mon) || !read_digits(&p, 2, &tm.tm_mday) ||
        !expect_char(&p, 'T') || !read_digits(&p, 2, &tm.tm_hour) || !read_digits(&p, 2, &tm.tm_min) ||
        !read_digits(&p, 2, &tm.tm_sec) || strcmp(p, "Z") != 0 || mon < 1 || mon > 12)
        return -1;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    int mday = tm.tm_mday;
    if (!fields_in_range(&tm))
        return -1;
    time_t t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday)
        return -1;
    return (int64_t)t;
}
