/* events_events: PutEvents and TestEventPattern, and publishing an event
 * into a bus.
 *
 * Publishing matches the event (its JSON and parsed tree) against the
 * enabled rules of the bus that have an EventPattern, in memory, and
 * gathers one outbox row per target of each matching rule; the rows of a
 * whole PutEvents are written in one job, and the answer goes out once
 * they are durable — from then on each event reaches its targets, across
 * a kill -9 (delivery.c). An event no rule matches costs no write.
 *
 * PutEvents checks the request and each entry with protocol/events
 * (AWS's limits, codes and messages); an entry for a bus that does not
 * exist fails alone with ResourceNotFoundException. An entry may name
 * another account's bus by ARN when that bus's policy (PutPermission)
 * lets this account put events on it. Events carry the caller's account,
 * the region, the entry's Time or the time of the call. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/uuid.h"
#include "protocol/events/envelope.h"
#include "protocol/iam/policy.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/clock.h"
#include "storage/core/store.h"

/* ---- rows -------------------------------------------------------------------------------- */

void events_rows_free(struct events_rows *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->rows[i].source);
        free(r->rows[i].target);
    }
    free(r->rows);
    for (size_t i = 0; i < r->n_texts; i++)
        free(r->texts[i]);
    free(r->texts);
    memset(r, 0, sizeof(*r));
}

const char *events_rows_keep(struct events_rows *r, const char *text)
{
    if (r->oom)
        return NULL;
    if (r->n_texts == r->cap_texts) {
        size_t cap = r->cap_texts ? r->cap_texts * 2 : 8;
        char **grown = realloc(r->texts, cap * sizeof(*grown));
        if (!grown) {
            r->oom = true;
            return NULL;
        }
        r->texts = grown;
        r->cap_texts = cap;
    }
    char *copy = strdup(text);
    if (!copy) {
        r->oom = true;
        return NULL;
    }
    r->texts[r->n_texts++] = copy;
    return copy;
}

void events_rows_add(struct events_rows *r, const char *account, enum events_delivery_kind kind, const char *source,
                     const char *target, const char *event, int64_t created_ms)
{
    if (r->oom)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        struct events_delivery_row *grown = realloc(r->rows, cap * sizeof(*grown));
        if (!grown) {
            r->oom = true;
            return;
        }
        r->rows = grown;
        r->cap = cap;
    }
    struct events_delivery_row *d = &r->rows[r->n];
    memset(d, 0, sizeof(*d));
    snprintf(d->account, sizeof(d->account), "%s", account);
    d->kind = kind;
    d->created_ms = created_ms;
    d->source = strdup(source);
    d->target = strdup(target);
    d->event = (char *)event;
    r->n++;
    if (!d->source || !d->target || !d->event)
        r->oom = true;
}

void events_publish(struct events_service *es, const char *account, const char *bus, const char *event_json,
                    const struct json_value *event, int64_t created_ms, struct events_rows *rows)
{
    const char *kept = NULL;
    for (const struct events_rule *r = es->rules; r; r = r->next) {
        if (!r->enabled || !r->pattern || !r->n_targets || strcmp(r->bus, bus) != 0 ||
            strcmp(r->account, account) != 0 || !events_pattern_matches(r->pattern, event))
            continue;
        if (!kept && !(kept = events_rows_keep(rows, event_json)))
            return;
        for (size_t t = 0; t < r->n_targets; t++)
            events_rows_add(rows, r->account, EVENTS_DELIVERY_RULE, r->arn, r->targets[t].spec, kept, created_ms);
    }
}

int events_rows_insert(struct store_conn *w, const struct events_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++)
        if (events_store_delivery_insert(w, &rows->rows[i]) < 0)
            return -1;
    return 0;
}

