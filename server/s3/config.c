/* s3_config: a bucket's configuration documents — what the XML
 * sub-resources of every family share (the Get, Put and Delete of CORS,
 * lifecycle and website configurations, and of this family's: encryption,
 * public access block, ownership controls, logging, request payment,
 * accelerate, replication), and the loading and storing of documents that
 * the policy and ACL handlers use too.
 *
 * Every XML configuration follows one table: its storage kind, its
 * not-found error, the document a bucket reports when none was set (new
 * AWS buckets report SSE-S3 encryption, all four public access blocks on,
 * BucketOwnerEnforced ownership, an empty logging status, BucketOwner
 * payer, no accelerate status) and what DELETE does (forget the row, or
 * keep a "removed" marker so the default stops applying). PUT bodies are
 * validated and canonicalised by protocol/s3 (config.c, and cors.c,
 * lifecycle.c, website.c for theirs); reads answer at once, writes from
 * their durable completion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"
#include "storage/s3/s3.h"

enum config_verb { VERB_GET, VERB_PUT, VERB_DELETE };

struct xml_config {
    enum s3_config_kind kind;
    enum s3_err not_found;
    const char *default_doc;       /* NULL: not-found when unset */
    bool delete_keeps_marker;
    /* What a configuration does beyond its document (the lifecycle's
     * transition minimum, server/s3/lifecycle.c), NULL for none: headers
     * added to a GET's answer (-1: answered an error instead), and storing
     * a PUT's document. */
    int (*add_get_headers)(struct s3_call *call);
    void (*store)(struct s3_call *call, const char *doc);
};

static const struct xml_config xml_configs[S3_CONFIG__COUNT] = {
    [S3_CONFIG_CORS] = {S3_CONFIG_CORS, S3_ERR_NO_SUCH_CORS_CONFIGURATION, NULL, false, NULL, NULL},
    [S3_CONFIG_LIFECYCLE] = {S3_CONFIG_LIFECYCLE, S3_ERR_NO_SUCH_LIFECYCLE_CONFIGURATION, NULL, false,
                             s3_lifecycle_add_transition_minimum, s3_lifecycle_store},
    [S3_CONFIG_ENCRYPTION] = {S3_CONFIG_ENCRYPTION, S3_OK, S3_DEFAULT_ENCRYPTION_XML, false, NULL, NULL},
    [S3_CONFIG_PUBLIC_ACCESS_BLOCK] = {S3_CONFIG_PUBLIC_ACCESS_BLOCK,
                                       S3_ERR_NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION,
                                       S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML, true, NULL, NULL},
    [S3_CONFIG_OWNERSHIP] = {S3_CONFIG_OWNERSHIP, S3_ERR_OWNERSHIP_CONTROLS_NOT_FOUND,
                             S3_DEFAULT_OWNERSHIP_XML, true, NULL, NULL},
    [S3_CONFIG_WEBSITE] = {S3_CONFIG_WEBSITE, S3_ERR_NO_SUCH_WEBSITE_CONFIGURATION, NULL, false, NULL, NULL},
    [S3_CONFIG_LOGGING] = {S3_CONFIG_LOGGING, S3_OK, S3_EMPTY_LOGGING_XML, false, NULL, NULL},
    [S3_CONFIG_REQUEST_PAYMENT] = {S3_CONFIG_REQUEST_PAYMENT, S3_OK, S3_DEFAULT_REQUEST_PAYMENT_XML, false, NULL, NULL},
    [S3_CONFIG_ACCELERATE] = {S3_CONFIG_ACCELERATE, S3_OK, S3_EMPTY_ACCELERATE_XML, false, NULL, NULL},
    [S3_CONFIG_REPLICATION] = {S3_CONFIG_REPLICATION, S3_ERR_REPLICATION_CONFIGURATION_NOT_FOUND, NULL, false, NULL, NULL},
};

/* ---- documents ------------------------------------------------------------ */

void s3_config_send(struct s3_call *call, const char *content_type, const char *prefix, const char *doc)
{
    struct strbuf out;
    strbuf_init(&out);
    strbuf_puts(&out, prefix);
    strbuf_puts(&out, doc);
    if (strbuf_failed(&out)) {
        strbuf_free(&out);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    http_resp_send(call->req, 200, content_type, out.data, out.len);
    strbuf_free(&out);
}

void s3_config_written(void *arg, bool ok)
{
    struct s3_call *call = arg;
    if (!ok) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "the configuration could not be stored", NULL);
        return;
    }
    enum s3_op op = call->route.op;
    bool no_content = op == S3_OP_PutBucketPolicy || strcmp(call->req->method, "DELETE") == 0;
    http_resp_send(call->req, no_content ? 204 : 200, NULL, NULL, 0);
}

