/* protocol/dynamodb condition: ConditionExpression, FilterExpression and
 * KeyConditionExpression — parsing, AWS's semantic checks, evaluation.
 *
 * Grammar (keywords in any case, whitespace free):
 *   condition := and { OR and }
 *   and       := not { AND not }
 *   not       := NOT predicate | predicate
 *   predicate := operand [ comparator operand
 *                        | BETWEEN operand AND operand
 *                        | IN ( operand {, operand} ) ]
 *   operand   := ( condition ) [steps]     (steps only after a path)
 *              | function ( operand {, operand} )
 *              | :value | name steps
 *   steps     := { . name | [ digits ] }
 * A predicate without a comparator must be a function call or a
 * parenthesized condition; operands of comparators and functions must not
 * be conditions. The parser first builds a tree of nodes (syntax errors
 * stop it at the first bad token); a second, post-order walk then runs
 * AWS's checks in the order AWS runs them and keeps the first error of
 * each kind; the highest-ranked kind is reported. Only then is the
 * public struct ddb_condition built. */
#include "protocol/dynamodb/expr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/value_json.h"

static const char *const condition_keywords[] = {"BETWEEN", "IN", "AND", "OR", "NOT", NULL};

enum node_kind { N_PATH, N_VALUE, N_FUNC, N_COMPARE, N_BETWEEN, N_IN, N_AND, N_OR, N_NOT };

struct node {
    enum node_kind kind;
    const struct token *tok;       /* function name, value, comparator */
    enum ddb_comparator cmp;
    struct path_builder path;
    struct node **kids;
    size_t nkids;
    size_t paren_open, paren_close;/* token indexes of parentheses wrapping it (0: none) */
    /* filled by the checks */
    const struct ddb_value *value;
    int fn;                        /* enum ddb_function, or -1 when unknown */
    int result_type;               /* type a function yields, or -1 */
};

struct kids {
    struct node **items;
    size_t len, cap;
};

static bool is_condition(const struct node *n) { return n->kind >= N_COMPARE; }
static bool is_boolean(const struct node *n) { return is_condition(n) || n->kind == N_FUNC; }

static struct node *new_node(struct expr_parser *p, enum node_kind kind, const struct token *tok)
{
    struct node *n = arena_alloc(p->arena, sizeof(*n));
    if (!n) {
        expr_nomem(p);
        return NULL;
    }
    n->kind = kind;
    n->tok = tok;
    n->fn = -1;
    n->result_type = -1;
    return n;
}

static bool kids_push(struct expr_parser *p, struct kids *k, struct node *n)
{
    if (!(k->items = arena_grow(p->arena, k->items, k->len, &k->cap, sizeof(*k->items), 4)))
        return expr_nomem(p);
    k->items[k->len++] = n;
    return true;
}

static void set_kids(struct node *n, const struct kids *k)
{
    n->kids = k->items;
    n->nkids = k->len;
}

/* ---- parsing ------------------------------------------------------------ */

struct cparser {
    struct expr_parser p;
    bool redundant_parens;
};

static struct node *parse_or(struct cparser *c);

static bool is_steps_start(const struct token *t) { return t->kind == T_DOT || t->kind == T_LBRACKET; }

static struct node *parse_path(struct cparser *c, const struct token *head)
{
    struct expr_parser *p = &c->p;
    struct node *n = new_node(p, N_PATH, head);
    if (!n)
        return NULL;
    struct parsed_step s = path_name_step(p, head);
    if (!path_push(p, &n->path, &s) || !path_parse_steps(p, &n->path))
        return NULL;
    return n;
}

static struct node *parse_primary(struct cparser *c);

/* An operand where a condition may not stand. */
static struct node *parse_operand(struct cparser *c)
{
    struct node *n = parse_primary(c);
    if (n && is_condition(n)) {
        expr_syntax_error(&c->p);
        return NULL;
    }
    return n;
}

