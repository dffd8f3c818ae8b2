/* protocol/events pattern: compiles an event pattern into a tree of
 * nodes and matches events against it; see pattern.h for the language.
 *
 * Compiling walks the parsed pattern in document order, refusing with
 * event-ruler's reason at the first thing it would refuse. A pattern key
 * is split at its dots into one node per segment, so "a.b" and {"a":
 * {"b": ...}} build the same path. A node holds the value list of the
 * field that ends there (its matchers), its child nodes, and its "$or"
 * groups, whose alternatives are nodes at the same place in the event.
 * Everything lives in index-linked arrays owned by the pattern, which
 * also keeps the parsed pattern alive for the strings it points into.
 *
 * Matching walks the pattern tree along the event: a node is evaluated
 * against the event value at its path (none when the event lacks it).
 * Its matchers test the leaf values there: the value itself, or the
 * scalars of an array (nested arrays flattened). Its children and groups
 * are evaluated against the object there; against an array, one element
 * must satisfy all of them, which keeps fields within one array element
 * together. A node made only of {"exists": false} asks that its fields be
 * absent everywhere below, in every element. What a node yields when the
 * event has nothing at its path is worked out once, at compile time. */
#include "protocol/events/pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/events/pattern_values.h"

/* ---- compiled form ------------------------------------------------------ */

enum op {
    OP_EXACT_STRING,
    OP_EXACT_NUMBER,
    OP_EXACT_LITERAL,              /* true, false, null */
    OP_EXACT_IP,                   /* a string pattern that is an IP address */
    OP_PREFIX,
    OP_PREFIX_NOCASE,
    OP_SUFFIX,
    OP_SUFFIX_NOCASE,
    OP_EQUALS_NOCASE,
    OP_WILDCARD,
    OP_ANYTHING_BUT_STRINGS,
    OP_ANYTHING_BUT_NUMBERS,
    OP_ANYTHING_BUT_PREFIX,
    OP_ANYTHING_BUT_SUFFIX,
    OP_ANYTHING_BUT_NOCASE,
    OP_ANYTHING_BUT_WILDCARD,
    OP_NUMERIC,
    OP_EXISTS,
    OP_ABSENT,                     /* {"exists": false} */
    OP_CIDR,
};

struct text {
    const char *s;
    size_t len;
};

/* A parsed wildcard: its literal runs in the pattern's wildcard text. */
struct wildcard {
    struct text raw;               /* as written, for the complexity check */
    size_t text_at;                /* runs' bytes: wild_text[text_at ..] */
    size_t first_run, n_runs;      /* run lengths: runs[first_run ..] */
};

struct matcher {
    enum op op;
    struct text str;               /* exact/prefix/suffix/nocase string; number text */
    size_t first, count;           /* sets: texts[], numbers[] or wildcards[] */
    double number;                 /* OP_EXACT_NUMBER when comparable */
    bool comparable;
    enum json_type literal;        /* OP_EXACT_LITERAL */
    bool boolean;
    struct {
        double low, high;
        bool has_low, has_high, low_open, high_open;
    } range;                       /* OP_NUMERIC */
    struct events_cidr cidr;       /* OP_CIDR */
    enum events_ip_kind ip_kind;   /* OP_EXACT_IP */
    unsigned char ip[16];
};

#define NONE (-1)

struct node {
    struct text seg;               /* the key segment leading here ("" for roots and alternatives) */
    int first_child, next_sibling; /* next_sibling also chains a group's alternatives */
    int first_group;
    size_t first_matcher, n_matchers;
    bool absence_only;             /* every field at and below is {"exists": false} */
    bool struct_on_missing;        /* children and groups, with nothing in the event */
    bool on_missing;               /* the whole node, with nothing in the event */
};

struct group {
    int first_alternative;
    int next;
};

struct events_pattern {
    const struct json_value *doc;  /* the parsed pattern: the strings live here */
    struct node *nodes;
    size_t n_nodes, cap_nodes;
    struct group *groups;
    size_t n_groups, cap_groups;
    struct matcher *matchers;
    size_t n_matchers, cap_matchers;
    struct text *texts;
    size_t n_texts, cap_texts;
    double *numbers;
    size_t n_numbers, cap_numbers;
    struct wildcard *wildcards;
    size_t n_wildcards, cap_wildcards;
    uint32_t *runs;
    size_t n_runs, cap_runs;
    char *wild_text;               /* unescaped wildcard runs; never longer than the pattern */
    size_t wild_text_len;
};

void events_pattern_free(struct events_pattern *p)
{
    if (!p)
        return;
    if (p->doc)
        json_free(p->doc);
    free(p->nodes);
    free(p->groups);
    free(p->matchers);
    free(p->texts);
    free(p->numbers);
    free(p->wildcards);
    free(p->runs);
    free(p->wild_text);
    free(p);
}

/* ---- compiling ---------------------------------------------------------- */

struct compiler {
    struct events_pattern *p;
    struct strbuf reason;          /* ruler's reason, once refused */
    bool refused, oom;
};

/* Records the refusal, "<before><s><after>" (the first one wins);
 * returns false for chaining. */
static bool refuse_around(struct compiler *c, const char *before, const char *s, size_t len, const char *after)
{
    if (!c->refused && !c->oom) {
        c->refused = true;
        strbuf_puts(&c->reason, before);
        strbuf_append(&c->reason, s, len);
        strbuf_puts(&c->reason, after);
    }
    return false;
}

static bool refuse(struct compiler *c, const char *reason) { return refuse_around(c, reason, NULL, 0, ""); }

static bool refuse_with(struct compiler *c, const char *reason, const char *s, size_t len)
{
    return refuse_around(c, reason, s, len, "");
}

