/* protocol/dynamodb request_shapes: the input shape of every operation of
 * protocol/dynamodb/operations.h, with AWS's constraints — the table that
 * request.c checks requests against.
 *
 * Members are listed in the order AWS reports their errors (the order
 * its front end deserializes them, which is not alphabetical); enum value
 * sets in the order AWS's messages print them. Where AWS's current model
 * has members its older validators did not (StreamSpecification, Tags,
 * ...), they follow in the model's order. */
#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/streams.h"

#define CLASS "com.amazonaws.dynamodb.v20120810."
#define N(array) (sizeof(array) / sizeof((array)[0]))
#define STRUCT(name, list) {.kind = DDB_SHAPE_STRUCT, .type_name = name, .members = list, .n_members = N(list)}

/* ---- scalars ----------------------------------------------------------------- */

static const struct ddb_shape string = {.kind = DDB_SHAPE_STRING};
static const struct ddb_shape boolean = {.kind = DDB_SHAPE_BOOLEAN};
static const struct ddb_shape long_value = {.kind = DDB_SHAPE_LONG};
static const struct ddb_shape attribute_value = {.kind = DDB_SHAPE_ATTRIBUTE_VALUE};

/* Tables and indexes: [a-zA-Z0-9_.-]+, 3 to 255 characters. */
static const struct ddb_shape table_name = {.kind = DDB_SHAPE_STRING, .pattern = DDB_PATTERN_NAME,
                                            .has_min_len = true, .min_len = 3, .has_max_len = true,
                                            .max_len = 255};
#define index_name table_name

static const char *const return_consumed_capacity_values[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const struct ddb_shape return_consumed_capacity = {.kind = DDB_SHAPE_STRING,
                                                          .enum_values = return_consumed_capacity_values};
static const char *const return_item_collection_metrics_values[] = {"SIZE", "NONE", NULL};
static const struct ddb_shape return_item_collection_metrics = {.kind = DDB_SHAPE_STRING,
                                                                .enum_values = return_item_collection_metrics_values};
static const char *const return_values_values[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const struct ddb_shape return_values = {.kind = DDB_SHAPE_STRING, .enum_values = return_values_values};
static const char *const return_on_failure_values[] = {"ALL_OLD", "NONE", NULL};
static const struct ddb_shape return_on_failure = {.kind = DDB_SHAPE_STRING, .enum_values = return_on_failure_values};
static const char *const select_values[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
                                            "ALL_PROJECTED_ATTRIBUTES", NULL};
static const struct ddb_shape select_shape = {.kind = DDB_SHAPE_STRING, .enum_values = select_values};
static const char *const conditional_operator_values[] = {"OR", "AND", NULL};
static const struct ddb_shape conditional_operator = {.kind = DDB_SHAPE_STRING,
                                                      .enum_values = conditional_operator_values};
static const char *const comparison_operator_values[] = {"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                                                         "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS",
                                                         NULL};
static const struct ddb_shape comparison_operator = {.kind = DDB_SHAPE_STRING,
                                                     .enum_values = comparison_operator_values};
static const char *const attribute_type_values[] = {"B", "N", "S", NULL};
static const struct ddb_shape attribute_type = {.kind = DDB_SHAPE_STRING, .enum_values = attribute_type_values};
static const char *const key_type_values[] = {"HASH", "RANGE", NULL};
static const struct ddb_shape key_type = {.kind = DDB_SHAPE_STRING, .enum_values = key_type_values};
static const char *const billing_mode_values[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const struct ddb_shape billing_mode = {.kind = DDB_SHAPE_STRING, .enum_values = billing_mode_values};
static const char *const projection_type_values[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};
static const struct ddb_shape projection_type = {.kind = DDB_SHAPE_STRING, .enum_values = projection_type_values};
static const char *const stream_view_type_values[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY",
                                                      NULL};
static const struct ddb_shape stream_view_type = {.kind = DDB_SHAPE_STRING, .enum_values = stream_view_type_values};
static const char *const sse_type_values[] = {"AES256", "KMS", NULL};
static const struct ddb_shape sse_type = {.kind = DDB_SHAPE_STRING, .enum_values = sse_type_values};
static const char *const table_class_values[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};
static const struct ddb_shape table_class = {.kind = DDB_SHAPE_STRING, .enum_values = table_class_values};

static const struct ddb_shape limit = {.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1};
static const struct ddb_shape positive_long = {.kind = DDB_SHAPE_LONG, .has_min = true, .min = 1};
static const struct ddb_shape client_request_token = {.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 1,
                                                      .has_max_len = true, .max_len = 36};
static const struct ddb_shape statement = {.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 1,
                                           .has_max_len = true, .max_len = 8192};

/* ---- collections that recur ----------------------------------------------------- */

static const struct ddb_shape attribute_map = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "AttributeValue",
                                               .element = &attribute_value};
static const struct ddb_shape name_map = {.kind = DDB_SHAPE_MAP, .type_name = "java.lang.String", .element = &string};
static const struct ddb_shape attribute_value_list = {.kind = DDB_SHAPE_LIST, .element = &attribute_value};
static const struct ddb_shape attributes_to_get = {.kind = DDB_SHAPE_LIST, .element = &string, .has_min_len = true,
                                                   .min_len = 1, .has_max_len = true, .max_len = 255};
static const struct ddb_shape parameters = {.kind = DDB_SHAPE_LIST, .element = &attribute_value, .has_min_len = true,
                                            .min_len = 1};
static const struct ddb_shape string_list = {.kind = DDB_SHAPE_LIST, .element = &string};

static const struct ddb_member expected_members[] = {
    {.name = "AttributeValueList", .shape = &attribute_value_list},
    {.name = "ComparisonOperator", .shape = &comparison_operator},
    {.name = "Exists", .shape = &boolean},
    {.name = "Value", .shape = &attribute_value},
};
static const struct ddb_shape expected_value = STRUCT("ExpectedAttributeValue", expected_members);
static const struct ddb_shape expected = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "ExpectedAttributeValue",
                                          .element = &expected_value};

/* Query and scan filters list AttributeValueList first, key conditions
 * ComparisonOperator first. */
static const struct ddb_member filter_condition_members[] = {
    {.name = "AttributeValueList", .shape = &attribute_value_list},
    {.name = "ComparisonOperator", .shape = &comparison_operator, .not_null = true},
};
static const struct ddb_shape filter_condition = STRUCT("Condition", filter_condition_members);
static const struct ddb_shape filter_conditions = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "Condition",
                                                   .element = &filter_condition};
