/* policies: managed policies by ARN. An account's own policies are rows
 * of iam_entities (kind IAM_POLICY: the default version and the next
 * version number) with their documents in iam_policy_versions; AWS's own
 * (arn:aws:iam::aws:policy/...) come from protocol/iam/aws_policies and
 * can be read, listed and attached but not changed. Usage counts
 * (attachments, boundaries) are those of the caller's account. */
#include "storage/iam/iam_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/iam/aws_policies.h"

/* What a policy ARN names for a caller of `account`. */
struct policy_ref {
    const struct iam_aws_policy *aws;      /* AWS's own, or NULL */
    char path[IAM_ARN_MAX];
    char name[IAM_ARN_MAX];
};

/* Resolves arn: AWS's policy, or the account's own (which must exist at
 * that path). */
static enum iam_err resolve(struct store_conn *c, const char *account, const char *arn, struct policy_ref *r,
                            struct iam_fault *f)
{
    char owner[16];
    memset(r, 0, sizeof(*r));
    if (!iam_parse_policy_arn(arn, owner, r->path, r->name))
        return iam_fail(f, IAM_ERR_INVALID_INPUT, "ARN %.400s is not valid.", arn);
    if (strcmp(owner, IAM_AWS_ACCOUNT) == 0) {
        r->aws = iam_aws_policy_find(r->path, r->name);
        return r->aws ? IAM_OK : iam_no_such(f, IAM_POLICY, arn);
    }
    if (strcmp(owner, account) != 0)
        return iam_no_such(f, IAM_POLICY, arn);
    int64_t n = iam_scalar(c, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3"
                              " AND path = ?4",
                           "titt", account, (int64_t)IAM_POLICY, r->name, r->path);
    return n < 0 ? IAM_ERR_STORAGE : n ? IAM_OK : iam_no_such(f, IAM_POLICY, arn);
}

enum iam_err iam_policy_exists(struct store_conn *c, const char *account, const char *arn, struct iam_fault *f)
{
    struct policy_ref r;
    return resolve(c, account, arn, &r, f);
}

static enum iam_err not_changeable(struct iam_fault *f, const char *arn)
{
    return iam_fail(f, IAM_ERR_INVALID_INPUT, "Policy %.400s is an AWS managed policy: it cannot be changed.", arn);
}

/* AWS's policy as an entity, with its usage in `account`. */
static enum iam_err aws_entity(struct store_conn *c, const char *account, const struct iam_aws_policy *p,
                               struct iam_entity *e)
{
    char arn[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), IAM_POLICY, IAM_AWS_ACCOUNT, p->path, p->name);
    memset(e, 0, sizeof(*e));
    e->kind = IAM_POLICY;
    e->account = IAM_AWS_ACCOUNT;
    e->name = p->name;
    e->id = p->id;
    e->path = p->path;
    e->created_ms = p->created_ms;
    e->updated_ms = p->updated_ms;
    e->default_version = p->default_version;
    e->tags = "[]";
    e->attachment_count = iam_scalar(c, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND policy_arn = ?2",
                                     "tt", account, arn);
    e->boundary_count = iam_scalar(c, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND boundary_arn = ?2",
                                   "tt", account, arn);
    return e->attachment_count < 0 || e->boundary_count < 0 ? IAM_ERR_STORAGE : IAM_OK;
}

enum iam_err iam_policy_get(struct store_conn *conn, const char *account, const char *arn, iam_entity_visit visit,
                            void *arg, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(conn, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws) {
        struct iam_entity e;
        if ((err = aws_entity(conn, account, r.aws, &e)) == IAM_OK)
            visit(arg, &e);
        return err;
    }
    return iam_entity_get(conn, account, IAM_POLICY, r.name, visit, arg, f);
}

void iam_policy_marker(const struct iam_entity *e, char *out, size_t cap)
{
    snprintf(out, cap, "%s:%s", strcmp(e->account, IAM_AWS_ACCOUNT) == 0 ? "aws" : "local", e->name);
}

/* A visitor behind ListPolicies' OnlyAttached filter. */
struct filtered {
    bool only_attached;
    iam_entity_visit visit;
    void *arg;
};

static bool visit_filtered(void *arg, const struct iam_entity *e)
{
    const struct filtered *fl = arg;
    return fl->only_attached && e->attachment_count == 0 ? true : fl->visit(fl->arg, e);
}