/* A reason a value-level helper appended to c->reason. */
static bool refused_by_helper(struct compiler *c)
{
    c->refused = true;
    return false;
}

static bool out_of_memory(struct compiler *c)
{
    c->oom = true;
    return false;
}

static bool text_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Jackson's text for a token where ruler quotes one in a reason. */
static struct text token_text(const struct json_value *v)
{
    switch (v ? v->type : JSON_ARRAY) {
    case JSON_NULL:
        return (struct text){"null", 4};
    case JSON_BOOL:
        return v->boolean ? (struct text){"true", 4} : (struct text){"false", 5};
    case JSON_NUMBER:
    case JSON_STRING:
        return (struct text){v->u.str, v->len};
    case JSON_OBJECT:
        return (struct text){"{", 1};
    case JSON_ARRAY:
        break;
    }
    return v ? (struct text){"[", 1} : (struct text){"]", 1};   /* NULL: the list ended */
}

static int new_node(struct compiler *c, const char *seg, size_t seg_len)
{
    struct events_pattern *p = c->p;
    if (p->n_nodes >= INT32_MAX ||
        !events_vec_grow((void **)&p->nodes, &p->cap_nodes, p->n_nodes + 1, sizeof(*p->nodes))) {
        out_of_memory(c);
        return NONE;
    }
    p->nodes[p->n_nodes] = (struct node){.seg = {seg, seg_len}, .first_child = NONE,
                                         .next_sibling = NONE, .first_group = NONE};
    return (int)p->n_nodes++;
}

/* The node for `key` below `parent`, made as needed, one per dot-separated
 * segment. */
static int descend(struct compiler *c, int parent, const char *key, size_t key_len)
{
    int at = parent;
    size_t start = 0;
    for (;;) {
        const char *dot = memchr(key + start, '.', key_len - start);
        size_t end = dot ? (size_t)(dot - key) : key_len;
        const char *seg = key + start;
        size_t seg_len = end - start;
        int child = c->p->nodes[at].first_child, last = NONE;
        for (; child != NONE; last = child, child = c->p->nodes[child].next_sibling) {
            const struct text *s = &c->p->nodes[child].seg;
            if (s->len == seg_len && memcmp(s->s, seg, seg_len) == 0)
                break;
        }
        if (child == NONE) {
            if ((child = new_node(c, seg, seg_len)) == NONE)
                return NONE;
            if (last == NONE)
                c->p->nodes[at].first_child = child;
            else
                c->p->nodes[last].next_sibling = child;
        }
        at = child;
        if (!dot)
            return at;
        start = end + 1;
    }
}

static struct matcher *new_matcher(struct compiler *c, enum op op)
{
    struct events_pattern *p = c->p;
    if (!events_vec_grow((void **)&p->matchers, &p->cap_matchers, p->n_matchers + 1, sizeof(*p->matchers))) {
        out_of_memory(c);
        return NULL;
    }
    struct matcher *m = &p->matchers[p->n_matchers++];
    memset(m, 0, sizeof(*m));
    m->op = op;
    return m;
}

static bool add_text(struct compiler *c, const char *s, size_t len)
{
    struct events_pattern *p = c->p;
    if (!events_vec_grow((void **)&p->texts, &p->cap_texts, p->n_texts + 1, sizeof(*p->texts)))
        return out_of_memory(c);
    p->texts[p->n_texts++] = (struct text){s, len};
    return true;
}

static bool add_number(struct compiler *c, double value)
{
    struct events_pattern *p = c->p;
    if (!events_vec_grow((void **)&p->numbers, &p->cap_numbers, p->n_numbers + 1, sizeof(*p->numbers)))
        return out_of_memory(c);
    p->numbers[p->n_numbers++] = value;
    return true;
}

/* Checks a wildcard value and stores its runs. */
static bool add_wildcard(struct compiler *c, const char *s, size_t len)
{
    struct events_pattern *p = c->p;
    if (!events_wildcard_check(s, len, &c->reason))
        return refused_by_helper(c);
    size_t runs = events_wildcard_stars(s, len) + 1;
    if (!events_vec_grow((void **)&p->wildcards, &p->cap_wildcards, p->n_wildcards + 1, sizeof(*p->wildcards)) ||
        !events_vec_grow((void **)&p->runs, &p->cap_runs, p->n_runs + runs, sizeof(*p->runs)))
        return out_of_memory(c);
    struct wildcard *w = &p->wildcards[p->n_wildcards++];
    w->raw = (struct text){s, len};
    w->text_at = p->wild_text_len;
    w->first_run = p->n_runs;
    w->n_runs = events_wildcard_split(s, len, p->wild_text + p->wild_text_len, p->runs + p->n_runs);
    for (size_t i = 0; i < w->n_runs; i++)
        p->wild_text_len += p->runs[p->n_runs + i];
    p->n_runs += w->n_runs;
    return true;
}

/* Whether the number text is comparable, refusing as ruler does when not. */
static bool require_comparable(struct compiler *c, const struct json_value *v, double *out)
{
    if (events_number_comparable(v->u.str, out))
        return true;
    return refuse_with(c, "Cannot compare number : ", v->u.str, v->len);
}

static bool only_one_key(struct compiler *c, const struct json_value *expression)
{
    return expression->len == 1 || refuse(c, "Only one key allowed in match expression");
}