static const struct ddb_member key_condition_members[] = {
    {.name = "ComparisonOperator", .shape = &comparison_operator, .not_null = true},
    {.name = "AttributeValueList", .shape = &attribute_value_list},
};
static const struct ddb_shape key_condition = STRUCT("Condition", key_condition_members);
static const struct ddb_shape key_conditions = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "Condition",
                                                .element = &key_condition};

static const struct ddb_member attribute_update_members[] = {
    {.name = "Action", .shape = &string},
    {.name = "Value", .shape = &attribute_value},
};
static const struct ddb_shape attribute_update = STRUCT("AttributeValueUpdate", attribute_update_members);
static const struct ddb_shape attribute_updates = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "AttributeValueUpdate",
                                                   .element = &attribute_update};

/* ---- tables ------------------------------------------------------------------- */

static const struct ddb_member attribute_definition_members[] = {
    {.name = "AttributeName", .shape = &string, .not_null = true},
    {.name = "AttributeType", .shape = &attribute_type, .not_null = true},
};
static const struct ddb_shape attribute_definition = STRUCT("AttributeDefinition", attribute_definition_members);
static const struct ddb_shape attribute_definitions = {.kind = DDB_SHAPE_LIST, .element = &attribute_definition};

static const struct ddb_member throughput_members[] = {
    {.name = "WriteCapacityUnits", .shape = &positive_long, .not_null = true},
    {.name = "ReadCapacityUnits", .shape = &positive_long, .not_null = true},
};
static const struct ddb_shape throughput = STRUCT("ProvisionedThroughput", throughput_members);

static const struct ddb_member on_demand_members[] = {
    {.name = "MaxReadRequestUnits", .shape = &long_value},
    {.name = "MaxWriteRequestUnits", .shape = &long_value},
};
static const struct ddb_shape on_demand = STRUCT("OnDemandThroughput", on_demand_members);
static const struct ddb_member warm_members[] = {
    {.name = "ReadUnitsPerSecond", .shape = &long_value},
    {.name = "WriteUnitsPerSecond", .shape = &long_value},
};
static const struct ddb_shape warm = STRUCT("WarmThroughput", warm_members);

