/* protocol/dynamodb value_json: AttributeValues from and to JSON (see
 * value_json.h for the two passes and their order).
 *
 * The shape pass walks the JSON tree (bounded by the reader's nesting
 * limit); the value pass stops at DDB_MAX_NESTING levels, so both
 * recursions are bounded. Duplicate set members are found by sorting
 * pointers, never by comparing every pair. */
#include "protocol/dynamodb/value_json.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/core/base64.h"
#include "protocol/dynamodb/request.h"

#define INVALID_PREFIX "One or more parameter values were invalid: "

/* AWS's order for the members of an AttributeValue. */
static const enum ddb_type member_order[] = {DDB_S, DDB_B, DDB_N, DDB_BOOL, DDB_NULL,
                                             DDB_BS, DDB_NS, DDB_SS, DDB_L, DDB_M};
#define MEMBER_COUNT (sizeof(member_order) / sizeof(member_order[0]))

/* ---- messages built piece by piece ------------------------------------ */

struct message {
    struct ddb_error *err;
    size_t len;
};

static void message_start(struct message *m, struct ddb_error *err, enum ddb_error_type type,
                          enum ddb_value_fault fault)
{
    m->err = err;
    m->len = 0;
    if (err) {
        err->type = type;
        err->fault = fault;
        err->message[0] = '\0';
    }
}

static void message_add(struct message *m, const char *s, size_t len)
{
    if (!m->err)
        return;
    size_t room = sizeof(m->err->message) - 1 - m->len;
    if (len > room)
        len = room;
    memcpy(m->err->message + m->len, s, len);
    m->len += len;
    m->err->message[m->len] = '\0';
}

static void message_puts(struct message *m, const char *s) { message_add(m, s, strlen(s)); }

static bool fail_fault(struct ddb_error *err, enum ddb_value_fault fault, const char *text)
{
    ddb_fail(err, DDB_ERR_VALIDATION, "%s", text);
    if (err)
        err->fault = fault;
    return false;
}

static bool fail_shape(struct ddb_error *err, const char *text)
{
    return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s", text);
}

/* ---- pass 1: shapes --------------------------------------------------- */

static bool number_is_integral(const struct json_value *v)
{
    return !memchr(v->u.str, '.', v->len) && !memchr(v->u.str, 'e', v->len) &&
           !memchr(v->u.str, 'E', v->len);
}

bool ddb_json_check_string(const struct json_value *v, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_STRING:
    case JSON_NULL: return true;
    case JSON_BOOL:
        return fail_shape(err, v->boolean ? "TRUE_VALUE cannot be converted to String"
                                          : "FALSE_VALUE cannot be converted to String");
    case JSON_NUMBER:
        return fail_shape(err, number_is_integral(v) ? "NUMBER_VALUE cannot be converted to String"
                                                     : "DECIMAL_VALUE cannot be converted to String");
    case JSON_ARRAY: return fail_shape(err, "Unrecognized collection type class java.lang.String");
    case JSON_OBJECT: break;
    }
    return fail_shape(err, "Start of structure or map found where not expected");
}

static bool ascii_equal_fold(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        char c = a[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != b[i])
            return false;
    }
    return true;
}

/* A Boolean member: true/false, or the strings AWS coerces ("true", "1",
 * "yes" and their opposites, any case). *out gets the value. */
static bool check_boolean(const struct json_value *v, bool *out, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_NULL: return true;
    case JSON_BOOL: *out = v->boolean; return true;
    case JSON_STRING:
        if (ascii_equal_fold(v->u.str, v->len, "TRUE") || ascii_equal_fold(v->u.str, v->len, "1") ||
            ascii_equal_fold(v->u.str, v->len, "YES")) {
            *out = true;
            return true;
        }
        if (ascii_equal_fold(v->u.str, v->len, "FALSE") || ascii_equal_fold(v->u.str, v->len, "0") ||
            ascii_equal_fold(v->u.str, v->len, "NO")) {
            *out = false;
            return true;
        }
        return fail_shape(err, "Unexpected token received from parser");
    case JSON_NUMBER:
        return fail_shape(err, number_is_integral(v) ? "NUMBER_VALUE cannot be converted to Boolean"
                                                     : "DECIMAL_VALUE cannot be converted to Boolean");
    case JSON_ARRAY: return fail_shape(err, "Unrecognized collection type class java.lang.Boolean");
    case JSON_OBJECT: break;
    }
    return fail_shape(err, "Start of structure or map found where not expected");
}

