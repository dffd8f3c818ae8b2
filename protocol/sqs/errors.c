/* errors: the SQS error table. Each sqs_err has the JSON protocol's __type
 * (the model's shape name under com.amazonaws.sqs#), the query protocol's
 * code (the model's awsQueryError code, also sent in x-amzn-query-error so
 * that JSON clients see the same code), the HTTP status and the fault side. */
#include "protocol/sqs/sqs.h"

#include <stdarg.h>
#include <stdio.h>

struct sqs_err_info {
    const char *json_type;
    const char *query_code;
    int status;
    bool sender;
};

static const struct sqs_err_info err_table[SQS_ERR_COUNT] = {
    [SQS_OK] = {"", "", 200, false},
    [SQS_ERR_QUEUE_DOES_NOT_EXIST] = {"com.amazonaws.sqs#QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue", 400, true},
    [SQS_ERR_QUEUE_ALREADY_EXISTS] = {"com.amazonaws.sqs#QueueNameExists",
        "QueueAlreadyExists", 400, true},
    [SQS_ERR_QUEUE_DELETED_RECENTLY] = {"com.amazonaws.sqs#QueueDeletedRecently",
        "AWS.SimpleQueueService.QueueDeletedRecently", 400, true},
    [SQS_ERR_INVALID_ATTRIBUTE_NAME] = {"com.amazonaws.sqs#InvalidAttributeName",
        "InvalidAttributeName", 400, true},
    [SQS_ERR_INVALID_ATTRIBUTE_VALUE] = {"com.amazonaws.sqs#InvalidAttributeValue",
        "InvalidAttributeValue", 400, true},
    [SQS_ERR_INVALID_PARAMETER_VALUE] = {"com.amazonaws.sqs#InvalidParameterValue",
        "InvalidParameterValue", 400, true},
    [SQS_ERR_MISSING_PARAMETER] = {"com.amazonaws.sqs#MissingParameter",
        "MissingParameter", 400, true},
    [SQS_ERR_RECEIPT_HANDLE_IS_INVALID] = {"com.amazonaws.sqs#ReceiptHandleIsInvalid",
        "ReceiptHandleIsInvalid", 400, true},
    [SQS_ERR_MESSAGE_NOT_INFLIGHT] = {"com.amazonaws.sqs#MessageNotInflight",
        "AWS.SimpleQueueService.MessageNotInflight", 400, true},
    [SQS_ERR_TOO_MANY_ENTRIES] = {"com.amazonaws.sqs#TooManyEntriesInBatchRequest",
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, true},
    [SQS_ERR_EMPTY_BATCH] = {"com.amazonaws.sqs#EmptyBatchRequest",
        "AWS.SimpleQueueService.EmptyBatchRequest", 400, true},
    [SQS_ERR_BATCH_IDS_NOT_DISTINCT] = {"com.amazonaws.sqs#BatchEntryIdsNotDistinct",
        "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, true},
    [SQS_ERR_INVALID_BATCH_ENTRY_ID] = {"com.amazonaws.sqs#InvalidBatchEntryId",
        "AWS.SimpleQueueService.InvalidBatchEntryId", 400, true},
    [SQS_ERR_BATCH_REQUEST_TOO_LONG] = {"com.amazonaws.sqs#BatchRequestTooLong",
        "AWS.SimpleQueueService.BatchRequestTooLong", 400, true},
    [SQS_ERR_INVALID_MESSAGE_CONTENTS] = {"com.amazonaws.sqs#InvalidMessageContents",
        "InvalidMessageContents", 400, true},
    [SQS_ERR_PURGE_IN_PROGRESS] = {"com.amazonaws.sqs#PurgeQueueInProgress",
        "AWS.SimpleQueueService.PurgeQueueInProgress", 403, true},
    [SQS_ERR_OVER_LIMIT] = {"com.amazonaws.sqs#OverLimit", "OverLimit", 403, true},
    [SQS_ERR_RESOURCE_NOT_FOUND] = {"com.amazonaws.sqs#ResourceNotFoundException",
        "ResourceNotFoundException", 404, true},
    [SQS_ERR_UNSUPPORTED_OPERATION] = {"com.amazonaws.sqs#UnsupportedOperation",
        "AWS.SimpleQueueService.UnsupportedOperation", 400, true},
    [SQS_ERR_INVALID_ACTION] = {"com.amazonaws.sqs#InvalidAction", "InvalidAction", 400, true},
    [SQS_ERR_MISSING_ACTION] = {"com.amazonaws.sqs#MissingAction", "MissingAction", 400, true},
    [SQS_ERR_UNKNOWN_OPERATION] = {"com.amazon.coral.service#UnknownOperationException",
        "UnknownOperationException", 400, true},
    [SQS_ERR_MALFORMED_QUERY_STRING] = {"com.amazonaws.sqs#MalformedQueryString",
        "MalformedQueryString", 400, true},
    [SQS_ERR_SERIALIZATION] = {"com.amazon.coral.service#SerializationException",
        "SerializationException", 400, true},
    [SQS_ERR_INTERNAL] = {"com.amazonaws.sqs#InternalError", "InternalError", 500, false},
    [SQS_ERR_MISSING_AUTH_TOKEN] = {"com.amazon.coral.service#MissingAuthenticationTokenException",
        "MissingAuthenticationToken", 403, true},
    [SQS_ERR_INVALID_CLIENT_TOKEN_ID] = {"com.amazon.coral.service#UnrecognizedClientException",
        "InvalidClientTokenId", 403, true},
    [SQS_ERR_SIGNATURE_DOES_NOT_MATCH] = {"com.amazon.coral.service#InvalidSignatureException",
        "SignatureDoesNotMatch", 403, true},
    [SQS_ERR_INCOMPLETE_SIGNATURE] = {"com.amazon.coral.service#IncompleteSignatureException",
        "IncompleteSignature", 400, true},
    [SQS_ERR_REQUEST_EXPIRED] = {"com.amazon.coral.service#RequestExpired", "RequestExpired", 400, true},
    [SQS_ERR_REQUEST_TOO_LARGE] = {"com.amazonaws.sqs#RequestEntityTooLarge",
        "RequestEntityTooLarge", 413, true},
    [SQS_ERR_SERVICE_UNAVAILABLE] = {"com.amazon.coral.service#ServiceUnavailable",
        "ServiceUnavailable", 503, false},
    [SQS_ERR_ACCESS_DENIED] = {"com.amazon.coral.service#AccessDeniedException", "AccessDenied", 403, true},
    [SQS_ERR_EXPIRED_TOKEN] = {"com.amazon.coral.service#ExpiredTokenException", "ExpiredToken", 403, true},
};

static const struct sqs_err_info *err_info(enum sqs_err e)
{
    if ((unsigned)e >= SQS_ERR_COUNT)
        e = SQS_ERR_INTERNAL;
    return &err_table[e];
}

const char *sqs_err_query_code(enum sqs_err e) { return err_info(e)->query_code; }
const char *sqs_err_json_type(enum sqs_err e) { return err_info(e)->json_type; }
int sqs_err_status(enum sqs_err e) { return err_info(e)->status; }
bool sqs_err_sender_fault(enum sqs_err e) { return err_info(e)->sender; }

enum sqs_err sqs_error_set(struct sqs_error *err, enum sqs_err e, const char *fmt, ...)
{
    if (!err)
        return e;
    err->code = e;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return e;
}
