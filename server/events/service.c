/* events_service: EventBridge (JSON 1.1, X-Amz-Target AWSEvents.<Op>) and
 * EventBridge Scheduler (REST JSON, signed for "scheduler") as services of
 * the process, and the engine both share (see events.h).
 *
 * A request is claimed by its X-Amz-Target (EventBridge) or its signing
 * name (Scheduler; its paths /schedules, /schedule-groups and /tags could
 * be S3 buckets), resolved to one operation of its table before its body
 * is read, then read whole (at most BODY_MAX), authenticated, parsed and
 * handed to the operation's handler once authorize_request() allowed it
 * on what it acts on (the bus, rule, schedule or group). Handlers answer at once (reads, from
 * the loop's reader) or through events_submit (writes: the apply runs
 * inside the group commit, the answer goes out once it is durable). */
#include "server/events/entry.h"
#include "server/events/events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/events/operations.h"
#include "protocol/scheduler/operations.h"
#include "server/core/auth.h"
#include "server/core/authorize.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "storage/core/store.h"

#define BODY_MAX (2 * 1024 * 1024)

/* ---- answers ------------------------------------------------------------------------ */

static const char *content_type(const struct events_call *c)
{
    return c->scheduler ? "application/json" : "application/x-amz-json-1.1";
}

void events_reply(struct events_call *c, struct strbuf *sb)
{
    if (strbuf_failed(sb)) {
        events_fail_internal(c);
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, 200, content_type(c), sb->data ? sb->data : "{}", sb->data ? sb->len : 2);
}

void events_reply_empty(struct events_call *c)
{
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, 200, content_type(c), "{}", 2);
}

void events_fail(struct events_call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (c->scheduler) {
        jw_string(&w, "Message", msg);
    } else {
        jw_string(&w, "__type", type);
        jw_string(&w, "message", msg);
    }
    jw_object_close(&w);
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_header(c->req, "x-amzn-ErrorType", type);
    if (strbuf_failed(&sb))
        http_resp_send(c->req, 500, NULL, NULL, 0);
    else
        http_resp_send(c->req, status, content_type(c), sb.data, sb.len);
    strbuf_free(&sb);
}

void events_fail_internal(struct events_call *c)
{
    log_warn("%s: %s failed inside cloudless", c->scheduler ? "scheduler" : "events", c->req->op_name);
    if (c->scheduler)
        events_fail(c, 500, "InternalServerException", "Unexpected error during processing of request.");
    else
        events_fail(c, 500, "InternalException", "An internal error occurred.");
}

void events_fail_missing(struct events_call *c, const char *field)
{
    events_fail(c, 400, "ValidationException",
                "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
                field);
}

void events_fail_constraint(struct events_call *c, const char *field, const char *value, const char *constraint)
{
    events_fail(c, 400, "ValidationException",
                "1 validation error detected: Value '%.300s' at '%s' failed to satisfy constraint: %s", value, field,
                constraint);
}

/* ---- writes -------------------------------------------------------------------------- */

static int apply_call(struct store_conn *w, void *arg)
{
    struct events_call *c = arg;
    return c->apply(w, c);
}

static void call_written(void *arg, bool ok)
{
    struct events_call *c = arg;
    c->done(c, ok);
}

int events_submit(struct events_call *c, int (*apply)(struct store_conn *w, struct events_call *c),
                  void (*done)(struct events_call *c, bool ok))
{
    c->apply = apply;
    c->done = done;
    c->found = 0;
    if (store_submit(c->es->srv->store, apply_call, call_written, c) < 0) {
        events_fail_internal(c);
        return -1;
    }
    return 0;
}

struct store_conn *events_reader(struct events_service *es) { return store_reader(es->srv->store); }

/* ---- names and ARNs ---------------------------------------------------------------------- */

const char *events_region(const struct events_service *es) { return es->srv->cfg->region; }

void events_bus_arn(const struct events_service *es, const char *account, const char *bus, char out[EVENTS_ARN_MAX])
{
    snprintf(out, EVENTS_ARN_MAX, "arn:aws:events:%s:%s:event-bus/%s", events_region(es), account, bus);
}

void events_rule_arn(const struct events_service *es, const char *account, const char *bus, const char *rule,
                     char out[EVENTS_ARN_MAX])
{
    if (strcmp(bus, EVENTS_DEFAULT_BUS) == 0)
        snprintf(out, EVENTS_ARN_MAX, "arn:aws:events:%s:%s:rule/%s", events_region(es), account, rule);
    else
        snprintf(out, EVENTS_ARN_MAX, "arn:aws:events:%s:%s:rule/%s/%s", events_region(es), account, bus, rule);
}

