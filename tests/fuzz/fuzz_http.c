/* fuzz_http: drives the HTTP/1.1 request parser (Debian's http_parser) with
 * the same callbacks' shape the server uses — URL, header fields and values,
 * body pieces — splitting the input at a fuzzer-chosen point to exercise
 * incremental parsing and pausing at message ends as the server does. */
#include <http_parser.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct seen {
    size_t url, fields, values, body, messages;
};

static int on_url(http_parser *p, const char *at, size_t len) { ((struct seen *)p->data)->url += len; (void)at; return 0; }
static int on_field(http_parser *p, const char *at, size_t len) { ((struct seen *)p->data)->fields += len; (void)at; return 0; }
static int on_value(http_parser *p, const char *at, size_t len) { ((struct seen *)p->data)->values += len; (void)at; return 0; }
static int on_body(http_parser *p, const char *at, size_t len) { ((struct seen *)p->data)->body += len; (void)at; return 0; }
static int on_complete(http_parser *p)
{
    ((struct seen *)p->data)->messages++;
    http_parser_pause(p, 1);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    http_parser_settings s;
    memset(&s, 0, sizeof(s));
    s.on_url = on_url;
    s.on_header_field = on_field;
    s.on_header_value = on_value;
    s.on_body = on_body;
    s.on_message_complete = on_complete;
    struct seen seen = {0};
    http_parser p;
    http_parser_init(&p, HTTP_REQUEST);
    p.data = &seen;
    size_t split = data[0] % (size);
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    size_t off = 0;
    size_t steps[2] = {split < len ? split : len, len};
    for (int i = 0; i < 2 && off < len; i++) {
        while (off < steps[i]) {
            size_t n = http_parser_execute(&p, &s, in + off, steps[i] - off);
            off += n;
            if (HTTP_PARSER_ERRNO(&p) == HPE_PAUSED) {
                http_parser_pause(&p, 0);
                continue;
            }
            if (HTTP_PARSER_ERRNO(&p) != HPE_OK)
                return 0;
            if (n == 0)
                break;
        }
    }
    return 0;
}
