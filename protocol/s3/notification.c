/* protocol/s3 notification: NotificationConfiguration XML and the event
 * messages (see notification.h).
 *
 * Parsing walks the document once, collecting each Topic/Queue/
 * CloudFunctionConfiguration into an s3_notify_rule; events are checked
 * against the event types S3 can notify of, filter rules against AWS's
 * rules (names prefix/suffix, at most one of each). The overlap check and
 * the JSON writers work on the parsed form only. */
#include "protocol/s3/notification.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

static const char *const known_events[] = {
    "s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*", "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete", "s3:Replication:*", "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked", "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold", "s3:LifecycleTransition",
    "s3:IntelligentTiering", "s3:ObjectAcl:Put", "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete", NULL};

static bool known_event(const char *e)
{
    for (size_t i = 0; known_events[i]; i++)
        if (strcmp(known_events[i], e) == 0)
            return true;
    return false;
}

const char *s3_notify_event_stem(const char *event)
{
    return strncmp(event, "s3:", 3) == 0 ? event + 3 : event;
}

void s3_notify_config_free(struct s3_notify_config *c)
{
    for (size_t i = 0; i < c->n_rules; i++) {
        struct s3_notify_rule *r = &c->rules[i];
        free(r->id);
        free(r->arn);
        for (size_t j = 0; j < r->n_events; j++)
            free(r->events[j]);
        free(r->events);
        free(r->prefix);
        free(r->suffix);
    }
    free(c->rules);
    memset(c, 0, sizeof(*c));
}

struct parse_error {
    const char *message, *arg_name, *arg_value;
};

static enum s3_err invalid(struct parse_error *pe, const char *message, const char *name,
                           const char *value)
{
    pe->message = message;
    pe->arg_name = name;
    pe->arg_value = value;
    return S3_ERR_INVALID_ARGUMENT;
}

static enum s3_err parse_filter_rule(const xmlNode *fr, struct s3_notify_rule *r,
                                     struct parse_error *pe)
{
    char *name = NULL, *value = NULL;
    enum s3_err err = S3_OK;
    for (const xmlNode *n = fr->children; n && err == S3_OK; n = n->next) {
        if (s3_xml_is(n, "Name") && !name)
            err = s3_xml_text(n, &name);
        else if (s3_xml_is(n, "Value") && !value)
            err = s3_xml_text(n, &value);
        else if (!s3_xml_ignorable(n))
            err = S3_ERR_MALFORMED_XML;
    }
    if (err == S3_OK && (!name || !value))
        err = S3_ERR_MALFORMED_XML;
    char **slot = NULL;
    if (err == S3_OK) {
        if (strcasecmp(name, "prefix") == 0)
            slot = &r->prefix;
        else if (strcasecmp(name, "suffix") == 0)
            slot = &r->suffix;
        else
            err = invalid(pe, "filter rule name must be either prefix or suffix", "FilterRule", NULL);
    }
    if (err == S3_OK && *slot)
        err = invalid(pe, strcasecmp(name, "prefix") == 0
                              ? "Cannot specify more than one prefix rule in a filter."
                              : "Cannot specify more than one suffix rule in a filter.",
                      "FilterRule", NULL);
    if (err == S3_OK) {
        *slot = value;
        value = NULL;
    }
    free(name);
    free(value);
    return err;
}

static enum s3_err parse_filter(const xmlNode *filter, struct s3_notify_rule *r,
                                struct parse_error *pe)
{
    for (const xmlNode *n = filter->children; n; n = n->next) {
        if (s3_xml_ignorable(n))
            continue;
        if (!s3_xml_is(n, "S3Key"))
            return S3_ERR_MALFORMED_XML;
        for (const xmlNode *k = n->children; k; k = k->next) {
            if (s3_xml_ignorable(k))
                continue;
            if (!s3_xml_is(k, "FilterRule"))
                return S3_ERR_MALFORMED_XML;
            enum s3_err err = parse_filter_rule(k, r, pe);
            if (err != S3_OK)
                return err;
        }
    }
    return S3_OK;
}

