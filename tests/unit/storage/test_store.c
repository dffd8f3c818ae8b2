/* test_store: unit tests for storage/ — the S3 store over SQLite and the
 * blob directory.
 *
 * Each test gets a fresh data dir inside its own temporary parent directory.
 * Writes are asynchronous, so the helpers play the event loop: the store's
 * notifier signals a condvar, the test thread waits on it and calls
 * store_dispatch_completions() until the operations it queued are done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "protocol/auth/checksum.h"
#include "storage/s3/s3.h"
#include "storage/core/store.h"

#define ACCOUNT "000000000000"
#define OTHER_ACCOUNT "111111111111"
#define MIB (1024 * 1024)

struct fixture {
    char parent[PATH_MAX];         /* mkdtemp dir; holds only data/ */
    char data_dir[PATH_MAX];
    struct store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ready;
    int seq;                       /* completion counter, for ordering */
};

struct op {
    struct fixture *f;
    bool done;
    int order;
    enum s3_err err;
    char etag[72];
    char upload_id[64];
    int64_t last_modified_ms;
    size_t n_deleted;
    enum s3_err deleted_err[8];
    char version_id[40];
    bool delete_marker;
};

/* snprintf into a PATH_MAX buffer, failing the test if it does not fit. */
#define PATHF(buf, ...) assert_true(snprintf((buf), PATH_MAX, __VA_ARGS__) < PATH_MAX)

/* ---- the loop ----------------------------------------------------------------- */

static void notify(void *arg)
{
    struct fixture *f = arg;
    pthread_mutex_lock(&f->mu);
    f->ready = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static void on_done(void *arg, const struct store_result *res)
{
    struct op *op = arg;
    op->done = true;
    op->order = ++op->f->seq;
    op->err = res->err;
    memcpy(op->etag, res->etag, sizeof(op->etag));
    memcpy(op->upload_id, res->upload_id, sizeof(op->upload_id));
    op->last_modified_ms = res->last_modified_ms;
    op->n_deleted = res->n_deleted;
    memcpy(op->version_id, res->version_id, sizeof(op->version_id));
    op->delete_marker = res->delete_marker;
    for (size_t i = 0; i < res->n_deleted && i < 8; i++)
        op->deleted_err[i] = res->deleted ? res->deleted[i].err : S3_OK;
}

/* Runs completions until the notifier has nothing more and *flag is set. */
static void wait_flag(struct fixture *f, const bool *flag)
{
    for (;;) {
        store_dispatch_completions(f->st);
        if (*flag)
            return;
        pthread_mutex_lock(&f->mu);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 30;
        while (!f->ready) {
            int rc = pthread_cond_timedwait(&f->cv, &f->mu, &deadline);
            assert_int_not_equal(rc, ETIMEDOUT);
        }
        f->ready = false;
        pthread_mutex_unlock(&f->mu);
    }
}

static void wait_all(struct fixture *f, struct op *ops, size_t n)
{
    for (;;) {
        store_dispatch_completions(f->st);
        size_t done = 0;
        for (size_t i = 0; i < n; i++)
            done += ops[i].done;
        if (done == n)
            return;
        pthread_mutex_lock(&f->mu);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 30;
        while (!f->ready) {
            int rc = pthread_cond_timedwait(&f->cv, &f->mu, &deadline);
            assert_int_not_equal(rc, ETIMEDOUT);
        }
        f->ready = false;
        pthread_mutex_unlock(&f->mu);
    }
}

static struct op new_op(struct fixture *f)
{
    struct op op = {.f = f};
    return op;
}

/* ---- setup ---------------------------------------------------------------------- */

static void open_store(struct fixture *f)
{
    char err[256] = "";
    int rc = store_open(f->data_dir, &f->st, err, sizeof(err));
    if (rc != 0)
        fail_msg("store_open: %s", err);
    store_set_notifier(f->st, notify, f);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->parent, sizeof(f->parent), "/tmp/cloudless-store-XXXXXX");
    assert_non_null(mkdtemp(f->parent));
    PATHF(f->data_dir, "%s/data", f->parent);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    open_store(f);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    nftw(f->parent, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    store_close(f->st);
    f->st = NULL;
    open_store(f);
}

/* ---- synchronous wrappers ---------------------------------------------------------- */

static enum s3_err create_bucket_as(struct fixture *f, const char *account, const char *name)
{
    struct op op = new_op(f);
    struct store_new_bucket nb = {.account = account, .bucket = name, .region = "us-east-1"};
    assert_int_equal(store_create_bucket(f->st, &nb, on_done, &op), 0);
    wait_all(f, &op, 1);
    return op.err;
}

static enum s3_err create_bucket(struct fixture *f, const char *name)
{
    return create_bucket_as(f, ACCOUNT, name);
}

struct finish_wait {
    bool done;
    bool drained;
    int err;
};

static void on_finished(void *arg, int err)
{
    struct finish_wait *w = arg;
    w->done = true;
    w->err = err;
}

static void on_drained(void *arg) { ((struct finish_wait *)arg)->drained = true; }

/* Feeds a loop writer in 100 KiB pieces, pausing when it asks, and
 * finishes it asynchronously — the server's path. */
static void feed_and_finish(struct fixture *f, struct blob_writer *bw, const void *data, size_t len)
{
    struct finish_wait w = {0};
    blob_writer_set_drain(bw, on_drained, &w);
    const char *p = data;
    for (size_t off = 0; off < len;) {
        size_t n = len - off < 100 * 1024 ? len - off : 100 * 1024;
        int rc = blob_writer_write(bw, p + off, n);
        assert_true(rc == 0 || rc == 1);
        off += n;
        if (rc == 1) {
            wait_flag(f, &w.drained);
            w.drained = false;
        }
    }
    blob_writer_finish(bw, on_finished, &w);
    wait_flag(f, &w.done);
    assert_int_equal(w.err, 0);
}

static struct blob_writer *body_of(struct fixture *f, const void *data, size_t len)
{
    struct blob_writer *bw = NULL;
    assert_int_equal(blob_writer_new(f->st, &bw), 0);
    feed_and_finish(f, bw, data, len);
    return bw;
}

static void queue_put(struct fixture *f, struct store_put *put, const char *bucket,
                      const char *key, const void *data, size_t len, struct op *op)
{
    put->bucket = bucket;
    put->key = key;
    put->account = ACCOUNT;
    put->body = body_of(f, data, len);
    assert_int_equal(store_put_object(f->st, put, on_done, op), 0);
}

static struct op put_with(struct fixture *f, struct store_put *put, const char *bucket,
                          const char *key, const void *data, size_t len)
{
    struct op op = new_op(f);
    queue_put(f, put, bucket, key, data, len, &op);
    wait_all(f, &op, 1);
    return op;
}

static struct op put_str(struct fixture *f, const char *bucket, const char *key, const char *data)
{
    struct store_put put = {0};
    return put_with(f, &put, bucket, key, data, strlen(data));
}

static enum s3_err delete_key(struct fixture *f, const char *bucket, const char *key)
{
    struct op op = new_op(f);
    assert_int_equal(store_delete_object(f->st, bucket, key, on_done, &op), 0);
    wait_all(f, &op, 1);
    return op.err;
}

static void on_gc_done(void *arg, bool ok, size_t removed)
{
    struct op *op = arg;
    op->done = true;
    op->order = ++op->f->seq;
    op->err = ok ? S3_OK : S3_ERR_INTERNAL_ERROR;
    op->n_deleted = removed;
}

static struct op run_gc(struct fixture *f, int tmp_age_s)
{
    struct op op = new_op(f);
    assert_int_equal(store_gc(f->st, tmp_age_s, on_gc_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    return op;
}

/* Reads an object's bytes through its segments. Caller frees. */
static char *read_object(struct fixture *f, const char *bucket, const char *key, int64_t *size)
{
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, bucket, key, &o), S3_OK);
    char *buf = malloc((size_t)o.size + 1);
    assert_non_null(buf);
    int64_t off = 0;
    for (size_t i = 0; i < o.n_segments; i++) {
        if (o.segments[i].data) {
            memcpy(buf + off, o.segments[i].data, (size_t)o.segments[i].size);
            off += o.segments[i].size;
            continue;
        }
        int fd = store_open_blob(f->st, o.segments[i].blob_sha256);
        assert_true(fd >= 0);
        int64_t got = 0;
        while (got < o.segments[i].size) {
            ssize_t n = read(fd, buf + off + got, (size_t)(o.segments[i].size - got));
            assert_true(n > 0);
            got += n;
        }
        close(fd);
        off += got;
    }
    assert_int_equal(off, o.size);
    buf[off] = '\0';
    *size = o.size;
    s3_object_free(&o);
    return buf;
}

static void assert_content(struct fixture *f, const char *bucket, const char *key,
                           const char *expected)
{
    int64_t size;
    char *got = read_object(f, bucket, key, &size);
    assert_int_equal(size, strlen(expected));
    assert_string_equal(got, expected);
    free(got);
}

static void md5_hex(const void *data, size_t len, char out[33])
{
    unsigned char d[16];
    unsigned int n;
    EVP_Digest(data, len, d, &n, EVP_md5(), NULL);
    for (int i = 0; i < 16; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* Regular files below dir, recursively. */
static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[PATH_MAX];
        PATHF(path, "%s/%s", dir, e->d_name);
        struct stat sb;
        assert_int_equal(lstat(path, &sb), 0);
        n += S_ISDIR(sb.st_mode) ? count_files(path) : 1;
    }
    closedir(d);
    return n;
}

/* Distinct stored contents: rows of the blobs table (small ones live
 * there inline, large ones as files under blobs/). */
static int count_blobs(struct fixture *f)
{
    char path[PATH_MAX];
    PATHF(path, "%s/meta.db", f->data_dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM blobs", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int n = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return n;
}

static int count_blob_files(struct fixture *f)
{
    char dir[PATH_MAX];
    PATHF(dir, "%s/blobs", f->data_dir);
    return count_files(dir);
}

/* ---- tests ------------------------------------------------------------------------- */

static void test_reopen_keeps_data(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b1"), S3_OK);
    struct op op = put_str(f, "b1", "hello.txt", "hello world");
    assert_int_equal(op.err, S3_OK);
    char expected[33];
    md5_hex("hello world", 11, expected);
    assert_string_equal(op.etag, expected);
    assert_true(op.last_modified_ms > 0);

    reopen(f);
    struct s3_bucket b;
    assert_int_equal(store_get_bucket(f->st, "b1", &b), S3_OK);
    assert_string_equal(b.name, "b1");
    assert_string_equal(b.owner_account, ACCOUNT);
    s3_bucket_free(&b);
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "b1", "hello.txt", &o), S3_OK);
    assert_string_equal(o.etag, expected);
    assert_int_equal(o.size, 11);
    assert_int_equal(o.n_segments, 1);
    s3_object_free(&o);
    assert_content(f, "b1", "hello.txt", "hello world");
}

