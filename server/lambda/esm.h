/* esm: what the event source mapping files share — server/lambda/esm.c
 * (the API, the mappings and their documents) and esm_poller.c (the
 * pollers that feed functions SQS batches). */
#ifndef CLOUDLESS_SERVER_LAMBDA_ESM_H
#define CLOUDLESS_SERVER_LAMBDA_ESM_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/util.h>

#include "server/lambda/lambda.h"

struct esm_mapping {
    struct esm_mapping *next;
    char uuid[37];
    char account[13];
    char *function;                /* name */
    char *qualifier;               /* NULL when unqualified */
    char *queue_arn;
    int batch_size;
    int window_s;
    bool report_failures;
    int max_concurrency;           /* 0: not set */
    bool enabled;
    const char *transition;        /* "Creating", "Updating", ...: shown until the answer is out */
    int64_t modified_ms;
    struct lambda_kv *tags;
    size_t n_tags;
    /* Polling. */
    int in_flight;
    bool deleted;                  /* off the list; freed when in_flight reaches 0 */
    int64_t wait_until_ms;         /* batching window or retry: no pass before (0: none) */
    bool refused_logged;           /* its role's refusal to poll was logged */
};

struct lambda_esm {
    struct lambda_service *svc;
    struct esm_mapping *mappings;
    struct event *kick;            /* a pass soon (arrivals, finished batches) */
    struct event *timer;           /* the earliest wait_until_ms */
    bool in_pass;
    bool stopping;
};

/* ---- server/lambda/esm.c ----------------------------------------------------------- */

void esm_mapping_free(struct esm_mapping *m);

/* ---- server/lambda/esm_poller.c ---------------------------------------------------- */

/* Has a pass run soon (after a change, an arrival or a finished batch). */
void esm_kick(struct lambda_esm *esm);
/* The kick and timer events' callback: a pass over the mappings. */
void esm_on_kick(evutil_socket_t fd, short what, void *arg);
/* The SQS service's arrival listener: messages may be receivable in a queue. */
void esm_on_arrival(void *arg, const char *account, const char *queue_name);
/* With enforcement, whether the function's execution role may poll the
 * queue — sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes
 * on it, with the queue's Policy — as the mapping needs; *refused names
 * the first action it may not run. Without enforcement: true. */
bool esm_role_may_poll(struct lambda_service *svc, const char *role, const char *function, const char *queue_arn,
                       const char **refused);

#endif
