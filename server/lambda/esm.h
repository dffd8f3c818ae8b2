/* esm: what the event source mapping files share — server/lambda/esm.c
 * (the API, the mappings and their documents), esm_poller.c (the pollers
 * that feed functions SQS batches, and the passes over every mapping) and
 * esm_stream.c (the readers that feed functions DynamoDB stream batches). */
#ifndef CLOUDLESS_SERVER_LAMBDA_ESM_H
#define CLOUDLESS_SERVER_LAMBDA_ESM_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/util.h>

#include "server/lambda/lambda.h"

struct events_pattern;

enum esm_source { ESM_SOURCE_SQS, ESM_SOURCE_DYNAMODB };

struct esm_mapping {
    struct esm_mapping *next;
    char uuid[37];
    char account[13];
    enum esm_source source;
    char *function;                /* name */
    char *qualifier;               /* NULL when unqualified */
    char *source_arn;              /* the queue's or the stream's ARN */
    int batch_size;
    int window_s;
    bool report_failures;
    int max_concurrency;           /* SQS; 0: not set */
    bool enabled;
    const char *transition;        /* "Creating", "Updating", ...: shown until the answer is out */
    int64_t modified_ms;
    struct lambda_kv *tags;
    size_t n_tags;
    /* DynamoDB streams. */
    char starting_position[16];    /* TRIM_HORIZON or LATEST */
    int parallelization;           /* ParallelizationFactor: shown; batches run one at a time */
    bool bisect;                   /* BisectBatchOnFunctionError */
    int max_retries;               /* MaximumRetryAttempts, -1: until the records expire */
    int max_record_age_s;          /* MaximumRecordAgeInSeconds, -1: until they expire */
    char *on_failure;              /* DestinationConfig.OnFailure.Destination (an SQS queue), or NULL */
    char *filters;                 /* FilterCriteria as the API shows it (JSON), or NULL */
    struct events_pattern **patterns;
    size_t n_patterns;
    /* Polling. */
    int in_flight;
    bool deleted;                  /* off the list; freed when in_flight reaches 0 */
    int64_t wait_until_ms;         /* batching window or retry: no pass before (0: none) */
    bool refused_logged;           /* its role's refusal to poll was logged */
    /* Stream reading (esm_stream.c). */
    bool gathering;                /* a batching window is open (until wait_until_ms) */
    int64_t position;              /* the last record done with (durable: storage/lambda) */
    bool position_known;
    int retries;                   /* failed invocations of the batch at position */
    int bisect_limit;              /* records per batch while bisecting (0: not) */
    int64_t bisect_end;            /* bisecting until past this record */
    const char *last_result;       /* LastProcessingResult */
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
/* With enforcement, whether the function's execution role may read the
 * mapping's source as it needs: sqs:ReceiveMessage, sqs:DeleteMessage and
 * sqs:GetQueueAttributes on the queue, with the queue's Policy, or
 * dynamodb:GetRecords, GetShardIterator, DescribeStream and ListStreams on
 * the stream; *refused names the first action it may not run. Without
 * enforcement: true. */
bool esm_role_may_poll(struct lambda_service *svc, const char *role, const struct esm_mapping *m,
                       const char **refused);
/* The functions a mapping may run at once now (0: missing or throttled:
 * retry later); *cfg (a reference for the caller) when not 0. */
int esm_function_limit(struct lambda_esm *esm, struct esm_mapping *m, struct lambda_exec_config **cfg);

/* ---- server/lambda/esm_stream.c ---------------------------------------------------- */

/* In a pass: starts the stream mapping's next batch if it has one. */
void esm_stream_poll(struct lambda_esm *esm, struct esm_mapping *m, int64_t now);
/* The DynamoDB service's listener: stream records may have been appended. */
void esm_on_stream_records(void *arg);
/* Where a new mapping starts reading (StartingPosition); false when the
 * stream is gone. */
bool esm_stream_start_position(struct lambda_esm *esm, const struct esm_mapping *m, int64_t *position);
/* Writes a stream mapping's position durably (once per batch): done(arg,
 * ok) after. -1 when nothing was queued. */
int esm_stream_save_position(struct lambda_esm *esm, const char *uuid, int64_t position,
                             void (*done)(void *arg, bool ok), void *arg);

#endif
