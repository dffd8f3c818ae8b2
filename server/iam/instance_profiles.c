/* instance_profiles: CreateInstanceProfile (path, tags),
 * GetInstanceProfile, ListInstanceProfiles, DeleteInstanceProfile,
 * AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile and
 * ListInstanceProfilesForRole. Every answer shows a profile with its role. */
#include "server/iam/iam_service.h"

#include <stdlib.h>
#include <string.h>

void iam_create_instance_profile(struct iam_call *c)
{
    c->kind = IAM_INSTANCE_PROFILE;
    const char *name = iam_name(c, "InstanceProfileName", 128), *path = name ? iam_path(c, "Path", false) : NULL;
    char *tags;
    if (!path || !iam_tags_json(c, &tags))
        return;
    struct iam_create *cr = iam_create_new(c, tags, 0);
    free(tags);
    if (!cr)
        return;
    cr->entity = (struct iam_entity){.kind = IAM_INSTANCE_PROFILE, .name = name, .path = path};
    iam_create_entity(c, cr);
}

void iam_get_instance_profile(struct iam_call *c) { iam_get_entity(c, IAM_INSTANCE_PROFILE, "InstanceProfileName"); }
void iam_list_instance_profiles(struct iam_call *c) { iam_list_entities(c, IAM_INSTANCE_PROFILE, "InstanceProfiles"); }
void iam_delete_instance_profile(struct iam_call *c) { iam_delete_entity(c, IAM_INSTANCE_PROFILE, "InstanceProfileName"); }

static enum iam_err apply_link(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const char *role = iam_param(&c->params, "RoleName");
    return strcmp(c->op->name, "AddRoleToInstanceProfile") == 0
               ? iam_profile_add_role(writer, c->account, c->name, role, f)
               : iam_profile_remove_role(writer, c->account, c->name, role, f);
}

static void change_link(struct iam_call *c)
{
    if (!(c->name = iam_name(c, "InstanceProfileName", 128)) || !iam_name(c, "RoleName", 64))
        return;
    iam_submit(c, apply_link, NULL);
}

void iam_add_role_to_instance_profile(struct iam_call *c) { change_link(c); }
void iam_remove_role_from_instance_profile(struct iam_call *c) { change_link(c); }

struct profiles {
    struct iam_page page;
    enum iam_err err;
};

static bool write_profile(void *arg, const struct iam_entity *e)
{
    struct profiles *p = arg;
    if (!iam_page_room(&p->page))
        return false;
    p->err = iam_write_profile(p->page.call, p->page.sb, "member", e, false);
    iam_page_shown(&p->page, e->name);
    return p->err == IAM_OK;
}

void iam_list_instance_profiles_for_role(struct iam_call *c)
{
    const char *role = iam_name(c, "RoleName", 64);
    if (!role)
        return;
    struct strbuf sb;
    struct profiles p = {.err = IAM_OK};
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &p.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<InstanceProfiles>");
    enum iam_err err = iam_profile_links(iam_reader(c), c->account, role, true, p.page.marker, write_profile, &p, &f);
    strbuf_puts(&sb, "</InstanceProfiles>");
    iam_page_end(&p.page);
    if (err == IAM_OK)
        err = p.err;
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}
