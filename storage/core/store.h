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

#include "protocol/s3/model.h"

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
/* Also computes checksum `alg` (protocol/checksum.h) over the body, where
 * its MD5 is computed (for a large body on the I/O threads, off the loop).
 * Before the first write; at most BLOB_WRITER_MAX_CHECKSUMS. Returns its
 * slot, or -1. */
#define BLOB_WRITER_MAX_CHECKSUMS 3
int blob_writer_add_checksum(struct blob_writer *bw, int alg);
/* After finish: the digest of a slot (big-endian for CRCs) and its length. */
size_t blob_writer_checksum(const struct blob_writer *bw, int slot, unsigned char out[32]);
const unsigned char *blob_writer_md5(const struct blob_writer *bw);     /* 16 bytes, after finish */
const unsigned char *blob_writer_sha256(const struct blob_writer *bw);  /* 32 bytes, after finish */
/* Deletes any temp file and frees (on the loop thread, once the I/O thread
 * has let go of it); callbacks no longer run. Safe on NULL. */
void blob_writer_discard(struct blob_writer *bw);

/* Opens a blob for reading (O_RDONLY|O_CLOEXEC). -1 with errno on failure. */
int store_open_blob(struct store *st, const char *sha256_hex);

/* ---- reads (loop thread) ------------------------------------------- */

/* Brackets a request's reads in one read transaction (nestable): they see
 * one snapshot, and SQLite's locks are taken once instead of per read. The
 * caller must end the scope before returning to the event loop. 0 or -1. */
int store_read_scope_begin(struct store *st);
void store_read_scope_end(struct store *st);

enum s3_err store_get_bucket(struct store *st, const char *bucket, struct s3_bucket *out);
/* Buckets owned by `account`, by name. */
enum s3_err store_list_buckets(struct store *st, const char *account,
                               struct s3_bucket **out, size_t *n);
/* Full metadata, segments included. S3_ERR_NO_SUCH_BUCKET / S3_ERR_NO_SUCH_KEY. */
enum s3_err store_get_object(struct store *st, const char *bucket, const char *key,
                             struct s3_object *out);
/* One version (version_id NULL: the latest). When the latest is a delete
 * marker: S3_ERR_NO_SUCH_KEY with out->delete_marker and out->version_id
 * set; a version id naming a delete marker: S3_ERR_METHOD_NOT_ALLOWED, the
 * same fields set; an unknown id: S3_ERR_NO_SUCH_VERSION. out is to be
 * freed whatever the answer. */
enum s3_err store_get_object_version(struct store *st, const char *bucket, const char *key,
                                     const char *version_id, struct s3_object *out);
/* ListObjectVersions: params->start_after is the key-marker (exclusive),
 * version_id_marker the version of that key to continue after. Versions
 * and delete markers in key order, newest first within a key; objects'
 * version_id, delete_marker and is_latest are set. next_marker and
 * next_version_id_marker say where a truncated listing stopped. */
enum s3_err store_list_object_versions(struct store *st, const char *bucket,
                                       const struct s3_list_params *params,
                                       const char *version_id_marker,
                                       struct s3_list_result *out);
/* The bucket's tags; S3_ERR_NO_SUCH_TAG_SET when it has none. */
enum s3_err store_get_bucket_tags(struct store *st, const char *bucket, struct s3_kv **tags,
                                  size_t *n_tags);
/* Version ids this store hands out: 32 characters of [A-Za-z0-9._]. Any
 * other string but "null" is no version id at all (InvalidArgument). */
bool store_version_id_valid(const char *version_id);
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
    char version_id[40];           /* the version written or deleted; "" when the bucket was
                                      never versioned (no x-amz-version-id to send) */
    bool delete_marker;            /* delete: a delete marker was created or removed */
    char source_version_id[40];    /* copy: the source's version; "" when never versioned */
    struct s3_delete_result *deleted;  /* delete-objects, in request order */
    size_t n_deleted;
    char checksum_alg[12];         /* complete, copy: the new object's checksum ("" none) */
    char checksum[80];
    char checksum_type[16];
};

typedef void (*store_done_fn)(void *arg, const struct store_result *res);

/* All write calls return 0 when queued (the callback will run exactly once)
 * or -1 (ENOMEM, or the store is closing) when not queued. Inputs are copied;
 * a blob_writer passed in is owned by the store from then on, whatever the
 * outcome. */

