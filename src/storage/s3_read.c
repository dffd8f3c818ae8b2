/* s3_read: S3 reads — buckets, objects, listings of objects, uploads and
 * parts — on the read-only connection of the loop thread.
 *
 * Each read runs in its own read transaction (BEGIN ... COMMIT) so it sees
 * one consistent snapshot, which includes every commit whose completion has
 * been dispatched. Listings never load a bucket: they walk the primary-key
 * index in key order from the start marker and, when a key rolls up into a
 * CommonPrefix, re-seek to the first key past that prefix (the prefix's
 * byte-wise successor), so a prefix with a million keys costs one seek.
 *
 * store_check_bucket, store_load_object and the column decoders are also used by
 * the commit thread on the writer connection. */
#include "storage/store_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sql_bucket_exists[] = "SELECT 1 FROM buckets WHERE name = ?1";
static const char sql_bucket_get[] =
    "SELECT name, region, owner, created_ms FROM buckets WHERE name = ?1";
static const char sql_bucket_list[] =
    "SELECT name, region, owner, created_ms FROM buckets WHERE owner = ?1 ORDER BY name";
static const char sql_object_get[] =
    "SELECT size, etag, last_modified_ms, owner, storage_class, content_type,"
    " content_encoding, content_disposition, content_language, cache_control, expires,"
    " user_meta, parts_count FROM objects WHERE bucket = ?1 AND key = ?2";
static const char sql_object_segments[] =
    "SELECT s.blob, s.size, d.data FROM object_segments s"
    " LEFT JOIN blobs b ON b.sha256 = s.blob LEFT JOIN blob_data d ON d.id = b.data_id"
    " WHERE s.bucket = ?1 AND s.key = ?2 ORDER BY s.idx";
static const char sql_meta_decode[] = "SELECT key, value FROM json_each(?1)";
static const char sql_object_scan[] =
    "SELECT key, size, etag, last_modified_ms, owner, storage_class FROM objects"
    " WHERE bucket = ?1 AND key >= ?2 ORDER BY key";
static const char sql_upload_initiated[] =
    "SELECT initiated_ms FROM uploads WHERE upload_id = ?1 AND bucket = ?2 AND key = ?3";
static const char sql_upload_scan[] =
    "SELECT upload_id, key, initiated_ms, owner, storage_class FROM uploads"
    " WHERE bucket = ?1 AND key >= ?2"
    " AND (key > ?3 OR (key = ?3 AND (initiated_ms, upload_id) > (?4, ?5)))"
    " ORDER BY key, initiated_ms, upload_id";
static const char sql_upload_get[] =
    "SELECT bucket, key, initiated_ms, owner, storage_class FROM uploads WHERE upload_id = ?1";
static const char sql_part_scan[] =
    "SELECT part_number, size, etag, last_modified_ms, blob FROM parts"
    " WHERE upload_id = ?1 AND part_number > ?2 ORDER BY part_number LIMIT ?3";

/* ---- helpers -------------------------------------------------------------- */

static enum s3_err read_begin(struct store *st)
{
    return db_exec(&st->reader, "BEGIN") == 0 ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

static enum s3_err read_end(struct store *st, enum s3_err err)
{
    if (db_exec(&st->reader, "COMMIT") != 0 && err == S3_OK)
        return S3_ERR_INTERNAL_ERROR;
    return err;
}

static void copy_account(sqlite3_stmt *s, int col, char out[13])
{
    const unsigned char *text = sqlite3_column_text(s, col);
    snprintf(out, 13, "%s", text ? (const char *)text : "");
}

static void copy_fixed(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *text = sqlite3_column_text(s, col);
    snprintf(out, outlen, "%s", text ? (const char *)text : "");
}

static bool grow(void **array, size_t n, size_t *cap, size_t elem)
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

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The common prefix `key` rolls up into (prefix + everything up to and
 * including the first delimiter after it), or NULL when it does not. */
static char *common_prefix_of(const char *key, const char *prefix, const char *delimiter)
{
    if (!delimiter || !*delimiter || !starts_with(key, prefix))
        return NULL;
    const char *hit = strstr(key + strlen(prefix), delimiter);
    if (!hit)
        return NULL;
    return strndup(key, (size_t)(hit - key) + strlen(delimiter));
}

/* The smallest string greater than every string starting with s: drop
 * trailing 0xFF bytes, increment the last. NULL when there is none. */
static char *successor_of(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (unsigned char)s[n - 1] == 0xFF)
        n--;
    if (n == 0)
        return NULL;
    char *succ = strndup(s, n);
    if (succ)
        succ[n - 1] = (char)((unsigned char)succ[n - 1] + 1);
    return succ;
}

