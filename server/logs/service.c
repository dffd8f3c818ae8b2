/* service: CloudWatch Logs' request path — the JSON 1.1 protocol
 * (X-Amz-Target Logs_20140328.<Operation>) from claim to answer.
 *
 * A request is claimed by its target; an operation missing from the table
 * (protocol/logs/operations.h) gets NotImplemented. The body (at most
 * BODY_MAX) is authenticated and parsed, the request authorized on the log
 * group or stream it names (server/core/authorize.h), then the operation's
 * handler runs
 * (groups.c, streams.c, events.c, tags.c). Handlers read through the
 * loop thread's reader connection and answer at once, or queue a write
 * job: apply_write runs it on the commit thread through storage/logs/,
 * and write_done answers once it is durable, or with what storage found
 * (a group missing, a stream already there). The answers of every
 * handler — AWS's JSON errors included — are made here. */
#include "server/logs/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/auth.h"
#include "server/core/authorize.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define BODY_MAX (2 * 1024 * 1024)

/* ---- answers ------------------------------------------------------------------- */

void logs_send_json(struct logs_call *c, struct strbuf *sb)
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

void logs_send_error(struct logs_call *c, int status, const char *type, const char *fmt, ...)
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
    logs_send_error(c, 400, "ResourceNotFoundException", "The specified log group does not exist.");
}

void logs_missing(struct logs_call *c, const char *field)
{
    logs_send_error(c, 400, "InvalidParameterException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", field);
}

/* ---- parameters and reads ------------------------------------------------------- */

struct store_conn *logs_reader(struct logs_call *c)
{
    return store_reader(c->ls->srv->store);
}

void logs_send_store_error(struct logs_call *c, enum logs_err err)
{
    switch (err) {
    case LOGS_ERR_NO_GROUP:
        group_not_found(c);
        break;
    case LOGS_ERR_NO_STREAM:
        logs_send_error(c, 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        break;
    case LOGS_ERR_GROUP_EXISTS:
        logs_send_error(c, 400, "ResourceAlreadyExistsException", "The specified log group already exists");
        break;
    case LOGS_ERR_STREAM_EXISTS:
        logs_send_error(c, 400, "ResourceAlreadyExistsException", "The specified log stream already exists");
        break;
    case LOGS_ERR_NOMEM:
        logs_send_error(c, 500, "ServiceUnavailableException", "out of memory");
        break;
    default:
        logs_send_error(c, 500, "ServiceUnavailableException", "The log store could not be read.");
        break;
    }
}

bool logs_require_group(struct logs_call *c, const char *group)
{
    enum logs_err err = logs_group_exists(logs_reader(c), c->account, group);
    if (err != LOGS_OK)
        logs_send_store_error(c, err);
    return err == LOGS_OK;
}

bool logs_require_stream(struct logs_call *c, const char *group, const char *stream)
{
    enum logs_err err = logs_stream_exists(logs_reader(c), c->account, group, stream);
    if (err != LOGS_OK)
        logs_send_store_error(c, err);
    return err == LOGS_OK;
}

int64_t logs_int_param(struct logs_call *c, const char *key, int64_t dflt)
{
    int64_t v;
    return json_int(c->json, key, &v) == 1 ? v : dflt;
}

/* ---- writes ------------------------------------------------------------------------- */

void logs_free_events(struct logs_new_event *ev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ev[i].group);
        free(ev[i].stream);
        free(ev[i].message);
    }
    free(ev);
}

void logs_write_job_free(struct write_job *j)
{
    free(j->group);
    free(j->stream);
    free(j->tags_json);
    logs_free_events(j->events, j->n_events);
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
    if (!ok) {
        logs_send_error(c, 500, "ServiceUnavailableException", "The change could not be made durable.");
    } else if (j->err != LOGS_OK) {
        logs_send_store_error(c, j->err);
    } else if (j->kind == W_PUT_EVENTS) {
        static const char body[] = "{\"nextSequenceToken\":\"1\"}";
        http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
        http_resp_send(c->req, 200, "application/x-amz-json-1.1", body, sizeof(body) - 1);
    } else {
        send_ok_empty(c);
    }
    logs_write_job_free(j);
}

struct write_job *logs_new_job(struct logs_call *c, enum write_kind kind, const char *group, const char *stream)
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
        logs_write_job_free(j);
        return NULL;
    }
    return j;
}

void logs_submit(struct logs_call *c, struct write_job *j)
{
    if (!j || store_submit(c->ls->srv->store, apply_write, write_done, j) < 0) {
        if (j)
            logs_write_job_free(j);
        logs_send_error(c, 503, "ServiceUnavailableException", "The service is unavailable.");
    }
}

/* ---- the request path --------------------------------------------------------------- */

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
    logs_send_error(c, 400, type, "%s", message);
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

/* What the operation acts on, for authorization: the log stream or log
 * group the request names, the resource ARN of the tag operations, else
 * the account's log groups. */
static bool authorized(struct logs_call *c)
{
    const char *region = c->ls->srv->cfg->region;
    const char *group = json_str(c->json, "logGroupName"), *stream = json_str(c->json, "logStreamName");
    const char *arn = json_str(c->json, "resourceArn");
    char resource[1200];
    if (group && stream)
        snprintf(resource, sizeof(resource), "arn:aws:logs:%s:%s:log-group:%s:log-stream:%s", region, c->account,
                 group, stream);
    else if (group)
        snprintf(resource, sizeof(resource), "arn:aws:logs:%s:%s:log-group:%s", region, c->account, group);
    else if (arn)
        snprintf(resource, sizeof(resource), "%s", arn);
    else
        snprintf(resource, sizeof(resource), "arn:aws:logs:%s:%s:log-group:*", region, c->account);
    return authorize_request(c->req, &logs_service_def, c->op, &(struct authorize_target){.resource = resource});
}

static void body_done(struct http_req *req)
{
    struct logs_call *c = req->handler;
    if (c->too_large) {
        logs_send_error(c, 413, "InvalidParameterException", "The request body is larger than %d bytes.", BODY_MAX);
        return;
    }
    if (!authenticate(c))
        return;
    c->json = json_parse(c->body.data ? c->body.data : "{}", c->body.data ? c->body.len : 2, NULL);
    if (!json_is(c->json, JSON_OBJECT) || strbuf_failed(&c->body)) {
        logs_send_error(c, 400, "SerializationException", "The request body is not a JSON object.");
        return;
    }
    if (authorized(c))
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

const struct service_def logs_service_def = {
    .name = "logs",
    .title = "CloudWatch Logs",
    .protocol = SERVICE_JSON,
    .ops = ops,
    .n_ops = N_OPS,
    .claims = logs_claims_request,
    .handle = logs_handle_request,
};
