/* lambda_event_invoke_config: Put, Update, Get and
 * DeleteFunctionEventInvokeConfig — how asynchronous invocations of a
 * function are retried (MaximumRetryAttempts, MaximumEventAgeInSeconds)
 * and where their records go (OnSuccess / OnFailure: an SQS queue or
 * another function), as async.c applies them. One config per function:
 * a Qualifier is not told apart. Put replaces the config, Update changes
 * only what the request names. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/lambda/lambda.h"

static void write_eic(struct lambda_call *c, struct lambda_function *fn, struct strbuf *sb)
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
    struct lambda_call *c = arg;
    if (!ok) {
        call_store_failed(c);
        return;
    }
    struct lambda_function *fn = lambda_find(c->svc, c->account, c->name_copy);
    if (!fn || !fn->eic) {
        call_function_not_found(c, c->name_copy, NULL);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    write_eic(c, fn, &sb);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

static bool destination_valid(const char *d)
{
    return strncmp(d, "arn:aws:sqs:", 12) == 0 || strncmp(d, "arn:aws:lambda:", 15) == 0;
}

/* Reads one destination of DestinationConfig: 1 set, 0 absent, -1 bad. */
static int read_destination(struct lambda_call *c, const char *which, char **field)
{
    const struct json_value *dc = json_get(c->json, "DestinationConfig");
    const struct json_value *d = json_get(dc, which);
    if (!d)
        return 0;
    const char *arn = json_str(d, "Destination");
    if (arn && *arn && !destination_valid(arn)) {
        call_invalid(c, "The provided destination config DestinationConfig is invalid: %s is not a supported destination (SQS queues and Lambda functions are).", arn);
        return -1;
    }
    free(*field);
    *field = arn && *arn ? strdup(arn) : NULL;
    return 1;
}

/* The function whose event invoke config the request is about, when it
 * has one; NULL (answered) otherwise. */
static struct lambda_function *function_with_eic(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (fn && !fn->eic) {
        char arn[600];
        lambda_function_arn(c->svc, fn, "$LATEST", arn, sizeof(arn));
        call_error(c, 404, "ResourceNotFoundException", "The function %s doesn't have an EventInvokeConfig", arn);
        return NULL;
    }
    return fn;
}

void lambda_get_function_event_invoke_config(struct lambda_call *c)
{
    struct lambda_function *fn = function_with_eic(c);
    if (!fn)
        return;
    struct strbuf sb;
    strbuf_init(&sb);
    write_eic(c, fn, &sb);
    call_json(c, 200, &sb);
    strbuf_free(&sb);
}

void lambda_delete_function_event_invoke_config(struct lambda_call *c)
{
    struct lambda_function *fn = function_with_eic(c);
    if (!fn)
        return;
    free(fn->eic->on_success);
    free(fn->eic->on_failure);
    free(fn->eic);
    fn->eic = NULL;
    c->status = 204;
    call_persist(c, fn, fn->name, call_persisted_empty);
}

/* Put (replace) or Update (change what the request names) of the config. */
static void save_eic(struct lambda_call *c, struct lambda_function *fn, bool replace)
{
    int64_t retries = -1, age = -1;
    int rr = json_int(c->json, "MaximumRetryAttempts", &retries);
    int ra = json_int(c->json, "MaximumEventAgeInSeconds", &age);
    if (rr < 0 || (rr == 1 && (retries < 0 || retries > 2))) {
        call_error(c, 400, "ValidationException",
                   "1 validation error detected: Value at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2");
        return;
    }
    if (ra < 0 || (ra == 1 && (age < 60 || age > 21600))) {
        call_error(c, 400, "ValidationException",
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
        call_error(c, 500, "ServiceException", "out of memory");
        return;
    }
    free(fn->eic->on_success);
    free(fn->eic->on_failure);
    *fn->eic = next;
    call_persist(c, fn, fn->name, eic_saved);
}

void lambda_put_function_event_invoke_config(struct lambda_call *c)
{
    struct lambda_function *fn = call_require_function(c);
    if (fn)
        save_eic(c, fn, true);
}

void lambda_update_function_event_invoke_config(struct lambda_call *c)
{
    struct lambda_function *fn = function_with_eic(c);
    if (fn)
        save_eic(c, fn, false);
}
