/* protocol/dynamodb update: UpdateExpression — parsing, AWS's checks, and
 * applying an update to an item.
 *
 * Grammar (section keywords in any case, each section at most once):
 *   update  := section { section }
 *   section := SET path = value {, path = value}
 *            | REMOVE path {, path}
 *            | ADD path :v {, path :v}  |  DELETE path :v {, path :v}
 *   value   := term [ (+|-) term ]  |  ( term [ (+|-) term ] )
 *   term    := operand | ( operand )
 *   operand := function ( term {, term} ) | :v | path
 * with the functions if_not_exists(path, term) and list_append(a, b).
 *
 * Checks follow AWS's precedence (reserved words, unknown functions,
 * repeated sections, undefined names, undefined values, overlapping paths,
 * conflicting paths, ADD/DELETE operand types, function operands), each
 * kind keeping its first occurrence.
 *
 * Applying: every SET value is evaluated against the item as it was; then
 * the actions (whose paths never overlap) are applied as one rewrite of
 * the document: each level groups the actions under it by name or index,
 * recurses only into containers that exist (so recursion is bounded by
 * the item's nesting), and rebuilds just the containers on the way.
 * List elements set past the end are appended in index order; REMOVE of
 * list elements removes the original indexes. */
#include "protocol/dynamodb/expr_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const update_keywords[] = {"SET", "REMOVE", "ADD", "DELETE", NULL};

#define INCORRECT_TYPE "An operand in the update expression has an incorrect data type"
#define INVALID_PATH "The document path provided in the update expression is invalid for update"
#define MISSING_ATTRIBUTE "The provided expression refers to an attribute that does not exist in the item"
#define LEGACY_MISMATCH "Type mismatch for attribute to update"

/* ---- parsing ------------------------------------------------------------ */

/* An operand as parsed, before names and values are looked up. */
struct uop {
    enum ddb_operand_kind kind;
    const struct token *tok;       /* value token, function name, + or - */
    struct path_builder path;
    struct uop *args;
    size_t nargs;
    bool parenthesized;
};

struct uaction {
    enum ddb_update_kind kind;
    const struct token *tok;       /* the section keyword */
    struct path_builder path;
    struct uop value;              /* SET, ADD, DELETE */
};

struct uparser {
    struct expr_parser p;
    struct uaction *actions;
    size_t len, cap;
};

static bool parse_operand(struct uparser *u, struct uop *out);

static bool parse_path(struct uparser *u, struct path_builder *b)
{
    struct expr_parser *p = &u->p;
    const struct token *t = expr_peek(p);
    if (t->kind != T_NAME && (t->kind != T_IDENT || expr_is_parser_keyword(p, t)))
        return expr_syntax_error(p);
    expr_next(p);
    struct parsed_step s = path_name_step(p, t);
    return path_push(p, b, &s) && path_parse_steps(p, b);
}

/* term := ( operand ) | operand */
static bool parse_term(struct uparser *u, struct uop *out)
{
    struct expr_parser *p = &u->p;
    if (expr_peek(p)->kind != T_LPAREN)
        return parse_operand(u, out);
    expr_next(p);
    if (!parse_operand(u, out))
        return false;
    if (expr_peek(p)->kind != T_RPAREN)
        return expr_syntax_error(p);
    expr_next(p);
    out->parenthesized = true;
    return true;
}

static bool parse_call(struct uparser *u, const struct token *name, struct uop *out)
{
    struct expr_parser *p = &u->p;
    expr_next(p); /* ( */
    if (!expr_enter(p))
        return false;
    struct uop *args = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (!(args = arena_grow(p->arena, args, n, &cap, sizeof(*args), 2)))
            return expr_nomem(p);
        memset(&args[n], 0, sizeof(args[n]));
        if (!parse_term(u, &args[n]))
            return false;
        n++;
        if (expr_peek(p)->kind == T_COMMA) {
            expr_next(p);
            continue;
        }
        if (expr_peek(p)->kind != T_RPAREN)
            return expr_syntax_error(p);
        expr_next(p);
        break;
    }
    expr_leave(p);
    *out = (struct uop){.kind = DDB_OPERAND_FUNCTION, .tok = name, .args = args, .nargs = n};
    return true;
}

static bool parse_operand(struct uparser *u, struct uop *out)
{
    struct expr_parser *p = &u->p;
    const struct token *t = expr_peek(p);
    memset(out, 0, sizeof(*out));
    if (t->kind == T_VALUE) {
        expr_next(p);
        out->kind = DDB_OPERAND_VALUE;
        out->tok = t;
        return true;
    }
    if (t->kind == T_IDENT && !expr_is_parser_keyword(p, t) && expr_peek_at(p, 1)->kind == T_LPAREN) {
        expr_next(p);
        return parse_call(u, t, out);
    }
    out->kind = DDB_OPERAND_PATH;
    return parse_path(u, &out->path);
}

