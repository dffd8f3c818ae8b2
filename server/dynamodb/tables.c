/* tables: CreateTable, DescribeTable, UpdateTable, DeleteTable and
 * ListTables.
 *
 * The definitions' rules are protocol/dynamodb/table.c's; here each
 * change becomes one write job (storage/dynamodb/tables.c) whose
 * completion forgets the catalog's copy, starts the work the change
 * needs (an index backfill, a purge) and answers with the
 * TableDescription. */
#include "server/dynamodb/service.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/core/uuid.h"

/* A change of one table, queued to the commit thread. */
struct table_job {
    struct ddb_call *call;
    struct ddb_table_ref *ref;     /* held by the call; NULL for CreateTable */
    const struct ddb_table *def;   /* the new definition (in the call's arena) */
    char *json;                    /* def, stored form */
    struct ddb_table_storage_change change;
    char name[256];
    enum ddb_store_err err;
    int64_t now_ms;
    int64_t id;
    /* a definition change's answer, once durable */
    void (*answer)(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def);
};

static void job_free(struct table_job *j)
{
    free(j->json);
    free(j);
}

static struct table_job *new_job(struct ddb_call *c, struct ddb_table_ref *ref, const struct ddb_table *def)
{
    struct table_job *j = calloc(1, sizeof(*j));
    if (!j)
        return NULL;
    j->call = c;
    j->ref = ref;
    j->def = def;
    j->now_ms = ddb_now_ms();
    snprintf(j->name, sizeof(j->name), "%.*s", (int)def->name.len, def->name.s);
    {
        struct strbuf sb;
        strbuf_init(&sb);
        ddb_table_to_json(&sb, def);
        if (strbuf_failed(&sb)) {
            strbuf_free(&sb);
            free(j);
            return NULL;
        }
        j->json = strbuf_detach(&sb, NULL);
    }
    return j;
}

/* {"<key>": TableDescription} */
static void answer_description(struct ddb_call *c, const char *key, const struct ddb_table *def, const char *arn,
                               const struct ddb_table_stats *stats, bool deleting)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    ddb_table_describe(&w, key, def, arn, stats, deleting);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- CreateTable ----------------------------------------------------------------- */

static int apply_create(struct store_conn *writer, void *arg)
{
    struct table_job *j = arg;
    struct ddb_call *c = j->call;
    j->err = ddb_table_create(writer, c->account, c->region, j->name, j->json,
                              j->def->stream_enabled ? j->def->stream_view_type : NULL, j->def->stream_label,
                              j->now_ms, &j->id);
    return j->err == DDB_STORE_OK || j->err == DDB_STORE_EXISTS ? 0 : -1;
}

static void create_done(void *arg, bool ok)
{
    struct table_job *j = arg;
    struct ddb_call *c = j->call;
    if (!ok) {
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
    } else if (j->err == DDB_STORE_EXISTS) {
        ddb_send_error(c, 400, "ResourceInUseException", "Table already exists: %s", j->name);
    } else {
        ddb_catalog_forget(c->ds, c->account, c->region, j->name);
        struct strbuf arn;
        strbuf_init(&arn);
        ddb_table_arn(c->region, c->account, &j->def->name, &arn);
        if (strbuf_failed(&arn))
            ddb_send_no_memory(c);
        else
            answer_description(c, "TableDescription", j->def, arn.data, NULL, false);
        strbuf_free(&arn);
    }
    job_free(j);
}

