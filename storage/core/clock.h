/* storage/core clock: the one wall clock that storage/ and server/ read
 * (protocol/ never reads a clock; times are passed to it). Everything
 * time-based — expiry, delays, schedules, timestamps in answers — asks
 * here, so there is one place that decides what "now" is.
 *
 * "Now" is the machine's clock plus an offset that only moves forward and
 * is 0 unless the clock endpoint (server/core/clock_control.c, off by
 * default) advances it, so tests can jump to 03:00 instead of waiting.
 * What other parties compare with their own clocks — request signatures,
 * the HTTP Date header, Lambda's deadline, log lines — reads the machine's
 * clock (clock_real_*) instead. */
#ifndef CLOUDLESS_STORAGE_CLOCK_H
#define CLOUDLESS_STORAGE_CLOCK_H

#include <stdint.h>

/* The service's time: milliseconds and microseconds since the Unix epoch. */
int64_t clock_now_ms(void);
int64_t clock_now_us(void);
/* The machine's time, whatever the offset. */
int64_t clock_real_ms(void);
int64_t clock_real_us(void);

/* The offset of the service's time over the machine's, in microseconds. */
int64_t clock_offset_us(void);
/* Moves the service's time forward by delta_us (>= 0). Any thread. */
void clock_advance_us(int64_t delta_us);

#endif
