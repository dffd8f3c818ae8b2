/* protocol/iam condition: the Condition block of a policy statement, checked
 * when a policy is stored and decided against a request's context keys.
 *
 * A block maps operators to {key: value or [values]}. Every operator and
 * every key under it must hold (AND); the values of one key are
 * alternatives (OR), and for a negated operator (StringNotEquals, ...) none
 * may match (NOR). A key absent from the request makes its test false, or
 * true for a negated operator; `...IfExists` makes it true, and `Null`
 * tests presence itself. `ForAnyValue:` / `ForAllValues:` qualifiers are
 * accepted: every context key here has a single value, for which they are
 * the plain test, except that an absent key satisfies ForAllValues (the
 * empty set) and fails ForAnyValue. Comparisons follow the operator's type:
 * strings (exact, ignoring case, or globs with '*' and '?'), numbers, dates
 * (ISO 8601 or epoch seconds), booleans, IP addresses against CIDR blocks
 * (IPv4 and IPv6) and ARNs (glob per colon-separated part). Policy
 * variables (${aws:username}) are not expanded. */
#include "protocol/iam/condition.h"
#include "protocol/core/glob.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"   /* s3_parse_iso8601 */

enum cond_type { T_STRING, T_STRING_NOCASE, T_STRING_LIKE, T_NUMERIC, T_DATE, T_BOOL, T_BINARY, T_IP, T_ARN, T_NULL };
enum cond_cmp { C_EQ, C_LT, C_LE, C_GT, C_GE };

struct cond_op {
    const char *name;
    enum cond_type type;
    enum cond_cmp cmp;
    bool negated;
};

static const struct cond_op ops[] = {
    {"StringEquals", T_STRING, C_EQ, false},
    {"StringNotEquals", T_STRING, C_EQ, true},
    {"StringEqualsIgnoreCase", T_STRING_NOCASE, C_EQ, false},
    {"StringNotEqualsIgnoreCase", T_STRING_NOCASE, C_EQ, true},
    {"StringLike", T_STRING_LIKE, C_EQ, false},
    {"StringNotLike", T_STRING_LIKE, C_EQ, true},
    {"NumericEquals", T_NUMERIC, C_EQ, false},
    {"NumericNotEquals", T_NUMERIC, C_EQ, true},
    {"NumericLessThan", T_NUMERIC, C_LT, false},
    {"NumericLessThanEquals", T_NUMERIC, C_LE, false},
    {"NumericGreaterThan", T_NUMERIC, C_GT, false},
    {"NumericGreaterThanEquals", T_NUMERIC, C_GE, false},
    {"DateEquals", T_DATE, C_EQ, false},
    {"DateNotEquals", T_DATE, C_EQ, true},
    {"DateLessThan", T_DATE, C_LT, false},
    {"DateLessThanEquals", T_DATE, C_LE, false},
    {"DateGreaterThan", T_DATE, C_GT, false},
    {"DateGreaterThanEquals", T_DATE, C_GE, false},
    {"Bool", T_BOOL, C_EQ, false},
    {"BinaryEquals", T_BINARY, C_EQ, false},
    {"IpAddress", T_IP, C_EQ, false},
    {"NotIpAddress", T_IP, C_EQ, true},
    {"ArnEquals", T_ARN, C_EQ, false},
    {"ArnLike", T_ARN, C_EQ, false},
    {"ArnNotEquals", T_ARN, C_EQ, true},
    {"ArnNotLike", T_ARN, C_EQ, true},
    {"Null", T_NULL, C_EQ, false},
};

enum qualifier { Q_NONE, Q_ANY, Q_ALL };

/* An operator name with its qualifier prefix and IfExists suffix. */
struct parsed_op {
    const struct cond_op *op;
    enum qualifier qualifier;
    bool if_exists;
};

