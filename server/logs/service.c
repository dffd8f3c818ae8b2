/* logs_service: CloudWatch Logs over the JSON 1.1 protocol (X-Amz-Target
 * Logs_20140328.<Operation>), backed by the logs_* tables.
 *
 * Reads run on the loop thread's reader connection; writes go through
 * store_submit and are answered from their completion. Events that other
 * services append with logs_put() are buffered and committed as one job
 * per flush (50 ms after the first pending event, or at once past 2,000
 * events), creating the group and stream when missing; beyond
 * PENDING_BYTES_MAX of buffered text, events are dropped and counted.
 * A sweep every minute deletes events older than their group's retention.
 *
 * FilterLogEvents matches with protocol/logs/filter.c: term, JSON,
 * space-delimited and regular-expression patterns. Paging tokens are positions: "<ts>:<id>" for
 * FilterLogEvents, "f/<ts>:<id>" and "b/<ts>:<id>" for GetLogEvents. */
#include "server/logs/logs.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/logs/filter.h"
#include "protocol/logs/operations.h"
#include "server/core/service.h"
#include "server/core/auth.h"
#include "protocol/core/json.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/store.h"
#include "storage/core/clock.h"
#include "storage/logs/logs_store.h"

#define BODY_MAX (2 * 1024 * 1024)
#define PENDING_BYTES_MAX (16 * 1024 * 1024)
#define FLUSH_DELAY_MS 50
#define FLUSH_EVENTS 2000
#define SWEEP_INTERVAL_S 60
#define FILTER_SCAN_MAX 200000

struct logs_service {
    struct server *srv;
    struct logs_new_event *pending;
    size_t n_pending, cap_pending;
    size_t pending_bytes;
    uint64_t dropped;
    struct event *flush_timer;
    struct event *sweep_timer;
};

struct logs_call {
    struct http_req *req;
    struct logs_service *ls;
    struct strbuf body;
    bool too_large;
    char account[13];
    const struct json_value *json;
    const struct service_op *op;
};

/* ---- answers ------------------------------------------------------------------- */

static void send_json(struct logs_call *c, struct strbuf *sb)
{
    if (strbuf_failed(sb)) {
        static const char oom[] = "{\"__type\":\"ServiceUnavailableException\",\"message\":\"out of memory\"}";
        http_resp_send(c->req, 500, "application/x-amz-json-1.1", oom, sizeof(oom) - 1);
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, 200, "application/x-amz-json-1.1", sb->data ? sb->data : "{}", sb->data ? sb->len : 2);
}

static void send_ok_empty(struct logs_call *c)
{
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, 200, "application/x-amz-json-1.1", "{}", 2);
}

static void send_error(struct logs_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void send_error(struct logs_call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "__type", type);
    jw_string(&w, "message", msg);
    jw_object_close(&w);
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, status, "application/x-amz-json-1.1", sb.data ? sb.data : "{}", sb.data ? sb.len : 2);
    strbuf_free(&sb);
}

static void group_not_found(struct logs_call *c)
{
    send_error(c, 400, "ResourceNotFoundException", "The specified log group does not exist.");
}

static void missing(struct logs_call *c, const char *field)
{
    send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field);
}

/* ---- reads ----------------------------------------------------------------------- */

static struct store_conn *reader(struct logs_call *c)
{
    return store_reader(c->ls->srv->store);
}

/* Answers what storage reported: a missing or existing resource, or a
 * failure to read. */