static struct node *parse_call(struct cparser *c, const struct token *name)
{
    struct expr_parser *p = &c->p;
    expr_next(p); /* ( */
    if (!expr_enter(p))
        return NULL;
    struct node *n = new_node(p, N_FUNC, name);
    struct kids args = {0};
    if (!n)
        return NULL;
    for (;;) {
        struct node *arg = parse_operand(c);
        if (!arg || !kids_push(p, &args, arg))
            return NULL;
        if (expr_peek(p)->kind == T_COMMA) {
            expr_next(p);
            continue;
        }
        if (expr_peek(p)->kind != T_RPAREN) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        break;
    }
    expr_leave(p);
    set_kids(n, &args);
    if (is_steps_start(expr_peek(p))) {
        expr_syntax_error(p);
        return NULL;
    }
    return n;
}

static struct node *parse_parenthesized(struct cparser *c)
{
    struct expr_parser *p = &c->p;
    size_t open = p->pos;
    expr_next(p);
    if (!expr_enter(p))
        return NULL;
    struct node *inner = parse_or(c);
    if (!inner)
        return NULL;
    if (expr_peek(p)->kind != T_RPAREN) {
        expr_syntax_error(p);
        return NULL;
    }
    size_t close = p->pos;
    expr_next(p);
    expr_leave(p);
    if (inner->paren_open && inner->paren_open == open + 1 && inner->paren_close + 1 == close)
        c->redundant_parens = true;
    if (is_steps_start(expr_peek(p))) {
        if (inner->kind != N_PATH) {
            expr_syntax_error(p);
            return NULL;
        }
        if (!path_parse_steps(p, &inner->path))
            return NULL;
        inner->paren_open = inner->paren_close = 0;
        return inner;
    }
    inner->paren_open = open;
    inner->paren_close = close;
    return inner;
}

static struct node *parse_primary(struct cparser *c)
{
    struct expr_parser *p = &c->p;
    const struct token *t = expr_peek(p);
    switch (t->kind) {
    case T_LPAREN: return parse_parenthesized(c);
    case T_IDENT:
        if (expr_is_parser_keyword(p, t))
            break;
        expr_next(p);
        if (expr_peek(p)->kind == T_LPAREN)
            return parse_call(c, t);
        return parse_path(c, t);
    case T_NAME: expr_next(p); return parse_path(c, t);
    case T_VALUE: {
        expr_next(p);
        if (is_steps_start(expr_peek(p)))
            break;
        return new_node(p, N_VALUE, t);
    }
    default: break;
    }
    expr_syntax_error(p);
    return NULL;
}

static bool comparator_of(enum tok_kind k, enum ddb_comparator *out)
{
    switch (k) {
    case T_EQ: *out = DDB_CMP_EQ; return true;
    case T_NE: *out = DDB_CMP_NE; return true;
    case T_LT: *out = DDB_CMP_LT; return true;
    case T_LE: *out = DDB_CMP_LE; return true;
    case T_GT: *out = DDB_CMP_GT; return true;
    case T_GE: *out = DDB_CMP_GE; return true;
    default: return false;
    }
}

static struct node *parse_predicate(struct cparser *c)
{
    struct expr_parser *p = &c->p;
    struct node *left = parse_primary(c);
    if (!left)
        return NULL;
    const struct token *t = expr_peek(p);
    enum ddb_comparator cmp;
    struct kids k = {0};
    struct node *n;
    if (comparator_of(t->kind, &cmp)) {
        if (is_condition(left)) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        struct node *right = parse_operand(c);
        if (!right || !(n = new_node(p, N_COMPARE, t)))
            return NULL;
        n->cmp = cmp;
        if (!kids_push(p, &k, left) || !kids_push(p, &k, right))
            return NULL;
    } else if (expr_is_keyword(p, t, "BETWEEN")) {
        if (is_condition(left)) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        struct node *low = parse_operand(c);
        if (!low)
            return NULL;
        if (!expr_is_keyword(p, expr_peek(p), "AND")) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        struct node *high = parse_operand(c);
        if (!high || !(n = new_node(p, N_BETWEEN, t)))
            return NULL;
        if (!kids_push(p, &k, left) || !kids_push(p, &k, low) || !kids_push(p, &k, high))
            return NULL;
    } else if (expr_is_keyword(p, t, "IN")) {
        if (is_condition(left)) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        if (expr_peek(p)->kind != T_LPAREN) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        if (!(n = new_node(p, N_IN, t)) || !kids_push(p, &k, left))
            return NULL;
        for (;;) {
            struct node *item = parse_operand(c);
            if (!item || !kids_push(p, &k, item))
                return NULL;
            if (expr_peek(p)->kind == T_COMMA) {
                expr_next(p);
                continue;
            }
            if (expr_peek(p)->kind != T_RPAREN) {
                expr_syntax_error(p);
                return NULL;
            }
            expr_next(p);
            break;
        }
    } else {
        return left;
    }
    set_kids(n, &k);
    return n;
}

