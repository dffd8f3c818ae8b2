/* protocol/dynamodb partiql: DynamoDB's PartiQL statements (see
 * partiql.h). A tokenizer makes one pass over the text (comments are
 * whitespace, '...' strings and "..." names unescape their doubled
 * quotes); a recursive-descent parser with a nesting limit builds the
 * statement directly in the expression language's trees: WHERE becomes a
 * struct ddb_condition, SET/REMOVE become update actions, literals become
 * attribute values (numbers checked with AWS's messages and the literal's
 * path: "... under root.m[1]"). */
#include "protocol/dynamodb/partiql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MALFORMED "Statement wasn't well formed, can't be processed: "
#define MAX_NESTING 64

enum pq_kind {
    P_END, P_IDENT, P_QUOTED, P_STRING, P_NUMBER, P_PARAM,
    P_LPAREN, P_RPAREN, P_LBRACKET, P_RBRACKET, P_LBRACE, P_RBRACE, P_LBAG, P_RBAG,
    P_COMMA, P_DOT, P_COLON, P_STAR, P_EQ, P_NE, P_LT, P_LE, P_GT, P_GE, P_PLUS, P_MINUS,
};

struct pq_token {
    enum pq_kind kind;
    size_t start, len;
};

struct pq {
    struct arena *arena;
    const char *text;
    size_t text_len;
    struct pq_token *toks;
    size_t ntoks, pos;
    const struct ddb_value *params;
    size_t nparams, next_param;
    int depth;
    bool failed;
    struct ddb_error *err;
};

/* ---- errors ------------------------------------------------------------- */

static bool fail(struct pq *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct pq *p, const char *fmt, ...)
{
    if (p->failed)
        return false;
    p->failed = true;
    p->err->type = DDB_ERR_VALIDATION;
    p->err->fault = DDB_FAULT_NONE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
    va_end(ap);
    return false;
}

static bool malformed(struct pq *p, const char *detail) { return fail(p, MALFORMED "%s", detail); }

static bool nomem(struct pq *p)
{
    if (!p->failed)
        ddb_fail_nomem(p->err);
    p->failed = true;
    return false;
}

/* "line:column:length" of a token, counted in characters from 1. */
static void position(const struct pq *p, const struct pq_token *t, char out[64])
{
    size_t line = 1, column = 1, length = 0;
    for (size_t i = 0; i < t->start; i++) {
        unsigned char c = (unsigned char)p->text[i];
        if (c == '\n') {
            line++;
            column = 1;
        } else if ((c & 0xc0) != 0x80) {
            column++;
        }
    }
    for (size_t i = t->start; i < t->start + t->len; i++)
        if (((unsigned char)p->text[i] & 0xc0) != 0x80)
            length++;
    snprintf(out, 64, "%zu:%zu:%zu", line, column, length);
}

/* ---- tokens ------------------------------------------------------------- */

static bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The end of a number literal starting at i, or 0 when the exponent
 * cannot be read as a 32-bit integer (AWS refuses the statement). */
static size_t number_end(const char *s, size_t len, size_t i, bool *ok)
{
    *ok = true;
    size_t frac = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && is_digit(s[i])) {
            i++;
            frac++;
        }
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        bool negative = false;
        if (j < len && (s[j] == '+' || s[j] == '-'))
            negative = s[j++] == '-';
        if (j < len && is_digit(s[j])) {
            long long e = 0;
            while (j < len && is_digit(s[j])) {
                if (e < 10000000000LL)
                    e = e * 10 + (s[j] - '0');
                j++;
            }
            long long scale = negative ? (long long)frac + e : (long long)frac - e;
            if (e > 2147483647LL || scale > 2147483647LL || scale < -2147483648LL)
                *ok = false;
            i = j;
        }
    }
    return i;
}

