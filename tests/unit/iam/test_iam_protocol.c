/* Unit tests for protocol/iam's query protocol and names: the parameter
 * decoder (AWS's list encoding, bad escapes), the XML envelope, errors,
 * entities and URL-encoded documents, ARNs and ids, the checks of names,
 * paths, descriptions, tags and paging, policy sizes, tag merging, and
 * protocol/sts (credentials, JWT claims, durations, session names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/core/base64.h"
#include "protocol/iam/aws_policies.h"
#include "protocol/iam/model.h"
#include "protocol/iam/query.h"
#include "protocol/iam/xml.h"
#include "protocol/sts/sts.h"

/* ---- query decoding -------------------------------------------------------------- */

static void test_params_decode(void **state)
{
    (void)state;
    static const char body[] = "Action=CreateUser&Version=2010-05-08&UserName=bob%2Bdev&Path=%2Fteam%2F"
                               "&Tags.member.1.Key=cost+center&Tags.member.1.Value=a%3Db"
                               "&Tags.member.2.Key=empty&Tags.member.2.Value=&&Flag";
    struct iam_params p;
    assert_int_equal(iam_params_decode(&p, "Extra=1", body, strlen(body)), 0);
    assert_string_equal(iam_param(&p, "Action"), "CreateUser");
    assert_string_equal(iam_param(&p, "UserName"), "bob+dev");
    assert_string_equal(iam_param(&p, "Path"), "/team/");
    assert_string_equal(iam_param(&p, "Extra"), "1");
    assert_string_equal(iam_param(&p, "Flag"), "");
    assert_null(iam_param(&p, "username"));
    assert_int_equal(iam_param_count(&p, "Tags", "Key"), 2);
    assert_string_equal(iam_param_member(&p, "Tags", 1, "Key"), "cost center");
    assert_string_equal(iam_param_member(&p, "Tags", 1, "Value"), "a=b");
    assert_string_equal(iam_param_member(&p, "Tags", 2, "Value"), "");
    assert_null(iam_param_member(&p, "Tags", 3, "Key"));
    iam_params_free(&p);
}

static void test_params_lists_numbers_and_errors(void **state)
{
    (void)state;
    static const char body[] = "TagKeys.member.1=a&TagKeys.member.2=b&TagKeys.member.4=d&MaxItems=10&Bad=x1"
                               "&SetAsDefault=TRUE&Other=maybe";
    struct iam_params p;
    assert_int_equal(iam_params_decode(&p, NULL, body, strlen(body)), 0);
    assert_int_equal(iam_param_count(&p, "TagKeys", NULL), 2);
    assert_string_equal(iam_param_member(&p, "TagKeys", 2, NULL), "b");
    int64_t n;
    bool b;
    assert_int_equal(iam_param_int(&p, "MaxItems", &n), 1);
    assert_int_equal(n, 10);
    assert_int_equal(iam_param_int(&p, "Bad", &n), -1);
    assert_int_equal(iam_param_int(&p, "Missing", &n), 0);
    assert_int_equal(iam_param_bool(&p, "SetAsDefault", &b), 1);
    assert_true(b);
    assert_int_equal(iam_param_bool(&p, "Other", &b), -1);
    iam_params_free(&p);
    assert_int_equal(iam_params_decode(&p, NULL, "A=%zz", 5), -1);
    iam_params_free(&p);
    assert_int_equal(iam_params_decode(&p, NULL, "A=%00", 5), -1);
    iam_params_free(&p);
    assert_int_equal(iam_params_decode(&p, "", "", 0), 0);
    assert_int_equal(p.n, 0);
    iam_params_free(&p);
    /* A name given twice: its first occurrence counts, the query's before the body's. */
    assert_int_equal(iam_params_decode(&p, "A=q&Z=1", "B=2&A=b&A=c", 11), 0);
    assert_string_equal(iam_param(&p, "A"), "q");
    assert_string_equal(iam_param(&p, "Z"), "1");
    assert_null(iam_param(&p, "C"));
    iam_params_free(&p);
}

