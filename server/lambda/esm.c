/* lambda_esm: SQS event source mappings — the API (Create/Get/List/Update/
 * DeleteEventSourceMapping, and ListTags / TagResource / UntagResource on a
 * mapping's ARN), the mappings in memory and their durable documents. The
 * pollers that feed functions batches from them are esm_poller.c.
 *
 * A mapping lives in memory (a list in creation order) and as a JSON
 * document (storage/lambda/esm.c keeps it), written through the store's
 * commit thread; a change is answered once durable. Create answers State
 * "Creating", Update "Updating" (or "Enabling" / "Disabling") and Delete
 * "Deleting", as AWS does; the mapping settles to Enabled / Disabled (or is
 * gone) as soon as the answer is out. Settings are checked as AWS checks
 * them: the function must exist, the queue too, with a visibility timeout
 * no shorter than the function's timeout, and one mapping per queue and
 * function; fields only stream and Kafka sources take are refused. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "server/core/log.h"
#include "server/core/server.h"
#include "server/lambda/esm.h"
#include "server/sqs/entry.h"
#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

#define DEFAULT_BATCH 10
#define MAX_BATCH 10000
#define MAX_WINDOW_S 300
#define MAX_CONCURRENCY_LIMIT 1000
#define LIST_DEFAULT 100

/* ---- mappings ----------------------------------------------------------------------- */

void esm_mapping_free(struct esm_mapping *m)
{
    if (!m)
        return;
    free(m->function);
    free(m->qualifier);
    free(m->queue_arn);
    lambda_kvs_free(m->tags, m->n_tags);
    free(m);
}

static void format_function_arn(struct lambda_esm *esm, const struct esm_mapping *m, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:lambda:%s:%s:function:%s%s%s", esm->svc->srv->cfg->region, m->account,
             m->function, m->qualifier ? ":" : "", m->qualifier ? m->qualifier : "");
}

/* ---- storage ------------------------------------------------------------------------ */

static void write_document(struct json_writer *w, const struct esm_mapping *m)
{
    jw_object_open(w, NULL);
    jw_string(w, "FunctionName", m->function);
    jw_string_opt(w, "Qualifier", m->qualifier);
    jw_string(w, "EventSourceArn", m->queue_arn);
    jw_int(w, "BatchSize", m->batch_size);
    jw_int(w, "MaximumBatchingWindowInSeconds", m->window_s);
    jw_bool(w, "ReportBatchItemFailures", m->report_failures);
    jw_int(w, "MaximumConcurrency", m->max_concurrency);
    jw_bool(w, "Enabled", m->enabled);
    jw_int(w, "LastModified", m->modified_ms);
    jw_object_open(w, "Tags");
    for (size_t i = 0; i < m->n_tags; i++)
        jw_string(w, m->tags[i].key, m->tags[i].value);
    jw_object_close(w);
    jw_object_close(w);
}

struct persist_job {
    char uuid[37];
    char account[13];
    char *doc;                     /* NULL: delete */
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_persist(struct store_conn *writer, void *arg)
{
    struct persist_job *j = arg;
    enum lambda_storage_err err = j->doc ? lambda_mappings_put(writer, j->uuid, j->account, j->doc)
                                         : lambda_mappings_delete(writer, j->uuid, j->account);
    return err == LAMBDA_STORAGE_OK ? 0 : -1;
}

static void persist_done(void *arg, bool ok)
{
    struct persist_job *j = arg;
    if (!ok)
        log_error("lambda: could not store event source mapping %s", j->uuid);
    j->done(j->arg, ok);
    free(j->doc);
    free(j);
}

/* Writes the mapping (or its deletion); done(arg, ok) once durable. */
static int persist(struct lambda_esm *esm, const struct esm_mapping *m, bool deleted, void (*done)(void *arg, bool ok),
                   void *arg)
{
    struct persist_job *j = calloc(1, sizeof(*j));
    if (!j)
        return -1;
    memcpy(j->uuid, m->uuid, sizeof(j->uuid));
    memcpy(j->account, m->account, sizeof(j->account));
    j->done = done;
    j->arg = arg;
    if (!deleted) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        write_document(&w, m);
        if (strbuf_failed(&sb)) {
            strbuf_free(&sb);
            free(j);
            return -1;
        }
        j->doc = strbuf_detach(&sb, NULL);
    }
    if (store_submit(esm->svc->srv->store, apply_persist, persist_done, j) < 0) {
        free(j->doc);
        free(j);
        return -1;
    }
    return 0;
}

