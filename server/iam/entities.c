/* entities: the operations users, groups, roles, managed policies and
 * instance profiles have in common — create (answered with the new
 * entity, read back once durable), get, list (PathPrefix, Marker,
 * MaxItems), update (a new name or path) and delete — parameterized by
 * kind; the families' files call these with their own members. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iam_create *iam_create_new(struct iam_call *c, const char *tags_json, size_t extra)
{
    size_t n = tags_json ? strlen(tags_json) : 0;
    struct iam_create *cr = calloc(1, sizeof(*cr) + n + 1 + extra);
    if (!cr) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return NULL;
    }
    if (n)
        memcpy(cr->tags, tags_json, n + 1);
    cr->extra = cr->tags + n + 1;
    return cr;
}

const char *iam_element(enum iam_kind kind)
{
    return kind == IAM_INSTANCE_PROFILE ? "InstanceProfile" : iam_kind_info(kind)->title;
}

static enum iam_err apply_create(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct iam_create *cr = c->work;
    struct iam_entity e = cr->entity;
    e.tags = cr->tags[0] ? cr->tags : NULL;
    if (e.linked_service) {
        struct iam_fault probe;
        enum iam_err taken = iam_entity_get(writer, e.account, IAM_ROLE, e.name, NULL, NULL, &probe);
        if (taken == IAM_OK) {
            snprintf(f->message, sizeof(f->message), "Service role name %s has been taken in this account, please "
                                                      "try a different suffix.", e.name);
            return IAM_ERR_INVALID_INPUT;
        }
        if (taken != IAM_ERR_NO_SUCH_ENTITY)
            return taken;
    }
    enum iam_err err = e.kind == IAM_POLICY ? iam_policy_create(writer, &e, cr->document, f)
                                            : iam_entity_create(writer, &e, f);
    if (err == IAM_OK && cr->boundary)
        err = iam_entity_set_boundary(writer, e.account, e.kind, e.name, cr->boundary, f);
    return err;
}

void iam_create_entity(struct iam_call *c, struct iam_create *cr)
{
    struct iam_entity *e = &cr->entity;
    c->work = cr;
    c->kind = e->kind;
    c->name = e->name;
    if (!iam_new_id(iam_kind_info(e->kind)->id_prefix, c->new_id, IAM_ID_LEN)) {
        iam_send_error(c, 500, "ServiceFailure", "no random bytes for the new id");
        return;
    }
    e->account = c->account;
    e->id = c->new_id;
    e->created_ms = e->updated_ms = c->now_ms;
    if (e->kind == IAM_POLICY) {
        iam_arn(c->own_arn, sizeof(c->own_arn), IAM_POLICY, c->account, e->path, e->name);
        c->arn = c->own_arn;
    }
    iam_submit(c, apply_create, iam_answer_entity);
}

/* Writes one entity as the call's answer. */
struct answer {
    struct iam_call *call;
    struct strbuf *sb;
    bool full;
    enum iam_err err;
};

static bool write_answer(void *arg, const struct iam_entity *e)
{
    struct answer *a = arg;
    if (e->kind == IAM_INSTANCE_PROFILE)
        a->err = iam_write_profile(a->call, a->sb, iam_element(e->kind), e, a->full);
    else
        iam_write_entity(a->sb, iam_element(e->kind), e, a->full);
    return false;
}

static void answer_entity(struct iam_call *c, enum iam_kind kind, const char *name)
{
    struct strbuf sb;
    struct iam_fault f;
    iam_begin(c, &sb);
    struct answer a = {c, &sb, true, IAM_OK};
    enum iam_err err = kind == IAM_POLICY ? iam_policy_get(iam_reader(c), c->account, name, write_answer, &a, &f)
                                          : iam_entity_get(iam_reader(c), c->account, kind, name, write_answer, &a, &f);
    if (err == IAM_OK)
        err = a.err;
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

void iam_answer_entity(struct iam_call *c) { answer_entity(c, c->kind, c->kind == IAM_POLICY ? c->arn : c->name); }

void iam_get_entity(struct iam_call *c, enum iam_kind kind, const char *member)
{
    const char *name = iam_name(c, member, 128);
    if (name)
        answer_entity(c, kind, name);
}

/* ---- listing ---------------------------------------------------------------------------- */

struct listing {
    struct iam_page page;
    enum iam_err err;
};

static bool list_one(void *arg, const struct iam_entity *e)
{
    struct listing *l = arg;
    if (!iam_page_room(&l->page))
        return false;
    if (e->kind == IAM_INSTANCE_PROFILE)
        l->err = iam_write_profile(l->page.call, l->page.sb, "member", e, false);
    else
        iam_write_entity(l->page.sb, "member", e, false);
    iam_page_shown(&l->page, e->name);
    return l->err == IAM_OK;
}

void iam_list_entities(struct iam_call *c, enum iam_kind kind, const char *list)
{
    const char *prefix = iam_param(&c->params, "PathPrefix");
    char msg[512];
    const char *bad = prefix ? iam_check_path_prefix(prefix, msg, sizeof(msg)) : NULL;
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    struct strbuf sb;
    struct listing l = {.err = IAM_OK};
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &l.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_printf(&sb, "<%s>", list);
    enum iam_err err = iam_entity_list(iam_reader(c), c->account, kind, prefix, l.page.marker, list_one, &l);
    strbuf_printf(&sb, "</%s>", list);
    iam_page_end(&l.page);
    if (err == IAM_OK)
        err = l.err;
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &(struct iam_fault){""});
        return;
    }
    iam_finish(c, &sb);
}

/* ---- delete and update ------------------------------------------------------------------ */

static enum iam_err apply_delete(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return iam_entity_delete(writer, c->account, c->kind, c->name, f);
}

void iam_delete_entity(struct iam_call *c, enum iam_kind kind, const char *member)
{
    if (!(c->name = iam_name(c, member, 128)))
        return;
    c->kind = kind;
    iam_submit(c, apply_delete, NULL);
}

static enum iam_err apply_rename(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const char *new_name = iam_param(&c->params, c->kind == IAM_USER ? "NewUserName" : "NewGroupName");
    return iam_entity_rename(writer, c->account, c->kind, c->name, new_name, iam_param(&c->params, "NewPath"), f);
}

void iam_update_entity(struct iam_call *c, enum iam_kind kind)
{
    const struct iam_kind_info *k = iam_kind_info(kind);
    char new_member[40], msg[512];
    snprintf(new_member, sizeof(new_member), "New%s", k->name_member);
    if (!(c->name = iam_name(c, k->name_member, 128)))
        return;
    c->kind = kind;
    const char *new_name = iam_param(&c->params, new_member);
    const char *bad = new_name ? iam_check_name(new_name, kind == IAM_USER ? "newUserName" : "newGroupName", k->max_name,
                                                msg, sizeof(msg))
                               : NULL;
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    if (iam_param(&c->params, "NewPath") && !iam_path(c, "NewPath", false))
        return;
    iam_submit(c, apply_rename, NULL);
}
