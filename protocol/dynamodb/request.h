/* protocol/dynamodb request: the checks every DynamoDB request goes
 * through before its operation looks at it, driven by a table of each
 * operation's input shape (protocol/dynamodb/request_shapes.c).
 *
 * AWS's front end (Coral) checks a request in three steps, and the first
 * failing step answers:
 *
 *   1. shapes: every member the shape knows is deserialized in the order
 *      of the shape; a JSON type where another is expected is a
 *      SerializationException with Coral's Java wording ("NUMBER_VALUE
 *      cannot be converted to String", "Unexpected field type",
 *      "Unrecognized collection type class java.lang.String", ...).
 *      Members the shape does not know, and members that are JSON null,
 *      are ignored. AttributeValues are checked by value_json.h.
 *   2. a few parameters AWS checks on their own first: the control-plane
 *      operations' TableName ("The parameter 'TableName' is required but
 *      was not present in the request", "TableName must be at least 3
 *      characters long and at most 255 characters long").
 *   3. constraints: not null, length, value range, pattern, enum, map keys
 *      and map values; every violation is listed, at most ten, as "N
 *      validation error(s) detected: Value 'x' at 'path' failed to
 *      satisfy constraint: Member must ...", paths in AWS's form
 *      (keySchema.1.member.keyType, requestItems.t.member.keys).
 *
 * What comes after (values, expressions, the operation's own rules) is
 * the operation's business. Pure; the checks recurse only along the
 * shapes, which are finitely deep, and walk each JSON value once per pass. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_REQUEST_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_REQUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/dynamodb/operations.h"
#include "protocol/dynamodb/value.h"

/* At most this many constraint violations are listed. */
#define DDB_MAX_VALIDATION_ERRORS 10

enum ddb_shape_kind {
    DDB_SHAPE_STRING,
    DDB_SHAPE_BOOLEAN,
    DDB_SHAPE_INTEGER,             /* java.lang.Integer */
    DDB_SHAPE_LONG,                /* java.lang.Long */
    DDB_SHAPE_LIST,                /* of `element` */
    DDB_SHAPE_MAP,                 /* string keys, values of `element` */
    DDB_SHAPE_STRUCT,              /* `members` */
    DDB_SHAPE_ATTRIBUTE_VALUE,     /* one AttributeValue (value_json.h) */
};

/* Patterns AWS checks names against. */
enum ddb_pattern {
    DDB_PATTERN_NONE,
    DDB_PATTERN_NAME,              /* [a-zA-Z0-9_.-]+ : tables and indexes */
};

struct ddb_shape;

/* A member of a structure. */
struct ddb_member {
    const char *name;              /* "TableName" (its path is lowerFirst: "tableName") */
    const struct ddb_shape *shape;
    bool not_null;                 /* "Member must not be null" */
    /* Checked before the constraints, with its own message: "The
     * parameter 'X' is required..." and, for a table name, "X must be at
     * least 3 characters long and at most 255 characters long". */
    bool required_first;
};

struct ddb_shape {
    enum ddb_shape_kind kind;
    /* Structures: the class name ("KeySchemaElement"); maps: the Java type
     * of the values ("com.amazonaws.dynamodb.v20120810.KeysAndAttributes",
     * "java.lang.String"). Used in SerializationException messages. */
    const char *type_name;
    const struct ddb_member *members;
    size_t n_members;
    const struct ddb_shape *element;   /* list element or map value */
    /* Lengths (strings in UTF-16 units, lists and maps in entries) and
     * values (integers); has_* says whether the bound exists. */
    bool has_min_len, has_max_len, has_min, has_max;
    int64_t min_len, max_len, min, max;
    enum ddb_pattern pattern;
    const char *const *enum_values;    /* NULL-ended */
    /* Maps: constraints every key must meet (a string shape), and the
     * value's own length constraints reported at the map ("Map value must
     * satisfy constraint: [...]"). */
    const struct ddb_shape *key;
    bool value_constraints_at_map;
};

/* The input shapes, one per operation of the tables (DynamoDB's and
 * DynamoDB Streams'). */
#define DDB_INPUT_DECLARATION(name, family, action, handler) extern const struct ddb_shape ddb_input_##name;
DDB_OPERATIONS(DDB_INPUT_DECLARATION)
DDB_STREAMS_OPERATIONS(DDB_INPUT_DECLARATION)
#undef DDB_INPUT_DECLARATION

/* Steps 1 to 3 on a request body (a JSON object). false with err filled:
 * a SerializationException or a ValidationException. */
bool ddb_request_check(const struct ddb_shape *input, const struct json_value *body, struct ddb_error *err);

/* The primitive shape checks of step 1, shared with value_json.c: a JSON
 * value where a String, Boolean or Blob is expected (JSON null passes). */
bool ddb_json_check_string(const struct json_value *v, struct ddb_error *err);
bool ddb_json_check_blob(const struct json_value *v, struct ddb_error *err);

/* Java's String.length() of UTF-8 text: UTF-16 units. */
size_t ddb_utf16_length(const char *s, size_t len);

#endif
