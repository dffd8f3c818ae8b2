/* protocol/iam condition: Condition blocks of policy statements (see
 * condition.c). Internal to protocol/iam: policy.c is its only user. */
#ifndef CLOUDLESS_PROTOCOL_IAM_CONDITION_H
#define CLOUDLESS_PROTOCOL_IAM_CONDITION_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/core/json.h"

#include "protocol/iam/policy.h"

/* Policy variables in a Resource or Condition value: ${key} is the
 * context key's value (${key, 'default'} when it is absent), ${$} a '$'
 * (and ${*}, ${?} their characters, which match as wildcards do). Returns
 * `value` itself when it has none, else a malloc'd expansion; NULL when a
 * variable has no value and no default (the value then matches nothing)
 * or on ENOMEM. Free the result when it is not `value`. */
const char *iam_expand_variables(const char *value, const struct iam_context *ctx);

/* Whether a statement's Condition holds for the request's context keys. */
bool iam_condition_holds(const struct json_value *condition, const struct iam_context *ctx);
/* NULL when the block is well formed, else the policy check's message
 * (possibly written into buf). */
const char *iam_condition_check(const struct json_value *condition, char *buf, size_t size);
/* Whether the block limits a statement to fixed sources as S3's meaning of
 * "public" counts them: aws:SourceIp CIDRs other than everything, or fixed
 * values of aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
 * aws:SourceAccount, aws:userid or s3:x-amz-server-side-encryption-aws-kms-key-id. */
bool iam_condition_restricts_sources(const struct json_value *condition);

#endif
