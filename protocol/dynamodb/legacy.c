/* protocol/dynamodb legacy: Expected, QueryFilter/ScanFilter,
 * KeyConditions, AttributeUpdates and AttributesToGet, validated in AWS's
 * order with AWS's messages and turned into the expression trees (see
 * legacy.h). Each attribute's condition becomes one predicate on a
 * one-step path; ConditionalOperator joins them with AND or OR. */
#include "protocol/dynamodb/legacy.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/expr_internal.h"
#include "protocol/dynamodb/value_json.h"

#define INVALID_PREFIX "One or more parameter values were invalid: "

static bool nomem(struct ddb_error *err) { return ddb_fail_nomem(err); }

/* The AttributeValueList (or Value) of a condition, converted. */
struct operand_list {
    struct ddb_value *values;
    size_t len;
};

static bool convert_list(struct arena *a, const struct json_value *list, struct operand_list *out,
                         struct ddb_error *err)
{
    out->len = 0;
    out->values = NULL;
    if (!list || list->type != JSON_ARRAY)
        return true;
    out->values = arena_array(a, list->len ? list->len : 1, sizeof(*out->values));
    if (!out->values)
        return nomem(err);
    for (size_t i = 0; i < list->len; i++)
        if (!ddb_value_from_json(a, &list->u.items[i], DDB_SLOT_MAP_VALUE, &out->values[out->len++], err))
            return false;
    return true;
}

static bool operator_arity_ok(enum ddb_comparison_op op, size_t n)
{
    switch (op) {
    case DDB_OP_NULL:
    case DDB_OP_NOT_NULL: return n == 0;
    case DDB_OP_IN: return n > 0;
    case DDB_OP_BETWEEN: return n == 2;
    default: return n == 1;
    }
}

static bool fail_arity(enum ddb_comparison_op op, struct ddb_error *err)
{
    return ddb_fail(err, DDB_ERR_VALIDATION, INVALID_PREFIX "Invalid number of argument(s) for the %s ComparisonOperator",
                    ddb_comparison_op_name(op));
}

static bool same_types(const struct operand_list *l, struct ddb_error *err)
{
    for (size_t i = 1; i < l->len; i++)
        if (l->values[i].type != l->values[0].type)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                            INVALID_PREFIX "AttributeValues inside AttributeValueList must be of same type");
    return true;
}

static bool read_operator(const struct json_value *cond, bool *present, enum ddb_comparison_op *op,
                          struct ddb_error *err)
{
    const struct json_value *v = json_get(cond, "ComparisonOperator");
    *present = v && v->type != JSON_NULL;
    if (!*present)
        return true;
    if (v->type != JSON_STRING || !ddb_comparison_op_from_name(v->u.str, v->len, op))
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        "1 validation error detected: Value at 'comparisonOperator' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
                        "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]");
    return true;
}

/* ---- building conditions ----------------------------------------------------- */

struct builder {
    struct arena *arena;
    struct ddb_condition *items;
    size_t len;
};

static bool path_of(struct arena *a, const char *name, size_t len, struct ddb_path *out)
{
    struct ddb_path_step *step = arena_alloc(a, sizeof(*step));
    if (!step)
        return false;
    *step = (struct ddb_path_step){.name = name, .name_len = len};
    *out = (struct ddb_path){step, 1};
    return true;
}

