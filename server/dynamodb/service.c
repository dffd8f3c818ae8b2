/* service: the request path of Amazon DynamoDB — JSON 1.0 (X-Amz-Target
 * DynamoDB_20120810.<Operation>) — and of Amazon DynamoDB Streams
 * (DynamoDBStreams_20120810.<Operation>), from claim to answer. The two
 * are two services to AWS (two tables of operations, two service_defs,
 * two endpoints) but one signing name and one store, so they share it.
 *
 * A request is claimed by its target, or by a Host naming the service's
 * endpoint (dynamodb.<region>.amazonaws.com, streams.dynamodb.<region>.
 * amazonaws.com: a client whose AWS endpoint resolves here), which then
 * gets AWS's answers to anything else: its health check for a GET, CORS
 * for OPTIONS, UnknownOperationException.
 * The body (at most 16 MiB, AWS's limit) is read, parsed (not JSON:
 * SerializationException), the operation found (one AWS has that is not
 * in the table: NotImplemented; one AWS has not:
 * UnknownOperationException), the signature checked with AWS's own
 * messages, the request checked against the operation's input shape
 * (protocol/dynamodb/request.h), authorized on the tables it names
 * (server/core/authorize.h), and the handler runs. Every answer
 * carries x-amzn-RequestId and the x-amz-crc32 the SDKs verify. */
#include "server/dynamodb/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/auth/checksum.h"
#include "protocol/dynamodb/value_json.h"
#include "server/core/auth.h"
#include "server/core/authorize.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

#define BODY_MAX (16 * 1024 * 1024)
/* A request's values may use this much memory (the body's JSON tree
 * comes on top): a 16 MiB BatchWriteItem fits with room to spare. */
#define CALL_ARENA_MAX (64 * 1024 * 1024)
/* Runs of a handler whose writes keep finding the table changed. */
#define MAX_ATTEMPTS 8
#define CORAL "com.amazon.coral.service#"

/* Operations of DynamoDB's API that cloudless does not serve (501). Any
 * other name is no operation at all (UnknownOperationException). */
static const char *const unserved_operations[] = {
    "CreateBackup", "CreateGlobalTable", "DeleteBackup", "DeleteResourcePolicy", "DescribeBackup",
    "DescribeContributorInsights", "DescribeExport", "DescribeGlobalTable", "DescribeGlobalTableSettings",
    "DescribeImport", "DescribeKinesisStreamingDestination", "DescribeTableReplicaAutoScaling",
    "DisableKinesisStreamingDestination", "EnableKinesisStreamingDestination", "ExportTableToPointInTime",
    "GetResourcePolicy", "ImportTable", "ListBackups", "ListContributorInsights", "ListExports", "ListGlobalTables",
    "ListImports", "PutResourcePolicy", "RestoreTableFromBackup", "RestoreTableToPointInTime",
    "UpdateContributorInsights", "UpdateGlobalTable", "UpdateGlobalTableSettings", "UpdateKinesisStreamingDestination",
    "UpdateTableReplicaAutoScaling",
};

/* ---- answers ------------------------------------------------------------------ */

/* AWS's request ids for DynamoDB: 52 characters of [0-9A-Z]. */
static void request_id_header(struct http_req *req)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    char id[53];
    uint64_t x = 0;
    for (size_t i = 0; i < 16 && req->request_id[i]; i++)
        x = x * 31 + (unsigned char)req->request_id[i];
    for (size_t i = 0; i < 52; i++) {
        if (i < 16 && req->request_id[i]) {
            id[i] = req->request_id[i];
            continue;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        id[i] = alphabet[x % 36];
    }
    id[52] = '\0';
    http_resp_header(req, "x-amzn-RequestId", id);
    if (http_req_header(req, "origin"))
        http_resp_header(req, "Access-Control-Allow-Origin", "*");
}

