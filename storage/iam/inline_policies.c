/* inline_policies: policies embedded in a user, group or role
 * (iam_inline_policies), by owner and name. The documents of one owner
 * together stay within IAM's aggregate size for its kind, whitespace not
 * counted. */
#include "storage/iam/iam_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static size_t aggregate_limit(enum iam_kind kind)
{
    return kind == IAM_USER ? IAM_USER_INLINE_SIZE : kind == IAM_GROUP ? IAM_GROUP_INLINE_SIZE : IAM_ROLE_INLINE_SIZE;
}

static enum iam_err no_such_policy(struct iam_fault *f, enum iam_kind kind, const char *name)
{
    return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "The %s policy with name %.300s cannot be found.",
                    iam_kind_info(kind)->word, name);
}

enum iam_err iam_inline_put(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                            const char *name, const char *document, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = iam_stmt(writer, "SELECT document FROM iam_inline_policies WHERE account = ?1 AND kind = ?2"
                                       " AND owner = ?3 AND name <> ?4",
                               "titt", account, (int64_t)kind, owner, name);
    if (!s)
        return IAM_ERR_STORAGE;
    size_t total = iam_policy_size(document);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *other = (const char *)sqlite3_column_text(s, 0);
        total += other ? iam_policy_size(other) : 0;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return IAM_ERR_STORAGE;
    size_t limit = aggregate_limit(kind);
    if (total > limit)
        return iam_fail(f, IAM_ERR_LIMIT, "Maximum policy size of %zu bytes exceeded for %s %.300s", limit,
                        iam_kind_info(kind)->word, owner);
    /* A policy written again keeps the name it was first given. */
    return iam_run(writer, "INSERT INTO iam_inline_policies(account, kind, owner, name, document)"
                           " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO UPDATE SET document = excluded.document",
                   "tittt", account, (int64_t)kind, owner, name, document) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_inline_get(struct store_conn *conn, const char *account, enum iam_kind kind, const char *owner,
                            const char *name, const char *after, iam_inline_visit visit, void *arg,
                            struct iam_fault *f)
{
    enum iam_err err = iam_require(conn, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = name ? iam_stmt(conn, "SELECT name, document FROM iam_inline_policies WHERE account = ?1"
                                            " AND kind = ?2 AND owner = ?3 AND name = ?4",
                                      "titt", account, (int64_t)kind, owner, name)
                           : iam_stmt(conn, "SELECT name, document FROM iam_inline_policies WHERE account = ?1"
                                            " AND kind = ?2 AND owner = ?3 AND name > ?4 ORDER BY name",
                                      "titt", account, (int64_t)kind, owner, after ? after : "");
    if (!s)
        return IAM_ERR_STORAGE;
    int rc;
    bool seen = false;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *n = (const char *)sqlite3_column_text(s, 0), *doc = (const char *)sqlite3_column_text(s, 1);
        seen = true;
        if (!n || !doc) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, n, doc)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
    return !name || seen ? IAM_OK : no_such_policy(f, kind, name);
}

enum iam_err iam_inline_delete(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                               const char *name, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    int rc = iam_run(writer, "DELETE FROM iam_inline_policies WHERE account = ?1 AND kind = ?2 AND owner = ?3"
                             " AND name = ?4",
                     "titt", account, (int64_t)kind, owner, name);
    return rc < 0 ? IAM_ERR_STORAGE : rc ? IAM_OK : no_such_policy(f, kind, name);
}
