/* s3_job: what the S3 writes share — the job they are queued as, and the
 * helpers their apply functions use on the writer connection.
 *
 * The store_* entry points copy their inputs into one struct s3_job and
 * queue it; the apply_* functions run later on the commit thread, inside the
 * batch transaction under the job's own savepoint, and enforce S3's rules
 * there (NoSuchBucket, BucketNotEmpty, conditional writes, multipart checks)
 * against the state the earlier jobs of the batch left. Blob reference counts
 * follow from the schema's triggers: inserting a segment or part takes a
 * reference, deleting one (cascades included) drops it.
 *
 * The writes that change settings rather than content — versioning, the
 * object lock configuration, tags, retention, legal hold — queue a smaller
 * settings_job; a version's settings are changed with one UPDATE of
 * `objects` (the latest version) and one of object_versions: a version id
 * lives in exactly one of them.
 *
 * Also here: registering a body's blob, the fields a new version takes
 * (lock, checksum), and copying a range of an object's bytes (CopyObject's
 * new checksum, UploadPartCopy). */
#include "storage/s3/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/core/base64.h"

static const char sql_blob_register[] =
    "INSERT INTO blobs(sha256, size, refcount, data_id) VALUES (?1, ?2, 0, ?3)"
    " ON CONFLICT(sha256) DO NOTHING";
static const char sql_blob_exists[] = "SELECT 1 FROM blobs WHERE sha256 = ?1";
static const char sql_blob_data_insert[] = "INSERT INTO blob_data(data) VALUES (?1)";

static void s3_job_destroy(struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    char *strings[] = {job->bucket, job->key, job->account, job->region, job->upload_id,
                       job->storage_class, job->src_bucket, job->src_key, job->if_match,
                       job->if_none_match, job->meta_json, job->version_id,
                       job->src_version_id, job->tags_json, job->lock_mode,
                       job->checksum_alg, job->checksum, job->checksum_type,
                       job->crc64nvme, job->event, job->acl_xml, job->ownership_xml,
                       job->cond_if_match, job->sse_kms_key_id, job->src_customer_key_md5};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    s3_content_headers_free(&job->content);
    free(job->parts);
    store_job_release_common(base);
    free(job);
}

struct s3_job *s3_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
                              store_done_fn cb, void *arg)
{
    struct s3_job *job = calloc(1, sizeof(*job));
    if (!job)
        return NULL;
    job->base.apply = apply;
    job->base.destroy = s3_job_destroy;
    job->base.cb = cb;
    job->base.cb_arg = arg;
    return job;
}

/* strdup that keeps NULL and records failure in *ok. */
char *s3_job_dup(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

void s3_job_dup_content(const struct s3_content_headers *src, struct s3_content_headers *dst,
                        bool *ok)
{
    if (!src)
        return;
    dst->content_type = s3_job_dup(src->content_type, ok);
    dst->content_encoding = s3_job_dup(src->content_encoding, ok);
    dst->content_disposition = s3_job_dup(src->content_disposition, ok);
    dst->content_language = s3_job_dup(src->content_language, ok);
    dst->cache_control = s3_job_dup(src->cache_control, ok);
    dst->expires = s3_job_dup(src->expires, ok);
}

/* Makes room for `extra` more bytes plus the terminator. */
static bool json_reserve(char **buf, size_t len, size_t *cap, size_t extra)
{
    if (len + extra + 1 <= *cap)
        return true;
    size_t cap2 = (len + extra + 1) * 2;
    char *grown = realloc(*buf, cap2);
    if (!grown)
        return false;
    *buf = grown;
    *cap = cap2;
    return true;
}

/* Appends s as a JSON string literal. */
static bool json_append_string(char **buf, size_t *len, size_t *cap, const char *s)
{
    if (!json_reserve(buf, *len, cap, strlen(s) * 6 + 2))
        return false;
    char *p = *buf + *len;
    *p++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *p++ = '\\';
            *p++ = (char)*c;
        } else if (*c < 0x20) {
            p += sprintf(p, "\\u%04x", *c);
        } else {
            *p++ = (char)*c;
        }
    }
    *p++ = '"';
    *p = '\0';
    *len = (size_t)(p - *buf);
    return true;
}

