/* protocol/core percent: see percent.h. */
#include "protocol/core/percent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/hex.h"

long percent_decode_into(const char *s, size_t len, char *out, unsigned flags)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 1 < len ? hex_value((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && (flags & PERCENT_PLUS_IS_SPACE)) {
            c = ' ';
        }
        if (c == '\0' && !(flags & PERCENT_ALLOW_NUL))
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

char *percent_decode(const char *s, size_t len, unsigned flags, size_t *out_len)
{
    char *out = malloc(len + 1);
    if (!out) {
        errno = ENOMEM;
        return NULL;
    }
    long n = percent_decode_into(s, len, out, flags);
    if (n < 0) {
        free(out);
        errno = EINVAL;
        return NULL;
    }
    if (out_len)
        *out_len = (size_t)n;
    return out;
}

void percent_decode_lenient(struct strbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int hi = hex_value((unsigned char)s[i + 1]);
            int lo = hex_value((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                strbuf_putc(sb, (char)(hi << 4 | lo));
                i += 2;
                continue;
            }
        }
        strbuf_putc(sb, s[i]);
    }
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

void percent_encode(struct strbuf *sb, const char *s, size_t len, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_unreserved(c) || (c == '/' && keep_slash))
            continue;
        char esc[3] = {'%', digits[c >> 4], digits[c & 15]};
        strbuf_append(sb, s + start, i - start);
        strbuf_append(sb, esc, 3);
        start = i + 1;
    }
    strbuf_append(sb, s + start, len - start);
}

/* Finds the next "name[=value]" piece at or after *cursor whose decoded
 * name is `name`; *cursor moves past it. false at the end, or with errno
 * ENOMEM. */
static bool next_named(const char **cursor, const char *name, const char **value, size_t *value_len)
{
    size_t name_len = strlen(name);
    const char *p = *cursor ? *cursor : "";
    while (*p) {
        const char *end = strchr(p, '&');
        if (!end)
            end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        size_t raw_len = (size_t)((eq ? eq : end) - p);
        bool match;
        /* Names are compared decoded; most are plain, so decode only when
         * the raw name has escapes or pluses. */
        if (memchr(p, '%', raw_len) || memchr(p, '+', raw_len)) {
            char *decoded = percent_decode(p, raw_len, PERCENT_PLUS_IS_SPACE, NULL);
            if (!decoded && errno == ENOMEM)
                return false;
            match = decoded && strcmp(decoded, name) == 0;
            free(decoded);
        } else {
            match = raw_len == name_len && memcmp(p, name, name_len) == 0;
        }
        *cursor = p = *end ? end + 1 : end;
        if (match) {
            *value = eq ? eq + 1 : end;
            *value_len = eq ? (size_t)(end - eq - 1) : 0;
            return true;
        }
    }
    *cursor = p;
    errno = 0;
    return false;
}

char *query_param(const char *query, const char *name, bool *present)
{
    const char *cursor = query, *value;
    size_t len;
    *present = next_named(&cursor, name, &value, &len);
    if (!*present) {
        *present = errno == ENOMEM;
        return NULL;
    }
    return percent_decode(value, len, PERCENT_PLUS_IS_SPACE, NULL);
}

char *query_param_next(const char **cursor, const char *name)
{
    const char *value;
    size_t len;
    if (!next_named(cursor, name, &value, &len))
        return NULL;
    return percent_decode(value, len, PERCENT_PLUS_IS_SPACE, NULL);
}
