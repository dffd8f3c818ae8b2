/* Unit tests for protocol/s3 object.c: the <Delete> parser (valid, invalid,
 * hostile: entity expansion, external entities, too many objects), the
 * DeleteResult and CopyObjectResult bodies byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "protocol/s3/s3.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* The version ids of the last successful parse, freed by the next one. */
static char **parsed_versions;
static size_t n_parsed_versions;

static enum s3_err parse(const char *body, char ***keys, size_t *n, bool *quiet)
{
    free_keys(parsed_versions, n_parsed_versions);
    parsed_versions = NULL;
    n_parsed_versions = 0;
    enum s3_err err = s3_parse_delete_objects(body, strlen(body), keys, &parsed_versions, n, quiet);
    if (err == S3_OK)
        n_parsed_versions = *n;
    else
        assert_null(parsed_versions);
    return err;
}

static void test_parse_delete(void **state)
{
    char **keys;
    size_t n;
    bool quiet;
    assert_int_equal(parse(DECL "<Delete " NS "><Object><Key>a</Key></Object>"
                           "<Object><Key>b &amp; c</Key><VersionId>null</VersionId></Object>"
                           "<Object><Key><![CDATA[<x>]]></Key></Object>"
                           "<Quiet>true</Quiet></Delete>", &keys, &n, &quiet), S3_OK);
    assert_int_equal(n, 3);
    assert_string_equal(keys[0], "a");
    assert_string_equal(keys[1], "b & c");
    assert_string_equal(keys[2], "<x>");
    assert_null(parsed_versions[0]);
    assert_string_equal(parsed_versions[1], "null");
    assert_null(parsed_versions[2]);
    assert_true(quiet);
    free_keys(keys, n);

    assert_int_equal(parse("<Delete>\n  <Object>\n    <Key> spaced </Key>\n  </Object>\n"
                           "  <!-- comment -->\n  <Quiet>false</Quiet>\n</Delete>",
                           &keys, &n, &quiet), S3_OK);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0], " spaced ");
    assert_false(quiet);
    free_keys(keys, n);

    /* elements match by local name, whatever the namespace prefix */
    assert_int_equal(parse("<s3:Delete xmlns:s3=\"" "http://s3.amazonaws.com/doc/2006-03-01/"
                           "\"><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>",
                           &keys, &n, &quiet), S3_OK);
    assert_int_equal(n, 1);
    assert_string_equal(keys[0], "k");
    free_keys(keys, n);
}

static void test_parse_delete_rejects(void **state)
{
    static const struct {
        const char *body;
        enum s3_err want;
    } cases[] = {
        {"", S3_ERR_MALFORMED_XML},
        {"<Delete></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Quiet>true</Quiet></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key></Key></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a<b/></Key></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key><Bogus/></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key></Object><Quiet>yes</Quiet></Delete>",
         S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key></Object>text</Delete>", S3_ERR_MALFORMED_XML},
        {"<Remove><Object><Key>a</Key></Object></Remove>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key></Object>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key><VersionId>v1</VersionId><VersionId>v2</VersionId>"
         "</Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>a</Key><ETag>x</ETag></Object></Delete>",
         S3_ERR_NOT_IMPLEMENTED},
        {"<!DOCTYPE Delete [<!ENTITY k \"secret\">]><Delete><Object><Key>&k;</Key></Object>"
         "</Delete>", S3_ERR_MALFORMED_XML},
        {"<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
         "<Delete><Object><Key>&xxe;</Key></Object></Delete>", S3_ERR_MALFORMED_XML},
        {"<Delete><Object><Key>&undeclared;</Key></Object></Delete>", S3_ERR_MALFORMED_XML},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char **keys = (char **)&cases; /* must be reset */
        size_t n = 99;
        bool quiet = true;
        enum s3_err err = parse(cases[i].body, &keys, &n, &quiet);
        if (err != cases[i].want)
            print_error("case %zu: got %d\n", i, err);
        assert_int_equal(err, cases[i].want);
        assert_null(keys);
        assert_int_equal(n, 0);
    }
}

static char *delete_body_with(size_t n_objects)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<Delete>");
    for (size_t i = 0; i < n_objects; i++)
        strbuf_printf(&sb, "<Object><Key>k%zu</Key></Object>", i);
    strbuf_puts(&sb, "</Delete>");
    assert_false(strbuf_failed(&sb));
    return strbuf_detach(&sb, NULL);
}

static void test_parse_delete_limits(void **state)
{
    char **keys;
    size_t n;
    bool quiet;
    char *body = delete_body_with(1000);
    assert_int_equal(parse(body, &keys, &n, &quiet), S3_OK);
    assert_int_equal(n, 1000);
    assert_string_equal(keys[999], "k999");
    free_keys(keys, n);
    free(body);
    body = delete_body_with(1001);
    assert_int_equal(parse(body, &keys, &n, &quiet), S3_ERR_MALFORMED_XML);
    assert_null(keys);
    free(body);
}

