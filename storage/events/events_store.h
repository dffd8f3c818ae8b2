/* storage/events: the durable state of EventBridge and EventBridge
 * Scheduler — event buses (with their permission policy), rules and their
 * targets, tags, schedule groups and schedules — and the delivery outbox,
 * behind typed functions; every SQL statement of both services is here.
 *
 * Functions take a struct store_conn: the loop thread's reader
 * (store_reader()) for reads, or the writer inside a store_submit() apply
 * callback for writes, so the server composes one transaction from several
 * calls (a PutEvents inserts its deliveries in one job; a schedule firing
 * inserts its deliveries and moves the schedule's next fire time in the
 * same transaction, so a crash can neither lose nor repeat it).
 *
 * The outbox (events_deliveries) holds one row per (event, target) from
 * the moment the event is accepted until the target has it durably, went
 * to the dead-letter queue or was dropped: the target's description and
 * the event travel in the row, so a delivery survives the rule's or the
 * schedule's removal. A fresh row has attempts 0; a failed attempt sets
 * attempts and the time of the next one (next_ms), and a partial index on
 * next_ms finds the retries that are due.
 *
 * Conventions: functions return 0 (or a count) on success and -1 on a
 * database error or no memory; getters return 1 when found, 0 when not.
 * Strings in rows are heap copies; free rows with their *_free function.
 * Absent optional values are NULL strings and -1 times. */
#ifndef CLOUDLESS_STORAGE_EVENTS_STORE_H
#define CLOUDLESS_STORAGE_EVENTS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store_conn;

/* ---- event buses (buses.c) ----------------------------------------------------- */

struct events_bus_row {
    char account[13];
    char *name;
    char *description;
    char *kms_key;
    char *dlq_arn;                 /* DeadLetterConfig.Arn */
    char *policy;                  /* the permission policy (PutPermission), JSON */
    int64_t created_ms, modified_ms;
};
void events_bus_row_free(struct events_bus_row *b);

int events_store_bus_get(struct store_conn *c, const char *account, const char *name, struct events_bus_row *out);
/* Buses of `account` named after `after` ("" for the first page) and
 * starting with prefix, by name, at most limit. */
int events_store_bus_list(struct store_conn *c, const char *account, const char *prefix, const char *after,
                          size_t limit, struct events_bus_row **out, size_t *n);
/* 1 when inserted, 0 when the bus exists. */
int events_store_bus_insert(struct store_conn *w, const struct events_bus_row *b);
/* Replaces the description, key and dead-letter queue; 1, or 0 when absent. */
int events_store_bus_update(struct store_conn *w, const struct events_bus_row *b);
/* Sets the policy (NULL removes it), creating the row of the default bus,
 * which exists without one. */
int events_store_bus_set_policy(struct store_conn *w, const char *account, const char *name, const char *policy,
                                int64_t now_ms);
/* Deletes the bus, its rules, their targets, and the tags of the bus and
 * of every rule whose ARN starts with rule_arn_prefix. 1, or 0 when absent. */
int events_store_bus_delete(struct store_conn *w, const char *account, const char *name, const char *bus_arn,
                            const char *rule_arn_prefix);

/* ---- rules and targets (rules.c) ------------------------------------------------- */

struct events_rule_row {
    char account[13];
    char *bus, *name;
    char *pattern;                 /* EventPattern, or NULL */
    char *schedule;                /* ScheduleExpression, or NULL */
    char *state;                   /* "ENABLED", "DISABLED", ... */
    char *description, *role_arn;
    int64_t created_ms;
    int64_t anchor_ms;             /* a rate schedule counts its periods from here */
    int64_t next_fire_ms;          /* the next scheduled fire; -1 none */
};
void events_rule_row_free(struct events_rule_row *r);

struct events_target_row {
    char *id, *arn;
    char *spec;                    /* the Target object as PutTargets gave it (JSON) */
};
void events_target_rows_free(struct events_target_row *t, size_t n);

int events_store_rule_get(struct store_conn *c, const char *account, const char *bus, const char *name,
                          struct events_rule_row *out);
int events_store_rule_list(struct store_conn *c, const char *account, const char *bus, const char *prefix,
                           const char *after, size_t limit, struct events_rule_row **out, size_t *n);
/* Every rule of every account (start-up). */
int events_store_rule_all(struct store_conn *c, struct events_rule_row **out, size_t *n);
/* Inserts or replaces the rule (its targets stay). */
int events_store_rule_put(struct store_conn *w, const struct events_rule_row *r);
/* State and next fire time; 1, or 0 when the rule is absent. */
int events_store_rule_set_state(struct store_conn *w, const char *account, const char *bus, const char *name,
                                const char *state, int64_t next_fire_ms);
/* Moves next_fire_ms from `expected` to `next` when the rule is still
 * enabled and due at `expected`: 1, or 0 when it changed meanwhile. */
int events_store_rule_advance(struct store_conn *w, const char *account, const char *bus, const char *name,
                              int64_t expected, int64_t next);
/* Deletes the rule, its targets and its tags: 1, or 0 when absent. */
int events_store_rule_delete(struct store_conn *w, const char *account, const char *bus, const char *name,
                             const char *rule_arn);
int events_store_rule_count(struct store_conn *c, const char *account, const char *bus);

/* The rule's targets, by id. */
int events_store_targets_get(struct store_conn *c, const char *account, const char *bus, const char *rule,
                             struct events_target_row **out, size_t *n);
int events_store_target_put(struct store_conn *w, const char *account, const char *bus, const char *rule,
                            const struct events_target_row *t);
/* 1, or 0 when the rule had no such target. */
int events_store_target_delete(struct store_conn *w, const char *account, const char *bus, const char *rule,
                               const char *id);
