/* protocol/core json: the one JSON reader and writer of every JSON service
 * (SQS's JSON protocol, Lambda, CloudWatch Logs, DynamoDB, EventBridge) and
 * of JSON documents (IAM policies, POST policies).
 *
 * Reading: json_parse() drives yajl's event parser (yajl_parse with
 * callbacks, which keeps its own state stack and reports string lengths)
 * and builds an immutable tree in one arena. Nothing recurses on the C
 * stack: containers being built sit on a heap stack, the whole tree is
 * freed at once, and nesting deeper than JSON_MAX_NESTING is refused.
 * Strings keep their exact bytes and length — "\u0000" stays a NUL inside
 * the string — and are also NUL-terminated for callers that want C strings
 * (json_has_nul() tells when that would cut them short). Malformed UTF-8,
 * trailing garbage and an empty text are syntax errors. Numbers keep their
 * text, so exact decimals (DynamoDB's 38 digits) are never rounded.
 *
 * Writing: a comma-tracking writer on a strbuf (keys NULL inside arrays;
 * strings escaped by strbuf_json_string); an allocation failure shows once
 * in strbuf_failed() at the end. */
#ifndef CLOUDLESS_PROTOCOL_JSON_H
#define CLOUDLESS_PROTOCOL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"

/* Deepest nesting of arrays and objects a document may have: far above any
 * AWS shape (DynamoDB's 32 levels of attributes are 66 levels of JSON). */
#define JSON_MAX_NESTING 512

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_member;

struct json_value {
    enum json_type type;
    bool boolean;                  /* JSON_BOOL */
    size_t len;                    /* string/number: bytes; array: items; object: members */
    union {
        const char *str;           /* JSON_STRING (NUL-terminated, may hold NULs) or JSON_NUMBER text */
        const struct json_value *items;
        const struct json_member *members;
    } u;
};

struct json_member {
    const char *key;               /* NUL-terminated, may hold NULs */
    size_t key_len;
    struct json_value value;
};

enum json_error {
    JSON_OK = 0,
    JSON_ERR_SYNTAX,               /* not JSON, malformed UTF-8, trailing bytes, empty */
    JSON_ERR_NESTING,              /* deeper than JSON_MAX_NESTING */
    JSON_ERR_NOMEM,
};

/* Parses text (len bytes, need not be NUL-terminated) into a tree that
 * json_free() releases. NULL on failure, with the reason in *err (err may
 * be NULL). */
const struct json_value *json_parse(const char *text, size_t len, enum json_error *err);
void json_free(const struct json_value *root);
/* A sentence for the log or a SerializationException: "nesting too deep". */
const char *json_error_message(enum json_error err);

static inline bool json_is(const struct json_value *v, enum json_type t) { return v && v->type == t; }
static inline bool json_is_true(const struct json_value *v) { return json_is(v, JSON_BOOL) && v->boolean; }
static inline bool json_is_false(const struct json_value *v) { return json_is(v, JSON_BOOL) && !v->boolean; }
/* A string value as a C string, or NULL when v is no string. */
static inline const char *json_string(const struct json_value *v)
{
    return json_is(v, JSON_STRING) ? v->u.str : NULL;
}

/* Member of an object (the last one when a key repeats), or NULL (also
 * when obj is no object). */
const struct json_value *json_get(const struct json_value *obj, const char *key);
/* String member as a C string, or NULL when absent or not a string. */
const char *json_str(const struct json_value *obj, const char *key);
/* String member with its length (*len), or NULL. */
const char *json_strn(const struct json_value *obj, const char *key, size_t *len);
/* Whether a string value holds a NUL byte (so its C string is short). */
bool json_has_nul(const struct json_value *v);
/* Integer member: 1 found, 0 absent or null, -1 present but not an
 * integer that fits in int64. */
int json_int(const struct json_value *obj, const char *key, int64_t *out);
/* Boolean member: 1 found, 0 absent or null, -1 present but not a boolean. */
int json_bool(const struct json_value *obj, const char *key, bool *out);
/* A number value as an int64 (false: not a number, not integral, or out
 * of range) or as a double (false: not a number). */
bool json_number_int64(const struct json_value *v, int64_t *out);
bool json_number_double(const struct json_value *v, double *out);

/* ---- writing ---------------------------------------------------------- */

/* Deepest nesting the writer tracks commas for. */
#define JSON_WRITER_MAX_DEPTH JSON_MAX_NESTING

struct json_writer {
    struct strbuf *sb;
    int depth;
    unsigned char has_item[(JSON_WRITER_MAX_DEPTH + 8) / 8];  /* bit per depth */
};

void jw_init(struct json_writer *w, struct strbuf *sb);
void jw_object_open(struct json_writer *w, const char *key);
void jw_object_close(struct json_writer *w);
void jw_array_open(struct json_writer *w, const char *key);
void jw_array_close(struct json_writer *w);
void jw_string(struct json_writer *w, const char *key, const char *value);
/* A string of len bytes (NULs kept). */
void jw_stringn(struct json_writer *w, const char *key, const char *value, size_t len);
/* Writes value only when it is non-NULL. */
void jw_string_opt(struct json_writer *w, const char *key, const char *value);
void jw_int(struct json_writer *w, const char *key, int64_t value);
void jw_bool(struct json_writer *w, const char *key, bool value);
void jw_null(struct json_writer *w, const char *key);
/* Writes already-serialized JSON as the value. */
void jw_raw(struct json_writer *w, const char *key, const char *json, size_t len);
/* Re-serializes a parsed tree as the value (iteratively, any depth). */
void jw_tree(struct json_writer *w, const char *key, const struct json_value *v);

#endif
