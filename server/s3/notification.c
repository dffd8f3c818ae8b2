/* s3_notification: Put/GetBucketNotificationConfiguration, the origin S3
 * writes carry so their events can be recorded, and the SQS destination of
 * the event bus.
 *
 * PutBucketNotificationConfiguration parses and checks the document
 * (protocol/s3/notification.c), gives configurations without an Id one as
 * AWS does (base64 of a random UUID), validates every destination through
 * the bus — a kind no service registered (SNS today; Lambda until it
 * registers) fails as an unknown destination would — then stores the
 * document and its targets in one transaction and sends the s3:TestEvent to
 * each queue, answering once those are durable. With IAM enforcement a
 * queue's Policy must allow S3 to send to it, as on AWS. x-amz-skip-destination-
 * validation: true skips the destination checks, as AWS does.
 * EventBridgeConfiguration is stored and returned; nothing is delivered to
 * EventBridge. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "protocol/auth/checksum.h"
#include "protocol/iam/policy.h"
#include "protocol/s3/notification.h"
#include "server/core/event_bus.h"
#include "server/core/log.h"
#include "server/s3/s3.h"
#include "server/sqs/entry.h"
#include "storage/s3/notification.h"
#include "protocol/core/base64.h"
#include "storage/core/clock.h"
#include "protocol/core/uuid.h"

static const char *dest_kind(enum s3_notify_dest d)
{
    return d == S3_NOTIFY_QUEUE ? "sqs" : d == S3_NOTIFY_LAMBDA ? "lambda" : "sns";
}

/* What AWS says of a destination it cannot find. */
static const char *missing_reason(enum s3_notify_dest d)
{
    return d == S3_NOTIFY_QUEUE    ? "The destination queue does not exist"
           : d == S3_NOTIFY_LAMBDA ? "The destination Lambda function does not exist"
                                   : "The destination topic does not exist";
}

void s3_notification_origin(const struct s3_call *call, struct store_origin *o)
{
    memset(o, 0, sizeof(*o));
    snprintf(o->request_id, sizeof(o->request_id), "%s", call->req->request_id);
    /* The x-amz-id-2 http_conn.c sends with every answer. */
    snprintf(o->host_id, sizeof(o->host_id), "%scloudless=", call->req->request_id);
    snprintf(o->source_ip, sizeof(o->source_ip), "%s", call->req->client_ip);
    snprintf(o->principal, sizeof(o->principal), "AWS:%s", call->account);
}

/* ---- Get ----------------------------------------------------------------------- */

void s3_get_bucket_notification(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    char *doc = NULL;
    if (store_get_notification(call->store, call->route.bucket, &doc) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the notification configuration", NULL);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    if (doc) {
        strbuf_puts(&xml, doc);
    } else {
        struct s3_notify_config empty = {0};
        s3_notify_config_xml(&xml, &empty);
    }
    free(doc);
    s3_reply_xml(call, &xml);
}

/* ---- Put --------------------------------------------------------------------------- */

struct notify_put {
    struct s3_call *call;
    struct s3_notify_config cfg;
    size_t tests_pending;
    bool tests_failed;
};

static void put_free(struct notify_put *p)
{
    s3_notify_config_free(&p->cfg);
    free(p);
}

static void put_answer(struct notify_put *p)
{
    if (p->tests_failed)
        s3_fail(p->call, S3_ERR_INTERNAL_ERROR, "could not send the test event", NULL);
    else
        http_resp_send(p->call->req, 200, NULL, NULL, 0);
    put_free(p);
}

static void test_sent(void *arg, bool ok)
{
    struct notify_put *p = arg;
    p->tests_failed |= !ok;
    if (--p->tests_pending == 0)
        put_answer(p);
}

static bool already_tested(const struct s3_notify_config *c, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (c->rules[j].dest == c->rules[i].dest && strcmp(c->rules[j].arn, c->rules[i].arn) == 0)
            return true;
    return false;
}

/* AWS sends s3:TestEvent to each destination once the configuration is in. */
static void send_tests(struct notify_put *p)
{
    struct s3_call *call = p->call;
    struct strbuf body;
    strbuf_init(&body);
    s3_test_event_json(&body, call->route.bucket, clock_now_ms(), call->req->request_id,
                       call->req->request_id);
    p->tests_pending = 1;          /* held until every send is issued */
    for (size_t i = 0; i < p->cfg.n_rules && !strbuf_failed(&body); i++) {
        const struct s3_notify_rule *r = &p->cfg.rules[i];
        const struct event_destination *d = event_bus_destination(call->srv->bus, dest_kind(r->dest));
        if (!d || !d->send_test || already_tested(&p->cfg, i))
            continue;
        p->tests_pending++;
        d->send_test(d->ctx, r->arn, body.data, body.len, test_sent, p);
    }
    p->tests_failed |= strbuf_failed(&body);
    strbuf_free(&body);
    test_sent(p, true);
}