static void send_body(struct http_req *req, int status, const char *type, const char *body, size_t len)
{
    struct checksum_ctx ctx;
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    uint32_t crc = 0;
    if (checksum_init(&ctx, CHECKSUM_CRC32) == 0) {
        checksum_update(&ctx, body, len);
        checksum_final(&ctx, digest);
        crc = (uint32_t)digest[0] << 24 | (uint32_t)digest[1] << 16 | (uint32_t)digest[2] << 8 | digest[3];
    }
    request_id_header(req);
    http_resp_headerf(req, "x-amz-crc32", "%u", crc);
    http_resp_send(req, status, type, body, len);
}

static const char *content_type(const struct ddb_call *c)
{
    return c->json_1_0 ? "application/x-amz-json-1.0" : "application/json";
}

void ddb_send_json(struct ddb_call *c, struct strbuf *sb)
{
    if (strbuf_failed(sb)) {
        ddb_send_no_memory(c);
        return;
    }
    send_body(c->req, 200, content_type(c), sb->data ? sb->data : "{}", sb->data ? sb->len : 2);
}

static void send_error_text(struct http_req *req, const char *ctype, int status, const char *type, const char *msg)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    bool whole = strchr(type, '#') != NULL;
    struct strbuf full;
    strbuf_init(&full);
    strbuf_printf(&full, "%s%s", whole ? "" : DDB_ERROR_NS, type);
    jw_string(&w, "__type", full.data ? full.data : type);
    /* Coral's own exceptions (SerializationException, AccessDenied...) say
     * "Message"; validation and DynamoDB's say "message". */
    if (msg) {
        bool coral = strncmp(type, CORAL, strlen(CORAL)) == 0 && strstr(type, "Authentication") == NULL &&
                     strstr(type, "Signature") == NULL && strstr(type, "UnrecognizedClient") == NULL;
        jw_string(&w, coral ? "Message" : "message", msg);
    }
    jw_object_close(&w);
    if (strbuf_failed(&sb) || strbuf_failed(&full))
        http_resp_send(req, 500, NULL, NULL, 0);
    else
        send_body(req, status, ctype, sb.data, sb.len);
    strbuf_free(&full);
    strbuf_free(&sb);
}

void ddb_send_error(struct ddb_call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[DDB_ERROR_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_error_text(c->req, content_type(c), status, type, msg);
}

void ddb_send_no_memory(struct ddb_call *c)
{
    ddb_send_error(c, 500, "InternalServerError", "The server ran out of memory.");
}

void ddb_send_transaction_cancelled(struct ddb_call *c, const struct ddb_cancel_reason *reasons, size_t n)
{
    struct strbuf sb, message;
    strbuf_init(&sb);
    strbuf_init(&message);
    strbuf_puts(&message, "Transaction cancelled, please refer cancellation reasons for specific reasons [");
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "__type", DDB_ERROR_NS "TransactionCanceledException");
    jw_array_open(&w, "CancellationReasons");
    for (size_t i = 0; i < n; i++) {
        jw_object_open(&w, NULL);
        if (reasons[i].item)
            ddb_jw_map(&w, "Item", reasons[i].item);
        jw_string(&w, "Code", reasons[i].code);
        jw_string_opt(&w, "Message", reasons[i].message);
        jw_object_close(&w);
        strbuf_puts(&message, i ? ", " : "");
        strbuf_puts(&message, reasons[i].code);
    }
    jw_array_close(&w);
    strbuf_puts(&message, "]");
    jw_string(&w, "Message", message.data ? message.data : "");
    jw_object_close(&w);
    if (strbuf_failed(&sb) || strbuf_failed(&message))
        ddb_send_no_memory(c);
    else
        send_body(c->req, 400, content_type(c), sb.data, sb.len);
    strbuf_free(&message);
    strbuf_free(&sb);
}

