/* s3_access: who may run an S3 operation on a bucket — S3's side of the
 * one authorization decision (server/core/authorize.h).
 *
 * The operation table (protocol/s3/operations.h) gives each operation its
 * IAM action and who may run it; this file says what it acts on: the
 * bucket's or the object's ARN (DeleteObjects: every object of the bucket),
 * the bucket owner's account, and the bucket policy — for the operations
 * others may be granted (GRANTED), and never for the policy family when
 * the owner's root (or, without enforcement, any of its keys) asks, so an
 * owner cannot lock itself out, as AWS lets the root user do. OWNER
 * operations leave the policy out: another account cannot be granted them.
 * Beside the policy, the ACLs grant others (another account, anonymous
 * callers): READ on the object for GetObject/HeadObject, READ on the
 * bucket for listings, WRITE on the bucket for writes. The public access
 * block is applied as AWS does: IgnorePublicAcls disregards grants to
 * AllUsers/AuthenticatedUsers, RestrictPublicBuckets keeps a public
 * policy's Allow from other accounts and anonymous callers;
 * BucketOwnerEnforced ownership disables ACLs. S3's condition keys are
 * gathered (request_keys_add) only when a policy may test them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "server/core/authorize.h"
#include "server/core/iam_keys.h"
#include "server/core/service.h"
#include "server/s3/entry.h"
#include "server/s3/s3.h"
#include "storage/s3/s3.h"

/* Who may run each operation, from the operation table
 * (protocol/s3/operations.h): whether a policy or an ACL may grant it to
 * others (GRANTED) or only the owner runs it (OWNER), and whether it
 * manages the bucket policy, which the owner's root may always do. */
