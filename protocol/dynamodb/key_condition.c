/* protocol/dynamodb key_condition: a Query's key conditions — reducing a
 * parsed KeyConditionExpression to per-attribute predicates with AWS's
 * errors, checking them against the key schema, matching sort keys and
 * turning a sort key predicate into bounds over encoded keys. */
#include "protocol/dynamodb/expr_internal.h"

#include <string.h>

static const char *const op_names[] = {
    [DDB_OP_EQ] = "EQ", [DDB_OP_LT] = "LT", [DDB_OP_LE] = "LE", [DDB_OP_GT] = "GT", [DDB_OP_GE] = "GE",
    [DDB_OP_BETWEEN] = "BETWEEN", [DDB_OP_BEGINS_WITH] = "BEGINS_WITH", [DDB_OP_NE] = "NE", [DDB_OP_IN] = "IN",
    [DDB_OP_NULL] = "NULL", [DDB_OP_NOT_NULL] = "NOT_NULL", [DDB_OP_CONTAINS] = "CONTAINS",
    [DDB_OP_NOT_CONTAINS] = "NOT_CONTAINS",
};

const char *ddb_comparison_op_name(enum ddb_comparison_op op) { return op_names[op]; }

bool ddb_comparison_op_from_name(const char *name, size_t len, enum ddb_comparison_op *out)
{
    for (size_t i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++) {
        if (strlen(op_names[i]) == len && memcmp(op_names[i], name, len) == 0) {
            *out = (enum ddb_comparison_op)i;
            return true;
        }
    }
    return false;
}

bool comparison_op_allows(enum ddb_comparison_op op, enum ddb_type type)
{
    switch (op) {
    case DDB_OP_EQ:
    case DDB_OP_NE: return ddb_type_is_scalar_key(type) || ddb_type_is_set(type);
    case DDB_OP_LT:
    case DDB_OP_LE:
    case DDB_OP_GT:
    case DDB_OP_GE:
    case DDB_OP_BETWEEN:
    case DDB_OP_IN:
    case DDB_OP_CONTAINS:
    case DDB_OP_NOT_CONTAINS: return ddb_type_is_scalar_key(type);
    case DDB_OP_BEGINS_WITH: return type == DDB_S || type == DDB_B;
    case DDB_OP_NULL:
    case DDB_OP_NOT_NULL: return true;
    }
    return false;
}

bool comparison_values_check(enum ddb_comparison_op op, const struct ddb_value *values, size_t n,
                             struct ddb_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!comparison_op_allows(op, values[i].type))
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "One or more parameter values were invalid: ComparisonOperator %s is not valid for %s "
                            "AttributeValue type",
                            ddb_comparison_op_name(op), ddb_type_name(values[i].type));
    if (op == DDB_OP_BETWEEN && n == 2 && ddb_value_compare(&values[0], &values[1]) > 0)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        "The BETWEEN condition was provided a range where the lower bound is greater than the "
                        "upper bound");
    return true;
}

/* ---- reduction ------------------------------------------------------------- */

struct reducer {
    struct arena *arena;
    struct ddb_key_condition *kc;
    struct ddb_error *err;
};

static bool invalid_operator(struct reducer *r, const char *what)
{
    return ddb_fail(r->err, DDB_ERR_VALIDATION, "Invalid operator used in KeyConditionExpression: %s", what);
}

static bool invalid_condition(struct reducer *r, const char *what)
{
    return ddb_fail(r->err, DDB_ERR_VALIDATION, "Invalid condition in KeyConditionExpression: %s", what);
}

static const char *function_name(enum ddb_function f)
{
    switch (f) {
    case DDB_FN_ATTRIBUTE_EXISTS: return "attribute_exists";
    case DDB_FN_ATTRIBUTE_NOT_EXISTS: return "attribute_not_exists";
    case DDB_FN_ATTRIBUTE_TYPE: return "attribute_type";
    case DDB_FN_BEGINS_WITH: return "begins_with";
    case DDB_FN_CONTAINS: return "contains";
    case DDB_FN_SIZE: return "size";
    case DDB_FN_IF_NOT_EXISTS: return "if_not_exists";
    case DDB_FN_LIST_APPEND: return "list_append";
    }
    return "";
}

/* A function met where a key condition wants an attribute or a value. */
static bool reduce_nested(struct reducer *r, const struct ddb_operand *o)
{
    if (o->function == DDB_FN_SIZE)
        return ddb_fail(r->err, DDB_ERR_VALIDATION, "%s", "KeyConditionExpressions cannot contain nested operations");
    return invalid_operator(r, function_name(o->function));
}

