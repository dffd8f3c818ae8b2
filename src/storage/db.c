/* db: SQLite connections for the store, their prepared-statement caches and
 * the schema migrations.
 *
 * The writer connection (commit thread) runs WAL with synchronous=FULL and
 * foreign keys on; the reader connection (loop thread) opens the same file
 * read-only. Statements are cached per connection, keyed by the address of
 * their SQL string literal, so each is prepared once.
 *
 * The schema is versioned with PRAGMA user_version: migrations[i] takes the
 * database from version i to i+1, all pending ones in one transaction.
 * Blob reference counts are kept by triggers on the tables that point at
 * blobs, so every insert or delete of a segment or part (cascades included)
 * moves the count. */
#include "storage/store_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
    /* v1: buckets, objects, multipart uploads, content-addressed blobs. */
    "CREATE TABLE buckets("
    "  name TEXT PRIMARY KEY,"
    "  owner TEXT NOT NULL,"
    "  region TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE INDEX buckets_by_owner ON buckets(owner, name);"
    "CREATE TABLE blobs("
    "  sha256 TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL,"
    "  refcount INTEGER NOT NULL DEFAULT 0"
    ") WITHOUT ROWID;"
    "CREATE INDEX blobs_unreferenced ON blobs(sha256) WHERE refcount <= 0;"
    "CREATE TABLE objects("
    "  bucket TEXT NOT NULL REFERENCES buckets(name),"
    "  key TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  etag TEXT NOT NULL,"
    "  last_modified_ms INTEGER NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  storage_class TEXT,"
    "  content_type TEXT, content_encoding TEXT, content_disposition TEXT,"
    "  content_language TEXT, cache_control TEXT, expires TEXT,"
    "  user_meta TEXT NOT NULL DEFAULT '{}',"
    "  parts_count INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY(bucket, key)"
    ") WITHOUT ROWID;"
    "CREATE TABLE object_segments("
    "  bucket TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  idx INTEGER NOT NULL,"
    "  blob TEXT NOT NULL REFERENCES blobs(sha256),"
    "  size INTEGER NOT NULL,"
    "  PRIMARY KEY(bucket, key, idx),"
    "  FOREIGN KEY(bucket, key) REFERENCES objects(bucket, key) ON DELETE CASCADE"
    ") WITHOUT ROWID;"
    "CREATE INDEX object_segments_by_blob ON object_segments(blob);"
    "CREATE TABLE uploads("
    "  upload_id TEXT PRIMARY KEY,"
    "  bucket TEXT NOT NULL REFERENCES buckets(name),"
    "  key TEXT NOT NULL,"
    "  initiated_ms INTEGER NOT NULL,"
    "  owner TEXT NOT NULL,"
    "  storage_class TEXT,"
    "  content_type TEXT, content_encoding TEXT, content_disposition TEXT,"
    "  content_language TEXT, cache_control TEXT, expires TEXT,"
    "  user_meta TEXT NOT NULL DEFAULT '{}'"
    ") WITHOUT ROWID;"
    "CREATE INDEX uploads_by_key ON uploads(bucket, key, initiated_ms, upload_id);"
    "CREATE TABLE parts("
    "  upload_id TEXT NOT NULL REFERENCES uploads(upload_id) ON DELETE CASCADE,"
    "  part_number INTEGER NOT NULL,"
    "  etag TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  blob TEXT REFERENCES blobs(sha256),"
    "  last_modified_ms INTEGER NOT NULL,"
    "  PRIMARY KEY(upload_id, part_number)"
    ") WITHOUT ROWID;"
    "CREATE INDEX parts_by_blob ON parts(blob);"
    "CREATE TRIGGER segment_ref AFTER INSERT ON object_segments BEGIN"
    "  UPDATE blobs SET refcount = refcount + 1 WHERE sha256 = NEW.blob; END;"
    "CREATE TRIGGER segment_unref AFTER DELETE ON object_segments BEGIN"
    "  UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = OLD.blob; END;"
    "CREATE TRIGGER part_ref AFTER INSERT ON parts WHEN NEW.blob IS NOT NULL BEGIN"
    "  UPDATE blobs SET refcount = refcount + 1 WHERE sha256 = NEW.blob; END;"
    "CREATE TRIGGER part_unref AFTER DELETE ON parts WHEN OLD.blob IS NOT NULL BEGIN"
    "  UPDATE blobs SET refcount = refcount - 1 WHERE sha256 = OLD.blob; END;",
    /* v2: small blobs live in the database. Their bytes go to blob_data,
     * appended in rowid order (always the last leaf page), while blobs keeps
     * small rows keyed by the random SHA-256, so a write touches few pages.
     * data_id NULL: the blob is the file blobs/ab/cd/<sha256>. */
    "CREATE TABLE blob_data(id INTEGER PRIMARY KEY, data BLOB NOT NULL);"
    "ALTER TABLE blobs ADD COLUMN data_id INTEGER;"
    "CREATE TRIGGER blob_data_drop AFTER DELETE ON blobs WHEN OLD.data_id IS NOT NULL BEGIN"
    "  DELETE FROM blob_data WHERE id = OLD.data_id; END;"
    /* Every index on a random key costs each write a page of its own in
     * the WAL. These two only served foreign-key checks when GC deletes a
     * blob row, and GC deletes only rows no segment or part references. */
    "DROP INDEX object_segments_by_blob;"
    "DROP INDEX parts_by_blob;",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int db_exec(struct db_conn *c, const char *sql)
{
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int exec_reporting(struct db_conn *c, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(err, errlen, "sqlite: %s", msg ? msg : sqlite3_errmsg(c->db));
    sqlite3_free(msg);
    return -1;
}

int db_conn_open(struct db_conn *c, const char *path, bool writer, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    int flags = SQLITE_OPEN_NOMUTEX |
                (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY);
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        db_conn_close(c);
        return -1;
    }
    sqlite3_extended_result_codes(c->db, 1);
    if (sqlite3_busy_timeout(c->db, 5000) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite busy_timeout: %s", sqlite3_errmsg(c->db));
        db_conn_close(c);
        return -1;
    }
    /* Room for the hot pages of the indexes every read and write walks;
     * SQLite's default 2 MiB turns most of them into a pread. */
    if (exec_reporting(c, "PRAGMA cache_size=-32768", err, errlen) != 0) {
        db_conn_close(c);
        return -1;
    }
    if (writer &&
        (exec_reporting(c, "PRAGMA journal_mode=WAL", err, errlen) != 0 ||
         exec_reporting(c, "PRAGMA synchronous=FULL", err, errlen) != 0 ||
         exec_reporting(c, "PRAGMA foreign_keys=ON", err, errlen) != 0 ||
         /* Checkpoint at 64 MiB of WAL rather than 4: the pages every commit
          * rewrites (index roots, the last leaf of blob_data) are then
          * copied back once per 16,384 pages instead of once per 1,000,
          * which measured 3,500 -> 5,700 durable 4 KiB PUTs/s. The
          * checkpoint still runs inside a commit, so the log is rewound. */
         exec_reporting(c, "PRAGMA wal_autocheckpoint=16384", err, errlen) != 0)) {
        db_conn_close(c);
        return -1;
    }
    return 0;
}