/* ---- XML ------------------------------------------------------------------------ */

static void test_xml_envelope_and_error(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    iam_xml_open(&sb, IAM_XMLNS, "ListUsers", true);
    iam_xml_paging(&sb, true, "bob&co");
    iam_xml_close(&sb, "ListUsers", true, "REQ1");
    assert_non_null(strstr(sb.data, "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ListUsersResult>"));
    assert_non_null(strstr(sb.data, "<IsTruncated>true</IsTruncated><Marker>bob&amp;co</Marker></ListUsersResult>"));
    assert_non_null(strstr(sb.data, "<ResponseMetadata><RequestId>REQ1</RequestId></ResponseMetadata></ListUsersResponse>"));
    strbuf_reset(&sb);
    iam_xml_open(&sb, IAM_XMLNS, "DeleteUser", false);
    iam_xml_close(&sb, "DeleteUser", false, "R");
    assert_null(strstr(sb.data, "Result"));
    strbuf_reset(&sb);
    iam_xml_error(&sb, STS_XMLNS, true, "ExpiredToken", "The security token included in the request is expired", "R2");
    assert_non_null(strstr(sb.data, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                                    "<Type>Sender</Type><Code>ExpiredToken</Code>"));
    assert_non_null(strstr(sb.data, "</Error><RequestId>R2</RequestId></ErrorResponse>"));
    strbuf_free(&sb);
}

static void test_xml_entities(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    const struct iam_entity role = {
        .kind = IAM_ROLE, .account = "123456789012", .name = "app", .id = "AROAEXAMPLE", .path = "/svc/",
        .created_ms = 1700000000123LL, .tags = "[{\"Key\":\"team\",\"Value\":\"a<b\"}]",
        .boundary_arn = "arn:aws:iam::123456789012:policy/bound", .description = "d",
        .trust_policy = "{\"Version\": \"2012-10-17\"}", .max_session_s = 3600,
    };
    iam_xml_entity(&sb, &role, true);
    assert_non_null(strstr(sb.data, "<Path>/svc/</Path><RoleName>app</RoleName><RoleId>AROAEXAMPLE</RoleId>"
                                    "<Arn>arn:aws:iam::123456789012:role/svc/app</Arn>"
                                    "<CreateDate>2023-11-14T22:13:20Z</CreateDate>"));
    assert_non_null(strstr(sb.data, "<AssumeRolePolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22%7D"
                                    "</AssumeRolePolicyDocument>"));
    assert_non_null(strstr(sb.data, "<PermissionsBoundaryArn>arn:aws:iam::123456789012:policy/bound"));
    assert_non_null(strstr(sb.data, "<Tags><member><Key>team</Key><Value>a&lt;b</Value></member></Tags>"));
    assert_non_null(strstr(sb.data, "<MaxSessionDuration>3600</MaxSessionDuration>"));
    assert_non_null(strstr(sb.data, "<RoleLastUsed></RoleLastUsed>"));
    strbuf_reset(&sb);
    iam_xml_entity(&sb, &role, false);
    assert_null(strstr(sb.data, "<Tags>"));
    assert_null(strstr(sb.data, "PermissionsBoundary"));
    strbuf_reset(&sb);
    const struct iam_entity policy = {
        .kind = IAM_POLICY, .account = "aws", .name = "P", .id = "ANPA", .path = "/service-role/",
        .created_ms = 0, .updated_ms = 1000, .default_version = 3, .attachment_count = 2, .tags = "[]",
    };
    iam_xml_entity(&sb, &policy, true);
    assert_non_null(strstr(sb.data, "<Arn>arn:aws:iam::aws:policy/service-role/P</Arn>"));
    assert_non_null(strstr(sb.data, "<DefaultVersionId>v3</DefaultVersionId><AttachmentCount>2</AttachmentCount>"));
    assert_non_null(strstr(sb.data, "<IsAttachable>true</IsAttachable>"));
    assert_null(strstr(sb.data, "<Tags>"));
    strbuf_reset(&sb);
    static const char tags[] = "[{\"Key\":\"a\",\"Value\":\"1\"},{\"Key\":\"b\",\"Value\":\"2\"},{\"Key\":\"c\",\"Value\":\"3\"}]";
    assert_int_equal(iam_xml_tags(&sb, tags, 1, 1), 1);
    assert_string_equal(sb.data, "<Tags><member><Key>b</Key><Value>2</Value></member></Tags>");
    strbuf_free(&sb);
}

