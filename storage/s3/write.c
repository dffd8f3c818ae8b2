/* s3_write: every S3 mutation, as a job for the commit thread.
 *
 * The store_* entry points copy their inputs into one struct s3_job and
 * queue it; the apply_* functions run later on the commit thread, inside the
 * batch transaction under the job's own savepoint, and enforce S3's rules
 * there (NoSuchBucket, BucketNotEmpty, conditional writes, multipart checks)
 * against the state the earlier jobs of the batch left. Blob reference counts
 * follow from the schema's triggers: inserting a segment or part takes a
 * reference, deleting one (cascades included) drops it.
 *
 * Versions: every write of a key goes through install_latest, which keeps
 * `objects` the latest version and moves the one it displaces (with its
 * segments) to object_versions, unless both are the "null" version, which
 * is replaced — so a bucket that was never versioned behaves exactly as
 * before. Deleting the latest version promotes the newest older one.
 *
 * Event notifications: install_latest (creations, delete markers) and
 * delete_version (deletions) call store_notify_record in the same savepoint,
 * so an event commits exactly when its change does (storage/s3/notification.h). */
#include "storage/core/store_internal.h"

#include "protocol/core/strbuf.h"
#include "protocol/auth/checksum.h"
#include "protocol/core/base64.h"

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
    char *version_id, *src_version_id, *tags_json, *lock_mode, *acl_xml;
    int64_t lock_until_ms;
    bool legal_hold, bypass_governance, replace_tags, object_lock;
    char *checksum_alg, *checksum, *checksum_type, *crc64nvme, *event;
};

static const char sql_bucket_owner[] = "SELECT owner FROM buckets WHERE name = ?1";
static const char sql_bucket_insert[] =
    "INSERT INTO buckets(name, owner, region, created_ms) VALUES (?1, ?2, ?3, ?4)";
static const char sql_bucket_lock_on[] =
    "UPDATE buckets SET versioning = 'Enabled', object_lock = 1 WHERE name = ?1";
static const char sql_bucket_has_objects[] = "SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1";
static const char sql_bucket_drop_uploads[] = "DELETE FROM uploads WHERE bucket = ?1";
static const char sql_bucket_delete[] = "DELETE FROM buckets WHERE name = ?1";
static const char sql_blob_register[] =
    "INSERT INTO blobs(sha256, size, refcount, data_id) VALUES (?1, ?2, 0, ?3)"
    " ON CONFLICT(sha256) DO NOTHING";
static const char sql_blob_exists[] = "SELECT 1 FROM blobs WHERE sha256 = ?1";
static const char sql_blob_data_insert[] = "INSERT INTO blob_data(data) VALUES (?1)";
static const char sql_object_etag[] =
    "SELECT etag FROM objects WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0";
static const char sql_object_delete[] = "DELETE FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_object_insert[] =
    "INSERT INTO objects(bucket, key, size, etag, last_modified_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta, parts_count, version_id, delete_marker, tags, lock_mode,"
    " lock_until_ms, legal_hold, checksum_alg, checksum, checksum_type, part_checksums)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
/* Moving versions between objects and object_versions. */
#define MOVED_COLUMNS \
    "size, etag, last_modified_ms, owner, storage_class, content_type, content_encoding," \
    " content_disposition, content_language, cache_control, expires, user_meta, parts_count," \
    " version_id, delete_marker, tags, lock_mode, lock_until_ms, legal_hold, checksum_alg," \
    " checksum, checksum_type, part_checksums"
static const char sql_null_version_drop[] =
    "DELETE FROM object_versions WHERE bucket = ?1 AND key = ?2 AND version_id = 'null'";
static const char sql_null_latest_drop[] =
    "DELETE FROM objects WHERE bucket = ?1 AND key = ?2 AND version_id = 'null'";
static const char sql_next_seq[] =
    "SELECT coalesce(max(seq), 0) + 1 FROM object_versions WHERE bucket = ?1 AND key = ?2";
static const char sql_demote[] =
    "INSERT INTO object_versions(bucket, key, seq, " MOVED_COLUMNS ")"
    " SELECT bucket, key, ?3, " MOVED_COLUMNS " FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_demote_segments[] =
    "INSERT INTO version_segments(bucket, key, seq, idx, blob, size)"
    " SELECT bucket, key, ?3, idx, blob, size FROM object_segments"
    " WHERE bucket = ?1 AND key = ?2";
static const char sql_newest_older[] =
    "SELECT seq FROM object_versions WHERE bucket = ?1 AND key = ?2 ORDER BY seq DESC LIMIT 1";
static const char sql_promote[] =
    "INSERT INTO objects(bucket, key, " MOVED_COLUMNS ")"
    " SELECT bucket, key, " MOVED_COLUMNS " FROM object_versions"
    " WHERE bucket = ?1 AND key = ?2 AND seq = ?3";
static const char sql_promote_segments[] =
    "INSERT INTO object_segments(bucket, key, idx, blob, size)"
    " SELECT bucket, key, idx, blob, size FROM version_segments"
    " WHERE bucket = ?1 AND key = ?2 AND seq = ?3";
static const char sql_older_delete[] =
    "DELETE FROM object_versions WHERE bucket = ?1 AND key = ?2 AND seq = ?3";
static const char sql_older_delete_by_id[] =
    "DELETE FROM object_versions WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_object_acl_insert[] =
    "INSERT OR REPLACE INTO object_acls(bucket, key, object_etag, object_modified_ms, acl)"
    " VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_segment_insert[] =
    "INSERT INTO object_segments(bucket, key, idx, blob, size) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char sql_upload_insert[] =
    "INSERT INTO uploads(upload_id, bucket, key, initiated_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta, tags, lock_mode, lock_until_ms, legal_hold, checksum_alg,"
    " checksum_type, acl)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20)";
