/* iam_keys: the global condition keys (aws:*) of one request, which every
 * policy is evaluated with (server/core/authorize.c, the STS trust checks).
 * A service adds its own keys after them. */
#ifndef CLOUDLESS_SERVER_IAM_KEYS_H
#define CLOUDLESS_SERVER_IAM_KEYS_H

#include "protocol/iam/evaluation.h"
#include "protocol/iam/policy.h"
#include "server/core/server.h"

#define IAM_KEYS_MAX 96

/* The keys and the storage of the values they do not borrow. */
struct iam_keys {
    struct iam_key keys[IAM_KEYS_MAX];
    size_t n;
    char now[32], epoch[24];
};

/* aws:CurrentTime, aws:EpochTime, aws:SecureTransport (TLS listener),
 * aws:SourceIp, aws:UserAgent, aws:Referer, and the keys of the principal
 * auth.c names (an IAM user, an assumed-role session, the root user, or
 * anonymous): aws:PrincipalArn, aws:userid, aws:PrincipalType,
 * aws:PrincipalAccount and, for users, aws:username. Values are borrowed
 * from req and p, which must outlive the keys. req NULL (the server's own
 * work, not a request): the time keys and the principal's only. */
void iam_keys_init_principal(struct iam_keys *k, const struct http_req *req, const struct iam_principal *p);
/* Adds a key when value is not NULL (and there is room). */
void iam_keys_add(struct iam_keys *k, const char *name, const char *value);
/* The keys as the evaluator takes them. */
struct iam_context iam_keys_context(const struct iam_keys *k);

#endif
