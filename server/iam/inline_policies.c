/* inline_policies: Put, Get, List and Delete of the policies embedded in a
 * user, group or role ({User,Group,Role}Policy). Documents are identity
 * policies; their size counts against the owner's aggregate quota (in
 * storage). */
#include "server/iam/iam_service.h"

#include <string.h>

#include "protocol/iam/xml.h"

/* The owner (UserName, GroupName or RoleName) as the call's target;
 * false after answering. */
static bool target_owner(struct iam_call *c, enum iam_kind kind)
{
    c->kind = kind;
    return (c->name = iam_name(c, iam_kind_info(kind)->name_member, 128)) != NULL;
}

static enum iam_err apply_put(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return iam_inline_put(writer, c->account, c->kind, c->name, iam_param(&c->params, "PolicyName"),
                          iam_param(&c->params, "PolicyDocument"), f);
}

static void put_policy(struct iam_call *c, enum iam_kind kind)
{
    if (target_owner(c, kind) && iam_name(c, "PolicyName", 128) &&
        iam_document(c, "PolicyDocument", IAM_DOCUMENT_IDENTITY, 0, NULL))
        iam_submit(c, apply_put, NULL);
}

struct answer {
    struct iam_call *call;
    struct strbuf *sb;
};

static bool write_policy(void *arg, const char *name, const char *document)
{
    struct answer *a = arg;
    strbuf_xml_elem(a->sb, iam_kind_info(a->call->kind)->name_member, a->call->name);
    strbuf_xml_elem(a->sb, "PolicyName", name);
    iam_xml_document(a->sb, "PolicyDocument", document);
    return false;
}

static void get_policy(struct iam_call *c, enum iam_kind kind)
{
    const char *name;
    if (!target_owner(c, kind) || !(name = iam_name(c, "PolicyName", 128)))
        return;
    struct strbuf sb;
    struct iam_fault f;
    struct answer a = {c, &sb};
    iam_begin(c, &sb);
    enum iam_err err = iam_inline_get(iam_reader(c), c->account, kind, c->name, name, NULL, write_policy, &a, &f);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

static bool list_name(void *arg, const char *name, const char *document)
{
    struct iam_page *pg = arg;
    (void)document;
    if (!iam_page_room(pg))
        return false;
    strbuf_xml_elem(pg->sb, "member", name);
    iam_page_shown(pg, name);
    return true;
}

static void list_policies(struct iam_call *c, enum iam_kind kind)
{
    if (!target_owner(c, kind))
        return;
    struct strbuf sb;
    struct iam_page pg;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &pg, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<PolicyNames>");
    enum iam_err err = iam_inline_get(iam_reader(c), c->account, kind, c->name, NULL, pg.marker, list_name, &pg, &f);
    strbuf_puts(&sb, "</PolicyNames>");
    iam_page_end(&pg);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

static enum iam_err apply_delete(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return iam_inline_delete(writer, c->account, c->kind, c->name, iam_param(&c->params, "PolicyName"), f);
}

static void delete_policy(struct iam_call *c, enum iam_kind kind)
{
    if (target_owner(c, kind) && iam_name(c, "PolicyName", 128))
        iam_submit(c, apply_delete, NULL);
}

void iam_put_user_policy(struct iam_call *c) { put_policy(c, IAM_USER); }
void iam_get_user_policy(struct iam_call *c) { get_policy(c, IAM_USER); }
void iam_list_user_policies(struct iam_call *c) { list_policies(c, IAM_USER); }
void iam_delete_user_policy(struct iam_call *c) { delete_policy(c, IAM_USER); }
void iam_put_group_policy(struct iam_call *c) { put_policy(c, IAM_GROUP); }
void iam_get_group_policy(struct iam_call *c) { get_policy(c, IAM_GROUP); }
void iam_list_group_policies(struct iam_call *c) { list_policies(c, IAM_GROUP); }
void iam_delete_group_policy(struct iam_call *c) { delete_policy(c, IAM_GROUP); }
void iam_put_role_policy(struct iam_call *c) { put_policy(c, IAM_ROLE); }
void iam_get_role_policy(struct iam_call *c) { get_policy(c, IAM_ROLE); }
void iam_list_role_policies(struct iam_call *c) { list_policies(c, IAM_ROLE); }
void iam_delete_role_policy(struct iam_call *c) { delete_policy(c, IAM_ROLE); }
