/* s3_write: every S3 mutation, as a job for the commit thread.
 *
 * The store_* entry points copy their inputs into one struct s3_job and
 * queue it; the apply_* functions run later on the commit thread, inside the
 * batch transaction under the job's own savepoint, and enforce S3's rules
 * there (NoSuchBucket, BucketNotEmpty, conditional writes, multipart checks)
 * against the state the earlier jobs of the batch left. Blob reference counts
 * follow from the schema's triggers: inserting a segment or part takes a
 * reference, deleting one (cascades included) drops it. */
#include "storage/store_internal.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

/* One job shape for every write; each operation uses the fields it needs. */
struct s3_job {
    struct store_job base;
    char *bucket, *key, *account, *region, *upload_id, *storage_class;
    char *src_bucket, *src_key, *if_match, *if_none_match;
    bool if_none_match_any, replace, has_content;
    struct s3_content_headers content;
    char *meta_json;
    int64_t if_modified_since_ms, if_unmodified_since_ms;
    int part_number;
    int64_t first, last;
    struct s3_complete_part *parts;
    size_t n_parts;
    int tmp_age_s;
};

static const char sql_bucket_owner[] = "SELECT owner FROM buckets WHERE name = ?1";
static const char sql_bucket_insert[] =
    "INSERT INTO buckets(name, owner, region, created_ms) VALUES (?1, ?2, ?3, ?4)";
static const char sql_bucket_has_objects[] = "SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1";
static const char sql_bucket_drop_uploads[] = "DELETE FROM uploads WHERE bucket = ?1";
static const char sql_bucket_delete[] = "DELETE FROM buckets WHERE name = ?1";
static const char sql_blob_register[] =
    "INSERT INTO blobs(sha256, size, refcount, data_id) VALUES (?1, ?2, 0, ?3)"
    " ON CONFLICT(sha256) DO NOTHING";
static const char sql_blob_exists[] = "SELECT 1 FROM blobs WHERE sha256 = ?1";
static const char sql_blob_data_insert[] = "INSERT INTO blob_data(data) VALUES (?1)";
static const char sql_object_etag[] = "SELECT etag FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_object_delete[] = "DELETE FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_object_insert[] =
    "INSERT INTO objects(bucket, key, size, etag, last_modified_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta, parts_count)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";
static const char sql_segment_insert[] =
    "INSERT INTO object_segments(bucket, key, idx, blob, size) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_upload_insert[] =
    "INSERT INTO uploads(upload_id, bucket, key, initiated_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char sql_upload_target[] = "SELECT bucket, key FROM uploads WHERE upload_id = ?1";
static const char sql_upload_details[] =
    "SELECT owner, storage_class, content_type, content_encoding, content_disposition,"
    " content_language, cache_control, expires, user_meta FROM uploads WHERE upload_id = ?1";
static const char sql_upload_delete[] = "DELETE FROM uploads WHERE upload_id = ?1";
static const char sql_part_delete[] =
    "DELETE FROM parts WHERE upload_id = ?1 AND part_number = ?2";
static const char sql_part_insert[] =
    "INSERT INTO parts(upload_id, part_number, etag, size, blob, last_modified_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_part_get[] =
    "SELECT etag, size, blob FROM parts WHERE upload_id = ?1 AND part_number = ?2";

/* ---- jobs ------------------------------------------------------------------ */

static void s3_job_destroy(struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    char *strings[] = {job->bucket, job->key, job->account, job->region, job->upload_id,
                       job->storage_class, job->src_bucket, job->src_key, job->if_match,
                       job->if_none_match, job->meta_json};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(strings[i]);
    s3_content_headers_free(&job->content);
    free(job->parts);
    store_job_release_common(base);
    free(job);
}

static struct s3_job *job_new(enum s3_err (*apply)(struct store *, struct store_job *),
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
static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = false;
    return d;
}

