/* protocol/iam policy: IAM policy documents as resource policies — the
 * checks made when one is stored, and the evaluation of a stored one for a
 * request. See policy.h.
 *
 * The document is parsed (protocol/core/json) each time, or once by
 * iam_policy_parse() for policies kept between requests; policies are at
 * most 20 KiB (IAM's own documents 128 KiB). A statement matches a request when its principal, action and
 * resource (or their Not* forms) all match and its Condition, if any, holds
 * for the request's context keys (condition.c); policy variables (${...})
 * in resources and condition values take the context's values. */
#include "protocol/iam/policy.h"
#include "protocol/iam/condition.h"
#include "protocol/iam/model.h"
#include "protocol/core/glob.h"
#include "protocol/core/json.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static const struct json_value *parse_policy(const char *json, size_t len, size_t max)
{
    if (len == 0 || len > max || memchr(json, '\0', len))
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
    const struct json_value *root = skip < len && json[skip] == '{' ? parse_policy(json, len, POLICY_MAX_BYTES) : NULL;
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

/* ---- IAM's own documents ---------------------------------------------------
 * Identity policies (inline, managed, boundaries, session policies) and role
 * trust policies, checked as IAM checks them: first the syntax — known
 * elements of the right JSON types — then, in IAM's order, the legacy
 * parsing (Effect's exact case), Sid uniqueness, actions present, the
 * resources' format and the actions' vendor prefixes, then what each type
 * requires or forbids. Messages are IAM's MalformedPolicyDocument texts. */

#define SYNTAX_ERROR "Syntax errors in policy."

static bool member_is_one_of(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(key, *names) == 0)
            return true;
    return false;
}

/* A string, or an array of strings (empty allowed here; emptiness is
 * judged later with its own message). */
static bool strings_or_string(const struct json_value *v)
{
    if (json_is(v, JSON_STRING))
        return true;
    if (!json_is(v, JSON_ARRAY))
        return false;
    for (size_t i = 0; i < v->len; i++)
        if (!json_is(&v->u.items[i], JSON_STRING))
            return false;
    return true;
}

static bool statement_syntax_ok(const struct json_value *stmt)
{
    static const char *const elements[] = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction",
                                           "Resource", "NotResource", "Condition", NULL};
    if (!json_is(stmt, JSON_OBJECT))
        return false;
    for (size_t i = 0; i < stmt->len; i++)
        if (!member_is_one_of(stmt->u.members[i].key, elements))
            return false;
    const char *effect = json_str(stmt, "Effect");
    if (!effect || (strcasecmp(effect, "Allow") != 0 && strcasecmp(effect, "Deny") != 0))
        return false;
    static const char *const pairs[][2] = {{"Action", "NotAction"}, {"Resource", "NotResource"}, {"Principal", "NotPrincipal"}};
    for (size_t i = 0; i < 3; i++) {
        const struct json_value *a = json_get(stmt, pairs[i][0]), *b = json_get(stmt, pairs[i][1]);
        if (a && b)
            return false;
        if (i < 2 && ((a && !strings_or_string(a)) || (b && !strings_or_string(b))))
            return false;
    }
    const struct json_value *sid = json_get(stmt, "Sid");
    if (sid && !json_is(sid, JSON_STRING))
        return false;
    const struct json_value *principal = field(stmt, "Principal", "NotPrincipal", &(bool){false});
    if (principal && !principal_valid(principal))
        return false;
    char buf[160];
    const struct json_value *condition = json_get(stmt, "Condition");
    return !condition || iam_condition_check(condition, buf, sizeof(buf)) == NULL;
}

/* An action: "*", or "vendor:pattern" with one colon and a vendor of
 * letters, digits, '-' and '.'; NULL when acceptable. */
static const char *action_problem(const char *a, char *buf, size_t cap)
{
    if (strcmp(a, "*") == 0)
        return NULL;
    const char *colon = strchr(a, ':');
    if (!colon)
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    if (strchr(colon + 1, ':'))
        return "Actions/Condition can contain only one colon.";
    for (const char *p = a; p < colon; p++) {
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.') {
            snprintf(buf, cap, "Vendor %.*s is not valid", (int)(colon - a), a);
            return buf;
        }
    }
    return NULL;
}

