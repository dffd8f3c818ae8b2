/* logs_service: CloudWatch Logs as the server runs it, and the private
 * interface its files share.
 *
 *   server/logs/service.c  the request path: claim, body, authentication,
 *                          the operation's handler from the table
 *                          (protocol/logs/operations.h); AWS-style answers;
 *                          write jobs queued to the group commit and
 *                          answered from their completion
 *   server/logs/groups.c   Create/Delete/DescribeLogGroups, retention
 *   server/logs/streams.c  Create/Delete/DescribeLogStreams
 *   server/logs/events.c   PutLogEvents, GetLogEvents, FilterLogEvents
 *   server/logs/tags.c     the tag operations, by group name or ARN
 *   server/logs/intake.c   the service's life: the buffered writer other
 *                          services use through logs_put(), and the
 *                          retention sweep
 *
 * State is in storage/logs/ (logs_store.h). Reads run on the loop thread's
 * reader connection; writes go through store_submit and are answered once
 * durable. */
#ifndef CLOUDLESS_SERVER_LOGS_SERVICE_H
#define CLOUDLESS_SERVER_LOGS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/logs/operations.h"
#include "server/core/service.h"
#include "server/logs/logs.h"
#include "storage/logs/logs_store.h"

struct event;
struct http_req;

/* Who to tell once a buffered event is stored (logs_put_acked), if anyone. */
struct logs_ack {
    void (*done)(void *arg, bool ok);
    void *arg;
};

struct logs_service {
    struct server *srv;
    struct logs_new_event *pending;
    struct logs_ack *pending_acks;     /* beside pending, same indexes */
    size_t n_pending, cap_pending;
    size_t pending_bytes;
    uint64_t dropped;
    struct event *flush_timer;
    struct event *sweep_timer;
};

/* One request being served. */
struct logs_call {
    struct http_req *req;
    struct logs_service *ls;
    struct strbuf body;
    bool too_large;
    char account[13];
    const struct json_value *json;
    const struct service_op *op;
};

/* The handlers of the table, one per operation, in their families' files. */
#define LOGS_HANDLER_DECLARATION(name, family, action, handler) void handler(struct logs_call *c);
LOGS_OPERATIONS(LOGS_HANDLER_DECLARATION)
#undef LOGS_HANDLER_DECLARATION

/* ---- answers (service.c) --------------------------------------------------------- */

/* 200 with the JSON in sb; a 500 when sb ran out of memory. */
void logs_send_json(struct logs_call *c, struct strbuf *sb);
void logs_send_error(struct logs_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* InvalidParameterException for a required member that is absent. */
void logs_missing(struct logs_call *c, const char *field);
/* Answers what storage reported: a missing or existing resource, or a
 * failure to read. */
void logs_send_store_error(struct logs_call *c, enum logs_err err);

/* ---- request parameters and reads (service.c) ------------------------------------- */

int64_t logs_int_param(struct logs_call *c, const char *key, int64_t dflt);
/* The reader connection, for storage's reads. */
struct store_conn *logs_reader(struct logs_call *c);
/* Whether the group (stream) exists; when not, or when that cannot be
 * read, the answer is sent. */
bool logs_require_group(struct logs_call *c, const char *group);
bool logs_require_stream(struct logs_call *c, const char *group, const char *stream);

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

/* ---- writes (service.c) ------------------------------------------------------------ */

enum write_kind {
    W_CREATE_GROUP, W_DELETE_GROUP, W_RETENTION, W_CREATE_STREAM, W_DELETE_STREAM, W_PUT_EVENTS, W_TAGS,
};

struct write_job {
    struct logs_call *call;
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

/* A job of the call's account for group and stream (either may be NULL);
 * NULL when out of memory. */
struct write_job *logs_new_job(struct logs_call *c, enum write_kind kind, const char *group, const char *stream);
/* Queues the job (NULL: answers 503); the call is answered once it is
 * durable or refused. */
void logs_submit(struct logs_call *c, struct write_job *j);
void logs_write_job_free(struct write_job *j);
void logs_free_events(struct logs_new_event *ev, size_t n);

#endif
