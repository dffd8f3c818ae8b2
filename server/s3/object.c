/* s3_object: objects — PutObject, GetObject, HeadObject, DeleteObject,
 * CopyObject, DeleteObjects, GetObjectAttributes — including conditional
 * requests, ranges and response-* overrides, and what an object write asks
 * for in its headers (content headers, x-amz-meta-*, storage class,
 * checksum algorithm), which CreateMultipartUpload shares. Bodies are
 * served straight from the blob files as file segments (sendfile); a
 * multipart object is the concatenation of its parts' blobs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "server/core/log.h"
#include "server/s3/s3.h"

static const char *const storage_classes[] = {
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", NULL,
};

/* x-amz-storage-class: NULL (STANDARD) when absent; answers and returns
 * false when it names no class. */
bool s3_storage_class_param(struct s3_call *call, const char **out)
{
    return s3_storage_class_named(call, http_req_header(call->req, "x-amz-storage-class"), out);
}

bool s3_storage_class_named(struct s3_call *call, const char *v, const char **out)
{
    *out = NULL;
    if (!v)
        return true;
    for (size_t i = 0; storage_classes[i]; i++) {
        if (strcmp(v, storage_classes[i]) == 0) {
            *out = strcmp(v, "STANDARD") == 0 ? NULL : storage_classes[i];
            return true;
        }
    }
    s3_fail(call, S3_ERR_INVALID_ARGUMENT, "The storage class you specified is not valid", NULL);
    return false;
}

int s3_request_content(struct s3_call *call, struct s3_content_headers *content,
                       struct s3_kv **meta, size_t *n_meta)
{
    static const struct {
        const char *header;
        size_t offset;
    } fields[] = {
        {"content-type", offsetof(struct s3_content_headers, content_type)},
        {"content-encoding", offsetof(struct s3_content_headers, content_encoding)},
        {"content-disposition", offsetof(struct s3_content_headers, content_disposition)},
        {"content-language", offsetof(struct s3_content_headers, content_language)},
        {"cache-control", offsetof(struct s3_content_headers, cache_control)},
        {"expires", offsetof(struct s3_content_headers, expires)},
    };
    memset(content, 0, sizeof(*content));
    *meta = NULL;
    *n_meta = 0;
    struct http_req *req = call->req;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = http_req_header(req, fields[i].header);
        if (!v)
            continue;
        /* aws-chunked is transport framing, not the object's encoding. */
        if (strcmp(fields[i].header, "content-encoding") == 0) {
            if (strcasecmp(v, "aws-chunked") == 0)
                continue;
            if (strncasecmp(v, "aws-chunked,", 12) == 0)
                v += 12 + strspn(v + 12, " ");
        }
        char *copy = strdup(v);
        if (!copy)
            goto oom;
        *(char **)((char *)content + fields[i].offset) = copy;
    }
    size_t count = 0;
    for (size_t i = 0; i < req->n_headers; i++)
        if (strncmp(req->headers[i].name, "x-amz-meta-", 11) == 0)
            count++;
    if (count) {
        *meta = calloc(count, sizeof(**meta));
        if (!*meta)
            goto oom;
        for (size_t i = 0; i < req->n_headers; i++) {
            if (strncmp(req->headers[i].name, "x-amz-meta-", 11) != 0)
                continue;
            struct s3_kv *kv = &(*meta)[(*n_meta)++];
            kv->name = strdup(req->headers[i].name + 11);
            kv->value = strdup(req->headers[i].value);
            if (!kv->name || !kv->value)
                goto oom;
        }
    }
    return 0;
oom:
    s3_content_headers_free(content);
    s3_kv_free_array(*meta, *n_meta);
    *meta = NULL;
    *n_meta = 0;
    return -1;
}

