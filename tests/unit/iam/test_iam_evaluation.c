/* Unit tests for IAM's own documents and AWS's evaluation logic
 * (protocol/iam): the checks of identity and trust policies with IAM's
 * MalformedPolicyDocument messages; identity policies decided with the
 * statement that decided; principals matched precisely (user, session,
 * role, account, service, web identity); and iam_authorize over identity
 * policies, resource policies, permissions boundaries and session
 * policies, within an account and across accounts, with AWS's
 * AccessDenied wording. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/iam/evaluation.h"

/* ---- document checks ------------------------------------------------------------ */

static const char *check(const char *doc, enum iam_document_type type) { return iam_document_check(doc, strlen(doc), type); }

static void test_identity_document_checks(void **state)
{
    (void)state;
    const enum iam_document_type id = IAM_DOCUMENT_IDENTITY;
    assert_null(check("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\","
                      "\"Action\":[\"s3:Get*\",\"sqs:*\"],\"Resource\":\"arn:aws:s3:::b/*\"},"
                      "{\"Effect\":\"Deny\",\"NotAction\":\"iam:*\",\"NotResource\":\"*\","
                      "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}",
                      id));
    assert_null(check("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", id));
    static const struct {
        const char *doc, *message;
    } bad[] = {
        {"not json", "Syntax errors in policy."},
        {"[]", "Syntax errors in policy."},
        {"{\"Statement\":[]}", "Syntax errors in policy."},
        {"{\"Version\":\"2012-10-17\"}", "Syntax errors in policy."},
        {"{\"Version\":\"2013-01-01\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}",
         "Syntax errors in policy."},
        {"{\"Foo\":1,\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Bogus\":1}}", "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"Permit\",\"Action\":\"*\",\"Resource\":\"*\"}}", "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"NotAction\":\"s3:*\",\"Resource\":\"*\"}}",
         "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[1],\"Resource\":\"*\"}}", "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"Nope\":{\"a\":\"b\"}}}}",
         "Syntax errors in policy."},
        {"{\"Statement\":{\"Effect\":\"allow\",\"Action\":\"*\",\"Resource\":\"*\"}}", "The policy failed legacy parsing"},
        {"{\"Statement\":[{\"Sid\":\"x\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},"
         "{\"Sid\":\"x\",\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
         "Statement IDs (SID) in a single policy must be unique."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Resource\":\"*\"}}", "Policy statement must contain actions."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":[],\"Resource\":\"*\"}}", "Policy statement must contain actions."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"bucket\"}}",
         "Resource bucket must be in ARN format or \"*\"."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"GetObject\",\"Resource\":\"*\"}}",
         "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:a:b\",\"Resource\":\"*\"}}",
         "Actions/Condition can contain only one colon."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s 3:x\",\"Resource\":\"*\"}}", "Vendor s 3 is not valid"},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}}", "Policy statement must contain resources."},
        {"{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
         "Policy document should not specify a principal."},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *got = check(bad[i].doc, id);
        if (!got || strcmp(got, bad[i].message) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", bad[i].doc, got ? got : "(valid)", bad[i].message);
    }
}

static void test_trust_document_checks(void **state)
{
    (void)state;
    const enum iam_document_type trust = IAM_DOCUMENT_TRUST;
    assert_null(check("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                      "{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"},"
                      "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"},"
                      "\"Action\":[\"sts:AssumeRole\",\"sts:TagSession\"],"
                      "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x\"}}}]}",
                      trust));
    assert_string_equal(check("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}}", trust),
                        "Missing required field Principal");
    assert_string_equal(check("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sts:AssumeRole\","
                              "\"Resource\":\"*\"}}",
                              trust),
                        "Has prohibited field Resource.");
    assert_non_null(strstr(check("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\"}}",
                                 trust),
                           "Trust Policy statement actions can only be"));
    assert_string_equal(check("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[]},\"Action\":\"sts:AssumeRole\"}}",
                              trust),
                        "Syntax errors in policy.");
}

/* ---- one document ----------------------------------------------------------------------- */

