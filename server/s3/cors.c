/* s3_cors: CORS — Get/Put/DeleteBucketCors, the OPTIONS preflight (never
 * authenticated, as AWS), and the Access-Control-* headers of ordinary
 * responses to a request with an Origin. The configuration is one of the
 * bucket's documents (server/s3/config.c); protocol/s3/cors.c matches a
 * request against its rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"
#include "storage/s3/s3.h"

void s3_get_bucket_cors(struct s3_call *call) { s3_config_get(call, S3_CONFIG_CORS); }

void s3_put_bucket_cors(struct s3_call *call) { s3_config_put(call, S3_CONFIG_CORS); }

void s3_delete_bucket_cors(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_CORS); }

/* ---- preflight ------------------------------------------------------------- */

static void fail_cors(struct s3_call *call, enum s3_err err, const char *message, const char *method)
{
    struct strbuf x;
    strbuf_init(&x);
    if (method) {
        strbuf_xml_elem(&x, "Method", method);
        strbuf_xml_elem(&x, "ResourceType", call->route.key ? "OBJECT" : "BUCKET");
    }
    s3_fail(call, err, message, method && !strbuf_failed(&x) ? x.data : NULL);
    strbuf_free(&x);
}

void s3_cors_preflight(struct s3_call *call)
{
    struct http_req *req = call->req;
    const char *origin = http_req_header(req, "origin");
    const char *method = http_req_header(req, "access-control-request-method");
    if (!call->route.bucket || !origin) {
        s3_fail(call, S3_ERR_BAD_REQUEST, "Insufficient information. Origin request header needed.", NULL);
        return;
    }
    if (!method) {
        s3_fail(call, S3_ERR_BAD_REQUEST, "Invalid Access-Control-Request-Method: null", NULL);
        return;
    }
    struct s3_bucket b;
    enum s3_err err = store_get_bucket(call->store, call->route.bucket, &b);
    if (err != S3_OK) {
        s3_fail_bucket_name(call, err);
        return;
    }
    s3_bucket_free(&b);
    enum store_config_state state;
    char *doc = NULL;
    if (s3_config_load(call, "cors", &state, &doc) < 0)
        return;
    if (!doc) {
        fail_cors(call, S3_ERR_ACCESS_FORBIDDEN, "CORSResponse: CORS is not enabled for this bucket.", method);
        return;
    }
    struct s3_cors_grant grant;
    int rc = s3_cors_match(doc, origin, method, http_req_header(req, "access-control-request-headers"), &grant);
    free(doc);
    if (rc < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the CORS configuration", NULL);
    } else if (rc == 0) {
        fail_cors(call, S3_ERR_ACCESS_FORBIDDEN, NULL, method);
    } else {
        s3_cors_add_grant_headers(req, &grant);
        s3_cors_grant_free(&grant);
        http_resp_send(req, 200, NULL, NULL, 0);
    }
}

/* ---- ordinary responses ---------------------------------------------------- */

void s3_cors_add_grant_headers(struct http_req *req, const struct s3_cors_grant *g)
{
    http_resp_header(req, "Access-Control-Allow-Origin", g->allow_origin);
    http_resp_header(req, "Access-Control-Allow-Methods", g->allow_methods);
    if (g->allow_headers)
        http_resp_header(req, "Access-Control-Allow-Headers", g->allow_headers);
    if (g->expose_headers)
        http_resp_header(req, "Access-Control-Expose-Headers", g->expose_headers);
    if (g->max_age >= 0)
        http_resp_headerf(req, "Access-Control-Max-Age", "%d", g->max_age);
    if (g->credentials)
        http_resp_header(req, "Access-Control-Allow-Credentials", "true");
    http_resp_header(req, "Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

void s3_cors_add_headers(struct s3_call *call)
{
    const char *origin = http_req_header(call->req, "origin");
    if (!origin || !call->route.bucket)
        return;
    enum store_config_state state;
    char *doc = NULL;
    if (store_get_bucket_config(call->store, call->route.bucket, "cors", &state, &doc) < 0 || !doc) {
        free(doc);
        return;
    }
    struct s3_cors_grant grant;
    if (s3_cors_match(doc, origin, call->req->method, NULL, &grant) > 0) {
        s3_cors_add_grant_headers(call->req, &grant);
        s3_cors_grant_free(&grant);
    }
    free(doc);
}
