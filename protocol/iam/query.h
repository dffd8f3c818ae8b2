/* protocol/iam query: the request side of the AWS query protocol that IAM
 * and STS speak — Action=...&Version=...&Name=value pairs in a form body
 * (application/x-www-form-urlencoded) or a query string — decoded once
 * into a list of parameters, and the lookups of AWS's list encoding
 * ("Tags.member.1.Key", "TagKeys.member.2", "PolicyArns.member.1.arn").
 *
 * Names and values are percent-decoded with '+' as a space; a bad escape
 * or a NUL byte makes the whole request malformed. Every string lives in
 * one allocation freed by iam_params_free(). */
#ifndef CLOUDLESS_PROTOCOL_IAM_QUERY_H
#define CLOUDLESS_PROTOCOL_IAM_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iam_param {
    const char *name;
    const char *value;
};

struct iam_params {
    struct iam_param *items;       /* sorted by name */
    size_t n;
    char *storage;
};

/* Decodes the query string (may be "" or NULL) and then the form body
 * (body_len bytes, may be 0). 0, or -1 with errno EINVAL (bad encoding)
 * or ENOMEM; p is to be freed either way. */
int iam_params_decode(struct iam_params *p, const char *query, const char *body, size_t body_len);
void iam_params_free(struct iam_params *p);

/* The value of `name` (its first occurrence), or NULL. */
const char *iam_param(const struct iam_params *p, const char *name);
/* The value of "<list>.member.<index>" or, with field, of
 * "<list>.member.<index>.<field>" (index from 1); NULL when absent. */
const char *iam_param_member(const struct iam_params *p, const char *list, size_t index, const char *field);
/* How many members a list has: indexes 1..n present without a gap (with
 * `field` when not NULL). */
size_t iam_param_count(const struct iam_params *p, const char *list, const char *field);
/* An integer parameter: 1 found and valid, 0 absent, -1 not an integer. */
int iam_param_int(const struct iam_params *p, const char *name, int64_t *out);
/* A boolean parameter ("true" / "false", any case): 1, 0 absent, -1 neither. */
int iam_param_bool(const struct iam_params *p, const char *name, bool *out);

#endif
