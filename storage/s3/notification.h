/* s3_notify: the durable side of S3 event notifications — a bucket's
 * notification configuration, and the event outbox.
 *
 * A configuration is kept twice: the XML document GetBucketNotification-
 * Configuration answers with, and one target row per (configuration, event
 * type) that the write path matches against. Every S3 write job that
 * creates, removes or retags an object calls store_notify_record() (see
 * storage/s3/internal.h) inside its own savepoint: one INSERT ... SELECT copies
 * each matching target into s3_event_outbox with everything the message
 * needs, so the event commits in the same transaction that makes the change
 * visible — or not at all. A bucket with no targets costs one index probe.
 *
 * The event bus (server/) reads the outbox in commit order, delivers, and
 * deletes the rows once their destination has them durably; what a crash
 * leaves in the outbox is delivered after restart (at least once).
 *
 * Events are only recorded for writes queued with an origin (the client
 * request they answer); writes without one (lifecycle expiration) record
 * none. */
#ifndef CLOUDLESS_STORAGE_S3_NOTIFY_H
#define CLOUDLESS_STORAGE_S3_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/s3/event.h"
#include "storage/core/store.h"

/* Who asked for a write: what the event message says about the request. */
struct store_origin {
    char request_id[24];
    char host_id[64];              /* x-amz-id-2 */
    char source_ip[64];
    char principal[80];            /* userIdentity.principalId */
};

/* Loop thread: the writes queued from now on carry a copy of `origin`
 * (NULL: none, the default). Set around the code that queues a request's
 * writes, then cleared. */
void store_set_origin(struct store *st, const struct store_origin *origin);
/* fn(arg) runs on the loop thread after a commit that recorded events. */
void store_set_outbox_listener(struct store *st, void (*fn)(void *arg), void *arg);

/* One target: configuration `config_id` sends events matching event_stem
 * ("ObjectCreated:*", "ObjectRemoved:Delete": the event type without
 * "s3:") under prefix/suffix ("" for none) to dest_kind ("sqs", "lambda",
 * "sns") dest_arn. */
struct store_notify_target {
    const char *event_stem;
    const char *config_id;
    const char *dest_kind;
    const char *dest_arn;
    const char *prefix;
    const char *suffix;
};

/* Replaces the bucket's configuration: document NULL removes it. Returns
 * -1 when nothing was queued; else done(arg, ok) runs once durable. */
int store_put_notification(struct store *st, const char *bucket, const char *document,
                           const struct store_notify_target *targets, size_t n_targets,
                           void (*done)(void *arg, bool ok), void *arg);
/* The stored document (malloc'd), or *document NULL when none. -1 on error. */
int store_get_notification(struct store *st, const char *bucket, char **document);

/* Up to `limit` outbox events with seq > after_seq, in commit order (loop
 * thread). *out is an array of *n events; free each with s3_event_free and
 * the array with free. -1 on error. */
int store_outbox_read(struct store *st, int64_t after_seq, size_t limit, struct s3_event **out,
                      size_t *n);
/* Deletes delivered events. -1 when nothing was queued; else done. */
int store_outbox_delete(struct store *st, const int64_t *seqs, size_t n,
                        void (*done)(void *arg, bool ok), void *arg);

#endif
