/* queues: the SQS engine's queues and their operations (CreateQueue,
 * GetQueueUrl, ListQueues, DeleteQueue, Get/SetQueueAttributes, PurgeQueue,
 * ListDeadLetterSourceQueues), and the frame every operation runs in.
 *
 * Queues live in an array sorted by (account, name), so lookups are binary
 * searches and ListQueues is a range scan. Attributes are validated into a
 * struct queue_settings (AWS's ranges and defaults) and shown back through
 * one formatter, which also decides CreateQueue idempotence: an existing
 * queue is returned only if every given attribute formats the same.
 * sqs_engine_execute() runs the operation's engine_<handler>() (the table
 * of protocol/sqs/operations.h) and, when it fails, drops the change
 * records it made and its partial response. */
#include "storage/sqs/engine_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "protocol/core/json.h"
#include "protocol/core/hex.h"

/* ---- engine lifetime ----------------------------------------------------- */

struct sqs_engine *sqs_engine_new(const struct sqs_engine_config *cfg)
{
    struct sqs_engine *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->cfg = *cfg;
    e->region = strdup(cfg->region ? cfg->region : "us-east-1");
    if (!e->region || getrandom(e->rng, sizeof(e->rng), 0) != (ssize_t)sizeof(e->rng)) {
        free(e->region);
        free(e);
        return NULL;
    }
    e->rng[0] |= 1;
    e->next_seq = 1;
    e->next_queue_id = 1;
    return e;
}

static void settings_free(struct queue_settings *s)
{
    free(s->policy);
    free(s->redrive_policy);
    free(s->redrive_allow_policy);
    free(s->kms_key_id);
    free(s->dlq_arn);
    memset(s, 0, sizeof(*s));
}

static void queue_free(struct sqs_engine *e, struct sqs_queue *q)
{
    queue_drop_messages(e, q);
    msg_heap_free(&q->waiting);
    group_heap_free(&q->groups_ready);
    group_table_free(&q->groups);
    dedup_free(&q->dedup);
    for (size_t i = 0; i < q->n_attempts; i++)
        free(q->attempts[i].id);
    free(q->attempts);
    for (size_t i = 0; i < q->n_tags; i++) {
        free(q->tags[i].key);
        free(q->tags[i].value);
    }
    free(q->tags);
    settings_free(&q->s);
    free(q->account);
    free(q->name);
    free(q->arn);
    free(q);
}

void sqs_engine_free(struct sqs_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n_queues; i++)
        queue_free(e, e->queues[i]);
    free(e->queues);
    msg_table_free(&e->msgs);
    move_tasks_free(e);
    free(e->region);
    free(e);
}

/* ---- lookup ------------------------------------------------------------- */

static int queue_cmp(const char *account, const char *name, const struct sqs_queue *q)
{
    int c = strcmp(account, q->account);
    return c ? c : strcmp(name, q->name);
}

