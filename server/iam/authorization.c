/* authorization: what an IAM request acts on, for the decision every
 * request goes through (server/core/authorize.h; called from service.c).
 *
 * The resource is the entity the request names, by the parameters IAM's
 * API names them with — an instance profile, a group, a role or a user
 * (in that order, so AddUserToGroup acts on the group and
 * AttachRolePolicy on the role), else the managed policy of PolicyArn (or
 * the one CreatePolicy makes), else the principal a simulation is about —
 * with its real path when it exists (else the request's Path, else "/").
 * GetUser and the access key operations without UserName act on the
 * caller itself. Anything else (listings, GetAccountAuthorizationDetails)
 * is on "*". Condition keys: iam:PolicyARN (attach and detach) and
 * iam:PermissionsBoundary. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <string.h>

#include "server/core/authorize.h"
#include "server/core/iam_keys.h"

struct entity_arn {
    char *out;
    size_t cap;
};

static bool keep_arn(void *arg, const struct iam_entity *e)
{
    struct entity_arn *a = arg;
    iam_arn(a->out, a->cap, e->kind, e->account, e->path, e->name);
    return false;
}

/* The ARN of the entity of `kind` named `name`: its own when it exists,
 * else with the request's Path. */
static void entity_arn(struct iam_call *c, enum iam_kind kind, const char *name, char *out, size_t cap)
{
    struct entity_arn a = {out, cap};
    struct iam_fault f;
    if (iam_entity_get(iam_reader(c), c->account, kind, name, keep_arn, &a, &f) == IAM_OK)
        return;
    const char *path = iam_param(&c->params, "Path");
    iam_arn(out, cap, kind, c->account, path && *path == '/' ? path : "/", name);
}

static bool iam_condition_keys(void *arg, struct iam_keys *keys, const struct authorize_policies *ps)
{
    struct iam_call *c = arg;
    if (strstr(c->op->name, "Attach") || strstr(c->op->name, "Detach"))
        iam_keys_add(keys, "iam:PolicyARN", iam_param(&c->params, "PolicyArn"));
    iam_keys_add(keys, "iam:PermissionsBoundary", iam_param(&c->params, "PermissionsBoundary"));
    return true;
}

bool iam_authorized(struct iam_call *c)
{
    static const struct {
        const char *param;
        enum iam_kind kind;
    } named[] = {
        {"InstanceProfileName", IAM_INSTANCE_PROFILE},
        {"GroupName", IAM_GROUP},
        {"RoleName", IAM_ROLE},
        {"UserName", IAM_USER},
    };
    char resource[IAM_ARN_MAX + 16] = "*";
    const char *name = NULL;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !name; i++)
        if ((name = iam_param(&c->params, named[i].param)))
            entity_arn(c, named[i].kind, name, resource, sizeof(resource));
    const char *policy_arn = iam_param(&c->params, "PolicyArn"), *source = iam_param(&c->params, "PolicySourceArn");
    const char *policy_name = iam_param(&c->params, "PolicyName");
    if (name) {
        /* the entity it names */
    } else if (policy_arn) {
        snprintf(resource, sizeof(resource), "%s", policy_arn);
    } else if (strcmp(c->op->name, "CreatePolicy") == 0 && policy_name) {
        const char *path = iam_param(&c->params, "Path");
        iam_arn(resource, sizeof(resource), IAM_POLICY, c->account, path && *path == '/' ? path : "/", policy_name);
    } else if (source) {
        snprintf(resource, sizeof(resource), "%s", source);
    } else if ((strcmp(c->op->family, "access_keys") == 0 || strcmp(c->op->name, "GetUser") == 0) &&
               c->caller.type == IAM_PRINCIPAL_USER) {
        snprintf(resource, sizeof(resource), "%s", c->caller.arn);
    }
    return authorize_request(c->req, c->svc->def, c->op,
                             &(struct authorize_target){.resource = resource, .add_keys = iam_condition_keys, .arg = c});
}
