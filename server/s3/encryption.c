/* s3_encryption: server-side encryption on S3's requests and answers.
 *
 * A write (PutObject, CopyObject, CreateMultipartUpload, PostObject) asks
 * for its object's encryption with headers (or form fields); what it gets
 * is decided by protocol/s3/encryption.c against the bucket's default
 * configuration and kept in call->sse until the answer. Reads (GetObject,
 * HeadObject, GetObjectAttributes) and copies of an SSE-C object need its
 * key, of which only the MD5 is compared. Answers report an object's
 * encryption in the x-amz-server-side-encryption* headers, as S3 does on
 * every write and read. The bytes themselves are not encrypted at rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/log.h"
#include "server/s3/s3.h"

#define SSE_HEADER "x-amz-server-side-encryption"
#define CUSTOMER_HEADER "x-amz-server-side-encryption-customer-"
#define COPY_SOURCE_CUSTOMER_HEADER "x-amz-copy-source-server-side-encryption-customer-"

void s3_sse_request_headers(const struct s3_call *call, struct s3_sse_headers *h)
{
    const struct http_req *req = call->req;
    *h = (struct s3_sse_headers){
        .algorithm = http_req_header(req, SSE_HEADER),
        .kms_key_id = http_req_header(req, SSE_HEADER "-aws-kms-key-id"),
        .context = http_req_header(req, SSE_HEADER "-context"),
        .bucket_key = http_req_header(req, SSE_HEADER "-bucket-key-enabled"),
        .customer_algorithm = http_req_header(req, CUSTOMER_HEADER "algorithm"),
        .customer_key = http_req_header(req, CUSTOMER_HEADER "key"),
        .customer_key_md5 = http_req_header(req, CUSTOMER_HEADER "key-md5"),
    };
}

bool s3_sse_for_write(struct s3_call *call, const struct s3_bucket *b, const struct s3_sse_headers *h)
{
    struct s3_bucket_encryption def;
    if (s3_bucket_encryption_read(b->encryption, &def) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "cannot read the bucket's encryption configuration", NULL);
        return false;
    }
    char arn[2200];
    const char *message;
    struct s3_sse sse;
    enum s3_err err = s3_sse_resolve(h, &def, b->region, b->owner_account, &sse, arn, sizeof(arn), &message);
    if (err == S3_ERR_ACCESS_DENIED)
        log_info("SSE-C refused on bucket %s: it blocks SSE-C (PutBucketEncryption with BlockedEncryptionTypes "
                 "NONE lifts it)", b->name);
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return false;
    }
    free(call->sse.kms_key_id);
    call->sse = sse;
    call->sse.kms_key_id = NULL;
    if (sse.kms_key_id && !(call->sse.kms_key_id = strdup(sse.kms_key_id))) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return false;
    }
    return true;
}

bool s3_sse_request_customer_key(struct s3_call *call, bool copy_source, char md5[25])
{
    const struct http_req *req = call->req;
    static const char *const names[2][3] = {
        {CUSTOMER_HEADER "algorithm", CUSTOMER_HEADER "key", CUSTOMER_HEADER "key-md5"},
        {COPY_SOURCE_CUSTOMER_HEADER "algorithm", COPY_SOURCE_CUSTOMER_HEADER "key",
         COPY_SOURCE_CUSTOMER_HEADER "key-md5"},
    };
    const char *const *name = names[copy_source];
    const char *message;
    enum s3_err err = s3_sse_customer_key(http_req_header(req, name[0]), http_req_header(req, name[1]),
                                          http_req_header(req, name[2]), md5, &message);
    if (err != S3_OK)
        s3_fail(call, err, message, NULL);
    return err == S3_OK;
}

bool s3_sse_read_allowed(struct s3_call *call, const struct s3_sse *sse)
{
    char md5[25];
    if (!s3_sse_request_customer_key(call, false, md5))
        return false;
    const char *message;
    enum s3_err err = s3_sse_customer_read(sse, md5, &message);
    if (err != S3_OK)
        s3_fail(call, err, message, NULL);
    return err == S3_OK;
}

void s3_sse_add_headers(struct s3_call *call, const struct s3_sse *sse, bool write)
{
    struct http_req *req = call->req;
    if (sse->customer_key_md5[0]) {
        http_resp_header(req, CUSTOMER_HEADER "algorithm", "AES256");
        http_resp_header(req, CUSTOMER_HEADER "key-MD5", sse->customer_key_md5);
        return;
    }
    if (!sse->algorithm[0])
        return;
    http_resp_header(req, SSE_HEADER, sse->algorithm);
    if (sse->kms_key_id)
        http_resp_header(req, SSE_HEADER "-aws-kms-key-id", sse->kms_key_id);
    if (sse->bucket_key)
        http_resp_header(req, SSE_HEADER "-bucket-key-enabled", "true");
    const char *context = write && sse->kms_key_id ? http_req_header(req, SSE_HEADER "-context") : NULL;
    if (context)
        http_resp_header(req, SSE_HEADER "-context", context);
}
