/* protocol/core uuid: see uuid.h. RAND_bytes fails only without an entropy
 * source; the id then comes from a counter mixed with its address, still
 * unique within the process. A named id is the first 16 bytes of the
 * name's SHA-256, shaped the same way. */
#include "protocol/core/uuid.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

/* Formats 16 bytes as a version-4-shaped UUID (version and variant bits set). */
static void uuid_format(unsigned char b[16], char out[37])
{
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

void uuid_v4(char out[37])
{
    unsigned char b[16];
    if (RAND_bytes(b, sizeof(b)) != 1) {
        static uint64_t counter;
        uint64_t c = ++counter, a = (uint64_t)(uintptr_t)out * 0x9E3779B97F4A7C15ULL;
        memcpy(b, &c, 8);
        memcpy(b + 8, &a, 8);
    }
    uuid_format(b, out);
}

void uuid_from_name(const char *name, char out[37])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)name, strlen(name), digest);
    uuid_format(digest, out);
}
