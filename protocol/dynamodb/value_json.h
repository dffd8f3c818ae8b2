/* protocol/dynamodb value_json: AttributeValues between the JSON wire
 * format ({"S":"x"}, {"N":"1"}, {"M":{...}}) and struct ddb_value.
 *
 * AWS checks a request in two passes, and the first error of the earlier
 * pass wins whatever the later pass would say:
 *   1. shapes (SerializationException): a JSON type where another is
 *      expected ("NUMBER_VALUE cannot be converted to String"), bad base64.
 *      The server runs ddb_json_check_* over every AttributeValue of the
 *      request, in the order of the operation's input shape, first.
 *   2. values (ValidationException): empty or ambiguous values, NULL false,
 *      empty or duplicated sets, numbers out of range, nesting deeper than
 *      32 levels. ddb_value_from_json / ddb_map_from_json run both passes
 *      on one value and convert it.
 * Inside one AttributeValue the members are looked at in AWS's order (S, B,
 * N, BOOL, NULL, BS, NS, SS, L, M), whatever order the JSON has; unknown
 * members and members that are JSON null are ignored, as AWS does.
 *
 * Writing: numbers go out in canonical form, binaries as base64, sets in
 * their stored order, map attributes sorted by name. */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_VALUE_JSON_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_VALUE_JSON_H

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/dynamodb/value.h"

/* Where an AttributeValue sits decides AWS's wording for a wrong JSON
 * type: a map value or list element ("Unexpected value type in payload"),
 * or a structure field such as Expected.x.Value ("Unexpected field type"). */
enum ddb_json_slot { DDB_SLOT_MAP_VALUE, DDB_SLOT_FIELD };

/* Pass 1 for one AttributeValue, and for a map of them (Item, Key,
 * ExpressionAttributeValues, ...). A JSON null v is fine (absent). */
bool ddb_json_check_value(const struct json_value *v, enum ddb_json_slot slot, struct ddb_error *err);
bool ddb_json_check_map(const struct json_value *v, struct ddb_error *err);

/* Both passes and the conversion; values go into the arena. The map
 * version builds a value of type M (attributes sorted, JSON nulls dropped,
 * the last of repeated names kept). err->fault says what was wrong. */
bool ddb_value_from_json(struct arena *a, const struct json_value *v, enum ddb_json_slot slot,
                         struct ddb_value *out, struct ddb_error *err);
bool ddb_map_from_json(struct arena *a, const struct json_value *v, struct ddb_value *out,
                       struct ddb_error *err);

/* An item stored as JSON text (a map of AttributeValues written by
 * ddb_map_to_json) back as a value: parsed, converted, and the parsed
 * document kept by the arena (the value points into it). */
bool ddb_item_from_json_text(struct arena *a, const char *json, size_t len, struct ddb_value *out,
                             struct ddb_error *err);

/* For a JSON object, which members a later member of the same name
 * overrides (JSON's rule: the last one counts, even when it is null):
 * *out[i] true for those; *out NULL when none is. false: out of memory. */
bool ddb_json_overridden_members(struct arena *a, const struct json_value *obj, bool **out);

/* A Boolean member of a request (ConsistentRead, Exists...) as AWS reads
 * it: true/false, or the strings "true"/"1"/"yes" and "false"/"0"/"no" in
 * any case; other JSON types are SerializationExceptions. */
bool ddb_json_boolean(const struct json_value *v, bool *out, struct ddb_error *err);

/* {"S":"x"} for one value; {"a":{"S":"x"},...} for a map. */
void ddb_value_to_json(struct strbuf *sb, const struct ddb_value *v);
void ddb_map_to_json(struct strbuf *sb, const struct ddb_value *map);
/* The same as a member (key non-NULL) or element of a json_writer's
 * current container. */
void ddb_jw_value(struct json_writer *w, const char *key, const struct ddb_value *v);
void ddb_jw_map(struct json_writer *w, const char *key, const struct ddb_value *map);

/* AWS's rendering of a value inside messages, e.g. "{N:1}" in the BETWEEN
 * errors: type, colon, the value as text (binary as base64). */
void ddb_value_describe(struct strbuf *sb, const struct ddb_value *v);

#endif
