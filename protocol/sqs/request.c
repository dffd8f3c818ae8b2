/* request: decodes an SQS request in either protocol into struct sqs_request.
 *
 * Both protocols end up as one sorted array of query-style parameters:
 *  - query: the URL query and the form body are split on '&' and '=' and
 *    percent-decoded ('+' is a space);
 *  - JSON: the parsed tree (protocol/core/json) is flattened with the query protocol's names, so
 *    {"Attributes":{"A":"1"}} becomes Attribute.1.Name=A, Attribute.1.Value=1
 *    and {"Entries":[{..}]} of SendMessageBatch becomes
 *    SendMessageBatchRequestEntry.1.*; wrong JSON types are rejected here.
 * One decoder per operation then reads the parameters by name (binary
 * search), checks required members, ranges and batch rules, and fills the
 * typed request. Everything is allocated in the request's arena. */
#include "protocol/sqs/sqs.h"

#include "protocol/core/base64.h"
#include "protocol/core/percent.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocol/core/json.h"

struct param {
    char *key;
    char *value;
    size_t value_len;
    size_t order;       /* insertion order: the first of equal keys wins */
};

struct params {
    struct param *items;
    size_t n, cap;
    struct sqs_arena *arena;
};

static const char *const op_names[SQS_OP_COUNT] = {
    [SQS_OP_CREATE_QUEUE] = "CreateQueue",
    [SQS_OP_GET_QUEUE_URL] = "GetQueueUrl",
    [SQS_OP_LIST_QUEUES] = "ListQueues",
    [SQS_OP_DELETE_QUEUE] = "DeleteQueue",
    [SQS_OP_GET_QUEUE_ATTRIBUTES] = "GetQueueAttributes",
    [SQS_OP_SET_QUEUE_ATTRIBUTES] = "SetQueueAttributes",
    [SQS_OP_PURGE_QUEUE] = "PurgeQueue",
    [SQS_OP_SEND_MESSAGE] = "SendMessage",
    [SQS_OP_SEND_MESSAGE_BATCH] = "SendMessageBatch",
    [SQS_OP_RECEIVE_MESSAGE] = "ReceiveMessage",
    [SQS_OP_DELETE_MESSAGE] = "DeleteMessage",
    [SQS_OP_DELETE_MESSAGE_BATCH] = "DeleteMessageBatch",
    [SQS_OP_CHANGE_MESSAGE_VISIBILITY] = "ChangeMessageVisibility",
    [SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH] = "ChangeMessageVisibilityBatch",
    [SQS_OP_TAG_QUEUE] = "TagQueue",
    [SQS_OP_UNTAG_QUEUE] = "UntagQueue",
    [SQS_OP_LIST_QUEUE_TAGS] = "ListQueueTags",
    [SQS_OP_ADD_PERMISSION] = "AddPermission",
    [SQS_OP_REMOVE_PERMISSION] = "RemovePermission",
    [SQS_OP_LIST_DEAD_LETTER_SOURCE_QUEUES] = "ListDeadLetterSourceQueues",
    [SQS_OP_START_MESSAGE_MOVE_TASK] = "StartMessageMoveTask",
    [SQS_OP_LIST_MESSAGE_MOVE_TASKS] = "ListMessageMoveTasks",
    [SQS_OP_CANCEL_MESSAGE_MOVE_TASK] = "CancelMessageMoveTask",
};

const char *sqs_op_name(enum sqs_op op)
{
    return (unsigned)op < SQS_OP_COUNT ? op_names[op] : "Unknown";
}

bool sqs_op_from_name(const char *name, size_t len, enum sqs_op *op)
{
    for (int i = 0; i < SQS_OP_COUNT; i++) {
        if (strlen(op_names[i]) == len && memcmp(op_names[i], name, len) == 0) {
            *op = (enum sqs_op)i;
            return true;
        }
    }
    return false;
}

/* The batch entry member name of each batch operation, in both protocols. */
static const char *batch_entry_name(enum sqs_op op)
{
    switch (op) {
    case SQS_OP_SEND_MESSAGE_BATCH: return "SendMessageBatchRequestEntry";
    case SQS_OP_DELETE_MESSAGE_BATCH: return "DeleteMessageBatchRequestEntry";
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH: return "ChangeMessageVisibilityBatchRequestEntry";
    default: return NULL;
    }
}

/* ---- the parameter array ---------------------------------------------- */

static enum sqs_err params_add(struct params *ps, const char *key, size_t key_len,
                               const char *value, size_t value_len, struct sqs_error *err)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 32;
        struct param *items = realloc(ps->items, cap * sizeof(*items));
        if (!items)
            return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
        ps->items = items;
        ps->cap = cap;
    }
    struct param *p = &ps->items[ps->n];
    p->key = sqs_arena_strndup(ps->arena, key, key_len);
    p->value = sqs_arena_strndup(ps->arena, value, value_len);
    if (!p->key || !p->value)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    p->value_len = value_len;
    p->order = ps->n++;
    return SQS_OK;
}

static int param_cmp(const void *a, const void *b)
{
    const struct param *pa = a, *pb = b;
    int c = strcmp(pa->key, pb->key);
    if (c)
        return c;
    return pa->order < pb->order ? -1 : pa->order > pb->order;
}

