/* lambda_functions: the function operations — CreateFunction,
 * GetFunction, GetFunctionConfiguration, ListFunctions,
 * UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction (the
 * function or one version), PublishVersion, ListVersionsByFunction and
 * GetFunctionCodeSigningConfig.
 *
 * Configuration fields are checked as AWS checks them (runtime enum, role
 * pattern, limits; with enforcement the role itself: iam:PassRole and its
 * trust of Lambda) before anything changes. Code (a ZipFile or an S3
 * object of cloudless's own S3) goes to lambda_code's worker thread, which
 * hashes, checks and unpacks it; the function is created or updated from
 * that completion and answered once persisted. A changed $LATEST retires
 * its execution environments. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/s3/s3.h"
#include "server/core/authorize.h"
#include "server/core/iam_keys.h"
#include "server/core/server.h"
#include "server/lambda/lambda.h"
#include "storage/core/store.h"
#include "storage/s3/s3.h"

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

/* ---- writes: persist, then answer --------------------------------------------------- */

static void answer_config(struct lambda_call *c, int status, struct lambda_function *fn, struct lambda_version *v)
{
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    lambda_write_config(c->svc, &w, NULL, fn, v);
    call_json(c, status, &sb);
    strbuf_free(&sb);
}

/* After persisting: answer c->status with the configuration of
 * c->pending_version, a version of the function c->name_copy names. */
static void persisted_config(void *arg, bool ok)
{
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    struct lambda_version *v = NULL;
    for (size_t i = 0; fn && i < fn->n_versions; i++)
        if (fn->versions[i] == c->pending_version)
            v = fn->versions[i];
    if (!v) {
        call_function_not_found(c, c->name_copy, NULL);
        return;
    }
    answer_config(c, c->status, fn, v);
}

/* ---- configuration fields ----------------------------------------------------------- */

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

static bool passed_to_lambda(void *arg, struct iam_keys *keys, const struct authorize_policies *ps)
{
    iam_keys_add(keys, "iam:PassedToService", "lambda.amazonaws.com");
    return true;
}

/* With enforcement, a role is checked as AWS checks it: the caller may
 * pass it (iam:PassRole) and Lambda may assume it (it exists and trusts
 * lambda.amazonaws.com). Without, any well-formed ARN is taken, as
 * LocalStack takes it (the function then runs with its account's keys
 * when the role cannot be assumed, role_credentials.c). Answers and
 * returns false when refused. */
static bool role_usable(struct lambda_call *c, const char *role)
{
    struct server *srv = c->svc->srv;
    if (!srv->cfg->enforce_iam)
        return true;
    char owner[13];
    snprintf(owner, sizeof(owner), "%.12s", role + 13);
    const struct authorize_target passed = {.resource = role, .owner = owner, .add_keys = passed_to_lambda};
    struct authorize_decision d;
    switch (authorize_decide(srv, c->req, &c->req->caller, "iam:PassRole", &passed, &d)) {
    case AUTHORIZE_ALLOWED:
        break;
    case AUTHORIZE_DENIED:
        call_error(c, 403, "AccessDeniedException", "%s", d.message);
        return false;
    case AUTHORIZE_FAILED:
        call_error(c, 500, "ServiceException", "The permissions of the request could not be read.");
        return false;
    }
    const struct iam_key keys[] = {{"aws:SourceAccount", c->account}};
    const struct iam_context ctx = {keys, 1};
    int assumable = iam_role_assumable(srv, role, "lambda.amazonaws.com", &ctx);
    if (assumable < 0)
        call_error(c, 500, "ServiceException", "The role could not be read.");
    else if (!assumable)
        call_invalid(c, "%sThe role defined for the function cannot be assumed by Lambda.", "");
    return assumable == 1;
}

/* Applies the configuration fields of c->json to v; answers and returns
 * false on invalid input. */
