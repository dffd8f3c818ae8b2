/* lambda_async: asynchronous invocations (InvocationType Event, and the
 * internal lambda_invoke_event entry point for event sources).
 *
 * An accepted event is a row of lambda_events, committed before the 202 is
 * sent, and an entry in memory. A timer runs events that are due: a success
 * deletes the row (after the OnSuccess destination, if any); a function
 * error or timeout counts an attempt and, while attempts stay within
 * MaximumRetryAttempts (2 by default) and the event is younger than
 * MaximumEventAgeInSeconds, schedules the next try after attempt x
 * --lambda-retry-base-ms (AWS: one minute, then two); otherwise the event
 * goes to the OnFailure destination (an SQS queue or another function) in
 * AWS's destination record format and the row is deleted. At start the
 * rows are loaded back, so an accepted event survives kill -9 (it may then
 * run once more than AWS would: delivery is at least once, as on AWS). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "server/lambda/lambda.h"
#include "server/lambda/entry.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/sqs/entry.h"
#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

struct async_event {
    struct async_event *next;
    struct lambda_async *owner;
    int64_t id;
    char account[13];
    char *function;
    char *qualifier;
    char request_id[37];
    char *payload;
    size_t len;
    int attempts;
    int64_t created_ms;
    int64_t next_ms;
    bool running;
    bool durable;                  /* its row is committed */
};

struct lambda_async {
    struct lambda_service *svc;
    struct async_event *events;
    struct event *timer;
    int64_t next_id;
};

static void arm(struct lambda_async *a);

static void event_free_one(struct async_event *ev)
{
    free(ev->function);
    free(ev->qualifier);
    free(ev->payload);
    free(ev);
}

static void unlink_event(struct lambda_async *a, struct async_event *ev)
{
    for (struct async_event **pp = &a->events; *pp; pp = &(*pp)->next) {
        if (*pp == ev) {
            *pp = ev->next;
            return;
        }
    }
}

/* ---- rows -------------------------------------------------------------------- */

enum row_op { ROW_INSERT, ROW_UPDATE, ROW_DELETE };

