/* test_sqs_persist: the SQS change records round-trip through SQLite.
 * An engine runs real requests (query bodies through the real decoder);
 * every change record is written with sqs_persist_apply() into an
 * in-memory database created by the SQS schema step; a second engine is
 * then loaded from it with sqs_persist_load() and must behave the same:
 * same queues, attributes, tags, messages, receive counts, in-flight
 * messages and valid receipt handles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/sqs/sqs.h"
#include "storage/sqs/persist.h"
#include "storage/sqs/sqs_engine.h"
#include "storage/core/store_internal.h"

#define T0 1700000000000LL
#define ACCT "000000000000"
#define EP "http://localhost:4566"
#define Q(name) "QueueUrl=" EP "/" ACCT "/" name

struct fixture {
    struct store_conn conn;        /* an in-memory database with its statement cache */
    struct sqs_engine *e;
    struct sqs_changes changes;
    struct sqs_response resp;
    struct sqs_error err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (!f || sqlite3_open(":memory:", &f->conn.db) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < sqs_schema.n_steps; i++)
        if (sqlite3_exec(f->conn.db, sqs_schema.steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    struct sqs_engine_config cfg = {.region = "us-east-1"};
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
    db_conn_close(&f->conn);
    free(f);
    return 0;
}

/* Runs a query body on the current engine at `now`, then persists its changes. */
static enum sqs_err run(struct fixture *f, int64_t now, const char *fmt, ...)
{
    char body[4096];
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
    assert_int_equal(sqs_persist_apply(&f->conn, &f->changes), 0);
    sqs_changes_clear(&f->changes);
    return rc;
}

/* Replaces the engine by one loaded from the database; returns the message count. */
static size_t reload(struct fixture *f, int64_t now)
{
    sqs_response_free(&f->resp);
    sqs_engine_free(f->e);
    struct sqs_engine_config cfg = {.region = "us-east-1"};
    f->e = sqs_engine_new(&cfg);
    assert_non_null(f->e);
    size_t loaded = 0;
    char err[256];
    assert_int_equal(sqs_persist_load(&f->conn, f->e, now, &loaded, err, sizeof(err)), 0);
    return loaded;
}

static const char *attribute(const struct sqs_response *resp, const char *name)
{
    for (size_t i = 0; i < resp->attributes.n; i++)
        if (strcmp(resp->attributes.items[i].key, name) == 0)
            return resp->attributes.items[i].value;
    return NULL;
}

static void test_queue_and_messages_survive(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, T0, "Action=CreateQueue&QueueName=q&Attribute.1.Name=VisibilityTimeout"
                               "&Attribute.1.Value=10&Tag.1.Key=env&Tag.1.Value=test"), SQS_OK);
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=first"
                               "&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String"
                               "&MessageAttribute.1.Value.StringValue=x"), SQS_OK);
    char md5_attrs[33];
    memcpy(md5_attrs, f->resp.sent[0].md5_attrs, sizeof(md5_attrs));
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=second"), SQS_OK);
    assert_int_equal(run(f, T0, "Action=SendMessage&" Q("q") "&MessageBody=third"), SQS_OK);
    assert_int_equal(run(f, T0 + 1, "Action=ReceiveMessage&" Q("q")), SQS_OK);
    assert_int_equal(f->resp.n_messages, 1);
    assert_string_equal(f->resp.messages[0].body, "first");
    char handle[512];
    snprintf(handle, sizeof(handle), "%s", f->resp.messages[0].receipt_handle);
    assert_int_equal(run(f, T0 + 2, "Action=ReceiveMessage&" Q("q")), SQS_OK);
    assert_int_equal(f->resp.n_messages, 1);
    char second_handle[512];
    snprintf(second_handle, sizeof(second_handle), "%s", f->resp.messages[0].receipt_handle);
    assert_int_equal(run(f, T0 + 3, "Action=DeleteMessage&" Q("q") "&ReceiptHandle=%s", second_handle), SQS_OK);

    assert_int_equal(reload(f, T0 + 4), 2);
    assert_int_equal(run(f, T0 + 4, "Action=GetQueueAttributes&" Q("q") "&AttributeName.1=All"), SQS_OK);
    assert_string_equal(attribute(&f->resp, "VisibilityTimeout"), "10");
    assert_string_equal(attribute(&f->resp, "ApproximateNumberOfMessages"), "1");
    assert_string_equal(attribute(&f->resp, "ApproximateNumberOfMessagesNotVisible"), "1");
    assert_int_equal(run(f, T0 + 4, "Action=ListQueueTags&" Q("q")), SQS_OK);
    assert_int_equal(f->resp.tags.n, 1);
    assert_string_equal(f->resp.tags.items[0].value, "test");
    /* The in-flight message keeps its receipt handle, then reappears with its count. */
    assert_int_equal(run(f, T0 + 5, "Action=ChangeMessageVisibility&" Q("q") "&ReceiptHandle=%s"
                                   "&VisibilityTimeout=0", handle), SQS_OK);
    assert_int_equal(run(f, T0 + 6, "Action=ReceiveMessage&" Q("q") "&MaxNumberOfMessages=10"
                                   "&AttributeName.1=All&MessageAttributeName.1=All"), SQS_OK);
    assert_int_equal(f->resp.n_messages, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct sqs_received_message *m = &f->resp.messages[i];
        if (strcmp(m->body, "first") == 0) {
            assert_string_equal(m->md5_attrs, md5_attrs);
            for (size_t k = 0; k < m->system_attrs.n; k++)
                if (strcmp(m->system_attrs.items[k].key, "ApproximateReceiveCount") == 0)
                    assert_string_equal(m->system_attrs.items[k].value, "2");
        } else {
            assert_string_equal(m->body, "third");
        }
    }
}

static void test_purge_and_delete_queue_remove_rows(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(run(f, T0, "Action=CreateQueue&QueueName=p"), SQS_OK);
    assert_int_equal(run(f, T0, "Action=CreateQueue&QueueName=d"), SQS_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(run(f, T0, "Action=SendMessage&" Q("p") "&MessageBody=m%d", i), SQS_OK);
        assert_int_equal(run(f, T0, "Action=SendMessage&" Q("d") "&MessageBody=m%d", i), SQS_OK);
    }
    assert_int_equal(run(f, T0 + 1, "Action=PurgeQueue&" Q("p")), SQS_OK);
    assert_int_equal(run(f, T0 + 1, "Action=DeleteQueue&" Q("d")), SQS_OK);
    assert_int_equal(reload(f, T0 + 2), 0);
    assert_int_equal(run(f, T0 + 2, "Action=GetQueueUrl&QueueName=p"), SQS_OK);
    assert_int_equal(run(f, T0 + 2, "Action=GetQueueUrl&QueueName=d"), SQS_ERR_QUEUE_DOES_NOT_EXIST);
}

static void test_failed_records_are_refused(void **state)
{
    struct fixture *f = *state;
    struct sqs_changes bad;
    sqs_changes_init(&bad);
    bad.oom = true;
    assert_int_equal(sqs_persist_apply(&f->conn, &bad), -1);
    sqs_changes_free(&bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_queue_and_messages_survive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_purge_and_delete_queue_remove_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_records_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
