/* move_tasks: DLQ redrive (StartMessageMoveTask, ListMessageMoveTasks,
 * CancelMessageMoveTask).
 *
 * A task moves the messages that were visible in a dead-letter queue when
 * it started, either to one destination queue or back to the queue each
 * message came from (its DeadLetterQueueSourceArn). It runs incrementally
 * from sqs_engine_tick(): each run earns rate x elapsed seconds of
 * "credit" (MaxNumberOfMessagesPerSecond, or 500/s when not given) and
 * moves that many messages. A moved message keeps its MessageId, body and
 * attributes and starts over in its new queue (receive count 0). */
#include "storage/sqs/engine_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_RATE 500
#define MIN_TICK_MS 10

static const char *status_name(enum move_status s)
{
    switch (s) {
    case MOVE_RUNNING: return "RUNNING";
    case MOVE_COMPLETED: return "COMPLETED";
    case MOVE_CANCELLED: return "CANCELLED";
    case MOVE_FAILED: return "FAILED";
    }
    return "FAILED";
}

static bool is_dead_letter_queue(const struct sqs_engine *e, const struct sqs_queue *dlq)
{
    for (size_t i = 0; i < e->n_queues; i++) {
        const struct sqs_queue *q = e->queues[i];
        if (q->s.dlq_arn && strcmp(q->s.dlq_arn, dlq->arn) == 0)
            return true;
    }
    return false;
}

static struct move_task *running_task(struct sqs_engine *e, const char *source_arn)
{
    for (size_t i = 0; i < e->n_tasks; i++)
        if (e->tasks[i].status == MOVE_RUNNING && strcmp(e->tasks[i].source_arn, source_arn) == 0)
            return &e->tasks[i];
    return NULL;
}

enum sqs_err engine_start_message_move_task(struct sqs_engine *e, const struct sqs_call *call,
                                            const struct sqs_request *req,
                                            struct sqs_response *resp, struct sqs_error *err)
{
    struct sqs_queue *src = engine_find_queue_by_arn(e, req->source_arn);
    if (!src)
        return sqs_error_set(err, SQS_ERR_RESOURCE_NOT_FOUND,
                             "The resource that you specified for the SourceArn parameter "
                             "doesn't exist.");
    if (!is_dead_letter_queue(e, src))
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Source queue must be configured as a Dead Letter Queue.");
    if (req->destination_arn && !engine_find_queue_by_arn(e, req->destination_arn))
        return sqs_error_set(err, SQS_ERR_RESOURCE_NOT_FOUND,
                             "The resource that you specified for the DestinationArn parameter "
                             "doesn't exist.");
    if (running_task(e, src->arn))
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "There is already a task running. Only one active task is allowed "
                             "for a source queue arn at a given time.");
    if (e->n_tasks == e->cap_tasks) {
        size_t cap = e->cap_tasks ? e->cap_tasks * 2 : 8;
        struct move_task *grown = realloc(e->tasks, cap * sizeof(*grown));
        if (!grown)
            return oom(err);
        e->tasks = grown;
        e->cap_tasks = cap;
    }
    struct move_task *t = &e->tasks[e->n_tasks];
    memset(t, 0, sizeof(*t));
    t->source_arn = strdup(src->arn);
    t->dest_arn = req->destination_arn ? strdup(req->destination_arn) : NULL;
    if (!t->source_arn || (req->destination_arn && !t->dest_arn)) {
        free(t->source_arn);
        free(t->dest_arn);
        return oom(err);
    }
    char uuid[37];
    engine_uuid(e, uuid);
    snprintf(t->handle, sizeof(t->handle), "%s", uuid);
    t->rate = req->max_per_second;
    t->status = MOVE_RUNNING;
    t->started_ms = t->last_run_ms = call->now_ms;
    queue_advance(e, src, call->now_ms, call->changes);
    t->to_move = (int64_t)src->n_visible;
    e->n_tasks++;
    resp->task_handle = arena_strdup(&resp->arena, t->handle);
    return resp->task_handle ? SQS_OK : oom(err);
}

enum sqs_err engine_list_message_move_tasks(struct sqs_engine *e, const struct sqs_call *call,
                                            const struct sqs_request *req,
                                            struct sqs_response *resp, struct sqs_error *err)
{
    struct sqs_queue *src = engine_find_queue_by_arn(e, req->source_arn);
    if (!src)
        return sqs_error_set(err, SQS_ERR_RESOURCE_NOT_FOUND,
                             "The resource that you specified for the SourceArn parameter "
                             "doesn't exist.");
    size_t max = req->max_results > 0 ? (size_t)req->max_results : 1;
    resp->tasks = arena_alloc(&resp->arena, max * sizeof(*resp->tasks));
    if (!resp->tasks)
        return oom(err);
    struct arena *a = &resp->arena;
    for (size_t i = e->n_tasks; i-- > 0 && resp->n_tasks < max;) {
        const struct move_task *t = &e->tasks[i];
        if (strcmp(t->source_arn, src->arn) != 0)
            continue;
        struct sqs_move_task_info *info = &resp->tasks[resp->n_tasks++];
        info->task_handle = t->status == MOVE_RUNNING ? arena_strdup(a, t->handle) : NULL;
        info->status = arena_strdup(a, status_name(t->status));
        info->source_arn = arena_strdup(a, t->source_arn);
        info->destination_arn = t->dest_arn ? arena_strdup(a, t->dest_arn) : NULL;
        info->max_per_second = t->rate;
        info->moved = t->moved;
        info->to_move = t->to_move;
        info->failure_reason = t->failure_reason ? arena_strdup(a, t->failure_reason) : NULL;
        info->started_ms = t->started_ms;
    }
    return a->failed ? oom(err) : SQS_OK;
}

