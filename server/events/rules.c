/* events_rules: PutRule, DescribeRule, ListRules, EnableRule, DisableRule
 * and DeleteRule, and the rules in memory.
 *
 * Every stored rule has a struct events_rule in es->rules with its pattern
 * compiled and its schedule parsed, which PutEvents matches and the
 * clockwork fires; after each write that changes a rule or its targets
 * the rule is read back from storage (events_rule_refresh), so memory
 * follows what is durable.
 *
 * A bus holds at most RULES_PER_BUS rules (AWS's default quota; with 5
 * targets per rule it bounds the outbox rows one event can make).
 *
 * Scheduled rules: a rate counts its periods from the PutRule that set the
 * expression (the first fire one period later, as AWS does); a cron fires
 * at its UTC times. The next fire time is stored with the rule and moved
 * forward in the transaction that records a firing (clockwork.c).
 * Disabling a rule clears it; enabling computes it from the time of the
 * EnableRule, so a rule does not catch up on the time it was disabled. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/log.h"
#include "storage/core/clock.h"

#define PATTERN_MAX 4096
#define LIST_DEFAULT_LIMIT 100
/* AWS's default quota, which also bounds the outbox rows one event makes. */
#define RULES_PER_BUS 300

/* ---- the rules in memory ------------------------------------------------------------- */

static void rule_free(struct events_rule *r)
{
    if (!r)
        return;
    free(r->bus);
    free(r->name);
    events_pattern_free(r->pattern);
    events_target_rows_free(r->targets, r->n_targets);
    free(r);
}

int64_t events_rule_next_fire(const struct events_rule *r, int64_t after_ms)
{
    if (!r->scheduled || !r->enabled)
        return -1;
    int64_t next;
    if (events_schedule_next(&r->schedule, NULL, r->anchor_ms / 1000, after_ms / 1000, &next) != EVENTS_NEXT_OK)
        return -1;
    return next * 1000;
}

/* A rule in memory from its row and targets (taken over), or NULL. */
static struct events_rule *rule_from_row(struct events_service *es, struct events_rule_row *row,
                                         struct events_target_row *targets, size_t n_targets)
{
    struct events_rule *r = calloc(1, sizeof(*r));
    if (!r) {
        events_target_rows_free(targets, n_targets);
        return NULL;
    }
    memcpy(r->account, row->account, sizeof(r->account));
    r->bus = row->bus;
    r->name = row->name;
    row->bus = row->name = NULL;
    r->targets = targets;
    r->n_targets = n_targets;
    r->enabled = row->state && strcmp(row->state, "DISABLED") != 0;
    r->anchor_ms = row->anchor_ms;
    r->next_fire_ms = row->next_fire_ms;
    events_rule_arn(es, r->account, r->bus, r->name, r->arn);
    if (row->pattern &&
        events_pattern_compile(row->pattern, strlen(row->pattern), &r->pattern, NULL) != EVENTS_PATTERN_OK) {
        log_warn("events: the stored pattern of rule %s no longer compiles; the rule matches nothing", r->arn);
        r->pattern = NULL;
    }
    if (row->schedule)
        r->scheduled = events_schedule_parse(row->schedule, strlen(row->schedule), EVENTS_SCHEDULE_RULE,
                                             &r->schedule);
    return r;
}

static struct events_rule *load_rule(struct events_service *es, struct events_rule_row *row)
{
    struct events_target_row *targets;
    size_t n;
    if (events_store_targets_get(events_reader(es), row->account, row->bus, row->name, &targets, &n) < 0)
        return NULL;
    return rule_from_row(es, row, targets, n);
}

int events_rules_load(struct events_service *es, char *err, size_t errlen)
{
    struct events_rule_row *rows;
    size_t n;
    if (events_store_rule_all(events_reader(es), &rows, &n) < 0) {
        snprintf(err, errlen, "cannot read the EventBridge rules");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct events_rule *r = rc == 0 ? load_rule(es, &rows[i]) : NULL;
        if (!r && rc == 0) {
            snprintf(err, errlen, "cannot load the EventBridge rule %s", rows[i].name ? rows[i].name : "?");
            rc = -1;
        }
        if (r) {
            r->next = es->rules;
            es->rules = r;
        }
        events_rule_row_free(&rows[i]);
    }
    free(rows);
    return rc;
}

