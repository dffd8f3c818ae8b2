/* Unit tests for protocol/dynamodb table.c: a definition from CreateTable
 * (AWS's checks in AWS's order), its stored JSON read back, the statuses
 * over time (CREATING until described or settled), UpdateTable's new
 * definitions (a global index created and backfilled, one deleted, a
 * stream begun, billing changed) and its refusals, tags and ARNs. */
#include "ddb_test.h"

#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/table.h"

#define BASE                                                                                              \
    "\"TableName\":\"orders\",\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"}," \
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],"  \
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":\"RANGE\"}]"

static const char FULL[] =
    "{" BASE ",\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"by-g\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},"
    "{\"AttributeName\":\"g\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"KEYS_ONLY\"}}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"global-g\",\"KeySchema\":[{\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
    "\"Projection\":{\"ProjectionType\":\"INCLUDE\",\"NonKeyAttributes\":[\"total\"]}}],"
    "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_IMAGE\"},"
    "\"Tags\":[{\"Key\":\"team\",\"Value\":\"data\"}],\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\"}";

#define ID "6f1c3a52-1d1e-4a3b-9c8d-0123456789ab"

static bool create(const char *body, struct ddb_table *t)
{
    const struct json_value *req = J(body);
    memset(&fx->err, 0, sizeof(fx->err));
    if (!ddb_request_check(&ddb_input_CreateTable, req, &fx->err))
        return false;
    return ddb_table_from_create(&fx->arena, req, ID, 1000, 1500, t, &fx->err);
}

static void expect_create_error(const char *body, const char *message)
{
    struct ddb_table t;
    if (create(body, &t))
        fail_msg("%s: accepted, want \"%s\"", body, message);
    if (strcmp(fx->err.message, message) != 0)
        fail_msg("%s:\n got \"%s\"\nwant \"%s\"", body, fx->err.message, message);
}

static char *describe(const struct ddb_table *t)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    ddb_table_describe(&w, "Table", t, "arn:aws:dynamodb:us-east-1:000000000000:table/orders", NULL, false);
    jw_object_close(&w);
    assert_false(strbuf_failed(&sb));
    char *copy = arena_memdup(&fx->arena, sb.data, sb.len);
    strbuf_free(&sb);
    return copy;
}

static void test_create_full(void **state)
{
    (void)state;
    struct ddb_table t;
    if (!create(FULL, &t))
        fail_msg("%s", fx->err.message);
    assert_int_equal(t.status, DDB_STATUS_CREATING);
    assert_int_equal(t.n_indexes, 2);
    assert_false(t.indexes[0].global);
    assert_true(t.indexes[1].global);
    assert_int_equal(t.indexes[1].projection, DDB_PROJECT_INCLUDE);
    assert_true(t.stream_enabled);
    assert_string_equal(t.stream_view_type, "NEW_IMAGE");
    assert_int_equal(t.n_tags, 1);
    char *d = describe(&t);
    assert_non_null(strstr(d, "\"TableStatus\":\"CREATING\""));
    assert_non_null(strstr(d, "\"TableId\":\"" ID "\""));
    assert_non_null(strstr(d, "\"BillingModeSummary\":{\"BillingMode\":\"PAY_PER_REQUEST\""));
    assert_non_null(strstr(d, "\"TableClassSummary\":{\"TableClass\":\"STANDARD_INFREQUENT_ACCESS\"}"));
    assert_non_null(strstr(d, "\"LatestStreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/"));
}

static void test_statuses_settle(void **state)
{
    (void)state;
    struct ddb_table t;
    assert_true(create(FULL, &t));
    /* Before its time and not described: still CREATING. */
    assert_false(ddb_table_settle(&t, 1200, false));
    assert_int_equal(t.status, DDB_STATUS_CREATING);
    /* A DescribeTable ends the transition at once (the waiters' first poll sees ACTIVE). */
    assert_true(ddb_table_settle(&t, 1200, true));
    assert_int_equal(t.status, DDB_STATUS_ACTIVE);
    for (size_t i = 0; i < t.n_indexes; i++)
        assert_int_equal(t.indexes[i].status, DDB_STATUS_ACTIVE);
    assert_false(ddb_table_settle(&t, 1300, true));

    struct ddb_table u;
    assert_true(create(FULL, &u));
    assert_true(ddb_table_settle(&u, 1500, false));
    assert_int_equal(u.status, DDB_STATUS_ACTIVE);
}

