/* protocol/dynamodb request: the shape, required-parameter and constraint
 * checks of a request against its operation's input shape (see
 * request.h for the three steps and their order).
 *
 * Step 1 walks the shape and the JSON together, depth first, and stops at
 * the first wrong JSON type. A collection directly inside another one
 * (BatchWriteItem's lists of WriteRequests, BatchGetItem's lists of keys)
 * is "parameterized" in Coral's deserializer, which words its errors
 * differently. Step 3 walks the same way with the member's path, and
 * collects every violation into one message. */
#include "protocol/dynamodb/request.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/strbuf.h"
#include "protocol/dynamodb/value_json.h"

#define DYNAMODB_CLASS "com.amazonaws.dynamodb.v20120810."
#define PARAMETERIZED_CAST                                                                          \
    "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class "  \
    "java.lang.Class (sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and "            \
    "java.lang.Class are in module java.base of loader 'bootstrap')"
/* Values longer than this are cut in messages. */
#define RENDER_MAX 1024

size_t ddb_utf16_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) != 0x80)
            n += c >= 0xf0 ? 2 : 1;
    }
    return n;
}

/* ---- step 1: shapes -------------------------------------------------------- */

/* Where a value sits: a structure's member, or an element of a list or
 * map — and whether that list or map is itself inside a collection. */
enum slot { SLOT_FIELD, SLOT_ELEMENT, SLOT_NESTED_COLLECTION };

static bool fail_serialization(struct ddb_error *err, const char *text)
{
    return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s", text);
}

static bool check_integer(const struct json_value *v, const char *java, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_NULL:
    case JSON_NUMBER: return true;
    case JSON_STRING: return ddb_fail(err, DDB_ERR_SERIALIZATION, "STRING_VALUE cannot be converted to %s", java);
    case JSON_BOOL:
        return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s cannot be converted to %s",
                        v->boolean ? "TRUE_VALUE" : "FALSE_VALUE", java);
    case JSON_ARRAY:
        return ddb_fail(err, DDB_ERR_SERIALIZATION, "Unrecognized collection type class java.lang.%s", java);
    case JSON_OBJECT: break;
    }
    return fail_serialization(err, "Start of structure or map found where not expected");
}

static bool check_shape(const struct ddb_shape *s, const struct json_value *v, enum slot slot,
                        struct ddb_error *err);

static bool check_struct(const struct ddb_shape *s, const struct json_value *v, enum slot slot,
                         struct ddb_error *err)
{
    switch (v->type) {
    case JSON_OBJECT: break;
    case JSON_ARRAY:
        return ddb_fail(err, DDB_ERR_SERIALIZATION, "Unrecognized collection type class " DYNAMODB_CLASS "%s",
                        s->type_name);
    default:
        return fail_serialization(err, slot == SLOT_FIELD ? "Unexpected field type" : "Unexpected value type in payload");
    }
    for (size_t i = 0; i < s->n_members; i++) {
        const struct json_value *m = json_get(v, s->members[i].name);
        if (m && !check_shape(s->members[i].shape, m, SLOT_FIELD, err))
            return false;
    }
    return true;
}

static bool check_list(const struct ddb_shape *s, const struct json_value *v, enum slot slot, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_ARRAY: break;
    case JSON_OBJECT: return fail_serialization(err, "Start of structure or map found where not expected");
    default:
        return fail_serialization(err, slot == SLOT_NESTED_COLLECTION ? PARAMETERIZED_CAST : "Unexpected field type");
    }
    enum slot inner = s->element->kind == DDB_SHAPE_LIST || s->element->kind == DDB_SHAPE_MAP ? SLOT_NESTED_COLLECTION
                                                                                               : SLOT_ELEMENT;
    for (size_t i = 0; i < v->len; i++)
        if (v->u.items[i].type != JSON_NULL && !check_shape(s->element, &v->u.items[i], inner, err))
            return false;
    return true;
}

