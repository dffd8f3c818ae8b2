/* protocol json: see json.h. Parsing is yajl's tree API on a NUL-terminated
 * copy; writing appends to a strbuf, so an allocation failure shows once in
 * strbuf_failed() at the end. */
#include "protocol/core/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

yajl_val json_parse(const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    yajl_val v = yajl_tree_parse(copy, NULL, 0);
    free(copy);
    return v;
}

yajl_val json_get(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *json_str(yajl_val obj, const char *key)
{
    yajl_val v = json_get(obj, key);
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int json_int(yajl_val obj, const char *key, int64_t *out)
{
    yajl_val v = json_get(obj, key);
    if (!v || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_INTEGER(v))
        return -1;
    *out = YAJL_GET_INTEGER(v);
    return 1;
}

int json_bool(yajl_val obj, const char *key, bool *out)
{
    yajl_val v = json_get(obj, key);
    if (!v || YAJL_IS_NULL(v))
        return 0;
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return -1;
    *out = YAJL_IS_TRUE(v);
    return 1;
}

void jw_init(struct json_writer *w, struct strbuf *sb)
{
    memset(w, 0, sizeof(*w));
    w->sb = sb;
}

/* Comma and key before a value at the current depth. */
static void begin_value(struct json_writer *w, const char *key)
{
    if (w->has_item[w->depth])
        strbuf_putc(w->sb, ',');
    w->has_item[w->depth] = true;
    if (key) {
        strbuf_json_string(w->sb, key, strlen(key));
        strbuf_putc(w->sb, ':');
    }
}

static void open_container(struct json_writer *w, const char *key, char c)
{
    begin_value(w, key);
    strbuf_putc(w->sb, c);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->has_item[w->depth] = false;
}

void jw_object_open(struct json_writer *w, const char *key) { open_container(w, key, '{'); }
void jw_array_open(struct json_writer *w, const char *key) { open_container(w, key, '['); }

void jw_object_close(struct json_writer *w)
{
    strbuf_putc(w->sb, '}');
    if (w->depth > 0)
        w->depth--;
}

void jw_array_close(struct json_writer *w)
{
    strbuf_putc(w->sb, ']');
    if (w->depth > 0)
        w->depth--;
}

void jw_string(struct json_writer *w, const char *key, const char *value)
{
    begin_value(w, key);
    strbuf_json_string(w->sb, value ? value : "", value ? strlen(value) : 0);
}

void jw_string_opt(struct json_writer *w, const char *key, const char *value)
{
    if (value)
        jw_string(w, key, value);
}

void jw_int(struct json_writer *w, const char *key, int64_t value)
{
    begin_value(w, key);
    strbuf_printf(w->sb, "%" PRId64, value);
}

void jw_bool(struct json_writer *w, const char *key, bool value)
{
    begin_value(w, key);
    strbuf_puts(w->sb, value ? "true" : "false");
}

void jw_null(struct json_writer *w, const char *key)
{
    begin_value(w, key);
    strbuf_puts(w->sb, "null");
}

void jw_raw(struct json_writer *w, const char *key, const char *json, size_t len)
{
    begin_value(w, key);
    strbuf_append(w->sb, json, len);
}

void jw_tree(struct json_writer *w, const char *key, yajl_val v)
{
    if (!v || YAJL_IS_NULL(v)) {
        jw_null(w, key);
    } else if (YAJL_IS_STRING(v)) {
        jw_string(w, key, v->u.string);
    } else if (YAJL_IS_NUMBER(v)) {
        jw_raw(w, key, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        jw_bool(w, key, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_OBJECT(v)) {
        jw_object_open(w, key);
        for (size_t i = 0; i < v->u.object.len; i++)
            jw_tree(w, v->u.object.keys[i], v->u.object.values[i]);
        jw_object_close(w);
    } else if (YAJL_IS_ARRAY(v)) {
        jw_array_open(w, key);
        for (size_t i = 0; i < v->u.array.len; i++)
            jw_tree(w, NULL, v->u.array.values[i]);
        jw_array_close(w);
    }
}
