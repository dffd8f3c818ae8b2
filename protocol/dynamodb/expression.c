/* protocol/dynamodb expression: what every expression parser shares — the
 * request's ExpressionAttributeNames/Values, the tokenizer, AWS-style
 * syntax errors, document paths and the semantic error slots (see
 * expr_internal.h).
 *
 * The tokenizer makes one pass over the text (at most 4 KB) into an array
 * of tokens; the parsers are recursive descent over that array with a
 * nesting limit, so parsing is linear and bounded. A syntax error names
 * the offending token and the text from the token before it to the token
 * after it, as AWS does: token: "=", near: "a = =". */
#include "protocol/dynamodb/expr_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/value_json.h"

const char *ddb_expression_role_name(enum ddb_expression_role role)
{
    switch (role) {
    case DDB_EXPR_CONDITION: return "ConditionExpression";
    case DDB_EXPR_FILTER: return "FilterExpression";
    case DDB_EXPR_KEY_CONDITION: return "KeyConditionExpression";
    case DDB_EXPR_UPDATE: return "UpdateExpression";
    case DDB_EXPR_PROJECTION: return "ProjectionExpression";
    }
    return "Expression";
}

bool expr_check_length(enum ddb_expression_role role, size_t len, struct ddb_error *err)
{
    if (len == 0)
        return ddb_fail(err, DDB_ERR_VALIDATION, "Invalid %s: The expression can not be empty;",
                        ddb_expression_role_name(role));
    if (len > DDB_EXPRESSION_MAX_BYTES)
        return ddb_fail(err, DDB_ERR_VALIDATION,
                        "Invalid %s: Expression size has exceeded the maximum allowed size; expression size: %zu",
                        ddb_expression_role_name(role), len);
    return true;
}

/* ---- the request's names and values ----------------------------------- */

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* "#" or ":" followed by one or more [0-9a-zA-Z_]. */
static bool placeholder_key_ok(const char *key, size_t len, char lead)
{
    if (len < 2 || key[0] != lead)
        return false;
    for (size_t i = 1; i < len; i++)
        if (!is_word_char(key[i]))
            return false;
    return true;
}

static bool fail_key(struct ddb_error *err, const char *param, const char *key, size_t len)
{
    return ddb_fail(err, DDB_ERR_VALIDATION, "%s contains invalid key: Syntax error; key: \"%.*s\"", param,
                    (int)len, key);
}

bool ddb_json_check_names(const struct json_value *v, struct ddb_error *err)
{
    if (!v || v->type == JSON_NULL || v->type == JSON_OBJECT) {
        for (size_t i = 0; v && v->type == JSON_OBJECT && i < v->len; i++) {
            const struct json_value *m = &v->u.members[i].value;
            switch (m->type) {
            case JSON_STRING:
            case JSON_NULL: break;
            case JSON_BOOL:
                return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s cannot be converted to String",
                                m->boolean ? "TRUE_VALUE" : "FALSE_VALUE");
            case JSON_NUMBER:
                return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s cannot be converted to String",
                                memchr(m->u.str, '.', m->len) || memchr(m->u.str, 'e', m->len) ||
                                        memchr(m->u.str, 'E', m->len)
                                    ? "DECIMAL_VALUE"
                                    : "NUMBER_VALUE");
            case JSON_ARRAY:
                return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s", "Unrecognized collection type class java.lang.String");
            case JSON_OBJECT:
                return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s", "Start of structure or map found where not expected");
            }
        }
        return true;
    }
    if (v->type == JSON_ARRAY)
        return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s",
                        "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>");
    return ddb_fail(err, DDB_ERR_SERIALIZATION, "%s", "Unexpected field type");
}

static int name_entry_order(const void *x, const void *y)
{
    const struct ddb_expr_name *const *a = x, *const *b = y;
    return ddb_name_compare((*a)->key, (*a)->key_len, (*b)->key, (*b)->key_len);
}

static int value_entry_order(const void *x, const void *y)
{
    const struct ddb_expr_value *const *a = x, *const *b = y;
    return ddb_name_compare((*a)->key, (*a)->key_len, (*b)->key, (*b)->key_len);
}

