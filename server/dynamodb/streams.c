/* streams: Amazon DynamoDB Streams — ListStreams, DescribeStream,
 * GetShardIterator, GetRecords — over the records storage/dynamodb
 * writes with each item change, and the same streams as other services
 * read them (dynamodb.h: Lambda's stream event source mappings).
 *
 * Each time a table's stream is enabled a stream begins (its label is
 * the time, its ARN the table's ARN and the label); it has one shard,
 * open while the stream is enabled and closed (EndingSequenceNumber, no
 * NextShardIterator at its end) once disabled. Records stay 24 hours
 * (the trim: catalog.c), the stream a day after its last record. A shard
 * iterator carries its position and the time it was issued, so it works
 * across restarts and expires after 15 minutes as AWS's do; each
 * GetRecords answers a fresh one. Positions are sequence numbers
 * (protocol/dynamodb/streams.h); a position before what the trim removed
 * is TrimmedDataAccessException. */
#include "server/dynamodb/service.h"

#include <string.h>

#include "protocol/core/dates.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/store.h"

#define LIST_DEFAULT 100

/* ---- shared --------------------------------------------------------------------- */

struct found_stream {
    struct arena *arena;
    struct ddb_stream_info info;   /* strings copied into the arena */
    bool found;
};

static const char *copy_or_empty(struct arena *a, const char *s)
{
    const char *c = s ? arena_strdup(a, s) : NULL;
    return c ? c : "";
}

static void keep_stream(void *arg, const struct ddb_stream_info *s)
{
    struct found_stream *f = arg;
    f->info = *s;
    f->info.account = copy_or_empty(f->arena, s->account);
    f->info.region = copy_or_empty(f->arena, s->region);
    f->info.table_name = copy_or_empty(f->arena, s->table_name);
    f->info.label = copy_or_empty(f->arena, s->label);
    f->info.view_type = copy_or_empty(f->arena, s->view_type);
    f->found = true;
}

static void send_stream_not_found(struct ddb_call *c, const char *arn)
{
    ddb_send_error(c, 400, "ResourceNotFoundException", "Requested resource not found: Stream: %s not found", arn);
}

/* The stream a (parsed) ARN names, if the caller's; false when answered. */
static bool find_stream(struct ddb_call *c, const char *text, const struct ddb_stream_arn *arn, struct found_stream *f)
{
    f->arena = &c->arena;
    f->found = false;
    if (strcmp(arn->account, c->account) != 0 || strcmp(arn->region, c->region) != 0) {
        send_stream_not_found(c, text);
        return false;
    }
    enum ddb_store_err e = ddb_stream_get(ddb_reader(c), arn->account, arn->region, arn->table, arn->label,
                                          keep_stream, f);
    if (e == DDB_STORE_NOT_FOUND || (e == DDB_STORE_OK && !f->found)) {
        send_stream_not_found(c, text);
        return false;
    }
    if (e != DDB_STORE_OK || c->arena.failed) {
        ddb_send_store_error(c, c->arena.failed ? DDB_STORE_NOMEM : e);
        return false;
    }
    return true;
}

/* A StreamArn member, parsed and found; false when answered. */
static bool stream_of_request(struct ddb_call *c, const char **text, struct found_stream *f)
{
    size_t len;
    *text = json_strn(c->json, "StreamArn", &len);
    struct ddb_stream_arn arn;
    if (!*text || !ddb_stream_arn_parse(*text, len, &arn)) {
        ddb_send_validation(c, "Invalid StreamArn");
        return false;
    }
    return find_stream(c, *text, &arn, f);
}

static void stream_arn_of(const struct ddb_stream_info *s, struct strbuf *out)
{
    ddb_stream_arn_format(out, s->region, s->account, s->table_name, s->label);
}

/* ---- ListStreams ------------------------------------------------------------------ */

struct listing {
    struct json_writer *w;
    const char *start;             /* ExclusiveStartStreamArn: after it (NULL: from the first) */
    int64_t limit, count;
    struct strbuf last;            /* the last stream listed */
    bool more;
};