static void test_identity_evaluation(void **state)
{
    (void)state;
    static const char doc[] =
        "{\"Statement\":[{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"arn:aws:s3:::b/*\"},"
        "{\"Sid\":\"Home\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::home/${aws:username}/*\"},"
        "{\"Sid\":\"NoSecrets\",\"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::b/secret/*\"}]}";
    struct iam_match m;
    assert_int_equal(iam_policy_evaluate_identity(doc, "s3:GetObject", "arn:aws:s3:::b/k", NULL, &m), IAM_ALLOW);
    assert_int_equal(m.statement, 0);
    assert_string_equal(m.sid, "Read");
    assert_int_equal(iam_policy_evaluate_identity(doc, "s3:GetObject", "arn:aws:s3:::b/secret/k", NULL, &m), IAM_DENY);
    assert_int_equal(m.statement, 2);
    assert_string_equal(m.sid, "NoSecrets");
    assert_int_equal(iam_policy_evaluate_identity(doc, "s3:PutObject", "arn:aws:s3:::b/k", NULL, &m), IAM_NO_MATCH);
    assert_int_equal(m.statement, -1);
    const struct iam_key keys[] = {{"aws:username", "ann"}};
    const struct iam_context ctx = {keys, 1};
    assert_int_equal(iam_policy_evaluate_identity(doc, "s3:PutObject", "arn:aws:s3:::home/ann/x", &ctx, NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_identity(doc, "s3:PutObject", "arn:aws:s3:::home/bob/x", &ctx, NULL),
                     IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate_identity(NULL, "s3:GetObject", "*", NULL, &m), IAM_NO_MATCH);
    /* Parsed once, decided the same. */
    const struct iam_parsed_policy *parsed = iam_policy_parse(doc);
    assert_non_null(parsed);
    assert_int_equal(iam_parsed_evaluate_identity(parsed, "s3:GetObject", "arn:aws:s3:::b/secret/k", NULL, &m), IAM_DENY);
    assert_string_equal(m.sid, "NoSecrets");
    assert_int_equal(iam_parsed_evaluate_identity(parsed, "s3:PutObject", "arn:aws:s3:::home/ann/x", &ctx, NULL),
                     IAM_ALLOW);
    iam_parsed_policy_free(parsed);
    assert_null(iam_policy_parse("[1]"));
    assert_int_equal(iam_parsed_evaluate_identity(NULL, "s3:GetObject", "*", NULL, &m), IAM_NO_MATCH);
}

