/* s3_config: the handlers of the bucket sub-resources — policy, policy
 * status, ACL (bucket and object), CORS, lifecycle, encryption, public
 * access block, ownership controls, website, logging, request payment,
 * accelerate, replication — and the CORS preflight.
 *
 * Every XML configuration follows one table: its storage kind, its
 * not-found error, the document a bucket reports when none was set (new
 * AWS buckets report SSE-S3 encryption, all four public access blocks on,
 * BucketOwnerEnforced ownership, an empty logging status, BucketOwner
 * payer, no accelerate status) and what DELETE does (forget the row, or
 * keep a "removed" marker so the default stops applying). PUT bodies are
 * validated and canonicalised by protocol/s3/bucket_config.c; reads answer
 * at once, writes from their durable completion. */
#include "server/s3/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "storage/s3/config.h"

enum config_verb { VERB_GET, VERB_PUT, VERB_DELETE };

struct xml_config {
    enum s3_config_kind kind;
    enum s3_err not_found;
    const char *default_doc;       /* NULL: not-found when unset */
    bool delete_keeps_marker;
};

static const struct xml_config xml_configs[S3_CONFIG__COUNT] = {
    [S3_CONFIG_CORS] = {S3_CONFIG_CORS, S3_ERR_NO_SUCH_CORS_CONFIGURATION, NULL, false},
    [S3_CONFIG_LIFECYCLE] = {S3_CONFIG_LIFECYCLE, S3_ERR_NO_SUCH_LIFECYCLE_CONFIGURATION, NULL, false},
    [S3_CONFIG_ENCRYPTION] = {S3_CONFIG_ENCRYPTION, S3_OK, S3_DEFAULT_ENCRYPTION_XML, false},
    [S3_CONFIG_PUBLIC_ACCESS_BLOCK] = {S3_CONFIG_PUBLIC_ACCESS_BLOCK,
                                       S3_ERR_NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION,
                                       S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML, true},
    [S3_CONFIG_OWNERSHIP] = {S3_CONFIG_OWNERSHIP, S3_ERR_OWNERSHIP_CONTROLS_NOT_FOUND,
                             S3_DEFAULT_OWNERSHIP_XML, true},
    [S3_CONFIG_WEBSITE] = {S3_CONFIG_WEBSITE, S3_ERR_NO_SUCH_WEBSITE_CONFIGURATION, NULL, false},
    [S3_CONFIG_LOGGING] = {S3_CONFIG_LOGGING, S3_OK, S3_EMPTY_LOGGING_XML, false},
    [S3_CONFIG_REQUEST_PAYMENT] = {S3_CONFIG_REQUEST_PAYMENT, S3_OK, S3_DEFAULT_REQUEST_PAYMENT_XML, false},
    [S3_CONFIG_ACCELERATE] = {S3_CONFIG_ACCELERATE, S3_OK, S3_EMPTY_ACCELERATE_XML, false},
    [S3_CONFIG_REPLICATION] = {S3_CONFIG_REPLICATION, S3_ERR_REPLICATION_CONFIGURATION_NOT_FOUND, NULL, false},
};

/* ---- answering ---------------------------------------------------------- */

static void send_document(struct s3_call *call, const char *content_type, const char *prefix, const char *doc)
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

static void fail_bucket_name(struct s3_call *call, enum s3_err err)
{
    struct strbuf x;
    strbuf_init(&x);
    strbuf_xml_elem(&x, "BucketName", call->route.bucket);
    s3_fail(call, err, NULL, strbuf_failed(&x) ? NULL : x.data);
    strbuf_free(&x);
}

/* Completion of a configuration write: 200, or 204 for deletes and policies. */
static void write_done(void *arg, bool ok)
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

static void store_config(struct s3_call *call, const char *kind, const char *doc, bool keep_marker)
{
    if (store_put_bucket_config(call->store, call->route.bucket, kind, doc, keep_marker, write_done, call) < 0)
        s3_fail_unqueued(call);
}

