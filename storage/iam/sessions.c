/* sessions: STS temporary credentials (iam_sessions) — whom they stand
 * for, their session policies and tags, and when they expire. Expired
 * sessions stay until purged so that a late request is told ExpiredToken
 * rather than that its key is unknown. */
#include "storage/iam/iam_internal.h"

enum iam_err iam_session_create(struct store_conn *writer, const struct iam_session *s, struct iam_fault *f)
{
    (void)f;
    int rc = iam_run(writer,
                     "INSERT INTO iam_sessions(key_id, secret, token, account, type, arn, user_id, name, role_arn,"
                     " session_name, session_policy, policy_arns, tags, source_key, created_ms, expires_ms)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                     "ttttittttttttt" "ii", s->key_id, s->secret, s->token, s->account, (int64_t)s->type, s->arn,
                     s->user_id, s->name, s->role_arn, s->session_name, s->session_policy, s->policy_arns, s->tags,
                     s->source_key, s->created_ms, s->expires_ms);
    return rc < 0 ? IAM_ERR_STORAGE : IAM_OK;
}

enum iam_err iam_session_find(struct store_conn *conn, const char *key_id, iam_session_visit visit, void *arg)
{
    sqlite3_stmt *st = iam_stmt(conn, "SELECT key_id, secret, token, account, type, arn, user_id, name, role_arn,"
                                      " session_name, session_policy, policy_arns, tags, source_key, created_ms,"
                                      " expires_ms FROM iam_sessions WHERE key_id = ?1",
                                "t", key_id);
    if (!st)
        return IAM_ERR_STORAGE;
    int rc = sqlite3_step(st);
    enum iam_err err = rc == SQLITE_ROW ? IAM_OK : rc == SQLITE_DONE ? IAM_ERR_NO_SUCH_ENTITY : IAM_ERR_STORAGE;
    if (err == IAM_OK) {
        const struct iam_session s = {
            .key_id = (const char *)sqlite3_column_text(st, 0),
            .secret = (const char *)sqlite3_column_text(st, 1),
            .token = (const char *)sqlite3_column_text(st, 2),
            .account = (const char *)sqlite3_column_text(st, 3),
            .type = (enum iam_session_type)sqlite3_column_int(st, 4),
            .arn = (const char *)sqlite3_column_text(st, 5),
            .user_id = (const char *)sqlite3_column_text(st, 6),
            .name = (const char *)sqlite3_column_text(st, 7),
            .role_arn = (const char *)sqlite3_column_text(st, 8),
            .session_name = (const char *)sqlite3_column_text(st, 9),
            .session_policy = (const char *)sqlite3_column_text(st, 10),
            .policy_arns = (const char *)sqlite3_column_text(st, 11),
            .tags = (const char *)sqlite3_column_text(st, 12),
            .source_key = (const char *)sqlite3_column_text(st, 13),
            .created_ms = sqlite3_column_int64(st, 14),
            .expires_ms = sqlite3_column_int64(st, 15),
        };
        if (!s.key_id || !s.secret || !s.token || !s.account || !s.arn || !s.user_id || !s.name)
            err = IAM_ERR_NOMEM;
        else
            visit(arg, &s);
    }
    sqlite3_reset(st);
    return err;
}

enum iam_err iam_sessions_purge(struct store_conn *writer, int64_t before_ms)
{
    return iam_run(writer, "DELETE FROM iam_sessions WHERE expires_ms < ?1", "i", before_ms) < 0 ? IAM_ERR_STORAGE
                                                                                                 : IAM_OK;
}
