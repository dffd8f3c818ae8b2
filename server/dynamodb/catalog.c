/* catalog: the DynamoDB tables the server knows, and the service's life.
 *
 * Every operation needs its table's definition; parsing it from the
 * store each time would cost more than the operation. The catalog keeps
 * each table used as a struct ddb_table_ref (a hash table by account,
 * region and name), shared by the requests that hold it; a change of the
 * table (its write's completion) forgets the entry, and the next lookup
 * reads the new definition. Writes carry the version they were checked
 * against, so one queued before the change was forgotten comes back
 * stale and runs again (server/dynamodb/service.c).
 *
 * Transitions (CREATING, UPDATING, an index's CREATING or DELETING) end
 * by their time or as soon as DescribeTable looks (ddb_table_now); the
 * settled definition is written once, by a job of its own.
 *
 * Background work runs in steps on the commit thread, one at a time from
 * one timer, so no transaction grows with the table: first what follows
 * a table change — the backfill of an index created by UpdateTable (or of
 * the TTL expiries), the purge of a deleted table's or index's rows —
 * then, when none is left, the periodic work:
 *
 *  - the time-to-live sweep, every TTL_SWEEP_INTERVAL_MS of the timer:
 *    when some table with time to live has an item whose expiry (the
 *    clock's time, storage/core/clock.h, so a moved clock counts) has
 *    passed, the tables with expiries are gone through in turn, each
 *    expired item deleted by a ttl_removal write (still expired, or left
 *    alone) with its REMOVE stream record, the service its principal.
 *    AWS deletes expired items within days; here it takes seconds. Reads
 *    before the sweep still see the items, as on AWS.
 *  - the trim of stream records older than 24 hours, every
 *    TRIM_EVERY_SWEEPS sweeps (a minute).
 *
 * The cadence is the timer's, not the wall clock's: a clock set back
 * does not stop the sweep. */
#include "server/dynamodb/service.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/value_json.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define BUCKETS 1024
#define STEP_ROWS 1000
#define WORK_INTERVAL_MS 20
#define TTL_SWEEP_INTERVAL_MS 5000
#define TTL_STEP_ITEMS 256         /* items a sweep step deletes at most (each up to 400 KB, one at a time) */
#define TRIM_EVERY_SWEEPS 12

struct ddb_catalog {
    struct ddb_table_ref *buckets[BUCKETS];
};

struct ddb_backfill {
    struct ddb_backfill *next;
    int64_t table_id;
    int number;
    struct ddb_backfill_cursor cursor;
};

static uint32_t key_hash(const char *account, const char *region, const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *parts[3] = {account, region, name}, **p = parts; p < parts + 3; p++) {
        for (const char *s = *p; *s; s++)
            h = (h ^ (unsigned char)*s) * 16777619u;
        h = (h ^ 0xff) * 16777619u;
    }
    return h % BUCKETS;
}

struct ddb_catalog *ddb_catalog_new(void)
{
    return calloc(1, sizeof(struct ddb_catalog));
}

static void ref_free(struct ddb_table_ref *t)
{
    arena_free(&t->arena);
    free(t->name);
    free(t->arn);
    free(t);
}

void ddb_table_unref(struct ddb_table_ref *t)
{
    if (t && --t->refs == 0)
        ref_free(t);
}

void ddb_catalog_free(struct ddb_catalog *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < BUCKETS; i++) {
        while (cat->buckets[i]) {
            struct ddb_table_ref *t = cat->buckets[i];
            cat->buckets[i] = t->next;
            t->cached = false;
            ddb_table_unref(t);
        }
    }
    free(cat);
}

static void unlink_ref(struct ddb_catalog *cat, struct ddb_table_ref *t)
{
    for (struct ddb_table_ref **p = &cat->buckets[key_hash(t->account, t->region, t->name)]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            t->cached = false;
            ddb_table_unref(t);
            return;
        }
    }
}

