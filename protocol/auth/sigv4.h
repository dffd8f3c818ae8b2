/* sigv4: AWS Signature Version 4 verification, pure (the time is passed in).
 *
 * sigv4_parse() reads the credentials of a request from the Authorization
 * header or from presigned X-Amz-* query parameters; sigv4_verify() rebuilds
 * the canonical request and string to sign with the caller's secret and
 * compares signatures in constant time. Results are protocol-neutral codes;
 * server/ maps them to each service's error format. */
#ifndef CLOUDLESS_SIGV4_H
#define CLOUDLESS_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/http_view.h"
#include "protocol/core/strbuf.h"

enum sigv4_status {
    SIGV4_OK = 0,
    SIGV4_ANONYMOUS,               /* no Authorization header and no X-Amz-Signature */
    SIGV4_MALFORMED_HEADER,        /* AuthorizationHeaderMalformed / IncompleteSignature */
    SIGV4_MALFORMED_QUERY,         /* AuthorizationQueryParametersError */
    SIGV4_UNSUPPORTED_ALGORITHM,   /* e.g. AWS (SigV2) or AWS4-ECDSA: InvalidArgument/IncompleteSignature */
    SIGV4_MISSING_DATE,            /* no X-Amz-Date / Date: AccessDenied "AWS authentication requires a valid Date or x-amz-date header" */
    SIGV4_SIGNATURE_MISMATCH,      /* SignatureDoesNotMatch */
    SIGV4_REQUEST_EXPIRED,         /* presigned URL past X-Amz-Expires: AccessDenied "Request has expired" */
    SIGV4_TIME_SKEWED,             /* header auth more than 15 minutes off: RequestTimeTooSkewed */
    SIGV4_EXPIRES_TOO_LARGE,       /* X-Amz-Expires > 604800: AuthorizationQueryParametersError */
};

struct sigv4_auth {
    bool presigned;
    char access_key[129];
    char scope_date[9];            /* YYYYMMDD */
    char region[33];
    char service[33];
    char amz_date[17];             /* YYYYMMDDTHHMMSSZ */
    int64_t request_time;          /* amz_date as Unix seconds */
    int64_t expires_s;             /* presigned only; -1: none given (not S3), the clock skew applies */
    char signed_headers[1024];     /* as sent: "host;x-amz-date" */
    char signature[65];            /* lower-case hex */
    char payload_hash[80];         /* x-amz-content-sha256 value (header auth), or "UNSIGNED-PAYLOAD" */
};

/* Fills `out` from the request. Checks the shape only (no secret needed). */
enum sigv4_status sigv4_parse(const struct http_request_view *req, struct sigv4_auth *out);

struct sigv4_verify_opts {
    int64_t now;                   /* Unix seconds */
    int64_t max_skew_s;            /* 900 */
    bool s3_path_encoding;         /* S3: path used as sent; other services: normalised and encoded once more */
    const char *body_sha256_hex;   /* payload hash when the request has no x-amz-content-sha256 header
                                    * (services other than S3 may omit it); NULL if unknown */
};

/* Verifies the signature with `secret`. On SIGV4_SIGNATURE_MISMATCH, when
 * sts/creq are non-NULL they receive the expected string to sign and
 * canonical request (AWS returns both in the error). */
enum sigv4_status sigv4_verify(const struct http_request_view *req, const struct sigv4_auth *auth,
                               const char *secret, const struct sigv4_verify_opts *opts,
                               struct strbuf *sts, struct strbuf *creq);

/* The same with the signing key already derived (callers may cache it per
 * access key, date, region and service: it changes once a day). */
enum sigv4_status sigv4_verify_with_key(const struct http_request_view *req,
                                        const struct sigv4_auth *auth,
                                        const unsigned char signing_key[32],
                                        const struct sigv4_verify_opts *opts, struct strbuf *sts,
                                        struct strbuf *creq);

/* The signing key HMAC chain: kSecret -> date -> region -> service -> "aws4_request". */
void sigv4_signing_key(const char *secret, const char *scope_date, const char *region,
                       const char *service, unsigned char out[32]);

/* ---- aws-chunked bodies -----------------------------------------------
 * Decodes Content-Encoding: aws-chunked bodies incrementally:
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD (every chunk signature checked, chained
 * from the seed signature), STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, and
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER (trailing x-amz-checksum-* verified
 * against the decoded bytes). */

enum aws_chunked_mode {
    AWS_CHUNKED_SIGNED,
    AWS_CHUNKED_SIGNED_TRAILER,
    AWS_CHUNKED_UNSIGNED_TRAILER,
};

enum aws_chunked_status {
    AWS_CHUNKED_MORE = 0,          /* consumed everything, wants more */
    AWS_CHUNKED_DONE,              /* final chunk and trailers read; trailing bytes not consumed */
    AWS_CHUNKED_ERR_FORMAT,        /* malformed framing: IncompleteBody / InvalidRequest */
    AWS_CHUNKED_ERR_SIGNATURE,     /* chunk or trailer signature wrong: SignatureDoesNotMatch */
    AWS_CHUNKED_ERR_CHECKSUM,      /* trailer checksum does not match the data: BadDigest */
    AWS_CHUNKED_ERR_CHECKSUM_VALUE, /* trailer checksum is no value of its algorithm: InvalidRequest */
    AWS_CHUNKED_ERR_TOO_LARGE,     /* decoded length beyond x-amz-decoded-content-length */
};

struct aws_chunked_decoder;

/* For the signed modes: signing_key from sigv4_signing_key() (NULL when the
 * secret is unknown: the chunk signatures are then read but not checked), seed_signature
 * the request's signature, amz_date and the credential scope
 * ("YYYYMMDD/region/service/aws4_request"). For unsigned, pass NULL for
 * those. trailer_alg_header: the x-amz-trailer header value or NULL.
 * decoded_length: x-amz-decoded-content-length, or -1 if absent.
 * Returns NULL on allocation failure or an unknown trailer algorithm. */
struct aws_chunked_decoder *aws_chunked_new(enum aws_chunked_mode mode,
                                            const unsigned char signing_key[32],
                                            const char *seed_signature, const char *amz_date,
                                            const char *scope, const char *trailer_alg_header,
                                            int64_t decoded_length);
/* Feeds raw body bytes; decoded payload bytes go to `sink`, which returns 0
 * or -1 to stop (then the status is AWS_CHUNKED_ERR_FORMAT and errno is
 * left as the sink set it). *consumed tells how much of `in` was used. */
enum aws_chunked_status aws_chunked_feed(struct aws_chunked_decoder *dec, const void *in,
                                         size_t len, size_t *consumed,
                                         int (*sink)(void *arg, const void *data, size_t len),
                                         void *sink_arg);
/* After DONE: the trailer checksum, if one was sent (alg and raw digest). */
bool aws_chunked_trailer_checksum(const struct aws_chunked_decoder *dec, int *alg,
                                  unsigned char digest[32], size_t *digest_len);
int64_t aws_chunked_decoded_bytes(const struct aws_chunked_decoder *dec);
void aws_chunked_free(struct aws_chunked_decoder *dec);

#endif
