/* Unit tests for the Scan order of protocol/dynamodb key.c: the 24-bit
 * hash AWS orders items by (MD5 of "Outliers" and the key bytes) and the
 * segments of a parallel Scan, which must cover the hash space exactly
 * once in order, whatever TotalSegments. */
#include "ddb_test.h"

#include "protocol/dynamodb/key.h"

static void test_scan_hash(void **state)
{
    (void)state;
    struct ddb_value a = V("{\"S\":\"a\"}"), b = V("{\"S\":\"b\"}"), hello = V("{\"S\":\"hello\"}");
    assert_int_equal(ddb_key_scan_hash(&a, NULL), 0xf6558e);
    assert_int_equal(ddb_key_scan_hash(&b, NULL), 0x6521ac);
    assert_int_equal(ddb_key_scan_hash(&hello, NULL), 0x8f051e);
    /* An index orders by the hash of the whole table key. */
    assert_int_equal(ddb_key_scan_hash(&a, &b), 0x8d018b);
    /* A binary key hashes its bytes as a string of the same bytes does. */
    struct ddb_value bin = V("{\"B\":\"YQ==\"}");
    assert_int_equal(ddb_key_scan_hash(&bin, NULL), 0xf6558e);
}

static void test_segments_cover_once(void **state)
{
    (void)state;
    static const int64_t totals[] = {1, 2, 3, 7, 100, 4095, 4096, 5000, 1000000};
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        uint32_t expected_low = 0;
        for (int64_t s = 0; s < totals[t]; s++) {
            uint32_t low, high;
            ddb_scan_segment_bounds(s, totals[t], &low, &high);
            assert_int_equal(low, expected_low);
            assert_true(high >= low);
            expected_low = high;
        }
        assert_int_equal(expected_low, 1u << 24);
    }
    uint32_t low, high;
    ddb_scan_segment_bounds(0, 1, &low, &high);
    assert_int_equal(low, 0);
    assert_int_equal(high, 1u << 24);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_hash, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_segments_cover_once, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
