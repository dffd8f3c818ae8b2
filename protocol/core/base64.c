/* protocol/core base64: see base64.h. One table-driven decoder serves both
 * strictness levels; the strict one checks the length and padding rules
 * before decoding. */
#include "protocol/core/base64.h"

#include <stdbool.h>
#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encode(const unsigned char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < len) v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < len) v |= in[i + 2];
        out[o++] = alphabet[v >> 18 & 63];
        out[o++] = alphabet[v >> 12 & 63];
        out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    return o;
}

void base64_append(struct strbuf *sb, const unsigned char *in, size_t len)
{
    for (size_t i = 0; i < len; i += 3) {
        char quad[5];
        base64_encode(in + i, len - i < 3 ? len - i : 3, quad);
        strbuf_append(sb, quad, 4);
    }
}

static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Decodes the alphabet characters of in[0..len), skipping whitespace when
 * allowed; padding must only trail. */
static long decode(const char *in, size_t len, unsigned char *out, size_t out_cap, bool skip_space)
{
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (skip_space && is_space(c))
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        int v = sextet(c);
        if (v < 0 || pad)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == out_cap)
                return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    /* Six leftover bits cannot end a byte: a dangling character. */
    if (bits >= 6 || pad > 2)
        return -1;
    return (long)o;
}

long base64_decode_strict(const char *in, size_t len, unsigned char *out, size_t out_cap)
{
    if (len % 4 != 0)
        return -1;
    size_t pad = 0;
    while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
        pad++;
    long n = decode(in, len, out, out_cap, false);
    if (n < 0 || (size_t)n != len / 4 * 3 - pad)
        return -1;
    return n;
}

bool base64_is_canonical(const char *s, size_t len)
{
    size_t pad = 0;
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=')
        pad++;
    size_t digits = len - pad;
    for (size_t i = 0; i < digits; i++)
        if (sextet((unsigned char)s[i]) < 0)
            return false;
    if (pad == 0)
        return true;
    if (digits == 0)
        return false;
    int last = sextet((unsigned char)s[digits - 1]);
    return pad == 1 ? (last & 0x3) == 0 : (last & 0xf) == 0;
}

long base64_decode_lenient(const char *in, size_t len, unsigned char *out, size_t out_cap)
{
    return decode(in, len, out, out_cap, true);
}
