/* protocol/s3 lifecycle: the lifecycle configuration — its validation,
 * and reading its enabled rules back for the sweep (filter, expiration,
 * noncurrent version expiration, abort of incomplete uploads). See
 * bucket_config.h. */
#include "protocol/s3/bucket_config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

/* "2024-01-01T00:00:00Z" or "...000Z" at midnight UTC -> ms; -1 otherwise. */
static int64_t midnight_date_ms(const char *v)
{
    int y, mo, d, h, mi;
    double s;
    char z = 0;
    if (!v || sscanf(v, "%4d-%2d-%2dT%2d:%2d:%lf%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 || z != 'Z')
        return -1;
    if (h || mi || s != 0.0 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    /* Days from civil (Howard Hinnant's algorithm). */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    return days * 86400000LL;
}

static enum s3_err validate_expiration(const xmlNode *e, const char **message)
{
    const char *days = s3_xml_child_text(e, "Days"), *date = s3_xml_child_text(e, "Date");
    const char *marker = s3_xml_child_text(e, "ExpiredObjectDeleteMarker");
    if ((days != NULL) + (date != NULL) + (marker != NULL) != 1)
        return S3_ERR_MALFORMED_XML;
    long n;
    if (days && !s3_xml_int(days, 1, 2147483647L, &n)) {
        *message = "'Days' for Expiration action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (date && midnight_date_ms(date) < 0) {
        *message = "'Date' must be at midnight GMT";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (marker && !s3_xml_is_bool(marker))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static enum s3_err validate_lifecycle_rule(const xmlNode *r, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Disabled", NULL};
    static const char *const actions[] = {
        "Expiration", "Transition", "NoncurrentVersionExpiration",
        "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload", NULL};
    if (!s3_xml_value_in(s3_xml_child_text(r, "Status"), statuses))
        return S3_ERR_MALFORMED_XML;
    const char *id = s3_xml_child_text(r, "ID");
    if (id && strlen(id) > 255) {
        *message = "ID length should not exceed allowed limit of 255";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (s3_xml_child(r, "Filter") && s3_xml_child(r, "Prefix"))
        return S3_ERR_MALFORMED_XML;
    xmlNode *filter = s3_xml_child(r, "Filter");
    if (filter) {
        size_t predicates = s3_xml_count(filter, "Prefix") + s3_xml_count(filter, "Tag") +
                            s3_xml_count(filter, "And") + s3_xml_count(filter, "ObjectSizeGreaterThan") +
                            s3_xml_count(filter, "ObjectSizeLessThan");
        if (predicates > 1)
            return S3_ERR_MALFORMED_XML;
        xmlNode *tag = s3_xml_child(filter, "Tag");
        if (tag && (!s3_xml_child_text(tag, "Key") || !s3_xml_child_text(tag, "Value")))
            return S3_ERR_MALFORMED_XML;
    }
    bool any_action = false;
    for (size_t i = 0; actions[i]; i++)
        any_action |= s3_xml_child(r, actions[i]) != NULL;
    if (!any_action) {
        *message = "At least one action needs to be specified in a rule";
        return S3_ERR_INVALID_REQUEST;
    }
    xmlNode *exp = s3_xml_child(r, "Expiration");
    enum s3_err err = exp ? validate_expiration(exp, message) : S3_OK;
    if (err != S3_OK)
        return err;
    xmlNode *abort = s3_xml_child(r, "AbortIncompleteMultipartUpload");
    long n;
    if (abort && !s3_xml_int(s3_xml_child_text(abort, "DaysAfterInitiation"), 1, 2147483647L, &n)) {
        *message = "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *noncurrent = s3_xml_child(r, "NoncurrentVersionExpiration");
    if (noncurrent && !s3_xml_int(s3_xml_child_text(noncurrent, "NoncurrentDays"), 1, 2147483647L, &n)) {
        *message = "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    const char *newer = noncurrent ? s3_xml_child_text(noncurrent, "NewerNoncurrentVersions") : NULL;
    if (newer && !s3_xml_int(newer, 1, 100, &n)) {
        *message = "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *and = filter ? s3_xml_child(filter, "And") : NULL;
    if (abort && filter && (s3_xml_child(filter, "Tag") || (and && s3_xml_child(and, "Tag")))) {
        *message = "AbortIncompleteMultipartUpload cannot be specified with Tags.";
        return S3_ERR_INVALID_REQUEST;
    }
    return S3_OK;
}

enum s3_err s3_lifecycle_validate(const xmlNode *root, const char **message)
{
    size_t n = s3_xml_count(root, "Rule");
    if (n == 0)
        return S3_ERR_MALFORMED_XML;
    if (n > 1000) {
        *message = "The number of lifecycle rules should not exceed allowed limit of 1000 rules";
        return S3_ERR_INVALID_REQUEST;
    }
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!s3_xml_is(r, "Rule"))
            continue;
        enum s3_err err = validate_lifecycle_rule(r, message);
        if (err != S3_OK)
            return err;
        const char *id = s3_xml_child_text(r, "ID");
        for (xmlNode *o = r->next; id && o; o = o->next) {
            const char *other = s3_xml_is(o, "Rule") ? s3_xml_child_text(o, "ID") : NULL;
            if (other && strcmp(id, other) == 0) {
                *message = "Rule ID must be unique. Found same ID for more than one rule";
                return S3_ERR_INVALID_ARGUMENT;
            }
        }
    }
    return S3_OK;
}

/* The filter of a rule into *rule: its prefix (the legacy <Prefix> too),
 * tags and size bounds, from <Filter> or <Filter><And>. */
static int read_rule_filter(const xmlNode *r, struct s3_lifecycle_rule *rule)
{
    rule->size_greater_than = rule->size_less_than = -1;
    xmlNode *filter = s3_xml_child(r, "Filter");
    xmlNode *and = filter ? s3_xml_child(filter, "And") : NULL;
    const xmlNode *scope = and ? and : filter;
    const char *prefix = scope ? s3_xml_child_text(scope, "Prefix") : s3_xml_child_text(r, "Prefix");
    rule->prefix = strdup(prefix ? prefix : "");
    if (!rule->prefix)
        return -1;
    long v;
    if (scope && s3_xml_int(s3_xml_child_text(scope, "ObjectSizeGreaterThan"), 0, LONG_MAX, &v))
        rule->size_greater_than = v;
    if (scope && s3_xml_int(s3_xml_child_text(scope, "ObjectSizeLessThan"), 1, LONG_MAX, &v))
        rule->size_less_than = v;
    size_t n = scope ? s3_xml_count(scope, "Tag") : 0;
    if (!n)
        return 0;
    rule->tags = calloc(n, sizeof(*rule->tags));
    if (!rule->tags)
        return -1;
    for (xmlNode *t = scope->children; t; t = t->next) {
        if (!s3_xml_is(t, "Tag"))
            continue;
        const char *key = s3_xml_child_text(t, "Key"), *value = s3_xml_child_text(t, "Value");
        struct s3_kv *kv = &rule->tags[rule->n_tags++];
        kv->name = strdup(key ? key : "");
        kv->value = strdup(value ? value : "");
        if (!kv->name || !kv->value)
            return -1;
    }
    return 0;
}

int s3_lifecycle_rules(const char *doc, struct s3_lifecycle_rule **rules, size_t *n)
{
    *rules = NULL;
    *n = 0;
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_LIFECYCLE, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *root = s3_xml_root(d);
    size_t cap = s3_xml_count(root, "Rule");
    struct s3_lifecycle_rule *out = cap ? calloc(cap, sizeof(*out)) : NULL;
    if (cap && !out) {
        xmlFreeDoc(d);
        return -1;
    }
    size_t count = 0;
    int rc = 0;
    for (xmlNode *r = root->children; r && rc == 0; r = r->next) {
        if (!s3_xml_is(r, "Rule"))
            continue;
        const char *status = s3_xml_child_text(r, "Status");
        if (!status || strcmp(status, "Enabled") != 0)
            continue;
        long days = 0, abort_days = 0, noncurrent_days = 0, newer = 0;
        int64_t date = -1;
        xmlNode *exp = s3_xml_child(r, "Expiration");
        if (exp && !s3_xml_int(s3_xml_child_text(exp, "Days"), 1, 2147483647L, &days))
            date = midnight_date_ms(s3_xml_child_text(exp, "Date"));
        const char *marker = exp ? s3_xml_child_text(exp, "ExpiredObjectDeleteMarker") : NULL;
        bool expired_marker = marker && strcasecmp(marker, "true") == 0;
        xmlNode *abort = s3_xml_child(r, "AbortIncompleteMultipartUpload");
        if (abort && !s3_xml_int(s3_xml_child_text(abort, "DaysAfterInitiation"), 1, 2147483647L, &abort_days))
            abort_days = 0;
        xmlNode *noncurrent = s3_xml_child(r, "NoncurrentVersionExpiration");
        if (noncurrent && !s3_xml_int(s3_xml_child_text(noncurrent, "NoncurrentDays"), 1, 2147483647L, &noncurrent_days))
            noncurrent_days = 0;
        if (noncurrent && !s3_xml_int(s3_xml_child_text(noncurrent, "NewerNoncurrentVersions"), 1, 100, &newer))
            newer = 0;
        if (!days && date < 0 && !expired_marker && !noncurrent_days && !abort_days)
            continue;
        struct s3_lifecycle_rule *rule = &out[count++];
        rule->expiration_days = (int)days;
        rule->expiration_date_ms = date < 0 ? 0 : date;
        rule->expired_delete_marker = expired_marker;
        rule->noncurrent_days = (int)noncurrent_days;
        rule->newer_noncurrent = (int)newer;
        rule->abort_days = (int)abort_days;
        rc = read_rule_filter(r, rule);
    }
    xmlFreeDoc(d);
    if (rc < 0) {
        s3_lifecycle_rules_free(out, count);
        return -1;
    }
    *rules = out;
    *n = count;
    return 0;
}

void s3_lifecycle_rules_free(struct s3_lifecycle_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rules[i].prefix);
        s3_kv_free_array(rules[i].tags, rules[i].n_tags);
    }
    free(rules);
}

bool s3_lifecycle_rule_covers(const struct s3_lifecycle_rule *rule, int64_t size, const struct s3_kv *tags,
                              size_t n_tags)
{
    if ((rule->size_greater_than >= 0 && size <= rule->size_greater_than) ||
        (rule->size_less_than >= 0 && size >= rule->size_less_than))
        return false;
    for (size_t i = 0; i < rule->n_tags; i++) {
        bool found = false;
        for (size_t j = 0; j < n_tags && !found; j++)
            found = strcmp(rule->tags[i].name, tags[j].name) == 0 && strcmp(rule->tags[i].value, tags[j].value) == 0;
        if (!found)
            return false;
    }
    return true;
}