/* A resource: "*" or an ARN ("arn:partition:service:..."). */
static const char *resource_problem(const char *r, char *buf, size_t cap)
{
    if (strcmp(r, "*") == 0 || (strncmp(r, "arn:", 4) == 0 && strchr(r + 4, ':')))
        return NULL;
    snprintf(buf, cap, "Resource %.300s must be in ARN format or \"*\".", r);
    return buf;
}

/* The first problem of the strings of `v` (a string or an array). */
static const char *strings_problem(const struct json_value *v, const char *(*problem)(const char *, char *, size_t),
                                   char *buf, size_t cap)
{
    size_t n = json_is(v, JSON_ARRAY) ? v->len : 1;
    for (size_t i = 0; i < n; i++) {
        const char *s = json_string(json_is(v, JSON_ARRAY) ? &v->u.items[i] : v);
        const char *bad = s ? problem(s, buf, cap) : NULL;
        if (bad)
            return bad;
    }
    return NULL;
}

static bool empty_or_absent(const struct json_value *v) { return !v || (json_is(v, JSON_ARRAY) && v->len == 0); }

/* Trust policies grant only STS's role actions (and the tagging and
 * identity-setting that go with them). */
static const char *trust_action_problem(const char *a, char *buf, size_t cap)
{
    static const char *const allowed[] = {"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
                                          "sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext", NULL};
    (void)buf;
    (void)cap;
    for (const char *const *p = allowed; *p; p++)
        if (glob_match(a, *p, true, true))
            return NULL;
    return "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
           "sts:AssumeRoleWithWebIdentity";
}

/* The statements of a policy as an array view. */
static const struct json_value *statement_at(const struct json_value *statements, size_t i)
{
    return json_is(statements, JSON_ARRAY) ? &statements->u.items[i] : statements;
}

const char *iam_document_check(const char *json, size_t len, enum iam_document_type type)
{
    static _Thread_local char message[400];
    static const char *const top_elements[] = {"Version", "Id", "Statement", NULL};
    const struct json_value *root = parse_policy(json, len, IAM_DOCUMENT_MAX_BYTES);
    const char *problem = root ? NULL : SYNTAX_ERROR;
    for (size_t i = 0; !problem && i < root->len; i++)
        if (!member_is_one_of(root->u.members[i].key, top_elements))
            problem = SYNTAX_ERROR;
    const struct json_value *version = root ? json_get(root, "Version") : NULL, *id = root ? json_get(root, "Id") : NULL;
    if (!problem && ((version && !(json_is(version, JSON_STRING) && (strcmp(version->u.str, "2012-10-17") == 0 ||
                                                                      strcmp(version->u.str, "2008-10-17") == 0))) ||
                     (id && !json_is(id, JSON_STRING))))
        problem = SYNTAX_ERROR;
    const struct json_value *statements = root ? json_get(root, "Statement") : NULL;
    if (!problem && !(json_is(statements, JSON_OBJECT) || (json_is(statements, JSON_ARRAY) && statements->len > 0)))
        problem = SYNTAX_ERROR;
    size_t n = problem ? 0 : json_is(statements, JSON_ARRAY) ? statements->len : 1;
    for (size_t i = 0; i < n && !problem; i++)
        if (!statement_syntax_ok(statement_at(statements, i)))
            problem = SYNTAX_ERROR;
    for (size_t i = 0; i < n && !problem; i++) {
        const char *effect = json_str(statement_at(statements, i), "Effect");
        if (strcmp(effect, "Allow") != 0 && strcmp(effect, "Deny") != 0)
            problem = "The policy failed legacy parsing";
    }
    for (size_t i = 0; i < n && !problem; i++) {
        const char *sid = json_str(statement_at(statements, i), "Sid");
        for (size_t j = 0; sid && *sid && j < i && !problem; j++) {
            const char *other = json_str(statement_at(statements, j), "Sid");
            if (other && strcmp(other, sid) == 0)
                problem = "Statement IDs (SID) in a single policy must be unique.";
        }
    }
    for (size_t i = 0; i < n && !problem; i++) {
        bool neg;
        if (empty_or_absent(field(statement_at(statements, i), "Action", "NotAction", &neg)))
            problem = "Policy statement must contain actions.";
    }
    for (size_t i = 0; i < n && !problem; i++) {
        bool neg;
        const struct json_value *r = field(statement_at(statements, i), "Resource", "NotResource", &neg);
        if (r)
            problem = strings_problem(r, resource_problem, message, sizeof(message));
    }
    for (size_t i = 0; i < n && !problem; i++) {
        bool neg;
        problem = strings_problem(field(statement_at(statements, i), "Action", "NotAction", &neg), action_problem, message,
                                  sizeof(message));
    }
    for (size_t i = 0; i < n && !problem; i++) {
        const struct json_value *stmt = statement_at(statements, i);
        bool neg;
        const struct json_value *principal = field(stmt, "Principal", "NotPrincipal", &neg);
        const struct json_value *resource = field(stmt, "Resource", "NotResource", &neg);
        if (type == IAM_DOCUMENT_IDENTITY) {
            if (principal)
                problem = "Policy document should not specify a principal.";
            else if (empty_or_absent(resource))
                problem = "Policy statement must contain resources.";
        } else {
            const struct json_value *action = json_get(stmt, "Action");
            if (!principal)
                problem = "Missing required field Principal";
            else if (!action)   /* NotAction would grant more than the role actions */
                problem = trust_action_problem("", message, sizeof(message));
            else if (!(problem = strings_problem(action, trust_action_problem, message, sizeof(message))) && resource)
                problem = "Has prohibited field Resource.";
        }
    }
    json_free(root);
    return problem;
}

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

