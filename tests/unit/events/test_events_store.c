/* Unit tests for storage/events: every typed function on an in-memory
 * database made by the "events" schema steps — buses (duplicates, pages,
 * the default bus's policy row, deletion with its rules, targets and
 * tags), rules (state, the guarded advance of a next fire time, deletion),
 * targets and the rules naming a target, tags, schedule groups and
 * schedules (filters and pages, the guarded advance, deletion of a group
 * with its schedules), and the outbox (fresh rows by sequence, retries by
 * time, one row per target of a firing rule). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/core/store_internal.h"
#include "storage/events/events_store.h"

#define ACCT "000000000000"

static int setup(void **state)
{
    struct store_conn *c = calloc(1, sizeof(*c));
    if (!c || sqlite3_open(":memory:", &c->db) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < events_schema.n_steps; i++)
        if (sqlite3_exec(c->db, events_schema.steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct store_conn *c = *state;
    db_conn_close(c);
    free(c);
    return 0;
}

static struct events_rule_row rule(const char *bus, const char *name, const char *schedule, int64_t next)
{
    struct events_rule_row r = {.bus = (char *)bus, .name = (char *)name, .pattern = (char *)"{\"source\":[\"x\"]}",
                                .schedule = (char *)schedule, .state = (char *)"ENABLED", .created_ms = 1,
                                .anchor_ms = 1, .next_fire_ms = next};
    memcpy(r.account, ACCT, 13);
    return r;
}

static void test_buses(void **state)
{
    struct store_conn *c = *state;
    struct events_bus_row b = {.name = (char *)"orders", .description = (char *)"d", .created_ms = 5,
                               .modified_ms = 5};
    memcpy(b.account, ACCT, 13);
    assert_int_equal(events_store_bus_insert(c, &b), 1);
    assert_int_equal(events_store_bus_insert(c, &b), 0);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "p-%d", i);
        b.name = name;
        assert_int_equal(events_store_bus_insert(c, &b), 1);
    }
    struct events_bus_row *rows;
    size_t n;
    assert_int_equal(events_store_bus_list(c, ACCT, "p-", "p-0", 10, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].name, "p-1");
    for (size_t i = 0; i < n; i++)
        events_bus_row_free(&rows[i]);
    free(rows);
    /* The default bus gets a row with its policy, then loses the policy. */
    assert_int_equal(events_store_bus_set_policy(c, ACCT, "default", "{\"Statement\":[]}", 9), 0);
    struct events_bus_row got;
    assert_int_equal(events_store_bus_get(c, ACCT, "default", &got), 1);
    assert_string_equal(got.policy, "{\"Statement\":[]}");
    events_bus_row_free(&got);
    assert_int_equal(events_store_bus_set_policy(c, ACCT, "default", NULL, 10), 0);
    assert_int_equal(events_store_bus_get(c, ACCT, "default", &got), 1);
    assert_null(got.policy);
    events_bus_row_free(&got);
    /* Deleting a bus takes its rules, targets and tags. */
    struct events_rule_row r = rule("orders", "r1", NULL, -1);
    assert_int_equal(events_store_rule_put(c, &r), 0);
    struct events_target_row t = {.id = (char *)"t", .arn = (char *)"arn:q", .spec = (char *)"{}"};
    assert_int_equal(events_store_target_put(c, ACCT, "orders", "r1", &t), 0);
    assert_int_equal(events_store_tag_put(c, "arn:bus/orders", "k", "v"), 0);
    assert_int_equal(events_store_tag_put(c, "arn:rule/orders/r1", "k", "v"), 0);
    assert_int_equal(events_store_tag_put(c, "arn:rule/other/r1", "k", "v"), 0);
    assert_int_equal(events_store_bus_delete(c, ACCT, "orders", "arn:bus/orders", "arn:rule/orders/"), 1);
    assert_int_equal(events_store_bus_get(c, ACCT, "orders", &got), 0);
    assert_int_equal(events_store_rule_get(c, ACCT, "orders", "r1", &r), 0);
    struct events_target_row *targets;
    assert_int_equal(events_store_targets_get(c, ACCT, "orders", "r1", &targets, &n), 0);
    assert_int_equal(n, 0);
    free(targets);
    struct events_tag *tags;
    assert_int_equal(events_store_tags_get(c, "arn:rule/orders/r1", &tags, &n), 0);
    assert_int_equal(n, 0);
    free(tags);
    assert_int_equal(events_store_tags_get(c, "arn:rule/other/r1", &tags, &n), 0);
    assert_int_equal(n, 1);
    events_tags_free(tags, n);
    assert_int_equal(events_store_bus_delete(c, ACCT, "orders", "a", "b"), 0);
}

