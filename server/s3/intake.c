/* s3_intake: how an S3 request comes in — routing, authentication, body
 * handling — until the operation's handler runs, and the helpers the
 * operation files share. See server/s3/s3.h.
 *
 * The dispatch and the operations of s3_service_def derive from the
 * operation table (protocol/s3/operations.h). Every request is routed
 * first; a CORS preflight (never authenticated) and a PostObject (whose
 * credentials are in its form) go to their handlers at once. Anything else
 * is authenticated and authorized (server/s3/access.c); an operation
 * outside the table is answered NotImplemented; the body is taken — an
 * upload's streamed into a blob writer, an XML body buffered — with every
 * digest checked, and then the handler runs, inside one read scope. */
#include "server/s3/s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "server/core/log.h"
#include "server/core/service.h"
#include "server/s3/entry.h"
#include "storage/s3/notification.h"
#include "storage/core/clock.h"
#include "protocol/core/hex.h"
#include "protocol/core/base64.h"

static void call_cleanup(struct http_req *req)
{
    struct s3_call *call = req->handler;
    if (!call)
        return;
    s3_route_free(&call->route);
    auth_result_free(&call->auth);
    if (call->has_kept_bucket)
        s3_bucket_free(&call->kept_bucket);
    blob_writer_discard(call->blob);
    strbuf_free(&call->body);
    strbuf_free(&call->object_acl);
    aws_chunked_free(call->chunked);
    if (call->payload_sha)
        EVP_MD_CTX_free(call->payload_sha);
    checksum_abort(&call->header_checksum.ctx);
    checksum_abort(&call->computed_checksum.ctx);
    checksum_abort(&call->part_crc64.ctx);
    for (size_t i = 0; i < call->n_keys; i++) {
        free(call->keys[i]);
        free(call->version_ids ? call->version_ids[i] : NULL);
    }
    free(call->keys);
    free(call->version_ids);
    free(call->parts);
    s3_upload_free(&call->upload);
    free(call->sse.kms_key_id);
    s3_post_free(call->post);
    free(call);
    req->handler = NULL;
}

static const char *resource_of(struct s3_call *call) { return call->req->path; }

void s3_fail(struct s3_call *call, enum s3_err err, const char *message, const char *extra_xml)
{
    struct http_req *req = call->req;
    int status = s3_err_status(err);
    if (err == S3_ERR_NOT_MODIFIED) {
        http_resp_send(req, 304, NULL, NULL, 0);
        return;
    }
    if (status >= 500)
        log_warn("%s %s: %s %s", req->method, req->url, s3_err_code(err), message ? message : "");
    struct strbuf xml;
    strbuf_init(&xml);
    s3_error_xml(&xml, err, message, extra_xml, resource_of(call), req->request_id);
    if (strbuf_failed(&xml)) {
        strbuf_free(&xml);
        http_resp_send(req, 500, NULL, NULL, 0);
        return;
    }
    http_resp_send(req, status, "application/xml", xml.data, xml.len);
    strbuf_free(&xml);
}

void s3_fail_store(struct s3_call *call, const struct store_result *res)
{
    s3_fail(call, res->err, res->err_detail, NULL);
}

void s3_fail_unqueued(struct s3_call *call)
{
    log_error("the store refused a write for %s %s", call->req->method, call->req->url);
    s3_fail(call, S3_ERR_SERVICE_UNAVAILABLE, "Service is unable to handle request.", NULL);
}

void s3_reply_xml(struct s3_call *call, struct strbuf *xml)
{
    if (strbuf_failed(xml)) {
        strbuf_free(xml);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    http_resp_send(call->req, 200, "application/xml", xml->data, xml->len);
    strbuf_free(xml);
}

enum s3_err s3_owned_bucket(struct s3_call *call, struct s3_bucket *out)
{
    enum s3_err err = S3_OK;
    if (call->has_kept_bucket && call->kept_bucket_snapshot == store_read_snapshot(call->store)) {
        *out = call->kept_bucket;  /* handed over: the caller frees it */
        call->has_kept_bucket = false;
    } else {
        err = store_get_bucket(call->store, call->route.bucket, out);
    }
    if (err != S3_OK)
        return err;
    if (strcmp(out->owner_account, call->account) != 0) {
        s3_bucket_free(out);
        return S3_ERR_ACCESS_DENIED;
    }
    return S3_OK;
}

bool s3_require_owned_bucket(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return false;
    }
    s3_bucket_free(&b);
    return true;
}

