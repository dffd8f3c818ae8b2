/* sigv4: AWS Signature Version 4 verification (header and presigned query).
 *
 * sigv4_parse() only reads the shape of the credentials: algorithm,
 * credential scope, signed header list, signature, date, payload hash.
 * sigv4_verify() checks the clock, then rebuilds the canonical request the
 * way AWS does (method, canonical URI, canonical query, canonical headers,
 * signed header list, payload hash), hashes it into the string to sign,
 * signs that with the key derived from the secret and compares the result
 * with CRYPTO_memcmp. Nothing here reads a clock or allocates beyond the
 * request's own size. An allocation failure fails closed as a signature
 * mismatch without sts/creq. */
#include "protocol/auth/sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "protocol/auth/checksum.h"
#include "protocol/core/dates.h"
#include "protocol/core/hex.h"
#include "protocol/core/percent.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define MAX_PRESIGN_EXPIRES 604800

/* ---- small string helpers ---------------------------------------------- */

/* Appends the canonical form of one raw query component: decoded, then
 * encoded with only unreserved bytes kept. */
static void canonical_component(struct strbuf *sb, const char *s, size_t len)
{
    struct strbuf decoded;
    strbuf_init(&decoded);
    percent_decode_lenient(&decoded, s, len);
    if (strbuf_failed(&decoded)) {
        sb->oom = true;
    } else if (decoded.len > 0) {
        percent_encode(sb, decoded.data, decoded.len, false);
    }
    strbuf_free(&decoded);
}

static bool copy_bounded(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap)
        return false;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

/* ---- query parameters -------------------------------------------------- */

struct query_iter {
    const char *p;
    const char *end;
};

/* Next non-empty "name[=value]" piece of the raw query; false at the end. */
static bool query_next(struct query_iter *it, const char **name, size_t *name_len,
                       const char **value, size_t *value_len)
{
    while (it->p < it->end) {
        const char *amp = memchr(it->p, '&', (size_t)(it->end - it->p));
        const char *piece_end = amp ? amp : it->end;
        const char *piece = it->p;
        it->p = amp ? amp + 1 : it->end;
        if (piece == piece_end)
            continue;
        const char *eq = memchr(piece, '=', (size_t)(piece_end - piece));
        *name = piece;
        *name_len = (size_t)((eq ? eq : piece_end) - piece);
        *value = eq ? eq + 1 : piece_end;
        *value_len = (size_t)(piece_end - *value);
        return true;
    }
    return false;
}

/* Does the raw query component decode to exactly `want`? */
static bool component_equals(const char *raw, size_t len, const char *want)
{
    size_t wlen = strlen(want);
    size_t w = 0;
    for (size_t i = 0; i < len; i++, w++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == '%' && i + 2 < len) {
            int hi = hex_value((unsigned char)raw[i + 1]);
            int lo = hex_value((unsigned char)raw[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = (unsigned char)(hi << 4 | lo);
                i += 2;
            }
        }
        if (w >= wlen || want[w] != (char)c)
            return false;
    }
    return w == wlen;
}

/* Finds the first parameter named `name`; its raw value goes to *value. */
static bool query_find(const char *query, const char *name, const char **value, size_t *value_len)
{
    struct query_iter it = { query, query + strlen(query) };
    const char *n, *v;
    size_t nl, vl;
    while (query_next(&it, &n, &nl, &v, &vl)) {
        if (component_equals(n, nl, name)) {
            *value = v;
            *value_len = vl;
            return true;
        }
    }
    return false;
}

/* Decodes a query parameter value into a fixed buffer. */
static bool query_get(const char *query, const char *name, char *out, size_t cap)
{
    const char *raw;
    size_t raw_len;
    if (!query_find(query, name, &raw, &raw_len))
        return false;
    struct strbuf sb;
    strbuf_init(&sb);
    percent_decode_lenient(&sb, raw, raw_len);
    bool ok = !strbuf_failed(&sb) && copy_bounded(out, cap, sb.data ? sb.data : "", sb.len);
    strbuf_free(&sb);
    return ok;
}

/* ---- credential pieces --------------------------------------------------- */

