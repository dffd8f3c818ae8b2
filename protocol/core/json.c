/* protocol/core json: see json.h.
 *
 * The reader feeds the text to yajl's event parser. Each callback appends
 * a value to the container on top of a heap stack of open containers (a
 * growable array of values or members); closing a container copies its
 * items into the arena as one array and hands the finished value to the
 * container below. Strings and numbers are copied into the arena with a
 * terminating NUL, all in one arena (protocol/core/arena), so json_free()
 * walks the arena's chunk list instead of the tree. */
#include "protocol/core/json.h"

#include "protocol/core/arena.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

/* The document: root first, so json_free() finds the arena from it. */
struct json_doc {
    struct json_value root;
    struct arena arena;
};

void json_free(const struct json_value *root)
{
    if (!root)
        return;
    struct json_doc *d = (struct json_doc *)root;   /* root is the first member */
    arena_free(&d->arena);
    free(d);
}

/* ---- building ----------------------------------------------------------- */

/* An open array or object: its items so far. */
struct frame {
    bool object;
    size_t n, cap;
    void *items;                   /* struct json_value[] or struct json_member[] */
    const char *key;               /* object: the key of the next value */
    size_t key_len;
};

struct builder {
    struct json_doc *doc;
    struct frame *stack;
    size_t depth, cap;
    bool have_root;
    enum json_error err;
};

/* Adds a finished value to the open container, or makes it the root. */
static int add_value(struct builder *b, const struct json_value *v)
{
    if (b->depth == 0) {
        b->doc->root = *v;
        b->have_root = true;
        return 1;
    }
    struct frame *f = &b->stack[b->depth - 1];
    size_t item_size = f->object ? sizeof(struct json_member) : sizeof(struct json_value);
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        void *items = realloc(f->items, cap * item_size);
        if (!items) {
            b->err = JSON_ERR_NOMEM;
            return 0;
        }
        f->items = items;
        f->cap = cap;
    }
    if (f->object) {
        struct json_member *m = (struct json_member *)f->items + f->n;
        m->key = f->key;
        m->key_len = f->key_len;
        m->value = *v;
    } else {
        ((struct json_value *)f->items)[f->n] = *v;
    }
    f->n++;
    return 1;
}

static int on_null(void *ctx)
{
    struct json_value v = {.type = JSON_NULL};
    return add_value(ctx, &v);
}

static int on_boolean(void *ctx, int value)
{
    struct json_value v = {.type = JSON_BOOL, .boolean = value != 0};
    return add_value(ctx, &v);
}

static int on_text(struct builder *b, enum json_type type, const unsigned char *s, size_t len)
{
    struct json_value v = {.type = type, .len = len};
    v.u.str = arena_memdup(&b->doc->arena, s, len);
    if (!v.u.str) {
        b->err = JSON_ERR_NOMEM;
        return 0;
    }
    return add_value(b, &v);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    return on_text(ctx, JSON_NUMBER, (const unsigned char *)s, len);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return on_text(ctx, JSON_STRING, s, len);
}

static int open_container(struct builder *b, bool object)
{
    if (b->depth >= JSON_MAX_NESTING) {
        b->err = JSON_ERR_NESTING;
        return 0;
    }
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct frame *stack = realloc(b->stack, cap * sizeof(*stack));
        if (!stack) {
            b->err = JSON_ERR_NOMEM;
            return 0;
        }
        b->stack = stack;
        b->cap = cap;
    }
    b->stack[b->depth++] = (struct frame){.object = object};
    return 1;
}

static int on_start_map(void *ctx) { return open_container(ctx, true); }
static int on_start_array(void *ctx) { return open_container(ctx, false); }

static int on_map_key(void *ctx, const unsigned char *key, size_t len)
{
    struct builder *b = ctx;
    struct frame *f = &b->stack[b->depth - 1];
    f->key = arena_memdup(&b->doc->arena, key, len);
    f->key_len = len;
    if (!f->key) {
        b->err = JSON_ERR_NOMEM;
        return 0;
    }
    return 1;
}