bool s3_load_owned_bucket(struct s3_call *call, struct s3_bucket *out)
{
    enum s3_err err = s3_owned_bucket(call, out);
    if (err == S3_OK)
        return true;
    s3_fail(call, err, NULL, NULL);
    return false;
}

void s3_fail_bucket_name(struct s3_call *call, enum s3_err err)
{
    struct strbuf x;
    strbuf_init(&x);
    strbuf_xml_elem(&x, "BucketName", call->route.bucket);
    s3_fail(call, err, NULL, strbuf_failed(&x) ? NULL : x.data);
    strbuf_free(&x);
}

/* Completion of a write whose answer is an empty 200 / 204 (with the
 * version id the store reports, if any). */
static void answered_empty(struct s3_call *call, const struct store_result *res, int status)
{
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    s3_add_version_header(call, res->version_id);
    http_resp_send(call->req, status, NULL, NULL, 0);
}

void s3_answered_200(void *arg, const struct store_result *res)
{
    answered_empty(arg, res, 200);
}

void s3_answered_204(void *arg, const struct store_result *res)
{
    answered_empty(arg, res, 204);
}

void s3_add_checksum_headers(struct s3_call *call, bool with_type)
{
    if (call->body_checksum_alg < 0)
        return;
    http_resp_header(call->req, checksum_header_name((enum checksum_alg)call->body_checksum_alg),
                     call->body_checksum);
    if (with_type)
        http_resp_header(call->req, "x-amz-checksum-type", "FULL_OBJECT");
}

/* ---- authentication ------------------------------------------------- */

static bool authenticate(struct s3_call *call)
{
    struct http_req *req = call->req;
    auth_check(call->srv, req, true, call->route.virtual_host ? call->route.bucket : NULL, NULL,
               &call->auth);
    struct auth_result *a = &call->auth;
    char extra[8192];
    switch (a->status) {
    case AUTH_OK:
        memcpy(call->account, a->key->account, sizeof(call->account));
        return s3_access_authorize(call, false);
    case AUTH_ANONYMOUS:
        return s3_access_authorize(call, true);
    case AUTH_UNKNOWN_KEY: {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "AWSAccessKeyId", a->sig.access_key);
        s3_fail(call, S3_ERR_INVALID_ACCESS_KEY_ID, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        return false;
    }
    case AUTH_EXPIRED_TOKEN:
        s3_fail(call, S3_ERR_TOKEN_EXPIRED, NULL, NULL);
        return false;
    case AUTH_SIGV4_ERROR:
        break;
    }
    switch (a->sigv4) {
    case SIGV4_MALFORMED_HEADER:
        if (a->sigv2) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                    "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature", NULL);
            break;
        }
        s3_fail(call, S3_ERR_AUTHORIZATION_HEADER_MALFORMED,
                "The authorization header is malformed; the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".",
                NULL);
        break;
    case SIGV4_MALFORMED_QUERY:
        s3_fail(call, S3_ERR_AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
                NULL);
        break;
    case SIGV4_EXPIRES_TOO_LARGE:
        s3_fail(call, S3_ERR_AUTHORIZATION_QUERY_PARAMETERS_ERROR,
                "X-Amz-Expires must be less than a week (in seconds) that is 604800", NULL);
        break;
    case SIGV4_UNSUPPORTED_ALGORITHM:
        s3_fail(call, S3_ERR_INVALID_REQUEST,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
                NULL);
        break;
    case SIGV4_MISSING_DATE:
        s3_fail(call, S3_ERR_ACCESS_DENIED,
                "AWS authentication requires a valid Date or x-amz-date header", NULL);
        break;
    case SIGV4_REQUEST_EXPIRED: {
        char exp[32], now[32];
        date_iso8601((a->sig.request_time + (a->sigv2 ? 0 : a->sig.expires_s)) * 1000, exp);
        date_iso8601(clock_now_ms(), now);
        snprintf(extra, sizeof(extra), "<X-Amz-Expires>%lld</X-Amz-Expires><Expires>%s</Expires><ServerTime>%s</ServerTime>",
                 (long long)a->sig.expires_s, exp, now);
        s3_fail(call, S3_ERR_EXPIRED_TOKEN, NULL, extra);
        break;
    }
    case SIGV4_TIME_SKEWED: {
        char rt[32], now[32];
        date_iso8601(a->sig.request_time * 1000, rt);
        date_iso8601(clock_now_ms(), now);
        snprintf(extra, sizeof(extra), "<RequestTime>%s</RequestTime><ServerTime>%s</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds>",
                 rt, now);
        s3_fail(call, S3_ERR_REQUEST_TIME_TOO_SKEWED, NULL, extra);
        break;
    }
    case SIGV4_SIGNATURE_MISMATCH: {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "AWSAccessKeyId", a->sig.access_key);
        strbuf_xml_elem(&x, "StringToSign", a->string_to_sign.data ? a->string_to_sign.data : "");
        strbuf_xml_elem(&x, "SignatureProvided", a->sig.signature);
        if (!a->sigv2)
            strbuf_xml_elem(&x, "CanonicalRequest", a->canonical_request.data ? a->canonical_request.data : "");
        s3_fail(call, S3_ERR_SIGNATURE_DOES_NOT_MATCH, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        log_info("SignatureDoesNotMatch for %s %s (key %s)", req->method, req->url, a->sig.access_key);
        break;
    }
    default:
        s3_fail(call, S3_ERR_ACCESS_DENIED, NULL, NULL);
        break;
    }
    return false;
}

