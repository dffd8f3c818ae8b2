/* s3_object_lock: object lock in the store — a bucket's configuration
 * (its default retention), and a version's retention and legal hold, with
 * the rules of who may shorten or lift a retention. */
#include "storage/s3/internal.h"

#include <stdlib.h>
#include <string.h>

static const char sql_set_lock[] =
    "UPDATE buckets SET object_lock = 1, lock_mode = ?2, lock_days = ?3, lock_years = ?4"
    " WHERE name = ?1";
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
    return err == S3_OK ? s3_settings_update_bucket(st, sql_set_lock, job) : err;
}

int store_set_object_lock(struct store *st, const char *bucket, const char *mode, int days,
                          int years, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = s3_settings_job_new(apply_object_lock, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = mode ? strdup(mode) : NULL;
    job->days = mode ? days : 0;
    job->years = mode ? years : 0;
    return s3_settings_job_queue(st, job, ok && (!mode || job->text));
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
    enum s3_err err = s3_settings_load_version(st, job, true, &o);
    if (err == S3_OK && retention_change_denied(&o, job->text, job->number, job->bypass_governance))
        err = S3_ERR_ACCESS_DENIED;
    if (err == S3_OK)
        err = s3_settings_update_version(st, job, &o, sql_latest_retention, sql_older_retention, job->text,
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
        s3_settings_job_new(apply_retention, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = mode ? strdup(mode) : NULL;
    job->number = until_ms;
    job->bypass_governance = bypass_governance;
    return s3_settings_job_queue(st, job, ok && (!mode || job->text));
}

static enum s3_err apply_legal_hold(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_object o;
    enum s3_err err = s3_settings_load_version(st, job, true, &o);
    if (err == S3_OK)
        err = s3_settings_update_version(st, job, &o, sql_latest_hold, sql_older_hold, NULL, job->number);
    s3_object_free(&o);
    return err;
}

int store_set_legal_hold(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool on, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job =
        s3_settings_job_new(apply_legal_hold, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->number = on;
    return s3_settings_job_queue(st, job, ok);
}
