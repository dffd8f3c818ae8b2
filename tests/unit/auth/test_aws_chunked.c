/* test_aws_chunked: the aws-chunked decoder on AWS's documented
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD example (whole, one byte at a time,
 * random splits), on signed-trailer bodies signed here with an independent
 * HMAC chain, and on unsigned-trailer bodies with CRC trailers; then every
 * failure: corrupted signature or data, bad or missing trailer checksum,
 * truncated body, oversize hex, over-long lines, length limits, sink errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "protocol/core/strbuf.h"
#include "protocol/auth/checksum.h"
#include "protocol/auth/sigv4.h"
#include "protocol/core/base64.h"
#include "protocol/core/hex.h"

#define S3_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define AMZ_DATE "20130524T000000Z"
#define SCOPE "20130524/us-east-1/s3/aws4_request"
#define SEED_SIG "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Collects what the decoder emits. */
struct collected {
    struct strbuf data;
    int fail_after;                    /* fail when this many bytes were taken; -1: never */
};

static int collect(void *arg, const void *data, size_t len)
{
    struct collected *c = arg;
    if (c->fail_after >= 0 && c->data.len + len > (size_t)c->fail_after) {
        errno = ENOSPC;
        return -1;
    }
    strbuf_append(&c->data, data, len);
    return 0;
}

static void signing_key(unsigned char key[32])
{
    sigv4_signing_key(S3_SECRET, "20130524", "us-east-1", "s3", key);
}

