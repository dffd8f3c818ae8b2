/* test_sqs_scale: the engine's cost per operation must not grow with the
 * queue. Sends 1,000,000 messages to a standard queue, printing send rates
 * at the start (empty queue) and at the end (a million queued), then
 * receives and deletes them all in batches of 10, printing the rate with a
 * million queued and near the end. No timing assertions (machines vary);
 * the assertions are about correctness: every message delivered exactly
 * once while its visibility lasts, counters exact, the queue empty at the
 * end. A FIFO run checks per-group order over 1,000 groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "protocol/sqs/sqs.h"
#include "storage/sqs/sqs_engine.h"

#define N_MESSAGES 1000000
#define WINDOW 10000
#define T0 1700000000000LL
#define EP "http://localhost:4566"
#define QURL(name) EP "/000000000000/" name

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct bench {
    struct sqs_engine *e;
    struct sqs_changes changes;
    struct sqs_call call;
};

static void bench_init(struct bench *b)
{
    struct sqs_engine_config cfg = {.region = "us-east-1"};
    b->e = sqs_engine_new(&cfg);
    assert_non_null(b->e);
    sqs_changes_init(&b->changes);
    b->call = (struct sqs_call){.account = "000000000000", .endpoint = EP, .sender_id = "AKID",
                                .now_ms = T0, .changes = &b->changes};
}

static void bench_free(struct bench *b)
{
    sqs_changes_free(&b->changes);
    sqs_engine_free(b->e);
}

/* Executes a query-protocol body; the change records are dropped as a
 * committed transaction would be. */
static void exec(struct bench *b, const char *body, struct sqs_response *resp)
{
    struct sqs_request req;
    struct sqs_error err;
    assert_int_equal(sqs_decode_query(NULL, 0, body, strlen(body), "/", &req, &err), SQS_OK);
    if (sqs_engine_execute(b->e, &b->call, &req, resp, &err) != SQS_OK)
        fail_msg("%s: %s", body, err.message);
    sqs_request_free(&req);
    sqs_changes_clear(&b->changes);
}

static long queue_count(struct bench *b, const char *url, const char *attr)
{
    char body[256];
    snprintf(body, sizeof(body), "Action=GetQueueAttributes&QueueUrl=%s&AttributeName.1=%s", url, attr);
    struct sqs_response resp;
    exec(b, body, &resp);
    assert_int_equal(resp.attributes.n, 1);
    long v = atol(resp.attributes.items[0].value);
    sqs_response_free(&resp);
    return v;
}

/* A prepared SendMessage request whose body is rewritten in place. */
static void send_numbered(struct bench *b, struct sqs_request *send, char *body_buf, long i)
{
    snprintf(body_buf, 11, "%010ld", i);
    struct sqs_response resp;
    struct sqs_error err;
    if (sqs_engine_execute(b->e, &b->call, send, &resp, &err) != SQS_OK)
        fail_msg("send %ld: %s", i, err.message);
    sqs_response_free(&resp);
    sqs_changes_clear(&b->changes);
}

