/* protocol/core utf8: well-formed UTF-8 as Unicode defines it (section
 * 3.9, table 3-7: no overlong forms, no surrogates, nothing past
 * U+10FFFF), and text made so. U+0000 is a character like the others. */
#ifndef CLOUDLESS_PROTOCOL_UTF8_H
#define CLOUDLESS_PROTOCOL_UTF8_H

#include <stddef.h>

/* A heap copy of the len bytes at s, NUL-terminated after them, in which
 * each maximal ill-formed subsequence is replaced by U+FFFD (Unicode's
 * "substitution of maximal subparts", as Python's errors="replace" and
 * WHATWG's decoder do); well-formed text is copied unchanged. *out_len is
 * the copy's length. NULL when out of memory. */
char *utf8_repaired_copy(const char *s, size_t len, size_t *out_len);

#endif
