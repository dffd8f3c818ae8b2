/* persist: writes the SQS engine's change records to SQLite and reads them
 * back at start-up. See persist.h.
 *
 * One statement per kind of change, prepared once on the writer connection.
 * A queue's attributes and tags are packed as "key\0value\0..." blobs
 * (neither can contain NUL). Messages are keyed by the engine's seq, so a
 * message moved to another queue (redrive, move task) is the same row with
 * a new queue_id. */
#include "storage/sqs/persist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/strbuf.h"
#include "storage/core/store_internal.h"

enum persist_stmt {
    PUT_QUEUE,
    DELETE_QUEUE_MESSAGES,
    DELETE_QUEUE,
    PURGE_QUEUE,
    PUT_MESSAGE,
    MESSAGE_STATE,
    DELETE_MESSAGE,
    PERSIST_STMT_COUNT
};

static const char *const stmt_sql[PERSIST_STMT_COUNT] = {
    [PUT_QUEUE] = "INSERT OR REPLACE INTO sqs_queues(id, account, name, created_ms, modified_ms,"
                  " last_purge_ms, attrs, tags) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [DELETE_QUEUE_MESSAGES] = "DELETE FROM sqs_messages WHERE queue_id = ?1",
    [DELETE_QUEUE] = "DELETE FROM sqs_queues WHERE id = ?1",
    [PURGE_QUEUE] = "DELETE FROM sqs_messages WHERE queue_id = ?1 AND seq <= ?2",
    [PUT_MESSAGE] = "INSERT OR REPLACE INTO sqs_messages(seq, queue_id, message_id, sequence_number,"
                    " body, attrs, group_id, dedup_id, sender_id, trace_header, dlq_source_arn,"
                    " sent_ms, first_receive_ms, visible_at_ms, receive_count, receipt_nonce)"
                    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    [MESSAGE_STATE] = "UPDATE sqs_messages SET visible_at_ms = ?2, first_receive_ms = ?3,"
                      " receive_count = ?4, receipt_nonce = ?5 WHERE seq = ?1",
    [DELETE_MESSAGE] = "DELETE FROM sqs_messages WHERE seq = ?1",
};

static sqlite3_stmt *stmt_for(struct store_conn *c, enum persist_stmt which)
{
    return db_stmt(c, stmt_sql[which]);
}

/* "k\0v\0k\0v\0" */
static int pack_kv(const struct sqs_kv *kv, size_t n, struct strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        strbuf_append(out, kv[i].key, strlen(kv[i].key) + 1);
        strbuf_append(out, kv[i].value, strlen(kv[i].value) + 1);
    }
    return strbuf_failed(out) ? -1 : 0;
}

static int bind_text(sqlite3_stmt *s, int idx, const char *text)
{
    return (text ? sqlite3_bind_text(s, idx, text, -1, SQLITE_STATIC) : sqlite3_bind_null(s, idx)) ==
                   SQLITE_OK ? 0 : -1;
}

static int bind_blob(sqlite3_stmt *s, int idx, const void *data, size_t len)
{
    return sqlite3_bind_blob64(s, idx, len ? data : "", len, SQLITE_STATIC) == SQLITE_OK ? 0 : -1;
}

