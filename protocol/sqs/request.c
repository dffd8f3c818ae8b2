/* request: decodes an SQS request in either protocol into struct sqs_request.
 *
 * Both protocols end up as one sorted array of query-style parameters:
 *  - query: the URL query and the form body are split on '&' and '=' and
 *    percent-decoded ('+' is a space);
 *  - JSON: the parsed tree (protocol/core/json) is flattened with the query protocol's names, so
 *    {"Attributes":{"A":"1"}} becomes Attribute.1.Name=A, Attribute.1.Value=1
 *    and {"Entries":[{..}]} of SendMessageBatch becomes
 *    SendMessageBatchRequestEntry.1.*; wrong JSON types are rejected here.
 * The operation's decoder (its sqs_codec, in protocol/sqs/<family>.c: see
 * codec.h and operations.h) then reads the parameters by name (binary
 * search) with the readers below, checks required members, ranges and
 * batch rules, and fills the typed request. Everything is allocated in the
 * request's arena. */
#include "protocol/sqs/codec.h"

#include "protocol/core/percent.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "protocol/core/json.h"

/* The names the query Action and the JSON X-Amz-Target are looked up by. */
#define OP_NAME(name, family, action, access, handler) #name,
static const char *const op_names[SQS_OP_COUNT] = {SQS_OPERATIONS(OP_NAME)};

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

/* ---- the parameter array (codec.h) ------------------------------------- */

static enum sqs_err params_add(struct sqs_params *ps, const char *key, size_t key_len,
                               const char *value, size_t value_len, struct sqs_error *err)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 32;
        struct sqs_param *items = realloc(ps->items, cap * sizeof(*items));
        if (!items)
            return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
        ps->items = items;
        ps->cap = cap;
    }
    struct sqs_param *p = &ps->items[ps->n];
    p->key = arena_memdup(ps->arena, key, key_len);
    p->value = arena_memdup(ps->arena, value, value_len);
    if (!p->key || !p->value)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    p->value_len = value_len;
    p->order = ps->n++;
    return SQS_OK;
}

static int param_cmp(const void *a, const void *b)
{
    const struct sqs_param *pa = a, *pb = b;
    int c = strcmp(pa->key, pb->key);
    if (c)
        return c;
    return pa->order < pb->order ? -1 : pa->order > pb->order;
}

static void params_sort(struct sqs_params *ps)
{
    if (ps->n > 1)
        qsort(ps->items, ps->n, sizeof(*ps->items), param_cmp);
}

/* Index of the first parameter whose key is >= key. */
static size_t params_lower_bound(const struct sqs_params *ps, const char *key)
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

const struct sqs_param *sqs_params_get(const struct sqs_params *ps, const char *key)
{
    size_t i = params_lower_bound(ps, key);
    return i < ps->n && strcmp(ps->items[i].key, key) == 0 ? &ps->items[i] : NULL;
}

/* True if some key starts with `prefix`. */
static bool params_has_prefix(const struct sqs_params *ps, const char *prefix)
{
    size_t i = params_lower_bound(ps, prefix);
    return i < ps->n && strncmp(ps->items[i].key, prefix, strlen(prefix)) == 0;
}

/* Number of consecutive list items "<prefix>.1...", "<prefix>.2...". A
 * plain list ("AttributeName.1") is found by exact key, a list of
 * structures by the "<prefix>.N." prefix. */
size_t sqs_params_count(const struct sqs_params *ps, const char *prefix)
{
    char key[256];
    size_t n = 0;
    for (;;) {
        snprintf(key, sizeof(key), "%s.%zu", prefix, n + 1);
        if (!sqs_params_get(ps, key)) {
            snprintf(key, sizeof(key), "%s.%zu.", prefix, n + 1);
            if (!params_has_prefix(ps, key))
                return n;
        }
        n++;
    }
}

/* ---- query form decoding ---------------------------------------------- */

