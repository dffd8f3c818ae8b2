/* permissions: AddPermission and RemovePermission, kept in the queue's
 * Policy.
 *
 * AddPermission appends an Allow statement whose Sid is the Label, with
 * the accounts as arn:aws:iam::<id>:root principals and the actions as
 * "SQS:<name>"; RemovePermission drops the statement of that Sid. Both
 * parse the Policy document (protocol/core/json), rewrite its Statement
 * list and serialize it back; a policy left without statements is
 * removed. The server evaluates the result like any queue Policy. */
#include "storage/sqs/engine_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocol/core/json.h"

/* Rewrites the queue's Policy: drops the statement with Sid == label and,
 * when `add` is set, appends `add` (a serialized statement). */
static enum sqs_err edit_policy(const struct sqs_call *call, struct sqs_queue *q,
                                const char *label, const char *add, struct sqs_error *err)
{
    const struct json_value *root = q->s.policy ? json_parse(q->s.policy, strlen(q->s.policy), NULL) : NULL;
    const struct json_value *stmts = json_get(root, "Statement");
    if (!json_is(stmts, JSON_ARRAY))
        stmts = NULL;
    bool found = false;
    struct strbuf out;
    strbuf_init(&out);
    strbuf_puts(&out, "{\"Version\":\"2012-10-17\",\"Id\":");
    char id[512];
    snprintf(id, sizeof(id), "%s/SQSDefaultPolicy", q->arn);
    strbuf_json_string(&out, id, strlen(id));
    strbuf_puts(&out, ",\"Statement\":[");
    bool first = true;
    for (size_t i = 0; stmts && i < stmts->len; i++) {
        const struct json_value *st = &stmts->u.items[i];
        const char *sid = json_str(st, "Sid");
        if (sid && strcmp(sid, label) == 0) {
            found = true;
            continue;
        }
        if (!first)
            strbuf_putc(&out, ',');
        struct json_writer w;
        jw_init(&w, &out);
        jw_tree(&w, NULL, st);
        first = false;
    }
    json_free(root);
    enum sqs_err rc = SQS_OK;
    if (add && found)
        rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                           "Value %.80s for parameter Label is invalid. Reason: Already exists.",
                           label);
    else if (!add && !found)
        rc = sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                           "Value %.80s for parameter Label is invalid. Reason: can't find label "
                           "on existing policy.", label);
    if (!rc) {
        if (add) {
            if (!first)
                strbuf_putc(&out, ',');
            strbuf_puts(&out, add);
        }
        strbuf_puts(&out, "]}");
        if (strbuf_failed(&out)) {
            rc = oom(err);
        } else {
            bool empty = !add && first;
            char *old = q->s.policy;
            q->s.policy = empty ? NULL : strbuf_detach(&out, NULL);
            int64_t old_modified = q->modified_ms;
            q->modified_ms = call->now_ms;
            if (!emit_queue_put(call, q)) {
                free(q->s.policy);
                q->s.policy = old;
                q->modified_ms = old_modified;
                rc = oom(err);
            } else {
                free(old);
            }
        }
    }
    strbuf_free(&out);
    return rc;
}

enum sqs_err engine_add_permission(struct sqs_engine *e, const struct sqs_call *call,
                                   const struct sqs_request *req, struct sqs_response *resp,
                                   struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    for (const char *p = req->label; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "Value %.80s for parameter Label is invalid. Reason: Must "
                                 "contain only alphanumeric characters, hyphens and underscores.",
                                 req->label);
    struct strbuf st;
    strbuf_init(&st);
    strbuf_puts(&st, "{\"Sid\":");
    strbuf_json_string(&st, req->label, strlen(req->label));
    strbuf_puts(&st, ",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[");
    for (size_t i = 0; i < req->account_ids.n; i++) {
        char principal[128];
        snprintf(principal, sizeof(principal), "arn:aws:iam::%.64s:root", req->account_ids.items[i]);
        if (i)
            strbuf_putc(&st, ',');
        strbuf_json_string(&st, principal, strlen(principal));
    }
    strbuf_puts(&st, "]},\"Action\":[");
    for (size_t i = 0; i < req->actions.n; i++) {
        char action[128];
        snprintf(action, sizeof(action), "SQS:%.64s", req->actions.items[i]);
        if (i)
            strbuf_putc(&st, ',');
        strbuf_json_string(&st, action, strlen(action));
    }
    strbuf_puts(&st, "],\"Resource\":");
    strbuf_json_string(&st, q->arn, strlen(q->arn));
    strbuf_putc(&st, '}');
    enum sqs_err rc = strbuf_failed(&st) ? oom(err) : edit_policy(call, q, req->label, st.data, err);
    strbuf_free(&st);
    return rc;
}

enum sqs_err engine_remove_permission(struct sqs_engine *e, const struct sqs_call *call,
                                      const struct sqs_request *req, struct sqs_response *resp,
                                      struct sqs_error *err)
{
    struct sqs_queue *q = engine_request_queue(e, req, err);
    if (!q)
        return err->code;
    return edit_policy(call, q, req->label, NULL, err);
}