static bool load_names(struct ddb_expr_context *ctx, const struct json_value *names, struct ddb_error *err)
{
    if (!ddb_json_check_names(names, err))
        return false;
    ctx->has_names = true;
    if (names->len == 0)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "ExpressionAttributeNames must not be empty");
    bool *overridden;
    ctx->names = arena_array(ctx->arena, names->len, sizeof(*ctx->names));
    ctx->names_by_key = arena_array(ctx->arena, names->len, sizeof(*ctx->names_by_key));
    if (!ctx->names || !ctx->names_by_key || !ddb_json_overridden_members(ctx->arena, names, &overridden))
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < names->len; i++) {
        const struct json_member *m = &names->u.members[i];
        if (!placeholder_key_ok(m->key, m->key_len, '#'))
            return fail_key(err, "ExpressionAttributeNames", m->key, m->key_len);
        if (m->value.type != JSON_STRING || (overridden && overridden[i]))
            continue;
        ctx->names_by_key[ctx->nnames] = &ctx->names[ctx->nnames];
        ctx->names[ctx->nnames++] = (struct ddb_expr_name){m->key, m->key_len, m->value.u.str, m->value.len, false};
    }
    qsort(ctx->names_by_key, ctx->nnames, sizeof(*ctx->names_by_key), name_entry_order);
    return true;
}

static bool load_values(struct ddb_expr_context *ctx, const struct json_value *values, struct ddb_error *err)
{
    if (!ddb_json_check_map(values, err))
        return false;
    ctx->has_values = true;
    if (values->len == 0)
        return ddb_fail(err, DDB_ERR_VALIDATION, "%s", "ExpressionAttributeValues must not be empty");
    for (size_t i = 0; i < values->len; i++) {
        const struct json_member *m = &values->u.members[i];
        if (!placeholder_key_ok(m->key, m->key_len, ':'))
            return fail_key(err, "ExpressionAttributeValues", m->key, m->key_len);
    }
    bool *overridden;
    ctx->values = arena_array(ctx->arena, values->len, sizeof(*ctx->values));
    ctx->values_by_key = arena_array(ctx->arena, values->len, sizeof(*ctx->values_by_key));
    if (!ctx->values || !ctx->values_by_key || !ddb_json_overridden_members(ctx->arena, values, &overridden))
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < values->len; i++) {
        const struct json_member *m = &values->u.members[i];
        if (m->value.type == JSON_NULL || (overridden && overridden[i]))
            continue;
        struct ddb_expr_value *ev = &ctx->values[ctx->nvalues];
        struct ddb_error why;
        if (!ddb_value_from_json(ctx->arena, &m->value, DDB_SLOT_MAP_VALUE, &ev->value, &why)) {
            if (why.type != DDB_ERR_VALIDATION) {
                *err = why;
                return false;
            }
            ddb_fail(err, DDB_ERR_VALIDATION, "ExpressionAttributeValues contains invalid value: %s for key %.*s",
                     why.message, (int)m->key_len, m->key);
            err->fault = why.fault;
            return false;
        }
        ev->key = m->key;
        ev->key_len = m->key_len;
        ctx->values_by_key[ctx->nvalues] = ev;
        ctx->nvalues++;
    }
    qsort(ctx->values_by_key, ctx->nvalues, sizeof(*ctx->values_by_key), value_entry_order);
    return true;
}

bool ddb_expr_context_init(struct ddb_expr_context *ctx, struct arena *a, const struct json_value *names,
                           const struct json_value *values, struct ddb_error *err)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->arena = a;
    if (names && names->type != JSON_NULL && !load_names(ctx, names, err))
        return false;
    if (values && values->type != JSON_NULL && !load_values(ctx, values, err))
        return false;
    return true;
}

