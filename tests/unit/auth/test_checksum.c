/* test_checksum: known-answer vectors for every algorithm of checksum.h,
 * incremental updates split at odd boundaries (each must equal the
 * one-shot digest), CRC64NVME against a bit-at-a-time reference (through
 * the API and by each implementation alone), and the big-endian base64 form
 * the x-amz-checksum-* headers carry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "protocol/auth/checksum.h"
#include "protocol/auth/crc64nvme.h"
#include "protocol/core/hex.h"
#include "protocol/core/base64.h"

static const char check_input[] = "123456789";

static void digest_of(enum checksum_alg alg, const void *data, size_t len,
                      unsigned char out[CHECKSUM_MAX_DIGEST], size_t *out_len)
{
    struct checksum_ctx ctx;
    assert_int_equal(checksum_init(&ctx, alg), 0);
    checksum_update(&ctx, data, len);
    *out_len = checksum_final(&ctx, out);
}

static void assert_digest_hex(enum checksum_alg alg, const char *input, const char *hex)
{
    unsigned char d[CHECKSUM_MAX_DIGEST];
    size_t n;
    char got[2 * CHECKSUM_MAX_DIGEST + 1];
    digest_of(alg, input, strlen(input), d, &n);
    assert_int_equal(n, checksum_digest_len(alg));
    hex_encode(d, n, got);
    assert_string_equal(got, hex);
}

static void test_check_values(void **state)
{
    (void)state;
    assert_digest_hex(CHECKSUM_CRC32, check_input, "cbf43926");
    assert_digest_hex(CHECKSUM_CRC32C, check_input, "e3069283");
    assert_digest_hex(CHECKSUM_CRC64NVME, check_input, "ae8b14860a799888");
    assert_digest_hex(CHECKSUM_SHA1, check_input, "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
    assert_digest_hex(CHECKSUM_SHA256, check_input,
                      "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
    assert_digest_hex(CHECKSUM_MD5, check_input, "25f9e794323b453885f5181f1b624d0b");
}

static void test_empty_input(void **state)
{
    (void)state;
    assert_digest_hex(CHECKSUM_CRC32, "", "00000000");
    assert_digest_hex(CHECKSUM_CRC32C, "", "00000000");
    assert_digest_hex(CHECKSUM_CRC64NVME, "", "0000000000000000");
    assert_digest_hex(CHECKSUM_SHA256, "",
                      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_digest_hex(CHECKSUM_MD5, "", "d41d8cd98f00b204e9800998ecf8427e");
}

/* x-amz-checksum-* headers carry the big-endian digest in base64: the
 * CRC32 0xcbf43926 of "123456789" is "y/Q5Jg==". */
static void test_base64_of_crc_is_big_endian(void **state)
{
    (void)state;
    unsigned char d[CHECKSUM_MAX_DIGEST];
    size_t n;
    char b64[64];
    digest_of(CHECKSUM_CRC32, check_input, 9, d, &n);
    base64_encode(d, n, b64);
    assert_string_equal(b64, "y/Q5Jg==");
    digest_of(CHECKSUM_CRC64NVME, check_input, 9, d, &n);
    base64_encode(d, n, b64);
    assert_string_equal(b64, "rosUhgp5mIg=");
}

static void fill_pseudo_random(unsigned char *buf, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (unsigned char)(seed >> 16);
    }
}

static void test_incremental_matches_one_shot(void **state)
{
    (void)state;
    static unsigned char data[4099];
    fill_pseudo_random(data, sizeof data, 7);
    static const size_t steps[] = { 1, 3, 7, 8, 9, 13, 64, 1000, 4099 };
    for (int alg = 0; alg < CHECKSUM__COUNT; alg++) {
        unsigned char whole[CHECKSUM_MAX_DIGEST];
        size_t whole_len;
        digest_of((enum checksum_alg)alg, data, sizeof data, whole, &whole_len);
        for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
            struct checksum_ctx ctx;
            assert_int_equal(checksum_init(&ctx, (enum checksum_alg)alg), 0);
            size_t step = steps[s];
            for (size_t off = 0; off < sizeof data;) {
                size_t n = sizeof data - off < step ? sizeof data - off : step;
                checksum_update(&ctx, data + off, n);
                off += n;
                step = step * 5 % 17 + 1;   /* vary the split points */
            }
            unsigned char part[CHECKSUM_MAX_DIGEST];
            assert_int_equal(checksum_final(&ctx, part), whole_len);
            assert_memory_equal(part, whole, whole_len);
        }
    }
}

