/* lambda_api: the Lambda REST API (restJson1) — intake, SigV4 ("lambda"),
 * routing by method and path, the operations, and AWS's error format
 * (x-amzn-ErrorType header, {"Type":"User","message":...} body).
 *
 * A request body is read whole (bounded per operation: 6 MB for Invoke,
 * AWS's 69905067 bytes for code uploads, 1 MB otherwise), then
 * authenticated and run. Writes change the in-memory function first and
 * answer from the completion of lambda_persist(), so an acknowledged change
 * is durable. Code uploads go to lambda_code's worker thread first.
 * Operations cloudless does not implement answer 501 NotImplemented. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "protocol/s3/s3.h"
#include "server/core/auth.h"
#include "server/lambda/lambda.h"
#include "server/core/service.h"
#include "server/lambda/entry.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/store.h"
#include "storage/s3/s3.h"
#include "protocol/core/base64.h"

#define OTHER_BODY_MAX (1024 * 1024)
#define CODE_PATH "/_cloudless/lambda/code/"

struct call {
    struct http_req *req;
    struct lambda_service *svc;
    struct strbuf body;
    size_t limit;
    bool too_large;
    const char *too_large_op;
    char account[13];
    const struct json_value *json;
    char *fn_name;                 /* from the path */
    char *qualifier;               /* from the path (name:qualifier) or ?Qualifier= */
    char *sub;                     /* the path after the function name */
    /* Pending work. */
    struct lambda_function *fn;
    char name_copy[200];
    int status;
    bool publish;
    bool update;                   /* UpdateFunctionCode rather than CreateFunction */
    struct lambda_version *pending_version;
    bool want_tail;
    char invoke_rid[37];
};

static struct lambda_service *service_of(struct http_req *req) { return req->srv->lambda; }

/* ---- answers ------------------------------------------------------------------ */

void lambda_send_json(struct http_req *req, int status, struct strbuf *sb)
{
    http_resp_header(req, "x-amzn-RequestId", req->request_id);
    if (strbuf_failed(sb)) {
        http_resp_header(req, "x-amzn-ErrorType", "ServiceException");
        static const char oom[] = "{\"Type\":\"Service\",\"message\":\"out of memory\"}";
        http_resp_send(req, 500, "application/json", oom, sizeof(oom) - 1);
        return;
    }
    http_resp_send(req, status, "application/json", sb->data ? sb->data : "{}", sb->data ? sb->len : 2);
}

static void send_json(struct call *c, int status, struct strbuf *sb) { lambda_send_json(c->req, status, sb); }

void lambda_send_error_message(struct http_req *req, int status, const char *type, const char *msg)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Type", status >= 500 ? "Service" : "User");
    jw_string(&w, "message", msg);
    if (strcmp(type, "TooManyRequestsException") == 0)
        jw_string(&w, "Reason", "ReservedFunctionConcurrentInvocationLimitExceeded");
    jw_object_close(&w);
    http_resp_header(req, "x-amzn-ErrorType", type);
    lambda_send_json(req, status, &sb);
    strbuf_free(&sb);
}

static void send_error(struct call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void send_error(struct call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lambda_send_error_message(c->req, status, type, msg);
}

static void send_empty(struct call *c, int status)
{
    http_resp_header(c->req, "x-amzn-RequestId", c->req->request_id);
    http_resp_send(c->req, status, NULL, NULL, 0);
}

static void not_found_fn(struct call *c, const char *name, const char *qualifier)
{
    send_error(c, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:%s:%s:function:%s%s%s",
               c->svc->srv->cfg->region, c->account, name, qualifier ? ":" : "", qualifier ? qualifier : "");
}

static void invalid(struct call *c, const char *fmt, const char *arg)
{
    send_error(c, 400, "InvalidParameterValueException", fmt, arg ? arg : "");
}

static void store_failed(struct call *c)
{
    send_error(c, 500, "ServiceException", "The change could not be made durable.");
}

/* ---- request helpers ---------------------------------------------------------- */

/* ?name=value from the query, decoded (caller frees), or NULL. */
static char *request_param(const struct http_req *req, const char *name)
{
    bool present;
    return query_param(req->query, name, &present);
}

/* A FunctionName of the path: name, name:qualifier, account:function:name
 * [:qualifier] or the full ARN. */
static int split_function_name(struct call *c, const char *decoded)
{
    const char *name = decoded;
    const char *fn = strstr(decoded, ":function:");
    if (fn)
        name = fn + 10;
    const char *colon = strchr(name, ':');
    c->fn_name = colon ? strndup(name, (size_t)(colon - name)) : strdup(name);
    if (!c->fn_name)
        return -1;
    if (colon && !(c->qualifier = strdup(colon + 1)))
        return -1;
    return 0;
}

static bool valid_function_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return false;
    return true;
}

static struct lambda_function *require_function(struct call *c)
{
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->fn_name);
    if (!fn)
        not_found_fn(c, c->fn_name, NULL);
    return fn;
}

static struct lambda_version *require_version(struct call *c, struct lambda_function *fn)
{
    struct lambda_version *v = lambda_resolve(fn, c->qualifier);
    if (!v)
        not_found_fn(c, fn->name, c->qualifier);
    return v;
}

static bool check_revision(struct call *c, const char *current)
{
    const char *given = json_str(c->json, "RevisionId");
    if (given && strcmp(given, current) != 0) {
        send_error(c, 412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
        return false;
    }
    return true;
}

/* ---- writes: persist, then answer ---------------------------------------------- */

static void answer_config(struct call *c, int status, struct lambda_function *fn, struct lambda_version *v)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    lambda_write_config(c->svc, &w, NULL, fn, v);
    send_json(c, status, &sb);
    strbuf_free(&sb);
}

/* After persisting: answer with the configuration of c->pending_version
 * (a version of c->fn), an empty status, or `body`. */
static void persisted_config(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    struct lambda_version *v = NULL;
    for (size_t i = 0; fn && i < fn->n_versions; i++)
        if (fn->versions[i] == c->pending_version)
            v = fn->versions[i];
    if (!v) {
        not_found_fn(c, c->name_copy, NULL);
        return;
    }
    answer_config(c, c->status, fn, v);
}

static void persisted_empty(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok)
        store_failed(c);
    else
        send_empty(c, c->status);
}

static void persist_then(struct call *c, struct lambda_function *fn, const char *name,
                         void (*done)(void *arg, bool ok))
{
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", name);
    if (lambda_persist(c->svc, fn, c->account, name, done, c) < 0)
        send_error(c, 503, "ServiceException", "The service is unavailable.");
}

/* ---- configuration fields --------------------------------------------------------- */

static const char *const known_runtimes[] = {
    "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x",
    "nodejs16.x", "java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8",
    "python3.9", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6",
    "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2",
    "nodejs18.x", "python3.10", "java17", "ruby3.2", "ruby3.3", "python3.11", "nodejs20.x",
    "provided.al2023", "python3.12", "java21", "python3.13", "nodejs22.x", NULL,
};

static bool runtime_known(const char *r)
{
    for (size_t i = 0; known_runtimes[i]; i++)
        if (strcmp(known_runtimes[i], r) == 0)
            return true;
    return false;
}

static bool runtime_runnable(const char *r)
{
    return strncmp(r, "python3", 7) == 0 || strncmp(r, "nodejs", 6) == 0 || strncmp(r, "provided", 8) == 0;
}

static bool role_valid(const char *role)
{
    if (strncmp(role, "arn:aws:iam::", 13) != 0)
        return false;
    const char *p = role + 13;
    for (int i = 0; i < 12; i++)
        if (!isdigit((unsigned char)p[i]))
            return false;
    return strncmp(p + 12, ":role/", 6) == 0 && p[18];
}

