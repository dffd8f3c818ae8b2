/* sqs_engine: SQS queue semantics in memory, knowing nothing of HTTP —
 * the storage contract of SQS: the server and the other services reach
 * SQS's state only through this header and storage/sqs/persist.h.
 *
 * The server decodes a request (protocol/sqs), calls sqs_engine_execute()
 * with the caller's account, the endpoint used to build queue URLs and the
 * current time, and encodes the response it gets back; the operation runs
 * in its family's file (storage/sqs/<family>.c, as listed in
 * protocol/sqs/operations.h). The engine never
 * reads a clock and never blocks: receive is non-blocking (long polling is
 * the server's job: it parks the request and retries it when the engine
 * reports that messages became available or when sqs_engine_next_event_ms()
 * is reached).
 *
 * Durability: every mutating call appends records to `call->changes`
 * (queue created/changed/deleted/purged, message added/state changed/
 * deleted). The caller must make them durable (one SQLite transaction,
 * group-committed) before answering the client, then clear them. At
 * start-up the engine is rebuilt from those records with
 * sqs_engine_load_queue() then sqs_engine_load_message().
 *
 * Costs: send, receive, delete and visibility changes are O(log n) in the
 * queue's size (binary heaps by visible-at and by enqueue time, a hash from
 * message key to message, an O(1) ready list for standard queues, a heap
 * of unlocked groups for FIFO queues). Single-threaded: call from one
 * thread (the event loop). */
#ifndef CLOUDLESS_STORAGE_SQS_ENGINE_H
#define CLOUDLESS_STORAGE_SQS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sqs/sqs.h"

struct sqs_engine;
struct sqs_queue;

/* ---- durable change records ------------------------------------------- */

/* A queue's durable state: identity and the settable attributes as the
 * strings GetQueueAttributes shows, plus tags. */
struct sqs_queue_record {
    uint64_t id;                   /* engine-assigned, stable across restarts */
    char *account;
    char *name;
    int64_t created_ms;
    int64_t modified_ms;
    int64_t last_purge_ms;
    struct sqs_kv *attrs;          /* settable attributes, e.g. {"VisibilityTimeout","30"} */
    size_t n_attrs;
    struct sqs_kv *tags;
    size_t n_tags;
};

/* A message's durable state. `seq` is the engine-wide key of the message. */
struct sqs_message_record {
    uint64_t queue_id;
    uint64_t seq;
    char message_id[37];
    char sequence_number[24];      /* FIFO: 20 digits; "" for standard */
    char *body;
    size_t body_len;
    unsigned char *attrs;          /* message attributes, sqs_attrs_encode() form */
    size_t attrs_len;
    char *group_id;                /* NULL when none */
    char *dedup_id;
    char *sender_id;
    char *trace_header;            /* AWSTraceHeader system attribute */
    char *dlq_source_arn;          /* DeadLetterQueueSourceArn after a redrive */
    int64_t sent_ms;
    int64_t first_receive_ms;      /* 0 = never received */
    int64_t visible_at_ms;
    uint32_t receive_count;
    uint64_t receipt_nonce;        /* identifies the last receipt handle */
};

enum sqs_change_kind {
    SQS_CHANGE_QUEUE_PUT,          /* created or attributes/tags changed: `queue` */
    SQS_CHANGE_QUEUE_DELETE,       /* queue and all its messages: `queue_id` */
    SQS_CHANGE_QUEUE_PURGE,        /* messages of `queue_id` with seq <= `seq` */
    SQS_CHANGE_MESSAGE_PUT,        /* added, or moved to another queue: `message` */
    SQS_CHANGE_MESSAGE_STATE,      /* receive count / visibility: the fields below */
    SQS_CHANGE_MESSAGE_DELETE,     /* `seq` */
};

struct sqs_change {
    enum sqs_change_kind kind;
    uint64_t queue_id;
    uint64_t seq;
    struct sqs_queue_record *queue;       /* QUEUE_PUT, owned */
    struct sqs_message_record *message;   /* MESSAGE_PUT, owned */
    int64_t visible_at_ms;                /* MESSAGE_STATE */
    int64_t first_receive_ms;
    uint32_t receive_count;
    uint64_t receipt_nonce;
};