static enum s3_err add_event(struct s3_notify_rule *r, const xmlNode *n, struct parse_error *pe)
{
    char *event = NULL;
    enum s3_err err = s3_xml_text(n, &event);
    if (err != S3_OK)
        return err;
    char **grown = realloc(r->events, (r->n_events + 1) * sizeof(*grown));
    if (!grown) {
        free(event);
        return S3_ERR_INTERNAL_ERROR;
    }
    r->events = grown;
    r->events[r->n_events++] = event;
    if (!known_event(event))
        return invalid(pe, "The event is not supported for notifications", "Event", event);
    return S3_OK;
}

static enum s3_err parse_rule(const xmlNode *cfg, const char *arn_elem, struct s3_notify_rule *r,
                              struct parse_error *pe)
{
    enum s3_err err = S3_OK;
    bool seen_filter = false;
    for (const xmlNode *n = cfg->children; n && err == S3_OK; n = n->next) {
        if (s3_xml_is(n, "Id") && !r->id)
            err = s3_xml_text(n, &r->id);
        else if (s3_xml_is(n, arn_elem) && !r->arn)
            err = s3_xml_text(n, &r->arn);
        else if (s3_xml_is(n, "Event"))
            err = add_event(r, n, pe);
        else if (s3_xml_is(n, "Filter") && !seen_filter) {
            seen_filter = true;
            err = parse_filter(n, r, pe);
        } else if (!s3_xml_ignorable(n))
            err = S3_ERR_MALFORMED_XML;
    }
    if (err == S3_OK && (!r->arn || !r->n_events))
        err = S3_ERR_MALFORMED_XML;
    return err;
}

static const struct {
    const char *elem, *arn_elem;
    enum s3_notify_dest dest;
} rule_kinds[] = {
    {"TopicConfiguration", "Topic", S3_NOTIFY_TOPIC},
    {"QueueConfiguration", "Queue", S3_NOTIFY_QUEUE},
    {"CloudFunctionConfiguration", "CloudFunction", S3_NOTIFY_LAMBDA},
};

static enum s3_err parse_config(xmlNode *root, struct s3_notify_config *out, struct parse_error *pe)
{
    for (xmlNode *n = root->children; n; n = n->next) {
        if (s3_xml_ignorable(n))
            continue;
        if (s3_xml_is(n, "EventBridgeConfiguration")) {
            out->eventbridge = true;
            continue;
        }
        size_t k = 0;
        while (k < sizeof(rule_kinds) / sizeof(rule_kinds[0]) && !s3_xml_is(n, rule_kinds[k].elem))
            k++;
        if (k == sizeof(rule_kinds) / sizeof(rule_kinds[0]))
            return S3_ERR_MALFORMED_XML;
        struct s3_notify_rule *grown = realloc(out->rules, (out->n_rules + 1) * sizeof(*grown));
        if (!grown)
            return S3_ERR_INTERNAL_ERROR;
        out->rules = grown;
        struct s3_notify_rule *r = &out->rules[out->n_rules++];
        memset(r, 0, sizeof(*r));
        r->dest = rule_kinds[k].dest;
        enum s3_err err = parse_rule(n, rule_kinds[k].arn_elem, r, pe);
        if (err != S3_OK)
            return err;
    }
    return S3_OK;
}

enum s3_err s3_notify_config_parse(const char *body, size_t len, struct s3_notify_config *out,
                                   const char **message, const char **arg_name,
                                   const char **arg_value)
{
    memset(out, 0, sizeof(*out));
    struct parse_error pe = {0};
    xmlDoc *doc = NULL;
    enum s3_err err = s3_xml_read(body, len, "NotificationConfiguration", &doc);
    if (err == S3_OK)
        err = parse_config(s3_xml_root(doc), out, &pe);
    if (doc)
        xmlFreeDoc(doc);
    *message = pe.message;
    *arg_name = pe.arg_name;
    *arg_value = pe.arg_value;
    return err;
}

/* ---- overlap --------------------------------------------------------------- */

