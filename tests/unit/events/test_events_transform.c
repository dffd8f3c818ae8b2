/* Unit tests for protocol/events transform.c: InputPath (dots, indexes,
 * bracketed names, wildcards, nothing selected), InputTransformer (the
 * documented examples, placeholders as JSON values and inside strings,
 * text templates, predefined variables, missing paths, minified output,
 * broken JSON passed through), the PutTargets refusals, and Scheduler's
 * context attributes. Written with ' for " where JSON is involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/events/transform.h"

static char *quotes(const char *s)
{
    char *out = strdup(s);
    assert_non_null(out);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static const char ec2_event[] =
    "{'version':'0','id':'7bf73129-1428-4cd3-a780-95db273d1602','detail-type':'EC2 Instance State-change "
    "Notification','source':'aws.ec2','account':'123456789012','time':'2015-11-11T21:29:54Z','region':'us-east-1',"
    "'resources':['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],'detail':{'instance-id':'i-0123456789',"
    "'state':'RUNNING','count':3,'tags':[{'k':'a','v':1},{'k':'b','v':2}],'odd.key':'dot'}}";

static const struct json_value *parse(const char *text_with_quotes)
{
    char *text = quotes(text_with_quotes);
    const struct json_value *v = json_parse(text, strlen(text), NULL);
    assert_non_null(v);
    free(text);
    return v;
}

static void test_input_path(void **state)
{
    (void)state;
    const struct json_value *event = parse(ec2_event);
    static const struct {
        const char *path;
        const char *out;           /* NULL: nothing selected */
    } cases[] = {
        {"$.detail.state", "'RUNNING'"},
        {"$.detail.count", "3"},
        {"$.detail.instance-id", "'i-0123456789'"},
        {"$.resources[0]", "'arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'"},
        {"$.detail.tags[1].v", "2"},
        {"$.detail.tags[1]", "{'k':'b','v':2}"},
        {"$['detail']['state']", "'RUNNING'"},
        {"$.detail['odd.key']", "'dot'"},
        {"$.detail.tags[*].k", "['a','b']"},
        {"$.detail.tags.*.v", "[1,2]"},
        {"$.detail.missing[*]", "[]"},
        {"$.detail", "{'instance-id':'i-0123456789','state':'RUNNING','count':3,'tags':[{'k':'a','v':1},{'k':'b','v':2}],"
                     "'odd.key':'dot'}"},
        {"$.detail.missing", NULL},
        {"$.resources[1]", NULL},
        {"$.detail.state.deeper", NULL},
        {"detail.state", NULL},
        {"$.", NULL},
        {"$.detail[", NULL},
        {"$.detail[x]", NULL},
        {"$..state", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct strbuf out;
        strbuf_init(&out);
        enum events_input_result r = events_input_path(cases[i].path, strlen(cases[i].path), event, &out);
        if (!cases[i].out) {
            if (r != EVENTS_INPUT_NOTHING)
                fail_msg("case %zu: %s selected %s", i, cases[i].path, out.data ? out.data : "");
        } else {
            char *want = quotes(cases[i].out);
            if (r != EVENTS_INPUT_OK || strcmp(out.data, want) != 0)
                fail_msg("case %zu: %s gave %s, want %s", i, cases[i].path, out.data ? out.data : "-", want);
            free(want);
        }
        strbuf_free(&out);
    }
    struct strbuf whole;
    strbuf_init(&whole);
    assert_int_equal(events_input_path("$", 1, event, &whole), EVENTS_INPUT_OK);
    assert_non_null(strstr(whole.data, "\"detail-type\":\"EC2 Instance State-change Notification\""));
    strbuf_free(&whole);
    json_free(event);
}

struct transform_case {
    const char *paths;             /* InputPathsMap as JSON, or NULL */
    const char *template_text;     /* as stored, ' for " */
    const char *out;
};