/* Loads a configuration of the caller's bucket; answers and returns -1 on error. */
static int load_config(struct s3_call *call, const char *kind, enum store_config_state *state, char **doc)
{
    if (store_get_bucket_config(call->store, call->route.bucket, kind, state, doc) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return -1;
    }
    return 0;
}

/* ---- XML configurations ------------------------------------------------- */

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
static int add_transition_minimum(struct s3_call *call)
{
    enum store_config_state state;
    char *value = NULL;
    if (load_config(call, TRANSITION_MINIMUM_KIND, &state, &value) < 0)
        return -1;
    http_resp_header(call->req, TRANSITION_MINIMUM_HEADER, value ? value : TRANSITION_MINIMUM_DEFAULT);
    free(value);
    return 0;
}

static void get_xml_config(struct s3_call *call, const struct xml_config *c)
{
    enum store_config_state state;
    char *doc = NULL;
    if (load_config(call, s3_config_name(c->kind), &state, &doc) < 0)
        return;
    const char *answer = doc;
    if (!answer && (state == STORE_CONFIG_UNSET || !c->delete_keeps_marker))
        answer = c->default_doc;
    if (answer && c->kind == S3_CONFIG_LIFECYCLE && add_transition_minimum(call) < 0)
        answer = NULL;
    else if (answer)
        send_document(call, "application/xml", S3_XML_DECL, answer);
    else if (!call->req->responded)
        fail_bucket_name(call, c->not_found);
    free(doc);
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
    else if (store_put_bucket_config(call->store, call->route.bucket, "lifecycle", lp->doc, false, write_done, call) < 0)
        s3_fail_unqueued(call);
    free(lp->doc);
    free(lp);
}

static void put_lifecycle(struct s3_call *call, const char *doc)
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

/* Checks that depend on the bucket's other state; answers and returns false. */
static bool put_allowed(struct s3_call *call, const struct s3_bucket *b, enum s3_config_kind kind,
                        const char *doc)
{
    if (kind == S3_CONFIG_REPLICATION && strcmp(b->versioning, "Enabled") != 0) {
        s3_fail(call, S3_ERR_INVALID_REQUEST,
                "Versioning must be 'Enabled' on the bucket to apply a replication configuration", NULL);
        return false;
    }
    if (kind == S3_CONFIG_LOGGING) {
        char *target = NULL;
        if (s3_logging_target(doc, &target) < 0) {
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
            return false;
        }
        struct s3_bucket t;
        enum s3_err err = target ? store_get_bucket(call->store, target, &t) : S3_OK;
        if (target && err == S3_OK)
            s3_bucket_free(&t);
        free(target);
        if (err != S3_OK) {
            s3_fail(call, S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING, NULL, NULL);
            return false;
        }
    }
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
        if (kind == S3_CONFIG_LIFECYCLE)
            put_lifecycle(call, doc.data);
        else
            store_config(call, s3_config_name(kind), doc.data, false);
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
        store_config(call, s3_config_name(kind), NULL, c->delete_keeps_marker);
        break;
    }
}

/* ---- policy ----------------------------------------------------------------- */

static void get_policy(struct s3_call *call, bool status_only)
{
    enum store_config_state state;
    char *doc = NULL;
    if (load_config(call, "policy", &state, &doc) < 0)
        return;
    if (!doc) {
        fail_bucket_name(call, S3_ERR_NO_SUCH_BUCKET_POLICY);
        return;
    }
    if (status_only)
        send_document(call, "application/xml", S3_XML_DECL,
                      iam_policy_is_public(doc)
                          ? "<PolicyStatus xmlns=\"" S3_XMLNS "\"><IsPublic>true</IsPublic></PolicyStatus>"
                          : "<PolicyStatus xmlns=\"" S3_XMLNS "\"><IsPublic>false</IsPublic></PolicyStatus>");
    else
        send_document(call, "application/json", "", doc);
    free(doc);
}