void ddb_send_validation(struct ddb_call *c, const char *fmt, ...)
{
    char msg[DDB_ERROR_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    send_error_text(c->req, content_type(c), 400, "com.amazon.coral.validate#ValidationException", msg);
}

void ddb_send_ddb_error(struct ddb_call *c, const struct ddb_error *err)
{
    if (err->type == DDB_ERR_NOMEM) {
        ddb_send_error(c, 500, "InternalServerError", "The request needs more memory than the server gives it.");
        return;
    }
    send_error_text(c->req, content_type(c), 400, ddb_error_aws_type(err), err->message);
}

void ddb_send_store_error(struct ddb_call *c, enum ddb_store_err err)
{
    switch (err) {
    case DDB_STORE_NOT_FOUND: ddb_send_not_found(c); break;
    case DDB_STORE_NOMEM:
        ddb_send_no_memory(c);
        break;
    default:
        log_error("dynamodb: the store failed (%d) on %s", (int)err, c->op ? c->op->name : "?");
        ddb_send_error(c, 500, "InternalServerError", "The table store could not be read or written.");
        break;
    }
}

void ddb_send_not_found(struct ddb_call *c)
{
    ddb_send_error(c, 400, "ResourceNotFoundException", "Requested resource not found");
}

void ddb_send_table_not_found(struct ddb_call *c, const char *name)
{
    ddb_send_error(c, 400, "ResourceNotFoundException", "Requested resource not found: Table: %s not found", name);
}

void ddb_send_conditional_failed(struct ddb_call *c, const struct ddb_value *item)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "__type", DDB_ERROR_NS "ConditionalCheckFailedException");
    jw_string(&w, "message", "The conditional request failed");
    if (item)
        ddb_jw_map(&w, "Item", item);
    jw_object_close(&w);
    if (strbuf_failed(&sb))
        http_resp_send(c->req, 500, NULL, NULL, 0);
    else
        send_body(c->req, 400, content_type(c), sb.data, sb.len);
    strbuf_free(&sb);
}

void ddb_send_not_implemented(struct ddb_call *c, const char *what)
{
    log_info("not implemented: dynamodb %s", what);
    ddb_send_error(c, 501, "com.amazon.coral.service#NotImplemented",
                   "cloudless does not implement the Amazon DynamoDB feature %s yet.", what);
}

/* ---- writes, reads, restarts ----------------------------------------------------- */

struct store_conn *ddb_reader(struct ddb_call *c)
{
    return store_reader(c->ds->srv->store);
}

int64_t ddb_now_ms(void)
{
    return clock_now_ms();
}

bool ddb_submit(struct ddb_call *c, int (*apply)(struct store_conn *writer, void *arg), void (*done)(void *arg, bool ok),
                void *arg)
{
    if (store_submit(c->ds->srv->store, apply, done, arg) == 0) {
        c->wrote = true;
        return true;
    }
    ddb_send_error(c, 503, "com.amazon.coral.availability#ThrottlingException", "The service is shutting down.");
    return false;
}

static void release_tables(struct ddb_call *c)
{
    for (size_t i = 0; i < c->n_held; i++)
        ddb_table_unref(c->held[i]);
    c->n_held = 0;
}

/* What the request path needs of each API: its service, its target's
 * prefix, and per operation of its table the handler and input shape. */
struct ddb_api {
    const struct service_def *def;
    const char *target_prefix;
    void (*const *handlers)(struct ddb_call *);
    const struct ddb_shape *const *inputs;
    const char *const *unserved;   /* AWS's operations not served (501) */
    size_t n_unserved;
};

#define DDB_HANDLER(name, family, action, handler) handler,
#define DDB_OP(name, family, action, handler) {#name, #family, action},
#define DDB_INPUT(name, family, action, handler) &ddb_input_##name,
static void (*const handlers[])(struct ddb_call *) = {DDB_OPERATIONS(DDB_HANDLER)};
static const struct service_op ops[] = {DDB_OPERATIONS(DDB_OP)};
static const struct ddb_shape *const inputs[] = {DDB_OPERATIONS(DDB_INPUT)};
static void (*const streams_handlers[])(struct ddb_call *) = {DDB_STREAMS_OPERATIONS(DDB_HANDLER)};
static const struct service_op streams_ops[] = {DDB_STREAMS_OPERATIONS(DDB_OP)};
static const struct ddb_shape *const streams_inputs[] = {DDB_STREAMS_OPERATIONS(DDB_INPUT)};

