/* transactions: groups of item changes made all together or not at all
 * (TransactWriteItems, ExecuteTransaction), and the ClientRequestTokens
 * that make a repeated request a no-op for ten minutes.
 *
 * Every change is prepared first (storage/dynamodb/items.c: conditions
 * and updates judged against the items as they are before any of the
 * group is written); only when every one may go are they committed, in
 * the caller's savepoint, so a cancelled transaction writes nothing. */
#include "storage/dynamodb/ddb_internal.h"

#include <string.h>

static enum ddb_store_err token_lookup(struct store_conn *writer, const char *account, const char *region,
                                       const char *token, const unsigned char digest[32], int64_t now_ms,
                                       enum ddb_token_state *state)
{
    sqlite3_stmt *s = db_stmt(writer, "DELETE FROM ddb_tx_tokens WHERE created_ms < ?1");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_int64(s, 1, now_ms - DDB_TOKEN_TTL_MS);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return DDB_STORE_STORAGE;
    s = db_stmt(writer, "SELECT digest FROM ddb_tx_tokens WHERE account = ?1 AND region = ?2 AND token = ?3");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, token, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    *state = DDB_TOKEN_NEW;
    if (rc == SQLITE_ROW) {
        const void *seen = sqlite3_column_blob(s, 0);
        bool same = seen && sqlite3_column_bytes(s, 0) == 32 && memcmp(seen, digest, 32) == 0;
        *state = same ? DDB_TOKEN_SAME : DDB_TOKEN_MISMATCH;
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

static enum ddb_store_err token_record(struct store_conn *writer, const char *account, const char *region,
                                       const char *token, const unsigned char digest[32], int64_t now_ms)
{
    sqlite3_stmt *s = db_stmt(writer, "INSERT OR REPLACE INTO ddb_tx_tokens(account, region, token, digest, created_ms)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!s)
        return DDB_STORE_STORAGE;
    sqlite3_bind_text(s, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, token, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, digest, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, now_ms);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? DDB_STORE_OK : DDB_STORE_STORAGE;
}

enum ddb_store_err ddb_transact(struct store_conn *writer, struct arena *a, struct ddb_write *writes, size_t n,
                                const char *account, const char *region, const char *token,
                                const unsigned char digest[32], int64_t now_ms, enum ddb_token_state *token_state,
                                bool *committed)
{
    *committed = false;
    *token_state = DDB_TOKEN_NEW;
    enum ddb_store_err e = DDB_STORE_OK;
    if (token) {
        e = token_lookup(writer, account, region, token, digest, now_ms, token_state);
        if (e != DDB_STORE_OK || *token_state != DDB_TOKEN_NEW)
            return e;
    }
    bool all_done = true;
    for (size_t i = 0; i < n && e == DDB_STORE_OK; i++) {
        e = ddb_item_prepare(writer, a, &writes[i], now_ms);
        all_done &= writes[i].outcome == DDB_WRITE_DONE;
    }
    if (e != DDB_STORE_OK || !all_done)
        return e;
    for (size_t i = 0; i < n && e == DDB_STORE_OK; i++)
        e = ddb_item_commit(writer, a, &writes[i], now_ms);
    if (e == DDB_STORE_OK && token)
        e = token_record(writer, account, region, token, digest, now_ms);
    *committed = e == DDB_STORE_OK;
    return e;
}