/* The bucket's public access block (defaults included). -1 on error. */
static int bucket_pab(struct s3_call *call, struct s3_public_access_block *pab)
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

static void put_policy(struct s3_call *call)
{
    const char *message = NULL;
    const char *body = call->body.data ? call->body.data : "";
    enum s3_err err = s3_policy_validate(body, call->body.len, call->route.bucket, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return;
    }
    struct s3_public_access_block pab;
    if (bucket_pab(call, &pab) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return;
    }
    if (pab.block_public_policy && iam_policy_is_public(body)) {
        s3_fail(call, S3_ERR_ACCESS_DENIED,
                "User is not authorized to perform: s3:PutBucketPolicy on resource because public policies are "
                "blocked by the BlockPublicPolicy block public access setting.", NULL);
        return;
    }
    store_config(call, "policy", body, false);
}

/* ---- ACLs ------------------------------------------------------------------ */

int s3_bucket_acl(struct store *st, const struct s3_bucket *b, struct s3_acl *out)
{
    enum store_config_state state;
    char *doc = NULL;
    if (store_get_bucket_config(st, b->name, "acl", &state, &doc) < 0)
        return -1;
    const char *message;
    enum s3_err err = doc ? s3_acl_parse(doc, strlen(doc), out, &message)
                          : s3_acl_canned("private", b->owner_account, NULL, out);
    free(doc);
    return err == S3_OK ? 0 : -1;
}

static void send_acl(struct s3_call *call, const struct s3_acl *acl)
{
    struct strbuf xml;
    strbuf_init(&xml);
    strbuf_puts(&xml, S3_XML_DECL);
    s3_acl_xml(&xml, acl);
    s3_reply_xml(call, &xml);
}

int s3_header_acl(struct s3_call *call, const char *owner, const char *bucket_owner, struct s3_acl *acl)
{
    static const struct {
        const char *header, *permission;
    } grant_headers[] = {
        {"x-amz-grant-full-control", "FULL_CONTROL"}, {"x-amz-grant-read", "READ"},
        {"x-amz-grant-read-acp", "READ_ACP"},         {"x-amz-grant-write", "WRITE"},
        {"x-amz-grant-write-acp", "WRITE_ACP"},
    };
    const char *canned = http_req_header(call->req, "x-amz-acl");
    bool has_grants = false;
    for (size_t i = 0; i < sizeof(grant_headers) / sizeof(grant_headers[0]); i++)
        has_grants |= http_req_header(call->req, grant_headers[i].header) != NULL;
    if (!canned && !has_grants)
        return 0;
    if (canned && has_grants) {
        s3_fail(call, S3_ERR_INVALID_REQUEST, "Specifying both Canned ACLs and Header Grants is not allowed", NULL);
        return -1;
    }
    enum s3_err err;
    if (canned) {
        err = s3_acl_canned(canned, owner, bucket_owner, acl);
    } else {
        memset(acl, 0, sizeof(*acl));
        snprintf(acl->owner, sizeof(acl->owner), "%s", owner);
        err = S3_OK;
        for (size_t i = 0; i < sizeof(grant_headers) / sizeof(grant_headers[0]) && err == S3_OK; i++) {
            const char *v = http_req_header(call->req, grant_headers[i].header);
            if (v)
                err = s3_acl_add_header_grants(acl, grant_headers[i].permission, v);
        }
        if (err != S3_OK)
            s3_acl_free(acl);
    }
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return -1;
    }
    return 1;
}

/* The ACL a PutBucketAcl/PutObjectAcl asks for, from x-amz-acl, the
 * x-amz-grant-* headers or the body. Answers and returns -1 on error. */
static int requested_acl(struct s3_call *call, const char *owner, struct s3_acl *acl)
{
    int rc = s3_header_acl(call, owner, NULL, acl);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (!call->body.len) {
        s3_fail(call, S3_ERR_MISSING_SECURITY_HEADER, "Your request was missing a required header", "<MissingHeaderName>x-amz-acl</MissingHeaderName>");
        return -1;
    }
    const char *message = NULL;
    enum s3_err err = s3_acl_parse(call->body.data, call->body.len, acl, &message);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return -1;
    }
    snprintf(acl->owner, sizeof(acl->owner), "%s", owner);
    return 0;
}