static const char sql_upload_target[] = "SELECT bucket, key FROM uploads WHERE upload_id = ?1";
static const char sql_upload_details[] =
    "SELECT owner, storage_class, content_type, content_encoding, content_disposition,"
    " content_language, cache_control, expires, user_meta, tags, lock_mode, lock_until_ms,"
    " legal_hold, checksum_alg, checksum_type, acl FROM uploads WHERE upload_id = ?1";
static const char sql_upload_checksum[] =
    "SELECT checksum_alg FROM uploads WHERE upload_id = ?1";
static const char sql_upload_delete[] = "DELETE FROM uploads WHERE upload_id = ?1";
static const char sql_part_delete[] =
    "DELETE FROM parts WHERE upload_id = ?1 AND part_number = ?2";
static const char sql_part_insert[] =
    "INSERT INTO parts(upload_id, part_number, etag, size, blob, last_modified_ms,"
    " checksum_alg, checksum, crc64nvme) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_part_get[] =
    "SELECT etag, size, blob, checksum_alg, checksum, crc64nvme FROM parts"
    " WHERE upload_id = ?1 AND part_number = ?2";

/* ---- jobs ------------------------------------------------------------------ */

static void s3_job_destroy(struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    char *strings[] = {job->bucket, job->key, job->account, job->region, job->upload_id,
                       job->storage_class, job->src_bucket, job->src_key, job->if_match,
                       job->if_none_match, job->meta_json, job->version_id,
                       job->src_version_id, job->tags_json, job->lock_mode,
                       job->checksum_alg, job->checksum, job->checksum_type,
                       job->crc64nvme, job->event, job->acl_xml};
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

/* ---- versions ---------------------------------------------------------------- */

/* Runs `sql` with bucket ?1, key ?2 and, when seq >= 0, seq ?3; *changed
 * (may be NULL) gets the number of rows it changed. */
static enum s3_err run_key_stmt(struct store *st, const char *sql, const char *bucket,
                                const char *key, int64_t seq, int *changed)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        (seq >= 0 && sqlite3_bind_int64(s, 3, seq) != SQLITE_OK) || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    if (changed)
        *changed = sqlite3_changes(st->writer.db);
    return S3_OK;
}

/* Runs a one-integer query on bucket ?1 / key ?2; *found false when it gives no row. */
static enum s3_err query_key_int(struct store *st, const char *sql, const char *bucket,
                                 const char *key, int64_t *value, bool *found)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    *found = rc == SQLITE_ROW;
    if (*found)
        *value = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

/* Moves the latest version of bucket/key, if any, to object_versions as
 * the newest older version. */
static enum s3_err demote_latest(struct store *st, const char *bucket, const char *key)
{
    int64_t seq = 0;
    bool found;
    int moved = 0;
    enum s3_err err = query_key_int(st, sql_next_seq, bucket, key, &seq, &found);
    if (err == S3_OK)
        err = run_key_stmt(st, sql_demote, bucket, key, seq, &moved);
    if (err != S3_OK || moved == 0)
        return err;
    err = run_key_stmt(st, sql_demote_segments, bucket, key, seq, NULL);
    if (err == S3_OK)
        err = run_key_stmt(st, sql_object_delete, bucket, key, -1, NULL);
    return err;
}

