/* events_entry: how the process creates EventBridge and EventBridge
 * Scheduler (one engine, server/events/), and how the dispatcher hands
 * them requests. */
#ifndef CLOUDLESS_EVENTS_ENTRY_H
#define CLOUDLESS_EVENTS_ENTRY_H

#include <stddef.h>

struct service_def;
struct server;
struct events_service;

/* Loads buses, rules, schedules and the delivery outbox, starts the
 * schedule timer and the deliverer, and registers the "events"
 * destination of the S3 event bus (srv->store, srv->base and srv->bus
 * created). NULL with a reason in err. */
struct events_service *events_service_new(struct server *srv, char *err, size_t errlen);
/* After store_close(). Safe on NULL. */
void events_service_free(struct events_service *es);
/* The time may have moved (the clock endpoint): schedules and retries
 * that came due fire now. */
void events_service_clock_moved(struct events_service *es);

/* EventBridge: X-Amz-Target AWSEvents.* (protocol/events/operations.h). */
extern const struct service_def events_service_def;
/* EventBridge Scheduler: REST JSON requests signed for "scheduler"
 * (protocol/scheduler/operations.h). */
extern const struct service_def scheduler_service_def;

#endif
