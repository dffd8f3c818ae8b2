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
#include "storage/core/store_internal.h"
#include "storage/core/clock.h"

#define BODY_MAX (2 * 1024 * 1024)
#define PENDING_BYTES_MAX (16 * 1024 * 1024)
#define FLUSH_DELAY_MS 50
#define FLUSH_EVENTS 2000
#define SWEEP_INTERVAL_S 60
#define FILTER_SCAN_MAX 200000

struct pending_event {
    char account[13];
    char *group;
    char *stream;
    int64_t ts;
    char *msg;
    void (*done)(void *arg, bool ok);  /* logs_put_acked: told once the event is stored */
    void *done_arg;
};

struct logs_service {
    struct server *srv;
    struct pending_event *pending;
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

static sqlite3_stmt *prepare(struct logs_call *c, const char *sql)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(store_reader(c->ls->srv->store)->db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite3_finalize(s);
        send_error(c, 500, "ServiceUnavailableException", "The log store could not be read.");
        return NULL;
    }
    return s;
}

static bool group_exists(struct logs_call *c, const char *group, bool *exists)
{
    sqlite3_stmt *s = prepare(c, "SELECT 1 FROM logs_groups WHERE account = ?1 AND name = ?2");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    *exists = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return true;
}

static bool stream_exists(struct logs_call *c, const char *group, const char *stream, bool *exists)
{
    sqlite3_stmt *s = prepare(c, "SELECT 1 FROM logs_streams WHERE account = ?1 AND grp = ?2 AND name = ?3");
    if (!s)
        return false;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, stream, -1, SQLITE_STATIC);
    *exists = sqlite3_step(s) == SQLITE_ROW;
    sqlite3_finalize(s);
    return true;
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
    sqlite3_stmt *s = prepare(c, "SELECT g.name, g.created_ms, g.retention_days,"
                                 " (SELECT coalesce(sum(stored_bytes), 0) FROM logs_streams st"
                                 "  WHERE st.account = g.account AND st.grp = g.name)"
                                 " FROM logs_groups g WHERE g.account = ?1 AND g.name > ?2"
                                 " AND substr(g.name, 1, length(?3)) = ?3 AND instr(g.name, ?4) > 0 ORDER BY g.name");
    if (!s)
        return;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, token ? token : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, prefix ? prefix : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, pattern ? pattern : "", -1, SQLITE_STATIC);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "logGroups");
    int64_t n = 0;
    char last[600] = "";
    bool more = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        const char *name = (const char *)sqlite3_column_text(s, 0);
        char arn[700];
        jw_object_open(&w, NULL);
        jw_string(&w, "logGroupName", name);
        jw_int(&w, "creationTime", sqlite3_column_int64(s, 1));
        if (sqlite3_column_type(s, 2) != SQLITE_NULL)
            jw_int(&w, "retentionInDays", sqlite3_column_int64(s, 2));
        jw_int(&w, "metricFilterCount", 0);
        group_arn(c, name, true, arn, sizeof(arn));
        jw_string(&w, "arn", arn);
        group_arn(c, name, false, arn, sizeof(arn));
        jw_string(&w, "logGroupArn", arn);
        jw_int(&w, "storedBytes", sqlite3_column_int64(s, 3));
        jw_string(&w, "logGroupClass", "STANDARD");
        jw_object_close(&w);
        snprintf(last, sizeof(last), "%s", name);
        n++;
    }
    sqlite3_finalize(s);
    jw_array_close(&w);
    if (more)
        jw_string(&w, "nextToken", last);
    jw_object_close(&w);
    send_json(c, &sb);
    strbuf_free(&sb);
}

