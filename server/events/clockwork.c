/* events_clockwork: fires scheduled rules and Scheduler schedules on time.
 *
 * One timer is armed for the earliest next fire time among the rules and
 * schedules in memory (re-armed after every change, and when the clock
 * endpoint moves the time). When it goes off, each item that is due fires
 * in its own job, which in one transaction moves the item's stored next
 * fire time from the due time to the next one (only if it is still that
 * due time and the item still enabled) and, when that succeeded, writes
 * the outbox rows: for a rule, its "Scheduled Event" to each of its
 * targets; for a schedule, one invocation of its target (and, for a
 * schedule that will never fire again with ActionAfterCompletion DELETE,
 * its removal). So a firing is recorded exactly once: a crash before the
 * commit leaves the item due (it fires after the restart), a crash after
 * it leaves the rows to deliver.
 *
 * Time that jumped — the server was stopped, or the clock endpoint moved
 * the clock forward — follows one rule: an item that missed fire times
 * fires once, carrying the latest of the times it missed (its event's
 * "time", the schedule's <aws.scheduler.scheduled-time>), and then goes on
 * at its next regular time after now. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "protocol/core/dates.h"
#include "protocol/core/uuid.h"
#include "protocol/events/envelope.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define RETRY_AFTER_FAILURE_MS 1000
/* Stepping through missed fire times stops here (a rate of a minute
 * missed for about ten weeks); the catch-up then carries the time reached. */
#define CATCH_UP_STEPS 100000

static void on_timer(evutil_socket_t fd, short what, void *arg);

int events_clockwork_start(struct events_service *es)
{
    es->clock_timer = evtimer_new(es->srv->base, on_timer, es);
    if (!es->clock_timer)
        return -1;
    events_clockwork_rearm(es);
    return 0;
}

void events_clockwork_free(struct events_service *es)
{
    if (es->clock_timer)
        event_free(es->clock_timer);
    es->clock_timer = NULL;
}

static bool rule_waits(const struct events_rule *r)
{
    return r->enabled && r->scheduled && r->next_fire_ms >= 0 && !r->firing;
}

static bool schedule_waits(const struct scheduler_item *s)
{
    return s->enabled && s->next_fire_ms >= 0 && !s->firing;
}

void events_clockwork_rearm(struct events_service *es)
{
    if (!es->clock_timer)
        return;
    int64_t earliest = -1;
    for (const struct events_rule *r = es->rules; r; r = r->next)
        if (rule_waits(r) && (earliest < 0 || r->next_fire_ms < earliest))
            earliest = r->next_fire_ms;
    for (const struct scheduler_item *s = es->schedules; s; s = s->next)
        if (schedule_waits(s) && (earliest < 0 || s->next_fire_ms < earliest))
            earliest = s->next_fire_ms;
    evtimer_del(es->clock_timer);
    if (earliest < 0)
        return;
    if (earliest < es->clock_not_before_ms)
        earliest = es->clock_not_before_ms;
    int64_t delay = earliest - clock_now_ms();
    if (delay < 0)
        delay = 0;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    evtimer_add(es->clock_timer, &tv);
}

/* The latest fire time <= now, stepping from `due` with next(). */
static int64_t latest_missed(int64_t due, int64_t now, int64_t (*next)(const void *item, void *ctx, int64_t after),
                             const void *item, void *ctx)
{
    int64_t latest = due;
    for (int i = 0; i < CATCH_UP_STEPS; i++) {
        int64_t n = next(item, ctx, latest);
        if (n < 0 || n > now)
            break;
        latest = n;
    }
    return latest;
}

/* ---- rules ---------------------------------------------------------------------------------- */

struct rule_fire {
    struct events_service *es;
    char account[13];
    char *bus, *name;
    char arn[EVENTS_ARN_MAX];
    int64_t expected, next, created_ms;
    char *event;
};

static void rule_fire_free(struct rule_fire *f)
{
    free(f->bus);
    free(f->name);
    free(f->event);
    free(f);
}

static int apply_rule_fire(struct store_conn *w, void *arg)
{
    struct rule_fire *f = arg;
    int moved = events_store_rule_advance(w, f->account, f->bus, f->name, f->expected, f->next);
    if (moved <= 0)
        return moved;              /* changed meanwhile: nothing fires */
    return events_store_delivery_insert_rule_targets(w, f->account, f->bus, f->name, f->arn, f->event,
                                                     f->created_ms) < 0 ? -1 : 0;
}

static void rule_fired(void *arg, bool ok)
{
    struct rule_fire *f = arg;
    struct events_service *es = f->es;
    if (!ok) {
        log_warn("events: could not record the firing of rule %s; trying again", f->arn);
        es->clock_not_before_ms = clock_now_ms() + RETRY_AFTER_FAILURE_MS;
    }
    events_rule_refresh(es, f->account, f->bus, f->name);
    struct events_rule *r = events_rule_find(es, f->account, f->bus, f->name);
    if (r)
        r->firing = false;
    rule_fire_free(f);
    if (ok)
        events_deliverer_kick(es);
    events_clockwork_rearm(es);
}

static int64_t rule_next(const void *item, void *ctx, int64_t after)
{
    (void)ctx;
    return events_rule_next_fire(item, after);
}

