/* protocol/dynamodb expression: DynamoDB's expression language, parsed
 * into typed trees and evaluated against items.
 *
 *   ConditionExpression, FilterExpression   ddb_parse_condition
 *   KeyConditionExpression                  ddb_parse_key_condition
 *   UpdateExpression                        ddb_parse_update
 *   ProjectionExpression                    ddb_parse_projection
 *
 * One struct ddb_expr_context per request holds ExpressionAttributeNames
 * and ExpressionAttributeValues (checked as AWS does: not empty, keys
 * "#name" / ":value", valid values), remembers which of them the
 * expressions used, and reports the unused ones afterwards. Parse every
 * expression of the request through the same context, in AWS's order
 * (UpdateExpression, ConditionExpression, KeyConditionExpression,
 * FilterExpression, ProjectionExpression), then call
 * ddb_expr_context_check_unused.
 *
 * Errors are AWS's, with the "Invalid ConditionExpression: " (etc.) prefix:
 * syntax errors name the offending token and its neighbourhood ("Syntax
 * error; token: \"=\", near: \"a = =\""), then the semantic errors in
 * AWS's order of precedence (redundant parentheses, unknown functions,
 * misused functions, reserved words, then per condition undefined names or
 * values, operand counts, non-distinct operands, operand types). Every
 * parser is bounded: expressions over 4 KB are refused before parsing,
 * nesting of parentheses and functions is limited (so recursion is), one
 * pass tokenizes, and the only quadratic step compares the paths of one
 * expression with each other.
 *
 * Evaluation never fails for conditions (a type mismatch is simply false,
 * as in AWS); updates fail with AWS's runtime messages ("An operand in the
 * update expression has an incorrect data type", ...). The legacy
 * parameters (Expected, QueryFilter, ScanFilter, KeyConditions,
 * AttributeUpdates, AttributesToGet) convert to these same trees, see
 * legacy.h. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_EXPRESSION_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_EXPRESSION_H

#include "protocol/core/json.h"
#include "protocol/dynamodb/key.h"
#include "protocol/dynamodb/value.h"

#define DDB_EXPRESSION_MAX_BYTES 4096

/* ---- document paths --------------------------------------------------- */

/* One step of a path: an attribute name (name != NULL) or a list index. */
struct ddb_path_step {
    const char *name;
    size_t name_len;
    uint32_t index;
};

/* a.b[2].c: steps[0] is always a name. */
struct ddb_path {
    const struct ddb_path_step *steps;
    size_t len;
};

/* The value at path inside item (a map), or NULL when any step is missing
 * or crosses the wrong kind of container. */
const struct ddb_value *ddb_path_resolve(const struct ddb_value *item, const struct ddb_path *path);
/* AWS's rendering in messages: "[a, b, [2], c]". */
void ddb_path_describe(struct strbuf *sb, const struct ddb_path *path);

/* ---- operands --------------------------------------------------------- */

enum ddb_function {
    DDB_FN_ATTRIBUTE_EXISTS,
    DDB_FN_ATTRIBUTE_NOT_EXISTS,
    DDB_FN_ATTRIBUTE_TYPE,
    DDB_FN_BEGINS_WITH,
    DDB_FN_CONTAINS,
    DDB_FN_SIZE,
    DDB_FN_IF_NOT_EXISTS,          /* update expressions only */
    DDB_FN_LIST_APPEND,            /* update expressions only */
};

enum ddb_operand_kind {
    DDB_OPERAND_PATH,
    DDB_OPERAND_VALUE,             /* an ExpressionAttributeValue or a literal */
    DDB_OPERAND_FUNCTION,
    DDB_OPERAND_PLUS,              /* update: args[0] + args[1] */
    DDB_OPERAND_MINUS,
};

struct ddb_operand {
    enum ddb_operand_kind kind;
    struct ddb_path path;                  /* PATH */
    const struct ddb_value *value;         /* VALUE */
    enum ddb_function function;            /* FUNCTION */
    const struct ddb_operand *args;        /* FUNCTION, PLUS, MINUS */
    size_t nargs;
};

/* ---- conditions ------------------------------------------------------- */

