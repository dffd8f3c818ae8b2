/* libFuzzer target for PostObject's untrusted input: the multipart/form-data
 * parser and the policy checker (protocol/s3/post.c).
 *
 * The input is fed to the form parser in slices whose sizes come from the
 * first byte, with callbacks that keep the fields; the same bytes are then
 * checked as a policy document against those fields. Everything is freed,
 * so leaks and memory errors show up under the sanitizers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/s3/post.h"

#define MAX_FIELDS 16

struct collected {
    struct s3_kv fields[MAX_FIELDS];
    size_t n;
};

static int keep_field(void *arg, const char *name, const char *value, size_t len)
{
    struct collected *c = arg;
    if (c->n == MAX_FIELDS)
        return 0;
    char *n = strdup(name), *v = strndup(value, len);
    if (!n || !v) {
        free(n);
        free(v);
        return -1;
    }
    c->fields[c->n].name = n;
    c->fields[c->n].value = v;
    c->n++;
    return 0;
}

static int file_begin(void *arg, const char *filename, const char *content_type)
{
    (void)arg;
    return filename[0] == '!' && !content_type ? -1 : 0;
}

static int file_data(void *arg, const void *data, size_t len)
{
    (void)arg;
    (void)data;
    (void)len;
    return 0;
}

static int file_end(void *arg)
{
    (void)arg;
    return 0;
}

static const struct s3_post_form_callbacks callbacks = {keep_field, file_begin, file_data, file_end};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct collected c = {0};
    struct s3_post_form *form = s3_post_form_new("b", &callbacks, &c);
    if (!form)
        return 0;
    size_t step = size ? (size_t)data[0] % 64 + 1 : 1;
    for (size_t at = 0; at < size; at += step) {
        enum s3_post_form_status st = s3_post_form_feed(form, data + at, size - at < step ? size - at : step);
        if (st != S3_POST_FORM_MORE)
            break;
    }
    s3_post_form_free(form);
    struct s3_post_limits limits;
    char msg[256];
    s3_post_policy_check((const char *)data, size, 0, "bucket", c.fields, c.n, &limits, msg, sizeof(msg));
    for (size_t i = 0; i < c.n; i++) {
        free(c.fields[i].name);
        free(c.fields[i].value);
    }
    return 0;
}
