/* queues: SQS's queues for the other services of the process (entry.h):
 * a queue named by its ARN, whether it exists, its visibility timeout and
 * Policy, and running a request on it as its owner (what messages.c's senders
 * and consumers use). These requests reach the engine inside the server,
 * like S3 notifications and Lambda event source mappings on AWS, so no
 * queue policy applies. */
#include "server/sqs/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/core/clock.h"

bool sqs_queue_of_arn(const char *queue_arn, char account[13], char url[400])
{
    const char *p = queue_arn;
    for (int i = 0; i < 4 && p; i++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    const char *colon = p ? strchr(p, ':') : NULL;
    if (strncmp(queue_arn, "arn:aws:sqs:", 12) != 0 || !colon || colon - p != 12 || !colon[1])
        return false;
    snprintf(account, 13, "%.12s", p);
    snprintf(url, 400, "http://localhost/%s/%s", account, colon + 1);
    return true;
}

bool sqs_queue_exists(struct sqs_service *svc, const char *queue_arn)
{
    char account[13], url[400];
    return sqs_queue_of_arn(queue_arn, account, url) && sqs_engine_queue_by_url(svc->engine, url);
}

const char *sqs_queue_policy_internal(struct sqs_service *svc, const char *queue_arn)
{
    char account[13], url[400];
    struct sqs_queue *q = sqs_queue_of_arn(queue_arn, account, url) ? sqs_engine_queue_by_url(svc->engine, url) : NULL;
    return q ? sqs_queue_policy(q) : NULL;
}

enum sqs_err sqs_execute_internal(struct sqs_service *svc, const char *queue_arn,
                                  struct sqs_request *req, struct sqs_response *resp,
                                  struct sqs_changes *changes)
{
    sqs_response_init(resp, req->op);
    char account[13], url[400];
    if (!sqs_queue_of_arn(queue_arn, account, url))
        return SQS_ERR_QUEUE_DOES_NOT_EXIST;
    req->queue_url = arena_strdup(&req->arena, url);
    if (!req->queue_url)
        return SQS_ERR_INTERNAL;
    struct sqs_call call = {.account = account, .endpoint = "http://localhost", .sender_id = account,
                            .now_ms = clock_now_ms(), .changes = changes};
    struct sqs_error err = {0};
    return sqs_engine_execute(svc->engine, &call, req, resp, &err);
}

int sqs_queue_visibility_internal(struct sqs_service *svc, const char *queue_arn)
{
    struct sqs_request req;
    memset(&req, 0, sizeof(req));
    req.op = SQS_OP_GetQueueAttributes;
    char *names[] = {"VisibilityTimeout"};
    req.names.items = names;
    req.names.n = 1;
    struct sqs_changes changes;
    sqs_changes_init(&changes);
    struct sqs_response resp;
    int seconds = -1;
    if (sqs_execute_internal(svc, queue_arn, &req, &resp, &changes) == SQS_OK)
        for (size_t i = 0; i < resp.attributes.n; i++)
            if (strcmp(resp.attributes.items[i].key, "VisibilityTimeout") == 0)
                seconds = atoi(resp.attributes.items[i].value);
    sqs_response_free(&resp);
    sqs_request_free(&req);
    sqs_changes_free(&changes);
    return seconds;
}