bool s3_acl_permitted(struct s3_call *call, const struct s3_acl *acl)
{
    enum store_config_state state;
    char *doc = NULL;
    char ownership[32];
    struct s3_public_access_block pab;
    if (load_config(call, "ownershipControls", &state, &doc) < 0)
        return false;
    int rc = s3_ownership_read(state == STORE_CONFIG_UNSET ? S3_DEFAULT_OWNERSHIP_XML : doc, ownership,
                               sizeof(ownership));
    free(doc);
    if (rc < 0 || bucket_pab(call, &pab) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return false;
    }
    if (strcmp(ownership, "BucketOwnerEnforced") == 0 && s3_acl_is_beyond_owner(acl)) {
        s3_fail(call, S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED, NULL, NULL);
        return false;
    }
    if (pab.block_public_acls && (s3_acl_grants_public(acl, "READ", true) || s3_acl_grants_public(acl, "WRITE", true) ||
                                  s3_acl_grants_public(acl, "READ_ACP", true) ||
                                  s3_acl_grants_public(acl, "WRITE_ACP", true))) {
        s3_fail(call, S3_ERR_ACCESS_DENIED, NULL, NULL);
        return false;
    }
    return true;
}

static void put_bucket_acl(struct s3_call *call, const struct s3_bucket *b)
{
    struct s3_acl acl;
    if (requested_acl(call, b->owner_account, &acl) < 0)
        return;
    if (s3_acl_permitted(call, &acl)) {
        struct strbuf xml;
        strbuf_init(&xml);
        s3_acl_xml(&xml, &acl);
        if (strbuf_failed(&xml))
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        else
            store_config(call, "acl", xml.data, false);
        strbuf_free(&xml);
    }
    s3_acl_free(&acl);
}

static void object_acl(struct s3_call *call, bool put)
{
    struct s3_object o;
    enum s3_err err = store_get_object(call->store, call->route.bucket, call->route.key, &o);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    char *stored = NULL;
    struct s3_acl acl;
    const char *message = NULL;
    if (store_get_object_acl(call->store, call->route.bucket, call->route.key, o.etag, o.last_modified_ms, &stored) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the object ACL", NULL);
    } else if (!put) {
        err = stored ? s3_acl_parse(stored, strlen(stored), &acl, &message)
                     : s3_acl_canned("private", o.owner_account, NULL, &acl);
        if (err == S3_OK) {
            send_acl(call, &acl);
            s3_acl_free(&acl);
        } else {
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the object ACL", NULL);
        }
    } else if (requested_acl(call, o.owner_account, &acl) == 0) {
        if (s3_acl_permitted(call, &acl)) {
            struct strbuf xml;
            strbuf_init(&xml);
            s3_acl_xml(&xml, &acl);
            if (strbuf_failed(&xml))
                s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
            else if (store_put_object_acl(call->store, call->route.bucket, call->route.key, o.etag,
                                          o.last_modified_ms, xml.data, write_done, call) < 0)
                s3_fail_unqueued(call);
            strbuf_free(&xml);
        }
        s3_acl_free(&acl);
    }
    free(stored);
    s3_object_free(&o);
}

/* ---- handlers ------------------------------------------------------------- */

/* The caller's bucket, or answers and returns false. */
static bool owned_bucket(struct s3_call *call, struct s3_bucket *b)
{
    enum s3_err err = s3_owned_bucket(call, b);
    if (err == S3_OK)
        return true;
    s3_fail(call, err, NULL, NULL);
    return false;
}

static void run_config(struct s3_call *call, enum s3_config_kind kind, enum config_verb verb)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
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