/* "AK/YYYYMMDD/region/service/aws4_request" */
static bool parse_credential(const char *s, size_t len, struct sigv4_auth *out)
{
    const char *slash[4];
    int found = 0;
    for (size_t i = len; i > 0 && found < 4; i--)
        if (s[i - 1] == '/')
            slash[found++] = s + i - 1;
    if (found < 4)
        return false;
    /* slash[3] is the first separator, slash[0] the last. */
    const char *date = slash[3] + 1, *region = slash[2] + 1, *service = slash[1] + 1;
    const char *terminator = slash[0] + 1;
    size_t date_len = (size_t)(slash[2] - date);
    size_t region_len = (size_t)(slash[1] - region);
    size_t service_len = (size_t)(slash[0] - service);
    size_t term_len = (size_t)(s + len - terminator);
    size_t ak_len = (size_t)(slash[3] - s);
    if (ak_len == 0 || date_len != 8 || !all_digits(date, 8) || region_len == 0 ||
        service_len == 0 || term_len != strlen("aws4_request") ||
        memcmp(terminator, "aws4_request", term_len) != 0)
        return false;
    return copy_bounded(out->access_key, sizeof out->access_key, s, ak_len) &&
           copy_bounded(out->scope_date, sizeof out->scope_date, date, 8) &&
           copy_bounded(out->region, sizeof out->region, region, region_len) &&
           copy_bounded(out->service, sizeof out->service, service, service_len);
}

static bool parse_signature(const char *s, size_t len, struct sigv4_auth *out)
{
    if (len != 64)
        return false;
    for (size_t i = 0; i < 64; i++) {
        if (hex_value((unsigned char)s[i]) < 0)
            return false;
        out->signature[i] = (char)tolower((unsigned char)s[i]);
    }
    out->signature[64] = '\0';
    return true;
}

static bool parse_signed_headers(const char *s, size_t len, struct sigv4_auth *out)
{
    if (len == 0 || s[0] == ';' || s[len - 1] == ';')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7f || c == ',' || c == ':' || (c == ';' && s[i + 1] == ';'))
            return false;
    }
    if (!copy_bounded(out->signed_headers, sizeof out->signed_headers, s, len))
        return false;
    for (size_t i = 0; i < len; i++)
        out->signed_headers[i] = (char)tolower((unsigned char)out->signed_headers[i]);
    return true;
}

/* "YYYYMMDDTHHMMSSZ" -> Unix seconds. */
static bool parse_amz_date(const char *s, int64_t *t)
{
    *t = date_parse_amz(s);
    return *t >= 0;
}

/* RFC 1123 "Sun, 06 Nov 1994 08:49:37 GMT" -> amz_date form and seconds. */
static bool parse_http_date(const char *s, struct sigv4_auth *out)
{
    int64_t ms = date_parse_http(s);
    if (ms < 0)
        return false;
    out->request_time = ms / 1000;
    time_t t = (time_t)out->request_time;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return false;
    snprintf(out->amz_date, sizeof out->amz_date, "%04u%02u%02uT%02u%02u%02uZ",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u);
    return true;
}

/* ---- sigv4_parse ------------------------------------------------------- */