static enum ddb_comparison_op op_of(const struct ddb_condition *c, bool flipped)
{
    if (c->kind == DDB_COND_BETWEEN)
        return DDB_OP_BETWEEN;
    if (c->kind == DDB_COND_FUNCTION)
        return DDB_OP_BEGINS_WITH;
    switch (c->comparator) {
    case DDB_CMP_LT: return flipped ? DDB_OP_GT : DDB_OP_LT;
    case DDB_CMP_LE: return flipped ? DDB_OP_GE : DDB_OP_LE;
    case DDB_CMP_GT: return flipped ? DDB_OP_LT : DDB_OP_GT;
    case DDB_CMP_GE: return flipped ? DDB_OP_LE : DDB_OP_GE;
    default: return DDB_OP_EQ;
    }
}

static bool reduce(struct reducer *r, const struct ddb_condition *c)
{
    switch (c->kind) {
    case DDB_COND_OR: return invalid_operator(r, "OR");
    case DDB_COND_NOT: return invalid_operator(r, "NOT");
    case DDB_COND_IN: return invalid_operator(r, "IN");
    case DDB_COND_AND:
        for (size_t i = 0; i < c->nchildren; i++)
            if (!reduce(r, &c->children[i]))
                return false;
        return true;
    case DDB_COND_COMPARE:
        if (c->comparator == DDB_CMP_NE)
            return invalid_operator(r, "<>");
        break;
    case DDB_COND_BETWEEN:
        if (c->operands[0].kind != DDB_OPERAND_PATH)
            return invalid_condition(r, "BETWEEN operator must have the key attribute as its first operand");
        break;
    case DDB_COND_FUNCTION: {
        const struct ddb_operand *f = &c->operands[0];
        if (f->function != DDB_FN_BEGINS_WITH)
            return reduce_nested(r, f);
        if (f->args[0].kind != DDB_OPERAND_PATH)
            return invalid_condition(r, "begins_with operator must have the key attribute as its first operand");
        break;
    }
    }
    const struct ddb_operand *args = c->kind == DDB_COND_FUNCTION ? c->operands[0].args : c->operands;
    size_t nargs = c->kind == DDB_COND_FUNCTION ? c->operands[0].nargs : c->noperands;
    const struct ddb_path *attr = NULL;
    size_t attr_index = 0;
    for (size_t i = 0; i < nargs; i++) {
        if (args[i].kind == DDB_OPERAND_PATH) {
            if (attr)
                return invalid_condition(r, "Multiple attribute names used in one condition");
            if (args[i].path.len > 1)
                return ddb_fail(r->err, DDB_ERR_VALIDATION, "%s",
                                "KeyConditionExpressions cannot have conditions on nested attributes");
            attr = &args[i].path;
            attr_index = i;
        } else if (args[i].kind == DDB_OPERAND_FUNCTION) {
            return reduce_nested(r, &args[i]);
        }
    }
    if (!attr)
        return invalid_condition(r, "No key attribute specified");
    struct ddb_key_condition *kc = r->kc;
    const struct ddb_path_step *name = &attr->steps[0];
    for (size_t i = 0; i < kc->len; i++)
        if (ddb_name_compare(kc->predicates[i].name, kc->predicates[i].name_len, name->name, name->name_len) == 0)
            return ddb_fail(r->err, DDB_ERR_VALIDATION, "%s",
                            "KeyConditionExpressions must only contain one condition per key");
    struct ddb_value *values = arena_array(r->arena, nargs, sizeof(*values));
    if (!values)
        return ddb_fail_nomem(r->err);
    size_t nvalues = 0;
    for (size_t i = 0; i < nargs; i++)
        if (i != attr_index && args[i].value)
            values[nvalues++] = *args[i].value;
    kc->count++;
    if (kc->len < 2)
        kc->predicates[kc->len++] = (struct ddb_key_predicate){name->name, name->name_len,
                                                               op_of(c, attr_index != 0), values, nvalues};
    return true;
}

bool ddb_key_condition_reduce(struct arena *a, const struct ddb_parsed_condition *parsed,
                              struct ddb_key_condition *out, struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    struct reducer r = {a, out, err};
    if (!reduce(&r, parsed->condition))
        return false;
    for (size_t i = 0; i < out->len; i++)
        if (!comparison_values_check(out->predicates[i].op, out->predicates[i].values, out->predicates[i].nvalues, err))
            return false;
    return key_condition_count_check(out, err);
}

bool key_condition_count_check(const struct ddb_key_condition *kc, struct ddb_error *err)
{
    if (kc->count != 1 && kc->count != 2)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "Conditions can be of length 1 or 2 only");
    return true;
}

/* ---- against the schema ----------------------------------------------------- */

static const struct ddb_key_predicate *find_predicate(const struct ddb_key_condition *kc, const char *name,
                                                      size_t len)
{
    for (size_t i = 0; i < kc->len; i++)
        if (ddb_name_compare(kc->predicates[i].name, kc->predicates[i].name_len, name, len) == 0)
            return &kc->predicates[i];
    return NULL;
}

