/* checksum: one incremental API over the checksums AWS puts on bodies.
 *
 * CRC32 and CRC32C come from ISA-L (SIMD-accelerated); CRC64NVME (the
 * "CRC-64/NVME" polynomial 0xad93d23594c93659, reflected, init and xorout
 * all ones) is not in the ISA-L shipped with Debian 12, so it is computed
 * here: 16-byte blocks are folded with carry-less multiplication (PCLMULQDQ,
 * the method of Intel's "Fast CRC Computation for Generic Polynomials
 * Using PCLMULQDQ"; ~10x the tables' speed), with its constants derived
 * from the polynomial at start-up, and what remains is done slice-by-8
 * from tables built once (also on CPUs without PCLMULQDQ). SHA-1, SHA-256 and MD5 use
 * OpenSSL EVP. CRC digests are written big-endian, which is the byte order
 * AWS base64-encodes in x-amz-checksum-* headers. Base64 encoding uses
 * OpenSSL; decoding is a small strict decoder so that bad padding and
 * overflow are reported instead of silently producing bytes. */
#include "protocol/auth/checksum.h"

#include <immintrin.h>
#include <isa-l/crc.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <strings.h>

#define CRC64NVME_POLY_REFLECTED 0x9a6c9329ac4bc9b5ULL

#define CRC64NVME_POLY 0xad93d23594c93659ULL   /* the same, in normal bit order */

static uint64_t crc64nvme_table[8][256];
static pthread_once_t crc64nvme_once = PTHREAD_ONCE_INIT;
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

static void crc64nvme_build_tables(void)
{
    fold512_lo = reflect64(x_pow_mod(512 + 63));
    fold512_hi = reflect64(x_pow_mod(512 - 1));
    fold128_lo = reflect64(x_pow_mod(128 + 63));
    fold128_hi = reflect64(x_pow_mod(128 - 1));
    __builtin_cpu_init();
    have_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
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

/* `crc` is the running register (already inverted); returns the new one. */
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

/* A 128-bit block, read bit-reflected, carried d bits on (mod P): its lower
 * half times x^(d+63), its upper half times x^(d-1), each product of
 * reflected operands landing one bit up, which the exponents make good. */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i fold(__m128i block, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(block, k, 0x00), _mm_clmulepi64_si128(block, k, 0x11));
}

/* Folds four blocks at a time while 64 bytes remain, then one at a time;
 * the register goes in as the first block's lower half (the same as
 * starting from it). The last block then holds what the whole input leaves
 * mod P: its CRC from a zero register is the register after the input. */
__attribute__((target("pclmul,sse4.1"))) static uint64_t crc64nvme_clmul(uint64_t crc, const unsigned char *p,
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

static uint64_t crc64nvme_update(uint64_t crc, const unsigned char *p, size_t len)
{
    if (have_clmul && len >= 64)
        return crc64nvme_clmul(crc, p, len);
    return crc64nvme_tables(crc, p, len);
}

static const EVP_MD *digest_md(enum checksum_alg alg)
{
    switch (alg) {
    case CHECKSUM_SHA1: return EVP_sha1();
    case CHECKSUM_SHA256: return EVP_sha256();
    case CHECKSUM_MD5: return EVP_md5();
    default: return NULL;
    }
}

int checksum_init(struct checksum_ctx *ctx, enum checksum_alg alg)
{
    ctx->alg = alg;
    ctx->crc = 0;
    ctx->evp = NULL;
    switch (alg) {
    case CHECKSUM_CRC32:
        return 0;
    case CHECKSUM_CRC32C:
        ctx->crc = 0xffffffffu;   /* crc32_iscsi neither pre- nor post-inverts */
        return 0;
    case CHECKSUM_CRC64NVME:
        if (pthread_once(&crc64nvme_once, crc64nvme_build_tables) != 0)
            return -1;
        ctx->crc = ~0ULL;
        return 0;
    case CHECKSUM_SHA1:
    case CHECKSUM_SHA256:
    case CHECKSUM_MD5: {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        if (!md)
            return -1;
        if (EVP_DigestInit_ex(md, digest_md(alg), NULL) != 1) {
            EVP_MD_CTX_free(md);
            return -1;
        }
        ctx->evp = md;
        return 0;
    }
    default:
        return -1;
    }
}

void checksum_update(struct checksum_ctx *ctx, const void *data, size_t len)
{
    const unsigned char *p = data;
    switch (ctx->alg) {
    case CHECKSUM_CRC32:
        ctx->crc = crc32_gzip_refl((uint32_t)ctx->crc, p, len);
        break;
    case CHECKSUM_CRC32C:
        /* crc32_iscsi takes an int length and a non-const buffer it does not write. */
        while (len > 0) {
            int step = len > (size_t)INT_MAX ? INT_MAX : (int)len;
            ctx->crc = crc32_iscsi((unsigned char *)p, step, (unsigned int)ctx->crc);
            p += step;
            len -= (size_t)step;
        }
        break;
    case CHECKSUM_CRC64NVME:
        ctx->crc = crc64nvme_update(ctx->crc, p, len);
        break;
    default:
        if (ctx->evp)
            EVP_DigestUpdate(ctx->evp, p, len);
        break;
    }
}

static void store_be(uint64_t v, size_t bytes, unsigned char *out)
{
    for (size_t i = 0; i < bytes; i++)
        out[i] = (unsigned char)(v >> (8 * (bytes - 1 - i)));
}

size_t checksum_final(struct checksum_ctx *ctx, unsigned char out[CHECKSUM_MAX_DIGEST])
{
    size_t len = checksum_digest_len(ctx->alg);
    switch (ctx->alg) {
    case CHECKSUM_CRC32:
        store_be(ctx->crc, 4, out);
        break;
    case CHECKSUM_CRC32C:
        store_be(~ctx->crc & 0xffffffffu, 4, out);
        break;
    case CHECKSUM_CRC64NVME:
        store_be(~ctx->crc, 8, out);
        break;
    default: {
        unsigned int n = 0;
        if (!ctx->evp || EVP_DigestFinal_ex(ctx->evp, out, &n) != 1)
            len = 0;
        break;
    }
    }
    checksum_abort(ctx);
    return len;
}

bool checksum_alg_is_crc(enum checksum_alg alg)
{
    return alg == CHECKSUM_CRC32 || alg == CHECKSUM_CRC32C || alg == CHECKSUM_CRC64NVME;
}

/* Reflected polynomials: bit width-1 is x^0. */
static uint64_t crc_poly(enum checksum_alg alg)
{
    switch (alg) {
    case CHECKSUM_CRC32: return 0xedb88320u;
    case CHECKSUM_CRC32C: return 0x82f63b78u;
    default: return CRC64NVME_POLY_REFLECTED;
    }
}

/* a * b modulo the polynomial, both in the reflected representation. */
static uint64_t gf2_multiply(uint64_t a, uint64_t b, uint64_t poly, uint64_t top)
{
    uint64_t product = 0;
    for (uint64_t bit = top; bit; bit >>= 1) {
        if (a & bit)
            product ^= b;
        b = (b & 1) ? (b >> 1) ^ poly : b >> 1;
    }
    return product;
}

uint64_t checksum_crc_combine(enum checksum_alg alg, uint64_t crc_a, uint64_t crc_b,
                              uint64_t len_b)
{
    uint64_t top = alg == CHECKSUM_CRC64NVME ? 1ULL << 63 : 1ULL << 31;
    uint64_t poly = crc_poly(alg);
    /* x^(8 * len_b) by squaring: `square` walks x^8, x^16, x^32, ... */
    uint64_t shift = top, square = top >> 8;
    for (uint64_t n = len_b; n; n >>= 1) {
        if (n & 1)
            shift = gf2_multiply(square, shift, poly, top);
        square = gf2_multiply(square, square, poly, top);
    }
    return gf2_multiply(shift, crc_a, poly, top) ^ crc_b;
}

uint64_t checksum_crc_from_digest(const unsigned char *digest, size_t len)
{
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++)
        v = v << 8 | digest[i];
    return v;
}

