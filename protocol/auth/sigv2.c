/* sigv2: S3 Signature Version 2 verification (header and presigned query).
 *
 * sigv2_parse() splits "AWS AK:signature" or reads AWSAccessKeyId,
 * Signature and Expires from the query, and parses the request date.
 * sigv2_verify() checks the clock, then rebuilds the string to sign exactly
 * as botocore's HmacV1Auth does (the reference aws-cli and boto3 sign with):
 *   - Content-MD5 and Content-Type values; for presigned URLs also taken
 *     from the query, where botocore moves them;
 *   - the Date value, empty when x-amz-date is sent, Expires when presigned;
 *   - every x-amz-* header (and, presigned, every x-amz-* query parameter)
 *     lower-cased, sorted by name, values trimmed, repeats joined with ',';
 *   - the path as sent (still percent-encoded), prefixed with "/bucket"
 *     for virtual-hosted requests, then the sub-resource parameters from
 *     botocore's list, sorted by name, with percent-decoded values.
 * The HMAC-SHA1 result is base64-encoded and compared with CRYPTO_memcmp.
 * S3 accepts the resource as other signers write it too, so on a mismatch
 * the variants are tried: a bucket-only path with its trailing slash
 * toggled ("/bucket" and "/bucket/" name the same resource; boto3 signs the
 * latter for CreateBucket's "/bucket"), and the guide's shorter list of
 * sub-resources (s3cmd's). The string to sign reported is the first one.
 * An allocation failure fails closed as a signature mismatch without sts. */
#include "protocol/auth/sigv2.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "protocol/auth/checksum.h"
#include "protocol/s3/s3.h"
#include "protocol/core/base64.h"
#include "protocol/core/dates.h"

#define MAX_SKEW_S 900
#define SHA1_LEN 20
#define SIGNATURE_B64_LEN 28

/* Query parameters that are part of the CanonicalizedResource: botocore's
 * HmacV1Auth.QSAOfInterest (the AWS SDK for Java's list is within it), a
 * superset of the list in AWS's SigV2 guide. Matched case-sensitively
 * against the raw name, as botocore does. */
static const char *const sub_resources[] = {
    "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory",
    "lifecycle", "location", "logging", "metrics", "notification", "object-lock",
    "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
    "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-content-type", "response-expires", "restore",
    "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads",
    "versionId", "versioning", "versions", "website",
};

/* The guide's own list (with the response overrides), and the delete, cors
 * and restore that s3cmd adds: what older signers put in the resource. */
static const char *const guide_sub_resources[] = {
    "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "partNumber",
    "policy", "requestPayment", "response-cache-control", "response-content-disposition",
    "response-content-encoding", "response-content-language", "response-content-type",
    "response-expires", "restore", "torrent", "uploadId", "uploads", "versionId", "versioning",
    "versions", "website",
};

/* The ways a signer may have written the resource, all of which S3
 * accepts: as this file builds it, with a bucket-only path's trailing
 * slash toggled (boto3 signs "/bucket/" for a request to "/bucket"), with
 * the guide's sub-resources only, or both. */
enum resource_variant {
    RESOURCE_AS_SENT = 0,
    RESOURCE_SLASH_TOGGLED = 1,
    RESOURCE_GUIDE_SUB_RESOURCES = 2,
    RESOURCE_VARIANTS = 4,
};

/* ---- query parameters -------------------------------------------------- */

struct raw_param {
    const char *name;
    size_t name_len;
    const char *value;             /* NULL when the piece has no '=' */
    size_t value_len;
};

/* Next non-empty "name[=value]" piece of the raw query; false at the end. */
static bool next_param(const char **cursor, struct raw_param *p)
{
    while (**cursor) {
        const char *piece = *cursor;
        size_t len = strcspn(piece, "&");
        *cursor = piece[len] ? piece + len + 1 : piece + len;
        if (len == 0)
            continue;
        const char *eq = memchr(piece, '=', len);
        p->name = piece;
        p->name_len = eq ? (size_t)(eq - piece) : len;
        p->value = eq ? eq + 1 : NULL;
        p->value_len = eq ? len - p->name_len - 1 : 0;
        return true;
    }
    return false;
}

