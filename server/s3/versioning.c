/* s3_versioning: bucket versioning — Get/PutBucketVersioning — and the
 * helpers the handlers of objects share for versions: the versionId query
 * parameter, x-amz-version-id, the answer to a failed version lookup, and
 * loading the version a request names.
 *
 * Reads answer at once from the store; writes answer from their store
 * completion, which also carries the version id to report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"

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

/* Loads the version the request names (versionId or the latest) after
 * checking the bucket; answers and returns false on failure. */
bool s3_request_version(struct s3_call *call, struct s3_bucket *b, struct s3_object *o)
{
    memset(o, 0, sizeof(*o));
    if (!s3_load_owned_bucket(call, b))
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

void s3_get_bucket_versioning(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
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
    if (!s3_load_owned_bucket(call, &b))
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
