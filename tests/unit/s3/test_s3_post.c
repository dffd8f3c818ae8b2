/* Unit tests for protocol/s3 post.c: the incremental multipart/form-data
 * parser, fed in every slicing, and the policy check (expiration,
 * conditions, extra fields, content-length-range). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/post.h"
#include "protocol/s3/s3.h"

/* ---- the form parser ---------------------------------------------------- */

struct seen {
    char fields[1024];             /* "name=value;" ... */
    char filename[64];
    char content_type[64];
    char file[4096];
    size_t file_len;
    int file_ends;
    bool fail_on_file;
};

static int on_field(void *arg, const char *name, const char *value, size_t len)
{
    struct seen *s = arg;
    size_t at = strlen(s->fields);
    snprintf(s->fields + at, sizeof(s->fields) - at, "%s=%.*s;", name, (int)len, value);
    return 0;
}

static int on_file_begin(void *arg, const char *filename, const char *content_type)
{
    struct seen *s = arg;
    snprintf(s->filename, sizeof(s->filename), "%s", filename);
    snprintf(s->content_type, sizeof(s->content_type), "%s", content_type ? content_type : "-");
    return s->fail_on_file ? -1 : 0;
}

static int on_file_data(void *arg, const void *data, size_t len)
{
    struct seen *s = arg;
    assert_true(s->file_len + len <= sizeof(s->file));
    memcpy(s->file + s->file_len, data, len);
    s->file_len += len;
    return 0;
}

static int on_file_end(void *arg)
{
    struct seen *s = arg;
    s->file_ends++;
    return 0;
}

static const struct s3_post_form_callbacks callbacks = {on_field, on_file_begin, on_file_data, on_file_end};

#define FORM                                                                                  \
    "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/${filename}\r\n"    \
    "--XyZ\r\nContent-Disposition: form-data; name=\"Policy\"\r\n\r\nline1\r\nline2\r\n"       \
    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"           \
    "Content-Type: text/plain\r\n\r\nbody with \r\n--XY inside\r\n"                           \
    "--XyZ\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored by S3\r\n"         \
    "--XyZ--\r\n"

static enum s3_post_form_status feed_sliced(const char *form, size_t step, struct seen *s)
{
    struct s3_post_form *f = s3_post_form_new("XyZ", &callbacks, s);
    assert_non_null(f);
    enum s3_post_form_status st = S3_POST_FORM_MORE;
    size_t len = strlen(form);
    for (size_t at = 0; at < len && st == S3_POST_FORM_MORE; at += step)
        st = s3_post_form_feed(f, form + at, len - at < step ? len - at : step);
    if (st == S3_POST_FORM_DONE)
        assert_true(s3_post_form_done(f));
    s3_post_form_free(f);
    return st;
}

static void test_form_in_every_slicing(void **state)
{
    (void)state;
    for (size_t step = 1; step <= strlen(FORM); step++) {
        struct seen s = {0};
        assert_int_equal(feed_sliced(FORM, step, &s), S3_POST_FORM_DONE);
        assert_string_equal(s.fields, "key=uploads/${filename};Policy=line1\r\nline2;after=ignored by S3;");
        assert_string_equal(s.filename, "a.txt");
        assert_string_equal(s.content_type, "text/plain");
        assert_int_equal(s.file_len, strlen("body with \r\n--XY inside"));
        assert_memory_equal(s.file, "body with \r\n--XY inside", s.file_len);
        assert_int_equal(s.file_ends, 1);
    }
}