void ddb_catalog_forget(struct ddb_service *ds, const char *account, const char *region, const char *name)
{
    for (struct ddb_table_ref *t = ds->catalog->buckets[key_hash(account, region, name)]; t; t = t->next) {
        if (strcmp(t->account, account) == 0 && strcmp(t->region, region) == 0 && strcmp(t->name, name) == 0) {
            unlink_ref(ds->catalog, t);
            return;
        }
    }
}

static void forget_id(struct ddb_service *ds, int64_t id)
{
    for (size_t i = 0; i < BUCKETS; i++) {
        for (struct ddb_table_ref *t = ds->catalog->buckets[i]; t; t = t->next) {
            if (t->id == id) {
                unlink_ref(ds->catalog, t);
                return;
            }
        }
    }
}

/* ---- lookups --------------------------------------------------------------------- */

struct load {
    struct ddb_table_ref *ref;
    bool ok;
};

static void load_row(void *arg, const struct ddb_table_row *row)
{
    struct load *l = arg;
    struct ddb_error err;
    l->ref->id = row->id;
    l->ref->version = row->version;
    l->ok = ddb_table_from_json(&l->ref->arena, row->definition, row->len, &l->ref->def, &err);
    if (!l->ok)
        log_error("dynamodb: the definition of table %lld cannot be read: %s", (long long)row->id, err.message);
}

static bool hold(struct ddb_call *c, struct ddb_table_ref *t)
{
    if (c->n_held == c->cap_held) {
        size_t cap = c->cap_held ? 2 * c->cap_held : 4;
        struct ddb_table_ref **grown = realloc(c->held, cap * sizeof(*grown));
        if (!grown)
            return false;
        c->held = grown;
        c->cap_held = cap;
    }
    t->refs++;
    c->held[c->n_held++] = t;
    return true;
}

enum ddb_store_err ddb_find_table(struct ddb_call *c, const char *name, struct ddb_table_ref **out)
{
    struct ddb_catalog *cat = c->ds->catalog;
    uint32_t h = key_hash(c->account, c->region, name);
    for (struct ddb_table_ref *t = cat->buckets[h]; t; t = t->next) {
        if (strcmp(t->name, name) == 0 && strcmp(t->account, c->account) == 0 && strcmp(t->region, c->region) == 0) {
            if (!hold(c, t))
                return DDB_STORE_NOMEM;
            *out = t;
            return DDB_STORE_OK;
        }
    }
    struct ddb_table_ref *t = calloc(1, sizeof(*t));
    if (!t)
        return DDB_STORE_NOMEM;
    arena_init(&t->arena, 0);
    memcpy(t->account, c->account, sizeof(t->account));
    memcpy(t->region, c->region, sizeof(t->region));
    t->name = strdup(name);
    struct load l = {.ref = t};
    enum ddb_store_err e = t->name ? ddb_table_load(ddb_reader(c), c->account, c->region, name, load_row, &l)
                                   : DDB_STORE_NOMEM;
    if (e == DDB_STORE_OK && !l.ok)
        e = t->arena.failed ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
    struct strbuf arn;
    strbuf_init(&arn);
    if (e == DDB_STORE_OK) {
        ddb_table_arn(c->region, c->account, &t->def.name, &arn);
        if (strbuf_failed(&arn))
            e = DDB_STORE_NOMEM;
        else
            t->arn = strbuf_detach(&arn, NULL);
    }
    strbuf_free(&arn);
    if (e != DDB_STORE_OK) {
        ref_free(t);
        return e;
    }
    t->refs = 1;
    t->cached = true;
    t->next = cat->buckets[h];
    cat->buckets[h] = t;
    if (!hold(c, t))
        return DDB_STORE_NOMEM;
    *out = t;
    return DDB_STORE_OK;
}

/* ---- transitions ------------------------------------------------------------------- */