/* {"prefix": {"equals-ignore-case": "s"}} and the suffix form. */
static bool compile_nocase_affix(struct compiler *c, const struct json_value *inner, bool prefix,
                                 const struct json_value *expression)
{
    if (inner->len == 0)
        return refuse(c, prefix ? "Prefix expression name not found" : "Suffix expression name not found");
    const struct json_member *m = &inner->u.members[0];
    if (!text_is(m->key, m->key_len, "equals-ignore-case"))
        return refuse_with(c, prefix ? "Unsupported prefix pattern: " : "Unsupported suffix pattern: ",
                           m->key, m->key_len);
    if (m->value.type != JSON_STRING)
        return refuse(c, "equals-ignore-case match pattern must be a string");
    if (!only_one_key(c, inner) || !only_one_key(c, expression))
        return false;
    struct matcher *out = new_matcher(c, prefix ? OP_PREFIX_NOCASE : OP_SUFFIX_NOCASE);
    if (!out)
        return false;
    out->str = (struct text){m->value.u.str, m->value.len};
    return true;
}

static bool compile_string_operator(struct compiler *c, enum op op, const struct json_value *v,
                                    const char *not_string, const struct json_value *expression)
{
    if (v->type != JSON_STRING)
        return refuse(c, not_string);
    size_t wildcard = c->p->n_wildcards;
    if (op == OP_WILDCARD && !add_wildcard(c, v->u.str, v->len))
        return false;
    if (!only_one_key(c, expression))
        return false;
    struct matcher *m = new_matcher(c, op);
    if (!m)
        return false;
    m->str = (struct text){v->u.str, v->len};
    m->first = wildcard;
    m->count = 1;
    return true;
}

/* {"numeric": [op, n] | [">"/">=", n, "<"/"<=", m]} */
static bool compile_numeric(struct compiler *c, const struct json_value *list)
{
    const struct json_value *items = list->u.items;
    size_t n = list->len;
    const struct json_value *first = n > 0 ? &items[0] : NULL;
    if (!first || first->type != JSON_STRING) {
        struct text t = token_text(first);
        return refuse_with(c, "Invalid member in numeric match: ", t.s, t.len);
    }
    const struct json_value *value = n > 1 ? &items[1] : NULL;
    bool value_numeric = value && value->type == JSON_NUMBER;
    const char *op = first->u.str;
    size_t op_len = first->len;
    struct matcher m = {.op = OP_NUMERIC};
    bool lower = text_is(op, op_len, ">") || text_is(op, op_len, ">=");
    if (text_is(op, op_len, "=")) {
        if (!value_numeric)
            return refuse(c, "Value of equals must be numeric");
        if (n > 2)
            return refuse(c, "Too many elements in numeric expression");
        if (!require_comparable(c, value, &m.range.low))
            return false;
        m.range.high = m.range.low;
        m.range.has_low = m.range.has_high = true;
    } else if (lower) {
        if (!value_numeric)
            return refuse_around(c, "Value of ", op, op_len, " must be numeric");
        m.range.has_low = true;
        m.range.low_open = op_len == 1;
        if (n > 2) {
            const struct json_value *op2 = &items[2];
            if (op2->type != JSON_STRING) {
                struct text t = token_text(op2);
                return refuse_with(c, "Bad value in numeric range: ", t.s, t.len);
            }
            if (!text_is(op2->u.str, op2->len, "<") && !text_is(op2->u.str, op2->len, "<="))
                return refuse_with(c, "Bad numeric range operator: ", op2->u.str, op2->len);
            if (n < 4 || items[3].type != JSON_NUMBER)
                return refuse_around(c, "Value of ", op2->u.str, op2->len, " must be numeric");
            if (n > 4)
                return refuse(c, "Too many terms in numeric range expression");
            if (!require_comparable(c, value, &m.range.low) || !require_comparable(c, &items[3], &m.range.high))
                return false;
            if (m.range.low >= m.range.high)
                return refuse(c, "Bottom must be less than top");
            m.range.has_high = true;
            m.range.high_open = op2->len == 1;
        } else if (!require_comparable(c, value, &m.range.low)) {
            return false;
        }
    } else if (text_is(op, op_len, "<") || text_is(op, op_len, "<=")) {
        if (!value_numeric)
            return refuse_around(c, "Value of ", op, op_len, " must be numeric");
        if (n > 2)
            return refuse(c, "Too many elements in numeric expression");
        if (!require_comparable(c, value, &m.range.high))
            return false;
        m.range.has_high = true;
        m.range.high_open = op_len == 1;
    } else {
        return refuse_with(c, "Unrecognized numeric range operator: ", op, op_len);
    }
    struct matcher *out = new_matcher(c, OP_NUMERIC);
    if (!out)
        return false;
    *out = m;
    return true;
}

/* anything-but over prefix, suffix, equals-ignore-case or wildcard: one
 * string or a list of them. */
static bool compile_anything_but_set(struct compiler *c, enum op op, const struct json_value *v)
{
    const char *not_string = op == OP_ANYTHING_BUT_NOCASE
                                 ? "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
                             : op == OP_ANYTHING_BUT_WILDCARD ? "wildcard match pattern must be a string"
                                                              : "prefix/suffix match pattern must be a string";
    bool affix = op == OP_ANYTHING_BUT_PREFIX || op == OP_ANYTHING_BUT_SUFFIX;
    const struct json_value *items = v->type == JSON_ARRAY ? v->u.items : v;
    size_t n = v->type == JSON_ARRAY ? v->len : 1;
    size_t first = op == OP_ANYTHING_BUT_WILDCARD ? c->p->n_wildcards : c->p->n_texts;
    for (size_t i = 0; i < n; i++) {
        if (items[i].type != JSON_STRING)
            return refuse(c, not_string);
        if (affix && items[i].len == 0)
            return refuse(c, "Null prefix/suffix not allowed");
        if (op != OP_ANYTHING_BUT_WILDCARD && !add_text(c, items[i].u.str, items[i].len))
            return false;
    }
    if (op == OP_ANYTHING_BUT_WILDCARD)
        for (size_t i = 0; i < n; i++)
            if (!add_wildcard(c, items[i].u.str, items[i].len))
                return false;
    struct matcher *m = new_matcher(c, op);
    if (!m)
        return false;
    m->first = first;
    m->count = n;
    return true;
}

