/* lambda_esm: event source mappings from SQS queues and DynamoDB streams —
 * the API (Create/Get/List/Update/DeleteEventSourceMapping, and ListTags /
 * TagResource / UntagResource on a mapping's ARN), the mappings in memory
 * and their durable documents. The pollers that feed functions batches
 * from them are esm_poller.c (SQS) and esm_stream.c (streams).
 *
 * A mapping lives in memory (a list in creation order) and as a JSON
 * document (storage/lambda/esm.c keeps it), written through the store's
 * commit thread; a change is answered once durable. A stream mapping also
 * has its position in the stream, written with its document when it is
 * created (where StartingPosition puts it) and after every batch. Create
 * answers State "Creating", Update "Updating" (or "Enabling" /
 * "Disabling") and Delete "Deleting", as AWS does; the mapping settles to
 * Enabled / Disabled (or is gone) as soon as the answer is out. Settings
 * are checked as AWS checks them: the function must exist, the queue too,
 * with a visibility timeout no shorter than the function's timeout, or
 * the stream; one mapping per source and function; fields for other
 * kinds of sources are refused. FilterCriteria patterns (the EventBridge
 * pattern language, protocol/events/pattern.h) are compiled when set and
 * again when loaded. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/events/pattern.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/dynamodb/dynamodb.h"
#include "server/lambda/esm.h"
#include "server/sqs/entry.h"
#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

#define DEFAULT_BATCH 10
#define DEFAULT_STREAM_BATCH 100
#define MAX_BATCH 10000
#define MAX_WINDOW_S 300
#define MAX_CONCURRENCY_LIMIT 1000
#define LIST_DEFAULT 100
#define MAX_PARALLELIZATION 10
#define MAX_RETRY_ATTEMPTS 10000
#define MAX_RECORD_AGE_S 604800
#define MIN_RECORD_AGE_S 60
#define MAX_TUMBLING_WINDOW_S 900
#define MAX_FILTERS 5
#define MAX_PATTERN_LEN 4096

/* ---- mappings ----------------------------------------------------------------------- */

/* The settings an Update may change that are allocated. */
static void settings_free(struct esm_mapping *m)
{
    free(m->function);
    free(m->qualifier);
    free(m->on_failure);
    free(m->filters);
    for (size_t i = 0; i < m->n_patterns; i++)
        events_pattern_free(m->patterns[i]);
    free(m->patterns);
    m->function = m->qualifier = m->on_failure = m->filters = NULL;
    m->patterns = NULL;
    m->n_patterns = 0;
}

void esm_mapping_free(struct esm_mapping *m)
{
    if (!m)
        return;
    settings_free(m);
    free(m->source_arn);
    lambda_kvs_free(m->tags, m->n_tags);
    free(m);
}

/* The patterns of a FilterCriteria document ({"Filters":[{"Pattern":"..."}]}),
 * compiled into m; NULL filters clears them. On a refusal (or no memory)
 * returns false with the reason in `why` and m's patterns unchanged. */
static bool set_filters(struct esm_mapping *m, const char *filters, const char **why)
{
    *why = "Invalid filter pattern definition.";
    const struct json_value *doc = filters ? json_parse(filters, strlen(filters), NULL) : NULL;
    const struct json_value *list = json_get(doc, "Filters");
    size_t n = json_is(list, JSON_ARRAY) ? list->len : 0;
    struct events_pattern **patterns = n ? calloc(n, sizeof(*patterns)) : NULL;
    bool ok = (!filters || doc) && (!n || patterns);
    if (n && !patterns)
        *why = "out of memory";
    for (size_t i = 0; ok && i < n; i++) {
        size_t len;
        const char *text = json_strn(&list->u.items[i], "Pattern", &len);
        enum events_pattern_result r = text && len <= MAX_PATTERN_LEN
                                           ? events_pattern_compile(text, len, &patterns[i], NULL)
                                           : EVENTS_PATTERN_INVALID;
        if (r == EVENTS_PATTERN_NOMEM)
            *why = "out of memory";
        ok = r == EVENTS_PATTERN_OK;
    }
    json_free(doc);
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            events_pattern_free(patterns[i]);
        free(patterns);
        return false;
    }
    for (size_t i = 0; i < m->n_patterns; i++)
        events_pattern_free(m->patterns[i]);
    free(m->patterns);
    m->patterns = patterns;
    m->n_patterns = n;
    return true;
}