static bool parse_op(const char *name, struct parsed_op *out)
{
    out->qualifier = Q_NONE;
    if (strncmp(name, "ForAnyValue:", 12) == 0) {
        out->qualifier = Q_ANY;
        name += 12;
    } else if (strncmp(name, "ForAllValues:", 13) == 0) {
        out->qualifier = Q_ALL;
        name += 13;
    }
    size_t len = strlen(name);
    out->if_exists = len > 8 && strcmp(name + len - 8, "IfExists") == 0;
    if (out->if_exists)
        len -= 8;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strlen(ops[i].name) == len && strncmp(ops[i].name, name, len) == 0) {
            out->op = &ops[i];
            /* Null takes no IfExists. */
            return !(out->if_exists && ops[i].type == T_NULL);
        }
    }
    return false;
}

/* A JSON scalar as the string AWS compares: strings as they are, numbers
 * as written, booleans as "true" / "false". NULL for anything else. */
static const char *scalar_text(const struct json_value *v)
{
    if (json_is(v, JSON_STRING))
        return v->u.str;
    if (json_is(v, JSON_NUMBER))
        return v->u.str;
    if (json_is_true(v))
        return "true";
    if (json_is_false(v))
        return "false";
    return NULL;
}

/* ---- comparing one value ------------------------------------------------- */

static bool parse_number(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return *s && *end == '\0';
}

/* ISO 8601 (with or without fractions, or a bare date) or epoch seconds -> ms. */
static bool parse_date(const char *s, int64_t *ms)
{
    if (*s && strspn(s, "0123456789") == strlen(s)) {
        *ms = strtoll(s, NULL, 10) * 1000;
        return true;
    }
    *ms = date_parse_iso8601(s);
    if (*ms >= 0)
        return true;
    char full[40];
    if (strlen(s) == 10 && snprintf(full, sizeof(full), "%sT00:00:00Z", s) > 0) {
        *ms = date_parse_iso8601(full);
        return *ms >= 0;
    }
    return false;
}

static bool compare(double a, double b, enum cond_cmp cmp)
{
    switch (cmp) {
    case C_EQ: return a == b;
    case C_LT: return a < b;
    case C_LE: return a <= b;
    case C_GT: return a > b;
    case C_GE: return a >= b;
    }
    return false;
}

/* Address `ip` inside `block` ("10.0.0.0/8", "2001:db8::/32", or one address). */
static bool ip_in_block(const char *ip, const char *block)
{
    char net[64];
    const char *slash = strchr(block, '/');
    size_t n = slash ? (size_t)(slash - block) : strlen(block);
    if (n >= sizeof(net))
        return false;
    memcpy(net, block, n);
    net[n] = '\0';
    unsigned char a[16], b[16];
    int bits_total;
    if (inet_pton(AF_INET, net, b) == 1 && inet_pton(AF_INET, ip, a) == 1) {
        bits_total = 32;
    } else if (inet_pton(AF_INET6, net, b) == 1 && inet_pton(AF_INET6, ip, a) == 1) {
        bits_total = 128;
    } else {
        return false;
    }
    int bits = bits_total;
    if (slash) {
        char *end;
        long v = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end || v < 0 || v > bits_total)
            return false;
        bits = (int)v;
    }
    for (int i = 0; i < bits / 8; i++)
        if (a[i] != b[i])
            return false;
    unsigned char mask = (unsigned char)(0xff00 >> (bits % 8));
    return bits % 8 == 0 || (a[bits / 8] & mask) == (b[bits / 8] & mask);
}

/* ARNs compare part by part (arn:partition:service:region:account:resource),
 * each a glob; the resource part keeps its own colons. */
static bool arn_matches(const char *pattern, const char *arn)
{
    for (int part = 0; part < 5; part++) {
        const char *pc = strchr(pattern, ':'), *ac = strchr(arn, ':');
        if (!pc || !ac)
            return false;
        char p[256], a[256];
        size_t pn = (size_t)(pc - pattern), an = (size_t)(ac - arn);
        if (pn >= sizeof(p) || an >= sizeof(a))
            return false;
        memcpy(p, pattern, pn);
        p[pn] = '\0';
        memcpy(a, arn, an);
        a[an] = '\0';
        if (!glob_match(p, a, true, false))
            return false;
        pattern = pc + 1;
        arn = ac + 1;
    }
    return glob_match(pattern, arn, true, false);
}

