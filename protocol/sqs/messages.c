/* messages: the wire form of SendMessage(Batch), ReceiveMessage,
 * DeleteMessage(Batch) and ChangeMessageVisibility(Batch).
 *
 * Decoding checks what AWS checks before looking at a queue: the body's
 * characters, message attributes (names, types, values, at most 10, no
 * repeats), sizes (1 MiB a message, 1 MiB a batch), and batch rules (1 to
 * 10 entries, valid and distinct ids). A batch entry that fails its own
 * checks is kept with its error (reported in Failed) while the others are
 * sent; the same failure in a single-message request fails the request.
 * Results list each message sent or received, and batches' Successful and
 * Failed entries. */
#include "protocol/sqs/codec.h"

#include "protocol/core/base64.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- message bodies -------------------------------------------------------- */

bool sqs_body_is_valid(const char *body, size_t len, struct sqs_error *err)
{
    const unsigned char *s = (const unsigned char *)body;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        unsigned char c = s[i];
        if (c < 0x80) { cp = c; n = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; n = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; n = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; n = 4; }
        else { cp = c; n = 0; }
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* reject overlong forms and surrogates */
        if (ok && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)))
            ok = false;
        if (ok)
            ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                 (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
        if (!ok) {
            sqs_error_set(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                          "Invalid binary character '#x%X' was found in the message body, "
                          "the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF"
                          " | #xE000 to #xFFFD | #x10000 to #x10FFFF", (unsigned)cp);
            return false;
        }
        i += n;
    }
    return true;
}

/* ---- message attributes -------------------------------------------------- */

static bool attr_name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 256 || name[0] == '.' || name[len - 1] == '.')
        return false;
    if (strncasecmp(name, "AWS.", 4) == 0 || strncasecmp(name, "Amazon.", 7) == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
            return false;
        if (c == '.' && name[i + 1] == '.')
            return false;
    }
    return true;
}

static bool is_number(const char *s)
{
    char *end;
    errno = 0;
    if (!*s || isspace((unsigned char)*s))
        return false;
    strtod(s, &end);
    return *end == '\0' && errno == 0;
}

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct sqs_msg_attr *)a)->name, ((const struct sqs_msg_attr *)b)->name);
}

