/* sqs_entry: how the process creates the SQS service and how the
 * dispatcher hands it requests (server/sqs/service.c), and how the other
 * services reach SQS inside the process (server/sqs/queues.c and
 * messages.c). */
#ifndef CLOUDLESS_SQS_ENTRY_H
#define CLOUDLESS_SQS_ENTRY_H

#include <stdbool.h>
#include <stddef.h>

struct http_req;
struct service_def;
struct server;
struct sqs_service;

/* Creates the engine and loads every queue and message from the store
 * (srv->store must be open, srv->base created). NULL with a reason in err. */
struct sqs_service *sqs_service_new(struct server *srv, char *err, size_t errlen);
/* The time moved forward (the clock endpoint): delays, visibility timeouts
 * and retention that came due apply now. Safe on NULL. */
void sqs_service_clock_moved(struct sqs_service *svc);
/* Answers every parked long poll (empty) and stops parking new ones. */
void sqs_service_shutdown(struct sqs_service *svc);
/* After store_close(): frees the engine and events. Safe on NULL. */
void sqs_service_free(struct sqs_service *svc);

/* True when the request is for SQS: X-Amz-Target AmazonSQS.*, a SigV4
 * credential scoped to "sqs", or a query-protocol Action (GET with Action=
 * in the query, or a form-encoded POST to "/" or to a queue path). */
extern const struct service_def sqs_service_def;

/* Sends a message to the queue named by its ARN (arn:aws:sqs:region:account:
 * name), as that account, for other services (Lambda destinations, event
 * notifications). done(arg, ok) runs on the loop thread once the message is
 * durable. -1 (and no callback) when the queue does not exist or memory
 * ran out. */
int sqs_send_internal(struct sqs_service *svc, const char *queue_arn, const char *body, size_t len,
                      void (*done)(void *arg, bool ok), void *arg);
/* One message for sqs_send_message_internal: its body, a MessageGroupId
 * for FIFO queues (their deduplication id comes from the queue's
 * content-based deduplication), and String message attributes. */
struct sqs_internal_message {
    const char *body;
    size_t len;
    const char *group_id;          /* NULL for standard queues */
    const char *const *attr_names; /* n_attrs names and values */
    const char *const *attr_values;
    size_t n_attrs;
};
/* sqs_send_internal with those options; -1 (and no callback) also when
 * the queue refuses the message (a FIFO queue without a group id, or
 * without content-based deduplication). */
int sqs_send_message_internal(struct sqs_service *svc, const char *queue_arn, const struct sqs_internal_message *m,
                              void (*done)(void *arg, bool ok), void *arg);
/* Does the queue named by this ARN exist (its region is not checked)? */
bool sqs_queue_exists(struct sqs_service *svc, const char *queue_arn);
/* The queue's Policy attribute; NULL when it has none or does not exist.
 * Valid until the queue changes. */
const char *sqs_queue_policy_internal(struct sqs_service *svc, const char *queue_arn);

/* Internal consumers (Lambda event source mappings), on the loop thread. */
struct sqs_response;
/* Called when messages may have become receivable in a queue (a send, an
 * expired visibility timeout, a redrive). It must not call back into SQS
 * synchronously: schedule the receive. One listener; NULL removes it. */
typedef void (*sqs_arrival_fn)(void *arg, const char *account, const char *queue_name);
void sqs_set_arrival_listener(struct sqs_service *svc, sqs_arrival_fn fn, void *arg);
/* The queue's VisibilityTimeout in seconds, -1 when it does not exist. */
int sqs_queue_visibility_internal(struct sqs_service *svc, const char *queue_arn);
/* Messages receivable now (0 when the queue does not exist). */
size_t sqs_visible_internal(struct sqs_service *svc, const char *queue_arn);
/* Receives up to max (1..10) messages with every system and message
 * attribute and the queue's visibility timeout, as the queue's owner; the
 * receive's state is committed in the background, as ReceiveMessage's.
 * 0 with resp filled (sqs_response_free it), -1 when the queue is gone. */
int sqs_receive_internal(struct sqs_service *svc, const char *queue_arn, int max,
                         struct sqs_response *resp);
/* Deletes the messages of these receipt handles (stale ones are skipped, as
 * DeleteMessage does); done(arg, ok) once durable. -1 when not queued. */
int sqs_delete_internal(struct sqs_service *svc, const char *queue_arn, char *const *handles,
                        size_t n, void (*done)(void *arg, bool ok), void *arg);

#endif
