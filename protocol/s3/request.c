/* protocol/s3 requests: turns (method, path, query, Host) into one S3
 * operation with its bucket and key, before any work is done; plus the
 * bucket-name rules.
 *
 * Everything here derives from the operation table,
 * protocol/s3/operations.h: the operation names, and routing, which runs
 * in three steps. The query is split and every parameter decoded into a
 * scratch buffer (bad encoding is InvalidURI) and looked up among the
 * table's parameters: the set present is a 64-bit mask. The bucket comes
 * from the Host header when it is "<bucket>.<vhost domain>", else from the
 * first path segment; the rest of the path, decoded, is the key. Then one
 * walk of the table picks the most specific entry for the method and scope
 * (subresource present, then x-amz-copy-source), and every parameter must
 * be one that entry takes: anything else makes the request S3_OP_UNKNOWN so
 * the server answers NotImplemented instead of silently ignoring a
 * feature. The scope ANY entry (OPTIONS, the CORS preflight) takes whatever
 * bucket and key it names without looking at the query. */
#include "protocol/s3/s3.h"

#include "protocol/core/percent.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S3_MAX_KEY_BYTES 1024

/* ---- the table ------------------------------------------------------ */

#define OP_NAME(name, ...) [S3_OP_##name] = #name,
static const char *const op_names[S3_OP__COUNT] = {[S3_OP_UNKNOWN] = "Unknown", S3_OPERATIONS(OP_NAME)};

const char *s3_op_name(enum s3_op op)
{
    if ((unsigned)op >= S3_OP__COUNT)
        return op_names[S3_OP_UNKNOWN];
    return op_names[op];
}

/* An operation's route columns; its method and scope are also kept apart
 * as one byte, the key routing searches for. */
struct op_route {
    bool copy;
    uint64_t subresource, accepts;
};
#define ROUTE_KEY(method, scope) ((uint8_t)((method) << 2 | (scope)))