int store_create_bucket(struct store *st, const char *account, const char *bucket,
                        const char *region, store_done_fn cb, void *arg);
/* CreateBucket with x-amz-bucket-object-lock-enabled: versioning on, object
 * lock enabled, no default retention. */
int store_create_locked_bucket(struct store *st, const char *account, const char *bucket,
                               const char *region, store_done_fn cb, void *arg);
/* Only the owner may delete: the caller checks ownership first. */
int store_delete_bucket(struct store *st, const char *bucket, store_done_fn cb, void *arg);

/* Object lock settings given with a write (x-amz-object-lock-*). mode NULL
 * takes the bucket's default retention, if any. */
struct store_lock {
    const char *mode;              /* "GOVERNANCE", "COMPLIANCE" or NULL */
    int64_t until_ms;
    bool legal_hold;
};

/* A checksum that goes with a write: algorithm ("CRC32", "CRC32C",
 * "CRC64NVME", "SHA1", "SHA256"), base64 value and type ("FULL_OBJECT" or
 * "COMPOSITE"); NULL fields for none. */
struct store_checksum {
    const char *alg;
    const char *value;
    const char *type;
};

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
    const struct s3_kv *tags;      /* x-amz-tagging, already validated */
    size_t n_tags;
    struct store_lock lock;
    struct store_checksum checksum;
    const char *event;             /* notification event; NULL = "ObjectCreated:Put" */
    const char *acl;               /* AccessControlPolicy XML the write asked for; NULL: owner only */
};
int store_put_object(struct store *st, const struct store_put *put, store_done_fn cb, void *arg);

/* Removes the key if present (S3_OK either way); NoSuchBucket otherwise. */
int store_delete_object(struct store *st, const char *bucket, const char *key,
                        store_done_fn cb, void *arg);
int store_delete_objects(struct store *st, const char *bucket, const char *const *keys,
                         size_t n_keys, store_done_fn cb, void *arg);
/* DeleteObject with S3's versioning rules. version_id NULL: in a bucket
 * that was never versioned the key goes; Enabled adds a delete marker with
 * a new id, Suspended one with the id "null" (replacing the null version).
 * A version id removes exactly that version (no error when it does not
 * exist), unless object lock protects it: AccessDenied (GOVERNANCE yields
 * to bypass_governance). result.version_id / delete_marker say what went. */
int store_delete_version(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool bypass_governance,
                         store_done_fn cb, void *arg);
/* DeleteObjects with versions: version_ids[i] NULL for none. */
int store_delete_versions(struct store *st, const char *bucket, const char *const *keys,
                          const char *const *version_ids, size_t n_keys, bool bypass_governance,
                          store_done_fn cb, void *arg);

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
    const char *src_version_id;    /* NULL: the source's latest version */
    bool replace_tags;             /* x-amz-tagging-directive: REPLACE */
    const struct s3_kv *tags;
    size_t n_tags;
    struct store_lock lock;
    const char *checksum_alg;      /* x-amz-checksum-algorithm: NULL keeps the source's checksum */
    const char *acl;               /* the destination's ACL (XML); NULL: owner only, whatever the source's */
};
/* Metadata-only: the destination references the source's blobs — unless
 * checksum_alg names another algorithm than the source's checksum: then the
 * new checksum is computed from the source's bytes before the transaction.
 * result.checksum* tell the destination's checksum. The caller
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
    const struct s3_kv *tags;      /* given to the object on completion */
    size_t n_tags;
    struct store_lock lock;
    struct store_checksum checksum; /* x-amz-checksum-algorithm and -type (no value) */
    const char *acl;               /* given to the object on completion (XML); NULL: owner only */
};
int store_create_upload(struct store *st, const struct store_create_upload *cu,
                        store_done_fn cb, void *arg);
/* Stores (or replaces) one part. part_number 1..10000. checksum (may be
 * NULL) is the part's own checksum; crc64nvme (base64, may be NULL) its
 * CRC64NVME, kept for the full-object checksum of an upload created
 * without an algorithm. */
int store_put_part(struct store *st, const char *bucket, const char *key,
                   const char *upload_id, int part_number, struct blob_writer *body,
                   const struct store_checksum *checksum, const char *crc64nvme,
                   store_done_fn cb, void *arg);
/* UploadPartCopy: part from [first, last] (inclusive; first = -1 for the whole
 * object) of the source. The copy of a range happens on the commit thread,
 * which also computes the part's checksums (the upload's algorithm and
 * CRC64NVME). */
