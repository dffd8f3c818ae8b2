/* aws_chunked: incremental decoder for Content-Encoding: aws-chunked bodies.
 *
 * The body is a sequence of chunks, "<hex-size>[;chunk-signature=<sig>]\r\n
 * <data>\r\n", ended by a zero-size chunk, then (trailer modes) trailer
 * lines "name:value\r\n", an optional "x-amz-trailer-signature:<sig>\r\n"
 * and an empty line. A byte-driven state machine reads it, so input may be
 * split anywhere. Chunk data is never buffered: it is hashed (SHA-256 for
 * the chunk signature, the declared x-amz-checksum-* algorithm for the
 * trailer) and handed to the sink as it arrives; only the short framing
 * lines are kept, with fixed limits. Signatures chain: each chunk is signed
 * over the previous signature, starting from the request's seed signature,
 * and the trailer over the final chunk's. The sink sees data before its
 * chunk signature is checked, so a caller must discard everything on error. */
#include "protocol/auth/sigv4.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/auth/checksum.h"
#include "protocol/core/base64.h"
#include "protocol/core/hex.h"

#define SIZE_LINE_MAX 256          /* "<16 hex>;chunk-signature=<64 hex>" plus room for extensions */
#define TRAILER_LINE_MAX 1024
#define TRAILER_LINES_MAX 16
#define CHUNK_SIZE_HEX_MAX 15      /* keeps the size below 2^60 */
#define EMPTY_SHA256_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

enum decoder_state {
    ST_SIZE_LINE,      /* reading "<hex>[;chunk-signature=...]" up to "\r\n" */
    ST_DATA,           /* passing chunk data through */
    ST_DATA_CR,        /* expecting '\r' after chunk data */
    ST_DATA_LF,        /* expecting '\n' after chunk data */
    ST_FINAL_CRLF,     /* signed mode: the empty line after the final chunk (line_len counts it) */
    ST_TRAILER_LINE,   /* trailer modes: reading trailer lines until an empty one */
    ST_DONE,
    ST_FAILED,
};

struct aws_chunked_decoder {
    enum aws_chunked_mode mode;
    enum decoder_state state;
    enum aws_chunked_status failure;

    unsigned char signing_key[32];
    bool verify;                   /* false: signing key unknown, signatures read but not checked */
    char prev_signature[65];
    char chunk_signature[65];      /* the signature announced for the current chunk */
    char amz_date[17];
    char scope[128];

    EVP_MD_CTX *chunk_sha;         /* signed modes: SHA-256 of the current chunk */
    EVP_MD_CTX *trailer_sha;       /* signed trailer: SHA-256 of the trailer lines */

    bool has_trailer_checksum;     /* x-amz-trailer named a checksum */
    enum checksum_alg trailer_alg;
    struct checksum_ctx checksum;
    unsigned char computed[CHECKSUM_MAX_DIGEST];
    size_t computed_len;
    bool checksum_received;
    bool trailer_signature_seen;

    int64_t chunk_remaining;
    int64_t decoded;
    int64_t decoded_limit;         /* -1: none */
    int trailer_lines;

    char line[TRAILER_LINE_MAX + 1];
    size_t line_len;
};

static bool signed_mode(const struct aws_chunked_decoder *dec)
{
    return dec->mode != AWS_CHUNKED_UNSIGNED_TRAILER;
}

static bool trailer_mode(const struct aws_chunked_decoder *dec)
{
    return dec->mode != AWS_CHUNKED_SIGNED;
}