struct settle_job {
    struct ddb_service *ds;
    struct ddb_table_ref *ref;
    int64_t now_ms;
};

struct settle_load {
    struct arena arena;
    struct ddb_table def;
    int64_t version;
    bool ok;
};

static void settle_load_row(void *arg, const struct ddb_table_row *row)
{
    struct settle_load *l = arg;
    struct ddb_error err;
    l->version = row->version;
    l->ok = ddb_table_from_json(&l->arena, row->definition, row->len, &l->def, &err);
}

static int apply_settle(struct store_conn *writer, void *arg)
{
    struct settle_job *j = arg;
    struct settle_load l = {.ok = false};
    arena_init(&l.arena, 0);
    enum ddb_store_err e = ddb_table_load_id(writer, j->ref->id, settle_load_row, &l);
    int rc = 0;
    if (e == DDB_STORE_OK && l.ok && ddb_table_settle(&l.def, j->now_ms, true)) {
        struct strbuf sb;
        strbuf_init(&sb);
        ddb_table_to_json(&sb, &l.def);
        struct ddb_table_storage_change none = {0};
        int64_t version;
        e = strbuf_failed(&sb) ? DDB_STORE_NOMEM : ddb_table_update(writer, j->ref->id, l.version, sb.data, &none,
                                                                    j->now_ms, &version);
        strbuf_free(&sb);
        rc = e == DDB_STORE_OK || e == DDB_STORE_STALE || e == DDB_STORE_NOT_FOUND ? 0 : -1;
    } else if (e != DDB_STORE_OK && e != DDB_STORE_NOT_FOUND) {
        rc = -1;
    }
    arena_free(&l.arena);
    return rc;
}

static void settle_done(void *arg, bool ok)
{
    struct settle_job *j = arg;
    if (!ok)
        log_warn("dynamodb: the settled state of table %s could not be written", j->ref->name);
    j->ref->settle_queued = false;
    if (j->ref->cached)
        unlink_ref(j->ds->catalog, j->ref);
    ddb_table_unref(j->ref);
    free(j);
}

const struct ddb_table *ddb_table_now(struct ddb_call *c, struct ddb_table_ref *t, bool described)
{
    const struct ddb_table *def = &t->def;
    described |= t->settle_queued;     /* described already: its settled state is on its way */
    bool transitional = def->status != DDB_STATUS_ACTIVE;
    for (size_t i = 0; i < def->n_indexes && !transitional; i++)
        transitional = def->indexes[i].status != DDB_STATUS_ACTIVE;
    if (!transitional)
        return def;
    struct ddb_table *copy = arena_alloc(&c->arena, sizeof(*copy));
    int64_t now = ddb_now_ms();
    if (!copy || !ddb_table_copy(&c->arena, def, copy) || !ddb_table_settle(copy, now, described))
        return def;
    if (!t->settle_queued) {
        struct settle_job *j = calloc(1, sizeof(*j));
        if (j) {
            j->ds = c->ds;
            j->ref = t;
            j->now_ms = now;
            t->refs++;
            t->settle_queued = true;
            if (store_submit(c->ds->srv->store, apply_settle, settle_done, j) < 0) {
                t->settle_queued = false;
                ddb_table_unref(t);
                free(j);
            }
        }
    }
    return copy;
}

bool ddb_data_table(struct ddb_call *c, const char *name, struct ddb_table_ref **ref, const struct ddb_table **def)
{
    enum ddb_store_err e = ddb_find_table(c, name, ref);
    if (e != DDB_STORE_OK) {
        ddb_send_store_error(c, e);
        return false;
    }
    *def = ddb_table_now(c, *ref, false);
    if ((*def)->status == DDB_STATUS_CREATING) {
        ddb_send_not_found(c);
        return false;
    }
    return true;
}

