/* test_sqs_operations: walks SQS's operation table (protocol/sqs/operations.h).
 * Every name decodes back to its operation in both protocols (query Action
 * and JSON X-Amz-Target), from one request carrying every operation's
 * required members; every operation's result encodes under its own name;
 * names are distinct and exact; every IAM action is "sqs:<name>", or for a
 * batch its single form's, which has the same access; families are the five
 * file names of protocol/, storage/ and server/sqs. Names outside the table
 * get AWS's own errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/sqs/sqs.h"

struct table_entry {
    enum sqs_op op;
    const char *name;
    const char *family;
    const char *action;
    enum sqs_op_access access;
};

#define TABLE_ENTRY(name, family, action, access, handler) {SQS_OP_##name, #name, #family, action, access},
static const struct table_entry table[] = {SQS_OPERATIONS(TABLE_ENTRY)};
#define N_TABLE (sizeof(table) / sizeof(table[0]))

/* Every member some operation requires, in each protocol; each operation
 * reads its own and ignores the rest. */
#define QUEUE_URL "http://localhost:4566/000000000000/q1"
static const char every_member_query[] =
    "Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&QueueName=q1"
    "&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=30&Tag.1.Key=k&Tag.1.Value=v&TagKey.1=k"
    "&MessageBody=b&ReceiptHandle=h&VisibilityTimeout=5&Label=l&AWSAccountId.1=111122223333"
    "&ActionName.1=SendMessage&SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq&TaskHandle=t"
    "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b"
    "&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=h"
    "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
    "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=h"
    "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=5";
static const char every_member_json[] =
    "{\"QueueUrl\":\"" QUEUE_URL "\",\"QueueName\":\"q1\",\"Attributes\":{\"VisibilityTimeout\":\"30\"},"
    "\"Tags\":{\"k\":\"v\"},\"TagKeys\":[\"k\"],\"MessageBody\":\"b\",\"ReceiptHandle\":\"h\","
    "\"VisibilityTimeout\":5,\"Label\":\"l\",\"AWSAccountIds\":[\"111122223333\"],"
    "\"Actions\":[\"SendMessage\"],\"SourceArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\","
    "\"TaskHandle\":\"t\",\"Entries\":[{\"Id\":\"a\",\"MessageBody\":\"b\",\"ReceiptHandle\":\"h\","
    "\"VisibilityTimeout\":5}]}";

static const struct table_entry *entry_named(const char *name)
{
    for (size_t i = 0; i < N_TABLE; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static void test_table_matches_the_enum(void **state)
{
    (void)state;
    assert_int_equal(N_TABLE, SQS_OP_COUNT);
    for (size_t i = 0; i < N_TABLE; i++) {
        assert_int_equal(table[i].op, (enum sqs_op)i);
        assert_string_equal(sqs_op_name(table[i].op), table[i].name);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(table[i].name, table[j].name);
    }
}

static void test_every_name_decodes_to_its_operation(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TABLE; i++) {
        const struct table_entry *t = &table[i];
        enum sqs_op op;
        assert_true(sqs_op_from_name(t->name, strlen(t->name), &op));
        assert_int_equal(op, t->op);

        char body[2048];
        snprintf(body, sizeof(body), "Action=%s&%s", t->name, every_member_query);
        struct sqs_request req;
        struct sqs_error err;
        if (sqs_decode_query(NULL, 0, body, strlen(body), "/", &req, &err) != SQS_OK)
            fail_msg("query %s: %s", t->name, err.message);
        assert_int_equal(req.op, t->op);
        sqs_request_free(&req);

        char target[96];
        snprintf(target, sizeof(target), "AmazonSQS.%s", t->name);
        if (sqs_decode_json(target, every_member_json, strlen(every_member_json), &req, &err) != SQS_OK)
            fail_msg("JSON %s: %s", t->name, err.message);
        assert_int_equal(req.op, t->op);
        sqs_request_free(&req);
    }
}

static void test_every_result_encodes_under_its_name(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_TABLE; i++) {
        const struct table_entry *t = &table[i];
        struct sqs_response resp;
        sqs_response_init(&resp, t->op);
        struct strbuf out;
        strbuf_init(&out);
        const char *ctype = NULL;
        sqs_encode_response(SQS_PROTOCOL_QUERY, &resp, "req-1", &out, &ctype);
        char open[128], close[128];
        snprintf(open, sizeof(open), "<%sResponse xmlns=\"" SQS_XMLNS "\">", t->name);
        snprintf(close, sizeof(close), "</%sResponse>", t->name);
        assert_non_null(strstr(out.data, open));
        assert_non_null(strstr(out.data, close));
        strbuf_free(&out);
        strbuf_init(&out);
        sqs_encode_response(SQS_PROTOCOL_JSON, &resp, "req-1", &out, &ctype);
        assert_string_equal(ctype, "application/x-amz-json-1.0");
        assert_true(out.len >= 2 && out.data[0] == '{' && out.data[out.len - 1] == '}');
        strbuf_free(&out);
        sqs_response_free(&resp);
    }
}