void ddb_create_table(struct ddb_call *c)
{
    char id[37];
    uuid_v4(id);
    int64_t now = ddb_now_ms();
    struct ddb_table *def = arena_alloc(&c->arena, sizeof(*def));
    struct ddb_error err;
    if (!def) {
        ddb_send_no_memory(c);
        return;
    }
    if (!ddb_table_from_create(&c->arena, c->json, id, now, now + DDB_TRANSITION_MS, def, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct table_job *j = new_job(c, NULL, def);
    if (!j) {
        ddb_send_no_memory(c);
        return;
    }
    if (!ddb_submit(c, apply_create, create_done, j))
        job_free(j);
}

/* ---- DescribeTable --------------------------------------------------------------- */

/* The table named by the request's TableName; not found answered. */
static struct ddb_table_ref *named_table(struct ddb_call *c)
{
    const char *name = json_str(c->json, "TableName");
    struct ddb_table_ref *t;
    enum ddb_store_err e = ddb_find_table(c, name, &t);
    if (e == DDB_STORE_NOT_FOUND) {
        ddb_send_table_not_found(c, name);
        return NULL;
    }
    if (e != DDB_STORE_OK) {
        ddb_send_store_error(c, e);
        return NULL;
    }
    return t;
}

void ddb_describe_table(struct ddb_call *c)
{
    struct ddb_table_ref *t = named_table(c);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, true);
    struct ddb_table_stats stats;
    ddb_table_stats_of(c, t, def, &stats);
    answer_description(c, "Table", def, t->arn, &stats, false);
}

/* ---- UpdateTable and DeleteTable ------------------------------------------------- */

static int apply_delete(struct store_conn *writer, void *arg)
{
    struct table_job *j = arg;
    j->err = ddb_table_delete(writer, j->ref->id, j->ref->version, j->now_ms);
    return j->err == DDB_STORE_OK || j->err == DDB_STORE_STALE || j->err == DDB_STORE_NOT_FOUND ? 0 : -1;
}

/* What both answers share: a changed table is forgotten, a stale one
 * runs the request again. True when the change was made. */
static bool change_made(struct table_job *j, bool ok)
{
    struct ddb_call *c = j->call;
    if (!ok) {
        ddb_send_store_error(c, j->err == DDB_STORE_OK ? DDB_STORE_STORAGE : j->err);
        return false;
    }
    ddb_catalog_forget(c->ds, c->account, c->region, j->name);
    if (j->err == DDB_STORE_STALE) {
        ddb_restart(c);
        return false;
    }
    if (j->err == DDB_STORE_NOT_FOUND) {
        ddb_send_table_not_found(c, j->name);
        return false;
    }
    return true;
}

static int apply_change(struct store_conn *writer, void *arg)
{
    struct table_job *j = arg;
    int64_t version;
    j->err = ddb_table_update(writer, j->ref->id, j->ref->version, j->json, &j->change, j->now_ms, &version);
    return j->err == DDB_STORE_OK || j->err == DDB_STORE_STALE || j->err == DDB_STORE_NOT_FOUND ? 0 : -1;
}

static void change_done(void *arg, bool ok)
{
    struct table_job *j = arg;
    struct ddb_call *c = j->call;
    if (change_made(j, ok)) {
        if (j->change.backfill_number)
            ddb_work_backfill(c->ds, j->ref->id, j->change.backfill_number);
        if (j->change.ttl_changed)
            ddb_work_backfill(c->ds, j->ref->id, 0);
        if (j->change.dropped_number)
            ddb_work_purge(c->ds);
        void (*answer)(struct ddb_call *, struct ddb_table_ref *, const struct ddb_table *) = j->answer;
        struct ddb_table_ref *ref = j->ref;
        const struct ddb_table *def = j->def;
        job_free(j);
        answer(c, ref, def);
        return;
    }
    job_free(j);
}

void ddb_change_table(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def,
                      const struct ddb_table_storage_change *change,
                      void (*answer)(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def))
{
    struct table_job *j = new_job(c, t, def);
    if (!j) {
        ddb_send_no_memory(c);
        return;
    }
    if (change)
        j->change = *change;
    j->answer = answer;
    if (!ddb_submit(c, apply_change, change_done, j))
        job_free(j);
}

static void answer_update(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def)
{
    struct ddb_table_stats stats;
    ddb_table_stats_of(c, t, def, &stats);
    answer_description(c, "TableDescription", def, t->arn, &stats, false);
}

void ddb_update_table(struct ddb_call *c)
{
    struct ddb_error err;
    if (!ddb_table_check_update(c->json, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_table_ref *t = named_table(c);
    if (!t)
        return;
    if (json_get(c->json, "ReplicaUpdates") && json_get(c->json, "ReplicaUpdates")->type != JSON_NULL) {
        ddb_send_not_implemented(c, "UpdateTable ReplicaUpdates (global tables)");
        return;
    }
    const struct ddb_table *old = ddb_table_now(c, t, false);
    struct ddb_table *def = arena_alloc(&c->arena, sizeof(*def));
    struct ddb_table_change change;
    bool limit_exceeded, in_use;
    int64_t now = ddb_now_ms();
    if (!def) {
        ddb_send_no_memory(c);
        return;
    }
    if (!ddb_table_apply_update(&c->arena, old, c->json, now, now + DDB_TRANSITION_MS, def, &change, &limit_exceeded,
                                &in_use, &err)) {
        if (limit_exceeded)
            ddb_send_error(c, 400, "LimitExceededException", "%s", err.message);
        else if (in_use)
            ddb_send_error(c, 400, "ResourceInUseException", "%s", err.message);
        else
            ddb_send_ddb_error(c, &err);
        return;
    }
    struct ddb_table_storage_change storage = {
        .backfill_number = change.backfill_number,
        .dropped_number = change.dropped_number,
        .stream_disabled = old->stream_enabled && !def->stream_enabled,
        .stream_view_type = change.stream_enabled_now ? def->stream_view_type : NULL,
        .stream_label = change.stream_enabled_now ? def->stream_label : NULL,
    };
    ddb_change_table(c, t, def, &storage, answer_update);
}

static void delete_done(void *arg, bool ok)
{
    struct table_job *j = arg;
    struct ddb_call *c = j->call;
    if (change_made(j, ok)) {
        ddb_work_purge(c->ds);
        struct ddb_table_stats stats;
        ddb_table_stats_of(c, j->ref, j->def, &stats);
        answer_description(c, "TableDescription", j->def, j->ref->arn, &stats, true);
    }
    job_free(j);
}

void ddb_delete_table(struct ddb_call *c)
{
    struct ddb_table_ref *t = named_table(c);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, false);
    if (def->status == DDB_STATUS_CREATING || def->status == DDB_STATUS_UPDATING) {
        ddb_send_error(c, 400, "ResourceInUseException",
                       "Attempt to change a resource which is still in use: Table is being %s: %s",
                       def->status == DDB_STATUS_CREATING ? "created" : "updated", t->name);
        return;
    }
    if (def->deletion_protection) {
        ddb_send_validation(c, "Resource cannot be deleted as it is currently protected against deletion. Disable "
                               "deletion protection first.");
        return;
    }
    struct table_job *j = new_job(c, t, def);
    if (!j) {
        ddb_send_no_memory(c);
        return;
    }
    if (!ddb_submit(c, apply_delete, delete_done, j))
        job_free(j);
}

/* ---- ListTables --------------------------------------------------------------------- */

struct listing {
    struct json_writer *w;
    int64_t n, limit;
    char last[256];
    bool more;
};

static bool list_one(void *arg, const char *name)
{
    struct listing *l = arg;
    if (l->n == l->limit) {
        l->more = true;
        return false;
    }
    jw_string(l->w, NULL, name);
    snprintf(l->last, sizeof(l->last), "%s", name);
    l->n++;
    return true;
}

void ddb_list_tables(struct ddb_call *c)
{
    int64_t limit = 100;
    const struct json_value *lv = json_get(c->json, "Limit");
    if (lv && lv->type == JSON_NUMBER && !json_number_int64(lv, &limit))
        limit = 100;
    const char *after = json_str(c->json, "ExclusiveStartTableName");
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "TableNames");
    struct listing l = {.w = &w, .limit = limit};
    enum ddb_store_err e = ddb_table_list(ddb_reader(c), c->account, c->region, after ? after : "", limit + 1,
                                          list_one, &l);
    jw_array_close(&w);
    if (l.more)
        jw_string(&w, "LastEvaluatedTableName", l.last);
    jw_object_close(&w);
    if (e != DDB_STORE_OK)
        ddb_send_store_error(c, e);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&sb);
}
