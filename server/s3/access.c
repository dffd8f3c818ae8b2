/* s3_access: who may run an S3 operation on a bucket.
 *
 * The operation table (protocol/s3/operations.h) gives each operation its
 * IAM action and who may run it. The bucket owner may run anything; an
 * explicit Deny in the bucket policy binds it for the operations others
 * may be granted (GRANTED), the policy's own excepted, so an owner cannot
 * lock itself out, as AWS lets the root user do. Anyone else — another
 * account, or an anonymous caller — may run only GRANTED operations, when
 * the bucket policy allows the action (s3:GetObject, ...) or an ACL
 * grants it: READ on the object for
 * GetObject/HeadObject, READ on the bucket for listings, WRITE on the
 * bucket for writes. The public access block is applied as AWS does:
 * IgnorePublicAcls disregards grants to AllUsers/AuthenticatedUsers,
 * RestrictPublicBuckets refuses other accounts and anonymous callers
 * access through a public policy; BucketOwnerEnforced ownership disables
 * ACLs. A policy's Condition blocks are decided against the request's
 * condition keys, gathered below only when the bucket has a policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/policy.h"
#include "server/core/iam_keys.h"
#include "server/s3/s3.h"
#include "storage/s3/s3.h"

/* Who may run each operation, from the operation table
 * (protocol/s3/operations.h): its IAM action, whether a policy or an ACL
 * may grant it to others (GRANTED) or only the owner runs it (OWNER), and
 * whether it manages the bucket policy, which an owner may always do. */
struct op_access {
    const char *action;
    enum s3_access access;
    bool manages_policy;
};
#define S3_OP_ACCESS(name, family, action, access, ...) \
    [S3_OP_##name] = {action, S3_ACCESS_##access, S3_FAMILY_##family == S3_FAMILY_policy},
static const struct op_access op_access[S3_OP__COUNT] = {S3_OPERATIONS(S3_OP_ACCESS)};

/* The IAM action a policy or an ACL may grant the operation to others
 * with, or NULL when only the owner may run it. */
static const char *grantable_action(enum s3_op op)
{
    return op_access[op].access == S3_ACCESS_GRANTED ? op_access[op].action : NULL;
}

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

/* ---- the request's condition keys ---------------------------------------- */

/* What a policy evaluation knows of the request. */
struct policy_request {
    const struct http_req *req;
    const struct auth_result *auth;   /* NULL for anonymous callers and PostObject */
    bool post;                        /* PostObject (s3:authType POST) */
    struct store *store;              /* for s3:ExistingObjectTag/<key>: the object's tags */
    const char *bucket, *key;         /* key NULL for bucket operations */
};

/* The condition keys of one request, and the values and names they hold. */
struct request_keys {
    struct iam_keys base;
    char *decoded[4];
    struct s3_kv *request_tags;       /* x-amz-tagging */
    size_t n_request_tags;
    struct s3_object existing;        /* the object, when the policy tests its tags */
    char *tag_key_names[2 * S3_MAX_OBJECT_TAGS];
    size_t n_tag_key_names;
};

/* Adds "<prefix><tag key>" = value for each tag. False when out of memory. */
static bool add_tag_keys(struct request_keys *rk, const char *prefix, const struct s3_kv *tags, size_t n)
{
    for (size_t i = 0; i < n && rk->n_tag_key_names < sizeof(rk->tag_key_names) / sizeof(rk->tag_key_names[0]); i++) {
        size_t len = strlen(prefix) + strlen(tags[i].name) + 1;
        char *name = malloc(len);
        if (!name)
            return false;
        snprintf(name, len, "%s%s", prefix, tags[i].name);
        rk->tag_key_names[rk->n_tag_key_names++] = name;
        iam_keys_add(&rk->base, name, tags[i].value);
    }
    return true;
}

/* The keys S3 puts in a request's context: the global aws:* keys
 * (iam_keys.c), s3:authType and s3:signatureversion, the listing
 * parameters and versionId from the query, the s3:x-amz-* / object lock
 * keys from the request's headers, s3:RequestObjectTag/<key> from
 * x-amz-tagging and, when the policy tests them, the object's own tags as
 * s3:ExistingObjectTag/<key>. False when out of memory. */
static bool request_keys_build(struct request_keys *rk, const struct policy_request *pr, const char *account,
                               const char *policy)
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
    const struct http_req *req = pr->req;
    struct iam_keys *k = &rk->base;
    memset(rk, 0, sizeof(*rk));
    iam_keys_init(k, req, account);
    if (pr->post) {
        iam_keys_add(k, "s3:authType", "POST");
    } else if (pr->auth) {
        iam_keys_add(k, "s3:authType", pr->auth->sig.presigned ? "REST-QUERY-STRING" : "REST-HEADER");
        iam_keys_add(k, "s3:signatureversion", pr->auth->sigv2 ? "AWS" : "AWS4-HMAC-SHA256");
    }
    bool ok = true;
    for (size_t i = 0; i < sizeof(query_keys) / sizeof(query_keys[0]); i++) {
        bool present;
        rk->decoded[i] = query_param(req->query, query_keys[i][1], &present);
        ok = ok && (rk->decoded[i] || !present);
        iam_keys_add(k, query_keys[i][0], rk->decoded[i]);
    }
    for (size_t i = 0; i < sizeof(header_keys) / sizeof(header_keys[0]); i++)
        iam_keys_add(k, header_keys[i][0], http_req_header(req, header_keys[i][1]));
    const char *tagging = http_req_header(req, "x-amz-tagging");
    const char *message;
    if (tagging && s3_parse_tagging_header(tagging, S3_MAX_OBJECT_TAGS, &rk->request_tags, &rk->n_request_tags,
                                           &message) == S3_OK)
        ok = ok && add_tag_keys(rk, "s3:RequestObjectTag/", rk->request_tags, rk->n_request_tags);
    if (pr->key && pr->store && strstr(policy, "ExistingObjectTag") &&
        store_get_object(pr->store, pr->bucket, pr->key, &rk->existing) == S3_OK)
        ok = ok && add_tag_keys(rk, "s3:ExistingObjectTag/", rk->existing.tags, rk->existing.n_tags);
    return ok;
}

