/* protocol/iam policy: IAM policy documents, pure — resource policies as
 * services store them (S3 bucket policies, SQS queue policies), IAM's own
 * documents (identity policies, role trust policies), the decision of one
 * document for one request, and S3's meaning of a "public" policy.
 *
 *  - policy.c      parsing, the checks made when a document is stored,
 *                  principal / action / resource matching, the decision of
 *                  one document (Deny wins over Allow)
 *  - condition.c   Condition blocks: every operator family, IfExists, Null,
 *                  ForAnyValue / ForAllValues
 *  - evaluation.h  AWS's evaluation logic over every policy that applies
 *                  to a principal (identity, resource, boundary, session) */
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

/* IAM's own documents, and what they must (not) name. */
enum iam_document_type {
    IAM_DOCUMENT_IDENTITY,         /* inline, managed, boundary and session policies: no Principal, Resource required */
    IAM_DOCUMENT_TRUST,            /* a role's AssumeRolePolicyDocument: Principal required, no Resource, STS actions */
};
/* Checks a document IAM is asked to store (at most 128 KiB; quotas on its
 * size are the caller's). NULL when valid, else IAM's MalformedPolicyDocument
 * message, valid until the thread's next call. */
const char *iam_document_check(const char *json, size_t len, enum iam_document_type type);

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
/* Who asks, as Principal elements are matched against: an account (NULL:
 * anonymous) and, when known, the principal's own ARN (an IAM user, an
 * assumed-role session, the root user) and the role a session belongs to;
 * or a service ("lambda.amazonaws.com"); or a web identity provider
 * ("token.actions.githubusercontent.com"; "*" when the token names none,
 * which matches any Federated principal). Without `arn`, the account's
 * root keys are asking: any ARN of the account matches them. `exact` leaves
 * out the matches by account (its id and root ARN), which in a policy of
 * the same account delegate to identity policies rather than grant. */
struct iam_caller {
    const char *account;
    const char *arn;
    const char *role_arn;
    const char *service;
    const char *federated;
    bool exact;
};
/* The statement that decided a document: the matching Deny, or the first
 * matching Allow (statement -1 when none matched). */
struct iam_match {
    enum iam_decision decision;
    int statement;                 /* index in Statement */
    char sid[128];                 /* its Sid, "" when it has none */
};
/* A document with Principal elements (a resource or trust policy) for
 * `caller`; resource NULL for a trust policy, whose statements name no
 * resource. match may be NULL. */
enum iam_decision iam_policy_evaluate_caller(const char *json, const struct iam_caller *caller, const char *action,
                                             const char *resource, const struct iam_context *ctx,
                                             struct iam_match *match);
/* An identity policy (its statements name no principal). */
enum iam_decision iam_policy_evaluate_identity(const char *json, const char *action, const char *resource,
                                               const struct iam_context *ctx, struct iam_match *match);
/* A document parsed once, for policies evaluated again and again (the
 * identity policies authorization keeps per principal). */
struct iam_parsed_policy;
/* NULL when it is no JSON object (such a document matches nothing) or
 * memory ran out. */
const struct iam_parsed_policy *iam_policy_parse(const char *json);
void iam_parsed_policy_free(const struct iam_parsed_policy *p);
/* iam_policy_evaluate_identity over a parsed document. */
enum iam_decision iam_parsed_evaluate_identity(const struct iam_parsed_policy *p, const char *action,
                                               const char *resource, const struct iam_context *ctx,
                                               struct iam_match *match);
/* True when some Allow statement grants to everyone ("*" principal) and its
 * Condition, if any, does not limit it to fixed sources: S3's meaning of a
 * public policy. */
bool iam_policy_is_public(const char *json);

#endif
