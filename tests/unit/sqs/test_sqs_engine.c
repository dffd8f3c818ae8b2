/* test_sqs_engine: SQS semantics of the queue engine. Requests are written
 * as query-protocol bodies, decoded by the real decoder and executed with
 * an explicit clock, so visibility timeouts, delays, retention and the
 * dedup window are tested by moving `now` rather than by sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/sqs/sqs.h"
#include "storage/sqs/sqs_engine.h"

#define T0 1700000000000LL
#define ACCT "000000000000"
#define EP "http://localhost:4566"
#define Q(name) "QueueUrl=" EP "/" ACCT "/" name
#define ARN(name) "arn:aws:sqs:us-east-1:" ACCT ":" name

struct fixture {
    struct sqs_engine *e;
    struct sqs_changes changes;
    int available;              /* on_message_available calls */
    struct sqs_queue *last_available;
    struct sqs_response resp;
    struct sqs_error err;
    char handle[16][128];       /* receipt handles of the last receive */
};

static void on_available(void *ud, struct sqs_queue *q)
{
    struct fixture *f = ud;
    f->available++;
    f->last_available = q;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    struct sqs_engine_config cfg = {.region = "us-east-1", .on_message_available = on_available, .ud = f};
    f->e = sqs_engine_new(&cfg);
    sqs_changes_init(&f->changes);
    *state = f;
    return f->e ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sqs_response_free(&f->resp);
    sqs_changes_free(&f->changes);
    sqs_engine_free(f->e);
    free(f);
    return 0;
}

/* Decodes `fmt` as a query body and executes it at time `now`. */
static enum sqs_err run(struct fixture *f, int64_t now, const char *fmt, ...)
{
    char body[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    sqs_response_free(&f->resp);
    struct sqs_request req;
    enum sqs_err rc = sqs_decode_query(NULL, 0, body, strlen(body), "/", &req, &f->err);
    if (rc)
        return rc;
    struct sqs_call call = {.account = ACCT, .endpoint = EP, .sender_id = "AKIDTEST", .now_ms = now,
                            .changes = &f->changes};
    rc = sqs_engine_execute(f->e, &call, &req, &f->resp, &f->err);
    sqs_request_free(&req);
    for (size_t i = 0; i < f->resp.n_messages && i < 16; i++)
        snprintf(f->handle[i], sizeof(f->handle[i]), "%s", f->resp.messages[i].receipt_handle);
    return rc;
}

#define OK(f, now, ...) do { \
        enum sqs_err rc_ = run(f, now, __VA_ARGS__); \
        if (rc_ != SQS_OK) fail_msg("line %d: error %d: %s", __LINE__, rc_, (f)->err.message); \
    } while (0)

static const char *attr(struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->resp.attributes.n; i++)
        if (strcmp(f->resp.attributes.items[i].key, name) == 0)
            return f->resp.attributes.items[i].value;
    return NULL;
}

static const char *sys_attr(const struct sqs_received_message *m, const char *name)
{
    for (size_t i = 0; i < m->system_attrs.n; i++)
        if (strcmp(m->system_attrs.items[i].key, name) == 0)
            return m->system_attrs.items[i].value;
    return NULL;
}

static long count(struct fixture *f, const char *queue, const char *which, int64_t now)
{
    if (run(f, now, "Action=GetQueueAttributes&QueueUrl=" EP "/" ACCT "/%s&AttributeName.1=%s",
            queue, which) != SQS_OK)
        fail_msg("GetQueueAttributes: %s", f->err.message);
    const char *v = attr(f, which);
    assert_non_null(v);
    return atol(v);
}

/* ---- queues ------------------------------------------------------------ */

static void test_create_queue_idempotence(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40");
    assert_string_equal(f->resp.queue_url, EP "/" ACCT "/q");
    assert_int_equal(f->changes.n, 1);
    assert_int_equal(f->changes.items[0].kind, SQS_CHANGE_QUEUE_PUT);
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=40");
    assert_string_equal(f->resp.queue_url, EP "/" ACCT "/q");
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0");
    assert_int_equal(f->changes.n, 1);
    assert_int_equal(run(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&"
                                "Attribute.1.Value=41"), SQS_ERR_QUEUE_ALREADY_EXISTS);
    assert_string_equal(f->err.message, "A queue already exists with the same name and a different "
                                        "value for attribute VisibilityTimeout");
    OK(f, T0, "Action=GetQueueUrl&QueueName=q");
    assert_string_equal(f->resp.queue_url, EP "/" ACCT "/q");
    assert_int_equal(run(f, T0, "Action=GetQueueUrl&QueueName=nope"), SQS_ERR_QUEUE_DOES_NOT_EXIST);
    assert_int_equal(run(f, T0, "Action=GetQueueUrl&QueueName=q&QueueOwnerAWSAccountId=111111111111"),
                     SQS_ERR_QUEUE_DOES_NOT_EXIST);
    /* a deleted name can be reused at once */
    OK(f, T0, "Action=DeleteQueue&" Q("q"));
    assert_int_equal(run(f, T0, "Action=DeleteQueue&" Q("q")), SQS_ERR_QUEUE_DOES_NOT_EXIST);
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=41");
}

