/* protocol/s3 attributes: checksums as S3 serializes them
 * (<ChecksumCRC32>...</ChecksumCRC32><ChecksumType>...</ChecksumType>) and
 * GetObjectAttributes — the x-amz-object-attributes list and the
 * <GetObjectAttributesResponse> body.
 *
 * A multipart object's parts come from its part_checksums text, one line
 * per part: "size" or "size ALG base64". As AWS does, <Part> elements are
 * listed only when the parts carry checksums; PartsCount always is. */
#include "protocol/s3/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/xml.h"

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

static const char *const attribute_names[] = {
    [0] = "ETag", [1] = "Checksum", [2] = "ObjectParts", [3] = "StorageClass", [4] = "ObjectSize",
};

enum s3_err s3_parse_object_attributes(const char *header, unsigned *attrs)
{
    *attrs = 0;
    if (!header)
        return S3_ERR_INVALID_REQUEST;
    const char *p = header;
    while (*p) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, ",");
        size_t e = n;
        while (e && p[e - 1] == ' ')
            e--;
        if (e == 0)
            break;
        bool known = false;
        for (unsigned i = 0; i < sizeof(attribute_names) / sizeof(attribute_names[0]); i++) {
            if (strlen(attribute_names[i]) == e && strncmp(p, attribute_names[i], e) == 0) {
                *attrs |= 1u << i;
                known = true;
            }
        }
        if (!known)
            return S3_ERR_INVALID_ARGUMENT;
        p += n;
    }
    return *attrs ? S3_OK : S3_ERR_INVALID_REQUEST;
}

/* One part line: "size" or "size ALG base64". Returns false when malformed. */
static bool parse_part_line(const char *line, size_t len, long long *size, char alg[12],
                            char sum[64])
{
    char buf[128];
    if (len >= sizeof(buf))
        return false;
    memcpy(buf, line, len);
    buf[len] = '\0';
    alg[0] = sum[0] = '\0';
    int n = sscanf(buf, "%lld %11s %63s", size, alg, sum);
    if (n == 2)
        return false;
    if (n < 3)
        alg[0] = sum[0] = '\0';
    return n >= 1;
}

/* Walks the parts after `marker` that carry checksums, at most max_parts
 * of them, appending their <Part> elements to out when it is not NULL;
 * *last is the last part listed, *truncated whether more followed. */
static void walk_parts(const struct s3_object *o, int marker, int max_parts, struct strbuf *out,
                       int *last, bool *truncated)
{
    const char *p = o->part_checksums ? o->part_checksums : "";
    int number = 0, listed = 0;
    *last = marker;
    *truncated = false;
    while (*p) {
        size_t len = strcspn(p, "\n");
        long long size;
        char alg[12], sum[64];
        number++;
        if (parse_part_line(p, len, &size, alg, sum) && alg[0] && number > marker) {
            if (listed == max_parts) {
                *truncated = true;
                return;
            }
            if (out) {
                strbuf_printf(out, "<Part><PartNumber>%d</PartNumber><Size>%lld</Size>", number, size);
                s3_checksum_xml(out, alg, sum, NULL);
                strbuf_puts(out, "</Part>");
            }
            listed++;
            *last = number;
        }
        p += len + (p[len] == '\n');
    }
}

static void object_parts_xml(struct strbuf *out, const struct s3_object *o, int marker,
                             int max_parts)
{
    int last;
    bool truncated;
    walk_parts(o, marker, max_parts, NULL, &last, &truncated);
    strbuf_puts(out, "<ObjectParts>");
    strbuf_printf(out, "<PartsCount>%d</PartsCount>", o->parts_count);
    if (last > marker || marker) {
        strbuf_printf(out, "<PartNumberMarker>%d</PartNumberMarker>", marker);
        strbuf_printf(out, "<NextPartNumberMarker>%d</NextPartNumberMarker>", last);
        strbuf_printf(out, "<MaxParts>%d</MaxParts>", max_parts);
        strbuf_printf(out, "<IsTruncated>%s</IsTruncated>", truncated ? "true" : "false");
    }
    walk_parts(o, marker, max_parts, out, &last, &truncated);
    strbuf_puts(out, "</ObjectParts>");
}

void s3_object_attributes_xml(struct strbuf *out, const struct s3_object *o, unsigned attrs,
                              int part_number_marker, int max_parts)
{
    strbuf_puts(out, S3_XML_DECL "<GetObjectAttributesResponse xmlns=\"" S3_XMLNS "\">");
    if (attrs & S3_ATTR_ETAG)
        strbuf_xml_elem(out, "ETag", o->etag);
    if ((attrs & S3_ATTR_CHECKSUM) && o->checksum_alg[0]) {
        strbuf_puts(out, "<Checksum>");
        s3_checksum_xml(out, o->checksum_alg, o->checksum, o->checksum_type);
        strbuf_puts(out, "</Checksum>");
    }
    if ((attrs & S3_ATTR_OBJECT_PARTS) && o->parts_count > 0)
        object_parts_xml(out, o, part_number_marker, max_parts);
    if (attrs & S3_ATTR_STORAGE_CLASS)
        strbuf_xml_elem(out, "StorageClass", o->storage_class ? o->storage_class : "STANDARD");
    if (attrs & S3_ATTR_OBJECT_SIZE)
        strbuf_printf(out, "<ObjectSize>%lld</ObjectSize>", (long long)o->size);
    strbuf_puts(out, "</GetObjectAttributesResponse>");
}
