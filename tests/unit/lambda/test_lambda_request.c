/* Unit tests for protocol/lambda request.c: every template of the table
 * routes back to its own operation; labels are percent-decoded; a trailing
 * '/' is ignored; query conditions (GetLayerVersionByArn,
 * ListProvisionedConcurrencyConfigs) win over the bare path; the
 * operations cloudless lacks route as NOT_IMPLEMENTED and anything else as
 * UNKNOWN; and which paths Lambda claims. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/lambda/operations.h"
#include "protocol/lambda/request.h"

struct table_row {
    const char *name;
    const char *method;
    const char *path;
    bool served;
};

#define SERVED_ROW(name, method, path, family, action, handler) {#name, method, path, true},
#define NOT_IMPLEMENTED_ROW(name, method, path) {#name, method, path, false},
static const struct table_row rows[] = {LAMBDA_OPERATIONS(SERVED_ROW) LAMBDA_NOT_IMPLEMENTED(NOT_IMPLEMENTED_ROW)};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* Resolves and checks the kind and name (NULL for UNKNOWN). */
static void expect_route(const char *method, const char *path, const char *query, enum lambda_route_kind kind,
                         const char *name, struct lambda_route *out)
{
    assert_int_equal(lambda_route_resolve(method, path, query, out), 0);
    if (out->kind != kind)
        fail_msg("%s %s?%s: kind %d, expected %d", method, path, query ? query : "", out->kind, kind);
    if (name)
        assert_string_equal(out->name, name);
}

/* The template with each {Label} replaced by "x<n>" and its query tail
 * kept apart. */
static void fill_template(const char *tpl, char *path, size_t cap, char *query, size_t qcap)
{
    size_t n = 0;
    int label = 0;
    query[0] = '\0';
    for (const char *t = tpl; *t; t++) {
        if (*t == '?') {
            snprintf(query, qcap, "%s", t + 1);
            break;
        }
        if (*t == '{') {
            n += (size_t)snprintf(path + n, cap - n, "x%d", label++);
            t = strchr(t, '}');
            continue;
        }
        path[n++] = *t;
    }
    path[n] = '\0';
}

static void test_every_template_routes_to_itself(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS; i++) {
        char path[256], query[64];
        fill_template(rows[i].path, path, sizeof(path), query, sizeof(query));
        struct lambda_route r;
        expect_route(rows[i].method, path, query, rows[i].served ? LAMBDA_ROUTE_SERVED : LAMBDA_ROUTE_NOT_IMPLEMENTED,
                     rows[i].name, &r);
        if (rows[i].served)
            assert_int_equal(r.op, i);
        int labels = 0;
        for (const char *t = strchr(rows[i].path, '{'); t; t = strchr(t + 1, '{'))
            labels++;
        assert_int_equal(r.n_params, labels);
        for (int k = 0; k < labels; k++) {
            char want[16];
            snprintf(want, sizeof(want), "x%d", k);
            assert_string_equal(r.params[k].value, want);
        }
        enum lambda_route_kind kind = r.kind;
        lambda_route_free(&r);
        /* Older botocore models end some URIs with '/'. */
        strcat(path, "/");
        expect_route(rows[i].method, path, query, kind, rows[i].name, &r);
        lambda_route_free(&r);
    }
}

/* Names and routes are unique, and since the first match wins, a template
 * with a query condition comes before the same path without one. */
static void test_table_order(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ROWS; i++) {
        for (size_t k = i + 1; k < N_ROWS; k++) {
            if (strcmp(rows[i].name, rows[k].name) == 0 ||
                (strcmp(rows[i].method, rows[k].method) == 0 && strcmp(rows[i].path, rows[k].path) == 0))
                fail_msg("%s and %s share a name or a route", rows[i].name, rows[k].name);
            size_t bare = strcspn(rows[k].path, "?");
            if (strcmp(rows[i].method, rows[k].method) == 0 && rows[k].path[bare] && !strchr(rows[i].path, '?') &&
                strlen(rows[i].path) == bare && strncmp(rows[i].path, rows[k].path, bare) == 0)
                fail_msg("%s comes after %s, which would always win", rows[k].name, rows[i].name);
        }
    }
}

static void test_labels(void **state)
{
    (void)state;
    struct lambda_route r;
    expect_route("POST", "/2015-03-31/functions/my-fn%3Alive/invocations", "", LAMBDA_ROUTE_SERVED, "Invoke", &r);
    assert_string_equal(lambda_route_param(&r, "FunctionName"), "my-fn:live");
    assert_null(lambda_route_param(&r, "Function"));
    assert_null(lambda_route_param(&r, "FunctionNameX"));
    lambda_route_free(&r);

    expect_route("DELETE", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af/policy/s3%2Binvoke",
                 NULL, LAMBDA_ROUTE_SERVED, "RemovePermission", &r);
    assert_string_equal(lambda_route_param(&r, "FunctionName"), "arn:aws:lambda:us-east-1:000000000000:function:f");
    assert_string_equal(lambda_route_param(&r, "StatementId"), "s3+invoke");
    lambda_route_free(&r);

    /* '+' in a path is a '+', not a space; %2F stays inside its segment. */
    expect_route("GET", "/2015-03-31/functions/f/aliases/a+b%2Fc", NULL, LAMBDA_ROUTE_SERVED, "GetAlias", &r);
    assert_string_equal(lambda_route_param(&r, "Name"), "a+b/c");
    lambda_route_free(&r);

    expect_route("GET", "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Aevent-source-mapping%3Aabc",
                 "", LAMBDA_ROUTE_SERVED, "ListTags", &r);
    assert_string_equal(lambda_route_param(&r, "Resource"),
                        "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:abc");
    lambda_route_free(&r);
}