static bool check_map(const struct ddb_shape *s, const struct json_value *v, enum slot slot, struct ddb_error *err)
{
    switch (v->type) {
    case JSON_OBJECT: break;
    case JSON_ARRAY:
        return ddb_fail(err, DDB_ERR_SERIALIZATION, "Unrecognized collection type java.util.Map<java.lang.String, %s>",
                        s->type_name);
    default:
        return fail_serialization(err, slot == SLOT_NESTED_COLLECTION ? PARAMETERIZED_CAST : "Unexpected field type");
    }
    enum slot inner = s->element->kind == DDB_SHAPE_LIST || s->element->kind == DDB_SHAPE_MAP ? SLOT_NESTED_COLLECTION
                                                                                               : SLOT_ELEMENT;
    for (size_t i = 0; i < v->len; i++)
        if (v->u.members[i].value.type != JSON_NULL && !check_shape(s->element, &v->u.members[i].value, inner, err))
            return false;
    return true;
}

static bool check_shape(const struct ddb_shape *s, const struct json_value *v, enum slot slot, struct ddb_error *err)
{
    if (v->type == JSON_NULL)
        return true;
    bool ignored;
    switch (s->kind) {
    case DDB_SHAPE_STRING: return ddb_json_check_string(v, err);
    case DDB_SHAPE_BOOLEAN: return ddb_json_boolean(v, &ignored, err);
    case DDB_SHAPE_INTEGER: return check_integer(v, "Integer", err);
    case DDB_SHAPE_LONG: return check_integer(v, "Long", err);
    case DDB_SHAPE_LIST: return check_list(s, v, slot, err);
    case DDB_SHAPE_MAP: return check_map(s, v, slot, err);
    case DDB_SHAPE_STRUCT: return check_struct(s, v, slot, err);
    case DDB_SHAPE_ATTRIBUTE_VALUE:
        return ddb_json_check_value(v, slot == SLOT_FIELD ? DDB_SLOT_FIELD : DDB_SLOT_MAP_VALUE, err);
    }
    return true;
}

/* ---- step 2: parameters checked first ------------------------------------------ */

static bool check_required_first(const struct ddb_shape *input, const struct json_value *body, struct ddb_error *err)
{
    for (size_t i = 0; i < input->n_members; i++) {
        const struct ddb_member *m = &input->members[i];
        if (!m->required_first)
            continue;
        const struct json_value *v = json_get(body, m->name);
        if (!v || v->type == JSON_NULL)
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "The parameter '%s' is required but was not present in the request", m->name);
        size_t len = ddb_utf16_length(v->u.str, v->len);
        if (m->shape->has_min_len && m->shape->has_max_len &&
            ((int64_t)len < m->shape->min_len || (int64_t)len > m->shape->max_len))
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "%s must be at least %lld characters long and at most %lld characters long", m->name,
                            (long long)m->shape->min_len, (long long)m->shape->max_len);
    }
    return true;
}

/* ---- step 3: constraints ----------------------------------------------------- */

struct violations {
    struct strbuf list;            /* "; "-separated */
    int count;
};

/* Java's rendering of a value in a message, as Coral's toString() gives
 * it: strings as they are, lists "[a, b]", maps "{k=v}", structures
 * "KeySchemaElement(attributeName=a, keyType=HASH)". s may be NULL (no
 * shape known: plain JSON). Bounded by RENDER_MAX. */
