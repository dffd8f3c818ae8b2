/* protocol/s3 xml: safe libxml2 reading of S3 request bodies, walking
 * their trees, and the elements several responses share; see xml.h. */
#include "protocol/s3/xml.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "protocol/s3/s3.h"

static bool has_doctype(const char *body, size_t len)
{
    static const char marker[] = "<!DOCTYPE";
    return memmem(body, len, marker, sizeof(marker) - 1) != NULL;
}

enum s3_err s3_xml_read(const char *body, size_t len, const char *root_name, xmlDoc **doc)
{
    *doc = NULL;
    if (!body || len == 0 || len > INT_MAX || has_doctype(body, len))
        return S3_ERR_MALFORMED_XML;
    xmlDoc *d = xmlReadMemory(body, (int)len, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d)
        return S3_ERR_MALFORMED_XML;
    if (d->intSubset || d->extSubset || !s3_xml_is(xmlDocGetRootElement(d), root_name)) {
        xmlFreeDoc(d);
        return S3_ERR_MALFORMED_XML;
    }
    *doc = d;
    return S3_OK;
}

xmlNode *s3_xml_root(xmlDoc *doc) { return xmlDocGetRootElement(doc); }

bool s3_xml_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE &&
           strcmp((const char *)node->name, name) == 0;
}

bool s3_xml_ignorable(const xmlNode *node)
{
    if (node->type == XML_COMMENT_NODE || node->type == XML_PI_NODE)
        return true;
    if (node->type != XML_TEXT_NODE)
        return false;
    for (const xmlChar *p = node->content; p && *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
            return false;
    return true;
}

enum s3_err s3_xml_text(const xmlNode *elem, char **text)
{
    *text = NULL;
    size_t len = 0;
    for (const xmlNode *c = elem->children; c; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            len += c->content ? strlen((const char *)c->content) : 0;
        else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE)
            return S3_ERR_MALFORMED_XML;
    }
    char *out = malloc(len + 1);
    if (!out)
        return S3_ERR_INTERNAL_ERROR;
    size_t o = 0;
    for (const xmlNode *c = elem->children; c; c = c->next) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            size_t n = strlen((const char *)c->content);
            memcpy(out + o, c->content, n);
            o += n;
        }
    }
    out[o] = '\0';
    *text = out;
    return S3_OK;
}

void s3_xml_etag(struct strbuf *out, const char *etag)
{
    strbuf_puts(out, "<ETag>&quot;");
    strbuf_xml_escape(out, etag, strlen(etag));
    strbuf_puts(out, "&quot;</ETag>");
}

void s3_xml_date(struct strbuf *out, const char *tag, int64_t ms)
{
    char iso[32];
    date_iso8601(ms, iso);
    strbuf_xml_elem(out, tag, iso);
}

/* ---- walking a parsed document ---------------------------------------- */

enum s3_err s3_xml_take_text(const xmlNode *elem, char **slot)
{
    if (*slot)
        return S3_ERR_MALFORMED_XML;
    return s3_xml_text(elem, slot);
}

xmlNode *s3_xml_child(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (s3_xml_is(c, name))
            return c;
    return NULL;
}

size_t s3_xml_count(const xmlNode *n, const char *name)
{
    size_t count = 0;
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        count += s3_xml_is(c, name);
    return count;
}

const char *s3_xml_child_text(const xmlNode *n, const char *name)
{
    xmlNode *c = s3_xml_child(n, name);
    if (!c)
        return NULL;
    for (xmlNode *t = c->children; t; t = t->next)
        if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) && t->content)
            return (const char *)t->content;
    return "";
}

bool s3_xml_value_in(const char *v, const char *const *allowed)
{
    for (size_t i = 0; v && allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0)
            return true;
    return false;
}

bool s3_xml_is_bool(const char *v) { return v && (strcmp(v, "true") == 0 || strcmp(v, "false") == 0); }

bool s3_xml_int(const char *v, long min, long max, long *out)
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

/* ---- writing ---------------------------------------------------------- */

void s3_checksum_xml(struct strbuf *out, const char *alg, const char *value, const char *type)
{
    if (!alg || !*alg || !value)
        return;
    strbuf_printf(out, "<Checksum%s>", alg);
    strbuf_xml_escape(out, value, strlen(value));
    strbuf_printf(out, "</Checksum%s>", alg);
    if (type && *type)
        strbuf_xml_elem(out, "ChecksumType", type);
}