struct op_access {
    enum s3_access access;
    bool manages_policy;
};
#define S3_OP_ACCESS(name, family, action, access, ...) \
    [S3_OP_##name] = {S3_ACCESS_##access, S3_FAMILY_##family == S3_FAMILY_policy},
static const struct op_access op_access[S3_OP__COUNT] = {S3_OPERATIONS(S3_OP_ACCESS)};

/* The operation's entry of the table as the generic code sees it. */
static const struct service_op *service_op_of(enum s3_op op) { return &s3_service_def.ops[op - 1]; }

/* What the ACLs must grant for an action: the permission and whether the
 * object's ACL (rather than the bucket's) decides. */
static const char *acl_permission(const char *action, bool *on_object)
{
    *on_object = false;
    if (strcmp(action, "s3:GetObject") == 0) {
        *on_object = true;
        return "READ";
    }
    if (strcmp(action, "s3:ListBucket") == 0)
        return "READ";
    if (strcmp(action, "s3:PutObject") == 0 || strcmp(action, "s3:DeleteObject") == 0)
        return "WRITE";
    return NULL;
}

/* ---- one decision ------------------------------------------------------------ */

/* What a decision knows of the request, and the storage of the condition
 * keys' values it gathers. */
struct s3_decision {
    const struct http_req *req;
    const struct iam_principal *who;
    const struct auth_result *auth;   /* NULL for anonymous callers and PostObject */
    bool post;                        /* PostObject (s3:authType POST) */
    struct store *store;
    const struct s3_bucket *bucket;   /* NULL: no bucket (ListBuckets, a missing one) */
    const char *key;                  /* NULL for bucket operations */
    enum s3_op op;
    struct s3_public_access_block pab;
    char *decoded[4];
    struct s3_kv *request_tags;       /* x-amz-tagging */
    size_t n_request_tags;
    struct s3_object existing;        /* the object, when a policy tests its tags */
    char *tag_key_names[2 * S3_MAX_OBJECT_TAGS];
    size_t n_tag_key_names;
};

static void decision_free(struct s3_decision *sd)
{
    for (size_t i = 0; i < sizeof(sd->decoded) / sizeof(sd->decoded[0]); i++)
        free(sd->decoded[i]);
    s3_kv_free_array(sd->request_tags, sd->n_request_tags);
    s3_object_free(&sd->existing);
    for (size_t i = 0; i < sd->n_tag_key_names; i++)
        free(sd->tag_key_names[i]);
}

/* Adds "<prefix><tag key>" = value for each tag. False when out of memory. */
static bool add_tag_keys(struct s3_decision *sd, struct iam_keys *k, const char *prefix, const struct s3_kv *tags,
                         size_t n)
{
    for (size_t i = 0; i < n && sd->n_tag_key_names < sizeof(sd->tag_key_names) / sizeof(sd->tag_key_names[0]); i++) {
        size_t len = strlen(prefix) + strlen(tags[i].name) + 1;
        char *name = malloc(len);
        if (!name)
            return false;
        snprintf(name, len, "%s%s", prefix, tags[i].name);
        sd->tag_key_names[sd->n_tag_key_names++] = name;
        iam_keys_add(k, name, tags[i].value);
    }
    return true;
}

/* The keys S3 puts in a request's context after the global ones:
 * s3:authType and s3:signatureversion, the listing parameters and
 * versionId from the query, the s3:x-amz-* / object lock keys from the
 * request's headers, s3:RequestObjectTag/<key> from x-amz-tagging and,
 * when a policy tests them, the object's own tags as
 * s3:ExistingObjectTag/<key>. False when out of memory. */
static bool request_keys_add(void *arg, struct iam_keys *k, const struct authorize_policies *ps)
{
    static const char *const query_keys[][2] = {
        {"s3:prefix", "prefix"}, {"s3:delimiter", "delimiter"}, {"s3:max-keys", "max-keys"},
        {"s3:VersionId", "versionId"}};
    static const char *const header_keys[][2] = {
        {"s3:x-amz-acl", "x-amz-acl"},
        {"s3:x-amz-grant-read", "x-amz-grant-read"},
        {"s3:x-amz-grant-write", "x-amz-grant-write"},
        {"s3:x-amz-grant-read-acp", "x-amz-grant-read-acp"},
        {"s3:x-amz-grant-write-acp", "x-amz-grant-write-acp"},
        {"s3:x-amz-grant-full-control", "x-amz-grant-full-control"},
        {"s3:x-amz-server-side-encryption", "x-amz-server-side-encryption"},
        {"s3:x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-aws-kms-key-id"},
        {"s3:x-amz-server-side-encryption-customer-algorithm", "x-amz-server-side-encryption-customer-algorithm"},
        {"s3:x-amz-storage-class", "x-amz-storage-class"},
        {"s3:x-amz-content-sha256", "x-amz-content-sha256"},
        {"s3:x-amz-copy-source", "x-amz-copy-source"},
        {"s3:x-amz-metadata-directive", "x-amz-metadata-directive"},
        {"s3:x-amz-website-redirect-location", "x-amz-website-redirect-location"},
        {"s3:object-lock-mode", "x-amz-object-lock-mode"},
        {"s3:object-lock-legal-hold", "x-amz-object-lock-legal-hold"},
        {"s3:object-lock-retain-until-date", "x-amz-object-lock-retain-until-date"},
        {"s3:if-match", "if-match"},
        {"s3:if-none-match", "if-none-match"}};
    struct s3_decision *sd = arg;
    const struct http_req *req = sd->req;
    if (sd->post) {
        iam_keys_add(k, "s3:authType", "POST");
    } else if (sd->auth) {
        iam_keys_add(k, "s3:authType", sd->auth->sig.presigned ? "REST-QUERY-STRING" : "REST-HEADER");
        iam_keys_add(k, "s3:signatureversion", sd->auth->sigv2 ? "AWS" : "AWS4-HMAC-SHA256");
    }
    bool ok = true;
    for (size_t i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++) {
        bool present;
        sd->decoded[i] = query_param(req->query, query_keys[i][1], &present);
        ok = ok && (sd->decoded[i] || !present);
        iam_keys_add(k, query_keys[i][0], sd->decoded[i]);
    }
    for (size_t i = 0; i < sizeof(header_keys) / sizeof(header_keys[0]); i++)
        iam_keys_add(k, header_keys[i][0], http_req_header(req, header_keys[i][1]));
    const char *tagging = http_req_header(req, "x-amz-tagging");
    const char *message;
    if (tagging && s3_parse_tagging_header(tagging, S3_MAX_OBJECT_TAGS, &sd->request_tags, &sd->n_request_tags,
                                           &message) == S3_OK)
        ok = ok && add_tag_keys(sd, k, "s3:RequestObjectTag/", sd->request_tags, sd->n_request_tags);
    if (sd->key && sd->bucket && authorize_policies_mention(ps, "ExistingObjectTag") &&
        store_get_object(sd->store, sd->bucket->name, sd->key, &sd->existing) == S3_OK)
        ok = ok && add_tag_keys(sd, k, "s3:ExistingObjectTag/", sd->existing.tags, sd->existing.n_tags);
    return ok;
}

/* The bucket's configuration of `kind`, or `fallback` when never set. */
static char *config_or_default(struct store *st, const char *bucket, const char *kind, const char *fallback,
                               bool *failed)
{
    enum store_config_state state;
    char *doc = NULL;
    if (store_get_bucket_config(st, bucket, kind, &state, &doc) < 0) {
        *failed = true;
        return NULL;
    }
    if (state == STORE_CONFIG_UNSET && fallback && !(doc = strdup(fallback)))
        *failed = true;
    return doc;
}

static bool acls_enabled(struct store *st, const char *bucket, bool *failed)
{
    char *doc = config_or_default(st, bucket, "ownershipControls", S3_DEFAULT_OWNERSHIP_XML, failed);
    char ownership[32];
    if (s3_ownership_read(doc, ownership, sizeof(ownership)) < 0)
        *failed = true;
    free(doc);
    return strcmp(ownership, "BucketOwnerEnforced") != 0;
}

/* True when the ACLs grant `permission` to the caller's class. */
static bool acl_grants(struct store *st, const struct s3_bucket *b, const char *key, const char *permission,
                       bool on_object, bool authenticated, bool *failed)
{
    struct s3_acl acl;
    if (!on_object) {
        if (s3_bucket_acl(st, b, &acl) < 0) {
            *failed = true;
            return false;
        }
    } else {
        struct s3_object o;
        if (!key || store_get_object(st, b->name, key, &o) != S3_OK)
            return false;
        char *doc = NULL;
        const char *message;
        if (store_get_object_acl(st, b->name, key, o.etag, o.last_modified_ms, &doc) < 0 || !doc) {
            s3_object_free(&o);
            free(doc);
            return false;
        }
        enum s3_err err = s3_acl_parse(doc, strlen(doc), &acl, &message);
        free(doc);
        s3_object_free(&o);
        if (err != S3_OK) {
            *failed = true;
            return false;
        }
    }
    bool granted = s3_acl_grants_public(&acl, permission, authenticated);
    s3_acl_free(&acl);
    return granted;
}

/* The ACLs' grant to another account or an anonymous caller (GRANTED
 * operations only): 1, 0, or -1 when they cannot be read. */
static int acl_grant(void *arg)
{
    struct s3_decision *sd = arg;
    bool on_object, failed = false;
    const char *permission = op_access[sd->op].access == S3_ACCESS_GRANTED
                                 ? acl_permission(service_op_of(sd->op)->action, &on_object) : NULL;
    if (!permission || sd->pab.ignore_public_acls || !acls_enabled(sd->store, sd->bucket->name, &failed))
        return failed ? -1 : 0;
    bool granted = acl_grants(sd->store, sd->bucket, sd->key, permission, on_object,
                              sd->who->type != IAM_PRINCIPAL_ANONYMOUS, &failed);
    return failed ? -1 : granted;
}

/* The ARN the operation acts on. */
static void resource_arn(enum s3_op op, const char *bucket, const char *key, char *out, size_t cap)
{
    if (!bucket)
        snprintf(out, cap, "*");
    else if (key)
        snprintf(out, cap, "arn:aws:s3:::%s/%s", bucket, key);
    else if (op == S3_OP_DeleteObjects)
        snprintf(out, cap, "arn:aws:s3:::%s/*", bucket);
    else
        snprintf(out, cap, "arn:aws:s3:::%s", bucket);
}

/* Fills sd's target: owner, policy (owned by the caller, *policy) and
 * the public access block. False when the bucket's configuration cannot
 * be read. */
static bool prepare_target(struct s3_decision *sd, bool enforcing, char **policy, struct authorize_target *t,
                           char *resource, size_t cap)
{
    const struct iam_principal *who = sd->who;
    const struct s3_bucket *b = sd->bucket;
    bool failed = false;
    *policy = NULL;
    resource_arn(sd->op, b ? b->name : NULL, sd->key, resource, cap);
    *t = (struct authorize_target){.resource = resource, .add_keys = request_keys_add, .arg = sd};
    if (!b)
        return true;
    t->owner = b->owner_account;
    bool outsider = who->type == IAM_PRINCIPAL_ANONYMOUS || strcmp(who->account, b->owner_account) != 0;
    bool owner_root = !outsider && (!enforcing || who->type == IAM_PRINCIPAL_ROOT);
    const struct op_access *rule = &op_access[sd->op];
    if (rule->access == S3_ACCESS_GRANTED && !(rule->manages_policy && owner_root))
        *policy = config_or_default(sd->store, b->name, "policy", NULL, &failed);
    t->policy = *policy;
    if (outsider) {
        char *pab_doc = config_or_default(sd->store, b->name, "publicAccessBlock", S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML,
                                          &failed);
        if (s3_public_access_block_read(pab_doc, &sd->pab) < 0)
            failed = true;
        free(pab_doc);
        t->policy_allows_no_outsider = sd->pab.restrict_public_buckets && iam_policy_is_public(*policy);
        t->other_grant = acl_grant;
    }
    return !failed;
}

/* x-amz-acl / x-amz-grant-* on an object write (PutObject, CopyObject,
 * CreateMultipartUpload), checked as PutObjectAcl checks them: refused
 * beyond the owner under BucketOwnerEnforced (AccessControlListNotSupported)
 * and when public while the public access block blocks public ACLs
 * (AccessDenied). An ACL giving more than the owner's full control is kept
 * in call->object_acl for the store to give the new object in the write's
 * own transaction. call->account is the bucket owner by now, and the new
 * object's owner. Answers and returns false when refused. */
static bool keep_object_acl(struct s3_call *call, struct s3_acl *acl)
{
    bool ok = s3_acl_permitted(call, acl);
    if (ok && s3_acl_is_beyond_owner(acl)) {
        s3_acl_xml(&call->object_acl, acl);
        if (strbuf_failed(&call->object_acl)) {
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
            ok = false;
        }
    }
    s3_acl_free(acl);
    return ok;
}

static bool object_write_acl_ok(struct s3_call *call)
{
    enum s3_op op = call->route.op;
    if (op != S3_OP_PutObject && op != S3_OP_CopyObject && op != S3_OP_CreateMultipartUpload)
        return true;
    struct s3_acl acl;
    int rc = s3_header_acl(call, call->account, call->account, &acl);
    if (rc <= 0)
        return rc == 0;
    return keep_object_acl(call, &acl);
}

bool s3_access_post_acl(struct s3_call *call, const char *canned)
{
    struct s3_acl acl;
    enum s3_err err = s3_acl_canned(canned, call->account, call->account, &acl);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return false;
    }
    return keep_object_acl(call, &acl);
}

