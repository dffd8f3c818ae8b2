/* auth: see auth.h. Signing keys are derived once per access key (its id
 * and secret: a configured key, an IAM key or STS credentials), day,
 * region and service and kept in a small cache: the four-HMAC derivation
 * would otherwise cost more than checking the request itself. The cache is
 * used from the loop thread only. */
#include "server/core/auth.h"

#include "server/core/log.h"

#include "protocol/auth/checksum.h"
#include "protocol/auth/sigv2.h"
#include "protocol/core/percent.h"
#include "server/iam/entry.h"
#include "storage/core/clock.h"
#include "protocol/core/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#define KEY_CACHE_SIZE 16

struct cached_key {
    char key_id[129];
    char secret[65];               /* keys with longer secrets are not cached */
    char scope[96];                /* date/region/service */
    unsigned char key[32];
};

static struct cached_key key_cache[KEY_CACHE_SIZE];
static unsigned key_cache_next;

static void signing_key_for(const struct access_key *k, const struct sigv4_auth *sig,
                            unsigned char out[32])
{
    char scope[96];
    snprintf(scope, sizeof(scope), "%s/%s/%s", sig->scope_date, sig->region, sig->service);
    for (size_t i = 0; i < KEY_CACHE_SIZE; i++) {
        const struct cached_key *c = &key_cache[i];
        if (strcmp(c->scope, scope) == 0 && strcmp(c->key_id, k->access_key) == 0 &&
            strcmp(c->secret, k->secret) == 0) {
            memcpy(out, c->key, 32);
            return;
        }
    }
    sigv4_signing_key(k->secret, sig->scope_date, sig->region, sig->service, out);
    if (strlen(k->access_key) >= sizeof(key_cache[0].key_id) || strlen(k->secret) >= sizeof(key_cache[0].secret))
        return;
    struct cached_key *slot = &key_cache[key_cache_next++ % KEY_CACHE_SIZE];
    snprintf(slot->key_id, sizeof(slot->key_id), "%s", k->access_key);
    snprintf(slot->secret, sizeof(slot->secret), "%s", k->secret);
    memcpy(slot->scope, scope, sizeof(scope));
    memcpy(slot->key, out, 32);
}

/* The session token a request carries: the X-Amz-Security-Token header or
 * the query parameter of a presigned URL (SigV2 URLs spell it in lower
 * case); the caller frees it; NULL when none. */
static char *session_token(const struct http_req *req)
{
    const char *header = http_req_header(req, "x-amz-security-token");
    if (header)
        return strdup(header);
    bool present;
    char *token = query_param(req->query, "X-Amz-Security-Token", &present);
    return token || present ? token : query_param(req->query, "x-amz-security-token", &present);
}

/* IAM's access keys and STS's credentials, after the configured keys. */
static enum auth_status find_iam_credentials(struct server *srv, const struct http_req *req, const char *key_id,
                                             struct auth_result *out)
{
    struct iam_credentials c;
    if (iam_credentials_find(srv, key_id, &c) != 1 || !c.active)
        return AUTH_UNKNOWN_KEY;
    if (c.session) {
        char *token = session_token(req);
        size_t n = strlen(c.token);
        bool matches = token && strlen(token) == n && CRYPTO_memcmp(token, c.token, n) == 0;
        free(token);
        if (!matches)
            return AUTH_UNKNOWN_KEY;
        if (clock_now_ms() >= c.expires_ms)
            return AUTH_EXPIRED_TOKEN;
    }
    snprintf(out->found_secret, sizeof(out->found_secret), "%s", c.secret);
    out->found.access_key = out->sig.access_key;
    out->found.secret = out->found_secret;
    memcpy(out->found.account, c.principal.account, sizeof(out->found.account));
    out->key = &out->found;
    out->principal = c.principal;
    out->iam_key_last_used_ms = c.session ? -1 : c.last_used_ms;
    return AUTH_OK;
}

/* The secret and principal of key_id: a configured key (its account's root
 * user), else what IAM and STS issued, else — with credentials = localstack
 * — a guest of the account the key names, whose secret is unknown. */
