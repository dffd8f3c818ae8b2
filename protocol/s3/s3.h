/* protocol/s3: S3's REST/XML wire format, pure (bytes and structs only).
 * The operations are declared once, in operations.h; each family has its
 * file, with the same name it has in server/s3 and storage/s3:
 *
 *  - errors.c      s3_err -> AWS code, HTTP status, message; the <Error> body
 *  - request.c     resolving (method, path, query, host) to an operation of
 *                  the table, bucket and key; bucket-name rules
 *  - bucket.c      ListBuckets, GetBucketLocation, CreateBucketConfiguration
 *  - list.c        ListObjects v1/v2, ListObjectVersions, ListMultipartUploads,
 *                  ListParts
 *  - object.c      DeleteObjects request/response, CopyObjectResult,
 *                  GetObjectAttributes
 *  - multipart.c   InitiateMultipartUploadResult, CompleteMultipartUpload
 *                  request/result, CopyPartResult
 *  - tagging.c     tag sets (Tagging bodies and x-amz-tagging)
 *  - versioning.c  VersioningConfiguration
 *  - object_lock.c ObjectLockConfiguration, Retention, LegalHold
 *  - encryption.c  server-side encryption headers (SSE-S3, SSE-KMS, SSE-C)
 *                  and what a write or a read gets from them
 *  - notification.c, post.c (their own headers), and the configuration
 *    documents — config.c, cors.c, lifecycle.c, website.c, acl.c,
 *    policy.c — in bucket_config.h
 *  - xml.c         what the XML files share (xml.h), and s3_checksum_xml
 *
 * Serializers append to a strbuf (check strbuf_failed once). Parsers use
 * libxml2 with network access and entity expansion off, and return
 * S3_ERR_MALFORMED_XML on anything unexpected. */
#ifndef CLOUDLESS_PROTOCOL_S3_H
#define CLOUDLESS_PROTOCOL_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/dates.h"
#include "protocol/core/percent.h"
#include "protocol/s3/model.h"
#include "protocol/s3/operations.h"
#include "protocol/core/strbuf.h"

#define S3_XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define S3_XMLNS "http://s3.amazonaws.com/doc/2006-03-01/"

/* ---- errors.c ------------------------------------------------------ */

const char *s3_err_code(enum s3_err e);    /* "NoSuchBucket" */
int s3_err_status(enum s3_err e);          /* 404 */
const char *s3_err_message(enum s3_err e); /* AWS's default message */

/* <Error><Code/><Message/>{extra}<Resource/><RequestId/><HostId/></Error>.
 * `message` NULL = the default. `extra_xml` is already-serialized elements
 * (e.g. <BucketName>b</BucketName>, <Key>, <StringToSign>) or NULL. */
void s3_error_xml(struct strbuf *out, enum s3_err e, const char *message,
                  const char *extra_xml, const char *resource, const char *request_id);

/* ---- request.c ----------------------------------------------------- */

/* Every operation of protocol/s3/operations.h: S3_OP_<name>. */
#define S3_OP_ENUM(name, ...) S3_OP_##name,
enum s3_op {
    S3_OP_UNKNOWN = 0,             /* anything unsupported: answer NotImplemented */
    S3_OPERATIONS(S3_OP_ENUM)
    S3_OP__COUNT
};
#undef S3_OP_ENUM

const char *s3_op_name(enum s3_op op);     /* "PutObject", for logs; "Unknown" */

struct s3_route {
    enum s3_op op;
    char *bucket;                  /* decoded; NULL when the request names none */
    char *key;                     /* decoded; NULL when none */
    bool virtual_host;             /* bucket came from the Host header */
    const char *unsupported;       /* for S3_OP_UNKNOWN: the subresource or method seen, for the log */
};

/* Resolves the operation. `host` is the Host header (may be NULL);
 * `vhost_domains` a NULL-terminated list of domains like "s3.localhost"
 * under which "<bucket>.<domain>" is virtual-hosted style. `has_copy_source`:
 * an x-amz-copy-source header is present. Returns S3_OK, S3_ERR_INVALID_URI
 * (bad percent-encoding or a key with NUL), S3_ERR_KEY_TOO_LONG (>1024 bytes)
 * or S3_ERR_METHOD_NOT_ALLOWED. */