bool events_name_ok(const char *s, size_t max, const char *extra)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && !strchr(extra, ch))
            return false;
    }
    return true;
}

bool events_resolve_bus(struct events_call *c, const char *value, char account[13], char name[257])
{
    memcpy(account, c->account, 13);
    if (!value) {
        snprintf(name, 257, "%s", EVENTS_DEFAULT_BUS);
        return true;
    }
    const char *p = value;
    if (strncmp(value, "arn:aws:events:", 15) == 0) {
        /* arn:aws:events:<region>:<account>:event-bus/<name> */
        const char *region_end = strchr(value + 15, ':');
        const char *acct = region_end ? region_end + 1 : NULL;
        if (!acct || strspn(acct, "0123456789") != 12 || strncmp(acct + 12, ":event-bus/", 11) != 0) {
            events_fail_constraint(c, "eventBusName", value,
                                   "Member must satisfy regular expression pattern: "
                                   "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?"
                                   "[/\\.\\-_A-Za-z0-9]+");
            return false;
        }
        memcpy(account, acct, 12);
        account[12] = '\0';
        p = acct + 23;
    }
    if (!events_name_ok(p, 256, "/.-_")) {
        events_fail_constraint(c, "eventBusName", value,
                               "Member must satisfy regular expression pattern: "
                               "(arn:aws[\\w-]*:events:[a-z]+-[a-z]+-[\\w-]+:[0-9]{12}:event-bus\\/)?"
                               "[/\\.\\-_A-Za-z0-9]+");
        return false;
    }
    snprintf(name, 257, "%s", p);
    return true;
}

void events_jw_time(struct json_writer *w, const char *key, int64_t ms)
{
    char num[40];
    int n = snprintf(num, sizeof(num), "%" PRId64 ".%03d", ms / 1000, (int)(ms % 1000));
    jw_raw(w, key, num, (size_t)n);
}

/* ---- requests ------------------------------------------------------------------------------ */

#define EVENTS_DECLARE(name, family, action, handler) void handler(struct events_call *c);
EVENTS_OPERATIONS(EVENTS_DECLARE)
#define EVENTS_HANDLER(name, family, action, handler) handler,
static void (*const events_handlers[])(struct events_call *) = {EVENTS_OPERATIONS(EVENTS_HANDLER)};
#define EVENTS_OP(name, family, action, handler) {#name, #family, action},
static const struct service_op events_ops[] = {EVENTS_OPERATIONS(EVENTS_OP)};

#define SCHEDULER_DECLARE(name, method, path, family, action, handler) void handler(struct events_call *c);
SCHEDULER_OPERATIONS(SCHEDULER_DECLARE)
#define SCHEDULER_HANDLER(name, method, path, family, action, handler) handler,
static void (*const scheduler_handlers[])(struct events_call *) = {SCHEDULER_OPERATIONS(SCHEDULER_HANDLER)};
#define SCHEDULER_OP(name, method, path, family, action, handler) {#name, #family, action},
static const struct service_op scheduler_ops[] = {SCHEDULER_OPERATIONS(SCHEDULER_OP)};

static void call_cleanup(struct http_req *req)
{
    struct events_call *c = req->handler;
    if (!c)
        return;
    if (c->free_state)
        c->free_state(c->state);
    strbuf_free(&c->body);
    json_free(c->json);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct events_call *c = req->handler;
    if (c->body.len + len > BODY_MAX)
        c->too_large = true;
    else
        strbuf_append(&c->body, data, len);
    return 0;
}

/* ---- authorization --------------------------------------------------------------------- */

/* The ARN a request's bus names: an ARN as given, a name (default: the
 * default bus) in the caller's account. */
static void named_bus_arn(struct events_call *c, const char *bus, char out[EVENTS_ARN_MAX])
{
    if (bus && strncmp(bus, "arn:", 4) == 0)
        snprintf(out, EVENTS_ARN_MAX, "%s", bus);
    else
        events_bus_arn(c->es, c->account, bus ? bus : EVENTS_DEFAULT_BUS, out);
}

static bool authorized_on(struct events_call *c, const struct service_def *svc, const char *arn)
{
    const struct service_op *op = &svc->ops[c->op];
    return authorize_request(c->req, svc, op, &(struct authorize_target){.resource = arn});
}