void events_rules_free(struct events_service *es)
{
    while (es->rules) {
        struct events_rule *r = es->rules;
        es->rules = r->next;
        rule_free(r);
    }
}

struct events_rule *events_rule_find(struct events_service *es, const char *account, const char *bus,
                                     const char *name)
{
    for (struct events_rule *r = es->rules; r; r = r->next)
        if (strcmp(r->name, name) == 0 && strcmp(r->bus, bus) == 0 && strcmp(r->account, account) == 0)
            return r;
    return NULL;
}

static void unlink_rule(struct events_service *es, struct events_rule *gone)
{
    for (struct events_rule **pp = &es->rules; *pp; pp = &(*pp)->next)
        if (*pp == gone) {
            *pp = gone->next;
            return;
        }
}

void events_rule_refresh(struct events_service *es, const char *account, const char *bus, const char *name)
{
    struct events_rule *old = events_rule_find(es, account, bus, name);
    struct events_rule_row row;
    int found = events_store_rule_get(events_reader(es), account, bus, name, &row);
    struct events_rule *fresh = found == 1 ? load_rule(es, &row) : NULL;
    if (found == 1)
        events_rule_row_free(&row);
    if (found != 0 && !fresh) {
        log_warn("events: cannot reload rule %s on %s; it keeps its previous state until a restart", name, bus);
        return;
    }
    if (old) {
        if (fresh)
            fresh->firing = old->firing;
        unlink_rule(es, old);
        rule_free(old);
    }
    if (fresh) {
        fresh->next = es->rules;
        es->rules = fresh;
    }
    events_clockwork_rearm(es);
}

void events_rules_forget_bus(struct events_service *es, const char *account, const char *bus)
{
    struct events_rule **pp = &es->rules;
    while (*pp) {
        struct events_rule *r = *pp;
        if (strcmp(r->account, account) == 0 && strcmp(r->bus, bus) == 0) {
            *pp = r->next;
            rule_free(r);
        } else {
            pp = &r->next;
        }
    }
    events_clockwork_rearm(es);
}

/* ---- shared checks --------------------------------------------------------------------------- */

/* The rule named by Name (or `key`) and EventBusName, both checked. */
struct rule_key {
    char account[13];
    char bus[257];
    const char *name;
};

