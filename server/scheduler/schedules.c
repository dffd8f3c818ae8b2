/* scheduler_schedules: EventBridge Scheduler's CreateSchedule, GetSchedule,
 * UpdateSchedule, DeleteSchedule and ListSchedules, and the schedules in
 * memory that the clockwork (server/events/clockwork.c) fires.
 *
 * A schedule is stored as one JSON document of its settings (what
 * GetSchedule answers, defaults filled in as AWS fills them) beside its
 * state and next fire time. Expressions are at(), rate() and cron()
 * (protocol/events/schedule.c) in ScheduleExpressionTimezone (the tz
 * database, zones.c; UTC when absent), between StartDate and EndDate
 * (EndDate excluded). A rate counts its periods from StartDate, or from
 * the CreateSchedule / UpdateSchedule (first invocation one period
 * later). A FLEXIBLE FlexibleTimeWindow is accepted and the target is
 * invoked at the start of the window, which lies within it. After its last
 * invocation a schedule with ActionAfterCompletion DELETE is deleted.
 *
 * Targets: Lambda functions (templated Invoke), SQS queues (SendMessage,
 * FIFO with SqsParameters.MessageGroupId) and event buses (PutEvents with
 * EventBridgeParameters), each with its RetryPolicy (default 185 attempts,
 * 24 hours) and DeadLetterConfig, delivered by the events engine
 * (server/events/delivery.c). RoleArn is required and kept; it is not
 * checked against IAM. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/percent.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"

#define DEFAULT_GROUP "default"
#define DEFAULT_RETRIES 185
#define DEFAULT_AGE_S 86400

/* ---- ARNs ------------------------------------------------------------------------------ */

void scheduler_schedule_arn(const struct events_service *es, const char *account, const char *group, const char *name,
                            char out[EVENTS_ARN_MAX])
{
    snprintf(out, EVENTS_ARN_MAX, "arn:aws:scheduler:%s:%s:schedule/%s/%s", events_region(es), account, group, name);
}

void scheduler_group_arn(const struct events_service *es, const char *account, const char *group,
                         char out[EVENTS_ARN_MAX])
{
    snprintf(out, EVENTS_ARN_MAX, "arn:aws:scheduler:%s:%s:schedule-group/%s", events_region(es), account, group);
}

bool scheduler_name_ok(const char *name) { return events_name_ok(name, 64, "-_."); }

/* ---- the schedules in memory ----------------------------------------------------------------- */

static void item_free(struct scheduler_item *s)
{
    if (!s)
        return;
    free(s->group);
    free(s->name);
    free(s->zone);
    free(s->target);
    free(s);
}

/* A timestamp member (epoch seconds, with a fraction) in ms, -1 when absent. */
static int64_t time_member(const struct json_value *doc, const char *key)
{
    double v;
    return json_number_double(json_get(doc, key), &v) ? (int64_t)(v * 1000.0) : -1;
}

static struct scheduler_item *item_from_row(struct events_service *es, const struct scheduler_schedule_row *row)
{
    const struct json_value *doc = json_parse(row->doc, strlen(row->doc), NULL);
    struct scheduler_item *s = calloc(1, sizeof(*s));
    const char *expr = json_str(doc, "ScheduleExpression");
    const char *zone = json_str(doc, "ScheduleExpressionTimezone");
    const char *action = json_str(doc, "ActionAfterCompletion");
    struct strbuf target;
    strbuf_init(&target);
    struct json_writer w;
    jw_init(&w, &target);
    jw_tree(&w, NULL, json_get(doc, "Target"));
    bool ok = doc && s && expr && json_get(doc, "Target") && !strbuf_failed(&target) &&
              events_schedule_parse(expr, strlen(expr), EVENTS_SCHEDULE_SCHEDULER, &s->schedule);
    if (ok) {
        memcpy(s->account, row->account, 13);
        s->group = strdup(row->group);
        s->name = strdup(row->name);
        s->zone = zone && strcmp(zone, "UTC") != 0 ? strdup(zone) : NULL;
        s->target = strbuf_detach(&target, NULL);
        s->start_ms = time_member(doc, "StartDate");
        s->end_ms = time_member(doc, "EndDate");
        s->enabled = strcmp(row->state, "ENABLED") == 0;
        s->delete_after = action && strcmp(action, "DELETE") == 0;
        s->anchor_ms = row->anchor_ms;
        s->next_fire_ms = row->next_fire_ms;
        scheduler_schedule_arn(es, s->account, s->group, s->name, s->arn);
        ok = s->group && s->name && s->target && (!zone || strcmp(zone, "UTC") == 0 || s->zone);
    }
    strbuf_free(&target);
    json_free(doc);
    if (!ok) {
        item_free(s);
        return NULL;
    }
    return s;
}

