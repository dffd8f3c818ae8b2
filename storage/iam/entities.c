/* entities: the rows users, groups, roles, managed policies and instance
 * profiles share in iam_entities — create (with the account's quota),
 * get, list by name, rename (references follow), delete (refused while
 * something refers to the entity, with AWS's DeleteConflict sentences),
 * tags kept as one JSON array per row, permissions boundaries and a role's
 * settings — and the statement helpers of storage/iam/. */
#include "storage/iam/iam_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- statement helpers ------------------------------------------------------------- */

static sqlite3_stmt *bind_args(struct store_conn *c, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *s = db_stmt(c, sql);
    if (!s)
        return NULL;
    for (int i = 0; types[i]; i++) {
        int rc;
        if (types[i] == 'i') {
            rc = sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        } else {
            const char *text = va_arg(ap, const char *);
            rc = text ? sqlite3_bind_text(s, i + 1, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i + 1);
        }
        if (rc != SQLITE_OK) {
            sqlite3_reset(s);
            return NULL;
        }
    }
    return s;
}

sqlite3_stmt *iam_stmt(struct store_conn *c, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *s = bind_args(c, sql, types, ap);
    va_end(ap);
    return s;
}

int iam_run(struct store_conn *c, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *s = bind_args(c, sql, types, ap);
    va_end(ap);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? sqlite3_changes(c->db) : -1;
}

int64_t iam_scalar(struct store_conn *c, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    sqlite3_stmt *s = bind_args(c, sql, types, ap);
    va_end(ap);
    if (!s)
        return -1;
    int rc = sqlite3_step(s);
    int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return v;
}

static const char *text_or_null(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, col);
}

void iam_read_entity(sqlite3_stmt *s, int first, struct iam_entity *e)
{
    memset(e, 0, sizeof(*e));
    e->account = (const char *)sqlite3_column_text(s, first);
    e->kind = (enum iam_kind)sqlite3_column_int(s, first + 1);
    e->name = (const char *)sqlite3_column_text(s, first + 2);
    e->id = (const char *)sqlite3_column_text(s, first + 3);
    e->path = (const char *)sqlite3_column_text(s, first + 4);
    e->created_ms = sqlite3_column_int64(s, first + 5);
    e->tags = text_or_null(s, first + 6);
    e->description = text_or_null(s, first + 7);
    e->boundary_arn = text_or_null(s, first + 8);
    e->trust_policy = text_or_null(s, first + 9);
    e->max_session_s = sqlite3_column_int64(s, first + 10);
    e->last_used_ms = sqlite3_column_int64(s, first + 11);
    e->last_used_region = text_or_null(s, first + 12);
    e->linked_service = text_or_null(s, first + 13);
    e->default_version = sqlite3_column_int64(s, first + 14);
    e->updated_ms = sqlite3_column_int64(s, first + 15);
    e->attachment_count = sqlite3_column_int64(s, first + 16);
    e->boundary_count = sqlite3_column_int64(s, first + 17);
}

enum iam_err iam_visit_entities(sqlite3_stmt *s, iam_entity_visit visit, void *arg)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_entity e;
        iam_read_entity(s, 0, &e);
        if (!e.account || !e.name || !e.id || !e.path) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &e)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? IAM_OK : rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
}

/* ---- messages --------------------------------------------------------------------------- */

enum iam_err iam_fail(struct iam_fault *f, enum iam_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof(f->message), fmt, ap);
    va_end(ap);
    return err;
}

enum iam_err iam_no_such(struct iam_fault *f, enum iam_kind kind, const char *name)
{
    switch (kind) {
    case IAM_INSTANCE_PROFILE:
        return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "Instance Profile %.300s cannot be found.", name);
    case IAM_POLICY:
        return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "Policy %.400s was not found.", name);
    default:
        return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "The %s with name %.300s cannot be found.",
                        iam_kind_info(kind)->word, name);
    }
}

static enum iam_err already_exists(struct iam_fault *f, enum iam_kind kind, const char *name)
{
    switch (kind) {
    case IAM_INSTANCE_PROFILE:
        return iam_fail(f, IAM_ERR_EXISTS, "Instance Profile %.300s already exists.", name);
    case IAM_POLICY:
        return iam_fail(f, IAM_ERR_EXISTS, "A policy called %.300s already exists. Duplicate names are not allowed.",
                        name);
    default:
        return iam_fail(f, IAM_ERR_EXISTS, "%s with name %.300s already exists.", iam_kind_info(kind)->title, name);
    }
}

int iam_entity_exists(struct store_conn *c, const char *account, enum iam_kind kind, const char *name)
{
    int64_t n = iam_scalar(c, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3", "tit",
                           account, (int64_t)kind, name);
    return n < 0 ? -1 : n > 0;
}