static const struct ddb_api dynamodb_api = {
    .def = &ddb_service_def,
    .target_prefix = DDB_TARGET_PREFIX,
    .handlers = handlers,
    .inputs = inputs,
    .unserved = unserved_operations,
    .n_unserved = sizeof(unserved_operations) / sizeof(unserved_operations[0]),
};
static const struct ddb_api streams_api = {
    .def = &ddb_streams_service_def,
    .target_prefix = DDB_STREAMS_TARGET_PREFIX,
    .handlers = streams_handlers,
    .inputs = streams_inputs,
};

static void run_handler(struct ddb_call *c)
{
    c->attempts++;
    c->api->handlers[c->op_index](c);
}

void ddb_restart(struct ddb_call *c)
{
    release_tables(c);
    arena_free(&c->arena);
    arena_init(&c->arena, CALL_ARENA_MAX);
    if (c->attempts >= MAX_ATTEMPTS) {
        ddb_send_error(c, 500, "InternalServerError", "The table kept changing under the request.");
        return;
    }
    run_handler(c);
}

/* ---- shared answer parts ----------------------------------------------------------- */

enum ddb_return_capacity ddb_return_capacity(const struct json_value *req)
{
    const char *mode = json_str(req, "ReturnConsumedCapacity");
    return !mode ? DDB_CAPACITY_NONE
           : strcmp(mode, "TOTAL") == 0   ? DDB_CAPACITY_TOTAL
           : strcmp(mode, "INDEXES") == 0 ? DDB_CAPACITY_INDEXES
                                          : DDB_CAPACITY_NONE;
}

void ddb_jw_units(struct json_writer *w, const char *key, double units)
{
    char num[48];
    int n = units == (double)(int64_t)units ? snprintf(num, sizeof(num), "%lld", (long long)units)
                                            : snprintf(num, sizeof(num), "%.1f", units);
    jw_raw(w, key, num, (size_t)n);
}

void ddb_jw_capacity(struct json_writer *w, const char *key, enum ddb_return_capacity mode, const char *table,
                     double units)
{
    if (mode == DDB_CAPACITY_NONE)
        return;
    jw_object_open(w, key);
    jw_string(w, "TableName", table);
    ddb_jw_units(w, "CapacityUnits", units);
    if (mode == DDB_CAPACITY_INDEXES) {
        jw_object_open(w, "Table");
        ddb_jw_units(w, "CapacityUnits", units);
        jw_object_close(w);
    }
    jw_object_close(w);
}

bool ddb_capacity_add_write(struct ddb_call *c, struct ddb_write_capacity *cap, const struct ddb_write *w,
                            double factor)
{
    cap->table += factor * ddb_write_units(w);
    if (!w->index_units || !w->table)
        return true;
    if (!cap->indexes) {
        cap->def = w->table;
        if (!(cap->indexes = arena_array(&c->arena, w->table->n_indexes, sizeof(*cap->indexes))))
            return false;
    }
    if (cap->def->n_indexes != w->table->n_indexes)
        return true;               /* a definition changed in between: its indexes are not comparable */
    for (size_t i = 0; i < w->table->n_indexes; i++)
        cap->indexes[i] += factor * w->index_units[i];
    return true;
}

static void jw_index_units(struct json_writer *w, const struct ddb_write_capacity *cap, bool global)
{
    bool open = false;
    for (size_t i = 0; cap->indexes && i < cap->def->n_indexes; i++) {
        const struct ddb_index *ix = &cap->def->indexes[i];
        if (ix->global != global || cap->indexes[i] <= 0)
            continue;
        if (!open) {
            jw_object_open(w, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
            open = true;
        }
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)ix->name.len, ix->name.s);
        jw_object_open(w, name);
        ddb_jw_units(w, "CapacityUnits", cap->indexes[i]);
        jw_object_close(w);
    }
    if (open)
        jw_object_close(w);
}