enum iam_err iam_policy_list(struct store_conn *reader, const char *account, const char *scope,
                             const char *path_prefix, bool only_attached, const char *after,
                             iam_entity_visit visit, void *arg)
{
    /* The local policies first, then AWS's; the marker says which. */
    bool in_aws = after && strncmp(after, "aws:", 4) == 0;
    const char *after_name = !after ? "" : in_aws ? after + 4 : strncmp(after, "local:", 6) == 0 ? after + 6 : after;
    bool local = !scope || strcasecmp(scope, "AWS") != 0, aws = !scope || strcasecmp(scope, "Local") != 0;
    struct filtered fl = {only_attached, visit, arg};
    bool stopped = false;
    if (local && !in_aws) {
        sqlite3_stmt *s = iam_stmt(reader, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_entities e"
                                           " WHERE e.account = ?1 AND e.kind = ?2 AND e.name > ?3"
                                           " AND substr(e.path, 1, length(?4)) = ?4 ORDER BY e.name",
                                   "titt", account, (int64_t)IAM_POLICY, after_name, path_prefix ? path_prefix : "");
        if (!s)
            return IAM_ERR_STORAGE;
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            struct iam_entity e;
            iam_read_entity(s, 0, &e);
            if (!visit_filtered(&fl, &e)) {
                stopped = true;
                rc = SQLITE_DONE;
                break;
            }
        }
        sqlite3_reset(s);
        if (rc != SQLITE_DONE)
            return IAM_ERR_STORAGE;
        after_name = "";
    }
    for (size_t i = 0; aws && !stopped && i < iam_aws_policy_count(); i++) {
        const struct iam_aws_policy *p = iam_aws_policy_at(i);
        if (strcmp(p->name, after_name) <= 0 || strncmp(p->path, path_prefix ? path_prefix : "",
                                                         path_prefix ? strlen(path_prefix) : 0) != 0)
            continue;
        struct iam_entity e;
        if (aws_entity(reader, account, p, &e) != IAM_OK)
            return IAM_ERR_STORAGE;
        stopped = !visit_filtered(&fl, &e);
    }
    return IAM_OK;
}

enum iam_err iam_policy_delete(struct store_conn *writer, const char *account, const char *arn, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(writer, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws)
        return not_changeable(f, arn);
    int64_t used = iam_scalar(writer, "SELECT (SELECT count(*) FROM iam_attachments WHERE account = ?1 AND policy_arn = ?2)"
                                      " + (SELECT count(*) FROM iam_entities WHERE account = ?1 AND boundary_arn = ?2)",
                              "tt", account, arn);
    if (used)
        return used < 0 ? IAM_ERR_STORAGE : iam_fail(f, IAM_ERR_DELETE_CONFLICT, "Cannot delete a policy attached to entities.");
    int64_t versions = iam_scalar(writer, "SELECT count(*) FROM iam_policy_versions WHERE account = ?1 AND policy = ?2",
                                  "tt", account, r.name);
    if (versions > 1)
        return iam_fail(f, IAM_ERR_DELETE_CONFLICT,
                        "This policy has more than one version. Before you delete a policy, you must delete the "
                        "policy's versions. The default version is deleted with the policy.");
    if (versions < 0 ||
        iam_run(writer, "DELETE FROM iam_policy_versions WHERE account = ?1 AND policy = ?2", "tt", account, r.name) < 0 ||
        iam_run(writer, "DELETE FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3", "tit", account,
                (int64_t)IAM_POLICY, r.name) < 0)
        return IAM_ERR_STORAGE;
    return IAM_OK;
}

enum iam_err iam_policy_create(struct store_conn *writer, const struct iam_entity *e, const char *document,
                               struct iam_fault *f)
{
    struct iam_entity row = *e;
    row.default_version = 1;
    enum iam_err err = iam_entity_create(writer, &row, f);
    if (err != IAM_OK)
        return err;
    return iam_run(writer, "INSERT INTO iam_policy_versions(account, policy, version, document, created_ms)"
                           " VALUES (?1, ?2, 1, ?3, ?4)",
                   "ttti", e->account, e->name, document, e->created_ms) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

static enum iam_err no_such_version(struct iam_fault *f, const char *arn, int64_t number)
{
    return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "Policy %.400s version v%lld does not exist or is not attachable.", arn,
                    (long long)number);
}

enum iam_err iam_policy_version_create(struct store_conn *writer, const char *account, const char *arn,
                                       const char *document, bool set_default, int64_t now_ms, int64_t *number,
                                       struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(writer, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws)
        return not_changeable(f, arn);
    int64_t versions = iam_scalar(writer, "SELECT count(*) FROM iam_policy_versions WHERE account = ?1 AND policy = ?2",
                                  "tt", account, r.name);
    if (versions < 0)
        return IAM_ERR_STORAGE;
    if (versions >= IAM_MAX_POLICY_VERSIONS)
        return iam_fail(f, IAM_ERR_LIMIT, "A managed policy can have up to %d versions. Before you create a new "
                                          "version, you must delete an existing version.",
                        IAM_MAX_POLICY_VERSIONS);
    *number = iam_scalar(writer, "SELECT next_version FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3",
                         "tit", account, (int64_t)IAM_POLICY, r.name);
    if (*number <= 0 ||
        iam_run(writer, "INSERT INTO iam_policy_versions(account, policy, version, document, created_ms)"
                        " VALUES (?1, ?2, ?3, ?4, ?5)",
                "ttiti", account, r.name, *number, document, now_ms) < 0 ||
        iam_run(writer, "UPDATE iam_entities SET next_version = next_version + 1,"
                        " default_version = CASE WHEN ?4 THEN ?5 ELSE default_version END,"
                        " updated_ms = CASE WHEN ?4 THEN ?6 ELSE updated_ms END"
                        " WHERE account = ?1 AND kind = ?2 AND name = ?3",
                "titiii", account, (int64_t)IAM_POLICY, r.name, (int64_t)set_default, *number, now_ms) < 0)
        return IAM_ERR_STORAGE;
    return IAM_OK;
}