void db_conn_close(struct db_conn *c)
{
    for (size_t i = 0; i < c->n_cache; i++)
        sqlite3_finalize(c->cache[i].stmt);
    free(c->cache);
    if (c->db)
        sqlite3_close(c->db);
    memset(c, 0, sizeof(*c));
}

sqlite3_stmt *db_stmt(struct db_conn *c, const char *sql)
{
    for (size_t i = 0; i < c->n_cache; i++) {
        if (c->cache[i].sql == sql) {
            sqlite3_reset(c->cache[i].stmt);
            sqlite3_clear_bindings(c->cache[i].stmt);
            return c->cache[i].stmt;
        }
    }
    if (c->n_cache == c->cap_cache) {
        size_t cap = c->cap_cache ? c->cap_cache * 2 : 32;
        struct db_cached_stmt *grown = realloc(c->cache, cap * sizeof(*grown));
        if (!grown)
            return NULL;
        c->cache = grown;
        c->cap_cache = cap;
    }
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return NULL;
    c->cache[c->n_cache].sql = sql;
    c->cache[c->n_cache].stmt = s;
    c->n_cache++;
    return s;
}

int db_bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    int rc = text ? sqlite3_bind_text(s, idx, text, -1, SQLITE_TRANSIENT)
                  : sqlite3_bind_null(s, idx);
    return rc == SQLITE_OK ? 0 : -1;
}

int db_column_strdup(sqlite3_stmt *s, int col, char **out)
{
    *out = NULL;
    if (sqlite3_column_type(s, col) == SQLITE_NULL)
        return 0;
    const unsigned char *text = sqlite3_column_text(s, col);
    if (!text)
        return -1;
    *out = strdup((const char *)text);
    return *out ? 0 : -1;
}

static int read_user_version(struct db_conn *c, int *version)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? 0 : -1;
}

int db_migrate(struct db_conn *c, char *err, size_t errlen)
{
    if (exec_reporting(c, "BEGIN IMMEDIATE", err, errlen) != 0)
        return -1;
    int version = 0;
    if (read_user_version(c, &version) != 0) {
        snprintf(err, errlen, "sqlite: cannot read user_version: %s", sqlite3_errmsg(c->db));
        goto fail;
    }
    if (version > N_MIGRATIONS) {
        snprintf(err, errlen, "meta.db has schema version %d, newer than this program's %d",
                 version, N_MIGRATIONS);
        goto fail;
    }
    for (int v = version; v < N_MIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v + 1);
        if (exec_reporting(c, migrations[v], err, errlen) != 0 ||
            exec_reporting(c, pragma, err, errlen) != 0)
            goto fail;
    }
    if (exec_reporting(c, "COMMIT", err, errlen) != 0)
        goto fail;
    return 0;
fail:
    db_exec(c, "ROLLBACK");
    return -1;
}
