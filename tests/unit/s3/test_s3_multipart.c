/* Unit tests for protocol/s3 multipart.c: the CompleteMultipartUpload
 * parser (valid, invalid, hostile) and the Initiate/Complete/CopyPart
 * result bodies byte for byte, and the upload id's first character. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""
#define MD5A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define MD5B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static enum s3_err parse(const char *body, struct s3_complete_part **parts, size_t *n)
{
    return s3_parse_complete_upload(body, strlen(body), parts, n);
}

static void test_parse_complete(void **state)
{
    struct s3_complete_part *parts;
    size_t n;
    assert_int_equal(parse(DECL "<CompleteMultipartUpload " NS ">"
                           "<Part><ETag>\"" MD5A "\"</ETag><PartNumber>1</PartNumber></Part>"
                           "<Part><PartNumber> 2 </PartNumber><ETag>&quot;" MD5B "&quot;</ETag>"
                           "<ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part>"
                           "<Part><PartNumber>10000</PartNumber><ETag>" MD5A "</ETag>"
                           "<ChecksumSHA256>x</ChecksumSHA256></Part>"
                           "</CompleteMultipartUpload>", &parts, &n), S3_OK);
    assert_int_equal(n, 3);
    assert_int_equal(parts[0].part_number, 1);
    assert_string_equal(parts[0].etag, MD5A);
    assert_int_equal(parts[1].part_number, 2);
    assert_string_equal(parts[1].etag, MD5B);
    assert_int_equal(parts[2].part_number, 10000);
    assert_string_equal(parts[2].etag, MD5A);
    free(parts);

    /* order is the caller's to check; the parser keeps what it was given */
    assert_int_equal(parse("<CompleteMultipartUpload>\n <Part>\n  <PartNumber>3</PartNumber>\n"
                           "  <ETag>" MD5B "</ETag>\n </Part>\n <Part><PartNumber>1</PartNumber>"
                           "<ETag>" MD5A "</ETag></Part>\n</CompleteMultipartUpload>",
                           &parts, &n), S3_OK);
    assert_int_equal(n, 2);
    assert_int_equal(parts[0].part_number, 3);
    assert_int_equal(parts[1].part_number, 1);
    free(parts);
}

static void test_parse_complete_rejects(void **state)
{
    static const struct {
        const char *body;
        enum s3_err want;
    } cases[] = {
        {"", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload/>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part>"
         "</CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><ETag>" MD5A "</ETag></Part>"
         "</CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber></PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1x</PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_INVALID_ARGUMENT},
        {"<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_INVALID_ARGUMENT},
        {"<CompleteMultipartUpload><Part><PartNumber>10001</PartNumber><ETag>" MD5A "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_INVALID_ARGUMENT},
        {"<CompleteMultipartUpload><Part><PartNumber>99999999999999999999</PartNumber>"
         "<ETag>" MD5A "</ETag></Part></CompleteMultipartUpload>", S3_ERR_INVALID_ARGUMENT},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" MD5A MD5B "</ETag>"
         "</Part></CompleteMultipartUpload>", S3_ERR_INVALID_PART},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" MD5A "</ETag>"
         "<Size>5</Size></Part></CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" MD5A "</ETag>"
         "</Part><Extra/></CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<Complete><Part><PartNumber>1</PartNumber><ETag>" MD5A "</ETag></Part></Complete>",
         S3_ERR_MALFORMED_XML},
        {"<!DOCTYPE CompleteMultipartUpload [<!ENTITY e \"" MD5A "\">]>"
         "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&e;</ETag></Part>"
         "</CompleteMultipartUpload>", S3_ERR_MALFORMED_XML},
        {"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" MD5A "</ETag>"
         "</Part>", S3_ERR_MALFORMED_XML},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct s3_complete_part *parts = (struct s3_complete_part *)&cases;
        size_t n = 99;
        enum s3_err err = parse(cases[i].body, &parts, &n);
        if (err != cases[i].want)
            print_error("case %zu: got %d\n", i, err);
        assert_int_equal(err, cases[i].want);
        assert_null(parts);
        assert_int_equal(n, 0);
    }
}

static void test_parse_complete_part_limit(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<CompleteMultipartUpload>");
    for (int i = 1; i <= 10001; i++)
        strbuf_printf(&sb, "<Part><PartNumber>%d</PartNumber><ETag>" MD5A "</ETag></Part>",
                      i > 10000 ? 1 : i);
    strbuf_puts(&sb, "</CompleteMultipartUpload>");
    assert_false(strbuf_failed(&sb));
    struct s3_complete_part *parts;
    size_t n;
    assert_int_equal(s3_parse_complete_upload(sb.data, sb.len, &parts, &n),
                     S3_ERR_MALFORMED_XML);
    assert_null(parts);
    strbuf_free(&sb);
}

static void test_result_bodies(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_initiate_upload_xml(&sb, "bkt", "a&b", "UP1");
    assert_string_equal(sb.data,
        DECL "<InitiateMultipartUploadResult " NS "><Bucket>bkt</Bucket><Key>a&amp;b</Key>"
        "<UploadId>UP1</UploadId></InitiateMultipartUploadResult>");
    strbuf_reset(&sb);
    s3_complete_upload_xml(&sb, "http://127.0.0.1:4566/bkt/a%26b", "bkt", "a&b", MD5A "-2", NULL, NULL, NULL);
    assert_string_equal(sb.data,
        DECL "<CompleteMultipartUploadResult " NS ">"
        "<Location>http://127.0.0.1:4566/bkt/a%26b</Location><Bucket>bkt</Bucket>"
        "<Key>a&amp;b</Key><ETag>&quot;" MD5A "-2&quot;</ETag></CompleteMultipartUploadResult>");
    strbuf_reset(&sb);
    s3_copy_part_result_xml(&sb, MD5B, 0, NULL, NULL);
    assert_string_equal(sb.data,
        DECL "<CopyPartResult " NS "><LastModified>1970-01-01T00:00:00.000Z</LastModified>"
        "<ETag>&quot;" MD5B "&quot;</ETag></CopyPartResult>");
    strbuf_free(&sb);
}

/* An upload id is 40 URL-safe base64 characters of its random bytes, and
 * never begins with '-' or '_', which aws-cli would read as an option. */
static void test_upload_id_never_begins_with_a_dash(void **state)
{
    (void)state;
    unsigned char rnd[S3_UPLOAD_ID_RANDOM_BYTES];
    char id[S3_UPLOAD_ID_LEN + 1];

    memset(rnd, 0, sizeof(rnd));
    s3_upload_id_from_bytes(rnd, id);
    assert_string_equal(id, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

    for (unsigned first = 0xf8; first <= 0xff; first++) { /* '-' (62) and '_' (63) */
        memset(rnd, 0xff, sizeof(rnd));
        rnd[0] = (unsigned char)first;
        s3_upload_id_from_bytes(rnd, id);
        assert_int_equal(strlen(id), S3_UPLOAD_ID_LEN);
        assert_true(isalnum((unsigned char)id[0]));
        assert_string_equal(id + 2, "______________________________________");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_complete),
        cmocka_unit_test(test_parse_complete_rejects),
        cmocka_unit_test(test_parse_complete_part_limit),
        cmocka_unit_test(test_result_bodies),
        cmocka_unit_test(test_upload_id_never_begins_with_a_dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
