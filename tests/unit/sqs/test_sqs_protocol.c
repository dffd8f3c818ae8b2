/* test_sqs_protocol: the SQS wire layer. Decodes every operation from real
 * botocore request bodies in both protocols and checks the typed result,
 * drives every validation error, checks encoded results and errors
 * byte for byte, and checks MD5 values against vectors computed with
 * moto's (and AWS's documented) algorithm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/sqs/sqs.h"
#include "captured_requests.h"

#define QURL "http://localhost:4566/000000000000/q1"

static enum sqs_err decode_json(const char *op, const char *body, struct sqs_request *req,
                                struct sqs_error *err)
{
    char target[128];
    snprintf(target, sizeof(target), "AmazonSQS.%s", op);
    return sqs_decode_json(target, body, strlen(body), req, err);
}

static enum sqs_err decode_query(const char *body, struct sqs_request *req, struct sqs_error *err)
{
    return sqs_decode_query(NULL, 0, body, strlen(body), "/", req, err);
}

static void check_decoded(const struct sqs_request *r)
{
    switch (r->op) {
    case SQS_OP_CreateQueue:
        assert_string_equal(r->queue_name, "q1.fifo");
        assert_int_equal(r->attributes.n, 2);
        assert_string_equal(r->attributes.items[0].key, "FifoQueue");
        assert_string_equal(r->attributes.items[0].value, "true");
        assert_string_equal(r->attributes.items[1].key, "VisibilityTimeout");
        assert_string_equal(r->attributes.items[1].value, "45");
        assert_int_equal(r->tags.n, 1);
        assert_string_equal(r->tags.items[0].key, "env");
        assert_string_equal(r->tags.items[0].value, "dev");
        break;
    case SQS_OP_GetQueueUrl:
        assert_string_equal(r->queue_name, "q1");
        assert_string_equal(r->queue_owner, "000000000000");
        break;
    case SQS_OP_ListQueues:
        assert_string_equal(r->prefix, "q");
        assert_int_equal(r->max_results, 5);
        assert_string_equal(r->next_token, "tok");
        break;
    case SQS_OP_DeleteQueue:
    case SQS_OP_PurgeQueue:
    case SQS_OP_ListQueueTags:
        assert_string_equal(r->queue_url, QURL);
        break;
    case SQS_OP_GetQueueAttributes:
        assert_string_equal(r->queue_url, QURL);
        assert_int_equal(r->names.n, 2);
        assert_string_equal(r->names.items[0], "All");
        assert_string_equal(r->names.items[1], "VisibilityTimeout");
        break;
    case SQS_OP_SetQueueAttributes:
        assert_int_equal(r->attributes.n, 1);
        assert_string_equal(r->attributes.items[0].key, "DelaySeconds");
        assert_string_equal(r->attributes.items[0].value, "5");
        break;
    case SQS_OP_SendMessage: {
        assert_int_equal(r->n_sends, 1);
        const struct sqs_send_entry *e = &r->sends[0];
        assert_null(e->id);
        assert_string_equal(e->body, "hello & <world>");
        assert_int_equal(e->delay_seconds, 3);
        assert_string_equal(e->group_id, "g1");
        assert_string_equal(e->dedup_id, "d1");
        assert_int_equal(e->attrs.n, 3);          /* sorted by name */
        assert_string_equal(e->attrs.items[0].name, "b");
        assert_true(e->attrs.items[0].binary);
        assert_int_equal(e->attrs.items[0].value_len, 2);
        assert_memory_equal(e->attrs.items[0].value, "\x00\x01", 2);
        assert_string_equal(e->attrs.items[1].name, "n");
        assert_string_equal(e->attrs.items[1].data_type, "Number.int");
        assert_string_equal(e->attrs.items[2].name, "s");
        assert_string_equal(e->attrs.items[2].value, "v");
        assert_int_equal(e->system_attrs.n, 1);
        assert_string_equal(e->system_attrs.items[0].value, "Root=1");
        break;
    }
    case SQS_OP_SendMessageBatch:
        assert_int_equal(r->n_sends, 2);
        assert_string_equal(r->sends[0].id, "a");
        assert_string_equal(r->sends[0].body, "one");
        assert_int_equal(r->sends[0].delay_seconds, 1);
        assert_int_equal(r->sends[0].attrs.n, 1);
        assert_string_equal(r->sends[0].attrs.items[0].name, "k");
        assert_string_equal(r->sends[1].id, "b");
        assert_int_equal(r->sends[1].delay_seconds, -1);
        assert_string_equal(r->sends[1].group_id, "g");
        assert_string_equal(r->sends[1].dedup_id, "dd");
        break;
    case SQS_OP_ReceiveMessage:
        assert_int_equal(r->max_messages, 10);
        assert_int_equal(r->visibility_timeout, 20);
        assert_int_equal(r->wait_time_seconds, 5);
        assert_string_equal(r->receive_request_attempt_id, "att");
        assert_int_equal(r->names.n, 1);
        assert_int_equal(r->message_attribute_names.n, 1);
        assert_string_equal(r->message_attribute_names.items[0], "All");
        break;
    case SQS_OP_DeleteMessage:
        assert_int_equal(r->n_handles, 1);
        assert_string_equal(r->handles[0].receipt_handle, "rh1");
        break;
    case SQS_OP_DeleteMessageBatch:
        assert_int_equal(r->n_handles, 2);
        assert_string_equal(r->handles[1].id, "b");
        assert_string_equal(r->handles[1].receipt_handle, "rh2");
        break;
    case SQS_OP_ChangeMessageVisibility:
        assert_int_equal(r->handles[0].visibility_timeout, 60);
        break;
    case SQS_OP_ChangeMessageVisibilityBatch:
        assert_int_equal(r->n_handles, 2);
        assert_int_equal(r->handles[0].visibility_timeout, 10);
        assert_int_equal(r->handles[0].error.code, SQS_OK);
        /* an entry without VisibilityTimeout fails alone */
        assert_int_equal(r->handles[1].error.code, SQS_ERR_MISSING_PARAMETER);
        break;
    case SQS_OP_TagQueue:
        assert_int_equal(r->tags.n, 2);
        assert_string_equal(r->tags.items[1].key, "b");
        assert_string_equal(r->tags.items[1].value, "2");
        break;
    case SQS_OP_UntagQueue:
        assert_int_equal(r->names.n, 2);
        assert_string_equal(r->names.items[0], "a");
        break;
    case SQS_OP_AddPermission:
        assert_string_equal(r->label, "lbl");
        assert_int_equal(r->account_ids.n, 1);
        assert_int_equal(r->actions.n, 2);
        assert_string_equal(r->actions.items[1], "ReceiveMessage");
        break;
    case SQS_OP_RemovePermission:
        assert_string_equal(r->label, "lbl");
        break;
    case SQS_OP_ListDeadLetterSourceQueues:
        assert_int_equal(r->max_results, 10);
        break;
    case SQS_OP_StartMessageMoveTask:
        assert_string_equal(r->source_arn, "arn:aws:sqs:us-east-1:000000000000:dlq");
        assert_string_equal(r->destination_arn, "arn:aws:sqs:us-east-1:000000000000:q1");
        assert_int_equal(r->max_per_second, 50);
        break;
    case SQS_OP_ListMessageMoveTasks:
        assert_int_equal(r->max_results, 5);
        break;
    case SQS_OP_CancelMessageMoveTask:
        assert_string_equal(r->task_handle, "th1");
        break;
    case SQS_OP_COUNT:
        fail();
    }
}

