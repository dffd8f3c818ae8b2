/* Unit tests for protocol/iam: policy evaluation (principals, wildcards,
 * Deny over Allow, Not* forms), Condition blocks (a table of operators,
 * absent keys, IfExists, Null, set qualifiers, numbers, dates, CIDRs,
 * ARNs), the checks made when a policy is stored, and S3's meaning of a
 * public policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/iam/policy.h"

static bool any_resource(const char *resource, const void *arg)
{
    (void)arg;
    return strncmp(resource, "arn:aws:s3:::b", 14) == 0;
}

static const struct iam_policy_rules rules = {"s3:", any_resource, NULL};

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
    assert_int_equal(iam_policy_evaluate(policy, NULL, "s3:GetObject", "arn:aws:s3:::b/pub/x", NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate(policy, NULL, "s3:GetObject", "arn:aws:s3:::b/private/x", NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(policy, NULL, "s3:PutObject", "arn:aws:s3:::b/pub/x", NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(policy, "111122223333", "s3:putobject", "arn:aws:s3:::b/k", NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate(policy, "111122223333", "s3:ListBucket", "arn:aws:s3:::b", NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate(policy, "999999999999", "s3:PutObject", "arn:aws:s3:::b/k", NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(policy, "111122223333", "s3:PutObject", "arn:aws:s3:::b/locked/k", NULL), IAM_DENY);
    assert_int_equal(iam_policy_evaluate(policy, "111122223333", "s3:GetObject", "arn:aws:s3:::b/locked/k", NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(policy, NULL, "s3:DeleteObject", "arn:aws:s3:::b/k", NULL), IAM_NO_MATCH);
    const struct iam_key tls[] = {{"aws:securetransport", "true"}};
    const struct iam_context over_tls = {tls, 1};
    assert_int_equal(iam_policy_evaluate(policy, NULL, "s3:DeleteObject", "arn:aws:s3:::b/k", &over_tls), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate(NULL, NULL, "s3:GetObject", "arn:aws:s3:::b/pub/x", NULL), IAM_NO_MATCH);
    assert_true(iam_policy_is_public(policy));
    assert_false(iam_policy_is_public("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
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
static enum iam_decision decide(const char *condition, const struct iam_key *keys, size_t n)
{
    char doc[1024];
    policy_with(doc, sizeof(doc), condition);
    assert_null(iam_policy_check(doc, strlen(doc), &rules));
    const struct iam_context ctx = {keys, n};
    return iam_policy_evaluate(doc, NULL, "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
}

/* Whether the one-statement policy under `condition` is public. */
static bool public_with(const char *condition)
{
    char doc[1024];
    policy_with(doc, sizeof(doc), condition);
    return iam_policy_is_public(doc);
}

/* A Condition block and a request's keys (one or two), and whether it holds. */
struct condition_case {
    const char *condition;
    struct iam_key keys[2];
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
        enum iam_decision d = decide(c->condition, c->keys, c->keys[1].name ? 2 : 1);
        if (d != (c->holds ? IAM_ALLOW : IAM_NO_MATCH))
            fail_msg("case %zu: %s should %s", i, c->condition, c->holds ? "hold" : "fail");
    }
    /* Unknown operators are refused when stored, and never hold. */
    char bad[1024];
    policy_with(bad, sizeof(bad), "{\"StringEqualz\":{\"s3:prefix\":\"a\"}}");
    assert_string_equal(iam_policy_check(bad, strlen(bad), &rules), "Invalid Condition type : StringEqualz");
    assert_int_equal(iam_policy_evaluate(bad, NULL, "s3:GetObject", "arn:aws:s3:::b/k", NULL), IAM_NO_MATCH);
    /* Public unless limited to fixed sources. */
    assert_true(public_with("{\"Bool\":{\"aws:SecureTransport\":\"true\"}}"));
    assert_false(public_with("{\"IpAddress\":{\"aws:SourceIp\":\"10.1.0.0/16\"}}"));
    assert_true(public_with("{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"));
    assert_false(public_with("{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}"));
    assert_true(public_with("{\"StringLike\":{\"aws:SourceAccount\":\"1111*\"}}"));
}

static void test_policy_variables(void **state)
{
    (void)state;
    const char doc[] =
        "{\"Statement\":["
        "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
        "\"Resource\":\"arn:aws:s3:::b/home/${aws:userid}/*\"},"
        "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:ListBucket\",\"Resource\":\"arn:aws:s3:::b\","
        "\"Condition\":{\"StringLike\":{\"s3:prefix\":\"home/${aws:username, 'guest'}/*\"}}},"
        "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\","
        "\"Resource\":\"arn:aws:s3:::b/cost-${$}/*\"}]}";
    assert_null(iam_policy_check(doc, strlen(doc), &rules));
    const struct iam_key ann[] = {{"aws:userid", "111"}, {"s3:prefix", "home/guest/docs"}};
    const struct iam_context ctx = {ann, 2};
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:GetObject", "arn:aws:s3:::b/home/111/x", &ctx), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:GetObject", "arn:aws:s3:::b/home/222/x", &ctx), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:GetObject", "arn:aws:s3:::b/home/111/x", NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:ListBucket", "arn:aws:s3:::b", &ctx), IAM_ALLOW);
    const struct iam_key bob[] = {{"aws:username", "bob"}, {"s3:prefix", "home/guest/docs"}};
    const struct iam_context bob_ctx = {bob, 2};
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:ListBucket", "arn:aws:s3:::b", &bob_ctx), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(doc, NULL, "s3:PutObject", "arn:aws:s3:::b/cost-$/k", NULL), IAM_ALLOW);
}

static void test_service_principals(void **state)
{
    (void)state;
    const char doc[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"s3.amazonaws.com\"},"
        "\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:f\","
        "\"Condition\":{\"ArnLike\":{\"AWS:SourceArn\":\"arn:aws:s3:::uploads\"}}}]}";
    const char *fn = "arn:aws:lambda:us-east-1:000000000000:function:f";
    const struct iam_key from_uploads[] = {{"aws:SourceArn", "arn:aws:s3:::uploads"}};
    const struct iam_key from_other[] = {{"aws:SourceArn", "arn:aws:s3:::other"}};
    const struct iam_context uploads = {from_uploads, 1}, other = {from_other, 1};
    assert_int_equal(iam_policy_evaluate_service(doc, "s3.amazonaws.com", "lambda:InvokeFunction", fn, &uploads),
                     IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_service(doc, "s3.amazonaws.com", "lambda:InvokeFunction", fn, &other),
                     IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate_service(doc, "sns.amazonaws.com", "lambda:InvokeFunction", fn, &uploads),
                     IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate(doc, "000000000000", "lambda:InvokeFunction", fn, &uploads), IAM_NO_MATCH);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_evaluation),
        cmocka_unit_test(test_policy_conditions),
        cmocka_unit_test(test_policy_variables),
        cmocka_unit_test(test_service_principals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
