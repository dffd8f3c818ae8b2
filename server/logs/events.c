/* events: PutLogEvents, GetLogEvents and FilterLogEvents.
 *
 * PutLogEvents checks the batch (1 to 10,000 events, each with a
 * timestamp and a message, in chronological order) and stores it as one
 * write. A message keeps its exact bytes, U+0000 and control characters
 * included, except that ill-formed UTF-8 (what a lone surrogate escape
 * decodes to) becomes U+FFFD, as CloudWatch Logs stores text; reads give
 * the bytes back with their length. Paging tokens are positions: "f/<ts>:<id>" and "b/<ts>:<id>" for
 * GetLogEvents (forward and backward), "<ts>:<id>" for FilterLogEvents,
 * which matches with protocol/logs/filter.c (term, JSON, space-delimited
 * and regular-expression patterns) and stops after FILTER_SCAN_MAX events
 * read, leaving a token where it stopped. */
#include "server/logs/service.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/utf8.h"
#include "protocol/logs/filter.h"

#define FILTER_SCAN_MAX 200000

void logs_put_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName"), *stream = json_str(c->json, "logStreamName");
    const struct json_value *events = json_get(c->json, "logEvents");
    if (!group || !stream || !json_is(events, JSON_ARRAY)) {
        logs_missing(c, !group ? "logGroupName" : !stream ? "logStreamName" : "logEvents");
        return;
    }
    if (!logs_require_stream(c, group, stream))
        return;
    size_t n = events->len;
    if (n == 0 || n > 10000) {
        logs_send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000");
        return;
    }
    struct write_job *j = logs_new_job(c, W_PUT_EVENTS, group, stream);
    if (!j || !(j->events = calloc(n, sizeof(*j->events)))) {
        if (j)
            logs_write_job_free(j);
        logs_send_error(c, 500, "ServiceUnavailableException", "out of memory");
        return;
    }
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const struct json_value *e = &events->u.items[i];
        int64_t ts;
        size_t len;
        const char *msg = json_strn(e, "message", &len);
        if (json_int(e, "timestamp", &ts) != 1 || !msg) {
            logs_write_job_free(j);
            logs_send_error(c, 400, "InvalidParameterException", "Each log event needs a timestamp and a message.");
            return;
        }
        if (ts < prev) {
            logs_write_job_free(j);
            logs_send_error(c, 400, "InvalidParameterException",
                            "Log events in a single PutLogEvents request must be in chronological order.");
            return;
        }
        prev = ts;
        struct logs_new_event *pe = &j->events[j->n_events++];
        memcpy(pe->account, c->account, sizeof(pe->account));
        pe->group = strdup(group);
        pe->stream = strdup(stream);
        pe->message = utf8_repaired_copy(msg, len, &pe->len);
        pe->ts = ts;
        if (!pe->group || !pe->stream || !pe->message) {
            logs_write_job_free(j);
            logs_send_error(c, 500, "ServiceUnavailableException", "out of memory");
            return;
        }
    }
    logs_submit(c, j);
}

/* "<ts>:<id>" after an optional prefix; false when malformed. */
static bool parse_position(const char *token, int64_t *ts, int64_t *id)
{
    return sscanf(token, "%" SCNd64 ":%" SCNd64, ts, id) == 2;
}

/* The events GetLogEvents read, in reading order. */
struct event_rows {
    struct row { int64_t id, ts, ingest; char *msg; size_t len; } *rows;
    size_t n, cap;
    bool oom;
};

static bool keep_row(void *arg, const struct logs_event *e)
{
    struct event_rows *r = arg;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct row *grown = realloc(r->rows, cap * sizeof(*grown));
        if (!grown) {
            r->oom = true;
            return false;
        }
        r->rows = grown;
        r->cap = cap;
    }
    struct row *row = &r->rows[r->n];
    row->id = e->id;
    row->ts = e->ts;
    row->ingest = e->ingest_ms;
    row->msg = malloc(e->len + 1);
    if (!row->msg) {
        r->oom = true;
        return false;
    }
    memcpy(row->msg, e->message, e->len);
    row->msg[e->len] = '\0';
    row->len = e->len;
    r->n++;
    return true;
}

void logs_get_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *stream = json_str(c->json, "logStreamName");
    const char *token = json_str(c->json, "nextToken");
    if (!group || !stream) {
        logs_missing(c, group ? "logStreamName" : "logGroupName");
        return;
    }
    if (!logs_require_stream(c, group, stream))
        return;
    int64_t start = logs_int_param(c, "startTime", 0), end = logs_int_param(c, "endTime", INT64_MAX);
    int64_t limit = logs_int_param(c, "limit", 10000);
    bool from_head = false;
    json_bool(c->json, "startFromHead", &from_head);
    bool backward = !from_head;
    int64_t pos_ts = backward ? INT64_MAX : INT64_MIN, pos_id = backward ? INT64_MAX : INT64_MIN;
    if (token) {
        if ((token[0] != 'f' && token[0] != 'b') || token[1] != '/' || !parse_position(token + 2, &pos_ts, &pos_id)) {
            logs_send_error(c, 400, "InvalidParameterException", "The specified nextToken is invalid.");
            return;
        }
        backward = token[0] == 'b';
    }
    /* Rows come newest first when reading backward; events are always
     * returned oldest first. */
    struct event_rows read = {0};
    enum logs_err err = logs_read_stream(logs_reader(c), c->account, group, stream, start, end, backward, pos_ts, pos_id,
                                         limit, keep_row, &read);
    struct row *rows = read.rows;
    size_t n = read.n;
    struct strbuf sb;
    strbuf_init(&sb);
    if (read.oom)
        sb.oom = true;
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "events");
    for (size_t k = 0; k < n; k++) {
        struct row *r = &rows[backward ? n - 1 - k : k];
        jw_object_open(&w, NULL);
        jw_int(&w, "timestamp", r->ts);
        jw_stringn(&w, "message", r->msg, r->len);
        jw_int(&w, "ingestionTime", r->ingest);
        jw_object_close(&w);
    }
    jw_array_close(&w);
    char fwd[64], bwd[64];
    /* Oldest and newest returned; with nothing returned the position stays. */
    struct row *oldest = n ? &rows[backward ? n - 1 : 0] : NULL, *newest = n ? &rows[backward ? 0 : n - 1] : NULL;
    snprintf(fwd, sizeof(fwd), "f/%" PRId64 ":%" PRId64, newest ? newest->ts : (backward ? INT64_MIN : pos_ts),
             newest ? newest->id : (backward ? INT64_MIN : pos_id));
    snprintf(bwd, sizeof(bwd), "b/%" PRId64 ":%" PRId64, oldest ? oldest->ts : (backward ? pos_ts : INT64_MAX),
             oldest ? oldest->id : (backward ? pos_id : INT64_MAX));
    jw_string(&w, "nextForwardToken", fwd);
    jw_string(&w, "nextBackwardToken", bwd);
    jw_object_close(&w);
    for (size_t k = 0; k < n; k++)
        free(rows[k].msg);
    free(rows);
    if (err != LOGS_OK && !read.oom)
        logs_send_store_error(c, err);
    else
        logs_send_json(c, &sb);
    strbuf_free(&sb);
}

