/* s3_model: the S3 values that pass between storage/ (which produces them)
 * and protocol/s3 (which serializes them). Plain structs, no behaviour.
 *
 * Strings are heap-owned by the struct unless noted; the *_free functions
 * in protocol/s3/model.c release them. Times are milliseconds since the Unix epoch. */
#ifndef CLOUDLESS_S3_MODEL_H
#define CLOUDLESS_S3_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every S3 error the project can answer; protocol/s3/errors.c maps each to
 * AWS's code string, HTTP status and default message. */
enum s3_err {
    S3_OK = 0,
    S3_ERR_ACCESS_DENIED,
    S3_ERR_BAD_DIGEST,
    S3_ERR_BUCKET_ALREADY_EXISTS,
    S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU,
    S3_ERR_BUCKET_NOT_EMPTY,
    S3_ERR_ENTITY_TOO_LARGE,
    S3_ERR_ENTITY_TOO_SMALL,
    S3_ERR_INCOMPLETE_BODY,
    S3_ERR_INTERNAL_ERROR,
    S3_ERR_INVALID_ACCESS_KEY_ID,
    S3_ERR_INVALID_ARGUMENT,
    S3_ERR_INVALID_BUCKET_NAME,
    S3_ERR_INVALID_DIGEST,
    S3_ERR_INVALID_LOCATION_CONSTRAINT,
    S3_ERR_INVALID_PART,
    S3_ERR_INVALID_PART_ORDER,
    S3_ERR_INVALID_PART_NUMBER,
    S3_ERR_INVALID_RANGE,
    S3_ERR_INVALID_REQUEST,
    S3_ERR_KEY_TOO_LONG,
    S3_ERR_MALFORMED_XML,
    S3_ERR_METHOD_NOT_ALLOWED,
    S3_ERR_MISSING_CONTENT_LENGTH,
    S3_ERR_NO_SUCH_BUCKET,
    S3_ERR_NO_SUCH_KEY,
    S3_ERR_NO_SUCH_UPLOAD,
    S3_ERR_NOT_IMPLEMENTED,
    S3_ERR_NOT_MODIFIED,          /* 304, no body */
    S3_ERR_PRECONDITION_FAILED,
    S3_ERR_REQUEST_TIME_TOO_SKEWED,
    S3_ERR_SIGNATURE_DOES_NOT_MATCH,
    S3_ERR_XAMZ_CONTENT_SHA256_MISMATCH,
    S3_ERR_AUTHORIZATION_HEADER_MALFORMED,
    S3_ERR_AUTHORIZATION_QUERY_PARAMETERS_ERROR,
    S3_ERR_MISSING_SECURITY_HEADER,
    S3_ERR_EXPIRED_TOKEN,          /* presigned URL expired: AccessDenied "Request has expired" */
    S3_ERR_INVALID_URI,
    S3_ERR_REQUEST_HEADER_SECTION_TOO_LARGE,
    S3_ERR_REQUEST_TIMEOUT,
    S3_ERR_SERVICE_UNAVAILABLE,
    S3_ERR_SLOW_DOWN,
    S3_ERR_CONDITIONAL_REQUEST_CONFLICT,
    S3_ERR_INVALID_OBJECT_STATE,
    S3_ERR_NO_SUCH_VERSION,
    S3_ERR_INVALID_TAG,
    S3_ERR_BAD_REQUEST,
    S3_ERR_NO_SUCH_TAG_SET,
    S3_ERR_OBJECT_LOCK_CONFIGURATION_NOT_FOUND,
    S3_ERR_NO_SUCH_OBJECT_LOCK_CONFIGURATION,
    S3_ERR_INVALID_BUCKET_STATE,
    /* bucket configuration */
    S3_ERR_MALFORMED_POLICY,
    S3_ERR_NO_SUCH_BUCKET_POLICY,
    S3_ERR_NO_SUCH_CORS_CONFIGURATION,
    S3_ERR_NO_SUCH_LIFECYCLE_CONFIGURATION,
    S3_ERR_NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION,
    S3_ERR_OWNERSHIP_CONTROLS_NOT_FOUND,
    S3_ERR_NO_SUCH_WEBSITE_CONFIGURATION,
    S3_ERR_REPLICATION_CONFIGURATION_NOT_FOUND,
    S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED,
    S3_ERR_ACCESS_FORBIDDEN,       /* CORS preflight refused */
    S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL,
    S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING,
    S3_ERR_INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP,
    S3_ERR_INVALID_BUCKET_ACL_WITH_BLOCK_PUBLIC_ACCESS,
    /* server-side encryption */
    S3_ERR_INVALID_ENCRYPTION_ALGORITHM,
    /* browser POST uploads */
    S3_ERR_INVALID_POLICY_DOCUMENT,
    S3_ERR_MAX_POST_PRE_DATA_LENGTH_EXCEEDED,
    /* STS session credentials */
    S3_ERR_TOKEN_EXPIRED,          /* ExpiredToken: the session's credentials have expired */
    S3_ERR__COUNT
};

struct s3_kv {
    char *name;
    char *value;
};

struct s3_bucket {
    char *name;
    char *region;
    char owner_account[13];
    int64_t created_ms;
    char versioning[12];           /* "" never versioned, "Enabled" or "Suspended" */
    bool object_lock;              /* object lock enabled */
    char lock_mode[12];            /* default retention: "", "GOVERNANCE" or "COMPLIANCE" */
    int lock_days, lock_years;     /* default retention period (one of them, or none) */
    char *encryption;              /* its ServerSideEncryptionConfiguration (XML); NULL: the default */
};