static void params_sort(struct params *ps)
{
    if (ps->n > 1)
        qsort(ps->items, ps->n, sizeof(*ps->items), param_cmp);
}

/* Index of the first parameter whose key is >= key. */
static size_t params_lower_bound(const struct params *ps, const char *key)
{
    size_t lo = 0, hi = ps->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ps->items[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct param *params_get(const struct params *ps, const char *key)
{
    size_t i = params_lower_bound(ps, key);
    return i < ps->n && strcmp(ps->items[i].key, key) == 0 ? &ps->items[i] : NULL;
}

/* True if some key starts with `prefix`. */
static bool params_has_prefix(const struct params *ps, const char *prefix)
{
    size_t i = params_lower_bound(ps, prefix);
    return i < ps->n && strncmp(ps->items[i].key, prefix, strlen(prefix)) == 0;
}

/* Number of consecutive list items "<prefix>.1...", "<prefix>.2...". A
 * plain list ("AttributeName.1") is found by exact key, a list of
 * structures by the "<prefix>.N." prefix. */
static size_t params_count(const struct params *ps, const char *prefix)
{
    char key[256];
    size_t n = 0;
    for (;;) {
        snprintf(key, sizeof(key), "%s.%zu", prefix, n + 1);
        if (!params_get(ps, key)) {
            snprintf(key, sizeof(key), "%s.%zu.", prefix, n + 1);
            if (!params_has_prefix(ps, key))
                return n;
        }
        n++;
    }
}

/* ---- query form decoding ---------------------------------------------- */

static enum sqs_err parse_form(struct params *ps, const char *form, size_t len,
                               struct sqs_error *err)
{
    if (!form || len == 0)
        return SQS_OK;
    char *buf = malloc(len + 1);
    if (!buf)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    enum sqs_err rc = SQS_OK;
    size_t start = 0;
    while (start <= len && rc == SQS_OK) {
        const char *amp = memchr(form + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - form) : len;
        const char *pair = form + start;
        size_t pair_len = end - start;
        if (pair_len > 0) {
            const char *eq = memchr(pair, '=', pair_len);
            size_t klen = eq ? (size_t)(eq - pair) : pair_len;
            size_t vstart = eq ? klen + 1 : pair_len;
            /* A key may not hold NUL; a value may, for the checks that
             * refuse it with the parameter's own error. */
            long key_len = percent_decode_into(pair, klen, buf, PERCENT_PLUS_IS_SPACE);
            if (key_len < 0)
                rc = sqs_error_set(err, SQS_ERR_MALFORMED_QUERY_STRING,
                                   "The query string is malformed.");
            if (rc == SQS_OK) {
                char *key = sqs_arena_strndup(ps->arena, buf, (size_t)key_len);
                long value_len = key ? percent_decode_into(pair + vstart, pair_len - vstart, buf,
                                                           PERCENT_PLUS_IS_SPACE | PERCENT_ALLOW_NUL)
                                     : 0;
                if (!key)
                    rc = sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
                else if (value_len < 0)
                    rc = sqs_error_set(err, SQS_ERR_MALFORMED_QUERY_STRING,
                                       "The query string is malformed.");
                else
                    rc = params_add(ps, key, (size_t)key_len, buf, (size_t)value_len, err);
            }
        }
        if (!amp)
            break;
        start = end + 1;
    }
    free(buf);
    return rc;
}

/* ---- JSON flattening ---------------------------------------------------- */

static bool is_integer_member(const char *name)
{
    static const char *const ints[] = {"DelaySeconds", "MaxResults", "MaxNumberOfMessages",
        "VisibilityTimeout", "WaitTimeSeconds", "MaxNumberOfMessagesPerSecond"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        if (strcmp(name, ints[i]) == 0)
            return true;
    return false;
}

/* JSON member -> query name of its list/map items, and the key/value names. */
struct json_rename {
    const char *json;
    const char *query;
    const char *key;      /* maps: "Name"/"Key"; lists: NULL */
    const char *value;
};

static const struct json_rename renames[] = {
    {"Attributes", "Attribute", "Name", "Value"},
    {"tags", "Tag", "Key", "Value"},
    {"Tags", "Tag", "Key", "Value"},
    {"MessageAttributes", "MessageAttribute", "Name", "Value"},
    {"MessageSystemAttributes", "MessageSystemAttribute", "Name", "Value"},
    {"AttributeNames", "AttributeName", NULL, NULL},
    {"MessageAttributeNames", "MessageAttributeName", NULL, NULL},
    {"MessageSystemAttributeNames", "MessageSystemAttributeName", NULL, NULL},
    {"TagKeys", "TagKey", NULL, NULL},
    {"AWSAccountIds", "AWSAccountId", NULL, NULL},
    {"Actions", "ActionName", NULL, NULL},
};

static enum sqs_err serialization_error(struct sqs_error *err, const char *member)
{
    return sqs_error_set(err, SQS_ERR_SERIALIZATION,
                         "Unexpected value type for member %s.", member);
}

static enum sqs_err flatten_object(struct params *ps, enum sqs_op op, const char *prefix,
                                   const struct json_value *obj, int depth, struct sqs_error *err);

static enum sqs_err add_scalar(struct params *ps, const char *key, const char *member,
                               const struct json_value *v, struct sqs_error *err)
{
    char num[32];
    if (is_integer_member(member)) {
        int64_t n;
        if (!json_number_int64(v, &n))
            return serialization_error(err, member);
        snprintf(num, sizeof(num), "%lld", (long long)n);
        return params_add(ps, key, strlen(key), num, strlen(num), err);
    }
    if (json_is(v, JSON_NULL))
        return SQS_OK;
    if (!json_is(v, JSON_STRING))
        return serialization_error(err, member);
    /* The string's own length: a "\u0000" inside stays in the value, for
     * the checks that refuse it (InvalidMessageContents for a body). */
    return params_add(ps, key, strlen(key), v->u.str, v->len, err);
}

static enum sqs_err flatten_member(struct params *ps, enum sqs_op op, const char *prefix,
                                   const char *member, const struct json_value *v, int depth,
                                   struct sqs_error *err)
{
    char key[512];
    if (depth > 4 || strlen(prefix) + strlen(member) > 200)
        return serialization_error(err, member);
    const char *entry = batch_entry_name(op);
    if (entry && depth == 0 && strcmp(member, "Entries") == 0) {
        if (!json_is(v, JSON_ARRAY))
            return serialization_error(err, member);
        for (size_t i = 0; i < v->len; i++) {
            if (!json_is(&v->u.items[i], JSON_OBJECT))
                return serialization_error(err, member);
            snprintf(key, sizeof(key), "%s.%zu.", entry, i + 1);
            enum sqs_err rc = flatten_object(ps, op, key, &v->u.items[i], depth + 1, err);
            if (rc)
                return rc;
        }
        return SQS_OK;
    }
    for (size_t r = 0; r < sizeof(renames) / sizeof(renames[0]); r++) {
        const struct json_rename *rn = &renames[r];
        if (strcmp(member, rn->json) != 0)
            continue;
        if (json_is(v, JSON_NULL))
            return SQS_OK;
        if (!rn->key) {
            if (!json_is(v, JSON_ARRAY))
                return serialization_error(err, member);
            for (size_t i = 0; i < v->len; i++) {
                const struct json_value *item = &v->u.items[i];
                if (!json_is(item, JSON_STRING))
                    return serialization_error(err, member);
                snprintf(key, sizeof(key), "%s%s.%zu", prefix, rn->query, i + 1);
                const char *s = json_string(item);
                enum sqs_err rc = params_add(ps, key, strlen(key), s, strlen(s), err);
                if (rc)
                    return rc;
            }
            return SQS_OK;
        }
        if (!json_is(v, JSON_OBJECT))
            return serialization_error(err, member);
        for (size_t i = 0; i < v->len; i++) {
            const char *k = v->u.members[i].key;
            const struct json_value *item = &v->u.members[i].value;
            snprintf(key, sizeof(key), "%s%s.%zu.%s", prefix, rn->query, i + 1, rn->key);
            enum sqs_err rc = params_add(ps, key, strlen(key), k, strlen(k), err);
            if (rc)
                return rc;
            if (json_is(item, JSON_OBJECT)) {
                snprintf(key, sizeof(key), "%s%s.%zu.%s.", prefix, rn->query, i + 1, rn->value);
                rc = flatten_object(ps, op, key, item, depth + 1, err);
            } else if (json_is(item, JSON_STRING)) {
                snprintf(key, sizeof(key), "%s%s.%zu.%s", prefix, rn->query, i + 1, rn->value);
                const char *s = json_string(item);
                rc = params_add(ps, key, strlen(key), s, strlen(s), err);
            } else {
                rc = serialization_error(err, member);
            }
            if (rc)
                return rc;
        }
        return SQS_OK;
    }
    if (json_is(v, JSON_OBJECT) || json_is(v, JSON_ARRAY)) {
        /* Members the query protocol has no lists for (StringListValues, ...)
         * and unknown members are not part of any operation we decode. */
        return SQS_OK;
    }
    snprintf(key, sizeof(key), "%s%s", prefix, member);
    return add_scalar(ps, key, member, v, err);
}

static enum sqs_err flatten_object(struct params *ps, enum sqs_op op, const char *prefix,
                                   const struct json_value *obj, int depth, struct sqs_error *err)
{
    for (size_t i = 0; i < obj->len; i++) {
        enum sqs_err rc = flatten_member(ps, op, prefix, obj->u.members[i].key,
                                         &obj->u.members[i].value, depth, err);
        if (rc)
            return rc;
    }
    return SQS_OK;
}

/* ---- value validation -------------------------------------------------- */

bool sqs_body_is_valid(const char *body, size_t len, struct sqs_error *err)
{
    const unsigned char *s = (const unsigned char *)body;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n;
        unsigned char c = s[i];
        if (c < 0x80) { cp = c; n = 1; }
        else if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; n = 2; }
        else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; n = 3; }
        else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; n = 4; }
        else { cp = c; n = 0; }
        bool ok = n > 0 && i + n <= len;
        for (size_t k = 1; ok && k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                ok = false;
            else
                cp = cp << 6 | (s[i + k] & 0x3F);
        }
        /* reject overlong forms and surrogates */
        if (ok && ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)))
            ok = false;
        if (ok)
            ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
                 (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
        if (!ok) {
            sqs_error_set(err, SQS_ERR_INVALID_MESSAGE_CONTENTS,
                          "Invalid binary character '#x%X' was found in the message body, "
                          "the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF"
                          " | #xE000 to #xFFFD | #x10000 to #x10FFFF", (unsigned)cp);
            return false;
        }
        i += n;
    }
    return true;
}