/* anything-but over plain values: one string or number, or a list of
 * only strings or only numbers. */
static bool compile_anything_but_values(struct compiler *c, const struct json_value *v)
{
    const struct json_value *items = v->type == JSON_ARRAY ? v->u.items : v;
    size_t n = v->type == JSON_ARRAY ? v->len : 1;
    bool strings = false, numbers = false;
    size_t first_text = c->p->n_texts, first_number = c->p->n_numbers;
    for (size_t i = 0; i < n; i++) {
        if (items[i].type == JSON_STRING) {
            strings = true;
            if (!add_text(c, items[i].u.str, items[i].len))
                return false;
        } else if (items[i].type == JSON_NUMBER) {
            numbers = true;
            double d;
            if (!require_comparable(c, &items[i], &d) || !add_number(c, d))
                return false;
        } else {
            return refuse(c, "Inside anything but list, start|null|boolean is not supported.");
        }
    }
    if (strings == numbers)
        return refuse(c, "Inside anything but list, either all values are number or string, mixed type is not supported");
    struct matcher *m = new_matcher(c, strings ? OP_ANYTHING_BUT_STRINGS : OP_ANYTHING_BUT_NUMBERS);
    if (!m)
        return false;
    m->first = strings ? first_text : first_number;
    m->count = n;
    return true;
}

static bool compile_anything_but(struct compiler *c, const struct json_value *v, const struct json_value *expression)
{
    static const char not_value[] = "Value of anything-but must be an array or single string/number value.";
    static const char too_many[] = "Too many elements in numeric expression";
    if (v->type == JSON_OBJECT) {
        if (v->len == 0)
            return refuse(c, "Anything-But expression name not found");
        const struct json_member *inner = &v->u.members[0];
        enum op op;
        if (text_is(inner->key, inner->key_len, "equals-ignore-case"))
            op = OP_ANYTHING_BUT_NOCASE;
        else if (text_is(inner->key, inner->key_len, "prefix"))
            op = OP_ANYTHING_BUT_PREFIX;
        else if (text_is(inner->key, inner->key_len, "suffix"))
            op = OP_ANYTHING_BUT_SUFFIX;
        else if (text_is(inner->key, inner->key_len, "wildcard"))
            op = OP_ANYTHING_BUT_WILDCARD;
        else
            return refuse_with(c, "Unsupported anything-but pattern: ", inner->key, inner->key_len);
        enum json_type t = inner->value.type;
        if (t != JSON_ARRAY && t != JSON_STRING && t != JSON_NUMBER)
            return refuse(c, not_value);
        if (!compile_anything_but_set(c, op, &inner->value))
            return false;
        if (v->len > 1 || expression->len > 1)
            return refuse(c, too_many);
        return true;
    }
    if (v->type != JSON_ARRAY && v->type != JSON_STRING && v->type != JSON_NUMBER)
        return refuse(c, not_value);
    if (!compile_anything_but_values(c, v))
        return false;
    return expression->len == 1 || refuse(c, too_many);
}

/* One operator object of a value list: {"prefix": "x"} and the rest. */
static bool compile_expression(struct compiler *c, const struct json_value *expression)
{
    if (expression->len == 0)
        return refuse(c, "Match expression name not found");
    const struct json_member *m = &expression->u.members[0];
    const char *name = m->key;
    size_t name_len = m->key_len;
    const struct json_value *v = &m->value;
    if (text_is(name, name_len, "exactly"))
        return compile_string_operator(c, OP_EXACT_STRING, v, "exact match pattern must be a string", expression);
    if (text_is(name, name_len, "prefix") || text_is(name, name_len, "suffix")) {
        bool prefix = name[0] == 'p';
        if (v->type == JSON_OBJECT)
            return compile_nocase_affix(c, v, prefix, expression);
        return compile_string_operator(c, prefix ? OP_PREFIX : OP_SUFFIX, v,
                                       prefix ? "prefix match pattern must be a string"
                                              : "suffix match pattern must be a string",
                                       expression);
    }
    if (text_is(name, name_len, "numeric")) {
        if (v->type != JSON_ARRAY)
            return refuse(c, "Value of numeric must be an array.");
        if (!compile_numeric(c, v))
            return false;
        return expression->len == 1 || refuse(c, "Too many elements in numeric expression");
    }
    if (text_is(name, name_len, "anything-but"))
        return compile_anything_but(c, v, expression);
    if (text_is(name, name_len, "exists")) {
        if (v->type != JSON_BOOL)
            return refuse(c, "exists match pattern must be either true or false.");
        if (!only_one_key(c, expression))
            return false;
        return new_matcher(c, v->boolean ? OP_EXISTS : OP_ABSENT) != NULL;
    }
    if (text_is(name, name_len, "cidr")) {
        if (v->type != JSON_STRING)
            return refuse(c, "prefix match pattern must be a string");
        struct events_cidr cidr;
        if (!events_cidr_parse(v->u.str, v->len, &cidr, &c->reason))
            return refused_by_helper(c);
        if (!only_one_key(c, expression))
            return false;
        struct matcher *out = new_matcher(c, OP_CIDR);
        if (!out)
            return false;
        out->cidr = cidr;
        return true;
    }
    if (text_is(name, name_len, "equals-ignore-case"))
        return compile_string_operator(c, OP_EQUALS_NOCASE, v, "equals-ignore-case match pattern must be a string",
                                       expression);
    if (text_is(name, name_len, "wildcard"))
        return compile_string_operator(c, OP_WILDCARD, v, "wildcard match pattern must be a string", expression);
    return refuse_with(c, "Unrecognized match type ", name, name_len);
}