/* Sets or replaces the tags of an object {"key": "value"}; -1 on ENOMEM. */
static int merge_tags(struct esm_mapping *m, const struct json_value *tags)
{
    for (size_t i = 0; tags && json_is(tags, JSON_OBJECT) && i < tags->len; i++) {
        const char *key = tags->u.members[i].key, *value = json_string(&tags->u.members[i].value);
        if (!value)
            continue;
        char *v = strdup(value);
        if (!v)
            return -1;
        size_t k = 0;
        while (k < m->n_tags && strcmp(m->tags[k].key, key) != 0)
            k++;
        if (k < m->n_tags) {
            free(m->tags[k].value);
            m->tags[k].value = v;
            continue;
        }
        struct lambda_kv *grown = realloc(m->tags, (m->n_tags + 1) * sizeof(*grown));
        char *kcopy = strdup(key);
        if (grown)
            m->tags = grown;
        if (!grown || !kcopy) {
            free(v);
            free(kcopy);
            return -1;
        }
        m->tags[m->n_tags].key = kcopy;
        m->tags[m->n_tags].value = v;
        m->n_tags++;
    }
    return 0;
}

static struct esm_mapping *load_mapping(const char *uuid, const char *account, const char *text)
{
    const struct json_value *doc = json_parse(text, strlen(text), NULL);
    const char *function = json_str(doc, "FunctionName"), *queue = json_str(doc, "EventSourceArn");
    const char *qualifier = json_str(doc, "Qualifier");
    struct esm_mapping *m = function && queue && strlen(uuid) == 36 && strlen(account) == 12 ? calloc(1, sizeof(*m)) : NULL;
    if (m) {
        memcpy(m->uuid, uuid, 37);
        memcpy(m->account, account, 13);
        m->function = strdup(function);
        m->queue_arn = strdup(queue);
        m->qualifier = qualifier ? strdup(qualifier) : NULL;
        int64_t n;
        m->batch_size = json_int(doc, "BatchSize", &n) == 1 ? (int)n : DEFAULT_BATCH;
        m->window_s = json_int(doc, "MaximumBatchingWindowInSeconds", &n) == 1 ? (int)n : 0;
        m->max_concurrency = json_int(doc, "MaximumConcurrency", &n) == 1 ? (int)n : 0;
        m->modified_ms = json_int(doc, "LastModified", &n) == 1 ? n : 0;
        if (json_bool(doc, "ReportBatchItemFailures", &m->report_failures) != 1)
            m->report_failures = false;
        if (json_bool(doc, "Enabled", &m->enabled) != 1)
            m->enabled = true;
        if (!m->function || !m->queue_arn || (qualifier && !m->qualifier) || merge_tags(m, json_get(doc, "Tags")) < 0) {
            esm_mapping_free(m);
            m = NULL;
        }
    }
    json_free(doc);
    return m;
}

static void append(struct lambda_esm *esm, struct esm_mapping *m)
{
    struct esm_mapping **tail = &esm->mappings;
    while (*tail)
        tail = &(*tail)->next;
    m->next = NULL;
    *tail = m;
}

static int load_one(void *arg, const char *uuid, const char *account, const char *doc)
{
    struct lambda_esm *esm = arg;
    struct esm_mapping *m = uuid && account && doc ? load_mapping(uuid, account, doc) : NULL;
    if (!m) {
        log_error("lambda: cannot load event source mapping %s; skipped", uuid ? uuid : "?");
        return 0;
    }
    append(esm, m);
    return 0;
}

static int load_mappings(struct lambda_esm *esm, char *err, size_t errlen)
{
    return lambda_mappings_load(store_reader(esm->svc->srv->store), load_one, esm, err, errlen) == LAMBDA_STORAGE_OK
               ? 0 : -1;
}

/* ---- the API ------------------------------------------------------------------------ */

struct esm_call {
    struct lambda_esm *esm;
    struct http_req *req;
    struct esm_mapping *m;
    int status;
    bool deleting;
    /* Update: the settings before, restored when the write fails. */
    struct esm_mapping before;
};

