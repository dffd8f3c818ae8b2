/* events_buses: CreateEventBus, DeleteEventBus, DescribeEventBus,
 * ListEventBuses, UpdateEventBus, PutPermission and RemovePermission.
 *
 * Every account has the default bus without storing it; it gets a row once
 * it has a policy or settings. Deleting a custom bus deletes its rules and
 * their targets with it. The permission policy is kept as one document:
 * PutPermission adds (or replaces, by StatementId) a statement allowing
 * events:PutEvents on the bus to an account, to everyone ("*"), or to an
 * organization (Condition aws:PrincipalOrgID), or replaces the whole
 * document (Policy); PutEvents from another account to this bus is checked
 * against it (protocol/iam). */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/core/clock.h"

/* ---- writing a bus ------------------------------------------------------------------- */

static void write_dead_letter(struct json_writer *w, const char *arn)
{
    if (!arn)
        return;
    jw_object_open(w, "DeadLetterConfig");
    jw_string(w, "Arn", arn);
    jw_object_close(w);
}

static void write_bus(struct events_service *es, struct json_writer *w, const char *key,
                      const struct events_bus_row *b, bool describe)
{
    char arn[EVENTS_ARN_MAX];
    events_bus_arn(es, b->account, b->name, arn);
    jw_object_open(w, key);
    jw_string(w, "Name", b->name);
    jw_string(w, "Arn", arn);
    jw_string_opt(w, "Description", b->description);
    if (describe) {
        jw_string_opt(w, "KmsKeyIdentifier", b->kms_key);
        write_dead_letter(w, b->dlq_arn);
    }
    jw_string_opt(w, "Policy", b->policy);
    if (b->created_ms > 0) {
        events_jw_time(w, "CreationTime", b->created_ms);
        events_jw_time(w, "LastModifiedTime", b->modified_ms);
    }
    jw_object_close(w);
}

/* The bus row, the default bus synthesized when it has none: 1 found, 0
 * not, -1 error. */
static int get_bus(struct events_service *es, const char *account, const char *name, struct events_bus_row *out)
{
    int found = events_store_bus_get(events_reader(es), account, name, out);
    if (found == 0 && strcmp(name, EVENTS_DEFAULT_BUS) == 0) {
        memset(out, 0, sizeof(*out));
        memcpy(out->account, account, 13);
        if (!(out->name = strdup(name)))
            return -1;
        return 1;
    }
    return found;
}

/* Settings of Create/UpdateEventBus, checked. */
static bool bus_settings(struct events_call *c, struct events_bus_row *b)
{
    const char *description = json_str(c->json, "Description");
    const char *kms = json_str(c->json, "KmsKeyIdentifier");
    const char *dlq = json_str(json_get(c->json, "DeadLetterConfig"), "Arn");
    if (description && strlen(description) > 512) {
        events_fail_constraint(c, "description", description, "Member must have length less than or equal to 512");
        return false;
    }
    if (dlq && strncmp(dlq, "arn:aws:sqs:", 12) != 0) {
        events_fail(c, 400, "ValidationException", "DeadLetterConfig Arn %.300s is not an SQS queue ARN.", dlq);
        return false;
    }
    b->description = (char *)description;
    b->kms_key = (char *)kms;
    b->dlq_arn = (char *)dlq;
    return true;
}

/* ---- CreateEventBus, UpdateEventBus, DeleteEventBus ------------------------------------------------ */

struct bus_write {
    struct events_bus_row row;     /* strings borrowed from the request */
    char name[257];
    char arn[EVENTS_ARN_MAX];
    char rule_prefix[EVENTS_ARN_MAX];
};

static void bus_write_free(void *state) { free(state); }

static struct bus_write *bus_write_new(struct events_call *c, const char *name)
{
    struct bus_write *b = calloc(1, sizeof(*b));
    if (!b) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = b;
    c->free_state = bus_write_free;
    snprintf(b->name, sizeof(b->name), "%s", name);
    memcpy(b->row.account, c->account, 13);
    b->row.name = b->name;
    b->row.created_ms = b->row.modified_ms = clock_now_ms();
    events_bus_arn(c->es, c->account, b->name, b->arn);
    return b;
}

static void reply_bus_settings(struct events_call *c, const char *arn_key, bool with_name)
{
    struct bus_write *b = c->state;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, arn_key, b->arn);
    if (with_name)
        jw_string(&w, "Name", b->name);
    jw_string_opt(&w, "Description", b->row.description);
    jw_string_opt(&w, "KmsKeyIdentifier", b->row.kms_key);
    write_dead_letter(&w, b->row.dlq_arn);
    jw_object_close(&w);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