static bool json_append_char(char **buf, size_t *len, size_t *cap, char c)
{
    if (!json_reserve(buf, *len, cap, 1))
        return false;
    (*buf)[(*len)++] = c;
    (*buf)[*len] = '\0';
    return true;
}

char *store_encode_kv_json(const struct s3_kv *kv, size_t n)
{
    size_t len = 0, cap = 0;
    char *buf = NULL;
    bool ok = json_append_char(&buf, &len, &cap, '{');
    for (size_t i = 0; i < n && ok; i++) {
        ok = (i == 0 || json_append_char(&buf, &len, &cap, ',')) &&
             json_append_string(&buf, &len, &cap, kv[i].name ? kv[i].name : "") &&
             json_append_char(&buf, &len, &cap, ':') &&
             json_append_string(&buf, &len, &cap, kv[i].value ? kv[i].value : "");
    }
    if (!ok || !json_append_char(&buf, &len, &cap, '}')) {
        free(buf);
        return NULL;
    }
    return buf;
}

int s3_job_queue(struct store *st, struct s3_job *job, bool ok)
{
    if (!ok) {
        s3_job_destroy(&job->base);
        errno = ENOMEM;
        return -1;
    }
    return store_enqueue(st, &job->base);
}

bool s3_step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

int s3_bind_content(sqlite3_stmt *s, int first, const struct s3_content_headers *c)
{
    const char *values[] = {c->content_type, c->content_encoding, c->content_disposition,
                            c->content_language, c->cache_control, c->expires};
    for (int i = 0; i < 6; i++) {
        if (db_bind_text(s, first + i, values[i]) != 0)
            return -1;
    }
    return 0;
}

int s3_bind_sse(sqlite3_stmt *s, int first, const struct s3_sse *sse)
{
    bool stated = sse->algorithm[0] && strcmp(sse->algorithm, "AES256") != 0;
    if (db_bind_text(s, first, stated ? sse->algorithm : NULL) != 0 ||
        db_bind_text(s, first + 1, sse->kms_key_id) != 0 ||
        sqlite3_bind_int(s, first + 2, sse->bucket_key) != SQLITE_OK ||
        db_bind_text(s, first + 3, sse->customer_key_md5[0] ? sse->customer_key_md5 : NULL) != 0)
        return -1;
    return 0;
}

int s3_read_sse_columns(sqlite3_stmt *s, int first, struct s3_sse *out)
{
    s3_copy_fixed(s, first + 3, out->customer_key_md5, sizeof(out->customer_key_md5));
    s3_copy_fixed(s, first, out->algorithm, sizeof(out->algorithm));
    if (!out->algorithm[0] && !out->customer_key_md5[0])
        snprintf(out->algorithm, sizeof(out->algorithm), "AES256");
    out->bucket_key = sqlite3_column_int(s, first + 2) != 0;
    return db_column_strdup(s, first + 1, &out->kms_key_id);
}

void s3_job_dup_sse(struct s3_job *job, const struct s3_sse *sse, bool *ok)
{
    if (!sse)
        return;
    memcpy(job->sse_algorithm, sse->algorithm, sizeof(job->sse_algorithm));
    memcpy(job->sse_customer_key_md5, sse->customer_key_md5, sizeof(job->sse_customer_key_md5));
    job->sse_kms_key_id = s3_job_dup(sse->kms_key_id, ok);
    job->sse_bucket_key = sse->bucket_key;
}

struct s3_sse s3_job_sse(const struct s3_job *job)
{
    struct s3_sse sse = {.kms_key_id = job->sse_kms_key_id, .bucket_key = job->sse_bucket_key};
    memcpy(sse.algorithm, job->sse_algorithm, sizeof(sse.algorithm));
    memcpy(sse.customer_key_md5, job->sse_customer_key_md5, sizeof(sse.customer_key_md5));
    if (!sse.algorithm[0] && !sse.customer_key_md5[0])
        snprintf(sse.algorithm, sizeof(sse.algorithm), "AES256");
    return sse;
}