void s3_config_store(struct s3_call *call, const char *kind, const char *doc, bool keep_marker)
{
    if (store_put_bucket_config(call->store, call->route.bucket, kind, doc, keep_marker, s3_config_written, call) < 0)
        s3_fail_unqueued(call);
}

int s3_config_load(struct s3_call *call, const char *kind, enum store_config_state *state, char **doc)
{
    if (store_get_bucket_config(call->store, call->route.bucket, kind, state, doc) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return -1;
    }
    return 0;
}

int s3_bucket_public_access_block(struct s3_call *call, struct s3_public_access_block *pab)
{
    enum store_config_state state;
    char *doc = NULL;
    if (store_get_bucket_config(call->store, call->route.bucket, "publicAccessBlock", &state, &doc) < 0)
        return -1;
    int rc = s3_public_access_block_read(state == STORE_CONFIG_UNSET ? S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML : doc,
                                         pab);
    free(doc);
    return rc;
}

/* ---- XML configurations ------------------------------------------------- */

static void get_xml_config(struct s3_call *call, const struct xml_config *c)
{
    enum store_config_state state;
    char *doc = NULL;
    if (s3_config_load(call, s3_config_name(c->kind), &state, &doc) < 0)
        return;
    const char *answer = doc;
    if (!answer && (state == STORE_CONFIG_UNSET || !c->delete_keeps_marker))
        answer = c->default_doc;
    if (answer && c->add_get_headers && c->add_get_headers(call) < 0)
        answer = NULL;
    else if (answer)
        s3_config_send(call, "application/xml", S3_XML_DECL, answer);
    else if (!call->req->responded)
        s3_fail_bucket_name(call, c->not_found);
    free(doc);
}

/* A logging configuration's target: an existing bucket of the same owner,
 * and, when it has target grants, one whose ownership controls let ACLs
 * be used (AWS: "Target grants not allowed for bucket owner enforced
 * buckets"). Answers and returns false when refused. */
static bool logging_target_ok(struct s3_call *call, const struct s3_bucket *b, const char *doc)
{
    char *target = NULL;
    bool grants = false;
    if (s3_logging_target(doc, &target, &grants) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return false;
    }
    if (!target)
        return true;
    struct s3_bucket t;
    enum s3_err err = store_get_bucket(call->store, target, &t);
    const char *message = NULL;
    char ownership[32] = "";
    if (err == S3_OK) {
        if (strcmp(t.owner_account, b->owner_account) != 0) {
            err = S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING;
            message = "The owner for the bucket to be logged and the target bucket must be the same.";
        } else if (grants) {
            enum store_config_state state;
            char *controls = NULL;
            if (store_get_bucket_config(call->store, target, "ownershipControls", &state, &controls) < 0 ||
                s3_ownership_read(state == STORE_CONFIG_UNSET ? S3_DEFAULT_OWNERSHIP_XML : controls, ownership,
                                  sizeof(ownership)) < 0)
                err = S3_ERR_INTERNAL_ERROR;
            else if (strcmp(ownership, "BucketOwnerEnforced") == 0)
                err = S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED;
            free(controls);
        }
        s3_bucket_free(&t);
    } else if (err == S3_ERR_NO_SUCH_BUCKET) {
        err = S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING;
    }
    if (err == S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED)
        message = "Target grants not allowed for bucket owner enforced buckets";
    if (err != S3_OK) {
        struct strbuf x;
        strbuf_init(&x);
        if (err == S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING)
            strbuf_xml_elem(&x, "TargetBucket", target);
        s3_fail(call, err, message, x.len && !strbuf_failed(&x) ? x.data : NULL);
        strbuf_free(&x);
    }
    free(target);
    return err == S3_OK;
}

