/* intake: the service's life outside requests — the buffered writer
 * through which other services (Lambda's output) append events with
 * logs_put(), and the retention sweep.
 *
 * Events put are copied into a buffer — the message's exact bytes,
 * U+0000 included, but for ill-formed UTF-8, which becomes U+FFFD as
 * CloudWatch Logs stores it — and committed as one batch per flush
 * (FLUSH_DELAY_MS after the first pending event, or at once past
 * FLUSH_EVENTS events, and at shutdown), creating their group and stream
 * when missing; beyond PENDING_BYTES_MAX of buffered text, events are
 * dropped and counted in the server log. Every SWEEP_INTERVAL_S a sweep
 * deletes the events older than their group's retention. logs_put_acked()
 * also tells its caller once the event is stored (EventBridge's Logs
 * targets acknowledge delivery so). */
#include "server/logs/service.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/core/utf8.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define PENDING_BYTES_MAX (16 * 1024 * 1024)
#define FLUSH_DELAY_MS 50
#define FLUSH_EVENTS 2000
#define SWEEP_INTERVAL_S 60

/* A batch of buffered events on its way to storage. */
struct batch {
    struct logs_new_event *events;
    struct logs_ack *acks;
    size_t n;
};

/* Tells the writers of a batch's events that asked whether they were stored. */
static void acknowledge(const struct logs_ack *acks, size_t n, bool ok)
{
    for (size_t i = 0; i < n; i++)
        if (acks[i].done)
            acks[i].done(acks[i].arg, ok);
}

static int apply_batch(struct store_conn *writer, void *arg)
{
    struct batch *b = arg;
    return logs_put_events(writer, b->events, b->n, clock_now_ms()) == LOGS_OK ? 0 : -1;
}


static void batch_done(void *arg, bool ok)
{
    struct batch *b = arg;
    if (!ok)
        log_warn("logs: %zu buffered events could not be stored", b->n);
    acknowledge(b->acks, b->n, ok);
    logs_free_events(b->events, b->n);
    free(b->acks);
    free(b);
}


static void flush(struct logs_service *ls)
{
    if (!ls->n_pending)
        return;
    struct batch *b = calloc(1, sizeof(*b));
    if (!b)
        return;
    b->events = ls->pending;
    b->acks = ls->pending_acks;
    b->n = ls->n_pending;
    ls->pending = NULL;
    ls->pending_acks = NULL;
    ls->n_pending = ls->cap_pending = 0;
    ls->pending_bytes = 0;
    if (store_submit(ls->srv->store, apply_batch, batch_done, b) < 0) {
        log_warn("logs: %zu events could not be queued for storage", b->n);
        acknowledge(b->acks, b->n, false);
        logs_free_events(b->events, b->n);
        free(b->acks);
        free(b);
    }
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    flush(arg);
}

void logs_put(struct logs_service *ls, const char *account, const char *group, const char *stream,
              int64_t ts_ms, const char *msg, size_t len)
{
    logs_put_acked(ls, account, group, stream, ts_ms, msg, len, NULL, NULL);
}

/* Room for one more pending event (and its acknowledgement). */
static bool grow_pending(struct logs_service *ls)
{
    if (ls->n_pending < ls->cap_pending)
        return true;
    size_t cap = ls->cap_pending ? ls->cap_pending * 2 : 256;
    struct logs_new_event *grown = realloc(ls->pending, cap * sizeof(*grown));
    if (!grown)
        return false;
    ls->pending = grown;
    struct logs_ack *acks = realloc(ls->pending_acks, cap * sizeof(*acks));
    if (!acks)
        return false;
    ls->pending_acks = acks;
    ls->cap_pending = cap;
    return true;
}

void logs_put_acked(struct logs_service *ls, const char *account, const char *group, const char *stream,
                    int64_t ts_ms, const char *msg, size_t len, void (*done)(void *arg, bool ok), void *arg)
{
    if (!ls || ls->pending_bytes + len > PENDING_BYTES_MAX || !grow_pending(ls)) {
        if (ls && ls->pending_bytes + len > PENDING_BYTES_MAX && ls->dropped++ % 10000 == 0)
            log_warn("logs: writer behind; %" PRIu64 " events dropped so far", ls->dropped);
        if (done)
            done(arg, false);
        return;
    }
    struct logs_new_event *e = &ls->pending[ls->n_pending];
    snprintf(e->account, sizeof(e->account), "%s", account);
    e->group = strdup(group);
    e->stream = strdup(stream);
    e->message = utf8_repaired_copy(msg, len, &e->len);
    e->ts = ts_ms;
    if (!e->group || !e->stream || !e->message) {
        free(e->group);
        free(e->stream);
        free(e->message);
        if (done)
            done(arg, false);
        return;
    }
    ls->pending_acks[ls->n_pending] = (struct logs_ack){done, arg};
    ls->n_pending++;
    ls->pending_bytes += e->len;
    if (ls->n_pending >= FLUSH_EVENTS) {
        flush(ls);
    } else if (ls->n_pending == 1) {
        struct timeval tv = {0, FLUSH_DELAY_MS * 1000};
        evtimer_add(ls->flush_timer, &tv);
    }
}

static int apply_sweep(struct store_conn *conn, void *arg)
{
    (void)arg;
    return logs_expire_events(conn, clock_now_ms()) == LOGS_OK ? 0 : -1;
}

static void sweep_done(void *arg, bool ok)
{
    (void)arg;
    if (!ok)
        log_warn("logs: the retention sweep failed");
}

static void on_sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct logs_service *ls = arg;
    if (store_submit(ls->srv->store, apply_sweep, sweep_done, ls) < 0)
        log_warn("logs: could not schedule the retention sweep");
}

struct logs_service *logs_service_new(struct server *srv, char *err, size_t errlen)
{
    struct logs_service *ls = calloc(1, sizeof(*ls));
    if (!ls) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ls->srv = srv;
    ls->flush_timer = evtimer_new(srv->base, on_flush, ls);
    ls->sweep_timer = event_new(srv->base, -1, EV_PERSIST, on_sweep, ls);
    if (!ls->flush_timer || !ls->sweep_timer) {
        snprintf(err, errlen, "cannot create the logs timers");
        logs_service_free(ls);
        return NULL;
    }
    struct timeval every = {SWEEP_INTERVAL_S, 0};
    event_add(ls->sweep_timer, &every);
    return ls;
}

void logs_service_flush(struct logs_service *ls)
{
    if (ls)
        flush(ls);
}

void logs_service_free(struct logs_service *ls)
{
    if (!ls)
        return;
    logs_free_events(ls->pending, ls->n_pending);
    free(ls->pending_acks);
    if (ls->flush_timer)
        event_free(ls->flush_timer);
    if (ls->sweep_timer)
        event_free(ls->sweep_timer);
    free(ls);
}
