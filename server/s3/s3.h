/* server/s3: the S3 API as the server runs it. server/s3/intake.c takes a
 * request from the dispatcher, resolves the operation (protocol/s3), authenticates it,
 * takes the body (streamed into a blob for uploads, buffered for small XML
 * bodies, through the aws-chunked decoder when the client used it, with
 * every digest checked), then runs the operation's handler, which the
 * operation table (protocol/s3/operations.h) names. This header is the
 * room's shared, private interface: struct s3_call, the handlers, and the
 * helpers the operation files share. */
#ifndef CLOUDLESS_SERVER_S3_H
#define CLOUDLESS_SERVER_S3_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/s3/bucket_config.h"
#include "protocol/s3/model.h"
#include "protocol/core/strbuf.h"
#include "protocol/auth/checksum.h"
#include "protocol/s3/s3.h"
#include "server/core/auth.h"
#include "server/core/server.h"
#include "storage/core/store.h"
#include "storage/s3/s3.h"

/* Largest single PUT / part, as AWS. */
#define S3_MAX_PUT_SIZE (5LL * 1024 * 1024 * 1024)
/* Largest XML request body kept in memory (CompleteMultipartUpload with
 * 10,000 parts fits). */
#define S3_MAX_XML_BODY (4 * 1024 * 1024)

/* A checksum computed over the decoded body: by the blob writer beside its
 * MD5 when the body goes to one (slot >= 0; off the loop for a large body),
 * else here as the bytes arrive. */
struct body_checksum {
    int alg;                       /* -1 when none is computed */
    int slot;                      /* the blob writer's, or -1 */
    struct checksum_ctx ctx;
};

struct s3_call {
    struct http_req *req;
    struct server *srv;
    struct store *store;
    struct s3_route route;
    char account[13];
    struct auth_result auth;
    /* The route's bucket as authorization read it, and the read snapshot
     * it was read in: s3_owned_bucket() takes it while that snapshot is
     * still the current one (the handler runs in the same read scope, as
     * a GET's does), instead of reading the same row again. */
    bool has_kept_bucket;
    uint64_t kept_bucket_snapshot;
    struct s3_bucket kept_bucket;

    /* Body intake. */
    struct blob_writer *blob;      /* uploads */
    struct strbuf body;            /* XML bodies */
    struct aws_chunked_decoder *chunked;
    bool payload_sha_hex;          /* x-amz-content-sha256 is a hex digest to check */
    void *payload_sha;             /* EVP_MD_CTX over the raw body when it must be checked and no blob computes it */
    struct body_checksum header_checksum;  /* x-amz-checksum-<alg> header to check */
    unsigned char header_checksum_want[CHECKSUM_MAX_DIGEST];
    int64_t decoded_bytes;
    enum s3_err body_err;
    const char *body_err_msg;
    int trailer_alg;               /* checksum that arrived in a trailer, -1 if none */
    unsigned char trailer_digest[CHECKSUM_MAX_DIGEST];
    size_t trailer_digest_len;
    /* Uploads: the checksum computed here when the client sends none to
     * check (its x-amz-sdk-checksum-algorithm, the upload's algorithm for a
     * part, else CRC64NVME as AWS's default), and a part's CRC64NVME. */
    struct body_checksum computed_checksum;
    struct body_checksum part_crc64;
    int upload_checksum_alg;       /* UploadPart: the upload's algorithm, -1 for none */
    struct s3_upload upload;       /* UploadPart: the upload (upload_id NULL when none was found) */
    /* Once the body is in: the upload's checksum to store (alg -1: none). */
    int body_checksum_alg;
    char body_checksum[64];
    char body_crc64nvme[64];

    /* Handler state that must outlive the body phase. */
    char **keys;                   /* DeleteObjects */
    char **version_ids;            /* DeleteObjects: NULL entries for none */
    size_t n_keys;
    bool quiet;
    struct s3_complete_part *parts;
    size_t n_parts;
    struct s3_post *post;          /* PostObject (server/s3/post.c) */
    struct strbuf object_acl;      /* object writes: the ACL XML the headers ask for; empty: owner only */
    bool key_existed;              /* conditional PutObject: the key had an object as the body began */
    struct s3_sse sse;             /* an object write's encryption (s3_sse_for_write); kms_key_id owned */
    bool outsider;                 /* access.c: the caller is not of the bucket owner's account */
};

