/* protocol/events envelope: event JSON for PutEvents entries, scheduled
 * rules and S3 object events, and PutEvents' checks and answer; see
 * envelope.h. Everything is written with the JSON writer, so strings are
 * escaped once and the output is compact. */
#include "protocol/events/envelope.h"

#include <stdio.h>
#include <string.h>

#include "protocol/events/schedule.h"

void events_time_format(int64_t seconds, char out[32])
{
    struct events_civil c;
    events_seconds_to_civil(seconds, &c);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

static void put_text(struct json_writer *w, const char *key, struct events_text t)
{
    jw_stringn(w, key, t.s ? t.s : "", t.s ? t.len : 0);
}

static void put_time(struct json_writer *w, int64_t seconds)
{
    char time[32];
    events_time_format(seconds, time);
    jw_string(w, "time", time);
}

/* The members every event opens with, up to "resources" excluded. */
static void open_envelope(struct json_writer *w, struct events_text id, const char *detail_type,
                          size_t detail_type_len, struct events_text source, struct events_text account,
                          int64_t time, struct events_text region)
{
    jw_object_open(w, NULL);
    jw_string(w, "version", "0");
    put_text(w, "id", id);
    jw_stringn(w, "detail-type", detail_type, detail_type_len);
    put_text(w, "source", source);
    put_text(w, "account", account);
    put_time(w, time);
    put_text(w, "region", region);
}

void events_envelope_write(struct strbuf *out, const struct events_envelope *e)
{
    struct json_writer w;
    jw_init(&w, out);
    open_envelope(&w, e->id, e->detail_type.s ? e->detail_type.s : "", e->detail_type.s ? e->detail_type.len : 0,
                  e->source, e->account, e->time, e->region);
    jw_array_open(&w, "resources");
    for (size_t i = 0; i < e->n_resources; i++)
        put_text(&w, NULL, e->resources[i]);
    jw_array_close(&w);
    if (e->detail) {
        jw_tree(&w, "detail", e->detail);
    } else {
        jw_object_open(&w, "detail");
        jw_object_close(&w);
    }
    jw_object_close(&w);
}

void events_scheduled_event_write(struct strbuf *out, struct events_text id, struct events_text account,
                                  struct events_text region, int64_t time, struct events_text rule_arn)
{
    struct events_envelope e = {
        .id = id,
        .detail_type = {"Scheduled Event", strlen("Scheduled Event")},
        .source = {"aws.events", strlen("aws.events")},
        .account = account,
        .region = region,
        .time = time,
        .resources = &rule_arn,
        .n_resources = 1,
    };
    events_envelope_write(out, &e);
}

/* ---- S3 ----------------------------------------------------------------- */

bool events_s3_event_kind(const char *event_name, const char **detail_type, const char **reason,
                          const char **deletion_type)
{
    static const struct {
        const char *name, *detail_type, *reason, *deletion_type;
    } kinds[] = {
        {"ObjectCreated:Put", "Object Created", "PutObject", NULL},
        {"ObjectCreated:Post", "Object Created", "POST Object", NULL},
        {"ObjectCreated:Copy", "Object Created", "CopyObject", NULL},
        {"ObjectCreated:CompleteMultipartUpload", "Object Created", "CompleteMultipartUpload", NULL},
        {"ObjectRemoved:Delete", "Object Deleted", "DeleteObject", "Permanently Deleted"},
        {"ObjectRemoved:DeleteMarkerCreated", "Object Deleted", "DeleteObject", "Delete Marker Created"},
        {"LifecycleExpiration:Delete", "Object Deleted", "Lifecycle Expiration", "Permanently Deleted"},
        {"LifecycleExpiration:DeleteMarkerCreated", "Object Deleted", "Lifecycle Expiration", "Delete Marker Created"},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(event_name, kinds[i].name) == 0) {
            *detail_type = kinds[i].detail_type;
            *reason = kinds[i].reason;
            *deletion_type = kinds[i].deletion_type;
            return true;
        }
    return false;
}

void events_s3_object_write(struct strbuf *out, const struct events_s3_object *o)
{
    static const char source[] = "aws.s3";
    struct json_writer w;
    jw_init(&w, out);
    open_envelope(&w, o->id, o->detail_type, strlen(o->detail_type), (struct events_text){source, strlen(source)},
                  o->account, o->time, o->region);
    jw_array_open(&w, "resources");
    struct strbuf arn;
    strbuf_init(&arn);
    strbuf_puts(&arn, "arn:aws:s3:::");
    strbuf_append(&arn, o->bucket.s ? o->bucket.s : "", o->bucket.s ? o->bucket.len : 0);
    if (strbuf_failed(&arn))
        out->oom = true;
    else
        jw_stringn(&w, NULL, arn.data, arn.len);
    strbuf_free(&arn);
    jw_array_close(&w);

    jw_object_open(&w, "detail");
    jw_string(&w, "version", "0");
    jw_object_open(&w, "bucket");
    put_text(&w, "name", o->bucket);
    jw_object_close(&w);
    jw_object_open(&w, "object");
    put_text(&w, "key", o->key);
    if (o->size >= 0)
        jw_int(&w, "size", o->size);
    if (o->etag.s)
        put_text(&w, "etag", o->etag);
    if (o->version_id.s)
        put_text(&w, "version-id", o->version_id);
    put_text(&w, "sequencer", o->sequencer);
    jw_object_close(&w);
    put_text(&w, "request-id", o->request_id);
    put_text(&w, "requester", o->requester);
    if (o->source_ip.s)
        put_text(&w, "source-ip-address", o->source_ip);
    jw_string(&w, "reason", o->reason);
    if (o->deletion_type)
        jw_string(&w, "deletion-type", o->deletion_type);
    jw_object_close(&w);
    jw_object_close(&w);
}

/* ---- PutEvents ---------------------------------------------------------- */

static struct events_text member_text(const struct json_value *entry, const char *key)
{
    const struct json_value *v = json_get(entry, key);
    if (!json_is(v, JSON_STRING))
        return (struct events_text){NULL, 0};
    return (struct events_text){v->u.str, v->len};
}

void events_put_entry_read(const struct json_value *entry, struct events_put_entry *out)
{
    memset(out, 0, sizeof(*out));
    out->source = member_text(entry, "Source");
    out->detail_type = member_text(entry, "DetailType");
    out->detail = member_text(entry, "Detail");
    out->event_bus_name = member_text(entry, "EventBusName");
    out->trace_header = member_text(entry, "TraceHeader");
    double time;
    const struct json_value *t = json_get(entry, "Time");
    if (json_number_double(t, &time) && time > -1e15 && time < 1e15) {
        out->has_time = true;
        out->time = (int64_t)time - ((double)(int64_t)time > time);   /* floor */
    }
    const struct json_value *resources = json_get(entry, "Resources");
    out->resources = json_is(resources, JSON_ARRAY) ? resources : NULL;
}

size_t events_put_entry_size(const struct events_put_entry *e)
{
    size_t size = e->has_time ? 14 : 0;
    size += e->source.len + e->detail_type.len + e->detail.len;
    if (e->resources)
        for (size_t i = 0; i < e->resources->len; i++)
            if (e->resources->u.items[i].type == JSON_STRING)
                size += e->resources->u.items[i].len;
    return size;
}

bool events_put_check_request(const struct events_put_entry *entries, size_t n, struct strbuf *message)
{
    if (n < 1 || n > EVENTS_PUT_MAX_ENTRIES) {
        strbuf_printf(message,
                      "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have "
                      "length %s %d",
                      n < 1 ? "greater than or equal to" : "less than or equal to", n < 1 ? 1 : EVENTS_PUT_MAX_ENTRIES);
        return false;
    }
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += events_put_entry_size(&entries[i]);
    if (total > EVENTS_PUT_MAX_BYTES) {
        strbuf_puts(message, "Total size of the entries in the request is over the limit.");
        return false;
    }
    return true;
}

enum events_put_entry_result events_put_check_entry(const struct events_put_entry *e, const struct json_value **detail,
                                                    const char **code, const char **message)
{
    *detail = NULL;
    *code = "InvalidArgument";
    if (!e->source.s || e->source.len == 0) {
        *message = "Parameter Source is not valid. Reason: Source is a required argument.";
        return EVENTS_PUT_ENTRY_FAILED;
    }
    if (!e->detail_type.s || e->detail_type.len == 0) {
        *message = "Parameter DetailType is not valid. Reason: DetailType is a required argument.";
        return EVENTS_PUT_ENTRY_FAILED;
    }
    if (!e->detail.s || e->detail.len == 0) {
        *message = "Parameter Detail is not valid. Reason: Detail is a required argument.";
        return EVENTS_PUT_ENTRY_FAILED;
    }
    enum json_error err;
    const struct json_value *v = json_parse(e->detail.s, e->detail.len, &err);
    if (!v && err == JSON_ERR_NOMEM)
        return EVENTS_PUT_ENTRY_NOMEM;
    if (!v || v->type != JSON_OBJECT) {
        if (v)
            json_free(v);
        *code = "MalformedDetail";
        *message = "Detail is malformed.";
        return EVENTS_PUT_ENTRY_FAILED;
    }
    *code = NULL;
    *message = NULL;
    *detail = v;
    return EVENTS_PUT_ENTRY_OK;
}

void events_put_response_write(struct strbuf *out, const struct events_put_result *results, size_t n)
{
    int64_t failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += results[i].error_code != NULL;
    struct json_writer w;
    jw_init(&w, out);
    jw_object_open(&w, NULL);
    jw_int(&w, "FailedEntryCount", failed);
    jw_array_open(&w, "Entries");
    for (size_t i = 0; i < n; i++) {
        jw_object_open(&w, NULL);
        if (results[i].error_code) {
            jw_string(&w, "ErrorCode", results[i].error_code);
            jw_string(&w, "ErrorMessage", results[i].error_message);
        } else {
            put_text(&w, "EventId", results[i].event_id);
        }
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
}
