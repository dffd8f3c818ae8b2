/* messages: SQS's messages for the other services of the process
 * (entry.h): sends (Lambda destinations, S3 event notifications) answered
 * once durable, and the internal consumers of Lambda's event source
 * mappings: the arrival listener, a count of receivable messages, receives
 * whose state is committed in the background (as ReceiveMessage's) and
 * deletes answered once durable. Every request runs as the queue's owner
 * (queues.c). */
#include "server/sqs/service.h"

#include <stdlib.h>
#include <string.h>

#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"
#include "storage/sqs/persist.h"

/* ---- senders ----------------------------------------------------------------- */

struct internal_send {
    struct sqs_service *svc;
    struct sqs_changes changes;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_internal_send(struct store_conn *writer, void *arg)
{
    struct internal_send *s = arg;
    return sqs_persist_apply(writer, &s->changes);
}

static void internal_send_done(void *arg, bool ok)
{
    struct internal_send *s = arg;
    if (s->done)
        s->done(s->arg, ok);
    sqs_changes_free(&s->changes);
    free(s);
}

int sqs_send_internal(struct sqs_service *svc, const char *queue_arn, const char *body, size_t len,
                      void (*done)(void *arg, bool ok), void *arg)
{
    struct sqs_internal_message m = {.body = body, .len = len};
    return sqs_send_message_internal(svc, queue_arn, &m, done, arg);
}

/* The message's String attributes into e, in the engine's order: sorted
 * by name. false when out of memory. */
static bool add_string_attributes(struct arena *a, struct sqs_send_entry *e, const struct sqs_internal_message *m)
{
    if (!m->n_attrs)
        return true;
    e->attrs.items = arena_alloc(a, m->n_attrs * sizeof(*e->attrs.items));
    if (!e->attrs.items)
        return false;
    for (size_t i = 0; i < m->n_attrs; i++) {
        size_t at = e->attrs.n;
        while (at > 0 && strcmp(e->attrs.items[at - 1].name, m->attr_names[i]) > 0)
            at--;
        memmove(&e->attrs.items[at + 1], &e->attrs.items[at], (e->attrs.n - at) * sizeof(*e->attrs.items));
        struct sqs_msg_attr *attr = &e->attrs.items[at];
        attr->name = arena_strdup(a, m->attr_names[i]);
        attr->data_type = arena_strdup(a, "String");
        attr->binary = false;
        attr->value = arena_strdup(a, m->attr_values[i]);
        attr->value_len = attr->value ? strlen(attr->value) : 0;
        e->attrs.n++;
        if (!attr->name || !attr->data_type || !attr->value)
            return false;
    }
    return true;
}

int sqs_send_message_internal(struct sqs_service *svc, const char *queue_arn, const struct sqs_internal_message *m,
                              void (*done)(void *arg, bool ok), void *arg)
{
    char account[13], url[400];
    if (!sqs_queue_of_arn(queue_arn, account, url))
        return -1;
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_SendMessage;
    req.queue_url = arena_strdup(&req.arena, url);
    req.sends = arena_alloc(&req.arena, sizeof(*req.sends));
    if (!req.queue_url || !req.sends) {
        sqs_request_free(&req);
        return -1;
    }
    req.n_sends = 1;
    struct sqs_send_entry *e = &req.sends[0];
    e->body = arena_memdup(&req.arena, m->body, m->len);
    e->body_len = m->len;
    e->delay_seconds = -1;
    bool built = e->body && add_string_attributes(&req.arena, e, m);
    if (m->group_id)
        built = built && (e->group_id = arena_strdup(&req.arena, m->group_id)) != NULL;
    struct internal_send *s = built ? calloc(1, sizeof(*s)) : NULL;
    if (!s) {
        sqs_request_free(&req);
        return -1;
    }
    s->svc = svc;
    s->done = done;
    s->arg = arg;
    sqs_changes_init(&s->changes);
    struct sqs_call call = {.account = account, .endpoint = "http://localhost", .sender_id = account,
                            .now_ms = clock_now_ms(), .changes = &s->changes};
    struct sqs_response resp;
    struct sqs_error err = {0};
    enum sqs_err rc = sqs_engine_execute(svc->engine, &call, &req, &resp, &err);
    sqs_request_free(&req);
    if (rc != SQS_OK) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    sqs_response_free(&resp);
    if (store_submit(svc->srv->store, apply_internal_send, internal_send_done, s) < 0) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    return 0;
}

/* ---- internal consumers (Lambda event source mappings) ----------------------- */

void sqs_set_arrival_listener(struct sqs_service *svc, sqs_arrival_fn fn, void *arg)
{
    svc->arrival = fn;
    svc->arrival_arg = arg;
}

size_t sqs_visible_internal(struct sqs_service *svc, const char *queue_arn)
{
    char account[13], url[400];
    if (!sqs_queue_of_arn(queue_arn, account, url))
        return 0;
    struct sqs_queue *q = sqs_engine_queue_by_url(svc->engine, url);
    return q ? sqs_queue_visible_count(svc->engine, q, clock_now_ms()) : 0;
}

int sqs_receive_internal(struct sqs_service *svc, const char *queue_arn, int max,
                         struct sqs_response *resp)
{
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_ReceiveMessage;
    req.max_messages = max;
    req.visibility_timeout = -1;
    req.wait_time_seconds = 0;
    char *all[] = {"All"};
    req.system_attribute_names.items = all;
    req.system_attribute_names.n = 1;
    req.message_attribute_names.items = all;
    req.message_attribute_names.n = 1;
    struct sqs_changes changes;
    sqs_changes_init(&changes);
    enum sqs_err rc = sqs_execute_internal(svc, queue_arn, &req, resp, &changes);
    sqs_request_free(&req);
    if (rc == SQS_OK && !changes.oom && changes.n)
        sqs_submit_changes(svc, &changes, NULL);
    sqs_changes_free(&changes);
    sqs_arm_tick(svc);
    if (rc != SQS_OK) {
        sqs_response_free(resp);
        return -1;
    }
    return 0;
}

int sqs_delete_internal(struct sqs_service *svc, const char *queue_arn, char *const *handles,
                        size_t n, void (*done)(void *arg, bool ok), void *arg)
{
    struct internal_send *s = calloc(1, sizeof(*s));
    if (!s)
        return -1;
    s->svc = svc;
    s->done = done;
    s->arg = arg;
    sqs_changes_init(&s->changes);
    for (size_t i = 0; i < n; i++) {
        struct sqs_request req;
        memset(&req, 0, sizeof(req));
        req.op = SQS_OP_DeleteMessage;
        struct sqs_handle_entry entry = {.receipt_handle = handles[i], .visibility_timeout = -1};
        req.handles = &entry;
        req.n_handles = 1;
        struct sqs_response resp;
        enum sqs_err rc = sqs_execute_internal(svc, queue_arn, &req, &resp, &s->changes);
        sqs_response_free(&resp);
        sqs_request_free(&req);
        if (rc == SQS_ERR_QUEUE_DOES_NOT_EXIST)
            break;                 /* the queue is gone, and its messages with it */
    }
    if (s->changes.oom || store_submit(svc->srv->store, apply_internal_send, internal_send_done, s) < 0) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    return 0;
}