bool s3_access_anonymous_read(const struct http_req *req, const struct s3_bucket *b, const char *key)
{
    static const struct iam_principal anonymous = {.type = IAM_PRINCIPAL_ANONYMOUS};
    struct s3_decision sd = {
        .req = req, .who = &anonymous, .store = req->srv->store, .bucket = b, .key = key, .op = S3_OP_GetObject};
    struct authorize_target t;
    char resource[2200], *policy = NULL;
    struct authorize_decision d;
    bool allowed = prepare_target(&sd, req->srv->cfg->enforce_iam, &policy, &t, resource, sizeof(resource)) &&
                   authorize_decide(req->srv, req, &anonymous, service_op_of(S3_OP_GetObject)->action, &t, &d) ==
                       AUTHORIZE_ALLOWED;
    free(policy);
    decision_free(&sd);
    return allowed;
}

void s3_access_denied(struct http_req *req, const char *message)
{
    struct s3_call *call = req->handler;
    /* S3 words its denials only for its own account's callers (and, here,
     * only when policies are enforced); others get "Access Denied". */
    s3_fail(call, S3_ERR_ACCESS_DENIED, req->srv->cfg->enforce_iam && !call->outsider ? message : NULL, NULL);
}

bool s3_access_authorize(struct s3_call *call, bool anonymous)
{
    enum s3_op op = call->route.op;
    if (op == S3_OP_UNKNOWN) {     /* answered NotImplemented, when signed */
        if (anonymous)
            s3_fail(call, S3_ERR_ACCESS_DENIED, NULL, NULL);
        return !anonymous;
    }
    struct s3_bucket b;
    bool has_bucket = false;
    if (call->route.bucket && op != S3_OP_CreateBucket) {
        enum s3_err err = store_get_bucket(call->store, call->route.bucket, &b);
        if (err != S3_OK && anonymous) {
            s3_fail(call, err, NULL, NULL);
            return false;
        }
        has_bucket = err == S3_OK;     /* a missing one: the handler answers NoSuchBucket once allowed */
    }
    struct s3_decision sd = {
        .req = call->req,
        .who = &call->req->caller,
        .auth = anonymous || op == S3_OP_PostObject ? NULL : &call->auth,
        .post = op == S3_OP_PostObject,
        .store = call->store,
        .bucket = has_bucket ? &b : NULL,
        .key = call->route.key,
        .op = op,
    };
    struct authorize_target t;
    char resource[2200], *policy = NULL;
    bool ready = prepare_target(&sd, call->srv->cfg->enforce_iam, &policy, &t, resource, sizeof(resource));
    if (!has_bucket && call->route.bucket)
        resource_arn(op, call->route.bucket, call->route.key, resource, sizeof(resource));
    call->outsider = t.owner && (anonymous || strcmp(t.owner, call->account) != 0);
    bool allowed = false;
    if (!ready)
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket's access configuration", NULL);
    else
        allowed = authorize_request(call->req, &s3_service_def, service_op_of(op), &t);
    /* Callers acting on another account's bucket act as its owner from now on. */
    if (allowed && call->outsider)
        memcpy(call->account, b.owner_account, sizeof(call->account));
    free(policy);
    decision_free(&sd);
    uint64_t snapshot = store_read_snapshot(call->store);
    if (has_bucket && allowed && snapshot && !call->has_kept_bucket) {
        call->kept_bucket = b;
        call->kept_bucket_snapshot = snapshot;
        call->has_kept_bucket = true;
    } else if (has_bucket) {
        s3_bucket_free(&b);
    }
    return allowed && object_write_acl_ok(call);
}