void ddb_jw_write_capacity(struct json_writer *w, const char *key, enum ddb_return_capacity mode, const char *table,
                           const struct ddb_write_capacity *cap)
{
    if (mode == DDB_CAPACITY_NONE)
        return;
    double total = cap->table;
    for (size_t i = 0; cap->indexes && i < cap->def->n_indexes; i++)
        total += cap->indexes[i];
    jw_object_open(w, key);
    jw_string(w, "TableName", table);
    ddb_jw_units(w, "CapacityUnits", total);
    if (mode == DDB_CAPACITY_INDEXES) {
        jw_object_open(w, "Table");
        ddb_jw_units(w, "CapacityUnits", cap->table);
        jw_object_close(w);
        jw_index_units(w, cap, false);
        jw_index_units(w, cap, true);
    }
    jw_object_close(w);
}

void ddb_jw_one_write_capacity(struct ddb_call *c, struct json_writer *w, const char *table,
                               const struct ddb_write *write)
{
    struct ddb_write_capacity cap = {0};
    enum ddb_return_capacity mode = ddb_return_capacity(c->json);
    if (mode != DDB_CAPACITY_NONE && ddb_capacity_add_write(c, &cap, write, 1))
        ddb_jw_write_capacity(w, "ConsumedCapacity", mode, table, &cap);
}

bool ddb_wants_collection_metrics(const struct json_value *req, const struct ddb_table *def)
{
    const char *mode = json_str(req, "ReturnItemCollectionMetrics");
    if (!mode || strcmp(mode, "SIZE") != 0)
        return false;
    for (size_t i = 0; i < def->n_indexes; i++)
        if (!def->indexes[i].global)
            return true;
    return false;
}

void ddb_jw_collection_metrics(struct json_writer *w, const char *key, struct ddb_call *c,
                               const struct ddb_table_ref *t, const struct ddb_table *def,
                               const struct ddb_value *item)
{
    (void)c;
    (void)t;
    const struct ddb_value *hash = item ? ddb_map_get(item, def->keys.hash_name, def->keys.hash_name_len) : NULL;
    jw_object_open(w, key);
    jw_object_open(w, "ItemCollectionKey");
    if (hash)
        ddb_jw_value(w, def->keys.hash_name, hash);
    jw_object_close(w);
    jw_array_open(w, "SizeEstimateRangeGB");
    jw_raw(w, NULL, "0", 1);
    jw_raw(w, NULL, "1", 1);
    jw_array_close(w);
    jw_object_close(w);
}

/* ---- authentication, with DynamoDB's words ------------------------------------------- */

/* The query parameter `name` is present (value may be empty). */
static bool query_has(const char *query, const char *name, bool *empty)
{
    size_t n = strlen(name);
    for (const char *p = query; p && *p;) {
        size_t len = strcspn(p, "&");
        if (len >= n && strncmp(p, name, n) == 0 && (len == n || p[n] == '=')) {
            if (empty)
                *empty = len <= n + 1;
            return true;
        }
        p += len;
        p += *p == '&';
    }
    return false;
}

/* AWS's answer to a signature it cannot even read; false when the
 * request's signature is complete enough to verify. */
static bool malformed_signature(struct ddb_call *c)
{
    const char *auth = http_req_header(c->req, "authorization");
    const char *query = c->req->query;
    if (query_has(query, "X-Amz-Algorithm", NULL)) {
        if (auth) {
            ddb_send_error(c, 400, CORAL "InvalidSignatureException",
                           "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
            return true;
        }
        static const char *const params[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                             "X-Amz-SignedHeaders", "X-Amz-Date"};
        char msg[600] = "";
        for (size_t i = 0; i < 5; i++) {
            bool empty = true;
            if (!query_has(query, params[i], &empty) || empty)
                snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                         "AWS query-string parameters must include '%s'. ", params[i]);
        }
        if (!*msg)
            return false;
        ddb_send_error(c, 400, CORAL "IncompleteSignatureException", "%sRe-examine the query-string parameters.", msg);
        return true;
    }
    if (!auth || strncmp(auth, "AWS4-", 5) != 0) {
        ddb_send_error(c, 400, CORAL "MissingAuthenticationTokenException", "Request is missing Authentication Token");
        return true;
    }
    char msg[1200] = "";
    static const char *const parts[] = {"Credential", "Signature", "SignedHeaders"};
    for (size_t i = 0; i < 3; i++) {
        char key[24];
        snprintf(key, sizeof(key), "%s=", parts[i]);
        const char *at = strstr(auth, key);
        bool found = false;
        for (; at && !found; at = strstr(at + 1, key))
            found = at[-1] == ' ' || at[-1] == ',';
        if (!found)
            snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "Authorization header requires '%s' parameter. ",
                     parts[i]);
    }
    if (!http_req_header(c->req, "x-amz-date") && !http_req_header(c->req, "date"))
        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg),
                 "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    if (!*msg)
        return false;
    ddb_send_error(c, 400, CORAL "IncompleteSignatureException", "%sAuthorization=%.400s", msg, auth);
    return true;
}

