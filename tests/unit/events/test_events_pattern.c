/* Unit tests for protocol/events pattern.c and pattern_values.c: every
 * operator of the event pattern language with events that match and
 * events that do not, "$or", event arrays (one element must carry all of
 * an object's fields), dotted keys, every refusal with ruler's reason,
 * wildcard complexity, and inputs that must stay linear.
 *
 * Patterns and events are written with ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/events/pattern.h"
#include "protocol/events/pattern_values.h"

/* The text with every ' turned into ". */
static char *quotes(const char *s)
{
    char *out = strdup(s);
    assert_non_null(out);
    for (char *p = out; *p; p++)
        if (*p == '\'')
            *p = '"';
    return out;
}

static struct events_pattern *compile_ok(const char *pattern)
{
    char *text = quotes(pattern);
    struct strbuf message;
    strbuf_init(&message);
    struct events_pattern *p;
    if (events_pattern_compile(text, strlen(text), &p, &message) != EVENTS_PATTERN_OK)
        fail_msg("%s did not compile: %s", text, message.data ? message.data : "-");
    strbuf_free(&message);
    free(text);
    return p;
}

struct match_case {
    const char *pattern;
    const char *event;
    bool matches;
};

static void run_cases(const struct match_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct events_pattern *p = compile_ok(cases[i].pattern);
        char *event_text = quotes(cases[i].event);
        const struct json_value *event = json_parse(event_text, strlen(event_text), NULL);
        if (!event)
            fail_msg("case %zu: event %s is not JSON", i, event_text);
        if (events_pattern_matches(p, event) != cases[i].matches)
            fail_msg("case %zu: %s should %smatch %s", i, cases[i].pattern, cases[i].matches ? "" : "not ",
                     cases[i].event);
        json_free(event);
        free(event_text);
        events_pattern_free(p);
    }
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(cases[0]))

static void test_exact_values(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'source':['aws.ec2']}", "{'source':'aws.ec2'}", true},
        {"{'source':['aws.ec2']}", "{'source':'aws.ec2x'}", false},
        {"{'source':['aws.ec2']}", "{'other':'aws.ec2'}", false},
        {"{'source':['aws.ec2','aws.s3']}", "{'source':'aws.s3'}", true},
        {"{'source':['aws.ec2','aws.s3']}", "{'source':'aws.sqs'}", false},
        {"{'source':['AWS.EC2']}", "{'source':'aws.ec2'}", false},
        {"{'a':['']}", "{'a':''}", true},
        {"{'a':['']}", "{'a':null}", false},
        {"{'a':[null]}", "{'a':null}", true},
        {"{'a':[null]}", "{'a':''}", false},
        {"{'a':[null]}", "{'b':1}", false},
        {"{'a':[true]}", "{'a':true}", true},
        {"{'a':[true]}", "{'a':false}", false},
        {"{'a':[true]}", "{'a':'true'}", false},
        {"{'a':[false]}", "{'a':false}", true},
        {"{'a':[5]}", "{'a':5}", true},
        {"{'a':[5]}", "{'a':5.0}", true},
        {"{'a':[5]}", "{'a':5e0}", true},
        {"{'a':[5]}", "{'a':'5'}", false},
        {"{'a':['5']}", "{'a':5}", false},
        {"{'a':[301.8]}", "{'a':3.018e2}", true},
        {"{'a':[-0.5]}", "{'a':-0.50}", true},
        {"{'a':[5]}", "{'a':6}", false},
        /* numbers too precise to compare are compared as written */
        {"{'a':[12345678901234567890123]}", "{'a':12345678901234567890123}", true},
        {"{'a':[12345678901234567890123]}", "{'a':12345678901234567890124}", false},
        /* nesting */
        {"{'detail':{'state':['running']}}", "{'detail':{'state':'running'}}", true},
        {"{'detail':{'state':['running']}}", "{'detail':{'state':'stopped'}}", false},
        {"{'detail':{'state':['running']}}", "{'detail':'running'}", false},
        {"{'detail':{'state':['running']}}", "{'state':'running'}", false},
        {"{'detail':{'a':{'b':{'c':[1]}}}}", "{'detail':{'a':{'b':{'c':1}}}}", true},
        /* AND across fields */
        {"{'source':['s'],'detail-type':['t']}", "{'source':'s','detail-type':'t'}", true},
        {"{'source':['s'],'detail-type':['t']}", "{'source':'s','detail-type':'u'}", false},
        /* event arrays: any element */
        {"{'resources':['arn:b']}", "{'resources':['arn:a','arn:b']}", true},
        {"{'resources':['arn:c']}", "{'resources':['arn:a','arn:b']}", false},
        {"{'resources':['arn:b']}", "{'resources':[['arn:a'],['arn:b']]}", true},
        {"{'resources':['arn:b']}", "{'resources':[]}", false},
        /* an object is no value */
        {"{'a':['x']}", "{'a':{'b':'x'}}", false},
        /* a string that is an IP address matches the same address */
        {"{'ip':['10.0.0.1']}", "{'ip':'10.0.0.1'}", true},
        {"{'ip':['10.0.0.1']}", "{'ip':'10.000.0.01'}", true},
        {"{'ip':['10.0.0.1']}", "{'ip':'10.0.0.2'}", false},
        {"{'ip':['2001:db8::1']}", "{'ip':'2001:0DB8:0:0:0:0:0:1'}", true},
        {"{'ip':['999.0.0.1']}", "{'ip':'999.0.0.1'}", true},
        {"{'a':[{'exactly':'x'}]}", "{'a':'x'}", true},
        {"{'a':[{'exactly':'x'}]}", "{'a':'X'}", false},
    };
    RUN(cases);
}