static void dup_content(const struct s3_content_headers *src, struct s3_content_headers *dst,
                        bool *ok)
{
    if (!src)
        return;
    dst->content_type = dup_or_null(src->content_type, ok);
    dst->content_encoding = dup_or_null(src->content_encoding, ok);
    dst->content_disposition = dup_or_null(src->content_disposition, ok);
    dst->content_language = dup_or_null(src->content_language, ok);
    dst->cache_control = dup_or_null(src->cache_control, ok);
    dst->expires = dup_or_null(src->expires, ok);
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

/* User metadata as a JSON object {"name":"value",...}; NULL on ENOMEM. */
static char *encode_user_meta(const struct s3_kv *kv, size_t n)
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

static int queue_job(struct store *st, struct s3_job *job, bool ok)
{
    if (!ok) {
        s3_job_destroy(&job->base);
        errno = ENOMEM;
        return -1;
    }
    return store_enqueue(st, &job->base);
}

/* ---- SQL helpers on the writer --------------------------------------------- */

static bool step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static int bind_content(sqlite3_stmt *s, int first, const struct s3_content_headers *c)
{
    const char *values[] = {c->content_type, c->content_encoding, c->content_disposition,
                            c->content_language, c->cache_control, c->expires};
    for (int i = 0; i < 6; i++) {
        if (db_bind_text(s, first + i, values[i]) != 0)
            return -1;
    }
    return 0;
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
    if (!s || sqlite3_bind_blob(s, 1, data, (int)size, SQLITE_STATIC) != SQLITE_OK || !step_done(s))
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
        !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

static enum s3_err delete_object_row(struct store *st, const char *bucket, const char *key)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql_object_delete);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

/* Replaces bucket/key with `o` (its key field is ignored), segments included. */
static enum s3_err write_object(struct store *st, const char *bucket, const char *key,
                               const struct s3_object *o, const char *meta_json)
{
    if (delete_object_row(st, bucket, key) != S3_OK)
        return S3_ERR_INTERNAL_ERROR;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_object_insert);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        sqlite3_bind_int64(s, 3, o->size) != SQLITE_OK || db_bind_text(s, 4, o->etag) != 0 ||
        sqlite3_bind_int64(s, 5, o->last_modified_ms) != SQLITE_OK ||
        db_bind_text(s, 6, o->owner_account) != 0 || db_bind_text(s, 7, o->storage_class) != 0 ||
        bind_content(s, 8, &o->content) != 0 ||
        db_bind_text(s, 14, meta_json ? meta_json : "{}") != 0 ||
        sqlite3_bind_int(s, 15, o->parts_count) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    for (size_t i = 0; i < o->n_segments; i++) {
        s = db_stmt(&st->writer, sql_segment_insert);
        if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
            sqlite3_bind_int64(s, 3, (int64_t)i) != SQLITE_OK ||
            db_bind_text(s, 4, o->segments[i].blob_sha256) != 0 ||
            sqlite3_bind_int64(s, 5, o->segments[i].size) != SQLITE_OK || !step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

/* NO_SUCH_BUCKET, or NO_SUCH_UPLOAD unless the id is an upload of bucket/key. */
static enum s3_err check_upload(struct store *st, const char *bucket, const char *key,
                                const char *upload_id)
{
    enum s3_err err = store_check_bucket(&st->writer, bucket);
    if (err != S3_OK)
        return err;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_target);
    if (!s || db_bind_text(s, 1, upload_id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    err = S3_ERR_NO_SUCH_UPLOAD;
    if (rc == SQLITE_ROW) {
        const char *b = (const char *)sqlite3_column_text(s, 0);
        const char *k = (const char *)sqlite3_column_text(s, 1);
        if (b && k && strcmp(b, bucket) == 0 && strcmp(k, key) == 0)
            err = S3_OK;
    } else if (rc != SQLITE_DONE) {
        err = S3_ERR_INTERNAL_ERROR;
    }
    sqlite3_reset(s);
    return err;
}

static const unsigned char empty_md5[16] = {0xd4, 0x1d, 0x8c, 0xd9, 0x8f, 0x00, 0xb2, 0x04,
                                            0xe9, 0x80, 0x09, 0x98, 0xec, 0xf8, 0x42, 0x7e};

/* The job's body as hex MD5 (the ETag) and, when not empty, its registered blob. */
static enum s3_err body_blob(struct store *st, struct store_job *job, char etag[33])
{
    store_hex_encode(job->has_body ? job->body_md5 : empty_md5, 16, etag);
    if (!job->has_body || job->body_size == 0)
        return S3_OK;
    return register_blob(st, job->body_sha256, job->body_size, job->body_inline);
}

/* ---- buckets ----------------------------------------------------------------- */

static enum s3_err apply_create_bucket(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_bucket_owner);
    if (!s || db_bind_text(s, 1, job->bucket) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    enum s3_err err = S3_OK;
    if (rc == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(s, 0);
        err = owner && strcmp(owner, job->account) == 0 ? S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU
                                                         : S3_ERR_BUCKET_ALREADY_EXISTS;
    } else if (rc != SQLITE_DONE) {
        err = S3_ERR_INTERNAL_ERROR;
    }
    sqlite3_reset(s);
    if (err != S3_OK)
        return err;
    s = db_stmt(&st->writer, sql_bucket_insert);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->account) != 0 ||
        db_bind_text(s, 3, job->region ? job->region : "us-east-1") != 0 ||
        sqlite3_bind_int64(s, 4, store_now_ms()) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

int store_create_bucket(struct store *st, const char *account, const char *bucket,
                        const char *region, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_create_bucket, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->account = dup_or_null(account ? account : "", &ok);
    job->bucket = dup_or_null(bucket, &ok);
    job->region = dup_or_null(region, &ok);
    return queue_job(st, job, ok);
}

static enum s3_err apply_delete_bucket(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err != S3_OK)
        return err;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_bucket_has_objects);
    if (!s || db_bind_text(s, 1, job->bucket) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return S3_ERR_BUCKET_NOT_EMPTY;
    if (rc != SQLITE_DONE)
        return S3_ERR_INTERNAL_ERROR;
    const char *drops[] = {sql_bucket_drop_uploads, sql_bucket_delete};
    for (size_t i = 0; i < 2; i++) {
        s = db_stmt(&st->writer, drops[i]);
        if (!s || db_bind_text(s, 1, job->bucket) != 0 || !step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

int store_delete_bucket(struct store *st, const char *bucket, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_delete_bucket, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    return queue_job(st, job, ok);
}

/* ---- objects ------------------------------------------------------------------ */

/* If-None-Match: * and If-Match against the current object. */
static enum s3_err check_put_conditions(struct store *st, const struct s3_job *job)
{
    if (!job->if_none_match_any && !job->if_match)
        return S3_OK;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_object_etag);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->key) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    enum s3_err err = S3_OK;
    if (rc == SQLITE_ROW) {
        const char *etag = (const char *)sqlite3_column_text(s, 0);
        if (job->if_none_match_any)
            err = S3_ERR_PRECONDITION_FAILED;
        else if (strcmp(job->if_match, "*") != 0 && (!etag || strcmp(etag, job->if_match) != 0))
            err = S3_ERR_PRECONDITION_FAILED;
    } else if (rc == SQLITE_DONE) {
        err = job->if_match ? S3_ERR_NO_SUCH_KEY : S3_OK;
    } else {
        err = S3_ERR_INTERNAL_ERROR;
    }
    sqlite3_reset(s);
    return err;
}

static enum s3_err apply_put_object(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err == S3_OK)
        err = check_put_conditions(st, job);
    struct s3_object o = {0};
    if (err == S3_OK)
        err = body_blob(st, base, o.etag);
    if (err != S3_OK)
        return err;
    struct s3_segment seg = {.size = base->body_size};
    memcpy(seg.blob_sha256, base->body_sha256, sizeof(seg.blob_sha256));
    o.size = base->has_body ? base->body_size : 0;
    o.segments = &seg;
    o.n_segments = o.size > 0 ? 1 : 0;
    o.last_modified_ms = store_now_ms();
    snprintf(o.owner_account, sizeof(o.owner_account), "%s", job->account);
    o.storage_class = job->storage_class;
    o.content = job->content;
    err = write_object(st, job->bucket, job->key, &o, job->meta_json);
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, 33);
        base->result.last_modified_ms = o.last_modified_ms;
    }
    return err;
}