static bool apply_config_fields(struct lambda_call *c, struct lambda_version *v)
{
    const struct json_value *j = c->json;
    const char *s;
    int64_t n;
    if ((s = json_str(j, "Runtime"))) {
        if (!runtime_known(s)) {
            call_error(c, 400, "ValidationException",
                       "1 validation error detected: Value '%s' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set",
                       s);
            return false;
        }
        if (!runtime_runnable(s)) {
            call_invalid(c, "The runtime parameter of %s is not supported by cloudless: functions run as local processes with python3.x, nodejs or provided runtimes.", s);
            return false;
        }
        if (lambda_replace_str(&v->runtime, s) < 0)
            return false;
    }
    if ((s = json_str(j, "Role"))) {
        if (!role_valid(s)) {
            call_error(c, 400, "ValidationException",
                       "1 validation error detected: Value '%s' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
                       s);
            return false;
        }
        if (!role_usable(c, s) || lambda_replace_str(&v->role, s) < 0)
            return false;
    }
    if ((s = json_str(j, "Handler")) && lambda_replace_str(&v->handler, s) < 0)
        return false;
    if ((s = json_str(j, "Description")) && lambda_replace_str(&v->description, s) < 0)
        return false;
    int rc = json_int(j, "Timeout", &n);
    if (rc < 0 || (rc == 1 && (n < 1 || n > 900))) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'timeout' failed to satisfy constraint: Member must have value between 1 and 900");
        return false;
    }
    if (rc == 1)
        v->timeout_s = (int)n;
    rc = json_int(j, "MemorySize", &n);
    if (rc < 0 || (rc == 1 && (n < 128 || n > 10240))) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'memorySize' failed to satisfy constraint: Member must have value between 128 and 10240");
        return false;
    }
    if (rc == 1)
        v->memory_mb = (int)n;
    const struct json_value *eph = json_get(j, "EphemeralStorage");
    if (json_int(eph, "Size", &n) == 1) {
        if (n < 512 || n > 10240) {
            call_invalid(c, "%sEphemeral storage size must be between 512 and 10240 MB.", "");
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
                call_invalid(c, "Environment variable name %s is not valid: names start with a letter.", key);
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
            call_error(c, 400, "ValidationException",
                       "1 validation error detected: Value at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1, Member must satisfy enum value set: [x86_64, arm64]");
            return false;
        }
        if (lambda_replace_str(&v->architecture, a) < 0)
            return false;
    }
    return true;
}

/* ---- code, create, update ----------------------------------------------------------- */

/* The zip named by a Code object (or UpdateFunctionCode's body) as pieces
 * for the code worker; answers and returns -1 on bad input. */