bool s3_checksum_algorithm_param(struct s3_call *call, const char **alg, const char **type)
{
    const char *a = http_req_header(call->req, "x-amz-checksum-algorithm");
    const char *t = http_req_header(call->req, "x-amz-checksum-type");
    *alg = *type = NULL;
    if (!a && !t)
        return true;
    int id = a ? checksum_alg_from_name(a) : -1;
    if (id < 0) {
        s3_fail(call, S3_ERR_INVALID_REQUEST,
                a ? "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
                  : "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
                NULL);
        return false;
    }
    bool crc = checksum_alg_is_crc((enum checksum_alg)id);
    if (!t)
        t = id == CHECKSUM_CRC64NVME ? "FULL_OBJECT" : "COMPOSITE";
    bool full = strcasecmp(t, "FULL_OBJECT") == 0;
    if ((!full && strcasecmp(t, "COMPOSITE") != 0) || (full && !crc) ||
        (!full && id == CHECKSUM_CRC64NVME)) {
        char msg[160];
        snprintf(msg, sizeof(msg), "The %s checksum type cannot be used with the %s checksum algorithm.",
                 t, checksum_alg_name((enum checksum_alg)id));
        s3_fail(call, S3_ERR_INVALID_REQUEST, msg, NULL);
        return false;
    }
    *alg = checksum_alg_name((enum checksum_alg)id);
    *type = full ? "FULL_OBJECT" : "COMPOSITE";
    return true;
}

/* Copies an ETag from a header, without its quotes. */
static void unquote_etag(const char *in, char *out, size_t cap)
{
    size_t len = strlen(in);
    if (len >= 2 && in[0] == '"' && in[len - 1] == '"') {
        in++;
        len -= 2;
    }
    if (len >= cap)
        len = cap - 1;
    memcpy(out, in, len);
    out[len] = '\0';
}

/* Does an If-Match / If-None-Match list ("a", "b" or *) name this ETag? */
static bool etag_list_matches(const char *list, const char *etag)
{
    const char *p = list;
    while (*p) {
        p += strspn(p, " ,");
        if (!*p)
            break;
        size_t n = strcspn(p, ",");
        size_t e = n;
        while (e && p[e - 1] == ' ')
            e--;
        char one[128];
        char tmp[128];
        if (e < sizeof(tmp)) {
            memcpy(tmp, p, e);
            tmp[e] = '\0';
            if (strcmp(tmp, "*") == 0)
                return true;
            unquote_etag(tmp, one, sizeof(one));
            if (strcmp(one, etag) == 0)
                return true;
        }
        p += n;
    }
    return false;
}

static void add_object_headers(struct s3_call *call, const struct s3_object *o)
{
    struct http_req *req = call->req;
    char date[40];
    date_http(o->last_modified_ms, date);
    http_resp_header(req, "Last-Modified", date);
    http_resp_headerf(req, "ETag", "\"%s\"", o->etag);
    http_resp_header(req, "Accept-Ranges", "bytes");
    s3_sse_add_headers(call, &o->sse, false);
    if (o->storage_class)
        http_resp_header(req, "x-amz-storage-class", o->storage_class);
    for (size_t i = 0; i < o->n_user_meta; i++) {
        char name[300];
        snprintf(name, sizeof(name), "x-amz-meta-%s", o->user_meta[i].name);
        http_resp_header(req, name, o->user_meta[i].value);
    }
}

/* The content headers, each replaceable by a response-* query parameter
 * (GET only). */
