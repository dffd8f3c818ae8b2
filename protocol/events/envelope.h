/* protocol/events envelope: the events EventBridge delivers and PutEvents'
 * request and answer, pure. Every event is the same envelope:
 *
 *   {"version":"0","id":"<uuid>","detail-type":"...","source":"...",
 *    "account":"123456789012","time":"2024-05-01T12:00:00Z",
 *    "region":"us-east-1","resources":[...],"detail":{...}}
 *
 * - PutEvents entries become that envelope (the caller supplies the id,
 *   account, region and, when the entry has no Time, the call's time);
 * - a rate or cron rule sends "Scheduled Event" from "aws.events" with
 *   the rule's ARN as its one resource and an empty detail;
 * - S3 buckets with EventBridge enabled send "Object Created" and "Object
 *   Deleted" from "aws.s3", with the bucket's ARN as resource and the
 *   detail S3 documents: version, bucket {name}, object {key, size, etag,
 *   version-id, sequencer}, request-id, requester, source-ip-address,
 *   reason, and for deletions deletion-type.
 *
 * PutEvents checks, with AWS's codes and messages: the request has 1 to 10
 * entries and at most 256 KB of entries, sized as AWS documents (14 bytes
 * for a Time, then the UTF-8 bytes of Source, DetailType, Detail and each
 * resource) — otherwise ValidationException for the whole request; an
 * entry without Source, DetailType or Detail fails alone with
 * InvalidArgument ("Parameter Source is not valid. Reason: Source is a
 * required argument."), one whose Detail is not a JSON object with
 * MalformedDetail ("Detail is malformed."). */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_ENVELOPE_H
#define CLOUDLESS_PROTOCOL_EVENTS_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"

/* A string with its length (request strings may hold NULs). */
struct events_text {
    const char *s;                 /* NULL: absent */
    size_t len;
};

/* "2024-05-01T12:00:00Z": an event's time, to the second. */
void events_time_format(int64_t seconds, char out[32]);

/* ---- the envelope ------------------------------------------------------- */

struct events_envelope {
    struct events_text id, detail_type, source, account, region;
    int64_t time;                  /* seconds since the epoch */
    const struct events_text *resources;
    size_t n_resources;
    const struct json_value *detail;   /* an object; NULL writes {} */
};

/* Appends the event's JSON (compact, members in AWS's order). */
void events_envelope_write(struct strbuf *out, const struct events_envelope *e);

/* A rate or cron rule's event at its scheduled time. */
void events_scheduled_event_write(struct strbuf *out, struct events_text id, struct events_text account,
                                  struct events_text region, int64_t time, struct events_text rule_arn);

/* ---- S3 ----------------------------------------------------------------- */

struct events_s3_object {
    struct events_text id, account, region;   /* account: the bucket owner */
    int64_t time;
    const char *detail_type;       /* "Object Created" or "Object Deleted" */
    struct events_text bucket, key;
    int64_t size;                  /* < 0: left out (deletions) */
    struct events_text etag;       /* unquoted; absent for deletions */
    struct events_text version_id; /* absent when the bucket is not versioned */
    struct events_text sequencer;
    struct events_text request_id, requester;
    struct events_text source_ip;  /* absent for lifecycle expirations */
    const char *reason;            /* "PutObject", "DeleteObject", "Lifecycle Expiration", ... */
    const char *deletion_type;     /* deletions: "Permanently Deleted" or "Delete Marker Created" */
};

/* What EventBridge calls an S3 notification event ("ObjectCreated:Put",
 * "ObjectRemoved:DeleteMarkerCreated", "LifecycleExpiration:Delete", ...):
 * its detail-type, reason and deletion type (NULL for creations). False
 * for the events this module does not render. */
bool events_s3_event_kind(const char *event_name, const char **detail_type, const char **reason,
                          const char **deletion_type);

void events_s3_object_write(struct strbuf *out, const struct events_s3_object *o);

/* ---- PutEvents ---------------------------------------------------------- */

#define EVENTS_PUT_MAX_ENTRIES 10
#define EVENTS_PUT_MAX_BYTES (256 * 1024)

/* One request entry, read from its JSON object. */
struct events_put_entry {
    struct events_text source, detail_type, detail, event_bus_name, trace_header;
    bool has_time;
    int64_t time;                  /* seconds since the epoch, when has_time */
    const struct json_value *resources;    /* the Resources array, or NULL */
};

/* Reads an entry (members of the wrong type count as absent; the caller's
 * shape validation refuses those first). */
void events_put_entry_read(const struct json_value *entry, struct events_put_entry *out);

/* The entry's size as AWS counts it against EVENTS_PUT_MAX_BYTES. */
size_t events_put_entry_size(const struct events_put_entry *e);

/* The whole request: false with ValidationException's message when the
 * entry count or their total size is refused. */
bool events_put_check_request(const struct events_put_entry *entries, size_t n, struct strbuf *message);

/* One entry: false with its ErrorCode and ErrorMessage. On success the
 * parsed Detail is stored in *detail (json_free it). */
enum events_put_entry_result {
    EVENTS_PUT_ENTRY_OK,
    EVENTS_PUT_ENTRY_FAILED,       /* *code and *message say why */
    EVENTS_PUT_ENTRY_NOMEM,
};
enum events_put_entry_result events_put_check_entry(const struct events_put_entry *e,
                                                    const struct json_value **detail, const char **code,
                                                    const char **message);

/* The answer: one result per entry, in request order. */
struct events_put_result {
    struct events_text event_id;   /* success */
    const char *error_code;        /* failure: code and message */
    const char *error_message;
};
void events_put_response_write(struct strbuf *out, const struct events_put_result *results, size_t n);

#endif