static enum sigv4_status parse_header_auth(const struct http_request_view *req,
                                           const char *authz, struct sigv4_auth *out)
{
    size_t alg_len = strcspn(authz, " \t");
    if (alg_len != strlen(ALGORITHM) || memcmp(authz, ALGORITHM, alg_len) != 0)
        return SIGV4_UNSUPPORTED_ALGORITHM;

    bool have_cred = false, have_headers = false, have_sig = false;
    const char *p = authz + alg_len;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        size_t part_len = strcspn(p, ",");
        size_t end = part_len;
        while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
            end--;
        const char *eq = memchr(p, '=', end);
        if (!eq)
            return SIGV4_MALFORMED_HEADER;
        size_t key_len = (size_t)(eq - p);
        const char *val = eq + 1;
        size_t val_len = (size_t)(p + end - val);
        if (key_len == 10 && memcmp(p, "Credential", 10) == 0) {
            if (!parse_credential(val, val_len, out))
                return SIGV4_MALFORMED_HEADER;
            have_cred = true;
        } else if (key_len == 13 && memcmp(p, "SignedHeaders", 13) == 0) {
            if (!parse_signed_headers(val, val_len, out))
                return SIGV4_MALFORMED_HEADER;
            have_headers = true;
        } else if (key_len == 9 && memcmp(p, "Signature", 9) == 0) {
            if (!parse_signature(val, val_len, out))
                return SIGV4_MALFORMED_HEADER;
            have_sig = true;
        }
        p += part_len;
    }
    if (!have_cred || !have_headers || !have_sig)
        return SIGV4_MALFORMED_HEADER;

    const char *amz_date = http_view_header(req, "x-amz-date");
    if (amz_date) {
        if (!parse_amz_date(amz_date, &out->request_time))
            return SIGV4_MISSING_DATE;
        memcpy(out->amz_date, amz_date, 17);
    } else {
        const char *date = http_view_header(req, "date");
        if (!date || !parse_http_date(date, out))
            return SIGV4_MISSING_DATE;
    }
    if (memcmp(out->scope_date, out->amz_date, 8) != 0)
        return SIGV4_MALFORMED_HEADER;

    const char *payload = http_view_header(req, "x-amz-content-sha256");
    if (payload && !copy_bounded(out->payload_hash, sizeof out->payload_hash, payload,
                                 strlen(payload)))
        return SIGV4_MALFORMED_HEADER;
    return SIGV4_OK;
}

static enum sigv4_status parse_query_auth(const char *query, struct sigv4_auth *out)
{
    char buf[1024];
    out->presigned = true;
    if (!query_get(query, "X-Amz-Algorithm", buf, sizeof buf))
        return SIGV4_MALFORMED_QUERY;
    if (strcmp(buf, ALGORITHM) != 0)
        return SIGV4_UNSUPPORTED_ALGORITHM;
    if (!query_get(query, "X-Amz-Credential", buf, sizeof buf) ||
        !parse_credential(buf, strlen(buf), out))
        return SIGV4_MALFORMED_QUERY;
    if (!query_get(query, "X-Amz-SignedHeaders", buf, sizeof buf) ||
        !parse_signed_headers(buf, strlen(buf), out))
        return SIGV4_MALFORMED_QUERY;
    if (!query_get(query, "X-Amz-Signature", buf, sizeof buf) ||
        !parse_signature(buf, strlen(buf), out))
        return SIGV4_MALFORMED_QUERY;
    if (!query_get(query, "X-Amz-Date", out->amz_date, sizeof out->amz_date) ||
        !parse_amz_date(out->amz_date, &out->request_time) ||
        memcmp(out->scope_date, out->amz_date, 8) != 0)
        return SIGV4_MALFORMED_QUERY;
    if (query_get(query, "X-Amz-Expires", buf, 16)) {
        if (buf[0] == '\0' || !all_digits(buf, strlen(buf)))
            return SIGV4_MALFORMED_QUERY;
        out->expires_s = strtoll(buf, NULL, 10);
        if (out->expires_s > MAX_PRESIGN_EXPIRES)
            return SIGV4_EXPIRES_TOO_LARGE;
    } else if (strcmp(out->service, "s3") == 0) {
        return SIGV4_MALFORMED_QUERY;
    } else {
        /* Other services than S3 take a request signed in its query without
         * X-Amz-Expires (DynamoDB does: dynalite's tests, synced with it,
         * send one): its date is then held to a signed header's clock skew. */
        out->expires_s = -1;
    }
    strcpy(out->payload_hash, UNSIGNED_PAYLOAD);
    return SIGV4_OK;
}

enum sigv4_status sigv4_parse(const struct http_request_view *req, struct sigv4_auth *out)
{
    memset(out, 0, sizeof *out);
    const char *authz = http_view_header(req, "authorization");
    if (authz)
        return parse_header_auth(req, authz, out);
    const char *query = req->query ? req->query : "";
    const char *unused;
    size_t unused_len;
    if (query_find(query, "X-Amz-Algorithm", &unused, &unused_len) ||
        query_find(query, "X-Amz-Credential", &unused, &unused_len) ||
        query_find(query, "X-Amz-Signature", &unused, &unused_len))
        return parse_query_auth(query, out);
    if (query_find(query, "AWSAccessKeyId", &unused, &unused_len) &&
        query_find(query, "Signature", &unused, &unused_len))
        return SIGV4_UNSUPPORTED_ALGORITHM;
    return SIGV4_ANONYMOUS;
}