int scheduler_items_load(struct events_service *es, char *err, size_t errlen)
{
    struct scheduler_schedule_row *rows;
    size_t n;
    if (scheduler_store_schedule_all(events_reader(es), &rows, &n) < 0) {
        snprintf(err, errlen, "cannot read the Scheduler schedules");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct scheduler_item *s = item_from_row(es, &rows[i]);
        if (s) {
            s->next = es->schedules;
            es->schedules = s;
        } else {
            log_warn("scheduler: schedule %s/%s could not be loaded; it does not fire", rows[i].group, rows[i].name);
        }
        scheduler_schedule_row_free(&rows[i]);
    }
    free(rows);
    return 0;
}

void scheduler_items_free(struct events_service *es)
{
    while (es->schedules) {
        struct scheduler_item *s = es->schedules;
        es->schedules = s->next;
        item_free(s);
    }
}

static struct scheduler_item **item_slot(struct events_service *es, const char *account, const char *group,
                                         const char *name)
{
    for (struct scheduler_item **pp = &es->schedules; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->name, name) == 0 && strcmp((*pp)->group, group) == 0 &&
            strcmp((*pp)->account, account) == 0)
            return pp;
    return NULL;
}

void scheduler_item_refresh(struct events_service *es, const char *account, const char *group, const char *name)
{
    struct scheduler_schedule_row row;
    int found = scheduler_store_schedule_get(events_reader(es), account, group, name, &row);
    if (found < 0) {
        log_warn("scheduler: cannot reload schedule %s/%s; it keeps its previous state until a restart", group, name);
        return;
    }
    struct scheduler_item *fresh = found == 1 ? item_from_row(es, &row) : NULL;
    if (found == 1)
        scheduler_schedule_row_free(&row);
    struct scheduler_item **slot = item_slot(es, account, group, name);
    if (slot) {
        struct scheduler_item *old = *slot;
        if (fresh)
            fresh->firing = old->firing;
        *slot = old->next;
        item_free(old);
    }
    if (fresh) {
        fresh->next = es->schedules;
        es->schedules = fresh;
    }
    events_clockwork_rearm(es);
}

void scheduler_items_forget_group(struct events_service *es, const char *account, const char *group)
{
    struct scheduler_item **pp = &es->schedules;
    while (*pp) {
        struct scheduler_item *s = *pp;
        if (strcmp(s->account, account) == 0 && strcmp(s->group, group) == 0) {
            *pp = s->next;
            item_free(s);
        } else {
            pp = &s->next;
        }
    }
    events_clockwork_rearm(es);
}

int64_t scheduler_item_next_fire(struct events_service *es, const struct scheduler_item *s, int64_t after_ms)
{
    if (!s->enabled)
        return -1;
    const struct events_zone *zone = NULL;
    if (s->zone && !(zone = events_zone_get(es, s->zone)))
        return -1;
    int64_t anchor = s->start_ms >= 0 ? s->start_ms : s->anchor_ms;
    if (s->start_ms >= 0 && after_ms < s->start_ms - 1000)
        after_ms = s->start_ms - 1000;         /* StartDate itself may fire */
    int64_t next;
    if (events_schedule_next(&s->schedule, zone, anchor / 1000, after_ms / 1000, &next) != EVENTS_NEXT_OK)
        return -1;
    if (s->end_ms >= 0 && next * 1000 >= s->end_ms)
        return -1;
    return next * 1000;
}

