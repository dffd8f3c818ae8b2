/* protocol/iam evaluation: who is asking (the principal a request was
 * signed by) and AWS's policy evaluation logic over every policy that
 * applies to it, pure.
 *
 * server/core/auth.c fills a struct iam_principal for each request it
 * authenticates (root keys, an IAM user's access key, STS session
 * credentials); server/iam/principal.c loads the policies that apply to it
 * (struct iam_principal_policies: the user's and its groups' or the role's
 * inline and attached policies, its permissions boundary, a session's
 * policies); iam_authorize() then decides one action on one resource as
 * AWS does within an account and across accounts:
 *
 *  1. an explicit Deny in any of those policies or in the resource's own
 *     policy denies;
 *  2. the account's root user is allowed (in its own account);
 *  3. in the same account, a resource policy that names the principal
 *     itself ("*", the user's ARN, the session's ARN) allows — neither
 *     boundary nor session policies limit that; one naming the role of a
 *     session allows within them; one naming only the account delegates
 *     to the identity policies;
 *  4. else an identity policy must allow (across accounts: and the
 *     resource policy must allow the caller);
 *  5. a permissions boundary, when set, must allow too, and so must the
 *     session policies of a session that has them.
 *
 * The result names what decided: the policy and statement of an explicit
 * Deny or of the Allow, or the layer that had no Allow — for AWS's
 * AccessDenied wording and for the log line of a denial. */
#ifndef CLOUDLESS_PROTOCOL_IAM_EVALUATION_H
#define CLOUDLESS_PROTOCOL_IAM_EVALUATION_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/iam/model.h"
#include "protocol/iam/policy.h"

enum iam_principal_type {
    IAM_PRINCIPAL_ANONYMOUS,
    IAM_PRINCIPAL_ROOT,            /* the account's configured keys, or a GetSessionToken session of them */
    IAM_PRINCIPAL_USER,            /* an IAM user's access key, or a GetSessionToken session of it */
    IAM_PRINCIPAL_ASSUMED_ROLE,    /* AssumeRole / AssumeRoleWithWebIdentity credentials */
};

/* A principal with an empty arn stands for its whole account (the way
 * cloudless decides without enforcement: every key acts as its account),
 * which any ARN of the account in a resource policy's Principal names. */
struct iam_principal {
    enum iam_principal_type type;
    bool temporary;                /* STS session credentials */
    char account[13];
    char arn[IAM_ARN_MAX];         /* arn:aws:iam::A:root, ...:user/path/N, arn:aws:sts::A:assumed-role/R/S */
    char user_id[160];             /* aws:userid: the account id, AIDA..., AROA...:S */
    char name[130];                /* the user's or the role's name ("" for root) */
    char role_arn[IAM_ARN_MAX];    /* an assumed-role session's role ("" otherwise) */
    char session_name[65];
    char access_key[129];          /* the key the request was signed with */
};

/* "User", "AssumedRole", "Root" or "Anonymous" (aws:PrincipalType's values
 * use "Account" for root, see iam_principal_type_key). */
const char *iam_principal_type_name(enum iam_principal_type type);
/* aws:PrincipalType: "Account", "User", "AssumedRole", "Anonymous". */
const char *iam_principal_type_key(enum iam_principal_type type);
/* The root principal of an account. */
void iam_principal_root(struct iam_principal *p, const char *account, const char *access_key);

/* A policy that applies, by its name (an inline policy's name or a managed
 * policy's ARN) and document, and that document parsed once when it is
 * kept for many decisions (NULL: parsed at each). */
struct iam_policy_ref {
    const char *name;
    const char *document;
    const struct iam_parsed_policy *parsed;
};
struct iam_policy_list {
    const struct iam_policy_ref *items;
    size_t n;
};
/* Every policy that applies to a principal besides the resource's own. */
struct iam_principal_policies {
    struct iam_policy_list identity;      /* inline and attached, groups' included */
    const struct iam_policy_ref *boundary;  /* NULL: no permissions boundary */
    const struct iam_policy_list *session;  /* NULL: no session policies (an empty list denies all) */
};

/* One request to decide. */
struct iam_authz_request {
    const struct iam_principal *principal;
    const char *action;            /* "s3:GetObject" */
    const char *resource;          /* an ARN */
    const char *resource_account;  /* the resource's owner; NULL: the principal's account */
    const char *resource_policy;   /* the resource's policy document, or NULL */
    const struct iam_context *ctx; /* condition keys; NULL: none */
    bool policy_is_trust;          /* the resource policy is a role's trust policy, whose
                                      statements name no Resource (the role is the resource) */
};

enum iam_verdict { IAM_ALLOWED, IAM_EXPLICIT_DENY, IAM_IMPLICIT_DENY };

/* Where a decision came from. */
enum iam_policy_layer {
    IAM_LAYER_ROOT,                /* the root user in its own account */
    IAM_LAYER_IDENTITY,
    IAM_LAYER_RESOURCE,
    IAM_LAYER_BOUNDARY,
    IAM_LAYER_SESSION,
};

struct iam_authz_result {
    enum iam_verdict verdict;
    /* allowed: the layer whose Allow counted; explicit deny: the layer of
     * the Deny; implicit deny: the layer that had no Allow. */
    enum iam_policy_layer layer;
    const char *policy;            /* the deciding policy's name (borrowed), NULL when none */
    int statement;                 /* its statement's index, -1 when none */
    char sid[128];
    bool has_boundary;             /* a permissions boundary applied ... */
    bool boundary_allows;          /* ... and allowed the action */
};

void iam_authorize(const struct iam_authz_request *rq, const struct iam_principal_policies *pp,
                   struct iam_authz_result *out);
/* AWS's AccessDenied message: "User: <arn> is not authorized to perform:
 * <action> on resource: <resource> because no identity-based policy
 * allows the <action> action" (or "with an explicit deny in a ...");
 * an action on no particular resource ("*") names none. */
void iam_access_denied_message(const struct iam_authz_request *rq, const struct iam_authz_result *r, char *out,
                               size_t cap);
/* What decided, for the log: "explicit deny: identity-based policy P,
 * statement 2 (Sid \"X\")", "no identity-based policy allows it", ... */
void iam_authz_explain(const struct iam_authz_result *r, char *out, size_t cap);

#endif
