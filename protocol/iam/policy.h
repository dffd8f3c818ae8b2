/* protocol/iam policy: IAM policy documents as resource policies use them
 * (S3 bucket policies, SQS queue policies), pure: the checks a service makes
 * when one is stored, its evaluation for one request, and S3's meaning of a
 * "public" policy.
 *
 *  - policy.c     parsing, statement checks, principal / action / resource
 *                 matching, the decision (Deny wins over Allow)
 *  - condition.c  Condition blocks: every operator family, IfExists, Null,
 *                 ForAnyValue / ForAllValues */
#ifndef CLOUDLESS_PROTOCOL_IAM_POLICY_H
#define CLOUDLESS_PROTOCOL_IAM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* What a service accepts in its policies: actions "*" or starting with
 * action_prefix ("s3:"), resources "*" or those resource_ok accepts. */
struct iam_policy_rules {
    const char *action_prefix;
    bool (*resource_ok)(const char *resource, const void *arg);
    const void *arg;
};

/* Checks a policy being stored: a JSON object with a Statement (object or
 * array) whose statements each have Effect Allow|Deny, a Principal (or
 * NotPrincipal), Action (or NotAction) and Resource (or NotResource) the
 * rules accept, and a Condition, if any, of known operators over scalar
 * values; a Version, if any, of 2012-10-17 or 2008-10-17. NULL when valid,
 * else the message AWS gives (MalformedPolicy), which stays valid until the
 * thread's next call. */
const char *iam_policy_check(const char *json, size_t len, const struct iam_policy_rules *rules);

/* The glob resources are matched with ('*' and '?', case-sensitive), for a
 * service's resource_ok. */
bool iam_policy_glob_match(const char *pattern, const char *s);

enum iam_decision { IAM_NO_MATCH, IAM_ALLOW, IAM_DENY };

/* The request context Condition blocks are decided against: condition keys
 * (aws:SourceIp, s3:prefix, ...) with their one value each. Key names
 * compare case-insensitively; a key not listed is absent from the request. */
struct iam_key {
    const char *name, *value;
};
struct iam_context {
    const struct iam_key *keys;
    size_t n_keys;
};

/* Evaluates a stored policy for one request: `account` is the caller's
 * account id, or NULL for an anonymous caller; `action` is "s3:GetObject",
 * "sqs:SendMessage", ...; `resource` an ARN; `ctx` (NULL: no keys) decides
 * Condition blocks. A principal matches an account when it is "*",
 * {"AWS": "*"}, the account id or any IAM ARN of that account; anonymous
 * callers match only "*". Actions and resources are globs with '*' and '?'
 * (actions case-insensitively). Deny wins over Allow. */
enum iam_decision iam_policy_evaluate(const char *json, const char *account, const char *action,
                                      const char *resource, const struct iam_context *ctx);
/* The same for a service principal calling (s3.amazonaws.com invoking a
 * function): it matches "*", {"AWS": "*"} and {"Service": <it>}. */
enum iam_decision iam_policy_evaluate_service(const char *json, const char *service, const char *action,
                                              const char *resource, const struct iam_context *ctx);
/* True when some Allow statement grants to everyone ("*" principal) and its
 * Condition, if any, does not limit it to fixed sources: S3's meaning of a
 * public policy. */
bool iam_policy_is_public(const char *json);

#endif
