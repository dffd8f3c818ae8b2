/* sessions: STS's temporary credentials.
 *
 *  - AssumeRole: the role's trust policy must allow the caller
 *    (sts:AssumeRole, with the request's condition keys: sts:ExternalId,
 *    sts:RoleSessionName, aws:PrincipalArn, aws:RequestTag/..., ...);
 *    DurationSeconds within the role's MaxSessionDuration (one hour when
 *    a role session assumes another role); session policies (Policy,
 *    PolicyArns) and tags are kept with the session. With enforcement
 *    (server/core/authorize.h) the caller's own policies must allow
 *    sts:AssumeRole on the role too, unless (in the role's account) the
 *    trust policy names the caller itself. Unlike AWS, the account's root
 *    keys may assume roles: they are how cloudless is used.
 *  - AssumeRoleWithWebIdentity: unsigned; the token's claims (iss, sub,
 *    aud) are read without checking its signature — cloudless has no
 *    identity provider to ask — and the trust policy must allow
 *    sts:AssumeRoleWithWebIdentity for the token's issuer as Federated
 *    principal (any Federated principal for a token without claims), with
 *    <issuer>:sub and <issuer>:aud as condition keys.
 *  - GetSessionToken: credentials standing for the calling user or root
 *    user themselves.
 *
 * Each session is written durably with its key, secret and token before
 * the credentials are answered; auth.c checks them like long-term keys. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"
#include "protocol/iam/xml.h"
#include "protocol/sts/sts.h"
#include "server/core/authorize.h"
#include "server/core/iam_keys.h"
#include "server/core/server.h"


/* A session being made, with the storage of its strings. */
struct new_session {
    struct iam_session s;
    char key_id[IAM_KEY_ID_LEN + 1];
    char secret[IAM_SECRET_LEN + 1];
    char token[IAM_TOKEN_LEN + 1];
    char account[16];
    char arn[IAM_ARN_MAX + 80];
    char user_id[200];
    char name[130];
    char role_arn[IAM_ARN_MAX];
    char role_id[IAM_ID_LEN + 1];
    char *policy_arns;             /* JSON array, or NULL */
    char *tags;                    /* JSON array, or NULL */
    int packed;                    /* PackedPolicySize, -1: none to show */
    struct sts_token_claims claims;
    char tag_keys[IAM_MAX_TAGS][160];  /* AssumeRole's aws:RequestTag/<key> names */
};

static void free_session(void *work)
{
    struct new_session *ns = work;
    free(ns->policy_arns);
    free(ns->tags);
    free(ns);
}

static struct new_session *new_session(struct iam_call *c)
{
    struct new_session *ns = calloc(1, sizeof(*ns));
    if (!ns) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return NULL;
    }
    c->work = ns;
    c->work_free = free_session;
    ns->packed = -1;
    if (!iam_new_id("ASIA", ns->key_id, IAM_KEY_ID_LEN) || !iam_new_secret(ns->secret) ||
        !iam_new_session_token(ns->token)) {
        iam_send_error(c, 500, "ServiceFailure", "no random bytes for the new credentials");
        return NULL;
    }
    ns->s.key_id = ns->key_id;
    ns->s.secret = ns->secret;
    ns->s.token = ns->token;
    ns->s.account = ns->account;
    ns->s.arn = ns->arn;
    ns->s.user_id = ns->user_id;
    ns->s.name = ns->name;
    ns->s.created_ms = c->now_ms;
    return ns;
}

static enum iam_err apply_session(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct new_session *ns = c->work;
    enum iam_err err = iam_session_create(writer, &ns->s, f);
    /* Sessions expired a day ago have told their last caller ExpiredToken. */
    if (err == IAM_OK)
        err = iam_sessions_purge(writer, c->now_ms - IAM_SESSION_KEPT_EXPIRED_MS);
    if (err == IAM_OK && ns->s.type == IAM_SESSION_ROLE)
        err = iam_role_used(writer, ns->account, ns->name, c->now_ms, c->region);
    return err;
}

