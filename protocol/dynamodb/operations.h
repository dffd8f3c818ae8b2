/* protocol/dynamodb/operations.h: the DynamoDB operations cloudless serves
 * — its one operation table (see server/core/service.h).
 *
 * X(name, family, IAM action, handler): the X-Amz-Target is
 * "DynamoDB_20120810.<name>"; the family names the file the operation
 * lives in (server/dynamodb/<family>.c, storage/dynamodb/<family>.c for its
 * state, protocol/dynamodb/<family>.c for its wire format where it has
 * one); handler is the server function, void handler(struct ddb_call *).
 * Each operation's input shape is ddb_input_<name> (protocol/dynamodb/
 * request.h). An operation not listed here (backups, global tables,
 * imports and exports, Kinesis streaming destinations, resource policies,
 * contributor insights) is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_OPERATIONS_H

#define DDB_TARGET_PREFIX "DynamoDB_20120810."

#define DDB_OPERATIONS(X)                                                                          \
    X(CreateTable, tables, "dynamodb:CreateTable", ddb_create_table)                               \
    X(DescribeTable, tables, "dynamodb:DescribeTable", ddb_describe_table)                         \
    X(UpdateTable, tables, "dynamodb:UpdateTable", ddb_update_table)                               \
    X(DeleteTable, tables, "dynamodb:DeleteTable", ddb_delete_table)                               \
    X(ListTables, tables, "dynamodb:ListTables", ddb_list_tables)                                  \
    X(TagResource, tags, "dynamodb:TagResource", ddb_tag_resource)                                 \
    X(UntagResource, tags, "dynamodb:UntagResource", ddb_untag_resource)                           \
    X(ListTagsOfResource, tags, "dynamodb:ListTagsOfResource", ddb_list_tags_of_resource)          \
    X(UpdateTimeToLive, settings, "dynamodb:UpdateTimeToLive", ddb_update_time_to_live)            \
    X(DescribeTimeToLive, settings, "dynamodb:DescribeTimeToLive", ddb_describe_time_to_live)      \
    X(UpdateContinuousBackups, settings, "dynamodb:UpdateContinuousBackups",                       \
      ddb_update_continuous_backups)                                                               \
    X(DescribeContinuousBackups, settings, "dynamodb:DescribeContinuousBackups",                   \
      ddb_describe_continuous_backups)                                                             \
    X(DescribeLimits, settings, "dynamodb:DescribeLimits", ddb_describe_limits)                    \
    X(DescribeEndpoints, settings, "dynamodb:DescribeEndpoints", ddb_describe_endpoints)           \
    X(PutItem, items, "dynamodb:PutItem", ddb_put_item)                                            \
    X(GetItem, items, "dynamodb:GetItem", ddb_get_item)                                            \
    X(UpdateItem, items, "dynamodb:UpdateItem", ddb_update_item)                                   \
    X(DeleteItem, items, "dynamodb:DeleteItem", ddb_delete_item)                                   \
    X(Query, query, "dynamodb:Query", ddb_query)                                                   \
    X(Scan, query, "dynamodb:Scan", ddb_scan)                                                      \
    X(BatchGetItem, batch, "dynamodb:BatchGetItem", ddb_batch_get_item)                            \
    X(BatchWriteItem, batch, "dynamodb:BatchWriteItem", ddb_batch_write_item)                      \
    X(TransactWriteItems, transactions, "dynamodb:TransactWriteItems", ddb_transact_write_items)   \
    X(TransactGetItems, transactions, "dynamodb:TransactGetItems", ddb_transact_get_items)         \
    X(ExecuteStatement, partiql, "dynamodb:PartiQLSelect", ddb_execute_statement)                  \
    X(BatchExecuteStatement, partiql, "dynamodb:PartiQLSelect", ddb_batch_execute_statement)       \
    X(ExecuteTransaction, partiql, "dynamodb:PartiQLSelect", ddb_execute_transaction)

/* DynamoDB Streams (a service of its own for AWS: X-Amz-Target
 * "DynamoDBStreams_20120810.<name>", signed for "dynamodb", endpoint
 * streams.dynamodb.<region>.amazonaws.com) reads what storage/dynamodb
 * keeps, so its table is here too, with the same X(...) columns; its
 * handlers are in server/dynamodb/streams.c. */
#define DDB_STREAMS_TARGET_PREFIX "DynamoDBStreams_20120810."

#define DDB_STREAMS_OPERATIONS(X)                                                                  \
    X(ListStreams, streams, "dynamodb:ListStreams", ddb_list_streams)                              \
    X(DescribeStream, streams, "dynamodb:DescribeStream", ddb_describe_stream)                     \
    X(GetShardIterator, streams, "dynamodb:GetShardIterator", ddb_get_shard_iterator)              \
    X(GetRecords, streams, "dynamodb:GetRecords", ddb_get_records)

#endif