/* name op values as an expression condition. */
static bool predicate(struct arena *a, const char *name, size_t name_len, enum ddb_comparison_op op,
                      const struct operand_list *values, struct ddb_condition *out)
{
    struct ddb_operand *ops = arena_array(a, values->len + 1, sizeof(*ops));
    if (!ops)
        return false;
    memset(out, 0, sizeof(*out));
    ops[0].kind = DDB_OPERAND_PATH;
    if (!path_of(a, name, name_len, &ops[0].path))
        return false;
    for (size_t i = 0; i < values->len; i++)
        ops[i + 1] = (struct ddb_operand){.kind = DDB_OPERAND_VALUE, .value = &values->values[i]};
    static const enum ddb_comparator comparators[] = {
        [DDB_OP_EQ] = DDB_CMP_EQ, [DDB_OP_NE] = DDB_CMP_NE, [DDB_OP_LT] = DDB_CMP_LT,
        [DDB_OP_LE] = DDB_CMP_LE, [DDB_OP_GT] = DDB_CMP_GT, [DDB_OP_GE] = DDB_CMP_GE};
    switch (op) {
    case DDB_OP_EQ:
    case DDB_OP_NE:
    case DDB_OP_LT:
    case DDB_OP_LE:
    case DDB_OP_GT:
    case DDB_OP_GE:
        *out = (struct ddb_condition){.kind = DDB_COND_COMPARE, .comparator = comparators[op], .operands = ops,
                                      .noperands = 2};
        return true;
    case DDB_OP_BETWEEN:
        *out = (struct ddb_condition){.kind = DDB_COND_BETWEEN, .operands = ops, .noperands = 3};
        return true;
    case DDB_OP_IN:
        *out = (struct ddb_condition){.kind = DDB_COND_IN, .operands = ops, .noperands = values->len + 1};
        return true;
    default: break;
    }
    /* the functions: attribute_exists(name), contains(name, v), ... */
    struct ddb_operand *fn = arena_alloc(a, sizeof(*fn));
    if (!fn)
        return false;
    enum ddb_function f = op == DDB_OP_NULL       ? DDB_FN_ATTRIBUTE_NOT_EXISTS
                          : op == DDB_OP_NOT_NULL ? DDB_FN_ATTRIBUTE_EXISTS
                          : op == DDB_OP_BEGINS_WITH ? DDB_FN_BEGINS_WITH
                                                     : DDB_FN_CONTAINS;
    *fn = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION, .function = f, .args = ops, .nargs = values->len + 1};
    struct ddb_condition call = {.kind = DDB_COND_FUNCTION, .operands = fn, .noperands = 1};
    if (op != DDB_OP_NOT_CONTAINS) {
        *out = call;
        return true;
    }
    struct ddb_condition *inner = arena_alloc(a, sizeof(*inner));
    if (!inner)
        return false;
    *inner = call;
    *out = (struct ddb_condition){.kind = DDB_COND_NOT, .children = inner, .nchildren = 1};
    return true;
}

static bool conditional_or(const char *conditional_operator)
{
    return conditional_operator && strcmp(conditional_operator, "OR") == 0;
}

/* All predicates joined; NULL when there are none. */
static bool join(struct arena *a, struct builder *b, const char *conditional_operator,
                 const struct ddb_condition **out, struct ddb_error *err)
{
    if (b->len == 0) {
        *out = NULL;
        return true;
    }
    if (b->len == 1) {
        *out = &b->items[0];
        return true;
    }
    struct ddb_condition *c = arena_alloc(a, sizeof(*c));
    if (!c)
        return nomem(err);
    *c = (struct ddb_condition){.kind = conditional_or(conditional_operator) ? DDB_COND_OR : DDB_COND_AND,
                                .children = b->items, .nchildren = b->len};
    *out = c;
    return true;
}

/* ---- Expected ------------------------------------------------------------------ */

