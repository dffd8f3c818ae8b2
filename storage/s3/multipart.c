/* s3_multipart: multipart uploads in the store — creating one, storing a
 * part (from its body or copied from an object's range), completing (the
 * object made from the parts' blobs without copying, after checking order,
 * ETags, checksums and sizes) and aborting. Listing uploads and parts is
 * storage/s3/list.c's. */
#include "storage/s3/internal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "protocol/auth/checksum.h"
#include "protocol/core/base64.h"
#include "protocol/s3/s3.h"

/* Every part but the last is at least this large. */
#define STORE_MIN_PART_SIZE (5 * 1024 * 1024)

static const char sql_upload_insert[] =
    "INSERT INTO uploads(upload_id, bucket, key, initiated_ms, owner, storage_class,"
    " content_type, content_encoding, content_disposition, content_language, cache_control,"
    " expires, user_meta, tags, lock_mode, lock_until_ms, legal_hold, checksum_alg,"
    " checksum_type, acl, sse, sse_kms_key_id, sse_bucket_key, sse_customer_key_md5, key_existed)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24,"
    " EXISTS (SELECT 1 FROM objects WHERE bucket = ?2 AND key = ?3 AND delete_marker = 0))";
static const char sql_upload_target[] = "SELECT bucket, key FROM uploads WHERE upload_id = ?1";
static const char sql_upload_details[] =
    "SELECT owner, storage_class, content_type, content_encoding, content_disposition,"
    " content_language, cache_control, expires, user_meta, tags, lock_mode, lock_until_ms,"
    " legal_hold, checksum_alg, checksum_type, acl, key_existed, sse, sse_kms_key_id, sse_bucket_key,"
    " sse_customer_key_md5 FROM uploads WHERE upload_id = ?1";
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

/* A fresh upload id (see s3_upload_id_from_bytes). */
static int new_upload_id(char out[S3_UPLOAD_ID_LEN + 1])
{
    unsigned char rnd[S3_UPLOAD_ID_RANDOM_BYTES];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return -1;
    s3_upload_id_from_bytes(rnd, out);
    return 0;
}

static enum s3_err apply_create_upload(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err != S3_OK)
        return err;
    char id[S3_UPLOAD_ID_LEN + 1];
    if (new_upload_id(id) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int64_t now = clock_now_ms();
    struct s3_sse sse = s3_job_sse(job);
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_insert);
    if (!s || db_bind_text(s, 1, id) != 0 || db_bind_text(s, 2, job->bucket) != 0 ||
        db_bind_text(s, 3, job->key) != 0 || sqlite3_bind_int64(s, 4, now) != SQLITE_OK ||
        db_bind_text(s, 5, job->account) != 0 || db_bind_text(s, 6, job->storage_class) != 0 ||
        s3_bind_content(s, 7, &job->content) != 0 || db_bind_text(s, 13, job->meta_json) != 0 ||
        db_bind_text(s, 14, job->tags_json) != 0 || db_bind_text(s, 15, job->lock_mode) != 0 ||
        sqlite3_bind_int64(s, 16, job->lock_until_ms) != SQLITE_OK ||
        sqlite3_bind_int(s, 17, job->legal_hold) != SQLITE_OK ||
        db_bind_text(s, 18, job->checksum_alg) != 0 ||
        db_bind_text(s, 19, job->checksum_alg ? job->checksum_type : NULL) != 0 ||
        db_bind_text(s, 20, job->acl_xml) != 0 || s3_bind_sse(s, 21, &sse) != 0 || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    memcpy(base->result.upload_id, id, sizeof(id));
    base->result.last_modified_ms = now;
    return S3_OK;
}

int store_create_upload(struct store *st, const struct store_create_upload *cu,
                        store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_create_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(cu->bucket, &ok);
    job->key = s3_job_dup(cu->key, &ok);
    job->account = s3_job_dup(cu->account ? cu->account : "", &ok);
    job->storage_class = s3_job_dup(cu->storage_class, &ok);
    s3_job_dup_checksum(job, &cu->checksum, &ok);
    s3_job_dup_object_extras(job, cu->tags, cu->n_tags, &cu->lock, cu->acl, &ok);
    s3_job_dup_sse(job, cu->sse, &ok);
    s3_job_dup_content(cu->content, &job->content, &ok);
    job->meta_json = store_encode_kv_json(cu->user_meta, cu->n_user_meta);
    ok = ok && job->meta_json;
    return s3_job_queue(st, job, ok);
}

