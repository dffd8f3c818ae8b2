/* storage/s3 internal: what the storage/s3 files share and nobody else
 * sees — the S3 write jobs (job.c), the helpers their apply functions share,
 * the row loaders the writer reuses, and small read helpers.
 *
 * Every S3 write is a struct s3_job (or, for settings, a struct
 * settings_job) queued to the commit thread (storage/core/store_internal.h
 * says how jobs run). */
#ifndef CLOUDLESS_STORAGE_S3_INTERNAL_H
#define CLOUDLESS_STORAGE_S3_INTERNAL_H

#include <stdio.h>
#include <stdlib.h>

#include "protocol/auth/checksum.h"
#include "storage/core/store_internal.h"
#include "storage/s3/notification.h"
#include "storage/s3/s3.h"

/* ---- job.c: the jobs --------------------------------------------------- */

/* One job shape for every write; each operation uses the fields it needs. */
struct s3_job {
    struct store_job base;
    char *bucket, *key, *account, *region, *upload_id, *storage_class;
    char *src_bucket, *src_key, *if_match, *if_none_match;   /* a copy's source conditions */
    bool replace, has_content;
    bool cond_if_none_match_any, cond_existed;   /* the write's own conditions */
    char *cond_if_match;
    struct s3_content_headers content;
    char *meta_json;
    int64_t if_modified_since_ms, if_unmodified_since_ms;
    int part_number;
    int64_t first, last;
    struct s3_complete_part *parts;
    size_t n_parts;
    char *version_id, *src_version_id, *tags_json, *lock_mode, *acl_xml;
    int64_t lock_until_ms;
    bool legal_hold, bypass_governance, replace_tags, object_lock;
    char *checksum_alg, *checksum, *checksum_type, *crc64nvme, *event;
    char *ownership_xml;           /* CreateBucket: the ownership controls it asked for */
    int64_t object_size;           /* CompleteMultipartUpload: x-amz-mp-object-size, -1 when absent */
    char sse_algorithm[16], sse_customer_key_md5[25];   /* the encryption the write gives */
    char *sse_kms_key_id;
    bool sse_bucket_key;
    char *src_customer_key_md5;    /* a copy's source: the SSE-C key MD5 the request gives */
};

/* A job of `apply` answering cb(arg); NULL on ENOMEM. */
struct s3_job *s3_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
                          store_done_fn cb, void *arg);
/* strdup that keeps NULL and records failure in *ok. */
char *s3_job_dup(const char *s, bool *ok);
void s3_job_dup_content(const struct s3_content_headers *src, struct s3_content_headers *dst,
                        bool *ok);
/* Copies a write's checksum into the job. */
void s3_job_dup_checksum(struct s3_job *job, const struct store_checksum *c, bool *ok);
/* Copies the encryption a write gives its object into the job (sse_*). */
void s3_job_dup_sse(struct s3_job *job, const struct s3_sse *sse, bool *ok);
/* The encryption the job carries. */
struct s3_sse s3_job_sse(const struct s3_job *job);
/* Copies a write's conditions into the job (the cond_* fields). */
void s3_job_dup_condition(struct s3_job *job, const struct store_write_condition *c, bool *ok);
/* Copies a copy's source (src_bucket, src_key, src_version_id and the
 * x-amz-copy-source-if-* fields) into the job. */
void s3_job_dup_copy_source(struct s3_job *job, const struct store_copy_source *src, bool *ok);
/* Copies the tags, lock settings and ACL every object write may carry. */
void s3_job_dup_object_extras(struct s3_job *job, const struct s3_kv *tags, size_t n_tags,
                              const struct store_lock *lock, const char *acl_xml, bool *ok);
/* Queues the job, or frees it (ENOMEM) when a copy failed (!ok). 0 or -1. */
int s3_job_queue(struct store *st, struct s3_job *job, bool ok);
/* User metadata or tags as a JSON object {"name":"value",...}; NULL on ENOMEM. */
char *store_encode_kv_json(const struct s3_kv *kv, size_t n);

struct settings_job {
    struct store_job base;
    char *bucket, *key, *version_id;
    char *text;                    /* status, mode or tags JSON; NULL when removed */
    int64_t number;                /* until_ms, legal hold 0/1 */
    int days, years;
    bool bypass_governance;
};