static bool arithmetic_token(const struct token *t) { return t->kind == T_PLUS || t->kind == T_MINUS; }

/* Joins left (op) right into out. */
static bool make_arithmetic(struct uparser *u, const struct token *op, struct uop *left, struct uop *right,
                            struct uop *out)
{
    struct uop *args = arena_array(u->p.arena, 2, sizeof(*args));
    if (!args)
        return expr_nomem(&u->p);
    args[0] = *left;
    args[1] = *right;
    *out = (struct uop){.kind = op->kind == T_PLUS ? DDB_OPERAND_PLUS : DDB_OPERAND_MINUS, .tok = op, .args = args,
                        .nargs = 2};
    return true;
}

/* term [ (+|-) term ], where the first term may already be parsed. */
static bool parse_arithmetic_rest(struct uparser *u, struct uop *first, struct uop *out)
{
    struct expr_parser *p = &u->p;
    const struct token *op = expr_peek(p);
    if (!arithmetic_token(op)) {
        *out = *first;
        return true;
    }
    expr_next(p);
    struct uop second;
    return parse_term(u, &second) && make_arithmetic(u, op, first, &second, out);
}

static bool parse_set_value(struct uparser *u, struct uop *out)
{
    struct expr_parser *p = &u->p;
    struct uop first;
    if (expr_peek(p)->kind != T_LPAREN) {
        return parse_term(u, &first) && parse_arithmetic_rest(u, &first, out);
    }
    /* "( ... )": the whole value in parentheses, or a parenthesized first
     * term followed by + or -. */
    expr_next(p);
    struct uop inner;
    if (!parse_term(u, &first) || !parse_arithmetic_rest(u, &first, &inner))
        return false;
    if (expr_peek(p)->kind != T_RPAREN)
        return expr_syntax_error(p);
    expr_next(p);
    if (!arithmetic_token(expr_peek(p))) {
        *out = inner;
        return true;
    }
    if (inner.kind == DDB_OPERAND_PLUS || inner.kind == DDB_OPERAND_MINUS || inner.parenthesized)
        return expr_syntax_error(p);
    inner.parenthesized = true;
    return parse_arithmetic_rest(u, &inner, out);
}

static bool push_action(struct uparser *u, const struct uaction *a)
{
    if (!(u->actions = arena_grow(u->p.arena, u->actions, u->len, &u->cap, sizeof(*u->actions), 8)))
        return expr_nomem(&u->p);
    u->actions[u->len++] = *a;
    return true;
}

static bool parse_section(struct uparser *u)
{
    struct expr_parser *p = &u->p;
    const struct token *kw = expr_peek(p);
    enum ddb_update_kind kind;
    if (expr_is_keyword(p, kw, "SET"))
        kind = DDB_UPDATE_SET;
    else if (expr_is_keyword(p, kw, "REMOVE"))
        kind = DDB_UPDATE_REMOVE;
    else if (expr_is_keyword(p, kw, "ADD"))
        kind = DDB_UPDATE_ADD;
    else if (expr_is_keyword(p, kw, "DELETE"))
        kind = DDB_UPDATE_DELETE;
    else
        return expr_syntax_error(p);
    expr_next(p);
    for (;;) {
        struct uaction a = {.kind = kind, .tok = kw};
        if (!parse_path(u, &a.path))
            return false;
        if (kind == DDB_UPDATE_SET) {
            if (expr_peek(p)->kind != T_EQ)
                return expr_syntax_error(p);
            expr_next(p);
            if (!parse_set_value(u, &a.value))
                return false;
        } else if (kind != DDB_UPDATE_REMOVE) {
            const struct token *t = expr_peek(p);
            if (t->kind != T_VALUE)
                return expr_syntax_error(p);
            expr_next(p);
            a.value = (struct uop){.kind = DDB_OPERAND_VALUE, .tok = t};
        }
        if (!push_action(u, &a))
            return false;
        if (expr_peek(p)->kind != T_COMMA)
            return true;
        expr_next(p);
    }
}

/* ---- AWS's checks --------------------------------------------------------- */

struct uchecks {
    struct expr_parser *p;
    struct error_slot reserved, unknown_function, section, name, value, overlap, conflict, operand, function;
};

