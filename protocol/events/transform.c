/* protocol/events transform: InputPath, InputTransformer and Scheduler
 * inputs; see transform.h for the rules.
 *
 * A JSON path parses into at most MAX_STEPS steps on the stack and is
 * walked over the parsed event; a path with a wildcard is walked
 * depth-first (its depth is its step count), writing every value it
 * reaches into a JSON array. A template is copied byte by byte while
 * tracking whether the copy is inside a JSON string literal, and each
 * placeholder is replaced by its value written for that context. */
#include "protocol/events/transform.h"

#include <stdint.h>
#include <string.h>

/* ---- JSON paths --------------------------------------------------------- */

/* More steps than a 256-byte path (the API's limit) can hold. */
#define MAX_STEPS 128

enum step_kind { STEP_NAME, STEP_INDEX, STEP_ALL };

struct step {
    enum step_kind kind;
    const char *name;
    size_t len;
    size_t index;
};

struct path {
    struct step steps[MAX_STEPS];
    size_t n;
    bool wildcard;
};

static bool path_add(struct path *p, struct step step)
{
    if (p->n == MAX_STEPS)
        return false;
    p->steps[p->n++] = step;
    p->wildcard = p->wildcard || step.kind == STEP_ALL;
    return true;
}

static bool path_parse(const char *s, size_t len, struct path *p)
{
    p->n = 0;
    p->wildcard = false;
    if (len == 0 || s[0] != '$')
        return false;
    size_t i = 1;
    while (i < len) {
        if (s[i] == '.') {
            i++;
            size_t start = i;
            while (i < len && s[i] != '.' && s[i] != '[' && s[i] != ']')
                i++;
            if (i == start)
                return false;
            bool all = i - start == 1 && s[start] == '*';
            if (!path_add(p, (struct step){all ? STEP_ALL : STEP_NAME, s + start, i - start, 0}))
                return false;
        } else if (s[i] == '[') {
            i++;
            if (i + 1 < len && s[i] == '*' && s[i + 1] == ']') {
                if (!path_add(p, (struct step){.kind = STEP_ALL}))
                    return false;
                i += 2;
            } else if (i < len && (s[i] == '\'' || s[i] == '"')) {
                char quote = s[i++];
                const char *close = memchr(s + i, quote, len - i);
                if (!close || (size_t)(close - s) + 1 >= len || close[1] != ']')
                    return false;
                if (!path_add(p, (struct step){STEP_NAME, s + i, (size_t)(close - (s + i)), 0}))
                    return false;
                i = (size_t)(close - s) + 2;
            } else {
                size_t start = i, index = 0;
                for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                    if (index < SIZE_MAX / 10 - 10)
                        index = index * 10 + (size_t)(s[i] - '0');
                if (i == start || i >= len || s[i] != ']')
                    return false;
                if (!path_add(p, (struct step){STEP_INDEX, NULL, 0, index}))
                    return false;
                i++;
            }
        } else {
            return false;
        }
    }
    return true;
}

/* The last member named so (a repeated key keeps its last value). */
static const struct json_value *member(const struct json_value *v, const char *name, size_t len)
{
    if (v->type != JSON_OBJECT)
        return NULL;
    for (size_t i = v->len; i-- > 0;)
        if (v->u.members[i].key_len == len && memcmp(v->u.members[i].key, name, len) == 0)
            return &v->u.members[i].value;
    return NULL;
}

static const struct json_value *step_into(const struct step *step, const struct json_value *v)
{
    if (step->kind == STEP_NAME)
        return member(v, step->name, step->len);
    return v->type == JSON_ARRAY && step->index < v->len ? &v->u.items[step->index] : NULL;
}

/* A path without wildcards: the one value it selects, or NULL. */
static const struct json_value *select_one(const struct path *p, const struct json_value *v)
{
    for (size_t i = 0; i < p->n && v; i++)
        v = step_into(&p->steps[i], v);
    return v;
}

/* A path with wildcards: every value it reaches from step i, in order. */
static void write_all(struct json_writer *w, const struct path *p, size_t i, const struct json_value *v)
{
    if (i == p->n) {
        jw_tree(w, NULL, v);
        return;
    }
    const struct step *step = &p->steps[i];
    if (step->kind != STEP_ALL) {
        const struct json_value *next = step_into(step, v);
        if (next)
            write_all(w, p, i + 1, next);
    } else if (v->type == JSON_OBJECT) {
        for (size_t k = 0; k < v->len; k++)
            write_all(w, p, i + 1, &v->u.members[k].value);
    } else if (v->type == JSON_ARRAY) {
        for (size_t k = 0; k < v->len; k++)
            write_all(w, p, i + 1, &v->u.items[k]);
    }
}

