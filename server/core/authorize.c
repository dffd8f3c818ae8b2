/* authorize: the one decision whether a request may run; see authorize.h.
 *
 * A decision takes the principal to decide (the caller, or without
 * enforcement its account), its policies (from the cache below), the
 * request's condition keys when some policy may test them, and
 * iam_authorize(). The cache is used from the loop thread only, like
 * auth.c's signing keys. */
#include "server/core/authorize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/iam_keys.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "server/iam/entry.h"
#include "storage/core/store.h"

/* ---- the policies of principals ------------------------------------------------------ */

#define POLICY_CACHE_SLOTS 64

struct cached_policies {
    char key[IAM_ARN_MAX + 200];   /* account, kind, name and session key, '\t'-separated; "" unused */
    uint64_t generation;           /* of the IAM state they were read from */
    uint64_t last_use;
    struct iam_loaded_policies lp;
    bool conditional;              /* some document has a Condition or a policy variable */
};

static struct cached_policies policy_cache[POLICY_CACHE_SLOTS];
static uint64_t policy_uses;

static bool document_conditional(const char *document)
{
    return document && (strstr(document, "\"Condition\"") || strstr(document, "${"));
}

static bool policies_conditional(const struct iam_principal_policies *pp)
{
    for (size_t i = 0; i < pp->identity.n; i++)
        if (document_conditional(pp->identity.items[i].document))
            return true;
    for (size_t i = 0; pp->session && i < pp->session->n; i++)
        if (document_conditional(pp->session->items[i].document))
            return true;
    return pp->boundary && document_conditional(pp->boundary->document);
}

/* The policies of a user or an assumed-role session (others have none),
 * from the cache or read now; NULL when they cannot be read. */
static const struct cached_policies *principal_policies(struct server *srv, const struct iam_principal *p)
{
    enum iam_kind kind = p->type == IAM_PRINCIPAL_USER ? IAM_USER : IAM_ROLE;
    const char *session = p->type == IAM_PRINCIPAL_ASSUMED_ROLE && p->access_key[0] ? p->access_key : NULL;
    char key[sizeof(policy_cache[0].key)];
    snprintf(key, sizeof(key), "%s\t%d\t%s\t%s", p->account, (int)kind, p->name, session ? session : "");
    uint64_t generation = iam_state_generation();
    struct cached_policies *slot = &policy_cache[0];
    for (size_t i = 0; i < POLICY_CACHE_SLOTS; i++) {
        struct cached_policies *c = &policy_cache[i];
        if (c->generation == generation && strcmp(c->key, key) == 0) {
            c->last_use = ++policy_uses;
            return c;
        }
        if (c->last_use < slot->last_use)
            slot = c;
    }
    iam_loaded_policies_free(&slot->lp);
    slot->key[0] = '\0';
    struct iam_fault fault;
    enum iam_err err = iam_load_policies(store_reader(srv->store), p->account, kind, p->name, session, &slot->lp,
                                         &fault);
    if (err == IAM_ERR_NO_SUCH_ENTITY) {   /* deleted since it signed: nothing allows it anything */
        iam_loaded_policies_free(&slot->lp);
        err = IAM_OK;
    }
    if (err != IAM_OK) {
        iam_loaded_policies_free(&slot->lp);
        log_error("authorize: cannot read the policies of %s", p->arn);
        return NULL;
    }
    memcpy(slot->key, key, sizeof(key));
    slot->generation = generation;
    slot->last_use = ++policy_uses;
    slot->conditional = policies_conditional(&slot->lp.view);
    return slot;
}

/* ---- condition keys ---------------------------------------------------------------------- */

struct authorize_policies {
    const struct iam_principal_policies *pp;
    const char *resource_policy;
};

bool authorize_policies_mention(const struct authorize_policies *ps, const char *word)
{
    const struct iam_principal_policies *pp = ps->pp;
    if (ps->resource_policy && strstr(ps->resource_policy, word))
        return true;
    for (size_t i = 0; i < pp->identity.n; i++)
        if (strstr(pp->identity.items[i].document, word))
            return true;
    for (size_t i = 0; pp->session && i < pp->session->n; i++)
        if (strstr(pp->session->items[i].document, word))
            return true;
    return pp->boundary && strstr(pp->boundary->document, word);
}

/* ---- the decision --------------------------------------------------------------------------- */

static bool is_outsider(const struct iam_principal *who, const char *owner)
{
    return who->type == IAM_PRINCIPAL_ANONYMOUS || (owner && strcmp(owner, who->account) != 0);
}