static void add_content_headers(struct s3_call *call, const struct s3_object *o, bool overrides)
{
    static const struct {
        const char *header;
        const char *param;
        size_t offset;
    } fields[] = {
        {"Content-Type", "response-content-type", offsetof(struct s3_content_headers, content_type)},
        {"Content-Encoding", "response-content-encoding", offsetof(struct s3_content_headers, content_encoding)},
        {"Content-Disposition", "response-content-disposition", offsetof(struct s3_content_headers, content_disposition)},
        {"Content-Language", "response-content-language", offsetof(struct s3_content_headers, content_language)},
        {"Cache-Control", "response-cache-control", offsetof(struct s3_content_headers, cache_control)},
        {"Expires", "response-expires", offsetof(struct s3_content_headers, expires)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        const char *v = *(char *const *)((const char *)&o->content + fields[i].offset);
        bool present = false;
        char *over = overrides ? query_param(call->req->query, fields[i].param, &present) : NULL;
        if (over)
            v = over;
        if (!v && i == 0)
            v = "binary/octet-stream";
        if (v)
            http_resp_header(call->req, fields[i].header, v);
        free(over);
    }
}

/* RFC 7232 order, as S3 applies it. Returns S3_OK to go on. */
static enum s3_err check_conditions(struct s3_call *call, const struct s3_object *o)
{
    struct http_req *req = call->req;
    const char *if_match = http_req_header(req, "if-match");
    const char *if_none = http_req_header(req, "if-none-match");
    const char *if_mod = http_req_header(req, "if-modified-since");
    const char *if_unmod = http_req_header(req, "if-unmodified-since");
    int64_t lm_s = o->last_modified_ms / 1000;
    if (if_match && !etag_list_matches(if_match, o->etag))
        return S3_ERR_PRECONDITION_FAILED;
    if (!if_match && if_unmod) {
        int64_t t = date_parse_http(if_unmod);
        if (t >= 0 && lm_s > t / 1000)
            return S3_ERR_PRECONDITION_FAILED;
    }
    if (if_none && etag_list_matches(if_none, o->etag))
        return S3_ERR_NOT_MODIFIED;
    if (!if_none && if_mod) {
        int64_t t = date_parse_http(if_mod);
        if (t >= 0 && lm_s <= t / 1000)
            return S3_ERR_NOT_MODIFIED;
    }
    return S3_OK;
}

/* Parses a single "bytes=a-b" / "bytes=a-" / "bytes=-n" range against size.
 * Returns 1 with [first, last] set, 0 to serve the whole object (absent or
 * not a single well-formed range, as S3 ignores those), -1 when
 * unsatisfiable. */
static int parse_range(const char *h, int64_t size, int64_t *first, int64_t *last)
{
    if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return 0;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        errno = 0;
        long long n = strtoll(p + 1, &end, 10);
        if (errno || *end || end == p + 1 || n < 0)
            return 0;
        if (n == 0 || size == 0)
            return -1;
        *first = n >= size ? 0 : size - n;
        *last = size - 1;
        return 1;
    }
    errno = 0;
    long long a = strtoll(p, &end, 10);
    if (errno || end == p || *end != '-' || a < 0)
        return 0;
    const char *q = end + 1;
    long long b;
    if (*q == '\0') {
        b = size - 1;
    } else {
        b = strtoll(q, &end, 10);
        if (errno || *end || b < a)
            return 0;
    }
    if (a >= size)
        return -1;
    if (b >= size)
        b = size - 1;
    *first = a;
    *last = b;
    return 1;
}

/* Opens the blobs holding bytes [first, last]; fds[i] is -1 for segments
 * outside the range. Opening everything before answering lets a missing
 * blob still become an error response. */
static int open_segments(struct s3_call *call, const struct s3_object *o, int64_t first, int64_t last,
                         int *fds)
{
    int64_t pos = 0;
    for (size_t i = 0; i < o->n_segments; i++)
        fds[i] = -1;
    for (size_t i = 0; i < o->n_segments; i++) {
        int64_t s = pos, e = pos + o->segments[i].size;
        pos = e;
        if (e <= first || s > last || o->segments[i].data)
            continue;
        fds[i] = store_open_blob(call->store, o->segments[i].blob_sha256);
        if (fds[i] < 0) {
            log_error("cannot open blob %s of %s/%s: %s", o->segments[i].blob_sha256, call->route.bucket,
                      o->key, strerror(errno));
            for (size_t j = 0; j < i; j++)
                if (fds[j] >= 0)
                    close(fds[j]);
            return -1;
        }
    }
    return 0;
}

/* Queues the bytes within [first, last] — inline segments from memory,
 * the others from their opened files; takes the fds. */
static void send_segments(struct s3_call *call, const struct s3_object *o, int64_t first, int64_t last,
                          int *fds)
{
    int64_t pos = 0;
    bool failed = false;
    for (size_t i = 0; i < o->n_segments; i++) {
        int64_t s = pos, e = pos + o->segments[i].size;
        pos = e;
        int64_t from = first > s ? first - s : 0;
        int64_t to = (last + 1 < e ? last + 1 : e) - s;
        if (o->segments[i].data && e > first && s <= last) {
            if (!failed && http_resp_add_data(call->req, o->segments[i].data + from, (size_t)(to - from)) < 0)
                failed = true;
            continue;
        }
        if (fds[i] < 0)
            continue;
        if (failed || http_resp_add_file(call->req, fds[i], from, to - from) < 0) {
            if (!failed)
                log_error("cannot queue blob %s for sending", o->segments[i].blob_sha256);
            failed = true;
        }
    }
    if (failed)
        call->req->close_after = true;
}