static bool check_unused(bool present, const char *param, size_t n, size_t stride, const void *entries,
                         struct ddb_error *err)
{
    if (!present)
        return true;
    struct strbuf sb;
    strbuf_init(&sb);
    for (size_t i = 0; i < n; i++) {
        const char *base = (const char *)entries + i * stride;
        bool used;
        const char *key;
        size_t key_len;
        if (stride == sizeof(struct ddb_expr_name)) {
            const struct ddb_expr_name *e = (const void *)base;
            used = e->used, key = e->key, key_len = e->key_len;
        } else {
            const struct ddb_expr_value *e = (const void *)base;
            used = e->used, key = e->key, key_len = e->key_len;
        }
        if (used)
            continue;
        strbuf_puts(&sb, sb.len ? ", " : "");
        strbuf_append(&sb, key, key_len);
    }
    bool ok = sb.len == 0;
    if (!ok)
        ddb_fail(err, DDB_ERR_VALIDATION, "Value provided in %s unused in expressions: keys: {%s}", param,
                 sb.data ? sb.data : "");
    strbuf_free(&sb);
    return ok;
}

bool ddb_expr_context_check_unused(const struct ddb_expr_context *ctx, struct ddb_error *err)
{
    return check_unused(ctx->has_names, "ExpressionAttributeNames", ctx->nnames, sizeof(struct ddb_expr_name),
                        ctx->names, err) &&
           check_unused(ctx->has_values, "ExpressionAttributeValues", ctx->nvalues,
                        sizeof(struct ddb_expr_value), ctx->values, err);
}

const struct ddb_expr_name *expr_lookup_name(struct ddb_expr_context *ctx, const char *key, size_t len)
{
    struct ddb_expr_name probe = {.key = key, .key_len = len}, *p = &probe;
    struct ddb_expr_name **found =
        ctx->nnames ? bsearch(&p, ctx->names_by_key, ctx->nnames, sizeof(*ctx->names_by_key), name_entry_order) : NULL;
    if (!found)
        return NULL;
    (*found)->used = true;
    return *found;
}

const struct ddb_expr_value *expr_lookup_value(struct ddb_expr_context *ctx, const char *key, size_t len)
{
    struct ddb_expr_value probe = {.key = key, .key_len = len}, *p = &probe;
    struct ddb_expr_value **found = ctx->nvalues ? bsearch(&p, ctx->values_by_key, ctx->nvalues,
                                                           sizeof(*ctx->values_by_key), value_entry_order)
                                                 : NULL;
    if (!found)
        return NULL;
    (*found)->used = true;
    return *found;
}

/* ---- tokens ----------------------------------------------------------- */

static size_t utf8_char_len(const char *s, size_t avail)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return n <= avail ? n : avail;
}

static struct token lex_one(const char *s, size_t len, size_t i)
{
    struct token t = {T_OTHER, i, 1, false};
    char c = s[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
        size_t j = i + 1;
        while (j < len && is_word_char(s[j]))
            j++;
        t = (struct token){T_IDENT, i, j - i, j < len && (s[j] == '#' || s[j] == ':')};
    } else if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < len && is_word_char(s[j]))
            j++;
        t = (struct token){c == '#' ? T_NAME : T_VALUE, i, j - i, false};
    } else if (c >= '0' && c <= '9') {
        size_t j = i + 1;
        while (j < len && s[j] >= '0' && s[j] <= '9')
            j++;
        t = (struct token){T_NUMBER, i, j - i, false};
    } else {
        bool two = i + 1 < len;
        switch (c) {
        case '(': t.kind = T_LPAREN; break;
        case ')': t.kind = T_RPAREN; break;
        case '[': t.kind = T_LBRACKET; break;
        case ']': t.kind = T_RBRACKET; break;
        case ',': t.kind = T_COMMA; break;
        case '.': t.kind = T_DOT; break;
        case '=': t.kind = T_EQ; break;
        case '+': t.kind = T_PLUS; break;
        case '-': t.kind = T_MINUS; break;
        case '<':
            if (two && s[i + 1] == '>')
                t = (struct token){T_NE, i, 2, false};
            else if (two && s[i + 1] == '=')
                t = (struct token){T_LE, i, 2, false};
            else
                t.kind = T_LT;
            break;
        case '>':
            if (two && s[i + 1] == '=')
                t = (struct token){T_GE, i, 2, false};
            else
                t.kind = T_GT;
            break;
        default: t.len = utf8_char_len(s + i, len - i); break;
        }
    }
    return t;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool expr_begin(struct expr_parser *p, struct ddb_expr_context *ctx, enum ddb_expression_role role,
                const char *text, size_t len, struct ddb_error *err)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->arena = ctx->arena;
    p->role = role;
    p->text = text;
    p->text_len = len;
    p->err = err;
    if (!expr_check_length(role, len, err))
        return false;
    p->toks = arena_array(p->arena, len + 1, sizeof(*p->toks));
    if (!p->toks)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < len;) {
        if (is_space(text[i])) {
            i++;
            continue;
        }
        struct token t = lex_one(text, len, i);
        p->toks[p->ntoks++] = t;
        i += t.len;
    }
    p->toks[p->ntoks++] = (struct token){T_END, len, 0, false};
    return true;
}

