/* server/iam entry: what the rest of the process uses of IAM and STS —
 * their service definitions (dispatch), and the credential lookups that
 * server/core/auth.c makes after the configured keys: IAM users' access
 * keys and STS session credentials (credentials.c), each with the
 * principal it stands for. */
#ifndef CLOUDLESS_SERVER_IAM_ENTRY_H
#define CLOUDLESS_SERVER_IAM_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/iam/evaluation.h"

struct server;
struct service_def;

/* IAM: requests signed for "iam" (server/iam/service.c). */
extern const struct service_def iam_service_def;
/* STS: requests signed for "sts", and the unsigned AssumeRoleWithWebIdentity
 * (server/sts/service.c). */
extern const struct service_def sts_service_def;

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

#endif