static void test_queue_attribute_validation(void **state)
{
    struct fixture *f = *state;
    static const struct { const char *body; enum sqs_err want; } bad[] = {
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=43201",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=DelaySeconds&Attribute.1.Value=901",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=MaximumMessageSize&Attribute.1.Value=1023",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=MaximumMessageSize&Attribute.1.Value=1048577",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=MessageRetentionPeriod&Attribute.1.Value=59",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=ReceiveMessageWaitTimeSeconds&Attribute.1.Value=21",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=Policy&Attribute.1.Value=nojson",
         SQS_ERR_INVALID_ATTRIBUTE_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=Bogus&Attribute.1.Value=1",
         SQS_ERR_INVALID_ATTRIBUTE_NAME},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=QueueArn&Attribute.1.Value=1",
         SQS_ERR_INVALID_ATTRIBUTE_NAME},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=ContentBasedDeduplication&Attribute.1.Value=true",
         SQS_ERR_INVALID_ATTRIBUTE_NAME},
        {"Action=CreateQueue&QueueName=a.fifo", SQS_ERR_INVALID_PARAMETER_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=FifoQueue&Attribute.1.Value=true",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {"Action=CreateQueue&QueueName=bad%20name", SQS_ERR_INVALID_PARAMETER_VALUE},
        {"Action=CreateQueue&QueueName=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         SQS_ERR_INVALID_PARAMETER_VALUE},
        {"Action=CreateQueue&QueueName=a&Attribute.1.Name=RedrivePolicy&Attribute.1.Value="
         "%7B%22deadLetterTargetArn%22%3A%22" ARN("none") "%22%2C%22maxReceiveCount%22%3A3%7D",
         SQS_ERR_INVALID_PARAMETER_VALUE},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        enum sqs_err rc = run(f, T0, "%s", bad[i].body);
        if (rc != bad[i].want)
            fail_msg("%s: got %d (%s)", bad[i].body, rc, f->err.message);
    }
    assert_int_equal(f->changes.n, 0);   /* nothing was created */
    OK(f, T0, "Action=CreateQueue&QueueName=a");
    OK(f, T0, "Action=GetQueueAttributes&" Q("a") "&AttributeName.1=All");
    assert_string_equal(attr(f, "VisibilityTimeout"), "30");
    assert_string_equal(attr(f, "DelaySeconds"), "0");
    assert_string_equal(attr(f, "MaximumMessageSize"), "1048576");
    assert_string_equal(attr(f, "MessageRetentionPeriod"), "345600");
    assert_string_equal(attr(f, "ReceiveMessageWaitTimeSeconds"), "0");
    assert_string_equal(attr(f, "QueueArn"), ARN("a"));
    assert_string_equal(attr(f, "CreatedTimestamp"), "1700000000");
    assert_string_equal(attr(f, "ApproximateNumberOfMessages"), "0");
    assert_null(attr(f, "FifoQueue"));
    assert_null(attr(f, "RedrivePolicy"));
    OK(f, T0 + 5000, "Action=SetQueueAttributes&" Q("a") "&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5");
    OK(f, T0, "Action=GetQueueAttributes&" Q("a") "&AttributeName.1=DelaySeconds&AttributeName.2=LastModifiedTimestamp");
    assert_int_equal(f->resp.attributes.n, 2);
    assert_string_equal(attr(f, "DelaySeconds"), "5");
    assert_string_equal(attr(f, "LastModifiedTimestamp"), "1700000005");
    assert_int_equal(run(f, T0, "Action=GetQueueAttributes&" Q("a") "&AttributeName.1=Nope"),
                     SQS_ERR_INVALID_ATTRIBUTE_NAME);
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("a") "&Attribute.1.Name=FifoQueue&"
                                "Attribute.1.Value=true"), SQS_ERR_INVALID_ATTRIBUTE_NAME);
    /* a failed Set changes nothing */
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("a") "&Attribute.1.Name=DelaySeconds&"
                                "Attribute.1.Value=7&Attribute.2.Name=VisibilityTimeout&"
                                "Attribute.2.Value=-1"), SQS_ERR_INVALID_ATTRIBUTE_VALUE);
    OK(f, T0, "Action=GetQueueAttributes&" Q("a") "&AttributeName.1=DelaySeconds");
    assert_string_equal(attr(f, "DelaySeconds"), "5");

    OK(f, T0, "Action=CreateQueue&QueueName=f.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true");
    OK(f, T0, "Action=GetQueueAttributes&" Q("f.fifo") "&AttributeName.1=All");
    assert_string_equal(attr(f, "FifoQueue"), "true");
    assert_string_equal(attr(f, "ContentBasedDeduplication"), "false");
    assert_string_equal(attr(f, "DeduplicationScope"), "queue");
    assert_string_equal(attr(f, "FifoThroughputLimit"), "perQueue");
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("f.fifo") "&Attribute.1.Name="
                                "FifoThroughputLimit&Attribute.1.Value=perMessageGroupId"),
                     SQS_ERR_INVALID_ATTRIBUTE_VALUE);
    OK(f, T0, "Action=SetQueueAttributes&" Q("f.fifo") "&Attribute.1.Name=FifoThroughputLimit&"
              "Attribute.1.Value=perMessageGroupId&Attribute.2.Name=DeduplicationScope&"
              "Attribute.2.Value=messageGroup");
    /* a standard queue cannot be a FIFO queue's DLQ */
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("f.fifo") "&Attribute.1.Name="
                                "RedrivePolicy&Attribute.1.Value=%%7B%%22deadLetterTargetArn%%22%%3A"
                                "%%22" ARN("a") "%%22%%2C%%22maxReceiveCount%%22%%3A3%%7D"),
                     SQS_ERR_INVALID_PARAMETER_VALUE);
}

static void test_list_queues(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=b1");
    OK(f, T0, "Action=CreateQueue&QueueName=a2");
    OK(f, T0, "Action=CreateQueue&QueueName=a1");
    OK(f, T0, "Action=ListQueues");
    assert_int_equal(f->resp.queue_urls.n, 3);
    assert_string_equal(f->resp.queue_urls.items[0], EP "/" ACCT "/a1");
    assert_null(f->resp.next_token);
    OK(f, T0, "Action=ListQueues&QueueNamePrefix=a");
    assert_int_equal(f->resp.queue_urls.n, 2);
    OK(f, T0, "Action=ListQueues&MaxResults=2");
    assert_int_equal(f->resp.queue_urls.n, 2);
    assert_non_null(f->resp.next_token);
    char token[128];
    snprintf(token, sizeof(token), "%s", f->resp.next_token);
    OK(f, T0, "Action=ListQueues&MaxResults=2&NextToken=%s", token);
    assert_int_equal(f->resp.queue_urls.n, 1);
    assert_string_equal(f->resp.queue_urls.items[0], EP "/" ACCT "/b1");
    assert_null(f->resp.next_token);
    assert_int_equal(run(f, T0, "Action=ListQueues&NextToken=zz"), SQS_ERR_INVALID_PARAMETER_VALUE);
}

