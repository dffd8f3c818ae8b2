/* protocol/s3 bucket configuration: the wire format of the bucket
 * sub-resources (?cors, ?lifecycle, ?encryption, ?publicAccessBlock,
 * ?ownershipControls, ?website, ?logging, ?requestPayment, ?accelerate,
 * ?replication, ?acl) and of bucket policies, pure — the header of the
 * families whose documents a bucket keeps:
 *
 *  - config.c     what every document shares (names, validation to the
 *                 canonical form, reading a stored one back), and the
 *                 config family: encryption, public access block,
 *                 ownership controls, logging, request payment,
 *                 accelerate, replication
 *  - cors.c       CORS rules, and matching a request against them
 *  - lifecycle.c  lifecycle rules, and the expirations the sweep applies
 *  - website.c    website documents, and their routing rules
 *  - acl.c        canned ACLs, x-amz-grant-* headers, AccessControlPolicy
 *  - policy.c     what PutBucketPolicy accepts (protocol/iam evaluates)
 *
 * A configuration is validated from the parsed request body and stored as
 * its canonical XML: elements and text only (and a grantee's xsi:type), no
 * whitespace between elements, the S3 namespace on the root. GET answers with that document as
 * is, so what a client put is what it reads back. */
#ifndef CLOUDLESS_PROTOCOL_S3_BUCKET_CONFIG_H
#define CLOUDLESS_PROTOCOL_S3_BUCKET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/s3/model.h"
#include "protocol/core/strbuf.h"

/* The XML-bodied configurations. */
enum s3_config_kind {
    S3_CONFIG_CORS,
    S3_CONFIG_LIFECYCLE,
    S3_CONFIG_ENCRYPTION,
    S3_CONFIG_PUBLIC_ACCESS_BLOCK,
    S3_CONFIG_OWNERSHIP,
    S3_CONFIG_WEBSITE,
    S3_CONFIG_LOGGING,
    S3_CONFIG_REQUEST_PAYMENT,
    S3_CONFIG_ACCELERATE,
    S3_CONFIG_REPLICATION,
    S3_CONFIG__COUNT
};

/* "cors", "lifecycle", ...: the storage name of a kind. */
const char *s3_config_name(enum s3_config_kind kind);

/* Validates a PUT body for `kind` and writes its canonical XML (without
 * the XML declaration) to `out`. Returns S3_OK, S3_ERR_MALFORMED_XML,
 * S3_ERR_INVALID_ARGUMENT or S3_ERR_INVALID_REQUEST with *message set to
 * AWS's message (static) or NULL for the default. */
enum s3_err s3_config_canonicalize(enum s3_config_kind kind, const char *body, size_t len,
                                   struct strbuf *out, const char **message);

/* The documents a bucket reports when nothing was ever set (a new AWS
 * bucket's encryption blocks SSE-C since April 2026). */
#define S3_DEFAULT_ENCRYPTION_XML                                                              \
    "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"   \
    "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"           \
    "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"         \
    "<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType></BlockedEncryptionTypes>" \
    "</Rule></ServerSideEncryptionConfiguration>"
#define S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML                                                     \
    "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"      \
    "<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"        \
    "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true"                  \
    "</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
#define S3_DEFAULT_OWNERSHIP_XML                                                               \
    "<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule>"             \
    "<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"
#define S3_EMPTY_LOGGING_XML \
    "<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></BucketLoggingStatus>"
#define S3_DEFAULT_REQUEST_PAYMENT_XML                                                         \
    "<RequestPaymentConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"         \
    "<Payer>BucketOwner</Payer></RequestPaymentConfiguration>"
#define S3_EMPTY_ACCELERATE_XML \
    "<AccelerateConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></AccelerateConfiguration>"

/* ---- config.c: readers of stored (canonical) documents ---------------- */

struct s3_public_access_block {
    bool block_public_acls, ignore_public_acls, block_public_policy, restrict_public_buckets;
};
/* NULL doc = no configuration: every flag false. -1 on a bad document. */
int s3_public_access_block_read(const char *doc, struct s3_public_access_block *out);

/* "BucketOwnerEnforced" etc. into out (cap 32); NULL doc -> "ObjectWriter"
 * (what a bucket without ownership controls behaves as). */
