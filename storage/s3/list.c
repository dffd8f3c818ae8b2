/* s3_list: the listings — objects, object versions, multipart uploads and
 * an upload's parts — on the read-only connection of the loop thread.
 *
 * Each listing runs in its own read transaction (BEGIN ... COMMIT) so it
 * sees one consistent snapshot, which includes every commit whose
 * completion has been dispatched. Listings never load a bucket: they walk
 * the primary-key index in key order from the start marker and, when a key
 * rolls up into a CommonPrefix, re-seek to the first key past that prefix
 * (the prefix's byte-wise successor), so a prefix with a million keys costs
 * one seek.
 *
 * ListObjectVersions walks the same way over `objects` (the latest version
 * of each key, delete markers included) and, after each key's latest
 * version, reads that key's older versions from object_versions by its
 * primary key (bucket, key, seq) newest first; ListObjects skips delete
 * markers. */
#include "storage/s3/internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char sql_object_scan[] =
    "SELECT key, size, etag, last_modified_ms, owner, storage_class FROM objects"
    " WHERE bucket = ?1 AND key >= ?2 AND delete_marker = 0 ORDER BY key";
/* ListObjectVersions: the latest of each key (delete markers included),
 * then each key's older versions, newest first, below a seq. */
static const char sql_latest_scan[] =
    "SELECT key, size, etag, last_modified_ms, owner, storage_class, version_id, delete_marker"
    " FROM objects WHERE bucket = ?1 AND key >= ?2 ORDER BY key";
static const char sql_older_scan[] =
    "SELECT key, size, etag, last_modified_ms, owner, storage_class, version_id, delete_marker"
    " FROM object_versions WHERE bucket = ?1 AND key = ?2 AND seq < ?3 ORDER BY seq DESC";
static const char sql_upload_initiated[] =
    "SELECT initiated_ms FROM uploads WHERE upload_id = ?1 AND bucket = ?2 AND key = ?3";
static const char sql_upload_scan[] =
    "SELECT upload_id, key, initiated_ms, owner, storage_class FROM uploads"
    " WHERE bucket = ?1 AND key >= ?2"
    " AND (key > ?3 OR (key = ?3 AND (initiated_ms, upload_id) > (?4, ?5)))"
    " ORDER BY key, initiated_ms, upload_id";
static const char sql_upload_get[] =
    "SELECT bucket, key, initiated_ms, owner, storage_class, checksum_alg, checksum_type,"
    " sse, sse_kms_key_id, sse_bucket_key, sse_customer_key_md5 FROM uploads WHERE upload_id = ?1";
static const char sql_part_scan[] =
    "SELECT part_number, size, etag, last_modified_ms, blob, checksum_alg, checksum FROM parts"
    " WHERE upload_id = ?1 AND part_number > ?2 ORDER BY part_number LIMIT ?3";

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
    if (!s3_grow((void **)array, *n, cap, sizeof(**array)))
        return -1;
    (*array)[(*n)++] = s;
    return 0;
}

static int read_listed_object(sqlite3_stmt *s, struct s3_object *o)
{
    memset(o, 0, sizeof(*o));
    o->size = sqlite3_column_int64(s, 1);
    s3_copy_fixed(s, 2, o->etag, sizeof(o->etag));
    o->last_modified_ms = sqlite3_column_int64(s, 3);
    s3_copy_account(s, 4, o->owner_account);
    if (db_column_strdup(s, 0, &o->key) != 0 || !o->key ||
        db_column_strdup(s, 5, &o->storage_class) != 0) {
        s3_object_free(o);
        return -1;
    }
    return 0;
}

/* One listing in progress: what walk_keys and its per-key callbacks share. */
struct key_walk {
    struct store *st;
    const char *bucket;
    struct s3_list_result *out;
    size_t cap_objects, cap_prefixes;
    int count, max_keys;
    const char *last_key;          /* the last key or common prefix listed */
    const char *last_version;      /* its version (versions listings), NULL for a prefix */
};

/* Lists one key's row; 0 to go on, 1 when max_keys stopped the listing
 * (is_truncated set), -1 on error. */
typedef int (*key_row_fn)(struct key_walk *w, sqlite3_stmt *row);

/* Appends an s3_object for a listing row (key, size, etag, last_modified,
 * owner, storage_class[, version_id, delete_marker]); 1 when the listing
 * is full. */
