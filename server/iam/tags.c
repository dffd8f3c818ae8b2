/* tags: Tag, Untag and List...Tags of users, roles, managed policies (by
 * PolicyArn; AWS's own cannot be tagged) and instance profiles. Tags are
 * kept with the entity; keys of users and roles compare ignoring case, as
 * IAM documents. ListXTags pages by position. */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/xml.h"

/* The entity a tag operation names: by its name, or a policy by its ARN
 * (c->name then holds the policy's name, from c->own_arn's room). */
static bool target(struct iam_call *c, enum iam_kind kind)
{
    c->kind = kind;
    if (kind != IAM_POLICY)
        return (c->name = iam_name(c, iam_kind_info(kind)->name_member, 128)) != NULL;
    if (!(c->arn = iam_policy_arn(c, "PolicyArn")))
        return false;
    char account[16], path[IAM_ARN_MAX];
    if (!iam_parse_policy_arn(c->arn, account, path, c->own_arn)) {
        iam_send_error(c, 400, "InvalidInput", "ARN %s is not valid.", c->arn);
        return false;
    }
    if (strcmp(account, IAM_AWS_ACCOUNT) == 0 && strncmp(c->op->name, "List", 4) != 0) {
        iam_send_error(c, 400, "InvalidInput", "Policy %s is an AWS managed policy: it cannot be tagged.", c->arn);
        return false;
    }
    c->name = c->own_arn;
    return true;
}

/* The tag keys and values (or keys to remove) of the call. */
struct tag_change {
    const char **keys, **values;
    size_t n;
};

static enum iam_err apply_tags(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct tag_change *t = c->work;
    if (c->kind == IAM_POLICY) {
        enum iam_err err = iam_policy_exists(writer, c->account, c->arn, f);
        if (err != IAM_OK)
            return err;
    }
    bool untag = strncmp(c->op->name, "Untag", 5) == 0;
    return untag ? iam_entity_tag(writer, c->account, c->kind, c->name, NULL, NULL, 0, t->keys, t->n, f)
                 : iam_entity_tag(writer, c->account, c->kind, c->name, t->keys, t->values, t->n, NULL, 0, f);
}

static void free_change(void *work)
{
    struct tag_change *t = work;
    free(t->keys);
    free(t->values);
    free(t);
}

/* A change owned by the call; NULL after answering. */
static struct tag_change *new_change(struct iam_call *c)
{
    struct tag_change *t = calloc(1, sizeof(*t));
    if (!t) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return NULL;
    }
    c->work = t;
    c->work_free = free_change;
    return t;
}

static void tag(struct iam_call *c, enum iam_kind kind)
{
    struct tag_change *t = new_change(c);
    if (!t)
        return;
    if (!target(c, kind) || !iam_required(c, "Tags.member.1.Key") || !iam_tags(c, "Tags", &t->keys, &t->values, &t->n))
        return;
    iam_submit(c, apply_tags, NULL);
}

static void untag(struct iam_call *c, enum iam_kind kind)
{
    struct tag_change *t = new_change(c);
    if (!t || !target(c, kind))
        return;
    t->n = iam_param_count(&c->params, "TagKeys", NULL);
    if (t->n == 0) {
        iam_send_validation(c, "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: "
                               "Member must not be null");
        return;
    }
    if (!(t->keys = calloc(t->n, sizeof(*t->keys)))) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    for (size_t i = 0; i < t->n; i++)
        t->keys[i] = iam_param_member(&c->params, "TagKeys", i + 1, NULL);
    iam_submit(c, apply_tags, NULL);
}

/* ListXTags: the entity's tags from position Marker on. */
struct tag_listing {
    struct iam_page page;
    size_t skip;
};

static bool write_tags(void *arg, const struct iam_entity *e)
{
    struct tag_listing *l = arg;
    size_t left = iam_xml_tags(l->page.sb, e->tags, l->skip, (size_t)l->page.max);
    if (left) {
        l->page.truncated = true;
        snprintf(l->page.next, sizeof(l->page.next), "%zu", l->skip + (size_t)l->page.max);
    }
    return false;
}

static void list_tags(struct iam_call *c, enum iam_kind kind)
{
    if (!target(c, kind))
        return;
    struct strbuf sb;
    struct tag_listing l;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &l.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    l.skip = (size_t)strtoul(l.page.marker, NULL, 10);
    enum iam_err err = kind == IAM_POLICY ? iam_policy_get(iam_reader(c), c->account, c->arn, write_tags, &l, &f)
                                          : iam_entity_get(iam_reader(c), c->account, kind, c->name, write_tags, &l, &f);
    iam_page_end(&l.page);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

void iam_tag_user(struct iam_call *c) { tag(c, IAM_USER); }
void iam_untag_user(struct iam_call *c) { untag(c, IAM_USER); }
void iam_list_user_tags(struct iam_call *c) { list_tags(c, IAM_USER); }
void iam_tag_role(struct iam_call *c) { tag(c, IAM_ROLE); }
void iam_untag_role(struct iam_call *c) { untag(c, IAM_ROLE); }
void iam_list_role_tags(struct iam_call *c) { list_tags(c, IAM_ROLE); }
void iam_tag_policy(struct iam_call *c) { tag(c, IAM_POLICY); }
void iam_untag_policy(struct iam_call *c) { untag(c, IAM_POLICY); }
void iam_list_policy_tags(struct iam_call *c) { list_tags(c, IAM_POLICY); }
void iam_tag_instance_profile(struct iam_call *c) { tag(c, IAM_INSTANCE_PROFILE); }
void iam_untag_instance_profile(struct iam_call *c) { untag(c, IAM_INSTANCE_PROFILE); }
void iam_list_instance_profile_tags(struct iam_call *c) { list_tags(c, IAM_INSTANCE_PROFILE); }
