/* protocol/dynamodb projection: ProjectionExpression (a, b.c, d[2]) —
 * parsing with AWS's checks (reserved words, undefined names, overlapping
 * and conflicting paths) — and projecting an item onto a list of paths,
 * also used for AttributesToGet and ReturnValues UPDATED_OLD/NEW.
 *
 * Projection builds a tree of the requested paths and walks it down the
 * item only where the item has the values, so the walk is bounded by the
 * item's nesting. */
#include "protocol/dynamodb/expr_internal.h"

#include <stdlib.h>
#include <string.h>

bool ddb_parse_projection(struct ddb_expr_context *ctx, const char *text, size_t len, struct ddb_projection *out,
                          struct ddb_error *err)
{
    struct expr_parser p;
    if (!expr_begin(&p, ctx, DDB_EXPR_PROJECTION, text, len, err))
        return false;
    struct path_builder *paths = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (!(paths = arena_grow(p.arena, paths, n, &cap, sizeof(*paths), 8)))
            return expr_nomem(&p);
        struct path_builder *b = &paths[n++];
        memset(b, 0, sizeof(*b));
        const struct token *t = expr_peek(&p);
        if (t->kind != T_IDENT && t->kind != T_NAME)
            return expr_syntax_error(&p);
        expr_next(&p);
        struct parsed_step s = path_name_step(&p, t);
        if (!path_push(&p, b, &s) || !path_parse_steps(&p, b))
            return false;
        if (expr_peek(&p)->kind == T_END)
            break;
        if (expr_peek(&p)->kind != T_COMMA)
            return expr_syntax_error(&p);
        expr_next(&p);
    }

    struct error_slot reserved = {0}, undefined = {0}, overlap = {0}, conflict = {0};
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < paths[i].len; k++) {
            struct parsed_step *s = &paths[i].steps[k];
            if (!s->step.name)
                continue;
            if (s->tok->kind == T_IDENT) {
                if (ddb_is_reserved_word(s->step.name, s->step.name_len))
                    slot_set(&p, &reserved, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                             (int)s->step.name_len, s->step.name);
                continue;
            }
            if (undefined.message)
                continue;
            const struct ddb_expr_name *e = expr_lookup_name(ctx, tok_text(&p, s->tok), s->tok->len);
            if (!e) {
                struct strbuf sb;
                strbuf_init(&sb);
                expr_undefined_name_message(&sb, tok_text(&p, s->tok), s->tok->len);
                slot_take(&p, &undefined, &sb, false);
                continue;
            }
            s->step.name = e->name;
            s->step.name_len = e->name_len;
        }
    }
    struct ddb_path *finished = arena_array(p.arena, n, sizeof(*finished));
    if (!finished)
        return expr_nomem(&p);
    for (size_t i = 0; i < n; i++)
        if (!path_builder_finish(&p, &paths[i], &finished[i]))
            return false;
    path_check_overlap(&p, finished, n, &overlap, &conflict);
    if (p.nomem)
        return false;
    const struct error_slot *order[] = {&reserved, &undefined, &overlap, &conflict};
    for (size_t i = 0; i < 4; i++)
        if (order[i]->message)
            return expr_fail(&p, order[i]->message);
    *out = (struct ddb_projection){.paths = finished, .len = n};
    if (!name_list_from_paths(p.arena, finished, n, true, &out->nested))
        return expr_nomem(&p);
    return true;
}

/* ---- projecting ------------------------------------------------------------ */

struct pnode {
    struct ddb_path_step step;
    bool leaf;                     /* a requested path ends here */
    struct pnode *kids;
    size_t nkids, cap;
};

static bool same_step(const struct ddb_path_step *a, const struct ddb_path_step *b)
{
    if ((a->name == NULL) != (b->name == NULL))
        return false;
    return a->name ? ddb_name_compare(a->name, a->name_len, b->name, b->name_len) == 0 : a->index == b->index;
}

