/* Unit tests for protocol/dynamodb streams.c: stream ARNs, shard ids,
 * sequence numbers as the API shows them, shard iterators (round trip,
 * and every kind of mangling refused), records in GetRecords' and in the
 * Lambda event's shape, and the Streams operations' input checks. */
#include "ddb_test.h"

#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/streams.h"

#define ARN "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024-01-02T03:04:05.678"

static void test_stream_arns(void **state)
{
    (void)state;
    struct ddb_stream_arn a;
    assert_true(ddb_stream_arn_parse(ARN, strlen(ARN), &a));
    assert_string_equal(a.region, "us-east-1");
    assert_string_equal(a.account, "000000000000");
    assert_string_equal(a.table, "orders");
    assert_string_equal(a.label, "2024-01-02T03:04:05.678");
    struct strbuf sb;
    strbuf_init(&sb);
    ddb_stream_arn_format(&sb, a.region, a.account, a.table, a.label);
    assert_string_equal(sb.data, ARN);
    strbuf_free(&sb);
    static const char *const bad[] = {
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders",
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/",
        "arn:aws:dynamodb:us-east-1:00000000000:table/orders/stream/x",
        "arn:aws:dynamodb::000000000000:table/orders/stream/x",
        "arn:aws:dynamodb:us-east-1:000000000000:table/o/stream/x",
        "arn:aws:dynamodb:us-east-1:000000000000:table/or|ders/stream/x",
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/x/y",
        "arn:aws:dynamodb:us-east-1:000000000000:table/orders/index/x",
        "arn:aws:sqs:us-east-1:000000000000:queue",
        "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf",
        "",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ddb_stream_arn_parse(bad[i], strlen(bad[i]), &a))
            fail_msg("accepted %s", bad[i]);
    /* A NUL inside is no ARN either. */
    assert_false(ddb_stream_arn_parse(ARN "\0x", sizeof(ARN) + 1, &a));
}

