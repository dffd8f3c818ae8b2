/* protocol/logs filter: CloudWatch Logs filter patterns.
 *
 * Term patterns: space-separated terms, each a word or a "quoted phrase"
 * (case-sensitive substrings of the message). Every plain term must
 * appear, a term prefixed with '-' must not, and when some terms are
 * prefixed with '?' at least one of those must. An empty pattern matches
 * every event.
 *
 * JSON patterns, for messages that are JSON objects:
 *   { $.level = "ERROR" && ($.latency > 100 || $.user.id NOT EXISTS) }
 * A selector is '$' then .name and [index] steps. '=' and '!=' compare
 * with a number (numerically, against a number field) or a string,
 * quoted or bare, in which '*' matches any run of characters; '<', '<=',
 * '>' and '>=' compare numbers; IS TRUE, IS FALSE, IS NULL and NOT EXISTS
 * test the field itself. && binds tighter than ||; parentheses group. A
 * comparison on a field the message lacks is false.
 *
 * Space-delimited patterns ([ip, user, ...]) and regular expressions
 * (%...%) are reported as unsupported rather than misread. */
#include "protocol/logs/filter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_tree.h>

#include "protocol/glob.h"

#define MAX_DEPTH 16

enum term_kind { TERM_ALL, TERM_ANY, TERM_NONE };

struct term {
    char *text;
    enum term_kind kind;
};

enum node_kind { N_AND, N_OR, N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_TRUE, N_FALSE, N_NULL, N_MISSING };

struct step {
    char *name;                    /* NULL for an [index] step */
    long index;
};

struct node {
    enum node_kind kind;
    struct node *left, *right;     /* N_AND, N_OR */
    struct step *path;             /* the others */
    size_t n_path;
    char *text;                    /* the value as written (comparisons) */
    double number;
    bool is_number;                /* an unquoted value that parses as a number */
};

struct logs_filter {
    struct term *terms;
    size_t n_terms;
    struct node *json;             /* a JSON pattern's expression, or NULL */
};

/* ---- freeing -------------------------------------------------------------- */

static void node_free(struct node *n)
{
    if (!n)
        return;
    node_free(n->left);
    node_free(n->right);
    for (size_t i = 0; i < n->n_path; i++)
        free(n->path[i].name);
    free(n->path);
    free(n->text);
    free(n);
}

void logs_filter_free(struct logs_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_terms; i++)
        free(f->terms[i].text);
    free(f->terms);
    node_free(f->json);
    free(f);
}

/* ---- term patterns ---------------------------------------------------------- */

static enum logs_filter_status parse_terms(const char *p, struct logs_filter *f, const char **message)
{
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        enum term_kind kind = *p == '?' ? TERM_ANY : *p == '-' ? TERM_NONE : TERM_ALL;
        if (kind != TERM_ALL)
            p++;
        const char *start = p, *end;
        if (*p == '"') {
            start = ++p;
            end = strchr(p, '"');
            if (!end) {
                *message = "Invalid filter pattern: unterminated quoted term";
                return LOGS_FILTER_INVALID;
            }
            p = end + 1;
        } else {
            end = p + strcspn(p, " \t");
            p = end;
        }
        if (end == start)
            continue;
        struct term *grown = realloc(f->terms, (f->n_terms + 1) * sizeof(*grown));
        if (!grown)
            return LOGS_FILTER_NOMEM;
        f->terms = grown;
        if (!(f->terms[f->n_terms].text = strndup(start, (size_t)(end - start))))
            return LOGS_FILTER_NOMEM;
        f->terms[f->n_terms++].kind = kind;
    }
    return LOGS_FILTER_OK;
}

static bool terms_match(const struct logs_filter *f, const char *message)
{
    bool any_needed = false, any_found = false;
    for (size_t i = 0; i < f->n_terms; i++) {
        bool found = strstr(message, f->terms[i].text) != NULL;
        switch (f->terms[i].kind) {
        case TERM_ALL:
            if (!found)
                return false;
            break;
        case TERM_NONE:
            if (found)
                return false;
            break;
        case TERM_ANY:
            any_needed = true;
            any_found |= found;
            break;
        }
    }
    return !any_needed || any_found;
}

/* ---- JSON patterns: parsing ------------------------------------------------ */

struct parser {
    const char *p;
    const char *message;           /* the first error */
    bool nomem;
    int depth;
};

