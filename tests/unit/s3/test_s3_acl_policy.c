/* Unit tests for protocol/s3 acl.c and policy.c: canned ACLs, grant
 * headers, AccessControlPolicy parsing and writing, what PutBucketPolicy
 * accepts (evaluation is tested with protocol/iam, test_iam_policy.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/bucket_config.h"

static void test_canned_acls(void **state)
{
    struct s3_acl acl;
    assert_int_equal(s3_acl_canned("private", "000000000000", NULL, &acl), S3_OK);
    assert_int_equal(acl.n_grants, 1);
    assert_false(s3_acl_is_beyond_owner(&acl));
    s3_acl_free(&acl);
    assert_int_equal(s3_acl_canned("public-read-write", "000000000000", NULL, &acl), S3_OK);
    assert_int_equal(acl.n_grants, 3);
    assert_true(s3_acl_grants_public(&acl, "READ", false));
    assert_true(s3_acl_grants_public(&acl, "WRITE", false));
    assert_false(s3_acl_grants_public(&acl, "READ_ACP", false));
    assert_true(s3_acl_is_beyond_owner(&acl));
    s3_acl_free(&acl);
    assert_int_equal(s3_acl_canned("authenticated-read", "000000000000", NULL, &acl), S3_OK);
    assert_false(s3_acl_grants_public(&acl, "READ", false));
    assert_true(s3_acl_grants_public(&acl, "READ", true));
    s3_acl_free(&acl);
    assert_int_equal(s3_acl_canned("bucket-owner-full-control", "111111111111", "000000000000", &acl), S3_OK);
    assert_int_equal(acl.n_grants, 2);
    assert_string_equal(acl.grants[1].value, "000000000000");
    s3_acl_free(&acl);
    assert_int_equal(s3_acl_canned("bogus", "000000000000", NULL, &acl), S3_ERR_INVALID_ARGUMENT);
}

static void test_grant_headers(void **state)
{
    struct s3_acl acl = {.owner = "000000000000"};
    assert_int_equal(s3_acl_add_header_grants(&acl, "READ",
                                              "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\", id=\"abc\""),
                     S3_OK);
    assert_int_equal(acl.n_grants, 2);
    assert_int_equal(acl.grants[0].type, S3_GRANTEE_GROUP);
    assert_string_equal(acl.grants[1].value, "abc");
    assert_int_equal(s3_acl_add_header_grants(&acl, "READ", "emailAddress=\"a@b.c\""), S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL);
    assert_int_equal(s3_acl_add_header_grants(&acl, "READ", "uri=\"http://example.com/x\""), S3_ERR_INVALID_ARGUMENT);
    assert_int_equal(s3_acl_add_header_grants(&acl, "READ", "nonsense"), S3_ERR_INVALID_ARGUMENT);
    assert_int_equal(s3_acl_add_header_grants(&acl, "EVERYTHING", "id=\"x\""), S3_ERR_INVALID_ARGUMENT);
    s3_acl_free(&acl);
}

static void test_acl_xml_round_trip(void **state)
{
    struct s3_acl acl;
    assert_int_equal(s3_acl_canned("public-read", "000000000000", NULL, &acl), S3_OK);
    struct strbuf sb;
    strbuf_init(&sb);
    s3_acl_xml(&sb, &acl);
    s3_acl_free(&acl);
    assert_false(strbuf_failed(&sb));
    assert_non_null(strstr(sb.data, "xsi:type=\"Group\"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI>"));
    const char *message;
    assert_int_equal(s3_acl_parse(sb.data, sb.len, &acl, &message), S3_OK);
    assert_string_equal(acl.owner, "000000000000");
    assert_int_equal(acl.n_grants, 2);
    assert_true(s3_acl_grants_public(&acl, "READ", false));
    s3_acl_free(&acl);
    strbuf_free(&sb);
    const char *bad = "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee>"
                      "<ID>o</ID></Grantee><Permission>ALL</Permission></Grant></AccessControlList></AccessControlPolicy>";
    assert_int_equal(s3_acl_parse(bad, strlen(bad), &acl, &message), S3_ERR_MALFORMED_XML);
    const char *no_owner = "<AccessControlPolicy><AccessControlList/></AccessControlPolicy>";
    assert_int_equal(s3_acl_parse(no_owner, strlen(no_owner), &acl, &message), S3_ERR_MALFORMED_XML);
}

static enum s3_err validate(const char *json, const char **message)
{
    return s3_policy_validate(json, strlen(json), "bucket", message);
}

static void test_policy_validation(void **state)
{
    const char *msg;
    assert_int_equal(validate("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
                              "\"Resource\":\"arn:aws:s3:::bucket/*\"}}", &msg),
                     S3_OK);
    assert_int_equal(validate("nope", &msg), S3_ERR_MALFORMED_POLICY);
    assert_int_equal(validate("{\"Version\":\"2012-10-17\"}", &msg), S3_ERR_MALFORMED_POLICY);
    assert_string_equal(msg, "Missing required field Statement");
    assert_int_equal(validate("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"iam:Get\","
                              "\"Resource\":\"arn:aws:s3:::bucket\"}]}", &msg),
                     S3_ERR_MALFORMED_POLICY);
    assert_string_equal(msg, "Policy has invalid action");
    assert_int_equal(validate("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
                              "\"Resource\":\"arn:aws:s3:::other/*\"}]}", &msg),
                     S3_ERR_MALFORMED_POLICY);
    assert_string_equal(msg, "Policy has invalid resource");
    assert_int_equal(validate("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\","
                              "\"Resource\":\"arn:aws:s3:::bucket/*\"}]}", &msg),
                     S3_ERR_MALFORMED_POLICY);
    assert_string_equal(msg, "Missing required field Principal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canned_acls),
        cmocka_unit_test(test_grant_headers),
        cmocka_unit_test(test_acl_xml_round_trip),
        cmocka_unit_test(test_policy_validation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
