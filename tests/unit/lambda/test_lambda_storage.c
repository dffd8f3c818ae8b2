/* test_lambda_storage: unit tests for storage/lambda — function documents,
 * the asynchronous invocation queue and event source mappings, written
 * through the group commit (store_submit) and loaded back on the reader
 * after a reopen, as the server does at start-up; and the errors storage
 * reports (a refused row, a load whose callback ran out of memory).
 *
 * Each test gets a fresh data dir; writes are asynchronous, so the test
 * plays the event loop: the store's notifier signals a condvar and the test
 * thread runs store_dispatch_completions() until its write is done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

#define ACCOUNT "000000000000"
#define OTHER_ACCOUNT "111111111111"

struct fixture {
    char parent[PATH_MAX];
    char data_dir[PATH_MAX + 8];
    struct store *st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool ready;
};

/* ---- the loop ------------------------------------------------------------------- */

static void notify(void *arg)
{
    struct fixture *f = arg;
    pthread_mutex_lock(&f->mu);
    f->ready = true;
    pthread_cond_signal(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* One write: what apply does, and how it ended. */
struct write {
    enum { PUT_FUNCTION, DELETE_FUNCTION, INSERT_EVENT, RESCHEDULE_EVENT, DELETE_EVENT, PUT_MAPPING,
           DELETE_MAPPING, PUT_POSITION } kind;
    const char *a, *b, *doc;       /* account/name, uuid/account */
    struct lambda_event_row row;
    enum lambda_storage_err err;
    bool done, ok;
};

static int apply(struct store_conn *writer, void *arg)
{
    struct write *w = arg;
    switch (w->kind) {
    case PUT_FUNCTION: w->err = lambda_functions_put(writer, w->a, w->b, w->doc); break;
    case DELETE_FUNCTION: w->err = lambda_functions_delete(writer, w->a, w->b); break;
    case INSERT_EVENT: w->err = lambda_events_insert(writer, &w->row); break;
    case RESCHEDULE_EVENT:
        w->err = lambda_events_reschedule(writer, w->row.id, w->row.attempts, w->row.next_ms);
        break;
    case DELETE_EVENT: w->err = lambda_events_delete(writer, w->row.id); break;
    case PUT_MAPPING: w->err = lambda_mappings_put(writer, w->a, w->b, w->doc); break;
    case DELETE_MAPPING: w->err = lambda_mappings_delete(writer, w->a, w->b); break;
    case PUT_POSITION: w->err = lambda_mapping_position_put(writer, w->a, w->row.id); break;
    }
    return w->err == LAMBDA_STORAGE_OK ? 0 : -1;
}

static void done(void *arg, bool ok)
{
    struct write *w = arg;
    w->done = true;
    w->ok = ok;
}

/* Submits w and runs completions until it is done; returns whether it committed. */
static bool run(struct fixture *f, struct write w)
{
    assert_int_equal(store_submit(f->st, apply, done, &w), 0);
    while (!w.done) {
        store_dispatch_completions(f->st);
        if (w.done)
            break;
        pthread_mutex_lock(&f->mu);
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += 30;
        while (!f->ready)
            assert_int_not_equal(pthread_cond_timedwait(&f->cv, &f->mu, &deadline), ETIMEDOUT);
        f->ready = false;
        pthread_mutex_unlock(&f->mu);
    }
    assert_int_equal(w.ok, w.err == LAMBDA_STORAGE_OK);
    return w.ok;
}

/* ---- setup ----------------------------------------------------------------------- */

static void open_store(struct fixture *f)
{
    char err[256] = "";
    if (store_open(f->data_dir, &f->st, err, sizeof(err)) != 0)
        fail_msg("store_open: %s", err);
    store_set_notifier(f->st, notify, f);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    snprintf(f->parent, sizeof(f->parent), "/tmp/cloudless-lambda-storage-XXXXXX");
    assert_non_null(mkdtemp(f->parent));
    snprintf(f->data_dir, sizeof(f->data_dir), "%s/data", f->parent);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    open_store(f);
    *state = f;
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    nftw(f->parent, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
    return 0;
}

static void reopen(struct fixture *f)
{
    store_close(f->st);
    open_store(f);
}

/* ---- what a load gives back --------------------------------------------------------- */

struct rows {
    char text[16][3][64];          /* up to 16 rows of three strings */
    size_t n;
    int fail_at;                   /* -1 from `each` at this row (0: never) */
};

static int collect(void *arg, const char *k1, const char *k2, const char *doc)
{
    struct rows *r = arg;
    if (r->fail_at && (int)r->n + 1 == r->fail_at)
        return -1;
    assert_true(r->n < 16);
    snprintf(r->text[r->n][0], 64, "%s", k1);
    snprintf(r->text[r->n][1], 64, "%s", k2);
    snprintf(r->text[r->n][2], 64, "%s", doc);
    r->n++;
    return 0;
}

struct events {
    struct lambda_event_row rows[8];
    char payload[8][32];
    char strings[8][4][64];
    size_t n;
};

static int collect_event(void *arg, const struct lambda_event_row *row)
{
    struct events *e = arg;
    assert_true(e->n < 8 && row->len <= sizeof(e->payload[0]));
    size_t i = e->n++;
    e->rows[i] = *row;
    if (row->len)
        memcpy(e->payload[i], row->payload, row->len);
    e->rows[i].payload = e->payload[i];
    const char *src[4] = {row->account, row->function, row->qualifier, row->request_id};
    for (int k = 0; k < 4; k++)
        snprintf(e->strings[i][k], 64, "%s", src[k]);
    e->rows[i].account = e->strings[i][0];
    e->rows[i].function = e->strings[i][1];
    e->rows[i].qualifier = e->strings[i][2];
    e->rows[i].request_id = e->strings[i][3];
    return 0;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_functions(void **state)
{
    struct fixture *f = *state;
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "zeta", .doc = "{\"v\":1}"}));
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "alpha", .doc = "{\"v\":2}"}));
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = OTHER_ACCOUNT, .b = "alpha", .doc = "{}"}));
    /* A new document replaces the old one. */
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "zeta", .doc = "{\"v\":3}"}));
    assert_true(run(f, (struct write){.kind = DELETE_FUNCTION, .a = OTHER_ACCOUNT, .b = "alpha"}));
    /* Deleting what is not there is no error. */
    assert_true(run(f, (struct write){.kind = DELETE_FUNCTION, .a = OTHER_ACCOUNT, .b = "alpha"}));
    reopen(f);
    struct rows r = {0};
    char err[128] = "";
    assert_int_equal(lambda_functions_load(store_reader(f->st), collect, &r, err, sizeof(err)), LAMBDA_STORAGE_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.text[0][1], "alpha");
    assert_string_equal(r.text[0][2], "{\"v\":2}");
    assert_string_equal(r.text[1][1], "zeta");
    assert_string_equal(r.text[1][2], "{\"v\":3}");
    assert_string_equal(r.text[1][0], ACCOUNT);
}

