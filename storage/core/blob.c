/* blob: the content-addressed blob store under data_dir/blobs.
 *
 * Bodies arrive through a blob_writer (blob_writer.c). The commit thread
 * installs a file body — already fdatasynced by the writer — by renaming it
 * to blobs/ab/cd/<sha256>, or unlinking it when that blob exists already
 * (deduplication), and records the directories whose entries changed so
 * each is fsynced once per batch.
 *
 * GC deletes blob rows whose refcount reached 0 and their files, files under
 * blobs/ with no row (left by a crash between rename and commit), and temp
 * files older than a given age; store_gc() queues it as a job that runs
 * alone. */
#include "storage/core/store_internal.h"

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

int blob_install(struct store *st, const char *tmp_path, const char *sha256_hex,
                 struct dir_sync_set *dirs)
{
    char level1[PATH_MAX], level2[PATH_MAX], path[PATH_MAX];
    int result = -1;
    if (blob_path(st, sha256_hex, path, sizeof(path)) != 0) {
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
        result = unlink(tmp_path);
        goto done;
    }
    if (ensure_dir(level1, st->blobs_dir, dirs) != 0 || ensure_dir(level2, level1, dirs) != 0)
        goto done;
    if (rename(tmp_path, path) != 0)
        goto done;
    result = dir_sync_set_add(dirs, level2);
done:
    if (result != 0)
        unlink(tmp_path);
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

int blob_gc(struct store *st, int tmp_age_s, size_t *removed)
{
    *removed = 0;
    if (gc_unreferenced_rows(st, removed) != 0 ||
        gc_orphan_files(st, st->blobs_dir, 0, removed) != 0 ||
        gc_old_tmp_files(st, tmp_age_s, removed) != 0)
        return -1;
    return 0;
}

/* The GC job: it runs alone, after a batch, in its own transactions. */
struct gc_job {
    struct store_job base;
    int tmp_age_s;
    size_t removed;
    void (*done)(void *arg, bool ok, size_t removed);
    void *arg;
};

static enum s3_err apply_gc(struct store *st, struct store_job *base)
{
    struct gc_job *job = (struct gc_job *)base;
    return blob_gc(st, job->tmp_age_s, &job->removed) == 0 ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

static void gc_job_done(void *arg, const struct store_result *res)
{
    struct gc_job *job = arg;
    if (job->done)
        job->done(job->arg, res->err == S3_OK, job->removed);
}

static void gc_job_destroy(struct store_job *base)
{
    store_job_release_common(base);
    free(base);
}

int store_gc(struct store *st, int tmp_age_s, void (*done)(void *arg, bool ok, size_t removed), void *arg)
{
    struct gc_job *job = calloc(1, sizeof(*job));
    if (!job)
        return -1;
    job->base.apply = apply_gc;
    job->base.destroy = gc_job_destroy;
    job->base.cb = gc_job_done;
    job->base.cb_arg = job;
    job->base.runs_alone = true;
    job->tmp_age_s = tmp_age_s;
    job->done = done;
    job->arg = arg;
    return store_enqueue(st, &job->base);
}