static void test_form_errors(void **state)
{
    (void)state;
    struct seen s = {0};
    assert_int_equal(feed_sliced("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--", 5, &s),
                     S3_POST_FORM_ERR_MALFORMED);
    memset(&s, 0, sizeof(s));
    assert_int_equal(feed_sliced("--XyZ junk", 3, &s), S3_POST_FORM_ERR_MALFORMED);
    memset(&s, 0, sizeof(s));
    s.fail_on_file = true;
    assert_int_equal(feed_sliced(FORM, 7, &s), S3_POST_FORM_ERR_CALLBACK);
    /* an unfinished body is not done */
    memset(&s, 0, sizeof(s));
    assert_int_equal(feed_sliced("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb", 4, &s),
                     S3_POST_FORM_MORE);
    /* fields together are limited */
    size_t big = S3_POST_MAX_FIELDS + 100;
    char *form = malloc(big + 200);
    assert_non_null(form);
    int n = sprintf(form, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n");
    memset(form + n, 'v', big);
    strcpy(form + n + big, "\r\n--XyZ--");
    memset(&s, 0, sizeof(s));
    assert_int_equal(feed_sliced(form, 1000, &s), S3_POST_FORM_ERR_FIELDS_TOO_LARGE);
    free(form);
}

static void test_boundary(void **state)
{
    (void)state;
    char b[S3_POST_MAX_BOUNDARY + 1];
    assert_int_equal(s3_post_form_boundary("multipart/form-data; boundary=abc", b, sizeof(b)), 0);
    assert_string_equal(b, "abc");
    assert_int_equal(s3_post_form_boundary("multipart/form-data; charset=x; boundary=\"q r\"", b, sizeof(b)), 0);
    assert_string_equal(b, "q r");
    assert_int_equal(s3_post_form_boundary("application/x-www-form-urlencoded", b, sizeof(b)), -1);
    assert_int_equal(s3_post_form_boundary("multipart/form-data", b, sizeof(b)), -1);
    assert_int_equal(s3_post_form_boundary(NULL, b, sizeof(b)), -1);
}

/* ---- the policy ---------------------------------------------------------- */

#define NOW 1700000000000LL   /* 2023-11-14T22:13:20Z */

static enum s3_err check(const char *policy, const struct s3_kv *fields, size_t n, struct s3_post_limits *limits,
                         char *msg)
{
    return s3_post_policy_check(policy, strlen(policy), NOW, "bkt", fields, n, limits, msg, 512);
}

static void test_policy_conditions(void **state)
{
    (void)state;
    struct s3_kv fields[] = {
        {"key", "user/photo.jpg"}, {"content-type", "image/jpeg"}, {"x-amz-meta-tag", "a"},
        {"policy", "..."}, {"x-amz-signature", "..."}, {"x-ignore-this", "1"},
    };
    struct s3_post_limits limits;
    char msg[512];
    const char *ok =
        "{\"expiration\": \"2030-01-01T00:00:00.000Z\", \"conditions\": [{\"bucket\": \"bkt\"},"
        " [\"starts-with\", \"$key\", \"user/\"], [\"eq\", \"$Content-Type\", \"image/jpeg\"],"
        " {\"x-amz-meta-tag\": \"a\"}, [\"content-length-range\", 1, 1048576]]}";
    assert_int_equal(check(ok, fields, 6, &limits, msg), S3_OK);
    assert_int_equal(limits.min_size, 1);
    assert_int_equal(limits.max_size, 1048576);

    const char *wrong_prefix =
        "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"starts-with\", \"$key\", \"admin/\"]]}";
    assert_int_equal(check(wrong_prefix, fields, 3, &limits, msg), S3_ERR_ACCESS_DENIED);
    assert_string_equal(msg, "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"admin/\"]");

    const char *wrong_bucket = "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [{\"bucket\": \"other\"}]}";
    assert_int_equal(check(wrong_bucket, fields, 0, &limits, msg), S3_ERR_ACCESS_DENIED);

    const char *extra = "{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"starts-with\", \"$key\", \"\"]]}";
    assert_int_equal(check(extra, fields, 6, &limits, msg), S3_ERR_ACCESS_DENIED);
    assert_string_equal(msg, "Invalid according to Policy: Extra input fields: content-type, x-amz-meta-tag");
}

static void test_policy_expiration_and_format(void **state)
{
    (void)state;
    struct s3_kv key = {"key", "k"};
    struct s3_post_limits limits;
    char msg[512];
    assert_int_equal(check("{\"expiration\": \"2020-01-01T00:00:00Z\", \"conditions\": [{\"key\": \"k\"}]}",
                           &key, 1, &limits, msg), S3_ERR_ACCESS_DENIED);
    assert_string_equal(msg, "Invalid according to Policy: Policy expired.");
    assert_int_equal(check("{\"conditions\": []}", &key, 1, &limits, msg), S3_ERR_INVALID_POLICY_DOCUMENT);
    assert_int_equal(check("not json", &key, 1, &limits, msg), S3_ERR_INVALID_POLICY_DOCUMENT);
    assert_int_equal(check("{\"expiration\": \"2030-01-01T00:00:00Z\"}", &key, 1, &limits, msg),
                     S3_ERR_INVALID_POLICY_DOCUMENT);
    assert_int_equal(check("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"eq\", \"key\", \"k\"]]}",
                           &key, 1, &limits, msg), S3_ERR_INVALID_POLICY_DOCUMENT);
    assert_int_equal(check("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 5, 1]]}",
                           &key, 0, &limits, msg), S3_ERR_INVALID_POLICY_DOCUMENT);
    assert_int_equal(check("{\"expiration\": \"2030-01-01T00:00:00Z\", \"conditions\": [[\"matches\", \"$key\", \"k\"]]}",
                           &key, 1, &limits, msg), S3_ERR_INVALID_POLICY_DOCUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_form_in_every_slicing),
        cmocka_unit_test(test_form_errors),
        cmocka_unit_test(test_boundary),
        cmocka_unit_test(test_policy_conditions),
        cmocka_unit_test(test_policy_expiration_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