static void test_prefix_suffix_case(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'time':[{'prefix':'2017-10-02'}]}", "{'time':'2017-10-02T18:43:48Z'}", true},
        {"{'time':[{'prefix':'2017-10-02'}]}", "{'time':'2017-10-03T18:43:48Z'}", false},
        {"{'time':[{'prefix':'2017'}]}", "{'time':2017}", false},
        {"{'a':[{'prefix':''}]}", "{'a':'anything'}", true},
        {"{'a':[{'prefix':''}]}", "{'a':5}", false},
        {"{'a':[{'prefix':{'equals-ignore-case':'EventB'}}]}", "{'a':'eventbridge'}", true},
        {"{'a':[{'prefix':{'equals-ignore-case':'EventB'}}]}", "{'a':'EVENTBRIDGE'}", true},
        {"{'a':[{'prefix':{'equals-ignore-case':'EventB'}}]}", "{'a':'event'}", false},
        {"{'f':[{'suffix':'.png'}]}", "{'f':'image.png'}", true},
        {"{'f':[{'suffix':'.png'}]}", "{'f':'image.PNG'}", false},
        {"{'f':[{'suffix':'.png'}]}", "{'f':'png'}", false},
        {"{'f':[{'suffix':{'equals-ignore-case':'.png'}}]}", "{'f':'image.PNG'}", true},
        {"{'f':[{'suffix':{'equals-ignore-case':'.png'}}]}", "{'f':'image.jpg'}", false},
        {"{'n':[{'equals-ignore-case':'alice'}]}", "{'n':'ALICE'}", true},
        {"{'n':[{'equals-ignore-case':'alice'}]}", "{'n':'alicia'}", false},
        {"{'n':[{'equals-ignore-case':'alice'}]}", "{'n':['bob','AlIcE']}", true},
        {"{'n':[{'equals-ignore-case':'5'}]}", "{'n':5}", false},
    };
    RUN(cases);
}

static void test_anything_but(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'s':[{'anything-but':'init'}]}", "{'s':'running'}", true},
        {"{'s':[{'anything-but':'init'}]}", "{'s':'init'}", false},
        {"{'s':[{'anything-but':'init'}]}", "{'x':'running'}", false},
        {"{'s':[{'anything-but':'init'}]}", "{'s':5}", true},
        {"{'s':[{'anything-but':'init'}]}", "{'s':null}", true},
        {"{'s':[{'anything-but':'init'}]}", "{'s':['init','run']}", true},
        {"{'s':[{'anything-but':'init'}]}", "{'s':['init']}", false},
        {"{'s':[{'anything-but':'init'}]}", "{'s':{'a':1}}", false},
        {"{'s':[{'anything-but':['stopped','overloaded']}]}", "{'s':'running'}", true},
        {"{'s':[{'anything-but':['stopped','overloaded']}]}", "{'s':'overloaded'}", false},
        {"{'x':[{'anything-but':123}]}", "{'x':124}", true},
        {"{'x':[{'anything-but':123}]}", "{'x':123.0}", false},
        {"{'x':[{'anything-but':123}]}", "{'x':'123'}", true},
        {"{'x':[{'anything-but':[100,200,300]}]}", "{'x':200}", false},
        {"{'x':[{'anything-but':[100,200,300]}]}", "{'x':250}", true},
        {"{'s':[{'anything-but':{'prefix':'init'}}]}", "{'s':'initializing'}", false},
        {"{'s':[{'anything-but':{'prefix':'init'}}]}", "{'s':'running'}", true},
        {"{'s':[{'anything-but':{'prefix':['init','err']}}]}", "{'s':'error'}", false},
        {"{'s':[{'anything-but':{'prefix':['init','err']}}]}", "{'s':'ok'}", true},
        {"{'s':[{'anything-but':{'prefix':'1'}}]}", "{'s':123}", true},
        {"{'i':[{'anything-but':{'suffix':'1234'}}]}", "{'i':'i-01234'}", false},
        {"{'i':[{'anything-but':{'suffix':['1234','6789']}}]}", "{'i':'i-6789'}", false},
        {"{'i':[{'anything-but':{'suffix':['1234','6789']}}]}", "{'i':'i-0000'}", true},
        {"{'s':[{'anything-but':{'equals-ignore-case':'Stopped'}}]}", "{'s':'STOPPED'}", false},
        {"{'s':[{'anything-but':{'equals-ignore-case':['Stopped','OverLoaded']}}]}", "{'s':'overloaded'}", false},
        {"{'s':[{'anything-but':{'equals-ignore-case':['Stopped','OverLoaded']}}]}", "{'s':'running'}", true},
        {"{'p':[{'anything-but':{'wildcard':'*/lib/*'}}]}", "{'p':'/usr/lib/x.so'}", false},
        {"{'p':[{'anything-but':{'wildcard':'*/lib/*'}}]}", "{'p':'/usr/bin/x'}", true},
        {"{'p':[{'anything-but':{'wildcard':['*/bin/*.jar','*/bin/*.class']}}]}", "{'p':'/a/bin/b.class'}", false},
        {"{'p':[{'anything-but':{'wildcard':['*/bin/*.jar','*/bin/*.class']}}]}", "{'p':'/a/bin/b.txt'}", true},
        {"{'p':[{'anything-but':{'wildcard':'*'}}]}", "{'p':7}", true},
    };
    RUN(cases);
}

