/* events_delivery: the deliverer of the outbox (storage/events) — every
 * accepted event reaches its targets, at least once, across restarts.
 *
 * A pass takes the rows never attempted, in outbox order after the last
 * one taken, and the rows waiting for a retry whose time has come, and
 * hands each to its target, up to MAX_IN_FLIGHT at once:
 *
 *   - an SQS queue: a message whose body is the target's input (FIFO
 *     queues: SqsParameters.MessageGroupId, deduplicated by the queue's
 *     content-based deduplication), done once the message is durable;
 *   - a Lambda function: an asynchronous invocation (server/lambda), done
 *     once durably queued; for rules, the function's resource policy must
 *     let events.amazonaws.com invoke it for the rule (AddPermission with
 *     SourceArn), as AWS requires;
 *   - an event bus: the event (for a schedule, an event made of its
 *     EventBridgeParameters and Input) is published into that bus (its
 *     rules' outbox rows written durably);
 *   - a CloudWatch Logs group: the event as one log event, in a stream
 *     named by the event's id, done once stored.
 *
 * With --enforce-iam each delivery is decided first (see
 * delivery_permission): a schedule acts through its RoleArn, a rule as the
 * EventBridge service through the target's policy or its RoleArn.
 *
 * The input is the event, or the target's Input, InputPath or
 * InputTransformer (protocol/events/transform.c); a schedule's target gets
 * its Input (or "{}") with the <aws.scheduler.*> attributes replaced.
 *
 * Outcomes: a delivered row is deleted (deletes are batched in one job).
 * A target that does not exist or refuses (no queue, no function, no
 * permission, a message the queue refuses) is not retried, as on AWS: the
 * event goes to the target's dead-letter queue (DeadLetterConfig, an SQS
 * queue) with AWS's attributes (RULE_ARN, TARGET_ARN, ERROR_CODE,
 * ERROR_MESSAGE; for schedules SCHEDULE_ARN, GROUP_ARN, EXECUTION_ID), or
 * is dropped without one. Anything else is retried with exponential
 * backoff (1 s, 2 s, 4 s, ... at most 5 min) within the target's
 * RetryPolicy (default 185 attempts and 24 hours, as AWS); then it goes to
 * the dead-letter queue with EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS.
 * A row leaves the outbox only once its target (or dead-letter queue) has
 * the event durably, so a kill -9 at any point delivers it again after
 * the restart: at least once. */
#include "server/events/events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/core/uuid.h"
#include "protocol/events/envelope.h"
#include "protocol/events/transform.h"
#include "protocol/iam/policy.h"
#include "server/core/authorize.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/iam/entry.h"
#include "server/lambda/entry.h"
#include "server/logs/logs.h"
#include "server/sqs/entry.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define MAX_IN_FLIGHT 256
#define RETRY_BASE_MS 1000
#define RETRY_MAX_MS (300 * 1000)
#define DEFAULT_MAX_ATTEMPTS 185
#define DEFAULT_MAX_AGE_S 86400
#define READ_FAILURE_DELAY_MS 1000

struct events_deliverer {
    struct events_service *es;
    struct event *kick;            /* a pass from the loop */
    struct event *retry_timer;     /* the earliest retry */
    int64_t last_fresh;            /* the highest never-attempted row taken */
    size_t in_flight;
    int64_t *held;                 /* rows taken for a retry whose outcome is not yet committed */
    size_t n_held, cap_held;
    int64_t *acks;                 /* delivered rows not yet deleted */
    size_t n_acks, cap_acks;
    bool deleting;
    bool in_pass;
    bool starved;                  /* a pass stopped at MAX_IN_FLIGHT */
};

/* One row on its way. */
struct attempt {
    struct events_deliverer *d;
    struct events_delivery_row row;
    const struct json_value *target;   /* the parsed target */
    const struct json_value *event;    /* the parsed event (rules), or NULL */
    const char *arn;
    struct strbuf input;               /* what the target gets */
    char event_id[40];
};

enum outcome {
    DELIVERED,
    RETRY,                         /* a transient failure */
    FAILED,                        /* not retried: dead-letter queue or dropped */
};

static void pass(struct events_deliverer *d);
static void release(struct events_deliverer *d, int64_t seq);
static void finish(struct attempt *a, enum outcome outcome, const char *code, const char *message);