static int replace_str(char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*field);
    *field = copy;
    return 0;
}

/* Applies the configuration fields of c->json to v; answers and returns
 * false on invalid input. */
static bool apply_config_fields(struct call *c, struct lambda_version *v)
{
    const struct json_value *j = c->json;
    const char *s;
    int64_t n;
    if ((s = json_str(j, "Runtime"))) {
        if (!runtime_known(s)) {
            send_error(c, 400, "ValidationException",
                       "1 validation error detected: Value '%s' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set",
                       s);
            return false;
        }
        if (!runtime_runnable(s)) {
            invalid(c, "The runtime parameter of %s is not supported by cloudless: functions run as local processes with python3.x, nodejs or provided runtimes.", s);
            return false;
        }
        if (replace_str(&v->runtime, s) < 0)
            return false;
    }
    if ((s = json_str(j, "Role"))) {
        if (!role_valid(s)) {
            send_error(c, 400, "ValidationException",
                       "1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
                       s);
            return false;
        }
        if (replace_str(&v->role, s) < 0)
            return false;
    }
    if ((s = json_str(j, "Handler")) && replace_str(&v->handler, s) < 0)
        return false;
    if ((s = json_str(j, "Description")) && replace_str(&v->description, s) < 0)
        return false;
    int rc = json_int(j, "Timeout", &n);
    if (rc < 0 || (rc == 1 && (n < 1 || n > 900))) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900");
        return false;
    }
    if (rc == 1)
        v->timeout_s = (int)n;
    rc = json_int(j, "MemorySize", &n);
    if (rc < 0 || (rc == 1 && (n < 128 || n > 10240))) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240");
        return false;
    }
    if (rc == 1)
        v->memory_mb = (int)n;
    const struct json_value *eph = json_get(j, "EphemeralStorage");
    if (json_int(eph, "Size", &n) == 1) {
        if (n < 512 || n > 10240) {
            invalid(c, "%sEphemeral storage size must be between 512 and 10240 MB.", "");
            return false;
        }
        v->ephemeral_mb = (int)n;
    }
    const struct json_value *env = json_get(j, "Environment");
    if (env) {
        const struct json_value *vars = json_get(env, "Variables");
        struct lambda_kv *kv = NULL;
        size_t count = json_is(vars, JSON_OBJECT) ? vars->len : 0;
        if (count && !(kv = calloc(count, sizeof(*kv))))
            return false;
        for (size_t i = 0; i < count; i++) {
            const char *key = vars->u.members[i].key;
            const struct json_value *val = &vars->u.members[i].value;
            if (!json_is(val, JSON_STRING) || !isalpha((unsigned char)key[0])) {
                lambda_kvs_free(kv, count);
                invalid(c, "Environment variable name %s is not valid: names start with a letter.", key);
                return false;
            }
            kv[i].key = strdup(key);
            kv[i].value = strdup(val->u.str);
            if (!kv[i].key || !kv[i].value) {
                lambda_kvs_free(kv, count);
                return false;
            }
        }
        lambda_kvs_free(v->env, v->n_env);
        v->env = kv;
        v->n_env = count;
    }
    const struct json_value *arch = json_get(j, "Architectures");
    if (json_is(arch, JSON_ARRAY)) {
        const char *a = arch->len == 1 && json_is(&arch->u.items[0], JSON_STRING)
                            ? arch->u.items[0].u.str : NULL;
        if (!a || (strcmp(a, "x86_64") != 0 && strcmp(a, "arm64") != 0)) {
            send_error(c, 400, "ValidationException",
                       "1 validation error detected: Value at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]");
            return false;
        }
        if (replace_str(&v->architecture, a) < 0)
            return false;
    }
    return true;
}

static int parse_tags(const struct json_value *tags, struct lambda_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is(tags, JSON_OBJECT) || tags->len == 0)
        return 0;
    struct lambda_kv *kv = calloc(tags->len, sizeof(*kv));
    if (!kv)
        return -1;
    for (size_t i = 0; i < tags->len; i++) {
        const struct json_value *v = &tags->u.members[i].value;
        kv[i].key = strdup(tags->u.members[i].key);
        kv[i].value = strdup(json_is(v, JSON_STRING) ? v->u.str : "");
        if (!kv[i].key || !kv[i].value) {
            lambda_kvs_free(kv, tags->len);
            return -1;
        }
    }
    *out = kv;
    *n = tags->len;
    return 0;
}

/* Sets or adds tags (existing keys replaced). */
static int merge_tags(struct lambda_function *fn, const struct lambda_kv *add, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < fn->n_tags && strcmp(fn->tags[j].key, add[i].key) != 0)
            j++;
        if (j == fn->n_tags) {
            struct lambda_kv *grown = realloc(fn->tags, (fn->n_tags + 1) * sizeof(*grown));
            if (!grown)
                return -1;
            fn->tags = grown;
            fn->tags[j].key = strdup(add[i].key);
            fn->tags[j].value = NULL;
            if (!fn->tags[j].key)
                return -1;
            fn->n_tags++;
        }
        if (replace_str(&fn->tags[j].value, add[i].value) < 0)
            return -1;
    }
    return 0;
}

/* ---- code --------------------------------------------------------------------- */

/* A base64 text (line breaks allowed) into a new buffer: 0, -1 out of
 * memory, -2 not base64. */
static int decode_base64(const char *in, unsigned char **out, int64_t *len)
{
    size_t n = strlen(in);
    unsigned char *buf = malloc(n / 4 * 3 + 3);
    if (!buf)
        return -1;
    long decoded = base64_decode_lenient(in, n, buf, n / 4 * 3 + 3);
    if (decoded < 0) {
        free(buf);
        return -2;
    }
    *out = buf;
    *len = decoded;
    return 0;
}

/* The zip named by a Code object (or UpdateFunctionCode's body) as pieces
 * for the code worker; answers and returns -1 on bad input. */
