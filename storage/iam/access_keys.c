/* access_keys: long-term access keys (iam_access_keys) of IAM users —
 * and of an account's root user, whose keys have no user — at most
 * IAM_MAX_ACCESS_KEYS each, with when and where each was last used.
 * Lookups by key id serve authentication: they join the user's row for
 * its path and unique id. */
#include "storage/iam/iam_internal.h"

static enum iam_err no_such_key(struct iam_fault *f, const char *key_id)
{
    return iam_fail(f, IAM_ERR_NO_SUCH_ENTITY, "The Access Key with id %.200s cannot be found.", key_id);
}

enum iam_err iam_key_create(struct store_conn *writer, const char *account, const char *user, const char *key_id,
                            const char *secret, int64_t now_ms, struct iam_fault *f)
{
    enum iam_err err = user ? iam_require(writer, account, IAM_USER, user, f) : IAM_OK;
    if (err != IAM_OK)
        return err;
    int64_t n = iam_scalar(writer, "SELECT count(*) FROM iam_access_keys WHERE account = ?1 AND user IS ?2", "tt",
                           account, user);
    if (n < 0)
        return IAM_ERR_STORAGE;
    if (n >= IAM_MAX_ACCESS_KEYS)
        return iam_fail(f, IAM_ERR_LIMIT, "Cannot exceed quota for AccessKeysPerUser: %d", IAM_MAX_ACCESS_KEYS);
    return iam_run(writer, "INSERT INTO iam_access_keys(key_id, account, user, secret, status, created_ms)"
                           " VALUES (?1, ?2, ?3, ?4, 'Active', ?5)",
                   "tttti", key_id, account, user, secret, now_ms) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}

/* Visits the rows of a key query (the columns of KEY_COLUMNS). */
#define KEY_COLUMNS                                                                                                   \
    "k.key_id, k.account, k.user, u.path, u.id, k.secret, k.status, k.created_ms, k.last_used_ms,"                   \
    " k.last_used_service, k.last_used_region"
#define KEY_JOIN " FROM iam_access_keys k LEFT JOIN iam_entities u ON u.account = k.account AND u.kind = 0 AND u.name = k.user"

static enum iam_err visit_keys(sqlite3_stmt *s, iam_key_visit visit, void *arg, bool *seen)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct iam_access_key k = {
            .key_id = (const char *)sqlite3_column_text(s, 0),
            .account = (const char *)sqlite3_column_text(s, 1),
            .user = (const char *)sqlite3_column_text(s, 2),
            .user_path = (const char *)sqlite3_column_text(s, 3),
            .user_id = (const char *)sqlite3_column_text(s, 4),
            .secret = (const char *)sqlite3_column_text(s, 5),
            .status = (const char *)sqlite3_column_text(s, 6),
            .created_ms = sqlite3_column_int64(s, 7),
            .last_used_ms = sqlite3_column_int64(s, 8),
            .last_used_service = (const char *)sqlite3_column_text(s, 9),
            .last_used_region = (const char *)sqlite3_column_text(s, 10),
        };
        *seen = true;
        if (!k.key_id || !k.account || !k.secret || !k.status) {
            rc = SQLITE_NOMEM;
            break;
        }
        if (!visit(arg, &k)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? IAM_OK : rc == SQLITE_NOMEM ? IAM_ERR_NOMEM : IAM_ERR_STORAGE;
}

enum iam_err iam_key_list(struct store_conn *conn, const char *account, const char *user, const char *after,
                          iam_key_visit visit, void *arg, struct iam_fault *f)
{
    enum iam_err err = user ? iam_require(conn, account, IAM_USER, user, f) : IAM_OK;
    if (err != IAM_OK)
        return err;
    sqlite3_stmt *s = iam_stmt(conn, "SELECT " KEY_COLUMNS KEY_JOIN " WHERE k.account = ?1 AND k.user IS ?2"
                                     " AND k.key_id > ?3 ORDER BY k.key_id",
                               "ttt", account, user, after ? after : "");
    bool seen = false;
    return s ? visit_keys(s, visit, arg, &seen) : IAM_ERR_STORAGE;
}

enum iam_err iam_key_update(struct store_conn *writer, const char *account, const char *user, const char *key_id,
                            const char *status, struct iam_fault *f)
{
    enum iam_err err = user ? iam_require(writer, account, IAM_USER, user, f) : IAM_OK;
    if (err != IAM_OK)
        return err;
    int rc = status ? iam_run(writer, "UPDATE iam_access_keys SET status = ?4 WHERE key_id = ?1 AND account = ?2"
                                      " AND user IS ?3",
                              "tttt", key_id, account, user, status)
                    : iam_run(writer, "DELETE FROM iam_access_keys WHERE key_id = ?1 AND account = ?2 AND user IS ?3",
                              "ttt", key_id, account, user);
    return rc < 0 ? IAM_ERR_STORAGE : rc ? IAM_OK : no_such_key(f, key_id);
}

enum iam_err iam_key_find(struct store_conn *conn, const char *key_id, iam_key_visit visit, void *arg)
{
    sqlite3_stmt *s = iam_stmt(conn, "SELECT " KEY_COLUMNS KEY_JOIN " WHERE k.key_id = ?1", "t", key_id);
    if (!s)
        return IAM_ERR_STORAGE;
    bool seen = false;
    enum iam_err err = visit_keys(s, visit, arg, &seen);
    return err != IAM_OK ? err : seen ? IAM_OK : IAM_ERR_NO_SUCH_ENTITY;
}

enum iam_err iam_key_used(struct store_conn *writer, const char *key_id, int64_t when_ms, const char *service,
                          const char *region)
{
    return iam_run(writer, "UPDATE iam_access_keys SET last_used_ms = ?2, last_used_service = ?3,"
                           " last_used_region = ?4 WHERE key_id = ?1",
                   "titt", key_id, when_ms, service, region) < 0
               ? IAM_ERR_STORAGE
               : IAM_OK;
}