struct rows_job {
    struct events_service *es;
    struct events_rows rows;
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_rows(struct store_conn *w, void *arg)
{
    struct rows_job *j = arg;
    return events_rows_insert(w, &j->rows);
}

static void rows_written(void *arg, bool ok)
{
    struct rows_job *j = arg;
    if (ok)
        events_deliverer_kick(j->es);
    j->done(j->arg, ok);
    events_rows_free(&j->rows);
    free(j);
}

int events_rows_commit(struct events_service *es, struct events_rows *rows, void (*done)(void *arg, bool ok),
                       void *arg)
{
    if (rows->oom)
        return -1;
    if (rows->n == 0) {
        done(arg, true);
        return 0;
    }
    struct rows_job *j = calloc(1, sizeof(*j));
    if (!j)
        return -1;
    j->es = es;
    j->rows = *rows;
    j->done = done;
    j->arg = arg;
    if (store_submit(es->srv->store, apply_rows, rows_written, j) < 0) {
        free(j);
        return -1;
    }
    memset(rows, 0, sizeof(*rows));
    return 0;
}

/* ---- PutEvents -------------------------------------------------------------------------------- */

struct put_events {
    struct events_put_entry *entries;
    struct events_put_result *results;
    char (*ids)[37];
    size_t n;
    struct events_rows rows;
};

static void put_events_free(void *state)
{
    struct put_events *p = state;
    free(p->entries);
    free(p->results);
    free(p->ids);
    events_rows_free(&p->rows);
    free(p);
}

static void put_events_answer(void *arg, bool ok)
{
    struct events_call *c = arg;
    struct put_events *p = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    events_put_response_write(&sb, p->results, p->n);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

/* May `account` put events on `bus` of `owner`? Its own buses, or
 * another account's whose policy allows it. */
static bool may_put(struct events_call *c, const char *owner, const char *bus, const char *policy)
{
    if (strcmp(owner, c->account) == 0)
        return true;
    char arn[EVENTS_ARN_MAX];
    events_bus_arn(c->es, owner, bus, arn);
    return policy && iam_policy_evaluate(policy, c->account, "events:PutEvents", arn, NULL) == IAM_ALLOW;
}

/* Builds, matches and gathers one entry's event; false (with the entry's
 * result set to a failure) when the entry is refused. */
static bool put_entry(struct events_call *c, struct put_events *p, size_t i, int64_t now_ms)
{
    struct events_put_entry *e = &p->entries[i];
    struct events_put_result *res = &p->results[i];
    const struct json_value *detail;
    const char *code, *message;
    enum events_put_entry_result rc = events_put_check_entry(e, &detail, &code, &message);
    if (rc == EVENTS_PUT_ENTRY_NOMEM) {
        res->error_code = "InternalFailure";
        res->error_message = "out of memory";
        return false;
    }
    if (rc == EVENTS_PUT_ENTRY_FAILED) {
        res->error_code = code;
        res->error_message = message;
        return false;
    }
    char owner[13], bus[257];
    memcpy(owner, c->account, 13);
    snprintf(bus, sizeof(bus), "%s", EVENTS_DEFAULT_BUS);
    bool bus_ok = true;
    if (e->event_bus_name.s) {
        char name[1700];
        snprintf(name, sizeof(name), "%.*s", (int)(e->event_bus_name.len < 1600 ? e->event_bus_name.len : 1600),
                 e->event_bus_name.s);
        const char *p_name = name;
        if (strncmp(name, "arn:aws:events:", 15) == 0) {
            const char *region_end = strchr(name + 15, ':');
            const char *acct = region_end ? region_end + 1 : NULL;
            bus_ok = acct && strspn(acct, "0123456789") == 12 && strncmp(acct + 12, ":event-bus/", 11) == 0;
            if (bus_ok) {
                memcpy(owner, acct, 12);
                owner[12] = '\0';
                p_name = acct + 23;
            }
        }
        bus_ok = bus_ok && events_name_ok(p_name, 256, ".-_");
        if (bus_ok)
            snprintf(bus, sizeof(bus), "%.256s", p_name);
    }
    if (!bus_ok) {
        json_free(detail);
        res->error_code = "InvalidArgument";
        res->error_message = "Parameter EventBusName is not valid.";
        return false;
    }
    struct events_bus_row row = {0};
    int found = strcmp(bus, EVENTS_DEFAULT_BUS) == 0 && strcmp(owner, c->account) == 0
                    ? 1
                    : events_store_bus_get(events_reader(c->es), owner, bus, &row);
    if (found == 0 && strcmp(bus, EVENTS_DEFAULT_BUS) == 0)
        found = 1;                 /* another account's default bus, without a policy */
    if (found <= 0 || !may_put(c, owner, bus, row.policy)) {
        json_free(detail);
        events_bus_row_free(&row);
        if (found < 0) {
            res->error_code = "InternalFailure";
            res->error_message = "The event bus could not be read.";
        } else if (found == 0) {
            res->error_code = "ResourceNotFoundException";
            res->error_message = "Event bus does not exist.";
        } else {
            res->error_code = "AccessDeniedException";
            res->error_message = "You are not authorized to put events on this event bus.";
        }
        return false;
    }
    events_bus_row_free(&row);
    uuid_v4(p->ids[i]);
    size_t n_resources = 0;
    struct events_text *resources = calloc(e->resources && e->resources->len ? e->resources->len : 1,
                                           sizeof(*resources));
    for (size_t r = 0; resources && e->resources && r < e->resources->len; r++)
        if (json_is(&e->resources->u.items[r], JSON_STRING))
            resources[n_resources++] =
                (struct events_text){e->resources->u.items[r].u.str, e->resources->u.items[r].len};
    const char *region = events_region(c->es);
    struct events_envelope env = {
        .id = {p->ids[i], 36},
        .detail_type = e->detail_type,
        .source = e->source,
        .account = {c->account, 12},
        .region = {region, strlen(region)},
        .time = e->has_time ? e->time : now_ms / 1000,
        .resources = resources,
        .n_resources = n_resources,
        .detail = detail,
    };
    struct strbuf text;
    strbuf_init(&text);
    if (resources)
        events_envelope_write(&text, &env);
    else
        text.oom = true;
    free(resources);
    json_free(detail);
    const struct json_value *tree = strbuf_failed(&text) ? NULL : json_parse(text.data, text.len, NULL);
    if (!tree) {
        strbuf_free(&text);
        res->error_code = "InternalFailure";
        res->error_message = "out of memory";
        return false;
    }
    events_publish(c->es, owner, bus, text.data, tree, now_ms, &p->rows);
    json_free(tree);
    strbuf_free(&text);
    res->event_id = (struct events_text){p->ids[i], 36};
    return true;
}

void events_put_events(struct events_call *c)
{
    const struct json_value *entries = json_get(c->json, "Entries");
    if (!json_is(entries, JSON_ARRAY)) {
        events_fail_missing(c, "entries");
        return;
    }
    struct put_events *p = calloc(1, sizeof(*p));
    size_t n = entries->len;
    if (!p || !(p->entries = calloc(n ? n : 1, sizeof(*p->entries))) ||
        !(p->results = calloc(n ? n : 1, sizeof(*p->results))) || !(p->ids = calloc(n ? n : 1, sizeof(*p->ids)))) {
        if (p)
            put_events_free(p);
        events_fail_internal(c);
        return;
    }
    c->state = p;
    c->free_state = put_events_free;
    p->n = n;
    for (size_t i = 0; i < n; i++)
        events_put_entry_read(&entries->u.items[i], &p->entries[i]);
    struct strbuf message;
    strbuf_init(&message);
    if (!events_put_check_request(p->entries, n, &message)) {
        if (strbuf_failed(&message))
            events_fail_internal(c);
        else
            events_fail(c, 400, "ValidationException", "%s", message.data);
        strbuf_free(&message);
        return;
    }
    strbuf_free(&message);
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < n; i++)
        put_entry(c, p, i, now);
    if (events_rows_commit(c->es, &p->rows, put_events_answer, c) < 0)
        events_fail_internal(c);
}

/* ---- TestEventPattern ------------------------------------------------------------------------------ */

void events_test_event_pattern(struct events_call *c)
{
    const char *pattern = json_str(c->json, "EventPattern"), *event = json_str(c->json, "Event");
    if (!pattern || !event) {
        events_fail_missing(c, !pattern ? "eventPattern" : "event");
        return;
    }
    const struct json_value *tree = json_parse(event, strlen(event), NULL);
    static const char *const required[] = {"id", "account", "source", "time", "region", "resources", "detail-type"};
    bool valid = json_is(tree, JSON_OBJECT);
    for (size_t i = 0; valid && i < sizeof(required) / sizeof(required[0]); i++)
        valid = json_get(tree, required[i]) != NULL;
    if (!valid) {
        json_free(tree);
        events_fail(c, 400, "ValidationException", "Parameter Event is not valid.");
        return;
    }
    struct strbuf message;
    strbuf_init(&message);
    struct events_pattern *compiled = NULL;
    enum events_pattern_result rc = strlen(pattern) > 4096
                                        ? EVENTS_PATTERN_INVALID
                                        : events_pattern_compile(pattern, strlen(pattern), &compiled, &message);
    if (rc != EVENTS_PATTERN_OK) {
        if (rc == EVENTS_PATTERN_NOMEM || strbuf_failed(&message))
            events_fail_internal(c);
        else if (message.len == 0)
            events_fail_constraint(c, "eventPattern", pattern, "Member must have length less than or equal to 4096");
        else
            events_fail(c, 400, "InvalidEventPatternException", "%s", message.data);
        strbuf_free(&message);
        json_free(tree);
        return;
    }
    strbuf_free(&message);
    bool result = events_pattern_matches(compiled, tree);
    events_pattern_free(compiled);
    json_free(tree);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_bool(&w, "Result", result);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}
