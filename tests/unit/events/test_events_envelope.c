/* Unit tests for protocol/events envelope.c: the PutEvents envelope, the
 * Scheduled Event, S3's Object Created / Object Deleted, PutEvents'
 * request and entry checks with AWS's codes and messages, entry sizes as
 * AWS counts them, and the answer. Written with ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/events/envelope.h"

static char *quotes(const char *s)
{
    char *out = strdup(s);
    assert_non_null(out);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static struct events_text T(const char *s) { return (struct events_text){s, s ? strlen(s) : 0}; }

static void expect(const struct strbuf *out, const char *want_with_quotes)
{
    char *want = quotes(want_with_quotes);
    assert_false(strbuf_failed(out));
    if (strcmp(out->data, want) != 0)
        fail_msg("got  %s\nwant %s", out->data, want);
    free(want);
}

static void test_time(void **state)
{
    (void)state;
    char t[32];
    events_time_format(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00Z");
    events_time_format(1513968228, t);
    assert_string_equal(t, "2017-12-22T18:43:48Z");
}

static void test_put_events_envelope(void **state)
{
    (void)state;
    const char *detail_text = "{\"instance-id\": \"i-1\", \"state\": \"terminated\"}";
    const struct json_value *detail = json_parse(detail_text, strlen(detail_text), NULL);
    struct events_text resources[] = {T("arn:aws:ec2:us-west-1:123456789012:instance/i-1")};
    struct events_envelope e = {
        .id = T("6a7e8feb-b491-4cf7-a9f1-bf3703467718"),
        .detail_type = T("EC2 Instance State-change Notification"),
        .source = T("aws.ec2"),
        .account = T("111122223333"),
        .region = T("us-west-1"),
        .time = 1513968228,
        .resources = resources,
        .n_resources = 1,
        .detail = detail,
    };
    struct strbuf out;
    strbuf_init(&out);
    events_envelope_write(&out, &e);
    expect(&out, "{'version':'0','id':'6a7e8feb-b491-4cf7-a9f1-bf3703467718','detail-type':'EC2 Instance State-change "
                 "Notification','source':'aws.ec2','account':'111122223333','time':'2017-12-22T18:43:48Z',"
                 "'region':'us-west-1','resources':['arn:aws:ec2:us-west-1:123456789012:instance/i-1'],"
                 "'detail':{'instance-id':'i-1','state':'terminated'}}");
    /* strings are escaped, and no resources is an empty list */
    strbuf_reset(&out);
    e.detail_type = T("quote \" and \\ and \n");
    e.n_resources = 0;
    e.detail = NULL;
    events_envelope_write(&out, &e);
    assert_non_null(strstr(out.data, "\"detail-type\":\"quote \\\" and \\\\ and \\n\""));
    assert_non_null(strstr(out.data, "\"resources\":[],\"detail\":{}}"));
    strbuf_free(&out);
    json_free(detail);
}

static void test_scheduled_event(void **state)
{
    (void)state;
    struct strbuf out;
    strbuf_init(&out);
    events_scheduled_event_write(&out, T("89d1a02d-5ec7-412e-82f5-13505f849b41"), T("123456789012"), T("us-east-1"),
                                 1450345200, T("arn:aws:events:us-east-1:123456789012:rule/SampleRule"));
    expect(&out, "{'version':'0','id':'89d1a02d-5ec7-412e-82f5-13505f849b41','detail-type':'Scheduled Event',"
                 "'source':'aws.events','account':'123456789012','time':'2015-12-17T09:40:00Z','region':'us-east-1',"
                 "'resources':['arn:aws:events:us-east-1:123456789012:rule/SampleRule'],'detail':{}}");
    strbuf_free(&out);
}