int store_put_part_copy(struct store *st, const char *bucket, const char *key,
                        const char *upload_id, int part_number, const char *src_bucket,
                        const char *src_key, int64_t first, int64_t last,
                        store_done_fn cb, void *arg);

/* Checks order (InvalidPartOrder), existence, ETags and any part checksums
 * given (InvalidPart), sizes (EntityTooSmall: every part but the last at
 * least 5 MiB), then makes the object from the parts' blobs without
 * copying: ETag md5-of-md5s-N; checksum as the upload asked — COMPOSITE
 * (checksum of the parts' checksums, "-N"), FULL_OBJECT (the parts' CRCs
 * combined), or CRC64NVME FULL_OBJECT when it named no algorithm. */
int store_complete_upload(struct store *st, const char *bucket, const char *key,
                          const char *upload_id, const struct s3_complete_part *parts,
                          size_t n_parts, store_done_fn cb, void *arg);
int store_abort_upload(struct store *st, const char *bucket, const char *key,
                       const char *upload_id, store_done_fn cb, void *arg);

/* ---- versioning, tags, object lock (storage/s3/settings.c) ------------------ */

/* PutBucketVersioning: "Enabled" or "Suspended". InvalidBucketState when
 * suspending a bucket with object lock. */
int store_set_versioning(struct store *st, const char *bucket, const char *status,
                         store_done_fn cb, void *arg);
/* PutObjectLockConfiguration: needs versioning Enabled (else
 * InvalidBucketState); mode NULL = no default retention, else exactly one
 * of days / years is positive. */
int store_set_object_lock(struct store *st, const char *bucket, const char *mode, int days,
                          int years, store_done_fn cb, void *arg);
/* Put/DeleteBucketTagging: tags NULL deletes. */
int store_set_bucket_tags(struct store *st, const char *bucket, const struct s3_kv *tags,
                          size_t n_tags, store_done_fn cb, void *arg);
/* Put/DeleteObjectTagging on a version (NULL: latest): tags NULL deletes.
 * NoSuchKey / NoSuchVersion / MethodNotAllowed (a delete marker). */
int store_set_object_tags(struct store *st, const char *bucket, const char *key,
                          const char *version_id, const struct s3_kv *tags, size_t n_tags,
                          store_done_fn cb, void *arg);
/* PutObjectRetention: mode NULL removes it. Needs object lock on the
 * bucket (InvalidRequest). Shortening or weakening COMPLIANCE, or GOVERNANCE
 * without bypass_governance: AccessDenied. */
int store_set_retention(struct store *st, const char *bucket, const char *key,
                        const char *version_id, const char *mode, int64_t until_ms,
                        bool bypass_governance, store_done_fn cb, void *arg);
/* PutObjectLegalHold. Needs object lock on the bucket (InvalidRequest). */
int store_set_legal_hold(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool on, store_done_fn cb, void *arg);

/* ---- other services' durable state ------------------------------------
 * Services other than S3 (SQS, ...) keep their tables in the same database
 * (their schema steps are listed in db.c's module registry) and write
 * through the same group commit, always through the typed functions of
 * their storage/<svc>/ room: no SQL and no sqlite3 handle leaves storage/.
 *
 * A struct store_conn is a connection as those functions take it: the
 * writer inside a store_submit() apply callback, or the loop thread's
 * reader (store_reader()). apply runs on the commit thread, inside the
 * batch transaction under its own savepoint; it returns 0, or -1 to undo
 * its own changes. done then runs on the loop thread from
 * store_dispatch_completions(), ok telling whether apply succeeded and the
 * batch committed. Returns -1 (store closing or no memory) when nothing
 * was queued; done will not run then. */
struct store_conn;
int store_submit(struct store *st, int (*apply)(struct store_conn *writer, void *arg),
                 void (*done)(void *arg, bool ok), void *arg);
/* The read-only connection of the loop thread: for a service loading its
 * state at start-up, or answering reads. */
struct store_conn *store_reader(struct store *st);

/* Removes unreferenced blobs and temp files older than `tmp_age_s` seconds.
 * Runs on the commit thread; cb may be NULL. Returns blobs+files removed via
 * res->n_deleted. */
int store_gc(struct store *st, int tmp_age_s, store_done_fn cb, void *arg);

#endif