/* The body of AWS's example: 65536 and 1024 bytes of 'a', then the final chunk. */
static void aws_example_body(struct strbuf *body)
{
    strbuf_init(body);
    strbuf_puts(body, "10000;chunk-signature="
                      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n");
    for (int i = 0; i < 65536; i++)
        strbuf_putc(body, 'a');
    strbuf_puts(body, "\r\n400;chunk-signature="
                      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    for (int i = 0; i < 1024; i++)
        strbuf_putc(body, 'a');
    strbuf_puts(body, "\r\n0;chunk-signature="
                      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
    assert_false(strbuf_failed(body));
    assert_int_equal(body->len, 66824);
}

static struct aws_chunked_decoder *example_decoder(int64_t decoded_length)
{
    unsigned char key[32];
    signing_key(key);
    struct aws_chunked_decoder *dec = aws_chunked_new(AWS_CHUNKED_SIGNED, key, SEED_SIG, AMZ_DATE,
                                                      SCOPE, NULL, decoded_length);
    assert_non_null(dec);
    return dec;
}

/* Feeds `body` in pieces whose sizes come from `next_piece`; returns the
 * final status and the total consumed. */
static enum aws_chunked_status feed_in_pieces(struct aws_chunked_decoder *dec, const char *body,
                                              size_t len, size_t (*next_piece)(unsigned *seed),
                                              unsigned seed, struct collected *out,
                                              size_t *total_consumed)
{
    size_t off = 0;
    enum aws_chunked_status st = AWS_CHUNKED_MORE;
    while (off < len && st == AWS_CHUNKED_MORE) {
        size_t piece = next_piece(&seed);
        if (piece > len - off)
            piece = len - off;
        size_t consumed = 0;
        st = aws_chunked_feed(dec, body + off, piece, &consumed, collect, out);
        if (st == AWS_CHUNKED_MORE)
            assert_int_equal(consumed, piece);
        off += consumed;
    }
    *total_consumed = off;
    return st;
}

static size_t piece_one(unsigned *seed)
{
    (void)seed;
    return 1;
}

static size_t piece_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    unsigned r = *seed >> 16;
    return (r & 1) ? r % 7 + 1 : r % 3000 + 1;
}

static size_t piece_all(unsigned *seed)
{
    (void)seed;
    return SIZE_MAX;
}

static void assert_all_a(const struct collected *c, size_t n)
{
    assert_int_equal(c->data.len, n);
    for (size_t i = 0; i < n; i++)
        if (c->data.data[i] != 'a')
            fail_msg("byte %zu is %d", i, c->data.data[i]);
}

static void run_example(size_t (*next_piece)(unsigned *), unsigned seed)
{
    struct strbuf body;
    aws_example_body(&body);
    struct aws_chunked_decoder *dec = example_decoder(66560);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    size_t consumed;
    assert_int_equal(feed_in_pieces(dec, body.data, body.len, next_piece, seed, &out, &consumed),
                     AWS_CHUNKED_DONE);
    assert_int_equal(consumed, body.len);
    assert_all_a(&out, 66560);
    assert_true(aws_chunked_decoded_bytes(dec) == 66560);
    int alg;
    unsigned char digest[32];
    size_t digest_len;
    assert_false(aws_chunked_trailer_checksum(dec, &alg, digest, &digest_len));
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    strbuf_free(&body);
}

static void test_aws_example_whole(void **state)
{
    (void)state;
    run_example(piece_all, 0);
}

static void test_aws_example_byte_at_a_time(void **state)
{
    (void)state;
    run_example(piece_one, 0);
}

static void test_aws_example_random_splits(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 20; seed++)
        run_example(piece_random, seed);
}

/* Feeds a modified example body whole and returns the status. */
static enum aws_chunked_status feed_modified_example(size_t at, char byte, size_t truncate_to,
                                                     int64_t decoded_length)
{
    struct strbuf body;
    aws_example_body(&body);
    if (at < body.len)
        body.data[at] = byte;
    struct aws_chunked_decoder *dec = example_decoder(decoded_length);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    size_t consumed;
    size_t len = truncate_to < body.len ? truncate_to : body.len;
    enum aws_chunked_status st =
        feed_in_pieces(dec, body.data, len, piece_random, 3, &out, &consumed);
    /* A failed decoder stays failed. */
    if (st >= AWS_CHUNKED_ERR_FORMAT)
        assert_int_equal(aws_chunked_feed(dec, "x", 1, &consumed, collect, &out), st);
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    strbuf_free(&body);
    return st;
}

static void test_corrupted_signature(void **state)
{
    (void)state;
    assert_int_equal(feed_modified_example(30, '0', SIZE_MAX, 66560), AWS_CHUNKED_ERR_SIGNATURE);
    /* The final chunk's signature, at the end of the body. */
    assert_int_equal(feed_modified_example(66824 - 10, 'f', SIZE_MAX, 66560),
                     AWS_CHUNKED_ERR_SIGNATURE);
    /* Not hex. */
    assert_int_equal(feed_modified_example(30, 'z', SIZE_MAX, 66560), AWS_CHUNKED_ERR_FORMAT);
}

/* Without a signing key (a key whose secret the server does not know):
 * the framing is decoded, the signatures are read but not checked. */
static void test_unknown_key_reads_signatures(void **state)
{
    (void)state;
    struct strbuf body;
    aws_example_body(&body);
    body.data[30] = body.data[30] == '0' ? '1' : '0';   /* a wrong first signature */
    struct aws_chunked_decoder *dec = aws_chunked_new(AWS_CHUNKED_SIGNED, NULL, SEED_SIG, AMZ_DATE, SCOPE,
                                                      NULL, 66560);
    assert_non_null(dec);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    size_t consumed;
    assert_int_equal(feed_in_pieces(dec, body.data, body.len, piece_all, 0, &out, &consumed), AWS_CHUNKED_DONE);
    assert_all_a(&out, 66560);
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    /* Framing is still checked. */
    body.data[88 + 65536] = 'x';
    dec = aws_chunked_new(AWS_CHUNKED_SIGNED, NULL, SEED_SIG, AMZ_DATE, SCOPE, NULL, 66560);
    strbuf_init(&out.data);
    assert_int_equal(feed_in_pieces(dec, body.data, body.len, piece_all, 0, &out, &consumed),
                     AWS_CHUNKED_ERR_FORMAT);
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    strbuf_free(&body);
}

static void test_corrupted_data(void **state)
{
    (void)state;
    assert_int_equal(feed_modified_example(1000, 'b', SIZE_MAX, 66560), AWS_CHUNKED_ERR_SIGNATURE);
    assert_int_equal(feed_modified_example(65626 + 86 + 5, 'b', SIZE_MAX, 66560),
                     AWS_CHUNKED_ERR_SIGNATURE);
}

static void test_broken_framing(void **state)
{
    (void)state;
    /* the CRLF after the first chunk's data */
    assert_int_equal(feed_modified_example(88 + 65536, 'x', SIZE_MAX, 66560),
                     AWS_CHUNKED_ERR_FORMAT);
    assert_int_equal(feed_modified_example(88 + 65537, 'x', SIZE_MAX, 66560),
                     AWS_CHUNKED_ERR_FORMAT);
    /* a bare LF ending the size line */
    assert_int_equal(feed_modified_example(86, '\n', SIZE_MAX, 66560), AWS_CHUNKED_ERR_FORMAT);
    /* the closing empty line */
    assert_int_equal(feed_modified_example(66822, 'x', SIZE_MAX, 66560), AWS_CHUNKED_ERR_FORMAT);
}

static void test_truncated_body(void **state)
{
    (void)state;
    static const size_t cuts[] = { 0, 10, 88, 5000, 65624, 65626, 66700, 66822, 66823 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        assert_int_equal(feed_modified_example(SIZE_MAX, 0, cuts[i], 66560), AWS_CHUNKED_MORE);
}

static void test_decoded_length_limits(void **state)
{
    (void)state;
    assert_int_equal(feed_modified_example(SIZE_MAX, 0, SIZE_MAX, 1000), AWS_CHUNKED_ERR_TOO_LARGE);
    assert_int_equal(feed_modified_example(SIZE_MAX, 0, SIZE_MAX, 70000), AWS_CHUNKED_ERR_FORMAT);
    assert_int_equal(feed_modified_example(SIZE_MAX, 0, SIZE_MAX, -1), AWS_CHUNKED_DONE);
}

static enum aws_chunked_status feed_string(struct aws_chunked_decoder *dec, const char *s,
                                           struct collected *out)
{
    size_t consumed;
    return aws_chunked_feed(dec, s, strlen(s), &consumed, collect, out);
}

static void test_oversize_lines(void **state)
{
    (void)state;
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    struct aws_chunked_decoder *dec = example_decoder(-1);
    assert_int_equal(feed_string(dec, "1000000000000000;chunk-signature=" SEED_SIG "\r\n", &out),
                     AWS_CHUNKED_ERR_FORMAT);
    aws_chunked_free(dec);

    dec = example_decoder(-1);
    char line[400];
    memset(line, '0', sizeof line);
    size_t consumed;
    assert_int_equal(aws_chunked_feed(dec, line, sizeof line, &consumed, collect, &out),
                     AWS_CHUNKED_ERR_FORMAT);
    aws_chunked_free(dec);

    dec = example_decoder(-1);
    assert_int_equal(feed_string(dec, "10\r\n", &out), AWS_CHUNKED_ERR_FORMAT);   /* unsigned chunk */
    aws_chunked_free(dec);

    dec = example_decoder(-1);
    assert_int_equal(feed_string(dec, ";chunk-signature=" SEED_SIG "\r\n", &out),
                     AWS_CHUNKED_ERR_FORMAT);   /* no size */
    aws_chunked_free(dec);
    strbuf_free(&out.data);
}

static void test_sink_error_stops(void **state)
{
    (void)state;
    struct strbuf body;
    aws_example_body(&body);
    struct aws_chunked_decoder *dec = example_decoder(66560);
    struct collected out = { .fail_after = 100 };
    strbuf_init(&out.data);
    size_t consumed;
    errno = 0;
    assert_int_equal(aws_chunked_feed(dec, body.data, body.len, &consumed, collect, &out),
                     AWS_CHUNKED_ERR_FORMAT);
    assert_int_equal(errno, ENOSPC);
    assert_true(consumed < body.len);
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    strbuf_free(&body);
}

/* ---- trailers ------------------------------------------------------------ */

#define HELLO_CRC32_B64 "NhCmhg=="   /* CRC32("hello") = 0x3610a686 */

static struct aws_chunked_decoder *unsigned_decoder(const char *trailer, int64_t decoded_length)
{
    return aws_chunked_new(AWS_CHUNKED_UNSIGNED_TRAILER, NULL, NULL, NULL, NULL, trailer,
                           decoded_length);
}

static enum aws_chunked_status run_unsigned(const char *body, const char *trailer,
                                            size_t (*next_piece)(unsigned *), size_t *consumed,
                                            struct aws_chunked_decoder **keep)
{
    struct aws_chunked_decoder *dec = unsigned_decoder(trailer, -1);
    assert_non_null(dec);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    enum aws_chunked_status st =
        feed_in_pieces(dec, body, strlen(body), next_piece, 5, &out, consumed);
    if (st == AWS_CHUNKED_DONE)
        assert_string_equal(out.data.data, "hello world");
    strbuf_free(&out.data);
    if (keep)
        *keep = dec;
    else
        aws_chunked_free(dec);
    return st;
}

static void test_unsigned_trailer(void **state)
{
    (void)state;
    static const char body[] = "5\r\nhello\r\n6\r\n world\r\n0\r\n"
                               "x-amz-checksum-crc32:DUoRhQ==\r\n\r\nNEXT";
    size_t consumed;
    struct aws_chunked_decoder *dec;
    assert_int_equal(run_unsigned(body, "x-amz-checksum-crc32", piece_all, &consumed, &dec),
                     AWS_CHUNKED_DONE);
    assert_int_equal(consumed, strlen(body) - 4);   /* trailing bytes are left */
    int alg;
    unsigned char digest[32];
    size_t digest_len;
    assert_true(aws_chunked_trailer_checksum(dec, &alg, digest, &digest_len));
    assert_int_equal(alg, CHECKSUM_CRC32);
    assert_int_equal(digest_len, 4);
    assert_memory_equal(digest, "\x0d\x4a\x11\x85", 4);
    aws_chunked_free(dec);
    assert_int_equal(run_unsigned(body, "x-amz-checksum-crc32", piece_one, &consumed, NULL),
                     AWS_CHUNKED_DONE);
}

static void test_unsigned_trailer_failures(void **state)
{
    (void)state;
    size_t consumed;
    /* wrong checksum */
    assert_int_equal(run_unsigned("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:"
                                  HELLO_CRC32_B64 "\r\n\r\n", "x-amz-checksum-crc32", piece_one,
                                  &consumed, NULL), AWS_CHUNKED_ERR_CHECKSUM);
    /* not base64, or not the algorithm's length: malformed, not wrong */
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhC!hg==\r\n\r\n",
                                  "x-amz-checksum-crc32", piece_all, &consumed, NULL),
                     AWS_CHUNKED_ERR_CHECKSUM_VALUE);
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAAA=\r\n\r\n",
                                  "x-amz-checksum-crc32", piece_all, &consumed, NULL),
                     AWS_CHUNKED_ERR_CHECKSUM_VALUE);
    /* declared but never sent */
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\n\r\n", "x-amz-checksum-crc32", piece_all,
                                  &consumed, NULL), AWS_CHUNKED_ERR_FORMAT);
    /* a line without a colon */
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\nx-amz-checksum-crc32\r\n\r\n",
                                  "x-amz-checksum-crc32", piece_all, &consumed, NULL),
                     AWS_CHUNKED_ERR_FORMAT);
    /* the CRC of a different algorithm's header name is not accepted in its place */
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\nx-amz-checksum-crc32c:" HELLO_CRC32_B64
                                  "\r\n\r\n", "x-amz-checksum-crc32", piece_all, &consumed, NULL),
                     AWS_CHUNKED_ERR_FORMAT);
    /* truncated before the empty line */
    assert_int_equal(run_unsigned("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:" HELLO_CRC32_B64 "\r\n",
                                  "x-amz-checksum-crc32", piece_one, &consumed, NULL),
                     AWS_CHUNKED_MORE);
    /* unknown trailer algorithm */
    assert_null(unsigned_decoder("x-amz-checksum-md5", -1));
    assert_null(unsigned_decoder("content-md5", -1));
}