/* ---- canonical request ----------------------------------------------- */

/* S3: the path as the client meant it — decoded, then encoded once with
 * unreserved bytes and '/' kept. */
static void canonical_uri_s3(struct strbuf *sb, const char *path)
{
    struct strbuf decoded;
    strbuf_init(&decoded);
    percent_decode_lenient(&decoded, path, strlen(path));
    if (strbuf_failed(&decoded))
        sb->oom = true;
    else if (decoded.len == 0)
        strbuf_putc(sb, '/');
    else
        percent_encode(sb, decoded.data, decoded.len, true);
    strbuf_free(&decoded);
}

/* Other services: empty and "." segments dropped, ".." pops, the trailing
 * slash kept, then the (already encoded) path encoded once more. */
static void canonical_uri_normalised(struct strbuf *sb, const char *path)
{
    size_t len = strlen(path);
    size_t max_segments = 1;
    for (size_t i = 0; i < len; i++)
        max_segments += path[i] == '/';
    size_t *starts = malloc(max_segments * sizeof *starts);
    size_t *lens = malloc(max_segments * sizeof *lens);
    if (!starts || !lens) {
        free(starts);
        free(lens);
        sb->oom = true;
        return;
    }
    size_t depth = 0;
    for (size_t i = 0; i <= len;) {
        size_t seg_len = strcspn(path + i, "/");
        if (seg_len == 2 && memcmp(path + i, "..", 2) == 0) {
            if (depth > 0)
                depth--;
        } else if (seg_len > 0 && !(seg_len == 1 && path[i] == '.')) {
            starts[depth] = i;
            lens[depth] = seg_len;
            depth++;
        }
        i += seg_len + 1;
    }
    for (size_t d = 0; d < depth; d++) {
        strbuf_putc(sb, '/');
        percent_encode(sb, path + starts[d], lens[d], false);
    }
    if (depth == 0 || (len > 0 && path[len - 1] == '/'))
        strbuf_putc(sb, '/');
    free(starts);
    free(lens);
}

struct query_pair {
    size_t name_off, name_len, value_off, value_len;
};

static int compare_pairs(const void *a, const void *b, void *pool_arg)
{
    const struct query_pair *x = a, *y = b;
    const char *pool = pool_arg;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(pool + x->name_off, pool + y->name_off, n);
    if (c != 0)
        return c;
    if (x->name_len != y->name_len)
        return x->name_len < y->name_len ? -1 : 1;
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(pool + x->value_off, pool + y->value_off, n);
    if (c != 0)
        return c;
    return x->value_len == y->value_len ? 0 : (x->value_len < y->value_len ? -1 : 1);
}

/* Each parameter decoded and re-encoded, sorted by name then value,
 * X-Amz-Signature left out of presigned requests, "acl" -> "acl=". */
static void canonical_query(struct strbuf *sb, const char *query, bool presigned)
{
    size_t qlen = strlen(query);
    if (qlen == 0)
        return;
    size_t max_pairs = 1;
    for (size_t i = 0; i < qlen; i++)
        max_pairs += query[i] == '&';
    struct query_pair *pairs = malloc(max_pairs * sizeof *pairs);
    if (!pairs) {
        sb->oom = true;
        return;
    }
    struct strbuf pool;
    strbuf_init(&pool);
    size_t count = 0;
    struct query_iter it = { query, query + qlen };
    const char *n, *v;
    size_t nl, vl;
    while (query_next(&it, &n, &nl, &v, &vl)) {
        if (presigned && component_equals(n, nl, "X-Amz-Signature"))
            continue;
        struct query_pair *pair = &pairs[count++];
        pair->name_off = pool.len;
        canonical_component(&pool, n, nl);
        pair->name_len = pool.len - pair->name_off;
        pair->value_off = pool.len;
        canonical_component(&pool, v, vl);
        pair->value_len = pool.len - pair->value_off;
    }
    if (strbuf_failed(&pool)) {
        sb->oom = true;
    } else {
        qsort_r(pairs, count, sizeof *pairs, compare_pairs, pool.data);
        for (size_t i = 0; i < count; i++) {
            if (i > 0)
                strbuf_putc(sb, '&');
            strbuf_append(sb, pool.data + pairs[i].name_off, pairs[i].name_len);
            strbuf_putc(sb, '=');
            strbuf_append(sb, pool.data + pairs[i].value_off, pairs[i].value_len);
        }
    }
    strbuf_free(&pool);
    free(pairs);
}

