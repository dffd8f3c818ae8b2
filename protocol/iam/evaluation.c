/* protocol/iam evaluation: AWS's evaluation logic over the policies that
 * apply to a principal; see evaluation.h for the order of the steps. Each
 * document is decided by policy.c; this file combines the decisions and
 * remembers which policy and statement made the outcome. */
#include "protocol/iam/evaluation.h"

#include <stdio.h>
#include <string.h>

const char *iam_principal_type_name(enum iam_principal_type type)
{
    switch (type) {
    case IAM_PRINCIPAL_ROOT: return "Root";
    case IAM_PRINCIPAL_USER: return "User";
    case IAM_PRINCIPAL_ASSUMED_ROLE: return "AssumedRole";
    case IAM_PRINCIPAL_ANONYMOUS: break;
    }
    return "Anonymous";
}

const char *iam_principal_type_key(enum iam_principal_type type)
{
    return type == IAM_PRINCIPAL_ROOT ? "Account" : iam_principal_type_name(type);
}

/* Copies s into out[size], cut to fit, terminated. */
static void copy_cut(char *out, size_t size, const char *s)
{
    size_t n = strnlen(s, size - 1);
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Every request names its principal, most often a root: fields are set
 * one by one (the struct is ~2 KB, mostly unused here) and without
 * printf, which the request path would pay twice per request. */
void iam_principal_root(struct iam_principal *p, const char *account, const char *access_key)
{
    p->type = IAM_PRINCIPAL_ROOT;
    p->temporary = false;
    copy_cut(p->account, sizeof(p->account), account);
    size_t n = strlen(p->account);
    memcpy(p->arn, "arn:aws:iam::", 13);
    memcpy(p->arn + 13, p->account, n);
    memcpy(p->arn + 13 + n, ":root", 6);
    memcpy(p->user_id, p->account, n + 1);
    p->name[0] = p->role_arn[0] = p->session_name[0] = '\0';
    copy_cut(p->access_key, sizeof(p->access_key), access_key ? access_key : "");
}

/* What one set of policies says: a Deny (with where), any Allow (with the
 * first one), or nothing. */
struct layer_outcome {
    bool deny, allow;
    const char *policy;
    struct iam_match match;
};

static void decide_list(const struct iam_policy_list *list, const struct iam_authz_request *rq,
                        struct layer_outcome *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; list && i < list->n && !out->deny; i++) {
        struct iam_match m;
        const struct iam_policy_ref *ref = &list->items[i];
        enum iam_decision d = ref->parsed
                                  ? iam_parsed_evaluate_identity(ref->parsed, rq->action, rq->resource, rq->ctx, &m)
                                  : iam_policy_evaluate_identity(ref->document, rq->action, rq->resource, rq->ctx, &m);
        if (d == IAM_NO_MATCH || (d == IAM_ALLOW && out->allow))
            continue;
        out->deny = d == IAM_DENY;
        out->allow = true;
        out->policy = list->items[i].name;
        out->match = m;
    }
}

static void set_result(struct iam_authz_result *out, enum iam_verdict verdict, enum iam_policy_layer layer,
                       const struct layer_outcome *why)
{
    out->verdict = verdict;
    out->layer = layer;
    out->policy = why ? why->policy : NULL;
    out->statement = why ? why->match.statement : -1;
    snprintf(out->sid, sizeof(out->sid), "%s", why ? why->match.sid : "");
}

/* The resource policy for the principal: `exact` leaves out matches by
 * account; `with_role` lets a session's role ARN match. */
static enum iam_decision resource_decision(const struct iam_authz_request *rq, bool exact, bool with_role,
                                           struct layer_outcome *why)
{
    const struct iam_principal *p = rq->principal;
    bool anonymous = p->type == IAM_PRINCIPAL_ANONYMOUS;
    const struct iam_caller caller = {
        .account = anonymous ? NULL : p->account,
        .arn = anonymous || !p->arn[0] ? NULL : p->arn,
        .role_arn = with_role && p->role_arn[0] ? p->role_arn : NULL,
        .exact = exact,
    };
    enum iam_decision d = iam_policy_evaluate_caller(rq->resource_policy, &caller, rq->action,
                                                     rq->policy_is_trust ? NULL : rq->resource, rq->ctx, &why->match);
    why->policy = "resource-based policy";
    why->deny = d == IAM_DENY;
    why->allow = d != IAM_NO_MATCH;
    return d;
}

void iam_authorize(const struct iam_authz_request *rq, const struct iam_principal_policies *pp,
                   struct iam_authz_result *out)
{
    const struct iam_principal *p = rq->principal;
    const char *owner = rq->resource_account ? rq->resource_account : p->account;
    bool cross_account = strcmp(owner, p->account) != 0;
    static const struct iam_principal_policies none;
    if (!pp)
        pp = &none;
    memset(out, 0, sizeof(*out));

