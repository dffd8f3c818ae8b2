/* service: the list of services and the answers derived from their
 * operation tables; see service.h. */
#include "server/core/service.h"

#include <string.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/iam/entry.h"
#include "server/dynamodb/dynamodb.h"
#include "server/events/entry.h"
#include "server/lambda/entry.h"
#include "server/logs/logs.h"
#include "server/s3/entry.h"
#include "server/sqs/entry.h"

const struct service_def *const cloudless_services[] = {
    &lambda_service_def,
    &logs_service_def,
    &iam_service_def,
    &sts_service_def,
    &events_service_def,
    &scheduler_service_def,
    &sqs_service_def,
    &ddb_service_def,
    &ddb_streams_service_def,
    &s3_service_def,
    NULL,
};

const struct service_op *service_find_op(const struct service_def *svc, const char *name, size_t len)
{
    for (size_t i = 0; i < svc->n_ops; i++)
        if (strlen(svc->ops[i].name) == len && memcmp(svc->ops[i].name, name, len) == 0)
            return &svc->ops[i];
    return NULL;
}

/* An error in the protocol's shape: REST XML <Error>, query
 * <ErrorResponse>, JSON {"__type", "message"}, REST JSON x-amzn-ErrorType
 * and {"Type", "message"}. */
static void answer_xml(struct http_req *req, bool query, int status, const char *code, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    if (query) {
        strbuf_puts(&sb, "<ErrorResponse><Error>");
        strbuf_xml_elem(&sb, "Type", status == 500 ? "Receiver" : "Sender");
        strbuf_xml_elem(&sb, "Code", code);
        strbuf_xml_elem(&sb, "Message", message);
        strbuf_puts(&sb, "</Error>");
        strbuf_xml_elem(&sb, "RequestId", req->request_id);
        strbuf_puts(&sb, "</ErrorResponse>");
    } else {
        strbuf_puts(&sb, "<Error>");
        strbuf_xml_elem(&sb, "Code", code);
        strbuf_xml_elem(&sb, "Message", message);
        strbuf_xml_elem(&sb, "RequestId", req->request_id);
        strbuf_puts(&sb, "</Error>");
    }
    if (strbuf_failed(&sb))
        http_resp_send(req, status, NULL, NULL, 0);
    else
        http_resp_send(req, status, query ? "text/xml" : "application/xml", sb.data, sb.len);
    strbuf_free(&sb);
}

static void answer_json(struct http_req *req, bool rest, int status, const char *code, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    if (rest)
        jw_string(&w, "Type", status == 500 ? "Service" : "User");
    else
        jw_string(&w, "__type", code);
    jw_string(&w, "message", message);
    jw_object_close(&w);
    const char *type = http_req_header(req, "content-type");
    if (rest || !type || strncmp(type, "application/x-amz-json-1.", 25) != 0)
        type = rest ? "application/json" : "application/x-amz-json-1.1";
    http_resp_header(req, "x-amzn-RequestId", req->request_id);
    http_resp_header(req, "x-amzn-ErrorType", code);
    if (strbuf_failed(&sb))
        http_resp_send(req, status, NULL, NULL, 0);
    else
        http_resp_send(req, status, type, sb.data, sb.len);
    strbuf_free(&sb);
}

static void answer_error(struct http_req *req, enum service_protocol protocol, int status, const char *code,
                         const char *message)
{
    switch (protocol) {
    case SERVICE_REST_XML: answer_xml(req, false, status, code, message); break;
    case SERVICE_QUERY: answer_xml(req, true, status, code, message); break;
    case SERVICE_JSON: answer_json(req, false, status, code, message); break;
    case SERVICE_REST_JSON: answer_json(req, true, status, code, message); break;
    }
}

static void answer_501(struct http_req *req, enum service_protocol protocol, const char *op,
                       const char *message)
{
    log_info("not implemented: %s %s (%s)", req->method, req->path, message);
    req->op_name = op && *op ? op : "NotImplemented";
    answer_error(req, protocol, 501, "NotImplemented", message);
}

void service_access_denied(struct http_req *req, const struct service_def *svc, const char *message)
{
    if (svc->access_denied) {
        svc->access_denied(req, message);
        return;
    }
    switch (svc->protocol) {
    case SERVICE_REST_XML:
    case SERVICE_QUERY: answer_error(req, svc->protocol, 403, "AccessDenied", message); break;
    case SERVICE_JSON: answer_error(req, svc->protocol, 400, "AccessDeniedException", message); break;
    case SERVICE_REST_JSON: answer_error(req, svc->protocol, 403, "AccessDeniedException", message); break;
    }
}

void service_failure(struct http_req *req, const struct service_def *svc, const char *message)
{
    log_warn("%s %s: %s", svc->title, req->op_name ? req->op_name : "-", message);
    answer_error(req, svc->protocol, 500, svc->protocol == SERVICE_REST_XML ? "InternalError" : "InternalFailure",
                 message);
}

void service_not_implemented(struct http_req *req, enum service_protocol protocol,
                             const char *service_title, const char *op)
{
    char message[320];
    snprintf(message, sizeof(message), "cloudless does not implement the %.60s operation %.160s yet.",
             service_title, op && *op ? op : "(unknown)");
    answer_501(req, protocol, op, message);
}

void service_not_enabled(struct http_req *req, const struct service_def *svc, const char *op)
{
    char message[200];
    snprintf(message, sizeof(message),
             "Service '%s' is not enabled. Please check your 'SERVICES' configuration variable.", svc->name);
    answer_501(req, svc->protocol, op, message);
}

unsigned service_disabled_mask(const char *services)
{
    if (!services)
        return 0;
    unsigned enabled = 0;
    const char *p = services;
    while (*p) {
        size_t n = strcspn(p, ", ");
        bool known = n == 0;
        for (size_t i = 0; cloudless_services[i] && !known; i++) {
            if (strlen(cloudless_services[i]->name) == n && strncmp(cloudless_services[i]->name, p, n) == 0) {
                enabled |= 1u << i;
                known = true;
            }
        }
        if (!known)
            log_warn("SERVICES names '%.*s', which cloudless does not serve", (int)n, p);
        p += n;
        p += strspn(p, ", ");
    }
    unsigned all = 0;
    for (size_t i = 0; cloudless_services[i]; i++) {
        all |= 1u << i;
        const char *with = cloudless_services[i]->enabled_with;
        for (size_t k = 0; with && cloudless_services[k]; k++)
            if (strcmp(cloudless_services[k]->name, with) == 0 && (enabled & (1u << k)))
                enabled |= 1u << i;
    }
    return all & ~enabled;
}

void service_list_operations(FILE *out)
{
    for (size_t s = 0; cloudless_services[s]; s++) {
        const struct service_def *svc = cloudless_services[s];
        for (size_t i = 0; i < svc->n_ops; i++)
            fprintf(out, "%s\t%s\t%s\t%s\t%s\n", svc->name, svc->title, svc->ops[i].name,
                    svc->ops[i].family, svc->ops[i].action[0] ? svc->ops[i].action : "-");
    }
}
