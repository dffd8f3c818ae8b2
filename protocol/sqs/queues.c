/* queues: the wire form of CreateQueue, GetQueueUrl, ListQueues,
 * DeleteQueue, Get/SetQueueAttributes, PurgeQueue and
 * ListDeadLetterSourceQueues.
 *
 * Attributes travel as Attribute.N.Name/Value (JSON: an "Attributes" map)
 * and CreateQueue's tags as Tag.N.Key/Value (JSON: "tags"); which names
 * and values are valid is the engine's business (storage/sqs/queues.c).
 * Results are queue URLs, lists of them with a NextToken, and attribute
 * maps. */
#include "protocol/sqs/codec.h"

/* ---- per-operation decoding -------------------------------------------------- */

static enum sqs_err decode_create_queue(struct sqs_request *req, const struct sqs_params *ps,
                                        struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueName", &req->queue_name, err)))
        return rc;
    if ((rc = sqs_param_kv_list(req, ps, "Attribute", "Name", "Value", &req->attributes, err)))
        return rc;
    return sqs_param_kv_list(req, ps, "Tag", "Key", "Value", &req->tags, err);
}

static enum sqs_err decode_get_queue_url(struct sqs_request *req, const struct sqs_params *ps,
                                         struct sqs_error *err)
{
    req->queue_owner = sqs_param_str(ps, "QueueOwnerAWSAccountId");
    return sqs_param_required(ps, "QueueName", &req->queue_name, err);
}

static enum sqs_err decode_list_queues(struct sqs_request *req, const struct sqs_params *ps,
                                       struct sqs_error *err)
{
    req->prefix = sqs_param_str(ps, "QueueNamePrefix");
    return sqs_param_int(ps, "MaxResults", "MaxResults", 1, 1000, &req->max_results, err);
}

static enum sqs_err decode_list_dead_letter_source_queues(struct sqs_request *req,
                                                          const struct sqs_params *ps,
                                                          struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    return sqs_param_int(ps, "MaxResults", "MaxResults", 1, 1000, &req->max_results, err);
}

/* DeleteQueue and PurgeQueue: the queue alone. */
static enum sqs_err decode_queue_url(struct sqs_request *req, const struct sqs_params *ps,
                                     struct sqs_error *err)
{
    return sqs_param_required(ps, "QueueUrl", &req->queue_url, err);
}

static enum sqs_err decode_get_queue_attributes(struct sqs_request *req,
                                                const struct sqs_params *ps, struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    return sqs_param_str_list(req, ps, "AttributeName", &req->names, err);
}

static enum sqs_err decode_set_queue_attributes(struct sqs_request *req,
                                                const struct sqs_params *ps, struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    if ((rc = sqs_param_kv_list(req, ps, "Attribute", "Name", "Value", &req->attributes, err)))
        return rc;
    return req->attributes.n ? SQS_OK : sqs_param_missing(err, "Attribute.1.Name");
}

/* ---- results ------------------------------------------------------------------- */

/* CreateQueue and GetQueueUrl. */
static void result_queue_url(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_str(w, "QueueUrl", r->queue_url);
}

static void result_list_queues(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_str_list(w, "QueueUrl", "QueueUrls", &r->queue_urls, false);
    sqs_write_str(w, "NextToken", r->next_token);
}

static void result_list_dead_letter_source_queues(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_str_list(w, "QueueUrl", "queueUrls", &r->queue_urls, true);
    sqs_write_str(w, "NextToken", r->next_token);
}

static void result_get_queue_attributes(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_map(w, "Attribute", "Name", "Attributes", &r->attributes, false);
}

/* ---- the operations ---------------------------------------------------------- */

const struct sqs_codec sqs_codec_create_queue = {decode_create_queue, result_queue_url, NULL};
const struct sqs_codec sqs_codec_get_queue_url = {decode_get_queue_url, result_queue_url, NULL};
const struct sqs_codec sqs_codec_list_queues = {decode_list_queues, result_list_queues, NULL};
const struct sqs_codec sqs_codec_delete_queue = {decode_queue_url, NULL, NULL};
const struct sqs_codec sqs_codec_get_queue_attributes = {decode_get_queue_attributes,
                                                         result_get_queue_attributes, NULL};
const struct sqs_codec sqs_codec_set_queue_attributes = {decode_set_queue_attributes, NULL, NULL};
const struct sqs_codec sqs_codec_purge_queue = {decode_queue_url, NULL, NULL};
const struct sqs_codec sqs_codec_list_dead_letter_source_queues = {
    decode_list_dead_letter_source_queues, result_list_dead_letter_source_queues, NULL};
