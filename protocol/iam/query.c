/* protocol/iam query: AWS query-protocol parameters; see query.h. The
 * pairs are counted first, then every name and value is decoded into one
 * buffer as large as the input (decoding never grows a string). The
 * parameters are then sorted by name (keeping their order within a name),
 * so that a lookup is a binary search: a 1 MiB form of list members costs
 * n log n, not n squared, to walk. */
#include "protocol/iam/query.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/core/percent.h"

static size_t count_pairs(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += (i == 0 || s[i - 1] == '&') && s[i] != '&';
    return n;
}

/* Decodes the pairs of s[0..len) into p, writing strings at *out. */
static int decode_pairs(struct iam_params *p, const char *s, size_t len, char **out)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t name_len = eq ? (size_t)(eq - (s + i)) : end - i;
            char *name = *out;
            long n = percent_decode_into(s + i, name_len, name, PERCENT_PLUS_IS_SPACE);
            if (n < 0)
                return -1;
            *out += n + 1;
            char *value = *out;
            long v = eq ? percent_decode_into(eq + 1, (size_t)(s + end - eq - 1), value, PERCENT_PLUS_IS_SPACE)
                        : (long)(value[0] = '\0');
            if (v < 0)
                return -1;
            *out += v + 1;
            p->items[p->n++] = (struct iam_param){name, value};
        }
        i = end + 1;
    }
    return 0;
}

/* By name, then by position (the first occurrence of a name wins). */
static int by_name(const void *a, const void *b)
{
    const struct iam_param *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->value < y->value ? -1 : x->value > y->value;
}

int iam_params_decode(struct iam_params *p, const char *query, const char *body, size_t body_len)
{
    memset(p, 0, sizeof(*p));
    size_t query_len = query ? strlen(query) : 0;
    size_t pairs = count_pairs(query, query_len) + count_pairs(body, body_len);
    p->items = calloc(pairs ? pairs : 1, sizeof(*p->items));
    /* Each pair's name and value get a terminator: at most two per pair
     * beyond the input's own bytes. */
    p->storage = malloc(query_len + body_len + 2 * pairs + 1);
    if (!p->items || !p->storage) {
        errno = ENOMEM;
        return -1;
    }
    char *out = p->storage;
    if (decode_pairs(p, query, query_len, &out) < 0 || decode_pairs(p, body, body_len, &out) < 0) {
        errno = EINVAL;
        return -1;
    }
    /* Values are written in input order, so their addresses order them. */
    qsort(p->items, p->n, sizeof(*p->items), by_name);
    return 0;
}

void iam_params_free(struct iam_params *p)
{
    free(p->items);
    free(p->storage);
    memset(p, 0, sizeof(*p));
}

const char *iam_param(const struct iam_params *p, const char *name)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(p->items[mid].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n && strcmp(p->items[lo].name, name) == 0 ? p->items[lo].value : NULL;
}

const char *iam_param_member(const struct iam_params *p, const char *list, size_t index, const char *field)
{
    char name[256];
    int n = field ? snprintf(name, sizeof(name), "%s.member.%zu.%s", list, index, field)
                  : snprintf(name, sizeof(name), "%s.member.%zu", list, index);
    return n > 0 && (size_t)n < sizeof(name) ? iam_param(p, name) : NULL;
}

size_t iam_param_count(const struct iam_params *p, const char *list, const char *field)
{
    size_t n = 0;
    while (n < p->n && iam_param_member(p, list, n + 1, field))
        n++;
    return n;
}

int iam_param_int(const struct iam_params *p, const char *name, int64_t *out)
{
    const char *v = iam_param(p, name);
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno)
        return -1;
    *out = n;
    return 1;
}

int iam_param_bool(const struct iam_params *p, const char *name, bool *out)
{
    const char *v = iam_param(p, name);
    if (!v)
        return 0;
    if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
        return -1;
    *out = strcasecmp(v, "true") == 0;
    return 1;
}