static void test_precise_principals(void **state)
{
    (void)state;
    static const char trust[] =
        "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:user/alice\"},"
        "\"Action\":\"sts:AssumeRole\"},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"222222222222\"},\"Action\":\"sts:AssumeRole\"},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"lambda.amazonaws.com\"]},\"Action\":\"sts:AssumeRole\"},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::111111111111:oidc-provider/idp.example\"},"
        "\"Action\":\"sts:AssumeRoleWithWebIdentity\",\"Condition\":{\"StringEquals\":{\"idp.example:aud\":\"me\"}}},"
        "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111111111111:role/ci\"},\"Action\":\"sts:AssumeRole\"}]}";
    const struct iam_caller alice = {"111111111111", "arn:aws:iam::111111111111:user/alice", NULL, NULL, NULL, false};
    const struct iam_caller bob = {"111111111111", "arn:aws:iam::111111111111:user/bob", NULL, NULL, NULL, false};
    const struct iam_caller root = {"111111111111", "arn:aws:iam::111111111111:root", NULL, NULL, NULL, false};
    const struct iam_caller other = {"222222222222", "arn:aws:iam::222222222222:user/x", NULL, NULL, NULL, false};
    const struct iam_caller session = {"111111111111", "arn:aws:sts::111111111111:assumed-role/ci/run",
                                       "arn:aws:iam::111111111111:role/ci", NULL, NULL, false};
    const struct iam_caller lambda = {.service = "lambda.amazonaws.com"};
    const struct iam_caller web = {.federated = "idp.example"};
    assert_int_equal(iam_policy_evaluate_caller(trust, &alice, "sts:AssumeRole", NULL, NULL, NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_caller(trust, &bob, "sts:AssumeRole", NULL, NULL, NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate_caller(trust, &root, "sts:AssumeRole", NULL, NULL, NULL), IAM_NO_MATCH);
    assert_int_equal(iam_policy_evaluate_caller(trust, &other, "sts:AssumeRole", NULL, NULL, NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_caller(trust, &session, "sts:AssumeRole", NULL, NULL, NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_caller(trust, &lambda, "sts:AssumeRole", NULL, NULL, NULL), IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_caller(trust, &web, "sts:AssumeRole", NULL, NULL, NULL), IAM_NO_MATCH);
    const struct iam_key aud[] = {{"idp.example:aud", "me"}};
    const struct iam_context ctx = {aud, 1};
    assert_int_equal(iam_policy_evaluate_caller(trust, &web, "sts:AssumeRoleWithWebIdentity", NULL, &ctx, NULL),
                     IAM_ALLOW);
    assert_int_equal(iam_policy_evaluate_caller(trust, &web, "sts:AssumeRoleWithWebIdentity", NULL, NULL, NULL),
                     IAM_NO_MATCH);
    /* The exact form: the account's own id does not name its principals. */
    const struct iam_caller other_exact = {"222222222222", "arn:aws:iam::222222222222:user/x", NULL, NULL, NULL, true};
    assert_int_equal(iam_policy_evaluate_caller(trust, &other_exact, "sts:AssumeRole", NULL, NULL, NULL), IAM_NO_MATCH);
    /* The old account-only form still treats any ARN of the account as it. */
    assert_int_equal(iam_policy_evaluate(trust, "111111111111", "sts:AssumeRole", "*", NULL), IAM_NO_MATCH);
}

/* ---- the whole evaluation ------------------------------------------------------------------ */

#define ACCT "111111111111"
#define OTHER "222222222222"

static struct iam_principal user(const char *account, const char *name)
{
    struct iam_principal p;
    memset(&p, 0, sizeof(p));
    p.type = IAM_PRINCIPAL_USER;
    snprintf(p.account, sizeof(p.account), "%s", account);
    snprintf(p.arn, sizeof(p.arn), "arn:aws:iam::%s:user/%s", account, name);
    snprintf(p.name, sizeof(p.name), "%s", name);
    return p;
}

static struct iam_principal session(const char *role, const char *name)
{
    struct iam_principal p;
    memset(&p, 0, sizeof(p));
    p.type = IAM_PRINCIPAL_ASSUMED_ROLE;
    p.temporary = true;
    snprintf(p.account, sizeof(p.account), ACCT);
    snprintf(p.arn, sizeof(p.arn), "arn:aws:sts::%s:assumed-role/%s/%s", ACCT, role, name);
    snprintf(p.role_arn, sizeof(p.role_arn), "arn:aws:iam::%s:role/%s", ACCT, role);
    return p;
}

static const char allow_read[] =
    "{\"Statement\":{\"Sid\":\"Read\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],"
    "\"Resource\":[\"arn:aws:s3:::b\",\"arn:aws:s3:::b/*\"]}}";
static const char allow_all[] = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}}";
static const char deny_get[] =
    "{\"Statement\":{\"Sid\":\"NoGet\",\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";
static const char boundary_list_only[] =
    "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\"}}";

static struct iam_authz_result decide(const struct iam_principal *p, const char *action, const char *resource,
                                      const char *resource_account, const char *resource_policy,
                                      const struct iam_principal_policies *pp)
{
    const struct iam_authz_request rq = {p, action, resource, resource_account, resource_policy, NULL, false};
    struct iam_authz_result r;
    iam_authorize(&rq, pp, &r);
    return r;
}

static void test_authorize_identity_and_boundaries(void **state)
{
    (void)state;
    struct iam_principal ann = user(ACCT, "ann");
    const struct iam_policy_ref read[] = {{"read-b", allow_read, NULL}};
    const struct iam_policy_ref read_and_deny[] = {{"read-b", allow_read, NULL}, {"no-get", deny_get, NULL}};
    struct iam_principal_policies pp = {{read, 1}, NULL, NULL};

    struct iam_authz_result r = decide(&ann, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_int_equal(r.layer, IAM_LAYER_IDENTITY);
    assert_string_equal(r.policy, "read-b");
    assert_string_equal(r.sid, "Read");

    r = decide(&ann, "s3:PutObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_IDENTITY);
    char msg[512];
    const struct iam_authz_request rq = {&ann, "s3:PutObject", "arn:aws:s3:::b/k", NULL, NULL, NULL, false};
    iam_access_denied_message(&rq, &r, msg, sizeof(msg));
    assert_string_equal(msg, "User: arn:aws:iam::111111111111:user/ann is not authorized to perform: s3:PutObject on "
                             "resource: arn:aws:s3:::b/k because no identity-based policy allows the s3:PutObject action");

    /* Explicit deny beats the allow. */
    pp.identity = (struct iam_policy_list){read_and_deny, 2};
    r = decide(&ann, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_EXPLICIT_DENY);
    assert_string_equal(r.policy, "no-get");
    assert_string_equal(r.sid, "NoGet");
    iam_access_denied_message(&rq, &r, msg, sizeof(msg));
    assert_non_null(strstr(msg, "with an explicit deny in an identity-based policy"));
    iam_authz_explain(&r, msg, sizeof(msg));
    assert_string_equal(msg, "explicit deny in identity-based policy no-get, statement 1 (Sid \"NoGet\")");

    /* A boundary cuts an allow. */
    const struct iam_policy_ref all[] = {{"all", allow_all, NULL}};
    const struct iam_policy_ref boundary = {"arn:aws:iam::111111111111:policy/list-only", boundary_list_only, NULL};
    pp = (struct iam_principal_policies){{all, 1}, &boundary, NULL};
    r = decide(&ann, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_BOUNDARY);
    assert_true(r.has_boundary);
    assert_false(r.boundary_allows);
    r = decide(&ann, "s3:ListBucket", "arn:aws:s3:::b", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_true(r.boundary_allows);
    iam_authz_explain(&r, msg, sizeof(msg));
    assert_string_equal(msg, "allowed by identity-based policy all, statement 1");

    /* The root user is allowed in its own account, denied only explicitly. */
    struct iam_principal root;
    iam_principal_root(&root, ACCT, "test");
    assert_string_equal(root.arn, "arn:aws:iam::111111111111:root");
    r = decide(&root, "s3:DeleteBucket", "arn:aws:s3:::b", NULL, NULL, NULL);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_int_equal(r.layer, IAM_LAYER_ROOT);
    static const char bucket_deny[] =
        "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\"}}";
    r = decide(&root, "s3:DeleteBucket", "arn:aws:s3:::b", NULL, bucket_deny, NULL);
    assert_int_equal(r.verdict, IAM_EXPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_RESOURCE);
}

static void test_authorize_sessions_and_resource_policies(void **state)
{
    (void)state;
    struct iam_principal s = session("app", "run1");
    const struct iam_policy_ref all[] = {{"all", allow_all, NULL}};
    const struct iam_policy_ref session_policies[] = {{"session", allow_read, NULL}};
    const struct iam_policy_list session_list = {session_policies, 1};
    struct iam_principal_policies pp = {{all, 1}, NULL, &session_list};
    struct iam_authz_result r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    r = decide(&s, "s3:PutObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_SESSION);
    const struct iam_policy_list empty = {NULL, 0};
    pp.session = &empty;
    r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, NULL, &pp);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_SESSION);

    /* A same-account resource policy naming the session allows without
     * identity policies, and past session policies; naming the role it
     * allows within them; naming the account it delegates. */
    struct iam_principal_policies nothing = {{NULL, 0}, NULL, &empty};
    char by_session[2048], by_role[2048], by_account[2048];
    snprintf(by_session, sizeof(by_session),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},\"Action\":\"s3:GetObject\","
             "\"Resource\":\"*\"}}", s.arn);
    snprintf(by_role, sizeof(by_role),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},\"Action\":\"s3:GetObject\","
             "\"Resource\":\"*\"}}", s.role_arn);
    snprintf(by_account, sizeof(by_account),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::%s:root\"},"
             "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", ACCT);
    r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, by_session, &nothing);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_int_equal(r.layer, IAM_LAYER_RESOURCE);
    r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, by_role, &nothing);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_SESSION);
    struct iam_principal_policies no_session = {{NULL, 0}, NULL, NULL};
    r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, by_role, &no_session);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    r = decide(&s, "s3:GetObject", "arn:aws:s3:::b/k", NULL, by_account, &no_session);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_IDENTITY);
}

