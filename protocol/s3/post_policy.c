/* protocol/s3 post_policy: checks a PostObject policy document against
 * the form, as AWS does.
 *
 * The document is {"expiration": ISO-8601, "conditions": [...]}; each
 * condition is {"field": "value"} (exact match), ["eq", "$field", "value"],
 * ["starts-with", "$field", "prefix"] or ["content-length-range", min, max].
 * Field names compare case-insensitively; "$bucket" is the bucket posted
 * to. Every form field but policy, the signature fields, file and
 * x-ignore-* must be named by some condition ("Extra input fields"). The
 * document is parsed with yajl's tree API. */
#include "protocol/s3/post_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yajl/yajl_tree.h>

#include "protocol/s3/s3.h"

static const char *field_value(const struct s3_kv *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(fields[i].name, name) == 0)
            return fields[i].value;
    return NULL;
}

/* Fields the policy need not name. */
static bool field_exempt(const char *name)
{
    static const char *const exempt[] = {"policy", "x-amz-signature", "signature", "awsaccesskeyid",
                                         "file", NULL};
    for (size_t i = 0; exempt[i]; i++)
        if (strcasecmp(name, exempt[i]) == 0)
            return true;
    return strncasecmp(name, "x-ignore-", 9) == 0;
}

struct check {
    const char *bucket;
    const struct s3_kv *fields;
    size_t n_fields;
    bool *covered;                 /* per field: named by a condition */
    struct s3_post_limits *limits;
    char *msg;
    size_t msg_cap;
};

/* The value a condition compares: the bucket or a form field ("" when absent). */
static const char *subject(struct check *c, const char *name)
{
    if (strcasecmp(name, "bucket") == 0)
        return c->bucket;
    for (size_t i = 0; i < c->n_fields; i++) {
        if (strcasecmp(c->fields[i].name, name) == 0) {
            c->covered[i] = true;
            return c->fields[i].value;
        }
    }
    return "";
}

static enum s3_err failed(struct check *c, const char *op, const char *field, const char *value)
{
    snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Policy Condition failed: [\"%s\", \"$%s\", \"%s\"]",
             op, field, value);
    return S3_ERR_ACCESS_DENIED;
}

static enum s3_err invalid(struct check *c, const char *what)
{
    snprintf(c->msg, c->msg_cap, "Invalid Policy: %s", what);
    return S3_ERR_INVALID_POLICY_DOCUMENT;
}

static enum s3_err check_match(struct check *c, const char *op, const char *field, const char *want)
{
    const char *name = field[0] == '$' ? field + 1 : field;
    const char *have = subject(c, name);
    bool ok = strcmp(op, "eq") == 0 ? strcmp(have, want) == 0
                                    : strncmp(have, want, strlen(want)) == 0;
    return ok ? S3_OK : failed(c, op, name, want);
}

static bool as_int64(yajl_val v, int64_t *out)
{
    if (YAJL_IS_INTEGER(v)) {
        *out = YAJL_GET_INTEGER(v);
        return true;
    }
    const char *text = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
    if (text) {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (*text && !*end) {
            *out = n;
            return true;
        }
    }
    return false;
}

static enum s3_err check_array(struct check *c, yajl_val cond)
{
    size_t n = cond->u.array.len;
    yajl_val *v = cond->u.array.values;
    if (n != 3 || !YAJL_IS_STRING(v[0]))
        return invalid(c, "Invalid Condition: wrong number of arguments");
    const char *op = YAJL_GET_STRING(v[0]);
    if (strcasecmp(op, "content-length-range") == 0) {
        int64_t lo, hi;
        if (!as_int64(v[1], &lo) || !as_int64(v[2], &hi) || lo < 0 || hi < lo)
            return invalid(c, "Invalid content-length-range condition");
        c->limits->min_size = lo;
        c->limits->max_size = hi;
        return S3_OK;
    }
    if (!YAJL_IS_STRING(v[1]) || !YAJL_IS_STRING(v[2]) || YAJL_GET_STRING(v[1])[0] != '$')
        return invalid(c, "Invalid Condition: the field must be a string starting with $");
    if (strcasecmp(op, "eq") == 0)
        return check_match(c, "eq", YAJL_GET_STRING(v[1]), YAJL_GET_STRING(v[2]));
    if (strcasecmp(op, "starts-with") == 0)
        return check_match(c, "starts-with", YAJL_GET_STRING(v[1]), YAJL_GET_STRING(v[2]));
    return invalid(c, "Invalid Condition: unknown operation");
}