/* Resolves the names of a parsed path (reserved words and #names). */
static void check_path(struct uchecks *ck, struct path_builder *b)
{
    path_resolve_names(ck->p, b, &ck->reserved, &ck->name);
}

static const struct ddb_value *check_value(struct uchecks *ck, const struct token *t)
{
    struct expr_parser *p = ck->p;
    if (ck->value.message)
        return NULL;
    const struct ddb_expr_value *e = expr_lookup_value(p->ctx, tok_text(p, t), t->len);
    if (e)
        return &e->value;
    struct strbuf sb;
    strbuf_init(&sb);
    expr_undefined_value_message(&sb, tok_text(p, t), t->len);
    slot_take(p, &ck->value, &sb, false);
    return NULL;
}

/* The checked operand, built as the public struct; *type is the type it is
 * known to have (-1 when it depends on the item). */
static bool check_operand(struct uchecks *ck, struct uop *o, struct ddb_operand *out, int *type);

static void function_type_error(struct uchecks *ck, const char *name, enum ddb_type t)
{
    slot_set(ck->p, &ck->function,
             "Incorrect operand type for operator or function; operator or function: %s, operand type: %s", name,
             ddb_type_name(t));
}

static bool check_call(struct uchecks *ck, struct uop *o, struct ddb_operand *out, int *type)
{
    struct expr_parser *p = ck->p;
    struct ddb_operand *args = arena_array(p->arena, o->nargs, sizeof(*args));
    int *types = arena_array(p->arena, o->nargs, sizeof(*types));
    if (!args || !types)
        return expr_nomem(p);
    for (size_t i = 0; i < o->nargs; i++)
        if (!check_operand(ck, &o->args[i], &args[i], &types[i]))
            return false;
    *out = (struct ddb_operand){.kind = o->kind, .args = args, .nargs = o->nargs};
    *type = -1;
    const char *name;
    size_t expected = 2;
    char fname[32];
    if (o->kind == DDB_OPERAND_FUNCTION) {
        size_t len = o->tok->len < sizeof(fname) - 1 ? o->tok->len : sizeof(fname) - 1;
        memcpy(fname, tok_text(p, o->tok), len);
        fname[len] = '\0';
        name = fname;
        if (ck->unknown_function.message)
            return true;
        if (o->tok->len == 13 && memcmp(tok_text(p, o->tok), "if_not_exists", 13) == 0)
            out->function = DDB_FN_IF_NOT_EXISTS;
        else if (o->tok->len == 11 && memcmp(tok_text(p, o->tok), "list_append", 11) == 0)
            out->function = DDB_FN_LIST_APPEND;
        else {
            slot_set(p, &ck->unknown_function, "Invalid function name; function: %.*s", (int)o->tok->len,
                     tok_text(p, o->tok));
            return true;
        }
    } else {
        name = o->kind == DDB_OPERAND_PLUS ? "+" : "-";
    }
    if (ck->function.message)
        return true;
    if (o->nargs != expected) {
        slot_set(p, &ck->function,
                 "Incorrect number of operands for operator or function; operator or function: %s, number of "
                 "operands: %zu",
                 name, o->nargs);
        return true;
    }
    if (o->kind == DDB_OPERAND_FUNCTION && out->function == DDB_FN_IF_NOT_EXISTS) {
        if (args[0].kind != DDB_OPERAND_PATH)
            slot_set(p, &ck->function, "Operator or function requires a document path; operator or function: %s",
                     name);
        else
            *type = types[1];
        return true;
    }
    enum ddb_type wanted = o->kind == DDB_OPERAND_FUNCTION ? DDB_L : DDB_N;
    for (size_t i = 0; i < o->nargs; i++) {
        if (args[i].kind == DDB_OPERAND_VALUE && args[i].value && args[i].value->type != wanted) {
            function_type_error(ck, name, args[i].value->type);
            return true;
        }
    }
    *type = (int)wanted;
    return true;
}

static bool check_operand(struct uchecks *ck, struct uop *o, struct ddb_operand *out, int *type)
{
    memset(out, 0, sizeof(*out));
    *type = -1;
    switch (o->kind) {
    case DDB_OPERAND_PATH:
        check_path(ck, &o->path);
        out->kind = DDB_OPERAND_PATH;
        return path_builder_finish(ck->p, &o->path, &out->path);
    case DDB_OPERAND_VALUE:
        out->kind = DDB_OPERAND_VALUE;
        out->value = check_value(ck, o->tok);
        if (out->value)
            *type = (int)out->value->type;
        return true;
    default: return check_call(ck, o, out, type);
    }
}

