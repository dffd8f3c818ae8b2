/* Unit tests for protocol/s3/encryption.c and the bucket encryption reader
 * of config.c: SSE-C key checks (AWS's errors and messages), managed
 * encryption headers, what a write gets (headers over the bucket default,
 * the SSE-C block of new buckets), reads of SSE-C objects, KMS key ARNs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/bucket_config.h"
#include "protocol/s3/s3.h"

/* The key and MD5 of ceph's s3-tests, computed by their clients. */
#define KEY_A "pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs="
#define MD5_A "DWygnHRtgiJ77HCm+1rvHw=="
#define KEY_B "6b+WOZ1T3cqZMxgThRcXAQBrS5mXKdDUphvpxptl9/4="
#define MD5_B "arxBvwY2V4SiOne6yppVPQ=="

static void test_customer_key(void **state)
{
    char md5[25];
    const char *msg;
    assert_int_equal(s3_sse_customer_key(NULL, NULL, NULL, md5, &msg), S3_OK);
    assert_string_equal(md5, "");
    assert_int_equal(s3_sse_customer_key("AES256", KEY_A, MD5_A, md5, &msg), S3_OK);
    assert_string_equal(md5, MD5_A);
    assert_int_equal(s3_sse_customer_key("AES256", KEY_B, MD5_B, md5, &msg), S3_OK);
    assert_string_equal(md5, MD5_B);

    assert_int_equal(s3_sse_customer_key(NULL, KEY_A, MD5_A, md5, &msg), S3_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "must provide a valid encryption algorithm"));
    assert_int_equal(s3_sse_customer_key("AES192", KEY_A, MD5_A, md5, &msg), S3_ERR_INVALID_ENCRYPTION_ALGORITHM);
    assert_int_equal(s3_sse_customer_key("AES256", NULL, MD5_A, md5, &msg), S3_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "appropriate secret key"));
    assert_int_equal(s3_sse_customer_key("AES256", KEY_A, NULL, md5, &msg), S3_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "client calculated MD5"));
    assert_int_equal(s3_sse_customer_key("AES256", "c2hvcnQ=", "X", md5, &msg), S3_ERR_INVALID_ARGUMENT);
    assert_string_equal(msg, "The secret key was invalid for the specified algorithm.");
    assert_int_equal(s3_sse_customer_key("AES256", KEY_A, "AAAAAAAAAAAAAAAAAAAAAA==", md5, &msg),
                     S3_ERR_INVALID_ARGUMENT);
    assert_string_equal(msg, "The calculated MD5 hash of the key did not match the hash that was provided.");
    assert_string_equal(md5, "");
}

static struct s3_bucket_encryption new_bucket(void)
{
    struct s3_bucket_encryption def;
    assert_int_equal(s3_bucket_encryption_read(NULL, &def), 0);
    return def;
}

