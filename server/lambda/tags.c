/* lambda_tags: ListTags, TagResource, UntagResource on a function's ARN
 * (an event source mapping's ARN is handed to esm.c), and the tag helpers
 * CreateFunction and GetFunction share. Tags are kept in the function's
 * document; a tag set again replaces its value. */
#include <stdlib.h>
#include <string.h>

#include "server/core/server.h"
#include "server/lambda/lambda.h"

int lambda_parse_tags(const struct json_value *tags, struct lambda_kv **out, size_t *n)
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
        if (lambda_replace_str(&fn->tags[j].value, add[i].value) < 0)
            return -1;
    }
    return 0;
}

void lambda_write_tags(struct json_writer *w, const char *key, const struct lambda_function *fn)
{
    jw_object_open(w, key);
    for (size_t i = 0; i < fn->n_tags; i++)
        jw_string(w, fn->tags[i].key, fn->tags[i].value);
    jw_object_close(w);
}

/* The function a tags request's ARN names; NULL when answered, or handed
 * to esm.c because the ARN is an event source mapping's. */
static struct lambda_function *tagged_function(struct lambda_call *c)
{
    const char *arn = lambda_route_param(&c->route, "Resource");
    if (strstr(arn, ":event-source-mapping:")) {
        lambda_esm_tags(c, arn);
        return NULL;
    }
    if (call_split_function_name(c, arn) < 0) {
        call_error(c, 500, "ServiceException", "out of memory");
        return NULL;
    }
    return call_require_function(c);
}

void lambda_list_tags(struct lambda_call *c)
{
    struct lambda_function *fn = tagged_function(c);
    if (!fn)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    lambda_write_tags(&w, "Tags", fn);
    jw_object_close(&w);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_tag_resource(struct lambda_call *c)
{
    struct lambda_function *fn = tagged_function(c);
    if (!fn)
        return;
    struct lambda_kv *add = NULL;
    size_t n = 0;
    if (lambda_parse_tags(json_get(c->json, "Tags"), &add, &n) < 0 || merge_tags(fn, add, n) < 0) {
        lambda_kvs_free(add, n);
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    lambda_kvs_free(add, n);
    c->status = 204;
    call_persist(c, fn, fn->name, call_persisted_empty);
}

void lambda_untag_resource(struct lambda_call *c)
{
    struct lambda_function *fn = tagged_function(c);
    if (!fn)
        return;
    lambda_kvs_remove_named(fn->tags, &fn->n_tags, c->req->query, "tagKeys");
    c->status = 204;
    call_persist(c, fn, fn->name, call_persisted_empty);
}
