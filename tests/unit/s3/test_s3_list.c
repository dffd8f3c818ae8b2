/* Unit tests for protocol/s3 list.c: ListObjects v1 and v2,
 * ListMultipartUploads and ListParts bodies compared byte for byte,
 * including encoding-type=url and truncation markers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define OWNER "<Owner><ID>000000000000</ID><DisplayName>000000000000</DisplayName></Owner>"
#define INITIATOR \
    "<Initiator><ID>000000000000</ID><DisplayName>000000000000</DisplayName></Initiator>"

static struct s3_object objects[2] = {
    {.key = "a b+c", .size = 5, .etag = "5d41402abc4b2a76b9719d911017c592",
     .last_modified_ms = 1255369830123LL, .owner_account = "000000000000"},
    {.key = "d&e", .size = 0, .etag = "d41d8cd98f00b204e9800998ecf8427e-2",
     .last_modified_ms = 0, .owner_account = "000000000000", .storage_class = "GLACIER"},
};
static char *prefixes[1] = {"dir x/"};

#define CONTENTS1_PLAIN(owner)                                                           \
    "<Contents><Key>a b+c</Key><LastModified>2009-10-12T17:50:30.123Z</LastModified>"  \
    "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size>" owner      \
    "<StorageClass>STANDARD</StorageClass></Contents>"
#define CONTENTS2_PLAIN(owner)                                                          \
    "<Contents><Key>d&amp;e</Key><LastModified>1970-01-01T00:00:00.000Z</LastModified>" \
    "<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e-2&quot;</ETag><Size>0</Size>" owner   \
    "<StorageClass>GLACIER</StorageClass></Contents>"

static void expect_listing(const struct s3_list_xml_opts *o, const struct s3_list_result *r,
                           const char *want)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_list_objects_xml(&sb, o, r);
    assert_false(strbuf_failed(&sb));
    assert_string_equal(sb.data, want);
    strbuf_free(&sb);
}

static void test_v1_plain(void **state)
{
    struct s3_list_result r = {.objects = objects, .n_objects = 2};
    struct s3_list_xml_opts o = {.bucket = "bkt", .max_keys = 1000};
    expect_listing(&o, &r,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix></Prefix><Marker></Marker>"
        "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>"
        CONTENTS1_PLAIN(OWNER) CONTENTS2_PLAIN(OWNER) "</ListBucketResult>");
}

static void test_v1_delimiter_truncated(void **state)
{
    struct s3_list_result r = {.objects = objects, .n_objects = 1, .common_prefixes = prefixes,
                               .n_common_prefixes = 1, .is_truncated = true,
                               .next_marker = "dir x/"};
    struct s3_list_xml_opts o = {.bucket = "bkt", .prefix = "", .delimiter = "/",
                                 .marker = "a", .max_keys = 2};
    expect_listing(&o, &r,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix></Prefix><Marker>a</Marker>"
        "<NextMarker>dir x/</NextMarker><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>"
        "<IsTruncated>true</IsTruncated>" CONTENTS1_PLAIN(OWNER)
        "<CommonPrefixes><Prefix>dir x/</Prefix></CommonPrefixes></ListBucketResult>");
    /* without a delimiter AWS leaves NextMarker out */
    o.delimiter = NULL;
    r.n_common_prefixes = 0;
    expect_listing(&o, &r,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix></Prefix><Marker>a</Marker>"
        "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>" CONTENTS1_PLAIN(OWNER)
        "</ListBucketResult>");
}

static void test_v1_url_encoding(void **state)
{
    struct s3_list_result r = {.objects = objects, .n_objects = 2, .common_prefixes = prefixes,
                               .n_common_prefixes = 1, .is_truncated = true,
                               .next_marker = "dir x/"};
    struct s3_list_xml_opts o = {.bucket = "bkt", .prefix = "p q", .delimiter = "/",
                                 .marker = "m+n", .max_keys = 3, .url_encode = true};
    expect_listing(&o, &r,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix>p%20q</Prefix>"
        "<Marker>m%2Bn</Marker><NextMarker>dir%20x/</NextMarker><MaxKeys>3</MaxKeys>"
        "<Delimiter>/</Delimiter><EncodingType>url</EncodingType>"
        "<IsTruncated>true</IsTruncated>"
        "<Contents><Key>a%20b%2Bc</Key><LastModified>2009-10-12T17:50:30.123Z</LastModified>"
        "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size>" OWNER
        "<StorageClass>STANDARD</StorageClass></Contents>"
        "<Contents><Key>d%26e</Key><LastModified>1970-01-01T00:00:00.000Z</LastModified>"
        "<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e-2&quot;</ETag><Size>0</Size>" OWNER
        "<StorageClass>GLACIER</StorageClass></Contents>"
        "<CommonPrefixes><Prefix>dir%20x/</Prefix></CommonPrefixes></ListBucketResult>");
}

