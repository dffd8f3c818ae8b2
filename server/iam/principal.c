/* principal: every policy that applies to a principal, loaded from
 * storage/iam for evaluation (protocol/iam/evaluation.h) — a user's (its
 * groups' included), a group's or a role's identity policies, its
 * permissions boundary, and an STS session's own policies (the inline
 * session policy and the managed policies it named), each document parsed
 * once: the simulator and authorization (server/core/authorize.c, which
 * keeps them per principal) evaluate them. */
#include "server/iam/iam_service.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"

static void ref_free(struct iam_policy_ref *ref)
{
    free((char *)ref->name);
    free((char *)ref->document);
    iam_parsed_policy_free(ref->parsed);
    memset(ref, 0, sizeof(*ref));
}

/* A copy of name and document, and the document parsed (a document that
 * does not parse matches nothing, parsed or not). */
static bool ref_make(struct iam_policy_ref *ref, const char *name, const char *document)
{
    *ref = (struct iam_policy_ref){strdup(name), strdup(document), NULL};
    ref->parsed = ref->document ? iam_policy_parse(ref->document) : NULL;
    if (ref->name && ref->document)
        return true;
    ref_free(ref);
    return false;
}

static bool add_ref(struct iam_policy_ref **items, size_t *n, size_t *cap, const char *name, const char *document)
{
    if (*n == *cap) {
        size_t grown_cap = *cap ? *cap * 2 : 8;
        struct iam_policy_ref *grown = realloc(*items, grown_cap * sizeof(*grown));
        if (!grown)
            return false;
        *items = grown;
        *cap = grown_cap;
    }
    if (!ref_make(&(*items)[*n], name, document))
        return false;
    (*n)++;
    return true;
}

bool iam_set_boundary(struct iam_loaded_policies *lp, const char *name, const char *document)
{
    ref_free(&lp->boundary);
    lp->view.boundary = NULL;
    if (!ref_make(&lp->boundary, name, document))
        return false;
    lp->view.boundary = &lp->boundary;
    return true;
}

bool iam_add_identity_policy(struct iam_loaded_policies *lp, const char *name, const char *document)
{
    bool ok = add_ref(&lp->identity, &lp->n_identity, &lp->cap_identity, name, document);
    lp->view.identity = (struct iam_policy_list){lp->identity, lp->n_identity};
    return ok;
}

struct collector {
    struct iam_loaded_policies *lp;
    bool oom;
};

static bool collect(void *arg, const char *name, const char *document)
{
    struct collector *col = arg;
    if (!iam_add_identity_policy(col->lp, name, document))
        col->oom = true;
    return !col->oom;
}

static bool keep_boundary(void *arg, const struct iam_entity *e)
{
    char **arn = arg;
    *arn = e->boundary_arn ? strdup(e->boundary_arn) : NULL;
    return false;
}

/* The session's policies. */
struct session_policies {
    char *policy;
    char *arns;
    bool oom;
};

static bool keep_session(void *arg, const struct iam_session *s)
{
    struct session_policies *sp = arg;
    sp->policy = s->session_policy ? strdup(s->session_policy) : NULL;
    sp->arns = s->policy_arns ? strdup(s->policy_arns) : NULL;
    sp->oom = (s->session_policy && !sp->policy) || (s->policy_arns && !sp->arns);
    return false;
}

static enum iam_err load_session(struct store_conn *conn, const char *account, const char *session_key,
                                 struct iam_loaded_policies *out, struct iam_fault *f)
{
    struct session_policies sp = {0};
    enum iam_err err = iam_session_find(conn, session_key, keep_session, &sp);
    if (err == IAM_ERR_NO_SUCH_ENTITY)
        return IAM_OK;               /* no session here: no session policies */
    if (err == IAM_OK && sp.oom)
        err = IAM_ERR_NOMEM;
    size_t cap = 0;
    if (err == IAM_OK && sp.policy && !add_ref(&out->session, &out->n_session, &cap, "session policy", sp.policy))
        err = IAM_ERR_NOMEM;
    const struct json_value *arns = sp.arns ? json_parse(sp.arns, strlen(sp.arns), NULL) : NULL;
    for (size_t i = 0; err == IAM_OK && json_is(arns, JSON_ARRAY) && i < arns->len; i++) {
        const char *arn = json_string(&arns->u.items[i]);
        char *document = NULL;
        if (!arn)
            continue;
        err = iam_policy_document(conn, account, arn, &document, f);
        if (err == IAM_ERR_NO_SUCH_ENTITY)
            err = IAM_OK;             /* a policy deleted since: it grants nothing */
        else if (err == IAM_OK && !add_ref(&out->session, &out->n_session, &cap, arn, document))
            err = IAM_ERR_NOMEM;
        free(document);
    }
    json_free(arns);
    if (err == IAM_OK && (sp.policy || sp.arns)) {
        out->session_list = (struct iam_policy_list){out->session, out->n_session};
        out->view.session = &out->session_list;
    }
    free(sp.policy);
    free(sp.arns);
    return err;
}

enum iam_err iam_load_policies(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                               const char *session_key, struct iam_loaded_policies *out, struct iam_fault *f)
{
    memset(out, 0, sizeof(*out));
    struct collector col = {out, false};
    enum iam_err err = iam_identity_policies(conn, account, kind, name, collect, &col, f);
    if (err == IAM_OK && col.oom)
        err = IAM_ERR_NOMEM;
    char *boundary_arn = NULL;
    if (err == IAM_OK && kind != IAM_GROUP)
        err = iam_entity_get(conn, account, kind, name, keep_boundary, &boundary_arn, f);
    if (err == IAM_OK && boundary_arn) {
        char *document = NULL;
        err = iam_policy_document(conn, account, boundary_arn, &document, f);
        if (err == IAM_OK && !iam_set_boundary(out, boundary_arn, document))
            err = IAM_ERR_NOMEM;
        free(document);
    }
    free(boundary_arn);
    if (err == IAM_OK && session_key)
        err = load_session(conn, account, session_key, out, f);
    return err;
}

void iam_loaded_policies_free(struct iam_loaded_policies *lp)
{
    for (size_t i = 0; i < lp->n_identity; i++)
        ref_free(&lp->identity[i]);
    for (size_t i = 0; i < lp->n_session; i++)
        ref_free(&lp->session[i]);
    free(lp->identity);
    free(lp->session);
    ref_free(&lp->boundary);
    memset(lp, 0, sizeof(*lp));
}