/* The table's key schema: types checked; an index's: only present. */
static const struct ddb_member key_element_members[] = {
    {.name = "AttributeName", .shape = &string, .not_null = true},
    {.name = "KeyType", .shape = &key_type, .not_null = true},
};
static const struct ddb_shape key_element = STRUCT("KeySchemaElement", key_element_members);
static const struct ddb_shape key_schema = {.kind = DDB_SHAPE_LIST, .element = &key_element, .has_min_len = true,
                                            .min_len = 1, .has_max_len = true, .max_len = 2};
static const struct ddb_member index_key_element_members[] = {
    {.name = "AttributeName", .shape = &string, .not_null = true},
    {.name = "KeyType", .shape = &string, .not_null = true},
};
static const struct ddb_shape index_key_element = STRUCT("KeySchemaElement", index_key_element_members);
static const struct ddb_shape index_key_schema = {.kind = DDB_SHAPE_LIST, .element = &index_key_element,
                                                  .has_min_len = true, .min_len = 1, .has_max_len = true,
                                                  .max_len = 2};

static const struct ddb_shape non_key_attributes = {.kind = DDB_SHAPE_LIST, .element = &string, .has_min_len = true,
                                                    .min_len = 1};
static const struct ddb_member projection_members[] = {
    {.name = "ProjectionType", .shape = &projection_type},
    {.name = "NonKeyAttributes", .shape = &non_key_attributes},
};
static const struct ddb_shape projection = STRUCT("Projection", projection_members);

static const struct ddb_member local_index_members[] = {
    {.name = "IndexName", .shape = &index_name, .not_null = true},
    {.name = "KeySchema", .shape = &index_key_schema, .not_null = true},
    {.name = "Projection", .shape = &projection, .not_null = true},
};
static const struct ddb_shape local_index = STRUCT("LocalSecondaryIndex", local_index_members);
static const struct ddb_shape local_indexes = {.kind = DDB_SHAPE_LIST, .element = &local_index};

static const struct ddb_member global_index_members[] = {
    {.name = "IndexName", .shape = &index_name, .not_null = true},
    {.name = "KeySchema", .shape = &index_key_schema, .not_null = true},
    {.name = "Projection", .shape = &projection, .not_null = true},
    {.name = "ProvisionedThroughput", .shape = &throughput},
    {.name = "OnDemandThroughput", .shape = &on_demand},
    {.name = "WarmThroughput", .shape = &warm},
};
static const struct ddb_shape global_index = STRUCT("GlobalSecondaryIndex", global_index_members);
static const struct ddb_shape global_indexes = {.kind = DDB_SHAPE_LIST, .element = &global_index};

static const struct ddb_member stream_specification_members[] = {
    {.name = "StreamEnabled", .shape = &boolean, .not_null = true},
    {.name = "StreamViewType", .shape = &stream_view_type},
};
static const struct ddb_shape stream_specification = STRUCT("StreamSpecification", stream_specification_members);
static const struct ddb_member sse_specification_members[] = {
    {.name = "Enabled", .shape = &boolean},
    {.name = "SSEType", .shape = &sse_type},
    {.name = "KMSMasterKeyId", .shape = &string},
};
static const struct ddb_shape sse_specification = STRUCT("SSESpecification", sse_specification_members);

static const struct ddb_member tag_members[] = {
    {.name = "Key", .shape = &string},
    {.name = "Value", .shape = &string},
};
static const struct ddb_shape tag = STRUCT("Tag", tag_members);
static const struct ddb_shape tags = {.kind = DDB_SHAPE_LIST, .element = &tag};

static const struct ddb_member create_table_members[] = {
    {.name = "AttributeDefinitions", .shape = &attribute_definitions, .not_null = true},
    {.name = "TableName", .shape = &table_name, .required_first = true},
    {.name = "BillingMode", .shape = &billing_mode},
    {.name = "ProvisionedThroughput", .shape = &throughput},
    {.name = "KeySchema", .shape = &key_schema, .not_null = true},
    {.name = "LocalSecondaryIndexes", .shape = &local_indexes},
    {.name = "GlobalSecondaryIndexes", .shape = &global_indexes},
    {.name = "StreamSpecification", .shape = &stream_specification},
    {.name = "SSESpecification", .shape = &sse_specification},
    {.name = "Tags", .shape = &tags},
    {.name = "TableClass", .shape = &table_class},
    {.name = "DeletionProtectionEnabled", .shape = &boolean},
    {.name = "WarmThroughput", .shape = &warm},
    {.name = "ResourcePolicy", .shape = &string},
    {.name = "OnDemandThroughput", .shape = &on_demand},
};
const struct ddb_shape ddb_input_CreateTable = STRUCT("CreateTableInput", create_table_members);