/* ---- messages ------------------------------------------------------------ */

static void test_send_receive_delete(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q");
    sqs_changes_clear(&f->changes);
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=hello");
    assert_int_equal(f->resp.n_sent, 1);
    assert_string_equal(f->resp.sent[0].md5_body, "5d41402abc4b2a76b9719d911017c592");
    assert_int_equal(strlen(f->resp.sent[0].message_id), 36);
    assert_null(f->resp.sent[0].sequence_number);
    char id[40];
    snprintf(id, sizeof(id), "%s", f->resp.sent[0].message_id);
    assert_int_equal(f->available, 1);
    assert_int_equal(f->changes.n, 1);
    assert_int_equal(f->changes.items[0].kind, SQS_CHANGE_MESSAGE_PUT);
    assert_string_equal(f->changes.items[0].message->body, "hello");

    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("q") "&AttributeName.1=All");
    assert_int_equal(f->resp.n_messages, 1);
    const struct sqs_received_message *m = &f->resp.messages[0];
    assert_string_equal(m->message_id, id);
    assert_string_equal(m->body, "hello");
    assert_string_equal(m->md5_body, "5d41402abc4b2a76b9719d911017c592");
    assert_string_equal(sys_attr(m, "ApproximateReceiveCount"), "1");
    assert_string_equal(sys_attr(m, "SentTimestamp"), "1700000000000");
    assert_string_equal(sys_attr(m, "ApproximateFirstReceiveTimestamp"), "1700000000001");
    assert_string_equal(sys_attr(m, "SenderId"), "AKIDTEST");
    assert_null(sys_attr(m, "MessageGroupId"));
    char first[128];
    snprintf(first, sizeof(first), "%s", f->handle[0]);
    assert_int_equal(f->changes.items[f->changes.n - 1].kind, SQS_CHANGE_MESSAGE_STATE);

    OK(f, T0 + 2, "Action=ReceiveMessage&" Q("q"));
    assert_int_equal(f->resp.n_messages, 0);   /* in flight */
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 2), 1);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessages", T0 + 2), 0);
    /* the default visibility timeout is 30 s */
    OK(f, T0 + 30000, "Action=ReceiveMessage&" Q("q") "&AttributeName.1=ApproximateReceiveCount");
    assert_int_equal(f->resp.n_messages, 0);
    OK(f, T0 + 30001, "Action=ReceiveMessage&" Q("q") "&AttributeName.1=ApproximateReceiveCount");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(sys_attr(&f->resp.messages[0], "ApproximateReceiveCount"), "2");
    assert_string_not_equal(f->handle[0], first);

    /* the older handle succeeds without deleting */
    OK(f, T0 + 30002, "Action=DeleteMessage&" Q("q") "&ReceiptHandle=%s", first);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 30002), 1);
    char latest[128];
    snprintf(latest, sizeof(latest), "%s", f->handle[0]);
    size_t before = f->changes.n;
    OK(f, T0 + 30003, "Action=DeleteMessage&" Q("q") "&ReceiptHandle=%s", latest);
    assert_int_equal(f->changes.n, before + 1);
    assert_int_equal(f->changes.items[before].kind, SQS_CHANGE_MESSAGE_DELETE);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 30003), 0);
    /* deleting again is harmless; a malformed handle is not */
    OK(f, T0 + 30004, "Action=DeleteMessage&" Q("q") "&ReceiptHandle=%s", latest);
    assert_int_equal(run(f, T0, "Action=DeleteMessage&" Q("q") "&ReceiptHandle=garbage"),
                     SQS_ERR_RECEIPT_HANDLE_IS_INVALID);
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("nope") "&MessageBody=x"),
                     SQS_ERR_QUEUE_DOES_NOT_EXIST);
}

