/* s3_event: one S3 event notification as the storage outbox records it and
 * the event bus hands it to destinations (SQS today; Lambda, SNS and
 * EventBridge register later). Every field a destination needs to render
 * AWS's message is here, so a row can be delivered after a restart without
 * looking at the object again (it may be gone by then).
 *
 * Strings are heap copies owned by the event; s3_event_free releases them. */
#ifndef CLOUDLESS_S3_EVENT_H
#define CLOUDLESS_S3_EVENT_H

#include <stdint.h>

struct s3_event {
    int64_t seq;                   /* outbox row: order of commit */
    char *dest_kind;               /* "sqs", "lambda", "sns" */
    char *dest_arn;
    char *config_id;               /* the notification configuration's Id */
    char *event_name;              /* "ObjectCreated:Put", without "s3:" */
    char *bucket;
    char *key;                     /* raw key, encoded when rendered */
    int64_t size;                  /* -1: not part of this event (deletes) */
    char *etag;                    /* NULL for deletes; no quotes */
    char *version_id;              /* NULL when the bucket is not versioned */
    char *sequencer;               /* hex, grows with every event */
    int64_t event_ms;
    char *region;
    char *request_id;
    char *host_id;                 /* x-amz-id-2 */
    char *source_ip;
    char *principal;               /* userIdentity.principalId */
    char *owner;                   /* the bucket owner's principal */
};

void s3_event_free(struct s3_event *ev);

#endif
