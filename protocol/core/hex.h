/* protocol/core hex: bytes <-> hexadecimal text, the one copy. Digests in
 * signatures, ETags, blob names and tokens are lower-case; hex_value is for
 * parsers that read either case (percent-encoding, JSON escapes). */
#ifndef CLOUDLESS_PROTOCOL_HEX_H
#define CLOUDLESS_PROTOCOL_HEX_H

#include <stddef.h>

/* Lower-case hex of len bytes; out must hold 2*len+1 (NUL-terminated). */
void hex_encode(const unsigned char *in, size_t len, char *out);
/* Bytes written, or -1 on an odd length, a non-hex digit or more than
 * out_cap bytes. Either case is accepted. */
long hex_decode(const char *in, size_t len, unsigned char *out, size_t out_cap);
/* The value of one hex digit (either case), or -1. */
int hex_value(unsigned char c);

#endif