static void send_store_error(struct logs_call *c, enum logs_err err)
{
    switch (err) {
    case LOGS_ERR_NO_GROUP:
        group_not_found(c);
        break;
    case LOGS_ERR_NO_STREAM:
        send_error(c, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        break;
    case LOGS_ERR_GROUP_EXISTS:
        send_error(c, 400, "ResourceAlreadyExistsException", "The specified log group already exists");
        break;
    case LOGS_ERR_STREAM_EXISTS:
        send_error(c, 400, "ResourceAlreadyExistsException", "The specified log stream already exists");
        break;
    case LOGS_ERR_NOMEM:
        send_error(c, 500, "ServiceUnavailableException", "out of memory");
        break;
    default:
        send_error(c, 500, "ServiceUnavailableException", "The log store could not be read.");
        break;
    }
}

/* Whether the group exists; when not, or when that cannot be read, the
 * answer is sent. */
static bool group_exists(struct logs_call *c, const char *group)
{
    enum logs_err err = logs_group_exists(reader(c), c->account, group);
    if (err != LOGS_OK)
        send_store_error(c, err);
    return err == LOGS_OK;
}

static bool stream_exists(struct logs_call *c, const char *group, const char *stream)
{
    enum logs_err err = logs_stream_exists(reader(c), c->account, group, stream);
    if (err != LOGS_OK)
        send_store_error(c, err);
    return err == LOGS_OK;
}

static void group_arn(struct logs_call *c, const char *group, bool star, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:logs:%s:%s:log-group:%s%s", c->ls->srv->cfg->region, c->account, group,
             star ? ":*" : "");
}

static int64_t int_param(struct logs_call *c, const char *key, int64_t dflt)
{
    int64_t v;
    return json_int(c->json, key, &v) == 1 ? v : dflt;
}

/* A listing being written: its writer, how many entries so far, where to
 * go on. */
struct listing {
    struct logs_call *call;
    const char *group;             /* streams: their group */
    struct json_writer w;
    int64_t n, limit;
    bool more;
    char last[600];
};

static bool describe_group(void *arg, const struct logs_group_info *g)
{
    struct listing *l = arg;
    if (l->n == l->limit) {
        l->more = true;
        return false;
    }
    struct json_writer *w = &l->w;
    char arn[700];
    jw_object_open(w, NULL);
    jw_string(w, "logGroupName", g->name);
    jw_int(w, "creationTime", g->created_ms);
    if (g->retention_days >= 0)
        jw_int(w, "retentionInDays", g->retention_days);
    jw_int(w, "metricFilterCount", 0);
    group_arn(l->call, g->name, true, arn, sizeof(arn));
    jw_string(w, "arn", arn);
    group_arn(l->call, g->name, false, arn, sizeof(arn));
    jw_string(w, "logGroupArn", arn);
    jw_int(w, "storedBytes", g->stored_bytes);
    jw_string(w, "logGroupClass", "STANDARD");
    jw_object_close(w);
    snprintf(l->last, sizeof(l->last), "%s", g->name);
    l->n++;
    return true;
}