static void test_s3(void **state)
{
    (void)state;
    const char *detail_type, *reason, *deletion;
    assert_true(events_s3_event_kind("ObjectCreated:Put", &detail_type, &reason, &deletion));
    assert_string_equal(detail_type, "Object Created");
    assert_string_equal(reason, "PutObject");
    assert_null(deletion);
    assert_true(events_s3_event_kind("ObjectCreated:Post", &detail_type, &reason, &deletion));
    assert_string_equal(reason, "POST Object");
    assert_true(events_s3_event_kind("ObjectCreated:CompleteMultipartUpload", &detail_type, &reason, &deletion));
    assert_string_equal(reason, "CompleteMultipartUpload");
    assert_true(events_s3_event_kind("ObjectRemoved:DeleteMarkerCreated", &detail_type, &reason, &deletion));
    assert_string_equal(detail_type, "Object Deleted");
    assert_string_equal(reason, "DeleteObject");
    assert_string_equal(deletion, "Delete Marker Created");
    assert_true(events_s3_event_kind("LifecycleExpiration:Delete", &detail_type, &reason, &deletion));
    assert_string_equal(reason, "Lifecycle Expiration");
    assert_string_equal(deletion, "Permanently Deleted");
    assert_false(events_s3_event_kind("ObjectRestore:Post", &detail_type, &reason, &deletion));

    struct events_s3_object created = {
        .id = T("17793124-05d4-b198-2fde-7ededc63b103"),
        .account = T("111122223333"),
        .region = T("ca-central-1"),
        .time = 1636675200,
        .detail_type = "Object Created",
        .bucket = T("amzn-s3-demo-bucket1"),
        .key = T("example-key"),
        .size = 5,
        .etag = T("b1946ac92492d2347c6235b4d2611184"),
        .version_id = T("IYV3p45BT0ac8hjHg1houSdS1a.Mro8e"),
        .sequencer = T("617f08299329d189"),
        .request_id = T("N4N7GDK58NMKJ12R"),
        .requester = T("123456789012"),
        .source_ip = T("1.2.3.4"),
        .reason = "PutObject",
    };
    struct strbuf out;
    strbuf_init(&out);
    events_s3_object_write(&out, &created);
    expect(&out, "{'version':'0','id':'17793124-05d4-b198-2fde-7ededc63b103','detail-type':'Object Created',"
                 "'source':'aws.s3','account':'111122223333','time':'2021-11-12T00:00:00Z','region':'ca-central-1',"
                 "'resources':['arn:aws:s3:::amzn-s3-demo-bucket1'],'detail':{'version':'0','bucket':{'name':"
                 "'amzn-s3-demo-bucket1'},'object':{'key':'example-key','size':5,'etag':"
                 "'b1946ac92492d2347c6235b4d2611184','version-id':'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e','sequencer':"
                 "'617f08299329d189'},'request-id':'N4N7GDK58NMKJ12R','requester':'123456789012',"
                 "'source-ip-address':'1.2.3.4','reason':'PutObject'}}");

    struct events_s3_object expired = created;
    expired.detail_type = "Object Deleted";
    expired.size = -1;
    expired.etag = T(NULL);
    expired.version_id = T(NULL);
    expired.requester = T("s3.amazonaws.com");
    expired.source_ip = T(NULL);
    expired.reason = "Lifecycle Expiration";
    expired.deletion_type = "Delete Marker Created";
    strbuf_reset(&out);
    events_s3_object_write(&out, &expired);
    expect(&out, "{'version':'0','id':'17793124-05d4-b198-2fde-7ededc63b103','detail-type':'Object Deleted',"
                 "'source':'aws.s3','account':'111122223333','time':'2021-11-12T00:00:00Z','region':'ca-central-1',"
                 "'resources':['arn:aws:s3:::amzn-s3-demo-bucket1'],'detail':{'version':'0','bucket':{'name':"
                 "'amzn-s3-demo-bucket1'},'object':{'key':'example-key','sequencer':'617f08299329d189'},"
                 "'request-id':'N4N7GDK58NMKJ12R','requester':'s3.amazonaws.com','reason':'Lifecycle Expiration',"
                 "'deletion-type':'Delete Marker Created'}}");
    strbuf_free(&out);
}

static struct events_put_entry read_entry(const char *json_with_quotes, const struct json_value **keep)
{
    char *text = quotes(json_with_quotes);
    *keep = json_parse(text, strlen(text), NULL);
    assert_non_null(*keep);
    free(text);
    struct events_put_entry e;
    events_put_entry_read(*keep, &e);
    return e;
}