/* ---- acknowledgements --------------------------------------------------------------------------- */

struct ack_job {
    struct events_deliverer *d;
    int64_t *seqs;
    size_t n;
};

static int apply_acks(struct store_conn *w, void *arg)
{
    struct ack_job *j = arg;
    for (size_t i = 0; i < j->n; i++)
        if (events_store_delivery_delete(w, j->seqs[i]) < 0)
            return -1;
    return 0;
}

static void flush_acks(struct events_deliverer *d);

static void acks_done(void *arg, bool ok)
{
    struct ack_job *j = arg;
    struct events_deliverer *d = j->d;
    if (!ok)
        log_warn("events: could not remove %zu delivered events from the outbox; they are sent again after a restart",
                 j->n);
    for (size_t i = 0; d->n_held && i < j->n; i++)
        release(d, j->seqs[i]);
    free(j->seqs);
    free(j);
    d->deleting = false;
    flush_acks(d);
}

static void flush_acks(struct events_deliverer *d)
{
    if (d->deleting || !d->n_acks)
        return;
    struct ack_job *j = malloc(sizeof(*j));
    if (!j)
        return;                    /* the rows stay for the next start */
    j->d = d;
    j->seqs = d->acks;
    j->n = d->n_acks;
    if (store_submit(d->es->srv->store, apply_acks, acks_done, j) < 0) {
        free(j);
        return;
    }
    d->acks = NULL;
    d->n_acks = d->cap_acks = 0;
    d->deleting = true;
}

static void add_ack(struct events_deliverer *d, int64_t seq)
{
    if (d->n_acks == d->cap_acks) {
        size_t cap = d->cap_acks ? d->cap_acks * 2 : 64;
        int64_t *grown = realloc(d->acks, cap * sizeof(*grown));
        if (!grown)
            return;                /* delivered again after a restart */
        d->acks = grown;
        d->cap_acks = cap;
    }
    d->acks[d->n_acks++] = seq;
}

/* ---- retries --------------------------------------------------------------------------------------- */

struct retry_job {
    struct events_deliverer *d;
    int64_t seq;
    int attempts;
    int64_t next_ms;
};

static int apply_retry(struct store_conn *w, void *arg)
{
    struct retry_job *j = arg;
    return events_store_delivery_retry(w, j->seq, j->attempts, j->next_ms);
}

static void arm_retry_timer(struct events_deliverer *d, int64_t at_ms)
{
    int64_t delay = at_ms - clock_now_ms();
    if (delay < 0)
        delay = 0;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(d->retry_timer, &tv);
}

/* Arms the retry timer for the earliest row that waits for a time after
 * `now` (rows due by then are taken by the pass, or when they are
 * released). A pass gives the time it took due rows by: read again here, a
 * row falling due in between would be neither taken nor waited for. */
static void schedule_retries(struct events_deliverer *d, int64_t now)
{
    int64_t next;
    if (events_store_deliveries_next_retry(events_reader(d->es), now, &next) < 0)
        next = now + READ_FAILURE_DELAY_MS;
    if (next >= 0)
        arm_retry_timer(d, next);
}

static void retry_recorded(void *arg, bool ok)
{
    struct retry_job *j = arg;
    if (!ok)
        log_warn("events: could not record a failed delivery; it is tried again after a restart");
    else
        schedule_retries(j->d, clock_now_ms());
    release(j->d, j->seq);
    free(j);
}

static void record_retry(struct events_deliverer *d, int64_t seq, int attempts, int64_t next_ms)
{
    struct retry_job *j = malloc(sizeof(*j));
    if (j)
        *j = (struct retry_job){d, seq, attempts, next_ms};
    if (!j || store_submit(d->es->srv->store, apply_retry, retry_recorded, j) < 0) {
        free(j);
        log_warn("events: could not record a failed delivery; it is tried again after a restart");
        release(d, seq);
    }
}

/* ---- attempts ------------------------------------------------------------------------------------ */

static void attempt_free(struct attempt *a)
{
    json_free(a->target);
    json_free(a->event);
    strbuf_free(&a->input);
    free(a->row.source);
    free(a->row.target);
    free(a->row.event);
    free(a);
}

/* ---- rows held by the retry path ------------------------------------------------------------ */

