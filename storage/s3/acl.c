/* s3_acl: object ACLs in the store — one row per object, tied to the ETag
 * and modification time of the object it was set on, so replacing the
 * object resets it (see storage/s3/s3.h). Its table is created by the
 * "s3config" schema step (config.c); a new object gets its ACL in its own
 * write's transaction (storage/s3/object.c). A bucket's ACL is one of its
 * configuration documents. */
#include "storage/s3/internal.h"

static const char sql_get_object_acl[] =
    "SELECT acl FROM object_acls WHERE bucket = ?1 AND key = ?2 AND object_etag = ?3 AND object_modified_ms = ?4";

int store_get_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, char **acl)
{
    *acl = NULL;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_get_object_acl);
    if (!s || db_bind_text(s, 1, bucket) < 0 || db_bind_text(s, 2, key) < 0 || db_bind_text(s, 3, etag) < 0 ||
        sqlite3_bind_int64(s, 4, modified_ms) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(s);
    int result = rc == SQLITE_ROW ? db_column_strdup(s, 0, acl) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
    return result;
}

int store_put_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, const char *acl, void (*done)(void *arg, bool ok), void *arg)
{
    const char *text[4] = {bucket, key, etag, acl};
    return s3_config_submit_write(st,
                                  "INSERT OR REPLACE INTO object_acls(bucket, key, object_etag, acl, object_modified_ms)"
                                  " VALUES (?1, ?2, ?3, ?4, ?5)",
                                  text, &modified_ms, done, arg);
}
