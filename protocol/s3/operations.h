/* protocol/s3/operations.h: the S3 operations cloudless serves — its one
 * operation table (see server/core/service.h).
 *
 * S3_OPERATIONS(X) lists every operation as two lines:
 *
 *   X(name, family, IAM action, access, handler,
 *     method, scope, subresource, copy, accepts)
 *
 *  - name: AWS's operation name (enum s3_op is S3_OP_<name>).
 *  - family: the file the operation lives in, in every layer that has code
 *    for it: protocol/s3/<family>.c (its wire format), server/s3/<family>.c
 *    (its handler), storage/s3/<family>.c (its state). S3_FAMILIES lists
 *    them.
 *  - IAM action: the action AWS's "Actions, resources, and condition keys
 *    for Amazon S3" names for the operation. With a versionId AWS checks
 *    the Version variant as well (s3:GetObjectVersion,
 *    s3:GetObjectVersionAttributes, ...); cloudless checks the action named
 *    here.
 *  - access: who may run it on a bucket (server/s3/access.c). GRANTED: the
 *    bucket owner, and any caller a bucket policy or an ACL grants the
 *    action; an explicit Deny in the bucket policy binds the owner too,
 *    except for the policy family (an owner cannot lock itself out).
 *    OWNER: the bucket owner's account only; policies and ACLs are not
 *    consulted. Operations without a bucket (ListBuckets, CreateBucket)
 *    need a signed request and nothing else.
 *  - handler: the server function that runs it, void handler(struct
 *    s3_call *), called once the request is authenticated and its body is
 *    in — except for PreflightRequest (OPTIONS, never authenticated) and
 *    PostObject (its credentials are in the form), which server/s3/intake.c
 *    hands over as soon as they are routed.
 *  - method, scope: the HTTP method, and what the path names: SERVICE
 *    ("/"), BUCKET, OBJECT, or ANY (the query is not looked at).
 *  - subresource: the query parameters that select the operation (any one
 *    of them), or 0 for the operation the method and scope name without
 *    one; S3_Q(LIST_TYPE_2) is list-type=2.
 *  - copy: true when an x-amz-copy-source header selects it.
 *  - accepts: the other query parameters it takes.
 *
 * Routing (protocol/s3/request.c) picks, among the entries of the request's
 * method and scope, the most specific one that applies: an entry whose
 * subresource is present beats one without, and x-amz-copy-source breaks
 * the tie (an entry with copy true applies only when the header is
 * present). A request naming two subresources takes the first entry in
 * table order whose subresource it names, and then fails the next check: every query parameter must
 * be the entry's subresource, one it accepts, or one any request may
 * carry (x-id, the signing parameters of presigned URLs). Anything else is
 * S3_OP_UNKNOWN, answered NotImplemented (HTTP 501) after authentication,
 * as is a request no entry applies to; a request for "/" with a method no
 * entry has is MethodNotAllowed. */
#ifndef CLOUDLESS_PROTOCOL_S3_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_S3_OPERATIONS_H

#include <stdint.h>

/* The families, each a file name in every layer that has code for it. */
#define S3_FAMILIES(F)                                                                         \
    F(bucket)        /* buckets themselves: create, head, delete, location, ListBuckets */     \
    F(list)          /* listings: objects, versions, multipart uploads, an upload's parts */   \
    F(object)        /* one object: put, get, head, delete, copy; DeleteObjects; attributes */ \
    F(multipart)     /* multipart uploads: create, upload and copy parts, complete, abort */   \
    F(tagging)       /* bucket and object tags */                                              \
    F(versioning)    /* bucket versioning */                                                   \
    F(object_lock)   /* the object lock configuration, retention, legal hold */                \
    F(acl)           /* bucket and object ACLs */                                              \
    F(policy)        /* bucket policies and their status */                                    \
    F(cors)          /* CORS configuration and the OPTIONS preflight */                        \
    F(lifecycle)     /* lifecycle configuration (and its sweep, server/s3/lifecycle.c) */      \
    F(website)       /* website configuration (and its endpoint, server/s3/website.c) */       \
    F(notification)  /* event notification configuration (and the events) */                   \
    F(post)          /* PostObject, the browser upload */                                      \
    F(config)        /* the other bucket configuration documents: encryption, public access    \
                        block, ownership controls, logging, request payment, accelerate,       \
                        replication */

