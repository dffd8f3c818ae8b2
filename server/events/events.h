/* events: EventBridge and EventBridge Scheduler inside the process — what
 * the files of server/events and server/scheduler share.
 *
 *   server/events/service.c    both service_defs: claiming a request,
 *                              reading and authenticating it, dispatching
 *                              through the operation tables, the answers in
 *                              each protocol's shape, writes through the
 *                              group commit, ARNs and names; start and stop
 *   server/events/buses.c      event buses and their permissions
 *   server/events/rules.c      rules, and the in-memory rules the engine
 *                              matches and schedules (one per stored rule)
 *   server/events/targets.c    targets of rules and their checks
 *   server/events/events.c     PutEvents, TestEventPattern, and publishing
 *                              an event into a bus (matching rules, writing
 *                              one outbox row per target)
 *   server/events/tags.c       tags of buses and rules
 *   server/events/clockwork.c  the timer of scheduled rules and schedules
 *   server/events/delivery.c   the outbox's deliverer: targets (Lambda, SQS,
 *                              event buses, CloudWatch Logs), retries,
 *                              dead-letter queues
 *   server/events/zones.c      time zones from the tz database
 *   server/events/s3_source.c  the "events" destination of the S3 event bus
 *   server/scheduler/schedules.c, groups.c   EventBridge Scheduler
 *
 * Everything runs on the loop thread; state lives in storage/events and is
 * read through the loop's reader, except what the engine needs at every
 * event or tick, which is kept in memory and refreshed from storage after
 * each write that changes it. */
#ifndef CLOUDLESS_EVENTS_H
#define CLOUDLESS_EVENTS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/events/pattern.h"
#include "protocol/events/schedule.h"
#include "protocol/scheduler/route.h"
#include "storage/events/events_store.h"

struct server;
struct http_req;
struct store_conn;
struct service_def;
struct event;
struct events_deliverer;
struct events_zones;

#define EVENTS_DEFAULT_BUS "default"
#define EVENTS_ARN_MAX 2048

/* A rule as the engine uses it: compiled pattern, parsed schedule, targets. */
struct events_rule {
    struct events_rule *next;
    char account[13];
    char *bus, *name;
    char arn[EVENTS_ARN_MAX];
    bool enabled;
    struct events_pattern *pattern;    /* NULL: no EventPattern */
    bool scheduled;
    struct events_schedule schedule;
    int64_t anchor_ms, next_fire_ms;   /* next_fire_ms -1: none */
    bool firing;                       /* a fire is being committed */
    struct events_target_row *targets;
    size_t n_targets;
};

/* A Scheduler schedule as the clockwork uses it. */
struct scheduler_item {
    struct scheduler_item *next;
    char account[13];
    char *group, *name;
    char arn[EVENTS_ARN_MAX];
    struct events_schedule schedule;
    char *zone;                        /* NULL: UTC */
    int64_t start_ms, end_ms;          /* -1: none */
    bool enabled;
    bool delete_after;                 /* ActionAfterCompletion DELETE */
    char *target;                      /* the Target object (JSON) */
    int64_t anchor_ms, next_fire_ms;   /* next_fire_ms -1: never again */
    bool firing;
};

struct events_service {
    struct server *srv;
    struct events_rule *rules;
    struct scheduler_item *schedules;
    struct event *clock_timer;
    int64_t clock_not_before_ms;       /* after a failed firing: wait before trying again */
    struct events_deliverer *delivery;
    struct events_zones *zones;
};

/* One request of either service. */
struct events_call {
    struct http_req *req;
    struct events_service *es;
    bool scheduler;                    /* REST JSON answers */
    int op;                            /* index in the service's table */
    struct strbuf body;
    bool too_large;
    char account[13];
    const struct json_value *json;     /* the body; an empty object when there was none */
    struct scheduler_route route;      /* Scheduler: the path's {Name} / {ResourceArn} */
    bool bad_param;                    /* ... which was empty, too long or badly encoded */
    /* a write in flight (events_submit) */
    int (*apply)(struct store_conn *w, struct events_call *c);
    void (*done)(struct events_call *c, bool ok);
    int found;                         /* set by apply for done: what it found */
    void *state;                       /* an operation's own data, freed with free_state */
    void (*free_state)(void *state);
};

