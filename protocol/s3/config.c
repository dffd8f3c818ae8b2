/* protocol/s3 config: the bucket's XML configuration documents — what
 * every kind shares (names, root elements, validation to the canonical
 * form, reading a stored document back) and the kinds of the config
 * family: encryption, public access block, ownership controls, logging,
 * request payment, accelerate, replication. See bucket_config.h.
 *
 * Each kind has a root element name and a validator that walks the parsed
 * document checking what AWS checks (required elements, enumerated values,
 * limits), answering with AWS's error code and message; CORS, lifecycle and
 * website validate in their own files (cors.c, lifecycle.c, website.c). The
 * canonical form is then written by one generic walk: an element with
 * child elements is written with those children only, a leaf with its
 * text. Readers parse a stored document again; they are small and run
 * rarely (per CORS request, per lifecycle sweep, per website request). */
#include "protocol/s3/bucket_config.h"

#include <stdio.h>
#include <string.h>

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

/* ---- canonical form ---------------------------------------------------- */

static bool has_element_children(const xmlNode *n)
{
    for (const xmlNode *c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return true;
    return false;
}

#define XSI_NS "http://www.w3.org/2001/XMLSchema-instance"

/* A Grantee's xsi:type (CanonicalUser, Group, ...) malloc'd by libxml2, or
 * NULL. */
static xmlChar *grantee_type(const xmlNode *n)
{
    return s3_xml_is(n, "Grantee") ? xmlGetNsProp(n, (const xmlChar *)"type", (const xmlChar *)XSI_NS) : NULL;
}

static void write_canonical(struct strbuf *out, const xmlNode *n, bool root)
{
    strbuf_putc(out, '<');
    strbuf_puts(out, (const char *)n->name);
    if (root)
        strbuf_puts(out, " xmlns=\"" S3_XMLNS "\"");
    /* The one attribute S3's documents carry: a grantee's type. */
    xmlChar *type = grantee_type(n);
    if (type) {
        strbuf_puts(out, " xmlns:xsi=\"" XSI_NS "\" xsi:type=\"");
        strbuf_xml_escape(out, (const char *)type, strlen((const char *)type));
        strbuf_putc(out, '"');
        xmlFree(type);
    }
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

/* ---- validators of the config family ----------------------------------- */

/* The text of an element ("" when empty), borrowed from the document. */
static const char *element_text(const xmlNode *e)
{
    for (const xmlNode *t = e->children; t; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            return (const char *)t->content;
    return "";
}

static enum s3_err validate_encryption(const xmlNode *root, const char **message)
{
    static const char *const algorithms[] = {"AES256", "aws:kms", "aws:kms:dsse", NULL};
    xmlNode *rule = s3_xml_child(root, "Rule");
    if (!rule || s3_xml_count(root, "Rule") != 1)
        return S3_ERR_MALFORMED_XML;
    xmlNode *by_default = s3_xml_child(rule, "ApplyServerSideEncryptionByDefault");
    const char *alg = s3_xml_child_text(by_default, "SSEAlgorithm");
    if (by_default && !s3_xml_value_in(alg, algorithms))
        return S3_ERR_MALFORMED_XML;
    if (by_default && s3_xml_child(by_default, "KMSMasterKeyID") && strcmp(alg, "AES256") == 0) {
        *message = "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse";
        return S3_ERR_INVALID_ARGUMENT;
    }
    const char *bucket_key = s3_xml_child_text(rule, "BucketKeyEnabled");
    if (bucket_key && !s3_xml_is_bool(bucket_key))
        return S3_ERR_MALFORMED_XML;
    static const char *const blockable[] = {"NONE", "SSE-C", NULL};
    xmlNode *blocked = s3_xml_child(rule, "BlockedEncryptionTypes");
    for (xmlNode *t = blocked ? blocked->children : NULL; t; t = t->next)
        if (s3_xml_is(t, "EncryptionType") && !s3_xml_value_in(element_text(t), blockable))
            return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

static const char *const pab_flags[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                        "RestrictPublicBuckets", NULL};

static enum s3_err validate_public_access_block(const xmlNode *root, const char **message)
{
    for (size_t i = 0; pab_flags[i]; i++) {
        const char *v = s3_xml_child_text(root, pab_flags[i]);
        if (v && !s3_xml_is_bool(v))
            return S3_ERR_MALFORMED_XML;
    }
    return S3_OK;
}

static const char *const ownership_values[] = {"BucketOwnerPreferred", "ObjectWriter",
                                               "BucketOwnerEnforced", NULL};

static enum s3_err validate_ownership(const xmlNode *root, const char **message)
{
    xmlNode *rule = s3_xml_child(root, "Rule");
    if (!rule || s3_xml_count(root, "Rule") != 1 ||
        !s3_xml_value_in(s3_xml_child_text(rule, "ObjectOwnership"), ownership_values))
        return S3_ERR_MALFORMED_XML;
    return S3_OK;
}

bool s3_ownership_valid(const char *v)
{
    return s3_xml_value_in(v, ownership_values);
}

void s3_ownership_xml(struct strbuf *out, const char *ownership)
{
    strbuf_puts(out, "<OwnershipControls xmlns=\"" S3_XMLNS "\"><Rule>");
    strbuf_xml_elem(out, "ObjectOwnership", ownership);
    strbuf_puts(out, "</Rule></OwnershipControls>");
}

/* One TargetGrants/Grant: a typed grantee naming a user or a group, and a
 * logging permission. */
static enum s3_err validate_target_grant(const xmlNode *grant, const char **message)
{
    static const char *const permissions[] = {"FULL_CONTROL", "READ", "WRITE", NULL};
    static const char *const groups[] = {S3_ALL_USERS_URI, S3_AUTHENTICATED_USERS_URI, S3_LOG_DELIVERY_URI, NULL};
    xmlNode *grantee = s3_xml_child(grant, "Grantee");
    xmlChar *type = grantee ? grantee_type(grantee) : NULL;
    enum s3_err err = S3_OK;
    if (!type || !s3_xml_value_in(s3_xml_child_text(grant, "Permission"), permissions)) {
        err = S3_ERR_MALFORMED_XML;
    } else if (strcmp((const char *)type, "AmazonCustomerByEmail") == 0) {
        err = S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL;
    } else if (strcmp((const char *)type, "CanonicalUser") == 0) {
        const char *id = s3_xml_child_text(grantee, "ID");
        if (!id || !*id) {
            *message = "Invalid id";
            err = S3_ERR_INVALID_ARGUMENT;
        }
    } else if (strcmp((const char *)type, "Group") == 0) {
        if (!s3_xml_value_in(s3_xml_child_text(grantee, "URI"), groups)) {
            *message = "Invalid group uri";
            err = S3_ERR_INVALID_ARGUMENT;
        }
    } else {
        err = S3_ERR_MALFORMED_XML;
    }
    xmlFree(type);
    return err;
}

static enum s3_err validate_logging(const xmlNode *root, const char **message)
{
    xmlNode *enabled = s3_xml_child(root, "LoggingEnabled");
    if (enabled && (!s3_xml_child_text(enabled, "TargetBucket") || !s3_xml_child(enabled, "TargetPrefix")))
        return S3_ERR_MALFORMED_XML;
    xmlNode *grants = s3_xml_child(enabled, "TargetGrants");
    enum s3_err err = S3_OK;
    for (xmlNode *g = grants ? grants->children : NULL; g && err == S3_OK; g = g->next)
        if (s3_xml_is(g, "Grant"))
            err = validate_target_grant(g, message);
    return err;
}

static enum s3_err validate_request_payment(const xmlNode *root, const char **message)
{
    static const char *const payers[] = {"Requester", "BucketOwner", NULL};
    return s3_xml_value_in(s3_xml_child_text(root, "Payer"), payers) ? S3_OK : S3_ERR_MALFORMED_XML;
}

static enum s3_err validate_accelerate(const xmlNode *root, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Suspended", NULL};
    return s3_xml_value_in(s3_xml_child_text(root, "Status"), statuses) ? S3_OK : S3_ERR_MALFORMED_XML;
}

static enum s3_err validate_replication(const xmlNode *root, const char **message)
{
    static const char *const statuses[] = {"Enabled", "Disabled", NULL};
    if (!s3_xml_child_text(root, "Role") || s3_xml_count(root, "Rule") == 0)
        return S3_ERR_MALFORMED_XML;
    for (xmlNode *r = root->children; r; r = r->next) {
        if (!s3_xml_is(r, "Rule"))
            continue;
        const char *dest = s3_xml_child_text(s3_xml_child(r, "Destination"), "Bucket");
        if (!s3_xml_value_in(s3_xml_child_text(r, "Status"), statuses) || !dest)
            return S3_ERR_MALFORMED_XML;
        if (strncmp(dest, "arn:aws:s3:::", 13) != 0) {
            *message = "Invalid bucket ARN.";
            return S3_ERR_INVALID_ARGUMENT;
        }
    }
    return S3_OK;
}

static const s3_config_validator validators[S3_CONFIG__COUNT] = {
    [S3_CONFIG_CORS] = s3_cors_validate,
    [S3_CONFIG_LIFECYCLE] = s3_lifecycle_validate,
    [S3_CONFIG_ENCRYPTION] = validate_encryption,
    [S3_CONFIG_PUBLIC_ACCESS_BLOCK] = validate_public_access_block,
    [S3_CONFIG_OWNERSHIP] = validate_ownership,
    [S3_CONFIG_WEBSITE] = s3_website_validate,
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

/* ---- readers ---------------------------------------------------------- */

int s3_config_read_stored(const char *doc, enum s3_config_kind kind, xmlDoc **out)
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
    if (s3_config_read_stored(doc, S3_CONFIG_PUBLIC_ACCESS_BLOCK, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *root = s3_xml_root(d);
    bool *flags[] = {&out->block_public_acls, &out->ignore_public_acls, &out->block_public_policy,
                     &out->restrict_public_buckets};
    for (size_t i = 0; pab_flags[i]; i++) {
        const char *v = s3_xml_child_text(root, pab_flags[i]);
        *flags[i] = v && strcmp(v, "true") == 0;
    }
    xmlFreeDoc(d);
    return 0;
}

int s3_ownership_read(const char *doc, char *out, size_t cap)
{
    snprintf(out, cap, "ObjectWriter");
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_OWNERSHIP, &d) < 0)
        return -1;
    if (!d)
        return 0;
    const char *v = s3_xml_child_text(s3_xml_child(s3_xml_root(d), "Rule"), "ObjectOwnership");
    if (v)
        snprintf(out, cap, "%s", v);
    xmlFreeDoc(d);
    return 0;
}

int s3_logging_target(const char *doc, char **target, bool *grants)
{
    *target = NULL;
    *grants = false;
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_LOGGING, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *enabled = s3_xml_child(s3_xml_root(d), "LoggingEnabled");
    const char *v = s3_xml_child_text(enabled, "TargetBucket");
    *grants = s3_xml_count(s3_xml_child(enabled, "TargetGrants"), "Grant") > 0;
    int rc = 0;
    if (v && !(*target = strdup(v)))
        rc = -1;
    xmlFreeDoc(d);
    return rc;
}

int s3_bucket_encryption_read(const char *doc, struct s3_bucket_encryption *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->algorithm, sizeof(out->algorithm), "AES256");
    out->ssec_blocked = true;
    xmlDoc *d;
    if (s3_config_read_stored(doc, S3_CONFIG_ENCRYPTION, &d) < 0)
        return -1;
    if (!d)
        return 0;
    xmlNode *rule = s3_xml_child(s3_xml_root(d), "Rule");
    xmlNode *by_default = s3_xml_child(rule, "ApplyServerSideEncryptionByDefault");
    const char *alg = s3_xml_child_text(by_default, "SSEAlgorithm");
    const char *key = s3_xml_child_text(by_default, "KMSMasterKeyID");
    const char *bucket_key = s3_xml_child_text(rule, "BucketKeyEnabled");
    if (alg)
        snprintf(out->algorithm, sizeof(out->algorithm), "%s", alg);
    if (key)
        snprintf(out->kms_key_id, sizeof(out->kms_key_id), "%s", key);
    out->bucket_key = bucket_key && strcmp(bucket_key, "true") == 0;
    /* A configuration that says nothing of blocked types keeps the new
     * bucket's block; NONE lifts it. */
    xmlNode *blocked = s3_xml_child(rule, "BlockedEncryptionTypes");
    if (blocked) {
        out->ssec_blocked = false;
        for (xmlNode *t = blocked->children; t; t = t->next)
            if (s3_xml_is(t, "EncryptionType") && strcmp(element_text(t), "SSE-C") == 0)
                out->ssec_blocked = true;
    }
    xmlFreeDoc(d);
    return 0;
}
