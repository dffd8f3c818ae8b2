/* protocol/events pattern values: the value-level pieces of the event
 * pattern language (pattern.c), each as AWS's matcher (aws/event-ruler)
 * defines it:
 *
 *  - numbers: a JSON number takes part in numeric comparison only when it
 *    is "comparable", that is when the double nearest to it prints back as
 *    the same decimal value (1.5 and 3.018e2 are, 0.1000000000000000055
 *    and 1e400 are not);
 *  - IP addresses and CIDR blocks, IPv4 and IPv6 (an IPv4-mapped IPv6
 *    address counts as IPv4), with the refusals' exact texts;
 *  - wildcards: '*' matches any run of bytes, "\*" and "\\" stand for '*'
 *    and '\', consecutive '*'s and other escapes are refused; matching is
 *    greedy leftmost over the literal runs (never exponential), and a
 *    field's wildcard values together get the complexity score EventBridge
 *    refuses above 10 ("Rule is too complex").
 *
 * Everything is pure and bounded by its input. */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_PATTERN_VALUES_H
#define CLOUDLESS_PROTOCOL_EVENTS_PATTERN_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"

/* Makes room for `need` items of `size` bytes in a realloc'd array of
 * *cap items (growing it geometrically); false when memory runs out. */
bool events_vec_grow(void **items, size_t *cap, size_t need, size_t size);

/* ---- numbers ------------------------------------------------------------ */

/* Whether the JSON number `text` (NUL-terminated, JSON syntax) is
 * comparable; its value in *out when it is. */
bool events_number_comparable(const char *text, double *out);

/* ---- IP addresses ------------------------------------------------------- */

enum events_ip_kind {
    EVENTS_IP_NONE,                /* does not look like an address literal */
    EVENTS_IP_INVALID,             /* looks like one ("999.1.1.1") but is not */
    EVENTS_IP_V4,                  /* 4 bytes in out[0..3] */
    EVENTS_IP_V6,                  /* 16 bytes */
};

/* Reads an address literal: dotted quad, or hex digits and colons. */
enum events_ip_kind events_ip_parse(const char *s, size_t len, unsigned char out[16]);

struct events_cidr {
    unsigned char low[16], high[16];   /* inclusive bounds, network order */
    bool v6;
};

/* Parses "10.0.0.0/24" or "2001:db8::/32". On refusal returns false with
 * AWS's reason appended to `reason` ("Malformed CIDR, one '/' required",
 * "IPv4 mask bits must be < 32", ...). */
bool events_cidr_parse(const char *s, size_t len, struct events_cidr *out, struct strbuf *reason);
/* Whether the address (from events_ip_parse) lies in the block. */
bool events_cidr_contains(const struct events_cidr *c, enum events_ip_kind kind,
                          const unsigned char addr[16]);

/* ---- wildcards ---------------------------------------------------------- */

/* Checks a wildcard value's syntax. On refusal returns false with AWS's
 * reason appended ("Consecutive wildcard characters at pos 3", "Invalid
 * escape character at pos 1"; positions count the value's opening quote). */
bool events_wildcard_check(const char *s, size_t len, struct strbuf *reason);
/* Number of unescaped '*' in a checked value. */
size_t events_wildcard_stars(const char *s, size_t len);
/* Unescapes a checked value into its literal runs: the bytes of every run
 * back to back in `text` (room for len bytes), each run's length in
 * `runs` (room for stars + 1). Returns the number of runs. */
size_t events_wildcard_split(const char *s, size_t len, char *text, uint32_t *runs);
/* Whether `value` matches the runs (an empty run list never matches). */
bool events_wildcard_match(const char *text, const uint32_t *runs, size_t n_runs,
                           const char *value, size_t value_len);

/* The most wildcard complexity EventBridge accepts for one field. */
#define EVENTS_WILDCARD_MAX_COMPLEXITY 10

/* One term of a field's value list that carries wildcards: a wildcard
 * value (one string) or an anything-but wildcard (one or more). */
struct events_wildcard_term {
    const char *const *values;     /* checked wildcard values */
    const size_t *lens;
    size_t n;
};

/* The complexity of a field's wildcard terms: the most wildcard-bearing
 * term prefixes a worst-case input can keep alive at once, counted as
 * event-ruler counts them (shared deterministic prefixes, the enclosing
 * quotes, each term once per state). Stops counting past
 * EVENTS_WILDCARD_MAX_COMPLEXITY. Returns -1 when memory runs out. */
int events_wildcard_complexity(const struct events_wildcard_term *terms, size_t n_terms);

#endif
