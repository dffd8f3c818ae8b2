/* protocol/s3 post: browser POST uploads (PostObject) — an incremental
 * multipart/form-data parser, and the check of the form's policy document.
 *
 * Bytes go into a window buffer and are consumed as far as they can be:
 * the first "--boundary" line, then per part its header block (up to
 * S3_POST_MAX_HEADER bytes, Content-Disposition name/filename and
 * Content-Type kept) and its body up to the next "\r\n--boundary". A
 * field's value is collected (fields together at most S3_POST_MAX_FIELDS
 * bytes, as AWS) and handed over whole; the part named "file" streams out
 * as it arrives, holding back only the bytes that could begin the
 * delimiter. "--" after a delimiter ends the form; what follows is
 * ignored, as is any preamble before the first boundary.
 *
 * The policy document is checked against the form as AWS does. It is
 * {"expiration": ISO-8601, "conditions": [...]}; each
 * condition is {"field": "value"} (exact match), ["eq", "$field", "value"],
 * ["starts-with", "$field", "prefix"] or ["content-length-range", min, max].
 * Field names compare case-insensitively; "$bucket" is the bucket posted
 * to. Every form field but policy, the signature fields, file and
 * x-ignore-* must be named by some condition ("Extra input fields"). The
 * document is parsed with protocol/core/json. */
#include "protocol/s3/post.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "protocol/s3/s3.h"

#define WINDOW (64 * 1024)

enum state { PREAMBLE, AFTER_DELIMITER, HEADERS, FIELD_BODY, FILE_BODY, END };

struct s3_post_form {
    const struct s3_post_form_callbacks *cb;
    void *arg;
    char delimiter[S3_POST_MAX_BOUNDARY + 5];  /* "\r\n--" boundary */
    size_t delimiter_len;
    enum state state;
    unsigned char *buf;
    size_t len, cap;
    char *name;                    /* the current part's field name */
    struct strbuf value;           /* the current field's value */
    size_t field_bytes;            /* all field values so far */
};

int s3_post_form_boundary(const char *content_type, char *out, size_t cap)
{
    if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0)
        return -1;
    const char *p = content_type + 19;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        size_t n;
        if (*p == '"') {
            p++;
            n = strcspn(p, "\"");
            if (p[n] != '"')
                return -1;
        } else {
            n = strcspn(p, "; \t");
        }
        if (n == 0 || n > S3_POST_MAX_BOUNDARY || n >= cap)
            return -1;
        memcpy(out, p, n);
        out[n] = '\0';
        return 0;
    }
    return -1;
}

struct s3_post_form *s3_post_form_new(const char *boundary, const struct s3_post_form_callbacks *cb,
                                      void *arg)
{
    size_t blen = strlen(boundary);
    if (blen == 0 || blen > S3_POST_MAX_BOUNDARY)
        return NULL;
    struct s3_post_form *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->cap = WINDOW + sizeof(f->delimiter);
    f->buf = malloc(f->cap);
    if (!f->buf) {
        free(f);
        return NULL;
    }
    f->cb = cb;
    f->arg = arg;
    memcpy(f->delimiter, "\r\n--", 4);
    memcpy(f->delimiter + 4, boundary, blen + 1);
    f->delimiter_len = blen + 4;
    strbuf_init(&f->value);
    return f;
}

void s3_post_form_free(struct s3_post_form *f)
{
    if (!f)
        return;
    free(f->buf);
    free(f->name);
    strbuf_free(&f->value);
    free(f);
}

static const unsigned char *find(const unsigned char *hay, size_t hay_len, const char *needle,
                                 size_t needle_len)
{
    if (needle_len > hay_len)
        return NULL;
    return memmem(hay, hay_len, needle, needle_len);
}

static void consume(struct s3_post_form *f, size_t n)
{
    memmove(f->buf, f->buf + n, f->len - n);
    f->len -= n;
}

/* The value of parameter `param` (name= / filename=) of a
 * Content-Disposition header, malloc'd, or NULL when absent. */
static char *disposition_param(const char *header, const char *param, bool *oom)
{
    size_t plen = strlen(param);
    const char *p = header;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        p += strspn(p, " \t");
        if (strncasecmp(p, param, plen) != 0 || p[plen] != '=')
            continue;
        p += plen + 1;
        size_t n;
        if (*p == '"') {
            p++;
            n = strcspn(p, "\"");
        } else {
            n = strcspn(p, "; \t");
        }
        char *v = strndup(p, n);
        if (!v)
            *oom = true;
        return v;
    }
    return NULL;
}