/* Decodes "<prefix>.N.Name" / ".Value.DataType|StringValue|BinaryValue". */
static enum sqs_err get_msg_attrs(struct sqs_request *req, const struct sqs_params *ps,
                                  const char *prefix, bool system, struct sqs_msg_attrs *out,
                                  size_t *payload, struct sqs_error *err)
{
    size_t n = sqs_params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    if (n > SQS_MAX_MESSAGE_ATTRIBUTES)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Number of message attributes [%zu] exceeds the allowed maximum [%d].",
                             n, SQS_MAX_MESSAGE_ATTRIBUTES);
    out->items = arena_alloc(&req->arena, n * sizeof(*out->items));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    const char *kind = system ? "message system attribute" : "message (user) attribute";
    char key[256];
    for (size_t i = 0; i < n; i++) {
        struct sqs_msg_attr *a = &out->items[i];
        snprintf(key, sizeof(key), "%s.%zu.Name", prefix, i + 1);
        a->name = sqs_param_str(ps, key);
        if (!a->name)
            return sqs_param_missing(err, key);
        if (system ? strcmp(a->name, "AWSTraceHeader") != 0 : !attr_name_is_valid(a->name))
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s name '%.256s' is invalid.", kind, a->name);
        snprintf(key, sizeof(key), "%s.%zu.Value.DataType", prefix, i + 1);
        a->data_type = sqs_param_str(ps, key);
        if (!a->data_type || !*a->data_type)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s '%.256s' must contain a non-empty message attribute type.",
                                 kind, a->name);
        bool is_string = strncmp(a->data_type, "String", 6) == 0 &&
                         (a->data_type[6] == '\0' || a->data_type[6] == '.');
        bool is_number_type = strncmp(a->data_type, "Number", 6) == 0 &&
                              (a->data_type[6] == '\0' || a->data_type[6] == '.');
        a->binary = strncmp(a->data_type, "Binary", 6) == 0 &&
                    (a->data_type[6] == '\0' || a->data_type[6] == '.');
        if ((!is_string && !is_number_type && !a->binary) || strlen(a->data_type) > 256 ||
            (system && !is_string))
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The type of %s '%.256s' is invalid. You must use only the "
                                 "following supported type prefixes: Binary, Number, String.",
                                 kind, a->name);
        snprintf(key, sizeof(key), "%s.%zu.Value.%s", prefix, i + 1,
                 a->binary ? "BinaryValue" : "StringValue");
        const struct sqs_param *v = sqs_params_get(ps, key);
        if (!v || v->value_len == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s '%.256s' must contain a non-empty message attribute "
                                 "value for message attribute type '%.64s'.",
                                 kind, a->name, a->binary ? "Binary" : is_string ? "String" : "Number");
        if (a->binary) {
            a->value = arena_alloc(&req->arena, v->value_len);
            if (!a->value)
                return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
            long n = base64_decode_lenient(v->value, v->value_len, (unsigned char *)a->value, v->value_len);
            if (n >= 0)
                a->value_len = (size_t)n;
            else
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "The %s '%.256s' has an invalid base64 binary value.",
                                     kind, a->name);
        } else {
            a->value = v->value;
            a->value_len = v->value_len;
            struct sqs_error ignored;
            if (!sqs_body_is_valid(a->value, a->value_len, &ignored) ||
                strlen(a->value) != a->value_len)
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "The %s '%.256s' contains invalid characters.",
                                     kind, a->name);
            if (is_number_type && !is_number(a->value))
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "Can't cast the value of %s '%.256s' to a number.",
                                     kind, a->name);
        }
        *payload += strlen(a->name) + strlen(a->data_type) + a->value_len;
    }
    out->n = n;
    qsort(out->items, n, sizeof(*out->items), attr_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(out->items[i - 1].name, out->items[i].name) == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "Message (user) attribute name '%.256s' is repeated.",
                                 out->items[i].name);
    return SQS_OK;
}

/* ---- batch entries ---------------------------------------------------- */

static bool batch_id_is_valid(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > 80)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return false;
    return true;
}

/* Counts the entries and checks the rules that fail a whole batch request. */
static enum sqs_err check_batch(const struct sqs_params *ps, const char *entry, size_t *count,
                                struct sqs_error *err)
{
    size_t n = sqs_params_count(ps, entry);
    if (n == 0)
        return sqs_error_set(err, SQS_ERR_EMPTY_BATCH,
                             "There should be at least one %s in the request.", entry);
    if (n > SQS_MAX_BATCH)
        return sqs_error_set(err, SQS_ERR_TOO_MANY_ENTRIES,
                             "Maximum number of entries per request are %d. You have sent %zu.",
                             SQS_MAX_BATCH, n);
    char key[256];
    const char *ids[SQS_MAX_BATCH];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu.Id", entry, i + 1);
        ids[i] = sqs_param_str(ps, key);
        if (!ids[i] || !batch_id_is_valid(ids[i]))
            return sqs_error_set(err, SQS_ERR_INVALID_BATCH_ENTRY_ID,
                                 "A batch entry id can only contain alphanumeric characters, "
                                 "hyphens and underscores. It can be at most 80 letters long.");
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return sqs_error_set(err, SQS_ERR_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", ids[i]);
    }
    *count = n;
    return SQS_OK;
}

/* Decodes one message to send; `prefix` is "" or "SendMessageBatchRequestEntry.N.".
 * Validation failures go to entry->error (the caller decides whether they
 * fail the request or just the entry); only allocation failures return. */