static enum sqs_err missing(struct sqs_error *err, const char *name)
{
    return sqs_error_set(err, SQS_ERR_MISSING_PARAMETER,
                         "The request must contain the parameter %s.", name);
}

/* Parses an optional integer parameter within [min, max]; *out = -1 when absent. */
static enum sqs_err get_int(const struct params *ps, const char *key, const char *name,
                            long min, long max, int *out, struct sqs_error *err)
{
    const struct param *p = params_get(ps, key);
    *out = -1;
    if (!p)
        return SQS_OK;
    char *end;
    errno = 0;
    long v = strtol(p->value, &end, 10);
    if (p->value_len == 0 || *end != '\0' || errno || isspace((unsigned char)p->value[0]))
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Value %.64s for parameter %s is invalid. Reason: Must be an integer.",
                             p->value, name);
    if (v < min || v > max)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Value %ld for parameter %s is invalid. Reason: Must be between "
                             "%ld and %ld, if provided.", v, name, min, max);
    *out = (int)v;
    return SQS_OK;
}

static char *get_str(const struct params *ps, const char *key)
{
    const struct param *p = params_get(ps, key);
    return p ? p->value : NULL;
}

static enum sqs_err require_str(const struct params *ps, const char *name, char **out,
                                struct sqs_error *err)
{
    *out = get_str(ps, name);
    if (!*out || !**out)
        return missing(err, name);
    return SQS_OK;
}

