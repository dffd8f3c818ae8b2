/* service_linked_roles: DeleteServiceLinkedRole removes the role with its
 * policies and instance profile links at once (AWS's deletion runs in
 * the background; here it is done when the task is reported) and records
 * the task that GetServiceLinkedRoleDeletionStatus asks about. */
#include "storage/iam/iam_internal.h"

#include <stdio.h>
#include <string.h>

enum iam_err iam_linked_role_delete(struct store_conn *writer, const char *account, const char *role,
                                    const char *task_id, int64_t now_ms, struct iam_fault *f)
{
    int64_t linked = iam_scalar(writer, "SELECT CASE WHEN linked_service IS NULL THEN 1 ELSE 2 END FROM iam_entities"
                                        " WHERE account = ?1 AND kind = ?2 AND name = ?3",
                                "tit", account, (int64_t)IAM_ROLE, role);
    if (linked <= 0)
        return linked < 0 ? IAM_ERR_STORAGE : iam_no_such(f, IAM_ROLE, role);
    if (linked == 1)
        return iam_fail(f, IAM_ERR_INVALID_INPUT, "%.200s is not a service-linked role.", role);
    static const char *const cleanups[] = {
        "DELETE FROM iam_inline_policies WHERE account = ?1 AND owner = ?2 AND kind = ?3",
        "DELETE FROM iam_attachments WHERE account = ?1 AND owner = ?2 AND kind = ?3",
        "DELETE FROM iam_profile_roles WHERE account = ?1 AND role = ?2 AND ?3 >= 0",
        "DELETE FROM iam_entities WHERE account = ?1 AND name = ?2 AND kind = ?3",
    };
    for (size_t i = 0; i < sizeof(cleanups) / sizeof(cleanups[0]); i++)
        if (iam_run(writer, cleanups[i], "tti", account, role, (int64_t)IAM_ROLE) < 0)
            return IAM_ERR_STORAGE;
    return iam_run(writer, "INSERT INTO iam_deletion_tasks(task_id, account, role, status, created_ms)"
                           " VALUES (?1, ?2, ?3, 'SUCCEEDED', ?4)",
                   "ttti", task_id, account, role, now_ms) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

enum iam_err iam_deletion_task(struct store_conn *conn, const char *account, const char *task_id, char status[16],
                               struct iam_fault *f)
{
    sqlite3_stmt *s = iam_stmt(conn, "SELECT status FROM iam_deletion_tasks WHERE task_id = ?1 AND account = ?2", "tt",
                               task_id, account);
    if (!s)
        return IAM_ERR_STORAGE;
    int rc = sqlite3_step(s);
    enum iam_err err = rc == SQLITE_ROW  ? IAM_OK
                       : rc == SQLITE_DONE ? iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "Deletion task %.300s cannot be found.",
                                                      task_id)
                                           : IAM_ERR_STORAGE;
    if (err == IAM_OK)
        snprintf(status, 16, "%s", sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
    sqlite3_reset(s);
    return err;
}