/* Index of the first queue >= (account, name). */
static size_t queue_lower_bound(const struct sqs_engine *e, const char *account, const char *name)
{
    size_t lo = 0, hi = e->n_queues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (queue_cmp(account, name, e->queues[mid]) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct sqs_queue *engine_find_queue(struct sqs_engine *e, const char *account, const char *name)
{
    size_t i = queue_lower_bound(e, account, name);
    return i < e->n_queues && queue_cmp(account, name, e->queues[i]) == 0 ? e->queues[i] : NULL;
}

struct sqs_queue *engine_find_queue_by_arn(struct sqs_engine *e, const char *arn)
{
    /* arn:aws:sqs:<region>:<account>:<name> */
    const char *p = arn;
    for (int i = 0; i < 4 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    if (!p || strncmp(arn, "arn:", 4) != 0)
        return NULL;
    const char *colon = strchr(p, ':');
    if (!colon || colon - p >= 64)
        return NULL;
    char account[64];
    memcpy(account, p, (size_t)(colon - p));
    account[colon - p] = '\0';
    return engine_find_queue(e, account, colon + 1);
}

struct sqs_queue *sqs_engine_queue_by_url(struct sqs_engine *e, const char *url)
{
    char account[64], name[128];
    if (!url || !sqs_parse_queue_url(url, account, sizeof(account), name, sizeof(name)))
        return NULL;
    return engine_find_queue(e, account, name);
}

struct sqs_queue *sqs_engine_queue_named(struct sqs_engine *e, const char *account, const char *name)
{
    return engine_find_queue(e, account, name);
}

struct sqs_queue *engine_request_queue(struct sqs_engine *e, const struct sqs_request *req,
                                       struct sqs_error *err)
{
    struct sqs_queue *q = sqs_engine_queue_by_url(e, req->queue_url);
    if (!q)
        sqs_error_set(err, SQS_ERR_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    return q;
}

int sqs_queue_receive_wait_seconds(const struct sqs_queue *q) { return q->s.receive_wait_s; }
const char *sqs_queue_name(const struct sqs_queue *q) { return q->name; }
const char *sqs_queue_account(const struct sqs_queue *q) { return q->account; }
const char *sqs_queue_arn(const struct sqs_queue *q) { return q->arn; }
const char *sqs_queue_policy(const struct sqs_queue *q) { return q->s.policy && *q->s.policy ? q->s.policy : NULL; }

size_t sqs_queue_visible_count(struct sqs_engine *e, struct sqs_queue *q, int64_t now_ms)
{
    queue_advance(e, q, now_ms, NULL);
    return q->n_visible;
}

bool emit_queue_put(const struct sqs_call *call, const struct sqs_queue *q)
{
    if (!call->changes)
        return true;
    struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_QUEUE_PUT);
    if (!ch)
        return false;
    ch->queue_id = q->id;
    ch->queue = queue_record_of(q);
    if (!ch->queue) {
        call->changes->n--;
        call->changes->oom = true;
        return false;
    }
    return true;
}

/* ---- attributes --------------------------------------------------------- */

static void settings_defaults(struct queue_settings *s, bool fifo)
{
    memset(s, 0, sizeof(*s));
    s->visibility_timeout = 30;
    s->max_message_size = SQS_MAX_PAYLOAD;
    s->retention_s = 345600;
    s->kms_reuse_s = 300;
    s->sse = true;
    s->fifo = fifo;
}

static bool settings_copy(struct queue_settings *dst, const struct queue_settings *src)
{
    *dst = *src;
    dst->policy = dst->redrive_policy = dst->redrive_allow_policy = NULL;
    dst->kms_key_id = dst->dlq_arn = NULL;
    bool ok = (!src->policy || (dst->policy = strdup(src->policy))) &&
              (!src->redrive_policy || (dst->redrive_policy = strdup(src->redrive_policy))) &&
              (!src->redrive_allow_policy ||
               (dst->redrive_allow_policy = strdup(src->redrive_allow_policy))) &&
              (!src->kms_key_id || (dst->kms_key_id = strdup(src->kms_key_id))) &&
              (!src->dlq_arn || (dst->dlq_arn = strdup(src->dlq_arn)));
    if (!ok)
        settings_free(dst);
    return ok;
}

static enum sqs_err bad_value(struct sqs_error *err, const char *name)
{
    return sqs_error_set(err, SQS_ERR_INVALID_ATTRIBUTE_VALUE,
                         "Invalid value for the parameter %s.", name);
}

static bool parse_int_in(const char *v, long min, long max, int *out)
{
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < min || x > max || isspace((unsigned char)*v))
        return false;
    *out = (int)x;
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return false;
    return true;
}

/* Replaces *dst with a copy of v ("" clears it). */
static bool set_string(char **dst, const char *v)
{
    char *copy = NULL;
    if (*v && !(copy = strdup(v)))
        return false;
    free(*dst);
    *dst = copy;
    return true;
}

static bool is_valid_json(const char *v)
{
    const struct json_value *root = json_parse(v, strlen(v), NULL);
    bool ok = root && json_is(root, JSON_OBJECT);
    json_free(root);
    return ok;
}

static enum sqs_err parse_redrive_policy(struct sqs_engine *e, struct queue_settings *s,
                                         const char *v, struct sqs_error *err)
{
    if (!*v) {
        free(s->dlq_arn);
        s->dlq_arn = NULL;
        s->max_receive_count = 0;
        return set_string(&s->redrive_policy, v) ? SQS_OK : oom(err);
    }
    const struct json_value *root = json_parse(v, strlen(v), NULL);
    const struct json_value *arn = json_get(root, "deadLetterTargetArn");
    const struct json_value *max = json_get(root, "maxReceiveCount");
    int64_t max_n = 0;
    if (!json_is(arn, JSON_STRING))
        arn = NULL;
    enum sqs_err rc = SQS_OK;
    int count = 0;
    if (!root || !json_is(root, JSON_OBJECT) || !arn || !max) {
        rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                           "Value %.256s for parameter RedrivePolicy is invalid. Reason: Redrive "
                           "policy is not a valid JSON map.", v);
    } else if (!(json_number_int64(max, &max_n) && max_n >= 1 && max_n <= 1000 &&
                 (count = (int)max_n)) &&
               !(json_is(max, JSON_STRING) && parse_int_in(json_string(max), 1, 1000, &count))) {
        rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                           "Value %.256s for parameter RedrivePolicy is invalid. Reason: Invalid "
                           "value for maxReceiveCount, valid values are from 1 to 1000 both "
                           "inclusive.", v);
    } else {
        struct sqs_queue *dlq = engine_find_queue_by_arn(e, json_string(arn));
        if (!dlq)
            rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                               "Value %.256s for parameter RedrivePolicy is invalid. Reason: "
                               "Dead letter target does not exist.", v);
        else if (dlq->s.fifo != s->fifo)
            rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                               "Value %.256s for parameter RedrivePolicy is invalid. Reason: "
                               "Dead-letter queue must be same type of queue as the source.", v);
        else if (!set_string(&s->dlq_arn, json_string(arn)) ||
                 !set_string(&s->redrive_policy, v))
            rc = oom(err);
        else
            s->max_receive_count = count;
    }
    json_free(root);
    return rc;
}

