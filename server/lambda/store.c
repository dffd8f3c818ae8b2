/* lambda_store: Lambda functions in memory and on disk.
 *
 * Functions live in a list on the service (a few hundred at most on a
 * developer's machine). Each is made durable as one JSON document
 * (storage/lambda/functions.c keeps it), rewritten whole through
 * store_submit after every change, so the API answers only once the change
 * is committed; at start the documents are parsed back. Also the FunctionConfiguration writer the
 * API uses, and ARNs, ids and times as AWS writes them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "server/lambda/lambda.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "storage/core/store.h"
#include "storage/lambda/lambda_storage.h"

struct lambda_function *lambda_find(struct lambda_service *svc, const char *account, const char *name)
{
    for (struct lambda_function *f = svc->functions; f; f = f->next)
        if (strcmp(f->account, account) == 0 && strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

struct lambda_alias *lambda_find_alias(struct lambda_function *fn, const char *name)
{
    for (size_t i = 0; i < fn->n_aliases; i++)
        if (strcmp(fn->aliases[i].name, name) == 0)
            return &fn->aliases[i];
    return NULL;
}

struct lambda_version *lambda_resolve(struct lambda_function *fn, const char *qualifier)
{
    if (!qualifier || !*qualifier || strcmp(qualifier, "$LATEST") == 0)
        return fn->versions[0];
    for (size_t i = 1; i < fn->n_versions; i++)
        if (strcmp(fn->versions[i]->version, qualifier) == 0)
            return fn->versions[i];
    struct lambda_alias *a = lambda_find_alias(fn, qualifier);
    return a ? lambda_resolve(fn, a->version) : NULL;
}

void lambda_kvs_remove_named(struct lambda_kv *kv, size_t *n, const char *query, const char *param)
{
    const char *cursor = query;
    char *key;
    while ((key = query_param_next(&cursor, param))) {
        for (size_t i = 0; i < *n; i++) {
            if (strcmp(kv[i].key, key) == 0) {
                free(kv[i].key);
                free(kv[i].value);
                memmove(&kv[i], &kv[i + 1], (*n - i - 1) * sizeof(*kv));
                (*n)--;
                break;
            }
        }
        free(key);
    }
}

void lambda_kvs_free(struct lambda_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void lambda_version_free(struct lambda_version *v)
{
    if (!v)
        return;
    free(v->version);
    free(v->runtime);
    free(v->handler);
    free(v->role);
    free(v->description);
    free(v->architecture);
    lambda_kvs_free(v->env, v->n_env);
    free(v);
}

static char *dup_or_null(const char *s, bool *oom)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *oom = true;
    return d;
}

struct lambda_version *lambda_version_copy(const struct lambda_version *v)
{
    struct lambda_version *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    *c = *v;
    bool oom = false;
    c->version = dup_or_null(v->version, &oom);
    c->runtime = dup_or_null(v->runtime, &oom);
    c->handler = dup_or_null(v->handler, &oom);
    c->role = dup_or_null(v->role, &oom);
    c->description = dup_or_null(v->description, &oom);
    c->architecture = dup_or_null(v->architecture, &oom);
    c->env = NULL;
    c->n_env = 0;
    if (v->n_env) {
        c->env = calloc(v->n_env, sizeof(*c->env));
        if (c->env) {
            c->n_env = v->n_env;
            for (size_t i = 0; i < v->n_env; i++) {
                c->env[i].key = dup_or_null(v->env[i].key, &oom);
                c->env[i].value = dup_or_null(v->env[i].value, &oom);
            }
        } else {
            oom = true;
        }
    }
    if (oom) {
        lambda_version_free(c);
        return NULL;
    }
    return c;
}

void lambda_function_free(struct lambda_function *fn)
{
    if (!fn)
        return;
    for (size_t i = 0; i < fn->n_versions; i++)
        lambda_version_free(fn->versions[i]);
    free(fn->versions);
    for (size_t i = 0; i < fn->n_aliases; i++) {
        free(fn->aliases[i].name);
        free(fn->aliases[i].version);
        free(fn->aliases[i].description);
    }
    free(fn->aliases);
    for (size_t i = 0; i < fn->n_policy; i++) {
        free(fn->policy[i].sid);
        free(fn->policy[i].json);
    }
    free(fn->policy);
    lambda_kvs_free(fn->tags, fn->n_tags);
    if (fn->eic) {
        free(fn->eic->on_success);
        free(fn->eic->on_failure);
        free(fn->eic);
    }
    free(fn->name);
    free(fn);
}

void lambda_function_arn(struct lambda_service *svc, const struct lambda_function *fn,
                         const char *qualifier, char *out, size_t cap)
{
    snprintf(out, cap, "arn:aws:lambda:%s:%s:function:%s%s%s", svc->srv->cfg->region, fn->account,
             fn->name, qualifier ? ":" : "", qualifier ? qualifier : "");
}

void lambda_write_config(struct lambda_service *svc, struct json_writer *w, const char *key,
                         const struct lambda_function *fn, const struct lambda_version *v)
{
    char arn[512], modified[40];
    bool latest = strcmp(v->version, "$LATEST") == 0;
    lambda_function_arn(svc, fn, latest ? NULL : v->version, arn, sizeof(arn));
    date_iso8601_offset(v->last_modified_ms, modified);
    jw_object_open(w, key);
    jw_string(w, "FunctionName", fn->name);
    jw_string(w, "FunctionArn", arn);
    jw_string(w, "Runtime", v->runtime);
    jw_string(w, "Role", v->role);
    jw_string(w, "Handler", v->handler);
    jw_int(w, "CodeSize", v->code_size);
    jw_string(w, "Description", v->description ? v->description : "");
    jw_int(w, "Timeout", v->timeout_s);
    jw_int(w, "MemorySize", v->memory_mb);
    jw_string(w, "LastModified", modified);
    jw_string(w, "CodeSha256", v->code_sha_b64);
    jw_string(w, "Version", v->version);
    if (v->n_env) {
        jw_object_open(w, "Environment");
        jw_object_open(w, "Variables");
        for (size_t i = 0; i < v->n_env; i++)
            jw_string(w, v->env[i].key, v->env[i].value);
        jw_object_close(w);
        jw_object_close(w);
    }
    jw_object_open(w, "TracingConfig");
    jw_string(w, "Mode", "PassThrough");
    jw_object_close(w);
    jw_string(w, "RevisionId", v->revision_id);
    jw_string(w, "State", "Active");
    jw_string(w, "LastUpdateStatus", "Successful");
    jw_string(w, "PackageType", "Zip");
    jw_array_open(w, "Architectures");
    jw_string(w, NULL, v->architecture);
    jw_array_close(w);
    jw_object_open(w, "EphemeralStorage");
    jw_int(w, "Size", v->ephemeral_mb);
    jw_object_close(w);
    jw_object_open(w, "SnapStart");
    jw_string(w, "ApplyOn", "None");
    jw_string(w, "OptimizationStatus", "Off");
    jw_object_close(w);
    jw_object_open(w, "LoggingConfig");
    jw_string(w, "LogFormat", "Text");
    char group[300];
    snprintf(group, sizeof(group), "/aws/lambda/%s", fn->name);
    jw_string(w, "LogGroup", group);
    jw_object_close(w);
    jw_object_close(w);
}

/* ---- the durable document ---------------------------------------------- */

