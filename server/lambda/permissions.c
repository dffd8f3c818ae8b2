/* lambda_permissions: a function's resource policy — AddPermission,
 * GetPolicy, RemovePermission.
 *
 * Each statement is kept as its Sid and its JSON, written the way AWS
 * writes it (Principal as "*", an account root ARN, a service or an AWS
 * principal; SourceArn and SourceAccount as ArnLike / StringEquals
 * conditions); GetPolicy joins them into the policy document. The policy
 * has its own RevisionId. Requests to the function are decided with it
 * (service.c, server/core/authorize.h), and so is S3's permission to
 * invoke it (s3_trigger.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/server.h"
#include "server/lambda/lambda.h"

/* AddPermission answers {"Statement": "<json>"} once durable. */
static void permission_added(void *arg, bool ok)
{
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
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
    call_json(c, 201, &sb);
    strbuf_free(&sb);
}

void lambda_add_permission(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    const struct json_value *j = c->json;
    const char *sid = json_str(j, "StatementId"), *action = json_str(j, "Action");
    const char *principal = json_str(j, "Principal");
    if (!sid || !action || !principal) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: StatementId, Action and Principal are required");
        return;
    }
    if (fn->policy_revision[0] && !call_check_revision(c, fn->policy_revision))
        return;
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (strcmp(fn->policy[i].sid, sid) == 0) {
            call_error(c, 409, "ResourceConflictException",
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
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    fn->policy = grown;
    fn->policy[fn->n_policy].sid = sid_copy;
    fn->policy[fn->n_policy].json = strbuf_detach(&sb, NULL);
    fn->n_policy++;
    uuid_v4(fn->policy_revision);
    call_persist(c, fn, fn->name, permission_added);
}

void lambda_policy_document(const struct lambda_function *fn, struct strbuf *out)
{
    strbuf_puts(out, "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[");
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (i)
            strbuf_putc(out, ',');
        strbuf_puts(out, fn->policy[i].json);
    }
    strbuf_puts(out, "]}");
}

void lambda_get_policy(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    if (!fn->n_policy) {
        call_error(c, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
        return;
    }
    struct strbuf policy;
    strbuf_init(&policy);
    lambda_policy_document(fn, &policy);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "Policy", policy.data);
    jw_string(&w, "RevisionId", fn->policy_revision);
    jw_object_close(&w);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
    strbuf_free(&policy);
}

void lambda_remove_permission(struct lambda_call *c)
{
    const char *sid = lambda_route_param(&c->route, "StatementId");
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    char *rev = call_query_param(c, "RevisionId");
    if (rev && *rev && strcmp(rev, fn->policy_revision) != 0) {
        free(rev);
        call_error(c, 412, "PreconditionFailedException",
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
            call_persist(c, fn, fn->name, call_persisted_empty);
            return;
        }
    }
    call_error(c, 404, "ResourceNotFoundException", "Statement %s is not found in resource policy.", sid);
}