/* The one inclusive lower bound a listing seeks to, so the scan is a
 * single index range: at least the prefix, and past the marker. An exclusive
 * marker m becomes m + "\x01", the smallest string after m (keys hold no
 * NUL). A marker that is itself a CommonPrefix (a NextMarker we returned)
 * means that whole prefix was listed already. *done when nothing can follow. */
static int listing_lower_bound(const char *prefix, const char *delimiter, const char *marker,
                               bool marker_exclusive, char **lower, bool *done)
{
    *done = false;
    char *cp = common_prefix_of(marker, prefix, delimiter);
    if (cp && strcmp(cp, marker) == 0) {
        *lower = successor_of(cp);
        free(cp);
        *done = *lower == NULL;
        return 0;
    }
    free(cp);
    size_t n = strlen(marker);
    char *after = malloc(n + 2);
    if (!after)
        return -1;
    memcpy(after, marker, n);
    after[n] = marker_exclusive && n > 0 ? '\x01' : '\0';
    after[n + 1] = '\0';
    if (strcmp(after, prefix) >= 0) {
        *lower = after;
        return 0;
    }
    free(after);
    *lower = strdup(prefix);
    return *lower ? 0 : -1;
}

static int append_string(char ***array, size_t *n, size_t *cap, char *s)
{
    if (!grow((void **)array, *n, cap, sizeof(**array)))
        return -1;
    (*array)[(*n)++] = s;
    return 0;
}

/* ---- shared with the writer ------------------------------------------------ */

enum s3_err store_check_bucket(struct db_conn *c, const char *bucket)
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

int store_decode_user_meta(struct db_conn *c, const char *json, struct s3_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = db_stmt(c, sql_meta_decode);
    if (!s || db_bind_text(s, 1, json ? json : "{}") != 0)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!grow((void **)out, *n, &cap, sizeof(**out)))
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

static int load_segments(struct db_conn *c, const char *bucket, const char *key,
                         struct s3_object *o)
{
    sqlite3_stmt *s = db_stmt(c, sql_object_segments);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0)
        return -1;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (!grow((void **)&o->segments, o->n_segments, &cap, sizeof(*o->segments)))
            break;
        struct s3_segment *seg = &o->segments[o->n_segments++];
        copy_fixed(s, 0, seg->blob_sha256, sizeof(seg->blob_sha256));
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

