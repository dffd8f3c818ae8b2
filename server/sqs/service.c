/* sqs_service: SQS over HTTP — the intake: routing, authentication, queue
 * policies, execution, durability and long polling (see server/sqs/entry.h;
 * queues.c and messages.c serve SQS to the other services, service.h).
 *
 * A request's body (bounded by SQS_MAX_REQUEST_BYTES) is read whole, then
 * SigV4 is checked with the body's hash (SQS clients may omit
 * x-amz-content-sha256), the body is decoded by protocol/sqs (JSON when
 * X-Amz-Target names AmazonSQS, else the query protocol) and run by the
 * engine (storage/sqs) with the caller's account, the endpoint the client
 * used (http://<Host>) for queue URLs and the time. Before it runs, the
 * request is authorized (server/core/authorize.h) on the queue it names,
 * with the queue's Policy: a queue another account owns is used only as
 * its Policy allows the operation's IAM action, and a Policy's Deny stops
 * its owner too; operations the table (protocol/sqs/operations.h) marks
 * SQS_OWNER_ONLY stay the owner's. The same table gives sqs_service_def
 * its operations.
 *
 * Durability: the change records a call produced go to the store's commit
 * thread as one job (storage/sqs/persist.c writes them inside the group
 * commit) and the answer is sent from the job's completion, so an
 * acknowledged send, delete or queue change survives kill -9. Pure reads
 * answer at once. ReceiveMessage is the exception: its state changes
 * (receive count, first receive time, visibility deadline) are committed
 * in the background and the messages are returned at once — after a crash
 * a received message may be visible again early and its receive count may
 * be one lower (delivery stays at-least-once; maxReceiveCount may allow one
 * extra receive). Commits run in submission order, so a later delete is
 * never overtaken by the receive's state.
 *
 * Long polling: a receive that finds nothing and may wait is parked (never
 * blocking the loop) with a timer at its deadline. The engine's
 * on_message_available only marks the parked receives of that queue and
 * schedules a zero-timeout event; that event retries them outside the
 * engine. One timer, armed at sqs_engine_next_event_ms() (and at least
 * every second, for retention), runs sqs_engine_tick, whose visibility
 * expiries wake parked receives the same way. At shutdown parked receives
 * are answered (empty) at once. */
#include "server/sqs/service.h"
#include "server/core/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "server/core/auth.h"
#include "server/core/authorize.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/sqs/persist.h"
#include "storage/core/store.h"
#include "storage/core/clock.h"

/* The largest payload (1 MiB) in the costliest encoding JSON allows for
 * its characters (\u escapes), plus room for the rest of the request. */
#define SQS_MAX_REQUEST_BYTES (8 * 1024 * 1024)
#define TICK_MAX_INTERVAL_MS 1000

/* One request. */
struct sqs_exchange {
    struct http_req *req;
    struct sqs_service *svc;
    enum sqs_protocol proto;
    struct strbuf body;
    char account[13];
    char sender_id[129];
    char endpoint[320];
    struct sqs_request request;
    bool decoded;
    char *foreign_queue;           /* another account's queue it names: SQS's wording of a denial */
    struct sqs_response resp;
    struct sqs_changes changes;

    /* Long polling. */
    struct sqs_queue *queue;       /* NULL once the queue is deleted */
    struct event *wait_timer;
    bool parked, poked;
    struct sqs_exchange *prev, *next;
};

/* A commit of change records; `call` is NULL for background commits. */
struct sqs_commit {
    struct sqs_service *svc;
    struct sqs_exchange *call;
    struct sqs_changes changes;
};

static void execute(struct sqs_exchange *call, bool may_park);

/* ---- answers ------------------------------------------------------------ */

static void send_error(struct sqs_exchange *call, enum sqs_err code, const char *message)
{
    struct http_req *req = call->req;
    struct sqs_error err = {.code = code};
    snprintf(err.message, sizeof(err.message), "%s", message);
    struct strbuf out;
    strbuf_init(&out);
    const char *ctype = NULL;
    char query_error[160];
    int status = sqs_encode_error(call->proto, &err, req->request_id, &out, &ctype, query_error,
                                  sizeof(query_error));
    if (status >= 500)
        log_warn("SQS %s: %s %s", req->op_name ? req->op_name : "-", sqs_err_query_code(code), message);
    if (call->proto == SQS_PROTOCOL_JSON) {
        http_resp_header(req, "x-amzn-query-error", query_error);
        http_resp_header(req, "x-amzn-RequestId", req->request_id);
    }
    if (strbuf_failed(&out))
        http_resp_send(req, 500, NULL, NULL, 0);
    else
        http_resp_send(req, status, ctype, out.data, out.len);
    strbuf_free(&out);
}