bool ddb_json_check_blob(const struct json_value *v, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_NULL: return true;
    case JSON_BOOL:
    case JSON_NUMBER: return fail_shape(err, "only base-64-encoded strings are convertible to bytes");
    case JSON_ARRAY: return fail_shape(err, "Unrecognized collection type class java.nio.ByteBuffer");
    case JSON_OBJECT: return fail_shape(err, "Start of structure or map found where not expected");
    case JSON_STRING: break;
    }
    if (v->len % 4)
        return ddb_fail(err, DDB_ERR_SERIALIZATION,
                        "Base64 encoded length is expected a multiple of 4 bytes but found: %zu", v->len);
    if (!base64_is_canonical(v->u.str, v->len))
        return fail_shape(err, "Invalid last non-pad Base64 character dectected");
    return true;
}

/* A JSON array member (L, SS, NS, BS): its own type first. */
static bool check_list(const struct json_value *v, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_ARRAY:
    case JSON_NULL: return true;
    case JSON_OBJECT: return fail_shape(err, "Start of structure or map found where not expected");
    default: break;
    }
    return fail_shape(err, "Unexpected field type");
}

static bool check_map_object(const struct json_value *v, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_OBJECT:
    case JSON_NULL: return true;
    case JSON_ARRAY:
        return fail_shape(err, "Unrecognized collection type java.util.Map<java.lang.String, "
                               "com.amazonaws.dynamodb.v20120810.AttributeValue>");
    default: break;
    }
    return fail_shape(err, "Unexpected field type");
}

static bool check_member(enum ddb_type type, const struct json_value *m, struct ddb_error *err)
{
    bool ignored;
    switch (type) {
    case DDB_S:
    case DDB_N: return ddb_json_check_string(m, err);
    case DDB_B: return ddb_json_check_blob(m, err);
    case DDB_BOOL:
    case DDB_NULL: return check_boolean(m, &ignored, err);
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        if (!check_list(m, err))
            return false;
        for (size_t i = 0; m->type == JSON_ARRAY && i < m->len; i++)
            if (!(type == DDB_BS ? ddb_json_check_blob(&m->u.items[i], err) : ddb_json_check_string(&m->u.items[i], err)))
                return false;
        return true;
    case DDB_L:
        if (!check_list(m, err))
            return false;
        for (size_t i = 0; m->type == JSON_ARRAY && i < m->len; i++)
            if (!ddb_json_check_value(&m->u.items[i], DDB_SLOT_MAP_VALUE, err))
                return false;
        return true;
    case DDB_M: return ddb_json_check_map(m, err);
    }
    return true;
}

bool ddb_json_check_value(const struct json_value *v, enum ddb_json_slot slot, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_NULL: return true;
    case JSON_OBJECT: break;
    case JSON_ARRAY:
        return fail_shape(err, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
    default:
        return fail_shape(err, slot == DDB_SLOT_FIELD ? "Unexpected field type" : "Unexpected value type in payload");
    }
    for (size_t t = 0; t < MEMBER_COUNT; t++) {
        const struct json_value *m = json_get(v, ddb_type_name(member_order[t]));
        if (m && !check_member(member_order[t], m, err))
            return false;
    }
    return true;
}

bool ddb_json_check_map(const struct json_value *v, struct ddb_error *err)
{
    if (!check_map_object(v, err))
        return false;
    for (size_t i = 0; v->type == JSON_OBJECT && i < v->len; i++)
        if (!ddb_json_check_value(&v->u.members[i].value, DDB_SLOT_MAP_VALUE, err))
            return false;
    return true;
}

bool ddb_json_boolean(const struct json_value *v, bool *out, struct ddb_error *err)
{
    return check_boolean(v, out, err);
}

/* ---- pass 2: values --------------------------------------------------- */

struct converter {
    struct arena *arena;
    struct ddb_error *err;
};

static bool nomem(struct converter *c) { return ddb_fail_nomem(c->err); }

static bool convert_value(struct converter *c, const struct json_value *v, int level, struct ddb_value *out);

static bool convert_number(struct converter *c, const struct json_value *s, struct ddb_value *out)
{
    struct ddb_number n;
    enum ddb_number_status st = ddb_number_parse(s->u.str, s->len, &n);
    if (st == DDB_NUMBER_INVALID) {
        struct message m;
        message_start(&m, c->err, DDB_ERR_VALIDATION, DDB_FAULT_NUMBER);
        message_puts(&m, "The parameter cannot be converted to a numeric value: ");
        message_add(&m, s->u.str, s->len);
        return false;
    }
    if (st != DDB_NUMBER_OK)
        return fail_fault(c->err, DDB_FAULT_NUMBER, ddb_number_status_message(st));
    return ddb_value_number(c->arena, &n, out) || nomem(c);
}