/* A read scope is one snapshot with its own number: nested scopes share
 * it, the next outermost one gets another, and none is open outside. */
static void test_read_snapshots(void **state)
{
    struct fixture *f = *state;
    assert_true(store_read_snapshot(f->st) == 0);
    assert_int_equal(store_read_scope_begin(f->st), 0);
    uint64_t first = store_read_snapshot(f->st);
    assert_true(first != 0);
    assert_int_equal(store_read_scope_begin(f->st), 0);
    assert_true(store_read_snapshot(f->st) == first);
    store_read_scope_end(f->st);
    assert_true(store_read_snapshot(f->st) == first);
    store_read_scope_end(f->st);
    assert_true(store_read_snapshot(f->st) == 0);
    assert_int_equal(store_read_scope_begin(f->st), 0);
    assert_true(store_read_snapshot(f->st) != 0 && store_read_snapshot(f->st) != first);
    store_read_scope_end(f->st);
}

static void test_bucket_rules(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "zeta"), S3_OK);
    assert_int_equal(create_bucket(f, "alpha"), S3_OK);
    assert_int_equal(create_bucket_as(f, OTHER_ACCOUNT, "other"), S3_OK);
    assert_int_equal(create_bucket(f, "alpha"), S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU);
    assert_int_equal(create_bucket(f, "other"), S3_ERR_BUCKET_ALREADY_EXISTS);

    struct s3_bucket *list;
    size_t n;
    assert_int_equal(store_list_buckets(f->st, ACCOUNT, &list, &n), S3_OK);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].name, "alpha");
    assert_string_equal(list[1].name, "zeta");
    for (size_t i = 0; i < n; i++)
        s3_bucket_free(&list[i]);
    free(list);

    struct s3_bucket b;
    assert_int_equal(store_get_bucket(f->st, "missing", &b), S3_ERR_NO_SUCH_BUCKET);

    struct op op = new_op(f);
    assert_int_equal(store_delete_bucket(f->st, "missing", on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_NO_SUCH_BUCKET);

    assert_int_equal(put_str(f, "alpha", "k", "v").err, S3_OK);
    op = new_op(f);
    assert_int_equal(store_delete_bucket(f->st, "alpha", on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_BUCKET_NOT_EMPTY);

    /* An in-progress upload does not keep a bucket alive; it goes with it. */
    assert_int_equal(delete_key(f, "alpha", "k"), S3_OK);
    struct store_create_upload cu = {.bucket = "alpha", .key = "big", .account = ACCOUNT};
    op = new_op(f);
    assert_int_equal(store_create_upload(f->st, &cu, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    char upload_id[64];
    memcpy(upload_id, op.upload_id, sizeof(upload_id));
    op = new_op(f);
    assert_int_equal(store_put_part(f->st, "alpha", "big", upload_id, 1,
                                    body_of(f, "part", 4), NULL, NULL, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    op = new_op(f);
    assert_int_equal(store_delete_bucket(f->st, "alpha", on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    assert_int_equal(store_get_bucket(f->st, "alpha", &b), S3_ERR_NO_SUCH_BUCKET);

    assert_int_equal(create_bucket(f, "alpha"), S3_OK);
    struct s3_part_list parts;
    assert_int_equal(store_list_parts(f->st, "alpha", "big", upload_id, 0, 100, NULL, &parts),
                     S3_ERR_NO_SUCH_UPLOAD);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 0);
}

static void test_put_metadata_and_empty_body(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(put_str(f, "nobucket", "k", "x").err, S3_ERR_NO_SUCH_BUCKET);

    struct s3_content_headers content = {.content_type = "text/plain; charset=utf-8",
                                         .cache_control = "max-age=60",
                                         .content_disposition = "attachment; filename=\"a b\""};
    struct s3_kv meta[] = {{"color", "blue \"sky\" \\ ok"}, {"emoji", "h\xc3\xa9llo\n"}};
    struct store_put put = {.content = &content, .user_meta = meta, .n_user_meta = 2,
                            .storage_class = "STANDARD_IA"};
    assert_int_equal(put_with(f, &put, "b", "doc", "abc", 3).err, S3_OK);

    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "b", "doc", &o), S3_OK);
    assert_string_equal(o.content.content_type, "text/plain; charset=utf-8");
    assert_string_equal(o.content.cache_control, "max-age=60");
    assert_string_equal(o.content.content_disposition, "attachment; filename=\"a b\"");
    assert_null(o.content.content_encoding);
    assert_string_equal(o.storage_class, "STANDARD_IA");
    assert_string_equal(o.owner_account, ACCOUNT);
    assert_int_equal(o.n_user_meta, 2);
    assert_string_equal(o.user_meta[0].name, "color");
    assert_string_equal(o.user_meta[0].value, "blue \"sky\" \\ ok");
    assert_string_equal(o.user_meta[1].value, "h\xc3\xa9llo\n");
    s3_object_free(&o);

    struct op op = put_str(f, "b", "empty", "");
    assert_int_equal(op.err, S3_OK);
    assert_string_equal(op.etag, "d41d8cd98f00b204e9800998ecf8427e");
    assert_int_equal(store_get_object(f->st, "b", "empty", &o), S3_OK);
    assert_int_equal(o.size, 0);
    assert_int_equal(o.n_segments, 0);
    s3_object_free(&o);
    assert_int_equal(store_get_object(f->st, "b", "nope", &o), S3_ERR_NO_SUCH_KEY);
    assert_int_equal(store_get_object(f->st, "nobucket", "doc", &o), S3_ERR_NO_SUCH_BUCKET);

    /* Replacing an object replaces everything, metadata included. */
    assert_int_equal(put_str(f, "b", "doc", "new").err, S3_OK);
    assert_int_equal(store_get_object(f->st, "b", "doc", &o), S3_OK);
    assert_int_equal(o.n_user_meta, 0);
    assert_null(o.content.content_type);
    s3_object_free(&o);
    assert_content(f, "b", "doc", "new");
}

/* Lists one page; returns a comma-joined "key,cp/,..." description. */
static char *list_page(struct fixture *f, const char *prefix, const char *delimiter,
                       const char *start_after, int max_keys, bool *truncated, char **marker)
{
    struct s3_list_params p = {.prefix = prefix, .delimiter = delimiter,
                               .start_after = start_after, .max_keys = max_keys};
    struct s3_list_result r;
    assert_int_equal(store_list_objects(f->st, "b", &p, &r), S3_OK);
    char *out = calloc(1, 65536);
    assert_non_null(out);
    /* Merge objects and prefixes in key order, as S3 presents them. */
    size_t i = 0, j = 0;
    while (i < r.n_objects || j < r.n_common_prefixes) {
        const char *next;
        if (j >= r.n_common_prefixes ||
            (i < r.n_objects && strcmp(r.objects[i].key, r.common_prefixes[j]) < 0))
            next = r.objects[i++].key;
        else
            next = r.common_prefixes[j++];
        strcat(out, *out ? "," : "");
        strcat(out, next);
    }
    *truncated = r.is_truncated;
    *marker = r.next_marker ? strdup(r.next_marker) : NULL;
    s3_list_result_free(&r);
    return out;
}

static void expect_listing(struct fixture *f, const char *prefix, const char *delimiter,
                           const char *start_after, int max_keys, const char *expected,
                           bool expect_truncated, const char *expect_marker)
{
    bool truncated;
    char *marker;
    char *got = list_page(f, prefix, delimiter, start_after, max_keys, &truncated, &marker);
    assert_string_equal(got, expected);
    assert_int_equal(truncated, expect_truncated);
    if (expect_marker)
        assert_string_equal(marker, expect_marker);
    else
        assert_null(marker);
    free(got);
    free(marker);
}

static void test_list_prefix_delimiter(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    const char *keys[] = {"a.txt", "dir/x", "dir/y", "dir/sub/z", "dir2/w", "photos/2024/jan.jpg",
                          "photos/2024/feb.jpg", "photos/2025/mar.jpg", "zz", "\xc3\xa9t\xc3\xa9",
                          "a/b/c"};
    struct op ops[11];
    struct store_put puts[11];
    memset(puts, 0, sizeof(puts));
    for (size_t i = 0; i < 11; i++) {
        ops[i] = new_op(f);
        queue_put(f, &puts[i], "b", keys[i], keys[i], strlen(keys[i]), &ops[i]);
    }
    wait_all(f, ops, 11);
    for (size_t i = 0; i < 11; i++)
        assert_int_equal(ops[i].err, S3_OK);

    expect_listing(f, NULL, NULL, NULL, 1000,
                   "a.txt,a/b/c,dir/sub/z,dir/x,dir/y,dir2/w,photos/2024/feb.jpg,"
                   "photos/2024/jan.jpg,photos/2025/mar.jpg,zz,\xc3\xa9t\xc3\xa9",
                   false, NULL);
    expect_listing(f, NULL, "/", NULL, 1000, "a.txt,a/,dir/,dir2/,photos/,zz,\xc3\xa9t\xc3\xa9",
                   false, NULL);
    expect_listing(f, "dir/", "/", NULL, 1000, "dir/sub/,dir/x,dir/y", false, NULL);
    expect_listing(f, "photos/", "/", NULL, 1000, "photos/2024/,photos/2025/", false, NULL);
    expect_listing(f, "photos/2024/", "/", NULL, 1000,
                   "photos/2024/feb.jpg,photos/2024/jan.jpg", false, NULL);
    expect_listing(f, "dir", NULL, NULL, 1000, "dir/sub/z,dir/x,dir/y,dir2/w", false, NULL);
    expect_listing(f, "nothing", "/", NULL, 1000, "", false, NULL);
    /* A multi-character delimiter. */
    expect_listing(f, NULL, "20", NULL, 1000,
                   "a.txt,a/b/c,dir/sub/z,dir/x,dir/y,dir2/w,photos/20,zz,\xc3\xa9t\xc3\xa9",
                   false, NULL);
    /* Truncation: the marker is the last key or CommonPrefix returned. */
    expect_listing(f, NULL, "/", NULL, 2, "a.txt,a/", true, "a/");
    expect_listing(f, NULL, "/", "a/", 2, "dir/,dir2/", true, "dir2/");
    expect_listing(f, NULL, "/", "dir2/", 3, "photos/,zz,\xc3\xa9t\xc3\xa9", false, NULL);
    expect_listing(f, NULL, NULL, "dir/x", 2, "dir/y,dir2/w", true, "dir2/w");
    expect_listing(f, "dir/", "/", "dir/sub/", 5, "dir/x,dir/y", false, NULL);
    /* Exactly max_keys entries left: not truncated. */
    expect_listing(f, "photos/", "/", NULL, 2, "photos/2024/,photos/2025/", false, NULL);
    /* max_keys 0: empty, not truncated. */
    expect_listing(f, NULL, NULL, NULL, 0, "", false, NULL);
    /* UTF-8 sorts after ASCII (byte order). */
    expect_listing(f, NULL, NULL, "zz", 10, "\xc3\xa9t\xc3\xa9", false, NULL);

    struct s3_list_params p = {.max_keys = 10};
    struct s3_list_result r;
    assert_int_equal(store_list_objects(f->st, "nobucket", &p, &r), S3_ERR_NO_SUCH_BUCKET);
}

/* Pages through 1300 keys with small pages, with and without a delimiter,
 * and checks the pages put together equal the whole listing. */
static void test_list_pagination_many(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    enum { DIRS = 13, FILES = 100, N = DIRS * FILES };
    struct op *ops = calloc(N, sizeof(*ops));
    struct store_put *puts = calloc(N, sizeof(*puts));
    char (*names)[32] = calloc(N, sizeof(*names));
    assert_non_null(ops);
    assert_non_null(puts);
    assert_non_null(names);
    for (int i = 0; i < N; i++) {
        if (i % FILES == 0)
            snprintf(names[i], 32, "top%02d", i / FILES);
        else
            snprintf(names[i], 32, "d%02d/f%03d", i / FILES, i % FILES);
        ops[i] = new_op(f);
        queue_put(f, &puts[i], "b", names[i], "x", 1, &ops[i]);
    }
    wait_all(f, ops, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(ops[i].err, S3_OK);

    /* No delimiter: every key once, in order. */
    char *marker = NULL;
    int seen = 0;
    char last[64] = "";
    for (;;) {
        bool truncated;
        char *next = NULL;
        char *page = list_page(f, NULL, NULL, marker, 7, &truncated, &next);
        for (char *tok = strtok(page, ","); tok; tok = strtok(NULL, ",")) {
            assert_true(strcmp(tok, last) > 0);
            snprintf(last, sizeof(last), "%s", tok);
            seen++;
        }
        free(page);
        free(marker);
        marker = next;
        if (!truncated)
            break;
        assert_non_null(marker);
    }
    assert_int_equal(seen, N);
    free(marker);

    /* Delimiter: 13 top-level keys and 13 prefixes, each once. */
    marker = NULL;
    seen = 0;
    int prefixes = 0;
    for (;;) {
        bool truncated;
        char *next = NULL;
        char *page = list_page(f, NULL, "/", marker, 4, &truncated, &next);
        for (char *tok = strtok(page, ","); tok; tok = strtok(NULL, ",")) {
            seen++;
            prefixes += tok[strlen(tok) - 1] == '/';
        }
        free(page);
        free(marker);
        marker = next;
        if (!truncated)
            break;
    }
    free(marker);
    assert_int_equal(seen, 2 * DIRS);
    assert_int_equal(prefixes, DIRS);
    free(ops);
    free(puts);
    free(names);
}

/* Keys are data: nothing is created outside data_dir whatever the key. */
static void test_hostile_keys_stay_inside(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    const char *keys[] = {"../../etc/passwd", "../escape", "/abs/path", "a//b", "./dot",
                          "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87/\xf0\x9f\x98\x80", "..", "with space"};
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(put_str(f, "b", keys[i], keys[i]).err, S3_OK);
        assert_content(f, "b", keys[i], keys[i]);
    }
    DIR *d = opendir(f->parent);
    assert_non_null(d);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_string_equal(e->d_name, "data");
        entries++;
    }
    closedir(d);
    assert_int_equal(entries, 1);
    assert_int_equal(count_blobs(f), 8);
    /* The blob API refuses names that are not SHA-256 hex. */
    assert_int_equal(store_open_blob(f->st, "../../meta.db"), -1);
    assert_int_equal(errno, EINVAL);
}

static void test_dedupe_and_gc(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(put_str(f, "b", "one", "same bytes").err, S3_OK);
    assert_int_equal(put_str(f, "b", "two", "same bytes").err, S3_OK);
    assert_int_equal(count_blobs(f), 1);

    assert_int_equal(delete_key(f, "b", "one"), S3_OK);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 1);
    assert_content(f, "b", "two", "same bytes");

    /* Deleting a missing key is fine; a missing bucket is not. */
    assert_int_equal(delete_key(f, "b", "never"), S3_OK);
    assert_int_equal(delete_key(f, "nobucket", "two"), S3_ERR_NO_SUCH_BUCKET);

    assert_int_equal(delete_key(f, "b", "two"), S3_OK);
    assert_int_equal(count_blobs(f), 1);
    struct op gc = run_gc(f, 3600);
    assert_int_equal(gc.n_deleted, 1);
    assert_int_equal(count_blobs(f), 0);

    /* Overwriting with the same content keeps the blob. */
    assert_int_equal(put_str(f, "b", "k", "again").err, S3_OK);
    assert_int_equal(put_str(f, "b", "k", "again").err, S3_OK);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 1);
    assert_content(f, "b", "k", "again");
    assert_int_equal(count_blob_files(f), 0);
}

/* Bodies above the inline limit are files under blobs/, stored once. */
static void test_large_bodies_are_deduplicated_files(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    size_t len = 200 * 1024;
    char *data = malloc(len);
    assert_non_null(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (char)(i * 7);
    struct store_put put = {0};
    assert_int_equal(put_with(f, &put, "b", "one", data, len).err, S3_OK);
    memset(&put, 0, sizeof(put));
    assert_int_equal(put_with(f, &put, "b", "two", data, len).err, S3_OK);
    assert_int_equal(count_blobs(f), 1);
    assert_int_equal(count_blob_files(f), 1);
    int64_t size;
    char *got = read_object(f, "b", "two", &size);
    assert_int_equal(size, (int64_t)len);
    assert_memory_equal(got, data, len);
    free(got);
    assert_int_equal(delete_key(f, "b", "one"), S3_OK);
    assert_int_equal(delete_key(f, "b", "two"), S3_OK);
    run_gc(f, 3600);
    assert_int_equal(count_blob_files(f), 0);
    free(data);
}

/* The checksums a writer computes beside MD5 (for a large body on its I/O
 * threads), MD5 and SHA-256 equal one-shot digests of the same bytes, for
 * a body kept inline and for one handed off buffer by buffer. */
static void test_writer_checksums(void **state)
{
    struct fixture *f = *state;
    static const size_t lens[] = {0, 1000, 300 * 1024 + 7};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        size_t len = lens[i];
        unsigned char *data = malloc(len + 1);
        assert_non_null(data);
        for (size_t k = 0; k < len; k++)
            data[k] = (unsigned char)(k * 31 + i);
        struct blob_writer *bw = NULL;
        assert_int_equal(blob_writer_new(f->st, &bw), 0);
        static const enum checksum_alg algs[] = {CHECKSUM_CRC64NVME, CHECKSUM_CRC32C, CHECKSUM_SHA1};
        for (size_t a = 0; a < 3; a++)
            assert_int_equal(blob_writer_add_checksum(bw, (int)algs[a]), (int)a);
        assert_int_equal(blob_writer_add_checksum(bw, CHECKSUM_CRC32), -1);
        feed_and_finish(f, bw, data, len);
        for (size_t a = 0; a < 3; a++) {
            struct checksum_ctx ctx;
            unsigned char want[CHECKSUM_MAX_DIGEST], got[32];
            assert_int_equal(checksum_init(&ctx, algs[a]), 0);
            checksum_update(&ctx, data, len);
            size_t n = checksum_final(&ctx, want);
            assert_int_equal(blob_writer_checksum(bw, (int)a, got), n);
            assert_memory_equal(got, want, n);
        }
        unsigned char md5[16], sha[32];
        checksum_md5(data, len, md5);
        checksum_sha256(data, len, sha);
        assert_memory_equal(blob_writer_md5(bw), md5, 16);
        assert_memory_equal(blob_writer_sha256(bw), sha, 32);
        blob_writer_discard(bw);
        free(data);
    }
}

static void test_gc_tmp_and_orphans(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX];
    PATHF(path, "%s/tmp/old.part", f->data_dir);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    close(fd);
    struct timespec times[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);

    /* A body being received right now stays (large enough to be on disk). */
    struct blob_writer *live = NULL;
    assert_int_equal(blob_writer_new_sync(f->st, &live), 0);
    static char big[300 * 1024];
    assert_int_equal(blob_writer_write(live, big, sizeof(big)), 0);

    /* A blob renamed into place whose commit never happened (crash). */
    const char *orphan = "00aa000000000000000000000000000000000000000000000000000000000000";
    PATHF(path, "%s/blobs/00", f->data_dir);
    assert_int_equal(mkdir(path, 0755), 0);
    PATHF(path, "%s/blobs/00/aa", f->data_dir);
    assert_int_equal(mkdir(path, 0755), 0);
    PATHF(path, "%s/blobs/00/aa/%s", f->data_dir, orphan);
    fd = open(path, O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    close(fd);

    struct op gc = run_gc(f, 3600);
    assert_int_equal(gc.n_deleted, 2);
    assert_int_equal(access(path, F_OK), -1);
    PATHF(path, "%s/tmp", f->data_dir);
    assert_int_equal(count_files(path), 1);
    blob_writer_discard(live);
    assert_int_equal(count_files(path), 0);
}

static void test_put_conditions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    struct store_put put = {.condition.if_none_match_any = true};
    assert_int_equal(put_with(f, &put, "b", "k", "v1", 2).err, S3_OK);
    memset(&put, 0, sizeof(put));
    put.condition.if_none_match_any = true;
    assert_int_equal(put_with(f, &put, "b", "k", "v2", 2).err, S3_ERR_PRECONDITION_FAILED);
    assert_content(f, "b", "k", "v1");

    char etag[33];
    md5_hex("v1", 2, etag);
    memset(&put, 0, sizeof(put));
    put.condition.if_match = "0123456789abcdef0123456789abcdef";
    assert_int_equal(put_with(f, &put, "b", "k", "v3", 2).err, S3_ERR_PRECONDITION_FAILED);
    memset(&put, 0, sizeof(put));
    put.condition.if_match = etag;
    assert_int_equal(put_with(f, &put, "b", "k", "v4", 2).err, S3_OK);
    assert_content(f, "b", "k", "v4");
    memset(&put, 0, sizeof(put));
    put.condition.if_match = "*";
    assert_int_equal(put_with(f, &put, "b", "absent", "v", 1).err, S3_ERR_NO_SUCH_KEY);
    memset(&put, 0, sizeof(put));
    put.condition.if_match = "*";
    assert_int_equal(put_with(f, &put, "b", "k", "v5", 2).err, S3_OK);
    assert_content(f, "b", "k", "v5");
    /* The object the write saw as it began is gone: a conflict, not a
     * success (If-None-Match) nor NoSuchKey (If-Match). */
    memset(&put, 0, sizeof(put));
    put.condition = (struct store_write_condition){.if_none_match_any = true, .existed = true};
    assert_int_equal(put_with(f, &put, "b", "gone", "v", 1).err, S3_ERR_CONDITIONAL_REQUEST_CONFLICT);
    memset(&put, 0, sizeof(put));
    put.condition = (struct store_write_condition){.if_match = "*", .existed = true};
    assert_int_equal(put_with(f, &put, "b", "gone", "v", 1).err, S3_ERR_CONDITIONAL_REQUEST_CONFLICT);
    /* A failed conditional put leaves no blob behind after GC. */
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 1);
}

