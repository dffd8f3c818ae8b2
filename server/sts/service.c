/* service: STS's service definition. STS runs on IAM's query-protocol path
 * (server/iam/service.c) with its own table (protocol/sts/operations.h)
 * and namespace. It claims requests signed for "sts", and — because
 * AssumeRoleWithWebIdentity is called without credentials — unsigned
 * query-protocol requests: a GET whose Action names that operation, or a
 * form POST to "/" with no query string and no X-Amz-Target. Which action
 * such a POST names is only known from its body: anything but STS's
 * unsigned operations is then refused with MissingAuthenticationToken,
 * as every AWS query service refuses unsigned requests. */
#include "server/iam/iam_service.h"

#include <string.h>
#include <strings.h>

#include "server/core/authorize.h"
#include "server/core/server.h"
#include "server/iam/entry.h"

static bool sts_unsigned_ok(const char *action) { return strcmp(action, "AssumeRoleWithWebIdentity") == 0; }

/* GetCallerIdentity and GetSessionToken need no permission (no policy can
 * refuse them, AWS documents); the role's trust policy decides
 * AssumeRoleWithWebIdentity, and AssumeRole decides with it in its handler
 * (sessions.c); GetAccessKeyInfo needs sts:GetAccessKeyInfo. */
static bool sts_authorized(struct iam_call *c)
{
    if (strcmp(c->op->name, "GetAccessKeyInfo") != 0)
        return true;
    return authorize_request(c->req, &sts_service_def, c->op, &(struct authorize_target){.resource = "*"});
}

#define STS_HANDLER(name, family, action, handler) handler,
static const iam_handler handlers[] = {STS_OPERATIONS(STS_HANDLER)};
#define STS_OP(name, family, action, handler) {#name, #family, action},
static const struct service_op ops[] = {STS_OPERATIONS(STS_OP)};

static const struct iam_query_service sts_query = {&sts_service_def, STS_XMLNS, handlers, sts_unsigned_ok,
                                                   sts_authorized};

static bool sts_claims_request(const struct http_req *req)
{
    int scoped = iam_signed_for(req, "sts");
    if (scoped >= 0)
        return scoped == 1;
    if (http_req_header(req, "x-amz-target"))
        return false;
    if (strcmp(req->method, "GET") == 0)
        return strstr(req->query, "Action=AssumeRoleWithWebIdentity") != NULL;
    const char *type = http_req_header(req, "content-type");
    return strcmp(req->method, "POST") == 0 && strcmp(req->path, "/") == 0 && !req->query[0] && type &&
           strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

static void sts_handle_request(struct http_req *req) { iam_query_intake(req, &sts_query); }

const struct service_def sts_service_def = {
    .name = "sts",
    .title = "AWS Security Token Service",
    .protocol = SERVICE_QUERY,
    .ops = ops,
    .n_ops = sizeof(ops) / sizeof(ops[0]),
    .claims = sts_claims_request,
    .handle = sts_handle_request,
};
