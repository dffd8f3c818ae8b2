/* protocol/dynamodb legacy: the parameters DynamoDB had before
 * expressions — Expected, QueryFilter, ScanFilter, KeyConditions,
 * AttributeUpdates, AttributesToGet, ConditionalOperator — validated with
 * AWS's messages and converted to the same trees the expressions give
 * (struct ddb_condition, ddb_key_condition, ddb_update, ddb_projection),
 * so the server evaluates one form. Also the check that a request does
 * not mix the two styles.
 *
 * The JSON passed in is the request member (an object or array), or NULL
 * when the member is absent; the request's shapes should have been
 * checked first (see value_json.h). A NULL *out condition means "no
 * condition". */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_LEGACY_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_LEGACY_H

#include "protocol/core/json.h"
#include "protocol/dynamodb/expression.h"

/* Expected with ConditionalOperator ("AND" or "OR", NULL for AND). */
bool ddb_legacy_expected(struct arena *a, const struct json_value *expected, const char *conditional_operator,
                         const struct ddb_condition **out, struct ddb_error *err);
/* QueryFilter or ScanFilter with ConditionalOperator. */
bool ddb_legacy_filter(struct arena *a, const struct json_value *filter, const char *conditional_operator,
                       const struct ddb_condition **out, struct ddb_error *err);
/* KeyConditions: at most two predicates (AWS: "Conditions can be of length
 * 1 or 2 only"); check them with ddb_key_condition_check. */
bool ddb_legacy_key_conditions(struct arena *a, const struct json_value *conditions,
                               struct ddb_key_condition *out, struct ddb_error *err);
/* AttributeUpdates: PUT, ADD (numbers, sets, lists) and DELETE (the
 * attribute, or elements of a set). */
bool ddb_legacy_attribute_updates(struct arena *a, const struct json_value *updates, struct ddb_update *out,
                                  struct ddb_error *err);
/* AttributesToGet: top-level names, no duplicates. */
bool ddb_legacy_attributes_to_get(struct arena *a, const struct json_value *names, struct ddb_projection *out,
                                  struct ddb_error *err);

/* One parameter of the request and whether it was given. */
struct ddb_param {
    const char *name;
    bool present;
};

/* AWS's rules for mixing styles: no legacy parameter next to an
 * expression one (KeyConditions is allowed beside other expressions when
 * there is no KeyConditionExpression), ExpressionAttributeNames only with
 * an expression, ExpressionAttributeValues only with an expression that
 * takes values (all but ProjectionExpression). List the operation's
 * parameters in AWS's order, e.g. UpdateItem: {UpdateExpression,
 * ConditionExpression} and {AttributeUpdates, Expected}. */
bool ddb_check_expression_params(const struct ddb_param *expressions, size_t nexpressions,
                                 const struct ddb_param *legacy, size_t nlegacy, bool has_names, bool has_values,
                                 struct ddb_error *err);

#endif
