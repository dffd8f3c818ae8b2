/* s3_tagging: tags in the store — a bucket's (reads and writes) and a
 * version's (writes; reading them is loading the version). Tag sets are
 * kept as JSON objects in the bucket's and the version's rows. */
#include "storage/s3/internal.h"

#include <stdlib.h>

static const char sql_bucket_tags[] = "SELECT tags FROM buckets WHERE name = ?1";
static const char sql_set_bucket_tags[] = "UPDATE buckets SET tags = ?2 WHERE name = ?1";
static const char sql_latest_tags[] =
    "UPDATE objects SET tags = ?4 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_older_tags[] =
    "UPDATE object_versions SET tags = ?4 WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";

enum s3_err store_get_bucket_tags(struct store *st, const char *bucket, struct s3_kv **tags,
                                  size_t *n_tags)
{
    *tags = NULL;
    *n_tags = 0;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_bucket_tags);
    if (!s || db_bind_text(s, 1, bucket) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    char *json = NULL;
    enum s3_err err = S3_OK;
    if (rc == SQLITE_DONE)
        err = S3_ERR_NO_SUCH_BUCKET;
    else if (rc != SQLITE_ROW || db_column_strdup(s, 0, &json) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    else if (!json)
        err = S3_ERR_NO_SUCH_TAG_SET;
    sqlite3_reset(s);
    if (err == S3_OK && store_decode_user_meta(&st->reader, json, tags, n_tags) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    free(json);
    return err;
}

static enum s3_err apply_bucket_tags(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    return err == S3_OK ? s3_settings_update_bucket(st, sql_set_bucket_tags, job) : err;
}

int store_set_bucket_tags(struct store *st, const char *bucket, const struct s3_kv *tags,
                          size_t n_tags, store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = s3_settings_job_new(apply_bucket_tags, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = tags ? store_encode_kv_json(tags, n_tags) : NULL;
    return s3_settings_job_queue(st, job, ok && (!tags || job->text));
}

static enum s3_err apply_object_tags(struct store *st, struct store_job *base)
{
    struct settings_job *job = (struct settings_job *)base;
    struct s3_object o;
    enum s3_err err = s3_settings_load_version(st, job, false, &o);
    if (err == S3_OK)
        err = s3_settings_update_version(st, job, &o, sql_latest_tags, sql_older_tags,
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
        s3_settings_job_new(apply_object_tags, bucket, key, version_id, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = tags ? store_encode_kv_json(tags, n_tags) : NULL;
    return s3_settings_job_queue(st, job, ok && (!tags || job->text));
}
