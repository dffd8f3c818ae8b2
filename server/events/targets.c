/* events_targets: PutTargets, RemoveTargets, ListTargetsByRule and
 * ListRuleNamesByTarget.
 *
 * A target is stored as the object PutTargets gave (re-serialized
 * compactly), so ListTargetsByRule answers what was put and the deliverer
 * reads Input, InputPath, InputTransformer, SqsParameters, RetryPolicy and
 * DeadLetterConfig from it. PutTargets checks each target as AWS does
 * (protocol/events/transform.h for the input kinds) and refuses targets
 * cloudless cannot deliver to: Lambda functions, SQS queues (FIFO queues
 * need SqsParameters.MessageGroupId), event buses and CloudWatch Logs
 * groups are delivered; any other service is a ValidationException that
 * says so. A rule has at most 5 targets, as on AWS. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/events/transform.h"

#define TARGETS_PER_RULE 5

/* ---- checks ---------------------------------------------------------------------------- */

/* What kind of resource an ARN names; NULL when cloudless cannot deliver to it. */
const char *events_target_kind(const char *arn)
{
    static const struct {
        const char *prefix, *kind, *marker;
    } kinds[] = {
        {"arn:aws:sqs:", "sqs", NULL},
        {"arn:aws:lambda:", "lambda", ":function:"},
        {"arn:aws:events:", "events", ":event-bus/"},
        {"arn:aws:logs:", "logs", ":log-group:"},
    };
    for (size_t i = 0; arn && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strncmp(arn, kinds[i].prefix, strlen(kinds[i].prefix)) == 0 &&
            (!kinds[i].marker || strstr(arn, kinds[i].marker)))
            return kinds[i].kind;
    return NULL;
}

bool events_arn_is_fifo_queue(const char *arn)
{
    size_t n = strlen(arn);
    return strncmp(arn, "arn:aws:sqs:", 12) == 0 && n > 5 && strcmp(arn + n - 5, ".fifo") == 0;
}

/* A RetryPolicy object within AWS's ranges; false when answered. */
bool events_retry_policy_ok(struct events_call *c, const struct json_value *policy)
{
    if (!policy)
        return true;
    int64_t v;
    int got = json_int(policy, "MaximumRetryAttempts", &v);
    if (got < 0 || (got == 1 && (v < 0 || v > 185))) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'retryPolicy.maximumRetryAttempts' failed to satisfy "
                    "constraint: Member must have value between 0 and 185");
        return false;
    }
    got = json_int(policy, "MaximumEventAgeInSeconds", &v);
    if (got < 0 || (got == 1 && (v < 60 || v > 86400))) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'retryPolicy.maximumEventAgeInSeconds' failed to "
                    "satisfy constraint: Member must have value between 60 and 86400");
        return false;
    }
    return true;
}

