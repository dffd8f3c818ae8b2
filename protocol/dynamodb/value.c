/* protocol/dynamodb value: errors, constructors, maps, equality, order and
 * size of attribute values (see value.h). Values nest at most
 * DDB_MAX_NESTING levels (the JSON reader and the update evaluator refuse
 * deeper ones), so the recursive walks here are bounded. */
#include "protocol/dynamodb/value.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ----------------------------------------------------------- */

bool ddb_fail(struct ddb_error *err, enum ddb_error_type type, const char *fmt, ...)
{
    if (!err)
        return false;
    err->type = type;
    err->fault = DDB_FAULT_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return false;
}

bool ddb_fail_nomem(struct ddb_error *err)
{
    return ddb_fail(err, DDB_ERR_NOMEM, "%s", "Memory limit of the request exceeded");
}

const char *ddb_error_aws_type(const struct ddb_error *err)
{
    switch (err->type) {
    case DDB_ERR_SERIALIZATION: return "com.amazon.coral.service#SerializationException";
    case DDB_ERR_VALIDATION: return "com.amazon.coral.validate#ValidationException";
    case DDB_ERR_NONE:
    case DDB_ERR_NOMEM: break;
    }
    return "com.amazonaws.dynamodb.v20120810#InternalServerError";
}

bool ddb_value_fault_takes_start_key_prefix(enum ddb_value_fault fault)
{
    switch (fault) {
    case DDB_FAULT_EMPTY_VALUE:
    case DDB_FAULT_MULTIPLE_TYPES:
    case DDB_FAULT_NULL_FALSE:
    case DDB_FAULT_EMPTY_SET:
    case DDB_FAULT_NESTING: return true;
    case DDB_FAULT_NONE:
    case DDB_FAULT_EMPTY_NUMBER_SET:
    case DDB_FAULT_DUPLICATES:
    case DDB_FAULT_NUMBER: break;
    }
    return false;
}

/* ---- types ------------------------------------------------------------ */

static const char *const type_names[] = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};

const char *ddb_type_name(enum ddb_type type)
{
    return (unsigned)type < sizeof(type_names) / sizeof(type_names[0]) ? type_names[type] : "?";
}

bool ddb_type_from_name(const char *name, size_t len, enum ddb_type *out)
{
    for (size_t t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++) {
        if (strlen(type_names[t]) == len && memcmp(type_names[t], name, len) == 0) {
            *out = (enum ddb_type)t;
            return true;
        }
    }
    return false;
}

enum ddb_type ddb_set_element_type(enum ddb_type set_type)
{
    return set_type == DDB_NS ? DDB_N : set_type == DDB_BS ? DDB_B : DDB_S;
}

enum ddb_type ddb_set_type_of(enum ddb_type element_type)
{
    return element_type == DDB_N ? DDB_NS : element_type == DDB_B ? DDB_BS : DDB_SS;
}

/* ---- constructors ----------------------------------------------------- */

static bool bytes_value(struct arena *a, enum ddb_type type, const void *data, size_t len,
                        struct ddb_value *out)
{
    char *copy = arena_memdup(a, data, len);
    if (!copy)
        return false;
    *out = (struct ddb_value){.type = type, .len = len, .u.bytes = copy};
    return true;
}

bool ddb_value_string(struct arena *a, const char *s, size_t len, struct ddb_value *out)
{
    return bytes_value(a, DDB_S, s, len, out);
}

bool ddb_value_binary(struct arena *a, const void *b, size_t len, struct ddb_value *out)
{
    return bytes_value(a, DDB_B, b, len, out);
}

bool ddb_value_number(struct arena *a, const struct ddb_number *n, struct ddb_value *out)
{
    char text[DDB_NUMBER_TEXT_MAX];
    size_t len = ddb_number_format(n, text);
    return bytes_value(a, DDB_N, text, len, out);
}

bool ddb_value_number_text(struct arena *a, const char *text, size_t len, struct ddb_value *out,
                           struct ddb_error *err)
{
    struct ddb_number n;
    enum ddb_number_status st = ddb_number_parse(text, len, &n);
    if (st != DDB_NUMBER_OK)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", ddb_number_status_message(st));
    if (!ddb_value_number(a, &n, out))
        return ddb_fail_nomem(err);
    return true;
}

bool ddb_value_get_number(const struct ddb_value *v, struct ddb_number *out)
{
    return v->type == DDB_N && ddb_number_parse(v->u.bytes, v->len, out) == DDB_NUMBER_OK;
}

/* ---- maps ------------------------------------------------------------- */

int ddb_name_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    if (c)
        return c;
    return (alen > blen) - (alen < blen);
}

