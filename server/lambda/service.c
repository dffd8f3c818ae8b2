/* lambda_service: the Lambda service — its life cycle (its directories,
 * where the shipped bootstraps are, loading functions and pending events
 * at start, the event sources: SQS mappings and the S3 trigger), the
 * intake and dispatch of its REST API requests, and lambda_invoke_event,
 * the entry point through which event sources (S3 notifications,
 * destinations) invoke a function asynchronously.
 *
 * A request is resolved from its method, path and query alone
 * (protocol/lambda/request.c, by the table of operations.h): a real Lambda
 * operation cloudless lacks is answered NotImplemented (501), a method and
 * path that are no operation UnknownOperationException (404). An
 * operation's body is read whole (bounded per operation: 6 MB for Invoke,
 * AWS's 69905067 bytes for code uploads, 1 MB otherwise), then
 * authenticated (SigV4, "lambda"), parsed, authorized on the function it
 * names with the function's resource policy (server/core/authorize.h),
 * and handed to the operation's handler, which lives in the file of its
 * family. The zips GetFunction's
 * Code.Location points at are served under /_cloudless/lambda/code/.
 *
 * Bootstraps (runtimes/python/bootstrap.py, runtimes/node/bootstrap.js) are
 * looked for in --lambda-runtimes-dir, then <exe>/../share/cloudless/
 * runtimes (an installed prefix), then the install datadir and the source
 * tree recorded at build time (running from a build directory). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/iam/policy.h"
#include "protocol/lambda/operations.h"
#include "protocol/lambda/request.h"
#include "server/core/auth.h"
#include "server/core/authorize.h"
#include "server/core/iam_keys.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "server/lambda/entry.h"
#include "server/lambda/lambda.h"

#define OTHER_BODY_MAX (1024 * 1024)

/* ---- life cycle --------------------------------------------------------------------- */

static bool has_bootstraps(const char *dir)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%.4000s/python/bootstrap.py", dir);
    return access(path, R_OK) == 0;
}

static char *find_runtimes_dir(const struct config *cfg)
{
    if (cfg->lambda_runtimes_dir)
        return realpath(cfg->lambda_runtimes_dir, NULL);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char candidates[3][PATH_MAX];
    size_t count = 0;
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(candidates[count++], sizeof(candidates[0]), "%.4000s/../share/cloudless/runtimes", exe);
    }
    snprintf(candidates[count++], sizeof(candidates[0]), "%s", CLOUDLESS_RUNTIMES_INSTALL_DIR);
    snprintf(candidates[count++], sizeof(candidates[0]), "%s", CLOUDLESS_RUNTIMES_SOURCE_DIR);
    for (size_t i = 0; i < count; i++)
        if (has_bootstraps(candidates[i]))
            return realpath(candidates[i], NULL);
    return NULL;
}

