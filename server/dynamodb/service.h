/* ddb_service: DynamoDB as the server runs it, and the private interface
 * its files share.
 *
 *   server/dynamodb/service.c       the request path: claim, body,
 *                                   authentication, the input shape's
 *                                   checks, the operation's handler from the
 *                                   table (protocol/dynamodb/operations.h);
 *                                   AWS-style answers with x-amz-crc32;
 *                                   writes queued to the group commit
 *   server/dynamodb/catalog.c       the tables the server knows (a cache of
 *                                   their definitions, shared by requests),
 *                                   transitions settled, and the background
 *                                   work run in steps (purges, index
 *                                   backfills, the TTL sweep, the trim of
 *                                   stream records)
 *   server/dynamodb/tables.c        Create/Describe/Update/Delete/ListTables
 *   server/dynamodb/tags.c          Tag/UntagResource, ListTagsOfResource
 *   server/dynamodb/settings.c      time to live, continuous backups,
 *                                   limits, endpoints
 *   server/dynamodb/items.c         Put/Get/Update/DeleteItem
 *   server/dynamodb/query.c         Query, Scan
 *   server/dynamodb/batch.c         BatchGetItem, BatchWriteItem
 *   server/dynamodb/transactions.c  TransactWriteItems, TransactGetItems
 *   server/dynamodb/partiql.c       ExecuteStatement, BatchExecuteStatement,
 *                                   ExecuteTransaction
 *   server/dynamodb/streams.c       DynamoDB Streams: ListStreams,
 *                                   DescribeStream, GetShardIterator,
 *                                   GetRecords, and the streams as other
 *                                   services read them (dynamodb.h)
 *
 * State is in storage/dynamodb/ (ddb_store.h). Reads run on the loop
 * thread's reader connection; writes go through store_submit and are
 * answered once durable. A write checked against a table definition that
 * changed before it was applied comes back stale, and the operation runs
 * again from its handler (ddb_restart). */
#ifndef CLOUDLESS_SERVER_DYNAMODB_SERVICE_H
#define CLOUDLESS_SERVER_DYNAMODB_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/dynamodb/operations.h"
#include "protocol/dynamodb/request.h"
#include "protocol/dynamodb/table.h"
#include "server/core/service.h"
#include "server/dynamodb/dynamodb.h"
#include "storage/dynamodb/ddb_store.h"

struct event;
struct http_req;

#define DDB_ERROR_NS "com.amazonaws.dynamodb.v20120810#"
#define DDB_REGION_MAX 40
/* How long a new or changed table stays CREATING or UPDATING when nobody
 * describes it (a DescribeTable ends the transition at once, so the SDKs'
 * waiters see ACTIVE on their first poll, while a request that comes
 * right after CreateTable sees the table CREATING, as on AWS). */
#define DDB_TRANSITION_MS 500

/* ---- the catalog (catalog.c) --------------------------------------------------- */

/* A table as the server knows it: its stored definition parsed. Shared
 * by the requests that use it (reference counted), replaced, never
 * changed, when the table changes. */
struct ddb_table_ref {
    int refs;
    struct ddb_table_ref *next;    /* the catalog's hash chain */
    bool cached;                   /* still the catalog's entry */
    int64_t id, version;
    char account[13];
    char region[DDB_REGION_MAX];
    char *name;
    char *arn;                     /* arn:aws:dynamodb:<region>:<account>:table/<name> */
    struct arena arena;
    struct ddb_table def;
    bool settle_queued;            /* a job that writes its settled state is queued */
};

struct ddb_catalog;

struct ddb_catalog *ddb_catalog_new(void);
void ddb_catalog_free(struct ddb_catalog *cat);
/* Forgets the table (after a change): the next lookup rereads it. */
void ddb_catalog_forget(struct ddb_service *ds, const char *account, const char *region, const char *name);
void ddb_table_unref(struct ddb_table_ref *t);