static bool value_matches(const struct cond_op *op, const char *want, const char *have)
{
    double x, y;
    int64_t d1, d2;
    switch (op->type) {
    case T_STRING: return strcmp(want, have) == 0;
    case T_STRING_NOCASE: return strcasecmp(want, have) == 0;
    case T_STRING_LIKE: return glob_match(want, have, true, false);
    case T_NUMERIC: return parse_number(have, &x) && parse_number(want, &y) && compare(x, y, op->cmp);
    case T_DATE: return parse_date(have, &d1) && parse_date(want, &d2) && compare((double)d1, (double)d2, op->cmp);
    case T_BOOL: return strcasecmp(want, have) == 0;
    case T_BINARY: return strcmp(want, have) == 0;
    case T_IP: return ip_in_block(have, want);
    case T_ARN: return arn_matches(want, have);
    case T_NULL: return false;
    }
    return false;
}

/* ---- a block -------------------------------------------------------------- */

static const char *context_value(const struct iam_context *ctx, const char *key)
{
    for (size_t i = 0; ctx && i < ctx->n_keys; i++)
        if (strcasecmp(ctx->keys[i].name, key) == 0)
            return ctx->keys[i].value;
    return NULL;
}

/* The value of one ${...} body: a context key, optionally ", 'default'". */
static const char *variable_value(const char *body, size_t len, const struct iam_context *ctx, char *key,
                                  size_t key_size)
{
    if (len == 1 && strchr("*?$", body[0])) {
        snprintf(key, key_size, "%c", body[0]);
        return key;
    }
    const char *comma = memchr(body, ',', len);
    size_t name_len = comma ? (size_t)(comma - body) : len;
    while (name_len && body[name_len - 1] == ' ')
        name_len--;
    if (name_len >= key_size)
        return NULL;
    memcpy(key, body, name_len);
    key[name_len] = '\0';
    const char *v = context_value(ctx, key);
    if (v || !comma)
        return v;
    const char *open = memchr(comma, '\'', len - (size_t)(comma - body));
    const char *close = open ? memchr(open + 1, '\'', len - (size_t)(open + 1 - body)) : NULL;
    if (!close)
        return NULL;
    size_t n = (size_t)(close - open - 1);
    if (n >= key_size)
        return NULL;
    memcpy(key, open + 1, n);
    key[n] = '\0';
    return key;
}

const char *iam_expand_variables(const char *value, const struct iam_context *ctx)
{
    if (!strstr(value, "${"))
        return value;
    size_t cap = strlen(value) + 1, len = 0;
    char *out = malloc(cap);
    for (const char *p = value; out && *p;) {
        const char *end = strncmp(p, "${", 2) == 0 ? strchr(p + 2, '}') : NULL;
        char key[256];
        const char *piece = end ? variable_value(p + 2, (size_t)(end - p - 2), ctx, key, sizeof(key)) : NULL;
        if (end && !piece) {
            free(out);
            return NULL;
        }
        size_t n = end ? strlen(piece) : 1;
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *grown = realloc(out, cap);
            if (!grown)
                free(out);
            out = grown;
            if (!out)
                break;
        }
        memcpy(out + len, end ? piece : p, n);
        len += n;
        p = end ? end + 1 : p + 1;
    }
    if (out)
        out[len] = '\0';
    return out;
}

/* One key's test under one operator. */
static bool key_holds(const struct parsed_op *p, const struct json_value *values, const char *have, const struct iam_context *ctx)
{
    const struct cond_op *op = p->op;
    size_t n = json_is(values, JSON_ARRAY) ? values->len : 1;
    if (op->type == T_NULL) {
        const char *want = scalar_text(json_is(values, JSON_ARRAY) ? (n ? &values->u.items[0] : NULL) : values);
        return want && (strcasecmp(want, "true") == 0) == (have == NULL);
    }
    if (!have)
        return p->if_exists || p->qualifier == Q_ALL || (op->negated && p->qualifier != Q_ANY);
    bool any = false;
    for (size_t i = 0; i < n && !any; i++) {
        const char *text = scalar_text(json_is(values, JSON_ARRAY) ? &values->u.items[i] : values);
        const char *want = text ? iam_expand_variables(text, ctx) : NULL;
        any = want && value_matches(op, want, have);
        if (want != text)
            free((char *)want);
    }
    return any != op->negated;
}

