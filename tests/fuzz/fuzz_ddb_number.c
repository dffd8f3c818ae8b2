/* fuzz_ddb_number: DynamoDB numbers (protocol/dynamodb/number). The input
 * up to its first '|' is one number, the rest another. A number that
 * parses must format to text that parses back to the same number, survive
 * the key encoding both ways with its order, and add and subtract with the
 * other one exactly (a + b - b == a when nothing overflows). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/number.h"

static void check_round_trip(const struct ddb_number *n)
{
    char text[DDB_NUMBER_TEXT_MAX];
    size_t len = ddb_number_format(n, text);
    if (len >= DDB_NUMBER_TEXT_MAX || strlen(text) != len)
        abort();
    struct ddb_number back;
    if (ddb_number_parse(text, len, &back) != DDB_NUMBER_OK || ddb_number_compare(&back, n) != 0)
        abort();
    uint8_t key[DDB_NUMBER_KEY_MAX];
    size_t key_len = ddb_number_key_encode(n, key);
    if (!ddb_number_key_decode(key, key_len, &back) || ddb_number_compare(&back, n) != 0)
        abort();
    if (ddb_number_size(n) < 1 || ddb_number_size(n) > 22)
        abort();
}

static int key_order(const struct ddb_number *a, const struct ddb_number *b)
{
    uint8_t ka[DDB_NUMBER_KEY_MAX], kb[DDB_NUMBER_KEY_MAX];
    size_t la = ddb_number_key_encode(a, ka), lb = ddb_number_key_encode(b, kb);
    int c = memcmp(ka, kb, la < lb ? la : lb);
    if (c == 0)
        c = (la > lb) - (la < lb);
    return (c > 0) - (c < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *bar = memchr(text, '|', size);
    size_t first_len = bar ? (size_t)(bar - text) : size;
    struct ddb_number a, b, sum, back;
    if (ddb_number_parse(text, first_len, &a) != DDB_NUMBER_OK)
        return 0;
    check_round_trip(&a);
    if (!bar || ddb_number_parse(bar + 1, size - first_len - 1, &b) != DDB_NUMBER_OK)
        return 0;
    check_round_trip(&b);
    if (key_order(&a, &b) != ddb_number_compare(&a, &b))
        abort();
    if (ddb_number_add(&a, &b, &sum) == DDB_NUMBER_OK) {
        check_round_trip(&sum);
        if (ddb_number_subtract(&sum, &b, &back) == DDB_NUMBER_OK && ddb_number_compare(&back, &a) != 0)
            abort();
    }
    if (ddb_number_subtract(&a, &b, &sum) == DDB_NUMBER_OK)
        check_round_trip(&sum);
    return 0;
}