/* The handler of every operation (see protocol/s3/operations.h), in the
 * file of its family. */
#define S3_DECLARE_HANDLER(name, family, action, access, handler, ...) void handler(struct s3_call *call);
S3_OPERATIONS(S3_DECLARE_HANDLER)
#undef S3_DECLARE_HANDLER

/* ---- intake.c: answers and checks every handler uses ------------------------ */

/* Answers with an S3 error. message NULL = AWS's default; extra_xml is
 * extra elements for the <Error> body, or NULL. */
void s3_fail(struct s3_call *call, enum s3_err err, const char *message, const char *extra_xml);
/* The same with the route's bucket as <BucketName>. */
void s3_fail_bucket_name(struct s3_call *call, enum s3_err err);
/* Answers when the store would not take a write (closing, or no memory). */
void s3_fail_unqueued(struct s3_call *call);
/* Maps a store completion's error into the answer. */
void s3_fail_store(struct s3_call *call, const struct store_result *res);
/* Answers 200 with an XML body built in `xml` (freed here). */
void s3_reply_xml(struct s3_call *call, struct strbuf *xml);
/* Store completions (arg: the call) of writes answered with an empty 200
 * or 204 and the version id the store reports, if any. */
void s3_answered_200(void *arg, const struct store_result *res);
void s3_answered_204(void *arg, const struct store_result *res);
/* Loads the route's bucket and checks the caller owns it. */
enum s3_err s3_owned_bucket(struct s3_call *call, struct s3_bucket *out);
/* The same, answering the error and returning false when the bucket is
 * missing or not the caller's. */
bool s3_load_owned_bucket(struct s3_call *call, struct s3_bucket *out);
/* The same when only the check matters. */
bool s3_require_owned_bucket(struct s3_call *call);
/* Adds the x-amz-checksum-<alg> header of the body's checksum (and
 * x-amz-checksum-type when with_type) on an upload's answer. */
void s3_add_checksum_headers(struct s3_call *call, bool with_type);

/* ---- access.c: who may run an operation ---------------------------------------- */

/* Decides whether an authenticated caller (call->account set,
 * req->caller the principal) or an anonymous one may run the routed
 * operation, through server/core/authorize.h. Callers acting on another
 * account's bucket through its policy or ACL act as the bucket owner from
 * then on (call->account becomes the owner, so objects they write belong to
 * the bucket owner, as with BucketOwnerEnforced). Answers AccessDenied and
 * returns false when refused. */
bool s3_access_authorize(struct s3_call *call, bool anonymous);
/* PostObject's `acl` field (a canned ACL), after s3_access_authorize:
 * checked and kept for the new object as x-amz-acl is on PutObject.
 * Answers and returns false when refused. */
bool s3_access_post_acl(struct s3_call *call, const char *canned);
/* True when an anonymous GET of bucket/key is allowed (website endpoint). */
bool s3_access_anonymous_read(const struct http_req *req, const struct s3_bucket *b, const char *key);
/* S3's AccessDenied (s3_service_def.access_denied): AWS's wording for the
 * bucket owner's own account when policies are enforced, else "Access
 * Denied". */
void s3_access_denied(struct http_req *req, const char *message);

/* ---- object.c: what an object write asks for ------------------------------------ */

/* Fills content headers and x-amz-meta-* from the request (for PUT, copy
 * with REPLACE, CreateMultipartUpload). -1 on allocation failure. */
int s3_request_content(struct s3_call *call, struct s3_content_headers *content,
                       struct s3_kv **meta, size_t *n_meta);
/* x-amz-checksum-algorithm / x-amz-checksum-type of CreateMultipartUpload
 * and CopyObject: *alg NULL and *type NULL when absent. Answers
 * InvalidRequest and returns false for an unknown or impossible pair
 * (SHA with FULL_OBJECT, CRC64NVME with COMPOSITE). */
