/* protocol/s3 xml: helpers shared by the S3 XML files (xml.c). Reading:
 * the safe libxml2 parsing used by the request body parsers
 * (CreateBucketConfiguration, Delete, CompleteMultipartUpload, the
 * configuration documents) and walking the parsed tree. Writing: the ETag,
 * date and checksum elements that several responses carry. And what the
 * configuration files (config.c, cors.c, lifecycle.c, website.c) share.
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

#include "protocol/s3/bucket_config.h"
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

/* The text of `elem` into *slot, MalformedXML when *slot is already set:
 * for elements that may appear once. */
enum s3_err s3_xml_take_text(const xmlNode *elem, char **slot);
/* The first child element of `n` named `name`, or NULL (n may be NULL). */
xmlNode *s3_xml_child(const xmlNode *n, const char *name);
/* How many child elements of `n` are named `name`. */
size_t s3_xml_count(const xmlNode *n, const char *name);
/* The text of child `name` (NULL when absent) — a borrowed pointer into the
 * node, valid while the document lives; "" for an empty element. */
const char *s3_xml_child_text(const xmlNode *n, const char *name);
/* Whether a value is one of a NULL-terminated list (NULL is none). */
bool s3_xml_value_in(const char *v, const char *const *allowed);
/* "true" or "false". */
bool s3_xml_is_bool(const char *v);
/* A decimal integer in [min, max] into *out. */
bool s3_xml_int(const char *v, long min, long max, long *out);

/* <ETag>&quot;etag&quot;</ETag>: S3 ETags travel with their quotes. */
void s3_xml_etag(struct strbuf *out, const char *etag);
/* <tag>2009-10-12T17:50:30.000Z</tag> */
void s3_xml_date(struct strbuf *out, const char *tag, int64_t ms);

/* ---- between the configuration files ------------------------------------ */

/* Checks a parsed document of its kind as AWS does: S3_OK, or an error
 * with *message set to AWS's message (static) or left NULL. */
typedef enum s3_err (*s3_config_validator)(const xmlNode *root, const char **message);
enum s3_err s3_cors_validate(const xmlNode *root, const char **message);
enum s3_err s3_lifecycle_validate(const xmlNode *root, const char **message);
enum s3_err s3_website_validate(const xmlNode *root, const char **message);
/* Parses a stored document of `kind` (config.c); NULL doc gives *out NULL.
 * -1 on a bad document. */
int s3_config_read_stored(const char *doc, enum s3_config_kind kind, xmlDoc **out);

#endif
