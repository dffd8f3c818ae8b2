/* fuzz_events_transform: EventBridge target input (protocol/events). The
 * input's lines are: an InputTemplate, an InputPath, an InputPathsMap
 * (JSON), then the event (JSON). The template is checked as PutTargets
 * checks it, then filled from the event; the path selects from it; the
 * template also goes through Scheduler's context attributes. Nothing may
 * crash, leak or blow up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/events/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of the input (the rest when there is no newline). */
static const char *line(const char **at, const char *end, size_t *len)
{
    const char *start = *at;
    const char *newline = memchr(start, '\n', (size_t)(end - start));
    *len = (size_t)((newline ? newline : end) - start);
    *at = newline ? newline + 1 : end;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *at = (const char *)data, *end = at + size;
    size_t template_len, path_len, map_len;
    const char *template_text = line(&at, end, &template_len);
    const char *path = line(&at, end, &path_len);
    const char *map_text = line(&at, end, &map_len);
    const struct json_value *map = json_parse(map_text, map_len, NULL);
    const struct json_value *event = json_parse(at, (size_t)(end - at), NULL);
    struct strbuf out;
    strbuf_init(&out);
    events_target_check_transformer(map, template_text, template_len, "t", &out);
    events_target_check_input(template_text, template_len, "t", &out);
    strbuf_reset(&out);
    if (event) {
        struct events_delivery d = {
            .event = event,
            .event_json = at,
            .event_json_len = (size_t)(end - at),
            .rule_arn = "arn:aws:events:us-east-1:123456789012:rule/r",
            .rule_name = "r",
            .ingestion_time = "2024-01-01T00:00:00Z",
        };
        events_input_transform(map, template_text, template_len, &d, &out);
        strbuf_reset(&out);
        events_input_path(path, path_len, event, &out);
        strbuf_reset(&out);
    }
    struct events_scheduler_context c = {"arn:s", "2024-01-01T00:00:00Z", "id", 1};
    events_scheduler_input(template_text, template_len, &c, &out);
    strbuf_free(&out);
    if (map)
        json_free(map);
    if (event)
        json_free(event);
    return 0;
}