bool iam_condition_holds(const struct json_value *condition, const struct iam_context *ctx)
{
    if (!json_is(condition, JSON_OBJECT))
        return false;
    for (size_t i = 0; i < condition->len; i++) {
        struct parsed_op p;
        const struct json_value *block = &condition->u.members[i].value;
        if (!parse_op(condition->u.members[i].key, &p) || !json_is(block, JSON_OBJECT))
            return false;
        for (size_t k = 0; k < block->len; k++)
            if (!key_holds(&p, &block->u.members[k].value, context_value(ctx, block->u.members[k].key), ctx))
                return false;
    }
    return true;
}

const char *iam_condition_check(const struct json_value *condition, char *buf, size_t size)
{
    if (!json_is(condition, JSON_OBJECT))
        return "Invalid Condition";
    for (size_t i = 0; i < condition->len; i++) {
        struct parsed_op p;
        const char *name = condition->u.members[i].key;
        if (!parse_op(name, &p)) {
            snprintf(buf, size, "Invalid Condition type : %s", name);
            return buf;
        }
        const struct json_value *block = &condition->u.members[i].value;
        if (!json_is(block, JSON_OBJECT) || block->len == 0)
            return "Invalid Condition";
        for (size_t k = 0; k < block->len; k++) {
            const struct json_value *v = &block->u.members[k].value;
            size_t n = json_is(v, JSON_ARRAY) ? v->len : 1;
            for (size_t j = 0; j < n; j++)
                if (!scalar_text(json_is(v, JSON_ARRAY) ? &v->u.items[j] : v))
                    return "Invalid Condition";
        }
    }
    return NULL;
}

static bool fixed_value(const char *v) { return v && !strpbrk(v, "*?"); }

bool iam_condition_restricts_sources(const struct json_value *condition)
{
    static const char *const fixed_keys[] = {"aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce",
                                             "aws:SourceOwner", "aws:SourceAccount", "aws:userid",
                                             "s3:x-amz-server-side-encryption-aws-kms-key-id"};
    if (!json_is(condition, JSON_OBJECT))
        return false;
    for (size_t i = 0; i < condition->len; i++) {
        struct parsed_op p;
        const struct json_value *block = &condition->u.members[i].value;
        if (!parse_op(condition->u.members[i].key, &p) || p.op->negated || p.if_exists || !json_is(block, JSON_OBJECT))
            continue;
        for (size_t k = 0; k < block->len; k++) {
            const char *key = block->u.members[k].key;
            const struct json_value *v = &block->u.members[k].value;
            size_t n = json_is(v, JSON_ARRAY) ? v->len : 1;
            bool source_ip = p.op->type == T_IP && strcasecmp(key, "aws:SourceIp") == 0;
            bool fixed_key = false;
            for (size_t f = 0; f < sizeof(fixed_keys) / sizeof(fixed_keys[0]); f++)
                fixed_key |= strcasecmp(key, fixed_keys[f]) == 0;
            if (!source_ip && !(fixed_key && (p.op->type == T_STRING || p.op->type == T_STRING_LIKE ||
                                              p.op->type == T_ARN)))
                continue;
            bool restricts = n > 0;
            for (size_t j = 0; j < n && restricts; j++) {
                const char *s = scalar_text(json_is(v, JSON_ARRAY) ? &v->u.items[j] : v);
                restricts = source_ip ? s && strcmp(s, "0.0.0.0/0") != 0 && strcmp(s, "::/0") != 0
                                      : fixed_value(s);
            }
            if (restricts)
                return true;
        }
    }
    return false;
}
