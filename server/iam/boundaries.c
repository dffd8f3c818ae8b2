/* boundaries: Put/Delete{User,Role}PermissionsBoundary — a managed policy
 * (the account's or AWS's) that caps what the identity policies of a user
 * or role can allow. */
#include "server/iam/iam_service.h"

#include <string.h>

static enum iam_err apply_boundary(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return iam_entity_set_boundary(writer, c->account, c->kind, c->name, c->arn, f);
}

static void set_boundary(struct iam_call *c, enum iam_kind kind, bool put)
{
    c->kind = kind;
    if (!(c->name = iam_name(c, iam_kind_info(kind)->name_member, kind == IAM_ROLE ? 64 : 128)))
        return;
    if (put && !(c->arn = iam_policy_arn(c, "PermissionsBoundary")))
        return;
    iam_submit(c, apply_boundary, NULL);
}

void iam_put_user_permissions_boundary(struct iam_call *c) { set_boundary(c, IAM_USER, true); }
void iam_delete_user_permissions_boundary(struct iam_call *c) { set_boundary(c, IAM_USER, false); }
void iam_put_role_permissions_boundary(struct iam_call *c) { set_boundary(c, IAM_ROLE, true); }
void iam_delete_role_permissions_boundary(struct iam_call *c) { set_boundary(c, IAM_ROLE, false); }