struct aws_chunked_decoder *aws_chunked_new(enum aws_chunked_mode mode,
                                            const unsigned char signing_key[32],
                                            const char *seed_signature, const char *amz_date,
                                            const char *scope, const char *trailer_alg_header,
                                            int64_t decoded_length)
{
    struct aws_chunked_decoder *dec = calloc(1, sizeof *dec);
    if (!dec)
        return NULL;
    dec->mode = mode;
    dec->state = ST_SIZE_LINE;
    dec->decoded_limit = decoded_length;
    if (mode != AWS_CHUNKED_UNSIGNED_TRAILER) {
        if (!seed_signature || strlen(seed_signature) != 64 || !amz_date ||
            strlen(amz_date) >= sizeof dec->amz_date || !scope ||
            strlen(scope) >= sizeof dec->scope)
            goto fail;
        dec->verify = signing_key != NULL;
        if (signing_key)
            memcpy(dec->signing_key, signing_key, 32);
        strcpy(dec->prev_signature, seed_signature);
        strcpy(dec->amz_date, amz_date);
        strcpy(dec->scope, scope);
        dec->chunk_sha = EVP_MD_CTX_new();
        if (!dec->chunk_sha)
            goto fail;
        if (mode == AWS_CHUNKED_SIGNED_TRAILER) {
            dec->trailer_sha = EVP_MD_CTX_new();
            if (!dec->trailer_sha || EVP_DigestInit_ex(dec->trailer_sha, EVP_sha256(), NULL) != 1)
                goto fail;
        }
    }
    if (trailer_alg_header && mode != AWS_CHUNKED_SIGNED) {
        int alg = -1;
        for (int a = 0; a < CHECKSUM__COUNT; a++) {
            const char *name = checksum_header_name((enum checksum_alg)a);
            if (name && strcasecmp(name, trailer_alg_header) == 0)
                alg = a;
        }
        if (alg < 0 || checksum_init(&dec->checksum, (enum checksum_alg)alg) != 0)
            goto fail;
        dec->has_trailer_checksum = true;
        dec->trailer_alg = (enum checksum_alg)alg;
    }
    return dec;
fail:
    aws_chunked_free(dec);
    return NULL;
}

void aws_chunked_free(struct aws_chunked_decoder *dec)
{
    if (!dec)
        return;
    EVP_MD_CTX_free(dec->chunk_sha);
    EVP_MD_CTX_free(dec->trailer_sha);
    if (dec->has_trailer_checksum)
        checksum_abort(&dec->checksum);
    OPENSSL_cleanse(dec->signing_key, sizeof dec->signing_key);
    free(dec);
}

static enum aws_chunked_status fail(struct aws_chunked_decoder *dec, enum aws_chunked_status st)
{
    dec->state = ST_FAILED;
    dec->failure = st;
    return st;
}

/* HMAC over "<algorithm>\n<date>\n<scope>\n<prev sig>\n<rest>", compared
 * with `given`; on success `given` becomes the previous signature. */
static bool check_chained_signature(struct aws_chunked_decoder *dec, const char *algorithm,
                                    const char *rest, const char *given)
{
    if (!dec->verify) {
        memcpy(dec->prev_signature, given, 65);
        return true;
    }
    char to_sign[512];
    int n = snprintf(to_sign, sizeof to_sign, "%s\n%s\n%s\n%s\n%s", algorithm, dec->amz_date,
                     dec->scope, dec->prev_signature, rest);
    if (n < 0 || (size_t)n >= sizeof to_sign)
        return false;
    unsigned char mac[32];
    unsigned int mac_len = sizeof mac;
    if (!HMAC(EVP_sha256(), dec->signing_key, 32, (const unsigned char *)to_sign, (size_t)n, mac,
              &mac_len))
        return false;
    char hex[65];
    hex_encode(mac, 32, hex);
    if (CRYPTO_memcmp(hex, given, 64) != 0)
        return false;
    memcpy(dec->prev_signature, given, 65);
    return true;
}

static bool check_chunk_signature(struct aws_chunked_decoder *dec)
{
    unsigned char digest[32];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(dec->chunk_sha, digest, &len) != 1)
        return false;
    char rest[2 * 64 + 2];
    memcpy(rest, EMPTY_SHA256_HEX "\n", 65);
    hex_encode(digest, 32, rest + 65);
    return check_chained_signature(dec, "AWS4-HMAC-SHA256-PAYLOAD", rest, dec->chunk_signature);
}