/* Copies src's settings into dst (for an Update to change): strings
 * duplicated, patterns compiled again. -1: out of memory (dst's settings
 * are then settings_free'd). */
static int settings_copy(struct esm_mapping *dst, const struct esm_mapping *src)
{
    *dst = *src;
    dst->function = dst->qualifier = dst->on_failure = dst->filters = NULL;
    dst->patterns = NULL;
    dst->n_patterns = 0;
    const char *why;
    if (!(dst->function = strdup(src->function)) || (src->qualifier && !(dst->qualifier = strdup(src->qualifier))) ||
        (src->on_failure && !(dst->on_failure = strdup(src->on_failure))) ||
        (src->filters && (!(dst->filters = strdup(src->filters)) || !set_filters(dst, dst->filters, &why)))) {
        settings_free(dst);
        return -1;
    }
    return 0;
}

/* Moves src's settings into dst (whose own were freed or moved away). */
static void settings_move(struct esm_mapping *dst, struct esm_mapping *src)
{
    dst->function = src->function;
    dst->qualifier = src->qualifier;
    dst->batch_size = src->batch_size;
    dst->window_s = src->window_s;
    dst->report_failures = src->report_failures;
    dst->max_concurrency = src->max_concurrency;
    dst->enabled = src->enabled;
    dst->parallelization = src->parallelization;
    dst->bisect = src->bisect;
    dst->max_retries = src->max_retries;
    dst->max_record_age_s = src->max_record_age_s;
    dst->on_failure = src->on_failure;
    dst->filters = src->filters;
    dst->patterns = src->patterns;
    dst->n_patterns = src->n_patterns;
    dst->modified_ms = src->modified_ms;
    src->function = src->qualifier = src->on_failure = src->filters = NULL;
    src->patterns = NULL;
    src->n_patterns = 0;
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
    jw_string(w, "EventSourceArn", m->source_arn);
    jw_int(w, "BatchSize", m->batch_size);
    jw_int(w, "MaximumBatchingWindowInSeconds", m->window_s);
    jw_bool(w, "ReportBatchItemFailures", m->report_failures);
    jw_int(w, "MaximumConcurrency", m->max_concurrency);
    jw_bool(w, "Enabled", m->enabled);
    jw_int(w, "LastModified", m->modified_ms);
    if (m->source == ESM_SOURCE_DYNAMODB) {
        jw_string(w, "StartingPosition", m->starting_position);
        jw_int(w, "ParallelizationFactor", m->parallelization);
        jw_bool(w, "BisectBatchOnFunctionError", m->bisect);
        jw_int(w, "MaximumRetryAttempts", m->max_retries);
        jw_int(w, "MaximumRecordAgeInSeconds", m->max_record_age_s);
        jw_string_opt(w, "OnFailure", m->on_failure);
        jw_string_opt(w, "FilterCriteria", m->filters);
    }
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
    bool with_position;            /* a new stream mapping: where it starts reading */
    int64_t position;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_persist(struct store_conn *writer, void *arg)
{
    struct persist_job *j = arg;
    enum lambda_storage_err err = j->doc ? lambda_mappings_put(writer, j->uuid, j->account, j->doc)
                                         : lambda_mappings_delete(writer, j->uuid, j->account);
    if (err == LAMBDA_STORAGE_OK && j->with_position)
        err = lambda_mapping_position_put(writer, j->uuid, j->position);
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
    j->with_position = !deleted && m->source == ESM_SOURCE_DYNAMODB && m->transition &&
                       strcmp(m->transition, "Creating") == 0;
    j->position = m->position;
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

static int64_t doc_int(const struct json_value *doc, const char *key, int64_t otherwise)
{
    int64_t n;
    return json_int(doc, key, &n) == 1 ? n : otherwise;
}

static struct esm_mapping *load_mapping(const char *uuid, const char *account, const char *text)
{
    const struct json_value *doc = json_parse(text, strlen(text), NULL);
    const char *function = json_str(doc, "FunctionName"), *source = json_str(doc, "EventSourceArn");
    const char *qualifier = json_str(doc, "Qualifier"), *on_failure = json_str(doc, "OnFailure");
    const char *filters = json_str(doc, "FilterCriteria"), *starting = json_str(doc, "StartingPosition");
    struct esm_mapping *m = function && source && strlen(uuid) == 36 && strlen(account) == 12 ? calloc(1, sizeof(*m)) : NULL;
    if (m) {
        memcpy(m->uuid, uuid, 37);
        memcpy(m->account, account, 13);
        m->source = strncmp(source, "arn:aws:dynamodb:", 17) == 0 ? ESM_SOURCE_DYNAMODB : ESM_SOURCE_SQS;
        m->function = strdup(function);
        m->source_arn = strdup(source);
        m->qualifier = qualifier ? strdup(qualifier) : NULL;
        m->on_failure = on_failure ? strdup(on_failure) : NULL;
        m->filters = filters ? strdup(filters) : NULL;
        m->batch_size = (int)doc_int(doc, "BatchSize", DEFAULT_BATCH);
        m->window_s = (int)doc_int(doc, "MaximumBatchingWindowInSeconds", 0);
        m->max_concurrency = (int)doc_int(doc, "MaximumConcurrency", 0);
        m->modified_ms = doc_int(doc, "LastModified", 0);
        m->parallelization = (int)doc_int(doc, "ParallelizationFactor", 1);
        m->max_retries = (int)doc_int(doc, "MaximumRetryAttempts", -1);
        m->max_record_age_s = (int)doc_int(doc, "MaximumRecordAgeInSeconds", -1);
        snprintf(m->starting_position, sizeof(m->starting_position), "%s", starting ? starting : "LATEST");
        m->last_result = "No records processed";
        if (json_bool(doc, "ReportBatchItemFailures", &m->report_failures) != 1)
            m->report_failures = false;
        if (json_bool(doc, "Enabled", &m->enabled) != 1)
            m->enabled = true;
        if (json_bool(doc, "BisectBatchOnFunctionError", &m->bisect) != 1)
            m->bisect = false;
        const char *why;
        if (!m->function || !m->source_arn || (qualifier && !m->qualifier) || (on_failure && !m->on_failure) ||
            (filters && (!m->filters || !set_filters(m, m->filters, &why))) ||
            merge_tags(m, json_get(doc, "Tags")) < 0) {
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

static int load_position(void *arg, const char *uuid, int64_t position)
{
    struct lambda_esm *esm = arg;
    for (struct esm_mapping *m = esm->mappings; m; m = m->next) {
        if (strcmp(m->uuid, uuid) == 0) {
            m->position = position;
            m->position_known = true;
        }
    }
    return 0;
}

static int load_mappings(struct lambda_esm *esm, char *err, size_t errlen)
{
    struct store_conn *reader = store_reader(esm->svc->srv->store);
    return lambda_mappings_load(reader, load_one, esm, err, errlen) == LAMBDA_STORAGE_OK &&
                   lambda_mapping_positions_load(reader, load_position, esm, err, errlen) == LAMBDA_STORAGE_OK
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
    bool has_before;
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
    bool stream = m->source == ESM_SOURCE_DYNAMODB;
    jw_object_open(w, NULL);
    jw_string(w, "UUID", m->uuid);
    if (stream)
        jw_string(w, "StartingPosition", m->starting_position);
    jw_int(w, "BatchSize", m->batch_size);
    jw_int(w, "MaximumBatchingWindowInSeconds", m->window_s);
    if (stream)
        jw_int(w, "ParallelizationFactor", m->parallelization);
    jw_string(w, "EventSourceArn", m->source_arn);
    if (m->filters)
        jw_raw(w, "FilterCriteria", m->filters, strlen(m->filters));
    format_function_arn(esm, m, arn, sizeof(arn));
    jw_string(w, "FunctionArn", arn);
    int len = snprintf(modified, sizeof(modified), "%" PRId64 ".%03d", m->modified_ms / 1000,
                       (int)(m->modified_ms % 1000));
    jw_raw(w, "LastModified", modified, (size_t)len);
    if (stream)
        jw_string(w, "LastProcessingResult", m->last_result ? m->last_result : "No records processed");
    jw_string(w, "State", state_of(m));
    jw_string(w, "StateTransitionReason", stream ? "User action" : "USER_INITIATED");
    if (stream) {
        jw_object_open(w, "DestinationConfig");
        jw_object_open(w, "OnFailure");
        jw_string_opt(w, "Destination", m->on_failure);
        jw_object_close(w);
        jw_object_close(w);
        jw_int(w, "MaximumRecordAgeInSeconds", m->max_record_age_s);
        jw_bool(w, "BisectBatchOnFunctionError", m->bisect);
        jw_int(w, "MaximumRetryAttempts", m->max_retries);
        jw_int(w, "TumblingWindowInSeconds", 0);
    }
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
};
/* Fields of other kinds of sources (Kafka, MQ, DocumentDB, SQS's scaling). */
static const char *const foreign[] = {
    "Topics", "Queues", "SourceAccessConfigurations", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig", "DocumentDBEventSourceConfig",
};

/* Fields valid for the source that cloudless does not implement. */
static const char *const unimplemented[] = {
    "KMSKeyArn", "MetricsConfig", "LoggingConfig", "ProvisionedPollerConfig",
};

static bool present(const struct json_value *body, const char *field)
{
    const struct json_value *v = json_get(body, field);
    return v && !json_is(v, JSON_NULL);
}

static bool refuse_unsupported(struct http_req *req, const struct json_value *body, const char *const *fields,
                               size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (present(body, fields[i])) {
            fail(req, 400, "InvalidParameterValueException", "Unsupported %s parameter for given event source mapping type.",
                 fields[i]);
            return true;
        }
    }
    return false;
}

static bool refuses_fields(struct http_req *req, const struct json_value *body, enum esm_source source)
{
    if (refuse_unsupported(req, body, foreign, sizeof(foreign) / sizeof(foreign[0])))
        return true;
    if (source == ESM_SOURCE_SQS && refuse_unsupported(req, body, stream_only, sizeof(stream_only) / sizeof(stream_only[0])))
        return true;
    if (source == ESM_SOURCE_DYNAMODB && refuse_unsupported(req, body, (const char *const[]){"ScalingConfig"}, 1))
        return true;
    /* SQS's FilterCriteria is not implemented (streams' is). */
    const struct json_value *filters = json_get(body, "FilterCriteria");
    if (source == ESM_SOURCE_SQS && filters && !json_is(filters, JSON_NULL) &&
        !(json_is(filters, JSON_OBJECT) && filters->len == 0)) {
        fail(req, 501, "NotImplementedException", "FilterCriteria is not implemented by cloudless for SQS event source mappings.");
        return true;
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

/* An integer field into *out when present; false (answered) when it is not
 * a number or out of [lo, hi]. */
static bool int_field(struct http_req *req, const struct json_value *body, const char *field, const char *path,
                      int64_t lo, int64_t hi, int *out)
{
    int64_t n;
    int rc = json_int(body, field, &n);
    if (rc < 0) {
        fail(req, 400, "InvalidRequestContentException", "Could not parse request body into json: %s", field);
        return false;
    }
    if (rc == 1) {
        if (validation_error(req, path, n, lo, hi))
            return false;
        *out = (int)n;
    }
    return true;
}

/* FilterCriteria: {"Filters": [{"Pattern": "<JSON>"}, ...]}, at most five,
 * each a valid pattern; {} or no Filters clears them. */
static bool apply_filters(struct http_req *req, const struct json_value *criteria, struct esm_mapping *m)
{
    if (!criteria)
        return true;
    const struct json_value *list = json_get(criteria, "Filters");
    if (json_is(criteria, JSON_NULL) || !list || json_is(list, JSON_NULL) || (json_is(list, JSON_ARRAY) && list->len == 0)) {
        const char *why;
        free(m->filters);
        m->filters = NULL;
        set_filters(m, NULL, &why);
        return true;
    }
    if (!json_is(criteria, JSON_OBJECT) || !json_is(list, JSON_ARRAY)) {
        fail(req, 400, "InvalidParameterValueException", "Invalid filter pattern definition.");
        return false;
    }
    if (list->len > MAX_FILTERS) {
        fail(req, 400, "InvalidParameterValueException",
             "The maximum number of filters per event source mapping is %d.", MAX_FILTERS);
        return false;
    }
    /* The document as AWS shows it: the patterns' texts, as given. */
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Filters");
    for (size_t i = 0; i < list->len; i++) {
        size_t len;
        const char *pattern = json_strn(&list->u.items[i], "Pattern", &len);
        jw_object_open(&w, NULL);
        jw_stringn(&w, "Pattern", pattern ? pattern : "", pattern ? len : 0);
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
    const char *why = "out of memory";
    char *text = strbuf_failed(&sb) ? NULL : strbuf_detach(&sb, NULL);
    strbuf_free(&sb);
    if (!text || !set_filters(m, text, &why)) {
        free(text);
        fail(req, strcmp(why, "out of memory") == 0 ? 500 : 400,
             strcmp(why, "out of memory") == 0 ? "ServiceException" : "InvalidParameterValueException", "%s", why);
        return false;
    }
    free(m->filters);
    m->filters = text;
    return true;
}

/* DestinationConfig: OnFailure to an SQS queue (SNS does not exist here);
 * OnSuccess is not for mappings. */
static bool apply_destination(struct http_req *req, const struct json_value *config, struct esm_mapping *m)
{
    if (!config || json_is(config, JSON_NULL))
        return true;
    if (present(config, "OnSuccess")) {
        fail(req, 400, "InvalidParameterValueException",
             "Unsupported DestinationConfig parameter for given event source mapping type.");
        return false;
    }
    const char *dest = json_str(json_get(config, "OnFailure"), "Destination");
    if (dest && *dest && strncmp(dest, "arn:aws:sqs:", 12) != 0) {
        if (strncmp(dest, "arn:aws:sns:", 12) == 0)
            fail(req, 501, "NotImplementedException",
                 "cloudless has no Amazon SNS yet: OnFailure destinations are SQS queues.");
        else
            fail(req, 400, "InvalidParameterValueException",
                 "The destination ARN %s is invalid: it must be an Amazon SQS queue or an Amazon SNS topic.", dest);
        return false;
    }
    char *copy = dest && *dest ? strdup(dest) : NULL;
    if (dest && *dest && !copy) {
        fail(req, 500, "ServiceException", "out of memory");
        return false;
    }
    free(m->on_failure);
    m->on_failure = copy;
    return true;
}

/* The settings only stream mappings have. */
static bool apply_stream_settings(struct http_req *req, const struct json_value *body, struct esm_mapping *m)
{
    int tumbling = 0;
    if (!int_field(req, body, "ParallelizationFactor", "parallelizationFactor", 1, MAX_PARALLELIZATION,
                   &m->parallelization) ||
        !int_field(req, body, "MaximumRetryAttempts", "maximumRetryAttempts", -1, MAX_RETRY_ATTEMPTS,
                   &m->max_retries) ||
        !int_field(req, body, "MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, MAX_RECORD_AGE_S,
                   &m->max_record_age_s) ||
        !int_field(req, body, "TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, MAX_TUMBLING_WINDOW_S,
                   &tumbling))
        return false;
    if (m->max_record_age_s >= 0 && m->max_record_age_s < MIN_RECORD_AGE_S) {
        fail(req, 400, "InvalidParameterValueException",
             "MaximumRecordAgeInSeconds must be -1 or between %d and %d.", MIN_RECORD_AGE_S, MAX_RECORD_AGE_S);
        return false;
    }
    if (tumbling > 0) {
        fail(req, 501, "NotImplementedException",
             "TumblingWindowInSeconds is not implemented by cloudless for event source mappings.");
        return false;
    }
    bool bisect;
    int rc = json_bool(body, "BisectBatchOnFunctionError", &bisect);
    if (rc < 0) {
        fail(req, 400, "InvalidRequestContentException", "Could not parse request body into json: BisectBatchOnFunctionError");
        return false;
    }
    if (rc == 1)
        m->bisect = bisect;
    return apply_destination(req, json_get(body, "DestinationConfig"), m) &&
           apply_filters(req, json_get(body, "FilterCriteria"), m);
}

/* Reads the settable fields into m; false (answered) when one is invalid. */
static bool apply_settings(struct http_req *req, const struct json_value *body, struct esm_mapping *m)
{
    if (!int_field(req, body, "BatchSize", "batchSize", 1, MAX_BATCH, &m->batch_size) ||
        !int_field(req, body, "MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, MAX_WINDOW_S,
                   &m->window_s))
        return false;
    bool enabled;
    if (json_bool(body, "Enabled", &enabled) == 1)
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
    if (m->source == ESM_SOURCE_DYNAMODB)
        return apply_stream_settings(req, body, m);
    const struct json_value *scaling = json_get(body, "ScalingConfig");
    if (scaling && json_is(scaling, JSON_OBJECT)) {
        int64_t n;
        int rc = json_int(scaling, "MaximumConcurrency", &n);
        if (rc == 1 && validation_error(req, "scalingConfig.maximumConcurrency", n, 2, MAX_CONCURRENCY_LIMIT))
            return false;
        m->max_concurrency = rc == 1 ? (int)n : 0;
    }
    if (m->batch_size > 10 && m->window_s == 0) {
        fail(req, 400, "InvalidParameterValueException",
             "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
        return false;
    }
    const char *name = strrchr(m->source_arn, ':');
    size_t len = name ? strlen(name) : 0;
    if (len > 5 && strcmp(name + len - 5, ".fifo") == 0 && m->batch_size > 10) {
        fail(req, 400, "InvalidParameterValueException", "Batch size for FIFO queues must be between 1 and 10.");
        return false;
    }
    return true;
}

/* The function exists, and the source: the queue, whose visibility
 * timeout must be at least the function's timeout, or the stream; as AWS
 * checks. false (answered) otherwise. */
static bool check_function_and_source(struct lambda_esm *esm, struct http_req *req, const struct esm_mapping *m)
{
    struct lambda_function *fn = lambda_find(esm->svc, m->account, m->function);
    struct lambda_version *v = fn ? lambda_resolve(fn, m->qualifier) : NULL;
    if (!v) {
        char arn[600];
        format_function_arn(esm, m, arn, sizeof(arn));
        fail(req, 404, "ResourceNotFoundException", "Function not found: %s", arn);
        return false;
    }
    if (m->source == ESM_SOURCE_DYNAMODB) {
        struct ddb_stream_source src;
        if (!esm->svc->srv->dynamodb || !ddb_stream_find_internal(esm->svc->srv->dynamodb, m->source_arn, &src)) {
            fail(req, 400, "InvalidParameterValueException", "Stream not found: %s", m->source_arn);
            return false;
        }
        const char *refused;
        if (!esm_role_may_poll(esm->svc, v->role, m, &refused)) {
            fail(req, 400, "InvalidParameterValueException",
                 "Cannot access stream %s. Please ensure the role can perform the GetRecords, GetShardIterator, "
                 "DescribeStream, and ListStreams Actions on your stream in IAM.", m->source_arn);
            return false;
        }
        return true;
    }
    int visibility = esm->svc->srv->sqs ? sqs_queue_visibility_internal(esm->svc->srv->sqs, m->source_arn) : -1;
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
    if (!esm_role_may_poll(esm->svc, v->role, m, &refused)) {
        fail(req, 400, "InvalidParameterValueException",
             "The provided execution role does not have permissions to call %s on SQS", refused + 4);
        return false;
    }
    return true;
}

static void call_free(struct esm_call *c)
{
    if (c->has_before)
        settings_free(&c->before);
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
            settings_free(m);
            settings_move(m, &c->before);
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

/* The kind of source an ARN names; false (answered) for the kinds
 * cloudless does not serve or that are none. */
static bool source_kind(struct http_req *req, const char *source, enum esm_source *kind)
{
    if (strncmp(source, "arn:aws:sqs:", 12) == 0) {
        *kind = ESM_SOURCE_SQS;
        return true;
    }
    if (strncmp(source, "arn:aws:dynamodb:", 17) == 0 && strstr(source, "/stream/")) {
        *kind = ESM_SOURCE_DYNAMODB;
        return true;
    }
    static const char *const others[] = {"arn:aws:kinesis:", "arn:aws:kafka:", "arn:aws:mq:", "arn:aws:rds:",
                                         "arn:aws:docdb"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if (strncmp(source, others[i], strlen(others[i])) == 0) {
            fail(req, 501, "NotImplementedException",
                 "Event source mappings for %s are not implemented by cloudless; only SQS queues and DynamoDB "
                 "streams are.", source);
            return false;
        }
    }
    fail(req, 400, "InvalidParameterValueException",
         "Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported source arn : %s", source);
    return false;
}

/* StartingPosition of a new stream mapping: TRIM_HORIZON or LATEST
 * (AT_TIMESTAMP is Kinesis's). */
static bool starting_position(struct http_req *req, const struct json_value *body, struct esm_mapping *m)
{
    const char *start = json_str(body, "StartingPosition");
    if (!start) {
        fail(req, 400, "InvalidParameterValueException",
             "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
        return false;
    }
    if (strcmp(start, "TRIM_HORIZON") != 0 && strcmp(start, "LATEST") != 0) {
        if (strcmp(start, "AT_TIMESTAMP") == 0)
            fail(req, 400, "InvalidParameterValueException", "Unsupported starting position for arn type: %s",
                 m->source_arn);
        else
            fail(req, 400, "ValidationException",
                 "1 validation error detected: Value '%.64s' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
                 start);
        return false;
    }
    snprintf(m->starting_position, sizeof(m->starting_position), "%s", start);
    return true;
}

static void conflict(struct http_req *req, const struct esm_mapping *o)
{
    if (o->source == ESM_SOURCE_SQS)
        fail(req, 409, "ResourceConflictException",
             "An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s",
             o->source_arn, o->function, o->uuid);
    else
        fail(req, 409, "ResourceConflictException",
             "The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. Please update or delete the existing mapping with UUID %s",
             o->source_arn, o->function, o->uuid);
}

void lambda_create_event_source_mapping(struct lambda_call *call)
{
    struct lambda_esm *esm = call->svc->esm;
    struct http_req *req = call->req;
    const char *account = call->account;
    const struct json_value *body = call->json;
    const char *function = json_str(body, "FunctionName"), *source = json_str(body, "EventSourceArn");
    enum esm_source kind;
    if (!function) {
        fail(req, 400, "InvalidParameterValueException", "FunctionName is required.");
        return;
    }
    if (!source) {
        fail(req, 400, "InvalidParameterValueException", "Unrecognized event source.");
        return;
    }
    if (!source_kind(req, source, &kind) || refuses_fields(req, body, kind))
        return;
    struct esm_mapping *m = calloc(1, sizeof(*m));
    if (!m || split_function(function, &m->function, &m->qualifier) < 0 || !(m->source_arn = strdup(source))) {
        esm_mapping_free(m);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    memcpy(m->account, account, 13);
    m->source = kind;
    m->batch_size = kind == ESM_SOURCE_DYNAMODB ? DEFAULT_STREAM_BATCH : DEFAULT_BATCH;
    m->enabled = true;
    m->parallelization = 1;
    m->max_retries = -1;
    m->max_record_age_s = -1;
    m->last_result = "No records processed";
    if (merge_tags(m, json_get(body, "Tags")) < 0) {
        esm_mapping_free(m);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    if ((kind == ESM_SOURCE_DYNAMODB && !starting_position(req, body, m)) || !apply_settings(req, body, m) ||
        !check_function_and_source(esm, req, m)) {
        esm_mapping_free(m);
        return;
    }
    for (struct esm_mapping *o = esm->mappings; o; o = o->next) {
        if (strcmp(o->account, account) == 0 && strcmp(o->source_arn, m->source_arn) == 0 &&
            strcmp(o->function, m->function) == 0) {
            conflict(req, o);
            esm_mapping_free(m);
            return;
        }
    }
    if (kind == ESM_SOURCE_DYNAMODB) {
        if (!esm_stream_start_position(esm, m, &m->position)) {
            fail(req, 400, "InvalidParameterValueException", "Stream not found: %s", m->source_arn);
            esm_mapping_free(m);
            return;
        }
        m->position_known = true;
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
    if (refuses_fields(req, body, m->source))
        return;
    struct esm_call *c = new_call(esm, req, m);
    if (!c)
        return;
    struct esm_mapping next;
    if (settings_copy(&next, m) < 0) {
        call_free(c);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    const char *function = json_str(body, "FunctionName");
    char *name = NULL, *qualifier = NULL;
    if (function && split_function(function, &name, &qualifier) < 0) {
        settings_free(&next);
        call_free(c);
        fail(req, 500, "ServiceException", "out of memory");
        return;
    }
    if (function) {
        free(next.function);
        free(next.qualifier);
        next.function = name;
        next.qualifier = qualifier;
    }
    if (!apply_settings(req, body, &next) || !check_function_and_source(esm, req, &next)) {
        settings_free(&next);
        call_free(c);
        return;
    }
    /* The settings before go to the call (restored if the write fails). */
    c->before = *m;
    c->before.function = c->before.qualifier = c->before.on_failure = c->before.filters = NULL;
    c->before.patterns = NULL;
    c->before.n_patterns = 0;
    settings_move(&c->before, m);
    c->has_before = true;
    bool was_enabled = c->before.enabled;
    settings_move(m, &next);
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
            if (strcmp(m->account, account) != 0 || (source && strcmp(m->source_arn, source) != 0) ||
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
    if (svc->srv->dynamodb)
        ddb_set_stream_listener(svc->srv->dynamodb, esm_on_stream_records, esm);
    esm_kick(esm);
    return esm;
}

void lambda_esm_free(struct lambda_esm *esm)
{
    if (!esm)
        return;
    if (esm->svc->srv->dynamodb)
        ddb_set_stream_listener(esm->svc->srv->dynamodb, NULL, NULL);
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