enum authorize_outcome authorize_decide(struct server *srv, const struct http_req *req, const struct iam_principal *who,
                                        const char *action, const struct authorize_target *t,
                                        struct authorize_decision *d)
{
    static const struct iam_principal_policies no_policies;
    const struct iam_principal_policies *pp = &no_policies;
    bool conditional = document_conditional(t->policy);
    /* Without enforcement every key acts as its account (an empty ARN
     * names the whole account); with it, users and role sessions bring
     * their own policies. */
    struct iam_principal account;
    const struct iam_principal *p = who;
    if (!srv->cfg->enforce_iam && who->type != IAM_PRINCIPAL_ANONYMOUS) {
        iam_principal_root(&account, who->account, who->access_key);
        account.arn[0] = '\0';
        p = &account;
    } else if (who->type == IAM_PRINCIPAL_USER || who->type == IAM_PRINCIPAL_ASSUMED_ROLE) {
        const struct cached_policies *c = principal_policies(srv, who);
        if (!c)
            return AUTHORIZE_FAILED;
        pp = &c->lp.view;
        conditional = conditional || c->conditional;
    }
    struct iam_keys keys;
    struct iam_context ctx = {NULL, 0};
    if (conditional) {
        iam_keys_init_principal(&keys, req, who);
        const struct authorize_policies ps = {pp, t->policy};
        if (t->add_keys && !t->add_keys(t->arg, &keys, &ps)) {
            log_error("authorize: out of memory gathering the condition keys of %s", action);
            return AUTHORIZE_FAILED;
        }
        ctx = iam_keys_context(&keys);
    }
    struct iam_authz_request rq = {p, action, t->resource, t->owner, t->policy, &ctx, t->policy_is_trust};
    struct iam_authz_result r;
    iam_authorize(&rq, pp, &r);
    bool outsider = is_outsider(who, t->owner);
    if (r.verdict == IAM_ALLOWED && outsider && t->policy_allows_no_outsider)
        r = (struct iam_authz_result){.verdict = IAM_IMPLICIT_DENY, .layer = IAM_LAYER_RESOURCE, .statement = -1};
    if (r.verdict == IAM_IMPLICIT_DENY && r.layer == IAM_LAYER_RESOURCE && t->other_grant) {
        int granted = t->other_grant(t->arg);
        if (granted < 0)
            return AUTHORIZE_FAILED;
        if (granted)
            r.verdict = IAM_ALLOWED;
    }
    d->verdict = r.verdict;
    if (r.verdict == IAM_ALLOWED)
        return AUTHORIZE_ALLOWED;
    rq.principal = who;
    iam_access_denied_message(&rq, &r, d->message, sizeof(d->message));
    char why[512];
    iam_authz_explain(&r, why, sizeof(why));
    log_info("access denied: %s %s on %s: %s%s", who->type == IAM_PRINCIPAL_ANONYMOUS ? "anonymous" : who->arn,
             action, t->resource, why, srv->cfg->enforce_iam ? "" : " (without enforcement: as its account)");
    return AUTHORIZE_DENIED;
}

enum authorize_outcome authorize_as_role(struct server *srv, const char *role_arn, const char *session_name,
                                         const char *action, const struct authorize_target *t,
                                         struct authorize_decision *d)
{
    struct iam_principal p = {.type = IAM_PRINCIPAL_ASSUMED_ROLE, .temporary = true};
    enum iam_kind kind;
    char account[16];
    if (!iam_parse_entity_arn(role_arn, &kind, account, p.name, sizeof(p.name)) || kind != IAM_ROLE) {
        d->verdict = IAM_IMPLICIT_DENY;
        snprintf(d->message, sizeof(d->message), "%s is no IAM role", role_arn);
        return AUTHORIZE_DENIED;
    }
    snprintf(p.account, sizeof(p.account), "%.12s", account);
    snprintf(p.role_arn, sizeof(p.role_arn), "%s", role_arn);
    snprintf(p.session_name, sizeof(p.session_name), "%.64s", session_name);
    snprintf(p.arn, sizeof(p.arn), "arn:aws:sts::%s:assumed-role/%s/%s", p.account, p.name, p.session_name);
    return authorize_decide(srv, NULL, &p, action, t, d);
}

bool authorize_request(struct http_req *req, const struct service_def *svc, const struct service_op *op,
                       const struct authorize_target *t)
{
    if (!op->action[0])
        return true;
    struct authorize_decision d;
    switch (authorize_decide(req->srv, req, &req->caller, op->action, t, &d)) {
    case AUTHORIZE_ALLOWED:
        return true;
    case AUTHORIZE_DENIED:
        service_access_denied(req, svc, d.message);
        return false;
    case AUTHORIZE_FAILED:
        break;
    }
    service_failure(req, svc, "The permissions of the request could not be read.");
    return false;
}
