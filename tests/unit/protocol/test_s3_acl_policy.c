/* Unit tests for protocol/s3 acl.c and policy.c: canned ACLs, grant
 * headers, AccessControlPolicy parsing and writing, bucket policy
 * validation and evaluation (principals, wildcards, Deny, Not*, conditions). */
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

static const char policy[] =
    "{\"Statement\":["
    "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/pub/*\"},"
    "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"arn:aws:iam::111122223333:root\"]},\"Action\":[\"s3:Put*\",\"s3:List?ucket\"],"
    "\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"]},"
    "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"NotAction\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/locked/*\"},"
    "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::b/*\","
    "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}";

static void test_policy_evaluation(void **state)
{
    assert_int_equal(s3_policy_evaluate(policy, NULL, "s3:GetObject", "arn:aws:s3:::b/pub/x", NULL), S3_POLICY_ALLOW);
    assert_int_equal(s3_policy_evaluate(policy, NULL, "s3:GetObject", "arn:aws:s3:::b/private/x", NULL), S3_POLICY_NO_MATCH);
    assert_int_equal(s3_policy_evaluate(policy, NULL, "s3:PutObject", "arn:aws:s3:::b/pub/x", NULL), S3_POLICY_NO_MATCH);
    assert_int_equal(s3_policy_evaluate(policy, "111122223333", "s3:putobject", "arn:aws:s3:::b/k", NULL), S3_POLICY_ALLOW);
    assert_int_equal(s3_policy_evaluate(policy, "111122223333", "s3:ListBucket", "arn:aws:s3:::b", NULL), S3_POLICY_ALLOW);
    assert_int_equal(s3_policy_evaluate(policy, "999999999999", "s3:PutObject", "arn:aws:s3:::b/k", NULL), S3_POLICY_NO_MATCH);
    assert_int_equal(s3_policy_evaluate(policy, "111122223333", "s3:PutObject", "arn:aws:s3:::b/locked/k", NULL), S3_POLICY_DENY);
    assert_int_equal(s3_policy_evaluate(policy, "111122223333", "s3:GetObject", "arn:aws:s3:::b/locked/k", NULL), S3_POLICY_NO_MATCH);
    assert_int_equal(s3_policy_evaluate(policy, NULL, "s3:DeleteObject", "arn:aws:s3:::b/k", NULL), S3_POLICY_NO_MATCH);
    const struct s3_policy_key tls[] = {{"aws:securetransport", "true"}};
    const struct s3_policy_context over_tls = {tls, 1};
    assert_int_equal(s3_policy_evaluate(policy, NULL, "s3:DeleteObject", "arn:aws:s3:::b/k", &over_tls), S3_POLICY_ALLOW);
    assert_int_equal(s3_policy_evaluate(NULL, NULL, "s3:GetObject", "arn:aws:s3:::b/pub/x", NULL), S3_POLICY_NO_MATCH);
    assert_true(s3_policy_is_public(policy));
    assert_false(s3_policy_is_public("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
                                     "\"Action\":\"s3:*\",\"Resource\":\"*\"}}"));
}

/* A policy of one statement allowing everyone s3:* on b's objects under
 * `condition`. */
static void policy_with(char *doc, size_t size, const char *condition)
{
    snprintf(doc, size,
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
             "\"Resource\":\"arn:aws:s3:::b/*\",\"Condition\":%s}}", condition);
}