static bool list_one(void *arg, const struct ddb_stream_info *s)
{
    struct listing *l = arg;
    struct strbuf arn;
    strbuf_init(&arn);
    stream_arn_of(s, &arn);
    bool go_on = true;
    if (l->start) {
        if (arn.data && strcmp(arn.data, l->start) == 0)
            l->start = NULL;
    } else if (l->count == l->limit) {
        l->more = true;
        go_on = false;
    } else {
        jw_object_open(l->w, NULL);
        jw_string(l->w, "StreamArn", arn.data ? arn.data : "");
        jw_string(l->w, "TableName", s->table_name);
        jw_string(l->w, "StreamLabel", s->label);
        jw_object_close(l->w);
        l->count++;
        strbuf_reset(&l->last);
        strbuf_puts(&l->last, arn.data ? arn.data : "");
    }
    if (strbuf_failed(&arn))
        l->w->sb->oom = true;
    strbuf_free(&arn);
    return go_on;
}

void ddb_list_streams(struct ddb_call *c)
{
    size_t len;
    const char *start = json_strn(c->json, "ExclusiveStartStreamArn", &len);
    struct ddb_stream_arn parsed;
    if (start && !ddb_stream_arn_parse(start, len, &parsed)) {
        ddb_send_validation(c, "Invalid ExclusiveStartStreamArn");
        return;
    }
    int64_t limit = LIST_DEFAULT;
    json_int(c->json, "Limit", &limit);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Streams");
    struct listing l = {.w = &w, .start = start, .limit = limit};
    strbuf_init(&l.last);
    enum ddb_store_err e = ddb_stream_list(ddb_reader(c), c->account, c->region, json_str(c->json, "TableName"),
                                           list_one, &l);
    jw_array_close(&w);
    if (l.more)
        jw_string(&w, "LastEvaluatedStreamArn", l.last.data ? l.last.data : "");
    jw_object_close(&w);
    if (strbuf_failed(&l.last))
        sb.oom = true;
    if (e != DDB_STORE_OK)
        ddb_send_store_error(c, e);
    else
        ddb_send_json(c, &sb);
    strbuf_free(&l.last);
    strbuf_free(&sb);
}

/* ---- DescribeStream --------------------------------------------------------------- */

void ddb_describe_stream(struct ddb_call *c)
{
    const char *arn;
    struct found_stream f;
    if (!stream_of_request(c, &arn, &f))
        return;
    const struct ddb_stream_info *s = &f.info;
    int64_t first, last;
    enum ddb_store_err e = ddb_stream_bounds(ddb_reader(c), s->id, &first, &last);
    if (e != DDB_STORE_OK) {
        ddb_send_store_error(c, e);
        return;
    }
    /* The key schema comes from the table, while it is the stream's. */
    struct ddb_table_ref *t = NULL;
    e = ddb_find_table(c, s->table_name, &t);
    if (e != DDB_STORE_OK && e != DDB_STORE_NOT_FOUND) {
        ddb_send_store_error(c, e);
        return;
    }
    char shard[DDB_SHARD_ID_LEN + 1], starting[DDB_SEQUENCE_TEXT_MAX], ending[DDB_SEQUENCE_TEXT_MAX];
    ddb_stream_shard_id(s->id, s->created_ms, shard);
    ddb_stream_sequence_format(first ? first : s->trimmed_seq + 1, starting);
    ddb_stream_sequence_format(last ? last : first ? first : s->trimmed_seq + 1, ending);
    const char *after = json_str(c->json, "ExclusiveStartShardId");
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "StreamDescription");
    jw_string(&w, "StreamArn", arn);
    jw_string(&w, "StreamLabel", s->label);
    jw_string(&w, "StreamStatus", s->disabled_ms ? "DISABLED" : "ENABLED");
    jw_string(&w, "StreamViewType", s->view_type);
    char created[40];
    int n = snprintf(created, sizeof(created), "%lld.%03lld", (long long)(s->created_ms / 1000),
                     (long long)(s->created_ms % 1000));
    jw_raw(&w, "CreationRequestDateTime", created, (size_t)n);
    jw_string(&w, "TableName", s->table_name);
    if (t && t->id == s->table_id)
        ddb_jw_key_schema(&w, &t->def.keys);
    jw_array_open(&w, "Shards");
    if (!after || strcmp(shard, after) > 0) {
        jw_object_open(&w, NULL);
        jw_string(&w, "ShardId", shard);
        jw_object_open(&w, "SequenceNumberRange");
        jw_string(&w, "StartingSequenceNumber", starting);
        if (s->disabled_ms)
            jw_string(&w, "EndingSequenceNumber", ending);
        jw_object_close(&w);
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- GetShardIterator ------------------------------------------------------------- */

static void send_trimmed(struct ddb_call *c)
{
    ddb_send_error(c, 400, "TrimmedDataAccessException", "The data you are trying to access has been trimmed.");
}

static void send_iterator(struct ddb_call *c, const char *arn, int64_t stream_id, int64_t after_seq)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    struct strbuf it;
    strbuf_init(&it);
    struct ddb_shard_iterator pos = {.stream_id = stream_id, .after_seq = after_seq, .issued_ms = ddb_now_ms()};
    ddb_shard_iterator_encode(&it, arn, &pos);
    jw_string(&w, "ShardIterator", it.data ? it.data : "");
    jw_object_close(&w);
    if (strbuf_failed(&it))
        sb.oom = true;
    ddb_send_json(c, &sb);
    strbuf_free(&it);
    strbuf_free(&sb);
}

