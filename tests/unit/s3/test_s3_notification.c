/* Unit tests for protocol/s3 notification.c: the NotificationConfiguration
 * parser and its AWS checks (unknown events, filter rules, overlap), the XML
 * answer, key encoding in event messages (spaces, reserved characters,
 * UTF-8), and the event and s3:TestEvent JSON byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/s3/notification.h"

static enum s3_err parse(const char *xml, struct s3_notify_config *c, const char **message)
{
    const char *name, *value;
    return s3_notify_config_parse(xml, strlen(xml), c, message, &name, &value);
}

static char *encode(const char *key)
{
    struct strbuf sb;
    strbuf_init(&sb);
    s3_event_key_encode(&sb, key);
    strbuf_putc(&sb, '\0');
    assert_false(strbuf_failed(&sb));
    return sb.data;
}

static void test_key_encoding(void **state)
{
    (void)state;
    const struct {
        const char *key, *want;
    } cases[] = {
        {"plain.txt", "plain.txt"},
        {"red flower.jpg", "red+flower.jpg"},
        {"dir/sub/file-1_2.*", "dir/sub/file-1_2.*"},
        {"a+b=c&d?", "a%2Bb%3Dc%26d%3F"},
        {"x~y(1)!'", "x%7Ey%281%29%21%27"},
        {"\xc3\xa9t\xc3\xa9", "%C3%A9t%C3%A9"},
        {"\xe6\x97\xa5 %", "%E6%97%A5+%25"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *got = encode(cases[i].key);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_parse_and_write_back(void **state)
{
    (void)state;
    const char *xml =
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
        "<Event>s3:ObjectCreated:*</Event><Event>s3:ObjectTagging:Put</Event>"
        "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule>"
        "<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>"
        "</QueueConfiguration>"
        "<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>"
        "<Event>s3:ObjectRemoved:Delete</Event></TopicConfiguration>"
        "<EventBridgeConfiguration/></NotificationConfiguration>";
    struct s3_notify_config c;
    const char *message = NULL;
    assert_int_equal(parse(xml, &c, &message), S3_OK);
    assert_int_equal(c.n_rules, 2);
    assert_true(c.eventbridge);
    assert_int_equal(c.rules[0].dest, S3_NOTIFY_QUEUE);
    assert_string_equal(c.rules[0].id, "q");
    assert_int_equal(c.rules[0].n_events, 2);
    assert_string_equal(c.rules[0].prefix, "in/");
    assert_string_equal(c.rules[0].suffix, ".jpg");
    assert_int_equal(c.rules[1].dest, S3_NOTIFY_TOPIC);
    assert_null(c.rules[1].id);
    assert_true(s3_notify_config_unambiguous(&c, &message));
    struct strbuf out;
    strbuf_init(&out);
    s3_notify_config_xml(&out, &c);
    strbuf_putc(&out, '\0');
    assert_string_equal(
        out.data,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<TopicConfiguration><Topic>arn:aws:sns:us-east-1:000000000000:t</Topic>"
        "<Event>s3:ObjectRemoved:Delete</Event></TopicConfiguration>"
        "<QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue>"
        "<Event>s3:ObjectCreated:*</Event><Event>s3:ObjectTagging:Put</Event>"
        "<Filter><S3Key><FilterRule><Name>Prefix</Name><Value>in/</Value></FilterRule>"
        "<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule></S3Key></Filter>"
        "</QueueConfiguration><EventBridgeConfiguration></EventBridgeConfiguration>"
        "</NotificationConfiguration>");
    strbuf_free(&out);
    s3_notify_config_free(&c);
}

static void test_invalid_documents(void **state)
{
    (void)state;
    const struct {
        const char *xml;
        enum s3_err want;
        const char *message;
    } cases[] = {
        {"<NotificationConfiguration><QueueConfiguration><Queue>a</Queue><Event>s3:Nope</Event>"
         "</QueueConfiguration></NotificationConfiguration>",
         S3_ERR_INVALID_ARGUMENT, "The event is not supported for notifications"},
        {"<NotificationConfiguration><QueueConfiguration><Queue>a</Queue><Event>s3:ObjectCreated:*</Event>"
         "<Filter><S3Key><FilterRule><Name>middle</Name><Value>x</Value></FilterRule></S3Key></Filter>"
         "</QueueConfiguration></NotificationConfiguration>",
         S3_ERR_INVALID_ARGUMENT, "filter rule name must be either prefix or suffix"},
        {"<NotificationConfiguration><QueueConfiguration><Queue>a</Queue><Event>s3:ObjectCreated:*</Event>"
         "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>x</Value></FilterRule>"
         "<FilterRule><Name>prefix</Name><Value>y</Value></FilterRule></S3Key></Filter>"
         "</QueueConfiguration></NotificationConfiguration>",
         S3_ERR_INVALID_ARGUMENT, "Cannot specify more than one prefix rule in a filter."},
        {"<NotificationConfiguration><QueueConfiguration><Event>s3:ObjectCreated:*</Event>"
         "</QueueConfiguration></NotificationConfiguration>", S3_ERR_MALFORMED_XML, NULL},
        {"<NotificationConfiguration><QueueConfiguration><Queue>a</Queue></QueueConfiguration>"
         "</NotificationConfiguration>", S3_ERR_MALFORMED_XML, NULL},
        {"<NotificationConfiguration><Other/></NotificationConfiguration>", S3_ERR_MALFORMED_XML, NULL},
        {"<Wrong/>", S3_ERR_MALFORMED_XML, NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct s3_notify_config c;
        const char *message = NULL;
        assert_int_equal(parse(cases[i].xml, &c, &message), cases[i].want);
        if (cases[i].message)
            assert_string_equal(message, cases[i].message);
        s3_notify_config_free(&c);
    }
}

static bool ambiguous(const char *e1, const char *p1, const char *s1, const char *e2,
                      const char *p2, const char *s2)
{
    char *ev1 = strdup(e1), *ev2 = strdup(e2);
    struct s3_notify_rule rules[2] = {
        {.dest = S3_NOTIFY_QUEUE, .events = &ev1, .n_events = 1, .prefix = (char *)p1, .suffix = (char *)s1},
        {.dest = S3_NOTIFY_QUEUE, .events = &ev2, .n_events = 1, .prefix = (char *)p2, .suffix = (char *)s2},
    };
    struct s3_notify_config c = {.rules = rules, .n_rules = 2};
    const char *message = NULL;
    bool ok = s3_notify_config_unambiguous(&c, &message);
    free(ev1);
    free(ev2);
    return !ok;
}

static void test_overlap(void **state)
{
    (void)state;
    assert_true(ambiguous("s3:ObjectCreated:*", NULL, NULL, "s3:ObjectCreated:Put", NULL, NULL));
    assert_true(ambiguous("s3:ObjectCreated:Put", "a/", NULL, "s3:ObjectCreated:Put", "a/b", NULL));
    assert_true(ambiguous("s3:ObjectCreated:Put", "a/", ".jpg", "s3:ObjectCreated:Put", NULL, "g"));
    assert_false(ambiguous("s3:ObjectCreated:Put", "a/", NULL, "s3:ObjectCreated:Put", "b/", NULL));
    assert_false(ambiguous("s3:ObjectCreated:*", NULL, NULL, "s3:ObjectRemoved:*", NULL, NULL));
    assert_false(ambiguous("s3:ObjectCreated:Put", NULL, ".jpg", "s3:ObjectCreated:Put", NULL, ".png"));
    assert_false(ambiguous("s3:ObjectCreated:Copy", NULL, NULL, "s3:ObjectCreated:Put", NULL, NULL));
}

static void test_event_json(void **state)
{
    (void)state;
    struct s3_event ev = {
        .config_id = "cfg", .event_name = "ObjectCreated:Put", .bucket = "bkt",
        .key = "a b/c", .size = 42, .etag = "0123", .version_id = "v1",
        .sequencer = "00AB", .event_ms = 1000, .region = "us-east-1", .request_id = "RID",
        .host_id = "HID", .source_ip = "127.0.0.1", .principal = "AWS:000000000000",
        .owner = "000000000000"};
    struct strbuf out;
    strbuf_init(&out);
    s3_event_json(&out, &ev);
    strbuf_putc(&out, '\0');
    assert_string_equal(
        out.data,
        "{\"Records\":[{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":\"us-east-1\","
        "\"eventTime\":\"1970-01-01T00:00:01.000Z\",\"eventName\":\"ObjectCreated:Put\","
        "\"userIdentity\":{\"principalId\":\"AWS:000000000000\"},"
        "\"requestParameters\":{\"sourceIPAddress\":\"127.0.0.1\"},"
        "\"responseElements\":{\"x-amz-request-id\":\"RID\",\"x-amz-id-2\":\"HID\"},"
        "\"s3\":{\"s3SchemaVersion\":\"1.0\",\"configurationId\":\"cfg\","
        "\"bucket\":{\"name\":\"bkt\",\"ownerIdentity\":{\"principalId\":\"000000000000\"},"
        "\"arn\":\"arn:aws:s3:::bkt\"},"
        "\"object\":{\"key\":\"a+b/c\",\"size\":42,\"eTag\":\"0123\",\"versionId\":\"v1\","
        "\"sequencer\":\"00AB\"}}}]}");
    strbuf_free(&out);

    struct s3_event del = ev;
    del.event_name = "ObjectTagging:Delete";
    del.size = -1;
    del.etag = NULL;
    del.version_id = NULL;
    del.key = "q\"uote";
    strbuf_init(&out);
    s3_event_json(&out, &del);
    strbuf_putc(&out, '\0');
    assert_non_null(strstr(out.data, "\"eventVersion\":\"2.3\""));
    assert_non_null(strstr(out.data, "\"object\":{\"key\":\"q%22uote\",\"sequencer\":\"00AB\"}"));
    strbuf_free(&out);
}

static void test_test_event_json(void **state)
{
    (void)state;
    struct strbuf out;
    strbuf_init(&out);
    s3_test_event_json(&out, "bkt", 1500, "RID", "HID");
    strbuf_putc(&out, '\0');
    assert_string_equal(out.data,
                        "{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\","
                        "\"Time\":\"1970-01-01T00:00:01.500Z\",\"Bucket\":\"bkt\","
                        "\"RequestId\":\"RID\",\"HostId\":\"HID\"}");
    strbuf_free(&out);
}

static void test_event_stem(void **state)
{
    (void)state;
    assert_string_equal(s3_notify_event_stem("s3:ObjectCreated:*"), "ObjectCreated:*");
    assert_string_equal(s3_notify_event_stem("ObjectCreated:Put"), "ObjectCreated:Put");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_encoding),
        cmocka_unit_test(test_parse_and_write_back),
        cmocka_unit_test(test_invalid_documents),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_event_json),
        cmocka_unit_test(test_test_event_json),
        cmocka_unit_test(test_event_stem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
