/* checksum: the six checksums AWS uses on bodies — CRC32, CRC32C (ISA-L),
 * CRC64NVME (crc64nvme.h), SHA-1, SHA-256, MD5 (OpenSSL EVP) — behind one
 * incremental API, plus one-shot MD5 and SHA-256. Pure: no I/O. */
#ifndef CLOUDLESS_CHECKSUM_H
#define CLOUDLESS_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


enum checksum_alg {
    CHECKSUM_CRC32,
    CHECKSUM_CRC32C,
    CHECKSUM_CRC64NVME,
    CHECKSUM_SHA1,
    CHECKSUM_SHA256,
    CHECKSUM_MD5,
    CHECKSUM__COUNT
};

#define CHECKSUM_MAX_DIGEST 32

struct checksum_ctx {
    enum checksum_alg alg;
    uint64_t crc;                  /* CRC state */
    void *evp;                     /* EVP_MD_CTX* for digests */
};

/* 0 on success, -1 on allocation failure. */
int checksum_init(struct checksum_ctx *ctx, enum checksum_alg alg);
void checksum_update(struct checksum_ctx *ctx, const void *data, size_t len);
/* Writes the digest (big-endian for CRCs, as AWS sends them) and returns its
 * length; frees the context. */
size_t checksum_final(struct checksum_ctx *ctx, unsigned char out[CHECKSUM_MAX_DIGEST]);
/* Frees without producing a digest. Safe to call twice. */
void checksum_abort(struct checksum_ctx *ctx);

size_t checksum_digest_len(enum checksum_alg alg);
/* "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256" (case-insensitive) -> alg; -1 if unknown.
 * MD5 is not an x-amz-checksum algorithm and is not accepted here. */
int checksum_alg_from_name(const char *name);
const char *checksum_alg_name(enum checksum_alg alg);          /* "CRC32", ... */
const char *checksum_header_name(enum checksum_alg alg);       /* "x-amz-checksum-crc32", ... */

/* CRC32, CRC32C and CRC64NVME can be combined: the CRC of A followed by B
 * from the CRCs of A and B and the length of B (GF(2) polynomial
 * arithmetic, as zlib's crc32_combine, for any of the three). */
bool checksum_alg_is_crc(enum checksum_alg alg);
uint64_t checksum_crc_combine(enum checksum_alg alg, uint64_t crc_a, uint64_t crc_b,
                              uint64_t len_b);
/* A CRC digest (big-endian, 4 or 8 bytes) as a number, and back. */
uint64_t checksum_crc_from_digest(const unsigned char *digest, size_t len);
void checksum_crc_to_digest(enum checksum_alg alg, uint64_t crc,
                            unsigned char out[CHECKSUM_MAX_DIGEST]);

/* One-shot helpers. */
void checksum_md5(const void *data, size_t len, unsigned char out[16]);
void checksum_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
