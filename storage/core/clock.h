/* storage/core clock: the one wall clock that storage/ and server/ read
 * (protocol/ never reads a clock; times are passed to it). Everything
 * time-based — expiry, delays, schedules, timestamps in answers — asks
 * here, so there is one place that decides what "now" is. */
#ifndef CLOUDLESS_STORAGE_CLOCK_H
#define CLOUDLESS_STORAGE_CLOCK_H

#include <stdint.h>

/* Milliseconds and microseconds since the Unix epoch. */
int64_t clock_now_ms(void);
int64_t clock_now_us(void);

#endif