/* ---- requests -------------------------------------------------------------------------------------- */

/* A query parameter, decoded (the caller frees it); NULL when absent or
 * badly encoded. */
char *scheduler_query(struct events_call *c, const char *name)
{
    bool present = false;
    return query_param(c->req->query, name, &present);
}

static void schedule_not_found(struct events_call *c, const char *name)
{
    events_fail(c, 404, "ResourceNotFoundException", "Schedule %s does not exist.", name);
}

/* Whether the group exists; answers when it does not (or on an error). */
bool scheduler_group_exists(struct events_call *c, const char *account, const char *group)
{
    if (strcmp(group, DEFAULT_GROUP) == 0)
        return true;
    struct scheduler_group_row row;
    int found = scheduler_store_group_get(events_reader(c->es), account, group, &row);
    if (found < 0) {
        events_fail_internal(c);
        return false;
    }
    if (found == 0) {
        events_fail(c, 404, "ResourceNotFoundException", "Schedule group %s does not exist.", group);
        return false;
    }
    scheduler_group_row_free(&row);
    return true;
}

/* ---- Create / Update: checking and normalizing the settings ---------------------------------------------- */

struct schedule_write {
    char group[65];
    char name[65];
    struct scheduler_schedule_row row;
    bool update;
};

static void schedule_write_free(void *state)
{
    struct schedule_write *w = state;
    free(w->row.doc);
    free(w);
}

static bool target_ok(struct events_call *c, const struct json_value *t)
{
    const char *arn = json_str(t, "Arn"), *role = json_str(t, "RoleArn");
    if (!json_is(t, JSON_OBJECT) || !arn || !role) {
        events_fail(c, 400, "ValidationException", "Target %s is required.", !json_is(t, JSON_OBJECT) || !arn
                                                                                 ? "Arn"
                                                                                 : "RoleArn");
        return false;
    }
    if (strncmp(role, "arn:aws:iam::", 13) != 0 || strspn(role + 13, "0123456789") != 12 ||
        strncmp(role + 25, ":role/", 6) != 0 || !role[31]) {
        events_fail(c, 400, "ValidationException", "Invalid RoleArn provided: %.300s", role);
        return false;
    }
    const char *kind = events_target_kind(arn);
    if (!kind || strcmp(kind, "logs") == 0) {
        events_fail(c, 400, "ValidationException",
                    "cloudless invokes Lambda functions, SQS queues and event buses from schedules; it cannot "
                    "invoke %.300s.", arn);
        return false;
    }
    const char *input = json_str(t, "Input");
    if (input && !*input) {
        events_fail(c, 400, "ValidationException", "Target Input must not be empty.");
        return false;
    }
    if (input && strcmp(kind, "sqs") != 0) {
        const struct json_value *parsed = json_parse(input, strlen(input), NULL);
        json_free(parsed);
        if (!parsed) {
            events_fail(c, 400, "ValidationException", "Target Input must be well-formed JSON for %s targets.",
                        strcmp(kind, "lambda") == 0 ? "Lambda" : "EventBridge");
            return false;
        }
    }
    if (strcmp(kind, "events") == 0) {
        const struct json_value *p = json_get(t, "EventBridgeParameters");
        const char *source = json_str(p, "Source");
        if (!json_str(p, "DetailType") || !source) {
            events_fail(c, 400, "ValidationException",
                        "EventBridgeParameters with DetailType and Source are required for an event bus target.");
            return false;
        }
        if (strncmp(source, "aws.", 4) == 0) {
            events_fail(c, 400, "ValidationException", "Source must not start with aws.");
            return false;
        }
    }
    if (events_arn_is_fifo_queue(arn) && !json_str(json_get(t, "SqsParameters"), "MessageGroupId")) {
        events_fail(c, 400, "ValidationException", "SqsParameters.MessageGroupId is required for a FIFO queue target.");
        return false;
    }
    const char *dlq = json_str(json_get(t, "DeadLetterConfig"), "Arn");
    if (dlq && strncmp(dlq, "arn:aws:sqs:", 12) != 0) {
        events_fail(c, 400, "ValidationException", "DeadLetterConfig Arn %.300s is not an SQS queue ARN.", dlq);
        return false;
    }
    return events_retry_policy_ok(c, json_get(t, "RetryPolicy"));
}