static bool tokenize(struct pq *p)
{
    const char *s = p->text;
    size_t len = p->text_len;
    p->toks = arena_array(p->arena, len + 1, sizeof(*p->toks));
    if (!p->toks)
        return nomem(p);
    for (size_t i = 0; i < len;) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
            i++;
            continue;
        }
        if (c == '-' && i + 1 < len && s[i + 1] == '-') {
            while (i < len && s[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len; j++)
                if (s[j] == '*' && s[j + 1] == '/') {
                    end = s + j;
                    break;
                }
            if (!end)
                return malformed(p, "");
            i = (size_t)(end - s) + 2;
            continue;
        }
        struct pq_token t = {P_END, i, 1};
        if (is_ident_start(c)) {
            size_t j = i + 1;
            while (j < len && is_ident_char(s[j]))
                j++;
            t = (struct pq_token){P_IDENT, i, j - i};
        } else if (c == '\'' || c == '"') {
            size_t j = i + 1;
            for (;;) {
                if (j >= len)
                    return malformed(p, "");
                if (s[j] == c) {
                    if (j + 1 < len && s[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j++;
            }
            t = (struct pq_token){c == '\'' ? P_STRING : P_QUOTED, i, j + 1 - i};
        } else if (is_digit(c) || (c == '.' && i + 1 < len && is_digit(s[i + 1]))) {
            bool ok;
            size_t j = number_end(s, len, i, &ok);
            if (!ok)
                return malformed(p, "");
            t = (struct pq_token){P_NUMBER, i, j - i};
        } else {
            bool two = i + 1 < len;
            switch (c) {
            case '?': t.kind = P_PARAM; break;
            case '(': t.kind = P_LPAREN; break;
            case ')': t.kind = P_RPAREN; break;
            case '[': t.kind = P_LBRACKET; break;
            case ']': t.kind = P_RBRACKET; break;
            case '{': t.kind = P_LBRACE; break;
            case '}': t.kind = P_RBRACE; break;
            case ',': t.kind = P_COMMA; break;
            case '.': t.kind = P_DOT; break;
            case ':': t.kind = P_COLON; break;
            case '*': t.kind = P_STAR; break;
            case '=': t.kind = P_EQ; break;
            case '+': t.kind = P_PLUS; break;
            case '-': t.kind = P_MINUS; break;
            case '!':
                if (!two || s[i + 1] != '=')
                    return malformed(p, "");
                t = (struct pq_token){P_NE, i, 2};
                break;
            case '<':
                if (two && s[i + 1] == '<')
                    t = (struct pq_token){P_LBAG, i, 2};
                else if (two && s[i + 1] == '>')
                    t = (struct pq_token){P_NE, i, 2};
                else if (two && s[i + 1] == '=')
                    t = (struct pq_token){P_LE, i, 2};
                else
                    t.kind = P_LT;
                break;
            case '>':
                if (two && s[i + 1] == '>')
                    t = (struct pq_token){P_RBAG, i, 2};
                else if (two && s[i + 1] == '=')
                    t = (struct pq_token){P_GE, i, 2};
                else
                    t.kind = P_GT;
                break;
            default: return malformed(p, ""); /* #, @, ... */
            }
        }
        p->toks[p->ntoks++] = t;
        i += t.len;
    }
    p->toks[p->ntoks++] = (struct pq_token){P_END, len, 0};
    return true;
}

static const struct pq_token *peek(const struct pq *p) { return &p->toks[p->pos]; }
static const struct pq_token *peek_at(const struct pq *p, size_t ahead)
{
    size_t i = p->pos + ahead;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}
static const struct pq_token *next(struct pq *p)
{
    const struct pq_token *t = &p->toks[p->pos];
    if (t->kind != P_END)
        p->pos++;
    return t;
}

static bool word_is(const struct pq *p, const struct pq_token *t, const char *word)
{
    if (t->kind != P_IDENT || strlen(word) != t->len)
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

static bool accept_word(struct pq *p, const char *word)
{
    if (!word_is(p, peek(p), word))
        return false;
    next(p);
    return true;
}

static bool expect_word(struct pq *p, const char *word)
{
    if (accept_word(p, word))
        return true;
    char detail[64];
    snprintf(detail, sizeof(detail), "Expected %s", word);
    return malformed(p, detail);
}

static bool expect_kind(struct pq *p, enum pq_kind kind, const char *detail)
{
    if (peek(p)->kind != kind)
        return malformed(p, detail);
    next(p);
    return true;
}

static bool enter(struct pq *p)
{
    if (p->depth >= MAX_NESTING)
        return malformed(p, "Expression nested too deeply");
    p->depth++;
    return true;
}

/* The text of a quoted token without its quotes, doubled quotes made single. */
static bool unquote(struct pq *p, const struct pq_token *t, const char **out, size_t *out_len)
{
    char *buf = arena_alloc(p->arena, t->len);
    if (!buf)
        return nomem(p);
    char q = p->text[t->start];
    size_t n = 0;
    for (size_t i = t->start + 1; i + 1 < t->start + t->len; i++) {
        buf[n++] = p->text[i];
        if (p->text[i] == q)
            i++;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return true;
}

/* Words that may not stand as a bare name (PartiQL's structural keywords). */
static bool is_keyword(const struct pq *p, const struct pq_token *t)
{
    static const char *const words[] = {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "IS", "INSERT", "INTO", "VALUE", "VALUES",
        "UPDATE", "SET", "REMOVE", "DELETE", "RETURNING", "ORDER", "BY", "ASC", "DESC", "AS", "NULL", "MISSING",
        "TRUE", "FALSE", "LIMIT", "JOIN", "INNER", "OUTER", "LEFT", "RIGHT", "CROSS", "ON", "GROUP", "HAVING",
        "UNION", "EXCEPT", "INTERSECT", "DISTINCT", "CASE", "WHEN", "THEN", "ELSE", "END", "EXISTS", "AT", "BY",
        "LIKE", "ESCAPE", "CAST", "NULLIF", "COALESCE", NULL,
    };
    for (const char *const *w = words; *w; w++)
        if (word_is(p, t, *w))
            return true;
    return false;
}

/* ---- literals ------------------------------------------------------------- */

/* Where a literal is, for the messages: "root", "root.m", "root[1]". */
struct where {
    char text[256];
    size_t len;
};

static void where_push_name(struct where *w, const char *name, size_t len, size_t *saved)
{
    *saved = w->len;
    int n = snprintf(w->text + w->len, sizeof(w->text) - w->len, ".%.*s", (int)len, name);
    if (n > 0 && w->len + (size_t)n < sizeof(w->text))
        w->len += (size_t)n;
}

static void where_push_index(struct where *w, size_t index, size_t *saved)
{
    *saved = w->len;
    int n = snprintf(w->text + w->len, sizeof(w->text) - w->len, "[%zu]", index);
    if (n > 0 && w->len + (size_t)n < sizeof(w->text))
        w->len += (size_t)n;
}

static void where_pop(struct where *w, size_t saved)
{
    w->len = saved;
    w->text[saved] = '\0';
}

static bool parse_literal(struct pq *p, struct where *w, struct ddb_value *out);

static bool number_literal(struct pq *p, bool negative, const struct pq_token *t, struct where *w,
                           struct ddb_value *out)
{
    char *text = arena_alloc(p->arena, t->len + 2);
    if (!text)
        return nomem(p);
    size_t n = 0;
    if (negative)
        text[n++] = '-';
    memcpy(text + n, p->text + t->start, t->len);
    n += t->len;
    struct ddb_number num;
    enum ddb_number_status st = ddb_number_parse(text, n, &num);
    if (st != DDB_NUMBER_OK)
        return fail(p, "%s under %s", ddb_number_status_message(st), w->text);
    return ddb_value_number(p->arena, &num, out) || nomem(p);
}

static bool parameter(struct pq *p, struct ddb_value *out)
{
    if (p->next_param >= p->nparams)
        return fail(p, "Number of parameters in request and statement don't match.");
    *out = p->params[p->next_param++];
    return true;
}

static bool list_literal(struct pq *p, struct where *w, struct ddb_value *out)
{
    next(p); /* [ */
    struct ddb_value *items = NULL;
    size_t n = 0, cap = 0;
    while (peek(p)->kind != P_RBRACKET) {
        if (!(items = arena_grow(p->arena, items, n, &cap, sizeof(*items), 4)))
            return nomem(p);
        size_t saved;
        where_push_index(w, n, &saved);
        if (!parse_literal(p, w, &items[n]))
            return false;
        where_pop(w, saved);
        n++;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, P_RBRACKET, "Expected ]"))
        return false;
    *out = (struct ddb_value){.type = DDB_L, .len = n, .u.items = items};
    return true;
}

static bool tuple_literal(struct pq *p, struct where *w, struct ddb_value *out)
{
    next(p); /* { */
    struct ddb_attr *attrs = NULL;
    size_t n = 0, cap = 0;
    while (peek(p)->kind != P_RBRACE) {
        const struct pq_token *k = peek(p);
        if (k->kind != P_STRING) {
            if (k->kind == P_NUMBER || k->kind == P_IDENT || k->kind == P_PARAM)
                return fail(p, "Tuple keys must be of type String. Actual type: %s under %s",
                            k->kind == P_NUMBER ? "DECIMAL" : "SYMBOL", w->text);
            return malformed(p, "Expected a tuple key");
        }
        next(p);
        if (!(attrs = arena_grow(p->arena, attrs, n, &cap, sizeof(*attrs), 4)))
            return nomem(p);
        if (!unquote(p, k, &attrs[n].name, &attrs[n].name_len))
            return false;
        for (size_t i = 0; i < n; i++)
            if (ddb_name_compare(attrs[i].name, attrs[i].name_len, attrs[n].name, attrs[n].name_len) == 0)
                return fail(p, "Duplicate keys in tuple. Key: %.*s under %s", (int)attrs[n].name_len, attrs[n].name,
                            w->text);
        if (!expect_kind(p, P_COLON, "Expected :"))
            return false;
        size_t saved;
        where_push_name(w, attrs[n].name, attrs[n].name_len, &saved);
        if (!parse_literal(p, w, &attrs[n].value))
            return false;
        where_pop(w, saved);
        n++;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, P_RBRACE, "Expected }"))
        return false;
    ddb_map_build(attrs, n, out);
    return true;
}

static int element_order(const void *x, const void *y)
{
    const struct ddb_value *a = x, *b = y;
    return ddb_name_compare(a->u.bytes, a->len, b->u.bytes, b->len);
}

static bool bag_literal(struct pq *p, struct where *w, struct ddb_value *out)
{
    const struct pq_token *open = next(p); /* << */
    (void)open;
    struct ddb_value *items = NULL;
    size_t n = 0, cap = 0;
    while (peek(p)->kind != P_RBAG) {
        if (!(items = arena_grow(p->arena, items, n, &cap, sizeof(*items), 4)))
            return nomem(p);
        if (!parse_literal(p, w, &items[n]))
            return false;
        n++;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, P_RBAG, "Expected >>"))
        return false;
    if (n == 0)
        return fail(p, "Empty bags are not supported");
    enum ddb_type t = items[0].type;
    for (size_t i = 0; i < n; i++)
        if (items[i].type != t || (t != DDB_S && t != DDB_N && t != DDB_B))
            return fail(p, "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    /* duplicates, as AttributeValue sets report them */
    struct ddb_value *sorted = arena_array(p->arena, n, sizeof(*sorted));
    if (!sorted)
        return nomem(p);
    memcpy(sorted, items, n * sizeof(*items));
    qsort(sorted, n, sizeof(*sorted), element_order);
    for (size_t i = 1; i < n; i++) {
        if (element_order(&sorted[i - 1], &sorted[i]) != 0)
            continue;
        if (t == DDB_N)
            return fail(p, "Input collection contains duplicates");
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_puts(&sb, "One or more parameter values were invalid: Input collection [");
        for (size_t k = 0; k < n; k++) {
            strbuf_puts(&sb, k ? ", " : "");
            strbuf_append(&sb, items[k].u.bytes, items[k].len);
        }
        strbuf_puts(&sb, t == DDB_B ? "]of type BS contains duplicates." : "] contains duplicates.");
        bool r = strbuf_failed(&sb) ? nomem(p) : fail(p, "%s", sb.data);
        strbuf_free(&sb);
        return r;
    }
    *out = (struct ddb_value){.type = ddb_set_type_of(t), .len = n, .u.items = items};
    return true;
}

/* A literal or parameter value. */
static bool parse_literal(struct pq *p, struct where *w, struct ddb_value *out)
{
    if (!enter(p))
        return false;
    const struct pq_token *t = peek(p);
    bool ok = true;
    switch (t->kind) {
    case P_STRING: {
        next(p);
        const char *s;
        size_t len;
        ok = unquote(p, t, &s, &len);
        if (ok)
            *out = (struct ddb_value){.type = DDB_S, .len = len, .u.bytes = s};
        break;
    }
    case P_NUMBER: next(p); ok = number_literal(p, false, t, w, out); break;
    case P_MINUS:
    case P_PLUS:
        next(p);
        if (peek(p)->kind != P_NUMBER) {
            ok = malformed(p, "Expected a number");
            break;
        }
        ok = number_literal(p, t->kind == P_MINUS, next(p), w, out);
        break;
    case P_PARAM: next(p); ok = parameter(p, out); break;
    case P_LBRACKET: ok = list_literal(p, w, out); break;
    case P_LBRACE: ok = tuple_literal(p, w, out); break;
    case P_LBAG: ok = bag_literal(p, w, out); break;
    case P_IDENT:
        if (word_is(p, t, "TRUE") || word_is(p, t, "FALSE")) {
            next(p);
            *out = ddb_value_bool(word_is(p, t, "TRUE"));
        } else if (word_is(p, t, "NULL")) {
            next(p);
            *out = ddb_value_null();
        } else if (word_is(p, t, "MISSING")) {
            ok = fail(p, "MISSING must be compared using IS operator");
        } else {
            char at[64];
            position(p, t, at);
            ok = fail(p, "Unsupported data type: %.*s under key %s at %s", (int)t->len, p->text + t->start, w->text,
                      at);
        }
        break;
    default: ok = malformed(p, "Expected a value"); break;
    }
    p->depth--;
    return ok;
}

/* ---- paths ------------------------------------------------------------------ */

struct steps {
    struct ddb_path_step *items;
    size_t len, cap;
};

static bool push_step(struct pq *p, struct steps *s, struct ddb_path_step step)
{
    if (!(s->items = arena_grow(p->arena, s->items, s->len, &s->cap, sizeof(*s->items), 4)))
        return nomem(p);
    s->items[s->len++] = step;
    return true;
}

/* A name: a bare identifier (not a keyword) or a "quoted" one. */
static bool parse_name(struct pq *p, bool after_dot, struct ddb_path_step *out)
{
    const struct pq_token *t = peek(p);
    if (t->kind == P_QUOTED) {
        next(p);
        if (!unquote(p, t, &out->name, &out->name_len))
            return false;
        if (out->name_len == 0)
            return fail(p, "Path component cannot be an empty string");
        return true;
    }
    if (t->kind != P_IDENT || is_keyword(p, t) ||
        (after_dot && (word_is(p, t, "INNER") || word_is(p, t, "VALUE") || word_is(p, t, "SELECT"))))
        return malformed(p, after_dot ? "Invalid path dot component" : "Expected a name");
    next(p);
    *out = (struct ddb_path_step){.name = p->text + t->start, .name_len = t->len};
    return true;
}

static bool parse_path_rest(struct pq *p, struct steps *s)
{
    for (;;) {
        const struct pq_token *t = peek(p);
        if (t->kind == P_DOT) {
            next(p);
            struct ddb_path_step step = {0};
            if (peek(p)->kind == P_IDENT && is_keyword(p, peek(p)))
                return malformed(p, "Invalid path dot component");
            if (!parse_name(p, true, &step) || !push_step(p, s, step))
                return false;
        } else if (t->kind == P_LBRACKET) {
            next(p);
            const struct pq_token *i = peek(p);
            struct ddb_path_step step = {0};
            if (i->kind == P_NUMBER) {
                uint64_t index = 0;
                for (size_t k = 0; k < i->len; k++) {
                    char c = p->text[i->start + k];
                    if (!is_digit(c))
                        return malformed(p, "Invalid list index");
                    index = index * 10 + (uint64_t)(c - '0');
                    if (index > UINT32_MAX)
                        index = UINT32_MAX;
                }
                step.index = (uint32_t)index;
            } else if (i->kind == P_STRING) {
                if (!unquote(p, i, &step.name, &step.name_len))
                    return false;
            } else {
                return malformed(p, "Invalid path index component");
            }
            next(p);
            if (!expect_kind(p, P_RBRACKET, "Expected ]") || !push_step(p, s, step))
                return false;
        } else {
            return true;
        }
    }
}

static bool parse_path(struct pq *p, struct ddb_path *out)
{
    struct steps s = {0};
    struct ddb_path_step head = {0};
    if (peek(p)->kind == P_LBRACKET)
        return fail(p, "A path cannot start with a list index");
    if (!parse_name(p, false, &head) || !push_step(p, &s, head) || !parse_path_rest(p, &s))
        return false;
    *out = (struct ddb_path){s.items, s.len};
    return true;
}

/* ---- WHERE conditions ---------------------------------------------------------- */

/* A parsed WHERE term: a condition, or an operand (a path, a value, a
 * function call) waiting for its comparison. */
struct term {
    bool is_condition;
    bool boolean_function;         /* operand is attribute_exists(...) and the like */
    struct ddb_condition cond;
    struct ddb_operand operand;
    const struct pq_token *tok;
};

static bool parse_or(struct pq *p, struct term *out);

static struct ddb_value *new_value(struct pq *p, struct ddb_value v)
{
    struct ddb_value *copy = arena_alloc(p->arena, sizeof(*copy));
    if (copy)
        *copy = v;
    else
        nomem(p);
    return copy;
}

static bool operand_to_condition(struct pq *p, struct term *t)
{
    if (t->is_condition)
        return true;
    if (!t->boolean_function)
        return fail(p, "WHERE clause must contain an expression that resolves to a boolean");
    struct ddb_operand *fn = arena_alloc(p->arena, sizeof(*fn));
    if (!fn)
        return nomem(p);
    *fn = t->operand;
    t->cond = (struct ddb_condition){.kind = DDB_COND_FUNCTION, .operands = fn, .noperands = 1};
    t->is_condition = true;
    return true;
}

static bool lower_equals(const struct pq *p, const struct pq_token *t, const char *lower)
{
    if (strlen(lower) != t->len)
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = p->text[t->start + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

static bool parse_call(struct pq *p, const struct pq_token *name, struct term *out)
{
    static const struct {
        const char *name;
        enum ddb_function fn;
        size_t operands;
        bool boolean;
    } functions[] = {
        {"attribute_exists", DDB_FN_ATTRIBUTE_EXISTS, 1, true},
        {"attribute_not_exists", DDB_FN_ATTRIBUTE_NOT_EXISTS, 1, true},
        {"attribute_type", DDB_FN_ATTRIBUTE_TYPE, 2, true},
        {"begins_with", DDB_FN_BEGINS_WITH, 2, true},
        {"contains", DDB_FN_CONTAINS, 2, true},
        {"size", DDB_FN_SIZE, 1, false},
    };
    size_t which = sizeof(functions) / sizeof(functions[0]);
    for (size_t i = 0; i < which; i++)
        if (lower_equals(p, name, functions[i].name))
            which = i;
    if (which == sizeof(functions) / sizeof(functions[0])) {
        char at[64], lowered[64];
        position(p, name, at);
        size_t n = name->len < sizeof(lowered) - 1 ? name->len : sizeof(lowered) - 1;
        for (size_t i = 0; i < n; i++) {
            char c = p->text[name->start + i];
            lowered[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
        }
        lowered[n] = '\0';
        return fail(p, "Unrecognized function: %s at %s", lowered, at);
    }
    next(p); /* the name */
    next(p); /* ( */
    if (!enter(p))
        return false;
    struct ddb_operand *args = NULL;
    size_t n = 0, cap = 0;
    while (peek(p)->kind != P_RPAREN) {
        struct term arg;
        if (!(args = arena_grow(p->arena, args, n, &cap, sizeof(*args), 2)))
            return nomem(p);
        if (!parse_or(p, &arg))
            return false;
        if (arg.is_condition)
            return malformed(p, "Unexpected condition as a function argument");
        args[n++] = arg.operand;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, P_RPAREN, "Expected )"))
        return false;
    p->depth--;
    const char *fname = functions[which].name;
    if (n != functions[which].operands)
        return fail(p,
                    "Incorrect number of operands for operator or function; operator or function: %s, number of "
                    "operands: %zu",
                    fname, n);
    if (functions[which].fn != DDB_FN_BEGINS_WITH && functions[which].fn != DDB_FN_CONTAINS &&
        functions[which].fn != DDB_FN_SIZE && args[0].kind != DDB_OPERAND_PATH)
        return fail(p, "Operator or function requires a document path; operator or function: %s", fname);
    *out = (struct term){.boolean_function = functions[which].boolean, .tok = name,
                         .operand = {.kind = DDB_OPERAND_FUNCTION, .function = functions[which].fn, .args = args,
                                     .nargs = n}};
    return true;
}

static bool parse_primary(struct pq *p, struct term *out)
{
    const struct pq_token *t = peek(p);
    memset(out, 0, sizeof(*out));
    out->tok = t;
    if (t->kind == P_LPAREN) {
        next(p);
        if (!enter(p) || !parse_or(p, out))
            return false;
        p->depth--;
        return expect_kind(p, P_RPAREN, "Expected )");
    }
    if (t->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN && !is_keyword(p, t))
        return parse_call(p, t, out);
    if (t->kind == P_IDENT && word_is(p, t, "EXISTS") && peek_at(p, 1)->kind == P_LPAREN) {
        char at[64];
        position(p, t, at);
        return fail(p, "Unrecognized function: exists at %s", at);
    }
    if (t->kind == P_QUOTED || (t->kind == P_IDENT && !is_keyword(p, t))) {
        out->operand.kind = DDB_OPERAND_PATH;
        return parse_path(p, &out->operand.path);
    }
    struct where w = {"root", 4};
    struct ddb_value v;
    if (!parse_literal(p, &w, &v))
        return false;
    out->operand = (struct ddb_operand){.kind = DDB_OPERAND_VALUE, .value = new_value(p, v)};
    return out->operand.value != NULL;
}

static bool comparator(enum pq_kind k, enum ddb_comparator *out)
{
    switch (k) {
    case P_EQ: *out = DDB_CMP_EQ; return true;
    case P_NE: *out = DDB_CMP_NE; return true;
    case P_LT: *out = DDB_CMP_LT; return true;
    case P_LE: *out = DDB_CMP_LE; return true;
    case P_GT: *out = DDB_CMP_GT; return true;
    case P_GE: *out = DDB_CMP_GE; return true;
    default: return false;
    }
}

/* Ordering operators refuse a literal whose type has no order. */
static bool check_ordered(struct pq *p, const struct ddb_operand *o, const char *op, size_t op_len)
{
    if (o->kind == DDB_OPERAND_VALUE && !ddb_type_is_scalar_key(o->value->type))
        return fail(p, "Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
                    (int)op_len, op, ddb_type_name(o->value->type));
    return true;
}

static bool make_operands(struct pq *p, const struct ddb_operand *items, size_t n, struct ddb_operand **out)
{
    *out = arena_array(p->arena, n, sizeof(**out));
    if (!*out)
        return nomem(p);
    memcpy(*out, items, n * sizeof(*items));
    return true;
}

static bool negate(struct pq *p, struct term *t)
{
    struct ddb_condition *inner = arena_alloc(p->arena, sizeof(*inner));
    if (!inner)
        return nomem(p);
    *inner = t->cond;
    t->cond = (struct ddb_condition){.kind = DDB_COND_NOT, .children = inner, .nchildren = 1};
    return true;
}

/* x IS [NOT] NULL | MISSING | <type> */
static bool parse_is(struct pq *p, struct term *left)
{
    bool negated = accept_word(p, "NOT");
    const struct pq_token *t = peek(p);
    if (left->is_condition || left->operand.kind != DDB_OPERAND_PATH)
        return fail(p, "The left hand side argument to IS must be a Variable Reference, Literal, or Path");
    static const struct {
        const char *word, *type;
    } types[] = {{"NULL", "NULL"}, {"BOOLEAN", "BOOL"}, {"BOOL", "BOOL"}, {"BLOB", "B"}, {"STRING", "S"},
                 {"NUMERIC", "N"}, {"NUMBER", "N"}, {"STRUCT", "M"}, {"TUPLE", "M"}, {"LIST", "L"}};
    const char *type = NULL;
    bool missing = word_is(p, t, "MISSING");
    for (size_t i = 0; !missing && i < sizeof(types) / sizeof(types[0]); i++)
        if (word_is(p, t, types[i].word))
            type = types[i].type;
    if (!missing && !type) {
        if (t->kind != P_IDENT)
            return malformed(p, "Expected a type after IS");
        return fail(p,
                    "Unsupported data type for IS operator: %.*s. Supported data types are [MISSING, NULL, BOOLEAN, "
                    "BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]",
                    (int)t->len, p->text + t->start);
    }
    next(p);
    struct ddb_operand *args = arena_array(p->arena, 2, sizeof(*args));
    struct ddb_operand *fn = arena_alloc(p->arena, sizeof(*fn));
    if (!args || !fn)
        return nomem(p);
    args[0] = left->operand;
    if (missing) {
        *fn = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION,
                                   .function = negated ? DDB_FN_ATTRIBUTE_EXISTS : DDB_FN_ATTRIBUTE_NOT_EXISTS,
                                   .args = args, .nargs = 1};
        left->cond = (struct ddb_condition){.kind = DDB_COND_FUNCTION, .operands = fn, .noperands = 1};
        left->is_condition = true;
        return true;
    }
    struct ddb_value name;
    if (!ddb_value_string(p->arena, type, strlen(type), &name))
        return nomem(p);
    args[1] = (struct ddb_operand){.kind = DDB_OPERAND_VALUE, .value = new_value(p, name)};
    if (!args[1].value)
        return false;
    *fn = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION, .function = DDB_FN_ATTRIBUTE_TYPE, .args = args, .nargs = 2};
    left->cond = (struct ddb_condition){.kind = DDB_COND_FUNCTION, .operands = fn, .noperands = 1};
    left->is_condition = true;
    if (!negated)
        return true;
    /* IS NOT <type>: present, and of another type */
    if (!negate(p, left))
        return false;
    struct ddb_condition *both = arena_array(p->arena, 2, sizeof(*both));
    struct ddb_operand *exists = arena_alloc(p->arena, sizeof(*exists));
    if (!both || !exists)
        return nomem(p);
    *exists = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION, .function = DDB_FN_ATTRIBUTE_EXISTS, .args = args,
                                   .nargs = 1};
    both[0] = (struct ddb_condition){.kind = DDB_COND_FUNCTION, .operands = exists, .noperands = 1};
    both[1] = left->cond;
    left->cond = (struct ddb_condition){.kind = DDB_COND_AND, .children = both, .nchildren = 2};
    return true;
}

static bool parse_in(struct pq *p, struct term *left, bool negated)
{
    enum pq_kind close = peek(p)->kind == P_LBRACKET ? P_RBRACKET : P_RPAREN;
    if ((peek(p)->kind != P_LBRACKET && peek(p)->kind != P_LPAREN) || left->is_condition ||
        left->operand.kind != DDB_OPERAND_PATH)
        return fail(p, "IN operator must have a left hand argument of type Variable Reference and right hand "
                       "argument of type Seq with at least one member");
    next(p);
    struct ddb_operand *ops = NULL;
    size_t n = 0, cap = 0;
    if (!(ops = arena_grow(p->arena, ops, n, &cap, sizeof(*ops), 4)))
        return nomem(p);
    ops[n++] = left->operand;
    for (;;) {
        if (peek(p)->kind == close)
            break;
        if (!(ops = arena_grow(p->arena, ops, n, &cap, sizeof(*ops), 4)))
            return nomem(p);
        struct where w = {"root", 4};
        struct ddb_value v;
        if (!parse_literal(p, &w, &v))
            return false;
        ops[n] = (struct ddb_operand){.kind = DDB_OPERAND_VALUE, .value = new_value(p, v)};
        if (!ops[n++].value)
            return false;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, close, "Expected the end of the IN list"))
        return false;
    if (n < 2)
        return fail(p, "IN operator must have a left hand argument of type Variable Reference and right hand "
                       "argument of type Seq with at least one member");
    left->cond = (struct ddb_condition){.kind = DDB_COND_IN, .operands = ops, .noperands = n};
    left->is_condition = true;
    return negated ? negate(p, left) : true;
}