static void test_resolve(void **state)
{
    char arn[256];
    const char *msg;
    struct s3_sse sse;
    struct s3_bucket_encryption def = new_bucket();
    assert_string_equal(def.algorithm, "AES256");
    assert_true(def.ssec_blocked);

    struct s3_sse_headers none = {0};
    assert_int_equal(s3_sse_resolve(&none, &def, "eu-west-1", "111122223333", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_string_equal(sse.algorithm, "AES256");
    assert_null(sse.kms_key_id);

    struct s3_sse_headers kms = {.algorithm = "aws:kms", .kms_key_id = "1234abcd-12ab-34cd-56ef-1234567890ab",
                                 .bucket_key = "true"};
    assert_int_equal(s3_sse_resolve(&kms, &def, "eu-west-1", "111122223333", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_string_equal(sse.algorithm, "aws:kms");
    assert_string_equal(sse.kms_key_id, "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    assert_true(sse.bucket_key);

    /* aws:kms alone: the account's AWS managed key, the same every time. */
    struct s3_sse_headers kms_only = {.algorithm = "aws:kms"};
    assert_int_equal(s3_sse_resolve(&kms_only, &def, "us-east-1", "000000000000", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_int_equal(strncmp(sse.kms_key_id, "arn:aws:kms:us-east-1:000000000000:key/", 39), 0);
    char again[256];
    s3_kms_key_arn(NULL, "us-east-1", "000000000000", again, sizeof(again));
    assert_string_equal(again, arn);
    assert_false(sse.bucket_key);

    /* SSE-C is blocked on a new bucket, before its key is looked at. */
    struct s3_sse_headers customer = {.customer_algorithm = "AES256", .customer_key = KEY_A, .customer_key_md5 = MD5_A};
    assert_int_equal(s3_sse_resolve(&customer, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_ACCESS_DENIED);
    struct s3_sse_headers bad_customer = {.customer_algorithm = "AES256", .customer_key = "x"};
    assert_int_equal(s3_sse_resolve(&bad_customer, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_ACCESS_DENIED);
    def.ssec_blocked = false;
    assert_int_equal(s3_sse_resolve(&customer, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_string_equal(sse.customer_key_md5, MD5_A);
    assert_string_equal(sse.algorithm, "");
    assert_int_equal(s3_sse_resolve(&bad_customer, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_INVALID_ARGUMENT);

    struct s3_sse_headers both = customer;
    both.algorithm = "AES256";
    assert_int_equal(s3_sse_resolve(&both, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(msg, "incompatible with the encryption method"));
    struct s3_sse_headers odd = {.algorithm = "AES192"};
    assert_int_equal(s3_sse_resolve(&odd, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_INVALID_ARGUMENT);
    assert_string_equal(msg, "The encryption method specified is not supported");
    struct s3_sse_headers key_without_kms = {.algorithm = "AES256", .kms_key_id = "k"};
    assert_int_equal(s3_sse_resolve(&key_without_kms, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_INVALID_ARGUMENT);
    /* {"a":"b"} is a context; [1] is not. */
    struct s3_sse_headers context = {.algorithm = "aws:kms", .context = "eyJhIjoiYiJ9"};
    assert_int_equal(s3_sse_resolve(&context, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg), S3_OK);
    context.context = "WzFd";
    assert_int_equal(s3_sse_resolve(&context, &def, "us-east-1", "0", &sse, arn, sizeof(arn), &msg),
                     S3_ERR_INVALID_ARGUMENT);
}

static void test_bucket_default(void **state)
{
    const char *doc = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                      "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/app</KMSMasterKeyID>"
                      "</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>"
                      "<BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes>"
                      "</Rule></ServerSideEncryptionConfiguration>";
    struct s3_bucket_encryption def;
    assert_int_equal(s3_bucket_encryption_read(doc, &def), 0);
    assert_string_equal(def.algorithm, "aws:kms");
    assert_string_equal(def.kms_key_id, "alias/app");
    assert_true(def.bucket_key);
    assert_false(def.ssec_blocked);
    char arn[256];
    const char *msg;
    struct s3_sse sse;
    struct s3_sse_headers none = {0};
    assert_int_equal(s3_sse_resolve(&none, &def, "us-west-2", "111122223333", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_string_equal(sse.algorithm, "aws:kms");
    assert_string_equal(sse.kms_key_id, "arn:aws:kms:us-west-2:111122223333:alias/app");
    assert_true(sse.bucket_key);
    /* The request's own choice wins over the bucket's. */
    struct s3_sse_headers aes = {.algorithm = "AES256"};
    assert_int_equal(s3_sse_resolve(&aes, &def, "us-west-2", "111122223333", &sse, arn, sizeof(arn), &msg), S3_OK);
    assert_string_equal(sse.algorithm, "AES256");
    assert_null(sse.kms_key_id);

    assert_int_equal(s3_bucket_encryption_read(S3_DEFAULT_ENCRYPTION_XML, &def), 0);
    assert_true(def.ssec_blocked);
    assert_string_equal(def.algorithm, "AES256");
    /* Without BlockedEncryptionTypes, SSE-C stays blocked. */
    assert_int_equal(s3_bucket_encryption_read("<ServerSideEncryptionConfiguration><Rule>"
                                               "<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
                                               "</ApplyServerSideEncryptionByDefault></Rule>"
                                               "</ServerSideEncryptionConfiguration>", &def), 0);
    assert_true(def.ssec_blocked);
    assert_int_equal(s3_bucket_encryption_read("<Nope/>", &def), -1);
}

static void test_customer_read(void **state)
{
    const char *msg;
    struct s3_sse plain = {.algorithm = "AES256"};
    struct s3_sse sealed = {.customer_key_md5 = MD5_A};
    assert_int_equal(s3_sse_customer_read(&plain, NULL, &msg), S3_OK);
    assert_int_equal(s3_sse_customer_read(&plain, "", &msg), S3_OK);
    assert_int_equal(s3_sse_customer_read(&plain, MD5_A, &msg), S3_ERR_INVALID_REQUEST);
    assert_string_equal(msg, "The encryption parameters are not applicable to this object.");
    assert_int_equal(s3_sse_customer_read(&sealed, NULL, &msg), S3_ERR_INVALID_REQUEST);
    assert_non_null(strstr(msg, "The correct parameters must be provided to retrieve the object."));
    assert_int_equal(s3_sse_customer_read(&sealed, MD5_B, &msg), S3_ERR_ACCESS_DENIED);
    assert_int_equal(s3_sse_customer_read(&sealed, MD5_A, &msg), S3_OK);
}

static void test_kms_key_arn(void **state)
{
    char arn[256];
    s3_kms_key_arn("arn:aws:kms:eu-west-1:1:key/x", "us-east-1", "2", arn, sizeof(arn));
    assert_string_equal(arn, "arn:aws:kms:eu-west-1:1:key/x");
    s3_kms_key_arn("alias/app", "us-east-1", "2", arn, sizeof(arn));
    assert_string_equal(arn, "arn:aws:kms:us-east-1:2:alias/app");
    s3_kms_key_arn("k-1", "us-east-1", "2", arn, sizeof(arn));
    assert_string_equal(arn, "arn:aws:kms:us-east-1:2:key/k-1");
    char other[256];
    s3_kms_key_arn(NULL, "us-east-1", "2", arn, sizeof(arn));
    s3_kms_key_arn(NULL, "us-east-1", "3", other, sizeof(other));
    assert_string_not_equal(arn, other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_customer_key),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_bucket_default),
        cmocka_unit_test(test_customer_read),
        cmocka_unit_test(test_kms_key_arn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