enum iam_err iam_policy_versions(struct store_conn *conn, const char *account, const char *arn, int64_t number,
                                 iam_version_visit visit, void *arg, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(conn, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws) {
        if (number && number != r.aws->default_version)
            return no_such_version(f, arn, number);
        struct iam_policy_version v = {r.aws->default_version, r.aws->document, r.aws->updated_ms, true};
        visit(arg, &v);
        return IAM_OK;
    }
    sqlite3_stmt *s = iam_stmt(conn, "SELECT v.version, v.document, v.created_ms, v.version = e.default_version"
                                     " FROM iam_policy_versions v JOIN iam_entities e ON e.account = v.account"
                                     " AND e.kind = ?3 AND e.name = v.policy"
                                     " WHERE v.account = ?1 AND v.policy = ?2 AND (?4 = 0 OR v.version = ?4)"
                                     " ORDER BY v.version DESC",
                               "ttii", account, r.name, (int64_t)IAM_POLICY, number);
    if (!s)
        return IAM_ERR_STORAGE;
    int rc;
    bool seen = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_policy_version v = {sqlite3_column_int64(s, 0), (const char *)sqlite3_column_text(s, 1),
                                       sqlite3_column_int64(s, 2), sqlite3_column_int(s, 3) != 0};
        seen = true;
        if (!v.document) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &v)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
    return seen || !number ? IAM_OK : no_such_version(f, arn, number);
}

enum iam_err iam_policy_version_delete(struct store_conn *writer, const char *account, const char *arn,
                                       int64_t number, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(writer, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws)
        return not_changeable(f, arn);
    int64_t is_default = iam_scalar(writer, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND kind = ?2"
                                            " AND name = ?3 AND default_version = ?4",
                                    "titi", account, (int64_t)IAM_POLICY, r.name, number);
    if (is_default)
        return is_default < 0 ? IAM_ERR_STORAGE
                              : iam_fail(f, IAM_ERR_DELETE_CONFLICT, "Cannot delete the default version of a policy.");
    int rc = iam_run(writer, "DELETE FROM iam_policy_versions WHERE account = ?1 AND policy = ?2 AND version = ?3", "tti",
                     account, r.name, number);
    return rc < 0 ? IAM_ERR_STORAGE : rc ? IAM_OK : no_such_version(f, arn, number);
}

enum iam_err iam_policy_set_default(struct store_conn *writer, const char *account, const char *arn,
                                    int64_t number, int64_t now_ms, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(writer, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    if (r.aws)
        return not_changeable(f, arn);
    int64_t exists = iam_scalar(writer, "SELECT count(*) FROM iam_policy_versions WHERE account = ?1 AND policy = ?2"
                                        " AND version = ?3",
                                "tti", account, r.name, number);
    if (exists <= 0)
        return exists < 0 ? IAM_ERR_STORAGE : no_such_version(f, arn, number);
    return iam_run(writer, "UPDATE iam_entities SET default_version = ?4, updated_ms = ?5 WHERE account = ?1"
                           " AND kind = ?2 AND name = ?3",
                   "titii", account, (int64_t)IAM_POLICY, r.name, number, now_ms) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_policy_entities(struct store_conn *reader, const char *account, const char *arn, bool boundaries,
                                 iam_policy_entity_visit visit, void *arg, struct iam_fault *f)
{
    struct policy_ref r;
    enum iam_err err = resolve(reader, account, arn, &r, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = boundaries
                          ? iam_stmt(reader, "SELECT kind, name, id, path FROM iam_entities WHERE account = ?1"
                                             " AND boundary_arn = ?2 ORDER BY kind, name",
                                     "tt", account, arn)
                          : iam_stmt(reader, "SELECT e.kind, e.name, e.id, e.path FROM iam_attachments a"
                                             " JOIN iam_entities e ON e.account = a.account AND e.kind = a.kind"
                                             " AND e.name = a.owner WHERE a.account = ?1 AND a.policy_arn = ?2"
                                             " ORDER BY e.kind, e.name",
                                     "tt", account, arn);
    if (!s)
        return IAM_ERR_STORAGE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1), *id = (const char *)sqlite3_column_text(s, 2),
                   *path = (const char *)sqlite3_column_text(s, 3);
        if (!name || !id || !path) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, (enum iam_kind)sqlite3_column_int(s, 0), name, id, path)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? IAM_OK : rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
}

static bool keep_document(void *arg, const struct iam_policy_version *v)
{
    char **out = arg;
    if (v->is_default)
        *out = strdup(v->document);
    return !v->is_default;
}

enum iam_err iam_policy_document(struct store_conn *conn, const char *account, const char *arn, char **document,
                                 struct iam_fault *f)
{
    *document = NULL;
    enum iam_err err = iam_policy_versions(conn, account, arn, 0, keep_document, document, f);
    if (err == IAM_OK && !*document)
        err = IAM_ERR_NOMEM;
    return err;
}