static void op_describe_log_groups(struct logs_call *c)
{
    const char *prefix = json_str(c->json, "logGroupNamePrefix");
    const char *pattern = json_str(c->json, "logGroupNamePattern");
    const char *token = json_str(c->json, "nextToken");
    int64_t limit = int_param(c, "limit", 50);
    if (limit < 1 || limit > 50) {
        send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50");
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct listing l = {.call = c, .limit = limit};
    jw_init(&l.w, &sb);
    jw_object_open(&l.w, NULL);
    jw_array_open(&l.w, "logGroups");
    enum logs_err err = logs_list_groups(reader(c), c->account, token ? token : "", prefix ? prefix : "",
                                         pattern ? pattern : "", describe_group, &l);
    jw_array_close(&l.w);
    if (l.more)
        jw_string(&l.w, "nextToken", l.last);
    jw_object_close(&l.w);
    if (err != LOGS_OK)
        send_store_error(c, err);
    else
        send_json(c, &sb);
    strbuf_free(&sb);
}

static bool describe_stream(void *arg, const struct logs_stream_info *s)
{
    struct listing *l = arg;
    if (l->n == l->limit) {
        l->more = true;
        return false;
    }
    struct json_writer *w = &l->w;
    char arn[1200];
    snprintf(arn, sizeof(arn), "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", l->call->ls->srv->cfg->region,
             l->call->account, l->group, s->name);
    jw_object_open(w, NULL);
    jw_string(w, "logStreamName", s->name);
    jw_int(w, "creationTime", s->created_ms);
    if (s->has_events) {
        jw_int(w, "firstEventTimestamp", s->first_ts);
        jw_int(w, "lastEventTimestamp", s->last_ts);
        jw_int(w, "lastIngestionTime", s->last_ingest_ms);
    }
    jw_string(w, "uploadSequenceToken", "1");
    jw_string(w, "arn", arn);
    jw_int(w, "storedBytes", s->stored_bytes);
    jw_object_close(w);
    l->n++;
    return true;
}

static void op_describe_log_streams(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *prefix = json_str(c->json, "logStreamNamePrefix");
    const char *order = json_str(c->json, "orderBy");
    const char *token = json_str(c->json, "nextToken");
    bool descending = false;
    json_bool(c->json, "descending", &descending);
    int64_t limit = int_param(c, "limit", 50);
    if (!group) {
        missing(c, "logGroupName");
        return;
    }
    bool by_time = order && strcmp(order, "LastEventTime") == 0;
    if (by_time && prefix) {
        send_error(c, 400, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
        return;
    }
    if (!group_exists(c, group))
        return;
    int64_t offset = token ? strtoll(token, NULL, 10) : 0;
    struct strbuf sb;
    strbuf_init(&sb);
    struct listing l = {.call = c, .group = group, .limit = limit};
    jw_init(&l.w, &sb);
    jw_object_open(&l.w, NULL);
    jw_array_open(&l.w, "logStreams");
    enum logs_err err = logs_list_streams(reader(c), c->account, group, prefix ? prefix : "", by_time, descending,
                                          offset, describe_stream, &l);
    jw_array_close(&l.w);
    if (l.more) {
        char next[32];
        snprintf(next, sizeof(next), "%" PRId64, offset + l.n);
        jw_string(&l.w, "nextToken", next);
    }
    jw_object_close(&l.w);
    if (err != LOGS_OK)
        send_store_error(c, err);
    else
        send_json(c, &sb);
    strbuf_free(&sb);
}

/* "<ts>:<id>" after an optional prefix; false when malformed. */
static bool parse_position(const char *token, int64_t *ts, int64_t *id)
{
    return sscanf(token, "%" SCNd64 ":%" SCNd64, ts, id) == 2;
}

/* The events GetLogEvents read, in reading order. */
struct event_rows {
    struct row { int64_t id, ts, ingest; char *msg; } *rows;
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
    row->msg = strdup(e->message);
    if (!row->msg) {
        r->oom = true;
        return false;
    }
    r->n++;
    return true;
}

static void op_get_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *stream = json_str(c->json, "logStreamName");
    const char *token = json_str(c->json, "nextToken");
    if (!group || !stream) {
        missing(c, group ? "logStreamName" : "logGroupName");
        return;
    }
    if (!stream_exists(c, group, stream))
        return;
    int64_t start = int_param(c, "startTime", 0), end = int_param(c, "endTime", INT64_MAX);
    int64_t limit = int_param(c, "limit", 10000);
    bool from_head = false;
    json_bool(c->json, "startFromHead", &from_head);
    bool backward = !from_head;
    int64_t pos_ts = backward ? INT64_MAX : INT64_MIN, pos_id = backward ? INT64_MAX : INT64_MIN;
    if (token) {
        if ((token[0] != 'f' && token[0] != 'b') || token[1] != '/' || !parse_position(token + 2, &pos_ts, &pos_id)) {
            send_error(c, 400, "InvalidParameterException", "The specified nextToken is invalid.");
            return;
        }
        backward = token[0] == 'b';
    }
    /* Rows come newest first when reading backward; events are always
     * returned oldest first. */
    struct event_rows read = {0};
    enum logs_err err = logs_read_stream(reader(c), c->account, group, stream, start, end, backward, pos_ts, pos_id,
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
        jw_string(&w, "message", r->msg);
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
        send_store_error(c, err);
    else
        send_json(c, &sb);
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
    if (!stream_selected(f->names, f->prefix, e->stream) || !logs_filter_match(f->filter, e->message))
        return true;
    char id[32];
    snprintf(id, sizeof(id), "%" PRId64, e->id);
    jw_object_open(&f->w, NULL);
    jw_string(&f->w, "logStreamName", e->stream);
    jw_int(&f->w, "timestamp", e->ts);
    jw_string(&f->w, "message", e->message);
    jw_int(&f->w, "ingestionTime", e->ingest_ms);
    jw_string(&f->w, "eventId", id);
    jw_object_close(&f->w);
    f->n++;
    return true;
}

static void op_filter_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *ident = json_str(c->json, "logGroupIdentifier");
    if (!group && ident)
        group = strstr(ident, ":log-group:") ? strstr(ident, ":log-group:") + 11 : ident;
    if (!group) {
        missing(c, "logGroupName");
        return;
    }
    if (!group_exists(c, group))
        return;
    const char *pattern = json_str(c->json, "filterPattern");
    struct logs_filter *f;
    const char *problem;
    switch (logs_filter_parse(pattern ? pattern : "", &f, &problem)) {
    case LOGS_FILTER_OK:
        break;
    case LOGS_FILTER_INVALID:
    case LOGS_FILTER_UNSUPPORTED:
        send_error(c, 400, "InvalidParameterException", "%s", problem);
        return;
    case LOGS_FILTER_NOMEM:
        send_error(c, 500, "ServiceUnavailableException", "out of memory");
        return;
    }
    int64_t start = int_param(c, "startTime", 0), end = int_param(c, "endTime", INT64_MAX);
    const char *token = json_str(c->json, "nextToken");
    int64_t pos_ts = INT64_MIN, pos_id = INT64_MIN;
    if (token && !parse_position(token, &pos_ts, &pos_id)) {
        logs_filter_free(f);
        send_error(c, 400, "InvalidParameterException", "The specified nextToken is invalid.");
        return;
    }
    struct filter_scan scan = {
        .filter = f,
        .names = json_get(c->json, "logStreamNames"),
        .prefix = json_str(c->json, "logStreamNamePrefix"),
        .limit = int_param(c, "limit", 10000),
    };
    struct strbuf sb;
    strbuf_init(&sb);
    jw_init(&scan.w, &sb);
    jw_object_open(&scan.w, NULL);
    jw_array_open(&scan.w, "events");
    enum logs_err err = logs_scan_group(reader(c), c->account, group, start, end, pos_ts, pos_id, filter_event, &scan);
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
        send_store_error(c, err);
    else
        send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- writes ------------------------------------------------------------------------- */

enum write_kind {
    W_CREATE_GROUP, W_DELETE_GROUP, W_RETENTION, W_CREATE_STREAM, W_DELETE_STREAM, W_PUT_EVENTS, W_TAGS,
};

struct write_job {
    struct logs_call *call;        /* NULL for background writes */
    enum write_kind kind;
    char account[13];
    char *group;
    char *stream;
    int64_t retention;             /* -1: none */
    char *tags_json;               /* W_TAGS: the group's complete tags */
    struct logs_new_event *events;  /* W_PUT_EVENTS (account/group/stream per event) */
    size_t n_events;
    enum logs_err err;             /* what apply found */
};

static void free_events(struct logs_new_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ev[i].group);
        free(ev[i].stream);
        free(ev[i].message);
    }
    free(ev);
}

