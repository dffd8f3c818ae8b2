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
 * Space-delimited patterns, for messages made of space-separated fields
 * ("quoted" or [bracketed] text being one field):
 *   [ip, user, ..., status = 4*, bytes > 1000]
 * name one field each, optionally with a comparison as above (numbers or
 * '*' globs), and "..." stands for any number of fields; without "..." the
 * counts must agree; && and || inside them are reported as unsupported
 * rather than misread.
 *
 * Regular expressions, %ERROR [0-9]+%, match anywhere in the message, as
 * POSIX extended expressions (close to the subset CloudWatch accepts).
 *
 * A message is matched whole, as bytes of a given length (then a NUL, which
 * regexec's callers, sanitizers included, may read up to): U+0000 is a
 * character like any other (it ends no term, field or JSON string). The
 * pattern is a C string. */
#include "protocol/logs/filter.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"

#include "protocol/core/glob.h"

#define MAX_DEPTH 16

enum term_kind { TERM_ALL, TERM_ANY, TERM_NONE };

struct term {
    char *text;
    enum term_kind kind;
};

enum node_kind { N_AND, N_OR, N_EQ, N_NE, N_LT, N_LE, N_GT, N_GE, N_TRUE, N_FALSE, N_NULL, N_MISSING,
                 N_ANY, N_ELLIPSIS };

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
    regex_t regex;                 /* a %regular expression% pattern */
    bool is_regex;
    struct node *json;             /* a JSON pattern's expression, or NULL */
    struct node **fields;          /* a space-delimited pattern's fields */
    size_t n_fields;
    bool delimited;
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
    if (f->is_regex)
        regfree(&f->regex);
    for (size_t i = 0; i < f->n_fields; i++)
        node_free(f->fields[i]);
    free(f->fields);
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

static bool terms_match(const struct logs_filter *f, const char *message, size_t len)
{
    bool any_needed = false, any_found = false;
    for (size_t i = 0; i < f->n_terms; i++) {
        bool found = memmem(message, len, f->terms[i].text, strlen(f->terms[i].text)) != NULL;
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
        while (*ps->p && !isspace((unsigned char)*ps->p) && !strchr("()&|},]", *ps->p))
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

/* An operator and its value after a selector or field name: true once
 * both are read (n->kind set), false after an error. */
static bool parse_comparison(struct parser *ps, struct node *n)
{
    static const struct {
        const char *token;
        enum node_kind kind;
    } ops[] = {{"!=", N_NE}, {"<=", N_LE}, {">=", N_GE}, {"=", N_EQ}, {"<", N_LT}, {">", N_GT}};
    size_t i = 0;
    while (i < sizeof(ops) / sizeof(ops[0]) && !accept(ps, ops[i].token))
        i++;
    if (i == sizeof(ops) / sizeof(ops[0]))
        return fail(ps, "Invalid filter pattern: expected a comparison");
    n->kind = ops[i].kind;
    if (!parse_value(ps, n))
        return false;
    if (n->kind >= N_LT && n->kind <= N_GE && !n->is_number)
        return fail(ps, "Invalid filter pattern: <, <=, > and >= compare numbers");
    return true;
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
        ok = parse_comparison(ps, n);
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

static const struct json_value *resolve(const struct json_value *v, const struct node *n)
{
    for (size_t i = 0; v && i < n->n_path; i++) {
        const struct step *s = &n->path[i];
        const struct json_value *next = NULL;
        if (s->name && json_is(v, JSON_OBJECT)) {
            for (size_t k = 0; k < v->len && !next; k++)
                if (strcmp(v->u.members[k].key, s->name) == 0)
                    next = &v->u.members[k].value;
        } else if (!s->name && json_is(v, JSON_ARRAY) && (size_t)s->index < v->len) {
            next = &v->u.items[s->index];
        }
        v = next;
    }
    return v;
}

/* Whether text (len bytes, then a NUL) is a number, and which. */
static bool text_number(const char *text, size_t len, double *x)
{
    char *end;
    *x = strtod(text, &end);
    return len && end == text + len;
}

/* Whether text (len bytes, then a NUL) equals the node's value:
 * numerically for a number value, else as a glob. */
static bool text_equals(const struct node *n, const char *text, size_t len)
{
    if (!n->is_number)
        return glob_match_n(n->text, text, len, false, false);
    double x;
    return text_number(text, len, &x) && x == n->number;
}

/* The same for a JSON field (a number field by how it was written). */
static bool equals(const struct node *n, const struct json_value *field)
{
    if (n->is_number && !json_is(field, JSON_NUMBER))
        return false;
    const char *text = json_is(field, JSON_STRING) ? field->u.str : json_is(field, JSON_NUMBER) ? field->u.str : NULL;
    return text && text_equals(n, text, field->len);
}

static bool eval(const struct node *n, const struct json_value *root)
{
    if (n->kind == N_AND)
        return eval(n->left, root) && eval(n->right, root);
    if (n->kind == N_OR)
        return eval(n->left, root) || eval(n->right, root);
    const struct json_value *field = resolve(root, n);
    if (n->kind == N_MISSING)
        return !field;
    if (!field)
        return false;
    double x = json_is(field, JSON_NUMBER) ? strtod(field->u.str, NULL) : 0;
    switch (n->kind) {
    case N_EQ: return equals(n, field);
    case N_NE: return !equals(n, field);
    case N_LT: return json_is(field, JSON_NUMBER) && x < n->number;
    case N_LE: return json_is(field, JSON_NUMBER) && x <= n->number;
    case N_GT: return json_is(field, JSON_NUMBER) && x > n->number;
    case N_GE: return json_is(field, JSON_NUMBER) && x >= n->number;
    case N_TRUE: return json_is_true(field);
    case N_FALSE: return json_is_false(field);
    case N_NULL: return json_is(field, JSON_NULL);
    default: return false;
    }
}

/* ---- space-delimited patterns -------------------------------------------------- */

#define MAX_FIELDS 128

/* [name, name = value, ..., name > 10]: each item a field name, with a
 * comparison or not, or "..." for any number of fields. */
static bool parse_delimited(struct parser *ps, struct logs_filter *f)
{
    for (;;) {
        if (f->n_fields == MAX_FIELDS)
            return fail(ps, "Invalid filter pattern: too many fields");
        struct node **grown = realloc(f->fields, (f->n_fields + 1) * sizeof(*grown));
        struct node *n = grown ? new_node(ps, N_ANY) : NULL;
        if (!grown || !n) {
            ps->nomem = true;
            if (grown)
                f->fields = grown;
            return false;
        }
        f->fields = grown;
        f->fields[f->n_fields++] = n;
        skip_space(ps);
        if (accept(ps, "...")) {
            n->kind = N_ELLIPSIS;
        } else {
            const char *start = ps->p;
            while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
                ps->p++;
            if (ps->p == start)
                return fail(ps, "Invalid filter pattern: a field needs a name");
            skip_space(ps);
            if (*ps->p && !strchr(",]", *ps->p) && !parse_comparison(ps, n))
                return false;
            skip_space(ps);
            if (*ps->p == '&' || *ps->p == '|')
                return fail(ps, "cloudless does not support && and || in space-delimited filter patterns yet.");
        }
        if (accept(ps, "]"))
            return true;
        if (!accept(ps, ","))
            return fail(ps, "Invalid filter pattern: fields are separated by commas and end with ]");
    }
}

/* A field of a message: len bytes, then a NUL. */
struct field {
    const char *text;
    size_t len;
};

/* Splits a copy of the message (len bytes, then a NUL) into fields at
 * spaces, ending each with a NUL; "quoted" and [bracketed] text is one
 * field, without its quotes or brackets. */
static size_t split_fields(char *text, size_t len, struct field *fields, size_t max)
{
    size_t n = 0;
    char *p = text, *end = text + len;
    while (p < end && n < max) {
        while (p < end && *p == ' ')
            p++;
        if (p == end)
            break;
        char close = *p == '"' ? '"' : *p == '[' ? ']' : ' ';
        if (close != ' ')
            p++;
        char *stop = memchr(p, close, (size_t)(end - p));
        fields[n].text = p;
        fields[n++].len = (size_t)((stop ? stop : end) - p);
        if (!stop)
            break;
        *stop = '\0';
        p = stop + 1;
    }
    return n;
}

static bool field_matches(const struct node *n, const struct field *field)
{
    double x;
    bool number = text_number(field->text, field->len, &x);
    switch (n->kind) {
    case N_ANY: return true;
    case N_EQ: return text_equals(n, field->text, field->len);
    case N_NE: return !text_equals(n, field->text, field->len);
    case N_LT: return number && x < n->number;
    case N_LE: return number && x <= n->number;
    case N_GT: return number && x > n->number;
    case N_GE: return number && x >= n->number;
    default: return false;
    }
}

/* The pattern's fields against the message's, "..." taking any number of
 * them: row by row from the last pattern field, `now[j]` says whether the
 * pattern from field i on matches the message from field j on (`next`
 * holds the row of i + 1), so any number of "..." costs np * nf tests. */
static bool fields_match(struct node *const *pattern, size_t np, const struct field *fields, size_t nf)
{
    bool *now = calloc(nf + 1, sizeof(*now)), *next = calloc(nf + 1, sizeof(*next));
    bool hit = false;
    if (now && next) {
        next[nf] = true;
        for (size_t i = np; i-- > 0;) {
            for (size_t j = nf + 1; j-- > 0;) {
                if (pattern[i]->kind == N_ELLIPSIS)
                    now[j] = next[j] || (j < nf && now[j + 1]);
                else
                    now[j] = j < nf && next[j + 1] && field_matches(pattern[i], &fields[j]);
            }
            bool *row = next;
            next = now;
            now = row;
        }
        hit = next[0];
    }
    free(now);
    free(next);
    return hit;
}

static bool delimited_match(const struct logs_filter *f, const char *message, size_t len)
{
    char *copy = malloc(len + 1);
    struct field fields[MAX_FIELDS * 4];
    if (copy) {
        memcpy(copy, message, len);
        copy[len] = '\0';
    }
    bool hit = copy && fields_match(f->fields, f->n_fields, fields,
                                    split_fields(copy, len, fields, sizeof(fields) / sizeof(fields[0])));
    free(copy);
    return hit;
}

/* ---- regular expressions ------------------------------------------------------- */

#define REGEX_MAX_LENGTH 256
#define REGEX_MAX_COPIES 100000.0

/* NULL when glibc can compile and run the expression within bounds, else
 * why not. glibc's compiler copies a subexpression once more for each '+'
 * and once per repetition an interval asks for, nested ones multiplying,
 * so the product of those copies is bounded, and stacked quantifiers
 * (a+++..., which CloudWatch's syntax does not have) are refused; \1-\9
 * back-references, which CloudWatch does not take either, would make the
 * matcher backtrack exponentially. */
static const char *regex_problem(const char *expression)
{
    if (strlen(expression) > REGEX_MAX_LENGTH)
        return "Invalid filter pattern: the regular expression is too long";
    double copies = 1;
    bool after_quantifier = false;
    for (const char *p = expression; *p; p++) {
        bool quantifier = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (quantifier && after_quantifier)
            return "Invalid filter pattern: quantifiers cannot follow one another";
        if (*p == '\\' && p[1]) {
            if (p[1] >= '1' && p[1] <= '9')
                return "Invalid filter pattern: back-references are not allowed in regular expressions";
            p++;
        } else if (*p == '{') {
            char *end;
            long low = strtol(p + 1, &end, 10), high = *end == ',' ? strtol(end + 1, &end, 10) : low;
            copies *= (double)(low > high ? low : high) + 1;
            const char *close = strchr(p, '}');
            if (close)
                p = close;
        } else if (*p == '+') {
            copies *= 2;
        }
        if (copies > REGEX_MAX_COPIES)
            return "Invalid filter pattern: the regular expression repeats too much";
        after_quantifier = quantifier;
    }
    return NULL;
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
        struct parser ps = {.p = p + 1};
        f->delimited = true;
        if (parse_delimited(&ps, f)) {
            skip_space(&ps);
            if (*ps.p)
                fail(&ps, "Invalid filter pattern: unexpected text after ]");
        }
        st = ps.nomem ? LOGS_FILTER_NOMEM
             : !ps.message ? LOGS_FILTER_OK
             : strncmp(ps.message, "cloudless", 9) == 0 ? LOGS_FILTER_UNSUPPORTED
                                                        : LOGS_FILTER_INVALID;
        *message = ps.message;
    } else if (*p == '%') {
        size_t len = strlen(p);
        while (len > 1 && isspace((unsigned char)p[len - 1]))
            len--;
        char *expression = len >= 2 && p[len - 1] == '%' ? strndup(p + 1, len - 2) : NULL;
        if (len < 2 || p[len - 1] != '%') {
            *message = "Invalid filter pattern: a regular expression is enclosed in %";
            st = LOGS_FILTER_INVALID;
        } else if (!expression) {
            st = LOGS_FILTER_NOMEM;
        } else if ((*message = regex_problem(expression))) {
            st = LOGS_FILTER_INVALID;
        } else if (regcomp(&f->regex, expression, REG_EXTENDED | REG_NOSUB) != 0) {
            *message = "Invalid filter pattern: the regular expression does not compile";
            st = LOGS_FILTER_INVALID;
        } else {
            f->is_regex = true;
        }
        free(expression);
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

bool logs_filter_match(const struct logs_filter *f, const char *message, size_t len)
{
    if (f->is_regex) {
        regmatch_t whole = {.rm_so = 0, .rm_eo = (regoff_t)len};   /* REG_STARTEND: the bytes to match */
        return regexec(&f->regex, message, 1, &whole, REG_STARTEND) == 0;
    }
    if (f->delimited)
        return delimited_match(f, message, len);
    if (!f->json)
        return terms_match(f, message, len);
    const struct json_value *root = json_parse(message, len, NULL);
    bool hit = root && json_is(root, JSON_OBJECT) && eval(f->json, root);
    json_free(root);
    return hit;
}
