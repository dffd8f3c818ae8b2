/* auth: checks a request's credentials — SigV4, and for S3 also the legacy
 * SigV2 that aws-cli v1's `s3 presign` and some s3cmd setups still produce
 * (protocol/sigv4 and protocol/sigv2 do the cryptography; this file knows
 * the keys and the clock). An access key is looked up among the configured
 * keys (each its account's root user) first, then IAM users' access keys,
 * then STS session credentials, which must come with their session token
 * (X-Amz-Security-Token, header or presigned query) and be unexpired, and
 * last — with credentials = localstack — any other key, as a guest of the
 * account config_guest_account() gives it; the result names the principal
 * that signed. SigV2 outcomes are reported with
 * the SigV4 status of the same meaning, so each service maps one set of
 * codes to its own error format. */
#ifndef CLOUDLESS_AUTH_H
#define CLOUDLESS_AUTH_H

#include <stdbool.h>

#include "protocol/core/strbuf.h"
#include "protocol/auth/sigv4.h"
#include "protocol/iam/evaluation.h"
#include "server/core/config.h"
#include "server/core/server.h"

enum auth_status {
    AUTH_OK,
    AUTH_ANONYMOUS,
    AUTH_UNKNOWN_KEY,
    AUTH_SIGV4_ERROR,              /* see sigv4 */
    AUTH_EXPIRED_TOKEN,            /* STS session credentials past their expiry: ExpiredToken */
};

struct auth_result {
    enum auth_status status;
    enum sigv4_status sigv4;
    bool sigv2;                    /* the request used SigV2 (S3 only); sig holds its key and times */
    struct sigv4_auth sig;
    const struct access_key *key;  /* a configured key, `found` or `guest` */
    struct access_key found;       /* an IAM access key or STS credentials (secret in found_secret) */
    char found_secret[64];
    struct access_key guest;       /* credentials = localstack: a key not known here (secret NULL) */
    struct iam_principal principal;  /* who signed (AUTH_OK); anonymous otherwise */
    int64_t iam_key_last_used_ms;  /* an IAM user's long-term key: its last use; -1 otherwise */
    unsigned char signing_key[32]; /* zero for a guest: no signature can be checked */
    struct strbuf string_to_sign;  /* filled on a signature mismatch */
    struct strbuf canonical_request;
};

/* Checks the request's signature and, when it holds, records the caller
 * in req->principal for the request log and req->caller for
 * authorization (server/core/authorize.h). A guest (key->secret NULL) is
 * accepted without a signature check, its secret being unknown.
 * s3: canonical URI as S3 builds it (no normalisation), SigV2 accepted;
 * s3_vhost_bucket is the bucket named by the Host header (SigV2 signs it),
 * else NULL. body_sha256_hex is the body's hash for services whose clients
 * may omit x-amz-content-sha256 (NULL when the body has not been read). */
void auth_check(struct server *srv, struct http_req *req, bool s3,
                const char *s3_vhost_bucket, const char *body_sha256_hex,
                struct auth_result *out);
/* For services that read the whole body before checking the signature
 * (the JSON and query protocols): the body's SHA-256 is computed here when
 * the client sent no x-amz-content-sha256. */
void auth_check_buffered(struct server *srv, struct http_req *req, const struct strbuf *body,
                         struct auth_result *out);
/* The whole check of AWS's JSON-protocol services (Lambda, CloudWatch
 * Logs) on a buffered body: true with the caller's account, else false with
 * the error type and message to answer (each service has its own status). */
bool auth_check_json(struct server *srv, struct http_req *req, const struct strbuf *body,
                     char account[13], const char **type, const char **message);
void auth_result_free(struct auth_result *r);

#endif