static void test_transformer(void **state)
{
    (void)state;
    const struct json_value *event = parse(ec2_event);
    char *event_json = quotes(ec2_event);
    struct events_delivery d = {
        .event = event,
        .event_json = event_json,
        .event_json_len = strlen(event_json),
        .rule_arn = "arn:aws:events:us-east-2:123456789012:rule/example",
        .rule_name = "example",
        .ingestion_time = "2015-11-11T21:29:55Z",
    };
    static const char paths[] = "{'instance':'$.detail.instance-id','state':'$.detail.state','timestamp':'$.time',"
                                "'count':'$.detail.count','tags':'$.detail.tags','keys':'$.detail.tags[*].k',"
                                "'missing':'$.detail.nothing','broken':'no path'}";
    static const struct transform_case cases[] = {
        /* the documented examples */
        {paths, "'instance <instance> is in <state>'", "instance i-0123456789 is in RUNNING"},
        {paths, "'instance \\'<instance>\\' is in <state>'", "instance \\'i-0123456789\\' is in RUNNING"},
        {paths, "{\n  'instance' : <instance>,\n  'state': <state>\n}", "{'instance':'i-0123456789','state':'RUNNING'}"},
        {paths, "{'instance' : <instance>, 'state': '<state>', 'instanceStatus': 'instance \\'<instance>\\' is in <state>'}",
         "{'instance':'i-0123456789','state':'RUNNING','instanceStatus':'instance \\'i-0123456789\\' is in RUNNING'}"},
        {paths, "{'instance' : <instance>, 'state': [ 9, <state>, true ], 'Transformed' : 'Yes'}",
         "{'instance':'i-0123456789','state':[9,'RUNNING',true],'Transformed':'Yes'}"},
        {paths, "{'ruleArn' : <aws.events.rule-arn>, 'ruleName' : <aws.events.rule-name>}",
         "{'ruleArn':'arn:aws:events:us-east-2:123456789012:rule/example','ruleName':'example'}"},
        {paths, "'<aws.events.rule-name> triggered'", "example triggered"},
        /* non-strings keep their JSON, in a string too */
        {paths, "{'n': <count>, 's': 'n=<count>', 't': <tags>}",
         "{'n':3,'s':'n=3','t':[{'k':'a','v':1},{'k':'b','v':2}]}"},
        {paths, "{'keys': <keys>}", "{'keys':['a','b']}"},
        /* nothing selected: the empty string */
        {paths, "{'m': <missing>, 'in': 'x<missing>y'}", "{'m':'','in':'xy'}"},
        {paths, "{'b': <broken>}", "{'b':''}"},
        {paths, "'[<missing>]'", "[]"},
        /* a text template needs no quotes */
        {paths, "EC2 instance <instance> is <state>", "EC2 instance i-0123456789 is RUNNING"},
        {NULL, "just text", "just text"},
        {NULL, "{'constant': true}", "{'constant':true}"},
        /* predefined events */
        {NULL, "{'t': <aws.events.event.ingestion-time>, 'in': '<aws.events.event.ingestion-time>!'}",
         "{'t':'2015-11-11T21:29:55Z','in':'2015-11-11T21:29:55Z!'}"},
        {NULL, "[<aws.events.rule-name>, 1]", "['example',1]"},
        /* unescaped insertions that break JSON are sent as they are */
        {"{'q':'$.detail.quoted'}", "{'m': 'say <q>'}", "{'m': 'say he said 'hi''}"},
        /* unknown placeholders stay text */
        {NULL, "a <b> c", "a <b> c"},
        {NULL, "a <> c", "a <> c"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct json_value *map = cases[i].paths ? parse(cases[i].paths) : NULL;
        char *t = quotes(cases[i].template_text);
        char *want = quotes(cases[i].out);
        const struct json_value *with_quote = parse("{'detail':{'quoted':'he said \\'hi\\''}}");
        struct events_delivery dd = d;
        if (strstr(t, "<q>"))
            dd.event = with_quote;
        struct strbuf out;
        strbuf_init(&out);
        enum events_input_result r = events_input_transform(map, t, strlen(t), &dd, &out);
        if (r != EVENTS_INPUT_OK || strcmp(out.data ? out.data : "", want) != 0)
            fail_msg("case %zu: %s gave %s, want %s", i, t, out.data ? out.data : "-", want);
        strbuf_free(&out);
        json_free(with_quote);
        free(t);
        free(want);
        if (map)
            json_free(map);
    }

    /* the whole event, and the event without its detail */
    struct strbuf out;
    strbuf_init(&out);
    const char *t = "{\"e\": <aws.events.event>}";
    assert_int_equal(events_input_transform(NULL, t, strlen(t), &d, &out), EVENTS_INPUT_OK);
    assert_non_null(strstr(out.data, "\"detailType\":\"EC2 Instance State-change Notification\""));
    assert_null(strstr(out.data, "detail\""));
    assert_null(strstr(out.data, "RUNNING"));
    strbuf_reset(&out);
    t = "{\"e\": <aws.events.event.json>}";
    assert_int_equal(events_input_transform(NULL, t, strlen(t), &d, &out), EVENTS_INPUT_OK);
    assert_non_null(strstr(out.data, "\"detail-type\":\"EC2 Instance State-change Notification\""));
    assert_non_null(strstr(out.data, "RUNNING"));
    strbuf_free(&out);
    free(event_json);
    json_free(event);
}

static void test_put_targets_checks(void **state)
{
    (void)state;
    struct strbuf m;
    strbuf_init(&m);
    assert_true(events_target_check_input_kinds(true, false, false, "t1", &m));
    assert_true(events_target_check_input_kinds(false, false, false, "t1", &m));
    assert_false(events_target_check_input_kinds(true, true, false, "t1", &m));
    assert_string_equal(m.data, "Only one of Input, InputPath, or InputTransformer must be provided for target t1.");
    strbuf_reset(&m);
    assert_true(events_target_check_input("{\"a\":1}", 7, "t1", &m));
    assert_true(events_target_check_input("\"text\"", 6, "t1", &m));
    assert_false(events_target_check_input("text", 4, "LogGroupTarget", &m));
    assert_string_equal(m.data, "Input for target LogGroupTarget is not a valid JSON text.");
    strbuf_reset(&m);
    const struct json_value *map = parse("{'instance':'$.detail.instance-id'}");
    const char *ok = "{\"i\": <instance>, \"r\": <aws.events.rule-arn>, \"e\": <aws.events.event>}";
    assert_true(events_target_check_transformer(map, ok, strlen(ok), "t1", &m));
    const char *bad = "\"<instance> is in <state>\"";
    assert_false(events_target_check_transformer(map, bad, strlen(bad), "t1", &m));
    assert_string_equal(m.data, "InputTemplate for target t1 contains invalid placeholder state.");
    strbuf_reset(&m);
    const char *html = "<b>bold</b>";
    assert_false(events_target_check_transformer(NULL, html, strlen(html), "t2", &m));
    assert_string_equal(m.data, "InputTemplate for target t2 contains invalid placeholder b.");
    json_free(map);
    strbuf_free(&m);
}

static void test_scheduler_input(void **state)
{
    (void)state;
    struct events_scheduler_context c = {
        .schedule_arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/s",
        .scheduled_time = "2022-03-22T18:59:43Z",
        .execution_id = "d32c5kddcf5bb8c3",
        .attempt_number = 2,
    };
    const char *input = "{\"MessageBody\":\"<aws.scheduler.scheduled-time>\",\"a\":<aws.scheduler.attempt-number>,"
                        "\"id\":\"<aws.scheduler.execution-id>\",\"arn\":\"<aws.scheduler.schedule-arn>\","
                        "\"other\":\"<aws.events.rule-arn> <x> <\"}";
    struct strbuf out;
    strbuf_init(&out);
    events_scheduler_input(input, strlen(input), &c, &out);
    assert_string_equal(out.data,
                        "{\"MessageBody\":\"2022-03-22T18:59:43Z\",\"a\":2,\"id\":\"d32c5kddcf5bb8c3\","
                        "\"arn\":\"arn:aws:scheduler:us-east-1:123456789012:schedule/default/s\","
                        "\"other\":\"<aws.events.rule-arn> <x> <\"}");
    strbuf_reset(&out);
    events_scheduler_input("plain text", 10, &c, &out);
    assert_string_equal(out.data, "plain text");
    strbuf_free(&out);
}

/* A path deeper than the step limit selects nothing, whatever its length. */
static void test_bounds(void **state)
{
    (void)state;
    struct strbuf path;
    strbuf_init(&path);
    strbuf_putc(&path, '$');
    for (int i = 0; i < 10000; i++)
        strbuf_puts(&path, "[*]");
    const struct json_value *event = parse("{'a':[[[1]]]}");
    struct strbuf out;
    strbuf_init(&out);
    assert_int_equal(events_input_path(path.data, path.len, event, &out), EVENTS_INPUT_NOTHING);
    json_free(event);
    strbuf_free(&out);
    strbuf_free(&path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_path),
        cmocka_unit_test(test_transformer),
        cmocka_unit_test(test_put_targets_checks),
        cmocka_unit_test(test_scheduler_input),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
