/* store: durable state for S3 — SQLite metadata plus the content-addressed
 * blob store — and S3's rules over it. Knows nothing of HTTP or sockets.
 *
 * Layout under data_dir: meta.db (SQLite, WAL), blobs/ab/cd/<sha256>,
 * tmp/ (bodies being received). Keys are data, never paths.
 *
 * Threads: reads (store_get_*, store_list_*) run on the caller's thread (the
 * server's event loop) on a read-only connection. Every mutation is queued to
 * one commit thread that takes everything queued while its previous batch ran
 * and makes it durable as a group: fdatasync of each new blob, rename into
 * blobs/, fsync of the directories touched, then one SQLite transaction
 * (synchronous=FULL) with a savepoint per operation, so one failing operation
 * never undoes the others. Only after that commit is each operation's
 * callback run — on the loop thread, from store_dispatch_completions() — so
 * an acknowledged write survives kill -9.
 *
 * Blob reference counts live in SQLite; store_gc() removes blobs nobody
 * references and temp files left by a crash. */
#ifndef CLOUDLESS_STORE_H
#define CLOUDLESS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/s3_model.h"

struct store;

/* Opens (creating if needed) the store under data_dir and runs migrations.
 * On failure returns -1 and writes a one-line reason into err. */
int store_open(const char *data_dir, struct store **out, char *err, size_t errlen);
/* Waits for queued writes to commit and bodies to be written, runs their
 * completions and stops the store's threads; writes are refused after it
 * and writers are freed at once. For shutdown, before freeing whatever
 * still holds writers. */
void store_stop(struct store *st);
/* store_stop() if not done, then closes everything. */
void store_close(struct store *st);

/* The commit thread calls notify(arg) from its own thread when completions
 * are ready; the owner of the loop then calls store_dispatch_completions()
 * on the loop thread. */
void store_set_notifier(struct store *st, void (*notify)(void *arg), void *arg);
void store_dispatch_completions(struct store *st);

/* ---- blobs ---------------------------------------------------------- */

/* Receives a body while computing its MD5 and SHA-256 (see blob_writer.c):
 * small bodies stay in memory, large ones are hashed and written to tmp/ by
 * the store's blob I/O thread, so the loop only copies bytes. */
struct blob_writer;
int blob_writer_new(struct store *st, struct blob_writer **out);          /* -1, errno set */
/* A writer that hashes and writes on the calling thread. */
int blob_writer_new_sync(struct store *st, struct blob_writer **out);
/* 0: go on; 1: taken, but the disk is behind — stop feeding until the
 * drain callback runs; -1: error (errno). */
int blob_writer_write(struct blob_writer *bw, const void *data, size_t len);
/* The callback (on the loop thread) that says to feed again after a 1. */
void blob_writer_set_drain(struct blob_writer *bw, void (*cb)(void *arg), void *arg);
/* Ends the body: done(arg, err) runs on the loop thread — possibly before
 * this returns — once the digests are final and a file body is fdatasynced;
 * err is 0 or an errno. No more writes. */
void blob_writer_finish(struct blob_writer *bw, void (*done)(void *arg, int err), void *arg);
/* The same for a sync writer; 0 or -1 (errno). */
int blob_writer_finish_sync(struct blob_writer *bw);
int64_t blob_writer_size(const struct blob_writer *bw);
const unsigned char *blob_writer_md5(const struct blob_writer *bw);     /* 16 bytes, after finish */
const unsigned char *blob_writer_sha256(const struct blob_writer *bw);  /* 32 bytes, after finish */
/* Deletes any temp file and frees (on the loop thread, once the I/O thread
 * has let go of it); callbacks no longer run. Safe on NULL. */
void blob_writer_discard(struct blob_writer *bw);

/* Opens a blob for reading (O_RDONLY|O_CLOEXEC). -1 with errno on failure. */
int store_open_blob(struct store *st, const char *sha256_hex);

/* ---- reads (loop thread) ------------------------------------------- */

enum s3_err store_get_bucket(struct store *st, const char *bucket, struct s3_bucket *out);
/* Buckets owned by `account`, by name. */
enum s3_err store_list_buckets(struct store *st, const char *account,
                               struct s3_bucket **out, size_t *n);
/* Full metadata, segments included. S3_ERR_NO_SUCH_BUCKET / S3_ERR_NO_SUCH_KEY. */
enum s3_err store_get_object(struct store *st, const char *bucket, const char *key,
                             struct s3_object *out);
/* Prefix, delimiter (any string), exclusive start, max_keys; S3's rules for
 * CommonPrefixes (each counts once toward max_keys) and truncation. */
enum s3_err store_list_objects(struct store *st, const char *bucket,
                               const struct s3_list_params *params,
                               struct s3_list_result *out);
enum s3_err store_list_uploads(struct store *st, const char *bucket, const char *prefix,
                               const char *delimiter, const char *key_marker,
                               const char *upload_id_marker, int max_uploads,
                               struct s3_upload_list *out);
/* S3_ERR_NO_SUCH_UPLOAD when the id is unknown or belongs to another key. */
enum s3_err store_list_parts(struct store *st, const char *bucket, const char *key,
                             const char *upload_id, int part_number_marker, int max_parts,
                             struct s3_upload *upload_out, struct s3_part_list *out);

/* ---- writes (queued to the commit thread) -------------------------- */

