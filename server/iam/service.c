/* service: the query-protocol request path IAM and STS share, from claim
 * to answer, and IAM's service definition (see iam_service.h).
 *
 * A request is claimed by its signing scope ("iam" here; STS's claims are
 * in server/sts/service.c). Its body (at most BODY_MAX) is read and its
 * parameters decoded, query string and form together; Action= picks the
 * operation from the service's table (an action not there gets
 * NotImplemented), the signature is checked — auth.c names the principal,
 * whose account the operation acts in — the request is authorized
 * (server/core/authorize.h, on what iam_query_service.authorized says it
 * acts on) and the handler runs. Handlers
 * answer at once from reads, or queue a write: the apply function runs in
 * the group commit under its own savepoint (a refusal undoes what it did)
 * and the answer is sent once it is durable, after iam_state_generation()
 * moved on (what caches of IAM's state kept may have changed). Every answer, AWS's errors
 * included, is made here. */
#include "server/iam/iam_service.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/iam/xml.h"
#include "server/core/auth.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/iam/entry.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

/* Policy documents are up to 128 KiB, and percent-encoding can triple them. */
#define BODY_MAX (1024 * 1024)

/* ---- answers ------------------------------------------------------------------------ */

static void send_xml(struct iam_call *c, int status, struct strbuf *sb)
{
    if (strbuf_failed(sb)) {
        strbuf_free(sb);
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, status, "text/xml", sb->data, sb->len);
    strbuf_free(sb);
}

void iam_begin(struct iam_call *c, struct strbuf *sb)
{
    strbuf_init(sb);
    iam_xml_open(sb, c->svc->xmlns, c->op->name, true);
}

void iam_finish(struct iam_call *c, struct strbuf *sb)
{
    iam_xml_close(sb, c->op->name, true, c->req->request_id);
    send_xml(c, 200, sb);
}

void iam_send_empty(struct iam_call *c)
{
    struct strbuf sb;
    strbuf_init(&sb);
    iam_xml_open(&sb, c->svc->xmlns, c->op->name, false);
    iam_xml_close(&sb, c->op->name, false, c->req->request_id);
    send_xml(c, 200, &sb);
}

void iam_send_error(struct iam_call *c, int status, const char *code, const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    struct strbuf sb;
    strbuf_init(&sb);
    iam_xml_error(&sb, c->svc->xmlns, status < 500, code, message, c->req->request_id);
    if (status >= 500)
        log_warn("%s %s: %s", c->svc->def->title, c->op ? c->op->name : "-", message);
    if (strbuf_failed(&sb)) {
        strbuf_free(&sb);
        http_resp_send(c->req, 500, NULL, NULL, 0);
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, status, "text/xml", sb.data, sb.len);
    strbuf_free(&sb);
}

void iam_send_validation(struct iam_call *c, const char *message)
{
    iam_send_error(c, 400, "ValidationError", "%s", message);
}

void iam_send_fault(struct iam_call *c, enum iam_err err, const struct iam_fault *f)
{
    static const struct {
        int status;
        const char *code;
    } errors[] = {
        [IAM_ERR_NO_SUCH_ENTITY] = {404, "NoSuchEntity"},
        [IAM_ERR_EXISTS] = {409, "EntityAlreadyExists"},
        [IAM_ERR_DELETE_CONFLICT] = {409, "DeleteConflict"},
        [IAM_ERR_LIMIT] = {409, "LimitExceeded"},
        [IAM_ERR_INVALID_INPUT] = {400, "InvalidInput"},
        [IAM_ERR_UNMODIFIABLE] = {400, "UnmodifiableEntity"},
        [IAM_ERR_NOT_ATTACHABLE] = {400, "PolicyNotAttachable"},
    };
    if (err == IAM_OK || err >= sizeof(errors) / sizeof(errors[0]) || !errors[err].code) {
        iam_send_error(c, 500, "ServiceFailure", err == IAM_ERR_NOMEM ? "out of memory" : "The IAM store could not be read.");
        return;
    }
    iam_send_error(c, errors[err].status, errors[err].code, "%s", f->message);
}

