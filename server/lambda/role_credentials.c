/* lambda_role_credentials: the temporary credentials a function's
 * environments run with — its execution role's, as Lambda hands them to a
 * function (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
 *
 * One assumed-role session per function and role
 * (arn:aws:sts::<account>:assumed-role/<role>/<function>), made through
 * STS (server/sts/role_sessions.c: the role's trust policy must allow
 * lambda.amazonaws.com, with aws:SourceAccount and aws:SourceArn) and kept
 * here: SESSION_S long, renewed in the background once less than
 * RENEW_BEFORE_S is left, while environments keep using the credentials
 * they were started with (an environment whose credentials would expire
 * before an invocation could end is stopped instead of reused, runtime.c).
 * Making a session is a durable write, so the first environment of a
 * function waits for it: the pools waiting are scheduled again when it is
 * done (lambda_runtime_credentials_ready). A role that does not exist or
 * does not trust Lambda has no credentials: without enforcement the
 * function then runs with its account's keys, as before; with it, its
 * invocations fail, as AWS's cannot start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/log.h"
#include "server/core/server.h"
#include "server/lambda/lambda.h"

#define SESSION_S (6 * 3600)
#define RENEW_BEFORE_S 3600
#define MAX_ENTRIES 512            /* functions and roles kept; the oldest idle one goes first */

struct role_entry {
    struct role_entry *next;
    struct lambda_service *svc;
    char account[13];
    char *function;
    char *role;
    struct iam_role_credentials creds;   /* expires_ms 0: none yet */
    bool pending;                  /* a session is being written */
    int64_t last_use_ms;
};

struct lambda_roles {
    struct role_entry *entries;
    size_t n;
};

struct lambda_roles *lambda_roles_new(void) { return calloc(1, sizeof(struct lambda_roles)); }

static void entry_free(struct role_entry *e)
{
    free(e->function);
    free(e->role);
    free(e);
}

void lambda_roles_free(struct lambda_roles *roles)
{
    if (!roles)
        return;
    while (roles->entries) {
        struct role_entry *e = roles->entries;
        roles->entries = e->next;
        entry_free(e);
    }
    free(roles);
}

/* Drops the least recently used entry that is not being written. */
static void evict_one(struct lambda_roles *roles)
{
    struct role_entry **victim = NULL;
    for (struct role_entry **pe = &roles->entries; *pe; pe = &(*pe)->next)
        if (!(*pe)->pending && (!victim || (*pe)->last_use_ms < (*victim)->last_use_ms))
            victim = pe;
    if (!victim)
        return;
    struct role_entry *e = *victim;
    *victim = e->next;
    entry_free(e);
    roles->n--;
}

static struct role_entry *entry_for(struct lambda_service *svc, const struct lambda_exec_config *cfg)
{
    struct lambda_roles *roles = svc->roles;
    for (struct role_entry *e = roles->entries; e; e = e->next)
        if (strcmp(e->account, cfg->account) == 0 && strcmp(e->function, cfg->name) == 0 && strcmp(e->role, cfg->role) == 0)
            return e;
    if (roles->n >= MAX_ENTRIES)
        evict_one(roles);
    struct role_entry *e = calloc(1, sizeof(*e));
    if (!e || !(e->function = strdup(cfg->name)) || !(e->role = strdup(cfg->role))) {
        if (e)
            entry_free(e);
        return NULL;
    }
    e->svc = svc;
    memcpy(e->account, cfg->account, sizeof(e->account));
    e->next = roles->entries;
    roles->entries = e;
    roles->n++;
    return e;
}

static void session_written(void *arg, const struct iam_role_credentials *c)
{
    struct role_entry *e = arg;
    e->pending = false;
    if (c)
        e->creds = *c;
    lambda_runtime_credentials_ready(e->svc->runtime);
}

/* The trust policy's condition keys: the function's account and ARN. */
static bool start_session(struct lambda_service *svc, struct role_entry *e, const struct lambda_exec_config *cfg)
{
    const struct iam_key keys[] = {{"aws:SourceAccount", cfg->account}, {"aws:SourceArn", cfg->function_arn}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    e->pending = iam_role_session_start(svc->srv, cfg->role, "lambda.amazonaws.com", cfg->name, &ctx, SESSION_S,
                                        session_written, e) == 0;
    return e->pending;
}

enum lambda_creds lambda_role_credentials(struct lambda_service *svc, const struct lambda_exec_config *cfg,
                                          int64_t needed_until_ms, struct iam_role_credentials *out)
{
    struct role_entry *e = entry_for(svc, cfg);
    if (!e)
        return LAMBDA_CREDS_NONE;
    int64_t now = clock_now_ms();
    e->last_use_ms = now;
    bool usable = e->creds.expires_ms > needed_until_ms;
    if (!e->pending && e->creds.expires_ms - now < (int64_t)RENEW_BEFORE_S * 1000 && !start_session(svc, e, cfg) &&
        !usable) {
        log_msg(svc->srv->cfg->enforce_iam ? LOG_WARN : LOG_DEBUG, "lambda: %s's role %s cannot be assumed by Lambda",
                cfg->name, cfg->role);
        return LAMBDA_CREDS_NONE;
    }
    if (usable) {
        *out = e->creds;
        return LAMBDA_CREDS_READY;
    }
    return LAMBDA_CREDS_PENDING;
}