static bool convert_binary(struct converter *c, const struct json_value *s, struct ddb_value *out)
{
    unsigned char *bytes = arena_alloc(c->arena, s->len / 4 * 3 + 1);
    if (!bytes)
        return nomem(c);
    long n = base64_decode_strict(s->u.str, s->len, bytes, s->len / 4 * 3);
    if (n < 0)
        return fail_shape(c->err, "Invalid last non-pad Base64 character dectected");
    bytes[n] = 0;
    *out = (struct ddb_value){.type = DDB_B, .len = (size_t)n, .u.bytes = (const char *)bytes};
    return true;
}

static int scalar_order(const void *x, const void *y)
{
    const struct ddb_value *const *a = x, *const *b = y;
    return ddb_name_compare((*a)->u.bytes, (*a)->len, (*b)->u.bytes, (*b)->len);
}

/* Whether the n elements hold a repeat (compared by their stored bytes). */
static bool has_duplicates(struct converter *c, const struct ddb_value *items, size_t n, bool *dup)
{
    *dup = false;
    if (n < 2)
        return true;
    const struct ddb_value **sorted = arena_array(c->arena, n, sizeof(*sorted));
    if (!sorted)
        return nomem(c);
    for (size_t i = 0; i < n; i++)
        sorted[i] = &items[i];
    qsort(sorted, n, sizeof(*sorted), scalar_order);
    for (size_t i = 1; i < n && !*dup; i++)
        *dup = scalar_order(&sorted[i - 1], &sorted[i]) == 0;
    return true;
}

/* "Input collection [a, b]" with the members as sent. */
static bool fail_duplicates(struct converter *c, enum ddb_type type, const struct json_value *arr)
{
    if (type == DDB_NS)
        return fail_fault(c->err, DDB_FAULT_DUPLICATES, "Input collection contains duplicates");
    struct message m;
    message_start(&m, c->err, DDB_ERR_VALIDATION, DDB_FAULT_DUPLICATES);
    message_puts(&m, INVALID_PREFIX "Input collection [");
    for (size_t i = 0; i < arr->len; i++) {
        if (i)
            message_puts(&m, ", ");
        message_add(&m, arr->u.items[i].u.str, arr->u.items[i].len);
    }
    message_puts(&m, type == DDB_BS ? "]of type BS contains duplicates." : "] contains duplicates.");
    return false;
}

