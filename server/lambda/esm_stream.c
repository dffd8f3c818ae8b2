/* lambda_esm_stream: the readers of DynamoDB stream event source mappings,
 * which feed a function batches of stream records (the mappings are
 * esm.c, the passes over them esm_poller.c).
 *
 * A stream has one shard, so a mapping reads it in order, one batch at a
 * time: records in order per item key, as AWS guarantees (per shard).
 * ParallelizationFactor is shown but batches never overlap. A mapping's
 * position is the sequence number of the last record it is done with; it
 * is durable (storage/lambda, lambda_esm_positions), written after every
 * batch, and a batch starts only once the previous position is on disk:
 * after a kill -9 the mapping resumes after the last batch whose success
 * was recorded, so a batch is delivered again only if the process died
 * between the function's success and that write (at least once), and
 * never after the write.
 *
 * A pass (on new records: the DynamoDB service's listener, on a finished
 * batch, on the timer) reads up to BatchSize records after the position
 * (less while bisecting; the payload stops near 5 MB, under Lambda's 6 MB)
 * into the event AWS sends ({"Records": [...]} with eventSourceARN). With
 * MaximumBatchingWindowInSeconds it waits until BatchSize records are
 * there or the window has run. Records no FilterCriteria pattern matches
 * are dropped (the position passes them); records older than
 * MaximumRecordAgeInSeconds go to the OnFailure destination unsent.
 *
 * Results: success moves the position past the batch. With
 * ReportBatchItemFailures the function may name records by their
 * SequenceNumber: the position moves to just before the first of them and
 * the rest is retried (an unknown or empty identifier fails the whole
 * batch, as on AWS). A failure (an error, a timeout) retries the batch
 * after a backoff; with BisectBatchOnFunctionError the batch is halved
 * first (not counted as a retry) until the failing record is alone. After
 * MaximumRetryAttempts retries (-1: until the records expire) the batch is
 * discarded: its description (DDBStreamBatchInfo) goes to the OnFailure
 * queue, durably, before the position passes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/core/dates.h"
#include "protocol/events/pattern.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/dynamodb/dynamodb.h"
#include "server/lambda/esm.h"
#include "server/sqs/entry.h"
#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

#define RETRY_STEP_MS 500          /* retry n waits n times this ... */
#define RETRY_MAX_MS 10000         /* ... up to this */
#define READ_PAGE 1000             /* records read at once */
#define BATCH_PAYLOAD_SOFT_MAX (5 * 1024 * 1024)

struct stream_batch {
    struct lambda_esm *esm;
    struct esm_mapping *m;
    struct ddb_stream_source src;
    int64_t now;
    int limit;                     /* records to read at most */
    struct ddb_stream_record_context ctx;
    struct strbuf payload;         /* the event */
    struct json_writer w;
    struct strbuf scratch;         /* one record's JSON, for the filters */
    /* What was read: every record (sent or not), in order. */
    size_t n_read;
    int64_t first_seq, last_seq;
    int64_t first_ms, last_ms;
    bool expired;                  /* the records read are older than MaximumRecordAgeInSeconds */
    /* What was sent. */
    int64_t *sent;
    size_t n_sent, cap_sent;
    char function_arn[600];
    char version[64];
    char request_id[37];
    const char *condition;         /* set when the batch is discarded */
    bool function_error;
    int64_t save;                  /* the position to write (-1: none) */
    int64_t wait_ms;               /* after it: wait before the next batch */
};

/* ---- positions ---------------------------------------------------------------------- */

