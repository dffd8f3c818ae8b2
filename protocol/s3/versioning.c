/* protocol/s3 versioning: the bodies of Put/GetBucketVersioning.
 *
 * The parser accepts the S3 namespace or none, each known element at most
 * once, and answers MalformedXML for anything else, as AWS does; values
 * outside the documented enums are MalformedXML too. */
#include "protocol/s3/s3.h"

#include <stdlib.h>

#include "protocol/s3/xml.h"

enum s3_err s3_parse_versioning(const char *body, size_t len, char **status,
                                char **mfa_delete)
{
    *status = *mfa_delete = NULL;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "VersioningConfiguration", &doc);
    if (err != S3_OK)
        return err;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Status"))
            err = s3_xml_take_text(c, status);
        else if (s3_xml_is(c, "MfaDelete") || s3_xml_is(c, "MFADelete"))
            err = s3_xml_take_text(c, mfa_delete);
        else if (!s3_xml_ignorable(c))
            err = S3_ERR_MALFORMED_XML;
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && ((*status && !s3_xml_value_in(*status, (const char *const[]){"Enabled", "Suspended", NULL})) ||
                         (*mfa_delete && !s3_xml_value_in(*mfa_delete, (const char *const[]){"Enabled", "Disabled", NULL}))))
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        free(*status);
        free(*mfa_delete);
        *status = *mfa_delete = NULL;
    }
    return err;
}

void s3_versioning_xml(struct strbuf *out, const char *status)
{
    strbuf_puts(out, S3_XML_DECL "<VersioningConfiguration xmlns=\"" S3_XMLNS "\">");
    if (status && *status)
        strbuf_xml_elem(out, "Status", status);
    strbuf_puts(out, "</VersioningConfiguration>");
}