static struct node *parse_not(struct cparser *c)
{
    struct expr_parser *p = &c->p;
    const struct token *t = expr_peek(p);
    if (!expr_is_keyword(p, t, "NOT"))
        return parse_predicate(c);
    expr_next(p);
    struct node *inner = parse_predicate(c);
    if (!inner)
        return NULL;
    if (!is_boolean(inner)) {
        expr_syntax_error(p);
        return NULL;
    }
    struct node *n = new_node(p, N_NOT, t);
    struct kids k = {0};
    if (!n || !kids_push(p, &k, inner))
        return NULL;
    set_kids(n, &k);
    return n;
}

/* One level of AND (below) or OR (above): operands joined by the word. */
static struct node *parse_chain(struct cparser *c, const char *word, enum node_kind kind,
                                struct node *(*operand)(struct cparser *))
{
    struct expr_parser *p = &c->p;
    struct node *first = operand(c);
    if (!first)
        return NULL;
    if (!expr_is_keyword(p, expr_peek(p), word))
        return first;
    struct node *n = new_node(p, kind, expr_peek(p));
    struct kids k = {0};
    if (!n || !kids_push(p, &k, first))
        return NULL;
    while (expr_is_keyword(p, expr_peek(p), word)) {
        if (!is_boolean(k.items[k.len - 1])) {
            expr_syntax_error(p);
            return NULL;
        }
        expr_next(p);
        struct node *next = operand(c);
        if (!next || !kids_push(p, &k, next))
            return NULL;
    }
    if (!is_boolean(k.items[k.len - 1])) {
        expr_syntax_error(p);
        return NULL;
    }
    set_kids(n, &k);
    return n;
}

static struct node *parse_and(struct cparser *c) { return parse_chain(c, "AND", N_AND, parse_not); }
static struct node *parse_or(struct cparser *c) { return parse_chain(c, "OR", N_OR, parse_and); }

/* ---- AWS's checks ------------------------------------------------------- */

struct checks {
    struct expr_parser *p;
    struct error_slot unknown_function, misused_function, reserved;
    struct error_slot name_or_value, operand_count, distinct, function;
    struct error_slot condition;   /* the first condition that had one of the four above */
};

static const char *const function_names[] = {
    [DDB_FN_ATTRIBUTE_EXISTS] = "attribute_exists",
    [DDB_FN_ATTRIBUTE_NOT_EXISTS] = "attribute_not_exists",
    [DDB_FN_ATTRIBUTE_TYPE] = "attribute_type",
    [DDB_FN_BEGINS_WITH] = "begins_with",
    [DDB_FN_CONTAINS] = "contains",
    [DDB_FN_SIZE] = "size",
};
static const size_t function_operands[] = {1, 1, 2, 2, 2, 1};

static int find_function(const struct expr_parser *p, const struct token *t)
{
    for (size_t i = 0; i < sizeof(function_names) / sizeof(function_names[0]); i++)
        if (strlen(function_names[i]) == t->len && memcmp(function_names[i], tok_text(p, t), t->len) == 0)
            return (int)i;
    return -1;
}

static bool is_named_function(const struct expr_parser *p, const struct node *n, const char *name)
{
    return n->kind == N_FUNC && strlen(name) == n->tok->len && memcmp(tok_text(p, n->tok), name, n->tok->len) == 0;
}

static void check_path(struct checks *ck, struct node *n)
{
    path_resolve_names(ck->p, &n->path, &ck->reserved, &ck->name_or_value);
}