/* A row taken for a retry stays in the outbox, due, until its outcome (its
 * deletion or its next retry time) is committed; the passes in between
 * must not take it again. */
static bool is_held(struct events_deliverer *d, int64_t seq)
{
    for (size_t i = 0; i < d->n_held; i++)
        if (d->held[i] == seq)
            return true;
    return false;
}

static bool hold(struct events_deliverer *d, int64_t seq)
{
    if (d->n_held == d->cap_held) {
        size_t cap = d->cap_held ? d->cap_held * 2 : 16;
        int64_t *grown = realloc(d->held, cap * sizeof(*grown));
        if (!grown)
            return false;
        d->held = grown;
        d->cap_held = cap;
    }
    d->held[d->n_held++] = seq;
    return true;
}

/* The row's outcome is committed (or will not be): passes may see it again. */
static void release(struct events_deliverer *d, int64_t seq)
{
    for (size_t i = 0; i < d->n_held; i++)
        if (d->held[i] == seq) {
            d->held[i] = d->held[--d->n_held];
            events_deliverer_kick(d->es);
            return;
        }
}

/* Ends an attempt: the row is acknowledged, or its retry was recorded
 * (record_retry). A held row is released once that is committed. */
static void attempt_end(struct attempt *a, bool ack)
{
    struct events_deliverer *d = a->d;
    if (ack)
        add_ack(d, a->row.seq);
    d->in_flight--;
    attempt_free(a);
    flush_acks(d);
    if (d->starved && !d->in_pass)
        pass(d);
}

static void target_done(void *arg, bool ok)
{
    finish(arg, ok ? DELIVERED : RETRY, "INTERNAL_ERROR", "The target could not take the event.");
}

/* The retry policy of a target (AWS's defaults when absent). */
static void retry_policy(const struct json_value *target, int64_t *max_attempts, int64_t *max_age_s)
{
    const struct json_value *policy = json_get(target, "RetryPolicy");
    if (json_int(policy, "MaximumRetryAttempts", max_attempts) != 1)
        *max_attempts = DEFAULT_MAX_ATTEMPTS;
    if (json_int(policy, "MaximumEventAgeInSeconds", max_age_s) != 1)
        *max_age_s = DEFAULT_MAX_AGE_S;
}

/* ---- dead-letter queues --------------------------------------------------------------------------- */

static void dead_letter_sent(void *arg, bool ok)
{
    struct attempt *a = arg;
    if (!ok)
        log_warn("events: the dead-letter queue of %s did not take a failed event; dropped", a->arn);
    attempt_end(a, true);
}

/* Sends the failed event to the target's dead-letter queue, or drops it. */
static void dead_letter(struct attempt *a, const char *code, const char *message, const char *exhausted)
{
    struct events_deliverer *d = a->d;
    const char *dlq = json_str(json_get(a->target, "DeadLetterConfig"), "Arn");
    if (!dlq || !d->es->srv->sqs || !sqs_queue_exists(d->es->srv->sqs, dlq)) {
        log_info("events: an event for %s from %s was dropped: %s (%s)%s", a->arn, a->row.source, message, code,
                 dlq ? "; its dead-letter queue does not exist" : "");
        attempt_end(a, true);
        return;
    }
    char attempts[16], group_arn[EVENTS_ARN_MAX] = "", execution_id[64] = "";
    snprintf(attempts, sizeof(attempts), "%d", a->row.attempts);
    const char *names[8], *values[8];
    size_t n = 0;
    bool schedule = a->row.kind == EVENTS_DELIVERY_SCHEDULE;
    if (schedule) {
        /* arn:aws:scheduler:<region>:<account>:schedule/<group>/<name> */
        const char *slash = strstr(a->row.source, ":schedule/");
        const char *end = slash ? strchr(slash + 10, '/') : NULL;
        if (slash && end)
            snprintf(group_arn, sizeof(group_arn), "%.*s:schedule-group/%.*s", (int)(slash - a->row.source),
                     a->row.source, (int)(end - slash - 10), slash + 10);
        snprintf(execution_id, sizeof(execution_id), "%s", a->event_id);
        names[n] = "SCHEDULE_ARN", values[n++] = a->row.source;
        names[n] = "GROUP_ARN", values[n++] = group_arn;
        names[n] = "EXECUTION_ID", values[n++] = execution_id;
    } else {
        names[n] = "RULE_ARN", values[n++] = a->row.source;
    }
    names[n] = "TARGET_ARN", values[n++] = a->arn;
    names[n] = "ERROR_CODE", values[n++] = code;
    names[n] = "ERROR_MESSAGE", values[n++] = message;
    names[n] = "RETRY_ATTEMPTS", values[n++] = attempts;
    if (exhausted)
        names[n] = "EXHAUSTED_RETRY_CONDITION", values[n++] = exhausted;
    /* Rules send the event; schedules the input their target would have had. */
    const char *body = schedule ? a->input.data : a->row.event;
    size_t len = schedule ? a->input.len : strlen(a->row.event);
    struct sqs_internal_message m = {
        .body = body ? body : "{}", .len = body ? len : 2, .attr_names = names, .attr_values = values, .n_attrs = n};
    if (sqs_send_message_internal(d->es->srv->sqs, dlq, &m, dead_letter_sent, a) < 0) {
        log_warn("events: the dead-letter queue %s refused a failed event; dropped", dlq);
        attempt_end(a, true);
    }
}

