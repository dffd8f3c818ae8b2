/* s3_versioning: version ids — making them (32 characters of
 * [A-Za-z0-9._], or "null" in a bucket that is not versioning) and
 * checking them — and PutBucketVersioning's write. */
#include "storage/s3/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* Version ids: STORE_VERSION_ID_LEN characters of this alphabet. */
#define STORE_VERSION_ID_LEN 32
#define STORE_VERSION_ID_ALPHABET \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._"

static const char sql_set_versioning[] = "UPDATE buckets SET versioning = ?2 WHERE name = ?1";

bool store_version_id_valid(const char *version_id)
{
    if (strcmp(version_id, "null") == 0)
        return true;
    if (strlen(version_id) != STORE_VERSION_ID_LEN)
        return false;
    for (const char *p = version_id; *p; p++) {
        if (!strchr(STORE_VERSION_ID_ALPHABET, *p))
            return false;
    }
    return true;
}

int store_new_version_id(char out[40])
{
    static const char alphabet[] = STORE_VERSION_ID_ALPHABET;
    unsigned char rnd[STORE_VERSION_ID_LEN];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -1;
    for (size_t i = 0; i < sizeof(rnd); i++)
        out[i] = alphabet[rnd[i] & 63];
    out[STORE_VERSION_ID_LEN] = '\0';
    return 0;
}

/* The id of a new version: fresh in a versioning-enabled bucket, "null"
 * otherwise; *reported is the id to answer with ("" when never versioned). */
enum s3_err s3_new_version_id(const struct s3_bucket *b, char id[40], char reported[40])
{
    if (strcmp(b->versioning, "Enabled") == 0) {
        if (store_new_version_id(id) != 0)
            return S3_ERR_INTERNAL_ERROR;
    } else {
        snprintf(id, 40, "null");
    }
    snprintf(reported, 40, "%s", b->versioning[0] ? id : "");
    return S3_OK;
}

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
    return err == S3_OK ? s3_settings_update_bucket(st, sql_set_versioning, job) : err;
}

int store_set_versioning(struct store *st, const char *bucket, const char *status,
                         store_done_fn cb, void *arg)
{
    bool ok;
    struct settings_job *job = s3_settings_job_new(apply_versioning, bucket, NULL, NULL, cb, arg, &ok);
    if (!job)
        return -1;
    job->text = strdup(status);
    return s3_settings_job_queue(st, job, ok && job->text);
}