static bool window_ok(struct events_call *c, const struct json_value *fw)
{
    const char *mode = json_str(fw, "Mode");
    int64_t minutes = 0;
    int got = json_int(fw, "MaximumWindowInMinutes", &minutes);
    if (!mode) {
        events_fail(c, 400, "ValidationException", "FlexibleTimeWindow Mode is required.");
        return false;
    }
    if (strcmp(mode, "OFF") == 0 && got == 1) {
        events_fail(c, 400, "ValidationException",
                    "MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.");
        return false;
    }
    if (strcmp(mode, "FLEXIBLE") == 0 && (got != 1 || minutes < 1 || minutes > 1440)) {
        events_fail(c, 400, "ValidationException",
                    "MaximumWindowInMinutes between 1 and 1440 is required when FlexibleTimeWindow Mode is FLEXIBLE.");
        return false;
    }
    if (strcmp(mode, "OFF") != 0 && strcmp(mode, "FLEXIBLE") != 0) {
        events_fail_constraint(c, "flexibleTimeWindow.mode", mode, "Member must satisfy enum value set: [OFF, FLEXIBLE]");
        return false;
    }
    return true;
}

static bool one_of(const char *v, const char *a, const char *b) { return !v || strcmp(v, a) == 0 || strcmp(v, b) == 0; }

static void put_time(struct json_writer *w, const char *key, int64_t ms)
{
    if (ms >= 0)
        events_jw_time(w, key, ms);
}