    /* 1. Explicit denies, wherever they are. */
    struct layer_outcome identity, boundary, session, resource = {0};
    decide_list(&pp->identity, rq, &identity);
    const struct iam_policy_list boundary_list = {pp->boundary, pp->boundary ? 1 : 0};
    decide_list(&boundary_list, rq, &boundary);
    decide_list(pp->session, rq, &session);
    if (rq->resource_policy)
        resource_decision(rq, false, true, &resource);
    out->has_boundary = pp->boundary != NULL;
    out->boundary_allows = boundary.allow && !boundary.deny;
    if (identity.deny || resource.deny || boundary.deny || session.deny) {
        const struct layer_outcome *why = identity.deny ? &identity : resource.deny ? &resource
                                        : boundary.deny ? &boundary : &session;
        enum iam_policy_layer layer = identity.deny ? IAM_LAYER_IDENTITY : resource.deny ? IAM_LAYER_RESOURCE
                                    : boundary.deny ? IAM_LAYER_BOUNDARY : IAM_LAYER_SESSION;
        set_result(out, IAM_EXPLICIT_DENY, layer, why);
        return;
    }

    /* 2. The root user in its own account. */
    if (p->type == IAM_PRINCIPAL_ROOT && !cross_account) {
        set_result(out, IAM_ALLOWED, IAM_LAYER_ROOT, NULL);
        return;
    }

    /* 3. A same-account resource policy naming the principal itself. */
    struct layer_outcome direct = {0}, by_role = {0};
    bool resource_allows_role = false;
    if (rq->resource_policy && !cross_account && p->type != IAM_PRINCIPAL_ANONYMOUS) {
        if (resource_decision(rq, true, false, &direct) == IAM_ALLOW) {
            set_result(out, IAM_ALLOWED, IAM_LAYER_RESOURCE, &direct);
            return;
        }
        resource_allows_role = p->role_arn[0] && resource_decision(rq, true, true, &by_role) == IAM_ALLOW;
    }
    if (p->type == IAM_PRINCIPAL_ANONYMOUS) {
        /* Only a resource policy can let an anonymous caller in. */
        if (resource.allow)
            set_result(out, IAM_ALLOWED, IAM_LAYER_RESOURCE, &resource);
        else
            set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_RESOURCE, NULL);
        return;
    }

    /* 4. Identity policies; across accounts the resource policy too. */
    bool identity_allows = identity.allow || p->type == IAM_PRINCIPAL_ROOT;
    if (cross_account) {
        if (!identity_allows) {
            set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_IDENTITY, NULL);
            return;
        }
        if (!resource.allow) {
            set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_RESOURCE, NULL);
            return;
        }
    } else if (!identity_allows && !resource_allows_role) {
        set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_IDENTITY, NULL);
        return;
    }

    /* 5. Boundary and session policies limit what was allowed. */
    if (pp->boundary && !boundary.allow) {
        set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_BOUNDARY, NULL);
        return;
    }
    if (pp->session && !session.allow) {
        set_result(out, IAM_IMPLICIT_DENY, IAM_LAYER_SESSION, NULL);
        return;
    }
    if (identity.allow)
        set_result(out, IAM_ALLOWED, IAM_LAYER_IDENTITY, &identity);
    else
        set_result(out, IAM_ALLOWED, IAM_LAYER_RESOURCE, cross_account ? &resource : &by_role);
}

static const char *layer_words(enum iam_policy_layer layer)
{
    switch (layer) {
    case IAM_LAYER_IDENTITY: return "identity-based policy";
    case IAM_LAYER_RESOURCE: return "resource-based policy";
    case IAM_LAYER_BOUNDARY: return "permissions boundary";
    case IAM_LAYER_SESSION: return "session policy";
    case IAM_LAYER_ROOT: break;
    }
    return "root user";
}

void iam_access_denied_message(const struct iam_authz_request *rq, const struct iam_authz_result *r, char *out,
                               size_t cap)
{
    const struct iam_principal *p = rq->principal;
    const char *who = p->type == IAM_PRINCIPAL_ANONYMOUS ? "anonymous" : p->arn;
    const char *article = r->layer == IAM_LAYER_IDENTITY ? "an" : "a";
    bool named = strcmp(rq->resource, "*") != 0;
    if (r->verdict == IAM_EXPLICIT_DENY)
        snprintf(out, cap, "User: %s is not authorized to perform: %s%s%s with an explicit deny in %s %s", who,
                 rq->action, named ? " on resource: " : "", named ? rq->resource : "", article, layer_words(r->layer));
    else
        snprintf(out, cap, "User: %s is not authorized to perform: %s%s%s because no %s allows the %s action", who,
                 rq->action, named ? " on resource: " : "", named ? rq->resource : "", layer_words(r->layer),
                 rq->action);
}

void iam_authz_explain(const struct iam_authz_result *r, char *out, size_t cap)
{
    char statement[200] = "";
    if (r->statement >= 0)
        snprintf(statement, sizeof(statement), ", statement %d%s%s%s", r->statement + 1, r->sid[0] ? " (Sid \"" : "",
                 r->sid, r->sid[0] ? "\")" : "");
    switch (r->verdict) {
    case IAM_ALLOWED:
        snprintf(out, cap, "allowed by %s%s%s%s", layer_words(r->layer), r->policy ? " " : "", r->policy ? r->policy : "",
                 statement);
        break;
    case IAM_EXPLICIT_DENY:
        snprintf(out, cap, "explicit deny in %s%s%s%s", layer_words(r->layer), r->policy ? " " : "",
                 r->policy ? r->policy : "", statement);
        break;
    case IAM_IMPLICIT_DENY:
        snprintf(out, cap, "implicit deny: no %s allows it", layer_words(r->layer));
        break;
    }
}
