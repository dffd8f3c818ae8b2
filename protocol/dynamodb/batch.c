/* protocol/dynamodb batch: BatchGetItem and BatchWriteItem requests (see
 * batch.h), in AWS's order: per table, expression against legacy
 * parameters, AttributesToGet, the expressions, then the keys' values,
 * repeated keys and the 100-key limit; per write request, its values and
 * the item size. */
#include "protocol/dynamodb/batch.h"

#include <string.h>

#include "protocol/dynamodb/legacy.h"
#include "protocol/dynamodb/value_json.h"

static const struct json_value *member(const struct json_value *obj, const char *key)
{
    const struct json_value *v = json_get(obj, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

static bool parse_get_table(struct arena *a, const struct json_member *m, struct ddb_batch_get_table *t,
                            size_t *total, struct ddb_error *err)
{
    const struct json_value *req = &m->value;
    memset(t, 0, sizeof(*t));
    t->table = m->key;
    t->request = req;
    struct ddb_param expressions[1] = {{"ProjectionExpression", member(req, "ProjectionExpression") != NULL}};
    struct ddb_param legacy[1] = {{"AttributesToGet", member(req, "AttributesToGet") != NULL}};
    if (!ddb_check_expression_params(expressions, 1, legacy, 1, member(req, "ExpressionAttributeNames") != NULL,
                                     false, err))
        return false;
    if (member(req, "AttributesToGet")) {
        if (!ddb_legacy_attributes_to_get(a, member(req, "AttributesToGet"), &t->projection, err))
            return false;
        t->has_projection = true;
    }
    if (!ddb_expr_context_init(&t->ctx, a, member(req, "ExpressionAttributeNames"), NULL, err))
        return false;
    size_t len;
    const char *text = json_strn(req, "ProjectionExpression", &len);
    if (text) {
        if (!ddb_parse_projection(&t->ctx, text, len, &t->projection, err))
            return false;
        t->has_projection = true;
    }
    if (!ddb_expr_context_check_unused(&t->ctx, err))
        return false;
    if (member(req, "ConsistentRead"))
        ddb_json_boolean(member(req, "ConsistentRead"), &t->consistent, NULL);
    const struct json_value *keys = member(req, "Keys");
    t->keys = arena_array(a, keys->len + 1, sizeof(*t->keys));
    if (!t->keys)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < keys->len; i++) {
        if (!ddb_map_from_json(a, &keys->u.items[i], &t->keys[i], err))
            return false;
        for (size_t k = 0; k < i; k++)
            if (ddb_value_equal(&t->keys[k], &t->keys[i]))
                return ddb_fail(err, DDB_ERR_VALIDATION, "Provided list of item keys contains duplicates");
        t->n_keys++;
        if (++*total > DDB_BATCH_GET_MAX)
            return ddb_fail(err, DDB_ERR_VALIDATION, "Too many items requested for the BatchGetItem call");
    }
    return true;
}

bool ddb_batch_get_parse(struct arena *a, const struct json_value *req, struct ddb_batch_get *out,
                         struct ddb_error *err)
{
    const struct json_value *items = member(req, "RequestItems");
    out->n = 0;
    out->tables = arena_array(a, items->len + 1, sizeof(*out->tables));
    if (!out->tables)
        return ddb_fail_nomem(err);
    size_t total = 0;
    for (size_t i = 0; i < items->len; i++) {
        if (items->u.members[i].value.type == JSON_NULL)
            continue;
        if (!parse_get_table(a, &items->u.members[i], &out->tables[out->n], &total, err))
            return false;
        out->n++;
    }
    return true;
}

bool ddb_batch_write_parse(struct arena *a, const struct json_value *req, struct ddb_batch_write *out,
                           struct ddb_error *err)
{
    const struct json_value *items = member(req, "RequestItems");
    out->n = 0;
    out->tables = arena_array(a, items->len + 1, sizeof(*out->tables));
    if (!out->tables)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < items->len; i++) {
        const struct json_value *list = &items->u.members[i].value;
        if (list->type != JSON_ARRAY)
            continue;
        for (size_t k = 0; k < list->len; k++)
            if (!member(&list->u.items[k], "PutRequest") && !member(&list->u.items[k], "DeleteRequest"))
                return ddb_fail(err, DDB_ERR_VALIDATION, "Supplied AttributeValue has more than one datatypes set, "
                                                         "must contain exactly one of the supported datatypes");
        struct ddb_batch_write_table *t = &out->tables[out->n++];
        t->table = items->u.members[i].key;
        t->n = 0;
        t->requests = arena_array(a, list->len + 1, sizeof(*t->requests));
        if (!t->requests)
            return ddb_fail_nomem(err);
        for (size_t k = 0; k < list->len; k++) {
            const struct json_value *put = member(&list->u.items[k], "PutRequest");
            struct ddb_batch_write_request *w = &t->requests[t->n++];
            w->put = put != NULL;
            if (put) {
                if (!ddb_map_from_json(a, member(put, "Item"), &w->value, err))
                    return false;
                if (ddb_item_size(&w->value) > DDB_ITEM_MAX_SIZE)
                    return ddb_fail(err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
            } else if (!ddb_map_from_json(a, member(member(&list->u.items[k], "DeleteRequest"), "Key"), &w->value,
                                          err)) {
                return false;
            }
        }
    }
    return true;
}
