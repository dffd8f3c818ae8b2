/* lambda_service: the Lambda service's life cycle — its directories, where
 * the shipped bootstraps are, loading functions and pending events at
 * start, the event sources (SQS mappings, the S3 trigger) — and
 * lambda_invoke_event, the entry point through which event sources (S3
 * notifications, destinations) invoke a function asynchronously.
 *
 * Bootstraps (runtimes/python/bootstrap.py, runtimes/node/bootstrap.js) are
 * looked for in --lambda-runtimes-dir, then <exe>/../share/cloudless/
 * runtimes (an installed prefix), then the install datadir and the source
 * tree recorded at build time (running from a build directory). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "protocol/iam/policy.h"
#include "server/lambda/lambda.h"
#include "server/lambda/entry.h"
#include "server/core/log.h"
#include "server/core/server.h"

static bool has_bootstraps(const char *dir)
{
    char path[PATH_MAX * 2];
    snprintf(path, sizeof(path), "%.4000s/python/bootstrap.py", dir);
    return access(path, R_OK) == 0;
}

static char *find_runtimes_dir(const struct config *cfg)
{
    if (cfg->lambda_runtimes_dir)
        return realpath(cfg->lambda_runtimes_dir, NULL);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char candidates[3][PATH_MAX];
    size_t count = 0;
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(candidates[count++], sizeof(candidates[0]), "%.4000s/../share/cloudless/runtimes", exe);
    }
    snprintf(candidates[count++], sizeof(candidates[0]), "%s", CLOUDLESS_RUNTIMES_INSTALL_DIR);
    snprintf(candidates[count++], sizeof(candidates[0]), "%s", CLOUDLESS_RUNTIMES_SOURCE_DIR);
    for (size_t i = 0; i < count; i++)
        if (has_bootstraps(candidates[i]))
            return realpath(candidates[i], NULL);
    return NULL;
}

struct lambda_service *lambda_service_new(struct server *srv, char *err, size_t errlen)
{
    struct lambda_service *svc = calloc(1, sizeof(*svc));
    if (!svc) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    svc->srv = srv;
    if (asprintf(&svc->lambda_dir, "%s/lambda", srv->cfg->data_dir) < 0) {
        svc->lambda_dir = NULL;
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    svc->runtimes_dir = find_runtimes_dir(srv->cfg);
    if (!svc->runtimes_dir) {
        snprintf(err, errlen, "cannot find the Lambda runtime bootstraps (set --lambda-runtimes-dir)");
        goto fail;
    }
    if (!(svc->code = lambda_code_new(srv, svc->lambda_dir))) {
        snprintf(err, errlen, "cannot start the code store in %s", svc->lambda_dir);
        goto fail;
    }
    if (!(svc->runtime = lambda_runtime_new(svc))) {
        snprintf(err, errlen, "cannot set up the function runtime");
        goto fail;
    }
    if (lambda_load_functions(svc, err, errlen) < 0)
        goto fail;
    if (!(svc->async = lambda_async_new(svc, err, errlen)))
        goto fail;
    if (!(svc->esm = lambda_esm_new(svc, err, errlen)))
        goto fail;
    if (lambda_s3_trigger_start(svc) < 0) {
        snprintf(err, errlen, "cannot register the S3 trigger");
        goto fail;
    }
    return svc;
fail:
    lambda_service_free(svc);
    return NULL;
}

void lambda_service_shutdown(struct lambda_service *svc)
{
    if (!svc)
        return;
    lambda_esm_stop(svc->esm);
    lambda_runtime_shutdown(svc->runtime);
}

void lambda_service_clock_moved(struct lambda_service *svc)
{
    if (svc)
        lambda_async_clock_moved(svc->async);
}

void lambda_service_free(struct lambda_service *svc)
{
    if (!svc)
        return;
    lambda_code_free(svc->code);
    lambda_runtime_free(svc->runtime);
    lambda_async_free(svc->async);
    lambda_esm_free(svc->esm);
    while (svc->functions) {
        struct lambda_function *fn = svc->functions;
        svc->functions = fn->next;
        lambda_function_free(fn);
    }
    free(svc->lambda_dir);
    free(svc->runtimes_dir);
    free(svc);
}

int lambda_invoke_event(struct lambda_service *svc, const char *account, const char *function,
                        const char *payload, size_t len, void (*done)(void *arg, bool ok), void *arg)
{
    const char *name = function;
    const char *fn_part = strstr(function, ":function:");
    if (fn_part)
        name = fn_part + 10;
    char base[256];
    const char *colon = strchr(name, ':');
    snprintf(base, sizeof(base), "%.*s", colon ? (int)(colon - name) : (int)strlen(name), name);
    struct lambda_function *fn = lambda_find(svc, account, base);
    const char *qualifier = colon ? colon + 1 : NULL;
    if (!fn || !lambda_resolve(fn, qualifier))
        return -1;
    return lambda_async_accept(svc->async, account, base, qualifier, payload, len, NULL, done, arg);
}

bool lambda_policy_allows(const struct lambda_function *fn, const char *principal, const char *arn,
                          const char *source_arn, const char *source_account)
{
    struct strbuf doc;
    strbuf_init(&doc);
    strbuf_puts(&doc, "{\"Statement\":[");
    for (size_t i = 0; i < fn->n_policy; i++) {
        if (i)
            strbuf_puts(&doc, ",");
        strbuf_puts(&doc, fn->policy[i].json);
    }
    strbuf_puts(&doc, "]}");
    const struct iam_key keys[] = {{"aws:SourceArn", source_arn}, {"aws:SourceAccount", source_account}};
    const struct iam_context ctx = {keys, sizeof(keys) / sizeof(keys[0])};
    bool allowed = fn->n_policy && !strbuf_failed(&doc) &&
                   iam_policy_evaluate_service(doc.data, principal, "lambda:InvokeFunction", arn, &ctx) == IAM_ALLOW;
    strbuf_free(&doc);
    return allowed;
}

enum lambda_invoke_check lambda_may_invoke(struct lambda_service *svc, const char *function_arn,
                                           const char *principal, const char *source_arn,
                                           const char *source_account)
{
    /* arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
    const char *fn_part = strstr(function_arn, ":function:");
    const char *account = fn_part && fn_part - function_arn >= 13 ? fn_part - 12 : NULL;
    if (!account || strncmp(function_arn, "arn:aws:lambda:", 15) != 0 || strspn(account, "0123456789") != 12)
        return LAMBDA_INVOKE_NO_FUNCTION;
    char acct[13], name[256];
    snprintf(acct, sizeof(acct), "%.12s", account);
    const char *n = fn_part + 10, *colon = strchr(n, ':');
    snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - n) : (int)strlen(n), n);
    struct lambda_function *fn = lambda_find(svc, acct, name);
    if (!fn || !lambda_resolve(fn, colon ? colon + 1 : NULL))
        return LAMBDA_INVOKE_NO_FUNCTION;
    if (principal && !lambda_policy_allows(fn, principal, function_arn, source_arn, source_account))
        return LAMBDA_INVOKE_DENIED;
    return LAMBDA_INVOKE_ALLOWED;
}