static void test_rules_and_targets(void **state)
{
    struct store_conn *c = *state;
    struct events_rule_row r = rule("default", "tick", "rate(1 minute)", 60000);
    assert_int_equal(events_store_rule_put(c, &r), 0);
    r = rule("default", "other", NULL, -1);
    assert_int_equal(events_store_rule_put(c, &r), 0);
    struct events_rule_row got;
    assert_int_equal(events_store_rule_get(c, ACCT, "default", "tick", &got), 1);
    assert_int_equal(got.next_fire_ms, 60000);
    assert_string_equal(got.schedule, "rate(1 minute)");
    events_rule_row_free(&got);
    assert_int_equal(events_store_rule_get(c, ACCT, "default", "other", &got), 1);
    assert_int_equal(got.next_fire_ms, -1);
    events_rule_row_free(&got);
    /* The advance only moves a fire time that is still the expected one, of an enabled rule. */
    assert_int_equal(events_store_rule_advance(c, ACCT, "default", "tick", 1, 120000), 0);
    assert_int_equal(events_store_rule_advance(c, ACCT, "default", "tick", 60000, 120000), 1);
    assert_int_equal(events_store_rule_advance(c, ACCT, "default", "tick", 60000, 180000), 0);
    assert_int_equal(events_store_rule_set_state(c, ACCT, "default", "tick", "DISABLED", -1), 1);
    assert_int_equal(events_store_rule_advance(c, ACCT, "default", "tick", 120000, 180000), 0);
    assert_int_equal(events_store_rule_set_state(c, ACCT, "default", "gone", "DISABLED", -1), 0);
    assert_int_equal(events_store_rule_count(c, ACCT, "default"), 2);
    struct events_rule_row *rows;
    size_t n;
    assert_int_equal(events_store_rule_list(c, ACCT, "default", "t", "", 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].state, "DISABLED");
    events_rule_row_free(&rows[0]);
    free(rows);
    /* Targets by id, the rules naming a target, deletion with the rule. */
    struct events_target_row a = {.id = (char *)"b", .arn = (char *)"arn:q1", .spec = (char *)"{\"Id\":\"b\"}"};
    struct events_target_row b = {.id = (char *)"a", .arn = (char *)"arn:q2", .spec = (char *)"{\"Id\":\"a\"}"};
    assert_int_equal(events_store_target_put(c, ACCT, "default", "tick", &a), 0);
    assert_int_equal(events_store_target_put(c, ACCT, "default", "tick", &b), 0);
    assert_int_equal(events_store_target_put(c, ACCT, "default", "other", &a), 0);
    struct events_target_row *targets;
    assert_int_equal(events_store_targets_get(c, ACCT, "default", "tick", &targets, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(targets[0].id, "a");
    events_target_rows_free(targets, n);
    char **names;
    assert_int_equal(events_store_rules_by_target(c, ACCT, "default", "arn:q1", "", 10, &names, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "other");
    events_names_free(names, n);
    assert_int_equal(events_store_target_delete(c, ACCT, "default", "tick", "zz"), 0);
    assert_int_equal(events_store_target_delete(c, ACCT, "default", "tick", "a"), 1);
    assert_int_equal(events_store_rule_delete(c, ACCT, "default", "tick", "arn:rule/tick"), 1);
    assert_int_equal(events_store_targets_get(c, ACCT, "default", "tick", &targets, &n), 0);
    assert_int_equal(n, 0);
    free(targets);
    assert_int_equal(events_store_rule_delete(c, ACCT, "default", "tick", "arn:rule/tick"), 0);
}

static void test_outbox(void **state)
{
    struct store_conn *c = *state;
    struct events_delivery_row d = {.kind = EVENTS_DELIVERY_RULE, .source = (char *)"arn:rule", .target = (char *)"{}",
                                    .event = (char *)"{\"id\":\"1\"}", .created_ms = 100};
    memcpy(d.account, ACCT, 13);
    for (int i = 0; i < 3; i++)
        assert_int_equal(events_store_delivery_insert(c, &d), 0);
    struct events_delivery_row *rows;
    size_t n;
    assert_int_equal(events_store_deliveries_fresh(c, 0, 10, &rows, &n), 0);
    assert_int_equal(n, 3);
    int64_t first = rows[0].seq, second = rows[1].seq;
    assert_true(rows[1].seq > rows[0].seq && rows[2].seq > rows[1].seq);
    assert_int_equal(rows[0].next_ms, 100);
    events_delivery_rows_free(rows, n);
    assert_int_equal(events_store_deliveries_fresh(c, second, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    events_delivery_rows_free(rows, n);
    /* A retried row leaves the fresh rows and is due at its time. */
    assert_int_equal(events_store_delivery_retry(c, first, 1, 5000), 0);
    assert_int_equal(events_store_deliveries_fresh(c, 0, 10, &rows, &n), 0);
    assert_int_equal(n, 2);
    events_delivery_rows_free(rows, n);
    assert_int_equal(events_store_deliveries_due(c, 4999, 10, &rows, &n), 0);
    assert_int_equal(n, 0);
    free(rows);
    assert_int_equal(events_store_deliveries_due(c, 5000, 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].attempts, 1);
    events_delivery_rows_free(rows, n);
    int64_t next;
    assert_int_equal(events_store_deliveries_next_retry(c, 0, &next), 0);
    assert_int_equal(next, 5000);
    assert_int_equal(events_store_deliveries_next_retry(c, 5000, &next), 0);
    assert_int_equal(next, -1);
    assert_int_equal(events_store_delivery_delete(c, first), 0);
    assert_int_equal(events_store_deliveries_due(c, 10000, 10, &rows, &n), 0);
    assert_int_equal(n, 0);
    free(rows);
    /* A firing rule writes one row per target. */
    struct events_rule_row r = rule("default", "cron", "cron(0 3 * * ? *)", 1);
    assert_int_equal(events_store_rule_put(c, &r), 0);
    struct events_target_row t1 = {.id = (char *)"1", .arn = (char *)"arn:a", .spec = (char *)"{\"Id\":\"1\"}"};
    struct events_target_row t2 = {.id = (char *)"2", .arn = (char *)"arn:b", .spec = (char *)"{\"Id\":\"2\"}"};
    assert_int_equal(events_store_target_put(c, ACCT, "default", "cron", &t1), 0);
    assert_int_equal(events_store_target_put(c, ACCT, "default", "cron", &t2), 0);
    assert_int_equal(events_store_delivery_insert_rule_targets(c, ACCT, "default", "cron", "arn:rule/cron", "{}", 7), 2);
    assert_int_equal(events_store_deliveries_fresh(c, second, 10, &rows, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[1].target, "{\"Id\":\"1\"}");
    assert_string_equal(rows[2].source, "arn:rule/cron");
    events_delivery_rows_free(rows, n);
}

static void test_schedules(void **state)
{
    struct store_conn *c = *state;
    struct scheduler_group_row g = {.name = (char *)"jobs", .created_ms = 1, .modified_ms = 1};
    memcpy(g.account, ACCT, 13);
    assert_int_equal(scheduler_store_group_insert(c, &g), 1);
    assert_int_equal(scheduler_store_group_insert(c, &g), 0);
    struct scheduler_schedule_row s = {.group = (char *)"jobs", .doc = (char *)"{}", .state = (char *)"ENABLED",
                                       .anchor_ms = 1, .next_fire_ms = 1000, .created_ms = 1, .modified_ms = 1};
    memcpy(s.account, ACCT, 13);
    const char *names[] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        s.name = (char *)names[i];
        s.state = (char *)(i == 1 ? "DISABLED" : "ENABLED");
        assert_int_equal(scheduler_store_schedule_insert(c, &s), 1);
    }
    assert_int_equal(scheduler_store_schedule_insert(c, &s), 0);
    s.group = (char *)"default";
    s.name = (char *)"z";
    s.next_fire_ms = -1;
    assert_int_equal(scheduler_store_schedule_insert(c, &s), 1);
    struct scheduler_schedule_row *rows;
    size_t n;
    assert_int_equal(scheduler_store_schedule_list(c, ACCT, NULL, "", NULL, "", "", 10, &rows, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(rows[0].group, "default");
    assert_int_equal(rows[0].next_fire_ms, -1);
    for (size_t i = 0; i < n; i++)
        scheduler_schedule_row_free(&rows[i]);
    free(rows);
    assert_int_equal(scheduler_store_schedule_list(c, ACCT, "jobs", "", "ENABLED", "jobs", "a", 10, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].name, "c");
    scheduler_schedule_row_free(&rows[0]);
    free(rows);
    /* The guarded advance, and never again (-1). */
    assert_int_equal(scheduler_store_schedule_advance(c, ACCT, "jobs", "a", 999, 2000), 0);
    assert_int_equal(scheduler_store_schedule_advance(c, ACCT, "jobs", "a", 1000, -1), 1);
    struct scheduler_schedule_row got;
    assert_int_equal(scheduler_store_schedule_get(c, ACCT, "jobs", "a", &got), 1);
    assert_int_equal(got.next_fire_ms, -1);
    scheduler_schedule_row_free(&got);
    assert_int_equal(scheduler_store_schedule_advance(c, ACCT, "jobs", "b", 1000, 2000), 0);   /* disabled */
    s.group = (char *)"jobs";
    s.name = (char *)"a";
    s.doc = (char *)"{\"x\":1}";
    assert_int_equal(scheduler_store_schedule_replace(c, &s), 1);
    assert_int_equal(scheduler_store_schedule_get(c, ACCT, "jobs", "a", &got), 1);
    assert_string_equal(got.doc, "{\"x\":1}");
    scheduler_schedule_row_free(&got);
    assert_int_equal(scheduler_store_schedule_count(c, ACCT, "jobs"), 3);
    assert_int_equal(events_store_tag_put(c, "arn:group/jobs", "k", "v"), 0);
    assert_int_equal(scheduler_store_group_delete(c, ACCT, "jobs", "arn:group/jobs"), 1);
    assert_int_equal(scheduler_store_schedule_count(c, ACCT, "jobs"), 0);
    struct events_tag *tags;
    assert_int_equal(events_store_tags_get(c, "arn:group/jobs", &tags, &n), 0);
    assert_int_equal(n, 0);
    free(tags);
    assert_int_equal(scheduler_store_schedule_delete(c, ACCT, "default", "z"), 1);
    assert_int_equal(scheduler_store_schedule_delete(c, ACCT, "default", "z"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_buses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_and_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schedules, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
