/* test_logs_store: CloudWatch Logs' storage functions (storage/logs/)
 * against an in-memory database made by the logs schema steps, one
 * connection serving as writer and reader: groups, streams, batches of
 * events with their streams' statistics, reads with positions both ways,
 * group scans, the retention sweep and tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "storage/core/store_internal.h"
#include "storage/logs/logs_store.h"

#define ACCT "000000000000"
#define OTHER "111111111111"
#define DAY_MS 86400000LL
#define T0 1700000000000LL

static int setup(void **state)
{
    struct store_conn *conn = calloc(1, sizeof(*conn));
    if (!conn || sqlite3_open(":memory:", &conn->db) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < logs_schema.n_steps; i++)
        if (sqlite3_exec(conn->db, logs_schema.steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    *state = conn;
    return 0;
}

static int teardown(void **state)
{
    struct store_conn *conn = *state;
    db_conn_close(conn);
    free(conn);
    return 0;
}

/* ---- visitors that record what they were given ------------------------------------- */

struct seen {
    char names[16][64];
    int64_t numbers[16];           /* groups: stored bytes; streams: last_ts; events: ts */
    int64_t ids[16];
    char messages[16][64];
    size_t lens[16];
    size_t n, stop_after;          /* stop_after 0: all */
};

static bool record_group(void *arg, const struct logs_group_info *g)
{
    struct seen *s = arg;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", g->name);
    s->numbers[s->n] = g->stored_bytes;
    s->ids[s->n] = g->retention_days;
    s->n++;
    return s->n != s->stop_after;
}

static bool record_stream(void *arg, const struct logs_stream_info *st)
{
    struct seen *s = arg;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", st->name);
    s->numbers[s->n] = st->has_events ? st->last_ts : -1;
    s->ids[s->n] = st->stored_bytes;
    s->n++;
    return s->n != s->stop_after;
}

static bool record_event(void *arg, const struct logs_event *e)
{
    struct seen *s = arg;
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", e->stream ? e->stream : "");
    s->numbers[s->n] = e->ts;
    s->ids[s->n] = e->id;
    assert_true(e->len < sizeof(s->messages[0]));
    memcpy(s->messages[s->n], e->message, e->len);
    s->lens[s->n] = e->len;
    s->n++;
    return s->n != s->stop_after;
}

static void put(struct store_conn *conn, const char *account, const char *group, const char *stream, int64_t ts,
                const char *message, size_t len)
{
    struct logs_new_event e = {.group = (char *)group, .stream = (char *)stream, .ts = ts,
                               .message = (char *)message, .len = len};
    snprintf(e.account, sizeof(e.account), "%s", account);
    assert_int_equal(logs_put_events(conn, &e, 1, T0), LOGS_OK);
}

/* ---- groups -------------------------------------------------------------------------- */

