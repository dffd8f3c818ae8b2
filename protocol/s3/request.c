/* protocol/s3 requests: turns (method, path, query, Host) into one S3
 * operation with its bucket and key, before any work is done; plus the
 * bucket-name rules, percent-encoding and query-parameter lookup.
 *
 * Routing runs in three steps. The query is split and every parameter name
 * decoded (bad encoding is InvalidURI). The bucket comes from the Host header
 * when it is "<bucket>.<vhost domain>", else from the first path segment;
 * the rest of the path, decoded, is the key. The method and the
 * subresources present ("uploads", "uploadId", "location", "cors", ...)
 * pick the operation, and then every parameter must be one that operation
 * knows: anything else makes the request S3_OP_UNKNOWN so the server answers
 * NotImplemented instead of silently ignoring a feature. OPTIONS is a CORS
 * preflight on whatever bucket and key it names. */
#include "protocol/s3/s3.h"

#include "protocol/core/percent.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S3_MAX_KEY_BYTES 1024

static const char *const op_names[S3_OP__COUNT] = {
    [S3_OP_UNKNOWN] = "Unknown",
    [S3_OP_LIST_BUCKETS] = "ListBuckets",
    [S3_OP_CREATE_BUCKET] = "CreateBucket",
    [S3_OP_HEAD_BUCKET] = "HeadBucket",
    [S3_OP_DELETE_BUCKET] = "DeleteBucket",
    [S3_OP_GET_BUCKET_LOCATION] = "GetBucketLocation",
    [S3_OP_LIST_OBJECTS] = "ListObjects",
    [S3_OP_LIST_OBJECTS_V2] = "ListObjectsV2",
    [S3_OP_LIST_MULTIPART_UPLOADS] = "ListMultipartUploads",
    [S3_OP_DELETE_OBJECTS] = "DeleteObjects",
    [S3_OP_PUT_OBJECT] = "PutObject",
    [S3_OP_COPY_OBJECT] = "CopyObject",
    [S3_OP_GET_OBJECT] = "GetObject",
    [S3_OP_HEAD_OBJECT] = "HeadObject",
    [S3_OP_DELETE_OBJECT] = "DeleteObject",
    [S3_OP_CREATE_MULTIPART_UPLOAD] = "CreateMultipartUpload",
    [S3_OP_UPLOAD_PART] = "UploadPart",
    [S3_OP_UPLOAD_PART_COPY] = "UploadPartCopy",
    [S3_OP_COMPLETE_MULTIPART_UPLOAD] = "CompleteMultipartUpload",
    [S3_OP_ABORT_MULTIPART_UPLOAD] = "AbortMultipartUpload",
    [S3_OP_LIST_PARTS] = "ListParts",
    [S3_OP_GET_BUCKET_POLICY] = "GetBucketPolicy",
    [S3_OP_PUT_BUCKET_POLICY] = "PutBucketPolicy",
    [S3_OP_DELETE_BUCKET_POLICY] = "DeleteBucketPolicy",
    [S3_OP_GET_BUCKET_POLICY_STATUS] = "GetBucketPolicyStatus",
    [S3_OP_GET_BUCKET_ACL] = "GetBucketAcl",
    [S3_OP_PUT_BUCKET_ACL] = "PutBucketAcl",
    [S3_OP_GET_OBJECT_ACL] = "GetObjectAcl",
    [S3_OP_PUT_OBJECT_ACL] = "PutObjectAcl",
    [S3_OP_GET_BUCKET_CORS] = "GetBucketCors",
    [S3_OP_PUT_BUCKET_CORS] = "PutBucketCors",
    [S3_OP_DELETE_BUCKET_CORS] = "DeleteBucketCors",
    [S3_OP_GET_BUCKET_LIFECYCLE] = "GetBucketLifecycleConfiguration",
    [S3_OP_PUT_BUCKET_LIFECYCLE] = "PutBucketLifecycleConfiguration",
    [S3_OP_DELETE_BUCKET_LIFECYCLE] = "DeleteBucketLifecycle",
    [S3_OP_GET_BUCKET_ENCRYPTION] = "GetBucketEncryption",
    [S3_OP_PUT_BUCKET_ENCRYPTION] = "PutBucketEncryption",
    [S3_OP_DELETE_BUCKET_ENCRYPTION] = "DeleteBucketEncryption",
    [S3_OP_GET_PUBLIC_ACCESS_BLOCK] = "GetPublicAccessBlock",
    [S3_OP_PUT_PUBLIC_ACCESS_BLOCK] = "PutPublicAccessBlock",
    [S3_OP_DELETE_PUBLIC_ACCESS_BLOCK] = "DeletePublicAccessBlock",
    [S3_OP_GET_BUCKET_OWNERSHIP_CONTROLS] = "GetBucketOwnershipControls",
    [S3_OP_PUT_BUCKET_OWNERSHIP_CONTROLS] = "PutBucketOwnershipControls",
    [S3_OP_DELETE_BUCKET_OWNERSHIP_CONTROLS] = "DeleteBucketOwnershipControls",
    [S3_OP_GET_BUCKET_WEBSITE] = "GetBucketWebsite",
    [S3_OP_PUT_BUCKET_WEBSITE] = "PutBucketWebsite",
    [S3_OP_DELETE_BUCKET_WEBSITE] = "DeleteBucketWebsite",
    [S3_OP_GET_BUCKET_LOGGING] = "GetBucketLogging",
    [S3_OP_PUT_BUCKET_LOGGING] = "PutBucketLogging",
    [S3_OP_GET_BUCKET_REQUEST_PAYMENT] = "GetBucketRequestPayment",
    [S3_OP_PUT_BUCKET_REQUEST_PAYMENT] = "PutBucketRequestPayment",
    [S3_OP_GET_BUCKET_ACCELERATE] = "GetBucketAccelerateConfiguration",
    [S3_OP_PUT_BUCKET_ACCELERATE] = "PutBucketAccelerateConfiguration",
    [S3_OP_GET_BUCKET_REPLICATION] = "GetBucketReplication",
    [S3_OP_PUT_BUCKET_REPLICATION] = "PutBucketReplication",
    [S3_OP_DELETE_BUCKET_REPLICATION] = "DeleteBucketReplication",
    [S3_OP_CORS_PREFLIGHT] = "PreflightRequest",
    [S3_OP_GET_BUCKET_VERSIONING] = "GetBucketVersioning",
    [S3_OP_PUT_BUCKET_VERSIONING] = "PutBucketVersioning",
    [S3_OP_LIST_OBJECT_VERSIONS] = "ListObjectVersions",
    [S3_OP_GET_OBJECT_LOCK_CONFIGURATION] = "GetObjectLockConfiguration",
    [S3_OP_PUT_OBJECT_LOCK_CONFIGURATION] = "PutObjectLockConfiguration",
    [S3_OP_GET_BUCKET_TAGGING] = "GetBucketTagging",
    [S3_OP_PUT_BUCKET_TAGGING] = "PutBucketTagging",
    [S3_OP_DELETE_BUCKET_TAGGING] = "DeleteBucketTagging",
    [S3_OP_GET_OBJECT_TAGGING] = "GetObjectTagging",
    [S3_OP_PUT_OBJECT_TAGGING] = "PutObjectTagging",
    [S3_OP_DELETE_OBJECT_TAGGING] = "DeleteObjectTagging",
    [S3_OP_GET_OBJECT_RETENTION] = "GetObjectRetention",
    [S3_OP_PUT_OBJECT_RETENTION] = "PutObjectRetention",
    [S3_OP_GET_OBJECT_LEGAL_HOLD] = "GetObjectLegalHold",
    [S3_OP_PUT_OBJECT_LEGAL_HOLD] = "PutObjectLegalHold",
    [S3_OP_GET_BUCKET_NOTIFICATION] = "GetBucketNotificationConfiguration",
    [S3_OP_PUT_BUCKET_NOTIFICATION] = "PutBucketNotificationConfiguration",
    [S3_OP_GET_OBJECT_ATTRIBUTES] = "GetObjectAttributes",
    [S3_OP_POST_OBJECT] = "PostObject",
};

