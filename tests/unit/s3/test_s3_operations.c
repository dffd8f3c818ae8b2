/* Unit tests for protocol/s3/operations.h, walking the table: every entry
 * routes back to itself from a request built from its own route columns
 * (also with every parameter it accepts, and never with one it does not);
 * no two entries share a route or a name; every action is an s3: action,
 * and operations share one only where AWS documents that they do. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

struct entry {
    const char *name, *family, *action;
    enum s3_op op;
    enum s3_method method;
    enum s3_scope scope;
    uint64_t subresource;
    bool copy;
    uint64_t accepts;
};

#define ENTRY(name, family, action, access, handler, method, scope, subresource, copy, accepts) \
    {#name, #family, action, S3_OP_##name, S3_METHOD_##method, S3_SCOPE_##scope, subresource, copy, accepts},
static const struct entry entries[] = {S3_OPERATIONS(ENTRY)};
#define N_ENTRIES (sizeof(entries) / sizeof(entries[0]))

struct param {
    const char *name, *value;
};
#define PARAM(id, name, value) [S3_QP_##id] = {name, value},
static const struct param params[S3_QP__COUNT] = {S3_QUERY_PARAMS(PARAM)};

static const char *const method_names[S3_METHOD__COUNT] = {
    [S3_METHOD_GET] = "GET",       [S3_METHOD_PUT] = "PUT",   [S3_METHOD_HEAD] = "HEAD",
    [S3_METHOD_DELETE] = "DELETE", [S3_METHOD_POST] = "POST", [S3_METHOD_OPTIONS] = "OPTIONS",
};

static const char *path_of(enum s3_scope scope)
{
    return scope == S3_SCOPE_SERVICE ? "/" : scope == S3_SCOPE_BUCKET ? "/bucket" : "/bucket/key";
}

static void append_param(char *query, size_t cap, int id)
{
    if (*query)
        strncat(query, "&", cap - strlen(query) - 1);
    strncat(query, params[id].name, cap - strlen(query) - 1);
    strncat(query, "=", cap - strlen(query) - 1);
    strncat(query, params[id].value ? params[id].value : "1", cap - strlen(query) - 1);
}

static int lowest_bit(uint64_t set)
{
    for (int i = 0; i < 64; i++)
        if (set & (UINT64_C(1) << i))
            return i;
    return -1;
}

static enum s3_op route(const struct entry *e, const char *query)
{
    struct s3_route r;
    enum s3_err err = s3_route_request(method_names[e->method], path_of(e->scope), query, "localhost:4566",
                                       NULL, e->copy, &r);
    if (err != S3_OK)
        print_error("%s: %s %s?%s is error %d\n", e->name, method_names[e->method], path_of(e->scope), query, err);
    assert_int_equal(err, S3_OK);
    enum s3_op op = r.op;
    s3_route_free(&r);
    return op;
}

static void expect_route(const struct entry *e, const char *query, enum s3_op want)
{
    enum s3_op got = route(e, query);
    if (got != want)
        print_error("%s: %s %s?%s routes to %s\n", e->name, method_names[e->method], path_of(e->scope), query,
                    s3_op_name(got));
    assert_int_equal(got, want);
}

static void test_every_entry_routes_to_itself(void **state)
{
    (void)state;
    assert_int_equal(N_ENTRIES, S3_OP__COUNT - 1);
    for (size_t i = 0; i < N_ENTRIES; i++) {
        const struct entry *e = &entries[i];
        assert_int_equal(e->op, (enum s3_op)(i + 1));
        assert_string_equal(s3_op_name(e->op), e->name);
        char query[2048] = "";
        if (e->subresource)
            append_param(query, sizeof(query), lowest_bit(e->subresource));
        expect_route(e, query, e->op);
        if (e->scope == S3_SCOPE_ANY)
            continue;
        /* every parameter it accepts, at once */
        for (int id = 0; id < S3_QP__COUNT; id++)
            if (e->accepts & (UINT64_C(1) << id))
                append_param(query, sizeof(query), id);
        expect_route(e, query, e->op);
    }
}

