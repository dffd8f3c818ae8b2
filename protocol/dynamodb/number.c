/* protocol/dynamodb number: exact decimals with DynamoDB's 38 digits and
 * range (see number.h). Parsing walks the text once, keeping only the
 * significant digits; arithmetic lines both operands up on a digit array
 * wide enough for any two numbers in range, so it is exact. */
#include "protocol/dynamodb/number.h"

#include <string.h>

/* Powers a sum can touch: the lowest digit of 1E-130 written with 38
 * digits is at -167, the carry of 9.9E+125 + 9.9E+125 at 126. */
#define LOWEST_POWER (DDB_NUMBER_MIN_EXPONENT - DDB_NUMBER_MAX_DIGITS + 1)
#define SUM_WIDTH (DDB_NUMBER_MAX_EXPONENT + 2 - LOWEST_POWER)

const char *ddb_number_status_message(enum ddb_number_status status)
{
    switch (status) {
    case DDB_NUMBER_OK: return "";
    case DDB_NUMBER_INVALID:
    case DDB_NUMBER_EMPTY: return "The parameter cannot be converted to a numeric value";
    case DDB_NUMBER_OVERFLOW:
        return "Number overflow. Attempting to store a number with magnitude larger than supported range";
    case DDB_NUMBER_UNDERFLOW:
        return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
    case DDB_NUMBER_PRECISION: return "Attempting to store more than 38 significant digits in a Number";
    }
    return "";
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The exponent part after 'e': sign? digits, as int64 (false when it is
 * malformed or does not fit). */
static bool parse_exponent(const char *s, size_t len, size_t *i, int64_t *out)
{
    bool negative = false;
    if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
        negative = s[*i] == '-';
        (*i)++;
    }
    if (*i >= len || !is_digit(s[*i]))
        return false;
    uint64_t value = 0;
    for (; *i < len && is_digit(s[*i]); (*i)++) {
        uint64_t digit = (uint64_t)(s[*i] - '0');
        if (value > (UINT64_C(0x7fffffffffffffff) - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *out = negative ? -(int64_t)value : (int64_t)value;
    return true;
}

static enum ddb_number_status check_exponent(int64_t exponent)
{
    if (exponent > DDB_NUMBER_MAX_EXPONENT)
        return DDB_NUMBER_OVERFLOW;
    if (exponent < DDB_NUMBER_MIN_EXPONENT)
        return DDB_NUMBER_UNDERFLOW;
    return DDB_NUMBER_OK;
}

/* base + exponent, saturated far beyond the range when it overflows. */
static int64_t shifted_exponent(int64_t base, int64_t exponent)
{
    int64_t sum;
    if (__builtin_add_overflow(base, exponent, &sum))
        return exponent > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

enum ddb_number_status ddb_number_parse(const char *s, size_t len, struct ddb_number *out)
{
    if (len == 0)
        return DDB_NUMBER_EMPTY;
    size_t i = 0;
    bool negative = false;
    if (s[i] == '+' || s[i] == '-') {
        negative = s[i] == '-';
        i++;
    }
    struct ddb_number n = {0};
    size_t int_digits = 0, frac_digits = 0, position = 0, first_nonzero = 0, last_nonzero = 0;
    bool seen_nonzero = false, too_precise = false, seen_point = false;
    for (; i < len; i++) {
        if (s[i] == '.' && !seen_point) {
            seen_point = true;
            continue;
        }
        if (!is_digit(s[i]))
            break;
        uint8_t digit = (uint8_t)(s[i] - '0');
        if (seen_point)
            frac_digits++;
        else
            int_digits++;
        if (digit != 0 && !seen_nonzero) {
            seen_nonzero = true;
            first_nonzero = position;
        }
        if (seen_nonzero) {
            size_t offset = position - first_nonzero;
            if (offset < DDB_NUMBER_MAX_DIGITS)
                n.digits[offset] = digit;
            else if (digit != 0)
                too_precise = true;
            if (digit != 0)
                last_nonzero = position;
        }
        position++;
    }
    if (int_digits + frac_digits == 0)
        return DDB_NUMBER_INVALID;
    int64_t exponent = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (!parse_exponent(s, len, &i, &exponent))
            return DDB_NUMBER_INVALID;
    }
    if (i != len)
        return DDB_NUMBER_INVALID;

    if (!seen_nonzero) {
        /* Zero keeps the exponent of its last written digit. */
        enum ddb_number_status st = check_exponent(shifted_exponent(-(int64_t)frac_digits, exponent));
        if (st != DDB_NUMBER_OK)
            return st;
        memset(out, 0, sizeof(*out));
        return DDB_NUMBER_OK;
    }
    int64_t adjusted = shifted_exponent((int64_t)int_digits - (int64_t)first_nonzero - 1, exponent);
    enum ddb_number_status st = check_exponent(adjusted);
    if (st != DDB_NUMBER_OK)
        return st;
    if (too_precise)
        return DDB_NUMBER_PRECISION;
    n.negative = negative;
    n.exponent = (int16_t)adjusted;
    n.ndigits = (uint8_t)(last_nonzero - first_nonzero + 1);
    *out = n;
    return DDB_NUMBER_OK;
}

size_t ddb_number_format(const struct ddb_number *n, char out[DDB_NUMBER_TEXT_MAX])
{
    char *p = out;
    if (n->ndigits == 0) {
        *p++ = '0';
        *p = '\0';
        return 1;
    }
    if (n->negative)
        *p++ = '-';
    int exponent = n->exponent, count = n->ndigits;
    if (exponent < 0) {
        *p++ = '0';
        *p++ = '.';
        for (int k = 0; k < -exponent - 1; k++)
            *p++ = '0';
        for (int k = 0; k < count; k++)
            *p++ = (char)('0' + n->digits[k]);
    } else if (exponent >= count - 1) {
        for (int k = 0; k < count; k++)
            *p++ = (char)('0' + n->digits[k]);
        for (int k = 0; k < exponent - (count - 1); k++)
            *p++ = '0';
    } else {
        for (int k = 0; k < count; k++) {
            if (k == exponent + 1)
                *p++ = '.';
            *p++ = (char)('0' + n->digits[k]);
        }
    }
    *p = '\0';
    return (size_t)(p - out);
}

static int compare_magnitude(const struct ddb_number *a, const struct ddb_number *b)
{
    if (a->ndigits == 0 || b->ndigits == 0)
        return (a->ndigits != 0) - (b->ndigits != 0);
    if (a->exponent != b->exponent)
        return a->exponent < b->exponent ? -1 : 1;
    int common = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
    for (int k = 0; k < common; k++)
        if (a->digits[k] != b->digits[k])
            return a->digits[k] < b->digits[k] ? -1 : 1;
    return (a->ndigits > b->ndigits) - (a->ndigits < b->ndigits);
}

static int sign_of(const struct ddb_number *n) { return n->ndigits == 0 ? 0 : n->negative ? -1 : 1; }

int ddb_number_compare(const struct ddb_number *a, const struct ddb_number *b)
{
    int sa = sign_of(a), sb = sign_of(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    int magnitude = compare_magnitude(a, b);
    return sa < 0 ? -magnitude : magnitude;
}

/* Adds the digits of n into sum (indexed by power - LOWEST_POWER). */
static void spread(const struct ddb_number *n, int8_t sum[SUM_WIDTH], int sign)
{
    for (int k = 0; k < n->ndigits; k++)
        sum[n->exponent - k - LOWEST_POWER] += (int8_t)(sign * n->digits[k]);
}

/* Signed a + (b_negative ? -|b| : |b|). */
static enum ddb_number_status add_signed(const struct ddb_number *a, const struct ddb_number *b,
                                         bool b_negative, struct ddb_number *out)
{
    if (b->ndigits == 0) {
        *out = *a;
        return DDB_NUMBER_OK;
    }
    if (a->ndigits == 0) {
        *out = *b;
        out->negative = b_negative;
        return DDB_NUMBER_OK;
    }
    int8_t sum[SUM_WIDTH] = {0};
    bool negative;
    if (a->negative == b_negative) {
        negative = a->negative;
        spread(a, sum, 1);
        spread(b, sum, 1);
    } else {
        int magnitude = compare_magnitude(a, b);
        if (magnitude == 0) {
            memset(out, 0, sizeof(*out));
            return DDB_NUMBER_OK;
        }
        const struct ddb_number *larger = magnitude > 0 ? a : b, *smaller = magnitude > 0 ? b : a;
        negative = magnitude > 0 ? a->negative : b_negative;
        spread(larger, sum, 1);
        spread(smaller, sum, -1);
    }
    /* Carries and borrows, lowest power first. */
    for (int k = 0; k < SUM_WIDTH - 1; k++) {
        while (sum[k] < 0) {
            sum[k] = (int8_t)(sum[k] + 10);
            sum[k + 1]--;
        }
        while (sum[k] > 9) {
            sum[k] = (int8_t)(sum[k] - 10);
            sum[k + 1]++;
        }
    }
    int high = SUM_WIDTH - 1, low = 0;
    while (high > 0 && sum[high] == 0)
        high--;
    while (low < high && sum[low] == 0)
        low++;
    int exponent = high + LOWEST_POWER;
    enum ddb_number_status st = check_exponent(exponent);
    if (st != DDB_NUMBER_OK)
        return st;
    if (high - low + 1 > DDB_NUMBER_MAX_DIGITS)
        return DDB_NUMBER_OVERFLOW;
    struct ddb_number r = {.negative = negative, .exponent = (int16_t)exponent,
                           .ndigits = (uint8_t)(high - low + 1)};
    for (int k = 0; k < r.ndigits; k++)
        r.digits[k] = (uint8_t)sum[high - k];
    *out = r;
    return DDB_NUMBER_OK;
}

enum ddb_number_status ddb_number_add(const struct ddb_number *a, const struct ddb_number *b,
                                      struct ddb_number *out)
{
    return add_signed(a, b, b->negative, out);
}

enum ddb_number_status ddb_number_subtract(const struct ddb_number *a, const struct ddb_number *b,
                                           struct ddb_number *out)
{
    return add_signed(a, b, !b->negative, out);
}

void ddb_number_from_uint(uint64_t v, struct ddb_number *out)
{
    memset(out, 0, sizeof(*out));
    if (v == 0)
        return;
    uint8_t reversed[20];
    int count = 0;
    for (; v; v /= 10)
        reversed[count++] = (uint8_t)(v % 10);
    out->exponent = (int16_t)(count - 1);
    int skip = 0;
    while (reversed[skip] == 0)
        skip++;
    for (int k = count - 1; k >= skip; k--)
        out->digits[out->ndigits++] = reversed[k];
}

static int floor_half(int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

size_t ddb_number_size(const struct ddb_number *n)
{
    if (n->ndigits == 0)
        return 1;
    int high = n->exponent, low = n->exponent - n->ndigits + 1;
    size_t pairs = (size_t)(floor_half(high) - floor_half(low) + 1);
    return 1 + pairs + (n->negative ? 1 : 0);
}

size_t ddb_number_key_encode(const struct ddb_number *n, uint8_t out[DDB_NUMBER_KEY_MAX])
{
    if (n->ndigits == 0) {
        out[0] = 2;
        return 1;
    }
    size_t len = 0;
    uint8_t biased = (uint8_t)(n->exponent - DDB_NUMBER_MIN_EXPONENT);
    if (n->negative) {
        out[len++] = 1;
        out[len++] = (uint8_t)(255 - biased);
        for (int k = 0; k < n->ndigits; k++)
            out[len++] = (uint8_t)(9 - n->digits[k]);
        out[len++] = 10;
    } else {
        out[len++] = 3;
        out[len++] = biased;
        for (int k = 0; k < n->ndigits; k++)
            out[len++] = n->digits[k];
    }
    return len;
}

bool ddb_number_key_decode(const uint8_t *key, size_t len, struct ddb_number *out)
{
    struct ddb_number n = {0};
    if (len == 1 && key[0] == 2) {
        *out = n;
        return true;
    }
    if (len < 3 || (key[0] != 1 && key[0] != 3))
        return false;
    n.negative = key[0] == 1;
    size_t count = n.negative ? len - 3 : len - 2;
    if (count == 0 || count > DDB_NUMBER_MAX_DIGITS || (n.negative && key[len - 1] != 10))
        return false;
    int biased = n.negative ? 255 - key[1] : key[1];
    n.exponent = (int16_t)(biased + DDB_NUMBER_MIN_EXPONENT);
    if (n.exponent > DDB_NUMBER_MAX_EXPONENT)
        return false;
    for (size_t k = 0; k < count; k++) {
        uint8_t b = key[2 + k];
        if (b > 9)
            return false;
        n.digits[k] = n.negative ? (uint8_t)(9 - b) : b;
    }
    n.ndigits = (uint8_t)count;
    if (n.digits[0] == 0 || n.digits[count - 1] == 0)
        return false;
    *out = n;
    return true;
}
