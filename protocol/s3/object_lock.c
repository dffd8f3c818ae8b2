/* protocol/s3 object_lock: the bodies of Put/GetObjectLockConfiguration,
 * Put/GetObjectRetention and Put/GetObjectLegalHold.
 *
 * Parsers accept the S3 namespace or none, each known element at most
 * once, and answer MalformedXML for anything else, as AWS does; values
 * outside the documented enums are MalformedXML too, except a retention
 * period that is not a positive number (InvalidArgument). */
#include "protocol/s3/s3.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/s3/xml.h"

/* ---- object lock configuration ------------------------------------------ */

/* A Days / Years value: MalformedXML unless an integer, InvalidArgument
 * unless positive. */
static enum s3_err parse_period(const char *text, int *out, const char **message)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno)
        return S3_ERR_MALFORMED_XML;
    if (v <= 0 || v > 36500) {
        *message = "Default retention period must be a positive integer value";
        return S3_ERR_INVALID_ARGUMENT;
    }
    *out = (int)v;
    return S3_OK;
}

static enum s3_err parse_default_retention(const xmlNode *dr, struct s3_lock_config *out,
                                           const char **message)
{
    char *mode = NULL, *days = NULL, *years = NULL;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = dr->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Mode"))
            err = s3_xml_take_text(c, &mode);
        else if (s3_xml_is(c, "Days"))
            err = s3_xml_take_text(c, &days);
        else if (s3_xml_is(c, "Years"))
            err = s3_xml_take_text(c, &years);
        else if (!s3_xml_ignorable(c))
            err = S3_ERR_MALFORMED_XML;
    }
    if (err == S3_OK && (!s3_xml_value_in(mode, (const char *const[]){"GOVERNANCE", "COMPLIANCE", NULL}) || !days == !years))
        err = S3_ERR_MALFORMED_XML;
    if (err == S3_OK)
        err = days ? parse_period(days, &out->days, message) : parse_period(years, &out->years, message);
    if (err == S3_OK)
        snprintf(out->mode, sizeof(out->mode), "%s", mode);
    free(mode);
    free(days);
    free(years);
    return err;
}

static enum s3_err parse_lock_rule(const xmlNode *rule, struct s3_lock_config *out,
                                   const char **message)
{
    bool seen = false;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = rule->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "DefaultRetention") && !seen) {
            seen = true;
            err = parse_default_retention(c, out, message);
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    return err == S3_OK && !seen ? S3_ERR_MALFORMED_XML : err;
}

enum s3_err s3_parse_object_lock_config(const char *body, size_t len,
                                        struct s3_lock_config *out, const char **message)
{
    memset(out, 0, sizeof(*out));
    *message = NULL;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "ObjectLockConfiguration", &doc);
    if (err != S3_OK)
        return err;
    char *enabled = NULL;
    bool seen_rule = false;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "ObjectLockEnabled")) {
            err = s3_xml_take_text(c, &enabled);
        } else if (s3_xml_is(c, "Rule") && !seen_rule) {
            seen_rule = true;
            err = parse_lock_rule(c, out, message);
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && (!enabled || strcmp(enabled, "Enabled") != 0))
        err = S3_ERR_MALFORMED_XML;
    free(enabled);
    if (err != S3_OK)
        memset(out, 0, sizeof(*out));
    return err;
}

void s3_object_lock_config_xml(struct strbuf *out, const struct s3_lock_config *c)
{
    strbuf_puts(out, S3_XML_DECL "<ObjectLockConfiguration xmlns=\"" S3_XMLNS "\">"
                     "<ObjectLockEnabled>Enabled</ObjectLockEnabled>");
    if (c->mode[0]) {
        strbuf_puts(out, "<Rule><DefaultRetention>");
        strbuf_xml_elem(out, "Mode", c->mode);
        if (c->days)
            strbuf_printf(out, "<Days>%d</Days>", c->days);
        else
            strbuf_printf(out, "<Years>%d</Years>", c->years);
        strbuf_puts(out, "</DefaultRetention></Rule>");
    }
    strbuf_puts(out, "</ObjectLockConfiguration>");
}

/* ---- retention and legal hold ---------------------------------------------- */

enum s3_err s3_parse_retention(const char *body, size_t len, char mode[12], int64_t *until_ms)
{
    mode[0] = '\0';
    *until_ms = 0;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "Retention", &doc);
    if (err != S3_OK)
        return err;
    char *m = NULL, *date = NULL;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Mode"))
            err = s3_xml_take_text(c, &m);
        else if (s3_xml_is(c, "RetainUntilDate"))
            err = s3_xml_take_text(c, &date);
        else if (!s3_xml_ignorable(c))
            err = S3_ERR_MALFORMED_XML;
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && (!m != !date || (m && !s3_xml_value_in(m, (const char *const[]){"GOVERNANCE", "COMPLIANCE", NULL}))))
        err = S3_ERR_MALFORMED_XML;
    if (err == S3_OK && date) {
        *until_ms = date_parse_iso8601(date);
        if (*until_ms < 0)
            err = S3_ERR_MALFORMED_XML;
        else
            snprintf(mode, 12, "%s", m);
    }
    free(m);
    free(date);
    return err;
}

void s3_retention_xml(struct strbuf *out, const char *mode, int64_t until_ms)
{
    strbuf_puts(out, S3_XML_DECL "<Retention xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Mode", mode);
    s3_xml_date(out, "RetainUntilDate", until_ms);
    strbuf_puts(out, "</Retention>");
}

enum s3_err s3_parse_legal_hold(const char *body, size_t len, bool *on)
{
    *on = false;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "LegalHold", &doc);
    if (err != S3_OK)
        return err;
    char *status = NULL;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Status"))
            err = s3_xml_take_text(c, &status);
        else if (!s3_xml_ignorable(c))
            err = S3_ERR_MALFORMED_XML;
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && !s3_xml_value_in(status, (const char *const[]){"ON", "OFF", NULL}))
        err = S3_ERR_MALFORMED_XML;
    if (err == S3_OK)
        *on = strcmp(status, "ON") == 0;
    free(status);
    return err;
}

void s3_legal_hold_xml(struct strbuf *out, bool on)
{
    strbuf_puts(out, S3_XML_DECL "<LegalHold xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Status", on ? "ON" : "OFF");
    strbuf_puts(out, "</LegalHold>");
}