static bool raw_name_is(const struct raw_param *p, const char *name)
{
    return p->name_len == strlen(name) && memcmp(p->name, name, p->name_len) == 0;
}

/* Percent-decodes ('+' stays '+'); text that is not valid percent-encoding
 * is kept as sent, like Python's unquote. NULL only when out of memory. */
static char *decode_lenient(const char *s, size_t len)
{
    char *decoded = percent_decode(s, len, 0, NULL);
    if (decoded || errno != EINVAL)
        return decoded;
    return strndup(s, len);
}

/* The decoded value of the first parameter named `name` (raw match), "" for
 * a bare name. *found tells absence apart from allocation failure. */
static char *query_value(const char *query, const char *name, bool *found)
{
    struct raw_param p;
    *found = false;
    while (next_param(&query, &p)) {
        if (!raw_name_is(&p, name))
            continue;
        *found = true;
        return decode_lenient(p.value ? p.value : "", p.value_len);
    }
    return NULL;
}

static bool query_has(const char *query, const char *name)
{
    struct raw_param p;
    while (next_param(&query, &p))
        if (raw_name_is(&p, name))
            return true;
    return false;
}

/* ---- dates ---------------------------------------------------------------- */

/* RFC 1123 with a GMT/UTC/Z or numeric zone: "Tue, 27 Mar 2007 19:36:42 +0000"
 * (s3cmd, AWS's examples) or "... GMT" (botocore); seconds. */
static bool parse_request_date(const char *s, int64_t *out)
{
    int64_t ms = date_parse_http_zoned(s);
    *out = ms / 1000;
    return ms >= 0;
}

/* ---- sigv2_parse ------------------------------------------------------- */

static bool copy_bounded(char *dst, size_t cap, const char *src, size_t len)
{
    if (len == 0 || len >= cap)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* `creds` is what follows "AWS ": "AccessKeyId:Signature". */
static enum sigv2_status parse_header_form(const struct http_request_view *req,
                                           const char *creds, struct sigv2_auth *out)
{
    while (*creds == ' ')
        creds++;
    const char *colon = strchr(creds, ':');
    if (!colon)
        return SIGV2_MALFORMED;
    const char *sig = colon + 1;
    size_t sig_len = strcspn(sig, " \t");
    if (sig[sig_len] != '\0' ||
        !copy_bounded(out->access_key, sizeof out->access_key, creds, (size_t)(colon - creds)) ||
        !copy_bounded(out->signature, sizeof out->signature, sig, sig_len))
        return SIGV2_MALFORMED;

    const char *amz_date = http_view_header(req, "x-amz-date");
    const char *date = amz_date ? amz_date : http_view_header(req, "date");
    if (!date || !parse_request_date(date, &out->request_time))
        return SIGV2_MISSING_DATE;
    return SIGV2_OK;
}

/* Copies one decoded query parameter into a fixed buffer. */
static enum sigv2_status query_field(const char *query, const char *name, char *dst, size_t cap)
{
    bool found;
    char *value = query_value(query, name, &found);
    enum sigv2_status status =
        value && copy_bounded(dst, cap, value, strlen(value)) ? SIGV2_OK : SIGV2_MALFORMED;
    free(value);
    return status;
}

static enum sigv2_status parse_query_form(const char *query, struct sigv2_auth *out)
{
    char expires[20];
    out->presigned = true;
    if (query_field(query, "AWSAccessKeyId", out->access_key, sizeof out->access_key) != SIGV2_OK ||
        query_field(query, "Signature", out->signature, sizeof out->signature) != SIGV2_OK ||
        query_field(query, "Expires", expires, sizeof expires) != SIGV2_OK)
        return SIGV2_MALFORMED;
    for (const char *p = expires; *p; p++)
        if (!isdigit((unsigned char)*p))
            return SIGV2_MALFORMED;
    out->expires = strtoll(expires, NULL, 10);
    return SIGV2_OK;
}

enum sigv2_status sigv2_parse(const struct http_request_view *req, struct sigv2_auth *out)
{
    memset(out, 0, sizeof *out);
    const char *authz = http_view_header(req, "authorization");
    const char *query = req->query ? req->query : "";
    bool query_form = query_has(query, "AWSAccessKeyId") || query_has(query, "Signature");
    bool header_form = authz && strncmp(authz, "AWS ", 4) == 0;
    if (authz && query_form)
        return SIGV2_MALFORMED;    /* AWS: "Only one auth mechanism allowed" */
    if (header_form)
        return parse_header_form(req, authz + 4, out);
    if (query_form)
        return parse_query_form(query, out);
    return SIGV2_ABSENT;
}

/* ---- string to sign ------------------------------------------------------ */

/* A name/value pair to sort; both strings are owned. `order` keeps the sort
 * stable (repeated names keep their order, as in Python's sort). */
struct entry {
    char *name;
    char *value;                   /* NULL: a sub-resource without '=' */
    size_t order;
};

struct entry_list {
    struct entry *items;
    size_t n, cap;
    bool oom;
};

static void entries_free(struct entry_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        free(l->items[i].value);
    }
    free(l->items);
}