/* Independent bit-at-a-time CRC-64/NVME. */
static uint64_t crc64nvme_reference(const unsigned char *p, size_t len)
{
    uint64_t crc = ~0ULL;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x9a6c9329ac4bc9b5ULL : crc >> 1;
    }
    return ~crc;
}

/* The CRC-64/NVME of `len` bytes: through the checksum API (the fastest
 * implementation, as the server uses it) or by one implementation alone,
 * in two chained pieces split at `split` (clamped to `len`). */
enum { VIA_CHECKSUM_API = -1 };

static uint64_t crc64nvme_via(int impl, const unsigned char *p, size_t len, size_t split)
{
    if (impl == VIA_CHECKSUM_API) {
        unsigned char d[CHECKSUM_MAX_DIGEST];
        size_t n;
        digest_of(CHECKSUM_CRC64NVME, p, len, d, &n);
        assert_int_equal(n, 8);
        return checksum_crc_from_digest(d, n);
    }
    if (split > len)
        split = len;
    uint64_t crc = crc64nvme_with((enum crc64nvme_impl)impl, 0, p, split);
    return crc64nvme_with((enum crc64nvme_impl)impl, crc, p + split, len - split);
}

/* Every length up to 700 (the folding path starts at 64 bytes, folds four
 * blocks per 64 and one per 16, the tables take the rest), from several
 * alignments and split points, and a 1 MiB buffer. */
static void check_crc64nvme_against_reference(int impl)
{
    static unsigned char data[(1 << 20) + 16];
    fill_pseudo_random(data, sizeof data, 99);
    static const size_t splits[] = { 0, 1, 15, 64, 100, 333 };
    for (size_t offset = 0; offset < 16; offset += 5) {
        for (size_t len = 0; len <= 700; len++) {
            size_t split = splits[(offset + len) % (sizeof splits / sizeof splits[0])];
            assert_true(crc64nvme_via(impl, data + offset, len, split) ==
                        crc64nvme_reference(data + offset, len));
        }
    }
    assert_true(crc64nvme_via(impl, data + 3, 1 << 20, 12345) ==
                crc64nvme_reference(data + 3, 1 << 20));
}

static void test_crc64nvme_against_reference(void **state)
{
    (void)state;
    check_crc64nvme_against_reference(VIA_CHECKSUM_API);
}

/* Each implementation on its own: the tables always (the only one on CPUs
 * other than x86-64 when ISA-L is older than 2.31), carry-less
 * multiplication where this x86-64 CPU has it, ISA-L's where it was built
 * with it; one not built or not supported here is reported as skipped. */
static void check_crc64nvme_impl(enum crc64nvme_impl impl)
{
    assert_int_equal(crc64nvme_init(), 0);
    if (!crc64nvme_available(impl))
        skip();
    check_crc64nvme_against_reference((int)impl);
}

static void test_crc64nvme_tables(void **state)
{
    (void)state;
    check_crc64nvme_impl(CRC64NVME_TABLES);
}

static void test_crc64nvme_clmul(void **state)
{
    (void)state;
    check_crc64nvme_impl(CRC64NVME_CLMUL);
}

static void test_crc64nvme_isal(void **state)
{
    (void)state;
    check_crc64nvme_impl(CRC64NVME_ISAL);
}