static void skip_space(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static bool fail(struct parser *ps, const char *message)
{
    if (!ps->message)
        ps->message = message;
    return false;
}

static bool accept(struct parser *ps, const char *token)
{
    skip_space(ps);
    size_t n = strlen(token);
    if (strncmp(ps->p, token, n) != 0)
        return false;
    ps->p += n;
    return true;
}

/* A keyword (IS, TRUE, ...): case-insensitive, a whole word. */
static bool accept_word(struct parser *ps, const char *word)
{
    skip_space(ps);
    size_t n = strlen(word);
    if (strncasecmp(ps->p, word, n) != 0 || isalnum((unsigned char)ps->p[n]) || ps->p[n] == '_')
        return false;
    ps->p += n;
    return true;
}

static bool parse_selector(struct parser *ps, struct node *n)
{
    skip_space(ps);
    if (*ps->p != '$')
        return fail(ps, "Invalid filter pattern: a selector must start with $");
    ps->p++;
    while (*ps->p == '.' || *ps->p == '[') {
        struct step *grown = realloc(n->path, (n->n_path + 1) * sizeof(*grown));
        if (!grown) {
            ps->nomem = true;
            return false;
        }
        n->path = grown;
        struct step *s = &n->path[n->n_path];
        memset(s, 0, sizeof(*s));
        if (*ps->p == '.') {
            const char *start = ++ps->p;
            while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '-' || *ps->p == '@' || *ps->p == ':')
                ps->p++;
            if (ps->p == start)
                return fail(ps, "Invalid filter pattern: empty name in a selector");
            if (!(s->name = strndup(start, (size_t)(ps->p - start)))) {
                ps->nomem = true;
                return false;
            }
        } else {
            char *end;
            s->index = strtol(ps->p + 1, &end, 10);
            if (end == ps->p + 1 || *end != ']' || s->index < 0)
                return fail(ps, "Invalid filter pattern: bad array index in a selector");
            ps->p = end + 1;
        }
        n->n_path++;
    }
    return true;
}

/* A quoted string, or a bare value up to a space, ')' or an operator. */
static bool parse_value(struct parser *ps, struct node *n)
{
    skip_space(ps);
    const char *start = ps->p, *end;
    bool quoted = *ps->p == '"';
    if (quoted) {
        start = ++ps->p;
        end = strchr(start, '"');
        if (!end)
            return fail(ps, "Invalid filter pattern: unterminated string");
        ps->p = end + 1;
    } else {
        while (*ps->p && !isspace((unsigned char)*ps->p) && !strchr("()&|}", *ps->p))
            ps->p++;
        end = ps->p;
    }
    if (!quoted && end == start)
        return fail(ps, "Invalid filter pattern: a comparison needs a value");
    if (!(n->text = strndup(start, (size_t)(end - start)))) {
        ps->nomem = true;
        return false;
    }
    char *num_end;
    n->number = strtod(n->text, &num_end);
    n->is_number = !quoted && *n->text && *num_end == '\0';
    return true;
}

static struct node *parse_or(struct parser *ps);

static struct node *new_node(struct parser *ps, enum node_kind kind)
{
    struct node *n = calloc(1, sizeof(*n));
    if (!n)
        ps->nomem = true;
    else
        n->kind = kind;
    return n;
}

static struct node *parse_primary(struct parser *ps)
{
    if (++ps->depth > MAX_DEPTH) {
        fail(ps, "Invalid filter pattern: too deeply nested");
        return NULL;
    }
    struct node *n = NULL;
    if (accept(ps, "(")) {
        n = parse_or(ps);
        if (n && !accept(ps, ")")) {
            fail(ps, "Invalid filter pattern: missing )");
            node_free(n);
            n = NULL;
        }
        ps->depth--;
        return n;
    }
    static const struct {
        const char *token;
        enum node_kind kind;
    } ops[] = {{"!=", N_NE}, {"<=", N_LE}, {">=", N_GE}, {"=", N_EQ}, {"<", N_LT}, {">", N_GT}};
    if (!(n = new_node(ps, N_EQ)) || !parse_selector(ps, n)) {
        node_free(n);
        return NULL;
    }
    bool ok = false;
    if (accept_word(ps, "IS")) {
        ok = true;
        if (accept_word(ps, "TRUE"))
            n->kind = N_TRUE;
        else if (accept_word(ps, "FALSE"))
            n->kind = N_FALSE;
        else if (accept_word(ps, "NULL"))
            n->kind = N_NULL;
        else
            ok = fail(ps, "Invalid filter pattern: IS takes TRUE, FALSE or NULL");
    } else if (accept_word(ps, "NOT")) {
        n->kind = N_MISSING;
        ok = accept_word(ps, "EXISTS") || fail(ps, "Invalid filter pattern: NOT must be followed by EXISTS");
    } else {
        size_t i = 0;
        while (i < sizeof(ops) / sizeof(ops[0]) && !accept(ps, ops[i].token))
            i++;
        if (i == sizeof(ops) / sizeof(ops[0])) {
            fail(ps, "Invalid filter pattern: expected a comparison after the selector");
        } else {
            n->kind = ops[i].kind;
            ok = parse_value(ps, n);
            if (ok && n->kind >= N_LT && n->kind <= N_GE && !n->is_number)
                ok = fail(ps, "Invalid filter pattern: <, <=, > and >= compare numbers");
        }
    }
    ps->depth--;
    if (!ok) {
        node_free(n);
        return NULL;
    }
    return n;
}