/* Checks that depend on the bucket's other state; answers and returns false. */
static bool put_allowed(struct s3_call *call, const struct s3_bucket *b, enum s3_config_kind kind,
                        const char *doc)
{
    if (kind == S3_CONFIG_REPLICATION && strcmp(b->versioning, "Enabled") != 0) {
        s3_fail(call, S3_ERR_INVALID_REQUEST,
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration", NULL);
        return false;
    }
    if (kind == S3_CONFIG_LOGGING)
        return logging_target_ok(call, b, doc);
    return true;
}

static void put_xml_config(struct s3_call *call, const struct s3_bucket *b, enum s3_config_kind kind)
{
    struct strbuf doc;
    strbuf_init(&doc);
    const char *message = NULL;
    enum s3_err err = s3_config_canonicalize(kind, call->body.data, call->body.len, &doc, &message);
    if (err == S3_OK && strbuf_failed(&doc))
        err = S3_ERR_INTERNAL_ERROR;
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
    } else if (put_allowed(call, b, kind, doc.data)) {
        if (xml_configs[kind].store)
            xml_configs[kind].store(call, doc.data);
        else
            s3_config_store(call, s3_config_name(kind), doc.data, false);
    }
    strbuf_free(&doc);
}

static void run_xml_config(struct s3_call *call, const struct s3_bucket *b, enum s3_config_kind kind,
                           enum config_verb verb)
{
    const struct xml_config *c = &xml_configs[kind];
    switch (verb) {
    case VERB_GET:
        get_xml_config(call, c);
        break;
    case VERB_PUT:
        put_xml_config(call, b, kind);
        break;
    case VERB_DELETE:
        s3_config_store(call, s3_config_name(kind), NULL, c->delete_keeps_marker);
        break;
    }
}

/* The Get, Put or Delete of `kind` on the caller's bucket. */
static void run_config(struct s3_call *call, enum s3_config_kind kind, enum config_verb verb)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
        return;
    run_xml_config(call, &b, kind, verb);
    s3_bucket_free(&b);
}

void s3_config_get(struct s3_call *call, enum s3_config_kind kind)
{
    run_config(call, kind, VERB_GET);
}

void s3_config_put(struct s3_call *call, enum s3_config_kind kind)
{
    run_config(call, kind, VERB_PUT);
}

void s3_config_delete(struct s3_call *call, enum s3_config_kind kind)
{
    run_config(call, kind, VERB_DELETE);
}

/* ---- the handlers of the config family -------------------------------------- */

void s3_get_bucket_encryption(struct s3_call *call) { s3_config_get(call, S3_CONFIG_ENCRYPTION); }
void s3_put_bucket_encryption(struct s3_call *call) { s3_config_put(call, S3_CONFIG_ENCRYPTION); }
void s3_delete_bucket_encryption(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_ENCRYPTION); }
void s3_get_public_access_block(struct s3_call *call) { s3_config_get(call, S3_CONFIG_PUBLIC_ACCESS_BLOCK); }
void s3_put_public_access_block(struct s3_call *call) { s3_config_put(call, S3_CONFIG_PUBLIC_ACCESS_BLOCK); }
void s3_delete_public_access_block(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_PUBLIC_ACCESS_BLOCK); }
void s3_get_bucket_ownership_controls(struct s3_call *call) { s3_config_get(call, S3_CONFIG_OWNERSHIP); }
void s3_put_bucket_ownership_controls(struct s3_call *call) { s3_config_put(call, S3_CONFIG_OWNERSHIP); }
void s3_delete_bucket_ownership_controls(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_OWNERSHIP); }
void s3_get_bucket_logging(struct s3_call *call) { s3_config_get(call, S3_CONFIG_LOGGING); }
void s3_put_bucket_logging(struct s3_call *call) { s3_config_put(call, S3_CONFIG_LOGGING); }
void s3_get_bucket_request_payment(struct s3_call *call) { s3_config_get(call, S3_CONFIG_REQUEST_PAYMENT); }
void s3_put_bucket_request_payment(struct s3_call *call) { s3_config_put(call, S3_CONFIG_REQUEST_PAYMENT); }
void s3_get_bucket_accelerate(struct s3_call *call) { s3_config_get(call, S3_CONFIG_ACCELERATE); }
void s3_put_bucket_accelerate(struct s3_call *call) { s3_config_put(call, S3_CONFIG_ACCELERATE); }
void s3_get_bucket_replication(struct s3_call *call) { s3_config_get(call, S3_CONFIG_REPLICATION); }
void s3_put_bucket_replication(struct s3_call *call) { s3_config_put(call, S3_CONFIG_REPLICATION); }
void s3_delete_bucket_replication(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_REPLICATION); }