struct row_job {
    enum row_op op;
    int64_t id;
    char account[13];
    char *function, *qualifier, *payload;
    size_t len;
    char request_id[37];
    int attempts;
    int64_t created_ms, next_ms;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_row(struct store_conn *writer, void *arg)
{
    struct row_job *j = arg;
    enum lambda_storage_err err;
    if (j->op == ROW_INSERT) {
        const struct lambda_event_row row = {
            .id = j->id,
            .account = j->account,
            .function = j->function,
            .qualifier = j->qualifier,
            .request_id = j->request_id,
            .payload = j->payload,
            .len = j->len,
            .attempts = j->attempts,
            .created_ms = j->created_ms,
            .next_ms = j->next_ms,
        };
        err = lambda_events_insert(writer, &row);
    } else if (j->op == ROW_UPDATE) {
        err = lambda_events_reschedule(writer, j->id, j->attempts, j->next_ms);
    } else {
        err = lambda_events_delete(writer, j->id);
    }
    return err == LAMBDA_STORAGE_OK ? 0 : -1;
}

static void row_done(void *arg, bool ok)
{
    struct row_job *j = arg;
    if (!ok)
        log_error("lambda: could not store asynchronous event %" PRId64, j->id);
    if (j->done)
        j->done(j->arg, ok);
    free(j);
}

static int submit_row(struct lambda_async *a, enum row_op op, struct async_event *ev,
                      void (*done)(void *arg, bool ok), void *arg)
{
    struct row_job *j = calloc(1, sizeof(*j));
    if (!j)
        return -1;
    j->op = op;
    j->id = ev->id;
    memcpy(j->account, ev->account, sizeof(j->account));
    j->function = ev->function;
    j->qualifier = ev->qualifier;
    j->payload = ev->payload;
    j->len = ev->len;
    memcpy(j->request_id, ev->request_id, sizeof(j->request_id));
    j->attempts = ev->attempts;
    j->created_ms = ev->created_ms;
    j->next_ms = ev->next_ms;
    j->done = done;
    j->arg = arg;
    /* The strings are read by apply on the commit thread: only an insert
     * carries them, and the event outlives its insert (see accept). */
    if (store_submit(a->svc->srv->store, apply_row, row_done, j) < 0) {
        free(j);
        return -1;
    }
    return 0;
}

/* ---- destinations ---------------------------------------------------------------- */

static void write_record(struct lambda_async *a, struct async_event *ev, const char *condition,
                         const struct lambda_result *r, struct strbuf *sb)
{
    struct json_writer w;
    jw_init(&w, sb);
    char stamp[32], arn[600];
    date_iso8601(clock_now_ms(), stamp);
    snprintf(arn, sizeof(arn), "arn:aws:lambda:%s:%s:function:%s:%s", a->svc->srv->cfg->region, ev->account,
             ev->function, ev->qualifier && *ev->qualifier ? ev->qualifier : "$LATEST");
    jw_object_open(&w, NULL);
    jw_string(&w, "version", "1.0");
    jw_string(&w, "timestamp", stamp);
    jw_object_open(&w, "requestContext");
    jw_string(&w, "requestId", ev->request_id);
    jw_string(&w, "functionArn", arn);
    jw_string(&w, "condition", condition);
    jw_int(&w, "approximateInvokeCount", ev->attempts);
    jw_object_close(&w);
    const struct json_value *payload = json_parse(ev->payload, ev->len, NULL);
    if (payload)
        jw_tree(&w, "requestPayload", payload);
    else
        jw_string(&w, "requestPayload", ev->payload);
    json_free(payload);
    jw_object_open(&w, "responseContext");
    jw_int(&w, "statusCode", 200);
    jw_string(&w, "executedVersion", ev->qualifier && *ev->qualifier ? ev->qualifier : "$LATEST");
    if (r && r->function_error)
        jw_string(&w, "functionError", r->function_error);
    jw_object_close(&w);
    if (r && r->len) {
        const struct json_value *resp = json_parse(r->payload, r->len, NULL);
        if (resp)
            jw_tree(&w, "responsePayload", resp);
        else
            jw_string(&w, "responsePayload", r->payload);
        json_free(resp);
    }
    jw_object_close(&w);
}

static void destination_sent(void *arg, bool ok)
{
    char *dest = arg;
    if (!ok)
        log_warn("lambda: could not deliver to destination %s", dest);
    free(dest);
}

static void send_to_destination(struct lambda_async *a, struct async_event *ev, const char *dest,
                                const char *condition, const struct lambda_result *r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    write_record(a, ev, condition, r, &sb);
    char *copy = strdup(dest);
    int rc = -1;
    if (!strbuf_failed(&sb) && copy) {
        if (strncmp(dest, "arn:aws:sqs:", 12) == 0 && a->svc->srv->sqs)
            rc = sqs_send_internal(a->svc->srv->sqs, dest, sb.data, sb.len, destination_sent, copy);
        else if (strncmp(dest, "arn:aws:lambda:", 15) == 0)
            rc = lambda_invoke_event(a->svc, ev->account, dest, sb.data, sb.len, destination_sent, copy);
    }
    if (rc < 0) {
        log_warn("lambda: destination %s of %s is not reachable; record dropped", dest, ev->function);
        free(copy);
    }
    strbuf_free(&sb);
}

/* ---- running ------------------------------------------------------------------ */

static void finish_event(struct lambda_async *a, struct async_event *ev)
{
    unlink_event(a, ev);
    if (submit_row(a, ROW_DELETE, ev, NULL, NULL) < 0)
        log_warn("lambda: could not delete asynchronous event %" PRId64, ev->id);
    event_free_one(ev);
}

static const struct lambda_eic *eic_of(struct lambda_async *a, struct async_event *ev)
{
    struct lambda_function *fn = lambda_find(a->svc, ev->account, ev->function);
    return fn ? fn->eic : NULL;
}

static void on_result(void *arg, const struct lambda_result *r)
{
    struct async_event *ev = arg;
    struct lambda_async *a = ev->owner;
    ev->running = false;
    const struct lambda_eic *eic = eic_of(a, ev);
    if (!r->function_error) {
        if (eic && eic->on_success)
            send_to_destination(a, ev, eic->on_success, "Success", r);
        finish_event(a, ev);
        arm(a);
        return;
    }
    int max_retries = eic && eic->max_retries >= 0 ? eic->max_retries : LAMBDA_DEFAULT_RETRIES;
    int max_age = eic && eic->max_age_s >= 0 ? eic->max_age_s : LAMBDA_DEFAULT_EVENT_AGE_S;
    int64_t now = clock_now_ms();
    int64_t next = now + (int64_t)a->svc->srv->cfg->lambda_retry_base_ms * ev->attempts;
    if (ev->attempts <= max_retries && next - ev->created_ms <= (int64_t)max_age * 1000) {
        ev->next_ms = next;
        if (submit_row(a, ROW_UPDATE, ev, NULL, NULL) < 0)
            log_warn("lambda: could not store the retry of event %" PRId64, ev->id);
        arm(a);
        return;
    }
    if (eic && eic->on_failure)
        send_to_destination(a, ev, eic->on_failure, "RetriesExhausted", r);
    else
        log_info("lambda: asynchronous invocation %s of %s failed %d times; dropped", ev->request_id,
                 ev->function, ev->attempts);
    finish_event(a, ev);
    arm(a);
}

static void run_event(struct lambda_async *a, struct async_event *ev)
{
    struct lambda_function *fn = lambda_find(a->svc, ev->account, ev->function);
    struct lambda_version *v = fn ? lambda_resolve(fn, ev->qualifier) : NULL;
    if (!v) {
        log_info("lambda: function %s is gone; its asynchronous event is dropped", ev->function);
        finish_event(a, ev);
        return;
    }
    struct lambda_exec_config *cfg = lambda_exec_config_new(a->svc, fn, v);
    if (!cfg || cfg->concurrency == 0) {
        /* Throttled (or no memory): try again later without counting. */
        lambda_exec_config_unref(cfg);
        ev->next_ms = clock_now_ms() + a->svc->srv->cfg->lambda_retry_base_ms;
        return;
    }
    char arn[600], rid[37];
    lambda_function_arn(a->svc, fn, ev->qualifier && *ev->qualifier ? ev->qualifier : NULL, arn, sizeof(arn));
    ev->attempts++;
    ev->running = true;
    if (lambda_runtime_invoke(a->svc->runtime, cfg, arn, ev->payload, ev->len, NULL, on_result, ev, rid) < 0) {
        ev->running = false;
        ev->attempts--;
        ev->next_ms = clock_now_ms() + a->svc->srv->cfg->lambda_retry_base_ms;
    }
    lambda_exec_config_unref(cfg);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct lambda_async *a = arg;
    int64_t now = clock_now_ms();
    struct async_event *ev = a->events;
    while (ev) {
        struct async_event *next = ev->next;
        if (ev->durable && !ev->running && ev->next_ms <= now)
            run_event(a, ev);
        ev = next;
    }
    arm(a);
}

static void arm(struct lambda_async *a)
{
    int64_t soonest = INT64_MAX;
    for (struct async_event *ev = a->events; ev; ev = ev->next)
        if (ev->durable && !ev->running && ev->next_ms < soonest)
            soonest = ev->next_ms;
    if (soonest == INT64_MAX) {
        evtimer_del(a->timer);
        return;
    }
    int64_t wait = soonest - clock_now_ms();
    if (wait < 0)
        wait = 0;
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) * 1000};
    evtimer_add(a->timer, &tv);
}

