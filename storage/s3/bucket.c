/* s3_bucket: buckets in the store — reading one or an account's list
 * (the loop thread's reader), checking and loading one (the writer too),
 * creating (with the object lock, ownership controls and ACL CreateBucket's
 * headers ask for, in the same transaction) and deleting them. */
#include "storage/s3/internal.h"

#include <stdlib.h>
#include <string.h>

static const char sql_bucket_exists[] = "SELECT 1 FROM buckets WHERE name = ?1";
/* A bucket's row, and its encryption configuration (kept with the other
 * configuration documents, storage/s3/config.c): every write needs it. */
#define BUCKET_COLUMNS                                                                          \
    "b.name, b.region, b.owner, b.created_ms, b.versioning, b.object_lock, b.lock_mode,"      \
    " b.lock_days, b.lock_years, c.document FROM buckets b LEFT JOIN bucket_configs c"        \
    " ON c.bucket = b.name AND c.kind = 'encryption'"
static const char sql_bucket_get[] = "SELECT " BUCKET_COLUMNS " WHERE b.name = ?1";
static const char sql_bucket_list[] = "SELECT " BUCKET_COLUMNS " WHERE b.owner = ?1 ORDER BY b.name";
static const char sql_bucket_owner[] = "SELECT owner FROM buckets WHERE name = ?1";
static const char sql_bucket_insert[] =
    "INSERT INTO buckets(name, owner, region, created_ms) VALUES (?1, ?2, ?3, ?4)";
static const char sql_bucket_lock_on[] =
    "UPDATE buckets SET versioning = 'Enabled', object_lock = 1 WHERE name = ?1";
static const char sql_bucket_has_objects[] = "SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1";
static const char sql_bucket_drop_uploads[] = "DELETE FROM uploads WHERE bucket = ?1";
static const char sql_bucket_delete[] = "DELETE FROM buckets WHERE name = ?1";

enum s3_err store_check_bucket(struct store_conn *c, const char *bucket)
{
    sqlite3_stmt *s = db_stmt(c, sql_bucket_exists);
    if (!s || db_bind_text(s, 1, bucket) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return S3_OK;
    return rc == SQLITE_DONE ? S3_ERR_NO_SUCH_BUCKET : S3_ERR_INTERNAL_ERROR;
}

static int read_bucket_row(sqlite3_stmt *s, struct s3_bucket *b)
{
    memset(b, 0, sizeof(*b));
    s3_copy_account(s, 2, b->owner_account);
    b->created_ms = sqlite3_column_int64(s, 3);
    s3_copy_fixed(s, 4, b->versioning, sizeof(b->versioning));
    b->object_lock = sqlite3_column_int(s, 5) != 0;
    s3_copy_fixed(s, 6, b->lock_mode, sizeof(b->lock_mode));
    b->lock_days = sqlite3_column_int(s, 7);
    b->lock_years = sqlite3_column_int(s, 8);
    if (db_column_strdup(s, 0, &b->name) != 0 || db_column_strdup(s, 1, &b->region) != 0 ||
        db_column_strdup(s, 9, &b->encryption) != 0) {
        s3_bucket_free(b);
        return -1;
    }
    return 0;
}

enum s3_err store_get_bucket(struct store *st, const char *bucket, struct s3_bucket *out)
{
    return store_load_bucket(&st->reader, bucket, out);
}

enum s3_err store_load_bucket(struct store_conn *c, const char *bucket, struct s3_bucket *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = db_stmt(c, sql_bucket_get);
    if (!s || db_bind_text(s, 1, bucket) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    enum s3_err err = S3_OK;
    if (rc == SQLITE_DONE)
        err = S3_ERR_NO_SUCH_BUCKET;
    else if (rc != SQLITE_ROW || read_bucket_row(s, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    sqlite3_reset(s);
    return err;
}

enum s3_err store_list_buckets(struct store *st, const char *account,
                               struct s3_bucket **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_bucket_list);
    if (!s || db_bind_text(s, 1, account) != 0)
        return S3_ERR_INTERNAL_ERROR;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!s3_grow((void **)out, *n, &cap, sizeof(**out)) || read_bucket_row(s, &(*out)[*n]) != 0)
            break;
        (*n)++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < *n; i++)
            s3_bucket_free(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

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
        sqlite3_bind_int64(s, 4, clock_now_ms()) != SQLITE_OK || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    if (job->object_lock) {
        s = db_stmt(&st->writer, sql_bucket_lock_on);
        if (!s || db_bind_text(s, 1, job->bucket) != 0 || !s3_step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    if (job->ownership_xml && (err = s3_config_set_row(st, job->bucket, "ownershipControls", job->ownership_xml)) != S3_OK)
        return err;
    if (job->acl_xml && (err = s3_config_set_row(st, job->bucket, "acl", job->acl_xml)) != S3_OK)
        return err;
    return S3_OK;
}

int store_create_bucket(struct store *st, const struct store_new_bucket *nb, store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_create_bucket, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->account = s3_job_dup(nb->account ? nb->account : "", &ok);
    job->bucket = s3_job_dup(nb->bucket, &ok);
    job->region = s3_job_dup(nb->region, &ok);
    job->object_lock = nb->object_lock;
    job->ownership_xml = s3_job_dup(nb->ownership_xml, &ok);
    job->acl_xml = s3_job_dup(nb->acl_xml, &ok);
    return s3_job_queue(st, job, ok);
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
        if (!s || db_bind_text(s, 1, job->bucket) != 0 || !s3_step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

int store_delete_bucket(struct store *st, const char *bucket, store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_delete_bucket, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(bucket, &ok);
    return s3_job_queue(st, job, ok);
}