/* Checks a Create/UpdateSchedule body and builds the stored document. */
static bool build_schedule(struct events_call *c, struct schedule_write *sw)
{
    const struct json_value *j = c->json;
    const char *expr = json_str(j, "ScheduleExpression"), *zone = json_str(j, "ScheduleExpressionTimezone");
    const struct json_value *fw = json_get(j, "FlexibleTimeWindow"), *target = json_get(j, "Target");
    const char *state = json_str(j, "State"), *action = json_str(j, "ActionAfterCompletion");
    const char *description = json_str(j, "Description");
    if (!expr || !fw || !target) {
        events_fail(c, 400, "ValidationException", "%s is required.",
                    !expr ? "ScheduleExpression" : !fw ? "FlexibleTimeWindow" : "Target");
        return false;
    }
    struct events_schedule parsed;
    if (strlen(expr) > 256 || !events_schedule_parse(expr, strlen(expr), EVENTS_SCHEDULE_SCHEDULER, &parsed)) {
        struct strbuf message;
        strbuf_init(&message);
        events_schedule_scheduler_invalid(&message, expr, strlen(expr));
        events_fail(c, 400, "ValidationException", "%s", strbuf_failed(&message) ? "Invalid Schedule Expression." : message.data);
        strbuf_free(&message);
        return false;
    }
    if (zone && strcmp(zone, "UTC") != 0 && !events_zone_get(c->es, zone)) {
        events_fail(c, 400, "ValidationException", "Invalid time zone %.60s.", zone);
        return false;
    }
    if (!one_of(state, "ENABLED", "DISABLED") || !one_of(action, "NONE", "DELETE")) {
        events_fail_constraint(c, !one_of(state, "ENABLED", "DISABLED") ? "state" : "actionAfterCompletion",
                               !one_of(state, "ENABLED", "DISABLED") ? state : action,
                               !one_of(state, "ENABLED", "DISABLED") ? "Member must satisfy enum value set: [ENABLED, DISABLED]"
                                                                     : "Member must satisfy enum value set: [NONE, DELETE]");
        return false;
    }
    if (description && strlen(description) > 512) {
        events_fail_constraint(c, "description", description, "Member must have length less than or equal to 512");
        return false;
    }
    int64_t now = clock_now_ms(), start = time_member(j, "StartDate"), end = time_member(j, "EndDate");
    if (start >= 0 && start < now - 5 * 60 * 1000) {
        events_fail(c, 400, "ValidationException", "The StartDate you specify cannot be earlier than 5 minutes ago.");
        return false;
    }
    if (end >= 0 && end <= (start >= 0 ? start : now)) {
        events_fail(c, 400, "ValidationException", "The EndDate you specify must be after the StartDate and in the future.");
        return false;
    }
    if (!window_ok(c, fw) || !target_ok(c, target))
        return false;
    /* The document GetSchedule answers from, with AWS's defaults. */
    struct strbuf doc;
    strbuf_init(&doc);
    struct json_writer w;
    jw_init(&w, &doc);
    jw_object_open(&w, NULL);
    jw_string(&w, "ActionAfterCompletion", action ? action : "NONE");
    jw_string_opt(&w, "Description", description);
    put_time(&w, "EndDate", end);
    jw_tree(&w, "FlexibleTimeWindow", fw);
    jw_string_opt(&w, "KmsKeyArn", json_str(j, "KmsKeyArn"));
    jw_string(&w, "ScheduleExpression", expr);
    jw_string(&w, "ScheduleExpressionTimezone", zone ? zone : "UTC");
    put_time(&w, "StartDate", start);
    jw_string(&w, "State", state ? state : "ENABLED");
    jw_object_open(&w, "Target");
    for (size_t i = 0; i < target->len; i++) {
        const struct json_member *m = &target->u.members[i];
        if (strcmp(m->key, "RetryPolicy") != 0)
            jw_tree(&w, m->key, &m->value);
    }
    const struct json_value *retry = json_get(target, "RetryPolicy");
    int64_t attempts = DEFAULT_RETRIES, age = DEFAULT_AGE_S;
    json_int(retry, "MaximumRetryAttempts", &attempts);
    json_int(retry, "MaximumEventAgeInSeconds", &age);
    jw_object_open(&w, "RetryPolicy");
    jw_int(&w, "MaximumEventAgeInSeconds", age);
    jw_int(&w, "MaximumRetryAttempts", attempts);
    jw_object_close(&w);
    jw_object_close(&w);
    jw_object_close(&w);
    if (strbuf_failed(&doc)) {
        strbuf_free(&doc);
        events_fail_internal(c);
        return false;
    }
    struct scheduler_schedule_row *row = &sw->row;
    memcpy(row->account, c->account, 13);
    row->group = sw->group;
    row->name = sw->name;
    row->doc = strbuf_detach(&doc, NULL);
    strbuf_free(&doc);
    row->state = (char *)(state ? state : "ENABLED");
    row->anchor_ms = now;
    row->created_ms = row->modified_ms = now;
    /* The first fire time, by the same rules the clockwork follows. */
    struct scheduler_item *probe = item_from_row(c->es, row);
    row->next_fire_ms = probe ? scheduler_item_next_fire(c->es, probe, now) : -1;
    item_free(probe);
    return true;
}

static struct schedule_write *schedule_write_new(struct events_call *c, const char *group)
{
    struct schedule_write *sw = calloc(1, sizeof(*sw));
    if (!sw) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = sw;
    c->free_state = schedule_write_free;
    if (!scheduler_name_ok(c->route.param) || (group && !scheduler_name_ok(group))) {
        events_fail(c, 400, "ValidationException", "Invalid name: %.100s", !scheduler_name_ok(c->route.param)
                                                                                ? c->route.param
                                                                                : group);
        return NULL;
    }
    snprintf(sw->name, sizeof(sw->name), "%.64s", c->route.param);
    snprintf(sw->group, sizeof(sw->group), "%.64s", group ? group : DEFAULT_GROUP);
    return sw;
}