/* Appends `value` trimmed, with runs of blanks collapsed to one space. */
static void append_trimmed_value(struct strbuf *sb, const char *value)
{
    bool pending_space = false, started = false;
    for (const char *p = value; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            pending_space = started;
            continue;
        }
        if (pending_space)
            strbuf_putc(sb, ' ');
        pending_space = false;
        started = true;
        strbuf_putc(sb, *p);
    }
}

/* One "name:v1,v2\n" line per signed header, in SignedHeaders order. */
static void canonical_headers(struct strbuf *sb, const struct http_request_view *req,
                              const char *signed_headers)
{
    const char *p = signed_headers;
    while (*p) {
        size_t name_len = strcspn(p, ";");
        strbuf_append(sb, p, name_len);
        strbuf_putc(sb, ':');
        bool first = true;
        for (size_t i = 0; i < req->n_headers; i++) {
            const char *hname = req->headers[i].name;
            if (strlen(hname) != name_len || strncasecmp(hname, p, name_len) != 0)
                continue;
            if (!first)
                strbuf_putc(sb, ',');
            append_trimmed_value(sb, req->headers[i].value ? req->headers[i].value : "");
            first = false;
        }
        strbuf_putc(sb, '\n');
        p += name_len;
        if (*p == ';')
            p++;
    }
}

static bool signed_headers_include(const char *signed_headers, const char *name)
{
    size_t want = strlen(name);
    for (const char *p = signed_headers; *p;) {
        size_t len = strcspn(p, ";");
        if (len == want && memcmp(p, name, len) == 0)
            return true;
        p += len;
        if (*p == ';')
            p++;
    }
    return false;
}

static void build_canonical_request(struct strbuf *creq, const struct http_request_view *req,
                                    const struct sigv4_auth *auth, const char *payload_hash,
                                    bool s3_path_encoding)
{
    strbuf_puts(creq, req->method);
    strbuf_putc(creq, '\n');
    if (s3_path_encoding)
        canonical_uri_s3(creq, req->path ? req->path : "/");
    else
        canonical_uri_normalised(creq, req->path ? req->path : "/");
    strbuf_putc(creq, '\n');
    canonical_query(creq, req->query ? req->query : "", auth->presigned);
    strbuf_putc(creq, '\n');
    canonical_headers(creq, req, auth->signed_headers);
    strbuf_putc(creq, '\n');
    strbuf_puts(creq, auth->signed_headers);
    strbuf_putc(creq, '\n');
    strbuf_puts(creq, payload_hash);
}

/* ---- signing ------------------------------------------------------------ */

static void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                        unsigned char out[32])
{
    unsigned int out_len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &out_len);
}

void sigv4_signing_key(const char *secret, const char *scope_date, const char *region,
                       const char *service, unsigned char out[32])
{
    unsigned char stack_key[4 + 1020];
    size_t key_len = 4 + strlen(secret);
    unsigned char *k_secret = key_len <= sizeof stack_key ? stack_key : malloc(key_len);
    if (!k_secret) {
        /* Fail closed: an unpredictable key that no client signature matches. */
        if (RAND_bytes(out, 32) != 1)
            memset(out, 0xff, 32);
        return;
    }
    unsigned char k_date[32], k_region[32], k_service[32];
    memcpy(k_secret, "AWS4", 4);
    memcpy(k_secret + 4, secret, key_len - 4);
    hmac_sha256(k_secret, key_len, scope_date, strlen(scope_date), k_date);
    OPENSSL_cleanse(k_secret, key_len);
    if (k_secret != stack_key)
        free(k_secret);
    hmac_sha256(k_date, 32, region, strlen(region), k_region);
    hmac_sha256(k_region, 32, service, strlen(service), k_service);
    hmac_sha256(k_service, 32, "aws4_request", 12, out);
    OPENSSL_cleanse(k_date, sizeof k_date);
    OPENSSL_cleanse(k_region, sizeof k_region);
    OPENSSL_cleanse(k_service, sizeof k_service);
}