/* Left-associative chains of one operator over `next`. */
static struct node *parse_chain(struct parser *ps, const char *token, enum node_kind kind,
                                struct node *(*next)(struct parser *))
{
    struct node *left = next(ps);
    while (left && accept(ps, token)) {
        struct node *right = next(ps), *both = right ? new_node(ps, kind) : NULL;
        if (!both) {
            node_free(left);
            node_free(right);
            return NULL;
        }
        both->left = left;
        both->right = right;
        left = both;
    }
    return left;
}

static struct node *parse_and(struct parser *ps) { return parse_chain(ps, "&&", N_AND, parse_primary); }
static struct node *parse_or(struct parser *ps) { return parse_chain(ps, "||", N_OR, parse_and); }

/* ---- JSON patterns: matching ------------------------------------------------ */

static yajl_val resolve(yajl_val v, const struct node *n)
{
    for (size_t i = 0; v && i < n->n_path; i++) {
        const struct step *s = &n->path[i];
        yajl_val next = NULL;
        if (s->name && YAJL_IS_OBJECT(v)) {
            for (size_t k = 0; k < v->u.object.len && !next; k++)
                if (strcmp(v->u.object.keys[k], s->name) == 0)
                    next = v->u.object.values[k];
        } else if (!s->name && YAJL_IS_ARRAY(v) && (size_t)s->index < v->u.array.len) {
            next = v->u.array.values[s->index];
        }
        v = next;
    }
    return v;
}

/* Whether field equals the node's value: numerically for a number value,
 * else as text (a number field by how it was written). */
static bool equals(const struct node *n, yajl_val field)
{
    if (n->is_number)
        return YAJL_IS_NUMBER(field) && strtod(field->u.number.r, NULL) == n->number;
    const char *text = YAJL_IS_STRING(field) ? field->u.string : YAJL_IS_NUMBER(field) ? field->u.number.r : NULL;
    return text && glob_match(n->text, text, false, false);
}

static bool eval(const struct node *n, yajl_val root)
{
    if (n->kind == N_AND)
        return eval(n->left, root) && eval(n->right, root);
    if (n->kind == N_OR)
        return eval(n->left, root) || eval(n->right, root);
    yajl_val field = resolve(root, n);
    if (n->kind == N_MISSING)
        return !field;
    if (!field)
        return false;
    double x = YAJL_IS_NUMBER(field) ? strtod(field->u.number.r, NULL) : 0;
    switch (n->kind) {
    case N_EQ: return equals(n, field);
    case N_NE: return !equals(n, field);
    case N_LT: return YAJL_IS_NUMBER(field) && x < n->number;
    case N_LE: return YAJL_IS_NUMBER(field) && x <= n->number;
    case N_GT: return YAJL_IS_NUMBER(field) && x > n->number;
    case N_GE: return YAJL_IS_NUMBER(field) && x >= n->number;
    case N_TRUE: return YAJL_IS_TRUE(field);
    case N_FALSE: return YAJL_IS_FALSE(field);
    case N_NULL: return YAJL_IS_NULL(field);
    default: return false;
    }
}

/* ---- entry points ------------------------------------------------------------- */

enum logs_filter_status logs_filter_parse(const char *pattern, struct logs_filter **out, const char **message)
{
    *out = NULL;
    *message = NULL;
    struct logs_filter *f = calloc(1, sizeof(*f));
    if (!f)
        return LOGS_FILTER_NOMEM;
    const char *p = pattern;
    while (isspace((unsigned char)*p))
        p++;
    enum logs_filter_status st = LOGS_FILTER_OK;
    if (*p == '[') {
        *message = "cloudless does not support space-delimited filter patterns yet.";
        st = LOGS_FILTER_UNSUPPORTED;
    } else if (*p == '%') {
        *message = "cloudless does not support regular-expression filter patterns yet.";
        st = LOGS_FILTER_UNSUPPORTED;
    } else if (*p == '{') {
        struct parser ps = {.p = p + 1};
        f->json = parse_or(&ps);
        if (f->json && !accept(&ps, "}"))
            fail(&ps, "Invalid filter pattern: missing }");
        skip_space(&ps);
        if (f->json && !ps.message && *ps.p)
            fail(&ps, "Invalid filter pattern: unexpected text after }");
        st = ps.nomem ? LOGS_FILTER_NOMEM : ps.message ? LOGS_FILTER_INVALID : LOGS_FILTER_OK;
        *message = ps.message;
    } else {
        st = parse_terms(p, f, message);
    }
    if (st != LOGS_FILTER_OK) {
        logs_filter_free(f);
        return st;
    }
    *out = f;
    return LOGS_FILTER_OK;
}

bool logs_filter_match(const struct logs_filter *f, const char *message)
{
    if (!f->json)
        return terms_match(f, message);
    yajl_val root = yajl_tree_parse(message, NULL, 0);
    bool hit = root && YAJL_IS_OBJECT(root) && eval(f->json, root);
    yajl_tree_free(root);
    return hit;
}