static void test_unsigned_trailer_crc64nvme(void **state)
{
    (void)state;
    struct aws_chunked_decoder *dec = unsigned_decoder("x-amz-checksum-crc64nvme", 9);
    assert_non_null(dec);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    assert_int_equal(feed_string(dec, "9\r\n123456789\r\n0\r\n"
                                      "x-amz-checksum-crc64nvme:rosUhgp5mIg=\r\n\r\n", &out),
                     AWS_CHUNKED_DONE);
    aws_chunked_free(dec);
    strbuf_free(&out.data);
}

/* Independent signer for the signed-trailer tests. */
static void hmac_hex(const unsigned char key[32], const char *msg, char out[65])
{
    unsigned char mac[32];
    unsigned int len = 32;
    HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, strlen(msg), mac, &len);
    hex_encode(mac, 32, out);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    checksum_sha256(data, len, d);
    hex_encode(d, 32, out);
}

static void sign_chunk(const unsigned char key[32], char prev[65], const char *data, size_t len)
{
    char data_hex[65], msg[512];
    sha256_hex(data, len, data_hex);
    snprintf(msg, sizeof msg, "AWS4-HMAC-SHA256-PAYLOAD\n" AMZ_DATE "\n" SCOPE "\n%s\n"
             EMPTY_SHA256 "\n%s", prev, data_hex);
    hmac_hex(key, msg, prev);
}