static int code_pieces(struct call *c, const struct json_value *code, struct lambda_code_piece **out, size_t *n)
{
    const char *zip = json_str(code, "ZipFile");
    const char *bucket = json_str(code, "S3Bucket");
    const char *key = json_str(code, "S3Key");
    if (json_str(code, "ImageUri")) {
        invalid(c, "%sPackageType Image is not supported by cloudless: functions run as local processes from .zip packages.", "");
        return -1;
    }
    if (zip) {
        struct lambda_code_piece *p = calloc(1, sizeof(*p));
        if (!p)
            return -1;
        p->fd = -1;
        int rc = decode_base64(zip, &p->data, &p->len);
        if (rc < 0) {
            free(p);
            if (rc == -2)
                invalid(c, "%sCould not unzip uploaded file. Please check your file, then try to upload again.", "");
            else
                send_error(c, 500, "ServiceException", "out of memory");
            return -1;
        }
        *out = p;
        *n = 1;
        return 0;
    }
    if (!bucket || !key) {
        invalid(c, "%sPlease provide a source for function code.", "");
        return -1;
    }
    struct s3_object obj = {0};
    enum s3_err err = store_get_object_version(c->svc->srv->store, bucket, key,
                                               json_str(code, "S3ObjectVersion"), &obj);
    if (err != S3_OK) {
        s3_object_free(&obj);
        const char *code_name = err == S3_ERR_NO_SUCH_BUCKET ? "NoSuchBucket" : "NoSuchKey";
        const char *msg = err == S3_ERR_NO_SUCH_BUCKET ? "The specified bucket does not exist"
                                                       : "The specified key does not exist.";
        send_error(c, 400, "InvalidParameterValueException",
                   "Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code_name, msg);
        return -1;
    }
    if (obj.size > LAMBDA_ZIP_MAX) {
        s3_object_free(&obj);
        invalid(c, "%sZipped size must be smaller than 52428800 bytes", "");
        return -1;
    }
    struct lambda_code_piece *p = calloc(obj.n_segments ? obj.n_segments : 1, sizeof(*p));
    if (!p) {
        s3_object_free(&obj);
        return -1;
    }
    size_t count = 0;
    for (size_t i = 0; i < obj.n_segments; i++) {
        struct s3_segment *seg = &obj.segments[i];
        p[i].fd = -1;
        count++;
        if (seg->data) {
            p[i].data = malloc((size_t)seg->size ? (size_t)seg->size : 1);
            if (!p[i].data)
                goto fail;
            memcpy(p[i].data, seg->data, (size_t)seg->size);
            p[i].len = seg->size;
        } else if ((p[i].fd = store_open_blob(c->svc->srv->store, seg->blob_sha256)) < 0) {
            goto fail;
        }
    }
    s3_object_free(&obj);
    *out = p;
    *n = count;
    return 0;
fail:
    for (size_t i = 0; i < count; i++) {
        if (p[i].fd >= 0)
            close(p[i].fd);
        free(p[i].data);
    }
    free(p);
    s3_object_free(&obj);
    send_error(c, 500, "ServiceException", "The code object could not be read.");
    return -1;
}

static struct lambda_version *publish(struct lambda_function *fn, const char *description)
{
    struct lambda_version *latest = fn->versions[0];
    struct lambda_version *last = fn->n_versions > 1 ? fn->versions[fn->n_versions - 1] : NULL;
    if (last && strcmp(last->code_sha_hex, latest->code_sha_hex) == 0 &&
        last->last_modified_ms >= latest->last_modified_ms)
        return last;
    struct lambda_version *v = lambda_version_copy(latest);
    struct lambda_version **grown = v ? realloc(fn->versions, (fn->n_versions + 1) * sizeof(*grown)) : NULL;
    char num[24];
    snprintf(num, sizeof(num), "%" PRId64, fn->next_version);
    if (!grown || replace_str(&v->version, num) < 0 ||
        (description && replace_str(&v->description, description) < 0)) {
        if (grown)
            fn->versions = grown;
        lambda_version_free(v);
        return NULL;
    }
    fn->versions = grown;
    uuid_v4(v->revision_id);
    v->last_modified_ms = clock_now_ms();
    fn->versions[fn->n_versions++] = v;
    fn->next_version++;
    return v;
}

static void set_code(struct lambda_version *v, const struct lambda_code_result *r)
{
    memcpy(v->code_sha_hex, r->sha_hex, sizeof(v->code_sha_hex));
    memcpy(v->code_sha_b64, r->sha_b64, sizeof(v->code_sha_b64));
    v->code_size = r->size;
    uuid_v4(v->revision_id);
    v->last_modified_ms = clock_now_ms();
}

static void code_failed(struct call *c, const struct lambda_code_result *r)
{
    if (r->err == LAMBDA_CODE_IO)
        send_error(c, 500, "ServiceException", "%s", lambda_code_error_message(r->err));
    else if (r->err == LAMBDA_CODE_TOO_LARGE_ZIP)
        send_error(c, 413, "RequestEntityTooLargeException", "%s", lambda_code_error_message(r->err));
    else
        invalid(c, "%s", lambda_code_error_message(r->err));
}

static void create_code_done(void *arg, const struct lambda_code_result *r)
{
    struct call *c = arg;
    struct lambda_version *v = c->pending_version;
    c->pending_version = NULL;
    if (r->err) {
        lambda_version_free(v);
        code_failed(c, r);
        return;
    }
    const char *name = json_str(c->json, "FunctionName");
    if (lambda_find(c->svc, c->account, name)) {
        lambda_version_free(v);
        send_error(c, 409, "ResourceConflictException", "Function already exist: %s", name);
        return;
    }
    set_code(v, r);
    struct lambda_function *fn = calloc(1, sizeof(*fn));
    if (!fn || !(fn->name = strdup(name)) || !(fn->versions = calloc(1, sizeof(*fn->versions))) ||
        parse_tags(json_get(c->json, "Tags"), &fn->tags, &fn->n_tags) < 0) {
        lambda_version_free(v);
        lambda_function_free(fn);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    memcpy(fn->account, c->account, sizeof(fn->account));
    fn->versions[0] = v;
    fn->n_versions = 1;
    fn->next_version = 1;
    fn->reserved_concurrency = -1;
    fn->next = c->svc->functions;
    c->svc->functions = fn;
    c->pending_version = v;
    if (c->publish) {
        struct lambda_version *pub = publish(fn, NULL);
        if (pub)
            c->pending_version = pub;
    }
    c->status = 201;
    persist_then(c, fn, fn->name, persisted_config);
}

static void op_create_function(struct call *c)
{
    const struct json_value *j = c->json;
    const char *name = json_str(j, "FunctionName");
    if (!name || !valid_function_name(name)) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                   name ? name : "");
        return;
    }
    const char *ptype = json_str(j, "PackageType");
    if (ptype && strcmp(ptype, "Image") == 0) {
        invalid(c, "%sPackageType Image is not supported by cloudless: functions run as local processes from .zip packages.", "");
        return;
    }
    if (!json_str(j, "Role")) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
        return;
    }
    if (!json_str(j, "Runtime") || !json_str(j, "Handler")) {
        invalid(c, "%sRuntime and Handler are mandatory parameters for functions created with deployment packages.", "");
        return;
    }
    if (lambda_find(c->svc, c->account, name)) {
        send_error(c, 409, "ResourceConflictException", "Function already exist: %s", name);
        return;
    }
    struct lambda_version *v = calloc(1, sizeof(*v));
    if (!v || !(v->version = strdup("$LATEST")) || !(v->architecture = strdup("x86_64"))) {
        lambda_version_free(v);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    v->timeout_s = 3;
    v->memory_mb = 128;
    v->ephemeral_mb = 512;
    if (!apply_config_fields(c, v)) {
        lambda_version_free(v);
        if (!c->req->responded)
            send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    bool publish_flag = false;
    json_bool(j, "Publish", &publish_flag);
    c->publish = publish_flag;
    struct lambda_code_piece *pieces = NULL;
    size_t n = 0;
    if (code_pieces(c, json_get(j, "Code"), &pieces, &n) < 0) {
        lambda_version_free(v);
        if (!c->req->responded)
            send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    c->pending_version = v;
    if (lambda_code_submit(c->svc->code, pieces, n, create_code_done, c) < 0) {
        c->pending_version = NULL;
        lambda_version_free(v);
        send_error(c, 503, "ServiceException", "The service is unavailable.");
    }
}

static void update_code_done(void *arg, const struct lambda_code_result *r)
{
    struct call *c = arg;
    if (r->err) {
        code_failed(c, r);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->fn_name);
    if (!fn) {
        not_found_fn(c, c->fn_name, NULL);
        return;
    }
    struct lambda_version *latest = fn->versions[0];
    set_code(latest, r);
    const struct json_value *arch = json_get(c->json, "Architectures");
    if (json_is(arch, JSON_ARRAY) && arch->len == 1 && json_is(&arch->u.items[0], JSON_STRING))
        replace_str(&latest->architecture, arch->u.items[0].u.str);
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, "$LATEST");
    c->pending_version = latest;
    if (c->publish) {
        struct lambda_version *pub = publish(fn, NULL);
        if (pub)
            c->pending_version = pub;
    }
    c->status = 200;
    persist_then(c, fn, fn->name, persisted_config);
}

static void op_update_function_code(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn || !check_revision(c, fn->versions[0]->revision_id))
        return;
    bool publish_flag = false;
    json_bool(c->json, "Publish", &publish_flag);
    c->publish = publish_flag;
    struct lambda_code_piece *pieces = NULL;
    size_t n = 0;
    if (code_pieces(c, c->json, &pieces, &n) < 0) {
        if (!c->req->responded)
            send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (lambda_code_submit(c->svc->code, pieces, n, update_code_done, c) < 0)
        send_error(c, 503, "ServiceException", "The service is unavailable.");
}

static void op_update_function_configuration(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn || !check_revision(c, fn->versions[0]->revision_id))
        return;
    struct lambda_version *copy = lambda_version_copy(fn->versions[0]);
    if (!copy) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (!apply_config_fields(c, copy)) {
        lambda_version_free(copy);
        if (!c->req->responded)
            send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(copy->revision_id);
    copy->last_modified_ms = clock_now_ms();
    lambda_version_free(fn->versions[0]);
    fn->versions[0] = copy;
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, "$LATEST");
    c->pending_version = copy;
    c->status = 200;
    persist_then(c, fn, fn->name, persisted_config);
}