static void write_job_free(struct write_job *j)
{
    free(j->group);
    free(j->stream);
    free(j->tags_json);
    free_events(j->events, j->n_events);
    free(j);
}

static int apply_write(struct store_conn *conn, void *arg)
{
    struct write_job *j = arg;
    int64_t now = clock_now_ms();
    switch (j->kind) {
    case W_CREATE_GROUP:
        j->err = logs_create_group(conn, j->account, j->group, j->tags_json ? j->tags_json : "{}", now);
        break;
    case W_DELETE_GROUP:
        j->err = logs_delete_group(conn, j->account, j->group);
        break;
    case W_RETENTION:
        j->err = logs_set_retention(conn, j->account, j->group, j->retention);
        break;
    case W_TAGS:
        j->err = logs_set_group_tags(conn, j->account, j->group, j->tags_json);
        break;
    case W_CREATE_STREAM:
        j->err = logs_create_stream(conn, j->account, j->group, j->stream, now);
        break;
    case W_DELETE_STREAM:
        j->err = logs_delete_stream(conn, j->account, j->group, j->stream);
        break;
    case W_PUT_EVENTS:
        j->err = logs_put_events(conn, j->events, j->n_events, now);
        break;
    }
    return j->err == LOGS_ERR_STORAGE || j->err == LOGS_ERR_NOMEM ? -1 : 0;
}