static void test_decode_every_operation_both_protocols(void **state)
{
    (void)state;
    size_t n = sizeof(captured_requests) / sizeof(captured_requests[0]);
    assert_int_equal(n, SQS_OP_COUNT);
    for (size_t i = 0; i < n; i++) {
        const struct captured_request *c = &captured_requests[i];
        enum sqs_op op;
        assert_true(sqs_op_from_name(c->op, strlen(c->op), &op));
        struct sqs_request req;
        struct sqs_error err;
        assert_int_equal(decode_json(c->op, c->json, &req, &err), SQS_OK);
        assert_int_equal(req.op, op);
        check_decoded(&req);
        sqs_request_free(&req);
        if (decode_query(c->query, &req, &err) != SQS_OK)
            fail_msg("%s: %s", c->op, err.message);
        assert_int_equal(req.op, op);
        check_decoded(&req);
        sqs_request_free(&req);
    }
}

static void test_query_get_and_path_queue_url(void **state)
{
    (void)state;
    struct sqs_request req;
    struct sqs_error err;
    const char *q = "Action=ListQueues&QueueNamePrefix=a+b%2Bc";
    assert_int_equal(sqs_decode_query(q, strlen(q), NULL, 0, "/", &req, &err), SQS_OK);
    assert_string_equal(req.prefix, "a b+c");
    sqs_request_free(&req);
    const char *body = "Action=PurgeQueue&Version=2012-11-05";
    assert_int_equal(sqs_decode_query(NULL, 0, body, strlen(body), "/000000000000/q1", &req, &err),
                     SQS_OK);
    assert_string_equal(req.queue_url, "/000000000000/q1");
    sqs_request_free(&req);
    /* the body wins over the URL query */
    const char *url = "Action=GetQueueUrl&QueueName=fromurl";
    body = "QueueName=frombody";
    assert_int_equal(sqs_decode_query(url, strlen(url), body, strlen(body), "/", &req, &err), SQS_OK);
    assert_string_equal(req.queue_name, "frombody");
    sqs_request_free(&req);
}