/* A job for bucket (and key / version); *ok false when a copy failed. */
struct settings_job *s3_settings_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
                                         const char *bucket, const char *key,
                                         const char *version_id, store_done_fn cb, void *arg,
                                         bool *ok);
/* Queues the job, or frees it (ENOMEM) when a copy failed (!ok). 0 or -1. */
int s3_settings_job_queue(struct store *st, struct settings_job *job, bool ok);
/* Runs a bucket UPDATE binding name ?1, text ?2 and the job's numbers ?3, ?4. */
enum s3_err s3_settings_update_bucket(struct store *st, const char *sql, const struct settings_job *job);
/* Loads the job's version after checking the bucket (and, when
 * needs_lock, that it has object lock: InvalidRequest otherwise). Sets
 * result.version_id when the bucket was ever versioned. */
enum s3_err s3_settings_load_version(struct store *st, struct settings_job *job, bool needs_lock,
                                     struct s3_object *o);
/* Runs the latest and the older UPDATE for version o: bucket ?1, key ?2,
 * version ?3, text ?4, number ?5 (each bound when the statement has it). */
enum s3_err s3_settings_update_version(struct store *st, const struct settings_job *job,
                                       const struct s3_object *o, const char *sql_latest,
                                       const char *sql_older, const char *text, int64_t number);

/* ---- job.c: what apply functions share ------------------------------------ */

/* Steps a statement that returns no row, and resets it: true when done. */
bool s3_step_done(sqlite3_stmt *s);
/* Binds the six content headers from parameter `first`. 0 or -1. */
int s3_bind_content(sqlite3_stmt *s, int first, const struct s3_content_headers *c);
/* The four encryption columns (sse, sse_kms_key_id, sse_bucket_key,
 * sse_customer_key_md5) from parameter / column `first`: bound, or read
 * into out (kms_key_id malloc'd). 0 or -1. */
int s3_bind_sse(sqlite3_stmt *s, int first, const struct s3_sse *sse);
int s3_read_sse_columns(sqlite3_stmt *s, int first, struct s3_sse *out);
/* The job's body as hex MD5 (the ETag) and, when not empty, its registered blob. */
enum s3_err s3_job_body_blob(struct store *st, struct store_job *job, char etag[33]);
/* The lock a new version gets: the request's retention, else the bucket's
 * default retention counted from `now`. */
void s3_set_new_lock(const struct s3_bucket *b, const char *mode, int64_t until_ms,
                     bool legal_hold, int64_t now, struct s3_object *o);
/* Sets an object's checksum fields; alg NULL leaves none. */
void s3_set_checksum(struct s3_object *o, const char *alg, const char *value, const char *type);
/* Reports an object's checksum in the job's result. */
void s3_job_result_checksum(struct store_job *base, const struct s3_object *o);

/* Where s3_copy_range puts the bytes: a blob writer and/or checksums. */
struct range_sink {
    struct blob_writer *bw;        /* may be NULL */
    struct checksum_ctx sums[2];
    size_t n_sums;
};

int s3_range_sink_write(struct range_sink *sink, const void *data, size_t len);
/* Starts a checksum in the sink; -1 on ENOMEM. */
int s3_range_sink_add(struct range_sink *sink, enum checksum_alg alg);
/* Ends checksum i of the sink as base64 into out (80 bytes). */
void s3_range_sink_base64(struct range_sink *sink, size_t i, char out[80]);
void s3_range_sink_abort(struct range_sink *sink);
/* Streams bytes [first, last] of the object's segments into the sink. */
int s3_copy_range(struct store *st, const struct s3_object *o, int64_t first, int64_t last,
                  struct range_sink *bw);

/* ---- bucket.c, object.c, versioning.c: rows the writer reuses ------------- */

/* S3_OK, S3_ERR_NO_SUCH_BUCKET, or S3_ERR_INTERNAL_ERROR. */
enum s3_err store_check_bucket(struct store_conn *c, const char *bucket);
/* The bucket row, versioning and object lock settings included. */
enum s3_err store_load_bucket(struct store_conn *c, const char *bucket, struct s3_bucket *out);
/* One version, in full (segments, headers, metadata, tags, lock), with the
 * answers of store_get_object_version. out is to be freed in every case. */
