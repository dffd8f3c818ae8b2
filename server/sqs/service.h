/* server/sqs/service.h: the private interface of server/sqs.
 *
 * service.c is the intake: it claims SQS requests, reads and authenticates
 * them, decodes them (protocol/sqs), applies queue policies with the
 * table's IAM actions (protocol/sqs/operations.h), runs them in the engine
 * (storage/sqs), parks long polls and answers once the changes are
 * durable. queues.c and messages.c serve SQS to the other services of the
 * process (entry.h): a queue named by its ARN, sends, receives and deletes
 * run as the queue's owner. */
#ifndef CLOUDLESS_SQS_SERVICE_H
#define CLOUDLESS_SQS_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/sqs/sqs.h"
#include "server/sqs/entry.h"
#include "storage/sqs/sqs_engine.h"

struct event;
struct server;
struct sqs_exchange;

struct sqs_service {
    struct server *srv;
    struct sqs_engine *engine;
    struct event *tick_timer;
    int64_t tick_at_ms;            /* when tick_timer fires; INT64_MAX when idle */
    struct event *wake_event;      /* retries the poked parked receives */
    struct sqs_exchange *waiters;      /* parked receives, doubly linked */
    bool stopping;
    sqs_arrival_fn arrival;        /* internal consumers' wake-up (sqs_set_arrival_listener) */
    void *arrival_arg;
};

/* Moves the records out of `changes` into a commit job (service.c). `call`
 * gets its answer when the job is durable; NULL means nobody waits. False
 * (records dropped) when the store refused the job. */
bool sqs_submit_changes(struct sqs_service *svc, struct sqs_changes *changes, struct sqs_exchange *call);
/* Arms the engine's timer for its next event (service.c). */
void sqs_arm_tick(struct sqs_service *svc);

/* arn:aws:sqs:<region>:<account>:<name> -> the queue's account and a URL
 * the engine resolves; false when it is no queue ARN (queues.c). */
bool sqs_queue_of_arn(const char *queue_arn, char account[13], char url[400]);
/* Runs a request on the queue of `queue_arn` as its owner (queues.c). resp
 * is always initialised (free it); the changes are appended to `changes`,
 * whose oom flag the caller checks. */
enum sqs_err sqs_execute_internal(struct sqs_service *svc, const char *queue_arn,
                                  struct sqs_request *req, struct sqs_response *resp,
                                  struct sqs_changes *changes);

#endif