static void test_million_messages_standard(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    struct sqs_response resp;
    exec(&b, "Action=CreateQueue&QueueName=big", &resp);
    sqs_response_free(&resp);

    const char *sbody = "Action=SendMessage&QueueUrl=" QURL("big") "&MessageBody=0000000000";
    struct sqs_request send;
    struct sqs_error err;
    assert_int_equal(sqs_decode_query(NULL, 0, sbody, strlen(sbody), "/", &send, &err), SQS_OK);
    char *body_buf = send.sends[0].body;

    double t = seconds_now(), first_send = 0, last_send = 0;
    for (long i = 0; i < N_MESSAGES; i++) {
        if (i == WINDOW)
            first_send = seconds_now() - t;
        if (i == N_MESSAGES - WINDOW)
            t = seconds_now();
        send_numbered(&b, &send, body_buf, i);
    }
    last_send = seconds_now() - t;
    sqs_request_free(&send);
    printf("# SendMessage: %.0f msg/s with 0..10k queued, %.0f msg/s with 990k..1M queued\n",
           WINDOW / first_send, WINDOW / last_send);
    assert_int_equal(queue_count(&b, QURL("big"), "ApproximateNumberOfMessages"), N_MESSAGES);

    /* receive + DeleteMessageBatch in tens; every body seen exactly once */
    unsigned char *seen = calloc(N_MESSAGES, 1);
    assert_non_null(seen);
    const char *rbody = "Action=ReceiveMessage&QueueUrl=" QURL("big") "&MaxNumberOfMessages=10";
    struct sqs_request recv;
    assert_int_equal(sqs_decode_query(NULL, 0, rbody, strlen(rbody), "/", &recv, &err), SQS_OK);
    struct sqs_request del = {.op = SQS_OP_DeleteMessageBatch, .queue_url = QURL("big")};
    struct sqs_handle_entry entries[10];
    char ids[10][4], handles[10][128];
    for (int k = 0; k < 10; k++) {
        snprintf(ids[k], sizeof(ids[k]), "e%d", k);
        entries[k] = (struct sqs_handle_entry){.id = ids[k], .receipt_handle = handles[k],
                                               .visibility_timeout = -1};
    }
    del.handles = entries;
    long received = 0;
    double first_recv = 0, last_recv = 0;
    t = seconds_now();
    while (received < N_MESSAGES) {
        if (received == WINDOW * 10)
            first_recv = seconds_now() - t;
        if (received == N_MESSAGES - WINDOW * 10)
            t = seconds_now();
        if (sqs_engine_execute(b.e, &b.call, &recv, &resp, &err) != SQS_OK)
            fail_msg("receive: %s", err.message);
        assert_int_equal(resp.n_messages, 10);
        for (size_t k = 0; k < resp.n_messages; k++) {
            long idx = atol(resp.messages[k].body);
            assert_true(idx >= 0 && idx < N_MESSAGES);
            assert_int_equal(seen[idx], 0);
            seen[idx] = 1;
            snprintf(handles[k], sizeof(handles[k]), "%s", resp.messages[k].receipt_handle);
        }
        del.n_handles = resp.n_messages;
        received += (long)resp.n_messages;
        sqs_response_free(&resp);
        if (sqs_engine_execute(b.e, &b.call, &del, &resp, &err) != SQS_OK)
            fail_msg("delete: %s", err.message);
        assert_int_equal(resp.succeeded_ids.n, 10);
        sqs_response_free(&resp);
        sqs_changes_clear(&b.changes);
    }
    last_recv = seconds_now() - t;
    printf("# Receive(10)+DeleteBatch(10): %.0f msg/s with 1M..900k queued, %.0f msg/s with "
           "100k..0 queued\n", WINDOW * 10 / first_recv, WINDOW * 10 / last_recv);
    sqs_request_free(&recv);
    free(seen);
    assert_int_equal(queue_count(&b, QURL("big"), "ApproximateNumberOfMessages"), 0);
    assert_int_equal(queue_count(&b, QURL("big"), "ApproximateNumberOfMessagesNotVisible"), 0);
    bench_free(&b);
}

static void test_in_flight_million_expires_in_order(void **state)
{
    (void)state;
    struct bench b;
    bench_init(&b);
    struct sqs_response resp;
    exec(&b, "Action=CreateQueue&QueueName=vt", &resp);
    sqs_response_free(&resp);
    const char *sbody = "Action=SendMessageBatch&QueueUrl=" QURL("vt")
                        "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x"
                        "&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=x"
                        "&SendMessageBatchRequestEntry.3.Id=c&SendMessageBatchRequestEntry.3.MessageBody=x"
                        "&SendMessageBatchRequestEntry.4.Id=d&SendMessageBatchRequestEntry.4.MessageBody=x"
                        "&SendMessageBatchRequestEntry.5.Id=e&SendMessageBatchRequestEntry.5.MessageBody=x"
                        "&SendMessageBatchRequestEntry.6.Id=f&SendMessageBatchRequestEntry.6.MessageBody=x"
                        "&SendMessageBatchRequestEntry.7.Id=g&SendMessageBatchRequestEntry.7.MessageBody=x"
                        "&SendMessageBatchRequestEntry.8.Id=h&SendMessageBatchRequestEntry.8.MessageBody=x"
                        "&SendMessageBatchRequestEntry.9.Id=i&SendMessageBatchRequestEntry.9.MessageBody=x"
                        "&SendMessageBatchRequestEntry.10.Id=j&SendMessageBatchRequestEntry.10.MessageBody=x";
    struct sqs_request batch, recv;
    struct sqs_error err;
    assert_int_equal(sqs_decode_query(NULL, 0, sbody, strlen(sbody), "/", &batch, &err), SQS_OK);
    double t = seconds_now();
    for (long i = 0; i < N_MESSAGES / 10; i++) {
        assert_int_equal(sqs_engine_execute(b.e, &b.call, &batch, &resp, &err), SQS_OK);
        assert_int_equal(resp.n_sent, 10);
        sqs_response_free(&resp);
        sqs_changes_clear(&b.changes);
    }
    printf("# SendMessageBatch(10): %.0f msg/s over 0..1M queued\n", N_MESSAGES / (seconds_now() - t));
    sqs_request_free(&batch);
    /* receive everything with visibility timeouts spread over 1..1000 s */
    const char *rbody = "Action=ReceiveMessage&QueueUrl=" QURL("vt") "&MaxNumberOfMessages=10";
    assert_int_equal(sqs_decode_query(NULL, 0, rbody, strlen(rbody), "/", &recv, &err), SQS_OK);
    for (long i = 0; i < N_MESSAGES / 10; i++) {
        recv.visibility_timeout = (int)(1 + (i * 7919) % 1000);
        assert_int_equal(sqs_engine_execute(b.e, &b.call, &recv, &resp, &err), SQS_OK);
        assert_int_equal(resp.n_messages, 10);
        sqs_response_free(&resp);
        sqs_changes_clear(&b.changes);
    }
    assert_int_equal(queue_count(&b, QURL("vt"), "ApproximateNumberOfMessagesNotVisible"), N_MESSAGES);
    assert_int_equal(sqs_engine_next_event_ms(b.e), T0 + 1000);
    /* halfway through, exactly the messages whose timeout passed are back */
    long expected = 0;
    for (long i = 0; i < N_MESSAGES / 10; i++)
        if (1 + (i * 7919) % 1000 <= 500)
            expected += 10;
    b.call.now_ms = T0 + 500 * 1000;
    assert_int_equal(queue_count(&b, QURL("vt"), "ApproximateNumberOfMessages"), expected);
    b.call.now_ms = T0 + 1000 * 1000;
    assert_int_equal(queue_count(&b, QURL("vt"), "ApproximateNumberOfMessages"), N_MESSAGES);
    sqs_request_free(&recv);
    bench_free(&b);
}