/* x-amz-checksum-<alg> and x-amz-checksum-type of the stored checksum,
 * when the client asked (x-amz-checksum-mode: ENABLED) and gets the whole
 * object, or a part of a multipart object (its part's checksum). */
static void add_stored_checksum(struct s3_call *call, const struct s3_object *o, bool ranged,
                                const char *part_alg, const char *part_sum)
{
    const char *mode = http_req_header(call->req, "x-amz-checksum-mode");
    if (!mode || strcasecmp(mode, "ENABLED") != 0)
        return;
    const char *value = part_alg ? part_sum : o->checksum;
    int alg = checksum_alg_from_name(part_alg ? part_alg : o->checksum_alg);
    if ((ranged && !part_alg) || alg < 0)
        return;
    http_resp_header(call->req, checksum_header_name((enum checksum_alg)alg), value);
    http_resp_header(call->req, "x-amz-checksum-type", o->checksum_type[0] ? o->checksum_type : "FULL_OBJECT");
}

/* The bytes partNumber names: a multipart object's part (its checksum in
 * part_alg / part_sum when it has one), or the whole of any other object
 * for part 1. Answers InvalidPartNumber and returns false for a part the
 * object does not have. */
static bool part_range(struct s3_call *call, const struct s3_object *o, int part, int64_t *first, int64_t *last,
                       char part_alg[12], char part_sum[64])
{
    int64_t start = 0, size = o->size;
    bool found = o->parts_count > 0 ? s3_object_part(o, part, &start, &size, part_alg, part_sum) : part == 1;
    if (!found) {
        s3_fail(call, S3_ERR_INVALID_PART_NUMBER, NULL, NULL);
        return false;
    }
    *first = start;
    *last = start + size - 1;
    return true;
}

void s3_add_version_headers(struct s3_call *call, const struct s3_object *o)
{
    if (o->n_tags)
        http_resp_headerf(call->req, "x-amz-tagging-count", "%zu", o->n_tags);
    if (o->lock_mode[0]) {
        char until[32];
        date_iso8601(o->lock_until_ms, until);
        http_resp_header(call->req, "x-amz-object-lock-mode", o->lock_mode);
        http_resp_header(call->req, "x-amz-object-lock-retain-until-date", until);
    }
    if (o->legal_hold)
        http_resp_header(call->req, "x-amz-object-lock-legal-hold", "ON");
}

void s3_get_object(struct s3_call *call)
{
    struct http_req *req = call->req;
    int part = 0;
    bool part_asked = false;
    free(query_param(req->query, "partNumber", &part_asked));
    if (part_asked) {
        if (!s3_part_number_param(call, &part))
            return;
        if (http_req_header(req, "range")) {
            s3_fail(call, S3_ERR_INVALID_REQUEST, "Cannot specify both Range header and partNumber query parameter",
                    NULL);
            return;
        }
    }
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    bool versioned = b.versioning[0] != '\0';
    s3_bucket_free(&b);
    char *version_id;
    if (!s3_version_id_param(call, &version_id))
        return;
    struct s3_object o = {0};
    err = store_get_object_version(call->store, call->route.bucket, call->route.key, version_id, &o);
    if (err != S3_OK) {
        s3_fail_version(call, err, &o, version_id, versioned);
        s3_object_free(&o);
        free(version_id);
        return;
    }
    free(version_id);
    if (!s3_sse_read_allowed(call, &o.sse)) {
        s3_object_free(&o);
        return;
    }
    if (versioned)
        s3_add_version_header(call, o.version_id);
    err = check_conditions(call, &o);
    if (err == S3_ERR_NOT_MODIFIED) {
        add_object_headers(call, &o);
        http_resp_send(req, 304, NULL, NULL, 0);
        s3_object_free(&o);
        return;
    }
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        s3_object_free(&o);
        return;
    }
    int64_t first = 0, last = o.size - 1;
    char part_alg[12] = "", part_sum[64] = "";
    if (part && !part_range(call, &o, part, &first, &last, part_alg, part_sum)) {
        s3_object_free(&o);
        return;
    }
    int ranged = part ? o.size > 0 : parse_range(http_req_header(req, "range"), o.size, &first, &last);
    if (ranged < 0) {
        http_resp_headerf(req, "Content-Range", "bytes */%lld", (long long)o.size);
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "RangeRequested", http_req_header(req, "range"));
        strbuf_printf(&x, "<ActualObjectSize>%lld</ActualObjectSize>", (long long)o.size);
        s3_fail(call, S3_ERR_INVALID_RANGE, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        s3_object_free(&o);
        return;
    }
    int *fds = calloc(o.n_segments ? o.n_segments : 1, sizeof(int));
    if (!fds || (!req->is_head && open_segments(call, &o, first, last, fds) < 0)) {
        free(fds);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "The object's data could not be read", NULL);
        s3_object_free(&o);
        return;
    }
    add_object_headers(call, &o);
    s3_add_version_headers(call, &o);
    add_content_headers(call, &o, !req->is_head);
    add_stored_checksum(call, &o, ranged > 0, part && o.parts_count && part_alg[0] ? part_alg : NULL, part_sum);
    if (part && o.parts_count)
        http_resp_headerf(req, "x-amz-mp-parts-count", "%d", o.parts_count);
    if (ranged > 0)
        http_resp_headerf(req, "Content-Range", "bytes %lld-%lld/%lld", (long long)first, (long long)last,
                          (long long)o.size);
    http_resp_begin(req, ranged > 0 ? 206 : 200, o.size == 0 ? 0 : last - first + 1);
    if (!req->is_head)
        send_segments(call, &o, first, last, fds);
    http_resp_end(req);
    free(fds);
    s3_object_free(&o);
}