static void write_done(void *arg, bool ok)
{
    struct write_job *j = arg;
    struct logs_call *c = j->call;
    if (!c) {
        if (!ok)
            log_warn("logs: %zu buffered events could not be stored", j->n_events);
    } else if (!ok) {
        send_error(c, 500, "ServiceUnavailableException", "The change could not be made durable.");
    } else if (j->err != LOGS_OK) {
        send_store_error(c, j->err);
    } else if (j->kind == W_PUT_EVENTS) {
        static const char body[] = "{\"nextSequenceToken\":\"1\"}";
        http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
        http_resp_send(c->req, 200, "application/x-amz-json-1.1", body, sizeof(body) - 1);
    } else {
        send_ok_empty(c);
    }
    write_job_free(j);
}

static struct write_job *new_job(struct logs_call *c, enum write_kind kind, const char *group, const char *stream)
{
    struct write_job *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->call = c;
    j->kind = kind;
    j->retention = -1;
    memcpy(j->account, c->account, sizeof(j->account));
    j->group = group ? strdup(group) : NULL;
    j->stream = stream ? strdup(stream) : NULL;
    if ((group && !j->group) || (stream && !j->stream)) {
        write_job_free(j);
        return NULL;
    }
    return j;
}

static void submit(struct logs_call *c, struct write_job *j)
{
    if (!j || store_submit(c->ls->srv->store, apply_write, write_done, j) < 0) {
        if (j)
            write_job_free(j);
        send_error(c, 503, "ServiceUnavailableException", "The service is unavailable.");
    }
}

static char *tags_to_json(const struct json_value *tags)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    if (json_is(tags, JSON_OBJECT))
        jw_tree(&w, NULL, tags);
    else
        strbuf_puts(&sb, "{}");
    if (strbuf_failed(&sb)) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

static bool valid_retention(int64_t d)
{
    static const int allowed[] = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                                  2557, 2922, 3288, 3653};
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (allowed[i] == d)
            return true;
    return false;
}

static void op_simple_group_write(struct logs_call *c, enum write_kind kind)
{
    const char *group = json_str(c->json, "logGroupName");
    if (!group || !*group) {
        missing(c, "logGroupName");
        return;
    }
    struct write_job *j = new_job(c, kind, group, NULL);
    if (j && kind == W_CREATE_GROUP && !(j->tags_json = tags_to_json(json_get(c->json, "tags")))) {
        write_job_free(j);
        j = NULL;
    }
    if (j && kind == W_RETENTION && strcmp(c->op->name, "PutRetentionPolicy") == 0) {
        int64_t days = int_param(c, "retentionInDays", -1);
        if (!valid_retention(days)) {
            write_job_free(j);
            send_error(c, 400, "InvalidParameterException",
                       "1 validation error detected: Value at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
            return;
        }
        j->retention = days;
    }
    submit(c, j);
}

static void op_stream_write(struct logs_call *c, enum write_kind kind)
{
    const char *group = json_str(c->json, "logGroupName"), *stream = json_str(c->json, "logStreamName");
    if (!group || !stream) {
        missing(c, group ? "logStreamName" : "logGroupName");
        return;
    }
    if (!group_exists(c, group))
        return;
    submit(c, new_job(c, kind, group, stream));
}

static void op_put_log_events(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName"), *stream = json_str(c->json, "logStreamName");
    const struct json_value *events = json_get(c->json, "logEvents");
    if (!group || !stream || !json_is(events, JSON_ARRAY)) {
        missing(c, !group ? "logGroupName" : !stream ? "logStreamName" : "logEvents");
        return;
    }
    if (!stream_exists(c, group, stream))
        return;
    size_t n = events->len;
    if (n == 0 || n > 10000) {
        send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length between 1 and 10000");
        return;
    }
    struct write_job *j = new_job(c, W_PUT_EVENTS, group, stream);
    if (!j || !(j->events = calloc(n, sizeof(*j->events)))) {
        if (j)
            write_job_free(j);
        send_error(c, 500, "ServiceUnavailableException", "out of memory");
        return;
    }
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const struct json_value *e = &events->u.items[i];
        int64_t ts;
        const char *msg = json_str(e, "message");
        if (json_int(e, "timestamp", &ts) != 1 || !msg) {
            write_job_free(j);
            send_error(c, 400, "InvalidParameterException", "Each log event needs a timestamp and a message.");
            return;
        }
        if (ts < prev) {
            write_job_free(j);
            send_error(c, 400, "InvalidParameterException",
                       "Log events in a single PutLogEvents request must be in chronological order.");
            return;
        }
        prev = ts;
        struct logs_new_event *pe = &j->events[j->n_events++];
        memcpy(pe->account, c->account, sizeof(pe->account));
        pe->group = strdup(group);
        pe->stream = strdup(stream);
        pe->message = strdup(msg);
        pe->len = pe->message ? strlen(pe->message) : 0;
        pe->ts = ts;
        if (!pe->group || !pe->stream || !pe->message) {
            write_job_free(j);
            send_error(c, 500, "ServiceUnavailableException", "out of memory");
            return;
        }
    }
    submit(c, j);
}