/* Who is asking, as a statement's Principal is matched against it; with
 * `identity` the statements are an identity policy's, which name no
 * principal. */
struct who {
    const struct iam_caller *caller;
    bool identity;
};

static const struct iam_caller anonymous_caller;
static const struct who anonymous = {&anonymous_caller, false};

/* "arn:aws:iam::<account>:root" */
static bool is_root_arn_of(const char *p, const char *account)
{
    size_t n = strlen(account);
    return strncmp(p, "arn:aws:iam::", 13) == 0 && strncmp(p + 13, account, n) == 0 && strcmp(p + 13 + n, ":root") == 0;
}

/* An "AWS" principal entry against the caller. */
static bool principal_id_matches(const char *p, const void *ctx)
{
    const struct iam_caller *c = ctx;
    if (strcmp(p, "*") == 0)
        return true;
    if (!c->account)
        return false;
    if (!c->exact && (strcmp(p, c->account) == 0 || is_root_arn_of(p, c->account)))
        return true;
    if (!c->arn) {
        /* The account itself (its root keys): any IAM ARN of it stands for it. */
        size_t n = strlen(c->account);
        return !c->exact && strncmp(p, "arn:aws:iam::", 13) == 0 && strncmp(p + 13, c->account, n) == 0 &&
               p[13 + n] == ':';
    }
    return strcmp(p, c->arn) == 0 || (c->role_arn && strcmp(p, c->role_arn) == 0);
}

static bool service_matches(const char *p, const void *ctx) { return strcmp(p, (const char *)ctx) == 0; }

/* {"Federated": provider}: the provider's name, or an IAM OIDC provider ARN
 * naming it; a caller whose provider is unknown ("*") matches any. */
static bool federated_matches(const char *p, const void *ctx)
{
    const char *provider = ctx;
    const char *slash = strstr(p, ":oidc-provider/");
    return strcmp(provider, "*") == 0 || strcmp(p, provider) == 0 || (slash && strcmp(slash + 15, provider) == 0);
}

/* "*", {"AWS": ids or "*"}, {"Service": names}, {"Federated": providers}. */
static bool principal_matches(const struct json_value *p, const struct who *who)
{
    const struct iam_caller *c = who->caller;
    if (json_is(p, JSON_STRING))
        return strcmp(p->u.str, "*") == 0;
    bool hit = false;
    const struct json_value *aws = json_get(p, "AWS"), *service = json_get(p, "Service"),
                            *federated = json_get(p, "Federated");
    if (aws && each_string(aws, principal_id_matches, c, &hit) && hit)
        return true;
    if (c->service && service && each_string(service, service_matches, c->service, &hit) && hit)
        return true;
    return c->federated && federated && each_string(federated, federated_matches, c->federated, &hit) && hit;
}