static void write_kvs_object(struct json_writer *w, const char *key, const struct lambda_kv *kv, size_t n)
{
    jw_object_open(w, key);
    for (size_t i = 0; i < n; i++)
        jw_string(w, kv[i].key, kv[i].value);
    jw_object_close(w);
}

static void write_document(struct json_writer *w, const struct lambda_function *fn)
{
    jw_object_open(w, NULL);
    jw_int(w, "next_version", fn->next_version);
    jw_int(w, "reserved", fn->reserved_concurrency);
    jw_string(w, "policy_revision", fn->policy_revision);
    jw_array_open(w, "versions");
    for (size_t i = 0; i < fn->n_versions; i++) {
        const struct lambda_version *v = fn->versions[i];
        jw_object_open(w, NULL);
        jw_string(w, "version", v->version);
        jw_string(w, "runtime", v->runtime);
        jw_string(w, "handler", v->handler);
        jw_string(w, "role", v->role);
        jw_string_opt(w, "description", v->description);
        jw_string(w, "architecture", v->architecture);
        jw_int(w, "timeout", v->timeout_s);
        jw_int(w, "memory", v->memory_mb);
        jw_int(w, "ephemeral", v->ephemeral_mb);
        write_kvs_object(w, "env", v->env, v->n_env);
        jw_string(w, "sha_hex", v->code_sha_hex);
        jw_string(w, "sha_b64", v->code_sha_b64);
        jw_int(w, "size", v->code_size);
        jw_string(w, "revision", v->revision_id);
        jw_int(w, "modified", v->last_modified_ms);
        jw_object_close(w);
    }
    jw_array_close(w);
    jw_array_open(w, "aliases");
    for (size_t i = 0; i < fn->n_aliases; i++) {
        jw_object_open(w, NULL);
        jw_string(w, "name", fn->aliases[i].name);
        jw_string(w, "version", fn->aliases[i].version);
        jw_string_opt(w, "description", fn->aliases[i].description);
        jw_string(w, "revision", fn->aliases[i].revision_id);
        jw_object_close(w);
    }
    jw_array_close(w);
    jw_array_open(w, "policy");
    for (size_t i = 0; i < fn->n_policy; i++) {
        jw_object_open(w, NULL);
        jw_string(w, "sid", fn->policy[i].sid);
        jw_string(w, "json", fn->policy[i].json);
        jw_object_close(w);
    }
    jw_array_close(w);
    write_kvs_object(w, "tags", fn->tags, fn->n_tags);
    if (fn->eic) {
        jw_object_open(w, "eic");
        jw_int(w, "retries", fn->eic->max_retries);
        jw_int(w, "age", fn->eic->max_age_s);
        jw_string_opt(w, "on_success", fn->eic->on_success);
        jw_string_opt(w, "on_failure", fn->eic->on_failure);
        jw_int(w, "modified", fn->eic->modified_ms);
        jw_object_close(w);
    }
    jw_object_close(w);
}