enum sqs_err engine_cancel_message_move_task(struct sqs_engine *e, const struct sqs_call *call,
                                             const struct sqs_request *req,
                                             struct sqs_response *resp, struct sqs_error *err)
{
    for (size_t i = 0; i < e->n_tasks; i++) {
        struct move_task *t = &e->tasks[i];
        if (strcmp(t->handle, req->task_handle) != 0)
            continue;
        if (t->status != MOVE_RUNNING)
            break;
        t->status = MOVE_CANCELLED;
        resp->moved = t->moved;
        return SQS_OK;
    }
    return sqs_error_set(err, SQS_ERR_RESOURCE_NOT_FOUND,
                         "Task does not exist or is not running: %.64s", req->task_handle);
}

/* The next visible message of a queue, in delivery order. */
static struct msg *next_visible(struct sqs_queue *q)
{
    if (!q->s.fifo)
        return q->ready_head;
    struct fifo_group *g = group_heap_top(&q->groups_ready);
    return g ? g->head : NULL;
}

static void fail_task(struct move_task *t, const char *reason)
{
    t->status = MOVE_FAILED;
    free(t->failure_reason);
    t->failure_reason = strdup(reason);
}

/* Moves one message; false when the task cannot continue. */
static bool move_one(struct sqs_engine *e, struct move_task *t, struct sqs_queue *src,
                     int64_t now_ms, struct sqs_changes *changes)
{
    struct msg *m = next_visible(src);
    if (!m)
        return false;
    const char *dest_arn = t->dest_arn ? t->dest_arn : m->dlq_source_arn;
    struct sqs_queue *dest = dest_arn ? engine_find_queue_by_arn(e, dest_arn) : NULL;
    if (!dest || dest == src) {
        fail_task(t, "AWS.SimpleQueueService.NonExistentQueue");
        return false;
    }
    struct sqs_message_record *rec = NULL;
    struct sqs_change *ch = NULL;
    msg_unlink(m);
    free(m->dlq_source_arn);
    m->dlq_source_arn = NULL;
    m->receive_count = 0;
    m->first_receive_ms = 0;
    m->visible_at_ms = now_ms;
    if (!msg_link(dest, m, now_ms)) {
        msg_table_remove(&e->msgs, m->seq);
        ch = change_add(changes, SQS_CHANGE_MESSAGE_DELETE);
        if (ch) {
            ch->queue_id = src->id;
            ch->seq = m->seq;
        }
        msg_free(m);
        fail_task(t, "InternalError");
        return false;
    }
    if (changes) {
        rec = message_record_of(m);
        ch = rec ? change_add(changes, SQS_CHANGE_MESSAGE_PUT) : NULL;
        if (ch) {
            ch->queue_id = dest->id;
            ch->seq = m->seq;
            ch->message = rec;
        } else {
            message_record_free(rec);
            changes->oom = true;
        }
    }
    t->moved++;
    notify_available(e, dest);
    return true;
}

void move_tasks_run(struct sqs_engine *e, int64_t now_ms, struct sqs_changes *changes)
{
    for (size_t i = 0; i < e->n_tasks; i++) {
        struct move_task *t = &e->tasks[i];
        if (t->status != MOVE_RUNNING)
            continue;
        struct sqs_queue *src = engine_find_queue_by_arn(e, t->source_arn);
        if (!src) {
            fail_task(t, "AWS.SimpleQueueService.NonExistentQueue");
            continue;
        }
        int rate = t->rate > 0 ? t->rate : DEFAULT_RATE;
        int64_t elapsed = now_ms - t->last_run_ms;
        if (elapsed <= 0)
            continue;
        t->credit += (double)rate * (double)elapsed / 1000.0;
        if (t->credit > rate)
            t->credit = rate;
        t->last_run_ms = now_ms;
        queue_advance(e, src, now_ms, changes);
        while (t->credit >= 1.0 && t->moved < t->to_move && t->status == MOVE_RUNNING) {
            if (!move_one(e, t, src, now_ms, changes))
                break;
            t->credit -= 1.0;
        }
        if (t->status == MOVE_RUNNING && (t->moved >= t->to_move || !next_visible(src)))
            t->status = MOVE_COMPLETED;
    }
}

int64_t move_tasks_next_ms(const struct sqs_engine *e)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < e->n_tasks; i++) {
        const struct move_task *t = &e->tasks[i];
        if (t->status != MOVE_RUNNING)
            continue;
        int rate = t->rate > 0 ? t->rate : DEFAULT_RATE;
        int64_t step = 1000 / rate;
        int64_t at = t->last_run_ms + (step < MIN_TICK_MS ? MIN_TICK_MS : step);
        if (at < next)
            next = at;
    }
    return next;
}

void move_tasks_free(struct sqs_engine *e)
{
    for (size_t i = 0; i < e->n_tasks; i++) {
        free(e->tasks[i].source_arn);
        free(e->tasks[i].dest_arn);
        free(e->tasks[i].failure_reason);
    }
    free(e->tasks);
    e->tasks = NULL;
    e->n_tasks = e->cap_tasks = 0;
}