/* Parses a part's header block (NUL-terminated, CRLF-separated). */
static enum s3_post_form_status start_part(struct s3_post_form *f, char *headers)
{
    char *filename = NULL, *content_type = NULL;
    bool oom = false, disposition = false;
    free(f->name);
    f->name = NULL;
    for (char *line = headers; line && *line;) {
        char *next = strstr(line, "\r\n");
        if (next) {
            *next = '\0';
            next += 2;
        }
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            char *value = colon + 1 + strspn(colon + 1, " \t");
            if (strcasecmp(line, "Content-Disposition") == 0 &&
                strncasecmp(value, "form-data", 9) == 0) {
                disposition = true;
                f->name = disposition_param(value, "name", &oom);
                filename = disposition_param(value, "filename", &oom);
            } else if (strcasecmp(line, "Content-Type") == 0) {
                free(content_type);
                content_type = strdup(value);
                oom = oom || !content_type;
            }
        }
        line = next;
    }
    enum s3_post_form_status st = S3_POST_FORM_MORE;
    if (oom)
        st = S3_POST_FORM_ERR_NOMEM;
    else if (!disposition || !f->name)
        st = S3_POST_FORM_ERR_MALFORMED;
    else if (strcasecmp(f->name, "file") == 0) {
        f->state = FILE_BODY;
        if (f->cb->file_begin(f->arg, filename ? filename : "", content_type) < 0)
            st = S3_POST_FORM_ERR_CALLBACK;
    } else {
        f->state = FIELD_BODY;
        strbuf_reset(&f->value);
    }
    free(filename);
    free(content_type);
    return st;
}

/* Takes n bytes of the current part's body. */
static enum s3_post_form_status part_bytes(struct s3_post_form *f, size_t n)
{
    if (n == 0)
        return S3_POST_FORM_MORE;
    if (f->state == FILE_BODY)
        return f->cb->file_data(f->arg, f->buf, n) < 0 ? S3_POST_FORM_ERR_CALLBACK : S3_POST_FORM_MORE;
    f->field_bytes += n;
    if (f->field_bytes > S3_POST_MAX_FIELDS)
        return S3_POST_FORM_ERR_FIELDS_TOO_LARGE;
    strbuf_append(&f->value, f->buf, n);
    return strbuf_failed(&f->value) ? S3_POST_FORM_ERR_NOMEM : S3_POST_FORM_MORE;
}

static enum s3_post_form_status end_part(struct s3_post_form *f)
{
    if (f->state == FILE_BODY)
        return f->cb->file_end(f->arg) < 0 ? S3_POST_FORM_ERR_CALLBACK : S3_POST_FORM_MORE;
    int rc = f->cb->field(f->arg, f->name, f->value.data ? f->value.data : "", f->value.len);
    return rc < 0 ? S3_POST_FORM_ERR_CALLBACK : S3_POST_FORM_MORE;
}

/* Advances through the window; MORE when it needs more bytes. */
static enum s3_post_form_status process(struct s3_post_form *f)
{
    for (;;) {
        const char *dash_boundary = f->delimiter + 2;
        size_t dash_len = f->delimiter_len - 2;
        switch (f->state) {
        case PREAMBLE: {
            const unsigned char *at = find(f->buf, f->len, dash_boundary, dash_len);
            if (!at) {
                if (f->len >= dash_len)
                    consume(f, f->len - dash_len + 1);
                return S3_POST_FORM_MORE;
            }
            consume(f, (size_t)(at - f->buf) + dash_len);
            f->state = AFTER_DELIMITER;
            break;
        }
        case AFTER_DELIMITER:
            if (f->len < 2)
                return S3_POST_FORM_MORE;
            if (memcmp(f->buf, "--", 2) == 0) {
                f->state = END;
                break;
            }
            if (memcmp(f->buf, "\r\n", 2) != 0)
                return S3_POST_FORM_ERR_MALFORMED;
            consume(f, 2);
            f->state = HEADERS;
            break;
        case HEADERS: {
            const unsigned char *at = find(f->buf, f->len, "\r\n\r\n", 4);
            if (!at && f->len >= S3_POST_MAX_HEADER)
                return S3_POST_FORM_ERR_MALFORMED;
            if (!at)
                return S3_POST_FORM_MORE;
            size_t n = (size_t)(at - f->buf);
            if (n >= S3_POST_MAX_HEADER)
                return S3_POST_FORM_ERR_MALFORMED;
            char headers[S3_POST_MAX_HEADER];
            memcpy(headers, f->buf, n);
            headers[n] = '\0';
            consume(f, n + 4);
            enum s3_post_form_status st = start_part(f, headers);
            if (st != S3_POST_FORM_MORE)
                return st;
            break;
        }
        case FIELD_BODY:
        case FILE_BODY: {
            const unsigned char *at = find(f->buf, f->len, f->delimiter, f->delimiter_len);
            size_t n = at ? (size_t)(at - f->buf)
                          : (f->len >= f->delimiter_len ? f->len - f->delimiter_len + 1 : 0);
            enum s3_post_form_status st = part_bytes(f, n);
            if (st == S3_POST_FORM_MORE && at)
                st = end_part(f);
            if (st != S3_POST_FORM_MORE)
                return st;
            consume(f, at ? n + f->delimiter_len : n);
            if (!at)
                return S3_POST_FORM_MORE;
            f->state = AFTER_DELIMITER;
            break;
        }
        case END:
            f->len = 0;
            return S3_POST_FORM_DONE;
        }
    }
}

