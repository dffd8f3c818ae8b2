/* protocol/dynamodb query: Query and Scan requests (see query.h).
 *
 * Before the table, AWS's order: expression against legacy parameters,
 * the legacy filter, AttributesToGet, the starting key's values, the
 * segments (Scan) or a key condition at all (Query), the expressions,
 * the key condition's reduction, then Select against the projection. */
#include "protocol/dynamodb/query.h"

#include <stdio.h>
#include <string.h>

#include "protocol/dynamodb/legacy.h"
#include "protocol/dynamodb/value_json.h"

#define START_KEY_INVALID "The provided starting key is invalid"

static const struct json_value *member(const struct json_value *obj, const char *key)
{
    const struct json_value *v = json_get(obj, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

static bool has(const struct json_value *obj, const char *key) { return member(obj, key) != NULL; }

static int64_t int_member(const struct json_value *obj, const char *key)
{
    int64_t v = 0;
    const struct json_value *m = member(obj, key);
    double d;
    if (m && !json_number_int64(m, &v) && json_number_double(m, &d))
        v = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
    return v;
}

static bool check_params(const struct json_value *req, bool scan, struct ddb_error *err)
{
    struct ddb_param expressions[3] = {
        {"ProjectionExpression", has(req, "ProjectionExpression")},
        {"FilterExpression", has(req, "FilterExpression")},
        {"KeyConditionExpression", has(req, "KeyConditionExpression")},
    };
    struct ddb_param legacy[4] = {
        {"AttributesToGet", has(req, "AttributesToGet")},
        {scan ? "ScanFilter" : "QueryFilter", has(req, scan ? "ScanFilter" : "QueryFilter")},
        {"ConditionalOperator", has(req, "ConditionalOperator")},
        {"KeyConditions", has(req, "KeyConditions")},
    };
    return ddb_check_expression_params(expressions, scan ? 2 : 3, legacy, scan ? 3 : 4,
                                       has(req, "ExpressionAttributeNames"), has(req, "ExpressionAttributeValues"), err);
}

static enum ddb_select select_of(const struct json_value *req)
{
    const char *s = json_str(req, "Select");
    if (!s)
        return DDB_SELECT_DEFAULT;
    if (strcmp(s, "ALL_ATTRIBUTES") == 0)
        return DDB_SELECT_ALL_ATTRIBUTES;
    if (strcmp(s, "ALL_PROJECTED_ATTRIBUTES") == 0)
        return DDB_SELECT_ALL_PROJECTED;
    if (strcmp(s, "SPECIFIC_ATTRIBUTES") == 0)
        return DDB_SELECT_SPECIFIC;
    return strcmp(s, "COUNT") == 0 ? DDB_SELECT_COUNT : DDB_SELECT_DEFAULT;
}

static bool parse_start_key(struct arena *a, const struct json_value *req, struct ddb_read_request *r,
                            struct ddb_error *err)
{
    const struct json_value *start = member(req, "ExclusiveStartKey");
    if (!start)
        return true;
    if (!ddb_map_from_json(a, start, &r->start, err)) {
        if (ddb_value_fault_takes_start_key_prefix(err->fault)) {
            char msg[DDB_ERROR_MAX];
            snprintf(msg, sizeof(msg), "%s", err->message);
            ddb_fail(err, DDB_ERR_VALIDATION, START_KEY_INVALID ": %s", msg);
        }
        return false;
    }
    r->has_start = true;
    return true;
}

static bool parse_segments(const struct json_value *req, struct ddb_read_request *r, struct ddb_error *err)
{
    bool has_segment = has(req, "Segment"), has_total = has(req, "TotalSegments");
    r->segment = int_member(req, "Segment");
    r->total_segments = int_member(req, "TotalSegments");
    if (has_segment && r->segment && !has_total)
        return ddb_fail(err, DDB_ERR_VALIDATION, "The TotalSegments parameter is required but was not present in the "
                                                 "request when Segment parameter is present");
    if (has_total && r->total_segments) {
        if (!has_segment)
            return ddb_fail(err, DDB_ERR_VALIDATION, "The Segment parameter is required but was not present in the "
                                                     "request when parameter TotalSegments is present");
        if (r->segment >= r->total_segments)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                            "Segment: %lld is not less than TotalSegments: %lld",
                            (long long)r->segment, (long long)r->total_segments);
    }
    r->segmented = has_total && r->total_segments > 1;
    return true;
}

/* Select against the projection asked for (AWS: Query's messages carry
 * the "1 validation error detected" prefix, Scan's do not). */
static bool check_select(const struct json_value *req, struct ddb_read_request *r, struct ddb_error *err)
{
    const char *what = has(req, "ProjectionExpression") ? "ProjectionExpression" : "AttributesToGet";
    const char *prefix = r->scan ? "" : "1 validation error detected: ";
    bool projected = r->has_projection;
    switch (r->select) {
    case DDB_SELECT_COUNT:
        if (projected)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%sCannot specify the %s when choosing to get only the Count",
                            prefix, what);
        break;
    case DDB_SELECT_ALL_ATTRIBUTES:
        if (projected)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%sCannot specify the %s when choosing to get ALL_ATTRIBUTES",
                            prefix, what);
        break;
    case DDB_SELECT_ALL_PROJECTED:
        if (projected)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "%sCannot specify the %s when choosing to get ALL_PROJECTED_ATTRIBUTES", prefix, what);
        if (!r->index_name)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%sALL_PROJECTED_ATTRIBUTES can be used only when %s using an "
                                                     "IndexName",
                            prefix, r->scan ? "Scanning" : "Querying");
        break;
    case DDB_SELECT_SPECIFIC:
        if (!projected)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%sMust specify the AttributesToGet or ProjectionExpression when "
                                                     "choosing to get SPECIFIC_ATTRIBUTES",
                            prefix);
        break;
    case DDB_SELECT_DEFAULT: break;
    }
    return true;
}