const char *s3_op_name(enum s3_op op)
{
    if ((unsigned)op >= S3_OP__COUNT)
        return op_names[S3_OP_UNKNOWN];
    return op_names[op];
}

/* ---- query parameters ---------------------------------------------- */

/* One "name[=value]" piece of a raw query string, still encoded. */
struct raw_param {
    const char *name;
    size_t name_len;
    const char *value;             /* NULL when there is no '=' */
    size_t value_len;
};

/* Advances *cursor past the next non-empty '&'-separated piece. */
static bool next_raw_param(const char **cursor, struct raw_param *p)
{
    const char *s = *cursor;
    while (*s == '&')
        s++;
    if (!*s)
        return false;
    const char *end = strchr(s, '&');
    if (!end)
        end = s + strlen(s);
    const char *eq = memchr(s, '=', (size_t)(end - s));
    p->name = s;
    p->name_len = (size_t)((eq ? eq : end) - s);
    p->value = eq ? eq + 1 : NULL;
    p->value_len = eq ? (size_t)(end - eq - 1) : 0;
    *cursor = end;
    return true;
}

/* The decoded names (and values) of every query parameter, in order. */
struct param_list {
    char **names;
    char **values;
    size_t n;
};

static void param_list_free(struct param_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->names[i]);
        free(l->values[i]);
    }
    free(l->names);
    free(l->values);
    memset(l, 0, sizeof(*l));
}

