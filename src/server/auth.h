/* auth: checks a request's SigV4 credentials against the configured access
 * keys (protocol/sigv4 does the cryptography; this file knows the keys and
 * the clock). Each service maps the outcome to its own error format. */
#ifndef CLOUDLESS_AUTH_H
#define CLOUDLESS_AUTH_H

#include <stdbool.h>

#include "common/strbuf.h"
#include "protocol/sigv4.h"
#include "server/config.h"
#include "server/server.h"

enum auth_status {
    AUTH_OK,
    AUTH_ANONYMOUS,
    AUTH_UNKNOWN_KEY,
    AUTH_SIGV4_ERROR,              /* see sigv4 */
};

struct auth_result {
    enum auth_status status;
    enum sigv4_status sigv4;
    struct sigv4_auth sig;
    const struct access_key *key;
    unsigned char signing_key[32];
    struct strbuf string_to_sign;  /* filled on a signature mismatch */
    struct strbuf canonical_request;
};

/* s3: canonical URI as S3 builds it (no normalisation). body_sha256_hex is
 * the body's hash for services whose clients may omit x-amz-content-sha256
 * (NULL when the body has not been read yet). */
void auth_check(struct server *srv, const struct http_req *req, bool s3,
                const char *body_sha256_hex, struct auth_result *out);
void auth_result_free(struct auth_result *r);

#endif