static enum s3_err copy(struct fixture *f, const struct store_copy *cp, struct op *out)
{
    struct op op = new_op(f);
    assert_int_equal(store_copy_object(f->st, cp, on_done, &op), 0);
    wait_all(f, &op, 1);
    if (out)
        *out = op;
    return op.err;
}

static void test_copy_object(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "src"), S3_OK);
    assert_int_equal(create_bucket(f, "dst"), S3_OK);
    struct s3_content_headers content = {.content_type = "image/png"};
    struct s3_kv meta[] = {{"origin", "camera"}};
    struct store_put put = {.content = &content, .user_meta = meta, .n_user_meta = 1};
    struct op src_put = put_with(f, &put, "src", "pic", "PNGDATA", 7);
    assert_int_equal(src_put.err, S3_OK);
    int64_t now = src_put.last_modified_ms;

    struct store_copy cp = {.source = {.bucket = "src", .key = "pic"}, .dst_bucket = "dst",
                            .dst_key = "copy1", .account = ACCOUNT};
    struct op op;
    assert_int_equal(copy(f, &cp, &op), S3_OK);
    assert_string_equal(op.etag, src_put.etag);
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "dst", "copy1", &o), S3_OK);
    assert_string_equal(o.content.content_type, "image/png");
    assert_int_equal(o.n_user_meta, 1);
    assert_string_equal(o.user_meta[0].value, "camera");
    s3_object_free(&o);
    assert_content(f, "dst", "copy1", "PNGDATA");
    assert_int_equal(count_blobs(f), 1);

    struct s3_content_headers new_content = {.content_type = "text/plain"};
    struct s3_kv new_meta[] = {{"fresh", "yes"}};
    cp.dst_key = "copy2";
    cp.replace = true;
    cp.replace_content = &new_content;
    cp.replace_meta = new_meta;
    cp.n_replace_meta = 1;
    assert_int_equal(copy(f, &cp, NULL), S3_OK);
    assert_int_equal(store_get_object(f->st, "dst", "copy2", &o), S3_OK);
    assert_string_equal(o.content.content_type, "text/plain");
    assert_int_equal(o.n_user_meta, 1);
    assert_string_equal(o.user_meta[0].name, "fresh");
    s3_object_free(&o);

    /* Copy onto itself with REPLACE updates metadata and keeps the bytes. */
    struct store_copy self = cp;
    self.source.bucket = self.dst_bucket = "src";
    self.source.key = self.dst_key = "pic";
    assert_int_equal(copy(f, &self, NULL), S3_OK);
    assert_content(f, "src", "pic", "PNGDATA");
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 1);

    struct store_copy c = {.source = {.bucket = "src", .key = "pic"}, .dst_bucket = "dst",
                           .dst_key = "c", .account = ACCOUNT};
    c.source.if_match = "ffffffffffffffffffffffffffffffff";
    assert_int_equal(copy(f, &c, NULL), S3_ERR_PRECONDITION_FAILED);
    /* If-Match true wins over a failing If-Unmodified-Since. */
    c.source.if_match = src_put.etag;
    c.source.if_unmodified_since_ms = now - 3600 * 1000;
    assert_int_equal(copy(f, &c, NULL), S3_OK);
    c.source.if_match = NULL;
    assert_int_equal(copy(f, &c, NULL), S3_ERR_PRECONDITION_FAILED);
    c.source.if_unmodified_since_ms = now + 3600 * 1000;
    assert_int_equal(copy(f, &c, NULL), S3_OK);
    c.source.if_unmodified_since_ms = 0;
    c.source.if_none_match = src_put.etag;
    assert_int_equal(copy(f, &c, NULL), S3_ERR_PRECONDITION_FAILED);
    c.source.if_none_match = NULL;
    c.source.if_modified_since_ms = now + 3600 * 1000;
    assert_int_equal(copy(f, &c, NULL), S3_ERR_PRECONDITION_FAILED);
    c.source.if_modified_since_ms = now - 3600 * 1000;
    assert_int_equal(copy(f, &c, NULL), S3_OK);
    c.source.if_modified_since_ms = 0;

    c.source.key = "missing";
    assert_int_equal(copy(f, &c, NULL), S3_ERR_NO_SUCH_KEY);
    c.source.key = "pic";
    c.dst_bucket = "nobucket";
    assert_int_equal(copy(f, &c, NULL), S3_ERR_NO_SUCH_BUCKET);
    c.source.bucket = "nobucket";
    assert_int_equal(copy(f, &c, NULL), S3_ERR_NO_SUCH_BUCKET);
}

