/* protocol/s3 condition: Condition blocks of policy statements (see
 * condition.c). Internal to protocol/s3: policy.c is its only user. */
#ifndef CLOUDLESS_PROTOCOL_S3_CONDITION_H
#define CLOUDLESS_PROTOCOL_S3_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "protocol/s3/bucket_config.h"

/* Glob with '*' and '?' over the whole string. */
bool s3_glob_match(const char *pattern, const char *s, bool nocase);
/* Whether a statement's Condition holds for the request's context keys. */
bool s3_condition_holds(yajl_val condition, const struct s3_policy_context *ctx);
/* NULL when the block is well formed, else PutBucketPolicy's message
 * (possibly written into buf). */
const char *s3_condition_check(yajl_val condition, char *buf, size_t size);
/* Whether the block limits a statement to fixed sources as S3's meaning of
 * "public" counts them: aws:SourceIp CIDRs other than everything, or fixed
 * values of aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
 * aws:SourceAccount, aws:userid or s3:x-amz-server-side-encryption-aws-kms-key-id. */
bool s3_condition_restricts_sources(yajl_val condition);

#endif