static int attr_order(const void *x, const void *y)
{
    const struct ddb_attr *a = x, *b = y;
    return ddb_name_compare(a->name, a->name_len, b->name, b->name_len);
}

void ddb_map_build(struct ddb_attr *attrs, size_t n, struct ddb_value *out)
{
    if (n > 1)
        qsort(attrs, n, sizeof(*attrs), attr_order);
    /* names are unique by contract; should two be equal, keep one */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || attr_order(&attrs[kept - 1], &attrs[i]) != 0)
            attrs[kept++] = attrs[i];
    *out = (struct ddb_value){.type = DDB_M, .len = kept, .u.attrs = attrs};
}

/* Index of name in map, or of where it would go (*found false). */
static size_t map_find(const struct ddb_value *map, const char *name, size_t name_len, bool *found)
{
    size_t lo = 0, hi = map->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct ddb_attr *at = &map->u.attrs[mid];
        int c = ddb_name_compare(at->name, at->name_len, name, name_len);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

const struct ddb_value *ddb_map_get(const struct ddb_value *map, const char *name, size_t name_len)
{
    if (!map || map->type != DDB_M)
        return NULL;
    bool found;
    size_t i = map_find(map, name, name_len, &found);
    return found ? &map->u.attrs[i].value : NULL;
}

bool ddb_map_with(struct arena *a, const struct ddb_value *map, const char *name, size_t name_len,
                  const struct ddb_value *value, struct ddb_value *out)
{
    bool found;
    size_t at = map_find(map, name, name_len, &found);
    size_t n = map->len + (found ? 0 : 1);
    struct ddb_attr *attrs = arena_array(a, n, sizeof(*attrs));
    if (!attrs)
        return false;
    memcpy(attrs, map->u.attrs, at * sizeof(*attrs));
    attrs[at] = (struct ddb_attr){.name = found ? map->u.attrs[at].name : name, .name_len = name_len,
                                  .value = *value};
    size_t rest = map->len - at - (found ? 1 : 0);
    memcpy(attrs + at + 1, map->u.attrs + at + (found ? 1 : 0), rest * sizeof(*attrs));
    *out = (struct ddb_value){.type = DDB_M, .len = n, .u.attrs = attrs};
    return true;
}

bool ddb_map_without(struct arena *a, const struct ddb_value *map, const char *name, size_t name_len,
                     struct ddb_value *out)
{
    bool found;
    size_t at = map_find(map, name, name_len, &found);
    if (!found) {
        *out = *map;
        return true;
    }
    struct ddb_attr *attrs = arena_array(a, map->len - 1, sizeof(*attrs));
    if (!attrs)
        return false;
    memcpy(attrs, map->u.attrs, at * sizeof(*attrs));
    memcpy(attrs + at, map->u.attrs + at + 1, (map->len - at - 1) * sizeof(*attrs));
    *out = (struct ddb_value){.type = DDB_M, .len = map->len - 1, .u.attrs = attrs};
    return true;
}

/* ---- equality and order ----------------------------------------------- */

int ddb_value_compare(const struct ddb_value *a, const struct ddb_value *b)
{
    if (a->type == DDB_N && b->type == DDB_N) {
        struct ddb_number x, y;
        if (ddb_value_get_number(a, &x) && ddb_value_get_number(b, &y))
            return ddb_number_compare(&x, &y);
    }
    return ddb_name_compare(a->u.bytes, a->len, b->u.bytes, b->len);
}

static int element_order(const void *x, const void *y)
{
    const struct ddb_value *const *a = x, *const *b = y;
    return ddb_name_compare((*a)->u.bytes, (*a)->len, (*b)->u.bytes, (*b)->len);
}

static bool scalar_equal(const struct ddb_value *a, const struct ddb_value *b)
{
    return a->len == b->len && memcmp(a->u.bytes, b->u.bytes, a->len) == 0;
}

bool ddb_set_contains(const struct ddb_value *set, const struct ddb_value *v)
{
    for (size_t i = 0; i < set->len; i++)
        if (scalar_equal(&set->u.items[i], v))
            return true;
    return false;
}

/* Sets of equal size hold the same elements: sorted copies when they are
 * large (and memory allows), pairwise otherwise. */
static bool sets_equal(const struct ddb_value *a, const struct ddb_value *b)
{
    if (a->len != b->len)
        return false;
    size_t n = a->len;
    const struct ddb_value **sorted = n > 16 ? malloc(2 * n * sizeof(*sorted)) : NULL;
    if (!sorted) {
        for (size_t i = 0; i < n; i++)
            if (!ddb_set_contains(b, &a->u.items[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < n; i++) {
        sorted[i] = &a->u.items[i];
        sorted[n + i] = &b->u.items[i];
    }
    qsort(sorted, n, sizeof(*sorted), element_order);
    qsort(sorted + n, n, sizeof(*sorted), element_order);
    bool equal = true;
    for (size_t i = 0; i < n && equal; i++)
        equal = scalar_equal(sorted[i], sorted[n + i]);
    free(sorted);
    return equal;
}

bool ddb_value_equal(const struct ddb_value *a, const struct ddb_value *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case DDB_S:
    case DDB_N:
    case DDB_B: return scalar_equal(a, b);
    case DDB_BOOL: return a->boolean == b->boolean;
    case DDB_NULL: return true;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS: return sets_equal(a, b);
    case DDB_L:
        if (a->len != b->len)
            return false;
        for (size_t i = 0; i < a->len; i++)
            if (!ddb_value_equal(&a->u.items[i], &b->u.items[i]))
                return false;
        return true;
    case DDB_M:
        if (a->len != b->len)
            return false;
        for (size_t i = 0; i < a->len; i++) {
            const struct ddb_attr *x = &a->u.attrs[i], *y = &b->u.attrs[i];
            if (ddb_name_compare(x->name, x->name_len, y->name, y->name_len) != 0 ||
                !ddb_value_equal(&x->value, &y->value))
                return false;
        }
        return true;
    }
    return false;
}

/* ---- size and depth --------------------------------------------------- */

size_t ddb_value_size(const struct ddb_value *v)
{
    size_t size = 0;
    struct ddb_number n;
    switch (v->type) {
    case DDB_S:
    case DDB_B: return v->len;
    case DDB_N: return ddb_value_get_number(v, &n) ? ddb_number_size(&n) : v->len;
    case DDB_BOOL:
    case DDB_NULL: return 1;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        for (size_t i = 0; i < v->len; i++)
            size += ddb_value_size(&v->u.items[i]);
        return size;
    case DDB_L:
        size = 3;
        for (size_t i = 0; i < v->len; i++)
            size += 1 + ddb_value_size(&v->u.items[i]);
        return size;
    case DDB_M:
        size = 3;
        for (size_t i = 0; i < v->len; i++)
            size += 1 + v->u.attrs[i].name_len + ddb_value_size(&v->u.attrs[i].value);
        return size;
    }
    return size;
}

size_t ddb_item_size(const struct ddb_value *item)
{
    size_t size = 0;
    for (size_t i = 0; i < item->len; i++)
        size += item->u.attrs[i].name_len + ddb_value_size(&item->u.attrs[i].value);
    return size;
}

/* A value as stored: its size plus the storage overhead of its type. */
static size_t stored_size(const struct ddb_value *v)
{
    size_t size = 0;
    switch (v->type) {
    case DDB_S:
        size = v->len;
        return size + (size < 128 ? 1 : size < 16384 ? 2 : 3);
    case DDB_B:
    case DDB_N: return ddb_value_size(v) + 1;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS: return ddb_value_size(v) + v->len + 1;
    case DDB_NULL: return 0;
    case DDB_BOOL: return 1;
    case DDB_L:
        size = 3;
        for (size_t i = 0; i < v->len; i++)
            size += 1 + stored_size(&v->u.items[i]);
        return size;
    case DDB_M:
        size = 3 + v->len;
        for (size_t i = 0; i < v->len; i++)
            size += stored_size(&v->u.attrs[i].value) + 1;
        return size;
    }
    return size;
}

size_t ddb_item_page_size(const struct ddb_value *item, const char *range_key, size_t range_key_len)
{
    size_t size = 0, range_size = 0;
    for (size_t i = 0; i < item->len; i++) {
        const struct ddb_attr *a = &item->u.attrs[i];
        if (range_key && ddb_name_compare(a->name, a->name_len, range_key, range_key_len) == 0) {
            range_size = ddb_value_size(&a->value);
            continue;
        }
        size += stored_size(&a->value) + 1;
    }
    return 2 + size + (1 + (1 + size) / 3072) * (18 + range_size);
}

double ddb_capacity_units(size_t item_size, bool read, bool consistent)
{
    size_t block = read ? 4096 : 1024;
    size_t units = item_size ? (item_size + block - 1) / block : 1;
    return read && !consistent ? (double)units / 2 : (double)units;
}

int ddb_value_depth(const struct ddb_value *v)
{
    int deepest = 0;
    if (v->type == DDB_L) {
        for (size_t i = 0; i < v->len; i++) {
            int d = ddb_value_depth(&v->u.items[i]);
            if (d > deepest)
                deepest = d;
        }
    } else if (v->type == DDB_M) {
        for (size_t i = 0; i < v->len; i++) {
            int d = ddb_value_depth(&v->u.attrs[i].value);
            if (d > deepest)
                deepest = d;
        }
    }
    return 1 + deepest;
}