static void test_one_shot_helpers(void **state)
{
    (void)state;
    unsigned char d[32];
    char hex[65];
    checksum_sha256("abc", 3, d);
    hex_encode(d, 32, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    checksum_md5("abc", 3, d);
    hex_encode(d, 16, hex);
    assert_string_equal(hex, "900150983cd24fb0d6963f7d28e17f72");
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(checksum_alg_from_name("crc32"), CHECKSUM_CRC32);
    assert_int_equal(checksum_alg_from_name("CRC32C"), CHECKSUM_CRC32C);
    assert_int_equal(checksum_alg_from_name("Crc64Nvme"), CHECKSUM_CRC64NVME);
    assert_int_equal(checksum_alg_from_name("SHA1"), CHECKSUM_SHA1);
    assert_int_equal(checksum_alg_from_name("sha256"), CHECKSUM_SHA256);
    assert_int_equal(checksum_alg_from_name("MD5"), -1);
    assert_int_equal(checksum_alg_from_name("CRC"), -1);
    assert_int_equal(checksum_alg_from_name(NULL), -1);
    assert_string_equal(checksum_alg_name(CHECKSUM_CRC64NVME), "CRC64NVME");
    assert_string_equal(checksum_header_name(CHECKSUM_CRC32C), "x-amz-checksum-crc32c");
    assert_string_equal(checksum_header_name(CHECKSUM_SHA256), "x-amz-checksum-sha256");
    assert_null(checksum_header_name(CHECKSUM_MD5));
}

static void test_abort_twice_is_safe(void **state)
{
    (void)state;
    struct checksum_ctx ctx;
    assert_int_equal(checksum_init(&ctx, CHECKSUM_SHA256), 0);
    checksum_update(&ctx, "x", 1);
    checksum_abort(&ctx);
    checksum_abort(&ctx);
}

static uint64_t crc_of(enum checksum_alg alg, const void *data, size_t len)
{
    struct checksum_ctx ctx;
    unsigned char out[CHECKSUM_MAX_DIGEST];
    assert_int_equal(checksum_init(&ctx, alg), 0);
    checksum_update(&ctx, data, len);
    size_t n = checksum_final(&ctx, out);
    return checksum_crc_from_digest(out, n);
}

/* crc(A || B) == combine(crc(A), crc(B), |B|) for every split, every CRC. */
static void test_crc_combine(void **state)
{
    (void)state;
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (unsigned char)(i * 131 + 7);
    const enum checksum_alg algs[] = {CHECKSUM_CRC32, CHECKSUM_CRC32C, CHECKSUM_CRC64NVME};
    const size_t splits[] = {0, 1, 7, 1000, 2999, 3000};
    for (size_t a = 0; a < 3; a++) {
        assert_true(checksum_alg_is_crc(algs[a]));
        uint64_t whole = crc_of(algs[a], data, sizeof(data));
        for (size_t s = 0; s < sizeof(splits) / sizeof(splits[0]); s++) {
            size_t k = splits[s];
            uint64_t head = crc_of(algs[a], data, k);
            uint64_t tail = crc_of(algs[a], data + k, sizeof(data) - k);
            assert_true(checksum_crc_combine(algs[a], head, tail, sizeof(data) - k) == whole);
        }
        unsigned char digest[CHECKSUM_MAX_DIGEST];
        checksum_crc_to_digest(algs[a], whole, digest);
        assert_true(checksum_crc_from_digest(digest, checksum_digest_len(algs[a])) == whole);
    }
    assert_false(checksum_alg_is_crc(CHECKSUM_SHA256));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_values),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_base64_of_crc_is_big_endian),
        cmocka_unit_test(test_incremental_matches_one_shot),
        cmocka_unit_test(test_crc64nvme_against_reference),
        cmocka_unit_test(test_crc64nvme_tables),
        cmocka_unit_test(test_crc64nvme_clmul),
        cmocka_unit_test(test_crc64nvme_isal),
        cmocka_unit_test(test_one_shot_helpers),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_abort_twice_is_safe),
        cmocka_unit_test(test_crc_combine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