static void fail(struct sqs_exchange *call, const struct sqs_error *err)
{
    send_error(call, err->code, err->message);
}

static void send_response(struct sqs_exchange *call)
{
    struct http_req *req = call->req;
    struct strbuf out;
    strbuf_init(&out);
    const char *ctype = NULL;
    sqs_encode_response(call->proto, &call->resp, req->request_id, &out, &ctype);
    if (strbuf_failed(&out)) {
        strbuf_free(&out);
        send_error(call, SQS_ERR_INTERNAL, "out of memory");
        return;
    }
    if (call->proto == SQS_PROTOCOL_JSON)
        http_resp_header(req, "x-amzn-RequestId", req->request_id);
    http_resp_send(req, 200, ctype, out.data, out.len);
    strbuf_free(&out);
}

/* ---- request state ------------------------------------------------------- */

static void unpark(struct sqs_exchange *call)
{
    if (!call->parked)
        return;
    struct sqs_service *svc = call->svc;
    if (call->prev)
        call->prev->next = call->next;
    else
        svc->waiters = call->next;
    if (call->next)
        call->next->prev = call->prev;
    call->prev = call->next = NULL;
    call->parked = false;
}

static void call_cleanup(struct http_req *req)
{
    struct sqs_exchange *call = req->handler;
    if (!call)
        return;
    unpark(call);
    if (call->wait_timer)
        event_free(call->wait_timer);
    strbuf_free(&call->body);
    free(call->foreign_queue);
    if (call->decoded)
        sqs_request_free(&call->request);
    sqs_response_free(&call->resp);
    sqs_changes_free(&call->changes);
    free(call);
    req->handler = NULL;
}

/* ---- durability ------------------------------------------------------------ */

static int apply_commit(struct store_conn *writer, void *arg)
{
    struct sqs_commit *c = arg;
    return sqs_persist_apply(writer, &c->changes);
}

static void commit_done(void *arg, bool ok)
{
    struct sqs_commit *c = arg;
    if (!ok)
        log_error("SQS: committing %zu changes failed", c->changes.n);
    if (c->call) {
        if (ok)
            send_response(c->call);
        else
            send_error(c->call, SQS_ERR_INTERNAL, "The changes could not be made durable.");
    }
    sqs_changes_free(&c->changes);
    free(c);
}

bool sqs_submit_changes(struct sqs_service *svc, struct sqs_changes *changes, struct sqs_exchange *call)
{
    struct sqs_commit *c = calloc(1, sizeof(*c));
    if (c) {
        c->svc = svc;
        c->call = call;
        c->changes = *changes;
        sqs_changes_init(changes);
        if (store_submit(svc->srv->store, apply_commit, commit_done, c) == 0)
            return true;
        *changes = c->changes;
        free(c);
    }
    log_error("SQS: the store refused a commit of %zu changes", changes->n);
    sqs_changes_clear(changes);
    return false;
}

/* ---- timers --------------------------------------------------------------- */

void sqs_arm_tick(struct sqs_service *svc)
{
    int64_t now = clock_now_ms();
    int64_t at = sqs_engine_next_event_ms(svc->engine);
    if (at > now + TICK_MAX_INTERVAL_MS)
        at = now + TICK_MAX_INTERVAL_MS;
    if (at >= svc->tick_at_ms)
        return;
    int64_t delay = at > now ? at - now : 0;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    svc->tick_at_ms = at;
    event_add(svc->tick_timer, &tv);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct sqs_service *svc = arg;
    svc->tick_at_ms = INT64_MAX;
    struct sqs_changes changes;
    sqs_changes_init(&changes);
    sqs_engine_tick(svc->engine, clock_now_ms(), &changes);
    if (changes.n || changes.oom)
        sqs_submit_changes(svc, &changes, NULL);
    sqs_changes_free(&changes);
    sqs_arm_tick(svc);
}

/* ---- long polling ---------------------------------------------------------- */

static void schedule_wake(struct sqs_service *svc)
{
    event_active(svc->wake_event, EV_TIMEOUT, 0);
}