static enum s3_err apply_put_part(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = check_upload(st, job->bucket, job->key, job->upload_id);
    char etag[33];
    if (err == S3_OK)
        err = s3_job_body_blob(st, base, etag);
    if (err != S3_OK)
        return err;
    int64_t size = base->has_body ? base->body_size : 0;
    int64_t now = clock_now_ms();
    sqlite3_stmt *s = db_stmt(&st->writer, sql_part_delete);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    s = db_stmt(&st->writer, sql_part_insert);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 ||
        sqlite3_bind_int(s, 2, job->part_number) != SQLITE_OK || db_bind_text(s, 3, etag) != 0 ||
        sqlite3_bind_int64(s, 4, size) != SQLITE_OK ||
        db_bind_text(s, 5, size > 0 ? base->body_sha256 : NULL) != 0 ||
        sqlite3_bind_int64(s, 6, now) != SQLITE_OK ||
        db_bind_text(s, 7, job->checksum_alg) != 0 || db_bind_text(s, 8, job->checksum) != 0 ||
        db_bind_text(s, 9, job->crc64nvme) != 0 || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    memcpy(base->result.etag, etag, sizeof(etag));
    struct s3_object o = {0};
    s3_set_checksum(&o, job->checksum_alg, job->checksum, "FULL_OBJECT");
    s3_job_result_checksum(base, &o);
    base->result.last_modified_ms = now;
    return S3_OK;
}

static struct s3_job *part_job_new(const char *bucket, const char *key, const char *upload_id,
                                   int part_number, store_done_fn cb, void *arg, bool *ok)
{
    struct s3_job *job = s3_job_new(apply_put_part, cb, arg);
    if (!job)
        return NULL;
    job->bucket = s3_job_dup(bucket, ok);
    job->key = s3_job_dup(key, ok);
    job->upload_id = s3_job_dup(upload_id, ok);
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
    s3_job_dup_checksum(job, checksum, &ok);
    job->crc64nvme = s3_job_dup(crc64nvme, &ok);
    return s3_job_queue(st, job, ok);
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
    struct s3_object src;
    enum s3_err err = s3_load_copy_source(st, job, &src);
    if (err != S3_OK) {
        s3_object_free(&src);
        return err;
    }
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
        (blob_writer_new_sync(st, &sink.bw) != 0 || s3_range_sink_add(&sink, CHECKSUM_CRC64NVME) != 0 ||
         (upload_alg >= 0 && s3_range_sink_add(&sink, (enum checksum_alg)upload_alg) != 0)))
        err = S3_ERR_INTERNAL_ERROR;
    if (err == S3_OK && (s3_copy_range(st, &src, first, last, &sink) != 0 ||
                         blob_writer_finish_sync(sink.bw) != 0))
        err = S3_ERR_INTERNAL_ERROR;
    if (err == S3_OK) {
        char b64[80];
        s3_range_sink_base64(&sink, 0, b64);
        job->crc64nvme = strdup(b64);
        if (upload_alg >= 0) {
            s3_range_sink_base64(&sink, 1, b64);
            job->checksum = strdup(b64);
            job->checksum_alg = strdup(checksum_alg_name((enum checksum_alg)upload_alg));
        }
        if (!job->crc64nvme || (upload_alg >= 0 && (!job->checksum || !job->checksum_alg)))
            err = S3_ERR_INTERNAL_ERROR;
    }
    s3_range_sink_abort(&sink);
    if (err == S3_OK)
        base->body = sink.bw;
    else
        blob_writer_discard(sink.bw);
    s3_object_free(&src);
    return err;
}

int store_put_part_copy(struct store *st, const char *bucket, const char *key,
                        const char *upload_id, int part_number, const struct store_copy_source *src,
                        int64_t first, int64_t last, store_done_fn cb, void *arg)
{
    bool ok = true;
    struct s3_job *job = part_job_new(bucket, key, upload_id, part_number, cb, arg, &ok);
    if (!job)
        return -1;
    job->base.prepare = prepare_part_copy;
    s3_job_dup_copy_source(job, src, &ok);
    job->first = first;
    job->last = last;
    return s3_job_queue(st, job, ok);
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
        s3_set_checksum(o, checksum_alg_name(pc->alg), b64, pc->composite ? "COMPOSITE" : "FULL_OBJECT");
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

/* The upload's owner, storage class, headers, metadata and tags JSON, its
 * encryption (into o), the lock and ACL it asked for (into job->lock_mode
 * and job->acl_xml), and whether its key had an object when it was
 * created (job->cond_existed). */
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
            db_column_strdup(s, 15, &job->acl_xml) == 0 && s3_read_sse_columns(s, 17, &o->sse) == 0) {
            job->lock_until_ms = sqlite3_column_int64(s, 11);
            job->legal_hold = sqlite3_column_int(s, 12) != 0;
            job->cond_existed = sqlite3_column_int(s, 16) != 0;
            err = S3_OK;
        }
    }
    sqlite3_reset(s);
    return err;
}

/* The base64 of a checksum value without a COMPOSITE "-N" suffix: its length. */
static size_t checksum_value_len(const char *v)
{
    const char *dash = strchr(v, '-');
    return dash ? (size_t)(dash - v) : strlen(v);
}

/* What CompleteMultipartUpload's headers state of the object it makes
 * (x-amz-checksum-<alg>, -type, x-amz-mp-object-size), against what the
 * parts made of it; upload_alg is the upload's algorithm (NULL: none, the
 * object then has a CRC64NVME). */
