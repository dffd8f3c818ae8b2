/* fuzz_scheduler_route: EventBridge Scheduler's router (protocol/scheduler
 * route.c). The input up to its first space is the method, the rest the
 * path; a routed request names an operation of the table and a captured
 * segment no longer than its limit, NUL-terminated at its length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/scheduler/route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *space = memchr(text, ' ', size);
    if (!space || space - text > 15)
        return 0;
    char method[16];
    memcpy(method, text, (size_t)(space - text));
    method[space - text] = '\0';
    static struct scheduler_route r;
    if (scheduler_route(method, space + 1, size - (size_t)(space - text) - 1, &r) == SCHEDULER_ROUTE_OK) {
        if (!scheduler_op_name(r.op) || r.param_len > SCHEDULER_PARAM_MAX || r.param[r.param_len] != '\0')
            abort();
    }
    return 0;
}
