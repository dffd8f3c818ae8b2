/* lambda_call: one request to the Lambda REST API as the operations see
 * it — the answers in AWS's format (x-amzn-ErrorType header,
 * {"Type":"User","message":...} body) and the helpers every operation
 * family shares: the function the path names, RevisionId checks, and
 * "persist, then answer" (a change is acknowledged from the completion of
 * lambda_persist(), once durable). The request's intake and dispatch are
 * in service.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/base64.h"
#include "server/core/server.h"
#include "server/lambda/lambda.h"

/* ---- answers ------------------------------------------------------------------------ */

void lambda_send_json(struct http_req *req, int status, struct strbuf *sb)
{
    http_resp_header(req, "x-amzn-RequestId", req->request_id);
    if (strbuf_failed(sb)) {
        http_resp_header(req, "x-amzn-ErrorType", "ServiceException");
        static const char oom[] = "{\"Type\":\"Service\",\"message\":\"out of memory\"}";
        http_resp_send(req, 500, "application/json", oom, sizeof(oom) - 1);
        return;
    }
    http_resp_send(req, status, "application/json", sb->data ? sb->data : "{}", sb->data ? sb->len : 2);
}

void call_json(struct lambda_call *c, int status, struct strbuf *sb)
{
    lambda_send_json(c->req, status, sb);
}

void lambda_send_error_message(struct http_req *req, int status, const char *type, const char *msg)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Type", status >= 500 ? "Service" : "User");
    jw_string(&w, "message", msg);
    if (strcmp(type, "TooManyRequestsException") == 0)
        jw_string(&w, "Reason", "ReservedFunctionConcurrentInvocationLimitExceeded");
    jw_object_close(&w);
    http_resp_header(req, "x-amzn-ErrorType", type);
    lambda_send_json(req, status, &sb);
    strbuf_free(&sb);
}

void call_error(struct lambda_call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lambda_send_error_message(c->req, status, type, msg);
}

void call_empty(struct lambda_call *c, int status)
{
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, status, NULL, NULL, 0);
}

void call_function_not_found(struct lambda_call *c, const char *name, const char *qualifier)
{
    call_error(c, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:%s:%s:function:%s%s%s",
               c->svc->srv->cfg->region, c->account, name, qualifier ? ":" : "", qualifier ? qualifier : "");
}

void call_invalid(struct lambda_call *c, const char *fmt, const char *arg)
{
    call_error(c, 400, "InvalidParameterValueException", fmt, arg ? arg : "");
}

void call_store_failed(struct lambda_call *c)
{
    call_error(c, 500, "ServiceException", "The change could not be made durable.");
}

/* ---- request helpers ---------------------------------------------------------------- */

char *call_query_param(const struct lambda_call *c, const char *name)
{
    bool present;
    return query_param(c->req->query, name, &present);
}

int call_split_function_name(struct lambda_call *c, const char *decoded)
{
    const char *name = decoded;
    const char *fn = strstr(decoded, ":function:");
    if (fn)
        name = fn + 10;
    const char *colon = strchr(name, ':');
    c->fn_name = colon ? strndup(name, (size_t)(colon - name)) : strdup(name);
    if (!c->fn_name)
        return -1;
    if (colon && !(c->qualifier = strdup(colon + 1)))
        return -1;
    return 0;
}

struct lambda_function *call_require_function(struct lambda_call *c)
{
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->fn_name);
    if (!fn)
        call_function_not_found(c, c->fn_name, NULL);
    return fn;
}

struct lambda_version *call_require_version(struct lambda_call *c, struct lambda_function *fn)
{
    struct lambda_version *v = lambda_resolve(fn, c->qualifier);
    if (!v)
        call_function_not_found(c, fn->name, c->qualifier);
    return v;
}

bool call_check_revision(struct lambda_call *c, const char *current)
{
    const char *given = json_str(c->json, "RevisionId");
    if (given && strcmp(given, current) != 0) {
        call_error(c, 412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        return false;
    }
    return true;
}

int lambda_replace_str(char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

int lambda_decode_base64(const char *in, unsigned char **out, int64_t *len)
{
    size_t n = strlen(in);
    unsigned char *buf = malloc(n / 4 * 3 + 3);
    if (!buf)
        return -1;
    long decoded = base64_decode_lenient(in, n, buf, n / 4 * 3 + 3);
    if (decoded < 0) {
        free(buf);
        return -2;
    }
    *out = buf;
    *len = decoded;
    return 0;
}

/* ---- writes: persist, then answer --------------------------------------------------- */

void call_persisted_empty(void *arg, bool ok)
{
    struct lambda_call *c = arg;
    if (!ok)
        call_store_failed(c);
    else
        call_empty(c, c->status);
}

void call_persist(struct lambda_call *c, struct lambda_function *fn, const char *name,
                  void (*done)(void *arg, bool ok))
{
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", name);
    if (lambda_persist(c->svc, fn, c->account, name, done, c) < 0)
        call_error(c, 503, "ServiceException", "The service is unavailable.");
}
