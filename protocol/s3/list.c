/* protocol/s3 listings: ListBucketResult (ListObjects v1 and v2),
 * ListVersionsResult, ListMultipartUploadsResult and ListPartsResult.
 *
 * Elements follow the order AWS sends them. With encoding-type=url, every
 * element that carries a key or part of one (Key, Prefix, Delimiter,
 * Marker, NextMarker, StartAfter, KeyMarker, NextKeyMarker, CommonPrefixes)
 * is percent-encoded with '/' kept, and EncodingType is echoed. ETags are
 * written with their quotes, which XML-escape to &quot;. */
#include "protocol/s3/s3.h"

#include <string.h>

#include "protocol/s3/xml.h"

#define S3_DEFAULT_STORAGE_CLASS "STANDARD"

/* <tag>value</tag>, value percent-encoded first when url_encode. */
static void key_elem(struct strbuf *out, const char *tag, const char *value, bool url_encode)
{
    if (!url_encode) {
        strbuf_xml_elem(out, tag, value);
        return;
    }
    struct strbuf encoded;
    strbuf_init(&encoded);
    percent_encode(&encoded, value ? value : "", strlen(value ? value : ""), true);
    if (strbuf_failed(&encoded))
        out->oom = true;
    else
        strbuf_xml_elem(out, tag, encoded.data ? encoded.data : "");
    strbuf_free(&encoded);
}

static void int_elem(struct strbuf *out, const char *tag, long long value)
{
    strbuf_printf(out, "<%s>%lld</%s>", tag, value, tag);
}

static void bool_elem(struct strbuf *out, const char *tag, bool value)
{
    strbuf_xml_elem(out, tag, value ? "true" : "false");
}

/* <tag><ID/><DisplayName/></tag> for an account. */
static void account_elem(struct strbuf *out, const char *tag, const char *account)
{
    strbuf_printf(out, "<%s>", tag);
    strbuf_xml_elem(out, "ID", account);
    strbuf_xml_elem(out, "DisplayName", account);
    strbuf_printf(out, "</%s>", tag);
}

static const char *storage_class(const char *sc)
{
    return sc && *sc ? sc : S3_DEFAULT_STORAGE_CLASS;
}

static bool given(const char *s) { return s && *s; }

static void common_prefixes(struct strbuf *out, char *const *prefixes, size_t n,
                            bool url_encode)
{
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(out, "<CommonPrefixes>");
        key_elem(out, "Prefix", prefixes[i], url_encode);
        strbuf_puts(out, "</CommonPrefixes>");
    }
}

static void object_contents(struct strbuf *out, const struct s3_object *obj, bool owner,
                            bool url_encode)
{
    strbuf_puts(out, "<Contents>");
    key_elem(out, "Key", obj->key, url_encode);
    s3_xml_date(out, "LastModified", obj->last_modified_ms);
    s3_xml_etag(out, obj->etag);
    int_elem(out, "Size", obj->size);
    if (owner)
        account_elem(out, "Owner", obj->owner_account);
    strbuf_xml_elem(out, "StorageClass", storage_class(obj->storage_class));
    strbuf_puts(out, "</Contents>");
}

void s3_list_objects_xml(struct strbuf *out, const struct s3_list_xml_opts *o,
                         const struct s3_list_result *r)
{
    bool enc = o->url_encode;
    strbuf_puts(out, S3_XML_DECL "<ListBucketResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Name", o->bucket);
    key_elem(out, "Prefix", o->prefix, enc);
    if (o->v2) {
        if (o->continuation_token)
            strbuf_xml_elem(out, "ContinuationToken", o->continuation_token);
        if (r->is_truncated && given(o->next_continuation_token))
            strbuf_xml_elem(out, "NextContinuationToken", o->next_continuation_token);
        int_elem(out, "KeyCount", (long long)(r->n_objects + r->n_common_prefixes));
    } else {
        key_elem(out, "Marker", o->marker, enc);
        if (r->is_truncated && given(o->delimiter) && given(r->next_marker))
            key_elem(out, "NextMarker", r->next_marker, enc);
    }
    int_elem(out, "MaxKeys", o->max_keys);
    if (given(o->delimiter))
        key_elem(out, "Delimiter", o->delimiter, enc);
    if (enc)
        strbuf_puts(out, "<EncodingType>url</EncodingType>");
    bool_elem(out, "IsTruncated", r->is_truncated);
    if (o->v2 && given(o->marker))
        key_elem(out, "StartAfter", o->marker, enc);
    bool owner = !o->v2 || o->fetch_owner;
    for (size_t i = 0; i < r->n_objects; i++)
        object_contents(out, &r->objects[i], owner, enc);
    common_prefixes(out, r->common_prefixes, r->n_common_prefixes, enc);
    strbuf_puts(out, "</ListBucketResult>");
}

/* One <Version> or <DeleteMarker> of ListVersionsResult. */
static void version_entry(struct strbuf *out, const struct s3_object *v, bool url_encode)
{
    const char *tag = v->delete_marker ? "DeleteMarker" : "Version";
    strbuf_printf(out, "<%s>", tag);
    key_elem(out, "Key", v->key, url_encode);
    strbuf_xml_elem(out, "VersionId", v->version_id);
    bool_elem(out, "IsLatest", v->is_latest);
    s3_xml_date(out, "LastModified", v->last_modified_ms);
    if (!v->delete_marker) {
        s3_xml_etag(out, v->etag);
        int_elem(out, "Size", v->size);
        strbuf_xml_elem(out, "StorageClass", storage_class(v->storage_class));
    }
    account_elem(out, "Owner", v->owner_account);
    strbuf_printf(out, "</%s>", tag);
}

