/* Unit tests for protocol/dynamodb request.c and request_shapes.c: the
 * three steps of AWS's front end on a request body — SerializationException
 * on JSON types where the shape wants another (in the shape's order), the
 * TableName checked on its own first, then every constraint violation
 * listed ("N validation errors detected: Value '...' at '...' failed to
 * satisfy constraint: ..."), the first ten only, with values rendered as Java
 * renders them and paths in AWS's form. */
#include "ddb_test.h"

#include "protocol/dynamodb/request.h"

/* The message of a refused request (NULL: accepted), its type in *type. */
static const char *check(const struct ddb_shape *input, const char *body, enum ddb_error_type *type)
{
    memset(&fx->err, 0, sizeof(fx->err));
    if (ddb_request_check(input, J(body), &fx->err))
        return NULL;
    if (type)
        *type = fx->err.type;
    assert_true(fx->err.message[0] != '\0');
    return fx->err.message;
}

static void expect(const struct ddb_shape *input, const char *body, enum ddb_error_type type, const char *message)
{
    enum ddb_error_type got_type = DDB_ERR_NONE;
    const char *got = check(input, body, &got_type);
    if (!got)
        fail_msg("%s: accepted, want \"%s\"", body, message);
    if (strcmp(got, message) != 0)
        fail_msg("%s:\n got \"%s\"\nwant \"%s\"", body, got, message);
    assert_int_equal(got_type, type);
}

static void test_serialization(void **state)
{
    (void)state;
    expect(&ddb_input_CreateTable, "{\"TableName\":1}", DDB_ERR_SERIALIZATION,
           "NUMBER_VALUE cannot be converted to String");
    expect(&ddb_input_CreateTable, "{\"TableName\":true}", DDB_ERR_SERIALIZATION,
           "TRUE_VALUE cannot be converted to String");
    expect(&ddb_input_CreateTable, "{\"TableName\":{}}", DDB_ERR_SERIALIZATION, "Start of structure or map found where not expected");
    expect(&ddb_input_CreateTable, "{\"TableName\":[]}", DDB_ERR_SERIALIZATION, "Unrecognized collection type class java.lang.String");
    expect(&ddb_input_CreateTable, "{\"KeySchema\":\"x\"}", DDB_ERR_SERIALIZATION,
           "Unexpected field type");
    expect(&ddb_input_ListTables, "{\"Limit\":\"1\"}", DDB_ERR_SERIALIZATION,
           "STRING_VALUE cannot be converted to Integer");
    /* Jackson truncates a decimal where an integer is wanted. */
    assert_null(check(&ddb_input_ListTables, "{\"Limit\":1.5}", NULL));
    expect(&ddb_input_Query, "{\"ScanIndexForward\":\"maybe\"}", DDB_ERR_SERIALIZATION,
           "Unexpected token received from parser");
    /* Jackson reads "yes", "no", "1" and "0" as booleans. */
    assert_null(check(&ddb_input_Query, "{\"TableName\":\"abc\",\"ScanIndexForward\":\"yes\"}", NULL));
    /* The first member of the shape's order answers, not the first of the body. */
    expect(&ddb_input_CreateTable, "{\"TableName\":1,\"AttributeDefinitions\":1}", DDB_ERR_SERIALIZATION,
           "Unexpected field type");
}

static void test_table_name_first(void **state)
{
    (void)state;
    expect(&ddb_input_DescribeTable, "{}", DDB_ERR_VALIDATION,
           "The parameter 'TableName' is required but was not present in the request");
    expect(&ddb_input_DescribeTable, "{\"TableName\":\"ab\"}", DDB_ERR_VALIDATION,
           "TableName must be at least 3 characters long and at most 255 characters long");
    /* Unknown members and JSON nulls are ignored. */
    assert_null(check(&ddb_input_DescribeTable, "{\"TableName\":\"abc\",\"Whatever\":[1],\"Other\":null}", NULL));
}