static bool authenticate(struct ddb_call *c)
{
    if (malformed_signature(c))
        return false;
    struct auth_result r;
    auth_check_buffered(c->ds->srv, c->req, &c->body, &r);
    bool ok = false;
    switch (r.status) {
    case AUTH_OK:
        memcpy(c->account, r.key->account, sizeof(c->account));
        snprintf(c->region, sizeof(c->region), "%s",
                 r.sig.region[0] ? r.sig.region : c->ds->srv->cfg->region);
        ok = true;
        break;
    case AUTH_ANONYMOUS:
        ddb_send_error(c, 400, CORAL "MissingAuthenticationTokenException", "Request is missing Authentication Token");
        break;
    case AUTH_UNKNOWN_KEY:
        ddb_send_error(c, 400, CORAL "UnrecognizedClientException", "The security token included in the request is invalid.");
        break;
    default:
        if (r.sigv4 == SIGV4_TIME_SKEWED || r.sigv4 == SIGV4_REQUEST_EXPIRED)
            ddb_send_error(c, 400, CORAL "InvalidSignatureException",
                           "Signature expired: the request time is more than 15 minutes away from the server time.");
        else
            ddb_send_error(c, 400, CORAL "InvalidSignatureException",
                           "The request signature we calculated does not match the signature you provided. Check your "
                           "AWS Secret Access Key and signing method. Consult the service documentation for details.");
        break;
    }
    auth_result_free(&r);
    return ok;
}

/* ---- the request path ----------------------------------------------------------------- */

/* After a write, a stream's readers may have records to read. */
static void notify_streams(struct ddb_call *c)
{
    for (size_t i = 0; c->wrote && i < c->n_held; i++) {
        if (c->held[i]->def.stream_enabled) {
            ddb_streams_changed(c->ds);
            return;
        }
    }
}

static void call_cleanup(struct http_req *req)
{
    struct ddb_call *c = req->handler;
    if (!c)
        return;
    notify_streams(c);
    release_tables(c);
    free(c->held);
    arena_free(&c->arena);
    strbuf_free(&c->body);
    json_free(c->json);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct ddb_call *c = req->handler;
    if (c->body.len + len > BODY_MAX)
        c->too_large = true;
    else
        strbuf_append(&c->body, data, len);
    return 0;
}

/* The JSON media types AWS accepts: application/json and
 * application/x-amz-json-1.0, parameters after ';' ignored. */
static bool json_media_type(const char *type, bool *json_1_0)
{
    if (!type)
        return false;
    type += strspn(type, " \t");
    size_t n = strcspn(type, ";");
    while (n && (type[n - 1] == ' ' || type[n - 1] == '\t'))
        n--;
    if (n == 16 && strncmp(type, "application/json", 16) == 0) {
        *json_1_0 = false;
        return true;
    }
    if (n == 26 && strncmp(type, "application/x-amz-json-1.0", 26) == 0) {
        *json_1_0 = true;
        return true;
    }
    return false;
}

static void send_unknown_operation_xml(struct http_req *req)
{
    static const char body[] = "<UnknownOperationException/>\n";
    send_body(req, 404, "text/plain", body, sizeof(body) - 1);
}

static bool unserved(const struct ddb_api *api, const char *name)
{
    for (size_t i = 0; i < api->n_unserved; i++)
        if (strcmp(name, api->unserved[i]) == 0)
            return true;
    return false;
}

/* ---- authorization ------------------------------------------------------------ */

