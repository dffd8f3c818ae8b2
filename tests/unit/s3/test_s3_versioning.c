/* Unit tests for protocol/s3 tagging.c, versioning.c, the ListVersionsResult
 * body of list.c and s3_parse_iso8601: valid bodies, every rule AWS
 * enforces on tags, malformed and out-of-range inputs, and the XML answers
 * byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static enum s3_err parse_tags(const char *body, size_t max, struct s3_kv **tags, size_t *n,
                              const char **message)
{
    return s3_parse_tagging(body, strlen(body), max, tags, n, message);
}

/* <Tagging> with n tags k0=v .. k(n-1)=v. */
static char *tagging_with(size_t n)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<Tagging><TagSet>");
    for (size_t i = 0; i < n; i++)
        strbuf_printf(&sb, "<Tag><Key>k%zu</Key><Value>v</Value></Tag>", i);
    strbuf_puts(&sb, "</TagSet></Tagging>");
    assert_false(strbuf_failed(&sb));
    return strbuf_detach(&sb, NULL);
}

static void test_parse_tagging(void **state)
{
    struct s3_kv *tags;
    size_t n;
    const char *message;
    assert_int_equal(parse_tags("<Tagging " NS "><TagSet><Tag><Key>env</Key><Value>dev</Value></Tag>"
                                "<Tag><Key>empty</Key><Value></Value></Tag></TagSet></Tagging>",
                                S3_MAX_OBJECT_TAGS, &tags, &n, &message), S3_OK);
    assert_int_equal(n, 2);
    assert_string_equal(tags[0].name, "env");
    assert_string_equal(tags[0].value, "dev");
    assert_string_equal(tags[1].value, "");
    s3_kv_free_array(tags, n);
    assert_int_equal(parse_tags("<Tagging><TagSet/></Tagging>", 10, &tags, &n, &message), S3_OK);
    assert_int_equal(n, 0);

    char *ten = tagging_with(10), *eleven = tagging_with(11), *fifty_one = tagging_with(51);
    assert_int_equal(parse_tags(ten, S3_MAX_OBJECT_TAGS, &tags, &n, &message), S3_OK);
    s3_kv_free_array(tags, n);
    assert_int_equal(parse_tags(eleven, S3_MAX_OBJECT_TAGS, &tags, &n, &message), S3_ERR_BAD_REQUEST);
    assert_string_equal(message, "Object tags cannot be greater than 10");
    assert_null(tags);
    assert_int_equal(parse_tags(fifty_one, S3_MAX_BUCKET_TAGS, &tags, &n, &message), S3_ERR_INVALID_TAG);
    free(ten);
    free(eleven);
    free(fifty_one);
}