/* A plain value of a value list. */
static bool compile_value(struct compiler *c, const struct json_value *v)
{
    struct matcher *m;
    switch (v->type) {
    case JSON_OBJECT:
        return compile_expression(c, v);
    case JSON_STRING: {
        unsigned char ip[16] = {0};
        enum events_ip_kind kind = events_ip_parse(v->u.str, v->len, ip);
        bool is_ip = kind == EVENTS_IP_V4 || kind == EVENTS_IP_V6;
        if (!(m = new_matcher(c, is_ip ? OP_EXACT_IP : OP_EXACT_STRING)))
            return false;
        m->str = (struct text){v->u.str, v->len};
        m->ip_kind = kind;
        memcpy(m->ip, ip, sizeof(ip));
        return true;
    }
    case JSON_NUMBER:
        if (!(m = new_matcher(c, OP_EXACT_NUMBER)))
            return false;
        m->str = (struct text){v->u.str, v->len};
        m->comparable = events_number_comparable(v->u.str, &m->number);
        return true;
    case JSON_NULL:
    case JSON_BOOL:
        if (!(m = new_matcher(c, OP_EXACT_LITERAL)))
            return false;
        m->literal = v->type;
        m->boolean = v->boolean;
        return true;
    case JSON_ARRAY:
        break;
    }
    return refuse(c, "Match value must be String, number, true, false, or null");
}

/* A field's value list: the node's matchers (a repeated path keeps the
 * last list). */
static bool compile_values(struct compiler *c, const struct json_value *list, int node)
{
    size_t first = c->p->n_matchers;
    for (size_t i = 0; i < list->len; i++)
        if (!compile_value(c, &list->u.items[i]))
            return false;
    if (list->len == 0)
        return refuse(c, "Empty arrays are not allowed");
    /* Nested matchers are never made while compiling a list's items, so
     * the list's matchers are the contiguous ones made since `first`. */
    c->p->nodes[node].first_matcher = first;
    c->p->nodes[node].n_matchers = c->p->n_matchers - first;
    return true;
}

static bool compile_object(struct compiler *c, const struct json_value *object, int node, bool in_or);

/* "$or": [{...}, {...}, ...] at `node`. */
static bool compile_or(struct compiler *c, const struct json_value *list, int node)
{
    if (list->type != JSON_ARRAY)
        return refuse(c, "It must be an Array followed with $or.");
    struct events_pattern *p = c->p;
    if (p->n_groups >= INT32_MAX ||
        !events_vec_grow((void **)&p->groups, &p->cap_groups, p->n_groups + 1, sizeof(*p->groups)))
        return out_of_memory(c);
    int group = (int)p->n_groups++;
    p->groups[group] = (struct group){.first_alternative = NONE, .next = p->nodes[node].first_group};
    p->nodes[node].first_group = group;
    int last = NONE;
    for (size_t i = 0; i < list->len; i++) {
        const struct json_value *item = &list->u.items[i];
        if (item->type != JSON_OBJECT)
            return refuse(c, "Only JSON object is allowed in array of $or relationship.");
        int alternative = new_node(c, "", 0);
        if (alternative == NONE)
            return false;
        if (last == NONE)
            p->groups[group].first_alternative = alternative;
        else
            p->nodes[last].next_sibling = alternative;
        last = alternative;
        if (!compile_object(c, item, alternative, true))
            return false;
    }
    if (list->len < 2)
        return refuse(c, "There must have at least 2 Objects in $or relationship.");
    return true;
}

