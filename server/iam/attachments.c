/* attachments: Attach{User,Group,Role}Policy, Detach... and
 * ListAttached{User,Group,Role}Policies (PathPrefix, paging by ARN). */
#include "server/iam/iam_service.h"

#include <string.h>

static bool target(struct iam_call *c, enum iam_kind kind)
{
    c->kind = kind;
    return (c->name = iam_name(c, iam_kind_info(kind)->name_member, 128)) != NULL;
}

static enum iam_err apply_attachment(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return strncmp(c->op->name, "Attach", 6) == 0 ? iam_attach(writer, c->account, c->kind, c->name, c->arn, f)
                                                  : iam_detach(writer, c->account, c->kind, c->name, c->arn, f);
}

static void change(struct iam_call *c, enum iam_kind kind)
{
    if (target(c, kind) && (c->arn = iam_policy_arn(c, "PolicyArn")))
        iam_submit(c, apply_attachment, NULL);
}

static bool write_attached(void *arg, const struct iam_attached *a)
{
    struct iam_page *pg = arg;
    if (!iam_page_room(pg))
        return false;
    strbuf_puts(pg->sb, "<member>");
    strbuf_xml_elem(pg->sb, "PolicyName", a->policy_name);
    strbuf_xml_elem(pg->sb, "PolicyArn", a->policy_arn);
    strbuf_puts(pg->sb, "</member>");
    iam_page_shown(pg, a->policy_arn);
    return true;
}

static void list(struct iam_call *c, enum iam_kind kind)
{
    if (!target(c, kind))
        return;
    const char *prefix = iam_param(&c->params, "PathPrefix");
    char msg[512];
    const char *bad = prefix ? iam_check_policy_path(prefix, msg, sizeof(msg)) : NULL;
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    struct strbuf sb;
    struct iam_page pg;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &pg, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<AttachedPolicies>");
    enum iam_err err = iam_attached_list(iam_reader(c), c->account, kind, c->name, prefix, pg.marker, write_attached, &pg, &f);
    strbuf_puts(&sb, "</AttachedPolicies>");
    iam_page_end(&pg);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

void iam_attach_user_policy(struct iam_call *c) { change(c, IAM_USER); }
void iam_detach_user_policy(struct iam_call *c) { change(c, IAM_USER); }
void iam_list_attached_user_policies(struct iam_call *c) { list(c, IAM_USER); }
void iam_attach_group_policy(struct iam_call *c) { change(c, IAM_GROUP); }
void iam_detach_group_policy(struct iam_call *c) { change(c, IAM_GROUP); }
void iam_list_attached_group_policies(struct iam_call *c) { list(c, IAM_GROUP); }
void iam_attach_role_policy(struct iam_call *c) { change(c, IAM_ROLE); }
void iam_detach_role_policy(struct iam_call *c) { change(c, IAM_ROLE); }
void iam_list_attached_role_policies(struct iam_call *c) { list(c, IAM_ROLE); }