static enum s3_err decode_error(void)
{
    return errno == ENOMEM ? S3_ERR_INTERNAL_ERROR : S3_ERR_INVALID_URI;
}

static enum s3_err param_list_parse(const char *query, struct param_list *l)
{
    memset(l, 0, sizeof(*l));
    size_t cap = 0;
    const char *cursor = query ? query : "";
    struct raw_param p;
    while (next_raw_param(&cursor, &p)) {
        if (l->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **names = realloc(l->names, ncap * sizeof(*names));
            if (!names)
                return S3_ERR_INTERNAL_ERROR;
            l->names = names;
            char **values = realloc(l->values, ncap * sizeof(*values));
            if (!values)
                return S3_ERR_INTERNAL_ERROR;
            l->values = values;
            cap = ncap;
        }
        char *name = percent_decode(p.name, p.name_len, PERCENT_PLUS_IS_SPACE, NULL);
        if (!name)
            return decode_error();
        char *value = percent_decode(p.value ? p.value : "", p.value_len, PERCENT_PLUS_IS_SPACE, NULL);
        if (!value) {
            free(name);
            return decode_error();
        }
        l->names[l->n] = name;
        l->values[l->n] = value;
        l->n++;
    }
    return S3_OK;
}

static const char *param_value(const struct param_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return l->values[i];
    return NULL;
}

static bool has_param(const struct param_list *l, const char *name)
{
    return param_value(l, name) != NULL;
}

/* ---- which parameters each operation accepts ------------------------ */

static const char *const list_buckets_params[] = {
    "max-buckets", "continuation-token", "prefix", "bucket-region", NULL};
static const char *const no_params[] = {NULL};
static const char *const location_params[] = {"location", NULL};
static const char *const list_objects_params[] = {
    "prefix", "delimiter", "marker", "max-keys", "encoding-type", "list-type", NULL};
static const char *const list_objects_v2_params[] = {
    "list-type", "prefix", "delimiter", "max-keys", "encoding-type",
    "continuation-token", "start-after", "fetch-owner", NULL};