enum s3_post_form_status s3_post_form_feed(struct s3_post_form *f, const void *data, size_t len)
{
    const unsigned char *p = data;
    enum s3_post_form_status st = f->state == END ? S3_POST_FORM_DONE : S3_POST_FORM_MORE;
    while (len > 0 && st == S3_POST_FORM_MORE) {
        size_t room = f->cap - f->len;
        size_t n = len < room ? len : room;
        memcpy(f->buf + f->len, p, n);
        f->len += n;
        p += n;
        len -= n;
        st = process(f);
    }
    return st;
}

bool s3_post_form_done(const struct s3_post_form *f)
{
    return f->state == END;
}

/* ---- the policy document ------------------------------------------------ */

static const char *field_value(const struct s3_kv *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(fields[i].name, name) == 0)
            return fields[i].value;
    return NULL;
}

/* Fields the policy need not name. */
static bool field_exempt(const char *name)
{
    static const char *const exempt[] = {"policy", "x-amz-signature", "signature", "awsaccesskeyid",
                                         "file", NULL};
    for (size_t i = 0; exempt[i]; i++)
        if (strcasecmp(name, exempt[i]) == 0)
            return true;
    return strncasecmp(name, "x-ignore-", 9) == 0;
}

struct check {
    const char *bucket;
    const struct s3_kv *fields;
    size_t n_fields;
    bool *covered;                 /* per field: named by a condition */
    struct s3_post_limits *limits;
    char *msg;
    size_t msg_cap;
};

/* The value a condition compares: the bucket or a form field ("" when absent). */
static const char *subject(struct check *c, const char *name)
{
    if (strcasecmp(name, "bucket") == 0)
        return c->bucket;
    for (size_t i = 0; i < c->n_fields; i++) {
        if (strcasecmp(c->fields[i].name, name) == 0) {
            c->covered[i] = true;
            return c->fields[i].value;
        }
    }
    return "";
}

static enum s3_err failed(struct check *c, const char *op, const char *field, const char *value)
{
    snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Policy Condition failed: [\"%s\", \"$%s\", \"%s\"]",
             op, field, value);
    return S3_ERR_ACCESS_DENIED;
}

static enum s3_err invalid(struct check *c, const char *what)
{
    snprintf(c->msg, c->msg_cap, "Invalid Policy: %s", what);
    return S3_ERR_INVALID_POLICY_DOCUMENT;
}

static enum s3_err check_match(struct check *c, const char *op, const char *field, const char *want)
{
    const char *name = field[0] == '$' ? field + 1 : field;
    const char *have = subject(c, name);
    bool ok = strcmp(op, "eq") == 0 ? strcmp(have, want) == 0
                                    : strncmp(have, want, strlen(want)) == 0;
    return ok ? S3_OK : failed(c, op, name, want);
}

static bool as_int64(const struct json_value *v, int64_t *out)
{
    if (json_number_int64(v, out))
        return true;
    const char *text = json_string(v);
    if (text) {
        char *end;
        long long n = strtoll(text, &end, 10);
        if (*text && !*end) {
            *out = n;
            return true;
        }
    }
    return false;
}

