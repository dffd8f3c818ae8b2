/* lambda_esm_poller: the passes over every event source mapping, and the
 * pollers of SQS mappings, which feed a function batches of SQS messages
 * (the mappings themselves are esm.c; stream mappings' batches are
 * esm_stream.c's).
 *
 * Polling never blocks the loop. The SQS service calls the arrival
 * listener when messages may have become receivable in a queue (a send, an
 * expired visibility timeout, a redrive); that schedules a pass (a zero
 * timeout event) over the enabled mappings of the queue. A pass receives,
 * while the mapping has fewer batches in flight than its concurrency
 * (ScalingConfig.MaximumConcurrency, else the function's environment
 * limit), up to BatchSize messages — ten at a time, with the queue's
 * visibility timeout, as the queue's owner — and invokes the function
 * synchronously with the SQS event AWS builds. With a batching window the
 * pass waits until BatchSize messages are visible or the window has run
 * since it first saw messages. A finished batch starts another pass.
 *
 * Results: success deletes the batch; a function error (or timeout) leaves
 * it, so the messages return after the visibility timeout and the queue's
 * RedrivePolicy moves them to the DLQ after maxReceiveCount receives. With
 * ReportBatchItemFailures only the batchItemFailures are kept; a response
 * that names an unknown or empty itemIdentifier fails the whole batch, as
 * on AWS. A function that is missing or throttled is retried after a
 * second, without receiving; so is one whose execution role may not poll
 * the queue (with enforcement: the mapping acts with the function's role,
 * as on AWS). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <openssl/evp.h>

#include "protocol/sqs/sqs.h"
#include "server/core/authorize.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/lambda/esm.h"
#include "server/sqs/entry.h"

#define RETRY_MS 1000
#define BATCH_PAYLOAD_SOFT_MAX (5 * 1024 * 1024)  /* stop adding messages: 6 MB is the invoke limit */

struct batch {
    struct lambda_esm *esm;
    struct esm_mapping *m;
    char **handles;
    char **ids;
    size_t n, cap;
    struct strbuf payload;
};

static void pass(struct lambda_esm *esm);

/* ---- passes ------------------------------------------------------------------------- */

void esm_kick(struct lambda_esm *esm)
{
    if (!esm->stopping)
        event_active(esm->kick, EV_TIMEOUT, 0);
}

/* Past deadlines need no timer: the mapping waits for a finished batch or
 * an arrival then, which kick a pass. `now` is the pass's own: a deadline
 * the pass found still ahead is one the timer must wake it for, even when
 * the clock has reached it since (read again here, a deadline one
 * millisecond ahead counted as past, and a mapping retrying after a
 * failure waited for nothing, for good). */
static void arm_timer(struct lambda_esm *esm, int64_t now)
{
    int64_t soonest = INT64_MAX;
    for (struct esm_mapping *m = esm->mappings; m; m = m->next)
        if (m->wait_until_ms > now && m->wait_until_ms < soonest)
            soonest = m->wait_until_ms;
    if (soonest == INT64_MAX || esm->stopping)
        return;
    int64_t delay = soonest - now;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(esm->timer, &tv);
}

/* ---- the SQS event ------------------------------------------------------------------ */

static void write_message_attributes(struct json_writer *w, const struct sqs_msg_attrs *attrs)
{
    jw_object_open(w, "messageAttributes");
    for (size_t i = 0; i < attrs->n; i++) {
        const struct sqs_msg_attr *a = &attrs->items[i];
        jw_object_open(w, a->name);
        if (a->binary) {
            char *b64 = malloc(4 * ((a->value_len + 2) / 3) + 1);
            if (!b64) {
                w->sb->oom = true;
                return;
            }
            EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)a->value, (int)a->value_len);
            jw_string(w, "binaryValue", b64);
            free(b64);
        } else {
            jw_string(w, "stringValue", a->value);
        }
        jw_array_open(w, "stringListValues");
        jw_array_close(w);
        jw_array_open(w, "binaryListValues");
        jw_array_close(w);
        jw_string(w, "dataType", a->data_type);
        jw_object_close(w);
    }
    jw_object_close(w);
}