/* Reads the 64 lower-case-folded hex digits of a signature. */
static bool read_signature(const char *s, size_t len, char out[65])
{
    if (len != 64)
        return false;
    for (size_t i = 0; i < 64; i++) {
        if (!isxdigit((unsigned char)s[i]))
            return false;
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[64] = '\0';
    return true;
}

/* Handles a complete size line (without "\r\n"). */
static enum aws_chunked_status on_size_line(struct aws_chunked_decoder *dec)
{
    const char *line = dec->line;
    size_t len = dec->line_len;
    size_t digits = 0;
    int64_t size = 0;
    while (digits < len && isxdigit((unsigned char)line[digits])) {
        if (digits == CHUNK_SIZE_HEX_MAX)
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
        int v = isdigit((unsigned char)line[digits]) ? line[digits] - '0'
                                                     : tolower((unsigned char)line[digits]) - 'a' + 10;
        size = size * 16 + v;
        digits++;
    }
    if (digits == 0)
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    const char *ext = line + digits;
    size_t ext_len = len - digits;
    if (signed_mode(dec)) {
        static const char prefix[] = ";chunk-signature=";
        size_t plen = sizeof prefix - 1;
        if (ext_len < plen || memcmp(ext, prefix, plen) != 0 ||
            !read_signature(ext + plen, ext_len - plen, dec->chunk_signature))
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
        if (EVP_DigestInit_ex(dec->chunk_sha, EVP_sha256(), NULL) != 1)
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    } else if (ext_len != 0 && ext[0] != ';') {
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    }
    if (dec->decoded_limit >= 0 && size > dec->decoded_limit - dec->decoded)
        return fail(dec, AWS_CHUNKED_ERR_TOO_LARGE);

    if (size > 0) {
        dec->chunk_remaining = size;
        dec->state = ST_DATA;
        return AWS_CHUNKED_MORE;
    }
    /* The final, empty chunk. */
    if (signed_mode(dec) && !check_chunk_signature(dec))
        return fail(dec, AWS_CHUNKED_ERR_SIGNATURE);
    if (dec->decoded_limit >= 0 && dec->decoded != dec->decoded_limit)
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    if (dec->has_trailer_checksum)
        dec->computed_len = checksum_final(&dec->checksum, dec->computed);
    dec->state = trailer_mode(dec) ? ST_TRAILER_LINE : ST_FINAL_CRLF;
    return AWS_CHUNKED_MORE;
}

static enum aws_chunked_status on_trailer_checksum(struct aws_chunked_decoder *dec,
                                                   const char *value, size_t len)
{
    unsigned char got[CHECKSUM_MAX_DIGEST];
    long n = base64_decode_strict(value, len, got, sizeof got);
    if (n < 0 || (size_t)n != dec->computed_len)
        return fail(dec, AWS_CHUNKED_ERR_CHECKSUM_VALUE);
    if (CRYPTO_memcmp(got, dec->computed, dec->computed_len) != 0)
        return fail(dec, AWS_CHUNKED_ERR_CHECKSUM);
    dec->checksum_received = true;
    return AWS_CHUNKED_MORE;
}

/* The empty line that ends the trailer. */
static enum aws_chunked_status on_trailer_end(struct aws_chunked_decoder *dec)
{
    if (dec->has_trailer_checksum && !dec->checksum_received)
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    if (dec->mode == AWS_CHUNKED_SIGNED_TRAILER && !dec->trailer_signature_seen)
        return fail(dec, AWS_CHUNKED_ERR_SIGNATURE);
    dec->state = ST_DONE;
    return AWS_CHUNKED_DONE;
}

/* Handles one complete trailer line (without "\r\n"). */
static enum aws_chunked_status on_trailer_line(struct aws_chunked_decoder *dec)
{
    if (dec->line_len == 0)
        return on_trailer_end(dec);
    if (dec->trailer_signature_seen || ++dec->trailer_lines > TRAILER_LINES_MAX)
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    char *line = dec->line;
    char *colon = memchr(line, ':', dec->line_len);
    if (!colon || colon == line)
        return fail(dec, AWS_CHUNKED_ERR_FORMAT);
    size_t name_len = (size_t)(colon - line);
    for (size_t i = 0; i < name_len; i++)
        line[i] = (char)tolower((unsigned char)line[i]);
    const char *value = colon + 1;
    size_t value_len = dec->line_len - name_len - 1;
    while (value_len > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        value_len--;
    }
    while (value_len > 0 && (value[value_len - 1] == ' ' || value[value_len - 1] == '\t'))
        value_len--;

    static const char sig_name[] = "x-amz-trailer-signature";
    if (name_len == sizeof sig_name - 1 && memcmp(line, sig_name, name_len) == 0) {
        if (dec->mode != AWS_CHUNKED_SIGNED_TRAILER)
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
        char given[65];
        unsigned char digest[32];
        unsigned int dlen = 0;
        char rest[65];
        if (!read_signature(value, value_len, given))
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
        if (EVP_DigestFinal_ex(dec->trailer_sha, digest, &dlen) != 1)
            return fail(dec, AWS_CHUNKED_ERR_FORMAT);
        hex_encode(digest, 32, rest);
        if (!check_chained_signature(dec, "AWS4-HMAC-SHA256-TRAILER", rest, given))
            return fail(dec, AWS_CHUNKED_ERR_SIGNATURE);
        dec->trailer_signature_seen = true;
        return AWS_CHUNKED_MORE;
    }
    if (dec->trailer_sha) {
        EVP_DigestUpdate(dec->trailer_sha, line, name_len + 1);
        EVP_DigestUpdate(dec->trailer_sha, value, value_len);
        EVP_DigestUpdate(dec->trailer_sha, "\n", 1);
    }
    const char *expected = dec->has_trailer_checksum ? checksum_header_name(dec->trailer_alg) : NULL;
    if (expected && strlen(expected) == name_len && memcmp(line, expected, name_len) == 0)
        return on_trailer_checksum(dec, value, value_len);
    return AWS_CHUNKED_MORE;
}

/* Accumulates a framing line; returns true once "\r\n" completed it. */
static bool take_line_byte(struct aws_chunked_decoder *dec, char c, size_t max,
                           enum aws_chunked_status *st)
{
    *st = AWS_CHUNKED_MORE;
    if (dec->line_len > 0 && dec->line[dec->line_len - 1] == '\r') {
        if (c != '\n') {
            *st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
            return false;
        }
        dec->line_len--;
        dec->line[dec->line_len] = '\0';
        return true;
    }
    if (c == '\n' || dec->line_len >= max) {
        *st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
        return false;
    }
    dec->line[dec->line_len++] = c;
    return false;
}

enum aws_chunked_status aws_chunked_feed(struct aws_chunked_decoder *dec, const void *in,
                                         size_t len, size_t *consumed,
                                         int (*sink)(void *arg, const void *data, size_t len),
                                         void *sink_arg)
{
    const unsigned char *p = in;
    size_t i = 0;
    enum aws_chunked_status st = AWS_CHUNKED_MORE;
    while (i < len && st == AWS_CHUNKED_MORE) {
        switch (dec->state) {
        case ST_SIZE_LINE:
        case ST_TRAILER_LINE: {
            bool is_size = dec->state == ST_SIZE_LINE;
            if (take_line_byte(dec, (char)p[i++], is_size ? SIZE_LINE_MAX : TRAILER_LINE_MAX, &st)) {
                st = is_size ? on_size_line(dec) : on_trailer_line(dec);
                dec->line_len = 0;
            }
            break;
        }
        case ST_DATA: {
            size_t avail = len - i;
            size_t take = (uint64_t)dec->chunk_remaining < avail ? (size_t)dec->chunk_remaining
                                                                  : avail;
            if (dec->chunk_sha)
                EVP_DigestUpdate(dec->chunk_sha, p + i, take);
            if (dec->has_trailer_checksum)
                checksum_update(&dec->checksum, p + i, take);
            if (sink && sink(sink_arg, p + i, take) != 0) {
                int saved = errno;
                st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
                errno = saved;
                break;
            }
            i += take;
            dec->chunk_remaining -= (int64_t)take;
            dec->decoded += (int64_t)take;
            if (dec->chunk_remaining == 0)
                dec->state = ST_DATA_CR;
            break;
        }
        case ST_DATA_CR:
            if (p[i++] != '\r')
                st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
            else
                dec->state = ST_DATA_LF;
            break;
        case ST_DATA_LF:
            if (p[i++] != '\n')
                st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
            else if (signed_mode(dec) && !check_chunk_signature(dec))
                st = fail(dec, AWS_CHUNKED_ERR_SIGNATURE);
            else
                dec->state = ST_SIZE_LINE;
            break;
        case ST_FINAL_CRLF:
            if (p[i++] != (dec->line_len == 0 ? '\r' : '\n')) {
                st = fail(dec, AWS_CHUNKED_ERR_FORMAT);
            } else if (dec->line_len++ == 1) {
                dec->state = ST_DONE;
                st = AWS_CHUNKED_DONE;
            }
            break;
        case ST_DONE:
            st = AWS_CHUNKED_DONE;
            break;
        case ST_FAILED:
            st = dec->failure;
            break;
        }
    }
    if (st == AWS_CHUNKED_MORE && dec->state == ST_DONE)
        st = AWS_CHUNKED_DONE;
    if (st == AWS_CHUNKED_MORE && dec->state == ST_FAILED)
        st = dec->failure;
    if (consumed)
        *consumed = i;
    return st;
}

bool aws_chunked_trailer_checksum(const struct aws_chunked_decoder *dec, int *alg,
                                  unsigned char digest[32], size_t *digest_len)
{
    if (dec->state != ST_DONE || !dec->checksum_received)
        return false;
    *alg = (int)dec->trailer_alg;
    memcpy(digest, dec->computed, dec->computed_len);
    *digest_len = dec->computed_len;
    return true;
}

int64_t aws_chunked_decoded_bytes(const struct aws_chunked_decoder *dec)
{
    return dec->decoded;
}