static const char *const list_uploads_params[] = {
    "uploads", "prefix", "delimiter", "key-marker", "upload-id-marker",
    "max-uploads", "encoding-type", NULL};
static const char *const delete_objects_params[] = {"delete", NULL};
static const char *const upload_part_params[] = {"partNumber", "uploadId", NULL};
static const char *const read_object_params[] = {
    "versionId", "partNumber", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "response-content-language", "response-content-type",
    "response-expires", NULL};
static const char *const create_upload_params[] = {"uploads", NULL};
static const char *const upload_id_params[] = {"uploadId", NULL};
static const char *const list_parts_params[] = {
    "uploadId", "max-parts", "part-number-marker", NULL};

/* Bucket configuration subresources: "?cors" and the method pick the
 * operation; the subresource is the only parameter it takes. */
struct config_route {
    const char *const params[2];
    enum s3_op get, put, del;
};
static const struct config_route bucket_config_routes[] = {
    {{"policy", NULL}, S3_OP_GET_BUCKET_POLICY, S3_OP_PUT_BUCKET_POLICY, S3_OP_DELETE_BUCKET_POLICY},
    {{"policyStatus", NULL}, S3_OP_GET_BUCKET_POLICY_STATUS, S3_OP_UNKNOWN, S3_OP_UNKNOWN},
    {{"acl", NULL}, S3_OP_GET_BUCKET_ACL, S3_OP_PUT_BUCKET_ACL, S3_OP_UNKNOWN},
    {{"cors", NULL}, S3_OP_GET_BUCKET_CORS, S3_OP_PUT_BUCKET_CORS, S3_OP_DELETE_BUCKET_CORS},
    {{"lifecycle", NULL}, S3_OP_GET_BUCKET_LIFECYCLE, S3_OP_PUT_BUCKET_LIFECYCLE, S3_OP_DELETE_BUCKET_LIFECYCLE},
    {{"encryption", NULL}, S3_OP_GET_BUCKET_ENCRYPTION, S3_OP_PUT_BUCKET_ENCRYPTION, S3_OP_DELETE_BUCKET_ENCRYPTION},
    {{"publicAccessBlock", NULL}, S3_OP_GET_PUBLIC_ACCESS_BLOCK, S3_OP_PUT_PUBLIC_ACCESS_BLOCK,
     S3_OP_DELETE_PUBLIC_ACCESS_BLOCK},
    {{"ownershipControls", NULL}, S3_OP_GET_BUCKET_OWNERSHIP_CONTROLS, S3_OP_PUT_BUCKET_OWNERSHIP_CONTROLS,
     S3_OP_DELETE_BUCKET_OWNERSHIP_CONTROLS},
    {{"website", NULL}, S3_OP_GET_BUCKET_WEBSITE, S3_OP_PUT_BUCKET_WEBSITE, S3_OP_DELETE_BUCKET_WEBSITE},
    {{"logging", NULL}, S3_OP_GET_BUCKET_LOGGING, S3_OP_PUT_BUCKET_LOGGING, S3_OP_UNKNOWN},
    {{"requestPayment", NULL}, S3_OP_GET_BUCKET_REQUEST_PAYMENT, S3_OP_PUT_BUCKET_REQUEST_PAYMENT, S3_OP_UNKNOWN},
    {{"accelerate", NULL}, S3_OP_GET_BUCKET_ACCELERATE, S3_OP_PUT_BUCKET_ACCELERATE, S3_OP_UNKNOWN},
    {{"replication", NULL}, S3_OP_GET_BUCKET_REPLICATION, S3_OP_PUT_BUCKET_REPLICATION,
     S3_OP_DELETE_BUCKET_REPLICATION},
    {{"versioning", NULL}, S3_OP_GET_BUCKET_VERSIONING, S3_OP_PUT_BUCKET_VERSIONING, S3_OP_UNKNOWN},
    {{"object-lock", NULL}, S3_OP_GET_OBJECT_LOCK_CONFIGURATION, S3_OP_PUT_OBJECT_LOCK_CONFIGURATION,
     S3_OP_UNKNOWN},
    {{"tagging", NULL}, S3_OP_GET_BUCKET_TAGGING, S3_OP_PUT_BUCKET_TAGGING, S3_OP_DELETE_BUCKET_TAGGING},
    {{"notification", NULL}, S3_OP_GET_BUCKET_NOTIFICATION, S3_OP_PUT_BUCKET_NOTIFICATION,
     S3_OP_UNKNOWN},
};
#define N_BUCKET_CONFIG_ROUTES (sizeof(bucket_config_routes) / sizeof(bucket_config_routes[0]))
static const char *const object_acl_params[] = {"acl", NULL};
static const char *const list_versions_params[] = {
    "versions", "prefix", "delimiter", "key-marker", "version-id-marker", "max-keys",
    "encoding-type", NULL};