/* Ruler's reserved names, refused as field names inside "$or". */
static bool reserved_in_or(const char *key, size_t len)
{
    static const char *const reserved[] = {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
        "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    };
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (text_is(key, len, reserved[i]))
            return true;
    return false;
}

static bool compile_object(struct compiler *c, const struct json_value *object, int node, bool in_or)
{
    if (object->len == 0)
        return refuse(c, "Empty objects are not allowed");
    for (size_t i = 0; i < object->len; i++) {
        const struct json_member *m = &object->u.members[i];
        if (text_is(m->key, m->key_len, "$or")) {
            if (!compile_or(c, &m->value, node))
                return false;
            continue;
        }
        if (in_or && reserved_in_or(m->key, m->key_len))
            return refuse_around(c, "", m->key, m->key_len,
                                 " is Ruler reserved fieldName which cannot be used inside $or.");
        if (m->value.type != JSON_OBJECT && m->value.type != JSON_ARRAY)
            return refuse_around(c, "\"", m->key, m->key_len, "\" must be an object or an array");
        int child = descend(c, node, m->key, m->key_len);
        if (child == NONE)
            return false;
        bool ok = m->value.type == JSON_OBJECT ? compile_object(c, &m->value, child, in_or)
                                               : compile_values(c, &m->value, child);
        if (!ok)
            return false;
    }
    return true;
}

/* What each node yields with nothing in the event, and whether it only
 * asks for absence. Children and alternatives always come after their
 * node, so one backward pass sees them first. */
static void settle_nodes(struct events_pattern *p)
{
    for (size_t i = p->n_nodes; i-- > 0;) {
        struct node *n = &p->nodes[i];
        bool leaf_absent = n->n_matchers == 0;     /* no leaf: nothing asked of it */
        bool only_absent = true;
        for (size_t k = 0; k < n->n_matchers; k++) {
            bool absent = p->matchers[n->first_matcher + k].op == OP_ABSENT;
            leaf_absent = leaf_absent || absent;
            only_absent = only_absent && absent;
        }
        bool structure = true, children_absence_only = true;
        for (int child = n->first_child; child != NONE; child = p->nodes[child].next_sibling) {
            structure = structure && p->nodes[child].on_missing;
            children_absence_only = children_absence_only && p->nodes[child].absence_only;
        }
        for (int g = n->first_group; g != NONE; g = p->groups[g].next) {
            bool any = false;
            for (int alt = p->groups[g].first_alternative; alt != NONE; alt = p->nodes[alt].next_sibling)
                any = any || p->nodes[alt].struct_on_missing;
            structure = structure && any;
        }
        n->struct_on_missing = structure;
        n->on_missing = leaf_absent && structure;
        n->absence_only = n->first_group == NONE && only_absent && children_absence_only &&
                          (n->n_matchers > 0 || n->first_child != NONE);
    }
}

/* Refuses when some field's wildcard values are too complex. */
static bool check_wildcard_complexity(struct compiler *c)
{
    struct events_pattern *p = c->p;
    struct events_wildcard_term *terms = NULL;
    const char **values = NULL;
    size_t *lens = NULL;
    bool ok = true;
    for (size_t i = 0; i < p->n_nodes && ok; i++) {
        const struct node *n = &p->nodes[i];
        size_t n_values = 0;
        for (size_t k = 0; k < n->n_matchers; k++) {
            const struct matcher *m = &p->matchers[n->first_matcher + k];
            if (m->op == OP_WILDCARD || m->op == OP_ANYTHING_BUT_WILDCARD)
                n_values += m->count;
        }
        if (n_values == 0)
            continue;
        free(terms);
        free(values);
        free(lens);
        terms = malloc(n->n_matchers * sizeof(*terms));
        values = malloc(n_values * sizeof(*values));
        lens = malloc(n_values * sizeof(*lens));
        if (!terms || !values || !lens) {
            ok = out_of_memory(c);
            break;
        }
        size_t n_terms = 0, at = 0;
        for (size_t k = 0; k < n->n_matchers; k++) {
            const struct matcher *m = &p->matchers[n->first_matcher + k];
            if (m->op != OP_WILDCARD && m->op != OP_ANYTHING_BUT_WILDCARD)
                continue;
            struct events_wildcard_term t = {values + at, lens + at, m->count};
            for (size_t w = 0; w < m->count; w++) {
                values[at] = p->wildcards[m->first + w].raw.s;
                lens[at++] = p->wildcards[m->first + w].raw.len;
            }
            bool repeated = false;     /* the same term twice is one pattern */
            for (size_t e = 0; e < n_terms && !repeated; e++) {
                repeated = terms[e].n == t.n;
                for (size_t w = 0; w < t.n && repeated; w++)
                    repeated = terms[e].lens[w] == t.lens[w] && memcmp(terms[e].values[w], t.values[w], t.lens[w]) == 0;
            }
            if (!repeated)
                terms[n_terms++] = t;
        }
        int complexity = events_wildcard_complexity(terms, n_terms);
        if (complexity < 0)
            ok = out_of_memory(c);
        else if (complexity > EVENTS_WILDCARD_MAX_COMPLEXITY)
            ok = refuse(c, "Rule is too complex - try using fewer wildcard characters or fewer repeating "
                           "character sequences after a wildcard character");
    }
    free(terms);
    free(values);
    free(lens);
    return ok;
}

enum events_pattern_result events_pattern_compile(const char *text, size_t len, struct events_pattern **out,
                                                  struct strbuf *message)
{
    *out = NULL;
    struct compiler c = {0};
    strbuf_init(&c.reason);
    c.p = calloc(1, sizeof(*c.p));
    if (!c.p)
        return EVENTS_PATTERN_NOMEM;
    enum json_error err;
    c.p->doc = json_parse(text, len, &err);
    if (!c.p->doc) {
        if (err == JSON_ERR_NOMEM)
            out_of_memory(&c);
        else
            refuse(&c, "Filter is not valid JSON");
    } else if (c.p->doc->type != JSON_OBJECT) {
        refuse(&c, "Filter is not an object");
    } else if (!(c.p->wild_text = malloc(len + 1))) {
        out_of_memory(&c);
    } else if (new_node(&c, "", 0) != NONE && compile_object(&c, c.p->doc, 0, false)) {
        settle_nodes(c.p);
        check_wildcard_complexity(&c);
    }
    if (strbuf_failed(&c.reason))
        c.oom = true;
    enum events_pattern_result result = c.oom ? EVENTS_PATTERN_NOMEM
                                        : c.refused ? EVENTS_PATTERN_INVALID
                                                    : EVENTS_PATTERN_OK;
    if (result == EVENTS_PATTERN_INVALID && message) {
        strbuf_puts(message, EVENTS_PATTERN_INVALID_PREFIX);
        strbuf_append(message, c.reason.data, c.reason.len);
    }
    strbuf_free(&c.reason);
    if (result == EVENTS_PATTERN_OK)
        *out = c.p;
    else
        events_pattern_free(c.p);
    return result;
}

/* ---- matching ----------------------------------------------------------- */

/* An event scalar, with its number and address readings made on demand. */
struct scalar {
    const struct json_value *v;
    bool number_read, comparable;
    double number;
    bool ip_read;
    enum events_ip_kind ip_kind;
    unsigned char ip[16];
};

static bool scalar_comparable(struct scalar *s)
{
    if (!s->number_read) {
        s->number_read = true;
        s->comparable = s->v->type == JSON_NUMBER && events_number_comparable(s->v->u.str, &s->number);
    }
    return s->comparable;
}

static enum events_ip_kind scalar_ip(struct scalar *s)
{
    if (!s->ip_read) {
        s->ip_read = true;
        s->ip_kind = s->v->type == JSON_STRING ? events_ip_parse(s->v->u.str, s->v->len, s->ip) : EVENTS_IP_NONE;
    }
    return s->ip_kind;
}

static unsigned char fold(unsigned char ch) { return ch >= 'A' && ch <= 'Z' ? (unsigned char)(ch + 32) : ch; }

static bool same_nocase(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (fold((unsigned char)a[i]) != fold((unsigned char)b[i]))
            return false;
    return true;
}

static bool starts_with(const struct json_value *v, const struct text *t, bool nocase)
{
    return v->len >= t->len && (nocase ? same_nocase(v->u.str, t->s, t->len) : memcmp(v->u.str, t->s, t->len) == 0);
}

static bool ends_with(const struct json_value *v, const struct text *t, bool nocase)
{
    const char *tail = v->u.str + v->len - (v->len >= t->len ? t->len : 0);
    return v->len >= t->len && (nocase ? same_nocase(tail, t->s, t->len) : memcmp(tail, t->s, t->len) == 0);
}

static bool equals(const struct json_value *v, const struct text *t, bool nocase)
{
    return v->len == t->len && starts_with(v, t, nocase);
}

static bool wildcard_matches(const struct events_pattern *p, size_t index, const struct json_value *v)
{
    const struct wildcard *w = &p->wildcards[index];
    return events_wildcard_match(p->wild_text + w->text_at, p->runs + w->first_run, w->n_runs, v->u.str, v->len);
}

static bool in_range(const struct matcher *m, double d)
{
    if (m->range.has_low && (m->range.low_open ? d <= m->range.low : d < m->range.low))
        return false;
    if (m->range.has_high && (m->range.high_open ? d >= m->range.high : d > m->range.high))
        return false;
    return true;
}

/* Whether one matcher accepts one scalar of the event. */
static bool matcher_accepts(const struct events_pattern *p, const struct matcher *m, struct scalar *s)
{
    const struct json_value *v = s->v;
    bool string = v->type == JSON_STRING;
    switch (m->op) {
    case OP_EXACT_STRING:
        return string && equals(v, &m->str, false);
    case OP_EXACT_NUMBER:
        if (v->type != JSON_NUMBER)
            return false;
        if (m->comparable && scalar_comparable(s))
            return s->number == m->number;
        return v->len == m->str.len && memcmp(v->u.str, m->str.s, v->len) == 0;
    case OP_EXACT_LITERAL:
        return v->type == m->literal && (v->type != JSON_BOOL || v->boolean == m->boolean);
    case OP_EXACT_IP:
        return scalar_ip(s) == m->ip_kind && memcmp(s->ip, m->ip, m->ip_kind == EVENTS_IP_V4 ? 4 : 16) == 0;
    case OP_PREFIX:
    case OP_PREFIX_NOCASE:
        return string && starts_with(v, &m->str, m->op == OP_PREFIX_NOCASE);
    case OP_SUFFIX:
    case OP_SUFFIX_NOCASE:
        return string && ends_with(v, &m->str, m->op == OP_SUFFIX_NOCASE);
    case OP_EQUALS_NOCASE:
        return string && equals(v, &m->str, true);
    case OP_WILDCARD:
        return string && wildcard_matches(p, m->first, v);
    case OP_ANYTHING_BUT_STRINGS:
    case OP_ANYTHING_BUT_PREFIX:
    case OP_ANYTHING_BUT_SUFFIX:
    case OP_ANYTHING_BUT_NOCASE:
    case OP_ANYTHING_BUT_WILDCARD:
        if (!string)
            return true;
        for (size_t i = 0; i < m->count; i++) {
            if (m->op == OP_ANYTHING_BUT_WILDCARD) {
                if (wildcard_matches(p, m->first + i, v))
                    return false;
                continue;
            }
            const struct text *t = &p->texts[m->first + i];
            bool excluded = m->op == OP_ANYTHING_BUT_STRINGS  ? equals(v, t, false)
                            : m->op == OP_ANYTHING_BUT_PREFIX ? starts_with(v, t, false)
                            : m->op == OP_ANYTHING_BUT_SUFFIX ? ends_with(v, t, false)
                                                              : equals(v, t, true);
            if (excluded)
                return false;
        }
        return true;
    case OP_ANYTHING_BUT_NUMBERS:
        if (!scalar_comparable(s))
            return true;
        for (size_t i = 0; i < m->count; i++)
            if (p->numbers[m->first + i] == s->number)
                return false;
        return true;
    case OP_NUMERIC:
        return scalar_comparable(s) && in_range(m, s->number);
    case OP_EXISTS:
        return true;
    case OP_ABSENT:
        return false;
    case OP_CIDR:
        return events_cidr_contains(&m->cidr, scalar_ip(s), s->ip);
    }
    return false;
}

enum scan { SCAN_EMPTY, SCAN_UNMATCHED, SCAN_MATCHED };

/* Tries the node's matchers on the scalars of v (arrays flattened). */
static enum scan scan_scalars(const struct events_pattern *p, const struct node *n, const struct json_value *v)
{
    if (v->type == JSON_OBJECT)
        return SCAN_EMPTY;
    if (v->type == JSON_ARRAY) {
        enum scan result = SCAN_EMPTY;
        for (size_t i = 0; i < v->len; i++) {
            enum scan item = scan_scalars(p, n, &v->u.items[i]);
            if (item == SCAN_MATCHED)
                return SCAN_MATCHED;
            if (item == SCAN_UNMATCHED)
                result = SCAN_UNMATCHED;
        }
        return result;
    }
    struct scalar s = {.v = v};
    for (size_t k = 0; k < n->n_matchers; k++)
        if (matcher_accepts(p, &p->matchers[n->first_matcher + k], &s))
            return SCAN_MATCHED;
    return SCAN_UNMATCHED;
}

static bool leaf_matches(const struct events_pattern *p, const struct node *n, const struct json_value *v)
{
    enum scan scan = scan_scalars(p, n, v);
    if (scan != SCAN_EMPTY)
        return scan == SCAN_MATCHED;
    for (size_t k = 0; k < n->n_matchers; k++)
        if (p->matchers[n->first_matcher + k].op == OP_ABSENT)
            return true;
    return false;
}

static bool has_scalar(const struct json_value *v)
{
    if (v->type == JSON_OBJECT)
        return false;
    if (v->type != JSON_ARRAY)
        return true;
    for (size_t i = 0; i < v->len; i++)
        if (has_scalar(&v->u.items[i]))
            return true;
    return false;
}

/* The node reached from `child` through an event key: the key itself, or
 * a dotted key naming a chain of single nested keys below it. NONE when
 * the key leads elsewhere. */
static int route(const struct events_pattern *p, int child, const char *key, size_t len)
{
    const struct text *seg = &p->nodes[child].seg;
    if (len < seg->len || memcmp(key, seg->s, seg->len) != 0)
        return NONE;
    size_t at = seg->len;
    int node = child;
    for (;;) {
        if (at == len)
            return node;
        if (key[at] != '.')
            return NONE;
        const struct node *n = &p->nodes[node];
        int next = n->first_child;
        if (n->n_matchers || n->first_group != NONE || next == NONE || p->nodes[next].next_sibling != NONE)
            return NONE;
        const struct text *s = &p->nodes[next].seg;
        at++;
        if (len - at < s->len || memcmp(key + at, s->s, s->len) != 0)
            return NONE;
        at += s->len;
        node = next;
    }
}

static bool absent_below(const struct events_pattern *p, int node, const struct json_value *v);

/* Whether none of an absence-only node's fields has a value in v. */
static bool absent_everywhere(const struct events_pattern *p, int node, const struct json_value *v)
{
    const struct node *n = &p->nodes[node];
    if (n->n_matchers && has_scalar(v))
        return false;
    return n->first_child == NONE || absent_below(p, node, v);
}

static bool absent_below(const struct events_pattern *p, int node, const struct json_value *v)
{
    if (v->type == JSON_ARRAY) {
        for (size_t i = 0; i < v->len; i++)
            if (!absent_below(p, node, &v->u.items[i]))
                return false;
        return true;
    }
    if (v->type != JSON_OBJECT)
        return true;
    for (int child = p->nodes[node].first_child; child != NONE; child = p->nodes[child].next_sibling)
        for (size_t i = 0; i < v->len; i++) {
            const struct json_member *m = &v->u.members[i];
            int target = route(p, child, m->key, m->key_len);
            if (target != NONE && !absent_everywhere(p, target, &m->value))
                return false;
        }
    return true;
}

static bool node_matches(const struct events_pattern *p, int node, const struct json_value *v);

/* A node's children and groups against one event object. */
static bool object_matches(const struct events_pattern *p, int node, const struct json_value *object)
{
    for (int child = p->nodes[node].first_child; child != NONE; child = p->nodes[child].next_sibling) {
        const struct node *c = &p->nodes[child];
        bool routed = false, ok = false;
        for (size_t i = 0; i < object->len && !ok; i++) {
            const struct json_member *m = &object->u.members[i];
            int target = route(p, child, m->key, m->key_len);
            if (target == NONE)
                continue;
            routed = true;
            if (c->absence_only) {
                if (!absent_everywhere(p, target, &m->value))
                    return false;
            } else {
                ok = node_matches(p, target, &m->value);
            }
        }
        /* Absence holds unless some value was found; any other field
         * needs a value that matched, or to be satisfied by nothing. */
        if (!c->absence_only && !ok && (routed || !c->on_missing))
            return false;
    }
    for (int g = p->nodes[node].first_group; g != NONE; g = p->groups[g].next) {
        bool any = false;
        for (int alt = p->groups[g].first_alternative; alt != NONE && !any; alt = p->nodes[alt].next_sibling)
            any = object_matches(p, alt, object);
        if (!any)
            return false;
    }
    return true;
}

/* One element of an array (nested arrays flattened) satisfies the node's
 * children and groups; *objects tells whether the array held any object. */
static bool some_element_matches(const struct events_pattern *p, int node, const struct json_value *array,
                                 bool *objects)
{
    for (size_t i = 0; i < array->len; i++) {
        const struct json_value *item = &array->u.items[i];
        if (item->type == JSON_OBJECT) {
            *objects = true;
            if (object_matches(p, node, item))
                return true;
        } else if (item->type == JSON_ARRAY && some_element_matches(p, node, item, objects)) {
            return true;
        }
    }
    return false;
}

static bool node_matches(const struct events_pattern *p, int node, const struct json_value *v)
{
    const struct node *n = &p->nodes[node];
    if (n->absence_only)
        return absent_everywhere(p, node, v);
    if (n->n_matchers && !leaf_matches(p, n, v))
        return false;
    if (n->first_child == NONE && n->first_group == NONE)
        return true;
    if (v->type == JSON_OBJECT)
        return object_matches(p, node, v);
    if (v->type == JSON_ARRAY) {
        bool objects = false;
        if (some_element_matches(p, node, v, &objects))
            return true;
        return !objects && n->struct_on_missing;
    }
    return n->struct_on_missing;
}

bool events_pattern_matches(const struct events_pattern *p, const struct json_value *event)
{
    return p && event && node_matches(p, 0, event);
}
