/* lambda_aliases: CreateAlias, GetAlias, ListAliases, UpdateAlias,
 * DeleteAlias. An alias names a version ($LATEST or a published one) and
 * has its own RevisionId; invocations qualified by an alias run the
 * version it names (lambda_resolve). Deleting an alias that does not exist
 * succeeds, as on AWS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/server.h"
#include "server/lambda/lambda.h"

static void write_alias(struct lambda_call *c, struct json_writer *w, struct lambda_function *fn,
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
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    struct lambda_alias *a = fn ? lambda_find_alias(fn, c->qualifier) : NULL;
    if (!a) {
        call_function_not_found(c, c->name_copy, c->qualifier);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    write_alias(c, &w, fn, a);
    call_json(c, c->status, &sb);
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

void lambda_create_alias(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    const char *name = json_str(c->json, "Name"), *version = json_str(c->json, "FunctionVersion");
    if (!name || !version) {
        call_error(c, 400, "ValidationException", "1 validation error detected: Name and FunctionVersion are required");
        return;
    }
    if (lambda_find_alias(fn, name)) {
        char arn[600];
        lambda_function_arn(c->svc, fn, name, arn, sizeof(arn));
        call_error(c, 409, "ResourceConflictException", "Alias already exists: %s", arn);
        return;
    }
    if (!version_exists(fn, version)) {
        call_function_not_found(c, fn->name, version);
        return;
    }
    struct lambda_alias *grown = realloc(fn->aliases, (fn->n_aliases + 1) * sizeof(*grown));
    if (!grown) {
        call_error(c, 500, "ServiceException", "out of memory");
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
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(a->revision_id);
    fn->n_aliases++;
    c->status = 201;
    call_persist(c, fn, fn->name, alias_saved);
}

/* The alias the path names, which becomes c->qualifier (alias_saved reads
 * it); NULL (answered) when the function or the alias does not exist. */
static struct lambda_alias *path_alias(struct lambda_call *c, struct lambda_function **fn)
{
    const char *alias_name = lambda_route_param(&c->route, "Name");
    *fn = call_require_function(c);
    if (!*fn)
        return NULL;
    struct lambda_alias *a = lambda_find_alias(*fn, alias_name);
    if (!a) {
        char arn[600];
        lambda_function_arn(c->svc, *fn, alias_name, arn, sizeof(arn));
        call_error(c, 404, "ResourceNotFoundException", "Cannot find alias arn: %s", arn);
        return NULL;
    }
    free(c->qualifier);
    if (!(c->qualifier = strdup(alias_name))) {
        call_error(c, 500, "ServiceException", "out of memory");
        return NULL;
    }
    return a;
}

void lambda_get_alias(struct lambda_call *c)
{
    struct lambda_function *fn;
    struct lambda_alias *a = path_alias(c, &fn);
    if (!a)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    write_alias(c, &w, fn, a);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_delete_alias(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    struct lambda_alias *a = lambda_find_alias(fn, lambda_route_param(&c->route, "Name"));
    if (!a) {
        call_empty(c, 204);
        return;
    }
    free(a->name);
    free(a->version);
    free(a->description);
    size_t i = (size_t)(a - fn->aliases);
    memmove(a, a + 1, (fn->n_aliases - i - 1) * sizeof(*a));
    fn->n_aliases--;
    c->status = 204;
    call_persist(c, fn, fn->name, call_persisted_empty);
}

void lambda_update_alias(struct lambda_call *c)
{
    struct lambda_function *fn;
    struct lambda_alias *a = path_alias(c, &fn);
    if (!a || !call_check_revision(c, a->revision_id))
        return;
    const char *version = json_str(c->json, "FunctionVersion"), *desc = json_str(c->json, "Description");
    if (version && !version_exists(fn, version)) {
        call_function_not_found(c, fn->name, version);
        return;
    }
    if ((version && lambda_replace_str(&a->version, version) < 0) || (desc && lambda_replace_str(&a->description, desc) < 0)) {
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    uuid_v4(a->revision_id);
    c->status = 200;
    call_persist(c, fn, fn->name, alias_saved);
}

void lambda_list_aliases(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    char *only = call_query_param(c, "FunctionVersion");
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
    call_json(c, 200, &sb);
    strbuf_free(&sb);
    free(only);
}