static void write_tree(struct strbuf *out, const struct json_value *v)
{
    struct json_writer w;
    jw_init(&w, out);
    jw_tree(&w, NULL, v);
}

static void write_matches(struct strbuf *out, const struct path *p, const struct json_value *event)
{
    struct json_writer w;
    jw_init(&w, out);
    jw_array_open(&w, NULL);
    write_all(&w, p, 0, event);
    jw_array_close(&w);
}

enum events_input_result events_input_path(const char *path_text, size_t path_len, const struct json_value *event,
                                           struct strbuf *out)
{
    struct path path;
    if (!path_parse(path_text, path_len, &path))
        return EVENTS_INPUT_NOTHING;
    if (path.wildcard) {
        write_matches(out, &path, event);
    } else {
        const struct json_value *v = select_one(&path, event);
        if (!v)
            return EVENTS_INPUT_NOTHING;
        write_tree(out, v);
    }
    return strbuf_failed(out) ? EVENTS_INPUT_NOMEM : EVENTS_INPUT_OK;
}

/* ---- placeholders ------------------------------------------------------- */

static bool text_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* A placeholder at s[0] == '<': its name's length, 0 when there is none. */
static size_t placeholder_at(const char *s, size_t len)
{
    if (len < 3 || s[0] != '<')
        return 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] == '<')
            return 0;
        if (s[i] == '>')
            return i > 1 ? i - 1 : 0;
    }
    return 0;
}

enum predefined { P_NONE, P_RULE_ARN, P_RULE_NAME, P_EVENT, P_EVENT_JSON, P_INGESTION_TIME };

static enum predefined predefined(const char *name, size_t len)
{
    if (text_is(name, len, "aws.events.rule-arn"))
        return P_RULE_ARN;
    if (text_is(name, len, "aws.events.rule-name"))
        return P_RULE_NAME;
    if (text_is(name, len, "aws.events.event"))
        return P_EVENT;
    if (text_is(name, len, "aws.events.event.json"))
        return P_EVENT_JSON;
    if (text_is(name, len, "aws.events.event.ingestion-time"))
        return P_INGESTION_TIME;
    return P_NONE;
}

/* The path InputPathsMap gives a name, or NULL. */
static const struct json_value *mapped_path(const struct json_value *map, const char *name, size_t len)
{
    if (!map || map->type != JSON_OBJECT)
        return NULL;
    const struct json_value *path = member(map, name, len);
    return path && path->type == JSON_STRING ? path : NULL;
}

/* ---- PutTargets checks -------------------------------------------------- */

bool events_target_check_input_kinds(bool input, bool input_path, bool input_transformer, const char *target_id,
                                     struct strbuf *message)
{
    if ((int)input + (int)input_path + (int)input_transformer <= 1)
        return true;
    strbuf_printf(message, "Only one of Input, InputPath, or InputTransformer must be provided for target %s.",
                  target_id);
    return false;
}

bool events_target_check_input(const char *input, size_t len, const char *target_id, struct strbuf *message)
{
    enum json_error err;
    const struct json_value *v = json_parse(input, len, &err);
    if (v) {
        json_free(v);
        return true;
    }
    if (err == JSON_ERR_NOMEM) {
        message->oom = true;
        return false;
    }
    strbuf_printf(message, "Input for target %s is not a valid JSON text.", target_id);
    return false;
}

bool events_target_check_transformer(const struct json_value *input_paths_map, const char *template_text,
                                     size_t template_len, const char *target_id, struct strbuf *message)
{
    for (size_t i = 0; i < template_len; i++) {
        size_t n = placeholder_at(template_text + i, template_len - i);
        if (n == 0)
            continue;
        const char *name = template_text + i + 1;
        if (predefined(name, n) == P_NONE && !mapped_path(input_paths_map, name, n)) {
            strbuf_printf(message, "InputTemplate for target %s contains invalid placeholder ", target_id);
            strbuf_append(message, name, n);
            strbuf_putc(message, '.');
            return false;
        }
        i += n + 1;
    }
    return true;
}

/* ---- transformer -------------------------------------------------------- */

/* The event as <aws.events.event> shows it: no detail, and "detail-type"
 * spelled "detailType". */
static void write_event_envelope(struct strbuf *out, const struct json_value *event)
{
    struct json_writer w;
    jw_init(&w, out);
    if (event->type != JSON_OBJECT) {
        jw_tree(&w, NULL, event);
        return;
    }
    jw_object_open(&w, NULL);
    for (size_t i = 0; i < event->len; i++) {
        const struct json_member *m = &event->u.members[i];
        if (text_is(m->key, m->key_len, "detail"))
            continue;
        jw_tree(&w, text_is(m->key, m->key_len, "detail-type") ? "detailType" : m->key, &m->value);
    }
    jw_object_close(&w);
}

