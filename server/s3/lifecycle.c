/* s3_lifecycle: the background sweep that applies lifecycle rules — the
 * Expiration of current objects (Days or Date) or of lone delete markers,
 * NoncurrentVersionExpiration and AbortIncompleteMultipartUpload — under
 * each rule's filter (key prefix, tags, object size bounds).
 *
 * A libevent timer fires every --lifecycle-interval seconds (3600 by
 * default; AWS itself acts about once a day). Each sweep reads, on the loop
 * thread, every bucket with a lifecycle configuration; for each enabled
 * rule it lists the keys under the rule's prefix and queues DeleteObjects
 * through the store for those whose age has reached the rule and that its
 * size and tag filters cover (tags are read per candidate object), and
 * lists the multipart uploads under the prefix and aborts those initiated
 * the rule's days ago: up to SWEEP_MAX_KEYS objects and uploads per rule
 * per sweep, so a sweep stays short and the next one continues. The
 * deletion is an ordinary delete, so a versioned bucket gets a delete
 * marker, as with AWS. The version actions walk ListObjectVersions under
 * the prefix and delete by version id. Transitions are stored but not
 * applied.
 *
 * AWS counts a "day" as 86400 seconds; the environment variable
 * CLOUDLESS_LIFECYCLE_DAY_SECONDS (a test knob) makes a day shorter so a
 * test can watch `Days: 1` expire in a second.
 *
 * Also here: Get/PutBucketLifecycleConfiguration and DeleteBucketLifecycle,
 * which the shared configuration code runs (server/s3/config.c), and the
 * configuration's x-amz-transition-default-minimum-object-size, kept
 * beside the rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "server/core/log.h"
#include "server/s3/entry.h"
#include "server/s3/s3.h"
#include "storage/s3/s3.h"
#include "storage/core/clock.h"

#define SWEEP_MAX_KEYS 1000
#define LIST_PAGE 1000

struct s3_lifecycle {
    struct server *srv;
    struct event *timer;
    int64_t day_ms;
};

/* Completion of one rule's deletions; arg is the bucket name, owned here. */
static void deleted(void *arg, const struct store_result *res)
{
    char *bucket = arg;
    if (res->err != S3_OK)
        log_warn("lifecycle: expiring objects in %s failed: %s", bucket, s3_err_code(res->err));
    else
        log_info("lifecycle: expired %zu objects in %s", res->n_deleted, bucket);
    free(bucket);
}

/* Whether the rule's size and tag filters cover a listed object or, with
 * version_id, version (its tags are read only when the rule names some:
 * listings carry none). */
static bool rule_covers(struct s3_lifecycle *lc, const char *bucket, const struct s3_object *listed,
                        const char *version_id, const struct s3_lifecycle_rule *rule)
{
    if (!rule->n_tags)
        return s3_lifecycle_rule_covers(rule, listed->size, NULL, 0);
    struct s3_object o;
    enum s3_err err = version_id ? store_get_object_version(lc->srv->store, bucket, listed->key, version_id, &o)
                                 : store_get_object(lc->srv->store, bucket, listed->key, &o);
    bool covered = err == S3_OK && s3_lifecycle_rule_covers(rule, o.size, o.tags, o.n_tags);
    s3_object_free(&o);
    return covered;
}

