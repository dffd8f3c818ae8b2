/* protocol/s3 buckets: the ListAllMyBucketsResult and LocationConstraint
 * response bodies, and the optional CreateBucketConfiguration request body.
 *
 * The owner is named by its account id in both ID and DisplayName. A bucket
 * in us-east-1 answers an empty LocationConstraint, as AWS does. */
#include "protocol/s3/s3.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/s3/xml.h"

void s3_list_buckets_xml(struct strbuf *out, const char *owner_account,
                         const struct s3_bucket *buckets, size_t n)
{
    strbuf_puts(out, S3_XML_DECL "<ListAllMyBucketsResult xmlns=\"" S3_XMLNS "\"><Owner>");
    strbuf_xml_elem(out, "ID", owner_account);
    strbuf_xml_elem(out, "DisplayName", owner_account);
    strbuf_puts(out, "</Owner><Buckets>");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(out, "<Bucket>");
        strbuf_xml_elem(out, "Name", buckets[i].name);
        s3_xml_date(out, "CreationDate", buckets[i].created_ms);
        strbuf_puts(out, "</Bucket>");
    }
    strbuf_puts(out, "</Buckets></ListAllMyBucketsResult>");
}

void s3_bucket_location_xml(struct strbuf *out, const char *region)
{
    strbuf_puts(out, S3_XML_DECL "<LocationConstraint xmlns=\"" S3_XMLNS "\"");
    if (!region || !*region || strcmp(region, "us-east-1") == 0) {
        strbuf_puts(out, "/>");
        return;
    }
    strbuf_putc(out, '>');
    strbuf_xml_escape(out, region, strlen(region));
    strbuf_puts(out, "</LocationConstraint>");
}

enum s3_err s3_parse_create_bucket(const char *body, size_t len, char **region)
{
    *region = NULL;
    if (len == 0)
        return S3_OK;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "CreateBucketConfiguration", &doc);
    if (err != S3_OK)
        return err;
    char *found = NULL;
    for (xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (!s3_xml_is(c, "LocationConstraint"))
            continue;
        if (found) {
            err = S3_ERR_MALFORMED_XML;
            break;
        }
        err = s3_xml_text(c, &found);
    }
    xmlFreeDoc(doc);
    if (err != S3_OK || (found && !*found)) {
        free(found);
        return err;
    }
    *region = found;
    return S3_OK;
}
