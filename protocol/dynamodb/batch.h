/* protocol/dynamodb batch: BatchGetItem and BatchWriteItem requests
 * checked as AWS checks them before it looks at the tables, and parsed
 * per table. The key schema checks are the server's (per table). */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_BATCH_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_BATCH_H

#include "protocol/dynamodb/expression.h"

/* At most this many keys in one BatchGetItem, writes in one BatchWriteItem. */
#define DDB_BATCH_GET_MAX 100
#define DDB_BATCH_WRITE_MAX 25

struct ddb_batch_get_table {
    const char *table;
    const struct json_value *request;  /* its KeysAndAttributes, for UnprocessedKeys */
    struct ddb_value *keys;
    size_t n_keys;
    bool consistent;
    bool has_projection;
    struct ddb_projection projection;
    struct ddb_expr_context ctx;
};

struct ddb_batch_get {
    struct ddb_batch_get_table *tables;
    size_t n;
};

bool ddb_batch_get_parse(struct arena *a, const struct json_value *req, struct ddb_batch_get *out,
                         struct ddb_error *err);

struct ddb_batch_write_request {
    bool put;
    struct ddb_value value;        /* PUT: the item; DELETE: the key */
};

struct ddb_batch_write_table {
    const char *table;
    struct ddb_batch_write_request *requests;
    size_t n;
};

struct ddb_batch_write {
    struct ddb_batch_write_table *tables;
    size_t n;
};

bool ddb_batch_write_parse(struct arena *a, const struct json_value *req, struct ddb_batch_write *out,
                           struct ddb_error *err);

#endif