static void test_visibility_changes(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q");
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=m");
    OK(f, T0, "Action=ReceiveMessage&" Q("q") "&VisibilityTimeout=5");
    char h[128];
    snprintf(h, sizeof(h), "%s", f->handle[0]);
    assert_int_equal(sqs_engine_next_event_ms(f->e), T0 + 5000);
    OK(f, T0 + 1000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&VisibilityTimeout=60", h);
    assert_int_equal(sqs_engine_next_event_ms(f->e), T0 + 61000);
    OK(f, T0 + 10000, "Action=ReceiveMessage&" Q("q"));
    assert_int_equal(f->resp.n_messages, 0);
    int before = f->available;
    OK(f, T0 + 11000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&VisibilityTimeout=0", h);
    assert_int_equal(f->available, before + 1);
    assert_int_equal(run(f, T0 + 11000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&"
                                         "VisibilityTimeout=10", h), SQS_ERR_MESSAGE_NOT_INFLIGHT);
    OK(f, T0 + 12000, "Action=ReceiveMessage&" Q("q"));
    assert_int_equal(f->resp.n_messages, 1);
    snprintf(h, sizeof(h), "%s", f->handle[0]);
    /* at most 12 hours from the receive */
    OK(f, T0 + 12000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&VisibilityTimeout=43200", h);
    assert_int_equal(run(f, T0 + 3612000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&"
                                           "VisibilityTimeout=43200", h), SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_int_equal(run(f, T0, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=AQEBxx&"
                                 "VisibilityTimeout=1"), SQS_ERR_RECEIPT_HANDLE_IS_INVALID);
    /* the engine wakes timers: the tick makes the message visible and says so */
    OK(f, T0 + 13000, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s&VisibilityTimeout=2", h);
    before = f->available;
    sqs_engine_tick(f->e, sqs_engine_next_event_ms(f->e), &f->changes);
    assert_int_equal(f->available, before + 1);
    assert_int_equal(sqs_engine_next_event_ms(f->e), INT64_MAX);
}

static void test_delays(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=10");
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=late");
    assert_int_equal(f->available, 0);
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=soon&DelaySeconds=2");
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=now&DelaySeconds=0");
    assert_int_equal(f->available, 1);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesDelayed", T0), 2);
    OK(f, T0 + 1000, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "now");
    OK(f, T0 + 2000, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "soon");
    OK(f, T0 + 9999, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 0);
    OK(f, T0 + 10000, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "late");
}

static void test_retention(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=MessageRetentionPeriod&Attribute.1.Value=60");
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=old");
    OK(f, T0 + 30000, "Action=SendMessage&" Q("q") "&MessageBody=new");
    sqs_changes_clear(&f->changes);
    OK(f, T0 + 60000, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "new");
    assert_int_equal(f->changes.items[0].kind, SQS_CHANGE_MESSAGE_DELETE);   /* the expired one */
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 89999), 1);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 90000), 0);
}

static void test_redrive_to_dlq(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=dlq");
    OK(f, T0, "Action=CreateQueue&QueueName=src&Attribute.1.Name=RedrivePolicy&Attribute.1.Value="
              "%%7B%%22deadLetterTargetArn%%22%%3A%%22" ARN("dlq") "%%22%%2C%%22maxReceiveCount%%22%%3A%%222%%22%%7D");
    OK(f, T0, "Action=GetQueueAttributes&" Q("src") "&AttributeName.1=RedrivePolicy");
    assert_non_null(strstr(attr(f, "RedrivePolicy"), "maxReceiveCount"));
    OK(f, T0, "Action=SendMessage&" Q("src") "&MessageBody=poison");
    char id[40];
    snprintf(id, sizeof(id), "%s", f->resp.sent[0].message_id);
    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("src") "&VisibilityTimeout=0");
    assert_int_equal(f->resp.n_messages, 1);
    OK(f, T0 + 2, "Action=ReceiveMessage&" Q("src") "&VisibilityTimeout=0");
    assert_int_equal(f->resp.n_messages, 1);
    /* the third receive would exceed maxReceiveCount=2: the message moves */
    OK(f, T0 + 3, "Action=ReceiveMessage&" Q("src") "&VisibilityTimeout=0");
    assert_int_equal(f->resp.n_messages, 0);
    assert_int_equal(count(f, "src", "ApproximateNumberOfMessages", T0 + 3), 0);
    assert_int_equal(count(f, "dlq", "ApproximateNumberOfMessages", T0 + 3), 1);
    OK(f, T0 + 4, "Action=ReceiveMessage&" Q("dlq") "&AttributeName.1=All");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].message_id, id);
    assert_string_equal(sys_attr(&f->resp.messages[0], "DeadLetterQueueSourceArn"), ARN("src"));
    OK(f, T0, "Action=ListDeadLetterSourceQueues&" Q("dlq"));
    assert_int_equal(f->resp.queue_urls.n, 1);
    assert_string_equal(f->resp.queue_urls.items[0], EP "/" ACCT "/src");
    OK(f, T0, "Action=ListDeadLetterSourceQueues&" Q("src"));
    assert_int_equal(f->resp.queue_urls.n, 0);
    /* a queue cannot be its own DLQ */
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("dlq") "&Attribute.1.Name=RedrivePolicy&"
                                "Attribute.1.Value=%%7B%%22deadLetterTargetArn%%22%%3A%%22" ARN("dlq")
                                "%%22%%2C%%22maxReceiveCount%%22%%3A1%%7D"), SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_int_equal(run(f, T0, "Action=SetQueueAttributes&" Q("src") "&Attribute.1.Name=RedrivePolicy&"
                                "Attribute.1.Value=%%7B%%22deadLetterTargetArn%%22%%3A%%22" ARN("dlq")
                                "%%22%%2C%%22maxReceiveCount%%22%%3A1001%%7D"), SQS_ERR_INVALID_PARAMETER_VALUE);
}

#define FIFO_CREATE(name) "Action=CreateQueue&QueueName=" name "&Attribute.1.Name=FifoQueue&" \
    "Attribute.1.Value=true&Attribute.2.Name=ContentBasedDeduplication&Attribute.2.Value=true"

static void test_fifo_order_and_group_lock(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, FIFO_CREATE("f.fifo"));
    const char *sends[][2] = {{"g1", "a1"}, {"g2", "b1"}, {"g1", "a2"}, {"g1", "a3"}, {"g2", "b2"}};
    char last_seq[32] = "";
    for (size_t i = 0; i < 5; i++) {
        OK(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=%s&MessageGroupId=%s", sends[i][1],
           sends[i][0]);
        const char *seq = f->resp.sent[0].sequence_number;
        assert_int_equal(strlen(seq), 20);
        assert_true(strcmp(seq, last_seq) > 0);
        snprintf(last_seq, sizeof(last_seq), "%s", seq);
    }
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&AttributeName.1=MessageGroupId");
    assert_string_equal(f->resp.messages[0].body, "a1");
    assert_string_equal(sys_attr(&f->resp.messages[0], "MessageGroupId"), "g1");
    char a1[128];
    snprintf(a1, sizeof(a1), "%s", f->handle[0]);
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 2);           /* g1 is locked by a1 */
    assert_string_equal(f->resp.messages[0].body, "b1");
    assert_string_equal(f->resp.messages[1].body, "b2");
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 0);
    OK(f, T0, "Action=DeleteMessage&" Q("f.fifo") "&ReceiptHandle=%s", a1);
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 2);
    assert_string_equal(f->resp.messages[0].body, "a2");
    assert_string_equal(f->resp.messages[1].body, "a3");
    /* when a3's visibility runs out alone, a2 still holds the group */
    OK(f, T0, "Action=ChangeMessageVisibility&" Q("f.fifo") "&ReceiptHandle=%s&VisibilityTimeout=0",
       f->handle[1]);
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 0);
    /* and when everything times out, the group is delivered in order again */
    OK(f, T0 + 60000, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 4);
    assert_string_equal(f->resp.messages[0].body, "b1");
    assert_string_equal(f->resp.messages[1].body, "b2");
    assert_string_equal(f->resp.messages[2].body, "a2");
    assert_string_equal(f->resp.messages[3].body, "a3");
}

