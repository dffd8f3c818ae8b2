/* lambda_invoke: Invoke — RequestResponse (run now, answer with the
 * handler's result, X-Amz-Function-Error, and the log tail for LogType
 * Tail), Event (queued durably by async.c, answered 202 once on disk) and
 * DryRun (204).
 *
 * The payload must be JSON and within AWS's limits (6 MB synchronous, 256
 * KB asynchronous); a function with reserved concurrency 0 is throttled.
 * A synchronous invocation goes to the runtime with a snapshot of the
 * version's configuration, and is answered from its completion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "server/core/server.h"
#include "server/lambda/lambda.h"

static void invoke_done(void *arg, const struct lambda_result *r)
{
    struct lambda_call *c = arg;
    struct http_req *req = c->req;
    http_resp_header(req, "x-amzn-RequestId", c->invoke_rid);
    http_resp_header(req, "X-Amz-Executed-Version", c->name_copy);
    if (r->function_error)
        http_resp_header(req, "X-Amz-Function-Error", r->function_error);
    if (c->want_tail) {
        char *b64 = malloc(4 * ((r->log_tail_len + 2) / 3) + 1);
        if (b64) {
            EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)r->log_tail, (int)r->log_tail_len);
            http_resp_header(req, "X-Amz-Log-Result", b64);
            free(b64);
        }
    }
    http_resp_send(req, 200, "application/json", r->payload, r->len);
}

static void event_accepted(void *arg, bool ok)
{
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->invoke_rid);
    http_resp_send(c->req, 202, NULL, NULL, 0);
}

void lambda_invoke(struct lambda_call *c)
{
    const char *type = http_req_header(c->req, "x-amz-invocation-type");
    const char *log_type = http_req_header(c->req, "x-amz-log-type");
    if (!type)
        type = "RequestResponse";
    bool event = strcmp(type, "Event") == 0, dry = strcmp(type, "DryRun") == 0;
    if (!event && !dry && strcmp(type, "RequestResponse") != 0) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                   type);
        return;
    }
    struct lambda_function *fn = call_require_function(c);
    struct lambda_version *v = fn ? call_require_version(c, fn) : NULL;
    if (!v)
        return;
    size_t len = c->body.len;
    if (event && len > LAMBDA_ASYNC_PAYLOAD_MAX) {
        call_error(c, 413, "RequestTooLargeException",
                   "Request must be smaller than %d bytes for the InvokeFunction operation", LAMBDA_ASYNC_PAYLOAD_MAX);
        return;
    }
    const char *payload = c->body.data ? c->body.data : "";
    if (len) {
        const struct json_value *parsed = json_parse(payload, len, NULL);
        if (!parsed) {
            call_error(c, 400, "InvalidRequestContentException",
                       "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value");
            return;
        }
        json_free(parsed);
    } else {
        payload = "{}";
        len = 2;
    }
    if (dry) {
        call_empty(c, 204);
        return;
    }
    if (event) {
        if (lambda_async_accept(c->svc->async, c->account, fn->name, c->qualifier, payload, len,
                                c->invoke_rid, event_accepted, c) < 0)
            call_error(c, 503, "ServiceException", "The service is unavailable.");
        return;
    }
    struct lambda_exec_config *cfg = lambda_exec_config_new(c->svc, fn, v);
    if (!cfg) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (cfg->concurrency == 0) {
        lambda_exec_config_unref(cfg);
        call_error(c, 429, "TooManyRequestsException", "Rate Exceeded.");
        return;
    }
    char arn[600];
    lambda_function_arn(c->svc, fn, c->qualifier && *c->qualifier ? c->qualifier : NULL, arn, sizeof(arn));
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", v->version);
    c->want_tail = log_type && strcmp(log_type, "Tail") == 0;
    char *context = NULL;
    const char *cc = http_req_header(c->req, "x-amz-client-context");
    if (cc) {
        unsigned char *decoded = NULL;
        int64_t dlen = 0;
        if (lambda_decode_base64(cc, &decoded, &dlen) == 0) {
            context = strndup((const char *)decoded, (size_t)dlen);
            free(decoded);
        }
    }
    int rc = lambda_runtime_invoke(c->svc->runtime, cfg, arn, payload, len, context, invoke_done, c, c->invoke_rid);
    free(context);
    lambda_exec_config_unref(cfg);
    if (rc < 0)
        call_error(c, 500, "ServiceException", "out of memory");
}