static int apply_schedule_write(struct store_conn *w, struct events_call *c)
{
    struct schedule_write *sw = c->state;
    if (sw->update) {
        struct scheduler_schedule_row old;
        int found = scheduler_store_schedule_get(w, sw->row.account, sw->group, sw->name, &old);
        if (found <= 0) {
            c->found = 0;
            return found < 0 ? -1 : 0;
        }
        sw->row.created_ms = old.created_ms;
        scheduler_schedule_row_free(&old);
        c->found = scheduler_store_schedule_replace(w, &sw->row);
    } else {
        c->found = scheduler_store_schedule_insert(w, &sw->row);
    }
    return c->found < 0 ? -1 : 0;
}

static void schedule_written(struct events_call *c, bool ok)
{
    struct schedule_write *sw = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        if (sw->update)
            schedule_not_found(c, sw->name);
        else
            events_fail(c, 409, "ConflictException", "Schedule %s already exists.", sw->name);
        return;
    }
    scheduler_item_refresh(c->es, c->account, sw->group, sw->name);
    char arn[EVENTS_ARN_MAX];
    scheduler_schedule_arn(c->es, c->account, sw->group, sw->name, arn);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "ScheduleArn", arn);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

static void write_schedule(struct events_call *c, bool update)
{
    struct schedule_write *sw = schedule_write_new(c, json_str(c->json, "GroupName"));
    if (!sw)
        return;
    sw->update = update;
    if (scheduler_group_exists(c, c->account, sw->group) && build_schedule(c, sw))
        events_submit(c, apply_schedule_write, schedule_written);
}

void scheduler_create_schedule(struct events_call *c) { write_schedule(c, false); }
void scheduler_update_schedule(struct events_call *c) { write_schedule(c, true); }

/* ---- GetSchedule, DeleteSchedule, ListSchedules -------------------------------------------------------- */

void scheduler_get_schedule(struct events_call *c)
{
    char *group = scheduler_query(c, "groupName");
    struct schedule_write *sw = schedule_write_new(c, group);
    free(group);
    if (!sw)
        return;
    struct scheduler_schedule_row row;
    int found = scheduler_store_schedule_get(events_reader(c->es), c->account, sw->group, sw->name, &row);
    if (found < 0) {
        events_fail_internal(c);
        return;
    }
    if (found == 0) {
        if (scheduler_group_exists(c, c->account, sw->group))
            schedule_not_found(c, sw->name);
        return;
    }
    const struct json_value *doc = json_parse(row.doc, strlen(row.doc), NULL);
    char arn[EVENTS_ARN_MAX];
    scheduler_schedule_arn(c->es, c->account, row.group, row.name, arn);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Arn", arn);
    events_jw_time(&w, "CreationDate", row.created_ms);
    jw_string(&w, "GroupName", row.group);
    events_jw_time(&w, "LastModificationDate", row.modified_ms);
    jw_string(&w, "Name", row.name);
    for (size_t i = 0; json_is(doc, JSON_OBJECT) && i < doc->len; i++)
        jw_tree(&w, doc->u.members[i].key, &doc->u.members[i].value);
    jw_object_close(&w);
    json_free(doc);
    scheduler_schedule_row_free(&row);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

static int apply_delete_schedule(struct store_conn *w, struct events_call *c)
{
    struct schedule_write *sw = c->state;
    c->found = scheduler_store_schedule_delete(w, c->account, sw->group, sw->name);
    return c->found < 0 ? -1 : 0;
}

static void schedule_deleted(struct events_call *c, bool ok)
{
    struct schedule_write *sw = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        schedule_not_found(c, sw->name);
        return;
    }
    scheduler_item_refresh(c->es, c->account, sw->group, sw->name);
    events_reply_empty(c);
}

