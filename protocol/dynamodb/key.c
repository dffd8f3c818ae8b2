/* protocol/dynamodb key: sortable key bytes and AWS's key checks (see
 * key.h). */
#include "protocol/dynamodb/key.h"

#include <string.h>

#include "protocol/auth/checksum.h"

#define INVALID_PREFIX "One or more parameter values were invalid: "

size_t ddb_key_encoded_len(const struct ddb_value *v)
{
    if (v->type != DDB_N)
        return v->len;
    struct ddb_number n;
    uint8_t buf[DDB_NUMBER_KEY_MAX];
    return ddb_value_get_number(v, &n) ? ddb_number_key_encode(&n, buf) : 0;
}

void ddb_key_encode(const struct ddb_value *v, uint8_t *out)
{
    if (v->type != DDB_N) {
        memcpy(out, v->u.bytes, v->len);
        return;
    }
    struct ddb_number n;
    uint8_t buf[DDB_NUMBER_KEY_MAX];
    if (ddb_value_get_number(v, &n)) {
        size_t len = ddb_number_key_encode(&n, buf);
        memcpy(out, buf, len);
    }
}

bool ddb_key_decode(struct arena *a, enum ddb_type type, const uint8_t *key, size_t len,
                    struct ddb_value *out, struct ddb_error *err)
{
    bool ok;
    if (type == DDB_N) {
        struct ddb_number n;
        if (!ddb_number_key_decode(key, len, &n))
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "The stored key is not a number");
        ok = ddb_value_number(a, &n, out);
    } else if (type == DDB_S || type == DDB_B) {
        ok = type == DDB_S ? ddb_value_string(a, (const char *)key, len, out)
                           : ddb_value_binary(a, key, len, out);
    } else {
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "A key attribute must be of type S, N or B");
    }
    return ok || ddb_fail_nomem(err);
}

/* ---- scan order --------------------------------------------------------------- */

/* A number as AWS serializes it before hashing it: an exponent byte
 * (base-100 exponent biased by -64, complemented for negatives) and one
 * byte per pair of digits aligned on the decimal point (pair + 1, or
 * 101 - pair for negatives), negatives ended by 102 when short. Zero is
 * the single byte 0x80. Returns the length (at most 2 + 20 + 1). */
static size_t number_hash_bytes(const struct ddb_number *n, uint8_t out[24])
{
    if (ddb_number_is_zero(n)) {
        out[0] = 0x80;
        return 1;
    }
    int integer_digits = n->exponent + 1;
    int pad = integer_digits % 2 != 0;     /* a leading 0 aligns the pairs */
    int pairs = (n->ndigits + pad + 1) / 2;
    int exponent = (integer_digits + pad) / 2 - 64;
    out[0] = (uint8_t)(n->negative ? ~exponent : exponent);
    for (int p = 0; p < pairs; p++) {
        int hi_index = 2 * p - pad, lo_index = 2 * p + 1 - pad;
        int hi = hi_index >= 0 && hi_index < n->ndigits ? n->digits[hi_index] : 0;
        int lo = lo_index >= 0 && lo_index < n->ndigits ? n->digits[lo_index] : 0;
        int pair = hi * 10 + lo;
        out[1 + p] = (uint8_t)(n->negative ? 101 - pair : pair + 1);
    }
    size_t len = 1 + (size_t)pairs;
    if (n->negative && pairs < 20)
        out[len++] = 102;
    return len;
}

/* The bytes of a key value that go into the hash. */
static size_t hash_bytes(const struct ddb_value *v, uint8_t *out)
{
    if (v->type != DDB_N) {
        memcpy(out, v->u.bytes, v->len);
        return v->len;
    }
    struct ddb_number n;
    return ddb_value_get_number(v, &n) ? number_hash_bytes(&n, out) : 0;
}

uint32_t ddb_key_scan_hash(const struct ddb_value *hash, const struct ddb_value *range)
{
    static const char salt[] = "Outliers";
    uint8_t buf[sizeof(salt) - 1 + DDB_HASH_KEY_MAX + DDB_RANGE_KEY_MAX + 2 * 24];
    size_t len = sizeof(salt) - 1;
    memcpy(buf, salt, len);
    if (hash->len <= DDB_HASH_KEY_MAX)
        len += hash_bytes(hash, buf + len);
    if (range && range->len <= DDB_RANGE_KEY_MAX)
        len += hash_bytes(range, buf + len);
    unsigned char md5[16];
    checksum_md5(buf, len, md5);
    return (uint32_t)md5[0] << 16 | (uint32_t)md5[1] << 8 | md5[2];
}

void ddb_scan_segment_bounds(int64_t segment, int64_t total, uint32_t *low, uint32_t *high)
{
    int64_t start = (4096 * segment + total - 1) / total;
    int64_t end = (4096 * (segment + 1) + total - 1) / total;
    *low = (uint32_t)start << 12;
    *high = (uint32_t)end << 12;
}

bool ddb_key_prefix_end(const uint8_t *prefix, size_t len, uint8_t *out, size_t *out_len)
{
    while (len > 0 && prefix[len - 1] == 0xff)
        len--;
    if (len == 0)
        return false;
    memcpy(out, prefix, len);
    out[len - 1]++;
    *out_len = len;
    return true;
}