int store_put_object(struct store *st, const struct store_put *put, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_put_object, cb, arg);
    if (!job) {
        blob_writer_discard(put->body);
        return -1;
    }
    job->base.body = put->body;
    bool ok = true;
    job->bucket = dup_or_null(put->bucket, &ok);
    job->key = dup_or_null(put->key, &ok);
    job->account = dup_or_null(put->account ? put->account : "", &ok);
    job->storage_class = dup_or_null(put->storage_class, &ok);
    job->if_match = dup_or_null(put->if_match, &ok);
    job->if_none_match_any = put->if_none_match_any;
    dup_content(put->content, &job->content, &ok);
    job->meta_json = encode_user_meta(put->user_meta, put->n_user_meta);
    ok = ok && job->meta_json;
    return queue_job(st, job, ok);
}

static enum s3_err apply_delete_objects(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err != S3_OK)
        return err;
    if (job->key)
        return delete_object_row(st, job->bucket, job->key);
    for (size_t i = 0; i < base->result.n_deleted; i++)
        base->result.deleted[i].err = delete_object_row(st, job->bucket, base->result.deleted[i].key);
    return S3_OK;
}

int store_delete_object(struct store *st, const char *bucket, const char *key,
                        store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->key = dup_or_null(key, &ok);
    return queue_job(st, job, ok);
}

