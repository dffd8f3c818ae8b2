/* protocol/s3 errors: maps every enum s3_err to the code string, HTTP status
 * and default message AWS S3 uses, and writes the <Error> response body.
 *
 * One table indexed by the enum holds all three, so a new error value is one
 * new line; values outside the table answer as InternalError. The HostId of
 * an error body is the base64 SHA-256 of the request id: stable per request
 * and shaped like AWS's opaque host ids. */
#include "protocol/s3/s3.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

struct s3_err_info {
    const char *code;
    int status;
    const char *message;
};

static const struct s3_err_info err_table[S3_ERR__COUNT] = {
    [S3_OK] = {"OK", 200, "OK"},
    [S3_ERR_ACCESS_DENIED] = {"AccessDenied", 403, "Access Denied"},
    [S3_ERR_BAD_DIGEST] = {"BadDigest", 400,
        "The Content-MD5 you specified did not match what we received."},
    [S3_ERR_BUCKET_ALREADY_EXISTS] = {"BucketAlreadyExists", 409,
        "The requested bucket name is not available. The bucket namespace is shared by all "
        "users of the system. Please select a different name and try again."},
    [S3_ERR_BUCKET_ALREADY_OWNED_BY_YOU] = {"BucketAlreadyOwnedByYou", 409,
        "Your previous request to create the named bucket succeeded and you already own it."},
    [S3_ERR_BUCKET_NOT_EMPTY] = {"BucketNotEmpty", 409,
        "The bucket you tried to delete is not empty"},
    [S3_ERR_ENTITY_TOO_LARGE] = {"EntityTooLarge", 400,
        "Your proposed upload exceeds the maximum allowed size"},
    [S3_ERR_ENTITY_TOO_SMALL] = {"EntityTooSmall", 400,
        "Your proposed upload is smaller than the minimum allowed object size."},
    [S3_ERR_INCOMPLETE_BODY] = {"IncompleteBody", 400,
        "You did not provide the number of bytes specified by the Content-Length HTTP header"},
    [S3_ERR_INTERNAL_ERROR] = {"InternalError", 500,
        "We encountered an internal error. Please try again."},
    [S3_ERR_INVALID_ACCESS_KEY_ID] = {"InvalidAccessKeyId", 403,
        "The AWS Access Key Id you provided does not exist in our records."},
    [S3_ERR_INVALID_ARGUMENT] = {"InvalidArgument", 400, "Invalid Argument"},
    [S3_ERR_INVALID_BUCKET_NAME] = {"InvalidBucketName", 400,
        "The specified bucket is not valid."},
    [S3_ERR_INVALID_DIGEST] = {"InvalidDigest", 400,
        "The Content-MD5 you specified was invalid."},
    [S3_ERR_INVALID_LOCATION_CONSTRAINT] = {"InvalidLocationConstraint", 400,
        "The specified location-constraint is not valid"},
    [S3_ERR_INVALID_PART] = {"InvalidPart", 400,
        "One or more of the specified parts could not be found.  The part may not have been "
        "uploaded, or the specified entity tag may not match the part's entity tag."},
    [S3_ERR_INVALID_PART_ORDER] = {"InvalidPartOrder", 400,
        "The list of parts was not in ascending order. Parts must be ordered by part number."},
    [S3_ERR_INVALID_PART_NUMBER] = {"InvalidPartNumber", 416, "The requested partnumber is not satisfiable"},
    [S3_ERR_INVALID_RANGE] = {"InvalidRange", 416, "The requested range is not satisfiable"},
    [S3_ERR_INVALID_REQUEST] = {"InvalidRequest", 400, "Invalid Request"},
    [S3_ERR_KEY_TOO_LONG] = {"KeyTooLongError", 400, "Your key is too long"},
    [S3_ERR_MALFORMED_XML] = {"MalformedXML", 400,
        "The XML you provided was not well-formed or did not validate against our "
        "published schema"},
    [S3_ERR_METHOD_NOT_ALLOWED] = {"MethodNotAllowed", 405,
        "The specified method is not allowed against this resource."},
    [S3_ERR_MISSING_CONTENT_LENGTH] = {"MissingContentLength", 411,
        "You must provide the Content-Length HTTP header."},
    [S3_ERR_NO_SUCH_BUCKET] = {"NoSuchBucket", 404, "The specified bucket does not exist"},
    [S3_ERR_NO_SUCH_KEY] = {"NoSuchKey", 404, "The specified key does not exist."},
    [S3_ERR_NO_SUCH_UPLOAD] = {"NoSuchUpload", 404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload "
        "may have been aborted or completed."},
    [S3_ERR_NOT_IMPLEMENTED] = {"NotImplemented", 501,
        "A header you provided implies functionality that is not implemented"},
    [S3_ERR_NOT_MODIFIED] = {"NotModified", 304, "Not Modified"},
    [S3_ERR_PRECONDITION_FAILED] = {"PreconditionFailed", 412,
        "At least one of the pre-conditions you specified did not hold"},
    [S3_ERR_REQUEST_TIME_TOO_SKEWED] = {"RequestTimeTooSkewed", 403,
        "The difference between the request time and the current time is too large."},
    [S3_ERR_SIGNATURE_DOES_NOT_MATCH] = {"SignatureDoesNotMatch", 403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method."},
    [S3_ERR_XAMZ_CONTENT_SHA256_MISMATCH] = {"XAmzContentSHA256Mismatch", 400,
        "The provided 'x-amz-content-sha256' header does not match what was computed."},
    [S3_ERR_AUTHORIZATION_HEADER_MALFORMED] = {"AuthorizationHeaderMalformed", 400,
        "The authorization header is malformed."},
    [S3_ERR_AUTHORIZATION_QUERY_PARAMETERS_ERROR] = {"AuthorizationQueryParametersError", 400,
        "Query-string authentication version 4 requires the X-Amz-Algorithm, "
        "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
        "X-Amz-Expires parameters."},
    [S3_ERR_MISSING_SECURITY_HEADER] = {"MissingSecurityHeader", 400,
        "Your request was missing a required header"},
    [S3_ERR_EXPIRED_TOKEN] = {"AccessDenied", 403, "Request has expired"},
    [S3_ERR_INVALID_URI] = {"InvalidURI", 400, "Couldn't parse the specified URI."},
    [S3_ERR_REQUEST_HEADER_SECTION_TOO_LARGE] = {"RequestHeaderSectionTooLarge", 400,
        "Your request header section exceeds the maximum allowed size."},
    [S3_ERR_REQUEST_TIMEOUT] = {"RequestTimeout", 400,
        "Your socket connection to the server was not read from or written to within the "
        "timeout period. Idle connections will be closed."},
    [S3_ERR_SERVICE_UNAVAILABLE] = {"ServiceUnavailable", 503,
        "Service is unable to handle request."},
    [S3_ERR_SLOW_DOWN] = {"SlowDown", 503, "Please reduce your request rate."},
    [S3_ERR_CONDITIONAL_REQUEST_CONFLICT] = {"ConditionalRequestConflict", 409,
        "A conflicting conditional action is currently in progress against this resource. "
        "Try again."},
    [S3_ERR_INVALID_OBJECT_STATE] = {"InvalidObjectState", 403,
        "The operation is not valid for the object's storage class"},
    [S3_ERR_BAD_REQUEST] = {"BadRequest", 400, "Bad Request"},
    [S3_ERR_NO_SUCH_VERSION] = {"NoSuchVersion", 404, "The specified version does not exist."},
    [S3_ERR_INVALID_TAG] = {"InvalidTag", 400, "The TagValue you have provided is invalid"},
    [S3_ERR_NO_SUCH_TAG_SET] = {"NoSuchTagSet", 404, "The TagSet does not exist"},
    [S3_ERR_OBJECT_LOCK_CONFIGURATION_NOT_FOUND] = {"ObjectLockConfigurationNotFoundError", 404,
        "Object Lock configuration does not exist for this bucket"},
    [S3_ERR_NO_SUCH_OBJECT_LOCK_CONFIGURATION] = {"NoSuchObjectLockConfiguration", 404,
        "The specified object does not have a ObjectLock configuration"},
    [S3_ERR_INVALID_BUCKET_STATE] = {"InvalidBucketState", 409,
        "The request is not valid with the current state of the bucket."},
    [S3_ERR_MALFORMED_POLICY] = {"MalformedPolicy", 400,
        "Policies must be valid JSON and the first byte must be '{'"},
    [S3_ERR_NO_SUCH_BUCKET_POLICY] = {"NoSuchBucketPolicy", 404, "The bucket policy does not exist"},
    [S3_ERR_NO_SUCH_CORS_CONFIGURATION] = {"NoSuchCORSConfiguration", 404,
        "The CORS configuration does not exist"},
    [S3_ERR_NO_SUCH_LIFECYCLE_CONFIGURATION] = {"NoSuchLifecycleConfiguration", 404,
        "The lifecycle configuration does not exist"},
    [S3_ERR_NO_SUCH_PUBLIC_ACCESS_BLOCK_CONFIGURATION] = {"NoSuchPublicAccessBlockConfiguration", 404,
        "The public access block configuration was not found"},
    [S3_ERR_OWNERSHIP_CONTROLS_NOT_FOUND] = {"OwnershipControlsNotFoundError", 404,
        "The bucket ownership controls were not found"},
    [S3_ERR_NO_SUCH_WEBSITE_CONFIGURATION] = {"NoSuchWebsiteConfiguration", 404,
        "The specified bucket does not have a website configuration"},
    [S3_ERR_REPLICATION_CONFIGURATION_NOT_FOUND] = {"ReplicationConfigurationNotFoundError", 404,
        "The replication configuration was not found"},
    [S3_ERR_ACCESS_CONTROL_LIST_NOT_SUPPORTED] = {"AccessControlListNotSupported", 400,
        "The bucket does not allow ACLs"},
    [S3_ERR_ACCESS_FORBIDDEN] = {"AccessForbidden", 403,
        "CORSResponse: This CORS request is not allowed. This is usually because the evalution "
        "of Origin, request method / Access-Control-Request-Method or "
        "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
    [S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL] = {"UnresolvableGrantByEmailAddress", 400,
        "The e-mail address you provided does not match any account on record."},
    [S3_ERR_INVALID_TARGET_BUCKET_FOR_LOGGING] = {"InvalidTargetBucketForLogging", 400,
        "The target bucket for logging does not exist"},
    [S3_ERR_INVALID_BUCKET_ACL_WITH_OBJECT_OWNERSHIP] = {"InvalidBucketAclWithObjectOwnership", 400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
    [S3_ERR_INVALID_BUCKET_ACL_WITH_BLOCK_PUBLIC_ACCESS] = {"InvalidBucketAclWithBlockPublicAccessError", 400,
        "Bucket cannot have public ACLs set with BlockPublicAccess enabled"},
    [S3_ERR_INVALID_ENCRYPTION_ALGORITHM] = {"InvalidEncryptionAlgorithmError", 400,
        "The encryption request that you specified is not valid. The valid value is AES256."},
    [S3_ERR_INVALID_POLICY_DOCUMENT] = {"InvalidPolicyDocument", 400,
        "The content of the form does not meet the conditions specified in the policy document."},
    [S3_ERR_MAX_POST_PRE_DATA_LENGTH_EXCEEDED] = {"MaxPostPreDataLengthExceeded", 400,
        "Your POST request fields preceeding the upload file was too large."},
    [S3_ERR_TOKEN_EXPIRED] = {"ExpiredToken", 400, "The provided token has expired."},
};

static const struct s3_err_info *err_info(enum s3_err e)
{
    if ((unsigned)e >= S3_ERR__COUNT || !err_table[e].code)
        return &err_table[S3_ERR_INTERNAL_ERROR];
    return &err_table[e];
}

const char *s3_err_code(enum s3_err e) { return err_info(e)->code; }

int s3_err_status(enum s3_err e) { return err_info(e)->status; }

const char *s3_err_message(enum s3_err e) { return err_info(e)->message; }

static void append_host_id(struct strbuf *out, const char *request_id)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
    SHA256((const unsigned char *)request_id, strlen(request_id), digest);
    int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
    strbuf_append(out, b64, (size_t)n);
}

void s3_error_xml(struct strbuf *out, enum s3_err e, const char *message,
                  const char *extra_xml, const char *resource, const char *request_id)
{
    const char *rid = request_id ? request_id : "";
    strbuf_puts(out, S3_XML_DECL "<Error>");
    strbuf_xml_elem(out, "Code", s3_err_code(e));
    strbuf_xml_elem(out, "Message", message ? message : s3_err_message(e));
    if (extra_xml)
        strbuf_puts(out, extra_xml);
    strbuf_xml_elem(out, "Resource", resource ? resource : "");
    strbuf_xml_elem(out, "RequestId", rid);
    strbuf_puts(out, "<HostId>");
    append_host_id(out, rid);
    strbuf_puts(out, "</HostId></Error>");
}