static enum auth_status find_credentials(struct server *srv, const struct http_req *req, const char *key_id,
                                         struct auth_result *out)
{
    out->key = config_find_key(srv->cfg, key_id);
    if (!out->key) {
        enum auth_status found = find_iam_credentials(srv, req, key_id, out);
        if (found != AUTH_UNKNOWN_KEY || !srv->cfg->any_access_key || !*key_id)
            return found;
        out->guest.access_key = out->sig.access_key;
        out->guest.secret = NULL;
        config_guest_account(key_id, out->guest.account);
        out->key = &out->guest;
    }
    iam_principal_root(&out->principal, out->key->account, out->key->access_key);
    return AUTH_OK;
}

static void record_principal(struct http_req *req, const struct auth_result *r)
{
    snprintf(req->principal, sizeof(req->principal), "%s:%s", r->key->account, r->key->access_key);
    req->caller = r->principal;
}

/* A verified request signed with an IAM user's long-term key updates the
 * key's last use. */
static void note_key_use(struct server *srv, const struct auth_result *r)
{
    if (r->key == &r->found && r->iam_key_last_used_ms >= 0)
        iam_credentials_used(srv, r->found.access_key, r->iam_key_last_used_ms, r->sigv2 ? "s3" : r->sig.service,
                             r->sigv2 ? srv->cfg->region : r->sig.region);
}

static enum sigv4_status sigv2_as_sigv4(enum sigv2_status st)
{
    switch (st) {
    case SIGV2_OK: return SIGV4_OK;
    case SIGV2_ABSENT: return SIGV4_ANONYMOUS;
    case SIGV2_MALFORMED: return SIGV4_MALFORMED_HEADER;
    case SIGV2_MISSING_DATE: return SIGV4_MISSING_DATE;
    case SIGV2_SIGNATURE_MISMATCH: return SIGV4_SIGNATURE_MISMATCH;
    case SIGV2_EXPIRED: return SIGV4_REQUEST_EXPIRED;
    case SIGV2_TIME_SKEWED: return SIGV4_TIME_SKEWED;
    }
    return SIGV4_MALFORMED_HEADER;
}

/* S3's SigV2: the header "AWS AK:sig" or the AWSAccessKeyId/Signature query. */
static void check_sigv2(struct server *srv, const struct http_req *req, const char *vhost_bucket,
                        struct auth_result *out)
{
    struct sigv2_auth v2;
    enum sigv2_status st = sigv2_parse(&req->view, &v2);
    out->sigv2 = true;
    snprintf(out->sig.access_key, sizeof(out->sig.access_key), "%s", v2.access_key);
    snprintf(out->sig.signature, sizeof(out->sig.signature), "%s", v2.signature);
    out->sig.presigned = v2.presigned;
    out->sig.request_time = v2.presigned ? v2.expires : v2.request_time;
    if (st == SIGV2_OK) {
        enum auth_status found = find_credentials(srv, req, v2.access_key, out);
        if (found != AUTH_OK) {
            memset(&out->principal, 0, sizeof(out->principal));
            out->status = found;
            return;
        }
        if (!out->key->secret) {      /* a guest: no signature can be checked */
            out->status = AUTH_OK;
            return;
        }
        st = sigv2_verify(&req->view, &v2, out->key->secret, vhost_bucket, clock_real_ms() / 1000,
                          &out->string_to_sign);
    }
    out->sigv4 = sigv2_as_sigv4(st);
    out->status = st == SIGV2_OK ? AUTH_OK : st == SIGV2_ABSENT ? AUTH_ANONYMOUS : AUTH_SIGV4_ERROR;
    if (out->status == AUTH_OK)
        note_key_use(srv, out);
    else
        memset(&out->principal, 0, sizeof(out->principal));
}