struct bad_case {
    bool json;
    const char *op;       /* JSON target suffix */
    const char *body;
    enum sqs_err want;
};

static void run_bad(const struct bad_case *c)
{
    struct sqs_request req;
    struct sqs_error err;
    enum sqs_err got = c->json ? decode_json(c->op, c->body, &req, &err)
                               : decode_query(c->body, &req, &err);
    if (got != c->want)
        fail_msg("%s %.80s: got %d (%s), want %d", c->json ? "json" : "query", c->body, got,
                 err.message, c->want);
    assert_int_equal(err.code, c->want);
    assert_true(err.message[0] != '\0');
    assert_null(req.arena.head);   /* freed on failure */
}

static void test_decode_errors(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {false, NULL, "Version=2012-11-05", SQS_ERR_MISSING_ACTION},
        {false, NULL, "Action=Bogus", SQS_ERR_INVALID_ACTION},
        {true, "Bogus", "{}", SQS_ERR_UNKNOWN_OPERATION},
        {true, "ListQueues", "{", SQS_ERR_SERIALIZATION},
        {true, "ListQueues", "[]", SQS_ERR_SERIALIZATION},
        {true, "ListQueues", "", SQS_ERR_SERIALIZATION},
        {true, "SendMessage", "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"DelaySeconds\":\"5\"}",
         SQS_ERR_SERIALIZATION},
        {true, "SendMessage", "{\"QueueUrl\":5,\"MessageBody\":\"x\"}", SQS_ERR_SERIALIZATION},
        {true, "GetQueueAttributes", "{\"QueueUrl\":\"u\",\"AttributeNames\":\"All\"}",
         SQS_ERR_SERIALIZATION},
        {false, NULL, "Action=ListQueues&QueueNamePrefix=%zz", SQS_ERR_MALFORMED_QUERY_STRING},
        {false, NULL, "Action=ListQueues&QueueNamePrefix=%2", SQS_ERR_MALFORMED_QUERY_STRING},
        {false, NULL, "Action=SendMessage&MessageBody=x", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=SendMessage&QueueUrl=u", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=CreateQueue", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=a%01b",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=a%FFb",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=a%00b",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=%EF%BF%BE",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=%ED%A0%80",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=%C0%AF",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {true, "SendMessage", "{\"QueueUrl\":\"u\",\"MessageBody\":\"a\\u0002\"}",
         SQS_ERR_INVALID_MESSAGE_CONTENTS},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=x&DelaySeconds=901",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=SendMessage&QueueUrl=u&MessageBody=x&DelaySeconds=-1",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=11",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ReceiveMessage&QueueUrl=u&MaxNumberOfMessages=0",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ReceiveMessage&QueueUrl=u&WaitTimeSeconds=21",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ReceiveMessage&QueueUrl=u&VisibilityTimeout=43201",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ReceiveMessage&QueueUrl=u&VisibilityTimeout=abc",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ChangeMessageVisibility&QueueUrl=u&ReceiptHandle=h",
         SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=ChangeMessageVisibility&QueueUrl=u&ReceiptHandle=h&VisibilityTimeout=43201",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=DeleteMessage&QueueUrl=u", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=SendMessageBatch&QueueUrl=u", SQS_ERR_EMPTY_BATCH},
        {false, NULL, "Action=DeleteMessageBatch&QueueUrl=u", SQS_ERR_EMPTY_BATCH},
        {false, NULL,
         "Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a&"
         "SendMessageBatchRequestEntry.1.MessageBody=x&SendMessageBatchRequestEntry.2.Id=a&"
         "SendMessageBatchRequestEntry.2.MessageBody=y", SQS_ERR_BATCH_IDS_NOT_DISTINCT},
        {false, NULL,
         "Action=DeleteMessageBatch&QueueUrl=u&DeleteMessageBatchRequestEntry.1.Id=a%20b&"
         "DeleteMessageBatchRequestEntry.1.ReceiptHandle=h", SQS_ERR_INVALID_BATCH_ENTRY_ID},
        {true, "ChangeMessageVisibilityBatch",
         "{\"QueueUrl\":\"u\",\"Entries\":[{\"ReceiptHandle\":\"h\",\"VisibilityTimeout\":1}]}",
         SQS_ERR_INVALID_BATCH_ENTRY_ID},
        {true, "SendMessageBatch", "{\"QueueUrl\":\"u\",\"Entries\":{}}", SQS_ERR_SERIALIZATION},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageAttributes\":{\"a\":{\"DataType\":\"Foo\",\"StringValue\":\"1\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageAttributes\":{\"a\":{\"DataType\":\"Number\",\"StringValue\":\"x1\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageAttributes\":{\"a\":{\"DataType\":\"String\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageAttributes\":{\"AWS.x\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageAttributes\":{\"a\":{\"DataType\":\"Binary\",\"BinaryValue\":\"!!\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {true, "SendMessage",
         "{\"QueueUrl\":\"u\",\"MessageBody\":\"x\",\"MessageSystemAttributes\":{\"Other\":{\"DataType\":\"String\",\"StringValue\":\"1\"}}}",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL,
         "Action=AddPermission&QueueUrl=u&Label=l&AWSAccountId.1=1&ActionName.1=a&ActionName.2=a&"
         "ActionName.3=a&ActionName.4=a&ActionName.5=a&ActionName.6=a&ActionName.7=a&ActionName.8=a",
         SQS_ERR_OVER_LIMIT},
        {false, NULL, "Action=AddPermission&QueueUrl=u&Label=l&ActionName.1=a", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=ListQueues&MaxResults=0", SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=ListMessageMoveTasks&SourceArn=a&MaxResults=11",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=StartMessageMoveTask&SourceArn=a&MaxNumberOfMessagesPerSecond=501",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {false, NULL, "Action=SetQueueAttributes&QueueUrl=u", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=TagQueue&QueueUrl=u", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=UntagQueue&QueueUrl=u", SQS_ERR_MISSING_PARAMETER},
        {false, NULL, "Action=CancelMessageMoveTask", SQS_ERR_MISSING_PARAMETER},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_bad(&cases[i]);
}

static char *batch_body(size_t entries, size_t body_len)
{
    size_t cap = 256 + entries * (body_len + 200);
    char *s = malloc(cap);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, cap, "Action=SendMessageBatch&QueueUrl=u");
    for (size_t i = 1; i <= entries; i++) {
        n += (size_t)snprintf(s + n, cap - n,
                              "&SendMessageBatchRequestEntry.%zu.Id=e%zu"
                              "&SendMessageBatchRequestEntry.%zu.MessageBody=", i, i, i);
        memset(s + n, 'x', body_len);
        n += body_len;
        s[n] = '\0';
    }
    return s;
}