static const struct ddb_member table_name_only_members[] = {
    {.name = "TableName", .shape = &table_name, .required_first = true},
};
const struct ddb_shape ddb_input_DescribeTable = STRUCT("DescribeTableInput", table_name_only_members);
const struct ddb_shape ddb_input_DeleteTable = STRUCT("DeleteTableInput", table_name_only_members);
const struct ddb_shape ddb_input_DescribeTimeToLive = STRUCT("DescribeTimeToLiveInput", table_name_only_members);

static const struct ddb_member index_update_members[] = {
    {.name = "IndexName", .shape = &index_name, .not_null = true},
    {.name = "ProvisionedThroughput", .shape = &throughput, .not_null = true},
    {.name = "OnDemandThroughput", .shape = &on_demand},
    {.name = "WarmThroughput", .shape = &warm},
};
static const struct ddb_shape index_update = STRUCT("UpdateGlobalSecondaryIndexAction", index_update_members);
static const struct ddb_member index_create_members[] = {
    {.name = "Projection", .shape = &projection, .not_null = true},
    {.name = "IndexName", .shape = &index_name, .not_null = true},
    {.name = "ProvisionedThroughput", .shape = &throughput},
    {.name = "KeySchema", .shape = &index_key_schema, .not_null = true},
    {.name = "OnDemandThroughput", .shape = &on_demand},
    {.name = "WarmThroughput", .shape = &warm},
};
static const struct ddb_shape index_create = STRUCT("CreateGlobalSecondaryIndexAction", index_create_members);
static const struct ddb_member index_delete_members[] = {
    {.name = "IndexName", .shape = &index_name, .not_null = true},
};
static const struct ddb_shape index_delete = STRUCT("DeleteGlobalSecondaryIndexAction", index_delete_members);
static const struct ddb_member index_updates_members[] = {
    {.name = "Update", .shape = &index_update},
    {.name = "Create", .shape = &index_create},
    {.name = "Delete", .shape = &index_delete},
};
static const struct ddb_shape index_updates_element = STRUCT("GlobalSecondaryIndexUpdate", index_updates_members);
static const struct ddb_shape index_updates = {.kind = DDB_SHAPE_LIST, .element = &index_updates_element};

/* Replicas (global tables) are refused later; their shapes are only
 * structures here. */
static const struct ddb_member replica_update_members[] = {
    {.name = "Create", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRUCT, .type_name = "CreateReplicationGroupMemberAction"}},
    {.name = "Update", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRUCT, .type_name = "UpdateReplicationGroupMemberAction"}},
    {.name = "Delete", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRUCT, .type_name = "DeleteReplicationGroupMemberAction"}},
};
static const struct ddb_shape replica_update = STRUCT("ReplicationGroupUpdate", replica_update_members);
static const struct ddb_shape replica_updates = {.kind = DDB_SHAPE_LIST, .element = &replica_update,
                                                 .has_min_len = true, .min_len = 1};

static const struct ddb_member update_table_members[] = {
    {.name = "TableName", .shape = &table_name, .required_first = true},
    {.name = "ProvisionedThroughput", .shape = &throughput},
    {.name = "BillingMode", .shape = &billing_mode},
    {.name = "GlobalSecondaryIndexUpdates", .shape = &index_updates},
    {.name = "AttributeDefinitions", .shape = &attribute_definitions},
    {.name = "StreamSpecification", .shape = &stream_specification},
    {.name = "SSESpecification", .shape = &sse_specification},
    {.name = "ReplicaUpdates", .shape = &replica_updates},
    {.name = "TableClass", .shape = &table_class},
    {.name = "DeletionProtectionEnabled", .shape = &boolean},
    {.name = "OnDemandThroughput", .shape = &on_demand},
    {.name = "WarmThroughput", .shape = &warm},
};
const struct ddb_shape ddb_input_UpdateTable = STRUCT("UpdateTableInput", update_table_members);