static enum sqs_err decode_send_entry(struct sqs_request *req, const struct sqs_params *ps,
                                      const char *prefix, struct sqs_send_entry *e,
                                      size_t *payload)
{
    char key[256];
    struct sqs_error *err = &e->error;
    snprintf(key, sizeof(key), "%sId", prefix);
    e->id = sqs_param_str(ps, key);
    snprintf(key, sizeof(key), "%sMessageBody", prefix);
    const struct sqs_param *body = sqs_params_get(ps, key);
    snprintf(key, sizeof(key), "%sMessageGroupId", prefix);
    e->group_id = sqs_param_str(ps, key);
    snprintf(key, sizeof(key), "%sMessageDeduplicationId", prefix);
    e->dedup_id = sqs_param_str(ps, key);
    snprintf(key, sizeof(key), "%sDelaySeconds", prefix);
    if (sqs_param_int(ps, key, "DelaySeconds", 0, SQS_MAX_DELAY, &e->delay_seconds, err))
        return SQS_OK;
    if (!body || body->value_len == 0) {
        sqs_param_missing(err, "MessageBody");
        return SQS_OK;
    }
    e->body = body->value;
    e->body_len = body->value_len;
    if (!sqs_body_is_valid(e->body, e->body_len, err))
        return SQS_OK;
    size_t size = e->body_len;
    snprintf(key, sizeof(key), "%sMessageAttribute", prefix);
    enum sqs_err rc = get_msg_attrs(req, ps, key, false, &e->attrs, &size, err);
    if (rc == SQS_ERR_INTERNAL)
        return rc;
    if (rc)
        return SQS_OK;
    size_t ignored = 0;
    snprintf(key, sizeof(key), "%sMessageSystemAttribute", prefix);
    rc = get_msg_attrs(req, ps, key, true, &e->system_attrs, &ignored, err);
    if (rc == SQS_ERR_INTERNAL)
        return rc;
    if (rc)
        return SQS_OK;
    if (size > SQS_MAX_PAYLOAD) {
        sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                      "One or more parameters are invalid. Reason: Message must be shorter "
                      "than %d bytes.", SQS_MAX_PAYLOAD);
        return SQS_OK;
    }
    *payload += size;
    return SQS_OK;
}

/* SendMessage (one message) or SendMessageBatch (1 to 10 entries). */
static enum sqs_err decode_sends(struct sqs_request *req, const struct sqs_params *ps,
                                 struct sqs_error *err)
{
    enum sqs_err rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err);
    if (rc)
        return rc;
    const char *entry = sqs_codecs[req->op]->batch_entry;
    bool batch = entry != NULL;
    size_t n = 1;
    if (batch) {
        rc = check_batch(ps, entry, &n, err);
        if (rc)
            return rc;
    }
    req->sends = arena_alloc(&req->arena, n * sizeof(*req->sends));
    if (!req->sends)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    req->n_sends = n;
    size_t payload = 0;
    char prefix[64] = "";
    for (size_t i = 0; i < n; i++) {
        if (batch)
            snprintf(prefix, sizeof(prefix), "%s.%zu.", entry, i + 1);
        if (decode_send_entry(req, ps, prefix, &req->sends[i], &payload))
            return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    }
    if (!batch && req->sends[0].error.code) {
        *err = req->sends[0].error;
        return err->code;
    }
    if (batch && payload > SQS_MAX_PAYLOAD)
        return sqs_error_set(err, SQS_ERR_BATCH_REQUEST_TOO_LONG,
                             "Batch requests cannot be longer than %d bytes. You have sent "
                             "%zu bytes.", SQS_MAX_PAYLOAD, payload);
    return SQS_OK;
}

/* DeleteMessage(Batch), and with `visibility` ChangeMessageVisibility(Batch):
 * receipt handles, one or a batch of them. */
