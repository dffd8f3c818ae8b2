/* protocol/dynamodb expr_internal: what the expression parsers share (not
 * part of the API): the tokenizer, AWS-style syntax errors, the lookup of
 * ExpressionAttributeNames/Values, paths and the "first error of each
 * kind" slots the semantic checks fill. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_EXPR_INTERNAL_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_EXPR_INTERNAL_H

#include "protocol/core/strbuf.h"
#include "protocol/dynamodb/expression.h"

/* Parentheses and function calls nest at most this deep. */
#define EXPR_MAX_NESTING 64

enum tok_kind {
    T_END,
    T_IDENT,                       /* [A-Za-z_][A-Za-z0-9_]* (keywords too) */
    T_NAME,                        /* #[A-Za-z0-9_]* */
    T_VALUE,                       /* :[A-Za-z0-9_]* */
    T_NUMBER,                      /* [0-9]+ */
    T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET, T_COMMA, T_DOT,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_PLUS, T_MINUS,
    T_OTHER,                       /* any other character */
};

struct token {
    enum tok_kind kind;
    size_t start, len;
    bool glued;                    /* an identifier directly followed by '#' or ':' */
};

struct expr_parser {
    struct ddb_expr_context *ctx;
    struct arena *arena;
    enum ddb_expression_role role;
    const char *text;
    size_t text_len;
    struct token *toks;
    size_t ntoks, pos;
    const char *const *keywords;   /* words that cannot be names (NULL-terminated) */
    int depth;
    bool syntax_failed;            /* the first syntax error is in *err */
    bool nomem;
    struct ddb_error *err;
};

/* Tokenizes text into p (ctx, role, err already set). */
bool expr_begin(struct expr_parser *p, struct ddb_expr_context *ctx, enum ddb_expression_role role,
                const char *text, size_t len, struct ddb_error *err);
static inline const struct token *expr_peek(const struct expr_parser *p) { return &p->toks[p->pos]; }
static inline const struct token *expr_peek_at(const struct expr_parser *p, size_t ahead)
{
    size_t i = p->pos + ahead;
    return &p->toks[i < p->ntoks ? i : p->ntoks - 1];
}
static inline const struct token *expr_next(struct expr_parser *p)
{
    const struct token *t = &p->toks[p->pos];
    if (t->kind != T_END)
        p->pos++;
    return t;
}
/* Whether the token is the keyword word (any case, not glued). */
bool expr_is_keyword(const struct expr_parser *p, const struct token *t, const char *word);
/* Whether an identifier is one of the parser's own keywords (p->keywords)
 * and so cannot be a name. */
bool expr_is_parser_keyword(const struct expr_parser *p, const struct token *t);
/* Records a syntax error at the current token (the first one counts) and
 * returns false. */
bool expr_syntax_error(struct expr_parser *p);
bool expr_nomem(struct expr_parser *p);
/* Enters one more level of nesting (false, as a syntax error, past the
 * limit); expr_leave undoes it. */
bool expr_enter(struct expr_parser *p);
static inline void expr_leave(struct expr_parser *p) { p->depth--; }

/* The text of a token. */
static inline const char *tok_text(const struct expr_parser *p, const struct token *t) { return p->text + t->start; }

/* ---- names and values --------------------------------------------------- */

/* The name behind "#n" (marking it used), or NULL. */
const struct ddb_expr_name *expr_lookup_name(struct ddb_expr_context *ctx, const char *key, size_t len);
const struct ddb_expr_value *expr_lookup_value(struct ddb_expr_context *ctx, const char *key, size_t len);

/* ---- paths -------------------------------------------------------------- */

/* A path as parsed: each step keeps its token for the error checks. */
struct parsed_step {
    struct ddb_path_step step;
    const struct token *tok;       /* the name, #name or index token */
};

struct path_builder {
    struct parsed_step *steps;
    size_t len, cap;
};

bool path_push(struct expr_parser *p, struct path_builder *b, const struct parsed_step *s);
/* Appends ('.' name | '[' number ']')* steps. */
bool path_parse_steps(struct expr_parser *p, struct path_builder *b);
/* Resolves a parsed path's names in place: an identifier that is a
 * reserved word sets `reserved`; a #name takes its ExpressionAttributeNames
 * value, or, when it has none, sets `undefined` (and once that is set, no
 * more #names are resolved). */
struct error_slot;
void path_resolve_names(struct expr_parser *p, struct path_builder *b, struct error_slot *reserved,
                        struct error_slot *undefined);
/* "[a, b, [2]]" for a parsed path (names as resolved so far). */
void path_builder_describe(struct strbuf *sb, const struct path_builder *b);
/* The public path: its steps copied into the arena. */
bool path_builder_finish(struct expr_parser *p, const struct path_builder *b, struct ddb_path *out);
/* A name step from an identifier or #name token (unresolved: name points
 * at the token text). */
struct parsed_step path_name_step(const struct expr_parser *p, const struct token *t);

/* ---- semantic error slots ------------------------------------------------- */

/* AWS reports the first error of the highest-ranked kind; each slot keeps
 * the first message of its kind (unless noted). */
struct error_slot {
    const char *message;
};

bool slot_set(struct expr_parser *p, struct error_slot *slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message built in a strbuf (taken over by the slot). */
void slot_take(struct expr_parser *p, struct error_slot *slot, struct strbuf *sb, bool overwrite);
/* Fails with "Invalid <role>: <message>". */
bool expr_fail(struct expr_parser *p, const char *message);
/* AWS's message for a missing or unusable name or value. */
void expr_undefined_name_message(struct strbuf *sb, const char *key, size_t len);
void expr_undefined_value_message(struct strbuf *sb, const char *key, size_t len);

/* Overlap and conflict of document paths (update and projection): two
 * paths where one is a prefix of the other overlap; two that cross a
 * list index on one side and a name on the other conflict. */
void path_check_overlap(struct expr_parser *p, struct ddb_path *paths, size_t n, struct error_slot *overlap,
                        struct error_slot *conflict);

/* Name lists (heads, nested) from a set of paths. */
bool name_list_from_paths(struct arena *a, const struct ddb_path *paths, size_t n, bool nested_only,
                          struct ddb_name_list *out);

/* Legacy ComparisonOperator rules shared by key conditions and filters:
 * which value types an operator accepts ("ComparisonOperator LT is not
 * valid for BOOL AttributeValue type"), BETWEEN's order, and a Query's
 * one or two key conditions. */
bool comparison_op_allows(enum ddb_comparison_op op, enum ddb_type type);
bool comparison_values_check(enum ddb_comparison_op op, const struct ddb_value *values, size_t n,
                             struct ddb_error *err);
bool key_condition_count_check(const struct ddb_key_condition *kc, struct ddb_error *err);

/* The empty and too-long checks every expression gets before parsing. */
bool expr_check_length(enum ddb_expression_role role, size_t len, struct ddb_error *err);

#endif