static void stored(void *arg, bool ok)
{
    struct notify_put *p = arg;
    if (!ok) {
        s3_fail(p->call, S3_ERR_INTERNAL_ERROR, "could not store the notification configuration", NULL);
        put_free(p);
        return;
    }
    send_tests(p);
}

/* Base64 of a random UUID's text, the form of the Ids AWS generates. */
static char *generated_id(void)
{
    char uuid[37];
    uuid_v4(uuid);
    char *out = malloc(64);
    if (out)
        base64_encode((const unsigned char *)uuid, 36, out);
    return out;
}

/* Every destination checked; the failures as AWS lists them. */
static bool destinations_valid(struct s3_call *call, const struct s3_notify_config *c)
{
    struct strbuf args;
    strbuf_init(&args);
    size_t n_bad = 0;
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct s3_notify_rule *r = &c->rules[i];
        const struct event_destination *d = event_bus_destination(call->srv->bus, dest_kind(r->dest));
        const char *why = d ? d->validate(d->ctx, call->account, call->route.bucket, r->arn)
                            : missing_reason(r->dest);
        if (!why)
            continue;
        n_bad++;
        char name[32];
        snprintf(name, sizeof(name), "ArgumentName%zu", n_bad);
        strbuf_xml_elem(&args, name, r->arn);
        snprintf(name, sizeof(name), "ArgumentValue%zu", n_bad);
        strbuf_xml_elem(&args, name, why);
    }
    if (n_bad)
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "Unable to validate the following destination configurations",
                strbuf_failed(&args) ? NULL : args.data);
    strbuf_free(&args);
    return n_bad == 0;
}

static void fail_argument(struct s3_call *call, const char *message, const char *name,
                          const char *value)
{
    struct strbuf extra;
    strbuf_init(&extra);
    if (name) {
        strbuf_xml_elem(&extra, "ArgumentName", name);
        strbuf_xml_elem(&extra, "ArgumentValue", value ? value : "");
    }
    s3_fail(call, S3_ERR_INVALID_ARGUMENT, message,
            name && !strbuf_failed(&extra) ? extra.data : NULL);
    strbuf_free(&extra);
}

/* One target row per (configuration, event type), and one for every event
 * to EventBridge's bus `bus_arn` when the configuration enables it. */
static struct store_notify_target *targets_of(const struct s3_notify_config *c, const char *bus_arn, size_t *n)
{
    size_t count = c->eventbridge ? 1 : 0;
    for (size_t i = 0; i < c->n_rules; i++)
        count += c->rules[i].n_events;
    *n = count;
    struct store_notify_target *t = calloc(count ? count : 1, sizeof(*t));
    if (!t)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct s3_notify_rule *r = &c->rules[i];
        for (size_t e = 0; e < r->n_events; e++)
            t[k++] = (struct store_notify_target){
                .event_stem = s3_notify_event_stem(r->events[e]),
                .config_id = r->id,
                .dest_kind = dest_kind(r->dest),
                .dest_arn = r->arn,
                .prefix = r->prefix,
                .suffix = r->suffix,
            };
    }
    if (c->eventbridge)
        t[k] = (struct store_notify_target){"*", "EventBridge", "events", bus_arn, "", ""};
    return t;
}

