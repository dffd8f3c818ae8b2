/* instance_profiles: the roles in instance profiles (iam_profile_roles),
 * at most IAM_MAX_ROLES_PER_PROFILE each; listings read as entities. */
#include "storage/iam/iam_internal.h"

enum iam_err iam_profile_add_role(struct store_conn *writer, const char *account, const char *profile,
                                  const char *role, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, IAM_INSTANCE_PROFILE, profile, f);
    if (err == IAM_OK)
        err = iam_require(writer, account, IAM_ROLE, role, f);
    if (err != IAM_OK)
        return err;
    int64_t roles = iam_scalar(writer, "SELECT count(*) FROM iam_profile_roles WHERE account = ?1 AND profile = ?2", "tt",
                               account, profile);
    if (roles < 0)
        return IAM_ERR_STORAGE;
    if (roles >= IAM_MAX_ROLES_PER_PROFILE)
        return iam_fail(f, IAM_ERR_LIMIT, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d",
                        IAM_MAX_ROLES_PER_PROFILE);
    return iam_run(writer, "INSERT INTO iam_profile_roles(account, profile, role) VALUES (?1, ?2, ?3)", "ttt", account,
                   profile, role) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_profile_remove_role(struct store_conn *writer, const char *account, const char *profile,
                                     const char *role, struct iam_fault *f)
{
    enum iam_err err = iam_require(writer, account, IAM_INSTANCE_PROFILE, profile, f);
    if (err == IAM_OK)
        err = iam_require(writer, account, IAM_ROLE, role, f);
    if (err != IAM_OK)
        return err;
    int rc = iam_run(writer, "DELETE FROM iam_profile_roles WHERE account = ?1 AND profile = ?2 AND role = ?3", "ttt",
                     account, profile, role);
    return rc < 0 ? IAM_ERR_STORAGE : rc ? IAM_OK : iam_no_such(f, IAM_ROLE, role);
}

enum iam_err iam_profile_links(struct store_conn *conn, const char *account, const char *name, bool of_role,
                               const char *after, iam_entity_visit visit, void *arg, struct iam_fault *f)
{
    enum iam_err err = iam_require(conn, account, of_role ? IAM_ROLE : IAM_INSTANCE_PROFILE, name, f);
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = of_role
                          ? iam_stmt(conn, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_profile_roles l JOIN iam_entities e"
                                           " ON e.account = l.account AND e.kind = ?3 AND e.name = l.profile"
                                           " WHERE l.account = ?1 AND l.role = ?2 AND e.name > ?4 ORDER BY e.name",
                                     "ttit", account, name, (int64_t)IAM_INSTANCE_PROFILE, after ? after : "")
                          : iam_stmt(conn, "SELECT " IAM_ENTITY_COLUMNS " FROM iam_profile_roles l JOIN iam_entities e"
                                           " ON e.account = l.account AND e.kind = ?3 AND e.name = l.role"
                                           " WHERE l.account = ?1 AND l.profile = ?2 AND e.name > ?4 ORDER BY e.name",
                                     "ttit", account, name, (int64_t)IAM_ROLE, after ? after : "");
    return s ? iam_visit_entities(s, visit, arg) : IAM_ERR_STORAGE;
}