int store_delete_objects(struct store *st, const char *bucket, const char *const *keys,
                         size_t n_keys, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->base.result.deleted = calloc(n_keys ? n_keys : 1, sizeof(*job->base.result.deleted));
    if (job->base.result.deleted) {
        job->base.result.n_deleted = n_keys;
        for (size_t i = 0; i < n_keys; i++)
            job->base.result.deleted[i].key = dup_or_null(keys[i], &ok);
    } else {
        ok = false;
    }
    return queue_job(st, job, ok);
}

/* x-amz-copy-source-if-*: a true If-Match overrides If-Unmodified-Since and
 * If-None-Match overrides If-Modified-Since, as AWS documents. Dates have
 * one-second resolution. */
static enum s3_err check_copy_conditions(const struct s3_job *job, const struct s3_object *src)
{
    int64_t modified_s = src->last_modified_ms / 1000;
    if (job->if_match) {
        if (strcmp(job->if_match, "*") != 0 && strcmp(job->if_match, src->etag) != 0)
            return S3_ERR_PRECONDITION_FAILED;
    } else if (job->if_unmodified_since_ms && modified_s > job->if_unmodified_since_ms / 1000) {
        return S3_ERR_PRECONDITION_FAILED;
    }
    if (job->if_none_match) {
        if (strcmp(job->if_none_match, "*") == 0 || strcmp(job->if_none_match, src->etag) == 0)
            return S3_ERR_PRECONDITION_FAILED;
    } else if (job->if_modified_since_ms && modified_s <= job->if_modified_since_ms / 1000) {
        return S3_ERR_PRECONDITION_FAILED;
    }
    return S3_OK;
}

static enum s3_err apply_copy_object(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_object src;
    enum s3_err err = store_check_bucket(&st->writer, job->src_bucket);
    if (err != S3_OK)
        return err;
    err = store_load_object(&st->writer, job->src_bucket, job->src_key, &src);
    if (err != S3_OK)
        return err;
    err = check_copy_conditions(job, &src);
    if (err == S3_OK)
        err = store_check_bucket(&st->writer, job->bucket);
    char *meta_json = NULL;
    if (err == S3_OK && !job->replace) {
        meta_json = encode_user_meta(src.user_meta, src.n_user_meta);
        if (!meta_json)
            err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK) {
        struct s3_object dst = src;
        dst.last_modified_ms = store_now_ms();
        snprintf(dst.owner_account, sizeof(dst.owner_account), "%s", job->account);
        dst.storage_class = job->storage_class;
        if (job->replace)
            dst.content = job->content;
        err = write_object(st, job->bucket, job->key, &dst,
                           job->replace ? job->meta_json : meta_json);
        if (err == S3_OK) {
            memcpy(base->result.etag, src.etag, sizeof(src.etag));
            base->result.last_modified_ms = dst.last_modified_ms;
        }
    }
    free(meta_json);
    s3_object_free(&src);
    return err;
}