bool ddb_key_condition_check_part(const struct ddb_key_condition *kc, const struct ddb_key_schema *schema, bool hash,
                                  const struct ddb_key_predicate **out, struct ddb_error *err)
{
    const char *name = hash ? schema->hash_name : schema->range_name;
    size_t len = hash ? schema->hash_name_len : schema->range_name_len;
    enum ddb_type type = hash ? schema->hash_type : schema->range_type;
    bool single = !schema->range_name;
    *out = NULL;
    if (hash && single && kc->count > 1)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "Query key condition not supported");
    const struct ddb_key_predicate *p = find_predicate(kc, name, len);
    if (!p) {
        if (hash || kc->count > 1)
            return ddb_fail(err, DDB_ERR_VALIDATION, "Query condition missed key schema element: %.*s", (int)len, name);
        return true;
    }
    switch (p->op) {
    case DDB_OP_NULL:
    case DDB_OP_NOT_NULL:
    case DDB_OP_NE:
    case DDB_OP_CONTAINS:
    case DDB_OP_NOT_CONTAINS:
    case DDB_OP_IN:
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "Attempted conditional constraint is not an indexable operation");
    default: break;
    }
    for (size_t k = 0; k < p->nvalues; k++)
        if (p->values[k].type != type)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                            "One or more parameter values were invalid: Condition parameter type does not match "
                            "schema type");
    if (hash && p->op != DDB_OP_EQ)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "Query key condition not supported");
    *out = p;
    return true;
}

bool ddb_key_condition_check(const struct ddb_key_condition *kc, const struct ddb_key_schema *schema,
                             const struct ddb_key_predicate **hash, const struct ddb_key_predicate **range,
                             struct ddb_error *err)
{
    *hash = *range = NULL;
    return ddb_key_condition_check_part(kc, schema, true, hash, err) &&
           (!schema->range_name || ddb_key_condition_check_part(kc, schema, false, range, err));
}

bool ddb_key_predicate_matches(const struct ddb_key_predicate *p, const struct ddb_value *v)
{
    if (!v || p->nvalues == 0 || v->type != p->values[0].type)
        return false;
    int c = ddb_value_compare(v, &p->values[0]);
    switch (p->op) {
    case DDB_OP_EQ: return c == 0;
    case DDB_OP_LT: return c < 0;
    case DDB_OP_LE: return c <= 0;
    case DDB_OP_GT: return c > 0;
    case DDB_OP_GE: return c >= 0;
    case DDB_OP_BETWEEN:
        return p->nvalues == 2 && v->type == p->values[1].type && c >= 0 && ddb_value_compare(v, &p->values[1]) <= 0;
    case DDB_OP_BEGINS_WITH:
        return (v->type == DDB_S || v->type == DDB_B) && v->len >= p->values[0].len &&
               memcmp(v->u.bytes, p->values[0].u.bytes, p->values[0].len) == 0;
    default: return false;
    }
}

static bool encode(struct arena *a, const struct ddb_value *v, const uint8_t **out, size_t *len)
{
    *len = ddb_key_encoded_len(v);
    uint8_t *bytes = arena_alloc(a, *len);
    if (!bytes)
        return false;
    ddb_key_encode(v, bytes);
    *out = bytes;
    return true;
}

bool ddb_key_predicate_range(struct arena *a, const struct ddb_key_predicate *p, struct ddb_key_range *out)
{
    memset(out, 0, sizeof(*out));
    if (p->nvalues == 0)
        return true;
    const uint8_t *bytes;
    size_t len;
    if (!encode(a, &p->values[0], &bytes, &len))
        return false;
    switch (p->op) {
    case DDB_OP_EQ:
        *out = (struct ddb_key_range){true, false, true, false, bytes, bytes, len, len};
        return true;
    case DDB_OP_LT:
    case DDB_OP_LE:
        *out = (struct ddb_key_range){.has_upper = true, .upper_open = p->op == DDB_OP_LT, .upper = bytes,
                                      .upper_len = len};
        return true;
    case DDB_OP_GT:
    case DDB_OP_GE:
        *out = (struct ddb_key_range){.has_lower = true, .lower_open = p->op == DDB_OP_GT, .lower = bytes,
                                      .lower_len = len};
        return true;
    case DDB_OP_BETWEEN: {
        const uint8_t *high;
        size_t high_len;
        if (p->nvalues < 2 || !encode(a, &p->values[1], &high, &high_len))
            return false;
        *out = (struct ddb_key_range){true, false, true, false, bytes, high, len, high_len};
        return true;
    }
    case DDB_OP_BEGINS_WITH: {
        out->has_lower = true;
        out->lower = bytes;
        out->lower_len = len;
        uint8_t *end = arena_alloc(a, len ? len : 1);
        size_t end_len;
        if (!end)
            return false;
        if (ddb_key_prefix_end(bytes, len, end, &end_len)) {
            out->has_upper = true;
            out->upper_open = true;
            out->upper = end;
            out->upper_len = end_len;
        }
        return true;
    }
    default: return true;
    }
}
