/* protocol/dynamodb number: DynamoDB's N type as an exact decimal.
 *
 * A DynamoDB number has at most 38 significant decimal digits and a
 * magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125
 * (or is zero). It is never held in a double: struct ddb_number keeps the
 * sign, the significant digits (no leading or trailing zeros) and the
 * adjusted exponent, so value = d1.d2d3...dn x 10^exponent.
 *
 * Text in: sign? (digits [. digits?] | . digits) ([eE] sign? digits)?, no
 * spaces, NaN or Infinity; an exponent past a 64-bit integer cannot be
 * converted, a huge one in range of int64 is an overflow or underflow, and
 * zero is range-checked by the exponent of its last written digit (AWS
 * refuses "0e126"). Text out is AWS's canonical form: plain notation (no
 * exponent), no leading or trailing zeros, "0" for zero ("-0" too).
 *
 * Arithmetic (+ and - of UpdateExpression, ADD) is exact; a result that
 * needs more than 38 digits or leaves the range is refused with AWS's
 * message (AWS calls an inexact result an overflow too). Pure: no
 * allocation, no globals. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_NUMBER_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DDB_NUMBER_MAX_DIGITS 38
#define DDB_NUMBER_MAX_EXPONENT 125
#define DDB_NUMBER_MIN_EXPONENT (-130)
/* Longest canonical text: "-0." + 129 zeros + 38 digits, and its NUL. */
#define DDB_NUMBER_TEXT_MAX 176

struct ddb_number {
    bool negative;
    uint8_t ndigits;               /* 0 for zero */
    int16_t exponent;              /* of the first digit; 0 for zero */
    uint8_t digits[DDB_NUMBER_MAX_DIGITS]; /* 0..9, first and last non-zero */
};

enum ddb_number_status {
    DDB_NUMBER_OK = 0,
    DDB_NUMBER_INVALID,            /* not a number at all */
    DDB_NUMBER_EMPTY,              /* the empty string */
    DDB_NUMBER_OVERFLOW,           /* magnitude above 9.99..E+125, or inexact arithmetic */
    DDB_NUMBER_UNDERFLOW,          /* non-zero magnitude below 1E-130 */
    DDB_NUMBER_PRECISION,          /* more than 38 significant digits */
};

/* Parses text of len bytes (need not be NUL-terminated). */
enum ddb_number_status ddb_number_parse(const char *text, size_t len, struct ddb_number *out);
/* AWS's message for a refused number. For DDB_NUMBER_INVALID the caller
 * appends ": " and the text (as AWS does). */
const char *ddb_number_status_message(enum ddb_number_status status);

/* Writes the canonical text and its NUL into out; returns its length. */
size_t ddb_number_format(const struct ddb_number *n, char out[DDB_NUMBER_TEXT_MAX]);

/* -1, 0 or 1 as a is numerically below, equal to or above b. */
int ddb_number_compare(const struct ddb_number *a, const struct ddb_number *b);
/* a + b and a - b, exact; *out is untouched unless DDB_NUMBER_OK. */
enum ddb_number_status ddb_number_add(const struct ddb_number *a, const struct ddb_number *b,
                                      struct ddb_number *out);
enum ddb_number_status ddb_number_subtract(const struct ddb_number *a, const struct ddb_number *b,
                                           struct ddb_number *out);
void ddb_number_from_uint(uint64_t v, struct ddb_number *out);
static inline bool ddb_number_is_zero(const struct ddb_number *n) { return n->ndigits == 0; }

/* Bytes the number counts for in an item's size: one per base-100 digit
 * pair (pairs aligned on the decimal point), one more, and one more when
 * negative. Zero counts 1. */
size_t ddb_number_size(const struct ddb_number *n);

/* Sort-key encoding: memcmp order of the bytes is numeric order. Sign byte
 * (1 negative, 2 zero, 3 positive), biased exponent byte, one byte per
 * digit (complemented, then a terminator 10, when negative). At most
 * DDB_NUMBER_KEY_MAX bytes; returns the length. */
#define DDB_NUMBER_KEY_MAX (2 + DDB_NUMBER_MAX_DIGITS + 1)
size_t ddb_number_key_encode(const struct ddb_number *n, uint8_t out[DDB_NUMBER_KEY_MAX]);
/* The inverse; false when the bytes are no such encoding. */
bool ddb_number_key_decode(const uint8_t *key, size_t len, struct ddb_number *out);

#endif
