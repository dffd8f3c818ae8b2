/* s3_config: a bucket's configuration documents — their rows, the schema
 * step of the module "s3config" (which also creates acl.c's object_acls),
 * their reads and writes — and the queued one-statement write they and
 * object ACLs share. See storage/s3/s3.h. */
#include "storage/s3/internal.h"

#include <stdlib.h>
#include <string.h>

static const struct schema_step steps[] = {
    {"bucket-configs-object-acls",
        "CREATE TABLE bucket_configs("
        "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
        "  kind TEXT NOT NULL,"
        "  document TEXT,"
        "  PRIMARY KEY(bucket, kind)"
        ") WITHOUT ROWID;"
        "CREATE INDEX bucket_configs_by_kind ON bucket_configs(kind, bucket);"
        "CREATE TABLE object_acls("
        "  bucket TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,"
        "  key TEXT NOT NULL,"
        "  object_etag TEXT NOT NULL,"
        "  object_modified_ms INTEGER NOT NULL,"
        "  acl TEXT NOT NULL,"
        "  PRIMARY KEY(bucket, key)"
        ") WITHOUT ROWID;"},
};

const struct schema_module s3_config_schema = {"s3config", steps, sizeof(steps) / sizeof(steps[0])};

static const char sql_get_config[] = "SELECT document FROM bucket_configs WHERE bucket = ?1 AND kind = ?2";
static const char sql_list_configs[] =
    "SELECT bucket, document FROM bucket_configs WHERE kind = ?1 AND document IS NOT NULL ORDER BY bucket";
int store_get_bucket_config(struct store *st, const char *bucket, const char *kind,
                            enum store_config_state *state, char **doc)
{
    *state = STORE_CONFIG_UNSET;
    *doc = NULL;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_get_config);
    if (!s || db_bind_text(s, 1, bucket) < 0 || db_bind_text(s, 2, kind) < 0)
        return -1;
    int rc = sqlite3_step(s);
    int result = 0;
    if (rc == SQLITE_ROW) {
        result = db_column_strdup(s, 0, doc);
        *state = *doc ? STORE_CONFIG_SET : STORE_CONFIG_REMOVED;
    } else if (rc != SQLITE_DONE) {
        result = -1;
    }
    sqlite3_reset(s);
    return result;
}

/* One queued write: SQL with up to five text/integer parameters (through
 * store_submit, as any service's writes). */
struct config_write {
    const char *sql;
    char *text[4];
    int64_t number;
    bool has_number;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static void config_write_free(struct config_write *w)
{
    for (size_t i = 0; i < 4; i++)
        free(w->text[i]);
    free(w);
}

static int apply_config_write(struct store_conn *conn, void *arg)
{
    struct config_write *w = arg;
    sqlite3_stmt *s = db_stmt(conn, w->sql);
    int ok = s != NULL;
    int n_params = ok ? sqlite3_bind_parameter_count(s) : 0;
    for (int i = 0; ok && i < 4 && i < n_params; i++)
        ok = db_bind_text(s, i + 1, w->text[i]) == 0;
    if (ok && w->has_number)
        ok = sqlite3_bind_int64(s, 5, w->number) == SQLITE_OK;
    ok = ok && sqlite3_step(s) == SQLITE_DONE;
    sqlite3_reset(s);
    return ok ? 0 : -1;
}

static void config_write_done(void *arg, bool ok)
{
    struct config_write *w = arg;
    w->done(w->arg, ok);
    config_write_free(w);
}

int s3_config_submit_write(struct store *st, const char *sql, const char *const text[4], const int64_t *number,
                           void (*done)(void *arg, bool ok), void *arg)
{
    struct config_write *w = calloc(1, sizeof(*w));
    if (!w)
        return -1;
    w->sql = sql;
    w->done = done;
    w->arg = arg;
    if (number) {
        w->number = *number;
        w->has_number = true;
    }
    for (size_t i = 0; i < 4; i++) {
        if (text[i] && !(w->text[i] = strdup(text[i]))) {
            config_write_free(w);
            return -1;
        }
    }
    if (store_submit(st, apply_config_write, config_write_done, w) < 0) {
        config_write_free(w);
        return -1;
    }
    return 0;
}

static const char sql_set_config[] =
    "INSERT OR REPLACE INTO bucket_configs(bucket, kind, document) VALUES (?1, ?2, ?3)";

int store_put_bucket_config(struct store *st, const char *bucket, const char *kind, const char *doc,
                            bool keep_marker, void (*done)(void *arg, bool ok), void *arg)
{
    const char *text[4] = {bucket, kind, doc, NULL};
    const char *sql = doc || keep_marker ? sql_set_config : "DELETE FROM bucket_configs WHERE bucket = ?1 AND kind = ?2";
    return s3_config_submit_write(st, sql, text, NULL, done, arg);
}

enum s3_err s3_config_set_row(struct store *st, const char *bucket, const char *kind, const char *doc)
{
    sqlite3_stmt *s = db_stmt(&st->writer, sql_set_config);
    if (!s || db_bind_text(s, 1, bucket) != 0 || db_bind_text(s, 2, kind) != 0 || db_bind_text(s, 3, doc) != 0 ||
        !s3_step_done(s))
        return S3_ERR_INTERNAL_ERROR;
    return S3_OK;
}

void store_free_string_pairs(char **a, char **b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a ? a[i] : NULL);
        free(b ? b[i] : NULL);
    }
    free(a);
    free(b);
}

int store_list_bucket_configs(struct store *st, const char *kind, char ***buckets, char ***docs, size_t *n)
{
    *buckets = NULL;
    *docs = NULL;
    *n = 0;
    sqlite3_stmt *s = db_stmt(&st->reader, sql_list_configs);
    if (!s || db_bind_text(s, 1, kind) < 0)
        return -1;
    size_t cap = 0;
    int rc;
    int result = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            char **nb = realloc(*buckets, ncap * sizeof(*nb));
            if (nb)
                *buckets = nb;
            char **nd = nb ? realloc(*docs, ncap * sizeof(*nd)) : NULL;
            if (nd)
                *docs = nd;
            if (!nb || !nd) {
                result = -1;
                break;
            }
            cap = ncap;
        }
        (*buckets)[*n] = NULL;
        (*docs)[*n] = NULL;
        (*n)++;
        if (db_column_strdup(s, 0, &(*buckets)[*n - 1]) < 0 || db_column_strdup(s, 1, &(*docs)[*n - 1]) < 0) {
            result = -1;
            break;
        }
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = -1;
    sqlite3_reset(s);
    if (result < 0) {
        store_free_string_pairs(*buckets, *docs, *n);
        *buckets = NULL;
        *docs = NULL;
        *n = 0;
    }
    return result;
}
