/* protocol/core base64: the standard alphabet (RFC 4648 section 4), the one
 * copy. Two decoders, because AWS's inputs differ in strictness:
 *
 *  - strict: length a multiple of 4, padding as RFC 4648 puts it, nothing
 *    but the alphabet — digests in headers (Content-MD5, x-amz-checksum-*),
 *    POST policies, SigV2 signatures;
 *  - lenient: padding optional and ASCII whitespace (line breaks of MIME
 *    encoders) skipped — payloads users paste or tools wrap: Lambda's
 *    ZipFile, SQS binary attributes.
 *
 * Both refuse any other character and a dangling single sextet. */
#ifndef CLOUDLESS_PROTOCOL_BASE64_H
#define CLOUDLESS_PROTOCOL_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/core/strbuf.h"

/* Room base64_encode needs for len bytes, terminator included. */
#define BASE64_ENCODED_SIZE(len) (((len) + 2) / 3 * 4 + 1)

/* Padded encoding into out (BASE64_ENCODED_SIZE(len) bytes, NUL-terminated);
 * returns the characters written. */
size_t base64_encode(const unsigned char *in, size_t len, char *out);
/* The same, appended to a strbuf. */
void base64_append(struct strbuf *sb, const unsigned char *in, size_t len);
/* Bytes written to out, or -1 on invalid input or more than out_cap bytes.
 * (len / 4 * 3 + 3 bytes always suffice for either.) */
long base64_decode_strict(const char *in, size_t len, unsigned char *out, size_t out_cap);
long base64_decode_lenient(const char *in, size_t len, unsigned char *out, size_t out_cap);
/* Whether s is base64 exactly as an encoder writes it: the alphabet, at
 * most two '=' at the end, no stray bits in the last character (DynamoDB
 * refuses anything else; its length must also be a multiple of 4). */
bool base64_is_canonical(const char *s, size_t len);

#endif
