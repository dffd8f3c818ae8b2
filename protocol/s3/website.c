/* protocol/s3 website: the website configuration — its validation, and
 * reading it back for the website endpoint (index and error documents,
 * RedirectAllRequestsTo, routing rules). See bucket_config.h. */
#include "protocol/s3/bucket_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

enum s3_err s3_website_validate(const xmlNode *root, const char **message)
{
    xmlNode *redirect = s3_xml_child(root, "RedirectAllRequestsTo");
    if (redirect) {
        if (s3_xml_child(root, "IndexDocument") || s3_xml_child(root, "ErrorDocument") || s3_xml_child(root, "RoutingRules")) {
            *message = "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *host = s3_xml_child_text(redirect, "HostName");
        if (!host || !*host)
            return S3_ERR_MALFORMED_XML;
        const char *protocol = s3_xml_child_text(redirect, "Protocol");
        if (protocol && strcmp(protocol, "http") != 0 && strcmp(protocol, "https") != 0) {
            *message = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.";
            return S3_ERR_INVALID_REQUEST;
        }
        return S3_OK;
    }
    const char *suffix = s3_xml_child_text(s3_xml_child(root, "IndexDocument"), "Suffix");
    if (!suffix || !*suffix) {
        *message = "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (strchr(suffix, '/')) {
        *message = "The IndexDocument Suffix is not well formed";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *error_doc = s3_xml_child(root, "ErrorDocument");
    const char *key = s3_xml_child_text(error_doc, "Key");
    if (error_doc && (!key || !*key)) {
        *message = "The ErrorDocument Key is not well formed";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *rules = s3_xml_child(root, "RoutingRules");
    for (xmlNode *r = rules ? rules->children : NULL; r; r = r->next) {
        if (!s3_xml_is(r, "RoutingRule"))
            continue;
        xmlNode *redirect = s3_xml_child(r, "Redirect");
        if (!redirect)
            return S3_ERR_MALFORMED_XML;
        if (s3_xml_child(redirect, "ReplaceKeyPrefixWith") && s3_xml_child(redirect, "ReplaceKeyWith")) {
            *message = "You can only define ReplaceKeyPrefix or ReplaceKey but not both.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *protocol = s3_xml_child_text(redirect, "Protocol");
        if (protocol && strcmp(protocol, "http") != 0 && strcmp(protocol, "https") != 0) {
            *message = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.";
            return S3_ERR_INVALID_REQUEST;
        }
        long code;
        const char *redirect_code = s3_xml_child_text(redirect, "HttpRedirectCode");
        if (redirect_code && !(s3_xml_int(redirect_code, 300, 399, &code) && code != 300 && code != 304)) {
            *message = "The provided HTTP redirect code is not valid. It should be a string containing a number.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *error_code = s3_xml_child_text(s3_xml_child(r, "Condition"), "HttpErrorCodeReturnedEquals");
        if (error_code && !s3_xml_int(error_code, 400, 599, &code)) {
            *message = "The provided HTTP error code is not valid. Valid codes are 4XX or 5XX.";
            return S3_ERR_INVALID_REQUEST;
        }
    }
    return S3_OK;
}

static int dup_optional(const char *v, char **out)
{
    *out = v ? strdup(v) : NULL;
    return v && !*out ? -1 : 0;
}

void s3_website_free(struct s3_website *w)
{
    free(w->index_suffix);
    free(w->error_key);
    free(w->redirect_host);
    free(w->redirect_protocol);
    for (size_t i = 0; i < w->n_rules; i++) {
        struct s3_routing_rule *r = &w->rules[i];
        free(r->key_prefix_equals);
        free(r->protocol);
        free(r->host_name);
        free(r->replace_key_prefix_with);
        free(r->replace_key_with);
    }
    free(w->rules);
    memset(w, 0, sizeof(*w));
}

const struct s3_routing_rule *s3_website_route(const struct s3_website *w, const char *key, int status)
{
    for (size_t i = 0; i < w->n_rules; i++) {
        const struct s3_routing_rule *r = &w->rules[i];
        if (r->error_code != status)
            continue;
        if (!r->key_prefix_equals || strncmp(key, r->key_prefix_equals, strlen(r->key_prefix_equals)) == 0)
            return r;
    }
    return NULL;
}

char *s3_routing_rule_target(const struct s3_routing_rule *rule, const char *key)
{
    if (rule->replace_key_with)
        return strdup(rule->replace_key_with);
    if (!rule->replace_key_prefix_with)
        return strdup(key);
    size_t skip = rule->key_prefix_equals ? strlen(rule->key_prefix_equals) : 0;
    size_t len = strlen(rule->replace_key_prefix_with) + strlen(key + skip) + 1;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%s%s", rule->replace_key_prefix_with, key + skip);
    return out;
}

/* The RoutingRules of a stored website document into w. */
static int read_routing_rules(const xmlNode *root, struct s3_website *w)
{
    xmlNode *rules = s3_xml_child(root, "RoutingRules");
    size_t n = rules ? s3_xml_count(rules, "RoutingRule") : 0;
    if (!n)
        return 0;
    if (!(w->rules = calloc(n, sizeof(*w->rules))))
        return -1;
    for (xmlNode *r = rules->children; r; r = r->next) {
        if (!s3_xml_is(r, "RoutingRule"))
            continue;
        struct s3_routing_rule *rule = &w->rules[w->n_rules++];
        xmlNode *condition = s3_xml_child(r, "Condition"), *redirect = s3_xml_child(r, "Redirect");
        long code;
        rule->error_code = s3_xml_int(s3_xml_child_text(condition, "HttpErrorCodeReturnedEquals"), 400, 599, &code) ? (int)code : 0;
        rule->redirect_code = s3_xml_int(s3_xml_child_text(redirect, "HttpRedirectCode"), 300, 399, &code) ? (int)code : 301;
        if (dup_optional(s3_xml_child_text(condition, "KeyPrefixEquals"), &rule->key_prefix_equals) < 0 ||
            dup_optional(s3_xml_child_text(redirect, "Protocol"), &rule->protocol) < 0 ||
            dup_optional(s3_xml_child_text(redirect, "HostName"), &rule->host_name) < 0 ||
            dup_optional(s3_xml_child_text(redirect, "ReplaceKeyPrefixWith"), &rule->replace_key_prefix_with) < 0 ||
            dup_optional(s3_xml_child_text(redirect, "ReplaceKeyWith"), &rule->replace_key_with) < 0)
            return -1;
    }
    return 0;
}

int s3_website_read(const char *doc, struct s3_website *out)
{
    memset(out, 0, sizeof(*out));
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_WEBSITE, &d) < 0 || !d)
        return -1;
    xmlNode *root = s3_xml_root(d);
    xmlNode *redirect = s3_xml_child(root, "RedirectAllRequestsTo");
    int rc = 0;
    if (dup_optional(s3_xml_child_text(s3_xml_child(root, "IndexDocument"), "Suffix"), &out->index_suffix) < 0 ||
        dup_optional(s3_xml_child_text(s3_xml_child(root, "ErrorDocument"), "Key"), &out->error_key) < 0 ||
        dup_optional(s3_xml_child_text(redirect, "HostName"), &out->redirect_host) < 0 ||
        dup_optional(s3_xml_child_text(redirect, "Protocol"), &out->redirect_protocol) < 0 ||
        read_routing_rules(root, out) < 0) {
        s3_website_free(out);
        rc = -1;
    }
    xmlFreeDoc(d);
    return rc;
}