static int run(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int put_queue(struct store_conn *c, const struct sqs_queue_record *q)
{
    sqlite3_stmt *s = stmt_for(c, PUT_QUEUE);
    if (!s)
        return -1;
    struct strbuf attrs, tags;
    strbuf_init(&attrs);
    strbuf_init(&tags);
    int rc = -1;
    if (pack_kv(q->attrs, q->n_attrs, &attrs) == 0 && pack_kv(q->tags, q->n_tags, &tags) == 0 &&
        sqlite3_bind_int64(s, 1, (sqlite3_int64)q->id) == SQLITE_OK &&
        bind_text(s, 2, q->account) == 0 && bind_text(s, 3, q->name) == 0 &&
        sqlite3_bind_int64(s, 4, q->created_ms) == SQLITE_OK &&
        sqlite3_bind_int64(s, 5, q->modified_ms) == SQLITE_OK &&
        sqlite3_bind_int64(s, 6, q->last_purge_ms) == SQLITE_OK &&
        bind_blob(s, 7, attrs.data, attrs.len) == 0 && bind_blob(s, 8, tags.data, tags.len) == 0)
        rc = run(s);
    sqlite3_clear_bindings(s);
    strbuf_free(&attrs);
    strbuf_free(&tags);
    return rc;
}

static int put_message(struct store_conn *c, const struct sqs_message_record *m)
{
    sqlite3_stmt *s = stmt_for(c, PUT_MESSAGE);
    if (!s)
        return -1;
    if (sqlite3_bind_int64(s, 1, (sqlite3_int64)m->seq) != SQLITE_OK ||
        sqlite3_bind_int64(s, 2, (sqlite3_int64)m->queue_id) != SQLITE_OK ||
        bind_text(s, 3, m->message_id) != 0 || bind_text(s, 4, m->sequence_number) != 0 ||
        bind_blob(s, 5, m->body, m->body_len) != 0 ||
        (m->attrs_len ? bind_blob(s, 6, m->attrs, m->attrs_len) : bind_text(s, 6, NULL)) != 0 ||
        bind_text(s, 7, m->group_id) != 0 || bind_text(s, 8, m->dedup_id) != 0 ||
        bind_text(s, 9, m->sender_id) != 0 || bind_text(s, 10, m->trace_header) != 0 ||
        bind_text(s, 11, m->dlq_source_arn) != 0 ||
        sqlite3_bind_int64(s, 12, m->sent_ms) != SQLITE_OK ||
        sqlite3_bind_int64(s, 13, m->first_receive_ms) != SQLITE_OK ||
        sqlite3_bind_int64(s, 14, m->visible_at_ms) != SQLITE_OK ||
        sqlite3_bind_int64(s, 15, m->receive_count) != SQLITE_OK ||
        sqlite3_bind_int64(s, 16, (sqlite3_int64)m->receipt_nonce) != SQLITE_OK) {
        sqlite3_clear_bindings(s);
        return -1;
    }
    int rc = run(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* Runs a statement whose parameters are all integers. */
static int run_ints(struct store_conn *c, enum persist_stmt which,
                    const int64_t *args, int n)
{
    sqlite3_stmt *s = stmt_for(c, which);
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (sqlite3_bind_int64(s, i + 1, args[i]) != SQLITE_OK)
            return -1;
    return run(s);
}

static int apply_one(struct store_conn *conn, const struct sqs_change *c)
{
    switch (c->kind) {
    case SQS_CHANGE_QUEUE_PUT:
        return c->queue ? put_queue(conn, c->queue) : -1;
    case SQS_CHANGE_QUEUE_DELETE: {
        int64_t id = (int64_t)c->queue_id;
        return run_ints(conn, DELETE_QUEUE_MESSAGES, &id, 1) == 0 &&
                       run_ints(conn, DELETE_QUEUE, &id, 1) == 0 ? 0 : -1;
    }
    case SQS_CHANGE_QUEUE_PURGE: {
        int64_t args[2] = {(int64_t)c->queue_id, (int64_t)c->seq};
        return run_ints(conn, PURGE_QUEUE, args, 2);
    }
    case SQS_CHANGE_MESSAGE_PUT:
        return c->message ? put_message(conn, c->message) : -1;
    case SQS_CHANGE_MESSAGE_STATE: {
        int64_t args[5] = {(int64_t)c->seq, c->visible_at_ms, c->first_receive_ms,
                           (int64_t)c->receive_count, (int64_t)c->receipt_nonce};
        return run_ints(conn, MESSAGE_STATE, args, 5);
    }
    case SQS_CHANGE_MESSAGE_DELETE: {
        int64_t seq = (int64_t)c->seq;
        return run_ints(conn, DELETE_MESSAGE, &seq, 1);
    }
    }
    return -1;
}

int sqs_persist_apply(struct store_conn *c, const struct sqs_changes *changes)
{
    if (changes->oom)
        return -1;
    for (size_t i = 0; i < changes->n; i++)
        if (apply_one(c, &changes->items[i]) != 0)
            return -1;
    return 0;
}

/* ---- start-up ------------------------------------------------------------ */

static void free_kv(struct sqs_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

/* Unpacks a "k\0v\0" blob; -1 on a malformed blob or no memory. */
static int unpack_kv(const char *blob, size_t len, struct sqs_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += blob[i] == '\0';
    if (count % 2 || (len && blob[len - 1] != '\0'))
        return -1;
    if (!count)
        return 0;
    struct sqs_kv *kv = calloc(count / 2, sizeof(*kv));
    if (!kv)
        return -1;
    size_t pos = 0;
    for (size_t i = 0; i < count / 2; i++) {
        kv[i].key = strdup(blob + pos);
        pos += strlen(blob + pos) + 1;
        kv[i].value = strdup(blob + pos);
        pos += strlen(blob + pos) + 1;
        if (!kv[i].key || !kv[i].value) {
            free_kv(kv, i + 1);
            return -1;
        }
    }
    *out = kv;
    *n = count / 2;
    return 0;
}

static const char *column_text(sqlite3_stmt *s, int col)
{
    return sqlite3_column_type(s, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(s, col);
}

static int load_queues(struct store_conn *c, struct sqs_engine *e, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT id, account, name, created_ms, modified_ms, last_purge_ms,"
                               " attrs, tags FROM sqs_queues ORDER BY id", -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading SQS queues: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    int rc, status = 0;
    while (status == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sqs_queue_record rec = {
            .id = (uint64_t)sqlite3_column_int64(s, 0),
            .account = (char *)column_text(s, 1),
            .name = (char *)column_text(s, 2),
            .created_ms = sqlite3_column_int64(s, 3),
            .modified_ms = sqlite3_column_int64(s, 4),
            .last_purge_ms = sqlite3_column_int64(s, 5),
        };
        if (unpack_kv(sqlite3_column_blob(s, 6), (size_t)sqlite3_column_bytes(s, 6), &rec.attrs,
                      &rec.n_attrs) != 0 ||
            unpack_kv(sqlite3_column_blob(s, 7), (size_t)sqlite3_column_bytes(s, 7), &rec.tags,
                      &rec.n_tags) != 0) {
            snprintf(err, errlen, "SQS queue %s: unreadable attributes", rec.name ? rec.name : "?");
            status = -1;
        } else {
            struct sqs_error qerr;
            if (sqs_engine_load_queue(e, &rec, &qerr) != SQS_OK) {
                snprintf(err, errlen, "SQS queue %s: %s", rec.name ? rec.name : "?", qerr.message);
                status = -1;
            }
        }
        free_kv(rec.attrs, rec.n_attrs);
        free_kv(rec.tags, rec.n_tags);
    }
    if (status == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "reading SQS queues: %s", sqlite3_errmsg(c->db));
        status = -1;
    }
    sqlite3_finalize(s);
    return status;
}

static int load_messages(struct store_conn *c, struct sqs_engine *e, int64_t now_ms, size_t *loaded,
                         char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(c->db, "SELECT seq, queue_id, message_id, sequence_number, body, attrs,"
                               " group_id, dedup_id, sender_id, trace_header, dlq_source_arn,"
                               " sent_ms, first_receive_ms, visible_at_ms, receive_count,"
                               " receipt_nonce FROM sqs_messages ORDER BY seq", -1, &s, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "reading SQS messages: %s", sqlite3_errmsg(c->db));
        return -1;
    }
    int rc, status = 0;
    *loaded = 0;
    while (status == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct sqs_message_record rec = {
            .seq = (uint64_t)sqlite3_column_int64(s, 0),
            .queue_id = (uint64_t)sqlite3_column_int64(s, 1),
            .body = (char *)sqlite3_column_blob(s, 4),
            .body_len = (size_t)sqlite3_column_bytes(s, 4),
            .attrs = (unsigned char *)sqlite3_column_blob(s, 5),
            .attrs_len = (size_t)sqlite3_column_bytes(s, 5),
            .group_id = (char *)column_text(s, 6),
            .dedup_id = (char *)column_text(s, 7),
            .sender_id = (char *)column_text(s, 8),
            .trace_header = (char *)column_text(s, 9),
            .dlq_source_arn = (char *)column_text(s, 10),
            .sent_ms = sqlite3_column_int64(s, 11),
            .first_receive_ms = sqlite3_column_int64(s, 12),
            .visible_at_ms = sqlite3_column_int64(s, 13),
            .receive_count = (uint32_t)sqlite3_column_int64(s, 14),
            .receipt_nonce = (uint64_t)sqlite3_column_int64(s, 15),
        };
        const char *mid = column_text(s, 2), *seqno = column_text(s, 3);
        snprintf(rec.message_id, sizeof(rec.message_id), "%s", mid ? mid : "");
        snprintf(rec.sequence_number, sizeof(rec.sequence_number), "%s", seqno ? seqno : "");
        if (!rec.body)
            rec.body = "";
        struct sqs_error merr;
        if (sqs_engine_load_message(e, &rec, now_ms, &merr) != SQS_OK) {
            snprintf(err, errlen, "SQS message %s: %s", rec.message_id, merr.message);
            status = -1;
        } else {
            (*loaded)++;
        }
    }
    if (status == 0 && rc != SQLITE_DONE) {
        snprintf(err, errlen, "reading SQS messages: %s", sqlite3_errmsg(c->db));
        status = -1;
    }
    sqlite3_finalize(s);
    return status;
}

int sqs_persist_load(struct store_conn *c, struct sqs_engine *e, int64_t now_ms, size_t *loaded,
                     char *err, size_t errlen)
{
    *loaded = 0;
    if (load_queues(c, e, err, errlen) != 0)
        return -1;
    return load_messages(c, e, now_ms, loaded, err, errlen);
}