/* Validates and applies one attribute (read-only and unknown names are
 * InvalidAttributeName, as AWS answers). FifoQueue must match the queue. */
static enum sqs_err apply_attribute(struct sqs_engine *e, struct queue_settings *s,
                                    const char *name, const char *v, struct sqs_error *err)
{
    bool b;
    if (strcmp(name, "VisibilityTimeout") == 0)
        return parse_int_in(v, 0, SQS_MAX_VISIBILITY, &s->visibility_timeout) ? SQS_OK
                                                                                : bad_value(err, name);
    if (strcmp(name, "DelaySeconds") == 0)
        return parse_int_in(v, 0, SQS_MAX_DELAY, &s->delay_seconds) ? SQS_OK : bad_value(err, name);
    if (strcmp(name, "MaximumMessageSize") == 0)
        return parse_int_in(v, 1024, SQS_MAX_PAYLOAD, &s->max_message_size) ? SQS_OK
                                                                             : bad_value(err, name);
    if (strcmp(name, "MessageRetentionPeriod") == 0)
        return parse_int_in(v, 60, 1209600, &s->retention_s) ? SQS_OK : bad_value(err, name);
    if (strcmp(name, "ReceiveMessageWaitTimeSeconds") == 0)
        return parse_int_in(v, 0, SQS_MAX_WAIT, &s->receive_wait_s) ? SQS_OK : bad_value(err, name);
    if (strcmp(name, "KmsDataKeyReusePeriodSeconds") == 0)
        return parse_int_in(v, 60, 86400, &s->kms_reuse_s) ? SQS_OK : bad_value(err, name);
    if (strcmp(name, "Policy") == 0) {
        if (*v && !is_valid_json(v))
            return bad_value(err, name);
        return set_string(&s->policy, v) ? SQS_OK : oom(err);
    }
    if (strcmp(name, "RedriveAllowPolicy") == 0) {
        if (*v && !is_valid_json(v))
            return bad_value(err, name);
        return set_string(&s->redrive_allow_policy, v) ? SQS_OK : oom(err);
    }
    if (strcmp(name, "RedrivePolicy") == 0)
        return parse_redrive_policy(e, s, v, err);
    if (strcmp(name, "KmsMasterKeyId") == 0) {
        if (!set_string(&s->kms_key_id, v))
            return oom(err);
        if (*v)
            s->sse = false;
        return SQS_OK;
    }
    if (strcmp(name, "SqsManagedSseEnabled") == 0) {
        if (!parse_bool(v, &s->sse))
            return bad_value(err, name);
        return SQS_OK;
    }
    if (strcmp(name, "FifoQueue") == 0) {
        if (!parse_bool(v, &b))
            return bad_value(err, name);
        if (b != s->fifo)
            return bad_value(err, name);
        return SQS_OK;
    }
    if (s->fifo && strcmp(name, "ContentBasedDeduplication") == 0)
        return parse_bool(v, &s->content_dedup) ? SQS_OK : bad_value(err, name);
    if (s->fifo && strcmp(name, "DeduplicationScope") == 0) {
        if (strcmp(v, "messageGroup") != 0 && strcmp(v, "queue") != 0)
            return bad_value(err, name);
        s->dedup_scope_group = strcmp(v, "messageGroup") == 0;
        return SQS_OK;
    }
    if (s->fifo && strcmp(name, "FifoThroughputLimit") == 0) {
        if (strcmp(v, "perMessageGroupId") != 0 && strcmp(v, "perQueue") != 0)
            return bad_value(err, name);
        s->throughput_per_group = strcmp(v, "perMessageGroupId") == 0;
        return SQS_OK;
    }
    return sqs_error_set(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %.256s.", name);
}

static enum sqs_err apply_attributes(struct sqs_engine *e, struct queue_settings *s,
                                     const struct sqs_kv_list *attrs, struct sqs_error *err)
{
    for (size_t i = 0; i < attrs->n; i++) {
        enum sqs_err rc = apply_attribute(e, s, attrs->items[i].key, attrs->items[i].value, err);
        if (rc)
            return rc;
    }
    if (s->fifo && s->throughput_per_group && !s->dedup_scope_group)
        return sqs_error_set(err, SQS_ERR_INVALID_ATTRIBUTE_VALUE,
                             "Invalid value for the parameter FifoThroughputLimit. Reason: "
                             "perMessageGroupId is allowed only when DeduplicationScope is "
                             "messageGroup.");
    return SQS_OK;
}

/* Formats one attribute as GetQueueAttributes shows it; NULL if absent. */
static const char *queue_attribute(const struct sqs_queue *q, const struct queue_settings *s,
                                   const char *name, char *buf, size_t size)
{
#define INT_ATTR(n, v) if (strcmp(name, n) == 0) { snprintf(buf, size, "%lld", (long long)(v)); return buf; }
    INT_ATTR("VisibilityTimeout", s->visibility_timeout)
    INT_ATTR("DelaySeconds", s->delay_seconds)
    INT_ATTR("MaximumMessageSize", s->max_message_size)
    INT_ATTR("MessageRetentionPeriod", s->retention_s)
    INT_ATTR("ReceiveMessageWaitTimeSeconds", s->receive_wait_s)
    if (q) {
        INT_ATTR("ApproximateNumberOfMessages", q->n_visible)
        INT_ATTR("ApproximateNumberOfMessagesNotVisible", q->n_inflight)
        INT_ATTR("ApproximateNumberOfMessagesDelayed", q->n_delayed)
        INT_ATTR("CreatedTimestamp", q->created_ms / 1000)
        INT_ATTR("LastModifiedTimestamp", q->modified_ms / 1000)
        if (strcmp(name, "QueueArn") == 0)
            return q->arn;
    }
#undef INT_ATTR
    if (strcmp(name, "SqsManagedSseEnabled") == 0)
        return s->sse ? "true" : "false";
    if (strcmp(name, "Policy") == 0)
        return s->policy;
    if (strcmp(name, "RedrivePolicy") == 0)
        return s->redrive_policy;
    if (strcmp(name, "RedriveAllowPolicy") == 0)
        return s->redrive_allow_policy;
    if (strcmp(name, "KmsMasterKeyId") == 0)
        return s->kms_key_id;
    if (strcmp(name, "KmsDataKeyReusePeriodSeconds") == 0 && s->kms_key_id) {
        snprintf(buf, size, "%d", s->kms_reuse_s);
        return buf;
    }
    if (!s->fifo)
        return NULL;
    if (strcmp(name, "FifoQueue") == 0)
        return "true";
    if (strcmp(name, "ContentBasedDeduplication") == 0)
        return s->content_dedup ? "true" : "false";
    if (strcmp(name, "DeduplicationScope") == 0)
        return s->dedup_scope_group ? "messageGroup" : "queue";
    if (strcmp(name, "FifoThroughputLimit") == 0)
        return s->throughput_per_group ? "perMessageGroupId" : "perQueue";
    return NULL;
}

static const char *const all_attributes[] = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp", "DelaySeconds",
    "LastModifiedTimestamp", "MaximumMessageSize", "MessageRetentionPeriod", "QueueArn",
    "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "SqsManagedSseEnabled", "Policy",
    "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
    "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
};

