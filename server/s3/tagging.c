/* s3_tagging: bucket and object tags — Get/Put/DeleteBucketTagging,
 * Get/Put/DeleteObjectTagging (on a version when versionId names one) — and
 * x-amz-tagging, the tags an object write asks for. Tag sets are checked
 * against AWS's rules by protocol/s3/tagging.c.
 *
 * Reads answer at once from the store; writes answer from their store
 * completion, which also carries the version id to report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"

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

/* ---- bucket tags ---------------------------------------------------------- */

void s3_get_bucket_tagging(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
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
    if (!s3_load_owned_bucket(call, &b))
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

/* ---- object tags ---------------------------------------------------------- */

void s3_get_object_tagging(struct s3_call *call)
{
    struct s3_bucket b;
    struct s3_object o;
    if (!s3_request_version(call, &b, &o))
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
    if (!s3_load_owned_bucket(call, &b))
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