/* Takes ownership of name and value (NULL name means allocation failed). */
static void entries_add(struct entry_list *l, char *name, char *value, bool value_expected)
{
    if (!name || (value_expected && !value) || l->oom)
        goto fail;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct entry *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            goto fail;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n] = (struct entry){ .name = name, .value = value, .order = l->n };
    l->n++;
    return;
fail:
    l->oom = true;
    free(name);
    free(value);
}

static int compare_entries(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A copy without leading/trailing blanks. */
static char *trimmed_copy(const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return strndup(s, len);
}

static char *lowercase_copy(const char *s)
{
    char *copy = strdup(s);
    if (copy)
        for (char *p = copy; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return copy;
}

static bool is_amz_name(const char *name)
{
    return strncasecmp(name, "x-amz-", 6) == 0;
}

/* x-amz-* headers, plus x-amz-* query parameters of presigned URLs:
 * "name:v1,v2\n" per distinct name, sorted. */
static void append_amz_headers(struct strbuf *sts, const struct http_request_view *req,
                               bool presigned)
{
    struct entry_list list = { 0 };
    for (size_t i = 0; i < req->n_headers; i++) {
        const struct http_header *h = &req->headers[i];
        if (!is_amz_name(h->name))
            continue;
        const char *value = h->value ? h->value : "";
        entries_add(&list, lowercase_copy(h->name), trimmed_copy(value, strlen(value)), true);
    }
    const char *query = presigned && req->query ? req->query : "";
    struct raw_param p;
    while (next_param(&query, &p)) {
        char *name = decode_lenient(p.name, p.name_len);
        if (name && !is_amz_name(name)) {
            free(name);
            continue;
        }
        char *value = name ? decode_lenient(p.value ? p.value : "", p.value_len) : NULL;
        char *trimmed = value ? trimmed_copy(value, strlen(value)) : NULL;
        free(value);
        char *lower = name ? lowercase_copy(name) : NULL;
        free(name);
        entries_add(&list, lower, trimmed, true);
    }
    if (list.oom) {
        sts->oom = true;
    } else {
        if (list.n)   /* qsort's array may not be NULL, even when empty */
            qsort(list.items, list.n, sizeof *list.items, compare_entries);
        for (size_t i = 0; i < list.n; i++) {
            bool repeat = i > 0 && strcmp(list.items[i].name, list.items[i - 1].name) == 0;
            if (repeat) {
                strbuf_putc(sts, ',');
            } else {
                if (i > 0)
                    strbuf_putc(sts, '\n');
                strbuf_puts(sts, list.items[i].name);
                strbuf_putc(sts, ':');
            }
            strbuf_puts(sts, list.items[i].value);
        }
        if (list.n > 0)
            strbuf_putc(sts, '\n');
    }
    entries_free(&list);
}

static bool is_sub_resource(const struct raw_param *p, bool guide_only)
{
    const char *const *list = guide_only ? guide_sub_resources : sub_resources;
    size_t n = guide_only ? sizeof guide_sub_resources / sizeof guide_sub_resources[0]
                          : sizeof sub_resources / sizeof sub_resources[0];
    for (size_t i = 0; i < n; i++)
        if (raw_name_is(p, list[i]))
            return true;
    return false;
}

/* The resource's path: "/" bucket (virtual-hosted) then the path as sent. */
static void append_path(struct strbuf *out, const struct http_request_view *req, const char *bucket_from_host)
{
    if (bucket_from_host) {
        strbuf_putc(out, '/');
        strbuf_puts(out, bucket_from_host);
    }
    strbuf_puts(out, req->path && req->path[0] ? req->path : "/");
}

/* Whether a resource path names a bucket alone ("/bucket" or "/bucket/"). */
static bool is_bucket_path(const char *path, size_t len)
{
    if (len < 2 || path[0] != '/')
        return false;
    const char *slash = memchr(path + 1, '/', len - 1);
    return !slash || (size_t)(slash - path) == len - 1;
}

/* ["/" bucket] path ["?" sub-resources sorted by name, values decoded]. */
static void append_resource(struct strbuf *sts, const struct http_request_view *req,
                            const char *bucket_from_host, enum resource_variant variant)
{
    append_path(sts, req, bucket_from_host);
    if ((variant & RESOURCE_SLASH_TOGGLED) && !strbuf_failed(sts)) {
        if (sts->data[sts->len - 1] == '/')
            sts->data[--sts->len] = '\0';
        else
            strbuf_putc(sts, '/');
    }

    struct entry_list list = { 0 };
    const char *query = req->query ? req->query : "";
    struct raw_param p;
    while (next_param(&query, &p)) {
        if (!is_sub_resource(&p, variant & RESOURCE_GUIDE_SUB_RESOURCES))
            continue;
        char *value = p.value ? decode_lenient(p.value, p.value_len) : NULL;
        entries_add(&list, strndup(p.name, p.name_len), value, p.value != NULL);
    }
    if (list.oom) {
        sts->oom = true;
    } else {
        if (list.n)   /* qsort's array may not be NULL, even when empty */
            qsort(list.items, list.n, sizeof *list.items, compare_entries);
        for (size_t i = 0; i < list.n; i++) {
            strbuf_putc(sts, i == 0 ? '?' : '&');
            strbuf_puts(sts, list.items[i].name);
            if (list.items[i].value) {
                strbuf_putc(sts, '=');
                strbuf_puts(sts, list.items[i].value);
            }
        }
    }
    entries_free(&list);
}

/* A positional header line: the header's value, or for presigned URLs the
 * query parameter botocore moved it to. */
static void append_positional(struct strbuf *sts, const struct http_request_view *req,
                              const char *lname, bool presigned)
{
    const char *value = http_view_header(req, lname);
    if (value) {
        strbuf_puts(sts, value);
    } else if (presigned) {
        bool found;
        char *from_query = query_value(req->query ? req->query : "", lname, &found);
        if (found && !from_query)
            sts->oom = true;
        else if (from_query)
            strbuf_puts(sts, from_query);
        free(from_query);
    }
    strbuf_putc(sts, '\n');
}

static void build_string_to_sign(struct strbuf *sts, const struct http_request_view *req,
                                 const struct sigv2_auth *auth, const char *bucket_from_host,
                                 enum resource_variant variant)
{
    strbuf_puts(sts, req->method);
    strbuf_putc(sts, '\n');
    append_positional(sts, req, "content-md5", auth->presigned);
    append_positional(sts, req, "content-type", auth->presigned);
    if (auth->presigned) {
        bool found;
        char *expires = query_value(req->query ? req->query : "", "Expires", &found);
        if (expires)
            strbuf_puts(sts, expires);
        else
            sts->oom = true;
        free(expires);
    } else if (!http_view_header(req, "x-amz-date")) {
        const char *date = http_view_header(req, "date");
        strbuf_puts(sts, date ? date : "");
    }
    strbuf_putc(sts, '\n');
    append_amz_headers(sts, req, auth->presigned);
    append_resource(sts, req, bucket_from_host, variant);
}

/* Whether a variant can differ from the resource as sent: a slash toggled
 * only for a bucket-only path, the guide's list only when the query has a
 * sub-resource outside it. */
static bool variant_applies(const struct http_request_view *req, const char *bucket_from_host,
                            enum resource_variant variant)
{
    if (variant & RESOURCE_SLASH_TOGGLED) {
        struct strbuf path;
        strbuf_init(&path);
        append_path(&path, req, bucket_from_host);
        bool bucket_only = !strbuf_failed(&path) && is_bucket_path(path.data, path.len);
        strbuf_free(&path);
        if (!bucket_only)
            return false;
    }
    if (variant & RESOURCE_GUIDE_SUB_RESOURCES) {
        const char *query = req->query ? req->query : "";
        struct raw_param p;
        bool beyond_guide = false;
        while (!beyond_guide && next_param(&query, &p))
            beyond_guide = is_sub_resource(&p, false) && !is_sub_resource(&p, true);
        if (!beyond_guide)
            return false;
    }
    return true;
}

/* HMAC-SHA1 of the string to sign, base64, compared in constant time. */
static bool signature_matches(const struct strbuf *to_sign, const char *secret, const char *given)
{
    unsigned char mac[SHA1_LEN];
    unsigned int mac_len = sizeof mac;
    char expected[SIGNATURE_B64_LEN + 1];
    if (strbuf_failed(to_sign) ||
        !HMAC(EVP_sha1(), secret, (int)strlen(secret), (const unsigned char *)to_sign->data, to_sign->len, mac,
              &mac_len) || mac_len != SHA1_LEN)
        return false;
    base64_encode(mac, SHA1_LEN, expected);
    return strlen(given) == SIGNATURE_B64_LEN && CRYPTO_memcmp(expected, given, SIGNATURE_B64_LEN) == 0;
}

/* ---- sigv2_verify ------------------------------------------------------ */

static enum sigv2_status check_clock(const struct sigv2_auth *auth, int64_t now)
{
    if (auth->presigned)
        return now > auth->expires ? SIGV2_EXPIRED : SIGV2_OK;
    int64_t ahead = auth->request_time - now;
    return ahead > MAX_SKEW_S || -ahead > MAX_SKEW_S ? SIGV2_TIME_SKEWED : SIGV2_OK;
}

enum sigv2_status sigv2_verify(const struct http_request_view *req, const struct sigv2_auth *auth,
                               const char *secret, const char *bucket_from_host, int64_t now,
                               struct strbuf *sts)
{
    enum sigv2_status clock = check_clock(auth, now);
    if (clock != SIGV2_OK)
        return clock;

    enum sigv2_status status = SIGV2_SIGNATURE_MISMATCH;
    struct strbuf to_sign;
    strbuf_init(&to_sign);
    for (int variant = RESOURCE_AS_SENT; variant < RESOURCE_VARIANTS && status != SIGV2_OK; variant++) {
        if (variant != RESOURCE_AS_SENT && !variant_applies(req, bucket_from_host, (enum resource_variant)variant))
            continue;
        strbuf_reset(&to_sign);
        build_string_to_sign(&to_sign, req, auth, bucket_from_host, (enum resource_variant)variant);
        if (signature_matches(&to_sign, secret, auth->signature))
            status = SIGV2_OK;
        else if (variant == RESOURCE_AS_SENT && sts && !strbuf_failed(&to_sign)) {
            strbuf_reset(sts);
            strbuf_append(sts, to_sign.data, to_sign.len);
        }
    }
    strbuf_free(&to_sign);
    return status;
}
