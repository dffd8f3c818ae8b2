/* s3_multipart: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload and AbortMultipartUpload (ListParts is a
 * listing, server/s3/list.c). Parts are
 * blobs; completing an upload makes the object out of the parts' blobs
 * without copying (storage/ checks order, ETags and sizes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/base64.h"
#include "server/core/log.h"
#include "server/s3/s3.h"

char *s3_upload_id_param(struct s3_call *call)
{
    bool present = false;
    char *id = query_param(call->req->query, "uploadId", &present);
    if (!id || !*id) {
        free(id);
        s3_fail(call, S3_ERR_NO_SUCH_UPLOAD, NULL, NULL);
        return NULL;
    }
    return id;
}

bool s3_part_number_param(struct s3_call *call, int *out)
{
    bool present = false;
    char *v = query_param(call->req->query, "partNumber", &present);
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    bool ok = v && *v && end && *end == '\0' && n >= 1 && n <= 10000;
    if (!ok) {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "ArgumentName", "partNumber");
        strbuf_xml_elem(&x, "ArgumentValue", v ? v : "");
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Part number must be an integer between 1 and 10000, inclusive",
                strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
    }
    free(v);
    if (ok)
        *out = (int)n;
    return ok;
}

static void upload_created(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    const char *alg, *type;
    if (s3_checksum_algorithm_param(call, &alg, &type) && alg) {
        http_resp_header(call->req, "x-amz-checksum-algorithm", alg);
        http_resp_header(call->req, "x-amz-checksum-type", type);
    }
    s3_sse_add_headers(call, &call->sse, true);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_initiate_upload_xml(&xml, call->route.bucket, call->route.key, res->upload_id);
    s3_reply_xml(call, &xml);
}

void s3_create_multipart_upload(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    struct store_lock lock;
    char lock_mode[12];
    struct s3_sse_headers sse;
    s3_sse_request_headers(call, &sse);
    bool lock_ok = s3_lock_headers(call, &b, &lock, lock_mode) && s3_sse_for_write(call, &b, &sse);
    s3_bucket_free(&b);
    const char *storage_class, *checksum_alg, *checksum_type;
    if (!lock_ok || !s3_storage_class_param(call, &storage_class) ||
        !s3_checksum_algorithm_param(call, &checksum_alg, &checksum_type))
        return;
    struct s3_kv *tags;
    size_t n_tags;
    if (!s3_tagging_header(call, &tags, &n_tags))
        return;
    struct s3_content_headers content;
    struct s3_kv *meta;
    size_t n_meta;
    if (s3_request_content(call, &content, &meta, &n_meta) < 0) {
        s3_kv_free_array(tags, n_tags);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    struct store_create_upload cu = {
        .bucket = call->route.bucket,
        .key = call->route.key,
        .account = call->account,
        .content = &content,
        .user_meta = meta,
        .n_user_meta = n_meta,
        .storage_class = storage_class,
        .tags = tags,
        .n_tags = n_tags,
        .lock = lock,
        .checksum = {.alg = checksum_alg, .type = checksum_type},
        .acl = call->object_acl.len ? call->object_acl.data : NULL,
        .sse = &call->sse,
    };
    if (store_create_upload(call->store, &cu, upload_created, call) < 0)
        s3_fail_unqueued(call);
    s3_content_headers_free(&content);
    s3_kv_free_array(meta, n_meta);
    s3_kv_free_array(tags, n_tags);
}

static void part_stored(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    http_resp_headerf(call->req, "ETag", "\"%s\"", res->etag);
    s3_add_checksum_headers(call, false);
    s3_sse_add_headers(call, &call->upload.sse, false);
    http_resp_send(call->req, 200, NULL, NULL, 0);
}

/* A part (UploadPart, UploadPartCopy, and CompleteMultipartUpload when it
 * names one) carries the SSE-C key the upload was created with, if any.
 * Answers and returns false when not. */
