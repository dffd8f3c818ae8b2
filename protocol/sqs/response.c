/* response: encodes SQS results and errors in the query protocol (XML in
 * the 2012-11-05 namespace, lists flattened as the model says) and in the
 * JSON 1.0 protocol (members by their model names, absent when empty).
 *
 * Each operation's result is written by one function of its family's file
 * (its sqs_codec's `result`, see codec.h) that receives the tiny writer
 * below for the chosen protocol, so the member names and order live in one
 * place for both protocols. */
#include "protocol/sqs/codec.h"

#include "protocol/core/base64.h"

#include <stdio.h>
#include <string.h>

/* ---- a protocol-neutral writer (codec.h) --------------------------------- */

static void w_sep(struct sqs_writer *w)
{
    if (!w->first)
        strbuf_putc(w->out, ',');
    w->first = false;
}

static void w_name(struct sqs_writer *w, const char *name)
{
    w_sep(w);
    strbuf_json_string(w->out, name, strlen(name));
    strbuf_putc(w->out, ':');
}

/* A string member: <Name>v</Name> or "Name":"v". */
void sqs_write_str_len(struct sqs_writer *w, const char *name, const char *v, size_t len)
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

void sqs_write_str(struct sqs_writer *w, const char *name, const char *v)
{
    if (v && *v)
        sqs_write_str_len(w, name, v, strlen(v));
}

void sqs_write_int(struct sqs_writer *w, const char *name, long long v)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "<%s>%lld</%s>", name, v, name);
    } else {
        w_name(w, name);
        strbuf_printf(w->out, "%lld", v);
    }
}

void sqs_write_bool(struct sqs_writer *w, const char *name, bool v)
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
void sqs_write_open(struct sqs_writer *w, const char *xml_elem, const char *json_name)
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

void sqs_write_close(struct sqs_writer *w, const char *xml_elem)
{
    if (w->proto == SQS_PROTOCOL_QUERY) {
        strbuf_printf(w->out, "</%s>", xml_elem);
    } else {
        strbuf_putc(w->out, '}');
        w->first = false;
    }
}

/* JSON arrays wrap flattened XML lists; no-ops for XML. */
void sqs_write_list_open(struct sqs_writer *w, const char *json_name)
{
    if (w->proto == SQS_PROTOCOL_JSON) {
        w_name(w, json_name);
        strbuf_putc(w->out, '[');
        w->first = true;
    }
}

void sqs_write_list_close(struct sqs_writer *w)
{
    if (w->proto == SQS_PROTOCOL_JSON) {
        strbuf_putc(w->out, ']');
        w->first = false;
    }
}

/* A list of strings: flattened <Elem>s, or a JSON array. */
void sqs_write_str_list(struct sqs_writer *w, const char *xml_elem, const char *json_name,
                        const struct sqs_str_list *l, bool json_always)
{
    if (l->n == 0 && !(json_always && w->proto == SQS_PROTOCOL_JSON))
        return;
    sqs_write_list_open(w, json_name);
    for (size_t i = 0; i < l->n; i++) {
        if (w->proto == SQS_PROTOCOL_QUERY) {
            strbuf_xml_elem(w->out, xml_elem, l->items[i]);
        } else {
            w_sep(w);
            strbuf_json_string(w->out, l->items[i], strlen(l->items[i]));
        }
    }
    sqs_write_list_close(w);
}

/* A string map: flattened <Elem><key_elem/><Value/></Elem>, or a JSON object. */
void sqs_write_map(struct sqs_writer *w, const char *xml_elem, const char *key_elem,
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
    sqs_write_open(w, xml_elem, json_name);
    for (size_t i = 0; i < m->n; i++)
        sqs_write_str_len(w, m->items[i].key, m->items[i].value, strlen(m->items[i].value));
    sqs_write_close(w, xml_elem);
}

void sqs_write_msg_attrs(struct sqs_writer *w, const struct sqs_msg_attrs *attrs)
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
            sqs_write_open(w, "Value", a->name);
        }
        if (a->binary) {
            struct strbuf b64;
            strbuf_init(&b64);
            base64_append(&b64, (const unsigned char *)a->value, a->value_len);
            if (strbuf_failed(&b64))
                w->out->oom = true;
            else
                sqs_write_str_len(w, "BinaryValue", b64.data ? b64.data : "", b64.len);
            strbuf_free(&b64);
        } else {
            sqs_write_str_len(w, "StringValue", a->value, a->value_len);
        }
        sqs_write_str(w, "DataType", a->data_type);
        if (w->proto == SQS_PROTOCOL_QUERY)
            strbuf_puts(w->out, "</Value></MessageAttribute>");
        else
            sqs_write_close(w, "Value");
    }
    if (w->proto == SQS_PROTOCOL_JSON) {
        strbuf_putc(w->out, '}');
        w->first = false;
    }
}

/* ---- results ------------------------------------------------------------ */

/* Writes the result members; false for operations without a result. */
static bool write_result(struct sqs_writer *w, const struct sqs_response *r)
{
    const struct sqs_codec *codec = (unsigned)r->op < SQS_OP_COUNT ? sqs_codecs[r->op] : NULL;
    if (!codec || !codec->result)
        return false;
    codec->result(w, r);
    return true;
}

void sqs_encode_response(enum sqs_protocol proto, const struct sqs_response *resp,
                         const char *request_id, struct strbuf *out,
                         const char **content_type)
{
    struct sqs_writer w = {.proto = proto, .out = out, .first = true};
    if (proto == SQS_PROTOCOL_JSON) {
        *content_type = "application/x-amz-json-1.0";
        strbuf_putc(out, '{');
        write_result(&w, resp);
        strbuf_putc(out, '}');
        return;
    }
    *content_type = "text/xml";
    const char *op = sqs_op_name(resp->op);
    strbuf_printf(out, "<?xml version=\"1.0\"?><%sResponse xmlns=\"" SQS_XMLNS "\">", op);
    size_t mark = out->len;
    strbuf_printf(out, "<%sResult>", op);
    if (write_result(&w, resp)) {
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
    arena_free(&resp->arena);
    memset(resp, 0, sizeof(*resp));
}
