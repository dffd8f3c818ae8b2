/* dispatch: picks the service for a request before any work is done.
 * Health probes (/_cloudless/health, and /_localstack/health for tools that
 * look for LocalStack) are answered here; SQS is recognised by its
 * X-Amz-Target, its signing scope or its Action parameter; Lambda by its
 * dated REST paths (/2015-03-31/functions, ...); CloudWatch Logs by its
 * X-Amz-Target (Logs_20140328.*); everything else
 * is S3, the service that owns the path space. */
#include <stdio.h>
#include <string.h>

#include "protocol/core/strbuf.h"
#include "server/s3/config.h"
#include "server/lambda/entry.h"
#include "server/logs/logs.h"
#include "server/s3/entry.h"
#include "server/sqs/entry.h"
#include "server/core/server.h"

static bool is_health_path(const char *path)
{
    return strcmp(path, "/_cloudless/health") == 0 || strcmp(path, "/_localstack/health") == 0;
}

static void answer_health(struct http_req *req)
{
    struct server *srv = req->srv;
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "{\"services\": {\"s3\": \"running\"%s%s%s}, \"edition\": \"cloudless\", "
                     "\"version\": \"%s\", \"uptime_ms\": %lld, \"connections\": %d}",
                     srv->sqs ? ", \"sqs\": \"running\"" : "",
                     srv->lambda ? ", \"lambda\": \"running\"" : "",
                     srv->logs ? ", \"logs\": \"running\"" : "", CLOUDLESS_VERSION,
                     (long long)(now_ms() - srv->started_ms), srv->n_conns);
    req->op_name = "Health";
    http_resp_send(req, 200, "application/json", body, (size_t)n);
}

void dispatch_headers(struct http_req *req)
{
    if ((strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) && is_health_path(req->path)) {
        answer_health(req);
        return;
    }
    if (s3_website_handle(req))
        return;
    if (lambda_claims_request(req)) {
        lambda_handle_request(req);
        return;
    }
    if (logs_claims_request(req)) {
        logs_handle_request(req);
        return;
    }
    if (sqs_claims_request(req)) {
        sqs_handle_request(req);
        return;
    }
    s3_handle_request(req);
}