int store_copy_object(struct store *st, const struct store_copy *cp, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_copy_object, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->src_bucket = dup_or_null(cp->src_bucket, &ok);
    job->src_key = dup_or_null(cp->src_key, &ok);
    job->bucket = dup_or_null(cp->dst_bucket, &ok);
    job->key = dup_or_null(cp->dst_key, &ok);
    job->account = dup_or_null(cp->account ? cp->account : "", &ok);
    job->if_match = dup_or_null(cp->if_match, &ok);
    job->if_none_match = dup_or_null(cp->if_none_match, &ok);
    job->if_modified_since_ms = cp->if_modified_since_ms;
    job->if_unmodified_since_ms = cp->if_unmodified_since_ms;
    job->storage_class = dup_or_null(cp->storage_class, &ok);
    job->replace = cp->replace;
    if (cp->replace) {
        dup_content(cp->replace_content, &job->content, &ok);
        job->meta_json = encode_user_meta(cp->replace_meta, cp->n_replace_meta);
        ok = ok && job->meta_json;
    }
    return queue_job(st, job, ok);
}

/* ---- multipart ------------------------------------------------------------------ */

/* 30 random bytes as 40 URL-safe base64 characters. */
static int new_upload_id(char out[64])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char rnd[30];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < sizeof(rnd); i += 3) {
        uint32_t v = (uint32_t)rnd[i] << 16 | (uint32_t)rnd[i + 1] << 8 | rnd[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out[o++] = alphabet[(v >> shift) & 63];
    }
    out[o] = '\0';
    return 0;
}

