/* auth: see auth.h. */
#include "server/auth.h"

#include <string.h>

void auth_check(struct server *srv, const struct http_req *req, bool s3,
                const char *body_sha256_hex, struct auth_result *out)
{
    memset(out, 0, sizeof(*out));
    strbuf_init(&out->string_to_sign);
    strbuf_init(&out->canonical_request);
    enum sigv4_status st = sigv4_parse(&req->view, &out->sig);
    out->sigv4 = st;
    if (st == SIGV4_ANONYMOUS) {
        out->status = AUTH_ANONYMOUS;
        return;
    }
    if (st != SIGV4_OK) {
        out->status = AUTH_SIGV4_ERROR;
        return;
    }
    out->key = config_find_key(srv->cfg, out->sig.access_key);
    if (!out->key) {
        out->status = AUTH_UNKNOWN_KEY;
        return;
    }
    struct sigv4_verify_opts opts = {
        .now = now_ms() / 1000,
        .max_skew_s = 900,
        .s3_path_encoding = s3,
        .body_sha256_hex = body_sha256_hex,
    };
    st = sigv4_verify(&req->view, &out->sig, out->key->secret, &opts, &out->string_to_sign,
                      &out->canonical_request);
    out->sigv4 = st;
    if (st != SIGV4_OK) {
        out->status = AUTH_SIGV4_ERROR;
        return;
    }
    sigv4_signing_key(out->key->secret, out->sig.scope_date, out->sig.region, out->sig.service,
                      out->signing_key);
    out->status = AUTH_OK;
}

void auth_result_free(struct auth_result *r)
{
    strbuf_free(&r->string_to_sign);
    strbuf_free(&r->canonical_request);
}
