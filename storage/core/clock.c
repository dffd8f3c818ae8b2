/* storage/core clock: see clock.h. CLOCK_REALTIME through clock_gettime,
 * which the vDSO answers without a system call, plus one atomic offset
 * (read relaxed: a reader may see the old offset for an instant, never a
 * torn one). */
#include "storage/core/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_us;

int64_t clock_real_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t clock_real_ms(void) { return clock_real_us() / 1000; }

int64_t clock_now_us(void) { return clock_real_us() + atomic_load_explicit(&offset_us, memory_order_relaxed); }

int64_t clock_now_ms(void) { return clock_now_us() / 1000; }

int64_t clock_offset_us(void) { return atomic_load_explicit(&offset_us, memory_order_relaxed); }

void clock_advance_us(int64_t delta_us)
{
    if (delta_us > 0)
        atomic_fetch_add_explicit(&offset_us, delta_us, memory_order_relaxed);
}