bool s3_checksum_algorithm_param(struct s3_call *call, const char **alg, const char **type);
/* x-amz-storage-class -> NULL (STANDARD) or the class; answers and returns
 * false when it names no class. */
bool s3_storage_class_param(struct s3_call *call, const char **out);
/* The same for a value given otherwise (PostObject's field); NULL: absent. */
bool s3_storage_class_named(struct s3_call *call, const char *v, const char **out);
/* If-None-Match (only "*"; anything else is NotImplemented, as AWS
 * answers) and If-Match (into if_match, unquoted) of a write on the
 * route's key; `existed` as s3_conditional_write_begins saw it. Answers and
 * returns false when refused. */
bool s3_write_condition(struct s3_call *call, struct store_write_condition *out, char if_match[80]);
/* Before a conditional PutObject's body streams in: notes whether the key
 * has an object (call->key_existed), so that one deleted meanwhile makes
 * the write a ConditionalRequestConflict. Reads nothing for other writes. */
void s3_conditional_write_begins(struct s3_call *call);
/* What x-amz-copy-source and x-amz-copy-source-if-* name: the decoded
 * bucket, key and ?versionId= (owned), and `source`, for the store,
 * pointing into them. */
struct s3_copy_source_req {
    char *bucket, *key, *version_id;
    char if_match[80], if_none_match[80];
    char customer_key_md5[25];     /* x-amz-copy-source-server-side-encryption-customer-key's MD5, or "" */
    struct store_copy_source source;
};
/* Reads them (CopyObject, UploadPartCopy), the source bucket checked to
 * exist and be the caller's. Answers and returns false on failure. */
bool s3_copy_source_param(struct s3_call *call, struct s3_copy_source_req *out);
void s3_copy_source_free(struct s3_copy_source_req *r);

/* ---- encryption.c: server-side encryption on requests and answers ------------------ */

/* The request's x-amz-server-side-encryption* headers. */
void s3_sse_request_headers(const struct s3_call *call, struct s3_sse_headers *h);
/* What an object write into bucket b gets from the encryption it asks
 * for (h) and the bucket's default: into call->sse. Answers (AccessDenied
 * when the bucket blocks SSE-C, InvalidArgument, ...) and returns false
 * when refused. */
bool s3_sse_for_write(struct s3_call *call, const struct s3_bucket *b, const struct s3_sse_headers *h);
/* The SSE-C key (its MD5 into md5, "" when none) of the request's
 * x-amz-server-side-encryption-customer-* headers, or of its
 * x-amz-copy-source-server-side-encryption-customer-* ones. Answers and
 * returns false when malformed. */
bool s3_sse_request_customer_key(struct s3_call *call, bool copy_source, char md5[25]);
/* Whether the request may read an object of this encryption (SSE-C: the
 * same key); answers S3's error and returns false when not. */
bool s3_sse_read_allowed(struct s3_call *call, const struct s3_sse *sse);
/* The x-amz-server-side-encryption* headers of an answer about an object
 * of this encryption; `write`: also echo the request's KMS context. */
void s3_sse_add_headers(struct s3_call *call, const struct s3_sse *sse, bool write);

/* ---- multipart.c ---------------------------------------------------------------- */

/* uploadId from the query (malloc'd); answers NoSuchUpload when missing. */
char *s3_upload_id_param(struct s3_call *call);
/* partNumber from the query: 1..10000, else answers InvalidArgument and
 * returns false. */
bool s3_part_number_param(struct s3_call *call, int *out);

/* ---- versioning.c: versions on requests and answers ------------------------------ */

/* The versionId query parameter: *out NULL when absent. Answers
 * InvalidArgument and returns false when it is no version id. */
bool s3_version_id_param(struct s3_call *call, char **out);
/* x-amz-version-id when the bucket was ever versioned (id not ""). */
void s3_add_version_header(struct s3_call *call, const char *version_id);
/* Answers a failed version lookup: NoSuchKey / NoSuchVersion with AWS's
 * extra elements, a delete marker's 404 / 405 with x-amz-delete-marker. */
