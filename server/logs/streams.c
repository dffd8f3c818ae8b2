/* streams: CreateLogStream, DeleteLogStream and DescribeLogStreams (by
 * name or by last event time; its token is the number of streams already
 * returned). */
#include "server/logs/service.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/config.h"
#include "server/core/server.h"

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

void logs_describe_log_streams(struct logs_call *c)
{
    const char *group = json_str(c->json, "logGroupName");
    const char *prefix = json_str(c->json, "logStreamNamePrefix");
    const char *order = json_str(c->json, "orderBy");
    const char *token = json_str(c->json, "nextToken");
    bool descending = false;
    json_bool(c->json, "descending", &descending);
    int64_t limit = logs_int_param(c, "limit", 50);
    if (!group) {
        logs_missing(c, "logGroupName");
        return;
    }
    bool by_time = order && strcmp(order, "LastEventTime") == 0;
    if (by_time && prefix) {
        logs_send_error(c, 400, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
        return;
    }
    if (!logs_require_group(c, group))
        return;
    int64_t offset = token ? strtoll(token, NULL, 10) : 0;
    struct strbuf sb;
    strbuf_init(&sb);
    struct listing l = {.call = c, .group = group, .limit = limit};
    jw_init(&l.w, &sb);
    jw_object_open(&l.w, NULL);
    jw_array_open(&l.w, "logStreams");
    enum logs_err err = logs_list_streams(logs_reader(c), c->account, group, prefix ? prefix : "", by_time, descending,
                                          offset, describe_stream, &l);
    jw_array_close(&l.w);
    if (l.more) {
        char next[32];
        snprintf(next, sizeof(next), "%" PRId64, offset + l.n);
        jw_string(&l.w, "nextToken", next);
    }
    jw_object_close(&l.w);
    if (err != LOGS_OK)
        logs_send_store_error(c, err);
    else
        logs_send_json(c, &sb);
    strbuf_free(&sb);
}

static void op_stream_write(struct logs_call *c, enum write_kind kind)
{
    const char *group = json_str(c->json, "logGroupName"), *stream = json_str(c->json, "logStreamName");
    if (!group || !stream) {
        logs_missing(c, group ? "logStreamName" : "logGroupName");
        return;
    }
    if (!logs_require_group(c, group))
        return;
    logs_submit(c, logs_new_job(c, kind, group, stream));
}

void logs_create_log_stream(struct logs_call *c) { op_stream_write(c, W_CREATE_STREAM); }
void logs_delete_log_stream(struct logs_call *c) { op_stream_write(c, W_DELETE_STREAM); }
