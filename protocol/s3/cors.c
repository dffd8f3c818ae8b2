/* protocol/s3 cors: the CORS configuration — its validation and matching
 * a request against its rules (the preflight's and an ordinary request's
 * Origin). See bucket_config.h. */
#include "protocol/s3/bucket_config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

enum s3_err s3_cors_validate(const xmlNode *root, const char **message)
{
    static const char *const methods[] = {"GET", "PUT", "HEAD", "POST", "DELETE", NULL};
    size_t n = s3_xml_count(root, "CORSRule");
    if (n == 0)
        return S3_ERR_MALFORMED_XML;
    if (n > 100) {
        *message = "The number of CORS rules should not exceed allowed limit of 100 rules.";
        return S3_ERR_INVALID_REQUEST;
    }
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!s3_xml_is(r, "CORSRule"))
            continue;
        if (!s3_xml_child(r, "AllowedMethod") || !s3_xml_child(r, "AllowedOrigin"))
            return S3_ERR_MALFORMED_XML;
        for (xmlNode *m = r->children; m; m = m->next) {
            if (!s3_xml_is(m, "AllowedMethod"))
                continue;
            char *v = NULL;
            if (s3_xml_text(m, &v) != S3_OK)
                return S3_ERR_MALFORMED_XML;
            bool ok = s3_xml_value_in(v, methods);
            free(v);
            if (!ok) {
                *message = "Found unsupported HTTP method in CORS config.";
                return S3_ERR_INVALID_REQUEST;
            }
        }
        long age;
        const char *max_age = s3_xml_child_text(r, "MaxAgeSeconds");
        if (max_age && !s3_xml_int(max_age, 0, 2147483647L, &age))
            return S3_ERR_MALFORMED_XML;
    }
    return S3_OK;
}

void s3_cors_grant_free(struct s3_cors_grant *g)
{
    free(g->allow_origin);
    free(g->allow_methods);
    free(g->allow_headers);
    free(g->expose_headers);
    memset(g, 0, sizeof(*g));
}

/* Glob with at most one '*' (AWS's rule for AllowedOrigin and
 * AllowedHeader), case-insensitive when `nocase`. */
static bool wildcard_match(const char *pattern, const char *s, bool nocase)
{
    const char *star = strchr(pattern, '*');
    int (*cmp)(const char *, const char *, size_t) = nocase ? strncasecmp : strncmp;
    if (!star)
        return nocase ? strcasecmp(pattern, s) == 0 : strcmp(pattern, s) == 0;
    size_t pre = (size_t)(star - pattern), post = strlen(star + 1), len = strlen(s);
    return len >= pre + post && cmp(pattern, s, pre) == 0 && cmp(star + 1, s + len - post, post) == 0;
}

/* True when any <name> child of the rule matches `value`. */
static bool rule_lists(const xmlNode *rule, const char *name, const char *value, bool glob, bool nocase)
{
    for (xmlNode *c = rule->children; c; c = c->next) {
        if (!s3_xml_is(c, name))
            continue;
        char *v = NULL;
        if (s3_xml_text(c, &v) != S3_OK)
            continue;
        bool ok = glob ? wildcard_match(v, value, nocase) : strcmp(v, value) == 0;
        free(v);
        if (ok)
            return true;
    }
    return false;
}

/* Every comma-separated header requested is allowed by the rule. */
static bool headers_allowed(const xmlNode *rule, const char *request_headers)
{
    if (!request_headers)
        return true;
    const char *p = request_headers;
    while (*p) {
        p += strspn(p, " ,\t");
        size_t n = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            char *h = strndup(p, n);
            if (!h)
                return false;
            bool ok = rule_lists(rule, "AllowedHeader", h, true, true);
            free(h);
            if (!ok)
                return false;
        }
        p += strcspn(p, ",");
    }
    return true;
}

/* "A, B, C" from every <name> child. */
static char *joined_children(const xmlNode *rule, const char *name)
{
    struct strbuf sb;
    strbuf_init(&sb);
    for (xmlNode *c = rule->children; c; c = c->next) {
        if (!s3_xml_is(c, name))
            continue;
        char *v = NULL;
        if (s3_xml_text(c, &v) != S3_OK)
            continue;
        if (sb.len)
            strbuf_puts(&sb, ", ");
        strbuf_puts(&sb, v);
        free(v);
    }
    if (strbuf_failed(&sb) || sb.len == 0) {
        strbuf_free(&sb);
        return NULL;
    }
    return strbuf_detach(&sb, NULL);
}

static int fill_grant(const xmlNode *rule, const char *origin, const char *request_headers,
                      struct s3_cors_grant *out)
{
    bool any_origin = rule_lists(rule, "AllowedOrigin", "*", false, false);
    out->credentials = !any_origin;
    out->allow_origin = strdup(any_origin ? "*" : origin);
    out->allow_methods = joined_children(rule, "AllowedMethod");
    out->expose_headers = joined_children(rule, "ExposeHeader");
    out->allow_headers = request_headers ? strdup(request_headers) : NULL;
    long age = -1;
    const char *max_age = s3_xml_child_text(rule, "MaxAgeSeconds");
    out->max_age = max_age && s3_xml_int(max_age, 0, 2147483647L, &age) ? (int)age : -1;
    if (!out->allow_origin || !out->allow_methods || (request_headers && !out->allow_headers)) {
        s3_cors_grant_free(out);
        return -1;
    }
    return 1;
}

int s3_cors_match(const char *doc, const char *origin, const char *method,
                  const char *request_headers, struct s3_cors_grant *out)
{
    memset(out, 0, sizeof(*out));
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_CORS, &d) < 0)
        return -1;
    if (!d)
        return 0;
    int rc = 0;
    for (xmlNode *r = s3_xml_root(d)->children; r && rc == 0; r = r->next) {
        if (!s3_xml_is(r, "CORSRule"))
            continue;
        if (rule_lists(r, "AllowedOrigin", origin, true, false) &&
            rule_lists(r, "AllowedMethod", method, false, false) && headers_allowed(r, request_headers))
            rc = fill_grant(r, origin, request_headers, out);
    }
    xmlFreeDoc(d);
    return rc;
}