static const struct ddb_member list_tables_members[] = {
    {.name = "ExclusiveStartTableName", .shape = &table_name},
    {.name = "Limit", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1, .has_max = true,
                                         .max = 100}},
};
const struct ddb_shape ddb_input_ListTables = STRUCT("ListTablesInput", list_tables_members);

/* ---- tags ----------------------------------------------------------------------- */

static const struct ddb_member tag_resource_members[] = {
    {.name = "ResourceArn", .shape = &string},
    {.name = "Tags", .shape = &tags},
};
const struct ddb_shape ddb_input_TagResource = STRUCT("TagResourceInput", tag_resource_members);
static const struct ddb_member untag_resource_members[] = {
    {.name = "ResourceArn", .shape = &string},
    {.name = "TagKeys", .shape = &string_list},
};
const struct ddb_shape ddb_input_UntagResource = STRUCT("UntagResourceInput", untag_resource_members);
static const struct ddb_member list_tags_members[] = {
    {.name = "ResourceArn", .shape = &string},
    {.name = "NextToken", .shape = &string},
};
const struct ddb_shape ddb_input_ListTagsOfResource = STRUCT("ListTagsOfResourceInput", list_tags_members);

/* ---- settings ------------------------------------------------------------------ */

static const struct ddb_member ttl_specification_members[] = {
    {.name = "Enabled", .shape = &boolean, .not_null = true},
    {.name = "AttributeName", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 1,
                                                 .has_max_len = true, .max_len = 255},
     .not_null = true},
};
static const struct ddb_shape ttl_specification = STRUCT("TimeToLiveSpecification", ttl_specification_members);
static const struct ddb_member update_ttl_members[] = {
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "TimeToLiveSpecification", .shape = &ttl_specification, .not_null = true},
};
const struct ddb_shape ddb_input_UpdateTimeToLive = STRUCT("UpdateTimeToLiveInput", update_ttl_members);

static const struct ddb_member table_name_member[] = {
    {.name = "TableName", .shape = &table_name, .not_null = true},
};
const struct ddb_shape ddb_input_DescribeContinuousBackups = STRUCT("DescribeContinuousBackupsInput",
                                                                   table_name_member);
static const struct ddb_member pitr_specification_members[] = {
    {.name = "PointInTimeRecoveryEnabled", .shape = &boolean, .not_null = true},
    {.name = "RecoveryPeriodInDays", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1,
                                                        .has_max = true, .max = 35}},
};
static const struct ddb_shape pitr_specification = STRUCT("PointInTimeRecoverySpecification",
                                                          pitr_specification_members);
static const struct ddb_member update_backups_members[] = {
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "PointInTimeRecoverySpecification", .shape = &pitr_specification, .not_null = true},
};
const struct ddb_shape ddb_input_UpdateContinuousBackups = STRUCT("UpdateContinuousBackupsInput",
                                                                 update_backups_members);
const struct ddb_shape ddb_input_DescribeLimits = {.kind = DDB_SHAPE_STRUCT, .type_name = "DescribeLimitsInput"};
const struct ddb_shape ddb_input_DescribeEndpoints = {.kind = DDB_SHAPE_STRUCT,
                                                      .type_name = "DescribeEndpointsRequest"};

/* ---- items ---------------------------------------------------------------------- */

static const struct ddb_member put_item_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "Item", .shape = &attribute_map, .not_null = true},
    {.name = "ConditionalOperator", .shape = &conditional_operator},
    {.name = "Expected", .shape = &expected},
    {.name = "ReturnValues", .shape = &return_values},
    {.name = "ReturnItemCollectionMetrics", .shape = &return_item_collection_metrics},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
const struct ddb_shape ddb_input_PutItem = STRUCT("PutItemInput", put_item_members);

static const struct ddb_member get_item_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "AttributesToGet", .shape = &attributes_to_get},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "ConsistentRead", .shape = &boolean},
    {.name = "ProjectionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
};
const struct ddb_shape ddb_input_GetItem = STRUCT("GetItemInput", get_item_members);

static const struct ddb_member update_item_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ReturnItemCollectionMetrics", .shape = &return_item_collection_metrics},
    {.name = "ReturnValues", .shape = &return_values},
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "ConditionalOperator", .shape = &conditional_operator},
    {.name = "Expected", .shape = &expected},
    {.name = "AttributeUpdates", .shape = &attribute_updates},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "UpdateExpression", .shape = &string},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
