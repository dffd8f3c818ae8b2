/* fuzz_events_pattern: EventBridge event patterns (protocol/events). The
 * input up to its first newline is the pattern, the rest the event it is
 * matched against when both parse. Compiling twice must agree (same
 * result, same refusal), and matching must answer without crashing,
 * leaking or taking more than linear time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/events/pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *newline = memchr(text, '\n', size);
    size_t pattern_len = newline ? (size_t)(newline - text) : size;
    struct strbuf first, second;
    strbuf_init(&first);
    strbuf_init(&second);
    struct events_pattern *p, *again;
    enum events_pattern_result r = events_pattern_compile(text, pattern_len, &p, &first);
    enum events_pattern_result r2 = events_pattern_compile(text, pattern_len, &again, &second);
    if (r != EVENTS_PATTERN_NOMEM && r2 != EVENTS_PATTERN_NOMEM &&
        (r != r2 || first.len != second.len || (first.len && memcmp(first.data, second.data, first.len) != 0)))
        abort();
    events_pattern_free(again);
    if (r == EVENTS_PATTERN_OK && newline) {
        const struct json_value *event = json_parse(newline + 1, size - pattern_len - 1, NULL);
        if (event) {
            events_pattern_matches(p, event);
            json_free(event);
        }
    }
    events_pattern_free(p);
    strbuf_free(&first);
    strbuf_free(&second);
    return 0;
}