static void write_record(struct json_writer *w, const struct esm_mapping *m, const char *region,
                         const struct sqs_received_message *msg)
{
    jw_object_open(w, NULL);
    jw_string(w, "messageId", msg->message_id);
    jw_string(w, "receiptHandle", msg->receipt_handle);
    jw_string(w, "body", msg->body);
    jw_object_open(w, "attributes");
    for (size_t i = 0; i < msg->system_attrs.n; i++)
        jw_string(w, msg->system_attrs.items[i].key, msg->system_attrs.items[i].value);
    jw_object_close(w);
    write_message_attributes(w, &msg->attrs);
    jw_string(w, "md5OfBody", msg->md5_body);
    jw_string(w, "eventSource", "aws:sqs");
    jw_string(w, "eventSourceARN", m->source_arn);
    jw_string(w, "awsRegion", region);
    jw_object_close(w);
}

/* ---- batches ------------------------------------------------------------------------ */

static void batch_free(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->handles[i]);
        free(b->ids[i]);
    }
    free(b->handles);
    free(b->ids);
    strbuf_free(&b->payload);
    free(b);
}

static int batch_add(struct batch *b, const struct sqs_received_message *msg)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        char **handles = realloc(b->handles, cap * sizeof(*handles));
        if (!handles)
            return -1;
        b->handles = handles;
        char **ids = realloc(b->ids, cap * sizeof(*ids));
        if (!ids)
            return -1;
        b->ids = ids;
        b->cap = cap;
    }
    char *handle = strdup(msg->receipt_handle), *id = strdup(msg->message_id);
    if (!handle || !id) {
        free(handle);
        free(id);
        return -1;
    }
    b->handles[b->n] = handle;
    b->ids[b->n] = id;
    b->n++;
    return 0;
}

/* The receipt handles to delete after a successful invocation: all of them,
 * or with ReportBatchItemFailures those not reported. Returns how many were
 * moved to the front of b->handles; 0 when the whole batch failed. */
static size_t handles_to_delete(const struct batch *b, const char *payload, size_t len)
{
    if (!b->m->report_failures)
        return b->n;
    const struct json_value *resp = len ? json_parse(payload, len, NULL) : NULL;
    const struct json_value *failures = json_get(resp, "batchItemFailures");
    if (!failures || json_is(failures, JSON_NULL)) {
        json_free(resp);
        return b->n;               /* empty, null or no failures: success */
    }
    bool *failed = calloc(b->n, sizeof(*failed));
    bool whole = !failed || !json_is(failures, JSON_ARRAY);
    for (size_t i = 0; !whole && i < failures->len; i++) {
        const char *id = json_str(&failures->u.items[i], "itemIdentifier");
        size_t k = 0;
        while (id && *id && k < b->n && strcmp(b->ids[k], id) != 0)
            k++;
        if (!id || !*id || k == b->n)
            whole = true;
        else
            failed[k] = true;
    }
    json_free(resp);
    size_t keep = 0;
    for (size_t i = 0; !whole && i < b->n; i++) {
        if (failed[i])
            continue;
        char *t = b->handles[keep];
        b->handles[keep++] = b->handles[i];
        b->handles[i] = t;
    }
    free(failed);
    return whole ? 0 : keep;
}

static void batch_finished(struct batch *b)
{
    struct lambda_esm *esm = b->esm;
    struct esm_mapping *m = b->m;
    m->in_flight--;
    batch_free(b);
    if (m->deleted && m->in_flight == 0)
        esm_mapping_free(m);
    else
        esm_kick(esm);
}

static void batch_done(void *arg, const struct lambda_result *r)
{
    struct batch *b = arg;
    struct esm_mapping *m = b->m;
    struct lambda_esm *esm = b->esm;
    if (r->function_error) {
        if (!esm->stopping)
            log_info("lambda: %s failed a batch of %zu messages from %s; they return after the visibility timeout",
                     m->function, b->n, m->source_arn);
        batch_finished(b);
        return;
    }
    size_t n = handles_to_delete(b, r->payload, r->len);
    if (n && sqs_delete_internal(esm->svc->srv->sqs, m->source_arn, b->handles, n, NULL, NULL) < 0)
        log_warn("lambda: could not delete %zu processed messages from %s; they will be received again", n,
                 m->source_arn);
    batch_finished(b);
}