enum iam_err iam_require(struct store_conn *c, const char *account, enum iam_kind kind, const char *name,
                         struct iam_fault *f)
{
    int found = iam_entity_exists(c, account, kind, name);
    return found < 0 ? IAM_ERR_STORAGE : found ? IAM_OK : iam_no_such(f, kind, name);
}

/* ---- create, get, list ----------------------------------------------------------------- */

enum iam_err iam_entity_create(struct store_conn *writer, const struct iam_entity *e, struct iam_fault *f)
{
    const struct iam_kind_info *k = iam_kind_info(e->kind);
    int found = iam_entity_exists(writer, e->account, e->kind, e->name);
    if (found)
        return found < 0 ? IAM_ERR_STORAGE : already_exists(f, e->kind, e->name);
    int64_t count = iam_scalar(writer, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND kind = ?2", "ti",
                               e->account, (int64_t)e->kind);
    if (count < 0)
        return IAM_ERR_STORAGE;
    if (count >= k->max_count)
        return iam_fail(f, IAM_ERR_LIMIT, "Cannot exceed quota for %s: %lld", k->quota, (long long)k->max_count);
    char arn[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), e->kind, e->account, e->path, e->name);
    int rc = iam_run(writer,
                     "INSERT INTO iam_entities(account, kind, name, id, path, arn, created_ms, tags, description,"
                     " boundary_arn, trust_policy, max_session_s, linked_service, default_version, next_version,"
                     " updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, '[]'), ?9, ?10, ?11, ?12, ?13,"
                     " ?14, ?14 + 1, ?15)",
                     "tittttittttitii", e->account, (int64_t)e->kind, e->name, e->id, e->path, arn, e->created_ms,
                     e->tags, e->description, e->boundary_arn, e->trust_policy, e->max_session_s, e->linked_service,
                     e->default_version, e->updated_ms);
    return rc < 0 ? IAM_ERR_STORAGE : IAM_OK;
}

enum iam_err iam_entity_get(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                            iam_entity_visit visit, void *arg, struct iam_fault *f)
{
    sqlite3_stmt *s = iam_stmt(conn, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_entities e"
                                     " WHERE e.account = ?1 AND e.kind = ?2 AND e.name = ?3",
                               "tit", account, (int64_t)kind, name);
    if (!s)
        return IAM_ERR_STORAGE;
    bool seen = false;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        struct iam_entity e;
        iam_read_entity(s, 0, &e);
        seen = true;
        if (!e.name)
            rc = SQLITE_NOMEM;
        else if (visit)
            visit(arg, &e);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
    return seen ? IAM_OK : iam_no_such(f, kind, name);
}

enum iam_err iam_entity_list(struct store_conn *reader, const char *account, enum iam_kind kind,
                             const char *path_prefix, const char *after, iam_entity_visit visit, void *arg)
{
    sqlite3_stmt *s = iam_stmt(reader, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_entities e"
                                       " WHERE e.account = ?1 AND e.kind = ?2 AND e.name > ?3"
                                       " AND substr(e.path, 1, length(?4)) = ?4 ORDER BY e.name",
                               "titt", account, (int64_t)kind, after ? after : "", path_prefix ? path_prefix : "");
    return s ? iam_visit_entities(s, visit, arg) : IAM_ERR_STORAGE;
}

/* ---- delete ------------------------------------------------------------------------------ */

/* What refers to an entity, and AWS's sentence when something does. */
struct reference {
    enum iam_kind kind;
    const char *sql;               /* counts the references: ?1 account, ?2 name (, ?3 kind) */
    const char *message;
};

