/* users: CreateUser (path, permissions boundary, tags), GetUser (the
 * caller itself without UserName — the root user too), ListUsers,
 * UpdateUser (name and path) and DeleteUser. */
#include "server/iam/iam_service.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/iam/xml.h"
#include "server/core/server.h"

void iam_create_user(struct iam_call *c)
{
    c->kind = IAM_USER;
    const char *name = iam_name(c, "UserName", 64), *path = name ? iam_path(c, "Path", false) : NULL;
    const char *boundary = iam_param(&c->params, "PermissionsBoundary");
    char *tags;
    if (!path || !iam_tags_json(c, &tags))
        return;
    struct iam_create *cr = iam_create_new(c, tags, 0);
    free(tags);
    if (!cr)
        return;
    cr->entity = (struct iam_entity){.kind = IAM_USER, .name = name, .path = path};
    cr->boundary = boundary;
    iam_create_entity(c, cr);
}

/* The root user as GetUser shows it: its account id and ARN, no name. */
static void answer_root(struct iam_call *c)
{
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_puts(&sb, "<User>");
    strbuf_xml_elem(&sb, "UserId", c->account);
    strbuf_xml_elem(&sb, "Arn", c->caller.arn);
    iam_xml_date(&sb, "CreateDate", c->srv->started_ms);
    strbuf_puts(&sb, "</User>");
    iam_finish(c, &sb);
}

void iam_get_user(struct iam_call *c)
{
    bool root;
    const char *name = iam_own_user(c, &root);
    if (root) {
        answer_root(c);
    } else if (name) {
        c->kind = IAM_USER;
        c->name = name;
        iam_answer_entity(c);
    }
}

void iam_list_users(struct iam_call *c) { iam_list_entities(c, IAM_USER, "Users"); }
void iam_update_user(struct iam_call *c) { iam_update_entity(c, IAM_USER); }
void iam_delete_user(struct iam_call *c) { iam_delete_entity(c, IAM_USER, "UserName"); }