static enum sqs_err decode_handles(struct sqs_request *req, const struct sqs_params *ps,
                                   bool visibility, struct sqs_error *err)
{
    enum sqs_err rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err);
    if (rc)
        return rc;
    const char *entry = sqs_codecs[req->op]->batch_entry;
    size_t n = 1;
    if (entry) {
        rc = check_batch(ps, entry, &n, err);
        if (rc)
            return rc;
    }
    req->handles = arena_alloc(&req->arena, n * sizeof(*req->handles));
    if (!req->handles)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    req->n_handles = n;
    char key[256];
    for (size_t i = 0; i < n; i++) {
        struct sqs_handle_entry *h = &req->handles[i];
        char prefix[64] = "";
        if (entry)
            snprintf(prefix, sizeof(prefix), "%s.%zu.", entry, i + 1);
        snprintf(key, sizeof(key), "%sId", prefix);
        h->id = sqs_param_str(ps, key);
        snprintf(key, sizeof(key), "%sReceiptHandle", prefix);
        h->receipt_handle = sqs_param_str(ps, key);
        h->visibility_timeout = -1;
        if (!h->receipt_handle || !*h->receipt_handle) {
            sqs_param_missing(&h->error, "ReceiptHandle");
        } else if (visibility) {
            snprintf(key, sizeof(key), "%sVisibilityTimeout", prefix);
            if (!sqs_param_int(ps, key, "VisibilityTimeout", 0, SQS_MAX_VISIBILITY,
                               &h->visibility_timeout, &h->error) &&
                h->visibility_timeout < 0)
                sqs_param_missing(&h->error, "VisibilityTimeout");
        }
        if (!entry && h->error.code) {
            *err = h->error;
            return err->code;
        }
    }
    return SQS_OK;
}

/* ---- per-operation decoding -------------------------------------------------- */

static enum sqs_err decode_receive(struct sqs_request *req, const struct sqs_params *ps,
                                   struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    int max;
    if ((rc = sqs_param_int(ps, "MaxNumberOfMessages", "MaxNumberOfMessages", 1, SQS_MAX_BATCH,
                            &max, err)))
        return rc;
    req->max_messages = max < 0 ? 1 : max;
    if ((rc = sqs_param_int(ps, "VisibilityTimeout", "VisibilityTimeout", 0, SQS_MAX_VISIBILITY,
                            &req->visibility_timeout, err)))
        return rc;
    if ((rc = sqs_param_int(ps, "WaitTimeSeconds", "WaitTimeSeconds", 0, SQS_MAX_WAIT,
                            &req->wait_time_seconds, err)))
        return rc;
    req->receive_request_attempt_id = sqs_param_str(ps, "ReceiveRequestAttemptId");
    if ((rc = sqs_param_str_list(req, ps, "AttributeName", &req->names, err)))
        return rc;
    if ((rc = sqs_param_str_list(req, ps, "MessageSystemAttributeName",
                                 &req->system_attribute_names, err)))
        return rc;
    return sqs_param_str_list(req, ps, "MessageAttributeName", &req->message_attribute_names, err);
}

static enum sqs_err decode_deletes(struct sqs_request *req, const struct sqs_params *ps,
                                   struct sqs_error *err)
{
    return decode_handles(req, ps, false, err);
}

static enum sqs_err decode_visibility_changes(struct sqs_request *req, const struct sqs_params *ps,
                                              struct sqs_error *err)
{
    return decode_handles(req, ps, true, err);
}

/* ---- results ------------------------------------------------------------------- */

static void write_failures(struct sqs_writer *w, const struct sqs_response *r)
{
    if (r->n_failed == 0 && w->proto == SQS_PROTOCOL_QUERY)
        return;
    sqs_write_list_open(w, "Failed");
    for (size_t i = 0; i < r->n_failed; i++) {
        const struct sqs_batch_failure *f = &r->failed[i];
        sqs_write_open(w, "BatchResultErrorEntry", NULL);
        sqs_write_str(w, "Id", f->id);
        sqs_write_bool(w, "SenderFault", f->sender_fault);
        sqs_write_str(w, "Code", f->code);
        sqs_write_str(w, "Message", f->message);
        sqs_write_close(w, "BatchResultErrorEntry");
    }
    sqs_write_list_close(w);
}

