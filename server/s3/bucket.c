/* s3_bucket: bucket operations and listings — ListBuckets, CreateBucket,
 * HeadBucket, DeleteBucket, GetBucketLocation, ListObjects (v1 and v2),
 * ListMultipartUploads and DeleteObjects. Reads answer at once from the
 * store; writes answer from their store completion. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/core/log.h"
#include "server/s3/s3.h"
#include "protocol/core/base64.h"

/* Parses an integer query parameter in [0, max] with a default; clamps to
 * max as S3 does. Answers InvalidArgument and returns -1 when malformed. */
int s3_int_param(struct s3_call *call, const char *name, int def, int max, int *out)
{
    bool present = false;
    char *v = query_param(call->req->query, name, &present);
    *out = def;
    if (!present)
        return 0;
    char *end = NULL;
    errno = 0;
    long n = v ? strtol(v, &end, 10) : -1;
    bool ok = v && *v && end && *end == '\0' && errno == 0 && n >= 0;
    free(v);
    if (!ok) {
        char msg[128];
        snprintf(msg, sizeof(msg), "Provided %s not an integer or within integer range", name);
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, msg, NULL);
        return -1;
    }
    *out = n > max ? max : (int)n;
    return 0;
}

/* encoding-type: absent or "url"; anything else is InvalidArgument. */
int s3_encoding_param(struct s3_call *call, bool *url)
{
    bool present = false;
    char *v = query_param(call->req->query, "encoding-type", &present);
    *url = false;
    if (!present)
        return 0;
    bool ok = v && strcmp(v, "url") == 0;
    free(v);
    if (!ok) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid Encoding Method specified in Request", NULL);
        return -1;
    }
    *url = true;
    return 0;
}

void s3_list_buckets(struct s3_call *call)
{
    struct s3_bucket *buckets = NULL;
    size_t n = 0;
    enum s3_err err = store_list_buckets(call->store, call->account, &buckets, &n);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    s3_list_buckets_xml(&xml, call->account, buckets, n);
    for (size_t i = 0; i < n; i++)
        s3_bucket_free(&buckets[i]);
    free(buckets);
    s3_reply_xml(call, &xml);
}

/* AWS keeps legacy behaviour in us-east-1: re-creating a bucket you own
 * there succeeds; elsewhere it is BucketAlreadyOwnedByYou. */
static bool owned_bucket_in_us_east_1(struct s3_call *call)
{
    struct s3_bucket b;
    if (store_get_bucket(call->store, call->route.bucket, &b) != S3_OK)
        return false;
    bool legacy = strcmp(b.region, "us-east-1") == 0;
    s3_bucket_free(&b);
    return legacy;
}

static void bucket_created(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK &&
        !(res->err == S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU && owned_bucket_in_us_east_1(call))) {
        s3_fail_store(call, res);
        return;
    }
    http_resp_headerf(call->req, "Location", "/%s", call->route.bucket);
    http_resp_send(call->req, 200, NULL, NULL, 0);
}

void s3_create_bucket(struct s3_call *call)
{
    if (!s3_bucket_name_valid(call->route.bucket)) {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "BucketName", call->route.bucket);
        s3_fail(call, S3_ERR_INVALID_BUCKET_NAME, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        return;
    }
    char *region = NULL;
    enum s3_err err = s3_parse_create_bucket(call->body.data, call->body.len, &region);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    if (region && strcmp(region, "us-east-1") == 0) {
        free(region);
        s3_fail(call, S3_ERR_INVALID_LOCATION_CONSTRAINT, "The specified location-constraint is not valid", NULL);
        return;
    }
    const char *use = region ? region : "us-east-1";
    const char *lock = http_req_header(call->req, "x-amz-bucket-object-lock-enabled");
    int queued = lock && strcasecmp(lock, "true") == 0
                     ? store_create_locked_bucket(call->store, call->account, call->route.bucket, use,
                                                  bucket_created, call)
                     : store_create_bucket(call->store, call->account, call->route.bucket, use,
                                           bucket_created, call);
    if (queued < 0)
        s3_fail_unqueued(call);
    free(region);
}

void s3_head_bucket(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    http_resp_header(call->req, "x-amz-bucket-region", b.region);
    http_resp_send(call->req, 200, NULL, NULL, 0);
    s3_bucket_free(&b);
}

void s3_delete_bucket(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    if (store_delete_bucket(call->store, call->route.bucket, s3_answered_204, call) < 0)
        s3_fail_unqueued(call);
}

void s3_get_bucket_location(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    s3_bucket_location_xml(&xml, b.region);
    s3_bucket_free(&b);
    s3_reply_xml(call, &xml);
}

