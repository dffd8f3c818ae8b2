/* Unit tests for protocol/s3 errors.c: every enum s3_err has an AWS code,
 * status and message; the ones clients key on match AWS exactly; the
 * <Error> body has AWS's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

static void test_every_error_is_mapped(void **state)
{
    for (int e = 1; e < S3_ERR__COUNT; e++) {
        const char *code = s3_err_code((enum s3_err)e);
        const char *msg = s3_err_message((enum s3_err)e);
        assert_non_null(code);
        assert_non_null(msg);
        assert_true(strlen(code) > 0);
        assert_true(strlen(msg) > 0);
        int status = s3_err_status((enum s3_err)e);
        assert_true(status >= 300 && status <= 599);
        if (e != S3_ERR_INTERNAL_ERROR && strcmp(code, "InternalError") == 0)
            fail_msg("enum value %d has no entry of its own", e);
    }
    assert_string_equal(s3_err_code(S3_ERR__COUNT), "InternalError");
    assert_int_equal(s3_err_status((enum s3_err)-1), 500);
}

struct expected_err {
    enum s3_err e;
    const char *code;
    int status;
    const char *message; /* NULL: not checked */
};

static void test_aws_codes_and_statuses(void **state)
{
    static const struct expected_err table[] = {
        {S3_ERR_NO_SUCH_BUCKET, "NoSuchBucket", 404, "The specified bucket does not exist"},
        {S3_ERR_NO_SUCH_KEY, "NoSuchKey", 404, "The specified key does not exist."},
        {S3_ERR_BUCKET_NOT_EMPTY, "BucketNotEmpty", 409,
         "The bucket you tried to delete is not empty"},
        {S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU, "BucketAlreadyOwnedByYou", 409, NULL},
        {S3_ERR_BUCKET_ALREADY_EXISTS, "BucketAlreadyExists", 409, NULL},
        {S3_ERR_SIGNATURE_DOES_NOT_MATCH, "SignatureDoesNotMatch", 403,
         "The request signature we calculated does not match the signature you provided. "
         "Check your key and signing method."},
        {S3_ERR_INVALID_ACCESS_KEY_ID, "InvalidAccessKeyId", 403,
         "The AWS Access Key Id you provided does not exist in our records."},
        {S3_ERR_REQUEST_TIME_TOO_SKEWED, "RequestTimeTooSkewed", 403, NULL},
        {S3_ERR_ACCESS_DENIED, "AccessDenied", 403, "Access Denied"},
        {S3_ERR_EXPIRED_TOKEN, "AccessDenied", 403, "Request has expired"},
        {S3_ERR_XAMZ_CONTENT_SHA256_MISMATCH, "XAmzContentSHA256Mismatch", 400, NULL},
        {S3_ERR_BAD_DIGEST, "BadDigest", 400, NULL},
        {S3_ERR_INVALID_DIGEST, "InvalidDigest", 400, NULL},
        {S3_ERR_ENTITY_TOO_SMALL, "EntityTooSmall", 400, NULL},
        {S3_ERR_ENTITY_TOO_LARGE, "EntityTooLarge", 400, NULL},
        {S3_ERR_INVALID_PART, "InvalidPart", 400, NULL},
        {S3_ERR_INVALID_PART_ORDER, "InvalidPartOrder", 400, NULL},
        {S3_ERR_NO_SUCH_UPLOAD, "NoSuchUpload", 404, NULL},
        {S3_ERR_INVALID_RANGE, "InvalidRange", 416, "The requested range is not satisfiable"},
        {S3_ERR_PRECONDITION_FAILED, "PreconditionFailed", 412,
         "At least one of the pre-conditions you specified did not hold"},
        {S3_ERR_NOT_MODIFIED, "NotModified", 304, NULL},
        {S3_ERR_NOT_IMPLEMENTED, "NotImplemented", 501,
         "A header you provided implies functionality that is not implemented"},
        {S3_ERR_METHOD_NOT_ALLOWED, "MethodNotAllowed", 405, NULL},
        {S3_ERR_MALFORMED_XML, "MalformedXML", 400,
         "The XML you provided was not well-formed or did not validate against our published "
         "schema"},
        {S3_ERR_INVALID_BUCKET_NAME, "InvalidBucketName", 400, NULL},
        {S3_ERR_KEY_TOO_LONG, "KeyTooLongError", 400, NULL},
        {S3_ERR_MISSING_CONTENT_LENGTH, "MissingContentLength", 411, NULL},
        {S3_ERR_INCOMPLETE_BODY, "IncompleteBody", 400, NULL},
        {S3_ERR_INTERNAL_ERROR, "InternalError", 500, NULL},
        {S3_ERR_INVALID_URI, "InvalidURI", 400, NULL},
        {S3_ERR_REQUEST_HEADER_SECTION_TOO_LARGE, "RequestHeaderSectionTooLarge", 400, NULL},
        {S3_ERR_REQUEST_TIMEOUT, "RequestTimeout", 400, NULL},
        {S3_ERR_SERVICE_UNAVAILABLE, "ServiceUnavailable", 503, NULL},
        {S3_ERR_SLOW_DOWN, "SlowDown", 503, NULL},
        {S3_ERR_CONDITIONAL_REQUEST_CONFLICT, "ConditionalRequestConflict", 409, NULL},
        {S3_ERR_INVALID_OBJECT_STATE, "InvalidObjectState", 403, NULL},
        {S3_ERR_AUTHORIZATION_HEADER_MALFORMED, "AuthorizationHeaderMalformed", 400, NULL},
        {S3_ERR_AUTHORIZATION_QUERY_PARAMETERS_ERROR, "AuthorizationQueryParametersError", 400,
         NULL},
        {S3_ERR_MISSING_SECURITY_HEADER, "MissingSecurityHeader", 400, NULL},
        {S3_ERR_INVALID_LOCATION_CONSTRAINT, "InvalidLocationConstraint", 400, NULL},
        {S3_ERR_INVALID_REQUEST, "InvalidRequest", 400, NULL},
        {S3_ERR_INVALID_ARGUMENT, "InvalidArgument", 400, NULL},
        {S3_ERR_NO_SUCH_VERSION, "NoSuchVersion", 404, "The specified version does not exist."},
        {S3_ERR_INVALID_TAG, "InvalidTag", 400, NULL},
        {S3_ERR_NO_SUCH_TAG_SET, "NoSuchTagSet", 404, "The TagSet does not exist"},
        {S3_ERR_OBJECT_LOCK_CONFIGURATION_NOT_FOUND, "ObjectLockConfigurationNotFoundError", 404,
         "Object Lock configuration does not exist for this bucket"},
        {S3_ERR_NO_SUCH_OBJECT_LOCK_CONFIGURATION, "NoSuchObjectLockConfiguration", 404, NULL},
        {S3_ERR_INVALID_BUCKET_STATE, "InvalidBucketState", 409, NULL},
        {S3_ERR_BAD_REQUEST, "BadRequest", 400, NULL},
        {S3_ERR_MALFORMED_POLICY, "MalformedPolicy", 400, NULL},
        {S3_ERR_NO_SUCH_BUCKET_POLICY, "NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
        {S3_ERR_NO_SUCH_CORS_CONFIGURATION, "NoSuchCORSConfiguration", 404, "The CORS configuration does not exist"},
        {S3_ERR_NO_SUCH_LIFECYCLE_CONFIGURATION, "NoSuchLifecycleConfiguration", 404,
         "The lifecycle configuration does not exist"},
        {S3_ERR_NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION, "NoSuchPublicAccessBlockConfiguration", 404, NULL},
        {S3_ERR_OWNERSHIP_CONTROLS_NOT_FOUND, "OwnershipControlsNotFoundError", 404, NULL},
        {S3_ERR_NO_SUCH_WEBSITE_CONFIGURATION, "NoSuchWebsiteConfiguration", 404,
         "The specified bucket does not have a website configuration"},
        {S3_ERR_REPLICATION_CONFIGURATION_NOT_FOUND, "ReplicationConfigurationNotFoundError", 404, NULL},
        {S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED, "AccessControlListNotSupported", 400,
         "The bucket does not allow ACLs"},
        {S3_ERR_ACCESS_FORBIDDEN, "AccessForbidden", 403, NULL},
        {S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL, "UnresolvableGrantByEmailAddress", 400, NULL},
        {S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING, "InvalidTargetBucketForLogging", 400, NULL},
        {S3_ERR_INVALID_PART_NUMBER, "InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
        {S3_ERR_INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP, "InvalidBucketAclWithObjectOwnership", 400,
         "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
        {S3_ERR_INVALID_BUCKET_ACL_WITH_BLOCK_PUBLIC_ACCESS, "InvalidBucketAclWithBlockPublicAccessError", 400,
         "Bucket cannot have public ACLs set with BlockPublicAccess enabled"},
        {S3_ERR_INVALID_ENCRYPTION_ALGORITHM, "InvalidEncryptionAlgorithmError", 400, NULL},
        {S3_ERR_INVALID_POLICY_DOCUMENT, "InvalidPolicyDocument", 400, NULL},
        {S3_ERR_MAX_POST_PRE_DATA_LENGTH_EXCEEDED, "MaxPostPreDataLengthExceeded", 400, NULL},
        {S3_ERR_TOKEN_EXPIRED, "ExpiredToken", 400, "The provided token has expired."},
    };
    size_t n = sizeof(table) / sizeof(table[0]);
    assert_int_equal(n, S3_ERR__COUNT - 1); /* every error listed here */
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s3_err_code(table[i].e), table[i].code);
        assert_int_equal(s3_err_status(table[i].e), table[i].status);
        if (table[i].message)
            assert_string_equal(s3_err_message(table[i].e), table[i].message);
    }
}

static void test_error_xml(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_error_xml(&sb, S3_ERR_NO_SUCH_KEY, NULL, "<Key>a&amp;b</Key>", "/b/a&b", "REQ1");
    assert_false(strbuf_failed(&sb));
    const char *prefix = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                         "<Error><Code>NoSuchKey</Code>"
                         "<Message>The specified key does not exist.</Message>"
                         "<Key>a&amp;b</Key><Resource>/b/a&amp;b</Resource>"
                         "<RequestId>REQ1</RequestId><HostId>";
    assert_memory_equal(sb.data, prefix, strlen(prefix));
    const char *host_id = sb.data + strlen(prefix);
    const char *end = strstr(host_id, "</HostId></Error>");
    assert_non_null(end);
    assert_string_equal(end, "</HostId></Error>");
    assert_int_equal(end - host_id, 44); /* base64 of a SHA-256 */

    struct strbuf again;
    strbuf_init(&again);
    s3_error_xml(&again, S3_ERR_NO_SUCH_KEY, NULL, "<Key>a&amp;b</Key>", "/b/a&b", "REQ1");
    assert_string_equal(again.data, sb.data); /* HostId is stable per request id */
    strbuf_reset(&again);
    s3_error_xml(&again, S3_ERR_NO_SUCH_KEY, NULL, "<Key>a&amp;b</Key>", "/b/a&b", "REQ2");
    assert_string_not_equal(again.data + strlen(prefix), host_id);
    strbuf_free(&again);

    strbuf_reset(&sb);
    s3_error_xml(&sb, S3_ERR_INVALID_ARGUMENT, "Part number must be <= 10000", NULL, NULL, NULL);
    assert_non_null(strstr(sb.data, "<Code>InvalidArgument</Code>"
                                    "<Message>Part number must be &lt;= 10000</Message>"
                                    "<Resource></Resource><RequestId></RequestId><HostId>"));
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_is_mapped),
        cmocka_unit_test(test_aws_codes_and_statuses),
        cmocka_unit_test(test_error_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