static const char *const version_id_params[] = {"versionId", NULL};

/* Object subresources that take an optional versionId: "?tagging" and the
 * method pick the operation. */
struct object_subresource_route {
    const char *const params[3];
    enum s3_op get, put, del;
};
static const struct object_subresource_route object_subresource_routes[] = {
    {{"tagging", "versionId", NULL}, S3_OP_GET_OBJECT_TAGGING, S3_OP_PUT_OBJECT_TAGGING,
     S3_OP_DELETE_OBJECT_TAGGING},
    {{"retention", "versionId", NULL}, S3_OP_GET_OBJECT_RETENTION, S3_OP_PUT_OBJECT_RETENTION,
     S3_OP_UNKNOWN},
    {{"legal-hold", "versionId", NULL}, S3_OP_GET_OBJECT_LEGAL_HOLD, S3_OP_PUT_OBJECT_LEGAL_HOLD,
     S3_OP_UNKNOWN},
    {{"attributes", "versionId", NULL}, S3_OP_GET_OBJECT_ATTRIBUTES, S3_OP_UNKNOWN, S3_OP_UNKNOWN},
};
#define N_OBJECT_SUBRESOURCE_ROUTES \
    (sizeof(object_subresource_routes) / sizeof(object_subresource_routes[0]))

/* The subresource operation for an object request, or S3_OP_UNKNOWN. */
static enum s3_op object_subresource_op(const char *method, const struct param_list *l)
{
    for (size_t i = 0; i < N_OBJECT_SUBRESOURCE_ROUTES; i++) {
        const struct object_subresource_route *r = &object_subresource_routes[i];
        if (!has_param(l, r->params[0]))
            continue;
        if (strcmp(method, "GET") == 0)
            return r->get;
        if (strcmp(method, "PUT") == 0)
            return r->put;
        if (strcmp(method, "DELETE") == 0)
            return r->del;
        return S3_OP_UNKNOWN;
    }
    return S3_OP_UNKNOWN;
}

/* The configuration operation for a bucket request, or S3_OP_UNKNOWN. */
static enum s3_op bucket_config_op(const char *method, const struct param_list *l)
{
    for (size_t i = 0; i < N_BUCKET_CONFIG_ROUTES; i++) {
        const struct config_route *r = &bucket_config_routes[i];
        if (!has_param(l, r->params[0]))
            continue;
        if (strcmp(method, "GET") == 0)
            return r->get;
        if (strcmp(method, "PUT") == 0)
            return r->put;
        if (strcmp(method, "DELETE") == 0)
            return r->del;
        return S3_OP_UNKNOWN;
    }
    return S3_OP_UNKNOWN;
}

