/* protocol/s3 encryption: server-side encryption as S3's API shows it.
 *
 * A write asks for it with headers (struct s3_sse_headers): SSE-S3 and
 * SSE-KMS with x-amz-server-side-encryption and its KMS key id, context and
 * bucket key; SSE-C with the customer's algorithm, key and key MD5, of
 * which only the MD5 is ever kept. s3_sse_resolve checks them as S3 does
 * and settles what the object gets: what the headers ask for, else the
 * bucket's default encryption (s3_bucket_encryption_read reads it from the
 * bucket's ServerSideEncryptionConfiguration; a new bucket's is SSE-S3
 * with SSE-C blocked, as AWS's since April 2026). s3_sse_customer_read
 * decides a read of an SSE-C object. KMS keys are reported by ARN; without
 * a KMS service here, any key id is taken, and the AWS managed key of an
 * account (aws/s3) gets an id derived from account and region. Pure: no
 * byte is encrypted here, and no key leaves this file. */
#include "protocol/s3/s3.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "protocol/auth/checksum.h"
#include "protocol/core/base64.h"
#include "protocol/core/json.h"
#include "protocol/core/uuid.h"
#include "protocol/s3/xml.h"

static const char *const managed_algorithms[] = {"AES256", "aws:kms", "aws:kms:dsse", NULL};

static bool is_kms(const char *algorithm)
{
    return algorithm && strncmp(algorithm, "aws:kms", 7) == 0;
}