static bool empty_scalar(const struct ddb_value *v) { return (v->type == DDB_S || v->type == DDB_B) && v->len == 0; }

static bool check_size(const struct ddb_value *v, bool hash, struct ddb_error *err)
{
    if (v->type == DDB_N)
        return true;
    if (hash && v->len > DDB_HASH_KEY_MAX)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        INVALID_PREFIX "Size of hashkey has exceeded the maximum size limit of2048 bytes");
    if (!hash && v->len > DDB_RANGE_KEY_MAX)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        INVALID_PREFIX "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
    return true;
}

/* The key attribute of the schema, for each of hash and range in turn. */
struct key_part {
    const char *name;
    size_t name_len;
    enum ddb_type type;
    bool hash;
};

static size_t key_parts(const struct ddb_key_schema *s, struct key_part parts[2])
{
    parts[0] = (struct key_part){s->hash_name, s->hash_name_len, s->hash_type, true};
    if (!s->range_name)
        return 1;
    parts[1] = (struct key_part){s->range_name, s->range_name_len, s->range_type, false};
    return 2;
}

static bool fail_empty_key(struct ddb_error *err, const char *lead, const struct key_part *p)
{
    return ddb_fail(err, DDB_ERR_VALIDATION,
                    "%sThe AttributeValue for a key attribute cannot contain an empty %s value. Key: %.*s", lead,
                    p->type == DDB_S ? "string" : "binary", (int)p->name_len, p->name);
}

bool ddb_key_check_part(const struct ddb_key_schema *schema, bool hash, const struct ddb_value *key,
                        struct ddb_error *err)
{
    struct key_part parts[2];
    size_t n = key_parts(schema, parts);
    const struct key_part *p = &parts[hash ? 0 : n - 1];
    const struct ddb_value *v = ddb_map_get(key, p->name, p->name_len);
    if (!v || v->type != p->type)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "The provided key element does not match the schema");
    if (empty_scalar(v))
        return fail_empty_key(err, INVALID_PREFIX, p);
    return check_size(v, p->hash, err);
}

bool ddb_key_check(const struct ddb_key_schema *schema, const struct ddb_value *key, struct ddb_error *err)
{
    struct key_part parts[2];
    size_t n = key_parts(schema, parts);
    if (key->type != DDB_M || key->len != n)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "The provided key element does not match the schema");
    for (size_t i = 0; i < n; i++)
        if (!ddb_key_check_part(schema, i == 0, key, err))
            return false;
    return true;
}

bool ddb_item_check_key(const struct ddb_key_schema *schema, const struct ddb_value *item,
                        struct ddb_error *err)
{
    struct key_part parts[2];
    size_t n = key_parts(schema, parts);
    for (size_t i = 0; i < n; i++) {
        const struct ddb_value *v = ddb_map_get(item, parts[i].name, parts[i].name_len);
        if (!v)
            return ddb_fail(err, DDB_ERR_VALIDATION, INVALID_PREFIX "Missing the key %.*s in the item",
                            (int)parts[i].name_len, parts[i].name);
        if (v->type != parts[i].type)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Type mismatch for key %.*s expected: %s actual: %s",
                            (int)parts[i].name_len, parts[i].name, ddb_type_name(parts[i].type),
                            ddb_type_name(v->type));
        if (empty_scalar(v))
            return fail_empty_key(err, "One or more parameter values are not valid. ", &parts[i]);
        if (!check_size(v, parts[i].hash, err))
            return false;
    }
    return true;
}

bool ddb_item_check_index_key(const struct ddb_key_schema *index, const char *index_name,
                              const struct ddb_value *item, struct ddb_error *err)
{
    struct key_part parts[2];
    size_t n = key_parts(index, parts);
    for (size_t i = 0; i < n; i++) {
        const struct ddb_value *v = ddb_map_get(item, parts[i].name, parts[i].name_len);
        if (!v)
            continue;
        if (v->type != parts[i].type)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            INVALID_PREFIX "Type mismatch for Index Key %.*s Expected: %s Actual: %s IndexName: %s",
                            (int)parts[i].name_len, parts[i].name, ddb_type_name(parts[i].type),
                            ddb_type_name(v->type), index_name);
        if (empty_scalar(v))
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "One or more parameter values are not valid. A value specified for a secondary index key "
                            "is not supported. The AttributeValue for a key attribute cannot contain an empty %s "
                            "value. IndexName: %s, IndexKey: %.*s",
                            parts[i].type == DDB_S ? "string" : "binary", index_name, (int)parts[i].name_len,
                            parts[i].name);
    }
    return true;
}

bool ddb_item_key(struct arena *a, const struct ddb_key_schema *schema, const struct ddb_value *item,
                  struct ddb_value *out)
{
    struct key_part parts[2];
    size_t n = key_parts(schema, parts);
    struct ddb_attr *attrs = arena_array(a, n, sizeof(*attrs));
    if (!attrs)
        return false;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ddb_value *v = ddb_map_get(item, parts[i].name, parts[i].name_len);
        if (v)
            attrs[kept++] = (struct ddb_attr){parts[i].name, parts[i].name_len, *v};
    }
    ddb_map_build(attrs, kept, out);
    return true;
}