static void test_fifo_send_rules_and_dedup(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=f.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true");
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=x&MessageDeduplicationId=d"),
                     SQS_ERR_MISSING_PARAMETER);
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=x&MessageGroupId=g"),
                     SQS_ERR_INVALID_PARAMETER_VALUE);   /* no dedup id, no content dedup */
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=x&MessageGroupId=g&"
                                "MessageDeduplicationId=d&DelaySeconds=1"), SQS_ERR_INVALID_PARAMETER_VALUE);
    OK(f, T0, "Action=CreateQueue&QueueName=s");
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("s") "&MessageBody=x&MessageDeduplicationId=d"),
                     SQS_ERR_INVALID_PARAMETER_VALUE);

    OK(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=x&MessageGroupId=g&MessageDeduplicationId=d");
    char id[40], seq[32];
    snprintf(id, sizeof(id), "%s", f->resp.sent[0].message_id);
    snprintf(seq, sizeof(seq), "%s", f->resp.sent[0].sequence_number);
    size_t changes = f->changes.n;
    OK(f, T0 + 299999, "Action=SendMessage&" Q("f.fifo") "&MessageBody=y&MessageGroupId=g&MessageDeduplicationId=d");
    assert_string_equal(f->resp.sent[0].message_id, id);       /* accepted, not enqueued */
    assert_string_equal(f->resp.sent[0].sequence_number, seq);
    assert_int_equal(f->changes.n, changes);
    assert_int_equal(count(f, "f.fifo", "ApproximateNumberOfMessages", T0 + 299999), 1);
    OK(f, T0 + 300000, "Action=SendMessage&" Q("f.fifo") "&MessageBody=y&MessageGroupId=g&MessageDeduplicationId=d");
    assert_string_not_equal(f->resp.sent[0].message_id, id);
    assert_int_equal(count(f, "f.fifo", "ApproximateNumberOfMessages", T0 + 300000), 2);

    /* content-based deduplication, scoped per group */
    OK(f, T0, FIFO_CREATE("c.fifo") "&Attribute.3.Name=DeduplicationScope&Attribute.3.Value=messageGroup");
    OK(f, T0, "Action=SendMessage&" Q("c.fifo") "&MessageBody=same&MessageGroupId=g1");
    OK(f, T0, "Action=SendMessage&" Q("c.fifo") "&MessageBody=same&MessageGroupId=g1");
    OK(f, T0, "Action=SendMessage&" Q("c.fifo") "&MessageBody=same&MessageGroupId=g2");
    assert_int_equal(count(f, "c.fifo", "ApproximateNumberOfMessages", T0), 2);
}

static void test_receive_request_attempt_id(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, FIFO_CREATE("f.fifo"));
    OK(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=a&MessageGroupId=g");
    OK(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=b&MessageGroupId=h");
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo") "&ReceiveRequestAttemptId=try1");
    assert_int_equal(f->resp.n_messages, 1);
    char h[128];
    snprintf(h, sizeof(h), "%s", f->handle[0]);
    OK(f, T0 + 1000, "Action=ReceiveMessage&" Q("f.fifo") "&ReceiveRequestAttemptId=try1");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->handle[0], h);                 /* the same delivery again */
    assert_string_equal(f->resp.messages[0].body, "a");
    OK(f, T0 + 1000, "Action=ReceiveMessage&" Q("f.fifo") "&ReceiveRequestAttemptId=try2");
    assert_string_equal(f->resp.messages[0].body, "b");
}

static void test_purge(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q");
    for (int i = 0; i < 3; i++)
        OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=m%d", i);
    OK(f, T0, "Action=ReceiveMessage&" Q("q"));
    sqs_changes_clear(&f->changes);
    OK(f, T0 + 1, "Action=PurgeQueue&" Q("q"));
    assert_int_equal(f->changes.items[0].kind, SQS_CHANGE_QUEUE_PURGE);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessages", T0 + 1), 0);
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0 + 1), 0);
    assert_int_equal(run(f, T0 + 59000, "Action=PurgeQueue&" Q("q")), SQS_ERR_PURGE_IN_PROGRESS);
    OK(f, T0 + 61000, "Action=PurgeQueue&" Q("q"));
    OK(f, T0 + 61000, "Action=SendMessage&" Q("q") "&MessageBody=after");
    OK(f, T0 + 61000, "Action=ReceiveMessage&" Q("q"));
    assert_string_equal(f->resp.messages[0].body, "after");
}