bool expr_is_keyword(const struct expr_parser *p, const struct token *t, const char *word)
{
    if (t->kind != T_IDENT || t->glued || strlen(word) != t->len)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = p->text[t->start + i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != word[i])
            return false;
    }
    return true;
}

bool expr_is_parser_keyword(const struct expr_parser *p, const struct token *t)
{
    for (const char *const *w = p->keywords; w && *w; w++)
        if (expr_is_keyword(p, t, *w))
            return true;
    return false;
}

bool expr_syntax_error(struct expr_parser *p)
{
    if (p->syntax_failed || p->nomem)
        return false;
    p->syntax_failed = true;
    size_t at = p->pos;
    const struct token *t = &p->toks[at];
    const struct token *prev = at > 0 ? &p->toks[at - 1] : NULL;
    const struct token *next = t->kind != T_END && at + 1 < p->ntoks && p->toks[at + 1].kind != T_END
                                   ? &p->toks[at + 1] : NULL;
    size_t from = prev ? prev->start : t->start;
    size_t to = next ? next->start + next->len : t->start + t->len;
    if (t->kind == T_END)
        to = prev ? prev->start + prev->len : 0;
    if (t->kind == T_END)
        ddb_fail(p->err, DDB_ERR_VALIDATION, "Invalid %s: Syntax error; token: \"<EOF>\", near: \"%.*s\"",
                 ddb_expression_role_name(p->role), (int)(to - from), p->text + from);
    else
        ddb_fail(p->err, DDB_ERR_VALIDATION, "Invalid %s: Syntax error; token: \"%.*s\", near: \"%.*s\"",
                 ddb_expression_role_name(p->role), (int)t->len, p->text + t->start, (int)(to - from),
                 p->text + from);
    return false;
}

bool expr_nomem(struct expr_parser *p)
{
    if (!p->nomem && !p->syntax_failed)
        ddb_fail_nomem(p->err);
    p->nomem = true;
    return false;
}

bool expr_enter(struct expr_parser *p)
{
    if (p->depth >= EXPR_MAX_NESTING)
        return expr_syntax_error(p);
    p->depth++;
    return true;
}

bool expr_fail(struct expr_parser *p, const char *message)
{
    return ddb_fail(p->err, DDB_ERR_VALIDATION, "Invalid %s: %s", ddb_expression_role_name(p->role), message);
}

/* ---- error slots -------------------------------------------------------- */

void slot_take(struct expr_parser *p, struct error_slot *slot, struct strbuf *sb, bool overwrite)
{
    if ((slot->message && !overwrite) || strbuf_failed(sb)) {
        if (strbuf_failed(sb))
            expr_nomem(p);
        strbuf_free(sb);
        return;
    }
    char *copy = arena_memdup(p->arena, sb->data ? sb->data : "", sb->len);
    strbuf_free(sb);
    if (!copy) {
        expr_nomem(p);
        return;
    }
    slot->message = copy;
}

