/* s3_policy: bucket policies — Get/Put/DeleteBucketPolicy and
 * GetBucketPolicyStatus. A policy is validated by protocol/s3/policy.c
 * (an IAM policy of s3: actions on this bucket), refused when public while
 * the public access block blocks public policies, and kept as one of the
 * bucket's configuration documents (server/s3/config.c); server/s3/access.c
 * evaluates it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "server/s3/s3.h"
#include "storage/s3/s3.h"

static void get_policy(struct s3_call *call, bool status_only)
{
    enum store_config_state state;
    char *doc = NULL;
    if (s3_config_load(call, "policy", &state, &doc) < 0)
        return;
    if (!doc) {
        s3_fail_bucket_name(call, S3_ERR_NO_SUCH_BUCKET_POLICY);
        return;
    }
    if (status_only)
        s3_config_send(call, "application/xml", S3_XML_DECL,
                      iam_policy_is_public(doc)
                          ? "<PolicyStatus xmlns=\"" S3_XMLNS "\"><IsPublic>true</IsPublic></PolicyStatus>"
                          : "<PolicyStatus xmlns=\"" S3_XMLNS "\"><IsPublic>false</IsPublic></PolicyStatus>");
    else
        s3_config_send(call, "application/json", "", doc);
    free(doc);
}

static void put_policy(struct s3_call *call)
{
    const char *message = NULL;
    const char *body = call->body.data ? call->body.data : "";
    enum s3_err err = s3_policy_validate(body, call->body.len, call->route.bucket, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return;
    }
    struct s3_public_access_block pab;
    if (s3_bucket_public_access_block(call, &pab) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return;
    }
    if (pab.block_public_policy && iam_policy_is_public(body)) {
        s3_fail(call, S3_ERR_ACCESS_DENIED,
                "User is not authorized to perform: s3:PutBucketPolicy on resource because public policies are "
                "blocked by the BlockPublicPolicy block public access setting.", NULL);
        return;
    }
    s3_config_store(call, "policy", body, false);
}

void s3_get_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        get_policy(call, false);
}

void s3_get_bucket_policy_status(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        get_policy(call, true);
}

void s3_put_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        put_policy(call);
}

void s3_delete_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        s3_config_store(call, "policy", NULL, false);
}