static void test_batch_limits(void **state)
{
    (void)state;
    struct sqs_request req;
    struct sqs_error err;
    char *s = batch_body(11, 3);
    assert_int_equal(decode_query(s, &req, &err), SQS_ERR_TOO_MANY_ENTRIES);
    assert_string_equal(err.message, "Maximum number of entries per request are 10. You have sent 11.");
    free(s);
    s = batch_body(10, 3);
    assert_int_equal(decode_query(s, &req, &err), SQS_OK);
    assert_int_equal(req.n_sends, 10);
    sqs_request_free(&req);
    free(s);
    s = batch_body(2, 600 * 1024);
    assert_int_equal(decode_query(s, &req, &err), SQS_ERR_BATCH_REQUEST_TOO_LONG);
    free(s);
    s = batch_body(1, SQS_MAX_PAYLOAD + 1);
    /* one oversized entry fails alone; the batch itself is answered */
    assert_int_equal(decode_query(s, &req, &err), SQS_OK);
    assert_int_equal(req.sends[0].error.code, SQS_ERR_INVALID_PARAMETER_VALUE);
    sqs_request_free(&req);
    free(s);
    const char *bad_entry = "Action=SendMessageBatch&QueueUrl=u&SendMessageBatchRequestEntry.1.Id=a"
                            "&SendMessageBatchRequestEntry.1.MessageBody=ok"
                            "&SendMessageBatchRequestEntry.2.Id=b"
                            "&SendMessageBatchRequestEntry.2.MessageBody=%01";
    assert_int_equal(decode_query(bad_entry, &req, &err), SQS_OK);
    assert_int_equal(req.sends[0].error.code, SQS_OK);
    assert_int_equal(req.sends[1].error.code, SQS_ERR_INVALID_MESSAGE_CONTENTS);
    sqs_request_free(&req);
}