static int apply_create_bus(struct store_conn *w, struct events_call *c)
{
    struct bus_write *b = c->state;
    c->found = events_store_bus_insert(w, &b->row);
    if (c->found < 0)
        return -1;
    return c->found == 1 ? events_tags_apply(w, b->arn, json_get(c->json, "Tags")) : 0;
}

static void create_bus_done(struct events_call *c, bool ok)
{
    struct bus_write *b = c->state;
    if (!ok)
        events_fail_internal(c);
    else if (c->found == 0)
        events_fail(c, 400, "ResourceAlreadyExistsException", "Event bus %s already exists.", b->name);
    else
        reply_bus_settings(c, "EventBusArn", false);
}

static bool bus_name_ok(struct events_call *c, const char *name)
{
    if (!name) {
        events_fail_missing(c, "name");
        return false;
    }
    if (!events_name_ok(name, 256, "/.-_")) {
        events_fail_constraint(c, "name", name, "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+");
        return false;
    }
    return true;
}

void events_create_event_bus(struct events_call *c)
{
    const char *name = json_str(c->json, "Name");
    if (!bus_name_ok(c, name))
        return;
    if (strcmp(name, EVENTS_DEFAULT_BUS) == 0) {
        events_fail(c, 400, "ResourceAlreadyExistsException", "Event bus default already exists.");
        return;
    }
    if (json_str(c->json, "EventSourceName")) {
        events_fail(c, 400, "ResourceNotFoundException", "Event source %.300s does not exist.",
                    json_str(c->json, "EventSourceName"));
        return;
    }
    struct bus_write *b = bus_write_new(c, name);
    if (b && bus_settings(c, &b->row) && events_tags_valid(c, json_get(c->json, "Tags")))
        events_submit(c, apply_create_bus, create_bus_done);
}

static int apply_update_bus(struct store_conn *w, struct events_call *c)
{
    struct bus_write *b = c->state;
    if (strcmp(b->name, EVENTS_DEFAULT_BUS) == 0 && events_store_bus_insert(w, &b->row) < 0)
        return -1;
    c->found = events_store_bus_update(w, &b->row);
    return c->found < 0 ? -1 : 0;
}

static void update_bus_done(struct events_call *c, bool ok)
{
    struct bus_write *b = c->state;
    if (!ok)
        events_fail_internal(c);
    else if (c->found == 0)
        events_fail(c, 400, "ResourceNotFoundException", "Event bus %s does not exist.", b->name);
    else
        reply_bus_settings(c, "Arn", true);
}

void events_update_event_bus(struct events_call *c)
{
    const char *name = json_str(c->json, "Name");
    if (name && !bus_name_ok(c, name))
        return;
    struct bus_write *b = bus_write_new(c, name ? name : EVENTS_DEFAULT_BUS);
    if (b && bus_settings(c, &b->row))
        events_submit(c, apply_update_bus, update_bus_done);
}

static int apply_delete_bus(struct store_conn *w, struct events_call *c)
{
    struct bus_write *b = c->state;
    return events_store_bus_delete(w, c->account, b->name, b->arn, b->rule_prefix) < 0 ? -1 : 0;
}

static void delete_bus_done(struct events_call *c, bool ok)
{
    struct bus_write *b = c->state;
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    events_rules_forget_bus(c->es, c->account, b->name);
    events_reply_empty(c);
}

void events_delete_event_bus(struct events_call *c)
{
    const char *name = json_str(c->json, "Name");
    if (!bus_name_ok(c, name))
        return;
    if (strcmp(name, EVENTS_DEFAULT_BUS) == 0) {
        events_fail(c, 400, "ValidationException", "Cannot delete event bus default.");
        return;
    }
    struct bus_write *b = bus_write_new(c, name);
    if (!b)
        return;
    snprintf(b->rule_prefix, sizeof(b->rule_prefix), "arn:aws:events:%s:%s:rule/%s/", events_region(c->es),
             c->account, name);
    events_submit(c, apply_delete_bus, delete_bus_done);
}

/* ---- DescribeEventBus, ListEventBuses ------------------------------------------------------------------ */