static void test_fifo_many_groups_keep_order(void **state)
{
    (void)state;
    enum { GROUPS = 1000, PER_GROUP = 100 };
    struct bench b;
    bench_init(&b);
    struct sqs_response resp;
    exec(&b, "Action=CreateQueue&QueueName=f.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
             "&Attribute.2.Name=ContentBasedDeduplication&Attribute.2.Value=true", &resp);
    sqs_response_free(&resp);
    char body[256];
    for (int n = 0; n < PER_GROUP; n++) {
        for (int g = 0; g < GROUPS; g++) {
            snprintf(body, sizeof(body), "Action=SendMessage&QueueUrl=" QURL("f.fifo")
                     "&MessageBody=%d.%d&MessageGroupId=g%d", g, n, g);
            exec(&b, body, &resp);
            sqs_response_free(&resp);
        }
    }
    int *next = calloc(GROUPS, sizeof(int));
    assert_non_null(next);
    long total = 0;
    const char *rbody = "Action=ReceiveMessage&QueueUrl=" QURL("f.fifo") "&MaxNumberOfMessages=10";
    struct sqs_request recv;
    struct sqs_error err;
    assert_int_equal(sqs_decode_query(NULL, 0, rbody, strlen(rbody), "/", &recv, &err), SQS_OK);
    while (total < (long)GROUPS * PER_GROUP) {
        assert_int_equal(sqs_engine_execute(b.e, &b.call, &recv, &resp, &err), SQS_OK);
        assert_true(resp.n_messages > 0);
        struct sqs_request del = {.op = SQS_OP_DeleteMessage, .queue_url = QURL("f.fifo"), .n_handles = 1};
        for (size_t k = 0; k < resp.n_messages; k++) {
            int g, n;
            assert_int_equal(sscanf(resp.messages[k].body, "%d.%d", &g, &n), 2);
            assert_int_equal(n, next[g]);   /* strictly in order within the group */
            next[g]++;
            struct sqs_handle_entry h = {.receipt_handle = resp.messages[k].receipt_handle,
                                         .visibility_timeout = -1};
            del.handles = &h;
            struct sqs_response dresp;
            assert_int_equal(sqs_engine_execute(b.e, &b.call, &del, &dresp, &err), SQS_OK);
            sqs_response_free(&dresp);
        }
        total += (long)resp.n_messages;
        sqs_response_free(&resp);
        sqs_changes_clear(&b.changes);
    }
    for (int g = 0; g < GROUPS; g++)
        assert_int_equal(next[g], PER_GROUP);
    free(next);
    sqs_request_free(&recv);
    bench_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_million_messages_standard),
        cmocka_unit_test(test_in_flight_million_expires_in_order),
        cmocka_unit_test(test_fifo_many_groups_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
