/* simulation: SimulatePrincipalPolicy and SimulateCustomPolicy — the
 * decision AWS's evaluation logic (protocol/iam/evaluation.h) makes for
 * each action on each resource (ResourceArns, "*" when none), from the
 * policies of a user, group or role (PolicySourceArn) or the given ones
 * (PolicyInputList), with PermissionsBoundaryPolicyInputList, a resource
 * policy and its owner, the caller (CallerArn) and ContextEntries. Each
 * result names the statement that decided it. Results are paged. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/xml.h"

#define MAX_CONTEXT_KEYS 64

/* Everything a simulation weighs. */
struct simulation {
    struct iam_loaded_policies policies;
    struct iam_principal principal;
    const char *resource_policy;
    char resource_account[16];
    const char *source_type;       /* SourcePolicyType of the principal's inline policies */
    struct iam_key keys[MAX_CONTEXT_KEYS];
    size_t n_keys;
    struct iam_policy_ref *boundaries;
};

/* Documents of a parameter list, each checked as an identity policy
 * (resource policies: as given); false after answering. */
static bool input_documents(struct iam_call *c, const char *list, size_t *n)
{
    *n = iam_param_count(&c->params, list, NULL);
    for (size_t i = 0; i < *n; i++) {
        const char *doc = iam_param_member(&c->params, list, i + 1, NULL);
        const char *bad = iam_document_check(doc, strlen(doc), IAM_DOCUMENT_IDENTITY);
        if (bad) {
            iam_send_error(c, 400, "MalformedPolicyDocument", "%s", bad);
            return false;
        }
    }
    return true;
}

static void add_key(struct simulation *s, const char *name, const char *value)
{
    if (value && *value && s->n_keys < MAX_CONTEXT_KEYS)
        s->keys[s->n_keys++] = (struct iam_key){name, value};
}

/* The simulation's principal, policies and context; false after answering. */
static bool prepare(struct iam_call *c, struct simulation *s, bool custom)
{
    struct iam_fault f;
    struct iam_principal *p = &s->principal;
    p->type = IAM_PRINCIPAL_USER;
    snprintf(p->account, sizeof(p->account), "%s", c->account);
    s->source_type = "IAM Policy";
    if (!custom) {
        const char *source = iam_policy_arn(c, "PolicySourceArn");
        enum iam_kind kind;
        char account[16], name[130];
        if (!source)
            return false;
        if (!iam_parse_entity_arn(source, &kind, account, name, sizeof(name)) || kind == IAM_INSTANCE_PROFILE ||
            strcmp(account, c->account) != 0) {
            iam_send_error(c, 400, "InvalidInput", "Invalid ARN: %.300s. ARN must refer to a user, group or role of "
                                                   "this account.", source);
            return false;
        }
        enum iam_err err = iam_load_policies(iam_reader(c), c->account, kind, name, NULL, &s->policies, &f);
        if (err != IAM_OK) {
            iam_send_fault(c, err, &f);
            return false;
        }
        snprintf(p->arn, sizeof(p->arn), "%s", source);
        snprintf(p->name, sizeof(p->name), "%s", name);
        if (kind == IAM_ROLE) {
            p->type = IAM_PRINCIPAL_ASSUMED_ROLE;
            snprintf(p->role_arn, sizeof(p->role_arn), "%s", source);
        }
        s->source_type = iam_kind_info(kind)->word;
    }
    const char *caller = iam_param(&c->params, "CallerArn");
    if (caller) {
        snprintf(p->arn, sizeof(p->arn), "%s", caller);
        if (strstr(caller, ":root") && strncmp(caller, "arn:aws:iam::", 13) == 0)
            p->type = IAM_PRINCIPAL_ROOT;
    } else if (custom) {
        snprintf(p->arn, sizeof(p->arn), "arn:aws:iam::%s:user/simulated", c->account);
    }
    size_t n_inputs, n_boundaries;
    if (!input_documents(c, "PolicyInputList", &n_inputs) ||
        !input_documents(c, "PermissionsBoundaryPolicyInputList", &n_boundaries))
        return false;
    if (custom && n_inputs == 0) {
        iam_send_validation(c, "1 validation error detected: Value null at 'policyInputList' failed to satisfy "
                               "constraint: Member must not be null");
        return false;
    }
    for (size_t i = 0; i < n_inputs; i++) {
        char name[40];
        snprintf(name, sizeof(name), "PolicyInputList.%zu", i + 1);
        if (!iam_add_identity_policy(&s->policies, name, iam_param_member(&c->params, "PolicyInputList", i + 1, NULL))) {
            iam_send_error(c, 500, "ServiceFailure", "out of memory");
            return false;
        }
    }
    if (n_boundaries) {
        /* The given boundary replaces the principal's (the first one counts). */
        if (!iam_set_boundary(&s->policies, "PermissionsBoundaryPolicyInputList.1",
                              iam_param_member(&c->params, "PermissionsBoundaryPolicyInputList", 1, NULL))) {
            iam_send_error(c, 500, "ServiceFailure", "out of memory");
            return false;
        }
    }
    s->resource_policy = iam_param(&c->params, "ResourcePolicy");
    const char *owner = iam_param(&c->params, "ResourceOwner");
    snprintf(s->resource_account, sizeof(s->resource_account), "%s", c->account);
    if (owner) {
        const char *digits = strncmp(owner, "arn:aws:iam::", 13) == 0 ? owner + 13 : owner;
        snprintf(s->resource_account, sizeof(s->resource_account), "%.12s", digits);
    }
    /* Given context keys first: they win over the ones that follow. */
    for (size_t i = 1; iam_param_member(&c->params, "ContextEntries", i, "ContextKeyName"); i++) {
        char values[64];
        snprintf(values, sizeof(values), "ContextEntries.member.%zu.ContextKeyValues", i);
        add_key(s, iam_param_member(&c->params, "ContextEntries", i, "ContextKeyName"),
                iam_param_member(&c->params, values, 1, NULL));
    }
    add_key(s, "aws:PrincipalArn", p->arn);
    add_key(s, "aws:PrincipalAccount", p->account);
    add_key(s, "aws:PrincipalType", iam_principal_type_key(p->type));
    if (p->type == IAM_PRINCIPAL_USER)
        add_key(s, "aws:username", p->name);
    return true;
}

