/* protocol/sqs/codec.h: what the files of protocol/sqs share to decode
 * requests and encode results, and each operation's wire form.
 *
 * request.c turns either protocol into one sorted array of query-style
 * parameters (struct sqs_params) and offers the readers below; response.c
 * offers a writer that emits the query protocol's XML or the JSON
 * protocol's object from the same calls. Each operation's wire form is a
 * struct sqs_codec, sqs_codec_<handler> (protocol/sqs/operations.h), kept
 * in its family's file: queues.c, messages.c, tags.c, permissions.c,
 * move_tasks.c. Internal to protocol/sqs. */
#ifndef CLOUDLESS_PROTOCOL_SQS_CODEC_H
#define CLOUDLESS_PROTOCOL_SQS_CODEC_H

#include "protocol/sqs/sqs.h"

/* ---- reading parameters (request.c) ------------------------------------ */

struct sqs_param {
    char *key;
    char *value;
    size_t value_len;
    size_t order;       /* insertion order: the first of equal keys wins */
};

struct sqs_params {
    struct sqs_param *items;
    size_t n, cap;
    struct arena *arena;
};

/* The parameter named `key`, or NULL. */
const struct sqs_param *sqs_params_get(const struct sqs_params *ps, const char *key);
/* Number of consecutive list items "<prefix>.1...", "<prefix>.2...". */
size_t sqs_params_count(const struct sqs_params *ps, const char *prefix);

/* The value of `key`, or NULL. */
char *sqs_param_str(const struct sqs_params *ps, const char *key);
/* An optional integer within [min, max] (`name` for the error); *out = -1 when absent. */
enum sqs_err sqs_param_int(const struct sqs_params *ps, const char *key, const char *name,
                           long min, long max, int *out, struct sqs_error *err);
/* A required, non-empty string: MissingParameter otherwise. */
enum sqs_err sqs_param_required(const struct sqs_params *ps, const char *name, char **out,
                                struct sqs_error *err);
/* "<prefix>.N" strings. */
enum sqs_err sqs_param_str_list(struct sqs_request *req, const struct sqs_params *ps,
                                const char *prefix, struct sqs_str_list *out,
                                struct sqs_error *err);
/* "<prefix>.N.<kname>" / "<prefix>.N.<vname>" pairs. */
enum sqs_err sqs_param_kv_list(struct sqs_request *req, const struct sqs_params *ps,
                               const char *prefix, const char *kname, const char *vname,
                               struct sqs_kv_list *out, struct sqs_error *err);
/* MissingParameter for `name`. */
enum sqs_err sqs_param_missing(struct sqs_error *err, const char *name);

/* ---- writing results (response.c) -------------------------------------- */

struct sqs_writer {
    enum sqs_protocol proto;
    struct strbuf *out;
    bool first;        /* JSON: no comma needed before the next member */
};

/* A string member: <Name>v</Name> or "Name":"v"; sqs_write_str skips NULL and "". */
void sqs_write_str_len(struct sqs_writer *w, const char *name, const char *v, size_t len);
void sqs_write_str(struct sqs_writer *w, const char *name, const char *v);
void sqs_write_int(struct sqs_writer *w, const char *name, long long v);
void sqs_write_bool(struct sqs_writer *w, const char *name, bool v);
/* Structures: XML <Elem>..</Elem> (one per list item, flattened), JSON {..}.
 * `json_name` NULL means an anonymous list item. */
void sqs_write_open(struct sqs_writer *w, const char *xml_elem, const char *json_name);
void sqs_write_close(struct sqs_writer *w, const char *xml_elem);
/* JSON arrays wrap flattened XML lists; no-ops for XML. */
void sqs_write_list_open(struct sqs_writer *w, const char *json_name);
void sqs_write_list_close(struct sqs_writer *w);
/* A list of strings: flattened <Elem>s, or a JSON array (written even
 * when empty if json_always). */
void sqs_write_str_list(struct sqs_writer *w, const char *xml_elem, const char *json_name,
                        const struct sqs_str_list *l, bool json_always);
/* A string map: flattened <Elem><key_elem/><Value/></Elem>, or a JSON object. */
void sqs_write_map(struct sqs_writer *w, const char *xml_elem, const char *key_elem,
                   const char *json_name, const struct sqs_kv_list *m, bool json_always);
/* Message attributes: flattened <MessageAttribute>s, or a JSON object by name. */
void sqs_write_msg_attrs(struct sqs_writer *w, const struct sqs_msg_attrs *attrs);

/* ---- an operation's wire form ---------------------------------------------- */

struct sqs_codec {
    /* Reads the operation's parameters into `req` (req->op is set, and the
     * members every operation shares are read). */
    enum sqs_err (*decode)(struct sqs_request *req, const struct sqs_params *ps,
                           struct sqs_error *err);
    /* Writes the result's members; NULL when the operation has no result. */
    void (*result)(struct sqs_writer *w, const struct sqs_response *r);
    /* Batch operations: the name of their entries in both protocols
     * ("SendMessageBatchRequestEntry"); NULL otherwise. */
    const char *batch_entry;
};

#define SQS_CODEC_DECLARE(name, family, action, access, handler) \
    extern const struct sqs_codec sqs_codec_##handler;
SQS_OPERATIONS(SQS_CODEC_DECLARE)
#undef SQS_CODEC_DECLARE

/* Each operation's codec, by enum sqs_op (request.c). */
extern const struct sqs_codec *const sqs_codecs[SQS_OP_COUNT];

#endif