static void test_body_characters(void **state)
{
    (void)state;
    struct sqs_error err;
    assert_true(sqs_body_is_valid("a\tb\nc\rd", 7, &err));
    assert_true(sqs_body_is_valid("\xF0\x9F\x98\x80", 4, &err));        /* U+1F600 */
    assert_true(sqs_body_is_valid("\xEF\xBF\xBD", 3, &err));            /* U+FFFD */
    assert_false(sqs_body_is_valid("\x1F", 1, &err));
    assert_string_equal(err.message,
                        "Invalid binary character '#x1F' was found in the message body, the set "
                        "of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
                        "#xFFFD | #x10000 to #x10FFFF");
    assert_false(sqs_body_is_valid("\xF4\x90\x80\x80", 4, &err));       /* > U+10FFFF */
    assert_false(sqs_body_is_valid("\xE2\x82", 2, &err));               /* truncated */
}

static void test_md5_vectors(void **state)
{
    (void)state;
    struct sqs_request req;
    struct sqs_error err;
    const struct captured_request *c = &captured_requests[SQS_OP_SendMessage];
    assert_string_equal(c->op, "SendMessage");
    assert_int_equal(decode_json(c->op, c->json, &req, &err), SQS_OK);
    char md5[33];
    sqs_md5_hex(req.sends[0].body, req.sends[0].body_len, md5);
    assert_string_equal(md5, "f83460ea789ae129081c4d9c5f8f440a");
    sqs_attrs_md5(&req.sends[0].attrs, md5);
    assert_string_equal(md5, "17d6790a6a7e8ef3fd91905da07dcd5e");
    sqs_attrs_md5(&req.sends[0].system_attrs, md5);
    assert_string_equal(md5, "d6619b3d47b81d3fc72c0db005a70eda");
    struct sqs_msg_attrs none = {0};
    sqs_attrs_md5(&none, md5);
    assert_string_equal(md5, "");

    /* the stored encoding iterates back to the same attributes */
    struct strbuf sb;
    strbuf_init(&sb);
    sqs_attrs_encode(&req.sends[0].attrs, &sb);
    size_t pos = 0, n = 0;
    struct sqs_attr_view v;
    while (sqs_attrs_next((unsigned char *)sb.data, sb.len, &pos, &v)) {
        assert_int_equal(v.name_len, 1);
        assert_memory_equal(v.name, req.sends[0].attrs.items[n].name, 1);
        assert_int_equal(v.binary, req.sends[0].attrs.items[n].binary);
        n++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(pos, sb.len);
    size_t truncated = 0, count = 0;
    while (sqs_attrs_next((unsigned char *)sb.data, sb.len - 1, &truncated, &v))
        count++;
    assert_int_equal(count, 2);   /* the damaged last attribute is not returned */
    strbuf_free(&sb);
    sqs_request_free(&req);
}

static void test_parse_queue_url(void **state)
{
    (void)state;
    char acct[16], name[96];
    assert_true(sqs_parse_queue_url("http://h:1/123456789012/my-q", acct, sizeof(acct), name,
                                    sizeof(name)));
    assert_string_equal(acct, "123456789012");
    assert_string_equal(name, "my-q");
    assert_true(sqs_parse_queue_url("/1/q.fifo", acct, sizeof(acct), name, sizeof(name)));
    assert_string_equal(name, "q.fifo");
    assert_false(sqs_parse_queue_url("http://h/q", acct, sizeof(acct), name, sizeof(name)));
    assert_false(sqs_parse_queue_url("http://h/1/a/b", acct, sizeof(acct), name, sizeof(name)));
    assert_false(sqs_parse_queue_url("garbage", acct, sizeof(acct), name, sizeof(name)));
}

/* ---- encoding ------------------------------------------------------------ */

static char *encode(enum sqs_protocol p, const struct sqs_response *r)
{
    struct strbuf sb;
    strbuf_init(&sb);
    const char *ct;
    sqs_encode_response(p, r, "req-1", &sb, &ct);
    assert_false(strbuf_failed(&sb));
    assert_string_equal(ct, p == SQS_PROTOCOL_JSON ? "application/x-amz-json-1.0" : "text/xml");
    return strbuf_detach(&sb, NULL);
}

#define XML_HEAD "<?xml version=\"1.0\"?>"
#define NS " xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\""
#define META "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"

static void expect(enum sqs_protocol p, const struct sqs_response *r, const char *want)
{
    char *got = encode(p, r);
    assert_string_equal(got, want);
    free(got);
}

static void test_encode_simple_results(void **state)
{
    (void)state;
    struct sqs_response r;
    sqs_response_init(&r, SQS_OP_CreateQueue);
    r.queue_url = "http://h/1/a&b";
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<CreateQueueResponse" NS "><CreateQueueResult><QueueUrl>http://h/1/a&amp;b"
           "</QueueUrl></CreateQueueResult>" META "</CreateQueueResponse>");
    expect(SQS_PROTOCOL_JSON, &r, "{\"QueueUrl\":\"http://h/1/a&b\"}");

    sqs_response_init(&r, SQS_OP_DeleteQueue);
    expect(SQS_PROTOCOL_QUERY, &r, XML_HEAD "<DeleteQueueResponse" NS ">" META "</DeleteQueueResponse>");
    expect(SQS_PROTOCOL_JSON, &r, "{}");

    sqs_response_init(&r, SQS_OP_ListQueues);
    char *urls[] = {"u1", "u2"};
    r.queue_urls = (struct sqs_str_list){urls, 2};
    r.next_token = "t";
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<ListQueuesResponse" NS "><ListQueuesResult><QueueUrl>u1</QueueUrl><QueueUrl>u2"
           "</QueueUrl><NextToken>t</NextToken></ListQueuesResult>" META "</ListQueuesResponse>");
    expect(SQS_PROTOCOL_JSON, &r, "{\"QueueUrls\":[\"u1\",\"u2\"],\"NextToken\":\"t\"}");

    sqs_response_init(&r, SQS_OP_ListDeadLetterSourceQueues);
    expect(SQS_PROTOCOL_JSON, &r, "{\"queueUrls\":[]}");

    sqs_response_init(&r, SQS_OP_GetQueueAttributes);
    struct sqs_kv kv[] = {{"VisibilityTimeout", "30"}, {"Policy", "{\"a\":1}"}};
    r.attributes = (struct sqs_kv_list){kv, 2};
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<GetQueueAttributesResponse" NS "><GetQueueAttributesResult><Attribute><Name>"
           "VisibilityTimeout</Name><Value>30</Value></Attribute><Attribute><Name>Policy</Name>"
           "<Value>{&quot;a&quot;:1}</Value></Attribute></GetQueueAttributesResult>" META
           "</GetQueueAttributesResponse>");
    expect(SQS_PROTOCOL_JSON, &r,
           "{\"Attributes\":{\"VisibilityTimeout\":\"30\",\"Policy\":\"{\\\"a\\\":1}\"}}");

    sqs_response_init(&r, SQS_OP_ListQueueTags);
    struct sqs_kv tag[] = {{"env", "dev"}};
    r.tags = (struct sqs_kv_list){tag, 1};
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<ListQueueTagsResponse" NS "><ListQueueTagsResult><Tag><Key>env</Key><Value>dev"
           "</Value></Tag></ListQueueTagsResult>" META "</ListQueueTagsResponse>");
    expect(SQS_PROTOCOL_JSON, &r, "{\"Tags\":{\"env\":\"dev\"}}");

    sqs_response_init(&r, SQS_OP_CancelMessageMoveTask);
    r.moved = 7;
    expect(SQS_PROTOCOL_JSON, &r, "{\"ApproximateNumberOfMessagesMoved\":7}");
}

