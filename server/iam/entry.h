/* server/iam entry: what the rest of the process uses of IAM and STS —
 * their service definitions (dispatch); the credential lookups that
 * server/core/auth.c makes after the configured keys: IAM users' access
 * keys and STS session credentials (credentials.c), each with the
 * principal it stands for; the sessions AWS services take on roles for
 * (server/sts/role_sessions.c: a function's execution role); and the
 * policies that apply to a principal (principal.c), which iam_authorize()
 * (protocol/iam/evaluation.h) weighs. */
#ifndef CLOUDLESS_SERVER_IAM_ENTRY_H
#define CLOUDLESS_SERVER_IAM_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/iam/evaluation.h"
#include "storage/iam/iam_store.h"

struct server;
struct service_def;
struct store_conn;

/* IAM: requests signed for "iam" (server/iam/service.c). */
extern const struct service_def iam_service_def;
/* STS: requests signed for "sts", and the unsigned AssumeRoleWithWebIdentity
 * (server/sts/service.c). */
extern const struct service_def sts_service_def;

/* Bumped once every IAM and STS write is durable: caches of what IAM's
 * state decides (long-term keys here, principals' policies in
 * server/core/authorize.c) read again when it changed. Loop thread. */
uint64_t iam_state_generation(void);

/* Credentials found for an access key id that is not a configured one. */
struct iam_credentials {
    char secret[64];
    struct iam_principal principal;
    bool active;                   /* long-term keys: status Active */
    bool session;                  /* STS credentials: the request must carry `token` */
    char token[IAM_TOKEN_LEN + 1];
    int64_t expires_ms;            /* sessions */
    int64_t last_used_ms;          /* long-term keys: 0 never */
};

/* Looks key_id up among IAM access keys, then STS sessions (on the loop
 * thread's reader). 1 found, 0 unknown, -1 the store could not be read. */
int iam_credentials_find(struct server *srv, const char *key_id, struct iam_credentials *out);
/* Records that a long-term key, last used at last_used_ms, signed a
 * request for `service` in `region` (a write at most once a minute per
 * key, in the background; its failure is only logged). */
void iam_credentials_used(struct server *srv, const char *key_id, int64_t last_used_ms, const char *service,
                          const char *region);

/* ---- roles AWS services assume (server/sts/role_sessions.c) -------------------------- */

struct iam_context;

/* Temporary credentials of an assumed-role session. */
struct iam_role_credentials {
    char key_id[IAM_KEY_ID_LEN + 1];
    char secret[IAM_SECRET_LEN + 1];
    char token[IAM_TOKEN_LEN + 1];
    int64_t expires_ms;
};
/* Whether `service` ("lambda.amazonaws.com") may assume the role role_arn
 * names: it exists and its trust policy allows the service sts:AssumeRole
 * (ctx: the condition keys, such as aws:SourceAccount; may be NULL). 1 yes,
 * 0 no, -1 the store could not be read. */
int iam_role_assumable(struct server *srv, const char *role_arn, const char *service, const struct iam_context *ctx);
/* Assumes the role for `service`: a durable assumed-role session named
 * session_name (arn:aws:sts::<account>:assumed-role/<role>/<session_name>)
 * lasting duration_s; done(arg, credentials) on the loop thread once it is
 * durable, with NULL when the write failed. -1 (and no callback) when the
 * role cannot be assumed or nothing could be queued. */
int iam_role_session_start(struct server *srv, const char *role_arn, const char *service, const char *session_name,
                           const struct iam_context *ctx, int64_t duration_s,
                           void (*done)(void *arg, const struct iam_role_credentials *c), void *arg);

/* ---- principals (principal.c) ------------------------------------------------------ */

/* Every policy that applies to a principal, owned: for evaluation. */
struct iam_loaded_policies {
    struct iam_principal_policies view;  /* what iam_authorize() takes */
    struct iam_policy_ref *identity;
    size_t n_identity, cap_identity;
    struct iam_policy_ref boundary;
    struct iam_policy_ref *session;
    size_t n_session;
    struct iam_policy_list session_list;
};
/* Loads the identity policies of a user, group or role (its groups'
 * too, for a user), its permissions boundary, and for an STS session
 * (session_key non-NULL: the session's access key id) the session's
 * policies. For a principal auth.c named: an IAM user (or its
 * GetSessionToken session) is (IAM_USER, p->name, NULL), an assumed-role
 * session (IAM_ROLE, p->name, p->access_key); the root user and anonymous
 * callers have no policies. */
enum iam_err iam_load_policies(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                               const char *session_key, struct iam_loaded_policies *out, struct iam_fault *f);
/* Adds one identity policy (copied). */
bool iam_add_identity_policy(struct iam_loaded_policies *lp, const char *name, const char *document);
/* Sets the permissions boundary (copied), replacing any. */
bool iam_set_boundary(struct iam_loaded_policies *lp, const char *name, const char *document);
void iam_loaded_policies_free(struct iam_loaded_policies *lp);

#endif
