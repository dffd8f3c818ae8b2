/* sqs_service: SQS over HTTP — intake, authentication, execution,
 * durability and long polling (see server/sqs/entry.h).
 *
 * A request's body (bounded by SQS_MAX_REQUEST_BYTES) is read whole, then
 * SigV4 is checked with the body's hash (SQS clients may omit
 * x-amz-content-sha256), the body is decoded by protocol/sqs (JSON when
 * X-Amz-Target names AmazonSQS, else the query protocol) and run by the
 * engine (storage/sqs) with the caller's account, the endpoint the client
 * used (http://<Host>) for queue URLs and the time. A queue another account
 * owns is used only as its Policy allows (protocol/iam), and a Policy's
 * Deny stops its owner too.
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
#include "server/sqs/entry.h"
#include "server/core/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>

#include "protocol/sqs/sqs.h"
#include "protocol/iam/policy.h"
#include "server/core/auth.h"
#include "server/core/iam_keys.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/sqs/persist.h"
#include "storage/sqs/sqs_engine.h"
#include "storage/core/store.h"
#include "storage/core/clock.h"

/* The largest payload (1 MiB) in the costliest encoding JSON allows for
 * its characters (\u escapes), plus room for the rest of the request. */
#define SQS_MAX_REQUEST_BYTES (8 * 1024 * 1024)
#define TICK_MAX_INTERVAL_MS 1000

struct sqs_service {
    struct server *srv;
    struct sqs_engine *engine;
    struct event *tick_timer;
    int64_t tick_at_ms;            /* when tick_timer fires; INT64_MAX when idle */
    struct event *wake_event;      /* retries the poked parked receives */
    struct sqs_exchange *waiters;      /* parked receives, doubly linked */
    bool stopping;
    sqs_arrival_fn arrival;        /* internal consumers' wake-up (sqs_set_arrival_listener) */
    void *arrival_arg;
};

/* One request. */
struct sqs_exchange {
    struct http_req *req;
    struct sqs_service *svc;
    enum sqs_protocol proto;
    struct strbuf body;
    bool body_too_large;
    char account[13];
    char sender_id[129];
    char endpoint[320];
    struct sqs_request request;
    bool decoded;
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

/* Moves the records out of `changes` into a commit job. `call` gets its
 * answer when the job is durable; NULL means nobody waits. */
static bool submit_changes(struct sqs_service *svc, struct sqs_changes *changes, struct sqs_exchange *call)
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

static void arm_tick(struct sqs_service *svc)
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
        submit_changes(svc, &changes, NULL);
    sqs_changes_free(&changes);
    arm_tick(svc);
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
    bool receive = call->request.op == SQS_OP_RECEIVE_MESSAGE;
    if (rc == SQS_OK && call->changes.oom) {
        sqs_changes_clear(&call->changes);
        sqs_error_set(&err, SQS_ERR_INTERNAL, "out of memory");
        rc = SQS_ERR_INTERNAL;
    }
    if (rc != SQS_OK) {
        sqs_changes_clear(&call->changes);
        arm_tick(svc);
        fail(call, &err);
        return;
    }
    if (receive) {
        if (call->changes.n)
            submit_changes(svc, &call->changes, NULL);
        arm_tick(svc);
        if (call->resp.n_messages == 0 && may_park && park(call))
            return;
        send_response(call);
        return;
    }
    arm_tick(svc);
    if (call->changes.n == 0) {
        send_response(call);
        return;
    }
    if (!submit_changes(svc, &call->changes, call))
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
    if (host && *host && !strpbrk(host, "/\"<>\\ "))
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s", scheme, host);
    else
        snprintf(call->endpoint, sizeof(call->endpoint), "%s://%s:%d", scheme, cfg->host, cfg->port);
}

/* ---- queue policies ------------------------------------------------------- */

/* The IAM action a queue operation needs (batches need their single
 * form's), or NULL with *owner_only: as on SQS, cross-account grants do not
 * apply to queue administration (DeleteQueue, SetQueueAttributes, tags,
 * permissions, message move tasks), which stays the owner's. */