static int close_container(void *ctx)
{
    struct builder *b = ctx;
    struct frame *f = &b->stack[b->depth - 1];
    size_t item_size = f->object ? sizeof(struct json_member) : sizeof(struct json_value);
    struct json_value v = {.type = f->object ? JSON_OBJECT : JSON_ARRAY, .len = f->n};
    void *items = NULL;
    if (f->n) {
        items = arena_alloc(&b->doc->arena, f->n * item_size);
        if (!items) {
            b->err = JSON_ERR_NOMEM;
            return 0;
        }
        memcpy(items, f->items, f->n * item_size);
    }
    free(f->items);
    b->depth--;
    if (v.type == JSON_OBJECT)
        v.u.members = items;
    else
        v.u.items = items;
    return add_value(b, &v);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = close_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = close_container,
};

const struct json_value *json_parse(const char *text, size_t len, enum json_error *err)
{
    enum json_error local;
    if (!err)
        err = &local;
    *err = JSON_ERR_NOMEM;
    struct builder b = {0};
    b.doc = calloc(1, sizeof(*b.doc));
    if (!b.doc)
        return NULL;
    yajl_handle h = yajl_alloc(&callbacks, NULL, &b);
    if (!h) {
        free(b.doc);
        return NULL;
    }
    yajl_status st = yajl_parse(h, (const unsigned char *)text, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    yajl_free(h);
    for (size_t i = 0; i < b.depth; i++)
        free(b.stack[i].items);
    free(b.stack);
    if (st != yajl_status_ok || !b.have_root) {
        *err = b.err != JSON_OK ? b.err : JSON_ERR_SYNTAX;
        json_free(&b.doc->root);
        return NULL;
    }
    *err = JSON_OK;
    return &b.doc->root;
}

const char *json_error_message(enum json_error err)
{
    switch (err) {
    case JSON_OK: return "ok";
    case JSON_ERR_SYNTAX: return "the body is not valid JSON";
    case JSON_ERR_NESTING: return "the JSON document is nested too deeply";
    case JSON_ERR_NOMEM: return "out of memory";
    }
    return "invalid JSON";
}

/* ---- reading a tree ------------------------------------------------------- */

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
    if (!json_is(obj, JSON_OBJECT))
        return NULL;
    size_t key_len = strlen(key);
    for (size_t i = obj->len; i-- > 0;) {
        const struct json_member *m = &obj->u.members[i];
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0)
            return &m->value;
    }
    return NULL;
}

const char *json_str(const struct json_value *obj, const char *key)
{
    const struct json_value *v = json_get(obj, key);
    return json_is(v, JSON_STRING) ? v->u.str : NULL;
}

const char *json_strn(const struct json_value *obj, const char *key, size_t *len)
{
    const struct json_value *v = json_get(obj, key);
    if (!json_is(v, JSON_STRING))
        return NULL;
    *len = v->len;
    return v->u.str;
}

bool json_has_nul(const struct json_value *v)
{
    return json_is(v, JSON_STRING) && memchr(v->u.str, '\0', v->len) != NULL;
}

bool json_number_int64(const struct json_value *v, int64_t *out)
{
    if (!json_is(v, JSON_NUMBER) || strpbrk(v->u.str, ".eE"))
        return false;
    errno = 0;
    char *end;
    long long n = strtoll(v->u.str, &end, 10);
    if (errno || *end)
        return false;
    *out = n;
    return true;
}

bool json_number_double(const struct json_value *v, double *out)
{
    if (!json_is(v, JSON_NUMBER))
        return false;
    char *end;
    double d = strtod(v->u.str, &end);
    if (*end)
        return false;
    *out = d;
    return true;
}

int json_int(const struct json_value *obj, const char *key, int64_t *out)
{
    const struct json_value *v = json_get(obj, key);
    if (!v || v->type == JSON_NULL)
        return 0;
    return json_number_int64(v, out) ? 1 : -1;
}

int json_bool(const struct json_value *obj, const char *key, bool *out)
{
    const struct json_value *v = json_get(obj, key);
    if (!v || v->type == JSON_NULL)
        return 0;
    if (v->type != JSON_BOOL)
        return -1;
    *out = v->boolean;
    return 1;
}

/* ---- writing -------------------------------------------------------------- */

static bool has_item(const struct json_writer *w)
{
    return w->has_item[w->depth / 8] & (1u << (w->depth % 8));
}

static void set_has_item(struct json_writer *w, bool on)
{
    unsigned char bit = (unsigned char)(1u << (w->depth % 8));
    if (on)
        w->has_item[w->depth / 8] |= bit;
    else
        w->has_item[w->depth / 8] &= (unsigned char)~bit;
}