static void test_encode_send_and_batches(void **state)
{
    (void)state;
    struct sqs_response r;
    struct sqs_send_result sent = {.id = "a", .message_id = "m1",
                                   .md5_body = "f83460ea789ae129081c4d9c5f8f440a",
                                   .sequence_number = "10000000000000000001"};
    struct sqs_batch_failure failed = {"b", true, "InvalidMessageContents", "bad"};
    sqs_response_init(&r, SQS_OP_SendMessage);
    r.sent = &sent;
    r.n_sent = 1;
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<SendMessageResponse" NS "><SendMessageResult><Id>a</Id><MessageId>m1"
           "</MessageId><MD5OfMessageBody>f83460ea789ae129081c4d9c5f8f440a</MD5OfMessageBody>"
           "<SequenceNumber>10000000000000000001</SequenceNumber></SendMessageResult>" META
           "</SendMessageResponse>");
    sqs_response_init(&r, SQS_OP_SendMessageBatch);
    r.sent = &sent;
    r.n_sent = 1;
    r.failed = &failed;
    r.n_failed = 1;
    expect(SQS_PROTOCOL_JSON, &r,
           "{\"Successful\":[{\"Id\":\"a\",\"MessageId\":\"m1\",\"MD5OfMessageBody\":"
           "\"f83460ea789ae129081c4d9c5f8f440a\",\"SequenceNumber\":\"10000000000000000001\"}],"
           "\"Failed\":[{\"Id\":\"b\",\"SenderFault\":true,\"Code\":\"InvalidMessageContents\","
           "\"Message\":\"bad\"}]}");
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<SendMessageBatchResponse" NS "><SendMessageBatchResult>"
           "<SendMessageBatchResultEntry><Id>a</Id><MessageId>m1</MessageId><MD5OfMessageBody>"
           "f83460ea789ae129081c4d9c5f8f440a</MD5OfMessageBody><SequenceNumber>"
           "10000000000000000001</SequenceNumber></SendMessageBatchResultEntry>"
           "<BatchResultErrorEntry><Id>b</Id><SenderFault>true</SenderFault><Code>"
           "InvalidMessageContents</Code><Message>bad</Message></BatchResultErrorEntry>"
           "</SendMessageBatchResult>" META "</SendMessageBatchResponse>");
    sqs_response_init(&r, SQS_OP_DeleteMessageBatch);
    char *ids[] = {"x"};
    r.succeeded_ids = (struct sqs_str_list){ids, 1};
    expect(SQS_PROTOCOL_JSON, &r, "{\"Successful\":[{\"Id\":\"x\"}],\"Failed\":[]}");
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<DeleteMessageBatchResponse" NS "><DeleteMessageBatchResult>"
           "<DeleteMessageBatchResultEntry><Id>x</Id></DeleteMessageBatchResultEntry>"
           "</DeleteMessageBatchResult>" META "</DeleteMessageBatchResponse>");
}

