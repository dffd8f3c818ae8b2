/* protocol/dynamodb items: PutItem, GetItem, UpdateItem and DeleteItem
 * requests (and the Put, Update, Delete, ConditionCheck and Get elements
 * of transactions, which are the same objects without the legacy
 * parameters) checked as AWS checks them before it looks at the table,
 * and parsed into one typed request.
 *
 * The order is AWS's: expression against legacy parameters, the key or
 * item values, ReturnValues, the item's size, the legacy conditions and
 * updates, then the expressions (names and values, UpdateExpression,
 * ConditionExpression, ProjectionExpression, unused names and values).
 * The checks that need the table (key schema, index key types, nested
 * key paths) are ddb_item_request_check_table's. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_ITEMS_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_ITEMS_H

#include "protocol/dynamodb/expression.h"
#include "protocol/dynamodb/table.h"

enum ddb_item_operation { DDB_OP_PUT, DDB_OP_GET, DDB_OP_UPDATE, DDB_OP_DELETE, DDB_OP_CONDITION_CHECK };

enum ddb_return_values {
    DDB_RETURN_NONE,
    DDB_RETURN_ALL_OLD,
    DDB_RETURN_UPDATED_OLD,
    DDB_RETURN_ALL_NEW,
    DDB_RETURN_UPDATED_NEW,
};

struct ddb_item_request {
    enum ddb_item_operation op;
    const char *table;             /* TableName */
    struct ddb_value key;          /* Key (not PUT) */
    struct ddb_value item;         /* Item (PUT) */
    struct ddb_expr_context ctx;
    const struct ddb_condition *condition;    /* NULL: none */
    struct ddb_name_list condition_nested;
    bool has_update;
    struct ddb_update update;
    bool has_projection;
    struct ddb_projection projection;
    enum ddb_return_values return_values;
    bool return_old_on_failure;    /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    bool consistent;               /* ConsistentRead */
};

/* A request (or a transaction element when in_transaction) after
 * ddb_request_check. */
bool ddb_item_request_parse(struct arena *a, enum ddb_item_operation op, const struct json_value *req,
                            bool in_transaction, struct ddb_item_request *out, struct ddb_error *err);

/* The checks that need the table, AWS's order: the key or item against
 * the key schema and the indexes, updates of key attributes and index
 * key types, paths into key attributes. */
bool ddb_item_request_check_table(const struct ddb_item_request *r, const struct ddb_table *t, struct ddb_error *err);

/* The attributes ReturnValues asks for, from the old and new items (NULL
 * when absent); *present false when there are none to return. */
bool ddb_item_return_values(struct arena *a, const struct ddb_item_request *r, const struct ddb_value *old_item,
                            const struct ddb_value *new_item, struct ddb_value *out, bool *present);

/* "Size of hashkey ..." and the other per-key messages have their own
 * checks in key.h; this gives the name AWS shows for a return-values
 * setting ("ALL_OLD"). */
const char *ddb_return_values_name(enum ddb_return_values rv);

#endif
