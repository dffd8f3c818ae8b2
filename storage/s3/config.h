/* s3_config: durable bucket configuration (policy, ACL, CORS, lifecycle,
 * encryption, public access block, ownership controls, website, logging,
 * request payment, accelerate, replication) and object ACLs.
 *
 * A bucket's configuration is one row per kind holding the document as the
 * protocol layer canonicalised it (XML, or the policy's JSON). A row whose
 * document is NULL records that the client removed a configuration AWS
 * gives every new bucket (public access block, ownership controls), so the
 * default no longer applies. Rows go with their bucket (ON DELETE CASCADE).
 *
 * An object's ACL row carries the ETag and modification time of the object
 * it was set on; a row that no longer matches the object (the key was
 * overwritten or deleted) is ignored, so replacing an object resets its ACL
 * as AWS does without this module touching the object tables.
 *
 * Reads run on the loop thread's read-only connection; writes go through
 * store_submit(), so `done` runs once they are durable. */
#ifndef CLOUDLESS_STORAGE_S3_CONFIG_H
#define CLOUDLESS_STORAGE_S3_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/core/store.h"

enum store_config_state {
    STORE_CONFIG_UNSET,            /* never set: the bucket's default applies */
    STORE_CONFIG_SET,
    STORE_CONFIG_REMOVED,          /* deleted by the client: no default either */
};

/* Loads one configuration. *doc is malloc'd when SET, else NULL.
 * -1 on a database error or ENOMEM. */
int store_get_bucket_config(struct store *st, const char *bucket, const char *kind,
                            enum store_config_state *state, char **doc);

/* Sets (doc non-NULL), marks removed (doc NULL, keep_marker true) or
 * forgets (doc NULL, keep_marker false) one configuration. Returns -1 when
 * nothing was queued; else done(arg, ok) runs on the loop thread. */
int store_put_bucket_config(struct store *st, const char *bucket, const char *kind, const char *doc,
                            bool keep_marker, void (*done)(void *arg, bool ok), void *arg);

/* Every bucket holding a configuration of `kind`, with its document. */
int store_list_bucket_configs(struct store *st, const char *kind, char ***buckets, char ***docs,
                              size_t *n);
void store_free_string_pairs(char **a, char **b, size_t n);

/* The ACL set on the current object (etag, last-modified identify it), or
 * *acl NULL when none applies. -1 on error. */
int store_get_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, char **acl);
int store_put_object_acl(struct store *st, const char *bucket, const char *key, const char *etag,
                         int64_t modified_ms, const char *acl, void (*done)(void *arg, bool ok),
                         void *arg);

#endif