/* What an EventBridge request acts on: the bus it names (buses,
 * permissions, and each bus PutEvents puts on), the rule of a rule or
 * target operation, the tagged resource, else the account as a whole
 * (List*, TestEventPattern). Another account's bus is decided here by the
 * caller's own policies; its owner's policy is weighed by PutEvents. */
static bool events_authorized(struct events_call *c)
{
    const char *action = events_service_def.ops[c->op].action, *bus = json_str(c->json, "EventBusName");
    char arn[EVENTS_ARN_MAX];
    const char *rule = json_str(c->json, strcmp(action, "events:PutTargets") == 0 ||
                                                 strcmp(action, "events:RemoveTargets") == 0 ||
                                                 strcmp(action, "events:ListTargetsByRule") == 0
                                             ? "Rule"
                                             : "Name");
    if (strstr(action, "EventBus")) {
        named_bus_arn(c, json_str(c->json, "Name"), arn);
    } else if (strstr(action, "Permission")) {
        named_bus_arn(c, bus, arn);
    } else if (strcmp(action, "events:PutEvents") == 0) {
        const struct json_value *entries = json_get(c->json, "Entries");
        for (size_t i = 0; json_is(entries, JSON_ARRAY) && i < entries->len; i++) {
            named_bus_arn(c, json_str(&entries->u.items[i], "EventBusName"), arn);
            if (!authorized_on(c, &events_service_def, arn))
                return false;
        }
        return true;
    } else if (strstr(action, "Tag")) {
        const char *resource = json_str(c->json, "ResourceARN");
        return authorized_on(c, &events_service_def, resource ? resource : "*");
    } else if (strncmp(action, "events:List", 11) != 0 && strcmp(action, "events:TestEventPattern") != 0 && rule) {
        char bus_name[257];
        const char *slash = bus && strncmp(bus, "arn:", 4) == 0 ? strstr(bus, ":event-bus/") : NULL;
        snprintf(bus_name, sizeof(bus_name), "%s", slash ? slash + 11 : bus ? bus : EVENTS_DEFAULT_BUS);
        events_rule_arn(c->es, c->account, bus_name, rule, arn);
    } else {
        snprintf(arn, sizeof(arn), "*");
    }
    return authorized_on(c, &events_service_def, arn);
}

/* What a Scheduler request acts on: the schedule (in its group, from the
 * body or the query; default "default") or the group its path names, the
 * tagged resource, else "*" (List*). */
static bool scheduler_authorized(struct events_call *c)
{
    const char *action = scheduler_service_def.ops[c->op].action, *name = c->route.param;
    char arn[2 * SCHEDULER_PARAM_MAX + 128];       /* a group and a name of the longest: nothing cut */
    if (strstr(action, "Tag")) {
        snprintf(arn, sizeof(arn), "%s", name);
    } else if (strncmp(action, "scheduler:List", 14) == 0) {
        snprintf(arn, sizeof(arn), "*");
    } else if (strstr(action, "ScheduleGroup")) {
        snprintf(arn, sizeof(arn), "arn:aws:scheduler:%s:%s:schedule-group/%s", events_region(c->es), c->account,
                 name);
    } else {
        char *queried = json_str(c->json, "GroupName") ? NULL : scheduler_query(c, "groupName");
        const char *group = json_str(c->json, "GroupName") ? json_str(c->json, "GroupName") : queried;
        snprintf(arn, sizeof(arn), "arn:aws:scheduler:%s:%s:schedule/%.*s/%s", events_region(c->es), c->account,
                 SCHEDULER_PARAM_MAX, group && *group ? group : "default", name);
        free(queried);
    }
    return authorized_on(c, &scheduler_service_def, arn);
}

static void body_done(struct http_req *req)
{
    struct events_call *c = req->handler;
    if (c->too_large) {
        events_fail(c, 413, "ValidationException", "The request body is larger than %d bytes.", BODY_MAX);
        return;
    }
    const char *type, *message;
    if (!auth_check_json(c->es->srv, req, &c->body, c->account, &type, &message)) {
        events_fail(c, c->scheduler ? 403 : 400, type, "%s", message);
        return;
    }
    bool empty = !c->body.data || c->body.len == 0;
    c->json = json_parse(empty ? "{}" : c->body.data, empty ? 2 : c->body.len, NULL);
    if (!json_is(c->json, JSON_OBJECT) || strbuf_failed(&c->body)) {
        events_fail(c, 400, "SerializationException", "The request body is not a JSON object.");
        return;
    }
    if (c->bad_param) {
        events_fail(c, 400, "ValidationException", "The resource name or ARN in the path is not valid.");
        return;
    }
    if (!(c->scheduler ? scheduler_authorized(c) : events_authorized(c)))
        return;
    if (c->scheduler)
        scheduler_handlers[c->op](c);
    else
        events_handlers[c->op](c);
}