static const char *queue_action(enum sqs_op op, bool *owner_only)
{
    *owner_only = false;
    switch (op) {
    case SQS_OP_SEND_MESSAGE_BATCH: return "sqs:SendMessage";
    case SQS_OP_DELETE_MESSAGE_BATCH: return "sqs:DeleteMessage";
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH: return "sqs:ChangeMessageVisibility";
    case SQS_OP_SEND_MESSAGE: return "sqs:SendMessage";
    case SQS_OP_RECEIVE_MESSAGE: return "sqs:ReceiveMessage";
    case SQS_OP_DELETE_MESSAGE: return "sqs:DeleteMessage";
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY: return "sqs:ChangeMessageVisibility";
    case SQS_OP_GET_QUEUE_ATTRIBUTES: return "sqs:GetQueueAttributes";
    case SQS_OP_GET_QUEUE_URL: return "sqs:GetQueueUrl";
    case SQS_OP_PURGE_QUEUE: return "sqs:PurgeQueue";
    case SQS_OP_LIST_DEAD_LETTER_SOURCE_QUEUES: return "sqs:ListDeadLetterSourceQueues";
    default:
        *owner_only = true;
        return NULL;
    }
}

/* Whether the caller may run its request on the queue it names (requests
 * naming none act in the caller's own account). The owner may, unless the
 * queue's Policy denies it; another account needs the Policy to allow the
 * action. Answers AccessDenied (as SQS words it) and returns false when not. */