static void test_numeric(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'c':[{'numeric':['>',0,'<=',5]}]}", "{'c':5}", true},
        {"{'c':[{'numeric':['>',0,'<=',5]}]}", "{'c':0}", false},
        {"{'c':[{'numeric':['>',0,'<=',5]}]}", "{'c':0.000001}", true},
        {"{'c':[{'numeric':['>',0,'<=',5]}]}", "{'c':5.000001}", false},
        {"{'c':[{'numeric':['>=',0,'<',5]}]}", "{'c':0}", true},
        {"{'c':[{'numeric':['>=',0,'<',5]}]}", "{'c':5}", false},
        {"{'c':[{'numeric':['<',10]}]}", "{'c':-1e300}", true},
        {"{'c':[{'numeric':['<',10]}]}", "{'c':10}", false},
        {"{'c':[{'numeric':['<=',10]}]}", "{'c':10}", true},
        {"{'c':[{'numeric':['>',10]}]}", "{'c':10.5}", true},
        {"{'c':[{'numeric':['>=',10]}]}", "{'c':9.99}", false},
        {"{'x':[{'numeric':['=',3.018e2]}]}", "{'x':301.8}", true},
        {"{'x':[{'numeric':['=',3.018e2]}]}", "{'x':301.81}", false},
        {"{'c':[{'numeric':['>',0]}]}", "{'c':'5'}", false},
        {"{'c':[{'numeric':['>',0]}]}", "{'c':[-1,3]}", true},
        {"{'c':[{'numeric':['>',0]}]}", "{'c':[-1,-3]}", false},
        /* not comparable: too many digits for a double */
        {"{'c':[{'numeric':['>',0]}]}", "{'c':0.1000000000000000055511151231257827}", false},
        {"{'c':[{'numeric':['>',0]}]}", "{'c':1e400}", false},
        {"{'c':[{'numeric':['>',0]}]}", "{'c':123456789012}", true},
    };
    RUN(cases);
}

static void test_exists(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'c':5}}", true},
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'c':null}}", true},
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'x':5}}", false},
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'c':{'c1':100}}}", false},
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'c':[]}}", false},
        {"{'d':{'c':[{'exists':true}]}}", "{'d':{'c':[1]}}", true},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':{'x':5}}", true},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':{'c':5}}", false},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':{'c':null}}", false},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':{'c':{'c1':100}}}", true},
        {"{'d':{'c':[{'exists':false}]}}", "{'x':1}", true},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':[{'c':1},{'e':2}]}", false},
        {"{'d':{'c':[{'exists':false}]}}", "{'d':[{'e':1},{'e':2}]}", true},
        {"{'d':{'c':[{'exists':false}]},'s':['x']}", "{'s':'x'}", true},
        {"{'d':{'c':[{'exists':false}]},'s':['x']}", "{'s':'y'}", false},
        {"{'d':{'c':[{'exists':false}],'e':[2]}}", "{'d':[{'c':1,'e':1},{'e':2}]}", true},
        {"{'a':['x',{'exists':false}]}", "{'b':1}", true},
        {"{'a':['x',{'exists':false}]}", "{'a':'x'}", true},
        {"{'a':['x',{'exists':false}]}", "{'a':'y'}", false},
    };
    RUN(cases);
}

