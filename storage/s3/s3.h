/* storage/s3: S3's durable state and rules — what the store offers the S3
 * service (and Lambda, which reads code from S3 objects). The store itself
 * (opening, blobs, the group commit) is storage/core/store.h; the event
 * outbox is storage/s3/notification.h.
 *
 * Reads (store_get_*, store_list_*) run on the caller's thread (the
 * server's event loop) on the read-only connection, each in its own read
 * transaction. Writes are jobs queued to the commit thread: they return 0
 * when queued (the callback will run exactly once, on the loop thread, once
 * the write is durable) or -1 (ENOMEM, or the store is closing) when not.
 * Inputs are copied; a blob_writer passed in is owned by the store from
 * then on, whatever the outcome. Each family's functions live in its file,
 * named as in protocol/s3 and server/s3. */
#ifndef CLOUDLESS_STORAGE_S3_H
#define CLOUDLESS_STORAGE_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/s3/model.h"
#include "storage/core/store.h"

/* ---- what a write produced ---------------------------------------------- */

/* What a write produced; valid only during the callback. */
struct store_result {
    enum s3_err err;
    const char *err_detail;        /* optional extra message, may be NULL */
    char message[192];             /* room for an err_detail formatted for this write */
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
    struct s3_sse sse;             /* complete: the object's encryption (kms_key_id the job's) */
};

typedef void (*store_done_fn)(void *arg, const struct store_result *res);

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

/* The conditions of a conditional write (If-None-Match: *, If-Match) or
 * delete (If-Match), checked against the key's current version in the
 * write's own transaction: PreconditionFailed when they fail, NoSuchKey for
 * If-Match on a key without an object, ConditionalRequestConflict when the
 * object the write saw as it began was deleted since (AWS: "a delete
 * request to an object succeeds before a conditional write operation on
 * that object completes"). */
struct store_write_condition {
    bool if_none_match_any;        /* If-None-Match: * */
    const char *if_match;          /* ETag without quotes, or "*"; NULL: none */
    bool existed;                  /* the key had an object when the write began */
};

/* ---- bucket.c ---------------------------------------------------------- */

enum s3_err store_get_bucket(struct store *st, const char *bucket, struct s3_bucket *out);
/* Buckets owned by `account`, by name. */
enum s3_err store_list_buckets(struct store *st, const char *account,
                               struct s3_bucket **out, size_t *n);
/* CreateBucket: the bucket and, in the same transaction, what its headers
 * asked for. */
struct store_new_bucket {
    const char *account;
    const char *bucket;
    const char *region;
    bool object_lock;              /* x-amz-bucket-object-lock-enabled: versioning on, object
                                      lock enabled, no default retention */
    const char *ownership_xml;     /* OwnershipControls document, NULL: the default */
    const char *acl_xml;           /* AccessControlPolicy document, NULL: private */
};
int store_create_bucket(struct store *st, const struct store_new_bucket *nb, store_done_fn cb, void *arg);
/* Only the owner may delete: the caller checks ownership first. */
int store_delete_bucket(struct store *st, const char *bucket, store_done_fn cb, void *arg);

/* ---- list.c ------------------------------------------------------------ */

/* Prefix, delimiter (any string), exclusive start, max_keys; S3's rules for
 * CommonPrefixes (each counts once toward max_keys) and truncation. */
enum s3_err store_list_objects(struct store *st, const char *bucket,
                               const struct s3_list_params *params,
                               struct s3_list_result *out);
/* ListObjectVersions: params->start_after is the key-marker (exclusive),
 * version_id_marker the version of that key to continue after. Versions
 * and delete markers in key order, newest first within a key; objects'
 * version_id, delete_marker and is_latest are set. next_marker and
 * next_version_id_marker say where a truncated listing stopped. */
enum s3_err store_list_object_versions(struct store *st, const char *bucket,
                                       const struct s3_list_params *params,
                                       const char *version_id_marker,
                                       struct s3_list_result *out);
enum s3_err store_list_uploads(struct store *st, const char *bucket, const char *prefix,
                               const char *delimiter, const char *key_marker,
                               const char *upload_id_marker, int max_uploads,
                               struct s3_upload_list *out);
/* S3_ERR_NO_SUCH_UPLOAD when the id is unknown or belongs to another key. */
enum s3_err store_list_parts(struct store *st, const char *bucket, const char *key,
                             const char *upload_id, int part_number_marker, int max_parts,
                             struct s3_upload *upload_out, struct s3_part_list *out);

/* ---- object.c ---------------------------------------------------------- */

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