static void test_batch_partial_failures(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, FIFO_CREATE("f.fifo"));
    OK(f, T0, "Action=SendMessageBatch&" Q("f.fifo") "&SendMessageBatchRequestEntry.1.Id=ok"
              "&SendMessageBatchRequestEntry.1.MessageBody=a&SendMessageBatchRequestEntry.1.MessageGroupId=g"
              "&SendMessageBatchRequestEntry.2.Id=nogroup&SendMessageBatchRequestEntry.2.MessageBody=b"
              "&SendMessageBatchRequestEntry.3.Id=badbody&SendMessageBatchRequestEntry.3.MessageBody=%%01"
              "&SendMessageBatchRequestEntry.3.MessageGroupId=g");
    assert_int_equal(f->resp.n_sent, 1);
    assert_string_equal(f->resp.sent[0].id, "ok");
    assert_int_equal(f->resp.n_failed, 2);
    assert_string_equal(f->resp.failed[0].id, "nogroup");
    assert_string_equal(f->resp.failed[0].code, "MissingParameter");
    assert_true(f->resp.failed[0].sender_fault);
    assert_string_equal(f->resp.failed[1].code, "InvalidMessageContents");

    OK(f, T0, "Action=CreateQueue&QueueName=q");
    OK(f, T0, "Action=SendMessageBatch&" Q("q") "&SendMessageBatchRequestEntry.1.Id=a"
              "&SendMessageBatchRequestEntry.1.MessageBody=1&SendMessageBatchRequestEntry.2.Id=b"
              "&SendMessageBatchRequestEntry.2.MessageBody=2");
    OK(f, T0, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 2);
    char h0[128], h1[128];
    snprintf(h0, sizeof(h0), "%s", f->handle[0]);
    snprintf(h1, sizeof(h1), "%s", f->handle[1]);
    OK(f, T0, "Action=ChangeMessageVisibilityBatch&" Q("q")
              "&ChangeMessageVisibilityBatchRequestEntry.1.Id=x&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=%s"
              "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=100"
              "&ChangeMessageVisibilityBatchRequestEntry.2.Id=y&ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=bad"
              "&ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout=100", h0);
    assert_int_equal(f->resp.succeeded_ids.n, 1);
    assert_string_equal(f->resp.succeeded_ids.items[0], "x");
    assert_int_equal(f->resp.n_failed, 1);
    assert_string_equal(f->resp.failed[0].code, "ReceiptHandleIsInvalid");
    OK(f, T0, "Action=DeleteMessageBatch&" Q("q")
              "&DeleteMessageBatchRequestEntry.1.Id=x&DeleteMessageBatchRequestEntry.1.ReceiptHandle=%s"
              "&DeleteMessageBatchRequestEntry.2.Id=y&DeleteMessageBatchRequestEntry.2.ReceiptHandle=%s"
              "&DeleteMessageBatchRequestEntry.3.Id=z&DeleteMessageBatchRequestEntry.3.ReceiptHandle=junk",
       h0, h1);
    assert_int_equal(f->resp.succeeded_ids.n, 2);
    assert_int_equal(f->resp.n_failed, 1);
    assert_string_equal(f->resp.failed[0].id, "z");
    assert_int_equal(count(f, "q", "ApproximateNumberOfMessagesNotVisible", T0), 0);
}

static void test_message_attributes_and_size(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=MaximumMessageSize&Attribute.1.Value=1024");
    OK(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=hello+%%26+%%3Cworld%%3E"
              "&MessageAttribute.1.Name=s&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v"
              "&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%%3D"
              "&MessageAttribute.3.Name=n&MessageAttribute.3.Value.DataType=Number.int&MessageAttribute.3.Value.StringValue=42"
              "&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String"
              "&MessageSystemAttribute.1.Value.StringValue=Root%%3D1");
    assert_string_equal(f->resp.sent[0].md5_attrs, "17d6790a6a7e8ef3fd91905da07dcd5e");
    assert_string_equal(f->resp.sent[0].md5_system_attrs, "d6619b3d47b81d3fc72c0db005a70eda");
    OK(f, T0, "Action=ReceiveMessage&" Q("q") "&MessageAttributeName.1=All&AttributeName.1=AWSTraceHeader&VisibilityTimeout=0");
    const struct sqs_received_message *m = &f->resp.messages[0];
    assert_int_equal(m->attrs.n, 3);
    assert_string_equal(m->md5_attrs, "17d6790a6a7e8ef3fd91905da07dcd5e");
    assert_string_equal(m->attrs.items[0].name, "b");
    assert_memory_equal(m->attrs.items[0].value, "\x00\x01", 2);
    assert_string_equal(sys_attr(m, "AWSTraceHeader"), "Root=1");
    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("q") "&MessageAttributeName.1=s&VisibilityTimeout=0");
    m = &f->resp.messages[0];
    assert_int_equal(m->attrs.n, 1);
    char md5[33];
    sqs_attrs_md5(&m->attrs, md5);
    assert_string_equal(m->md5_attrs, md5);
    assert_string_not_equal(md5, "17d6790a6a7e8ef3fd91905da07dcd5e");
    OK(f, T0 + 2, "Action=ReceiveMessage&" Q("q") "&VisibilityTimeout=0");
    assert_int_equal(f->resp.messages[0].attrs.n, 0);
    assert_string_equal(f->resp.messages[0].md5_attrs, "");

    char big[1100];
    memset(big, 'x', 1025);
    big[1025] = '\0';
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=%s", big),
                     SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_string_equal(f->err.message, "One or more parameters are invalid. Reason: Message must be "
                                        "shorter than 1024 bytes.");
}

static void test_tags_and_permissions(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=q&Tag.1.Key=env&Tag.1.Value=dev");
    OK(f, T0, "Action=TagQueue&" Q("q") "&Tag.1.Key=team&Tag.1.Value=x&Tag.2.Key=env&Tag.2.Value=prod");
    OK(f, T0, "Action=ListQueueTags&" Q("q"));
    assert_int_equal(f->resp.tags.n, 2);
    assert_string_equal(f->resp.tags.items[0].key, "env");
    assert_string_equal(f->resp.tags.items[0].value, "prod");
    OK(f, T0, "Action=UntagQueue&" Q("q") "&TagKey.1=env");
    OK(f, T0, "Action=ListQueueTags&" Q("q"));
    assert_int_equal(f->resp.tags.n, 1);
    assert_string_equal(f->resp.tags.items[0].key, "team");

    OK(f, T0, "Action=AddPermission&" Q("q") "&Label=p1&AWSAccountId.1=111111111111&ActionName.1=SendMessage");
    OK(f, T0, "Action=AddPermission&" Q("q") "&Label=p2&AWSAccountId.1=222222222222&ActionName.1=*");
    assert_int_equal(run(f, T0, "Action=AddPermission&" Q("q") "&Label=p1&AWSAccountId.1=1&ActionName.1=x"),
                     SQS_ERR_INVALID_PARAMETER_VALUE);
    OK(f, T0, "Action=GetQueueAttributes&" Q("q") "&AttributeName.1=Policy");
    const char *policy = attr(f, "Policy");
    assert_non_null(strstr(policy, "\"Sid\":\"p1\""));
    assert_non_null(strstr(policy, "\"Sid\":\"p2\""));
    assert_non_null(strstr(policy, "arn:aws:iam::111111111111:root"));
    assert_non_null(strstr(policy, "\"SQS:SendMessage\""));
    OK(f, T0, "Action=RemovePermission&" Q("q") "&Label=p1");
    OK(f, T0, "Action=GetQueueAttributes&" Q("q") "&AttributeName.1=Policy");
    assert_null(strstr(attr(f, "Policy"), "\"Sid\":\"p1\""));
    OK(f, T0, "Action=RemovePermission&" Q("q") "&Label=p2");
    OK(f, T0, "Action=GetQueueAttributes&" Q("q") "&AttributeName.1=Policy");
    assert_null(attr(f, "Policy"));
    assert_int_equal(run(f, T0, "Action=RemovePermission&" Q("q") "&Label=p2"),
                     SQS_ERR_INVALID_PARAMETER_VALUE);
}