/* Tags of a group: read, changed by add/remove, written back whole. */
static void op_group_tags(struct logs_call *c, const char *group, const struct json_value *add, const struct json_value *remove, bool list)
{
    char *text;
    enum logs_err err = logs_get_group_tags(reader(c), c->account, group, &text);
    if (err != LOGS_OK) {
        send_store_error(c, err);
        return;
    }
    const struct json_value *tags = json_parse(text, strlen(text), NULL);
    free(text);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (list)
        jw_object_open(&w, "tags");
    size_t n_old = json_is(tags, JSON_OBJECT) ? tags->len : 0;
    for (size_t i = 0; i < n_old; i++) {
        const char *k = tags->u.members[i].key;
        bool dropped = json_get(add, k) != NULL;
        for (size_t r = 0; json_is(remove, JSON_ARRAY) && r < remove->len; r++)
            if (json_is(&remove->u.items[r], JSON_STRING) && strcmp(remove->u.items[r].u.str, k) == 0)
                dropped = true;
        if (!dropped)
            jw_tree(&w, k, &tags->u.members[i].value);
    }
    for (size_t i = 0; json_is(add, JSON_OBJECT) && i < add->len; i++)
        jw_tree(&w, add->u.members[i].key, &add->u.members[i].value);
    if (list)
        jw_object_close(&w);
    jw_object_close(&w);
    json_free(tags);
    if (list) {
        send_json(c, &sb);
        strbuf_free(&sb);
        return;
    }
    struct write_job *j = strbuf_failed(&sb) ? NULL : new_job(c, W_TAGS, group, NULL);
    if (j)
        j->tags_json = strbuf_detach(&sb, NULL);
    strbuf_free(&sb);
    submit(c, j);
}

/* A log group ARN (with or without ":*") -> its name, or NULL. */
static const char *group_of_arn(const char *arn)
{
    const char *p = arn ? strstr(arn, ":log-group:") : NULL;
    return p ? p + 11 : NULL;
}

/* TagResource and friends name the group by its ARN. */
static bool resource_group(struct logs_call *c, char group[600])
{
    const char *name = group_of_arn(json_str(c->json, "resourceArn"));
    if (!name) {
        send_error(c, 400, "InvalidParameterException", "The specified resourceArn is not a log group ARN.");
        return false;
    }
    snprintf(group, 600, "%s", name);
    size_t len = strlen(group);
    if (len >= 2 && strcmp(group + len - 2, ":*") == 0)
        group[len - 2] = '\0';
    return true;
}

/* The legacy tag operations name the group by logGroupName. */
static const char *named_group(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    if (!group)
        missing(c, "logGroupName");
    return group;
}

/* ---- the operations (protocol/logs/operations.h) ---------------------------------- */