static void check(struct server *srv, const struct http_req *req, bool s3, const char *s3_vhost_bucket,
                  const char *body_sha256_hex, struct auth_result *out)
{
    memset(out, 0, sizeof(*out));
    strbuf_init(&out->string_to_sign);
    strbuf_init(&out->canonical_request);
    enum sigv4_status st = sigv4_parse(&req->view, &out->sig);
    out->sigv4 = st;
    if (s3 && (st == SIGV4_ANONYMOUS || st == SIGV4_UNSUPPORTED_ALGORITHM)) {
        check_sigv2(srv, req, s3_vhost_bucket, out);
        return;
    }
    if (st == SIGV4_ANONYMOUS) {
        out->status = AUTH_ANONYMOUS;
        return;
    }
    if (st != SIGV4_OK) {
        out->status = AUTH_SIGV4_ERROR;
        return;
    }
    enum auth_status found = find_credentials(srv, req, out->sig.access_key, out);
    if (found != AUTH_OK) {
        memset(&out->principal, 0, sizeof(out->principal));
        out->status = found;
        return;
    }
    if (!out->key->secret) {          /* a guest: no signature can be checked */
        out->status = AUTH_OK;
        return;
    }
    struct sigv4_verify_opts opts = {
        .now = clock_real_ms() / 1000,
        .max_skew_s = 900,
        .s3_path_encoding = s3,
        .body_sha256_hex = body_sha256_hex,
    };
    signing_key_for(out->key, &out->sig, out->signing_key);
    st = sigv4_verify_with_key(&req->view, &out->sig, out->signing_key, &opts, &out->string_to_sign,
                               &out->canonical_request);
    out->sigv4 = st;
    if (st != SIGV4_OK) {
        if (st == SIGV4_SIGNATURE_MISMATCH)
            log_debug("signature mismatch for key %s; canonical request:\n%s", out->sig.access_key,
                      out->canonical_request.data ? out->canonical_request.data : "");
        OPENSSL_cleanse(out->signing_key, sizeof(out->signing_key));
        memset(&out->principal, 0, sizeof(out->principal));
        out->status = AUTH_SIGV4_ERROR;
        return;
    }
    out->status = AUTH_OK;
    note_key_use(srv, out);
}

void auth_check(struct server *srv, struct http_req *req, bool s3, const char *s3_vhost_bucket,
                const char *body_sha256_hex, struct auth_result *out)
{
    check(srv, req, s3, s3_vhost_bucket, body_sha256_hex, out);
    if (out->status == AUTH_OK)
        record_principal(req, out);
}

void auth_check_buffered(struct server *srv, struct http_req *req, const struct strbuf *body,
                         struct auth_result *out)
{
    char body_hex[65];
    bool claimed = http_req_header(req, "x-amz-content-sha256") != NULL;
    if (!claimed) {
        unsigned char sha[32];
        checksum_sha256(body->data ? body->data : "", body->len, sha);
        hex_encode(sha, 32, body_hex);
    }
    auth_check(srv, req, false, NULL, claimed ? NULL : body_hex, out);
}

bool auth_check_json(struct server *srv, struct http_req *req, const struct strbuf *body,
                     char account[13], const char **type, const char **message)
{
    struct auth_result r;
    auth_check_buffered(srv, req, body, &r);
    switch (r.status) {
    case AUTH_OK:
        memcpy(account, r.key->account, 13);
        break;
    case AUTH_ANONYMOUS:
        *type = "MissingAuthenticationTokenException";
        *message = "Missing Authentication Token";
        break;
    case AUTH_UNKNOWN_KEY:
        *type = "UnrecognizedClientException";
        *message = "The security token included in the request is invalid.";
        break;
    case AUTH_EXPIRED_TOKEN:
        *type = "ExpiredTokenException";
        *message = "The security token included in the request is expired";
        break;
    default:
        *type = "InvalidSignatureException";
        *message = r.sigv4 == SIGV4_TIME_SKEWED || r.sigv4 == SIGV4_REQUEST_EXPIRED
                       ? "Signature expired: the request time is too far from the server's time."
                       : "The request signature we calculated does not match the signature you provided. "
                         "Check your AWS Secret Access Key and signing method. Consult the service "
                         "documentation for details.";
        break;
    }
    bool ok = r.status == AUTH_OK;
    auth_result_free(&r);
    return ok;
}

void auth_result_free(struct auth_result *r)
{
    strbuf_free(&r->string_to_sign);
    strbuf_free(&r->canonical_request);
}
