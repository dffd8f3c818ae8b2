/* fuzz_logs_filter: CloudWatch Logs filter patterns (protocol/logs). The
 * input up to its first newline is the pattern, the rest the event message
 * it is matched against when it parses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/logs/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *newline = strchr(copy, '\n');
    const char *message = "";
    if (newline) {
        *newline = '\0';
        message = newline + 1;
    }
    struct logs_filter *f;
    const char *problem;
    if (logs_filter_parse(copy, &f, &problem) == LOGS_FILTER_OK) {
        logs_filter_match(f, message);
        logs_filter_free(f);
    }
    free(copy);
    return 0;
}
