/* s3_versioning: bucket versioning, ListObjectVersions, the object lock
 * configuration, retention and legal hold, bucket and object tags — and
 * the helpers the object handlers share for versions, tags and locks
 * (versionId, x-amz-version-id, x-amz-tagging, x-amz-object-lock-*).
 *
 * Reads answer at once from the store; writes answer from their store
 * completion, which also carries the version id to report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/core/log.h"
#include "server/s3/s3.h"
#include "storage/core/clock.h"

/* ---- shared helpers -------------------------------------------------- */

bool s3_version_id_param(struct s3_call *call, char **out)
{
    bool present = false;
    *out = query_param(call->req->query, "versionId", &present);
    if (!present)
        return true;
    if (*out && store_version_id_valid(*out))
        return true;
    free(*out);
    *out = NULL;
    s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid version id specified", NULL);
    return false;
}

void s3_add_version_header(struct s3_call *call, const char *version_id)
{
    if (version_id && *version_id)
        http_resp_header(call->req, "x-amz-version-id", version_id);
}

void s3_fail_version(struct s3_call *call, enum s3_err err, const struct s3_object *o,
                     const char *version_id, bool versioned)
{
    struct strbuf x;
    strbuf_init(&x);
    if (o && o->delete_marker) {
        http_resp_header(call->req, "x-amz-delete-marker", "true");
        if (versioned)
            http_resp_header(call->req, "x-amz-version-id", o->version_id);
    }
    if (err == S3_ERR_METHOD_NOT_ALLOWED) {
        http_resp_header(call->req, "Allow", "DELETE");
        strbuf_xml_elem(&x, "Method", call->req->method);
        strbuf_xml_elem(&x, "ResourceType", "DeleteMarker");
    } else if (err == S3_ERR_NO_SUCH_KEY) {
        strbuf_xml_elem(&x, "Key", call->route.key);
    } else if (err == S3_ERR_NO_SUCH_VERSION) {
        strbuf_xml_elem(&x, "Key", call->route.key);
        strbuf_xml_elem(&x, "VersionId", version_id);
    }
    s3_fail(call, err, NULL, x.len && !strbuf_failed(&x) ? x.data : NULL);
    strbuf_free(&x);
}

bool s3_tagging_header(struct s3_call *call, struct s3_kv **tags, size_t *n_tags)
{
    *tags = NULL;
    *n_tags = 0;
    const char *h = http_req_header(call->req, "x-amz-tagging");
    if (!h)
        return true;
    const char *message;
    enum s3_err err = s3_parse_tagging_header(h, S3_MAX_OBJECT_TAGS, tags, n_tags, &message);
    if (err == S3_OK)
        return true;
    s3_fail(call, err, message, NULL);
    return false;
}

bool s3_lock_headers(struct s3_call *call, const struct s3_bucket *b, struct store_lock *lock,
                     char mode_buf[12])
{
    memset(lock, 0, sizeof(*lock));
    const char *mode = http_req_header(call->req, "x-amz-object-lock-mode");
    const char *until = http_req_header(call->req, "x-amz-object-lock-retain-until-date");
    const char *hold = http_req_header(call->req, "x-amz-object-lock-legal-hold");
    if (!mode && !until && !hold)
        return true;
    if (!b->object_lock) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Bucket is missing Object Lock Configuration", NULL);
        return false;
    }
    if (hold && strcmp(hold, "ON") != 0 && strcmp(hold, "OFF") != 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Legal Hold must be either of 'ON' or 'OFF'", NULL);
        return false;
    }
    lock->legal_hold = hold && strcmp(hold, "ON") == 0;
    if (!mode && !until)
        return true;
    if (!mode || !until) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
                NULL);
        return false;
    }
    if (strcmp(mode, "GOVERNANCE") != 0 && strcmp(mode, "COMPLIANCE") != 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Unknown wormMode directive.", NULL);
        return false;
    }
    lock->until_ms = date_parse_iso8601(until);
    if (lock->until_ms < 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "The retain until date must be provided in ISO 8601 format", NULL);
        return false;
    }
    if (lock->until_ms <= clock_now_ms()) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The retain until date must be in the future!", NULL);
        return false;
    }
    snprintf(mode_buf, 12, "%s", mode);
    lock->mode = mode_buf;
    return true;
}

void s3_add_version_headers(struct s3_call *call, const struct s3_object *o)
{
    if (o->n_tags)
        http_resp_headerf(call->req, "x-amz-tagging-count", "%zu", o->n_tags);
    if (o->lock_mode[0]) {
        char until[32];
        date_iso8601(o->lock_until_ms, until);
        http_resp_header(call->req, "x-amz-object-lock-mode", o->lock_mode);
        http_resp_header(call->req, "x-amz-object-lock-retain-until-date", until);
    }
    if (o->legal_hold)
        http_resp_header(call->req, "x-amz-object-lock-legal-hold", "ON");
}