void checksum_crc_to_digest(enum checksum_alg alg, uint64_t crc,
                            unsigned char out[CHECKSUM_MAX_DIGEST])
{
    store_be(crc, checksum_digest_len(alg), out);
}

void checksum_abort(struct checksum_ctx *ctx)
{
    EVP_MD_CTX_free(ctx->evp);
    ctx->evp = NULL;
}

size_t checksum_digest_len(enum checksum_alg alg)
{
    switch (alg) {
    case CHECKSUM_CRC32:
    case CHECKSUM_CRC32C: return 4;
    case CHECKSUM_CRC64NVME: return 8;
    case CHECKSUM_SHA1: return 20;
    case CHECKSUM_SHA256: return 32;
    case CHECKSUM_MD5: return 16;
    default: return 0;
    }
}

static const char *const alg_names[CHECKSUM__COUNT] = {
    [CHECKSUM_CRC32] = "CRC32",   [CHECKSUM_CRC32C] = "CRC32C",
    [CHECKSUM_CRC64NVME] = "CRC64NVME", [CHECKSUM_SHA1] = "SHA1",
    [CHECKSUM_SHA256] = "SHA256", [CHECKSUM_MD5] = "MD5",
};

static const char *const alg_headers[CHECKSUM__COUNT] = {
    [CHECKSUM_CRC32] = "x-amz-checksum-crc32",
    [CHECKSUM_CRC32C] = "x-amz-checksum-crc32c",
    [CHECKSUM_CRC64NVME] = "x-amz-checksum-crc64nvme",
    [CHECKSUM_SHA1] = "x-amz-checksum-sha1",
    [CHECKSUM_SHA256] = "x-amz-checksum-sha256",
    [CHECKSUM_MD5] = NULL,
};

int checksum_alg_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int alg = 0; alg < CHECKSUM__COUNT; alg++)
        if (alg != CHECKSUM_MD5 && strcasecmp(name, alg_names[alg]) == 0)
            return alg;
    return -1;
}

const char *checksum_alg_name(enum checksum_alg alg)
{
    return (unsigned)alg < CHECKSUM__COUNT ? alg_names[alg] : NULL;
}

const char *checksum_header_name(enum checksum_alg alg)
{
    return (unsigned)alg < CHECKSUM__COUNT ? alg_headers[alg] : NULL;
}

static void one_shot(const EVP_MD *md, const void *data, size_t len, unsigned char *out)
{
    unsigned int n = 0;
    EVP_Digest(data, len, out, &n, md, NULL);
}

void checksum_md5(const void *data, size_t len, unsigned char out[16])
{
    one_shot(EVP_md5(), data, len, out);
}

void checksum_sha256(const void *data, size_t len, unsigned char out[32])
{
    one_shot(EVP_sha256(), data, len, out);
}