static bool parse_predicate(struct pq *p, struct term *out)
{
    if (!parse_primary(p, out))
        return false;
    const struct pq_token *t = peek(p);
    enum ddb_comparator cmp;
    if (comparator(t->kind, &cmp)) {
        next(p);
        struct term right;
        if (!parse_primary(p, &right))
            return false;
        if (out->is_condition || right.is_condition)
            return malformed(p, "Unexpected condition in a comparison");
        /* attribute_exists(x) = true */
        if (out->boolean_function && right.operand.kind == DDB_OPERAND_VALUE && right.operand.value->type == DDB_BOOL &&
            (cmp == DDB_CMP_EQ || cmp == DDB_CMP_NE)) {
            bool want = right.operand.value->boolean == (cmp == DDB_CMP_EQ);
            return operand_to_condition(p, out) && (want || negate(p, out));
        }
        if (cmp != DDB_CMP_EQ && cmp != DDB_CMP_NE &&
            (!check_ordered(p, &out->operand, p->text + t->start, t->len) ||
             !check_ordered(p, &right.operand, p->text + t->start, t->len)))
            return false;
        struct ddb_operand pair[2] = {out->operand, right.operand}, *ops;
        if (!make_operands(p, pair, 2, &ops))
            return false;
        out->cond = (struct ddb_condition){.kind = DDB_COND_COMPARE, .comparator = cmp, .operands = ops,
                                           .noperands = 2};
        out->is_condition = true;
        return true;
    }
    bool negated = false;
    if (word_is(p, t, "NOT") && (word_is(p, peek_at(p, 1), "BETWEEN") || word_is(p, peek_at(p, 1), "IN"))) {
        next(p);
        negated = true;
        t = peek(p);
    }
    if (accept_word(p, "BETWEEN")) {
        struct term low, high;
        if (!parse_primary(p, &low) || !expect_word(p, "AND") || !parse_primary(p, &high))
            return false;
        if (out->is_condition || low.is_condition || high.is_condition)
            return malformed(p, "Unexpected condition in BETWEEN");
        if (!check_ordered(p, &out->operand, "BETWEEN", 7) || !check_ordered(p, &low.operand, "BETWEEN", 7) ||
            !check_ordered(p, &high.operand, "BETWEEN", 7))
            return false;
        struct ddb_operand three[3] = {out->operand, low.operand, high.operand}, *ops;
        if (!make_operands(p, three, 3, &ops))
            return false;
        out->cond = (struct ddb_condition){.kind = DDB_COND_BETWEEN, .operands = ops, .noperands = 3};
        out->is_condition = true;
        return negated ? negate(p, out) : true;
    }
    if (accept_word(p, "IN"))
        return parse_in(p, out, negated);
    if (accept_word(p, "IS"))
        return parse_is(p, out);
    return true;
}