static int list_row(struct key_walk *w, sqlite3_stmt *s, bool with_version, bool is_latest)
{
    if (w->count == w->max_keys) {
        w->out->is_truncated = true;
        return 1;
    }
    struct s3_list_result *out = w->out;
    if (!s3_grow((void **)&out->objects, out->n_objects, &w->cap_objects, sizeof(*out->objects)))
        return -1;
    struct s3_object *o = &out->objects[out->n_objects];
    if (read_listed_object(s, o) != 0)
        return -1;
    if (with_version) {
        s3_copy_fixed(s, 6, o->version_id, sizeof(o->version_id));
        o->delete_marker = sqlite3_column_int(s, 7) != 0;
        o->is_latest = is_latest;
        w->last_version = o->version_id;
    }
    w->last_key = o->key;
    out->n_objects++;
    w->count++;
    return 0;
}

static int list_latest_object(struct key_walk *w, sqlite3_stmt *row)
{
    return list_row(w, row, false, true);
}

/* A key's versions older than seq `below`, newest first. */
static int list_older_versions(struct key_walk *w, const char *key, int64_t below)
{
    sqlite3_stmt *s = db_stmt(&w->st->reader, sql_older_scan);
    if (!s || db_bind_text(s, 1, w->bucket) != 0 || db_bind_text(s, 2, key) != 0 ||
        sqlite3_bind_int64(s, 3, below) != SQLITE_OK)
        return -1;
    int rc, listed = 0;
    while (listed == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        listed = list_row(w, s, true, false);
    sqlite3_reset(s);
    if (listed != 0)
        return listed;
    return rc == SQLITE_DONE ? 0 : -1;
}

static int list_key_versions(struct key_walk *w, sqlite3_stmt *row)
{
    int listed = list_row(w, row, true, true);
    if (listed != 0)
        return listed;
    return list_older_versions(w, w->last_key, INT64_MAX);
}

/* The walk behind every object listing (see the file comment): rows of
 * `sql` (bucket ?1, lower bound ?2, in key order) from `lower` (taken),
 * keys rolled into CommonPrefixes, each other key handed to on_row. */
static int walk_keys(struct key_walk *w, const char *sql, const char *prefix,
                     const char *delimiter, char *lower, key_row_fn on_row)
{
    bool done = lower == NULL;
    int result = 0;
    sqlite3_stmt *s = db_stmt(&w->st->reader, sql);
    if (!s)
        result = -1;
    while (!done && result == 0) {
        sqlite3_reset(s);
        if (db_bind_text(s, 1, w->bucket) != 0 || db_bind_text(s, 2, lower) != 0) {
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
            char *cp = common_prefix_of(key, prefix, delimiter);
            if (cp) {
                if (w->count == w->max_keys) {
                    w->out->is_truncated = true;
                    free(cp);
                    break;
                }
                if (append_string(&w->out->common_prefixes, &w->out->n_common_prefixes,
                                  &w->cap_prefixes, cp) != 0) {
                    free(cp);
                    result = -1;
                    break;
                }
                w->count++;
                w->last_key = cp;
                w->last_version = NULL;
                free(lower);
                lower = successor_of(cp);
                done = lower == NULL;
                break;
            }
            int listed = on_row(w, s);
            if (listed != 0) {
                result = listed < 0 ? -1 : 0;
                break;
            }
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            result = -1;
    }
    if (s)
        sqlite3_reset(s);
    free(lower);
    return result;
}

/* Sets the next markers of a truncated listing. */
static int finish_walk(struct key_walk *w)
{
    struct s3_list_result *out = w->out;
    if (!out->is_truncated || !w->last_key)
        return 0;
    out->next_marker = strdup(w->last_key);
    if (!out->next_marker)
        return -1;
    if (w->last_version) {
        out->next_version_id_marker = strdup(w->last_version);
        if (!out->next_version_id_marker)
            return -1;
    }
    return 0;
}

static int walk_objects(struct store *st, const char *bucket, const char *prefix,
                        const char *delimiter, const char *marker, int max_keys,
                        struct s3_list_result *out)
{
    char *lower = NULL;
    bool done = false;
    if (listing_lower_bound(prefix, delimiter, marker, true, &lower, &done) != 0)
        return -1;
    struct key_walk w = {.st = st, .bucket = bucket, .out = out, .max_keys = max_keys};
    if (walk_keys(&w, sql_object_scan, prefix, delimiter, done ? NULL : lower,
                  list_latest_object) != 0)
        return -1;
    return finish_walk(&w);
}

enum s3_err store_list_objects(struct store *st, const char *bucket,
                               const struct s3_list_params *params,
                               struct s3_list_result *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = s3_read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    int max_keys = params->max_keys > 1000 ? 1000 : params->max_keys;
    if (err == S3_OK && max_keys > 0 &&
        walk_objects(st, bucket, params->prefix ? params->prefix : "", params->delimiter,
                     params->start_after ? params->start_after : "", max_keys, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = s3_read_end(st, err);
    if (err != S3_OK)
        s3_list_result_free(out);
    return err;
}

/* The seq below which the versions of the marker key continue:
 * INT64_MAX after its latest version, that version's seq after an older
 * one, INT64_MIN (nothing) when the marker names no version of the key. */
static int version_marker_seq(struct store *st, const char *bucket, const char *key,
                              const char *version_id, int64_t *below)
{
    struct s3_object o;
    int64_t seq;
    memset(&o, 0, sizeof(o));
    enum s3_err err = s3_load_version_row(&st->reader, bucket, key, version_id, &o, &seq);
    s3_object_free(&o);
    if (err == S3_OK)
        *below = seq < 0 ? INT64_MAX : seq;
    else if (err == S3_ERR_NO_SUCH_VERSION || err == S3_ERR_NO_SUCH_KEY)
        *below = INT64_MIN;
    else
        return -1;
    return 0;
}

static int walk_versions(struct store *st, const char *bucket, const char *prefix,
                         const char *delimiter, const char *key_marker,
                         const char *version_id_marker, int max_keys, struct s3_list_result *out)
{
    struct key_walk w = {.st = st, .bucket = bucket, .out = out, .max_keys = max_keys};
    if (*key_marker && version_id_marker && *version_id_marker && starts_with(key_marker, prefix)) {
        char *cp = common_prefix_of(key_marker, prefix, delimiter);
        int64_t below = INT64_MIN;
        int rc = cp ? 0 : version_marker_seq(st, bucket, key_marker, version_id_marker, &below);
        free(cp);
        if (rc == 0 && below != INT64_MIN)
            rc = list_older_versions(&w, key_marker, below);
        if (rc < 0)
            return -1;
        if (rc > 0)
            return finish_walk(&w);
    }
    char *lower = NULL;
    bool done = false;
    if (listing_lower_bound(prefix, delimiter, key_marker, true, &lower, &done) != 0)
        return -1;
    if (walk_keys(&w, sql_latest_scan, prefix, delimiter, done ? NULL : lower,
                  list_key_versions) != 0)
        return -1;
    return finish_walk(&w);
}

enum s3_err store_list_object_versions(struct store *st, const char *bucket,
                                       const struct s3_list_params *params,
                                       const char *version_id_marker,
                                       struct s3_list_result *out)
{
    memset(out, 0, sizeof(*out));
    enum s3_err err = s3_read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    int max_keys = params->max_keys > 1000 ? 1000 : params->max_keys;
    if (err == S3_OK && max_keys > 0 &&
        walk_versions(st, bucket, params->prefix ? params->prefix : "", params->delimiter,
                      params->start_after ? params->start_after : "", version_id_marker,
                      max_keys, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = s3_read_end(st, err);
    if (err != S3_OK)
        s3_list_result_free(out);
    return err;
}

static int read_upload_row(sqlite3_stmt *s, struct s3_upload *u)
{
    memset(u, 0, sizeof(*u));
    u->initiated_ms = sqlite3_column_int64(s, 2);
    s3_copy_account(s, 3, u->owner_account);
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
            if (!s3_grow((void **)&out->uploads, out->n_uploads, &cap_uploads,
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
    enum s3_err err = s3_read_begin(st);
    if (err != S3_OK)
        return err;
    err = store_check_bucket(&st->reader, bucket);
    if (max_uploads > 1000)
        max_uploads = 1000;
    if (err == S3_OK && max_uploads > 0 &&
        walk_uploads(st, bucket, prefix ? prefix : "", delimiter,
                     key_marker ? key_marker : "", upload_id_marker, max_uploads, out) != 0)
        err = S3_ERR_INTERNAL_ERROR;
    err = s3_read_end(st, err);
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
            s3_copy_account(s, 3, u.owner_account);
            u.upload_id = strdup(upload_id);
            u.key = strdup(key);
            s3_copy_fixed(s, 5, u.checksum_alg, sizeof(u.checksum_alg));
            s3_copy_fixed(s, 6, u.checksum_type, sizeof(u.checksum_type));
            if (!u.upload_id || !u.key || db_column_strdup(s, 4, &u.storage_class) != 0 ||
                s3_read_sse_columns(s, 7, &u.sse) != 0) {
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
        s3_copy_fixed(s, 2, p->etag, sizeof(p->etag));
        p->last_modified_ms = sqlite3_column_int64(s, 3);
        s3_copy_fixed(s, 4, p->blob_sha256, sizeof(p->blob_sha256));
        s3_copy_fixed(s, 5, p->checksum_alg, sizeof(p->checksum_alg));
        s3_copy_fixed(s, 6, p->checksum, sizeof(p->checksum));
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
    enum s3_err err = s3_read_begin(st);
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
    err = s3_read_end(st, err);
    if (err != S3_OK) {
        s3_part_list_free(out);
        if (upload_out)
            s3_upload_free(upload_out);
    }
    return err;
}
