/* protocol/iam policy: IAM policy documents as resource policies — the
 * checks made when one is stored, and the evaluation of a stored one for a
 * request. See policy.h.
 *
 * The document is parsed (protocol/core/json) each time; policies are at
 * most 20 KiB. A statement matches a request when its principal, action and
 * resource (or their Not* forms) all match and its Condition, if any, holds
 * for the request's context keys (condition.c); policy variables (${...})
 * in resources and condition values take the context's values. */
#include "protocol/iam/policy.h"
#include "protocol/iam/condition.h"
#include "protocol/core/glob.h"
#include "protocol/core/json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include "protocol/core/json.h"

#define POLICY_MAX_BYTES (20 * 1024)

/* Calls fn for each string of a string-or-array value; false when a member
 * is not a string or the value is neither. Stops early when fn returns true
 * and reports it through *hit. */
static bool each_string(const struct json_value *v, bool (*fn)(const char *s, const void *ctx), const void *ctx, bool *hit)
{
    *hit = false;
    if (json_is(v, JSON_STRING)) {
        *hit = fn(v->u.str, ctx);
        return true;
    }
    if (!json_is(v, JSON_ARRAY) || v->len == 0)
        return false;
    for (size_t i = 0; i < v->len; i++) {
        if (!json_is(&v->u.items[i], JSON_STRING))
            return false;
        if (!*hit && fn(v->u.items[i].u.str, ctx))
            *hit = true;
    }
    return true;
}

/* ---- validation --------------------------------------------------------- */

static bool action_invalid(const char *a, const void *ctx)
{
    const struct iam_policy_rules *rules = ctx;
    return !(strcmp(a, "*") == 0 ||
             strncasecmp(a, rules->action_prefix, strlen(rules->action_prefix)) == 0);
}

static bool resource_invalid(const char *r, const void *ctx)
{
    const struct iam_policy_rules *rules = ctx;
    return strcmp(r, "*") != 0 && !rules->resource_ok(r, rules->arg);
}

static bool principal_string_invalid(const char *p, const void *ctx)
{
    (void)ctx;
    return !*p;
}

static bool principal_valid(const struct json_value *p)
{
    if (json_is(p, JSON_STRING))
        return strcmp(p->u.str, "*") == 0;
    if (!json_is(p, JSON_OBJECT) || p->len == 0)
        return false;
    for (size_t i = 0; i < p->len; i++) {
        bool hit;
        if (!each_string(&p->u.members[i].value, principal_string_invalid, NULL, &hit) || hit)
            return false;
    }
    return true;
}

/* The value of `name` or of its Not* form; *negated tells which. NULL when
 * both or neither are present. */
static const struct json_value *field(const struct json_value *stmt, const char *name, const char *not_name, bool *negated)
{
    const struct json_value *v = json_get(stmt, name), *n = json_get(stmt, not_name);
    *negated = n != NULL;
    return (v != NULL) == (n != NULL) ? NULL : v ? v : n;
}

static const char *check_statement(const struct json_value *stmt, const struct iam_policy_rules *rules)
{
    if (!json_is(stmt, JSON_OBJECT))
        return "Policies must be valid JSON and the first byte must be '{'";
    const char *effect = json_string(json_get(stmt, "Effect"));
    if (!effect)
        return "Missing required field Effect";
    if (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0)
        return "Invalid effect";
    bool neg, hit;
    const struct json_value *principal = field(stmt, "Principal", "NotPrincipal", &neg);
    if (!principal)
        return "Missing required field Principal";
    if (!principal_valid(principal))
        return "Invalid principal in policy";
    const struct json_value *action = field(stmt, "Action", "NotAction", &neg);
    if (!action)
        return "Missing required field Action";
    if (!each_string(action, action_invalid, rules, &hit) || hit)
        return "Policy has invalid action";
    const struct json_value *resource = field(stmt, "Resource", "NotResource", &neg);
    if (!resource)
        return "Missing required field Resource";
    if (!each_string(resource, resource_invalid, rules, &hit) || hit)
        return "Policy has invalid resource";
    /* The message outlives the call (iam_policy_check returns it). */
    static _Thread_local char condition_message[160];
    const struct json_value *condition = json_get(stmt, "Condition");
    return condition ? iam_condition_check(condition, condition_message, sizeof(condition_message)) : NULL;
}

static const struct json_value *parse_policy(const char *json, size_t len)
{
    if (len == 0 || len > POLICY_MAX_BYTES || memchr(json, '\0', len))
        return NULL;
    const struct json_value *root = json_parse(json, len, NULL);
    if (root && !json_is(root, JSON_OBJECT)) {
        json_free(root);
        return NULL;
    }
    return root;
}

const char *iam_policy_check(const char *json, size_t len, const struct iam_policy_rules *rules)
{
    size_t skip = 0;
    while (skip < len && isspace((unsigned char)json[skip]))
        skip++;
    const struct json_value *root = skip < len && json[skip] == '{' ? parse_policy(json, len) : NULL;
    if (!root)
        return "Policies must be valid JSON and the first byte must be '{'";
    const struct json_value *statements = json_get(root, "Statement");
    const char *problem = NULL;
    if (!statements) {
        problem = "Missing required field Statement";
    } else if (json_is(statements, JSON_ARRAY)) {
        if (statements->len == 0)
            problem = "Could not parse the policy: Statement is empty!";
        for (size_t i = 0; !problem && i < statements->len; i++)
            problem = check_statement(&statements->u.items[i], rules);
    } else {
        problem = check_statement(statements, rules);
    }
    const struct json_value *version = json_get(root, "Version");
    if (!problem && version && !(json_is(version, JSON_STRING) &&
                                 (strcmp(version->u.str, "2012-10-17") == 0 ||
                                  strcmp(version->u.str, "2008-10-17") == 0)))
        problem = "Invalid Version";
    json_free(root);
    return problem;
}