void s3_list_versions_xml(struct strbuf *out, const struct s3_list_xml_opts *o,
                          const char *version_id_marker, const struct s3_list_result *r)
{
    bool enc = o->url_encode;
    strbuf_puts(out, S3_XML_DECL "<ListVersionsResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Name", o->bucket);
    key_elem(out, "Prefix", o->prefix, enc);
    key_elem(out, "KeyMarker", o->marker, enc);
    strbuf_xml_elem(out, "VersionIdMarker", version_id_marker);
    if (r->is_truncated && given(r->next_marker)) {
        key_elem(out, "NextKeyMarker", r->next_marker, enc);
        if (given(r->next_version_id_marker))
            strbuf_xml_elem(out, "NextVersionIdMarker", r->next_version_id_marker);
    }
    int_elem(out, "MaxKeys", o->max_keys);
    if (given(o->delimiter))
        key_elem(out, "Delimiter", o->delimiter, enc);
    if (enc)
        strbuf_puts(out, "<EncodingType>url</EncodingType>");
    bool_elem(out, "IsTruncated", r->is_truncated);
    for (size_t i = 0; i < r->n_objects; i++)
        version_entry(out, &r->objects[i], enc);
    common_prefixes(out, r->common_prefixes, r->n_common_prefixes, enc);
    strbuf_puts(out, "</ListVersionsResult>");
}

void s3_list_uploads_xml(struct strbuf *out, const char *bucket, const char *prefix,
                         const char *delimiter, const char *key_marker,
                         const char *upload_id_marker, int max_uploads, bool url_encode,
                         const struct s3_upload_list *l)
{
    bool enc = url_encode;
    strbuf_puts(out, S3_XML_DECL "<ListMultipartUploadsResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Bucket", bucket);
    key_elem(out, "KeyMarker", key_marker, enc);
    strbuf_xml_elem(out, "UploadIdMarker", upload_id_marker);
    key_elem(out, "NextKeyMarker", l->next_key_marker, enc);
    strbuf_xml_elem(out, "NextUploadIdMarker", l->next_upload_id_marker);
    if (given(delimiter))
        key_elem(out, "Delimiter", delimiter, enc);
    key_elem(out, "Prefix", prefix, enc);
    if (enc)
        strbuf_puts(out, "<EncodingType>url</EncodingType>");
    int_elem(out, "MaxUploads", max_uploads);
    bool_elem(out, "IsTruncated", l->is_truncated);
    for (size_t i = 0; i < l->n_uploads; i++) {
        const struct s3_upload *u = &l->uploads[i];
        strbuf_puts(out, "<Upload>");
        key_elem(out, "Key", u->key, enc);
        strbuf_xml_elem(out, "UploadId", u->upload_id);
        account_elem(out, "Initiator", u->owner_account);
        account_elem(out, "Owner", u->owner_account);
        strbuf_xml_elem(out, "StorageClass", storage_class(u->storage_class));
        s3_xml_date(out, "Initiated", u->initiated_ms);
        strbuf_puts(out, "</Upload>");
    }
    common_prefixes(out, l->common_prefixes, l->n_common_prefixes, enc);
    strbuf_puts(out, "</ListMultipartUploadsResult>");
}

void s3_list_parts_xml(struct strbuf *out, const char *bucket, const char *key,
                       const struct s3_upload *upload, int part_number_marker,
                       int max_parts, const struct s3_part_list *l)
{
    int next_marker = l->is_truncated ? l->next_part_number_marker
                      : l->n_parts    ? l->parts[l->n_parts - 1].part_number
                                      : part_number_marker;
    strbuf_puts(out, S3_XML_DECL "<ListPartsResult xmlns=\"" S3_XMLNS "\">");
    strbuf_xml_elem(out, "Bucket", bucket);
    strbuf_xml_elem(out, "Key", key);
    strbuf_xml_elem(out, "UploadId", upload->upload_id);
    account_elem(out, "Initiator", upload->owner_account);
    account_elem(out, "Owner", upload->owner_account);
    strbuf_xml_elem(out, "StorageClass", storage_class(upload->storage_class));
    if (upload->checksum_alg[0]) {
        strbuf_xml_elem(out, "ChecksumAlgorithm", upload->checksum_alg);
        strbuf_xml_elem(out, "ChecksumType", upload->checksum_type);
    }
    int_elem(out, "PartNumberMarker", part_number_marker);
    int_elem(out, "NextPartNumberMarker", next_marker);
    int_elem(out, "MaxParts", max_parts);
    bool_elem(out, "IsTruncated", l->is_truncated);
    for (size_t i = 0; i < l->n_parts; i++) {
        const struct s3_part *p = &l->parts[i];
        strbuf_puts(out, "<Part>");
        int_elem(out, "PartNumber", p->part_number);
        s3_xml_date(out, "LastModified", p->last_modified_ms);
        s3_xml_etag(out, p->etag);
        int_elem(out, "Size", p->size);
        s3_checksum_xml(out, p->checksum_alg, p->checksum, NULL);
        strbuf_puts(out, "</Part>");
    }
    strbuf_puts(out, "</ListPartsResult>");
}
