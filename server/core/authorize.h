/* authorize: the one decision whether a request may run, for every
 * service — AWS's policy evaluation logic (protocol/iam/evaluation.h)
 * over the caller's policies and the resource's own.
 *
 * Each service's intake calls authorize_request() once, when it knows the
 * operation (its table entry gives the IAM action) and what it acts on
 * (struct authorize_target: the resource's ARN, its owner, its resource
 * policy). Denied, the request is answered AccessDenied in the service's
 * shape (service_def.access_denied, or the protocol's usual one) with
 * AWS's wording naming the principal, action and resource, and one log
 * line says which statement decided, or that none allowed.
 *
 * With enforcement off (the default), every key acts as its account, as
 * cloudless always did: anything in its own account, other accounts'
 * resources as their policies allow, a resource policy's Deny binding the
 * owner too. With --enforce-iam the principal auth.c named is decided with
 * its own policies: explicit Deny, the root user in its account, resource
 * policies naming the principal, identity policies (the user's and its
 * groups', or the role's), permissions boundaries and session policies,
 * with the request's condition keys.
 *
 * The policies of a principal are loaded once and kept (POLICY_CACHE_SLOTS
 * principals, least recently used out) until the next IAM write
 * (iam_state_generation()); condition keys are gathered only
 * when some policy that applies has a Condition or a policy variable. */
#ifndef CLOUDLESS_SERVER_AUTHORIZE_H
#define CLOUDLESS_SERVER_AUTHORIZE_H

#include <stdbool.h>

#include "protocol/iam/evaluation.h"

struct http_req;
struct iam_keys;
struct server;
struct service_def;
struct service_op;

/* The policies a decision weighs, for a service's add_keys. */
struct authorize_policies;
/* Whether any of them contains `word` (S3 reads an object's tags only for
 * policies that test s3:ExistingObjectTag). */
bool authorize_policies_mention(const struct authorize_policies *ps, const char *word);

/* What an operation acts on, as its service knows it. */
struct authorize_target {
    const char *resource;          /* its ARN; "*" for an operation on no particular resource */
    const char *owner;             /* the account that owns it; NULL: the caller's */
    const char *policy;            /* its resource-based policy (bucket, queue or function policy,
                                      a role's trust policy), or NULL */
    bool policy_is_trust;          /* policy is a trust policy: its statements name no Resource */
    bool policy_allows_no_outsider;  /* its Allow reaches no other account and no anonymous caller,
                                        its Deny still does (S3: RestrictPublicBuckets) */
    /* Adds the service's condition keys (s3:prefix, ...) after the global
     * ones; called only when a policy may test them; false when out of
     * memory. NULL: none. */
    bool (*add_keys)(void *arg, struct iam_keys *keys, const struct authorize_policies *ps);
    /* A grant outside the policy language (S3's ACLs), asked when only the
     * resource's side lacked an Allow: 1 granted, 0 not, -1 unreadable.
     * NULL: none. */
    int (*other_grant)(void *arg);
    void *arg;
};

enum authorize_outcome {
    AUTHORIZE_ALLOWED,
    AUTHORIZE_DENIED,              /* logged, with what decided */
    AUTHORIZE_FAILED,              /* policies could not be read (logged) */
};

struct authorize_decision {
    enum iam_verdict verdict;
    char message[1536];            /* AccessDenied's text in AWS's wording (when denied) */
};

/* Decides `action` by `who` on the target; req (NULL for the server's own
 * work, such as an event source polling a queue with a function's role)
 * gives the request's condition keys. */
enum authorize_outcome authorize_decide(struct server *srv, const struct http_req *req, const struct iam_principal *who,
                                        const char *action, const struct authorize_target *t,
                                        struct authorize_decision *d);

/* Decides `action` by a session of the role role_arn names, as a service
 * acting with that role does it (arn:aws:sts::<account>:assumed-role/
 * <role>/<session_name>): an event source mapping's poller, a schedule's
 * or a rule's target. Denied (not logged) when role_arn names no role. */
enum authorize_outcome authorize_as_role(struct server *srv, const char *role_arn, const char *session_name,
                                         const char *action, const struct authorize_target *t,
                                         struct authorize_decision *d);

/* The call each service's intake makes: decides the operation's action
 * (service_op.action; "" needs no permission) by the request's caller
 * (req->caller) on the target. True when allowed; else the request has
 * been answered: AccessDenied in the service's shape, or a 500 when the
 * policies could not be read. */
bool authorize_request(struct http_req *req, const struct service_def *svc, const struct service_op *op,
                       const struct authorize_target *t);

#endif
