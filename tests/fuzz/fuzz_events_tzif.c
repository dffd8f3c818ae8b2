/* fuzz_events_tzif: tz database files and POSIX TZ strings
 * (protocol/events tzif.c). The input is parsed as a TZif file and as a
 * TZ string; a zone that parses must answer an offset within RFC 8536's
 * bounds for instants from before 1900 to after 2200. */
#include <stdint.h>
#include <stdlib.h>

#include "protocol/events/tzif.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void probe(const struct events_tzif *z)
{
    for (int64_t t = -2500000000LL; t < 8000000000LL; t += 86400 * 97 + 3671) {
        int32_t off = events_tzif_offset(z, t);
        if (off < -24 * 3600 - 3600 * 2 || off > 26 * 3600)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct events_tzif *z;
    if (events_tzif_parse(data, size, &z) == EVENTS_TZIF_OK) {
        probe(z);
        events_tzif_free(z);
    }
    if (events_tzif_from_posix((const char *)data, size, &z) == EVENTS_TZIF_OK) {
        probe(z);
        events_tzif_free(z);
    }
    return 0;
}