static void check_value(struct checks *ck, struct node *n)
{
    struct expr_parser *p = ck->p;
    if (ck->name_or_value.message)
        return;
    const struct ddb_expr_value *e = expr_lookup_value(p->ctx, tok_text(p, n->tok), n->tok->len);
    if (e) {
        n->value = &e->value;
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    expr_undefined_value_message(&sb, tok_text(p, n->tok), n->tok->len);
    slot_take(p, &ck->name_or_value, &sb, false);
}

/* The type an operand is known to have without the item: a value's type,
 * a checked function's result; -1 for paths and unknowns. */
static int known_type(const struct node *n)
{
    if (n->kind == N_VALUE)
        return n->value ? (int)n->value->type : -1;
    if (n->kind == N_FUNC)
        return n->result_type;
    return -1;
}

static int value_type(const struct node *n) { return n->kind == N_VALUE && n->value ? (int)n->value->type : -1; }

static void check_misused(struct checks *ck, struct node *const *args, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (args[i]->kind == N_FUNC && !is_named_function(ck->p, args[i], "size"))
            slot_set(ck->p, &ck->misused_function,
                     "The function is not allowed to be used this way in an expression; function: %.*s",
                     (int)args[i]->tok->len, tok_text(ck->p, args[i]->tok));
}

static void check_misused_size(struct checks *ck, const struct node *n)
{
    if (is_named_function(ck->p, n, "size"))
        slot_set(ck->p, &ck->misused_function,
                 "The function is not allowed to be used this way in an expression; function: size");
}

static bool same_path(const struct node *a, const struct node *b)
{
    if (a->kind != N_PATH || b->kind != N_PATH || a->path.len != b->path.len)
        return false;
    for (size_t i = 0; i < a->path.len; i++) {
        const struct ddb_path_step *x = &a->path.steps[i].step, *y = &b->path.steps[i].step;
        if ((x->name == NULL) != (y->name == NULL))
            return false;
        if (x->name ? ddb_name_compare(x->name, x->name_len, y->name, y->name_len) != 0 : x->index != y->index)
            return false;
    }
    return true;
}

static void check_distinct(struct checks *ck, const char *op, size_t op_len, struct node *const *args, size_t n)
{
    if (ck->distinct.message || n != 2 || !same_path(args[0], args[1]))
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "The first operand must be distinct from the remaining operands for this operator or "
                     "function; operator: ");
    strbuf_append(&sb, op, op_len);
    strbuf_puts(&sb, ", first operand: ");
    path_builder_describe(&sb, &args[0]->path);
    slot_take(ck->p, &ck->distinct, &sb, false);
}

static void operand_type_error(struct checks *ck, const char *name, const char *type)
{
    slot_set(ck->p, &ck->function,
             "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name,
             type);
}

static const char *const type_names_for_attribute_type = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";