struct persist_job {
    char account[13];
    char *name;
    char *doc;                     /* NULL: delete the row */
    void (*done)(void *arg, bool ok);
    void *arg;
};

static int apply_persist(struct store_conn *writer, void *arg)
{
    struct persist_job *j = arg;
    enum lambda_storage_err err = j->doc ? lambda_functions_put(writer, j->account, j->name, j->doc)
                                         : lambda_functions_delete(writer, j->account, j->name);
    return err == LAMBDA_STORAGE_OK ? 0 : -1;
}

static void persist_done(void *arg, bool ok)
{
    struct persist_job *j = arg;
    if (!ok)
        log_error("lambda: could not store function %s", j->name);
    if (j->done)
        j->done(j->arg, ok);
    free(j->name);
    free(j->doc);
    free(j);
}

int lambda_persist(struct lambda_service *svc, const struct lambda_function *fn,
                   const char *account, const char *name, void (*done)(void *arg, bool ok), void *arg)
{
    struct persist_job *j = calloc(1, sizeof(*j));
    if (!j)
        return -1;
    snprintf(j->account, sizeof(j->account), "%s", account);
    j->name = strdup(name);
    j->done = done;
    j->arg = arg;
    if (fn) {
        struct strbuf sb;
        strbuf_init(&sb);
        struct json_writer w;
        jw_init(&w, &sb);
        write_document(&w, fn);
        if (strbuf_failed(&sb)) {
            strbuf_free(&sb);
            free(j->name);
            free(j);
            return -1;
        }
        j->doc = strbuf_detach(&sb, NULL);
    }
    if (!j->name || (fn && !j->doc) ||
        store_submit(svc->srv->store, apply_persist, persist_done, j) < 0) {
        free(j->name);
        free(j->doc);
        free(j);
        return -1;
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------- */

static int load_kvs(const struct json_value *obj, struct lambda_kv **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is(obj, JSON_OBJECT) || obj->len == 0)
        return 0;
    struct lambda_kv *kv = calloc(obj->len, sizeof(*kv));
    if (!kv)
        return -1;
    for (size_t i = 0; i < obj->len; i++) {
        const struct json_value *v = &obj->u.members[i].value;
        kv[i].key = strdup(obj->u.members[i].key);
        kv[i].value = strdup(json_is(v, JSON_STRING) ? v->u.str : "");
        if (!kv[i].key || !kv[i].value) {
            lambda_kvs_free(kv, i + 1);
            return -1;
        }
    }
    *out = kv;
    *n = obj->len;
    return 0;
}

static int64_t int_or(const struct json_value *obj, const char *key, int64_t dflt)
{
    int64_t v;
    return json_int(obj, key, &v) == 1 ? v : dflt;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static struct lambda_version *load_version(const struct json_value *o)
{
    struct lambda_version *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    bool oom = false;
    v->version = dup_or_null(json_str(o, "version"), &oom);
    v->runtime = dup_or_null(json_str(o, "runtime"), &oom);
    v->handler = dup_or_null(json_str(o, "handler"), &oom);
    v->role = dup_or_null(json_str(o, "role"), &oom);
    v->description = dup_or_null(json_str(o, "description"), &oom);
    v->architecture = dup_or_null(json_str(o, "architecture"), &oom);
    v->timeout_s = (int)int_or(o, "timeout", 3);
    v->memory_mb = (int)int_or(o, "memory", 128);
    v->ephemeral_mb = (int)int_or(o, "ephemeral", 512);
    v->code_size = int_or(o, "size", 0);
    v->last_modified_ms = int_or(o, "modified", 0);
    copy_field(v->code_sha_hex, sizeof(v->code_sha_hex), json_str(o, "sha_hex"));
    copy_field(v->code_sha_b64, sizeof(v->code_sha_b64), json_str(o, "sha_b64"));
    copy_field(v->revision_id, sizeof(v->revision_id), json_str(o, "revision"));
    if (oom || !v->version || !v->runtime || !v->handler || !v->role || !v->architecture ||
        load_kvs(json_get(o, "env"), &v->env, &v->n_env) < 0) {
        lambda_version_free(v);
        return NULL;
    }
    return v;
}

static int load_lists(struct lambda_function *fn, const struct json_value *doc)
{
    const struct json_value *versions = json_get(doc, "versions");
    if (!json_is(versions, JSON_ARRAY) || versions->len == 0)
        return -1;
    fn->versions = calloc(versions->len, sizeof(*fn->versions));
    if (!fn->versions)
        return -1;
    for (size_t i = 0; i < versions->len; i++) {
        if (!(fn->versions[i] = load_version(&versions->u.items[i])))
            return -1;
        fn->n_versions++;
    }
    const struct json_value *aliases = json_get(doc, "aliases");
    if (json_is(aliases, JSON_ARRAY) && aliases->len) {
        fn->aliases = calloc(aliases->len, sizeof(*fn->aliases));
        if (!fn->aliases)
            return -1;
        for (size_t i = 0; i < aliases->len; i++) {
            const struct json_value *a = &aliases->u.items[i];
            bool oom = false;
            struct lambda_alias *al = &fn->aliases[fn->n_aliases++];
            al->name = dup_or_null(json_str(a, "name"), &oom);
            al->version = dup_or_null(json_str(a, "version"), &oom);
            al->description = dup_or_null(json_str(a, "description"), &oom);
            copy_field(al->revision_id, sizeof(al->revision_id), json_str(a, "revision"));
            if (oom || !al->name || !al->version)
                return -1;
        }
    }
    const struct json_value *policy = json_get(doc, "policy");
    if (json_is(policy, JSON_ARRAY) && policy->len) {
        fn->policy = calloc(policy->len, sizeof(*fn->policy));
        if (!fn->policy)
            return -1;
        for (size_t i = 0; i < policy->len; i++) {
            const struct json_value *p = &policy->u.items[i];
            bool oom = false;
            struct lambda_statement *st = &fn->policy[fn->n_policy++];
            st->sid = dup_or_null(json_str(p, "sid"), &oom);
            st->json = dup_or_null(json_str(p, "json"), &oom);
            if (oom || !st->sid || !st->json)
                return -1;
        }
    }
    return 0;
}

static int load_eic(struct lambda_function *fn, const struct json_value *e)
{
    if (!json_is(e, JSON_OBJECT))
        return 0;
    fn->eic = calloc(1, sizeof(*fn->eic));
    if (!fn->eic)
        return -1;
    bool oom = false;
    fn->eic->max_retries = (int)int_or(e, "retries", -1);
    fn->eic->max_age_s = (int)int_or(e, "age", -1);
    fn->eic->modified_ms = int_or(e, "modified", 0);
    fn->eic->on_success = dup_or_null(json_str(e, "on_success"), &oom);
    fn->eic->on_failure = dup_or_null(json_str(e, "on_failure"), &oom);
    return oom ? -1 : 0;
}

static struct lambda_function *load_function(const char *account, const char *name, const char *text)
{
    const struct json_value *doc = json_parse(text, strlen(text), NULL);
    struct lambda_function *fn = calloc(1, sizeof(*fn));
    if (!doc || !fn || !(fn->name = strdup(name))) {
        json_free(doc);
        lambda_function_free(fn);
        return NULL;
    }
    copy_field(fn->account, sizeof(fn->account), account);
    fn->next_version = int_or(doc, "next_version", 1);
    fn->reserved_concurrency = (int)int_or(doc, "reserved", -1);
    copy_field(fn->policy_revision, sizeof(fn->policy_revision), json_str(doc, "policy_revision"));
    if (load_lists(fn, doc) < 0 || load_kvs(json_get(doc, "tags"), &fn->tags, &fn->n_tags) < 0 ||
        load_eic(fn, json_get(doc, "eic")) < 0) {
        json_free(doc);
        lambda_function_free(fn);
        return NULL;
    }
    json_free(doc);
    return fn;
}

static int load_one(void *arg, const char *account, const char *name, const char *doc)
{
    struct lambda_service *svc = arg;
    struct lambda_function *fn = account && name && doc ? load_function(account, name, doc) : NULL;
    if (!fn) {
        log_error("lambda: cannot load function %s; skipped", name ? name : "?");
        return 0;
    }
    fn->next = svc->functions;
    svc->functions = fn;
    return 0;
}

int lambda_load_functions(struct lambda_service *svc, char *err, size_t errlen)
{
    return lambda_functions_load(store_reader(svc->srv->store), load_one, svc, err, errlen) == LAMBDA_STORAGE_OK
               ? 0 : -1;
}