/* ---- multipart ---------------------------------------------------------------------- */

static char *create_upload(struct fixture *f, const char *bucket, const char *key)
{
    struct store_create_upload cu = {.bucket = bucket, .key = key, .account = ACCOUNT};
    struct op op = new_op(f);
    assert_int_equal(store_create_upload(f->st, &cu, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    assert_true(strlen(op.upload_id) >= 32);
    return strdup(op.upload_id);
}

static struct op put_part(struct fixture *f, const char *key, const char *upload_id, int number,
                          const void *data, size_t len)
{
    struct op op = new_op(f);
    assert_int_equal(store_put_part(f->st, "b", key, upload_id, number, body_of(f, data, len),
                                    NULL, NULL, on_done, &op), 0);
    wait_all(f, &op, 1);
    return op;
}

static enum s3_err complete(struct fixture *f, const char *key, const char *upload_id,
                            const struct s3_complete_part *parts, size_t n, struct op *out)
{
    struct op op = new_op(f);
    assert_int_equal(store_complete_upload(f->st, &(struct store_complete){.bucket = "b", .key = key, .upload_id = upload_id,
                                                                 .parts = parts, .n_parts = n, .object_size = -1},
                                           on_done, &op), 0);
    wait_all(f, &op, 1);
    if (out)
        *out = op;
    return op.err;
}

static void test_multipart_complete(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    char *id = create_upload(f, "b", "big");
    char *p1 = malloc(5 * MIB);
    assert_non_null(p1);
    memset(p1, 'a', 5 * MIB);
    struct op r1 = put_part(f, "big", id, 1, p1, 5 * MIB);
    assert_int_equal(r1.err, S3_OK);
    struct op r2 = put_part(f, "big", id, 2, "tail", 4);
    assert_int_equal(r2.err, S3_OK);
    struct op r3 = put_part(f, "big", id, 3, "never listed", 12);
    assert_int_equal(r3.err, S3_OK);

    /* ETag: hex MD5 of the concatenated binary part MD5s, then -N. */
    unsigned char d[32];
    unsigned int dn;
    EVP_Digest(p1, 5 * MIB, d, &dn, EVP_md5(), NULL);
    EVP_Digest("tail", 4, d + 16, &dn, EVP_md5(), NULL);
    char expected[72];
    md5_hex(d, 32, expected);
    strcat(expected, "-2");
    char part1_md5[33];
    md5_hex(p1, 5 * MIB, part1_md5);
    assert_string_equal(r1.etag, part1_md5);

    struct s3_part_list parts;
    struct s3_upload up;
    assert_int_equal(store_list_parts(f->st, "b", "big", id, 0, 2, &up, &parts), S3_OK);
    assert_string_equal(up.key, "big");
    assert_string_equal(up.upload_id, id);
    assert_int_equal(parts.n_parts, 2);
    assert_true(parts.is_truncated);
    assert_int_equal(parts.next_part_number_marker, 2);
    assert_int_equal(parts.parts[0].size, 5 * MIB);
    assert_string_equal(parts.parts[1].etag, r2.etag);
    s3_upload_free(&up);
    s3_part_list_free(&parts);
    assert_int_equal(store_list_parts(f->st, "b", "big", id, 2, 2, NULL, &parts), S3_OK);
    assert_int_equal(parts.n_parts, 1);
    assert_false(parts.is_truncated);
    assert_int_equal(parts.parts[0].part_number, 3);
    s3_part_list_free(&parts);

    struct s3_complete_part list[2] = {{.part_number = 1}, {.part_number = 2}};
    memcpy(list[0].etag, r1.etag, 33);
    memcpy(list[1].etag, r2.etag, 33);
    struct op done;
    assert_int_equal(complete(f, "big", id, list, 2, &done), S3_OK);
    assert_string_equal(done.etag, expected);

    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "b", "big", &o), S3_OK);
    assert_string_equal(o.etag, expected);
    assert_int_equal(o.size, 5 * MIB + 4);
    assert_int_equal(o.parts_count, 2);
    assert_int_equal(o.n_segments, 2);
    s3_object_free(&o);
    int64_t size;
    char *all = read_object(f, "b", "big", &size);
    assert_int_equal(memcmp(all, p1, 5 * MIB), 0);
    assert_int_equal(memcmp(all + 5 * MIB, "tail", 4), 0);
    free(all);

    /* The upload is gone; the unlisted part's blob is collectable. */
    assert_int_equal(store_list_parts(f->st, "b", "big", id, 0, 10, NULL, &parts),
                     S3_ERR_NO_SUCH_UPLOAD);
    assert_int_equal(count_blobs(f), 3);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 2);

    /* Copying a multipart object keeps its ETag. */
    struct store_copy cp = {.source = {.bucket = "b", .key = "big"}, .dst_bucket = "b",
                            .dst_key = "big2", .account = ACCOUNT};
    struct op cop;
    assert_int_equal(copy(f, &cp, &cop), S3_OK);
    assert_string_equal(cop.etag, expected);
    assert_int_equal(count_blobs(f), 2);
    free(p1);
    free(id);
}

