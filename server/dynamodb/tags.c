/* tags: TagResource, UntagResource and ListTagsOfResource, by table ARN.
 *
 * The ARN is checked as AWS checks it: none at all is "Invalid TableArn",
 * one that is no ARN is an AccessDeniedException (AWS cannot authorize
 * a resource it cannot read), one that is no table's is "Invalid
 * TableArn: ...". Tags live in the table's definition; a change is one
 * definition update. */
#include "server/dynamodb/service.h"

#include <string.h>

/* ^.+:.+:.+:.+:.+:.+/.+$ : five colons and a slash after them, with
 * something between each. */
static bool looks_like_arn(const char *s)
{
    size_t len = strlen(s), at = 0;
    for (int colons = 0; colons < 5; colons++) {
        const char *c = at + 1 <= len ? strchr(s + at + 1, ':') : NULL;
        if (!c)
            return false;
        at = (size_t)(c - s) + 1;
    }
    const char *slash = at + 1 <= len ? strchr(s + at + 1, '/') : NULL;
    return slash && slash[1];
}

/* The table an ARN names, held by the call; false when answered. */
static struct ddb_table_ref *resource(struct ddb_call *c, const char *action, const char *list_member,
                                      const char *empty_message)
{
    const char *arn = json_str(c->json, "ResourceArn");
    if (!arn) {
        ddb_send_validation(c, "Invalid TableArn");
        return NULL;
    }
    if (!looks_like_arn(arn)) {
        ddb_send_error(c, 400, "com.amazon.coral.service#AccessDeniedException",
                       "User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %s",
                       c->account, action, *arn ? arn : "*");
        return NULL;
    }
    const struct json_value *list = list_member ? json_get(c->json, list_member) : NULL;
    if (list_member && (!list || list->type == JSON_NULL)) {
        ddb_send_validation(c, "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member "
                               "must not be null",
                            strcmp(list_member, "Tags") == 0 ? "tags" : "tagKeys");
        return NULL;
    }
    char region[40], account[13], name[256];
    if (!ddb_table_arn_parse(arn, region, account, name)) {
        ddb_send_validation(c, "Invalid TableArn: Invalid ResourceArn provided as input %s", arn);
        return NULL;
    }
    if (list && list->len == 0) {
        ddb_send_validation(c, "%s", empty_message);
        return NULL;
    }
    struct ddb_table_ref *t = NULL;
    enum ddb_store_err e = DDB_STORE_NOT_FOUND;
    if (strcmp(account, c->account) == 0) {
        snprintf(c->region, sizeof(c->region), "%s", region);
        e = ddb_find_table(c, name, &t);
    }
    if (e == DDB_STORE_NOT_FOUND) {
        /* AWS's words differ between the three operations */
        if (strcmp(action, "UntagResource") == 0)
            ddb_send_not_found(c);
        else
            ddb_send_error(c, 400, "ResourceNotFoundException",
                           "Requested resource not found: ResourcArn: %s not found", arn);
        return NULL;
    }
    if (e != DDB_STORE_OK) {
        ddb_send_store_error(c, e);
        return NULL;
    }
    return t;
}

static void answer_empty(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def)
{
    (void)t;
    (void)def;
    struct strbuf sb = {.data = "{}", .len = 2};
    ddb_send_json(c, &sb);
}

void ddb_tag_resource(struct ddb_call *c)
{
    struct ddb_table_ref *t = resource(c, "TagResource", "Tags", "Atleast one Tag needs to be provided as Input.");
    if (!t)
        return;
    struct ddb_table def;
    struct ddb_error err;
    if (!ddb_table_add_tags(&c->arena, ddb_table_now(c, t, false), json_get(c->json, "Tags"), &def, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_table *copy = arena_alloc(&c->arena, sizeof(*copy));
    if (!copy) {
        ddb_send_no_memory(c);
        return;
    }
    *copy = def;
    ddb_change_table(c, t, copy, NULL, answer_empty);
}

void ddb_untag_resource(struct ddb_call *c)
{
    struct ddb_table_ref *t =
        resource(c, "UntagResource", "TagKeys", "Atleast one Tag Key needs to be provided as Input.");
    if (!t)
        return;
    struct ddb_table *def = arena_alloc(&c->arena, sizeof(*def));
    if (!def || !ddb_table_remove_tags(&c->arena, ddb_table_now(c, t, false), json_get(c->json, "TagKeys"), def)) {
        ddb_send_no_memory(c);
        return;
    }
    ddb_change_table(c, t, def, NULL, answer_empty);
}

void ddb_list_tags_of_resource(struct ddb_call *c)
{
    struct ddb_table_ref *t = resource(c, "ListTagsOfResource", NULL, NULL);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, false);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Tags");
    for (size_t i = 0; i < def->n_tags; i++) {
        jw_object_open(&w, NULL);
        jw_stringn(&w, "Key", def->tags[i].key.s, def->tags[i].key.len);
        jw_stringn(&w, "Value", def->tags[i].value.s, def->tags[i].value.len);
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}
