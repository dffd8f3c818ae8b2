/* s3_object_lock: a bucket's object lock configuration (its default
 * retention) — Get/PutObjectLockConfiguration — a version's retention and
 * legal hold — Get/PutObjectRetention, Get/PutObjectLegalHold — and
 * x-amz-object-lock-*, the lock an object write asks for. The rules (who
 * may shorten or lift a retention) are the store's (storage/s3/object_lock.c).
 *
 * Reads answer at once from the store; writes answer from their store
 * completion, which also carries the version id to report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/s3/s3.h"
#include "storage/core/clock.h"

bool s3_lock_headers(struct s3_call *call, const struct s3_bucket *b, struct store_lock *lock,
                     char mode_buf[12])
{
    memset(lock, 0, sizeof(*lock));
    const char *mode = http_req_header(call->req, "x-amz-object-lock-mode");
    const char *until = http_req_header(call->req, "x-amz-object-lock-retain-until-date");
    const char *hold = http_req_header(call->req, "x-amz-object-lock-legal-hold");
    if (!mode && !until && !hold)
        return true;
    if (!b->object_lock) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Bucket is missing Object Lock Configuration", NULL);
        return false;
    }
    if (hold && strcmp(hold, "ON") != 0 && strcmp(hold, "OFF") != 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Legal Hold must be either of 'ON' or 'OFF'", NULL);
        return false;
    }
    lock->legal_hold = hold && strcmp(hold, "ON") == 0;
    if (!mode && !until)
        return true;
    if (!mode || !until) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
                NULL);
        return false;
    }
    if (strcmp(mode, "GOVERNANCE") != 0 && strcmp(mode, "COMPLIANCE") != 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Unknown wormMode directive.", NULL);
        return false;
    }
    lock->until_ms = date_parse_iso8601(until);
    if (lock->until_ms < 0) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT,
                "The retain until date must be provided in ISO 8601 format", NULL);
        return false;
    }
    if (lock->until_ms <= clock_now_ms()) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The retain until date must be in the future!", NULL);
        return false;
    }
    snprintf(mode_buf, 12, "%s", mode);
    lock->mode = mode_buf;
    return true;
}

/* ---- the configuration ---------------------------------------------------- */

void s3_get_object_lock_configuration(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    if (!b.object_lock) {
        s3_bucket_free(&b);
        s3_fail(call, S3_ERR_OBJECT_LOCK_CONFIGURATION_NOT_FOUND, NULL, NULL);
        return;
    }
    struct s3_lock_config c = {.days = b.lock_days, .years = b.lock_years};
    snprintf(c.mode, sizeof(c.mode), "%s", b.lock_mode);
    s3_bucket_free(&b);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_object_lock_config_xml(&xml, &c);
    s3_reply_xml(call, &xml);
}

void s3_put_object_lock_configuration(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    s3_bucket_free(&b);
    struct s3_lock_config c;
    const char *message;
    enum s3_err err = s3_parse_object_lock_config(call->body.data, call->body.len, &c, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return;
    }
    if (store_set_object_lock(call->store, call->route.bucket, c.mode[0] ? c.mode : NULL, c.days,
                              c.years, s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
}

/* ---- retention and legal hold --------------------------------------------- */

/* Retention and legal hold need object lock on the bucket. */
static bool lock_enabled(struct s3_call *call, const struct s3_bucket *b)
{
    if (b->object_lock)
        return true;
    s3_fail(call, S3_ERR_INVALID_REQUEST, "Bucket is missing Object Lock Configuration", NULL);
    return false;
}

static void get_retention(struct s3_call *call, bool legal_hold)
{
    struct s3_bucket b;
    struct s3_object o;
    if (!s3_request_version(call, &b, &o))
        return;
    if (lock_enabled(call, &b) && !legal_hold && !o.lock_mode[0]) {
        s3_fail(call, S3_ERR_NO_SUCH_OBJECT_LOCK_CONFIGURATION, NULL, NULL);
    } else if (b.object_lock) {
        struct strbuf xml;
        strbuf_init(&xml);
        if (legal_hold)
            s3_legal_hold_xml(&xml, o.legal_hold);
        else
            s3_retention_xml(&xml, o.lock_mode, o.lock_until_ms);
        s3_reply_xml(call, &xml);
    }
    s3_object_free(&o);
    s3_bucket_free(&b);
}

void s3_get_object_retention(struct s3_call *call)
{
    get_retention(call, false);
}

void s3_get_object_legal_hold(struct s3_call *call)
{
    get_retention(call, true);
}

void s3_put_object_retention(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    bool enabled = lock_enabled(call, &b);
    s3_bucket_free(&b);
    char mode[12];
    int64_t until_ms;
    char *version_id;
    if (!enabled || !s3_version_id_param(call, &version_id))
        return;
    enum s3_err err = s3_parse_retention(call->body.data, call->body.len, mode, &until_ms);
    const char *bypass = http_req_header(call->req, "x-amz-bypass-governance-retention");
    if (err != S3_OK)
        s3_fail(call, err, NULL, NULL);
    else if (mode[0] && until_ms <= clock_now_ms())
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The retain until date must be in the future!", NULL);
    else if (store_set_retention(call->store, call->route.bucket, call->route.key, version_id,
                                 mode[0] ? mode : NULL, until_ms,
                                 bypass && strcasecmp(bypass, "true") == 0, s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    free(version_id);
}

void s3_put_object_legal_hold(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    bool enabled = lock_enabled(call, &b);
    s3_bucket_free(&b);
    bool on;
    char *version_id;
    if (!enabled || !s3_version_id_param(call, &version_id))
        return;
    enum s3_err err = s3_parse_legal_hold(call->body.data, call->body.len, &on);
    if (err != S3_OK)
        s3_fail(call, err, NULL, NULL);
    else if (store_set_legal_hold(call->store, call->route.bucket, call->route.key, version_id, on,
                                  s3_answered_200, call) < 0)
        s3_fail_unqueued(call);
    free(version_id);
}