/* The caller's bucket, or answers and returns false. */
static bool owned_bucket(struct s3_call *call, struct s3_bucket *b)
{
    enum s3_err err = s3_owned_bucket(call, b);
    if (err == S3_OK)
        return true;
    s3_fail(call, err, NULL, NULL);
    return false;
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

/* ---- versioning --------------------------------------------------------- */

void s3_get_bucket_versioning(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    struct strbuf xml;
    strbuf_init(&xml);
    s3_versioning_xml(&xml, b.versioning);
    s3_bucket_free(&b);
    s3_reply_xml(call, &xml);
}

void s3_put_bucket_versioning(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    char *status, *mfa_delete;
    enum s3_err err = s3_parse_versioning(call->body.data, call->body.len, &status, &mfa_delete);
    if (err == S3_OK && !status && !mfa_delete)
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
    } else if (mfa_delete && strcmp(mfa_delete, "Enabled") == 0) {
        if (http_req_header(call->req, "x-amz-mfa"))
            s3_fail(call, S3_ERR_NOT_IMPLEMENTED, "MFA Delete is not supported", NULL);
        else
            s3_fail(call, S3_ERR_ACCESS_DENIED, "Mfa Authentication must be used for this request",
                    NULL);
    } else if (!status) {
        http_resp_send(call->req, 200, NULL, NULL, 0);
    } else if (store_set_versioning(call->store, call->route.bucket, status, s3_answered_200, call) < 0) {
        s3_fail_unqueued(call);
    }
    free(status);
    free(mfa_delete);
}

