/* blob: the content-addressed blob store under data_dir/blobs.
 *
 * A body is received by a blob_writer while MD5 and SHA-256 are computed
 * incrementally. Bytes gather in a memory buffer of at most BLOB_BUFFER;
 * a body that ends within BLOB_INLINE_MAX never touches the file system and
 * is kept inline in the blobs table (small objects cost one row in the
 * group-committed transaction instead of a file, an fdatasync and a
 * directory fsync each). A larger body spills into a uniquely named file in
 * tmp/ (O_EXCL, random name), written a buffer at a time, with writeback
 * started every BLOB_WRITEBACK bytes so the final fdatasync has little left
 * to do; memory does not grow with the body. The commit thread later
 * installs a file body: fdatasync, then rename to blobs/ab/cd/<sha256> — or
 * unlink when that blob exists already (deduplication) — and records the
 * directories whose entries changed so each is fsynced once per batch.
 *
 * GC deletes blob rows whose refcount reached 0 and their files, files under
 * blobs/ with no row (left by a crash between rename and commit), and temp
 * files older than a given age. */
#include "storage/store_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOB_BUFFER (128 * 1024)
#define BLOB_WRITEBACK (8 * 1024 * 1024)

struct blob_writer {
    struct store *st;
    int fd;                        /* -1 until the body outgrows memory */
    char *tmp_path;
    unsigned char *buf;
    size_t buf_len, buf_cap;
    int64_t since_writeback;
    EVP_MD_CTX *md5;
    EVP_MD_CTX *sha256;
    int64_t size;
    bool finished;
    unsigned char md5_digest[16];
    unsigned char sha256_digest[32];
};

void store_hex_encode(const unsigned char *bin, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * n] = '\0';
}

bool blob_is_sha256_hex(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return i == 64;
}