bool slot_set(struct expr_parser *p, struct error_slot *slot, const char *fmt, ...)
{
    if (slot->message)
        return false;
    char buf[DDB_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    slot->message = arena_memdup(p->arena, buf, strlen(buf));
    if (!slot->message)
        expr_nomem(p);
    return false;
}

void expr_undefined_name_message(struct strbuf *sb, const char *key, size_t len)
{
    strbuf_puts(sb, "An expression attribute name used in the document path is not defined; attribute name: ");
    strbuf_append(sb, key, len);
}

void expr_undefined_value_message(struct strbuf *sb, const char *key, size_t len)
{
    strbuf_puts(sb, "An expression attribute value used in expression is not defined; attribute value: ");
    strbuf_append(sb, key, len);
}

/* ---- paths -------------------------------------------------------------- */

void path_resolve_names(struct expr_parser *p, struct path_builder *b, struct error_slot *reserved,
                        struct error_slot *undefined)
{
    for (size_t i = 0; i < b->len; i++) {
        struct parsed_step *s = &b->steps[i];
        if (!s->step.name)
            continue;
        if (s->tok->kind == T_IDENT) {
            if (ddb_is_reserved_word(s->step.name, s->step.name_len))
                slot_set(p, reserved, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                         (int)s->step.name_len, s->step.name);
            continue;
        }
        if (undefined->message)
            continue;
        const struct ddb_expr_name *e = expr_lookup_name(p->ctx, tok_text(p, s->tok), s->tok->len);
        if (!e) {
            struct strbuf sb;
            strbuf_init(&sb);
            expr_undefined_name_message(&sb, tok_text(p, s->tok), s->tok->len);
            slot_take(p, undefined, &sb, false);
            continue;
        }
        s->step.name = e->name;
        s->step.name_len = e->name_len;
    }
}

bool path_push(struct expr_parser *p, struct path_builder *b, const struct parsed_step *s)
{
    if (!(b->steps = arena_grow(p->arena, b->steps, b->len, &b->cap, sizeof(*b->steps), 4)))
        return expr_nomem(p);
    b->steps[b->len++] = *s;
    return true;
}

struct parsed_step path_name_step(const struct expr_parser *p, const struct token *t)
{
    return (struct parsed_step){{.name = p->text + t->start, .name_len = t->len}, t};
}

bool path_parse_steps(struct expr_parser *p, struct path_builder *b)
{
    for (;;) {
        const struct token *t = expr_peek(p);
        if (t->kind == T_DOT) {
            expr_next(p);
            const struct token *n = expr_peek(p);
            if (n->kind != T_NAME && (n->kind != T_IDENT || expr_is_parser_keyword(p, n)))
                return expr_syntax_error(p);
            expr_next(p);
            struct parsed_step s = path_name_step(p, n);
            if (!path_push(p, b, &s))
                return false;
        } else if (t->kind == T_LBRACKET) {
            expr_next(p);
            const struct token *n = expr_peek(p);
            if (n->kind != T_NUMBER)
                return expr_syntax_error(p);
            expr_next(p);
            if (expr_peek(p)->kind != T_RBRACKET)
                return expr_syntax_error(p);
            expr_next(p);
            uint64_t index = 0;
            for (size_t i = 0; i < n->len; i++) {
                index = index * 10 + (uint64_t)(p->text[n->start + i] - '0');
                if (index > UINT32_MAX)
                    index = UINT32_MAX;
            }
            struct parsed_step s = {{.name = NULL, .index = (uint32_t)index}, n};
            if (!path_push(p, b, &s))
                return false;
        } else {
            return true;
        }
    }
}

void path_builder_describe(struct strbuf *sb, const struct path_builder *b)
{
    strbuf_putc(sb, '[');
    for (size_t i = 0; i < b->len; i++) {
        const struct ddb_path_step *s = &b->steps[i].step;
        if (i)
            strbuf_puts(sb, ", ");
        if (s->name)
            strbuf_append(sb, s->name, s->name_len);
        else
            strbuf_printf(sb, "[%u]", s->index);
    }
    strbuf_putc(sb, ']');
}

bool path_builder_finish(struct expr_parser *p, const struct path_builder *b, struct ddb_path *out)
{
    struct ddb_path_step *steps = arena_array(p->arena, b->len ? b->len : 1, sizeof(*steps));
    if (!steps)
        return expr_nomem(p);
    for (size_t i = 0; i < b->len; i++)
        steps[i] = b->steps[i].step;
    *out = (struct ddb_path){steps, b->len};
    return true;
}

const struct ddb_value *ddb_path_resolve(const struct ddb_value *item, const struct ddb_path *path)
{
    const struct ddb_value *v = item;
    for (size_t i = 0; v && i < path->len; i++) {
        const struct ddb_path_step *s = &path->steps[i];
        if (s->name) {
            v = v->type == DDB_M ? ddb_map_get(v, s->name, s->name_len) : NULL;
        } else {
            v = v->type == DDB_L && s->index < v->len ? &v->u.items[s->index] : NULL;
        }
    }
    return v;
}

void ddb_path_describe(struct strbuf *sb, const struct ddb_path *path)
{
    strbuf_putc(sb, '[');
    for (size_t i = 0; i < path->len; i++) {
        if (i)
            strbuf_puts(sb, ", ");
        if (path->steps[i].name)
            strbuf_append(sb, path->steps[i].name, path->steps[i].name_len);
        else
            strbuf_printf(sb, "[%u]", path->steps[i].index);
    }
    strbuf_putc(sb, ']');
}

/* Overlap when one path is a prefix of the other; conflict when at some
 * step one has a name and the other an index (before any difference). */
void path_check_overlap(struct expr_parser *p, struct ddb_path *paths, size_t n, struct error_slot *overlap,
                        struct error_slot *conflict)
{
    for (size_t j = 1; j < n && !overlap->message; j++) {
        for (size_t i = 0; i < j && !overlap->message; i++) {
            const struct ddb_path *a = &paths[i], *b = &paths[j];
            size_t common = a->len < b->len ? a->len : b->len, k;
            bool differ = false, conflicts = false;
            for (k = 0; k < common; k++) {
                const struct ddb_path_step *x = &a->steps[k], *y = &b->steps[k];
                if ((x->name == NULL) != (y->name == NULL)) {
                    conflicts = true;
                    break;
                }
                if (x->name ? ddb_name_compare(x->name, x->name_len, y->name, y->name_len) != 0
                            : x->index != y->index) {
                    differ = true;
                    break;
                }
            }
            if (differ)
                continue;
            struct strbuf sb;
            strbuf_init(&sb);
            strbuf_puts(&sb, conflicts ? "Two document paths conflict with each other; "
                                       : "Two document paths overlap with each other; ");
            strbuf_puts(&sb, "must remove or rewrite one of these paths; path one: ");
            ddb_path_describe(&sb, a);
            strbuf_puts(&sb, ", path two: ");
            ddb_path_describe(&sb, b);
            /* AWS reports the last conflict but the first overlap. */
            slot_take(p, conflicts ? conflict : overlap, &sb, conflicts);
        }
    }
}

bool name_list_from_paths(struct arena *a, const struct ddb_path *paths, size_t n, bool nested_only,
                          struct ddb_name_list *out)
{
    struct ddb_path_step *names = arena_array(a, n ? n : 1, sizeof(*names));
    if (!names)
        return false;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (paths[i].len == 0 || (nested_only && paths[i].len < 2))
            continue;
        names[len++] = paths[i].steps[0];
    }
    *out = (struct ddb_name_list){names, len};
    return true;
}

bool ddb_name_list_has(const struct ddb_name_list *list, const char *name, size_t name_len)
{
    for (size_t i = 0; i < list->len; i++)
        if (ddb_name_compare(list->names[i].name, list->names[i].name_len, name, name_len) == 0)
            return true;
    return false;
}

bool ddb_check_nested_key_paths(const struct ddb_name_list *nested, const struct ddb_key_schema *keys, bool index,
                                struct ddb_error *err)
{
    const char *names[2] = {keys->hash_name, keys->range_name};
    size_t lens[2] = {keys->hash_name_len, keys->range_name_len};
    for (size_t k = 0; k < 2 && names[k]; k++)
        if (ddb_name_list_has(nested, names[k], lens[k]))
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                            "allowed: %s: %.*s",
                            index ? "IndexKey" : "Key", (int)lens[k], names[k]);
    return true;
}
