/* service: how a service declares itself to the process, and what the
 * process derives from that declaration.
 *
 * A service is a room in each layer (protocol/<svc>, storage/<svc>,
 * server/<svc>) plus one table of its operations,
 * protocol/<svc>/operations.h: an X-macro list with, per operation, AWS's
 * name, the route or target that selects it (REST services), the family
 * (the file it lives in, in every layer), the IAM action it needs and the
 * server function that runs it (or, for SQS, the name of the operation's
 * functions in protocol/sqs and storage/sqs: protocol/sqs/operations.h).
 * The service expands that list into its
 * dispatch (name or route -> handler) and into the `struct service_op`
 * array of its `struct service_def`; everything generic comes from those:
 *
 *  - dispatch.c offers each request to the services in cloudless_services
 *    order (S3 last: it owns the path space);
 *  - an operation the service does not have in its table is answered with
 *    service_not_implemented(): HTTP 501 in the protocol's error shape,
 *    naming the service and the operation, and one log line;
 *  - a request for a service cloudless does not serve at all (signed for
 *    "ec2", an X-Amz-Target of another API, ...) gets the same answer from
 *    dispatch.c instead of an S3 error;
 *  - a service left out of SERVICES (config: services) claims its requests
 *    as usual, and dispatch.c answers them with service_not_enabled(): the
 *    same 501 in its shape, saying the service is not enabled;
 *  - `cloudless --list-operations` prints every table, which the test
 *    suite compares with README's lists of supported operations;
 *  - the IAM action of each operation is what authorization decides
 *    (server/core/authorize.h); "" for an operation that needs none.
 *
 * Authorization: every service's intake, once it has routed and
 * authenticated a request and knows what it acts on, calls
 *
 *     if (!authorize_request(req, &<svc>_service_def, op, &(struct authorize_target){
 *             .resource = arn, .owner = owner_account, .policy = resource_policy}))
 *         return;
 *
 * with op its table entry (service_find_op, or &ops[i]), arn the
 * resource's ARN ("*" when the action names none: List*, Create* of an
 * account-wide thing), owner NULL for the caller's own account, and the
 * resource's policy if the service has resource policies. That one line
 * is how a service joins IAM enforcement (--enforce-iam): the decision,
 * AccessDenied in the protocol's shape with AWS's wording, and the log
 * line of what decided are made there. A service whose AccessDenied
 * differs from its protocol's usual shape sets access_denied.
 *
 * Adding a service: its rooms, its operations.h, a `struct service_def`
 * in server/<svc>/, one line in cloudless_services (service.c), and the
 * authorize_request() call in its intake. */
#ifndef CLOUDLESS_SERVER_SERVICE_H
#define CLOUDLESS_SERVER_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct http_req;

/* The wire protocol, which decides the shape of errors. */
enum service_protocol {
    SERVICE_REST_XML,              /* S3: <Error><Code/>...</Error> */
    SERVICE_QUERY,                 /* SQS query, IAM, STS: <ErrorResponse><Error>... */
    SERVICE_JSON,                  /* X-Amz-Target services: {"__type", "message"} */
    SERVICE_REST_JSON,             /* Lambda: x-amzn-ErrorType and {"Type", "message"} */
};

/* One operation, as the generic code sees it. */
struct service_op {
    const char *name;              /* AWS's operation name: "PutObject" */
    const char *family;            /* its file in every layer: "object" */
    const char *action;            /* the IAM action it needs: "s3:PutObject"; "" for none
                                      (S3's CORS preflight) */
};

struct service_def {
    const char *name;              /* "s3": signing name, SERVICES= entry */
    const char *title;             /* "Amazon S3", for messages */
    enum service_protocol protocol;
    const struct service_op *ops;
    size_t n_ops;
    /* Whether this request is the service's (before any work is done). */
    bool (*claims)(const struct http_req *req);
    void (*handle)(struct http_req *req);
    /* Answers AccessDenied with `message` (AWS's wording) in the service's
     * own shape, for services whose errors are not their protocol's usual
     * ones (S3's, SQS's); NULL: service_access_denied()'s. */
    void (*access_denied)(struct http_req *req, const char *message);
    /* A service another one brings along (DynamoDB Streams, with
     * DynamoDB): SERVICES enables it when it names that one, as
     * LocalStack's does. NULL for most. */
    const char *enabled_with;
};

/* Every service, in the order dispatch offers requests to them; NULL-ended. */
extern const struct service_def *const cloudless_services[];

/* The table entry named `name` (exact), or NULL. */
const struct service_op *service_find_op(const struct service_def *svc, const char *name, size_t len);
/* Answers HTTP 501 in the protocol's error shape ("NotImplemented"),
 * saying that cloudless does not implement `op` of the service, and logs
 * it. service_title may be a service cloudless does not serve at all. */
void service_not_implemented(struct http_req *req, enum service_protocol protocol,
                             const char *service_title, const char *op);
/* The service a request's SigV4 credential scope names ("" when it has
 * none): Authorization "Credential=AK/date/region/SERVICE/aws4_request".
 * For REST services whose paths alone do not tell them apart. */
void service_signing_name(const struct http_req *req, char out[32]);
/* The services left out of a SERVICES list ("s3,sqs"; NULL: none is):
 * bit i stands for cloudless_services[i]. A service is in when it is named
 * or when the service it comes with (enabled_with) is. Names cloudless
 * does not serve are logged as such and otherwise ignored. */
unsigned service_disabled_mask(const char *services);
/* AccessDenied in the service's shape: its access_denied hook, else the
 * protocol's — REST XML and query "AccessDenied" (403), JSON
 * "AccessDeniedException" (400, as CloudWatch Logs, DynamoDB and
 * EventBridge answer it), REST JSON "AccessDeniedException" (403, Lambda). */
void service_access_denied(struct http_req *req, const struct service_def *svc, const char *message);
/* A 500 in the protocol's shape (InternalError / InternalFailure), logged. */
void service_failure(struct http_req *req, const struct service_def *svc, const char *message);
/* The 501 of service_not_implemented(), saying that the service is not
 * enabled (not in SERVICES); op may be "" when unknown. */
void service_not_enabled(struct http_req *req, const struct service_def *svc, const char *op);
/* Prints one tab-separated line per operation: service name, service
 * title, operation, family, IAM action ("-" for none; scripts/readme_operations.py
 * writes README's lists from it). */
void service_list_operations(FILE *out);

#endif