void ddb_table_stats_of(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def,
                        struct ddb_table_stats *stats)
{
    memset(stats, 0, sizeof(*stats));
    struct store_conn *reader = ddb_reader(c);
    ddb_table_stats(reader, t->id, 0, &stats->item_count, &stats->size_bytes);
    int64_t *items = arena_array(&c->arena, def->n_indexes + 1, sizeof(*items));
    int64_t *bytes = arena_array(&c->arena, def->n_indexes + 1, sizeof(*bytes));
    if (!items || !bytes)
        return;
    for (size_t i = 0; i < def->n_indexes; i++)
        ddb_table_stats(reader, t->id, def->indexes[i].number, &items[i], &bytes[i]);
    stats->index_items = items;
    stats->index_bytes = bytes;
}

/* ---- work in steps ----------------------------------------------------------------- */

enum work_kind { WORK_BACKFILL, WORK_PURGE, WORK_TTL, WORK_TRIM };

struct work_job {
    struct ddb_service *ds;
    enum work_kind kind;
    struct ddb_backfill *backfill; /* WORK_BACKFILL */
    int64_t after;                 /* WORK_TTL: the tables after this one are swept */
    int64_t table;                 /* WORK_TTL: the table swept (0: none left) */
    int64_t removed;               /* WORK_TTL: items deleted */
    bool more, done;
    enum ddb_store_err err;
};

static void schedule_work(struct ddb_service *ds);

/* ---- the TTL sweep ---- */

struct ttl_table {
    struct arena arena;
    struct ddb_table def;
    int64_t version;
    bool ok;
};

static void ttl_table_row(void *arg, const struct ddb_table_row *row)
{
    struct ttl_table *t = arg;
    struct ddb_error err;
    t->version = row->version;
    t->ok = ddb_table_from_json(&t->arena, row->definition, row->len, &t->def, &err);
}

struct expired_item {
    struct arena *arena;
    const char *json;
    size_t len;
};

static bool take_expired(void *arg, const struct ddb_stored_item *item)
{
    struct expired_item *e = arg;
    e->json = arena_memdup(e->arena, item->json, item->len);
    e->len = item->len;
    return false;
}

/* Deletes the expired items of one table, up to TTL_STEP_ITEMS, one at a
 * time (one item's memory at once). */
static enum ddb_store_err ttl_sweep_table(struct store_conn *writer, struct work_job *j, int64_t now_ms)
{
    struct ttl_table t = {.ok = false};
    arena_init(&t.arena, 0);
    enum ddb_store_err e = ddb_table_load_id(writer, j->table, ttl_table_row, &t);
    if (e == DDB_STORE_NOT_FOUND || (e == DDB_STORE_OK && (!t.ok || !t.def.ttl_enabled))) {
        arena_free(&t.arena);
        return DDB_STORE_OK;       /* deleted (purged later), or no longer with time to live */
    }
    for (int n = 0; e == DDB_STORE_OK && n < TTL_STEP_ITEMS; n++) {
        struct arena a;
        arena_init(&a, 0);
        struct expired_item found = {.arena = &a};
        e = ddb_ttl_expired(writer, j->table, now_ms / 1000, 1, take_expired, &found);
        struct ddb_write w = {.kind = DDB_WRITE_DELETE, .table = &t.def, .table_id = j->table,
                              .version = t.version, .ttl_removal = true};
        struct ddb_value item;
        struct ddb_error err;
        if (e == DDB_STORE_OK && found.json &&
            !(ddb_item_from_json_text(&a, found.json, found.len, &item, &err) &&
              ddb_item_key(&a, &t.def.keys, &item, &w.key_map) && ddb_stored_key_of(&a, &t.def.keys, &w.key_map, &w.key)))
            e = a.failed ? DDB_STORE_NOMEM : DDB_STORE_STORAGE;
        if (e == DDB_STORE_OK && found.json)
            e = ddb_item_write(writer, &a, &w, now_ms);
        bool removed = e == DDB_STORE_OK && found.json && w.outcome == DDB_WRITE_DONE;
        arena_free(&a);
        if (!removed)
            break;                 /* none left (or one the write refused: the next sweep sees it) */
        j->removed++;
        if (n + 1 == TTL_STEP_ITEMS)
            j->more = true;
    }
    arena_free(&t.arena);
    return e;
}