static enum s3_err check_stated_object(struct s3_job *job, const char *upload_alg, const struct s3_object *o)
{
    char *message = job->base.result.message;
    const size_t cap = sizeof(job->base.result.message);
    const char *object_alg = upload_alg ? upload_alg : "CRC64NVME";
    if (job->checksum_alg && strcasecmp(job->checksum_alg, object_alg) != 0) {
        snprintf(message, cap,
                 "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", object_alg,
                 job->checksum_alg);
        job->base.result.err_detail = message;
        return S3_ERR_INVALID_REQUEST;
    }
    if (job->checksum_type && o->checksum_type[0] && strcasecmp(job->checksum_type, o->checksum_type) != 0) {
        snprintf(message, cap, "The upload was created using the %s checksum mode. The complete "
                 "request must use the same checksum mode.", o->checksum_type);
        job->base.result.err_detail = message;
        return S3_ERR_BAD_DIGEST;
    }
    if (job->checksum_alg && job->checksum) {
        size_t len = checksum_value_len(job->checksum);
        if (!o->checksum_alg[0] || len != checksum_value_len(o->checksum) || strncmp(job->checksum, o->checksum, len) != 0) {
            snprintf(message, cap, "The %s you specified did not match the calculated checksum.",
                     object_alg);
            job->base.result.err_detail = message;
            return S3_ERR_BAD_DIGEST;
        }
    }
    if (job->object_size >= 0 && job->object_size != o->size) {
        snprintf(message, cap, "Value for x-amz-mp-object-size header is less than or greater than "
                 "the actual object size: %lld.", (long long)o->size);
        job->base.result.err_detail = message;
        return S3_ERR_INVALID_REQUEST;
    }
    return S3_OK;
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
        err = s3_check_write_condition(st, job);
    if (err == S3_OK)
        err = gather_parts(st, job, upload_alg, upload_type, &o);
    if (err == S3_OK)
        err = check_stated_object(job, upload_alg, &o);
    if (err == S3_OK)
        err = s3_new_version_id(&b, o.version_id, base->result.version_id);
    if (err == S3_OK) {
        o.last_modified_ms = clock_now_ms();
        s3_set_new_lock(&b, job->lock_mode, job->lock_until_ms, job->legal_hold, o.last_modified_ms, &o);
        err = s3_install_latest(st, "ObjectCreated:CompleteMultipartUpload", job->bucket, job->key,
                                &o, meta_json, tags_json, job->acl_xml);
    }
    if (err == S3_OK) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_delete);
        if (!s || db_bind_text(s, 1, job->upload_id) != 0 || !s3_step_done(s))
            err = S3_ERR_INTERNAL_ERROR;
    }
    if (err == S3_OK) {
        memcpy(base->result.etag, o.etag, sizeof(o.etag));
        base->result.last_modified_ms = o.last_modified_ms;
        s3_job_result_checksum(base, &o);
        /* The result outlives o: the key's ARN moves to the job. */
        base->result.sse = o.sse;
        job->sse_kms_key_id = o.sse.kms_key_id;
        base->result.sse.kms_key_id = job->sse_kms_key_id;
        o.sse.kms_key_id = NULL;
    }
    free(meta_json);
    free(tags_json);
    free(upload_alg);
    free(upload_type);
    s3_object_free(&o);
    s3_bucket_free(&b);
    return err;
}

int store_complete_upload(struct store *st, const struct store_complete *c, store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_complete_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(c->bucket, &ok);
    job->key = s3_job_dup(c->key, &ok);
    job->upload_id = s3_job_dup(c->upload_id, &ok);
    s3_job_dup_condition(job, &c->condition, &ok);
    s3_job_dup_checksum(job, &c->checksum, &ok);
    job->object_size = c->object_size;
    job->parts = malloc((c->n_parts ? c->n_parts : 1) * sizeof(*c->parts));
    if (job->parts && c->n_parts)
        memcpy(job->parts, c->parts, c->n_parts * sizeof(*c->parts));
    job->n_parts = c->n_parts;
    ok = ok && job->parts;
    return s3_job_queue(st, job, ok);
}

static enum s3_err apply_abort_upload(struct store *st, struct store_job *base)
{
    struct s3_job *job = (struct s3_job *)base;
    enum s3_err err = check_upload(st, job->bucket, job->key, job->upload_id);
    if (err != S3_OK)
        return err;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_upload_delete);
    if (!s || db_bind_text(s, 1, job->upload_id) != 0 || !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

int store_abort_upload(struct store *st, const char *bucket, const char *key,
                       const char *upload_id, store_done_fn cb, void *arg)
{
    struct s3_job *job = s3_job_new(apply_abort_upload, cb, arg);
    if (!job)
        return -1;
    bool ok = true;
    job->bucket = s3_job_dup(bucket, &ok);
    job->key = s3_job_dup(key, &ok);
    job->upload_id = s3_job_dup(upload_id, &ok);
    return s3_job_queue(st, job, ok);
}
