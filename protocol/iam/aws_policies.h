/* protocol/iam aws_policies: AWS managed policies (arn:aws:iam::aws:policy/
 * <path><name>) that users and roles can attach and that GetPolicy,
 * GetPolicyVersion and ListPolicies (Scope=AWS) show. A fixed table, see
 * aws_policies.c. */
#ifndef CLOUDLESS_PROTOCOL_IAM_AWS_POLICIES_H
#define CLOUDLESS_PROTOCOL_IAM_AWS_POLICIES_H

#include <stddef.h>
#include <stdint.h>

struct iam_aws_policy {
    const char *name;
    const char *path;
    const char *id;
    int default_version;           /* v<N>, the only version cloudless has */
    int64_t created_ms;
    int64_t updated_ms;
    const char *document;
};

size_t iam_aws_policy_count(void);
/* By position (sorted by name), NULL past the end. */
const struct iam_aws_policy *iam_aws_policy_at(size_t i);
/* By path ("/service-role/") and name, NULL when unknown. */
const struct iam_aws_policy *iam_aws_policy_find(const char *path, const char *name);

#endif