static void test_unknown(void **state)
{
    (void)state;
    static const struct {
        const char *method, *path;
    } cases[] = {
        {"PATCH", "/2015-03-31/functions"},
        {"GET", "/2015-03-31/functions/f/nothing"},
        {"GET", "/2015-03-31/functions/f/configuration/more"},
        {"POST", "/2015-03-31/functions/f"},
        {"GET", "/2015-03-31/functions//configuration"},          /* an empty label */
        {"GET", "/2015-03-31/functions/f%zz"},                     /* not percent-encoding */
        {"GET", "/2015-03-31/functions/f%00"},                     /* NUL */
        {"GET", "/2017-10-31/functions/f/concurrency"},            /* Get is under 2019-09-30 */
        {"GET", "/2015-03-31"},
        {"GET", "/"},
        {"GET", ""},
        {"GET", "/2015-03-31/functions/f//"},
        {"get", "/2015-03-31/functions"},
        {"GET", "/2015-03-31/Functions"},
        {"GET", "/bucket/2015-03-31/functions"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lambda_route r;
        expect_route(cases[i].method, cases[i].path, "", LAMBDA_ROUTE_UNKNOWN, NULL, &r);
        assert_int_equal(r.n_params, 0);
        assert_null(r.name);
        lambda_route_free(&r);
    }
}

static void test_query_conditions(void **state)
{
    (void)state;
    struct lambda_route r;
    expect_route("GET", "/2018-10-31/layers", "find=LayerVersion&Arn=x", LAMBDA_ROUTE_NOT_IMPLEMENTED,
                 "GetLayerVersionByArn", &r);
    lambda_route_free(&r);
    expect_route("GET", "/2018-10-31/layers", "MaxItems=5", LAMBDA_ROUTE_NOT_IMPLEMENTED, "ListLayers", &r);
    lambda_route_free(&r);
    expect_route("GET", "/2018-10-31/layers", "find=Other", LAMBDA_ROUTE_NOT_IMPLEMENTED, "ListLayers", &r);
    lambda_route_free(&r);
    expect_route("GET", "/2018-10-31/layers", NULL, LAMBDA_ROUTE_NOT_IMPLEMENTED, "ListLayers", &r);
    lambda_route_free(&r);
    expect_route("GET", "/2019-09-30/functions/f/provisioned-concurrency", "List=ALL", LAMBDA_ROUTE_NOT_IMPLEMENTED,
                 "ListProvisionedConcurrencyConfigs", &r);
    assert_string_equal(lambda_route_param(&r, "FunctionName"), "f");
    lambda_route_free(&r);
    expect_route("GET", "/2019-09-30/functions/f/provisioned-concurrency", "Qualifier=1",
                 LAMBDA_ROUTE_NOT_IMPLEMENTED, "GetProvisionedConcurrencyConfig", &r);
    lambda_route_free(&r);
    /* A query never stops a served operation from matching. */
    expect_route("GET", "/2015-03-31/functions", "FunctionVersion=ALL&MaxItems=2", LAMBDA_ROUTE_SERVED,
                 "ListFunctions", &r);
    lambda_route_free(&r);
}

static void test_claims(void **state)
{
    (void)state;
    static const char *const claimed[] = {
        "/2015-03-31/functions", "/2015-03-31/functions/", "/2015-03-31/functions/f/whatever",
        "/2015-03-31/event-source-mappings", "/2016-08-19/account-settings/", "/2017-03-31/tags/x",
        "/2017-10-31/functions/f/concurrency", "/2018-10-31/layers", "/2019-09-25/functions/f/event-invoke-config",
        "/2020-04-22/code-signing-configs", "/2021-10-31/functions/f/url", "/2014-11-13/functions/f/invoke-async/",
        "/2025-12-01/durable-execution-callbacks/x/fail",
    };
    static const char *const not_claimed[] = {
        "/", "/bucket", "/bucket/key", "/2015-03-31", "/2015-03-31/", "/2015-03-31/functionsx",
        "/2015-03-31/objects/key", "/2016-08-19/account", "/1999-01-01/functions", "",
    };
    for (size_t i = 0; i < sizeof(claimed) / sizeof(claimed[0]); i++)
        if (!lambda_route_claims_path(claimed[i]))
            fail_msg("%s is Lambda's", claimed[i]);
    for (size_t i = 0; i < sizeof(not_claimed) / sizeof(not_claimed[0]); i++)
        if (lambda_route_claims_path(not_claimed[i]))
            fail_msg("%s is not Lambda's", not_claimed[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_template_routes_to_itself),
        cmocka_unit_test(test_table_order),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_query_conditions),
        cmocka_unit_test(test_claims),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