static enum ddb_store_err ttl_step(struct store_conn *writer, struct work_job *j, int64_t now_ms)
{
    enum ddb_store_err e = ddb_ttl_next_table(writer, j->after, &j->table);
    if (e != DDB_STORE_OK || !j->table)
        return e;
    return ttl_sweep_table(writer, j, now_ms);
}

/* Whether some table has an expired item (read on the loop's reader, so
 * an idle server queues nothing). */
static bool anything_expired(struct ddb_service *ds)
{
    struct store_conn *reader = store_reader(ds->srv->store);
    int64_t now_s = clock_now_ms() / 1000, table = 0;
    while (ddb_ttl_next_table(reader, table, &table) == DDB_STORE_OK && table) {
        struct arena a;
        arena_init(&a, 0);
        struct expired_item found = {.arena = &a};
        bool expired = ddb_ttl_expired(reader, table, now_s, 1, take_expired, &found) == DDB_STORE_OK && found.len;
        arena_free(&a);
        if (expired)
            return true;
    }
    return false;
}

/* ---- the steps ---- */

static int apply_work(struct store_conn *writer, void *arg)
{
    struct work_job *j = arg;
    int64_t now = clock_now_ms();
    switch (j->kind) {
    case WORK_BACKFILL:
        j->err = ddb_backfill_step(writer, j->backfill->table_id, j->backfill->number, STEP_ROWS, &j->backfill->cursor,
                                   now, &j->done);
        break;
    case WORK_PURGE: j->err = ddb_purge_step(writer, STEP_ROWS, &j->more); break;
    case WORK_TTL: j->err = ttl_step(writer, j, now); break;
    case WORK_TRIM: j->err = ddb_stream_trim(writer, now - DDB_STREAM_RETENTION_MS, STEP_ROWS, &j->more); break;
    }
    return j->err == DDB_STORE_OK ? 0 : -1;
}

static const char *const work_names[] = {"backfill", "purge", "time-to-live sweep", "stream trim"};

static void work_done(void *arg, bool ok)
{
    struct work_job *j = arg;
    struct ddb_service *ds = j->ds;
    ds->work_running = false;
    if (!ok) {
        log_warn("dynamodb: a %s step failed; it will be tried again", work_names[j->kind]);
        if (j->kind == WORK_TTL)
            ds->ttl_table = 0;     /* the sweep starts over at the next tick */
        if (j->kind == WORK_TRIM)
            ds->trimming = false;
    } else if (j->kind == WORK_BACKFILL && j->done) {
        struct ddb_backfill **p = &ds->backfills;
        while (*p && *p != j->backfill)
            p = &(*p)->next;
        if (*p)
            *p = j->backfill->next;
        forget_id(ds, j->backfill->table_id);
        ddb_backfill_cursor_free(&j->backfill->cursor);
        free(j->backfill);
    } else if (j->kind == WORK_PURGE) {
        ds->purges_pending = j->more;
    } else if (j->kind == WORK_TTL) {
        /* The table again while it had more, else the next one; done when none is left. */
        ds->ttl_table = !j->table ? 0 : j->more ? j->table : j->table + 1;
        ds->ttl_sweeping = j->table != 0;
        if (j->removed)
            ddb_streams_changed(ds);
    } else if (j->kind == WORK_TRIM) {
        ds->trimming = j->more;
    }
    free(j);
    schedule_work(ds);
}

static bool step_pending(const struct ddb_service *ds)
{
    return ds->purges_pending || ds->backfills || ds->ttl_sweeping || ds->trimming;
}