/* Do two event types name a common event ("ObjectCreated:*" covers
 * "ObjectCreated:Put")? */
static bool events_overlap(const char *a, const char *b)
{
    if (strcmp(a, b) == 0)
        return true;
    size_t la = strlen(a), lb = strlen(b);
    if (la && a[la - 1] == '*' && strncmp(a, b, la - 1) == 0)
        return true;
    return lb && b[lb - 1] == '*' && strncmp(a, b, lb - 1) == 0;
}

static bool prefixes_overlap(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    size_t la = strlen(a), lb = strlen(b);
    return strncmp(a, b, la < lb ? la : lb) == 0;
}

static bool suffixes_overlap(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
    return memcmp(a + la - n, b + lb - n, n) == 0;
}

static bool share_event(const struct s3_notify_rule *a, const struct s3_notify_rule *b)
{
    for (size_t i = 0; i < a->n_events; i++)
        for (size_t j = 0; j < b->n_events; j++)
            if (events_overlap(a->events[i], b->events[j]))
                return true;
    return false;
}

bool s3_notify_config_unambiguous(const struct s3_notify_config *c, const char **message)
{
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct s3_notify_rule *a = &c->rules[i];
        for (size_t j = i + 1; j < c->n_rules; j++) {
            const struct s3_notify_rule *b = &c->rules[j];
            if (!share_event(a, b) || !prefixes_overlap(a->prefix, b->prefix) ||
                !suffixes_overlap(a->suffix, b->suffix))
                continue;
            bool filtered = a->prefix || a->suffix || b->prefix || b->suffix;
            *message = filtered
                ? "Configuration is ambiguously defined. Cannot have overlapping suffixes in two "
                  "rules if the prefixes are overlapping for the same event type."
                : "Configurations overlap. Configurations on the same bucket cannot share a common "
                  "event type.";
            return false;
        }
    }
    return true;
}

/* ---- XML out ---------------------------------------------------------------- */

static void filter_rule_xml(struct strbuf *out, const char *name, const char *value)
{
    strbuf_puts(out, "<FilterRule>");
    strbuf_xml_elem(out, "Name", name);
    strbuf_xml_elem(out, "Value", value);
    strbuf_puts(out, "</FilterRule>");
}

void s3_notify_config_xml(struct strbuf *out, const struct s3_notify_config *c)
{
    strbuf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    for (size_t k = 0; k < sizeof(rule_kinds) / sizeof(rule_kinds[0]); k++) {
        for (size_t i = 0; i < c->n_rules; i++) {
            const struct s3_notify_rule *r = &c->rules[i];
            if (r->dest != rule_kinds[k].dest)
                continue;
            strbuf_printf(out, "<%s>", rule_kinds[k].elem);
            if (r->id)
                strbuf_xml_elem(out, "Id", r->id);
            strbuf_xml_elem(out, rule_kinds[k].arn_elem, r->arn);
            for (size_t e = 0; e < r->n_events; e++)
                strbuf_xml_elem(out, "Event", r->events[e]);
            if (r->prefix || r->suffix) {
                strbuf_puts(out, "<Filter><S3Key>");
                if (r->prefix)
                    filter_rule_xml(out, "Prefix", r->prefix);
                if (r->suffix)
                    filter_rule_xml(out, "Suffix", r->suffix);
                strbuf_puts(out, "</S3Key></Filter>");
            }
            strbuf_printf(out, "</%s>", rule_kinds[k].elem);
        }
    }
    if (c->eventbridge)
        strbuf_puts(out, "<EventBridgeConfiguration></EventBridgeConfiguration>");
    strbuf_puts(out, "</NotificationConfiguration>");
}

/* ---- event messages ----------------------------------------------------------- */

void s3_event_key_encode(struct strbuf *out, const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        unsigned char ch = *p;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '*' || ch == '/') {
            strbuf_putc(out, (char)ch);
        } else if (ch == ' ') {
            strbuf_putc(out, '+');
        } else {
            char esc[3] = {'%', hex[ch >> 4], hex[ch & 15]};
            strbuf_append(out, esc, 3);
        }
    }
}

