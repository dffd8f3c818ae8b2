/* response: encodes SQS results and errors in the query protocol (XML in
 * the 2012-11-05 namespace, lists flattened as the model says) and in the
 * JSON 1.0 protocol (members by their model names, absent when empty).
 *
 * Each operation's result is written by one function that receives a tiny
 * "writer" for the chosen protocol, so the member names and order live in
 * one place for both protocols. */
#include "protocol/sqs/sqs.h"

#include "protocol/core/base64.h"

#include <stdio.h>
#include <string.h>

/* ---- a protocol-neutral writer ----------------------------------------- */

struct writer {
    enum sqs_protocol proto;
    struct strbuf *out;
    bool first;        /* JSON: no comma needed before the next member */
};

static void w_sep(struct writer *w)
{
    if (!w->first)
        strbuf_putc(w->out, ',');
    w->first = false;
}

static void w_name(struct writer *w, const char *name)
{
    w_sep(w);
    strbuf_json_string(w->out, name, strlen(name));
    strbuf_putc(w->out, ':');
}

/* A string member: <Name>v</Name> or "Name":"v". */
static void w_str_len(struct writer *w, const char *name, const char *v, size_t len)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "<%s>", name);
        strbuf_xml_escape(w->out, v, len);
        strbuf_printf(w->out, "</%s>", name);
    } else {
        w_name(w, name);
        strbuf_json_string(w->out, v, len);
    }
}

static void w_str(struct writer *w, const char *name, const char *v)
{
    if (v && *v)
        w_str_len(w, name, v, strlen(v));
}

static void w_int(struct writer *w, const char *name, long long v)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "<%s>%lld</%s>", name, v, name);
    } else {
        w_name(w, name);
        strbuf_printf(w->out, "%lld", v);
    }
}

static void w_bool(struct writer *w, const char *name, bool v)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "<%s>%s</%s>", name, v ? "true" : "false", name);
    } else {
        w_name(w, name);
        strbuf_puts(w->out, v ? "true" : "false");
    }
}

/* Structures: XML <Elem>..</Elem> (one per list item, flattened), JSON {..}.
 * `json_name` NULL means an anonymous list item. */
static void w_open(struct writer *w, const char *xml_elem, const char *json_name)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "<%s>", xml_elem);
        return;
    }
    if (json_name)
        w_name(w, json_name);
    else
        w_sep(w);
    strbuf_putc(w->out, '{');
    w->first = true;
}

static void w_close(struct writer *w, const char *xml_elem)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "</%s>", xml_elem);
    } else {
        strbuf_putc(w->out, '}');
        w->first = false;
    }
}

/* JSON arrays wrap flattened XML lists; no-ops for XML. */
static void w_list_open(struct writer *w, const char *json_name)
{
    if (w->proto == SQS_PROTOCOL_JSON) {
        w_name(w, json_name);
        strbuf_putc(w->out, '[');
        w->first = true;
    }
}

static void w_list_close(struct writer *w)
{
    if (w->proto == SQS_PROTOCOL_JSON) {
        strbuf_putc(w->out, ']');
        w->first = false;
    }
}

/* A list of strings: flattened <Elem>s, or a JSON array. */
static void w_str_list(struct writer *w, const char *xml_elem, const char *json_name,
                       const struct sqs_str_list *l, bool json_always)
{
    if (l->n == 0 && !(json_always && w->proto == SQS_PROTOCOL_JSON))
        return;
    w_list_open(w, json_name);
    for (size_t i = 0; i < l->n; i++) {
        if (w->proto == SQS_PROTOCOL_QUERY) {
            strbuf_xml_elem(w->out, xml_elem, l->items[i]);
        } else {
            w_sep(w);
            strbuf_json_string(w->out, l->items[i], strlen(l->items[i]));
        }
    }
    w_list_close(w);
}

/* A string map: flattened <Elem><key_elem/><Value/></Elem>, or a JSON object. */
static void w_map(struct writer *w, const char *xml_elem, const char *key_elem,
                  const char *json_name, const struct sqs_kv_list *m, bool json_always)
{
    if (m->n == 0 && !(json_always && w->proto == SQS_PROTOCOL_JSON))
        return;
    if (w->proto == SQS_PROTOCOL_QUERY) {
        for (size_t i = 0; i < m->n; i++) {
            strbuf_printf(w->out, "<%s>", xml_elem);
            strbuf_xml_elem(w->out, key_elem, m->items[i].key);
            strbuf_xml_elem(w->out, "Value", m->items[i].value);
            strbuf_printf(w->out, "</%s>", xml_elem);
        }
        return;
    }
    w_open(w, xml_elem, json_name);
    for (size_t i = 0; i < m->n; i++)
        w_str_len(w, m->items[i].key, m->items[i].value, strlen(m->items[i].value));
    w_close(w, xml_elem);
}