static struct pnode *child_for(struct arena *a, struct pnode *node, const struct ddb_path_step *step)
{
    for (size_t i = 0; i < node->nkids; i++)
        if (same_step(&node->kids[i].step, step))
            return &node->kids[i];
    if (!(node->kids = arena_grow(a, node->kids, node->nkids, &node->cap, sizeof(*node->kids), 4)))
        return NULL;
    struct pnode *k = &node->kids[node->nkids++];
    memset(k, 0, sizeof(*k));
    k->step = *step;
    return k;
}

static int index_order(const void *x, const void *y)
{
    const struct pnode *a = x, *b = y;
    return (a->step.index > b->step.index) - (a->step.index < b->step.index);
}

/* v projected onto node's children; *found false when nothing matched. */
static bool project_node(struct arena *a, const struct ddb_value *v, struct pnode *node, struct ddb_value *out,
                         bool *found)
{
    *found = false;
    if (node->leaf) {
        *out = *v;
        *found = true;
        return true;
    }
    if (v->type == DDB_M) {
        struct ddb_attr *attrs = arena_array(a, node->nkids ? node->nkids : 1, sizeof(*attrs));
        if (!attrs)
            return false;
        size_t n = 0;
        for (size_t i = 0; i < node->nkids; i++) {
            struct pnode *k = &node->kids[i];
            const struct ddb_value *child = k->step.name ? ddb_map_get(v, k->step.name, k->step.name_len) : NULL;
            bool got;
            if (child && !project_node(a, child, k, &attrs[n].value, &got))
                return false;
            if (child && got) {
                attrs[n].name = k->step.name;
                attrs[n].name_len = k->step.name_len;
                n++;
            }
        }
        ddb_map_build(attrs, n, out);
        *found = n > 0;
        return true;
    }
    if (v->type == DDB_L) {
        qsort(node->kids, node->nkids, sizeof(*node->kids), index_order);
        struct ddb_value *items = arena_array(a, node->nkids ? node->nkids : 1, sizeof(*items));
        if (!items)
            return false;
        size_t n = 0;
        for (size_t i = 0; i < node->nkids; i++) {
            struct pnode *k = &node->kids[i];
            if (k->step.name || k->step.index >= v->len)
                continue;
            bool got;
            if (!project_node(a, &v->u.items[k->step.index], k, &items[n], &got))
                return false;
            if (got)
                n++;
        }
        *out = (struct ddb_value){.type = DDB_L, .len = n, .u.items = items};
        *found = n > 0;
    }
    return true;
}

bool ddb_project(struct arena *a, const struct ddb_value *item, const struct ddb_path *paths, size_t n,
                 struct ddb_value *out)
{
    struct pnode root = {0};
    for (size_t i = 0; i < n; i++) {
        struct pnode *node = &root;
        for (size_t k = 0; k < paths[i].len && !node->leaf; k++) {
            node = child_for(a, node, &paths[i].steps[k]);
            if (!node)
                return false;
        }
        node->leaf = true;
        node->nkids = 0;
    }
    bool found;
    if (!project_node(a, item, &root, out, &found))
        return false;
    if (!found)
        *out = (struct ddb_value){.type = DDB_M};
    return true;
}

bool ddb_project_leaves(struct arena *a, const struct ddb_value *item, const struct ddb_path *paths, size_t n,
                        struct ddb_value *out)
{
    struct ddb_attr *attrs = arena_array(a, n + 1, sizeof(*attrs));
    if (!attrs)
        return false;
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ddb_value *v = ddb_path_resolve(item, &paths[i]);
        const struct ddb_path_step *leaf = NULL;
        for (size_t k = 0; k < paths[i].len; k++)
            if (paths[i].steps[k].name)
                leaf = &paths[i].steps[k];
        bool taken = false;
        for (size_t k = 0; k < kept && !taken && leaf; k++)
            taken = ddb_name_compare(attrs[k].name, attrs[k].name_len, leaf->name, leaf->name_len) == 0;
        if (v && leaf && !taken)
            attrs[kept++] = (struct ddb_attr){.name = leaf->name, .name_len = leaf->name_len, .value = *v};
    }
    ddb_map_build(attrs, kept, out);
    return true;
}