/* Writes the named value: as JSON (`as_json`), or as text (a string's
 * bytes, anything else its JSON). */
static void write_value(struct strbuf *out, const struct json_value *map, const char *name, size_t len,
                        const struct events_delivery *d, bool as_json)
{
    const char *text = NULL;
    switch (predefined(name, len)) {
    case P_RULE_ARN:
        text = d->rule_arn;
        break;
    case P_RULE_NAME:
        text = d->rule_name;
        break;
    case P_INGESTION_TIME:
        text = d->ingestion_time;
        break;
    case P_EVENT:
        write_event_envelope(out, d->event);
        return;
    case P_EVENT_JSON:
        if (d->event_json)
            strbuf_append(out, d->event_json, d->event_json_len);
        else
            write_tree(out, d->event);
        return;
    case P_NONE: {
        const struct json_value *path_text = mapped_path(map, name, len);
        struct path path;
        const struct json_value *v = NULL;
        if (path_text && path_parse(path_text->u.str, path_text->len, &path)) {
            if (path.wildcard) {
                write_matches(out, &path, d->event);
                return;
            }
            v = select_one(&path, d->event);
        }
        if (v && v->type != JSON_STRING) {
            write_tree(out, v);
            return;
        }
        if (v)
            text = v->u.str;
        else
            text = "";     /* a path that selected nothing: the empty string */
        if (as_json)
            strbuf_json_string(out, text, v ? v->len : 0);
        else
            strbuf_append(out, text, v ? v->len : 0);
        return;
    }
    }
    if (!text)
        text = "";
    if (as_json)
        strbuf_json_string(out, text, strlen(text));
    else
        strbuf_puts(out, text);
}

/* Whether the template is JSON: its first non-blank byte opens an object
 * or an array. */
static bool json_template(const char *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')
            continue;
        return t[i] == '{' || t[i] == '[';
    }
    return false;
}

enum events_input_result events_input_transform(const struct json_value *map, const char *t, size_t len,
                                                const struct events_delivery *d, struct strbuf *out)
{
    bool json = json_template(t, len);
    size_t from = 0, to = len;
    if (!json && len >= 2 && t[0] == '"' && t[len - 1] == '"')
        from = 1, to = len - 1;    /* a quoted string template: its content */
    struct strbuf filled;
    strbuf_init(&filled);
    bool in_string = false;
    for (size_t i = from; i < to; i++) {
        size_t n = placeholder_at(t + i, to - i);
        const char *name = t + i + 1;
        if (n > 0 && (predefined(name, n) != P_NONE || mapped_path(map, name, n))) {
            write_value(&filled, map, name, n, d, json && !in_string);
            i += n + 1;
            continue;
        }
        strbuf_putc(&filled, t[i]);
        if (!json)
            continue;
        if (t[i] == '"') {
            in_string = !in_string;
        } else if (t[i] == '\\' && in_string && i + 1 < to) {
            strbuf_putc(&filled, t[++i]);   /* an escaped byte: \" does not end the string */
        }
    }
    enum events_input_result result = EVENTS_INPUT_OK;
    if (strbuf_failed(&filled)) {
        result = EVENTS_INPUT_NOMEM;
    } else {
        enum json_error err = JSON_OK;
        const struct json_value *parsed = json ? json_parse(filled.data, filled.len, &err) : NULL;
        if (parsed) {
            write_tree(out, parsed);   /* minified */
            json_free(parsed);
        } else if (err == JSON_ERR_NOMEM) {
            result = EVENTS_INPUT_NOMEM;
        } else {
            strbuf_append(out, filled.data, filled.len);
        }
        if (strbuf_failed(out))
            result = EVENTS_INPUT_NOMEM;
    }
    strbuf_free(&filled);
    return result;
}

/* ---- Scheduler ---------------------------------------------------------- */

void events_scheduler_input(const char *input, size_t len, const struct events_scheduler_context *c,
                            struct strbuf *out)
{
    for (size_t i = 0; i < len; i++) {
        size_t n = placeholder_at(input + i, len - i);
        const char *name = input + i + 1;
        if (text_is(name, n, "aws.scheduler.schedule-arn")) {
            strbuf_puts(out, c->schedule_arn);
        } else if (text_is(name, n, "aws.scheduler.scheduled-time")) {
            strbuf_puts(out, c->scheduled_time);
        } else if (text_is(name, n, "aws.scheduler.execution-id")) {
            strbuf_puts(out, c->execution_id);
        } else if (text_is(name, n, "aws.scheduler.attempt-number")) {
            strbuf_printf(out, "%u", c->attempt_number);
        } else {
            strbuf_putc(out, input[i]);
            continue;
        }
        i += n + 1;
    }
}