static void check_operator(struct uchecks *ck, enum ddb_update_kind kind, const struct ddb_value *v)
{
    if (ck->operand.message || !v)
        return;
    static const char *const names[] = {[DDB_S] = "STRING", [DDB_N] = "NUMBER", [DDB_B] = "BINARY",
                                        [DDB_NULL] = "NULL", [DDB_BOOL] = "BOOLEAN", [DDB_L] = "LIST",
                                        [DDB_M] = "MAP"};
    if (ddb_type_is_set(v->type) || (kind == DDB_UPDATE_ADD && v->type == DDB_N))
        return;
    slot_set(ck->p, &ck->operand, "Incorrect operand type for operator or function; operator: %s, operand type: %s",
             kind == DDB_UPDATE_ADD ? "ADD" : "DELETE", names[v->type]);
}

static const char *section_name(enum ddb_update_kind kind)
{
    static const char *const names[] = {"SET", "REMOVE", "ADD", "DELETE"};
    return names[kind];
}

/* The paths an operand reads (written to out when non-NULL); returns how
 * many. Operands nest only as deep as the parser allows. */
static size_t operand_paths(const struct ddb_operand *o, struct ddb_path *out)
{
    if (o->kind == DDB_OPERAND_PATH) {
        if (out)
            out[0] = o->path;
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < o->nargs; i++)
        n += operand_paths(&o->args[i], out ? out + n : NULL);
    return n;
}

bool ddb_parse_update(struct ddb_expr_context *ctx, const char *text, size_t len, struct ddb_update *out,
                      struct ddb_error *err)
{
    struct uparser u = {0};
    if (!expr_begin(&u.p, ctx, DDB_EXPR_UPDATE, text, len, err))
        return false;
    struct expr_parser *p = &u.p;
    p->keywords = update_keywords;
    do {
        if (!parse_section(&u))
            return false;
    } while (expr_peek(p)->kind != T_END);

    struct uchecks ck = {.p = p};
    struct ddb_update_action *actions = arena_array(p->arena, u.len, sizeof(*actions));
    struct ddb_path *paths = arena_array(p->arena, u.len, sizeof(*paths));
    struct ddb_operand *values = arena_array(p->arena, u.len, sizeof(*values));
    if (!actions || !paths || !values)
        return expr_nomem(p);
    bool seen[4] = {false};
    for (size_t i = 0; i < u.len; i++) {
        struct uaction *a = &u.actions[i];
        check_path(&ck, &a->path);
        int type = -1;
        if (a->kind != DDB_UPDATE_REMOVE && !check_operand(&ck, &a->value, &values[i], &type))
            return false;
        if (!path_builder_finish(p, &a->path, &paths[i]))
            return false;
        if (a->kind == DDB_UPDATE_ADD || a->kind == DDB_UPDATE_DELETE)
            check_operator(&ck, a->kind, values[i].value);
        actions[i] = (struct ddb_update_action){a->kind, paths[i], a->kind == DDB_UPDATE_REMOVE ? NULL : &values[i],
                                                type};
        /* a section ends where the next keyword (or the end) is */
        bool last_of_section = i + 1 == u.len || u.actions[i + 1].tok != a->tok;
        if (last_of_section) {
            if (seen[a->kind])
                slot_set(p, &ck.section, "The \"%s\" section can only be used once in an update expression;",
                         section_name(a->kind));
            seen[a->kind] = true;
        }
    }
    path_check_overlap(p, paths, u.len, &ck.overlap, &ck.conflict);
    if (p->nomem)
        return false;
    const struct error_slot *order[] = {&ck.reserved, &ck.unknown_function,
                                        &ck.section, &ck.name, &ck.value, &ck.overlap, &ck.conflict, &ck.operand,
                                        &ck.function};
    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
        if (order[i]->message)
            return expr_fail(p, order[i]->message);
    *out = (struct ddb_update){.actions = actions, .len = u.len};
    /* paths into attributes: the actions' and their operands' */
    size_t n = u.len;
    for (size_t i = 0; i < u.len; i++)
        n += actions[i].value ? operand_paths(actions[i].value, NULL) : 0;
    struct ddb_path *all = arena_array(p->arena, n + 1, sizeof(*all));
    if (!all)
        return expr_nomem(p);
    size_t k = 0;
    for (size_t i = 0; i < u.len; i++) {
        all[k++] = paths[i];
        if (actions[i].value)
            k += operand_paths(actions[i].value, all + k);
    }
    if (!name_list_from_paths(p->arena, all, k, true, &out->nested))
        return expr_nomem(p);
    return true;
}

/* ---- the key and the indexes ------------------------------------------------ */