static void fail(struct http_req *req, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct http_req *req, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lambda_send_error_message(req, status, type, msg);
}

static void not_found(struct http_req *req)
{
    fail(req, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
}

static const char *state_of(const struct esm_mapping *m)
{
    return m->transition ? m->transition : m->enabled ? "Enabled" : "Disabled";
}

static void write_config(struct lambda_esm *esm, struct json_writer *w, const struct esm_mapping *m)
{
    char arn[600], modified[40];
    jw_object_open(w, NULL);
    jw_string(w, "UUID", m->uuid);
    jw_int(w, "BatchSize", m->batch_size);
    jw_int(w, "MaximumBatchingWindowInSeconds", m->window_s);
    jw_string(w, "EventSourceArn", m->queue_arn);
    format_function_arn(esm, m, arn, sizeof(arn));
    jw_string(w, "FunctionArn", arn);
    int len = snprintf(modified, sizeof(modified), "%" PRId64 ".%03d", m->modified_ms / 1000,
                       (int)(m->modified_ms % 1000));
    jw_raw(w, "LastModified", modified, (size_t)len);
    jw_string(w, "State", state_of(m));
    jw_string(w, "StateTransitionReason", "USER_INITIATED");
    jw_array_open(w, "FunctionResponseTypes");
    if (m->report_failures)
        jw_string(w, NULL, "ReportBatchItemFailures");
    jw_array_close(w);
    if (m->max_concurrency) {
        jw_object_open(w, "ScalingConfig");
        jw_int(w, "MaximumConcurrency", m->max_concurrency);
        jw_object_close(w);
    }
    snprintf(arn, sizeof(arn), "arn:aws:lambda:%s:%s:event-source-mapping:%s", esm->svc->srv->cfg->region,
             m->account, m->uuid);
    jw_string(w, "EventSourceMappingArn", arn);
    jw_object_close(w);
}

static void answer_mapping(struct lambda_esm *esm, struct http_req *req, int status, const struct esm_mapping *m)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    write_config(esm, &w, m);
    lambda_send_json(req, status, &sb);
    strbuf_free(&sb);
}

static struct esm_mapping *find_mapping(struct lambda_esm *esm, const char *account, const char *uuid)
{
    for (struct esm_mapping *m = esm->mappings; m; m = m->next)
        if (strcmp(m->uuid, uuid) == 0 && strcmp(m->account, account) == 0)
            return m;
    return NULL;
}

static void unlink_mapping(struct lambda_esm *esm, struct esm_mapping *m)
{
    for (struct esm_mapping **p = &esm->mappings; *p; p = &(*p)->next) {
        if (*p == m) {
            *p = m->next;
            return;
        }
    }
}

/* FunctionName as a name, name:qualifier, or a (partial) function ARN. */
static int split_function(const char *in, char **name, char **qualifier)
{
    const char *p = strstr(in, ":function:");
    if (p)
        p += 10;
    else if (strncmp(in, "function:", 9) == 0)
        p = in + 9;
    else
        p = in;
    const char *colon = strchr(p, ':');
    *name = colon ? strndup(p, (size_t)(colon - p)) : strdup(p);
    *qualifier = colon && colon[1] ? strdup(colon + 1) : NULL;
    if (!*name || (colon && colon[1] && !*qualifier)) {
        free(*name);
        free(*qualifier);
        return -1;
    }
    return 0;
}

static bool validation_error(struct http_req *req, const char *field, int64_t value, int64_t lo, int64_t hi)
{
    if (value >= lo && value <= hi)
        return false;
    fail(req, 400, "ValidationException",
         "1 validation error detected: Value '%" PRId64 "' at '%s' failed to satisfy constraint: Member must have value %s %" PRId64,
         value, field, value < lo ? "greater than or equal to" : "less than or equal to", value < lo ? lo : hi);
    return true;
}

/* Fields AWS accepts only for stream and Kafka sources. */
static const char *const stream_only[] = {
    "StartingPosition", "StartingPositionTimestamp", "ParallelizationFactor", "BisectBatchOnFunctionError",
    "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TumblingWindowInSeconds", "DestinationConfig",
    "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig", "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig",
};

