/* protocol/dynamodb query: Query and Scan requests checked as AWS checks
 * them (before and then against the table) and parsed into one typed
 * read request, with the plan of what to read: the table or one of its
 * indexes, the partition, the sort key predicate, whether items come
 * from the table for an index that does not project them all.
 *
 * Page rules (the 1 MB cut, Limit, LastEvaluatedKey) are the server's,
 * with ddb_item_page_size; capacity is ddb_capacity_units of the bytes
 * read. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_QUERY_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_QUERY_H

#include "protocol/dynamodb/expression.h"
#include "protocol/dynamodb/table.h"

/* A Query or Scan page reads at most this many bytes (ddb_item_page_size). */
#define DDB_PAGE_MAX_BYTES (1024 * 1024)

enum ddb_select {
    DDB_SELECT_DEFAULT,            /* ALL_ATTRIBUTES, or ALL_PROJECTED_ATTRIBUTES on an index */
    DDB_SELECT_ALL_ATTRIBUTES,
    DDB_SELECT_ALL_PROJECTED,
    DDB_SELECT_SPECIFIC,
    DDB_SELECT_COUNT,
};

struct ddb_read_request {
    bool scan;
    const char *table;
    const char *index_name;        /* NULL: the table */
    struct ddb_expr_context ctx;
    struct ddb_key_condition key_condition;   /* Query */
    const struct ddb_condition *filter;       /* NULL: none */
    struct ddb_name_list filter_nested;
    bool filter_legacy;            /* QueryFilter/ScanFilter rather than FilterExpression */
    bool has_projection;
    struct ddb_projection projection;
    enum ddb_select select;
    int64_t limit;                 /* 0: none */
    bool backward;                 /* ScanIndexForward false */
    bool consistent;
    bool has_start;
    struct ddb_value start;        /* ExclusiveStartKey */
    bool segmented;
    int64_t segment, total_segments;
};

bool ddb_read_request_parse(struct arena *a, const struct json_value *req, bool scan, struct ddb_read_request *out,
                            struct ddb_error *err);

struct ddb_read_plan {
    const struct ddb_index *index; /* NULL: the table */
    const struct ddb_key_schema *keys;        /* what is queried: the table's or the index's */
    const struct ddb_key_predicate *hash, *range;  /* Query */
    bool fetch_from_table;         /* Select ALL_ATTRIBUTES on a local index projecting less */
};

/* AWS's checks against the table, in its order (the index, consistent
 * reads, the starting key, the key condition, paths into keys, filters on
 * keys, Select against the index's projection). */
bool ddb_read_request_check_table(const struct ddb_read_request *r, const struct ddb_table *t,
                                  struct ddb_read_plan *plan, struct ddb_error *err);

#endif