static void fire_rule(struct events_service *es, struct events_rule *r, int64_t now)
{
    int64_t time = latest_missed(r->next_fire_ms, now, rule_next, r, NULL);
    struct rule_fire *f = calloc(1, sizeof(*f));
    if (!f)
        goto fail;
    f->es = es;
    memcpy(f->account, r->account, 13);
    memcpy(f->arn, r->arn, sizeof(f->arn));
    f->expected = r->next_fire_ms;
    f->next = events_rule_next_fire(r, now);
    f->created_ms = now;
    f->bus = strdup(r->bus);
    f->name = strdup(r->name);
    char id[37];
    uuid_v4(id);
    const char *region = events_region(es);
    struct strbuf event;
    strbuf_init(&event);
    events_scheduled_event_write(&event, (struct events_text){id, 36}, (struct events_text){r->account, 12},
                                 (struct events_text){region, strlen(region)}, time / 1000,
                                 (struct events_text){r->arn, strlen(r->arn)});
    f->event = strbuf_failed(&event) ? NULL : strbuf_detach(&event, NULL);
    strbuf_free(&event);
    if (!f->bus || !f->name || !f->event || store_submit(es->srv->store, apply_rule_fire, rule_fired, f) < 0) {
        rule_fire_free(f);
        goto fail;
    }
    r->firing = true;
    return;
fail:
    log_warn("events: could not fire rule %s; trying again", r->arn);
    es->clock_not_before_ms = now + RETRY_AFTER_FAILURE_MS;
}

/* ---- schedules ------------------------------------------------------------------------------ */

struct schedule_fire {
    struct events_service *es;
    char account[13];
    char *group, *name;
    char arn[EVENTS_ARN_MAX];
    int64_t expected, next, created_ms;
    bool delete_after;
    struct events_rows rows;
};

static void schedule_fire_free(struct schedule_fire *f)
{
    free(f->group);
    free(f->name);
    events_rows_free(&f->rows);
    free(f);
}

static int apply_schedule_fire(struct store_conn *w, void *arg)
{
    struct schedule_fire *f = arg;
    int moved = scheduler_store_schedule_advance(w, f->account, f->group, f->name, f->expected, f->next);
    if (moved <= 0)
        return moved;
    if (events_rows_insert(w, &f->rows) < 0)
        return -1;
    if (f->next < 0 && f->delete_after)
        return scheduler_store_schedule_delete(w, f->account, f->group, f->name) < 0 ? -1 : 0;
    return 0;
}

static void schedule_fired(void *arg, bool ok)
{
    struct schedule_fire *f = arg;
    struct events_service *es = f->es;
    if (!ok) {
        log_warn("scheduler: could not record the invocation of schedule %s; trying again", f->arn);
        es->clock_not_before_ms = clock_now_ms() + RETRY_AFTER_FAILURE_MS;
    }
    scheduler_item_refresh(es, f->account, f->group, f->name);
    for (struct scheduler_item *s = es->schedules; s; s = s->next)
        if (strcmp(s->account, f->account) == 0 && strcmp(s->group, f->group) == 0 && strcmp(s->name, f->name) == 0)
            s->firing = false;
    schedule_fire_free(f);
    if (ok)
        events_deliverer_kick(es);
    events_clockwork_rearm(es);
}

static int64_t schedule_next(const void *item, void *ctx, int64_t after)
{
    return scheduler_item_next_fire(ctx, item, after);
}

static void fire_schedule(struct events_service *es, struct scheduler_item *s, int64_t now)
{
    int64_t time = latest_missed(s->next_fire_ms, now, schedule_next, s, es);
    struct schedule_fire *f = calloc(1, sizeof(*f));
    if (!f)
        goto fail;
    f->es = es;
    memcpy(f->account, s->account, 13);
    memcpy(f->arn, s->arn, sizeof(f->arn));
    f->expected = s->next_fire_ms;
    f->next = scheduler_item_next_fire(es, s, now);
    f->created_ms = now;
    f->delete_after = s->delete_after;
    f->group = strdup(s->group);
    f->name = strdup(s->name);
    /* The invocation: its scheduled time and execution id; the input is
     * made at each attempt, which has its own attempt number. */
    char id[37], when[32];
    uuid_v4(id);
    events_time_format(time / 1000, when);
    struct strbuf event;
    strbuf_init(&event);
    struct json_writer w;
    jw_init(&w, &event);
    jw_object_open(&w, NULL);
    jw_string(&w, "time", when);
    jw_string(&w, "execution-id", id);
    jw_object_close(&w);
    const char *kept = strbuf_failed(&event) ? NULL : events_rows_keep(&f->rows, event.data);
    if (kept)
        events_rows_add(&f->rows, s->account, EVENTS_DELIVERY_SCHEDULE, s->arn, s->target, kept, now);
    bool built = kept && !f->rows.oom && f->group && f->name;
    strbuf_free(&event);
    if (!built || store_submit(es->srv->store, apply_schedule_fire, schedule_fired, f) < 0) {
        schedule_fire_free(f);
        goto fail;
    }
    s->firing = true;
    return;
fail:
    log_warn("scheduler: could not invoke schedule %s; trying again", s->arn);
    es->clock_not_before_ms = now + RETRY_AFTER_FAILURE_MS;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct events_service *es = arg;
    int64_t now = clock_now_ms();
    if (now < es->clock_not_before_ms) {
        events_clockwork_rearm(es);
        return;
    }
    for (struct events_rule *r = es->rules; r; r = r->next)
        if (rule_waits(r) && r->next_fire_ms <= now)
            fire_rule(es, r, now);
    for (struct scheduler_item *s = es->schedules; s; s = s->next)
        if (schedule_waits(s) && s->next_fire_ms <= now)
            fire_schedule(es, s, now);
    events_clockwork_rearm(es);
}
