/* Unit tests for protocol/s3's configuration documents (config.c, cors.c,
 * lifecycle.c, website.c: bucket_config.h): validation and canonical form
 * of each XML bucket configuration, and the readers the server uses (CORS
 * rule matching, lifecycle expirations, public access block, ownership,
 * website, logging target). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/bucket_config.h"

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static enum s3_err canon(enum s3_config_kind kind, const char *body, char **out, const char **message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    enum s3_err err = s3_config_canonicalize(kind, body, strlen(body), &sb, message);
    *out = err == S3_OK ? strbuf_detach(&sb, NULL) : NULL;
    strbuf_free(&sb);
    return err;
}

static void expect_error(enum s3_config_kind kind, const char *body, enum s3_err want, const char *message)
{
    char *out = NULL;
    const char *msg = NULL;
    enum s3_err err = canon(kind, body, &out, &msg);
    if (err != want)
        print_error("body %s: got %d\n", body, err);
    assert_int_equal(err, want);
    assert_null(out);
    if (message)
        assert_string_equal(msg, message);
}

static void test_canonical_form_drops_whitespace_and_namespaces(void **state)
{
    char *out = NULL;
    const char *msg;
    assert_int_equal(canon(S3_CONFIG_CORS,
                           "<?xml version=\"1.0\"?>\n<CORSConfiguration xmlns=\"urn:other\">\n  <CORSRule>\n"
                           "    <AllowedMethod>GET</AllowedMethod>\n    <AllowedOrigin>a&amp;b</AllowedOrigin>\n"
                           "  </CORSRule>\n</CORSConfiguration>",
                           &out, &msg),
                     S3_OK);
    assert_string_equal(out, "<CORSConfiguration " NS "><CORSRule><AllowedMethod>GET</AllowedMethod>"
                             "<AllowedOrigin>a&amp;b</AllowedOrigin></CORSRule></CORSConfiguration>");
    free(out);
}

static void test_logging_target_grants_keep_their_type(void **state)
{
    char *out = NULL;
    const char *msg;
    const char *xsi = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";
    char body[1024];
    snprintf(body, sizeof(body),
             "<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix>l/</TargetPrefix>"
             "<TargetGrants><Grant><Grantee %s xsi:type=\"Group\"><URI>%s</URI></Grantee>"
             "<Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>",
             xsi, S3_ALL_USERS_URI);
    assert_int_equal(canon(S3_CONFIG_LOGGING, body, &out, &msg), S3_OK);
    char want[1024];
    snprintf(want, sizeof(want),
             "<BucketLoggingStatus " NS "><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix>l/</TargetPrefix>"
             "<TargetGrants><Grant><Grantee %s xsi:type=\"Group\"><URI>%s</URI></Grantee>"
             "<Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>",
             xsi, S3_ALL_USERS_URI);
    assert_string_equal(out, want);
    char *target = NULL;
    bool grants = false;
    assert_int_equal(s3_logging_target(out, &target, &grants), 0);
    assert_string_equal(target, "t");
    assert_true(grants);
    free(target);
    free(out);
    snprintf(body, sizeof(body),
             "<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix/><TargetGrants><Grant>"
             "<Grantee %s xsi:type=\"CanonicalUser\"><ID>a</ID></Grantee><Permission>READ_ACP</Permission>"
             "</Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>", xsi);
    expect_error(S3_CONFIG_LOGGING, body, S3_ERR_MALFORMED_XML, NULL);
    snprintf(body, sizeof(body),
             "<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix/><TargetGrants><Grant>"
             "<Grantee %s xsi:type=\"Group\"><URI>urn:x</URI></Grantee><Permission>READ</Permission>"
             "</Grant></TargetGrants></LoggingEnabled></BucketLoggingStatus>", xsi);
    expect_error(S3_CONFIG_LOGGING, body, S3_ERR_INVALID_ARGUMENT, "Invalid group uri");
    expect_error(S3_CONFIG_LOGGING,
                 "<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket><TargetPrefix/><TargetGrants><Grant>"
                 "<Grantee><ID>a</ID></Grantee><Permission>READ</Permission></Grant></TargetGrants></LoggingEnabled>"
                 "</BucketLoggingStatus>",
                 S3_ERR_MALFORMED_XML, NULL);
}

static void test_cors_validation(void **state)
{
    expect_error(S3_CONFIG_CORS, "<CORSConfiguration/>", S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_CORS, "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin></CORSRule></CORSConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_CORS,
                 "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>"
                 "</CORSRule></CORSConfiguration>",
                 S3_ERR_INVALID_REQUEST, "Found unsupported HTTP method in CORS config.");
    expect_error(S3_CONFIG_CORS, "<Wrong/>", S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_CORS, "<CORSConfiguration>", S3_ERR_MALFORMED_XML, NULL);
}

static const char cors_doc[] =
    "<CORSConfiguration><CORSRule><AllowedOrigin>https://*.example.com</AllowedOrigin>"
    "<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><AllowedHeader>x-amz-*</AllowedHeader>"
    "<ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule>"
    "<CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>HEAD</AllowedMethod></CORSRule></CORSConfiguration>";

static void test_cors_matching(void **state)
{
    struct s3_cors_grant g;
    assert_int_equal(s3_cors_match(cors_doc, "https://app.example.com", "PUT", "X-Amz-Date, x-amz-meta-a", &g), 1);
    assert_string_equal(g.allow_origin, "https://app.example.com");
    assert_string_equal(g.allow_methods, "GET, PUT");
    assert_string_equal(g.allow_headers, "X-Amz-Date, x-amz-meta-a");
    assert_string_equal(g.expose_headers, "ETag");
    assert_int_equal(g.max_age, 60);
    assert_true(g.credentials);
    s3_cors_grant_free(&g);
    assert_int_equal(s3_cors_match(cors_doc, "https://evil.com", "HEAD", NULL, &g), 1);
    assert_string_equal(g.allow_origin, "*");
    assert_false(g.credentials);
    assert_int_equal(g.max_age, -1);
    assert_null(g.expose_headers);
    s3_cors_grant_free(&g);
    assert_int_equal(s3_cors_match(cors_doc, "https://evil.com", "GET", NULL, &g), 0);
    assert_int_equal(s3_cors_match(cors_doc, "https://app.example.com", "DELETE", NULL, &g), 0);
    assert_int_equal(s3_cors_match(cors_doc, "https://app.example.com", "GET", "authorization", &g), 0);
    assert_int_equal(s3_cors_match(NULL, "https://app.example.com", "GET", NULL, &g), 0);
}

static void test_lifecycle_validation(void **state)
{
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter/></Rule></LifecycleConfiguration>",
                 S3_ERR_INVALID_REQUEST, "At least one action needs to be specified in a rule");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Maybe</Status><Expiration><Days>1</Days></Expiration></Rule>"
                 "</LifecycleConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>"
                 "</LifecycleConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "'Days' for Expiration action must be a positive integer");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Date>2030-01-01T01:00:00Z</Date>"
                 "</Expiration></Rule></LifecycleConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "'Date' must be at midnight GMT");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>"
                 "</Rule><Rule><ID>x</ID><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>"
                 "</LifecycleConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "Rule ID must be unique. Found same ID for more than one rule");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix><Tag><Key>k</Key>"
                 "<Value>v</Value></Tag></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><Tag><Key>k</Key><Value>v</Value></Tag>"
                 "</Filter><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation>"
                 "</AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
                 S3_ERR_INVALID_REQUEST, "AbortIncompleteMultipartUpload cannot be specified with Tags.");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><Expiration><Days>1</Days></Expiration>"
                 "<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation>"
                 "</AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>",
                 S3_ERR_INVALID_ARGUMENT,
                 "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
    expect_error(S3_CONFIG_LIFECYCLE,
                 "<LifecycleConfiguration><Rule><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0"
                 "</NoncurrentDays></NoncurrentVersionExpiration></Rule></LifecycleConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
}

static void test_lifecycle_rules(void **state)
{
    const char *doc =
        "<LifecycleConfiguration>"
        "<Rule><ID>a</ID><Status>Enabled</Status><Filter><Prefix>tmp/</Prefix></Filter><Expiration><Days>3</Days></Expiration></Rule>"
        "<Rule><ID>b</ID><Status>Disabled</Status><Filter/><Expiration><Days>1</Days></Expiration></Rule>"
        "<Rule><ID>c</ID><Status>Enabled</Status><Prefix>old/</Prefix><Expiration><Date>2020-01-02T00:00:00.000Z</Date></Expiration></Rule>"
        "<Rule><ID>d</ID><Status>Enabled</Status><Filter><And><Prefix>t/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag>"
        "<ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And>"
        "</Filter><Expiration><Days>5</Days></Expiration></Rule>"
        "<Rule><ID>e</ID><Status>Enabled</Status><Filter/><AbortIncompleteMultipartUpload><DaysAfterInitiation>1"
        "</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>"
        "<Rule><ID>f</ID><Status>Enabled</Status><Filter><Tag><Key>only</Key><Value>tag</Value></Tag></Filter>"
        "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>"
        "<Rule><ID>g</ID><Status>Enabled</Status><Filter/><Expiration><ExpiredObjectDeleteMarker>true"
        "</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays>"
        "<NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>"
        "</LifecycleConfiguration>";
    struct s3_lifecycle_rule *rules;
    size_t n;
    assert_int_equal(s3_lifecycle_rules(doc, &rules, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(rules[0].prefix, "tmp/");
    assert_int_equal(rules[0].expiration_days, 3);
    assert_int_equal(rules[0].n_tags, 0);
    assert_true(s3_lifecycle_rule_covers(&rules[0], 5, NULL, 0));
    assert_string_equal(rules[1].prefix, "old/");
    assert_int_equal(rules[1].expiration_date_ms, 1577923200000LL);
    assert_string_equal(rules[2].prefix, "t/");
    assert_int_equal(rules[2].n_tags, 1);
    const struct s3_kv tagged[] = {{"x", "y"}, {"k", "v"}}, other[] = {{"k", "w"}};
    assert_true(s3_lifecycle_rule_covers(&rules[2], 50, tagged, 2));
    assert_false(s3_lifecycle_rule_covers(&rules[2], 50, other, 1));
    assert_false(s3_lifecycle_rule_covers(&rules[2], 10, tagged, 2));
    assert_false(s3_lifecycle_rule_covers(&rules[2], 100, tagged, 2));
    assert_string_equal(rules[3].prefix, "");
    assert_int_equal(rules[3].abort_days, 1);
    assert_int_equal(rules[3].expiration_days, 0);
    assert_true(rules[4].expired_delete_marker);
    assert_int_equal(rules[4].noncurrent_days, 7);
    assert_int_equal(rules[4].newer_noncurrent, 2);
    assert_int_equal(rules[4].expiration_days, 0);
    s3_lifecycle_rules_free(rules, n);
}

static void test_encryption_ownership_and_public_access_block(void **state)
{
    char *out;
    const char *msg;
    expect_error(S3_CONFIG_ENCRYPTION,
                 "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>DES"
                 "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_ENCRYPTION,
                 "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256"
                 "</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"
                 "</ServerSideEncryptionConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, NULL);
    expect_error(S3_CONFIG_OWNERSHIP, "<OwnershipControls><Rule><ObjectOwnership>Me</ObjectOwnership></Rule></OwnershipControls>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_PUBLIC_ACCESS_BLOCK,
                 "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    assert_int_equal(canon(S3_CONFIG_PUBLIC_ACCESS_BLOCK,
                           "<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls>"
                           "</PublicAccessBlockConfiguration>",
                           &out, &msg),
                     S3_OK);
    struct s3_public_access_block pab;
    assert_int_equal(s3_public_access_block_read(out, &pab), 0);
    assert_true(pab.ignore_public_acls);
    assert_false(pab.block_public_acls || pab.block_public_policy || pab.restrict_public_buckets);
    free(out);
    assert_int_equal(s3_public_access_block_read(S3_DEFAULT_PUBLIC_ACCESS_BLOCK_XML, &pab), 0);
    assert_true(pab.block_public_acls && pab.ignore_public_acls && pab.block_public_policy && pab.restrict_public_buckets);
    char ownership[32];
    assert_int_equal(s3_ownership_read(S3_DEFAULT_OWNERSHIP_XML, ownership, sizeof(ownership)), 0);
    assert_string_equal(ownership, "BucketOwnerEnforced");
    assert_int_equal(s3_ownership_read(NULL, ownership, sizeof(ownership)), 0);
    assert_string_equal(ownership, "ObjectWriter");
}

static void test_website_logging_and_others(void **state)
{
    expect_error(S3_CONFIG_WEBSITE, "<WebsiteConfiguration><ErrorDocument><Key>e</Key></ErrorDocument></WebsiteConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty");
    expect_error(S3_CONFIG_WEBSITE, "<WebsiteConfiguration><IndexDocument><Suffix>a/b</Suffix></IndexDocument></WebsiteConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "The IndexDocument Suffix is not well formed");
    struct s3_website w;
    assert_int_equal(s3_website_read("<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument>"
                                     "<ErrorDocument><Key>e.html</Key></ErrorDocument></WebsiteConfiguration>", &w), 0);
    assert_string_equal(w.index_suffix, "i.html");
    assert_string_equal(w.error_key, "e.html");
    assert_null(w.redirect_host);
    s3_website_free(&w);
    char *target;
    expect_error(S3_CONFIG_WEBSITE,
                 "<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument><RoutingRules><RoutingRule>"
                 "<Redirect><HttpRedirectCode>200</HttpRedirectCode></Redirect></RoutingRule></RoutingRules>"
                 "</WebsiteConfiguration>",
                 S3_ERR_INVALID_REQUEST, "The provided HTTP redirect code is not valid. It should be a string containing a number.");
    assert_int_equal(s3_website_read("<WebsiteConfiguration><IndexDocument><Suffix>i.html</Suffix></IndexDocument>"
                                     "<RoutingRules><RoutingRule><Condition><KeyPrefixEquals>old/</KeyPrefixEquals>"
                                     "</Condition><Redirect><ReplaceKeyPrefixWith>new/</ReplaceKeyPrefixWith></Redirect>"
                                     "</RoutingRule><RoutingRule><Condition><HttpErrorCodeReturnedEquals>404"
                                     "</HttpErrorCodeReturnedEquals></Condition><Redirect><HostName>h</HostName>"
                                     "<ReplaceKeyWith>gone.html</ReplaceKeyWith><HttpRedirectCode>302</HttpRedirectCode>"
                                     "</Redirect></RoutingRule></RoutingRules></WebsiteConfiguration>", &w), 0);
    assert_int_equal(w.n_rules, 2);
    const struct s3_routing_rule *rule = s3_website_route(&w, "old/a.html", 0);
    assert_ptr_equal(rule, &w.rules[0]);
    target = s3_routing_rule_target(rule, "old/a.html");
    assert_string_equal(target, "new/a.html");
    free(target);
    assert_null(s3_website_route(&w, "other/a.html", 0));
    rule = s3_website_route(&w, "other/a.html", 404);
    assert_ptr_equal(rule, &w.rules[1]);
    assert_int_equal(rule->redirect_code, 302);
    target = s3_routing_rule_target(rule, "other/a.html");
    assert_string_equal(target, "gone.html");
    free(target);
    assert_int_equal(w.rules[0].redirect_code, 301);
    assert_null(s3_website_route(&w, "other/a.html", 403));
    s3_website_free(&w);
    bool grants;
    assert_int_equal(s3_logging_target("<BucketLoggingStatus><LoggingEnabled><TargetBucket>t</TargetBucket>"
                                       "<TargetPrefix/></LoggingEnabled></BucketLoggingStatus>", &target, &grants), 0);
    assert_string_equal(target, "t");
    assert_false(grants);
    free(target);
    assert_int_equal(s3_logging_target(S3_EMPTY_LOGGING_XML, &target, &grants), 0);
    assert_null(target);
    expect_error(S3_CONFIG_REQUEST_PAYMENT, "<RequestPaymentConfiguration><Payer>Me</Payer></RequestPaymentConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_ACCELERATE, "<AccelerateConfiguration><Status>On</Status></AccelerateConfiguration>",
                 S3_ERR_MALFORMED_XML, NULL);
    expect_error(S3_CONFIG_REPLICATION,
                 "<ReplicationConfiguration><Role>r</Role><Rule><Status>Enabled</Status><Destination><Bucket>b</Bucket>"
                 "</Destination></Rule></ReplicationConfiguration>",
                 S3_ERR_INVALID_ARGUMENT, "Invalid bucket ARN.");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_form_drops_whitespace_and_namespaces),
        cmocka_unit_test(test_logging_target_grants_keep_their_type),
        cmocka_unit_test(test_cors_validation),
        cmocka_unit_test(test_cors_matching),
        cmocka_unit_test(test_lifecycle_validation),
        cmocka_unit_test(test_lifecycle_rules),
        cmocka_unit_test(test_encryption_ownership_and_public_access_block),
        cmocka_unit_test(test_website_logging_and_others),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