static void on_work_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct ddb_service *ds = arg;
    if (ds->work_running)
        return;
    if (!step_pending(ds)) {
        /* A tick of the periodic work. */
        ds->ttl_sweeping = anything_expired(ds);
        ds->ttl_table = ds->ttl_sweeping ? 1 : 0;
        if (++ds->ticks % TRIM_EVERY_SWEEPS == 0)
            ds->trimming = true;
        if (!step_pending(ds)) {
            schedule_work(ds);
            return;
        }
    }
    struct work_job *j = calloc(1, sizeof(*j));
    if (!j) {
        schedule_work(ds);
        return;
    }
    j->ds = ds;
    if (ds->backfills) {
        j->kind = WORK_BACKFILL;
        j->backfill = ds->backfills;   /* a new index first: queries wait for it */
    } else if (ds->purges_pending) {
        j->kind = WORK_PURGE;
    } else if (ds->ttl_sweeping) {
        j->kind = WORK_TTL;
        j->after = ds->ttl_table - 1;
    } else {
        j->kind = WORK_TRIM;
    }
    ds->work_running = true;
    if (store_submit(ds->srv->store, apply_work, work_done, j) < 0) {
        ds->work_running = false;
        free(j);
    }
}

static void schedule_work(struct ddb_service *ds)
{
    if (ds->work_running || !ds->work_timer)
        return;
    int64_t delay = step_pending(ds) ? WORK_INTERVAL_MS : TTL_SWEEP_INTERVAL_MS;
    struct timeval tv = {(time_t)(delay / 1000), (suseconds_t)(delay % 1000) * 1000};
    event_add(ds->work_timer, &tv);
}

void ddb_work_backfill(struct ddb_service *ds, int64_t table_id, int number)
{
    for (struct ddb_backfill *b = ds->backfills; b; b = b->next)
        if (b->table_id == table_id && b->number == number)
            return;
    struct ddb_backfill *b = calloc(1, sizeof(*b));
    if (!b) {
        log_error("dynamodb: out of memory: the backfill of table %lld index %d waits for a restart",
                  (long long)table_id, number);
        return;
    }
    b->table_id = table_id;
    b->number = number;
    struct ddb_backfill **tail = &ds->backfills;
    while (*tail)
        tail = &(*tail)->next;
    *tail = b;
    schedule_work(ds);
}

void ddb_work_purge(struct ddb_service *ds)
{
    ds->purges_pending = true;
    schedule_work(ds);
}

/* ---- the service's life -------------------------------------------------------------- */

static bool resume_backfill(void *arg, int64_t table_id, int number)
{
    ddb_work_backfill(arg, table_id, number);
    return true;
}

struct ddb_service *ddb_service_new(struct server *srv, char *err, size_t errlen)
{
    struct ddb_service *ds = calloc(1, sizeof(*ds));
    if (!ds || !(ds->catalog = ddb_catalog_new()) ||
        !(ds->work_timer = event_new(srv->base, -1, 0, on_work_timer, ds))) {
        snprintf(err, errlen, "out of memory");
        ddb_service_free(ds);
        return NULL;
    }
    ds->srv = srv;
    ds->purges_pending = true;
    if (ddb_backfill_pending(store_reader(srv->store), resume_backfill, ds) != DDB_STORE_OK) {
        snprintf(err, errlen, "the pending index backfills cannot be read");
        ddb_service_free(ds);
        return NULL;
    }
    schedule_work(ds);
    return ds;
}

void ddb_service_free(struct ddb_service *ds)
{
    if (!ds)
        return;
    if (ds->work_timer)
        event_free(ds->work_timer);
    while (ds->backfills) {
        struct ddb_backfill *b = ds->backfills;
        ds->backfills = b->next;
        ddb_backfill_cursor_free(&b->cursor);
        free(b);
    }
    ddb_catalog_free(ds->catalog);
    free(ds);
}