static void finish(struct attempt *a, enum outcome outcome, const char *code, const char *message)
{
    if (outcome == DELIVERED) {
        attempt_end(a, true);
        return;
    }
    if (outcome == FAILED) {
        dead_letter(a, code, message, NULL);
        return;
    }
    int64_t max_attempts, max_age_s;
    retry_policy(a->target, &max_attempts, &max_age_s);
    int64_t now = clock_now_ms();
    int attempts = a->row.attempts + 1;
    int64_t backoff = RETRY_BASE_MS << (attempts - 1 < 20 ? attempts - 1 : 20);
    if (backoff > RETRY_MAX_MS)
        backoff = RETRY_MAX_MS;
    const char *exhausted = attempts > max_attempts                                 ? "MaximumRetryAttemptsExhausted"
                            : now + backoff - a->row.created_ms > max_age_s * 1000 ? "MaximumEventAgeExceeded"
                                                                                    : NULL;
    if (exhausted) {
        a->row.attempts = attempts;
        dead_letter(a, code, message, exhausted);
        return;
    }
    record_retry(a->d, a->row.seq, attempts, now + backoff);
    attempt_end(a, false);
}

/* ---- permissions (with --enforce-iam) -------------------------------------------------------------------- */

enum permission { PERMITTED, REFUSED, UNDECIDED };

/* The last segment of a rule's or schedule's ARN, as the session name of
 * the role acting for it. */