/* Receives up to BatchSize messages into b's event. -1 when none came. */
static int fill_batch(struct lambda_esm *esm, struct esm_mapping *m, struct batch *b)
{
    struct json_writer w;
    jw_init(&w, &b->payload);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Records");
    while (b->n < (size_t)m->batch_size && b->payload.len < BATCH_PAYLOAD_SOFT_MAX) {
        size_t want = (size_t)m->batch_size - b->n;
        struct sqs_response resp;
        if (sqs_receive_internal(esm->svc->srv->sqs, m->source_arn, want > SQS_MAX_BATCH ? SQS_MAX_BATCH : (int)want,
                                 &resp) < 0)
            break;
        size_t got = resp.n_messages;
        for (size_t i = 0; i < got; i++) {
            if (batch_add(b, &resp.messages[i]) < 0) {
                b->payload.oom = true;
                break;
            }
            write_record(&w, m, esm->svc->srv->cfg->region, &resp.messages[i]);
        }
        sqs_response_free(&resp);
        if (got == 0 || strbuf_failed(&b->payload))
            break;
    }
    jw_array_close(&w);
    jw_object_close(&w);
    if (strbuf_failed(&b->payload))
        log_warn("lambda: out of memory building a batch for %s; its messages return after the visibility timeout",
                 m->function);
    return b->n && !strbuf_failed(&b->payload) ? 0 : -1;
}