static void test_authorize_across_accounts(void **state)
{
    (void)state;
    struct iam_principal visitor = user(OTHER, "v");
    const struct iam_policy_ref read[] = {{"read-b", allow_read, NULL}};
    struct iam_principal_policies pp = {{read, 1}, NULL, NULL};
    char grant[512];
    snprintf(grant, sizeof(grant),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"%s\"},\"Action\":\"s3:GetObject\","
             "\"Resource\":\"arn:aws:s3:::b/*\"}}", OTHER);
    /* Both sides must allow. */
    struct iam_authz_result r = decide(&visitor, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, grant, &pp);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    r = decide(&visitor, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, NULL, &pp);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_RESOURCE);
    struct iam_principal_policies none = {{NULL, 0}, NULL, NULL};
    r = decide(&visitor, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, grant, &none);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    assert_int_equal(r.layer, IAM_LAYER_IDENTITY);
    /* Another account's root needs the resource policy only. */
    struct iam_principal root;
    iam_principal_root(&root, OTHER, "k");
    r = decide(&root, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, grant, NULL);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_int_equal(r.layer, IAM_LAYER_RESOURCE);
    /* Anonymous callers get in through "*" only. */
    struct iam_principal anonymous = {.type = IAM_PRINCIPAL_ANONYMOUS};
    static const char public_read[] =
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}";
    r = decide(&anonymous, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, public_read, NULL);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    r = decide(&anonymous, "s3:PutObject", "arn:aws:s3:::b/k", ACCT, public_read, NULL);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    char msg[512];
    const struct iam_authz_request rq = {&anonymous, "s3:PutObject", "arn:aws:s3:::b/k", ACCT, public_read, NULL, false};
    iam_access_denied_message(&rq, &r, msg, sizeof(msg));
    assert_string_equal(msg, "User: anonymous is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::b/k "
                             "because no resource-based policy allows the s3:PutObject action");
}