/* After the latest version went: the newest older one, if any, becomes the latest. */
static enum s3_err promote_newest(struct store *st, const char *bucket, const char *key)
{
    int64_t seq = 0;
    bool found;
    enum s3_err err = query_key_int(st, sql_newest_older, bucket, key, &seq, &found);
    if (err != S3_OK || !found)
        return err;
    const char *steps[] = {sql_promote, sql_promote_segments, sql_older_delete};
    for (size_t i = 0; i < 3 && err == S3_OK; i++)
        err = run_key_stmt(st, steps[i], bucket, key, seq, NULL);
    return err;
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
static enum s3_err new_version_id(const struct s3_bucket *b, char id[40], char reported[40])
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

/* The lock a new version gets: the request's retention, else the bucket's
 * default retention counted from `now`. */
static void set_new_lock(const struct s3_bucket *b, const char *mode, int64_t until_ms,
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
static void set_checksum(struct s3_object *o, const char *alg, const char *value, const char *type)
{
    snprintf(o->checksum_alg, sizeof(o->checksum_alg), "%s", alg ? alg : "");
    snprintf(o->checksum, sizeof(o->checksum), "%s", alg && value ? value : "");
    snprintf(o->checksum_type, sizeof(o->checksum_type), "%s",
             alg ? (type ? type : "FULL_OBJECT") : "");
}

/* Makes `o` (version_id, lock and all; its key field is ignored) the latest
 * version of bucket/key: a "null" version replaces the null version, any
 * other latest version becomes an older one. Records `event` (the
 * notification event type: "ObjectCreated:Put", ...) for it, and gives it
 * acl_xml (the ACL its write asked for; NULL: its owner's only). */
static enum s3_err install_latest(struct store *st, const char *event, const char *bucket,
                                  const char *key, const struct s3_object *o,
                                  const char *meta_json, const char *tags_json, const char *acl_xml)
{
    enum s3_err err = S3_OK;
    if (strcmp(o->version_id, "null") == 0) {
        err = run_key_stmt(st, sql_null_version_drop, bucket, key, -1, NULL);
        if (err == S3_OK)
            err = run_key_stmt(st, sql_null_latest_drop, bucket, key, -1, NULL);
    }
    if (err == S3_OK)
        err = demote_latest(st, bucket, key);
    if (err != S3_OK)
        return err;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_object_insert);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        sqlite3_bind_int64(s, 3, o->size) != SQLITE_OK || db_bind_text(s, 4, o->etag) != 0 ||
        sqlite3_bind_int64(s, 5, o->last_modified_ms) != SQLITE_OK ||
        db_bind_text(s, 6, o->owner_account) != 0 || db_bind_text(s, 7, o->storage_class) != 0 ||
        bind_content(s, 8, &o->content) != 0 ||
        db_bind_text(s, 14, meta_json ? meta_json : "{}") != 0 ||
        sqlite3_bind_int(s, 15, o->parts_count) != SQLITE_OK ||
        db_bind_text(s, 16, o->version_id) != 0 ||
        sqlite3_bind_int(s, 17, o->delete_marker) != SQLITE_OK ||
        db_bind_text(s, 18, tags_json ? tags_json : "{}") != 0 ||
        db_bind_text(s, 19, o->lock_mode[0] ? o->lock_mode : NULL) != 0 ||
        sqlite3_bind_int64(s, 20, o->lock_until_ms) != SQLITE_OK ||
        sqlite3_bind_int(s, 21, o->legal_hold) != SQLITE_OK ||
        db_bind_text(s, 22, o->checksum_alg[0] ? o->checksum_alg : NULL) != 0 ||
        db_bind_text(s, 23, o->checksum_alg[0] ? o->checksum : NULL) != 0 ||
        db_bind_text(s, 24, o->checksum_alg[0] ? o->checksum_type : NULL) != 0 ||
        db_bind_text(s, 25, o->part_checksums) != 0 || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    for (size_t i = 0; i < o->n_segments; i++) {
        s = db_stmt(&st->writer, sql_segment_insert);
        if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
            sqlite3_bind_int64(s, 3, (int64_t)i) != SQLITE_OK ||
            db_bind_text(s, 4, o->segments[i].blob_sha256) != 0 ||
            sqlite3_bind_int64(s, 5, o->segments[i].size) != SQLITE_OK || !step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    if (acl_xml) {
        s = db_stmt(&st->writer, sql_object_acl_insert);
        if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
            db_bind_text(s, 3, o->etag) != 0 || sqlite3_bind_int64(s, 4, o->last_modified_ms) != SQLITE_OK ||
            db_bind_text(s, 5, acl_xml) != 0 || !step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    if (o->delete_marker)
        return store_notify_record(st, event, bucket, key, -1, NULL, o->version_id);
    return store_notify_record(st, event, bucket, key, o->size, o->etag, o->version_id);
}

static const char lock_denied[] = "Access Denied because object protected by object lock.";

/* Does object lock forbid deleting version o? */
static bool lock_protects(const struct s3_object *o, bool bypass_governance)
{
    if (o->legal_hold)
        return true;
    if (!o->lock_mode[0] || o->lock_until_ms <= clock_now_ms())
        return false;
    return strcmp(o->lock_mode, "COMPLIANCE") == 0 || !bypass_governance;
}

/* Deletes version `version_id` of key (see store_delete_version); *marker
 * and vid tell the delete marker created or removed and the version. */
static enum s3_err delete_version(struct store *st, const struct s3_bucket *b, const char *key,
                                  const char *version_id, bool bypass, bool *marker,
                                  char vid[40])
{
    *marker = false;
    vid[0] = '\0';
    if (!version_id && !b->versioning[0]) {
        enum s3_err err = run_key_stmt(st, sql_object_delete, b->name, key, -1, NULL);
        if (err == S3_OK && sqlite3_changes(st->writer.db) > 0)
            err = store_notify_record(st, "ObjectRemoved:Delete", b->name, key, -1, NULL, NULL);
        return err;
    }
    if (!version_id) {
        struct s3_object dm = {.delete_marker = true, .last_modified_ms = clock_now_ms()};
        snprintf(dm.owner_account, sizeof(dm.owner_account), "%s", b->owner_account);
        enum s3_err err = new_version_id(b, dm.version_id, vid);
        if (err == S3_OK)
            err = install_latest(st, "ObjectRemoved:DeleteMarkerCreated", b->name, key, &dm,
                                 NULL, NULL, NULL);
        *marker = err == S3_OK;
        return err;
    }
    if (!store_version_id_valid(version_id))
        return S3_ERR_INVALID_ARGUMENT;
    snprintf(vid, 40, "%s", version_id);
    struct s3_object o;
    enum s3_err err = store_load_object(&st->writer, b->name, key, version_id, &o);
    bool is_marker = o.delete_marker, is_latest = o.is_latest;
    if (err == S3_OK && lock_protects(&o, bypass))
        err = S3_ERR_ACCESS_DENIED;
    s3_object_free(&o);
    if (err == S3_ERR_NO_SUCH_KEY || err == S3_ERR_NO_SUCH_VERSION)
        return S3_OK;
    if (err != S3_OK && err != S3_ERR_METHOD_NOT_ALLOWED)
        return err;
    *marker = is_marker;
    if (!is_latest) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql_older_delete_by_id);
        if (!s || db_bind_text(s, 1, b->name) != 0 || db_bind_text(s, 2, key) != 0 ||
            db_bind_text(s, 3, version_id) != 0 || !step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    } else {
        err = run_key_stmt(st, sql_object_delete, b->name, key, -1, NULL);
        if (err == S3_OK)
            err = promote_newest(st, b->name, key);
        if (err != S3_OK)
            return err;
    }
    return store_notify_record(st, "ObjectRemoved:Delete", b->name, key, -1, NULL, version_id);
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
    hex_encode(job->has_body ? job->body_md5 : empty_md5, 16, etag);
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
        sqlite3_bind_int64(s, 4, clock_now_ms()) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    if (!job->object_lock)
        return S3_OK;
    s = db_stmt(&st->writer, sql_bucket_lock_on);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

static int queue_create_bucket(struct store *st, const char *account, const char *bucket,
                               const char *region, bool object_lock, store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_create_bucket, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->account = dup_or_null(account ? account : "", &ok);
    job->bucket = dup_or_null(bucket, &ok);
    job->region = dup_or_null(region, &ok);
    job->object_lock = object_lock;
    return queue_job(st, job, ok);
}

int store_create_bucket(struct store *st, const char *account, const char *bucket,
                        const char *region, store_done_fn cb, void *arg)
{
    return queue_create_bucket(st, account, bucket, region, false, cb, arg);
}

int store_create_locked_bucket(struct store *st, const char *account, const char *bucket,
                               const char *region, store_done_fn cb, void *arg)
{
    return queue_create_bucket(st, account, bucket, region, true, cb, arg);
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

/* Where copy_range puts the bytes: a blob writer and/or checksums. */
struct range_sink {
    struct blob_writer *bw;        /* may be NULL */
    struct checksum_ctx sums[2];
    size_t n_sums;
};

static int range_sink_write(struct range_sink *sink, const void *data, size_t len)
{
    for (size_t i = 0; i < sink->n_sums; i++)
        checksum_update(&sink->sums[i], data, len);
    return sink->bw ? blob_writer_write(sink->bw, data, len) : 0;
}

/* Starts a checksum in the sink; -1 on ENOMEM. */
static int range_sink_add(struct range_sink *sink, enum checksum_alg alg)
{
    if (checksum_init(&sink->sums[sink->n_sums], alg) != 0)
        return -1;
    sink->n_sums++;
    return 0;
}

/* Ends checksum i of the sink as base64 into out (80 bytes). */
static void range_sink_base64(struct range_sink *sink, size_t i, char out[80])
{
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    size_t n = checksum_final(&sink->sums[i], digest);
    base64_encode(digest, n, out);
}

static void range_sink_abort(struct range_sink *sink)
{
    for (size_t i = 0; i < sink->n_sums; i++)
        checksum_abort(&sink->sums[i]);
}

/* Streams bytes [first, last] of the object's segments into the sink. */
static int copy_range(struct store *st, const struct s3_object *o, int64_t first, int64_t last,
                      struct range_sink *bw)
{
    char buf[65536];
    int64_t seg_start = 0;
    for (size_t i = 0; i < o->n_segments && seg_start <= last; i++) {
        int64_t seg_end = seg_start + o->segments[i].size;
        int64_t from = (first > seg_start ? first : seg_start) - seg_start;
        int64_t to = (last + 1 < seg_end ? last + 1 : seg_end) - seg_start;
        if (seg_end > first && o->segments[i].data) {
            if (range_sink_write(bw, o->segments[i].data + from, (size_t)(to - from)) != 0)
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
                if (n <= 0 || range_sink_write(bw, buf, (size_t)n) != 0) {
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
    struct s3_bucket b;
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err == S3_OK)
        err = check_put_conditions(st, job);
    struct s3_object o = {0};
    if (err == S3_OK)
        err = body_blob(st, base, o.etag);
    if (err == S3_OK)
        err = new_version_id(&b, o.version_id, base->result.version_id);
    if (err == S3_OK) {
        struct s3_segment seg = {.size = base->body_size};
        memcpy(seg.blob_sha256, base->body_sha256, sizeof(seg.blob_sha256));
        o.size = base->has_body ? base->body_size : 0;
        o.segments = &seg;
        o.n_segments = o.size > 0 ? 1 : 0;
        o.last_modified_ms = clock_now_ms();
        snprintf(o.owner_account, sizeof(o.owner_account), "%s", job->account);
        o.storage_class = job->storage_class;
        o.content = job->content;
        set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, o.last_modified_ms, &o);
        set_checksum(&o, job->checksum_alg, job->checksum, job->checksum_type);
        err = install_latest(st, job->event ? job->event : "ObjectCreated:Put", job->bucket,
                             job->key, &o, job->meta_json, job->tags_json, job->acl_xml);
    }
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, 33);
        base->result.last_modified_ms = o.last_modified_ms;
    }
    s3_bucket_free(&b);
    return err;
}

/* Reports an object's checksum in the job's result. */
static void result_checksum(struct store_job *base, const struct s3_object *o)
{
    memcpy(base->result.checksum_alg, o->checksum_alg, sizeof(o->checksum_alg));
    memcpy(base->result.checksum, o->checksum, sizeof(o->checksum));
    memcpy(base->result.checksum_type, o->checksum_type, sizeof(o->checksum_type));
}

/* Copies a write's checksum into the job. */
static void dup_checksum(struct s3_job *job, const struct store_checksum *c, bool *ok)
{
    if (!c)
        return;
    job->checksum_alg = dup_or_null(c->alg, ok);
    job->checksum = dup_or_null(c->value, ok);
    job->checksum_type = dup_or_null(c->type, ok);
}

/* Copies the tags, lock settings and ACL every object write may carry. */
static void dup_object_extras(struct s3_job *job, const struct s3_kv *tags, size_t n_tags,
                              const struct store_lock *lock, const char *acl_xml, bool *ok)
{
    job->acl_xml = dup_or_null(acl_xml, ok);
    job->tags_json = store_encode_kv_json(tags, n_tags);
    *ok = *ok && job->tags_json;
    job->lock_mode = dup_or_null(lock->mode, ok);
    job->lock_until_ms = lock->until_ms;
    job->legal_hold = lock->legal_hold;
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
    dup_checksum(job, &put->checksum, &ok);
    job->event = dup_or_null(put->event, &ok);
    dup_object_extras(job, put->tags, put->n_tags, &put->lock, put->acl, &ok);
    dup_content(put->content, &job->content, &ok);
    job->meta_json = store_encode_kv_json(put->user_meta, put->n_user_meta);
    ok = ok && job->meta_json;
    return queue_job(st, job, ok);
}

static enum s3_err apply_delete_objects(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_bucket b;
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err == S3_OK && job->key) {
        err = delete_version(st, &b, job->key, job->version_id, job->bypass_governance,
                             &base->result.delete_marker, base->result.version_id);
        if (err == S3_ERR_ACCESS_DENIED)
            base->result.err_detail = lock_denied;
    }
    for (size_t i = 0; err == S3_OK && !job->key && i < base->result.n_deleted; i++) {
        struct s3_delete_result *d = &base->result.deleted[i];
        d->err = delete_version(st, &b, d->key, d->version_id, job->bypass_governance,
                                &d->delete_marker, d->delete_marker_version_id);
        if (d->err == S3_ERR_INTERNAL_ERROR)
            err = S3_ERR_INTERNAL_ERROR;
    }
    s3_bucket_free(&b);
    return err;
}

int store_delete_object(struct store *st, const char *bucket, const char *key,
                        store_done_fn cb, void *arg)
{
    return store_delete_version(st, bucket, key, NULL, false, cb, arg);
}

int store_delete_version(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool bypass_governance,
                         store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->key = dup_or_null(key, &ok);
    job->version_id = dup_or_null(version_id, &ok);
    job->bypass_governance = bypass_governance;
    return queue_job(st, job, ok);
}

int store_delete_objects(struct store *st, const char *bucket, const char *const *keys,
                         size_t n_keys, store_done_fn cb, void *arg)
{
    return store_delete_versions(st, bucket, keys, NULL, n_keys, false, cb, arg);
}

int store_delete_versions(struct store *st, const char *bucket, const char *const *keys,
                          const char *const *version_ids, size_t n_keys, bool bypass_governance,
                          store_done_fn cb, void *arg)
{
    struct s3_job *job = job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = dup_or_null(bucket, &ok);
    job->bypass_governance = bypass_governance;
    job->base.result.deleted = calloc(n_keys ? n_keys : 1, sizeof(*job->base.result.deleted));
    if (job->base.result.deleted) {
        job->base.result.n_deleted = n_keys;
        for (size_t i = 0; i < n_keys; i++) {
            job->base.result.deleted[i].key = dup_or_null(keys[i], &ok);
            job->base.result.deleted[i].version_id =
                dup_or_null(version_ids ? version_ids[i] : NULL, &ok);
        }
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

/* Loads the copy source: its bucket (for the version id to report) and the version. */
static enum s3_err load_copy_source(struct store *st, struct s3_job *job, struct s3_object *src)
{
    struct s3_bucket sb;
    memset(src, 0, sizeof(*src));
    enum s3_err err = store_load_bucket(&st->writer, job->src_bucket, &sb);
    if (err != S3_OK)
        return err;
    if (job->src_version_id && !store_version_id_valid(job->src_version_id))
        err = S3_ERR_INVALID_ARGUMENT;
    else
        err = store_load_object(&st->writer, job->src_bucket, job->src_key, job->src_version_id, src);
    if (err == S3_OK && sb.versioning[0])
        snprintf(job->base.result.source_version_id, sizeof(job->base.result.source_version_id),
                 "%s", src->version_id);
    if (err == S3_ERR_METHOD_NOT_ALLOWED) {
        err = S3_ERR_INVALID_REQUEST;
        job->base.result.err_detail =
            "The source of a copy request may not specifically refer to a delete marker by version id.";
    } else if (err == S3_ERR_INVALID_ARGUMENT) {
        job->base.result.err_detail = "Invalid version id specified";
    }
    s3_bucket_free(&sb);
    return err;
}

/* Before the transaction: when the copy asks for another checksum
 * algorithm than the source's, computes it from the source's bytes. */
static enum s3_err prepare_copy_checksum(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_object src;
    int alg = checksum_alg_from_name(job->checksum_alg);
    enum s3_err err = alg < 0 ? S3_ERR_INVALID_REQUEST : load_copy_source(st, job, &src);
    if (err != S3_OK)
        return err;
    struct range_sink sink = {0};
    if (strcasecmp(src.checksum_alg, job->checksum_alg) == 0 && strcmp(src.checksum_type, "FULL_OBJECT") == 0) {
        job->checksum = strdup(src.checksum);
    } else if (range_sink_add(&sink, (enum checksum_alg)alg) != 0 ||
               (src.size > 0 && copy_range(st, &src, 0, src.size - 1, &sink) != 0)) {
        err = S3_ERR_INTERNAL_ERROR;
    } else {
        char b64[80];
        range_sink_base64(&sink, 0, b64);
        job->checksum = strdup(b64);
    }
    range_sink_abort(&sink);
    s3_object_free(&src);
    if (err == S3_OK && !job->checksum)
        err = S3_ERR_INTERNAL_ERROR;
    return err;
}

static enum s3_err apply_copy_object(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_object src;
    struct s3_bucket b = {0};
    enum s3_err err = load_copy_source(st, job, &src);
    if (err == S3_OK)
        err = check_copy_conditions(job, &src);
    if (err == S3_OK)
        err = store_load_bucket(&st->writer, job->bucket, &b);
    char *meta_json = NULL, *tags_json = NULL;
    if (err == S3_OK && !job->replace) {
        meta_json = store_encode_kv_json(src.user_meta, src.n_user_meta);
        if (!meta_json)
            err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK && !job->replace_tags) {
        tags_json = store_encode_kv_json(src.tags, src.n_tags);
        if (!tags_json)
            err = S3_ERR_INTERNAL_ERROR;
    }
    struct s3_object dst = src;
    if (err == S3_OK)
        err = new_version_id(&b, dst.version_id, base->result.version_id);
    if (err == S3_OK) {
        dst.last_modified_ms = clock_now_ms();
        snprintf(dst.owner_account, sizeof(dst.owner_account), "%s", job->account);
        dst.storage_class = job->storage_class;
        if (job->replace)
            dst.content = job->content;
        dst.lock_mode[0] = '\0';
        dst.lock_until_ms = 0;
        set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, dst.last_modified_ms,
                     &dst);
        if (job->checksum_alg)
            set_checksum(&dst, checksum_alg_name((enum checksum_alg)checksum_alg_from_name(job->checksum_alg)),
                         job->checksum, "FULL_OBJECT");
        result_checksum(base, &dst);
        err = install_latest(st, "ObjectCreated:Copy", job->bucket, job->key, &dst,
                             job->replace ? job->meta_json : meta_json,
                             job->replace_tags ? job->tags_json : tags_json, job->acl_xml);
        if (err == S3_OK) {
            memcpy(base->result.etag, src.etag, sizeof(src.etag));
            base->result.last_modified_ms = dst.last_modified_ms;
        }
    }
    free(meta_json);
    free(tags_json);
    s3_object_free(&src);
    s3_bucket_free(&b);
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
    job->src_version_id = dup_or_null(cp->src_version_id, &ok);
    job->replace_tags = cp->replace_tags;
    dup_object_extras(job, cp->tags, cp->n_tags, &cp->lock, cp->acl, &ok);
    job->replace = cp->replace;
    job->checksum_alg = dup_or_null(cp->checksum_alg, &ok);
    if (cp->checksum_alg)
        job->base.prepare = prepare_copy_checksum;
    if (cp->replace) {
        dup_content(cp->replace_content, &job->content, &ok);
        job->meta_json = store_encode_kv_json(cp->replace_meta, cp->n_replace_meta);
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
    int64_t now = clock_now_ms();
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_insert);
    if (!s || db_bind_text(s, 1, id) != 0 || db_bind_text(s, 2, job->bucket) != 0 ||
        db_bind_text(s, 3, job->key) != 0 || sqlite3_bind_int64(s, 4, now) != SQLITE_OK ||
        db_bind_text(s, 5, job->account) != 0 || db_bind_text(s, 6, job->storage_class) != 0 ||
        bind_content(s, 7, &job->content) != 0 || db_bind_text(s, 13, job->meta_json) != 0 ||
        db_bind_text(s, 14, job->tags_json) != 0 || db_bind_text(s, 15, job->lock_mode) != 0 ||
        sqlite3_bind_int64(s, 16, job->lock_until_ms) != SQLITE_OK ||
        sqlite3_bind_int(s, 17, job->legal_hold) != SQLITE_OK ||
        db_bind_text(s, 18, job->checksum_alg) != 0 ||
        db_bind_text(s, 19, job->checksum_alg ? job->checksum_type : NULL) != 0 ||
        db_bind_text(s, 20, job->acl_xml) != 0 || !step_done(s))
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
    dup_checksum(job, &cu->checksum, &ok);
    dup_object_extras(job, cu->tags, cu->n_tags, &cu->lock, cu->acl, &ok);
    dup_content(cu->content, &job->content, &ok);
    job->meta_json = store_encode_kv_json(cu->user_meta, cu->n_user_meta);
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
    int64_t now = clock_now_ms();
    sqlite3_stmt *s = db_stmt(&st->writer, sql_part_delete);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    s = db_stmt(&st->writer, sql_part_insert);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || db_bind_text(s, 3, etag) != 0 ||
        sqlite3_bind_int64(s, 4, size) != SQLITE_OK ||
        db_bind_text(s, 5, size > 0 ? base->body_sha256 : NULL) != 0 ||
        sqlite3_bind_int64(s, 6, now) != SQLITE_OK ||
        db_bind_text(s, 7, job->checksum_alg) != 0 || db_bind_text(s, 8, job->checksum) != 0 ||
        db_bind_text(s, 9, job->crc64nvme) != 0 || !step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    memcpy(base->result.etag, etag, sizeof(etag));
    struct s3_object o = {0};
    set_checksum(&o, job->checksum_alg, job->checksum, "FULL_OBJECT");
    result_checksum(base, &o);
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
                   const struct store_checksum *checksum, const char *crc64nvme,
                   store_done_fn cb, void *arg)
{
    bool ok = true;
    struct s3_job *job = part_job_new(bucket, key, upload_id, part_number, cb, arg, &ok);
    if (!job) {
        blob_writer_discard(body);
        return -1;
    }
    job->base.body = body;
    dup_checksum(job, checksum, &ok);
    job->crc64nvme = dup_or_null(crc64nvme, &ok);
    return queue_job(st, job, ok);
}

/* The algorithm an upload was created with: *alg -1 for none. */
static enum s3_err upload_checksum_alg(struct store *st, const char *upload_id, int *alg)
{
    *alg = -1;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_checksum);
    if (!s || db_bind_text(s, 1, upload_id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *alg = checksum_alg_from_name((const char *)sqlite3_column_text(s, 0));
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

/* Before the transaction: the source range becomes this job's body. */
static enum s3_err prepare_part_copy(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->src_bucket);
    struct s3_object src;
    if (err != S3_OK)
        return err;
    err = store_load_object(&st->writer, job->src_bucket, job->src_key, NULL, &src);
    if (err != S3_OK)
        return err;
    int64_t first = job->first, last = job->last;
    if (first < 0) {
        first = 0;
        last = src.size - 1;
    } else if (first > last || last >= src.size) {
        err = S3_ERR_INVALID_RANGE;
    }
    struct range_sink sink = {0};
    int upload_alg = -1;
    if (err == S3_OK)
        err = upload_checksum_alg(st, job->upload_id, &upload_alg);
    if (err == S3_OK &&
        (blob_writer_new_sync(st, &sink.bw) != 0 || range_sink_add(&sink, CHECKSUM_CRC64NVME) != 0 ||
         (upload_alg >= 0 && range_sink_add(&sink, (enum checksum_alg)upload_alg) != 0)))
        err = S3_ERR_INTERNAL_ERROR;
    if (err == S3_OK && (copy_range(st, &src, first, last, &sink) != 0 ||
                         blob_writer_finish_sync(sink.bw) != 0))
        err = S3_ERR_INTERNAL_ERROR;
    if (err == S3_OK) {
        char b64[80];
        range_sink_base64(&sink, 0, b64);
        job->crc64nvme = strdup(b64);
        if (upload_alg >= 0) {
            range_sink_base64(&sink, 1, b64);
            job->checksum = strdup(b64);
            job->checksum_alg = strdup(checksum_alg_name((enum checksum_alg)upload_alg));
        }
        if (!job->crc64nvme || (upload_alg >= 0 && (!job->checksum || !job->checksum_alg)))
            err = S3_ERR_INTERNAL_ERROR;
    }
    range_sink_abort(&sink);
    if (err == S3_OK)
        base->body = sink.bw;
    else
        blob_writer_discard(sink.bw);
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

/* The completed object's checksum, built part by part: COMPOSITE hashes
 * the parts' raw digests, FULL_OBJECT combines their CRCs (the upload's
 * algorithm, or the parts' CRC64NVME when it named none). `lines` becomes
 * the object's part_checksums. */
struct parts_checksum {
    enum checksum_alg alg;
    bool composite;
    bool usable;                   /* every part so far had the checksum needed */
    struct checksum_ctx hash;      /* composite */
    uint64_t crc;                  /* full object, so far */
    struct strbuf lines;
};

static int parts_checksum_init(struct parts_checksum *pc, const char *alg, const char *type)
{
    memset(pc, 0, sizeof(*pc));
    strbuf_init(&pc->lines);
    int a = checksum_alg_from_name(alg);
    pc->alg = a >= 0 ? (enum checksum_alg)a : CHECKSUM_CRC64NVME;
    pc->composite = a >= 0 && type && strcmp(type, "COMPOSITE") == 0;
    pc->usable = true;
    return pc->composite ? checksum_init(&pc->hash, pc->alg) : 0;
}

/* Adds one part (a row of sql_part_get: checksum_alg 3, checksum 4,
 * crc64nvme 5) after checking the checksum the request gave for it.
 * InvalidPart when that does not match. */
static enum s3_err parts_checksum_add(struct parts_checksum *pc, sqlite3_stmt *row, int64_t size,
                                      const struct s3_complete_part *given, bool upload_has_alg)
{
    const char *part_alg = (const char *)sqlite3_column_text(row, 3);
    const char *part_sum = (const char *)sqlite3_column_text(row, 4);
    const char *part_crc64 = (const char *)sqlite3_column_text(row, 5);
    if (given->checksum_alg[0]) {
        bool same = part_alg && part_sum && strcasecmp(given->checksum_alg, part_alg) == 0 &&
                    strcmp(given->checksum, part_sum) == 0;
        bool same_crc64 = part_crc64 && strcasecmp(given->checksum_alg, "CRC64NVME") == 0 &&
                          strcmp(given->checksum, part_crc64) == 0;
        if (!same && !same_crc64)
            return S3_ERR_INVALID_PART;
    }
    strbuf_printf(&pc->lines, "%lld", (long long)size);
    if (part_alg && part_sum)
        strbuf_printf(&pc->lines, " %s %s", part_alg, part_sum);
    strbuf_putc(&pc->lines, '\n');
    const char *needed = upload_has_alg ? (part_alg && checksum_alg_from_name(part_alg) == (int)pc->alg
                                               ? part_sum : NULL)
                                        : part_crc64;
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    size_t len = checksum_digest_len(pc->alg);
    if (!needed || base64_decode_strict(needed, strlen(needed), digest, sizeof(digest)) != (long)len) {
        pc->usable = false;
        return S3_OK;
    }
    if (pc->composite) {
        checksum_update(&pc->hash, digest, len);
    } else if (checksum_alg_is_crc(pc->alg)) {
        uint64_t crc = checksum_crc_from_digest(digest, len);
        pc->crc = checksum_crc_combine(pc->alg, pc->crc, crc, (uint64_t)size);
    } else {
        pc->usable = false;
    }
    return S3_OK;
}

/* Ends the checksum into o (none when a part lacked one) and frees pc. */
static enum s3_err parts_checksum_finish(struct parts_checksum *pc, size_t n_parts,
                                         struct s3_object *o)
{
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    char b64[80];
    size_t len = pc->composite ? checksum_final(&pc->hash, digest) : checksum_digest_len(pc->alg);
    if (!pc->composite)
        checksum_crc_to_digest(pc->alg, pc->crc, digest);
    size_t n = base64_encode(digest, len, b64);
    if (pc->composite)
        snprintf(b64 + n, sizeof(b64) - n, "-%zu", n_parts);
    if (pc->usable)
        set_checksum(o, checksum_alg_name(pc->alg), b64, pc->composite ? "COMPOSITE" : "FULL_OBJECT");
    bool failed = strbuf_failed(&pc->lines);
    o->part_checksums = failed ? NULL : strbuf_detach(&pc->lines, NULL);
    strbuf_free(&pc->lines);
    return failed ? S3_ERR_INTERNAL_ERROR : S3_OK;
}

/* Checks the listed parts — order, then existence, ETags and checksums,
 * then sizes — and gathers them into `o` (segments, size, ETag, checksum);
 * upload_alg / upload_type are what the upload was created with (NULL for
 * none). */
static enum s3_err gather_parts(struct store *st, const struct s3_job *job, const char *upload_alg,
                                const char *upload_type, struct s3_object *o)
{
    if (job->n_parts == 0)
        return S3_ERR_MALFORMED_XML;
    for (size_t i = 1; i < job->n_parts; i++) {
        if (job->parts[i].part_number <= job->parts[i - 1].part_number)
            return S3_ERR_INVALID_PART_ORDER;
    }
    o->segments = calloc(job->n_parts, sizeof(*o->segments));
    EVP_MD_CTX *md5 = EVP_MD_CTX_new();
    struct parts_checksum pc;
    if (parts_checksum_init(&pc, upload_alg, upload_type) != 0) {
        EVP_MD_CTX_free(md5);
        return S3_ERR_INTERNAL_ERROR;
    }
    if (!o->segments || !md5 || !EVP_DigestInit_ex(md5, EVP_md5(), NULL)) {
        EVP_MD_CTX_free(md5);
        checksum_abort(&pc.hash);
        strbuf_free(&pc.lines);
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
            err = parts_checksum_add(&pc, s, size, &job->parts[i], upload_alg != NULL);
            too_small = too_small || (i + 1 < job->n_parts && size < STORE_MIN_PART_SIZE);
            if (err == S3_OK && !EVP_DigestUpdate(md5, digest, 16))
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
    enum s3_err sum_err = parts_checksum_finish(&pc, job->n_parts, o);
    if (err == S3_OK)
        err = sum_err;
    if (err == S3_OK) {
        hex_encode(digest, 16, o->etag);
        snprintf(o->etag + 32, sizeof(o->etag) - 32, "-%zu", job->n_parts);
        o->parts_count = (int)job->n_parts;
    }
    return err;
}

/* The upload's owner, storage class, headers, metadata and tags JSON, and
 * the lock and ACL it asked for (into job->lock_mode and job->acl_xml). */
static enum s3_err load_upload_details(struct store *st, struct s3_job *job, struct s3_object *o,
                                       char **meta_json, char **tags_json, char **checksum_alg,
                                       char **checksum_type)
{
    const char *upload_id = job->upload_id;
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
            db_column_strdup(s, 8, meta_json) == 0 && db_column_strdup(s, 9, tags_json) == 0 &&
            db_column_strdup(s, 10, &job->lock_mode) == 0 &&
            db_column_strdup(s, 13, checksum_alg) == 0 && db_column_strdup(s, 14, checksum_type) == 0 &&
            db_column_strdup(s, 15, &job->acl_xml) == 0) {
            job->lock_until_ms = sqlite3_column_int64(s, 11);
            job->legal_hold = sqlite3_column_int(s, 12) != 0;
            err = S3_OK;
        }
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
    struct s3_bucket b;
    char *meta_json = NULL, *tags_json = NULL, *upload_alg = NULL, *upload_type = NULL;
    err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err != S3_OK)
        return err;
    err = load_upload_details(st, job, &o, &meta_json, &tags_json, &upload_alg, &upload_type);
    if (err == S3_OK)
        err = gather_parts(st, job, upload_alg, upload_type, &o);
    if (err == S3_OK)
        err = new_version_id(&b, o.version_id, base->result.version_id);
    if (err == S3_OK) {
        o.last_modified_ms = clock_now_ms();
        set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, o.last_modified_ms, &o);
        err = install_latest(st, "ObjectCreated:CompleteMultipartUpload", job->bucket, job->key,
                             &o, meta_json, tags_json, job->acl_xml);
    }
    if (err == S3_OK) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_delete);
        if (!s || db_bind_text(s, 1, job->upload_id) != 0 || !step_done(s))
            err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, sizeof(o.etag));
        base->result.last_modified_ms = o.last_modified_ms;
        result_checksum(base, &o);
    }
    free(meta_json);
    free(tags_json);
    free(upload_alg);
    free(upload_type);
    s3_object_free(&o);
    s3_bucket_free(&b);
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