/* Stores a small blob's bytes in blob_data unless the blob is known; *id
 * is 0 when nothing was stored. */
static enum s3_err store_inline_data(struct store *st, const char *sha256_hex, int64_t size,
                                     const unsigned char *data, sqlite3_int64 *id)
{
    *id = 0;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_blob_exists);
    if (!s || db_bind_text(s, 1, sha256_hex) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return S3_OK;
    if (rc != SQLITE_DONE)
        return S3_ERR_INTERNAL_ERROR;
    s = db_stmt(&st->writer, sql_blob_data_insert);
    if (!s || sqlite3_bind_blob(s, 1, data, (int)size, SQLITE_STATIC) != SQLITE_OK || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    *id = sqlite3_last_insert_rowid(st->writer.db);
    return S3_OK;
}

/* Records a blob; `inline_data` (size bytes) when it lives in the database. */
static enum s3_err register_blob(struct store *st, const char *sha256_hex, int64_t size,
                                 const unsigned char *inline_data)
{
    sqlite3_int64 data_id = 0;
    if (inline_data && store_inline_data(st, sha256_hex, size, inline_data, &data_id) != S3_OK)
        return S3_ERR_INTERNAL_ERROR;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_blob_register);
    if (!s || db_bind_text(s, 1, sha256_hex) != 0 ||
        sqlite3_bind_int64(s, 2, size) != SQLITE_OK ||
        (data_id ? sqlite3_bind_int64(s, 3, data_id) : sqlite3_bind_null(s, 3)) != SQLITE_OK ||
        !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

/* The lock a new version gets: the request's retention, else the bucket's
 * default retention counted from `now`. */
void s3_set_new_lock(const struct s3_bucket *b, const char *mode, int64_t until_ms,
                         bool legal_hold, int64_t now, struct s3_object *o)
{
    o->legal_hold = legal_hold;
    if (mode) {
        snprintf(o->lock_mode, sizeof(o->lock_mode), "%s", mode);
        o->lock_until_ms = until_ms;
    } else if (b->object_lock && b->lock_mode[0]) {
        snprintf(o->lock_mode, sizeof(o->lock_mode), "%s", b->lock_mode);
        int64_t days = b->lock_days ? b->lock_days : (int64_t)b->lock_years * 365;
        o->lock_until_ms = now + days * 86400000LL;
    }
}

/* Sets an object's checksum fields; alg NULL leaves none. */
void s3_set_checksum(struct s3_object *o, const char *alg, const char *value, const char *type)
{
    snprintf(o->checksum_alg, sizeof(o->checksum_alg), "%s", alg ? alg : "");
    snprintf(o->checksum, sizeof(o->checksum), "%s", alg && value ? value : "");
    snprintf(o->checksum_type, sizeof(o->checksum_type), "%s",
             alg ? (type ? type : "FULL_OBJECT") : "");
}

static const unsigned char empty_md5[16] = {0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                                            0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e};

/* The job's body as hex MD5 (the ETag) and, when not empty, its registered blob. */
enum s3_err s3_job_body_blob(struct store *st, struct store_job *job, char etag[33])
{
    hex_encode(job->has_body ? job->body_md5 : empty_md5, 16, etag);
    if (!job->has_body || job->body_size == 0)
        return S3_OK;
    return register_blob(st, job->body_sha256, job->body_size, job->body_inline);
}

int s3_range_sink_write(struct range_sink *sink, const void *data, size_t len)
{
    for (size_t i = 0; i < sink->n_sums; i++)
        checksum_update(&sink->sums[i], data, len);
    return sink->bw ? blob_writer_write(sink->bw, data, len) : 0;
}

/* Starts a checksum in the sink; -1 on ENOMEM. */
int s3_range_sink_add(struct range_sink *sink, enum checksum_alg alg)
{
    if (checksum_init(&sink->sums[sink->n_sums], alg) != 0)
        return -1;
    sink->n_sums++;
    return 0;
}

/* Ends checksum i of the sink as base64 into out (80 bytes). */
void s3_range_sink_base64(struct range_sink *sink, size_t i, char out[80])
{
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    size_t n = checksum_final(&sink->sums[i], digest);
    base64_encode(digest, n, out);
}

void s3_range_sink_abort(struct range_sink *sink)
{
    for (size_t i = 0; i < sink->n_sums; i++)
        checksum_abort(&sink->sums[i]);
}

/* Streams bytes [first, last] of the object's segments into the sink. */
int s3_copy_range(struct store *st, const struct s3_object *o, int64_t first, int64_t last,
                      struct range_sink *bw)
{
    char buf[65536];
    int64_t seg_start = 0;
    for (size_t i = 0; i < o->n_segments && seg_start <= last; i++) {
        int64_t seg_end = seg_start + o->segments[i].size;
        int64_t from = (first > seg_start ? first : seg_start) - seg_start;
        int64_t to = (last + 1 < seg_end ? last + 1 : seg_end) - seg_start;
        if (seg_end > first && o->segments[i].data) {
            if (s3_range_sink_write(bw, o->segments[i].data + from, (size_t)(to - from)) != 0)
                return -1;
        } else if (seg_end > first) {
            int fd = store_open_blob(st, o->segments[i].blob_sha256);
            if (fd < 0)
                return -1;
            int64_t pos = from, end = to;
            while (pos < end) {
                size_t want = (size_t)(end - pos) < sizeof(buf) ? (size_t)(end - pos) : sizeof(buf);
                ssize_t n = pread(fd, buf, want, pos);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0 || s3_range_sink_write(bw, buf, (size_t)n) != 0) {
                    close(fd);
                    return -1;
                }
                pos += n;
            }
            close(fd);
        }
        seg_start = seg_end;
    }
    return 0;
}

/* Reports an object's checksum in the job's result. */
void s3_job_result_checksum(struct store_job *base, const struct s3_object *o)
{
    memcpy(base->result.checksum_alg, o->checksum_alg, sizeof(o->checksum_alg));
    memcpy(base->result.checksum, o->checksum, sizeof(o->checksum));
    memcpy(base->result.checksum_type, o->checksum_type, sizeof(o->checksum_type));
}

/* Copies a write's checksum into the job. */
void s3_job_dup_checksum(struct s3_job *job, const struct store_checksum *c, bool *ok)
{
    if (!c)
        return;
    job->checksum_alg = s3_job_dup(c->alg, ok);
    job->checksum = s3_job_dup(c->value, ok);
    job->checksum_type = s3_job_dup(c->type, ok);
}

void s3_job_dup_condition(struct s3_job *job, const struct store_write_condition *c, bool *ok)
{
    job->cond_if_none_match_any = c->if_none_match_any;
    job->cond_if_match = s3_job_dup(c->if_match, ok);
    job->cond_existed = c->existed;
}

void s3_job_dup_copy_source(struct s3_job *job, const struct store_copy_source *src, bool *ok)
{
    job->src_bucket = s3_job_dup(src->bucket, ok);
    job->src_key = s3_job_dup(src->key, ok);
    job->src_version_id = s3_job_dup(src->version_id, ok);
    job->if_match = s3_job_dup(src->if_match, ok);
    job->if_none_match = s3_job_dup(src->if_none_match, ok);
    job->if_modified_since_ms = src->if_modified_since_ms;
    job->if_unmodified_since_ms = src->if_unmodified_since_ms;
    job->src_customer_key_md5 = s3_job_dup(src->customer_key_md5, ok);
}

/* Copies the tags, lock settings and ACL every object write may carry. */
void s3_job_dup_object_extras(struct s3_job *job, const struct s3_kv *tags, size_t n_tags,
                              const struct store_lock *lock, const char *acl_xml, bool *ok)
{
    job->acl_xml = s3_job_dup(acl_xml, ok);
    job->tags_json = store_encode_kv_json(tags, n_tags);
    *ok = *ok && job->tags_json;
    job->lock_mode = s3_job_dup(lock->mode, ok);
    job->lock_until_ms = lock->until_ms;
    job->legal_hold = lock->legal_hold;
}

static void settings_job_destroy(struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    free(job->bucket);
    free(job->key);
    free(job->version_id);
    free(job->text);
    store_job_release_common(base);
    free(job);
}

/* A job for bucket (and key / version); *ok false when a copy failed. */
struct settings_job *s3_settings_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
                                             const char *bucket, const char *key,
                                             const char *version_id, store_done_fn cb, void *arg,
                                             bool *ok)
{
    struct settings_job *job = calloc(1, sizeof(*job));
    if (!job)
        return NULL;
    job->base.apply = apply;
    job->base.destroy = settings_job_destroy;
    job->base.cb = cb;
    job->base.cb_arg = arg;
    job->bucket = strdup(bucket);
    job->key = key ? strdup(key) : NULL;
    job->version_id = version_id ? strdup(version_id) : NULL;
    *ok = job->bucket && (!key || job->key) && (!version_id || job->version_id);
    return job;
}