/* What a write produced; valid only during the callback. */
struct store_result {
    enum s3_err err;
    const char *err_detail;        /* optional extra message, may be NULL */
    char etag[72];                 /* put, copy, part, complete (no quotes) */
    int64_t last_modified_ms;
    char upload_id[64];            /* create upload */
    struct s3_delete_result *deleted;  /* delete-objects, in request order */
    size_t n_deleted;
};

typedef void (*store_done_fn)(void *arg, const struct store_result *res);

/* All write calls return 0 when queued (the callback will run exactly once)
 * or -1 (ENOMEM, or the store is closing) when not queued. Inputs are copied;
 * a blob_writer passed in is owned by the store from then on, whatever the
 * outcome. */

int store_create_bucket(struct store *st, const char *account, const char *bucket,
                        const char *region, store_done_fn cb, void *arg);
/* Only the owner may delete: the caller checks ownership first. */
int store_delete_bucket(struct store *st, const char *bucket, store_done_fn cb, void *arg);

struct store_put {
    const char *bucket;
    const char *key;
    const char *account;
    struct blob_writer *body;      /* finished; owned by the store after the call */
    const struct s3_content_headers *content;
    const struct s3_kv *user_meta;
    size_t n_user_meta;
    const char *storage_class;     /* NULL = STANDARD */
    bool if_none_match_any;        /* If-None-Match: * -> PreconditionFailed when the key exists */
    const char *if_match;          /* ETag without quotes, or "*"; NoSuchKey when absent, PreconditionFailed on mismatch */
};
int store_put_object(struct store *st, const struct store_put *put, store_done_fn cb, void *arg);

/* Removes the key if present (S3_OK either way); NoSuchBucket otherwise. */
int store_delete_object(struct store *st, const char *bucket, const char *key,
                        store_done_fn cb, void *arg);
int store_delete_objects(struct store *st, const char *bucket, const char *const *keys,
                         size_t n_keys, store_done_fn cb, void *arg);

struct store_copy {
    const char *src_bucket;
    const char *src_key;
    const char *dst_bucket;
    const char *dst_key;
    const char *account;
    /* x-amz-copy-source-if-*: checked against the source in the same transaction. */
    const char *if_match;          /* ETag without quotes */
    const char *if_none_match;
    int64_t if_modified_since_ms;  /* 0 = absent */
    int64_t if_unmodified_since_ms;
    /* REPLACE directive: the new headers and metadata; NULL = COPY the source's. */
    const struct s3_content_headers *replace_content;
    const struct s3_kv *replace_meta;
    size_t n_replace_meta;
    bool replace;
    const char *storage_class;
};
/* Metadata-only: the destination references the source's blobs. The caller
 * rejects copying an object onto itself without REPLACE (InvalidRequest). */
int store_copy_object(struct store *st, const struct store_copy *cp, store_done_fn cb, void *arg);

struct store_create_upload {
    const char *bucket;
    const char *key;
    const char *account;
    const struct s3_content_headers *content;
    const struct s3_kv *user_meta;
    size_t n_user_meta;
    const char *storage_class;
};
int store_create_upload(struct store *st, const struct store_create_upload *cu,
                        store_done_fn cb, void *arg);
/* Stores (or replaces) one part. part_number 1..10000. */
int store_put_part(struct store *st, const char *bucket, const char *key,
                   const char *upload_id, int part_number, struct blob_writer *body,
                   store_done_fn cb, void *arg);
/* UploadPartCopy: part from [first, last] (inclusive; first = -1 for the whole
 * object) of the source. The copy of a range happens on the commit thread. */
int store_put_part_copy(struct store *st, const char *bucket, const char *key,
                        const char *upload_id, int part_number, const char *src_bucket,
                        const char *src_key, int64_t first, int64_t last,
                        store_done_fn cb, void *arg);

/* Checks order (InvalidPartOrder), existence and ETags (InvalidPart), sizes
 * (EntityTooSmall: every part but the last at least 5 MiB), then makes the
 * object from the parts' blobs without copying: ETag md5-of-md5s-N. */
int store_complete_upload(struct store *st, const char *bucket, const char *key,
                          const char *upload_id, const struct s3_complete_part *parts,
                          size_t n_parts, store_done_fn cb, void *arg);
int store_abort_upload(struct store *st, const char *bucket, const char *key,
                       const char *upload_id, store_done_fn cb, void *arg);

/* ---- other services' durable state ------------------------------------
 * Services other than S3 (SQS, ...) keep their tables in the same database
 * (their schema steps are listed in db.c's module registry) and write
 * through the same group commit: apply runs on the commit thread, inside
 * the batch transaction under its own savepoint, with the writer's handle;
 * it returns 0, or -1 to undo its own changes. done then runs on the loop
 * thread from store_dispatch_completions(), ok telling whether apply
 * succeeded and the batch committed. Returns -1 (store closing or no
 * memory) when nothing was queued; done will not run then. */
int store_submit(struct store *st, int (*apply)(sqlite3 *db, void *arg),
                 void (*done)(void *arg, bool ok), void *arg);
/* The read-only connection of the loop thread: for a service loading its
 * state at start-up, or answering reads. */
sqlite3 *store_reader_db(struct store *st);

/* Removes unreferenced blobs and temp files older than `tmp_age_s` seconds.
 * Runs on the commit thread; cb may be NULL. Returns blobs+files removed via
 * res->n_deleted. */
int store_gc(struct store *st, int tmp_age_s, store_done_fn cb, void *arg);

#endif