static int code_pieces(struct lambda_call *c, const struct json_value *code, struct lambda_code_piece **out, size_t *n)
{
    const char *zip = json_str(code, "ZipFile");
    const char *bucket = json_str(code, "S3Bucket");
    const char *key = json_str(code, "S3Key");
    if (json_str(code, "ImageUri")) {
        call_invalid(c, "%sPackageType Image is not supported by cloudless: functions run as local processes from .zip packages.", "");
        return -1;
    }
    if (zip) {
        struct lambda_code_piece *p = calloc(1, sizeof(*p));
        if (!p)
            return -1;
        p->fd = -1;
        int rc = lambda_decode_base64(zip, &p->data, &p->len);
        if (rc < 0) {
            free(p);
            if (rc == -2)
                call_invalid(c, "%sCould not unzip uploaded file. Please check your file, then try to upload again.", "");
            else
                call_error(c, 500, "ServiceException", "out of memory");
            return -1;
        }
        *out = p;
        *n = 1;
        return 0;
    }
    if (!bucket || !key) {
        call_invalid(c, "%sPlease provide a source for function code.", "");
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
        call_error(c, 400, "InvalidParameterValueException",
                   "Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", code_name, msg);
        return -1;
    }
    if (obj.size > LAMBDA_ZIP_MAX) {
        s3_object_free(&obj);
        call_invalid(c, "%sZipped size must be smaller than 52428800 bytes", "");
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
    call_error(c, 500, "ServiceException", "The code object could not be read.");
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
    if (!grown || lambda_replace_str(&v->version, num) < 0 ||
        (description && lambda_replace_str(&v->description, description) < 0)) {
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

static void code_failed(struct lambda_call *c, const struct lambda_code_result *r)
{
    if (r->err == LAMBDA_CODE_IO)
        call_error(c, 500, "ServiceException", "%s", lambda_code_error_message(r->err));
    else if (r->err == LAMBDA_CODE_TOO_LARGE_ZIP)
        call_error(c, 413, "RequestEntityTooLargeException", "%s", lambda_code_error_message(r->err));
    else
        call_invalid(c, "%s", lambda_code_error_message(r->err));
}

static void create_code_done(void *arg, const struct lambda_code_result *r)
{
    struct lambda_call *c = arg;
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
        call_error(c, 409, "ResourceConflictException", "Function already exist: %s", name);
        return;
    }
    set_code(v, r);
    struct lambda_function *fn = calloc(1, sizeof(*fn));
    if (!fn || !(fn->name = strdup(name)) || !(fn->versions = calloc(1, sizeof(*fn->versions))) ||
        lambda_parse_tags(json_get(c->json, "Tags"), &fn->tags, &fn->n_tags) < 0) {
        lambda_version_free(v);
        lambda_function_free(fn);
        call_error(c, 500, "ServiceException", "out of memory");
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
    call_persist(c, fn, fn->name, persisted_config);
}

void lambda_create_function(struct lambda_call *c)
{
    const struct json_value *j = c->json;
    const char *name = json_str(j, "FunctionName");
    if (!name || !valid_function_name(name)) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                   name ? name : "");
        return;
    }
    const char *ptype = json_str(j, "PackageType");
    if (ptype && strcmp(ptype, "Image") == 0) {
        call_invalid(c, "%sPackageType Image is not supported by cloudless: functions run as local processes from .zip packages.", "");
        return;
    }
    if (!json_str(j, "Role")) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
        return;
    }
    if (!json_str(j, "Runtime") || !json_str(j, "Handler")) {
        call_invalid(c, "%sRuntime and Handler are mandatory parameters for functions created with deployment packages.", "");
        return;
    }
    if (lambda_find(c->svc, c->account, name)) {
        call_error(c, 409, "ResourceConflictException", "Function already exist: %s", name);
        return;
    }
    struct lambda_version *v = calloc(1, sizeof(*v));
    if (!v || !(v->version = strdup("$LATEST")) || !(v->architecture = strdup("x86_64"))) {
        lambda_version_free(v);
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    v->timeout_s = 3;
    v->memory_mb = 128;
    v->ephemeral_mb = 512;
    if (!apply_config_fields(c, v)) {
        lambda_version_free(v);
        if (!c->req->responded)
            call_error(c, 500, "ServiceException", "out of memory");
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
            call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    c->pending_version = v;
    if (lambda_code_submit(c->svc->code, pieces, n, create_code_done, c) < 0) {
        c->pending_version = NULL;
        lambda_version_free(v);
        call_error(c, 503, "ServiceException", "The service is unavailable.");
    }
}

static void update_code_done(void *arg, const struct lambda_code_result *r)
{
    struct lambda_call *c = arg;
    if (r->err) {
        code_failed(c, r);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->fn_name);
    if (!fn) {
        call_function_not_found(c, c->fn_name, NULL);
        return;
    }
    struct lambda_version *latest = fn->versions[0];
    set_code(latest, r);
    const struct json_value *arch = json_get(c->json, "Architectures");
    if (json_is(arch, JSON_ARRAY) && arch->len == 1 && json_is(&arch->u.items[0], JSON_STRING))
        lambda_replace_str(&latest->architecture, arch->u.items[0].u.str);
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, "$LATEST");
    c->pending_version = latest;
    if (c->publish) {
        struct lambda_version *pub = publish(fn, NULL);
        if (pub)
            c->pending_version = pub;
    }
    c->status = 200;
    call_persist(c, fn, fn->name, persisted_config);
}

void lambda_update_function_code(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn || !call_check_revision(c, fn->versions[0]->revision_id))
        return;
    bool publish_flag = false;
    json_bool(c->json, "Publish", &publish_flag);
    c->publish = publish_flag;
    struct lambda_code_piece *pieces = NULL;
    size_t n = 0;
    if (code_pieces(c, c->json, &pieces, &n) < 0) {
        if (!c->req->responded)
            call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (lambda_code_submit(c->svc->code, pieces, n, update_code_done, c) < 0)
        call_error(c, 503, "ServiceException", "The service is unavailable.");
}

void lambda_update_function_configuration(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn || !call_check_revision(c, fn->versions[0]->revision_id))
        return;
    struct lambda_version *copy = lambda_version_copy(fn->versions[0]);
    if (!copy) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    if (!apply_config_fields(c, copy)) {
        lambda_version_free(copy);
        if (!c->req->responded)
            call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(copy->revision_id);
    copy->last_modified_ms = clock_now_ms();
    lambda_version_free(fn->versions[0]);
    fn->versions[0] = copy;
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, "$LATEST");
    c->pending_version = copy;
    c->status = 200;
    call_persist(c, fn, fn->name, persisted_config);
}

/* ---- reads -------------------------------------------------------------------------- */