static void on_message_available(void *ud, struct sqs_queue *queue)
{
    struct sqs_service *svc = ud;
    if (svc->arrival)
        svc->arrival(svc->arrival_arg, sqs_queue_account(queue), sqs_queue_name(queue));
    bool any = false;
    for (struct sqs_exchange *w = svc->waiters; w; w = w->next) {
        if (w->queue == queue) {
            w->poked = true;
            any = true;
        }
    }
    if (any)
        schedule_wake(svc);
}

static void on_queue_deleted(void *ud, struct sqs_queue *queue)
{
    struct sqs_service *svc = ud;
    bool any = false;
    for (struct sqs_exchange *w = svc->waiters; w; w = w->next) {
        if (w->queue == queue) {
            w->queue = NULL;
            w->poked = true;
            any = true;
        }
    }
    if (any)
        schedule_wake(svc);
}

/* Takes the parked receives selected by `all` (or the poked ones) off the
 * list first, so that answers that start new requests cannot disturb the
 * walk, then retries each. */
static void retry_waiters(struct sqs_service *svc, bool all)
{
    struct sqs_exchange *batch = NULL;
    for (struct sqs_exchange *w = svc->waiters, *next; w; w = next) {
        next = w->next;
        if (!all && !w->poked)
            continue;
        unpark(w);
        w->poked = false;
        w->next = batch;
        batch = w;
    }
    while (batch) {
        struct sqs_exchange *w = batch;
        batch = w->next;
        w->next = NULL;
        execute(w, !all);
    }
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    retry_waiters(arg, false);
}

static void on_wait_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct sqs_exchange *call = arg;
    unpark(call);
    execute(call, false);
}

/* Parks a receive that found nothing. False when it must answer now. */
static bool park(struct sqs_exchange *call)
{
    struct sqs_service *svc = call->svc;
    if (svc->stopping)
        return false;
    if (!call->wait_timer) {
        int wait = call->request.wait_time_seconds;
        struct sqs_queue *q = sqs_engine_queue_by_url(svc->engine, call->request.queue_url);
        if (!q)
            return false;
        if (wait < 0)
            wait = sqs_queue_receive_wait_seconds(q);
        if (wait <= 0)
            return false;
        call->queue = q;
        call->wait_timer = evtimer_new(svc->srv->base, on_wait_timeout, call);
        struct timeval tv = {wait, 0};
        if (!call->wait_timer || event_add(call->wait_timer, &tv) != 0) {
            log_error("SQS: cannot arm a long-poll timer");
            return false;
        }
    } else if (!call->queue) {
        return false;              /* the queue was deleted: answer (the retry failed) */
    }
    call->prev = NULL;
    call->next = svc->waiters;
    if (svc->waiters)
        svc->waiters->prev = call;
    svc->waiters = call;
    call->parked = true;
    return true;
}

/* ---- execution ------------------------------------------------------------- */

/* Runs the decoded request; a receive that found nothing may be parked
 * (may_park) instead of answered. */
static void execute(struct sqs_exchange *call, bool may_park)
{
    struct sqs_service *svc = call->svc;
    sqs_response_free(&call->resp);
    struct sqs_call ctx = {
        .account = call->account,
        .endpoint = call->endpoint,
        .sender_id = call->sender_id,
        .now_ms = clock_now_ms(),
        .changes = &call->changes,
    };
    struct sqs_error err = {0};
    enum sqs_err rc = sqs_engine_execute(svc->engine, &ctx, &call->request, &call->resp, &err);
    bool receive = call->request.op == SQS_OP_ReceiveMessage;
    if (rc == SQS_OK && call->changes.oom) {
        sqs_changes_clear(&call->changes);
        sqs_error_set(&err, SQS_ERR_INTERNAL, "out of memory");
        rc = SQS_ERR_INTERNAL;
    }
    if (rc != SQS_OK) {
        sqs_changes_clear(&call->changes);
        sqs_arm_tick(svc);
        fail(call, &err);
        return;
    }
    if (receive) {
        if (call->changes.n)
            sqs_submit_changes(svc, &call->changes, NULL);
        sqs_arm_tick(svc);
        if (call->resp.n_messages == 0 && may_park && park(call))
            return;
        send_response(call);
        return;
    }
    sqs_arm_tick(svc);
    if (call->changes.n == 0) {
        send_response(call);
        return;
    }
    if (!sqs_submit_changes(svc, &call->changes, call))
        send_error(call, SQS_ERR_SERVICE_UNAVAILABLE, "Service is unable to handle request.");
}