static const char *source_name(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

/* A session of `role`, assumed by `service` for the rule or schedule,
 * doing `action` on the target (whose resource policy is `policy`). */
static enum permission role_permits(struct attempt *a, const char *role, const char *service, const char *action,
                                    const char *policy, char *why, size_t cap)
{
    struct server *srv = a->d->es->srv;
    const struct iam_key keys[] = {{"aws:SourceArn", a->row.source}, {"aws:SourceAccount", a->row.account}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    int assumable = iam_role_assumable(srv, role, service, &ctx);
    if (assumable < 0)
        return UNDECIDED;
    if (assumable == 0) {
        snprintf(why, cap, "%s cannot assume the role %s.", service, role);
        return REFUSED;
    }
    char owner[13];
    if (sscanf(a->arn, "arn:aws:%*[^:]:%*[^:]:%12[0-9]:", owner) != 1)
        snprintf(owner, sizeof(owner), "%s", a->row.account);
    char session[65];
    snprintf(session, sizeof(session), "%.64s", source_name(a->row.source));
    const struct authorize_target t = {.resource = a->arn, .owner = owner, .policy = policy};
    struct authorize_decision d;
    switch (authorize_as_role(srv, role, session, action, &t, &d)) {
    case AUTHORIZE_ALLOWED: return PERMITTED;
    case AUTHORIZE_FAILED: return UNDECIDED;
    case AUTHORIZE_DENIED: break;
    }
    snprintf(why, cap, "%s", d.message);
    return REFUSED;
}

/* Decides a delivery as AWS does, when IAM is enforced. A schedule's
 * target is reached as a session of its RoleArn, which must trust
 * scheduler.amazonaws.com (aws:SourceArn and aws:SourceAccount: the
 * schedule's) and be allowed the target's action; so is a rule's event bus
 * target that names a RoleArn, with events.amazonaws.com. A rule's other
 * targets are reached as the EventBridge service through their own
 * policies, whatever RoleArn they carry (as AWS does for queues, functions
 * and log groups): a queue's must let events.amazonaws.com sqs:SendMessage
 * for the rule, another account's bus must let the rule's account
 * events:PutEvents (a function's policy is decided always, in
 * deliver_lambda). Log groups have no resource policies here, so a rule's
 * Logs target is not decided. */
static enum permission delivery_permission(struct attempt *a, const char *kind, char *why, size_t cap)
{
    struct server *srv = a->d->es->srv;
    if (!srv->cfg->enforce_iam)
        return PERMITTED;
    bool queue = strcmp(kind, "sqs") == 0, bus = strcmp(kind, "events") == 0;
    const char *action = queue ? "sqs:SendMessage" : bus ? "events:PutEvents"
                       : strcmp(kind, "lambda") == 0 ? "lambda:InvokeFunction" : "logs:PutLogEvents";
    const char *queue_policy = queue && srv->sqs ? sqs_queue_policy_internal(srv->sqs, a->arn) : NULL;
    char *bus_policy = NULL;
    char owner[13] = "";
    if (bus) {
        /* arn:aws:events:<region>:<account>:event-bus/<name> */
        const char *marker = strstr(a->arn, ":event-bus/");
        struct events_bus_row row;
        snprintf(owner, sizeof(owner), "%.12s", marker && marker - a->arn >= 12 ? marker - 12 : "");
        int found = marker ? events_store_bus_get(events_reader(a->d->es), owner, marker + 11, &row) : 0;
        if (found < 0)
            return UNDECIDED;
        if (found == 1) {
            bus_policy = row.policy;
            row.policy = NULL;
            events_bus_row_free(&row);
        }
    }
    const char *policy = queue ? queue_policy : bus_policy;
    const char *role = json_str(a->target, "RoleArn");
    enum permission p = PERMITTED;
    if (a->row.kind == EVENTS_DELIVERY_SCHEDULE || (bus && role)) {
        const char *service = a->row.kind == EVENTS_DELIVERY_SCHEDULE ? "scheduler.amazonaws.com"
                                                                       : "events.amazonaws.com";
        if (!role) {
            snprintf(why, cap, "The schedule's target names no RoleArn.");
            p = REFUSED;
        } else {
            p = role_permits(a, role, service, action, policy, why, cap);
        }
    } else if (queue) {
        const struct iam_key keys[] = {{"aws:SourceArn", a->row.source}, {"aws:SourceAccount", a->row.account}};
        const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
        if (!policy ||
            iam_policy_evaluate_service(policy, "events.amazonaws.com", action, a->arn, &ctx) != IAM_ALLOW) {
            snprintf(why, cap, "The queue's policy does not let events.amazonaws.com send messages for this rule.");
            p = REFUSED;
        }
    } else if (bus && strcmp(owner, a->row.account) != 0) {
        if (!policy || iam_policy_evaluate(policy, a->row.account, action, a->arn, NULL) != IAM_ALLOW) {
            snprintf(why, cap, "The event bus's policy does not let account %s put events on it.", a->row.account);
            p = REFUSED;
        }
    }
    free(bus_policy);
    return p;
}

/* ---- targets ------------------------------------------------------------------------------------------ */

static void deliver_sqs(struct attempt *a)
{
    struct server *srv = a->d->es->srv;
    if (!srv->sqs || !sqs_queue_exists(srv->sqs, a->arn)) {
        finish(a, FAILED, "NO_RESOURCE", "The SQS queue does not exist.");
        return;
    }
    struct sqs_internal_message m = {
        .body = a->input.data ? a->input.data : "",
        .len = a->input.len,
        .group_id = json_str(json_get(a->target, "SqsParameters"), "MessageGroupId"),
    };
    if (sqs_send_message_internal(srv->sqs, a->arn, &m, target_done, a) < 0)
        finish(a, FAILED, "INVALID_PARAMETER", "The SQS queue refused the message.");
}

static void deliver_lambda(struct attempt *a)
{
    struct server *srv = a->d->es->srv;
    enum lambda_invoke_check check = LAMBDA_INVOKE_NO_FUNCTION;
    if (srv->lambda)
        check = lambda_may_invoke(srv->lambda, a->arn,
                                  a->row.kind == EVENTS_DELIVERY_RULE ? "events.amazonaws.com" : NULL,
                                  a->row.source, a->row.account);
    if (check == LAMBDA_INVOKE_NO_FUNCTION) {
        finish(a, FAILED, "NO_RESOURCE", "The Lambda function does not exist.");
        return;
    }
    if (check == LAMBDA_INVOKE_DENIED) {
        finish(a, FAILED, "NO_PERMISSIONS",
               "The function's resource policy does not let events.amazonaws.com invoke it for this rule.");
        return;
    }
    char account[13];
    snprintf(account, sizeof(account), "%.12s", strstr(a->arn, ":function:") - 12);
    if (lambda_invoke_event(srv->lambda, account, a->arn, a->input.data ? a->input.data : "{}",
                            a->input.data ? a->input.len : 2, target_done, a) < 0)
        finish(a, FAILED, "NO_RESOURCE", "The Lambda function does not exist.");
}

static void published(void *arg, bool ok) { target_done(arg, ok); }

static void deliver_bus(struct attempt *a)
{
    struct events_service *es = a->d->es;
    /* arn:aws:events:<region>:<account>:event-bus/<name> */
    const char *marker = strstr(a->arn, ":event-bus/");
    char owner[13], bus[257];
    snprintf(owner, sizeof(owner), "%.12s", marker && marker - a->arn >= 12 ? marker - 12 : "");
    snprintf(bus, sizeof(bus), "%s", marker ? marker + 11 : "");
    bool exists = strcmp(bus, EVENTS_DEFAULT_BUS) == 0;
    if (!exists) {
        struct events_bus_row row;
        int found = events_store_bus_get(events_reader(es), owner, bus, &row);
        if (found < 0) {
            finish(a, RETRY, "INTERNAL_ERROR", "The event bus could not be read.");
            return;
        }
        if (found == 1)
            events_bus_row_free(&row);
        exists = found == 1;
    }
    if (!exists) {
        finish(a, FAILED, "NO_RESOURCE", "The event bus does not exist.");
        return;
    }
    const struct json_value *event = a->event;
    const struct json_value *made = NULL;
    struct strbuf text;
    strbuf_init(&text);
    if (a->row.kind == EVENTS_DELIVERY_SCHEDULE) {
        /* Scheduler's EventBridge target: PutEvents of EventBridgeParameters and the input. */
        const struct json_value *params = json_get(a->target, "EventBridgeParameters");
        const char *source = json_str(params, "Source"), *detail_type = json_str(params, "DetailType");
        const struct json_value *detail = a->input.data ? json_parse(a->input.data, a->input.len, NULL) : NULL;
        char id[37];
        uuid_v4(id);
        const char *region = events_region(es);
        struct events_text resource = {a->row.source, strlen(a->row.source)};
        struct events_envelope env = {
            .id = {id, 36},
            .detail_type = {detail_type ? detail_type : "", detail_type ? strlen(detail_type) : 0},
            .source = {source ? source : "", source ? strlen(source) : 0},
            .account = {a->row.account, 12},
            .region = {region, strlen(region)},
            .time = clock_now_ms() / 1000,
            .resources = &resource,
            .n_resources = 1,
            .detail = json_is(detail, JSON_OBJECT) ? detail : NULL,
        };
        events_envelope_write(&text, &env);
        json_free(detail);
        made = strbuf_failed(&text) ? NULL : json_parse(text.data, text.len, NULL);
        event = made;
    } else {
        strbuf_puts(&text, a->row.event);
    }
    struct events_rows rows = {0};
    if (event && !strbuf_failed(&text))
        events_publish(es, owner, bus, text.data, event, clock_now_ms(), &rows);
    json_free(made);
    strbuf_free(&text);
    if (!event || rows.oom || events_rows_commit(es, &rows, published, a) < 0) {
        events_rows_free(&rows);
        finish(a, RETRY, "INTERNAL_ERROR", "The event could not be published.");
        return;
    }
    events_rows_free(&rows);
}

static void deliver_logs(struct attempt *a)
{
    struct server *srv = a->d->es->srv;
    /* arn:aws:logs:<region>:<account>:log-group:<name>[:*] */
    const char *marker = strstr(a->arn, ":log-group:");
    if (!srv->logs || !marker || marker - a->arn < 12) {
        finish(a, FAILED, "NO_RESOURCE", "The log group does not exist.");
        return;
    }
    char account[13], group[600];
    snprintf(account, sizeof(account), "%.12s", marker - 12);
    snprintf(group, sizeof(group), "%s", marker + 11);
    size_t glen = strlen(group);
    if (glen >= 2 && strcmp(group + glen - 2, ":*") == 0)
        group[glen - 2] = '\0';
    logs_put_acked(srv->logs, account, group, a->event_id[0] ? a->event_id : "events", a->row.created_ms,
                   a->input.data ? a->input.data : "", a->input.len, target_done, a);
}

/* ---- input ---------------------------------------------------------------------------------------------- */

/* The rule name of a rule ARN (its last segment). */
static const char *rule_name_of(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

/* Fills a->input; false when there is nothing to deliver (InputPath
 * selected nothing) or no memory (a->input failed). */
static bool make_input(struct attempt *a)
{
    const struct json_value *t = a->target;
    if (a->row.kind == EVENTS_DELIVERY_SCHEDULE) {
        const struct json_value *ev = json_parse(a->row.event, strlen(a->row.event), NULL);
        const char *time = json_str(ev, "time"), *execution = json_str(ev, "execution-id");
        snprintf(a->event_id, sizeof(a->event_id), "%s", execution ? execution : "");
        const char *input = json_str(t, "Input");
        struct events_scheduler_context ctx = {
            .schedule_arn = a->row.source,
            .scheduled_time = time ? time : "",
            .execution_id = a->event_id,
            .attempt_number = (unsigned)a->row.attempts + 1,
        };
        events_scheduler_input(input ? input : "{}", input ? strlen(input) : 2, &ctx, &a->input);
        json_free(ev);
        return !strbuf_failed(&a->input);
    }
    if (!(a->event = json_parse(a->row.event, strlen(a->row.event), NULL))) {
        a->input.oom = true;
        return false;
    }
    snprintf(a->event_id, sizeof(a->event_id), "%s", json_str(a->event, "id") ? json_str(a->event, "id") : "");
    const char *input = json_str(t, "Input"), *path = json_str(t, "InputPath");
    const struct json_value *transformer = json_get(t, "InputTransformer");
    if (input) {
        strbuf_puts(&a->input, input);
        return !strbuf_failed(&a->input);
    }
    enum events_input_result rc;
    if (path) {
        rc = events_input_path(path, strlen(path), a->event, &a->input);
    } else if (transformer) {
        const char *template = json_str(transformer, "InputTemplate");
        const struct json_value *map = json_get(transformer, "InputPathsMap");
        char ingestion[32];
        events_time_format(a->row.created_ms / 1000, ingestion);
        struct events_delivery delivery = {
            .event = a->event,
            .event_json = a->row.event,
            .event_json_len = strlen(a->row.event),
            .rule_arn = a->row.source,
            .rule_name = rule_name_of(a->row.source),
            .ingestion_time = ingestion,
        };
        rc = events_input_transform(json_is(map, JSON_OBJECT) ? map : NULL, template ? template : "",
                                    template ? strlen(template) : 0, &delivery, &a->input);
    } else {
        strbuf_puts(&a->input, a->row.event);
        rc = strbuf_failed(&a->input) ? EVENTS_INPUT_NOMEM : EVENTS_INPUT_OK;
    }
    if (rc == EVENTS_INPUT_NOMEM)
        a->input.oom = true;
    return rc == EVENTS_INPUT_OK && !strbuf_failed(&a->input);
}

static void deliver_row(struct events_deliverer *d, struct events_delivery_row *row, bool retry)
{
    struct attempt *a = calloc(1, sizeof(*a));
    if (!a)
        return;                    /* the row stays in the outbox: delivered after a restart */
    a->d = d;
    a->row = *row;
    memset(row, 0, sizeof(*row));  /* the attempt owns the strings now */
    strbuf_init(&a->input);
    d->in_flight++;
    if (retry && !hold(d, a->row.seq))
        log_warn("events: out of memory; outbox row %" PRId64 " may be tried twice", a->row.seq);
    a->target = json_parse(a->row.target, strlen(a->row.target), NULL);
    a->arn = json_str(a->target, "Arn");
    if (!a->arn) {
        log_warn("events: outbox row %" PRId64 " has no target; dropped", a->row.seq);
        attempt_end(a, true);
        return;
    }
    if (!make_input(a)) {
        if (strbuf_failed(&a->input))
            finish(a, RETRY, "INTERNAL_ERROR", "out of memory");
        else
            attempt_end(a, true);  /* InputPath selected nothing: nothing to send */
        return;
    }
    const char *kind = events_target_kind(a->arn);
    char why[1600];
    enum permission permission = kind ? delivery_permission(a, kind, why, sizeof(why)) : PERMITTED;
    if (permission == UNDECIDED) {
        finish(a, RETRY, "INTERNAL_ERROR", "The permissions of the target could not be read.");
        return;
    }
    if (permission == REFUSED) {
        log_info("events: a delivery to %s for %s was refused: %s", a->arn, a->row.source, why);
        finish(a, FAILED, "NO_PERMISSIONS", why);
        return;
    }
    if (kind && strcmp(kind, "sqs") == 0)
        deliver_sqs(a);
    else if (kind && strcmp(kind, "lambda") == 0)
        deliver_lambda(a);
    else if (kind && strcmp(kind, "events") == 0)
        deliver_bus(a);
    else if (kind && strcmp(kind, "logs") == 0)
        deliver_logs(a);
    else
        finish(a, FAILED, "NO_RESOURCE", "cloudless cannot deliver to this target.");
}

/* ---- passes ------------------------------------------------------------------------------------------------ */

static void pass(struct events_deliverer *d)
{
    if (d->in_pass)
        return;
    d->in_pass = true;
    d->starved = false;
    struct store_conn *reader = events_reader(d->es);
    /* Fresh rows, in order. */
    while (d->in_flight < MAX_IN_FLIGHT) {
        struct events_delivery_row *rows;
        size_t n;
        if (events_store_deliveries_fresh(reader, d->last_fresh, MAX_IN_FLIGHT - d->in_flight, &rows, &n) < 0) {
            log_warn("events: cannot read the delivery outbox; trying again");
            arm_retry_timer(d, clock_now_ms() + READ_FAILURE_DELAY_MS);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (rows[i].seq > d->last_fresh)
                d->last_fresh = rows[i].seq;
            deliver_row(d, &rows[i], false);
        }
        events_delivery_rows_free(rows, n);
        if (n == 0)
            break;
    }
    /* Retries whose time has come. */
    if (d->in_flight < MAX_IN_FLIGHT) {
        struct events_delivery_row *rows;
        size_t n;
        int64_t now = clock_now_ms();
        if (events_store_deliveries_due(reader, now, MAX_IN_FLIGHT, &rows, &n) == 0) {
            for (size_t i = 0; i < n && d->in_flight < MAX_IN_FLIGHT; i++)
                if (!is_held(d, rows[i].seq))
                    deliver_row(d, &rows[i], true);
            events_delivery_rows_free(rows, n);
        }
        schedule_retries(d, now);
    }
    if (d->in_flight >= MAX_IN_FLIGHT)
        d->starved = true;
    d->in_pass = false;
    flush_acks(d);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pass(arg);
}

void events_deliverer_kick(struct events_service *es)
{
    struct events_deliverer *d = es->delivery;
    if (d && !evtimer_pending(d->kick, NULL)) {
        struct timeval now = {0, 0};
        evtimer_add(d->kick, &now);
    }
}

struct events_deliverer *events_deliverer_new(struct events_service *es)
{
    struct events_deliverer *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->es = es;
    d->kick = evtimer_new(es->srv->base, on_kick, d);
    d->retry_timer = evtimer_new(es->srv->base, on_kick, d);
    if (!d->kick || !d->retry_timer) {
        events_deliverer_free(d);
        return NULL;
    }
    /* The first pass runs from the loop: what a crash left is delivered
     * once every service (SQS, Lambda, Logs) is up. */
    es->delivery = d;
    events_deliverer_kick(es);
    return d;
}

void events_deliverer_free(struct events_deliverer *d)
{
    if (!d)
        return;
    if (d->kick)
        event_free(d->kick);
    if (d->retry_timer)
        event_free(d->retry_timer);
    free(d->acks);
    free(d->held);
    free(d);
}
