/* settings: a table's time to live and point-in-time recovery settings
 * (Update/DescribeTimeToLive, Update/DescribeContinuousBackups), and the
 * account-wide DescribeLimits and DescribeEndpoints.
 *
 * The settings live in the table's definition. Enabling time to live
 * starts a backfill that gives every item its expiry (storage/dynamodb:
 * the column the TTL sweep reads); the sweep itself is a separate piece.
 * Point-in-time recovery is recorded and reported (Terraform sets it);
 * restoring from it answers NotImplemented. */
#include "server/dynamodb/service.h"

#include <string.h>

#include "protocol/dynamodb/value_json.h"
#include "server/core/server.h"

/* The table the request's TableName names; answered when missing
 * (with AWS's exception for the operation). */
static struct ddb_table_ref *settings_table(struct ddb_call *c, bool backups)
{
    const char *name = json_str(c->json, "TableName");
    struct ddb_table_ref *t;
    enum ddb_store_err e = ddb_find_table(c, name, &t);
    if (e == DDB_STORE_NOT_FOUND) {
        if (backups)
            ddb_send_error(c, 400, "TableNotFoundException", "Table not found: %s", name);
        else
            ddb_send_table_not_found(c, name);
        return NULL;
    }
    if (e != DDB_STORE_OK) {
        ddb_send_store_error(c, e);
        return NULL;
    }
    return t;
}

static struct ddb_table *copy_of(struct ddb_call *c, const struct ddb_table *def)
{
    struct ddb_table *copy = arena_alloc(&c->arena, sizeof(*copy));
    if (!copy || !ddb_table_copy(&c->arena, def, copy)) {
        ddb_send_no_memory(c);
        return NULL;
    }
    return copy;
}

/* ---- time to live ---------------------------------------------------------------- */

static void answer_ttl_update(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def)
{
    (void)t;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "TimeToLiveSpecification");
    jw_bool(&w, "Enabled", def->ttl_enabled);
    jw_stringn(&w, "AttributeName", def->ttl_attribute.s, def->ttl_attribute.len);
    jw_object_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

void ddb_update_time_to_live(struct ddb_call *c)
{
    struct ddb_table_ref *t = settings_table(c, false);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, false);
    const struct json_value *spec = json_get(c->json, "TimeToLiveSpecification");
    size_t len;
    const char *attribute = json_strn(spec, "AttributeName", &len);
    bool enable = false;
    ddb_json_boolean(json_get(spec, "Enabled"), &enable, NULL);
    bool same = def->ttl_attribute.s && def->ttl_attribute.len == len && memcmp(def->ttl_attribute.s, attribute, len) == 0;
    if (enable && def->ttl_enabled) {
        if (same)
            ddb_send_validation(c, "TimeToLive is already enabled");
        else
            ddb_send_validation(c, "TimeToLive is active on a different AttributeName: current AttributeName is %.*s",
                                (int)def->ttl_attribute.len, def->ttl_attribute.s);
        return;
    }
    if (!enable && !def->ttl_enabled) {
        ddb_send_validation(c, "TimeToLive is already disabled");
        return;
    }
    if (!enable && !same) {
        ddb_send_validation(c, "TimeToLive is active on a different AttributeName: current AttributeName is %.*s",
                            (int)def->ttl_attribute.len, def->ttl_attribute.s);
        return;
    }
    struct ddb_table *copy = copy_of(c, def);
    if (!copy)
        return;
    copy->ttl_enabled = enable;
    copy->ttl_attribute.s = arena_memdup(&c->arena, attribute, len);
    copy->ttl_attribute.len = len;
    if (!copy->ttl_attribute.s) {
        ddb_send_no_memory(c);
        return;
    }
    struct ddb_table_storage_change change = {.ttl_changed = true};
    ddb_change_table(c, t, copy, &change, answer_ttl_update);
}