static void logs_create_log_group(struct logs_call *c) { op_simple_group_write(c, W_CREATE_GROUP); }
static void logs_delete_log_group(struct logs_call *c) { op_simple_group_write(c, W_DELETE_GROUP); }
static void logs_describe_log_groups(struct logs_call *c) { op_describe_log_groups(c); }
static void logs_put_retention_policy(struct logs_call *c) { op_simple_group_write(c, W_RETENTION); }
static void logs_delete_retention_policy(struct logs_call *c) { op_simple_group_write(c, W_RETENTION); }
static void logs_create_log_stream(struct logs_call *c) { op_stream_write(c, W_CREATE_STREAM); }
static void logs_delete_log_stream(struct logs_call *c) { op_stream_write(c, W_DELETE_STREAM); }
static void logs_describe_log_streams(struct logs_call *c) { op_describe_log_streams(c); }
static void logs_put_log_events(struct logs_call *c) { op_put_log_events(c); }
static void logs_get_log_events(struct logs_call *c) { op_get_log_events(c); }
static void logs_filter_log_events(struct logs_call *c) { op_filter_log_events(c); }

static void logs_list_tags_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, NULL, NULL, true);
}

static void logs_tag_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, json_get(c->json, "tags"), NULL, false);
}

static void logs_untag_log_group(struct logs_call *c)
{
    const char *group = named_group(c);
    if (group)
        op_group_tags(c, group, NULL, json_get(c->json, "tags"), false);
}

static void logs_list_tags_for_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, NULL, NULL, true);
}

static void logs_tag_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, json_get(c->json, "tags"), NULL, false);
}

static void logs_untag_resource(struct logs_call *c)
{
    char group[600];
    if (resource_group(c, group))
        op_group_tags(c, group, NULL, json_get(c->json, "tagKeys"), false);
}

#define LOGS_HANDLER(name, family, action, handler) handler,
static void (*const handlers[])(struct logs_call *) = {LOGS_OPERATIONS(LOGS_HANDLER)};
#define LOGS_OP(name, family, action, handler) {#name, #family, action},
static const struct service_op ops[] = {LOGS_OPERATIONS(LOGS_OP)};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static bool authenticate(struct logs_call *c)
{
    const char *type, *message;
    if (auth_check_json(c->ls->srv, c->req, &c->body, c->account, &type, &message))
        return true;
    send_error(c, 400, type, "%s", message);
    return false;
}

static void call_cleanup(struct http_req *req)
{
    struct logs_call *c = req->handler;
    if (!c)
        return;
    strbuf_free(&c->body);
    json_free(c->json);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct logs_call *c = req->handler;
    if (c->body.len + len > BODY_MAX)
        c->too_large = true;
    else
        strbuf_append(&c->body, data, len);
    return 0;
}

static void body_done(struct http_req *req)
{
    struct logs_call *c = req->handler;
    if (c->too_large) {
        send_error(c, 413, "InvalidParameterException", "The request body is larger than %d bytes.", BODY_MAX);
        return;
    }
    if (!authenticate(c))
        return;
    c->json = json_parse(c->body.data ? c->body.data : "{}", c->body.data ? c->body.len : 2, NULL);
    if (!json_is(c->json, JSON_OBJECT) || strbuf_failed(&c->body)) {
        send_error(c, 400, "SerializationException", "The request body is not a JSON object.");
        return;
    }
    handlers[c->op - ops](c);
}

static bool logs_claims_request(const struct http_req *req)
{
    const char *target = http_req_header(req, "x-amz-target");
    return req->srv->logs && target && strncmp(target, LOGS_TARGET_PREFIX, sizeof(LOGS_TARGET_PREFIX) - 1) == 0;
}

static void logs_handle_request(struct http_req *req)
{
    const char *name = http_req_header(req, "x-amz-target") + sizeof(LOGS_TARGET_PREFIX) - 1;
    const struct service_op *op = service_find_op(&logs_service_def, name, strlen(name));
    if (!op) {
        service_not_implemented(req, SERVICE_JSON, logs_service_def.title, name);
        return;
    }
    struct logs_call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->ls = req->srv->logs;
    c->op = op;
    strbuf_init(&c->body);
    req->handler = c;
    req->cleanup = call_cleanup;
    req->op_name = op->name;
    http_req_read_body(req, body_sink, body_done);
}