static const char *decision_word(enum iam_verdict v)
{
    return v == IAM_ALLOWED ? "allowed" : v == IAM_EXPLICIT_DENY ? "explicitDeny" : "implicitDeny";
}

/* SourcePolicyType of the policy that decided. */
static const char *source_type(const struct simulation *s, const struct iam_authz_result *r)
{
    switch (r->layer) {
    case IAM_LAYER_RESOURCE: return "resource";
    case IAM_LAYER_BOUNDARY: return "PermissionsBoundaryPolicy";
    case IAM_LAYER_SESSION: return "session";
    case IAM_LAYER_ROOT: return "none";
    case IAM_LAYER_IDENTITY: break;
    }
    if (!r->policy)
        return "none";
    if (strncmp(r->policy, "PolicyInputList.", 16) == 0)
        return "IAM Policy";
    if (strncmp(r->policy, "arn:aws:iam::aws:", 17) == 0)
        return "aws-managed";
    if (strncmp(r->policy, "arn:", 4) == 0)
        return "user-managed";
    return s->source_type;
}

static void write_result(struct strbuf *sb, const struct simulation *s, const char *action, const char *resource)
{
    const struct iam_context ctx = {s->keys, s->n_keys};
    const struct iam_authz_request rq = {&s->principal, action, resource, s->resource_account, s->resource_policy, &ctx, false};
    struct iam_authz_result r;
    iam_authorize(&rq, &s->policies.view, &r);
    strbuf_puts(sb, "<member>");
    strbuf_xml_elem(sb, "EvalActionName", action);
    strbuf_xml_elem(sb, "EvalResourceName", resource);
    strbuf_xml_elem(sb, "EvalDecision", decision_word(r.verdict));
    strbuf_puts(sb, "<MatchedStatements>");
    if (r.statement >= 0) {
        strbuf_puts(sb, "<member>");
        strbuf_xml_elem(sb, "SourcePolicyId", r.policy ? r.policy : "");
        strbuf_xml_elem(sb, "SourcePolicyType", source_type(s, &r));
        strbuf_puts(sb, "</member>");
    }
    strbuf_puts(sb, "</MatchedStatements><MissingContextValues></MissingContextValues>");
    if (r.has_boundary) {
        strbuf_puts(sb, "<PermissionsBoundaryDecisionDetail>");
        iam_xml_bool(sb, "AllowedByPermissionsBoundary", r.boundary_allows);
        strbuf_puts(sb, "</PermissionsBoundaryDecisionDetail>");
    }
    strbuf_puts(sb, "</member>");
}

static void simulate(struct iam_call *c, bool custom)
{
    struct simulation *s = calloc(1, sizeof(*s));
    if (!s) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    size_t n_actions = iam_param_count(&c->params, "ActionNames", NULL);
    size_t n_resources = iam_param_count(&c->params, "ResourceArns", NULL);
    struct strbuf sb;
    struct iam_page pg;
    iam_begin(c, &sb);
    if (n_actions == 0) {
        iam_send_validation(c, "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: "
                               "Member must not be null");
    } else if (prepare(c, s, custom) && iam_page_begin(c, &pg, &sb)) {
        /* Results are (action, resource) pairs in order; the marker is the
         * index of the next one. */
        size_t per_action = n_resources ? n_resources : 1, total = n_actions * per_action;
        strbuf_puts(&sb, "<EvaluationResults>");
        for (size_t index = (size_t)strtoull(pg.marker, NULL, 10); index < total && iam_page_room(&pg); index++) {
            size_t a = index / per_action, r = index % per_action;
            write_result(&sb, s, iam_param_member(&c->params, "ActionNames", a + 1, NULL),
                         n_resources ? iam_param_member(&c->params, "ResourceArns", r + 1, NULL) : "*");
            snprintf(pg.next, sizeof(pg.next), "%zu", index + 1);
        }
        strbuf_puts(&sb, "</EvaluationResults>");
        iam_page_end(&pg);
        iam_finish(c, &sb);
        iam_loaded_policies_free(&s->policies);
        free(s);
        return;
    }
    strbuf_free(&sb);
    iam_loaded_policies_free(&s->policies);
    free(s);
}

void iam_simulate_principal_policy(struct iam_call *c) { simulate(c, false); }
void iam_simulate_custom_policy(struct iam_call *c) { simulate(c, true); }