void s3_fail_version(struct s3_call *call, enum s3_err err, const struct s3_object *o,
                     const char *version_id, bool versioned);
/* Loads the caller's bucket and the version the request names (versionId
 * or the latest); answers and returns false on failure. */
bool s3_request_version(struct s3_call *call, struct s3_bucket *b, struct s3_object *o);

/* ---- tagging.c, object_lock.c: tags and locks an object write asks for ---------- */

/* x-amz-tagging -> tags (validated). Answers and returns false when bad. */
bool s3_tagging_header(struct s3_call *call, struct s3_kv **tags, size_t *n_tags);
/* x-amz-object-lock-* -> lock; InvalidRequest when the bucket has no
 * object lock, InvalidArgument for bad values. Answers and returns false
 * when bad. mode_buf holds the mode lock->mode points at. */
bool s3_lock_headers(struct s3_call *call, const struct s3_bucket *b, struct store_lock *lock,
                     char mode_buf[12]);

/* ---- config.c: the bucket's configuration documents ----------------------------- */

/* Get, Put and Delete of the XML configuration of `kind`, on the caller's
 * bucket (the handlers of cors.c, lifecycle.c, website.c and config.c). */
void s3_config_get(struct s3_call *call, enum s3_config_kind kind);
void s3_config_put(struct s3_call *call, enum s3_config_kind kind);
void s3_config_delete(struct s3_call *call, enum s3_config_kind kind);
/* Loads one configuration document of the route's bucket; answers and
 * returns -1 on error. */
int s3_config_load(struct s3_call *call, const char *kind, enum store_config_state *state, char **doc);
/* Stores (doc non-NULL) or removes one; the answer comes from
 * s3_config_written. */
void s3_config_store(struct s3_call *call, const char *kind, const char *doc, bool keep_marker);
/* Completion of a configuration write: 200, or 204 for deletes and policies. */
void s3_config_written(void *arg, bool ok);
/* Answers 200 with prefix and doc. */
void s3_config_send(struct s3_call *call, const char *content_type, const char *prefix, const char *doc);
/* The bucket's public access block (defaults included). -1 on error. */
int s3_bucket_public_access_block(struct s3_call *call, struct s3_public_access_block *pab);

/* ---- acl.c ----------------------------------------------------------------------- */

/* The ACL x-amz-acl or the x-amz-grant-* headers ask for, for a resource
 * owned by `owner` (bucket_owner: for the bucket-owner-* canned ACLs):
 * 1 with *acl filled, 0 when the request has neither, -1 after answering
 * an error. */
int s3_header_acl(struct s3_call *call, const char *owner, const char *bucket_owner, struct s3_acl *acl);
/* Whether the bucket's ownership controls and public access block let
 * the ACL be set; answers (AccessControlListNotSupported, AccessDenied)
 * and returns false when not. */
bool s3_acl_permitted(struct s3_call *call, const struct s3_acl *acl);
/* The ACL currently applying to a bucket (stored, or private). -1 on error. */
int s3_bucket_acl(struct store *st, const struct s3_bucket *b, struct s3_acl *out);

/* ---- cors.c ---------------------------------------------------------------------- */

/* Adds Access-Control-* headers when the request has an Origin that the
 * bucket's CORS configuration allows for its method. */
void s3_cors_add_headers(struct s3_call *call);
/* The Access-Control-* headers of a matched CORS rule. */
void s3_cors_add_grant_headers(struct http_req *req, const struct s3_cors_grant *g);

/* ---- lifecycle.c ----------------------------------------------------------------- */

/* The transition minimum of the lifecycle configuration: its header on a
 * GET's answer (-1 after answering an error), and storing a PUT's rules
 * once the minimum is stored. */
int s3_lifecycle_add_transition_minimum(struct s3_call *call);
void s3_lifecycle_store(struct s3_call *call, const char *doc);

/* ---- notification.c, post.c ------------------------------------------------------ */

/* The request as the events of its writes describe it. */
struct store_origin;
void s3_notification_origin(const struct s3_call *call, struct store_origin *origin);
/* PostObject keeps its state here until the call ends. */
struct s3_post;
void s3_post_free(struct s3_post *post);

#endif