struct sqs_changes {
    struct sqs_change *items;
    size_t n, cap;
    bool oom;                      /* a record could not be stored: fail the request */
};

void sqs_changes_init(struct sqs_changes *c);
/* Frees the records and empties the list (keeps the array). */
void sqs_changes_clear(struct sqs_changes *c);
void sqs_changes_free(struct sqs_changes *c);

/* ---- engine ------------------------------------------------------------ */

struct sqs_engine_config {
    const char *region;            /* for ARNs; "us-east-1" when NULL */
    /* Messages became receivable in `queue` (send, visibility expiry seen by
     * sqs_engine_tick, redrive, move task). Must not re-enter the engine
     * synchronously: schedule the waiting receives instead. */
    void (*on_message_available)(void *ud, struct sqs_queue *queue);
    /* `queue` is being deleted: fail or drop its waiting receives now. */
    void (*on_queue_deleted)(void *ud, struct sqs_queue *queue);
    void *ud;
};

/* Returns NULL when out of memory or when no random seed can be read. */
struct sqs_engine *sqs_engine_new(const struct sqs_engine_config *cfg);
void sqs_engine_free(struct sqs_engine *e);

/* The context of one call. */
struct sqs_call {
    const char *account;           /* the caller's account id */
    const char *endpoint;          /* "http://localhost:4566": queue URL prefix */
    const char *sender_id;         /* SenderId of messages sent (access key id) */
    int64_t now_ms;                /* wall-clock milliseconds since the epoch */
    struct sqs_changes *changes;   /* durable records are appended here */
};

/* Executes a decoded request. On success fills `resp` (init'ed by the
 * engine; free with sqs_response_free) and returns SQS_OK; otherwise fills
 * `err`. Batch requests succeed with per-entry failures in resp->failed.
 * A failed call appends no changes. */
enum sqs_err sqs_engine_execute(struct sqs_engine *e, const struct sqs_call *call,
                                const struct sqs_request *req, struct sqs_response *resp,
                                struct sqs_error *err);

/* The queue a URL names, or NULL (for parking long polls). */
struct sqs_queue *sqs_engine_queue_by_url(struct sqs_engine *e, const char *url);
/* The queue `name` of `account`, or NULL. */
struct sqs_queue *sqs_engine_queue_named(struct sqs_engine *e, const char *account, const char *name);
/* ReceiveMessageWaitTimeSeconds: the long-poll time when the request has none. */
int sqs_queue_receive_wait_seconds(const struct sqs_queue *q);
/* Messages receivable now (advances visibility first). */
size_t sqs_queue_visible_count(struct sqs_engine *e, struct sqs_queue *q, int64_t now_ms);
const char *sqs_queue_name(const struct sqs_queue *q);
const char *sqs_queue_account(const struct sqs_queue *q);
const char *sqs_queue_arn(const struct sqs_queue *q);
/* The queue's Policy attribute, or NULL when it has none. */
const char *sqs_queue_policy(const struct sqs_queue *q);

/* The earliest time at which something becomes visible or a move task
 * wants to run; INT64_MAX when nothing is pending. */
int64_t sqs_engine_next_event_ms(const struct sqs_engine *e);
/* Makes due messages visible (calling on_message_available), drops expired
 * ones and runs move tasks. */
void sqs_engine_tick(struct sqs_engine *e, int64_t now_ms, struct sqs_changes *changes);

/* ---- start-up ---------------------------------------------------------- */

/* Recreates a queue from its record (attributes are re-validated). */
enum sqs_err sqs_engine_load_queue(struct sqs_engine *e, const struct sqs_queue_record *rec,
                                   struct sqs_error *err);
/* Recreates a message; its queue must have been loaded. Messages in flight
 * stay in flight and their last receipt handle stays valid. */
enum sqs_err sqs_engine_load_message(struct sqs_engine *e, const struct sqs_message_record *rec,
                                     int64_t now_ms, struct sqs_error *err);

#endif