static bool parse_not(struct pq *p, struct term *out)
{
    if (!accept_word(p, "NOT"))
        return parse_predicate(p, out);
    if (!enter(p) || !parse_not(p, out))
        return false;
    p->depth--;
    if (!operand_to_condition(p, out))
        return fail(p, "The argument to NOT must be a Type or Expression");
    return negate(p, out);
}

/* terms joined by word (AND, OR) into one n-ary condition. */
static bool parse_chain(struct pq *p, const char *word, enum ddb_condition_kind kind,
                        bool (*operand)(struct pq *, struct term *), struct term *out)
{
    if (!operand(p, out))
        return false;
    if (!word_is(p, peek(p), word))
        return true;
    struct ddb_condition *items = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (!operand_to_condition(p, out))
            return fail(p, "The arguments to AND/OR must be Expressions");
        if (!(items = arena_grow(p->arena, items, n, &cap, sizeof(*items), 4)))
            return nomem(p);
        items[n++] = out->cond;
        if (!accept_word(p, word))
            break;
        if (!operand(p, out))
            return false;
    }
    out->cond = (struct ddb_condition){.kind = kind, .children = items, .nchildren = n};
    out->is_condition = true;
    return true;
}

static bool parse_and(struct pq *p, struct term *out) { return parse_chain(p, "AND", DDB_COND_AND, parse_not, out); }
static bool parse_or(struct pq *p, struct term *out) { return parse_chain(p, "OR", DDB_COND_OR, parse_and, out); }