static void op_describe_log_streams(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *prefix = json_str(c->json, "logStreamNamePrefix");
    const char *order = json_str(c->json, "orderBy");
    const char *token = json_str(c->json, "nextToken");
    bool descending = false, exists = false;
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
    if (!group_exists(c, group, &exists))
        return;
    if (!exists) {
        group_not_found(c);
        return;
    }
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT name, created_ms, first_ts, last_ts, last_ingest_ms, stored_bytes FROM logs_streams"
             " WHERE account = ?1 AND grp = ?2 AND substr(name, 1, length(?3)) = ?3 ORDER BY %s %s LIMIT -1 OFFSET ?4",
             by_time ? "coalesce(last_ts, 0)" : "name", descending ? "DESC" : "ASC");
    sqlite3_stmt *s = prepare(c, sql);
    if (!s)
        return;
    int64_t offset = token ? strtoll(token, NULL, 10) : 0;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, prefix ? prefix : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, offset);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "logStreams");
    int64_t n = 0;
    bool more = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == limit) {
            more = true;
            break;
        }
        const char *name = (const char *)sqlite3_column_text(s, 0);
        char arn[1200];
        snprintf(arn, sizeof(arn), "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", c->ls->srv->cfg->region,
                 c->account, group, name);
        jw_object_open(&w, NULL);
        jw_string(&w, "logStreamName", name);
        jw_int(&w, "creationTime", sqlite3_column_int64(s, 1));
        if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
            jw_int(&w, "firstEventTimestamp", sqlite3_column_int64(s, 2));
            jw_int(&w, "lastEventTimestamp", sqlite3_column_int64(s, 3));
            jw_int(&w, "lastIngestionTime", sqlite3_column_int64(s, 4));
        }
        jw_string(&w, "uploadSequenceToken", "1");
        jw_string(&w, "arn", arn);
        jw_int(&w, "storedBytes", sqlite3_column_int64(s, 5));
        jw_object_close(&w);
        n++;
    }
    sqlite3_finalize(s);
    jw_array_close(&w);
    if (more) {
        char next[32];
        snprintf(next, sizeof(next), "%" PRId64, offset + n);
        jw_string(&w, "nextToken", next);
    }
    jw_object_close(&w);
    send_json(c, &sb);
    strbuf_free(&sb);
}

/* "<ts>:<id>" after an optional prefix; false when malformed. */
static bool parse_position(const char *token, int64_t *ts, int64_t *id)
{
    return sscanf(token, "%" SCNd64 ":%" SCNd64, ts, id) == 2;
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
    bool exists = false;
    if (!stream_exists(c, group, stream, &exists))
        return;
    if (!exists) {
        send_error(c, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        return;
    }
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
    const char *sql = backward
        ? "SELECT id, ts, ingest_ms, message FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3"
          " AND ts >= ?4 AND ts < ?5 AND (ts < ?6 OR (ts = ?6 AND id < ?7)) ORDER BY ts DESC, id DESC LIMIT ?8"
        : "SELECT id, ts, ingest_ms, message FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3"
          " AND ts >= ?4 AND ts < ?5 AND (ts > ?6 OR (ts = ?6 AND id > ?7)) ORDER BY ts, id LIMIT ?8";
    sqlite3_stmt *s = prepare(c, sql);
    if (!s)
        return;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, stream, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, start);
    sqlite3_bind_int64(s, 5, end);
    sqlite3_bind_int64(s, 6, pos_ts);
    sqlite3_bind_int64(s, 7, pos_id);
    sqlite3_bind_int64(s, 8, limit);
    /* Rows come newest first when reading backward; events are always
     * returned oldest first. */
    struct row { int64_t id, ts, ingest; char *msg; } *rows = NULL;
    size_t n = 0, cap = 0;
    bool oom = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct row *grown = realloc(rows, cap * sizeof(*rows));
            if (!grown) {
                oom = true;
                break;
            }
            rows = grown;
        }
        rows[n].id = sqlite3_column_int64(s, 0);
        rows[n].ts = sqlite3_column_int64(s, 1);
        rows[n].ingest = sqlite3_column_int64(s, 2);
        rows[n].msg = strdup((const char *)sqlite3_column_text(s, 3));
        if (!rows[n].msg) {
            oom = true;
            break;
        }
        n++;
    }
    sqlite3_finalize(s);
    struct strbuf sb;
    strbuf_init(&sb);
    if (oom)
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
    bool exists = false;
    if (!group_exists(c, group, &exists))
        return;
    if (!exists) {
        group_not_found(c);
        return;
    }
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
    const struct json_value *names = json_get(c->json, "logStreamNames");
    const char *prefix = json_str(c->json, "logStreamNamePrefix");
    int64_t start = int_param(c, "startTime", 0), end = int_param(c, "endTime", INT64_MAX);
    int64_t limit = int_param(c, "limit", 10000);
    const char *token = json_str(c->json, "nextToken");
    int64_t pos_ts = INT64_MIN, pos_id = INT64_MIN;
    if (token && !parse_position(token, &pos_ts, &pos_id)) {
        logs_filter_free(f);
        send_error(c, 400, "InvalidParameterException", "The specified nextToken is invalid.");
        return;
    }
    sqlite3_stmt *s = prepare(c, "SELECT id, stream, ts, ingest_ms, message FROM logs_events"
                                 " WHERE account = ?1 AND grp = ?2 AND ts >= ?3 AND ts <= ?4"
                                 " AND (ts > ?5 OR (ts = ?5 AND id > ?6)) ORDER BY ts, id");
    if (!s) {
        logs_filter_free(f);
        return;
    }
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, start);
    sqlite3_bind_int64(s, 4, end);
    sqlite3_bind_int64(s, 5, pos_ts);
    sqlite3_bind_int64(s, 6, pos_id);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "events");
    int64_t n = 0, scanned = 0, last_ts = 0, last_id = 0;
    bool more = false;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (n == limit || scanned == FILTER_SCAN_MAX) {
            more = true;
            break;
        }
        scanned++;
        last_id = sqlite3_column_int64(s, 0);
        last_ts = sqlite3_column_int64(s, 2);
        const char *stream = (const char *)sqlite3_column_text(s, 1);
        const char *msg = (const char *)sqlite3_column_text(s, 4);
        if (!stream_selected(names, prefix, stream) || !logs_filter_match(f, msg))
            continue;
        char id[32];
        snprintf(id, sizeof(id), "%" PRId64, last_id);
        jw_object_open(&w, NULL);
        jw_string(&w, "logStreamName", stream);
        jw_int(&w, "timestamp", last_ts);
        jw_string(&w, "message", msg);
        jw_int(&w, "ingestionTime", sqlite3_column_int64(s, 3));
        jw_string(&w, "eventId", id);
        jw_object_close(&w);
        n++;
    }
    sqlite3_finalize(s);
    logs_filter_free(f);
    jw_array_close(&w);
    jw_array_open(&w, "searchedLogStreams");
    jw_array_close(&w);
    if (more) {
        char next[64];
        snprintf(next, sizeof(next), "%" PRId64 ":%" PRId64, last_ts, last_id);
        jw_string(&w, "nextToken", next);
    }
    jw_object_close(&w);
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
    struct pending_event *events;  /* W_PUT_EVENTS (account/group/stream per event) */
    size_t n_events;
    bool missing;                  /* apply found no such group/stream */
    bool exists;                   /* apply found it already there */
};