static bool is_known_attribute(const char *name)
{
    for (size_t i = 0; i < sizeof(all_attributes) / sizeof(all_attributes[0]); i++)
        if (strcmp(name, all_attributes[i]) == 0)
            return true;
    return false;
}

/* ---- queue creation ---------------------------------------------------------- */

static bool queue_name_is_valid(const char *name, bool fifo)
{
    size_t len = strlen(name);
    size_t base = len;
    if (fifo) {
        if (len < 5 || strcmp(name + len - 5, ".fifo") != 0)
            return false;
        base -= 5;
    }
    if (len == 0 || len > 80 || base == 0)
        return false;
    for (size_t i = 0; i < base; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
            return false;
    return true;
}

static char *queue_url(struct arena *a, const struct sqs_call *call, const struct sqs_queue *q)
{
    size_t len = strlen(call->endpoint) + strlen(q->account) + strlen(q->name) + 3;
    char *url = arena_alloc(a, len);
    if (url)
        snprintf(url, len, "%s/%s/%s", call->endpoint, q->account, q->name);
    return url;
}

static struct sqs_queue *queue_new(struct sqs_engine *e, const char *account, const char *name)
{
    struct sqs_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    size_t arn_len = strlen(e->region) + strlen(account) + strlen(name) + 16;
    q->account = strdup(account);
    q->name = strdup(name);
    q->arn = malloc(arn_len);
    if (!q->account || !q->name || !q->arn) {
        free(q->account);
        free(q->name);
        free(q->arn);
        free(q);
        return NULL;
    }
    snprintf(q->arn, arn_len, "arn:aws:sqs:%s:%s:%s", e->region, account, name);
    return q;
}

static bool queue_insert(struct sqs_engine *e, struct sqs_queue *q)
{
    if (e->n_queues == e->cap_queues) {
        size_t cap = e->cap_queues ? e->cap_queues * 2 : 16;
        struct sqs_queue **grown = realloc(e->queues, cap * sizeof(*grown));
        if (!grown)
            return false;
        e->queues = grown;
        e->cap_queues = cap;
    }
    size_t i = queue_lower_bound(e, q->account, q->name);
    memmove(&e->queues[i + 1], &e->queues[i], (e->n_queues - i) * sizeof(*e->queues));
    e->queues[i] = q;
    e->n_queues++;
    return true;
}

enum sqs_err engine_create_queue(struct sqs_engine *e, const struct sqs_call *call,
                                 const struct sqs_request *req, struct sqs_response *resp,
                                 struct sqs_error *err)
{
    bool fifo = false;
    for (size_t i = 0; i < req->attributes.n; i++)
        if (strcmp(req->attributes.items[i].key, "FifoQueue") == 0 &&
            !parse_bool(req->attributes.items[i].value, &fifo))
            return bad_value(err, "FifoQueue");
    size_t len = strlen(req->queue_name);
    bool fifo_name = len >= 5 && strcmp(req->queue_name + len - 5, ".fifo") == 0;
    if (fifo != fifo_name || !queue_name_is_valid(req->queue_name, fifo))
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             fifo || fifo_name
                                 ? "The name of a FIFO queue can only include alphanumeric "
                                   "characters, hyphens, or underscores, must end with .fifo "
                                   "suffix and be 1 to 80 in length."
                                 : "Can only include alphanumeric characters, hyphens, or "
                                   "underscores. 1 to 80 in length");
    struct queue_settings s;
    settings_defaults(&s, fifo);
    enum sqs_err rc = apply_attributes(e, &s, &req->attributes, err);
    if (!rc)
        rc = check_tags(NULL, &req->tags, err);
    if (rc) {
        settings_free(&s);
        return rc;
    }
    struct sqs_queue *q = engine_find_queue(e, call->account, req->queue_name);
    if (q) {
        for (size_t i = 0; i < req->attributes.n && !rc; i++) {
            char a[32], b[32];
            const char *name = req->attributes.items[i].key;
            const char *want = queue_attribute(NULL, &s, name, a, sizeof(a));
            const char *have = queue_attribute(NULL, &q->s, name, b, sizeof(b));
            if (strcmp(want ? want : "", have ? have : "") != 0)
                rc = sqs_error_set(err, SQS_ERR_QUEUE_ALREADY_EXISTS,
                                   "A queue already exists with the same name and a different "
                                   "value for attribute %s", name);
        }
        settings_free(&s);
        if (rc)
            return rc;
        resp->queue_url = queue_url(&resp->arena, call, q);
        return resp->queue_url ? SQS_OK : oom(err);
    }
    q = queue_new(e, call->account, req->queue_name);
    if (!q) {
        settings_free(&s);
        return oom(err);
    }
    q->s = s;
    q->id = e->next_queue_id++;
    q->created_ms = q->modified_ms = call->now_ms;
    if (!set_tags(q, &req->tags) || !queue_insert(e, q)) {
        queue_free(e, q);
        return oom(err);
    }
    if (!emit_queue_put(call, q)) {
        size_t i = queue_lower_bound(e, q->account, q->name);
        memmove(&e->queues[i], &e->queues[i + 1], (e->n_queues - i - 1) * sizeof(*e->queues));
        e->n_queues--;
        queue_free(e, q);
        return oom(err);
    }
    resp->queue_url = queue_url(&resp->arena, call, q);
    return resp->queue_url ? SQS_OK : oom(err);
}