static void check_function(struct checks *ck, struct node *n)
{
    struct expr_parser *p = ck->p;
    if (ck->unknown_function.message)
        return;
    n->fn = find_function(p, n->tok);
    if (n->fn < 0) {
        slot_set(p, &ck->unknown_function, "Invalid function name; function: %.*s", (int)n->tok->len,
                 tok_text(p, n->tok));
        return;
    }
    const char *name = function_names[n->fn];
    if (ck->operand_count.message)
        return;
    if (n->nkids != function_operands[n->fn]) {
        slot_set(p, &ck->operand_count,
                 "Incorrect number of operands for operator or function; operator or function: %s, number of "
                 "operands: %zu",
                 name, n->nkids);
        return;
    }
    check_distinct(ck, name, strlen(name), n->kids, n->nkids);
    if (ck->function.message)
        return;
    int type;
    switch ((enum ddb_function)n->fn) {
    case DDB_FN_ATTRIBUTE_EXISTS:
    case DDB_FN_ATTRIBUTE_NOT_EXISTS:
        if (n->kids[0]->kind != N_PATH)
            slot_set(p, &ck->function, "Operator or function requires a document path; operator or function: %s",
                     name);
        return;
    case DDB_FN_BEGINS_WITH:
        for (size_t i = 0; i < n->nkids; i++) {
            type = known_type(n->kids[i]);
            if (type >= 0 && type != DDB_S && type != DDB_B) {
                operand_type_error(ck, name, ddb_type_name((enum ddb_type)type));
                return;
            }
        }
        n->result_type = DDB_BOOL;
        return;
    case DDB_FN_ATTRIBUTE_TYPE:
        type = known_type(n->kids[1]);
        if (type != DDB_S) {
            operand_type_error(ck, name, type < 0 ? type_names_for_attribute_type : ddb_type_name((enum ddb_type)type));
            return;
        }
        if (n->kids[1]->kind == N_VALUE) {
            const struct ddb_value *v = n->kids[1]->value;
            enum ddb_type named;
            if (!ddb_type_from_name(v->u.bytes, v->len, &named)) {
                struct strbuf sb;
                strbuf_init(&sb);
                strbuf_puts(&sb, "Invalid attribute type name found; type: ");
                strbuf_append(&sb, v->u.bytes, v->len);
                strbuf_puts(&sb, ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
                slot_take(p, &ck->function, &sb, false);
                return;
            }
        }
        n->result_type = DDB_BOOL;
        return;
    case DDB_FN_SIZE:
        type = known_type(n->kids[0]);
        if (type == DDB_N || type == DDB_BOOL || type == DDB_NULL) {
            operand_type_error(ck, name, ddb_type_name((enum ddb_type)type));
            return;
        }
        n->result_type = DDB_N;
        return;
    case DDB_FN_CONTAINS: n->result_type = DDB_BOOL; return;
    case DDB_FN_IF_NOT_EXISTS:
    case DDB_FN_LIST_APPEND: return;
    }
}

static void check_between(struct checks *ck, const struct node *low, const struct node *high)
{
    if (ck->function.message)
        return;
    int lt = value_type(low), ht = value_type(high);
    if (lt < 0 || ht < 0)
        return;
    const char *problem = NULL;
    if (lt != ht)
        problem = "The BETWEEN operator requires same data type for lower and upper bounds; ";
    else if (ddb_type_is_scalar_key((enum ddb_type)lt) && ddb_value_compare(low->value, high->value) > 0)
        problem = "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ";
    if (!problem)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, problem);
    strbuf_puts(&sb, "lower bound operand: AttributeValue: ");
    ddb_value_describe(&sb, low->value);
    strbuf_puts(&sb, ", upper bound operand: AttributeValue: ");
    ddb_value_describe(&sb, high->value);
    slot_take(ck->p, &ck->function, &sb, false);
}

/* The end of one condition: its first error (by rank) is the condition's. */
static void capture_condition(struct checks *ck)
{
    if (ck->condition.message)
        return;
    const struct error_slot *order[] = {&ck->name_or_value, &ck->operand_count, &ck->distinct, &ck->function};
    for (size_t i = 0; i < 4; i++) {
        if (order[i]->message) {
            ck->condition = *order[i];
            return;
        }
    }
}

static const char *comparator_text(enum ddb_comparator c)
{
    static const char *const texts[] = {"=", "<>", "<", "<=", ">", ">="};
    return texts[c];
}

static void check_node(struct checks *ck, struct node *n)
{
    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        for (size_t i = 0; i < n->nkids; i++) {
            check_node(ck, n->kids[i]);
            if (n->kids[i]->kind == N_FUNC)
                capture_condition(ck); /* a function standing as a condition */
            check_misused_size(ck, n->kids[i]);
        }
        return;
    }
    for (size_t i = 0; i < n->nkids; i++)
        check_node(ck, n->kids[i]);
    switch (n->kind) {
    case N_PATH: check_path(ck, n); return;
    case N_VALUE: check_value(ck, n); return;
    case N_FUNC:
        check_misused(ck, n->kids, n->nkids);
        check_function(ck, n);
        return;
    case N_COMPARE:
        check_misused(ck, n->kids, 2);
        check_distinct(ck, comparator_text(n->cmp), strlen(comparator_text(n->cmp)), n->kids, 2);
        capture_condition(ck);
        return;
    case N_BETWEEN:
        check_misused(ck, n->kids, 3);
        check_between(ck, n->kids[1], n->kids[2]);
        capture_condition(ck);
        return;
    case N_IN:
        check_misused(ck, n->kids, n->nkids);
        capture_condition(ck);
        return;
    case N_AND:
    case N_OR:
    case N_NOT: return;
    }
}

/* ---- building the public tree -------------------------------------------- */

struct builder {
    struct expr_parser *p;
    struct ddb_path *paths;        /* every path operand, for the name lists */
    size_t npaths, cap;
};

