/* protocol/s3 tagging: the <Tagging> body of Put/GetObjectTagging and
 * Put/GetBucketTagging, and the x-amz-tagging header of PutObject,
 * CopyObject and CreateMultipartUpload.
 *
 * Both inputs become the same list of s3_kv and pass the same checks, in
 * AWS's order: the count first, then each tag's key and value, then
 * duplicates. Lengths count characters (UTF-8 code points), as AWS does;
 * ASCII characters outside letters, digits, space and _.:/=+-@ are
 * refused, non-ASCII letters are let through. */
#include "protocol/s3/s3.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/xml.h"

#define S3_MAX_TAG_KEY 128
#define S3_MAX_TAG_VALUE 256

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static bool tag_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr(" _.:/=+-@", *p))
            continue;
        return false;
    }
    return true;
}

/* AWS's rules over a parsed tag list; see s3.h. */
static enum s3_err check_tags(const struct s3_kv *tags, size_t n, size_t max_tags,
                              const char **message)
{
    if (n > max_tags) {
        if (max_tags == S3_MAX_OBJECT_TAGS) {
            *message = "Object tags cannot be greater than 10";
            return S3_ERR_BAD_REQUEST;
        }
        *message = "Bucket tag count cannot be greater than 50";
        return S3_ERR_INVALID_TAG;
    }
    for (size_t i = 0; i < n; i++) {
        const char *key = tags[i].name, *value = tags[i].value;
        if (!*key || !tag_chars_ok(key)) {
            *message = "The TagKey you have provided is invalid";
            return S3_ERR_INVALID_TAG;
        }
        if (utf8_chars(key) > S3_MAX_TAG_KEY) {
            *message = "The TagKey you have provided is too long, max 128";
            return S3_ERR_INVALID_TAG;
        }
        if (strncasecmp(key, "aws:", 4) == 0) {
            *message = "Your TagKey cannot be prefixed with aws:";
            return S3_ERR_INVALID_TAG;
        }
        if (!tag_chars_ok(value)) {
            *message = "The TagValue you have provided is invalid";
            return S3_ERR_INVALID_TAG;
        }
        if (utf8_chars(value) > S3_MAX_TAG_VALUE) {
            *message = "The TagValue you have provided is too long, max 256";
            return S3_ERR_INVALID_TAG;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tags[j].name, key) == 0) {
                *message = "Cannot provide multiple Tags with the same key";
                return S3_ERR_INVALID_TAG;
            }
        }
    }
    return S3_OK;
}

/* Appends (name, value), both taken; -1 on ENOMEM (both freed). */
static int append_tag(struct s3_kv **tags, size_t *n, size_t *cap, char *name, char *value)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        struct s3_kv *grown = realloc(*tags, ncap * sizeof(*grown));
        if (!grown) {
            free(name);
            free(value);
            return -1;
        }
        *tags = grown;
        *cap = ncap;
    }
    (*tags)[*n].name = name;
    (*tags)[*n].value = value;
    (*n)++;
    return 0;
}

/* One <Tag><Key/><Value/></Tag>: both required, once each. */
static enum s3_err parse_tag(const xmlNode *tag, char **key, char **value)
{
    *key = *value = NULL;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = tag->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Key") && !*key)
            err = s3_xml_text(c, key);
        else if (s3_xml_is(c, "Value") && !*value)
            err = s3_xml_text(c, value);
        else if (!s3_xml_ignorable(c))
            err = S3_ERR_MALFORMED_XML;
    }
    if (err == S3_OK && (!*key || !*value))
        err = S3_ERR_MALFORMED_XML;
    if (err != S3_OK) {
        free(*key);
        free(*value);
        *key = *value = NULL;
    }
    return err;
}

static enum s3_err parse_tag_set(const xmlNode *set, struct s3_kv **tags, size_t *n)
{
    size_t cap = 0;
    enum s3_err err = S3_OK;
    for (const xmlNode *c = set->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "Tag")) {
            char *key, *value;
            err = parse_tag(c, &key, &value);
            if (err == S3_OK && append_tag(tags, n, &cap, key, value) != 0)
                err = S3_ERR_INTERNAL_ERROR;
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    return err;
}

enum s3_err s3_parse_tagging(const char *body, size_t len, size_t max_tags,
                             struct s3_kv **tags, size_t *n_tags, const char **message)
{
    *tags = NULL;
    *n_tags = 0;
    *message = NULL;
    xmlDoc *doc;
    enum s3_err err = s3_xml_read(body, len, "Tagging", &doc);
    if (err != S3_OK)
        return err;
    bool seen_set = false;
    for (const xmlNode *c = s3_xml_root(doc)->children; c && err == S3_OK; c = c->next) {
        if (s3_xml_is(c, "TagSet") && !seen_set) {
            seen_set = true;
            err = parse_tag_set(c, tags, n_tags);
        } else if (!s3_xml_ignorable(c)) {
            err = S3_ERR_MALFORMED_XML;
        }
    }
    xmlFreeDoc(doc);
    if (err == S3_OK && !seen_set)
        err = S3_ERR_MALFORMED_XML;
    if (err == S3_OK)
        err = check_tags(*tags, *n_tags, max_tags, message);
    if (err != S3_OK) {
        s3_kv_free_array(*tags, *n_tags);
        *tags = NULL;
        *n_tags = 0;
    }
    return err;
}

enum s3_err s3_parse_tagging_header(const char *header, size_t max_tags, struct s3_kv **tags,
                                    size_t *n_tags, const char **message)
{
    *tags = NULL;
    *n_tags = 0;
    *message = NULL;
    size_t cap = 0;
    enum s3_err err = S3_OK;
    const char *p = header;
    while (*p && err == S3_OK) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        if (len > 0) {
            char *name = percent_decode(p, name_len, PERCENT_PLUS_IS_SPACE, NULL);
            char *value = eq ? percent_decode(eq + 1, len - name_len - 1, PERCENT_PLUS_IS_SPACE, NULL) : strdup("");
            if (!name || !value) {
                err = errno == ENOMEM ? S3_ERR_INTERNAL_ERROR : S3_ERR_INVALID_TAG;
                *message = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";
                free(name);
                free(value);
            } else if (append_tag(tags, n_tags, &cap, name, value) != 0) {
                err = S3_ERR_INTERNAL_ERROR;
            }
        }
        p += len;
        if (*p == '&')
            p++;
    }
    if (err == S3_OK)
        err = check_tags(*tags, *n_tags, max_tags, message);
    if (err != S3_OK) {
        s3_kv_free_array(*tags, *n_tags);
        *tags = NULL;
        *n_tags = 0;
    }
    return err;
}

void s3_tagging_xml(struct strbuf *out, const struct s3_kv *tags, size_t n_tags)
{
    strbuf_puts(out, S3_XML_DECL "<Tagging xmlns=\"" S3_XMLNS "\"><TagSet>");
    for (size_t i = 0; i < n_tags; i++) {
        strbuf_puts(out, "<Tag>");
        strbuf_xml_elem(out, "Key", tags[i].name);
        strbuf_xml_elem(out, "Value", tags[i].value);
        strbuf_puts(out, "</Tag>");
    }
    strbuf_puts(out, "</TagSet></Tagging>");
}