enum s3_err s3_route_request(const char *method, const char *path, const char *query,
                             const char *host, const char *const *vhost_domains,
                             bool has_copy_source, struct s3_route *out);
void s3_route_free(struct s3_route *r);

/* AWS's rules for new bucket names (3-63 chars, lower-case letters, digits,
 * '.', '-', starts and ends alphanumeric, not an IP address, no "..",
 * reserved prefixes "xn--", "sthree-", suffixes "-s3alias", "--ol-s3"). */
bool s3_bucket_name_valid(const char *name);

/* ---- bucket.c ------------------------------------------------------- */

void s3_list_buckets_xml(struct strbuf *out, const char *owner_account,
                         const struct s3_bucket *buckets, size_t n);
void s3_bucket_location_xml(struct strbuf *out, const char *region);
/* Parses an optional CreateBucketConfiguration body (len 0 is fine: *region
 * stays NULL). Returns S3_OK, S3_ERR_MALFORMED_XML. */
enum s3_err s3_parse_create_bucket(const char *body, size_t len, char **region);

/* ---- list.c --------------------------------------------------------- */

struct s3_list_xml_opts {
    const char *bucket;
    const char *prefix;
    const char *delimiter;
    const char *marker;            /* v1 Marker / v2 StartAfter as given */
    const char *continuation_token;/* v2, as given */
    const char *next_continuation_token; /* v2, when truncated */
    int max_keys;
    bool v2;
    bool url_encode;               /* encoding-type=url */
    bool fetch_owner;              /* v1 always lists owners; v2 only when asked */
};
void s3_list_objects_xml(struct strbuf *out, const struct s3_list_xml_opts *o,
                         const struct s3_list_result *r);

/* ListVersionsResult; o->marker is the key-marker. */
void s3_list_versions_xml(struct strbuf *out, const struct s3_list_xml_opts *o,
                          const char *version_id_marker, const struct s3_list_result *r);
void s3_list_uploads_xml(struct strbuf *out, const char *bucket, const char *prefix,
                         const char *delimiter, const char *key_marker,
                         const char *upload_id_marker, int max_uploads, bool url_encode,
                         const struct s3_upload_list *l);
/* Parts carry their checksums; the upload's algorithm and type head the list. */
void s3_list_parts_xml(struct strbuf *out, const char *bucket, const char *key,
                       const struct s3_upload *upload, int part_number_marker,
                       int max_parts, const struct s3_part_list *l);

/* ---- object.c ------------------------------------------------------- */

/* <Delete><Quiet/>?<Object><Key/><VersionId/>?</Object>*</Delete>;
 * more than 1000 objects -> S3_ERR_MALFORMED_XML (AWS's answer).
 * version_ids[i] is NULL when Object i names no version. */
enum s3_err s3_parse_delete_objects(const char *body, size_t len, char ***keys,
                                    char ***version_ids, size_t *n_keys, bool *quiet);
void s3_delete_result_xml(struct strbuf *out, const struct s3_delete_result *res,
                          size_t n, bool quiet);
/* checksum_alg NULL or "" for none. */
void s3_copy_object_result_xml(struct strbuf *out, const char *etag, int64_t last_modified_ms,
                               const char *checksum_alg, const char *checksum,
                               const char *checksum_type);

/* GetObjectAttributes's x-amz-object-attributes: a comma-separated list of these. */
#define S3_ATTR_ETAG 1u
#define S3_ATTR_CHECKSUM 2u
#define S3_ATTR_OBJECT_PARTS 4u
#define S3_ATTR_STORAGE_CLASS 8u
#define S3_ATTR_OBJECT_SIZE 16u
/* S3_OK; InvalidRequest when absent or empty; InvalidArgument for an unknown name. */
enum s3_err s3_parse_object_attributes(const char *header, unsigned *attrs);
/* Part `number` (1-based, in the order the upload was completed with) of a
 * multipart object, from its part_checksums: its first byte, its size and
 * its checksum (alg "" when it has none). False when there is no such part. */