static bool queue_access_allowed(struct sqs_exchange *call)
{
    const struct sqs_request *r = &call->request;
    struct sqs_engine *engine = call->svc->engine;
    struct sqs_queue *q = NULL;
    if (r->op == SQS_OP_GET_QUEUE_URL && r->queue_name)
        q = sqs_engine_queue_named(engine, r->queue_owner ? r->queue_owner : call->account, r->queue_name);
    else if (r->queue_url && r->op != SQS_OP_CREATE_QUEUE && r->op != SQS_OP_LIST_QUEUES)
        q = sqs_engine_queue_by_url(engine, r->queue_url);
    if (!q)
        return true;   /* the engine answers QueueDoesNotExist */
    bool own = strcmp(sqs_queue_account(q), call->account) == 0;
    const char *policy = sqs_queue_policy(q);
    if (own && !policy)
        return true;
    bool owner_only;
    const char *action = queue_action(r->op, &owner_only);
    enum iam_decision d = IAM_NO_MATCH;
    if (action && policy) {
        struct iam_keys keys;
        iam_keys_init(&keys, call->req, call->account);
        struct iam_context ctx = iam_keys_context(&keys);
        d = iam_policy_evaluate(policy, call->account, action, sqs_queue_arn(q), &ctx);
    }
    if (d == IAM_DENY || (!own && (owner_only || d != IAM_ALLOW))) {
        char message[512];
        snprintf(message, sizeof(message), "Access to the resource %s/%s/%s is denied.", call->endpoint,
                 sqs_queue_account(q), sqs_queue_name(q));
        send_error(call, SQS_ERR_ACCESS_DENIED, message);
        return false;
    }
    return true;
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
    if (target && strncmp(target, "AmazonSQS.", 10) == 0)
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
    arm_tick(svc);
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

/* ---- internal senders ------------------------------------------------------ */

struct internal_send {
    struct sqs_service *svc;
    struct sqs_changes changes;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_internal_send(struct store_conn *writer, void *arg)
{
    struct internal_send *s = arg;
    return sqs_persist_apply(writer, &s->changes);
}

static void internal_send_done(void *arg, bool ok)
{
    struct internal_send *s = arg;
    if (s->done)
        s->done(s->arg, ok);
    sqs_changes_free(&s->changes);
    free(s);
}

/* arn:aws:sqs:<region>:<account>:<name> -> the queue's account and a URL
 * the engine resolves. false when it is no queue ARN. */
static bool queue_of_arn(const char *queue_arn, char account[13], char url[400])
{
    const char *p = queue_arn;
    for (int i = 0; i < 4 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    const char *colon = p ? strchr(p, ':') : NULL;
    if (strncmp(queue_arn, "arn:aws:sqs:", 12) != 0 || !colon || colon - p != 12 || !colon[1])
        return false;
    snprintf(account, 13, "%.12s", p);
    snprintf(url, 400, "http://localhost/%s/%s", account, colon + 1);
    return true;
}

bool sqs_queue_exists(struct sqs_service *svc, const char *queue_arn)
{
    char account[13], url[400];
    return queue_of_arn(queue_arn, account, url) && sqs_engine_queue_by_url(svc->engine, url);
}

int sqs_send_internal(struct sqs_service *svc, const char *queue_arn, const char *body, size_t len,
                      void (*done)(void *arg, bool ok), void *arg)
{
    struct sqs_internal_message m = {.body = body, .len = len};
    return sqs_send_message_internal(svc, queue_arn, &m, done, arg);
}

int sqs_send_message_internal(struct sqs_service *svc, const char *queue_arn, const struct sqs_internal_message *m,
                              void (*done)(void *arg, bool ok), void *arg)
{
    char account[13], url[400];
    if (!queue_of_arn(queue_arn, account, url))
        return -1;
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_SEND_MESSAGE;
    req.queue_url = sqs_arena_strdup(&req.arena, url);
    req.sends = sqs_arena_alloc(&req.arena, sizeof(*req.sends));
    if (!req.queue_url || !req.sends) {
        sqs_request_free(&req);
        return -1;
    }
    req.n_sends = 1;
    struct sqs_send_entry *e = &req.sends[0];
    e->body = sqs_arena_strndup(&req.arena, m->body, m->len);
    e->body_len = m->len;
    e->delay_seconds = -1;
    bool built = e->body != NULL;
    if (m->group_id)
        built = built && (e->group_id = sqs_arena_strdup(&req.arena, m->group_id)) != NULL;
    if (m->n_attrs) {
        /* String attributes, in the engine's order: sorted by name. */
        e->attrs.items = sqs_arena_alloc(&req.arena, m->n_attrs * sizeof(*e->attrs.items));
        built = built && e->attrs.items;
        for (size_t i = 0; built && i < m->n_attrs; i++) {
            size_t at = e->attrs.n;
            while (at > 0 && strcmp(e->attrs.items[at - 1].name, m->attr_names[i]) > 0)
                at--;
            memmove(&e->attrs.items[at + 1], &e->attrs.items[at], (e->attrs.n - at) * sizeof(*e->attrs.items));
            struct sqs_msg_attr *a = &e->attrs.items[at];
            a->name = sqs_arena_strdup(&req.arena, m->attr_names[i]);
            a->data_type = sqs_arena_strdup(&req.arena, "String");
            a->binary = false;
            a->value = sqs_arena_strdup(&req.arena, m->attr_values[i]);
            a->value_len = a->value ? strlen(a->value) : 0;
            e->attrs.n++;
            built = a->name && a->data_type && a->value;
        }
    }
    if (!built) {
        sqs_request_free(&req);
        return -1;
    }
    struct internal_send *s = calloc(1, sizeof(*s));
    if (!s) {
        sqs_request_free(&req);
        return -1;
    }
    s->svc = svc;
    s->done = done;
    s->arg = arg;
    sqs_changes_init(&s->changes);
    struct sqs_call call = {.account = account, .endpoint = "http://localhost", .sender_id = account,
                            .now_ms = clock_now_ms(), .changes = &s->changes};
    struct sqs_response resp;
    struct sqs_error err = {0};
    enum sqs_err rc = sqs_engine_execute(svc->engine, &call, &req, &resp, &err);
    sqs_request_free(&req);
    if (rc != SQS_OK) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    sqs_response_free(&resp);
    if (store_submit(svc->srv->store, apply_internal_send, internal_send_done, s) < 0) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    return 0;
}

/* ---- internal consumers (Lambda event source mappings) ----------------------- */

void sqs_set_arrival_listener(struct sqs_service *svc, sqs_arrival_fn fn, void *arg)
{
    svc->arrival = fn;
    svc->arrival_arg = arg;
}

/* Runs a request on the queue of `queue_arn` as its owner. resp is always
 * initialised (free it); the changes are appended to `changes`, whose oom
 * flag the caller checks. */
static enum sqs_err execute_internal(struct sqs_service *svc, const char *queue_arn,
                                     struct sqs_request *req, struct sqs_response *resp,
                                     struct sqs_changes *changes)
{
    sqs_response_init(resp, req->op);
    char account[13], url[400];
    if (!queue_of_arn(queue_arn, account, url))
        return SQS_ERR_QUEUE_DOES_NOT_EXIST;
    req->queue_url = sqs_arena_strdup(&req->arena, url);
    if (!req->queue_url)
        return SQS_ERR_INTERNAL;
    struct sqs_call call = {.account = account, .endpoint = "http://localhost", .sender_id = account,
                            .now_ms = clock_now_ms(), .changes = changes};
    struct sqs_error err = {0};
    return sqs_engine_execute(svc->engine, &call, req, resp, &err);
}

int sqs_queue_visibility_internal(struct sqs_service *svc, const char *queue_arn)
{
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_GET_QUEUE_ATTRIBUTES;
    char *names[] = {"VisibilityTimeout"};
    req.names.items = names;
    req.names.n = 1;
    struct sqs_changes changes;
    sqs_changes_init(&changes);
    struct sqs_response resp;
    int seconds = -1;
    if (execute_internal(svc, queue_arn, &req, &resp, &changes) == SQS_OK)
        for (size_t i = 0; i < resp.attributes.n; i++)
            if (strcmp(resp.attributes.items[i].key, "VisibilityTimeout") == 0)
                seconds = atoi(resp.attributes.items[i].value);
    sqs_response_free(&resp);
    sqs_request_free(&req);
    sqs_changes_free(&changes);
    return seconds;
}

size_t sqs_visible_internal(struct sqs_service *svc, const char *queue_arn)
{
    char account[13], url[400];
    if (!queue_of_arn(queue_arn, account, url))
        return 0;
    struct sqs_queue *q = sqs_engine_queue_by_url(svc->engine, url);
    return q ? sqs_queue_visible_count(svc->engine, q, clock_now_ms()) : 0;
}

int sqs_receive_internal(struct sqs_service *svc, const char *queue_arn, int max,
                         struct sqs_response *resp)
{
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_RECEIVE_MESSAGE;
    req.max_messages = max;
    req.visibility_timeout = -1;
    req.wait_time_seconds = 0;
    char *all[] = {"All"};
    req.system_attribute_names.items = all;
    req.system_attribute_names.n = 1;
    req.message_attribute_names.items = all;
    req.message_attribute_names.n = 1;
    struct sqs_changes changes;
    sqs_changes_init(&changes);
    enum sqs_err rc = execute_internal(svc, queue_arn, &req, resp, &changes);
    sqs_request_free(&req);
    if (rc == SQS_OK && !changes.oom && changes.n)
        submit_changes(svc, &changes, NULL);
    sqs_changes_free(&changes);
    arm_tick(svc);
    if (rc != SQS_OK) {
        sqs_response_free(resp);
        return -1;
    }
    return 0;
}

int sqs_delete_internal(struct sqs_service *svc, const char *queue_arn, char *const *handles,
                        size_t n, void (*done)(void *arg, bool ok), void *arg)
{
    struct internal_send *s = calloc(1, sizeof(*s));
    if (!s)
        return -1;
    s->svc = svc;
    s->done = done;
    s->arg = arg;
    sqs_changes_init(&s->changes);
    for (size_t i = 0; i < n; i++) {
        struct sqs_request req;
        memset(&req, 0, sizeof(req));
        req.op = SQS_OP_DELETE_MESSAGE;
        struct sqs_handle_entry entry = {.receipt_handle = handles[i], .visibility_timeout = -1};
        req.handles = &entry;
        req.n_handles = 1;
        struct sqs_response resp;
        enum sqs_err rc = execute_internal(svc, queue_arn, &req, &resp, &s->changes);
        sqs_response_free(&resp);
        sqs_request_free(&req);
        if (rc == SQS_ERR_QUEUE_DOES_NOT_EXIST)
            break;                 /* the queue is gone, and its messages with it */
    }
    if (s->changes.oom || store_submit(svc->srv->store, apply_internal_send, internal_send_done, s) < 0) {
        sqs_changes_free(&s->changes);
        free(s);
        return -1;
    }
    return 0;
}

const struct service_def sqs_service_def = {
    .name = "sqs",
    .title = "Amazon SQS",
    .protocol = SERVICE_JSON,
    .claims = sqs_claims_request,
    .handle = sqs_handle_request,
};
