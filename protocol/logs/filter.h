/* protocol/logs filter: CloudWatch Logs filter patterns (FilterLogEvents'
 * filterPattern), parsed once and matched against each event's message,
 * pure. See filter.c for the syntax understood. */
#ifndef CLOUDLESS_PROTOCOL_LOGS_FILTER_H
#define CLOUDLESS_PROTOCOL_LOGS_FILTER_H

#include <stdbool.h>
#include <stddef.h>

struct logs_filter;

enum logs_filter_status {
    LOGS_FILTER_OK,
    LOGS_FILTER_INVALID,           /* AWS refuses it: *message says why */
    LOGS_FILTER_UNSUPPORTED,       /* valid, but not understood here: *message says what */
    LOGS_FILTER_NOMEM,
};

/* Parses a pattern ("" matches every event). *out is NULL unless OK. */
enum logs_filter_status logs_filter_parse(const char *pattern, struct logs_filter **out, const char **message);
/* Whether the message, len bytes (U+0000 among them) followed by a NUL as
 * SQLite and the JSON reader give text, matches. */
bool logs_filter_match(const struct logs_filter *f, const char *message, size_t len);
void logs_filter_free(struct logs_filter *f);

#endif