void ddb_describe_time_to_live(struct ddb_call *c)
{
    struct ddb_table_ref *t = settings_table(c, false);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, false);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "TimeToLiveDescription");
    jw_string(&w, "TimeToLiveStatus", def->ttl_enabled ? "ENABLED" : "DISABLED");
    if (def->ttl_enabled)
        jw_stringn(&w, "AttributeName", def->ttl_attribute.s, def->ttl_attribute.len);
    jw_object_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

/* ---- continuous backups ------------------------------------------------------------ */

static void seconds(struct json_writer *w, const char *key, int64_t ms)
{
    char num[40];
    int n = snprintf(num, sizeof(num), "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    jw_raw(w, key, num, (size_t)n);
}

static void answer_backups(struct ddb_call *c, struct ddb_table_ref *t, const struct ddb_table *def)
{
    (void)t;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "ContinuousBackupsDescription");
    jw_string(&w, "ContinuousBackupsStatus", "ENABLED");
    jw_object_open(&w, "PointInTimeRecoveryDescription");
    jw_string(&w, "PointInTimeRecoveryStatus", def->pitr_enabled ? "ENABLED" : "DISABLED");
    if (def->pitr_enabled) {
        jw_int(&w, "RecoveryPeriodInDays", def->pitr_days);
        seconds(&w, "EarliestRestorableDateTime", def->pitr_since_ms);
        seconds(&w, "LatestRestorableDateTime", ddb_now_ms());
    }
    jw_object_close(&w);
    jw_object_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}

void ddb_update_continuous_backups(struct ddb_call *c)
{
    const struct json_value *spec = json_get(c->json, "PointInTimeRecoverySpecification");
    bool enable = false;
    ddb_json_boolean(json_get(spec, "PointInTimeRecoveryEnabled"), &enable, NULL);
    int64_t days = 35;
    const struct json_value *period = json_get(spec, "RecoveryPeriodInDays");
    bool has_period = period && period->type == JSON_NUMBER && json_number_int64(period, &days);
    if (!enable && has_period) {
        ddb_send_validation(c, "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time "
                               "recovery.");
        return;
    }
    struct ddb_table_ref *t = settings_table(c, true);
    if (!t)
        return;
    const struct ddb_table *def = ddb_table_now(c, t, false);
    struct ddb_table *copy = copy_of(c, def);
    if (!copy)
        return;
    if (enable && !def->pitr_enabled)
        copy->pitr_since_ms = ddb_now_ms();
    copy->pitr_enabled = enable;
    copy->pitr_days = enable ? days : 0;
    ddb_change_table(c, t, copy, NULL, answer_backups);
}

void ddb_describe_continuous_backups(struct ddb_call *c)
{
    struct ddb_table_ref *t = settings_table(c, true);
    if (t)
        answer_backups(c, t, ddb_table_now(c, t, false));
}

/* ---- account-wide ------------------------------------------------------------------- */

void ddb_describe_limits(struct ddb_call *c)
{
    static const char body[] = "{\"AccountMaxReadCapacityUnits\":80000,\"AccountMaxWriteCapacityUnits\":80000,"
                               "\"TableMaxReadCapacityUnits\":40000,\"TableMaxWriteCapacityUnits\":40000}";
    struct strbuf sb = {.data = (char *)body, .len = sizeof(body) - 1};
    ddb_send_json(c, &sb);
}

/* Endpoint discovery: the endpoint the client reached is the one to use. */
void ddb_describe_endpoints(struct ddb_call *c)
{
    const char *host = http_req_header(c->req, "host");
    char address[300];
    if (host)
        snprintf(address, sizeof(address), "%s", host);
    else
        snprintf(address, sizeof(address), "dynamodb.%s.amazonaws.com", c->region);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Endpoints");
    jw_object_open(&w, NULL);
    jw_string(&w, "Address", address);
    jw_int(&w, "CachePeriodInMinutes", 1440);
    jw_object_close(&w);
    jw_array_close(&w);
    jw_object_close(&w);
    ddb_send_json(c, &sb);
    strbuf_free(&sb);
}