/* ---- ARNs, ids, checks ----------------------------------------------------------------- */

static void test_arns_and_ids(void **state)
{
    (void)state;
    char arn[IAM_ARN_MAX], account[16], path[IAM_ARN_MAX], name[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), IAM_INSTANCE_PROFILE, "000000000000", "/", "web");
    assert_string_equal(arn, "arn:aws:iam::000000000000:instance-profile/web");
    assert_true(iam_parse_policy_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", account, path,
                                     name));
    assert_string_equal(account, "aws");
    assert_string_equal(path, "/service-role/");
    assert_string_equal(name, "AWSLambdaBasicExecutionRole");
    assert_true(iam_parse_policy_arn("arn:aws:iam::123456789012:policy/p", account, path, name));
    assert_string_equal(path, "/");
    assert_false(iam_parse_policy_arn("arn:aws:iam::123456789012:role/p", account, path, name));
    assert_false(iam_parse_policy_arn("arn:aws:iam::123456789012:policy/", account, path, name));
    assert_false(iam_parse_policy_arn("arn:aws:s3:::b", account, path, name));
    enum iam_kind kind;
    assert_true(iam_parse_entity_arn("arn:aws:iam::123456789012:user/a/b/carol", &kind, account, name, sizeof(name)));
    assert_int_equal(kind, IAM_USER);
    assert_string_equal(name, "carol");
    assert_true(iam_parse_entity_arn("arn:aws:iam::123456789012:instance-profile/ip", &kind, account, name, sizeof(name)));
    assert_int_equal(kind, IAM_INSTANCE_PROFILE);
    assert_false(iam_parse_entity_arn("arn:aws:iam::123456789012:policy/x", &kind, account, name, sizeof(name)));
    char id[IAM_ID_LEN + 1], key[IAM_KEY_ID_LEN + 1], secret[IAM_SECRET_LEN + 1], token[IAM_TOKEN_LEN + 1];
    assert_true(iam_new_id("AROA", id, IAM_ID_LEN));
    assert_true(iam_new_id("AKIA", key, IAM_KEY_ID_LEN));
    assert_true(iam_new_secret(secret));
    assert_true(iam_new_session_token(token));
    assert_int_equal(strlen(id), 21);
    assert_int_equal(strncmp(id, "AROA", 4), 0);
    assert_int_equal(strspn(id + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 17);
    assert_int_equal(strlen(key), 20);
    assert_int_equal(strlen(secret), 40);
    assert_int_equal(strlen(token), IAM_TOKEN_LEN);
}