/* ---- authentication ------------------------------------------------------- */

static bool authenticate(struct sqs_exchange *call)
{
    struct auth_result a;
    auth_check_buffered(call->svc->srv, call->req, &call->body, &a);
    bool ok = false;
    switch (a.status) {
    case AUTH_OK:
        if (strcmp(a.sig.service, "sqs") != 0) {
            send_error(call, SQS_ERR_SIGNATURE_DOES_NOT_MATCH,
                       "Credential should be scoped to correct service: 'sqs'. ");
            break;
        }
        memcpy(call->account, a.key->account, sizeof(call->account));
        snprintf(call->sender_id, sizeof(call->sender_id), "%s", a.key->access_key);
        ok = true;
        break;
    case AUTH_ANONYMOUS:
        send_error(call, SQS_ERR_MISSING_AUTH_TOKEN, "Request is missing Authentication Token");
        break;
    case AUTH_UNKNOWN_KEY:
        send_error(call, SQS_ERR_INVALID_CLIENT_TOKEN_ID,
                   "The security token included in the request is invalid.");
        break;
    case AUTH_EXPIRED_TOKEN:
        send_error(call, SQS_ERR_EXPIRED_TOKEN, "The security token included in the request is expired");
        break;
    case AUTH_SIGV4_ERROR:
        switch (a.sigv4) {
        case SIGV4_SIGNATURE_MISMATCH:
            log_info("SQS SignatureDoesNotMatch (key %s)", a.sig.access_key);
            send_error(call, SQS_ERR_SIGNATURE_DOES_NOT_MATCH,
                       "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
            break;
        case SIGV4_TIME_SKEWED:
        case SIGV4_REQUEST_EXPIRED:
            send_error(call, SQS_ERR_REQUEST_EXPIRED,
                       "Request has expired: the signature date is more than 15 minutes from the server's time.");
            break;
        case SIGV4_MISSING_DATE:
            send_error(call, SQS_ERR_INCOMPLETE_SIGNATURE,
                       "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            break;
        default:
            send_error(call, SQS_ERR_INCOMPLETE_SIGNATURE,
                       "The request signature does not conform to AWS standards.");
            break;
        }
        break;
    }
    auth_result_free(&a);
    return ok;
}

/* ---- intake ------------------------------------------------------------------ */

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct sqs_exchange *call = req->handler;
    if (call->body.len + len > SQS_MAX_REQUEST_BYTES) {
        send_error(call, SQS_ERR_REQUEST_TOO_LARGE, "The request body is too large.");
        return -1;
    }
    strbuf_append(&call->body, data, len);
    if (strbuf_failed(&call->body)) {
        send_error(call, SQS_ERR_INTERNAL, "out of memory");
        return -1;
    }
    return 0;
}

static void set_endpoint(struct sqs_exchange *call)
{
    struct http_req *req = call->req;
    const struct config *cfg = call->svc->srv->cfg;
    const char *scheme = cfg->tls_cert ? "https" : "http";
    const char *host = http_req_header(req, "host");
    const char *pub = cfg->public_host;    /* LOCALSTACK_HOST: host[:port], the server's port by default */
    if (pub && strchr(pub, ':'))
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s", scheme, pub);
    else if (pub)
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s:%d", scheme, pub, cfg->port);
    else if (host && *host && !strpbrk(host, "/\"<>\\ "))
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s", scheme, host);
    else
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s:%d", scheme, cfg->host, cfg->port);
}

/* ---- authorization ------------------------------------------------------------ */

/* Whether cross-account grants apply to each operation
 * (protocol/sqs/operations.h): as on SQS, queue administration
 * (DeleteQueue, SetQueueAttributes, tags, permissions, message move tasks)
 * stays the owner's whatever the Policy says. */
#define QUEUE_ACCESS(name, family, action, access, handler) access,
static const enum sqs_op_access queue_access[SQS_OP_COUNT] = {SQS_OPERATIONS(QUEUE_ACCESS)};

/* Decides the request (server/core/authorize.h) on the queue it names:
 * its ARN, owner and Policy (left out for the owner-only operations), or
 * for CreateQueue the queue it would make, and for ListQueues the
 * account's queues. A queue another account would own that does not
 * exist is left to the engine (QueueDoesNotExist). Answers AccessDenied
 * and returns false when refused. */
static bool queue_access_allowed(struct sqs_exchange *call)
{
    const struct sqs_request *r = &call->request;
    struct sqs_engine *engine = call->svc->engine;
    const char *region = call->svc->srv->cfg->region;
    char owner[16] = "", name[96] = "", arn[256];
    struct sqs_queue *q = NULL;
    if ((r->op == SQS_OP_GetQueueUrl || r->op == SQS_OP_CreateQueue) && r->queue_name) {
        snprintf(owner, sizeof(owner), "%s", r->queue_owner ? r->queue_owner : call->account);
        snprintf(name, sizeof(name), "%s", r->queue_name);
        q = r->op == SQS_OP_GetQueueUrl ? sqs_engine_queue_named(engine, owner, name) : NULL;
    } else if (r->queue_url && r->op != SQS_OP_ListQueues) {
        q = sqs_engine_queue_by_url(engine, r->queue_url);
        if (!q && !sqs_parse_queue_url(r->queue_url, owner, sizeof(owner), name, sizeof(name)))
            return true;           /* the engine answers the malformed URL */
    }
    struct authorize_target t = {.resource = arn};
    if (q) {
        t.owner = sqs_queue_account(q);
        if (strcmp(t.owner, call->account) != 0 &&
            asprintf(&call->foreign_queue, "%s/%s/%s", call->endpoint, t.owner, sqs_queue_name(q)) < 0)
            call->foreign_queue = NULL;
        t.resource = sqs_queue_arn(q);
        t.policy = queue_access[r->op] == SQS_GRANTABLE ? sqs_queue_policy(q) : NULL;
    } else if (*name) {
        if (strcmp(owner, call->account) != 0)
            return true;
        snprintf(arn, sizeof(arn), "arn:aws:sqs:%s:%s:%s", region, owner, name);
    } else {
        snprintf(arn, sizeof(arn), "arn:aws:sqs:%s:%s:*", region, call->account);
    }
    return authorize_request(call->req, &sqs_service_def, &sqs_service_def.ops[r->op], &t);
}

/* SQS words a denial on another account's queue its own way. */
static void sqs_access_denied(struct http_req *req, const char *message)
{
    struct sqs_exchange *call = req->handler;
    char foreign[600];
    if (call->foreign_queue)
        snprintf(foreign, sizeof(foreign), "Access to the resource %s is denied.", call->foreign_queue);
    send_error(call, SQS_ERR_ACCESS_DENIED, call->foreign_queue ? foreign : message);
}

static void body_done(struct http_req *req)
{
    struct sqs_exchange *call = req->handler;
    if (!authenticate(call))
        return;
    set_endpoint(call);
    struct sqs_error err = {0};
    enum sqs_err rc;
    const char *body = call->body.data ? call->body.data : "";
    if (call->proto == SQS_PROTOCOL_JSON)
        rc = sqs_decode_json(http_req_header(req, "x-amz-target"), body, call->body.len,
                             &call->request, &err);
    else
        rc = sqs_decode_query(req->query, strlen(req->query), body, call->body.len, req->path,
                              &call->request, &err);
    if (rc != SQS_OK) {
        fail(call, &err);
        return;
    }
    call->decoded = true;
    req->op_name = sqs_op_name(call->request.op);
    strbuf_free(&call->body);
    if (queue_access_allowed(call))
        execute(call, true);
}

static bool is_json_request(const struct http_req *req)
{
    const char *target = http_req_header(req, "x-amz-target");
    if (target)
        return true;
    const char *ctype = http_req_header(req, "content-type");
    return ctype && strncasecmp(ctype, "application/x-amz-json", 22) == 0;
}

static void sqs_handle_request(struct http_req *req)
{
    struct sqs_service *svc = req->srv->sqs;
    struct sqs_exchange *call = calloc(1, sizeof(*call));
    if (!call) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    call->req = req;
    call->svc = svc;
    call->proto = is_json_request(req) ? SQS_PROTOCOL_JSON : SQS_PROTOCOL_QUERY;
    strbuf_init(&call->body);
    sqs_changes_init(&call->changes);
    req->handler = call;
    req->cleanup = call_cleanup;
    req->op_name = "SQS";
    if (req->content_length > SQS_MAX_REQUEST_BYTES) {
        send_error(call, SQS_ERR_REQUEST_TOO_LARGE, "The request body is too large.");
        return;
    }
    http_req_read_body(req, body_sink, body_done);
}

/* ---- routing ------------------------------------------------------------------ */

/* `name`=... among the &-separated parameters of a query or form string. */
static bool has_param(const char *s, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = s; p && *p; p = strchr(p, '&'), p = p ? p + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == '=')
            return true;
    return false;
}

