/* fuzz_ddb_streams: what DynamoDB Streams parses from clients
 * (protocol/dynamodb streams): shard iterators, stream ARNs and sequence
 * numbers. The input is tried as each. An iterator that decodes must
 * encode back to the same text (so nothing but our own iterators is ever
 * read), an ARN must format back to itself, a sequence number must print
 * back the same. Nothing may crash or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/dynamodb/streams.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct ddb_stream_arn arn;
    struct ddb_shard_iterator it;
    if (ddb_shard_iterator_decode(text, size, &arn, &it)) {
        const char *bar = memchr(text, '|', size);
        char *arn_text = strndup(text, (size_t)(bar - text));
        struct strbuf sb;
        strbuf_init(&sb);
        ddb_shard_iterator_encode(&sb, arn_text, &it);
        if (!strbuf_failed(&sb) && (sb.len != size || memcmp(sb.data, text, size) != 0))
            abort();
        strbuf_free(&sb);
        free(arn_text);
    }
    if (ddb_stream_arn_parse(text, size, &arn)) {
        struct strbuf sb;
        strbuf_init(&sb);
        ddb_stream_arn_format(&sb, arn.region, arn.account, arn.table, arn.label);
        if (!strbuf_failed(&sb) && (sb.len != size || memcmp(sb.data, text, size) != 0))
            abort();
        strbuf_free(&sb);
    }
    int64_t seq;
    if (ddb_stream_sequence_parse(text, size, &seq)) {
        char back[DDB_SEQUENCE_TEXT_MAX];
        ddb_stream_sequence_format(seq, back);
        if (strlen(back) != size || memcmp(back, text, size) != 0)
            abort();
    }
    return 0;
}
