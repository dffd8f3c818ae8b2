/* engine_internal: the SQS engine's data structures, shared by its files.
 *
 *  - indexes.c     message heaps, the seq -> message hash, string hashes,
 *                  change records, randomness
 *  - queues.c      queues, attributes, purge, and the frame every operation
 *                  runs in (sqs_engine_execute)
 *  - messages.c    send, receive, delete, visibility, redrive
 *  - tags.c        queue tags
 *  - permissions.c AddPermission/RemovePermission (the queue's Policy)
 *  - move_tasks.c  DLQ redrive tasks
 *
 * Each operation of protocol/sqs/operations.h is one function,
 * engine_<handler>(), in its family's file; sqs_engine_execute() calls it
 * and undoes its change records when it fails.
 *
 * A message is in exactly one state: VISIBLE (standard: in the queue's
 * ready list; FIFO: at its place in its group), DELAYED or INFLIGHT (both
 * in the queue's `waiting` heap by visible_at). Every message is also in
 * the queue's age list, ordered by enqueue time (sends append; the rare
 * older message, from a restart or a redrive, is inserted from the young
 * end), whose old end is where retention expires messages. FIFO messages stay in their group's
 * list until deleted; a group is in the queue's `groups_ready` heap (by its
 * head's seq) while none of its messages is in flight and its head is
 * VISIBLE. */
#ifndef CLOUDLESS_STORAGE_SQS_ENGINE_INTERNAL_H
#define CLOUDLESS_STORAGE_SQS_ENGINE_INTERNAL_H

#include "storage/sqs/sqs_engine.h"

#define NOT_IN_HEAP SIZE_MAX
#define DEDUP_WINDOW_MS (5 * 60 * 1000)
#define ATTEMPT_WINDOW_MS (5 * 60 * 1000)
#define PURGE_INTERVAL_MS 60000

/* One operation: fills `resp` or returns an error filled in `err`. */
typedef enum sqs_err engine_operation(struct sqs_engine *e, const struct sqs_call *call,
                                      const struct sqs_request *req, struct sqs_response *resp,
                                      struct sqs_error *err);
#define ENGINE_OPERATION_DECLARE(name, family, action, access, handler) \
    engine_operation engine_##handler;
SQS_OPERATIONS(ENGINE_OPERATION_DECLARE)
#undef ENGINE_OPERATION_DECLARE

static inline enum sqs_err oom(struct sqs_error *err)
{
    return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
}

enum msg_state { MSG_VISIBLE, MSG_DELAYED, MSG_INFLIGHT };

struct fifo_group;

struct msg {
    uint64_t seq;
    struct sqs_queue *q;
    enum msg_state state;
    uint32_t receive_count;
    int64_t sent_ms, first_receive_ms, visible_at_ms, received_at_ms;
    uint64_t nonce;
    size_t wait_idx;
    struct msg *older, *younger;   /* the queue's age list */
    struct msg *prev, *next;       /* standard: ready list; FIFO: group list */
    struct fifo_group *group;
    char message_id[37];
    char sequence_number[24];
    char md5_body[33];
    char *body;
    size_t body_len;
    unsigned char *attrs;
    size_t attrs_len;
    char *group_id, *dedup_id, *sender_id, *trace_header, *dlq_source_arn;
};

/* Binary heap of messages by (visible_at_ms, seq); positions in wait_idx. */
struct msg_heap {
    struct msg **a;
    size_t n, cap;
};

struct fifo_group {
    char *id;
    struct msg *head, *tail;
    uint32_t inflight;
    size_t heap_idx;
    struct fifo_group *hash_next;
};

struct group_heap {
    struct fifo_group **a;
    size_t n, cap;
};

/* String-keyed hash of pointers (chained), used for FIFO groups. */
struct group_table {
    struct fifo_group **buckets;
    size_t nbuckets, n;
};

struct dedup_entry {
    char *key;                     /* [group "\n"] dedup id */
    int64_t expires_ms;
    char message_id[37];
    char sequence_number[24];
    struct dedup_entry *hash_next;
    struct dedup_entry *older, *newer;   /* insertion order = expiry order */
};

struct dedup_table {
    struct dedup_entry **buckets;
    size_t nbuckets, n;
    struct dedup_entry *oldest, *newest;
};

struct receive_attempt {
    char *id;
    int64_t created_ms;
    size_t n;
    uint64_t seqs[SQS_MAX_BATCH];
    uint64_t nonces[SQS_MAX_BATCH];
};

/* Settable attributes, validated. */
struct queue_settings {
    int visibility_timeout, delay_seconds, max_message_size, retention_s, receive_wait_s;
    int kms_reuse_s;
    bool fifo, content_dedup, sse;
    bool dedup_scope_group;        /* DeduplicationScope=messageGroup */
    bool throughput_per_group;     /* FifoThroughputLimit=perMessageGroupId */
    char *policy, *redrive_policy, *redrive_allow_policy, *kms_key_id;
    char *dlq_arn;                 /* parsed from redrive_policy */
    int max_receive_count;
};

struct sqs_queue {
    uint64_t id;
    char *account, *name, *arn;
    struct queue_settings s;
    int64_t created_ms, modified_ms, last_purge_ms;
    struct sqs_kv *tags;
    size_t n_tags;