static bool part_key_ok(struct s3_call *call, const struct s3_upload *upload, bool required)
{
    char md5[25];
    if (!s3_sse_request_customer_key(call, false, md5))
        return false;
    const char *message = NULL;
    enum s3_err err = S3_OK;
    if (!upload->sse.customer_key_md5[0] && md5[0]) {
        err = S3_ERR_INVALID_REQUEST;
        message = "The encryption parameters are not applicable to this object.";
    } else if (upload->sse.customer_key_md5[0] && !md5[0] && required) {
        err = S3_ERR_INVALID_REQUEST;
        message = "The multipart upload initiate requested encryption. Subsequent part requests must include the "
                  "appropriate encryption parameters.";
    } else if (md5[0] && strcmp(md5, upload->sse.customer_key_md5) != 0) {
        err = S3_ERR_INVALID_ARGUMENT;
        message = "The provided encryption parameters did not match the ones used originally.";
    }
    if (err != S3_OK)
        s3_fail(call, err, message, NULL);
    return err == S3_OK;
}

/* The upload the request names, for its encryption; answers NoSuchUpload
 * (or NoSuchBucket) and returns false when there is none. */
static bool load_upload(struct s3_call *call, const char *id, struct s3_upload *upload)
{
    struct s3_part_list parts;
    enum s3_err err = store_list_parts(call->store, call->route.bucket, call->route.key, id, 0, 0, upload, &parts);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return false;
    }
    s3_part_list_free(&parts);
    return true;
}

void s3_upload_part(struct s3_call *call)
{
    int part;
    if (!s3_require_owned_bucket(call) || !s3_part_number_param(call, &part))
        return;
    if (call->upload_checksum_alg >= 0 && call->body_checksum_alg != call->upload_checksum_alg) {
        char msg[160];
        snprintf(msg, sizeof(msg),
                 "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
                 checksum_alg_name((enum checksum_alg)call->upload_checksum_alg),
                 call->body_checksum_alg >= 0 ? checksum_alg_name((enum checksum_alg)call->body_checksum_alg)
                                              : "null");
        s3_fail(call, S3_ERR_INVALID_REQUEST, msg, NULL);
        return;
    }
    char *id = s3_upload_id_param(call);
    if (!id)
        return;
    if (call->upload.upload_id && !part_key_ok(call, &call->upload, true)) {
        free(id);
        return;
    }
    struct blob_writer *body = call->blob;
    call->blob = NULL;
    struct store_checksum checksum = {
        .alg = call->body_checksum_alg >= 0 ? checksum_alg_name((enum checksum_alg)call->body_checksum_alg)
                                            : NULL,
        .value = call->body_checksum,
    };
    if (store_put_part(call->store, call->route.bucket, call->route.key, id, part, body, &checksum,
                       call->body_crc64nvme, part_stored, call) < 0)
        s3_fail_unqueued(call);
    free(id);
}

static void part_copied(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    if (res->source_version_id[0])
        http_resp_header(call->req, "x-amz-copy-source-version-id", res->source_version_id);
    s3_sse_add_headers(call, &call->upload.sse, false);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_copy_part_result_xml(&xml, res->etag, res->last_modified_ms, res->checksum_alg, res->checksum);
    s3_reply_xml(call, &xml);
}

/* x-amz-copy-source-range: "bytes=first-last", both required. */
static bool copy_range_param(struct s3_call *call, int64_t *first, int64_t *last)
{
    const char *h = http_req_header(call->req, "x-amz-copy-source-range");
    *first = -1;
    *last = -1;
    if (!h)
        return true;
    long long a, b;
    char tail;
    if (sscanf(h, "bytes=%lld-%lld%c", &a, &b, &tail) != 2 || a < 0 || b < a) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
                NULL);
        return false;
    }
    *first = a;
    *last = b;
    return true;
}

void s3_upload_part_copy(struct s3_call *call)
{
    int part;
    int64_t first, last;
    if (!s3_require_owned_bucket(call) || !s3_part_number_param(call, &part) || !copy_range_param(call, &first, &last))
        return;
    char *id = s3_upload_id_param(call);
    if (!id)
        return;
    struct s3_copy_source_req src;
    if (!load_upload(call, id, &call->upload) || !part_key_ok(call, &call->upload, true) ||
        !s3_copy_source_param(call, &src)) {
        free(id);
        return;
    }
    if (store_put_part_copy(call->store, call->route.bucket, call->route.key, id, part, &src.source, first, last,
                            part_copied, call) < 0)
        s3_fail_unqueued(call);
    free(id);
    s3_copy_source_free(&src);
}

