/* protocol/s3 objects: the DeleteObjects request (<Delete>) and response
 * (<DeleteResult>), the CopyObjectResult body, and GetObjectAttributes —
 * the x-amz-object-attributes list and the <GetObjectAttributesResponse>
 * body.
 *
 * The <Delete> parser accepts the S3 namespace or none, requires a Key in
 * every Object and 1..1000 Objects (else MalformedXML, as AWS answers).
 * An Object may name a VersionId; one asking for a conditional delete
 * (ETag, LastModifiedTime, Size) gets NotImplemented rather than deleting
 * the wrong thing.
 *
 * A multipart object's parts come from its part_checksums text, one line
 * per part: "size" or "size ALG base64". As AWS does, <Part> elements are
 * listed only when the parts carry checksums; PartsCount always is. */
#include "protocol/s3/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/s3/xml.h"

#define S3_MAX_DELETE_OBJECTS 1000

static void free_keys(char **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
}

/* Reads the Key and VersionId of one <Object>, checking its other children. */
static enum s3_err parse_delete_object(const xmlNode *object, char **key, char **version)
{
    *key = *version = NULL;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = object->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Key")) {
            if (*key)
                err = S3_ERR_MALFORMED_XML;
            else
                err = s3_xml_text(c, key);
        } else if (s3_xml_is(c, "VersionId")) {
            if (*version)
                err = S3_ERR_MALFORMED_XML;
            else
                err = s3_xml_text(c, version);
        } else if (s3_xml_is(c, "ETag") || s3_xml_is(c, "LastModifiedTime") ||
                   s3_xml_is(c, "Size")) {
            err = S3_ERR_NOT_IMPLEMENTED;
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    if (err == S3_OK && (!*key || !**key))
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        free(*key);
        free(*version);
        *key = *version = NULL;
    }
    return err;
}

static enum s3_err parse_quiet(const xmlNode *elem, bool *quiet)
{
    char *text;
    enum s3_err err = s3_xml_text(elem, &text);
    if (err != S3_OK)
        return err;
    if (strcmp(text, "true") == 0)
        *quiet = true;
    else if (strcmp(text, "false") == 0)
        *quiet = false;
    else
        err = S3_ERR_MALFORMED_XML;
    free(text);
    return err;
}

enum s3_err s3_parse_delete_objects(const char *body, size_t len, char ***keys,
                                    char ***version_ids, size_t *n_keys, bool *quiet)
{
    *keys = NULL;
    *version_ids = NULL;
    *n_keys = 0;
    *quiet = false;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "Delete", &doc);
    if (err != S3_OK)
        return err;
    char **list = NULL, **versions = NULL;
    size_t n = 0;
    bool seen_quiet = false;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Object")) {
            if (n == S3_MAX_DELETE_OBJECTS) {
                err = S3_ERR_MALFORMED_XML;
                break;
            }
            if (!list) {
                list = calloc(S3_MAX_DELETE_OBJECTS, sizeof(*list));
                versions = calloc(S3_MAX_DELETE_OBJECTS, sizeof(*versions));
                if (!list || !versions) {
                    err = S3_ERR_INTERNAL_ERROR;
                    break;
                }
            }
            err = parse_delete_object(c, &list[n], &versions[n]);
            if (err == S3_OK)
                n++;
        } else if (s3_xml_is(c, "Quiet") && !seen_quiet) {
            seen_quiet = true;
            err = parse_quiet(c, quiet);
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && n == 0)
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        free_keys(list, n);
        free_keys(versions, n);
        *quiet = false;
        return err;
    }
    *keys = list;
    *version_ids = versions;
    *n_keys = n;
    return S3_OK;
}

void s3_delete_result_xml(struct strbuf *out, const struct s3_delete_result *res,
                          size_t n, bool quiet)
{
    strbuf_puts(out, S3_XML_DECL "<DeleteResult xmlns=\"" S3_XMLNS "\">");
    for (size_t i = 0; i < n; i++) {
        if (res[i].err == S3_OK) {
            if (quiet)
                continue;
            strbuf_puts(out, "<Deleted>");
            strbuf_xml_elem(out, "Key", res[i].key);
            if (res[i].version_id)
                strbuf_xml_elem(out, "VersionId", res[i].version_id);
            if (res[i].delete_marker) {
                strbuf_puts(out, "<DeleteMarker>true</DeleteMarker>");
                strbuf_xml_elem(out, "DeleteMarkerVersionId", res[i].delete_marker_version_id);
            }
            strbuf_puts(out, "</Deleted>");
        } else {
            strbuf_puts(out, "<Error>");
            strbuf_xml_elem(out, "Key", res[i].key);
            if (res[i].version_id)
                strbuf_xml_elem(out, "VersionId", res[i].version_id);
            strbuf_xml_elem(out, "Code", s3_err_code(res[i].err));
            strbuf_xml_elem(out, "Message", s3_err_message(res[i].err));
            strbuf_puts(out, "</Error>");
        }
    }
    strbuf_puts(out, "</DeleteResult>");
}

void s3_copy_object_result_xml(struct strbuf *out, const char *etag, int64_t last_modified_ms,
                               const char *checksum_alg, const char *checksum,
                               const char *checksum_type)
{
    strbuf_puts(out, S3_XML_DECL "<CopyObjectResult xmlns=\"" S3_XMLNS "\">");
    s3_xml_date(out, "LastModified", last_modified_ms);
    s3_xml_etag(out, etag);
    s3_checksum_xml(out, checksum_alg, checksum, checksum_type);
    strbuf_puts(out, "</CopyObjectResult>");
}

/* ---- GetObjectAttributes ----------------------------------------------- */

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

bool s3_object_part(const struct s3_object *o, int number, int64_t *first, int64_t *size, char alg[12],
                    char sum[64])
{
    const char *p = o->part_checksums ? o->part_checksums : "";
    int64_t offset = 0;
    for (int n = 1; *p; n++) {
        size_t len = strcspn(p, "\n");
        long long part_size;
        if (!parse_part_line(p, len, &part_size, alg, sum) || part_size < 0)
            return false;
        if (n == number) {
            *first = offset;
            *size = part_size;
            return true;
        }
        offset += part_size;
        p += len + (p[len] == '\n');
    }
    return false;
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