static enum s3_err apply_create_upload(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err != S3_OK)
        return err;
    char id[64];
    if (new_upload_id(id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int64_t now = store_now_ms();
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_insert);
    if (!s || db_bind_text(s, 1, id) != 0 || db_bind_text(s, 2, job->bucket) != 0 ||
        db_bind_text(s, 3, job->key) != 0 || sqlite3_bind_int64(s, 4, now) != SQLITE_OK ||
        db_bind_text(s, 5, job->account) != 0 || db_bind_text(s, 6, job->storage_class) != 0 ||
        bind_content(s, 7, &job->content) != 0 || db_bind_text(s, 13, job->meta_json) != 0 ||
        !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    memcpy(base->result.upload_id, id, sizeof(id));
    base->result.last_modified_ms = now;
    return S3_OK;
}

int store_create_upload(struct store *st, const struct store_create_upload *cu,
                        store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_create_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(cu->bucket, &ok);
    job->key = dup_or_null(cu->key, &ok);
    job->account = dup_or_null(cu->account ? cu->account : "", &ok);
    job->storage_class = dup_or_null(cu->storage_class, &ok);
    dup_content(cu->content, &job->content, &ok);
    job->meta_json = encode_user_meta(cu->user_meta, cu->n_user_meta);
    ok = ok && job->meta_json;
    return queue_job(st, job, ok);
}

static enum s3_err apply_put_part(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = check_upload(st, job->bucket, job->key, job->upload_id);
    char etag[33];
    if (err == S3_OK)
        err = body_blob(st, base, etag);
    if (err != S3_OK)
        return err;
    int64_t size = base->has_body ? base->body_size : 0;
    int64_t now = store_now_ms();
    sqlite3_stmt *s = db_stmt(&st->writer, sql_part_delete);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    s = db_stmt(&st->writer, sql_part_insert);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || db_bind_text(s, 3, etag) != 0 ||
        sqlite3_bind_int64(s, 4, size) != SQLITE_OK ||
        db_bind_text(s, 5, size > 0 ? base->body_sha256 : NULL) != 0 ||
        sqlite3_bind_int64(s, 6, now) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    memcpy(base->result.etag, etag, sizeof(etag));
    base->result.last_modified_ms = now;
    return S3_OK;
}

static struct s3_job *part_job_new(const char *bucket, const char *key, const char *upload_id,
                                   int part_number, store_done_fn cb, void *arg, bool *ok)
{
    struct s3_job *job = job_new(apply_put_part, cb, arg);
    if (!job)
        return NULL;
    job->bucket = dup_or_null(bucket, ok);
    job->key = dup_or_null(key, ok);
    job->upload_id = dup_or_null(upload_id, ok);
    job->part_number = part_number;
    return job;
}

int store_put_part(struct store *st, const char *bucket, const char *key,
                   const char *upload_id, int part_number, struct blob_writer *body,
                   store_done_fn cb, void *arg)
{
    bool ok = true;
    struct s3_job *job = part_job_new(bucket, key, upload_id, part_number, cb, arg, &ok);
    if (!job) {
        blob_writer_discard(body);
        return -1;
    }
    job->base.body = body;
    return queue_job(st, job, ok);
}

/* Streams bytes [first, last] of the object's segments into bw. */
static int copy_range(struct store *st, const struct s3_object *o, int64_t first, int64_t last,
                      struct blob_writer *bw)
{
    char buf[65536];
    int64_t seg_start = 0;
    for (size_t i = 0; i < o->n_segments && seg_start <= last; i++) {
        int64_t seg_end = seg_start + o->segments[i].size;
        int64_t from = (first > seg_start ? first : seg_start) - seg_start;
        int64_t to = (last + 1 < seg_end ? last + 1 : seg_end) - seg_start;
        if (seg_end > first && o->segments[i].data) {
            if (blob_writer_write(bw, o->segments[i].data + from, (size_t)(to - from)) != 0)
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
                if (n <= 0 || blob_writer_write(bw, buf, (size_t)n) != 0) {
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

/* Before the transaction: the source range becomes this job's body. */
static enum s3_err prepare_part_copy(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->src_bucket);
    struct s3_object src;
    if (err != S3_OK)
        return err;
    err = store_load_object(&st->writer, job->src_bucket, job->src_key, &src);
    if (err != S3_OK)
        return err;
    int64_t first = job->first, last = job->last;
    if (first < 0) {
        first = 0;
        last = src.size - 1;
    } else if (first > last || last >= src.size) {
        err = S3_ERR_INVALID_RANGE;
    }
    struct blob_writer *bw = NULL;
    if (err == S3_OK && blob_writer_new_sync(st, &bw) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    if (err == S3_OK && copy_range(st, &src, first, last, bw) != 0) {
        blob_writer_discard(bw);
        err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK && blob_writer_finish_sync(bw) != 0) {
        blob_writer_discard(bw);
        err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK)
        base->body = bw;
    s3_object_free(&src);
    return err;
}

int store_put_part_copy(struct store *st, const char *bucket, const char *key,
                        const char *upload_id, int part_number, const char *src_bucket,
                        const char *src_key, int64_t first, int64_t last,
                        store_done_fn cb, void *arg)
{
    bool ok = true;
    struct s3_job *job = part_job_new(bucket, key, upload_id, part_number, cb, arg, &ok);
    if (!job)
        return -1;
    job->base.prepare = prepare_part_copy;
    job->src_bucket = dup_or_null(src_bucket, &ok);
    job->src_key = dup_or_null(src_key, &ok);
    job->first = first;
    job->last = last;
    return queue_job(st, job, ok);
}

static bool hex_decode_md5(const char *hex, unsigned char out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return false;
        out[i] = (unsigned char)byte;
    }
    return strlen(hex) == 32;
}

/* Checks the listed parts — order, then existence and ETags, then sizes —
 * and gathers them into `o` (segments, size, ETag). */
static enum s3_err gather_parts(struct store *st, const struct s3_job *job, struct s3_object *o)
{
    if (job->n_parts == 0)
        return S3_ERR_MALFORMED_XML;
    for (size_t i = 1; i < job->n_parts; i++) {
        if (job->parts[i].part_number <= job->parts[i - 1].part_number)
            return S3_ERR_INVALID_PART_ORDER;
    }
    o->segments = calloc(job->n_parts, sizeof(*o->segments));
    EVP_MD_CTX *md5 = EVP_MD_CTX_new();
    if (!o->segments || !md5 || !EVP_DigestInit_ex(md5, EVP_md5(), NULL)) {
        EVP_MD_CTX_free(md5);
        return S3_ERR_INTERNAL_ERROR;
    }
    enum s3_err err = S3_OK;
    bool too_small = false;
    for (size_t i = 0; i < job->n_parts && err == S3_OK; i++) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql_part_get);
        if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
            sqlite3_bind_int(s, 2, job->parts[i].part_number) != SQLITE_OK) {
            err = S3_ERR_INTERNAL_ERROR;
            break;
        }
        int rc = sqlite3_step(s);
        const char *etag = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
        unsigned char digest[16];
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            err = S3_ERR_INTERNAL_ERROR;
        } else if (!etag || strcasecmp(etag, job->parts[i].etag) != 0 ||
                   !hex_decode_md5(etag, digest)) {
            err = S3_ERR_INVALID_PART;
        } else {
            int64_t size = sqlite3_column_int64(s, 1);
            too_small = too_small || (i + 1 < job->n_parts && size < STORE_MIN_PART_SIZE);
            if (!EVP_DigestUpdate(md5, digest, 16))
                err = S3_ERR_INTERNAL_ERROR;
            o->size += size;
            const char *blob = (const char *)sqlite3_column_text(s, 2);
            if (blob && size > 0) {
                struct s3_segment *seg = &o->segments[o->n_segments++];
                snprintf(seg->blob_sha256, sizeof(seg->blob_sha256), "%s", blob);
                seg->size = size;
            }
        }
        sqlite3_reset(s);
    }
    if (err == S3_OK && too_small)
        err = S3_ERR_ENTITY_TOO_SMALL;
    unsigned char digest[16];
    unsigned int len = 0;
    if (err == S3_OK && !EVP_DigestFinal_ex(md5, digest, &len))
        err = S3_ERR_INTERNAL_ERROR;
    EVP_MD_CTX_free(md5);
    if (err == S3_OK) {
        store_hex_encode(digest, 16, o->etag);
        snprintf(o->etag + 32, sizeof(o->etag) - 32, "-%zu", job->n_parts);
        o->parts_count = (int)job->n_parts;
    }
    return err;
}