/* ---- reads ---------------------------------------------------------------------- */

static void write_tags(struct json_writer *w, const char *key, const struct lambda_function *fn)
{
    jw_object_open(w, key);
    for (size_t i = 0; i < fn->n_tags; i++)
        jw_string(w, fn->tags[i].key, fn->tags[i].value);
    jw_object_close(w);
}

static void op_get_function(struct call *c, bool config_only)
{
    struct lambda_function *fn = require_function(c);
    struct lambda_version *v = fn ? require_version(c, fn) : NULL;
    if (!v)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    if (config_only) {
        lambda_write_config(c->svc, &w, NULL, fn, v);
    } else {
        jw_object_open(&w, NULL);
        lambda_write_config(c->svc, &w, "Configuration", fn, v);
        jw_object_open(&w, "Code");
        jw_string(&w, "RepositoryType", "S3");
        const char *host = http_req_header(c->req, "host");
        char url[600];
        snprintf(url, sizeof(url), "http://%s%s%s.zip", host ? host : "localhost", CODE_PATH, v->code_sha_hex);
        jw_string(&w, "Location", url);
        jw_object_close(&w);
        if (fn->n_tags)
            write_tags(&w, "Tags", fn);
        if (fn->reserved_concurrency >= 0) {
            jw_object_open(&w, "Concurrency");
            jw_int(&w, "ReservedConcurrentExecutions", fn->reserved_concurrency);
            jw_object_close(&w);
        }
        jw_object_close(&w);
    }
    send_json(c, 200, &sb);
    strbuf_free(&sb);
}

static int compare_names(const void *a, const void *b)
{
    const struct lambda_function *const *fa = a, *const *fb = b;
    return strcmp((*fa)->name, (*fb)->name);
}

static int max_items(struct call *c, int dflt, int cap)
{
    char *s = request_param(c->req, "MaxItems");
    int n = dflt;
    if (s) {
        n = atoi(s);
        free(s);
        if (n < 1 || n > cap) {
            send_error(c, 400, "ValidationException",
                       "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", cap);
            return -1;
        }
    }
    return n;
}

static void op_list_functions(struct call *c)
{
    int limit = max_items(c, 50, 10000);
    if (limit < 0)
        return;
    char *marker = request_param(c->req, "Marker");
    char *all = request_param(c->req, "FunctionVersion");
    size_t n = 0;
    for (struct lambda_function *f = c->svc->functions; f; f = f->next)
        if (strcmp(f->account, c->account) == 0)
            n++;
    struct lambda_function **list = calloc(n ? n : 1, sizeof(*list));
    struct strbuf sb;
    strbuf_init(&sb);
    if (!list) {
        free(marker);
        free(all);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    n = 0;
    for (struct lambda_function *f = c->svc->functions; f; f = f->next)
        if (strcmp(f->account, c->account) == 0)
            list[n++] = f;
    qsort(list, n, sizeof(*list), compare_names);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Functions");
    int count = 0;
    const char *next = NULL;
    for (size_t i = 0; i < n; i++) {
        if (marker && *marker && strcmp(list[i]->name, marker) <= 0)
            continue;
        if (count == limit) {
            next = list[i - 1]->name;
            break;
        }
        bool every = all && strcmp(all, "ALL") == 0;
        for (size_t k = 0; k < (every ? list[i]->n_versions : 1); k++)
            lambda_write_config(c->svc, &w, NULL, list[i], list[i]->versions[k]);
        count++;
    }
    jw_array_close(&w);
    jw_string_opt(&w, "NextMarker", next);
    jw_object_close(&w);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
    free(list);
    free(marker);
    free(all);
}

static void op_list_versions(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    int limit = fn ? max_items(c, 50, 10000) : -1;
    if (limit < 0)
        return;
    char *marker = request_param(c->req, "Marker");
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Versions");
    size_t start = 0;
    if (marker && *marker)
        for (size_t i = 0; i < fn->n_versions; i++)
            if (strcmp(fn->versions[i]->version, marker) == 0)
                start = i + 1;
    size_t i = start;
    for (; i < fn->n_versions && (int)(i - start) < limit; i++)
        lambda_write_config(c->svc, &w, NULL, fn, fn->versions[i]);
    jw_array_close(&w);
    if (i < fn->n_versions)
        jw_string(&w, "NextMarker", fn->versions[i - 1]->version);
    jw_object_close(&w);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
    free(marker);
}

/* ---- delete, publish ------------------------------------------------------------- */

static void unlink_function(struct lambda_service *svc, struct lambda_function *fn)
{
    for (struct lambda_function **pp = &svc->functions; *pp; pp = &(*pp)->next) {
        if (*pp == fn) {
            *pp = fn->next;
            return;
        }
    }
}

static void op_delete_function(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    c->status = 204;
    if (c->qualifier && *c->qualifier) {
        if (strcmp(c->qualifier, "$LATEST") == 0) {
            invalid(c, "%s$LATEST version cannot be deleted without deleting the function.", "");
            return;
        }
        size_t i = 1;
        while (i < fn->n_versions && strcmp(fn->versions[i]->version, c->qualifier) != 0)
            i++;
        if (i == fn->n_versions) {
            send_empty(c, 204);
            return;
        }
        for (size_t a = 0; a < fn->n_aliases; a++) {
            if (strcmp(fn->aliases[a].version, c->qualifier) == 0) {
                send_error(c, 409, "ResourceConflictException",
                           "Unable to delete version because the following aliases reference it: [%s]",
                           fn->aliases[a].name);
                return;
            }
        }
        lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, c->qualifier);
        lambda_version_free(fn->versions[i]);
        memmove(&fn->versions[i], &fn->versions[i + 1], (fn->n_versions - i - 1) * sizeof(*fn->versions));
        fn->n_versions--;
        persist_then(c, fn, fn->name, persisted_empty);
        return;
    }
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, NULL);
    unlink_function(c->svc, fn);
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", fn->name);
    lambda_function_free(fn);
    persist_then(c, NULL, c->name_copy, persisted_empty);
}

static void op_publish_version(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn || !check_revision(c, fn->versions[0]->revision_id))
        return;
    const char *sha = json_str(c->json, "CodeSha256");
    if (sha && strcmp(sha, fn->versions[0]->code_sha_b64) != 0) {
        invalid(c, "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST. Please try again with the CodeSHA256 in $LATEST.", sha);
        return;
    }
    struct lambda_version *v = publish(fn, json_str(c->json, "Description"));
    if (!v) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    c->pending_version = v;
    c->status = 201;
    persist_then(c, fn, fn->name, persisted_config);
}

/* ---- invoke ---------------------------------------------------------------------- */