enum s3_err store_load_object(struct db_conn *c, const char *bucket, const char *key,
                           struct s3_object *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = db_stmt(c, sql_object_get);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, key) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return rc == SQLITE_DONE ? S3_ERR_NO_SUCH_KEY : S3_ERR_INTERNAL_ERROR;
    }
    char *meta_json = NULL;
    out->key = strdup(key);
    out->size = sqlite3_column_int64(s, 0);
    copy_fixed(s, 1, out->etag, sizeof(out->etag));
    out->last_modified_ms = sqlite3_column_int64(s, 2);
    copy_account(s, 3, out->owner_account);
    out->parts_count = sqlite3_column_int(s, 12);
    bool ok = out->key && db_column_strdup(s, 4, &out->storage_class) == 0 &&
              store_read_content_columns(s, 5, &out->content) == 0 &&
              db_column_strdup(s, 11, &meta_json) == 0;
    sqlite3_reset(s);
    ok = ok && store_decode_user_meta(c, meta_json, &out->user_meta, &out->n_user_meta) == 0 &&
         load_segments(c, bucket, key, out) == 0;
    free(meta_json);
    if (!ok) {
        s3_object_free(out);
        return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

/* ---- buckets ----------------------------------------------------------------- */

static int read_bucket_row(sqlite3_stmt *s, struct s3_bucket *b)
{
    memset(b, 0, sizeof(*b));
    copy_account(s, 2, b->owner_account);
    b->created_ms = sqlite3_column_int64(s, 3);
    if (db_column_strdup(s, 0, &b->name) != 0 || db_column_strdup(s, 1, &b->region) != 0) {
        s3_bucket_free(b);
        return -1;
    }
    return 0;
}

enum s3_err store_get_bucket(struct store *st, const char *bucket, struct s3_bucket *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *s = db_stmt(&st->reader, sql_bucket_get);
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
        if (!grow((void **)out, *n, &cap, sizeof(**out)) || read_bucket_row(s, &(*out)[*n]) != 0)
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

/* ---- objects ------------------------------------------------------------------ */

enum s3_err store_get_object(struct store *st, const char *bucket, const char *key,
                             struct s3_object *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    if (err == S3_OK)
        err = store_load_object(&st->reader, bucket, key, out);
    err = read_end(st, err);
    if (err != S3_OK)
        s3_object_free(out);
    return err;
}

static int read_listed_object(sqlite3_stmt *s, struct s3_object *o)
{
    memset(o, 0, sizeof(*o));
    o->size = sqlite3_column_int64(s, 1);
    copy_fixed(s, 2, o->etag, sizeof(o->etag));
    o->last_modified_ms = sqlite3_column_int64(s, 3);
    copy_account(s, 4, o->owner_account);
    if (db_column_strdup(s, 0, &o->key) != 0 || !o->key ||
        db_column_strdup(s, 5, &o->storage_class) != 0) {
        s3_object_free(o);
        return -1;
    }
    return 0;
}

/* The walk behind ListObjects: see the file comment. Returns -1 on error. */
static int walk_objects(struct store *st, const char *bucket, const char *prefix,
                        const char *delimiter, const char *marker, int max_keys,
                        struct s3_list_result *out)
{
    char *lower = NULL;
    bool done = false;
    if (listing_lower_bound(prefix, delimiter, marker, true, &lower, &done) != 0)
        return -1;
    size_t cap_objects = 0, cap_prefixes = 0;
    int count = 0, result = 0;
    const char *last = NULL;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_object_scan);
    if (!s)
        result = -1;
    while (!done && result == 0) {
        sqlite3_reset(s);
        if (db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, lower) != 0) {
            result = -1;
            break;
        }
        done = true;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(s, 0);
            if (!key) {
                result = -1;
                break;
            }
            if (!starts_with(key, prefix))
                break;
            if (count == max_keys) {
                out->is_truncated = true;
                break;
            }
            char *cp = common_prefix_of(key, prefix, delimiter);
            if (cp) {
                if (append_string(&out->common_prefixes, &out->n_common_prefixes,
                                  &cap_prefixes, cp) != 0) {
                    free(cp);
                    result = -1;
                    break;
                }
                count++;
                last = cp;
                free(lower);
                lower = successor_of(cp);
                done = lower == NULL;
                break;
            }
            if (!grow((void **)&out->objects, out->n_objects, &cap_objects,
                      sizeof(*out->objects)) ||
                read_listed_object(s, &out->objects[out->n_objects]) != 0) {
                result = -1;
                break;
            }
            last = out->objects[out->n_objects++].key;
            count++;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = -1;
    }
    if (s)
        sqlite3_reset(s);
    free(lower);
    if (result == 0 && out->is_truncated && last) {
        out->next_marker = strdup(last);
        if (!out->next_marker)
            result = -1;
    }
    return result;
}

