/* s3_post: PostObject, the browser upload — POST /<bucket> with a
 * multipart/form-data body of fields then the file.
 *
 * The body streams through the form parser (protocol/s3/post.h):
 * fields are collected; when the file part begins, the request is
 * authorized from them — the policy's signature (SigV4: x-amz-credential,
 * x-amz-date, x-amz-signature = HMAC-SHA256 of the base64 policy with the
 * signing key; SigV2: AWSAccessKeyId and signature = HMAC-SHA1 with the
 * secret), then the policy's expiration and conditions — and the file's
 * bytes go to a blob writer as they arrive, within the policy's
 * content-length-range. Fields after the file are ignored, as AWS does.
 * Without a policy the POST is anonymous and s3_access_authorize decides
 * (as for any anonymous request). The object is stored like a PUT, with the
 * acl, tagging (a Tagging XML document), x-amz-storage-class,
 * x-amz-server-side-encryption* and x-amz-checksum-<alg> fields as PUT's
 * headers (the checksum checked against the file, else CRC64NVME computed
 * as AWS's default), ${filename} in the key replaced by the file's name; its
 * event is s3:ObjectCreated:Post. The answer follows success_action_redirect
 * (303), else success_action_status (200, 201 with a PostResponse, default
 * 204). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "protocol/s3/post.h"
#include "server/core/log.h"
#include "server/s3/s3.h"
#include "storage/s3/notification.h"
#include "protocol/core/base64.h"
#include "storage/core/clock.h"
#include "protocol/core/hex.h"

struct s3_post {
    struct s3_post_form *form;
    struct s3_kv *fields;
    size_t n_fields, cap_fields;
    bool file_seen, file_done, answered;
    char *key;                     /* the key field, ${filename} replaced */
    char *file_content_type;
    struct s3_post_limits limits;
    int64_t file_bytes;
    struct checksum_ctx sum;       /* the checksum field's algorithm, else CRC64NVME */
    const char *sum_want;          /* the checksum field's value (base64), or NULL */
    const char *storage_class;     /* NULL: STANDARD */
    struct s3_kv *tags;
    size_t n_tags;
};

void s3_post_free(struct s3_post *p)
{
    if (!p)
        return;
    s3_post_form_free(p->form);
    s3_kv_free_array(p->fields, p->n_fields);
    free(p->key);
    free(p->file_content_type);
    checksum_abort(&p->sum);
    s3_kv_free_array(p->tags, p->n_tags);
    free(p);
}

static const char *field(const struct s3_post *p, const char *name)
{
    for (size_t i = 0; i < p->n_fields; i++)
        if (strcmp(p->fields[i].name, name) == 0)
            return p->fields[i].value;
    return NULL;
}

/* Answers once; the parser callbacks then stop the body. */
static int answer(struct s3_call *call, enum s3_err err, const char *msg)
{
    call->post->answered = true;
    s3_fail(call, err, msg, NULL);
    return -1;
}

/* ---- form callbacks --------------------------------------------------- */

static int on_field(void *arg, const char *name, const char *value, size_t len)
{
    struct s3_call *call = arg;
    struct s3_post *p = call->post;
    if (p->file_seen)
        return 0;
    if (p->n_fields == p->cap_fields) {
        size_t cap = p->cap_fields ? p->cap_fields * 2 : 16;
        struct s3_kv *grown = realloc(p->fields, cap * sizeof(*grown));
        if (!grown)
            return answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
        p->fields = grown;
        p->cap_fields = cap;
    }
    struct s3_kv *kv = &p->fields[p->n_fields];
    kv->name = strdup(name);
    kv->value = strndup(value, len);
    if (!kv->name || !kv->value) {
        free(kv->name);
        free(kv->value);
        return answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
    }
    for (char *c = kv->name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    p->n_fields++;
    return 0;
}

/* Hex HMAC-SHA256 (SigV4) or base64 HMAC-SHA1 (SigV2) of the policy. */
static bool signature_matches(const unsigned char *key, size_t key_len, bool v4, const char *policy,
                              const char *given)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(v4 ? EVP_sha256() : EVP_sha1(), key, (int)key_len, (const unsigned char *)policy,
              strlen(policy), mac, &n))
        return false;
    char text[2 * EVP_MAX_MD_SIZE + 1];
    if (v4) {
        hex_encode(mac, n, text);
        return strcasecmp(text, given) == 0;
    }
    base64_encode(mac, n, text);
    return strcmp(text, given) == 0;
}

