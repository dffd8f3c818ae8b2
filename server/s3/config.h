/* s3_config (server): bucket configuration as the server runs it.
 *
 *  - config.c        the Get/Put/Delete handlers of every bucket
 *                    sub-resource, bucket and object ACLs, CORS preflight
 *  - server/s3/access.c     who may do what: bucket policies, ACLs and the public
 *                    access block for anonymous and other-account callers;
 *                    CORS headers on ordinary responses
 *  - server/s3/website.c    the website endpoint (<bucket>.s3-website[-.]...)
 *  - server/s3/lifecycle.c  the background sweep applying lifecycle expirations */
#ifndef CLOUDLESS_SERVER_S3_CONFIG_H
#define CLOUDLESS_SERVER_S3_CONFIG_H

#include <stdbool.h>

#include "protocol/s3/bucket_config.h"
#include "server/s3/s3.h"

/* Get, Put and Delete of the XML configuration of `kind`, on the caller's
 * bucket. */
void s3_config_get(struct s3_call *call, enum s3_config_kind kind);
void s3_config_put(struct s3_call *call, enum s3_config_kind kind);
void s3_config_delete(struct s3_call *call, enum s3_config_kind kind);

/* Decides whether an authenticated caller (call->account set) or an
 * anonymous one may run the routed operation. Callers acting on another
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
/* Adds Access-Control-* headers when the request has an Origin that the
 * bucket's CORS configuration allows for its method. */
void s3_cors_add_headers(struct s3_call *call);
/* The Access-Control-* headers of a matched CORS rule. */
void s3_cors_add_grant_headers(struct http_req *req, const struct s3_cors_grant *g);

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

/* Website endpoint: answers and returns true when Host names one. */
bool s3_website_handle(struct http_req *req);

/* Lifecycle sweep every cfg->lifecycle_interval_s seconds. */
struct s3_lifecycle;
struct s3_lifecycle *s3_lifecycle_start(struct server *srv);
void s3_lifecycle_stop(struct s3_lifecycle *lc);

#endif
