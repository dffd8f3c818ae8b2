/* commit: opening and closing the store, and the commit thread that makes
 * writes durable in groups.
 *
 * Writers queue jobs (mutex + condvar). The commit thread takes the whole
 * queue as one batch: prepares jobs that build their own body, installs every
 * body blob (fdatasync, rename or dedupe, one fsync per touched directory),
 * then runs BEGIN IMMEDIATE, one SAVEPOINT per job (rolled back alone when
 * that job fails), COMMIT — a single WAL fsync for the batch. Jobs that must
 * run alone (GC) follow with their own transactions. Finished jobs go to a
 * completion list, the notifier is called, and store_dispatch_completions()
 * runs the callbacks in order on the loop thread. */
#include "storage/core/store_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void store_job_release_common(struct store_job *job)
{
    blob_writer_discard(job->body);
    job->body = NULL;
    free(job->body_inline);
    job->body_inline = NULL;
    for (size_t i = 0; job->result.deleted && i < job->result.n_deleted; i++) {
        free(job->result.deleted[i].key);
        free(job->result.deleted[i].version_id);
    }
    free(job->result.deleted);
    job->result.deleted = NULL;
    job->result.n_deleted = 0;
}

/* ---- the batch ---------------------------------------------------------- */

/* The body arrives finished: digests final, any file fdatasynced. */
static void remember_body(struct store_job *job)
{
    struct blob_writer *bw = job->body;
    if (blob_writer_error(bw))
        job->result.err = S3_ERR_INTERNAL_ERROR;
    job->has_body = true;
    job->body_size = blob_writer_size(bw);
    memcpy(job->body_md5, blob_writer_md5(bw), 16);
    hex_encode(blob_writer_sha256(bw), 32, job->body_sha256);
}

/* Makes every body durable under blobs/ before the transaction that will
 * reference it. Empty bodies need no blob. */
static void install_bodies(struct store *st, struct store_job *batch)
{
    struct dir_sync_set dirs = {0};
    for (struct store_job *j = batch; j; j = j->next) {
        if (!j->body)
            continue;
        remember_body(j);
        struct blob_writer *bw = j->body;
        j->body = NULL;
        if (j->result.err != S3_OK || j->body_size == 0)
            blob_writer_discard(bw);
        else if ((j->body_inline = blob_writer_take_inline(bw)) != NULL)
            blob_writer_discard(bw);
        else {
            const char *tmp = blob_writer_tmp_path(bw);
            if (!tmp || blob_install(st, tmp, j->body_sha256, &dirs) != 0)
                j->result.err = S3_ERR_INTERNAL_ERROR;
            blob_writer_discard(bw);
        }
    }
    if (dir_sync_set_flush(&dirs) != 0) {
        for (struct store_job *j = batch; j; j = j->next) {
            if (j->has_body && j->body_size > 0)
                j->result.err = S3_ERR_INTERNAL_ERROR;
        }
    }
    dir_sync_set_free(&dirs);
}

static void fail_all(struct store_job *batch)
{
    for (struct store_job *j = batch; j; j = j->next)
        j->result.err = S3_ERR_INTERNAL_ERROR;
}

static void apply_in_savepoint(struct store *st, struct store_job *job)
{
    if (db_exec(&st->writer, "SAVEPOINT job") != 0) {
        job->result.err = S3_ERR_INTERNAL_ERROR;
        return;
    }
    st->applying = job;
    job->result.err = job->apply(st, job);
    st->applying = NULL;
    if (job->result.err != S3_OK)
        db_exec(&st->writer, "ROLLBACK TO job");
    if (db_exec(&st->writer, "RELEASE job") != 0 && job->result.err == S3_OK)
        job->result.err = S3_ERR_INTERNAL_ERROR;
}

static void commit_group(struct store *st, struct store_job *batch)
{
    if (!batch)
        return;
    for (struct store_job *j = batch; j; j = j->next) {
        if (j->prepare)
            j->result.err = j->prepare(st, j);
    }
    install_bodies(st, batch);
    if (db_exec(&st->writer, "BEGIN IMMEDIATE") != 0) {
        fail_all(batch);
        return;
    }
    for (struct store_job *j = batch; j; j = j->next) {
        if (j->result.err == S3_OK)
            apply_in_savepoint(st, j);
    }
    if (db_exec(&st->writer, "COMMIT") != 0) {
        db_exec(&st->writer, "ROLLBACK");
        fail_all(batch);
    }
}