/* Checks the form's signature over the policy; sets call->account. */
static bool signature_ok(struct s3_call *call, const char *policy)
{
    struct s3_post *p = call->post;
    const char *credential = field(p, "x-amz-credential");
    const char *v2_key = field(p, "awsaccesskeyid");
    const char *given = field(p, credential ? "x-amz-signature" : "signature");
    if ((!credential && !v2_key) || !given) {
        answer(call, S3_ERR_INVALID_ARGUMENT,
               "Bucket POST must contain a field named 'x-amz-signature' (or 'signature' with 'AWSAccessKeyId').");
        return false;
    }
    char akid[128] = "", date[16] = "", region[64] = "", service[32] = "", terminator[32] = "";
    if (credential) {
        const char *alg = field(p, "x-amz-algorithm");
        if (!alg || strcmp(alg, "AWS4-HMAC-SHA256") != 0) {
            answer(call, S3_ERR_INVALID_ARGUMENT, "Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm");
            return false;
        }
        if (sscanf(credential, "%127[^/]/%15[^/]/%63[^/]/%31[^/]/%31s", akid, date, region, service,
                   terminator) != 5 || strcmp(terminator, "aws4_request") != 0) {
            answer(call, S3_ERR_INVALID_ARGUMENT, "Invalid format of X-Amz-Credential");
            return false;
        }
    } else {
        snprintf(akid, sizeof(akid), "%s", v2_key);
    }
    const struct access_key *key = config_find_key(call->srv->cfg, akid);
    if (!key) {
        answer(call, S3_ERR_INVALID_ACCESS_KEY_ID, NULL);
        return false;
    }
    unsigned char signing_key[32];
    bool ok;
    if (credential) {
        sigv4_signing_key(key->secret, date, region, service, signing_key);
        ok = signature_matches(signing_key, sizeof(signing_key), true, policy, given);
    } else {
        ok = signature_matches((const unsigned char *)key->secret, strlen(key->secret), false, policy, given);
    }
    if (!ok) {
        answer(call, S3_ERR_SIGNATURE_DOES_NOT_MATCH, NULL);
        return false;
    }
    memcpy(call->account, key->account, sizeof(call->account));
    iam_principal_root(&call->req->caller, key->account, key->access_key);
    return true;
}

/* The policy, decoded and checked against the fields. */
static bool policy_ok(struct s3_call *call, const char *policy_b64)
{
    struct s3_post *p = call->post;
    size_t cap = strlen(policy_b64);
    unsigned char *json = malloc(cap + 1);
    if (!json) {
        answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
        return false;
    }
    long len = base64_decode_strict(policy_b64, cap, json, cap + 1);
    if (len < 0) {
        free(json);
        answer(call, S3_ERR_INVALID_POLICY_DOCUMENT, "Invalid Policy: Invalid Base64 encoding.");
        return false;
    }
    char msg[1024];
    enum s3_err err = s3_post_policy_check((const char *)json, (size_t)len, clock_now_ms(), call->route.bucket,
                                           p->fields, p->n_fields, &p->limits, msg, sizeof(msg));
    free(json);
    if (err != S3_OK) {
        answer(call, err, msg[0] ? msg : NULL);
        return false;
    }
    return true;
}