void jw_init(struct json_writer *w, struct strbuf *sb)
{
    memset(w, 0, sizeof(*w));
    w->sb = sb;
}

/* Comma and key before a value at the current depth. */
static void write_key(struct json_writer *w, const char *key, size_t key_len);

static void begin_value(struct json_writer *w, const char *key)
{
    write_key(w, key, key ? strlen(key) : 0);
}

static void open_writer_container(struct json_writer *w, const char *key, char c)
{
    begin_value(w, key);
    strbuf_putc(w->sb, c);
    if (w->depth + 1 < JSON_WRITER_MAX_DEPTH)
        w->depth++;
    set_has_item(w, false);
}

void jw_object_open(struct json_writer *w, const char *key) { open_writer_container(w, key, '{'); }
void jw_array_open(struct json_writer *w, const char *key) { open_writer_container(w, key, '['); }

static void close_writer_container(struct json_writer *w, char c)
{
    strbuf_putc(w->sb, c);
    if (w->depth > 0)
        w->depth--;
}

void jw_object_close(struct json_writer *w) { close_writer_container(w, '}'); }
void jw_array_close(struct json_writer *w) { close_writer_container(w, ']'); }

void jw_stringn(struct json_writer *w, const char *key, const char *value, size_t len)
{
    begin_value(w, key);
    strbuf_json_string(w->sb, value ? value : "", value ? len : 0);
}

void jw_string(struct json_writer *w, const char *key, const char *value)
{
    jw_stringn(w, key, value, value ? strlen(value) : 0);
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

/* The comma and key before a value; key NULL inside arrays. */
static void write_key(struct json_writer *w, const char *key, size_t key_len)
{
    if (has_item(w))
        strbuf_putc(w->sb, ',');
    set_has_item(w, true);
    if (key) {
        strbuf_json_string(w->sb, key, key_len);
        strbuf_putc(w->sb, ':');
    }
}

/* Writes a scalar, or opens a container (its items follow). */
static void write_value_start(struct json_writer *w, const char *key, size_t key_len,
                              const struct json_value *v)
{
    write_key(w, key, key_len);
    switch (v->type) {
    case JSON_NULL: strbuf_puts(w->sb, "null"); break;
    case JSON_BOOL: strbuf_puts(w->sb, v->boolean ? "true" : "false"); break;
    case JSON_NUMBER: strbuf_append(w->sb, v->u.str, v->len); break;
    case JSON_STRING: strbuf_json_string(w->sb, v->u.str, v->len); break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        strbuf_putc(w->sb, v->type == JSON_ARRAY ? '[' : '{');
        if (w->depth + 1 < JSON_WRITER_MAX_DEPTH)
            w->depth++;
        set_has_item(w, false);
        break;
    }
}

/* jw_tree without recursion: an explicit stack of (container, next item).
 * Parsed trees are at most JSON_MAX_NESTING deep. */
void jw_tree(struct json_writer *w, const char *key, const struct json_value *v)
{
    if (!v) {
        jw_null(w, key);
        return;
    }
    struct position {
        const struct json_value *container;
        size_t next;
    } stack[JSON_MAX_NESTING + 1];
    size_t depth = 0;
    write_value_start(w, key, key ? strlen(key) : 0, v);
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
        stack[depth++] = (struct position){v, 0};
    while (depth > 0) {
        struct position *p = &stack[depth - 1];
        bool object = p->container->type == JSON_OBJECT;
        if (p->next == p->container->len) {
            close_writer_container(w, object ? '}' : ']');
            depth--;
            continue;
        }
        const struct json_value *item;
        if (object) {
            const struct json_member *m = &p->container->u.members[p->next++];
            item = &m->value;
            write_value_start(w, m->key, m->key_len, item);
        } else {
            item = &p->container->u.items[p->next++];
            write_value_start(w, NULL, 0, item);
        }
        if (item->type != JSON_ARRAY && item->type != JSON_OBJECT)
            continue;
        if (depth <= JSON_MAX_NESTING)
            stack[depth++] = (struct position){item, 0};
        else
            close_writer_container(w, item->type == JSON_OBJECT ? '}' : ']');
    }
}