static void test_encode_receive(void **state)
{
    (void)state;
    struct sqs_response r;
    sqs_response_init(&r, SQS_OP_ReceiveMessage);
    expect(SQS_PROTOCOL_JSON, &r, "{}");
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<ReceiveMessageResponse" NS "><ReceiveMessageResult></ReceiveMessageResult>"
           META "</ReceiveMessageResponse>");
    struct sqs_kv sys[] = {{"SentTimestamp", "1700000000000"}};
    struct sqs_msg_attr attrs[] = {{"b", "Binary", true, "\x00\x01\xff", 3},
                                   {"s", "String", false, "v<", 2}};
    struct sqs_received_message m = {
        .message_id = "id1", .receipt_handle = "rh", .md5_body = "00", .body = "a\rb", .body_len = 3,
        .system_attrs = {sys, 1}, .md5_attrs = "11", .attrs = {attrs, 2}};
    r.messages = &m;
    r.n_messages = 1;
    expect(SQS_PROTOCOL_QUERY, &r,
           XML_HEAD "<ReceiveMessageResponse" NS "><ReceiveMessageResult><Message><MessageId>id1"
           "</MessageId><ReceiptHandle>rh</ReceiptHandle><MD5OfBody>00</MD5OfBody><Body>a&#13;b"
           "</Body><Attribute><Name>SentTimestamp</Name><Value>1700000000000</Value></Attribute>"
           "<MD5OfMessageAttributes>11</MD5OfMessageAttributes><MessageAttribute><Name>b</Name>"
           "<Value><BinaryValue>AAH/</BinaryValue><DataType>Binary</DataType></Value>"
           "</MessageAttribute><MessageAttribute><Name>s</Name><Value><StringValue>v&lt;"
           "</StringValue><DataType>String</DataType></Value></MessageAttribute></Message>"
           "</ReceiveMessageResult>" META "</ReceiveMessageResponse>");
    expect(SQS_PROTOCOL_JSON, &r,
           "{\"Messages\":[{\"MessageId\":\"id1\",\"ReceiptHandle\":\"rh\",\"MD5OfBody\":\"00\","
           "\"Body\":\"a\\rb\",\"Attributes\":{\"SentTimestamp\":\"1700000000000\"},"
           "\"MD5OfMessageAttributes\":\"11\",\"MessageAttributes\":{\"b\":{\"BinaryValue\":"
           "\"AAH/\",\"DataType\":\"Binary\"},\"s\":{\"StringValue\":\"v<\",\"DataType\":"
           "\"String\"}}}]}");
}