enum ddb_comparator { DDB_CMP_EQ, DDB_CMP_NE, DDB_CMP_LT, DDB_CMP_LE, DDB_CMP_GT, DDB_CMP_GE };

enum ddb_condition_kind {
    DDB_COND_AND,                  /* all of children */
    DDB_COND_OR,                   /* any of children */
    DDB_COND_NOT,                  /* children[0] */
    DDB_COND_COMPARE,              /* operands[0] comparator operands[1] */
    DDB_COND_BETWEEN,              /* operands[0] BETWEEN operands[1] AND operands[2] */
    DDB_COND_IN,                   /* operands[0] IN (operands[1..]) */
    DDB_COND_FUNCTION,             /* operands[0], a boolean function */
};

struct ddb_condition {
    enum ddb_condition_kind kind;
    enum ddb_comparator comparator;
    const struct ddb_condition *children;
    size_t nchildren;
    const struct ddb_operand *operands;
    size_t noperands;
};

/* Whether item satisfies c. item is a map, or NULL for "no item" (every
 * path is missing). Comparisons of different types are false, <> is true
 * when the operands differ or one is missing. */
bool ddb_condition_eval(const struct ddb_condition *c, const struct ddb_value *item);

/* A Query's filter may not name a key attribute of the table or index
 * queried: "<what> can only contain non-primary key attributes: Primary
 * key attribute: a", what being "Filter Expression" or "QueryFilter". */
bool ddb_check_filter_key_attributes(const struct ddb_condition *filter, const struct ddb_key_schema *keys,
                                     const char *what, struct ddb_error *err);

/* ---- the request's names and values ----------------------------------- */

struct ddb_expr_name {
    const char *key;               /* "#n" */
    size_t key_len;
    const char *name;              /* what it stands for */
    size_t name_len;
    bool used;
};

struct ddb_expr_value {
    const char *key;               /* ":v" */
    size_t key_len;
    struct ddb_value value;
    bool used;
};

struct ddb_expr_context {
    struct arena *arena;
    struct ddb_expr_name *names;   /* in request order (a repeated key once, its last value) */
    size_t nnames;
    struct ddb_expr_value *values;
    size_t nvalues;
    struct ddb_expr_name **names_by_key;   /* the same, sorted by key, for lookups */
    struct ddb_expr_value **values_by_key;
    bool has_names, has_values;    /* the parameters were in the request */
};

/* Checks and loads ExpressionAttributeNames and ExpressionAttributeValues
 * (either may be NULL: absent). Run ddb_json_check_map on the values in
 * the shape pass first; this reports the value pass errors ("...contains
 * invalid value: <why> for key :v"). */
bool ddb_expr_context_init(struct ddb_expr_context *ctx, struct arena *a, const struct json_value *names,
                           const struct json_value *values, struct ddb_error *err);
/* The shape pass for ExpressionAttributeNames (a map of strings). */
bool ddb_json_check_names(const struct json_value *v, struct ddb_error *err);
/* "Value provided in ExpressionAttributeNames unused in expressions: keys:
 * {#a, #b}", then the same for values. */
bool ddb_expr_context_check_unused(const struct ddb_expr_context *ctx, struct ddb_error *err);

/* Which parameter an expression came in, for the message prefix. */
enum ddb_expression_role {
    DDB_EXPR_CONDITION,            /* ConditionExpression */
    DDB_EXPR_FILTER,               /* FilterExpression */
    DDB_EXPR_KEY_CONDITION,        /* KeyConditionExpression */
    DDB_EXPR_UPDATE,               /* UpdateExpression */
    DDB_EXPR_PROJECTION,           /* ProjectionExpression */
};
/* "ConditionExpression", ... */
const char *ddb_expression_role_name(enum ddb_expression_role role);

/* Attribute names a parsed expression uses at the top of a path, and
 * those it reaches into (a.b, a[1]): the server refuses key attributes in
 * some of them ("Key attributes must be scalars; ..."). */
struct ddb_name_list {
    const struct ddb_path_step *names; /* name steps only */
    size_t len;
};
bool ddb_name_list_has(const struct ddb_name_list *list, const char *name, size_t name_len);
/* AWS refuses paths into key attributes: "Key attributes must be scalars;
 * list random access '[]' and map lookup '.' are not allowed: Key: a"
 * (IndexKey: for an index's keys, index true). */