void s3_put_bucket_notification(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    struct notify_put *p = calloc(1, sizeof(*p));
    if (!p) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    p->call = call;
    const char *message = NULL, *arg_name = NULL, *arg_value = NULL;
    enum s3_err err = s3_notify_config_parse(call->body.data ? call->body.data : "", call->body.len,
                                             &p->cfg, &message, &arg_name, &arg_value);
    if (err == S3_ERR_INVALID_ARGUMENT) {
        fail_argument(call, message, arg_name, arg_value);
        put_free(p);
        return;
    }
    if (err == S3_OK && !s3_notify_config_unambiguous(&p->cfg, &message)) {
        fail_argument(call, message, NULL, NULL);
        put_free(p);
        return;
    }
    for (size_t i = 0; err == S3_OK && i < p->cfg.n_rules; i++)
        if (!p->cfg.rules[i].id && !(p->cfg.rules[i].id = generated_id()))
            err = S3_ERR_INTERNAL_ERROR;
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        put_free(p);
        return;
    }
    const char *skip = http_req_header(call->req, "x-amz-skip-destination-validation");
    if (!(skip && strcasecmp(skip, "true") == 0) && !destinations_valid(call, &p->cfg)) {
        put_free(p);
        return;
    }
    size_t n_targets;
    char bus_arn[128];
    snprintf(bus_arn, sizeof(bus_arn), "arn:aws:events:%s:%s:event-bus/default", call->srv->cfg->region,
             call->account);
    struct store_notify_target *targets = targets_of(&p->cfg, bus_arn, &n_targets);
    struct strbuf doc;
    strbuf_init(&doc);
    s3_notify_config_xml(&doc, &p->cfg);
    bool empty = p->cfg.n_rules == 0 && !p->cfg.eventbridge;
    int rc = targets && !strbuf_failed(&doc)
                 ? store_put_notification(call->store, call->route.bucket, empty ? NULL : doc.data,
                                          targets, n_targets, stored, p)
                 : -1;
    free(targets);
    strbuf_free(&doc);
    if (rc < 0) {
        s3_fail_unqueued(call);
        put_free(p);
    }
}

/* ---- the SQS destination ------------------------------------------------------------ */

struct sqs_delivery {
    event_delivered_fn done;
    void *arg;
};

/* The queue must exist; with IAM enforcement its Policy must also let
 * s3.amazonaws.com send to it from this bucket (aws:SourceArn, and its
 * owner as aws:SourceAccount), as AWS checks. */
static const char *sqs_validate(void *ctx, const char *account, const char *bucket, const char *arn)
{
    struct server *srv = ctx;
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "arn:aws:sqs:%s:", srv->cfg->region);
    if (strncmp(arn, prefix, strlen(prefix)) != 0 || !srv->sqs || !sqs_queue_exists(srv->sqs, arn))
        return missing_reason(S3_NOTIFY_QUEUE);
    if (!srv->cfg->enforce_iam)
        return NULL;
    char source_arn[128];
    snprintf(source_arn, sizeof(source_arn), "arn:aws:s3:::%s", bucket);
    const struct iam_key keys[] = {{"aws:SourceArn", source_arn}, {"aws:SourceAccount", account}};
    const struct iam_context ctx_keys = {keys, sizeof(keys) / sizeof(keys[0])};
    const char *policy = sqs_queue_policy_internal(srv->sqs, arn);
    if (policy && iam_policy_evaluate_service(policy, "s3.amazonaws.com", "sqs:SendMessage", arn, &ctx_keys) ==
                      IAM_ALLOW)
        return NULL;
    return "Permissions on the destination queue do not allow S3 to publish notifications from this bucket";
}

static void sqs_sent(void *arg, bool ok)
{
    struct sqs_delivery *d = arg;
    d->done(d->arg, ok ? EVENT_DELIVERED : EVENT_RETRY);
    free(d);
}

static void sqs_deliver(void *ctx, const struct s3_event *ev, event_delivered_fn done, void *arg)
{
    struct server *srv = ctx;
    if (!srv->sqs || !sqs_queue_exists(srv->sqs, ev->dest_arn)) {
        log_info("S3 event for %s dropped: the queue no longer exists", ev->dest_arn);
        done(arg, EVENT_DROPPED);
        return;
    }
    struct strbuf body;
    strbuf_init(&body);
    s3_event_json(&body, ev);
    struct sqs_delivery *d = malloc(sizeof(*d));
    if (d) {
        d->done = done;
        d->arg = arg;
    }
    if (!d || strbuf_failed(&body) ||
        sqs_send_internal(srv->sqs, ev->dest_arn, body.data, body.len, sqs_sent, d) < 0) {
        free(d);
        done(arg, EVENT_RETRY);
    }
    strbuf_free(&body);
}

static void sqs_send_test(void *ctx, const char *arn, const char *body, size_t len,
                          void (*done)(void *arg, bool ok), void *arg)
{
    struct server *srv = ctx;
    if (!srv->sqs || sqs_send_internal(srv->sqs, arn, body, len, done, arg) < 0)
        done(arg, false);
}

int s3_notification_start(struct server *srv)
{
    struct event_destination sqs = {
        .kind = "sqs",
        .ctx = srv,
        .validate = sqs_validate,
        .deliver = sqs_deliver,
        .send_test = sqs_send_test,
    };
    return event_bus_register(srv->bus, &sqs);
}
