/* protocol/dynamodb table: table definitions — CreateTable's and
 * UpdateTable's rules, transitions, the stored form and DescribeTable's
 * TableDescription (see table.h).
 *
 * The checks follow AWS's order: the billing mode and throughput, then
 * the key schema against the attribute definitions, then the local and
 * the global secondary indexes one by one, then the settings (stream,
 * encryption, tags). Every message is AWS's. */
#include "protocol/dynamodb/table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/dates.h"
#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/value_json.h"

#define INVALID "One or more parameter values were invalid: "

static bool invalid(struct ddb_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool invalid(struct ddb_error *err, const char *fmt, ...)
{
    char msg[DDB_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return ddb_fail(err, DDB_ERR_VALIDATION, "%s", msg);
}

/* ---- small helpers ------------------------------------------------------------- */

static const struct json_value *member(const struct json_value *obj, const char *key)
{
    const struct json_value *v = json_get(obj, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

static bool name_equal(const struct ddb_name *a, const char *s, size_t len)
{
    return a->s && a->len == len && memcmp(a->s, s, len) == 0;
}

static bool copy_name(struct arena *a, const char *s, size_t len, struct ddb_name *out)
{
    char *copy = arena_memdup(a, s, len);
    if (!copy)
        return false;
    *out = (struct ddb_name){copy, len};
    return true;
}

static bool json_name(struct arena *a, const struct json_value *v, struct ddb_name *out)
{
    return copy_name(a, v->u.str, v->len, out);
}

static const char *copy_string(struct arena *a, const char *s)
{
    return s ? arena_memdup(a, s, strlen(s)) : NULL;
}

static int64_t int_member(const struct json_value *obj, const char *key)
{
    int64_t v = 0;
    const struct json_value *m = member(obj, key);
    if (m && !json_number_int64(m, &v)) {
        double d;
        v = json_number_double(m, &d) ? (d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d) : 0;
    }
    return v;
}

static bool bool_member(const struct json_value *obj, const char *key, bool dflt)
{
    const struct json_value *m = member(obj, key);
    bool b = dflt;
    if (m)
        ddb_json_boolean(m, &b, NULL);
    return b;
}

static bool str_is(const struct json_value *v, const char *s)
{
    return v && v->type == JSON_STRING && strlen(s) == v->len && memcmp(v->u.str, s, v->len) == 0;
}

static void list_names(struct strbuf *sb, const struct json_value *list, const char *member_name)
{
    strbuf_putc(sb, '[');
    for (size_t i = 0; list && i < list->len; i++) {
        const struct json_value *n = member(&list->u.items[i], member_name);
        if (i)
            strbuf_puts(sb, ", ");
        if (n)
            strbuf_append(sb, n->u.str, n->len);
        else
            strbuf_puts(sb, "null");
    }
    strbuf_putc(sb, ']');
}

/* "<prefix> Keys: [a, b], AttributeDefinitions: [c, d]" */
static bool undefined_keys(struct ddb_error *err, const struct json_value *keys, const struct json_value *defs)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: ");
    list_names(&sb, keys, "AttributeName");
    strbuf_puts(&sb, ", AttributeDefinitions: ");
    list_names(&sb, defs, "AttributeName");
    bool ok = strbuf_failed(&sb) ? ddb_fail_nomem(err) : invalid(err, "%s", sb.data);
    strbuf_free(&sb);
    return ok;
}

static const struct json_value *find_definition(const struct json_value *defs, const struct json_value *name)
{
    for (size_t i = 0; defs && name && i < defs->len; i++) {
        const struct json_value *n = member(&defs->u.items[i], "AttributeName");
        if (n && n->len == name->len && memcmp(n->u.str, name->u.str, n->len) == 0)
            return &defs->u.items[i];
    }
    return NULL;
}

static bool keys_defined(const struct json_value *keys, const struct json_value *defs)
{
    for (size_t i = 0; i < keys->len; i++)
        if (!find_definition(defs, member(&keys->u.items[i], "AttributeName")))
            return false;
    return true;
}

static bool same_json_string(const struct json_value *a, const struct json_value *b)
{
    return a && b && a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
}

static enum ddb_type type_of_definition(const struct json_value *def)
{
    const struct json_value *t = member(def, "AttributeType");
    return str_is(t, "N") ? DDB_N : str_is(t, "B") ? DDB_B : DDB_S;
}

/* A key schema (checked) into a struct ddb_key_schema, names copied. */
static bool key_schema_from(struct arena *a, const struct json_value *keys, const struct json_value *defs,
                            struct ddb_key_schema *out)
{
    memset(out, 0, sizeof(*out));
    const struct json_value *hash = member(&keys->u.items[0], "AttributeName");
    char *h = arena_memdup(a, hash->u.str, hash->len);
    if (!h)
        return false;
    out->hash_name = h;
    out->hash_name_len = hash->len;
    out->hash_type = type_of_definition(find_definition(defs, hash));
    if (keys->len > 1) {
        const struct json_value *range = member(&keys->u.items[1], "AttributeName");
        char *r = arena_memdup(a, range->u.str, range->len);
        if (!r)
            return false;
        out->range_name = r;
        out->range_name_len = range->len;
        out->range_type = type_of_definition(find_definition(defs, range));
    }
    return true;
}

/* The checks every index's key schema gets, in AWS's order. */
static bool check_index_keys(const struct json_value *keys, const struct json_value *defs, struct ddb_error *err)
{
    if (!keys_defined(keys, defs))
        return undefined_keys(err, keys, defs);
    if (keys->len > 1 && same_json_string(member(&keys->u.items[0], "AttributeName"),
                                          member(&keys->u.items[1], "AttributeName")))
        return invalid(err, "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (!str_is(member(&keys->u.items[0], "KeyType"), "HASH"))
        return invalid(err, "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (keys->len > 1 && !str_is(member(&keys->u.items[1], "KeyType"), "RANGE"))
        return invalid(err, "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    return true;
}

static bool check_projection(const struct json_value *projection, struct ddb_error *err)
{
    const struct json_value *type = member(projection, "ProjectionType");
    const struct json_value *non_key = member(projection, "NonKeyAttributes");
    if (!type)
        return invalid(err, INVALID "Unknown ProjectionType: null");
    if (non_key && !str_is(type, "INCLUDE"))
        return invalid(err, INVALID "ProjectionType is %.*s, but NonKeyAttributes is specified", (int)type->len,
                       type->u.str);
    if (!non_key && str_is(type, "INCLUDE"))
        return invalid(err, INVALID "ProjectionType is INCLUDE, but NonKeyAttributes is not specified");
    for (size_t i = 0; non_key && i < non_key->len; i++)
        for (size_t j = 0; j < i; j++)
            if (same_json_string(&non_key->u.items[i], &non_key->u.items[j]))
                return invalid(err, INVALID "Duplicate element in NonKeyAttributes: %.*s", (int)non_key->u.items[i].len,
                               non_key->u.items[i].u.str);
    return true;
}

static bool projection_from(struct arena *a, const struct json_value *projection, struct ddb_index *ix)
{
    const struct json_value *type = member(projection, "ProjectionType");
    ix->projection = str_is(type, "KEYS_ONLY") ? DDB_PROJECT_KEYS_ONLY
                     : str_is(type, "INCLUDE") ? DDB_PROJECT_INCLUDE
                                               : DDB_PROJECT_ALL;
    const struct json_value *non_key = member(projection, "NonKeyAttributes");
    if (!non_key)
        return true;
    ix->non_key = arena_array(a, non_key->len ? non_key->len : 1, sizeof(*ix->non_key));
    if (!ix->non_key)
        return false;
    for (size_t i = 0; i < non_key->len; i++)
        if (!json_name(a, &non_key->u.items[i], &ix->non_key[ix->n_non_key++]))
            return false;
    return true;
}

static void throughput_from(const struct json_value *pt, struct ddb_throughput *out)
{
    memset(out, 0, sizeof(*out));
    if (pt) {
        out->read = int_member(pt, "ReadCapacityUnits");
        out->write = int_member(pt, "WriteCapacityUnits");
    }
}

static bool check_tags(const struct json_value *tags, size_t existing, struct ddb_error *err)
{
    for (size_t i = 0; tags && i < tags->len; i++) {
        const struct json_value *key = member(&tags->u.items[i], "Key");
        const struct json_value *value = member(&tags->u.items[i], "Value");
        if (!key || key->len == 0 || ddb_utf16_length(key->u.str, key->len) > 128)
            return invalid(err, "The Tag Key provided is invalid, Key: %.*s", key ? (int)key->len : 4,
                           key ? key->u.str : "null");
        if (!value || ddb_utf16_length(value->u.str, value->len) > 256)
            return invalid(err, "The Tag Value provided is invalid, Value: %.*s", value ? (int)value->len : 4,
                           value ? value->u.str : "null");
        if (key->len >= 4 && memcmp(key->u.str, "aws:", 4) == 0)
            return invalid(err, "Tag Key cannot be prefixed with aws:, Key: %.*s", (int)key->len, key->u.str);
        for (size_t j = 0; j < i; j++)
            if (same_json_string(key, member(&tags->u.items[j], "Key")))
                return invalid(err, "Duplicate Tag Keys provided as input: Duplicate Tag Key found %.*s",
                               (int)key->len, key->u.str);
    }
    if ((tags ? tags->len : 0) + existing > DDB_MAX_TAGS)
        return invalid(err, "Number of Tags exceed the current limit for the provided ResourceArn");
    return true;
}

static bool tags_from(struct arena *a, const struct json_value *tags, struct ddb_table *t)
{
    if (!tags || tags->len == 0)
        return true;
    t->tags = arena_array(a, tags->len, sizeof(*t->tags));
    if (!t->tags)
        return false;
    for (size_t i = 0; i < tags->len; i++) {
        const struct json_value *key = member(&tags->u.items[i], "Key");
        const struct json_value *value = member(&tags->u.items[i], "Value");
        if (!json_name(a, key, &t->tags[i].key) || !json_name(a, value, &t->tags[i].value))
            return false;
    }
    t->n_tags = tags->len;
    return true;
}

static void stream_label(int64_t now_ms, char out[32])
{
    char iso[32];
    date_iso8601(now_ms, iso);      /* "2024-01-02T03:04:05.678Z" */
    size_t n = strlen(iso);
    if (n && iso[n - 1] == 'Z')
        iso[n - 1] = '\0';
    snprintf(out, 32, "%s", iso);
}

static bool check_sse(const struct json_value *sse, struct ddb_error *err)
{
    if (!sse)
        return true;
    bool enabled = bool_member(sse, "Enabled", false);
    const struct json_value *type = member(sse, "SSEType");
    const struct json_value *key = member(sse, "KMSMasterKeyId");
    if (!enabled && type)
        return invalid(err, INVALID "SSEType can not be specified if Enabled is false");
    if (!enabled && key)
        return invalid(err, INVALID "KMSMasterKeyId can not be specified if Enabled is false");
    if (str_is(type, "AES256"))
        return invalid(err, INVALID "SSEType AES256 is not supported");
    if (key && !str_is(type, "KMS"))
        return invalid(err, INVALID "SSEType KMS is required if KMSMasterKeyId is specified");
    return true;
}

static bool sse_from(struct arena *a, const struct json_value *sse, struct ddb_table *t)
{
    t->sse_enabled = sse && bool_member(sse, "Enabled", false);
    t->sse_kms_key = NULL;
    if (t->sse_enabled && member(sse, "KMSMasterKeyId") && !(t->sse_kms_key = copy_string(a, json_str(sse, "KMSMasterKeyId"))))
        return false;
    return true;
}

static bool on_demand_from(const struct json_value *od, int64_t *max_read, int64_t *max_write, const char *what,
                           struct ddb_error *err)
{
    if (!od)
        return true;
    int64_t r = int_member(od, "MaxReadRequestUnits"), w = int_member(od, "MaxWriteRequestUnits");
    if (member(od, "MaxReadRequestUnits") && r < 1 && r != -1)
        return invalid(err, INVALID "Requested MaxReadRequestUnits for OnDemandThroughput for %s is outside of valid range",
                       what);
    if (member(od, "MaxWriteRequestUnits") && w < 1 && w != -1)
        return invalid(err, INVALID "Requested MaxWriteRequestUnits for OnDemandThroughput for %s is outside of valid range",
                       what);
    if (member(od, "MaxReadRequestUnits"))
        *max_read = r == -1 ? 0 : r;
    if (member(od, "MaxWriteRequestUnits"))
        *max_write = w == -1 ? 0 : w;
    return true;
}

/* ---- CreateTable -------------------------------------------------------------- */

static bool check_billing(const struct json_value *req, bool on_demand, struct ddb_error *err)
{
    const struct json_value *pt = member(req, "ProvisionedThroughput");
    if (on_demand) {
        if (pt)
            return invalid(err, INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                        "BillingMode is PAY_PER_REQUEST");
        return true;
    }
    if (!pt || !member(pt, "ReadCapacityUnits") || !member(pt, "WriteCapacityUnits"))
        return invalid(err, INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                                    "is PROVISIONED");
    int64_t read = int_member(pt, "ReadCapacityUnits"), write = int_member(pt, "WriteCapacityUnits");
    if (read > DDB_MAX_CAPACITY_UNITS)
        return invalid(err, "Given value %lld for ReadCapacityUnits is out of bounds", (long long)read);
    if (write > DDB_MAX_CAPACITY_UNITS)
        return invalid(err, "Given value %lld for WriteCapacityUnits is out of bounds", (long long)write);
    return true;
}

static bool check_table_keys(const struct json_value *req, const struct json_value *keys,
                             const struct json_value *defs, struct ddb_error *err)
{
    for (size_t i = 0; i < defs->len; i++)
        for (size_t j = 0; j < i; j++)
            if (same_json_string(member(&defs->u.items[i], "AttributeName"), member(&defs->u.items[j], "AttributeName"))) {
                const struct json_value *n = member(&defs->u.items[i], "AttributeName");
                return invalid(err, "Attribute Name is duplicated: %.*s", (int)n->len, n->u.str);
            }
    if (keys->len > defs->len)
        return invalid(err, "Invalid KeySchema: Some index key attribute have no definition");
    if (!check_index_keys(keys, defs, err))
        return false;
    if (!member(req, "LocalSecondaryIndexes") && !member(req, "GlobalSecondaryIndexes") && keys->len != defs->len)
        return invalid(err, INVALID "Number of attributes in KeySchema does not exactly match number of attributes "
                                    "defined in AttributeDefinitions");
    return true;
}

static bool add_index(struct arena *a, struct ddb_table *t, const struct json_value *spec, bool global,
                      const struct json_value *defs, int64_t now_ms)
{
    struct ddb_index *ix = &t->indexes[t->n_indexes++];
    memset(ix, 0, sizeof(*ix));
    ix->global = global;
    ix->number = t->next_index_number++;
    ix->status = global ? DDB_STATUS_CREATING : DDB_STATUS_ACTIVE;
    (void)now_ms;
    const struct json_value *name = member(spec, "IndexName");
    if (!json_name(a, name, &ix->name) || !key_schema_from(a, member(spec, "KeySchema"), defs, &ix->keys) ||
        !projection_from(a, member(spec, "Projection"), ix))
        return false;
    throughput_from(member(spec, "ProvisionedThroughput"), &ix->throughput);
    return true;
}

static bool check_local_indexes(const struct json_value *req, const struct json_value *keys,
                                const struct json_value *defs, struct ddb_error *err)
{
    const struct json_value *lsis = member(req, "LocalSecondaryIndexes");
    if (!lsis)
        return true;
    if (lsis->len == 0)
        return invalid(err, INVALID "List of LocalSecondaryIndexes is empty");
    if (keys->len != 2)
        return invalid(err, INVALID "Table KeySchema does not have a range key, which is required when specifying a "
                                    "LocalSecondaryIndex");
    const struct json_value *table_hash = member(&keys->u.items[0], "AttributeName");
    for (size_t i = 0; i < lsis->len; i++) {
        const struct json_value *lsi = &lsis->u.items[i];
        const struct json_value *name = member(lsi, "IndexName");
        const struct json_value *ikeys = member(lsi, "KeySchema");
        if (!check_index_keys(ikeys, defs, err))
            return false;
        if (ikeys->len != 2)
            return invalid(err, INVALID "Index KeySchema does not have a range key for index: %.*s", (int)name->len,
                           name->u.str);
        const struct json_value *hash = member(&ikeys->u.items[0], "AttributeName");
        if (!same_json_string(hash, table_hash))
            return invalid(err, INVALID "Index KeySchema does not have the same leading hash key as table KeySchema for "
                                        "index: %.*s. index hash key: %.*s, table hash key: %.*s",
                           (int)name->len, name->u.str, (int)hash->len, hash->u.str, (int)table_hash->len,
                           table_hash->u.str);
        if (!check_projection(member(lsi, "Projection"), err))
            return false;
        for (size_t j = 0; j < i; j++)
            if (same_json_string(name, member(&lsis->u.items[j], "IndexName")))
                return invalid(err, INVALID "Duplicate index name: %.*s", (int)name->len, name->u.str);
    }
    if (lsis->len > DDB_MAX_LOCAL_INDEXES)
        return invalid(err, INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of %d",
                       DDB_MAX_LOCAL_INDEXES);
    return true;
}

static bool check_global_indexes(const struct json_value *req, const struct json_value *defs, bool on_demand,
                                 struct ddb_error *err)
{
    const struct json_value *gsis = member(req, "GlobalSecondaryIndexes");
    const struct json_value *lsis = member(req, "LocalSecondaryIndexes");
    if (!gsis)
        return true;
    if (gsis->len == 0)
        return invalid(err, INVALID "List of GlobalSecondaryIndexes is empty");
    for (size_t i = 0; i < gsis->len; i++) {
        const struct json_value *gsi = &gsis->u.items[i];
        const struct json_value *name = member(gsi, "IndexName");
        if (!check_index_keys(member(gsi, "KeySchema"), defs, err) || !check_projection(member(gsi, "Projection"), err))
            return false;
        if (on_demand && member(gsi, "ProvisionedThroughput"))
            return invalid(err, INVALID "ProvisionedThroughput should not be specified for index: %.*s when "
                                        "BillingMode is PAY_PER_REQUEST",
                           (int)name->len, name->u.str);
        if (!on_demand && !member(gsi, "ProvisionedThroughput"))
            return invalid(err, INVALID "ProvisionedThroughput is not specified for index: %.*s", (int)name->len,
                           name->u.str);
        for (size_t j = 0; lsis && j < lsis->len; j++)
            if (same_json_string(name, member(&lsis->u.items[j], "IndexName")))
                return invalid(err, INVALID "Duplicate index name: %.*s", (int)name->len, name->u.str);
        for (size_t j = 0; j < i; j++)
            if (same_json_string(name, member(&gsis->u.items[j], "IndexName")))
                return invalid(err, INVALID "Duplicate index name: %.*s", (int)name->len, name->u.str);
    }
    if (gsis->len > DDB_MAX_GLOBAL_INDEXES)
        return invalid(err, INVALID "GlobalSecondaryIndex count exceeds the per-table limit of %d",
                       DDB_MAX_GLOBAL_INDEXES);
    return true;
}

/* Every attribute definition must be some key's (AWS checks it once there
 * are indexes; without, the counts were compared already). */
static bool check_definitions_used(const struct json_value *req, const struct json_value *keys,
                                   const struct json_value *defs, struct ddb_error *err)
{
    const struct json_value *lists[3] = {keys, NULL, NULL};
    const struct json_value *lsis = member(req, "LocalSecondaryIndexes"), *gsis = member(req, "GlobalSecondaryIndexes");
    struct strbuf used;
    strbuf_init(&used);
    bool all_used = true;
    size_t n_used = 0;
    const struct json_value *seen[64];
    for (int kind = 0; kind < 3; kind++) {
        const struct json_value *indexes = kind == 1 ? lsis : kind == 2 ? gsis : NULL;
        size_t n = kind == 0 ? 1 : indexes ? indexes->len : 0;
        for (size_t i = 0; i < n; i++) {
            const struct json_value *ks = kind == 0 ? lists[0] : member(&indexes->u.items[i], "KeySchema");
            for (size_t k = 0; ks && k < ks->len; k++) {
                const struct json_value *nm = member(&ks->u.items[k], "AttributeName");
                bool dup = false;
                for (size_t s = 0; s < n_used && !dup; s++)
                    dup = same_json_string(seen[s], nm);
                if (!dup && n_used < 64) {
                    seen[n_used++] = nm;
                    strbuf_puts(&used, n_used > 1 ? ", " : "");
                    strbuf_append(&used, nm->u.str, nm->len);
                }
            }
        }
    }
    for (size_t i = 0; i < defs->len; i++) {
        const struct json_value *n = member(&defs->u.items[i], "AttributeName");
        bool found = false;
        for (size_t s = 0; s < n_used && !found; s++)
            found = same_json_string(seen[s], n);
        all_used &= found;
    }
    bool ok = true;
    if (!all_used) {
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_puts(&sb, INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: ");
        list_names(&sb, defs, "AttributeName");
        strbuf_puts(&sb, ", keys used: [");
        strbuf_append(&sb, used.data ? used.data : "", used.len);
        strbuf_putc(&sb, ']');
        ok = strbuf_failed(&sb) ? ddb_fail_nomem(err) : invalid(err, "%s", sb.data);
        strbuf_free(&sb);
    }
    strbuf_free(&used);
    return ok;
}

static bool check_stream(const struct json_value *spec, bool creating, struct ddb_error *err)
{
    if (!spec)
        return true;
    bool enabled = bool_member(spec, "StreamEnabled", false);
    bool typed = member(spec, "StreamViewType") != NULL;
    if (enabled && !typed)
        return invalid(err, creating ? INVALID "Table is being created with a stream enabled, UpdateViewType is required"
                                     : INVALID "If stream is being enabled then UpdateViewType is required");
    if (!enabled && typed)
        return invalid(err, creating ? INVALID "Table is being created with a stream disabled, UpdateViewType should "
                                               "not be specified"
                                     : INVALID "If stream is being disabled, then UpdateViewType must not be specified");
    return true;
}

bool ddb_table_from_create(struct arena *a, const struct json_value *req, const char *table_id, int64_t now_ms,
                           int64_t settle_ms, struct ddb_table *out, struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    const struct json_value *defs = member(req, "AttributeDefinitions");
    const struct json_value *keys = member(req, "KeySchema");
    bool on_demand = str_is(member(req, "BillingMode"), "PAY_PER_REQUEST");
    if (!check_billing(req, on_demand, err) || !check_table_keys(req, keys, defs, err) ||
        !check_local_indexes(req, keys, defs, err) || !check_global_indexes(req, defs, on_demand, err))
        return false;
    if ((member(req, "LocalSecondaryIndexes") || member(req, "GlobalSecondaryIndexes")) &&
        !check_definitions_used(req, keys, defs, err))
        return false;
    const struct json_value *stream = member(req, "StreamSpecification");
    if (!check_stream(stream, true, err) || !check_sse(member(req, "SSESpecification"), err) ||
        !check_tags(member(req, "Tags"), 0, err) ||
        !on_demand_from(member(req, "OnDemandThroughput"), &out->max_read_units, &out->max_write_units, "table", err))
        return false;
    if (member(req, "OnDemandThroughput") && !on_demand && (out->max_read_units || out->max_write_units))
        return invalid(err, INVALID "MaxReadRequestUnits for OnDemandThroughput cannot be specified when the table "
                                    "BillingMode is PROVISIONED");

    const struct json_value *name = member(req, "TableName");
    if (!json_name(a, name, &out->name))
        return ddb_fail_nomem(err);
    snprintf(out->table_id, sizeof(out->table_id), "%s", table_id);
    out->created_ms = now_ms;
    out->attributes = arena_array(a, defs->len ? defs->len : 1, sizeof(*out->attributes));
    if (!out->attributes)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < defs->len; i++) {
        struct ddb_attribute_definition *d = &out->attributes[out->n_attributes++];
        if (!json_name(a, member(&defs->u.items[i], "AttributeName"), &d->name))
            return ddb_fail_nomem(err);
        d->type = type_of_definition(&defs->u.items[i]);
    }
    if (!key_schema_from(a, keys, defs, &out->keys))
        return ddb_fail_nomem(err);
    const struct json_value *lsis = member(req, "LocalSecondaryIndexes"), *gsis = member(req, "GlobalSecondaryIndexes");
    size_t n = (lsis ? lsis->len : 0) + (gsis ? gsis->len : 0);
    out->next_index_number = 1;
    if (n && !(out->indexes = arena_array(a, n, sizeof(*out->indexes))))
        return ddb_fail_nomem(err);
    for (size_t i = 0; lsis && i < lsis->len; i++)
        if (!add_index(a, out, &lsis->u.items[i], false, defs, now_ms))
            return ddb_fail_nomem(err);
    for (size_t i = 0; gsis && i < gsis->len; i++) {
        if (!add_index(a, out, &gsis->u.items[i], true, defs, now_ms))
            return ddb_fail_nomem(err);
        struct ddb_index *ix = &out->indexes[out->n_indexes - 1];
        if (!on_demand_from(member(&gsis->u.items[i], "OnDemandThroughput"), &ix->max_read_units, &ix->max_write_units,
                            "index", err))
            return false;
    }
    out->on_demand = on_demand;
    if (!on_demand)
        throughput_from(member(req, "ProvisionedThroughput"), &out->throughput);
    out->status = DDB_STATUS_CREATING;
    out->settle_ms = settle_ms;
    if (stream && bool_member(stream, "StreamEnabled", false)) {
        out->stream_enabled = true;
        out->stream_view_type = copy_string(a, json_str(stream, "StreamViewType"));
        stream_label(now_ms, out->stream_label);
    }
    if (!sse_from(a, member(req, "SSESpecification"), out))
        return ddb_fail_nomem(err);
    if (member(req, "TableClass") && !(out->table_class = copy_string(a, json_str(req, "TableClass"))))
        return ddb_fail_nomem(err);
    out->deletion_protection = bool_member(req, "DeletionProtectionEnabled", false);
    if (!tags_from(a, member(req, "Tags"), out))
        return ddb_fail_nomem(err);
    return true;
}

/* ---- UpdateTable -------------------------------------------------------------- */

bool ddb_table_copy(struct arena *a, const struct ddb_table *in, struct ddb_table *out)
{
    *out = *in;
    size_t n = in->n_indexes + 1;
    out->indexes = arena_array(a, n, sizeof(*out->indexes));
    out->tags = arena_array(a, in->n_tags + 1, sizeof(*out->tags));
    if (!out->indexes || !out->tags)
        return false;
    if (in->n_indexes)
        memcpy(out->indexes, in->indexes, in->n_indexes * sizeof(*out->indexes));
    if (in->n_tags)
        memcpy(out->tags, in->tags, in->n_tags * sizeof(*out->tags));
    return true;
}

static struct ddb_index *find_index(struct ddb_table *t, const struct json_value *name)
{
    for (size_t i = 0; name && i < t->n_indexes; i++)
        if (name_equal(&t->indexes[i].name, name->u.str, name->len))
            return &t->indexes[i];
    return NULL;
}

/* A throughput change: pending until it settles; increases and decreases
 * are stamped now, as AWS stamps them on the request. */
static void request_throughput(struct ddb_throughput *tp, int64_t read, int64_t write, int64_t now_ms)
{
    if (read > tp->read || write > tp->write)
        tp->last_increase_ms = now_ms;
    else if (read < tp->read || write < tp->write)
        tp->last_decrease_ms = now_ms;
    tp->pending_read = read;
    tp->pending_write = write;
}

static void settle_throughput(struct ddb_throughput *tp, int64_t now_ms)
{
    if (!tp->pending_read && !tp->pending_write)
        return;
    if (tp->pending_read > tp->read || tp->pending_write > tp->write) {
        tp->last_increase_ms = now_ms;
    } else if (tp->pending_read < tp->read || tp->pending_write < tp->write) {
        tp->last_decrease_ms = now_ms;
        tp->decreases_today++;
    }
    tp->read = tp->pending_read;
    tp->write = tp->pending_write;
    tp->pending_read = tp->pending_write = 0;
}

bool ddb_table_check_update(const struct json_value *req, struct ddb_error *err)
{
    const struct json_value *updates = member(req, "GlobalSecondaryIndexUpdates");
    static const char *const actions[] = {"ProvisionedThroughput", "BillingMode", "StreamSpecification",
                                          "SSESpecification", "ReplicaUpdates", "DeletionProtectionEnabled",
                                          "OnDemandThroughput", "WarmThroughput", "TableClass"};
    bool any = updates && updates->len;
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]) && !any; i++)
        any = member(req, actions[i]) != NULL;
    if (!any)
        return invalid(err, "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required");
    const struct json_value *pt = member(req, "ProvisionedThroughput");
    if (str_is(member(req, "BillingMode"), "PROVISIONED") && !pt)
        return invalid(err, INVALID "ProvisionedThroughput must be specified when BillingMode is PROVISIONED");
    if (pt && int_member(pt, "ReadCapacityUnits") > DDB_MAX_CAPACITY_UNITS)
        return invalid(err, "Given value %lld for ReadCapacityUnits is out of bounds",
                       (long long)int_member(pt, "ReadCapacityUnits"));
    if (pt && int_member(pt, "WriteCapacityUnits") > DDB_MAX_CAPACITY_UNITS)
        return invalid(err, "Given value %lld for WriteCapacityUnits is out of bounds",
                       (long long)int_member(pt, "WriteCapacityUnits"));
    for (size_t i = 0; updates && i < updates->len; i++) {
        const struct json_value *u = &updates->u.items[i];
        int n = (member(u, "Update") != NULL) + (member(u, "Create") != NULL) + (member(u, "Delete") != NULL);
        if (n == 0)
            return invalid(err, INVALID "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                                        "GlobalSecondaryIndexUpdate.Delete must not be null");
        if (n > 1)
            return invalid(err, INVALID "Only one global secondary index action is allowed per "
                                        "GlobalSecondaryIndexUpdate object");
        const struct json_value *action = member(u, "Update") ? member(u, "Update")
                                          : member(u, "Create") ? member(u, "Create")
                                                                : member(u, "Delete");
        const struct json_value *name = member(action, "IndexName");
        for (size_t j = 0; j < i; j++) {
            const struct json_value *o = &updates->u.items[j];
            const struct json_value *oa = member(o, "Update") ? member(o, "Update")
                                          : member(o, "Create") ? member(o, "Create")
                                                                : member(o, "Delete");
            if (same_json_string(name, member(oa, "IndexName")))
                return invalid(err, INVALID "Only one global secondary index update per index is allowed "
                                            "simultaneously. Index: %.*s",
                               (int)name->len, name->u.str);
        }
    }
    return true;
}

/* The attribute definitions an index created by UpdateTable may use: the
 * table's and the request's. */
static bool definitions_for_create(struct arena *a, const struct ddb_table *t, const struct json_value *req,
                                   struct json_value **out)
{
    const struct json_value *given = member(req, "AttributeDefinitions");
    size_t n = t->n_attributes + (given ? given->len : 0);
    struct json_value *list = arena_array(a, n + 1, sizeof(*list));
    struct json_member *members = arena_array(a, 2 * (n + 1), sizeof(*members));
    if (!list || !members)
        return false;
    size_t k = 0;
    for (size_t i = 0; given && i < given->len; i++)
        list[k++] = given->u.items[i];
    for (size_t i = 0; i < t->n_attributes; i++) {
        struct json_member *m = &members[2 * i];
        m[0] = (struct json_member){.key = "AttributeName", .key_len = 13,
                                    .value = {.type = JSON_STRING, .len = t->attributes[i].name.len,
                                              .u.str = t->attributes[i].name.s}};
        m[1] = (struct json_member){.key = "AttributeType", .key_len = 13,
                                    .value = {.type = JSON_STRING, .len = 1,
                                              .u.str = ddb_type_name(t->attributes[i].type)}};
        list[k++] = (struct json_value){.type = JSON_OBJECT, .len = 2, .u.members = m};
    }
    *out = arena_alloc(a, sizeof(**out));
    if (!*out)
        return false;
    **out = (struct json_value){.type = JSON_ARRAY, .len = k, .u.items = list};
    return true;
}

static bool fail_in_use(bool *in_use, struct ddb_error *err, const char *what, const struct ddb_name *name)
{
    *in_use = true;
    return ddb_fail(err, DDB_ERR_VALIDATION, "Attempt to change a resource which is still in use: %s: %.*s", what,
                    (int)name->len, name->s);
}

static bool apply_index_updates(struct arena *a, const struct ddb_table *old, const struct json_value *req,
                                int64_t now_ms, bool on_demand, struct ddb_table *t, struct ddb_table_change *change,
                                bool *limit_exceeded, struct ddb_error *err)
{
    const struct json_value *updates = member(req, "GlobalSecondaryIndexUpdates");
    if (!updates)
        return true;
    size_t creates = 0, deletes = 0;
    for (size_t i = 0; i < updates->len; i++) {
        creates += member(&updates->u.items[i], "Create") != NULL;
        deletes += member(&updates->u.items[i], "Delete") != NULL;
    }
    if (updates->len > 5 || creates + deletes > 1) {
        *limit_exceeded = true;
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
    }
    for (size_t i = 0; i < updates->len; i++) {
        const struct json_value *u = &updates->u.items[i];
        const struct json_value *update = member(u, "Update"), *create = member(u, "Create"), *del = member(u, "Delete");
        if (update) {
            const struct json_value *name = member(update, "IndexName");
            const struct json_value *pt = member(update, "ProvisionedThroughput");
            if (pt && (int_member(pt, "ReadCapacityUnits") > DDB_MAX_CAPACITY_UNITS ||
                       int_member(pt, "WriteCapacityUnits") > DDB_MAX_CAPACITY_UNITS))
                return invalid(err, "This operation cannot be performed with given input values. Please contact "
                                    "DynamoDB service team for more info: Action Blocked: IndexUpdate");
            struct ddb_index *ix = find_index(t, name);
            if (!ix || !ix->global)
                return ix ? invalid(err, "Cannot update an index that is not a GlobalSecondaryIndex: %.*s", (int)name->len,
                                    name->u.str)
                          : ddb_fail(err, DDB_ERR_VALIDATION, "Requested resource not found: Index: %.*s not found",
                                     (int)name->len, name->u.str);
            if (pt && on_demand)
                return invalid(err, INVALID "The only Updates for index: %.*s when TableThroughputMode is "
                                            "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput",
                               (int)name->len, name->u.str);
            if (pt) {
                int64_t r = int_member(pt, "ReadCapacityUnits"), w = int_member(pt, "WriteCapacityUnits");
                if (r == ix->throughput.read && w == ix->throughput.write && !str_is(member(req, "BillingMode"), "PROVISIONED"))
                    return invalid(err, "The provisioned throughput for the index %.*s will not change. The requested "
                                        "value equals the current value. Current ReadCapacityUnits provisioned for the "
                                        "index: %lld. Requested ReadCapacityUnits: %lld. Current WriteCapacityUnits "
                                        "provisioned for the index: %lld. Requested WriteCapacityUnits: %lld. Refer to "
                                        "the Amazon DynamoDB Developer Guide for current limits and how to request "
                                        "higher limits.",
                                   (int)name->len, name->u.str, (long long)ix->throughput.read, (long long)r,
                                   (long long)ix->throughput.write, (long long)w);
                if (old->on_demand)
                    ix->throughput.read = r, ix->throughput.write = w;
                else
                    request_throughput(&ix->throughput, r, w, now_ms);
            }
            if (!on_demand_from(member(update, "OnDemandThroughput"), &ix->max_read_units, &ix->max_write_units,
                                "index", err))
                return false;
            ix->status = DDB_STATUS_UPDATING;
        } else if (create) {
            const struct json_value *name = member(create, "IndexName");
            if (find_index(t, name))
                return invalid(err, "Attempting to create an index which already exists");
            const struct json_value *keys = member(create, "KeySchema");
            struct json_value *defs;
            if (!definitions_for_create(a, old, req, &defs))
                return ddb_fail_nomem(err);
            if (!keys_defined(keys, defs) && !member(req, "AttributeDefinitions"))
                return invalid(err, INVALID "AttributeDefinitions is not specified for index: %.*s", (int)name->len,
                               name->u.str);
            if (!check_index_keys(keys, defs, err) || !check_projection(member(create, "Projection"), err))
                return false;
            for (size_t k = 0; k < keys->len; k++) {
                const struct json_value *kn = member(&keys->u.items[k], "AttributeName");
                const struct json_value *given = find_definition(member(req, "AttributeDefinitions"), kn);
                enum ddb_type known;
                if (given && ddb_table_attribute_type(old, kn->u.str, kn->len, &known) &&
                    known != type_of_definition(given))
                    return invalid(err, INVALID "Cannot change the type of an existing key attribute: %.*s",
                                   (int)kn->len, kn->u.str);
            }
            const struct json_value *pt = member(create, "ProvisionedThroughput");
            if (on_demand && pt)
                return invalid(err, INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for "
                                            "index: %.*s when BillingMode is PAY_PER_REQUEST",
                               (int)name->len, name->u.str);
            if (!on_demand && !pt)
                return invalid(err, INVALID "ProvisionedThroughput must be specified for index: %.*s", (int)name->len,
                               name->u.str);
            size_t globals = 0;
            for (size_t k = 0; k < t->n_indexes; k++)
                globals += t->indexes[k].global;
            if (globals >= DDB_MAX_GLOBAL_INDEXES) {
                *limit_exceeded = true;
                return ddb_fail(err, DDB_ERR_VALIDATION,
                                "GlobalSecondaryIndex count exceeds the per-table limit of %d", DDB_MAX_GLOBAL_INDEXES);
            }
            /* new attribute definitions the index brings */
            for (size_t k = 0; k < keys->len; k++) {
                const struct json_value *kn = member(&keys->u.items[k], "AttributeName");
                enum ddb_type known;
                if (ddb_table_attribute_type(t, kn->u.str, kn->len, &known))
                    continue;
                struct ddb_attribute_definition *grown = arena_array(a, t->n_attributes + 1, sizeof(*grown));
                if (!grown)
                    return ddb_fail_nomem(err);
                memcpy(grown, t->attributes, t->n_attributes * sizeof(*grown));
                t->attributes = grown;
                struct ddb_attribute_definition *d = &t->attributes[t->n_attributes++];
                if (!json_name(a, kn, &d->name))
                    return ddb_fail_nomem(err);
                d->type = type_of_definition(find_definition(defs, kn));
            }
            if (!add_index(a, t, create, true, defs, now_ms))
                return ddb_fail_nomem(err);
            struct ddb_index *ix = &t->indexes[t->n_indexes - 1];
            ix->backfilling = true;
            if (!on_demand_from(member(create, "OnDemandThroughput"), &ix->max_read_units, &ix->max_write_units,
                                "index", err))
                return false;
            change->backfill_number = ix->number;
        } else {
            const struct json_value *name = member(del, "IndexName");
            struct ddb_index *ix = find_index(t, name);
            if (!ix)
                return ddb_fail(err, DDB_ERR_VALIDATION, "Requested resource not found: Index: %.*s not found",
                                (int)name->len, name->u.str);
            if (!ix->global)
                return invalid(err, "Cannot delete an index that is not a GlobalSecondaryIndex: %.*s", (int)name->len,
                               name->u.str);
            if (ix->status != DDB_STATUS_ACTIVE)
                return invalid(err, "Attempt to change a resource which is still in use: Index is being %s: %.*s",
                               ix->status == DDB_STATUS_CREATING ? "created" : "updated", (int)name->len, name->u.str);
            ix->status = DDB_STATUS_DELETING;
            change->dropped_number = ix->number;
        }
    }
    return true;
}

bool ddb_table_apply_update(struct arena *a, const struct ddb_table *old, const struct json_value *req,
                            int64_t now_ms, int64_t settle_ms, struct ddb_table *out, struct ddb_table_change *change,
                            bool *limit_exceeded, bool *in_use, struct ddb_error *err)
{
    memset(change, 0, sizeof(*change));
    *limit_exceeded = *in_use = false;
    if (old->status == DDB_STATUS_CREATING)
        return fail_in_use(in_use, err, "Table is being created", &old->name);
    if (old->status == DDB_STATUS_UPDATING)
        return fail_in_use(in_use, err, "Table is being updated", &old->name);
    if (!ddb_table_copy(a, old, out))
        return ddb_fail_nomem(err);
    const struct json_value *billing = member(req, "BillingMode");
    bool on_demand = billing ? str_is(billing, "PAY_PER_REQUEST") : old->on_demand;
    const struct json_value *pt = member(req, "ProvisionedThroughput");
    if (pt && on_demand)
        return invalid(err, INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                                    "BillingMode is PAY_PER_REQUEST");
    if (!apply_index_updates(a, old, req, now_ms, on_demand, out, change, limit_exceeded, err))
        return false;
    if (on_demand && !old->on_demand) {
        out->on_demand = true;
        out->on_demand_since_ms = now_ms;
        out->throughput.read = out->throughput.write = 0;
        out->throughput.last_decrease_ms = now_ms;
        for (size_t i = 0; i < out->n_indexes; i++) {
            if (!out->indexes[i].global)
                continue;
            out->indexes[i].throughput.read = out->indexes[i].throughput.write = 0;
            out->indexes[i].status = DDB_STATUS_UPDATING;
        }
    } else if (!on_demand && old->on_demand) {
        struct strbuf missing;
        strbuf_init(&missing);
        for (size_t i = 0; i < out->n_indexes; i++) {
            const struct ddb_index *ix = &out->indexes[i];
            if (ix->global && ix->status != DDB_STATUS_UPDATING && ix->number != change->backfill_number) {
                strbuf_puts(&missing, missing.len ? "," : "");
                strbuf_append(&missing, ix->name.s, ix->name.len);
            }
        }
        if (missing.len) {
            bool r = invalid(err, INVALID "ProvisionedThroughput must be specified for index: %s", missing.data);
            strbuf_free(&missing);
            return r;
        }
        strbuf_free(&missing);
        out->on_demand = false;
        throughput_from(pt, &out->throughput);
    } else if (pt) {
        int64_t r = int_member(pt, "ReadCapacityUnits"), w = int_member(pt, "WriteCapacityUnits");
        if (r == old->throughput.read && w == old->throughput.write)
            return invalid(err, "The provisioned throughput for the table will not change. The requested value equals "
                                "the current value. Current ReadCapacityUnits provisioned for the table: %lld. "
                                "Requested ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned for the "
                                "table: %lld. Requested WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB "
                                "Developer Guide for current limits and how to request higher limits.",
                           (long long)old->throughput.read, (long long)r, (long long)old->throughput.write,
                           (long long)w);
        request_throughput(&out->throughput, r, w, now_ms);
    }
    const struct json_value *stream = member(req, "StreamSpecification");
    if (stream) {
        if (!check_stream(stream, false, err))
            return false;
        bool enable = bool_member(stream, "StreamEnabled", false);
        if (enable && old->stream_enabled)
            return invalid(err, "Table already has an enabled stream: TableName: %.*s", (int)old->name.len, old->name.s);
        if (!enable && !old->stream_enabled)
            return invalid(err, "Table has no stream to disable: TableName: %.*s", (int)old->name.len, old->name.s);
        out->stream_enabled = enable;
        if (enable) {
            out->stream_view_type = copy_string(a, json_str(stream, "StreamViewType"));
            stream_label(now_ms, out->stream_label);
            change->stream_enabled_now = true;
        }
    }
    const struct json_value *sse = member(req, "SSESpecification");
    if (sse) {
        if (!check_sse(sse, err))
            return false;
        if (!sse_from(a, sse, out))
            return ddb_fail_nomem(err);
    }
    const struct json_value *class = member(req, "TableClass");
    if (class && !(out->table_class = copy_string(a, json_str(req, "TableClass"))))
        return ddb_fail_nomem(err);
    if (member(req, "DeletionProtectionEnabled"))
        out->deletion_protection = bool_member(req, "DeletionProtectionEnabled", false);
    if (!on_demand_from(member(req, "OnDemandThroughput"), &out->max_read_units, &out->max_write_units, "table", err))
        return false;
    out->status = DDB_STATUS_UPDATING;
    out->settle_ms = settle_ms;
    return true;
}

bool ddb_table_settle(struct ddb_table *t, int64_t now_ms, bool described)
{
    bool due = described || now_ms >= t->settle_ms;
    if (!due)
        return false;
    bool changed = false;
    if (t->status != DDB_STATUS_ACTIVE) {
        t->status = DDB_STATUS_ACTIVE;
        if (t->on_demand && !t->on_demand_since_ms)
            t->on_demand_since_ms = t->created_ms;
        settle_throughput(&t->throughput, now_ms);
        changed = true;
    }
    size_t kept = 0;
    for (size_t i = 0; i < t->n_indexes; i++) {
        struct ddb_index *ix = &t->indexes[i];
        if (ix->status == DDB_STATUS_DELETING) {
            changed = true;
            continue;
        }
        if ((ix->status == DDB_STATUS_CREATING && !ix->backfilling) || ix->status == DDB_STATUS_UPDATING) {
            ix->status = DDB_STATUS_ACTIVE;
            settle_throughput(&ix->throughput, now_ms);
            changed = true;
        }
        t->indexes[kept++] = *ix;
    }
    t->n_indexes = kept;
    return changed;
}

/* ---- tags -------------------------------------------------------------------------- */

bool ddb_table_add_tags(struct arena *a, const struct ddb_table *old, const struct json_value *tags,
                        struct ddb_table *out, struct ddb_error *err)
{
    size_t added = 0;
    for (size_t i = 0; tags && i < tags->len; i++) {
        const struct json_value *key = member(&tags->u.items[i], "Key");
        bool known = false;
        for (size_t k = 0; key && k < old->n_tags && !known; k++)
            known = name_equal(&old->tags[k].key, key->u.str, key->len);
        added += !known;
    }
    if (!check_tags(tags, old->n_tags + added - (tags ? tags->len : 0), err))
        return false;
    *out = *old;
    out->tags = arena_array(a, old->n_tags + added + 1, sizeof(*out->tags));
    if (!out->tags)
        return ddb_fail_nomem(err);
    if (old->n_tags)
        memcpy(out->tags, old->tags, old->n_tags * sizeof(*out->tags));
    for (size_t i = 0; tags && i < tags->len; i++) {
        struct ddb_tag tag;
        if (!json_name(a, member(&tags->u.items[i], "Key"), &tag.key) ||
            !json_name(a, member(&tags->u.items[i], "Value"), &tag.value))
            return ddb_fail_nomem(err);
        size_t k = 0;
        while (k < out->n_tags && !name_equal(&out->tags[k].key, tag.key.s, tag.key.len))
            k++;
        out->tags[k] = tag;
        if (k == out->n_tags)
            out->n_tags++;
    }
    return true;
}

bool ddb_table_remove_tags(struct arena *a, const struct ddb_table *old, const struct json_value *keys,
                           struct ddb_table *out)
{
    *out = *old;
    out->tags = arena_array(a, old->n_tags + 1, sizeof(*out->tags));
    if (!out->tags)
        return false;
    out->n_tags = 0;
    for (size_t i = 0; i < old->n_tags; i++) {
        bool removed = false;
        for (size_t k = 0; keys && k < keys->len && !removed; k++)
            removed = json_is(&keys->u.items[k], JSON_STRING) &&
                      name_equal(&old->tags[i].key, keys->u.items[k].u.str, keys->u.items[k].len);
        if (!removed)
            out->tags[out->n_tags++] = old->tags[i];
    }
    return true;
}

bool ddb_table_arn_parse(const char *arn, char region[40], char account[13], char name[256])
{
    static const char prefix[] = "arn:aws:dynamodb:";
    if (strncmp(arn, prefix, sizeof(prefix) - 1) != 0)
        return false;
    const char *rest = arn + sizeof(prefix) - 1;
    const char *slash = strrchr(rest, '/');
    if (!slash || strlen(slash + 1) < 3 || slash - rest < 8 || strncmp(slash - 6, ":table", 6) != 0)
        return false;
    const char *account_end = slash - 6, *account_start = account_end;
    while (account_start > rest && account_start[-1] >= '0' && account_start[-1] <= '9')
        account_start--;
    if (account_start == account_end || account_start - rest < 2 || account_start[-1] != ':' ||
        account_end - account_start > 12 || (size_t)(account_start - 1 - rest) >= 40 || strlen(slash + 1) > 255)
        return false;
    snprintf(region, 40, "%.*s", (int)(account_start - 1 - rest), rest);
    snprintf(account, 13, "%.*s", (int)(account_end - account_start), account_start);
    snprintf(name, 256, "%s", slash + 1);
    return true;
}

/* ---- lookups ---------------------------------------------------------------------- */

const struct ddb_index *ddb_table_index(const struct ddb_table *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_indexes; i++)
        if (name_equal(&t->indexes[i].name, name, len))
            return &t->indexes[i];
    return NULL;
}

bool ddb_table_attribute_type(const struct ddb_table *t, const char *name, size_t len, enum ddb_type *out)
{
    for (size_t i = 0; i < t->n_attributes; i++) {
        if (name_equal(&t->attributes[i].name, name, len)) {
            *out = t->attributes[i].type;
            return true;
        }
    }
    return false;
}

const char *ddb_status_name(enum ddb_status s)
{
    switch (s) {
    case DDB_STATUS_CREATING: return "CREATING";
    case DDB_STATUS_UPDATING: return "UPDATING";
    case DDB_STATUS_ACTIVE: return "ACTIVE";
    case DDB_STATUS_DELETING: return "DELETING";
    }
    return "ACTIVE";
}

static bool status_from(const char *s, enum ddb_status *out)
{
    for (int i = DDB_STATUS_CREATING; i <= DDB_STATUS_DELETING; i++) {
        if (s && strcmp(s, ddb_status_name((enum ddb_status)i)) == 0) {
            *out = (enum ddb_status)i;
            return true;
        }
    }
    return false;
}

static const char *projection_name(enum ddb_projection_type p)
{
    return p == DDB_PROJECT_KEYS_ONLY ? "KEYS_ONLY" : p == DDB_PROJECT_INCLUDE ? "INCLUDE" : "ALL";
}

/* ---- stored form ----------------------------------------------------------------- */

static void jw_name(struct json_writer *w, const char *key, const struct ddb_name *n)
{
    jw_stringn(w, key, n->s, n->len);
}

static void write_throughput(struct json_writer *w, const char *key, const struct ddb_throughput *tp)
{
    jw_object_open(w, key);
    jw_int(w, "R", tp->read);
    jw_int(w, "W", tp->write);
    jw_int(w, "PR", tp->pending_read);
    jw_int(w, "PW", tp->pending_write);
    jw_int(w, "Inc", tp->last_increase_ms);
    jw_int(w, "Dec", tp->last_decrease_ms);
    jw_int(w, "Decs", tp->decreases_today);
    jw_object_close(w);
}

void ddb_table_to_json(struct strbuf *sb, const struct ddb_table *t)
{
    struct json_writer w;
    jw_init(&w, sb);
    jw_object_open(&w, NULL);
    jw_name(&w, "Name", &t->name);
    jw_string(&w, "Id", t->table_id);
    jw_int(&w, "Created", t->created_ms);
    jw_array_open(&w, "Attributes");
    for (size_t i = 0; i < t->n_attributes; i++) {
        jw_array_open(&w, NULL);
        jw_name(&w, NULL, &t->attributes[i].name);
        jw_string(&w, NULL, ddb_type_name(t->attributes[i].type));
        jw_array_close(&w);
    }
    jw_array_close(&w);
    jw_stringn(&w, "Hash", t->keys.hash_name, t->keys.hash_name_len);
    if (t->keys.range_name)
        jw_stringn(&w, "Range", t->keys.range_name, t->keys.range_name_len);
    jw_bool(&w, "OnDemand", t->on_demand);
    jw_int(&w, "OnDemandSince", t->on_demand_since_ms);
    write_throughput(&w, "Throughput", &t->throughput);
    jw_int(&w, "MaxRead", t->max_read_units);
    jw_int(&w, "MaxWrite", t->max_write_units);
    jw_string(&w, "Status", ddb_status_name(t->status));
    jw_int(&w, "Settle", t->settle_ms);
    jw_int(&w, "NextIndex", t->next_index_number);
    jw_array_open(&w, "Indexes");
    for (size_t i = 0; i < t->n_indexes; i++) {
        const struct ddb_index *ix = &t->indexes[i];
        jw_object_open(&w, NULL);
        jw_name(&w, "Name", &ix->name);
        jw_bool(&w, "Global", ix->global);
        jw_int(&w, "Number", ix->number);
        jw_stringn(&w, "Hash", ix->keys.hash_name, ix->keys.hash_name_len);
        if (ix->keys.range_name)
            jw_stringn(&w, "Range", ix->keys.range_name, ix->keys.range_name_len);
        jw_string(&w, "Projection", projection_name(ix->projection));
        if (ix->non_key) {
            jw_array_open(&w, "NonKey");
            for (size_t k = 0; k < ix->n_non_key; k++)
                jw_name(&w, NULL, &ix->non_key[k]);
            jw_array_close(&w);
        }
        write_throughput(&w, "Throughput", &ix->throughput);
        jw_int(&w, "MaxRead", ix->max_read_units);
        jw_int(&w, "MaxWrite", ix->max_write_units);
        jw_string(&w, "Status", ddb_status_name(ix->status));
        jw_bool(&w, "Backfilling", ix->backfilling);
        jw_object_close(&w);
    }
    jw_array_close(&w);
    jw_object_open(&w, "Stream");
    jw_bool(&w, "Enabled", t->stream_enabled);
    jw_string_opt(&w, "ViewType", t->stream_view_type);
    jw_string(&w, "Label", t->stream_label);
    jw_object_close(&w);
    jw_object_open(&w, "SSE");
    jw_bool(&w, "Enabled", t->sse_enabled);
    jw_string_opt(&w, "Key", t->sse_kms_key);
    jw_object_close(&w);
    jw_string_opt(&w, "Class", t->table_class);
    jw_bool(&w, "Protected", t->deletion_protection);
    jw_object_open(&w, "TTL");
    if (t->ttl_attribute.s)
        jw_name(&w, "Attribute", &t->ttl_attribute);
    jw_bool(&w, "Enabled", t->ttl_enabled);
    jw_object_close(&w);
    jw_object_open(&w, "PITR");
    jw_bool(&w, "Enabled", t->pitr_enabled);
    jw_int(&w, "Days", t->pitr_days);
    jw_int(&w, "Since", t->pitr_since_ms);
    jw_object_close(&w);
    jw_array_open(&w, "Tags");
    for (size_t i = 0; i < t->n_tags; i++) {
        jw_array_open(&w, NULL);
        jw_name(&w, NULL, &t->tags[i].key);
        jw_name(&w, NULL, &t->tags[i].value);
        jw_array_close(&w);
    }
    jw_array_close(&w);
    jw_object_close(&w);
}

static void read_throughput(const struct json_value *o, struct ddb_throughput *tp)
{
    tp->read = int_member(o, "R");
    tp->write = int_member(o, "W");
    tp->pending_read = int_member(o, "PR");
    tp->pending_write = int_member(o, "PW");
    tp->last_increase_ms = int_member(o, "Inc");
    tp->last_decrease_ms = int_member(o, "Dec");
    tp->decreases_today = int_member(o, "Decs");
}

static bool read_key_schema(struct arena *a, const struct ddb_table *t, const struct json_value *o,
                            struct ddb_key_schema *out)
{
    memset(out, 0, sizeof(*out));
    size_t len;
    const char *hash = json_strn(o, "Hash", &len);
    if (!hash)
        return false;
    if (!(out->hash_name = arena_memdup(a, hash, len)))
        return false;
    out->hash_name_len = len;
    if (!ddb_table_attribute_type(t, hash, len, &out->hash_type))
        return false;
    const char *range = json_strn(o, "Range", &len);
    if (range) {
        if (!(out->range_name = arena_memdup(a, range, len)))
            return false;
        out->range_name_len = len;
        if (!ddb_table_attribute_type(t, range, len, &out->range_type))
            return false;
    }
    return true;
}

static bool read_string_pair(struct arena *a, const struct json_value *pair, struct ddb_name *x, struct ddb_name *y)
{
    return json_is(pair, JSON_ARRAY) && pair->len == 2 && json_is(&pair->u.items[0], JSON_STRING) &&
           json_is(&pair->u.items[1], JSON_STRING) && json_name(a, &pair->u.items[0], x) &&
           json_name(a, &pair->u.items[1], y);
}

static bool read_indexes(struct arena *a, const struct json_value *list, struct ddb_table *t)
{
    if (!json_is(list, JSON_ARRAY))
        return false;
    t->indexes = arena_array(a, list->len + 1, sizeof(*t->indexes));
    if (!t->indexes)
        return false;
    for (size_t i = 0; i < list->len; i++) {
        const struct json_value *o = &list->u.items[i];
        struct ddb_index *ix = &t->indexes[t->n_indexes++];
        memset(ix, 0, sizeof(*ix));
        size_t len;
        const char *name = json_strn(o, "Name", &len);
        if (!name || !copy_name(a, name, len, &ix->name) || !read_key_schema(a, t, o, &ix->keys))
            return false;
        ix->global = bool_member(o, "Global", false);
        ix->number = (int)int_member(o, "Number");
        const char *proj = json_str(o, "Projection");
        ix->projection = proj && strcmp(proj, "KEYS_ONLY") == 0 ? DDB_PROJECT_KEYS_ONLY
                         : proj && strcmp(proj, "INCLUDE") == 0  ? DDB_PROJECT_INCLUDE
                                                                 : DDB_PROJECT_ALL;
        const struct json_value *non_key = member(o, "NonKey");
        if (json_is(non_key, JSON_ARRAY)) {
            ix->non_key = arena_array(a, non_key->len + 1, sizeof(*ix->non_key));
            if (!ix->non_key)
                return false;
            for (size_t k = 0; k < non_key->len; k++)
                if (!json_is(&non_key->u.items[k], JSON_STRING) ||
                    !json_name(a, &non_key->u.items[k], &ix->non_key[ix->n_non_key++]))
                    return false;
        }
        read_throughput(member(o, "Throughput"), &ix->throughput);
        ix->max_read_units = int_member(o, "MaxRead");
        ix->max_write_units = int_member(o, "MaxWrite");
        if (!status_from(json_str(o, "Status"), &ix->status))
            return false;
        ix->backfilling = bool_member(o, "Backfilling", false);
    }
    return true;
}

bool ddb_table_from_json(struct arena *a, const char *json, size_t len, struct ddb_table *out,
                         struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    const struct json_value *doc = json_parse(json, len, NULL);
    bool ok = json_is(doc, JSON_OBJECT);
    size_t n;
    const char *s;
    if (ok && (s = json_strn(doc, "Name", &n)))
        ok = copy_name(a, s, n, &out->name);
    else
        ok = false;
    if (ok) {
        snprintf(out->table_id, sizeof(out->table_id), "%s", json_str(doc, "Id") ? json_str(doc, "Id") : "");
        out->created_ms = int_member(doc, "Created");
        const struct json_value *attrs = member(doc, "Attributes");
        ok = json_is(attrs, JSON_ARRAY) &&
             (out->attributes = arena_array(a, attrs->len + 1, sizeof(*out->attributes))) != NULL;
        for (size_t i = 0; ok && i < attrs->len; i++) {
            struct ddb_name type;
            struct ddb_attribute_definition *d = &out->attributes[out->n_attributes++];
            ok = read_string_pair(a, &attrs->u.items[i], &d->name, &type) &&
                 ddb_type_from_name(type.s, type.len, &d->type);
        }
    }
    ok = ok && read_key_schema(a, out, doc, &out->keys) && read_indexes(a, member(doc, "Indexes"), out) &&
         status_from(json_str(doc, "Status"), &out->status);
    if (ok) {
        out->on_demand = bool_member(doc, "OnDemand", false);
        out->on_demand_since_ms = int_member(doc, "OnDemandSince");
        read_throughput(member(doc, "Throughput"), &out->throughput);
        out->max_read_units = int_member(doc, "MaxRead");
        out->max_write_units = int_member(doc, "MaxWrite");
        out->settle_ms = int_member(doc, "Settle");
        out->next_index_number = (int)int_member(doc, "NextIndex");
        const struct json_value *stream = member(doc, "Stream");
        out->stream_enabled = bool_member(stream, "Enabled", false);
        out->stream_view_type = copy_string(a, json_str(stream, "ViewType"));
        snprintf(out->stream_label, sizeof(out->stream_label), "%s",
                 json_str(stream, "Label") ? json_str(stream, "Label") : "");
        const struct json_value *sse = member(doc, "SSE");
        out->sse_enabled = bool_member(sse, "Enabled", false);
        out->sse_kms_key = copy_string(a, json_str(sse, "Key"));
        out->table_class = copy_string(a, json_str(doc, "Class"));
        out->deletion_protection = bool_member(doc, "Protected", false);
        const struct json_value *ttl = member(doc, "TTL");
        if ((s = json_strn(ttl, "Attribute", &n)))
            ok = copy_name(a, s, n, &out->ttl_attribute);
        out->ttl_enabled = bool_member(ttl, "Enabled", false);
        const struct json_value *pitr = member(doc, "PITR");
        out->pitr_enabled = bool_member(pitr, "Enabled", false);
        out->pitr_days = int_member(pitr, "Days");
        out->pitr_since_ms = int_member(pitr, "Since");
        const struct json_value *tags = member(doc, "Tags");
        if (ok && json_is(tags, JSON_ARRAY) && tags->len) {
            ok = (out->tags = arena_array(a, tags->len, sizeof(*out->tags))) != NULL;
            for (size_t i = 0; ok && i < tags->len; i++, out->n_tags++)
                ok = read_string_pair(a, &tags->u.items[i], &out->tags[i].key, &out->tags[i].value);
        }
    }
    json_free(doc);
    if (!ok)
        return a->failed ? ddb_fail_nomem(err)
                         : ddb_fail(err, DDB_ERR_VALIDATION, "The stored definition of a table cannot be read");
    return true;
}

/* ---- TableDescription ------------------------------------------------------------ */

static void jw_seconds(struct json_writer *w, const char *key, int64_t ms)
{
    char num[40];
    int n = snprintf(num, sizeof(num), "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    jw_raw(w, key, num, (size_t)n);
}

void ddb_jw_key_schema(struct json_writer *w, const struct ddb_key_schema *k)
{
    jw_array_open(w, "KeySchema");
    jw_object_open(w, NULL);
    jw_stringn(w, "AttributeName", k->hash_name, k->hash_name_len);
    jw_string(w, "KeyType", "HASH");
    jw_object_close(w);
    if (k->range_name) {
        jw_object_open(w, NULL);
        jw_stringn(w, "AttributeName", k->range_name, k->range_name_len);
        jw_string(w, "KeyType", "RANGE");
        jw_object_close(w);
    }
    jw_array_close(w);
}

static void describe_throughput(struct json_writer *w, const struct ddb_throughput *tp)
{
    jw_object_open(w, "ProvisionedThroughput");
    if (tp->last_increase_ms)
        jw_seconds(w, "LastIncreaseDateTime", tp->last_increase_ms);
    if (tp->last_decrease_ms)
        jw_seconds(w, "LastDecreaseDateTime", tp->last_decrease_ms);
    jw_int(w, "NumberOfDecreasesToday", tp->decreases_today);
    jw_int(w, "ReadCapacityUnits", tp->read);
    jw_int(w, "WriteCapacityUnits", tp->write);
    jw_object_close(w);
}

static void describe_on_demand(struct json_writer *w, int64_t max_read, int64_t max_write)
{
    if (!max_read && !max_write)
        return;
    jw_object_open(w, "OnDemandThroughput");
    jw_int(w, "MaxReadRequestUnits", max_read ? max_read : -1);
    jw_int(w, "MaxWriteRequestUnits", max_write ? max_write : -1);
    jw_object_close(w);
}

static void describe_index(struct json_writer *w, const struct ddb_index *ix, const char *arn, int64_t items,
                           int64_t bytes)
{
    jw_object_open(w, NULL);
    jw_name(w, "IndexName", &ix->name);
    ddb_jw_key_schema(w, &ix->keys);
    jw_object_open(w, "Projection");
    jw_string(w, "ProjectionType", projection_name(ix->projection));
    if (ix->non_key) {
        jw_array_open(w, "NonKeyAttributes");
        for (size_t i = 0; i < ix->n_non_key; i++)
            jw_name(w, NULL, &ix->non_key[i]);
        jw_array_close(w);
    }
    jw_object_close(w);
    if (ix->global) {
        jw_string(w, "IndexStatus", ddb_status_name(ix->status));
        if (ix->status == DDB_STATUS_CREATING && ix->backfilling)
            jw_bool(w, "Backfilling", true);
        describe_throughput(w, &ix->throughput);
        describe_on_demand(w, ix->max_read_units, ix->max_write_units);
    }
    jw_int(w, "IndexSizeBytes", bytes);
    jw_int(w, "ItemCount", items);
    struct strbuf index_arn;
    strbuf_init(&index_arn);
    strbuf_printf(&index_arn, "%s/index/", arn);
    strbuf_append(&index_arn, ix->name.s, ix->name.len);
    jw_stringn(w, "IndexArn", index_arn.data ? index_arn.data : "", index_arn.len);
    strbuf_free(&index_arn);
    jw_object_close(w);
}

void ddb_table_arn(const char *region, const char *account, const struct ddb_name *name, struct strbuf *out)
{
    strbuf_printf(out, "arn:aws:dynamodb:%s:%s:table/", region, account);
    strbuf_append(out, name->s, name->len);
}

void ddb_table_stream_arn(const char *table_arn, const struct ddb_table *t, struct strbuf *out)
{
    strbuf_printf(out, "%s/stream/%s", table_arn, t->stream_label);
}

void ddb_table_describe(struct json_writer *w, const char *key, const struct ddb_table *t, const char *arn,
                        const struct ddb_table_stats *stats, bool deleting)
{
    jw_object_open(w, key);
    jw_array_open(w, "AttributeDefinitions");
    for (size_t i = 0; i < t->n_attributes; i++) {
        jw_object_open(w, NULL);
        jw_name(w, "AttributeName", &t->attributes[i].name);
        jw_string(w, "AttributeType", ddb_type_name(t->attributes[i].type));
        jw_object_close(w);
    }
    jw_array_close(w);
    jw_name(w, "TableName", &t->name);
    ddb_jw_key_schema(w, &t->keys);
    jw_string(w, "TableStatus", deleting ? "DELETING" : ddb_status_name(t->status));
    jw_seconds(w, "CreationDateTime", t->created_ms);
    describe_throughput(w, &t->throughput);
    jw_int(w, "TableSizeBytes", stats ? stats->size_bytes : 0);
    jw_int(w, "ItemCount", stats ? stats->item_count : 0);
    jw_string(w, "TableArn", arn);
    jw_string(w, "TableId", t->table_id);
    if (t->on_demand) {
        jw_object_open(w, "BillingModeSummary");
        jw_string(w, "BillingMode", "PAY_PER_REQUEST");
        if (t->on_demand_since_ms && t->status == DDB_STATUS_ACTIVE)
            jw_seconds(w, "LastUpdateToPayPerRequestDateTime", t->on_demand_since_ms);
        jw_object_close(w);
        jw_object_open(w, "TableThroughputModeSummary");
        jw_string(w, "TableThroughputMode", "PAY_PER_REQUEST");
        if (t->on_demand_since_ms && t->status == DDB_STATUS_ACTIVE)
            jw_seconds(w, "LastUpdateToPayPerRequestDateTime", t->on_demand_since_ms);
        jw_object_close(w);
    } else if (t->on_demand_since_ms) {
        jw_object_open(w, "BillingModeSummary");
        jw_string(w, "BillingMode", "PROVISIONED");
        jw_seconds(w, "LastUpdateToPayPerRequestDateTime", t->on_demand_since_ms);
        jw_object_close(w);
    }
    for (int global = 0; global < 2 && !deleting; global++) {
        bool any = false;
        for (size_t i = 0; i < t->n_indexes; i++)
            any |= t->indexes[i].global == global;
        if (!any)
            continue;
        jw_array_open(w, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        for (size_t i = 0; i < t->n_indexes; i++)
            if (t->indexes[i].global == global)
                describe_index(w, &t->indexes[i], arn, stats && stats->index_items ? stats->index_items[i] : 0,
                               stats && stats->index_bytes ? stats->index_bytes[i] : 0);
        jw_array_close(w);
    }
    if (t->stream_enabled) {
        jw_object_open(w, "StreamSpecification");
        jw_bool(w, "StreamEnabled", true);
        jw_string_opt(w, "StreamViewType", t->stream_view_type);
        jw_object_close(w);
    }
    if (t->stream_label[0]) {
        jw_string(w, "LatestStreamLabel", t->stream_label);
        struct strbuf sarn;
        strbuf_init(&sarn);
        ddb_table_stream_arn(arn, t, &sarn);
        jw_string(w, "LatestStreamArn", sarn.data ? sarn.data : "");
        strbuf_free(&sarn);
    }
    if (t->sse_enabled) {
        jw_object_open(w, "SSEDescription");
        jw_string(w, "Status", "ENABLED");
        jw_string(w, "SSEType", "KMS");
        struct strbuf key;
        strbuf_init(&key);
        const char *region_end = arn + strlen("arn:aws:dynamodb:");
        const char *account = strchr(region_end, ':');
        if (t->sse_kms_key && strncmp(t->sse_kms_key, "arn:", 4) == 0)
            strbuf_puts(&key, t->sse_kms_key);
        else if (account)
            strbuf_printf(&key, "arn:aws:kms:%.*s:%.12s:%s%s", (int)(account - region_end), region_end, account + 1,
                          t->sse_kms_key && strncmp(t->sse_kms_key, "alias/", 6) == 0 ? "" : "key/",
                          t->sse_kms_key ? t->sse_kms_key : "alias/aws/dynamodb");
        jw_string(w, "KMSMasterKeyArn", key.data ? key.data : "");
        strbuf_free(&key);
        jw_object_close(w);
    }
    if (t->table_class) {
        jw_object_open(w, "TableClassSummary");
        jw_string(w, "TableClass", t->table_class);
        jw_object_close(w);
    }
    if (t->deletion_protection)
        jw_bool(w, "DeletionProtectionEnabled", true);
    describe_on_demand(w, t->max_read_units, t->max_write_units);
    jw_object_close(w);
}