bool ddb_read_request_parse(struct arena *a, const struct json_value *req, bool scan, struct ddb_read_request *out,
                            struct ddb_error *err)
{
    memset(out, 0, sizeof(*out));
    out->scan = scan;
    out->table = json_str(req, "TableName");
    out->index_name = json_str(req, "IndexName");
    out->select = select_of(req);
    out->limit = int_member(req, "Limit");
    if (has(req, "ScanIndexForward")) {
        bool forward = true;
        ddb_json_boolean(member(req, "ScanIndexForward"), &forward, NULL);
        out->backward = !forward;
    }
    if (has(req, "ConsistentRead"))
        ddb_json_boolean(member(req, "ConsistentRead"), &out->consistent, NULL);
    if (!check_params(req, scan, err))
        return false;
    const char *filter_name = scan ? "ScanFilter" : "QueryFilter";
    if (scan) {
        if (has(req, "AttributesToGet") &&
            !ddb_legacy_attributes_to_get(a, member(req, "AttributesToGet"), &out->projection, err))
            return false;
        if (has(req, filter_name) &&
            !ddb_legacy_filter(a, member(req, filter_name), json_str(req, "ConditionalOperator"), &out->filter, err))
            return false;
    } else {
        if (has(req, filter_name) &&
            !ddb_legacy_filter(a, member(req, filter_name), json_str(req, "ConditionalOperator"), &out->filter, err))
            return false;
        if (has(req, "AttributesToGet") &&
            !ddb_legacy_attributes_to_get(a, member(req, "AttributesToGet"), &out->projection, err))
            return false;
    }
    out->has_projection = has(req, "AttributesToGet");
    out->filter_legacy = out->filter != NULL;
    if (!parse_start_key(a, req, out, err))
        return false;
    if (scan && !parse_segments(req, out, err))
        return false;
    if (!scan && !has(req, "KeyConditions") && !has(req, "KeyConditionExpression"))
        return ddb_fail(err, DDB_ERR_VALIDATION, "Either the KeyConditions or KeyConditionExpression parameter must be "
                                                 "specified in the request.");
    if (!ddb_expr_context_init(&out->ctx, a, member(req, "ExpressionAttributeNames"),
                               member(req, "ExpressionAttributeValues"), err))
        return false;
    size_t len;
    const char *text;
    struct ddb_parsed_condition key_parsed;
    bool has_key_expression = false;
    if (!scan && (text = json_strn(req, "KeyConditionExpression", &len))) {
        if (!ddb_parse_key_condition(&out->ctx, text, len, &key_parsed, err))
            return false;
        has_key_expression = true;
    }
    if ((text = json_strn(req, "FilterExpression", &len))) {
        struct ddb_parsed_condition parsed;
        if (!ddb_parse_condition(&out->ctx, DDB_EXPR_FILTER, text, len, &parsed, err))
            return false;
        out->filter = parsed.condition;
        out->filter_nested = parsed.nested;
    }
    if ((text = json_strn(req, "ProjectionExpression", &len))) {
        if (!ddb_parse_projection(&out->ctx, text, len, &out->projection, err))
            return false;
        out->has_projection = true;
    }
    if (!ddb_expr_context_check_unused(&out->ctx, err))
        return false;
    if (!scan) {
        if (has_key_expression ? !ddb_key_condition_reduce(a, &key_parsed, &out->key_condition, err)
                               : !ddb_legacy_key_conditions(a, member(req, "KeyConditions"), &out->key_condition, err))
            return false;
    }
    return check_select(req, out, err);
}