/* Collects the expired keys under one rule and queues their deletion. */
static void expire_rule(struct s3_lifecycle *lc, const char *bucket, const struct s3_lifecycle_rule *rule,
                        int64_t now)
{
    char **keys = calloc(SWEEP_MAX_KEYS, sizeof(*keys));
    if (!keys)
        return;
    size_t n = 0;
    char *start_after = NULL;
    bool more = true;
    while (more && n < SWEEP_MAX_KEYS) {
        struct s3_list_params p = {rule->prefix, NULL, start_after, LIST_PAGE};
        struct s3_list_result r;
        if (store_list_objects(lc->srv->store, bucket, &p, &r) != S3_OK)
            break;
        for (size_t i = 0; i < r.n_objects && n < SWEEP_MAX_KEYS; i++) {
            const struct s3_object *o = &r.objects[i];
            bool expired = rule->expiration_date_ms
                               ? now >= rule->expiration_date_ms
                               : now - o->last_modified_ms >= (int64_t)rule->expiration_days * lc->day_ms;
            expired = expired && rule_covers(lc, bucket, o, NULL, rule);
            if (expired && !(keys[n] = strdup(o->key)))
                break;
            n += expired;
        }
        free(start_after);
        start_after = r.is_truncated && r.n_objects ? strdup(r.objects[r.n_objects - 1].key) : NULL;
        more = start_after != NULL;
        s3_list_result_free(&r);
    }
    free(start_after);
    char *name = n ? strdup(bucket) : NULL;
    if (name && store_delete_objects(lc->srv->store, bucket, (const char *const *)keys, n, deleted, name) < 0) {
        log_warn("lifecycle: could not queue deletions in %s", bucket);
        free(name);
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* A key's versions as the version listing walks them, newest first. */
struct version_walk {
    char *key;                     /* the key of the versions walked so far */
    int64_t newer_modified_ms;     /* when the version before the current one was made */
    int noncurrent_seen;           /* noncurrent versions of this key passed so far */
    bool latest_is_marker;         /* the key's latest version is a delete marker... */
    char marker_version[40];       /* ...with this id */
    bool marker_alone;             /* and nothing older has been seen */
};

/* Queues a version for deletion in keys/version_ids; false when full or out of memory. */
static bool queue_version(char **keys, char **version_ids, size_t *n, const char *key, const char *version_id)
{
    if (*n >= SWEEP_MAX_KEYS)
        return false;
    keys[*n] = strdup(key);
    version_ids[*n] = strdup(version_id);
    if (!keys[*n] || !version_ids[*n]) {
        free(keys[*n]);
        free(version_ids[*n]);
        return false;
    }
    (*n)++;
    return true;
}

/* The end of a key's versions: its delete marker goes when it is all that
 * is left and the rule (filtering on no tags: markers have none) asks for it. */
static void finish_key(struct version_walk *w, const struct s3_lifecycle_rule *rule, char **keys,
                       char **version_ids, size_t *n)
{
    if (w->key && rule->expired_delete_marker && !rule->n_tags && w->latest_is_marker && w->marker_alone)
        queue_version(keys, version_ids, n, w->key, w->marker_version);
    free(w->key);
    memset(w, 0, sizeof(*w));
}

/* NoncurrentVersionExpiration and ExpiredObjectDeleteMarker: walks the
 * versions under the rule's prefix (a version becomes noncurrent when the
 * next one is made) and deletes, by version id, the noncurrent ones older
 * than the rule's days beyond the NewerNoncurrentVersions kept, and lone
 * delete markers. */
static void expire_versions_rule(struct s3_lifecycle *lc, const char *bucket, const struct s3_lifecycle_rule *rule,
                                 int64_t now)
{
    char **keys = calloc(SWEEP_MAX_KEYS, sizeof(*keys)), **version_ids = calloc(SWEEP_MAX_KEYS, sizeof(*version_ids));
    size_t n = 0;
    struct version_walk w = {0};
    char *key_marker = NULL, *version_marker = NULL;
    bool more = keys && version_ids;
    while (more && n < SWEEP_MAX_KEYS) {
        struct s3_list_params p = {rule->prefix, NULL, key_marker, LIST_PAGE};
        struct s3_list_result r;
        if (store_list_object_versions(lc->srv->store, bucket, &p, version_marker, &r) != S3_OK)
            break;
        for (size_t i = 0; i < r.n_objects && n < SWEEP_MAX_KEYS; i++) {
            const struct s3_object *o = &r.objects[i];
            if (!w.key || strcmp(w.key, o->key) != 0) {
                finish_key(&w, rule, keys, version_ids, &n);
                if (!(w.key = strdup(o->key)))
                    break;
                w.latest_is_marker = o->is_latest && o->delete_marker;
                w.marker_alone = true;
                snprintf(w.marker_version, sizeof(w.marker_version), "%s", o->version_id);
            } else {
                w.marker_alone = false;
            }
            if (!o->is_latest && rule->noncurrent_days) {
                bool old_enough = now - w.newer_modified_ms >= (int64_t)rule->noncurrent_days * lc->day_ms;
                if (w.noncurrent_seen++ >= rule->newer_noncurrent && old_enough && !o->delete_marker &&
                    rule_covers(lc, bucket, o, o->version_id, rule))
                    queue_version(keys, version_ids, &n, o->key, o->version_id);
            }
            w.newer_modified_ms = o->last_modified_ms;
        }
        free(key_marker);
        free(version_marker);
        key_marker = r.is_truncated && r.next_marker ? strdup(r.next_marker) : NULL;
        version_marker = r.is_truncated && r.next_version_id_marker ? strdup(r.next_version_id_marker) : NULL;
        more = key_marker != NULL;
        s3_list_result_free(&r);
    }
    finish_key(&w, rule, keys, version_ids, &n);
    free(key_marker);
    free(version_marker);
    char *name = n ? strdup(bucket) : NULL;
    if (name && store_delete_versions(lc->srv->store, bucket, (const char *const *)keys,
                                      (const char *const *)version_ids, n, false, deleted, name) < 0) {
        log_warn("lifecycle: could not queue version deletions in %s", bucket);
        free(name);
    }
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
        free(version_ids[i]);
    }
    free(keys);
    free(version_ids);
}

/* Completion of one upload's abort; arg is "bucket/upload id", owned here. */
static void aborted(void *arg, const struct store_result *res)
{
    char *what = arg;
    if (res->err != S3_OK && res->err != S3_ERR_NO_SUCH_UPLOAD)
        log_warn("lifecycle: aborting the upload %s failed: %s", what, s3_err_code(res->err));
    else if (res->err == S3_OK)
        log_info("lifecycle: aborted the incomplete upload %s", what);
    free(what);
}

/* Aborts the uploads under the rule's prefix initiated its days ago. */
static void abort_rule(struct s3_lifecycle *lc, const char *bucket, const struct s3_lifecycle_rule *rule,
                       int64_t now)
{
    struct s3_upload_list list;
    if (store_list_uploads(lc->srv->store, bucket, rule->prefix, NULL, NULL, NULL, SWEEP_MAX_KEYS, &list) != S3_OK)
        return;
    for (size_t i = 0; i < list.n_uploads; i++) {
        const struct s3_upload *u = &list.uploads[i];
        if (now - u->initiated_ms < (int64_t)rule->abort_days * lc->day_ms)
            continue;
        size_t len = strlen(bucket) + strlen(u->upload_id) + 2;
        char *what = malloc(len);
        if (!what)
            break;
        snprintf(what, len, "%s/%s", bucket, u->upload_id);
        if (store_abort_upload(lc->srv->store, bucket, u->key, u->upload_id, aborted, what) < 0) {
            log_warn("lifecycle: could not queue the abort of %s", what);
            free(what);
        }
    }
    s3_upload_list_free(&list);
}

static void sweep(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct s3_lifecycle *lc = arg;
    char **buckets = NULL, **docs = NULL;
    size_t n = 0;
    if (store_list_bucket_configs(lc->srv->store, "lifecycle", &buckets, &docs, &n) < 0) {
        log_warn("lifecycle: cannot read lifecycle configurations");
        return;
    }
    int64_t now = clock_now_ms();
    for (size_t b = 0; b < n; b++) {
        struct s3_lifecycle_rule *rules = NULL;
        size_t n_rules = 0;
        if (s3_lifecycle_rules(docs[b], &rules, &n_rules) < 0)
            continue;
        for (size_t r = 0; r < n_rules; r++) {
            if (rules[r].expiration_days || rules[r].expiration_date_ms)
                expire_rule(lc, buckets[b], &rules[r], now);
            if (rules[r].noncurrent_days || rules[r].expired_delete_marker)
                expire_versions_rule(lc, buckets[b], &rules[r], now);
            if (rules[r].abort_days)
                abort_rule(lc, buckets[b], &rules[r], now);
        }
        s3_lifecycle_rules_free(rules, n_rules);
    }
    store_free_string_pairs(buckets, docs, n);
}

struct s3_lifecycle *s3_lifecycle_start(struct server *srv)
{
    struct s3_lifecycle *lc = calloc(1, sizeof(*lc));
    if (!lc)
        return NULL;
    lc->srv = srv;
    lc->day_ms = 86400000LL;
    const char *day = getenv("CLOUDLESS_LIFECYCLE_DAY_SECONDS");
    if (day && atoll(day) > 0) {
        lc->day_ms = atoll(day) * 1000LL;
        log_info("lifecycle: a day lasts %s seconds (CLOUDLESS_LIFECYCLE_DAY_SECONDS)", day);
    }
    lc->timer = event_new(srv->base, -1, EV_PERSIST, sweep, lc);
    struct timeval every = {srv->cfg->lifecycle_interval_s > 0 ? srv->cfg->lifecycle_interval_s : 1, 0};
    if (!lc->timer || event_add(lc->timer, &every) < 0) {
        s3_lifecycle_stop(lc);
        return NULL;
    }
    return lc;
}

void s3_lifecycle_stop(struct s3_lifecycle *lc)
{
    if (!lc)
        return;
    if (lc->timer)
        event_free(lc->timer);
    free(lc);
}

/* ---- the configuration ---------------------------------------------------- */

/* PutBucketLifecycleConfiguration's x-amz-transition-default-minimum-object-size
 * is kept beside the rules and returned on GET and PUT; AWS's default for a
 * new configuration is all_storage_classes_128K. */
#define TRANSITION_MINIMUM_KIND "lifecycleTransitionMinimumSize"
#define TRANSITION_MINIMUM_HEADER "x-amz-transition-default-minimum-object-size"
#define TRANSITION_MINIMUM_DEFAULT "all_storage_classes_128K"

static const char *requested_transition_minimum(struct s3_call *call)
{
    const char *v = http_req_header(call->req, TRANSITION_MINIMUM_HEADER);
    return v ? v : TRANSITION_MINIMUM_DEFAULT;
}

/* Adds the header for a GET; -1 (answered) on a read error. */
int s3_lifecycle_add_transition_minimum(struct s3_call *call)
{
    enum store_config_state state;
    char *value = NULL;
    if (s3_config_load(call, TRANSITION_MINIMUM_KIND, &state, &value) < 0)
        return -1;
    http_resp_header(call->req, TRANSITION_MINIMUM_HEADER, value ? value : TRANSITION_MINIMUM_DEFAULT);
    free(value);
    return 0;
}

/* The lifecycle rules are stored once their transition minimum is. */
struct lifecycle_put {
    struct s3_call *call;
    char *doc;
};

static void lifecycle_minimum_stored(void *arg, bool ok)
{
    struct lifecycle_put *lp = arg;
    struct s3_call *call = lp->call;
    if (!ok)
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "the configuration could not be stored", NULL);
    else if (store_put_bucket_config(call->store, call->route.bucket, "lifecycle", lp->doc, false, s3_config_written, call) < 0)
        s3_fail_unqueued(call);
    free(lp->doc);
    free(lp);
}

void s3_lifecycle_store(struct s3_call *call, const char *doc)
{
    const char *minimum = requested_transition_minimum(call);
    if (strcmp(minimum, "all_storage_classes_128K") != 0 && strcmp(minimum, "varies_by_storage_class") != 0) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Invalid TransitionDefaultMinimumObjectSize found", NULL);
        return;
    }
    struct lifecycle_put *lp = calloc(1, sizeof(*lp));
    if (!lp || !(lp->doc = strdup(doc))) {
        free(lp);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    lp->call = call;
    http_resp_header(call->req, TRANSITION_MINIMUM_HEADER, minimum);
    if (store_put_bucket_config(call->store, call->route.bucket, TRANSITION_MINIMUM_KIND, minimum, false,
                                lifecycle_minimum_stored, lp) < 0) {
        free(lp->doc);
        free(lp);
        s3_fail_unqueued(call);
    }
}

void s3_get_bucket_lifecycle(struct s3_call *call) { s3_config_get(call, S3_CONFIG_LIFECYCLE); }
void s3_put_bucket_lifecycle(struct s3_call *call) { s3_config_put(call, S3_CONFIG_LIFECYCLE); }
void s3_delete_bucket_lifecycle(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_LIFECYCLE); }