static void complete_jobs(struct store *st, struct store_job *head, struct store_job *tail)
{
    if (!head)
        return;
    pthread_mutex_lock(&st->mu);
    if (st->done_tail)
        st->done_tail->next = head;
    else
        st->done_head = head;
    st->done_tail = tail;
    void (*notify)(void *) = st->notify;
    void *notify_arg = st->notify_arg;
    pthread_mutex_unlock(&st->mu);
    if (notify)
        notify(notify_arg);
}

static void run_batch(struct store *st, struct store_job *batch)
{
    struct store_job *group = NULL, **group_end = &group, *group_tail = NULL;
    struct store_job *alone = NULL, **alone_end = &alone;
    while (batch) {
        struct store_job *j = batch;
        batch = j->next;
        j->next = NULL;
        if (j->runs_alone) {
            *alone_end = j;
            alone_end = &j->next;
        } else {
            *group_end = j;
            group_end = &j->next;
            group_tail = j;
        }
    }
    commit_group(st, group);
    complete_jobs(st, group, group_tail);
    while (alone) {
        struct store_job *j = alone;
        alone = j->next;
        j->next = NULL;
        j->result.err = j->apply(st, j);
        complete_jobs(st, j, j);
    }
}

static void *commit_thread_main(void *arg)
{
    struct store *st = arg;
    for (;;) {
        pthread_mutex_lock(&st->mu);
        while (!st->queue_head && !st->stopping)
            pthread_cond_wait(&st->wake, &st->mu);
        struct store_job *batch = st->queue_head;
        st->queue_head = st->queue_tail = NULL;
        pthread_mutex_unlock(&st->mu);
        if (!batch)
            return NULL;
        run_batch(st, batch);
    }
}

int store_enqueue(struct store *st, struct store_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&st->mu);
    if (st->stopping) {
        pthread_mutex_unlock(&st->mu);
        job->destroy(job);
        errno = ESHUTDOWN;
        return -1;
    }
    job->has_origin = st->has_origin;
    if (st->has_origin)
        job->origin = st->origin;
    if (st->queue_tail)
        st->queue_tail->next = job;
    else
        st->queue_head = job;
    st->queue_tail = job;
    pthread_cond_signal(&st->wake);
    pthread_mutex_unlock(&st->mu);
    return 0;
}

/* A completion that only runs a function: how other threads (the blob I/O
 * thread) reach the loop. */
struct posted_job {
    struct store_job base;
    void (*fn)(void *arg);
    void *arg;
};

static void run_posted(void *arg, const struct store_result *res)
{
    (void)res;
    struct posted_job *p = arg;
    p->fn(p->arg);
}

static void destroy_posted(struct store_job *job) { free(job); }

int store_post(struct store *st, void (*fn)(void *arg), void *arg)
{
    struct posted_job *p = calloc(1, sizeof(*p));
    if (!p)
        return -1;
    p->base.destroy = destroy_posted;
    p->base.cb = run_posted;
    p->base.cb_arg = p;
    p->fn = fn;
    p->arg = arg;
    complete_jobs(st, &p->base, &p->base);
    return 0;
}

void store_set_notifier(struct store *st, void (*notify)(void *arg), void *arg)
{
    pthread_mutex_lock(&st->mu);
    st->notify = notify;
    st->notify_arg = arg;
    pthread_mutex_unlock(&st->mu);
}

void store_dispatch_completions(struct store *st)
{
    pthread_mutex_lock(&st->mu);
    struct store_job *j = st->done_head;
    st->done_head = st->done_tail = NULL;
    pthread_mutex_unlock(&st->mu);
    bool events = false;
    while (j) {
        struct store_job *next = j->next;
        events |= j->recorded_events && j->result.err == S3_OK;
        if (j->cb)
            j->cb(j->cb_arg, &j->result);
        j->destroy(j);
        j = next;
    }
    if (events && st->outbox_listener)
        st->outbox_listener(st->outbox_listener_arg);
}

/* ---- open and close ------------------------------------------------------ */

static int make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void store_free(struct store *st)
{
    db_conn_close(&st->reader);
    db_conn_close(&st->writer);
    free(st->data_dir);
    free(st->blobs_dir);
    free(st->tmp_dir);
    free(st);
}