static void answer_function(struct lambda_call *c, bool config_only)
{
    struct lambda_function *fn = call_require_function(c);
    struct lambda_version *v = fn ? call_require_version(c, fn) : NULL;
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
        snprintf(url, sizeof(url), "http://%s%s%s.zip", host ? host : "localhost", LAMBDA_CODE_PATH, v->code_sha_hex);
        jw_string(&w, "Location", url);
        jw_object_close(&w);
        if (fn->n_tags)
            lambda_write_tags(&w, "Tags", fn);
        if (fn->reserved_concurrency >= 0) {
            jw_object_open(&w, "Concurrency");
            jw_int(&w, "ReservedConcurrentExecutions", fn->reserved_concurrency);
            jw_object_close(&w);
        }
        jw_object_close(&w);
    }
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_get_function(struct lambda_call *c)
{
    answer_function(c, false);
}

void lambda_get_function_configuration(struct lambda_call *c)
{
    answer_function(c, true);
}

static int compare_names(const void *a, const void *b)
{
    const struct lambda_function *const *fa = a, *const *fb = b;
    return strcmp((*fa)->name, (*fb)->name);
}

static int max_items(struct lambda_call *c, int dflt, int cap)
{
    char *s = call_query_param(c, "MaxItems");
    int n = dflt;
    if (s) {
        n = atoi(s);
        free(s);
        if (n < 1 || n > cap) {
            call_error(c, 400, "ValidationException",
                       "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", cap);
            return -1;
        }
    }
    return n;
}

void lambda_list_functions(struct lambda_call *c)
{
    int limit = max_items(c, 50, 10000);
    if (limit < 0)
        return;
    char *marker = call_query_param(c, "Marker");
    char *all = call_query_param(c, "FunctionVersion");
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
        call_error(c, 500, "ServiceException", "out of memory");
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
    call_json(c, 200, &sb);
    strbuf_free(&sb);
    free(list);
    free(marker);
    free(all);
}

void lambda_list_versions_by_function(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    int limit = fn ? max_items(c, 50, 10000) : -1;
    if (limit < 0)
        return;
    char *marker = call_query_param(c, "Marker");
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
    call_json(c, 200, &sb);
    strbuf_free(&sb);
    free(marker);
}

/* ---- delete, publish ---------------------------------------------------------------- */

static void unlink_function(struct lambda_service *svc, struct lambda_function *fn)
{
    for (struct lambda_function **pp = &svc->functions; *pp; pp = &(*pp)->next) {
        if (*pp == fn) {
            *pp = fn->next;
            return;
        }
    }
}

void lambda_delete_function(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    c->status = 204;
    if (c->qualifier && *c->qualifier) {
        if (strcmp(c->qualifier, "$LATEST") == 0) {
            call_invalid(c, "%s$LATEST version cannot be deleted without deleting the function.", "");
            return;
        }
        size_t i = 1;
        while (i < fn->n_versions && strcmp(fn->versions[i]->version, c->qualifier) != 0)
            i++;
        if (i == fn->n_versions) {
            call_empty(c, 204);
            return;
        }
        for (size_t a = 0; a < fn->n_aliases; a++) {
            if (strcmp(fn->aliases[a].version, c->qualifier) == 0) {
                call_error(c, 409, "ResourceConflictException",
                           "Unable to delete version because the following aliases reference it: [%s]",
                           fn->aliases[a].name);
                return;
            }
        }
        lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, c->qualifier);
        lambda_version_free(fn->versions[i]);
        memmove(&fn->versions[i], &fn->versions[i + 1], (fn->n_versions - i - 1) * sizeof(*fn->versions));
        fn->n_versions--;
        call_persist(c, fn, fn->name, call_persisted_empty);
        return;
    }
    lambda_runtime_retire(c->svc->runtime, fn->account, fn->name, NULL);
    unlink_function(c->svc, fn);
    snprintf(c->name_copy, sizeof(c->name_copy), "%s", fn->name);
    lambda_function_free(fn);
    call_persist(c, NULL, c->name_copy, call_persisted_empty);
}

void lambda_publish_version(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn || !call_check_revision(c, fn->versions[0]->revision_id))
        return;
    const char *sha = json_str(c->json, "CodeSha256");
    if (sha && strcmp(sha, fn->versions[0]->code_sha_b64) != 0) {
        call_invalid(c, "CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST. Please try again with the CodeSHA256 in $LATEST.", sha);
        return;
    }
    struct lambda_version *v = publish(fn, json_str(c->json, "Description"));
    if (!v) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    c->pending_version = v;
    c->status = 201;
    call_persist(c, fn, fn->name, persisted_config);
}

/* ---- code signing ------------------------------------------------------------------- */

void lambda_get_function_code_signing_config(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
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
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}