static const char *const *op_params(enum s3_op op)
{
    for (size_t i = 0; i < N_BUCKET_CONFIG_ROUTES; i++) {
        const struct config_route *r = &bucket_config_routes[i];
        if (op != S3_OP_UNKNOWN && (op == r->get || op == r->put || op == r->del))
            return r->params;
    }
    for (size_t i = 0; i < N_OBJECT_SUBRESOURCE_ROUTES; i++) {
        const struct object_subresource_route *r = &object_subresource_routes[i];
        if (op != S3_OP_UNKNOWN && (op == r->get || op == r->put || op == r->del))
            return r->params;
    }
    switch (op) {
    case S3_OP_LIST_OBJECT_VERSIONS: return list_versions_params;
    case S3_OP_DELETE_OBJECT: return version_id_params;
    case S3_OP_GET_OBJECT_ACL:
    case S3_OP_PUT_OBJECT_ACL: return object_acl_params;
    case S3_OP_LIST_BUCKETS: return list_buckets_params;
    case S3_OP_GET_BUCKET_LOCATION: return location_params;
    case S3_OP_LIST_OBJECTS: return list_objects_params;
    case S3_OP_LIST_OBJECTS_V2: return list_objects_v2_params;
    case S3_OP_LIST_MULTIPART_UPLOADS: return list_uploads_params;
    case S3_OP_DELETE_OBJECTS: return delete_objects_params;
    case S3_OP_UPLOAD_PART:
    case S3_OP_UPLOAD_PART_COPY: return upload_part_params;
    case S3_OP_GET_OBJECT:
    case S3_OP_HEAD_OBJECT: return read_object_params;
    case S3_OP_CREATE_MULTIPART_UPLOAD: return create_upload_params;
    case S3_OP_COMPLETE_MULTIPART_UPLOAD:
    case S3_OP_ABORT_MULTIPART_UPLOAD: return upload_id_params;
    case S3_OP_LIST_PARTS: return list_parts_params;
    default: return no_params;
    }
}

/* Parameters any request may carry: boto3's x-id, and the signing
 * parameters of presigned URLs — X-Amz-* for SigV4 (with headers hoisted
 * into the query), AWSAccessKeyId, Signature and Expires for SigV2. */
static bool is_common_param(const char *name)
{
    return strcmp(name, "x-id") == 0 || strncasecmp(name, "x-amz-", 6) == 0 ||
           strcmp(name, "AWSAccessKeyId") == 0 || strcmp(name, "Signature") == 0 ||
           strcmp(name, "Expires") == 0;
}

/* S3 subresources and parameters we recognise but do not implement; the
 * route's `unsupported` points at these static names. */
static const char *const known_unsupported[] = {
    "accelerate", "acl", "analytics", "attributes", "cors", "encryption",
    "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "logging",
    "metadataTable", "metrics", "notification", "object-lock", "ownershipControls",
    "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment",
    "restore", "retention", "select", "select-type", "session", "tagging", "torrent",
    "versionId", "versioning", "versions", "website", "renameObject", NULL};

static const char *unsupported_name(const char *name)
{
    for (size_t i = 0; known_unsupported[i]; i++)
        if (strcmp(known_unsupported[i], name) == 0)
            return known_unsupported[i];
    return "unknown query parameter";
}

/* Returns the first parameter the operation does not accept, or NULL. */
static const char *first_unaccepted_param(enum s3_op op, const struct param_list *l)
{
    const char *const *accepted = op_params(op);
    for (size_t i = 0; i < l->n; i++) {
        if (is_common_param(l->names[i]))
            continue;
        bool ok = false;
        for (size_t j = 0; accepted[j] && !ok; j++)
            ok = strcmp(accepted[j], l->names[i]) == 0;
        if (!ok)
            return unsupported_name(l->names[i]);
    }
    return NULL;
}

/* ---- choosing the operation ---------------------------------------- */

static enum s3_op service_op(const char *method)
{
    return strcmp(method, "GET") == 0 ? S3_OP_LIST_BUCKETS : S3_OP_UNKNOWN;
}