const struct ddb_shape ddb_input_UpdateItem = STRUCT("UpdateItemInput", update_item_members);

static const struct ddb_member delete_item_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ReturnValues", .shape = &return_values},
    {.name = "ReturnItemCollectionMetrics", .shape = &return_item_collection_metrics},
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "ConditionalOperator", .shape = &conditional_operator},
    {.name = "Expected", .shape = &expected},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
const struct ddb_shape ddb_input_DeleteItem = STRUCT("DeleteItemInput", delete_item_members);

/* ---- query and scan ------------------------------------------------------------- */

static const struct ddb_member query_members[] = {
    {.name = "Select", .shape = &select_shape},
    {.name = "IndexName", .shape = &index_name},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "QueryFilter", .shape = &filter_conditions},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionalOperator", .shape = &conditional_operator},
    {.name = "AttributesToGet", .shape = &attributes_to_get},
    {.name = "Limit", .shape = &limit},
    {.name = "KeyConditions", .shape = &key_conditions},
    {.name = "ExclusiveStartKey", .shape = &attribute_map},
    {.name = "ConsistentRead", .shape = &boolean},
    {.name = "ScanIndexForward", .shape = &boolean},
    {.name = "KeyConditionExpression", .shape = &string},
    {.name = "FilterExpression", .shape = &string},
    {.name = "ProjectionExpression", .shape = &string},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
};
const struct ddb_shape ddb_input_Query = STRUCT("QueryInput", query_members);

static const struct ddb_member scan_members[] = {
    {.name = "Select", .shape = &select_shape},
    {.name = "IndexName", .shape = &index_name},
    {.name = "TotalSegments", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1,
                                                 .has_max = true, .max = 1000000}},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionalOperator", .shape = &conditional_operator},
    {.name = "ScanFilter", .shape = &filter_conditions},
    {.name = "Segment", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 0, .has_max = true,
                                           .max = 999999}},
    {.name = "Limit", .shape = &limit},
    {.name = "AttributesToGet", .shape = &attributes_to_get},
    {.name = "ExclusiveStartKey", .shape = &attribute_map},
    {.name = "FilterExpression", .shape = &string},
    {.name = "ProjectionExpression", .shape = &string},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ConsistentRead", .shape = &boolean},
};
const struct ddb_shape ddb_input_Scan = STRUCT("ScanInput", scan_members);

/* ---- batches -------------------------------------------------------------------- */

/* A map of AttributeValues as a list element. */
static const struct ddb_shape key_list = {.kind = DDB_SHAPE_LIST, .element = &attribute_map, .has_min_len = true,
                                          .min_len = 1, .has_max_len = true, .max_len = 100};
static const struct ddb_member keys_and_attributes_members[] = {
    {.name = "Keys", .shape = &key_list, .not_null = true},
    {.name = "AttributesToGet", .shape = &attributes_to_get},
    {.name = "ConsistentRead", .shape = &boolean},
    {.name = "ProjectionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
};
static const struct ddb_shape keys_and_attributes = STRUCT("KeysAndAttributes", keys_and_attributes_members);
static const struct ddb_shape batch_get_requests = {.kind = DDB_SHAPE_MAP, .type_name = CLASS "KeysAndAttributes",
                                                    .element = &keys_and_attributes, .has_min_len = true,
                                                    .min_len = 1, .key = &table_name};
static const struct ddb_member batch_get_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "RequestItems", .shape = &batch_get_requests, .not_null = true},
};
const struct ddb_shape ddb_input_BatchGetItem = STRUCT("BatchGetItemInput", batch_get_members);

static const struct ddb_member delete_request_members[] = {
    {.name = "Key", .shape = &attribute_map, .not_null = true},
};
static const struct ddb_shape delete_request = STRUCT("DeleteRequest", delete_request_members);
static const struct ddb_member put_request_members[] = {
    {.name = "Item", .shape = &attribute_map, .not_null = true},
};
static const struct ddb_shape put_request = STRUCT("PutRequest", put_request_members);
static const struct ddb_member write_request_members[] = {
    {.name = "DeleteRequest", .shape = &delete_request},
    {.name = "PutRequest", .shape = &put_request},
};
static const struct ddb_shape write_request = STRUCT("WriteRequest", write_request_members);
static const struct ddb_shape write_requests = {.kind = DDB_SHAPE_LIST, .element = &write_request,
                                                .has_min_len = true, .min_len = 1, .has_max_len = true,
                                                .max_len = 25};
