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

#include "protocol/s3/model.h"
#include "protocol/core/strbuf.h"
#include "protocol/auth/checksum.h"
#include "protocol/s3/s3.h"
#include "server/core/auth.h"
#include "server/core/server.h"
#include "storage/core/store.h"

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
};

/* Answers with an S3 error. message NULL = AWS's default; extra_xml is
 * extra elements for the <Error> body, or NULL. */
void s3_fail(struct s3_call *call, enum s3_err err, const char *message, const char *extra_xml);
/* Answers 200 with an XML body built in `xml` (freed here). */
void s3_reply_xml(struct s3_call *call, struct strbuf *xml);
/* Loads the route's bucket and checks the caller owns it. */
enum s3_err s3_owned_bucket(struct s3_call *call, struct s3_bucket *out);
/* The same when only the check matters: answers the error and returns
 * false when the bucket is missing or not the caller's. */
bool s3_require_owned_bucket(struct s3_call *call);
/* Fills content headers and x-amz-meta-* from the request (for PUT, copy
 * with REPLACE, CreateMultipartUpload). -1 on allocation failure. */
int s3_request_content(struct s3_call *call, struct s3_content_headers *content,
                       struct s3_kv **meta, size_t *n_meta);
/* The handler of every operation (see protocol/s3/operations.h), in the
 * file of its family. */
#define S3_DECLARE_HANDLER(name, family, action, access, handler, ...) void handler(struct s3_call *call);
S3_OPERATIONS(S3_DECLARE_HANDLER)
#undef S3_DECLARE_HANDLER
/* PostObject (server/s3/post.c) keeps its state here until the call ends. */
struct s3_post;
void s3_post_free(struct s3_post *post);
/* The request as the events of its writes describe it (server/s3/notification.c). */
struct store_origin;
void s3_notification_origin(const struct s3_call *call, struct store_origin *origin);
/* Integer and encoding-type query parameters of the listings (server/s3/bucket.c):
 * answer InvalidArgument and return -1 when malformed. */
int s3_int_param(struct s3_call *call, const char *name, int def, int max, int *out);
int s3_encoding_param(struct s3_call *call, bool *url);

/* ---- shared by the object handlers (server/s3/versioning.c) ---------------- */

/* The versionId query parameter: *out NULL when absent. Answers
 * InvalidArgument and returns false when it is no version id. */
bool s3_version_id_param(struct s3_call *call, char **out);
/* x-amz-version-id when the bucket was ever versioned (id not ""). */
void s3_add_version_header(struct s3_call *call, const char *version_id);
/* Store completions (arg: the call) of writes answered with an empty 200
 * or 204 and the version id the store reports, if any. */
void s3_answered_200(void *arg, const struct store_result *res);
void s3_answered_204(void *arg, const struct store_result *res);
/* Answers a failed version lookup: NoSuchKey / NoSuchVersion with AWS's
 * extra elements, a delete marker's 404 / 405 with x-amz-delete-marker. */
void s3_fail_version(struct s3_call *call, enum s3_err err, const struct s3_object *o,
                     const char *version_id, bool versioned);
/* x-amz-tagging -> tags (validated). Answers and returns false when bad. */
bool s3_tagging_header(struct s3_call *call, struct s3_kv **tags, size_t *n_tags);
/* x-amz-object-lock-* -> lock; InvalidRequest when the bucket has no
 * object lock, InvalidArgument for bad values. Answers and returns false
 * when bad. mode_buf holds the mode lock->mode points at. */
bool s3_lock_headers(struct s3_call *call, const struct s3_bucket *b, struct store_lock *lock,
                     char mode_buf[12]);
/* The version's object lock headers and x-amz-tagging-count on GET/HEAD. */
void s3_add_version_headers(struct s3_call *call, const struct s3_object *o);
/* Adds the x-amz-checksum-<alg> header of the body's checksum (and
 * x-amz-checksum-type when with_type) on an upload's answer. */
void s3_add_checksum_headers(struct s3_call *call, bool with_type);
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
/* x-amz-copy-source -> decoded bucket and key (and ?versionId= into
 * *version_id; NULL version_id refuses one with NotImplemented), the bucket
 * checked to exist and be the caller's. Answers and returns -1 on failure. */
int s3_parse_copy_source(struct s3_call *call, char **bucket, char **key, char **version_id);
/* Answers when the store would not take a write (closing, or no memory). */
void s3_fail_unqueued(struct s3_call *call);
/* Maps a store completion's error into the answer. */
void s3_fail_store(struct s3_call *call, const struct store_result *res);

#endif