int s3_ownership_read(const char *doc, char *out, size_t cap);
/* Whether v is an ObjectOwnership value (CreateBucket's x-amz-object-ownership). */
bool s3_ownership_valid(const char *v);
/* The OwnershipControls document of one rule with that ObjectOwnership. */
void s3_ownership_xml(struct strbuf *out, const char *ownership);

/* A bucket's default encryption from its stored configuration (NULL doc:
 * a new bucket's: SSE-S3, SSE-C blocked; a configuration without
 * BlockedEncryptionTypes keeps SSE-C blocked). -1 on a bad document.
 * struct s3_bucket_encryption is in protocol/s3/s3.h. */
struct s3_bucket_encryption;
int s3_bucket_encryption_read(const char *doc, struct s3_bucket_encryption *out);

/* The target bucket of a logging configuration, malloc'd, or NULL when
 * logging is disabled, and whether it has target grants. -1 on a bad
 * document or ENOMEM. */
int s3_logging_target(const char *doc, char **target, bool *grants);

/* ---- cors.c ---------------------------------------------------------- */

/* What a CORS rule grants one request. */
struct s3_cors_grant {
    char *allow_origin;            /* the Origin echoed, or "*" */
    char *allow_methods;           /* "GET, PUT" */
    char *allow_headers;           /* the requested headers, or NULL */
    char *expose_headers;          /* "ETag, x-amz-meta-a", or NULL */
    int max_age;                   /* -1 when the rule sets none */
    bool credentials;              /* origin was not "*" */
};
void s3_cors_grant_free(struct s3_cors_grant *g);
/* First rule of `doc` matching origin, method and the comma-separated
 * requested headers (may be NULL). Returns 1 with *out filled, 0 when no
 * rule matches, -1 on a bad document or ENOMEM. */
int s3_cors_match(const char *doc, const char *origin, const char *method,
                  const char *request_headers, struct s3_cors_grant *out);

/* ---- lifecycle.c ----------------------------------------------------- */

/* One enabled lifecycle rule, with the actions the server applies: its
 * filter (prefix, tags, object size bounds), its Expiration of current
 * objects (or of lone delete markers), NoncurrentVersionExpiration and
 * AbortIncompleteMultipartUpload. */
struct s3_lifecycle_rule {
    char *prefix;                  /* "" = every key */
    struct s3_kv *tags;            /* every one must be on the object */
    size_t n_tags;
    int64_t size_greater_than;     /* -1 when absent */
    int64_t size_less_than;        /* -1 when absent */
    int expiration_days;           /* > 0, or 0 */
    int64_t expiration_date_ms;    /* expire everything from this date on, or 0 */
    bool expired_delete_marker;    /* remove a delete marker that is a key's only version */
    int noncurrent_days;           /* NoncurrentVersionExpiration NoncurrentDays, or 0 */
    int newer_noncurrent;          /* ... NewerNoncurrentVersions: how many noncurrent versions stay */
    int abort_days;                /* AbortIncompleteMultipartUpload DaysAfterInitiation, or 0 */
};
/* The enabled rules with one of those actions. -1 on a bad document or
 * ENOMEM. */
int s3_lifecycle_rules(const char *doc, struct s3_lifecycle_rule **rules, size_t *n);
void s3_lifecycle_rules_free(struct s3_lifecycle_rule *rules, size_t n);
/* Whether an object of `size` with these tags is in the rule's filter
 * (its prefix aside, which listings apply). */
bool s3_lifecycle_rule_covers(const struct s3_lifecycle_rule *rule, int64_t size, const struct s3_kv *tags,
                              size_t n_tags);

/* ---- website.c ------------------------------------------------------- */

/* What the website endpoint serves. */
/* One RoutingRule: its Condition (either or both parts) and its Redirect. */
struct s3_routing_rule {
    char *key_prefix_equals;       /* NULL: any key */
    int error_code;                /* HttpErrorCodeReturnedEquals, or 0: applies before the lookup */
    char *protocol;                /* NULL = the request's */
    char *host_name;               /* NULL = the request's Host */
    char *replace_key_prefix_with; /* NULL unless set */
    char *replace_key_with;        /* NULL unless set */
    int redirect_code;             /* HttpRedirectCode, 301 by default */
};