/* A principal without an ARN stands for its account (decisions without
 * enforcement); a trust policy decides as the resource policy of its role;
 * an action on no particular resource names none in the message. */
static void test_authorize_accounts_trust_and_wording(void **state)
{
    (void)state;
    struct iam_principal account;
    iam_principal_root(&account, ACCT, "test");
    account.arn[0] = '\0';
    char deny_ann[512];
    snprintf(deny_ann, sizeof(deny_ann),
             "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::%s:user/ann\"},"
             "\"Action\":\"s3:*\",\"Resource\":\"*\"}}", ACCT);
    struct iam_authz_result r = decide(&account, "s3:GetObject", "arn:aws:s3:::b/k", NULL, deny_ann, NULL);
    assert_int_equal(r.verdict, IAM_EXPLICIT_DENY);
    struct iam_principal visitor;
    iam_principal_root(&visitor, OTHER, "k");
    visitor.arn[0] = '\0';
    char grant_bob[512];
    snprintf(grant_bob, sizeof(grant_bob),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::%s:user/bob\"},"
             "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", OTHER);
    r = decide(&visitor, "s3:GetObject", "arn:aws:s3:::b/k", ACCT, grant_bob, NULL);
    assert_int_equal(r.verdict, IAM_ALLOWED);

    char trust[512];
    snprintf(trust, sizeof(trust),
             "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::%s:user/ann\"},"
             "\"Action\":\"sts:AssumeRole\"}}", ACCT);
    struct iam_principal ann = user(ACCT, "ann"), bob = user(ACCT, "bob");
    const char *role = "arn:aws:iam::" ACCT ":role/r";
    struct iam_authz_request rq = {&ann, "sts:AssumeRole", role, NULL, trust, NULL, true};
    iam_authorize(&rq, NULL, &r);
    assert_int_equal(r.verdict, IAM_ALLOWED);
    assert_int_equal(r.layer, IAM_LAYER_RESOURCE);
    rq.principal = &bob;
    iam_authorize(&rq, NULL, &r);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);
    rq.policy_is_trust = false;     /* read as a policy with resources, the trust names none */
    rq.principal = &ann;
    iam_authorize(&rq, NULL, &r);
    assert_int_equal(r.verdict, IAM_IMPLICIT_DENY);

    char msg[512];
    const struct iam_authz_request list = {&ann, "s3:ListAllMyBuckets", "*", NULL, NULL, NULL, false};
    iam_authorize(&list, NULL, &r);
    iam_access_denied_message(&list, &r, msg, sizeof(msg));
    assert_string_equal(msg, "User: arn:aws:iam::111111111111:user/ann is not authorized to perform: s3:ListAllMyBuckets "
                             "because no identity-based policy allows the s3:ListAllMyBuckets action");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_document_checks),
        cmocka_unit_test(test_trust_document_checks),
        cmocka_unit_test(test_identity_evaluation),
        cmocka_unit_test(test_precise_principals),
        cmocka_unit_test(test_authorize_identity_and_boundaries),
        cmocka_unit_test(test_authorize_sessions_and_resource_policies),
        cmocka_unit_test(test_authorize_across_accounts),
        cmocka_unit_test(test_authorize_accounts_trust_and_wording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