struct lambda_service *lambda_service_new(struct server *srv, char *err, size_t errlen)
{
    struct lambda_service *svc = calloc(1, sizeof(*svc));
    if (!svc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    svc->srv = srv;
    if (asprintf(&svc->lambda_dir, "%s/lambda", srv->cfg->data_dir) < 0) {
        svc->lambda_dir = NULL;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    svc->runtimes_dir = find_runtimes_dir(srv->cfg);
    if (!svc->runtimes_dir) {
        snprintf(err, errlen, "cannot find the Lambda runtime bootstraps (set --lambda-runtimes-dir)");
        goto fail;
    }
    if (!(svc->code = lambda_code_new(srv, svc->lambda_dir))) {
        snprintf(err, errlen, "cannot start the code store in %s", svc->lambda_dir);
        goto fail;
    }
    if (!(svc->roles = lambda_roles_new())) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!(svc->runtime = lambda_runtime_new(svc))) {
        snprintf(err, errlen, "cannot set up the function runtime");
        goto fail;
    }
    if (lambda_load_functions(svc, err, errlen) < 0)
        goto fail;
    if (!(svc->async = lambda_async_new(svc, err, errlen)))
        goto fail;
    if (!(svc->esm = lambda_esm_new(svc, err, errlen)))
        goto fail;
    if (lambda_s3_trigger_start(svc) < 0) {
        snprintf(err, errlen, "cannot register the S3 trigger");
        goto fail;
    }
    return svc;
fail:
    lambda_service_free(svc);
    return NULL;
}

void lambda_service_shutdown(struct lambda_service *svc)
{
    if (!svc)
        return;
    lambda_esm_stop(svc->esm);
    lambda_runtime_shutdown(svc->runtime);
}

void lambda_service_clock_moved(struct lambda_service *svc)
{
    if (svc)
        lambda_async_clock_moved(svc->async);
}

void lambda_service_free(struct lambda_service *svc)
{
    if (!svc)
        return;
    lambda_code_free(svc->code);
    lambda_runtime_free(svc->runtime);
    lambda_async_free(svc->async);
    lambda_esm_free(svc->esm);
    lambda_roles_free(svc->roles);
    while (svc->functions) {
        struct lambda_function *fn = svc->functions;
        svc->functions = fn->next;
        lambda_function_free(fn);
    }
    free(svc->lambda_dir);
    free(svc->runtimes_dir);
    free(svc);
}

/* ---- event sources ------------------------------------------------------------------ */

int lambda_invoke_event(struct lambda_service *svc, const char *account, const char *function,
                        const char *payload, size_t len, void (*done)(void *arg, bool ok), void *arg)
{
    const char *name = function;
    const char *fn_part = strstr(function, ":function:");
    if (fn_part)
        name = fn_part + 10;
    char base[256];
    const char *colon = strchr(name, ':');
    snprintf(base, sizeof(base), "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
    struct lambda_function *fn = lambda_find(svc, account, base);
    const char *qualifier = colon ? colon + 1 : NULL;
    if (!fn || !lambda_resolve(fn, qualifier))
        return -1;
    return lambda_async_accept(svc->async, account, base, qualifier, payload, len, NULL, done, arg);
}

/* ---- requests ----------------------------------------------------------------------- */

static struct lambda_service *service_of(struct http_req *req) { return req->srv->lambda; }

#define LAMBDA_HANDLER(name, method, path, family, action, handler) handler,
static void (*const handlers[])(struct lambda_call *) = {LAMBDA_OPERATIONS(LAMBDA_HANDLER)};
#define LAMBDA_OP(name, method, path, family, action, handler) {#name, #family, action},
static const struct service_op ops[] = {LAMBDA_OPERATIONS(LAMBDA_OP)};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

/* The function the path names (FunctionName: name, name:qualifier or an
 * ARN) and its qualifier, which ?Qualifier= overrides. */
static int set_function(struct lambda_call *c, const char *function)
{
    if (call_split_function_name(c, function) < 0)
        return -1;
    char *q = call_query_param(c, "Qualifier");
    if (q && *q) {
        free(c->qualifier);
        c->qualifier = q;
    } else {
        free(q);
    }
    return 0;
}

static bool authenticate(struct lambda_call *c)
{
    const char *type, *message;
    if (auth_check_json(c->svc->srv, c->req, &c->body, c->account, &type, &message))
        return true;
    call_error(c, 403, type, "%s", message);
    return false;
}

static void call_cleanup(struct http_req *req)
{
    struct lambda_call *c = req->handler;
    if (!c)
        return;
    strbuf_free(&c->body);
    json_free(c->json);
    lambda_route_free(&c->route);
    free(c->fn_name);
    free(c->qualifier);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct lambda_call *c = req->handler;
    if (c->body.len + len > c->limit) {
        c->too_large = true;
        return 0;
    }
    strbuf_append(&c->body, data, len);
    return 0;
}

static bool is_invoke(const struct lambda_call *c)
{
    return handlers[c->route.op] == lambda_invoke;
}

/* ---- authorization ---------------------------------------------------------------------- */

/* The account a FunctionName names ("arn:aws:lambda:<region>:<account>:function:<name>"
 * or "<account>:function:<name>"), else the caller's. */
static void function_account(const struct lambda_call *c, const char *function, char out[13])
{
    const char *fn = function ? strstr(function, ":function:") : NULL;
    memcpy(out, c->account, 13);
    if (fn && fn - function >= 12 && strspn(fn - 12, "0123456789") == 12 && (fn - function == 12 || fn[-13] == ':'))
        snprintf(out, 13, "%.12s", fn - 12);
}

/* Lambda's condition keys: lambda:FunctionArn (event source mappings) and
 * lambda:Principal (AddPermission). */
static bool lambda_keys_add(void *arg, struct iam_keys *keys, const struct authorize_policies *ps)
{
    struct lambda_call *c = arg;
    iam_keys_add(keys, "lambda:FunctionArn", c->condition_function_arn[0] ? c->condition_function_arn : NULL);
    iam_keys_add(keys, "lambda:Principal", handlers[c->route.op] == lambda_add_permission ? json_str(c->json, "Principal")
                                                                                        : NULL);
    return true;
}

/* Decides the request (server/core/authorize.h) on what it names: the
 * function (qualified when it names a version or alias, with the
 * function's resource policy; another account's when FunctionName is
 * its ARN), the event source mapping, the tagged resource, or nothing in
 * particular. A caller another account's function policy lets in acts in
 * that account from then on, as S3 does with buckets. */
static bool authorized(struct lambda_call *c, const char *function)
{
    const char *region = c->svc->srv->cfg->region;
    const char *uuid = lambda_route_param(&c->route, "UUID"), *tagged = lambda_route_param(&c->route, "Resource");
    const char *created = handlers[c->route.op] == lambda_create_function ? json_str(c->json, "FunctionName") : NULL;
    const char *mapped = json_str(c->json, "FunctionName");
    char owner[13], resource[800];
    function_account(c, function, owner);
    struct strbuf policy;
    strbuf_init(&policy);
    if (c->fn_name) {
        snprintf(resource, sizeof(resource), "arn:aws:lambda:%s:%s:function:%s%s%s", region, owner, c->fn_name,
                 c->qualifier ? ":" : "", c->qualifier ? c->qualifier : "");
        const struct lambda_function *fn = lambda_find(c->svc, owner, c->fn_name);
        if (fn && fn->n_policy)
            lambda_policy_document(fn, &policy);
    } else if (created) {
        const char *name = strstr(created, ":function:");
        snprintf(resource, sizeof(resource), "arn:aws:lambda:%s:%s:function:%s", region, owner, name ? name + 10 : created);
    } else if (uuid) {
        snprintf(resource, sizeof(resource), "arn:aws:lambda:%s:%s:event-source-mapping:%s", region, owner, uuid);
    } else {
        snprintf(resource, sizeof(resource), "%s", tagged ? tagged : "*");
    }
    if (mapped && !created) {
        const char *name = strstr(mapped, ":function:");
        snprintf(c->condition_function_arn, sizeof(c->condition_function_arn), "arn:aws:lambda:%s:%s:function:%s",
                 region, c->account, name ? name + 10 : mapped);
    }
    if (strbuf_failed(&policy)) {
        strbuf_free(&policy);
        call_error(c, 500, "ServiceException", "out of memory");
        return false;
    }
    const struct authorize_target t = {
        .resource = resource,
        .owner = owner,
        .policy = policy.len ? policy.data : NULL,
        .add_keys = lambda_keys_add,
        .arg = c,
    };
    bool allowed = authorize_request(c->req, &lambda_service_def, &ops[c->route.op], &t);
    strbuf_free(&policy);
    if (allowed)
        memcpy(c->account, owner, sizeof(owner));
    return allowed;
}

static void body_done(struct http_req *req)
{
    struct lambda_call *c = req->handler;
    /* Oversized bodies are refused before the signature (whose payload
     * hash covers bytes that were not kept), as AWS's front end does. */
    if (c->too_large) {
        if (is_invoke(c))
            call_error(c, 413, "RequestTooLargeException",
                       "Request must be smaller than %d bytes for the InvokeFunction operation", LAMBDA_SYNC_PAYLOAD_MAX);
        else
            call_error(c, 413, "RequestEntityTooLargeException", "Request must be smaller than %zu bytes for the %s operation",
                       c->limit, c->route.name);
        return;
    }
    if (!authenticate(c))
        return;
    if (strbuf_failed(&c->body)) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (!is_invoke(c) && c->body.len) {
        c->json = json_parse(c->body.data, c->body.len, NULL);
        if (!c->json || !json_is(c->json, JSON_OBJECT)) {
            call_error(c, 400, "InvalidRequestContentException", "Could not parse request body into json.");
            return;
        }
    }
    const char *function = lambda_route_param(&c->route, "FunctionName");
    if (function && set_function(c, function) < 0) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (authorized(c, function))
        handlers[c->route.op](c);
}


/* Serves the zips GetFunction's Code.Location points at. */
static void serve_code(struct http_req *req)
{
    struct lambda_service *svc = service_of(req);
    const char *name = req->path + sizeof(LAMBDA_CODE_PATH) - 1;
    size_t n = strlen(name);
    req->op_name = "GetFunctionCode";
    if (n != 68 || strspn(name, "0123456789abcdef") != 64 || strcmp(name + 64, ".zip") != 0) {
        http_resp_send(req, 404, NULL, NULL, 0);
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/code/%s", svc->lambda_dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        http_resp_send(req, 404, NULL, NULL, 0);
        return;
    }
    http_resp_header(req, "Content-Type", "application/zip");
    http_resp_begin(req, 200, st.st_size);
    if (!req->is_head)
        http_resp_add_file(req, fd, 0, st.st_size);
    else
        close(fd);
    http_resp_end(req);
}

static bool lambda_claims_request(const struct http_req *req)
{
    return req->srv->lambda && (lambda_route_claims_path(req->path) ||
                                strncmp(req->path, LAMBDA_CODE_PATH, sizeof(LAMBDA_CODE_PATH) - 1) == 0);
}

/* A method and path that are no Lambda operation: AWS's answer. */
static void unknown_operation(struct http_req *req)
{
    log_info("lambda: no operation is %s %s", req->method, req->path);
    req->op_name = "UnknownOperation";
    lambda_send_error_message(req, 404, "UnknownOperationException", "Unknown operation.");
}

static void lambda_handle_request(struct http_req *req)
{
    if (strncmp(req->path, LAMBDA_CODE_PATH, sizeof(LAMBDA_CODE_PATH) - 1) == 0) {
        serve_code(req);
        return;
    }
    struct lambda_route route;
    if (lambda_route_resolve(req->method, req->path, req->query, &route) < 0) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    if (route.kind != LAMBDA_ROUTE_SERVED) {
        if (route.kind == LAMBDA_ROUTE_NOT_IMPLEMENTED)
            service_not_implemented(req, SERVICE_REST_JSON, lambda_service_def.title, route.name);
        else
            unknown_operation(req);
        lambda_route_free(&route);
        return;
    }
    struct lambda_call *c = calloc(1, sizeof(*c));
    if (!c) {
        lambda_route_free(&route);
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->svc = service_of(req);
    c->route = route;
    strbuf_init(&c->body);
    req->handler = c;
    req->cleanup = call_cleanup;
    req->op_name = route.name;
    /* Bodies are bounded per operation: Invoke's payload, a code upload's
     * zip, 1 MB for the rest. */
    if (is_invoke(c))
        c->limit = LAMBDA_SYNC_PAYLOAD_MAX;
    else if (handlers[route.op] == lambda_create_function || handlers[route.op] == lambda_update_function_code)
        c->limit = LAMBDA_ZIP_REQUEST_MAX;
    else
        c->limit = OTHER_BODY_MAX;
    http_req_read_body(req, body_sink, body_done);
}

const struct service_def lambda_service_def = {
    .name = "lambda",
    .title = "AWS Lambda",
    .protocol = SERVICE_REST_JSON,
    .ops = ops,
    .n_ops = N_OPS,
    .claims = lambda_claims_request,
    .handle = lambda_handle_request,
};

bool lambda_policy_allows(const struct lambda_function *fn, const char *principal, const char *arn,
                          const char *source_arn, const char *source_account)
{
    struct strbuf doc;
    strbuf_init(&doc);
    lambda_policy_document(fn, &doc);
    const struct iam_key keys[] = {{"aws:SourceArn", source_arn}, {"aws:SourceAccount", source_account}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    bool allowed = fn->n_policy && !strbuf_failed(&doc) &&
                   iam_policy_evaluate_service(doc.data, principal, "lambda:InvokeFunction", arn, &ctx) == IAM_ALLOW;
    strbuf_free(&doc);
    return allowed;
}

enum lambda_invoke_check lambda_may_invoke(struct lambda_service *svc, const char *function_arn,
                                           const char *principal, const char *source_arn,
                                           const char *source_account)
{
    /* arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
    const char *fn_part = strstr(function_arn, ":function:");
    const char *account = fn_part && fn_part - function_arn >= 13 ? fn_part - 12 : NULL;
    if (!account || strncmp(function_arn, "arn:aws:lambda:", 15) != 0 || strspn(account, "0123456789") != 12)
        return LAMBDA_INVOKE_NO_FUNCTION;
    char acct[13], name[256];
    snprintf(acct, sizeof(acct), "%.12s", account);
    const char *n = fn_part + 10, *colon = strchr(n, ':');
    snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - n) : (int)strlen(n), n);
    struct lambda_function *fn = lambda_find(svc, acct, name);
    if (!fn || !lambda_resolve(fn, colon ? colon + 1 : NULL))
        return LAMBDA_INVOKE_NO_FUNCTION;
    if (principal && !lambda_policy_allows(fn, principal, function_arn, source_arn, source_account))
        return LAMBDA_INVOKE_DENIED;
    return LAMBDA_INVOKE_ALLOWED;
}