static void render(struct strbuf *sb, const struct ddb_shape *s, const struct json_value *v, size_t start)
{
    if (sb->len - start > RENDER_MAX)
        return;
    const struct ddb_shape *element = s ? s->element : NULL;
    switch (v->type) {
    case JSON_NULL: strbuf_puts(sb, "null"); break;
    case JSON_BOOL: strbuf_puts(sb, v->boolean ? "true" : "false"); break;
    case JSON_NUMBER:
    case JSON_STRING: strbuf_append(sb, v->u.str, v->len); break;
    case JSON_ARRAY:
        strbuf_putc(sb, '[');
        for (size_t i = 0; i < v->len && sb->len - start <= RENDER_MAX; i++) {
            if (i)
                strbuf_puts(sb, ", ");
            render(sb, element, &v->u.items[i], start);
        }
        strbuf_putc(sb, ']');
        break;
    case JSON_OBJECT:
        if (s && s->kind == DDB_SHAPE_STRUCT) {
            strbuf_printf(sb, "%s(", s->type_name);
            for (size_t i = 0; i < s->n_members && sb->len - start <= RENDER_MAX; i++) {
                const struct json_value *m = json_get(v, s->members[i].name);
                char first = s->members[i].name[0];
                strbuf_puts(sb, i ? ", " : "");
                strbuf_putc(sb, (char)(first >= 'A' && first <= 'Z' ? first - 'A' + 'a' : first));
                strbuf_printf(sb, "%s=", s->members[i].name + 1);
                if (m)
                    render(sb, s->members[i].shape, m, start);
                else
                    strbuf_puts(sb, "null");
            }
            strbuf_putc(sb, ')');
            break;
        }
        strbuf_putc(sb, '{');
        for (size_t i = 0; i < v->len && sb->len - start <= RENDER_MAX; i++) {
            if (i)
                strbuf_puts(sb, ", ");
            strbuf_append(sb, v->u.members[i].key, v->u.members[i].key_len);
            strbuf_putc(sb, '=');
            render(sb, s && s->kind == DDB_SHAPE_MAP ? element : NULL, &v->u.members[i].value, start);
        }
        strbuf_putc(sb, '}');
        break;
    }
}

static void violation(struct violations *out, const struct ddb_shape *s, const struct json_value *v, const char *path,
                      const char *what)
{
    if (out->count++ >= DDB_MAX_VALIDATION_ERRORS)
        return;
    if (out->list.len)
        strbuf_puts(&out->list, "; ");
    strbuf_puts(&out->list, "Value ");
    if (!v || v->type == JSON_NULL) {
        strbuf_puts(&out->list, "null");
    } else {
        strbuf_putc(&out->list, '\'');
        render(&out->list, s, v, out->list.len);
        strbuf_putc(&out->list, '\'');
    }
    strbuf_printf(&out->list, " at '%s' failed to satisfy constraint: %s", path, what);
}

static bool matches_name_pattern(const struct json_value *v)
{
    if (v->len == 0)
        return false;
    for (size_t i = 0; i < v->len; i++) {
        char c = v->u.str[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == '-'))
            return false;
    }
    return true;
}

static const char *pattern_text(enum ddb_pattern p)
{
    return p == DDB_PATTERN_NAME ? "[a-zA-Z0-9_.-]+" : "";
}

/* The length of a string, list or map value as its constraints count it. */
static int64_t value_length(const struct json_value *v)
{
    return v->type == JSON_STRING ? (int64_t)ddb_utf16_length(v->u.str, v->len) : (int64_t)v->len;
}

/* An integer member's value: JSON numbers with a fraction are taken
 * towards minus infinity, as Coral's deserializer does. */
static int64_t integer_value(const struct json_value *v)
{
    int64_t n;
    if (json_number_int64(v, &n))
        return n;
    double d;
    if (!json_number_double(v, &d))
        return 0;
    d = floor(d);
    return d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
}

/* The constraints of one shape that a value may break, AWS's order:
 * pattern, minimum length, maximum length, enum, range. */