enum s3_err s3_sse_customer_key(const char *algorithm, const char *key, const char *key_md5, char md5[25],
                                const char **message)
{
    md5[0] = '\0';
    *message = NULL;
    if (!algorithm && !key && !key_md5)
        return S3_OK;
    if (!algorithm) {
        *message = "Requests specifying Server Side Encryption with Customer provided keys must provide a valid "
                   "encryption algorithm.";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (strcmp(algorithm, "AES256") != 0)
        return S3_ERR_INVALID_ENCRYPTION_ALGORITHM;
    if (!key) {
        *message = "Requests specifying Server Side Encryption with Customer provided keys must provide an "
                   "appropriate secret key.";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (!key_md5) {
        *message = "Requests specifying Server Side Encryption with Customer provided keys must provide the client "
                   "calculated MD5 of the secret key.";
        return S3_ERR_INVALID_ARGUMENT;
    }
    unsigned char raw[33], digest[16];
    if (base64_decode_strict(key, strlen(key), raw, sizeof(raw)) != 32) {
        *message = "The secret key was invalid for the specified algorithm.";
        return S3_ERR_INVALID_ARGUMENT;
    }
    checksum_md5(raw, 32, digest);
    base64_encode(digest, 16, md5);
    if (strcmp(md5, key_md5) != 0) {
        md5[0] = '\0';
        *message = "The calculated MD5 hash of the key did not match the hash that was provided.";
        return S3_ERR_INVALID_ARGUMENT;
    }
    return S3_OK;
}

/* x-amz-server-side-encryption-context: base64 of a JSON object of strings. */
static bool valid_context(const char *context)
{
    size_t len = strlen(context);
    char json[4096];
    long n = len < 4 * (sizeof(json) / 3) ? base64_decode_strict(context, len, (unsigned char *)json, sizeof(json) - 1)
                                          : -1;
    if (n <= 0)
        return false;
    const struct json_value *v = json_parse(json, (size_t)n, NULL);
    bool ok = json_is(v, JSON_OBJECT);
    for (size_t i = 0; ok && i < v->len; i++)
        ok = json_is(&v->u.members[i].value, JSON_STRING);
    json_free(v);
    return ok;
}

/* The SSE-S3 / SSE-KMS headers, alone or against SSE-C. */
static enum s3_err check_managed(const struct s3_sse_headers *h, bool customer, const char **message)
{
    if (h->algorithm && customer) {
        *message = "Server Side Encryption with Customer provided key is incompatible with the encryption method "
                   "specified";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (h->algorithm && !s3_xml_value_in(h->algorithm, managed_algorithms)) {
        *message = "The encryption method specified is not supported";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if ((h->kms_key_id || h->context) && !is_kms(h->algorithm)) {
        *message = "Server Side Encryption with AWS KMS managed key requires HTTP header "
                   "x-amz-server-side-encryption : aws:kms";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (h->context && !valid_context(h->context)) {
        *message = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding "
                   "JSON which represents a string-string map";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (h->bucket_key && strcasecmp(h->bucket_key, "true") != 0 && strcasecmp(h->bucket_key, "false") != 0) {
        *message = "Invalid value for header x-amz-server-side-encryption-bucket-key-enabled";
        return S3_ERR_INVALID_ARGUMENT;
    }
    return S3_OK;
}

void s3_kms_key_arn(const char *key_id, const char *region, const char *account, char *out, size_t cap)
{
    if (key_id && strncmp(key_id, "arn:", 4) == 0) {
        snprintf(out, cap, "%s", key_id);
    } else if (key_id) {
        snprintf(out, cap, "arn:aws:kms:%s:%s:%s%s", region, account, strncmp(key_id, "alias/", 6) == 0 ? "" : "key/",
                 key_id);
    } else {
        char name[128], id[37];
        snprintf(name, sizeof(name), "aws/s3:%s:%s", account, region);
        uuid_from_name(name, id);
        snprintf(out, cap, "arn:aws:kms:%s:%s:key/%s", region, account, id);
    }
}

enum s3_err s3_sse_resolve(const struct s3_sse_headers *h, const struct s3_bucket_encryption *def,
                           const char *region, const char *account, struct s3_sse *out, char *kms_arn,
                           size_t cap, const char **message)
{
    memset(out, 0, sizeof(*out));
    *message = NULL;
    char md5[25];
    enum s3_err err = s3_sse_customer_key(h->customer_algorithm, h->customer_key, h->customer_key_md5, md5, message);
    bool customer = h->customer_algorithm || h->customer_key || h->customer_key_md5;
    /* A bucket that blocks SSE-C refuses it before its key is looked at. */
    if (customer && def->ssec_blocked) {
        *message = NULL;
        return S3_ERR_ACCESS_DENIED;
    }
    if (err == S3_OK)
        err = check_managed(h, customer, message);
    if (err != S3_OK)
        return err;
    if (customer) {
        memcpy(out->customer_key_md5, md5, sizeof(md5));
        return S3_OK;
    }
    const char *algorithm = h->algorithm ? h->algorithm : def->algorithm;
    snprintf(out->algorithm, sizeof(out->algorithm), "%s", algorithm);
    if (!is_kms(algorithm))
        return S3_OK;
    /* aws:kms without a key id is the AWS managed key; the bucket's key
     * applies to the bucket's own default only. */
    const char *key = h->kms_key_id ? h->kms_key_id : !h->algorithm && def->kms_key_id[0] ? def->kms_key_id : NULL;
    s3_kms_key_arn(key, region, account, kms_arn, cap);
    out->kms_key_id = kms_arn;
    out->bucket_key = h->bucket_key ? strcasecmp(h->bucket_key, "true") == 0 : def->bucket_key;
    return S3_OK;
}

enum s3_err s3_sse_customer_read(const struct s3_sse *object, const char *given_md5, const char **message)
{
    *message = NULL;
    bool given = given_md5 && given_md5[0];
    if (!object->customer_key_md5[0] && !given)
        return S3_OK;
    if (!object->customer_key_md5[0]) {
        *message = "The encryption parameters are not applicable to this object.";
        return S3_ERR_INVALID_REQUEST;
    }
    if (!given) {
        *message = "The object was stored using a form of Server Side Encryption. The correct parameters must be "
                   "provided to retrieve the object.";
        return S3_ERR_INVALID_REQUEST;
    }
    return strcmp(object->customer_key_md5, given_md5) == 0 ? S3_OK : S3_ERR_ACCESS_DENIED;
}