static void test_groups(void **state)
{
    struct store_conn *conn = *state;
    assert_int_equal(logs_group_exists(conn, ACCT, "/a"), LOGS_ERR_NO_GROUP);
    assert_int_equal(logs_create_group(conn, ACCT, "/a", "{}", T0), LOGS_OK);
    assert_int_equal(logs_create_group(conn, ACCT, "/a", "{}", T0), LOGS_ERR_GROUP_EXISTS);
    assert_int_equal(logs_create_group(conn, ACCT, "/app/web", "{}", T0), LOGS_OK);
    assert_int_equal(logs_create_group(conn, ACCT, "/app/db", "{}", T0), LOGS_OK);
    assert_int_equal(logs_create_group(conn, OTHER, "/app/x", "{}", T0), LOGS_OK);
    assert_int_equal(logs_group_exists(conn, ACCT, "/a"), LOGS_OK);
    assert_int_equal(logs_group_exists(conn, OTHER, "/a"), LOGS_ERR_NO_GROUP);

    struct seen s = {0};
    assert_int_equal(logs_list_groups(conn, ACCT, "", "/app", "", record_group, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "/app/db");
    assert_string_equal(s.names[1], "/app/web");
    s = (struct seen){.stop_after = 1};
    assert_int_equal(logs_list_groups(conn, ACCT, "/app/db", "", "", record_group, &s), LOGS_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "/app/web");
    s = (struct seen){0};
    assert_int_equal(logs_list_groups(conn, ACCT, "", "", "we", record_group, &s), LOGS_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], -1);

    assert_int_equal(logs_set_retention(conn, ACCT, "/app/web", 7), LOGS_OK);
    assert_int_equal(logs_set_retention(conn, ACCT, "/missing", 7), LOGS_ERR_NO_GROUP);
    s = (struct seen){0};
    assert_int_equal(logs_list_groups(conn, ACCT, "", "/app/web", "", record_group, &s), LOGS_OK);
    assert_int_equal(s.ids[0], 7);
    assert_int_equal(logs_set_retention(conn, ACCT, "/app/web", -1), LOGS_OK);
    s = (struct seen){0};
    assert_int_equal(logs_list_groups(conn, ACCT, "", "/app/web", "", record_group, &s), LOGS_OK);
    assert_int_equal(s.ids[0], -1);

    assert_int_equal(logs_create_stream(conn, ACCT, "/a", "s", T0), LOGS_OK);
    put(conn, ACCT, "/a", "s", T0, "gone", 4);
    assert_int_equal(logs_delete_group(conn, ACCT, "/a"), LOGS_OK);
    assert_int_equal(logs_delete_group(conn, ACCT, "/a"), LOGS_ERR_NO_GROUP);
    assert_int_equal(logs_stream_exists(conn, ACCT, "/a", "s"), LOGS_ERR_NO_STREAM);
    s = (struct seen){0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/a", 0, INT64_MAX, INT64_MIN, INT64_MIN, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 0);
}

/* ---- streams ------------------------------------------------------------------------- */

static void test_streams(void **state)
{
    struct store_conn *conn = *state;
    assert_int_equal(logs_create_group(conn, ACCT, "/g", "{}", T0), LOGS_OK);
    assert_int_equal(logs_create_stream(conn, ACCT, "/g", "b", T0), LOGS_OK);
    assert_int_equal(logs_create_stream(conn, ACCT, "/g", "b", T0), LOGS_ERR_STREAM_EXISTS);
    assert_int_equal(logs_create_stream(conn, ACCT, "/g", "a", T0), LOGS_OK);
    assert_int_equal(logs_create_stream(conn, ACCT, "/g", "c", T0), LOGS_OK);
    put(conn, ACCT, "/g", "a", T0 + 30, "x", 1);
    put(conn, ACCT, "/g", "b", T0 + 10, "yy", 2);

    struct seen s = {0};
    assert_int_equal(logs_list_streams(conn, ACCT, "/g", "", false, false, 0, record_stream, &s), LOGS_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[0], "a");
    assert_string_equal(s.names[2], "c");
    assert_int_equal(s.numbers[0], T0 + 30);
    assert_int_equal(s.ids[1], 2);
    assert_int_equal(s.numbers[2], -1);
    s = (struct seen){0};
    assert_int_equal(logs_list_streams(conn, ACCT, "/g", "", true, true, 0, record_stream, &s), LOGS_OK);
    assert_string_equal(s.names[0], "a");
    assert_string_equal(s.names[1], "b");
    assert_string_equal(s.names[2], "c");
    s = (struct seen){0};
    assert_int_equal(logs_list_streams(conn, ACCT, "/g", "", false, true, 1, record_stream, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "b");
    s = (struct seen){0};
    assert_int_equal(logs_list_streams(conn, ACCT, "/g", "c", false, false, 0, record_stream, &s), LOGS_OK);
    assert_int_equal(s.n, 1);

    assert_int_equal(logs_delete_stream(conn, ACCT, "/g", "a"), LOGS_OK);
    assert_int_equal(logs_delete_stream(conn, ACCT, "/g", "a"), LOGS_ERR_NO_STREAM);
    s = (struct seen){0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/g", 0, INT64_MAX, INT64_MIN, INT64_MIN, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "b");
}

/* ---- events -------------------------------------------------------------------------- */

static void test_batch_creates_streams_and_keeps_bytes(void **state)
{
    struct store_conn *conn = *state;
    struct logs_new_event batch[4] = {
        {.group = "/lambda/f", .stream = "one", .ts = T0 + 5, .message = "a\0b", .len = 3},
        {.group = "/lambda/f", .stream = "two", .ts = T0 + 1, .message = "second", .len = 6},
        {.group = "/lambda/f", .stream = "one", .ts = T0 + 2, .message = "\0", .len = 1},
        {.group = "/lambda/f", .stream = "one", .ts = T0 + 9, .message = "last", .len = 4},
    };
    for (size_t i = 0; i < 4; i++)
        snprintf(batch[i].account, sizeof(batch[i].account), "%s", ACCT);
    assert_int_equal(logs_put_events(conn, batch, 4, T0 + 100), LOGS_OK);
    assert_int_equal(logs_group_exists(conn, ACCT, "/lambda/f"), LOGS_OK);
    assert_int_equal(logs_stream_exists(conn, ACCT, "/lambda/f", "two"), LOGS_OK);

    struct seen s = {0};
    assert_int_equal(logs_list_streams(conn, ACCT, "/lambda/f", "", false, false, 0, record_stream, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.numbers[0], T0 + 9);
    assert_int_equal(s.ids[0], 8);         /* 3 + 1 + 4 bytes */

    s = (struct seen){0};
    assert_int_equal(logs_read_stream(conn, ACCT, "/lambda/f", "one", 0, INT64_MAX, false, INT64_MIN, INT64_MIN,
                                      100, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.lens[0], 1);
    assert_memory_equal(s.messages[0], "\0", 1);
    assert_int_equal(s.lens[1], 3);
    assert_memory_equal(s.messages[1], "a\0b", 3);
    assert_int_equal(s.numbers[2], T0 + 9);

    s = (struct seen){0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/lambda/f", 0, INT64_MAX, INT64_MIN, INT64_MIN, record_event, &s),
                     LOGS_OK);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.names[0], "two");
    assert_string_equal(s.names[1], "one");
    assert_int_equal(s.lens[2], 3);
}

static void test_read_positions(void **state)
{
    struct store_conn *conn = *state;
    assert_int_equal(logs_create_group(conn, ACCT, "/g", "{}", T0), LOGS_OK);
    for (int i = 0; i < 5; i++) {
        char msg[8];
        snprintf(msg, sizeof(msg), "m%d", i);
        put(conn, ACCT, "/g", "s", T0 + (i < 3 ? 0 : i), msg, strlen(msg));   /* m0..m2 share a time */
    }
    struct seen s = {0};
    assert_int_equal(logs_read_stream(conn, ACCT, "/g", "s", 0, INT64_MAX, false, INT64_MIN, INT64_MIN, 2,
                                      record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    assert_memory_equal(s.messages[1], "m1", 2);
    int64_t ts = s.numbers[1], id = s.ids[1];
    s = (struct seen){0};
    assert_int_equal(logs_read_stream(conn, ACCT, "/g", "s", 0, INT64_MAX, false, ts, id, 10, record_event, &s),
                     LOGS_OK);
    assert_int_equal(s.n, 3);
    assert_memory_equal(s.messages[0], "m2", 2);

    s = (struct seen){0};
    assert_int_equal(logs_read_stream(conn, ACCT, "/g", "s", 0, INT64_MAX, true, INT64_MAX, INT64_MAX, 2,
                                      record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    assert_memory_equal(s.messages[0], "m4", 2);
    assert_memory_equal(s.messages[1], "m3", 2);
    s = (struct seen){0};
    assert_int_equal(logs_read_stream(conn, ACCT, "/g", "s", 0, T0 + 4, true, INT64_MAX, INT64_MAX, 10,
                                      record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 4);              /* end is exclusive */

    s = (struct seen){.stop_after = 2};
    assert_int_equal(logs_scan_group(conn, ACCT, "/g", T0, T0 + 4, INT64_MIN, INT64_MIN, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 2);
    ts = s.numbers[1];
    id = s.ids[1];
    s = (struct seen){0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/g", T0, T0 + 4, ts, id, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 3);              /* m2, m3 and m4: end is inclusive */
}

static void test_retention_sweep(void **state)
{
    struct store_conn *conn = *state;
    int64_t now = T0 + 30 * DAY_MS;
    assert_int_equal(logs_create_group(conn, ACCT, "/kept", "{}", T0), LOGS_OK);
    assert_int_equal(logs_create_group(conn, ACCT, "/week", "{}", T0), LOGS_OK);
    assert_int_equal(logs_set_retention(conn, ACCT, "/week", 7), LOGS_OK);
    put(conn, ACCT, "/kept", "s", T0, "old", 3);
    put(conn, ACCT, "/week", "s", T0, "old", 3);
    put(conn, ACCT, "/week", "s", now - DAY_MS, "new", 3);
    assert_int_equal(logs_expire_events(conn, now), LOGS_OK);
    struct seen s = {0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/week", 0, INT64_MAX, INT64_MIN, INT64_MIN, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 1);
    assert_memory_equal(s.messages[0], "new", 3);
    s = (struct seen){0};
    assert_int_equal(logs_scan_group(conn, ACCT, "/kept", 0, INT64_MAX, INT64_MIN, INT64_MIN, record_event, &s), LOGS_OK);
    assert_int_equal(s.n, 1);
}

/* ---- tags ---------------------------------------------------------------------------- */

static void test_tags(void **state)
{
    struct store_conn *conn = *state;
    char *json;
    assert_int_equal(logs_get_group_tags(conn, ACCT, "/g", &json), LOGS_ERR_NO_GROUP);
    assert_null(json);
    assert_int_equal(logs_set_group_tags(conn, ACCT, "/g", "{}"), LOGS_ERR_NO_GROUP);
    assert_int_equal(logs_create_group(conn, ACCT, "/g", "{\"env\":\"test\"}", T0), LOGS_OK);
    assert_int_equal(logs_get_group_tags(conn, ACCT, "/g", &json), LOGS_OK);
    assert_string_equal(json, "{\"env\":\"test\"}");
    free(json);
    assert_int_equal(logs_set_group_tags(conn, ACCT, "/g", "{\"a\":\"1\"}"), LOGS_OK);
    assert_int_equal(logs_get_group_tags(conn, ACCT, "/g", &json), LOGS_OK);
    assert_string_equal(json, "{\"a\":\"1\"}");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_streams, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_creates_streams_and_keeps_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_positions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retention_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tags, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
