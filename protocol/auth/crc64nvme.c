/* crc64nvme: CRC-64/NVME three ways, the fastest this build and CPU have
 * chosen once by crc64nvme_init.
 *
 * - ISA-L's crc64_rocksoft_refl (the same CRC: Rocksoft's is NVMe's), where
 *   the installed ISA-L has it (2.31 and later; meson defines
 *   HAVE_ISAL_CRC64_ROCKSOFT). ISA-L picks SIMD code for the CPU itself, on
 *   x86-64 and on arm64.
 * - Otherwise, on x86-64 CPUs with PCLMULQDQ: 16-byte blocks folded with
 *   carry-less multiplication (the method of Intel's "Fast CRC Computation
 *   for Generic Polynomials Using PCLMULQDQ"; ~10x the tables' speed), with
 *   constants derived from the polynomial at start-up. Built only for
 *   x86-64, with the instruction set enabled for these functions alone, and
 *   run only where the CPU reports it.
 * - Everywhere: slice-by-8 tables, built once, eight bytes a step. The
 *   carry-less path also ends with them, for its last block and the bytes
 *   after it.
 *
 * Internally the running register is kept inverted (init all ones); the
 * API takes and returns the finished CRC, as ISA-L's functions do. */
#include "protocol/auth/crc64nvme.h"

#include <pthread.h>

#if defined(HAVE_ISAL_CRC64_ROCKSOFT)
#include <isa-l/crc64.h>
#elif defined(__x86_64__)
#define CRC64NVME_BUILD_CLMUL 1
#include <immintrin.h>
#endif

#define CRC64NVME_POLY 0xad93d23594c93659ULL   /* the same, in normal bit order */

static uint64_t crc64nvme_table[8][256];
static pthread_once_t crc64nvme_once = PTHREAD_ONCE_INIT;
static enum crc64nvme_impl fastest = CRC64NVME_TABLES;

static void build_tables(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint64_t crc = i;
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (crc >> 1) ^ CRC64NVME_POLY_REFLECTED : crc >> 1;
        crc64nvme_table[0][i] = crc;
    }
    for (unsigned i = 0; i < 256; i++)
        for (int k = 1; k < 8; k++)
            crc64nvme_table[k][i] = (crc64nvme_table[k - 1][i] >> 8) ^
                                    crc64nvme_table[0][crc64nvme_table[k - 1][i] & 0xff];
}