void s3_get_bucket_cors(struct s3_call *call) { s3_config_get(call, S3_CONFIG_CORS); }
void s3_put_bucket_cors(struct s3_call *call) { s3_config_put(call, S3_CONFIG_CORS); }
void s3_delete_bucket_cors(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_CORS); }
void s3_get_bucket_lifecycle(struct s3_call *call) { s3_config_get(call, S3_CONFIG_LIFECYCLE); }
void s3_put_bucket_lifecycle(struct s3_call *call) { s3_config_put(call, S3_CONFIG_LIFECYCLE); }
void s3_delete_bucket_lifecycle(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_LIFECYCLE); }
void s3_get_bucket_website(struct s3_call *call) { s3_config_get(call, S3_CONFIG_WEBSITE); }
void s3_put_bucket_website(struct s3_call *call) { s3_config_put(call, S3_CONFIG_WEBSITE); }
void s3_delete_bucket_website(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_WEBSITE); }
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

void s3_get_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        get_policy(call, false);
}

void s3_get_bucket_policy_status(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        get_policy(call, true);
}

void s3_put_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        put_policy(call);
}

void s3_delete_bucket_policy(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        store_config(call, "policy", NULL, false);
}

void s3_get_bucket_acl(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    struct s3_acl acl;
    if (s3_bucket_acl(call->store, &b, &acl) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket ACL", NULL);
    } else {
        send_acl(call, &acl);
        s3_acl_free(&acl);
    }
    s3_bucket_free(&b);
}

void s3_put_bucket_acl(struct s3_call *call)
{
    struct s3_bucket b;
    if (!owned_bucket(call, &b))
        return;
    put_bucket_acl(call, &b);
    s3_bucket_free(&b);
}

void s3_get_object_acl(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        object_acl(call, false);
}

void s3_put_object_acl(struct s3_call *call)
{
    if (s3_require_owned_bucket(call))
        object_acl(call, true);
}

/* ---- CORS preflight -------------------------------------------------------- */

static void fail_cors(struct s3_call *call, enum s3_err err, const char *message, const char *method)
{
    struct strbuf x;
    strbuf_init(&x);
    if (method) {
        strbuf_xml_elem(&x, "Method", method);
        strbuf_xml_elem(&x, "ResourceType", call->route.key ? "OBJECT" : "BUCKET");
    }
    s3_fail(call, err, message, method && !strbuf_failed(&x) ? x.data : NULL);
    strbuf_free(&x);
}

void s3_cors_preflight(struct s3_call *call)
{
    struct http_req *req = call->req;
    const char *origin = http_req_header(req, "origin");
    const char *method = http_req_header(req, "access-control-request-method");
    if (!call->route.bucket || !origin) {
        s3_fail(call, S3_ERR_BAD_REQUEST, "Insufficient information. Origin request header needed.", NULL);
        return;
    }
    if (!method) {
        s3_fail(call, S3_ERR_BAD_REQUEST, "Invalid Access-Control-Request-Method: null", NULL);
        return;
    }
    struct s3_bucket b;
    enum s3_err err = store_get_bucket(call->store, call->route.bucket, &b);
    if (err != S3_OK) {
        fail_bucket_name(call, err);
        return;
    }
    s3_bucket_free(&b);
    enum store_config_state state;
    char *doc = NULL;
    if (load_config(call, "cors", &state, &doc) < 0)
        return;
    if (!doc) {
        fail_cors(call, S3_ERR_ACCESS_FORBIDDEN, "CORSResponse: CORS is not enabled for this bucket.", method);
        return;
    }
    struct s3_cors_grant grant;
    int rc = s3_cors_match(doc, origin, method, http_req_header(req, "access-control-request-headers"), &grant);
    free(doc);
    if (rc < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the CORS configuration", NULL);
    } else if (rc == 0) {
        fail_cors(call, S3_ERR_ACCESS_FORBIDDEN, NULL, method);
    } else {
        s3_cors_add_grant_headers(req, &grant);
        s3_cors_grant_free(&grant);
        http_resp_send(req, 200, NULL, NULL, 0);
    }
}
