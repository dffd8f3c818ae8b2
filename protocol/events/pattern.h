/* protocol/events pattern: EventBridge event patterns (PutRule's and
 * TestEventPattern's EventPattern, archives' and pipes' filters), compiled
 * once and matched against each event, pure. The same language filters
 * SNS subscriptions (FilterPolicy), which can reuse the matcher.
 *
 * The language, as AWS's matcher (aws/event-ruler) defines it:
 *
 *   { "source": ["aws.s3"], "detail": { "size": [{"numeric": [">", 0]}] } }
 *
 * - A pattern is a JSON object; nested objects name nested event fields,
 *   and a dotted key ("detail.state") is the same as the nesting. Every
 *   field must match (AND); a field's array lists alternatives (OR).
 * - Values: strings, numbers (compared numerically: 3.0e2 matches 300),
 *   true, false, null; a string that is an IP address matches the same
 *   address written differently.
 * - Operators, each an object in the value list:
 *   {"prefix": "s"}, {"prefix": {"equals-ignore-case": "s"}},
 *   {"suffix": "s"}, {"suffix": {"equals-ignore-case": "s"}},
 *   {"equals-ignore-case": "s"}, {"wildcard": "a*b"}, {"exactly": "s"},
 *   {"anything-but": v} with v a string, a number, a list of strings or of
 *   numbers, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s or
 *   [s, ...]}, {"numeric": [">", 0, "<=", 5]} (one of = < <= > >=, or a
 *   lower bound > / >= then an upper bound < / <=), {"exists": true|false},
 *   {"cidr": "10.0.0.0/24"} (IPv4 and IPv6).
 * - "$or": [{...}, {...}, ...] at any level: at least one of the objects
 *   must match (their fields relative to where "$or" stands).
 * - Event arrays: a field matches when any element does; fields inside
 *   objects of one array must all be satisfied by the same element.
 * - Leaves only: a field whose event value is an object has no value (so
 *   {"exists": false} matches it); anything-but and the other operators
 *   need the field present; null and "" are distinct values.
 *
 * Refusals carry InvalidEventPatternException's message, "Event pattern
 * is not valid. Reason: <ruler's reason>", with ruler's reasons word for
 * word. AWS appends Jackson's location ("at [Source: ...; line: 1,
 * column: 9]"), which is left out; and where AWS gives Jackson's own prose
 * for text that is not JSON, the reason here is "Filter is not valid
 * JSON".
 *
 * Known differences from event-ruler, on inputs no real pattern has:
 * equals-ignore-case folds ASCII letters only; a key repeated within one
 * object keeps its last value, without event-ruler's cross-"$or"
 * overriding; an event key containing dots matches the nested pattern
 * only when the rest of that pattern branch is a plain chain of keys;
 * "exists": false beside positive fields under an array of objects is
 * checked within the chosen element.
 *
 * Bounds: compiling and matching are linear in pattern size times event
 * size, never exponential (wildcards included); recursion depth follows
 * the JSON nesting, which protocol/core/json.h caps at JSON_MAX_NESTING. */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_PATTERN_H
#define CLOUDLESS_PROTOCOL_EVENTS_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"

struct events_pattern;

enum events_pattern_result {
    EVENTS_PATTERN_OK,
    EVENTS_PATTERN_INVALID,        /* InvalidEventPatternException: the message says why */
    EVENTS_PATTERN_NOMEM,
};

/* The prefix of every InvalidEventPatternException message. */
#define EVENTS_PATTERN_INVALID_PREFIX "Event pattern is not valid. Reason: "

/* Compiles a pattern (len bytes of JSON text; the API caps EventPattern
 * at 4096 bytes, which the caller checks). *out is set only on OK (free
 * it with events_pattern_free). On INVALID, AWS's whole message is
 * appended to `message` when it is not NULL. */
enum events_pattern_result events_pattern_compile(const char *text, size_t len,
                                                  struct events_pattern **out,
                                                  struct strbuf *message);

/* Whether the event (a parsed JSON object: the envelope with its detail)
 * matches. Allocates nothing and cannot fail. */
bool events_pattern_matches(const struct events_pattern *pattern, const struct json_value *event);

void events_pattern_free(struct events_pattern *pattern);

#endif