static bool statement_matches(const struct json_value *stmt, const struct who *who, const char *action, const char *resource,
                              const struct iam_context *ctx)
{
    const struct json_value *condition = json_get(stmt, "Condition");
    if (!json_is(stmt, JSON_OBJECT) || (condition && !iam_condition_holds(condition, ctx)))
        return false;
    bool neg, hit;
    if (!who->identity) {
        const struct json_value *principal = field(stmt, "Principal", "NotPrincipal", &neg);
        if (!principal || principal_matches(principal, who) == neg)
            return false;
    }
    const struct json_value *a = field(stmt, "Action", "NotAction", &neg);
    if (!a || !each_string(a, action_matches, action, &hit) || hit == neg)
        return false;
    if (!resource)
        return true;       /* a trust policy: the role is the resource, named by none */
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

/* The decision of a whole parsed policy: any matching Deny, else any
 * matching Allow; *match (when not NULL) names the statement that decided
 * — the Deny, or the first Allow. */
static enum iam_decision evaluate_root(const struct json_value *root, const struct who *who, const char *action,
                                       const char *resource, const struct iam_context *ctx, struct iam_match *match)
{
    if (match)
        *match = (struct iam_match){IAM_NO_MATCH, -1, ""};
    if (!root)
        return IAM_NO_MATCH;
    const struct json_value *statements = json_get(root, "Statement");
    enum iam_decision result = IAM_NO_MATCH;
    size_t n = json_is(statements, JSON_ARRAY) ? statements->len : 1;
    for (size_t i = 0; i < n && result != IAM_DENY; i++) {
        const struct json_value *stmt = json_is(statements, JSON_ARRAY) ? &statements->u.items[i] : statements;
        enum iam_decision d = statement_decision(stmt, who, action, resource, ctx);
        if (d == IAM_NO_MATCH || (d == IAM_ALLOW && result == IAM_ALLOW))
            continue;
        result = d;
        if (match) {
            const char *sid = json_str(stmt, "Sid");
            match->decision = d;
            match->statement = (int)i;
            snprintf(match->sid, sizeof(match->sid), "%s", sid ? sid : "");
        }
    }
    return result;
}

static enum iam_decision evaluate(const char *json, const struct who *who, const char *action,
                                  const char *resource, const struct iam_context *ctx, struct iam_match *match)
{
    const struct json_value *root = json ? parse_policy(json, strlen(json), IAM_DOCUMENT_MAX_BYTES) : NULL;
    enum iam_decision d = evaluate_root(root, who, action, resource, ctx, match);
    json_free(root);
    return d;
}

struct iam_parsed_policy {
    const struct json_value *root;
};

const struct iam_parsed_policy *iam_policy_parse(const char *json)
{
    const struct json_value *root = json ? parse_policy(json, strlen(json), IAM_DOCUMENT_MAX_BYTES) : NULL;
    struct iam_parsed_policy *p = root ? malloc(sizeof(*p)) : NULL;
    if (!p) {
        json_free(root);
        return NULL;
    }
    p->root = root;
    return p;
}

void iam_parsed_policy_free(const struct iam_parsed_policy *p)
{
    if (!p)
        return;
    json_free(p->root);
    free((void *)p);
}

enum iam_decision iam_policy_evaluate(const char *json, const char *account, const char *action,
                                      const char *resource, const struct iam_context *ctx)
{
    const struct iam_caller caller = {.account = account};
    const struct who who = {&caller, false};
    return evaluate(json, &who, action, resource, ctx, NULL);
}

enum iam_decision iam_policy_evaluate_service(const char *json, const char *service, const char *action,
                                              const char *resource, const struct iam_context *ctx)
{
    const struct iam_caller caller = {.service = service};
    const struct who who = {&caller, false};
    return evaluate(json, &who, action, resource, ctx, NULL);
}

enum iam_decision iam_policy_evaluate_caller(const char *json, const struct iam_caller *caller, const char *action,
                                             const char *resource, const struct iam_context *ctx,
                                             struct iam_match *match)
{
    const struct who who = {caller, false};
    return evaluate(json, &who, action, resource, ctx, match);
}

enum iam_decision iam_policy_evaluate_identity(const char *json, const char *action, const char *resource,
                                               const struct iam_context *ctx, struct iam_match *match)
{
    const struct who who = {&anonymous_caller, true};
    return evaluate(json, &who, action, resource, ctx, match);
}

enum iam_decision iam_parsed_evaluate_identity(const struct iam_parsed_policy *p, const char *action,
                                               const char *resource, const struct iam_context *ctx,
                                               struct iam_match *match)
{
    const struct who who = {&anonymous_caller, true};
    return evaluate_root(p ? p->root : NULL, &who, action, resource, ctx, match);
}

bool iam_policy_is_public(const char *json)
{
    const struct json_value *root = json ? parse_policy(json, strlen(json), POLICY_MAX_BYTES) : NULL;
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