static bool parse_where(struct pq *p, const struct ddb_condition **out)
{
    *out = NULL;
    if (!accept_word(p, "WHERE"))
        return true;
    struct term t;
    if (!parse_or(p, &t) || !operand_to_condition(p, &t))
        return false;
    struct ddb_condition *c = arena_alloc(p->arena, sizeof(*c));
    if (!c)
        return nomem(p);
    *c = t.cond;
    *out = c;
    return true;
}

/* ---- statements -------------------------------------------------------------- */

static bool parse_table(struct pq *p, const char **name, size_t *len)
{
    const struct pq_token *t = peek(p);
    if (t->kind == P_QUOTED) {
        next(p);
        return unquote(p, t, name, len);
    }
    if (t->kind != P_IDENT || is_keyword(p, t))
        return malformed(p, "Expected a table name");
    next(p);
    *name = p->text + t->start;
    *len = t->len;
    return true;
}

/* After the table: an alias (t, or AS t) is refused. */
static bool refuse_alias(struct pq *p, const char *const *allowed)
{
    const struct pq_token *t = peek(p);
    if (word_is(p, t, "AS"))
        return fail(p, "Aliasing is not supported");
    if (t->kind != P_IDENT && t->kind != P_QUOTED)
        return true;
    for (; *allowed; allowed++)
        if (word_is(p, t, *allowed))
            return true;
    return fail(p, "Aliasing is not supported");
}