/* "/<12 digits>/<name>" (a queue URL's path). */
static bool is_queue_path(const char *path)
{
    if (path[0] != '/')
        return false;
    size_t digits = strspn(path + 1, "0123456789");
    return digits == 12 && path[13] == '/' && path[14] && !strchr(path + 14, '/');
}

/* The service a SigV4 credential is scoped to, when the request has one:
 * 1 for sqs, 0 for another service, -1 when unsigned. */
static int signed_for_sqs(const struct http_req *req)
{
    const char *auth = http_req_header(req, "authorization");
    if (auth && strncmp(auth, "AWS4-", 5) == 0 && strstr(auth, "Credential="))
        return strstr(auth, "/sqs/aws4_request") != NULL;
    const char *cred = strstr(req->query, "X-Amz-Credential=");
    if (cred)
        return strstr(cred, "%2Fsqs%2Faws4_request") != NULL || strstr(cred, "/sqs/aws4_request") != NULL;
    return -1;
}

static bool sqs_claims_request(const struct http_req *req)
{
    if (!req->srv->sqs)
        return false;
    const char *target = http_req_header(req, "x-amz-target");
    if (target && strncmp(target, SQS_TARGET_PREFIX, sizeof(SQS_TARGET_PREFIX) - 1) == 0)
        return true;
    int scoped = signed_for_sqs(req);
    if (scoped >= 0)
        return scoped == 1;
    if (strcmp(req->method, "GET") == 0)
        return has_param(req->query, "Action");
    if (strcmp(req->method, "POST") != 0)
        return false;
    const char *ctype = http_req_header(req, "content-type");
    return ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0 &&
           (strcmp(req->path, "/") == 0 || is_queue_path(req->path));
}