struct store_conn *iam_reader(struct iam_call *c) { return store_reader(c->srv->store); }

/* ---- writes ---------------------------------------------------------------------------- */

struct write_job {
    struct iam_call *call;
    iam_apply_fn apply;
    void (*answer)(struct iam_call *c);
    enum iam_err err;
    struct iam_fault fault;
};

static int apply_write(struct store_conn *writer, void *arg)
{
    struct write_job *j = arg;
    j->err = j->apply(writer, j->call, &j->fault);
    return j->err == IAM_OK ? 0 : -1;       /* a refusal undoes the job's own changes */
}

static uint64_t state_generation = 1;

uint64_t iam_state_generation(void) { return state_generation; }

static void write_done(void *arg, bool ok)
{
    struct write_job *j = arg;
    struct iam_call *c = j->call;
    state_generation++;
    if (j->err != IAM_OK)
        iam_send_fault(c, j->err, &j->fault);
    else if (!ok)
        iam_send_error(c, 500, "ServiceFailure", "The change could not be made durable.");
    else if (j->answer)
        j->answer(c);
    else
        iam_send_empty(c);
    free(j);
}

void iam_submit(struct iam_call *c, iam_apply_fn apply, void (*answer)(struct iam_call *c))
{
    struct write_job *j = calloc(1, sizeof(*j));
    if (!j) {
        iam_send_error(c, 503, "ServiceUnavailable", "out of memory");
        return;
    }
    *j = (struct write_job){c, apply, answer, IAM_OK, {""}};
    if (store_submit(c->srv->store, apply_write, write_done, j) < 0) {
        free(j);
        iam_send_error(c, 503, "ServiceUnavailable", "The service is unavailable.");
    }
}

/* ---- authentication --------------------------------------------------------------------- */