static bool rule_key(struct events_call *c, struct rule_key *k)
{
    k->name = json_str(c->json, "Name");
    if (!k->name) {
        events_fail_missing(c, "name");
        return false;
    }
    if (!events_name_ok(k->name, 64, ".-_")) {
        events_fail_constraint(c, "name", k->name, "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
        return false;
    }
    return events_resolve_bus(c, json_str(c->json, "EventBusName"), k->account, k->bus);
}

bool events_bus_exists(struct events_call *c, const char *account, const char *bus)
{
    if (strcmp(bus, EVENTS_DEFAULT_BUS) == 0)
        return true;
    struct events_bus_row row;
    int found = events_store_bus_get(events_reader(c->es), account, bus, &row);
    if (found < 0) {
        events_fail_internal(c);
        return false;
    }
    if (found == 0) {
        events_fail(c, 400, "ResourceNotFoundException", "Event bus %s does not exist.", bus);
        return false;
    }
    events_bus_row_free(&row);
    return true;
}

static void rule_not_found(struct events_call *c, const struct rule_key *k)
{
    events_fail(c, 400, "ResourceNotFoundException", "Rule %s does not exist on EventBus %s.", k->name, k->bus);
}

/* ---- PutRule ----------------------------------------------------------------------------------- */

struct put_rule {
    struct rule_key key;
    struct events_rule_row row;    /* strings borrowed from the request, except state */
    char arn[EVENTS_ARN_MAX];
};

static void put_rule_free(void *state) { free(state); }

static int apply_put_rule(struct store_conn *w, struct events_call *c)
{
    struct put_rule *p = c->state;
    if (events_store_rule_put(w, &p->row) < 0)
        return -1;
    return events_tags_apply(w, p->arn, json_get(c->json, "Tags"));
}

static void put_rule_done(struct events_call *c, bool ok)
{
    struct put_rule *p = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    events_rule_refresh(c->es, p->key.account, p->key.bus, p->key.name);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "RuleArn", p->arn);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void events_put_rule(struct events_call *c)
{
    struct put_rule *p = calloc(1, sizeof(*p));
    if (!p) {
        events_fail_internal(c);
        return;
    }
    c->state = p;
    c->free_state = put_rule_free;
    if (!rule_key(c, &p->key))
        return;
    const char *pattern = json_str(c->json, "EventPattern");
    const char *schedule = json_str(c->json, "ScheduleExpression");
    const char *state = json_str(c->json, "State");
    const char *description = json_str(c->json, "Description");
    if (!pattern && !schedule) {
        events_fail(c, 400, "ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be specified.");
        return;
    }
    if (state && strcmp(state, "ENABLED") != 0 && strcmp(state, "DISABLED") != 0 &&
        strcmp(state, "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") != 0) {
        events_fail_constraint(c, "state", state,
                               "Member must satisfy enum value set: [ENABLED, DISABLED, "
                               "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]");
        return;
    }
    if (description && strlen(description) > 512) {
        events_fail_constraint(c, "description", description, "Member must have length less than or equal to 512");
        return;
    }
    struct events_schedule parsed;
    if (schedule) {
        if (strcmp(p->key.bus, EVENTS_DEFAULT_BUS) != 0) {
            events_fail(c, 400, "ValidationException",
                        "ScheduleExpression is supported only on the default event bus.");
            return;
        }
        if (strlen(schedule) > 256 ||
            !events_schedule_parse(schedule, strlen(schedule), EVENTS_SCHEDULE_RULE, &parsed)) {
            events_fail(c, 400, "ValidationException", "%s", EVENTS_SCHEDULE_RULE_INVALID);
            return;
        }
    }
    if (pattern) {
        size_t len = strlen(pattern);
        if (len > PATTERN_MAX) {
            events_fail_constraint(c, "eventPattern", pattern, "Member must have length less than or equal to 4096");
            return;
        }
        struct strbuf message;
        strbuf_init(&message);
        struct events_pattern *compiled = NULL;
        enum events_pattern_result rc = events_pattern_compile(pattern, len, &compiled, &message);
        events_pattern_free(compiled);
        if (rc != EVENTS_PATTERN_OK) {
            if (rc == EVENTS_PATTERN_INVALID && !strbuf_failed(&message))
                events_fail(c, 400, "InvalidEventPatternException", "%s", message.data);
            else
                events_fail_internal(c);
            strbuf_free(&message);
            return;
        }
        strbuf_free(&message);
    }
    if (!events_tags_valid(c, json_get(c->json, "Tags")) || !events_bus_exists(c, p->key.account, p->key.bus))
        return;
    if (strcmp(p->key.account, c->account) != 0) {
        events_fail(c, 400, "AccessDeniedException", "Rules can only be put on event buses of your own account.");
        return;
    }
    int64_t now = clock_now_ms();
    struct events_rule_row *row = &p->row;
    memcpy(row->account, p->key.account, sizeof(row->account));
    row->bus = p->key.bus;
    row->name = (char *)p->key.name;
    row->pattern = (char *)pattern;
    row->schedule = (char *)schedule;
    row->state = (char *)(state ? state : "ENABLED");
    row->description = (char *)description;
    row->role_arn = (char *)json_str(c->json, "RoleArn");
    row->created_ms = now;
    row->anchor_ms = schedule && parsed.kind == EVENTS_SCHEDULE_RATE ? now + parsed.rate_seconds * 1000 : now;
    row->next_fire_ms = -1;
    /* An update keeps the creation time, and the schedule's rhythm while its expression stays. */
    struct events_rule_row old;
    int found = events_store_rule_get(events_reader(c->es), row->account, row->bus, row->name, &old);
    if (found < 0) {
        events_fail_internal(c);
        return;
    }
    if (found == 0) {
        int rules = events_store_rule_count(events_reader(c->es), row->account, row->bus);
        if (rules < 0) {
            events_fail_internal(c);
            return;
        }
        if (rules >= RULES_PER_BUS) {
            events_fail(c, 400, "LimitExceededException", "The requested resource exceeds the maximum number allowed.");
            return;
        }
    }
    bool same_schedule = found == 1 && schedule && old.schedule && strcmp(old.schedule, schedule) == 0;
    if (found == 1) {
        row->created_ms = old.created_ms;
        if (same_schedule)
            row->anchor_ms = old.anchor_ms;
    }
    if (schedule && strcmp(row->state, "DISABLED") != 0) {
        struct events_rule probe = {.scheduled = true, .enabled = true, .schedule = parsed, .anchor_ms = row->anchor_ms};
        row->next_fire_ms = same_schedule && old.next_fire_ms >= 0 ? old.next_fire_ms
                                                                  : events_rule_next_fire(&probe, now);
    }
    if (found == 1)
        events_rule_row_free(&old);
    events_rule_arn(c->es, row->account, row->bus, row->name, p->arn);
    events_submit(c, apply_put_rule, put_rule_done);
}

/* ---- DescribeRule, ListRules ----------------------------------------------------------------------- */

static void write_rule(struct events_service *es, struct json_writer *w, const struct events_rule_row *r,
                       bool describe)
{
    char arn[EVENTS_ARN_MAX];
    events_rule_arn(es, r->account, r->bus, r->name, arn);
    jw_object_open(w, NULL);
    jw_string(w, "Name", r->name);
    jw_string(w, "Arn", arn);
    jw_string_opt(w, "EventPattern", r->pattern);
    jw_string_opt(w, "ScheduleExpression", r->schedule);
    jw_string(w, "State", r->state);
    jw_string_opt(w, "Description", r->description);
    jw_string_opt(w, "RoleArn", r->role_arn);
    jw_string(w, "EventBusName", r->bus);
    if (describe)
        jw_string(w, "CreatedBy", r->account);
    jw_object_close(w);
}

void events_describe_rule(struct events_call *c)
{
    struct rule_key k;
    if (!rule_key(c, &k))
        return;
    struct events_rule_row row;
    int found = events_store_rule_get(events_reader(c->es), k.account, k.bus, k.name, &row);
    if (found < 0) {
        events_fail_internal(c);
        return;
    }
    if (found == 0) {
        if (events_bus_exists(c, k.account, k.bus))
            rule_not_found(c, &k);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    /* DescribeRule's answer is the rule object itself. */
    write_rule(c->es, &w, &row, true);
    events_rule_row_free(&row);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

/* Limit (1-100) and NextToken of a List call: false when answered. */
bool events_paging(struct events_call *c, int64_t *limit, const char **token)
{
    *limit = LIST_DEFAULT_LIMIT;
    int got = json_int(c->json, "Limit", limit);
    if (got < 0 || (got == 1 && (*limit < 1 || *limit > 100))) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have "
                    "value between 1 and 100");
        return false;
    }
    *token = json_str(c->json, "NextToken");
    return true;
}

void events_list_rules(struct events_call *c)
{
    char account[13], bus[257];
    int64_t limit;
    const char *token;
    if (!events_resolve_bus(c, json_str(c->json, "EventBusName"), account, bus) ||
        !events_paging(c, &limit, &token) || !events_bus_exists(c, account, bus))
        return;
    const char *prefix = json_str(c->json, "NamePrefix");
    struct events_rule_row *rows;
    size_t n;
    if (events_store_rule_list(events_reader(c->es), account, bus, prefix ? prefix : "", token ? token : "",
                               (size_t)limit + 1, &rows, &n) < 0) {
        events_fail_internal(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Rules");
    size_t shown = n > (size_t)limit ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++)
        write_rule(c->es, &w, &rows[i], false);
    jw_array_close(&w);
    if (n > shown)
        jw_string(&w, "NextToken", rows[shown - 1].name);
    jw_object_close(&w);
    for (size_t i = 0; i < n; i++)
        events_rule_row_free(&rows[i]);
    free(rows);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

/* ---- EnableRule, DisableRule, DeleteRule --------------------------------------------------------- */

struct rule_change {
    struct rule_key key;
    char arn[EVENTS_ARN_MAX];
    const char *state;             /* Enable/Disable */
    int64_t next_fire_ms;
};

static void rule_change_free(void *state) { free(state); }

static struct rule_change *rule_change_new(struct events_call *c)
{
    struct rule_change *p = calloc(1, sizeof(*p));
    if (!p) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = p;
    c->free_state = rule_change_free;
    if (!rule_key(c, &p->key) || !events_bus_exists(c, p->key.account, p->key.bus))
        return NULL;
    events_rule_arn(c->es, p->key.account, p->key.bus, p->key.name, p->arn);
    return p;
}

static int apply_set_state(struct store_conn *w, struct events_call *c)
{
    struct rule_change *p = c->state;
    c->found = events_store_rule_set_state(w, p->key.account, p->key.bus, p->key.name, p->state, p->next_fire_ms);
    return c->found < 0 ? -1 : 0;
}

static void set_state_done(struct events_call *c, bool ok)
{
    struct rule_change *p = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        rule_not_found(c, &p->key);
        return;
    }
    events_rule_refresh(c->es, p->key.account, p->key.bus, p->key.name);
    events_reply_empty(c);
}

static void set_state(struct events_call *c, bool enable)
{
    struct rule_change *p = rule_change_new(c);
    if (!p)
        return;
    p->state = enable ? "ENABLED" : "DISABLED";
    p->next_fire_ms = -1;
    struct events_rule *r = events_rule_find(c->es, p->key.account, p->key.bus, p->key.name);
    if (enable && r && r->scheduled) {
        struct events_rule probe = *r;
        probe.enabled = true;
        /* Already enabled: the rhythm goes on; else it starts again from now. */
        p->next_fire_ms = r->enabled && r->next_fire_ms >= 0 ? r->next_fire_ms
                                                               : events_rule_next_fire(&probe, clock_now_ms());
    }
    events_submit(c, apply_set_state, set_state_done);
}

void events_enable_rule(struct events_call *c) { set_state(c, true); }
void events_disable_rule(struct events_call *c) { set_state(c, false); }

static int apply_delete_rule(struct store_conn *w, struct events_call *c)
{
    struct rule_change *p = c->state;
    struct events_target_row *targets;
    size_t n;
    bool force = false;
    json_bool(c->json, "Force", &force);
    if (events_store_targets_get(w, p->key.account, p->key.bus, p->key.name, &targets, &n) < 0)
        return -1;
    events_target_rows_free(targets, n);
    if (n > 0 && !force) {
        c->found = -1;             /* has targets */
        return 0;
    }
    return events_store_rule_delete(w, p->key.account, p->key.bus, p->key.name, p->arn) < 0 ? -1 : 0;
}

static void delete_rule_done(struct events_call *c, bool ok)
{
    struct rule_change *p = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == -1) {
        events_fail(c, 400, "ValidationException", "Rule can't be deleted since it has targets.");
        return;
    }
    events_rule_refresh(c->es, p->key.account, p->key.bus, p->key.name);
    events_reply_empty(c);
}

void events_delete_rule(struct events_call *c)
{
    if (rule_change_new(c))
        events_submit(c, apply_delete_rule, delete_rule_done);
}