static enum sqs_err get_str_list(struct sqs_request *req, const struct params *ps,
                                 const char *prefix, struct sqs_str_list *out,
                                 struct sqs_error *err)
{
    size_t n = params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    out->items = sqs_arena_alloc(&req->arena, n * sizeof(char *));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    char key[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu", prefix, i + 1);
        char *v = get_str(ps, key);
        if (v)
            out->items[out->n++] = v;
    }
    return SQS_OK;
}

/* Reads "<prefix>.N.<kname>" / "<prefix>.N.<vname>" pairs. */
static enum sqs_err get_kv_list(struct sqs_request *req, const struct params *ps,
                                const char *prefix, const char *kname, const char *vname,
                                struct sqs_kv_list *out, struct sqs_error *err)
{
    size_t n = params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    out->items = sqs_arena_alloc(&req->arena, n * sizeof(*out->items));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    char key[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu.%s", prefix, i + 1, kname);
        char *k = get_str(ps, key);
        snprintf(key, sizeof(key), "%s.%zu.%s", prefix, i + 1, vname);
        char *v = get_str(ps, key);
        if (!k)
            return missing(err, key);
        out->items[out->n].key = k;
        out->items[out->n].value = v ? v : "";
        out->n++;
    }
    return SQS_OK;
}

/* ---- message attributes -------------------------------------------------- */

static bool attr_name_is_valid(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 256 || name[0] == '.' || name[len - 1] == '.')
        return false;
    if (strncasecmp(name, "AWS.", 4) == 0 || strncasecmp(name, "Amazon.", 7) == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!isalnum((unsigned char)c) && c != '_' && c != '-' && c != '.')
            return false;
        if (c == '.' && name[i + 1] == '.')
            return false;
    }
    return true;
}

static bool is_number(const char *s)
{
    char *end;
    errno = 0;
    if (!*s || isspace((unsigned char)*s))
        return false;
    strtod(s, &end);
    return *end == '\0' && errno == 0;
}

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct sqs_msg_attr *)a)->name, ((const struct sqs_msg_attr *)b)->name);
}