static const struct ddb_shape batch_write_requests = {
    .kind = DDB_SHAPE_MAP, .type_name = "java.util.List<" CLASS "WriteRequest>", .element = &write_requests,
    .has_min_len = true, .min_len = 1, .key = &table_name, .value_constraints_at_map = true};
static const struct ddb_member batch_write_members[] = {
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "ReturnItemCollectionMetrics", .shape = &return_item_collection_metrics},
    {.name = "RequestItems", .shape = &batch_write_requests, .not_null = true},
};
const struct ddb_shape ddb_input_BatchWriteItem = STRUCT("BatchWriteItemInput", batch_write_members);

/* ---- transactions --------------------------------------------------------------- */

static const struct ddb_member condition_check_members[] = {
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionExpression", .shape = &string, .not_null = true},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_member put_members[] = {
    {.name = "Item", .shape = &attribute_map, .not_null = true},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_member delete_members[] = {
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_member update_members[] = {
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "UpdateExpression", .shape = &string, .not_null = true},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ConditionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
    {.name = "ExpressionAttributeValues", .shape = &attribute_map},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_member transact_write_item_members[] = {
    {.name = "ConditionCheck", .shape = &(const struct ddb_shape)STRUCT("ConditionCheck", condition_check_members)},
    {.name = "Put", .shape = &(const struct ddb_shape)STRUCT("Put", put_members)},
    {.name = "Delete", .shape = &(const struct ddb_shape)STRUCT("Delete", delete_members)},
    {.name = "Update", .shape = &(const struct ddb_shape)STRUCT("Update", update_members)},
};
static const struct ddb_shape transact_write_item = STRUCT("TransactWriteItem", transact_write_item_members);
static const struct ddb_member transact_write_members[] = {
    {.name = "TransactItems", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_LIST, .element = &transact_write_item,
                                                 .has_min_len = true, .min_len = 1, .has_max_len = true,
                                                 .max_len = 100},
     .not_null = true},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "ReturnItemCollectionMetrics", .shape = &return_item_collection_metrics},
    {.name = "ClientRequestToken", .shape = &client_request_token},
};
const struct ddb_shape ddb_input_TransactWriteItems = STRUCT("TransactWriteItemsInput", transact_write_members);

static const struct ddb_member get_members[] = {
    {.name = "Key", .shape = &attribute_map, .not_null = true},
    {.name = "TableName", .shape = &table_name, .not_null = true},
    {.name = "ProjectionExpression", .shape = &string},
    {.name = "ExpressionAttributeNames", .shape = &name_map},
};
static const struct ddb_member transact_get_item_members[] = {
    {.name = "Get", .shape = &(const struct ddb_shape)STRUCT("Get", get_members), .not_null = true},
};
static const struct ddb_shape transact_get_item = STRUCT("TransactGetItem", transact_get_item_members);
static const struct ddb_member transact_get_members[] = {
    {.name = "TransactItems", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_LIST, .element = &transact_get_item,
                                                 .has_min_len = true, .min_len = 1, .has_max_len = true,
                                                 .max_len = 100},
     .not_null = true},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
};
const struct ddb_shape ddb_input_TransactGetItems = STRUCT("TransactGetItemsInput", transact_get_members);

/* ---- PartiQL -------------------------------------------------------------------- */

static const struct ddb_member execute_statement_members[] = {
    {.name = "Statement", .shape = &statement, .not_null = true},
    {.name = "Parameters", .shape = &parameters},
    {.name = "ConsistentRead", .shape = &boolean},
    {.name = "NextToken", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 1,
                                             .has_max_len = true, .max_len = 32768}},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
    {.name = "Limit", .shape = &limit},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
const struct ddb_shape ddb_input_ExecuteStatement = STRUCT("ExecuteStatementInput", execute_statement_members);