/* ---- against the table -------------------------------------------------------------- */

/* How many attributes a starting key has: the table's keys and the
 * index's that are not the table's. */
static size_t start_key_size(const struct ddb_table *t, const struct ddb_index *ix)
{
    size_t n = t->keys.range_name ? 2 : 1;
    const char *names[2] = {ix ? ix->keys.hash_name : NULL, ix ? ix->keys.range_name : NULL};
    size_t lens[2] = {ix ? ix->keys.hash_name_len : 0, ix ? ix->keys.range_name_len : 0};
    for (size_t i = 0; i < 2; i++) {
        if (!names[i])
            continue;
        bool table_key = ddb_name_compare(names[i], lens[i], t->keys.hash_name, t->keys.hash_name_len) == 0 ||
                         (t->keys.range_name &&
                          ddb_name_compare(names[i], lens[i], t->keys.range_name, t->keys.range_name_len) == 0);
        n += !table_key;
    }
    return n;
}

/* One attribute of the queried schema in the starting key: present and
 * of the key's type ("The provided key element does not match the schema"). */
static bool check_start_part(const struct ddb_read_request *r, const struct ddb_key_schema *keys, bool hash,
                             struct ddb_error *err)
{
    const char *name = hash ? keys->hash_name : keys->range_name;
    size_t len = hash ? keys->hash_name_len : keys->range_name_len;
    if (!ddb_map_get(&r->start, name, len))
        return ddb_fail(err, DDB_ERR_VALIDATION, START_KEY_INVALID);
    return ddb_key_check_part(keys, hash, &r->start, err);
}

/* The starting key's table part, checked as a Key. */
static bool check_start_table_key(const struct ddb_read_request *r, const struct ddb_table *t, struct ddb_error *err)
{
    struct ddb_attr attrs[2];
    size_t n = 0;
    const struct ddb_value *h = ddb_map_get(&r->start, t->keys.hash_name, t->keys.hash_name_len);
    const struct ddb_value *g = t->keys.range_name ? ddb_map_get(&r->start, t->keys.range_name, t->keys.range_name_len)
                                                   : NULL;
    if (h)
        attrs[n++] = (struct ddb_attr){.name = t->keys.hash_name, .name_len = t->keys.hash_name_len, .value = *h};
    if (g)
        attrs[n++] = (struct ddb_attr){.name = t->keys.range_name, .name_len = t->keys.range_name_len, .value = *g};
    struct ddb_value key;
    ddb_map_build(attrs, n, &key);
    struct ddb_error inner;
    if (!ddb_key_check(&t->keys, &key, &inner))
        return ddb_fail(err, DDB_ERR_VALIDATION, START_KEY_INVALID ": %s", inner.message);
    return true;
}

static bool check_start_segment(const struct ddb_read_request *r, const struct ddb_read_plan *p, struct ddb_error *err)
{
    if (!r->has_start || !r->segmented)
        return true;
    const struct ddb_value *sh = ddb_map_get(&r->start, p->keys->hash_name, p->keys->hash_name_len);
    uint32_t low, high, at = sh ? ddb_key_scan_hash(sh, NULL) : 0;
    ddb_scan_segment_bounds(r->segment, r->total_segments, &low, &high);
    if (at < low || at >= high)
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        START_KEY_INVALID ": Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct "
                                          "Segment. TotalSegments: %lld Segment: %lld",
                        (long long)r->total_segments, (long long)r->segment);
    return true;
}

