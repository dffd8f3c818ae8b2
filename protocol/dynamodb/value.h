/* protocol/dynamodb value: DynamoDB's attribute values as typed C values,
 * the arena they live in, and the errors every DynamoDB parser reports.
 *
 * A struct ddb_value is one AttributeValue: S (UTF-8 bytes, NULs allowed),
 * N (its canonical text, see number.h), B (raw bytes, not base64), BOOL,
 * NULL, the sets SS/NS/BS (elements are S/N/B values, kept in the order
 * given, never empty, never duplicated), L, and M. An item is a value of
 * type M. A map's attributes are sorted by name (bytewise, shorter first)
 * and unique, so lookups are binary searches and equal maps have equal
 * layouts.
 *
 * Values are immutable once built and live in a struct arena (a bump
 * allocator with an optional byte budget: past it every allocation fails,
 * so memory stays bounded whatever the request). Functions that build a
 * new value from old ones (an update, a projection) may point into their
 * inputs: keep the inputs' arenas alive until the result is serialized.
 *
 * Errors: every fallible function takes a struct ddb_error and fills it
 * with AWS's error type (SerializationException, ValidationException, or
 * an allocation failure the server reports as InternalServerError) and
 * AWS's exact message. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_VALUE_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/arena.h"
#include "protocol/dynamodb/number.h"

/* Frees doc (json_free) when the arena is freed: values converted from
 * it point into it. false (doc freed at once) when out of memory. */
struct json_value;
bool ddb_arena_keep_json(struct arena *a, const struct json_value *doc);

/* ---- errors ----------------------------------------------------------- */

#define DDB_ERROR_MAX 2048         /* longer messages are cut */

enum ddb_error_type {
    DDB_ERR_NONE = 0,
    DDB_ERR_SERIALIZATION,         /* com.amazon.coral.service#SerializationException */
    DDB_ERR_VALIDATION,            /* com.amazon.coral.validate#ValidationException */
    DDB_ERR_NOMEM,                 /* the arena's budget or malloc: InternalServerError */
};

/* What was wrong with an attribute value, for the callers whose wording
 * depends on it (see ddb_value_fault_takes_start_key_prefix). */
enum ddb_value_fault {
    DDB_FAULT_NONE = 0,
    DDB_FAULT_EMPTY_VALUE,         /* no datatype set */
    DDB_FAULT_MULTIPLE_TYPES,
    DDB_FAULT_NULL_FALSE,
    DDB_FAULT_EMPTY_SET,           /* SS or BS */
    DDB_FAULT_EMPTY_NUMBER_SET,
    DDB_FAULT_DUPLICATES,
    DDB_FAULT_NUMBER,              /* a number that cannot be stored */
    DDB_FAULT_NESTING,
};

struct ddb_error {
    enum ddb_error_type type;
    enum ddb_value_fault fault;
    char message[DDB_ERROR_MAX];
};

