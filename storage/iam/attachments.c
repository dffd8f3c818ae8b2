/* attachments: managed policies attached to users, groups and roles
 * (iam_attachments), by the policy's ARN — an account's own policy or
 * AWS's. At most IAM_MAX_ATTACHED_POLICIES per owner. */
#include "storage/iam/iam_internal.h"

#include <stdio.h>
#include <string.h>

static const char *quota_name(enum iam_kind kind)
{
    return kind == IAM_USER ? "PoliciesPerUser" : kind == IAM_GROUP ? "PoliciesPerGroup" : "PoliciesPerRole";
}

enum iam_err iam_attach(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                        const char *policy_arn, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    err = iam_policy_exists(writer, account, policy_arn, f);
    if (err == IAM_ERR_NO_SUCH_ENTITY)
        return iam_fail(f, err, "Policy %.400s does not exist or is not attachable.", policy_arn);
    if (err != IAM_OK)
        return err;
    int64_t n = iam_scalar(writer, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND kind = ?2 AND owner = ?3",
                           "tit", account, (int64_t)kind, owner);
    int64_t already = iam_scalar(writer, "SELECT count(*) FROM iam_attachments WHERE account = ?1 AND kind = ?2"
                                         " AND owner = ?3 AND policy_arn = ?4",
                                 "titt", account, (int64_t)kind, owner, policy_arn);
    if (n < 0 || already < 0)
        return IAM_ERR_STORAGE;
    if (already)
        return IAM_OK;
    if (n >= IAM_MAX_ATTACHED_POLICIES)
        return iam_fail(f, IAM_ERR_LIMIT, "Cannot exceed quota for %s: %d", quota_name(kind), IAM_MAX_ATTACHED_POLICIES);
    return iam_run(writer, "INSERT INTO iam_attachments(account, kind, owner, policy_arn) VALUES (?1, ?2, ?3, ?4)",
                   "titt", account, (int64_t)kind, owner, policy_arn) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_detach(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                        const char *policy_arn, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    int rc = iam_run(writer, "DELETE FROM iam_attachments WHERE account = ?1 AND kind = ?2 AND owner = ?3"
                             " AND policy_arn = ?4",
                     "titt", account, (int64_t)kind, owner, policy_arn);
    return rc < 0 ? IAM_ERR_STORAGE : rc ? IAM_OK : iam_no_such(f, IAM_POLICY, policy_arn);
}

enum iam_err iam_attached_list(struct store_conn *conn, const char *account, enum iam_kind kind, const char *owner,
                               const char *path_prefix, const char *after, iam_attached_visit visit, void *arg,
                               struct iam_fault *f)
{
    enum iam_err err = iam_require(conn, account, kind, owner, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = iam_stmt(conn, "SELECT policy_arn FROM iam_attachments WHERE account = ?1 AND kind = ?2"
                                     " AND owner = ?3 AND policy_arn > ?4 ORDER BY policy_arn",
                               "titt", account, (int64_t)kind, owner, after ? after : "");
    if (!s)
        return IAM_ERR_STORAGE;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *arn = (const char *)sqlite3_column_text(s, 0);
        char policy_account[16], path[IAM_ARN_MAX], name[IAM_ARN_MAX];
        if (!arn) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!iam_parse_policy_arn(arn, policy_account, path, name) ||
            (path_prefix && strncmp(path, path_prefix, strlen(path_prefix)) != 0))
            continue;
        const struct iam_attached a = {arn, name};
        if (!visit(arg, &a)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? IAM_OK : rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
}
