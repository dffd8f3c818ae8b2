/* lambda_s3_trigger: the "lambda" destination of the S3 event bus, so a
 * bucket's LambdaFunctionConfigurations invoke their functions.
 *
 * Validation (PutBucketNotificationConfiguration) wants what AWS wants: the
 * function of the ARN exists in the ARN's account and region, and its
 * resource policy allows the principal s3.amazonaws.com lambda:InvokeFunction
 * on it, evaluated by protocol/iam with aws:SourceArn (the bucket's ARN) and
 * aws:SourceAccount (its owner) for the Conditions AddPermission writes,
 * else "Not authorized to invoke function [<arn>]" as AWS words it.
 * Delivery hands the S3 event JSON to
 * lambda_invoke_event, the asynchronous invocation with AWS's retries, and
 * acknowledges the bus once that event is durably queued; an event for a
 * function deleted since is dropped, as AWS drops it. S3 sends Lambda no
 * s3:TestEvent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "protocol/s3/notification.h"
#include "server/core/event_bus.h"
#include "server/lambda/lambda.h"
#include "server/lambda/entry.h"
#include "server/core/log.h"
#include "server/core/server.h"

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

/* Whether the function's resource policy lets S3, for bucket (owned by
 * account), invoke the function `arn` names. */
static bool s3_may_invoke(const struct lambda_function *fn, const char *account, const char *bucket,
                          const char *arn)
{
    struct strbuf doc;
    strbuf_init(&doc);
    lambda_policy_document(fn, &doc);
    char source_arn[128];
    snprintf(source_arn, sizeof(source_arn), "arn:aws:s3:::%s", bucket);
    const struct iam_key keys[] = {{"aws:SourceArn", source_arn}, {"aws:SourceAccount", account}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    bool allowed = fn->n_policy && !strbuf_failed(&doc) &&
                   iam_policy_evaluate_service(doc.data, "s3.amazonaws.com", "lambda:InvokeFunction", arn, &ctx) ==
                       IAM_ALLOW;
    strbuf_free(&doc);
    return allowed;
}

static const char *lambda_validate(void *ctx, const char *account, const char *bucket, const char *arn)
{
    struct lambda_service *svc = ctx;
    struct function_ref ref;
    struct lambda_function *fn = parse_function_arn(svc, arn, &ref) ? lambda_find(svc, ref.account, ref.name) : NULL;
    if (!fn || !lambda_resolve(fn, ref.qualifier))
        return "The destination Lambda function does not exist";
    if (!s3_may_invoke(fn, account, bucket, arn)) {
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