static void write_send_result(struct sqs_writer *w, const struct sqs_send_result *s)
{
    sqs_write_str(w, "Id", s->id);
    sqs_write_str(w, "MessageId", s->message_id);
    sqs_write_str(w, "MD5OfMessageBody", s->md5_body);
    sqs_write_str(w, "MD5OfMessageAttributes", s->md5_attrs);
    sqs_write_str(w, "MD5OfMessageSystemAttributes", s->md5_system_attrs);
    sqs_write_str(w, "SequenceNumber", s->sequence_number);
}

static void result_send_message(struct sqs_writer *w, const struct sqs_response *r)
{
    if (r->n_sent)
        write_send_result(w, &r->sent[0]);
}

static void result_send_message_batch(struct sqs_writer *w, const struct sqs_response *r)
{
    sqs_write_list_open(w, "Successful");
    for (size_t i = 0; i < r->n_sent; i++) {
        sqs_write_open(w, "SendMessageBatchResultEntry", NULL);
        write_send_result(w, &r->sent[i]);
        sqs_write_close(w, "SendMessageBatchResultEntry");
    }
    sqs_write_list_close(w);
    write_failures(w, r);
}

static void result_receive_message(struct sqs_writer *w, const struct sqs_response *r)
{
    if (r->n_messages == 0)
        return;
    sqs_write_list_open(w, "Messages");
    for (size_t i = 0; i < r->n_messages; i++) {
        const struct sqs_received_message *m = &r->messages[i];
        sqs_write_open(w, "Message", NULL);
        sqs_write_str(w, "MessageId", m->message_id);
        sqs_write_str(w, "ReceiptHandle", m->receipt_handle);
        sqs_write_str(w, "MD5OfBody", m->md5_body);
        sqs_write_str_len(w, "Body", m->body, m->body_len);
        sqs_write_map(w, "Attribute", "Name", "Attributes", &m->system_attrs, false);
        sqs_write_str(w, "MD5OfMessageAttributes", m->md5_attrs);
        sqs_write_msg_attrs(w, &m->attrs);
        sqs_write_close(w, "Message");
    }
    sqs_write_list_close(w);
}

/* The ids of a batch's successful entries, each in an `elem`, and its failures. */
static void write_handle_batch(struct sqs_writer *w, const struct sqs_response *r, const char *elem)
{
    sqs_write_list_open(w, "Successful");
    for (size_t i = 0; i < r->succeeded_ids.n; i++) {
        sqs_write_open(w, elem, NULL);
        sqs_write_str(w, "Id", r->succeeded_ids.items[i]);
        sqs_write_close(w, elem);
    }
    sqs_write_list_close(w);
    write_failures(w, r);
}

static void result_delete_message_batch(struct sqs_writer *w, const struct sqs_response *r)
{
    write_handle_batch(w, r, "DeleteMessageBatchResultEntry");
}

static void result_change_message_visibility_batch(struct sqs_writer *w, const struct sqs_response *r)
{
    write_handle_batch(w, r, "ChangeMessageVisibilityBatchResultEntry");
}

/* ---- the operations ---------------------------------------------------------- */

const struct sqs_codec sqs_codec_send_message = {decode_sends, result_send_message, NULL};
const struct sqs_codec sqs_codec_send_message_batch = {decode_sends, result_send_message_batch,
                                                       "SendMessageBatchRequestEntry"};
const struct sqs_codec sqs_codec_receive_message = {decode_receive, result_receive_message, NULL};
const struct sqs_codec sqs_codec_delete_message = {decode_deletes, NULL, NULL};
const struct sqs_codec sqs_codec_delete_message_batch = {decode_deletes, result_delete_message_batch,
                                                         "DeleteMessageBatchRequestEntry"};
const struct sqs_codec sqs_codec_change_message_visibility = {decode_visibility_changes, NULL, NULL};
const struct sqs_codec sqs_codec_change_message_visibility_batch = {
    decode_visibility_changes, result_change_message_visibility_batch,
    "ChangeMessageVisibilityBatchRequestEntry"};