/* ---- body ------------------------------------------------------------ */

static bool op_streams_to_blob(enum s3_op op)
{
    return op == S3_OP_PutObject || op == S3_OP_UploadPart;
}

/* Starts computing alg over the decoded body (see struct body_checksum). */
static bool body_checksum_start(struct s3_call *call, struct body_checksum *c, int alg)
{
    c->alg = alg;
    c->slot = call->blob ? blob_writer_add_checksum(call->blob, alg) : -1;
    if (call->blob)
        return c->slot >= 0;
    return checksum_init(&c->ctx, (enum checksum_alg)alg) == 0;
}

static void body_checksum_update(struct body_checksum *c, const void *data, size_t len)
{
    if (c->alg >= 0 && c->slot < 0)
        checksum_update(&c->ctx, data, len);
}

/* Once the body is in (once per checksum): the digest and its length. */
static size_t body_checksum_final(struct s3_call *call, struct body_checksum *c,
                                  unsigned char out[CHECKSUM_MAX_DIGEST])
{
    return c->slot >= 0 ? blob_writer_checksum(call->blob, c->slot, out) : checksum_final(&c->ctx, out);
}

static int store_decoded(void *arg, const void *data, size_t len)
{
    struct s3_call *call = arg;
    call->decoded_bytes += (int64_t)len;
    if (call->decoded_bytes > S3_MAX_PUT_SIZE) {
        call->body_err = S3_ERR_ENTITY_TOO_LARGE;
        errno = EFBIG;
        return -1;
    }
    body_checksum_update(&call->header_checksum, data, len);
    body_checksum_update(&call->computed_checksum, data, len);
    body_checksum_update(&call->part_crc64, data, len);
    if (call->blob) {
        int rc = blob_writer_write(call->blob, data, len);
        if (rc < 0) {
            log_error("writing an upload body to disk failed: %s", strerror(errno));
            call->body_err = S3_ERR_INTERNAL_ERROR;
            call->body_err_msg = "could not store the body";
            return -1;
        }
        if (rc == 1)
            http_req_pause_body(call->req);
        return 0;
    }
    if (call->body.len + len > S3_MAX_XML_BODY) {
        call->body_err = S3_ERR_ENTITY_TOO_LARGE;
        call->body_err_msg = "Your request was too big.";
        errno = EFBIG;
        return -1;
    }
    strbuf_append(&call->body, data, len);
    if (strbuf_failed(&call->body)) {
        call->body_err = S3_ERR_INTERNAL_ERROR;
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/* "CRC32", ...: the algorithm x-amz-trailer names, for messages. */
static const char *trailer_checksum_name(const struct s3_call *call)
{
    const char *trailer = http_req_header(call->req, "x-amz-trailer");
    for (int alg = 0; trailer && alg < CHECKSUM_MD5; alg++)
        if (strcasecmp(trailer, checksum_header_name((enum checksum_alg)alg)) == 0)
            return checksum_alg_name((enum checksum_alg)alg);
    return "checksum";
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct s3_call *call = req->handler;
    if (call->payload_sha)
        EVP_DigestUpdate(call->payload_sha, data, len);
    if (!call->chunked) {
        if (store_decoded(call, data, len) == 0)
            return 0;
        s3_fail(call, call->body_err, call->body_err_msg, NULL);
        return -1;
    }
    size_t consumed = 0;
    enum aws_chunked_status st = aws_chunked_feed(call->chunked, data, len, &consumed, store_decoded, call);
    switch (st) {
    case AWS_CHUNKED_MORE:
    case AWS_CHUNKED_DONE:
        return 0;
    case AWS_CHUNKED_ERR_SIGNATURE:
        s3_fail(call, S3_ERR_SIGNATURE_DOES_NOT_MATCH, "The chunk signature does not match", NULL);
        return -1;
    case AWS_CHUNKED_ERR_CHECKSUM: {
        char msg[128];
        snprintf(msg, sizeof(msg), "The %s you specified did not match the calculated checksum.",
                 trailer_checksum_name(call));
        s3_fail(call, S3_ERR_BAD_DIGEST, msg, NULL);
        return -1;
    }
    case AWS_CHUNKED_ERR_CHECKSUM_VALUE: {
        char msg[128];
        snprintf(msg, sizeof(msg), "Value for %s trailing header is invalid.", http_req_header(req, "x-amz-trailer"));
        s3_fail(call, S3_ERR_INVALID_REQUEST, msg, NULL);
        return -1;
    }
    case AWS_CHUNKED_ERR_TOO_LARGE:
        s3_fail(call, S3_ERR_INCOMPLETE_BODY, "The request body is larger than x-amz-decoded-content-length", NULL);
        return -1;
    case AWS_CHUNKED_ERR_FORMAT:
        if (call->body_err != S3_OK)
            s3_fail(call, call->body_err, call->body_err_msg, NULL);
        else
            s3_fail(call, S3_ERR_INCOMPLETE_BODY, "The aws-chunked body is malformed", NULL);
        return -1;
    }
    return -1;
}

/* Picks the upload's checksum to store: the one the client sent (checked
 * by now), else the one computed here; and a part's CRC64NVME. */
static void settle_body_checksum(struct s3_call *call)
{
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    size_t n = 0;
    call->body_checksum_alg = -1;
    if (call->header_checksum.alg >= 0) {
        call->body_checksum_alg = call->header_checksum.alg;
        n = checksum_digest_len((enum checksum_alg)call->header_checksum.alg);
        memcpy(digest, call->header_checksum_want, n);
    } else if (call->trailer_alg >= 0) {
        call->body_checksum_alg = call->trailer_alg;
        n = call->trailer_digest_len;
        memcpy(digest, call->trailer_digest, n);
    } else if (call->computed_checksum.alg >= 0) {
        call->body_checksum_alg = call->computed_checksum.alg;
        n = body_checksum_final(call, &call->computed_checksum, digest);
    }
    if (call->body_checksum_alg >= 0)
        base64_encode(digest, n, call->body_checksum);
    if (call->part_crc64.alg >= 0) {
        n = body_checksum_final(call, &call->part_crc64, digest);
        base64_encode(digest, n, call->body_crc64nvme);
    }
}

/* Loads an UploadPart's upload into call->upload and answers its checksum
 * algorithm (-1: none, or no such upload, which the handler reports). */
static int upload_algorithm(struct s3_call *call)
{
    bool present = false;
    char *id = query_param(call->req->query, "uploadId", &present);
    struct s3_part_list parts = {0};
    int alg = -1;
    if (id && store_list_parts(call->store, call->route.bucket, call->route.key, id, 0, 0, &call->upload,
                               &parts) == S3_OK) {
        alg = checksum_alg_from_name(call->upload.checksum_alg);
        s3_part_list_free(&parts);
    }
    free(id);
    return alg;
}

/* Uploads: starts the checksums computed over the body (see s3_call). */
static bool start_computed_checksums(struct s3_call *call)
{
    struct http_req *req = call->req;
    call->upload_checksum_alg = -1;
    if (call->route.op == S3_OP_UploadPart) {
        call->upload_checksum_alg = upload_algorithm(call);
        if (!body_checksum_start(call, &call->part_crc64, CHECKSUM_CRC64NVME))
            return false;
    }
    if (call->header_checksum.alg >= 0 || http_req_header(req, "x-amz-trailer"))
        return true;
    int alg = checksum_alg_from_name(http_req_header(req, "x-amz-sdk-checksum-algorithm"));
    if (alg < 0)
        alg = call->upload_checksum_alg;
    if (alg < 0)
        alg = CHECKSUM_CRC64NVME;
    return body_checksum_start(call, &call->computed_checksum, alg);
}

/* Checks every digest the client sent against what arrived. */
static bool body_digests_ok(struct s3_call *call)
{
    struct http_req *req = call->req;
    if (call->chunked) {
        /* The decoder saw the final chunk only if it reached DONE. */
        size_t consumed = 0;
        enum aws_chunked_status st = aws_chunked_feed(call->chunked, "", 0, &consumed, store_decoded, call);
        if (st != AWS_CHUNKED_DONE) {
            s3_fail(call, S3_ERR_INCOMPLETE_BODY, "The request body terminated unexpectedly", NULL);
            return false;
        }
        int alg;
        if (aws_chunked_trailer_checksum(call->chunked, &alg, call->trailer_digest, &call->trailer_digest_len))
            call->trailer_alg = alg;
        const char *dlen = http_req_header(req, "x-amz-decoded-content-length");
        if (dlen && strtoll(dlen, NULL, 10) != call->decoded_bytes) {
            s3_fail(call, S3_ERR_INCOMPLETE_BODY, "You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header", NULL);
            return false;
        }
    }
    unsigned char sha[32];
    const unsigned char *payload_sha = NULL;
    if (call->payload_sha) {
        unsigned int n = 0;
        EVP_DigestFinal_ex(call->payload_sha, sha, &n);
        payload_sha = sha;
    } else if (call->payload_sha_hex && call->blob) {
        payload_sha = blob_writer_sha256(call->blob);
    }
    if (call->payload_sha_hex && payload_sha) {
        char hex[65];
        hex_encode(payload_sha, 32, hex);
        const char *claimed = http_req_header(req, "x-amz-content-sha256");
        if (strcasecmp(hex, claimed) != 0) {
            struct strbuf x;
            strbuf_init(&x);
            strbuf_xml_elem(&x, "ClientComputedContentSHA256", claimed);
            strbuf_xml_elem(&x, "S3ComputedContentSHA256", hex);
            s3_fail(call, S3_ERR_XAMZ_CONTENT_SHA256_MISMATCH,
                    "The provided 'x-amz-content-sha256' header does not match what was computed.",
                    strbuf_failed(&x) ? NULL : x.data);
            strbuf_free(&x);
            return false;
        }
    }
    const char *md5_b64 = http_req_header(req, "content-md5");
    if (md5_b64) {
        unsigned char want[16], got[16];
        long n = base64_decode_strict(md5_b64, strlen(md5_b64), want, sizeof(want));
        if (n != 16) {
            s3_fail(call, S3_ERR_INVALID_DIGEST, "The Content-MD5 you specified was invalid.", NULL);
            return false;
        }
        if (call->blob)
            memcpy(got, blob_writer_md5(call->blob), 16);
        else
            checksum_md5(call->body.data ? call->body.data : "", call->body.len, got);
        if (memcmp(want, got, 16) != 0) {
            s3_fail(call, S3_ERR_BAD_DIGEST, "The Content-MD5 you specified did not match what we received.", NULL);
            return false;
        }
    }
    if (call->header_checksum.alg >= 0) {
        unsigned char got[CHECKSUM_MAX_DIGEST];
        size_t n = body_checksum_final(call, &call->header_checksum, got);
        if (memcmp(got, call->header_checksum_want, n) != 0) {
            char msg[128];
            snprintf(msg, sizeof(msg), "The %s you specified did not match the calculated checksum.",
                     checksum_alg_name((enum checksum_alg)call->header_checksum.alg));
            s3_fail(call, S3_ERR_BAD_DIGEST, msg, NULL);
            return false;
        }
    }
    settle_body_checksum(call);
    return true;
}

#define S3_HANDLER(name, family, action, access, handler, ...) [S3_OP_##name] = handler,
static void (*const handlers[S3_OP__COUNT])(struct s3_call *) = {S3_OPERATIONS(S3_HANDLER)};
#define S3_SERVICE_OP(name, family, action, ...) {#name, #family, action},
static const struct service_op ops[] = {S3_OPERATIONS(S3_SERVICE_OP)};

static void body_complete(struct s3_call *call)
{
    if (!body_digests_ok(call))
        return;
    /* The writes the operation queues carry the request, for the events
     * they may record (storage/s3/notification.h). */
    struct store_origin origin;
    s3_notification_origin(call, &origin);
    store_set_origin(call->store, &origin);
    bool scoped = store_read_scope_begin(call->store) == 0;
    handlers[call->route.op](call);
    if (scoped)
        store_read_scope_end(call->store);
    store_set_origin(call->store, NULL);
}

static void blob_finished(void *arg, int err)
{
    struct s3_call *call = arg;
    if (err) {
        log_error("storing an upload body failed: %s", strerror(err));
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "could not store the body", NULL);
        return;
    }
    body_complete(call);
}

static void body_done(struct http_req *req)
{
    struct s3_call *call = req->handler;
    if (call->blob)
        blob_writer_finish(call->blob, blob_finished, call);
    else
        body_complete(call);
}

static void blob_drained(void *arg)
{
    struct s3_call *call = arg;
    http_req_resume_body(call->req);
}

/* Sets up digest checks and the decoder from the request's headers.
 * Answers and returns false on a bad header. */
static bool prepare_body(struct s3_call *call)
{
    struct http_req *req = call->req;
    call->header_checksum.alg = call->computed_checksum.alg = call->part_crc64.alg = -1;
    call->trailer_alg = -1;
    call->body_checksum_alg = -1;
    /* Presigned URLs and SigV2 sign no payload hash. */
    const char *sha = http_req_header(req, "x-amz-content-sha256");
    if (call->auth.sig.presigned || (call->auth.sigv2 && !sha) || call->auth.status == AUTH_ANONYMOUS)
        sha = "UNSIGNED-PAYLOAD";
    if (!sha) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Missing required header for this request: x-amz-content-sha256", NULL);
        return false;
    }
    enum aws_chunked_mode mode;
    bool streaming = true;
    if (strcmp(sha, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD") == 0)
        mode = AWS_CHUNKED_SIGNED;
    else if (strcmp(sha, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") == 0)
        mode = AWS_CHUNKED_SIGNED_TRAILER;
    else if (strcmp(sha, "STREAMING-UNSIGNED-PAYLOAD-TRAILER") == 0)
        mode = AWS_CHUNKED_UNSIGNED_TRAILER;
    else
        streaming = false;
    if (!streaming && strcmp(sha, "UNSIGNED-PAYLOAD") != 0) {
        unsigned char tmp[32];
        if (strlen(sha) != 64 || hex_decode(sha, 64, tmp, sizeof(tmp)) != 32) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, or a valid sha256 value.",
                    NULL);
            return false;
        }
        call->payload_sha_hex = true;
    }
    if (streaming) {
        char scope[128];
        snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", call->auth.sig.scope_date,
                 call->auth.sig.region, call->auth.sig.service);
        const char *dlen = http_req_header(req, "x-amz-decoded-content-length");
        int64_t decoded = dlen ? strtoll(dlen, NULL, 10) : -1;
        if (decoded > S3_MAX_PUT_SIZE) {
            s3_fail(call, S3_ERR_ENTITY_TOO_LARGE, NULL, NULL);
            return false;
        }
        bool is_signed = mode != AWS_CHUNKED_UNSIGNED_TRAILER;
        bool guest = call->auth.key && !call->auth.key->secret;  /* secret unknown: chunks not checked */
        call->chunked = aws_chunked_new(mode, is_signed && !guest ? call->auth.signing_key : NULL,
                                        is_signed ? call->auth.sig.signature : NULL,
                                        is_signed ? call->auth.sig.amz_date : NULL,
                                        is_signed ? scope : NULL, http_req_header(req, "x-amz-trailer"),
                                        decoded);
        if (!call->chunked) {
            s3_fail(call, S3_ERR_INVALID_REQUEST, "The value specified in the x-amz-trailer header is not supported", NULL);
            return false;
        }
    } else if (req->content_length > S3_MAX_PUT_SIZE) {
        s3_fail(call, S3_ERR_ENTITY_TOO_LARGE, NULL, NULL);
        return false;
    }
    int header_alg = -1;
    /* CompleteMultipartUpload's x-amz-checksum-<alg> is the object's
     * checksum, not its body's (server/s3/multipart.c checks it). */
    for (int alg = 0; alg < CHECKSUM_MD5 && call->route.op != S3_OP_CompleteMultipartUpload; alg++) {
        const char *v = http_req_header(req, checksum_header_name((enum checksum_alg)alg));
        if (!v)
            continue;
        if (header_alg >= 0) {
            s3_fail(call, S3_ERR_INVALID_REQUEST,
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", NULL);
            return false;
        }
        size_t want_len = checksum_digest_len((enum checksum_alg)alg);
        if (base64_decode_strict(v, strlen(v), call->header_checksum_want, sizeof(call->header_checksum_want)) !=
            (long)want_len) {
            char msg[96];
            snprintf(msg, sizeof(msg), "Value for %s header is invalid.", checksum_header_name((enum checksum_alg)alg));
            s3_fail(call, S3_ERR_INVALID_REQUEST, msg, NULL);
            return false;
        }
        header_alg = alg;
    }
    bool to_blob = op_streams_to_blob(call->route.op);
    if (to_blob && !streaming && !req->chunked && req->content_length < 0) {
        s3_fail(call, S3_ERR_MISSING_CONTENT_LENGTH, "You must provide the Content-Length HTTP header.", NULL);
        return false;
    }
    if (to_blob && blob_writer_new(call->store, &call->blob) < 0) {
        log_error("cannot create a writer for an upload: %s", strerror(errno));
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "could not store the body", NULL);
        return false;
    }
    if (call->blob)
        blob_writer_set_drain(call->blob, blob_drained, call);
    if ((header_alg >= 0 && !body_checksum_start(call, &call->header_checksum, header_alg)) ||
        (to_blob && !start_computed_checksums(call))) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return false;
    }
    /* The blob writer hashes decoded bytes; a hex payload hash covers the
     * raw body, which is the same bytes unless aws-chunked. Buffered bodies
     * are hashed here. */
    if (call->payload_sha_hex && !call->blob) {
        call->payload_sha = EVP_MD_CTX_new();
        if (!call->payload_sha || EVP_DigestInit_ex(call->payload_sha, EVP_sha256(), NULL) != 1) {
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
            return false;
        }
    }
    return true;
}