static void test_actions_and_families_are_well_formed(void **state)
{
    (void)state;
    static const char *const families[] = {"queues", "messages", "tags", "permissions", "move_tasks"};
    for (size_t i = 0; i < N_TABLE; i++) {
        const struct table_entry *t = &table[i];
        bool known_family = false;
        for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
            known_family |= strcmp(t->family, families[f]) == 0;
        assert_true(known_family);
        assert_true(t->access == SQS_GRANTABLE || t->access == SQS_OWNER_ONLY);
        assert_memory_equal(t->action, "sqs:", 4);
        const char *action_name = t->action + 4;
        if (strcmp(action_name, t->name) == 0)
            continue;
        /* A batch needs its single form's action, and is granted as it is. */
        size_t len = strlen(t->name);
        assert_true(len > 5 && strcmp(t->name + len - 5, "Batch") == 0);
        char single[64];
        snprintf(single, sizeof(single), "%.*s", (int)(len - 5), t->name);
        assert_string_equal(action_name, single);
        const struct table_entry *s = entry_named(single);
        assert_non_null(s);
        assert_string_equal(s->action, t->action);
        assert_int_equal(s->access, t->access);
        assert_string_equal(s->family, t->family);
    }
}

static void test_names_outside_the_table_get_aws_errors(void **state)
{
    (void)state;
    static const char *const not_sqs[] = {"NoSuchAction", "sendmessage", "SendMessages", "Send"};
    struct sqs_request req;
    struct sqs_error err;
    for (size_t i = 0; i < sizeof(not_sqs) / sizeof(not_sqs[0]); i++) {
        enum sqs_op op;
        assert_false(sqs_op_from_name(not_sqs[i], strlen(not_sqs[i]), &op));
        char body[2048];
        snprintf(body, sizeof(body), "Action=%s&%s", not_sqs[i], every_member_query);
        assert_int_equal(sqs_decode_query(NULL, 0, body, strlen(body), "/", &req, &err),
                         SQS_ERR_INVALID_ACTION);
        char target[96];
        snprintf(target, sizeof(target), "AmazonSQS.%s", not_sqs[i]);
        assert_int_equal(sqs_decode_json(target, every_member_json, strlen(every_member_json), &req, &err),
                         SQS_ERR_UNKNOWN_OPERATION);
    }
    assert_int_equal(sqs_decode_json("AmazonSQSX.SendMessage", "{}", 2, &req, &err),
                     SQS_ERR_UNKNOWN_OPERATION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_the_enum),
        cmocka_unit_test(test_every_name_decodes_to_its_operation),
        cmocka_unit_test(test_every_result_encodes_under_its_name),
        cmocka_unit_test(test_actions_and_families_are_well_formed),
        cmocka_unit_test(test_names_outside_the_table_get_aws_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