/* Decodes "<prefix>.N.Name" / ".Value.DataType|StringValue|BinaryValue". */
static enum sqs_err get_msg_attrs(struct sqs_request *req, const struct params *ps,
                                  const char *prefix, bool system, struct sqs_msg_attrs *out,
                                  size_t *payload, struct sqs_error *err)
{
    size_t n = params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    if (n > SQS_MAX_MESSAGE_ATTRIBUTES)
        return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                             "Number of message attributes [%zu] exceeds the allowed maximum [%d].",
                             n, SQS_MAX_MESSAGE_ATTRIBUTES);
    out->items = sqs_arena_alloc(&req->arena, n * sizeof(*out->items));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    const char *kind = system ? "message system attribute" : "message (user) attribute";
    char key[256];
    for (size_t i = 0; i < n; i++) {
        struct sqs_msg_attr *a = &out->items[i];
        snprintf(key, sizeof(key), "%s.%zu.Name", prefix, i + 1);
        a->name = get_str(ps, key);
        if (!a->name)
            return missing(err, key);
        if (system ? strcmp(a->name, "AWSTraceHeader") != 0 : !attr_name_is_valid(a->name))
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s name '%.256s' is invalid.", kind, a->name);
        snprintf(key, sizeof(key), "%s.%zu.Value.DataType", prefix, i + 1);
        a->data_type = get_str(ps, key);
        if (!a->data_type || !*a->data_type)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s '%.256s' must contain a non-empty message attribute type.",
                                 kind, a->name);
        bool is_string = strncmp(a->data_type, "String", 6) == 0 &&
                         (a->data_type[6] == '\0' || a->data_type[6] == '.');
        bool is_number_type = strncmp(a->data_type, "Number", 6) == 0 &&
                              (a->data_type[6] == '\0' || a->data_type[6] == '.');
        a->binary = strncmp(a->data_type, "Binary", 6) == 0 &&
                    (a->data_type[6] == '\0' || a->data_type[6] == '.');
        if ((!is_string && !is_number_type && !a->binary) || strlen(a->data_type) > 256 ||
            (system && !is_string))
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The type of %s '%.256s' is invalid. You must use only the "
                                 "following supported type prefixes: Binary, Number, String.",
                                 kind, a->name);
        snprintf(key, sizeof(key), "%s.%zu.Value.%s", prefix, i + 1,
                 a->binary ? "BinaryValue" : "StringValue");
        const struct param *v = params_get(ps, key);
        if (!v || v->value_len == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "The %s '%.256s' must contain a non-empty message attribute "
                                 "value for message attribute type '%.64s'.",
                                 kind, a->name, a->binary ? "Binary" : is_string ? "String" : "Number");
        if (a->binary) {
            a->value = sqs_arena_alloc(&req->arena, v->value_len);
            if (!a->value)
                return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
            long n = base64_decode_lenient(v->value, v->value_len, (unsigned char *)a->value, v->value_len);
            if (n >= 0)
                a->value_len = (size_t)n;
            else
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "The %s '%.256s' has an invalid base64 binary value.",
                                     kind, a->name);
        } else {
            a->value = v->value;
            a->value_len = v->value_len;
            struct sqs_error ignored;
            if (!sqs_body_is_valid(a->value, a->value_len, &ignored) ||
                strlen(a->value) != a->value_len)
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "The %s '%.256s' contains invalid characters.",
                                     kind, a->name);
            if (is_number_type && !is_number(a->value))
                return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                     "Can't cast the value of %s '%.256s' to a number.",
                                     kind, a->name);
        }
        *payload += strlen(a->name) + strlen(a->data_type) + a->value_len;
    }
    out->n = n;
    qsort(out->items, n, sizeof(*out->items), attr_cmp);
    for (size_t i = 1; i < n; i++)
        if (strcmp(out->items[i - 1].name, out->items[i].name) == 0)
            return sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                                 "Message (user) attribute name '%.256s' is repeated.",
                                 out->items[i].name);
    return SQS_OK;
}

/* ---- batch entries ---------------------------------------------------- */

static bool batch_id_is_valid(const char *id)
{
    size_t len = strlen(id);
    if (len == 0 || len > 80)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)id[i]) && id[i] != '-' && id[i] != '_')
            return false;
    return true;
}

/* Counts the entries and checks the rules that fail a whole batch request. */
static enum sqs_err check_batch(const struct params *ps, const char *entry, size_t *count,
                                struct sqs_error *err)
{
    size_t n = params_count(ps, entry);
    if (n == 0)
        return sqs_error_set(err, SQS_ERR_EMPTY_BATCH,
                             "There should be at least one %s in the request.", entry);
    if (n > SQS_MAX_BATCH)
        return sqs_error_set(err, SQS_ERR_TOO_MANY_ENTRIES,
                             "Maximum number of entries per request are %d. You have sent %zu.",
                             SQS_MAX_BATCH, n);
    char key[256];
    const char *ids[SQS_MAX_BATCH];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu.Id", entry, i + 1);
        ids[i] = get_str(ps, key);
        if (!ids[i] || !batch_id_is_valid(ids[i]))
            return sqs_error_set(err, SQS_ERR_INVALID_BATCH_ENTRY_ID,
                                 "A batch entry id can only contain alphanumeric characters, "
                                 "hyphens and underscores. It can be at most 80 letters long.");
        for (size_t j = 0; j < i; j++)
            if (strcmp(ids[i], ids[j]) == 0)
                return sqs_error_set(err, SQS_ERR_BATCH_IDS_NOT_DISTINCT, "Id %s repeated.", ids[i]);
    }
    *count = n;
    return SQS_OK;
}

/* Decodes one message to send; `prefix` is "" or "SendMessageBatchRequestEntry.N.".
 * Validation failures go to entry->error (the caller decides whether they
 * fail the request or just the entry); only allocation failures return. */
