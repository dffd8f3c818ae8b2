/* s3_notify: notification configuration rows, the event outbox and the
 * recording of events by S3 write jobs (see storage/s3/notification.h). Schema module
 * "s3notify". */
#include "storage/s3/notification.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/s3/internal.h"

/* Targets and documents go with their bucket. The outbox key is
 * AUTOINCREMENT so a delivered row's number is never reused: the bus reads
 * past the last number it has taken. */
static const struct schema_step steps[] = {
    {"notification-configs-outbox",
        "CREATE TABLE s3_notify_configs("
        "  bucket TEXT PRIMARY KEY REFERENCES buckets(name) ON DELETE CASCADE,"
        "  document TEXT NOT NULL"
        ") WITHOUT ROWID;"
        "CREATE TABLE s3_notify_targets("
        "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
        "  idx INTEGER NOT NULL,"
        "  event TEXT NOT NULL,"
        "  config_id TEXT NOT NULL,"
        "  dest_kind TEXT NOT NULL,"
        "  dest_arn TEXT NOT NULL,"
        "  prefix TEXT NOT NULL,"
        "  suffix TEXT NOT NULL,"
        "  PRIMARY KEY(bucket, idx)"
        ") WITHOUT ROWID;"
        "CREATE TABLE s3_event_outbox("
        "  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        "  dest_kind TEXT NOT NULL, dest_arn TEXT NOT NULL, config_id TEXT NOT NULL,"
        "  event_name TEXT NOT NULL, bucket TEXT NOT NULL, key TEXT NOT NULL,"
        "  size INTEGER NOT NULL, etag TEXT, version_id TEXT, sequencer TEXT NOT NULL,"
        "  event_ms INTEGER NOT NULL, region TEXT NOT NULL, request_id TEXT NOT NULL,"
        "  host_id TEXT NOT NULL, source_ip TEXT NOT NULL, principal TEXT NOT NULL,"
        "  owner TEXT NOT NULL"
        ");"},
};

const struct schema_module s3_notify_schema = {"s3notify", steps, sizeof(steps) / sizeof(steps[0])};

/* ---- origin and listener (loop thread) --------------------------------------- */

void store_set_origin(struct store *st, const struct store_origin *origin)
{
    pthread_mutex_lock(&st->mu);
    st->has_origin = origin != NULL;
    if (origin)
        st->origin = *origin;
    pthread_mutex_unlock(&st->mu);
}

void store_set_outbox_listener(struct store *st, void (*fn)(void *arg), void *arg)
{
    st->outbox_listener = fn;
    st->outbox_listener_arg = arg;
}

/* ---- recording (commit thread) ------------------------------------------------ */

/* A target matches when its event is the event's name, or a wildcard
 * ("ObjectCreated:*") over it, and the key has its prefix and suffix. */
static const char sql_record[] =
    "INSERT INTO s3_event_outbox(dest_kind, dest_arn, config_id, event_name, bucket, key, size,"
    " etag, version_id, sequencer, event_ms, region, request_id, host_id, source_ip, principal,"
    " owner)"
    " SELECT t.dest_kind, t.dest_arn, t.config_id, ?2, t.bucket, ?3, ?4, ?5, ?6, ?7, ?8,"
    " b.region, ?9, ?10, ?11, ?12, b.owner"
    " FROM s3_notify_targets t JOIN buckets b ON b.name = t.bucket"
    " WHERE t.bucket = ?1"
    "  AND (t.event = ?2 OR (substr(t.event, -1) = '*'"
    "       AND substr(?2, 1, length(t.event) - 1) = substr(t.event, 1, length(t.event) - 1)))"
    "  AND substr(?3, 1, length(t.prefix)) = t.prefix"
    "  AND (t.suffix = '' OR (length(?3) >= length(t.suffix) AND substr(?3, -length(t.suffix)) = t.suffix))"
    " ORDER BY t.idx";

/* Hex, growing with every event: nanoseconds of the clock, or one more
 * than the last when the clock has not moved on (or went back). */
static void next_sequencer(struct store *st, char out[24])
{
    uint64_t now = (uint64_t)clock_now_us() * 1000u;
    st->last_sequencer = now > st->last_sequencer ? now : st->last_sequencer + 1;
    snprintf(out, 24, "%018" PRIX64, st->last_sequencer);
}