static void test_message_move_task(void **state)
{
    struct fixture *f = *state;
    OK(f, T0, "Action=CreateQueue&QueueName=dlq");
    OK(f, T0, "Action=CreateQueue&QueueName=other");
    OK(f, T0, "Action=CreateQueue&QueueName=src&Attribute.1.Name=RedrivePolicy&Attribute.1.Value="
              "%%7B%%22deadLetterTargetArn%%22%%3A%%22" ARN("dlq") "%%22%%2C%%22maxReceiveCount%%22%%3A1%%7D");
    for (int i = 0; i < 3; i++)
        OK(f, T0, "Action=SendMessage&" Q("src") "&MessageBody=m%d", i);
    OK(f, T0, "Action=ReceiveMessage&" Q("src") "&MaxNumberOfMessages=10&VisibilityTimeout=0");
    assert_int_equal(f->resp.n_messages, 3);
    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("src") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 0);
    assert_int_equal(count(f, "dlq", "ApproximateNumberOfMessages", T0 + 1), 3);

    assert_int_equal(run(f, T0, "Action=StartMessageMoveTask&SourceArn=" ARN("other")),
                     SQS_ERR_INVALID_PARAMETER_VALUE);
    assert_int_equal(run(f, T0, "Action=StartMessageMoveTask&SourceArn=" ARN("missing")),
                     SQS_ERR_RESOURCE_NOT_FOUND);
    OK(f, T0 + 1000, "Action=StartMessageMoveTask&SourceArn=" ARN("dlq") "&MaxNumberOfMessagesPerSecond=1");
    char handle[64];
    snprintf(handle, sizeof(handle), "%s", f->resp.task_handle);
    assert_int_equal(run(f, T0 + 1000, "Action=StartMessageMoveTask&SourceArn=" ARN("dlq")),
                     SQS_ERR_INVALID_PARAMETER_VALUE);   /* one running task per source */
    assert_int_equal(sqs_engine_next_event_ms(f->e), T0 + 2000);
    sqs_engine_tick(f->e, T0 + 2000, &f->changes);
    OK(f, T0 + 2000, "Action=ListMessageMoveTasks&SourceArn=" ARN("dlq"));
    assert_int_equal(f->resp.n_tasks, 1);
    assert_string_equal(f->resp.tasks[0].status, "RUNNING");
    assert_string_equal(f->resp.tasks[0].task_handle, handle);
    assert_int_equal(f->resp.tasks[0].moved, 1);
    assert_int_equal(f->resp.tasks[0].to_move, 3);
    assert_int_equal(count(f, "src", "ApproximateNumberOfMessages", T0 + 2000), 1);
    sqs_engine_tick(f->e, T0 + 3000, &f->changes);
    sqs_engine_tick(f->e, T0 + 4000, &f->changes);
    OK(f, T0 + 4000, "Action=ListMessageMoveTasks&SourceArn=" ARN("dlq") "&MaxResults=10");
    assert_string_equal(f->resp.tasks[0].status, "COMPLETED");
    assert_null(f->resp.tasks[0].task_handle);
    assert_int_equal(f->resp.tasks[0].moved, 3);
    OK(f, T0 + 4000, "Action=ReceiveMessage&" Q("src") "&MaxNumberOfMessages=10&AttributeName.1=All");
    assert_int_equal(f->resp.n_messages, 3);
    assert_string_equal(sys_attr(&f->resp.messages[0], "ApproximateReceiveCount"), "1");
    assert_int_equal(run(f, T0, "Action=CancelMessageMoveTask&TaskHandle=%s", handle),
                     SQS_ERR_RESOURCE_NOT_FOUND);   /* no longer running */
}

/* ---- durability ------------------------------------------------------------ */

/* Frees records through the engine's own clean-up. */
static void drop_records(struct sqs_queue_record *q, struct sqs_message_record *m)
{
    struct sqs_change ch = {.kind = q ? SQS_CHANGE_QUEUE_PUT : SQS_CHANGE_MESSAGE_PUT,
                            .queue = q, .message = m};
    struct sqs_changes c = {&ch, 1, 1, false};
    sqs_changes_clear(&c);
}

/* A toy store that applies change records the way the SQLite layer will. */
struct toy_store {
    struct sqs_queue_record *queues[8];
    size_t n_queues;
    struct sqs_message_record *msgs[64];
    size_t n_msgs;
};