static void test_function_refused(void **state)
{
    struct fixture *f = *state;
    /* A row the table refuses (doc is NOT NULL) is LAMBDA_STORAGE_DB, and
     * apply's -1 undoes it. */
    assert_false(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "f", .doc = NULL}));
    struct rows r = {0};
    char err[128] = "";
    assert_int_equal(lambda_functions_load(store_reader(f->st), collect, &r, err, sizeof(err)), LAMBDA_STORAGE_OK);
    assert_int_equal(r.n, 0);
}

static void test_load_out_of_memory(void **state)
{
    struct fixture *f = *state;
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "a", .doc = "{}"}));
    assert_true(run(f, (struct write){.kind = PUT_FUNCTION, .a = ACCOUNT, .b = "b", .doc = "{}"}));
    struct rows r = {.fail_at = 2};
    char err[128] = "";
    assert_int_equal(lambda_functions_load(store_reader(f->st), collect, &r, err, sizeof(err)),
                     LAMBDA_STORAGE_NO_MEMORY);
    assert_string_equal(err, "cannot read lambda_functions: out of memory");
    /* The reader is usable again afterwards. */
    r = (struct rows){0};
    assert_int_equal(lambda_functions_load(store_reader(f->st), collect, &r, err, sizeof(err)), LAMBDA_STORAGE_OK);
    assert_int_equal(r.n, 2);
}

static void test_events(void **state)
{
    struct fixture *f = *state;
    static const char binary[] = {'{', 0, '}'};
    struct lambda_event_row one = {.id = 1, .account = ACCOUNT, .function = "f", .qualifier = "", .request_id = "r-1",
                                   .payload = "{\"a\":1}", .len = 7, .attempts = 0, .created_ms = 1000,
                                   .next_ms = 1000};
    struct lambda_event_row two = {.id = 2, .account = ACCOUNT, .function = "g", .qualifier = "live",
                                   .request_id = "r-2", .payload = binary, .len = sizeof(binary), .attempts = 0,
                                   .created_ms = 2000, .next_ms = 2000};
    struct lambda_event_row three = {.id = 3, .account = ACCOUNT, .function = "h", .qualifier = "",
                                     .request_id = "r-3", .payload = NULL, .len = 0, .created_ms = 3000,
                                     .next_ms = 3000};
    assert_true(run(f, (struct write){.kind = INSERT_EVENT, .row = one}));
    assert_true(run(f, (struct write){.kind = INSERT_EVENT, .row = two}));
    assert_true(run(f, (struct write){.kind = INSERT_EVENT, .row = three}));
    /* The same id twice is refused. */
    assert_false(run(f, (struct write){.kind = INSERT_EVENT, .row = one}));
    assert_true(run(f, (struct write){.kind = RESCHEDULE_EVENT, .row = {.id = 2, .attempts = 1, .next_ms = 62000}}));
    assert_true(run(f, (struct write){.kind = DELETE_EVENT, .row = {.id = 1}}));
    reopen(f);
    struct events e = {0};
    char err[128] = "";
    assert_int_equal(lambda_events_load(store_reader(f->st), collect_event, &e, err, sizeof(err)), LAMBDA_STORAGE_OK);
    assert_int_equal(e.n, 2);
    /* Newest first. */
    assert_int_equal(e.rows[0].id, 3);
    assert_int_equal(e.rows[0].len, 0);
    assert_string_equal(e.rows[0].qualifier, "");
    assert_int_equal(e.rows[1].id, 2);
    assert_string_equal(e.rows[1].function, "g");
    assert_string_equal(e.rows[1].qualifier, "live");
    assert_string_equal(e.rows[1].request_id, "r-2");
    assert_int_equal(e.rows[1].len, sizeof(binary));
    assert_memory_equal(e.rows[1].payload, binary, sizeof(binary));
    assert_int_equal(e.rows[1].attempts, 1);
    assert_int_equal(e.rows[1].created_ms, 2000);
    assert_int_equal(e.rows[1].next_ms, 62000);
}