/* Names of the rules of a bus with a target of this ARN, after `after`. */
int events_store_rules_by_target(struct store_conn *c, const char *account, const char *bus, const char *arn,
                                 const char *after, size_t limit, char ***names, size_t *n);
void events_names_free(char **names, size_t n);

/* ---- tags (tags.c), keyed by resource ARN ------------------------------------------- */

struct events_tag {
    char *key, *value;
};
void events_tags_free(struct events_tag *t, size_t n);

int events_store_tags_get(struct store_conn *c, const char *arn, struct events_tag **out, size_t *n);
int events_store_tag_put(struct store_conn *w, const char *arn, const char *key, const char *value);
int events_store_tag_delete(struct store_conn *w, const char *arn, const char *key);

/* ---- EventBridge Scheduler (schedules.c) --------------------------------------------- */

struct scheduler_group_row {
    char account[13];
    char *name;
    int64_t created_ms, modified_ms;
};
void scheduler_group_row_free(struct scheduler_group_row *g);

struct scheduler_schedule_row {
    char account[13];
    char *group, *name;
    char *doc;                     /* the schedule's settings as one JSON object (server/scheduler) */
    char *state;                   /* "ENABLED" or "DISABLED" */
    int64_t anchor_ms;
    int64_t next_fire_ms;          /* -1: never again */
    int64_t created_ms, modified_ms;
};
void scheduler_schedule_row_free(struct scheduler_schedule_row *s);

int scheduler_store_group_get(struct store_conn *c, const char *account, const char *name,
                              struct scheduler_group_row *out);
int scheduler_store_group_list(struct store_conn *c, const char *account, const char *prefix, const char *after,
                               size_t limit, struct scheduler_group_row **out, size_t *n);
/* 1 when inserted, 0 when it exists. */
int scheduler_store_group_insert(struct store_conn *w, const struct scheduler_group_row *g);
/* Deletes the group, its schedules and its tags: 1, or 0 when absent. */
int scheduler_store_group_delete(struct store_conn *w, const char *account, const char *name,
                                 const char *group_arn);

int scheduler_store_schedule_get(struct store_conn *c, const char *account, const char *group, const char *name,
                                 struct scheduler_schedule_row *out);
/* Schedules of account (group NULL: every group; state NULL: any),
 * ordered by (group, name) after (after_group, after_name). */
int scheduler_store_schedule_list(struct store_conn *c, const char *account, const char *group, const char *prefix,
                                  const char *state, const char *after_group, const char *after_name, size_t limit,
                                  struct scheduler_schedule_row **out, size_t *n);
int scheduler_store_schedule_all(struct store_conn *c, struct scheduler_schedule_row **out, size_t *n);
/* insert: 1 when inserted, 0 when the name is taken; replace: 1 when
 * replaced, 0 when absent. */
int scheduler_store_schedule_insert(struct store_conn *w, const struct scheduler_schedule_row *s);
int scheduler_store_schedule_replace(struct store_conn *w, const struct scheduler_schedule_row *s);
int scheduler_store_schedule_delete(struct store_conn *w, const char *account, const char *group, const char *name);
/* Moves next_fire_ms from `expected` to `next` (-1: never again) when
 * the schedule is still enabled and due at `expected`: 1, or 0. */
int scheduler_store_schedule_advance(struct store_conn *w, const char *account, const char *group,
                                     const char *name, int64_t expected, int64_t next);
int scheduler_store_schedule_count(struct store_conn *c, const char *account, const char *group);

/* ---- the delivery outbox (deliveries.c) ------------------------------------------------- */

enum events_delivery_kind {
    EVENTS_DELIVERY_RULE = 0,      /* event: the event JSON a rule matched (or a scheduled rule sent) */
    EVENTS_DELIVERY_SCHEDULE = 1,  /* event: {"time", "execution-id"} of a Scheduler invocation */
};

struct events_delivery_row {
    int64_t seq;
    char account[13];
    enum events_delivery_kind kind;
    char *source;                  /* the rule's or the schedule's ARN */
    char *target;                  /* the target's description (JSON) */
    char *event;
    int64_t created_ms;            /* when the event was accepted: MaximumEventAgeInSeconds counts from here */
    int attempts;
    int64_t next_ms;
};
void events_delivery_rows_free(struct events_delivery_row *d, size_t n);

/* Inserts a row (seq, attempts and next_ms are assigned: 0 and created_ms). */
int events_store_delivery_insert(struct store_conn *w, const struct events_delivery_row *d);
/* One row per target of the rule, each with this event: the rows a
 * scheduled rule's firing needs, read in the firing's own transaction.
 * The number of rows, or -1. */
int events_store_delivery_insert_rule_targets(struct store_conn *w, const char *account, const char *bus,
                                              const char *rule, const char *rule_arn, const char *event,
                                              int64_t created_ms);
/* Rows never attempted, seq > after, in seq order. */
int events_store_deliveries_fresh(struct store_conn *c, int64_t after, size_t limit,
                                  struct events_delivery_row **out, size_t *n);
/* Rows waiting for a retry whose time has come (next_ms <= now), oldest first. */
int events_store_deliveries_due(struct store_conn *c, int64_t now_ms, size_t limit,
                                struct events_delivery_row **out, size_t *n);
/* The earliest retry time later than after_ms, or -1 when no row waits
 * for one that late. */
int events_store_deliveries_next_retry(struct store_conn *c, int64_t after_ms, int64_t *next_ms);
int events_store_delivery_delete(struct store_conn *w, int64_t seq);
int events_store_delivery_retry(struct store_conn *w, int64_t seq, int attempts, int64_t next_ms);

#endif