/* The key field with ${filename} replaced by the file's base name. */
static bool resolve_key(struct s3_call *call, const char *filename)
{
    struct s3_post *p = call->post;
    const char *key = field(p, "key");
    if (!key || !*key) {
        answer(call, S3_ERR_INVALID_ARGUMENT,
               "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.");
        return false;
    }
    const char *base = filename;
    for (const char *c = filename; *c; c++)
        if (*c == '/' || *c == '\\')
            base = c + 1;
    struct strbuf out;
    strbuf_init(&out);
    const char *at;
    while ((at = strstr(key, "${filename}")) != NULL) {
        strbuf_append(&out, key, (size_t)(at - key));
        strbuf_puts(&out, base);
        key = at + 11;
    }
    strbuf_puts(&out, key);
    if (strbuf_failed(&out)) {
        strbuf_free(&out);
        answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
        return false;
    }
    p->key = strbuf_detach(&out, NULL);
    if (strlen(p->key) > 1024) {
        answer(call, S3_ERR_KEY_TOO_LONG, NULL);
        return false;
    }
    return true;
}

/* The tagging, x-amz-storage-class and x-amz-checksum-<alg> fields, checked
 * as PutObject checks its headers; the checksum to compute over the file is
 * set up here. Answers and returns false when one is bad. */
static bool object_fields_ok(struct s3_call *call)
{
    struct s3_post *p = call->post;
    if (!s3_storage_class_named(call, field(p, "x-amz-storage-class"), &p->storage_class))
        return false;
    struct s3_sse_headers sse = {
        .algorithm = field(p, "x-amz-server-side-encryption"),
        .kms_key_id = field(p, "x-amz-server-side-encryption-aws-kms-key-id"),
        .context = field(p, "x-amz-server-side-encryption-context"),
        .bucket_key = field(p, "x-amz-server-side-encryption-bucket-key-enabled"),
        .customer_algorithm = field(p, "x-amz-server-side-encryption-customer-algorithm"),
        .customer_key = field(p, "x-amz-server-side-encryption-customer-key"),
        .customer_key_md5 = field(p, "x-amz-server-side-encryption-customer-key-md5"),
    };
    struct s3_bucket b;
    enum s3_err bucket_err = store_get_bucket(call->store, call->route.bucket, &b);
    if (bucket_err != S3_OK) {
        s3_fail(call, bucket_err, NULL, NULL);
        return false;
    }
    bool sse_ok = s3_sse_for_write(call, &b, &sse);
    s3_bucket_free(&b);
    if (!sse_ok)
        return false;
    const char *tagging = field(p, "tagging");
    const char *message = NULL;
    enum s3_err err = tagging ? s3_parse_tagging(tagging, strlen(tagging), S3_MAX_OBJECT_TAGS, &p->tags,
                                                 &p->n_tags, &message)
                              : S3_OK;
    if (err != S3_OK) {
        s3_fail(call, err, message, NULL);
        return false;
    }
    enum checksum_alg alg = CHECKSUM_CRC64NVME;
    for (int a = 0; a < CHECKSUM__COUNT && !p->sum_want; a++) {
        if (a != CHECKSUM_MD5 && (p->sum_want = field(p, checksum_header_name((enum checksum_alg)a))))
            alg = (enum checksum_alg)a;
    }
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    if (p->sum_want && base64_decode_strict(p->sum_want, strlen(p->sum_want), digest, sizeof(digest)) !=
                           (long)checksum_digest_len(alg)) {
        char text[96];
        snprintf(text, sizeof(text), "Value for %s header is invalid.", checksum_header_name(alg));
        s3_fail(call, S3_ERR_INVALID_REQUEST, text, NULL);
        return false;
    }
    checksum_abort(&p->sum);
    if (checksum_init(&p->sum, alg) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return false;
    }
    return true;
}

static int on_file_begin(void *arg, const char *filename, const char *content_type)
{
    struct s3_call *call = arg;
    struct s3_post *p = call->post;
    if (p->file_seen)
        return answer(call, S3_ERR_INVALID_ARGUMENT, "POST requires exactly one file upload per request.");
    p->file_seen = true;
    if (content_type && !(p->file_content_type = strdup(content_type)))
        return answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
    const char *policy = field(p, "policy");
    if (policy && !signature_ok(call, policy))
        return -1;
    if (policy && !policy_ok(call, policy))
        return -1;
    if (!resolve_key(call, filename))
        return -1;
    free(call->route.key);
    call->route.key = strdup(p->key);
    if (!call->route.key)
        return answer(call, S3_ERR_INTERNAL_ERROR, "out of memory");
    const char *acl = field(p, "acl");
    if (!s3_access_authorize(call, policy == NULL) || (acl && !s3_access_post_acl(call, acl)) ||
        !object_fields_ok(call)) {
        p->answered = true;
        return -1;
    }
    return 0;
}