struct ddb_service {
    struct server *srv;
    struct ddb_catalog *catalog;
    struct event *work_timer;      /* purges, backfills, TTL sweeps and stream trims, in steps */
    bool work_running;             /* a step is queued */
    bool purges_pending;
    struct ddb_backfill *backfills; /* indexes (and TTL expiries) to fill */
    bool ttl_sweeping;             /* a TTL sweep is under way */
    int64_t ttl_table;             /* it goes on at this table id (or the next one) */
    bool trimming;                 /* a trim of old stream records is under way */
    unsigned ticks;                /* of the periodic work: the trim runs every few */
    void (*stream_listener)(void *arg);  /* stream records may have been appended */
    void *stream_listener_arg;
};

/* ---- one request --------------------------------------------------------------- */

struct ddb_api;

struct ddb_call {
    struct http_req *req;
    struct ddb_service *ds;
    const struct ddb_api *api;     /* DynamoDB's or DynamoDB Streams' table */
    const struct service_op *op;
    size_t op_index;
    struct strbuf body;
    bool too_large;
    bool json_1_0;                 /* answer application/x-amz-json-1.0 (else application/json) */
    char account[13];
    char region[DDB_REGION_MAX];
    const struct json_value *json;
    struct arena arena;        /* the request's values, freed when it ends or restarts */
    int attempts;                  /* runs of the handler (stale restarts) */
    bool wrote;                    /* a write was queued: stream readers may have records */
    struct ddb_table_ref **held;   /* tables the call uses */
    size_t n_held, cap_held;
};

/* The handlers of the tables, one per operation, in their families' files. */
#define DDB_HANDLER_DECLARATION(name, family, action, handler) void handler(struct ddb_call *c);
DDB_OPERATIONS(DDB_HANDLER_DECLARATION)
DDB_STREAMS_OPERATIONS(DDB_HANDLER_DECLARATION)
#undef DDB_HANDLER_DECLARATION

/* ---- answers (service.c) ------------------------------------------------------- */

/* 200 with the JSON in sb (x-amz-crc32 of it); a 500 when sb ran out of memory. */
void ddb_send_json(struct ddb_call *c, struct strbuf *sb);
/* An error: type is the part after "#" for DynamoDB's own errors
 * ("ResourceNotFoundException"), or a whole __type ("com.amazon.coral.
 * validate#ValidationException"). */