/* ---- URLs: ListQueues, ListDeadLetterSourceQueues, GetQueueUrl -------------- */

/* Pages through `urls` candidates: those selected by `match`, after the
 * token (the hex of the last name returned). */
static enum sqs_err list_urls(struct sqs_engine *e, const struct sqs_call *call,
                              const struct sqs_request *req, struct sqs_response *resp,
                              const char *account, const char *prefix, const char *dlq_arn,
                              struct sqs_error *err)
{
    char after[256] = "";
    if (req->next_token) {
        long n = hex_decode(req->next_token, strlen(req->next_token), (unsigned char *)after,
                            sizeof(after) - 1);
        if (n < 0 || memchr(after, '\0', (size_t)n))
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE, "Invalid NextToken value.");
        after[n] = '\0';
    }
    size_t limit = req->max_results > 0 ? (size_t)req->max_results : 1000;
    size_t start = queue_lower_bound(e, account, after);
    resp->queue_urls.items = arena_alloc(&resp->arena, (limit + 1) * sizeof(char *));
    if (!resp->queue_urls.items)
        return oom(err);
    const struct sqs_queue *last = NULL;
    for (size_t i = start; i < e->n_queues; i++) {
        const struct sqs_queue *q = e->queues[i];
        if (strcmp(q->account, account) != 0)
            break;
        if (strcmp(q->name, after) <= 0 && *after)
            continue;
        if (prefix && strncmp(q->name, prefix, strlen(prefix)) != 0)
            continue;
        if (dlq_arn && !(q->s.dlq_arn && strcmp(q->s.dlq_arn, dlq_arn) == 0))
            continue;
        if (resp->queue_urls.n == limit) {
            if (req->max_results > 0 && last) {
                /* Queue names are at most 80 characters. */
                char token[2 * 80 + 1];
                size_t name_len = strlen(last->name);
                hex_encode((const unsigned char *)last->name, name_len < 80 ? name_len : 80, token);
                resp->next_token = arena_strdup(&resp->arena, token);
            }
            break;
        }
        char *url = queue_url(&resp->arena, call, q);
        if (!url)
            return oom(err);
        resp->queue_urls.items[resp->queue_urls.n++] = url;
        last = q;
    }
    return resp->arena.failed ? oom(err) : SQS_OK;
}