static void w_msg_attrs(struct writer *w, const struct sqs_msg_attrs *attrs)
{
    if (attrs->n == 0)
        return;
    if (w->proto == SQS_PROTOCOL_JSON) {
        w_name(w, "MessageAttributes");
        strbuf_putc(w->out, '{');
        w->first = true;
    }
    for (size_t i = 0; i < attrs->n; i++) {
        const struct sqs_msg_attr *a = &attrs->items[i];
        if (w->proto == SQS_PROTOCOL_QUERY) {
            strbuf_puts(w->out, "<MessageAttribute>");
            strbuf_xml_elem(w->out, "Name", a->name);
            strbuf_puts(w->out, "<Value>");
        } else {
            w_open(w, "Value", a->name);
        }
        if (a->binary) {
            struct strbuf b64;
            strbuf_init(&b64);
            base64_append(&b64, (const unsigned char *)a->value, a->value_len);
            if (strbuf_failed(&b64))
                w->out->oom = true;
            else
                w_str_len(w, "BinaryValue", b64.data ? b64.data : "", b64.len);
            strbuf_free(&b64);
        } else {
            w_str_len(w, "StringValue", a->value, a->value_len);
        }
        w_str(w, "DataType", a->data_type);
        if (w->proto == SQS_PROTOCOL_QUERY)
            strbuf_puts(w->out, "</Value></MessageAttribute>");
        else
            w_close(w, "Value");
    }
    if (w->proto == SQS_PROTOCOL_JSON) {
        strbuf_putc(w->out, '}');
        w->first = false;
    }
}

/* ---- per-operation results -------------------------------------------- */

static void w_failures(struct writer *w, const struct sqs_response *r)
{
    if (r->n_failed == 0 && w->proto == SQS_PROTOCOL_QUERY)
        return;
    w_list_open(w, "Failed");
    for (size_t i = 0; i < r->n_failed; i++) {
        const struct sqs_batch_failure *f = &r->failed[i];
        w_open(w, "BatchResultErrorEntry", NULL);
        w_str(w, "Id", f->id);
        w_bool(w, "SenderFault", f->sender_fault);
        w_str(w, "Code", f->code);
        w_str(w, "Message", f->message);
        w_close(w, "BatchResultErrorEntry");
    }
    w_list_close(w);
}

static void w_send_result(struct writer *w, const struct sqs_send_result *s)
{
    w_str(w, "Id", s->id);
    w_str(w, "MessageId", s->message_id);
    w_str(w, "MD5OfMessageBody", s->md5_body);
    w_str(w, "MD5OfMessageAttributes", s->md5_attrs);
    w_str(w, "MD5OfMessageSystemAttributes", s->md5_system_attrs);
    w_str(w, "SequenceNumber", s->sequence_number);
}

static void w_messages(struct writer *w, const struct sqs_response *r)
{
    if (r->n_messages == 0)
        return;
    w_list_open(w, "Messages");
    for (size_t i = 0; i < r->n_messages; i++) {
        const struct sqs_received_message *m = &r->messages[i];
        w_open(w, "Message", NULL);
        w_str(w, "MessageId", m->message_id);
        w_str(w, "ReceiptHandle", m->receipt_handle);
        w_str(w, "MD5OfBody", m->md5_body);
        w_str_len(w, "Body", m->body, m->body_len);
        w_map(w, "Attribute", "Name", "Attributes", &m->system_attrs, false);
        w_str(w, "MD5OfMessageAttributes", m->md5_attrs);
        w_msg_attrs(w, &m->attrs);
        w_close(w, "Message");
    }
    w_list_close(w);
}

static void w_tasks(struct writer *w, const struct sqs_response *r)
{
    w_list_open(w, "Results");
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct sqs_move_task_info *t = &r->tasks[i];
        w_open(w, "Results", NULL);
        w_str(w, "TaskHandle", t->task_handle);
        w_str(w, "Status", t->status);
        w_str(w, "SourceArn", t->source_arn);
        w_str(w, "DestinationArn", t->destination_arn);
        if (t->max_per_second >= 0)
            w_int(w, "MaxNumberOfMessagesPerSecond", t->max_per_second);
        w_int(w, "ApproximateNumberOfMessagesMoved", t->moved);
        w_int(w, "ApproximateNumberOfMessagesToMove", t->to_move);
        w_str(w, "FailureReason", t->failure_reason);
        w_int(w, "StartedTimestamp", t->started_ms);
        w_close(w, "Results");
    }
    w_list_close(w);
}