static void request_keys_free(struct request_keys *rk)
{
    for (size_t i = 0; i < sizeof(rk->decoded) / sizeof(rk->decoded[0]); i++)
        free(rk->decoded[i]);
    s3_kv_free_array(rk->request_tags, rk->n_request_tags);
    s3_object_free(&rk->existing);
    for (size_t i = 0; i < rk->n_tag_key_names; i++)
        free(rk->tag_key_names[i]);
}

/* iam_policy_evaluate with the request's condition keys (none gathered
 * when there is no policy); *failed when they cannot be gathered. */
static enum iam_decision evaluate_policy(const char *policy, const char *account, const char *action,
                                         const char *resource, const struct policy_request *pr, bool *failed)
{
    if (!policy)
        return IAM_NO_MATCH;
    struct request_keys rk;
    enum iam_decision d = IAM_DENY;
    if (request_keys_build(&rk, pr, account, policy)) {
        struct iam_context ctx = iam_keys_context(&rk.base);
        d = iam_policy_evaluate(policy, account, action, resource, &ctx);
    } else {
        *failed = true;
    }
    request_keys_free(&rk);
    return d;
}

/* ---- decisions -------------------------------------------------------------- */

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

/* The decision for a caller who does not own the bucket; `account` NULL
 * for anonymous callers. */
static bool outsider_allowed(struct store *st, const struct s3_bucket *b, const char *account, enum s3_op op,
                             const char *key, const struct policy_request *pr, bool *failed)
{
    const char *action = grantable_action(op);
    if (!action)
        return false;
    char resource[2200];
    if (key)
        snprintf(resource, sizeof(resource), "arn:aws:s3:::%s/%s", b->name, key);
    else if (op == S3_OP_DeleteObjects)
        snprintf(resource, sizeof(resource), "arn:aws:s3:::%s/*", b->name);
    else
        snprintf(resource, sizeof(resource), "arn:aws:s3:::%s", b->name);
    char *policy = config_or_default(st, b->name, "policy", NULL, failed);
    char *pab_doc = config_or_default(st, b->name, "publicAccessBlock", S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML, failed);
    struct s3_public_access_block pab;
    if (s3_public_access_block_read(pab_doc, &pab) < 0)
        *failed = true;
    free(pab_doc);
    enum iam_decision d = evaluate_policy(policy, account, action, resource, pr, failed);
    bool allowed = d == IAM_ALLOW && !(pab.restrict_public_buckets && iam_policy_is_public(policy));
    free(policy);
    if (d == IAM_DENY || *failed)
        return false;
    bool on_object;
    const char *permission = acl_permission(action, &on_object);
    if (!allowed && permission && !pab.ignore_public_acls && acls_enabled(st, b->name, failed))
        allowed = acl_grants(st, b, key, permission, on_object, account != NULL, failed);
    return allowed && !*failed;
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
    bool failed = false;
    struct policy_request pr = {.req = req, .store = req->srv->store, .bucket = b->name, .key = key};
    return outsider_allowed(req->srv->store, b, NULL, S3_OP_GetObject, key, &pr, &failed);
}

bool s3_access_authorize(struct s3_call *call, bool anonymous)
{
    enum s3_op op = call->route.op;
    if (!call->route.bucket || op == S3_OP_CreateBucket || op == S3_OP_UNKNOWN) {
        if (!anonymous)
            return true;
        s3_fail(call, S3_ERR_ACCESS_DENIED, NULL, NULL);
        return false;
    }
    struct s3_bucket b;
    enum s3_err err = store_get_bucket(call->store, call->route.bucket, &b);
    if (err != S3_OK) {
        if (!anonymous)
            return true;  /* the handler answers NoSuchBucket */
        s3_fail(call, err, NULL, NULL);
        return false;
    }
    bool failed = false;
    bool allowed;
    struct policy_request pr = {
        .req = call->req,
        .auth = anonymous || op == S3_OP_PostObject ? NULL : &call->auth,
        .post = op == S3_OP_PostObject,
        .store = call->store,
        .bucket = call->route.bucket,
        .key = call->route.key,
    };
    if (!anonymous && strcmp(b.owner_account, call->account) == 0) {
        allowed = true;
        if (!op_access[op].manages_policy && grantable_action(op)) {
            char *policy = config_or_default(call->store, b.name, "policy", NULL, &failed);
            char resource[2200];
            snprintf(resource, sizeof(resource), "arn:aws:s3:::%s%s%s", b.name, call->route.key ? "/" : "",
                     call->route.key ? call->route.key : "");
            allowed = evaluate_policy(policy, call->account, grantable_action(op), resource, &pr, &failed) !=
                      IAM_DENY;
            free(policy);
        }
    } else {
        allowed = outsider_allowed(call->store, &b, anonymous ? NULL : call->account, op, call->route.key, &pr,
                                   &failed);
        if (allowed)
            memcpy(call->account, b.owner_account, sizeof(call->account));
    }
    s3_bucket_free(&b);
    if (failed) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket's access configuration", NULL);
        return false;
    }
    if (!allowed)
        s3_fail(call, S3_ERR_ACCESS_DENIED, NULL, NULL);
    return allowed && object_write_acl_ok(call);
}