static void test_cidr(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':'10.0.0.255'}", true},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':'10.0.1.0'}", false},
        {"{'ip':[{'cidr':'10.0.0.7/24'}]}", "{'ip':'10.0.0.0'}", true},
        {"{'ip':[{'cidr':'10.0.0.0/8'}]}", "{'ip':'10.255.1.2'}", true},
        {"{'ip':[{'cidr':'0.0.0.0/0'}]}", "{'ip':'200.1.2.3'}", true},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':'not an ip'}", false},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':'2001:db8::1'}", false},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':'::ffff:a00:1'}", true},
        {"{'ip':[{'cidr':'2001:db8::/32'}]}", "{'ip':'2001:db8:ffff::1'}", true},
        {"{'ip':[{'cidr':'2001:db8::/32'}]}", "{'ip':'2001:db9::1'}", false},
        {"{'ip':[{'cidr':'2001:db8::/32'}]}", "{'ip':'10.0.0.1'}", false},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':['1.1.1.1','10.0.0.9']}", true},
        {"{'ip':[{'cidr':'10.0.0.0/24'}]}", "{'ip':167772161}", false},
    };
    RUN(cases);
}

static void test_wildcard(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'s':[{'wildcard':'Simple*Service'}]}", "{'s':'SimpleQueueService'}", true},
        {"{'s':[{'wildcard':'Simple*Service'}]}", "{'s':'SimpleService'}", true},
        {"{'s':[{'wildcard':'Simple*Service'}]}", "{'s':'SimpleQueueServices'}", false},
        {"{'s':[{'wildcard':'*'}]}", "{'s':''}", true},
        {"{'s':[{'wildcard':'*'}]}", "{'s':5}", false},
        {"{'s':[{'wildcard':'a*b*c'}]}", "{'s':'abc'}", true},
        {"{'s':[{'wildcard':'a*b*c'}]}", "{'s':'aXbYbZc'}", true},
        {"{'s':[{'wildcard':'a*b*c'}]}", "{'s':'acb'}", false},
        {"{'s':[{'wildcard':'a*ab'}]}", "{'s':'ab'}", false},
        {"{'s':[{'wildcard':'a*ab'}]}", "{'s':'aab'}", true},
        {"{'s':[{'wildcard':'*.png'}]}", "{'s':'dir/a.png'}", true},
        {"{'s':[{'wildcard':'a\\\\*b'}]}", "{'s':'a*b'}", true},
        {"{'s':[{'wildcard':'a\\\\*b'}]}", "{'s':'axb'}", false},
        {"{'s':[{'wildcard':'a\\\\\\\\b'}]}", "{'s':'a\\\\b'}", true},
        {"{'s':[{'wildcard':'a\\\\\\\\*'}]}", "{'s':'a\\\\zz'}", true},
        {"{'s':[{'wildcard':'x*'}]}", "{'s':'X'}", false},
    };
    RUN(cases);
}

static void test_or(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'source':['aws.cloudwatch'],'$or':[{'metricName':['CPU']},{'namespace':['AWS/EC2']}]}",
         "{'source':'aws.cloudwatch','namespace':'AWS/EC2'}", true},
        {"{'source':['aws.cloudwatch'],'$or':[{'metricName':['CPU']},{'namespace':['AWS/EC2']}]}",
         "{'source':'aws.cloudwatch','namespace':'AWS/ES'}", false},
        {"{'source':['aws.cloudwatch'],'$or':[{'metricName':['CPU']},{'namespace':['AWS/EC2']}]}",
         "{'source':'other','metricName':'CPU'}", false},
        {"{'$or':[{'source':['aws.ec2']},{'source':['aws.s3']}]}", "{'source':'my.app'}", false},
        {"{'$or':[{'source':['aws.ec2']},{'source':['aws.s3']}]}", "{'source':'aws.s3'}", true},
        /* an And inside an Or, and an Or inside that */
        {"{'$or':[{'a':[1]},{'b':[2],'c':[3],'$or':[{'d':[4]},{'e':[5]}]}]}", "{'b':2,'c':3,'e':5}", true},
        {"{'$or':[{'a':[1]},{'b':[2],'c':[3],'$or':[{'d':[4]},{'e':[5]}]}]}", "{'b':2,'c':3,'e':6}", false},
        {"{'$or':[{'a':[1]},{'b':[2],'c':[3],'$or':[{'d':[4]},{'e':[5]}]}]}", "{'a':1}", true},
        /* two parallel Ors, one nested in detail */
        {"{'$or':[{'m':['x']},{'n':['y']}],'detail':{'$or':[{'s':['a']},{'t':['b']}]}}",
         "{'n':'y','detail':{'t':'b'}}", true},
        {"{'$or':[{'m':['x']},{'n':['y']}],'detail':{'$or':[{'s':['a']},{'t':['b']}]}}",
         "{'n':'y','detail':{'t':'c'}}", false},
        /* an alternative made of absences */
        {"{'$or':[{'a':[{'exists':false}]},{'b':['x']}]}", "{'c':1}", true},
        {"{'$or':[{'a':[{'exists':false}]},{'b':['x']}]}", "{'a':1}", false},
        {"{'$or':[{'a':[{'exists':false}]},{'b':['x']}]}", "{'a':1,'b':'x'}", true},
    };
    RUN(cases);
}