enum s3_err store_list_objects(struct store *st, const char *bucket,
                               const struct s3_list_params *params,
                               struct s3_list_result *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    int max_keys = params->max_keys > 1000 ? 1000 : params->max_keys;
    if (err == S3_OK && max_keys > 0 &&
        walk_objects(st, bucket, params->prefix ? params->prefix : "", params->delimiter,
                     params->start_after ? params->start_after : "", max_keys, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = read_end(st, err);
    if (err != S3_OK)
        s3_list_result_free(out);
    return err;
}

/* ---- uploads and parts ------------------------------------------------------------ */

static int read_upload_row(sqlite3_stmt *s, struct s3_upload *u)
{
    memset(u, 0, sizeof(*u));
    u->initiated_ms = sqlite3_column_int64(s, 2);
    copy_account(s, 3, u->owner_account);
    if (db_column_strdup(s, 0, &u->upload_id) != 0 || db_column_strdup(s, 1, &u->key) != 0 ||
        db_column_strdup(s, 4, &u->storage_class) != 0 || !u->upload_id || !u->key) {
        s3_upload_free(u);
        return -1;
    }
    return 0;
}

/* The initiation time of the upload-id marker, which orders uploads of the
 * marker key; INT64_MAX (nothing of that key) when absent or unknown. */
static int upload_marker_time(struct store *st, const char *bucket, const char *key_marker,
                              const char *upload_id_marker, int64_t *initiated)
{
    *initiated = INT64_MAX;
    if (!upload_id_marker || !*upload_id_marker || !*key_marker)
        return 0;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_upload_initiated);
    if (!s || db_bind_text(s, 1, upload_id_marker) != 0 || db_bind_text(s, 2, bucket) != 0 ||
        db_bind_text(s, 3, key_marker) != 0)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *initiated = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int walk_uploads(struct store *st, const char *bucket, const char *prefix,
                        const char *delimiter, const char *key_marker,
                        const char *upload_id_marker, int max_uploads,
                        struct s3_upload_list *out)
{
    int64_t marker_time;
    if (upload_marker_time(st, bucket, key_marker, upload_id_marker, &marker_time) != 0)
        return -1;
    if (marker_time == INT64_MAX)
        upload_id_marker = "";
    char *lower = NULL;
    bool done = false;
    if (listing_lower_bound(prefix, delimiter, key_marker, false, &lower, &done) != 0)
        return -1;
    size_t cap_uploads = 0, cap_prefixes = 0;
    int count = 0, result = 0;
    const char *last_key = NULL, *last_id = NULL;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_upload_scan);
    if (!s)
        result = -1;
    while (!done && result == 0) {
        sqlite3_reset(s);
        if (db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, lower) != 0 ||
            db_bind_text(s, 3, key_marker) != 0 ||
            sqlite3_bind_int64(s, 4, marker_time) != SQLITE_OK ||
            db_bind_text(s, 5, upload_id_marker ? upload_id_marker : "") != 0) {
            result = -1;
            break;
        }
        done = true;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(s, 1);
            if (!key) {
                result = -1;
                break;
            }
            if (!starts_with(key, prefix))
                break;
            if (count == max_uploads) {
                out->is_truncated = true;
                break;
            }
            char *cp = common_prefix_of(key, prefix, delimiter);
            if (cp) {
                if (append_string(&out->common_prefixes, &out->n_common_prefixes,
                                  &cap_prefixes, cp) != 0) {
                    free(cp);
                    result = -1;
                    break;
                }
                count++;
                last_key = cp;
                last_id = NULL;
                free(lower);
                lower = successor_of(cp);
                done = lower == NULL;
                break;
            }
            if (!grow((void **)&out->uploads, out->n_uploads, &cap_uploads,
                      sizeof(*out->uploads)) ||
                read_upload_row(s, &out->uploads[out->n_uploads]) != 0) {
                result = -1;
                break;
            }
            last_key = out->uploads[out->n_uploads].key;
            last_id = out->uploads[out->n_uploads].upload_id;
            out->n_uploads++;
            count++;
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = -1;
    }
    if (s)
        sqlite3_reset(s);
    free(lower);
    if (result == 0 && out->is_truncated && last_key) {
        out->next_key_marker = strdup(last_key);
        out->next_upload_id_marker = last_id ? strdup(last_id) : NULL;
        if (!out->next_key_marker || (last_id && !out->next_upload_id_marker))
            result = -1;
    }
    return result;
}

