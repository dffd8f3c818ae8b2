/* protocol/core utf8: see utf8.h. The decoder looks at one sequence at a
 * time: its lead byte says how many continuation bytes follow and the
 * range the first of them must be in (which rules out overlong forms,
 * surrogates and code points past U+10FFFF); the maximal subpart of an
 * ill-formed sequence is its lead byte and the continuation bytes that
 * were still right. */
#include "protocol/core/utf8.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char replacement[] = "\xEF\xBF\xBD";   /* U+FFFD */

/* The length of the well-formed sequence at s (avail bytes there), or 0
 * when it is ill-formed; then *bad is the length of its maximal subpart. */
static size_t sequence(const unsigned char *s, size_t avail, size_t *bad)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *bad = 1;
        return 0;
    }
    size_t i = 1;
    while (i < need && i < avail && s[i] >= (i == 1 ? lo : 0x80) && s[i] <= (i == 1 ? hi : 0xBF))
        i++;
    if (i == need)
        return need;
    *bad = i;
    return 0;
}

/* Writes the repaired text to out when non-NULL (a first pass measures
 * it); returns its length. */
static size_t repair(const unsigned char *s, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t bad, good = sequence(s + i, len - i, &bad);
        if (good) {
            if (out)
                memcpy(out + n, s + i, good);
            n += good;
            i += good;
        } else {
            if (out)
                memcpy(out + n, replacement, 3);
            n += 3;
            i += bad;
        }
    }
    return n;
}

char *utf8_repaired_copy(const char *s, size_t len, size_t *out_len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = repair(u, len, NULL);
    char *copy = malloc(n + 1);
    if (!copy)
        return NULL;
    repair(u, len, copy);
    copy[n] = '\0';
    *out_len = n;
    return copy;
}