void ddb_get_shard_iterator(struct ddb_call *c)
{
    const char *arn;
    struct found_stream f;
    if (!stream_of_request(c, &arn, &f))
        return;
    const struct ddb_stream_info *s = &f.info;
    char shard[DDB_SHARD_ID_LEN + 1];
    ddb_stream_shard_id(s->id, s->created_ms, shard);
    if (strcmp(json_str(c->json, "ShardId"), shard) != 0) {
        ddb_send_error(c, 400, "ResourceNotFoundException", "Requested resource not found: Shard does not exist");
        return;
    }
    const char *type = json_str(c->json, "ShardIteratorType");
    size_t len;
    const char *number = json_strn(c->json, "SequenceNumber", &len);
    bool at = strcmp(type, "AT_SEQUENCE_NUMBER") == 0, after = strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0;
    if ((at || after) != (number != NULL)) {
        ddb_send_validation(c, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and "
                               "SequenceNumber or (2) TRIM_HORIZON or LATEST and no SequenceNumber. Request "
                               "specified %s and %s SequenceNumber.",
                            type, number ? "also a" : "no");
        return;
    }
    int64_t position;
    if (number) {
        int64_t seq;
        if (!ddb_stream_sequence_parse(number, len, &seq) || seq < 1) {
            ddb_send_validation(c, "Invalid SequenceNumber: %.64s", number);
            return;
        }
        position = at ? seq - 1 : seq;
        if (position < s->trimmed_seq) {
            send_trimmed(c);
            return;
        }
    } else if (strcmp(type, "TRIM_HORIZON") == 0) {
        position = s->trimmed_seq;
    } else {
        int64_t first, last;
        enum ddb_store_err e = ddb_stream_bounds(ddb_reader(c), s->id, &first, &last);
        if (e != DDB_STORE_OK) {
            ddb_send_store_error(c, e);
            return;
        }
        position = last > s->trimmed_seq ? last : s->trimmed_seq;
    }
    send_iterator(c, arn, s->id, position);
}

/* ---- GetRecords ------------------------------------------------------------------- */

struct reading {
    struct json_writer *w;
    struct ddb_stream_record_context ctx;
    int64_t last_seq;
    int64_t count;
};

static bool read_one(void *arg, const struct ddb_stream_record *r)
{
    struct reading *g = arg;
    ddb_stream_record_write(g->w, &g->ctx, r);
    g->last_seq = r->seq;
    g->count++;
    return g->w->sb->len < DDB_GET_RECORDS_BYTES && !strbuf_failed(g->w->sb);
}