static void test_put_entries(void **state)
{
    (void)state;
    static const struct {
        const char *entry;
        const char *code;          /* NULL: accepted */
        const char *message;
    } cases[] = {
        {"{'Source':'app','DetailType':'t','Detail':'{\\'a\\':1}'}", NULL, NULL},
        {"{'DetailType':'t','Detail':'{}'}", "InvalidArgument",
         "Parameter Source is not valid. Reason: Source is a required argument."},
        {"{'Source':'','DetailType':'t','Detail':'{}'}", "InvalidArgument",
         "Parameter Source is not valid. Reason: Source is a required argument."},
        {"{'Source':'app','Detail':'{}'}", "InvalidArgument",
         "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
        {"{'Source':'app','DetailType':'t'}", "InvalidArgument",
         "Parameter Detail is not valid. Reason: Detail is a required argument."},
        {"{'Source':'app','DetailType':'t','Detail':'detail'}", "MalformedDetail", "Detail is malformed."},
        {"{'Source':'app','DetailType':'t','Detail':'[1]'}", "MalformedDetail", "Detail is malformed."},
        {"{'Source':'app','DetailType':'t','Detail':'{\\'a\\':'}", "MalformedDetail", "Detail is malformed."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct json_value *keep;
        struct events_put_entry e = read_entry(cases[i].entry, &keep);
        const struct json_value *detail;
        const char *code, *message;
        enum events_put_entry_result r = events_put_check_entry(&e, &detail, &code, &message);
        if (!cases[i].code) {
            assert_int_equal(r, EVENTS_PUT_ENTRY_OK);
            assert_non_null(detail);
            json_free(detail);
        } else {
            if (r != EVENTS_PUT_ENTRY_FAILED)
                fail_msg("case %zu accepted", i);
            assert_null(detail);
            assert_string_equal(code, cases[i].code);
            assert_string_equal(message, cases[i].message);
        }
        json_free(keep);
    }
}

static void test_put_request(void **state)
{
    (void)state;
    const struct json_value *keep;
    struct events_put_entry e = read_entry(
        "{'Source':'app','DetailType':'type','Detail':'{}','Time':1700000000.75,'Resources':['r1','r22'],"
        "'EventBusName':'bus','TraceHeader':'Root=1'}",
        &keep);
    assert_true(e.has_time);
    assert_int_equal(e.time, 1700000000);
    assert_string_equal(e.event_bus_name.s, "bus");
    assert_string_equal(e.trace_header.s, "Root=1");
    assert_int_equal(events_put_entry_size(&e), 14 + 3 + 4 + 2 + 2 + 3);

    struct strbuf m;
    strbuf_init(&m);
    struct events_put_entry entries[11];
    for (int i = 0; i < 11; i++)
        entries[i] = e;
    assert_true(events_put_check_request(entries, 1, &m));
    assert_true(events_put_check_request(entries, 10, &m));
    assert_false(events_put_check_request(entries, 11, &m));
    assert_string_equal(m.data, "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member "
                                "must have length less than or equal to 10");
    strbuf_reset(&m);
    assert_false(events_put_check_request(entries, 0, &m));
    assert_string_equal(m.data, "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member "
                                "must have length greater than or equal to 1");
    strbuf_reset(&m);

    /* 256 KB in all: exactly at the limit passes, one byte more does not */
    size_t detail_len = EVENTS_PUT_MAX_BYTES - (3 + 4);
    char *big = malloc(detail_len);
    assert_non_null(big);
    memset(big, ' ', detail_len);
    big[0] = '{';
    big[detail_len - 1] = '}';
    struct events_put_entry large = {.source = {"app", 3}, .detail_type = {"type", 4}, .detail = {big, detail_len}};
    assert_int_equal(events_put_entry_size(&large), EVENTS_PUT_MAX_BYTES);
    assert_true(events_put_check_request(&large, 1, &m));
    large.detail.len++;
    assert_false(events_put_check_request(&large, 1, &m));
    assert_string_equal(m.data, "Total size of the entries in the request is over the limit.");
    free(big);
    strbuf_free(&m);
    json_free(keep);

    struct events_put_entry none;
    const struct json_value *empty = json_parse("{\"Time\":\"x\",\"Resources\":\"r\"}", 29, NULL);
    events_put_entry_read(empty, &none);
    assert_false(none.has_time);
    assert_null(none.resources);
    assert_null(none.source.s);
    json_free(empty);
}

static void test_put_response(void **state)
{
    (void)state;
    struct events_put_result results[] = {
        {.event_id = T("11710aed-b79e-4468-a20b-bb3c0c3b4860")},
        {.error_code = "MalformedDetail", .error_message = "Detail is malformed."},
    };
    struct strbuf out;
    strbuf_init(&out);
    events_put_response_write(&out, results, 2);
    expect(&out, "{'FailedEntryCount':1,'Entries':[{'EventId':'11710aed-b79e-4468-a20b-bb3c0c3b4860'},"
                 "{'ErrorCode':'MalformedDetail','ErrorMessage':'Detail is malformed.'}]}");
    strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_put_events_envelope),
        cmocka_unit_test(test_scheduled_event),
        cmocka_unit_test(test_s3),
        cmocka_unit_test(test_put_entries),
        cmocka_unit_test(test_put_request),
        cmocka_unit_test(test_put_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