/* `crc` is the running register (inverted); returns the new one. */
static uint64_t crc64nvme_tables(uint64_t crc, const unsigned char *p, size_t len)
{
    while (len >= 8) {
        uint64_t word = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
                        (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
                        (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
        crc ^= word;
        crc = crc64nvme_table[7][crc & 0xff] ^ crc64nvme_table[6][(crc >> 8) & 0xff] ^
              crc64nvme_table[5][(crc >> 16) & 0xff] ^ crc64nvme_table[4][(crc >> 24) & 0xff] ^
              crc64nvme_table[3][(crc >> 32) & 0xff] ^ crc64nvme_table[2][(crc >> 40) & 0xff] ^
              crc64nvme_table[1][(crc >> 48) & 0xff] ^ crc64nvme_table[0][crc >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        crc = (crc >> 8) ^ crc64nvme_table[0][(crc ^ *p++) & 0xff];
    return crc;
}

#ifdef CRC64NVME_BUILD_CLMUL
/* Folding constants, bit-reflected: x^(d+63) mod P for the lower and
 * x^(d-1) mod P for the upper half of a 128-bit block folded d bits on
 * (d = 512 across four blocks, 128 across one). */
static uint64_t fold512_lo, fold512_hi, fold128_lo, fold128_hi;
static bool have_clmul;

static uint64_t reflect64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++)
        r |= ((v >> i) & 1) << (63 - i);
    return r;
}

/* x^n mod P, in normal bit order. */
static uint64_t x_pow_mod(unsigned n)
{
    uint64_t v = 1;
    while (n--)
        v = (v & (1ULL << 63)) ? (v << 1) ^ CRC64NVME_POLY : v << 1;
    return v;
}

static void setup_clmul(void)
{
    fold512_lo = reflect64(x_pow_mod(512 + 63));
    fold512_hi = reflect64(x_pow_mod(512 - 1));
    fold128_lo = reflect64(x_pow_mod(128 + 63));
    fold128_hi = reflect64(x_pow_mod(128 - 1));
    __builtin_cpu_init();
    have_clmul = __builtin_cpu_supports("pclmul");
}

/* A 128-bit block, read bit-reflected, carried d bits on (mod P): its lower
 * half times x^(d+63), its upper half times x^(d-1), each product of
 * reflected operands landing one bit up, which the exponents make good. */
__attribute__((target("pclmul"))) static inline __m128i fold(__m128i block, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(block, k, 0x00), _mm_clmulepi64_si128(block, k, 0x11));
}

/* At least 64 bytes. Folds four blocks at a time while 64 bytes remain,
 * then one at a time; the register goes in as the first block's lower half
 * (the same as starting from it). The last block then holds what the whole
 * input leaves mod P: its CRC from a zero register is the register after
 * the input. */
__attribute__((target("pclmul"))) static uint64_t crc64nvme_clmul(uint64_t crc, const unsigned char *p,
                                                                  size_t len)
{
    const __m128i k512 = _mm_set_epi64x((long long)fold512_hi, (long long)fold512_lo);
    const __m128i k128 = _mm_set_epi64x((long long)fold128_hi, (long long)fold128_lo);
    __m128i x0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi64_si128((long long)crc));
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    len -= 64;
    while (len >= 64) {
        x0 = _mm_xor_si128(fold(x0, k512), _mm_loadu_si128((const __m128i *)p));
        x1 = _mm_xor_si128(fold(x1, k512), _mm_loadu_si128((const __m128i *)(p + 16)));
        x2 = _mm_xor_si128(fold(x2, k512), _mm_loadu_si128((const __m128i *)(p + 32)));
        x3 = _mm_xor_si128(fold(x3, k512), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        len -= 64;
    }
    __m128i x = _mm_xor_si128(fold(x0, k128), x1);
    x = _mm_xor_si128(fold(x, k128), x2);
    x = _mm_xor_si128(fold(x, k128), x3);
    while (len >= 16) {
        x = _mm_xor_si128(fold(x, k128), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    unsigned char last[16];
    _mm_storeu_si128((__m128i *)last, x);
    return crc64nvme_tables(crc64nvme_tables(0, last, sizeof(last)), p, len);
}
#endif

static void setup(void)
{
    build_tables();
#if defined(HAVE_ISAL_CRC64_ROCKSOFT)
    fastest = CRC64NVME_ISAL;
#elif defined(CRC64NVME_BUILD_CLMUL)
    setup_clmul();
    if (have_clmul)
        fastest = CRC64NVME_CLMUL;
#endif
}

int crc64nvme_init(void)
{
    return pthread_once(&crc64nvme_once, setup) == 0 ? 0 : -1;
}

bool crc64nvme_available(enum crc64nvme_impl impl)
{
    switch (impl) {
    case CRC64NVME_TABLES: return true;
#if defined(HAVE_ISAL_CRC64_ROCKSOFT)
    case CRC64NVME_ISAL: return true;
#elif defined(CRC64NVME_BUILD_CLMUL)
    case CRC64NVME_CLMUL: return have_clmul;
#endif
    default: return false;
    }
}

uint64_t crc64nvme_with(enum crc64nvme_impl impl, uint64_t crc, const void *data, size_t len)
{
    const unsigned char *p = data;
    switch (impl) {
#if defined(HAVE_ISAL_CRC64_ROCKSOFT)
    case CRC64NVME_ISAL:
        return crc64_rocksoft_refl(crc, p, len);
#elif defined(CRC64NVME_BUILD_CLMUL)
    case CRC64NVME_CLMUL:
        if (have_clmul && len >= 64)
            return ~crc64nvme_clmul(~crc, p, len);
        break;
#endif
    default:
        break;
    }
    return ~crc64nvme_tables(~crc, p, len);
}

uint64_t crc64nvme(uint64_t crc, const void *data, size_t len)
{
    return crc64nvme_with(fastest, crc, data, len);
}