static void test_shards_and_sequence_numbers(void **state)
{
    (void)state;
    char shard[DDB_SHARD_ID_LEN + 1], other[DDB_SHARD_ID_LEN + 1];
    ddb_stream_shard_id(7, 1704164645678, shard);
    assert_int_equal(strlen(shard), DDB_SHARD_ID_LEN);
    assert_memory_equal(shard, "shardId-00000001704164645678-", 29);
    ddb_stream_shard_id(8, 1704164645678, other);
    assert_string_not_equal(shard, other);

    char text[DDB_SEQUENCE_TEXT_MAX];
    ddb_stream_sequence_format(1, text);
    assert_string_equal(text, "100000000000000000001");
    ddb_stream_sequence_format(INT64_MAX, text);
    assert_string_equal(text, "109223372036854775807");
    int64_t seq;
    assert_true(ddb_stream_sequence_parse(text, strlen(text), &seq));
    assert_int_equal(seq, INT64_MAX);
    assert_true(ddb_stream_sequence_parse("100000000000000012345", 21, &seq));
    assert_int_equal(seq, 12345);
    /* Numbers as big integers keep the order. */
    char a[DDB_SEQUENCE_TEXT_MAX], b[DDB_SEQUENCE_TEXT_MAX];
    ddb_stream_sequence_format(999, a);
    ddb_stream_sequence_format(1000, b);
    assert_true(strcmp(a, b) < 0);
    static const char *const bad[] = {"", "12345", "000000000000000012345", "200000000000000012345",
                                      "1000000000000000123x5", "1000000000000000000012", "119999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (ddb_stream_sequence_parse(bad[i], strlen(bad[i]), &seq))
            fail_msg("accepted %s", bad[i]);
}

static void test_iterators(void **state)
{
    (void)state;
    struct ddb_shard_iterator it = {.stream_id = 42, .after_seq = 123456, .issued_ms = 1704164645678}, back;
    struct strbuf sb;
    strbuf_init(&sb);
    ddb_shard_iterator_encode(&sb, ARN, &it);
    assert_false(strbuf_failed(&sb));
    assert_true(sb.len <= 2048);
    assert_memory_equal(sb.data, ARN "|1|", sizeof(ARN) + 2);
    struct ddb_stream_arn arn;
    assert_true(ddb_shard_iterator_decode(sb.data, sb.len, &arn, &back));
    assert_int_equal(back.stream_id, 42);
    assert_int_equal(back.after_seq, 123456);
    assert_int_equal(back.issued_ms, 1704164645678);
    assert_string_equal(arn.table, "orders");

    /* Every single-character change is refused (the check value), and so
     * are truncations and additions. */
    char *copy = malloc(sb.len + 2);
    assert_non_null(copy);
    for (size_t i = 0; i < sb.len; i++) {
        memcpy(copy, sb.data, sb.len);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        if (ddb_shard_iterator_decode(copy, sb.len, &arn, &back))
            fail_msg("a change at %zu was accepted", i);
        if (ddb_shard_iterator_decode(sb.data, i, &arn, &back))
            fail_msg("a truncation to %zu was accepted", i);
    }
    memcpy(copy, sb.data, sb.len);
    copy[sb.len] = 'A';
    assert_false(ddb_shard_iterator_decode(copy, sb.len + 1, &arn, &back));
    /* The same bytes in a non-canonical base64 (stray bits in the last
     * character before the padding) are no iterator of ours either. */
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    memcpy(copy, sb.data, sb.len);
    assert_int_equal(copy[sb.len - 1], '=');
    copy[sb.len - 2] = alphabet[(strchr(alphabet, copy[sb.len - 2]) - alphabet) ^ 1];
    assert_false(ddb_shard_iterator_decode(copy, sb.len, &arn, &back));
    free(copy);
    assert_false(ddb_shard_iterator_decode("sdfsdfsgagaddafgagasgasgasdfasdfasdf", 36, &arn, &back));
    assert_false(ddb_shard_iterator_decode("|1|", 3, &arn, &back));
    strbuf_free(&sb);
}

static const char *record_json(const struct ddb_stream_record_context *ctx, const struct ddb_stream_record *r)
{
    static char out[2048];
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_array_open(&w, NULL);
    ddb_stream_record_write(&w, ctx, r);
    jw_array_close(&w);
    assert_false(strbuf_failed(&sb));
    snprintf(out, sizeof(out), "%s", sb.data);
    strbuf_free(&sb);
    return out;
}

static void test_records(void **state)
{
    (void)state;
    struct ddb_stream_record r = {
        .seq = 5,
        .event = "MODIFY",
        .created_ms = 1704164645678,
        .keys = "{\"pk\":{\"S\":\"a\"}}",
        .new_image = "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"2\"}}",
        .old_image = "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}",
        .size = 26,
    };
    r.keys_len = strlen(r.keys);
    r.new_len = strlen(r.new_image);
    r.old_len = strlen(r.old_image);
    struct ddb_stream_record_context api = {.region = "us-east-1", .view_type = "NEW_AND_OLD_IMAGES", .stream_id = 3};
    const char *text = record_json(&api, &r);
    const struct json_value *v = J(text);
    const struct json_value *rec = &v->u.items[0];
    assert_int_equal(strlen(json_str(rec, "eventID")), 32);
    assert_string_equal(json_str(rec, "eventName"), "MODIFY");
    assert_string_equal(json_str(rec, "eventVersion"), "1.1");
    assert_string_equal(json_str(rec, "eventSource"), "aws:dynamodb");
    assert_string_equal(json_str(rec, "awsRegion"), "us-east-1");
    assert_null(json_get(rec, "eventSourceARN"));
    assert_null(json_get(rec, "userIdentity"));
    const struct json_value *d = json_get(rec, "dynamodb");
    int64_t n;
    assert_int_equal(json_int(d, "ApproximateCreationDateTime", &n), 1);
    assert_int_equal(n, 1704164645);
    assert_string_equal(json_str(d, "SequenceNumber"), "100000000000000000005");
    assert_int_equal(json_int(d, "SizeBytes", &n), 1);
    assert_int_equal(n, 26);
    assert_string_equal(json_str(d, "StreamViewType"), "NEW_AND_OLD_IMAGES");
    assert_string_equal(json_str(json_get(json_get(d, "OldImage"), "v"), "N"), "1");
    assert_string_equal(json_str(json_get(json_get(d, "NewImage"), "v"), "N"), "2");
    /* The same record read again has the same eventID. */
    char id[33];
    snprintf(id, sizeof(id), "%s", json_str(rec, "eventID"));
    assert_string_equal(json_str(&J(record_json(&api, &r))->u.items[0], "eventID"), id);

    /* A TTL removal in the Lambda event's shape. */
    struct ddb_stream_record removal = {.seq = 6, .event = "REMOVE", .created_ms = 1704164646000,
                                        .keys = r.keys, .keys_len = r.keys_len, .size = 4, .ttl_removal = true};
    struct ddb_stream_record_context lambda = {.region = "us-east-1", .view_type = "KEYS_ONLY", .stream_id = 3,
                                               .event_source_arn = ARN};
    rec = &J(record_json(&lambda, &removal))->u.items[0];
    assert_string_equal(json_str(rec, "eventSourceARN"), ARN);
    assert_string_equal(json_str(json_get(rec, "userIdentity"), "type"), "Service");
    assert_string_equal(json_str(json_get(rec, "userIdentity"), "principalId"), "dynamodb.amazonaws.com");
    assert_null(json_get(json_get(rec, "dynamodb"), "NewImage"));
    /* ... and in GetRecords' (the API model's member names). */
    lambda.event_source_arn = NULL;
    rec = &J(record_json(&lambda, &removal))->u.items[0];
    assert_string_equal(json_str(json_get(rec, "userIdentity"), "Type"), "Service");
    assert_string_equal(json_str(json_get(rec, "userIdentity"), "PrincipalId"), "dynamodb.amazonaws.com");
}

static void expect_request(const struct ddb_shape *shape, const char *body, const char *message)
{
    memset(&fx->err, 0, sizeof(fx->err));
    bool ok = ddb_request_check(shape, J(body), &fx->err);
    if (!message) {
        if (!ok)
            fail_msg("%s: %s", body, fx->err.message);
        return;
    }
    assert_false(ok);
    assert_string_equal(fx->err.message, message);
}

static void test_request_checks(void **state)
{
    (void)state;
    expect_request(&ddb_input_ListStreams, "{}", NULL);
    expect_request(&ddb_input_ListStreams, "{\"Limit\":101}",
                 "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must "
                 "have value less than or equal to 100");
    expect_request(&ddb_input_GetRecords, "{\"ShardIterator\":\"x\",\"Limit\":1000}", NULL);
    expect_request(&ddb_input_GetRecords, "{\"ShardIterator\":\"x\",\"Limit\":1001}",
                 "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must "
                 "have value less than or equal to 1000");
    expect_request(&ddb_input_GetRecords, "{\"Limit\":0}",
                 "2 validation errors detected: Value null at 'shardIterator' failed to satisfy constraint: Member "
                 "must not be null; Value '0' at 'limit' failed to satisfy constraint: Member must have value "
                 "greater than or equal to 1");
    expect_request(&ddb_input_GetShardIterator,
                 "{\"StreamArn\":\"" ARN "\",\"ShardId\":\"shardId-00000001704164645678-0000002a\","
                 "\"ShardIteratorType\":\"bulle\"}",
                 "1 validation error detected: Value 'bulle' at 'shardIteratorType' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
                 "AFTER_SEQUENCE_NUMBER]");
    expect_request(&ddb_input_DescribeStream, "{\"StreamArn\":\"short\"}",
                 "1 validation error detected: Value 'short' at 'streamArn' failed to satisfy constraint: Member "
                 "must have length greater than or equal to 37");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_arns),
        cmocka_unit_test(test_shards_and_sequence_numbers),
        cmocka_unit_test(test_iterators),
        cmocka_unit_test_setup_teardown(test_records, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_request_checks, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
