/* protocol/events tzif: time zones from the tz database's compiled files
 * (TZif, RFC 8536: /usr/share/zoneinfo/<Area>/<City>), pure: the bytes of
 * a file in, the UTC offset at any instant out — what EventBridge
 * Scheduler's ScheduleExpressionTimezone needs (the caller reads the file
 * and wraps the zone as a struct events_zone, protocol/events/schedule.h).
 *
 * Versions 1 to 4 are read; from version 2 on, the 64-bit block is used
 * and version 1's is skipped. An instant before the first transition has
 * the first time type's offset; one after the last transition follows the
 * footer's POSIX TZ string ("EST5EDT,M3.2.0,M11.1.0", "<+0330>-3:30",
 * "IST-2IDT,M3.4.4/26,M10.5.0": rules Mm.w.d, Jn and n with optional
 * /time, hours beyond 24 and negative as RFC 8536 allows), or keeps the
 * last transition's offset when there is no footer. Leap-second records
 * are skipped (Scheduler counts POSIX seconds).
 *
 * Bounds: at most EVENTS_TZIF_MAX_TRANSITIONS transitions and 256 types;
 * anything inconsistent (counts past the end, type indices out of range,
 * a footer that does not parse) is refused as INVALID. */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_TZIF_H
#define CLOUDLESS_PROTOCOL_EVENTS_TZIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENTS_TZIF_MAX_TRANSITIONS 100000

struct events_tzif;

enum events_tzif_result {
    EVENTS_TZIF_OK,
    EVENTS_TZIF_INVALID,
    EVENTS_TZIF_NOMEM,
};

enum events_tzif_result events_tzif_parse(const unsigned char *data, size_t len, struct events_tzif **out);

/* The offset east of UTC in seconds (New York in winter: -18000) in
 * effect at the UTC instant `utc` (seconds since the epoch). */
int32_t events_tzif_offset(const struct events_tzif *zone, int64_t utc);

void events_tzif_free(struct events_tzif *zone);

/* A zone of one POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"); INVALID
 * when it does not parse. */
enum events_tzif_result events_tzif_from_posix(const char *tz, size_t len, struct events_tzif **out);

#endif