bool s3_object_part(const struct s3_object *o, int number, int64_t *first, int64_t *size, char alg[12],
                    char sum[64]);
/* <GetObjectAttributesResponse> with the attributes asked for; ObjectParts
 * lists parts after part_number_marker, at most max_parts. */
void s3_object_attributes_xml(struct strbuf *out, const struct s3_object *o, unsigned attrs,
                              int part_number_marker, int max_parts);


/* ---- multipart.c ---------------------------------------------------- */

/* An upload id: S3_UPLOAD_ID_RANDOM_BYTES random bytes as URL-safe base64,
 * whose first character is always a letter or digit — aws-cli (argparse)
 * reads a value that begins with '-' as an option, so such an id could not be
 * named on its command line. */
#define S3_UPLOAD_ID_RANDOM_BYTES 30
#define S3_UPLOAD_ID_LEN 40
void s3_upload_id_from_bytes(const unsigned char rnd[S3_UPLOAD_ID_RANDOM_BYTES],
                             char out[S3_UPLOAD_ID_LEN + 1]);

void s3_initiate_upload_xml(struct strbuf *out, const char *bucket, const char *key,
                            const char *upload_id);
/* <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>*; ETags may be
 * quoted. No parts -> S3_ERR_MALFORMED_XML. */
enum s3_err s3_parse_complete_upload(const char *body, size_t len,
                                     struct s3_complete_part **parts, size_t *n_parts);
/* checksum_alg NULL or "" for none (as in s3_checksum_xml). */
void s3_complete_upload_xml(struct strbuf *out, const char *location, const char *bucket,
                            const char *key, const char *etag, const char *checksum_alg,
                            const char *checksum, const char *checksum_type);
void s3_copy_part_result_xml(struct strbuf *out, const char *etag, int64_t last_modified_ms,
                             const char *checksum_alg, const char *checksum);

/* ---- tagging.c ------------------------------------------------------ */

#define S3_MAX_OBJECT_TAGS 10
#define S3_MAX_BUCKET_TAGS 50

/* <Tagging><TagSet><Tag><Key/><Value/></Tag>*</TagSet></Tagging>, checked
 * against AWS's tag rules: at most max_tags (objects: BadRequest, buckets:
 * InvalidTag), keys 1..128 and values 0..256 characters of letters,
 * digits, spaces and _.:/=+-@, no "aws:" keys, no key twice (InvalidTag).
 * *message is AWS's message for InvalidTag / BadRequest. */
enum s3_err s3_parse_tagging(const char *body, size_t len, size_t max_tags,
                             struct s3_kv **tags, size_t *n_tags, const char **message);
/* The x-amz-tagging header ("k1=v1&k2=v2", URL-encoded), same rules. */
enum s3_err s3_parse_tagging_header(const char *header, size_t max_tags, struct s3_kv **tags,
                                    size_t *n_tags, const char **message);
void s3_tagging_xml(struct strbuf *out, const struct s3_kv *tags, size_t n_tags);

/* ---- versioning.c --------------------------------------------------- */

/* <VersioningConfiguration><Status/>?<MfaDelete/>?: status "Enabled" or
 * "Suspended" (NULL when absent), mfa_delete "Enabled"/"Disabled"/NULL.
 * Other values: MalformedXML. */
enum s3_err s3_parse_versioning(const char *body, size_t len, char **status,
                                char **mfa_delete);
/* status "" for a bucket never versioned. */
void s3_versioning_xml(struct strbuf *out, const char *status);

/* ---- object_lock.c -------------------------------------------------- */

struct s3_lock_config {
    char mode[12];                 /* default retention "GOVERNANCE"/"COMPLIANCE", "" for none */
    int days, years;               /* exactly one positive when mode is set */
};
/* <ObjectLockConfiguration><ObjectLockEnabled>Enabled</...><Rule>
 * <DefaultRetention><Mode/><Days/>|<Years/></DefaultRetention></Rule>?.
 * MalformedXML, or InvalidArgument with *message for a bad period. */
enum s3_err s3_parse_object_lock_config(const char *body, size_t len,
                                        struct s3_lock_config *out, const char **message);