static void test_array_consistency(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'employees':{'firstName':['Anna']}}",
         "{'employees':[{'firstName':'John','lastName':'Doe'},{'firstName':'Anna','lastName':'Smith'}]}", true},
        {"{'employees':{'firstName':['Anna'],'lastName':['Smith']}}",
         "{'employees':[{'firstName':'John','lastName':'Doe'},{'firstName':'Anna','lastName':'Smith'}]}", true},
        {"{'employees':{'firstName':['Anna'],'lastName':['Doe']}}",
         "{'employees':[{'firstName':'John','lastName':'Doe'},{'firstName':'Anna','lastName':'Smith'}]}", false},
        {"{'employees':{'firstName':['Peter'],'lastName':['Jones']}}",
         "{'employees':[[{'firstName':'John'}],[{'firstName':'Peter','lastName':'Jones'}]]}", true},
        /* separate arrays are independent */
        {"{'a':{'x':[1]},'b':{'y':[2]}}", "{'a':[{'x':1},{'x':3}],'b':[{'y':0},{'y':2}]}", true},
        /* a nested object under an array element */
        {"{'r':{'tags':{'k':['env'],'v':['prod']}}}", "{'r':[{'tags':[{'k':'env','v':'dev'},{'k':'team','v':'prod'}]}]}",
         false},
        {"{'r':{'tags':{'k':['env'],'v':['prod']}}}", "{'r':[{'tags':[{'k':'env','v':'dev'},{'k':'env','v':'prod'}]}]}",
         true},
    };
    RUN(cases);
}

static void test_dotted_keys(void **state)
{
    (void)state;
    static const struct match_case cases[] = {
        {"{'detail.state':['running']}", "{'detail':{'state':'running'}}", true},
        {"{'detail':{'state.status':['running']}}", "{'detail':{'state':{'status':'running'}}}", true},
        {"{'detail':{'state':{'status':['running']}}}", "{'detail':{'state.status':'running'}}", true},
        {"{'detail':{'state.status':['running']}}", "{'detail':{'state.status':'running'}}", true},
        {"{'detail':{'state.status':['running']}}", "{'detail':{'state.status':'stopped'}}", false},
        {"{'detail.state':['running']}", "{'detail.statex':'running'}", false},
        /* a repeated path keeps its last list */
        {"{'a':['x'],'a':['y']}", "{'a':'y'}", true},
        {"{'a':['x'],'a':['y']}", "{'a':'x'}", false},
        {"{'a':{'b':['x']},'a.b':['y']}", "{'a':{'b':'y'}}", true},
    };
    RUN(cases);
}

struct refusal {
    const char *pattern;
    const char *reason;
};