static void test_v2(void **state)
{
    struct s3_list_result r = {.objects = objects, .n_objects = 2, .common_prefixes = prefixes,
                               .n_common_prefixes = 1, .is_truncated = true};
    struct s3_list_xml_opts o = {.bucket = "bkt", .prefix = "", .delimiter = "/",
                                 .continuation_token = "tok1", .next_continuation_token = "tok2",
                                 .max_keys = 3, .v2 = true};
    expect_listing(&o, &r,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix></Prefix>"
        "<ContinuationToken>tok1</ContinuationToken>"
        "<NextContinuationToken>tok2</NextContinuationToken><KeyCount>3</KeyCount>"
        "<MaxKeys>3</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>"
        CONTENTS1_PLAIN("") CONTENTS2_PLAIN("")
        "<CommonPrefixes><Prefix>dir x/</Prefix></CommonPrefixes></ListBucketResult>");

    struct s3_list_result last = {.objects = objects, .n_objects = 1};
    struct s3_list_xml_opts o2 = {.bucket = "bkt", .prefix = "a b", .marker = "a",
                                  .max_keys = 1000, .v2 = true, .fetch_owner = true,
                                  .url_encode = true};
    expect_listing(&o2, &last,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix>a%20b</Prefix>"
        "<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>"
        "<IsTruncated>false</IsTruncated><StartAfter>a</StartAfter>"
        "<Contents><Key>a%20b%2Bc</Key><LastModified>2009-10-12T17:50:30.123Z</LastModified>"
        "<ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><Size>5</Size>" OWNER
        "<StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>");

    struct s3_list_result empty = {0};
    struct s3_list_xml_opts o3 = {.bucket = "bkt", .max_keys = 0, .v2 = true};
    expect_listing(&o3, &empty,
        DECL "<ListBucketResult " NS "><Name>bkt</Name><Prefix></Prefix><KeyCount>0</KeyCount>"
        "<MaxKeys>0</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>");
}

static void test_list_uploads(void **state)
{
    struct s3_upload uploads[1] = {{.upload_id = "UP1", .key = "k y", .initiated_ms = 0,
                                    .owner_account = "000000000000"}};
    char *cp[1] = {"d/"};
    struct s3_upload_list l = {.uploads = uploads, .n_uploads = 1, .common_prefixes = cp,
                               .n_common_prefixes = 1, .is_truncated = true,
                               .next_key_marker = "k y", .next_upload_id_marker = "UP1"};
    struct strbuf sb;
    strbuf_init(&sb);
    s3_list_uploads_xml(&sb, "bkt", NULL, "/", NULL, NULL, 1, false, &l);
    assert_string_equal(sb.data,
        DECL "<ListMultipartUploadsResult " NS "><Bucket>bkt</Bucket><KeyMarker></KeyMarker>"
        "<UploadIdMarker></UploadIdMarker><NextKeyMarker>k y</NextKeyMarker>"
        "<NextUploadIdMarker>UP1</NextUploadIdMarker><Delimiter>/</Delimiter>"
        "<Prefix></Prefix><MaxUploads>1</MaxUploads><IsTruncated>true</IsTruncated>"
        "<Upload><Key>k y</Key><UploadId>UP1</UploadId>" INITIATOR OWNER
        "<StorageClass>STANDARD</StorageClass><Initiated>1970-01-01T00:00:00.000Z</Initiated>"
        "</Upload><CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>"
        "</ListMultipartUploadsResult>");
    strbuf_reset(&sb);
    s3_list_uploads_xml(&sb, "bkt", "p q", NULL, "a b", "U0", 1000, true, &l);
    assert_non_null(strstr(sb.data, "<KeyMarker>a%20b</KeyMarker><UploadIdMarker>U0"
                                    "</UploadIdMarker><NextKeyMarker>k%20y</NextKeyMarker>"));
    assert_non_null(strstr(sb.data, "<Prefix>p%20q</Prefix><EncodingType>url</EncodingType>"
                                    "<MaxUploads>1000</MaxUploads>"));
    assert_non_null(strstr(sb.data, "<Upload><Key>k%20y</Key>"));
    assert_null(strstr(sb.data, "<Delimiter>"));
    strbuf_free(&sb);
}

static void test_list_parts(void **state)
{
    struct s3_part parts[2] = {
        {.part_number = 1, .size = 5242880, .etag = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         .last_modified_ms = 1000},
        {.part_number = 3, .size = 7, .etag = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
         .last_modified_ms = 2000},
    };
    struct s3_upload up = {.upload_id = "UP1", .key = "k", .owner_account = "000000000000"};
    struct s3_part_list l = {.parts = parts, .n_parts = 2};
    struct strbuf sb;
    strbuf_init(&sb);
    s3_list_parts_xml(&sb, "bkt", "k&", &up, 0, 1000, &l);
    assert_string_equal(sb.data,
        DECL "<ListPartsResult " NS "><Bucket>bkt</Bucket><Key>k&amp;</Key>"
        "<UploadId>UP1</UploadId>" INITIATOR OWNER "<StorageClass>STANDARD</StorageClass>"
        "<PartNumberMarker>0</PartNumberMarker><NextPartNumberMarker>3</NextPartNumberMarker>"
        "<MaxParts>1000</MaxParts><IsTruncated>false</IsTruncated>"
        "<Part><PartNumber>1</PartNumber><LastModified>1970-01-01T00:00:01.000Z</LastModified>"
        "<ETag>&quot;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&quot;</ETag><Size>5242880</Size></Part>"
        "<Part><PartNumber>3</PartNumber><LastModified>1970-01-01T00:00:02.000Z</LastModified>"
        "<ETag>&quot;bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb&quot;</ETag><Size>7</Size></Part>"
        "</ListPartsResult>");
    strbuf_reset(&sb);
    struct s3_part_list truncated = {.parts = parts, .n_parts = 1, .is_truncated = true,
                                     .next_part_number_marker = 1};
    s3_list_parts_xml(&sb, "bkt", "k", &up, 0, 1, &truncated);
    assert_non_null(strstr(sb.data, "<NextPartNumberMarker>1</NextPartNumberMarker>"
                                    "<MaxParts>1</MaxParts><IsTruncated>true</IsTruncated>"));
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v1_plain),
        cmocka_unit_test(test_v1_delimiter_truncated),
        cmocka_unit_test(test_v1_url_encoding),
        cmocka_unit_test(test_v2),
        cmocka_unit_test(test_list_uploads),
        cmocka_unit_test(test_list_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
