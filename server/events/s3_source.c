/* events_s3_source: S3 to EventBridge — the "events" destination of the S3
 * event bus (server/core/event_bus.h).
 *
 * A bucket whose notification configuration has EventBridgeConfiguration
 * gets one more outbox target (server/s3/notification.c), naming the
 * default bus of the bucket owner's account; its events reach this
 * destination in commit order. Object creations and deletions become
 * "Object Created" / "Object Deleted" events from "aws.s3" with S3's
 * detail (protocol/events/envelope.c) and are published into that bus;
 * the S3 outbox row is released once the bus's own outbox rows are
 * durable, so the chain survives a kill -9 at any point. Other S3 events
 * (tagging) are not sent to EventBridge. */
#include "server/events/events.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/core/uuid.h"
#include "protocol/events/envelope.h"
#include "server/core/event_bus.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"

struct s3_delivery {
    event_delivered_fn done;
    void *arg;
};

static const char *s3_validate(void *ctx, const char *account, const char *bucket, const char *arn)
{
    (void)ctx;
    (void)account;
    (void)bucket;
    (void)arn;
    return NULL;                   /* the default bus always exists */
}

static void published(void *arg, bool ok)
{
    struct s3_delivery *d = arg;
    d->done(d->arg, ok ? EVENT_DELIVERED : EVENT_RETRY);
    free(d);
}

static struct events_text text_of(const char *s) { return (struct events_text){s, s ? strlen(s) : 0}; }

static void s3_deliver(void *ctx, const struct s3_event *ev, event_delivered_fn done, void *arg)
{
    struct events_service *es = ctx;
    const char *detail_type, *reason, *deletion_type;
    /* arn:aws:events:<region>:<account>:event-bus/default */
    const char *marker = strstr(ev->dest_arn, ":event-bus/");
    if (!events_s3_event_kind(ev->event_name, &detail_type, &reason, &deletion_type) || !marker ||
        marker - ev->dest_arn < 12) {
        done(arg, EVENT_DROPPED);
        return;
    }
    char account[13], id[37];
    memcpy(account, marker - 12, 12);
    account[12] = '\0';
    uuid_v4(id);
    const char *requester = ev->principal && strncmp(ev->principal, "AWS:", 4) == 0 ? ev->principal + 4
                                                                                    : ev->principal;
    struct events_s3_object o = {
        .id = {id, 36},
        .account = {account, 12},
        .region = text_of(ev->region),
        .time = ev->event_ms / 1000,
        .detail_type = detail_type,
        .bucket = text_of(ev->bucket),
        .key = text_of(ev->key),
        .size = deletion_type ? -1 : ev->size,
        .etag = text_of(ev->etag),
        .version_id = text_of(ev->version_id),
        .sequencer = text_of(ev->sequencer),
        .request_id = text_of(ev->request_id),
        .requester = text_of(requester),
        .source_ip = text_of(ev->source_ip && *ev->source_ip ? ev->source_ip : NULL),
        .reason = reason,
        .deletion_type = deletion_type,
    };
    struct strbuf text;
    strbuf_init(&text);
    events_s3_object_write(&text, &o);
    const struct json_value *tree = strbuf_failed(&text) ? NULL : json_parse(text.data, text.len, NULL);
    struct events_rows rows = {0};
    struct s3_delivery *d = malloc(sizeof(*d));
    if (tree && d) {
        d->done = done;
        d->arg = arg;
        events_publish(es, account, marker + 11, text.data, tree, clock_now_ms(), &rows);
    }
    json_free(tree);
    strbuf_free(&text);
    if (!tree || !d || events_rows_commit(es, &rows, published, d) < 0) {
        free(d);
        events_rows_free(&rows);
        done(arg, EVENT_RETRY);
        return;
    }
    events_rows_free(&rows);
}

int events_s3_source_start(struct events_service *es)
{
    if (!es->srv->bus)
        return 0;
    struct event_destination dest = {
        .kind = "events",
        .ctx = es,
        .validate = s3_validate,
        .deliver = s3_deliver,
        .send_test = NULL,
    };
    return event_bus_register(es->srv->bus, &dest);
}