static bool remember_path(struct builder *b, const struct ddb_path *path)
{
    if (!(b->paths = arena_grow(b->p->arena, b->paths, b->npaths, &b->cap, sizeof(*b->paths), 8)))
        return expr_nomem(b->p);
    b->paths[b->npaths++] = *path;
    return true;
}

static bool build_operand(struct builder *b, const struct node *n, struct ddb_operand *out)
{
    memset(out, 0, sizeof(*out));
    switch (n->kind) {
    case N_PATH:
        out->kind = DDB_OPERAND_PATH;
        return path_builder_finish(b->p, &n->path, &out->path) && remember_path(b, &out->path);
    case N_VALUE:
        out->kind = DDB_OPERAND_VALUE;
        out->value = n->value;
        return true;
    case N_FUNC: {
        out->kind = DDB_OPERAND_FUNCTION;
        out->function = (enum ddb_function)n->fn;
        struct ddb_operand *args = arena_array(b->p->arena, n->nkids, sizeof(*args));
        if (!args)
            return expr_nomem(b->p);
        for (size_t i = 0; i < n->nkids; i++)
            if (!build_operand(b, n->kids[i], &args[i]))
                return false;
        out->args = args;
        out->nargs = n->nkids;
        return true;
    }
    default: return false;
    }
}

static bool build_condition(struct builder *b, const struct node *n, struct ddb_condition *out)
{
    memset(out, 0, sizeof(*out));
    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        out->kind = n->kind == N_AND ? DDB_COND_AND : n->kind == N_OR ? DDB_COND_OR : DDB_COND_NOT;
        struct ddb_condition *children = arena_array(b->p->arena, n->nkids, sizeof(*children));
        if (!children)
            return expr_nomem(b->p);
        for (size_t i = 0; i < n->nkids; i++)
            if (!build_condition(b, n->kids[i], &children[i]))
                return false;
        out->children = children;
        out->nchildren = n->nkids;
        return true;
    }
    size_t count = n->kind == N_FUNC ? 1 : n->nkids;
    struct ddb_operand *operands = arena_array(b->p->arena, count, sizeof(*operands));
    if (!operands)
        return expr_nomem(b->p);
    if (n->kind == N_FUNC) {
        out->kind = DDB_COND_FUNCTION;
        if (!build_operand(b, n, &operands[0]))
            return false;
    } else {
        out->kind = n->kind == N_COMPARE ? DDB_COND_COMPARE : n->kind == N_BETWEEN ? DDB_COND_BETWEEN : DDB_COND_IN;
        out->comparator = n->cmp;
        for (size_t i = 0; i < count; i++)
            if (!build_operand(b, n->kids[i], &operands[i]))
                return false;
    }
    out->operands = operands;
    out->noperands = count;
    return true;
}

static bool parse_any_condition(struct ddb_expr_context *ctx, enum ddb_expression_role role, const char *text,
                                size_t len, struct ddb_parsed_condition *out, struct ddb_error *err)
{
    struct cparser c = {0};
    if (!expr_begin(&c.p, ctx, role, text, len, err))
        return false;
    struct expr_parser *p = &c.p;
    p->keywords = condition_keywords;
    struct node *root = parse_or(&c);
    if (!root)
        return false;
    if (expr_peek(p)->kind != T_END || !is_boolean(root))
        return expr_syntax_error(p);

    struct checks ck = {.p = p};
    check_node(&ck, root);
    if (root->kind == N_FUNC)
        capture_condition(&ck);
    check_misused_size(&ck, root);
    if (p->nomem)
        return false;
    if (c.redundant_parens)
        return expr_fail(p, "The expression has redundant parentheses;");
    const struct error_slot *order[] = {&ck.unknown_function, &ck.misused_function, &ck.reserved, &ck.condition};
    for (size_t i = 0; i < 4; i++)
        if (order[i]->message)
            return expr_fail(p, order[i]->message);

    struct builder b = {.p = p};
    struct ddb_condition *cond = arena_alloc(p->arena, sizeof(*cond));
    if (!cond || !build_condition(&b, root, cond))
        return p->nomem ? false : expr_nomem(p);
    out->condition = cond;
    if (!name_list_from_paths(p->arena, b.paths, b.npaths, false, &out->heads) ||
        !name_list_from_paths(p->arena, b.paths, b.npaths, true, &out->nested))
        return expr_nomem(p);
    return true;
}