bool esm_role_may_poll(struct lambda_service *svc, const char *role, const struct esm_mapping *m,
                       const char **refused)
{
    static const char *const queue_actions[] = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"};
    static const char *const stream_actions[] = {"dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                                 "dynamodb:DescribeStream", "dynamodb:ListStreams"};
    bool stream = m->source == ESM_SOURCE_DYNAMODB;
    const char *const *actions = stream ? stream_actions : queue_actions;
    size_t n_actions = stream ? sizeof(stream_actions) / sizeof(stream_actions[0])
                              : sizeof(queue_actions) / sizeof(queue_actions[0]);
    struct server *srv = svc->srv;
    *refused = actions[0];
    if (!srv->cfg->enforce_iam)
        return true;
    char owner[13];
    if (sscanf(m->source_arn, stream ? "arn:aws:dynamodb:%*[^:]:%12[0-9]:" : "arn:aws:sqs:%*[^:]:%12[0-9]:", owner) != 1)
        return false;
    const struct authorize_target t = {
        .resource = m->source_arn,
        .owner = owner,
        .policy = !stream && srv->sqs ? sqs_queue_policy_internal(srv->sqs, m->source_arn) : NULL,
    };
    for (size_t i = 0; i < n_actions; i++) {
        struct authorize_decision d;
        *refused = actions[i];
        if (authorize_as_role(srv, role, m->function, actions[i], &t, &d) != AUTHORIZE_ALLOWED)
            return false;
    }
    return true;
}

int esm_function_limit(struct lambda_esm *esm, struct esm_mapping *m, struct lambda_exec_config **out)
{
    struct lambda_service *svc = esm->svc;
    struct lambda_function *fn = lambda_find(svc, m->account, m->function);
    struct lambda_version *v = fn ? lambda_resolve(fn, m->qualifier) : NULL;
    struct lambda_exec_config *cfg = v ? lambda_exec_config_new(svc, fn, v) : NULL;
    int limit = cfg ? cfg->concurrency : 0;
    if (m->max_concurrency && m->max_concurrency < limit)
        limit = m->max_concurrency;
    const char *refused;
    if (limit > 0 && !esm_role_may_poll(svc, cfg->role, m, &refused)) {
        if (!m->refused_logged)
            log_warn("lambda: mapping %s: %s's role %s may not run %s on %s; not polling", m->uuid, m->function,
                     cfg->role, refused, m->source_arn);
        m->refused_logged = true;
        limit = 0;
    } else if (limit > 0) {
        m->refused_logged = false;
    }
    if (limit == 0) {
        lambda_exec_config_unref(cfg);
        m->wait_until_ms = clock_now_ms() + RETRY_MS;   /* missing, throttled or refused */
        return 0;
    }
    *out = cfg;
    return limit;
}

/* Starts one batch. false when the mapping should not go on now. */
static bool start_batch(struct lambda_esm *esm, struct esm_mapping *m)
{
    struct lambda_service *svc = esm->svc;
    struct lambda_exec_config *cfg = NULL;
    int limit = esm_function_limit(esm, m, &cfg);
    if (limit == 0)
        return false;
    struct lambda_function *fn = lambda_find(svc, m->account, m->function);
    size_t visible = m->in_flight < limit ? sqs_visible_internal(svc->srv->sqs, m->source_arn) : 0;
    if (visible == 0) {
        lambda_exec_config_unref(cfg);
        return false;
    }
    if (m->window_s > 0 && visible < (size_t)m->batch_size) {
        int64_t now = clock_now_ms();
        if (!m->wait_until_ms)
            m->wait_until_ms = now + (int64_t)m->window_s * 1000;
        if (now < m->wait_until_ms) {
            lambda_exec_config_unref(cfg);
            return false;
        }
    }
    m->wait_until_ms = 0;
    struct batch *b = calloc(1, sizeof(*b));
    if (!b) {
        lambda_exec_config_unref(cfg);
        return false;
    }
    b->esm = esm;
    b->m = m;
    strbuf_init(&b->payload);
    if (fill_batch(esm, m, b) < 0) {
        batch_free(b);
        lambda_exec_config_unref(cfg);
        return false;
    }
    char arn[600], rid[37];
    lambda_function_arn(svc, fn, m->qualifier, arn, sizeof(arn));
    m->in_flight++;
    int rc = lambda_runtime_invoke(svc->runtime, cfg, arn, b->payload.data, b->payload.len, NULL, batch_done, b, rid);
    lambda_exec_config_unref(cfg);
    if (rc < 0) {
        m->in_flight--;
        batch_free(b);
        return false;
    }
    return true;
}

static void pass(struct lambda_esm *esm)
{
    if (esm->in_pass || esm->stopping)
        return;
    esm->in_pass = true;
    int64_t now = clock_now_ms();
    for (struct esm_mapping *m = esm->mappings; m; m = m->next) {
        if (!m->enabled || (m->transition && strcmp(m->transition, "Creating") == 0))
            continue;              /* polling starts once the mapping is durable */
        if (m->source == ESM_SOURCE_DYNAMODB) {
            esm_stream_poll(esm, m, now);
            continue;
        }
        if (!esm->svc->srv->sqs)
            continue;
        if (m->wait_until_ms && m->wait_until_ms <= now && !m->window_s)
            m->wait_until_ms = 0;  /* a retry that is due */
        if (m->wait_until_ms && !m->window_s)
            continue;
        while (start_batch(esm, m))
            ;
    }
    esm->in_pass = false;
    arm_timer(esm, now);
}

void esm_on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pass(arg);
}

static bool names_queue(const char *arn, const char *account, const char *name)
{
    const char *colon = strrchr(arn, ':');
    return colon && strcmp(colon + 1, name) == 0 && colon - arn >= 12 && strncmp(colon - 12, account, 12) == 0;
}

void esm_on_arrival(void *arg, const char *account, const char *queue_name)
{
    struct lambda_esm *esm = arg;
    for (struct esm_mapping *m = esm->mappings; m; m = m->next) {
        if (m->enabled && m->source == ESM_SOURCE_SQS && names_queue(m->source_arn, account, queue_name)) {
            esm_kick(esm);
            return;
        }
    }
}

/* ---- stopping ----------------------------------------------------------------------- */

void lambda_esm_stop(struct lambda_esm *esm)
{
    if (!esm)
        return;
    esm->stopping = true;
    event_del(esm->kick);
    event_del(esm->timer);
}