/* v2 continuation tokens are opaque to clients: base64 of the last key. */
static char *encode_token(const char *key)
{
    size_t len = strlen(key);
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        base64_encode((const unsigned char *)key, len, out);
    return out;
}

static char *decode_token(const char *token)
{
    size_t len = strlen(token);
    unsigned char *out = malloc(len + 1);
    if (!out)
        return NULL;
    long n = base64_decode_strict(token, len, out, len);
    if (n <= 0) {
        free(out);
        return NULL;
    }
    out[n] = '\0';
    return (char *)out;
}

static void list_objects(struct s3_call *call, bool v2)
{
    if (!s3_require_owned_bucket(call))
        return;
    int max_keys;
    bool url;
    if (s3_int_param(call, "max-keys", 1000, 1000, &max_keys) < 0 || s3_encoding_param(call, &url) < 0)
        return;
    const char *q = call->req->query;
    bool present;
    char *prefix = query_param(q, "prefix", &present);
    char *delimiter = query_param(q, "delimiter", &present);
    char *marker = query_param(q, v2 ? "start-after" : "marker", &present);
    char *token = v2 ? query_param(q, "continuation-token", &present) : NULL;
    char *fetch_owner = v2 ? query_param(q, "fetch-owner", &present) : NULL;
    char *token_key = NULL;
    if (token) {
        token_key = decode_token(token);
        if (!token_key) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The continuation token provided is incorrect", NULL);
            goto out;
        }
    }
    struct s3_list_params params = {
        .prefix = prefix,
        .delimiter = delimiter,
        .start_after = token_key ? token_key : marker,
        .max_keys = max_keys,
    };
    struct s3_list_result result = {0};
    enum s3_err err = store_list_objects(call->store, call->route.bucket, &params, &result);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        goto out;
    }
    char *next_token = NULL;
    if (v2 && result.is_truncated && result.next_marker)
        next_token = encode_token(result.next_marker);
    struct s3_list_xml_opts opts = {
        .bucket = call->route.bucket,
        .prefix = prefix,
        .delimiter = delimiter,
        .marker = marker,
        .continuation_token = token,
        .next_continuation_token = next_token,
        .max_keys = max_keys,
        .v2 = v2,
        .url_encode = url,
        .fetch_owner = !v2 || (fetch_owner && strcmp(fetch_owner, "true") == 0),
    };
    struct strbuf xml;
    strbuf_init(&xml);
    s3_list_objects_xml(&xml, &opts, &result);
    s3_list_result_free(&result);
    free(next_token);
    s3_reply_xml(call, &xml);
out:
    free(prefix);
    free(delimiter);
    free(marker);
    free(token);
    free(token_key);
    free(fetch_owner);
}

void s3_list_objects(struct s3_call *call)
{
    list_objects(call, false);
}

void s3_list_objects_v2(struct s3_call *call)
{
    list_objects(call, true);
}

void s3_list_multipart_uploads(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    int max_uploads;
    bool url;
    if (s3_int_param(call, "max-uploads", 1000, 1000, &max_uploads) < 0 || s3_encoding_param(call, &url) < 0)
        return;
    const char *q = call->req->query;
    bool present;
    char *prefix = query_param(q, "prefix", &present);
    char *delimiter = query_param(q, "delimiter", &present);
    char *key_marker = query_param(q, "key-marker", &present);
    char *id_marker = query_param(q, "upload-id-marker", &present);
    struct s3_upload_list list = {0};
    enum s3_err err = store_list_uploads(call->store, call->route.bucket, prefix, delimiter, key_marker, id_marker,
                             max_uploads, &list);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
    } else {
        struct strbuf xml;
        strbuf_init(&xml);
        s3_list_uploads_xml(&xml, call->route.bucket, prefix, delimiter, key_marker, id_marker,
                            max_uploads, url, &list);
        s3_upload_list_free(&list);
        s3_reply_xml(call, &xml);
    }
    free(prefix);
    free(delimiter);
    free(key_marker);
    free(id_marker);
}

static void objects_deleted(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    s3_delete_result_xml(&xml, res->deleted, res->n_deleted, call->quiet);
    s3_reply_xml(call, &xml);
}

void s3_delete_objects(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    enum s3_err err = s3_parse_delete_objects(call->body.data, call->body.len, &call->keys, &call->version_ids,
                                  &call->n_keys, &call->quiet);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    const char *bypass = http_req_header(call->req, "x-amz-bypass-governance-retention");
    if (store_delete_versions(call->store, call->route.bucket, (const char *const *)call->keys,
                              (const char *const *)call->version_ids, call->n_keys,
                              bypass && strcasecmp(bypass, "true") == 0, objects_deleted, call) < 0)
        s3_fail_unqueued(call);
}