enum s3_err store_notify_record(struct store *st, const char *event_name, const char *bucket,
                                const char *key, int64_t size, const char *etag,
                                const char *version_id)
{
    struct store_job *job = st->applying;
    if (!job || !job->has_origin)
        return S3_OK;
    char sequencer[24];
    next_sequencer(st, sequencer);
    const struct store_origin *o = &job->origin;
    bool versioned = version_id && strcmp(version_id, "null") != 0;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_record);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, event_name) != 0 ||
        db_bind_text(s, 3, key) != 0 || sqlite3_bind_int64(s, 4, size) != SQLITE_OK ||
        db_bind_text(s, 5, etag) != 0 || db_bind_text(s, 6, versioned ? version_id : NULL) != 0 ||
        db_bind_text(s, 7, sequencer) != 0 ||
        sqlite3_bind_int64(s, 8, clock_now_ms()) != SQLITE_OK ||
        db_bind_text(s, 9, o->request_id) != 0 || db_bind_text(s, 10, o->host_id) != 0 ||
        db_bind_text(s, 11, o->source_ip) != 0 || db_bind_text(s, 12, o->principal) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return S3_ERR_INTERNAL_ERROR;
    if (sqlite3_changes(st->writer.db) > 0)
        job->recorded_events = true;
    return S3_OK;
}

/* ---- configuration ------------------------------------------------------------- */

struct notify_job {
    struct store_job base;
    char *bucket;
    char *document;
    struct store_notify_target *targets;   /* strings owned, see copy_target */
    size_t n_targets;
    int64_t *seqs;
    size_t n_seqs;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static void free_target(struct store_notify_target *t)
{
    free((char *)t->event_stem);
    free((char *)t->config_id);
    free((char *)t->dest_kind);
    free((char *)t->dest_arn);
    free((char *)t->prefix);
    free((char *)t->suffix);
}

static void notify_job_destroy(struct store_job *base)
{
    struct notify_job *job = (struct notify_job *)base;
    for (size_t i = 0; i < job->n_targets; i++)
        free_target(&job->targets[i]);
    free(job->targets);
    free(job->seqs);
    free(job->bucket);
    free(job->document);
    store_job_release_common(base);
    free(job);
}

static void notify_job_done(void *arg, const struct store_result *res)
{
    struct notify_job *job = arg;
    if (job->done)
        job->done(job->arg, res->err == S3_OK);
}

static struct notify_job *notify_job_new(enum s3_err (*apply)(struct store *, struct store_job *),
                                         void (*done)(void *, bool), void *arg)
{
    struct notify_job *job = calloc(1, sizeof(*job));
    if (!job)
        return NULL;
    job->base.apply = apply;
    job->base.destroy = notify_job_destroy;
    job->base.cb = notify_job_done;
    job->base.cb_arg = job;
    job->done = done;
    job->arg = arg;
    return job;
}

static bool copy_target(const struct store_notify_target *src, struct store_notify_target *dst)
{
    dst->event_stem = strdup(src->event_stem);
    dst->config_id = strdup(src->config_id);
    dst->dest_kind = strdup(src->dest_kind);
    dst->dest_arn = strdup(src->dest_arn);
    dst->prefix = strdup(src->prefix ? src->prefix : "");
    dst->suffix = strdup(src->suffix ? src->suffix : "");
    return dst->event_stem && dst->config_id && dst->dest_kind && dst->dest_arn && dst->prefix &&
           dst->suffix;
}

static const char sql_targets_clear[] = "DELETE FROM s3_notify_targets WHERE bucket = ?1";
static const char sql_target_insert[] =
    "INSERT INTO s3_notify_targets(bucket, idx, event, config_id, dest_kind, dest_arn, prefix,"
    " suffix) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_config_clear[] = "DELETE FROM s3_notify_configs WHERE bucket = ?1";
static const char sql_config_insert[] =
    "INSERT INTO s3_notify_configs(bucket, document) VALUES (?1, ?2)";

static bool run_bucket_stmt(struct store *st, const char *sql, const char *bucket)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql);
    if (!s || db_bind_text(s, 1, bucket) != 0)
        return false;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE;
}