/* The starting key within the query's partition and sort key range. */
static bool check_start_in_range(const struct ddb_read_request *r, const struct ddb_read_plan *p,
                                 struct ddb_error *err)
{
    if (!r->has_start || r->scan)
        return true;
    const struct ddb_value *h = ddb_map_get(&r->start, p->keys->hash_name, p->keys->hash_name_len);
    bool same_partition = h && ddb_value_equal(h, &p->hash->values[0]);
    if (!p->range) {
        if (!same_partition)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "The provided starting key is outside query boundaries based on provided conditions");
        return true;
    }
    const struct ddb_value *g = ddb_map_get(&r->start, p->keys->range_name, p->keys->range_name_len);
    if (!g || !ddb_key_predicate_matches(p->range, g))
        return ddb_fail(err, DDB_ERR_VALIDATION, "The provided starting key does not match the range key predicate");
    if (!same_partition)
        return ddb_fail(err, DDB_ERR_VALIDATION, "The query can return at most one row and cannot be restarted");
    return true;
}

static bool check_nested(const struct ddb_table *t, const struct ddb_name_list *nested, struct ddb_error *err)
{
    if (!nested->len)
        return true;
    if (!ddb_check_nested_key_paths(nested, &t->keys, false, err))
        return false;
    for (int global = 1; global >= 0; global--)
        for (size_t i = 0; i < t->n_indexes; i++)
            if (t->indexes[i].global == global && !ddb_check_nested_key_paths(nested, &t->indexes[i].keys, true, err))
                return false;
    return true;
}

/* Select ALL_ATTRIBUTES on an index that projects less: a global one
 * refuses it, a local one reads the items from the table. */
static bool check_select_index(const struct ddb_read_request *r, struct ddb_read_plan *plan, struct ddb_error *err)
{
    if (!plan->index || plan->index->projection == DDB_PROJECT_ALL || r->select != DDB_SELECT_ALL_ATTRIBUTES)
        return true;
    if (plan->index->global)
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                        "for global secondary index %s because its projection type is not ALL",
                        r->index_name);
    plan->fetch_from_table = true;
    return true;
}

/* Query: per attribute of the queried key schema, the starting key's
 * then the key condition's, as AWS interleaves them. */
static bool check_query_keys(const struct ddb_read_request *r, const struct ddb_table *t, struct ddb_read_plan *plan,
                             struct ddb_error *err)
{
    for (int part = 0; part < (plan->keys->range_name ? 2 : 1); part++) {
        bool hash = part == 0;
        if (r->has_start && !check_start_part(r, plan->keys, hash, err))
            return false;
        if (!ddb_key_condition_check_part(&r->key_condition, plan->keys, hash, hash ? &plan->hash : &plan->range, err))
            return false;
    }
    return !r->has_start || (check_start_table_key(r, t, err) && check_start_in_range(r, plan, err));
}

bool ddb_read_request_check_table(const struct ddb_read_request *r, const struct ddb_table *t,
                                  struct ddb_read_plan *plan, struct ddb_error *err)
{
    memset(plan, 0, sizeof(*plan));
    plan->keys = &t->keys;
    if (r->index_name) {
        plan->index = ddb_table_index(t, r->index_name, strlen(r->index_name));
        if (!plan->index || !ddb_index_is_live(plan->index))
            return ddb_fail(err, DDB_ERR_VALIDATION, "The table does not have the specified index: %s", r->index_name);
        if (plan->index->global && r->consistent)
            return ddb_fail(err, DDB_ERR_VALIDATION, "Consistent reads are not supported on global secondary indexes");
        plan->keys = &plan->index->keys;
    }
    if (r->has_start && r->start.len != start_key_size(t, plan->index))
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                        r->scan && !plan->index ? START_KEY_INVALID ": The provided key element does not match the schema"
                                                : START_KEY_INVALID);
    if (r->scan) {
        for (int part = 0; r->has_start && plan->index && part < (plan->keys->range_name ? 2 : 1); part++)
            if (!check_start_part(r, plan->keys, part == 0, err))
                return false;
        if (!check_select_index(r, plan, err) || (r->has_start && !check_start_table_key(r, t, err)) ||
            !check_start_segment(r, plan, err) || !check_nested(t, &r->projection.nested, err))
            return false;
    } else {
        if (!check_query_keys(r, t, plan, err) || !check_nested(t, &r->projection.nested, err))
            return false;
        if (r->filter &&
            !ddb_check_filter_key_attributes(r->filter, plan->keys, r->filter_legacy ? "QueryFilter" : "Filter Expression",
                                             err))
            return false;
        if (!check_select_index(r, plan, err))
            return false;
    }
    if (plan->index && plan->index->backfilling)
        return ddb_fail(err, DDB_ERR_VALIDATION, "Cannot read from backfilling global secondary index: %s",
                        r->index_name);
    return check_nested(t, &r->filter_nested, err);
}