void events_describe_event_bus(struct events_call *c)
{
    char account[13], name[257];
    if (!events_resolve_bus(c, json_str(c->json, "Name"), account, name))
        return;
    struct events_bus_row row;
    int found = get_bus(c->es, account, name, &row);
    if (found < 0) {
        events_fail_internal(c);
        return;
    }
    if (found == 0) {
        events_fail(c, 400, "ResourceNotFoundException", "Event bus %s does not exist.", name);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    write_bus(c->es, &w, NULL, &row, true);
    events_bus_row_free(&row);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

void events_list_event_buses(struct events_call *c)
{
    int64_t limit;
    const char *token;
    if (!events_paging(c, &limit, &token))
        return;
    const char *prefix = json_str(c->json, "NamePrefix");
    if (!prefix)
        prefix = "";
    if (!token)
        token = "";
    struct events_bus_row *rows;
    size_t n;
    if (events_store_bus_list(events_reader(c->es), c->account, prefix, token, (size_t)limit + 1, &rows, &n) < 0) {
        events_fail_internal(c);
        return;
    }
    /* The default bus, where it sorts, when it has no row of its own. */
    bool default_stored = false;
    for (size_t i = 0; i < n; i++)
        default_stored |= strcmp(rows[i].name, EVENTS_DEFAULT_BUS) == 0;
    bool add_default = !default_stored && strncmp(EVENTS_DEFAULT_BUS, prefix, strlen(prefix)) == 0 &&
                       strcmp(EVENTS_DEFAULT_BUS, token) > 0;
    struct events_bus_row synthetic = {0};
    memcpy(synthetic.account, c->account, 13);
    synthetic.name = (char *)EVENTS_DEFAULT_BUS;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "EventBuses");
    size_t shown = 0, i = 0;
    const char *last = NULL;
    bool more = false;
    while (i < n || add_default) {
        const struct events_bus_row *next;
        if (add_default && (i == n || strcmp(EVENTS_DEFAULT_BUS, rows[i].name) < 0)) {
            next = &synthetic;
            add_default = false;
        } else {
            next = &rows[i++];
        }
        if (shown == (size_t)limit) {
            more = true;
            break;
        }
        write_bus(c->es, &w, NULL, next, false);
        last = next->name;
        shown++;
    }
    jw_array_close(&w);
    if (more && last)
        jw_string(&w, "NextToken", last);
    jw_object_close(&w);
    for (size_t k = 0; k < n; k++)
        events_bus_row_free(&rows[k]);
    free(rows);
    events_reply(c, &sb);
    strbuf_free(&sb);
}

/* ---- PutPermission, RemovePermission --------------------------------------------------------------------- */

struct permission_write {
    char account[13];
    char name[257];
    char *policy;                  /* the new document; NULL removes it */
};

static void permission_write_free(void *state)
{
    struct permission_write *p = state;
    free(p->policy);
    free(p);
}

static int apply_permission(struct store_conn *w, struct events_call *c)
{
    struct permission_write *p = c->state;
    return events_store_bus_set_policy(w, p->account, p->name, p->policy, clock_now_ms());
}

static void permission_done(struct events_call *c, bool ok)
{
    if (ok)
        events_reply_empty(c);
    else
        events_fail_internal(c);
}

/* Reads EventBusName and the bus's current policy (parsed, or NULL). */
static struct permission_write *permission_start(struct events_call *c, const struct json_value **policy)
{
    *policy = NULL;
    struct permission_write *p = calloc(1, sizeof(*p));
    if (!p) {
        events_fail_internal(c);
        return NULL;
    }
    c->state = p;
    c->free_state = permission_write_free;
    const char *name = json_str(c->json, "EventBusName");
    if (name && !events_name_ok(name, 256, ".-_")) {
        events_fail_constraint(c, "eventBusName", name, "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+");
        return NULL;
    }
    memcpy(p->account, c->account, 13);
    snprintf(p->name, sizeof(p->name), "%s", name ? name : EVENTS_DEFAULT_BUS);
    struct events_bus_row row;
    int found = get_bus(c->es, p->account, p->name, &row);
    if (found < 0) {
        events_fail_internal(c);
        return NULL;
    }
    if (found == 0) {
        events_fail(c, 400, "ResourceNotFoundException", "Event bus %s does not exist.", p->name);
        return NULL;
    }
    if (row.policy)
        *policy = json_parse(row.policy, strlen(row.policy), NULL);
    events_bus_row_free(&row);
    return p;
}

/* The policy with `statement` (JSON text) replacing the one of its Sid,
 * or without that Sid when statement is NULL: *out is the new document,
 * NULL when no statement is left. *removed tells whether a statement of
 * that Sid was there. False on no memory. */
static bool policy_with(const struct json_value *old, const char *sid, const char *statement, char **out,
                        bool *removed)
{
    *out = NULL;
    *removed = false;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Version", "2012-10-17");
    jw_array_open(&w, "Statement");
    const struct json_value *list = json_get(old, "Statement");
    size_t kept = 0;
    for (size_t i = 0; json_is(list, JSON_ARRAY) && i < list->len; i++) {
        const char *its = json_str(&list->u.items[i], "Sid");
        if (its && strcmp(its, sid) == 0) {
            *removed = true;
            continue;
        }
        jw_tree(&w, NULL, &list->u.items[i]);
        kept++;
    }
    if (statement) {
        jw_raw(&w, NULL, statement, strlen(statement));
        kept++;
    }
    jw_array_close(&w);
    jw_object_close(&w);
    bool ok = !strbuf_failed(&sb);
    if (ok && kept)
        *out = strbuf_detach(&sb, NULL);
    strbuf_free(&sb);
    return ok;
}

void events_put_permission(struct events_call *c)
{
    const struct json_value *old;
    struct permission_write *p = permission_start(c, &old);
    if (!p)
        return;
    const char *whole = json_str(c->json, "Policy");
    if (whole) {
        const struct json_value *doc = json_parse(whole, strlen(whole), NULL);
        bool valid = json_is(doc, JSON_OBJECT) && json_get(doc, "Statement");
        json_free(doc);
        json_free(old);
        if (!valid) {
            events_fail(c, 400, "ValidationException", "Policy is not a valid policy document.");
            return;
        }
        if (!(p->policy = strdup(whole))) {
            events_fail_internal(c);
            return;
        }
        events_submit(c, apply_permission, permission_done);
        return;
    }
    const char *action = json_str(c->json, "Action"), *principal = json_str(c->json, "Principal");
    const char *sid = json_str(c->json, "StatementId");
    const struct json_value *condition = json_get(c->json, "Condition");
    if (!action || !principal || !sid) {
        json_free(old);
        events_fail(c, 400, "ValidationException",
                    "Parameter(s) Action, Principal and StatementId must be specified when Policy is not.");
        return;
    }
    bool principal_ok = strcmp(principal, "*") == 0 ||
                        (strlen(principal) == 12 && strspn(principal, "0123456789") == 12);
    if (!principal_ok || strncmp(action, "events:", 7) != 0 || !events_name_ok(sid, 64, "-_")) {
        json_free(old);
        events_fail_constraint(c, !principal_ok ? "principal" : strncmp(action, "events:", 7) != 0 ? "action"
                                                                                                   : "statementId",
                               !principal_ok ? principal : strncmp(action, "events:", 7) != 0 ? action : sid,
                               "Member must satisfy its regular expression pattern");
        return;
    }
    char arn[EVENTS_ARN_MAX];
    events_bus_arn(c->es, p->account, p->name, arn);
    struct strbuf statement;
    strbuf_init(&statement);
    struct json_writer w;
    jw_init(&w, &statement);
    jw_object_open(&w, NULL);
    jw_string(&w, "Sid", sid);
    jw_string(&w, "Effect", "Allow");
    if (strcmp(principal, "*") == 0) {
        jw_string(&w, "Principal", "*");
    } else {
        char root[64];
        snprintf(root, sizeof(root), "arn:aws:iam::%s:root", principal);
        jw_object_open(&w, "Principal");
        jw_string(&w, "AWS", root);
        jw_object_close(&w);
    }
    jw_string(&w, "Action", action);
    jw_string(&w, "Resource", arn);
    const char *ctype = json_str(condition, "Type"), *ckey = json_str(condition, "Key");
    const char *cvalue = json_str(condition, "Value");
    if (ctype && ckey && cvalue) {
        jw_object_open(&w, "Condition");
        jw_object_open(&w, ctype);
        jw_string(&w, ckey, cvalue);
        jw_object_close(&w);
        jw_object_close(&w);
    }
    jw_object_close(&w);
    bool removed;
    bool ok = !strbuf_failed(&statement) && policy_with(old, sid, statement.data, &p->policy, &removed);
    strbuf_free(&statement);
    json_free(old);
    if (!ok) {
        events_fail_internal(c);
        return;
    }
    events_submit(c, apply_permission, permission_done);
}

void events_remove_permission(struct events_call *c)
{
    const struct json_value *old;
    struct permission_write *p = permission_start(c, &old);
    if (!p)
        return;
    bool all = false;
    json_bool(c->json, "RemoveAllPermissions", &all);
    const char *sid = json_str(c->json, "StatementId");
    if (!old) {
        events_fail(c, 400, "ResourceNotFoundException", "EventBus does not have a policy.");
        return;
    }
    if (!all) {
        if (!sid) {
            json_free(old);
            events_fail(c, 400, "ValidationException",
                        "Parameter StatementId must be specified when RemoveAllPermissions is not true.");
            return;
        }
        bool removed;
        if (!policy_with(old, sid, NULL, &p->policy, &removed)) {
            json_free(old);
            events_fail_internal(c);
            return;
        }
        if (!removed) {
            json_free(old);
            events_fail(c, 400, "ResourceNotFoundException", "Statement with the provided id does not exist.");
            return;
        }
    }
    json_free(old);
    events_submit(c, apply_permission, permission_done);
}
