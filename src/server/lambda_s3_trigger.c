/* lambda_s3_trigger: the "lambda" destination of the S3 event bus, so a
 * bucket's LambdaFunctionConfigurations invoke their functions.
 *
 * Validation (PutBucketNotificationConfiguration) wants what AWS wants: the
 * function of the ARN exists in the ARN's account and region, and a
 * statement of its resource policy allows the principal s3.amazonaws.com
 * (or "*") lambda:InvokeFunction, else "Not authorized to invoke function
 * [<arn>]" as AWS words it (a SourceArn condition is not checked against the
 * bucket: the bus's validation does not name it). Delivery hands the S3 event JSON to
 * lambda_invoke_event, the asynchronous invocation with AWS's retries, and
 * acknowledges the bus once that event is durably queued; an event for a
 * function deleted since is dropped, as AWS drops it. S3 sends Lambda no
 * s3:TestEvent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/s3/notification.h"
#include "server/event_bus.h"
#include "server/lambda.h"
#include "server/lambda_entry.h"
#include "server/log.h"
#include "server/server.h"

/* arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] split
 * into account, name and qualifier (NULL when none). */
struct function_ref {
    char account[13];
    char name[141];
    const char *qualifier;
};

static bool parse_function_arn(struct lambda_service *svc, const char *arn, struct function_ref *ref)
{
    char prefix[96];
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:lambda:%s:", svc->srv->cfg->region);
    if (strncmp(arn, prefix, (size_t)n) != 0)
        return false;
    const char *account = arn + n;
    if (strspn(account, "0123456789") != 12 || strncmp(account + 12, ":function:", 10) != 0)
        return false;
    snprintf(ref->account, sizeof(ref->account), "%.12s", account);
    const char *name = account + 22;
    const char *colon = strchr(name, ':');
    size_t len = colon ? (size_t)(colon - name) : strlen(name);
    if (len == 0 || len >= sizeof(ref->name))
        return false;
    memcpy(ref->name, name, len);
    ref->name[len] = '\0';
    ref->qualifier = colon ? colon + 1 : NULL;
    return true;
}

static bool names_s3_or_anyone(yajl_val principal)
{
    if (YAJL_IS_STRING(principal)) {
        const char *text = YAJL_GET_STRING(principal);
        return text && strcmp(text, "*") == 0;
    }
    const char *service = json_str(principal, "Service");
    const char *aws = json_str(principal, "AWS");
    return (service && strcmp(service, "s3.amazonaws.com") == 0) || (aws && strcmp(aws, "*") == 0);
}

static bool allows_invoke(const char *action)
{
    return action && (strcmp(action, "lambda:InvokeFunction") == 0 || strcmp(action, "lambda:*") == 0 ||
                      strcmp(action, "*") == 0);
}

static bool s3_may_invoke(const struct lambda_function *fn)
{
    for (size_t i = 0; i < fn->n_policy; i++) {
        yajl_val st = json_parse(fn->policy[i].json, strlen(fn->policy[i].json));
        const char *effect = json_str(st, "Effect");
        bool ok = effect && strcmp(effect, "Allow") == 0 && names_s3_or_anyone(json_get(st, "Principal")) &&
                  allows_invoke(json_str(st, "Action"));
        yajl_tree_free(st);
        if (ok)
            return true;
    }
    return false;
}

static const char *lambda_validate(void *ctx, const char *account, const char *arn)
{
    (void)account;
    struct lambda_service *svc = ctx;
    struct function_ref ref;
    struct lambda_function *fn = parse_function_arn(svc, arn, &ref) ? lambda_find(svc, ref.account, ref.name) : NULL;
    if (!fn || !lambda_resolve(fn, ref.qualifier))
        return "The destination Lambda function does not exist";
    if (!s3_may_invoke(fn)) {
        static char reason[700];   /* read by the caller before the next validation */
        snprintf(reason, sizeof(reason), "Not authorized to invoke function [%.600s]", arn);
        return reason;
    }
    return NULL;
}

struct trigger_delivery {
    event_delivered_fn done;
    void *arg;
};

static void event_queued(void *arg, bool ok)
{
    struct trigger_delivery *d = arg;
    d->done(d->arg, ok ? EVENT_DELIVERED : EVENT_RETRY);
    free(d);
}

static void lambda_deliver(void *ctx, const struct s3_event *ev, event_delivered_fn done, void *arg)
{
    struct lambda_service *svc = ctx;
    struct function_ref ref;
    struct lambda_function *fn = parse_function_arn(svc, ev->dest_arn, &ref) ? lambda_find(svc, ref.account, ref.name) : NULL;
    if (!fn || !lambda_resolve(fn, ref.qualifier)) {
        log_info("S3 event for %s dropped: the function no longer exists", ev->dest_arn);
        done(arg, EVENT_DROPPED);
        return;
    }
    struct strbuf body;
    strbuf_init(&body);
    s3_event_json(&body, ev);
    struct trigger_delivery *d = malloc(sizeof(*d));
    if (d) {
        d->done = done;
        d->arg = arg;
    }
    if (!d || strbuf_failed(&body) ||
        lambda_invoke_event(svc, ref.account, ev->dest_arn, body.data, body.len, event_queued, d) < 0) {
        free(d);
        done(arg, EVENT_RETRY);
    }
    strbuf_free(&body);
}

int lambda_s3_trigger_start(struct lambda_service *svc)
{
    if (!svc->srv->bus)
        return 0;
    struct event_destination lambda = {
        .kind = "lambda",
        .ctx = svc,
        .validate = lambda_validate,
        .deliver = lambda_deliver,
        .send_test = NULL,
    };
    return event_bus_register(svc->srv->bus, &lambda);
}
