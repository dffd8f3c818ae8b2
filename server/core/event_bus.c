/* event_bus: the deliverer of the S3 event outbox (see event_bus.h).
 *
 * A pass reads the rows after the last one taken, in commit order, and
 * hands each to its destination; up to MAX_IN_FLIGHT events are out at
 * once, issued in order, so a destination that makes them durable in order
 * (SQS through the group commit) keeps the order per key. Acknowledged
 * rows are deleted in batches through the store; a row whose destination
 * asked for a retry rewinds the reader to it and a timer tries again (the
 * events after it may then arrive twice: at least once). Passes start from
 * the store's outbox listener (a commit recorded events), from delivery
 * completions when a pass had stopped at the in-flight limit, and once at
 * start-up for what a crash left behind. */
#include "server/core/event_bus.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/s3/notification.h"

#define MAX_IN_FLIGHT 256
#define RETRY_DELAY_MS 1000

struct event_bus {
    struct server *srv;
    struct event_destination *dests;
    size_t n_dests;
    struct event *kick;            /* a pass from the loop (start-up, retries) */
    int64_t last_taken;            /* highest outbox seq handed out */
    size_t in_flight;
    int64_t *acks;                 /* delivered or dropped, not yet deleted */
    size_t n_acks, cap_acks;
    bool deleting;
    bool in_pass;
    bool starved;                  /* a pass stopped at MAX_IN_FLIGHT: rows may wait */
};

struct delivery {
    struct event_bus *bus;
    int64_t seq;
};

static void pass(struct event_bus *bus);

static void flush_acks(struct event_bus *bus);

static void acks_deleted(void *arg, bool ok)
{
    struct event_bus *bus = arg;
    if (!ok)
        log_warn("could not remove delivered events from the outbox; they will be sent again after a restart");
    bus->deleting = false;
    flush_acks(bus);
}

static void flush_acks(struct event_bus *bus)
{
    if (bus->deleting || !bus->n_acks)
        return;
    if (store_outbox_delete(bus->srv->store, bus->acks, bus->n_acks, acks_deleted, bus) < 0)
        return;                    /* closing or no memory: the rows stay for the next start */
    bus->deleting = true;
    bus->n_acks = 0;
}

static void add_ack(struct event_bus *bus, int64_t seq)
{
    if (bus->n_acks == bus->cap_acks) {
        size_t cap = bus->cap_acks ? bus->cap_acks * 2 : 64;
        int64_t *grown = realloc(bus->acks, cap * sizeof(*grown));
        if (!grown)
            return;                /* the row stays and is delivered again after a restart */
        bus->acks = grown;
        bus->cap_acks = cap;
    }
    bus->acks[bus->n_acks++] = seq;
}

static void schedule(struct event_bus *bus, int64_t delay_ms)
{
    struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)(delay_ms % 1000) * 1000};
    if (delay_ms == 0 && evtimer_pending(bus->kick, NULL))
        return;
    evtimer_add(bus->kick, &tv);
}

static void delivered(void *arg, enum event_delivery result)
{
    struct delivery *d = arg;
    struct event_bus *bus = d->bus;
    bus->in_flight--;
    if (result == EVENT_RETRY) {
        if (d->seq - 1 < bus->last_taken)
            bus->last_taken = d->seq - 1;
        schedule(bus, RETRY_DELAY_MS);
    } else {
        add_ack(bus, d->seq);
        flush_acks(bus);
        if (bus->starved && !evtimer_pending(bus->kick, NULL))
            pass(bus);
    }
    free(d);
}

static void deliver_one(struct event_bus *bus, const struct s3_event *ev)
{
    const struct event_destination *dest = event_bus_destination(bus, ev->dest_kind);
    if (!dest) {
        log_warn("no %s destination for the event to %s: dropped", ev->dest_kind, ev->dest_arn);
        add_ack(bus, ev->seq);
        return;
    }
    struct delivery *d = malloc(sizeof(*d));
    if (!d) {
        bus->last_taken = ev->seq - 1;
        schedule(bus, RETRY_DELAY_MS);
        return;
    }
    d->bus = bus;
    d->seq = ev->seq;
    bus->in_flight++;
    dest->deliver(dest->ctx, ev, delivered, d);
}

static void pass(struct event_bus *bus)
{
    if (bus->in_pass)
        return;                    /* a delivery completed inside deliver(): the loop below goes on */
    bus->in_pass = true;
    bus->starved = false;
    while (!evtimer_pending(bus->kick, NULL)) {
        if (bus->in_flight >= MAX_IN_FLIGHT) {
            bus->starved = true;
            break;
        }
        struct s3_event *events;
        size_t n;
        if (store_outbox_read(bus->srv->store, bus->last_taken, MAX_IN_FLIGHT - bus->in_flight,
                              &events, &n) < 0) {
            log_warn("cannot read the event outbox; retrying");
            schedule(bus, RETRY_DELAY_MS);
            break;
        }
        for (size_t i = 0; i < n; i++) {
            int64_t before = bus->last_taken;
            if (events[i].seq > bus->last_taken)
                bus->last_taken = events[i].seq;
            if (events[i].seq > before)
                deliver_one(bus, &events[i]);
            s3_event_free(&events[i]);
            if (evtimer_pending(bus->kick, NULL)) {
                for (size_t j = i + 1; j < n; j++)
                    s3_event_free(&events[j]);
                break;
            }
        }
        free(events);
        if (n == 0)
            break;
    }
    bus->in_pass = false;
    flush_acks(bus);
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    pass(arg);
}

static void on_outbox(void *arg) { pass(arg); }

struct event_bus *event_bus_new(struct server *srv)
{
    struct event_bus *bus = calloc(1, sizeof(*bus));
    if (!bus)
        return NULL;
    bus->srv = srv;
    bus->kick = evtimer_new(srv->base, on_kick, bus);
    if (!bus->kick) {
        free(bus);
        return NULL;
    }
    store_set_outbox_listener(srv->store, on_outbox, bus);
    schedule(bus, 0);
    return bus;
}

int event_bus_register(struct event_bus *bus, const struct event_destination *dest)
{
    for (size_t i = 0; i < bus->n_dests; i++) {
        if (strcmp(bus->dests[i].kind, dest->kind) == 0) {
            bus->dests[i] = *dest;
            return 0;
        }
    }
    struct event_destination *grown = realloc(bus->dests, (bus->n_dests + 1) * sizeof(*grown));
    if (!grown)
        return -1;
    bus->dests = grown;
    bus->dests[bus->n_dests++] = *dest;
    return 0;
}

const struct event_destination *event_bus_destination(struct event_bus *bus, const char *kind)
{
    for (size_t i = 0; bus && i < bus->n_dests; i++)
        if (strcmp(bus->dests[i].kind, kind) == 0)
            return &bus->dests[i];
    return NULL;
}

void event_bus_free(struct event_bus *bus)
{
    if (!bus)
        return;
    event_free(bus->kick);
    free(bus->dests);
    free(bus->acks);
    free(bus);
}