static bool parse_select(struct pq *p, struct ddb_partiql *st)
{
    st->kind = DDB_PARTIQL_SELECT;
    struct ddb_path *paths = NULL;
    size_t n = 0, cap = 0;
    if (peek(p)->kind == P_STAR) {
        next(p);
        st->select_all = true;
    } else {
        for (;;) {
            if (peek(p)->kind == P_STAR)
                return fail(p, "Other attributes should not be present in the projection when '*' is used.");
            if (peek(p)->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN) {
                char at[64];
                position(p, peek(p), at);
                return fail(p, "Unexpected path component at %s", at);
            }
            if (!(paths = arena_grow(p->arena, paths, n, &cap, sizeof(*paths), 4)))
                return nomem(p);
            if (!parse_path(p, &paths[n]))
                return false;
            n++;
            if (peek(p)->kind != P_COMMA)
                break;
            next(p);
        }
        st->projection = (struct ddb_projection){.paths = paths, .len = n};
    }
    if (peek(p)->kind == P_COMMA && st->select_all)
        return fail(p, "Other attributes should not be present in the projection when '*' is used.");
    if (!expect_word(p, "FROM") || !parse_table(p, &st->table, &st->table_len))
        return false;
    if (peek(p)->kind == P_DOT) {
        next(p);
        if (!parse_table(p, &st->index, &st->index_len))
            return false;
    }
    if (!refuse_alias(p, (const char *const[]){"WHERE", "ORDER", NULL}) || !parse_where(p, &st->where))
        return false;
    if (accept_word(p, "ORDER")) {
        if (!expect_word(p, "BY") || !parse_path(p, &st->order_by))
            return false;
        st->has_order = true;
        if (accept_word(p, "DESC"))
            st->order_descending = true;
        else
            accept_word(p, "ASC");
    }
    return true;
}

static bool parse_insert(struct pq *p, struct ddb_partiql *st)
{
    st->kind = DDB_PARTIQL_INSERT;
    if (!expect_word(p, "INTO") || !parse_table(p, &st->table, &st->table_len))
        return false;
    if (word_is(p, peek(p), "VALUES"))
        return fail(p, "Unsupported operation: Inserting multiple items in a single statement is not supported, use "
                       "\"INSERT INTO tableName VALUE item\" instead");
    if (!accept_word(p, "VALUE"))
        return malformed(p, "Unexpected token after expression");
    if (peek(p)->kind != P_LBRACE && peek(p)->kind != P_PARAM)
        return fail(p, "Unsupported format in item expression. Please use struct format {...} to express item values "
                       "for insert statement.");
    struct where w = {"root", 4};
    if (peek(p)->kind == P_LBRACE) {
        /* each attribute's value is its own "root" in the messages */
        next(p);
        struct ddb_attr *attrs = NULL;
        size_t n = 0, cap = 0;
        while (peek(p)->kind != P_RBRACE) {
            const struct pq_token *k = peek(p);
            if (k->kind != P_STRING)
                return fail(p, "Tuple keys must be of type String. Actual type: %s under root",
                            k->kind == P_NUMBER ? "DECIMAL" : "SYMBOL");
            next(p);
            if (!(attrs = arena_grow(p->arena, attrs, n, &cap, sizeof(*attrs), 8)))
                return nomem(p);
            if (!unquote(p, k, &attrs[n].name, &attrs[n].name_len))
                return false;
            for (size_t i = 0; i < n; i++)
                if (ddb_name_compare(attrs[i].name, attrs[i].name_len, attrs[n].name, attrs[n].name_len) == 0)
                    return fail(p, "Duplicate keys in tuple. Key: %.*s under root", (int)attrs[n].name_len,
                                attrs[n].name);
            if (!expect_kind(p, P_COLON, "Expected :"))
                return false;
            if (peek(p)->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN) {
                char at[64];
                position(p, peek(p), at);
                return fail(p, "Unsupported data type: %.*s under key root at %s", (int)peek(p)->len,
                            p->text + peek(p)->start, at);
            }
            if (!parse_literal(p, &w, &attrs[n].value))
                return false;
            n++;
            if (peek(p)->kind != P_COMMA)
                break;
            next(p);
        }
        if (!expect_kind(p, P_RBRACE, "Expected }"))
            return false;
        ddb_map_build(attrs, n, &st->item);
    } else {
        if (!parse_literal(p, &w, &st->item))
            return false;
        if (st->item.type != DDB_M)
            return fail(p, "Unsupported format in item expression. Please use struct format {...} to express item "
                           "values for insert statement.");
    }
    for (size_t i = 0; i < st->item.len; i++)
        if (ddb_value_depth(&st->item.u.attrs[i].value) > DDB_MAX_NESTING)
            return fail(p, "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
                           "levels beyond supported limit");
    if (word_is(p, peek(p), "RETURNING"))
        return fail(p, "RETURNING is not supported in INSERT");
    return true;
}