bool ddb_update_check_key_attributes(const struct ddb_update *u, const struct ddb_key_schema *table,
                                     struct ddb_error *err)
{
    const char *names[2] = {table->hash_name, table->range_name};
    size_t lens[2] = {table->hash_name_len, table->range_name_len};
    for (size_t k = 0; k < 2 && names[k]; k++) {
        for (size_t i = 0; i < u->len; i++) {
            const struct ddb_path_step *head = &u->actions[i].path.steps[0];
            if (ddb_name_compare(head->name, head->name_len, names[k], lens[k]) == 0)
                return ddb_fail(err, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Cannot update attribute %.*s. This "
                                "attribute is part of the key",
                                (int)lens[k], names[k]);
        }
    }
    return true;
}

bool ddb_update_paths(struct arena *a, const struct ddb_update *u, struct ddb_path **out, size_t *n)
{
    struct ddb_path *paths = arena_array(a, u->len ? u->len : 1, sizeof(*paths));
    if (!paths)
        return false;
    for (size_t i = 0; i < u->len; i++)
        paths[i] = u->actions[i].path;
    *out = paths;
    *n = u->len;
    return true;
}

/* ---- applying ----------------------------------------------------------- */

struct applier {
    struct arena *arena;
    const struct ddb_update *update;
    const struct ddb_value *item;  /* as it was */
    struct ddb_error *err;
};

static bool nomem(struct applier *ap) { return ddb_fail_nomem(ap->err); }

static bool fail(struct applier *ap, const char *message)
{
    return ddb_fail(ap->err, DDB_ERR_VALIDATION, "%s", message);
}

/* The value of a SET operand against the original item. */
static bool evaluate(struct applier *ap, const struct ddb_operand *o, struct ddb_value *out)
{
    const struct ddb_value *v;
    struct ddb_value a, b;
    switch (o->kind) {
    case DDB_OPERAND_PATH:
        v = ddb_path_resolve(ap->item, &o->path);
        if (!v)
            return fail(ap, MISSING_ATTRIBUTE);
        *out = *v;
        return true;
    case DDB_OPERAND_VALUE: *out = *o->value; return true;
    case DDB_OPERAND_FUNCTION:
        if (o->function == DDB_FN_IF_NOT_EXISTS) {
            v = ddb_path_resolve(ap->item, &o->args[0].path);
            if (v) {
                *out = *v;
                return true;
            }
            return evaluate(ap, &o->args[1], out);
        }
        if (!evaluate(ap, &o->args[0], &a))
            return false;
        if (a.type != DDB_L)
            return fail(ap, INCORRECT_TYPE);
        if (!evaluate(ap, &o->args[1], &b))
            return false;
        if (b.type != DDB_L)
            return fail(ap, INCORRECT_TYPE);
        {
            struct ddb_value *items = arena_array(ap->arena, a.len + b.len ? a.len + b.len : 1, sizeof(*items));
            if (!items)
                return nomem(ap);
            memcpy(items, a.u.items, a.len * sizeof(*items));
            memcpy(items + a.len, b.u.items, b.len * sizeof(*items));
            *out = (struct ddb_value){.type = DDB_L, .len = a.len + b.len, .u.items = items};
        }
        return true;
    case DDB_OPERAND_PLUS:
    case DDB_OPERAND_MINUS: {
        struct ddb_number x, y, r;
        if (!evaluate(ap, &o->args[0], &a))
            return false;
        if (!ddb_value_get_number(&a, &x))
            return fail(ap, INCORRECT_TYPE);
        if (!evaluate(ap, &o->args[1], &b))
            return false;
        if (!ddb_value_get_number(&b, &y))
            return fail(ap, INCORRECT_TYPE);
        enum ddb_number_status st =
            o->kind == DDB_OPERAND_PLUS ? ddb_number_add(&x, &y, &r) : ddb_number_subtract(&x, &y, &r);
        if (st != DDB_NUMBER_OK)
            return fail(ap, ddb_number_status_message(st));
        return ddb_value_number(ap->arena, &r, out) || nomem(ap);
    }
    }
    return fail(ap, INCORRECT_TYPE);
}

/* One action to apply below the current container: the action, its value
 * (SET: evaluated) and how far down its path the walk is. */
struct edit {
    const struct ddb_update_action *action;
    const struct ddb_value *value;
};

static int scalar_order(const void *x, const void *y)
{
    const struct ddb_value *const *a = x, *const *b = y;
    return ddb_name_compare((*a)->u.bytes, (*a)->len, (*b)->u.bytes, (*b)->len);
}