struct position_job {
    char uuid[37];
    int64_t position;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_position(struct store_conn *writer, void *arg)
{
    struct position_job *j = arg;
    return lambda_mapping_position_put(writer, j->uuid, j->position) == LAMBDA_STORAGE_OK ? 0 : -1;
}

static void position_done(void *arg, bool ok)
{
    struct position_job *j = arg;
    j->done(j->arg, ok);
    free(j);
}

int esm_stream_save_position(struct lambda_esm *esm, const char *uuid, int64_t position,
                             void (*done)(void *arg, bool ok), void *arg)
{
    struct position_job *j = calloc(1, sizeof(*j));
    if (!j)
        return -1;
    snprintf(j->uuid, sizeof(j->uuid), "%s", uuid);
    j->position = position;
    j->done = done;
    j->arg = arg;
    if (store_submit(esm->svc->srv->store, apply_position, position_done, j) < 0) {
        free(j);
        return -1;
    }
    return 0;
}

static bool find_source(struct lambda_esm *esm, const char *arn, struct ddb_stream_source *src)
{
    return esm->svc->srv->dynamodb && ddb_stream_find_internal(esm->svc->srv->dynamodb, arn, src);
}

static int64_t start_of(const struct esm_mapping *m, const struct ddb_stream_source *src)
{
    if (strcmp(m->starting_position, "TRIM_HORIZON") == 0)
        return src->trimmed_seq;
    return src->last_seq > src->trimmed_seq ? src->last_seq : src->trimmed_seq;
}

bool esm_stream_start_position(struct lambda_esm *esm, const struct esm_mapping *m, int64_t *position)
{
    struct ddb_stream_source src;
    if (!find_source(esm, m->source_arn, &src))
        return false;
    *position = start_of(m, &src);
    return true;
}

/* ---- finishing a batch -------------------------------------------------------------- */

static void batch_free(struct stream_batch *b)
{
    strbuf_free(&b->payload);
    strbuf_free(&b->scratch);
    free(b->sent);
    free(b);
}

static void batch_over(struct stream_batch *b)
{
    struct lambda_esm *esm = b->esm;
    struct esm_mapping *m = b->m;
    m->in_flight--;
    if (b->wait_ms)
        m->wait_until_ms = clock_now_ms() + b->wait_ms;
    batch_free(b);
    if (m->deleted && m->in_flight == 0)
        esm_mapping_free(m);
    else
        esm_kick(esm);
}

static void position_saved(void *arg, bool ok)
{
    struct stream_batch *b = arg;
    struct esm_mapping *m = b->m;
    if (!ok)
        log_error("lambda: the position of event source mapping %s could not be made durable; a restart reads "
                  "from the one before", m->uuid);
    m->position = b->save;
    if (m->bisect_limit && m->position >= m->bisect_end)
        m->bisect_limit = 0;       /* past the batch that failed: whole batches again */
    batch_over(b);
}

/* Ends the batch: the position written (when b->save >= 0) first. */
static void finish(struct stream_batch *b)
{
    struct esm_mapping *m = b->m;
    if (b->save < 0 || m->deleted || b->esm->stopping ||
        esm_stream_save_position(b->esm, m->uuid, b->save, position_saved, b) < 0) {
        if (b->save >= 0 && !m->deleted && !b->esm->stopping)
            log_error("lambda: the position of event source mapping %s could not be queued", m->uuid);
        batch_over(b);
    }
}

/* "2019-11-14T00:13:19Z": AWS's arrival times, to the second. */
static void iso_seconds(int64_t ms, char out[32])
{
    date_iso8601(ms - ms % 1000, out);
    char *dot = strchr(out, '.');
    if (dot)
        memcpy(dot, "Z", 2);
}

/* The record of a discarded batch AWS sends to the OnFailure destination. */
static void write_failure_record(struct strbuf *sb, const struct stream_batch *b, int invocations)
{
    char now[32], first[32], last[32], start[DDB_SEQUENCE_TEXT_MAX], end[DDB_SEQUENCE_TEXT_MAX];
    char shard[DDB_SHARD_ID_LEN + 1], rid[37];
    date_iso8601(clock_now_ms(), now);
    iso_seconds(b->first_ms, first);
    iso_seconds(b->last_ms, last);
    ddb_stream_sequence_format(b->first_seq, start);
    ddb_stream_sequence_format(b->last_seq, end);
    ddb_stream_shard_id(b->src.stream_id, b->src.created_ms, shard);
    uuid_v4(rid);
    struct json_writer w;
    jw_init(&w, sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "requestContext");
    jw_string(&w, "requestId", b->request_id[0] ? b->request_id : rid);
    jw_string(&w, "functionArn", b->function_arn);
    jw_string(&w, "condition", b->condition);
    jw_int(&w, "approximateInvokeCount", invocations);
    jw_object_close(&w);
    jw_object_open(&w, "responseContext");
    jw_int(&w, "statusCode", 200);
    jw_string(&w, "executedVersion", b->version);
    if (b->function_error)
        jw_string(&w, "functionError", "Unhandled");
    jw_object_close(&w);
    jw_string(&w, "version", "1.0");
    jw_string(&w, "timestamp", now);
    jw_object_open(&w, "DDBStreamBatchInfo");
    jw_string(&w, "shardId", shard);
    jw_string(&w, "startSequenceNumber", start);
    jw_string(&w, "endSequenceNumber", end);
    jw_string(&w, "approximateArrivalOfFirstRecord", first);
    jw_string(&w, "approximateArrivalOfLastRecord", last);
    jw_int(&w, "batchSize", (int64_t)b->n_read);
    jw_string(&w, "streamArn", b->m->source_arn);
    jw_object_close(&w);
    jw_object_close(&w);
}

static void failure_sent(void *arg, bool ok)
{
    struct stream_batch *b = arg;
    if (!ok)
        log_warn("lambda: the record of a discarded batch of %s could not be sent to %s", b->m->function,
                 b->m->on_failure);
    finish(b);
}

/* Gives up on the records read (their description to the OnFailure
 * destination, durably), then moves the position past them. */
static void discard(struct stream_batch *b, const char *condition, int invocations)
{
    struct esm_mapping *m = b->m;
    b->condition = condition;
    b->save = b->last_seq;
    m->retries = 0;
    log_info("lambda: %s discards %zu records of %s (%s)", m->function, b->n_read, m->source_arn, condition);
    if (!m->on_failure || !b->esm->svc->srv->sqs) {
        finish(b);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    write_failure_record(&sb, b, invocations);
    int rc = strbuf_failed(&sb) ? -1
                                : sqs_send_internal(b->esm->svc->srv->sqs, m->on_failure, sb.data, sb.len,
                                                    failure_sent, b);
    strbuf_free(&sb);
    if (rc < 0) {
        log_warn("lambda: the OnFailure destination %s of %s is not reachable; the record of a discarded batch is "
                 "dropped", m->on_failure, m->function);
        finish(b);
    }
}

/* ---- results ------------------------------------------------------------------------ */

/* ReportBatchItemFailures: the first record the response names (0: none,
 * the whole batch succeeded; -1: an unknown or empty identifier, the whole
 * batch failed). */
static int64_t first_failure(const struct stream_batch *b, const char *payload, size_t len)
{
    const struct json_value *resp = len ? json_parse(payload, len, NULL) : NULL;
    const struct json_value *failures = json_get(resp, "batchItemFailures");
    int64_t first = 0;
    if (failures && json_is(failures, JSON_ARRAY)) {
        for (size_t i = 0; i < failures->len && first >= 0; i++) {
            size_t id_len;
            const char *id = json_strn(&failures->u.items[i], "itemIdentifier", &id_len);
            int64_t seq;
            size_t k = 0;
            if (id && ddb_stream_sequence_parse(id, id_len, &seq))
                while (k < b->n_sent && b->sent[k] != seq)
                    k++;
            if (!id || !*id || !ddb_stream_sequence_parse(id, id_len, &seq) || k == b->n_sent)
                first = -1;
            else if (!first || seq < first)
                first = seq;
        }
    } else if (failures && !json_is(failures, JSON_NULL)) {
        first = -1;
    }
    json_free(resp);
    return first;
}

static int64_t backoff_ms(int retries)
{
    int64_t ms = (int64_t)RETRY_STEP_MS * retries;
    return ms > RETRY_MAX_MS ? RETRY_MAX_MS : ms;
}

static bool retries_exhausted(const struct esm_mapping *m)
{
    return m->max_retries >= 0 && m->retries > m->max_retries;
}

static void batch_done(void *arg, const struct lambda_result *r)
{
    struct stream_batch *b = arg;
    struct esm_mapping *m = b->m;
    if (b->esm->stopping) {
        batch_over(b);             /* the runtime is stopping: the batch runs again after the restart */
        return;
    }
    int64_t failed = r->function_error ? -1 : m->report_failures ? first_failure(b, r->payload, r->len) : 0;
    if (failed == 0) {
        m->last_result = "OK";
        m->retries = 0;
        b->save = b->last_seq;
        finish(b);
        return;
    }
    m->last_result = "PROBLEM: Function call failed";
    b->function_error = r->function_error != NULL;
    if (failed > 0 && failed - 1 > m->position) {
        /* Progress: the records before the first failure are done. */
        m->retries = 1;
        b->save = failed - 1;
    } else if (failed < 0 && m->bisect && b->n_sent > 1) {
        /* Halve the batch (not a retry) until the failing record is alone. */
        int half = (int)((b->n_read + 1) / 2);
        if (!m->bisect_limit)
            m->bisect_end = b->last_seq;
        m->bisect_limit = half;
        log_info("lambda: %s failed a batch of %zu stream records; trying %d", m->function, b->n_read, half);
        finish(b);
        return;
    } else {
        m->retries++;
    }
    if (retries_exhausted(m)) {
        if (b->save >= 0) {
            /* A partial failure: what is left of the batch goes. */
            b->first_seq = b->save + 1;
        }
        discard(b, "RetryAttemptsExhausted", m->retries);
        return;
    }
    b->wait_ms = backoff_ms(m->retries);
    if (m->retries == 1)
        log_info("lambda: %s failed a batch of %zu records from %s; retrying", m->function, b->n_sent, m->source_arn);
    finish(b);
}

/* ---- reading a batch ---------------------------------------------------------------- */

static bool too_old(const struct stream_batch *b, const struct ddb_stream_record *r)
{
    int age = b->m->max_record_age_s;
    return age >= 0 && b->now - r->created_ms > (int64_t)age * 1000;
}

static bool matches_filters(struct stream_batch *b)
{
    const struct json_value *record = json_parse(b->scratch.data, b->scratch.len, NULL);
    bool match = false;
    for (size_t i = 0; record && i < b->m->n_patterns && !match; i++)
        match = events_pattern_matches(b->m->patterns[i], record);
    json_free(record);
    return match;
}

static bool add_sent(struct stream_batch *b, int64_t seq)
{
    if (b->n_sent == b->cap_sent) {
        size_t cap = b->cap_sent ? 2 * b->cap_sent : 64;
        int64_t *grown = realloc(b->sent, cap * sizeof(*grown));
        if (!grown)
            return false;
        b->sent = grown;
        b->cap_sent = cap;
    }
    b->sent[b->n_sent++] = seq;
    return true;
}

static bool read_record(void *arg, const struct ddb_stream_record *r)
{
    struct stream_batch *b = arg;
    bool old = too_old(b, r);
    if (b->n_read == 0) {
        b->first_seq = r->seq;
        b->first_ms = r->created_ms;
        b->expired = old;
    } else if (old != b->expired || b->payload.len >= BATCH_PAYLOAD_SOFT_MAX) {
        return false;              /* expired records and live ones never share a batch */
    }
    b->n_read++;
    b->last_seq = r->seq;
    b->last_ms = r->created_ms;
    if (!old) {
        strbuf_reset(&b->scratch);
        struct json_writer w;
        jw_init(&w, &b->scratch);
        ddb_stream_record_write(&w, &b->ctx, r);
        if (strbuf_failed(&b->scratch)) {
            b->payload.oom = true;
            return false;
        }
        if (!b->m->n_patterns || matches_filters(b)) {
            jw_raw(&b->w, NULL, b->scratch.data, b->scratch.len);
            if (!add_sent(b, r->seq))
                b->payload.oom = true;
        }
    }
    return (int)b->n_read < b->limit && !strbuf_failed(&b->payload);
}

/* Reads the batch after the position; false when nothing could be read. */
static bool read_batch(struct lambda_esm *esm, struct stream_batch *b)
{
    struct esm_mapping *m = b->m;
    b->ctx = (struct ddb_stream_record_context){
        .region = esm->svc->srv->cfg->region,
        .view_type = b->src.view_type,
        .stream_id = b->src.stream_id,
        .event_source_arn = m->source_arn,
    };
    jw_init(&b->w, &b->payload);
    jw_object_open(&b->w, NULL);
    jw_array_open(&b->w, "Records");
    int64_t after = m->position;
    while ((int)b->n_read < b->limit) {
        size_t before = b->n_read;
        int page = b->limit - (int)b->n_read < READ_PAGE ? b->limit - (int)b->n_read : READ_PAGE;
        if (ddb_stream_read_internal(esm->svc->srv->dynamodb, b->src.stream_id, after, page, read_record, b) < 0)
            return false;
        if (b->n_read - before < (size_t)page)
            break;                 /* the end of the stream, or the batch stopped early */
        after = b->last_seq;
    }
    jw_array_close(&b->w);
    jw_object_close(&b->w);
    if (strbuf_failed(&b->payload)) {
        log_warn("lambda: out of memory reading a batch of %s for %s; tried again later", m->source_arn, m->function);
        return false;
    }
    return b->n_read > 0;
}

void esm_stream_poll(struct lambda_esm *esm, struct esm_mapping *m, int64_t now)
{
    if (m->in_flight || (m->wait_until_ms > now && !m->gathering))
        return;
    struct ddb_stream_source src;
    if (!find_source(esm, m->source_arn, &src))
        return;                    /* the stream is gone (trimmed a day after its table went) */
    if (!m->position_known) {
        m->position = start_of(m, &src);
        m->position_known = true;
    }
    if (m->position < src.trimmed_seq) {
        log_warn("lambda: records of %s after %s's position were trimmed before it read them", m->source_arn,
                 m->uuid);
        m->position = src.trimmed_seq;
        m->retries = 0;
        m->bisect_limit = 0;
    }
    if (src.last_seq <= m->position) {
        m->gathering = false;
        return;
    }
    int limit = m->bisect_limit ? m->bisect_limit : m->batch_size;
    bool windowed = m->window_s > 0 && !m->retries && !m->bisect_limit;
    if (windowed) {
        if (!m->gathering) {
            m->gathering = true;
            m->wait_until_ms = now + (int64_t)m->window_s * 1000;
        }
        /* Sequence numbers are shared by every stream: when fewer than a
         * batch have been written anywhere since the position, the batch
         * cannot be full yet. */
        if (now < m->wait_until_ms && src.last_seq - m->position < limit)
            return;
    }
    struct lambda_exec_config *cfg = NULL;
    if (esm_function_limit(esm, m, &cfg) == 0)
        return;                    /* missing or throttled: wait_until_ms set */
    struct stream_batch *b = calloc(1, sizeof(*b));
    if (!b) {
        lambda_exec_config_unref(cfg);
        return;
    }
    b->esm = esm;
    b->m = m;
    b->src = src;
    b->now = now;
    b->limit = limit;
    b->save = -1;
    strbuf_init(&b->payload);
    strbuf_init(&b->scratch);
    snprintf(b->version, sizeof(b->version), "%s", cfg->version);
    struct lambda_function *fn = lambda_find(esm->svc, m->account, m->function);
    lambda_function_arn(esm->svc, fn, m->qualifier, b->function_arn, sizeof(b->function_arn));
    if (!read_batch(esm, b)) {
        lambda_exec_config_unref(cfg);
        batch_free(b);
        m->wait_until_ms = now + RETRY_STEP_MS;
        return;
    }
    if (windowed && !b->expired && (int)b->n_read < limit && now < m->wait_until_ms) {
        lambda_exec_config_unref(cfg);
        batch_free(b);             /* not full yet: the window's end (the timer) decides */
        return;
    }
    m->gathering = false;
    m->wait_until_ms = 0;
    m->in_flight++;
    if (b->expired) {
        lambda_exec_config_unref(cfg);
        discard(b, "RecordAgeExceeded", 0);
        return;
    }
    if (b->n_sent == 0) {
        lambda_exec_config_unref(cfg);
        b->save = b->last_seq;     /* every record filtered out: nothing to invoke */
        finish(b);
        return;
    }
    int rc = lambda_runtime_invoke(esm->svc->runtime, cfg, b->function_arn, b->payload.data, b->payload.len, NULL,
                                   batch_done, b, b->request_id);
    lambda_exec_config_unref(cfg);
    if (rc < 0) {
        m->wait_until_ms = now + RETRY_STEP_MS;
        batch_over(b);
    }
}

void esm_on_stream_records(void *arg)
{
    struct lambda_esm *esm = arg;
    for (struct esm_mapping *m = esm->mappings; m; m = m->next) {
        if (m->enabled && m->source == ESM_SOURCE_DYNAMODB && !m->in_flight) {
            esm_kick(esm);
            return;
        }
    }
}