int s3_settings_job_queue(struct store *st, struct settings_job *job, bool ok)
{
    if (!ok) {
        settings_job_destroy(&job->base);
        errno = ENOMEM;
        return -1;
    }
    return store_enqueue(st, &job->base);
}

/* Runs a bucket UPDATE binding name ?1, text ?2 and the job's numbers ?3, ?4. */
enum s3_err s3_settings_update_bucket(struct store *st, const char *sql, const struct settings_job *job)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->text) != 0)
        return S3_ERR_INTERNAL_ERROR;
    if (sqlite3_bind_parameter_count(s) >= 4 &&
        (sqlite3_bind_int(s, 3, job->days) != SQLITE_OK ||
         sqlite3_bind_int(s, 4, job->years) != SQLITE_OK))
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

/* Loads the job's version after checking the bucket (and, when
 * needs_lock, that it has object lock: InvalidRequest otherwise). Sets
 * result.version_id when the bucket was ever versioned. */
enum s3_err s3_settings_load_version(struct store *st, struct settings_job *job, bool needs_lock,
                                    struct s3_object *o)
{
    struct s3_bucket b;
    memset(o, 0, sizeof(*o));
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err != S3_OK)
        return err;
    if (needs_lock && !b.object_lock) {
        job->base.result.err_detail = "Bucket is missing Object Lock Configuration";
        err = S3_ERR_INVALID_REQUEST;
    } else if (job->version_id && !store_version_id_valid(job->version_id)) {
        job->base.result.err_detail = "Invalid version id specified";
        err = S3_ERR_INVALID_ARGUMENT;
    } else {
        err = store_load_object(&st->writer, job->bucket, job->key, job->version_id, o);
    }
    if (err == S3_OK && b.versioning[0])
        snprintf(job->base.result.version_id, sizeof(job->base.result.version_id), "%s",
                 o->version_id);
    s3_bucket_free(&b);
    return err;
}

/* Runs the latest and the older UPDATE for version o: bucket ?1, key ?2,
 * version ?3, text ?4, number ?5 (each bound when the statement has it). */
enum s3_err s3_settings_update_version(struct store *st, const struct settings_job *job,
                                  const struct s3_object *o, const char *sql_latest,
                                  const char *sql_older, const char *text, int64_t number)
{
    const char *sqls[] = {sql_latest, sql_older};
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *s = db_stmt(&st->writer, sqls[i]);
        if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->key) != 0 ||
            db_bind_text(s, 3, o->version_id) != 0)
            return S3_ERR_INTERNAL_ERROR;
        int params = sqlite3_bind_parameter_count(s);
        if (params >= 4 && db_bind_text(s, 4, text) != 0)
            return S3_ERR_INTERNAL_ERROR;
        if (params >= 5 && sqlite3_bind_int64(s, 5, number) != SQLITE_OK)
            return S3_ERR_INTERNAL_ERROR;
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}