enum s3_err store_load_object(struct store_conn *c, const char *bucket, const char *key,
                              const char *version_id, struct s3_object *out);
/* Loads the row of the latest version (seq -1) or of an older one into
 * out, without segments. NO_SUCH_KEY / NO_SUCH_VERSION when absent. */
enum s3_err s3_load_version_row(struct store_conn *c, const char *bucket, const char *key,
                                const char *version_id, struct s3_object *out, int64_t *seq);
/* The six content-header columns starting at `first`. -1 on ENOMEM. */
int store_read_content_columns(sqlite3_stmt *s, int first, struct s3_content_headers *out);
/* Decodes the user_meta JSON object column (via json_each). -1 on error. */
int store_decode_user_meta(struct store_conn *c, const char *json, struct s3_kv **out, size_t *n);
/* Makes `o` (version_id, lock and all; its key field is ignored) the latest
 * version of bucket/key: a "null" version replaces the null version, any
 * other latest version becomes an older one. Records `event` (the
 * notification event type: "ObjectCreated:Put", ...) for it, and gives it
 * acl_xml (the ACL its write asked for; NULL: its owner's only). */
enum s3_err s3_install_latest(struct store *st, const char *event, const char *bucket,
                              const char *key, const struct s3_object *o,
                              const char *meta_json, const char *tags_json, const char *acl_xml);
/* Loads the job's copy source version (see struct store_copy_source),
 * checks its conditions, and sets result.source_version_id when its bucket
 * was ever versioned. src is to be freed in every case. */
enum s3_err s3_load_copy_source(struct store *st, struct s3_job *job, struct s3_object *src);
/* Checks the job's write conditions (cond_*) against the current version
 * of job->bucket / job->key (see struct store_write_condition). */
enum s3_err s3_check_write_condition(struct store *st, const struct s3_job *job);
/* The id of a new version: fresh in a versioning-enabled bucket, "null"
 * otherwise; *reported is the id to answer with ("" when never versioned). */
enum s3_err s3_new_version_id(const struct s3_bucket *b, char id[40], char reported[40]);

/* ---- config.c ----------------------------------------------------------- */

/* Queues `sql` (a string literal) with ?1..?4 bound to text[0..3] (NULL
 * binds NULL; copied) and ?5 to *number when given, through store_submit;
 * done(arg, ok) once durable. -1 when nothing was queued. */
int s3_config_submit_write(struct store *st, const char *sql, const char *const text[4], const int64_t *number,
                           void (*done)(void *arg, bool ok), void *arg);
/* Sets one configuration document of a bucket in the running job's
 * transaction (the writer connection). */
enum s3_err s3_config_set_row(struct store *st, const char *bucket, const char *kind, const char *doc);

/* ---- notification.c ------------------------------------------------------- */

/* Called by the job being applied after it created (event "ObjectCreated:
 * Put" ...), removed or retagged bucket/key: records one outbox row per
 * matching notification target, if the job has an origin. size -1 and
 * etag NULL leave them out of the message; version_id "null" or NULL too. */
enum s3_err store_notify_record(struct store *st, const char *event_name, const char *bucket,
                                const char *key, int64_t size, const char *etag,
                                const char *version_id);

/* ---- reading on the loop thread's connection ------------------------------ */

static inline enum s3_err s3_read_begin(struct store *st)
{
    return db_read_begin(&st->reader) == 0 ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

static inline enum s3_err s3_read_end(struct store *st, enum s3_err err)
{
    if (db_read_end(&st->reader) != 0 && err == S3_OK)
        return S3_ERR_INTERNAL_ERROR;
    return err;
}

static inline void s3_copy_account(sqlite3_stmt *s, int col, char out[13])
{
    const unsigned char *text = sqlite3_column_text(s, col);
    snprintf(out, 13, "%s", text ? (const char *)text : "");
}

static inline void s3_copy_fixed(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *text = sqlite3_column_text(s, col);
    snprintf(out, outlen, "%s", text ? (const char *)text : "");
}

/* Makes room for one more element in a growing array. */
static inline bool s3_grow(void **array, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return true;
    size_t new_cap = *cap ? *cap * 2 : 16;
    void *grown = realloc(*array, new_cap * elem);
    if (!grown)
        return false;
    *array = grown;
    *cap = new_cap;
    return true;
}

#endif
