/* fuzz_sigv4: libFuzzer target for the SigV4 and SigV2 parsers/verifiers
 * and the aws-chunked decoder.
 *
 * The input's first byte picks the size of the pieces the body is fed in;
 * the rest is used twice: split on '\n' into method, path, query,
 * Authorization, X-Amz-Date, Date and X-Amz-Content-Sha256 for
 * sigv4_parse()/sigv4_verify() and sigv2_parse()/sigv2_verify(), and fed whole as an aws-chunked body (in
 * pieces) to each decoder mode. Crashes, leaks and sanitizer reports are
 * the findings; results are not checked. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/strbuf.h"
#include "protocol/auth/sigv2.h"
#include "protocol/auth/sigv4.h"

#define FIELD_COUNT 7

static int discard(void *arg, const void *data, size_t len)
{
    (void)arg;
    (void)data;
    (void)len;
    return 0;
}

/* The same request as SigV2 (header or presigned form), path-style and
 * virtual-hosted, at its own time so the clock lets the resource variants
 * be built. */
static void fuzz_sigv2(const struct http_request_view *req)
{
    struct sigv2_auth auth;
    if (sigv2_parse(req, &auth) != SIGV2_OK)
        return;
    struct strbuf sts;
    strbuf_init(&sts);
    int64_t now = auth.presigned ? auth.expires : auth.request_time;
    sigv2_verify(req, &auth, "secret", NULL, now, &sts);
    sigv2_verify(req, &auth, "secret", "bucket", now, &sts);
    strbuf_free(&sts);
}

static void fuzz_request(char *text)
{
    char *fields[FIELD_COUNT] = { "GET", "/", "", NULL, NULL, NULL, NULL };
    char *p = text;
    for (int i = 0; i < FIELD_COUNT && p; i++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        fields[i] = p;
        p = nl ? nl + 1 : NULL;
    }
    static const char *const names[] = { "authorization", "x-amz-date", "date",
                                         "x-amz-content-sha256" };
    struct http_header headers[5];
    size_t n = 0;
    headers[n++] = (struct http_header){ .name = "host", .value = "example.amazonaws.com" };
    for (int i = 0; i < 4; i++)
        if (fields[3 + i])
            headers[n++] = (struct http_header){ .name = (char *)names[i], .value = fields[3 + i] };
    struct http_request_view req = { .method = fields[0], .path = fields[1], .query = fields[2],
                                     .headers = headers, .n_headers = n };
    fuzz_sigv2(&req);
    struct sigv4_auth auth;
    if (sigv4_parse(&req, &auth) != SIGV4_OK)
        return;
    struct strbuf sts, creq;
    strbuf_init(&sts);
    strbuf_init(&creq);
    for (int s3 = 0; s3 < 2; s3++) {
        struct sigv4_verify_opts opts = { .now = auth.request_time, .max_skew_s = 900,
                                          .s3_path_encoding = s3 != 0,
                                          .body_sha256_hex = "UNSIGNED-PAYLOAD" };
        sigv4_verify(&req, &auth, "secret", &opts, &sts, &creq);
    }
    strbuf_free(&sts);
    strbuf_free(&creq);
}

/* verify false: no signing key (a key whose secret is unknown), the chunk
 * signatures read but not checked, so the fuzzer reaches past them. */
static void fuzz_chunked(enum aws_chunked_mode mode, const uint8_t *body, size_t len,
                         size_t piece, bool verify)
{
    static const unsigned char signing_key[32] = { 1 };
    const unsigned char *key = verify ? signing_key : NULL;
    const char *seed = "0000000000000000000000000000000000000000000000000000000000000000";
    struct aws_chunked_decoder *dec =
        aws_chunked_new(mode, key, seed, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                        mode == AWS_CHUNKED_SIGNED ? NULL : "x-amz-checksum-crc32", -1);
    if (!dec)
        return;
    size_t off = 0;
    enum aws_chunked_status st = AWS_CHUNKED_MORE;
    while (off < len && st == AWS_CHUNKED_MORE) {
        size_t take = len - off < piece ? len - off : piece;
        size_t consumed = 0;
        st = aws_chunked_feed(dec, body + off, take, &consumed, discard, NULL);
        if (consumed > take)
            abort();
        off += consumed;
    }
    aws_chunked_free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t piece = (size_t)(data[0] & 0x3f) + 1;
    bool verify = !(data[0] & 0x40);
    const uint8_t *rest = data + 1;
    size_t rest_len = size - 1;

    char *text = malloc(rest_len + 1);
    if (!text)
        return 0;
    memcpy(text, rest, rest_len);
    text[rest_len] = '\0';
    fuzz_request(text);
    free(text);

    fuzz_chunked(AWS_CHUNKED_SIGNED, rest, rest_len, piece, verify);
    fuzz_chunked(AWS_CHUNKED_SIGNED_TRAILER, rest, rest_len, piece, verify);
    fuzz_chunked(AWS_CHUNKED_UNSIGNED_TRAILER, rest, rest_len, piece, true);
    return 0;
}
