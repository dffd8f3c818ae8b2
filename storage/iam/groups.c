/* groups: group membership (iam_group_members). A user belongs to at most
 * IAM_MAX_GROUPS_PER_USER groups; listings join the members' (or the
 * groups') rows so that they read as entities. */
#include "storage/iam/iam_internal.h"

enum iam_err iam_group_add_user(struct store_conn *writer, const char *account, const char *group, const char *user,
                                struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, IAM_GROUP, group, f);
    if (err == IAM_OK)
        err = iam_require(writer, account, IAM_USER, user, f);
    if (err != IAM_OK)
        return err;
    int64_t already = iam_scalar(writer, "SELECT count(*) FROM iam_group_members WHERE account = ?1 AND grp = ?2"
                                         " AND user = ?3",
                                 "ttt", account, group, user);
    int64_t groups = iam_scalar(writer, "SELECT count(*) FROM iam_group_members WHERE account = ?1 AND user = ?2", "tt",
                                account, user);
    if (already < 0 || groups < 0)
        return IAM_ERR_STORAGE;
    if (already)
        return IAM_OK;
    if (groups >= IAM_MAX_GROUPS_PER_USER)
        return iam_fail(f, IAM_ERR_LIMIT, "Cannot exceed quota for GroupsPerUser: %d", IAM_MAX_GROUPS_PER_USER);
    return iam_run(writer, "INSERT INTO iam_group_members(account, grp, user) VALUES (?1, ?2, ?3)", "ttt", account,
                   group, user) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_group_remove_user(struct store_conn *writer, const char *account, const char *group,
                                   const char *user, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, IAM_GROUP, group, f);
    if (err == IAM_OK)
        err = iam_require(writer, account, IAM_USER, user, f);
    if (err != IAM_OK)
        return err;
    int rc = iam_run(writer, "DELETE FROM iam_group_members WHERE account = ?1 AND grp = ?2 AND user = ?3", "ttt",
                     account, group, user);
    return rc < 0 ? IAM_ERR_STORAGE
           : rc   ? IAM_OK
                  : iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "User %.200s is not in group %.200s.", user, group);
}

enum iam_err iam_group_members(struct store_conn *conn, const char *account, const char *name, bool of_user,
                               const char *after, iam_entity_visit visit, void *arg, struct iam_fault *f)
{
    enum iam_err err = iam_require(conn, account, of_user ? IAM_USER : IAM_GROUP, name, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = of_user
                          ? iam_stmt(conn, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_group_members m JOIN iam_entities e"
                                           " ON e.account = m.account AND e.kind = ?3 AND e.name = m.grp"
                                           " WHERE m.account = ?1 AND m.user = ?2 AND e.name > ?4 ORDER BY e.name",
                                     "ttit", account, name, (int64_t)IAM_GROUP, after ? after : "")
                          : iam_stmt(conn, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_group_members m JOIN iam_entities e"
                                           " ON e.account = m.account AND e.kind = ?3 AND e.name = m.user"
                                           " WHERE m.account = ?1 AND m.grp = ?2 AND e.name > ?4 ORDER BY e.name",
                                     "ttit", account, name, (int64_t)IAM_USER, after ? after : "");
    return s ? iam_visit_entities(s, visit, arg) : IAM_ERR_STORAGE;
}