static enum sqs_err decode_send_entry(struct sqs_request *req, const struct params *ps,
                                      const char *prefix, struct sqs_send_entry *e,
                                      size_t *payload)
{
    char key[256];
    struct sqs_error *err = &e->error;
    snprintf(key, sizeof(key), "%sId", prefix);
    e->id = get_str(ps, key);
    snprintf(key, sizeof(key), "%sMessageBody", prefix);
    const struct param *body = params_get(ps, key);
    snprintf(key, sizeof(key), "%sMessageGroupId", prefix);
    e->group_id = get_str(ps, key);
    snprintf(key, sizeof(key), "%sMessageDeduplicationId", prefix);
    e->dedup_id = get_str(ps, key);
    snprintf(key, sizeof(key), "%sDelaySeconds", prefix);
    if (get_int(ps, key, "DelaySeconds", 0, SQS_MAX_DELAY, &e->delay_seconds, err))
        return SQS_OK;
    if (!body || body->value_len == 0) {
        missing(err, "MessageBody");
        return SQS_OK;
    }
    e->body = body->value;
    e->body_len = body->value_len;
    if (!sqs_body_is_valid(e->body, e->body_len, err))
        return SQS_OK;
    size_t size = e->body_len;
    snprintf(key, sizeof(key), "%sMessageAttribute", prefix);
    enum sqs_err rc = get_msg_attrs(req, ps, key, false, &e->attrs, &size, err);
    if (rc == SQS_ERR_INTERNAL)
        return rc;
    if (rc)
        return SQS_OK;
    size_t ignored = 0;
    snprintf(key, sizeof(key), "%sMessageSystemAttribute", prefix);
    rc = get_msg_attrs(req, ps, key, true, &e->system_attrs, &ignored, err);
    if (rc == SQS_ERR_INTERNAL)
        return rc;
    if (rc)
        return SQS_OK;
    if (size > SQS_MAX_PAYLOAD) {
        sqs_error_set(err, SQS_ERR_INVALID_PARAMETER_VALUE,
                      "One or more parameters are invalid. Reason: Message must be shorter "
                      "than %d bytes.", SQS_MAX_PAYLOAD);
        return SQS_OK;
    }
    *payload += size;
    return SQS_OK;
}

static enum sqs_err decode_sends(struct sqs_request *req, const struct params *ps,
                                 struct sqs_error *err)
{
    bool batch = req->op == SQS_OP_SEND_MESSAGE_BATCH;
    size_t n = 1;
    if (batch) {
        enum sqs_err rc = check_batch(ps, batch_entry_name(req->op), &n, err);
        if (rc)
            return rc;
    }
    req->sends = sqs_arena_alloc(&req->arena, n * sizeof(*req->sends));
    if (!req->sends)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    req->n_sends = n;
    size_t payload = 0;
    char prefix[64] = "";
    for (size_t i = 0; i < n; i++) {
        if (batch)
            snprintf(prefix, sizeof(prefix), "%s.%zu.", batch_entry_name(req->op), i + 1);
        if (decode_send_entry(req, ps, prefix, &req->sends[i], &payload))
            return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    }
    if (!batch && req->sends[0].error.code) {
        *err = req->sends[0].error;
        return err->code;
    }
    if (batch && payload > SQS_MAX_PAYLOAD)
        return sqs_error_set(err, SQS_ERR_BATCH_REQUEST_TOO_LONG,
                             "Batch requests cannot be longer than %d bytes. You have sent "
                             "%zu bytes.", SQS_MAX_PAYLOAD, payload);
    return SQS_OK;
}

static enum sqs_err decode_handles(struct sqs_request *req, const struct params *ps,
                                   struct sqs_error *err)
{
    const char *entry = batch_entry_name(req->op);
    bool visibility = req->op == SQS_OP_CHANGE_MESSAGE_VISIBILITY ||
                      req->op == SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH;
    size_t n = 1;
    if (entry) {
        enum sqs_err rc = check_batch(ps, entry, &n, err);
        if (rc)
            return rc;
    }
    req->handles = sqs_arena_alloc(&req->arena, n * sizeof(*req->handles));
    if (!req->handles)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    req->n_handles = n;
    char key[256];
    for (size_t i = 0; i < n; i++) {
        struct sqs_handle_entry *h = &req->handles[i];
        char prefix[64] = "";
        if (entry)
            snprintf(prefix, sizeof(prefix), "%s.%zu.", entry, i + 1);
        snprintf(key, sizeof(key), "%sId", prefix);
        h->id = get_str(ps, key);
        snprintf(key, sizeof(key), "%sReceiptHandle", prefix);
        h->receipt_handle = get_str(ps, key);
        h->visibility_timeout = -1;
        if (!h->receipt_handle || !*h->receipt_handle) {
            missing(&h->error, "ReceiptHandle");
        } else if (visibility) {
            snprintf(key, sizeof(key), "%sVisibilityTimeout", prefix);
            if (!get_int(ps, key, "VisibilityTimeout", 0, SQS_MAX_VISIBILITY,
                         &h->visibility_timeout, &h->error) &&
                h->visibility_timeout < 0)
                missing(&h->error, "VisibilityTimeout");
        }
        if (!entry && h->error.code) {
            *err = h->error;
            return err->code;
        }
    }
    return SQS_OK;
}

/* ---- per-operation decoding -------------------------------------------- */

