/* protocol/s3 policy: what PutBucketPolicy accepts — an IAM policy
 * (protocol/iam) whose actions are s3:* and whose resources name this
 * bucket (arn:aws:s3:::<bucket>[/...], the bucket part a glob). */
#include "protocol/s3/bucket_config.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"

static bool bucket_resource_ok(const char *resource, const void *arg)
{
    const char *bucket = arg;
    if (strncmp(resource, "arn:aws:s3:::", 13) != 0)
        return false;
    const char *name = resource + 13;
    char *part = strndup(name, strcspn(name, "/"));
    if (!part)
        return false;
    bool ok = iam_policy_glob_match(part, bucket);
    free(part);
    return ok;
}

enum s3_err s3_policy_validate(const char *json, size_t len, const char *bucket, const char **message)
{
    const struct iam_policy_rules rules = {"s3:", bucket_resource_ok, bucket};
    *message = iam_policy_check(json, len, &rules);
    return *message ? S3_ERR_MALFORMED_POLICY : S3_OK;
}
