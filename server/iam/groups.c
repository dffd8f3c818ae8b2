/* groups: CreateGroup, GetGroup (the group and its users, paged),
 * ListGroups, UpdateGroup, DeleteGroup, AddUserToGroup,
 * RemoveUserFromGroup and ListGroupsForUser. */
#include "server/iam/iam_service.h"

#include <string.h>

void iam_create_group(struct iam_call *c)
{
    c->kind = IAM_GROUP;
    const char *name = iam_name(c, "GroupName", 128), *path = name ? iam_path(c, "Path", false) : NULL;
    struct iam_create *cr = path ? iam_create_new(c, NULL, 0) : NULL;
    if (!cr)
        return;
    cr->entity = (struct iam_entity){.kind = IAM_GROUP, .name = name, .path = path};
    iam_create_entity(c, cr);
}

/* A listing of users or groups in <member> elements, paged. */
struct members {
    struct iam_page page;
};

static bool write_member(void *arg, const struct iam_entity *e)
{
    struct members *m = arg;
    if (!iam_page_room(&m->page))
        return false;
    iam_write_entity(m->page.sb, "member", e, false);
    iam_page_shown(&m->page, e->name);
    return true;
}

static bool write_group(void *arg, const struct iam_entity *e)
{
    iam_write_entity(arg, "Group", e, false);
    return false;
}

void iam_get_group(struct iam_call *c)
{
    const char *name = iam_name(c, "GroupName", 128);
    if (!name)
        return;
    struct strbuf sb;
    struct members m;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &m.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    enum iam_err err = iam_entity_get(iam_reader(c), c->account, IAM_GROUP, name, write_group, &sb, &f);
    strbuf_puts(&sb, "<Users>");
    if (err == IAM_OK)
        err = iam_group_members(iam_reader(c), c->account, name, false, m.page.marker, write_member, &m, &f);
    strbuf_puts(&sb, "</Users>");
    iam_page_end(&m.page);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

void iam_list_groups(struct iam_call *c) { iam_list_entities(c, IAM_GROUP, "Groups"); }
void iam_update_group(struct iam_call *c) { iam_update_entity(c, IAM_GROUP); }
void iam_delete_group(struct iam_call *c) { iam_delete_entity(c, IAM_GROUP, "GroupName"); }

static enum iam_err apply_membership(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const char *user = iam_param(&c->params, "UserName");
    return strcmp(c->op->name, "AddUserToGroup") == 0 ? iam_group_add_user(writer, c->account, c->name, user, f)
                                                      : iam_group_remove_user(writer, c->account, c->name, user, f);
}

static void change_membership(struct iam_call *c)
{
    if (!(c->name = iam_name(c, "GroupName", 128)) || !iam_name(c, "UserName", 128))
        return;
    iam_submit(c, apply_membership, NULL);
}

void iam_add_user_to_group(struct iam_call *c) { change_membership(c); }
void iam_remove_user_from_group(struct iam_call *c) { change_membership(c); }

void iam_list_groups_for_user(struct iam_call *c)
{
    const char *user = iam_name(c, "UserName", 128);
    if (!user)
        return;
    struct strbuf sb;
    struct members m;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &m.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<Groups>");
    enum iam_err err = iam_group_members(iam_reader(c), c->account, user, true, m.page.marker, write_member, &m, &f);
    strbuf_puts(&sb, "</Groups>");
    iam_page_end(&m.page);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}