static void test_multipart_errors(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    struct store_create_upload cu = {.bucket = "nobucket", .key = "k", .account = ACCOUNT};
    struct op op = new_op(f);
    assert_int_equal(store_create_upload(f->st, &cu, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_NO_SUCH_BUCKET);

    char *id = create_upload(f, "b", "k");
    assert_int_equal(put_part(f, "k", "unknown-upload", 1, "x", 1).err, S3_ERR_NO_SUCH_UPLOAD);
    assert_int_equal(put_part(f, "other-key", id, 1, "x", 1).err, S3_ERR_NO_SUCH_UPLOAD);

    char *big = malloc(5 * MIB);
    assert_non_null(big);
    memset(big, 'q', 5 * MIB);
    struct op small1 = put_part(f, "k", id, 1, "small", 5);
    struct op r2 = put_part(f, "k", id, 2, "two", 3);
    assert_int_equal(small1.err, S3_OK);
    assert_int_equal(r2.err, S3_OK);

    struct s3_complete_part parts[2] = {{.part_number = 2}, {.part_number = 1}};
    memcpy(parts[0].etag, r2.etag, 33);
    memcpy(parts[1].etag, small1.etag, 33);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_INVALID_PART_ORDER);
    parts[0].part_number = 1;
    parts[1].part_number = 1;
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_INVALID_PART_ORDER);

    parts[0] = (struct s3_complete_part){.part_number = 1};
    memcpy(parts[0].etag, small1.etag, 33);
    parts[1] = (struct s3_complete_part){.part_number = 7};
    memcpy(parts[1].etag, r2.etag, 33);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_INVALID_PART);
    parts[1].part_number = 2;
    memcpy(parts[1].etag, small1.etag, 33);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_INVALID_PART);
    memcpy(parts[1].etag, r2.etag, 33);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_ENTITY_TOO_SMALL);
    assert_int_equal(complete(f, "k", id, parts, 0, NULL), S3_ERR_MALFORMED_XML);

    /* Re-uploading part 1 replaces it; then the upload completes. */
    struct op big1 = put_part(f, "k", id, 1, big, 5 * MIB);
    assert_int_equal(big1.err, S3_OK);
    memcpy(parts[0].etag, small1.etag, 33);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_INVALID_PART);
    memcpy(parts[0].etag, big1.etag, 33);
    assert_int_equal(complete(f, "wrong-key", id, parts, 2, NULL), S3_ERR_NO_SUCH_UPLOAD);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_OK);
    assert_int_equal(complete(f, "k", id, parts, 2, NULL), S3_ERR_NO_SUCH_UPLOAD);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 2);

    /* A single small part is fine (the last part has no minimum). */
    char *id2 = create_upload(f, "b", "solo");
    struct op only = put_part(f, "solo", id2, 1, "tiny", 4);
    struct s3_complete_part one = {.part_number = 1};
    memcpy(one.etag, only.etag, 33);
    assert_int_equal(complete(f, "solo", id2, &one, 1, NULL), S3_OK);
    assert_content(f, "b", "solo", "tiny");

    char *id3 = create_upload(f, "b", "gone");
    assert_int_equal(put_part(f, "gone", id3, 1, "zzz", 3).err, S3_OK);
    op = new_op(f);
    assert_int_equal(store_abort_upload(f->st, "b", "gone", id3, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    op = new_op(f);
    assert_int_equal(store_abort_upload(f->st, "b", "gone", id3, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_NO_SUCH_UPLOAD);
    struct s3_part_list pl;
    assert_int_equal(store_list_parts(f->st, "b", "gone", id3, 0, 10, NULL, &pl),
                     S3_ERR_NO_SUCH_UPLOAD);
    free(big);
    free(id);
    free(id2);
    free(id3);
}

static void test_list_uploads(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    char *ids[5];
    const char *keys[5] = {"a/1", "a/2", "b", "b", "c"};
    for (int i = 0; i < 5; i++)
        ids[i] = create_upload(f, "b", keys[i]);

    struct s3_upload_list l;
    assert_int_equal(store_list_uploads(f->st, "b", NULL, NULL, NULL, NULL, 1000, &l), S3_OK);
    assert_int_equal(l.n_uploads, 5);
    for (int i = 0; i < 5; i++)
        assert_string_equal(l.uploads[i].key, keys[i]);
    /* Two uploads of "b": ordered by initiation, then id. */
    assert_true(l.uploads[2].initiated_ms <= l.uploads[3].initiated_ms);
    char first_b[64], second_b[64];
    snprintf(first_b, sizeof(first_b), "%s", l.uploads[2].upload_id);
    snprintf(second_b, sizeof(second_b), "%s", l.uploads[3].upload_id);
    assert_false(l.is_truncated);
    s3_upload_list_free(&l);

    assert_int_equal(store_list_uploads(f->st, "b", NULL, "/", NULL, NULL, 2, &l), S3_OK);
    assert_int_equal(l.n_common_prefixes, 1);
    assert_string_equal(l.common_prefixes[0], "a/");
    assert_int_equal(l.n_uploads, 1);
    assert_string_equal(l.uploads[0].key, "b");
    assert_true(l.is_truncated);
    assert_string_equal(l.next_key_marker, "b");
    assert_string_equal(l.next_upload_id_marker, first_b);
    s3_upload_list_free(&l);

    assert_int_equal(store_list_uploads(f->st, "b", NULL, "/", "b", first_b, 2, &l), S3_OK);
    assert_int_equal(l.n_uploads, 2);
    assert_string_equal(l.uploads[0].upload_id, second_b);
    assert_string_equal(l.uploads[1].key, "c");
    assert_false(l.is_truncated);
    s3_upload_list_free(&l);

    assert_int_equal(store_list_uploads(f->st, "b", "a/", NULL, NULL, NULL, 10, &l), S3_OK);
    assert_int_equal(l.n_uploads, 2);
    s3_upload_list_free(&l);
    assert_int_equal(store_list_uploads(f->st, "b", NULL, NULL, "b", NULL, 10, &l), S3_OK);
    assert_int_equal(l.n_uploads, 1);
    assert_string_equal(l.uploads[0].key, "c");
    s3_upload_list_free(&l);
    assert_int_equal(store_list_uploads(f->st, "nobucket", NULL, NULL, NULL, NULL, 10, &l),
                     S3_ERR_NO_SUCH_BUCKET);
    for (int i = 0; i < 5; i++)
        free(ids[i]);
}

static void test_part_copy(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    size_t total = 6 * MIB + 123;
    char *data = malloc(total);
    assert_non_null(data);
    for (size_t i = 0; i < total; i++)
        data[i] = (char)(i * 7 + i / 4096);
    struct store_put put = {0};
    assert_int_equal(put_with(f, &put, "b", "source", data, total).err, S3_OK);

    char *id = create_upload(f, "b", "assembled");
    struct op r[2];
    r[0] = new_op(f);
    r[1] = new_op(f);
    assert_int_equal(store_put_part_copy(f->st, "b", "assembled", id, 1, &(struct store_copy_source){.bucket = "b", .key = "source"}, 0,
                                         5 * MIB - 1, on_done, &r[0]), 0);
    assert_int_equal(store_put_part_copy(f->st, "b", "assembled", id, 2, &(struct store_copy_source){.bucket = "b", .key = "source"}, 5 * MIB,
                                         (int64_t)total - 1, on_done, &r[1]), 0);
    wait_all(f, r, 2);
    assert_int_equal(r[0].err, S3_OK);
    assert_int_equal(r[1].err, S3_OK);
    char expected[33];
    md5_hex(data, 5 * MIB, expected);
    assert_string_equal(r[0].etag, expected);

    struct op bad = new_op(f);
    assert_int_equal(store_put_part_copy(f->st, "b", "assembled", id, 3, &(struct store_copy_source){.bucket = "b", .key = "source"}, 10,
                                         (int64_t)total, on_done, &bad), 0);
    wait_all(f, &bad, 1);
    assert_int_equal(bad.err, S3_ERR_INVALID_RANGE);
    bad = new_op(f);
    assert_int_equal(store_put_part_copy(f->st, "b", "assembled", id, 3, &(struct store_copy_source){.bucket = "b", .key = "nope"}, -1, -1,
                                         on_done, &bad), 0);
    wait_all(f, &bad, 1);
    assert_int_equal(bad.err, S3_ERR_NO_SUCH_KEY);

    struct s3_complete_part parts[2] = {{.part_number = 1}, {.part_number = 2}};
    memcpy(parts[0].etag, r[0].etag, 33);
    memcpy(parts[1].etag, r[1].etag, 33);
    assert_int_equal(complete(f, "assembled", id, parts, 2, NULL), S3_OK);
    int64_t size;
    char *got = read_object(f, "b", "assembled", &size);
    assert_int_equal(size, total);
    assert_int_equal(memcmp(got, data, total), 0);
    free(got);

    /* Whole-object part copy. */
    char *id2 = create_upload(f, "b", "whole");
    bad = new_op(f);
    assert_int_equal(store_put_part_copy(f->st, "b", "whole", id2, 1, &(struct store_copy_source){.bucket = "b", .key = "source"}, -1, -1,
                                         on_done, &bad), 0);
    wait_all(f, &bad, 1);
    assert_int_equal(bad.err, S3_OK);
    md5_hex(data, total, expected);
    assert_string_equal(bad.etag, expected);
    free(data);
    free(id);
    free(id2);
}

/* 100 puts queued before any dispatch: all commit, callbacks in order, and
 * a failing one in the middle fails alone. */
static void test_group_commit_order(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    enum { N = 101 };
    struct op ops[N];
    struct store_put puts[N];
    char keys[N][16];
    memset(puts, 0, sizeof(puts));
    for (int i = 0; i < N; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%03d", i);
        ops[i] = new_op(f);
        queue_put(f, &puts[i], i == 50 ? "nobucket" : "b", keys[i], keys[i], strlen(keys[i]),
                  &ops[i]);
    }
    wait_all(f, ops, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(ops[i].err, i == 50 ? S3_ERR_NO_SUCH_BUCKET : S3_OK);
        if (i > 0)
            assert_true(ops[i].order > ops[i - 1].order);
    }
    struct s3_list_params p = {.max_keys = 1000};
    struct s3_list_result r;
    assert_int_equal(store_list_objects(f->st, "b", &p, &r), S3_OK);
    assert_int_equal(r.n_objects, N - 1);
    s3_list_result_free(&r);

    /* Queued writes are committed by store_close, and survive it. */
    for (int i = 0; i < 10; i++) {
        ops[i] = new_op(f);
        assert_int_equal(store_delete_object(f->st, "b", keys[i], on_done, &ops[i]), 0);
    }
    reopen(f);
    for (int i = 0; i < 10; i++)
        assert_true(ops[i].done);
    assert_int_equal(store_list_objects(f->st, "b", &p, &r), S3_OK);
    assert_int_equal(r.n_objects, N - 11);
    s3_list_result_free(&r);
}

static void test_delete_objects(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(put_str(f, "b", "x", "1").err, S3_OK);
    assert_int_equal(put_str(f, "b", "y", "2").err, S3_OK);
    const char *keys[] = {"x", "absent", "y"};
    struct op op = new_op(f);
    assert_int_equal(store_delete_objects(f->st, "b", keys, 3, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    assert_int_equal(op.n_deleted, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(op.deleted_err[i], S3_OK);
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "b", "x", &o), S3_ERR_NO_SUCH_KEY);
    assert_int_equal(store_get_object(f->st, "b", "y", &o), S3_ERR_NO_SUCH_KEY);
    op = new_op(f);
    assert_int_equal(store_delete_objects(f->st, "nobucket", keys, 3, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_NO_SUCH_BUCKET);
}

/* ---- versions, tags, object lock ----------------------------------------------------- */

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum s3_err set_versioning(struct fixture *f, const char *bucket, const char *status)
{
    struct op op = new_op(f);
    assert_int_equal(store_set_versioning(f->st, bucket, status, on_done, &op), 0);
    wait_all(f, &op, 1);
    return op.err;
}

static struct op delete_version(struct fixture *f, const char *bucket, const char *key,
                                const char *version_id, bool bypass)
{
    struct op op = new_op(f);
    assert_int_equal(store_delete_version(f->st, bucket, key, version_id, bypass, NULL, on_done, &op), 0);
    wait_all(f, &op, 1);
    return op;
}

/* The version ids a full ListObjectVersions returns, joined by spaces,
 * each prefixed by "key:" and suffixed "*" when latest, "!" for markers. */
static char *list_versions(struct fixture *f, const char *bucket)
{
    struct s3_list_params params = {.max_keys = 1000};
    struct s3_list_result r;
    assert_int_equal(store_list_object_versions(f->st, bucket, &params, NULL, &r), S3_OK);
    char *out = calloc(1, 4096);
    assert_non_null(out);
    for (size_t i = 0; i < r.n_objects; i++)
        snprintf(out + strlen(out), 4096 - strlen(out), "%s%s:%s%s%s", i ? " " : "", r.objects[i].key,
                 r.objects[i].version_id, r.objects[i].is_latest ? "*" : "",
                 r.objects[i].delete_marker ? "!" : "");
    s3_list_result_free(&r);
    return out;
}

static void assert_versions(struct fixture *f, const char *bucket, const char *expected)
{
    char *got = list_versions(f, bucket);
    assert_string_equal(got, expected);
    free(got);
}

static void test_versions_and_delete_markers(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(set_versioning(f, "missing", "Enabled"), S3_ERR_NO_SUCH_BUCKET);
    assert_int_equal(set_versioning(f, "b", "Enabled"), S3_OK);
    struct op v1 = put_str(f, "b", "k", "one"), v2 = put_str(f, "b", "k", "two");
    assert_int_equal(strlen(v1.version_id), 32);
    assert_true(store_version_id_valid(v1.version_id));
    assert_string_not_equal(v1.version_id, v2.version_id);
    assert_content(f, "b", "k", "two");
    struct s3_object o;
    assert_int_equal(store_get_object_version(f->st, "b", "k", v1.version_id, &o), S3_OK);
    assert_int_equal(o.size, 3);
    assert_false(o.is_latest);
    s3_object_free(&o);
    assert_int_equal(store_get_object_version(f->st, "b", "k", "A" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &o),
                     S3_ERR_NO_SUCH_VERSION);
    s3_object_free(&o);

    struct op marker = delete_version(f, "b", "k", NULL, false);
    assert_int_equal(marker.err, S3_OK);
    assert_true(marker.delete_marker);
    assert_int_equal(store_get_object_version(f->st, "b", "k", NULL, &o), S3_ERR_NO_SUCH_KEY);
    assert_true(o.delete_marker);
    assert_string_equal(o.version_id, marker.version_id);
    s3_object_free(&o);
    assert_int_equal(store_get_object_version(f->st, "b", "k", marker.version_id, &o),
                     S3_ERR_METHOD_NOT_ALLOWED);
    s3_object_free(&o);
    bool truncated;
    char *next_marker;
    char *page = list_page(f, "", NULL, "", 1000, &truncated, &next_marker);
    assert_string_equal(page, "");
    assert_false(truncated);
    free(page);
    free(next_marker);
    char expected[256];
    snprintf(expected, sizeof(expected), "k:%s*! k:%s k:%s", marker.version_id, v2.version_id,
             v1.version_id);
    assert_versions(f, "b", expected);

    /* versions and delete markers are content */
    struct op op = new_op(f);
    assert_int_equal(store_delete_bucket(f->st, "b", on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_BUCKET_NOT_EMPTY);

    /* removing the marker brings back v2; removing v2 (latest) promotes v1 */
    struct op gone = delete_version(f, "b", "k", marker.version_id, false);
    assert_true(gone.delete_marker);
    assert_content(f, "b", "k", "two");
    assert_int_equal(delete_version(f, "b", "k", v2.version_id, false).err, S3_OK);
    assert_content(f, "b", "k", "one");
    snprintf(expected, sizeof(expected), "k:%s*", v1.version_id);
    reopen(f);
    assert_versions(f, "b", expected);
    assert_int_equal(delete_version(f, "b", "k", v1.version_id, false).err, S3_OK);
    assert_versions(f, "b", "");
    assert_int_equal(delete_version(f, "b", "k", "bogus", false).err, S3_ERR_INVALID_ARGUMENT);
    op = new_op(f);
    assert_int_equal(store_delete_bucket(f->st, "b", on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
}

static void test_deleted_versions_free_their_blobs(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(set_versioning(f, "b", "Enabled"), S3_OK);
    struct op v1 = put_str(f, "b", "k", "first body");
    put_str(f, "b", "k", "second body");
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 2);
    delete_version(f, "b", "k", NULL, false);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 2);
    assert_int_equal(delete_version(f, "b", "k", v1.version_id, false).err, S3_OK);
    run_gc(f, 3600);
    assert_int_equal(count_blobs(f), 1);
}

static void test_null_versions(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    struct op plain = put_str(f, "b", "k", "null-1");
    assert_string_equal(plain.version_id, "");
    assert_versions(f, "b", "k:null*");
    assert_int_equal(set_versioning(f, "b", "Enabled"), S3_OK);
    struct op v = put_str(f, "b", "k", "versioned");
    char expected[256];
    snprintf(expected, sizeof(expected), "k:%s* k:null", v.version_id);
    assert_versions(f, "b", expected);
    assert_int_equal(set_versioning(f, "b", "Suspended"), S3_OK);
    assert_string_equal(put_str(f, "b", "k", "null-2").version_id, "null");
    snprintf(expected, sizeof(expected), "k:null* k:%s", v.version_id);
    assert_versions(f, "b", expected);
    put_str(f, "b", "k", "null-3");
    assert_versions(f, "b", expected);
    assert_content(f, "b", "k", "null-3");
    struct op marker = delete_version(f, "b", "k", NULL, false);
    assert_true(marker.delete_marker);
    assert_string_equal(marker.version_id, "null");
    snprintf(expected, sizeof(expected), "k:null*! k:%s", v.version_id);
    assert_versions(f, "b", expected);
}

static void test_list_versions_paging(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    assert_int_equal(set_versioning(f, "b", "Enabled"), S3_OK);
    const char *keys[] = {"a", "d/1", "d/2", "z"};
    for (int i = 0; i < 4; i++)
        for (int n = 0; n < 3; n++)
            put_str(f, "b", keys[i], "v");
    struct s3_list_params params = {.delimiter = "/", .max_keys = 1000};
    struct s3_list_result r;
    assert_int_equal(store_list_object_versions(f->st, "b", &params, NULL, &r), S3_OK);
    assert_int_equal(r.n_objects, 6);
    assert_int_equal(r.n_common_prefixes, 1);
    assert_string_equal(r.common_prefixes[0], "d/");
    s3_list_result_free(&r);
    char *key_marker = strdup(""), *version_marker = NULL;
    int seen = 0, pages = 0;
    for (bool more = true; more; pages++) {
        struct s3_list_params page = {.start_after = key_marker, .max_keys = 5};
        assert_int_equal(store_list_object_versions(f->st, "b", &page, version_marker, &r), S3_OK);
        seen += (int)r.n_objects;
        more = r.is_truncated;
        free(key_marker);
        free(version_marker);
        key_marker = r.next_marker ? strdup(r.next_marker) : NULL;
        version_marker = r.next_version_id_marker ? strdup(r.next_version_id_marker) : NULL;
        assert_true(!more || (key_marker && version_marker));
        s3_list_result_free(&r);
    }
    free(key_marker);
    free(version_marker);
    assert_int_equal(seen, 12);
    assert_int_equal(pages, 3);
}

static void test_tags(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    struct s3_kv tags[] = {{"env", "dev"}, {"quote\"d", "a\\b"}};
    struct store_put put = {.tags = tags, .n_tags = 2};
    assert_int_equal(put_with(f, &put, "b", "k", "x", 1).err, S3_OK);
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "b", "k", &o), S3_OK);
    assert_int_equal(o.n_tags, 2);
    assert_string_equal(o.tags[1].name, "quote\"d");
    assert_string_equal(o.tags[1].value, "a\\b");
    s3_object_free(&o);
    struct op op = new_op(f);
    assert_int_equal(store_set_object_tags(f->st, "b", "k", NULL, NULL, 0, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    assert_int_equal(store_get_object(f->st, "b", "k", &o), S3_OK);
    assert_int_equal(o.n_tags, 0);
    s3_object_free(&o);
    op = new_op(f);
    assert_int_equal(store_set_object_tags(f->st, "b", "none", NULL, tags, 1, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_NO_SUCH_KEY);

    struct s3_kv *got;
    size_t n;
    assert_int_equal(store_get_bucket_tags(f->st, "b", &got, &n), S3_ERR_NO_SUCH_TAG_SET);
    op = new_op(f);
    assert_int_equal(store_set_bucket_tags(f->st, "b", tags, 2, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(store_get_bucket_tags(f->st, "b", &got, &n), S3_OK);
    assert_int_equal(n, 2);
    assert_string_equal(got[0].name, "env");
    s3_kv_free_array(got, n);
    op = new_op(f);
    assert_int_equal(store_set_bucket_tags(f->st, "b", NULL, 0, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(store_get_bucket_tags(f->st, "b", &got, &n), S3_ERR_NO_SUCH_TAG_SET);
}

/* The ACL stored for bucket/key's current object (NULL: none). */
static char *current_acl(struct fixture *f, const char *bucket, const char *key)
{
    struct s3_object o;
    char *acl = NULL;
    assert_int_equal(store_get_object(f->st, bucket, key, &o), S3_OK);
    assert_int_equal(store_get_object_acl(f->st, bucket, key, o.etag, o.last_modified_ms, &acl), 0);
    s3_object_free(&o);
    return acl;
}

/* An ACL given with a write belongs to the object that write made: a copy
 * gets its own (never the source's), and an overwrite without one leaves
 * the key with none. */
static void test_acl_given_with_writes(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "b"), S3_OK);
    struct store_put put = {.acl = "<AccessControlPolicy>put</AccessControlPolicy>"};
    assert_int_equal(put_with(f, &put, "b", "k", "x", 1).err, S3_OK);
    char *acl = current_acl(f, "b", "k");
    assert_string_equal(acl, put.acl);
    free(acl);
    struct store_copy cp = {.source = {.bucket = "b", .key = "k"}, .dst_bucket = "b", .dst_key = "plain",
                            .account = ACCOUNT};
    struct op op;
    assert_int_equal(copy(f, &cp, &op), S3_OK);
    assert_null(current_acl(f, "b", "plain"));
    cp.dst_key = "given";
    cp.acl = "<AccessControlPolicy>copy</AccessControlPolicy>";
    assert_int_equal(copy(f, &cp, &op), S3_OK);
    acl = current_acl(f, "b", "given");
    assert_string_equal(acl, cp.acl);
    free(acl);
    assert_int_equal(put_str(f, "b", "k", "y").err, S3_OK);
    assert_null(current_acl(f, "b", "k"));
}

static void test_object_lock(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(create_bucket(f, "plain"), S3_OK);
    struct op op = new_op(f);
    assert_int_equal(store_set_object_lock(f->st, "plain", NULL, 0, 0, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_INVALID_BUCKET_STATE);

    op = new_op(f);
    struct store_new_bucket nb = {.account = ACCOUNT, .bucket = "lk", .region = "us-east-1", .object_lock = true};
    assert_int_equal(store_create_bucket(f->st, &nb, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    struct s3_bucket b;
    assert_int_equal(store_get_bucket(f->st, "lk", &b), S3_OK);
    assert_string_equal(b.versioning, "Enabled");
    assert_true(b.object_lock);
    s3_bucket_free(&b);
    assert_int_equal(set_versioning(f, "lk", "Suspended"), S3_ERR_INVALID_BUCKET_STATE);

    int64_t later = wall_ms() + 3600 * 1000;
    struct store_put put = {.lock = {.mode = "GOVERNANCE", .until_ms = later}};
    struct op gov = put_with(f, &put, "lk", "g", "x", 1);
    assert_int_equal(delete_version(f, "lk", "g", gov.version_id, false).err, S3_ERR_ACCESS_DENIED);
    assert_int_equal(delete_version(f, "lk", "g", NULL, false).err, S3_OK);   /* a delete marker */
    assert_int_equal(delete_version(f, "lk", "g", gov.version_id, true).err, S3_OK);

    put = (struct store_put){.lock = {.mode = "COMPLIANCE", .until_ms = later}};
    struct op comp = put_with(f, &put, "lk", "c", "x", 1);
    assert_int_equal(delete_version(f, "lk", "c", comp.version_id, true).err, S3_ERR_ACCESS_DENIED);
    op = new_op(f);
    assert_int_equal(store_set_retention(f->st, "lk", "c", NULL, "COMPLIANCE", later - 1000, true,
                                         on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_ERR_ACCESS_DENIED);
    op = new_op(f);
    assert_int_equal(store_set_retention(f->st, "lk", "c", NULL, "COMPLIANCE", later + 1000, false,
                                         on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);

    put = (struct store_put){.lock = {.legal_hold = true}};
    struct op held = put_with(f, &put, "lk", "h", "x", 1);
    assert_int_equal(delete_version(f, "lk", "h", held.version_id, true).err, S3_ERR_ACCESS_DENIED);
    op = new_op(f);
    assert_int_equal(store_set_legal_hold(f->st, "lk", "h", held.version_id, false, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(delete_version(f, "lk", "h", held.version_id, false).err, S3_OK);

    /* the bucket's default retention applies to new versions */
    op = new_op(f);
    assert_int_equal(store_set_object_lock(f->st, "lk", "GOVERNANCE", 2, 0, on_done, &op), 0);
    wait_all(f, &op, 1);
    assert_int_equal(op.err, S3_OK);
    put_str(f, "lk", "d", "x");
    struct s3_object o;
    assert_int_equal(store_get_object(f->st, "lk", "d", &o), S3_OK);
    assert_string_equal(o.lock_mode, "GOVERNANCE");
    int64_t two_days = 2 * 86400 * 1000LL;
    assert_true(o.lock_until_ms > wall_ms() + two_days - 60000);
    assert_true(o.lock_until_ms <= wall_ms() + two_days);
    s3_object_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reopen_keeps_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_snapshots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bucket_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_metadata_and_empty_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_prefix_delimiter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pagination_many, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_keys_stay_inside, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dedupe_and_gc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_bodies_are_deduplicated_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writer_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gc_tmp_and_orphans, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multipart_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_uploads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_part_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_commit_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_and_delete_markers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_versions_free_their_blobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_versions_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acl_given_with_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_lock, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
