/* s3_object: objects in the store — reading a version in full (segments,
 * headers, metadata, tags, lock), PutObject, CopyObject and DeleteObject(s)
 * with S3's versioning rules.
 *
 * Reads on the loop thread run in their own read transaction, so they see
 * one consistent snapshot; store_load_object and the column decoders are
 * also used by the commit thread on the writer connection.
 *
 * Versions: every write of a key goes through s3_install_latest, which
 * keeps `objects` the latest version and moves the one it displaces (with
 * its segments) to object_versions, unless both are the "null" version,
 * which is replaced — so a bucket that was never versioned behaves exactly
 * as before. Deleting the latest version promotes the newest older one.
 *
 * Event notifications: s3_install_latest (creations, delete markers) and
 * delete_version (deletions) call store_notify_record in the same
 * savepoint, so an event commits exactly when its change does
 * (storage/s3/notification.h). */
#include "storage/s3/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/auth/checksum.h"
#include "protocol/s3/s3.h"

/* The columns every object version row has, in the order read_version_row reads them. */
#define VERSION_COLUMNS \
    "size, etag, last_modified_ms, owner, storage_class, content_type, content_encoding," \
    " content_disposition, content_language, cache_control, expires, user_meta, parts_count," \
    " version_id, delete_marker, tags, lock_mode, lock_until_ms, legal_hold, checksum_alg," \
    " checksum, checksum_type, part_checksums, sse, sse_kms_key_id, sse_bucket_key, sse_customer_key_md5"
static const char sql_object_get[] =
    "SELECT " VERSION_COLUMNS " FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_version_get[] =
    "SELECT " VERSION_COLUMNS ", seq FROM object_versions"
    " WHERE bucket = ?1 AND key = ?2 AND version_id = ?3";
static const char sql_object_segments[] =
    "SELECT s.blob, s.size, d.data FROM object_segments s"
    " LEFT JOIN blobs b ON b.sha256 = s.blob LEFT JOIN blob_data d ON d.id = b.data_id"
    " WHERE s.bucket = ?1 AND s.key = ?2 ORDER BY s.idx";
static const char sql_version_segments[] =
    "SELECT s.blob, s.size, d.data FROM version_segments s"
    " LEFT JOIN blobs b ON b.sha256 = s.blob LEFT JOIN blob_data d ON d.id = b.data_id"
    " WHERE s.bucket = ?1 AND s.key = ?2 AND s.seq = ?3 ORDER BY s.idx";
static const char sql_meta_decode[] = "SELECT key, value FROM json_each(?1)";
static const char sql_object_etag[] =
    "SELECT etag FROM objects WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0";
static const char sql_object_delete[] = "DELETE FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_object_insert[] =
    "INSERT INTO objects(bucket, key, size, etag, last_modified_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta, parts_count, version_id, delete_marker, tags, lock_mode,"
    " lock_until_ms, legal_hold, checksum_alg, checksum, checksum_type, part_checksums,"
    " sse, sse_kms_key_id, sse_bucket_key, sse_customer_key_md5)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)";
/* Moving versions between objects and object_versions. */
#define MOVED_COLUMNS VERSION_COLUMNS
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

int store_read_content_columns(sqlite3_stmt *s, int first, struct s3_content_headers *out)
{
    char **fields[] = {&out->content_type, &out->content_encoding, &out->content_disposition,
                       &out->content_language, &out->cache_control, &out->expires};
    for (int i = 0; i < 6; i++) {
        if (db_column_strdup(s, first + i, fields[i]) != 0)
            return -1;
    }
    return 0;
}

int store_decode_user_meta(struct store_conn *c, const char *json, struct s3_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = db_stmt(c, sql_meta_decode);
    if (!s || db_bind_text(s, 1, json ? json : "{}") != 0)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!s3_grow((void **)out, *n, &cap, sizeof(**out)))
            break;
        struct s3_kv *kv = &(*out)[*n];
        if (db_column_strdup(s, 0, &kv->name) != 0 || db_column_strdup(s, 1, &kv->value) != 0 ||
            !kv->name || !kv->value) {
            free(kv->name);
            free(kv->value);
            break;
        }
        (*n)++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        s3_kv_free_array(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    return 0;
}

