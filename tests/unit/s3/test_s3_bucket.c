/* Unit tests for protocol/s3 bucket.c: ListAllMyBucketsResult and
 * LocationConstraint bodies byte for byte, and the CreateBucketConfiguration
 * parser with valid, invalid and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static void test_list_buckets(void **state)
{
    struct s3_bucket buckets[2] = {
        {.name = "alpha", .created_ms = 1255369830123LL},
        {.name = "b&c", .created_ms = 0},
    };
    struct strbuf sb;
    strbuf_init(&sb);
    s3_list_buckets_xml(&sb, "000000000000", buckets, 2);
    assert_false(strbuf_failed(&sb));
    assert_string_equal(sb.data,
        DECL "<ListAllMyBucketsResult " NS "><Owner><ID>000000000000</ID>"
        "<DisplayName>000000000000</DisplayName></Owner><Buckets>"
        "<Bucket><Name>alpha</Name><CreationDate>2009-10-12T17:50:30.123Z</CreationDate></Bucket>"
        "<Bucket><Name>b&amp;c</Name><CreationDate>1970-01-01T00:00:00.000Z</CreationDate></Bucket>"
        "</Buckets></ListAllMyBucketsResult>");
    strbuf_reset(&sb);
    s3_list_buckets_xml(&sb, "000000000000", NULL, 0);
    assert_non_null(strstr(sb.data, "<Buckets></Buckets></ListAllMyBucketsResult>"));
    strbuf_free(&sb);
}

static void test_location(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_bucket_location_xml(&sb, "eu-west-1");
    assert_string_equal(sb.data, DECL "<LocationConstraint " NS ">eu-west-1</LocationConstraint>");
    strbuf_reset(&sb);
    s3_bucket_location_xml(&sb, "us-east-1");
    assert_string_equal(sb.data, DECL "<LocationConstraint " NS "/>");
    strbuf_reset(&sb);
    s3_bucket_location_xml(&sb, NULL);
    assert_string_equal(sb.data, DECL "<LocationConstraint " NS "/>");
    strbuf_free(&sb);
}

static enum s3_err parse(const char *body, char **region)
{
    return s3_parse_create_bucket(body, strlen(body), region);
}

static void test_parse_create_bucket(void **state)
{
    char *region = (char *)"unset";
    assert_int_equal(s3_parse_create_bucket(NULL, 0, &region), S3_OK);
    assert_null(region);
    assert_int_equal(parse("<CreateBucketConfiguration " NS "><LocationConstraint>eu-west-1"
                           "</LocationConstraint></CreateBucketConfiguration>", &region), S3_OK);
    assert_string_equal(region, "eu-west-1");
    free(region);
    assert_int_equal(parse(DECL "<CreateBucketConfiguration>\n  <LocationConstraint>ap-south-1"
                           "</LocationConstraint>\n</CreateBucketConfiguration>\n", &region),
                     S3_OK);
    assert_string_equal(region, "ap-south-1");
    free(region);
    assert_int_equal(parse("<CreateBucketConfiguration/>", &region), S3_OK);
    assert_null(region);
    assert_int_equal(parse("<CreateBucketConfiguration><LocationConstraint/>"
                           "</CreateBucketConfiguration>", &region), S3_OK);
    assert_null(region);
}

static void test_parse_create_bucket_rejects(void **state)
{
    static const char *const bad[] = {
        "not xml",
        "<CreateBucketConfiguration>",
        "<Other><LocationConstraint>eu-west-1</LocationConstraint></Other>",
        "<CreateBucketConfiguration><LocationConstraint><X/></LocationConstraint>"
        "</CreateBucketConfiguration>",
        "<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint>"
        "<LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>",
        "<!DOCTYPE CreateBucketConfiguration [<!ENTITY r \"eu-west-1\">]>"
        "<CreateBucketConfiguration><LocationConstraint>&r;</LocationConstraint>"
        "</CreateBucketConfiguration>",
        "<!DOCTYPE x SYSTEM \"file:///etc/passwd\"><CreateBucketConfiguration/>",
        NULL};
    for (size_t i = 0; bad[i]; i++) {
        char *region = NULL;
        assert_int_equal(parse(bad[i], &region), S3_ERR_MALFORMED_XML);
        assert_null(region);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_buckets),
        cmocka_unit_test(test_location),
        cmocka_unit_test(test_parse_create_bucket),
        cmocka_unit_test(test_parse_create_bucket_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