/* ---- PutObject ------------------------------------------------------ */

static void object_put(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err == S3_ERR_NO_SUCH_KEY) {
        struct strbuf x;
        strbuf_init(&x);
        strbuf_xml_elem(&x, "Key", call->route.key);
        s3_fail(call, res->err, NULL, strbuf_failed(&x) ? NULL : x.data);
        strbuf_free(&x);
        return;
    }
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    http_resp_headerf(call->req, "ETag", "\"%s\"", res->etag);
    s3_add_version_header(call, res->version_id);
    s3_add_checksum_headers(call, true);
    s3_sse_add_headers(call, &call->sse, true);
    http_resp_send(call->req, 200, NULL, NULL, 0);
}

bool s3_write_condition(struct s3_call *call, struct store_write_condition *out, char if_match[80])
{
    const char *none = http_req_header(call->req, "if-none-match");
    const char *match = http_req_header(call->req, "if-match");
    *out = (struct store_write_condition){.existed = call->key_existed};
    if (none && strcmp(none, "*") != 0) {
        s3_fail(call, S3_ERR_NOT_IMPLEMENTED, "A header you provided implies functionality that is not implemented",
                "<Header>If-None-Match</Header>");
        return false;
    }
    out->if_none_match_any = none != NULL;
    if (match) {
        unquote_etag(match, if_match, 80);
        out->if_match = if_match;
    }
    return true;
}

void s3_conditional_write_begins(struct s3_call *call)
{
    if (!http_req_header(call->req, "if-none-match") && !http_req_header(call->req, "if-match"))
        return;
    struct s3_object o;
    call->key_existed = store_get_object(call->store, call->route.bucket, call->route.key, &o) == S3_OK;
    if (call->key_existed)
        s3_object_free(&o);
}

/* Queues the PutObject the request describes. */
static void put_with(struct s3_call *call, const struct store_write_condition *condition,
                     const char *storage_class, const struct s3_content_headers *content,
                     const struct s3_kv *meta, size_t n_meta, const struct s3_kv *tags,
                     size_t n_tags, const struct store_lock *lock)
{
    struct store_put put = {
        .bucket = call->route.bucket,
        .key = call->route.key,
        .account = call->account,
        .body = call->blob,
        .content = content,
        .user_meta = meta,
        .n_user_meta = n_meta,
        .storage_class = storage_class,
        .condition = *condition,
        .sse = &call->sse,
        .tags = tags,
        .n_tags = n_tags,
        .lock = *lock,
        .acl = call->object_acl.len ? call->object_acl.data : NULL,
    };
    if (call->body_checksum_alg >= 0)
        put.checksum = (struct store_checksum){
            .alg = checksum_alg_name((enum checksum_alg)call->body_checksum_alg),
            .value = call->body_checksum,
            .type = "FULL_OBJECT",
        };
    call->blob = NULL;   /* the store owns it now */
    if (store_put_object(call->store, &put, object_put, call) < 0)
        s3_fail_unqueued(call);
}

