/* protocol/s3 bucket configuration: validation, canonical form and readers
 * of the XML bucket sub-resources; see bucket_config.h.
 *
 * Each kind has a root element name and a validator that walks the parsed
 * document checking what AWS checks (required elements, enumerated values,
 * limits), answering with AWS's error code and message. The canonical form
 * is then written by one generic walk: an element with child elements is
 * written with those children only, a leaf with its text. Readers parse a
 * stored document again; they are small and run rarely (per CORS request,
 * per lifecycle sweep, per website request). */
#include "protocol/s3/bucket_config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

static const struct {
    const char *name;
    const char *root;
} kinds[S3_CONFIG__COUNT] = {
    [S3_CONFIG_CORS] = {"cors", "CORSConfiguration"},
    [S3_CONFIG_LIFECYCLE] = {"lifecycle", "LifecycleConfiguration"},
    [S3_CONFIG_ENCRYPTION] = {"encryption", "ServerSideEncryptionConfiguration"},
    [S3_CONFIG_PUBLIC_ACCESS_BLOCK] = {"publicAccessBlock", "PublicAccessBlockConfiguration"},
    [S3_CONFIG_OWNERSHIP] = {"ownershipControls", "OwnershipControls"},
    [S3_CONFIG_WEBSITE] = {"website", "WebsiteConfiguration"},
    [S3_CONFIG_LOGGING] = {"logging", "BucketLoggingStatus"},
    [S3_CONFIG_REQUEST_PAYMENT] = {"requestPayment", "RequestPaymentConfiguration"},
    [S3_CONFIG_ACCELERATE] = {"accelerate", "AccelerateConfiguration"},
    [S3_CONFIG_REPLICATION] = {"replication", "ReplicationConfiguration"},
};

const char *s3_config_name(enum s3_config_kind kind)
{
    return (unsigned)kind < S3_CONFIG__COUNT ? kinds[kind].name : "unknown";
}

/* ---- tree helpers ---------------------------------------------------- */

static xmlNode *child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (s3_xml_is(c, name))
            return c;
    return NULL;
}

static size_t count_children(const xmlNode *n, const char *name)
{
    size_t count = 0;
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        count += s3_xml_is(c, name);
    return count;
}

/* The text of child `name` (NULL when absent) — a borrowed pointer into the
 * node, valid while the document lives; "" for an empty element. */