static void invoke_done(void *arg, const struct lambda_result *r)
{
    struct call *c = arg;
    struct http_req *req = c->req;
    http_resp_header(req, "x-amzn-RequestId", c->invoke_rid);
    http_resp_header(req, "X-Amz-Executed-Version", c->name_copy);
    if (r->function_error)
        http_resp_header(req, "X-Amz-Function-Error", r->function_error);
    if (c->want_tail) {
        char *b64 = malloc(4 * ((r->log_tail_len + 2) / 3) + 1);
        if (b64) {
            EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)r->log_tail, (int)r->log_tail_len);
            http_resp_header(req, "X-Amz-Log-Result", b64);
            free(b64);
        }
    }
    http_resp_send(req, 200, "application/json", r->payload, r->len);
}

static void event_accepted(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    http_resp_header(c->req, "x-amzn-RequestId", c->invoke_rid);
    http_resp_send(c->req, 202, NULL, NULL, 0);
}

static void op_invoke(struct call *c)
{
    const char *type = http_req_header(c->req, "x-amz-invocation-type");
    const char *log_type = http_req_header(c->req, "x-amz-log-type");
    if (!type)
        type = "RequestResponse";
    bool event = strcmp(type, "Event") == 0, dry = strcmp(type, "DryRun") == 0;
    if (!event && !dry && strcmp(type, "RequestResponse") != 0) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
                   type);
        return;
    }
    struct lambda_function *fn = require_function(c);
    struct lambda_version *v = fn ? require_version(c, fn) : NULL;
    if (!v)
        return;
    size_t len = c->body.len;
    if (event && len > LAMBDA_ASYNC_PAYLOAD_MAX) {
        send_error(c, 413, "RequestTooLargeException",
                   "Request must be smaller than %d bytes for the InvokeFunction operation", LAMBDA_ASYNC_PAYLOAD_MAX);
        return;
    }
    const char *payload = c->body.data ? c->body.data : "";
    if (len) {
        const struct json_value *parsed = json_parse(payload, len, NULL);
        if (!parsed) {
            send_error(c, 400, "InvalidRequestContentException",
                       "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value");
            return;
        }
        json_free(parsed);
    } else {
        payload = "{}";
        len = 2;
    }
    if (dry) {
        send_empty(c, 204);
        return;
    }
    if (event) {
        if (lambda_async_accept(c->svc->async, c->account, fn->name, c->qualifier, payload, len,
                                c->invoke_rid, event_accepted, c) < 0)
            send_error(c, 503, "ServiceException", "The service is unavailable.");
        return;
    }
    struct lambda_exec_config *cfg = lambda_exec_config_new(c->svc, fn, v);
    if (!cfg) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (cfg->concurrency == 0) {
        lambda_exec_config_unref(cfg);
        send_error(c, 429, "TooManyRequestsException", "Rate Exceeded.");
        return;
    }
    char arn[600];
    lambda_function_arn(c->svc, fn, c->qualifier && *c->qualifier ? c->qualifier : NULL, arn, sizeof(arn));
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", v->version);
    c->want_tail = log_type && strcmp(log_type, "Tail") == 0;
    char *context = NULL;
    const char *cc = http_req_header(c->req, "x-amz-client-context");
    if (cc) {
        unsigned char *decoded = NULL;
        int64_t dlen = 0;
        if (decode_base64(cc, &decoded, &dlen) == 0) {
            context = strndup((const char *)decoded, (size_t)dlen);
            free(decoded);
        }
    }
    int rc = lambda_runtime_invoke(c->svc->runtime, cfg, arn, payload, len, context, invoke_done, c, c->invoke_rid);
    free(context);
    lambda_exec_config_unref(cfg);
    if (rc < 0)
        send_error(c, 500, "ServiceException", "out of memory");
}

/* ---- permissions ------------------------------------------------------------------- */

/* AddPermission answers {"Statement": "<json>"} once durable. */
static void permission_added(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Statement", fn && fn->n_policy ? fn->policy[fn->n_policy - 1].json : "{}");
    jw_object_close(&w);
    send_json(c, 201, &sb);
    strbuf_free(&sb);
}

static void op_add_permission(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    const struct json_value *j = c->json;
    const char *sid = json_str(j, "StatementId"), *action = json_str(j, "Action");
    const char *principal = json_str(j, "Principal");
    if (!sid || !action || !principal) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: StatementId, Action and Principal are required");
        return;
    }
    if (fn->policy_revision[0] && !check_revision(c, fn->policy_revision))
        return;
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (strcmp(fn->policy[i].sid, sid) == 0) {
            send_error(c, 409, "ResourceConflictException",
                       "The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.",
                       sid);
            return;
        }
    }
    const char *qual = json_str(j, "Qualifier");
    char arn[600];
    lambda_function_arn(c->svc, fn, qual, arn, sizeof(arn));
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Sid", sid);
    jw_string(&w, "Effect", "Allow");
    if (strcmp(principal, "*") == 0) {
        jw_string(&w, "Principal", "*");
    } else {
        jw_object_open(&w, "Principal");
        bool account = strlen(principal) == 12 && strspn(principal, "0123456789") == 12;
        if (account) {
            char root[64];
            snprintf(root, sizeof(root), "arn:aws:iam::%s:root", principal);
            jw_string(&w, "AWS", root);
        } else {
            jw_string(&w, strstr(principal, ".amazonaws.com") ? "Service" : "AWS", principal);
        }
        jw_object_close(&w);
    }
    jw_string(&w, "Action", action);
    jw_string(&w, "Resource", arn);
    const char *source_arn = json_str(j, "SourceArn"), *source_account = json_str(j, "SourceAccount");
    if (source_arn || source_account) {
        jw_object_open(&w, "Condition");
        if (source_account) {
            jw_object_open(&w, "StringEquals");
            jw_string(&w, "AWS:SourceAccount", source_account);
            jw_object_close(&w);
        }
        if (source_arn) {
            jw_object_open(&w, "ArnLike");
            jw_string(&w, "AWS:SourceArn", source_arn);
            jw_object_close(&w);
        }
        jw_object_close(&w);
    }
    jw_object_close(&w);
    struct lambda_statement *grown = realloc(fn->policy, (fn->n_policy + 1) * sizeof(*grown));
    char *sid_copy = strdup(sid);
    if (!grown || !sid_copy || strbuf_failed(&sb)) {
        if (grown)
            fn->policy = grown;
        free(sid_copy);
        strbuf_free(&sb);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    fn->policy = grown;
    fn->policy[fn->n_policy].sid = sid_copy;
    fn->policy[fn->n_policy].json = strbuf_detach(&sb, NULL);
    fn->n_policy++;
    uuid_v4(fn->policy_revision);
    persist_then(c, fn, fn->name, permission_added);
}

static void op_get_policy(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    if (!fn->n_policy) {
        send_error(c, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
        return;
    }
    struct strbuf policy;
    strbuf_init(&policy);
    strbuf_puts(&policy, "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[");
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (i)
            strbuf_putc(&policy, ',');
        strbuf_puts(&policy, fn->policy[i].json);
    }
    strbuf_puts(&policy, "]}");
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Policy", policy.data);
    jw_string(&w, "RevisionId", fn->policy_revision);
    jw_object_close(&w);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
    strbuf_free(&policy);
}

static void op_remove_permission(struct call *c, const char *sid)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    char *rev = request_param(c->req, "RevisionId");
    if (rev && *rev && strcmp(rev, fn->policy_revision) != 0) {
        free(rev);
        send_error(c, 412, "PreconditionFailedException",
                   "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id");
        return;
    }
    free(rev);
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (strcmp(fn->policy[i].sid, sid) == 0) {
            free(fn->policy[i].sid);
            free(fn->policy[i].json);
            memmove(&fn->policy[i], &fn->policy[i + 1], (fn->n_policy - i - 1) * sizeof(*fn->policy));
            fn->n_policy--;
            uuid_v4(fn->policy_revision);
            c->status = 204;
            persist_then(c, fn, fn->name, persisted_empty);
            return;
        }
    }
    send_error(c, 404, "ResourceNotFoundException", "Statement %s is not found in resource policy.", sid);
}

