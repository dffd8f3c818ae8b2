/* Unit tests for protocol/scheduler route.c: every operation of the table
 * by method and path, captured segments percent-decoded (an ARN with ':'
 * and '/'), paths no route has, known paths with another method, and
 * segments that are empty, too long or badly encoded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "protocol/scheduler/route.h"

static struct scheduler_route r;

static enum scheduler_route_result route(const char *method, const char *path)
{
    return scheduler_route(method, path, strlen(path), &r);
}

static void expect(const char *method, const char *path, const char *op, const char *param)
{
    if (route(method, path) != SCHEDULER_ROUTE_OK)
        fail_msg("%s %s was not routed", method, path);
    assert_string_equal(scheduler_op_name(r.op), op);
    assert_string_equal(r.param, param);
    assert_int_equal(r.param_len, strlen(param));
}

static void test_every_operation(void **state)
{
    (void)state;
    expect("POST", "/schedules/nightly", "CreateSchedule", "nightly");
    expect("GET", "/schedules/nightly", "GetSchedule", "nightly");
    expect("PUT", "/schedules/nightly", "UpdateSchedule", "nightly");
    expect("DELETE", "/schedules/nightly", "DeleteSchedule", "nightly");
    expect("GET", "/schedules", "ListSchedules", "");
    expect("POST", "/schedule-groups/team", "CreateScheduleGroup", "team");
    expect("GET", "/schedule-groups/team", "GetScheduleGroup", "team");
    expect("DELETE", "/schedule-groups/team", "DeleteScheduleGroup", "team");
    expect("GET", "/schedule-groups", "ListScheduleGroups", "");
    expect("GET", "/tags/arn%3Aaws%3Ascheduler%3Aus-east-1%3A000000000000%3Aschedule-group%2Fteam",
           "ListTagsForResource", "arn:aws:scheduler:us-east-1:000000000000:schedule-group/team");
    expect("POST", "/tags/x", "TagResource", "x");
    expect("DELETE", "/tags/x", "UntagResource", "x");
    assert_int_equal(scheduler_op_count(), 12);
    assert_null(scheduler_op_name(12));
    assert_null(scheduler_op_name(-1));
}

static void test_unknown(void **state)
{
    (void)state;
    assert_int_equal(route("GET", "/"), SCHEDULER_ROUTE_NO_PATH);
    assert_int_equal(route("GET", "/schedules/a/b"), SCHEDULER_ROUTE_NO_PATH);
    assert_int_equal(route("GET", "/schedulesx"), SCHEDULER_ROUTE_NO_PATH);
    assert_int_equal(route("GET", "/schedules/a/"), SCHEDULER_ROUTE_NO_PATH);
    assert_int_equal(route("GET", "/tags"), SCHEDULER_ROUTE_NO_PATH);
    assert_int_equal(route("PATCH", "/schedules/a"), SCHEDULER_ROUTE_NO_METHOD);
    assert_int_equal(route("POST", "/schedules"), SCHEDULER_ROUTE_NO_METHOD);
    assert_int_equal(route("PUT", "/schedule-groups/a"), SCHEDULER_ROUTE_NO_METHOD);
}

static void test_bad_segments(void **state)
{
    (void)state;
    assert_int_equal(route("GET", "/schedules/"), SCHEDULER_ROUTE_BAD_PARAM);
    assert_int_equal(route("GET", "/schedules/%zz"), SCHEDULER_ROUTE_BAD_PARAM);
    assert_int_equal(route("GET", "/schedules/a%00b"), SCHEDULER_ROUTE_BAD_PARAM);
    static char long_path[SCHEDULER_PARAM_MAX + 32];
    snprintf(long_path, sizeof(long_path), "/schedules/");
    memset(long_path + 11, 'a', SCHEDULER_PARAM_MAX + 1);
    long_path[11 + SCHEDULER_PARAM_MAX + 1] = '\0';
    assert_int_equal(route("GET", long_path), SCHEDULER_ROUTE_BAD_PARAM);
    long_path[11 + SCHEDULER_PARAM_MAX] = '\0';
    assert_int_equal(route("GET", long_path), SCHEDULER_ROUTE_OK);
    assert_int_equal(r.param_len, SCHEDULER_PARAM_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operation),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_bad_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
