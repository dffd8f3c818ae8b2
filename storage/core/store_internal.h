/* store_internal: what the storage/ files share and nobody else sees.
 *
 * db.c       connections, cached prepared statements, schema migrations.
 * blob.c     blob_writer, blob paths, installing blobs durably, GC.
 * commit.c   store_open/close, the commit thread, batches and completions,
 *            read scopes, other services' jobs (store_submit).
 * (storage/s3/internal.h is what the S3 files share on top of this.)
 *
 * A job is a struct that embeds struct store_job as its first member. The
 * commit thread calls prepare (optional, outside any transaction, may build
 * the job's body), installs the body blob, then calls apply inside the batch
 * transaction under a savepoint; jobs marked runs_alone (GC) are run after
 * the batch with their own transactions. destroy frees the job.
 *
 * A job's result and callback are S3's (struct store_result, store_done_fn:
 * storage/s3/s3.h), as is the origin its events record: S3's jobs use them
 * as they are; the store's own jobs (GC, posted functions) and other
 * services' (store_submit) only tell success from failure through them and
 * hand their callers plain values. */
#ifndef CLOUDLESS_STORE_INTERNAL_H
#define CLOUDLESS_STORE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "protocol/core/hex.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"
#include "storage/s3/notification.h"
#include "storage/s3/s3.h"

/* ---- db.c ------------------------------------------------------------ */

struct db_cached_stmt {
    const char *sql;               /* identity: the address of a string literal */
    sqlite3_stmt *stmt;
};

struct store_conn {
    sqlite3 *db;
    struct db_cached_stmt *cache;
    size_t n_cache, cap_cache;
    unsigned read_depth;           /* open db_read_begin() scopes */
    uint64_t read_snapshots;       /* outermost scopes begun so far: the current one's number */
};

/* A connection and its statement cache: the writer (commit thread) or the
 * reader (loop thread); the struct store_conn that store.h names. */
int db_conn_open(struct store_conn *c, const char *path, bool writer, char *err, size_t errlen);
void db_conn_close(struct store_conn *c);
/* The statement for `sql` (a string literal), prepared on first use, reset
 * and with bindings cleared. NULL on error. */
sqlite3_stmt *db_stmt(struct store_conn *c, const char *sql);
/* Runs one statement (a string literal: it is cached like db_stmt's, so
 * BEGIN, SAVEPOINT and COMMIT are not parsed again each time). 0 or -1. */
int db_exec(struct store_conn *c, const char *sql);
/* Runs `sql` (a string literal, cached as by db_stmt) with ?1..?n bound to
 * texts[0..n-1] (NULL binds NULL). The rows it changed, or -1. */
int db_exec_text(struct store_conn *c, const char *sql, int n, const char *const texts[]);
/* A read transaction, nestable: the outermost begin opens it (so every
 * statement inside reads one snapshot and takes SQLite's locks once), the
 * matching end closes it. 0 or -1. */
int db_read_begin(struct store_conn *c);
int db_read_end(struct store_conn *c);
/* One module's schema: steps applied in order, each once per database. */
struct schema_step {
    const char *name;
    const char *sql;
};
struct schema_module {
    const char *module;
    const struct schema_step *steps;
    size_t n_steps;
};
extern const struct schema_module s3_schema;   /* storage/s3/schema.c */
extern const struct schema_module s3_config_schema;   /* s3/config.c */
extern const struct schema_module sqs_schema;  /* storage/sqs/schema.c */
extern const struct schema_module lambda_schema;  /* storage/lambda/schema.c */
extern const struct schema_module logs_schema;    /* storage/logs/schema.c */
extern const struct schema_module s3_notify_schema;  /* storage/s3/notification.c */
extern const struct schema_module lambda_esm_schema;  /* storage/lambda/esm.c */
extern const struct schema_module iam_schema;     /* storage/iam/schema.c */
extern const struct schema_module ddb_schema;     /* storage/dynamodb/schema.c */
extern const struct schema_module events_schema;  /* storage/events/schema.c */
int db_migrate(struct store_conn *c, char *err, size_t errlen);
/* Binds a possibly-NULL C string as TEXT (NULL binds SQL NULL). */
int db_bind_text(sqlite3_stmt *s, int idx, const char *text);
/* Copies column `col` as a heap string; NULL column gives NULL. -1 on ENOMEM. */
int db_column_strdup(sqlite3_stmt *s, int col, char **out);

/* ---- blob.c ---------------------------------------------------------- */

