/* protocol/sqs: SQS's two wire formats (query and JSON 1.0), pure.
 *
 *  - operations.h     the table of SQS's operations: names, families, IAM
 *                     actions; enum sqs_op derives from it
 *  - errors.c         sqs_err -> JSON __type, query code, HTTP status, message
 *  - request.c        query form / JSON body -> struct sqs_request; the JSON
 *                     body is first flattened into query-style parameters
 *                     ("Attribute.1.Name"), so both protocols share one
 *                     decoder and one set of validation rules
 *  - response.c       struct sqs_response / struct sqs_error -> XML or JSON
 *  - queues.c, messages.c, tags.c, permissions.c, move_tasks.c: each
 *                     operation's parameters and result, by family (codec.h)
 *  - md5_attributes.c MD5OfMessageBody and AWS's MD5OfMessageAttributes, and
 *                     the binary attribute encoding it hashes (also the form
 *                     the engine stores attributes in)
 *
 * No I/O, no clock, no globals. Decoded strings are NUL-terminated; message
 * bodies cannot contain NUL (it is not in SQS's allowed character set). */
#ifndef CLOUDLESS_PROTOCOL_SQS_H
#define CLOUDLESS_PROTOCOL_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/arena.h"
#include "protocol/core/strbuf.h"
#include "protocol/sqs/operations.h"

#define SQS_XMLNS "http://queue.amazonaws.com/doc/2012-11-05/"
#define SQS_MAX_BATCH 10
#define SQS_MAX_MESSAGE_ATTRIBUTES 10
#define SQS_MAX_PAYLOAD 1048576     /* bytes: message, and a whole batch */
#define SQS_MAX_VISIBILITY 43200    /* seconds */
#define SQS_MAX_DELAY 900
#define SQS_MAX_WAIT 20

/* ---- operations (operations.h) ---------------------------------------- */

#define SQS_OP_ENUM_MEMBER(name, family, action, access, handler) SQS_OP_##name,
enum sqs_op { SQS_OPERATIONS(SQS_OP_ENUM_MEMBER) SQS_OP_COUNT };
#undef SQS_OP_ENUM_MEMBER

const char *sqs_op_name(enum sqs_op op);    /* "SendMessage" */
/* Looks an operation up by its exact name; false when unknown. */
bool sqs_op_from_name(const char *name, size_t len, enum sqs_op *op);

/* ---- errors.c ------------------------------------------------------ */

enum sqs_err {
    SQS_OK = 0,
    SQS_ERR_QUEUE_DOES_NOT_EXIST,
    SQS_ERR_QUEUE_ALREADY_EXISTS,
    SQS_ERR_QUEUE_DELETED_RECENTLY,
    SQS_ERR_INVALID_ATTRIBUTE_NAME,
    SQS_ERR_INVALID_ATTRIBUTE_VALUE,
    SQS_ERR_INVALID_PARAMETER_VALUE,
    SQS_ERR_MISSING_PARAMETER,
    SQS_ERR_RECEIPT_HANDLE_IS_INVALID,
    SQS_ERR_MESSAGE_NOT_INFLIGHT,
    SQS_ERR_TOO_MANY_ENTRIES,
    SQS_ERR_EMPTY_BATCH,
    SQS_ERR_BATCH_IDS_NOT_DISTINCT,
    SQS_ERR_INVALID_BATCH_ENTRY_ID,
    SQS_ERR_BATCH_REQUEST_TOO_LONG,
    SQS_ERR_INVALID_MESSAGE_CONTENTS,
    SQS_ERR_PURGE_IN_PROGRESS,
    SQS_ERR_OVER_LIMIT,
    SQS_ERR_RESOURCE_NOT_FOUND,
    SQS_ERR_UNSUPPORTED_OPERATION,
    SQS_ERR_INVALID_ACTION,          /* query: unknown Action */
    SQS_ERR_MISSING_ACTION,          /* query: no Action */
    SQS_ERR_UNKNOWN_OPERATION,       /* JSON: unknown X-Amz-Target */
    SQS_ERR_MALFORMED_QUERY_STRING,
    SQS_ERR_SERIALIZATION,           /* JSON: malformed body or wrong type */
    SQS_ERR_INTERNAL,
    /* Authentication and transport, answered by the server before decoding. */
    SQS_ERR_MISSING_AUTH_TOKEN,      /* anonymous request */
    SQS_ERR_INVALID_CLIENT_TOKEN_ID, /* unknown access key */
    SQS_ERR_SIGNATURE_DOES_NOT_MATCH,
    SQS_ERR_INCOMPLETE_SIGNATURE,    /* malformed credentials */
    SQS_ERR_REQUEST_EXPIRED,         /* clock skew, expired presigned URL */
    SQS_ERR_REQUEST_TOO_LARGE,       /* body beyond what any SQS request needs */
    SQS_ERR_SERVICE_UNAVAILABLE,     /* the store refused a write */
    SQS_ERR_ACCESS_DENIED,           /* another account's queue, or a queue policy's Deny */
    SQS_ERR_EXPIRED_TOKEN,           /* STS session credentials past their expiry */
    SQS_ERR_COUNT
};