static void test_stored_form_round_trips(void **state)
{
    (void)state;
    struct ddb_table t;
    assert_true(create(FULL, &t));
    struct strbuf first, second;
    strbuf_init(&first);
    strbuf_init(&second);
    ddb_table_to_json(&first, &t);
    struct ddb_table back;
    if (!ddb_table_from_json(&fx->arena, first.data, first.len, &back, &fx->err))
        fail_msg("%s", fx->err.message);
    ddb_table_to_json(&second, &back);
    assert_int_equal(first.len, second.len);
    assert_memory_equal(first.data, second.data, first.len);
    assert_string_equal(describe(&t), describe(&back));
    strbuf_free(&first);
    strbuf_free(&second);
    assert_false(ddb_table_from_json(&fx->arena, "{\"nope\":1}", 10, &back, &fx->err));
}

static void test_create_errors(void **state)
{
    (void)state;
    expect_create_error("{" BASE ",\"BillingMode\":\"PAY_PER_REQUEST\"}",
                        "One or more parameter values were invalid: Number of attributes in KeySchema does not "
                        "exactly match number of attributes defined in AttributeDefinitions");
    expect_create_error("{\"TableName\":\"abc\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
                        "\"KeySchema\":[{\"AttributeName\":\"b\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}",
                        "One or more parameter values were invalid: Some index key attributes are not defined in "
                        "AttributeDefinitions. Keys: [b], AttributeDefinitions: [a]");
    expect_create_error("{\"TableName\":\"abc\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
                        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\","
                        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1,\"WriteCapacityUnits\":1}}",
                        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
                        "can be specified when BillingMode is PAY_PER_REQUEST");
    expect_create_error("{\"TableName\":\"abc\",\"AttributeDefinitions\":[{\"AttributeName\":\"a\",\"AttributeType\":\"S\"}],"
                        "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}],"
                        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1000000000001,\"WriteCapacityUnits\":1}}",
                        "Given value 1000000000001 for ReadCapacityUnits is out of bounds");
}

static bool update(const struct ddb_table *old, const char *body, struct ddb_table *out,
                   struct ddb_table_change *change)
{
    const struct json_value *req = J(body);
    memset(&fx->err, 0, sizeof(fx->err));
    bool limit = false, in_use = false;
    return ddb_request_check(&ddb_input_UpdateTable, req, &fx->err) && ddb_table_check_update(req, &fx->err) &&
           ddb_table_apply_update(&fx->arena, old, req, 2000, 2500, out, change, &limit, &in_use, &fx->err);
}

static void test_update_indexes(void **state)
{
    (void)state;
    struct ddb_table t, grown, shrunk;
    struct ddb_table_change change;
    assert_true(create(FULL, &t));
    ddb_table_settle(&t, 1500, true);
    if (!update(&t,
                "{\"TableName\":\"orders\",\"AttributeDefinitions\":[{\"AttributeName\":\"h\",\"AttributeType\":\"B\"}],"
                "\"GlobalSecondaryIndexUpdates\":[{\"Create\":{\"IndexName\":\"by-h\",\"KeySchema\":"
                "[{\"AttributeName\":\"h\",\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}}}]}",
                &grown, &change))
        fail_msg("%s", fx->err.message);
    assert_int_equal(grown.n_indexes, 3);
    const struct ddb_index *created = ddb_table_index(&grown, "by-h", 4);
    assert_non_null(created);
    assert_int_equal(created->status, DDB_STATUS_CREATING);
    assert_true(created->backfilling);
    assert_int_equal(change.backfill_number, created->number);
    assert_int_equal(change.dropped_number, 0);
    /* Storage numbers are never reused. */
    for (size_t i = 0; i < t.n_indexes; i++)
        assert_int_not_equal(t.indexes[i].number, created->number);
    /* Still backfilling: describing does not make it ACTIVE. */
    ddb_table_settle(&grown, 3000, true);
    assert_int_equal(ddb_table_index(&grown, "by-h", 4)->status, DDB_STATUS_CREATING);

    assert_true(update(&t, "{\"TableName\":\"orders\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":"
                           "{\"IndexName\":\"global-g\"}}]}",
                       &shrunk, &change));
    assert_int_equal(change.dropped_number, ddb_table_index(&t, "global-g", 8)->number);
    assert_int_equal(ddb_table_index(&shrunk, "global-g", 8)->status, DDB_STATUS_DELETING);
    ddb_table_settle(&shrunk, 3000, true);
    assert_null(ddb_table_index(&shrunk, "global-g", 8));

    assert_false(update(&t, "{\"TableName\":\"orders\",\"GlobalSecondaryIndexUpdates\":[{\"Delete\":"
                            "{\"IndexName\":\"nope\"}}]}",
                        &shrunk, &change));
    assert_string_equal(fx->err.message, "Requested resource not found: Index: nope not found");
    assert_false(update(&t, "{\"TableName\":\"orders\"}", &shrunk, &change));
}