static void store_apply(struct toy_store *s, struct sqs_changes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct sqs_change *ch = &c->items[i];
        switch (ch->kind) {
        case SQS_CHANGE_QUEUE_PUT: {
            size_t j = 0;
            while (j < s->n_queues && s->queues[j]->id != ch->queue_id)
                j++;
            if (j == s->n_queues)
                s->n_queues++;
            else
                drop_records(s->queues[j], NULL);
            s->queues[j] = ch->queue;
            ch->queue = NULL;
            break;
        }
        case SQS_CHANGE_MESSAGE_PUT: {
            size_t j = 0;
            while (j < s->n_msgs && s->msgs[j]->seq != ch->seq)
                j++;
            if (j == s->n_msgs)
                s->n_msgs++;
            else
                drop_records(NULL, s->msgs[j]);
            s->msgs[j] = ch->message;
            ch->message = NULL;
            break;
        }
        case SQS_CHANGE_MESSAGE_STATE:
            for (size_t j = 0; j < s->n_msgs; j++) {
                if (s->msgs[j]->seq != ch->seq)
                    continue;
                s->msgs[j]->visible_at_ms = ch->visible_at_ms;
                s->msgs[j]->first_receive_ms = ch->first_receive_ms;
                s->msgs[j]->receive_count = ch->receive_count;
                s->msgs[j]->receipt_nonce = ch->receipt_nonce;
            }
            break;
        case SQS_CHANGE_MESSAGE_DELETE:
            for (size_t j = 0; j < s->n_msgs; j++) {
                if (s->msgs[j]->seq == ch->seq) {
                    drop_records(NULL, s->msgs[j]);
                    s->msgs[j--] = s->msgs[--s->n_msgs];
                }
            }
            break;
        case SQS_CHANGE_QUEUE_PURGE:
        case SQS_CHANGE_QUEUE_DELETE:
            for (size_t j = 0; j < s->n_msgs; j++) {
                if (s->msgs[j]->queue_id == ch->queue_id &&
                    (ch->kind == SQS_CHANGE_QUEUE_DELETE || s->msgs[j]->seq <= ch->seq)) {
                    drop_records(NULL, s->msgs[j]);
                    s->msgs[j--] = s->msgs[--s->n_msgs];
                }
            }
            break;
        }
    }
    sqs_changes_clear(c);
}

static void test_changes_rebuild_the_engine(void **state)
{
    struct fixture *f = *state;
    struct toy_store store = {0};
    OK(f, T0, FIFO_CREATE("f.fifo") "&Attribute.3.Name=VisibilityTimeout&Attribute.3.Value=100");
    OK(f, T0, "Action=TagQueue&" Q("f.fifo") "&Tag.1.Key=k&Tag.1.Value=v");
    for (int i = 0; i < 4; i++)
        OK(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=m%d&MessageGroupId=g%d", i, i % 2);
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo"));
    assert_string_equal(f->resp.messages[0].body, "m0");
    char inflight[128];
    snprintf(inflight, sizeof(inflight), "%s", f->handle[0]);
    OK(f, T0, "Action=ReceiveMessage&" Q("f.fifo"));
    OK(f, T0, "Action=DeleteMessage&" Q("f.fifo") "&ReceiptHandle=%s", f->handle[0]);   /* m1 */
    /* a failed call adds no records */
    size_t n = f->changes.n;
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("f.fifo") "&MessageBody=x"), SQS_ERR_MISSING_PARAMETER);
    assert_int_equal(f->changes.n, n);
    store_apply(&store, &f->changes);
    assert_int_equal(store.n_queues, 1);
    assert_int_equal(store.n_msgs, 3);

    struct sqs_engine_config cfg = {.region = "us-east-1"};
    struct sqs_engine *e2 = sqs_engine_new(&cfg);
    assert_non_null(e2);
    struct sqs_error err;
    assert_int_equal(sqs_engine_load_queue(e2, store.queues[0], &err), SQS_OK);
    for (size_t i = 0; i < store.n_msgs; i++)
        assert_int_equal(sqs_engine_load_message(e2, store.msgs[i], T0 + 1, &err), SQS_OK);
    struct sqs_engine *e1 = f->e;
    f->e = e2;
    assert_int_equal(count(f, "f.fifo", "ApproximateNumberOfMessagesNotVisible", T0 + 1), 1);
    assert_int_equal(count(f, "f.fifo", "ApproximateNumberOfMessages", T0 + 1), 2);
    assert_int_equal(count(f, "f.fifo", "VisibilityTimeout", T0 + 1), 100);
    OK(f, T0 + 1, "Action=ListQueueTags&" Q("f.fifo"));
    assert_int_equal(f->resp.tags.n, 1);
    /* g0 is still locked by m0, g1 gives m3; the old handle still deletes m0 */
    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "m3");
    OK(f, T0 + 1, "Action=DeleteMessage&" Q("f.fifo") "&ReceiptHandle=%s", inflight);
    OK(f, T0 + 1, "Action=ReceiveMessage&" Q("f.fifo") "&MaxNumberOfMessages=10");
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "m2");
    /* sequence numbers keep growing after a restart */
    OK(f, T0 + 1, "Action=SendMessage&" Q("f.fifo") "&MessageBody=m9&MessageGroupId=g9");
    assert_true(strcmp(f->resp.sent[0].sequence_number, "10000000000000000004") > 0);
    /* dedup ids of stored messages still deduplicate */
    OK(f, T0 + 2, "Action=SendMessage&" Q("f.fifo") "&MessageBody=m2&MessageGroupId=g0");
    assert_int_equal(count(f, "f.fifo", "ApproximateNumberOfMessages", T0 + 2), 1);
    f->e = e1;
    sqs_engine_free(e2);
    for (size_t i = 0; i < store.n_msgs; i++)
        drop_records(NULL, store.msgs[i]);
    drop_records(store.queues[0], NULL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_queue_idempotence),
        T(test_queue_attribute_validation),
        T(test_list_queues),
        T(test_send_receive_delete),
        T(test_visibility_changes),
        T(test_delays),
        T(test_retention),
        T(test_redrive_to_dlq),
        T(test_fifo_order_and_group_lock),
        T(test_fifo_send_rules_and_dedup),
        T(test_receive_request_attempt_id),
        T(test_purge),
        T(test_batch_partial_failures),
        T(test_message_attributes_and_size),
        T(test_tags_and_permissions),
        T(test_message_move_task),
        T(test_changes_rebuild_the_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