#define S3_FAMILY_ENUM(family) S3_FAMILY_##family,
enum s3_family { S3_FAMILIES(S3_FAMILY_ENUM) S3_FAMILY__COUNT };
#undef S3_FAMILY_ENUM

enum s3_method { S3_METHOD_GET, S3_METHOD_PUT, S3_METHOD_HEAD, S3_METHOD_DELETE, S3_METHOD_POST,
                 S3_METHOD_OPTIONS, S3_METHOD__COUNT };
enum s3_scope { S3_SCOPE_SERVICE, S3_SCOPE_BUCKET, S3_SCOPE_OBJECT, S3_SCOPE_ANY };
enum s3_access { S3_ACCESS_OWNER, S3_ACCESS_GRANTED };

/* The query parameters the table names: P(id, name, value). An entry
 * with a value is present when the parameter's first occurrence has it. */
#define S3_QUERY_PARAMS(P)                                                                     \
    P(ACCELERATE, "accelerate", NULL)                                                          \
    P(ACL, "acl", NULL)                                                                        \
    P(ATTRIBUTES, "attributes", NULL)                                                          \
    P(BUCKET_REGION, "bucket-region", NULL)                                                    \
    P(CONTINUATION_TOKEN, "continuation-token", NULL)                                          \
    P(CORS, "cors", NULL)                                                                      \
    P(DELETE, "delete", NULL)                                                                  \
    P(DELIMITER, "delimiter", NULL)                                                            \
    P(ENCODING_TYPE, "encoding-type", NULL)                                                    \
    P(ENCRYPTION, "encryption", NULL)                                                          \
    P(FETCH_OWNER, "fetch-owner", NULL)                                                        \
    P(KEY_MARKER, "key-marker", NULL)                                                          \
    P(LEGAL_HOLD, "legal-hold", NULL)                                                          \
    P(LIFECYCLE, "lifecycle", NULL)                                                            \
    P(LIST_TYPE, "list-type", NULL)                                                            \
    P(LIST_TYPE_2, "list-type", "2")                                                           \
    P(LOCATION, "location", NULL)                                                              \
    P(LOGGING, "logging", NULL)                                                                \
    P(MARKER, "marker", NULL)                                                                  \
    P(MAX_BUCKETS, "max-buckets", NULL)                                                        \
    P(MAX_KEYS, "max-keys", NULL)                                                              \
    P(MAX_PARTS, "max-parts", NULL)                                                            \
    P(MAX_UPLOADS, "max-uploads", NULL)                                                        \
    P(NOTIFICATION, "notification", NULL)                                                      \
    P(OBJECT_LOCK, "object-lock", NULL)                                                        \
    P(OWNERSHIP_CONTROLS, "ownershipControls", NULL)                                           \
    P(PART_NUMBER, "partNumber", NULL)                                                         \
    P(PART_NUMBER_MARKER, "part-number-marker", NULL)                                          \
    P(POLICY, "policy", NULL)                                                                  \
    P(POLICY_STATUS, "policyStatus", NULL)                                                     \
    P(PREFIX, "prefix", NULL)                                                                  \
    P(PUBLIC_ACCESS_BLOCK, "publicAccessBlock", NULL)                                          \
    P(REPLICATION, "replication", NULL)                                                        \
    P(REQUEST_PAYMENT, "requestPayment", NULL)                                                 \
    P(RESPONSE_CACHE_CONTROL, "response-cache-control", NULL)                                  \
    P(RESPONSE_CONTENT_DISPOSITION, "response-content-disposition", NULL)                      \
    P(RESPONSE_CONTENT_ENCODING, "response-content-encoding", NULL)                            \
    P(RESPONSE_CONTENT_LANGUAGE, "response-content-language", NULL)                            \
    P(RESPONSE_CONTENT_TYPE, "response-content-type", NULL)                                    \
    P(RESPONSE_EXPIRES, "response-expires", NULL)                                              \
    P(RETENTION, "retention", NULL)                                                            \
    P(START_AFTER, "start-after", NULL)                                                        \
    P(TAGGING, "tagging", NULL)                                                                \
    P(UPLOAD_ID, "uploadId", NULL)                                                             \
    P(UPLOAD_ID_MARKER, "upload-id-marker", NULL)                                              \
    P(UPLOADS, "uploads", NULL)                                                                \
    P(VERSION_ID, "versionId", NULL)                                                           \
    P(VERSION_ID_MARKER, "version-id-marker", NULL)                                            \
    P(VERSIONING, "versioning", NULL)                                                          \
    P(VERSIONS, "versions", NULL)                                                              \
    P(WEBSITE, "website", NULL)