/* Builds "hello world" as a signed-trailer body with a CRC32C trailer. */
static void signed_trailer_body(struct strbuf *body, bool with_signature)
{
    unsigned char key[32];
    signing_key(key);
    char sig[65] = SEED_SIG;
    strbuf_init(body);
    sign_chunk(key, sig, "hello", 5);
    strbuf_printf(body, "5;chunk-signature=%s\r\nhello\r\n", sig);
    sign_chunk(key, sig, " world", 6);
    strbuf_printf(body, "6;chunk-signature=%s\r\n world\r\n", sig);
    sign_chunk(key, sig, "", 0);
    strbuf_printf(body, "0;chunk-signature=%s\r\n", sig);

    unsigned char crc[CHECKSUM_MAX_DIGEST];
    struct checksum_ctx ctx;
    assert_int_equal(checksum_init(&ctx, CHECKSUM_CRC32C), 0);
    checksum_update(&ctx, "hello world", 11);
    size_t n = checksum_final(&ctx, crc);
    char b64[16], trailer[64], trailer_hex[65], msg[512], trailer_sig[65];
    base64_encode(crc, n, b64);
    snprintf(trailer, sizeof trailer, "x-amz-checksum-crc32c:%s\n", b64);
    sha256_hex(trailer, strlen(trailer), trailer_hex);
    snprintf(msg, sizeof msg, "AWS4-HMAC-SHA256-TRAILER\n" AMZ_DATE "\n" SCOPE "\n%s\n%s", sig,
             trailer_hex);
    hmac_hex(key, msg, trailer_sig);
    strbuf_printf(body, "x-amz-checksum-crc32c:%s\r\n", b64);
    if (with_signature)
        strbuf_printf(body, "x-amz-trailer-signature:%s\r\n", trailer_sig);
    strbuf_puts(body, "\r\n");
    assert_false(strbuf_failed(body));
}