/* Fills err (which may be NULL) and returns false, for `return ddb_fail(...)`. */
bool ddb_fail(struct ddb_error *err, enum ddb_error_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool ddb_fail_nomem(struct ddb_error *err);
/* The __type AWS sends for an error ("com.amazon.coral.validate#ValidationException"). */
const char *ddb_error_aws_type(const struct ddb_error *err);
/* ExclusiveStartKey quirk: AWS puts "The provided starting key is invalid: "
 * before some attribute-value errors of a starting key and not others. */
bool ddb_value_fault_takes_start_key_prefix(enum ddb_value_fault fault);

/* ---- values ----------------------------------------------------------- */

/* A document may nest 32 levels: the attribute itself is level 1. */
#define DDB_MAX_NESTING 32
/* An item's size limit (names and values, see ddb_item_size). */
#define DDB_ITEM_MAX_SIZE 409600

enum ddb_type { DDB_S, DDB_N, DDB_B, DDB_BOOL, DDB_NULL, DDB_SS, DDB_NS, DDB_BS, DDB_L, DDB_M };

struct ddb_attr;

struct ddb_value {
    enum ddb_type type;
    bool boolean;                  /* BOOL */
    size_t len;                    /* S/N/B: bytes; SS/NS/BS/L: elements; M: attributes */
    union {
        const char *bytes;         /* S, N, B; NUL-terminated (S and B may hold NULs) */
        const struct ddb_value *items;  /* SS, NS, BS (of S, N, B values), L */
        const struct ddb_attr *attrs;   /* M, sorted by name */
    } u;
};

struct ddb_attr {
    const char *name;              /* NUL-terminated, may hold NULs */
    size_t name_len;
    struct ddb_value value;
};

/* "S", "N", ..., "M". */
const char *ddb_type_name(enum ddb_type type);
/* The type named by len bytes ("SS"); false when none is. */
bool ddb_type_from_name(const char *name, size_t len, enum ddb_type *out);
static inline bool ddb_type_is_set(enum ddb_type t) { return t == DDB_SS || t == DDB_NS || t == DDB_BS; }
static inline bool ddb_type_is_scalar_key(enum ddb_type t) { return t == DDB_S || t == DDB_N || t == DDB_B; }
/* The element type of a set type (SS -> S) and the set type of a scalar. */
enum ddb_type ddb_set_element_type(enum ddb_type set_type);
enum ddb_type ddb_set_type_of(enum ddb_type element_type);

/* Constructors: the bytes are copied into the arena. A number's text
 * must be valid (false otherwise, with the validation message). */
bool ddb_value_string(struct arena *a, const char *s, size_t len, struct ddb_value *out);
bool ddb_value_binary(struct arena *a, const void *b, size_t len, struct ddb_value *out);
bool ddb_value_number(struct arena *a, const struct ddb_number *n, struct ddb_value *out);
bool ddb_value_number_text(struct arena *a, const char *text, size_t len, struct ddb_value *out,
                           struct ddb_error *err);
static inline struct ddb_value ddb_value_bool(bool b)
{
    return (struct ddb_value){.type = DDB_BOOL, .boolean = b};
}
static inline struct ddb_value ddb_value_null(void) { return (struct ddb_value){.type = DDB_NULL, .boolean = true}; }
/* An N value's number (its text is canonical, so this cannot fail on a
 * value built here; false for anything else). */
bool ddb_value_get_number(const struct ddb_value *v, struct ddb_number *out);

/* Maps. ddb_map_build sorts attrs (names unique) in place and wraps them
 * without copying them. */
void ddb_map_build(struct ddb_attr *attrs, size_t n, struct ddb_value *out);
const struct ddb_value *ddb_map_get(const struct ddb_value *map, const char *name, size_t name_len);
/* A new map with name set to value (added or replaced) or removed; the
 * attribute array is new, names and values are shared. */
bool ddb_map_with(struct arena *a, const struct ddb_value *map, const char *name, size_t name_len,
                  const struct ddb_value *value, struct ddb_value *out);
bool ddb_map_without(struct arena *a, const struct ddb_value *map, const char *name, size_t name_len,
                     struct ddb_value *out);
int ddb_name_compare(const char *a, size_t alen, const char *b, size_t blen);

/* Deep equality: numbers numerically (canonical text makes that bytewise),
 * sets as sets (order does not matter), maps attribute by attribute. */
bool ddb_value_equal(const struct ddb_value *a, const struct ddb_value *b);
/* Order of two S, N or B values of the same type: S and B by unsigned
 * bytes, N numerically. */
int ddb_value_compare(const struct ddb_value *a, const struct ddb_value *b);
/* Whether a set holds an element equal to v (v of the element type). */
bool ddb_set_contains(const struct ddb_value *set, const struct ddb_value *v);

/* Size as AWS counts it: S by UTF-8 bytes, B by bytes, N per
 * ddb_number_size, BOOL and NULL 1, sets the sum of their elements, L 3 +
 * (1 + element) each, M 3 + (1 + name + value) each. An item counts its
 * attribute names plus values. */
size_t ddb_value_size(const struct ddb_value *v);
size_t ddb_item_size(const struct ddb_value *item);
/* What an item counts towards the 1 MB a Query or Scan page may read:
 * AWS's stored size, which differs from ddb_item_size (names count one
 * byte, strings a length prefix, sets one byte per member, NULL nothing)
 * and adds per-item overhead that depends on the sort key's size.
 * range_key names the table's sort key (NULL for none). The figures
 * reproduce AWS's page boundaries as dynalite measured them. */
size_t ddb_item_page_size(const struct ddb_value *item, const char *range_key, size_t range_key_len);
/* Capacity units AWS charges for reading or writing an item of that size
 * (ddb_item_size; 0 for no item): writes one per KB started, reads one per
 * 4 KB started, halved for eventually consistent reads; at least one
 * (half) unit. */
double ddb_capacity_units(size_t item_size, bool read, bool consistent);
/* Levels of the deepest value inside v (a scalar is 1). */
int ddb_value_depth(const struct ddb_value *v);

#endif
