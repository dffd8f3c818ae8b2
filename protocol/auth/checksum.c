/* checksum: one incremental API over the checksums AWS puts on bodies.
 *
 * CRC32 and CRC32C come from ISA-L (SIMD-accelerated); CRC64NVME from
 * crc64nvme.c (ISA-L's where the installed ISA-L has it, carry-less
 * multiplication on x86-64, tables elsewhere). SHA-1, SHA-256 and MD5 use
 * OpenSSL EVP. CRC digests are written big-endian, which is the byte order
 * AWS base64-encodes in x-amz-checksum-* headers. */
#include "protocol/auth/checksum.h"

#include <isa-l/crc.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <strings.h>

#include "protocol/auth/crc64nvme.h"

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
        return crc64nvme_init();
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
        ctx->crc = crc64nvme(ctx->crc, p, len);
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
        store_be(ctx->crc, 8, out);
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