/* UPDATE's actions, collected as the update evaluator's actions. */
struct actions {
    struct ddb_update_action *items;
    size_t len, cap;
};

static bool push_action(struct pq *p, struct actions *a, struct ddb_update_action action)
{
    if (!(a->items = arena_grow(p->arena, a->items, a->len, &a->cap, sizeof(*a->items), 8)))
        return nomem(p);
    a->items[a->len++] = action;
    return true;
}

static bool same_path(const struct ddb_path *a, const struct ddb_path *b)
{
    if (a->len != b->len)
        return false;
    for (size_t i = 0; i < a->len; i++) {
        const struct ddb_path_step *x = &a->steps[i], *y = &b->steps[i];
        if ((x->name == NULL) != (y->name == NULL))
            return false;
        if (x->name ? ddb_name_compare(x->name, x->name_len, y->name, y->name_len) != 0 : x->index != y->index)
            return false;
    }
    return true;
}

/* One SET operand: a value, a path, or list_append(a, b). */
static bool parse_set_operand(struct pq *p, struct ddb_operand *out)
{
    struct term t;
    const struct pq_token *start = peek(p);
    if (start->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN && lower_equals(p, start, "list_append")) {
        next(p);
        next(p);
        if (!enter(p))
            return false;
        struct ddb_operand *args = arena_array(p->arena, 2, sizeof(*args));
        if (!args)
            return nomem(p);
        if (!parse_set_operand(p, &args[0]) || !expect_kind(p, P_COMMA, "Expected ,") ||
            !parse_set_operand(p, &args[1]) || !expect_kind(p, P_RPAREN, "Expected )"))
            return false;
        p->depth--;
        *out = (struct ddb_operand){.kind = DDB_OPERAND_FUNCTION, .function = DDB_FN_LIST_APPEND, .args = args,
                                    .nargs = 2};
        return true;
    }
    if (start->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN && !lower_equals(p, start, "set_add") &&
        !lower_equals(p, start, "set_delete")) {
        char at[64];
        position(p, start, at);
        return fail(p, "Unrecognized function: %.*s at %s", (int)start->len, p->text + start->start, at);
    }
    if (!parse_primary(p, &t))
        return false;
    if (t.is_condition || t.operand.kind == DDB_OPERAND_FUNCTION)
        return fail(p, "IS operator is not supported in update expressions");
    *out = t.operand;
    return true;
}

/* set_add(path, <<...>>) / set_delete(path, <<...>>) on the target. */
static bool parse_set_function(struct pq *p, const struct ddb_path *target, struct actions *a)
{
    const struct pq_token *name = next(p);
    bool add = lower_equals(p, name, "set_add");
    const char *upper = add ? "ADD" : "DELETE";
    char at[64];
    position(p, name, at);
    next(p); /* ( */
    if (!enter(p))
        return false;
    struct term args[3];
    size_t n = 0;
    while (peek(p)->kind != P_RPAREN) {
        struct term t;
        if (!parse_primary(p, &t))
            return false;
        if (n < 3)
            args[n] = t;
        n++;
        if (peek(p)->kind != P_COMMA)
            break;
        next(p);
    }
    if (!expect_kind(p, P_RPAREN, "Expected )"))
        return false;
    p->depth--;
    if (n != 2)
        return fail(p, "SET_%s must have exactly two arguments at %s", upper, at);
    if (args[0].is_condition || args[0].operand.kind != DDB_OPERAND_PATH || !same_path(&args[0].operand.path, target))
        return fail(p, "The first argument to SET_%s must equal the assignment value at %s", upper, at);
    if (args[1].is_condition || args[1].operand.kind != DDB_OPERAND_VALUE || !ddb_type_is_set(args[1].operand.value->type)) {
        char first[64];
        position(p, args[0].tok, first);
        return fail(p, "The second argument to SET_%s must be a value with type SET at %s", upper, first);
    }
    struct ddb_operand *value = arena_alloc(p->arena, sizeof(*value));
    if (!value)
        return nomem(p);
    *value = args[1].operand;
    return push_action(p, a, (struct ddb_update_action){add ? DDB_UPDATE_ADD : DDB_UPDATE_DELETE, *target, value,
                                                        (int)value->value->type});
}

static bool parse_set_item(struct pq *p, struct actions *a)
{
    struct ddb_path target;
    if (!parse_path(p, &target) || !expect_kind(p, P_EQ, "Expected ="))
        return false;
    const struct pq_token *t = peek(p);
    if (t->kind == P_IDENT && peek_at(p, 1)->kind == P_LPAREN &&
        (lower_equals(p, t, "set_add") || lower_equals(p, t, "set_delete")))
        return parse_set_function(p, &target, a);
    struct ddb_operand *value = arena_alloc(p->arena, sizeof(*value));
    if (!value || !parse_set_operand(p, value))
        return value ? false : nomem(p);
    if (peek(p)->kind == P_PLUS || peek(p)->kind == P_MINUS) {
        bool plus = next(p)->kind == P_PLUS;
        struct ddb_operand *args = arena_array(p->arena, 2, sizeof(*args));
        if (!args)
            return nomem(p);
        args[0] = *value;
        if (!parse_set_operand(p, &args[1]))
            return false;
        for (int i = 0; i < 2; i++)
            if (args[i].kind == DDB_OPERAND_VALUE && args[i].value->type != DDB_N)
                return fail(p, "Incorrect operand type for operator or function; operator or function: %c, operand "
                               "type: %s",
                            plus ? '+' : '-', ddb_type_name(args[i].value->type));
        *value = (struct ddb_operand){.kind = plus ? DDB_OPERAND_PLUS : DDB_OPERAND_MINUS, .args = args, .nargs = 2};
    }
    int type = value->kind == DDB_OPERAND_VALUE ? (int)value->value->type
               : value->kind == DDB_OPERAND_PLUS || value->kind == DDB_OPERAND_MINUS ? DDB_N
               : value->kind == DDB_OPERAND_FUNCTION ? DDB_L : -1;
    return push_action(p, a, (struct ddb_update_action){DDB_UPDATE_SET, target, value, type});
}