void ddb_get_records(struct ddb_call *c)
{
    size_t len;
    const char *text = json_strn(c->json, "ShardIterator", &len);
    struct ddb_stream_arn arn;
    struct ddb_shard_iterator it;
    if (!ddb_shard_iterator_decode(text, len, &arn, &it)) {
        ddb_send_validation(c, "Invalid ShardIterator");
        return;
    }
    int64_t now = ddb_now_ms();
    if (now - it.issued_ms > DDB_ITERATOR_LIFETIME_MS) {
        char issued[32], at[32];
        date_iso8601(it.issued_ms, issued);
        date_iso8601(now, at);
        ddb_send_error(c, 400, "ExpiredIteratorException",
                       "Iterator expired. The iterator was created at time %s while right now it is %s which is "
                       "further in the future than the tolerated delay of %lld milliseconds.",
                       issued, at, (long long)DDB_ITERATOR_LIFETIME_MS);
        return;
    }
    const char *bar = memchr(text, '|', len);     /* there: the iterator decoded */
    char *arn_text = arena_memdup(&c->arena, text, (size_t)(bar - text));
    if (!arn_text) {
        ddb_send_store_error(c, DDB_STORE_NOMEM);
        return;
    }
    struct found_stream f;
    if (!find_stream(c, arn_text, &arn, &f))
        return;
    const struct ddb_stream_info *s = &f.info;
    if (s->id != it.stream_id) {
        send_stream_not_found(c, arn_text);
        return;
    }
    if (it.after_seq < s->trimmed_seq) {
        send_trimmed(c);
        return;
    }
    int64_t limit = DDB_GET_RECORDS_MAX;
    json_int(c->json, "Limit", &limit);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Records");
    struct reading g = {
        .w = &w,
        .ctx = {.region = s->region, .view_type = s->view_type, .stream_id = s->id},
        .last_seq = it.after_seq,
    };
    enum ddb_store_err e = ddb_stream_read(ddb_reader(c), s->id, it.after_seq, limit, read_one, &g);
    jw_array_close(&w);
    if (e != DDB_STORE_OK) {
        strbuf_free(&sb);
        ddb_send_store_error(c, e);
        return;
    }
    /* A closed shard read to its end has no next iterator. */
    bool at_end = false;
    if (s->disabled_ms) {
        int64_t first, last;
        e = ddb_stream_bounds(ddb_reader(c), s->id, &first, &last);
        at_end = e == DDB_STORE_OK && g.last_seq >= last;
    }
    if (!at_end) {
        struct strbuf next;
        strbuf_init(&next);
        struct ddb_shard_iterator pos = {.stream_id = s->id, .after_seq = g.last_seq, .issued_ms = now};
        ddb_shard_iterator_encode(&next, arn_text, &pos);
        jw_string(&w, "NextShardIterator", next.data ? next.data : "");
        if (strbuf_failed(&next))
            sb.oom = true;
        strbuf_free(&next);
    }
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- for other services ----------------------------------------------------------- */

void ddb_set_stream_listener(struct ddb_service *ds, void (*fn)(void *arg), void *arg)
{
    ds->stream_listener = fn;
    ds->stream_listener_arg = arg;
}

void ddb_streams_changed(struct ddb_service *ds)
{
    if (ds->stream_listener)
        ds->stream_listener(ds->stream_listener_arg);
}

struct source_lookup {
    struct ddb_stream_source *out;
    bool found;
};

static void source_of(void *arg, const struct ddb_stream_info *s)
{
    struct source_lookup *l = arg;
    l->out->stream_id = s->id;
    l->out->created_ms = s->created_ms;
    snprintf(l->out->view_type, sizeof(l->out->view_type), "%s", s->view_type ? s->view_type : "KEYS_ONLY");
    l->out->disabled = s->disabled_ms != 0;
    l->out->trimmed_seq = s->trimmed_seq;
    l->found = true;
}

bool ddb_stream_find_internal(struct ddb_service *ds, const char *stream_arn, struct ddb_stream_source *out)
{
    struct ddb_stream_arn arn;
    if (!ddb_stream_arn_parse(stream_arn, strlen(stream_arn), &arn))
        return false;
    struct store_conn *reader = store_reader(ds->srv->store);
    struct source_lookup l = {.out = out};
    enum ddb_store_err e = ddb_stream_get(reader, arn.account, arn.region, arn.table, arn.label, source_of, &l);
    if (e == DDB_STORE_OK && l.found) {
        int64_t first;
        e = ddb_stream_bounds(reader, out->stream_id, &first, &out->last_seq);
    }
    if (e != DDB_STORE_OK && e != DDB_STORE_NOT_FOUND)
        log_error("dynamodb: the stream %s cannot be read (%d)", stream_arn, (int)e);
    return e == DDB_STORE_OK && l.found;
}

int ddb_stream_read_internal(struct ddb_service *ds, int64_t stream_id, int64_t after_seq, int64_t limit,
                             bool (*visit)(void *arg, const struct ddb_stream_record *r), void *arg)
{
    enum ddb_store_err e = ddb_stream_read(store_reader(ds->srv->store), stream_id, after_seq, limit, visit, arg);
    if (e != DDB_STORE_OK)
        log_error("dynamodb: the records of stream %lld cannot be read (%d)", (long long)stream_id, (int)e);
    return e == DDB_STORE_OK ? 0 : -1;
}