struct s3_website {
    char *index_suffix;            /* "index.html", NULL when redirecting */
    char *error_key;               /* NULL when none */
    char *redirect_host;           /* RedirectAllRequestsTo HostName, or NULL */
    char *redirect_protocol;       /* NULL = the request's */
    struct s3_routing_rule *rules; /* RoutingRules, in order */
    size_t n_rules;
};
/* The first routing rule for `key` (the request path without its leading
 * '/', decoded) when the lookup answered `status` (0: before the lookup),
 * or NULL. */
const struct s3_routing_rule *s3_website_route(const struct s3_website *w, const char *key, int status);
/* The key a rule redirects `key` to (malloc'd; NULL on ENOMEM). */
char *s3_routing_rule_target(const struct s3_routing_rule *rule, const char *key);
int s3_website_read(const char *doc, struct s3_website *out);
void s3_website_free(struct s3_website *w);

/* ---- acl.c ----------------------------------------------------------- */

enum s3_grantee_type { S3_GRANTEE_USER, S3_GRANTEE_GROUP, S3_GRANTEE_EMAIL };

#define S3_ALL_USERS_URI "http://acs.amazonaws.com/groups/global/AllUsers"
#define S3_AUTHENTICATED_USERS_URI "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define S3_LOG_DELIVERY_URI "http://acs.amazonaws.com/groups/s3/LogDelivery"

struct s3_grant {
    enum s3_grantee_type type;
    char *value;                   /* canonical user id, group URI or e-mail */
    char *permission;              /* FULL_CONTROL, WRITE, WRITE_ACP, READ, READ_ACP */
};

struct s3_acl {
    char owner[65];
    struct s3_grant *grants;
    size_t n_grants;
};
void s3_acl_free(struct s3_acl *acl);

/* A canned ACL (x-amz-acl) for a resource owned by `owner`; `bucket_owner`
 * is used by bucket-owner-read / bucket-owner-full-control. S3_OK or
 * S3_ERR_INVALID_ARGUMENT for an unknown name. */
enum s3_err s3_acl_canned(const char *name, const char *owner, const char *bucket_owner,
                          struct s3_acl *out);
/* Adds the grants of one x-amz-grant-<permission> header value
 * (`id="..."`, `uri="..."`, `emailAddress="..."`, comma-separated).
 * `permission` is FULL_CONTROL, READ, ... S3_ERR_INVALID_ARGUMENT when malformed. */
enum s3_err s3_acl_add_header_grants(struct s3_acl *acl, const char *permission, const char *value);
/* Parses an AccessControlPolicy body. S3_ERR_MALFORMED_XML or
 * S3_ERR_INVALID_ARGUMENT (unknown permission or grantee) with *message. */
enum s3_err s3_acl_parse(const char *body, size_t len, struct s3_acl *out, const char **message);
/* <AccessControlPolicy xmlns=...>...</AccessControlPolicy> without the XML declaration. */
void s3_acl_xml(struct strbuf *out, const struct s3_acl *acl);
/* True when a grant to AllUsers (or AuthenticatedUsers when `authenticated`)
 * gives `permission` (FULL_CONTROL implies every permission). */
bool s3_acl_grants_public(const struct s3_acl *acl, const char *permission, bool authenticated);
/* True when the ACL gives anything to anyone but the owner (AWS refuses such
 * ACLs when the bucket owner enforces ownership). */
bool s3_acl_is_beyond_owner(const struct s3_acl *acl);
/* True when the ACL grants any permission to AllUsers or
 * AuthenticatedUsers: public, as the public access block defines it. */
bool s3_acl_is_public(const struct s3_acl *acl);

/* ---- policy.c -------------------------------------------------------- */

/* Checks a PutBucketPolicy body (see protocol/iam/policy.h) with S3's rules:
 * s3:* actions, resources naming this bucket. S3_OK or
 * S3_ERR_MALFORMED_POLICY with *message. Stored policies are evaluated
 * with iam_policy_evaluate. */
enum s3_err s3_policy_validate(const char *json, size_t len, const char *bucket,
                               const char **message);

#endif