static enum sqs_err decode_params(struct sqs_request *req, const struct params *ps,
                                  struct sqs_error *err)
{
    enum sqs_err rc = SQS_OK;
    req->max_results = -1;
    req->max_messages = 1;
    req->visibility_timeout = -1;
    req->wait_time_seconds = -1;
    req->max_per_second = -1;
    req->next_token = get_str(ps, "NextToken");
    switch (req->op) {
    case SQS_OP_CREATE_QUEUE:
        if ((rc = require_str(ps, "QueueName", &req->queue_name, err)))
            return rc;
        if ((rc = get_kv_list(req, ps, "Attribute", "Name", "Value", &req->attributes, err)))
            return rc;
        return get_kv_list(req, ps, "Tag", "Key", "Value", &req->tags, err);
    case SQS_OP_GET_QUEUE_URL:
        req->queue_owner = get_str(ps, "QueueOwnerAWSAccountId");
        return require_str(ps, "QueueName", &req->queue_name, err);
    case SQS_OP_LIST_QUEUES:
        req->prefix = get_str(ps, "QueueNamePrefix");
        return get_int(ps, "MaxResults", "MaxResults", 1, 1000, &req->max_results, err);
    case SQS_OP_LIST_DEAD_LETTER_SOURCE_QUEUES:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        return get_int(ps, "MaxResults", "MaxResults", 1, 1000, &req->max_results, err);
    case SQS_OP_DELETE_QUEUE:
    case SQS_OP_PURGE_QUEUE:
    case SQS_OP_LIST_QUEUE_TAGS:
        return require_str(ps, "QueueUrl", &req->queue_url, err);
    case SQS_OP_GET_QUEUE_ATTRIBUTES:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        return get_str_list(req, ps, "AttributeName", &req->names, err);
    case SQS_OP_SET_QUEUE_ATTRIBUTES:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        if ((rc = get_kv_list(req, ps, "Attribute", "Name", "Value", &req->attributes, err)))
            return rc;
        return req->attributes.n ? SQS_OK : missing(err, "Attribute.1.Name");
    case SQS_OP_SEND_MESSAGE:
    case SQS_OP_SEND_MESSAGE_BATCH:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        return decode_sends(req, ps, err);
    case SQS_OP_RECEIVE_MESSAGE: {
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        int max;
        if ((rc = get_int(ps, "MaxNumberOfMessages", "MaxNumberOfMessages", 1, SQS_MAX_BATCH,
                          &max, err)))
            return rc;
        req->max_messages = max < 0 ? 1 : max;
        if ((rc = get_int(ps, "VisibilityTimeout", "VisibilityTimeout", 0, SQS_MAX_VISIBILITY,
                          &req->visibility_timeout, err)))
            return rc;
        if ((rc = get_int(ps, "WaitTimeSeconds", "WaitTimeSeconds", 0, SQS_MAX_WAIT,
                          &req->wait_time_seconds, err)))
            return rc;
        req->receive_request_attempt_id = get_str(ps, "ReceiveRequestAttemptId");
        if ((rc = get_str_list(req, ps, "AttributeName", &req->names, err)))
            return rc;
        if ((rc = get_str_list(req, ps, "MessageSystemAttributeName",
                               &req->system_attribute_names, err)))
            return rc;
        return get_str_list(req, ps, "MessageAttributeName", &req->message_attribute_names, err);
    }
    case SQS_OP_DELETE_MESSAGE:
    case SQS_OP_DELETE_MESSAGE_BATCH:
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY:
    case SQS_OP_CHANGE_MESSAGE_VISIBILITY_BATCH:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        return decode_handles(req, ps, err);
    case SQS_OP_TAG_QUEUE:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        if ((rc = get_kv_list(req, ps, "Tag", "Key", "Value", &req->tags, err)))
            return rc;
        return req->tags.n ? SQS_OK : missing(err, "Tags");
    case SQS_OP_UNTAG_QUEUE:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        if ((rc = get_str_list(req, ps, "TagKey", &req->names, err)))
            return rc;
        return req->names.n ? SQS_OK : missing(err, "TagKeys");
    case SQS_OP_ADD_PERMISSION:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)) ||
            (rc = require_str(ps, "Label", &req->label, err)) ||
            (rc = get_str_list(req, ps, "AWSAccountId", &req->account_ids, err)) ||
            (rc = get_str_list(req, ps, "ActionName", &req->actions, err)))
            return rc;
        if (req->account_ids.n == 0)
            return missing(err, "AWSAccountIds");
        if (req->actions.n == 0)
            return missing(err, "Actions");
        if (req->actions.n > 7)
            return sqs_error_set(err, SQS_ERR_OVER_LIMIT,
                                 "%zu Actions were found, maximum allowed is 7.", req->actions.n);
        return SQS_OK;
    case SQS_OP_REMOVE_PERMISSION:
        if ((rc = require_str(ps, "QueueUrl", &req->queue_url, err)))
            return rc;
        return require_str(ps, "Label", &req->label, err);
    case SQS_OP_START_MESSAGE_MOVE_TASK:
        if ((rc = require_str(ps, "SourceArn", &req->source_arn, err)))
            return rc;
        req->destination_arn = get_str(ps, "DestinationArn");
        return get_int(ps, "MaxNumberOfMessagesPerSecond", "MaxNumberOfMessagesPerSecond",
                       1, 500, &req->max_per_second, err);
    case SQS_OP_LIST_MESSAGE_MOVE_TASKS:
        if ((rc = require_str(ps, "SourceArn", &req->source_arn, err)))
            return rc;
        return get_int(ps, "MaxResults", "MaxResults", 1, 10, &req->max_results, err);
    case SQS_OP_CANCEL_MESSAGE_MOVE_TASK:
        return require_str(ps, "TaskHandle", &req->task_handle, err);
    case SQS_OP_COUNT:
        break;
    }
    return sqs_error_set(err, SQS_ERR_INTERNAL, "Unknown operation.");
}