static void test_tag_rules(void **state)
{
    char long_key[200], long_value[300], body[1024];
    memset(long_key, 'k', 129);
    long_key[129] = '\0';
    memset(long_value, 'v', 257);
    long_value[257] = '\0';
    const struct {
        const char *key, *value, *message;
    } cases[] = {
        {long_key, "v", "The TagKey you have provided is too long, max 128"},
        {"k", long_value, "The TagValue you have provided is too long, max 256"},
        {"aws:reserved", "v", "Your TagKey cannot be prefixed with aws:"},
        {"AWS:reserved", "v", "Your TagKey cannot be prefixed with aws:"},
        {"", "v", "The TagKey you have provided is invalid"},
        {"a*b", "v", "The TagKey you have provided is invalid"},
        {"k", "a<>b", "The TagValue you have provided is invalid"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(body, sizeof(body), "<Tagging><TagSet><Tag><Key>%s</Key><Value>%s</Value></Tag>"
                 "</TagSet></Tagging>", cases[i].key,
                 strcmp(cases[i].value, "a<>b") == 0 ? "a&lt;&gt;b" : cases[i].value);
        struct s3_kv *tags;
        size_t n;
        const char *message;
        assert_int_equal(parse_tags(body, 10, &tags, &n, &message), S3_ERR_INVALID_TAG);
        assert_string_equal(message, cases[i].message);
    }
    struct s3_kv *tags;
    size_t n;
    const char *message;
    /* 128 two-byte characters are 128 characters, not 256 */
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<Tagging><TagSet><Tag><Key>");
    for (int i = 0; i < 128; i++)
        strbuf_puts(&sb, "\xc3\xa9");
    strbuf_puts(&sb, "</Key><Value>ok +-=._:/@</Value></Tag></TagSet></Tagging>");
    assert_int_equal(parse_tags(sb.data, 10, &tags, &n, &message), S3_OK);
    s3_kv_free_array(tags, n);
    strbuf_free(&sb);
    assert_int_equal(parse_tags("<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag>"
                                "<Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>",
                                10, &tags, &n, &message), S3_ERR_INVALID_TAG);
    assert_string_equal(message, "Cannot provide multiple Tags with the same key");
    const char *malformed[] = {
        "", "<Tagging/>", "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
        "<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value><Value>c</Value></Tag></TagSet></Tagging>",
        "<Tagging><TagSet></TagSet><TagSet></TagSet></Tagging>",
        "<Other><TagSet/></Other>",
    };
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
        assert_int_equal(parse_tags(malformed[i], 10, &tags, &n, &message), S3_ERR_MALFORMED_XML);
}

static void test_tagging_header(void **state)
{
    struct s3_kv *tags;
    size_t n;
    const char *message;
    assert_int_equal(s3_parse_tagging_header("a=1&b=two%20words&c=x+y&empty=&bare", 10, &tags, &n,
                                             &message), S3_OK);
    assert_int_equal(n, 5);
    assert_string_equal(tags[1].value, "two words");
    assert_string_equal(tags[2].value, "x y");
    assert_string_equal(tags[3].value, "");
    assert_string_equal(tags[4].name, "bare");
    s3_kv_free_array(tags, n);
    assert_int_equal(s3_parse_tagging_header("", 10, &tags, &n, &message), S3_OK);
    assert_int_equal(n, 0);
    assert_int_equal(s3_parse_tagging_header("a=1&a=2", 10, &tags, &n, &message), S3_ERR_INVALID_TAG);
    assert_int_equal(s3_parse_tagging_header("a=%zz", 10, &tags, &n, &message), S3_ERR_INVALID_TAG);
    assert_int_equal(s3_parse_tagging_header("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&k=1", 10, &tags,
                                             &n, &message), S3_ERR_BAD_REQUEST);
    assert_null(tags);
}

static void test_tagging_xml(void **state)
{
    struct s3_kv tags[] = {{"a&b", "<v>"}};
    struct strbuf sb;
    strbuf_init(&sb);
    s3_tagging_xml(&sb, tags, 1);
    assert_string_equal(sb.data, DECL "<Tagging " NS "><TagSet><Tag><Key>a&amp;b</Key>"
                                 "<Value>&lt;v&gt;</Value></Tag></TagSet></Tagging>");
    strbuf_free(&sb);
}

static void test_versioning_bodies(void **state)
{
    char *status, *mfa;
    const char *ok = "<VersioningConfiguration " NS "><Status>Suspended</Status>"
                     "<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>";
    assert_int_equal(s3_parse_versioning(ok, strlen(ok), &status, &mfa), S3_OK);
    assert_string_equal(status, "Suspended");
    assert_string_equal(mfa, "Disabled");
    free(status);
    free(mfa);
    const char *bad[] = {
        "<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>",
        "<VersioningConfiguration><MfaDelete>Maybe</MfaDelete></VersioningConfiguration>",
        "<VersioningConfiguration><Status>Enabled</Status><Status>Enabled</Status>"
        "</VersioningConfiguration>",
        "<VersioningConfiguration><Other/></VersioningConfiguration>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(s3_parse_versioning(bad[i], strlen(bad[i]), &status, &mfa), S3_ERR_MALFORMED_XML);
        assert_null(status);
        assert_null(mfa);
    }
    struct strbuf sb;
    strbuf_init(&sb);
    s3_versioning_xml(&sb, "");
    assert_string_equal(sb.data, DECL "<VersioningConfiguration " NS "></VersioningConfiguration>");
    strbuf_reset(&sb);
    s3_versioning_xml(&sb, "Enabled");
    assert_string_equal(sb.data, DECL "<VersioningConfiguration " NS "><Status>Enabled</Status>"
                                 "</VersioningConfiguration>");
    strbuf_free(&sb);
}

static void test_object_lock_bodies(void **state)
{
    struct s3_lock_config c;
    const char *message;
    const char *years = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>"
                        "<DefaultRetention><Mode>COMPLIANCE</Mode><Years>2</Years></DefaultRetention>"
                        "</Rule></ObjectLockConfiguration>";
    assert_int_equal(s3_parse_object_lock_config(years, strlen(years), &c, &message), S3_OK);
    assert_string_equal(c.mode, "COMPLIANCE");
    assert_int_equal(c.years, 2);
    assert_int_equal(c.days, 0);
    struct strbuf sb;
    strbuf_init(&sb);
    s3_object_lock_config_xml(&sb, &c);
    assert_string_equal(sb.data, DECL "<ObjectLockConfiguration " NS "><ObjectLockEnabled>Enabled"
                                 "</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode>"
                                 "<Years>2</Years></DefaultRetention></Rule></ObjectLockConfiguration>");
    const char *plain = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>"
                        "</ObjectLockConfiguration>";
    assert_int_equal(s3_parse_object_lock_config(plain, strlen(plain), &c, &message), S3_OK);
    assert_string_equal(c.mode, "");
    const char *zero = "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule>"
                       "<DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention>"
                       "</Rule></ObjectLockConfiguration>";
    assert_int_equal(s3_parse_object_lock_config(zero, strlen(zero), &c, &message), S3_ERR_INVALID_ARGUMENT);
    assert_string_equal(message, "Default retention period must be a positive integer value");
    const char *bad[] = {
        "<ObjectLockConfiguration/>",
        "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>",
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
        "<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule>"
        "</ObjectLockConfiguration>",
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
        "<Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
        "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>"
        "<Mode>GOVERNANCE</Mode><Days>x</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(s3_parse_object_lock_config(bad[i], strlen(bad[i]), &c, &message),
                         S3_ERR_MALFORMED_XML);

    char mode[12];
    int64_t until;
    const char *retention = "<Retention><Mode>GOVERNANCE</Mode>"
                            "<RetainUntilDate>2030-01-02T03:04:05.678Z</RetainUntilDate></Retention>";
    assert_int_equal(s3_parse_retention(retention, strlen(retention), mode, &until), S3_OK);
    assert_string_equal(mode, "GOVERNANCE");
    assert_int_equal(until, 1893553445678LL);
    assert_int_equal(s3_parse_retention("<Retention/>", 12, mode, &until), S3_OK);
    assert_string_equal(mode, "");
    const char *half = "<Retention><Mode>GOVERNANCE</Mode></Retention>";
    assert_int_equal(s3_parse_retention(half, strlen(half), mode, &until), S3_ERR_MALFORMED_XML);
    strbuf_reset(&sb);
    s3_retention_xml(&sb, "COMPLIANCE", 1893553445678LL);
    assert_string_equal(sb.data, DECL "<Retention " NS "><Mode>COMPLIANCE</Mode>"
                                 "<RetainUntilDate>2030-01-02T03:04:05.678Z</RetainUntilDate></Retention>");

    bool on;
    const char *hold = "<LegalHold><Status>ON</Status></LegalHold>";
    assert_int_equal(s3_parse_legal_hold(hold, strlen(hold), &on), S3_OK);
    assert_true(on);
    const char *bad_hold = "<LegalHold><Status>on</Status></LegalHold>";
    assert_int_equal(s3_parse_legal_hold(bad_hold, strlen(bad_hold), &on), S3_ERR_MALFORMED_XML);
    strbuf_reset(&sb);
    s3_legal_hold_xml(&sb, false);
    assert_string_equal(sb.data, DECL "<LegalHold " NS "><Status>OFF</Status></LegalHold>");
    strbuf_free(&sb);
}

static void test_iso8601(void **state)
{
    assert_int_equal(date_parse_iso8601("2030-01-02T03:04:05Z"), 1893553445000LL);
    assert_int_equal(date_parse_iso8601("2030-01-02T03:04:05.5Z"), 1893553445500LL);
    assert_int_equal(date_parse_iso8601("2030-01-02T03:04:05+00:00"), 1893553445000LL);
    const char *bad[] = {"", "2030-01-02", "2030-13-02T03:04:05Z", "2030-02-30T03:04:05Z",
                         "2030-01-02T03:04:05", "2030-01-02T03:04:05.Z", "2030-01-02T25:04:05Z",
                         "2030-01-02T03:04:05+01:00"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(date_parse_iso8601(bad[i]), -1);
}

static void test_list_versions_xml(void **state)
{
    struct s3_object objects[2] = {
        {.key = "a b", .size = 3, .etag = "abc", .last_modified_ms = 0, .owner_account = "000000000000",
         .version_id = "V2", .is_latest = true},
        {.key = "a b", .last_modified_ms = 0, .owner_account = "000000000000", .version_id = "V1",
         .delete_marker = true},
    };
    char *prefixes[] = {"d/"};
    struct s3_list_result r = {.objects = objects, .n_objects = 2, .common_prefixes = prefixes,
                               .n_common_prefixes = 1, .is_truncated = true, .next_marker = "a b",
                               .next_version_id_marker = "V1"};
    struct s3_list_xml_opts o = {.bucket = "b", .prefix = "", .delimiter = "/", .marker = "",
                                 .max_keys = 3, .url_encode = true};
    struct strbuf sb;
    strbuf_init(&sb);
    s3_list_versions_xml(&sb, &o, "", &r);
    assert_string_equal(sb.data,
        DECL "<ListVersionsResult " NS "><Name>b</Name><Prefix></Prefix><KeyMarker></KeyMarker>"
        "<VersionIdMarker></VersionIdMarker><NextKeyMarker>a%20b</NextKeyMarker>"
        "<NextVersionIdMarker>V1</NextVersionIdMarker><MaxKeys>3</MaxKeys><Delimiter>/</Delimiter>"
        "<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>"
        "<Version><Key>a%20b</Key><VersionId>V2</VersionId><IsLatest>true</IsLatest>"
        "<LastModified>1970-01-01T00:00:00.000Z</LastModified><ETag>&quot;abc&quot;</ETag>"
        "<Size>3</Size><StorageClass>STANDARD</StorageClass><Owner><ID>000000000000</ID>"
        "<DisplayName>000000000000</DisplayName></Owner></Version>"
        "<DeleteMarker><Key>a%20b</Key><VersionId>V1</VersionId><IsLatest>false</IsLatest>"
        "<LastModified>1970-01-01T00:00:00.000Z</LastModified><Owner><ID>000000000000</ID>"
        "<DisplayName>000000000000</DisplayName></Owner></DeleteMarker>"
        "<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListVersionsResult>");
    strbuf_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_tagging),
        cmocka_unit_test(test_tag_rules),
        cmocka_unit_test(test_tagging_header),
        cmocka_unit_test(test_tagging_xml),
        cmocka_unit_test(test_versioning_bodies),
        cmocka_unit_test(test_object_lock_bodies),
        cmocka_unit_test(test_iso8601),
        cmocka_unit_test(test_list_versions_xml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
