/* protocol/s3 xml: helpers shared by the S3 XML files. Reading: the safe
 * libxml2 parsing used by the request body parsers (CreateBucketConfiguration,
 * Delete, CompleteMultipartUpload). Writing: the ETag and date elements that
 * several responses carry.
 *
 * Documents with a DOCTYPE are refused before and after parsing, so no
 * entity can be declared, expanded or fetched; the network is off. Elements
 * are matched by local name, whatever their namespace. */
#ifndef CLOUDLESS_PROTOCOL_S3_XML_H
#define CLOUDLESS_PROTOCOL_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "protocol/s3/model.h"
#include "protocol/core/strbuf.h"

/* Parses a request body and checks the root element's local name.
 * Returns S3_OK with *doc set (free with xmlFreeDoc), or S3_ERR_MALFORMED_XML. */
enum s3_err s3_xml_read(const char *body, size_t len, const char *root_name, xmlDoc **doc);
/* The document's root element. */
xmlNode *s3_xml_root(xmlDoc *doc);
/* True when `node` is an element with this local name. */
bool s3_xml_is(const xmlNode *node, const char *name);
/* True for text, CDATA and comment nodes made only of whitespace, and for
 * comments and processing instructions: nodes a parser may skip. */
bool s3_xml_ignorable(const xmlNode *node);
/* The text of an element that holds no child elements, malloc'd.
 * S3_ERR_MALFORMED_XML when it has child elements, S3_ERR_INTERNAL_ERROR on ENOMEM. */
enum s3_err s3_xml_text(const xmlNode *elem, char **text);

/* <ETag>&quot;etag&quot;</ETag>: S3 ETags travel with their quotes. */
void s3_xml_etag(struct strbuf *out, const char *etag);
/* <tag>2009-10-12T17:50:30.000Z</tag> */
void s3_xml_date(struct strbuf *out, const char *tag, int64_t ms);

#endif