struct store_put {
    const char *bucket;
    const char *key;
    const char *account;
    struct blob_writer *body;      /* finished; owned by the store after the call */
    const struct s3_content_headers *content;
    const struct s3_kv *user_meta;
    size_t n_user_meta;
    const char *storage_class;     /* NULL = STANDARD */
    struct store_write_condition condition;
    const struct s3_sse *sse;      /* NULL: SSE-S3 */
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
 * to bypass_governance). if_match (DeleteObject's If-Match: an ETag or "*",
 * NULL for none) is checked against the current version first, as a
 * struct store_write_condition. result.version_id / delete_marker say
 * what went. */
int store_delete_version(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool bypass_governance, const char *if_match,
                         store_done_fn cb, void *arg);
/* DeleteObjects with versions: version_ids[i] NULL for none. */
int store_delete_versions(struct store *st, const char *bucket, const char *const *keys,
                          const char *const *version_ids, size_t n_keys, bool bypass_governance,
                          store_done_fn cb, void *arg);

/* The source of a copy (CopyObject, UploadPartCopy): a version of an
 * object, and the x-amz-copy-source-if-* conditions checked against it in
 * the copy's own transaction (a true If-Match overrides
 * If-Unmodified-Since, If-None-Match overrides If-Modified-Since, as AWS
 * documents). A delete marker named by its id is InvalidRequest. */
struct store_copy_source {
    const char *bucket;
    const char *key;
    const char *version_id;        /* NULL: the latest version */
    const char *if_match;          /* ETag without quotes */
    const char *if_none_match;
    int64_t if_modified_since_ms;  /* 0 = absent */
    int64_t if_unmodified_since_ms;
    const char *customer_key_md5;  /* the SSE-C key (MD5) the request gives for the source, NULL:
                                      none (s3_sse_customer_read decides) */
};

struct store_copy {
    struct store_copy_source source;
    const char *dst_bucket;
    const char *dst_key;
    const char *account;
    /* REPLACE directive: the new headers and metadata; NULL = COPY the source's. */
    const struct s3_content_headers *replace_content;
    const struct s3_kv *replace_meta;
    size_t n_replace_meta;
    bool replace;
    const char *storage_class;
    bool replace_tags;             /* x-amz-tagging-directive: REPLACE */
    const struct s3_kv *tags;
    size_t n_tags;
    struct store_lock lock;
    const char *checksum_alg;      /* x-amz-checksum-algorithm: NULL keeps the source's checksum */
    const char *acl;               /* the destination's ACL (XML); NULL: owner only, whatever the source's */
    struct store_write_condition condition;   /* If-None-Match / If-Match on the destination */
    const struct s3_sse *sse;      /* the destination's encryption (never the source's); NULL: SSE-S3 */
};
/* Metadata-only: the destination references the source's blobs — unless
 * checksum_alg names another algorithm than the source's checksum: then the
 * new checksum is computed from the source's bytes before the transaction.
 * result.checksum* tell the destination's checksum. The caller
 * rejects copying an object onto itself without REPLACE (InvalidRequest). */
int store_copy_object(struct store *st, const struct store_copy *cp, store_done_fn cb, void *arg);

/* ---- multipart.c ------------------------------------------------------- */

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
    const struct s3_sse *sse;      /* given to the object on completion; NULL: SSE-S3 */
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
 * object) of the source version. The copy of a range happens on the commit
 * thread, which also computes the part's checksums (the upload's algorithm
 * and CRC64NVME). result.source_version_id as for CopyObject. */
int store_put_part_copy(struct store *st, const char *bucket, const char *key,
                        const char *upload_id, int part_number, const struct store_copy_source *src,
                        int64_t first, int64_t last, store_done_fn cb, void *arg);
/* CompleteMultipartUpload: the parts listed, and what the request states
 * of the object it makes. */
struct store_complete {
    const char *bucket;
    const char *key;
    const char *upload_id;
    const struct s3_complete_part *parts;
    size_t n_parts;
    struct store_write_condition condition;   /* `existed` is the upload's own */
    struct store_checksum checksum;  /* x-amz-checksum-<alg> / -type: the object's, to check */
    int64_t object_size;             /* x-amz-mp-object-size to check, -1 when absent */
};
/* Checks the condition (its `existed` being whether the key had an object
 * when the upload was created), then order (InvalidPartOrder), existence,
 * ETags and any part checksums given (InvalidPart), sizes (EntityTooSmall:
 * every part but the last at least 5 MiB), then makes the object from the
 * parts' blobs without copying: ETag md5-of-md5s-N; checksum as the upload
 * asked — COMPOSITE (checksum of the parts' checksums, "-N"), FULL_OBJECT
 * (the parts' CRCs combined), or CRC64NVME FULL_OBJECT when it named no
 * algorithm. The stated checksum must be of the upload's algorithm
 * (InvalidRequest) and type, and equal the object's (BadDigest); the
 * stated size the object's (InvalidRequest). */
