/* s3_settings: the S3 writes that change settings rather than content —
 * bucket versioning, the object lock configuration, bucket tags, and the
 * tags, retention and legal hold of one object version.
 *
 * Each store_set_* call copies its inputs into a settings_job and queues
 * it; apply_* runs on the commit thread inside the batch transaction and
 * checks S3's rules against the state there. A version's settings are
 * changed with one UPDATE of `objects` (the latest version) and one of
 * object_versions: a version id lives in exactly one of them. */
#include "storage/core/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct settings_job {
    struct store_job base;
    char *bucket, *key, *version_id;
    char *text;                    /* status, mode or tags JSON; NULL when removed */
    int64_t number;                /* until_ms, legal hold 0/1 */
    int days, years;
    bool bypass_governance;
};

static const char sql_set_versioning[] = "UPDATE buckets SET versioning = ?2 WHERE name = ?1";
static const char sql_set_lock[] =
    "UPDATE buckets SET object_lock = 1, lock_mode = ?2, lock_days = ?3, lock_years = ?4"
    " WHERE name = ?1";
static const char sql_set_bucket_tags[] = "UPDATE buckets SET tags = ?2 WHERE name = ?1";
static const char sql_latest_tags[] =
    "UPDATE objects SET tags = ?4 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_older_tags[] =
    "UPDATE object_versions SET tags = ?4 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_latest_retention[] =
    "UPDATE objects SET lock_mode = ?4, lock_until_ms = ?5"
    " WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_older_retention[] =
    "UPDATE object_versions SET lock_mode = ?4, lock_until_ms = ?5"
    " WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_latest_hold[] =
    "UPDATE objects SET legal_hold = ?5 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_older_hold[] =
    "UPDATE object_versions SET legal_hold = ?5"
    " WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";

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
static struct settings_job *settings_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
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

static int queue_settings(struct store *st, struct settings_job *job, bool ok)
{
    if (!ok) {
        settings_job_destroy(&job->base);
        errno = ENOMEM;
        return -1;
    }
    return store_enqueue(st, &job->base);
}

/* Runs a bucket UPDATE binding name ?1, text ?2 and the job's numbers ?3, ?4. */
static enum s3_err update_bucket(struct store *st, const char *sql, const struct settings_job *job)
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

/* ---- buckets ----------------------------------------------------------------- */

static enum s3_err apply_versioning(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_bucket b;
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err != S3_OK)
        return err;
    if (b.object_lock && strcmp(job->text, "Enabled") != 0) {
        base->result.err_detail =
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.";
        err = S3_ERR_INVALID_BUCKET_STATE;
    }
    s3_bucket_free(&b);
    return err == S3_OK ? update_bucket(st, sql_set_versioning, job) : err;
}

int store_set_versioning(struct store *st, const char *bucket, const char *status,
                         store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = settings_job_new(apply_versioning, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = strdup(status);
    return queue_settings(st, job, ok && job->text);
}

static enum s3_err apply_object_lock(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_bucket b;
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err != S3_OK)
        return err;
    if (!b.object_lock && strcmp(b.versioning, "Enabled") != 0) {
        base->result.err_detail =
            "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration";
        err = S3_ERR_INVALID_BUCKET_STATE;
    }
    s3_bucket_free(&b);
    return err == S3_OK ? update_bucket(st, sql_set_lock, job) : err;
}

int store_set_object_lock(struct store *st, const char *bucket, const char *mode, int days,
                          int years, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = settings_job_new(apply_object_lock, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = mode ? strdup(mode) : NULL;
    job->days = mode ? days : 0;
    job->years = mode ? years : 0;
    return queue_settings(st, job, ok && (!mode || job->text));
}

static enum s3_err apply_bucket_tags(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    return err == S3_OK ? update_bucket(st, sql_set_bucket_tags, job) : err;
}

int store_set_bucket_tags(struct store *st, const char *bucket, const struct s3_kv *tags,
                          size_t n_tags, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = settings_job_new(apply_bucket_tags, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = tags ? store_encode_kv_json(tags, n_tags) : NULL;
    return queue_settings(st, job, ok && (!tags || job->text));
}

/* ---- object versions ----------------------------------------------------------- */

/* Loads the job's version after checking the bucket (and, when
 * needs_lock, that it has object lock: InvalidRequest otherwise). Sets
 * result.version_id when the bucket was ever versioned. */
static enum s3_err load_job_version(struct store *st, struct settings_job *job, bool needs_lock,
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
static enum s3_err update_version(struct store *st, const struct settings_job *job,
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

static enum s3_err apply_object_tags(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_object o;
    enum s3_err err = load_job_version(st, job, false, &o);
    if (err == S3_OK)
        err = update_version(st, job, &o, sql_latest_tags, sql_older_tags,
                             job->text ? job->text : "{}", 0);
    if (err == S3_OK)
        err = store_notify_record(st, job->text ? "ObjectTagging:Put" : "ObjectTagging:Delete",
                                  job->bucket, job->key, -1, o.etag, o.version_id);
    s3_object_free(&o);
    return err;
}

int store_set_object_tags(struct store *st, const char *bucket, const char *key,
                          const char *version_id, const struct s3_kv *tags, size_t n_tags,
                          store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job =
        settings_job_new(apply_object_tags, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = tags ? store_encode_kv_json(tags, n_tags) : NULL;
    return queue_settings(st, job, ok && (!tags || job->text));
}

/* Would replacing o's retention with (mode, until_ms) weaken an active
 * one? COMPLIANCE may only be extended; GOVERNANCE needs the bypass. */
static bool retention_change_denied(const struct s3_object *o, const char *mode, int64_t until_ms,
                                    bool bypass_governance)
{
    if (!o->lock_mode[0] || o->lock_until_ms <= clock_now_ms())
        return false;
    bool weaker = !mode || until_ms < o->lock_until_ms ||
                  (strcmp(o->lock_mode, "COMPLIANCE") == 0 && strcmp(mode, "COMPLIANCE") != 0);
    if (!weaker)
        return false;
    return strcmp(o->lock_mode, "COMPLIANCE") == 0 || !bypass_governance;
}

static enum s3_err apply_retention(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_object o;
    enum s3_err err = load_job_version(st, job, true, &o);
    if (err == S3_OK && retention_change_denied(&o, job->text, job->number, job->bypass_governance))
        err = S3_ERR_ACCESS_DENIED;
    if (err == S3_OK)
        err = update_version(st, job, &o, sql_latest_retention, sql_older_retention, job->text,
                             job->text ? job->number : 0);
    s3_object_free(&o);
    return err;
}

int store_set_retention(struct store *st, const char *bucket, const char *key,
                        const char *version_id, const char *mode, int64_t until_ms,
                        bool bypass_governance, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job =
        settings_job_new(apply_retention, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = mode ? strdup(mode) : NULL;
    job->number = until_ms;
    job->bypass_governance = bypass_governance;
    return queue_settings(st, job, ok && (!mode || job->text));
}

static enum s3_err apply_legal_hold(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_object o;
    enum s3_err err = load_job_version(st, job, true, &o);
    if (err == S3_OK)
        err = update_version(st, job, &o, sql_latest_hold, sql_older_hold, NULL, job->number);
    s3_object_free(&o);
    return err;
}

int store_set_legal_hold(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool on, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job =
        settings_job_new(apply_legal_hold, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->number = on;
    return queue_settings(st, job, ok);
}