void ddb_send_error(struct ddb_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ddb_send_validation(struct ddb_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 500 InternalServerError: the server ran out of memory. */
void ddb_send_no_memory(struct ddb_call *c);
/* One element's reason in a TransactionCanceledException. */
struct ddb_cancel_reason {
    const char *code;             /* "None", "ConditionalCheckFailed", "ValidationError", ... */
    const char *message;          /* NULL: none */
    const struct ddb_value *item; /* the item as it was (ReturnValuesOnConditionCheckFailure), or NULL */
};
/* 400 TransactionCanceledException with one reason per element, in order,
 * and AWS's message listing their codes. */
void ddb_send_transaction_cancelled(struct ddb_call *c, const struct ddb_cancel_reason *reasons, size_t n);
/* A protocol error (SerializationException, ValidationException, memory). */
void ddb_send_ddb_error(struct ddb_call *c, const struct ddb_error *err);
void ddb_send_store_error(struct ddb_call *c, enum ddb_store_err err);
/* "Requested resource not found" (the data plane's wording). */
void ddb_send_not_found(struct ddb_call *c);
/* "Requested resource not found: Table: <name> not found" (the control plane's). */
void ddb_send_table_not_found(struct ddb_call *c, const char *name);
void ddb_send_conditional_failed(struct ddb_call *c, const struct ddb_value *item);
/* The service cannot do it here: 501 in the JSON shape, naming `what`. */
void ddb_send_not_implemented(struct ddb_call *c, const char *what);

/* ---- write transactions (transactions.c) ------------------------------------------ */

/* A write transaction (TransactWriteItems, ExecuteTransaction): its
 * prepared writes go to the group commit as one job, all committed or none.
 * A ClientRequestToken (ddb_transaction_set_token) makes a repeat of the
 * same request within ten minutes a no-op and another request under it
 * IdempotentParameterMismatchException. The store's errors and a stale or
 * missing table are answered here; otherwise committed(t) answers (also
 * for a repeat), or cancelled(t) when a condition or check failed and
 * nothing was written. Lives in the call's arena. */
struct ddb_transaction {
    struct ddb_call *call;
    struct ddb_write *writes;
    size_t n;
    void (*committed)(struct ddb_transaction *t);
    void (*cancelled)(struct ddb_transaction *t);
    void *arg;                     /* the caller's: its elements or statements */
    const char *token;             /* NULL: none */
    unsigned char digest[32];      /* of the request the token names */
    bool written;                  /* this request committed the writes (not a repeat) */
    enum ddb_token_state token_state;
    enum ddb_store_err err;
};
/* The token and the digest of the request (its TransactItems or
 * TransactStatements) it stands for; false when out of memory. */
bool ddb_transaction_set_token(struct ddb_transaction *t, const char *token, const struct json_value *request);
void ddb_transaction_commit(struct ddb_transaction *t);

/* ---- tables (catalog.c) ---------------------------------------------------------- */

/* The table `name` of the call's account and region, held by the call
 * until it ends; DDB_STORE_NOT_FOUND when there is none. */
enum ddb_store_err ddb_find_table(struct ddb_call *c, const char *name, struct ddb_table_ref **out);
/* The table's definition as it is now (a transition ends by its time, or
 * at once when described): a copy in the call's arena when it differs
 * from the stored one, whose settled state is then written (once). */
const struct ddb_table *ddb_table_now(struct ddb_call *c, struct ddb_table_ref *t, bool described);
/* The table for a data-plane operation: answers ResourceNotFound when it
 * does not exist or is still CREATING. */
bool ddb_data_table(struct ddb_call *c, const char *name, struct ddb_table_ref **ref, const struct ddb_table **def);
/* Item count and bytes of the table and its indexes into stats (arrays
 * in the call's arena). */
void ddb_table_stats_of(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def,
                        struct ddb_table_stats *stats);
/* Writes a changed definition of table t (UpdateTable, tags, time to
 * live, backups) with the storage work it brings; answer(c, t, def) runs
 * once it is durable. A table changed in between runs the request
 * again; a table gone is ResourceNotFound. (tables.c) */
void ddb_change_table(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def,
                      const struct ddb_table_storage_change *change,
                      void (*answer)(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def));
/* Work that follows a table change: an index backfill begun, a purge. */
void ddb_work_backfill(struct ddb_service *ds, int64_t table_id, int number);
void ddb_work_purge(struct ddb_service *ds);
/* Tells the stream listener (Lambda's stream mappings) that records may
 * have been appended. */
void ddb_streams_changed(struct ddb_service *ds);

/* ---- writes and reads (service.c) -------------------------------------------------- */

struct store_conn *ddb_reader(struct ddb_call *c);
int64_t ddb_now_ms(void);
/* Queues apply on the commit thread; done(arg, ok) runs on the loop once
 * it is durable (ok false: it could not be). A queueing failure answers
 * the call (503) and returns false; done will not run then. */
bool ddb_submit(struct ddb_call *c, int (*apply)(struct store_conn *writer, void *arg), void (*done)(void *arg, bool ok),
                void *arg);
/* Runs the operation again (its write found the table changed): the
 * call's arena and tables are released first. */
void ddb_restart(struct ddb_call *c);

/* ---- shared answers' parts ------------------------------------------------------- */

enum ddb_return_capacity { DDB_CAPACITY_NONE, DDB_CAPACITY_TOTAL, DDB_CAPACITY_INDEXES };
enum ddb_return_capacity ddb_return_capacity(const struct json_value *req);
/* A number of capacity units as AWS writes it (1, 0.5). */
void ddb_jw_units(struct json_writer *w, const char *key, double units);
/* "ConsumedCapacity": {TableName, CapacityUnits[, Table: {CapacityUnits}]}
 * (member key, or an array element when key is NULL). */
void ddb_jw_capacity(struct json_writer *w, const char *key, enum ddb_return_capacity mode, const char *table,
                     double units);
/* The capacity writes to one table consumed: the table's write units and
 * each index's (storage/dynamodb's index_units), times factor (2 in a
 * transaction). */
struct ddb_write_capacity {
    double table;
    double *indexes;               /* per def->indexes (NULL: none) */
    const struct ddb_table *def;
};
/* Adds w to cap (cap zeroed at first; false when out of memory). */
bool ddb_capacity_add_write(struct ddb_call *c, struct ddb_write_capacity *cap, const struct ddb_write *w,
                            double factor);
/* ConsumedCapacity of those writes: TOTAL the sum, INDEXES also Table and
 * the indexes written, under GlobalSecondaryIndexes / LocalSecondaryIndexes. */
void ddb_jw_write_capacity(struct json_writer *w, const char *key, enum ddb_return_capacity mode, const char *table,
                           const struct ddb_write_capacity *cap);
/* The same for one write. */
void ddb_jw_one_write_capacity(struct ddb_call *c, struct json_writer *w, const char *table,
                               const struct ddb_write *write);
/* "ItemCollectionMetrics" of a write to a table with local indexes:
 * ItemCollectionKey and SizeEstimateRangeGB. */
void ddb_jw_collection_metrics(struct json_writer *w, const char *key, struct ddb_call *c,
                               const struct ddb_table_ref *t, const struct ddb_table *def,
                               const struct ddb_value *item);
/* Whether ReturnItemCollectionMetrics asks for SIZE and the table has local indexes. */
bool ddb_wants_collection_metrics(const struct json_value *req, const struct ddb_table *def);

/* ---- pages of items (query.c) --------------------------------------------------------- */

/* One Query/Scan page (or a PartiQL SELECT's): what to read and how to
 * answer each item, and what the reading found. */
struct ddb_page {
    struct ddb_table_ref *ref;
    const struct ddb_table *def;
    const struct ddb_index *index;     /* NULL: the table */
    bool fetch_from_table;             /* a local index's items read from the table */
    struct ddb_range range;
    int64_t limit;                     /* items read at most (0: none) */
    bool consistent;
    bool count_only;                   /* Select COUNT: no items written */
    const struct ddb_condition *filter;
    const struct ddb_path *paths;      /* NULL: whole items */
    size_t n_paths;
    bool leaf_names;                   /* PartiQL: projected values under their last name */
    /* found */
    int64_t count, scanned;
    int64_t table_bytes, index_bytes;
    bool cut;                          /* the page stopped early: last_key says where */
    struct ddb_value last_key;
};
/* Reads the page, writing its items as elements of w's open array. */
enum ddb_store_err ddb_read_page(struct ddb_call *c, struct ddb_page *page, struct json_writer *w);
/* "ConsumedCapacity" of a page (table and index units with INDEXES). */
void ddb_jw_page_capacity(struct ddb_call *c, struct json_writer *w, const struct ddb_page *page,
                          const char *index_name);

/* ---- what the item families share (items.c) ---------------------------------------- */

struct ddb_item_request;
/* The storage write of an item request (PUT, UPDATE, DELETE, CHECK) on
 * a table; false when out of memory. */
bool ddb_prepare_write(struct ddb_call *c, const struct ddb_item_request *r, struct ddb_table_ref *ref,
                       const struct ddb_table *def, struct ddb_write *w);
/* Write units of a done write (the larger of old and new, at least 1). */
double ddb_write_units(const struct ddb_write *w);
/* The answer to a write that was not done: not found, invalid, condition
 * failed (with the old item when return_old), or a restart when stale. */
void ddb_answer_write_failure(struct ddb_call *c, const struct ddb_write *w, bool return_old);
/* A stored item as member `key` (or an element), projected when
 * projection is non-NULL. false when it cannot be parsed. */
bool ddb_jw_stored_item(struct ddb_call *c, struct json_writer *w, const char *key, const struct ddb_stored_item *item,
                        const struct ddb_projection *projection);

#endif