static void test_refusals(void **state)
{
    (void)state;
    static const struct refusal cases[] = {
        {"[1]", "Filter is not an object"},
        {"'x'", "Filter is not an object"},
        {"{", "Filter is not valid JSON"},
        {"", "Filter is not valid JSON"},
        {"{}", "Empty objects are not allowed"},
        {"{'source':'aws.ec2'}", "\"source\" must be an object or an array"},
        {"{'detail':{'slug':'x'}}", "\"slug\" must be an object or an array"},
        {"{'source':['aws.health'],'detail':{}}", "Empty objects are not allowed"},
        {"{'a':[]}", "Empty arrays are not allowed"},
        {"{'a':[[1]]}", "Match value must be String, number, true, false, or null"},
        {"{'a':[{}]}", "Match expression name not found"},
        {"{'a':[{'foo':1}]}", "Unrecognized match type foo"},
        {"{'a':[{'exactly':1}]}", "exact match pattern must be a string"},
        {"{'a':[{'prefix':1}]}", "prefix match pattern must be a string"},
        {"{'a':[{'prefix':['x']}]}", "prefix match pattern must be a string"},
        {"{'a':[{'prefix':'x','suffix':'y'}]}", "Only one key allowed in match expression"},
        {"{'a':[{'prefix':{}}]}", "Prefix expression name not found"},
        {"{'a':[{'prefix':{'foo':'x'}}]}", "Unsupported prefix pattern: foo"},
        {"{'a':[{'prefix':{'equals-ignore-case':1}}]}", "equals-ignore-case match pattern must be a string"},
        {"{'a':[{'prefix':{'equals-ignore-case':'x','b':1}}]}", "Only one key allowed in match expression"},
        {"{'a':[{'suffix':['created']}]}", "suffix match pattern must be a string"},
        {"{'a':[{'suffix':{}}]}", "Suffix expression name not found"},
        {"{'a':[{'suffix':{'x':'y'}}]}", "Unsupported suffix pattern: x"},
        {"{'a':[{'equals-ignore-case':5}]}", "equals-ignore-case match pattern must be a string"},
        {"{'a':[{'wildcard':5}]}", "wildcard match pattern must be a string"},
        {"{'a':[{'wildcard':'a**b'}]}", "Consecutive wildcard characters at pos 2"},
        {"{'a':[{'wildcard':'**'}]}", "Consecutive wildcard characters at pos 1"},
        {"{'a':[{'wildcard':'a\\\\b'}]}", "Invalid escape character at pos 2"},
        {"{'a':[{'wildcard':'ab\\\\'}]}", "Invalid escape character at pos 3"},
        {"{'a':[{'exists':'yes'}]}", "exists match pattern must be either true or false."},
        {"{'a':[{'exists':true,'b':1}]}", "Only one key allowed in match expression"},
        {"{'a':[{'numeric':5}]}", "Value of numeric must be an array."},
        {"{'a':[{'numeric':[]}]}", "Invalid member in numeric match: ]"},
        {"{'a':[{'numeric':[5]}]}", "Invalid member in numeric match: 5"},
        {"{'a':[{'numeric':[true]}]}", "Invalid member in numeric match: true"},
        {"{'a':[{'numeric':['!',5]}]}", "Unrecognized numeric range operator: !"},
        {"{'a':[{'numeric':['=','5']}]}", "Value of equals must be numeric"},
        {"{'a':[{'numeric':['=',5,6]}]}", "Too many elements in numeric expression"},
        {"{'a':[{'numeric':['>']}]}", "Value of > must be numeric"},
        {"{'a':[{'numeric':['>=','x']}]}", "Value of >= must be numeric"},
        {"{'a':[{'numeric':['<',null]}]}", "Value of < must be numeric"},
        {"{'a':[{'numeric':['<=',1,2]}]}", "Too many elements in numeric expression"},
        {"{'a':[{'numeric':['>',0,5]}]}", "Bad value in numeric range: 5"},
        {"{'a':[{'numeric':['>',0,'>',5]}]}", "Bad numeric range operator: >"},
        {"{'a':[{'numeric':['>',0,'<']}]}", "Value of < must be numeric"},
        {"{'a':[{'numeric':['>',0,'<=','x']}]}", "Value of <= must be numeric"},
        {"{'a':[{'numeric':['>',0,'<',5,6]}]}", "Too many terms in numeric range expression"},
        {"{'a':[{'numeric':['>',5,'<',5]}]}", "Bottom must be less than top"},
        {"{'a':[{'numeric':['>=',6,'<=',5]}]}", "Bottom must be less than top"},
        {"{'a':[{'numeric':['>',0],'x':1}]}", "Too many elements in numeric expression"},
        {"{'a':[{'numeric':['>',1e400]}]}", "Cannot compare number : 1e400"},
        {"{'a':[{'numeric':['=',0.10000000000000000555]}]}", "Cannot compare number : 0.10000000000000000555"},
        {"{'a':[{'anything-but':true}]}", "Value of anything-but must be an array or single string/number value."},
        {"{'a':[{'anything-but':null}]}", "Value of anything-but must be an array or single string/number value."},
        {"{'a':[{'anything-but':[]}]}",
         "Inside anything but list, either all values are number or string, mixed type is not supported"},
        {"{'a':[{'anything-but':['x',1]}]}",
         "Inside anything but list, either all values are number or string, mixed type is not supported"},
        {"{'a':[{'anything-but':['x',null]}]}", "Inside anything but list, start|null|boolean is not supported."},
        {"{'a':[{'anything-but':[[1]]}]}", "Inside anything but list, start|null|boolean is not supported."},
        {"{'a':[{'anything-but':[1e999]}]}", "Cannot compare number : 1e999"},
        {"{'a':[{'anything-but':'x','b':1}]}", "Too many elements in numeric expression"},
        {"{'a':[{'anything-but':{}}]}", "Anything-But expression name not found"},
        {"{'a':[{'anything-but':{'numeric':[1]}}]}", "Unsupported anything-but pattern: numeric"},
        {"{'a':[{'anything-but':{'prefix':true}}]}",
         "Value of anything-but must be an array or single string/number value."},
        {"{'a':[{'anything-but':{'prefix':''}}]}", "Null prefix/suffix not allowed"},
        {"{'a':[{'anything-but':{'suffix':['x','']}}]}", "Null prefix/suffix not allowed"},
        {"{'a':[{'anything-but':{'prefix':5}}]}", "prefix/suffix match pattern must be a string"},
        {"{'a':[{'anything-but':{'suffix':[5]}}]}", "prefix/suffix match pattern must be a string"},
        {"{'a':[{'anything-but':{'equals-ignore-case':[5]}}]}",
         "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."},
        {"{'a':[{'anything-but':{'wildcard':[5]}}]}", "wildcard match pattern must be a string"},
        {"{'a':[{'anything-but':{'wildcard':'x**'}}]}", "Consecutive wildcard characters at pos 2"},
        {"{'a':[{'anything-but':{'prefix':'x','y':1}}]}", "Too many elements in numeric expression"},
        {"{'a':[{'anything-but':{'prefix':'x'},'y':1}]}", "Too many elements in numeric expression"},
        {"{'a':[{'cidr':5}]}", "prefix match pattern must be a string"},
        {"{'a':[{'cidr':'10.0.0.0'}]}", "Malformed CIDR, one '/' required"},
        {"{'a':[{'cidr':'10.0.0.0/8/8'}]}", "Malformed CIDR, one '/' required"},
        {"{'a':[{'cidr':'10.0.0.0/x'}]}", "Malformed CIDR, mask bits must be an integer"},
        {"{'a':[{'cidr':'10.0.0.0/-1'}]}", "Malformed CIDR, mask bits must not be negative"},
        {"{'a':[{'cidr':'10.0.0.0/32'}]}", "IPv4 mask bits must be < 32"},
        {"{'a':[{'cidr':'::/128'}]}", "IPv6 mask bits must be < 128"},
        {"{'a':[{'cidr':'foo/8'}]}", "Nonstandard IP address: foo"},
        {"{'a':[{'cidr':'300.0.0.0/8'}]}", "Invalid IP address: 300.0.0.0"},
        {"{'a':[{'cidr':'1:2:3:4:5:6:7:8:9/8'}]}", "Invalid IP address: 1:2:3:4:5:6:7:8:9"},
        {"{'a':[{'cidr':'10.0.0.0/24','b':1}]}", "Only one key allowed in match expression"},
        {"{'$or':{'a':['x']}}", "It must be an Array followed with $or."},
        {"{'$or':[{'a':['x']}]}", "There must have at least 2 Objects in $or relationship."},
        {"{'$or':[]}", "There must have at least 2 Objects in $or relationship."},
        {"{'$or':[{'a':['x']},'b']}", "Only JSON object is allowed in array of $or relationship."},
        {"{'$or':[{'a':['x']},{}]}", "Empty objects are not allowed"},
        {"{'$or':[{'numeric':[123]},{'prefix':['abc']}]}",
         "numeric is Ruler reserved fieldName which cannot be used inside $or."},
        {"{'$or':[{'a':{'wildcard':['x']}},{'b':['y']}]}",
         "wildcard is Ruler reserved fieldName which cannot be used inside $or."},
        /* the first refusal in document order wins */
        {"{'a':[{'foo':1}],'b':[]}", "Unrecognized match type foo"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *text = quotes(cases[i].pattern);
        struct strbuf message;
        strbuf_init(&message);
        struct events_pattern *p = (struct events_pattern *)1;
        enum events_pattern_result r = events_pattern_compile(text, strlen(text), &p, &message);
        if (r != EVENTS_PATTERN_INVALID)
            fail_msg("case %zu: %s compiled", i, text);
        assert_null(p);
        size_t prefix = strlen(EVENTS_PATTERN_INVALID_PREFIX);
        assert_true(message.len >= prefix);
        assert_memory_equal(message.data, EVENTS_PATTERN_INVALID_PREFIX, prefix);
        if (strcmp(message.data + prefix, cases[i].reason) != 0)
            fail_msg("case %zu: %s: got \"%s\", want \"%s\"", i, text, message.data + prefix, cases[i].reason);
        strbuf_free(&message);
        free(text);
    }
}

/* The shapes EventBridge accepts that look odd: they must compile. */
static void test_accepted_oddities(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        "{'a':[{'prefix':''}]}",
        "{'a':[{'anything-but':{'prefix':[]}}]}",
        "{'a':[{'cidr':'10.0.0.0/8/'}]}",
        "{'a':[{'cidr':'10.0.0.0/+8'}]}",
        "{'a':[{'numeric':['>',-1e308,'<',1e308]}]}",
        "{'a':[{'wildcard':'\\\\**'}]}",
        "{'$or':[{'a':[1]},{'b':[2]}],'$or':[{'c':[3]},{'d':[4]}]}",
        "{'a':[1,'1',true,null,{'prefix':'x'}]}",
    };
    for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
        events_pattern_free(compile_ok(patterns[i]));
}