void s3_list_object_versions(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    int max_keys;
    bool url;
    if (s3_int_param(call, "max-keys", 1000, 1000, &max_keys) < 0 || s3_encoding_param(call, &url) < 0)
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

/* ---- object lock configuration ------------------------------------------ */

void s3_get_object_lock_configuration(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    if (!b.object_lock) {
        s3_bucket_free(&b);
        s3_fail(call, S3_ERR_OBJECT_LOCK_CONFIGURATION_NOT_FOUND, NULL, NULL);
        return;
    }
    struct s3_lock_config c = {.days = b.lock_days, .years = b.lock_years};
    snprintf(c.mode, sizeof(c.mode), "%s", b.lock_mode);
    s3_bucket_free(&b);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_object_lock_config_xml(&xml, &c);
    s3_reply_xml(call, &xml);
}

void s3_put_object_lock_configuration(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    struct s3_lock_config c;
    const char *message;
    enum s3_err err = s3_parse_object_lock_config(call->body.data, call->body.len, &c, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return;
    }
    if (store_set_object_lock(call->store, call->route.bucket, c.mode[0] ? c.mode : NULL, c.days,
                              c.years, s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
}

/* ---- bucket tags ------------------------------------------------------------ */

void s3_get_bucket_tagging(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    struct s3_kv *tags;
    size_t n;
    enum s3_err err = store_get_bucket_tags(call->store, call->route.bucket, &tags, &n);
    if (err != S3_OK) {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "BucketName", call->route.bucket);
        s3_fail(call, err, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    s3_tagging_xml(&xml, tags, n);
    s3_kv_free_array(tags, n);
    s3_reply_xml(call, &xml);
}

static void put_bucket_tags(struct s3_call *call, bool remove)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    struct s3_kv *tags = NULL;
    size_t n = 0;
    const char *message = NULL;
    enum s3_err err = remove ? S3_OK
                             : s3_parse_tagging(call->body.data, call->body.len, S3_MAX_BUCKET_TAGS,
                                                &tags, &n, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return;
    }
    struct s3_kv none;
    if (store_set_bucket_tags(call->store, call->route.bucket, remove ? NULL : (tags ? tags : &none),
                              n, remove ? s3_answered_204 : s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    s3_kv_free_array(tags, n);
}

void s3_put_bucket_tagging(struct s3_call *call)
{
    put_bucket_tags(call, false);
}

void s3_delete_bucket_tagging(struct s3_call *call)
{
    put_bucket_tags(call, true);
}

/* ---- object versions: tags, retention, legal hold ---------------------------- */

/* Loads the version the request names (versionId or the latest) after
 * checking the bucket; answers and returns false on failure. */
static bool request_version(struct s3_call *call, struct s3_bucket *b, struct s3_object *o)
{
    memset(o, 0, sizeof(*o));
    if (!owned_bucket(call, b))
        return false;
    char *version_id;
    if (!s3_version_id_param(call, &version_id)) {
        s3_bucket_free(b);
        return false;
    }
    enum s3_err err = store_get_object_version(call->store, call->route.bucket, call->route.key,
                                               version_id, o);
    if (err != S3_OK) {
        s3_fail_version(call, err, o, version_id, b->versioning[0] != '\0');
        s3_object_free(o);
        s3_bucket_free(b);
    }
    free(version_id);
    return err == S3_OK;
}

void s3_get_object_tagging(struct s3_call *call)
{
    struct s3_bucket b;
    struct s3_object o;
    if (!request_version(call, &b, &o))
        return;
    if (b.versioning[0])
        s3_add_version_header(call, o.version_id);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_tagging_xml(&xml, o.tags, o.n_tags);
    s3_object_free(&o);
    s3_bucket_free(&b);
    s3_reply_xml(call, &xml);
}

static void put_object_tags(struct s3_call *call, bool remove)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    char *version_id;
    if (!s3_version_id_param(call, &version_id))
        return;
    struct s3_kv *tags = NULL, none;
    size_t n = 0;
    const char *message = NULL;
    enum s3_err err = remove ? S3_OK
                             : s3_parse_tagging(call->body.data, call->body.len, S3_MAX_OBJECT_TAGS,
                                                &tags, &n, &message);
    if (err != S3_OK)
        s3_fail(call, err, message, NULL);
    else if (store_set_object_tags(call->store, call->route.bucket, call->route.key, version_id,
                                   remove ? NULL : (tags ? tags : &none), n,
                                   remove ? s3_answered_204 : s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    s3_kv_free_array(tags, n);
    free(version_id);
}

void s3_put_object_tagging(struct s3_call *call)
{
    put_object_tags(call, false);
}

void s3_delete_object_tagging(struct s3_call *call)
{
    put_object_tags(call, true);
}

/* Retention and legal hold need object lock on the bucket. */
static bool lock_enabled(struct s3_call *call, const struct s3_bucket *b)
{
    if (b->object_lock)
        return true;
    s3_fail(call, S3_ERR_INVALID_REQUEST, "Bucket is missing Object Lock Configuration", NULL);
    return false;
}

static void get_retention(struct s3_call *call, bool legal_hold)
{
    struct s3_bucket b;
    struct s3_object o;
    if (!request_version(call, &b, &o))
        return;
    if (lock_enabled(call, &b) && !legal_hold && !o.lock_mode[0]) {
        s3_fail(call, S3_ERR_NO_SUCH_OBJECT_LOCK_CONFIGURATION, NULL, NULL);
    } else if (b.object_lock) {
        struct strbuf xml;
        strbuf_init(&xml);
        if (legal_hold)
            s3_legal_hold_xml(&xml, o.legal_hold);
        else
            s3_retention_xml(&xml, o.lock_mode, o.lock_until_ms);
        s3_reply_xml(call, &xml);
    }
    s3_object_free(&o);
    s3_bucket_free(&b);
}

void s3_get_object_retention(struct s3_call *call)
{
    get_retention(call, false);
}

void s3_get_object_legal_hold(struct s3_call *call)
{
    get_retention(call, true);
}

void s3_put_object_retention(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    bool enabled = lock_enabled(call, &b);
    s3_bucket_free(&b);
    char mode[12];
    int64_t until_ms;
    char *version_id;
    if (!enabled || !s3_version_id_param(call, &version_id))
        return;
    enum s3_err err = s3_parse_retention(call->body.data, call->body.len, mode, &until_ms);
    const char *bypass = http_req_header(call->req, "x-amz-bypass-governance-retention");
    if (err != S3_OK)
        s3_fail(call, err, NULL, NULL);
    else if (mode[0] && until_ms <= clock_now_ms())
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The retain until date must be in the future!", NULL);
    else if (store_set_retention(call->store, call->route.bucket, call->route.key, version_id,
                                 mode[0] ? mode : NULL, until_ms,
                                 bypass && strcasecmp(bypass, "true") == 0, s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    free(version_id);
}

void s3_put_object_legal_hold(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    bool enabled = lock_enabled(call, &b);
    s3_bucket_free(&b);
    bool on;
    char *version_id;
    if (!enabled || !s3_version_id_param(call, &version_id))
        return;
    enum s3_err err = s3_parse_legal_hold(call->body.data, call->body.len, &on);
    if (err != S3_OK)
        s3_fail(call, err, NULL, NULL);
    else if (store_set_legal_hold(call->store, call->route.bucket, call->route.key, version_id, on,
                                  s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    free(version_id);
}