static enum sqs_err parse_form(struct sqs_params *ps, const char *form, size_t len,
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
                char *key = arena_memdup(ps->arena, buf, (size_t)key_len);
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

static enum sqs_err flatten_object(struct sqs_params *ps, enum sqs_op op, const char *prefix,
                                   const struct json_value *obj, int depth, struct sqs_error *err);

static enum sqs_err add_scalar(struct sqs_params *ps, const char *key, const char *member,
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

static enum sqs_err flatten_member(struct sqs_params *ps, enum sqs_op op, const char *prefix,
                                   const char *member, const struct json_value *v, int depth,
                                   struct sqs_error *err)
{
    char key[512];
    if (depth > 4 || strlen(prefix) + strlen(member) > 200)
        return serialization_error(err, member);
    const char *entry = sqs_codecs[op]->batch_entry;
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

static enum sqs_err flatten_object(struct sqs_params *ps, enum sqs_op op, const char *prefix,
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

/* ---- reading parameters (codec.h) -------------------------------------------- */

enum sqs_err sqs_param_missing(struct sqs_error *err, const char *name)
{
    return sqs_error_set(err, SQS_ERR_MISSING_PARAMETER,
                         "The request must contain the parameter %s.", name);
}

/* Parses an optional integer parameter within [min, max]; *out = -1 when absent. */
enum sqs_err sqs_param_int(const struct sqs_params *ps, const char *key, const char *name,
                           long min, long max, int *out, struct sqs_error *err)
{
    const struct sqs_param *p = sqs_params_get(ps, key);
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

char *sqs_param_str(const struct sqs_params *ps, const char *key)
{
    const struct sqs_param *p = sqs_params_get(ps, key);
    return p ? p->value : NULL;
}

enum sqs_err sqs_param_required(const struct sqs_params *ps, const char *name, char **out,
                                struct sqs_error *err)
{
    *out = sqs_param_str(ps, name);
    if (!*out || !**out)
        return sqs_param_missing(err, name);
    return SQS_OK;
}

enum sqs_err sqs_param_str_list(struct sqs_request *req, const struct sqs_params *ps,
                                const char *prefix, struct sqs_str_list *out,
                                struct sqs_error *err)
{
    size_t n = sqs_params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    out->items = arena_alloc(&req->arena, n * sizeof(char *));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    char key[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu", prefix, i + 1);
        char *v = sqs_param_str(ps, key);
        if (v)
            out->items[out->n++] = v;
    }
    return SQS_OK;
}

/* Reads "<prefix>.N.<kname>" / "<prefix>.N.<vname>" pairs. */
enum sqs_err sqs_param_kv_list(struct sqs_request *req, const struct sqs_params *ps,
                               const char *prefix, const char *kname, const char *vname,
                               struct sqs_kv_list *out, struct sqs_error *err)
{
    size_t n = sqs_params_count(ps, prefix);
    out->n = 0;
    if (n == 0)
        return SQS_OK;
    out->items = arena_alloc(&req->arena, n * sizeof(*out->items));
    if (!out->items)
        return sqs_error_set(err, SQS_ERR_INTERNAL, "Out of memory.");
    char key[256];
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof(key), "%s.%zu.%s", prefix, i + 1, kname);
        char *k = sqs_param_str(ps, key);
        snprintf(key, sizeof(key), "%s.%zu.%s", prefix, i + 1, vname);
        char *v = sqs_param_str(ps, key);
        if (!k)
            return sqs_param_missing(err, key);
        out->items[out->n].key = k;
        out->items[out->n].value = v ? v : "";
        out->n++;
    }
    return SQS_OK;
}

/* ---- per-operation decoding -------------------------------------------- */

#define CODEC(name, family, action, access, handler) &sqs_codec_##handler,
const struct sqs_codec *const sqs_codecs[SQS_OP_COUNT] = {SQS_OPERATIONS(CODEC)};

/* The members every operation shares, then the operation's own. */
static enum sqs_err decode_params(struct sqs_request *req, const struct sqs_params *ps,
                                  struct sqs_error *err)
{
    req->max_results = -1;
    req->max_messages = 1;
    req->visibility_timeout = -1;
    req->wait_time_seconds = -1;
    req->max_per_second = -1;
    req->next_token = sqs_param_str(ps, "NextToken");
    return sqs_codecs[req->op]->decode(req, ps, err);
}

static enum sqs_err finish(struct sqs_request *req, struct sqs_params *ps, enum sqs_err rc,
                           struct sqs_error *err)
{
    if (rc == SQS_OK && req->arena.failed)
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
    struct sqs_params ps = {.arena = &req->arena};
    enum sqs_err rc = parse_form(&ps, body, body_len, err);
    if (rc == SQS_OK)
        rc = parse_form(&ps, url_query, url_query_len, err);
    if (rc)
        return finish(req, &ps, rc, err);
    params_sort(&ps);
    const struct sqs_param *action = sqs_params_get(&ps, "Action");
    if (!action || action->value_len == 0)
        return finish(req, &ps, sqs_error_set(err, SQS_ERR_MISSING_ACTION,
                                              "The request must contain the parameter Action."), err);
    if (!sqs_op_from_name(action->value, action->value_len, &req->op))
        return finish(req, &ps, sqs_error_set(err, SQS_ERR_INVALID_ACTION,
                                              "The action %.128s is not valid for this endpoint.",
                                              action->value), err);
    if (!sqs_params_get(&ps, "QueueUrl") && path && strcmp(path, "/") != 0 && path[0] == '/') {
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
    struct sqs_params ps = {.arena = &req->arena};
    static const char prefix[] = SQS_TARGET_PREFIX;
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
    arena_free(&req->arena);
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