/* Directories whose entries changed in one batch, fsynced once each. */
struct dir_sync_set {
    char **paths;
    size_t n, cap;
};

bool blob_is_sha256_hex(const char *s);
/* blobs/ab/cd/<hex> under the data dir; -1 if it does not fit. */
int blob_path(const struct store *st, const char *sha256_hex, char *out, size_t outlen);
/* Renames a finished (fdatasynced) temp file to its blob path, or unlinks
 * it when that blob exists already; records touched directories. */
int blob_install(struct store *st, const char *tmp_path, const char *sha256_hex,
                 struct dir_sync_set *dirs);
int dir_sync_set_flush(struct dir_sync_set *dirs);
void dir_sync_set_free(struct dir_sync_set *dirs);
/* Deletes unreferenced blobs (rows with refcount 0, files with no row) and
 * temp files older than tmp_age_s. Runs on the commit thread. 0 or -1. */
int blob_gc(struct store *st, int tmp_age_s, size_t *removed);

/* ---- blob_writer.c --------------------------------------------------- */

/* Bodies up to this size are kept in the database instead of a file. */
#define BLOB_INLINE_MAX (64 * 1024)

struct blob_item;

#define BLOB_POOL_MAX 32

/* The threads that hash and write large bodies (blob_writer.c). */
struct blob_io {
    pthread_t hash_thread, write_thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    struct blob_item *head, *tail;     /* items not yet done by both */
    struct blob_item *hash_next, *write_next;   /* each thread's next item */
    unsigned char *pool[BLOB_POOL_MAX];  /* used full-size buffers, for reuse */
    size_t n_pool;
    bool stopping;
    bool running;
};

int blob_io_start(struct blob_io *io);
/* Processes what is queued, then stops. */
void blob_io_stop(struct blob_io *io);
/* After finish: a small body's bytes (the caller frees them), or NULL when
 * the body is empty or went to a file. */
unsigned char *blob_writer_take_inline(struct blob_writer *bw);
/* The finished body's file, or NULL when it has none. */
const char *blob_writer_tmp_path(const struct blob_writer *bw);
/* 0, or the errno of a failed write, sync or digest. */
int blob_writer_error(const struct blob_writer *bw);

/* ---- commit.c -------------------------------------------------------- */

struct store_job {
    struct store_job *next;
    enum s3_err (*prepare)(struct store *st, struct store_job *job);
    enum s3_err (*apply)(struct store *st, struct store_job *job);
    void (*destroy)(struct store_job *job);
    bool runs_alone;
    struct blob_writer *body;      /* installed before apply; NULL if none */
    /* The body's digests, kept for apply once the writer is gone. */
    bool has_body;
    unsigned char *body_inline;    /* a small body's bytes, stored in its blobs row */
    int64_t body_size;
    unsigned char body_md5[16];
    char body_sha256[65];
    store_done_fn cb;
    void *cb_arg;
    struct store_result result;
    /* The request the job answers (storage/s3/notification.h), copied when queued. */
    bool has_origin;
    struct store_origin origin;
    bool recorded_events;          /* apply wrote outbox rows */
};

struct store {
    char *data_dir;
    char *blobs_dir;
    char *tmp_dir;
    struct store_conn writer;         /* commit thread only */
    struct store_conn reader;         /* the reads' thread only */
    struct blob_io io;

    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    struct store_job *queue_head, *queue_tail;
    struct store_job *done_head, *done_tail;
    bool stopping;
    bool stopped;                  /* store_stop() ran: no threads left */
    void (*notify)(void *arg);
    void *notify_arg;
    /* Event notifications (storage/s3/notification.c): the origin given to jobs queued
     * now (under mu), the job being applied and the last sequencer (commit
     * thread), and who to tell when events were committed (loop thread). */
    bool has_origin;
    struct store_origin origin;
    struct store_job *applying;
    uint64_t last_sequencer;
    void (*outbox_listener)(void *arg);
    void *outbox_listener_arg;
};

/* Has fn(arg) run on the loop thread, in order with the completions, from
 * store_dispatch_completions(). Callable from any thread. -1: no memory. */
int store_post(struct store *st, void (*fn)(void *arg), void *arg);
/* Queues a job; on failure (closing) destroys it and returns -1. */
int store_enqueue(struct store *st, struct store_job *job);
/* Frees the parts every job has (body, deleted results). */
void store_job_release_common(struct store_job *job);

#endif