static bool check_target(struct events_call *c, const struct json_value *t, const char *own_bus_arn)
{
    const char *id = json_str(t, "Id"), *arn = json_str(t, "Arn");
    if (!json_is(t, JSON_OBJECT) || !id || !arn) {
        events_fail_missing(c, !json_is(t, JSON_OBJECT) || !id ? "targets.member.id" : "targets.member.arn");
        return false;
    }
    if (!events_name_ok(id, 64, ".-_")) {
        events_fail_constraint(c, "targets.member.id", id,
                               "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
        return false;
    }
    const char *kind = events_target_kind(arn);
    if (!kind) {
        events_fail(c, 400, "ValidationException",
                    "cloudless delivers to Lambda functions, SQS queues, event buses and CloudWatch Logs groups; "
                    "it cannot deliver to target %s (%.200s).", id, arn);
        return false;
    }
    if (strcmp(arn, own_bus_arn) == 0) {
        events_fail(c, 400, "ValidationException", "The event bus of the rule cannot be a target of it (target %s).",
                    id);
        return false;
    }
    const char *input = json_str(t, "Input"), *path = json_str(t, "InputPath");
    const struct json_value *transformer = json_get(t, "InputTransformer");
    struct strbuf message;
    strbuf_init(&message);
    bool ok = events_target_check_input_kinds(input != NULL, path != NULL, transformer != NULL, id, &message) &&
              (!input || events_target_check_input(input, strlen(input), id, &message));
    if (ok && transformer) {
        const char *template = json_str(transformer, "InputTemplate");
        const struct json_value *map = json_get(transformer, "InputPathsMap");
        if (!template) {
            strbuf_free(&message);
            events_fail_missing(c, "targets.member.inputTransformer.inputTemplate");
            return false;
        }
        ok = events_target_check_transformer(json_is(map, JSON_OBJECT) ? map : NULL, template, strlen(template),
                                             id, &message);
    }
    if (!ok) {
        if (strbuf_failed(&message))
            events_fail_internal(c);
        else
            events_fail(c, 400, "ValidationException", "%s", message.data);
        strbuf_free(&message);
        return false;
    }
    strbuf_free(&message);
    if (events_arn_is_fifo_queue(arn) && !json_str(json_get(t, "SqsParameters"), "MessageGroupId")) {
        events_fail(c, 400, "ValidationException", "Parameter(s) SqsParameters must be specified for target: %s.", id);
        return false;
    }
    const char *dlq = json_str(json_get(t, "DeadLetterConfig"), "Arn");
    if (dlq && strncmp(dlq, "arn:aws:sqs:", 12) != 0) {
        events_fail(c, 400, "ValidationException", "DeadLetterConfig Arn %.300s is not an SQS queue ARN.", dlq);
        return false;
    }
    return events_retry_policy_ok(c, json_get(t, "RetryPolicy"));
}

/* ---- the rule a target call names ------------------------------------------------------------- */

struct target_call {
    char account[13];
    char bus[257];
    const char *rule;
    struct events_target_row *rows;    /* PutTargets: what to store */
    size_t n_rows;
    size_t n_existing;                 /* targets the rule had */
};

static void target_call_free(void *state)
{
    struct target_call *t = state;
    events_target_rows_free(t->rows, t->n_rows);
    free(t);
}

/* Reads Rule and EventBusName and checks the rule exists; NULL when answered. */
static struct target_call *target_call_new(struct events_call *c)
{
    struct target_call *t = calloc(1, sizeof(*t));
    if (!t) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = t;
    c->free_state = target_call_free;
    t->rule = json_str(c->json, "Rule");
    if (!t->rule) {
        events_fail_missing(c, "rule");
        return NULL;
    }
    if (!events_resolve_bus(c, json_str(c->json, "EventBusName"), t->account, t->bus) ||
        !events_bus_exists(c, t->account, t->bus))
        return NULL;
    if (!events_rule_find(c->es, t->account, t->bus, t->rule)) {
        events_fail(c, 400, "ResourceNotFoundException", "Rule %s does not exist on EventBus %s.", t->rule, t->bus);
        return NULL;
    }
    return t;
}

static void write_failed_entries(struct json_writer *w, size_t failed)
{
    jw_int(w, "FailedEntryCount", (int64_t)failed);
    jw_array_open(w, "FailedEntries");
    jw_array_close(w);
}

/* ---- PutTargets -------------------------------------------------------------------------------- */

static int apply_put_targets(struct store_conn *w, struct events_call *c)
{
    struct target_call *t = c->state;
    struct events_rule_row rule;
    c->found = events_store_rule_get(w, t->account, t->bus, t->rule, &rule);
    if (c->found <= 0)
        return c->found;           /* deleted since: answered ResourceNotFoundException */
    events_rule_row_free(&rule);
    for (size_t i = 0; i < t->n_rows; i++)
        if (events_store_target_put(w, t->account, t->bus, t->rule, &t->rows[i]) < 0)
            return -1;
    return 0;
}

static void targets_written(struct events_call *c, bool ok)
{
    struct target_call *t = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    if (c->found == 0) {
        events_fail(c, 400, "ResourceNotFoundException", "Rule %s does not exist on EventBus %s.", t->rule, t->bus);
        return;
    }
    events_rule_refresh(c->es, t->account, t->bus, t->rule);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    write_failed_entries(&w, 0);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void events_put_targets(struct events_call *c)
{
    const struct json_value *targets = json_get(c->json, "Targets");
    if (!json_is(targets, JSON_ARRAY)) {
        events_fail_missing(c, "targets");
        return;
    }
    if (targets->len < 1 || targets->len > 100) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have "
                    "length %s",
                    targets->len < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        return;
    }
    struct target_call *t = target_call_new(c);
    if (!t)
        return;
    char own_bus[EVENTS_ARN_MAX];
    events_bus_arn(c->es, t->account, t->bus, own_bus);
    for (size_t i = 0; i < targets->len; i++)
        if (!check_target(c, &targets->u.items[i], own_bus))
            return;
    /* The rule's targets after this call: the existing ones plus new ids. */
    const struct events_rule *rule = events_rule_find(c->es, t->account, t->bus, t->rule);
    size_t total = rule->n_targets;
    for (size_t i = 0; i < targets->len; i++) {
        const char *id = json_str(&targets->u.items[i], "Id");
        bool known = false;
        for (size_t k = 0; k < rule->n_targets && !known; k++)
            known = strcmp(rule->targets[k].id, id) == 0;
        for (size_t k = 0; k < i && !known; k++)
            known = strcmp(json_str(&targets->u.items[k], "Id"), id) == 0;
        total += !known;
    }
    if (total > TARGETS_PER_RULE) {
        events_fail(c, 400, "LimitExceededException", "The requested resource exceeds the maximum number allowed.");
        return;
    }
    if (!(t->rows = calloc(targets->len, sizeof(*t->rows)))) {
        events_fail_internal(c);
        return;
    }
    for (size_t i = 0; i < targets->len; i++) {
        const struct json_value *target = &targets->u.items[i];
        struct strbuf spec;
        strbuf_init(&spec);
        struct json_writer w;
        jw_init(&w, &spec);
        jw_tree(&w, NULL, target);
        struct events_target_row *row = &t->rows[t->n_rows++];
        row->id = strdup(json_str(target, "Id"));
        row->arn = strdup(json_str(target, "Arn"));
        row->spec = strbuf_failed(&spec) ? NULL : strbuf_detach(&spec, NULL);
        strbuf_free(&spec);
        if (!row->id || !row->arn || !row->spec) {
            events_fail_internal(c);
            return;
        }
    }
    events_submit(c, apply_put_targets, targets_written);
}

/* ---- RemoveTargets ------------------------------------------------------------------------------- */

static int apply_remove_targets(struct store_conn *w, struct events_call *c)
{
    struct target_call *t = c->state;
    c->found = 1;
    const struct json_value *ids = json_get(c->json, "Ids");
    for (size_t i = 0; i < ids->len; i++)
        if (events_store_target_delete(w, t->account, t->bus, t->rule, json_string(&ids->u.items[i])) < 0)
            return -1;
    return 0;
}

void events_remove_targets(struct events_call *c)
{
    const struct json_value *ids = json_get(c->json, "Ids");
    if (!json_is(ids, JSON_ARRAY)) {
        events_fail_missing(c, "ids");
        return;
    }
    if (ids->len < 1 || ids->len > 100) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have "
                    "length %s",
                    ids->len < 1 ? "greater than or equal to 1" : "less than or equal to 100");
        return;
    }
    for (size_t i = 0; i < ids->len; i++)
        if (!json_is(&ids->u.items[i], JSON_STRING)) {
            events_fail(c, 400, "SerializationException", "Ids must be strings.");
            return;
        }
    if (target_call_new(c))
        events_submit(c, apply_remove_targets, targets_written);
}