static void free_events(struct pending_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ev[i].group);
        free(ev[i].stream);
        free(ev[i].msg);
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

static int exec_bind(struct store_conn *conn, const char *sql, const char *a, const char *b, const char *c3, int64_t i4)
{
    sqlite3_stmt *s = db_stmt(conn, sql);
    int rc = -1;
    if (s) {
        if (a)
            sqlite3_bind_text(s, 1, a, -1, SQLITE_STATIC);
        if (b)
            sqlite3_bind_text(s, 2, b, -1, SQLITE_STATIC);
        if (c3)
            sqlite3_bind_text(s, 3, c3, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, i4);
        if (sqlite3_step(s) == SQLITE_DONE)
            rc = 0;
    }
    sqlite3_reset(s);
    return rc < 0 ? -1 : sqlite3_changes(conn->db);
}

/* A stream a batch of events goes to: what its row's statistics gain. */
struct stream_batch {
    const struct pending_event *first;     /* names the stream */
    int64_t min_ts, max_ts, bytes;
};

static bool same_stream(const struct pending_event *a, const struct pending_event *b)
{
    return strcmp(a->account, b->account) == 0 && strcmp(a->group, b->group) == 0 &&
           strcmp(a->stream, b->stream) == 0;
}

/* Inserts the events; each stream they go to is created if missing and its
 * statistics updated once for the batch, not once per event. */