void s3_put_object(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    struct store_lock lock;
    char lock_mode[12];
    struct s3_sse_headers sse;
    s3_sse_request_headers(call, &sse);
    bool lock_ok = s3_lock_headers(call, &b, &lock, lock_mode) && s3_sse_for_write(call, &b, &sse);
    s3_bucket_free(&b);
    const char *storage_class;
    if (!lock_ok || !s3_storage_class_param(call, &storage_class))
        return;
    struct s3_kv *tags;
    size_t n_tags;
    if (!s3_tagging_header(call, &tags, &n_tags))
        return;
    struct store_write_condition condition;
    char if_match[80];
    struct s3_content_headers content;
    struct s3_kv *meta;
    size_t n_meta;
    if (!s3_write_condition(call, &condition, if_match)) {
        /* answered */
    } else if (s3_request_content(call, &content, &meta, &n_meta) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
    } else {
        put_with(call, &condition, storage_class, &content, meta, n_meta, tags, n_tags, &lock);
        s3_content_headers_free(&content);
        s3_kv_free_array(meta, n_meta);
    }
    s3_kv_free_array(tags, n_tags);
}


/* ---- DeleteObject --------------------------------------------------- */

static void object_deleted(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    if (res->delete_marker)
        http_resp_header(call->req, "x-amz-delete-marker", "true");
    s3_add_version_header(call, res->version_id);
    http_resp_send(call->req, 204, NULL, NULL, 0);
}

void s3_delete_object(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    char *version_id;
    if (!s3_version_id_param(call, &version_id))
        return;
    const char *bypass = http_req_header(call->req, "x-amz-bypass-governance-retention");
    const char *if_match_h = http_req_header(call->req, "if-match");
    char if_match[80];
    if (if_match_h)
        unquote_etag(if_match_h, if_match, sizeof(if_match));
    if (store_delete_version(call->store, call->route.bucket, call->route.key, version_id,
                             bypass && strcasecmp(bypass, "true") == 0, if_match_h ? if_match : NULL,
                             object_deleted, call) < 0)
        s3_fail_unqueued(call);
    free(version_id);
}

/* ---- DeleteObjects ---------------------------------------------------- */

static void objects_deleted(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    struct strbuf xml;
    strbuf_init(&xml);
    s3_delete_result_xml(&xml, res->deleted, res->n_deleted, call->quiet);
    s3_reply_xml(call, &xml);
}

void s3_delete_objects(struct s3_call *call)
{
    if (!s3_require_owned_bucket(call))
        return;
    enum s3_err err = s3_parse_delete_objects(call->body.data, call->body.len, &call->keys, &call->version_ids,
                                  &call->n_keys, &call->quiet);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    const char *bypass = http_req_header(call->req, "x-amz-bypass-governance-retention");
    if (store_delete_versions(call->store, call->route.bucket, (const char *const *)call->keys,
                              (const char *const *)call->version_ids, call->n_keys,
                              bypass && strcasecmp(bypass, "true") == 0, objects_deleted, call) < 0)
        s3_fail_unqueued(call);
}

/* ---- CopyObject ----------------------------------------------------- */

void s3_copy_source_free(struct s3_copy_source_req *r)
{
    free(r->bucket);
    free(r->key);
    free(r->version_id);
    memset(r, 0, sizeof(*r));
}

/* x-amz-copy-source: "bucket/key" or "/bucket/key", percent-encoded, with
 * an optional "?versionId=". Answers and returns false when malformed. */
static bool parse_copy_source(struct s3_call *call, struct s3_copy_source_req *r)
{
    const char *src = http_req_header(call->req, "x-amz-copy-source");
    if (*src == '/')
        src++;
    const char *slash = strchr(src, '/');
    const char *q = strchr(src, '?');
    if (q && strncmp(q, "?versionId=", 11) == 0) {
        r->version_id = percent_decode(q + 11, strlen(q + 11), 0, NULL);
        if (!r->version_id || !store_version_id_valid(r->version_id)) {
            s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid version id specified", NULL);
            return false;
        }
    }
    size_t end = q ? (size_t)(q - src) : strlen(src);
    if (!slash || (size_t)(slash - src) >= end || slash + 1 == src + end) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid copy source object key", NULL);
        return false;
    }
    r->bucket = percent_decode(src, (size_t)(slash - src), 0, NULL);
    r->key = percent_decode(slash + 1, end - (size_t)(slash - src) - 1, 0, NULL);
    if (!r->bucket || !r->key) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "Invalid copy source encoding", NULL);
        return false;
    }
    return true;
}