static void answer_session(struct iam_call *c)
{
    const struct new_session *ns = c->work;
    struct strbuf sb;
    iam_begin(c, &sb);
    sts_xml_credentials(&sb, ns->key_id, ns->secret, ns->token, ns->s.expires_ms);
    if (ns->s.type == IAM_SESSION_ROLE) {
        if (ns->claims.is_jwt)
            strbuf_xml_elem(&sb, "SubjectFromWebIdentityToken", ns->claims.subject);
        sts_xml_assumed_role_user(&sb, ns->user_id, ns->arn);
        if (ns->claims.is_jwt) {
            strbuf_xml_elem(&sb, "Provider", ns->claims.issuer);
            strbuf_xml_elem(&sb, "Audience", ns->claims.audience);
        }
    }
    if (ns->packed >= 0)
        iam_xml_int(&sb, "PackedPolicySize", ns->packed);
    const char *source_identity = iam_param(&c->params, "SourceIdentity");
    if (source_identity && ns->s.type == IAM_SESSION_ROLE)
        strbuf_xml_elem(&sb, "SourceIdentity", source_identity);
    iam_finish(c, &sb);
}

/* ---- the role to assume -------------------------------------------------------------- */

/* What the role says about who may assume it and for how long. */
struct role_facts {
    struct new_session *ns;
    char *trust;
    int64_t max_session_s;
};

static bool read_role(void *arg, const struct iam_entity *e)
{
    struct role_facts *r = arg;
    r->trust = e->trust_policy ? strdup(e->trust_policy) : NULL;
    r->max_session_s = e->max_session_s;
    snprintf(r->ns->name, sizeof(r->ns->name), "%s", e->name);
    snprintf(r->ns->role_id, sizeof(r->ns->role_id), "%s", e->id);
    iam_arn(r->ns->role_arn, sizeof(r->ns->role_arn), IAM_ROLE, e->account, e->path, e->name);
    return false;
}

static void access_denied(struct iam_call *c, const char *action, const char *role_arn)
{
    if (c->caller.type == IAM_PRINCIPAL_ANONYMOUS)
        iam_send_error(c, 403, "AccessDenied", "Not authorized to perform %s", action);
    else
        iam_send_error(c, 403, "AccessDenied", "User: %s is not authorized to perform: %s on resource: %s",
                       c->caller.arn, action, role_arn);
}

/* Reads the role RoleArn names into ns and r; false after answering
 * (AccessDenied when there is no such role, as AWS answers). */
static bool find_role(struct iam_call *c, const char *action, struct new_session *ns, struct role_facts *r)
{
    const char *role_arn = iam_policy_arn(c, "RoleArn");
    if (!role_arn)
        return false;
    enum iam_kind kind;
    char name[130];
    struct iam_fault f;
    r->ns = ns;
    if (!iam_parse_entity_arn(role_arn, &kind, ns->account, name, sizeof(name)) || kind != IAM_ROLE) {
        iam_send_validation(c, "Invalid RoleArn: it must be the ARN of an IAM role.");
        return false;
    }
    enum iam_err err = iam_entity_get(iam_reader(c), ns->account, IAM_ROLE, name, read_role, r, &f);
    if (err == IAM_ERR_NO_SUCH_ENTITY || (err == IAM_OK && !r->trust)) {
        access_denied(c, action, role_arn);
        return false;
    }
    if (err != IAM_OK) {
        iam_send_fault(c, err, &f);
        return false;
    }
    return true;
}

/* ---- session parameters ---------------------------------------------------------------- */

/* DurationSeconds between min and max (default when absent); -1 after answering. */
static int64_t duration(struct iam_call *c, int64_t dflt, int64_t min, int64_t max)
{
    int64_t v = dflt;
    char msg[300];
    int rc = iam_param_int(&c->params, "DurationSeconds", &v);
    const char *bad = rc < 0 ? "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: "
                               "Member must be an integer"
                             : sts_check_duration(v, min, max, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return -1;
    }
    return v;
}

