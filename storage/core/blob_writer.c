/* blob_writer: receiving a body — an upload or a part — while its MD5 and
 * SHA-256 are computed, without memory growing with its size and without
 * blocking the event loop.
 *
 * Bytes gather in a buffer of BLOB_BUFFER bytes. A body that ends within
 * BLOB_INLINE_MAX never touches the file system: it is hashed at the end and
 * stored in the database (blob_data). A larger body is handed over a full
 * buffer at a time to the store's two blob I/O threads, which both take
 * every buffer in order: the hash thread computes its MD5, the write thread
 * writes it to a uniquely named file in tmp/, starting writeback every
 * BLOB_WRITEBACK bytes so the final fdatasync has little left to do. At the
 * end the hash thread finalises the digests and the write thread
 * fdatasyncs; whichever finishes last reports on the loop thread (through
 * the store's completion list). Writes go through the page cache on
 * purpose: with O_DIRECT the first GET of a fresh large object read the
 * disk (~400 MB/s here) where the page cache serves ~2 GB/s. The loop
 * hashes each buffer's SHA-256 as it hands it over. So SHA-256 (~1.3 GB/s
 * here), MD5 (~540 MB/s) and the copy into the page cache (2-3 GB/s into
 * recycled pages, but ~330 MB/s into memory the hypervisor has not backed
 * yet) run side by side instead of adding up. Used buffers come back
 * through a small pool, so a large upload does not map and fault in fresh
 * memory for every buffer.
 *
 * Flow control: when more than BLOB_HIGH_WATER bytes wait for the I/O
 * threads, blob_writer_write() returns 1 and the caller stops reading its
 * socket until the drain callback says the queue is down to BLOB_LOW_WATER.
 *
 * Lifetime: a writer with buffers queued is only freed on the loop thread,
 * after the I/O threads have let go of it: discard queues a final "drop"
 * item, and its completion (delivered after every earlier one) frees it;
 * callbacks of a discarded writer are not called.
 *
 * A writer made with blob_writer_new_sync() does everything on the calling
 * thread (used by the commit thread for UploadPartCopy). */
#include "storage/core/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>

#include "protocol/auth/checksum.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define BLOB_BUFFER (128 * 1024)
#define BLOB_HIGH_WATER (16 * BLOB_BUFFER)
#define BLOB_LOW_WATER (8 * BLOB_BUFFER)
#define BLOB_ALIGN 4096
#define BLOB_WRITEBACK (8 * 1024 * 1024)

enum blob_item_kind { ITEM_DATA, ITEM_FINISH, ITEM_DROP };

/* A piece of work for the I/O thread; buffers come in order per writer. */
struct blob_item {
    struct blob_item *next;
    struct blob_writer *bw;
    enum blob_item_kind kind;
    unsigned char *data;           /* BLOB_ALIGN-aligned; freed by the I/O thread */
    size_t len;
    int left;                      /* threads still to take it (2, 1, 0) */
};

struct blob_writer {
    struct store *st;
    bool sync;                     /* everything on the caller's thread */
    /* Loop side. */
    unsigned char *buf;
    size_t buf_len, buf_cap;
    bool handed_off;               /* the I/O thread hashes and writes from now on */
    bool finish_started;
    bool discarded;
    void (*drain_cb)(void *arg);
    void *drain_arg;
    void (*done_cb)(void *arg, int err);
    void *done_arg;
    int64_t size;
    /* Shared with the I/O thread, under st->io.mu. */
    size_t queued_bytes;
    bool want_drain;
    /* The I/O threads' side (or the caller's, for sync writers and small
     * bodies): the write thread has the file, the hash thread MD5 and the
     * final digests; each its own error. io_errno is the writer's result. */
    int fd;
    int64_t since_writeback;
    char *tmp_path;
    EVP_MD_CTX *md5;
    EVP_MD_CTX *sha256;
    int io_errno;
    int hash_errno, write_errno, loop_errno;
    /* Checksums computed with MD5 (blob_writer_add_checksum). */
    struct checksum_ctx sums[BLOB_WRITER_MAX_CHECKSUMS];
    unsigned char sum_digests[BLOB_WRITER_MAX_CHECKSUMS][CHECKSUM_MAX_DIGEST];
    size_t sum_lens[BLOB_WRITER_MAX_CHECKSUMS];
    int n_sums;
    bool finished;
    unsigned char md5_digest[16];
    unsigned char sha256_digest[32];
};

/* ---- creating and freeing -------------------------------------------------- */

