/* lambda_account: GetAccountSettings — AWS's default account limits,
 * and the account's usage (functions, code size) and unreserved
 * concurrency computed from the functions in memory. */
#include <inttypes.h>
#include <string.h>

#include "server/lambda/lambda.h"

void lambda_get_account_settings(struct lambda_call *c)
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
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}