/* Lets the commit thread finish what is queued, then joins it. */
static void join_commit_thread(struct store *st)
{
    pthread_mutex_lock(&st->mu);
    st->stopping = true;
    pthread_cond_signal(&st->wake);
    pthread_mutex_unlock(&st->mu);
    pthread_join(st->thread, NULL);
}

int store_open(const char *data_dir, struct store **out, char *err, size_t errlen)
{
    struct store *st = calloc(1, sizeof(*st));
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    st->data_dir = strdup(data_dir);
    st->blobs_dir = join_path(data_dir, "blobs");
    st->tmp_dir = join_path(data_dir, "tmp");
    char *db_path = join_path(data_dir, "meta.db");
    if (!st->data_dir || !st->blobs_dir || !st->tmp_dir || !db_path) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    const char *dirs[] = {st->data_dir, st->blobs_dir, st->tmp_dir};
    for (size_t i = 0; i < 3; i++) {
        if (make_dirs(dirs[i]) != 0) {
            snprintf(err, errlen, "cannot create %s: %s", dirs[i], strerror(errno));
            goto fail;
        }
    }
    if (db_conn_open(&st->writer, db_path, true, err, errlen) != 0 ||
        db_migrate(&st->writer, err, errlen) != 0 ||
        db_conn_open(&st->reader, db_path, false, err, errlen) != 0)
        goto fail;
    if (pthread_mutex_init(&st->mu, NULL) != 0) {
        snprintf(err, errlen, "pthread_mutex_init failed");
        goto fail;
    }
    if (pthread_cond_init(&st->wake, NULL) != 0) {
        snprintf(err, errlen, "pthread_cond_init failed");
        pthread_mutex_destroy(&st->mu);
        goto fail;
    }
    int rc = pthread_create(&st->thread, NULL, commit_thread_main, st);
    if (rc != 0) {
        snprintf(err, errlen, "cannot start the commit thread: %s", strerror(rc));
        pthread_cond_destroy(&st->wake);
        pthread_mutex_destroy(&st->mu);
        goto fail;
    }
    if (blob_io_start(&st->io) != 0) {
        snprintf(err, errlen, "cannot start the blob I/O thread: %s", strerror(errno));
        join_commit_thread(st);
        pthread_cond_destroy(&st->wake);
        pthread_mutex_destroy(&st->mu);
        goto fail;
    }
    free(db_path);
    *out = st;
    return 0;
fail:
    free(db_path);
    store_free(st);
    return -1;
}

/* The commit thread stops first: its last batch may hand writers back to
 * the I/O thread, whose last completions then run here. */
void store_stop(struct store *st)
{
    if (!st || st->stopped)
        return;
    join_commit_thread(st);
    blob_io_stop(&st->io);
    store_dispatch_completions(st);
    st->stopped = true;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    store_stop(st);
    pthread_cond_destroy(&st->wake);
    pthread_mutex_destroy(&st->mu);
    store_free(st);
}

/* ---- reads --------------------------------------------------------------- */

int store_read_scope_begin(struct store *st)
{
    return db_read_begin(&st->reader);
}

void store_read_scope_end(struct store *st)
{
    db_read_end(&st->reader);
}

uint64_t store_read_snapshot(struct store *st)
{
    return st->reader.read_depth ? st->reader.read_snapshots : 0;
}

/* ---- jobs of other services --------------------------------------------- */

struct service_job {
    struct store_job base;
    int (*apply)(struct store_conn *writer, void *arg);
    void (*done)(void *arg, bool ok);
    void *arg;
};

static enum s3_err apply_service_job(struct store *st, struct store_job *base)
{
    struct service_job *job = (struct service_job *)base;
    return job->apply(&st->writer, job->arg) == 0 ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

static void destroy_service_job(struct store_job *base)
{
    store_job_release_common(base);
    free(base);
}

static void service_job_done(void *arg, const struct store_result *res)
{
    struct service_job *job = arg;
    job->done(job->arg, res->err == S3_OK);
}

int store_submit(struct store *st, int (*apply)(struct store_conn *writer, void *arg),
                 void (*done)(void *arg, bool ok), void *arg)
{
    struct service_job *job = calloc(1, sizeof(*job));
    if (!job)
        return -1;
    job->base.apply = apply_service_job;
    job->base.destroy = destroy_service_job;
    job->base.cb = service_job_done;
    job->base.cb_arg = job;
    job->apply = apply;
    job->done = done;
    job->arg = arg;
    return store_enqueue(st, &job->base);
}

struct store_conn *store_reader(struct store *st)
{
    return &st->reader;
}