/* The segments of the latest version (seq < 0) or of older version seq. */
static int load_segments(struct store_conn *c, const char *bucket, const char *key, int64_t seq,
                         struct s3_object *o)
{
    sqlite3_stmt *s = db_stmt(c, seq < 0 ? sql_object_segments : sql_version_segments);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        (seq >= 0 && sqlite3_bind_int64(s, 3, seq) != SQLITE_OK))
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!s3_grow((void **)&o->segments, o->n_segments, &cap, sizeof(*o->segments)))
            break;
        struct s3_segment *seg = &o->segments[o->n_segments++];
        s3_copy_fixed(s, 0, seg->blob_sha256, sizeof(seg->blob_sha256));
        seg->size = sqlite3_column_int64(s, 1);
        seg->data = NULL;
        const void *data = sqlite3_column_blob(s, 2);
        if (data && sqlite3_column_bytes(s, 2) == seg->size) {
            seg->data = malloc((size_t)seg->size);
            if (!seg->data) {
                rc = SQLITE_NOMEM;
                break;
            }
            memcpy(seg->data, data, (size_t)seg->size);
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* Fills `out` from a row of VERSION_COLUMNS. -1 on ENOMEM. */
static int read_version_row(struct store_conn *c, sqlite3_stmt *s, const char *key,
                            struct s3_object *out)
{
    char *meta_json = NULL, *tags_json = NULL;
    out->key = strdup(key);
    out->size = sqlite3_column_int64(s, 0);
    s3_copy_fixed(s, 1, out->etag, sizeof(out->etag));
    out->last_modified_ms = sqlite3_column_int64(s, 2);
    s3_copy_account(s, 3, out->owner_account);
    out->parts_count = sqlite3_column_int(s, 12);
    s3_copy_fixed(s, 13, out->version_id, sizeof(out->version_id));
    out->delete_marker = sqlite3_column_int(s, 14) != 0;
    s3_copy_fixed(s, 16, out->lock_mode, sizeof(out->lock_mode));
    out->lock_until_ms = sqlite3_column_int64(s, 17);
    out->legal_hold = sqlite3_column_int(s, 18) != 0;
    s3_copy_fixed(s, 19, out->checksum_alg, sizeof(out->checksum_alg));
    s3_copy_fixed(s, 20, out->checksum, sizeof(out->checksum));
    s3_copy_fixed(s, 21, out->checksum_type, sizeof(out->checksum_type));
    bool ok = out->key && db_column_strdup(s, 4, &out->storage_class) == 0 &&
              db_column_strdup(s, 22, &out->part_checksums) == 0 && s3_read_sse_columns(s, 23, &out->sse) == 0 &&
              store_read_content_columns(s, 5, &out->content) == 0 &&
              db_column_strdup(s, 11, &meta_json) == 0 && db_column_strdup(s, 15, &tags_json) == 0;
    ok = ok && store_decode_user_meta(c, meta_json, &out->user_meta, &out->n_user_meta) == 0 &&
         store_decode_user_meta(c, tags_json, &out->tags, &out->n_tags) == 0;
    free(meta_json);
    free(tags_json);
    return ok ? 0 : -1;
}

/* Loads the row of the latest version (seq -1) or of an older one into
 * out, without segments. NO_SUCH_KEY / NO_SUCH_VERSION when absent. */
enum s3_err s3_load_version_row(struct store_conn *c, const char *bucket, const char *key,
                                    const char *version_id, struct s3_object *out, int64_t *seq)
{
    *seq = -1;
    sqlite3_stmt *s = db_stmt(c, sql_object_get);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *latest = (const char *)sqlite3_column_text(s, 13);
        if (!version_id || (latest && strcmp(latest, version_id) == 0)) {
            out->is_latest = true;
            int read = read_version_row(c, s, key, out);
            sqlite3_reset(s);
            return read == 0 ? S3_OK : S3_ERR_INTERNAL_ERROR;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return S3_ERR_INTERNAL_ERROR;
    if (!version_id)
        return S3_ERR_NO_SUCH_KEY;
    s = db_stmt(c, sql_version_get);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        db_bind_text(s, 3, version_id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    rc = sqlite3_step(s);
    enum s3_err err = S3_OK;
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(s, 27);
        if (read_version_row(c, s, key, out) != 0)
            err = S3_ERR_INTERNAL_ERROR;
    } else {
        err = rc == SQLITE_DONE ? S3_ERR_NO_SUCH_VERSION : S3_ERR_INTERNAL_ERROR;
    }
    sqlite3_reset(s);
    return err;
}

enum s3_err store_load_object(struct store_conn *c, const char *bucket, const char *key,
                              const char *version_id, struct s3_object *out)
{
    memset(out, 0, sizeof(*out));
    int64_t seq;
    enum s3_err err = s3_load_version_row(c, bucket, key, version_id, out, &seq);
    if (err == S3_OK && out->delete_marker)
        return version_id ? S3_ERR_METHOD_NOT_ALLOWED : S3_ERR_NO_SUCH_KEY;
    if (err == S3_OK && load_segments(c, bucket, key, seq, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    return err;
}

enum s3_err store_get_object(struct store *st, const char *bucket, const char *key,
                             struct s3_object *out)
{
    enum s3_err err = store_get_object_version(st, bucket, key, NULL, out);
    if (err != S3_OK)
        s3_object_free(out);
    return err;
}

enum s3_err store_get_object_version(struct store *st, const char *bucket, const char *key,
                                     const char *version_id, struct s3_object *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = s3_read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    if (err == S3_OK)
        err = store_load_object(&st->reader, bucket, key, version_id, out);
    return s3_read_end(st, err);
}

/* Runs `sql` with bucket ?1, key ?2 and, when seq >= 0, seq ?3; *changed
 * (may be NULL) gets the number of rows it changed. */
static enum s3_err run_key_stmt(struct store *st, const char *sql, const char *bucket,
                                const char *key, int64_t seq, int *changed)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        (seq >= 0 && sqlite3_bind_int64(s, 3, seq) != SQLITE_OK) || !s3_step_done(s))
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

/* Makes `o` (version_id, lock and all; its key field is ignored) the latest
 * version of bucket/key: a "null" version replaces the null version, any
 * other latest version becomes an older one. Records `event` (the
 * notification event type: "ObjectCreated:Put", ...) for it, and gives it
 * acl_xml (the ACL its write asked for; NULL: its owner's only). */
enum s3_err s3_install_latest(struct store *st, const char *event, const char *bucket,
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
        s3_bind_content(s, 8, &o->content) != 0 ||
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
        db_bind_text(s, 25, o->part_checksums) != 0 || s3_bind_sse(s, 26, &o->sse) != 0 || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    for (size_t i = 0; i < o->n_segments; i++) {
        s = db_stmt(&st->writer, sql_segment_insert);
        if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
            sqlite3_bind_int64(s, 3, (int64_t)i) != SQLITE_OK ||
            db_bind_text(s, 4, o->segments[i].blob_sha256) != 0 ||
            sqlite3_bind_int64(s, 5, o->segments[i].size) != SQLITE_OK || !s3_step_done(s))
            return S3_ERR_INTERNAL_ERROR;
    }
    if (acl_xml) {
        s = db_stmt(&st->writer, sql_object_acl_insert);
        if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
            db_bind_text(s, 3, o->etag) != 0 || sqlite3_bind_int64(s, 4, o->last_modified_ms) != SQLITE_OK ||
            db_bind_text(s, 5, acl_xml) != 0 || !s3_step_done(s))
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
        enum s3_err err = s3_new_version_id(b, dm.version_id, vid);
        if (err == S3_OK)
            err = s3_install_latest(st, "ObjectRemoved:DeleteMarkerCreated", b->name, key, &dm,
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
            db_bind_text(s, 3, version_id) != 0 || !s3_step_done(s))
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

enum s3_err s3_check_write_condition(struct store *st, const struct s3_job *job)
{
    if (!job->cond_if_none_match_any && !job->cond_if_match)
        return S3_OK;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_object_etag);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->key) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    enum s3_err err = S3_OK;
    if (rc == SQLITE_ROW) {
        const char *etag = (const char *)sqlite3_column_text(s, 0);
        if (job->cond_if_none_match_any)
            err = S3_ERR_PRECONDITION_FAILED;
        else if (strcmp(job->cond_if_match, "*") != 0 && (!etag || strcmp(etag, job->cond_if_match) != 0))
            err = S3_ERR_PRECONDITION_FAILED;
    } else if (rc == SQLITE_DONE) {
        err = job->cond_existed ? S3_ERR_CONDITIONAL_REQUEST_CONFLICT
                                : job->cond_if_match ? S3_ERR_NO_SUCH_KEY : S3_OK;
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
        err = s3_check_write_condition(st, job);
    struct s3_object o = {0};
    if (err == S3_OK)
        err = s3_job_body_blob(st, base, o.etag);
    if (err == S3_OK)
        err = s3_new_version_id(&b, o.version_id, base->result.version_id);
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
        s3_set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, o.last_modified_ms, &o);
        s3_set_checksum(&o, job->checksum_alg, job->checksum, job->checksum_type);
        o.sse = s3_job_sse(job);
        err = s3_install_latest(st, job->event ? job->event : "ObjectCreated:Put", job->bucket,
                                job->key, &o, job->meta_json, job->tags_json, job->acl_xml);
    }
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, 33);
        base->result.last_modified_ms = o.last_modified_ms;
    }
    s3_bucket_free(&b);
    return err;
}

