/* lambda_entry: how the process creates the Lambda service, how the
 * dispatcher hands it requests, and the internal entry point through which
 * other services (S3 notifications, SQS pollers) invoke a function. */
#ifndef CLOUDLESS_LAMBDA_ENTRY_H
#define CLOUDLESS_LAMBDA_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

struct http_req;
struct service_def;
struct server;
struct lambda_service;

/* Loads functions and pending asynchronous events (srv->store open,
 * srv->base created). NULL with a reason in err. */
struct lambda_service *lambda_service_new(struct server *srv, char *err, size_t errlen);
/* Stops every execution environment and answers their parked requests. */
void lambda_service_shutdown(struct lambda_service *svc);
/* After store_close(). Safe on NULL. */
void lambda_service_free(struct lambda_service *svc);
/* The time moved forward (the clock endpoint): asynchronous retries that
 * came due run now. Safe on NULL. */
void lambda_service_clock_moved(struct lambda_service *svc);

/* The Lambda REST API: it claims the paths under the roots of its operation
 * table (/2015-03-31/functions, /2015-03-31/event-source-mappings,
 * /2017-03-31/tags, /2018-10-31/layers, ...: protocol/lambda/operations.h),
 * and the code downloads under /_cloudless/lambda/code/. */
extern const struct service_def lambda_service_def;

/* Invokes `function` (a name, name:qualifier or function ARN of `account`)
 * asynchronously with AWS's retry and destination rules, as InvocationType
 * Event does. done(arg, ok) runs once the event is durably queued (ok) or
 * refused (the function does not exist, no memory). -1 when not queued. */
int lambda_invoke_event(struct lambda_service *svc, const char *account, const char *function,
                        const char *payload, size_t len, void (*done)(void *arg, bool ok),
                        void *arg);

/* Whether `function_arn` names an existing function (and version or
 * alias) that `principal` (a service: "events.amazonaws.com") may invoke
 * on behalf of source_arn / source_account under the function's resource
 * policy (AddPermission). principal NULL only checks that it exists. */
enum lambda_invoke_check {
    LAMBDA_INVOKE_ALLOWED,
    LAMBDA_INVOKE_NO_FUNCTION,
    LAMBDA_INVOKE_DENIED,
};
enum lambda_invoke_check lambda_may_invoke(struct lambda_service *svc, const char *function_arn,
                                           const char *principal, const char *source_arn,
                                           const char *source_account);

#endif
