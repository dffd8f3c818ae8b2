/* fuzz_sqs_decode: libFuzzer target for both SQS request decoders.
 *
 * Input layout: byte 0 picks the protocol (even: query, odd: JSON). For the
 * query protocol the rest is split at the first '\n' into the URL query and
 * the form body; for JSON the part before '\n' is the operation name
 * (prefixed with "AmazonSQS.") and the rest is the body. A decoded request
 * is encoded back as an empty response of its operation, and a rejected
 * one as an error in both protocols, so the error paths are exercised too.
 * Any crash, leak or sanitizer report is a bug. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "protocol/sqs/sqs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool json = data[0] & 1;
    const char *rest = (const char *)data + 1;
    size_t len = size - 1;
    const char *nl = memchr(rest, '\n', len);
    size_t head = nl ? (size_t)(nl - rest) : 0;
    const char *body = nl ? nl + 1 : rest;
    size_t body_len = nl ? len - head - 1 : len;

    struct sqs_request req;
    struct sqs_error err;
    enum sqs_err rc;
    if (json) {
        char target[96];
        snprintf(target, sizeof(target), "AmazonSQS.%.*s", (int)(head < 80 ? head : 80), rest);
        rc = sqs_decode_json(target, body, body_len, &req, &err);
    } else {
        rc = sqs_decode_query(rest, head, body, body_len, "/000000000000/q", &req, &err);
    }
    struct strbuf out;
    strbuf_init(&out);
    const char *content_type;
    if (rc == SQS_OK) {
        struct sqs_response resp;
        sqs_response_init(&resp, req.op);
        sqs_encode_response(SQS_PROTOCOL_QUERY, &resp, "fuzz", &out, &content_type);
        strbuf_reset(&out);
        sqs_encode_response(SQS_PROTOCOL_JSON, &resp, "fuzz", &out, &content_type);
        sqs_response_free(&resp);
        for (size_t i = 0; i < req.n_sends; i++) {
            char md5[33];
            sqs_attrs_md5(&req.sends[i].attrs, md5);
        }
        sqs_request_free(&req);
    } else {
        char header[160];
        sqs_encode_error(SQS_PROTOCOL_QUERY, &err, "fuzz", &out, &content_type, header, sizeof(header));
        strbuf_reset(&out);
        sqs_encode_error(SQS_PROTOCOL_JSON, &err, "fuzz", &out, &content_type, header, sizeof(header));
    }
    strbuf_free(&out);
    return 0;
}