static bool convert_set(struct converter *c, enum ddb_type type, const struct json_value *arr,
                        struct ddb_value *out)
{
    if (arr->len == 0) {
        if (type == DDB_NS)
            return fail_fault(c->err, DDB_FAULT_EMPTY_NUMBER_SET,
                              INVALID_PREFIX "An number set  may not be empty");
        return fail_fault(c->err, DDB_FAULT_EMPTY_SET,
                          type == DDB_SS ? INVALID_PREFIX "An string set  may not be empty"
                                         : INVALID_PREFIX "Binary sets should not be empty");
    }
    struct ddb_value *items = arena_array(c->arena, arr->len, sizeof(*items));
    if (!items)
        return nomem(c);
    for (size_t i = 0; i < arr->len; i++) {
        const struct json_value *e = &arr->u.items[i];
        if (e->type != JSON_STRING)
            return fail_fault(c->err, DDB_FAULT_EMPTY_VALUE,
                              "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        bool ok = type == DDB_NS   ? convert_number(c, e, &items[i])
                  : type == DDB_BS ? convert_binary(c, e, &items[i])
                                   : ddb_value_string(c->arena, e->u.str, e->len, &items[i]) || nomem(c);
        if (!ok)
            return false;
    }
    bool dup;
    if (!has_duplicates(c, items, arr->len, &dup))
        return false;
    if (dup)
        return fail_duplicates(c, type, arr);
    *out = (struct ddb_value){.type = type, .len = arr->len, .u.items = items};
    return true;
}

static bool convert_list(struct converter *c, const struct json_value *arr, int level, struct ddb_value *out)
{
    struct ddb_value *items = arena_array(c->arena, arr->len, sizeof(*items));
    if (!items)
        return nomem(c);
    for (size_t i = 0; i < arr->len; i++)
        if (!convert_value(c, &arr->u.items[i], level + 1, &items[i]))
            return false;
    *out = (struct ddb_value){.type = DDB_L, .len = arr->len, .u.items = items};
    return true;
}

struct keyed_member {
    const struct json_member *member;
    size_t index;
};

static int keyed_member_order(const void *x, const void *y)
{
    const struct keyed_member *a = x, *b = y;
    int c = ddb_name_compare(a->member->key, a->member->key_len, b->member->key, b->member->key_len);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

bool ddb_json_overridden_members(struct arena *a, const struct json_value *obj, bool **out)
{
    *out = NULL;
    if (obj->type != JSON_OBJECT || obj->len < 2)
        return true;
    struct keyed_member *sorted = arena_array(a, obj->len, sizeof(*sorted));
    bool *overridden = arena_array(a, obj->len, sizeof(*overridden));
    if (!sorted || !overridden)
        return false;
    for (size_t i = 0; i < obj->len; i++)
        sorted[i] = (struct keyed_member){&obj->u.members[i], i};
    qsort(sorted, obj->len, sizeof(*sorted), keyed_member_order);
    for (size_t i = 0; i + 1 < obj->len; i++) {
        const struct json_member *x = sorted[i].member, *y = sorted[i + 1].member;
        if (ddb_name_compare(x->key, x->key_len, y->key, y->key_len) == 0)
            overridden[sorted[i].index] = true;
    }
    *out = overridden;
    return true;
}

/* The members of a JSON object as a map value; level is the level of its
 * attributes. */
static bool convert_map(struct converter *c, const struct json_value *obj, int level, struct ddb_value *out)
{
    struct ddb_attr *attrs = arena_array(c->arena, obj->len, sizeof(*attrs));
    if (!attrs)
        return nomem(c);
    bool *overridden;
    if (!ddb_json_overridden_members(c->arena, obj, &overridden))
        return nomem(c);
    size_t n = 0;
    for (size_t i = 0; i < obj->len; i++) {
        const struct json_member *m = &obj->u.members[i];
        if (m->value.type == JSON_NULL || (overridden && overridden[i]))
            continue;
        attrs[n].name = m->key;
        attrs[n].name_len = m->key_len;
        if (!convert_value(c, &m->value, level, &attrs[n].value))
            return false;
        n++;
    }
    ddb_map_build(attrs, n, out);
    return true;
}

static bool convert_member(struct converter *c, enum ddb_type type, const struct json_value *m, int level,
                           struct ddb_value *out)
{
    switch (type) {
    case DDB_S: return ddb_value_string(c->arena, m->u.str, m->len, out) || nomem(c);
    case DDB_N: return convert_number(c, m, out);
    case DDB_B: return convert_binary(c, m, out);
    case DDB_BOOL:
    case DDB_NULL: {
        bool b = false;
        if (!check_boolean(m, &b, c->err))
            return false;
        if (type == DDB_NULL && !b)
            return fail_fault(c->err, DDB_FAULT_NULL_FALSE,
                              INVALID_PREFIX "Null attribute value types must have the value of true");
        *out = (struct ddb_value){.type = type, .boolean = b};
        return true;
    }
    case DDB_SS:
    case DDB_NS:
    case DDB_BS: return convert_set(c, type, m, out);
    case DDB_L: return convert_list(c, m, level, out);
    case DDB_M: return convert_map(c, m, level + 1, out);
    }
    return false;
}

static bool convert_value(struct converter *c, const struct json_value *v, int level, struct ddb_value *out)
{
    if (level > DDB_MAX_NESTING)
        return fail_fault(c->err, DDB_FAULT_NESTING,
                          "Nesting Levels have exceeded supported limits: "
                          "Attributes in the item have nested levels beyond supported limit");
    size_t present = 0;
    for (size_t t = 0; v->type == JSON_OBJECT && t < MEMBER_COUNT; t++) {
        const struct json_value *m = json_get(v, ddb_type_name(member_order[t]));
        if (!m || m->type == JSON_NULL)
            continue;
        if (!convert_member(c, member_order[t], m, level, out))
            return false;
        present++;
    }
    if (present == 0)
        return fail_fault(c->err, DDB_FAULT_EMPTY_VALUE,
                          "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (present > 1)
        return fail_fault(c->err, DDB_FAULT_MULTIPLE_TYPES,
                          "Supplied AttributeValue has more than one datatypes set, "
                          "must contain exactly one of the supported datatypes");
    return true;
}

bool ddb_value_from_json(struct arena *a, const struct json_value *v, enum ddb_json_slot slot,
                         struct ddb_value *out, struct ddb_error *err)
{
    if (!ddb_json_check_value(v, slot, err))
        return false;
    struct converter c = {a, err};
    return convert_value(&c, v, 1, out);
}

static void free_json(void *doc) { json_free(doc); }

bool ddb_arena_keep_json(struct arena *a, const struct json_value *doc)
{
    return arena_defer(a, free_json, (void *)doc);
}

bool ddb_item_from_json_text(struct arena *a, const char *json, size_t len, struct ddb_value *out,
                             struct ddb_error *err)
{
    const struct json_value *doc = json_parse(json, len, NULL);
    if (!doc)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "A stored item is not JSON");
    if (!ddb_arena_keep_json(a, doc))
        return ddb_fail_nomem(err);
    return ddb_map_from_json(a, doc, out, err);
}

bool ddb_map_from_json(struct arena *a, const struct json_value *v, struct ddb_value *out,
                       struct ddb_error *err)
{
    if (!ddb_json_check_map(v, err))
        return false;
    struct converter c = {a, err};
    if (v->type != JSON_OBJECT) {
        *out = (struct ddb_value){.type = DDB_M};
        return true;
    }
    return convert_map(&c, v, 1, out);
}

/* ---- writing ---------------------------------------------------------- */

static void write_base64(struct strbuf *sb, const char *bytes, size_t len)
{
    strbuf_putc(sb, '"');
    base64_append(sb, (const unsigned char *)bytes, len);
    strbuf_putc(sb, '"');
}

static void write_scalar(struct strbuf *sb, const struct ddb_value *v)
{
    if (v->type == DDB_B)
        write_base64(sb, v->u.bytes, v->len);
    else
        strbuf_json_string(sb, v->u.bytes, v->len);
}

void ddb_value_to_json(struct strbuf *sb, const struct ddb_value *v)
{
    strbuf_puts(sb, "{\"");
    strbuf_puts(sb, ddb_type_name(v->type));
    strbuf_puts(sb, "\":");
    switch (v->type) {
    case DDB_S:
    case DDB_N:
    case DDB_B: write_scalar(sb, v); break;
    case DDB_BOOL:
    case DDB_NULL: strbuf_puts(sb, v->boolean || v->type == DDB_NULL ? "true" : "false"); break;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
    case DDB_L:
        strbuf_putc(sb, '[');
        for (size_t i = 0; i < v->len; i++) {
            if (i)
                strbuf_putc(sb, ',');
            if (v->type == DDB_L)
                ddb_value_to_json(sb, &v->u.items[i]);
            else
                write_scalar(sb, &v->u.items[i]);
        }
        strbuf_putc(sb, ']');
        break;
    case DDB_M: ddb_map_to_json(sb, v); break;
    }
    strbuf_putc(sb, '}');
}

void ddb_map_to_json(struct strbuf *sb, const struct ddb_value *map)
{
    strbuf_putc(sb, '{');
    for (size_t i = 0; map->type == DDB_M && i < map->len; i++) {
        if (i)
            strbuf_putc(sb, ',');
        strbuf_json_string(sb, map->u.attrs[i].name, map->u.attrs[i].name_len);
        strbuf_putc(sb, ':');
        ddb_value_to_json(sb, &map->u.attrs[i].value);
    }
    strbuf_putc(sb, '}');
}

void ddb_jw_value(struct json_writer *w, const char *key, const struct ddb_value *v)
{
    jw_raw(w, key, "", 0);
    ddb_value_to_json(w->sb, v);
}

void ddb_jw_map(struct json_writer *w, const char *key, const struct ddb_value *map)
{
    jw_raw(w, key, "", 0);
    ddb_map_to_json(w->sb, map);
}

static void describe_scalar(struct strbuf *sb, const struct ddb_value *v)
{
    if (v->type == DDB_B) {
        size_t need = (v->len + 2) / 3 * 4;
        if (strbuf_reserve(sb, need + 1)) {
            sb->len += base64_encode((const unsigned char *)v->u.bytes, v->len, sb->data + sb->len);
            sb->data[sb->len] = '\0';
        }
    } else {
        strbuf_append(sb, v->u.bytes, v->len);
    }
}

void ddb_value_describe(struct strbuf *sb, const struct ddb_value *v)
{
    strbuf_putc(sb, '{');
    strbuf_puts(sb, ddb_type_name(v->type));
    strbuf_putc(sb, ':');
    switch (v->type) {
    case DDB_S:
    case DDB_N:
    case DDB_B: describe_scalar(sb, v); break;
    case DDB_BOOL:
    case DDB_NULL: strbuf_puts(sb, v->boolean || v->type == DDB_NULL ? "true" : "false"); break;
    case DDB_SS:
    case DDB_NS:
    case DDB_BS:
        strbuf_putc(sb, '[');
        for (size_t i = 0; i < v->len; i++) {
            if (i)
                strbuf_puts(sb, ", ");
            describe_scalar(sb, &v->u.items[i]);
        }
        strbuf_putc(sb, ']');
        break;
    case DDB_L:
    case DDB_M: ddb_value_to_json(sb, v); break;
    }
    strbuf_putc(sb, '}');
}