/* Policy, PolicyArns and (AssumeRole) Tags into ns; false after answering. */
static bool session_policies(struct iam_call *c, struct new_session *ns, bool tags)
{
    const char *policy = iam_param(&c->params, "Policy");
    if (policy) {
        const char *bad = iam_document_check(policy, strlen(policy), IAM_DOCUMENT_IDENTITY);
        if (bad) {
            iam_send_error(c, 400, "MalformedPolicyDocument", "%s", bad);
            return false;
        }
        ns->s.session_policy = policy;
    }
    size_t n_arns = iam_param_count(&c->params, "PolicyArns", "arn");
    if (n_arns > STS_MAX_POLICY_ARNS) {
        iam_send_validation(c, "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: "
                               "Member must have length less than or equal to 10");
        return false;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    if (n_arns) {
        struct json_writer w;
        jw_init(&w, &sb);
        jw_array_open(&w, NULL);
        for (size_t i = 0; i < n_arns; i++) {
            const char *arn = iam_param_member(&c->params, "PolicyArns", i + 1, "arn");
            char account[16], path[IAM_ARN_MAX], name[IAM_ARN_MAX];
            if (!iam_parse_policy_arn(arn, account, path, name)) {
                strbuf_free(&sb);
                iam_send_validation(c, "PolicyArns must name IAM managed policies.");
                return false;
            }
            jw_string(&w, NULL, arn);
        }
        jw_array_close(&w);
        ns->policy_arns = strbuf_detach(&sb, NULL);
        ns->s.policy_arns = ns->policy_arns;
    }
    const char **keys = NULL, **values = NULL;
    size_t n_tags = 0, tag_chars = 0;
    if (tags && !iam_tags(c, "Tags", &keys, &values, &n_tags))
        return false;
    if (n_tags) {
        strbuf_init(&sb);
        iam_tags_merge(NULL, keys, values, n_tags, NULL, 0, true, &sb);
        for (size_t i = 0; i < n_tags; i++)
            tag_chars += strlen(keys[i]) + strlen(values[i]);
        ns->tags = strbuf_detach(&sb, NULL);
        ns->s.tags = ns->tags;
    }
    free(keys);
    free(values);
    if ((n_arns && !ns->policy_arns) || (n_tags && !ns->tags)) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return false;
    }
    if (policy || n_arns || n_tags) {
        ns->packed = sts_packed_policy_percent(policy ? iam_policy_size(policy) : 0, n_arns, tag_chars, n_tags);
        if (ns->packed > 100) {
            iam_send_error(c, 400, "PackedPolicyTooLarge",
                           "Packed policy consumes %d%% of allotted space, please use smaller policy.", ns->packed);
            return false;
        }
    }
    return true;
}

/* AssumeRole's condition keys after the global ones: sts:ExternalId,
 * sts:RoleSessionName, sts:SourceIdentity and aws:RequestTag/<key>. */
static bool assume_role_keys(void *arg, struct iam_keys *keys, const struct authorize_policies *ps)
{
    struct iam_call *c = arg;
    struct new_session *ns = c->work;
    iam_keys_add(keys, "sts:ExternalId", iam_param(&c->params, "ExternalId"));
    iam_keys_add(keys, "sts:RoleSessionName", iam_param(&c->params, "RoleSessionName"));
    iam_keys_add(keys, "sts:SourceIdentity", iam_param(&c->params, "SourceIdentity"));
    for (size_t i = 1; i <= IAM_MAX_TAGS && iam_param_member(&c->params, "Tags", i, "Key"); i++) {
        snprintf(ns->tag_keys[i - 1], sizeof(ns->tag_keys[0]), "aws:RequestTag/%s",
                 iam_param_member(&c->params, "Tags", i, "Key"));
        iam_keys_add(keys, ns->tag_keys[i - 1], iam_param_member(&c->params, "Tags", i, "Value"));
    }
    return true;
}