/* Fields valid for SQS that cloudless does not implement. */
static const char *const unimplemented[] = {
    "FilterCriteria", "KMSKeyArn", "MetricsConfig", "LoggingConfig", "ProvisionedPollerConfig",
};

static bool refuses_fields(struct http_req *req, const struct json_value *body)
{
    for (size_t i = 0; i < sizeof(stream_only) / sizeof(stream_only[0]); i++) {
        const struct json_value *v = json_get(body, stream_only[i]);
        if (v && !json_is(v, JSON_NULL)) {
            fail(req, 400, "InvalidParameterValueException", "Unsupported %s parameter for given event source mapping type.",
                 stream_only[i]);
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(unimplemented) / sizeof(unimplemented[0]); i++) {
        const struct json_value *v = json_get(body, unimplemented[i]);
        if (v && !json_is(v, JSON_NULL) && !(json_is(v, JSON_OBJECT) && v->len == 0)) {
            fail(req, 501, "NotImplementedException", "%s is not implemented by cloudless for event source mappings.",
                 unimplemented[i]);
            return true;
        }
    }
    return false;
}

/* Reads the settable fields into m; false (answered) when one is invalid. */
static bool apply_settings(struct http_req *req, const struct json_value *body, struct esm_mapping *m)
{
    int64_t n;
    int rc = json_int(body, "BatchSize", &n);
    if (rc < 0) {
        fail(req, 400, "InvalidRequestContentException", "Could not parse request body into json: BatchSize");
        return false;
    }
    if (rc == 1) {
        if (validation_error(req, "batchSize", n, 1, MAX_BATCH))
            return false;
        m->batch_size = (int)n;
    }
    rc = json_int(body, "MaximumBatchingWindowInSeconds", &n);
    if (rc < 0 || (rc == 1 && validation_error(req, "maximumBatchingWindowInSeconds", n, 0, MAX_WINDOW_S))) {
        if (rc < 0)
            fail(req, 400, "InvalidRequestContentException",
                 "Could not parse request body into json: MaximumBatchingWindowInSeconds");
        return false;
    }
    if (rc == 1)
        m->window_s = (int)n;
    bool enabled;
    if ((rc = json_bool(body, "Enabled", &enabled)) == 1)
        m->enabled = enabled;
    const struct json_value *types = json_get(body, "FunctionResponseTypes");
    if (types && json_is(types, JSON_ARRAY)) {
        m->report_failures = false;
        for (size_t i = 0; i < types->len; i++) {
            const char *t = json_string(&types->u.items[i]);
            if (!t || strcmp(t, "ReportBatchItemFailures") != 0) {
                fail(req, 400, "ValidationException",
                     "1 validation error detected: Value at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]");
                return false;
            }
            m->report_failures = true;
        }
    }
    const struct json_value *scaling = json_get(body, "ScalingConfig");
    if (scaling && json_is(scaling, JSON_OBJECT)) {
        rc = json_int(scaling, "MaximumConcurrency", &n);
        if (rc == 1 && validation_error(req, "scalingConfig.maximumConcurrency", n, 2, MAX_CONCURRENCY_LIMIT))
            return false;
        m->max_concurrency = rc == 1 ? (int)n : 0;
    }
    if (m->batch_size > 10 && m->window_s == 0) {
        fail(req, 400, "InvalidParameterValueException",
             "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        return false;
    }
    const char *name = strrchr(m->queue_arn, ':');
    size_t len = name ? strlen(name) : 0;
    if (len > 5 && strcmp(name + len - 5, ".fifo") == 0 && m->batch_size > 10) {
        fail(req, 400, "InvalidParameterValueException", "Batch size for FIFO queues must be between 1 and 10.");
        return false;
    }
    return true;
}

/* The function exists and its timeout fits in the queue's visibility
 * timeout, as AWS checks; false (answered) otherwise. */
static bool check_function_and_queue(struct lambda_esm *esm, struct http_req *req, const struct esm_mapping *m)
{
    struct lambda_function *fn = lambda_find(esm->svc, m->account, m->function);
    struct lambda_version *v = fn ? lambda_resolve(fn, m->qualifier) : NULL;
    if (!v) {
        char arn[600];
        format_function_arn(esm, m, arn, sizeof(arn));
        fail(req, 404, "ResourceNotFoundException", "Function not found: %s", arn);
        return false;
    }
    int visibility = esm->svc->srv->sqs ? sqs_queue_visibility_internal(esm->svc->srv->sqs, m->queue_arn) : -1;
    if (visibility < 0) {
        fail(req, 400, "InvalidParameterValueException",
             "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.");
        return false;
    }
    if (visibility < v->timeout_s) {
        fail(req, 400, "InvalidParameterValueException",
             "Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", visibility, v->timeout_s);
        return false;
    }
    const char *refused;
    if (!esm_role_may_poll(esm->svc, v->role, m->function, m->queue_arn, &refused)) {
        fail(req, 400, "InvalidParameterValueException",
             "The provided execution role does not have permissions to call %s on SQS", refused + 4);
        return false;
    }
    return true;
}

static void call_free(struct esm_call *c)
{
    free(c->before.function);
    free(c->before.qualifier);
    free(c);
}

/* Create, Update and Delete answer here once their write is durable. */
static void written(void *arg, bool ok)
{
    struct esm_call *c = arg;
    struct lambda_esm *esm = c->esm;
    struct esm_mapping *m = c->m;
    if (!ok) {
        lambda_send_error_message(c->req, 500, "ServiceException", "The change could not be made durable.");
        if (c->status == 201 || c->deleting) {
            /* A failed create leaves nothing; a failed delete keeps the mapping. */
            if (c->deleting)
                m->deleted = false, append(esm, m);
            else
                unlink_mapping(esm, m), esm_mapping_free(m);
        } else {
            free(m->function);
            free(m->qualifier);
            m->function = c->before.function;
            m->qualifier = c->before.qualifier;
            c->before.function = c->before.qualifier = NULL;
            m->batch_size = c->before.batch_size;
            m->window_s = c->before.window_s;
            m->report_failures = c->before.report_failures;
            m->max_concurrency = c->before.max_concurrency;
            m->enabled = c->before.enabled;
            m->modified_ms = c->before.modified_ms;
            m->transition = NULL;
        }
        call_free(c);
        return;
    }
    answer_mapping(esm, c->req, 202, m);
    m->transition = NULL;
    if (c->deleting && m->in_flight == 0)
        esm_mapping_free(m);
    else
        esm_kick(esm);
    call_free(c);
}

static struct esm_call *new_call(struct lambda_esm *esm, struct http_req *req, struct esm_mapping *m)
{
    struct esm_call *c = calloc(1, sizeof(*c));
    if (!c) {
        fail(req, 500, "ServiceException", "out of memory");
        return NULL;
    }
    c->esm = esm;
    c->req = req;
    c->m = m;
    return c;
}

/* The mapping the path's UUID names; NULL (answered) when there is none. */
static struct esm_mapping *path_mapping(struct lambda_call *call)
{
    struct esm_mapping *m = find_mapping(call->svc->esm, call->account, lambda_route_param(&call->route, "UUID"));
    if (!m)
        not_found(call->req);
    return m;
}

void lambda_get_event_source_mapping(struct lambda_call *call)
{
    struct esm_mapping *m = path_mapping(call);
    if (m)
        answer_mapping(call->svc->esm, call->req, 200, m);
}

void lambda_create_event_source_mapping(struct lambda_call *call)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    const char *account = call->account;
    const struct json_value *body = call->json;
    const char *function = json_str(body, "FunctionName"), *source = json_str(body, "EventSourceArn");
    if (!function) {
        fail(req, 400, "InvalidParameterValueException", "FunctionName is required.");
        return;
    }
    if (!source) {
        fail(req, 400, "InvalidParameterValueException", "Unrecognized event source.");
        return;
    }
    if (strncmp(source, "arn:aws:sqs:", 12) != 0) {
        static const char *const others[] = {"arn:aws:kinesis:", "arn:aws:dynamodb:", "arn:aws:kafka:", "arn:aws:mq:",
                                             "arn:aws:rds:", "arn:aws:docdb"};
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
            if (strncmp(source, others[i], strlen(others[i])) == 0) {
                fail(req, 501, "NotImplementedException",
                     "Event source mappings for %s are not implemented by cloudless; only SQS queues are.", source);
                return;
            }
        }
        fail(req, 400, "InvalidParameterValueException",
             "Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported source arn : %s", source);
        return;
    }
    if (refuses_fields(req, body))
        return;
    struct esm_mapping *m = calloc(1, sizeof(*m));
    if (!m || split_function(function, &m->function, &m->qualifier) < 0 || !(m->queue_arn = strdup(source))) {
        esm_mapping_free(m);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    memcpy(m->account, account, 13);
    m->batch_size = DEFAULT_BATCH;
    m->enabled = true;
    if (merge_tags(m, json_get(body, "Tags")) < 0) {
        esm_mapping_free(m);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    if (!apply_settings(req, body, m) || !check_function_and_queue(esm, req, m)) {
        esm_mapping_free(m);
        return;
    }
    for (struct esm_mapping *o = esm->mappings; o; o = o->next) {
        if (strcmp(o->account, account) == 0 && strcmp(o->queue_arn, m->queue_arn) == 0 &&
            strcmp(o->function, m->function) == 0) {
            fail(req, 409, "ResourceConflictException",
                 "An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s",
                 o->queue_arn, o->function, o->uuid);
            esm_mapping_free(m);
            return;
        }
    }
    uuid_v4(m->uuid);
    m->modified_ms = clock_now_ms();
    m->transition = "Creating";
    struct esm_call *c = new_call(esm, req, m);
    if (!c) {
        esm_mapping_free(m);
        return;
    }
    c->status = 201;
    append(esm, m);
    if (persist(esm, m, false, written, c) < 0) {
        unlink_mapping(esm, m);
        esm_mapping_free(m);
        call_free(c);
        fail(req, 503, "ServiceException", "The service is unavailable.");
    }
}

void lambda_update_event_source_mapping(struct lambda_call *call)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    const struct json_value *body = call->json;
    struct esm_mapping *m = path_mapping(call);
    if (!m)
        return;
    if (m->transition) {
        fail(req, 409, "ResourceInUseException",
             "Cannot update the event source mapping because it is in use.");
        return;
    }
    if (refuses_fields(req, body))
        return;
    struct esm_call *c = new_call(esm, req, m);
    if (!c)
        return;
    c->before = *m;
    c->before.function = NULL;
    c->before.qualifier = NULL;
    struct esm_mapping next = *m;
    next.function = NULL;
    next.qualifier = NULL;
    const char *function = json_str(body, "FunctionName");
    if (function && split_function(function, &next.function, &next.qualifier) < 0) {
        call_free(c);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    if (!function && (!(next.function = strdup(m->function)) || (m->qualifier && !(next.qualifier = strdup(m->qualifier))))) {
        free(next.function);
        call_free(c);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    if (!apply_settings(req, body, &next) || !check_function_and_queue(esm, req, &next)) {
        free(next.function);
        free(next.qualifier);
        call_free(c);
        return;
    }
    c->before.function = m->function;
    c->before.qualifier = m->qualifier;
    bool was_enabled = m->enabled;
    *m = next;
    m->modified_ms = clock_now_ms();
    m->transition = m->enabled == was_enabled ? "Updating" : m->enabled ? "Enabling" : "Disabling";
    if (persist(esm, m, false, written, c) < 0)
        written(c, false);
}

void lambda_delete_event_source_mapping(struct lambda_call *call)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    struct esm_mapping *m = path_mapping(call);
    if (!m)
        return;
    struct esm_call *c = new_call(esm, req, m);
    if (!c)
        return;
    c->deleting = true;
    m->transition = "Deleting";
    m->deleted = true;
    unlink_mapping(esm, m);
    if (persist(esm, m, true, written, c) < 0)
        written(c, false);
}

void lambda_list_event_source_mappings(struct lambda_call *call)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    const char *account = call->account;
    char *source = call_query_param(call, "EventSourceArn"), *function = call_query_param(call, "FunctionName");
    char *marker = call_query_param(call, "Marker"), *max_text = call_query_param(call, "MaxItems");
    char *fn_name = NULL, *fn_qualifier = NULL;
    int max = max_text && *max_text ? atoi(max_text) : LIST_DEFAULT;
    if (function && split_function(function, &fn_name, &fn_qualifier) < 0)
        fn_name = NULL;
    if (max < 1 || max > MAX_BATCH) {
        fail(req, 400, "ValidationException",
             "1 validation error detected: Value '%s' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000",
             max_text ? max_text : "");
    } else if (function && !fn_name) {
        fail(req, 500, "ServiceException", "out of memory");
    } else {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        jw_object_open(&w, NULL);
        jw_array_open(&w, "EventSourceMappings");
        bool started = !marker;
        int count = 0;
        const char *next = NULL;
        for (struct esm_mapping *m = esm->mappings; m; m = m->next) {
            if (strcmp(m->account, account) != 0 || (source && strcmp(m->queue_arn, source) != 0) ||
                (fn_name && strcmp(m->function, fn_name) != 0))
                continue;
            if (!started && strcmp(m->uuid, marker) == 0)
                started = true;
            if (!started)
                continue;
            if (count == max) {
                next = m->uuid;
                break;
            }
            write_config(esm, &w, m);
            count++;
        }
        jw_array_close(&w);
        jw_string_opt(&w, "NextMarker", next);
        jw_object_close(&w);
        lambda_send_json(req, 200, &sb);
        strbuf_free(&sb);
    }
    free(source);
    free(function);
    free(marker);
    free(max_text);
    free(fn_name);
    free(fn_qualifier);
}

static void tags_written(void *arg, bool ok)
{
    struct http_req *req = arg;
    if (!ok) {
        lambda_send_error_message(req, 500, "ServiceException", "The change could not be made durable.");
        return;
    }
    http_resp_header(req, "x-amzn-RequestId", req->request_id);
    http_resp_send(req, 204, NULL, NULL, 0);
}

void lambda_esm_tags(struct lambda_call *call, const char *arn)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    const char *uuid = strstr(arn, ":event-source-mapping:");
    struct esm_mapping *m = uuid ? find_mapping(esm, call->account, uuid + 22) : NULL;
    if (!m) {
        fail(req, 404, "ResourceNotFoundException", "Event source mapping not found: %s", arn);
        return;
    }
    if (strcmp(req->method, "GET") == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        jw_object_open(&w, NULL);
        jw_object_open(&w, "Tags");
        for (size_t i = 0; i < m->n_tags; i++)
            jw_string(&w, m->tags[i].key, m->tags[i].value);
        jw_object_close(&w);
        jw_object_close(&w);
        lambda_send_json(req, 200, &sb);
        strbuf_free(&sb);
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        if (merge_tags(m, json_get(call->json, "Tags")) < 0) {
            fail(req, 500, "ServiceException", "out of memory");
            return;
        }
    } else {
        lambda_kvs_remove_named(m->tags, &m->n_tags, req->query, "tagKeys");
    }
    if (persist(esm, m, false, tags_written, req) < 0)
        fail(req, 503, "ServiceException", "The service is unavailable.");
}