static void test_encode_errors(void **state)
{
    (void)state;
    struct sqs_error err;
    sqs_error_set(&err, SQS_ERR_QUEUE_DOES_NOT_EXIST, "The specified queue does not exist.");
    struct strbuf sb;
    strbuf_init(&sb);
    const char *ct;
    char header[128];
    int status = sqs_encode_error(SQS_PROTOCOL_QUERY, &err, "req-1", &sb, &ct, header, sizeof(header));
    assert_int_equal(status, 400);
    assert_string_equal(ct, "text/xml");
    assert_string_equal(sb.data,
                        XML_HEAD "<ErrorResponse" NS "><Error><Type>Sender</Type><Code>"
                        "AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified "
                        "queue does not exist.</Message><Detail/></Error><RequestId>req-1"
                        "</RequestId></ErrorResponse>");
    strbuf_reset(&sb);
    status = sqs_encode_error(SQS_PROTOCOL_JSON, &err, "req-1", &sb, &ct, header, sizeof(header));
    assert_int_equal(status, 400);
    assert_string_equal(ct, "application/x-amz-json-1.0");
    assert_string_equal(header, "AWS.SimpleQueueService.NonExistentQueue;Sender");
    assert_string_equal(sb.data, "{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\","
                                 "\"message\":\"The specified queue does not exist.\"}");
    strbuf_free(&sb);

    /* each error's JSON shape name vs its query code, as in the model */
    assert_string_equal(sqs_err_json_type(SQS_ERR_QUEUE_ALREADY_EXISTS), "com.amazonaws.sqs#QueueNameExists");
    assert_string_equal(sqs_err_query_code(SQS_ERR_QUEUE_ALREADY_EXISTS), "QueueAlreadyExists");
    assert_string_equal(sqs_err_query_code(SQS_ERR_TOO_MANY_ENTRIES),
                        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest");
    assert_string_equal(sqs_err_query_code(SQS_ERR_RECEIPT_HANDLE_IS_INVALID), "ReceiptHandleIsInvalid");
    assert_int_equal(sqs_err_status(SQS_ERR_PURGE_IN_PROGRESS), 403);
    assert_int_equal(sqs_err_status(SQS_ERR_OVER_LIMIT), 403);
    assert_int_equal(sqs_err_status(SQS_ERR_INTERNAL), 500);
    assert_false(sqs_err_sender_fault(SQS_ERR_INTERNAL));
    for (int e = 1; e < SQS_ERR_COUNT; e++) {
        assert_true(sqs_err_json_type((enum sqs_err)e)[0] != '\0');
        assert_true(sqs_err_query_code((enum sqs_err)e)[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_every_operation_both_protocols),
        cmocka_unit_test(test_query_get_and_path_queue_url),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_batch_limits),
        cmocka_unit_test(test_body_characters),
        cmocka_unit_test(test_md5_vectors),
        cmocka_unit_test(test_parse_queue_url),
        cmocka_unit_test(test_encode_simple_results),
        cmocka_unit_test(test_encode_send_and_batches),
        cmocka_unit_test(test_encode_receive),
        cmocka_unit_test(test_encode_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
