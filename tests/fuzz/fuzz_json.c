/* fuzz_json: the JSON reader and writer (protocol/core/json). Any input
 * either fails to parse or parses into a tree that, written back with
 * jw_tree, parses again into the same text: nothing is lost or invented,
 * whatever the nesting, escapes or NULs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/json.h"

static void write_tree(const struct json_value *v, struct strbuf *out)
{
    struct json_writer w;
    strbuf_init(out);
    jw_init(&w, out);
    jw_tree(&w, NULL, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum json_error err;
    const struct json_value *v = json_parse((const char *)data, size, &err);
    if (!v)
        return 0;
    struct strbuf first, second;
    write_tree(v, &first);
    json_free(v);
    if (strbuf_failed(&first)) {
        strbuf_free(&first);
        return 0;
    }
    const struct json_value *again = json_parse(first.data, first.len, &err);
    if (!again)
        abort();                   /* what we wrote is not JSON */
    write_tree(again, &second);
    json_free(again);
    if (!strbuf_failed(&second) && (second.len != first.len || memcmp(first.data, second.data, first.len) != 0))
        abort();                   /* the round trip changed the document */
    strbuf_free(&first);
    strbuf_free(&second);
    return 0;
}