void s3_object_lock_config_xml(struct strbuf *out, const struct s3_lock_config *c);
/* <Retention><Mode/><RetainUntilDate/></Retention>; both absent means
 * "remove" (mode ""). MalformedXML otherwise. */
enum s3_err s3_parse_retention(const char *body, size_t len, char mode[12], int64_t *until_ms);
void s3_retention_xml(struct strbuf *out, const char *mode, int64_t until_ms);
/* <LegalHold><Status>ON|OFF</Status></LegalHold> */
enum s3_err s3_parse_legal_hold(const char *body, size_t len, bool *on);
void s3_legal_hold_xml(struct strbuf *out, bool on);

/* ---- encryption.c ---------------------------------------------------- */

/* What a write's encryption headers hold (NULL: absent). */
struct s3_sse_headers {
    const char *algorithm;          /* x-amz-server-side-encryption */
    const char *kms_key_id;         /* x-amz-server-side-encryption-aws-kms-key-id */
    const char *context;            /* x-amz-server-side-encryption-context */
    const char *bucket_key;         /* x-amz-server-side-encryption-bucket-key-enabled */
    const char *customer_algorithm; /* x-amz-server-side-encryption-customer-algorithm */
    const char *customer_key;       /* x-amz-server-side-encryption-customer-key */
    const char *customer_key_md5;   /* x-amz-server-side-encryption-customer-key-MD5 */
};

/* A bucket's default encryption (s3_bucket_encryption_read, config.c). */
struct s3_bucket_encryption {
    char algorithm[16];            /* "AES256", "aws:kms", "aws:kms:dsse" */
    char kms_key_id[2048];         /* KMSMasterKeyID, "" when none */
    bool bucket_key;               /* BucketKeyEnabled */
    bool ssec_blocked;             /* BlockedEncryptionTypes names SSE-C */
};

/* The SSE-C headers (also x-amz-copy-source-server-side-encryption-
 * customer-*): S3_OK with md5 "" when none is given, or with the key's
 * base64 MD5 once checked as S3 checks them — all three given, AES256
 * (InvalidEncryptionAlgorithmError), a 256-bit key, its MD5 — else the
 * error (InvalidArgument) with *message. */
enum s3_err s3_sse_customer_key(const char *algorithm, const char *key, const char *key_md5, char md5[25],
                                const char **message);
/* The encryption a write gets: the SSE-C key (MD5) or managed encryption
 * its headers ask for, else the bucket's default. KMS keys are named by
 * ARN, written into kms_arn (cap bytes), which out->kms_key_id points to.
 * AccessDenied when the bucket blocks SSE-C and the headers ask for it;
 * InvalidArgument (or InvalidEncryptionAlgorithmError) with *message for
 * headers S3 refuses. */
enum s3_err s3_sse_resolve(const struct s3_sse_headers *h, const struct s3_bucket_encryption *def,
                           const char *region, const char *account, struct s3_sse *out, char *kms_arn,
                           size_t cap, const char **message);
/* A read (GetObject, HeadObject, GetObjectAttributes, a copy's source) of
 * an object, given the SSE-C key MD5 the request carries ("" or NULL:
 * none): S3_OK; InvalidRequest with *message when the object needs a key
 * and none is given, or one is given for an object without SSE-C;
 * AccessDenied for another key. */
enum s3_err s3_sse_customer_read(const struct s3_sse *object, const char *given_md5, const char **message);
/* The ARN S3 reports a KMS key by: an ARN as given, else
 * arn:aws:kms:<region>:<account>:key/<id> (or :alias/<name>); key_id NULL:
 * the account's AWS managed key for S3 (aws/s3), whose id is derived from
 * account and region. */
void s3_kms_key_arn(const char *key_id, const char *region, const char *account, char *out, size_t cap);

/* ---- xml.c ---------------------------------------------------------- */

/* <Checksum{alg}>value</...> and, when type is given, <ChecksumType>;
 * nothing when alg is NULL or "". */
void s3_checksum_xml(struct strbuf *out, const char *alg, const char *value, const char *type);

#endif
