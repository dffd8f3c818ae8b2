/* lambda_runtime_api: the Lambda Runtime API that execution environments
 * (runtime.c) talk to, on private loopback listeners.
 *
 * Each environment slot has its own listener (127.0.0.1, port 0) served by
 * http_conn with this file's dispatch, so the slot identifies the
 * environment. GET /2018-06-01/runtime/invocation/next is parked until an
 * invocation is assigned; POST .../invocation/<id>/response and .../error
 * finish it (a response is bounded by Lambda's 6 MB payload limit, an
 * error by 1 MB), POST .../init/error fails the environment's start.
 * Requests from an environment that died or moved on are answered 410.
 *
 * Interpreters: at an environment's first GET /next, /proc/<pid>/exe names
 * the interpreter a wrapper (pyenv's shims) exec'd, which runtime.c then
 * starts directly. Slots (and their listeners) live as long as the
 * service, since connections keep a pointer to their listener. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/listener.h>

#include "server/core/server.h"
#include "server/lambda/runtime.h"

#define RESPONSE_MAX (LAMBDA_SYNC_PAYLOAD_MAX + 100)
#define ERROR_BODY_MAX (1024 * 1024)

static void runtime_dispatch(struct http_req *req);

/* ---- slots -------------------------------------------------------------------------- */

struct slot *runtime_slot_get(struct lambda_runtime *rt)
{
    for (size_t i = 0; i < rt->n_slots; i++)
        if (!rt->slots[i]->env)
            return rt->slots[i];
    struct slot **grown = realloc(rt->slots, (rt->n_slots + 1) * sizeof(*grown));
    if (!grown)
        return NULL;
    rt->slots = grown;
    struct slot *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->lc.srv = rt->svc->srv;
    s->lc.dispatch = runtime_dispatch;
    s->lc.data = s;
    s->listener = http_listen(&s->lc, "127.0.0.1", 0);
    if (!s->listener) {
        free(s);
        return NULL;
    }
    s->port = http_listener_port(s->listener);
    rt->slots[rt->n_slots++] = s;
    return s;
}

void runtime_slots_free(struct lambda_runtime *rt)
{
    for (size_t i = 0; i < rt->n_slots; i++) {
        evconnlistener_free(rt->slots[i]->listener);
        free(rt->slots[i]);
    }
    free(rt->slots);
}

/* ---- requests ----------------------------------------------------------------------- */

struct runtime_post {
    struct env *env;
    struct strbuf body;
    size_t limit;
    bool too_large;
    enum { POST_RESPONSE, POST_ERROR, POST_INIT_ERROR } kind;
};

static void post_cleanup(struct http_req *req)
{
    struct runtime_post *rp = req->handler;
    strbuf_free(&rp->body);
    free(rp);
}

static void answer_json(struct http_req *req, int status, const char *json)
{
    http_resp_send(req, status, "application/json", json, strlen(json));
}

static int post_sink(struct http_req *req, const void *data, size_t len)
{
    struct runtime_post *rp = req->handler;
    if (rp->body.len + len > rp->limit) {
        rp->too_large = true;
        return 0;
    }
    strbuf_append(&rp->body, data, len);
    return 0;
}

/* The env that posted may have died or moved on while the body arrived. */
static struct env *posting_env(struct http_req *req)
{
    struct slot *s = req->listener_data;
    struct runtime_post *rp = req->handler;
    return s && s->env == rp->env ? rp->env : NULL;
}