static void test_constraints(void **state)
{
    (void)state;
    expect(&ddb_input_CreateTable,
           "{\"TableName\":\"abc\",\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HUSH\"}],"
           "\"AttributeDefinitions\":[],\"BillingMode\":\"X\"}",
           DDB_ERR_VALIDATION,
           "2 validation errors detected: "
           "Value 'X' at 'billingMode' failed to satisfy constraint: "
           "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; "
           "Value 'HUSH' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
           "Member must satisfy enum value set: [HASH, RANGE]");
    expect(&ddb_input_CreateTable, "{\"TableName\":\"abc\"}", DDB_ERR_VALIDATION,
           "2 validation errors detected: "
           "Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null; "
           "Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
    expect(&ddb_input_ListTables, "{\"Limit\":0,\"ExclusiveStartTableName\":\"a;\"}", DDB_ERR_VALIDATION,
           "3 validation errors detected: "
           "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
           "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
           "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
           "Member must have length greater than or equal to 3; "
           "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
    /* Java's rendering of structures in the value. */
    enum ddb_error_type type;
    const char *got = check(&ddb_input_CreateTable,
                            "{\"TableName\":\"abc\",\"AttributeDefinitions\":[],"
                            "\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"},"
                            "{\"AttributeName\":\"b\",\"KeyType\":\"RANGE\"},{\"AttributeName\":\"c\",\"KeyType\":\"RANGE\"}]}",
                            &type);
    assert_non_null(got);
    assert_non_null(strstr(got, "Value '[KeySchemaElement(attributeName=a, keyType=HASH), "
                                "KeySchemaElement(attributeName=b, keyType=RANGE), "
                                "KeySchemaElement(attributeName=c, keyType=RANGE)]' at 'keySchema' failed to satisfy "
                                "constraint: Member must have length less than or equal to 2"));
}

static void test_at_most_ten(void **state)
{
    (void)state;
    struct strbuf body;
    strbuf_init(&body);
    strbuf_printf(&body, "%s", "{\"TableName\":\"abc\",\"AttributeDefinitions\":[");
    for (int i = 0; i < 12; i++)
        strbuf_printf(&body, "%s{\"AttributeName\":\"a%d\",\"AttributeType\":\"Q\"}", i ? "," : "", i);
    strbuf_printf(&body, "%s", "],\"KeySchema\":[{\"AttributeName\":\"a\",\"KeyType\":\"HASH\"}]}");
    enum ddb_error_type type;
    const char *got = check(&ddb_input_CreateTable, body.data, &type);
    assert_non_null(got);
    assert_int_equal(type, DDB_ERR_VALIDATION);
    /* AWS stops at ten and counts the ten. */
    assert_true(strncmp(got, "10 validation errors detected: ", 31) == 0);
    size_t listed = 0;
    for (const char *p = got; (p = strstr(p, "failed to satisfy constraint")); p++)
        listed++;
    assert_int_equal(listed, DDB_MAX_VALIDATION_ERRORS);
    strbuf_free(&body);
}

static void test_nested_paths(void **state)
{
    (void)state;
    expect(&ddb_input_BatchWriteItem, "{\"RequestItems\":{\"abc\":[]}}", DDB_ERR_VALIDATION,
           "1 validation error detected: Value '{abc=[]}' at 'requestItems' failed to satisfy constraint: "
           "Map value must satisfy constraint: [Member must have length less than or equal to 25, "
           "Member must have length greater than or equal to 1]");
    expect(&ddb_input_GetItem,
           "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"S\":\"x\"}},\"ReturnConsumedCapacity\":\"X\"}",
           DDB_ERR_VALIDATION,
           "1 validation error detected: Value 'X' at 'returnConsumedCapacity' failed to satisfy constraint: "
           "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]");
    assert_null(check(&ddb_input_GetItem, "{\"TableName\":\"abc\",\"Key\":{\"a\":{\"S\":\"x\"}}}", NULL));
}

static void test_utf16_length(void **state)
{
    (void)state;
    assert_int_equal(ddb_utf16_length("abc", 3), 3);
    assert_int_equal(ddb_utf16_length("\xc3\xa9", 2), 1);          /* é */
    assert_int_equal(ddb_utf16_length("\xe2\x82\xac", 3), 1);      /* € */
    assert_int_equal(ddb_utf16_length("\xf0\x9f\x98\x80", 4), 2);  /* a surrogate pair */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_serialization, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_table_name_first, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_constraints, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_at_most_ten, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_nested_paths, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_utf16_length, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