static int writer_alloc(struct store *st, bool sync, struct blob_writer **out)
{
    struct blob_writer *bw = calloc(1, sizeof(*bw));
    if (!bw)
        return -1;
    bw->st = st;
    bw->sync = sync;
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

int blob_writer_new(struct store *st, struct blob_writer **out) { return writer_alloc(st, false, out); }

int blob_writer_new_sync(struct store *st, struct blob_writer **out) { return writer_alloc(st, true, out); }

static void writer_free(struct blob_writer *bw)
{
    if (bw->fd >= 0)
        close(bw->fd);
    free(bw->tmp_path);
    free(bw->buf);
    for (int i = 0; i < bw->n_sums; i++)
        checksum_abort(&bw->sums[i]);
    EVP_MD_CTX_free(bw->md5);
    EVP_MD_CTX_free(bw->sha256);
    free(bw);
}

/* ---- the file ------------------------------------------------------------ */

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
        hex_encode(rnd, sizeof(rnd), name);
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

/* MD5 and the added checksums over a piece; -1 on failure. */
static int hash_piece(struct blob_writer *bw, const unsigned char *data, size_t len)
{
    if (len && !EVP_DigestUpdate(bw->md5, data, len))
        return -1;
    for (int i = 0; i < bw->n_sums; i++)
        checksum_update(&bw->sums[i], data, len);
    return 0;
}

/* The final MD5, SHA-256 and added checksums; -1 on failure. */
static int final_digests(struct blob_writer *bw)
{
    unsigned int n = 0;
    int rc = EVP_DigestFinal_ex(bw->md5, bw->md5_digest, &n) && EVP_DigestFinal_ex(bw->sha256, bw->sha256_digest, &n)
                 ? 0
                 : -1;
    for (int i = 0; i < bw->n_sums; i++)
        bw->sum_lens[i] = checksum_final(&bw->sums[i], bw->sum_digests[i]);
    return rc;
}

/* Hashes (MD5, and SHA-256 unless the loop did) and writes one piece. */
static void absorb(struct blob_writer *bw, const unsigned char *data, size_t len, bool sha_done)
{
    if (bw->io_errno || len == 0)
        return;
    if (hash_piece(bw, data, len) != 0 || (!sha_done && !EVP_DigestUpdate(bw->sha256, data, len))) {
        bw->io_errno = EIO;
        return;
    }
    if (bw->fd < 0 && open_tmp_file(bw) != 0) {
        bw->io_errno = errno ? errno : EIO;
        return;
    }
    if (write_all(bw->fd, data, len) != 0) {
        bw->io_errno = errno;
        return;
    }
    bw->since_writeback += (int64_t)len;
    if (bw->since_writeback >= BLOB_WRITEBACK) {
        sync_file_range(bw->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        bw->since_writeback = 0;
    }
}

static void finalise(struct blob_writer *bw, bool has_file)
{
    if (final_digests(bw) != 0)
        bw->io_errno = bw->io_errno ? bw->io_errno : EIO;
    if (has_file && !bw->io_errno && fdatasync(bw->fd) != 0)
        bw->io_errno = errno;
    bw->finished = true;
}

/* ---- the I/O threads ----------------------------------------------------- */

static void on_drained(void *arg)
{
    struct blob_writer *bw = arg;
    if (!bw->discarded && bw->drain_cb)
        bw->drain_cb(bw->drain_arg);
}

static void on_finished(void *arg)
{
    struct blob_writer *bw = arg;
    if (!bw->discarded && bw->done_cb)
        bw->done_cb(bw->done_arg, bw->io_errno);
}

static void on_dropped(void *arg) { writer_free(arg); }

static unsigned char *pool_get(struct blob_io *io)
{
    unsigned char *buf = NULL;
    pthread_mutex_lock(&io->mu);
    if (io->n_pool)
        buf = io->pool[--io->n_pool];
    pthread_mutex_unlock(&io->mu);
    return buf;
}

/* The hash thread's part of an item: MD5 (and, at the end, the digests). */
static void hash_item(struct blob_item *item)
{
    struct blob_writer *bw = item->bw;
    if (item->kind == ITEM_DROP || bw->hash_errno)
        return;
    if (hash_piece(bw, item->data, item->len) != 0)
        bw->hash_errno = EIO;
    else if (item->kind == ITEM_FINISH && final_digests(bw) != 0)
        bw->hash_errno = EIO;
}

/* The write thread's part: the bytes into the temp file, writeback started
 * every BLOB_WRITEBACK bytes, and fdatasync at the end. */
static void write_item(struct blob_item *item)
{
    struct blob_writer *bw = item->bw;
    if (item->kind == ITEM_DROP || bw->write_errno)
        return;
    if (bw->fd < 0 && open_tmp_file(bw) != 0) {
        bw->write_errno = errno ? errno : EIO;
        return;
    }
    if (write_all(bw->fd, item->data, item->len) != 0) {
        bw->write_errno = errno;
        return;
    }
    bw->since_writeback += (int64_t)item->len;
    if (bw->since_writeback >= BLOB_WRITEBACK) {
        sync_file_range(bw->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        bw->since_writeback = 0;
    }
    if (item->kind == ITEM_FINISH && fdatasync(bw->fd) != 0)
        bw->write_errno = errno;
}

/* An item both threads are done with (io->mu held): its buffer back to the
 * pool, flow control, and what the loop must hear, posted in item order. */
static void complete_item(struct blob_io *io, struct blob_item *item)
{
    struct blob_writer *bw = item->bw;
    struct store *st = bw->st;
    switch (item->kind) {
    case ITEM_DATA:
        bw->queued_bytes -= item->len;
        if (bw->want_drain && bw->queued_bytes <= BLOB_LOW_WATER) {
            bw->want_drain = false;
            if (store_post(st, on_drained, bw) != 0)
                bw->write_errno = ENOMEM;
        }
        if (io->n_pool < BLOB_POOL_MAX) {
            io->pool[io->n_pool++] = item->data;   /* full-size: reusable */
            item->data = NULL;
        }
        break;
    case ITEM_FINISH:
        bw->io_errno = bw->loop_errno ? bw->loop_errno : bw->hash_errno ? bw->hash_errno : bw->write_errno;
        bw->finished = true;
        if (store_post(st, on_finished, bw) != 0)
            bw->io_errno = ENOMEM;
        break;
    case ITEM_DROP:
        if (bw->fd >= 0) {
            close(bw->fd);
            bw->fd = -1;
            unlink(bw->tmp_path);
        }
        /* Nothing else refers to it; the loop frees it after any earlier
         * completion of this writer has run. */
        while (store_post(st, on_dropped, bw) != 0)
            usleep(1000);
        break;
    }
    free(item->data);
    free(item);
}

/* One of the two threads: each takes every item in order, the hash thread
 * for MD5, the write thread for the file, so hashing and copying into the
 * page cache overlap. The one that finishes an item last completes it;
 * both finish items in order, so completions keep the order. */
static void run_io_thread(struct blob_io *io, struct blob_item **cursor, void (*work)(struct blob_item *))
{
    pthread_mutex_lock(&io->mu);
    for (;;) {
        while (!*cursor && !io->stopping)
            pthread_cond_wait(&io->wake, &io->mu);
        struct blob_item *item = *cursor;
        if (!item)
            break;
        *cursor = item->next;
        pthread_mutex_unlock(&io->mu);
        work(item);
        pthread_mutex_lock(&io->mu);
        item->left--;
        while (io->head && io->head->left == 0) {
            struct blob_item *done = io->head;
            io->head = done->next;
            if (!io->head)
                io->tail = NULL;
            complete_item(io, done);
        }
    }
    pthread_mutex_unlock(&io->mu);
}

static void *hash_thread_main(void *arg)
{
    struct blob_io *io = arg;
    run_io_thread(io, &io->hash_next, hash_item);
    return NULL;
}

static void *write_thread_main(void *arg)
{
    struct blob_io *io = arg;
    run_io_thread(io, &io->write_next, write_item);
    return NULL;
}

int blob_io_start(struct blob_io *io)
{
    memset(io, 0, sizeof(*io));
    if (pthread_mutex_init(&io->mu, NULL) != 0)
        return -1;
    if (pthread_cond_init(&io->wake, NULL) != 0) {
        pthread_mutex_destroy(&io->mu);
        return -1;
    }
    int rc = pthread_create(&io->hash_thread, NULL, hash_thread_main, io);
    if (rc == 0) {
        rc = pthread_create(&io->write_thread, NULL, write_thread_main, io);
        if (rc != 0) {
            pthread_mutex_lock(&io->mu);
            io->stopping = true;
            pthread_cond_broadcast(&io->wake);
            pthread_mutex_unlock(&io->mu);
            pthread_join(io->hash_thread, NULL);
        }
    }
    if (rc != 0) {
        pthread_cond_destroy(&io->wake);
        pthread_mutex_destroy(&io->mu);
        errno = rc;
        return -1;
    }
    io->running = true;
    return 0;
}

void blob_io_stop(struct blob_io *io)
{
    if (!io->running)
        return;
    pthread_mutex_lock(&io->mu);
    io->stopping = true;
    pthread_cond_broadcast(&io->wake);
    pthread_mutex_unlock(&io->mu);
    pthread_join(io->hash_thread, NULL);
    pthread_join(io->write_thread, NULL);
    while (io->n_pool)
        free(io->pool[--io->n_pool]);
    pthread_cond_destroy(&io->wake);
    pthread_mutex_destroy(&io->mu);
    io->running = false;
}

/* Queues an item for both threads; returns the writer's queued bytes after it. */
static int enqueue(struct blob_writer *bw, enum blob_item_kind kind, unsigned char *data, size_t len,
                   size_t *queued)
{
    struct blob_item *item = malloc(sizeof(*item));
    if (!item)
        return -1;
    item->next = NULL;
    item->bw = bw;
    item->kind = kind;
    item->data = data;
    item->len = len;
    item->left = 2;
    struct blob_io *io = &bw->st->io;
    pthread_mutex_lock(&io->mu);
    bw->queued_bytes += len;
    if (queued)
        *queued = bw->queued_bytes;
    if (io->tail)
        io->tail->next = item;
    else
        io->head = item;
    io->tail = item;
    if (!io->hash_next)
        io->hash_next = item;
    if (!io->write_next)
        io->write_next = item;
    pthread_cond_broadcast(&io->wake);
    pthread_mutex_unlock(&io->mu);
    return 0;
}

/* ---- the loop side --------------------------------------------------------- */

static int ensure_buffer(struct blob_writer *bw, size_t want)
{
    if (bw->buf_cap >= want)
        return 0;
    if (bw->handed_off && bw->buf_len == 0 && !bw->sync) {
        /* A large body: reuse a full-size buffer the I/O thread is done with. */
        unsigned char *pooled = pool_get(&bw->st->io);
        if (pooled) {
            free(bw->buf);
            bw->buf = pooled;
            bw->buf_cap = BLOB_BUFFER;
            return 0;
        }
    }
    /* Small bodies grow their buffer as they go; once a body has proved
     * large, every buffer is full-size at once. */
    size_t cap = bw->handed_off ? BLOB_BUFFER : bw->buf_cap ? bw->buf_cap : 8192;
    while (cap < want && cap < BLOB_BUFFER)
        cap *= 2;
    if (cap > BLOB_BUFFER)
        cap = BLOB_BUFFER;
    /* Page-aligned (what the kernel copies fastest); grows by copy since
     * realloc keeps no alignment. */
    unsigned char *grown = NULL;
    if (posix_memalign((void **)&grown, BLOB_ALIGN, cap) != 0)
        return -1;
    if (bw->buf_len)
        memcpy(grown, bw->buf, bw->buf_len);
    free(bw->buf);
    bw->buf = grown;
    bw->buf_cap = cap;
    return 0;
}

/* A full buffer goes to the I/O thread (or, for sync writers, to disk now). */
static int hand_off(struct blob_writer *bw, bool *throttle)
{
    if (bw->sync) {
        absorb(bw, bw->buf, bw->buf_len, false);
        bw->buf_len = 0;
        errno = bw->io_errno;
        return bw->io_errno ? -1 : 0;
    }
    if (!EVP_DigestUpdate(bw->sha256, bw->buf, bw->buf_len)) {
        errno = EIO;
        return -1;
    }
    size_t queued = 0;
    if (enqueue(bw, ITEM_DATA, bw->buf, bw->buf_len, &queued) != 0)
        return -1;
    bw->handed_off = true;
    bw->buf = NULL;
    bw->buf_len = bw->buf_cap = 0;
    if (queued > BLOB_HIGH_WATER) {
        struct blob_io *io = &bw->st->io;
        pthread_mutex_lock(&io->mu);
        /* Re-check under the lock: the I/O thread may have caught up. */
        bw->want_drain = bw->queued_bytes > BLOB_LOW_WATER;
        *throttle = bw->want_drain;
        pthread_mutex_unlock(&io->mu);
    }
    return 0;
}

int blob_writer_write(struct blob_writer *bw, const void *data, size_t len)
{
    if (bw->finish_started) {
        errno = EINVAL;
        return -1;
    }
    const unsigned char *p = data;
    size_t left = len;
    bool throttle = false;
    while (left > 0) {
        /* Room for what fits: a buffer never grows past BLOB_BUFFER, the
         * rest goes into the next one. */
        size_t want = bw->buf_len + left < BLOB_BUFFER ? bw->buf_len + left : BLOB_BUFFER;
        if (ensure_buffer(bw, want) != 0)
            return -1;
        size_t room = bw->buf_cap - bw->buf_len;
        size_t n = left < room ? left : room;
        memcpy(bw->buf + bw->buf_len, p, n);
        bw->buf_len += n;
        p += n;
        left -= n;
        if (bw->buf_len == BLOB_BUFFER && hand_off(bw, &throttle) != 0)
            return -1;
    }
    bw->size += (int64_t)len;
    return throttle ? 1 : 0;
}

void blob_writer_set_drain(struct blob_writer *bw, void (*cb)(void *arg), void *arg)
{
    bw->drain_cb = cb;
    bw->drain_arg = arg;
}

void blob_writer_finish(struct blob_writer *bw, void (*done)(void *arg, int err), void *arg)
{
    bw->finish_started = true;
    bw->done_cb = done;
    bw->done_arg = arg;
    if (bw->sync || (!bw->handed_off && bw->size <= BLOB_INLINE_MAX)) {
        /* A sync writer, or a small body that stays in memory: the rest is
         * done here. */
        bool has_file = bw->fd >= 0 || bw->size > BLOB_INLINE_MAX;
        if (has_file)
            absorb(bw, bw->buf, bw->buf_len, false);
        else if (hash_piece(bw, bw->buf, bw->buf_len) != 0 ||
                 (bw->buf_len && !EVP_DigestUpdate(bw->sha256, bw->buf, bw->buf_len)))
            bw->io_errno = EIO;
        if (has_file)
            bw->buf_len = 0;
        finalise(bw, has_file);
        if (done)
            done(arg, bw->io_errno);
        return;
    }
    unsigned char *tail = bw->buf;
    size_t tail_len = bw->buf_len;
    if (tail_len && !EVP_DigestUpdate(bw->sha256, tail, tail_len))
        bw->loop_errno = EIO;
    bw->buf = NULL;
    bw->buf_len = bw->buf_cap = 0;
    bw->handed_off = true;
    if (enqueue(bw, ITEM_FINISH, tail, tail_len, NULL) != 0) {
        free(tail);
        bw->io_errno = ENOMEM;
        if (done)
            done(arg, ENOMEM);
    }
}

int blob_writer_finish_sync(struct blob_writer *bw)
{
    blob_writer_finish(bw, NULL, NULL);
    errno = bw->io_errno;
    return bw->io_errno ? -1 : 0;
}

void blob_writer_discard(struct blob_writer *bw)
{
    if (!bw)
        return;
    bw->discarded = true;
    if (bw->handed_off && bw->st->io.running) {
        /* The I/O thread may still hold buffers of it: it lets go, then
         * the loop frees it. */
        while (enqueue(bw, ITEM_DROP, NULL, 0, NULL) != 0)
            usleep(1000);
        return;
    }
    if (bw->fd >= 0)
        unlink(bw->tmp_path);
    writer_free(bw);
}

/* ---- results --------------------------------------------------------------- */

int blob_writer_add_checksum(struct blob_writer *bw, int alg)
{
    if (bw->n_sums == BLOB_WRITER_MAX_CHECKSUMS || bw->size > 0 ||
        checksum_init(&bw->sums[bw->n_sums], (enum checksum_alg)alg) != 0)
        return -1;
    return bw->n_sums++;
}

size_t blob_writer_checksum(const struct blob_writer *bw, int slot, unsigned char out[32])
{
    if (slot < 0 || slot >= bw->n_sums || !bw->finished)
        return 0;
    memcpy(out, bw->sum_digests[slot], bw->sum_lens[slot]);
    return bw->sum_lens[slot];
}

int64_t blob_writer_size(const struct blob_writer *bw) { return bw->size; }

const unsigned char *blob_writer_md5(const struct blob_writer *bw) { return bw->md5_digest; }

const unsigned char *blob_writer_sha256(const struct blob_writer *bw) { return bw->sha256_digest; }

unsigned char *blob_writer_take_inline(struct blob_writer *bw)
{
    if (bw->fd >= 0 || bw->handed_off || bw->size > BLOB_INLINE_MAX || bw->size == 0)
        return NULL;
    unsigned char *data = bw->buf;
    bw->buf = NULL;
    bw->buf_len = bw->buf_cap = 0;
    return data;
}

const char *blob_writer_tmp_path(const struct blob_writer *bw) { return bw->fd >= 0 ? bw->tmp_path : NULL; }

int blob_writer_error(const struct blob_writer *bw) { return bw->io_errno; }
