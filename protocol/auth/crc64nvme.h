/* crc64nvme: CRC-64/NVME, the CRC AWS calls CRC64NVME (polynomial
 * 0xad93d23594c93659, reflected, init and xorout all ones), in every way
 * this build and this CPU can compute it; crc64nvme_init picks the fastest
 * once, and the others stay callable so that the tests check each one.
 * Pure: no I/O. */
#ifndef CLOUDLESS_CRC64NVME_H
#define CLOUDLESS_CRC64NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The polynomial, bit-reflected (x^0 is bit 63). */
#define CRC64NVME_POLY_REFLECTED 0x9a6c9329ac4bc9b5ULL

enum crc64nvme_impl {
    CRC64NVME_TABLES,   /* slice-by-8 tables: any CPU */
    CRC64NVME_CLMUL,    /* carry-less multiplication: x86-64 with PCLMULQDQ */
    CRC64NVME_ISAL,     /* ISA-L's crc64_rocksoft_refl (ISA-L 2.31 and later) */
    CRC64NVME__COUNT
};

/* Builds the tables and picks the implementation; 0, or -1 if that could
 * not be done. Thread-safe; every call after the first returns at once. */
int crc64nvme_init(void);

/* The CRC of the bytes `crc` was computed over followed by `data` (`crc`
 * 0 for the first bytes), as ISA-L's crc64 functions chain. After
 * crc64nvme_init. */
uint64_t crc64nvme(uint64_t crc, const void *data, size_t len);

/* Whether `impl` was built and runs on this CPU (after crc64nvme_init), and
 * the same CRC as crc64nvme() computed by it alone (by the tables if it is
 * not available). */
bool crc64nvme_available(enum crc64nvme_impl impl);
uint64_t crc64nvme_with(enum crc64nvme_impl impl, uint64_t crc, const void *data, size_t len);

#endif
