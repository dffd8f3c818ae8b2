/* roles: CreateRole (trust policy, path, description, maximum session
 * duration, permissions boundary, tags), GetRole, ListRoles, UpdateRole,
 * UpdateRoleDescription, UpdateAssumeRolePolicy and DeleteRole. A role's
 * trust policy (AssumeRolePolicyDocument) is checked as IAM checks trust
 * policies and kept as given; sts:AssumeRole evaluates it. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/sts/sts.h"

/* MaxSessionDuration: 3600 (also when absent) to 43200; -1 after answering. */
static int64_t max_session(struct iam_call *c)
{
    int64_t v = STS_ROLE_DEFAULT_DURATION;
    int rc = iam_param_int(&c->params, "MaxSessionDuration", &v);
    if (rc < 0 || v < STS_ROLE_DEFAULT_DURATION || v > STS_ROLE_MAX_DURATION) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 "1 validation error detected: Value '%s' at 'maxSessionDuration' failed to satisfy constraint: Member "
                 "must have value %s than or equal to %d",
                 iam_param(&c->params, "MaxSessionDuration"), rc >= 0 && v > STS_ROLE_MAX_DURATION ? "less" : "greater",
                 rc >= 0 && v > STS_ROLE_MAX_DURATION ? STS_ROLE_MAX_DURATION : STS_ROLE_DEFAULT_DURATION);
        iam_send_validation(c, msg);
        return -1;
    }
    return v;
}

static const char *trust_policy(struct iam_call *c, const char *member)
{
    return iam_document(c, member, IAM_DOCUMENT_TRUST, IAM_TRUST_POLICY_SIZE, "ACLSizePerRole");
}

void iam_create_role(struct iam_call *c)
{
    c->kind = IAM_ROLE;
    const char *name = iam_name(c, "RoleName", 64), *path = name ? iam_path(c, "Path", false) : NULL;
    const char *trust = path ? trust_policy(c, "AssumeRolePolicyDocument") : NULL, *description;
    int64_t max = trust && iam_description(c, &description) ? max_session(c) : -1;
    char *tags;
    if (max < 0 || !iam_tags_json(c, &tags))
        return;
    struct iam_create *cr = iam_create_new(c, tags, 0);
    free(tags);
    if (!cr)
        return;
    cr->entity = (struct iam_entity){.kind = IAM_ROLE, .name = name, .path = path, .trust_policy = trust,
                                     .description = description, .max_session_s = max};
    cr->boundary = iam_param(&c->params, "PermissionsBoundary");
    iam_create_entity(c, cr);
}

void iam_get_role(struct iam_call *c) { iam_get_entity(c, IAM_ROLE, "RoleName"); }
void iam_list_roles(struct iam_call *c) { iam_list_entities(c, IAM_ROLE, "Roles"); }
void iam_delete_role(struct iam_call *c) { iam_delete_entity(c, IAM_ROLE, "RoleName"); }

/* The settings the call changes: its Description, MaxSessionDuration
 * (0: unchanged) and trust policy (PolicyDocument for UpdateAssumeRolePolicy). */
struct role_change {
    const char *description;
    int64_t max_session_s;
    const char *trust;
};

static enum iam_err apply_role_change(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct role_change *rc = c->work;
    return iam_role_update(writer, c->account, c->name, rc->description, rc->max_session_s, rc->trust, f);
}

static void change_role(struct iam_call *c, const struct role_change *change, void (*answer)(struct iam_call *c))
{
    struct role_change *rc = malloc(sizeof(*rc));
    if (!rc) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    *rc = *change;
    c->work = rc;
    c->kind = IAM_ROLE;
    iam_submit(c, apply_role_change, answer);
}

/* UpdateRole's answer has an (empty) result element, which SDKs expect. */
static void answer_update_role(struct iam_call *c)
{
    struct strbuf sb;
    iam_begin(c, &sb);
    iam_finish(c, &sb);
}

void iam_update_role(struct iam_call *c)
{
    struct role_change change = {0};
    if (!(c->name = iam_name(c, "RoleName", 64)) || !iam_description(c, &change.description))
        return;
    if (iam_param(&c->params, "MaxSessionDuration") && (change.max_session_s = max_session(c)) < 0)
        return;
    change_role(c, &change, answer_update_role);
}

void iam_update_role_description(struct iam_call *c)
{
    struct role_change change = {0};
    if (!(c->name = iam_name(c, "RoleName", 64)) || !iam_required(c, "Description") ||
        !iam_description(c, &change.description))
        return;
    change_role(c, &change, iam_answer_entity);
}

void iam_update_assume_role_policy(struct iam_call *c)
{
    struct role_change change = {0};
    if (!(c->name = iam_name(c, "RoleName", 64)) || !(change.trust = trust_policy(c, "PolicyDocument")))
        return;
    change_role(c, &change, NULL);
}