static int insert_events(struct store_conn *conn, struct write_job *j)
{
    int64_t now = clock_now_ms();
    struct stream_batch *streams = NULL;
    size_t n_streams = 0, cap_streams = 0;
    int rc = 0;
    for (size_t i = 0; i < j->n_events && rc == 0; i++) {
        const struct pending_event *e = &j->events[i];
        struct stream_batch *b = NULL;
        for (size_t k = n_streams; k > 0 && !b; k--)
            if (same_stream(streams[k - 1].first, e))
                b = &streams[k - 1];
        if (!b) {
            if (n_streams == cap_streams) {
                size_t cap = cap_streams ? cap_streams * 2 : 16;
                struct stream_batch *grown = realloc(streams, cap * sizeof(*grown));
                if (!grown) {
                    rc = -1;
                    break;
                }
                streams = grown;
                cap_streams = cap;
            }
            if (exec_bind(conn, "INSERT OR IGNORE INTO logs_groups(account, name, created_ms) VALUES (?1, ?2, ?4)",
                          e->account, e->group, NULL, now) < 0 ||
                exec_bind(conn, "INSERT OR IGNORE INTO logs_streams(account, grp, name, created_ms) VALUES (?1, ?2, ?3, ?4)",
                          e->account, e->group, e->stream, now) < 0) {
                rc = -1;
                break;
            }
            b = &streams[n_streams++];
            *b = (struct stream_batch){e, e->ts, e->ts, 0};
        }
        if (e->ts < b->min_ts)
            b->min_ts = e->ts;
        if (e->ts > b->max_ts)
            b->max_ts = e->ts;
        b->bytes += (int64_t)strlen(e->msg);
        sqlite3_stmt *s = db_stmt(conn, "INSERT INTO logs_events(account, grp, stream, ts, ingest_ms, message)"
                                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        bool ok = s && sqlite3_bind_text(s, 1, e->account, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 2, e->group, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 3, e->stream, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 4, e->ts) == SQLITE_OK && sqlite3_bind_int64(s, 5, now) == SQLITE_OK &&
                  sqlite3_bind_text(s, 6, e->msg, -1, SQLITE_STATIC) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            rc = -1;
    }
    for (size_t k = 0; k < n_streams && rc == 0; k++) {
        const struct stream_batch *b = &streams[k];
        sqlite3_stmt *s = db_stmt(conn, "UPDATE logs_streams SET first_ts = min(coalesce(first_ts, ?4), ?4),"
                                         " last_ts = max(coalesce(last_ts, ?7), ?7), last_ingest_ms = ?5,"
                                         " stored_bytes = stored_bytes + ?6 WHERE account = ?1 AND grp = ?2 AND name = ?3");
        bool ok = s && sqlite3_bind_text(s, 1, b->first->account, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 2, b->first->group, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_text(s, 3, b->first->stream, -1, SQLITE_STATIC) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 4, b->min_ts) == SQLITE_OK && sqlite3_bind_int64(s, 5, now) == SQLITE_OK &&
                  sqlite3_bind_int64(s, 6, b->bytes) == SQLITE_OK && sqlite3_bind_int64(s, 7, b->max_ts) == SQLITE_OK &&
                  sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        if (!ok)
            rc = -1;
    }
    free(streams);
    return rc;
}

static int apply_write(struct store_conn *conn, void *arg)
{
    struct write_job *j = arg;
    int64_t now = clock_now_ms();
    int rc;
    switch (j->kind) {
    case W_CREATE_GROUP:
        rc = exec_bind(conn, "INSERT OR IGNORE INTO logs_groups(account, name, created_ms, tags) VALUES (?1, ?2, ?4, ?3)",
                       j->account, j->group, j->tags_json ? j->tags_json : "{}", now);
        j->exists = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_DELETE_GROUP:
        if (exec_bind(conn, "DELETE FROM logs_events WHERE account = ?1 AND grp = ?2", j->account, j->group, NULL, 0) < 0 ||
            exec_bind(conn, "DELETE FROM logs_streams WHERE account = ?1 AND grp = ?2", j->account, j->group, NULL, 0) < 0)
            return -1;
        rc = exec_bind(conn, "DELETE FROM logs_groups WHERE account = ?1 AND name = ?2", j->account, j->group, NULL, 0);
        j->missing = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_RETENTION:
        rc = j->retention < 0
                 ? exec_bind(conn, "UPDATE logs_groups SET retention_days = NULL WHERE account = ?1 AND name = ?2",
                             j->account, j->group, NULL, 0)
                 : exec_bind(conn, "UPDATE logs_groups SET retention_days = ?4 WHERE account = ?1 AND name = ?2",
                             j->account, j->group, NULL, j->retention);
        j->missing = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_TAGS:
        rc = exec_bind(conn, "UPDATE logs_groups SET tags = ?3 WHERE account = ?1 AND name = ?2", j->account,
                       j->group, j->tags_json, 0);
        j->missing = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_CREATE_STREAM:
        rc = exec_bind(conn, "INSERT OR IGNORE INTO logs_streams(account, grp, name, created_ms) VALUES (?1, ?2, ?3, ?4)",
                       j->account, j->group, j->stream, now);
        j->exists = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_DELETE_STREAM:
        if (exec_bind(conn, "DELETE FROM logs_events WHERE account = ?1 AND grp = ?2 AND stream = ?3", j->account,
                      j->group, j->stream, 0) < 0)
            return -1;
        rc = exec_bind(conn, "DELETE FROM logs_streams WHERE account = ?1 AND grp = ?2 AND name = ?3", j->account,
                       j->group, j->stream, 0);
        j->missing = rc == 0;
        return rc < 0 ? -1 : 0;
    case W_PUT_EVENTS:
        return insert_events(conn, j);
    }
    return -1;
}

/* Tells the writers of buffered events that asked whether they were stored. */
static void acknowledge(struct pending_event *events, size_t n, bool ok)
{
    for (size_t i = 0; i < n; i++)
        if (events[i].done)
            events[i].done(events[i].done_arg, ok);
}

static void write_done(void *arg, bool ok)
{
    struct write_job *j = arg;
    struct logs_call *c = j->call;
    if (!c) {
        if (!ok)
            log_warn("logs: %zu buffered events could not be stored", j->n_events);
        acknowledge(j->events, j->n_events, ok);
    } else if (!ok) {
        send_error(c, 500, "ServiceUnavailableException", "The change could not be made durable.");
    } else if (j->exists) {
        send_error(c, 400, "ResourceAlreadyExistsException", j->kind == W_CREATE_GROUP
                   ? "The specified log group already exists" : "The specified log stream already exists");
    } else if (j->missing) {
        if (j->kind == W_DELETE_STREAM)
            send_error(c, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        else
            group_not_found(c);
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
    bool exists = false;
    if (!group_exists(c, group, &exists))
        return;
    if (!exists) {
        group_not_found(c);
        return;
    }
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
    bool exists = false;
    if (!stream_exists(c, group, stream, &exists))
        return;
    if (!exists) {
        send_error(c, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        return;
    }
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
        struct pending_event *pe = &j->events[j->n_events++];
        memcpy(pe->account, c->account, sizeof(pe->account));
        pe->group = strdup(group);
        pe->stream = strdup(stream);
        pe->msg = strdup(msg);
        pe->ts = ts;
        if (!pe->group || !pe->stream || !pe->msg) {
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
    sqlite3_stmt *s = prepare(c, "SELECT tags FROM logs_groups WHERE account = ?1 AND name = ?2");
    if (!s)
        return;
    sqlite3_bind_text(s, 1, c->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, group, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_finalize(s);
        group_not_found(c);
        return;
    }
    const char *text = (const char *)sqlite3_column_text(s, 0);
    const struct json_value *tags = json_parse(text ? text : "{}", text ? strlen(text) : 2, NULL);
    sqlite3_finalize(s);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, list ? NULL : NULL);
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
        acknowledge(j->events, j->n_events, false);
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
    logs_put_acked(ls, account, group, stream, ts_ms, msg, len, NULL, NULL);
}

void logs_put_acked(struct logs_service *ls, const char *account, const char *group, const char *stream,
                    int64_t ts_ms, const char *msg, size_t len, void (*done)(void *arg, bool ok), void *arg)
{
    if (!ls) {
        if (done)
            done(arg, false);
        return;
    }
    if (ls->pending_bytes + len > PENDING_BYTES_MAX) {
        if (ls->dropped++ % 10000 == 0)
            log_warn("logs: writer behind; %" PRIu64 " events dropped so far", ls->dropped);
        if (done)
            done(arg, false);
        return;
    }
    if (ls->n_pending == ls->cap_pending) {
        size_t cap = ls->cap_pending ? ls->cap_pending * 2 : 256;
        struct pending_event *grown = realloc(ls->pending, cap * sizeof(*grown));
        if (!grown) {
            if (done)
                done(arg, false);
            return;
        }
        ls->pending = grown;
        ls->cap_pending = cap;
    }
    struct pending_event *e = &ls->pending[ls->n_pending];
    snprintf(e->account, sizeof(e->account), "%s", account);
    e->group = strdup(group);
    e->stream = strdup(stream);
    e->msg = strndup(msg, len);
    e->ts = ts_ms;
    e->done = done;
    e->done_arg = arg;
    if (!e->group || !e->stream || !e->msg) {
        free(e->group);
        free(e->stream);
        free(e->msg);
        if (done)
            done(arg, false);
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
    sqlite3 *db = conn->db;
    (void)arg;
    int64_t now = clock_now_ms();
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(db, "DELETE FROM logs_events WHERE id IN (SELECT e.id FROM logs_events e"
                                    " JOIN logs_groups g ON g.account = e.account AND g.name = e.grp"
                                    " WHERE g.retention_days IS NOT NULL AND e.ts < ?1 - g.retention_days * 86400000)",
                                -1, &s, NULL) == SQLITE_OK &&
             sqlite3_bind_int64(s, 1, now) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_finalize(s);
    return ok ? 0 : -1;
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