static enum s3_err check_condition(struct check *c, yajl_val cond)
{
    if (YAJL_IS_ARRAY(cond))
        return check_array(c, cond);
    if (!YAJL_IS_OBJECT(cond) || cond->u.object.len != 1 || !YAJL_IS_STRING(cond->u.object.values[0]))
        return invalid(c, "Invalid Condition");
    return check_match(c, "eq", cond->u.object.keys[0], YAJL_GET_STRING(cond->u.object.values[0]));
}

static enum s3_err check_expiration(struct check *c, yajl_val doc, int64_t now_ms)
{
    const char *path[] = {"expiration", NULL};
    yajl_val exp = yajl_tree_get(doc, path, yajl_t_string);
    if (!exp)
        return invalid(c, "Policy missing expiration.");
    int64_t at = s3_parse_iso8601(YAJL_GET_STRING(exp));
    if (at < 0)
        return invalid(c, "Invalid 'expiration' value.");
    if (at < now_ms) {
        snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Policy expired.");
        return S3_ERR_ACCESS_DENIED;
    }
    return S3_OK;
}

/* Every field but the exempt ones must have been named. */
static enum s3_err check_coverage(struct check *c)
{
    size_t used = (size_t)snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Extra input fields: ");
    bool extra = false;
    for (size_t i = 0; i < c->n_fields; i++) {
        if (c->covered[i] || field_exempt(c->fields[i].name) ||
            field_value(c->fields, i, c->fields[i].name))  /* reported once */
            continue;
        if (used < c->msg_cap)
            used += (size_t)snprintf(c->msg + used, c->msg_cap - used, "%s%s", extra ? ", " : "",
                                     c->fields[i].name);
        extra = true;
    }
    return extra ? S3_ERR_ACCESS_DENIED : S3_OK;
}

enum s3_err s3_post_policy_check(const char *json, size_t len, int64_t now_ms, const char *bucket,
                                 const struct s3_kv *fields, size_t n_fields,
                                 struct s3_post_limits *limits, char *msg, size_t msg_cap)
{
    limits->min_size = 0;
    limits->max_size = INT64_MAX;
    msg[0] = '\0';
    struct check c = {bucket, fields, n_fields, calloc(n_fields ? n_fields : 1, sizeof(bool)),
                      limits, msg, msg_cap};
    char *text = strndup(json, len);
    if (!c.covered || !text) {
        free(c.covered);
        free(text);
        return S3_ERR_INTERNAL_ERROR;
    }
    yajl_val doc = yajl_tree_parse(text, NULL, 0);
    free(text);
    enum s3_err err = S3_OK;
    const char *path[] = {"conditions", NULL};
    yajl_val conds = doc && YAJL_IS_OBJECT(doc) ? yajl_tree_get(doc, path, yajl_t_array) : NULL;
    if (!doc || !YAJL_IS_OBJECT(doc))
        err = invalid(&c, "Policy could not be parsed as a valid JSON object.");
    else
        err = check_expiration(&c, doc, now_ms);
    if (err == S3_OK && !conds)
        err = invalid(&c, "Policy missing conditions.");
    for (size_t i = 0; err == S3_OK && i < conds->u.array.len; i++)
        err = check_condition(&c, conds->u.array.values[i]);
    if (err == S3_OK)
        err = check_coverage(&c);
    yajl_tree_free(doc);
    free(c.covered);
    return err;
}