static enum s3_op bucket_op(const char *method, const struct param_list *l)
{
    enum s3_op config = bucket_config_op(method, l);
    if (config != S3_OP_UNKNOWN)
        return config;
    if (strcmp(method, "PUT") == 0)
        return S3_OP_CREATE_BUCKET;
    if (strcmp(method, "HEAD") == 0)
        return S3_OP_HEAD_BUCKET;
    if (strcmp(method, "DELETE") == 0)
        return S3_OP_DELETE_BUCKET;
    if (strcmp(method, "POST") == 0)
        return has_param(l, "delete") ? S3_OP_DELETE_OBJECTS : S3_OP_POST_OBJECT;
    if (has_param(l, "location"))
        return S3_OP_GET_BUCKET_LOCATION;
    if (has_param(l, "uploads"))
        return S3_OP_LIST_MULTIPART_UPLOADS;
    if (has_param(l, "versions"))
        return S3_OP_LIST_OBJECT_VERSIONS;
    const char *list_type = param_value(l, "list-type");
    if (list_type && strcmp(list_type, "2") == 0)
        return S3_OP_LIST_OBJECTS_V2;
    return S3_OP_LIST_OBJECTS;
}

static enum s3_op object_op(const char *method, const struct param_list *l, bool copy)
{
    bool upload_id = has_param(l, "uploadId");
    if (has_param(l, "acl")) {
        if (strcmp(method, "GET") == 0)
            return S3_OP_GET_OBJECT_ACL;
        return strcmp(method, "PUT") == 0 ? S3_OP_PUT_OBJECT_ACL : S3_OP_UNKNOWN;
    }
    enum s3_op subresource = object_subresource_op(method, l);
    if (subresource != S3_OP_UNKNOWN)
        return subresource;
    if (strcmp(method, "PUT") == 0) {
        if (upload_id || has_param(l, "partNumber"))
            return copy ? S3_OP_UPLOAD_PART_COPY : S3_OP_UPLOAD_PART;
        return copy ? S3_OP_COPY_OBJECT : S3_OP_PUT_OBJECT;
    }
    if (strcmp(method, "GET") == 0)
        return upload_id ? S3_OP_LIST_PARTS : S3_OP_GET_OBJECT;
    if (strcmp(method, "HEAD") == 0)
        return S3_OP_HEAD_OBJECT;
    if (strcmp(method, "DELETE") == 0)
        return upload_id ? S3_OP_ABORT_MULTIPART_UPLOAD : S3_OP_DELETE_OBJECT;
    if (has_param(l, "uploads"))
        return S3_OP_CREATE_MULTIPART_UPLOAD;
    return upload_id ? S3_OP_COMPLETE_MULTIPART_UPLOAD : S3_OP_UNKNOWN;
}

static bool method_is_routable(const char *method)
{
    static const char *const methods[] = {"GET", "PUT", "HEAD", "DELETE", "POST", NULL};
    for (size_t i = 0; methods[i]; i++)
        if (strcmp(methods[i], method) == 0)
            return true;
    return false;
}

/* ---- bucket and key ------------------------------------------------- */

/* When Host (port stripped) is "<bucket>.<domain>" for a vhost domain,
 * returns the bucket length; 0 otherwise. */
static size_t vhost_bucket_len(const char *host, const char *const *domains)
{
    if (!host || !domains || host[0] == '[')
        return 0;
    const char *colon = strrchr(host, ':');
    size_t host_len = colon ? (size_t)(colon - host) : strlen(host);
    for (size_t i = 0; domains[i]; i++) {
        size_t dlen = strlen(domains[i]);
        if (dlen + 2 > host_len)
            continue;
        size_t blen = host_len - dlen - 1;
        if (host[blen] == '.' && strncasecmp(host + blen + 1, domains[i], dlen) == 0)
            return blen;
    }
    return 0;
}