static bool stream_selected(const struct json_value *names, const char *prefix, const char *stream)
{
    if (prefix && strncmp(stream, prefix, strlen(prefix)) != 0)
        return false;
    if (!json_is(names, JSON_ARRAY))
        return true;
    for (size_t i = 0; i < names->len; i++)
        if (json_is(&names->u.items[i], JSON_STRING) && strcmp(names->u.items[i].u.str, stream) == 0)
            return true;
    return false;
}

/* A FilterLogEvents scan: what selects events, the answer being written,
 * and where it stopped. */
struct filter_scan {
    const struct logs_filter *filter;
    const struct json_value *names;
    const char *prefix;
    struct json_writer w;
    int64_t n, limit, scanned, last_ts, last_id;
    bool more;
};

static bool filter_event(void *arg, const struct logs_event *e)
{
    struct filter_scan *f = arg;
    if (f->n == f->limit || f->scanned == FILTER_SCAN_MAX) {
        f->more = true;
        return false;
    }
    f->scanned++;
    f->last_id = e->id;
    f->last_ts = e->ts;
    if (!stream_selected(f->names, f->prefix, e->stream) || !logs_filter_match(f->filter, e->message, e->len))
        return true;
    char id[32];
    snprintf(id, sizeof(id), "%" PRId64, e->id);
    jw_object_open(&f->w, NULL);
    jw_string(&f->w, "logStreamName", e->stream);
    jw_int(&f->w, "timestamp", e->ts);
    jw_stringn(&f->w, "message", e->message, e->len);
    jw_int(&f->w, "ingestionTime", e->ingest_ms);
    jw_string(&f->w, "eventId", id);
    jw_object_close(&f->w);
    f->n++;
    return true;
}

void logs_filter_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *ident = json_str(c->json, "logGroupIdentifier");
    if (!group && ident)
        group = strstr(ident, ":log-group:") ? strstr(ident, ":log-group:") + 11 : ident;
    if (!group) {
        logs_missing(c, "logGroupName");
        return;
    }
    if (!logs_require_group(c, group))
        return;
    const char *pattern = json_str(c->json, "filterPattern");
    struct logs_filter *f;
    const char *problem;
    switch (logs_filter_parse(pattern ? pattern : "", &f, &problem)) {
    case LOGS_FILTER_OK:
        break;
    case LOGS_FILTER_INVALID:
    case LOGS_FILTER_UNSUPPORTED:
        logs_send_error(c, 400, "InvalidParameterException", "%s", problem);
        return;
    case LOGS_FILTER_NOMEM:
        logs_send_error(c, 500, "ServiceUnavailableException", "out of memory");
        return;
    }
    int64_t start = logs_int_param(c, "startTime", 0), end = logs_int_param(c, "endTime", INT64_MAX);
    const char *token = json_str(c->json, "nextToken");
    int64_t pos_ts = INT64_MIN, pos_id = INT64_MIN;
    if (token && !parse_position(token, &pos_ts, &pos_id)) {
        logs_filter_free(f);
        logs_send_error(c, 400, "InvalidParameterException", "The specified nextToken is invalid.");
        return;
    }
    struct filter_scan scan = {
        .filter = f,
        .names = json_get(c->json, "logStreamNames"),
        .prefix = json_str(c->json, "logStreamNamePrefix"),
        .limit = logs_int_param(c, "limit", 10000),
    };
    struct strbuf sb;
    strbuf_init(&sb);
    jw_init(&scan.w, &sb);
    jw_object_open(&scan.w, NULL);
    jw_array_open(&scan.w, "events");
    enum logs_err err = logs_scan_group(logs_reader(c), c->account, group, start, end, pos_ts, pos_id, filter_event, &scan);
    logs_filter_free(f);
    jw_array_close(&scan.w);
    jw_array_open(&scan.w, "searchedLogStreams");
    jw_array_close(&scan.w);
    if (scan.more) {
        char next[64];
        snprintf(next, sizeof(next), "%" PRId64 ":%" PRId64, scan.last_ts, scan.last_id);
        jw_string(&scan.w, "nextToken", next);
    }
    jw_object_close(&scan.w);
    if (err != LOGS_OK)
        logs_send_store_error(c, err);
    else
        logs_send_json(c, &sb);
    strbuf_free(&sb);
}