struct sqs_error {
    enum sqs_err code;
    char message[512];
};

const char *sqs_err_query_code(enum sqs_err e);  /* "AWS.SimpleQueueService.NonExistentQueue" */
const char *sqs_err_json_type(enum sqs_err e);   /* "com.amazonaws.sqs#QueueDoesNotExist" */
int sqs_err_status(enum sqs_err e);              /* 400 */
bool sqs_err_sender_fault(enum sqs_err e);
/* Sets `err` (if non-NULL) and returns e. */
enum sqs_err sqs_error_set(struct sqs_error *err, enum sqs_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- decoded values ------------------------------------------------- */

struct sqs_kv {
    char *key;
    char *value;
};
struct sqs_kv_list {
    struct sqs_kv *items;
    size_t n;
};
struct sqs_str_list {
    char **items;
    size_t n;
};

/* One message attribute (or message system attribute). */
struct sqs_msg_attr {
    char *name;
    char *data_type;         /* "String", "Number.float", "Binary.gif", ... */
    bool binary;             /* data_type starts with "Binary" */
    char *value;             /* StringValue, or the decoded BinaryValue */
    size_t value_len;
};
struct sqs_msg_attrs {
    struct sqs_msg_attr *items;   /* sorted by name (bytewise) */
    size_t n;
};

/* SendMessage (one entry) and SendMessageBatch. */
struct sqs_send_entry {
    char *id;                       /* batch entry id; NULL for SendMessage */
    char *body;
    size_t body_len;
    int delay_seconds;              /* -1 = not given */
    struct sqs_msg_attrs attrs;
    struct sqs_msg_attrs system_attrs;   /* only AWSTraceHeader is allowed */
    char *dedup_id;
    char *group_id;
    /* A batch entry that failed validation: reported in Failed, not sent. */
    struct sqs_error error;
};

/* DeleteMessage(Batch) and ChangeMessageVisibility(Batch). */
struct sqs_handle_entry {
    char *id;                       /* NULL for the single-message forms */
    char *receipt_handle;
    int visibility_timeout;         /* -1 = not given (an error for batch entries) */
    struct sqs_error error;
};

struct sqs_request {
    enum sqs_op op;
    struct arena arena;

    char *queue_url;                /* every queue operation */
    char *queue_name;               /* CreateQueue, GetQueueUrl */
    char *queue_owner;              /* GetQueueUrl QueueOwnerAWSAccountId */
    struct sqs_kv_list attributes;  /* CreateQueue, SetQueueAttributes */
    struct sqs_kv_list tags;        /* CreateQueue, TagQueue */
    struct sqs_str_list names;      /* Get..Attributes/Receive AttributeNames, UntagQueue TagKeys */
    struct sqs_str_list system_attribute_names;   /* ReceiveMessage */
    struct sqs_str_list message_attribute_names;  /* ReceiveMessage */

    struct sqs_send_entry *sends;   /* SendMessage: 1, SendMessageBatch: 1..10 */
    size_t n_sends;
    struct sqs_handle_entry *handles;   /* Delete/ChangeVisibility (Batch) */
    size_t n_handles;

    int max_results;                /* ListQueues, ListDLSQ, ListMoveTasks; -1 = not given */
    char *next_token;
    char *prefix;                   /* ListQueues QueueNamePrefix */
    int max_messages;               /* ReceiveMessage, default 1 */
    int visibility_timeout;         /* ReceiveMessage; -1 = queue's */
    int wait_time_seconds;          /* ReceiveMessage; -1 = queue's */
    char *receive_request_attempt_id;

    char *label;                    /* Add/RemovePermission */
    struct sqs_str_list account_ids;
    struct sqs_str_list actions;

    char *source_arn;               /* Start/ListMessageMoveTasks */
    char *destination_arn;
    int max_per_second;             /* -1 = not given */
    char *task_handle;              /* CancelMessageMoveTask */
};

enum sqs_protocol { SQS_PROTOCOL_QUERY, SQS_PROTOCOL_JSON };

/* ---- request.c ----------------------------------------------------- */

/* Query protocol: `url_query` (GET/POST URL query, may be NULL) and the
 * application/x-www-form-urlencoded `body` are merged (body wins). `path`
 * is the request path ("/" or "/<account>/<queue>"): when QueueUrl is
 * absent and the path names a queue, the path is used as the queue URL.
 * On failure returns the error code, fills `err` and leaves `req` freed. */
enum sqs_err sqs_decode_query(const char *url_query, size_t url_query_len,
                              const char *body, size_t body_len, const char *path,
                              struct sqs_request *req, struct sqs_error *err);

/* JSON protocol: `target` is the X-Amz-Target header ("AmazonSQS.SendMessage"). */
enum sqs_err sqs_decode_json(const char *target, const char *body, size_t body_len,
                             struct sqs_request *req, struct sqs_error *err);

void sqs_request_free(struct sqs_request *req);

/* Splits a queue URL ("http://h:p/123456789012/name" or "/123.../name") into
 * account id and queue name, copied into the buffers. False if malformed. */
bool sqs_parse_queue_url(const char *url, char *account, size_t account_size,
                         char *name, size_t name_size);


/* ---- messages.c ---------------------------------------------------- */

/* Checks SQS's allowed body characters (#x9 | #xA | #xD | #x20-#xD7FF |
 * #xE000-#xFFFD | #x10000-#x10FFFF) in UTF-8; fills err when invalid. */
bool sqs_body_is_valid(const char *body, size_t len, struct sqs_error *err);

/* ---- md5_attributes.c ---------------------------------------------- */

/* 32 lowercase hex digits + NUL. */
void sqs_md5_hex(const void *data, size_t len, char out[33]);

/* AWS's encoding of attributes, sorted by name: for each, 4-byte BE length +
 * name, 4-byte BE length + data type, 1 byte transport (1 string/number,
 * 2 binary), 4-byte BE length + value. Appended to `out`. */
void sqs_attrs_encode(const struct sqs_msg_attrs *attrs, struct strbuf *out);
/* MD5 of that encoding (empty string when there are no attributes). */
void sqs_attrs_md5(const struct sqs_msg_attrs *attrs, char out[33]);

/* Iterates an encoded attribute blob. Returns false at the end or on a
 * malformed blob; fills `attr` with pointers into the blob (not
 * NUL-terminated: use the lengths). */
struct sqs_attr_view {
    const char *name; uint32_t name_len;
    const char *data_type; uint32_t type_len;
    bool binary;
    const char *value; uint32_t value_len;
};
bool sqs_attrs_next(const unsigned char *blob, size_t len, size_t *pos,
                    struct sqs_attr_view *attr);

/* ---- responses ------------------------------------------------------ */

struct sqs_send_result {
    char *id;                       /* batch entry id */
    char *message_id;
    char md5_body[33];
    char md5_attrs[33];             /* "" when no attributes */
    char md5_system_attrs[33];      /* "" when none */
    char *sequence_number;          /* FIFO only */
};

struct sqs_batch_failure {
    char *id;
    bool sender_fault;
    char *code;                     /* query code ("ReceiptHandleIsInvalid") */
    char *message;
};

struct sqs_received_message {
    char *message_id;
    char *receipt_handle;
    char md5_body[33];
    char *body;
    size_t body_len;
    struct sqs_kv_list system_attrs;   /* requested system attributes */
    char md5_attrs[33];                 /* over the returned attributes; "" when none */
    struct sqs_msg_attrs attrs;         /* requested message attributes */
};

struct sqs_move_task_info {
    char *task_handle;              /* only for RUNNING tasks */
    char *status;                   /* RUNNING, COMPLETED, CANCELLING, CANCELLED, FAILED */
    char *source_arn;
    char *destination_arn;          /* NULL when moving back to the sources */
    int max_per_second;             /* -1 = not given */
    int64_t moved;
    int64_t to_move;
    char *failure_reason;
    int64_t started_ms;
};

struct sqs_response {
    enum sqs_op op;
    struct arena arena;

    char *queue_url;                         /* CreateQueue, GetQueueUrl */
    struct sqs_kv_list attributes;           /* GetQueueAttributes */
    struct sqs_kv_list tags;                 /* ListQueueTags */
    struct sqs_str_list queue_urls;          /* ListQueues, ListDLSQ */
    char *next_token;

    struct sqs_send_result *sent;            /* SendMessage(Batch) successes */
    size_t n_sent;
    struct sqs_str_list succeeded_ids;       /* Delete/ChangeVisibility batch */
    struct sqs_batch_failure *failed;        /* any batch */
    size_t n_failed;

    struct sqs_received_message *messages;   /* ReceiveMessage */
    size_t n_messages;

    char *task_handle;                       /* StartMessageMoveTask */
    int64_t moved;                           /* CancelMessageMoveTask */
    struct sqs_move_task_info *tasks;        /* ListMessageMoveTasks */
    size_t n_tasks;
};

void sqs_response_init(struct sqs_response *resp, enum sqs_op op);
void sqs_response_free(struct sqs_response *resp);

/* ---- response.c ---------------------------------------------------- */

/* Result body: XML <{Op}Response><{Op}Result>..</..><ResponseMetadata>
 * for query, a JSON object for JSON. Status is always 200. `content_type`
 * receives "text/xml" or "application/x-amz-json-1.0". */
void sqs_encode_response(enum sqs_protocol proto, const struct sqs_response *resp,
                         const char *request_id, struct strbuf *out,
                         const char **content_type);

/* Error body and status. For JSON, `query_error_header` receives the value
 * of x-amzn-query-error ("AWS.SimpleQueueService.NonExistentQueue;Sender"). */
int sqs_encode_error(enum sqs_protocol proto, const struct sqs_error *err,
                     const char *request_id, struct strbuf *out,
                     const char **content_type,
                     char *query_error_header, size_t header_size);

#endif