/* ---- life cycle ---------------------------------------------------------------- */

struct sqs_service *sqs_service_new(struct server *srv, char *err, size_t errlen)
{
    struct sqs_service *svc = calloc(1, sizeof(*svc));
    if (!svc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    svc->srv = srv;
    svc->tick_at_ms = INT64_MAX;
    struct sqs_engine_config cfg = {
        .region = srv->cfg->region,
        .on_message_available = on_message_available,
        .on_queue_deleted = on_queue_deleted,
        .ud = svc,
    };
    svc->engine = sqs_engine_new(&cfg);
    svc->tick_timer = evtimer_new(srv->base, on_tick, svc);
    svc->wake_event = event_new(srv->base, -1, 0, on_wake, svc);
    if (!svc->engine || !svc->tick_timer || !svc->wake_event) {
        snprintf(err, errlen, "cannot create the SQS engine");
        sqs_service_free(svc);
        return NULL;
    }
    size_t loaded = 0;
    int64_t t0 = clock_now_ms();
    if (sqs_persist_load(store_reader(srv->store), svc->engine, t0, &loaded, err, errlen) != 0) {
        sqs_service_free(svc);
        return NULL;
    }
    if (loaded)
        log_info("SQS: loaded %zu messages in %lld ms", loaded, (long long)(clock_now_ms() - t0));
    sqs_arm_tick(svc);
    return svc;
}

void sqs_service_clock_moved(struct sqs_service *svc)
{
    if (svc)
        event_active(svc->tick_timer, EV_TIMEOUT, 0);
}

void sqs_service_shutdown(struct sqs_service *svc)
{
    if (!svc)
        return;
    svc->stopping = true;
    retry_waiters(svc, true);
}

void sqs_service_free(struct sqs_service *svc)
{
    if (!svc)
        return;
    if (svc->tick_timer)
        event_free(svc->tick_timer);
    if (svc->wake_event)
        event_free(svc->wake_event);
    sqs_engine_free(svc->engine);
    free(svc);
}

#define SERVICE_OP(name, family, action, access, handler) {#name, #family, action},
static const struct service_op sqs_ops[] = {SQS_OPERATIONS(SERVICE_OP)};

const struct service_def sqs_service_def = {
    .name = "sqs",
    .title = "Amazon SQS",
    .protocol = SERVICE_JSON,
    .ops = sqs_ops,
    .n_ops = sizeof(sqs_ops) / sizeof(sqs_ops[0]),
    .claims = sqs_claims_request,
    .handle = sqs_handle_request,
    .access_denied = sqs_access_denied,
};