bool iam_policy_glob_match(const char *pattern, const char *s) { return glob_match(pattern, s, true, false); }

/* ---- evaluation --------------------------------------------------------- */

static bool action_matches(const char *pattern, const void *action)
{
    return glob_match(pattern, action, true, true);
}

/* The request's resource, and the context its policy variables take. */
struct resource_request {
    const char *resource;
    const struct iam_context *ctx;
};

static bool resource_matches(const char *pattern, const void *arg)
{
    const struct resource_request *rr = arg;
    const char *expanded = iam_expand_variables(pattern, rr->ctx);
    bool hit = expanded && glob_match(expanded, rr->resource, true, false);
    if (expanded != pattern)
        free((char *)expanded);
    return hit;
}

/* Who is asking: an account, a service (s3.amazonaws.com), or neither
 * (anonymous). */
struct who {
    const char *account;
    const char *service;
};

static const struct who anonymous;

/* An "AWS" principal entry against an account (NULL: none). */
static bool principal_id_matches(const char *p, const void *ctx)
{
    const char *account = ctx;
    if (strcmp(p, "*") == 0)
        return true;
    if (!account)
        return false;
    if (strcmp(p, account) == 0)
        return true;
    size_t n = strlen(account);
    return strncmp(p, "arn:aws:iam::", 13) == 0 && strncmp(p + 13, account, n) == 0 && p[13 + n] == ':';
}

static bool service_matches(const char *p, const void *ctx) { return strcmp(p, (const char *)ctx) == 0; }

/* "*", {"AWS": ids or "*"} and, for a service, {"Service": names}. */
static bool principal_matches(const struct json_value *p, const struct who *who)
{
    if (json_is(p, JSON_STRING))
        return strcmp(p->u.str, "*") == 0;
    bool hit = false;
    const struct json_value *aws = json_get(p, "AWS"), *service = json_get(p, "Service");
    if (aws && each_string(aws, principal_id_matches, who->account, &hit) && hit)
        return true;
    return who->service && service && each_string(service, service_matches, who->service, &hit) && hit;
}

static bool statement_matches(const struct json_value *stmt, const struct who *who, const char *action, const char *resource,
                              const struct iam_context *ctx)
{
    const struct json_value *condition = json_get(stmt, "Condition");
    if (!json_is(stmt, JSON_OBJECT) || (condition && !iam_condition_holds(condition, ctx)))
        return false;
    bool neg, hit;
    const struct json_value *principal = field(stmt, "Principal", "NotPrincipal", &neg);
    if (!principal || principal_matches(principal, who) == neg)
        return false;
    const struct json_value *a = field(stmt, "Action", "NotAction", &neg);
    if (!a || !each_string(a, action_matches, action, &hit) || hit == neg)
        return false;
    const struct json_value *r = field(stmt, "Resource", "NotResource", &neg);
    const struct resource_request rr = {resource, ctx};
    return r && each_string(r, resource_matches, &rr, &hit) && hit != neg;
}

static enum iam_decision statement_decision(const struct json_value *stmt, const struct who *who, const char *action,
                                           const char *resource, const struct iam_context *ctx)
{
    if (!statement_matches(stmt, who, action, resource, ctx))
        return IAM_NO_MATCH;
    const char *effect = json_string(json_get(stmt, "Effect"));
    return effect && strcmp(effect, "Deny") == 0 ? IAM_DENY : IAM_ALLOW;
}

static enum iam_decision evaluate(const char *json, const struct who *who, const char *action,
                                  const char *resource, const struct iam_context *ctx)
{
    const struct json_value *root = json ? parse_policy(json, strlen(json)) : NULL;
    if (!root)
        return IAM_NO_MATCH;
    const struct json_value *statements = json_get(root, "Statement");
    enum iam_decision result = IAM_NO_MATCH;
    size_t n = json_is(statements, JSON_ARRAY) ? statements->len : 1;
    for (size_t i = 0; i < n && result != IAM_DENY; i++) {
        const struct json_value *stmt = json_is(statements, JSON_ARRAY) ? &statements->u.items[i] : statements;
        enum iam_decision d = statement_decision(stmt, who, action, resource, ctx);
        if (d != IAM_NO_MATCH)
            result = d;
    }
    json_free(root);
    return result;
}

enum iam_decision iam_policy_evaluate(const char *json, const char *account, const char *action,
                                      const char *resource, const struct iam_context *ctx)
{
    const struct who who = {account, NULL};
    return evaluate(json, &who, action, resource, ctx);
}

enum iam_decision iam_policy_evaluate_service(const char *json, const char *service, const char *action,
                                              const char *resource, const struct iam_context *ctx)
{
    const struct who who = {NULL, service};
    return evaluate(json, &who, action, resource, ctx);
}

bool iam_policy_is_public(const char *json)
{
    const struct json_value *root = json ? parse_policy(json, strlen(json)) : NULL;
    if (!root)
        return false;
    const struct json_value *statements = json_get(root, "Statement");
    bool is_public = false;
    size_t n = json_is(statements, JSON_ARRAY) ? statements->len : 1;
    for (size_t i = 0; i < n && !is_public; i++) {
        const struct json_value *stmt = json_is(statements, JSON_ARRAY) ? &statements->u.items[i] : statements;
        const char *effect = json_string(json_get(stmt, "Effect"));
        const struct json_value *principal = json_get(stmt, "Principal");
        const struct json_value *condition = json_get(stmt, "Condition");
        is_public = effect && strcmp(effect, "Allow") == 0 && principal && principal_matches(principal, &anonymous) &&
                    !(condition && iam_condition_restricts_sources(condition));
    }
    json_free(root);
    return is_public;
}