static void check_own_constraints(const struct ddb_shape *s, const struct json_value *v, const char *path,
                                  struct violations *out)
{
    char what[512];
    if (s->pattern != DDB_PATTERN_NONE && v->type == JSON_STRING && !matches_name_pattern(v)) {
        snprintf(what, sizeof(what), "Member must satisfy regular expression pattern: %s", pattern_text(s->pattern));
        violation(out, s, v, path, what);
    }
    bool sized = v->type == JSON_STRING || v->type == JSON_ARRAY || v->type == JSON_OBJECT;
    if (sized && s->has_min_len && value_length(v) < s->min_len) {
        snprintf(what, sizeof(what), "Member must have length greater than or equal to %lld", (long long)s->min_len);
        violation(out, s, v, path, what);
    }
    if (sized && s->has_max_len && value_length(v) > s->max_len) {
        snprintf(what, sizeof(what), "Member must have length less than or equal to %lld", (long long)s->max_len);
        violation(out, s, v, path, what);
    }
    if (s->enum_values && v->type == JSON_STRING) {
        bool found = false;
        for (const char *const *e = s->enum_values; *e && !found; e++)
            found = strlen(*e) == v->len && memcmp(*e, v->u.str, v->len) == 0;
        if (!found) {
            struct strbuf set;
            strbuf_init(&set);
            strbuf_puts(&set, "Member must satisfy enum value set: [");
            for (const char *const *e = s->enum_values; *e; e++) {
                if (e != s->enum_values)
                    strbuf_puts(&set, ", ");
                strbuf_puts(&set, *e);
            }
            strbuf_putc(&set, ']');
            violation(out, s, v, path, set.data ? set.data : "");
            strbuf_free(&set);
        }
    }
    if (v->type == JSON_NUMBER && (s->kind == DDB_SHAPE_INTEGER || s->kind == DDB_SHAPE_LONG)) {
        int64_t n = integer_value(v);
        if (s->has_min && n < s->min) {
            snprintf(what, sizeof(what), "Member must have value greater than or equal to %lld", (long long)s->min);
            violation(out, s, v, path, what);
        }
        if (s->has_max && n > s->max) {
            snprintf(what, sizeof(what), "Member must have value less than or equal to %lld", (long long)s->max);
            violation(out, s, v, path, what);
        }
    }
}

/* "[Member must have length less than or equal to 255, Member must have
 * length greater than or equal to 3, ...]": the constraints of s, listed
 * as AWS lists them for map keys and values. */
static void describe_constraints(struct strbuf *sb, const struct ddb_shape *s)
{
    strbuf_putc(sb, '[');
    bool first = true;
    if (s->has_max_len) {
        strbuf_printf(sb, "Member must have length less than or equal to %lld", (long long)s->max_len);
        first = false;
    }
    if (s->has_min_len) {
        strbuf_printf(sb, "%sMember must have length greater than or equal to %lld", first ? "" : ", ",
                      (long long)s->min_len);
        first = false;
    }
    if (s->pattern != DDB_PATTERN_NONE)
        strbuf_printf(sb, "%sMember must satisfy regular expression pattern: %s", first ? "" : ", ",
                      pattern_text(s->pattern));
    strbuf_putc(sb, ']');
}

static bool breaks_length(const struct ddb_shape *s, int64_t len)
{
    return (s->has_min_len && len < s->min_len) || (s->has_max_len && len > s->max_len);
}

static void check_constraints(const struct ddb_shape *s, const struct json_value *v, struct strbuf *path,
                              struct violations *out);

static void with_path(const struct ddb_shape *s, const struct json_value *v, struct strbuf *path, size_t keep,
                      struct violations *out)
{
    check_constraints(s, v, path, out);
    path->len = keep;
    if (path->data)
        path->data[keep] = '\0';
}

static void check_members(const struct ddb_shape *s, const struct json_value *v, struct strbuf *path,
                          struct violations *out)
{
    size_t keep = path->len;
    for (size_t i = 0; i < s->n_members; i++) {
        const struct ddb_member *m = &s->members[i];
        const struct json_value *mv = json_get(v, m->name);
        if (keep)
            strbuf_putc(path, '.');
        char first = m->name[0];
        strbuf_putc(path, (char)(first >= 'A' && first <= 'Z' ? first - 'A' + 'a' : first));
        strbuf_puts(path, m->name + 1);
        if (!mv || mv->type == JSON_NULL) {
            if (m->not_null)
                violation(out, NULL, NULL, path->data ? path->data : "", "Member must not be null");
            path->len = keep;
            if (path->data)
                path->data[keep] = '\0';
            continue;
        }
        with_path(m->shape, mv, path, keep, out);
    }
}

