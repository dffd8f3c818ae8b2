/* event_bus: delivers the S3 events the store recorded in its outbox
 * (storage/s3/notification.h) to the destinations registered for them.
 *
 * Destinations plug in by kind ("sqs" now; "lambda", "sns" later) through
 * event_bus_register(), without the S3 code knowing them: a destination
 * validates the ARNs a notification configuration names, takes events (and
 * optionally the s3:TestEvent) and reports when it holds them durably. The
 * bus then deletes the outbox rows, so an event survives a crash until its
 * destination has it: at least once, in commit order. */
#ifndef CLOUDLESS_EVENT_BUS_H
#define CLOUDLESS_EVENT_BUS_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/s3/event.h"

struct server;
struct event_bus;

enum event_delivery {
    EVENT_DELIVERED,               /* durable at the destination */
    EVENT_DROPPED,                 /* the destination is gone: AWS drops such events */
    EVENT_RETRY,                   /* not taken now: deliver again later */
};

typedef void (*event_delivered_fn)(void *arg, enum event_delivery result);

struct event_destination {
    const char *kind;              /* "sqs", "lambda", "sns" (static) */
    void *ctx;
    /* May `bucket` (owned by `account`) send its events to arn? NULL when
     * yes, else the reason AWS gives (ArgumentValue of the validation error). */
    const char *(*validate)(void *ctx, const char *account, const char *bucket, const char *arn);
    /* Takes one event (copy what you keep); done runs exactly once, on the
     * loop thread, possibly before this returns. */
    void (*deliver)(void *ctx, const struct s3_event *ev, event_delivered_fn done, void *arg);
    /* Sends the s3:TestEvent body when a configuration is set; NULL for
     * destinations that get none. done(arg, ok) as above. */
    void (*send_test)(void *ctx, const char *arn, const char *body, size_t len,
                      void (*done)(void *arg, bool ok), void *arg);
};

/* Starts delivering (the first pass runs from the loop, so destinations
 * registered before the loop starts see the events a crash left). */
struct event_bus *event_bus_new(struct server *srv);
/* Copies *dest; a kind registered twice replaces the first. -1 on ENOMEM. */
int event_bus_register(struct event_bus *bus, const struct event_destination *dest);
/* The destination of a kind, or NULL when no service provides it. */
const struct event_destination *event_bus_destination(struct event_bus *bus, const char *kind);
/* After store_close(): no more callbacks can run. Safe on NULL. */
void event_bus_free(struct event_bus *bus);

#endif