/* Decides the request (server/core/authorize.h) on one resource's ARN. */
static bool authorized_on(struct ddb_call *c, const char *arn)
{
    return authorize_request(c->req, c->api->def, c->op, &(struct authorize_target){.resource = arn});
}

static bool table_authorized(struct ddb_call *c, const char *table)
{
    char arn[512];
    snprintf(arn, sizeof(arn), "arn:aws:dynamodb:%s:%s:table/%.255s", c->region, c->account, table);
    return authorized_on(c, arn);
}

/* What the request acts on: the table it names (TableName), the tagged
 * resource (ResourceArn), the stream (StreamArn, or the one a
 * ShardIterator reads), every table of a batch (RequestItems) or a
 * transaction (TransactItems), else the account's tables as a whole ("*":
 * ListTables, DescribeLimits, PartiQL, ListStreams of every table). */
static bool authorized(struct ddb_call *c)
{
    const char *table = json_str(c->json, "TableName"), *arn = json_str(c->json, "ResourceArn");
    const char *stream = json_str(c->json, "StreamArn"), *iterator = json_str(c->json, "ShardIterator");
    const struct json_value *batch = json_get(c->json, "RequestItems"), *items = json_get(c->json, "TransactItems");
    if (table)
        return table_authorized(c, table);
    if (arn || stream)
        return authorized_on(c, arn ? arn : stream);
    if (iterator) {
        /* "<stream ARN>|...": a mangled one is refused by GetRecords once allowed on "*" */
        char named[1024];
        size_t n = strcspn(iterator, "|");
        bool parsed = iterator[n] && n < sizeof(named) && strncmp(iterator, "arn:", 4) == 0;
        snprintf(named, sizeof(named), "%.*s", parsed ? (int)n : 1, parsed ? iterator : "*");
        return authorized_on(c, named);
    }
    for (size_t i = 0; json_is(batch, JSON_OBJECT) && i < batch->len; i++)
        if (!table_authorized(c, batch->u.members[i].key))
            return false;
    for (size_t i = 0; json_is(items, JSON_ARRAY) && i < items->len; i++) {
        const struct json_value *item = &items->u.items[i];
        const char *named = json_is(item, JSON_OBJECT) && item->len ? json_str(&item->u.members[0].value, "TableName")
                                                                     : NULL;
        if (named && !table_authorized(c, named))
            return false;
    }
    if (json_is(batch, JSON_OBJECT) || json_is(items, JSON_ARRAY))
        return true;
    return authorized_on(c, "*");
}

/* DynamoDB's AccessDeniedException: Coral's, 400. */
static void ddb_access_denied(struct http_req *req, const char *message)
{
    send_error_text(req, content_type(req->handler), 400, CORAL "AccessDeniedException", message);
}

static void body_done(struct http_req *req)
{
    struct ddb_call *c = req->handler;
    if (c->too_large) {
        ddb_send_error(c, 413, CORAL "SerializationException", "Request entity too large");
        return;
    }
    const char *type = http_req_header(req, "content-type");
    if (c->body.len && !json_media_type(type, &c->json_1_0)) {
        send_unknown_operation_xml(req);
        return;
    }
    const struct ddb_api *api = c->api;
    const char *target = http_req_header(req, "x-amz-target");
    size_t prefix_len = strlen(api->target_prefix);
    const char *name = target && strncmp(target, api->target_prefix, prefix_len) == 0 ? target + prefix_len : NULL;
    const struct service_op *op = name ? service_find_op(api->def, name, strlen(name)) : NULL;
    if (!op) {
        if (name && unserved(api, name)) {
            service_not_implemented(req, SERVICE_JSON, api->def->title, name);
            return;
        }
        /* no operation: a body that is no JSON is still refused as such */
        if (c->body.len && !(c->json = json_parse(c->body.data, c->body.len, NULL)))
            send_error_text(req, content_type(c), 400, CORAL "SerializationException", NULL);
        else
            send_error_text(req, content_type(c), 400, CORAL "UnknownOperationException", NULL);
        return;
    }
    c->op = op;
    c->op_index = (size_t)(op - api->def->ops);
    req->op_name = op->name;
    if (!authenticate(c))
        return;
    c->json = json_parse(c->body.data ? c->body.data : "", c->body.len, NULL);
    if (!c->json || strbuf_failed(&c->body)) {
        send_error_text(req, content_type(c), 400, CORAL "SerializationException", NULL);
        return;
    }
    struct ddb_error err;
    if (!ddb_request_check(api->inputs[c->op_index], c->json, &err)) {
        ddb_send_ddb_error(c, &err);
        return;
    }
    if (authorized(c))
        run_handler(c);
}