static void json_field(struct strbuf *out, const char *name, const char *value)
{
    strbuf_json_string(out, name, strlen(name));
    strbuf_putc(out, ':');
    strbuf_json_string(out, value ? value : "", value ? strlen(value) : 0);
}

/* Tagging events carry schema 2.3 (AWS's notification-content-structure);
 * object creation and removal 2.1. */
static const char *event_version(const char *event_name)
{
    return strncmp(event_name, "ObjectTagging:", 14) == 0 ? "2.3" : "2.1";
}

static void object_json(struct strbuf *out, const struct s3_event *ev)
{
    struct strbuf key;
    strbuf_init(&key);
    s3_event_key_encode(&key, ev->key);
    strbuf_puts(out, "\"object\":{");
    json_field(out, "key", strbuf_failed(&key) ? "" : key.data ? key.data : "");
    strbuf_free(&key);
    if (ev->size >= 0)
        strbuf_printf(out, ",\"size\":%lld", (long long)ev->size);
    if (ev->etag) {
        strbuf_putc(out, ',');
        json_field(out, "eTag", ev->etag);
    }
    if (ev->version_id) {
        strbuf_putc(out, ',');
        json_field(out, "versionId", ev->version_id);
    }
    strbuf_putc(out, ',');
    json_field(out, "sequencer", ev->sequencer);
    strbuf_putc(out, '}');
}

void s3_event_json(struct strbuf *out, const struct s3_event *ev)
{
    char when[32];
    date_iso8601(ev->event_ms, when);
    strbuf_puts(out, "{\"Records\":[{");
    json_field(out, "eventVersion", event_version(ev->event_name));
    strbuf_putc(out, ',');
    json_field(out, "eventSource", "aws:s3");
    strbuf_putc(out, ',');
    json_field(out, "awsRegion", ev->region);
    strbuf_putc(out, ',');
    json_field(out, "eventTime", when);
    strbuf_putc(out, ',');
    json_field(out, "eventName", ev->event_name);
    strbuf_puts(out, ",\"userIdentity\":{");
    json_field(out, "principalId", ev->principal);
    strbuf_puts(out, "},\"requestParameters\":{");
    json_field(out, "sourceIPAddress", ev->source_ip);
    strbuf_puts(out, "},\"responseElements\":{");
    json_field(out, "x-amz-request-id", ev->request_id);
    strbuf_putc(out, ',');
    json_field(out, "x-amz-id-2", ev->host_id);
    strbuf_puts(out, "},\"s3\":{");
    json_field(out, "s3SchemaVersion", "1.0");
    strbuf_putc(out, ',');
    json_field(out, "configurationId", ev->config_id);
    strbuf_puts(out, ",\"bucket\":{");
    json_field(out, "name", ev->bucket);
    strbuf_puts(out, ",\"ownerIdentity\":{");
    json_field(out, "principalId", ev->owner);
    /* Bucket names are [a-z0-9.-]: the ARN needs no escaping beyond JSON's. */
    char arn[128];
    snprintf(arn, sizeof(arn), "arn:aws:s3:::%s", ev->bucket);
    strbuf_puts(out, "},");
    json_field(out, "arn", arn);
    strbuf_puts(out, "},");
    object_json(out, ev);
    strbuf_puts(out, "}}]}");
}

void s3_test_event_json(struct strbuf *out, const char *bucket, int64_t ms,
                        const char *request_id, const char *host_id)
{
    char when[32];
    date_iso8601(ms, when);
    strbuf_putc(out, '{');
    json_field(out, "Service", "Amazon S3");
    strbuf_putc(out, ',');
    json_field(out, "Event", "s3:TestEvent");
    strbuf_putc(out, ',');
    json_field(out, "Time", when);
    strbuf_putc(out, ',');
    json_field(out, "Bucket", bucket);
    strbuf_putc(out, ',');
    json_field(out, "RequestId", request_id);
    strbuf_putc(out, ',');
    json_field(out, "HostId", host_id);
    strbuf_putc(out, '}');
}