static bool expected_entry(struct arena *a, const struct json_member *m, struct ddb_condition *out,
                           struct ddb_error *err)
{
    const struct json_value *cond = &m->value;
    int key_len = (int)m->key_len;
    const struct json_value *list = json_get(cond, "AttributeValueList");
    const struct json_value *value = json_get(cond, "Value");
    const struct json_value *exists = json_get(cond, "Exists");
    bool has_list = list && list->type != JSON_NULL, has_value = value && value->type != JSON_NULL;
    bool has_exists = exists && exists->type != JSON_NULL;
    if (has_list && has_value)
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        INVALID_PREFIX "Value and AttributeValueList cannot be used together for Attribute: %.*s",
                        key_len, m->key);
    bool has_op;
    enum ddb_comparison_op op = DDB_OP_EQ;
    if (!read_operator(cond, &has_op, &op, err))
        return false;
    struct operand_list values = {0};
    if (has_op) {
        if (has_exists)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Exists and ComparisonOperator cannot be used together for Attribute: %.*s",
                            key_len, m->key);
        if (op != DDB_OP_NULL && op != DDB_OP_NOT_NULL && !has_list && !has_value)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Value or AttributeValueList must be used with ComparisonOperator: %s for "
                                           "Attribute: %.*s",
                            ddb_comparison_op_name(op), key_len, m->key);
        if (has_value) {
            values.values = arena_alloc(a, sizeof(*values.values));
            if (!values.values)
                return nomem(err);
            if (!ddb_value_from_json(a, value, DDB_SLOT_FIELD, &values.values[0], err))
                return false;
            values.len = 1;
        } else if (!convert_list(a, list, &values, err)) {
            return false;
        }
        if (!operator_arity_ok(op, values.len))
            return fail_arity(op, err);
        if (!same_types(&values, err))
            return false;
        if (op == DDB_OP_BETWEEN && values.len == 2 && values.values[0].type == values.values[1].type &&
            ddb_type_is_scalar_key(values.values[0].type) && ddb_value_compare(&values.values[0], &values.values[1]) > 0)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                            "The BETWEEN condition was provided a range where the lower bound is greater than the "
                            "upper bound");
    } else if (has_list) {
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        INVALID_PREFIX "AttributeValueList can only be used with a ComparisonOperator for Attribute: %.*s",
                        key_len, m->key);
    } else {
        bool exists_value = true;
        if (has_exists && !ddb_json_boolean(exists, &exists_value, err))
            return false;
        if (exists_value && !has_value)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Value must be provided when Exists is %s for Attribute: %.*s",
                            has_exists ? "true" : "null", key_len, m->key);
        if (!exists_value && has_value)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Value cannot be used when Exists is false for Attribute: %.*s", key_len,
                            m->key);
        if (has_value) {
            values.values = arena_alloc(a, sizeof(*values.values));
            if (!values.values)
                return nomem(err);
            if (!ddb_value_from_json(a, value, DDB_SLOT_FIELD, &values.values[0], err))
                return false;
            values.len = 1;
        }
        op = exists_value ? DDB_OP_EQ : DDB_OP_NULL;
    }
    return predicate(a, m->key, m->key_len, op, &values, out) || nomem(err);
}

bool ddb_legacy_expected(struct arena *a, const struct json_value *expected, const char *conditional_operator,
                         const struct ddb_condition **out, struct ddb_error *err)
{
    *out = NULL;
    if (!expected || expected->type != JSON_OBJECT)
        return true;
    struct builder b = {a, arena_array(a, expected->len ? expected->len : 1, sizeof(struct ddb_condition)), 0};
    if (!b.items)
        return nomem(err);
    for (size_t i = 0; i < expected->len; i++) {
        if (expected->u.members[i].value.type == JSON_NULL)
            continue;
        if (!expected_entry(a, &expected->u.members[i], &b.items[b.len++], err))
            return false;
    }
    return join(a, &b, conditional_operator, out, err);
}

/* ---- QueryFilter, ScanFilter, KeyConditions --------------------------------- */

/* One attribute's {ComparisonOperator, AttributeValueList}, checked as AWS
 * checks a filter or key condition. */
static bool filter_entry(struct arena *a, const struct json_member *m, enum ddb_comparison_op *op,
                         struct operand_list *values, struct ddb_error *err)
{
    const struct json_value *cond = &m->value;
    if (!convert_list(a, json_get(cond, "AttributeValueList"), values, err))
        return false;
    bool has_op;
    if (!read_operator(cond, &has_op, op, err))
        return false;
    if (!has_op)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        "1 validation error detected: Value null at 'comparisonOperator' failed to satisfy "
                        "constraint: Member must not be null");
    if (!operator_arity_ok(*op, values->len))
        return fail_arity(*op, err);
    return same_types(values, err) && comparison_values_check(*op, values->values, values->len, err);
}

bool ddb_legacy_filter(struct arena *a, const struct json_value *filter, const char *conditional_operator,
                       const struct ddb_condition **out, struct ddb_error *err)
{
    *out = NULL;
    if (!filter || filter->type != JSON_OBJECT)
        return true;
    struct builder b = {a, arena_array(a, filter->len ? filter->len : 1, sizeof(struct ddb_condition)), 0};
    if (!b.items)
        return nomem(err);
    for (size_t i = 0; i < filter->len; i++) {
        const struct json_member *m = &filter->u.members[i];
        if (m->value.type == JSON_NULL)
            continue;
        enum ddb_comparison_op op;
        struct operand_list values;
        if (!filter_entry(a, m, &op, &values, err))
            return false;
        if (!predicate(a, m->key, m->key_len, op, &values, &b.items[b.len++]))
            return nomem(err);
    }
    return join(a, &b, conditional_operator, out, err);
}