/* A request for DynamoDB's endpoint that is no API call: what AWS answers. */
static bool answer_endpoint(struct http_req *req)
{
    if (strcmp(req->method, "GET") == 0) {
        char body[128];
        const char *host = http_req_header(req, "host");
        int n = snprintf(body, sizeof(body), "healthy: %.*s ", (int)strcspn(host ? host : "", ":"), host ? host : "");
        send_body(req, 200, "text/plain", body, (size_t)n);
        return true;
    }
    if (strcmp(req->method, "OPTIONS") == 0) {
        if (!http_req_header(req, "origin")) {
            send_unknown_operation_xml(req);
            return true;
        }
        const char *headers = http_req_header(req, "access-control-request-headers");
        const char *method = http_req_header(req, "access-control-request-method");
        if (headers)
            http_resp_header(req, "Access-Control-Allow-Headers", headers);
        if (method)
            http_resp_header(req, "Access-Control-Allow-Methods", method);
        http_resp_header(req, "Access-Control-Max-Age", "172800");
        send_body(req, 200, NULL, "", 0);
        return true;
    }
    if (strcmp(req->method, "POST") != 0) {
        send_unknown_operation_xml(req);
        return true;
    }
    return false;
}

/* Whether the request is for the API: its target, or its endpoint's
 * host (host_prefix.<region>.amazonaws.com). */
static bool claims_for(const struct http_req *req, const char *target_prefix, const char *host_prefix)
{
    if (!req->srv->dynamodb)
        return false;
    const char *target = http_req_header(req, "x-amz-target");
    if (target && strncmp(target, target_prefix, strlen(target_prefix)) == 0)
        return true;
    const char *host = http_req_header(req, "host");
    return host && strncmp(host, host_prefix, strlen(host_prefix)) == 0 && strstr(host, ".amazonaws.com");
}

static bool ddb_claims_request(const struct http_req *req)
{
    return claims_for(req, DDB_TARGET_PREFIX, "dynamodb.");
}

static bool streams_claims_request(const struct http_req *req)
{
    return claims_for(req, DDB_STREAMS_TARGET_PREFIX, "streams.dynamodb.");
}

static void handle_request(struct http_req *req, const struct ddb_api *api)
{
    if (answer_endpoint(req))
        return;
    struct ddb_call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->ds = req->srv->dynamodb;
    c->api = api;
    strbuf_init(&c->body);
    arena_init(&c->arena, CALL_ARENA_MAX);
    req->handler = c;
    req->cleanup = call_cleanup;
    http_req_read_body(req, body_sink, body_done);
}

static void ddb_handle_request(struct http_req *req)
{
    handle_request(req, &dynamodb_api);
}

static void streams_handle_request(struct http_req *req)
{
    handle_request(req, &streams_api);
}

const struct service_def ddb_service_def = {
    .name = "dynamodb",
    .title = "Amazon DynamoDB",
    .protocol = SERVICE_JSON,
    .ops = ops,
    .n_ops = sizeof(ops) / sizeof(ops[0]),
    .claims = ddb_claims_request,
    .handle = ddb_handle_request,
    .access_denied = ddb_access_denied,
};

const struct service_def ddb_streams_service_def = {
    .name = "dynamodbstreams",
    .title = "Amazon DynamoDB Streams",
    .protocol = SERVICE_JSON,
    .ops = streams_ops,
    .n_ops = sizeof(streams_ops) / sizeof(streams_ops[0]),
    .claims = streams_claims_request,
    .handle = streams_handle_request,
    .access_denied = ddb_access_denied,
    .enabled_with = "dynamodb",
};