/* ---- service.c: answers ---------------------------------------------------------- */

void events_reply(struct events_call *c, struct strbuf *sb);
void events_reply_empty(struct events_call *c);
/* An error in the call's protocol: EventBridge {"__type", "message"},
 * Scheduler x-amzn-ErrorType and {"Message"}. */
void events_fail(struct events_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void events_fail_internal(struct events_call *c);
/* ValidationException "1 validation error detected: Value null at 'field'
 * failed to satisfy constraint: Member must not be null". */
void events_fail_missing(struct events_call *c, const char *field);
/* ValidationException for a value that breaks the field's constraint. */
void events_fail_constraint(struct events_call *c, const char *field, const char *value, const char *constraint);

/* Runs apply on the commit thread inside the group commit, then done on
 * the loop thread (ok: apply returned 0 and the batch committed). On a
 * refusal to queue, answers InternalException and returns -1. */
int events_submit(struct events_call *c, int (*apply)(struct store_conn *w, struct events_call *c),
                  void (*done)(struct events_call *c, bool ok));

struct store_conn *events_reader(struct events_service *es);

/* ---- service.c: names and ARNs ----------------------------------------------------- */

const char *events_region(const struct events_service *es);
void events_bus_arn(const struct events_service *es, const char *account, const char *bus, char out[EVENTS_ARN_MAX]);
/* Rules of the default bus are rule/<name>, others rule/<bus>/<name>. */
void events_rule_arn(const struct events_service *es, const char *account, const char *bus, const char *rule,
                     char out[EVENTS_ARN_MAX]);
/* s is 1..max bytes of ASCII letters, digits and the bytes of `extra`. */
bool events_name_ok(const char *s, size_t max, const char *extra);
/* EventBusName as a name or an ARN: the bus's account (the caller's when a
 * name) and name, else false (a ValidationException was answered). A
 * missing value is the default bus. */
bool events_resolve_bus(struct events_call *c, const char *value, char account[13], char name[257]);
/* Whether the bus exists (the default bus always does); when not, or on
 * a read error, the error is answered. */
bool events_bus_exists(struct events_call *c, const char *account, const char *bus);
/* Limit (1-100, default 100) and NextToken of a List call; false when an
 * error was answered. */
bool events_paging(struct events_call *c, int64_t *limit, const char **token);

/* Milliseconds as JSON 1.1 and REST JSON timestamps: epoch seconds with a fraction. */
void events_jw_time(struct json_writer *w, const char *key, int64_t ms);

/* ---- tags.c --------------------------------------------------------------------------------- */

/* A Tags list [{"Key", "Value"}] (NULL: none) within AWS's limits; false
 * when a ValidationException was answered. */
bool events_tags_valid(struct events_call *c, const struct json_value *tags);
/* Writes the tags of a resource inside an apply (the writer). 0 or -1. */
int events_tags_apply(struct store_conn *w, const char *arn, const struct json_value *tags);
/* Appends "Tags": [...] of a resource, read through the reader; false on a read error. */
bool events_tags_write(struct events_service *es, struct json_writer *w, const char *arn);

/* ---- targets.c ------------------------------------------------------------------------------ */

/* "sqs", "lambda", "events" (an event bus) or "logs" for the ARNs of
 * targets cloudless delivers to; NULL for any other. */
const char *events_target_kind(const char *arn);
bool events_arn_is_fifo_queue(const char *arn);
/* RetryPolicy (NULL: none) within AWS's ranges; false when answered. */
bool events_retry_policy_ok(struct events_call *c, const struct json_value *policy);

/* ---- rules.c: the rules in memory ------------------------------------------------------ */

int events_rules_load(struct events_service *es, char *err, size_t errlen);
void events_rules_free(struct events_service *es);
struct events_rule *events_rule_find(struct events_service *es, const char *account, const char *bus,
                                     const char *name);
/* Re-reads one rule (and its targets) from storage into memory, or
 * forgets it when it is gone; re-arms the clockwork. */
void events_rule_refresh(struct events_service *es, const char *account, const char *bus, const char *name);
/* Forgets every rule of a deleted bus. */
void events_rules_forget_bus(struct events_service *es, const char *account, const char *bus);
/* The next fire time of a rule's schedule strictly after `after`, -1 when none. */
int64_t events_rule_next_fire(const struct events_rule *r, int64_t after_ms);

/* ---- events.c: publishing ---------------------------------------------------------------- */

/* Outbox rows being gathered for one transaction. An event going to
 * several targets is kept once (texts) and shared by its rows. */
struct events_rows {
    struct events_delivery_row *rows;  /* event: points into texts */
    size_t n, cap;
    char **texts;
    size_t n_texts, cap_texts;
    bool oom;
};
void events_rows_free(struct events_rows *r);
/* A copy of an event's text kept by the rows, for events_rows_add; NULL
 * (and r->oom) when out of memory. */
const char *events_rows_keep(struct events_rows *r, const char *text);
/* Adds a row: source and target are copied, event must come from
 * events_rows_keep. */
void events_rows_add(struct events_rows *r, const char *account, enum events_delivery_kind kind, const char *source,
                     const char *target, const char *event, int64_t created_ms);
/* Matches an event (its JSON text and parsed tree) against the enabled
 * rules of a bus with an EventPattern and adds a row per target of each
 * rule that matches. */
void events_publish(struct events_service *es, const char *account, const char *bus, const char *event_json,
                    const struct json_value *event, int64_t created_ms, struct events_rows *rows);
/* Writes the rows durably (one job), then done(arg, ok) and a delivery
 * pass. With no rows, done runs at once. -1 when nothing was queued. */
int events_rows_commit(struct events_service *es, struct events_rows *rows, void (*done)(void *arg, bool ok),
                       void *arg);
/* Inserts rows inside an apply (the writer). 0 or -1. */
int events_rows_insert(struct store_conn *w, const struct events_rows *rows);

/* ---- clockwork.c ------------------------------------------------------------------------- */

int events_clockwork_start(struct events_service *es);
/* Re-arms the timer for the earliest fire time (after any change). */
void events_clockwork_rearm(struct events_service *es);
void events_clockwork_free(struct events_service *es);

/* ---- delivery.c -------------------------------------------------------------------------- */

struct events_deliverer *events_deliverer_new(struct events_service *es);
/* New rows were committed, or the time moved: deliver what is due. */
void events_deliverer_kick(struct events_service *es);
void events_deliverer_free(struct events_deliverer *d);

/* ---- zones.c ----------------------------------------------------------------------------- */

struct events_zones *events_zones_new(void);
void events_zones_free(struct events_zones *z);
/* The zone named by an IANA name ("America/New_York", "UTC"), loaded
 * from the tz database once; NULL when there is no such zone. */
const struct events_zone *events_zone_get(struct events_service *es, const char *name);

/* ---- s3_source.c ------------------------------------------------------------------------- */

int events_s3_source_start(struct events_service *es);

/* ---- server/scheduler/schedules.c: the schedules in memory ------------------------------- */

int scheduler_items_load(struct events_service *es, char *err, size_t errlen);
void scheduler_items_free(struct events_service *es);
/* Re-reads one schedule into memory, or forgets it; re-arms the clockwork. */
void scheduler_item_refresh(struct events_service *es, const char *account, const char *group, const char *name);
void scheduler_items_forget_group(struct events_service *es, const char *account, const char *group);
/* The first fire time strictly after `after` within the schedule's
 * StartDate and EndDate, -1 when none. */
int64_t scheduler_item_next_fire(struct events_service *es, const struct scheduler_item *s, int64_t after_ms);
void scheduler_schedule_arn(const struct events_service *es, const char *account, const char *group, const char *name,
                            char out[EVENTS_ARN_MAX]);
void scheduler_group_arn(const struct events_service *es, const char *account, const char *group,
                         char out[EVENTS_ARN_MAX]);
/* Names of schedules and groups: 1-64 of [0-9a-zA-Z-_.]. */
bool scheduler_name_ok(const char *name);
/* Whether the group exists (default always does); answers when not. */
bool scheduler_group_exists(struct events_call *c, const char *account, const char *group);
/* A query parameter, decoded (the caller frees it); NULL when absent. */
char *scheduler_query(struct events_call *c, const char *name);
/* MaxResults (1-100, default 100) of a List call; false when answered. */
bool scheduler_max_results(struct events_call *c, int64_t *limit);

#endif