bool ddb_parse_condition(struct ddb_expr_context *ctx, enum ddb_expression_role role, const char *text,
                         size_t len, struct ddb_parsed_condition *out, struct ddb_error *err)
{
    return parse_any_condition(ctx, role, text, len, out, err);
}

bool ddb_parse_key_condition(struct ddb_expr_context *ctx, const char *text, size_t len,
                             struct ddb_parsed_condition *out, struct ddb_error *err)
{
    return parse_any_condition(ctx, DDB_EXPR_KEY_CONDITION, text, len, out, err);
}

/* ---- evaluation ----------------------------------------------------------- */

/* An operand's value, or NULL when it has none (a missing path, size() of
 * something without a size). size() writes its number into r. */
struct resolved {
    struct ddb_value number;
    char text[DDB_NUMBER_TEXT_MAX];
};

/* size() of a string counts characters as AWS does (UTF-16 code units:
 * a character outside the Basic Multilingual Plane counts 2). */
static size_t string_size(const struct ddb_value *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->u.bytes[i];
        if ((c & 0xc0) != 0x80)
            n += c >= 0xf0 ? 2 : 1;
    }
    return n;
}

static const struct ddb_value *resolve(const struct ddb_operand *o, const struct ddb_value *item,
                                       struct resolved *r)
{
    switch (o->kind) {
    case DDB_OPERAND_PATH: return item ? ddb_path_resolve(item, &o->path) : NULL;
    case DDB_OPERAND_VALUE: return o->value;
    case DDB_OPERAND_FUNCTION:
        if (o->function == DDB_FN_SIZE && o->nargs == 1) {
            struct resolved inner;
            const struct ddb_value *v = resolve(&o->args[0], item, &inner);
            if (!v || v->type == DDB_N || v->type == DDB_BOOL || v->type == DDB_NULL)
                return NULL;
            struct ddb_number n;
            ddb_number_from_uint(v->type == DDB_S ? string_size(v) : v->len, &n);
            size_t len = ddb_number_format(&n, r->text);
            r->number = (struct ddb_value){.type = DDB_N, .len = len, .u.bytes = r->text};
            return &r->number;
        }
        return NULL;
    case DDB_OPERAND_PLUS:
    case DDB_OPERAND_MINUS: break;
    }
    return NULL;
}

static bool ordered(const struct ddb_value *a, const struct ddb_value *b)
{
    return a && b && a->type == b->type && ddb_type_is_scalar_key(a->type);
}

static bool compare_values(enum ddb_comparator cmp, const struct ddb_value *a, const struct ddb_value *b)
{
    if (cmp == DDB_CMP_EQ || cmp == DDB_CMP_NE) {
        bool equal = a && b && ddb_value_equal(a, b);
        return cmp == DDB_CMP_EQ ? equal : !equal;
    }
    if (!ordered(a, b))
        return false;
    int c = ddb_value_compare(a, b);
    switch (cmp) {
    case DDB_CMP_LT: return c < 0;
    case DDB_CMP_LE: return c <= 0;
    case DDB_CMP_GT: return c > 0;
    case DDB_CMP_GE: return c >= 0;
    default: return false;
    }
}

static bool bytes_contain(const struct ddb_value *hay, const struct ddb_value *needle)
{
    if (needle->len == 0)
        return true;
    return hay->len >= needle->len && memmem(hay->u.bytes, hay->len, needle->u.bytes, needle->len) != NULL;
}

static bool value_contains(const struct ddb_value *a, const struct ddb_value *b)
{
    if (!a || !b)
        return false;
    if ((a->type == DDB_S && b->type == DDB_S) || (a->type == DDB_B && b->type == DDB_B))
        return bytes_contain(a, b);
    if (ddb_type_is_set(a->type))
        return b->type == ddb_set_element_type(a->type) && ddb_set_contains(a, b);
    if (a->type == DDB_L) {
        for (size_t i = 0; i < a->len; i++)
            if (ddb_value_equal(&a->u.items[i], b))
                return true;
    }
    return false;
}

static bool value_begins_with(const struct ddb_value *a, const struct ddb_value *b)
{
    if (!a || !b || a->type != b->type || (a->type != DDB_S && a->type != DDB_B))
        return false;
    return a->len >= b->len && memcmp(a->u.bytes, b->u.bytes, b->len) == 0;
}

