/* protocol/events transform: what a target receives from a matched event
 * (PutTargets' Input, InputPath and InputTransformer) and what a Scheduler
 * target receives (its Input, context attributes filled in), pure.
 *
 * JSON paths (InputPath and InputPathsMap's values): "$", then steps
 * ".name" (any bytes but '.', '[' and ']'), "[n]" (array index), "['name']"
 * or "[\"name\"]", and the wildcards ".*" and "[*]". A path without a
 * wildcard selects one value, or none; with one, the JSON array of every
 * value it reaches. AWS does not check paths when a target is put ("There
 * is no validation when creating JSON path"): a path that does not parse
 * simply selects nothing.
 *
 * InputPath: the target receives the selected value as JSON; when nothing
 * is selected it receives nothing (EVENTS_INPUT_NOTHING).
 *
 * InputTransformer: InputPathsMap names values (up to 100); InputTemplate
 * uses them as <name>, together with the predefined variables
 * <aws.events.rule-arn>, <aws.events.rule-name>, <aws.events.event> (the
 * event without its detail, "detail-type" spelled "detailType", as AWS
 * delivers it), <aws.events.event.json> (the event as it came) and
 * <aws.events.event.ingestion-time>. A placeholder is '<', one or more
 * characters other than '<' and '>', then '>'; it cannot be escaped.
 * - A template that begins (after blanks) with '{' or '[' is JSON: a
 *   placeholder standing as a value becomes that value's JSON (strings
 *   quoted); one inside a string literal becomes the value's text, a
 *   string unescaped as AWS does ("instance \"<id>\""). The result, when
 *   it is JSON, is minified; when the insertions broke it, it is sent as
 *   it is.
 * - Any other template is text: every placeholder becomes the value's
 *   text, and a template written as one quoted string ("\"<a> is <b>\"")
 *   loses its enclosing quotes.
 * - A name whose path selected nothing becomes the empty string.
 *
 * Scheduler: a target's Input passes as it is, except for the context
 * attributes <aws.scheduler.schedule-arn>, <aws.scheduler.scheduled-time>,
 * <aws.scheduler.execution-id> and <aws.scheduler.attempt-number>, which
 * are replaced by their values wherever they appear.
 *
 * Refusals at PutTargets time (ValidationException) carry AWS's messages
 * and name the target: "Input for target <id> is not a valid JSON text.",
 * "Only one of Input, InputPath, or InputTransformer must be provided for
 * target <id>.", "InputTemplate for target <id> contains invalid
 * placeholder <name>.". */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_TRANSFORM_H
#define CLOUDLESS_PROTOCOL_EVENTS_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"

/* InputPathsMap's largest size. */
#define EVENTS_INPUT_PATHS_MAX 100

enum events_input_result {
    EVENTS_INPUT_OK,               /* the target's input was appended to `out` */
    EVENTS_INPUT_NOTHING,          /* InputPath selected nothing: nothing to deliver */
    EVENTS_INPUT_NOMEM,
};

/* The matched event and its rule, for a delivery. */
struct events_delivery {
    const struct json_value *event;    /* the event, parsed */
    const char *event_json;            /* its text as it came, or NULL (then re-serialized) */
    size_t event_json_len;
    const char *rule_arn;
    const char *rule_name;
    const char *ingestion_time;        /* "2024-05-01T12:00:00Z" */
};

/* ---- PutTargets checks: each appends the message and returns false (also
 * when memory runs out: strbuf_failed(message) then) ---------------------- */

/* At most one of the three is given. */
bool events_target_check_input_kinds(bool input, bool input_path, bool input_transformer,
                                     const char *target_id, struct strbuf *message);
/* Input must be JSON text. */
bool events_target_check_input(const char *input, size_t len, const char *target_id, struct strbuf *message);
/* Every placeholder of the template names a path of the map (a JSON
 * object of strings, or NULL) or a predefined variable. */
bool events_target_check_transformer(const struct json_value *input_paths_map, const char *template_text,
                                     size_t template_len, const char *target_id, struct strbuf *message);

/* ---- delivery ----------------------------------------------------------- */

enum events_input_result events_input_path(const char *path, size_t path_len, const struct json_value *event,
                                           struct strbuf *out);

enum events_input_result events_input_transform(const struct json_value *input_paths_map, const char *template_text,
                                                size_t template_len, const struct events_delivery *delivery,
                                                struct strbuf *out);

/* ---- Scheduler ---------------------------------------------------------- */

struct events_scheduler_context {
    const char *schedule_arn;
    const char *scheduled_time;        /* "2022-03-22T18:59:43Z" */
    const char *execution_id;
    unsigned attempt_number;           /* 1 for the first attempt */
};

/* Appends the Input with the context attributes replaced. */
void events_scheduler_input(const char *input, size_t len, const struct events_scheduler_context *context,
                            struct strbuf *out);

#endif
