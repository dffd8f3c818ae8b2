/* role_sessions: roles an AWS service assumes for a resource of the
 * account — Lambda's execution role for a function's environments — as
 * STS makes the credentials AWS hands it: the role must exist and its
 * trust policy must allow the service principal ("lambda.amazonaws.com")
 * sts:AssumeRole; the session (arn:aws:sts::<account>:assumed-role/<role>/
 * <session name>, id <role id>:<session name>) is written durably like
 * AssumeRole's, so auth.c accepts its credentials like any session's. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"


/* The role as the trust check and the session need it. */
struct service_role {
    char account[16];
    char name[130];
    char id[IAM_ID_LEN + 1];
    char arn[IAM_ARN_MAX];
    char *trust;
};

static bool read_role(void *arg, const struct iam_entity *e)
{
    struct service_role *r = arg;
    snprintf(r->name, sizeof(r->name), "%s", e->name);
    snprintf(r->id, sizeof(r->id), "%s", e->id);
    iam_arn(r->arn, sizeof(r->arn), IAM_ROLE, e->account, e->path, e->name);
    r->trust = e->trust_policy ? strdup(e->trust_policy) : NULL;
    return false;
}

/* Reads the role and decides its trust for the service: 1 assumable, 0
 * not (no such role, or its trust policy does not allow the service), -1
 * unreadable. r->trust is the caller's to free. */
static int find_assumable(struct server *srv, const char *role_arn, const char *service, const struct iam_context *ctx,
                          struct service_role *r)
{
    memset(r, 0, sizeof(*r));
    enum iam_kind kind;
    struct iam_fault f;
    if (!iam_parse_entity_arn(role_arn, &kind, r->account, r->name, sizeof(r->name)) || kind != IAM_ROLE)
        return 0;
    enum iam_err err = iam_entity_get(store_reader(srv->store), r->account, IAM_ROLE, r->name, read_role, r, &f);
    if (err == IAM_ERR_NO_SUCH_ENTITY)
        return 0;
    if (err != IAM_OK) {
        log_warn("IAM: cannot read role %s", role_arn);
        return -1;
    }
    const struct iam_caller caller = {.service = service};
    return r->trust && iam_policy_evaluate_caller(r->trust, &caller, "sts:AssumeRole", NULL, ctx, NULL) == IAM_ALLOW;
}

int iam_role_assumable(struct server *srv, const char *role_arn, const char *service, const struct iam_context *ctx)
{
    struct service_role r;
    int rc = find_assumable(srv, role_arn, service, ctx, &r);
    free(r.trust);
    return rc;
}

/* A session being written. */
struct role_session {
    struct iam_session s;
    struct iam_role_credentials creds;
    char account[16];
    char arn[IAM_ARN_MAX + 80];
    char user_id[200];
    char name[130];
    char role_arn[IAM_ARN_MAX];
    char session_name[65];
    enum iam_err err;
    void (*done)(void *arg, const struct iam_role_credentials *c);
    void *arg;
};

static int apply_role_session(struct store_conn *writer, void *arg)
{
    struct role_session *rs = arg;
    struct iam_fault f;
    rs->err = iam_session_create(writer, &rs->s, &f);
    /* Sessions expired a day ago have told their last caller ExpiredToken. */
    if (rs->err == IAM_OK)
        rs->err = iam_sessions_purge(writer, rs->s.created_ms - IAM_SESSION_KEPT_EXPIRED_MS);
    return rs->err == IAM_OK ? 0 : -1;
}

static void role_session_written(void *arg, bool ok)
{
    struct role_session *rs = arg;
    if (!ok || rs->err != IAM_OK)
        log_warn("IAM: the session of role %s for %s could not be written", rs->role_arn, rs->session_name);
    rs->done(rs->arg, ok && rs->err == IAM_OK ? &rs->creds : NULL);
    free(rs);
}

int iam_role_session_start(struct server *srv, const char *role_arn, const char *service, const char *session_name,
                           const struct iam_context *ctx, int64_t duration_s,
                           void (*done)(void *arg, const struct iam_role_credentials *c), void *arg)
{
    struct service_role r;
    int assumable = find_assumable(srv, role_arn, service, ctx, &r);
    free(r.trust);
    struct role_session *rs = assumable == 1 ? calloc(1, sizeof(*rs)) : NULL;
    if (!rs)
        return -1;
    int64_t now = clock_now_ms();
    if (!iam_new_id("ASIA", rs->creds.key_id, IAM_KEY_ID_LEN) || !iam_new_secret(rs->creds.secret) ||
        !iam_new_session_token(rs->creds.token)) {
        free(rs);
        return -1;
    }
    rs->creds.expires_ms = now + duration_s * 1000;
    snprintf(rs->account, sizeof(rs->account), "%s", r.account);
    snprintf(rs->name, sizeof(rs->name), "%s", r.name);
    snprintf(rs->role_arn, sizeof(rs->role_arn), "%s", r.arn);
    snprintf(rs->session_name, sizeof(rs->session_name), "%.64s", session_name);
    snprintf(rs->arn, sizeof(rs->arn), "arn:aws:sts::%s:assumed-role/%s/%s", r.account, r.name, rs->session_name);
    snprintf(rs->user_id, sizeof(rs->user_id), "%s:%s", r.id, rs->session_name);
    rs->s = (struct iam_session){
        .key_id = rs->creds.key_id,
        .secret = rs->creds.secret,
        .token = rs->creds.token,
        .account = rs->account,
        .type = IAM_SESSION_ROLE,
        .arn = rs->arn,
        .user_id = rs->user_id,
        .name = rs->name,
        .role_arn = rs->role_arn,
        .session_name = rs->session_name,
        .source_key = service,
        .created_ms = now,
        .expires_ms = rs->creds.expires_ms,
    };
    rs->done = done;
    rs->arg = arg;
    if (store_submit(srv->store, apply_role_session, role_session_written, rs) < 0) {
        free(rs);
        return -1;
    }
    return 0;
}
