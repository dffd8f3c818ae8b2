/* protocol/dynamodb partiql: the PartiQL statements DynamoDB users write
 * (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction), parsed
 * into a typed statement whose parts are the trees the expression language
 * uses, so the server runs them with the same evaluators:
 *
 *   SELECT * | path, ... FROM "table"[."index"] [WHERE cond] [ORDER BY path [ASC|DESC]]
 *   INSERT INTO "table" VALUE {'attr': value, ...}
 *   UPDATE "table" SET path = value | REMOVE path ... WHERE cond
 *          [RETURNING ALL|MODIFIED OLD|NEW *]
 *   DELETE FROM "table" WHERE cond [RETURNING ALL OLD *]
 *
 * Values are literals ('text', numbers, TRUE, FALSE, NULL, [lists],
 * {'maps': ...}, <<sets>>) or ? parameters (taken in order from the
 * request's Parameters). WHERE conditions take = <> != < <= > >=, BETWEEN,
 * IN [...], IS [NOT] NULL|MISSING|<type>, AND/OR/NOT and the functions
 * attribute_exists, attribute_not_exists, attribute_type, begins_with,
 * contains and size (any case). SET values take + and -, list_append,
 * set_add and set_delete. Keywords are case-insensitive; "double quotes"
 * quote names; line (--) and block comments are whitespace.
 *
 * Errors are AWS's: "Statement wasn't well formed, can't be processed:
 * ..." for what does not parse, and AWS's own messages for aliases,
 * numbers ("... under root.x"), sets, functions and parameters. Parsing is
 * bounded: nesting is limited and the text is tokenized in one pass. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_PARTIQL_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_PARTIQL_H

#include "protocol/dynamodb/expression.h"

enum ddb_partiql_kind { DDB_PARTIQL_SELECT, DDB_PARTIQL_INSERT, DDB_PARTIQL_UPDATE, DDB_PARTIQL_DELETE };

enum ddb_partiql_returning {
    DDB_RETURNING_NONE,
    DDB_RETURNING_ALL_OLD,
    DDB_RETURNING_MODIFIED_OLD,
    DDB_RETURNING_ALL_NEW,
    DDB_RETURNING_MODIFIED_NEW,
};

struct ddb_partiql {
    enum ddb_partiql_kind kind;
    const char *table;
    size_t table_len;
    const char *index;             /* SELECT ... FROM "t"."i"; NULL when none */
    size_t index_len;
    bool select_all;               /* SELECT * */
    struct ddb_projection projection; /* SELECT a, b.c (empty for *) */
    const struct ddb_condition *where; /* NULL when there is no WHERE */
    bool has_order;                /* ORDER BY order_by [DESC] */
    bool order_descending;
    struct ddb_path order_by;
    struct ddb_value item;         /* INSERT: the item (a map) */
    struct ddb_update update;      /* UPDATE: SET and REMOVE, as update actions */
    enum ddb_partiql_returning returning;
};

/* The longest Statement the API takes (the server's constraint check
 * reports longer ones; the parser refuses them too). */
#define DDB_PARTIQL_MAX_BYTES 8192

/* Parses a statement; params are the request's Parameters, already
 * converted (ddb_value_from_json). The statement points into the text,
 * the parameters and the arena. */
bool ddb_partiql_parse(struct arena *a, const char *text, size_t len, const struct ddb_value *params,
                       size_t nparams, struct ddb_partiql *out, struct ddb_error *err);

/* The key the WHERE clause pins down: the values compared with = to the
 * schema's key attributes in the top-level AND of the clause. *key gets
 * the attributes found (a map); *complete says whether every key
 * attribute was. The whole WHERE still applies as a condition. */
bool ddb_partiql_key(struct arena *a, const struct ddb_partiql *st, const struct ddb_key_schema *schema,
                     struct ddb_value *key, bool *complete);

#endif