/* ---- the buffered writer ----------------------------------------------------------------- */

static void flush(struct logs_service *ls)
{
    if (!ls->n_pending)
        return;
    struct write_job *j = calloc(1, sizeof(*j));
    if (!j)
        return;
    j->kind = W_PUT_EVENTS;
    j->events = ls->pending;
    j->n_events = ls->n_pending;
    ls->pending = NULL;
    ls->n_pending = ls->cap_pending = 0;
    ls->pending_bytes = 0;
    if (store_submit(ls->srv->store, apply_write, write_done, j) < 0) {
        log_warn("logs: %zu events could not be queued for storage", j->n_events);
        write_job_free(j);
    }
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    flush(arg);
}

void logs_put(struct logs_service *ls, const char *account, const char *group, const char *stream,
              int64_t ts_ms, const char *msg, size_t len)
{
    if (!ls)
        return;
    if (ls->pending_bytes + len > PENDING_BYTES_MAX) {
        if (ls->dropped++ % 10000 == 0)
            log_warn("logs: writer behind; %" PRIu64 " events dropped so far", ls->dropped);
        return;
    }
    if (ls->n_pending == ls->cap_pending) {
        size_t cap = ls->cap_pending ? ls->cap_pending * 2 : 256;
        struct logs_new_event *grown = realloc(ls->pending, cap * sizeof(*grown));
        if (!grown)
            return;
        ls->pending = grown;
        ls->cap_pending = cap;
    }
    struct logs_new_event *e = &ls->pending[ls->n_pending];
    snprintf(e->account, sizeof(e->account), "%s", account);
    e->group = strdup(group);
    e->stream = strdup(stream);
    e->message = strndup(msg, len);
    e->len = e->message ? strlen(e->message) : 0;
    e->ts = ts_ms;
    if (!e->group || !e->stream || !e->message) {
        free(e->group);
        free(e->stream);
        free(e->message);
        return;
    }
    ls->n_pending++;
    ls->pending_bytes += len;
    if (ls->n_pending >= FLUSH_EVENTS) {
        flush(ls);
    } else if (ls->n_pending == 1) {
        struct timeval tv = {0, FLUSH_DELAY_MS * 1000};
        evtimer_add(ls->flush_timer, &tv);
    }
}

static int apply_sweep(struct store_conn *conn, void *arg)
{
    (void)arg;
    return logs_expire_events(conn, clock_now_ms()) == LOGS_OK ? 0 : -1;
}

static void sweep_done(void *arg, bool ok)
{
    (void)arg;
    if (!ok)
        log_warn("logs: the retention sweep failed");
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct logs_service *ls = arg;
    if (store_submit(ls->srv->store, apply_sweep, sweep_done, ls) < 0)
        log_warn("logs: could not schedule the retention sweep");
}

struct logs_service *logs_service_new(struct server *srv, char *err, size_t errlen)
{
    struct logs_service *ls = calloc(1, sizeof(*ls));
    if (!ls) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ls->srv = srv;
    ls->flush_timer = evtimer_new(srv->base, on_flush, ls);
    ls->sweep_timer = event_new(srv->base, -1, EV_PERSIST, on_sweep, ls);
    if (!ls->flush_timer || !ls->sweep_timer) {
        snprintf(err, errlen, "cannot create the logs timers");
        logs_service_free(ls);
        return NULL;
    }
    struct timeval every = {SWEEP_INTERVAL_S, 0};
    event_add(ls->sweep_timer, &every);
    return ls;
}

void logs_service_flush(struct logs_service *ls)
{
    if (ls)
        flush(ls);
}

void logs_service_free(struct logs_service *ls)
{
    if (!ls)
        return;
    free_events(ls->pending, ls->n_pending);
    if (ls->flush_timer)
        event_free(ls->flush_timer);
    if (ls->sweep_timer)
        event_free(ls->sweep_timer);
    free(ls);
}

const struct service_def logs_service_def = {
    .name = "logs",
    .title = "CloudWatch Logs",
    .protocol = SERVICE_JSON,
    .ops = ops,
    .n_ops = N_OPS,
    .claims = logs_claims_request,
    .handle = logs_handle_request,
};