bool s3_copy_source_param(struct s3_call *call, struct s3_copy_source_req *r)
{
    memset(r, 0, sizeof(*r));
    if (!parse_copy_source(call, r)) {
        s3_copy_source_free(r);
        return false;
    }
    struct s3_bucket b;
    enum s3_err err = store_get_bucket(call->store, r->bucket, &b);
    if (err == S3_OK && strcmp(b.owner_account, call->account) != 0)
        err = S3_ERR_ACCESS_DENIED;
    if (err == S3_OK)
        s3_bucket_free(&b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        s3_copy_source_free(r);
        return false;
    }
    struct http_req *req = call->req;
    const char *im = http_req_header(req, "x-amz-copy-source-if-match");
    const char *inm = http_req_header(req, "x-amz-copy-source-if-none-match");
    const char *ims = http_req_header(req, "x-amz-copy-source-if-modified-since");
    const char *ius = http_req_header(req, "x-amz-copy-source-if-unmodified-since");
    if (im)
        unquote_etag(im, r->if_match, sizeof(r->if_match));
    if (inm)
        unquote_etag(inm, r->if_none_match, sizeof(r->if_none_match));
    int64_t modified = ims ? date_parse_http(ims) : 0, unmodified = ius ? date_parse_http(ius) : 0;
    if (!s3_sse_request_customer_key(call, true, r->customer_key_md5)) {
        s3_copy_source_free(r);
        return false;
    }
    r->source = (struct store_copy_source){
        .bucket = r->bucket,
        .key = r->key,
        .version_id = r->version_id,
        .customer_key_md5 = r->customer_key_md5[0] ? r->customer_key_md5 : NULL,
        .if_match = im ? r->if_match : NULL,
        .if_none_match = inm ? r->if_none_match : NULL,
        .if_modified_since_ms = modified > 0 ? modified : 0,
        .if_unmodified_since_ms = unmodified > 0 ? unmodified : 0,
    };
    return true;
}

static void object_copied(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    s3_add_version_header(call, res->version_id);
    if (res->source_version_id[0])
        http_resp_header(call->req, "x-amz-copy-source-version-id", res->source_version_id);
    s3_sse_add_headers(call, &call->sse, true);
    struct strbuf xml;
    strbuf_init(&xml);
    s3_copy_object_result_xml(&xml, res->etag, res->last_modified_ms, res->checksum_alg,
                              res->checksum, res->checksum_type);
    s3_reply_xml(call, &xml);
}

/* x-amz-metadata-directive / x-amz-tagging-directive: absent, COPY or
 * REPLACE. Answers and returns false otherwise. */
static bool directive_param(struct s3_call *call, const char *header, const char *message,
                            bool *replace)
{
    const char *v = http_req_header(call->req, header);
    *replace = v && strcmp(v, "REPLACE") == 0;
    if (!v || *replace || strcmp(v, "COPY") == 0)
        return true;
    s3_fail(call, S3_ERR_INVALID_ARGUMENT, message, NULL);
    return false;
}

/* What a CopyObject request asks for, before it goes to the store. */
struct copy_request {
    struct s3_copy_source_req src;
    struct s3_content_headers content;
    struct s3_kv *meta, *tags;
    size_t n_meta, n_tags;
    struct store_lock lock;
    char lock_mode[12];
};

static void copy_request_free(struct copy_request *r)
{
    s3_copy_source_free(&r->src);
    s3_content_headers_free(&r->content);
    s3_kv_free_array(r->meta, r->n_meta);
    s3_kv_free_array(r->tags, r->n_tags);
}

