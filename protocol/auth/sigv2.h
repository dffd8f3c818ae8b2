/* sigv2: S3's legacy Signature Version 2 verification, pure (the time is
 * passed in).
 *
 * Two forms exist: the header "Authorization: AWS <AccessKeyId>:<Signature>"
 * (s3cmd with signature_v2, boto3 with signature_version "s3") and the
 * presigned query "?AWSAccessKeyId=..&Expires=..&Signature=.." (aws-cli v1's
 * `aws s3 presign`). The signature is base64(HMAC-SHA1(secret, StringToSign))
 * with StringToSign = METHOD \n Content-MD5 \n Content-Type \n
 * (Date | "" when x-amz-date is sent | Expires) \n CanonicalizedAmzHeaders
 * CanonicalizedResource, built the way botocore's HmacV1Auth builds it.
 * sigv2_parse() reads the shape; sigv2_verify() checks the clock, rebuilds
 * the string to sign and compares in constant time. */
#ifndef CLOUDLESS_SIGV2_H
#define CLOUDLESS_SIGV2_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/core/http_view.h"
#include "protocol/core/strbuf.h"

enum sigv2_status {
    SIGV2_OK = 0,
    SIGV2_ABSENT,                  /* no "AWS " Authorization header, no AWSAccessKeyId/Signature query */
    SIGV2_MALFORMED,               /* bad "AWS AK:sig" header, missing/invalid presign parameters, or
                                    * both forms at once: AccessDenied / InvalidArgument */
    SIGV2_MISSING_DATE,            /* header form without a valid Date or x-amz-date: AccessDenied
                                    * "AWS authentication requires a valid Date or x-amz-date header" */
    SIGV2_SIGNATURE_MISMATCH,      /* SignatureDoesNotMatch */
    SIGV2_EXPIRED,                 /* presigned URL past Expires: AccessDenied "Request has expired" */
    SIGV2_TIME_SKEWED,             /* header form more than 15 minutes off: RequestTimeTooSkewed */
};

struct sigv2_auth {
    bool presigned;
    char access_key[129];
    char signature[64];            /* base64, as sent (URL-decoded for the query form) */
    int64_t expires;               /* presigned: Expires, Unix seconds */
    int64_t request_time;          /* header form: x-amz-date, else Date, as Unix seconds */
};

/* Fills `out` from the request. Checks the shape only (no secret needed). */
enum sigv2_status sigv2_parse(const struct http_request_view *req, struct sigv2_auth *out);

/* Verifies the signature with `secret`. bucket_from_host is the bucket when
 * the request used virtual-hosted style (the resource is then "/" + bucket +
 * path), else NULL. Header form: the request time must be within 15 minutes
 * of `now` (Unix seconds); presigned: `now` must not be past Expires. On
 * SIGV2_SIGNATURE_MISMATCH, a non-NULL `sts` receives the expected string to
 * sign (AWS returns it in the error). */
enum sigv2_status sigv2_verify(const struct http_request_view *req, const struct sigv2_auth *auth,
                               const char *secret, const char *bucket_from_host, int64_t now,
                               struct strbuf *sts);

#endif