    struct msg *ready_head, *ready_tail;
    struct msg_heap waiting;
    struct msg *oldest, *youngest;
    size_t n_visible, n_delayed, n_inflight;

    struct group_table groups;
    struct group_heap groups_ready;
    struct dedup_table dedup;
    struct receive_attempt *attempts;
    size_t n_attempts;
};

/* Hash of message seq -> message (open addressing, backward-shift delete). */
struct msg_table {
    struct msg **slots;
    size_t cap, n;
};

enum move_status { MOVE_RUNNING, MOVE_COMPLETED, MOVE_CANCELLED, MOVE_FAILED };

struct move_task {
    char handle[40];
    char *source_arn, *dest_arn;   /* dest NULL: back to each message's source */
    int rate;                      /* -1 = system optimized */
    enum move_status status;
    char *failure_reason;
    int64_t started_ms, last_run_ms;
    int64_t moved, to_move;
    double credit;
};

struct sqs_engine {
    struct sqs_engine_config cfg;
    char *region;
    struct sqs_queue **queues;     /* sorted by (account, name) */
    size_t n_queues, cap_queues;
    struct msg_table msgs;
    uint64_t next_seq, next_queue_id;
    uint64_t rng[2];
    struct move_task *tasks;
    size_t n_tasks, cap_tasks;
};

/* indexes.c */
bool msg_heap_push(struct msg_heap *h, struct msg *m);
void msg_heap_remove(struct msg_heap *h, struct msg *m);
void msg_heap_fix(struct msg_heap *h, struct msg *m);
struct msg *msg_heap_top(const struct msg_heap *h);
void msg_heap_free(struct msg_heap *h);

bool group_heap_push(struct group_heap *h, struct fifo_group *g);
void group_heap_remove(struct group_heap *h, struct fifo_group *g);
void group_heap_fix(struct group_heap *h, struct fifo_group *g);
struct fifo_group *group_heap_top(const struct group_heap *h);
void group_heap_free(struct group_heap *h);

struct fifo_group *group_table_get(struct group_table *t, const char *id, bool create);
void group_table_remove(struct group_table *t, struct fifo_group *g);
void group_table_free(struct group_table *t);

struct dedup_entry *dedup_find(struct dedup_table *t, const char *key, int64_t now_ms);
bool dedup_add(struct dedup_table *t, const char *key, int64_t expires_ms,
               const char *message_id, const char *sequence_number);
void dedup_free(struct dedup_table *t);

bool msg_table_put(struct msg_table *t, struct msg *m);
struct msg *msg_table_get(const struct msg_table *t, uint64_t seq);
void msg_table_remove(struct msg_table *t, uint64_t seq);
void msg_table_free(struct msg_table *t);

uint64_t engine_random(struct sqs_engine *e);
void engine_uuid(struct sqs_engine *e, char out[37]);

struct sqs_change *change_add(struct sqs_changes *c, enum sqs_change_kind kind);
struct sqs_message_record *message_record_of(const struct msg *m);
void message_record_free(struct sqs_message_record *r);
struct sqs_queue_record *queue_record_of(const struct sqs_queue *q);

/* queues.c */
struct sqs_queue *engine_find_queue(struct sqs_engine *e, const char *account, const char *name);
struct sqs_queue *engine_find_queue_by_arn(struct sqs_engine *e, const char *arn);
/* The queue req->queue_url names, or NULL with QueueDoesNotExist in err. */
struct sqs_queue *engine_request_queue(struct sqs_engine *e, const struct sqs_request *req,
                                       struct sqs_error *err);
bool emit_queue_put(const struct sqs_call *call, const struct sqs_queue *q);

/* messages.c */
void queue_drop_messages(struct sqs_engine *e, struct sqs_queue *q);
/* Makes due messages visible; with `changes`, also deletes expired ones
 * (their deletion must be recorded, so a read-only caller passes NULL). */
void queue_advance(struct sqs_engine *e, struct sqs_queue *q, int64_t now_ms,
                   struct sqs_changes *changes);
/* Unlinks m from q's indexes (not from the engine's table). */
void msg_unlink(struct msg *m);
/* Links a message into q as VISIBLE or by its visible_at. */
bool msg_link(struct sqs_queue *q, struct msg *m, int64_t now_ms);
struct msg *msg_from_record(const struct sqs_message_record *rec);
void msg_free(struct msg *m);
void notify_available(struct sqs_engine *e, struct sqs_queue *q);

/* tags.c */
/* Checks tags to add to q (NULL: a queue being created): AWS's limits. */
enum sqs_err check_tags(const struct sqs_queue *q, const struct sqs_kv_list *tags,
                        struct sqs_error *err);
/* Adds or replaces q's tags; false when out of memory. */
bool set_tags(struct sqs_queue *q, const struct sqs_kv_list *tags);

/* move_tasks.c */
void move_tasks_run(struct sqs_engine *e, int64_t now_ms, struct sqs_changes *changes);
int64_t move_tasks_next_ms(const struct sqs_engine *e);
void move_tasks_free(struct sqs_engine *e);

#endif