static enum s3_err apply_put_notification(struct store *st, struct store_job *base)
{
    struct notify_job *job = (struct notify_job *)base;
    enum s3_err err = store_check_bucket(&st->writer, job->bucket);
    if (err != S3_OK)
        return err;
    if (!run_bucket_stmt(st, sql_targets_clear, job->bucket) ||
        !run_bucket_stmt(st, sql_config_clear, job->bucket))
        return S3_ERR_INTERNAL_ERROR;
    for (size_t i = 0; i < job->n_targets; i++) {
        const struct store_notify_target *t = &job->targets[i];
        sqlite3_stmt *s = db_stmt(&st->writer, sql_target_insert);
        if (!s || db_bind_text(s, 1, job->bucket) != 0 ||
            sqlite3_bind_int64(s, 2, (int64_t)i) != SQLITE_OK ||
            db_bind_text(s, 3, t->event_stem) != 0 || db_bind_text(s, 4, t->config_id) != 0 ||
            db_bind_text(s, 5, t->dest_kind) != 0 || db_bind_text(s, 6, t->dest_arn) != 0 ||
            db_bind_text(s, 7, t->prefix) != 0 || db_bind_text(s, 8, t->suffix) != 0)
            return S3_ERR_INTERNAL_ERROR;
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return S3_ERR_INTERNAL_ERROR;
    }
    if (!job->document)
        return S3_OK;
    sqlite3_stmt *s = db_stmt(&st->writer, sql_config_insert);
    if (!s || db_bind_text(s, 1, job->bucket) != 0 || db_bind_text(s, 2, job->document) != 0)
        return S3_ERR_INTERNAL_ERROR;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

int store_put_notification(struct store *st, const char *bucket, const char *document,
                           const struct store_notify_target *targets, size_t n_targets,
                           void (*done)(void *arg, bool ok), void *arg)
{
    struct notify_job *job = notify_job_new(apply_put_notification, done, arg);
    if (!job)
        return -1;
    bool ok = (job->bucket = strdup(bucket)) != NULL;
    if (ok && document)
        ok = (job->document = strdup(document)) != NULL;
    if (ok && n_targets)
        ok = (job->targets = calloc(n_targets, sizeof(*job->targets))) != NULL;
    for (size_t i = 0; ok && i < n_targets; i++) {
        job->n_targets = i + 1;
        ok = copy_target(&targets[i], &job->targets[i]);
    }
    if (!ok) {
        notify_job_destroy(&job->base);
        return -1;
    }
    return store_enqueue(st, &job->base);
}

int store_get_notification(struct store *st, const char *bucket, char **document)
{
    static const char sql[] = "SELECT document FROM s3_notify_configs WHERE bucket = ?1";
    *document = NULL;
    sqlite3_stmt *s = db_stmt(&st->reader, sql);
    if (!s || db_bind_text(s, 1, bucket) != 0)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? db_column_strdup(s, 0, document) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

/* ---- outbox ---------------------------------------------------------------------- */

static const char sql_outbox_read[] =
    "SELECT seq, dest_kind, dest_arn, config_id, event_name, bucket, key, size, etag, version_id,"
    " sequencer, event_ms, region, request_id, host_id, source_ip, principal, owner"
    " FROM s3_event_outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2";

static int load_event(sqlite3_stmt *s, struct s3_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->seq = sqlite3_column_int64(s, 0);
    ev->size = sqlite3_column_int64(s, 7);
    ev->event_ms = sqlite3_column_int64(s, 11);
    struct {
        int col;
        char **slot;
    } text[] = {{1, &ev->dest_kind},  {2, &ev->dest_arn},   {3, &ev->config_id},
                {4, &ev->event_name}, {5, &ev->bucket},     {6, &ev->key},
                {8, &ev->etag},       {9, &ev->version_id}, {10, &ev->sequencer},
                {12, &ev->region},    {13, &ev->request_id}, {14, &ev->host_id},
                {15, &ev->source_ip}, {16, &ev->principal}, {17, &ev->owner}};
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        if (db_column_strdup(s, text[i].col, text[i].slot) != 0) {
            s3_event_free(ev);
            return -1;
        }
    }
    return 0;
}

int store_outbox_read(struct store *st, int64_t after_seq, size_t limit, struct s3_event **out,
                      size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_outbox_read);
    if (!s || sqlite3_bind_int64(s, 1, after_seq) != SQLITE_OK ||
        sqlite3_bind_int64(s, 2, (int64_t)limit) != SQLITE_OK)
        return -1;
    struct s3_event *events = calloc(limit ? limit : 1, sizeof(*events));
    if (!events) {
        sqlite3_reset(s);
        return -1;
    }
    size_t count = 0;
    int rc = SQLITE_DONE;
    while (count < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (load_event(s, &events[count]) != 0)
            break;
        count++;
    }
    bool ok = count == limit || rc == SQLITE_DONE;
    sqlite3_reset(s);
    if (!ok) {
        for (size_t i = 0; i < count; i++)
            s3_event_free(&events[i]);
        free(events);
        return -1;
    }
    *out = events;
    *n = count;
    return 0;
}

static enum s3_err apply_outbox_delete(struct store *st, struct store_job *base)
{
    static const char sql[] = "DELETE FROM s3_event_outbox WHERE seq = ?1";
    struct notify_job *job = (struct notify_job *)base;
    for (size_t i = 0; i < job->n_seqs; i++) {
        sqlite3_stmt *s = db_stmt(&st->writer, sql);
        if (!s || sqlite3_bind_int64(s, 1, job->seqs[i]) != SQLITE_OK)
            return S3_ERR_INTERNAL_ERROR;
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return S3_ERR_INTERNAL_ERROR;
    }
    return S3_OK;
}

int store_outbox_delete(struct store *st, const int64_t *seqs, size_t n,
                        void (*done)(void *arg, bool ok), void *arg)
{
    struct notify_job *job = notify_job_new(apply_outbox_delete, done, arg);
    if (!job)
        return -1;
    job->seqs = malloc((n ? n : 1) * sizeof(*seqs));
    if (!job->seqs) {
        notify_job_destroy(&job->base);
        return -1;
    }
    memcpy(job->seqs, seqs, n * sizeof(*seqs));
    job->n_seqs = n;
    return store_enqueue(st, &job->base);
}