static bool authenticate(struct iam_call *c)
{
    struct auth_result a;
    auth_check_buffered(c->srv, c->req, &c->body, &a);
    bool ok = false;
    switch (a.status) {
    case AUTH_OK:
        if (strcmp(a.sig.service, c->svc->def->name) != 0) {
            iam_send_error(c, 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: '%s'. ",
                           c->svc->def->name);
            break;
        }
        c->caller = a.principal;
        snprintf(c->region, sizeof(c->region), "%s", a.sig.region);
        ok = true;
        break;
    case AUTH_ANONYMOUS:
        /* Only the operations the service serves unsigned get here. */
        memset(&c->caller, 0, sizeof(c->caller));
        snprintf(c->region, sizeof(c->region), "%s", c->srv->cfg->region);
        ok = true;
        break;
    case AUTH_UNKNOWN_KEY:
        iam_send_error(c, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        break;
    case AUTH_EXPIRED_TOKEN:
        iam_send_error(c, 403, "ExpiredToken", "The security token included in the request is expired");
        break;
    case AUTH_SIGV4_ERROR:
        switch (a.sigv4) {
        case SIGV4_SIGNATURE_MISMATCH:
            log_info("%s SignatureDoesNotMatch (key %s)", c->svc->def->title, a.sig.access_key);
            iam_send_error(c, 403, "SignatureDoesNotMatch",
                           "The request signature we calculated does not match the signature you provided. Check your "
                           "AWS Secret Access Key and signing method. Consult the service documentation for details.");
            break;
        case SIGV4_TIME_SKEWED:
        case SIGV4_REQUEST_EXPIRED:
            iam_send_error(c, 403, "SignatureDoesNotMatch",
                           "Signature expired: the request time is more than 15 minutes from the server's time.");
            break;
        case SIGV4_MISSING_DATE:
            iam_send_error(c, 400, "IncompleteSignature",
                           "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            break;
        default:
            iam_send_error(c, 400, "IncompleteSignature", "The request signature does not conform to AWS standards.");
            break;
        }
        break;
    }
    auth_result_free(&a);
    c->account = c->caller.account;
    return ok;
}

/* ---- the request path -------------------------------------------------------------------- */

static void call_cleanup(struct http_req *req)
{
    struct iam_call *c = req->handler;
    if (!c)
        return;
    strbuf_free(&c->body);
    iam_params_free(&c->params);
    if (c->work_free)
        c->work_free(c->work);
    else
        free(c->work);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct iam_call *c = req->handler;
    if (c->body.len + len > BODY_MAX)
        c->too_large = true;
    else
        strbuf_append(&c->body, data, len);
    return 0;
}

static void body_done(struct http_req *req)
{
    struct iam_call *c = req->handler;
    if (c->too_large) {
        iam_send_error(c, 413, "RequestEntityTooLarge", "The request body is larger than %d bytes.", BODY_MAX);
        return;
    }
    if (strbuf_failed(&c->body)) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    if (iam_params_decode(&c->params, req->query, c->body.data, c->body.len) < 0) {
        iam_send_error(c, 400, "MalformedQueryString", "The request's parameters are not valid form encoding.");
        return;
    }
    const char *action = iam_param(&c->params, "Action");
    if (!action || !*action) {
        iam_send_error(c, 400, "MissingAction", "Missing Action");
        return;
    }
    if (iam_signed_for(req, c->svc->def->name) < 0 && !(c->svc->unsigned_ok && c->svc->unsigned_ok(action))) {
        iam_send_error(c, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
        return;
    }
    const struct service_op *op = service_find_op(c->svc->def, action, strlen(action));
    if (!op) {
        service_not_implemented(req, SERVICE_QUERY, c->svc->def->title, action);
        return;
    }
    c->op = op;
    req->op_name = op->name;
    if (!authenticate(c) || !c->svc->authorized(c))
        return;
    c->now_ms = clock_now_ms();
    c->svc->handlers[op - c->svc->def->ops](c);
}

void iam_query_intake(struct http_req *req, const struct iam_query_service *svc)
{
    struct iam_call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->srv = req->srv;
    c->svc = svc;
    c->account = "";
    strbuf_init(&c->body);
    req->handler = c;
    req->cleanup = call_cleanup;
    req->op_name = svc->def->name;
    http_req_read_body(req, body_sink, body_done);
}

int iam_signed_for(const struct http_req *req, const char *service)
{
    char plain[48], encoded[56];
    snprintf(plain, sizeof(plain), "/%s/aws4_request", service);
    snprintf(encoded, sizeof(encoded), "%%2F%s%%2Faws4_request", service);
    const char *auth = http_req_header(req, "authorization");
    if (auth && strstr(auth, "Credential="))
        return strstr(auth, plain) != NULL;
    const char *cred = strstr(req->query, "X-Amz-Credential=");
    if (cred)
        return strstr(cred, encoded) != NULL || strstr(cred, plain) != NULL;
    return auth ? 0 : -1;
}

/* ---- IAM's definition ---------------------------------------------------------------------- */

#define IAM_HANDLER(name, family, action, handler) handler,
static const iam_handler handlers[] = {IAM_OPERATIONS(IAM_HANDLER)};
#define IAM_OP(name, family, action, handler) {#name, #family, action},
static const struct service_op ops[] = {IAM_OPERATIONS(IAM_OP)};

static const struct iam_query_service iam_query = {&iam_service_def, IAM_XMLNS, handlers, NULL, iam_authorized};

static bool iam_claims_request(const struct http_req *req) { return iam_signed_for(req, "iam") == 1; }

static void iam_handle_request(struct http_req *req) { iam_query_intake(req, &iam_query); }

const struct service_def iam_service_def = {
    .name = "iam",
    .title = "AWS Identity and Access Management",
    .protocol = SERVICE_QUERY,
    .ops = ops,
    .n_ops = sizeof(ops) / sizeof(ops[0]),
    .claims = iam_claims_request,
    .handle = iam_handle_request,
};