static void upload_completed(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    const char *host = http_req_header(call->req, "host");
    struct strbuf location;
    strbuf_init(&location);
    strbuf_printf(&location, "http://%s/%s/", host ? host : "localhost", call->route.bucket);
    percent_encode(&location, call->route.key, strlen(call->route.key), true);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_complete_upload_xml(&xml, location.data ? location.data : "", call->route.bucket, call->route.key, res->etag,
                           res->checksum_alg, res->checksum, res->checksum_type);
    strbuf_free(&location);
    s3_add_version_header(call, res->version_id);
    if (!res->sse.customer_key_md5[0])     /* S3 does not report SSE-C here */
        s3_sse_add_headers(call, &res->sse, false);
    s3_reply_xml(call, &xml);
}

/* What CompleteMultipartUpload's headers state of the object: its checksum
 * (x-amz-checksum-<alg>: base64, "-N" allowed for COMPOSITE), checksum type
 * and size (x-amz-mp-object-size). Answers and returns false when one is
 * malformed. */
static bool stated_object(struct s3_call *call, struct store_complete *c)
{
    struct http_req *req = call->req;
    for (int alg = 0; alg < CHECKSUM_MD5; alg++) {
        const char *name = checksum_header_name((enum checksum_alg)alg);
        const char *v = http_req_header(req, name);
        if (!v)
            continue;
        unsigned char digest[CHECKSUM_MAX_DIGEST];
        const char *dash = strchr(v, '-');
        size_t len = dash ? (size_t)(dash - v) : strlen(v);
        char msg[96];
        if (c->checksum.alg) {
            s3_fail(call, S3_ERR_INVALID_REQUEST,
                    "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", NULL);
            return false;
        }
        if (base64_decode_strict(v, len, digest, sizeof(digest)) != (long)checksum_digest_len((enum checksum_alg)alg) ||
            (dash && strspn(dash + 1, "0123456789") != strlen(dash + 1))) {
            snprintf(msg, sizeof(msg), "Value for %s header is invalid.", name);
            s3_fail(call, S3_ERR_INVALID_REQUEST, msg, NULL);
            return false;
        }
        c->checksum.alg = checksum_alg_name((enum checksum_alg)alg);
        c->checksum.value = v;
    }
    const char *type = http_req_header(req, "x-amz-checksum-type");
    if (type && strcmp(type, "FULL_OBJECT") != 0 && strcmp(type, "COMPOSITE") != 0) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Value for x-amz-checksum-type header is invalid.", NULL);
        return false;
    }
    c->checksum.type = type;
    const char *size = http_req_header(req, "x-amz-mp-object-size");
    c->object_size = -1;
    if (size) {
        char *end;
        errno = 0;
        long long n = strtoll(size, &end, 10);
        if (errno || end == size || *end || n < 0) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Value for x-amz-mp-object-size header is invalid.", NULL);
            return false;
        }
        c->object_size = n;
    }
    return true;
}

void s3_complete_multipart_upload(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    char *id = s3_upload_id_param(call);
    if (!id)
        return;
    struct store_complete c = {.bucket = call->route.bucket, .key = call->route.key, .upload_id = id};
    char if_match[80];
    bool names_key = http_req_header(call->req, "x-amz-server-side-encryption-customer-algorithm") ||
                     http_req_header(call->req, "x-amz-server-side-encryption-customer-key");
    if (!s3_write_condition(call, &c.condition, if_match) || !stated_object(call, &c) ||
        (names_key && (!load_upload(call, id, &call->upload) || !part_key_ok(call, &call->upload, false)))) {
        free(id);
        return;
    }
    enum s3_err err = s3_parse_complete_upload(call->body.data, call->body.len, &call->parts, &call->n_parts);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        free(id);
        return;
    }
    c.parts = call->parts;
    c.n_parts = call->n_parts;
    if (store_complete_upload(call->store, &c, upload_completed, call) < 0)
        s3_fail_unqueued(call);
    free(id);
}

void s3_abort_multipart_upload(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    char *id = s3_upload_id_param(call);
    if (!id)
        return;
    if (store_abort_upload(call->store, call->route.bucket, call->route.key, id, s3_answered_204, call) < 0)
        s3_fail_unqueued(call);
    free(id);
}