/* The elements of a set, sorted for lookups. */
static const struct ddb_value **sorted_elements(struct applier *ap, const struct ddb_value *set)
{
    const struct ddb_value **sorted = arena_array(ap->arena, set->len ? set->len : 1, sizeof(*sorted));
    if (!sorted)
        return NULL;
    for (size_t i = 0; i < set->len; i++)
        sorted[i] = &set->u.items[i];
    qsort(sorted, set->len, sizeof(*sorted), scalar_order);
    return sorted;
}

static bool in_sorted(const struct ddb_value **sorted, size_t n, const struct ddb_value *v)
{
    return bsearch(&v, sorted, n, sizeof(*sorted), scalar_order) != NULL;
}

/* ADD of a set: the elements of add not yet in base, appended. */
static bool set_union(struct applier *ap, const struct ddb_value *base, const struct ddb_value *add,
                      struct ddb_value *out)
{
    const struct ddb_value **sorted = sorted_elements(ap, base);
    struct ddb_value *items = arena_array(ap->arena, base->len + add->len, sizeof(*items));
    if (!sorted || !items)
        return nomem(ap);
    memcpy(items, base->u.items, base->len * sizeof(*items));
    size_t n = base->len;
    for (size_t i = 0; i < add->len; i++)
        if (!in_sorted(sorted, base->len, &add->u.items[i]))
            items[n++] = add->u.items[i];
    *out = (struct ddb_value){.type = base->type, .len = n, .u.items = items};
    return true;
}

/* DELETE from a set: base without the elements of del (len 0: gone). */
static bool set_difference(struct applier *ap, const struct ddb_value *base, const struct ddb_value *del,
                           struct ddb_value *out)
{
    const struct ddb_value **sorted = sorted_elements(ap, del);
    struct ddb_value *items = arena_array(ap->arena, base->len ? base->len : 1, sizeof(*items));
    if (!sorted || !items)
        return nomem(ap);
    size_t n = 0;
    for (size_t i = 0; i < base->len; i++)
        if (!in_sorted(sorted, del->len, &base->u.items[i]))
            items[n++] = base->u.items[i];
    *out = (struct ddb_value){.type = base->type, .len = n, .u.items = items};
    return true;
}

/* The action at the end of its path: the new value of the target, or
 * *removed. old is the current value (NULL: none). */
static bool apply_leaf(struct applier *ap, const struct edit *e, const struct ddb_value *old, struct ddb_value *out,
                       bool *removed)
{
    const struct ddb_update_action *a = e->action;
    const char *mismatch = ap->update->legacy ? LEGACY_MISMATCH : INCORRECT_TYPE;
    *removed = false;
    switch (a->kind) {
    case DDB_UPDATE_SET: *out = *e->value; return true;
    case DDB_UPDATE_REMOVE: *removed = true; return true;
    case DDB_UPDATE_ADD: {
        const struct ddb_value *v = e->value;
        if (!old) {
            *out = *v;
            return true;
        }
        if (old->type != v->type)
            return fail(ap, mismatch);
        if (v->type == DDB_N) {
            struct ddb_number x, y, r;
            if (!ddb_value_get_number(old, &x) || !ddb_value_get_number(v, &y))
                return fail(ap, mismatch);
            enum ddb_number_status st = ddb_number_add(&x, &y, &r);
            if (st != DDB_NUMBER_OK)
                return fail(ap, ddb_number_status_message(st));
            return ddb_value_number(ap->arena, &r, out) || nomem(ap);
        }
        if (v->type == DDB_L) { /* legacy AttributeUpdates only */
            struct ddb_value *items = arena_array(ap->arena, old->len + v->len ? old->len + v->len : 1,
                                                      sizeof(*items));
            if (!items)
                return nomem(ap);
            memcpy(items, old->u.items, old->len * sizeof(*items));
            memcpy(items + old->len, v->u.items, v->len * sizeof(*items));
            *out = (struct ddb_value){.type = DDB_L, .len = old->len + v->len, .u.items = items};
            return true;
        }
        return set_union(ap, old, v, out);
    }
    case DDB_UPDATE_DELETE: {
        const struct ddb_value *v = e->value;
        if (!old) {
            *removed = true;
            return true;
        }
        if (old->type != v->type)
            return fail(ap, mismatch);
        if (!set_difference(ap, old, v, out))
            return false;
        *removed = out->len == 0;
        return true;
    }
    }
    return false;
}

static bool apply_container(struct applier *ap, const struct ddb_value *container, struct edit *edits, size_t n,
                            size_t depth, struct ddb_value *out);

