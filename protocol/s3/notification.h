/* protocol/s3 notification: the wire side of S3 event notifications —
 * the <NotificationConfiguration> document of Put/GetBucketNotification-
 * Configuration (parsed, checked with AWS's rules, written back), and the
 * JSON messages S3 sends: the event record and the s3:TestEvent.
 *
 * Pure: no clock, no randomness (ids missing from a configuration are
 * filled in by the caller), no I/O. */
#ifndef CLOUDLESS_PROTOCOL_S3_NOTIFICATION_H
#define CLOUDLESS_PROTOCOL_S3_NOTIFICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/s3/event.h"
#include "protocol/s3/model.h"
#include "protocol/core/strbuf.h"

enum s3_notify_dest {
    S3_NOTIFY_TOPIC,               /* <TopicConfiguration>, SNS */
    S3_NOTIFY_QUEUE,               /* <QueueConfiguration>, SQS */
    S3_NOTIFY_LAMBDA,              /* <CloudFunctionConfiguration>, Lambda */
};

/* One destination configuration. */
struct s3_notify_rule {
    enum s3_notify_dest dest;
    char *id;                      /* NULL when the request gave none */
    char *arn;
    char **events;                 /* "s3:ObjectCreated:*", as given */
    size_t n_events;
    char *prefix;                  /* NULL: no prefix rule */
    char *suffix;
};

struct s3_notify_config {
    struct s3_notify_rule *rules;  /* in document order */
    size_t n_rules;
    bool eventbridge;              /* <EventBridgeConfiguration/> present */
};

/* Parses a PutBucketNotificationConfiguration body. S3_ERR_MALFORMED_XML,
 * or S3_ERR_INVALID_ARGUMENT with *message and the argument AWS names
 * (*arg_name / *arg_value, static or pointing into out; may be NULL). out
 * is to be freed whatever the answer. */
enum s3_err s3_notify_config_parse(const char *body, size_t len, struct s3_notify_config *out,
                                   const char **message, const char **arg_name,
                                   const char **arg_value);
void s3_notify_config_free(struct s3_notify_config *c);

/* AWS's overlap rule: two configurations sharing an event type (wildcards
 * included) whose prefixes and suffixes both overlap are ambiguous. Returns
 * false and sets *message when the configuration breaks it. */
bool s3_notify_config_unambiguous(const struct s3_notify_config *c, const char **message);

/* The document GetBucketNotificationConfiguration answers. */
void s3_notify_config_xml(struct strbuf *out, const struct s3_notify_config *c);

/* "s3:ObjectCreated:*" -> "ObjectCreated:*": the form the storage matches
 * event names ("ObjectCreated:Put") against. */
const char *s3_notify_event_stem(const char *event);

/* The object key as S3 writes it in event messages: form-URL-encoded
 * UTF-8, space as '+', letters, digits and "-_.*" and '/' kept. */
void s3_event_key_encode(struct strbuf *out, const char *key);

/* The message body S3 sends for one event: {"Records":[{...}]}. */
void s3_event_json(struct strbuf *out, const struct s3_event *ev);

/* The s3:TestEvent sent to each destination when a configuration is set. */
void s3_test_event_json(struct strbuf *out, const char *bucket, int64_t ms,
                        const char *request_id, const char *host_id);

#endif