/* ---- ListTargetsByRule, ListRuleNamesByTarget ------------------------------------------------------- */

void events_list_targets_by_rule(struct events_call *c)
{
    int64_t limit;
    const char *token;
    if (!events_paging(c, &limit, &token))
        return;
    struct target_call *t = target_call_new(c);
    if (!t)
        return;
    struct events_target_row *rows;
    size_t n;
    if (events_store_targets_get(events_reader(c->es), t->account, t->bus, t->rule, &rows, &n) < 0) {
        events_fail_internal(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Targets");
    size_t shown = 0, last = 0;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        if (token && strcmp(rows[i].id, token) <= 0)
            continue;
        if (shown == (size_t)limit) {
            more = true;
            break;
        }
        jw_raw(&w, NULL, rows[i].spec, strlen(rows[i].spec));
        last = i;
        shown++;
    }
    jw_array_close(&w);
    if (more)
        jw_string(&w, "NextToken", rows[last].id);
    jw_object_close(&w);
    events_target_rows_free(rows, n);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void events_list_rule_names_by_target(struct events_call *c)
{
    const char *arn = json_str(c->json, "TargetArn");
    char account[13], bus[257];
    int64_t limit;
    const char *token;
    if (!arn) {
        events_fail_missing(c, "targetArn");
        return;
    }
    if (!events_resolve_bus(c, json_str(c->json, "EventBusName"), account, bus) ||
        !events_paging(c, &limit, &token) || !events_bus_exists(c, account, bus))
        return;
    char **names;
    size_t n;
    if (events_store_rules_by_target(events_reader(c->es), account, bus, arn, token ? token : "", (size_t)limit + 1,
                                     &names, &n) < 0) {
        events_fail_internal(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "RuleNames");
    size_t shown = n > (size_t)limit ? (size_t)limit : n;
    for (size_t i = 0; i < shown; i++)
        jw_string(&w, NULL, names[i]);
    jw_array_close(&w);
    if (n > shown)
        jw_string(&w, "NextToken", names[shown - 1]);
    jw_object_close(&w);
    events_names_free(names, n);
    events_reply(c, &sb);
    strbuf_free(&sb);
}
