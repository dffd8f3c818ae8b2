/* protocol/dynamodb key: primary and index keys.
 *
 * Key values are S, N or B. ddb_key_encode turns one into bytes whose
 * memcmp order is DynamoDB's sort order (S by UTF-8 bytes and B by
 * unsigned bytes are their own bytes; N per ddb_number_key_encode), so
 * storage can keep the partition and sort key in two SQLite BLOB columns
 * and range-scan them. ddb_key_prefix_end gives the exclusive upper bound
 * of a begins_with range.
 *
 * The checks give AWS's messages for a Key parameter that does not match
 * the schema, an item missing its key attributes, empty S/B key values,
 * and keys over the size limits (partition key 2048 bytes, sort key 1024;
 * numbers are never too big). Pure. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_KEY_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_KEY_H

#include "protocol/dynamodb/value.h"

#define DDB_HASH_KEY_MAX 2048
#define DDB_RANGE_KEY_MAX 1024

/* The key attributes of a table or an index (no sort key when
 * range_name is NULL). Types are DDB_S, DDB_N or DDB_B. */
struct ddb_key_schema {
    const char *hash_name;
    size_t hash_name_len;
    enum ddb_type hash_type;
    const char *range_name;
    size_t range_name_len;
    enum ddb_type range_type;
};

/* Bytes of the encoding (at most DDB_HASH_KEY_MAX, or DDB_NUMBER_KEY_MAX
 * for a number), and the encoding itself into out (that many bytes).
 * v must be S, N or B. */
size_t ddb_key_encoded_len(const struct ddb_value *v);
void ddb_key_encode(const struct ddb_value *v, uint8_t *out);
/* A key value of the given type back from its encoding. */
bool ddb_key_decode(struct arena *a, enum ddb_type type, const uint8_t *key, size_t len,
                    struct ddb_value *out, struct ddb_error *err);
/* The smallest byte string above every string that starts with prefix:
 * the prefix with trailing 0xff bytes dropped and its last byte
 * incremented. Writes it to out (len bytes at most) and sets *out_len;
 * false when there is none (the prefix is empty or all 0xff): the range
 * is then unbounded above. */
bool ddb_key_prefix_end(const uint8_t *prefix, size_t len, uint8_t *out, size_t *out_len);

/* The 24-bit hash AWS orders a table's items by in a Scan, and splits
 * Scan segments by: the first three bytes of the MD5 of "Outliers" and
 * the key values' bytes (a number in AWS's internal form). range is NULL
 * for the hash of a partition key alone (the order of a table's items);
 * an index orders the items of one index key by the hash of their table
 * key (hash and range). */
uint32_t ddb_key_scan_hash(const struct ddb_value *hash, const struct ddb_value *range);
/* Segment `segment` of `total` covers scan hashes [*low, *high): the
 * 4096 buckets of the hash's first 12 bits, shared out as AWS does. */
void ddb_scan_segment_bounds(int64_t segment, int64_t total, uint32_t *low, uint32_t *high);

/* A Key parameter (GetItem, UpdateItem, DeleteItem, BatchGetItem...):
 * exactly the schema's attributes with the schema's types, no empty S or
 * B, within the size limits. */
bool ddb_key_check(const struct ddb_key_schema *schema, const struct ddb_value *key, struct ddb_error *err);
/* One of the schema's attributes (the partition key when hash, else the
 * sort key) in key, as ddb_key_check checks it. */
bool ddb_key_check_part(const struct ddb_key_schema *schema, bool hash, const struct ddb_value *key,
                        struct ddb_error *err);
/* An item to write (PutItem, BatchWriteItem): its key attributes are
 * present, typed as the schema says, not empty, within the limits. */
bool ddb_item_check_key(const struct ddb_key_schema *schema, const struct ddb_value *item,
                        struct ddb_error *err);
/* An item against one secondary index: an index key attribute the item
 * has must have the index's type and not be an empty S or B. */
bool ddb_item_check_index_key(const struct ddb_key_schema *index, const char *index_name,
                              const struct ddb_value *item, struct ddb_error *err);
/* The item's key attributes as a map (Key of the item). Values shared. */
bool ddb_item_key(struct arena *a, const struct ddb_key_schema *schema, const struct ddb_value *item,
                  struct ddb_value *out);

#endif