bool ddb_legacy_key_conditions(struct arena *a, const struct json_value *conditions,
                               struct ddb_key_condition *out, struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; conditions && conditions->type == JSON_OBJECT && i < conditions->len; i++) {
        const struct json_member *m = &conditions->u.members[i];
        if (m->value.type == JSON_NULL)
            continue;
        enum ddb_comparison_op op;
        struct operand_list values;
        if (!filter_entry(a, m, &op, &values, err))
            return false;
        out->count++;
        if (out->len < 2)
            out->predicates[out->len++] = (struct ddb_key_predicate){m->key, m->key_len, op, values.values, values.len};
    }
    return key_condition_count_check(out, err);
}

/* ---- AttributeUpdates --------------------------------------------------------- */

bool ddb_legacy_attribute_updates(struct arena *a, const struct json_value *updates, struct ddb_update *out,
                                  struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    out->legacy = true;
    if (!updates || updates->type != JSON_OBJECT)
        return true;
    size_t n = updates->len;
    struct ddb_update_action *actions = arena_array(a, n ? n : 1, sizeof(*actions));
    struct ddb_operand *operands = arena_array(a, n ? n : 1, sizeof(*operands));
    struct ddb_value *values = arena_array(a, n ? n : 1, sizeof(*values));
    if (!actions || !operands || !values)
        return nomem(err);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const struct json_member *m = &updates->u.members[i];
        if (m->value.type == JSON_NULL)
            continue;
        const struct json_value *value = json_get(&m->value, "Value");
        bool has_value = value && value->type != JSON_NULL;
        const char *action = json_str(&m->value, "Action");
        enum ddb_update_kind kind = DDB_UPDATE_SET;
        if (action && strcmp(action, "ADD") == 0)
            kind = DDB_UPDATE_ADD;
        else if (action && strcmp(action, "DELETE") == 0)
            kind = DDB_UPDATE_DELETE;
        else if (action && strcmp(action, "PUT") != 0)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "1 validation error detected: Value '%s' at 'attributeUpdates.%.*s.member.action' failed "
                            "to satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]",
                            action, (int)m->key_len, m->key);
        if (has_value && !ddb_value_from_json(a, value, DDB_SLOT_FIELD, &values[len], err))
            return false;
        if (!has_value && kind != DDB_UPDATE_DELETE)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                            INVALID_PREFIX "Only DELETE action is allowed when no attribute value is specified");
        enum ddb_type t = values[len].type;
        if (has_value && kind == DDB_UPDATE_DELETE && !ddb_type_is_set(t))
            return ddb_fail(err, DDB_ERR_VALIDATION, INVALID_PREFIX "DELETE action with value is not supported for the type %s",
                            ddb_type_name(t));
        if (has_value && kind == DDB_UPDATE_ADD && !ddb_type_is_set(t) && t != DDB_N && t != DDB_L)
            return ddb_fail(err, DDB_ERR_VALIDATION, INVALID_PREFIX "ADD action is not supported for the type %s",
                            ddb_type_name(t));
        if (kind == DDB_UPDATE_DELETE && !has_value)
            kind = DDB_UPDATE_REMOVE;
        struct ddb_path path;
        if (!path_of(a, m->key, m->key_len, &path))
            return nomem(err);
        operands[len] = (struct ddb_operand){.kind = DDB_OPERAND_VALUE, .value = &values[len]};
        actions[len] = (struct ddb_update_action){kind, path, kind == DDB_UPDATE_REMOVE ? NULL : &operands[len],
                                                  has_value ? (int)t : -1};
        len++;
    }
    out->actions = actions;
    out->len = len;
    return true;
}

/* ---- AttributesToGet ---------------------------------------------------------- */

struct indexed_name {
    const struct ddb_path *path;
    size_t index;
};