static void test_checks(void **state)
{
    (void)state;
    char msg[512];
    assert_null(iam_check_name("bob.smith+dev@x=y,z-_", "userName", 64, msg, sizeof(msg)));
    assert_string_equal(iam_check_name("bad name", "userName", 64, msg, sizeof(msg)),
                        "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: "
                        "Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    assert_non_null(strstr(iam_check_name("", "roleName", 64, msg, sizeof(msg)), "length greater than or equal to 1"));
    char long_name[80];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    assert_non_null(strstr(iam_check_name(long_name, "roleName", 64, msg, sizeof(msg)), "less than or equal to 64"));
    assert_null(iam_check_path("/", "path", msg, sizeof(msg)));
    assert_non_null(iam_check_path("/a/b c/", "path", msg, sizeof(msg)));
    assert_null(iam_check_path("/a/b/", "path", msg, sizeof(msg)));
    assert_non_null(iam_check_path("a/", "path", msg, sizeof(msg)));
    assert_non_null(iam_check_path("/a", "path", msg, sizeof(msg)));
    assert_non_null(iam_check_path("//", "path", msg, sizeof(msg)));
    assert_null(iam_check_policy_path("/service-role/", msg, sizeof(msg)));
    assert_non_null(iam_check_policy_path("/a//b/", msg, sizeof(msg)));
    assert_non_null(iam_check_policy_path("/a b/", msg, sizeof(msg)));
    assert_null(iam_check_path_prefix("/a", msg, sizeof(msg)));
    assert_non_null(iam_check_path_prefix("a", msg, sizeof(msg)));
    assert_null(iam_check_description("Caf\xc3\xa9 role\n", "description", msg, sizeof(msg)));
    assert_non_null(iam_check_description("\xe2\x82\xac", "description", msg, sizeof(msg)));
    assert_null(iam_check_tag("Cost Center", "a:b/c=d+e-f@g_h.", msg, sizeof(msg)));
    assert_null(iam_check_tag("\xc3\xa9t\xc3\xa9", "", msg, sizeof(msg)));
    assert_non_null(strstr(iam_check_tag("a*b", "v", msg, sizeof(msg)), "tags.member.key"));
    assert_non_null(strstr(iam_check_tag("k", "v?", msg, sizeof(msg)), "tags.member.value"));
    assert_non_null(iam_check_tag("", "v", msg, sizeof(msg)));
    assert_null(iam_check_max_items(1, msg, sizeof(msg)));
    assert_null(iam_check_max_items(1000, msg, sizeof(msg)));
    assert_string_equal(iam_check_max_items(0, msg, sizeof(msg)),
                        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member "
                        "must have value greater than or equal to 1");
    assert_non_null(iam_check_max_items(1001, msg, sizeof(msg)));
    assert_non_null(iam_check_length("arn:short", "policyArn", 20, 2048, msg, sizeof(msg)));
}

static void test_policy_size_and_tags(void **state)
{
    (void)state;
    assert_int_equal(iam_policy_size("{ \"a b\" : [ 1 ,\n 2 ] }"), 13);
    assert_int_equal(iam_policy_size("{\"\\\" x\":\"\xc3\xa9\"}"), 12);
    struct strbuf sb;
    strbuf_init(&sb);
    const char *keys[] = {"Team", "new", "new"}, *values[] = {"b", "1", "2"}, *remove[] = {"GONE"};
    int n = iam_tags_merge("[{\"Key\":\"team\",\"Value\":\"a\"},{\"Key\":\"gone\",\"Value\":\"x\"},"
                           "{\"Key\":\"keep\",\"Value\":\"y\"}]",
                           keys, values, 3, remove, 1, true, &sb);
    assert_int_equal(n, 3);
    assert_string_equal(sb.data, "[{\"Key\":\"keep\",\"Value\":\"y\"},{\"Key\":\"Team\",\"Value\":\"b\"},"
                                 "{\"Key\":\"new\",\"Value\":\"2\"}]");
    strbuf_reset(&sb);
    n = iam_tags_merge("[{\"Key\":\"team\",\"Value\":\"a\"}]", keys, values, 1, NULL, 0, false, &sb);
    assert_int_equal(n, 2);
    strbuf_reset(&sb);
    assert_int_equal(iam_tags_merge("{}", NULL, NULL, 0, NULL, 0, false, &sb), -1);
    strbuf_reset(&sb);
    assert_int_equal(iam_tags_merge(NULL, NULL, NULL, 0, NULL, 0, false, &sb), 0);
    assert_string_equal(sb.data, "[]");
    strbuf_free(&sb);
    assert_true(iam_tags_nocase(IAM_ROLE));
    assert_false(iam_tags_nocase(IAM_POLICY));
}

static void test_aws_policies(void **state)
{
    (void)state;
    const struct iam_aws_policy *p = iam_aws_policy_find("/service-role/", "AWSLambdaBasicExecutionRole");
    assert_non_null(p);
    assert_non_null(strstr(p->document, "logs:PutLogEvents"));
    assert_null(iam_aws_policy_find("/", "AWSLambdaBasicExecutionRole"));
    assert_non_null(iam_aws_policy_find("/", "AdministratorAccess"));
    for (size_t i = 1; i < iam_aws_policy_count(); i++)
        assert_true(strcmp(iam_aws_policy_at(i - 1)->name, iam_aws_policy_at(i)->name) < 0);
    assert_null(iam_aws_policy_at(iam_aws_policy_count()));
}

/* ---- STS --------------------------------------------------------------------------------- */

/* A JWT whose payload is `claims` (base64url, no padding). */
static void make_jwt(const char *claims, char *out, size_t cap)
{
    char b64[1024];
    base64_encode((const unsigned char *)claims, strlen(claims), b64);
    for (char *p = b64; *p; p++)
        *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    char *pad = strchr(b64, '=');
    if (pad)
        *pad = '\0';
    snprintf(out, cap, "eyJhbGciOiJSUzI1NiJ9.%s.c2lnbmF0dXJl", b64);
}

static void test_sts(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    sts_xml_credentials(&sb, "ASIAX", "s/e+c", "tok", 1700000000000LL);
    assert_string_equal(sb.data, "<Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s/e+c</SecretAccessKey>"
                                 "<SessionToken>tok</SessionToken><Expiration>2023-11-14T22:13:20.000Z</Expiration>"
                                 "</Credentials>");
    strbuf_reset(&sb);
    sts_xml_assumed_role_user(&sb, "AROAX:s", "arn:aws:sts::1:assumed-role/r/s");
    assert_non_null(strstr(sb.data, "<AssumedRoleId>AROAX:s</AssumedRoleId>"));
    strbuf_free(&sb);

    char jwt[2048];
    make_jwt("{\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"repo:o/r:ref:refs/heads/main\","
             "\"aud\":[\"sts.amazonaws.com\",\"x\"]}",
             jwt, sizeof(jwt));
    struct sts_token_claims c;
    sts_token_claims(jwt, &c);
    assert_true(c.is_jwt);
    assert_string_equal(c.issuer, "token.actions.githubusercontent.com");
    assert_string_equal(c.subject, "repo:o/r:ref:refs/heads/main");
    assert_string_equal(c.audience, "sts.amazonaws.com");
    sts_token_claims("opaque-token", &c);
    assert_false(c.is_jwt);
    sts_token_claims("a.!!!.c", &c);
    assert_false(c.is_jwt);
    sts_token_claims("a..c", &c);
    assert_false(c.is_jwt);

    char msg[256];
    assert_null(sts_check_session_name("ci-run_1@x", msg, sizeof(msg)));
    assert_non_null(strstr(sts_check_session_name("a", msg, sizeof(msg)), "greater than or equal to 2"));
    assert_non_null(strstr(sts_check_session_name("a b", msg, sizeof(msg)), "roleSessionName"));
    assert_null(sts_check_duration(900, 900, 3600, msg, sizeof(msg)));
    assert_string_equal(sts_check_duration(899, 900, 3600, msg, sizeof(msg)),
                        "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 900");
    assert_non_null(strstr(sts_check_duration(43201, 900, 43200, msg, sizeof(msg)), "less than or equal to 43200"));
    assert_true(sts_packed_policy_percent(100, 0, 0, 0) < sts_packed_policy_percent(100, 1, 0, 0));
    assert_int_equal(sts_packed_policy_percent(STS_SESSION_POLICY_MAX, 0, 0, 0), 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params_decode),
        cmocka_unit_test(test_params_lists_numbers_and_errors),
        cmocka_unit_test(test_xml_envelope_and_error),
        cmocka_unit_test(test_xml_entities),
        cmocka_unit_test(test_arns_and_ids),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_policy_size_and_tags),
        cmocka_unit_test(test_aws_policies),
        cmocka_unit_test(test_sts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