enum sqs_err engine_list_queues(struct sqs_engine *e, const struct sqs_call *call,
                                const struct sqs_request *req, struct sqs_response *resp,
                                struct sqs_error *err)
{
    return list_urls(e, call, req, resp, call->account, req->prefix, NULL, err);
}

enum sqs_err engine_list_dead_letter_source_queues(struct sqs_engine *e, const struct sqs_call *call,
                                                   const struct sqs_request *req,
                                                   struct sqs_response *resp, struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    return list_urls(e, call, req, resp, q->account, NULL, q->arn, err);
}

enum sqs_err engine_get_queue_url(struct sqs_engine *e, const struct sqs_call *call,
                                  const struct sqs_request *req, struct sqs_response *resp,
                                  struct sqs_error *err)
{
    struct sqs_queue *q = engine_find_queue(e, req->queue_owner ? req->queue_owner : call->account,
                                            req->queue_name);
    if (!q)
        return sqs_error_set(err, SQS_ERR_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    resp->queue_url = queue_url(&resp->arena, call, q);
    return resp->queue_url ? SQS_OK : oom(err);
}

/* ---- GetQueueAttributes, SetQueueAttributes ---------------------------------- */

enum sqs_err engine_get_queue_attributes(struct sqs_engine *e, const struct sqs_call *call,
                                         const struct sqs_request *req, struct sqs_response *resp,
                                         struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    const size_t n_all = sizeof(all_attributes) / sizeof(all_attributes[0]);
    bool all = false;
    for (size_t i = 0; i < req->names.n; i++) {
        if (strcmp(req->names.items[i], "All") == 0)
            all = true;
        else if (!is_known_attribute(req->names.items[i]))
            return sqs_error_set(err, SQS_ERR_INVALID_ATTRIBUTE_NAME, "Unknown Attribute %.256s.",
                                 req->names.items[i]);
    }
    queue_advance(e, q, call->now_ms, call->changes);
    size_t cap = all ? n_all : req->names.n;
    resp->attributes.items = arena_alloc(&resp->arena, (cap + 1) * sizeof(struct sqs_kv));
    if (!resp->attributes.items)
        return oom(err);
    for (size_t i = 0; i < cap; i++) {
        const char *name = all ? all_attributes[i] : req->names.items[i];
        bool seen = false;
        for (size_t j = 0; j < resp->attributes.n; j++)
            seen |= strcmp(resp->attributes.items[j].key, name) == 0;
        char buf[32];
        const char *v = queue_attribute(q, &q->s, name, buf, sizeof(buf));
        if (!v || seen)
            continue;
        struct sqs_kv *kv = &resp->attributes.items[resp->attributes.n++];
        kv->key = arena_strdup(&resp->arena, name);
        kv->value = arena_strdup(&resp->arena, v);
    }
    return resp->arena.failed ? oom(err) : SQS_OK;
}

enum sqs_err engine_set_queue_attributes(struct sqs_engine *e, const struct sqs_call *call,
                                         const struct sqs_request *req, struct sqs_response *resp,
                                         struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    for (size_t i = 0; i < req->attributes.n; i++)
        if (strcmp(req->attributes.items[i].key, "FifoQueue") == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_ATTRIBUTE_NAME,
                                 "Unknown Attribute FifoQueue.");
    struct queue_settings s;
    if (!settings_copy(&s, &q->s))
        return oom(err);
    enum sqs_err rc = apply_attributes(e, &s, &req->attributes, err);
    if (!rc && s.dlq_arn && strcmp(s.dlq_arn, q->arn) == 0)
        rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                           "Value %s for parameter RedrivePolicy is invalid. Reason: A queue "
                           "cannot be its own dead letter queue.", s.redrive_policy);
    if (rc) {
        settings_free(&s);
        return rc;
    }
    struct queue_settings old = q->s;
    int64_t old_modified = q->modified_ms;
    q->s = s;
    q->modified_ms = call->now_ms;
    if (!emit_queue_put(call, q)) {
        q->s = old;
        q->modified_ms = old_modified;
        settings_free(&s);
        return oom(err);
    }
    settings_free(&old);
    return SQS_OK;
}