static void test_update_stream_and_billing(void **state)
{
    (void)state;
    struct ddb_table t, u, v;
    struct ddb_table_change change;
    assert_true(create("{" BASE ",\"LocalSecondaryIndexes\":[{\"IndexName\":\"by-g\",\"KeySchema\":"
                       "[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"g\",\"KeyType\":\"RANGE\"}],"
                       "\"Projection\":{\"ProjectionType\":\"ALL\"}}],"
                       "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}}",
                       &t));
    ddb_table_settle(&t, 1500, true);
    assert_false(t.stream_enabled);
    if (!update(&t, "{\"TableName\":\"orders\",\"StreamSpecification\":{\"StreamEnabled\":true,"
                    "\"StreamViewType\":\"KEYS_ONLY\"},\"BillingMode\":\"PAY_PER_REQUEST\"}",
                &u, &change))
        fail_msg("%s", fx->err.message);
    assert_true(change.stream_enabled_now);
    assert_true(u.stream_enabled);
    assert_true(u.stream_label[0] != '\0');
    assert_int_equal(u.status, DDB_STATUS_UPDATING);
    char *d = describe(&u);
    assert_non_null(strstr(d, "\"BillingMode\":\"PAY_PER_REQUEST\""));
    ddb_table_settle(&u, 2500, false);
    assert_int_equal(u.status, DDB_STATUS_ACTIVE);
    /* Enabling it again is AWS's error. */
    assert_false(update(&u, "{\"TableName\":\"orders\",\"StreamSpecification\":{\"StreamEnabled\":true,"
                            "\"StreamViewType\":\"KEYS_ONLY\"}}",
                        &v, &change));
    assert_string_equal(fx->err.message, "Table already has an enabled stream: TableName: orders");
}

static void test_tags_and_arns(void **state)
{
    (void)state;
    struct ddb_table t, tagged, untagged;
    assert_true(create(FULL, &t));
    assert_true(ddb_table_add_tags(&fx->arena, &t,
                                   J("[{\"Key\":\"team\",\"Value\":\"ops\"},{\"Key\":\"env\",\"Value\":\"dev\"}]"),
                                   &tagged, &fx->err));
    assert_int_equal(tagged.n_tags, 2);
    assert_false(ddb_table_add_tags(&fx->arena, &t, J("[{\"Key\":\"aws:x\",\"Value\":\"v\"}]"), &untagged, &fx->err));
    assert_string_equal(fx->err.message, "Tag Key cannot be prefixed with aws:, Key: aws:x");
    assert_true(ddb_table_remove_tags(&fx->arena, &tagged, J("[\"team\",\"missing\"]"), &untagged));
    assert_int_equal(untagged.n_tags, 1);
    assert_int_equal(untagged.tags[0].key.len, 3);

    char region[40], account[13], name[256];
    assert_true(ddb_table_arn_parse("arn:aws:dynamodb:eu-west-1:123456789012:table/my.table", region, account, name));
    assert_string_equal(region, "eu-west-1");
    assert_string_equal(account, "123456789012");
    assert_string_equal(name, "my.table");
    assert_false(ddb_table_arn_parse("arn:aws:s3:::bucket", region, account, name));
    assert_false(ddb_table_arn_parse("arn:aws:dynamodb:eu-west-1:123456789012:table/a/stream/x", region, account,
                                     name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_full, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_statuses_settle, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stored_form_round_trips, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_create_errors, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_update_indexes, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_update_stream_and_billing, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tags_and_arns, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