static const struct ddb_member batch_statement_members[] = {
    {.name = "Statement", .shape = &statement, .not_null = true},
    {.name = "Parameters", .shape = &parameters},
    {.name = "ConsistentRead", .shape = &boolean},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_shape batch_statement = STRUCT("BatchStatementRequest", batch_statement_members);
static const struct ddb_member batch_execute_members[] = {
    {.name = "Statements", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_LIST, .element = &batch_statement,
                                              .has_min_len = true, .min_len = 1, .has_max_len = true,
                                              .max_len = 25},
     .not_null = true},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
};
const struct ddb_shape ddb_input_BatchExecuteStatement = STRUCT("BatchExecuteStatementInput", batch_execute_members);

static const struct ddb_member parameterized_statement_members[] = {
    {.name = "Statement", .shape = &statement, .not_null = true},
    {.name = "Parameters", .shape = &parameters},
    {.name = "ReturnValuesOnConditionCheckFailure", .shape = &return_on_failure},
};
static const struct ddb_shape parameterized_statement = STRUCT("ParameterizedStatement",
                                                               parameterized_statement_members);
static const struct ddb_member execute_transaction_members[] = {
    {.name = "TransactStatements", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_LIST, .element = &parameterized_statement,
                                                      .has_min_len = true, .min_len = 1, .has_max_len = true,
                                                      .max_len = 100},
     .not_null = true},
    {.name = "ClientRequestToken", .shape = &client_request_token},
    {.name = "ReturnConsumedCapacity", .shape = &return_consumed_capacity},
};
const struct ddb_shape ddb_input_ExecuteTransaction = STRUCT("ExecuteTransactionInput", execute_transaction_members);

/* ---- DynamoDB Streams ----------------------------------------------------------------- */

static const struct ddb_shape stream_arn = {.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 37,
                                            .has_max_len = true, .max_len = 1024};
static const struct ddb_shape shard_id = {.kind = DDB_SHAPE_STRING, .has_min_len = true, .min_len = 28,
                                          .has_max_len = true, .max_len = 65};
static const struct ddb_shape streams_limit = {.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1, .has_max = true,
                                               .max = 100};

static const struct ddb_member list_streams_members[] = {
    {.name = "TableName", .shape = &table_name},
    {.name = "Limit", .shape = &streams_limit},
    {.name = "ExclusiveStartStreamArn", .shape = &stream_arn},
};
const struct ddb_shape ddb_input_ListStreams = STRUCT("ListStreamsInput", list_streams_members);

static const char *const shard_filter_type_values[] = {"CHILD_SHARDS", NULL};
static const struct ddb_member shard_filter_members[] = {
    {.name = "Type", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING,
                                                        .enum_values = shard_filter_type_values}},
    {.name = "ShardId", .shape = &shard_id},
};
static const struct ddb_member describe_stream_members[] = {
    {.name = "StreamArn", .shape = &stream_arn, .not_null = true},
    {.name = "Limit", .shape = &streams_limit},
    {.name = "ExclusiveStartShardId", .shape = &shard_id},
    {.name = "ShardFilter", .shape = &(const struct ddb_shape)STRUCT("ShardFilter", shard_filter_members)},
};
const struct ddb_shape ddb_input_DescribeStream = STRUCT("DescribeStreamInput", describe_stream_members);

static const char *const shard_iterator_type_values[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                                         "AFTER_SEQUENCE_NUMBER", NULL};
static const struct ddb_member get_shard_iterator_members[] = {
    {.name = "StreamArn", .shape = &stream_arn, .not_null = true},
    {.name = "ShardId", .shape = &shard_id, .not_null = true},
    {.name = "ShardIteratorType", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING,
                                                                     .enum_values = shard_iterator_type_values},
     .not_null = true},
    {.name = "SequenceNumber", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING, .has_min_len = true,
                                                                  .min_len = 21, .has_max_len = true,
                                                                  .max_len = 40}},
};
const struct ddb_shape ddb_input_GetShardIterator = STRUCT("GetShardIteratorInput", get_shard_iterator_members);

static const struct ddb_member get_records_members[] = {
    {.name = "ShardIterator", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_STRING, .has_min_len = true,
                                                                 .min_len = 1, .has_max_len = true,
                                                                 .max_len = 2048},
     .not_null = true},
    {.name = "Limit", .shape = &(const struct ddb_shape){.kind = DDB_SHAPE_INTEGER, .has_min = true, .min = 1,
                                                         .has_max = true, .max = DDB_GET_RECORDS_MAX}},
};
const struct ddb_shape ddb_input_GetRecords = STRUCT("GetRecordsInput", get_records_members);
