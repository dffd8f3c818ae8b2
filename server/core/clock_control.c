/* clock_control: the admin endpoint /_cloudless/clock, which shows the
 * server's time and, when started with --clock-control
 * (CLOUDLESS_CLOCK_CONTROL=1), moves it forward so tests need not wait.
 *
 *   GET  /_cloudless/clock   {"now": "2030-01-01T03:00:00.000Z", "now_ms": ..., "offset_ms": ...,
 *                             "control": true}
 *   POST /_cloudless/clock   {"advance_seconds": 3600} or {"advance_ms": 1500}
 *                            or {"set": "2030-01-01T03:00:00Z"} or {"set_ms": 1893466800000}
 *
 * The time only moves forward (a "set" into the past is refused: timers,
 * sequencers and expiries assume so). It moves the one clock of
 * storage/core/clock.h, then tells the services whose timers wait for a
 * time — EventBridge schedules and retries, SQS delays, visibility and
 * retention, Lambda's asynchronous retries — so what came due runs at
 * once; S3 lifecycle and CloudWatch Logs retention follow at their next
 * periodic sweep. Unauthenticated, like the health endpoint; POST answers
 * 403 unless the setting is on. */
#include "server/core/clock_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/dates.h"
#include "protocol/core/json.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/events/entry.h"
#include "server/lambda/entry.h"
#include "server/sqs/entry.h"
#include "storage/core/clock.h"

#define BODY_MAX 4096

struct clock_call {
    char body[BODY_MAX + 1];
    size_t len;
    bool too_large;
};

static void answer(struct http_req *req, int status, const char *error, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (error) {
        jw_string(&w, "error", error);
        jw_string(&w, "message", message);
    } else {
        char iso[32];
        int64_t now = clock_now_ms();
        date_iso8601(now, iso);
        jw_string(&w, "now", iso);
        jw_int(&w, "now_ms", now);
        jw_int(&w, "offset_ms", clock_offset_us() / 1000);
        jw_bool(&w, "control", req->srv->cfg->clock_control);
    }
    jw_object_close(&w);
    req->op_name = "Clock";
    if (strbuf_failed(&sb))
        http_resp_send(req, 500, NULL, NULL, 0);
    else
        http_resp_send(req, status, "application/json", sb.data, sb.len);
    strbuf_free(&sb);
}

static void call_cleanup(struct http_req *req)
{
    free(req->handler);
    req->handler = NULL;
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct clock_call *c = req->handler;
    if (c->len + len > BODY_MAX) {
        c->too_large = true;
        return 0;
    }
    memcpy(c->body + c->len, data, len);
    c->len += len;
    return 0;
}

/* The time the body asks for, in ms; -1 (with *why) when it asks for none. */
static int64_t requested_time(const struct json_value *j, const char **why)
{
    int64_t v;
    int64_t now = clock_now_ms();
    *why = "Give one of advance_seconds, advance_ms, set (ISO 8601) or set_ms.";
    int forms = (json_get(j, "advance_seconds") != NULL) + (json_get(j, "advance_ms") != NULL) +
                (json_get(j, "set") != NULL) + (json_get(j, "set_ms") != NULL);
    if (forms != 1)
        return -1;
    if (json_int(j, "advance_seconds", &v) == 1)
        return v >= 0 && v < (INT64_C(1) << 40) ? now + v * 1000 : -1;
    if (json_int(j, "advance_ms", &v) == 1)
        return v >= 0 && v < (INT64_C(1) << 50) ? now + v : -1;
    if (json_int(j, "set_ms", &v) == 1)
        return v;
    const char *set = json_str(j, "set");
    if (set) {
        int64_t ms = date_parse_iso8601(set);
        if (ms < 0)
            *why = "set is not an ISO 8601 time like 2030-01-01T03:00:00Z.";
        return ms;
    }
    return -1;
}

static void body_done(struct http_req *req)
{
    struct clock_call *c = req->handler;
    if (c->too_large) {
        answer(req, 413, "BodyTooLarge", "The request body is too large.");
        return;
    }
    const struct json_value *j = json_parse(c->len ? c->body : "{}", c->len ? c->len : 2, NULL);
    const char *why = "The body is not a JSON object.";
    int64_t target = json_is(j, JSON_OBJECT) ? requested_time(j, &why) : -1;
    json_free(j);
    if (target < 0) {
        answer(req, 400, "InvalidRequest", why);
        return;
    }
    int64_t now = clock_now_ms();
    if (target < now) {
        answer(req, 400, "InvalidTime", "The clock only moves forward.");
        return;
    }
    clock_advance_us((target - now) * 1000);
    char iso[32];
    date_iso8601(clock_now_ms(), iso);
    log_info("clock moved forward by %.3f s to %s", (double)(target - now) / 1000.0, iso);
    struct server *srv = req->srv;
    events_service_clock_moved(srv->events);
    sqs_service_clock_moved(srv->sqs);
    lambda_service_clock_moved(srv->lambda);
    answer(req, 200, NULL, NULL);
}

bool clock_control_handle(struct http_req *req)
{
    if (strcmp(req->path, "/_cloudless/clock") != 0)
        return false;
    if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
        answer(req, 200, NULL, NULL);
        return true;
    }
    if (strcmp(req->method, "POST") != 0) {
        http_resp_header(req, "Allow", "GET, HEAD, POST");
        answer(req, 405, "MethodNotAllowed", "Use GET to read the clock and POST to move it.");
        return true;
    }
    if (!req->srv->cfg->clock_control) {
        answer(req, 403, "ClockControlDisabled",
               "Start cloudless with --clock-control (CLOUDLESS_CLOCK_CONTROL=1) to move its clock.");
        return true;
    }
    struct clock_call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return true;
    }
    req->handler = c;
    req->cleanup = call_cleanup;
    http_req_read_body(req, body_sink, body_done);
    return true;
}