static bool eval_function(const struct ddb_operand *f, const struct ddb_value *item)
{
    struct resolved r0, r1;
    const struct ddb_value *a = f->nargs > 0 ? resolve(&f->args[0], item, &r0) : NULL;
    const struct ddb_value *b = f->nargs > 1 ? resolve(&f->args[1], item, &r1) : NULL;
    switch (f->function) {
    case DDB_FN_ATTRIBUTE_EXISTS: return a != NULL;
    case DDB_FN_ATTRIBUTE_NOT_EXISTS: return a == NULL;
    case DDB_FN_ATTRIBUTE_TYPE: {
        if (!a || !b || b->type != DDB_S)
            return false;
        const char *name = ddb_type_name(a->type);
        return strlen(name) == b->len && memcmp(name, b->u.bytes, b->len) == 0;
    }
    case DDB_FN_BEGINS_WITH: return value_begins_with(a, b);
    case DDB_FN_CONTAINS: return value_contains(a, b);
    default: return false;
    }
}

bool ddb_condition_eval(const struct ddb_condition *c, const struct ddb_value *item)
{
    struct resolved r0, r1, r2;
    const struct ddb_value *v, *low, *high;
    switch (c->kind) {
    case DDB_COND_AND:
        for (size_t i = 0; i < c->nchildren; i++)
            if (!ddb_condition_eval(&c->children[i], item))
                return false;
        return true;
    case DDB_COND_OR:
        for (size_t i = 0; i < c->nchildren; i++)
            if (ddb_condition_eval(&c->children[i], item))
                return true;
        return false;
    case DDB_COND_NOT: return !ddb_condition_eval(&c->children[0], item);
    case DDB_COND_COMPARE:
        return compare_values(c->comparator, resolve(&c->operands[0], item, &r0),
                              resolve(&c->operands[1], item, &r1));
    case DDB_COND_BETWEEN:
        v = resolve(&c->operands[0], item, &r0);
        low = resolve(&c->operands[1], item, &r1);
        high = resolve(&c->operands[2], item, &r2);
        return ordered(v, low) && ordered(v, high) && ddb_value_compare(v, low) >= 0 &&
               ddb_value_compare(v, high) <= 0;
    case DDB_COND_IN:
        v = resolve(&c->operands[0], item, &r0);
        if (!v)
            return false;
        for (size_t i = 1; i < c->noperands; i++) {
            const struct ddb_value *candidate = resolve(&c->operands[i], item, &r1);
            if (candidate && ddb_value_equal(v, candidate))
                return true;
        }
        return false;
    case DDB_COND_FUNCTION: return eval_function(&c->operands[0], item);
    }
    return false;
}

/* ---- key attributes in a filter ------------------------------------------------ */

static bool operand_uses(const struct ddb_operand *o, const char *name, size_t len)
{
    if (o->kind == DDB_OPERAND_PATH)
        return o->path.len > 0 && o->path.steps[0].name &&
               ddb_name_compare(o->path.steps[0].name, o->path.steps[0].name_len, name, len) == 0;
    for (size_t i = 0; i < o->nargs; i++)
        if (operand_uses(&o->args[i], name, len))
            return true;
    return false;
}

static bool condition_uses(const struct ddb_condition *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->nchildren; i++)
        if (condition_uses(&c->children[i], name, len))
            return true;
    for (size_t i = 0; i < c->noperands; i++)
        if (operand_uses(&c->operands[i], name, len))
            return true;
    return false;
}

bool ddb_check_filter_key_attributes(const struct ddb_condition *filter, const struct ddb_key_schema *keys,
                                     const char *what, struct ddb_error *err)
{
    const char *names[2] = {keys->hash_name, keys->range_name};
    size_t lens[2] = {keys->hash_name_len, keys->range_name_len};
    for (size_t k = 0; filter && k < 2 && names[k]; k++)
        if (condition_uses(filter, names[k], lens[k]))
            return ddb_fail(err, DDB_ERR_VALIDATION,
                            "%s can only contain non-primary key attributes: Primary key attribute: %.*s", what,
                            (int)lens[k], names[k]);
    return true;
}