static void expect_complexity(const char *pattern, bool too_complex)
{
    char *text = quotes(pattern);
    struct strbuf message;
    strbuf_init(&message);
    struct events_pattern *p;
    enum events_pattern_result r = events_pattern_compile(text, strlen(text), &p, &message);
    if (too_complex) {
        if (r != EVENTS_PATTERN_INVALID || !strstr(message.data, "Rule is too complex"))
            fail_msg("%s should be too complex (%s)", text, message.data ? message.data : "compiled");
    } else if (r != EVENTS_PATTERN_OK) {
        fail_msg("%s should compile: %s", text, message.data ? message.data : "-");
    }
    events_pattern_free(p);
    strbuf_free(&message);
    free(text);
}

static void test_wildcard_complexity(void **state)
{
    (void)state;
    expect_complexity("{'a':[{'wildcard':'*'}]}", false);
    expect_complexity("{'a':[{'wildcard':'a*b*c*d*e'}]}", false);
    expect_complexity("{'id':[{'wildcard':'*:stack/A/*'},{'wildcard':'*:stack/B/*'},{'wildcard':'*:stack/C/*'}]}",
                      false);
    /* the fourth stack tipped a real rule over EventBridge's limit */
    expect_complexity("{'id':[{'wildcard':'*:stack/A/*'},{'wildcard':'*:stack/B/*'},{'wildcard':'*:stack/C/*'},"
                      "{'wildcard':'*:stack/D/*'}]}",
                      true);
    expect_complexity("{'a':[{'wildcard':'*a*a*a*a*a*a*a*a*a*a*a*a'}]}", true);
    /* the same value twice is one pattern */
    expect_complexity("{'id':[{'wildcard':'*:stack/A/*'},{'wildcard':'*:stack/A/*'},{'wildcard':'*:stack/A/*'},"
                      "{'wildcard':'*:stack/A/*'}]}",
                      false);
    expect_complexity("{'p':[{'anything-but':{'wildcard':['*/a/*','*/b/*','*/c/*','*/d/*','*/e/*','*/f/*']}}]}",
                      true);
}