/* One statement's Condition, decided against ctx: ALLOW when it holds. */
static enum s3_policy_decision decide(const char *condition, const struct s3_policy_key *keys, size_t n)
{
    char doc[1024];
    policy_with(doc, sizeof(doc), condition);
    const char *msg;
    assert_int_equal(s3_policy_validate(doc, strlen(doc), "b", &msg), S3_OK);
    const struct s3_policy_context ctx = {keys, n};
    return s3_policy_evaluate(doc, NULL, "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
}

/* Whether the one-statement policy under `condition` is public. */
static bool public_with(const char *condition)
{
    char doc[1024];
    policy_with(doc, sizeof(doc), condition);
    return s3_policy_is_public(doc);
}

/* A Condition block and a request's keys (one or two), and whether it holds. */
struct condition_case {
    const char *condition;
    struct s3_policy_key keys[2];
    bool holds;
};

static void test_policy_conditions(void **state)
{
    (void)state;
    static const struct condition_case cases[] = {
        /* Strings: values OR, keys and operators AND; key names ignore case. */
        {"{\"StringEquals\":{\"s3:prefix\":[\"a/\",\"b/\"]}}", {{"S3:Prefix", "b/"}}, true},
        {"{\"StringEquals\":{\"s3:prefix\":\"a/\"}}", {{"s3:prefix", "A/"}}, false},
        {"{\"StringEqualsIgnoreCase\":{\"s3:prefix\":\"a/\"}}", {{"s3:prefix", "A/"}}, true},
        {"{\"StringLike\":{\"s3:prefix\":\"home/*/docs?\"}}", {{"s3:prefix", "home/ann/docs1"}}, true},
        {"{\"StringLike\":{\"s3:prefix\":\"home/*\"},\"Bool\":{\"aws:SecureTransport\":true}}",
         {{"s3:prefix", "home/x"}, {"aws:SecureTransport", "false"}}, false},
        {"{\"StringLike\":{\"s3:prefix\":\"home/*\"},\"Bool\":{\"aws:SecureTransport\":true}}",
         {{"s3:prefix", "home/x"}, {"aws:SecureTransport", "true"}}, true},
        /* Negated operators: NOR over the values; an absent key makes them true. */
        {"{\"StringNotEquals\":{\"s3:x-amz-acl\":[\"private\",\"public-read\"]}}",
         {{"s3:x-amz-acl", "private"}}, false},
        {"{\"StringNotEquals\":{\"s3:x-amz-acl\":[\"private\",\"public-read\"]}}",
         {{"s3:x-amz-acl", "x"}}, true},
        {"{\"StringNotEquals\":{\"s3:x-amz-acl\":\"private\"}}", {{"x:unused", "-"}}, true},
        {"{\"StringEquals\":{\"s3:x-amz-acl\":\"private\"}}", {{"x:unused", "-"}}, false},
        /* IfExists and Null test presence. */
        {"{\"StringEqualsIfExists\":{\"s3:x-amz-acl\":\"private\"}}", {{"x:unused", "-"}}, true},
        {"{\"StringEqualsIfExists\":{\"s3:x-amz-acl\":\"private\"}}",
         {{"s3:x-amz-acl", "public-read"}}, false},
        {"{\"Null\":{\"s3:x-amz-server-side-encryption\":\"true\"}}", {{"x:unused", "-"}}, true},
        {"{\"Null\":{\"s3:x-amz-server-side-encryption\":true}}",
         {{"s3:x-amz-server-side-encryption", "AES256"}}, false},
        {"{\"Null\":{\"s3:x-amz-server-side-encryption\":\"false\"}}",
         {{"s3:x-amz-server-side-encryption", "AES256"}}, true},
        /* Set qualifiers over one value; an absent key is the empty set. */
        {"{\"ForAllValues:StringLike\":{\"s3:prefix\":\"a*\"}}", {{"x:unused", "-"}}, true},
        {"{\"ForAnyValue:StringLike\":{\"s3:prefix\":\"a*\"}}", {{"x:unused", "-"}}, false},
        {"{\"ForAnyValue:StringLike\":{\"s3:prefix\":\"a*\"}}", {{"s3:prefix", "abc"}}, true},
        /* Numbers, dates, IPs and ARNs. */
        {"{\"NumericLessThanEquals\":{\"s3:max-keys\":\"100\"}}", {{"s3:max-keys", "10"}}, true},
        {"{\"NumericLessThanEquals\":{\"s3:max-keys\":100}}", {{"s3:max-keys", "1000"}}, false},
        {"{\"NumericEquals\":{\"s3:max-keys\":\"10\"}}", {{"s3:max-keys", "ten"}}, false},
        {"{\"DateLessThan\":{\"aws:CurrentTime\":\"2030-01-01T00:00:00Z\"}}",
         {{"aws:CurrentTime", "2026-11-27T22:00:00.000Z"}}, true},
        {"{\"DateGreaterThan\":{\"aws:CurrentTime\":\"2030-01-01\"}}",
         {{"aws:CurrentTime", "2026-11-27T22:00:00Z"}}, false},
        {"{\"DateGreaterThanEquals\":{\"aws:EpochTime\":\"1700000000\"}}",
         {{"aws:EpochTime", "1800000000"}}, true},
        {"{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\",\"127.0.0.0/24\"]}}",
         {{"aws:SourceIp", "127.0.0.1"}}, true},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"127.0.1.0/24\"}}", {{"aws:SourceIp", "127.0.0.1"}}, false},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.1\"}}", {{"aws:SourceIp", "127.0.0.1"}}, true},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.0/31\"}}", {{"aws:SourceIp", "127.0.0.1"}}, true},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"127.0.0.2/31\"}}", {{"aws:SourceIp", "127.0.0.1"}}, false},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", {{"aws:SourceIp", "2001:db8:1::5"}}, true},
        {"{\"IpAddress\":{\"aws:SourceIp\":\"2001:db8::/32\"}}", {{"aws:SourceIp", "127.0.0.1"}}, false},
        {"{\"NotIpAddress\":{\"aws:SourceIp\":\"10.0.0.0/8\"}}", {{"aws:SourceIp", "127.0.0.1"}}, true},
        {"{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:s3:::logs-*\"}}",
         {{"aws:SourceArn", "arn:aws:s3:::logs-eu"}}, true},
        {"{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:*\"}}",
         {{"aws:SourceArn", "arn:aws:s3:::logs-eu"}}, false},
        {"{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:root\"}}",
         {{"aws:PrincipalArn", "arn:aws:iam::111122223333:root"}}, true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct condition_case *c = &cases[i];
        enum s3_policy_decision d = decide(c->condition, c->keys, c->keys[1].name ? 2 : 1);
        if (d != (c->holds ? S3_POLICY_ALLOW : S3_POLICY_NO_MATCH))
            fail_msg("case %zu: %s should %s", i, c->condition, c->holds ? "hold" : "fail");
    }
    /* Unknown operators are refused when stored, and never hold. */
    const char *msg;
    char bad[1024];
    policy_with(bad, sizeof(bad), "{\"StringEqualz\":{\"s3:prefix\":\"a\"}}");
    assert_int_equal(s3_policy_validate(bad, strlen(bad), "b", &msg), S3_ERR_MALFORMED_POLICY);
    assert_string_equal(msg, "Invalid Condition type : StringEqualz");
    assert_int_equal(s3_policy_evaluate(bad, NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL), S3_POLICY_NO_MATCH);
    /* Public unless limited to fixed sources. */
    assert_true(public_with("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}"));
    assert_false(public_with("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.0.0/16\"}}"));
    assert_true(public_with("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"));
    assert_false(public_with("{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}"));
    assert_true(public_with("{\"StringLike\":{\"aws:SourceAccount\":\"1111*\"}}"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canned_acls),
        cmocka_unit_test(test_grant_headers),
        cmocka_unit_test(test_acl_xml_round_trip),
        cmocka_unit_test(test_policy_validation),
        cmocka_unit_test(test_policy_evaluation),
        cmocka_unit_test(test_policy_conditions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