/* ---- deletion and purge ---------------------------------------------------------- */

enum sqs_err engine_delete_queue(struct sqs_engine *e, const struct sqs_call *call,
                                 const struct sqs_request *req, struct sqs_response *resp,
                                 struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    if (call->changes) {
        struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_QUEUE_DELETE);
        if (!ch)
            return oom(err);
        ch->queue_id = q->id;
    }
    if (e->cfg.on_queue_deleted)
        e->cfg.on_queue_deleted(e->cfg.ud, q);
    size_t i = queue_lower_bound(e, q->account, q->name);
    memmove(&e->queues[i], &e->queues[i + 1], (e->n_queues - i - 1) * sizeof(*e->queues));
    e->n_queues--;
    queue_free(e, q);
    return SQS_OK;
}

enum sqs_err engine_purge_queue(struct sqs_engine *e, const struct sqs_call *call,
                                const struct sqs_request *req, struct sqs_response *resp,
                                struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    if (q->last_purge_ms && call->now_ms - q->last_purge_ms < PURGE_INTERVAL_MS)
        return sqs_error_set(err, SQS_ERR_PURGE_IN_PROGRESS,
                             "Only one PurgeQueue operation on %s is allowed every 60 seconds.",
                             q->name);
    if (call->changes) {
        struct sqs_change *ch = change_add(call->changes, SQS_CHANGE_QUEUE_PURGE);
        if (!ch)
            return oom(err);
        ch->queue_id = q->id;
        ch->seq = e->next_seq - 1;
    }
    int64_t old = q->last_purge_ms;
    q->last_purge_ms = call->now_ms;
    if (!emit_queue_put(call, q)) {
        q->last_purge_ms = old;
        return oom(err);
    }
    queue_drop_messages(e, q);
    return SQS_OK;
}