static bool parse_returning(struct pq *p, struct ddb_partiql *st)
{
    if (!accept_word(p, "RETURNING"))
        return true;
    bool all = accept_word(p, "ALL");
    if (!all && !accept_word(p, "MODIFIED"))
        return malformed(p, "Expected ALL or MODIFIED");
    bool old = accept_word(p, "OLD");
    if (!old && !accept_word(p, "NEW"))
        return malformed(p, "Expected OLD or NEW");
    if (peek(p)->kind != P_STAR)
        return fail(p, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    next(p);
    st->returning = all ? (old ? DDB_RETURNING_ALL_OLD : DDB_RETURNING_ALL_NEW)
                        : (old ? DDB_RETURNING_MODIFIED_OLD : DDB_RETURNING_MODIFIED_NEW);
    if (st->kind == DDB_PARTIQL_DELETE && st->returning != DDB_RETURNING_ALL_OLD)
        return fail(p, "Invalid returning clause: RETURNING %s %s *. Only RETURNING ALL OLD * is allowed in DELETE "
                       "statements.",
                    all ? "ALL" : "MODIFIED", old ? "OLD" : "NEW");
    return true;
}

/* Two actions on one path, or on a path and a path inside it, are
 * refused as in UpdateExpression. */
static bool check_overlaps(struct pq *p, const struct actions *a)
{
    for (size_t j = 1; j < a->len; j++) {
        for (size_t i = 0; i < j; i++) {
            const struct ddb_path *x = &a->items[i].path, *y = &a->items[j].path;
            size_t common = x->len < y->len ? x->len : y->len, k;
            for (k = 0; k < common; k++) {
                const struct ddb_path_step *s = &x->steps[k], *t = &y->steps[k];
                if ((s->name == NULL) != (t->name == NULL) ||
                    (s->name ? ddb_name_compare(s->name, s->name_len, t->name, t->name_len) != 0
                             : s->index != t->index))
                    break;
            }
            if (k < common)
                continue;
            struct strbuf sb;
            strbuf_init(&sb);
            strbuf_puts(&sb, "Two document paths overlap with each other; must remove or rewrite one of these "
                             "paths; path one: ");
            ddb_path_describe(&sb, x);
            strbuf_puts(&sb, ", path two: ");
            ddb_path_describe(&sb, y);
            bool r = strbuf_failed(&sb) ? nomem(p) : fail(p, "%s", sb.data);
            strbuf_free(&sb);
            return r;
        }
    }
    return true;
}

static bool parse_update(struct pq *p, struct ddb_partiql *st)
{
    st->kind = DDB_PARTIQL_UPDATE;
    if (!parse_table(p, &st->table, &st->table_len) ||
        !refuse_alias(p, (const char *const[]){"SET", "REMOVE", "WHERE", "ADD", "DELETE", NULL}))
        return false;
    struct actions a = {0};
    for (;;) {
        if (accept_word(p, "SET")) {
            do {
                if (!parse_set_item(p, &a))
                    return false;
            } while (peek(p)->kind == P_COMMA && next(p));
        } else if (accept_word(p, "REMOVE")) {
            do {
                struct ddb_path path;
                if (!parse_path(p, &path) ||
                    !push_action(p, &a, (struct ddb_update_action){DDB_UPDATE_REMOVE, path, NULL, -1}))
                    return false;
            } while (peek(p)->kind == P_COMMA && next(p));
        } else if (word_is(p, peek(p), "ADD") || word_is(p, peek(p), "DELETE")) {
            return fail(p, "Only SET and REMOVE are supported in update expressions at this time");
        } else {
            break;
        }
    }
    if (a.len == 0)
        return malformed(p, "Expected SET or REMOVE");
    if (!check_overlaps(p, &a))
        return false;
    st->update = (struct ddb_update){.actions = a.items, .len = a.len};
    struct ddb_path *paths = arena_array(p->arena, a.len, sizeof(*paths));
    if (!paths)
        return nomem(p);
    for (size_t i = 0; i < a.len; i++)
        paths[i] = a.items[i].path;
    struct ddb_name_list nested;
    struct ddb_path_step *heads = arena_array(p->arena, a.len, sizeof(*heads));
    if (!heads)
        return nomem(p);
    size_t nheads = 0;
    for (size_t i = 0; i < a.len; i++)
        if (paths[i].len > 1)
            heads[nheads++] = paths[i].steps[0];
    nested = (struct ddb_name_list){heads, nheads};
    st->update.nested = nested;
    if (!parse_where(p, &st->where))
        return false;
    if (!st->where)
        return malformed(p, "Expected WHERE");
    return parse_returning(p, st);
}

static bool parse_delete(struct pq *p, struct ddb_partiql *st)
{
    st->kind = DDB_PARTIQL_DELETE;
    if (!expect_word(p, "FROM") || !parse_table(p, &st->table, &st->table_len) ||
        !refuse_alias(p, (const char *const[]){"WHERE", NULL}) || !parse_where(p, &st->where))
        return false;
    if (!st->where)
        return malformed(p, "Expected WHERE");
    return parse_returning(p, st);
}

bool ddb_partiql_parse(struct arena *a, const char *text, size_t len, const struct ddb_value *params,
                       size_t nparams, struct ddb_partiql *out, struct ddb_error *err)
{
    struct pq p = {.arena = a, .text = text, .text_len = len, .params = params, .nparams = nparams, .err = err};
    memset(out, 0, sizeof(*out));
    if (len > DDB_PARTIQL_MAX_BYTES)
        return fail(&p, "1 validation error detected: Value at 'statement' failed to satisfy constraint: Member must "
                        "have length less than or equal to %d",
                    DDB_PARTIQL_MAX_BYTES);
    if (!tokenize(&p))
        return false;
    bool ok;
    if (accept_word(&p, "SELECT"))
        ok = parse_select(&p, out);
    else if (accept_word(&p, "INSERT"))
        ok = parse_insert(&p, out);
    else if (accept_word(&p, "UPDATE"))
        ok = parse_update(&p, out);
    else if (accept_word(&p, "DELETE"))
        ok = parse_delete(&p, out);
    else
        ok = malformed(&p, peek(&p)->kind == P_END ? "Empty statement" : "Unexpected keyword");
    if (!ok)
        return false;
    if (peek(&p)->kind != P_END)
        return malformed(&p, "Unexpected token after expression");
    if (out->has_order && !out->where)
        return fail(&p, "Must have WHERE clause in the statement when using ORDER BY clause.");
    return true;
}

/* ---- the key in a WHERE clause ---------------------------------------------------- */

static const struct ddb_value *equality_on(const struct ddb_condition *c, const char *name, size_t len)
{
    if (c->kind == DDB_COND_AND) {
        for (size_t i = 0; i < c->nchildren; i++) {
            const struct ddb_value *v = equality_on(&c->children[i], name, len);
            if (v)
                return v;
        }
        return NULL;
    }
    if (c->kind != DDB_COND_COMPARE || c->comparator != DDB_CMP_EQ)
        return NULL;
    for (int side = 0; side < 2; side++) {
        const struct ddb_operand *path = &c->operands[side], *value = &c->operands[1 - side];
        if (path->kind == DDB_OPERAND_PATH && path->path.len == 1 && path->path.steps[0].name &&
            value->kind == DDB_OPERAND_VALUE &&
            ddb_name_compare(path->path.steps[0].name, path->path.steps[0].name_len, name, len) == 0)
            return value->value;
    }
    return NULL;
}

bool ddb_partiql_key(struct arena *a, const struct ddb_partiql *st, const struct ddb_key_schema *schema,
                     struct ddb_value *key, bool *complete)
{
    struct ddb_attr *attrs = arena_array(a, 2, sizeof(*attrs));
    if (!attrs)
        return false;
    const char *names[2] = {schema->hash_name, schema->range_name};
    size_t lens[2] = {schema->hash_name_len, schema->range_name_len};
    size_t n = 0, wanted = 0;
    for (size_t k = 0; k < 2 && names[k]; k++) {
        wanted++;
        const struct ddb_value *v = st->where ? equality_on(st->where, names[k], lens[k]) : NULL;
        if (v)
            attrs[n++] = (struct ddb_attr){names[k], lens[k], *v};
    }
    ddb_map_build(attrs, n, key);
    *complete = n == wanted;
    return true;
}
