/* protocol/s3 post_policy: checks a PostObject policy document against
 * the form, as AWS does.
 *
 * The document is {"expiration": ISO-8601, "conditions": [...]}; each
 * condition is {"field": "value"} (exact match), ["eq", "$field", "value"],
 * ["starts-with", "$field", "prefix"] or ["content-length-range", min, max].
 * Field names compare case-insensitively; "$bucket" is the bucket posted
 * to. Every form field but policy, the signature fields, file and
 * x-ignore-* must be named by some condition ("Extra input fields"). The
 * document is parsed with protocol/core/json. */
#include "protocol/s3/post_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/core/json.h"

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

static bool as_int64(const struct json_value *v, int64_t *out)
{
    if (json_number_int64(v, out))
        return true;
    const char *text = json_string(v);
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

static enum s3_err check_array(struct check *c, const struct json_value *cond)
{
    size_t n = cond->len;
    const struct json_value *v[3];
    for (size_t i = 0; i < 3 && i < n; i++)
        v[i] = &cond->u.items[i];
    if (n != 3 || !json_is(v[0], JSON_STRING))
        return invalid(c, "Invalid Condition: wrong number of arguments");
    const char *op = json_string(v[0]);
    if (strcasecmp(op, "content-length-range") == 0) {
        int64_t lo, hi;
        if (!as_int64(v[1], &lo) || !as_int64(v[2], &hi) || lo < 0 || hi < lo)
            return invalid(c, "Invalid content-length-range condition");
        c->limits->min_size = lo;
        c->limits->max_size = hi;
        return S3_OK;
    }
    if (!json_is(v[1], JSON_STRING) || !json_is(v[2], JSON_STRING) || json_string(v[1])[0] != '$')
        return invalid(c, "Invalid Condition: the field must be a string starting with $");
    if (strcasecmp(op, "eq") == 0)
        return check_match(c, "eq", json_string(v[1]), json_string(v[2]));
    if (strcasecmp(op, "starts-with") == 0)
        return check_match(c, "starts-with", json_string(v[1]), json_string(v[2]));
    return invalid(c, "Invalid Condition: unknown operation");
}

static enum s3_err check_condition(struct check *c, const struct json_value *cond)
{
    if (json_is(cond, JSON_ARRAY))
        return check_array(c, cond);
    if (!json_is(cond, JSON_OBJECT) || cond->len != 1 || !json_is(&cond->u.members[0].value, JSON_STRING))
        return invalid(c, "Invalid Condition");
    return check_match(c, "eq", cond->u.members[0].key, json_string(&cond->u.members[0].value));
}

static enum s3_err check_expiration(struct check *c, const struct json_value *doc, int64_t now_ms)
{
    const char *exp = json_str(doc, "expiration");
    if (!exp)
        return invalid(c, "Policy missing expiration.");
    int64_t at = date_parse_iso8601(exp);
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
    if (!c.covered)
        return S3_ERR_INTERNAL_ERROR;
    enum json_error jerr;
    const struct json_value *doc = json_parse(json, len, &jerr);
    if (!doc && jerr == JSON_ERR_NOMEM) {
        free(c.covered);
        return S3_ERR_INTERNAL_ERROR;
    }
    enum s3_err err = S3_OK;
    const struct json_value *conds = json_get(doc, "conditions");
    if (!json_is(conds, JSON_ARRAY))
        conds = NULL;
    if (!json_is(doc, JSON_OBJECT))
        err = invalid(&c, "Policy could not be parsed as a valid JSON object.");
    else
        err = check_expiration(&c, doc, now_ms);
    if (err == S3_OK && !conds)
        err = invalid(&c, "Policy missing conditions.");
    for (size_t i = 0; err == S3_OK && i < conds->len; i++)
        err = check_condition(&c, &conds->u.items[i]);
    if (err == S3_OK)
        err = check_coverage(&c);
    json_free(doc);
    free(c.covered);
    return err;
}