/* ---- the frame of every operation ---------------------------------------------- */

#define ENGINE_OPERATION(name, family, action, access, handler) engine_##handler,
static engine_operation *const operations[SQS_OP_COUNT] = {SQS_OPERATIONS(ENGINE_OPERATION)};

enum sqs_err sqs_engine_execute(struct sqs_engine *e, const struct sqs_call *call,
                                const struct sqs_request *req, struct sqs_response *resp,
                                struct sqs_error *err)
{
    sqs_response_init(resp, req->op);
    memset(err, 0, sizeof(*err));
    size_t changes_before = call->changes ? call->changes->n : 0;
    enum sqs_err rc = (unsigned)req->op < SQS_OP_COUNT
                          ? operations[req->op](e, call, req, resp, err)
                          : sqs_error_set(err, SQS_ERR_INTERNAL, "Operation not handled.");
    if (rc == SQS_OK && call->changes && call->changes->oom)
        rc = oom(err);
    if (rc != SQS_OK) {
        if (call->changes) {
            size_t keep = call->changes->n;
            call->changes->n = changes_before;
            struct sqs_changes tail = {call->changes->items + changes_before,
                                       keep - changes_before, keep - changes_before, false};
            sqs_changes_clear(&tail);
            call->changes->oom = false;
        }
        sqs_response_free(resp);
        sqs_response_init(resp, req->op);
    }
    return rc;
}

/* ---- start-up ------------------------------------------------------------- */

enum sqs_err sqs_engine_load_queue(struct sqs_engine *e, const struct sqs_queue_record *rec,
                                   struct sqs_error *err)
{
    if (engine_find_queue(e, rec->account, rec->name))
        return sqs_error_set(err, SQS_ERR_QUEUE_ALREADY_EXISTS, "Queue %s loaded twice.", rec->name);
    size_t len = strlen(rec->name);
    bool fifo = len >= 5 && strcmp(rec->name + len - 5, ".fifo") == 0;
    struct sqs_queue *q = queue_new(e, rec->account, rec->name);
    if (!q)
        return oom(err);
    settings_defaults(&q->s, fifo);
    struct sqs_kv_list attrs = {rec->attrs, rec->n_attrs};
    struct sqs_kv_list tags = {rec->tags, rec->n_tags};
    /* A RedrivePolicy may name a queue loaded later: keep it unchecked. */
    enum sqs_err rc = SQS_OK;
    for (size_t i = 0; i < attrs.n && !rc; i++) {
        if (strcmp(attrs.items[i].key, "RedrivePolicy") == 0)
            continue;
        rc = apply_attribute(e, &q->s, attrs.items[i].key, attrs.items[i].value, err);
    }
    for (size_t i = 0; i < attrs.n && !rc; i++) {
        if (strcmp(attrs.items[i].key, "RedrivePolicy") != 0)
            continue;
        const char *value = attrs.items[i].value;
        const struct json_value *root = json_parse(value, strlen(value), NULL);
        const struct json_value *arn = json_get(root, "deadLetterTargetArn");
        const struct json_value *max = json_get(root, "maxReceiveCount");
        int64_t max_n;
        int count = 0;
        if (!json_is(arn, JSON_STRING))
            arn = NULL;
        if (json_number_int64(max, &max_n))
            count = (int)max_n;
        else if (max && json_is(max, JSON_STRING))
            parse_int_in(json_string(max), 1, 1000, &count);
        if (arn && count > 0) {
            if (!set_string(&q->s.dlq_arn, json_string(arn)) ||
                !set_string(&q->s.redrive_policy, attrs.items[i].value))
                rc = oom(err);
            q->s.max_receive_count = count;
        }
        json_free(root);
    }
    if (rc || !set_tags(q, &tags) || !queue_insert(e, q)) {
        queue_free(e, q);
        return rc ? rc : oom(err);
    }
    q->id = rec->id;
    q->created_ms = rec->created_ms;
    q->modified_ms = rec->modified_ms;
    q->last_purge_ms = rec->last_purge_ms;
    if (rec->id >= e->next_queue_id)
        e->next_queue_id = rec->id + 1;
    return SQS_OK;
}
