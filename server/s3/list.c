/* s3_list: the listings — ListObjects (v1 and v2), ListObjectVersions,
 * ListMultipartUploads and ListParts — with their common query
 * parameters (max-keys and the like, encoding-type). The store walks keys
 * in order (storage/s3/list.c) and protocol/s3/list.c writes the XML; v2
 * continuation tokens are the base64 of the last key. Everything answers at
 * once, from the request's read scope. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"
#include "protocol/core/base64.h"

/* Parses an integer query parameter in [0, max] with a default; clamps to
 * max as S3 does. Answers InvalidArgument and returns -1 when malformed. */
static int int_param(struct s3_call *call, const char *name, int def, int max, int *out)
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
static int encoding_param(struct s3_call *call, bool *url)
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

/* ---- objects ------------------------------------------------------------- */

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
    if (int_param(call, "max-keys", 1000, 1000, &max_keys) < 0 || encoding_param(call, &url) < 0)
        return;
    const char *q = call->req->query;
    bool present;
    char *prefix = query_param(q, "prefix", &present);
    char *delimiter = query_param(q, "delimiter", &present);
    char *marker = query_param(q, v2 ? "start-after" : "marker", &present);
    char *token = v2 ? query_param(q, "continuation-token", &present) : NULL;
    char *fetch_owner = v2 ? query_param(q, "fetch-owner", &present) : NULL;
    char *token_key = NULL;
    /* An empty token is no token: the listing starts over (and echoes it). */
    if (token && *token) {
        token_key = decode_token(token);
        if (!token_key) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The continuation token provided is incorrect",
                    "<ArgumentName>continuation-token</ArgumentName>");
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

/* ---- versions ------------------------------------------------------------ */

void s3_list_object_versions(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    int max_keys;
    bool url;
    if (int_param(call, "max-keys", 1000, 1000, &max_keys) < 0 || encoding_param(call, &url) < 0)
        return;
    const char *q = call->req->query;
    bool present;
    char *prefix = query_param(q, "prefix", &present);
    char *delimiter = query_param(q, "delimiter", &present);
    char *key_marker = query_param(q, "key-marker", &present);
    char *version_marker = query_param(q, "version-id-marker", &present);
    if (version_marker && *version_marker && (!key_marker || !*key_marker)) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "A version-id marker cannot be specified without a key marker.", NULL);
    } else if (version_marker && *version_marker && !store_version_id_valid(version_marker)) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid version id specified", NULL);
    } else {
        struct s3_list_params params = {
            .prefix = prefix, .delimiter = delimiter, .start_after = key_marker, .max_keys = max_keys};
        struct s3_list_result result;
        enum s3_err err = store_list_object_versions(call->store, call->route.bucket, &params,
                                                     version_marker, &result);
        if (err != S3_OK) {
            s3_fail(call, err, NULL, NULL);
        } else {
            struct s3_list_xml_opts opts = {
                .bucket = call->route.bucket, .prefix = prefix, .delimiter = delimiter,
                .marker = key_marker, .max_keys = max_keys, .url_encode = url};
            struct strbuf xml;
            strbuf_init(&xml);
            s3_list_versions_xml(&xml, &opts, version_marker, &result);
            s3_list_result_free(&result);
            s3_reply_xml(call, &xml);
        }
    }
    free(prefix);
    free(delimiter);
    free(key_marker);
    free(version_marker);
}

/* ---- multipart uploads ---------------------------------------------------- */

void s3_list_multipart_uploads(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    int max_uploads;
    bool url;
    if (int_param(call, "max-uploads", 1000, 1000, &max_uploads) < 0 || encoding_param(call, &url) < 0)
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

/* ---- parts of an upload ---------------------------------------------------- */

void s3_list_parts(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    char *id = s3_upload_id_param(call);
    if (!id)
        return;
    bool present = false;
    char *max_s = query_param(call->req->query, "max-parts", &present);
    char *marker_s = query_param(call->req->query, "part-number-marker", &present);
    int max_parts = max_s ? atoi(max_s) : 1000;
    int marker = marker_s ? atoi(marker_s) : 0;
    free(max_s);
    free(marker_s);
    if (max_parts < 0 || max_parts > 1000)
        max_parts = 1000;
    struct s3_upload upload = {0};
    struct s3_part_list list = {0};
    enum s3_err err = store_list_parts(call->store, call->route.bucket, call->route.key, id, marker, max_parts,
                                       &upload, &list);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
    } else {
        struct strbuf xml;
        strbuf_init(&xml);
        s3_list_parts_xml(&xml, call->route.bucket, call->route.key, &upload, marker, max_parts, &list);
        s3_upload_free(&upload);
        s3_part_list_free(&list);
        s3_reply_xml(call, &xml);
    }
    free(id);
}