/* ---- aliases ----------------------------------------------------------------------- */

static void write_alias(struct call *c, struct json_writer *w, struct lambda_function *fn,
                        const struct lambda_alias *a)
{
    char arn[600];
    lambda_function_arn(c->svc, fn, a->name, arn, sizeof(arn));
    jw_object_open(w, NULL);
    jw_string(w, "AliasArn", arn);
    jw_string(w, "Name", a->name);
    jw_string(w, "FunctionVersion", a->version);
    jw_string(w, "Description", a->description ? a->description : "");
    jw_string(w, "RevisionId", a->revision_id);
    jw_object_close(w);
}

static void alias_saved(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    struct lambda_alias *a = fn ? lambda_find_alias(fn, c->qualifier) : NULL;
    if (!a) {
        not_found_fn(c, c->name_copy, c->qualifier);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    write_alias(c, &w, fn, a);
    send_json(c, c->status, &sb);
    strbuf_free(&sb);
}

static bool version_exists(struct lambda_function *fn, const char *version)
{
    if (strcmp(version, "$LATEST") == 0)
        return true;
    for (size_t i = 1; i < fn->n_versions; i++)
        if (strcmp(fn->versions[i]->version, version) == 0)
            return true;
    return false;
}

static void op_create_alias(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    const char *name = json_str(c->json, "Name"), *version = json_str(c->json, "FunctionVersion");
    if (!name || !version) {
        send_error(c, 400, "ValidationException", "1 validation error detected: Name and FunctionVersion are required");
        return;
    }
    if (lambda_find_alias(fn, name)) {
        char arn[600];
        lambda_function_arn(c->svc, fn, name, arn, sizeof(arn));
        send_error(c, 409, "ResourceConflictException", "Alias already exists: %s", arn);
        return;
    }
    if (!version_exists(fn, version)) {
        not_found_fn(c, fn->name, version);
        return;
    }
    struct lambda_alias *grown = realloc(fn->aliases, (fn->n_aliases + 1) * sizeof(*grown));
    if (!grown) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    fn->aliases = grown;
    struct lambda_alias *a = &fn->aliases[fn->n_aliases];
    memset(a, 0, sizeof(*a));
    const char *desc = json_str(c->json, "Description");
    a->name = strdup(name);
    a->version = strdup(version);
    a->description = desc ? strdup(desc) : NULL;
    free(c->qualifier);
    c->qualifier = strdup(name);
    if (!a->name || !a->version || (desc && !a->description) || !c->qualifier) {
        free(a->name);
        free(a->version);
        free(a->description);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(a->revision_id);
    fn->n_aliases++;
    c->status = 201;
    persist_then(c, fn, fn->name, alias_saved);
}

static void op_alias(struct call *c, const char *alias_name)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    struct lambda_alias *a = lambda_find_alias(fn, alias_name);
    const char *m = c->req->method;
    if (!a) {
        if (strcmp(m, "DELETE") == 0) {
            send_empty(c, 204);
            return;
        }
        char arn[600];
        lambda_function_arn(c->svc, fn, alias_name, arn, sizeof(arn));
        send_error(c, 404, "ResourceNotFoundException", "Cannot find alias arn: %s", arn);
        return;
    }
    free(c->qualifier);
    if (!(c->qualifier = strdup(alias_name))) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (strcmp(m, "GET") == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        write_alias(c, &w, fn, a);
        send_json(c, 200, &sb);
        strbuf_free(&sb);
        return;
    }
    if (strcmp(m, "DELETE") == 0) {
        free(a->name);
        free(a->version);
        free(a->description);
        size_t i = (size_t)(a - fn->aliases);
        memmove(a, a + 1, (fn->n_aliases - i - 1) * sizeof(*a));
        fn->n_aliases--;
        c->status = 204;
        persist_then(c, fn, fn->name, persisted_empty);
        return;
    }
    if (!check_revision(c, a->revision_id))
        return;
    const char *version = json_str(c->json, "FunctionVersion"), *desc = json_str(c->json, "Description");
    if (version && !version_exists(fn, version)) {
        not_found_fn(c, fn->name, version);
        return;
    }
    if ((version && replace_str(&a->version, version) < 0) || (desc && replace_str(&a->description, desc) < 0)) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(a->revision_id);
    c->status = 200;
    persist_then(c, fn, fn->name, alias_saved);
}

static void op_list_aliases(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    char *only = request_param(c->req, "FunctionVersion");
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_array_open(&w, "Aliases");
    for (size_t i = 0; i < fn->n_aliases; i++)
        if (!only || strcmp(only, fn->aliases[i].version) == 0)
            write_alias(c, &w, fn, &fn->aliases[i]);
    jw_array_close(&w);
    jw_object_close(&w);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
    free(only);
}

/* ---- tags, concurrency, event invoke config, account ----------------------------- */

static void op_tags(struct call *c, const char *arn_encoded)
{
    char *arn = percent_decode(arn_encoded, strlen(arn_encoded), 0, NULL);
    if (arn && strstr(arn, ":event-source-mapping:")) {
        lambda_esm_tags(c->svc->esm, c->req, c->account, arn, c->json);
        free(arn);
        return;
    }
    if (!arn || split_function_name(c, arn) < 0) {
        free(arn);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    free(arn);
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    const char *m = c->req->method;
    if (strcmp(m, "GET") == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        jw_object_open(&w, NULL);
        write_tags(&w, "Tags", fn);
        jw_object_close(&w);
        send_json(c, 200, &sb);
        strbuf_free(&sb);
        return;
    }
    if (strcmp(m, "POST") == 0) {
        struct lambda_kv *add = NULL;
        size_t n = 0;
        if (parse_tags(json_get(c->json, "Tags"), &add, &n) < 0 || merge_tags(fn, add, n) < 0) {
            lambda_kvs_free(add, n);
            send_error(c, 500, "ServiceException", "out of memory");
            return;
        }
        lambda_kvs_free(add, n);
    } else {
        lambda_kvs_remove_named(fn->tags, &fn->n_tags, c->req->query, "tagKeys");
    }
    c->status = 204;
    persist_then(c, fn, fn->name, persisted_empty);
}

static void concurrency_saved(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "{\"ReservedConcurrentExecutions\":%d}", c->status);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
}

static void op_concurrency(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    const char *m = c->req->method;
    if (strcmp(m, "GET") == 0) {
        struct strbuf sb;
        strbuf_init(&sb);
        if (fn->reserved_concurrency >= 0)
            strbuf_printf(&sb, "{\"ReservedConcurrentExecutions\":%d}", fn->reserved_concurrency);
        else
            strbuf_puts(&sb, "{}");
        send_json(c, 200, &sb);
        strbuf_free(&sb);
        return;
    }
    if (strcmp(m, "DELETE") == 0) {
        fn->reserved_concurrency = -1;
        c->status = 204;
        persist_then(c, fn, fn->name, persisted_empty);
        return;
    }
    int64_t n = -1;
    if (json_int(c->json, "ReservedConcurrentExecutions", &n) != 1 || n < 0 || n > 1000) {
        invalid(c, "%sSpecified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].", "");
        return;
    }
    fn->reserved_concurrency = (int)n;
    c->status = (int)n;
    persist_then(c, fn, fn->name, concurrency_saved);
}

static void write_eic(struct call *c, struct lambda_function *fn, struct strbuf *sb)
{
    char arn[600];
    lambda_function_arn(c->svc, fn, "$LATEST", arn, sizeof(arn));
    struct json_writer w;
    jw_init(&w, sb);
    jw_object_open(&w, NULL);
    char when[40];
    snprintf(when, sizeof(when), "%" PRId64 ".%03d", fn->eic->modified_ms / 1000, (int)(fn->eic->modified_ms % 1000));
    jw_raw(&w, "LastModified", when, strlen(when));
    jw_string(&w, "FunctionArn", arn);
    if (fn->eic->max_retries >= 0)
        jw_int(&w, "MaximumRetryAttempts", fn->eic->max_retries);
    if (fn->eic->max_age_s >= 0)
        jw_int(&w, "MaximumEventAgeInSeconds", fn->eic->max_age_s);
    jw_object_open(&w, "DestinationConfig");
    jw_object_open(&w, "OnSuccess");
    jw_string_opt(&w, "Destination", fn->eic->on_success);
    jw_object_close(&w);
    jw_object_open(&w, "OnFailure");
    jw_string_opt(&w, "Destination", fn->eic->on_failure);
    jw_object_close(&w);
    jw_object_close(&w);
    jw_object_close(&w);
}

static void eic_saved(void *arg, bool ok)
{
    struct call *c = arg;
    if (!ok) {
        store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    if (!fn || !fn->eic) {
        not_found_fn(c, c->name_copy, NULL);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    write_eic(c, fn, &sb);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
}

static bool destination_valid(const char *d)
{
    return strncmp(d, "arn:aws:sqs:", 12) == 0 || strncmp(d, "arn:aws:lambda:", 15) == 0;
}

/* Reads one destination of DestinationConfig: 1 set, 0 absent, -1 bad. */
static int read_destination(struct call *c, const char *which, char **field)
{
    const struct json_value *dc = json_get(c->json, "DestinationConfig");
    const struct json_value *d = json_get(dc, which);
    if (!d)
        return 0;
    const char *arn = json_str(d, "Destination");
    if (arn && *arn && !destination_valid(arn)) {
        invalid(c, "The provided destination config DestinationConfig is invalid: %s is not a supported destination (SQS queues and Lambda functions are).", arn);
        return -1;
    }
    free(*field);
    *field = arn && *arn ? strdup(arn) : NULL;
    return 1;
}

static void op_event_invoke_config(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    const char *m = c->req->method;
    char arn[600];
    lambda_function_arn(c->svc, fn, "$LATEST", arn, sizeof(arn));
    if (strcmp(m, "GET") == 0 || strcmp(m, "DELETE") == 0) {
        if (!fn->eic) {
            send_error(c, 404, "ResourceNotFoundException", "The function %s doesn't have an EventInvokeConfig", arn);
            return;
        }
        if (strcmp(m, "GET") == 0) {
            struct strbuf sb;
            strbuf_init(&sb);
            write_eic(c, fn, &sb);
            send_json(c, 200, &sb);
            strbuf_free(&sb);
            return;
        }
        free(fn->eic->on_success);
        free(fn->eic->on_failure);
        free(fn->eic);
        fn->eic = NULL;
        c->status = 204;
        persist_then(c, fn, fn->name, persisted_empty);
        return;
    }
    bool replace = strcmp(m, "PUT") == 0;
    if (!replace && !fn->eic) {
        send_error(c, 404, "ResourceNotFoundException", "The function %s doesn't have an EventInvokeConfig", arn);
        return;
    }
    int64_t retries = -1, age = -1;
    int rr = json_int(c->json, "MaximumRetryAttempts", &retries);
    int ra = json_int(c->json, "MaximumEventAgeInSeconds", &age);
    if (rr < 0 || (rr == 1 && (retries < 0 || retries > 2))) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2");
        return;
    }
    if (ra < 0 || (ra == 1 && (age < 60 || age > 21600))) {
        send_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 21600");
        return;
    }
    struct lambda_eic next = {.max_retries = -1, .max_age_s = -1};
    if (!replace) {
        next = *fn->eic;
        next.on_success = fn->eic->on_success ? strdup(fn->eic->on_success) : NULL;
        next.on_failure = fn->eic->on_failure ? strdup(fn->eic->on_failure) : NULL;
    }
    if (rr == 1)
        next.max_retries = (int)retries;
    if (ra == 1)
        next.max_age_s = (int)age;
    if (read_destination(c, "OnSuccess", &next.on_success) < 0 ||
        read_destination(c, "OnFailure", &next.on_failure) < 0) {
        free(next.on_success);
        free(next.on_failure);
        return;
    }
    next.modified_ms = clock_now_ms();
    if (!fn->eic && !(fn->eic = calloc(1, sizeof(*fn->eic)))) {
        free(next.on_success);
        free(next.on_failure);
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    free(fn->eic->on_success);
    free(fn->eic->on_failure);
    *fn->eic = next;
    persist_then(c, fn, fn->name, eic_saved);
}

static void op_account_settings(struct call *c)
{
    int64_t total = 0, count = 0, reserved = 0;
    for (struct lambda_function *f = c->svc->functions; f; f = f->next) {
        if (strcmp(f->account, c->account) != 0)
            continue;
        count++;
        for (size_t i = 0; i < f->n_versions; i++)
            total += f->versions[i]->code_size;
        if (f->reserved_concurrency > 0)
            reserved += f->reserved_concurrency;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb,
                  "{\"AccountLimit\":{\"TotalCodeSize\":80530636800,\"CodeSizeUnzipped\":262144000,"
                  "\"CodeSizeZipped\":52428800,\"ConcurrentExecutions\":1000,"
                  "\"UnreservedConcurrentExecutions\":%" PRId64 "},"
                  "\"AccountUsage\":{\"TotalCodeSize\":%" PRId64 ",\"FunctionCount\":%" PRId64 "}}",
                  1000 - reserved, total, count);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
}

static void op_code_signing(struct call *c)
{
    struct lambda_function *fn = require_function(c);
    if (!fn)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "CodeSigningConfigArn", "");
    jw_string(&w, "FunctionName", fn->name);
    jw_object_close(&w);
    send_json(c, 200, &sb);
    strbuf_free(&sb);
}

/* ---- routing ----------------------------------------------------------------------- */

static void not_implemented(struct call *c)
{
    send_error(c, 501, "NotImplementedException", "%s %s is not implemented by cloudless.",
               c->req->method, c->req->path);
}

/* /<date>/functions/<name>[/<sub>]: sets fn_name, qualifier and sub. */
static int parse_function_path(struct call *c, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t len = slash ? (size_t)(slash - rest) : strlen(rest);
    char *decoded = percent_decode(rest, len, 0, NULL);
    if (!decoded)
        return -1;
    int rc = split_function_name(c, decoded);
    free(decoded);
    if (rc < 0)
        return -1;
    if (!(c->sub = strdup(slash ? slash + 1 : "")))
        return -1;
    char *q = request_param(c->req, "Qualifier");
    if (q && *q) {
        free(c->qualifier);
        c->qualifier = q;
    } else {
        free(q);
    }
    return 0;
}

static bool is(const struct call *c, const char *method, const char *sub)
{
    return strcmp(c->req->method, method) == 0 && strcmp(c->sub, sub) == 0;
}

static void route_function(struct call *c)
{
    if (is(c, "GET", ""))
        op_get_function(c, false);
    else if (is(c, "DELETE", ""))
        op_delete_function(c);
    else if (is(c, "GET", "configuration"))
        op_get_function(c, true);
    else if (is(c, "PUT", "configuration"))
        op_update_function_configuration(c);
    else if (is(c, "PUT", "code"))
        op_update_function_code(c);
    else if (is(c, "POST", "invocations"))
        op_invoke(c);
    else if (is(c, "POST", "policy"))
        op_add_permission(c);
    else if (is(c, "GET", "policy"))
        op_get_policy(c);
    else if (strcmp(c->req->method, "DELETE") == 0 && strncmp(c->sub, "policy/", 7) == 0) {
        char *sid = percent_decode(c->sub + 7, strlen(c->sub + 7), 0, NULL);
        if (sid)
            op_remove_permission(c, sid);
        else
            send_error(c, 500, "ServiceException", "out of memory");
        free(sid);
    } else if (is(c, "POST", "versions"))
        op_publish_version(c);
    else if (is(c, "GET", "versions"))
        op_list_versions(c);
    else if (is(c, "POST", "aliases"))
        op_create_alias(c);
    else if (is(c, "GET", "aliases"))
        op_list_aliases(c);
    else if (strncmp(c->sub, "aliases/", 8) == 0 && c->sub[8]) {
        char *name = percent_decode(c->sub + 8, strlen(c->sub + 8), 0, NULL);
        if (name)
            op_alias(c, name);
        else
            send_error(c, 500, "ServiceException", "out of memory");
        free(name);
    } else
        not_implemented(c);
}

static void route(struct call *c)
{
    const char *path = c->req->path;
    const char *m = c->req->method;
    static const char fns[] = "/2015-03-31/functions";
    if (strcmp(path, fns) == 0 || strcmp(path, "/2015-03-31/functions/") == 0) {
        if (strcmp(m, "GET") == 0)
            op_list_functions(c);
        else if (strcmp(m, "POST") == 0)
            op_create_function(c);
        else
            not_implemented(c);
        return;
    }
    if (strcmp(path, "/2016-08-19/account-settings") == 0 || strcmp(path, "/2016-08-19/account-settings/") == 0) {
        op_account_settings(c);
        return;
    }
    if (strncmp(path, "/2017-03-31/tags/", 17) == 0) {
        op_tags(c, path + 17);
        return;
    }
    static const char *const dated[] = {"/2015-03-31/functions/", "/2017-10-31/functions/",
                                        "/2019-09-30/functions/", "/2019-09-25/functions/",
                                        "/2020-06-30/functions/"};
    for (size_t i = 0; i < sizeof(dated) / sizeof(dated[0]); i++) {
        size_t n = strlen(dated[i]);
        if (strncmp(path, dated[i], n) != 0)
            continue;
        if (parse_function_path(c, path + n) < 0) {
            send_error(c, 500, "ServiceException", "out of memory");
            return;
        }
        if (i == 0)
            route_function(c);
        else if ((i == 1 || i == 2) && strcmp(c->sub, "concurrency") == 0)
            op_concurrency(c);
        else if (i == 3 && strcmp(c->sub, "event-invoke-config") == 0)
            op_event_invoke_config(c);
        else if (i == 4 && is(c, "GET", "code-signing-config"))
            op_code_signing(c);
        else
            not_implemented(c);
        return;
    }
    static const char esm[] = "/2015-03-31/event-source-mappings";
    if (strncmp(path, esm, sizeof(esm) - 1) == 0 && (!path[sizeof(esm) - 1] || path[sizeof(esm) - 1] == '/')) {
        lambda_esm_request(c->svc->esm, c->req, c->account, c->json);
        return;
    }
    not_implemented(c);
}

/* ---- intake ------------------------------------------------------------------------ */

static bool authenticate(struct call *c)
{
    const char *type, *message;
    if (auth_check_json(c->svc->srv, c->req, &c->body, c->account, &type, &message))
        return true;
    send_error(c, 403, type, "%s", message);
    return false;
}

static void call_cleanup(struct http_req *req)
{
    struct call *c = req->handler;
    if (!c)
        return;
    strbuf_free(&c->body);
    json_free(c->json);
    free(c->fn_name);
    free(c->qualifier);
    free(c->sub);
    free(c);
}

static int body_sink(struct http_req *req, const void *data, size_t len)
{
    struct call *c = req->handler;
    if (c->body.len + len > c->limit) {
        c->too_large = true;
        return 0;
    }
    strbuf_append(&c->body, data, len);
    return 0;
}

static void body_done(struct http_req *req)
{
    struct call *c = req->handler;
    /* Oversized bodies are refused before the signature (whose payload
     * hash covers bytes that were not kept), as AWS's front end does. */
    if (c->too_large) {
        if (strcmp(c->too_large_op, "Invoke") == 0)
            send_error(c, 413, "RequestTooLargeException",
                       "Request must be smaller than %d bytes for the InvokeFunction operation", LAMBDA_SYNC_PAYLOAD_MAX);
        else
            send_error(c, 413, "RequestEntityTooLargeException", "Request must be smaller than %zu bytes for the %s operation",
                       c->limit, c->too_large_op);
        return;
    }
    if (!authenticate(c))
        return;
    if (strbuf_failed(&c->body)) {
        send_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    bool invoke = strstr(req->path, "/invocations") != NULL;
    if (!invoke && c->body.len) {
        c->json = json_parse(c->body.data, c->body.len, NULL);
        if (!c->json || !json_is(c->json, JSON_OBJECT)) {
            send_error(c, 400, "InvalidRequestContentException", "Could not parse request body into json.");
            return;
        }
    }
    route(c);
}

/* Serves the zips GetFunction's Code.Location points at. */
static void serve_code(struct http_req *req)
{
    struct lambda_service *svc = service_of(req);
    const char *name = req->path + sizeof(CODE_PATH) - 1;
    size_t n = strlen(name);
    req->op_name = "GetFunctionCode";
    if (n != 68 || strspn(name, "0123456789abcdef") != 64 || strcmp(name + 64, ".zip") != 0) {
        http_resp_send(req, 404, NULL, NULL, 0);
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/code/%s", svc->lambda_dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        if (fd >= 0)
            close(fd);
        http_resp_send(req, 404, NULL, NULL, 0);
        return;
    }
    http_resp_header(req, "Content-Type", "application/zip");
    http_resp_begin(req, 200, st.st_size);
    if (!req->is_head)
        http_resp_add_file(req, fd, 0, st.st_size);
    else
        close(fd);
    http_resp_end(req);
}

static bool lambda_claims_request(const struct http_req *req)
{
    static const char *const prefixes[] = {
        "/2015-03-31/functions", "/2015-03-31/event-source-mappings", "/2016-08-19/account-settings",
        "/2017-03-31/tags/", "/2017-10-31/functions/", "/2019-09-25/functions/", "/2019-09-30/functions/",
        "/2020-06-30/functions/", "/2021-10-31/functions/", CODE_PATH,
    };
    if (!req->srv->lambda)
        return false;
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(req->path, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

static void lambda_handle_request(struct http_req *req)
{
    if (strncmp(req->path, CODE_PATH, sizeof(CODE_PATH) - 1) == 0) {
        serve_code(req);
        return;
    }
    struct call *c = calloc(1, sizeof(*c));
    if (!c) {
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    c->req = req;
    c->svc = service_of(req);
    strbuf_init(&c->body);
    req->handler = c;
    req->cleanup = call_cleanup;
    req->op_name = "Lambda";
    bool post = strcmp(req->method, "POST") == 0, put = strcmp(req->method, "PUT") == 0;
    if (post && strstr(req->path, "/invocations")) {
        c->limit = LAMBDA_SYNC_PAYLOAD_MAX;
        c->too_large_op = "Invoke";
    } else if ((post && strcmp(req->path, "/2015-03-31/functions") == 0) || (put && strstr(req->path, "/code"))) {
        c->limit = LAMBDA_ZIP_REQUEST_MAX;
        c->too_large_op = post ? "CreateFunction" : "UpdateFunctionCode";
    } else {
        c->limit = OTHER_BODY_MAX;
        c->too_large_op = "this";
    }
    http_req_read_body(req, body_sink, body_done);
}

const struct service_def lambda_service_def = {
    .name = "lambda",
    .title = "AWS Lambda",
    .protocol = SERVICE_REST_JSON,
    .claims = lambda_claims_request,
    .handle = lambda_handle_request,
};