static void post_done(struct http_req *req)
{
    struct runtime_post *rp = req->handler;
    struct env *e = posting_env(req);
    if (!e || e->state == ENV_DYING) {
        answer_json(req, 410, "{\"errorMessage\":\"environment gone\",\"errorType\":\"InvalidStateTransition\"}");
        return;
    }
    if (strbuf_failed(&rp->body)) {
        answer_json(req, 500, "{\"errorMessage\":\"out of memory\",\"errorType\":\"ServiceException\"}");
        return;
    }
    const char *body = rp->body.data ? rp->body.data : "";
    size_t len = rp->body.len;
    if (rp->kind == POST_INIT_ERROR) {
        answer_json(req, 202, "{\"status\":\"OK\"}");
        if (e->inv && !e->delivered) {
            e->delivered = true;
            e->inv->start_us = clock_now_us();
        }
        runtime_env_kill(e);
        runtime_env_finish(e, len ? body : "{}", len ? len : 2, "Unhandled");
        return;
    }
    if (rp->too_large) {
        answer_json(req, 413, "{\"errorMessage\":\"Exceeded maximum allowed payload size (6291556 bytes).\",\"errorType\":\"RequestEntityTooLarge\"}");
        runtime_env_fail(e, "Function.ResponseSizeTooLarge",
                  "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
    } else {
        answer_json(req, 202, "{\"status\":\"OK\"}");
        runtime_env_finish(e, body, len, rp->kind == POST_ERROR ? "Unhandled" : NULL);
    }
    if (e->state == ENV_DYING)
        return;
    e->state = ENV_IDLE;
    e->idle_since_us = clock_now_us();
    if (e->pool->retired || e->rt->stopping)
        runtime_env_kill(e);
    else
        runtime_pool_schedule(e->pool);
}

/* Remembers the interpreter the environment runs (see Interpreters above);
 * an exe not named after its language is a wrapper that did not exec, so it
 * is not remembered. */
static void learn_interpreter(struct env *e)
{
    char link[64], exe[4096];
    snprintf(link, sizeof(link), "/proc/%d/exe", (int)e->pid);
    ssize_t n = readlink(link, exe, sizeof(exe) - 1);
    if (n <= 0)
        return;
    exe[n] = '\0';
    const char *slash = strrchr(exe, '/');
    const char *base = slash ? slash + 1 : exe;
    if (strncmp(base, e->lang, strlen(e->lang)) != 0 || access(exe, X_OK) != 0)
        return;
    *e->learn_exe = strdup(exe);
}

static void handle_next(struct http_req *req, struct env *e)
{
    if (e->next_req) {
        answer_json(req, 400, "{\"errorMessage\":\"a request for the next invocation is already waiting\",\"errorType\":\"InvalidStateTransition\"}");
        return;
    }
    if (!e->init_us) {
        e->init_us = clock_now_us() - e->spawned_us;
        if (e->learn_exe && !*e->learn_exe)
            learn_interpreter(e);
    }
    if (e->state == ENV_STARTING) {
        e->state = ENV_IDLE;
        e->idle_since_us = clock_now_us();
    }
    if (e->inv && e->delivered) {
        /* Asking for more without answering: the invocation ends empty. */
        runtime_env_finish(e, "null", 4, NULL);
        e->state = ENV_IDLE;
        e->idle_since_us = clock_now_us();
    }
    e->next_req = req;
    if (e->inv)
        runtime_env_deliver(e);
    else
        runtime_pool_schedule(e->pool);
}

static int ignore_body(struct http_req *req, const void *data, size_t len)
{
    (void)req;
    (void)data;
    (void)len;
    return 0;
}

/* GET .../next: parked (taken as a body-less request) until work comes. */
static void next_requested(struct http_req *req)
{
    struct slot *s = req->listener_data;
    if (!s->env || s->env->state == ENV_DYING) {
        answer_json(req, 410, "{\"errorMessage\":\"environment gone\",\"errorType\":\"InvalidStateTransition\"}");
        return;
    }
    handle_next(req, s->env);
}

static void runtime_dispatch(struct http_req *req)
{
    struct slot *s = req->listener_data;
    struct env *e = s ? s->env : NULL;
    static const char prefix[] = "/2018-06-01/runtime/";
    const char *path = req->path;
    req->op_name = "RuntimeAPI";
    if (!e || e->state == ENV_DYING) {
        answer_json(req, 410, "{\"errorMessage\":\"environment gone\",\"errorType\":\"InvalidStateTransition\"}");
        return;
    }
    if (strncmp(path, prefix, sizeof(prefix) - 1) != 0) {
        answer_json(req, 404, "{\"errorMessage\":\"unknown path\",\"errorType\":\"NotFound\"}");
        return;
    }
    path += sizeof(prefix) - 1;
    bool get = strcmp(req->method, "GET") == 0, post = strcmp(req->method, "POST") == 0;
    if (get && strcmp(path, "invocation/next") == 0) {
        http_req_read_body(req, ignore_body, next_requested);
        return;
    }
    struct runtime_post *rp = calloc(1, sizeof(*rp));
    if (!rp) {
        answer_json(req, 500, "{\"errorMessage\":\"out of memory\",\"errorType\":\"ServiceException\"}");
        return;
    }
    strbuf_init(&rp->body);
    rp->env = e;
    rp->limit = ERROR_BODY_MAX;
    req->handler = rp;
    req->cleanup = post_cleanup;
    if (post && strcmp(path, "init/error") == 0) {
        rp->kind = POST_INIT_ERROR;
        http_req_read_body(req, post_sink, post_done);
        return;
    }
    static const char inv_prefix[] = "invocation/";
    const char *id = path + sizeof(inv_prefix) - 1;
    const char *slash = strncmp(path, inv_prefix, sizeof(inv_prefix) - 1) == 0 ? strchr(id, '/') : NULL;
    if (!post || !slash || (strcmp(slash, "/response") != 0 && strcmp(slash, "/error") != 0)) {
        answer_json(req, 404, "{\"errorMessage\":\"unknown path\",\"errorType\":\"NotFound\"}");
        return;
    }
    if (!e->inv || !e->delivered || strncmp(e->inv->request_id, id, (size_t)(slash - id)) != 0 ||
        (size_t)(slash - id) != strlen(e->inv->request_id)) {
        answer_json(req, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
        return;
    }
    if (strcmp(slash, "/response") == 0) {
        rp->kind = POST_RESPONSE;
        rp->limit = RESPONSE_MAX;
    } else {
        rp->kind = POST_ERROR;
    }
    http_req_read_body(req, post_sink, post_done);
}
