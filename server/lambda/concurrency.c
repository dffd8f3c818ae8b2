/* lambda_concurrency: PutFunctionConcurrency, GetFunctionConcurrency,
 * DeleteFunctionConcurrency — a function's reserved concurrency, which
 * bounds its execution environments (lambda_exec_config_new) and, at 0,
 * throttles its invocations. */
#include <stdint.h>

#include "server/lambda/lambda.h"

static void concurrency_saved(void *arg, bool ok)
{
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_printf(&sb, "{\"ReservedConcurrentExecutions\":%d}", c->status);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_get_function_concurrency(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    if (fn->reserved_concurrency >= 0)
        strbuf_printf(&sb, "{\"ReservedConcurrentExecutions\":%d}", fn->reserved_concurrency);
    else
        strbuf_puts(&sb, "{}");
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_delete_function_concurrency(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    fn->reserved_concurrency = -1;
    c->status = 204;
    call_persist(c, fn, fn->name, call_persisted_empty);
}

void lambda_put_function_concurrency(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (!fn)
        return;
    int64_t n = -1;
    if (json_int(c->json, "ReservedConcurrentExecutions", &n) != 1 || n < 0 || n > 1000) {
        call_invalid(c, "%sSpecified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0].", "");
        return;
    }
    fn->reserved_concurrency = (int)n;
    c->status = (int)n;
    call_persist(c, fn, fn->name, concurrency_saved);
}
