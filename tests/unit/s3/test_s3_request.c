/* Unit tests for protocol/s3 request.c: routing of every supported
 * operation in path and virtual-hosted style, odd keys, unsupported
 * subresources, encoding errors, query parameters, url encode/decode and
 * bucket-name rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

static const char *const vhosts[] = {"s3.localhost", NULL};

struct route_case {
    const char *method, *path, *query, *host;
    bool copy;
    enum s3_op op;
    const char *bucket, *key;
    bool vhost;
};

static void check_case(const struct route_case *c)
{
    struct s3_route r;
    enum s3_err err = s3_route_request(c->method, c->path, c->query, c->host, vhosts, c->copy, &r);
    if (err != S3_OK || r.op != c->op)
        print_error("case %s %s?%s host=%s: err=%d op=%s\n", c->method, c->path, c->query,
                    c->host ? c->host : "-", err, s3_op_name(r.op));
    assert_int_equal(err, S3_OK);
    assert_int_equal(r.op, c->op);
    if (c->bucket)
        assert_string_equal(r.bucket, c->bucket);
    else
        assert_null(r.bucket);
    if (c->key)
        assert_string_equal(r.key, c->key);
    else
        assert_null(r.key);
    assert_int_equal(r.virtual_host, c->vhost);
    if (c->op != S3_OP_UNKNOWN)
        assert_null(r.unsupported);
    else
        assert_non_null(r.unsupported);
    s3_route_free(&r);
}

static void test_every_op_path_style(void **state)
{
    static const struct route_case cases[] = {
        {"GET", "/", "", "localhost:4566", false, S3_OP_ListBuckets, NULL, NULL, false},
        {"PUT", "/b", "", "localhost", false, S3_OP_CreateBucket, "b", NULL, false},
        {"PUT", "/b/", "", "127.0.0.1:4566", false, S3_OP_CreateBucket, "b", NULL, false},
        {"HEAD", "/b", "", NULL, false, S3_OP_HeadBucket, "b", NULL, false},
        {"DELETE", "/b", "", NULL, false, S3_OP_DeleteBucket, "b", NULL, false},
        {"GET", "/b", "location", NULL, false, S3_OP_GetBucketLocation, "b", NULL, false},
        {"GET", "/b", "", NULL, false, S3_OP_ListObjects, "b", NULL, false},
        {"GET", "/b", "prefix=a&delimiter=%2F&marker=m&max-keys=5&encoding-type=url", NULL,
         false, S3_OP_ListObjects, "b", NULL, false},
        {"GET", "/b", "list-type=2&prefix=&continuation-token=x&start-after=a&fetch-owner=true",
         NULL, false, S3_OP_ListObjectsV2, "b", NULL, false},
        {"GET", "/b", "uploads&key-marker=a&upload-id-marker=u&max-uploads=3", NULL, false,
         S3_OP_ListMultipartUploads, "b", NULL, false},
        {"POST", "/b", "delete", NULL, false, S3_OP_DeleteObjects, "b", NULL, false},
        {"POST", "/b", "delete=", NULL, false, S3_OP_DeleteObjects, "b", NULL, false},
        {"PUT", "/b/k", "", NULL, false, S3_OP_PutObject, "b", "k", false},
        {"PUT", "/b/k", "x-id=PutObject", NULL, false, S3_OP_PutObject, "b", "k", false},
        {"PUT", "/b/k", "", NULL, true, S3_OP_CopyObject, "b", "k", false},
        {"PUT", "/b/k", "partNumber=1&uploadId=u", NULL, false, S3_OP_UploadPart, "b", "k", false},
        {"PUT", "/b/k", "uploadId=u&partNumber=2", NULL, true, S3_OP_UploadPartCopy, "b", "k",
         false},
        {"GET", "/b/k", "", NULL, false, S3_OP_GetObject, "b", "k", false},
        {"GET", "/b/k", "response-content-type=text%2Fplain&partNumber=1", NULL, false,
         S3_OP_GetObject, "b", "k", false},
        {"HEAD", "/b/k", "", NULL, false, S3_OP_HeadObject, "b", "k", false},
        {"DELETE", "/b/k", "x-id=DeleteObject", NULL, false, S3_OP_DeleteObject, "b", "k", false},
        {"POST", "/b/k", "uploads", NULL, false, S3_OP_CreateMultipartUpload, "b", "k", false},
        {"POST", "/b/k", "uploadId=abc", NULL, false, S3_OP_CompleteMultipartUpload, "b", "k",
         false},
        {"DELETE", "/b/k", "uploadId=abc", NULL, false, S3_OP_AbortMultipartUpload, "b", "k",
         false},
        {"GET", "/b/k", "uploadId=abc&max-parts=2&part-number-marker=1", NULL, false,
         S3_OP_ListParts, "b", "k", false},
        {"GET", "/b/k",
         "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fs3%2F"
         "aws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host"
         "&X-Amz-Signature=abcd",
         NULL, false, S3_OP_GetObject, "b", "k", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void test_every_op_virtual_host(void **state)
{
    static const struct route_case cases[] = {
        {"PUT", "/", "", "b.s3.localhost:4566", false, S3_OP_CreateBucket, "b", NULL, true},
        {"HEAD", "/", "", "my.dotted.bucket.s3.localhost", false, S3_OP_HeadBucket,
         "my.dotted.bucket", NULL, true},
        {"DELETE", "/", "", "b.S3.LocalHost:80", false, S3_OP_DeleteBucket, "b", NULL, true},
        {"GET", "/", "location", "b.s3.localhost", false, S3_OP_GetBucketLocation, "b", NULL,
         true},
        {"GET", "/", "list-type=2", "b.s3.localhost", false, S3_OP_ListObjectsV2, "b", NULL,
         true},
        {"GET", "/", "", "b.s3.localhost", false, S3_OP_ListObjects, "b", NULL, true},
        {"GET", "/", "uploads", "b.s3.localhost", false, S3_OP_ListMultipartUploads, "b", NULL,
         true},
        {"POST", "/", "delete", "b.s3.localhost", false, S3_OP_DeleteObjects, "b", NULL, true},
        {"PUT", "/dir/k", "", "b.s3.localhost", false, S3_OP_PutObject, "b", "dir/k", true},
        {"PUT", "/k", "", "b.s3.localhost", true, S3_OP_CopyObject, "b", "k", true},
        {"PUT", "/k", "partNumber=1&uploadId=u", "b.s3.localhost", false, S3_OP_UploadPart, "b",
         "k", true},
        {"GET", "/k", "", "b.s3.localhost", false, S3_OP_GetObject, "b", "k", true},
        {"HEAD", "/k", "", "b.s3.localhost", false, S3_OP_HeadObject, "b", "k", true},
        {"DELETE", "/k", "", "b.s3.localhost", false, S3_OP_DeleteObject, "b", "k", true},
        {"POST", "/k", "uploads=", "b.s3.localhost", false, S3_OP_CreateMultipartUpload, "b",
         "k", true},
        {"POST", "/k", "uploadId=u", "b.s3.localhost", false, S3_OP_CompleteMultipartUpload,
         "b", "k", true},
        {"DELETE", "/k", "uploadId=u", "b.s3.localhost", false, S3_OP_AbortMultipartUpload,
         "b", "k", true},
        {"GET", "/k", "uploadId=u", "b.s3.localhost", false, S3_OP_ListParts, "b", "k", true},
        {"GET", "//k", "", "b.s3.localhost", false, S3_OP_GetObject, "b", "/k", true},
        /* the bare domain, or another host, is path style */
        {"GET", "/", "", "s3.localhost:4566", false, S3_OP_ListBuckets, NULL, NULL, false},
        {"GET", "/b/k", "", "s3.localhost", false, S3_OP_GetObject, "b", "k", false},
        {"GET", "/b/k", "", "b.example.com", false, S3_OP_GetObject, "b", "k", false},
        {"GET", "/b/k", "", "[::1]:4566", false, S3_OP_GetObject, "b", "k", false},
        {"GET", "/b/k", "", ".s3.localhost", false, S3_OP_GetObject, "b", "k", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void test_odd_keys(void **state)
{
    static const struct route_case cases[] = {
        {"GET", "/b/a%20b", "", NULL, false, S3_OP_GetObject, "b", "a b", false},
        {"GET", "/b/a+b", "", NULL, false, S3_OP_GetObject, "b", "a+b", false},
        {"GET", "/b/a%2Bb", "", NULL, false, S3_OP_GetObject, "b", "a+b", false},
        {"GET", "/b/a%2Fb", "", NULL, false, S3_OP_GetObject, "b", "a/b", false},
        {"GET", "/b/../x", "", NULL, false, S3_OP_GetObject, "b", "../x", false},
        {"GET", "/b/./", "", NULL, false, S3_OP_GetObject, "b", "./", false},
        {"GET", "/b/%E2%82%AC%20%C3%A9", "", NULL, false, S3_OP_GetObject, "b",
         "\xe2\x82\xac \xc3\xa9", false},
        {"GET", "/b/dir/", "", NULL, false, S3_OP_GetObject, "b", "dir/", false},
        {"GET", "/b//k", "", NULL, false, S3_OP_GetObject, "b", "/k", false},
        {"PUT", "/b/a&b=c", "", NULL, false, S3_OP_PutObject, "b", "a&b=c", false},
        {"GET", "/Bad_Name/k", "", NULL, false, S3_OP_GetObject, "Bad_Name", "k", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void expect_unknown(const char *method, const char *path, const char *query,
                           const char *unsupported)
{
    struct s3_route r;
    assert_int_equal(s3_route_request(method, path, query, NULL, vhosts, false, &r), S3_OK);
    assert_int_equal(r.op, S3_OP_UNKNOWN);
    assert_non_null(r.unsupported);
    assert_string_equal(r.unsupported, unsupported);
    s3_route_free(&r);
}

static void test_unsupported_subresources(void **state)
{
    expect_unknown("POST", "/b", "acl", "acl");
    expect_unknown("HEAD", "/b", "cors", "cors");
    expect_unknown("DELETE", "/b", "acl", "acl");
    expect_unknown("PUT", "/b", "policyStatus", "policyStatus");
    expect_unknown("GET", "/b", "cors&prefix=a", "unknown query parameter");
    expect_unknown("DELETE", "/b", "versioning", "versioning");
    expect_unknown("HEAD", "/b", "tagging", "tagging");
    expect_unknown("DELETE", "/b", "notification", "notification");
    expect_unknown("GET", "/b", "notification&prefix=a", "unknown query parameter");
    expect_unknown("PUT", "/b", "versions", "versions");
    expect_unknown("GET", "/b", "versions&list-type=2", "unknown query parameter");
    expect_unknown("PUT", "/b/k", "versionId=123", "versionId");
    expect_unknown("POST", "/b/k", "uploads&versionId=null", "versionId");
    expect_unknown("HEAD", "/b/k", "tagging", "tagging");
    expect_unknown("DELETE", "/b/k", "retention", "retention");
    expect_unknown("DELETE", "/b/k", "acl", "acl");
    expect_unknown("GET", "/b", "frobnicate=1", "unknown query parameter");
    /* a parameter of another operation is not accepted either */
    expect_unknown("GET", "/b/k", "max-keys=3", "unknown query parameter");
    expect_unknown("GET", "/b", "list-type=2&marker=x", "unknown query parameter");
    expect_unknown("GET", "/b/k", "uploads", "unknown query parameter");
    /* a POST to an object is no operation (PostObject posts to the bucket) */
    expect_unknown("POST", "/b/k", "", "POST");
}

static void test_post_object_and_attributes_ops(void **state)
{
    (void)state;
    struct s3_route r;
    assert_int_equal(s3_route_request("POST", "/b", "", NULL, NULL, false, &r), S3_OK);
    assert_int_equal(r.op, S3_OP_PostObject);
    assert_string_equal(r.bucket, "b");
    s3_route_free(&r);
    assert_int_equal(s3_route_request("GET", "/b/k", "attributes&versionId=null", NULL, NULL, false, &r),
                     S3_OK);
    assert_int_equal(r.op, S3_OP_GetObjectAttributes);
    s3_route_free(&r);
    expect_unknown("PUT", "/b/k", "attributes", "attributes");
}

static void test_bucket_configuration_ops(void **state)
{
    static const struct route_case cases[] = {
        {"GET", "/b", "policy", NULL, false, S3_OP_GetBucketPolicy, "b", NULL, false},
        {"PUT", "/b", "policy", NULL, false, S3_OP_PutBucketPolicy, "b", NULL, false},
        {"DELETE", "/b", "policy", NULL, false, S3_OP_DeleteBucketPolicy, "b", NULL, false},
        {"GET", "/b", "policyStatus", NULL, false, S3_OP_GetBucketPolicyStatus, "b", NULL, false},
        {"GET", "/b", "acl", NULL, false, S3_OP_GetBucketAcl, "b", NULL, false},
        {"PUT", "/b", "acl=", NULL, false, S3_OP_PutBucketAcl, "b", NULL, false},
        {"GET", "/b/k/x", "acl", NULL, false, S3_OP_GetObjectAcl, "b", "k/x", false},
        {"PUT", "/k", "acl", "b.s3.localhost", false, S3_OP_PutObjectAcl, "b", "k", true},
        {"PUT", "/b", "cors", NULL, false, S3_OP_PutBucketCors, "b", NULL, false},
        {"DELETE", "/b", "cors", NULL, false, S3_OP_DeleteBucketCors, "b", NULL, false},
        {"GET", "/b", "lifecycle", NULL, false, S3_OP_GetBucketLifecycleConfiguration, "b", NULL, false},
        {"DELETE", "/b", "lifecycle", NULL, false, S3_OP_DeleteBucketLifecycle, "b", NULL, false},
        {"PUT", "/b", "encryption", NULL, false, S3_OP_PutBucketEncryption, "b", NULL, false},
        {"GET", "/b", "publicAccessBlock", NULL, false, S3_OP_GetPublicAccessBlock, "b", NULL, false},
        {"DELETE", "/b", "ownershipControls", NULL, false, S3_OP_DeleteBucketOwnershipControls, "b", NULL, false},
        {"PUT", "/b", "website", NULL, false, S3_OP_PutBucketWebsite, "b", NULL, false},
        {"GET", "/b", "logging", NULL, false, S3_OP_GetBucketLogging, "b", NULL, false},
        {"PUT", "/b", "requestPayment", NULL, false, S3_OP_PutBucketRequestPayment, "b", NULL, false},
        {"GET", "/b", "accelerate", NULL, false, S3_OP_GetBucketAccelerateConfiguration, "b", NULL, false},
        {"DELETE", "/b", "replication", NULL, false, S3_OP_DeleteBucketReplication, "b", NULL, false},
        {"OPTIONS", "/b/k", "", NULL, false, S3_OP_PreflightRequest, "b", "k", false},
        {"OPTIONS", "/b", "", NULL, false, S3_OP_PreflightRequest, "b", NULL, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void test_versioning_tagging_lock_ops(void **state)
{
    static const struct route_case cases[] = {
        {"GET", "/b", "versioning", NULL, false, S3_OP_GetBucketVersioning, "b", NULL, false},
        {"PUT", "/b", "versioning", NULL, false, S3_OP_PutBucketVersioning, "b", NULL, false},
        {"GET", "/b", "notification", NULL, false, S3_OP_GetBucketNotificationConfiguration, "b", NULL, false},
        {"PUT", "/b", "notification", NULL, false, S3_OP_PutBucketNotificationConfiguration, "b", NULL, false},
        {"GET", "/b", "versions&prefix=a&key-marker=k&version-id-marker=v&max-keys=2"
         "&delimiter=/&encoding-type=url", NULL, false, S3_OP_ListObjectVersions, "b", NULL, false},
        {"GET", "/b", "object-lock", NULL, false, S3_OP_GetObjectLockConfiguration, "b", NULL, false},
        {"PUT", "/b", "object-lock", NULL, false, S3_OP_PutObjectLockConfiguration, "b", NULL, false},
        {"GET", "/b", "tagging", NULL, false, S3_OP_GetBucketTagging, "b", NULL, false},
        {"PUT", "/b", "tagging", NULL, false, S3_OP_PutBucketTagging, "b", NULL, false},
        {"DELETE", "/b", "tagging", NULL, false, S3_OP_DeleteBucketTagging, "b", NULL, false},
        {"GET", "/b/k", "tagging&versionId=v", NULL, false, S3_OP_GetObjectTagging, "b", "k", false},
        {"PUT", "/b/k", "tagging", NULL, true, S3_OP_PutObjectTagging, "b", "k", false},
        {"DELETE", "/b/k", "tagging", NULL, false, S3_OP_DeleteObjectTagging, "b", "k", false},
        {"GET", "/b/k", "retention", NULL, false, S3_OP_GetObjectRetention, "b", "k", false},
        {"PUT", "/b/k", "retention&versionId=v", NULL, false, S3_OP_PutObjectRetention, "b", "k", false},
        {"GET", "/b/k", "legal-hold", NULL, false, S3_OP_GetObjectLegalHold, "b", "k", false},
        {"PUT", "/b/k", "legal-hold", NULL, false, S3_OP_PutObjectLegalHold, "b", "k", false},
        {"GET", "/b/k", "versionId=v", NULL, false, S3_OP_GetObject, "b", "k", false},
        {"HEAD", "/b/k", "versionId=v", NULL, false, S3_OP_HeadObject, "b", "k", false},
        {"DELETE", "/b/k", "versionId=null", NULL, false, S3_OP_DeleteObject, "b", "k", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void expect_error(const char *method, const char *path, const char *query,
                         enum s3_err expected)
{
    struct s3_route r;
    assert_int_equal(s3_route_request(method, path, query, NULL, vhosts, false, &r), expected);
    assert_null(r.bucket);
    assert_null(r.key);
    s3_route_free(&r);
}

static void test_route_errors(void **state)
{
    expect_error("GET", "/b/a%2", "", S3_ERR_INVALID_URI);
    expect_error("GET", "/b/a%zz", "", S3_ERR_INVALID_URI);
    expect_error("GET", "/b/a%00b", "", S3_ERR_INVALID_URI);
    expect_error("GET", "/b%G0/k", "", S3_ERR_INVALID_URI);
    expect_error("GET", "/b/k", "prefix=%", S3_ERR_INVALID_URI);
    expect_error("GET", "/b/k", "%zz=1", S3_ERR_INVALID_URI);
    expect_error("GET", "//k", "", S3_ERR_INVALID_URI);
    expect_error("GET", "b/k", "", S3_ERR_INVALID_URI);
    expect_error("PATCH", "/b/k", "", S3_ERR_METHOD_NOT_ALLOWED);
    expect_error("PUT", "/", "", S3_ERR_METHOD_NOT_ALLOWED);
    expect_error("DELETE", "/", "", S3_ERR_METHOD_NOT_ALLOWED);

    char path[1100] = "/b/";
    memset(path + 3, 'k', 1024);
    path[3 + 1024] = '\0';
    struct s3_route r;
    assert_int_equal(s3_route_request("GET", path, "", NULL, vhosts, false, &r), S3_OK);
    assert_int_equal(strlen(r.key), 1024);
    s3_route_free(&r);
    strcat(path, "k");
    assert_int_equal(s3_route_request("GET", path, "", NULL, vhosts, false, &r),
                     S3_ERR_KEY_TOO_LONG);
    s3_route_free(&r);
}

static void test_query_param(void **state)
{
    bool present;
    char *v = query_param("a=1&prefix=x%2Fy+z&prefix=second", "prefix", &present);
    assert_true(present);
    assert_string_equal(v, "x/y z");
    free(v);
    v = query_param("uploads&x=1", "uploads", &present);
    assert_true(present);
    assert_string_equal(v, "");
    free(v);
    v = query_param("&&delete=&", "delete", &present);
    assert_true(present);
    assert_string_equal(v, "");
    free(v);
    assert_null(query_param("prefixes=1&pre=2", "prefix", &present));
    assert_false(present);
    assert_null(query_param("", "prefix", &present));
    assert_false(present);
    assert_null(query_param(NULL, "prefix", &present));
    assert_false(present);
    v = query_param("max%2Dkeys=7", "max-keys", &present);
    assert_true(present);
    assert_string_equal(v, "7");
    free(v);
    errno = 0;
    assert_null(query_param("prefix=%ZZ", "prefix", &present));
    assert_true(present);
    assert_int_equal(errno, EINVAL);
}


static void test_bucket_names(void **state)
{
    static const char *const good[] = {"abc", "my-bucket", "my.bucket.1", "1bucket",
        "a-b", "0123456789012345678901234567890123456789012345678901234567890ab", NULL};
    static const char *const bad[] = {"ab", "", "Abc", "my_bucket", "-abc", "abc-", ".abc",
        "abc.", "a..b", "192.168.5.4", "xn--abc", "sthree-abc", "abc-s3alias", "abc--ol-s3",
        "abc--x-s3", "a b", "abc/",
        "0123456789012345678901234567890123456789012345678901234567890abc",
        NULL};
    for (size_t i = 0; good[i]; i++)
        assert_true(s3_bucket_name_valid(good[i]));
    for (size_t i = 0; bad[i]; i++) {
        if (s3_bucket_name_valid(bad[i]))
            print_error("accepted bad name %s\n", bad[i]);
        assert_false(s3_bucket_name_valid(bad[i]));
    }
    assert_false(s3_bucket_name_valid(NULL));
}

static void test_op_names(void **state)
{
    assert_string_equal(s3_op_name(S3_OP_PutObject), "PutObject");
    assert_string_equal(s3_op_name(S3_OP_ListObjectsV2), "ListObjectsV2");
    for (int op = 0; op < S3_OP__COUNT; op++)
        assert_non_null(s3_op_name((enum s3_op)op));
    assert_string_equal(s3_op_name(S3_OP__COUNT), "Unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_op_path_style),
        cmocka_unit_test(test_every_op_virtual_host),
        cmocka_unit_test(test_odd_keys),
        cmocka_unit_test(test_unsupported_subresources),
        cmocka_unit_test(test_post_object_and_attributes_ops),
        cmocka_unit_test(test_bucket_configuration_ops),
        cmocka_unit_test(test_versioning_tagging_lock_ops),
        cmocka_unit_test(test_route_errors),
        cmocka_unit_test(test_query_param),
        cmocka_unit_test(test_bucket_names),
        cmocka_unit_test(test_op_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