static void test_mappings(void **state)
{
    struct fixture *f = *state;
    static const char *const uuids[] = {"c0000000-0000-4000-8000-000000000000",
                                        "a0000000-0000-4000-8000-000000000000",
                                        "b0000000-0000-4000-8000-000000000000"};
    for (int i = 0; i < 3; i++)
        assert_true(run(f, (struct write){.kind = PUT_MAPPING, .a = uuids[i], .b = ACCOUNT, .doc = "{\"n\":0}"}));
    /* An update keeps the mapping's place in creation order. */
    assert_true(run(f, (struct write){.kind = PUT_MAPPING, .a = uuids[0], .b = ACCOUNT, .doc = "{\"n\":1}"}));
    /* Another account's delete of the UUID removes nothing. */
    assert_true(run(f, (struct write){.kind = DELETE_MAPPING, .a = uuids[1], .b = OTHER_ACCOUNT}));
    assert_true(run(f, (struct write){.kind = DELETE_MAPPING, .a = uuids[2], .b = ACCOUNT}));
    reopen(f);
    struct rows r = {0};
    char err[128] = "";
    assert_int_equal(lambda_mappings_load(store_reader(f->st), collect, &r, err, sizeof(err)), LAMBDA_STORAGE_OK);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.text[0][0], uuids[0]);
    assert_string_equal(r.text[0][1], ACCOUNT);
    assert_string_equal(r.text[0][2], "{\"n\":1}");
    assert_string_equal(r.text[1][0], uuids[1]);
}

struct positions {
    char uuid[4][37];
    int64_t position[4];
    size_t n;
};

static int collect_position(void *arg, const char *uuid, int64_t position)
{
    struct positions *p = arg;
    assert_true(p->n < 4);
    snprintf(p->uuid[p->n], sizeof(p->uuid[0]), "%s", uuid);
    p->position[p->n++] = position;
    return 0;
}

static void test_stream_positions(void **state)
{
    struct fixture *f = *state;
    static const char *const uuids[] = {"d0000000-0000-4000-8000-000000000000",
                                        "e0000000-0000-4000-8000-000000000000"};
    for (int i = 0; i < 2; i++) {
        assert_true(run(f, (struct write){.kind = PUT_MAPPING, .a = uuids[i], .b = ACCOUNT, .doc = "{}"}));
        assert_true(run(f, (struct write){.kind = PUT_POSITION, .a = uuids[i], .row = {.id = 10 + i}}));
    }
    /* Rewritten after each batch; survives a restart. */
    assert_true(run(f, (struct write){.kind = PUT_POSITION, .a = uuids[0], .row = {.id = 12345678901234LL}}));
    /* Another account's delete leaves it; the owner's takes it with the mapping. */
    assert_true(run(f, (struct write){.kind = DELETE_MAPPING, .a = uuids[1], .b = OTHER_ACCOUNT}));
    reopen(f);
    struct positions p = {0};
    char err[128] = "";
    assert_int_equal(lambda_mapping_positions_load(store_reader(f->st), collect_position, &p, err, sizeof(err)),
                     LAMBDA_STORAGE_OK);
    assert_int_equal(p.n, 2);
    assert_string_equal(p.uuid[0], uuids[0]);
    assert_int_equal(p.position[0], 12345678901234LL);
    assert_int_equal(p.position[1], 11);
    assert_true(run(f, (struct write){.kind = DELETE_MAPPING, .a = uuids[1], .b = ACCOUNT}));
    p = (struct positions){0};
    assert_int_equal(lambda_mapping_positions_load(store_reader(f->st), collect_position, &p, err, sizeof(err)),
                     LAMBDA_STORAGE_OK);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.uuid[0], uuids[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_function_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mappings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_positions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