static int indexed_name_order(const void *x, const void *y)
{
    const struct indexed_name *a = x, *b = y;
    const struct ddb_path_step *s = &a->path->steps[0], *t = &b->path->steps[0];
    int c = ddb_name_compare(s->name, s->name_len, t->name, t->name_len);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

bool ddb_legacy_attributes_to_get(struct arena *a, const struct json_value *names, struct ddb_projection *out,
                                  struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!names || names->type != JSON_ARRAY)
        return true;
    struct ddb_path *paths = arena_array(a, names->len ? names->len : 1, sizeof(*paths));
    struct indexed_name *sorted = arena_array(a, names->len ? names->len : 1, sizeof(*sorted));
    if (!paths || !sorted)
        return nomem(err);
    size_t n = 0;
    for (size_t i = 0; i < names->len; i++) {
        const struct json_value *v = &names->u.items[i];
        if (v->type != JSON_STRING)
            continue;
        if (!path_of(a, v->u.str, v->len, &paths[n]))
            return nomem(err);
        sorted[n] = (struct indexed_name){&paths[n], n};
        n++;
    }
    /* AWS names the first element that repeats an earlier one. */
    qsort(sorted, n, sizeof(*sorted), indexed_name_order);
    size_t repeat = n;
    for (size_t i = 1; i < n; i++) {
        const struct ddb_path_step *s = &sorted[i - 1].path->steps[0], *t = &sorted[i].path->steps[0];
        bool first_of_group = i == 1 || ddb_name_compare(sorted[i - 2].path->steps[0].name,
                                                         sorted[i - 2].path->steps[0].name_len, s->name,
                                                         s->name_len) != 0;
        if (first_of_group && ddb_name_compare(s->name, s->name_len, t->name, t->name_len) == 0 &&
            sorted[i].index < repeat)
            repeat = sorted[i].index;
    }
    if (repeat < n)
        return ddb_fail(err, DDB_ERR_VALIDATION, INVALID_PREFIX "Duplicate value in attribute name: %.*s",
                        (int)paths[repeat].steps[0].name_len, paths[repeat].steps[0].name);
    *out = (struct ddb_projection){.paths = paths, .len = n};
    return true;
}

/* ---- mixing styles ------------------------------------------------------------ */

static void list_present(struct strbuf *sb, const struct ddb_param *params, size_t n, const char *skip)
{
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (!params[i].present || (skip && strcmp(params[i].name, skip) == 0))
            continue;
        strbuf_puts(sb, first ? "" : ", ");
        strbuf_puts(sb, params[i].name);
        first = false;
    }
}

static bool is_present(const struct ddb_param *params, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (params[i].present && strcmp(params[i].name, name) == 0)
            return true;
    return false;
}

bool ddb_check_expression_params(const struct ddb_param *expressions, size_t nexpressions,
                                 const struct ddb_param *legacy, size_t nlegacy, bool has_names, bool has_values,
                                 struct ddb_error *err)
{
    size_t nexpr = 0, nlegacy_present = 0;
    for (size_t i = 0; i < nexpressions; i++)
        nexpr += expressions[i].present;
    const char *skip = is_present(legacy, nlegacy, "KeyConditions") &&
                               !is_present(expressions, nexpressions, "KeyConditionExpression")
                           ? "KeyConditions"
                           : NULL;
    for (size_t i = 0; i < nlegacy; i++)
        nlegacy_present += legacy[i].present && !(skip && strcmp(legacy[i].name, skip) == 0);
    if (nexpr && nlegacy_present) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_puts(&sb, "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {");
        list_present(&sb, legacy, nlegacy, skip);
        strbuf_puts(&sb, "} Expression parameters: {");
        list_present(&sb, expressions, nexpressions, NULL);
        strbuf_puts(&sb, "}");
        bool ok = strbuf_failed(&sb) ? nomem(err) : ddb_fail(err, DDB_ERR_VALIDATION, "%s", sb.data);
        strbuf_free(&sb);
        return ok;
    }
    if (has_names && !nexpr)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "ExpressionAttributeNames can only be specified when using expressions");
    size_t value_exprs = 0, value_exprs_present = 0;
    for (size_t i = 0; i < nexpressions; i++) {
        if (strcmp(expressions[i].name, "ProjectionExpression") == 0)
            continue;
        value_exprs++;
        value_exprs_present += expressions[i].present;
    }
    if (value_exprs && has_values && !value_exprs_present) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_puts(&sb, "ExpressionAttributeValues can only be specified when using expressions: ");
        size_t k = 0;
        for (size_t i = 0; i < nexpressions; i++) {
            if (strcmp(expressions[i].name, "ProjectionExpression") == 0)
                continue;
            strbuf_puts(&sb, k++ ? " and " : "");
            strbuf_puts(&sb, expressions[i].name);
        }
        strbuf_puts(&sb, value_exprs > 1 ? " are null" : " is null");
        bool ok = strbuf_failed(&sb) ? nomem(err) : ddb_fail(err, DDB_ERR_VALIDATION, "%s", sb.data);
        strbuf_free(&sb);
        return ok;
    }
    return true;
}
