/* groups: CreateLogGroup, DeleteLogGroup, DescribeLogGroups,
 * PutRetentionPolicy and DeleteRetentionPolicy. A group is created with
 * its tags (kept as one JSON object, see tags.c); a retention must be one
 * of the values AWS allows. DescribeLogGroups pages by name: its token is
 * the last name returned. */
#include "server/logs/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/config.h"
#include "server/core/server.h"

static void group_arn(struct logs_call *c, const char *group, bool star, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:logs:%s:%s:log-group:%s%s", c->ls->srv->cfg->region, c->account, group,
             star ? ":*" : "");
}

static bool describe_group(void *arg, const struct logs_group_info *g)
{
    struct listing *l = arg;
    if (l->n == l->limit) {
        l->more = true;
        return false;
    }
    struct json_writer *w = &l->w;
    char arn[700];
    jw_object_open(w, NULL);
    jw_string(w, "logGroupName", g->name);
    jw_int(w, "creationTime", g->created_ms);
    if (g->retention_days >= 0)
        jw_int(w, "retentionInDays", g->retention_days);
    jw_int(w, "metricFilterCount", 0);
    group_arn(l->call, g->name, true, arn, sizeof(arn));
    jw_string(w, "arn", arn);
    group_arn(l->call, g->name, false, arn, sizeof(arn));
    jw_string(w, "logGroupArn", arn);
    jw_int(w, "storedBytes", g->stored_bytes);
    jw_string(w, "logGroupClass", "STANDARD");
    jw_object_close(w);
    snprintf(l->last, sizeof(l->last), "%s", g->name);
    l->n++;
    return true;
}

void logs_describe_log_groups(struct logs_call *c)
{
    const char *prefix = json_str(c->json, "logGroupNamePrefix");
    const char *pattern = json_str(c->json, "logGroupNamePattern");
    const char *token = json_str(c->json, "nextToken");
    int64_t limit = logs_int_param(c, "limit", 50);
    if (limit < 1 || limit > 50) {
        logs_send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct listing l = {.call = c, .limit = limit};
    jw_init(&l.w, &sb);
    jw_object_open(&l.w, NULL);
    jw_array_open(&l.w, "logGroups");
    enum logs_err err = logs_list_groups(logs_reader(c), c->account, token ? token : "", prefix ? prefix : "",
                                         pattern ? pattern : "", describe_group, &l);
    jw_array_close(&l.w);
    if (l.more)
        jw_string(&l.w, "nextToken", l.last);
    jw_object_close(&l.w);
    if (err != LOGS_OK)
        logs_send_store_error(c, err);
    else
        logs_send_json(c, &sb);
    strbuf_free(&sb);
}

static char *tags_to_json(const struct json_value *tags)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    if (json_is(tags, JSON_OBJECT))
        jw_tree(&w, NULL, tags);
    else
        strbuf_puts(&sb, "{}");
    if (strbuf_failed(&sb)) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

static bool valid_retention(int64_t d)
{
    static const int allowed[] = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                                  2557, 2922, 3288, 3653};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (allowed[i] == d)
            return true;
    return false;
}

static void op_simple_group_write(struct logs_call *c, enum write_kind kind)
{
    const char *group = json_str(c->json, "logGroupName");
    if (!group || !*group) {
        logs_missing(c, "logGroupName");
        return;
    }
    struct write_job *j = logs_new_job(c, kind, group, NULL);
    if (j && kind == W_CREATE_GROUP && !(j->tags_json = tags_to_json(json_get(c->json, "tags")))) {
        logs_write_job_free(j);
        j = NULL;
    }
    if (j && kind == W_RETENTION && strcmp(c->op->name, "PutRetentionPolicy") == 0) {
        int64_t days = logs_int_param(c, "retentionInDays", -1);
        if (!valid_retention(days)) {
            logs_write_job_free(j);
            logs_send_error(c, 400, "InvalidParameterException",
                            "1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
            return;
        }
        j->retention = days;
    }
    logs_submit(c, j);
}

void logs_create_log_group(struct logs_call *c) { op_simple_group_write(c, W_CREATE_GROUP); }
void logs_delete_log_group(struct logs_call *c) { op_simple_group_write(c, W_DELETE_GROUP); }
void logs_put_retention_policy(struct logs_call *c) { op_simple_group_write(c, W_RETENTION); }
void logs_delete_retention_policy(struct logs_call *c) { op_simple_group_write(c, W_RETENTION); }
