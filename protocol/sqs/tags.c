/* tags: the wire form of TagQueue, UntagQueue and ListQueueTags.
 *
 * Tags travel as Tag.N.Key/Value (JSON: a "Tags" map) and the keys to
 * remove as TagKey.N (JSON: "TagKeys"); a request that names none is
 * MissingParameter. ListQueueTags answers the map. */
#include "protocol/sqs/codec.h"

static enum sqs_err decode_tag_queue(struct sqs_request *req, const struct sqs_params *ps,
                                     struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    if ((rc = sqs_param_kv_list(req, ps, "Tag", "Key", "Value", &req->tags, err)))
        return rc;
    return req->tags.n ? SQS_OK : sqs_param_missing(err, "Tags");
}

static enum sqs_err decode_untag_queue(struct sqs_request *req, const struct sqs_params *ps,
                                       struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    if ((rc = sqs_param_str_list(req, ps, "TagKey", &req->names, err)))
        return rc;
    return req->names.n ? SQS_OK : sqs_param_missing(err, "TagKeys");
}

static enum sqs_err decode_list_queue_tags(struct sqs_request *req, const struct sqs_params *ps,
                                           struct sqs_error *err)
{
    return sqs_param_required(ps, "QueueUrl", &req->queue_url, err);
}

static void result_list_queue_tags(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_map(w, "Tag", "Key", "Tags", &r->tags, false);
}

const struct sqs_codec sqs_codec_tag_queue = {decode_tag_queue, NULL, NULL};
const struct sqs_codec sqs_codec_untag_queue = {decode_untag_queue, NULL, NULL};
const struct sqs_codec sqs_codec_list_queue_tags = {decode_list_queue_tags, result_list_queue_tags,
                                                    NULL};