static void test_unaccepted_parameters_leave_the_entry(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENTRIES; i++) {
        const struct entry *e = &entries[i];
        if (e->scope == S3_SCOPE_ANY)
            continue;
        for (int id = 0; id < S3_QP__COUNT; id++) {
            uint64_t bit = UINT64_C(1) << id;
            if ((e->subresource | e->accepts) & bit)
                continue;
            char query[256] = "";
            if (e->subresource)
                append_param(query, sizeof(query), lowest_bit(e->subresource));
            append_param(query, sizeof(query), id);
            enum s3_op got = route(e, query);
            if (got == e->op)
                print_error("%s takes %s, which it does not accept\n", e->name, params[id].name);
            assert_int_not_equal(got, e->op);
        }
        char query[256] = "frobnicate=1";
        assert_int_equal(route(e, query), S3_OP_UNKNOWN);
    }
}

static void test_routes_and_names_are_unique(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENTRIES; i++) {
        for (size_t j = i + 1; j < N_ENTRIES; j++) {
            const struct entry *a = &entries[i], *b = &entries[j];
            if (strcmp(a->name, b->name) == 0)
                print_error("%s is in the table twice\n", a->name);
            assert_string_not_equal(a->name, b->name);
            bool same_route = a->method == b->method && a->scope == b->scope && a->copy == b->copy &&
                              (a->subresource & b->subresource || (!a->subresource && !b->subresource));
            if (same_route)
                print_error("%s and %s have the same route\n", a->name, b->name);
            assert_false(same_route);
        }
    }
}

/* The operations AWS documents as needing the same action. */
static const char *const shared_actions[][8] = {
    {"s3:ListBucket", "HeadBucket", "ListObjects", "ListObjectsV2"},
    {"s3:PutObject", "PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "UploadPartCopy",
     "CompleteMultipartUpload", "PostObject"},
    {"s3:GetObject", "GetObject", "HeadObject"},
    {"s3:DeleteObject", "DeleteObject", "DeleteObjects"},
    {"s3:PutBucketTagging", "PutBucketTagging", "DeleteBucketTagging"},
    {"s3:PutBucketCORS", "PutBucketCors", "DeleteBucketCors"},
    {"s3:PutLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"},
    {"s3:PutEncryptionConfiguration", "PutBucketEncryption", "DeleteBucketEncryption"},
    {"s3:PutBucketPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"},
    {"s3:PutBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"},
    {"s3:PutReplicationConfiguration", "PutBucketReplication", "DeleteBucketReplication"},
};

static bool may_share(const char *action, const char *a, const char *b)
{
    for (size_t i = 0; i < sizeof(shared_actions) / sizeof(shared_actions[0]); i++) {
        if (strcmp(shared_actions[i][0], action) != 0)
            continue;
        bool has_a = false, has_b = false;
        for (size_t j = 1; j < 8 && shared_actions[i][j]; j++) {
            has_a |= strcmp(shared_actions[i][j], a) == 0;
            has_b |= strcmp(shared_actions[i][j], b) == 0;
        }
        return has_a && has_b;
    }
    return false;
}

static void test_actions(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ENTRIES; i++) {
        const struct entry *a = &entries[i];
        /* only the CORS preflight, which is never authenticated, has none */
        if (a->op == S3_OP_PreflightRequest) {
            assert_string_equal(a->action, "");
            continue;
        }
        assert_true(strncmp(a->action, "s3:", 3) == 0 && strlen(a->action) > 3);
        for (size_t j = i + 1; j < N_ENTRIES; j++) {
            const struct entry *b = &entries[j];
            if (strcmp(a->action, b->action) != 0)
                continue;
            if (!may_share(a->action, a->name, b->name))
                print_error("%s and %s both need %s\n", a->name, b->name, a->action);
            assert_true(may_share(a->action, a->name, b->name));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_routes_to_itself),
        cmocka_unit_test(test_unaccepted_parameters_leave_the_entry),
        cmocka_unit_test(test_routes_and_names_are_unique),
        cmocka_unit_test(test_actions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
