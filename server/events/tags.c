/* events_tags: TagResource, UntagResource and ListTagsForResource of
 * EventBridge (event buses and rules, named by ARN), and the tag helpers
 * both services use (Scheduler tags its schedule groups the same way).
 * Tags are rows keyed by the resource's ARN (storage/events); a resource's
 * removal removes them. */
#include "server/events/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAGS_MAX 50

bool events_tags_valid(struct events_call *c, const struct json_value *tags)
{
    if (!tags)
        return true;
    if (!json_is(tags, JSON_ARRAY)) {
        events_fail(c, 400, "SerializationException", "Tags must be a list.");
        return false;
    }
    if (tags->len > (c->scheduler ? 200 : TAGS_MAX)) {
        events_fail(c, 400, "ValidationException",
                    "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have "
                    "length less than or equal to %d", c->scheduler ? 200 : TAGS_MAX);
        return false;
    }
    for (size_t i = 0; i < tags->len; i++) {
        const char *key = json_str(&tags->u.items[i], "Key"), *value = json_str(&tags->u.items[i], "Value");
        if (!key || !value) {
            events_fail_missing(c, !key ? "tags.member.key" : "tags.member.value");
            return false;
        }
        size_t klen = strlen(key), vlen = strlen(value);
        if (klen < 1 || klen > 128 || vlen > 256 || (c->scheduler && vlen < 1)) {
            events_fail_constraint(c, klen < 1 || klen > 128 ? "tags.member.key" : "tags.member.value",
                                   klen < 1 || klen > 128 ? key : value,
                                   klen < 1 || klen > 128 ? "Member must have length between 1 and 128"
                                                          : "Member must have length less than or equal to 256");
            return false;
        }
        if (strncmp(key, "aws:", 4) == 0) {
            events_fail(c, 400, "ValidationException", "Tag keys starting with aws: are reserved for AWS use.");
            return false;
        }
    }
    return true;
}

int events_tags_apply(struct store_conn *w, const char *arn, const struct json_value *tags)
{
    for (size_t i = 0; json_is(tags, JSON_ARRAY) && i < tags->len; i++)
        if (events_store_tag_put(w, arn, json_str(&tags->u.items[i], "Key"), json_str(&tags->u.items[i], "Value")) <
            0)
            return -1;
    return 0;
}

bool events_tags_write(struct events_service *es, struct json_writer *w, const char *arn)
{
    struct events_tag *tags;
    size_t n;
    if (events_store_tags_get(events_reader(es), arn, &tags, &n) < 0)
        return false;
    jw_array_open(w, "Tags");
    for (size_t i = 0; i < n; i++) {
        jw_object_open(w, NULL);
        jw_string(w, "Key", tags[i].key);
        jw_string(w, "Value", tags[i].value);
        jw_object_close(w);
    }
    jw_array_close(w);
    events_tags_free(tags, n);
    return true;
}

/* ---- the operations ---------------------------------------------------------------------- */

/* The bus or rule an ARN of the caller's account names, if it exists;
 * false when an error was answered. */
static bool resource_exists(struct events_call *c, const char *arn)
{
    char prefix[128];
    int n = snprintf(prefix, sizeof(prefix), "arn:aws:events:%s:%s:", events_region(c->es), c->account);
    if (strncmp(arn, prefix, (size_t)n) != 0) {
        events_fail(c, 400, "ResourceNotFoundException", "Resource %.400s does not exist.", arn);
        return false;
    }
    const char *rest = arn + n;
    if (strncmp(rest, "event-bus/", 10) == 0)
        return events_bus_exists(c, c->account, rest + 10);
    if (strncmp(rest, "rule/", 5) == 0) {
        const char *name = rest + 5, *slash = strrchr(name, '/');
        char bus[257];
        snprintf(bus, sizeof(bus), "%.*s", slash ? (int)(slash - name) : 7, slash ? name : EVENTS_DEFAULT_BUS);
        if (slash)
            name = slash + 1;
        if (!events_rule_find(c->es, c->account, bus, name)) {
            events_fail(c, 400, "ResourceNotFoundException", "Rule %s does not exist on EventBus %s.", name, bus);
            return false;
        }
        return true;
    }
    events_fail(c, 400, "ResourceNotFoundException", "Resource %.400s does not exist.", arn);
    return false;
}

static const char *resource_arn(struct events_call *c)
{
    const char *arn = json_str(c->json, "ResourceARN");
    if (!arn)
        events_fail_missing(c, "resourceARN");
    return arn && resource_exists(c, arn) ? arn : NULL;
}

static int apply_tag(struct store_conn *w, struct events_call *c)
{
    return events_tags_apply(w, json_str(c->json, "ResourceARN"), json_get(c->json, "Tags"));
}

static int apply_untag(struct store_conn *w, struct events_call *c)
{
    const char *arn = json_str(c->json, "ResourceARN");
    const struct json_value *keys = json_get(c->json, "TagKeys");
    for (size_t i = 0; i < keys->len; i++)
        if (json_is(&keys->u.items[i], JSON_STRING) &&
            events_store_tag_delete(w, arn, json_string(&keys->u.items[i])) < 0)
            return -1;
    return 0;
}

static void tags_written(struct events_call *c, bool ok)
{
    if (ok)
        events_reply_empty(c);
    else
        events_fail_internal(c);
}

void events_tag_resource(struct events_call *c)
{
    const struct json_value *tags = json_get(c->json, "Tags");
    if (!tags) {
        events_fail_missing(c, "tags");
        return;
    }
    if (events_tags_valid(c, tags) && resource_arn(c))
        events_submit(c, apply_tag, tags_written);
}

void events_untag_resource(struct events_call *c)
{
    if (!json_is(json_get(c->json, "TagKeys"), JSON_ARRAY)) {
        events_fail_missing(c, "tagKeys");
        return;
    }
    if (resource_arn(c))
        events_submit(c, apply_untag, tags_written);
}

void events_list_tags_for_resource(struct events_call *c)
{
    const char *arn = resource_arn(c);
    if (!arn)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    bool ok = events_tags_write(c->es, &w, arn);
    jw_object_close(&w);
    if (ok)
        events_reply(c, &sb);
    else
        events_fail_internal(c);
    strbuf_free(&sb);
}