/* ---- life cycle --------------------------------------------------------------------- */

struct lambda_esm *lambda_esm_new(struct lambda_service *svc, char *err, size_t errlen)
{
    struct lambda_esm *esm = calloc(1, sizeof(*esm));
    if (!esm) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    esm->svc = svc;
    esm->kick = event_new(svc->srv->base, -1, 0, esm_on_kick, esm);
    esm->timer = evtimer_new(svc->srv->base, esm_on_kick, esm);
    if (!esm->kick || !esm->timer) {
        snprintf(err, errlen, "cannot create the event source mapping poller");
        lambda_esm_free(esm);
        return NULL;
    }
    if (load_mappings(esm, err, errlen) < 0) {
        lambda_esm_free(esm);
        return NULL;
    }
    if (svc->srv->sqs)
        sqs_set_arrival_listener(svc->srv->sqs, esm_on_arrival, esm);
    esm_kick(esm);
    return esm;
}

void lambda_esm_free(struct lambda_esm *esm)
{
    if (!esm)
        return;
    if (esm->kick)
        event_free(esm->kick);
    if (esm->timer)
        event_free(esm->timer);
    while (esm->mappings) {
        struct esm_mapping *m = esm->mappings;
        esm->mappings = m->next;
        esm_mapping_free(m);
    }
    free(esm);
}