/* The upload's owner, storage class, headers and metadata JSON. */
static enum s3_err load_upload_details(struct store *st, const char *upload_id,
                                       struct s3_object *o, char **meta_json)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_details);
    if (!s || db_bind_text(s, 1, upload_id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    enum s3_err err = S3_ERR_INTERNAL_ERROR;
    if (sqlite3_step(s) == SQLITE_ROW) {
        const unsigned char *owner = sqlite3_column_text(s, 0);
        snprintf(o->owner_account, sizeof(o->owner_account), "%s",
                 owner ? (const char *)owner : "");
        if (db_column_strdup(s, 1, &o->storage_class) == 0 &&
            store_read_content_columns(s, 2, &o->content) == 0 &&
            db_column_strdup(s, 8, meta_json) == 0)
            err = S3_OK;
    }
    sqlite3_reset(s);
    return err;
}

static enum s3_err apply_complete_upload(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = check_upload(st, job->bucket, job->key, job->upload_id);
    if (err != S3_OK)
        return err;
    struct s3_object o = {0};
    char *meta_json = NULL;
    err = gather_parts(st, job, &o);
    if (err == S3_OK)
        err = load_upload_details(st, job->upload_id, &o, &meta_json);
    if (err == S3_OK) {
        o.last_modified_ms = store_now_ms();
        err = write_object(st, job->bucket, job->key, &o, meta_json);
    }
    if (err == S3_OK) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_delete);
        if (!s || db_bind_text(s, 1, job->upload_id) != 0 || !step_done(s))
            err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, sizeof(o.etag));
        base->result.last_modified_ms = o.last_modified_ms;
    }
    free(meta_json);
    s3_object_free(&o);
    return err;
}

int store_complete_upload(struct store *st, const char *bucket, const char *key,
                          const char *upload_id, const struct s3_complete_part *parts,
                          size_t n_parts, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_complete_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->key = dup_or_null(key, &ok);
    job->upload_id = dup_or_null(upload_id, &ok);
    job->parts = malloc((n_parts ? n_parts : 1) * sizeof(*parts));
    if (job->parts && n_parts)
        memcpy(job->parts, parts, n_parts * sizeof(*parts));
    job->n_parts = n_parts;
    ok = ok && job->parts;
    return queue_job(st, job, ok);
}

static enum s3_err apply_abort_upload(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = check_upload(st, job->bucket, job->key, job->upload_id);
    if (err != S3_OK)
        return err;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_delete);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

int store_abort_upload(struct store *st, const char *bucket, const char *key,
                       const char *upload_id, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_abort_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->key = dup_or_null(key, &ok);
    job->upload_id = dup_or_null(upload_id, &ok);
    return queue_job(st, job, ok);
}

/* ---- garbage collection --------------------------------------------------------- */

static enum s3_err apply_gc(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    return blob_gc(st, job->tmp_age_s, &base->result.n_deleted);
}

int store_gc(struct store *st, int tmp_age_s, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_gc, cb, arg);
    if (!job)
        return -1;
    job->base.runs_alone = true;
    job->tmp_age_s = tmp_age_s;
    return queue_job(st, job, true);
}