#define S3_QUERY_PARAM_ENUM(id, name, value) S3_QP_##id,
enum s3_query_param { S3_QUERY_PARAMS(S3_QUERY_PARAM_ENUM) S3_QP__COUNT };
#undef S3_QUERY_PARAM_ENUM
_Static_assert(S3_QP__COUNT <= 64, "a query parameter set is a 64-bit mask");

/* A set of query parameters, as the table's subresource and accepts columns. */
#define S3_Q(id) (UINT64_C(1) << S3_QP_##id)
#define S3_Q_RESPONSE_OVERRIDES                                                                \
    (S3_Q(RESPONSE_CACHE_CONTROL) | S3_Q(RESPONSE_CONTENT_DISPOSITION) |                       \
     S3_Q(RESPONSE_CONTENT_ENCODING) | S3_Q(RESPONSE_CONTENT_LANGUAGE) |                       \
     S3_Q(RESPONSE_CONTENT_TYPE) | S3_Q(RESPONSE_EXPIRES))

#define S3_OPERATIONS(X)                                                                       \
    /* ---- bucket ---- */                                                                     \
    X(ListBuckets, bucket, "s3:ListAllMyBuckets", OWNER, s3_list_buckets,                      \
      GET, SERVICE, 0, false,                                                                  \
      S3_Q(MAX_BUCKETS) | S3_Q(CONTINUATION_TOKEN) | S3_Q(PREFIX) | S3_Q(BUCKET_REGION))       \
    X(CreateBucket, bucket, "s3:CreateBucket", OWNER, s3_create_bucket,                        \
      PUT, BUCKET, 0, false, 0)                                                                \
    X(HeadBucket, bucket, "s3:ListBucket", GRANTED, s3_head_bucket,                            \
      HEAD, BUCKET, 0, false, 0)                                                               \
    X(DeleteBucket, bucket, "s3:DeleteBucket", OWNER, s3_delete_bucket,                        \
      DELETE, BUCKET, 0, false, 0)                                                             \
    X(GetBucketLocation, bucket, "s3:GetBucketLocation", GRANTED, s3_get_bucket_location,      \
      GET, BUCKET, S3_Q(LOCATION), false, 0)                                                   \
    /* ---- list ---- */                                                                       \
    X(ListObjects, list, "s3:ListBucket", GRANTED, s3_list_objects,                            \
      GET, BUCKET, 0, false,                                                                   \
      S3_Q(PREFIX) | S3_Q(DELIMITER) | S3_Q(MARKER) | S3_Q(MAX_KEYS) | S3_Q(ENCODING_TYPE) |   \
          S3_Q(LIST_TYPE))                                                                     \
    X(ListObjectVersions, list, "s3:ListBucketVersions", OWNER, s3_list_object_versions,       \
      GET, BUCKET, S3_Q(VERSIONS), false,                                                      \
      S3_Q(PREFIX) | S3_Q(DELIMITER) | S3_Q(KEY_MARKER) | S3_Q(VERSION_ID_MARKER) |            \
          S3_Q(MAX_KEYS) | S3_Q(ENCODING_TYPE))                                                \
    X(ListObjectsV2, list, "s3:ListBucket", GRANTED, s3_list_objects_v2,                       \
      GET, BUCKET, S3_Q(LIST_TYPE_2), false,                                                   \
      S3_Q(LIST_TYPE) | S3_Q(PREFIX) | S3_Q(DELIMITER) | S3_Q(MAX_KEYS) |                      \
          S3_Q(ENCODING_TYPE) | S3_Q(CONTINUATION_TOKEN) | S3_Q(START_AFTER) |                 \
          S3_Q(FETCH_OWNER))                                                                   \
    X(ListMultipartUploads, list, "s3:ListBucketMultipartUploads", GRANTED,                    \
      s3_list_multipart_uploads,                                                               \
      GET, BUCKET, S3_Q(UPLOADS), false,                                                       \
      S3_Q(PREFIX) | S3_Q(DELIMITER) | S3_Q(KEY_MARKER) | S3_Q(UPLOAD_ID_MARKER) |             \
          S3_Q(MAX_UPLOADS) | S3_Q(ENCODING_TYPE))                                             \
    X(ListParts, list, "s3:ListMultipartUploadParts", GRANTED, s3_list_parts,                  \
      GET, OBJECT, S3_Q(UPLOAD_ID), false, S3_Q(MAX_PARTS) | S3_Q(PART_NUMBER_MARKER))         \
    /* ---- object ---- */                                                                     \
    X(PutObject, object, "s3:PutObject", GRANTED, s3_put_object,                               \
      PUT, OBJECT, 0, false, 0)                                                                \
    X(CopyObject, object, "s3:PutObject", GRANTED, s3_copy_object,                             \
      PUT, OBJECT, 0, true, 0)                                                                 \
    X(GetObject, object, "s3:GetObject", GRANTED, s3_get_object,                               \
      GET, OBJECT, 0, false,                                                                   \
      S3_Q(VERSION_ID) | S3_Q(PART_NUMBER) | S3_Q_RESPONSE_OVERRIDES)                          \
    X(HeadObject, object, "s3:GetObject", GRANTED, s3_get_object,                              \
      HEAD, OBJECT, 0, false,                                                                  \
      S3_Q(VERSION_ID) | S3_Q(PART_NUMBER) | S3_Q_RESPONSE_OVERRIDES)                          \
    X(DeleteObject, object, "s3:DeleteObject", GRANTED, s3_delete_object,                      \
      DELETE, OBJECT, 0, false, S3_Q(VERSION_ID))                                              \
    X(DeleteObjects, object, "s3:DeleteObject", GRANTED, s3_delete_objects,                    \
      POST, BUCKET, S3_Q(DELETE), false, 0)                                                    \
    X(GetObjectAttributes, object, "s3:GetObjectAttributes", OWNER, s3_get_object_attributes,  \
      GET, OBJECT, S3_Q(ATTRIBUTES), false, S3_Q(VERSION_ID))                                  \
    /* ---- multipart ---- */                                                                  \
    X(CreateMultipartUpload, multipart, "s3:PutObject", GRANTED, s3_create_multipart_upload,   \
      POST, OBJECT, S3_Q(UPLOADS), false, 0)                                                   \
    X(UploadPart, multipart, "s3:PutObject", GRANTED, s3_upload_part,                          \
      PUT, OBJECT, S3_Q(PART_NUMBER) | S3_Q(UPLOAD_ID), false,                                 \
      S3_Q(PART_NUMBER) | S3_Q(UPLOAD_ID))                                                     \
    X(UploadPartCopy, multipart, "s3:PutObject", GRANTED, s3_upload_part_copy,                 \
      PUT, OBJECT, S3_Q(PART_NUMBER) | S3_Q(UPLOAD_ID), true,                                  \
      S3_Q(PART_NUMBER) | S3_Q(UPLOAD_ID))                                                     \
    X(CompleteMultipartUpload, multipart, "s3:PutObject", GRANTED,                             \
      s3_complete_multipart_upload,                                                            \
      POST, OBJECT, S3_Q(UPLOAD_ID), false, 0)                                                 \
    X(AbortMultipartUpload, multipart, "s3:AbortMultipartUpload", GRANTED,                     \
      s3_abort_multipart_upload,                                                               \
      DELETE, OBJECT, S3_Q(UPLOAD_ID), false, 0)                                               \
    /* ---- tagging ---- */                                                                    \
    X(GetBucketTagging, tagging, "s3:GetBucketTagging", OWNER, s3_get_bucket_tagging,          \
      GET, BUCKET, S3_Q(TAGGING), false, 0)                                                    \
    X(PutBucketTagging, tagging, "s3:PutBucketTagging", OWNER, s3_put_bucket_tagging,          \
      PUT, BUCKET, S3_Q(TAGGING), false, 0)                                                    \
    X(DeleteBucketTagging, tagging, "s3:PutBucketTagging", OWNER, s3_delete_bucket_tagging,    \
      DELETE, BUCKET, S3_Q(TAGGING), false, 0)                                                 \
    X(GetObjectTagging, tagging, "s3:GetObjectTagging", OWNER, s3_get_object_tagging,          \
      GET, OBJECT, S3_Q(TAGGING), false, S3_Q(VERSION_ID))                                     \
    X(PutObjectTagging, tagging, "s3:PutObjectTagging", OWNER, s3_put_object_tagging,          \
      PUT, OBJECT, S3_Q(TAGGING), false, S3_Q(VERSION_ID))                                     \
    X(DeleteObjectTagging, tagging, "s3:DeleteObjectTagging", OWNER, s3_delete_object_tagging, \
      DELETE, OBJECT, S3_Q(TAGGING), false, S3_Q(VERSION_ID))                                  \
    /* ---- versioning ---- */                                                                 \
    X(GetBucketVersioning, versioning, "s3:GetBucketVersioning", OWNER,                        \
      s3_get_bucket_versioning,                                                                \
      GET, BUCKET, S3_Q(VERSIONING), false, 0)                                                 \
    X(PutBucketVersioning, versioning, "s3:PutBucketVersioning", OWNER,                        \
      s3_put_bucket_versioning,                                                                \
      PUT, BUCKET, S3_Q(VERSIONING), false, 0)                                                 \
    /* ---- object_lock ---- */                                                                \
    X(GetObjectLockConfiguration, object_lock, "s3:GetBucketObjectLockConfiguration", OWNER,   \
      s3_get_object_lock_configuration,                                                        \
      GET, BUCKET, S3_Q(OBJECT_LOCK), false, 0)                                                \
    X(PutObjectLockConfiguration, object_lock, "s3:PutBucketObjectLockConfiguration", OWNER,   \
      s3_put_object_lock_configuration,                                                        \
      PUT, BUCKET, S3_Q(OBJECT_LOCK), false, 0)                                                \
    X(GetObjectRetention, object_lock, "s3:GetObjectRetention", OWNER,                         \
      s3_get_object_retention,                                                                 \
      GET, OBJECT, S3_Q(RETENTION), false, S3_Q(VERSION_ID))                                   \
    X(PutObjectRetention, object_lock, "s3:PutObjectRetention", OWNER,                         \
      s3_put_object_retention,                                                                 \
      PUT, OBJECT, S3_Q(RETENTION), false, S3_Q(VERSION_ID))                                   \
    X(GetObjectLegalHold, object_lock, "s3:GetObjectLegalHold", OWNER,                         \
      s3_get_object_legal_hold,                                                                \
      GET, OBJECT, S3_Q(LEGAL_HOLD), false, S3_Q(VERSION_ID))                                  \
    X(PutObjectLegalHold, object_lock, "s3:PutObjectLegalHold", OWNER,                         \
      s3_put_object_legal_hold,                                                                \
      PUT, OBJECT, S3_Q(LEGAL_HOLD), false, S3_Q(VERSION_ID))                                  \
    /* ---- acl ---- */                                                                        \
    X(GetBucketAcl, acl, "s3:GetBucketAcl", GRANTED, s3_get_bucket_acl,                        \
      GET, BUCKET, S3_Q(ACL), false, 0)                                                        \
    X(PutBucketAcl, acl, "s3:PutBucketAcl", OWNER, s3_put_bucket_acl,                          \
      PUT, BUCKET, S3_Q(ACL), false, 0)                                                        \
    X(GetObjectAcl, acl, "s3:GetObjectAcl", GRANTED, s3_get_object_acl,                        \
      GET, OBJECT, S3_Q(ACL), false, 0)                                                        \
    X(PutObjectAcl, acl, "s3:PutObjectAcl", GRANTED, s3_put_object_acl,                        \
      PUT, OBJECT, S3_Q(ACL), false, 0)                                                        \
    /* ---- policy ---- */                                                                     \
    X(GetBucketPolicy, policy, "s3:GetBucketPolicy", GRANTED, s3_get_bucket_policy,            \
      GET, BUCKET, S3_Q(POLICY), false, 0)                                                     \
    X(PutBucketPolicy, policy, "s3:PutBucketPolicy", OWNER, s3_put_bucket_policy,              \
      PUT, BUCKET, S3_Q(POLICY), false, 0)                                                     \
    X(DeleteBucketPolicy, policy, "s3:DeleteBucketPolicy", OWNER, s3_delete_bucket_policy,     \
      DELETE, BUCKET, S3_Q(POLICY), false, 0)                                                  \
    X(GetBucketPolicyStatus, policy, "s3:GetBucketPolicyStatus", OWNER,                        \
      s3_get_bucket_policy_status,                                                             \
      GET, BUCKET, S3_Q(POLICY_STATUS), false, 0)                                              \
    /* ---- cors ---- */                                                                       \
    X(GetBucketCors, cors, "s3:GetBucketCORS", GRANTED, s3_get_bucket_cors,                    \
      GET, BUCKET, S3_Q(CORS), false, 0)                                                       \
    X(PutBucketCors, cors, "s3:PutBucketCORS", OWNER, s3_put_bucket_cors,                      \
      PUT, BUCKET, S3_Q(CORS), false, 0)                                                       \
    X(DeleteBucketCors, cors, "s3:PutBucketCORS", OWNER, s3_delete_bucket_cors,                \
      DELETE, BUCKET, S3_Q(CORS), false, 0)                                                    \
    X(PreflightRequest, cors, "", OWNER, s3_cors_preflight,                                    \
      OPTIONS, ANY, 0, false, 0)                                                               \
    /* ---- lifecycle ---- */                                                                  \
    X(GetBucketLifecycleConfiguration, lifecycle, "s3:GetLifecycleConfiguration", OWNER,       \
      s3_get_bucket_lifecycle,                                                                 \
      GET, BUCKET, S3_Q(LIFECYCLE), false, 0)                                                  \
    X(PutBucketLifecycleConfiguration, lifecycle, "s3:PutLifecycleConfiguration", OWNER,       \
      s3_put_bucket_lifecycle,                                                                 \
      PUT, BUCKET, S3_Q(LIFECYCLE), false, 0)                                                  \
    X(DeleteBucketLifecycle, lifecycle, "s3:PutLifecycleConfiguration", OWNER,                 \
      s3_delete_bucket_lifecycle,                                                              \
      DELETE, BUCKET, S3_Q(LIFECYCLE), false, 0)                                               \
    /* ---- website ---- */                                                                    \
    X(GetBucketWebsite, website, "s3:GetBucketWebsite", GRANTED, s3_get_bucket_website,        \
      GET, BUCKET, S3_Q(WEBSITE), false, 0)                                                    \
    X(PutBucketWebsite, website, "s3:PutBucketWebsite", OWNER, s3_put_bucket_website,          \
      PUT, BUCKET, S3_Q(WEBSITE), false, 0)                                                    \
    X(DeleteBucketWebsite, website, "s3:DeleteBucketWebsite", OWNER, s3_delete_bucket_website, \
      DELETE, BUCKET, S3_Q(WEBSITE), false, 0)                                                 \
    /* ---- notification ---- */                                                               \
    X(GetBucketNotificationConfiguration, notification, "s3:GetBucketNotification", OWNER,     \
      s3_get_bucket_notification,                                                              \
      GET, BUCKET, S3_Q(NOTIFICATION), false, 0)                                               \
    X(PutBucketNotificationConfiguration, notification, "s3:PutBucketNotification", OWNER,     \
      s3_put_bucket_notification,                                                              \
      PUT, BUCKET, S3_Q(NOTIFICATION), false, 0)                                               \
    /* ---- post ---- */                                                                       \
    X(PostObject, post, "s3:PutObject", GRANTED, s3_post_object,                               \
      POST, BUCKET, 0, false, 0)                                                               \
    /* ---- config ---- */                                                                     \
    X(GetBucketEncryption, config, "s3:GetEncryptionConfiguration", OWNER,                     \
      s3_get_bucket_encryption,                                                                \
      GET, BUCKET, S3_Q(ENCRYPTION), false, 0)                                                 \
    X(PutBucketEncryption, config, "s3:PutEncryptionConfiguration", OWNER,                     \
      s3_put_bucket_encryption,                                                                \
      PUT, BUCKET, S3_Q(ENCRYPTION), false, 0)                                                 \
    X(DeleteBucketEncryption, config, "s3:PutEncryptionConfiguration", OWNER,                  \
      s3_delete_bucket_encryption,                                                             \
      DELETE, BUCKET, S3_Q(ENCRYPTION), false, 0)                                              \
    X(GetPublicAccessBlock, config, "s3:GetBucketPublicAccessBlock", OWNER,                    \
      s3_get_public_access_block,                                                              \
      GET, BUCKET, S3_Q(PUBLIC_ACCESS_BLOCK), false, 0)                                        \
    X(PutPublicAccessBlock, config, "s3:PutBucketPublicAccessBlock", OWNER,                    \
      s3_put_public_access_block,                                                              \
      PUT, BUCKET, S3_Q(PUBLIC_ACCESS_BLOCK), false, 0)                                        \
    X(DeletePublicAccessBlock, config, "s3:PutBucketPublicAccessBlock", OWNER,                 \
      s3_delete_public_access_block,                                                           \
      DELETE, BUCKET, S3_Q(PUBLIC_ACCESS_BLOCK), false, 0)                                     \
    X(GetBucketOwnershipControls, config, "s3:GetBucketOwnershipControls", OWNER,              \
      s3_get_bucket_ownership_controls,                                                        \
      GET, BUCKET, S3_Q(OWNERSHIP_CONTROLS), false, 0)                                         \
    X(PutBucketOwnershipControls, config, "s3:PutBucketOwnershipControls", OWNER,              \
      s3_put_bucket_ownership_controls,                                                        \
      PUT, BUCKET, S3_Q(OWNERSHIP_CONTROLS), false, 0)                                         \
    X(DeleteBucketOwnershipControls, config, "s3:PutBucketOwnershipControls", OWNER,           \
      s3_delete_bucket_ownership_controls,                                                     \
      DELETE, BUCKET, S3_Q(OWNERSHIP_CONTROLS), false, 0)                                      \
    X(GetBucketLogging, config, "s3:GetBucketLogging", OWNER, s3_get_bucket_logging,           \
      GET, BUCKET, S3_Q(LOGGING), false, 0)                                                    \
    X(PutBucketLogging, config, "s3:PutBucketLogging", OWNER, s3_put_bucket_logging,           \
      PUT, BUCKET, S3_Q(LOGGING), false, 0)                                                    \
    X(GetBucketRequestPayment, config, "s3:GetBucketRequestPayment", OWNER,                    \
      s3_get_bucket_request_payment,                                                           \
      GET, BUCKET, S3_Q(REQUEST_PAYMENT), false, 0)                                            \
    X(PutBucketRequestPayment, config, "s3:PutBucketRequestPayment", OWNER,                    \
      s3_put_bucket_request_payment,                                                           \
      PUT, BUCKET, S3_Q(REQUEST_PAYMENT), false, 0)                                            \
    X(GetBucketAccelerateConfiguration, config, "s3:GetAccelerateConfiguration", OWNER,        \
      s3_get_bucket_accelerate,                                                                \
      GET, BUCKET, S3_Q(ACCELERATE), false, 0)                                                 \
    X(PutBucketAccelerateConfiguration, config, "s3:PutAccelerateConfiguration", OWNER,        \
      s3_put_bucket_accelerate,                                                                \
      PUT, BUCKET, S3_Q(ACCELERATE), false, 0)                                                 \
    X(GetBucketReplication, config, "s3:GetReplicationConfiguration", OWNER,                   \
      s3_get_bucket_replication,                                                               \
      GET, BUCKET, S3_Q(REPLICATION), false, 0)                                                \
    X(PutBucketReplication, config, "s3:PutReplicationConfiguration", OWNER,                   \
      s3_put_bucket_replication,                                                               \
      PUT, BUCKET, S3_Q(REPLICATION), false, 0)                                                \
    X(DeleteBucketReplication, config, "s3:PutReplicationConfiguration", OWNER,                \
      s3_delete_bucket_replication,                                                            \
      DELETE, BUCKET, S3_Q(REPLICATION), false, 0)

#endif