/* Starts a call; route (Scheduler) is copied in before the body is read,
 * which for a request without one runs the handler at once. */
static void start_call(struct http_req *req, bool scheduler, int op, const char *op_name,
                       const struct scheduler_route *route, bool bad_param)
{
    struct events_call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->es = req->srv->events;
    c->scheduler = scheduler;
    c->op = op;
    if (route)
        c->route = *route;
    c->bad_param = bad_param;      /* answered once the body is read */
    strbuf_init(&c->body);
    req->handler = c;
    req->cleanup = call_cleanup;
    req->op_name = op_name;
    http_req_read_body(req, body_sink, body_done);
}

static bool events_claims_request(const struct http_req *req)
{
    const char *target = http_req_header(req, "x-amz-target");
    return req->srv->events && target &&
           strncmp(target, EVENTS_TARGET_PREFIX, sizeof(EVENTS_TARGET_PREFIX) - 1) == 0;
}

static void events_handle_request(struct http_req *req)
{
    const char *name = http_req_header(req, "x-amz-target") + sizeof(EVENTS_TARGET_PREFIX) - 1;
    const struct service_op *op = service_find_op(&events_service_def, name, strlen(name));
    if (!op) {
        service_not_implemented(req, SERVICE_JSON, events_service_def.title, name);
        return;
    }
    start_call(req, false, (int)(op - events_ops), op->name, NULL, false);
}

static bool scheduler_claims_request(const struct http_req *req)
{
    if (!req->srv->events)
        return false;
    char service[32];
    service_signing_name(req, service);
    return strcmp(service, "scheduler") == 0;
}

static void scheduler_handle_request(struct http_req *req)
{
    struct scheduler_route route;
    enum scheduler_route_result r = scheduler_route(req->method, req->path, strlen(req->path), &route);
    if (r == SCHEDULER_ROUTE_NO_PATH || r == SCHEDULER_ROUTE_NO_METHOD) {
        char what[300];
        snprintf(what, sizeof(what), "%s %.200s", req->method, req->path);
        service_not_implemented(req, SERVICE_REST_JSON, scheduler_service_def.title, what);
        return;
    }
    start_call(req, true, route.op, scheduler_ops[route.op].name, &route, r == SCHEDULER_ROUTE_BAD_PARAM);
}

const struct service_def events_service_def = {
    .name = "events",
    .title = "EventBridge",
    .protocol = SERVICE_JSON,
    .ops = events_ops,
    .n_ops = sizeof(events_ops) / sizeof(events_ops[0]),
    .claims = events_claims_request,
    .handle = events_handle_request,
};

const struct service_def scheduler_service_def = {
    .name = "scheduler",
    .title = "EventBridge Scheduler",
    .protocol = SERVICE_REST_JSON,
    .ops = scheduler_ops,
    .n_ops = sizeof(scheduler_ops) / sizeof(scheduler_ops[0]),
    .claims = scheduler_claims_request,
    .handle = scheduler_handle_request,
};

/* ---- life cycle ------------------------------------------------------------------------------ */

struct events_service *events_service_new(struct server *srv, char *err, size_t errlen)
{
    struct events_service *es = calloc(1, sizeof(*es));
    if (!es) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    es->srv = srv;
    if (!(es->zones = events_zones_new())) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (events_rules_load(es, err, errlen) < 0 || scheduler_items_load(es, err, errlen) < 0)
        goto fail;
    if (!(es->delivery = events_deliverer_new(es))) {
        snprintf(err, errlen, "cannot start the event deliverer");
        goto fail;
    }
    if (events_clockwork_start(es) < 0) {
        snprintf(err, errlen, "cannot start the schedule timer");
        goto fail;
    }
    if (events_s3_source_start(es) < 0) {
        snprintf(err, errlen, "cannot register the S3 event source");
        goto fail;
    }
    return es;
fail:
    events_service_free(es);
    return NULL;
}

void events_service_clock_moved(struct events_service *es)
{
    if (!es)
        return;
    events_clockwork_rearm(es);
    events_deliverer_kick(es);
}

void events_service_free(struct events_service *es)
{
    if (!es)
        return;
    events_clockwork_free(es);
    events_deliverer_free(es->delivery);
    events_rules_free(es);
    scheduler_items_free(es);
    events_zones_free(es->zones);
    free(es);
}
