/* fuzz_logs_filter: CloudWatch Logs filter patterns (protocol/logs). The
 * input up to its first newline is the pattern, the rest the event message
 * it is matched against when it parses — its exact bytes, NULs included,
 * in a buffer of their size and a NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/logs/filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *newline = memchr(data, '\n', size);
    size_t pattern_len = newline ? (size_t)(newline - data) : size;
    size_t message_len = newline ? size - pattern_len - 1 : 0;
    char *pattern = malloc(pattern_len + 1), *message = malloc(message_len + 1);
    if (pattern && message) {
        memcpy(pattern, data, pattern_len);
        pattern[pattern_len] = '\0';
        memcpy(message, data + size - message_len, message_len);
        message[message_len] = '\0';
        struct logs_filter *f;
        const char *problem;
        if (logs_filter_parse(pattern, &f, &problem) == LOGS_FILTER_OK) {
            logs_filter_match(f, message, message_len);
            logs_filter_free(f);
        }
    }
    free(pattern);
    free(message);
    return 0;
}