#define OP_ROUTE(name, family, action, access, handler, method, scope, subresource, copy, accepts) \
    [S3_OP_##name] = {copy, subresource, accepts},
static const struct op_route routes[S3_OP__COUNT] = {S3_OPERATIONS(OP_ROUTE)};
#define OP_ROUTE_KEY(name, family, action, access, handler, method, scope, ...) \
    [S3_OP_##name] = ROUTE_KEY(S3_METHOD_##method, S3_SCOPE_##scope),
static const uint8_t route_keys[S3_OP__COUNT] = {[S3_OP_UNKNOWN] = UINT8_MAX, S3_OPERATIONS(OP_ROUTE_KEY)};

static const char *const method_names[S3_METHOD__COUNT] = {
    [S3_METHOD_GET] = "GET",       [S3_METHOD_PUT] = "PUT",   [S3_METHOD_HEAD] = "HEAD",
    [S3_METHOD_DELETE] = "DELETE", [S3_METHOD_POST] = "POST", [S3_METHOD_OPTIONS] = "OPTIONS",
};

/* The query parameters the table names, with their lengths. */
struct query_param_name {
    const char *name, *value;
    size_t name_len;
};
#define QUERY_PARAM_NAME(id, name, value) [S3_QP_##id] = {name, value, sizeof(name) - 1},
static const struct query_param_name query_params[S3_QP__COUNT] = {S3_QUERY_PARAMS(QUERY_PARAM_NAME)};

/* ---- query parameters ---------------------------------------------- */

/* One "name[=value]" piece of a raw query string, still encoded. */
struct raw_param {
    const char *name;
    size_t name_len;
    const char *value;             /* NULL when there is no '=' */
    size_t value_len;
};

/* Advances *cursor past the next non-empty '&'-separated piece. */
static bool next_raw_param(const char **cursor, struct raw_param *p)
{
    const char *s = *cursor;
    while (*s == '&')
        s++;
    if (!*s)
        return false;
    const char *end = strchr(s, '&');
    if (!end)
        end = s + strlen(s);
    const char *eq = memchr(s, '=', (size_t)(end - s));
    p->name = s;
    p->name_len = (size_t)((eq ? eq : end) - s);
    p->value = eq ? eq + 1 : NULL;
    p->value_len = eq ? (size_t)(end - eq - 1) : 0;
    *cursor = end;
    return true;
}

/* A query parameter decoded into a scratch buffer that holds any piece of
 * the query (a decoded piece is never longer than its encoding). */
struct decoded_param {
    char *name, *value;            /* into the scratch buffer */
};

static bool decode_param(const struct raw_param *p, char *scratch, struct decoded_param *out)
{
    out->name = scratch;
    long n = percent_decode_into(p->name, p->name_len, scratch, PERCENT_PLUS_IS_SPACE);
    if (n < 0)
        return false;
    out->value = scratch + n + 1;
    return percent_decode_into(p->value ? p->value : "", p->value_len, out->value, PERCENT_PLUS_IS_SPACE) >= 0;
}

/* The table's parameters this one is, given those seen before it: an
 * entry with a value counts only for the parameter's first occurrence. */
static uint64_t param_bits(const struct decoded_param *p, uint64_t seen)
{
    size_t len = strlen(p->name);
    uint64_t plain = 0, valued = 0;
    for (size_t i = 0; i < S3_QP__COUNT; i++) {
        const struct query_param_name *q = &query_params[i];
        if (q->name_len != len || memcmp(q->name, p->name, len) != 0)
            continue;
        if (!q->value)
            plain |= UINT64_C(1) << i;
        else if (strcmp(q->value, p->value) == 0)
            valued |= UINT64_C(1) << i;
    }
    return plain & seen ? plain : plain | valued;
}

/* Parameters any request may carry: boto3's x-id, and the signing
 * parameters of presigned URLs — X-Amz-* for SigV4 (with headers hoisted
 * into the query), AWSAccessKeyId, Signature and Expires for SigV2. */
static bool is_common_param(const char *name)
{
    return strcmp(name, "x-id") == 0 || strncasecmp(name, "x-amz-", 6) == 0 ||
           strcmp(name, "AWSAccessKeyId") == 0 || strcmp(name, "Signature") == 0 ||
           strcmp(name, "Expires") == 0;
}

/* S3 subresources and parameters we recognise but do not implement; the
 * route's `unsupported` points at these static names. */
static const char *const known_unsupported[] = {
    "accelerate", "acl", "analytics", "attributes", "cors", "encryption",
    "intelligent-tiering", "inventory", "legal-hold", "lifecycle", "logging",
    "metadataTable", "metrics", "notification", "object-lock", "ownershipControls",
    "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment",
    "restore", "retention", "select", "select-type", "session", "tagging", "torrent",
    "versionId", "versioning", "versions", "website", "renameObject", NULL};

static const char *unsupported_name(const char *name)
{
    for (size_t i = 0; known_unsupported[i]; i++)
        if (strcmp(known_unsupported[i], name) == 0)
            return known_unsupported[i];
    return "unknown query parameter";
}

/* The query's scratch buffer: on the stack for the usual short query. */
struct query_scratch {
    char small[512];
    char *buf;
};

static enum s3_err query_scratch_init(struct query_scratch *s, const char *query)
{
    size_t need = strlen(query) + 2;
    s->buf = need <= sizeof(s->small) ? s->small : malloc(need);
    return s->buf ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

static void query_scratch_free(struct query_scratch *s)
{
    if (s->buf != s->small)
        free(s->buf);  /* NULL when its allocation failed */
}

/* The table's parameters the query names (*present), and whether it has
 * one the table does not name (*unknown), the common ones aside;
 * S3_ERR_INVALID_URI when a name or value is badly encoded. */
static enum s3_err query_params_present(const char *query, char *scratch, uint64_t *present, bool *unknown)
{
    *present = 0;
    *unknown = false;
    struct raw_param raw;
    struct decoded_param p;
    for (const char *cursor = query; next_raw_param(&cursor, &raw);) {
        if (!decode_param(&raw, scratch, &p))
            return S3_ERR_INVALID_URI;
        if (is_common_param(p.name))
            continue;
        uint64_t bits = param_bits(&p, *present);
        *unknown |= !bits;
        *present |= bits;
    }
    return S3_OK;
}

/* The first parameter (in query order) the route neither is selected by
 * nor accepts (a static name for the log), or NULL. `route` NULL accepts
 * nothing. */
static const char *first_unaccepted_param(const struct op_route *route, const char *query, char *scratch)
{
    uint64_t allowed = route ? route->subresource | route->accepts : 0, seen = 0;
    struct raw_param raw;
    struct decoded_param p;
    for (const char *cursor = query; next_raw_param(&cursor, &raw);) {
        decode_param(&raw, scratch, &p);
        uint64_t bits = param_bits(&p, seen);
        seen |= bits;
        if (!(bits & allowed) && !is_common_param(p.name))
            return unsupported_name(p.name);
    }
    return NULL;
}

/* ---- choosing the operation ---------------------------------------- */

static int method_of(const char *method)
{
    for (int m = 0; m < S3_METHOD__COUNT; m++)
        if (strcmp(method_names[m], method) == 0)
            return m;
    return -1;
}

/* The next operation after `after` with this method and scope, or
 * S3_OP_UNKNOWN: a memchr over the keys, one byte per operation. */
static enum s3_op next_op(enum s3_op after, int method, enum s3_scope scope)
{
    const uint8_t *from = route_keys + after + 1, *end = route_keys + S3_OP__COUNT;
    const uint8_t *hit = from < end ? memchr(from, ROUTE_KEY(method, scope), (size_t)(end - from)) : NULL;
    return hit ? (enum s3_op)(hit - route_keys) : S3_OP_UNKNOWN;
}

/* The most specific entry that applies (see operations.h), or S3_OP_UNKNOWN. */
static enum s3_op choose_op(int method, enum s3_scope scope, uint64_t present, bool copy)
{
    enum s3_op best = S3_OP_UNKNOWN;
    int best_rank = -1;
    for (enum s3_op op = next_op(S3_OP_UNKNOWN, method, scope); op != S3_OP_UNKNOWN;
         op = next_op(op, method, scope)) {
        const struct op_route *r = &routes[op];
        if ((r->copy && !copy) || (r->subresource && !(r->subresource & present)))
            continue;
        int rank = (r->subresource ? 2 : 0) + r->copy;
        if (rank > best_rank) {
            best = op;
            best_rank = rank;
        }
    }
    return best;
}

/* ---- bucket and key ------------------------------------------------- */

static enum s3_err decode_error(void)
{
    return errno == ENOMEM ? S3_ERR_INTERNAL_ERROR : S3_ERR_INVALID_URI;
}

/* When Host (port stripped) is "<bucket>.<domain>" for a vhost domain,
 * returns the bucket length; 0 otherwise. */
static size_t vhost_bucket_len(const char *host, const char *const *domains)
{
    if (!host || !domains || host[0] == '[')
        return 0;
    const char *colon = strrchr(host, ':');
    size_t host_len = colon ? (size_t)(colon - host) : strlen(host);
    for (size_t i = 0; domains[i]; i++) {
        size_t dlen = strlen(domains[i]);
        if (dlen + 2 > host_len)
            continue;
        size_t blen = host_len - dlen - 1;
        if (host[blen] == '.' && strncasecmp(host + blen + 1, domains[i], dlen) == 0)
            return blen;
    }
    return 0;
}

static enum s3_err decode_key(const char *raw, struct s3_route *out)
{
    if (!*raw)
        return S3_OK;
    out->key = percent_decode(raw, strlen(raw), 0, NULL);
    if (!out->key)
        return decode_error();
    return strlen(out->key) > S3_MAX_KEY_BYTES ? S3_ERR_KEY_TOO_LONG : S3_OK;
}

static enum s3_err resolve_bucket_and_key(const char *path, const char *host,
                                          const char *const *domains, struct s3_route *out)
{
    size_t vhost_len = vhost_bucket_len(host, domains);
    if (vhost_len) {
        out->virtual_host = true;
        out->bucket = strndup(host, vhost_len);
        if (!out->bucket)
            return S3_ERR_INTERNAL_ERROR;
        return decode_key(path + 1, out);
    }
    const char *segment = path + 1;
    if (!*segment)
        return S3_OK;
    const char *slash = strchr(segment, '/');
    size_t seg_len = slash ? (size_t)(slash - segment) : strlen(segment);
    if (seg_len == 0)
        return S3_ERR_INVALID_URI;
    out->bucket = percent_decode(segment, seg_len, 0, NULL);
    if (!out->bucket)
        return decode_error();
    return slash ? decode_key(slash + 1, out) : S3_OK;
}

enum s3_err s3_route_request(const char *method, const char *path, const char *query,
                             const char *host, const char *const *vhost_domains,
                             bool has_copy_source, struct s3_route *out)
{
    memset(out, 0, sizeof(*out));
    if (!method || !path || path[0] != '/')
        return S3_ERR_INVALID_URI;
    int m = method_of(method);
    if (m < 0)
        return S3_ERR_METHOD_NOT_ALLOWED;
    out->op = next_op(S3_OP_UNKNOWN, m, S3_SCOPE_ANY);
    if (out->op != S3_OP_UNKNOWN) {
        enum s3_err err = resolve_bucket_and_key(path, host, vhost_domains, out);
        if (err != S3_OK)
            s3_route_free(out);
        return err;
    }
    if (!query)
        query = "";
    struct query_scratch scratch;
    uint64_t present = 0;
    bool unknown = false;
    enum s3_err err = query_scratch_init(&scratch, query);
    if (err == S3_OK)
        err = query_params_present(query, scratch.buf, &present, &unknown);
    if (err == S3_OK)
        err = resolve_bucket_and_key(path, host, vhost_domains, out);
    if (err != S3_OK) {
        query_scratch_free(&scratch);
        s3_route_free(out);
        return err;
    }
    enum s3_scope scope = !out->bucket ? S3_SCOPE_SERVICE : !out->key ? S3_SCOPE_BUCKET : S3_SCOPE_OBJECT;
    out->op = choose_op(m, scope, present, has_copy_source);
    if (out->op == S3_OP_UNKNOWN) {
        if (!out->bucket) {
            query_scratch_free(&scratch);
            s3_route_free(out);
            return S3_ERR_METHOD_NOT_ALLOWED;
        }
        out->unsupported = first_unaccepted_param(NULL, query, scratch.buf);
        if (!out->unsupported)
            out->unsupported = method_names[m];
    } else if (unknown || present & ~(routes[out->op].subresource | routes[out->op].accepts)) {
        /* some parameter may be one the operation does not take */
        out->unsupported = first_unaccepted_param(&routes[out->op], query, scratch.buf);
        if (out->unsupported)
            out->op = S3_OP_UNKNOWN;
    }
    query_scratch_free(&scratch);
    return S3_OK;
}

void s3_route_free(struct s3_route *r)
{
    free(r->bucket);
    free(r->key);
    memset(r, 0, sizeof(*r));
}

/* ---- bucket names --------------------------------------------------- */

static bool looks_like_ipv4(const char *name)
{
    int dots = 0;
    for (const char *p = name; *p; p++) {
        if (*p == '.')
            dots++;
        else if (*p < '0' || *p > '9')
            return false;
    }
    return dots == 3;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

bool s3_bucket_name_valid(const char *name)
{
    if (!name)
        return false;
    size_t len = strlen(name);
    if (len < 3 || len > 63)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && c != '.' && c != '-')
            return false;
        if ((i == 0 || i == len - 1) && !alnum)
            return false;
    }
    return !strstr(name, "..") && !looks_like_ipv4(name) &&
           strncmp(name, "xn--", 4) != 0 && strncmp(name, "sthree-", 7) != 0 &&
           !has_suffix(name, len, "-s3alias") && !has_suffix(name, len, "--ol-s3") &&
           !has_suffix(name, len, "--x-s3");
}
