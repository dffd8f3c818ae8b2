/* dispatch: picks the service for a request before any work is done.
 * Health and LocalStack's probes are answered first (status.c), the clock
 * endpoint (clock_control.c) and S3 website endpoints next; then each
 * service of cloudless_services (service.h) is asked in turn whether the
 * request is its own (a service left out of SERVICES answers that it is not
 * enabled): Lambda by its dated REST paths, CloudWatch Logs by its
 * X-Amz-Target, IAM and STS by their signing scope (STS also takes unsigned
 * query-protocol requests, for AssumeRoleWithWebIdentity), SQS by its
 * X-Amz-Target, signing scope or Action parameter, and S3, last, takes the
 * rest of the path space.
 * Before S3 gets it, a request that plainly names another AWS API — an
 * X-Amz-Target, or a SigV4 scope for a service cloudless does not serve —
 * is answered with NotImplemented in that API's shape instead of an S3
 * error page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/auth/sigv4.h"
#include "protocol/core/strbuf.h"
#include "server/core/clock_control.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "server/core/status.h"
#include "server/s3/entry.h"

void service_signing_name(const struct http_req *req, char out[32])
{
    out[0] = '\0';
    const char *auth = http_req_header(req, "authorization");
    const char *cred = auth ? strstr(auth, "Credential=") : NULL;
    if (!cred)
        return;
    const char *p = cred + 11;
    for (int slash = 0; slash < 3; slash++) {
        p = strchr(p, '/');
        if (!p)
            return;
        p++;
    }
    size_t n = strcspn(p, "/, ");
    if (n < 32 && p[n] == '/') {
        memcpy(out, p, n);
        out[n] = '\0';
    }
}

/* A query-protocol request names its operation in the form body: the
 * first FOREIGN_FORM_MAX bytes of it are kept to find Action=. */
#define FOREIGN_FORM_MAX 4096

struct foreign_form {
    char service[32];
    char head[FOREIGN_FORM_MAX + 1];
    size_t len;
};

static void foreign_form_cleanup(struct http_req *req)
{
    free(req->handler);
    req->handler = NULL;
}

static int foreign_form_sink(struct http_req *req, const void *data, size_t len)
{
    struct foreign_form *f = req->handler;
    size_t take = len < FOREIGN_FORM_MAX - f->len ? len : FOREIGN_FORM_MAX - f->len;
    memcpy(f->head + f->len, data, take);
    f->len += take;
    f->head[f->len] = '\0';
    return 0;
}

/* The value of Action= in a form or query string, or "". */
static void action_of(const char *form, char out[128])
{
    out[0] = '\0';
    for (const char *q = strstr(form, "Action="); q; q = strstr(q + 1, "Action=")) {
        if (q == form || q[-1] == '&') {
            snprintf(out, 128, "%.*s", (int)strcspn(q + 7, "&"), q + 7);
            return;
        }
    }
}

static void foreign_form_done(struct http_req *req)
{
    struct foreign_form *f = req->handler;
    char action[128];
    action_of(f->head, action);
    service_not_implemented(req, SERVICE_QUERY, f->service, action);
}

/* A request for an AWS API that no service here claimed (S3 excepted):
 * answered with NotImplemented in its protocol's shape. */
static bool answer_foreign(struct http_req *req)
{
    const char *target = http_req_header(req, "x-amz-target");
    char service[32];
    service_signing_name(req, service);
    req->service = "-";
    if (target) {
        size_t n = strcspn(target, ".");
        char api[64];
        snprintf(api, sizeof(api), "%.*s", (int)(n < 63 ? n : 63), target);
        service_not_implemented(req, SERVICE_JSON, *service ? service : api, target[n] ? target + n + 1 : "");
        return true;
    }
    if (!*service || strcmp(service, "s3") == 0)
        return false;
    char action[128];
    action_of(req->query, action);
    const char *type = http_req_header(req, "content-type");
    bool form = type && strncmp(type, "application/x-www-form-urlencoded", 33) == 0;
    if (form && !*action) {
        struct foreign_form *f = calloc(1, sizeof(*f));
        if (f) {
            memcpy(f->service, service, sizeof(f->service));
            req->handler = f;
            req->cleanup = foreign_form_cleanup;
            http_req_read_body(req, foreign_form_sink, foreign_form_done);
            return true;
        }
    }
    service_not_implemented(req, *action || form ? SERVICE_QUERY : SERVICE_REST_JSON, service,
                            *action ? action : req->path);
    return true;
}

/* The operation a request names where that is plain without parsing it
 * (X-Amz-Target, Action=), for the answer of a service not enabled. */
static void operation_hint(const struct http_req *req, char out[128])
{
    const char *target = http_req_header(req, "x-amz-target");
    const char *dot = target ? strchr(target, '.') : NULL;
    if (dot)
        snprintf(out, 128, "%s", dot + 1);
    else
        action_of(req->query, out);
}

void dispatch_headers(struct http_req *req)
{
    if (status_handle(req))
        return;
    if (clock_control_handle(req))
        return;
    size_t s3 = 0;                 /* the last service */
    while (cloudless_services[s3 + 1])
        s3++;
    req->service = "s3";
    if (!(req->srv->services_off & (1u << s3)) && s3_website_handle(req))
        return;
    for (size_t i = 0; cloudless_services[i]; i++) {
        const struct service_def *svc = cloudless_services[i];
        if (!cloudless_services[i + 1] && answer_foreign(req))
            return;                /* the last service is S3, which takes the rest */
        if (svc->claims(req)) {
            req->service = svc->name;
            if (req->srv->services_off & (1u << i)) {
                char op[128];
                operation_hint(req, op);
                service_not_enabled(req, svc, op);
            } else {
                svc->handle(req);
            }
            return;
        }
    }
}
