/* protocol/s3 post: browser POST uploads (PostObject), post.c —
 * incremental multipart/form-data parsing (fields whole, the "file" part
 * streamed), and the policy document (base64 JSON): expiration and
 * conditions checked against the form's fields.
 *
 * Pure: bytes in, callbacks and verdicts out. */
#ifndef CLOUDLESS_PROTOCOL_S3_POST_H
#define CLOUDLESS_PROTOCOL_S3_POST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/s3/model.h"

#define S3_POST_MAX_BOUNDARY 70     /* RFC 2046 */
#define S3_POST_MAX_HEADER 8192     /* one part's header block */
#define S3_POST_MAX_FIELDS 20480    /* all fields before the file, as AWS */

/* Each callback returns 0, or -1 to stop parsing (ERR_CALLBACK). */
struct s3_post_form_callbacks {
    /* A complete field (not "file"); value is not NUL-terminated. */
    int (*field)(void *arg, const char *name, const char *value, size_t len);
    /* The "file" part starts: its filename ("" when none) and Content-Type (NULL when none). */
    int (*file_begin)(void *arg, const char *filename, const char *content_type);
    int (*file_data)(void *arg, const void *data, size_t len);
    int (*file_end)(void *arg);
};

enum s3_post_form_status {
    S3_POST_FORM_MORE,             /* all taken; feed more */
    S3_POST_FORM_DONE,             /* the closing boundary was seen */
    S3_POST_FORM_ERR_MALFORMED,
    S3_POST_FORM_ERR_FIELDS_TOO_LARGE,
    S3_POST_FORM_ERR_NOMEM,
    S3_POST_FORM_ERR_CALLBACK,
};

/* The boundary of a "multipart/form-data; boundary=..." Content-Type into
 * out; -1 when it is another type or names no valid boundary. */
int s3_post_form_boundary(const char *content_type, char *out, size_t cap);
/* NULL on ENOMEM or a bad boundary. */
struct s3_post_form *s3_post_form_new(const char *boundary, const struct s3_post_form_callbacks *cb,
                                      void *arg);
/* Feeds body bytes in any slicing; callbacks run from here. */
enum s3_post_form_status s3_post_form_feed(struct s3_post_form *f, const void *data, size_t len);
/* Whether the closing boundary was seen (the body is complete). */
bool s3_post_form_done(const struct s3_post_form *f);
void s3_post_form_free(struct s3_post_form *f);

/* ---- the policy document --------------------------------------------- */

/* What the policy allows beyond the fields: the file's size range
 * (content-length-range; 0..INT64_MAX when absent). */
struct s3_post_limits {
    int64_t min_size;
    int64_t max_size;
};

/* Checks a policy (decoded JSON) at now_ms against the form fields (names
 * lower-case; values as sent) and the bucket: expiration, every condition,
 * and every field covered by a condition (except policy, signatures, file
 * and x-ignore-*). S3_OK, or S3_ERR_ACCESS_DENIED / S3_ERR_INVALID_POLICY_DOCUMENT
 * with AWS's message in msg (msg_cap bytes). */
enum s3_err s3_post_policy_check(const char *json, size_t len, int64_t now_ms, const char *bucket,
                                 const struct s3_kv *fields, size_t n_fields,
                                 struct s3_post_limits *limits, char *msg, size_t msg_cap);

#endif