void lambda_async_clock_moved(struct lambda_async *a)
{
    if (a)
        arm(a);
}

/* ---- accepting -------------------------------------------------------------- */

struct accept_ctx {
    struct async_event *ev;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static void accepted(void *arg, bool ok)
{
    struct accept_ctx *c = arg;
    struct lambda_async *a = c->ev->owner;
    if (ok) {
        c->ev->durable = true;
        arm(a);
    } else {
        unlink_event(a, c->ev);
        event_free_one(c->ev);
    }
    c->done(c->arg, ok);
    free(c);
}

int lambda_async_accept(struct lambda_async *a, const char *account, const char *name,
                        const char *qualifier, const char *payload, size_t len,
                        char request_id[37], void (*done)(void *arg, bool ok), void *arg)
{
    struct async_event *ev = calloc(1, sizeof(*ev));
    struct accept_ctx *c = calloc(1, sizeof(*c));
    if (!ev || !c) {
        free(ev);
        free(c);
        return -1;
    }
    ev->owner = a;
    ev->id = a->next_id++;
    snprintf(ev->account, sizeof(ev->account), "%s", account);
    ev->function = strdup(name);
    ev->qualifier = strdup(qualifier ? qualifier : "");
    ev->payload = malloc(len + 1);
    ev->len = len;
    ev->created_ms = ev->next_ms = clock_now_ms();
    uuid_v4(ev->request_id);
    c->ev = ev;
    c->done = done;
    c->arg = arg;
    if (!ev->function || !ev->qualifier || !ev->payload) {
        event_free_one(ev);
        free(c);
        return -1;
    }
    memcpy(ev->payload, payload, len);
    ev->payload[len] = '\0';
    if (submit_row(a, ROW_INSERT, ev, accepted, c) < 0) {
        event_free_one(ev);
        free(c);
        return -1;
    }
    ev->next = a->events;
    a->events = ev;
    if (request_id)
        memcpy(request_id, ev->request_id, 37);
    return 0;
}

/* ---- life cycle ------------------------------------------------------------------- */

static int load_event(void *arg, const struct lambda_event_row *row)
{
    struct lambda_async *a = arg;
    struct async_event *ev = calloc(1, sizeof(*ev));
    if (!ev)
        return -1;
    ev->owner = a;
    ev->id = row->id;
    snprintf(ev->account, sizeof(ev->account), "%s", row->account);
    ev->function = strdup(row->function);
    ev->qualifier = strdup(row->qualifier);
    snprintf(ev->request_id, sizeof(ev->request_id), "%s", row->request_id);
    ev->len = row->len;
    ev->payload = malloc(ev->len + 1);
    if (!ev->function || !ev->qualifier || !ev->payload) {
        event_free_one(ev);
        return -1;
    }
    if (ev->len)
        memcpy(ev->payload, row->payload, ev->len);
    ev->payload[ev->len] = '\0';
    ev->attempts = row->attempts;
    ev->created_ms = row->created_ms;
    ev->next_ms = row->next_ms;
    ev->durable = true;
    if (ev->id >= a->next_id)
        a->next_id = ev->id + 1;
    ev->next = a->events;
    a->events = ev;
    return 0;
}

static int load_events(struct lambda_async *a, char *err, size_t errlen)
{
    return lambda_events_load(store_reader(a->svc->srv->store), load_event, a, err, errlen) == LAMBDA_STORAGE_OK
               ? 0 : -1;
}

struct lambda_async *lambda_async_new(struct lambda_service *svc, char *err, size_t errlen)
{
    struct lambda_async *a = calloc(1, sizeof(*a));
    if (!a) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    a->svc = svc;
    a->next_id = 1;
    a->timer = evtimer_new(svc->srv->base, on_timer, a);
    if (!a->timer || load_events(a, err, errlen) < 0) {
        if (!a->timer)
            snprintf(err, errlen, "cannot create the async timer");
        lambda_async_free(a);
        return NULL;
    }
    arm(a);
    return a;
}

void lambda_async_free(struct lambda_async *a)
{
    if (!a)
        return;
    while (a->events) {
        struct async_event *ev = a->events;
        a->events = ev->next;
        event_free_one(ev);
    }
    if (a->timer)
        event_free(a->timer);
    free(a);
}