enum s3_err store_list_uploads(struct store *st, const char *bucket, const char *prefix,
                               const char *delimiter, const char *key_marker,
                               const char *upload_id_marker, int max_uploads,
                               struct s3_upload_list *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    if (max_uploads > 1000)
        max_uploads = 1000;
    if (err == S3_OK && max_uploads > 0 &&
        walk_uploads(st, bucket, prefix ? prefix : "", delimiter,
                     key_marker ? key_marker : "", upload_id_marker, max_uploads, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = read_end(st, err);
    if (err != S3_OK)
        s3_upload_list_free(out);
    return err;
}

/* NO_SUCH_UPLOAD unless the id names an upload of this bucket and key. */
static enum s3_err load_upload(struct store *st, const char *bucket, const char *key,
                               const char *upload_id, struct s3_upload *out)
{
    sqlite3_stmt *s = db_stmt(&st->reader, sql_upload_get);
    if (!s || db_bind_text(s, 1, upload_id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    enum s3_err err = S3_ERR_NO_SUCH_UPLOAD;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *b = (const char *)sqlite3_column_text(s, 0);
        const char *k = (const char *)sqlite3_column_text(s, 1);
        if (b && k && strcmp(b, bucket) == 0 && strcmp(k, key) == 0) {
            struct s3_upload u = {0};
            u.initiated_ms = sqlite3_column_int64(s, 2);
            copy_account(s, 3, u.owner_account);
            u.upload_id = strdup(upload_id);
            u.key = strdup(key);
            if (!u.upload_id || !u.key || db_column_strdup(s, 4, &u.storage_class) != 0) {
                s3_upload_free(&u);
                err = S3_ERR_INTERNAL_ERROR;
            } else {
                err = S3_OK;
                if (out)
                    *out = u;
                else
                    s3_upload_free(&u);
            }
        }
    } else if (rc != SQLITE_DONE) {
        err = S3_ERR_INTERNAL_ERROR;
    }
    sqlite3_reset(s);
    return err;
}

static int read_parts(struct store *st, const char *upload_id, int marker, int max_parts,
                      struct s3_part_list *out)
{
    sqlite3_stmt *s = db_stmt(&st->reader, sql_part_scan);
    if (!s || db_bind_text(s, 1, upload_id) != 0 || sqlite3_bind_int(s, 2, marker) != SQLITE_OK ||
        sqlite3_bind_int(s, 3, max_parts + 1) != SQLITE_OK)
        return -1;
    out->parts = calloc((size_t)max_parts, sizeof(*out->parts));
    if (!out->parts) {
        sqlite3_reset(s);
        return -1;
    }
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n_parts == (size_t)max_parts) {
            out->is_truncated = true;
            rc = SQLITE_DONE;
            break;
        }
        struct s3_part *p = &out->parts[out->n_parts++];
        p->part_number = sqlite3_column_int(s, 0);
        p->size = sqlite3_column_int64(s, 1);
        copy_fixed(s, 2, p->etag, sizeof(p->etag));
        p->last_modified_ms = sqlite3_column_int64(s, 3);
        copy_fixed(s, 4, p->blob_sha256, sizeof(p->blob_sha256));
        out->next_part_number_marker = p->part_number;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

enum s3_err store_list_parts(struct store *st, const char *bucket, const char *key,
                             const char *upload_id, int part_number_marker, int max_parts,
                             struct s3_upload *upload_out, struct s3_part_list *out)
{
    memset(out, 0, sizeof(*out));
    if (upload_out)
        memset(upload_out, 0, sizeof(*upload_out));
    enum s3_err err = read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    if (err == S3_OK)
        err = load_upload(st, bucket, key, upload_id, upload_out);
    if (max_parts > 1000)
        max_parts = 1000;
    if (err == S3_OK && max_parts > 0 &&
        read_parts(st, upload_id, part_number_marker, max_parts, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = read_end(st, err);
    if (err != S3_OK) {
        s3_part_list_free(out);
        if (upload_out)
            s3_upload_free(upload_out);
    }
    return err;
}