static void test_billion_laughs_does_not_expand(void **state)
{
    const char *bomb =
        "<?xml version=\"1.0\"?><!DOCTYPE Delete [<!ENTITY lol \"lol\">"
        "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
        "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
        "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
        "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
        "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
        "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
        "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">"
        "]><Delete><Object><Key>&lol9;</Key></Object></Delete>";
    clock_t start = clock();
    char **keys;
    size_t n;
    bool quiet;
    assert_int_equal(parse(bomb, &keys, &n, &quiet), S3_ERR_MALFORMED_XML);
    assert_true((double)(clock() - start) / CLOCKS_PER_SEC < 1.0);
}

static void test_deeply_nested_input(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "<Delete><Object><Key>");
    for (int i = 0; i < 100000; i++)
        strbuf_puts(&sb, "<a>");
    assert_false(strbuf_failed(&sb));
    char **keys;
    size_t n;
    bool quiet;
    assert_int_equal(parse(sb.data, &keys, &n, &quiet),
                     S3_ERR_MALFORMED_XML);
    strbuf_free(&sb);
}

static void test_delete_result(void **state)
{
    struct s3_delete_result res[3] = {
        {.key = "a", .err = S3_OK},
        {.key = "b&c", .err = S3_ERR_ACCESS_DENIED},
        {.key = "d", .err = S3_OK},
    };
    struct strbuf sb;
    strbuf_init(&sb);
    s3_delete_result_xml(&sb, res, 3, false);
    assert_string_equal(sb.data,
        DECL "<DeleteResult " NS "><Deleted><Key>a</Key></Deleted>"
        "<Error><Key>b&amp;c</Key><Code>AccessDenied</Code><Message>Access Denied</Message>"
        "</Error><Deleted><Key>d</Key></Deleted></DeleteResult>");
    strbuf_reset(&sb);
    s3_delete_result_xml(&sb, res, 3, true);
    assert_string_equal(sb.data,
        DECL "<DeleteResult " NS "><Error><Key>b&amp;c</Key><Code>AccessDenied</Code>"
        "<Message>Access Denied</Message></Error></DeleteResult>");
    /* versions: a delete marker made, a version removed, a version refused */
    struct s3_delete_result versioned[3] = {
        {.key = "m", .err = S3_OK, .delete_marker = true, .delete_marker_version_id = "V1"},
        {.key = "v", .version_id = "V2", .err = S3_OK},
        {.key = "l", .version_id = "V3", .err = S3_ERR_ACCESS_DENIED},
    };
    strbuf_reset(&sb);
    s3_delete_result_xml(&sb, versioned, 3, false);
    assert_string_equal(sb.data,
        DECL "<DeleteResult " NS "><Deleted><Key>m</Key><DeleteMarker>true</DeleteMarker>"
        "<DeleteMarkerVersionId>V1</DeleteMarkerVersionId></Deleted>"
        "<Deleted><Key>v</Key><VersionId>V2</VersionId></Deleted>"
        "<Error><Key>l</Key><VersionId>V3</VersionId><Code>AccessDenied</Code>"
        "<Message>Access Denied</Message></Error></DeleteResult>");
    strbuf_free(&sb);
}

static void test_object_part(void **state)
{
    struct s3_object o = {.part_checksums = "5242880 CRC32 AAAAAA==\n0\n7 CRC32 AQIDBA==\n"};
    int64_t first, size;
    char alg[12], sum[64];
    assert_true(s3_object_part(&o, 1, &first, &size, alg, sum));
    assert_int_equal(first, 0);
    assert_int_equal(size, 5242880);
    assert_string_equal(alg, "CRC32");
    assert_string_equal(sum, "AAAAAA==");
    assert_true(s3_object_part(&o, 2, &first, &size, alg, sum));
    assert_int_equal(first, 5242880);
    assert_int_equal(size, 0);
    assert_string_equal(alg, "");
    assert_true(s3_object_part(&o, 3, &first, &size, alg, sum));
    assert_int_equal(first, 5242880);
    assert_int_equal(size, 7);
    assert_string_equal(sum, "AQIDBA==");
    assert_false(s3_object_part(&o, 4, &first, &size, alg, sum));
    assert_false(s3_object_part(&o, 0, &first, &size, alg, sum));
    struct s3_object plain = {0};
    assert_false(s3_object_part(&plain, 1, &first, &size, alg, sum));
}

static void test_copy_object_result(void **state)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_copy_object_result_xml(&sb, "9b2cf535f27731c974343645a3985328", 1255369830123LL, NULL, NULL, NULL);
    assert_string_equal(sb.data,
        DECL "<CopyObjectResult " NS "><LastModified>2009-10-12T17:50:30.123Z</LastModified>"
        "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>");
    strbuf_free(&sb);
}

static int free_parsed_versions(void **state)
{
    (void)state;
    free_keys(parsed_versions, n_parsed_versions);
    parsed_versions = NULL;
    n_parsed_versions = 0;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_delete),
        cmocka_unit_test(test_parse_delete_rejects),
        cmocka_unit_test(test_parse_delete_limits),
        cmocka_unit_test(test_billion_laughs_does_not_expand),
        cmocka_unit_test(test_deeply_nested_input),
        cmocka_unit_test(test_delete_result),
        cmocka_unit_test(test_object_part),
        cmocka_unit_test(test_copy_object_result),
    };
    return cmocka_run_group_tests(tests, NULL, free_parsed_versions);
}