int blob_path(const struct store *st, const char *sha256_hex, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%.2s/%.2s/%s", st->blobs_dir, sha256_hex,
                     sha256_hex + 2, sha256_hex);
    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int blob_writer_new(struct store *st, struct blob_writer **out)
{
    struct blob_writer *bw = calloc(1, sizeof(*bw));
    if (!bw)
        return -1;
    bw->st = st;
    bw->fd = -1;
    bw->md5 = EVP_MD_CTX_new();
    bw->sha256 = EVP_MD_CTX_new();
    if (!bw->md5 || !bw->sha256 || !EVP_DigestInit_ex(bw->md5, EVP_md5(), NULL) ||
        !EVP_DigestInit_ex(bw->sha256, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(bw->md5);
        EVP_MD_CTX_free(bw->sha256);
        free(bw);
        errno = ENOMEM;
        return -1;
    }
    *out = bw;
    return 0;
}

/* Creates the temp file the first time the body outgrows memory. */
static int open_tmp_file(struct blob_writer *bw)
{
    const struct store *st = bw->st;
    size_t path_len = strlen(st->tmp_dir) + 1 + 32 + sizeof(".part");
    bw->tmp_path = malloc(path_len);
    if (!bw->tmp_path)
        return -1;
    for (int attempt = 0; attempt < 8 && bw->fd < 0; attempt++) {
        unsigned char rnd[16];
        char name[33];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
            return -1;
        store_hex_encode(rnd, sizeof(rnd), name);
        snprintf(bw->tmp_path, path_len, "%s/%s.part", st->tmp_dir, name);
        bw->fd = open(bw->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (bw->fd < 0 && errno != EEXIST)
            return -1;
    }
    return bw->fd < 0 ? -1 : 0;
}

static int write_all(int fd, const unsigned char *p, size_t left)
{
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    return 0;
}

/* Moves the buffer into the temp file and starts writeback now and then. */
static int flush_buffer(struct blob_writer *bw)
{
    if (bw->fd < 0 && open_tmp_file(bw) != 0)
        return -1;
    if (write_all(bw->fd, bw->buf, bw->buf_len) != 0)
        return -1;
    bw->since_writeback += (int64_t)bw->buf_len;
    bw->buf_len = 0;
    if (bw->since_writeback >= BLOB_WRITEBACK) {
        sync_file_range(bw->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        bw->since_writeback = 0;
    }
    return 0;
}

static int ensure_buffer(struct blob_writer *bw, size_t want)
{
    if (bw->buf_cap >= want)
        return 0;
    size_t cap = bw->buf_cap ? bw->buf_cap : 8192;
    while (cap < want)
        cap *= 2;
    if (cap > BLOB_BUFFER)
        cap = BLOB_BUFFER;
    unsigned char *grown = realloc(bw->buf, cap);
    if (!grown)
        return -1;
    bw->buf = grown;
    bw->buf_cap = cap;
    return 0;
}

int blob_writer_write(struct blob_writer *bw, const void *data, size_t len)
{
    if (bw->finished) {
        errno = EINVAL;
        return -1;
    }
    if (!EVP_DigestUpdate(bw->md5, data, len) || !EVP_DigestUpdate(bw->sha256, data, len)) {
        errno = EIO;
        return -1;
    }
    const unsigned char *p = data;
    size_t left = len;
    while (left > 0) {
        if (ensure_buffer(bw, bw->buf_len + left) != 0)
            return -1;
        size_t room = bw->buf_cap - bw->buf_len;
        size_t n = left < room ? left : room;
        memcpy(bw->buf + bw->buf_len, p, n);
        bw->buf_len += n;
        p += n;
        left -= n;
        if (bw->buf_len == BLOB_BUFFER && flush_buffer(bw) != 0)
            return -1;
    }
    bw->size += (int64_t)len;
    return 0;
}

void blob_writer_finish(struct blob_writer *bw)
{
    if (bw->finished)
        return;
    unsigned int n = 0;
    if (!EVP_DigestFinal_ex(bw->md5, bw->md5_digest, &n))
        memset(bw->md5_digest, 0, sizeof(bw->md5_digest));
    if (!EVP_DigestFinal_ex(bw->sha256, bw->sha256_digest, &n))
        memset(bw->sha256_digest, 0, sizeof(bw->sha256_digest));
    bw->finished = true;
}

int64_t blob_writer_size(const struct blob_writer *bw)
{
    return bw->size;
}

const unsigned char *blob_writer_md5(const struct blob_writer *bw)
{
    return bw->md5_digest;
}

const unsigned char *blob_writer_sha256(const struct blob_writer *bw)
{
    return bw->sha256_digest;
}

unsigned char *blob_writer_take_inline(struct blob_writer *bw)
{
    if (bw->fd >= 0 || bw->size > BLOB_INLINE_MAX || bw->size == 0)
        return NULL;
    unsigned char *data = bw->buf;
    bw->buf = NULL;
    bw->buf_len = bw->buf_cap = 0;
    return data;
}

static void blob_writer_free(struct blob_writer *bw)
{
    if (bw->fd >= 0)
        close(bw->fd);
    free(bw->tmp_path);
    free(bw->buf);
    EVP_MD_CTX_free(bw->md5);
    EVP_MD_CTX_free(bw->sha256);
    free(bw);
}

void blob_writer_discard(struct blob_writer *bw)
{
    if (!bw)
        return;
    if (bw->tmp_path && bw->fd >= 0)
        unlink(bw->tmp_path);
    blob_writer_free(bw);
}

int store_open_blob(struct store *st, const char *sha256_hex)
{
    char path[PATH_MAX];
    if (!blob_is_sha256_hex(sha256_hex) || blob_path(st, sha256_hex, path, sizeof(path)) != 0) {
        errno = EINVAL;
        return -1;
    }
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* ---- installing ------------------------------------------------------- */

static int dir_sync_set_add(struct dir_sync_set *dirs, const char *path)
{
    for (size_t i = 0; i < dirs->n; i++) {
        if (strcmp(dirs->paths[i], path) == 0)
            return 0;
    }
    if (dirs->n == dirs->cap) {
        size_t cap = dirs->cap ? dirs->cap * 2 : 16;
        char **grown = realloc(dirs->paths, cap * sizeof(*grown));
        if (!grown)
            return -1;
        dirs->paths = grown;
        dirs->cap = cap;
    }
    dirs->paths[dirs->n] = strdup(path);
    if (!dirs->paths[dirs->n])
        return -1;
    dirs->n++;
    return 0;
}

int dir_sync_set_flush(struct dir_sync_set *dirs)
{
    int result = 0;
    for (size_t i = 0; i < dirs->n; i++) {
        int fd = open(dirs->paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            result = -1;
        if (fd >= 0)
            close(fd);
    }
    return result;
}

void dir_sync_set_free(struct dir_sync_set *dirs)
{
    for (size_t i = 0; i < dirs->n; i++)
        free(dirs->paths[i]);
    free(dirs->paths);
    memset(dirs, 0, sizeof(*dirs));
}

/* mkdir that tells whether it created the directory; the parent's entry
 * then changed and must be fsynced. */
static int ensure_dir(const char *path, const char *parent, struct dir_sync_set *dirs)
{
    if (mkdir(path, 0755) == 0)
        return dir_sync_set_add(dirs, parent);
    return errno == EEXIST ? 0 : -1;
}

int blob_install(struct blob_writer *bw, struct dir_sync_set *dirs)
{
    struct store *st = bw->st;
    char hex[65], level1[PATH_MAX], level2[PATH_MAX], path[PATH_MAX];
    int result = -1;
    store_hex_encode(bw->sha256_digest, 32, hex);
    if ((bw->buf_len > 0 || bw->fd < 0) && flush_buffer(bw) != 0)
        goto done;
    if (fdatasync(bw->fd) != 0)
        goto done;
    if (blob_path(st, hex, path, sizeof(path)) != 0) {
        errno = ENAMETOOLONG;
        goto done;
    }
    /* path is blobs/ab/cd/<hex>: its two parents are prefixes of it. */
    size_t level2_len = strlen(st->blobs_dir) + 6, level1_len = level2_len - 3;
    memcpy(level1, path, level1_len);
    level1[level1_len] = '\0';
    memcpy(level2, path, level2_len);
    level2[level2_len] = '\0';
    struct stat sb;
    if (stat(path, &sb) == 0) {
        result = unlink(bw->tmp_path);
        goto done;
    }
    if (ensure_dir(level1, st->blobs_dir, dirs) != 0 || ensure_dir(level2, level1, dirs) != 0)
        goto done;
    if (rename(bw->tmp_path, path) != 0)
        goto done;
    result = dir_sync_set_add(dirs, level2);
done:
    if (result != 0 && bw->tmp_path)
        unlink(bw->tmp_path);
    blob_writer_free(bw);
    return result;
}

/* ---- garbage collection ------------------------------------------------ */

static const char sql_gc_unreferenced[] =
    "DELETE FROM blobs WHERE sha256 IN "
    "(SELECT sha256 FROM blobs WHERE refcount <= 0 LIMIT 256) RETURNING sha256";
static const char sql_gc_blob_known[] = "SELECT 1 FROM blobs WHERE sha256 = ?1";

static int unlink_blob_file(struct store *st, const char *hex)
{
    char path[PATH_MAX];
    if (blob_path(st, hex, path, sizeof(path)) != 0)
        return -1;
    return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* Drops rows with refcount 0 (in chunks, each its own transaction), then
 * their files: a crash in between leaves files without rows, which the
 * directory sweep removes next time. */
static int gc_unreferenced_batches(struct store *st, size_t *removed)
{
    for (;;) {
        char (*hexes)[65] = malloc(256 * sizeof(*hexes));
        if (!hexes)
            return -1;
        size_t n = 0;
        int rc = SQLITE_DONE;
        if (db_exec(&st->writer, "BEGIN IMMEDIATE") != 0) {
            free(hexes);
            return -1;
        }
        sqlite3_stmt *s = db_stmt(&st->writer, sql_gc_unreferenced);
        if (s) {
            while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
                const char *hex = (const char *)sqlite3_column_text(s, 0);
                if (hex && n < 256 && strlen(hex) == 64)
                    memcpy(hexes[n++], hex, 65);
            }
            sqlite3_reset(s);
        }
        if (!s || rc != SQLITE_DONE || db_exec(&st->writer, "COMMIT") != 0) {
            db_exec(&st->writer, "ROLLBACK");
            free(hexes);
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (unlink_blob_file(st, hexes[i]) == 0)
                (*removed)++;
        }
        free(hexes);
        if (n == 0)
            return 0;
    }
}

static int gc_unreferenced_rows(struct store *st, size_t *removed)
{
    /* Rows with refcount 0 have no referrers; checking the foreign keys of
     * segments and parts would scan both tables for every row deleted. */
    if (db_exec(&st->writer, "PRAGMA foreign_keys=OFF") != 0)
        return -1;
    int rc = gc_unreferenced_batches(st, removed);
    if (db_exec(&st->writer, "PRAGMA foreign_keys=ON") != 0)
        rc = -1;
    return rc;
}

static int blob_row_exists(struct store *st, const char *hex, bool *exists)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql_gc_blob_known);
    if (!s || db_bind_text(s, 1, hex) != 0)
        return -1;
    int rc = sqlite3_step(s);
    *exists = rc == SQLITE_ROW;
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Visits the leaf files of blobs/ab/cd/ and removes those with no row. */
static int gc_orphan_files(struct store *st, const char *dir, int depth, size_t *removed)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    int result = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            continue;
        if (depth < 2) {
            if (strlen(e->d_name) == 2 && gc_orphan_files(st, path, depth + 1, removed) != 0)
                result = -1;
            continue;
        }
        bool known = true;
        if (!blob_is_sha256_hex(e->d_name))
            continue;
        if (blob_row_exists(st, e->d_name, &known) != 0) {
            result = -1;
            break;
        }
        if (!known && unlink(path) == 0)
            (*removed)++;
    }
    closedir(d);
    return result;
}

static int gc_old_tmp_files(struct store *st, int tmp_age_s, size_t *removed)
{
    DIR *d = opendir(st->tmp_dir);
    if (!d)
        return -1;
    time_t cutoff = time(NULL) - tmp_age_s;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat sb;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (S_ISREG(sb.st_mode) && sb.st_mtime <= cutoff &&
            unlinkat(dirfd(d), e->d_name, 0) == 0)
            (*removed)++;
    }
    closedir(d);
    return 0;
}

enum s3_err blob_gc(struct store *st, int tmp_age_s, size_t *removed)
{
    *removed = 0;
    if (gc_unreferenced_rows(st, removed) != 0 ||
        gc_orphan_files(st, st->blobs_dir, 0, removed) != 0 ||
        gc_old_tmp_files(st, tmp_age_s, removed) != 0)
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}
