/* tags: TagLogGroup, UntagLogGroup and ListTagsLogGroup name the group;
 * TagResource, UntagResource and ListTagsForResource name it by its ARN
 * (with or without ":*"). A group's tags are read, changed by what is
 * added and removed, and written back whole. */
#include "server/logs/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lists the group's tags, or writes them back with the members of `add`
 * set and the keys in `remove` gone. */
static void op_group_tags(struct logs_call *c, const char *group, const struct json_value *add, const struct json_value *remove, bool list)
{
    char *text;
    enum logs_err err = logs_get_group_tags(logs_reader(c), c->account, group, &text);
    if (err != LOGS_OK) {
        logs_send_store_error(c, err);
        return;
    }
    const struct json_value *tags = json_parse(text, strlen(text), NULL);
    free(text);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (list)
        jw_object_open(&w, "tags");
    size_t n_old = json_is(tags, JSON_OBJECT) ? tags->len : 0;
    for (size_t i = 0; i < n_old; i++) {
        const char *k = tags->u.members[i].key;
        bool dropped = json_get(add, k) != NULL;
        for (size_t r = 0; json_is(remove, JSON_ARRAY) && r < remove->len; r++)
            if (json_is(&remove->u.items[r], JSON_STRING) && strcmp(remove->u.items[r].u.str, k) == 0)
                dropped = true;
        if (!dropped)
            jw_tree(&w, k, &tags->u.members[i].value);
    }
    for (size_t i = 0; json_is(add, JSON_OBJECT) && i < add->len; i++)
        jw_tree(&w, add->u.members[i].key, &add->u.members[i].value);
    if (list)
        jw_object_close(&w);
    jw_object_close(&w);
    json_free(tags);
    if (list) {
        logs_send_json(c, &sb);
        strbuf_free(&sb);
        return;
    }
    struct write_job *j = strbuf_failed(&sb) ? NULL : logs_new_job(c, W_TAGS, group, NULL);
    if (j)
        j->tags_json = strbuf_detach(&sb, NULL);
    strbuf_free(&sb);
    logs_submit(c, j);
}

/* A log group ARN (with or without ":*") -> its name, or NULL. */
static const char *group_of_arn(const char *arn)
{
    const char *p = arn ? strstr(arn, ":log-group:") : NULL;
    return p ? p + 11 : NULL;
}

/* TagResource and friends name the group by its ARN. */
static bool resource_group(struct logs_call *c, char group[600])
{
    const char *name = group_of_arn(json_str(c->json, "resourceArn"));
    if (!name) {
        logs_send_error(c, 400, "InvalidParameterException", "The specified resourceArn is not a log group ARN.");
        return false;
    }
    snprintf(group, 600, "%s", name);
    size_t len = strlen(group);
    if (len >= 2 && strcmp(group + len - 2, ":*") == 0)
        group[len - 2] = '\0';
    return true;
}

/* The legacy tag operations name the group by logGroupName. */
static const char *named_group(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    if (!group)
        logs_missing(c, "logGroupName");
    return group;
}

void logs_list_tags_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, NULL, NULL, true);
}

void logs_tag_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, json_get(c->json, "tags"), NULL, false);
}

void logs_untag_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, NULL, json_get(c->json, "tags"), false);
}

void logs_list_tags_for_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, NULL, NULL, true);
}

void logs_tag_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, json_get(c->json, "tags"), NULL, false);
}

void logs_untag_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, NULL, json_get(c->json, "tagKeys"), false);
}
