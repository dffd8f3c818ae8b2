/* scheduler_groups: EventBridge Scheduler's CreateScheduleGroup,
 * GetScheduleGroup, DeleteScheduleGroup and ListScheduleGroups, and the
 * tags of schedule groups (TagResource, UntagResource,
 * ListTagsForResource on /tags/{ResourceArn}).
 *
 * Every account has the group "default" without storing it; it cannot be
 * created or deleted. Deleting a group deletes its schedules with it, at
 * once (AWS shows the group DELETING for a while first). */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/percent.h"
#include "server/core/server.h"
#include "storage/core/clock.h"

#define DEFAULT_GROUP "default"

struct group_call {
    char name[65];
    char arn[EVENTS_ARN_MAX];
};

static void group_call_free(void *state) { free(state); }

static struct group_call *group_call_new(struct events_call *c)
{
    struct group_call *g = calloc(1, sizeof(*g));
    if (!g) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = g;
    c->free_state = group_call_free;
    if (!scheduler_name_ok(c->route.param)) {
        events_fail(c, 400, "ValidationException", "Invalid name: %.100s", c->route.param);
        return NULL;
    }
    snprintf(g->name, sizeof(g->name), "%.64s", c->route.param);
    scheduler_group_arn(c->es, c->account, g->name, g->arn);
    return g;
}

static void write_group(struct json_writer *w, const char *arn, const char *name, int64_t created, int64_t modified)
{
    jw_string(w, "Arn", arn);
    if (created >= 0) {
        events_jw_time(w, "CreationDate", created);
        events_jw_time(w, "LastModificationDate", modified);
    }
    jw_string(w, "Name", name);
    jw_string(w, "State", "ACTIVE");
}

/* ---- CreateScheduleGroup, DeleteScheduleGroup --------------------------------------------------- */

static int apply_create_group(struct store_conn *w, struct events_call *c)
{
    struct group_call *g = c->state;
    int64_t now = clock_now_ms();
    struct scheduler_group_row row = {.name = g->name, .created_ms = now, .modified_ms = now};
    memcpy(row.account, c->account, 13);
    c->found = scheduler_store_group_insert(w, &row);
    if (c->found < 0)
        return -1;
    return c->found == 1 ? events_tags_apply(w, g->arn, json_get(c->json, "Tags")) : 0;
}

static void group_created(struct events_call *c, bool ok)
{
    struct group_call *g = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        events_fail(c, 409, "ConflictException", "Schedule group %s already exists.", g->name);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "ScheduleGroupArn", g->arn);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void scheduler_create_schedule_group(struct events_call *c)
{
    struct group_call *g = group_call_new(c);
    if (!g)
        return;
    if (strcmp(g->name, DEFAULT_GROUP) == 0) {
        events_fail(c, 409, "ConflictException", "Schedule group default already exists.");
        return;
    }
    if (events_tags_valid(c, json_get(c->json, "Tags")))
        events_submit(c, apply_create_group, group_created);
}

static int apply_delete_group(struct store_conn *w, struct events_call *c)
{
    struct group_call *g = c->state;
    c->found = scheduler_store_group_delete(w, c->account, g->name, g->arn);
    return c->found < 0 ? -1 : 0;
}

static void group_deleted(struct events_call *c, bool ok)
{
    struct group_call *g = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        events_fail(c, 404, "ResourceNotFoundException", "Schedule group %s does not exist.", g->name);
        return;
    }
    scheduler_items_forget_group(c->es, c->account, g->name);
    events_reply_empty(c);
}

void scheduler_delete_schedule_group(struct events_call *c)
{
    struct group_call *g = group_call_new(c);
    if (!g)
        return;
    if (strcmp(g->name, DEFAULT_GROUP) == 0) {
        events_fail(c, 400, "ValidationException", "The default schedule group cannot be deleted.");
        return;
    }
    events_submit(c, apply_delete_group, group_deleted);
}

/* ---- GetScheduleGroup, ListScheduleGroups ------------------------------------------------------------ */