/* Applies the edits that all go through old (their step at depth names
 * it); *removed when the target goes away. Parsed expressions never have
 * two paths where one is a prefix of the other; actions that do (repeated
 * AttributeUpdates names, say) are applied in order when they end at the
 * same place, and refused as an invalid path otherwise. */
static bool apply_below(struct applier *ap, const struct ddb_value *old, struct edit *edits, size_t n, size_t depth,
                        struct ddb_value *out, bool *removed, bool *present)
{
    *removed = false;
    size_t ending = 0;
    for (size_t i = 0; i < n; i++)
        ending += edits[i].action->path.len == depth + 1;
    if (ending == n) {
        struct ddb_value current, next;
        const struct ddb_value *target = old;
        for (size_t i = 0; i < n; i++) {
            if (!apply_leaf(ap, &edits[i], target, &next, removed))
                return false;
            current = next;
            target = *removed ? NULL : &current;
        }
        if (target)
            *out = current;
        *present = target != NULL;
        *removed = target == NULL;
        return true;
    }
    if (ending || !old)
        return fail(ap, INVALID_PATH);
    *present = true;
    return apply_container(ap, old, edits, n, depth + 1, out);
}

/* An edit with the step it takes at the current depth (qsort has no
 * context argument, so the step is copied next to it). */
struct keyed_edit {
    struct edit edit;
    const char *name;
    size_t name_len;
    uint32_t index;
};

static int keyed_name_order(const void *x, const void *y)
{
    const struct keyed_edit *a = x, *b = y;
    int c = ddb_name_compare(a->name, a->name_len, b->name, b->name_len);
    return c ? c : (a > b) - (a < b);
}

static int keyed_index_order(const void *x, const void *y)
{
    const struct keyed_edit *a = x, *b = y;
    if (a->index != b->index)
        return a->index < b->index ? -1 : 1;
    return (a > b) - (a < b);
}

static bool apply_map(struct applier *ap, const struct ddb_value *map, struct keyed_edit *keyed, size_t n,
                      size_t depth, struct ddb_value *out)
{
    qsort(keyed, n, sizeof(*keyed), keyed_name_order);
    struct ddb_attr *attrs = arena_array(ap->arena, map->len + n, sizeof(*attrs));
    struct edit *group = arena_array(ap->arena, n, sizeof(*group));
    if (!attrs || !group)
        return nomem(ap);
    size_t nattrs = 0, from = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && ddb_name_compare(keyed[j].name, keyed[j].name_len, keyed[i].name, keyed[i].name_len) == 0) {
            group[j - i] = keyed[j].edit;
            j++;
        }
        const char *name = keyed[i].name;
        size_t name_len = keyed[i].name_len;
        /* untouched attributes before this name */
        while (from < map->len &&
               ddb_name_compare(map->u.attrs[from].name, map->u.attrs[from].name_len, name, name_len) < 0)
            attrs[nattrs++] = map->u.attrs[from++];
        const struct ddb_value *old = NULL;
        if (from < map->len &&
            ddb_name_compare(map->u.attrs[from].name, map->u.attrs[from].name_len, name, name_len) == 0)
            old = &map->u.attrs[from++].value;
        struct ddb_value v;
        bool removed, present;
        if (!apply_below(ap, old, group, j - i, depth, &v, &removed, &present))
            return false;
        if (present && !removed)
            attrs[nattrs++] = (struct ddb_attr){name, name_len, v};
        i = j;
    }
    while (from < map->len)
        attrs[nattrs++] = map->u.attrs[from++];
    *out = (struct ddb_value){.type = DDB_M, .len = nattrs, .u.attrs = attrs};
    return true;
}

static bool apply_list(struct applier *ap, const struct ddb_value *list, struct keyed_edit *keyed, size_t n,
                       size_t depth, struct ddb_value *out)
{
    qsort(keyed, n, sizeof(*keyed), keyed_index_order);
    struct ddb_value *items = arena_array(ap->arena, list->len + n, sizeof(*items));
    struct edit *group = arena_array(ap->arena, n, sizeof(*group));
    if (!items || !group)
        return nomem(ap);
    size_t nitems = 0, next = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && keyed[j].index == keyed[i].index) {
            group[j - i] = keyed[j].edit;
            j++;
        }
        uint32_t index = keyed[i].index;
        while (next < list->len && next < index)
            items[nitems++] = list->u.items[next++];
        const struct ddb_value *old = index < list->len ? &list->u.items[index] : NULL;
        if (old)
            next = index + 1;
        struct ddb_value v;
        bool removed, present;
        if (!apply_below(ap, old, group, j - i, depth, &v, &removed, &present))
            return false;
        if (present && !removed)
            items[nitems++] = v;
        i = j;
    }
    while (next < list->len)
        items[nitems++] = list->u.items[next++];
    *out = (struct ddb_value){.type = DDB_L, .len = nitems, .u.items = items};
    return true;
}

