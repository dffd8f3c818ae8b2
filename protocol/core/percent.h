/* protocol/core percent: percent-encoding (RFC 3986) and query strings,
 * the one copy.
 *
 * Decoding has three strictness levels, chosen by flags: paths, keys and
 * query parameters refuse a bad escape and NUL (S3's InvalidURI); form
 * bodies take '+' as a space (PERCENT_PLUS_IS_SPACE) and may carry %00
 * for a later check to refuse with the service's own error
 * (PERCENT_ALLOW_NUL); SigV4 canonicalization keeps whatever is not a
 * valid escape as it is (percent_decode_lenient). Encoding keeps RFC 3986's
 * unreserved bytes (and '/' when asked) and writes upper-case %XX. */
#ifndef CLOUDLESS_PROTOCOL_PERCENT_H
#define CLOUDLESS_PROTOCOL_PERCENT_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/core/strbuf.h"

#define PERCENT_PLUS_IS_SPACE 1u   /* '+' decodes to ' ' (forms, query strings) */
#define PERCENT_ALLOW_NUL 2u       /* %00 and raw NUL bytes are kept */

/* Decodes s[0..len) into out (room for len + 1 bytes; NUL-terminated).
 * Returns the decoded length, or -1 on a bad escape or a NUL that flags do
 * not allow. */
long percent_decode_into(const char *s, size_t len, char *out, unsigned flags);
/* The same into a new string (its length in *out_len when not NULL);
 * NULL with errno EINVAL (bad input) or ENOMEM. */
char *percent_decode(const char *s, size_t len, unsigned flags, size_t *out_len);
/* Appends s decoded, keeping any '%' not followed by two hex digits and
 * '+' as they are (SigV4's canonical form re-encodes them). */
void percent_decode_lenient(struct strbuf *sb, const char *s, size_t len);
/* Appends s[0..len) encoded. */
void percent_encode(struct strbuf *sb, const char *s, size_t len, bool keep_slash);

/* The decoded value of query parameter `name` ('+' is a space), "" for a
 * bare "?name"; NULL when absent (*present false) or on bad encoding or
 * no memory (*present true for a bad value, errno EINVAL or ENOMEM). */
char *query_param(const char *query, const char *name, bool *present);
/* The values of a parameter that repeats (?tagKeys=a&tagKeys=b): start
 * with *cursor = the query; each call returns the next value, decoded
 * (caller frees), and NULL after the last one (or on bad encoding or no
 * memory: errno EINVAL or ENOMEM, else 0). */
char *query_param_next(const char **cursor, const char *name);

#endif