void scheduler_get_schedule_group(struct events_call *c)
{
    struct group_call *g = group_call_new(c);
    if (!g)
        return;
    struct scheduler_group_row row = {0};
    int found = strcmp(g->name, DEFAULT_GROUP) == 0
                    ? 1
                    : scheduler_store_group_get(events_reader(c->es), c->account, g->name, &row);
    if (found < 0) {
        events_fail_internal(c);
        return;
    }
    if (found == 0) {
        events_fail(c, 404, "ResourceNotFoundException", "Schedule group %s does not exist.", g->name);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    write_group(&w, g->arn, g->name, row.name ? row.created_ms : -1, row.modified_ms);
    jw_object_close(&w);
    scheduler_group_row_free(&row);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void scheduler_list_schedule_groups(struct events_call *c)
{
    int64_t limit;
    if (!scheduler_max_results(c, &limit))
        return;
    char *prefix = scheduler_query(c, "NamePrefix"), *token = scheduler_query(c, "NextToken");
    const char *p = prefix ? prefix : "", *after = token ? token : "";
    struct scheduler_group_row *rows;
    size_t n;
    if (scheduler_store_group_list(events_reader(c->es), c->account, p, after, (size_t)limit + 1, &rows, &n) < 0) {
        free(prefix);
        free(token);
        events_fail_internal(c);
        return;
    }
    /* The default group, where it sorts. */
    bool add_default = strncmp(DEFAULT_GROUP, p, strlen(p)) == 0 && strcmp(DEFAULT_GROUP, after) > 0;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "ScheduleGroups");
    size_t shown = 0, i = 0;
    char last[65] = "";
    bool more = false;
    while (i < n || add_default) {
        bool take_default = add_default && (i == n || strcmp(DEFAULT_GROUP, rows[i].name) < 0);
        if (shown == (size_t)limit) {
            more = true;
            break;
        }
        char arn[EVENTS_ARN_MAX];
        const char *name = take_default ? DEFAULT_GROUP : rows[i].name;
        scheduler_group_arn(c->es, c->account, name, arn);
        jw_object_open(&w, NULL);
        if (take_default)
            write_group(&w, arn, name, -1, -1);
        else
            write_group(&w, arn, name, rows[i].created_ms, rows[i].modified_ms);
        jw_object_close(&w);
        snprintf(last, sizeof(last), "%s", name);
        if (take_default)
            add_default = false;
        else
            i++;
        shown++;
    }
    jw_array_close(&w);
    if (more)
        jw_string(&w, "NextToken", last);
    jw_object_close(&w);
    for (size_t k = 0; k < n; k++)
        scheduler_group_row_free(&rows[k]);
    free(rows);
    free(prefix);
    free(token);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

/* ---- tags ------------------------------------------------------------------------------------------------- */

/* The schedule group a /tags/{ResourceArn} names, when it exists; NULL when answered. */
static const char *tagged_group(struct events_call *c)
{
    char prefix[128];
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:scheduler:%s:%s:schedule-group/", events_region(c->es),
                     c->account);
    const char *arn = c->route.param;
    if (strncmp(arn, prefix, (size_t)n) != 0 || !scheduler_name_ok(arn + n)) {
        events_fail(c, 404, "ResourceNotFoundException", "Resource %.400s does not exist.", arn);
        return NULL;
    }
    return scheduler_group_exists(c, c->account, arn + n) ? arn : NULL;
}

static void tags_written(struct events_call *c, bool ok)
{
    if (ok)
        events_reply_empty(c);
    else
        events_fail_internal(c);
}

static int apply_tag(struct store_conn *w, struct events_call *c)
{
    return events_tags_apply(w, c->route.param, json_get(c->json, "Tags"));
}

void scheduler_tag_resource(struct events_call *c)
{
    const struct json_value *tags = json_get(c->json, "Tags");
    if (!tags) {
        events_fail(c, 400, "ValidationException", "Tags is required.");
        return;
    }
    if (events_tags_valid(c, tags) && tagged_group(c))
        events_submit(c, apply_tag, tags_written);
}

static int apply_untag(struct store_conn *w, struct events_call *c)
{
    const char *cursor = c->req->query;
    char *key;
    while ((key = query_param_next(&cursor, "TagKeys"))) {
        int rc = events_store_tag_delete(w, c->route.param, key);
        free(key);
        if (rc < 0)
            return -1;
    }
    return 0;
}

void scheduler_untag_resource(struct events_call *c)
{
    if (tagged_group(c))
        events_submit(c, apply_untag, tags_written);
}

void scheduler_list_tags_for_resource(struct events_call *c)
{
    if (!tagged_group(c))
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    bool ok = events_tags_write(c->es, &w, c->route.param);
    jw_object_close(&w);
    if (ok)
        events_reply(c, &sb);
    else
        events_fail_internal(c);
    strbuf_free(&sb);
}
