/* protocol/dynamodb items: the item operations' requests checked and
 * parsed, and their return values (see items.h). */
#include "protocol/dynamodb/items.h"

#include <stdio.h>
#include <string.h>

#include "protocol/dynamodb/legacy.h"
#include "protocol/dynamodb/value_json.h"

static const struct json_value *member(const struct json_value *obj, const char *key)
{
    const struct json_value *v = json_get(obj, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

static bool has(const struct json_value *obj, const char *key) { return member(obj, key) != NULL; }

const char *ddb_return_values_name(enum ddb_return_values rv)
{
    static const char *const names[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
    return names[rv];
}

static enum ddb_return_values return_values_of(const struct json_value *req)
{
    const char *s = json_str(req, "ReturnValues");
    for (int i = DDB_RETURN_ALL_OLD; s && i <= DDB_RETURN_UPDATED_NEW; i++)
        if (strcmp(s, ddb_return_values_name((enum ddb_return_values)i)) == 0)
            return (enum ddb_return_values)i;
    return DDB_RETURN_NONE;
}

/* AWS's check that a request does not mix expressions and the legacy
 * parameters of its operation. */
static bool check_params(enum ddb_item_operation op, const struct json_value *req, struct ddb_error *err)
{
    struct ddb_param expressions[2], legacy[2];
    size_t ne = 0, nl = 0;
    switch (op) {
    case DDB_OP_GET:
        expressions[ne++] = (struct ddb_param){"ProjectionExpression", has(req, "ProjectionExpression")};
        legacy[nl++] = (struct ddb_param){"AttributesToGet", has(req, "AttributesToGet")};
        break;
    case DDB_OP_UPDATE:
        expressions[ne++] = (struct ddb_param){"UpdateExpression", has(req, "UpdateExpression")};
        expressions[ne++] = (struct ddb_param){"ConditionExpression", has(req, "ConditionExpression")};
        legacy[nl++] = (struct ddb_param){"AttributeUpdates", has(req, "AttributeUpdates")};
        legacy[nl++] = (struct ddb_param){"Expected", has(req, "Expected")};
        break;
    default:
        expressions[ne++] = (struct ddb_param){"ConditionExpression", has(req, "ConditionExpression")};
        legacy[nl++] = (struct ddb_param){"Expected", has(req, "Expected")};
        break;
    }
    return ddb_check_expression_params(expressions, ne, legacy, nl, has(req, "ExpressionAttributeNames"),
                                       has(req, "ExpressionAttributeValues"), err);
}

static bool parse_expressions(struct arena *a, const struct json_value *req, struct ddb_item_request *r,
                              struct ddb_error *err)
{
    if (!ddb_expr_context_init(&r->ctx, a, member(req, "ExpressionAttributeNames"),
                               member(req, "ExpressionAttributeValues"), err))
        return false;
    size_t len;
    const char *text = json_strn(req, "UpdateExpression", &len);
    if (text) {
        if (!ddb_parse_update(&r->ctx, text, len, &r->update, err))
            return false;
        r->has_update = true;
    }
    text = json_strn(req, "ConditionExpression", &len);
    if (text) {
        struct ddb_parsed_condition parsed;
        if (!ddb_parse_condition(&r->ctx, DDB_EXPR_CONDITION, text, len, &parsed, err))
            return false;
        r->condition = parsed.condition;
        r->condition_nested = parsed.nested;
    }
    text = json_strn(req, "ProjectionExpression", &len);
    if (text) {
        if (!ddb_parse_projection(&r->ctx, text, len, &r->projection, err))
            return false;
        r->has_projection = true;
    }
    return ddb_expr_context_check_unused(&r->ctx, err);
}

bool ddb_item_request_parse(struct arena *a, enum ddb_item_operation op, const struct json_value *req,
                            bool in_transaction, struct ddb_item_request *out, struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    out->op = op;
    out->table = json_str(req, "TableName");
    if (!in_transaction && !check_params(op, req, err))
        return false;
    if (op == DDB_OP_PUT) {
        if (!ddb_map_from_json(a, member(req, "Item"), &out->item, err))
            return false;
    } else if (!ddb_map_from_json(a, member(req, "Key"), &out->key, err)) {
        return false;
    }
    out->return_values = return_values_of(req);
    if ((op == DDB_OP_PUT || op == DDB_OP_DELETE) && out->return_values != DDB_RETURN_NONE &&
        out->return_values != DDB_RETURN_ALL_OLD)
        return ddb_fail(err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if (op == DDB_OP_PUT && ddb_item_size(&out->item) > DDB_ITEM_MAX_SIZE)
        return ddb_fail(err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    const char *failure = json_str(req, "ReturnValuesOnConditionCheckFailure");
    out->return_old_on_failure = failure && strcmp(failure, "ALL_OLD") == 0;
    bool consistent = false;
    if (has(req, "ConsistentRead"))
        ddb_json_boolean(member(req, "ConsistentRead"), &consistent, NULL);
    out->consistent = consistent;
    if (!in_transaction) {
        if (op == DDB_OP_UPDATE && has(req, "AttributeUpdates")) {
            if (!ddb_legacy_attribute_updates(a, member(req, "AttributeUpdates"), &out->update, err))
                return false;
            out->has_update = true;
        }
        if (op == DDB_OP_GET && has(req, "AttributesToGet")) {
            if (!ddb_legacy_attributes_to_get(a, member(req, "AttributesToGet"), &out->projection, err))
                return false;
            out->has_projection = true;
        }
        if (op != DDB_OP_GET && has(req, "Expected") &&
            !ddb_legacy_expected(a, member(req, "Expected"), json_str(req, "ConditionalOperator"), &out->condition, err))
            return false;
    }
    return parse_expressions(a, req, out, err);
}

/* An item's attributes against every index: global ones first, as AWS
 * reports them, then the local ones' sort keys. */
static bool check_item_indexes(const struct ddb_table *t, const struct ddb_value *item, struct ddb_error *err)
{
    for (int global = 1; global >= 0; global--) {
        for (size_t i = 0; i < t->n_indexes; i++) {
            const struct ddb_index *ix = &t->indexes[i];
            if (ix->global != global || !ddb_index_is_live(ix))
                continue;
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)ix->name.len, ix->name.s);
            if (!ddb_item_check_index_key(&ix->keys, name, item, err))
                return false;
        }
    }
    return true;
}

static bool check_update_indexes(const struct ddb_table *t, const struct ddb_update *u, struct ddb_error *err)
{
    for (int global = 1; global >= 0; global--) {
        for (size_t i = 0; i < t->n_indexes; i++) {
            const struct ddb_index *ix = &t->indexes[i];
            if (ix->global != global || !ddb_index_is_live(ix))
                continue;
            char name[256];
            snprintf(name, sizeof(name), "%.*s", (int)ix->name.len, ix->name.s);
            if (!ddb_update_check_index_types(u, &ix->keys, name, err))
                return false;
        }
    }
    return true;
}

static bool check_nested_paths(const struct ddb_table *t, const struct ddb_name_list *nested, struct ddb_error *err)
{
    if (!nested->len)
        return true;
    if (!ddb_check_nested_key_paths(nested, &t->keys, false, err))
        return false;
    for (int global = 1; global >= 0; global--)
        for (size_t i = 0; i < t->n_indexes; i++)
            if (t->indexes[i].global == global && !ddb_check_nested_key_paths(nested, &t->indexes[i].keys, true, err))
                return false;
    return true;
}

bool ddb_item_request_check_table(const struct ddb_item_request *r, const struct ddb_table *t, struct ddb_error *err)
{
    switch (r->op) {
    case DDB_OP_PUT:
        return ddb_item_check_key(&t->keys, &r->item, err) && check_item_indexes(t, &r->item, err);
    case DDB_OP_GET:
        return ddb_key_check(&t->keys, &r->key, err) && check_nested_paths(t, &r->projection.nested, err);
    case DDB_OP_UPDATE:
        return ddb_key_check(&t->keys, &r->key, err) &&
               (!r->has_update || (ddb_update_check_key_attributes(&r->update, &t->keys, err) &&
                                   check_update_indexes(t, &r->update, err) &&
                                   check_nested_paths(t, &r->update.nested, err)));
    case DDB_OP_DELETE:
    case DDB_OP_CONDITION_CHECK:
        return ddb_key_check(&t->keys, &r->key, err);
    }
    return true;
}

bool ddb_item_return_values(struct arena *a, const struct ddb_item_request *r, const struct ddb_value *old_item,
                            const struct ddb_value *new_item, struct ddb_value *out, bool *present)
{
    *present = false;
    const struct ddb_value *source = NULL;
    switch (r->return_values) {
    case DDB_RETURN_NONE: return true;
    case DDB_RETURN_ALL_OLD:
    case DDB_RETURN_UPDATED_OLD: source = old_item; break;
    case DDB_RETURN_ALL_NEW:
    case DDB_RETURN_UPDATED_NEW: source = new_item; break;
    }
    if (!source)
        return true;
    if (r->return_values == DDB_RETURN_ALL_OLD || r->return_values == DDB_RETURN_ALL_NEW || !r->has_update) {
        *out = *source;
    } else {
        struct ddb_path *paths;
        size_t n;
        if (!ddb_update_paths(a, &r->update, &paths, &n) || !ddb_project(a, source, paths, n, out))
            return false;
    }
    *present = out->len > 0;
    return true;
}
