/* protocol/s3 xml: safe libxml2 reading of S3 request bodies and the
 * elements several responses share; see xml.h. */
#include "protocol/s3/xml.h"

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