static void copy_out(struct strbuf *dst, const struct strbuf *src)
{
    if (!dst)
        return;
    strbuf_reset(dst);
    strbuf_append(dst, src->data, src->len);
}

static enum sigv4_status check_clock(const struct sigv4_auth *auth,
                                     const struct sigv4_verify_opts *opts)
{
    int64_t ahead = auth->request_time - opts->now;
    if (!auth->presigned || auth->expires_s < 0)
        return ahead > opts->max_skew_s || -ahead > opts->max_skew_s ? SIGV4_TIME_SKEWED
                                                                       : SIGV4_OK;
    if (auth->expires_s > MAX_PRESIGN_EXPIRES)
        return SIGV4_EXPIRES_TOO_LARGE;
    if (ahead > opts->max_skew_s)   /* dated too far in the future */
        return SIGV4_TIME_SKEWED;
    if (opts->now > auth->request_time + auth->expires_s)
        return SIGV4_REQUEST_EXPIRED;
    return SIGV4_OK;
}

enum sigv4_status sigv4_verify(const struct http_request_view *req, const struct sigv4_auth *auth,
                               const char *secret, const struct sigv4_verify_opts *opts,
                               struct strbuf *sts, struct strbuf *creq)
{
    unsigned char key[32];
    sigv4_signing_key(secret, auth->scope_date, auth->region, auth->service, key);
    enum sigv4_status status = sigv4_verify_with_key(req, auth, key, opts, sts, creq);
    OPENSSL_cleanse(key, sizeof key);
    return status;
}

enum sigv4_status sigv4_verify_with_key(const struct http_request_view *req,
                                        const struct sigv4_auth *auth,
                                        const unsigned char signing_key[32],
                                        const struct sigv4_verify_opts *opts, struct strbuf *sts,
                                        struct strbuf *creq)
{
    enum sigv4_status clock = check_clock(auth, opts);
    if (clock != SIGV4_OK)
        return clock;
    if (!signed_headers_include(auth->signed_headers, "host"))
        return auth->presigned ? SIGV4_MALFORMED_QUERY : SIGV4_MALFORMED_HEADER;

    /* S3's presigned URLs sign UNSIGNED-PAYLOAD; other services' (botocore's
     * SigV4QueryAuth) sign the body's hash, as a header signature does. */
    const char *payload_hash = auth->payload_hash;
    if (payload_hash[0] == '\0' || (auth->presigned && !opts->s3_path_encoding && opts->body_sha256_hex))
        payload_hash = opts->body_sha256_hex ? opts->body_sha256_hex : "";

    struct strbuf canonical, to_sign;
    strbuf_init(&canonical);
    strbuf_init(&to_sign);
    build_canonical_request(&canonical, req, auth, payload_hash, opts->s3_path_encoding);

    unsigned char digest[32];
    char hex[65];
    checksum_sha256(canonical.data ? canonical.data : "", canonical.len, digest);
    hex_encode(digest, 32, hex);
    strbuf_printf(&to_sign, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s", auth->amz_date,
                  auth->scope_date, auth->region, auth->service, hex);

    enum sigv4_status status = SIGV4_SIGNATURE_MISMATCH;
    if (!strbuf_failed(&canonical) && !strbuf_failed(&to_sign)) {
        unsigned char mac[32];
        hmac_sha256(signing_key, 32, to_sign.data, to_sign.len, mac);
        hex_encode(mac, 32, hex);
        if (CRYPTO_memcmp(hex, auth->signature, 64) == 0)
            status = SIGV4_OK;
        else {
            copy_out(sts, &to_sign);
            copy_out(creq, &canonical);
        }
    }
    strbuf_free(&canonical);
    strbuf_free(&to_sign);
    return status;
}