static enum s3_err decode_key(const char *raw, struct s3_route *out)
{
    if (!*raw)
        return S3_OK;
    out->key = percent_decode(raw, strlen(raw), 0, NULL);
    if (!out->key)
        return decode_error();
    return strlen(out->key) > S3_MAX_KEY_BYTES ? S3_ERR_KEY_TOO_LONG : S3_OK;
}

static enum s3_err resolve_bucket_and_key(const char *path, const char *host,
                                          const char *const *domains, struct s3_route *out)
{
    size_t vhost_len = vhost_bucket_len(host, domains);
    if (vhost_len) {
        out->virtual_host = true;
        out->bucket = strndup(host, vhost_len);
        if (!out->bucket)
            return S3_ERR_INTERNAL_ERROR;
        return decode_key(path + 1, out);
    }
    const char *segment = path + 1;
    if (!*segment)
        return S3_OK;
    const char *slash = strchr(segment, '/');
    size_t seg_len = slash ? (size_t)(slash - segment) : strlen(segment);
    if (seg_len == 0)
        return S3_ERR_INVALID_URI;
    out->bucket = percent_decode(segment, seg_len, 0, NULL);
    if (!out->bucket)
        return decode_error();
    return slash ? decode_key(slash + 1, out) : S3_OK;
}

enum s3_err s3_route_request(const char *method, const char *path, const char *query,
                             const char *host, const char *const *vhost_domains,
                             bool has_copy_source, struct s3_route *out)
{
    memset(out, 0, sizeof(*out));
    if (!method || !path || path[0] != '/')
        return S3_ERR_INVALID_URI;
    if (!method_is_routable(method)) {
        if (strcmp(method, "OPTIONS") != 0)
            return S3_ERR_METHOD_NOT_ALLOWED;
        out->op = S3_OP_CORS_PREFLIGHT;
        enum s3_err err = resolve_bucket_and_key(path, host, vhost_domains, out);
        if (err != S3_OK)
            s3_route_free(out);
        return err;
    }
    struct param_list params;
    enum s3_err err = param_list_parse(query, &params);
    if (err == S3_OK)
        err = resolve_bucket_and_key(path, host, vhost_domains, out);
    if (err != S3_OK) {
        param_list_free(&params);
        s3_route_free(out);
        return err;
    }
    if (!out->bucket)
        out->op = service_op(method);
    else if (!out->key)
        out->op = bucket_op(method, &params);
    else
        out->op = object_op(method, &params, has_copy_source);
    if (out->op == S3_OP_UNKNOWN) {
        if (!out->bucket) {
            param_list_free(&params);
            s3_route_free(out);
            return S3_ERR_METHOD_NOT_ALLOWED;
        }
        out->unsupported = first_unaccepted_param(S3_OP_UNKNOWN, &params);
        if (!out->unsupported)
            out->unsupported = "POST";
    } else {
        out->unsupported = first_unaccepted_param(out->op, &params);
        if (out->unsupported)
            out->op = S3_OP_UNKNOWN;
    }
    param_list_free(&params);
    return S3_OK;
}

void s3_route_free(struct s3_route *r)
{
    free(r->bucket);
    free(r->key);
    memset(r, 0, sizeof(*r));
}

/* ---- bucket names --------------------------------------------------- */

static bool looks_like_ipv4(const char *name)
{
    int dots = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p < '0' || *p > '9')
            return false;
    }
    return dots == 3;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool s3_bucket_name_valid(const char *name)
{
    if (!name)
        return false;
    size_t len = strlen(name);
    if (len < 3 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '-')
            return false;
        if ((i == 0 || i == len - 1) && !alnum)
            return false;
    }
    return !strstr(name, "..") && !looks_like_ipv4(name) &&
           strncmp(name, "xn--", 4) != 0 && strncmp(name, "sthree-", 7) != 0 &&
           !has_suffix(name, len, "-s3alias") && !has_suffix(name, len, "--ol-s3") &&
           !has_suffix(name, len, "--x-s3");
}