static enum sqs_err finish(struct sqs_request *req, struct params *ps, enum sqs_err rc,
                           struct sqs_error *err)
{
    if (rc == SQS_OK && req->arena.oom)
        rc = sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    free(ps->items);
    if (rc != SQS_OK)
        sqs_request_free(req);
    return rc;
}

enum sqs_err sqs_decode_query(const char *url_query, size_t url_query_len,
                              const char *body, size_t body_len, const char *path,
                              struct sqs_request *req, struct sqs_error *err)
{
    memset(req, 0, sizeof(*req));
    memset(err, 0, sizeof(*err));
    struct params ps = {.arena = &req->arena};
    enum sqs_err rc = parse_form(&ps, body, body_len, err);
    if (rc == SQS_OK)
        rc = parse_form(&ps, url_query, url_query_len, err);
    if (rc)
        return finish(req, &ps, rc, err);
    params_sort(&ps);
    const struct param *action = params_get(&ps, "Action");
    if (!action || action->value_len == 0)
        return finish(req, &ps, sqs_error_set(err, SQS_ERR_MISSING_ACTION,
                                              "The request must contain the parameter Action."), err);
    if (!sqs_op_from_name(action->value, action->value_len, &req->op))
        return finish(req, &ps, sqs_error_set(err, SQS_ERR_INVALID_ACTION,
                                              "The action %.128s is not valid for this endpoint.",
                                              action->value), err);
    if (!params_get(&ps, "QueueUrl") && path && strcmp(path, "/") != 0 && path[0] == '/') {
        char account[64], name[128];
        if (sqs_parse_queue_url(path, account, sizeof(account), name, sizeof(name))) {
            rc = params_add(&ps, "QueueUrl", 8, path, strlen(path), err);
            if (rc)
                return finish(req, &ps, rc, err);
            params_sort(&ps);
        }
    }
    return finish(req, &ps, decode_params(req, &ps, err), err);
}

enum sqs_err sqs_decode_json(const char *target, const char *body, size_t body_len,
                             struct sqs_request *req, struct sqs_error *err)
{
    memset(req, 0, sizeof(*req));
    memset(err, 0, sizeof(*err));
    struct params ps = {.arena = &req->arena};
    static const char prefix[] = "AmazonSQS.";
    size_t plen = sizeof(prefix) - 1;
    if (!target || strncmp(target, prefix, plen) != 0 ||
        !sqs_op_from_name(target + plen, strlen(target + plen), &req->op))
        return finish(req, &ps, sqs_error_set(err, SQS_ERR_UNKNOWN_OPERATION,
                                              "Operation %.128s is not supported.",
                                              target ? target : ""), err);
    enum sqs_err rc = SQS_OK;
    enum json_error jerr;
    const struct json_value *root = json_parse(body, body_len, &jerr);
    if (!root && jerr == JSON_ERR_NOMEM)
        rc = sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    else if (!root)
        rc = sqs_error_set(err, SQS_ERR_SERIALIZATION, "The request body is not valid JSON: %s.",
                           json_error_message(jerr));
    else if (!json_is(root, JSON_OBJECT))
        rc = sqs_error_set(err, SQS_ERR_SERIALIZATION, "The request body is not a JSON object.");
    else
        rc = flatten_object(&ps, req->op, "", root, 0, err);
    json_free(root);
    if (rc)
        return finish(req, &ps, rc, err);
    params_sort(&ps);
    return finish(req, &ps, decode_params(req, &ps, err), err);
}

void sqs_request_free(struct sqs_request *req)
{
    sqs_arena_free(&req->arena);
    memset(req, 0, sizeof(*req));
}

bool sqs_parse_queue_url(const char *url, char *account, size_t account_size,
                         char *name, size_t name_size)
{
    const char *path = url;
    const char *scheme = strstr(url, "://");
    if (scheme) {
        path = strchr(scheme + 3, '/');
        if (!path)
            return false;
    }
    if (*path != '/')
        return false;
    path++;
    const char *slash = strchr(path, '/');
    if (!slash)
        return false;
    size_t alen = (size_t)(slash - path);
    const char *qname = slash + 1;
    size_t nlen = strlen(qname);
    if (alen == 0 || alen >= account_size || nlen == 0 || nlen >= name_size ||
        strchr(qname, '/') || strchr(qname, '?'))
        return false;
    memcpy(account, path, alen);
    account[alen] = '\0';
    memcpy(name, qname, nlen + 1);
    return true;
}
