/* tags: a queue's tags (TagQueue, UntagQueue, ListQueueTags, and
 * CreateQueue's tags).
 *
 * A queue keeps its tags as an unsorted array of key/value pairs: setting
 * an existing key replaces its value, untagging swaps the last pair into
 * the hole. At most 50 tags a queue, keys 1 to 128 characters and not
 * "aws:"-prefixed, values up to 256. Every change records the queue
 * (emit_queue_put), tags included. */
#include "storage/sqs/engine_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_TAGS 50

bool set_tags(struct sqs_queue *q, const struct sqs_kv_list *tags)
{
    for (size_t i = 0; i < tags->n; i++) {
        size_t j = 0;
        while (j < q->n_tags && strcmp(q->tags[j].key, tags->items[i].key) != 0)
            j++;
        char *value = strdup(tags->items[i].value);
        if (!value)
            return false;
        if (j < q->n_tags) {
            free(q->tags[j].value);
            q->tags[j].value = value;
            continue;
        }
        struct sqs_kv *grown = realloc(q->tags, (q->n_tags + 1) * sizeof(*grown));
        char *key = strdup(tags->items[i].key);
        if (grown)
            q->tags = grown;
        if (!grown || !key) {
            free(key);
            free(value);
            return false;
        }
        q->tags[q->n_tags].key = key;
        q->tags[q->n_tags].value = value;
        q->n_tags++;
    }
    return true;
}

enum sqs_err check_tags(const struct sqs_queue *q, const struct sqs_kv_list *tags,
                        struct sqs_error *err)
{
    size_t total = q ? q->n_tags : 0;
    for (size_t i = 0; i < tags->n; i++) {
        size_t klen = strlen(tags->items[i].key), vlen = strlen(tags->items[i].value);
        if (klen == 0 || klen > 128 || vlen > 256 || strncmp(tags->items[i].key, "aws:", 4) == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "Tag key or value is invalid: %.128s.", tags->items[i].key);
        total++;
    }
    if (total > MAX_TAGS)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Too many tags added for queue %s.", q ? q->name : "");
    return SQS_OK;
}

enum sqs_err engine_tag_queue(struct sqs_engine *e, const struct sqs_call *call,
                              const struct sqs_request *req, struct sqs_response *resp,
                              struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    enum sqs_err rc = check_tags(q, &req->tags, err);
    if (rc)
        return rc;
    if (!set_tags(q, &req->tags) || !emit_queue_put(call, q))
        return oom(err);
    return SQS_OK;
}

enum sqs_err engine_untag_queue(struct sqs_engine *e, const struct sqs_call *call,
                                const struct sqs_request *req, struct sqs_response *resp,
                                struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    for (size_t i = 0; i < req->names.n; i++) {
        for (size_t j = 0; j < q->n_tags; j++) {
            if (strcmp(q->tags[j].key, req->names.items[i]) != 0)
                continue;
            free(q->tags[j].key);
            free(q->tags[j].value);
            q->tags[j] = q->tags[--q->n_tags];
            break;
        }
    }
    return emit_queue_put(call, q) ? SQS_OK : oom(err);
}

enum sqs_err engine_list_queue_tags(struct sqs_engine *e, const struct sqs_call *call,
                                    const struct sqs_request *req, struct sqs_response *resp,
                                    struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    resp->tags.items = arena_alloc(&resp->arena, (q->n_tags + 1) * sizeof(struct sqs_kv));
    if (!resp->tags.items)
        return oom(err);
    for (size_t i = 0; i < q->n_tags; i++) {
        resp->tags.items[i].key = arena_strdup(&resp->arena, q->tags[i].key);
        resp->tags.items[i].value = arena_strdup(&resp->arena, q->tags[i].value);
    }
    resp->tags.n = q->n_tags;
    return resp->arena.failed ? oom(err) : SQS_OK;
}