bool ddb_check_nested_key_paths(const struct ddb_name_list *nested, const struct ddb_key_schema *keys, bool index,
                                struct ddb_error *err);

/* ---- condition and filter expressions --------------------------------- */

struct ddb_parsed_condition {
    const struct ddb_condition *condition;
    struct ddb_name_list heads;    /* first step of every path */
    struct ddb_name_list nested;   /* first step of every path longer than one */
};

/* role is DDB_EXPR_CONDITION or DDB_EXPR_FILTER. */
bool ddb_parse_condition(struct ddb_expr_context *ctx, enum ddb_expression_role role, const char *text,
                         size_t len, struct ddb_parsed_condition *out, struct ddb_error *err);

/* ---- key conditions --------------------------------------------------- */

/* The legacy ComparisonOperator values; key conditions use the first
 * seven, the other six are refused for keys. */
enum ddb_comparison_op {
    DDB_OP_EQ, DDB_OP_LT, DDB_OP_LE, DDB_OP_GT, DDB_OP_GE, DDB_OP_BETWEEN, DDB_OP_BEGINS_WITH,
    DDB_OP_NE, DDB_OP_IN, DDB_OP_NULL, DDB_OP_NOT_NULL, DDB_OP_CONTAINS, DDB_OP_NOT_CONTAINS,
};
/* "EQ", "BEGINS_WITH", ...; and back (false for an unknown name). */
const char *ddb_comparison_op_name(enum ddb_comparison_op op);
bool ddb_comparison_op_from_name(const char *name, size_t len, enum ddb_comparison_op *out);

/* One condition on one key attribute: name op values[0] (values[1] for
 * BETWEEN). */
struct ddb_key_predicate {
    const char *name;
    size_t name_len;
    enum ddb_comparison_op op;
    const struct ddb_value *values;
    size_t nvalues;
};

/* The conditions of a Query, at most one per attribute. */
struct ddb_key_condition {
    struct ddb_key_predicate predicates[2];
    size_t len;                    /* predicates kept (at most 2) */
    size_t count;                  /* conditions given (AWS refuses more than 2) */
};

/* Parses a KeyConditionExpression and reduces it to predicates, with AWS's
 * errors for what a key condition may not contain (OR, NOT, IN, <>,
 * functions other than begins_with, nested paths, two attributes in one
 * comparison, two conditions on one key, more than two conditions). The
 * reduction errors come after the unused names/values check, so call
 * ddb_key_condition_reduce after ddb_expr_context_check_unused. */
bool ddb_parse_key_condition(struct ddb_expr_context *ctx, const char *text, size_t len,
                             struct ddb_parsed_condition *out, struct ddb_error *err);
bool ddb_key_condition_reduce(struct arena *a, const struct ddb_parsed_condition *parsed,
                              struct ddb_key_condition *out, struct ddb_error *err);
/* The predicates against the table's or index's key schema, with AWS's
 * errors ("Query condition missed key schema element: a", "Query key
 * condition not supported", ...). On success *hash is the partition key
 * predicate and *range the sort key one (or NULL). */
bool ddb_key_condition_check(const struct ddb_key_condition *kc, const struct ddb_key_schema *schema,
                             const struct ddb_key_predicate **hash, const struct ddb_key_predicate **range,
                             struct ddb_error *err);
/* The same for one attribute of the schema (the partition key when hash),
 * for callers that check something else per key attribute in between. */
bool ddb_key_condition_check_part(const struct ddb_key_condition *kc, const struct ddb_key_schema *schema, bool hash,
                                  const struct ddb_key_predicate **out, struct ddb_error *err);
/* Whether a sort key value satisfies a sort key predicate. */
bool ddb_key_predicate_matches(const struct ddb_key_predicate *p, const struct ddb_value *v);

/* The scan bounds of a sort key predicate over ddb_key_encode'd keys:
 * lower (inclusive unless lower_open) and upper (inclusive unless
 * upper_open); has_lower/has_upper false when unbounded. The bytes point
 * into the arena. */