static void check_constraints(const struct ddb_shape *s, const struct json_value *v, struct strbuf *path,
                              struct violations *out)
{
    const char *p = path->data ? path->data : "";
    check_own_constraints(s, v, p, out);
    size_t keep = path->len;
    if (s->kind == DDB_SHAPE_STRUCT && v->type == JSON_OBJECT) {
        check_members(s, v, path, out);
    } else if (s->kind == DDB_SHAPE_LIST && v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->len; i++) {
            if (v->u.items[i].type == JSON_NULL)
                continue;
            strbuf_printf(path, ".%zu.member", i + 1);
            with_path(s->element, &v->u.items[i], path, keep, out);
        }
    } else if (s->kind == DDB_SHAPE_MAP && v->type == JSON_OBJECT) {
        for (size_t i = 0; s->key && i < v->len; i++) {
            const struct json_value key = {.type = JSON_STRING, .len = v->u.members[i].key_len,
                                           .u.str = v->u.members[i].key};
            bool bad = breaks_length(s->key, value_length(&key)) ||
                       (s->key->pattern != DDB_PATTERN_NONE && !matches_name_pattern(&key));
            if (bad) {
                struct strbuf what;
                strbuf_init(&what);
                strbuf_puts(&what, "Map keys must satisfy constraint: ");
                describe_constraints(&what, s->key);
                violation(out, s, v, p, what.data ? what.data : "");
                strbuf_free(&what);
            }
        }
        for (size_t i = 0; s->value_constraints_at_map && i < v->len; i++) {
            const struct json_value *mv = &v->u.members[i].value;
            if ((mv->type == JSON_ARRAY || mv->type == JSON_OBJECT) && breaks_length(s->element, value_length(mv))) {
                struct strbuf what;
                strbuf_init(&what);
                strbuf_puts(&what, "Map value must satisfy constraint: ");
                describe_constraints(&what, s->element);
                violation(out, s, v, p, what.data ? what.data : "");
                strbuf_free(&what);
            }
        }
        for (size_t i = 0; i < v->len; i++) {
            if (v->u.members[i].value.type == JSON_NULL)
                continue;
            strbuf_putc(path, '.');
            strbuf_append(path, v->u.members[i].key, v->u.members[i].key_len);
            strbuf_puts(path, ".member");
            if (s->value_constraints_at_map && s->element->kind == DDB_SHAPE_LIST) {
                /* the list's length was reported at the map: only its elements here */
                const struct json_value *list = &v->u.members[i].value;
                size_t list_keep = path->len;
                for (size_t j = 0; list->type == JSON_ARRAY && j < list->len; j++) {
                    if (list->u.items[j].type == JSON_NULL)
                        continue;
                    strbuf_printf(path, ".%zu.member", j + 1);
                    with_path(s->element->element, &list->u.items[j], path, list_keep, out);
                }
                path->len = keep;
                if (path->data)
                    path->data[keep] = '\0';
                continue;
            }
            with_path(s->element, &v->u.members[i].value, path, keep, out);
        }
    }
}

bool ddb_request_check(const struct ddb_shape *input, const struct json_value *body, struct ddb_error *err)
{
    if (!json_is(body, JSON_OBJECT))
        return fail_serialization(err, "Start of structure or map found where not expected");
    if (!check_struct(input, body, SLOT_FIELD, err))
        return false;
    if (!check_required_first(input, body, err))
        return false;
    struct violations out = {.count = 0};
    strbuf_init(&out.list);
    struct strbuf path;
    strbuf_init(&path);
    check_members(input, body, &path, &out);
    strbuf_free(&path);
    bool ok = out.count == 0;
    if (strbuf_failed(&out.list))
        ok = ddb_fail_nomem(err);
    else if (!ok)
        ddb_fail(err, DDB_ERR_VALIDATION, "%d validation error%s detected: %s",
                 out.count < DDB_MAX_VALIDATION_ERRORS ? out.count : DDB_MAX_VALIDATION_ERRORS,
                 out.count == 1 ? "" : "s", out.list.data ? out.list.data : "");
    strbuf_free(&out.list);
    return ok;
}