/* The edits at depth step into container: names need a map, indexes a
 * list. */
static bool apply_container(struct applier *ap, const struct ddb_value *container, struct edit *edits, size_t n,
                            size_t depth, struct ddb_value *out)
{
    struct keyed_edit *keyed = arena_array(ap->arena, n, sizeof(*keyed));
    if (!keyed)
        return nomem(ap);
    bool by_name = edits[0].action->path.steps[depth].name != NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ddb_path_step *s = &edits[i].action->path.steps[depth];
        if ((s->name != NULL) != by_name)
            return fail(ap, INVALID_PATH);
        keyed[i] = (struct keyed_edit){edits[i], s->name, s->name_len, s->index};
    }
    if (by_name ? container->type != DDB_M : container->type != DDB_L)
        return fail(ap, INVALID_PATH);
    return by_name ? apply_map(ap, container, keyed, n, depth, out) : apply_list(ap, container, keyed, n, depth, out);
}

bool ddb_update_apply(struct arena *a, const struct ddb_update *u, const struct ddb_value *item,
                      struct ddb_value *out, struct ddb_error *err)
{
    struct applier ap = {a, u, item, err};
    if (u->len == 0) {
        *out = *item;
        return true;
    }
    struct edit *edits = arena_array(a, u->len, sizeof(*edits));
    struct ddb_value *values = arena_array(a, u->len, sizeof(*values));
    if (!edits || !values)
        return ddb_fail_nomem(err);
    for (size_t i = 0; i < u->len; i++) {
        const struct ddb_update_action *action = &u->actions[i];
        edits[i] = (struct edit){action, action->value ? action->value->value : NULL};
        if (action->kind == DDB_UPDATE_SET) {
            if (!evaluate(&ap, action->value, &values[i]))
                return false;
            edits[i].value = &values[i];
        }
    }
    if (!apply_container(&ap, item, edits, u->len, 0, out))
        return false;
    for (size_t i = 0; i < out->len; i++) {
        if (ddb_value_depth(&out->u.attrs[i].value) > DDB_MAX_NESTING)
            return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                            "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
                            "levels beyond supported limit");
    }
    return true;
}

bool ddb_update_check_index_types(const struct ddb_update *u, const struct ddb_key_schema *index,
                                  const char *index_name, struct ddb_error *err)
{
    const char *names[2] = {index->hash_name, index->range_name};
    size_t lens[2] = {index->hash_name_len, index->range_name_len};
    enum ddb_type types[2] = {index->hash_type, index->range_type};
    for (size_t k = 0; k < 2 && names[k]; k++) {
        for (size_t i = 0; i < u->len; i++) {
            const struct ddb_update_action *a = &u->actions[i];
            if (a->path.len != 1 ||
                ddb_name_compare(a->path.steps[0].name, a->path.steps[0].name_len, names[k], lens[k]) != 0)
                continue;
            if (a->static_type >= 0 && a->static_type != (int)types[k])
                return ddb_fail(err, DDB_ERR_VALIDATION,
                                "One or more parameter values were invalid: Type mismatch for Index Key %.*s "
                                "Expected: %s Actual: %s IndexName: %s",
                                (int)lens[k], names[k], ddb_type_name(types[k]),
                                ddb_type_name((enum ddb_type)a->static_type), index_name);
            break;
        }
    }
    return true;
}

bool ddb_update_check_index_key(const struct ddb_update *u, const struct ddb_value *new_item,
                                const struct ddb_key_schema *index, struct ddb_error *err)
{
    const char *names[2] = {index->hash_name, index->range_name};
    size_t lens[2] = {index->hash_name_len, index->range_name_len};
    enum ddb_type types[2] = {index->hash_type, index->range_type};
    for (size_t i = 0; i < u->len; i++) {
        const struct ddb_update_action *a = &u->actions[i];
        if (a->kind != DDB_UPDATE_SET || a->path.len != 1)
            continue;
        for (size_t k = 0; k < 2 && names[k]; k++) {
            if (ddb_name_compare(a->path.steps[0].name, a->path.steps[0].name_len, names[k], lens[k]) != 0)
                continue;
            const struct ddb_value *v = ddb_map_get(new_item, names[k], lens[k]);
            if (v && v->type != types[k])
                return ddb_fail(err, DDB_ERR_VALIDATION, "%s",
                                "The update expression attempted to update the secondary index key to unsupported "
                                "type");
        }
    }
    return true;
}
