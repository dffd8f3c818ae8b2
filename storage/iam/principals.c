/* principals: every identity policy that applies to a user (its inline
 * and attached policies, then each of its groups'), a group or a role —
 * what policy evaluation and the simulator weigh. Managed policies give
 * their default version's document. */
#include "storage/iam/iam_internal.h"

#include <stdlib.h>
#include <string.h>

/* Names (inline policies, attached ARNs, groups) gathered before their
 * documents are read, so that no statement is stepped inside another
 * that uses the same SQL. */
struct names {
    char **items;
    size_t n, cap;
    bool oom;
};

static bool add_name(void *arg, const char *name)
{
    struct names *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **grown = realloc(l->items, cap * sizeof(*grown));
        if (!grown) {
            l->oom = true;
            return false;
        }
        l->items = grown;
        l->cap = cap;
    }
    if (!(l->items[l->n] = strdup(name))) {
        l->oom = true;
        return false;
    }
    l->n++;
    return true;
}

static bool add_attached(void *arg, const struct iam_attached *a) { return add_name(arg, a->policy_arn); }
static bool add_group(void *arg, const struct iam_entity *e) { return add_name(arg, e->name); }

static void free_names(struct names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* One owner's inline policies (visited as they are read) and attached
 * policies (their documents read afterwards). */
static enum iam_err owner_policies(struct store_conn *c, const char *account, enum iam_kind kind, const char *name,
                                   iam_inline_visit visit, void *arg, struct iam_fault *f)
{
    enum iam_err err = iam_inline_get(c, account, kind, name, NULL, "", visit, arg, f);
    struct names arns = {0};
    if (err == IAM_OK)
        err = iam_attached_list(c, account, kind, name, NULL, "", add_attached, &arns, f);
    if (err == IAM_OK && arns.oom)
        err = IAM_ERR_NOMEM;
    for (size_t i = 0; err == IAM_OK && i < arns.n; i++) {
        char *document;
        err = iam_policy_document(c, account, arns.items[i], &document, f);
        if (err == IAM_OK)
            visit(arg, arns.items[i], document);
        free(document);
    }
    free_names(&arns);
    return err;
}

enum iam_err iam_identity_policies(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                                   iam_inline_visit visit, void *arg, struct iam_fault *f)
{
    enum iam_err err = owner_policies(conn, account, kind, name, visit, arg, f);
    if (err != IAM_OK || kind != IAM_USER)
        return err;
    struct names groups = {0};
    err = iam_group_members(conn, account, name, true, "", add_group, &groups, f);
    if (err == IAM_OK && groups.oom)
        err = IAM_ERR_NOMEM;
    for (size_t i = 0; err == IAM_OK && i < groups.n; i++)
        err = owner_policies(conn, account, IAM_GROUP, groups.items[i], visit, arg, f);
    free_names(&groups);
    return err;
}