void s3_copy_object(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    struct copy_request r;
    memset(&r, 0, sizeof(r));
    struct s3_sse_headers sse;
    s3_sse_request_headers(call, &sse);
    bool lock_ok = s3_lock_headers(call, &b, &r.lock, r.lock_mode) && s3_sse_for_write(call, &b, &sse);
    s3_bucket_free(&b);
    bool replace, replace_tags;
    const char *storage_class, *checksum_alg, *checksum_type;
    if (!lock_ok || !s3_checksum_algorithm_param(call, &checksum_alg, &checksum_type) ||
        !directive_param(call, "x-amz-metadata-directive", "Unknown metadata directive.", &replace) ||
        !directive_param(call, "x-amz-tagging-directive", "Unknown tagging directive.", &replace_tags) ||
        !s3_storage_class_param(call, &storage_class) ||
        (replace_tags && !s3_tagging_header(call, &r.tags, &r.n_tags)) ||
        !s3_copy_source_param(call, &r.src)) {
        copy_request_free(&r);
        return;
    }
    bool asks_encryption = sse.algorithm || sse.customer_algorithm;
    if (!replace && !storage_class && !asks_encryption && !r.src.version_id &&
        strcmp(r.src.bucket, call->route.bucket) == 0 && strcmp(r.src.key, call->route.key) == 0) {
        copy_request_free(&r);
        s3_fail(call, S3_ERR_INVALID_REQUEST,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
                NULL);
        return;
    }
    struct store_write_condition condition;
    char dst_if_match[80];
    if (!s3_write_condition(call, &condition, dst_if_match)) {
        copy_request_free(&r);
        return;
    }
    if (replace && s3_request_content(call, &r.content, &r.meta, &r.n_meta) < 0) {
        copy_request_free(&r);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    struct store_copy cp = {
        .source = r.src.source,
        .dst_bucket = call->route.bucket,
        .dst_key = call->route.key,
        .account = call->account,
        .replace_content = replace ? &r.content : NULL,
        .replace_meta = r.meta,
        .n_replace_meta = r.n_meta,
        .replace = replace,
        .storage_class = storage_class,
        .replace_tags = replace_tags,
        .tags = r.tags,
        .n_tags = r.n_tags,
        .lock = r.lock,
        .checksum_alg = checksum_alg,
        .acl = call->object_acl.len ? call->object_acl.data : NULL,
        .condition = condition,
        .sse = &call->sse,
    };
    if (store_copy_object(call->store, &cp, object_copied, call) < 0)
        s3_fail_unqueued(call);
    copy_request_free(&r);
}

/* ---- GetObjectAttributes ---------------------------------------------- */

/* x-amz-max-parts / x-amz-part-number-marker: non-negative integers. */
static bool header_int(struct s3_call *call, const char *name, int def, int *out)
{
    const char *v = http_req_header(call->req, name);
    *out = def;
    if (!v)
        return true;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 0 || n > INT32_MAX) {
        char msg[96];
        snprintf(msg, sizeof(msg), "Provided %s not an integer or within integer range", name);
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, msg, NULL);
        return false;
    }
    *out = (int)n;
    return true;
}

void s3_get_object_attributes(struct s3_call *call)
{
    struct s3_bucket b;
    enum s3_err err = s3_owned_bucket(call, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    bool versioned = b.versioning[0] != '\0';
    s3_bucket_free(&b);
    unsigned attrs;
    err = s3_parse_object_attributes(http_req_header(call->req, "x-amz-object-attributes"), &attrs);
    if (err != S3_OK) {
        s3_fail(call, err,
                err == S3_ERR_INVALID_REQUEST
                    ? "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty"
                    : "Invalid attribute name specified.",
                NULL);
        return;
    }
    int max_parts, marker;
    char *version_id;
    if (!header_int(call, "x-amz-max-parts", 1000, &max_parts) ||
        !header_int(call, "x-amz-part-number-marker", 0, &marker) ||
        !s3_version_id_param(call, &version_id))
        return;
    if (max_parts > 1000)
        max_parts = 1000;
    struct s3_object o = {0};
    err = store_get_object_version(call->store, call->route.bucket, call->route.key, version_id, &o);
    if (err != S3_OK) {
        s3_fail_version(call, err, &o, version_id, versioned);
    } else if (s3_sse_read_allowed(call, &o.sse)) {
        char date[40];
        date_http(o.last_modified_ms, date);
        http_resp_header(call->req, "Last-Modified", date);
        if (versioned)
            s3_add_version_header(call, o.version_id);
        struct strbuf xml;
        strbuf_init(&xml);
        s3_object_attributes_xml(&xml, &o, attrs, marker, max_parts);
        s3_reply_xml(call, &xml);
    }
    s3_object_free(&o);
    free(version_id);
}