static enum s3_err check_array(struct check *c, const struct json_value *cond)
{
    size_t n = cond->len;
    const struct json_value *v[3];
    for (size_t i = 0; i < 3 && i < n; i++)
        v[i] = &cond->u.items[i];
    if (n != 3 || !json_is(v[0], JSON_STRING))
        return invalid(c, "Invalid Condition: wrong number of arguments");
    const char *op = json_string(v[0]);
    if (strcasecmp(op, "content-length-range") == 0) {
        int64_t lo, hi;
        if (!as_int64(v[1], &lo) || !as_int64(v[2], &hi) || lo < 0 || hi < lo)
            return invalid(c, "Invalid content-length-range condition");
        c->limits->min_size = lo;
        c->limits->max_size = hi;
        return S3_OK;
    }
    if (!json_is(v[1], JSON_STRING) || !json_is(v[2], JSON_STRING) || json_string(v[1])[0] != '$')
        return invalid(c, "Invalid Condition: the field must be a string starting with $");
    if (strcasecmp(op, "eq") == 0)
        return check_match(c, "eq", json_string(v[1]), json_string(v[2]));
    if (strcasecmp(op, "starts-with") == 0)
        return check_match(c, "starts-with", json_string(v[1]), json_string(v[2]));
    return invalid(c, "Invalid Condition: unknown operation");
}

static enum s3_err check_condition(struct check *c, const struct json_value *cond)
{
    if (json_is(cond, JSON_ARRAY))
        return check_array(c, cond);
    if (!json_is(cond, JSON_OBJECT) || cond->len != 1 || !json_is(&cond->u.members[0].value, JSON_STRING))
        return invalid(c, "Invalid Condition");
    return check_match(c, "eq", cond->u.members[0].key, json_string(&cond->u.members[0].value));
}

static enum s3_err check_expiration(struct check *c, const struct json_value *doc, int64_t now_ms)
{
    const char *exp = json_str(doc, "expiration");
    if (!exp)
        return invalid(c, "Policy missing expiration.");
    int64_t at = date_parse_iso8601(exp);
    if (at < 0)
        return invalid(c, "Invalid 'expiration' value.");
    if (at < now_ms) {
        snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Policy expired.");
        return S3_ERR_ACCESS_DENIED;
    }
    return S3_OK;
}

/* Every field but the exempt ones must have been named. */
static enum s3_err check_coverage(struct check *c)
{
    size_t used = (size_t)snprintf(c->msg, c->msg_cap, "Invalid according to Policy: Extra input fields: ");
    bool extra = false;
    for (size_t i = 0; i < c->n_fields; i++) {
        if (c->covered[i] || field_exempt(c->fields[i].name) ||
            field_value(c->fields, i, c->fields[i].name))  /* reported once */
            continue;
        if (used < c->msg_cap)
            used += (size_t)snprintf(c->msg + used, c->msg_cap - used, "%s%s", extra ? ", " : "",
                                     c->fields[i].name);
        extra = true;
    }
    return extra ? S3_ERR_ACCESS_DENIED : S3_OK;
}

enum s3_err s3_post_policy_check(const char *json, size_t len, int64_t now_ms, const char *bucket,
                                 const struct s3_kv *fields, size_t n_fields,
                                 struct s3_post_limits *limits, char *msg, size_t msg_cap)
{
    limits->min_size = 0;
    limits->max_size = INT64_MAX;
    msg[0] = '\0';
    struct check c = {bucket, fields, n_fields, calloc(n_fields ? n_fields : 1, sizeof(bool)),
                      limits, msg, msg_cap};
    if (!c.covered)
        return S3_ERR_INTERNAL_ERROR;
    enum json_error jerr;
    const struct json_value *doc = json_parse(json, len, &jerr);
    if (!doc && jerr == JSON_ERR_NOMEM) {
        free(c.covered);
        return S3_ERR_INTERNAL_ERROR;
    }
    enum s3_err err = S3_OK;
    const struct json_value *conds = json_get(doc, "conditions");
    if (!json_is(conds, JSON_ARRAY))
        conds = NULL;
    if (!json_is(doc, JSON_OBJECT))
        err = invalid(&c, "Policy could not be parsed as a valid JSON object.");
    else
        err = check_expiration(&c, doc, now_ms);
    if (err == S3_OK && !conds)
        err = invalid(&c, "Policy missing conditions.");
    for (size_t i = 0; err == S3_OK && i < conds->len; i++)
        err = check_condition(&c, &conds->u.items[i]);
    if (err == S3_OK)
        err = check_coverage(&c);
    json_free(doc);
    free(c.covered);
    return err;
}
