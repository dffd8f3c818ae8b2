/* move_tasks: the wire form of StartMessageMoveTask, ListMessageMoveTasks
 * and CancelMessageMoveTask (dead-letter queue redrive).
 *
 * Tasks are named by their source queue's ARN (SourceArn) or by the
 * TaskHandle StartMessageMoveTask answered; ListMessageMoveTasks answers
 * up to 10 tasks, newest first, as "Results". */
#include "protocol/sqs/codec.h"

/* ---- per-operation decoding -------------------------------------------------- */

static enum sqs_err decode_start_message_move_task(struct sqs_request *req,
                                                   const struct sqs_params *ps,
                                                   struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "SourceArn", &req->source_arn, err)))
        return rc;
    req->destination_arn = sqs_param_str(ps, "DestinationArn");
    return sqs_param_int(ps, "MaxNumberOfMessagesPerSecond", "MaxNumberOfMessagesPerSecond",
                         1, 500, &req->max_per_second, err);
}

static enum sqs_err decode_list_message_move_tasks(struct sqs_request *req,
                                                   const struct sqs_params *ps,
                                                   struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "SourceArn", &req->source_arn, err)))
        return rc;
    return sqs_param_int(ps, "MaxResults", "MaxResults", 1, 10, &req->max_results, err);
}

static enum sqs_err decode_cancel_message_move_task(struct sqs_request *req,
                                                    const struct sqs_params *ps,
                                                    struct sqs_error *err)
{
    return sqs_param_required(ps, "TaskHandle", &req->task_handle, err);
}

/* ---- results ------------------------------------------------------------------- */

static void result_start_message_move_task(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_str(w, "TaskHandle", r->task_handle);
}

static void result_list_message_move_tasks(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_list_open(w, "Results");
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct sqs_move_task_info *t = &r->tasks[i];
        sqs_write_open(w, "Results", NULL);
        sqs_write_str(w, "TaskHandle", t->task_handle);
        sqs_write_str(w, "Status", t->status);
        sqs_write_str(w, "SourceArn", t->source_arn);
        sqs_write_str(w, "DestinationArn", t->destination_arn);
        if (t->max_per_second >= 0)
            sqs_write_int(w, "MaxNumberOfMessagesPerSecond", t->max_per_second);
        sqs_write_int(w, "ApproximateNumberOfMessagesMoved", t->moved);
        sqs_write_int(w, "ApproximateNumberOfMessagesToMove", t->to_move);
        sqs_write_str(w, "FailureReason", t->failure_reason);
        sqs_write_int(w, "StartedTimestamp", t->started_ms);
        sqs_write_close(w, "Results");
    }
    sqs_write_list_close(w);
}

static void result_cancel_message_move_task(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_int(w, "ApproximateNumberOfMessagesMoved", r->moved);
}

/* ---- the operations ---------------------------------------------------------- */

const struct sqs_codec sqs_codec_start_message_move_task = {
    decode_start_message_move_task, result_start_message_move_task, NULL};
const struct sqs_codec sqs_codec_list_message_move_tasks = {
    decode_list_message_move_tasks, result_list_message_move_tasks, NULL};
const struct sqs_codec sqs_codec_cancel_message_move_task = {
    decode_cancel_message_move_task, result_cancel_message_move_task, NULL};
