/* credentials: the access keys IAM hands out, as authentication sees them.
 * After the configured keys (each its account's root user), auth.c asks
 * here: an IAM user's access key (or a root access key made with
 * CreateAccessKey) stands for that user, STS session credentials for the
 * assumed role, user or root that asked for them. Lookups read the loop
 * thread's reader connection; long-term keys are kept (on the loop
 * thread) until the next IAM write, sessions read each time (their expiry
 * is checked on every request). A long-term key's last use is written in
 * the background at most once a minute. */
#include "server/iam/entry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"
#include "storage/iam/iam_store.h"

#define LAST_USED_RESOLUTION_MS 60000

static bool take_key(void *arg, const struct iam_access_key *k)
{
    struct iam_credentials *c = arg;
    struct iam_principal *p = &c->principal;
    snprintf(c->secret, sizeof(c->secret), "%s", k->secret);
    c->active = strcmp(k->status, "Active") == 0;
    c->last_used_ms = k->last_used_ms;
    if (!k->user) {
        iam_principal_root(p, k->account, k->key_id);
        return false;
    }
    memset(p, 0, sizeof(*p));
    p->type = IAM_PRINCIPAL_USER;
    snprintf(p->account, sizeof(p->account), "%s", k->account);
    iam_arn(p->arn, sizeof(p->arn), IAM_USER, k->account, k->user_path, k->user);
    snprintf(p->user_id, sizeof(p->user_id), "%s", k->user_id ? k->user_id : "");
    snprintf(p->name, sizeof(p->name), "%s", k->user);
    snprintf(p->access_key, sizeof(p->access_key), "%s", k->key_id);
    return false;
}

static bool take_session(void *arg, const struct iam_session *s)
{
    struct iam_credentials *c = arg;
    struct iam_principal *p = &c->principal;
    memset(p, 0, sizeof(*p));
    snprintf(c->secret, sizeof(c->secret), "%s", s->secret);
    snprintf(c->token, sizeof(c->token), "%s", s->token);
    c->session = true;
    c->active = true;
    c->expires_ms = s->expires_ms;
    p->type = s->type == IAM_SESSION_ROLE ? IAM_PRINCIPAL_ASSUMED_ROLE
              : s->type == IAM_SESSION_USER ? IAM_PRINCIPAL_USER : IAM_PRINCIPAL_ROOT;
    p->temporary = true;
    snprintf(p->account, sizeof(p->account), "%s", s->account);
    snprintf(p->arn, sizeof(p->arn), "%s", s->arn);
    snprintf(p->user_id, sizeof(p->user_id), "%s", s->user_id);
    snprintf(p->name, sizeof(p->name), "%s", s->name);
    snprintf(p->role_arn, sizeof(p->role_arn), "%s", s->role_arn ? s->role_arn : "");
    snprintf(p->session_name, sizeof(p->session_name), "%s", s->session_name ? s->session_name : "");
    snprintf(p->access_key, sizeof(p->access_key), "%s", s->key_id);
    return false;
}

/* Long-term keys found, kept until an IAM write (iam_state_generation());
 * one slot per hash of the key id. */
#define KEY_CACHE_SLOTS 64

struct cached_key {
    uint64_t generation;           /* 0: empty */
    struct iam_credentials creds;
};

static struct cached_key key_cache[KEY_CACHE_SLOTS];

static struct cached_key *key_slot(const char *key_id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key_id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return &key_cache[h % KEY_CACHE_SLOTS];
}

int iam_credentials_find(struct server *srv, const char *key_id, struct iam_credentials *out)
{
    struct cached_key *slot = key_slot(key_id);
    if (slot->generation == iam_state_generation() && strcmp(slot->creds.principal.access_key, key_id) == 0) {
        *out = slot->creds;
        return 1;
    }
    memset(out, 0, sizeof(*out));
    struct store_conn *reader = store_reader(srv->store);
    enum iam_err err = iam_key_find(reader, key_id, take_key, out);
    if (err == IAM_OK) {
        slot->creds = *out;
        slot->generation = iam_state_generation();
    }
    if (err == IAM_ERR_NO_SUCH_ENTITY)
        err = iam_session_find(reader, key_id, take_session, out);
    if (err == IAM_OK)
        return 1;
    if (err == IAM_ERR_NO_SUCH_ENTITY)
        return 0;
    log_warn("IAM: cannot look up access key %s", key_id);
    return -1;
}

/* A key's use, written in the background. */
struct key_use {
    char key_id[129];
    char service[33];
    char region[33];
    int64_t when_ms;
};

static int apply_key_use(struct store_conn *writer, void *arg)
{
    const struct key_use *u = arg;
    return iam_key_used(writer, u->key_id, u->when_ms, u->service, u->region) == IAM_OK ? 0 : -1;
}

static void key_use_done(void *arg, bool ok)
{
    struct key_use *u = arg;
    if (!ok)
        log_warn("IAM: could not record the last use of access key %s", u->key_id);
    free(u);
}

void iam_credentials_used(struct server *srv, const char *key_id, int64_t last_used_ms, const char *service,
                          const char *region)
{
    int64_t now = clock_now_ms();
    if (now - last_used_ms < LAST_USED_RESOLUTION_MS)
        return;
    struct cached_key *slot = key_slot(key_id);
    if (strcmp(slot->creds.principal.access_key, key_id) == 0)
        slot->creds.last_used_ms = now;
    struct key_use *u = calloc(1, sizeof(*u));
    if (!u)
        return;
    snprintf(u->key_id, sizeof(u->key_id), "%s", key_id);
    snprintf(u->service, sizeof(u->service), "%s", service);
    snprintf(u->region, sizeof(u->region), "%s", region);
    u->when_ms = now;
    if (store_submit(srv->store, apply_key_use, key_use_done, u) < 0)
        free(u);
}