int store_put_object(struct store *st, const struct store_put *put, store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_put_object, cb, arg);
    if (!job) {
        blob_writer_discard(put->body);
        return -1;
    }
    job->base.body = put->body;
    bool ok = true;
    job->bucket = s3_job_dup(put->bucket, &ok);
    job->key = s3_job_dup(put->key, &ok);
    job->account = s3_job_dup(put->account ? put->account : "", &ok);
    job->storage_class = s3_job_dup(put->storage_class, &ok);
    s3_job_dup_condition(job, &put->condition, &ok);
    s3_job_dup_sse(job, put->sse, &ok);
    s3_job_dup_checksum(job, &put->checksum, &ok);
    job->event = s3_job_dup(put->event, &ok);
    s3_job_dup_object_extras(job, put->tags, put->n_tags, &put->lock, put->acl, &ok);
    s3_job_dup_content(put->content, &job->content, &ok);
    job->meta_json = store_encode_kv_json(put->user_meta, put->n_user_meta);
    ok = ok && job->meta_json;
    return s3_job_queue(st, job, ok);
}

static enum s3_err apply_delete_objects(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_bucket b;
    enum s3_err err = store_load_bucket(&st->writer, job->bucket, &b);
    if (err == S3_OK && job->key)
        err = s3_check_write_condition(st, job);
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
    return store_delete_version(st, bucket, key, NULL, false, NULL, cb, arg);
}