static const struct reference references[] = {
    {IAM_USER, "SELECT count(*) FROM iam_inline_policies WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must delete policies first."},
    {IAM_USER, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must detach all policies first."},
    {IAM_USER, "SELECT count(*) FROM iam_access_keys WHERE account = ?1 AND user = ?2 AND ?3 >= 0",
     "Cannot delete entity, must delete access keys first."},
    {IAM_USER, "SELECT count(*) FROM iam_group_members WHERE account = ?1 AND user = ?2 AND ?3 >= 0",
     "Cannot delete entity, must remove user from all groups first."},
    {IAM_GROUP, "SELECT count(*) FROM iam_group_members WHERE account = ?1 AND grp = ?2 AND ?3 >= 0",
     "Cannot delete entity, must remove users from group first."},
    {IAM_GROUP, "SELECT count(*) FROM iam_inline_policies WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must delete policies first."},
    {IAM_GROUP, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must detach all policies first."},
    {IAM_ROLE, "SELECT count(*) FROM iam_profile_roles WHERE account = ?1 AND role = ?2 AND ?3 >= 0",
     "Cannot delete entity, must remove roles from instance profile first."},
    {IAM_ROLE, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must detach all policies first."},
    {IAM_ROLE, "SELECT count(*) FROM iam_inline_policies WHERE account = ?1 AND owner = ?2 AND kind = ?3",
     "Cannot delete entity, must delete policies first."},
    {IAM_INSTANCE_PROFILE, "SELECT count(*) FROM iam_profile_roles WHERE account = ?1 AND profile = ?2 AND ?3 >= 0",
     "Cannot delete entity, must remove roles from instance profile first."},
};

enum iam_err iam_entity_delete(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                               struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, name, f);
    if (err != IAM_OK)
        return err;
    if (kind == IAM_ROLE) {
        int64_t linked = iam_scalar(writer, "SELECT count(*) FROM iam_entities WHERE account = ?1 AND kind = ?2"
                                            " AND name = ?3 AND linked_service IS NOT NULL",
                                    "tit", account, (int64_t)IAM_ROLE, name);
        if (linked)
            return linked < 0 ? IAM_ERR_STORAGE
                              : iam_fail(f, IAM_ERR_UNMODIFIABLE,
                                         "Cannot perform the operation on the protected role '%.200s' - this role is "
                                         "only modifiable by AWS",
                                         name);
    }
    for (size_t i = 0; i < sizeof(references) / sizeof(references[0]); i++) {
        if (references[i].kind != kind)
            continue;
        int64_t n = iam_scalar(writer, references[i].sql, "tti", account, name, (int64_t)kind);
        if (n)
            return n < 0 ? IAM_ERR_STORAGE : iam_fail(f, IAM_ERR_DELETE_CONFLICT, "%s", references[i].message);
    }
    return iam_run(writer, "DELETE FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3", "tit", account,
                   (int64_t)kind, name) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

/* ---- rename -------------------------------------------------------------------------------- */

/* The statements that move references from one name to another (?1
 * account, ?2 old name, ?3 new name, ?4 kind). */
static const char *const user_references[] = {
    "UPDATE iam_group_members SET user = ?3 WHERE account = ?1 AND user = ?2 AND ?4 >= 0",
    "UPDATE iam_access_keys SET user = ?3 WHERE account = ?1 AND user = ?2 AND ?4 >= 0",
    "UPDATE iam_inline_policies SET owner = ?3 WHERE account = ?1 AND owner = ?2 AND kind = ?4",
    "UPDATE iam_attachments SET owner = ?3 WHERE account = ?1 AND owner = ?2 AND kind = ?4",
    NULL,
};
static const char *const group_references[] = {
    "UPDATE iam_group_members SET grp = ?3 WHERE account = ?1 AND grp = ?2 AND ?4 >= 0",
    "UPDATE iam_inline_policies SET owner = ?3 WHERE account = ?1 AND owner = ?2 AND kind = ?4",
    "UPDATE iam_attachments SET owner = ?3 WHERE account = ?1 AND owner = ?2 AND kind = ?4",
    NULL,
};

/* The row's path (*path to be freed). */
static enum iam_err entity_path(struct store_conn *c, const char *account, enum iam_kind kind, const char *name,
                                char **path, struct iam_fault *f)
{
    sqlite3_stmt *s = iam_stmt(c, "SELECT path FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3", "tit",
                               account, (int64_t)kind, name);
    if (!s)
        return IAM_ERR_STORAGE;
    int rc = sqlite3_step(s);
    enum iam_err err = rc == SQLITE_ROW ? IAM_OK : rc == SQLITE_DONE ? iam_no_such(f, kind, name) : IAM_ERR_STORAGE;
    if (err == IAM_OK && db_column_strdup(s, 0, path) < 0)
        err = IAM_ERR_NOMEM;
    sqlite3_reset(s);
    return err;
}

enum iam_err iam_entity_rename(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                               const char *new_name, const char *new_path, struct iam_fault *f)
{
    char *old_path = NULL;
    enum iam_err err = entity_path(writer, account, kind, name, &old_path, f);
    if (err != IAM_OK)
        return err;
    const char *to_name = new_name ? new_name : name, *to_path = new_path ? new_path : old_path;
    if (new_name && strcasecmp(new_name, name) != 0) {
        int taken = iam_entity_exists(writer, account, kind, new_name);
        if (taken) {
            free(old_path);
            return taken < 0 ? IAM_ERR_STORAGE : already_exists(f, kind, new_name);
        }
    }
    char arn[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), kind, account, to_path, to_name);
    int rc = iam_run(writer, "UPDATE iam_entities SET name = ?4, path = ?5, arn = ?6 WHERE account = ?1 AND kind = ?2"
                             " AND name = ?3",
                     "titttt", account, (int64_t)kind, name, to_name, to_path, arn);
    free(old_path);
    const char *const *moves = kind == IAM_USER ? user_references : kind == IAM_GROUP ? group_references : NULL;
    for (size_t i = 0; rc >= 0 && moves && moves[i]; i++)
        rc = iam_run(writer, moves[i], "ttti", account, name, to_name, (int64_t)kind);
    return rc < 0 ? IAM_ERR_STORAGE : IAM_OK;
}

/* ---- tags, boundaries, role settings --------------------------------------------------------- */

enum iam_err iam_entity_tag(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                            const char *const *keys, const char *const *values, size_t n_add,
                            const char *const *remove, size_t n_remove, struct iam_fault *f)
{
    sqlite3_stmt *s = iam_stmt(writer, "SELECT tags FROM iam_entities WHERE account = ?1 AND kind = ?2 AND name = ?3",
                               "tit", account, (int64_t)kind, name);
    if (!s)
        return IAM_ERR_STORAGE;
    int rc = sqlite3_step(s);
    char *tags = NULL;
    enum iam_err err = rc == SQLITE_ROW ? IAM_OK : rc == SQLITE_DONE ? iam_no_such(f, kind, name) : IAM_ERR_STORAGE;
    if (err == IAM_OK && db_column_strdup(s, 0, &tags) < 0)
        err = IAM_ERR_NOMEM;
    sqlite3_reset(s);
    if (err != IAM_OK)
        return err;
    struct strbuf merged;
    strbuf_init(&merged);
    int count = iam_tags_merge(tags, keys, values, n_add, remove, n_remove, iam_tags_nocase(kind), &merged);
    free(tags);
    if (strbuf_failed(&merged))
        err = IAM_ERR_NOMEM;
    else if (count > IAM_MAX_TAGS)
        err = iam_fail(f, IAM_ERR_LIMIT, "The number of tags has reached the maximum limit.");
    else if (count >= 0 && iam_run(writer, "UPDATE iam_entities SET tags = ?4 WHERE account = ?1 AND kind = ?2 AND name = ?3",
                                   "titt", account, (int64_t)kind, name, merged.data) < 0)
        err = IAM_ERR_STORAGE;
    strbuf_free(&merged);
    return err;
}

enum iam_err iam_entity_set_boundary(struct store_conn *writer, const char *account, enum iam_kind kind,
                                     const char *name, const char *policy_arn, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, name, f);
    if (err != IAM_OK)
        return err;
    if (policy_arn) {
        char *document = NULL;
        err = iam_policy_document(writer, account, policy_arn, &document, f);
        free(document);
        if (err == IAM_ERR_NO_SUCH_ENTITY)
            return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "Policy %.400s does not exist or is not attachable.", policy_arn);
        if (err != IAM_OK)
            return err;
    }
    return iam_run(writer, "UPDATE iam_entities SET boundary_arn = ?4 WHERE account = ?1 AND kind = ?2 AND name = ?3",
                   "titt", account, (int64_t)kind, name, policy_arn) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_role_update(struct store_conn *writer, const char *account, const char *name, const char *description,
                             int64_t max_session_s, const char *trust_policy, struct iam_fault *f)
{
    int64_t linked = iam_scalar(writer, "SELECT CASE WHEN linked_service IS NULL THEN 1 ELSE 2 END FROM iam_entities"
                                        " WHERE account = ?1 AND kind = ?2 AND name = ?3",
                                "tit", account, (int64_t)IAM_ROLE, name);
    if (linked <= 0)
        return linked < 0 ? IAM_ERR_STORAGE : iam_no_such(f, IAM_ROLE, name);
    if (linked == 2 && (max_session_s || trust_policy))
        return iam_fail(f, IAM_ERR_UNMODIFIABLE,
                        "Cannot perform the operation on the protected role '%.200s' - this role is only modifiable by "
                        "AWS",
                        name);
    int rc = iam_run(writer,
                     "UPDATE iam_entities SET description = coalesce(?4, description),"
                     " max_session_s = CASE WHEN ?5 > 0 THEN ?5 ELSE max_session_s END,"
                     " trust_policy = coalesce(?6, trust_policy) WHERE account = ?1 AND kind = ?2 AND name = ?3",
                     "tittit", account, (int64_t)IAM_ROLE, name, description, max_session_s, trust_policy);
    return rc < 0 ? IAM_ERR_STORAGE : IAM_OK;
}

enum iam_err iam_role_used(struct store_conn *writer, const char *account, const char *name, int64_t when_ms,
                           const char *region)
{
    return iam_run(writer, "UPDATE iam_entities SET last_used_ms = ?4, last_used_region = ?5 WHERE account = ?1"
                           " AND kind = ?2 AND name = ?3",
                   "titit", account, (int64_t)IAM_ROLE, name, when_ms, region) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}