/* The trust policy's decision for the call's caller (or a web identity). */
static bool trusted(struct iam_call *c, const struct role_facts *r, const char *action, const struct iam_caller *caller,
                    struct iam_keys *keys)
{
    const struct iam_context ctx = iam_keys_context(keys);
    return iam_policy_evaluate_caller(r->trust, caller, action, NULL, &ctx, NULL) == IAM_ALLOW;
}

/* The assumed-role session's names: arn:aws:sts::A:assumed-role/R/S and
 * its unique id AROA...:S. */
static void name_role_session(struct new_session *ns, const char *session_name)
{
    ns->s.type = IAM_SESSION_ROLE;
    snprintf(ns->arn, sizeof(ns->arn), "arn:aws:sts::%s:assumed-role/%s/%s", ns->account, ns->name, session_name);
    snprintf(ns->user_id, sizeof(ns->user_id), "%s:%s", ns->role_id, session_name);
    ns->s.role_arn = ns->role_arn;
    ns->s.session_name = session_name;
}

/* ---- AssumeRole -------------------------------------------------------------------------- */

void sts_assume_role(struct iam_call *c)
{
    struct new_session *ns = new_session(c);
    struct role_facts r = {0};
    if (!ns || !find_role(c, "sts:AssumeRole", ns, &r))
        goto done;
    const char *session_name = iam_required(c, "RoleSessionName");
    char msg[512];
    const char *bad = session_name ? sts_check_session_name(session_name, msg, sizeof(msg)) : NULL;
    const char *external_id = iam_param(&c->params, "ExternalId");
    if (!bad && external_id)
        bad = iam_check_length(external_id, "externalId", 2, 1224, msg, sizeof(msg));
    if (!session_name || bad) {
        if (bad)
            iam_send_validation(c, bad);
        goto done;
    }
    bool chained = c->caller.type == IAM_PRINCIPAL_ASSUMED_ROLE;
    int64_t seconds = duration(c, STS_ROLE_DEFAULT_DURATION, STS_MIN_DURATION, STS_ROLE_MAX_DURATION);
    if (seconds < 0)
        goto done;
    if (chained && seconds > STS_CHAINED_MAX_DURATION) {
        iam_send_validation(c, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by "
                               "role chaining.");
        goto done;
    }
    if (seconds > r.max_session_s) {
        iam_send_validation(c, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        goto done;
    }
    if (!session_policies(c, ns, true))
        goto done;
    /* The trust policy, with what the request says about itself; with
     * enforcement, the whole decision too: the caller's own policies must
     * allow sts:AssumeRole unless the trust policy names it exactly. */
    struct iam_keys keys;
    iam_keys_init_principal(&keys, c->req, &c->caller);
    assume_role_keys(c, &keys, NULL);
    const struct iam_caller caller = {
        .account = c->caller.account,
        .arn = c->caller.arn,
        .role_arn = chained ? c->caller.role_arn : NULL,
    };
    if (!trusted(c, &r, "sts:AssumeRole", &caller, &keys)) {
        access_denied(c, "sts:AssumeRole", r.ns->role_arn);
        goto done;
    }
    const struct authorize_target role = {
        .resource = ns->role_arn,
        .owner = ns->account,
        .policy = r.trust,
        .policy_is_trust = true,
        .add_keys = assume_role_keys,
        .arg = c,
    };
    if (c->srv->cfg->enforce_iam && !authorize_request(c->req, c->svc->def, c->op, &role))
        goto done;
    name_role_session(ns, session_name);
    ns->s.source_key = c->caller.access_key;
    ns->s.expires_ms = c->now_ms + seconds * 1000;
    free(r.trust);
    iam_submit(c, apply_session, answer_session);
    return;
done:
    free(r.trust);
}

/* ---- AssumeRoleWithWebIdentity ---------------------------------------------------------------- */

void sts_assume_role_with_web_identity(struct iam_call *c)
{
    struct new_session *ns = new_session(c);
    struct role_facts r = {0};
    if (!ns || !find_role(c, "sts:AssumeRoleWithWebIdentity", ns, &r))
        goto done;
    const char *session_name = iam_required(c, "RoleSessionName");
    const char *token = session_name ? iam_required(c, "WebIdentityToken") : NULL;
    char msg[512];
    const char *bad = token ? sts_check_session_name(session_name, msg, sizeof(msg)) : NULL;
    if (!bad && token)
        bad = iam_check_length(token, "webIdentityToken", 4, 20000, msg, sizeof(msg));
    if (!token || bad) {
        if (bad)
            iam_send_validation(c, bad);
        goto done;
    }
    int64_t seconds = duration(c, STS_ROLE_DEFAULT_DURATION, STS_MIN_DURATION, STS_ROLE_MAX_DURATION);
    if (seconds < 0)
        goto done;
    if (seconds > r.max_session_s) {
        iam_send_validation(c, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        goto done;
    }
    if (!session_policies(c, ns, false))
        goto done;
    sts_token_claims(token, &ns->claims);
    const char *provider_id = iam_param(&c->params, "ProviderId");
    const char *provider = ns->claims.issuer[0] ? ns->claims.issuer : provider_id ? provider_id : "*";
    struct iam_keys keys;
    iam_keys_init_principal(&keys, c->req, &c->caller);
    char sub_key[300], aud_key[300], oaud_key[300];
    snprintf(sub_key, sizeof(sub_key), "%s:sub", provider);
    snprintf(aud_key, sizeof(aud_key), "%s:aud", provider);
    snprintf(oaud_key, sizeof(oaud_key), "%s:oaud", provider);
    if (ns->claims.is_jwt) {
        iam_keys_add(&keys, sub_key, ns->claims.subject);
        iam_keys_add(&keys, aud_key, ns->claims.audience);
        iam_keys_add(&keys, oaud_key, ns->claims.audience);
    }
    iam_keys_add(&keys, "sts:RoleSessionName", session_name);
    iam_keys_add(&keys, "aws:FederatedProvider", provider);
    const struct iam_caller caller = {.federated = provider};
    if (!trusted(c, &r, "sts:AssumeRoleWithWebIdentity", &caller, &keys)) {
        access_denied(c, "sts:AssumeRoleWithWebIdentity", r.ns->role_arn);
        goto done;
    }
    name_role_session(ns, session_name);
    ns->s.expires_ms = c->now_ms + seconds * 1000;
    free(r.trust);
    iam_submit(c, apply_session, answer_session);
    return;
done:
    free(r.trust);
}

/* ---- GetSessionToken ----------------------------------------------------------------------------- */

void sts_get_session_token(struct iam_call *c)
{
    if (c->caller.temporary) {
        iam_send_error(c, 403, "AccessDenied", "Cannot call GetSessionToken with session credentials");
        return;
    }
    bool root = c->caller.type == IAM_PRINCIPAL_ROOT;
    int64_t seconds = duration(c, root ? STS_ROOT_SESSION_TOKEN_MAX : STS_SESSION_TOKEN_DEFAULT, STS_MIN_DURATION,
                               STS_SESSION_TOKEN_MAX);
    struct new_session *ns = seconds >= 0 ? new_session(c) : NULL;
    if (!ns)
        return;
    if (root && seconds > STS_ROOT_SESSION_TOKEN_MAX)
        seconds = STS_ROOT_SESSION_TOKEN_MAX;     /* AWS caps the root user's sessions at an hour */
    ns->s.type = root ? IAM_SESSION_ROOT : IAM_SESSION_USER;
    snprintf(ns->account, sizeof(ns->account), "%s", c->caller.account);
    snprintf(ns->arn, sizeof(ns->arn), "%s", c->caller.arn);
    snprintf(ns->user_id, sizeof(ns->user_id), "%s", c->caller.user_id);
    snprintf(ns->name, sizeof(ns->name), "%s", c->caller.name);
    ns->s.source_key = c->caller.access_key;
    ns->s.expires_ms = c->now_ms + seconds * 1000;
    iam_submit(c, apply_session, answer_session);
}