int store_complete_upload(struct store *st, const struct store_complete *c, store_done_fn cb, void *arg);
int store_abort_upload(struct store *st, const char *bucket, const char *key,
                       const char *upload_id, store_done_fn cb, void *arg);

/* ---- tagging.c --------------------------------------------------------- */

/* The bucket's tags; S3_ERR_NO_SUCH_TAG_SET when it has none. */
enum s3_err store_get_bucket_tags(struct store *st, const char *bucket, struct s3_kv **tags,
                                  size_t *n_tags);
/* Put/DeleteBucketTagging: tags NULL deletes. */
int store_set_bucket_tags(struct store *st, const char *bucket, const struct s3_kv *tags,
                          size_t n_tags, store_done_fn cb, void *arg);
/* Put/DeleteObjectTagging on a version (NULL: latest): tags NULL deletes.
 * NoSuchKey / NoSuchVersion / MethodNotAllowed (a delete marker). */
int store_set_object_tags(struct store *st, const char *bucket, const char *key,
                          const char *version_id, const struct s3_kv *tags, size_t n_tags,
                          store_done_fn cb, void *arg);

/* ---- versioning.c ------------------------------------------------------ */

/* Version ids this store hands out: 32 characters of [A-Za-z0-9._]. Any
 * other string but "null" is no version id at all (InvalidArgument). */
bool store_version_id_valid(const char *version_id);
/* PutBucketVersioning: "Enabled" or "Suspended". InvalidBucketState when
 * suspending a bucket with object lock. */
int store_set_versioning(struct store *st, const char *bucket, const char *status,
                         store_done_fn cb, void *arg);

/* ---- object_lock.c ----------------------------------------------------- */

/* PutObjectLockConfiguration: needs versioning Enabled (else
 * InvalidBucketState); mode NULL = no default retention, else exactly one
 * of days / years is positive. */
int store_set_object_lock(struct store *st, const char *bucket, const char *mode, int days,
                          int years, store_done_fn cb, void *arg);
/* PutObjectRetention: mode NULL removes it. Needs object lock on the
 * bucket (InvalidRequest). Shortening or weakening COMPLIANCE, or GOVERNANCE
 * without bypass_governance: AccessDenied. */
int store_set_retention(struct store *st, const char *bucket, const char *key,
                        const char *version_id, const char *mode, int64_t until_ms,
                        bool bypass_governance, store_done_fn cb, void *arg);
/* PutObjectLegalHold. Needs object lock on the bucket (InvalidRequest). */
int store_set_legal_hold(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool on, store_done_fn cb, void *arg);

/* ---- config.c: a bucket's configuration documents ------------------------
 * A bucket's configuration is one row per kind holding the document as the
 * protocol layer canonicalised it (XML, or the policy's JSON). A row whose
 * document is NULL records that the client removed a configuration AWS
 * gives every new bucket (public access block, ownership controls), so the
 * default no longer applies. Rows go with their bucket (ON DELETE CASCADE).
 * Reads run on the loop thread's read-only connection; writes go through
 * store_submit(), so `done` runs once they are durable. */

enum store_config_state {
    STORE_CONFIG_UNSET,            /* never set: the bucket's default applies */
    STORE_CONFIG_SET,
    STORE_CONFIG_REMOVED,          /* deleted by the client: no default either */
};

/* Loads one configuration. *doc is malloc'd when SET, else NULL.
 * -1 on a database error or ENOMEM. */
int store_get_bucket_config(struct store *st, const char *bucket, const char *kind,
                            enum store_config_state *state, char **doc);

/* Sets (doc non-NULL), marks removed (doc NULL, keep_marker true) or
 * forgets (doc NULL, keep_marker false) one configuration. Returns -1 when
 * nothing was queued; else done(arg, ok) runs on the loop thread. */
int store_put_bucket_config(struct store *st, const char *bucket, const char *kind, const char *doc,
                            bool keep_marker, void (*done)(void *arg, bool ok), void *arg);

/* Every bucket holding a configuration of `kind`, with its document. */
int store_list_bucket_configs(struct store *st, const char *kind, char ***buckets, char ***docs,
                              size_t *n);
void store_free_string_pairs(char **a, char **b, size_t n);

/* ---- acl.c: object ACLs ---------------------------------------------------
 * An object's ACL row carries the ETag and modification time of the object
 * it was set on; a row that no longer matches the object (the key was
 * overwritten or deleted) is ignored, so replacing an object resets its ACL
 * as AWS does without this module touching the object tables. (A bucket's
 * ACL is one of its configuration documents.) */

/* The ACL set on the current object (etag, last-modified identify it), or
 * *acl NULL when none applies. -1 on error. */
int store_get_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, char **acl);
int store_put_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, const char *acl, void (*done)(void *arg, bool ok),
                         void *arg);

#endif