static const char *child_text(const xmlNode *n, const char *name)
{
    xmlNode *c = child(n, name);
    if (!c)
        return NULL;
    for (xmlNode *t = c->children; t; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            return (const char *)t->content;
    return "";
}

static bool is_one_of(const char *v, const char *const *allowed)
{
    for (size_t i = 0; v && allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return true;
    return false;
}

static bool is_bool_text(const char *v) { return v && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0); }

/* A decimal integer in [min, max]. */
static bool int_text(const char *v, long min, long max, long *out)
{
    if (!v || !*v)
        return false;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return false;
    *out = n;
    return true;
}

/* ---- canonical form ---------------------------------------------------- */

static bool has_element_children(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

static void write_canonical(struct strbuf *out, const xmlNode *n, bool root)
{
    strbuf_putc(out, '<');
    strbuf_puts(out, (const char *)n->name);
    if (root)
        strbuf_puts(out, " xmlns=\"" S3_XMLNS "\"");
    strbuf_putc(out, '>');
    if (has_element_children(n)) {
        for (const xmlNode *c = n->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE)
                write_canonical(out, c, false);
    } else {
        for (const xmlNode *c = n->children; c; c = c->next)
            if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
                strbuf_xml_escape(out, (const char *)c->content, strlen((const char *)c->content));
    }
    strbuf_puts(out, "</");
    strbuf_puts(out, (const char *)n->name);
    strbuf_putc(out, '>');
}

/* ---- validators ------------------------------------------------------ */

typedef enum s3_err (*validator)(const xmlNode *root, const char **message);

static enum s3_err validate_cors(const xmlNode *root, const char **message)
{
    static const char *const methods[] = {"GET", "PUT", "HEAD", "POST", "DELETE", NULL};
    size_t n = count_children(root, "CORSRule");
    if (n == 0)
        return S3_ERR_MALFORMED_XML;
    if (n > 100) {
        *message = "The number of CORS rules should not exceed allowed limit of 100 rules.";
        return S3_ERR_INVALID_REQUEST;
    }
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!s3_xml_is(r, "CORSRule"))
            continue;
        if (!child(r, "AllowedMethod") || !child(r, "AllowedOrigin"))
            return S3_ERR_MALFORMED_XML;
        for (xmlNode *m = r->children; m; m = m->next) {
            if (!s3_xml_is(m, "AllowedMethod"))
                continue;
            char *v = NULL;
            if (s3_xml_text(m, &v) != S3_OK)
                return S3_ERR_MALFORMED_XML;
            bool ok = is_one_of(v, methods);
            free(v);
            if (!ok) {
                *message = "Found unsupported HTTP method in CORS config.";
                return S3_ERR_INVALID_REQUEST;
            }
        }
        long age;
        const char *max_age = child_text(r, "MaxAgeSeconds");
        if (max_age && !int_text(max_age, 0, 2147483647L, &age))
            return S3_ERR_MALFORMED_XML;
    }
    return S3_OK;
}

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
    const char *days = child_text(e, "Days"), *date = child_text(e, "Date");
    const char *marker = child_text(e, "ExpiredObjectDeleteMarker");
    if ((days != NULL) + (date != NULL) + (marker != NULL) != 1)
        return S3_ERR_MALFORMED_XML;
    long n;
    if (days && !int_text(days, 1, 2147483647L, &n)) {
        *message = "'Days' for Expiration action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (date && midnight_date_ms(date) < 0) {
        *message = "'Date' must be at midnight GMT";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (marker && !is_bool_text(marker))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static enum s3_err validate_lifecycle_rule(const xmlNode *r, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Disabled", NULL};
    static const char *const actions[] = {
        "Expiration", "Transition", "NoncurrentVersionExpiration",
        "NoncurrentVersionTransition", "AbortIncompleteMultipartUpload", NULL};
    if (!is_one_of(child_text(r, "Status"), statuses))
        return S3_ERR_MALFORMED_XML;
    const char *id = child_text(r, "ID");
    if (id && strlen(id) > 255) {
        *message = "ID length should not exceed allowed limit of 255";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (child(r, "Filter") && child(r, "Prefix"))
        return S3_ERR_MALFORMED_XML;
    xmlNode *filter = child(r, "Filter");
    if (filter) {
        size_t predicates = count_children(filter, "Prefix") + count_children(filter, "Tag") +
                            count_children(filter, "And") + count_children(filter, "ObjectSizeGreaterThan") +
                            count_children(filter, "ObjectSizeLessThan");
        if (predicates > 1)
            return S3_ERR_MALFORMED_XML;
        xmlNode *tag = child(filter, "Tag");
        if (tag && (!child_text(tag, "Key") || !child_text(tag, "Value")))
            return S3_ERR_MALFORMED_XML;
    }
    bool any_action = false;
    for (size_t i = 0; actions[i]; i++)
        any_action |= child(r, actions[i]) != NULL;
    if (!any_action) {
        *message = "At least one action needs to be specified in a rule";
        return S3_ERR_INVALID_REQUEST;
    }
    xmlNode *exp = child(r, "Expiration");
    enum s3_err err = exp ? validate_expiration(exp, message) : S3_OK;
    if (err != S3_OK)
        return err;
    xmlNode *abort = child(r, "AbortIncompleteMultipartUpload");
    long n;
    if (abort && !int_text(child_text(abort, "DaysAfterInitiation"), 1, 2147483647L, &n)) {
        *message = "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *noncurrent = child(r, "NoncurrentVersionExpiration");
    if (noncurrent && !int_text(child_text(noncurrent, "NoncurrentDays"), 1, 2147483647L, &n)) {
        *message = "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer";
        return S3_ERR_INVALID_ARGUMENT;
    }
    const char *newer = noncurrent ? child_text(noncurrent, "NewerNoncurrentVersions") : NULL;
    if (newer && !int_text(newer, 1, 100, &n)) {
        *message = "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to 100";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *and = filter ? child(filter, "And") : NULL;
    if (abort && filter && (child(filter, "Tag") || (and && child(and, "Tag")))) {
        *message = "AbortIncompleteMultipartUpload cannot be specified with Tags.";
        return S3_ERR_INVALID_REQUEST;
    }
    return S3_OK;
}

static enum s3_err validate_lifecycle(const xmlNode *root, const char **message)
{
    size_t n = count_children(root, "Rule");
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
        const char *id = child_text(r, "ID");
        for (xmlNode *o = r->next; id && o; o = o->next) {
            const char *other = s3_xml_is(o, "Rule") ? child_text(o, "ID") : NULL;
            if (other && strcmp(id, other) == 0) {
                *message = "Rule ID must be unique. Found same ID for more than one rule";
                return S3_ERR_INVALID_ARGUMENT;
            }
        }
    }
    return S3_OK;
}

static enum s3_err validate_encryption(const xmlNode *root, const char **message)
{
    static const char *const algorithms[] = {"AES256", "aws:kms", "aws:kms:dsse", NULL};
    xmlNode *rule = child(root, "Rule");
    if (!rule || count_children(root, "Rule") != 1)
        return S3_ERR_MALFORMED_XML;
    xmlNode *by_default = child(rule, "ApplyServerSideEncryptionByDefault");
    const char *alg = child_text(by_default, "SSEAlgorithm");
    if (by_default && !is_one_of(alg, algorithms))
        return S3_ERR_MALFORMED_XML;
    if (by_default && child(by_default, "KMSMasterKeyID") && strcmp(alg, "AES256") == 0) {
        *message = "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse";
        return S3_ERR_INVALID_ARGUMENT;
    }
    const char *bucket_key = child_text(rule, "BucketKeyEnabled");
    if (bucket_key && !is_bool_text(bucket_key))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static const char *const pab_flags[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                        "RestrictPublicBuckets", NULL};

static enum s3_err validate_public_access_block(const xmlNode *root, const char **message)
{
    for (size_t i = 0; pab_flags[i]; i++) {
        const char *v = child_text(root, pab_flags[i]);
        if (v && !is_bool_text(v))
            return S3_ERR_MALFORMED_XML;
    }
    return S3_OK;
}

static const char *const ownership_values[] = {"BucketOwnerPreferred", "ObjectWriter",
                                               "BucketOwnerEnforced", NULL};

static enum s3_err validate_ownership(const xmlNode *root, const char **message)
{
    xmlNode *rule = child(root, "Rule");
    if (!rule || count_children(root, "Rule") != 1 ||
        !is_one_of(child_text(rule, "ObjectOwnership"), ownership_values))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static enum s3_err validate_website(const xmlNode *root, const char **message)
{
    xmlNode *redirect = child(root, "RedirectAllRequestsTo");
    if (redirect) {
        if (child(root, "IndexDocument") || child(root, "ErrorDocument") || child(root, "RoutingRules")) {
            *message = "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *host = child_text(redirect, "HostName");
        if (!host || !*host)
            return S3_ERR_MALFORMED_XML;
        const char *protocol = child_text(redirect, "Protocol");
        if (protocol && strcmp(protocol, "http") != 0 && strcmp(protocol, "https") != 0) {
            *message = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.";
            return S3_ERR_INVALID_REQUEST;
        }
        return S3_OK;
    }
    const char *suffix = child_text(child(root, "IndexDocument"), "Suffix");
    if (!suffix || !*suffix) {
        *message = "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty";
        return S3_ERR_INVALID_ARGUMENT;
    }
    if (strchr(suffix, '/')) {
        *message = "The IndexDocument Suffix is not well formed";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *error_doc = child(root, "ErrorDocument");
    const char *key = child_text(error_doc, "Key");
    if (error_doc && (!key || !*key)) {
        *message = "The ErrorDocument Key is not well formed";
        return S3_ERR_INVALID_ARGUMENT;
    }
    xmlNode *rules = child(root, "RoutingRules");
    for (xmlNode *r = rules ? rules->children : NULL; r; r = r->next) {
        if (!s3_xml_is(r, "RoutingRule"))
            continue;
        xmlNode *redirect = child(r, "Redirect");
        if (!redirect)
            return S3_ERR_MALFORMED_XML;
        if (child(redirect, "ReplaceKeyPrefixWith") && child(redirect, "ReplaceKeyWith")) {
            *message = "You can only define ReplaceKeyPrefix or ReplaceKey but not both.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *protocol = child_text(redirect, "Protocol");
        if (protocol && strcmp(protocol, "http") != 0 && strcmp(protocol, "https") != 0) {
            *message = "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.";
            return S3_ERR_INVALID_REQUEST;
        }
        long code;
        const char *redirect_code = child_text(redirect, "HttpRedirectCode");
        if (redirect_code && !(int_text(redirect_code, 300, 399, &code) && code != 300 && code != 304)) {
            *message = "The provided HTTP redirect code is not valid. It should be a string containing a number.";
            return S3_ERR_INVALID_REQUEST;
        }
        const char *error_code = child_text(child(r, "Condition"), "HttpErrorCodeReturnedEquals");
        if (error_code && !int_text(error_code, 400, 599, &code)) {
            *message = "The provided HTTP error code is not valid. Valid codes are 4XX or 5XX.";
            return S3_ERR_INVALID_REQUEST;
        }
    }
    return S3_OK;
}

static enum s3_err validate_logging(const xmlNode *root, const char **message)
{
    xmlNode *enabled = child(root, "LoggingEnabled");
    if (enabled && (!child_text(enabled, "TargetBucket") || !child(enabled, "TargetPrefix")))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static enum s3_err validate_request_payment(const xmlNode *root, const char **message)
{
    static const char *const payers[] = {"Requester", "BucketOwner", NULL};
    return is_one_of(child_text(root, "Payer"), payers) ? S3_OK : S3_ERR_MALFORMED_XML;
}

static enum s3_err validate_accelerate(const xmlNode *root, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Suspended", NULL};
    return is_one_of(child_text(root, "Status"), statuses) ? S3_OK : S3_ERR_MALFORMED_XML;
}

static enum s3_err validate_replication(const xmlNode *root, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Disabled", NULL};
    if (!child_text(root, "Role") || count_children(root, "Rule") == 0)
        return S3_ERR_MALFORMED_XML;
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!s3_xml_is(r, "Rule"))
            continue;
        const char *dest = child_text(child(r, "Destination"), "Bucket");
        if (!is_one_of(child_text(r, "Status"), statuses) || !dest)
            return S3_ERR_MALFORMED_XML;
        if (strncmp(dest, "arn:aws:s3:::", 13) != 0) {
            *message = "Invalid bucket ARN.";
            return S3_ERR_INVALID_ARGUMENT;
        }
    }
    return S3_OK;
}

static const validator validators[S3_CONFIG__COUNT] = {
    [S3_CONFIG_CORS] = validate_cors,
    [S3_CONFIG_LIFECYCLE] = validate_lifecycle,
    [S3_CONFIG_ENCRYPTION] = validate_encryption,
    [S3_CONFIG_PUBLIC_ACCESS_BLOCK] = validate_public_access_block,
    [S3_CONFIG_OWNERSHIP] = validate_ownership,
    [S3_CONFIG_WEBSITE] = validate_website,
    [S3_CONFIG_LOGGING] = validate_logging,
    [S3_CONFIG_REQUEST_PAYMENT] = validate_request_payment,
    [S3_CONFIG_ACCELERATE] = validate_accelerate,
    [S3_CONFIG_REPLICATION] = validate_replication,
};

enum s3_err s3_config_canonicalize(enum s3_config_kind kind, const char *body, size_t len,
                                   struct strbuf *out, const char **message)
{
    *message = NULL;
    if ((unsigned)kind >= S3_CONFIG__COUNT)
        return S3_ERR_INTERNAL_ERROR;
    xmlDoc *doc = NULL;
    enum s3_err err = s3_xml_read(body, len, kinds[kind].root, &doc);
    if (err != S3_OK)
        return err;
    xmlNode *root = s3_xml_root(doc);
    err = validators[kind](root, message);
    if (err == S3_OK)
        write_canonical(out, root, true);
    xmlFreeDoc(doc);
    return err;
}

/* ---- readers --------------------------------------------------------- */

/* Parses a stored document of `kind`; NULL doc gives NULL. */
static int read_stored(const char *doc, enum s3_config_kind kind, xmlDoc **out)
{
    *out = NULL;
    if (!doc)
        return 0;
    return s3_xml_read(doc, strlen(doc), kinds[kind].root, out) == S3_OK ? 0 : -1;
}

int s3_public_access_block_read(const char *doc, struct s3_public_access_block *out)
{
    memset(out, 0, sizeof(*out));
    xmlDoc *d;
    if (read_stored(doc, S3_CONFIG_PUBLIC_ACCESS_BLOCK, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *root = s3_xml_root(d);
    bool *flags[] = {&out->block_public_acls, &out->ignore_public_acls, &out->block_public_policy,
                     &out->restrict_public_buckets};
    for (size_t i = 0; pab_flags[i]; i++) {
        const char *v = child_text(root, pab_flags[i]);
        *flags[i] = v && strcmp(v, "true") == 0;
    }
    xmlFreeDoc(d);
    return 0;
}

int s3_ownership_read(const char *doc, char *out, size_t cap)
{
    snprintf(out, cap, "ObjectWriter");
    xmlDoc *d;
    if (read_stored(doc, S3_CONFIG_OWNERSHIP, &d) < 0)
        return -1;
    if (!d)
        return 0;
    const char *v = child_text(child(s3_xml_root(d), "Rule"), "ObjectOwnership");
    if (v)
        snprintf(out, cap, "%s", v);
    xmlFreeDoc(d);
    return 0;
}

int s3_logging_target(const char *doc, char **target)
{
    *target = NULL;
    xmlDoc *d;
    if (read_stored(doc, S3_CONFIG_LOGGING, &d) < 0)
        return -1;
    if (!d)
        return 0;
    const char *v = child_text(child(s3_xml_root(d), "LoggingEnabled"), "TargetBucket");
    int rc = 0;
    if (v && !(*target = strdup(v)))
        rc = -1;
    xmlFreeDoc(d);
    return rc;
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
    const char *max_age = child_text(rule, "MaxAgeSeconds");
    out->max_age = max_age && int_text(max_age, 0, 2147483647L, &age) ? (int)age : -1;
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
    if (read_stored(doc, S3_CONFIG_CORS, &d) < 0)
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

/* The filter of a rule into *rule: its prefix (the legacy <Prefix> too),
 * tags and size bounds, from <Filter> or <Filter><And>. */
static int read_rule_filter(const xmlNode *r, struct s3_lifecycle_rule *rule)
{
    rule->size_greater_than = rule->size_less_than = -1;
    xmlNode *filter = child(r, "Filter");
    xmlNode *and = filter ? child(filter, "And") : NULL;
    const xmlNode *scope = and ? and : filter;
    const char *prefix = scope ? child_text(scope, "Prefix") : child_text(r, "Prefix");
    rule->prefix = strdup(prefix ? prefix : "");
    if (!rule->prefix)
        return -1;
    long v;
    if (scope && int_text(child_text(scope, "ObjectSizeGreaterThan"), 0, LONG_MAX, &v))
        rule->size_greater_than = v;
    if (scope && int_text(child_text(scope, "ObjectSizeLessThan"), 1, LONG_MAX, &v))
        rule->size_less_than = v;
    size_t n = scope ? count_children(scope, "Tag") : 0;
    if (!n)
        return 0;
    rule->tags = calloc(n, sizeof(*rule->tags));
    if (!rule->tags)
        return -1;
    for (xmlNode *t = scope->children; t; t = t->next) {
        if (!s3_xml_is(t, "Tag"))
            continue;
        const char *key = child_text(t, "Key"), *value = child_text(t, "Value");
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
    if (read_stored(doc, S3_CONFIG_LIFECYCLE, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *root = s3_xml_root(d);
    size_t cap = count_children(root, "Rule");
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
        const char *status = child_text(r, "Status");
        if (!status || strcmp(status, "Enabled") != 0)
            continue;
        long days = 0, abort_days = 0, noncurrent_days = 0, newer = 0;
        int64_t date = -1;
        xmlNode *exp = child(r, "Expiration");
        if (exp && !int_text(child_text(exp, "Days"), 1, 2147483647L, &days))
            date = midnight_date_ms(child_text(exp, "Date"));
        const char *marker = exp ? child_text(exp, "ExpiredObjectDeleteMarker") : NULL;
        bool expired_marker = marker && strcasecmp(marker, "true") == 0;
        xmlNode *abort = child(r, "AbortIncompleteMultipartUpload");
        if (abort && !int_text(child_text(abort, "DaysAfterInitiation"), 1, 2147483647L, &abort_days))
            abort_days = 0;
        xmlNode *noncurrent = child(r, "NoncurrentVersionExpiration");
        if (noncurrent && !int_text(child_text(noncurrent, "NoncurrentDays"), 1, 2147483647L, &noncurrent_days))
            noncurrent_days = 0;
        if (noncurrent && !int_text(child_text(noncurrent, "NewerNoncurrentVersions"), 1, 100, &newer))
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
    xmlNode *rules = child(root, "RoutingRules");
    size_t n = rules ? count_children(rules, "RoutingRule") : 0;
    if (!n)
        return 0;
    if (!(w->rules = calloc(n, sizeof(*w->rules))))
        return -1;
    for (xmlNode *r = rules->children; r; r = r->next) {
        if (!s3_xml_is(r, "RoutingRule"))
            continue;
        struct s3_routing_rule *rule = &w->rules[w->n_rules++];
        xmlNode *condition = child(r, "Condition"), *redirect = child(r, "Redirect");
        long code;
        rule->error_code = int_text(child_text(condition, "HttpErrorCodeReturnedEquals"), 400, 599, &code) ? (int)code : 0;
        rule->redirect_code = int_text(child_text(redirect, "HttpRedirectCode"), 300, 399, &code) ? (int)code : 301;
        if (dup_optional(child_text(condition, "KeyPrefixEquals"), &rule->key_prefix_equals) < 0 ||
            dup_optional(child_text(redirect, "Protocol"), &rule->protocol) < 0 ||
            dup_optional(child_text(redirect, "HostName"), &rule->host_name) < 0 ||
            dup_optional(child_text(redirect, "ReplaceKeyPrefixWith"), &rule->replace_key_prefix_with) < 0 ||
            dup_optional(child_text(redirect, "ReplaceKeyWith"), &rule->replace_key_with) < 0)
            return -1;
    }
    return 0;
}

int s3_website_read(const char *doc, struct s3_website *out)
{
    memset(out, 0, sizeof(*out));
    xmlDoc *d;
    if (read_stored(doc, S3_CONFIG_WEBSITE, &d) < 0 || !d)
        return -1;
    xmlNode *root = s3_xml_root(d);
    xmlNode *redirect = child(root, "RedirectAllRequestsTo");
    int rc = 0;
    if (dup_optional(child_text(child(root, "IndexDocument"), "Suffix"), &out->index_suffix) < 0 ||
        dup_optional(child_text(child(root, "ErrorDocument"), "Key"), &out->error_key) < 0 ||
        dup_optional(child_text(redirect, "HostName"), &out->redirect_host) < 0 ||
        dup_optional(child_text(redirect, "Protocol"), &out->redirect_protocol) < 0 ||
        read_routing_rules(root, out) < 0) {
        s3_website_free(out);
        rc = -1;
    }
    xmlFreeDoc(d);
    return rc;
}
