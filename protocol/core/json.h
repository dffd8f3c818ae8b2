/* protocol json: small helpers for JSON bodies and documents (the Lambda
 * and CloudWatch Logs services, IAM policies): reading fields of a yajl
 * tree, and a comma-tracking JSON writer on a strbuf (keys NULL inside
 * arrays), pure. */
#ifndef CLOUDLESS_PROTOCOL_JSON_H
#define CLOUDLESS_PROTOCOL_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include <yajl/yajl_tree.h>

#include "protocol/core/strbuf.h"

/* Parses text (len bytes, need not be NUL-terminated); NULL when invalid. */
yajl_val json_parse(const char *text, size_t len);
/* Member of an object, or NULL (also when obj is no object). */
yajl_val json_get(yajl_val obj, const char *key);
/* String member, or NULL when absent or not a string. */
const char *json_str(yajl_val obj, const char *key);
/* Integer member: 1 found, 0 absent, -1 present but not an integer. */
int json_int(yajl_val obj, const char *key, int64_t *out);
/* Boolean member: 1 found, 0 absent, -1 present but not a boolean. */
int json_bool(yajl_val obj, const char *key, bool *out);

#define JSON_MAX_DEPTH 32

struct json_writer {
    struct strbuf *sb;
    int depth;
    bool has_item[JSON_MAX_DEPTH];
};

void jw_init(struct json_writer *w, struct strbuf *sb);
void jw_object_open(struct json_writer *w, const char *key);
void jw_object_close(struct json_writer *w);
void jw_array_open(struct json_writer *w, const char *key);
void jw_array_close(struct json_writer *w);
void jw_string(struct json_writer *w, const char *key, const char *value);
/* Writes value only when it is non-NULL. */
void jw_string_opt(struct json_writer *w, const char *key, const char *value);
void jw_int(struct json_writer *w, const char *key, int64_t value);
void jw_bool(struct json_writer *w, const char *key, bool value);
void jw_null(struct json_writer *w, const char *key);
/* Writes already-serialized JSON as the value. */
void jw_raw(struct json_writer *w, const char *key, const char *json, size_t len);
/* Re-serializes a parsed tree as the value. */
void jw_tree(struct json_writer *w, const char *key, yajl_val v);

#endif