static enum aws_chunked_status run_signed_trailer(struct strbuf *body,
                                                  size_t (*next_piece)(unsigned *))
{
    unsigned char key[32];
    signing_key(key);
    struct aws_chunked_decoder *dec =
        aws_chunked_new(AWS_CHUNKED_SIGNED_TRAILER, key, SEED_SIG, AMZ_DATE, SCOPE,
                        "x-amz-checksum-crc32c", 11);
    assert_non_null(dec);
    struct collected out = { .fail_after = -1 };
    strbuf_init(&out.data);
    size_t consumed;
    enum aws_chunked_status st =
        feed_in_pieces(dec, body->data, body->len, next_piece, 9, &out, &consumed);
    if (st == AWS_CHUNKED_DONE) {
        assert_int_equal(consumed, body->len);
        assert_string_equal(out.data.data, "hello world");
    }
    aws_chunked_free(dec);
    strbuf_free(&out.data);
    return st;
}

static void test_signed_trailer(void **state)
{
    (void)state;
    struct strbuf body;
    signed_trailer_body(&body, true);
    assert_int_equal(run_signed_trailer(&body, piece_all), AWS_CHUNKED_DONE);
    assert_int_equal(run_signed_trailer(&body, piece_one), AWS_CHUNKED_DONE);

    /* Corrupt the trailer signature (its last hex digit, before "\r\n\r\n"). */
    char *last = body.data + body.len - 5;
    *last = *last == '0' ? '1' : '0';
    assert_int_equal(run_signed_trailer(&body, piece_one), AWS_CHUNKED_ERR_SIGNATURE);
    strbuf_free(&body);

    signed_trailer_body(&body, false);
    assert_int_equal(run_signed_trailer(&body, piece_all), AWS_CHUNKED_ERR_SIGNATURE);
    strbuf_free(&body);

    /* Altering the trailer value breaks the checksum before the signature. */
    signed_trailer_body(&body, true);
    char *colon = strstr(body.data, "crc32c:");
    assert_non_null(colon);
    colon[7] = colon[7] == 'A' ? 'B' : 'A';
    assert_int_equal(run_signed_trailer(&body, piece_all), AWS_CHUNKED_ERR_CHECKSUM);
    strbuf_free(&body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aws_example_whole),
        cmocka_unit_test(test_aws_example_byte_at_a_time),
        cmocka_unit_test(test_aws_example_random_splits),
        cmocka_unit_test(test_corrupted_signature),
        cmocka_unit_test(test_corrupted_data),
        cmocka_unit_test(test_unknown_key_reads_signatures),
        cmocka_unit_test(test_broken_framing),
        cmocka_unit_test(test_truncated_body),
        cmocka_unit_test(test_decoded_length_limits),
        cmocka_unit_test(test_oversize_lines),
        cmocka_unit_test(test_sink_error_stops),
        cmocka_unit_test(test_unsigned_trailer),
        cmocka_unit_test(test_unsigned_trailer_failures),
        cmocka_unit_test(test_unsigned_trailer_crc64nvme),
        cmocka_unit_test(test_signed_trailer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