/* Routes, authenticates and authorizes the request, then reads its body;
 * the reads all this does share one read transaction. */
static void start_request(struct s3_call *call);

static void s3_handle_request(struct http_req *req)
{
    struct s3_call *call = calloc(1, sizeof(*call));
    if (!call) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    call->req = req;
    call->srv = req->srv;
    call->store = req->srv->store;
    strbuf_init(&call->body);
    strbuf_init(&call->object_acl);
    req->handler = call;
    req->cleanup = call_cleanup;
    struct store *st = call->store;
    bool scoped = store_read_scope_begin(st) == 0;
    start_request(call);
    if (scoped)
        store_read_scope_end(st);
}

static void start_request(struct s3_call *call)
{
    struct http_req *req = call->req;
    enum s3_err err = s3_route_request(req->method, req->path, req->query, http_req_header(req, "host"),
                                       req->srv->vhost_domains,
                                       http_req_header(req, "x-amz-copy-source") != NULL, &call->route);
    req->op_name = s3_op_name(call->route.op);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    s3_cors_add_headers(call);
    if (call->route.op == S3_OP_PreflightRequest || call->route.op == S3_OP_PostObject) {
        handlers[call->route.op](call);
        return;
    }
    if (!authenticate(call))
        return;
    if (call->route.op == S3_OP_UNKNOWN) {
        log_info("S3 operation not implemented: %s %s (%s)", req->method, req->url,
                 call->route.unsupported ? call->route.unsupported : "?");
        s3_fail(call, S3_ERR_NOT_IMPLEMENTED, NULL, NULL);
        return;
    }
    if (!prepare_body(call))
        return;
    if (call->route.op == S3_OP_PutObject)
        s3_conditional_write_begins(call);
    http_req_read_body(req, body_sink, body_done);
}

static bool s3_claims_request(const struct http_req *req) { return true; }

const struct service_def s3_service_def = {
    .name = "s3",
    .title = "Amazon S3",
    .protocol = SERVICE_REST_XML,
    .ops = ops,
    .n_ops = sizeof(ops) / sizeof(ops[0]),
    .claims = s3_claims_request,
    .handle = s3_handle_request,
    .access_denied = s3_access_denied,
};