void scheduler_delete_schedule(struct events_call *c)
{
    char *group = scheduler_query(c, "groupName");
    struct schedule_write *sw = schedule_write_new(c, group);
    free(group);
    if (sw && scheduler_group_exists(c, c->account, sw->group))
        events_submit(c, apply_delete_schedule, schedule_deleted);
}

/* MaxResults (1-100) of a Scheduler List call from the query; false when answered. */
bool scheduler_max_results(struct events_call *c, int64_t *limit)
{
    char *v = scheduler_query(c, "MaxResults");
    *limit = 100;
    if (v) {
        char *end;
        long long n = strtoll(v, &end, 10);
        bool ok = *v && !*end && n >= 1 && n <= 100;
        free(v);
        if (!ok) {
            events_fail(c, 400, "ValidationException", "MaxResults must be between 1 and 100.");
            return false;
        }
        *limit = n;
    }
    return true;
}

void scheduler_list_schedules(struct events_call *c)
{
    int64_t limit;
    if (!scheduler_max_results(c, &limit))
        return;
    char *group = scheduler_query(c, "ScheduleGroup"), *prefix = scheduler_query(c, "NamePrefix"), *state = scheduler_query(c, "State");
    char *token = scheduler_query(c, "NextToken");
    struct scheduler_schedule_row *rows = NULL;
    size_t n = 0;
    char after_group[200] = "", after_name[200] = "";
    if (token) {
        const char *slash = strchr(token, '/');
        snprintf(after_group, sizeof(after_group), "%.*s", slash ? (int)(slash - token) : 0, token);
        snprintf(after_name, sizeof(after_name), "%s", slash ? slash + 1 : "");
    }
    bool ok = !state || one_of(state, "ENABLED", "DISABLED");
    if (!ok)
        events_fail_constraint(c, "state", state, "Member must satisfy enum value set: [ENABLED, DISABLED]");
    else if (group && !scheduler_group_exists(c, c->account, group))
        ok = false;
    else if (scheduler_store_schedule_list(events_reader(c->es), c->account, group, prefix ? prefix : "", state,
                                           after_group, after_name, (size_t)limit + 1, &rows, &n) < 0) {
        events_fail_internal(c);
        ok = false;
    }
    free(group);
    free(prefix);
    free(state);
    free(token);
    if (!ok)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Schedules");
    size_t shown = n > (size_t)limit ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++) {
        const struct json_value *doc = json_parse(rows[i].doc, strlen(rows[i].doc), NULL);
        char arn[EVENTS_ARN_MAX];
        scheduler_schedule_arn(c->es, c->account, rows[i].group, rows[i].name, arn);
        jw_object_open(&w, NULL);
        jw_string(&w, "Arn", arn);
        events_jw_time(&w, "CreationDate", rows[i].created_ms);
        jw_string(&w, "GroupName", rows[i].group);
        events_jw_time(&w, "LastModificationDate", rows[i].modified_ms);
        jw_string(&w, "Name", rows[i].name);
        jw_string(&w, "State", rows[i].state);
        jw_object_open(&w, "Target");
        jw_string_opt(&w, "Arn", json_str(json_get(doc, "Target"), "Arn"));
        jw_object_close(&w);
        jw_object_close(&w);
        json_free(doc);
    }
    jw_array_close(&w);
    if (n > shown) {
        char next[300];
        snprintf(next, sizeof(next), "%s/%s", rows[shown - 1].group, rows[shown - 1].name);
        jw_string(&w, "NextToken", next);
    }
    jw_object_close(&w);
    for (size_t i = 0; i < n; i++)
        scheduler_schedule_row_free(&rows[i]);
    free(rows);
    events_reply(c, &sb);
    strbuf_free(&sb);
}