struct ddb_key_range {
    bool has_lower, lower_open, has_upper, upper_open;
    const uint8_t *lower, *upper;
    size_t lower_len, upper_len;
};
bool ddb_key_predicate_range(struct arena *a, const struct ddb_key_predicate *p, struct ddb_key_range *out);

/* ---- update expressions ----------------------------------------------- */

enum ddb_update_kind { DDB_UPDATE_SET, DDB_UPDATE_REMOVE, DDB_UPDATE_ADD, DDB_UPDATE_DELETE };

struct ddb_update_action {
    enum ddb_update_kind kind;
    struct ddb_path path;
    const struct ddb_operand *value;   /* SET: the value; ADD/DELETE: a VALUE operand; REMOVE: NULL */
    /* The type of the value when it is known without the item (a value,
     * or a function whose result type is fixed), else -1. */
    int static_type;
};

struct ddb_update {
    const struct ddb_update_action *actions;   /* in the order written */
    size_t len;
    struct ddb_name_list nested;   /* first step of every path longer than one */
    bool legacy;                   /* from AttributeUpdates: legacy messages and ADD of lists */
};

bool ddb_parse_update(struct ddb_expr_context *ctx, const char *text, size_t len, struct ddb_update *out,
                      struct ddb_error *err);

/* Applies u to item (the stored item, or the request's Key when there is
 * none) into *out, with AWS's runtime errors. Values are evaluated against
 * item as it was before the update; list elements past the end are
 * appended in index order; removed list elements are those of the original
 * indexes. The result may share parts of item and of the request. */
bool ddb_update_apply(struct arena *a, const struct ddb_update *u, const struct ddb_value *item,
                      struct ddb_value *out, struct ddb_error *err);
/* "Cannot update attribute a. This attribute is part of the key" when an
 * action's path starts at a key attribute of the table. */
bool ddb_update_check_key_attributes(const struct ddb_update *u, const struct ddb_key_schema *table,
                                     struct ddb_error *err);
/* Before applying: an action on a top-level index key attribute whose
 * value type is known must match the index ("One or more parameter values
 * were invalid: Type mismatch for Index Key c Expected: S Actual: N
 * IndexName: i"). */
bool ddb_update_check_index_types(const struct ddb_update *u, const struct ddb_key_schema *index,
                                  const char *index_name, struct ddb_error *err);
/* After applying: a SET of a top-level index key attribute must leave
 * it with the index's type ("The update expression attempted to update
 * the secondary index key to unsupported type"). */
bool ddb_update_check_index_key(const struct ddb_update *u, const struct ddb_value *new_item,
                                const struct ddb_key_schema *index, struct ddb_error *err);
/* The update's paths (for ReturnValues UPDATED_OLD / UPDATED_NEW, project
 * the old or new item on them). */
bool ddb_update_paths(struct arena *a, const struct ddb_update *u, struct ddb_path **out, size_t *n);

/* ---- projection expressions ------------------------------------------- */

struct ddb_projection {
    const struct ddb_path *paths;
    size_t len;
    struct ddb_name_list nested;
};

bool ddb_parse_projection(struct ddb_expr_context *ctx, const char *text, size_t len,
                          struct ddb_projection *out, struct ddb_error *err);
/* The parts of item the paths name, as a map: nested maps keep only the
 * named members, lists only the named elements (in index order, packed).
 * Paths that resolve to nothing are left out. */
bool ddb_project(struct arena *a, const struct ddb_value *item, const struct ddb_path *paths, size_t n,
                 struct ddb_value *out);

/* PartiQL's projection: the value at each path under the path's last
 * attribute name (SELECT a.b gives {"b": ...}); the first of equal
 * names wins, paths that resolve to nothing are left out. */
bool ddb_project_leaves(struct arena *a, const struct ddb_value *item, const struct ddb_path *paths, size_t n,
                        struct ddb_value *out);

/* ---- reserved words ----------------------------------------------------- */

/* Whether a bare name is one of DynamoDB's 573 reserved words (any case). */
bool ddb_is_reserved_word(const char *name, size_t len);

#endif