/* Standard representation headers stored with an object and replayed on GET. */
struct s3_content_headers {
    char *content_type;
    char *content_encoding;
    char *content_disposition;
    char *content_language;
    char *cache_control;
    char *expires;
};

/* One stretch of an object's bytes: a whole blob. A plain object has one
 * segment (none when empty); a completed multipart upload has one per part,
 * so completing an upload never copies data. */
struct s3_segment {
    char blob_sha256[65];
    int64_t size;
    unsigned char *data;           /* the bytes when the blob is small enough to live in
                                      the metadata database; NULL: read blobs/<sha256> */
};

/* How an object (or a multipart upload's object) is encrypted, as S3
 * reports it: SSE-S3 (AES256, every object's default since 2023), SSE-KMS
 * (aws:kms, aws:kms:dsse), or SSE-C — the customer's key, of which only its
 * MD5 is kept. */
struct s3_sse {
    char algorithm[16];            /* "AES256", "aws:kms", "aws:kms:dsse"; "" with SSE-C */
    char *kms_key_id;              /* SSE-KMS: the key's ARN (owned by whoever fills it); else NULL */
    bool bucket_key;               /* SSE-KMS: an S3 Bucket Key is used */
    char customer_key_md5[25];     /* SSE-C: base64 MD5 of the customer's key; else "" */
};

struct s3_object {
    char *key;
    int64_t size;
    char etag[72];                 /* without quotes: 32 hex, or 32 hex + "-N" */
    int64_t last_modified_ms;
    struct s3_segment *segments;   /* in order; sizes add up to `size` */
    size_t n_segments;
    int parts_count;               /* 0 unless created by CompleteMultipartUpload */
    char owner_account[13];
    char *storage_class;           /* NULL means STANDARD */
    struct s3_content_headers content;
    struct s3_kv *user_meta;       /* x-amz-meta-* names without the prefix, lower-case */
    size_t n_user_meta;
    char version_id[40];           /* "null" unless created in a versioning-enabled bucket */
    bool delete_marker;
    bool is_latest;
    struct s3_kv *tags;            /* object tags, in the order they were set */
    size_t n_tags;
    char lock_mode[12];            /* retention: "", "GOVERNANCE" or "COMPLIANCE" */
    int64_t lock_until_ms;         /* retain-until date when lock_mode is set */
    bool legal_hold;
    char checksum_alg[12];         /* "CRC32", ... or "" when none is stored */
    char checksum[80];             /* base64, "-N" suffixed when COMPOSITE */
    char checksum_type[16];        /* "FULL_OBJECT" or "COMPOSITE" */
    char *part_checksums;          /* multipart objects: one "size checksum" line per part */
    struct s3_sse sse;             /* its kms_key_id is the object's, freed with it */
};

struct s3_list_params {
    const char *prefix;            /* NULL or "" for none */
    const char *delimiter;         /* NULL or "" for none */
    const char *start_after;       /* exclusive: v1 marker, v2 start-after or continuation */
    int max_keys;                  /* 0..1000 */
};

struct s3_list_result {
    struct s3_object *objects;     /* in key order; only key/size/etag/last_modified/owner/storage_class set */
    size_t n_objects;
    char **common_prefixes;        /* in order, distinct */
    size_t n_common_prefixes;
    bool is_truncated;
    char *next_marker;             /* last key or common prefix returned, when truncated */
    char *next_version_id_marker;  /* ListObjectVersions: last version returned, when truncated */
};

struct s3_upload {
    char *upload_id;
    char *key;
    int64_t initiated_ms;
    char owner_account[13];
    char *storage_class;
    char checksum_alg[12];         /* x-amz-checksum-algorithm given at creation, or "" */
    char checksum_type[16];        /* "FULL_OBJECT" / "COMPOSITE" when checksum_alg is set */
    struct s3_sse sse;             /* what the object will be encrypted with; kms_key_id freed with it */
};

struct s3_part {
    int part_number;
    int64_t size;
    char etag[40];                 /* hex MD5, no quotes */
    int64_t last_modified_ms;
    char blob_sha256[65];
    char checksum_alg[12];         /* the part's checksum, "" when none */
    char checksum[64];             /* base64 */
};

struct s3_upload_list {
    struct s3_upload *uploads;
    size_t n_uploads;
    char **common_prefixes;
    size_t n_common_prefixes;
    bool is_truncated;
    char *next_key_marker;
    char *next_upload_id_marker;
};

struct s3_part_list {
    struct s3_part *parts;
    size_t n_parts;
    bool is_truncated;
    int next_part_number_marker;
};

/* One key's outcome in DeleteObjects. */
struct s3_delete_result {
    char *key;
    char *version_id;              /* the version asked for, or NULL */
    enum s3_err err;               /* S3_OK also when the key did not exist */
    bool delete_marker;            /* a delete marker was created or removed */
    char delete_marker_version_id[40];
};

/* One <Part> of a CompleteMultipartUpload request. */
struct s3_complete_part {
    int part_number;
    char etag[40];                 /* hex MD5 as the client sent it, quotes stripped */
    char checksum_alg[12];         /* a Checksum<ALG> element, "" when none */
    char checksum[64];             /* its base64 value */
};

void s3_kv_free_array(struct s3_kv *kv, size_t n);
void s3_bucket_free(struct s3_bucket *b);
void s3_content_headers_free(struct s3_content_headers *c);
void s3_object_free(struct s3_object *o);
void s3_list_result_free(struct s3_list_result *r);
void s3_upload_free(struct s3_upload *u);
void s3_upload_list_free(struct s3_upload_list *l);
void s3_part_list_free(struct s3_part_list *l);

#endif