static int on_file_data(void *arg, const void *data, size_t len)
{
    struct s3_call *call = arg;
    struct s3_post *p = call->post;
    p->file_bytes += (int64_t)len;
    if (p->file_bytes > p->limits.max_size)
        return answer(call, S3_ERR_ENTITY_TOO_LARGE, "Your proposed upload exceeds the maximum allowed size");
    if (p->file_bytes > S3_MAX_PUT_SIZE)
        return answer(call, S3_ERR_ENTITY_TOO_LARGE, NULL);
    checksum_update(&p->sum, data, len);
    int rc = blob_writer_write(call->blob, data, len);
    if (rc < 0) {
        log_error("writing a POST upload to disk failed: %s", strerror(errno));
        return answer(call, S3_ERR_INTERNAL_ERROR, "could not store the body");
    }
    if (rc == 1)
        http_req_pause_body(call->req);
    return 0;
}

static int on_file_end(void *arg)
{
    struct s3_call *call = arg;
    call->post->file_done = true;
    return 0;
}

static const struct s3_post_form_callbacks form_callbacks = {
    .field = on_field,
    .file_begin = on_file_begin,
    .file_data = on_file_data,
    .file_end = on_file_end,
};

/* ---- answering -------------------------------------------------------- */

/* The success_action_redirect URL with bucket, key and etag added. */
static void redirect(struct s3_call *call, const char *url, const char *etag)
{
    struct strbuf location;
    strbuf_init(&location);
    strbuf_puts(&location, url);
    strbuf_puts(&location, strchr(url, '?') ? "&bucket=" : "?bucket=");
    percent_encode(&location, call->route.bucket, strlen(call->route.bucket), false);
    strbuf_puts(&location, "&key=");
    percent_encode(&location, call->post->key, strlen(call->post->key), false);
    strbuf_printf(&location, "&etag=%%22%s%%22", etag);
    if (strbuf_failed(&location)) {
        strbuf_free(&location);
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    http_resp_header(call->req, "Location", location.data);
    http_resp_send(call->req, 303, NULL, NULL, 0);
    strbuf_free(&location);
}

static void object_posted(void *arg, const struct store_result *res)
{
    struct s3_call *call = arg;
    struct s3_post *p = call->post;
    if (res->err != S3_OK) {
        s3_fail_store(call, res);
        return;
    }
    http_resp_headerf(call->req, "ETag", "\"%s\"", res->etag);
    s3_add_version_header(call, res->version_id);
    s3_sse_add_headers(call, &call->sse, false);
    const char *redirect_url = field(p, "success_action_redirect");
    if (!redirect_url)
        redirect_url = field(p, "redirect");
    if (redirect_url && (strncmp(redirect_url, "http://", 7) == 0 || strncmp(redirect_url, "https://", 8) == 0)) {
        redirect(call, redirect_url, res->etag);
        return;
    }
    const char *host = http_req_header(call->req, "host");
    struct strbuf location;
    strbuf_init(&location);
    strbuf_printf(&location, "http://%s/%s/", host ? host : "localhost", call->route.bucket);
    percent_encode(&location, p->key, strlen(p->key), true);
    http_resp_header(call->req, "Location", strbuf_failed(&location) ? "" : location.data);
    const char *status = field(p, "success_action_status");
    if (status && strcmp(status, "201") == 0) {
        struct strbuf xml;
        strbuf_init(&xml);
        strbuf_puts(&xml, S3_XML_DECL "<PostResponse>");
        strbuf_xml_elem(&xml, "Location", location.data ? location.data : "");
        strbuf_xml_elem(&xml, "Bucket", call->route.bucket);
        strbuf_xml_elem(&xml, "Key", p->key);
        strbuf_printf(&xml, "<ETag>\"%s\"</ETag></PostResponse>", res->etag);
        strbuf_free(&location);
        if (strbuf_failed(&xml)) {
            strbuf_free(&xml);
            s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
            return;
        }
        http_resp_send(call->req, 201, "application/xml", xml.data, xml.len);
        strbuf_free(&xml);
        return;
    }
    strbuf_free(&location);
    http_resp_send(call->req, status && strcmp(status, "200") == 0 ? 200 : 204, NULL, NULL, 0);
}

/* Content headers and x-amz-meta-* from the fields; -1 on ENOMEM. */
static int content_from_fields(struct s3_post *p, struct s3_content_headers *content,
                               struct s3_kv **meta, size_t *n_meta)
{
    static const struct {
        const char *name;
        size_t offset;
    } names[] = {
        {"content-type", offsetof(struct s3_content_headers, content_type)},
        {"content-encoding", offsetof(struct s3_content_headers, content_encoding)},
        {"content-disposition", offsetof(struct s3_content_headers, content_disposition)},
        {"cache-control", offsetof(struct s3_content_headers, cache_control)},
        {"expires", offsetof(struct s3_content_headers, expires)},
    };
    memset(content, 0, sizeof(*content));
    *meta = calloc(p->n_fields ? p->n_fields : 1, sizeof(**meta));
    *n_meta = 0;
    bool ok = *meta != NULL;
    for (size_t i = 0; ok && i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = field(p, names[i].name);
        if (!v && i == 0)
            v = p->file_content_type;
        char *copy = v ? strdup(v) : NULL;
        ok = !v || copy;
        *(char **)((char *)content + names[i].offset) = copy;
    }
    for (size_t i = 0; ok && i < p->n_fields; i++) {
        if (strncmp(p->fields[i].name, "x-amz-meta-", 11) != 0)
            continue;
        struct s3_kv *kv = &(*meta)[(*n_meta)++];
        kv->name = strdup(p->fields[i].name + 11);
        kv->value = strdup(p->fields[i].value);
        ok = kv->name && kv->value;
    }
    if (ok)
        return 0;
    s3_content_headers_free(content);
    s3_kv_free_array(*meta, *n_meta);
    *meta = NULL;
    *n_meta = 0;
    return -1;
}

static void blob_finished(void *arg, int err)
{
    struct s3_call *call = arg;
    struct s3_post *p = call->post;
    if (err) {
        log_error("storing a POST upload failed: %s", strerror(err));
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "could not store the body", NULL);
        return;
    }
    if (p->file_bytes < p->limits.min_size) {
        s3_fail(call, S3_ERR_ENTITY_TOO_SMALL, "Your proposed upload is smaller than the minimum allowed size", NULL);
        return;
    }
    struct s3_content_headers content;
    struct s3_kv *meta;
    size_t n_meta;
    if (content_from_fields(p, &content, &meta, &n_meta) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    enum checksum_alg alg = (enum checksum_alg)p->sum.alg;
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    char sum[64];
    base64_encode(digest, checksum_final(&p->sum, digest), sum);
    if (p->sum_want && strcmp(sum, p->sum_want) != 0) {
        char text[128];
        snprintf(text, sizeof(text), "The %s you specified did not match the calculated checksum.",
                 checksum_alg_name(alg));
        s3_content_headers_free(&content);
        s3_kv_free_array(meta, n_meta);
        s3_fail(call, S3_ERR_BAD_DIGEST, text, NULL);
        return;
    }
    struct store_put put = {
        .bucket = call->route.bucket,
        .key = p->key,
        .account = call->account,
        .body = call->blob,
        .content = &content,
        .user_meta = meta,
        .n_user_meta = n_meta,
        .storage_class = p->storage_class,
        .tags = p->tags,
        .n_tags = p->n_tags,
        .checksum = {.alg = checksum_alg_name(alg), .value = sum, .type = "FULL_OBJECT"},
        .event = "ObjectCreated:Post",
        .acl = call->object_acl.len ? call->object_acl.data : NULL,
        .sse = &call->sse,
    };
    call->blob = NULL;   /* the store owns it now */
    struct store_origin origin;
    s3_notification_origin(call, &origin);
    store_set_origin(call->store, &origin);
    if (store_put_object(call->store, &put, object_posted, call) < 0)
        s3_fail_unqueued(call);
    store_set_origin(call->store, NULL);
    s3_content_headers_free(&content);
    s3_kv_free_array(meta, n_meta);
}

/* ---- the body --------------------------------------------------------- */

static int post_sink(struct http_req *req, const void *data, size_t len)
{
    struct s3_call *call = req->handler;
    struct s3_post *p = call->post;
    switch (s3_post_form_feed(p->form, data, len)) {
    case S3_POST_FORM_MORE:
    case S3_POST_FORM_DONE:
        return 0;
    case S3_POST_FORM_ERR_FIELDS_TOO_LARGE:
        s3_fail(call, S3_ERR_MAX_POST_PRE_DATA_LENGTH_EXCEEDED, NULL, NULL);
        return -1;
    case S3_POST_FORM_ERR_NOMEM:
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return -1;
    case S3_POST_FORM_ERR_CALLBACK:
        if (!p->answered)
            s3_fail(call, S3_ERR_INTERNAL_ERROR, NULL, NULL);
        return -1;
    case S3_POST_FORM_ERR_MALFORMED:
        break;
    }
    s3_fail(call, S3_ERR_INVALID_REQUEST, "The body of your POST request is not well-formed multipart/form-data.", NULL);
    return -1;
}

static void post_done(struct http_req *req)
{
    struct s3_call *call = req->handler;
    struct s3_post *p = call->post;
    if (!p->file_seen) {
        s3_fail(call, S3_ERR_INVALID_ARGUMENT, "POST requires exactly one file upload per request.", NULL);
        return;
    }
    if (!p->file_done || !s3_post_form_done(p->form)) {
        s3_fail(call, S3_ERR_INCOMPLETE_BODY, "The request body terminated unexpectedly", NULL);
        return;
    }
    blob_writer_finish(call->blob, blob_finished, call);
}

static void blob_drained(void *arg)
{
    struct s3_call *call = arg;
    http_req_resume_body(call->req);
}

void s3_post_object(struct s3_call *call)
{
    struct http_req *req = call->req;
    char boundary[S3_POST_MAX_BOUNDARY + 1];
    if (s3_post_form_boundary(http_req_header(req, "content-type"), boundary, sizeof(boundary)) < 0) {
        s3_fail(call, S3_ERR_PRECONDITION_FAILED, NULL,
                "<Condition>Bucket POST must be of the enclosure-type multipart/form-data</Condition>");
        return;
    }
    struct s3_bucket b;
    enum s3_err err = store_get_bucket(call->store, call->route.bucket, &b);
    if (err != S3_OK) {
        s3_fail(call, err, NULL, NULL);
        return;
    }
    s3_bucket_free(&b);
    if (req->content_length > S3_MAX_PUT_SIZE + S3_POST_MAX_FIELDS + 65536) {
        s3_fail(call, S3_ERR_ENTITY_TOO_LARGE, NULL, NULL);
        return;
    }
    call->post = calloc(1, sizeof(*call->post));
    if (!call->post || checksum_init(&call->post->sum, CHECKSUM_CRC64NVME) < 0 ||
        !(call->post->form = s3_post_form_new(boundary, &form_callbacks, call)) ||
        blob_writer_new(call->store, &call->blob) < 0) {
        s3_fail(call, S3_ERR_INTERNAL_ERROR, "out of memory", NULL);
        return;
    }
    call->post->limits.max_size = INT64_MAX;
    blob_writer_set_drain(call->blob, blob_drained, call);
    http_req_read_body(req, post_sink, post_done);
}