/* Writes the result members; false for operations without a result. */
static bool w_result(struct writer *w, const struct sqs_response *r)
{
    switch (r->op) {
    case SQS_OP_CREATE_QUEUE:
    case SQS_OP_GET_QUEUE_URL:
        w_str(w, "QueueUrl", r->queue_url);
        return true;
    case SQS_OP_LIST_QUEUES:
        w_str_list(w, "QueueUrl", "QueueUrls", &r->queue_urls, false);
        w_str(w, "NextToken", r->next_token);
        return true;
    case SQS_OP_LIST_DEAD_LETTER_SOURCE_QUEUES:
        w_str_list(w, "QueueUrl", "queueUrls", &r->queue_urls, true);
        w_str(w, "NextToken", r->next_token);
        return true;
    case SQS_OP_GET_QUEUE_ATTRIBUTES:
        w_map(w, "Attribute", "Name", "Attributes", &r->attributes, false);
        return true;
    case SQS_OP_LIST_QUEUE_TAGS:
        w_map(w, "Tag", "Key", "Tags", &r->tags, false);
        return true;
    case SQS_OP_SEND_MESSAGE:
        if (r->n_sent)
            w_send_result(w, &r->sent[0]);
        return true;
    case SQS_OP_SEND_MESSAGE_BATCH:
        w_list_open(w, "Successful");
        for (size_t i = 0; i < r->n_sent; i++) {
            w_open(w, "SendMessageBatchResultEntry", NULL);
            w_send_result(w, &r->sent[i]);
            w_close(w, "SendMessageBatchResultEntry");
        }
        w_list_close(w);
        w_failures(w, r);
        return true;
    case SQS_OP_DELETE_MESSAGE_BATCH:
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH: {
        const char *elem = r->op == SQS_OP_DELETE_MESSAGE_BATCH
                               ? "DeleteMessageBatchResultEntry"
                               : "ChangeMessageVisibilityBatchResultEntry";
        w_list_open(w, "Successful");
        for (size_t i = 0; i < r->succeeded_ids.n; i++) {
            w_open(w, elem, NULL);
            w_str(w, "Id", r->succeeded_ids.items[i]);
            w_close(w, elem);
        }
        w_list_close(w);
        w_failures(w, r);
        return true;
    }
    case SQS_OP_RECEIVE_MESSAGE:
        w_messages(w, r);
        return true;
    case SQS_OP_START_MESSAGE_MOVE_TASK:
        w_str(w, "TaskHandle", r->task_handle);
        return true;
    case SQS_OP_CANCEL_MESSAGE_MOVE_TASK:
        w_int(w, "ApproximateNumberOfMessagesMoved", r->moved);
        return true;
    case SQS_OP_LIST_MESSAGE_MOVE_TASKS:
        w_tasks(w, r);
        return true;
    default:
        return false;
    }
}

void sqs_encode_response(enum sqs_protocol proto, const struct sqs_response *resp,
                         const char *request_id, struct strbuf *out,
                         const char **content_type)
{
    struct writer w = {.proto = proto, .out = out, .first = true};
    if (proto == SQS_PROTOCOL_JSON) {
        *content_type = "application/x-amz-json-1.0";
        strbuf_putc(out, '{');
        w_result(&w, resp);
        strbuf_putc(out, '}');
        return;
    }
    *content_type = "text/xml";
    const char *op = sqs_op_name(resp->op);
    strbuf_printf(out, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" SQS_XMLNS "\">", op);
    size_t mark = out->len;
    strbuf_printf(out, "<%sResult>", op);
    if (w_result(&w, resp)) {
        strbuf_printf(out, "</%sResult>", op);
    } else if (!strbuf_failed(out)) {
        out->len = mark;
        out->data[mark] = '\0';
    }
    strbuf_puts(out, "<ResponseMetadata>");
    strbuf_xml_elem(out, "RequestId", request_id);
    strbuf_printf(out, "</ResponseMetadata></%sResponse>", op);
}

int sqs_encode_error(enum sqs_protocol proto, const struct sqs_error *err,
                     const char *request_id, struct strbuf *out,
                     const char **content_type,
                     char *query_error_header, size_t header_size)
{
    const char *fault = sqs_err_sender_fault(err->code) ? "Sender" : "Receiver";
    if (proto == SQS_PROTOCOL_JSON) {
        *content_type = "application/x-amz-json-1.0";
        snprintf(query_error_header, header_size, "%s;%s", sqs_err_query_code(err->code), fault);
        const char *type = sqs_err_json_type(err->code);
        strbuf_puts(out, "{\"__type\":");
        strbuf_json_string(out, type, strlen(type));
        strbuf_puts(out, ",\"message\":");
        strbuf_json_string(out, err->message, strlen(err->message));
        strbuf_putc(out, '}');
    } else {
        *content_type = "text/xml";
        if (header_size)
            query_error_header[0] = '\0';
        strbuf_puts(out, "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"" SQS_XMLNS "\"><Error>");
        strbuf_xml_elem(out, "Type", fault);
        strbuf_xml_elem(out, "Code", sqs_err_query_code(err->code));
        strbuf_xml_elem(out, "Message", err->message);
        strbuf_puts(out, "<Detail/></Error>");
        strbuf_xml_elem(out, "RequestId", request_id);
        strbuf_puts(out, "</ErrorResponse>");
    }
    return sqs_err_status(err->code);
}

void sqs_response_init(struct sqs_response *resp, enum sqs_op op)
{
    memset(resp, 0, sizeof(*resp));
    resp->op = op;
}

void sqs_response_free(struct sqs_response *resp)
{
    sqs_arena_free(&resp->arena);
    memset(resp, 0, sizeof(*resp));
}
