/* s3_bucket: buckets themselves — ListBuckets, CreateBucket (with the
 * object lock, object ownership and ACL its headers ask for), HeadBucket,
 * DeleteBucket, GetBucketLocation. Reads answer at once from the store;
 * writes answer from their store completion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/s3/s3.h"

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

/* x-amz-object-ownership and the ACL headers of CreateBucket, checked as
 * a new AWS bucket checks them: an ACL beyond the owner's needs an
 * ownership other than BucketOwnerEnforced (the default), and no ACL may be
 * public, as the new bucket blocks public access. The documents to store
 * go into ownership_xml and acl_xml (left empty for the defaults). Answers
 * and returns false when refused. */
static bool creation_access_ok(struct s3_call *call, struct strbuf *ownership_xml, struct strbuf *acl_xml)
{
    const char *ownership = http_req_header(call->req, "x-amz-object-ownership");
    if (ownership && !s3_ownership_valid(ownership)) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid x-amz-object-ownership header", NULL);
        return false;
    }
    struct s3_acl acl;
    int has_acl = s3_header_acl(call, call->account, call->account, &acl);
    if (has_acl < 0)
        return false;
    bool enforced = !ownership || strcmp(ownership, "BucketOwnerEnforced") == 0;
    enum s3_err err = S3_OK;
    if (has_acl && enforced && s3_acl_is_beyond_owner(&acl))
        err = S3_ERR_INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP;
    else if (has_acl && s3_acl_is_public(&acl))
        err = S3_ERR_INVALID_BUCKET_ACL_WITH_BLOCK_PUBLIC_ACCESS;
    else if (has_acl && s3_acl_is_beyond_owner(&acl))
        s3_acl_xml(acl_xml, &acl);
    if (has_acl)
        s3_acl_free(&acl);
    if (!enforced)
        s3_ownership_xml(ownership_xml, ownership);
    if (err == S3_OK && (strbuf_failed(ownership_xml) || strbuf_failed(acl_xml)))
        err = S3_ERR_INTERNAL_ERROR;
    if (err != S3_OK)
        s3_fail(call, err, err == S3_ERR_INTERNAL_ERROR ? "out of memory" : NULL, NULL);
    return err == S3_OK;
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
    struct strbuf ownership_xml, acl_xml;
    strbuf_init(&ownership_xml);
    strbuf_init(&acl_xml);
    if (creation_access_ok(call, &ownership_xml, &acl_xml)) {
        const char *lock = http_req_header(call->req, "x-amz-bucket-object-lock-enabled");
        struct store_new_bucket nb = {
            .account = call->account,
            .bucket = call->route.bucket,
            .region = region ? region : "us-east-1",
            .object_lock = lock && strcasecmp(lock, "true") == 0,
            .ownership_xml = ownership_xml.len ? ownership_xml.data : NULL,
            .acl_xml = acl_xml.len ? acl_xml.data : NULL,
        };
        if (store_create_bucket(call->store, &nb, bucket_created, call) < 0)
            s3_fail_unqueued(call);
    }
    strbuf_free(&ownership_xml);
    strbuf_free(&acl_xml);
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