int store_delete_version(struct store *st, const char *bucket, const char *key,
                         const char *version_id, bool bypass_governance, const char *if_match,
                         store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(bucket, &ok);
    job->key = s3_job_dup(key, &ok);
    job->version_id = s3_job_dup(version_id, &ok);
    job->bypass_governance = bypass_governance;
    job->cond_if_match = s3_job_dup(if_match, &ok);
    return s3_job_queue(st, job, ok);
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
    struct s3_job *job = s3_job_new(apply_delete_objects, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(bucket, &ok);
    job->bypass_governance = bypass_governance;
    job->base.result.deleted = calloc(n_keys ? n_keys : 1, sizeof(*job->base.result.deleted));
    if (job->base.result.deleted) {
        job->base.result.n_deleted = n_keys;
        for (size_t i = 0; i < n_keys; i++) {
            job->base.result.deleted[i].key = s3_job_dup(keys[i], &ok);
            job->base.result.deleted[i].version_id =
                s3_job_dup(version_ids ? version_ids[i] : NULL, &ok);
        }
    } else {
        ok = false;
    }
    return s3_job_queue(st, job, ok);
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

enum s3_err s3_load_copy_source(struct store *st, struct s3_job *job, struct s3_object *src)
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
    if (err == S3_OK)
        err = check_copy_conditions(job, src);
    if (err == S3_OK)
        err = s3_sse_customer_read(&src->sse, job->src_customer_key_md5, &job->base.result.err_detail);
    s3_bucket_free(&sb);
    return err;
}

/* Before the transaction: when the copy asks for another checksum
 * algorithm than the source's, computes it from the source's bytes. */
static enum s3_err prepare_copy_checksum(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    struct s3_object src = {0};
    int alg = checksum_alg_from_name(job->checksum_alg);
    enum s3_err err = alg < 0 ? S3_ERR_INVALID_REQUEST : s3_load_copy_source(st, job, &src);
    if (err != S3_OK) {
        s3_object_free(&src);
        return err;
    }
    struct range_sink sink = {0};
    if (strcasecmp(src.checksum_alg, job->checksum_alg) == 0 && strcmp(src.checksum_type, "FULL_OBJECT") == 0) {
        job->checksum = strdup(src.checksum);
    } else if (s3_range_sink_add(&sink, (enum checksum_alg)alg) != 0 ||
               (src.size > 0 && s3_copy_range(st, &src, 0, src.size - 1, &sink) != 0)) {
        err = S3_ERR_INTERNAL_ERROR;
    } else {
        char b64[80];
        s3_range_sink_base64(&sink, 0, b64);
        job->checksum = strdup(b64);
    }
    s3_range_sink_abort(&sink);
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
    enum s3_err err = s3_load_copy_source(st, job, &src);
    if (err == S3_OK)
        err = s3_check_write_condition(st, job);
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
        err = s3_new_version_id(&b, dst.version_id, base->result.version_id);
    if (err == S3_OK) {
        dst.last_modified_ms = clock_now_ms();
        snprintf(dst.owner_account, sizeof(dst.owner_account), "%s", job->account);
        dst.storage_class = job->storage_class;
        if (job->replace)
            dst.content = job->content;
        dst.lock_mode[0] = '\0';
        dst.lock_until_ms = 0;
        s3_set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, dst.last_modified_ms,
                        &dst);
        if (job->checksum_alg)
            s3_set_checksum(&dst, checksum_alg_name((enum checksum_alg)checksum_alg_from_name(job->checksum_alg)),
                            job->checksum, "FULL_OBJECT");
        dst.sse = s3_job_sse(job);
        s3_job_result_checksum(base, &dst);
        err = s3_install_latest(st, "ObjectCreated:Copy", job->bucket, job->key, &dst,
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
    struct s3_job *job = s3_job_new(apply_copy_object, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    s3_job_dup_copy_source(job, &cp->source, &ok);
    job->bucket = s3_job_dup(cp->dst_bucket, &ok);
    job->key = s3_job_dup(cp->dst_key, &ok);
    job->account = s3_job_dup(cp->account ? cp->account : "", &ok);
    job->storage_class = s3_job_dup(cp->storage_class, &ok);
    job->replace_tags = cp->replace_tags;
    s3_job_dup_object_extras(job, cp->tags, cp->n_tags, &cp->lock, cp->acl, &ok);
    job->replace = cp->replace;
    job->checksum_alg = s3_job_dup(cp->checksum_alg, &ok);
    s3_job_dup_condition(job, &cp->condition, &ok);
    s3_job_dup_sse(job, cp->sse, &ok);
    if (cp->checksum_alg)
        job->base.prepare = prepare_copy_checksum;
    if (cp->replace) {
        s3_job_dup_content(cp->replace_content, &job->content, &ok);
        job->meta_json = store_encode_kv_json(cp->replace_meta, cp->n_replace_meta);
        ok = ok && job->meta_json;
    }
    return s3_job_queue(st, job, ok);
}