/* Matching stays linear: many wildcards against a long value that almost
 * matches, and a wide event against a wide pattern. */
static void test_bounded_matching(void **state)
{
    (void)state;
    struct events_pattern *p = compile_ok("{'s':[{'wildcard':'a*a*a*a*a*b'}]}");
    size_t n = 200000;
    struct strbuf event;
    strbuf_init(&event);
    strbuf_puts(&event, "{\"s\":\"");
    for (size_t i = 0; i < n; i++)
        strbuf_putc(&event, 'a');
    strbuf_puts(&event, "\"}");
    const struct json_value *v = json_parse(event.data, event.len, NULL);
    assert_non_null(v);
    assert_false(events_pattern_matches(p, v));
    json_free(v);
    events_pattern_free(p);
    strbuf_free(&event);

    uint32_t runs[3];
    char text[8];
    size_t n_runs = events_wildcard_split("ab*c", 4, text, runs);
    assert_int_equal(n_runs, 2);
    assert_true(events_wildcard_match(text, runs, n_runs, "abXc", 4));
    assert_false(events_wildcard_match(text, runs, n_runs, "abX", 3));
}

static void test_values(void **state)
{
    (void)state;
    double d;
    assert_true(events_number_comparable("5", &d));
    assert_true(d == 5);
    assert_true(events_number_comparable("3.018e2", &d));
    assert_true(events_number_comparable("-0", &d));
    assert_true(events_number_comparable("0.1", &d));
    assert_true(events_number_comparable("1E+2", &d));
    assert_true(d == 100);
    assert_false(events_number_comparable("0.10000000000000000555", &d));
    assert_false(events_number_comparable("1e400", &d));
    assert_false(events_number_comparable("12345678901234567890", &d));
    unsigned char ip[16];
    assert_int_equal(events_ip_parse("1.2.3.4", 7, ip), EVENTS_IP_V4);
    assert_int_equal(events_ip_parse("1.2.3", 5, ip), EVENTS_IP_NONE);
    assert_int_equal(events_ip_parse("1.2.3.256", 9, ip), EVENTS_IP_INVALID);
    assert_int_equal(events_ip_parse("::1", 3, ip), EVENTS_IP_V6);
    assert_int_equal(events_ip_parse("::ffff:102:304", 14, ip), EVENTS_IP_V4);
    assert_int_equal(ip[0], 1);
    assert_int_equal(ip[3], 4);
    assert_int_equal(events_ip_parse("host.example", 12, ip), EVENTS_IP_NONE);
    assert_int_equal(events_ip_parse(":::", 3, ip), EVENTS_IP_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_values),
        cmocka_unit_test(test_prefix_suffix_case),
        cmocka_unit_test(test_anything_but),
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_exists),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_wildcard),
        cmocka_unit_test(test_or),
        cmocka_unit_test(test_array_consistency),
        cmocka_unit_test(test_dotted_keys),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_accepted_oddities),
        cmocka_unit_test(test_wildcard_complexity),
        cmocka_unit_test(test_bounded_matching),
        cmocka_unit_test(test_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
