/* s3_acl: access control lists — Get/PutBucketAcl, Get/PutObjectAcl —
 * and the ACL an object write asks for with x-amz-acl or x-amz-grant-*.
 *
 * A bucket's ACL is one of its configuration documents (server/s3/config.c);
 * an object's is a row the store ties to the object's ETag and modification
 * time, so replacing the object resets it. An ACL is refused when the
 * bucket's ownership controls disable ACLs (AccessControlListNotSupported)
 * or it is public while the public access block blocks public ACLs
 * (AccessDenied). Who an ACL lets in is decided by server/s3/access.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/s3/s3.h"
#include "storage/s3/s3.h"

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
    if (s3_config_load(call, "ownershipControls", &state, &doc) < 0)
        return false;
    int rc = s3_ownership_read(state == STORE_CONFIG_UNSET ? S3_DEFAULT_OWNERSHIP_XML : doc, ownership,
                               sizeof(ownership));
    free(doc);
    if (rc < 0 || s3_bucket_public_access_block(call, &pab) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket configuration", NULL);
        return false;
    }
    if (strcmp(ownership, "BucketOwnerEnforced") == 0 && s3_acl_is_beyond_owner(acl)) {
        s3_fail(call, S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED, NULL, NULL);
        return false;
    }
    if (pab.block_public_acls && s3_acl_is_public(acl)) {
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
            s3_config_store(call, "acl", xml.data, false);
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
                                          o.last_modified_ms, xml.data, s3_config_written, call) < 0)
                s3_fail_unqueued(call);
            strbuf_free(&xml);
        }
        s3_acl_free(&acl);
    }
    free(stored);
    s3_object_free(&o);
}

void s3_get_bucket_acl(struct s3_call *call)
{
    struct s3_bucket b;
    if (!s3_load_owned_bucket(call, &b))
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
    if (!s3_load_owned_bucket(call, &b))
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
