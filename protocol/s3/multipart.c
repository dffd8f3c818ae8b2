/* protocol/s3 multipart: InitiateMultipartUploadResult, the
 * CompleteMultipartUpload request body, CompleteMultipartUploadResult and
 * CopyPartResult.
 *
 * The CompleteMultipartUpload parser wants 1..10000 <Part> elements, each
 * with one PartNumber (an integer; outside 1..10000 is InvalidArgument) and
 * one ETag (surrounding quotes and blanks stripped; one too long to be an MD5
 * can match no part, so InvalidPart). Checksum<ALG> elements, which new
 * SDKs send, are kept for the caller to check against the stored parts, as
 * is part order. */
#include "protocol/s3/s3.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/auth/checksum.h"
#include "protocol/s3/xml.h"

#define S3_MAX_PARTS 10000

void s3_initiate_upload_xml(struct strbuf *out, const char *bucket, const char *key,
                            const char *upload_id)
{
    strbuf_puts(out, S3_XML_DECL "<InitiateMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Bucket", bucket);
    strbuf_xml_elem(out, "Key", key);
    strbuf_xml_elem(out, "UploadId", upload_id);
    strbuf_puts(out, "</InitiateMultipartUploadResult>");
}

void s3_upload_id_from_bytes(const unsigned char rnd[S3_UPLOAD_ID_RANDOM_BYTES],
                             char out[S3_UPLOAD_ID_LEN + 1])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < S3_UPLOAD_ID_RANDOM_BYTES; i += 3) {
        uint32_t v = (uint32_t)rnd[i] << 16 | (uint32_t)rnd[i + 1] << 8 | rnd[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6)
            out[o++] = alphabet[(v >> shift) & 63];
    }
    out[o] = '\0';
    if (out[0] == '-' || out[0] == '_')
        out[0] = alphabet[rnd[S3_UPLOAD_ID_RANDOM_BYTES - 1] % 52];
}

/* Trims blanks on both sides, in place; returns the start. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static enum s3_err parse_part_number(const xmlNode *elem, int *number)
{
    char *text;
    enum s3_err err = s3_xml_text(elem, &text);
    if (err != S3_OK)
        return err;
    char *digits = trim(text);
    size_t n = 0;
    if (digits[0] == '-' || digits[0] == '+')
        n++;
    size_t first_digit = n;
    while (isdigit((unsigned char)digits[n]))
        n++;
    if (n == first_digit || digits[n] != '\0') {
        err = S3_ERR_MALFORMED_XML;
    } else {
        long v = n - first_digit > 6 ? S3_MAX_PARTS + 1 : strtol(digits, NULL, 10);
        if (v < 1 || v > S3_MAX_PARTS)
            err = S3_ERR_INVALID_ARGUMENT;
        else
            *number = (int)v;
    }
    free(text);
    return err;
}

static enum s3_err parse_etag(const xmlNode *elem, char etag[40])
{
    char *text;
    enum s3_err err = s3_xml_text(elem, &text);
    if (err != S3_OK)
        return err;
    char *e = trim(text);
    size_t n = strlen(e);
    if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
        e++;
        n -= 2;
    }
    if (n >= 40) {
        err = S3_ERR_INVALID_PART;
    } else {
        memcpy(etag, e, n);
        etag[n] = '\0';
    }
    free(text);
    return err;
}

/* <ChecksumCRC32> and the like; <ChecksumType> and unknown algorithms are
 * ignored, as are values too long to be any checksum. */
static enum s3_err parse_part_checksum(const xmlNode *elem, struct s3_complete_part *out)
{
    const char *alg = (const char *)elem->name + 8;
    if (checksum_alg_from_name(alg) < 0)
        return S3_OK;
    char *text;
    enum s3_err err = s3_xml_text(elem, &text);
    if (err != S3_OK)
        return err;
    char *v = trim(text);
    if (strlen(v) < sizeof(out->checksum)) {
        snprintf(out->checksum_alg, sizeof(out->checksum_alg), "%s", alg);
        snprintf(out->checksum, sizeof(out->checksum), "%s", v);
    }
    free(text);
    return S3_OK;
}

static enum s3_err parse_part(const xmlNode *part, struct s3_complete_part *out)
{
    bool have_number = false, have_etag = false;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = part->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "PartNumber") && !have_number) {
            have_number = true;
            err = parse_part_number(c, &out->part_number);
        } else if (s3_xml_is(c, "ETag") && !have_etag) {
            have_etag = true;
            err = parse_etag(c, out->etag);
        } else if (c->type == XML_ELEMENT_NODE &&
                   strncmp((const char *)c->name, "Checksum", 8) == 0) {
            err = parse_part_checksum(c, out);
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    if (err == S3_OK && (!have_number || !have_etag))
        err = S3_ERR_MALFORMED_XML;
    return err;
}

enum s3_err s3_parse_complete_upload(const char *body, size_t len,
                                     struct s3_complete_part **parts, size_t *n_parts)
{
    *parts = NULL;
    *n_parts = 0;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "CompleteMultipartUpload", &doc);
    if (err != S3_OK)
        return err;
    struct s3_complete_part *list = NULL;
    size_t n = 0, cap = 0;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (!s3_xml_is(c, "Part")) {
            if (!s3_xml_ignorable(c))
                err = S3_ERR_MALFORMED_XML;
            continue;
        }
        if (n == S3_MAX_PARTS) {
            err = S3_ERR_MALFORMED_XML;
            break;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            struct s3_complete_part *grown = realloc(list, ncap * sizeof(*grown));
            if (!grown) {
                err = S3_ERR_INTERNAL_ERROR;
                break;
            }
            list = grown;
            cap = ncap;
        }
        memset(&list[n], 0, sizeof(list[n]));
        err = parse_part(c, &list[n]);
        if (err == S3_OK)
            n++;
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && n == 0)
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        free(list);
        return err;
    }
    *parts = list;
    *n_parts = n;
    return S3_OK;
}

void s3_complete_upload_xml(struct strbuf *out, const char *location, const char *bucket,
                            const char *key, const char *etag, const char *checksum_alg,
                            const char *checksum, const char *checksum_type)
{
    strbuf_puts(out, S3_XML_DECL "<CompleteMultipartUploadResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Location", location);
    strbuf_xml_elem(out, "Bucket", bucket);
    strbuf_xml_elem(out, "Key", key);
    s3_xml_etag(out, etag);
    s3_checksum_xml(out, checksum_alg, checksum, checksum_type);
    strbuf_puts(out, "</CompleteMultipartUploadResult>");
}

void s3_copy_part_result_xml(struct strbuf *out, const char *etag, int64_t last_modified_ms,
                             const char *checksum_alg, const char *checksum)
{
    strbuf_puts(out, S3_XML_DECL "<CopyPartResult xmlns=\"" S3_XMLNS "\">");
    s3_xml_date(out, "LastModified", last_modified_ms);
    s3_xml_etag(out, etag);
    s3_checksum_xml(out, checksum_alg, checksum, NULL);
    strbuf_puts(out, "</CopyPartResult>");
}
