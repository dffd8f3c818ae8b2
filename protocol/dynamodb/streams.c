/* protocol/dynamodb streams: the names, iterators and records of
 * DynamoDB Streams; see streams.h. */
#include "protocol/dynamodb/streams.h"

#include <stdio.h>
#include <string.h>

#include "protocol/auth/checksum.h"
#include "protocol/core/base64.h"
#include "protocol/core/hex.h"

#define ITERATOR_VERSION "|1|"
#define ITERATOR_BYTES 32          /* stream, position, issued, check: 8 bytes each */

/* ---- names ------------------------------------------------------------------------ */

bool ddb_stream_arn_parse(const char *arn, size_t len, struct ddb_stream_arn *out)
{
    static const char prefix[] = "arn:aws:dynamodb:", table_part[] = ":table/", stream_part[] = "/stream/";
    const char *end = arn + len;
    if (len < sizeof(prefix) - 1 || memcmp(arn, prefix, sizeof(prefix) - 1) != 0 || memchr(arn, '\0', len))
        return false;
    const char *region = arn + sizeof(prefix) - 1;
    const char *colon = memchr(region, ':', (size_t)(end - region));
    if (!colon || colon == region || (size_t)(colon - region) >= sizeof(out->region))
        return false;
    const char *account = colon + 1;
    const char *table = account;
    while (table < end && *table >= '0' && *table <= '9')
        table++;
    if (table - account != 12 || (size_t)(end - table) < sizeof(table_part) - 1 ||
        memcmp(table, table_part, sizeof(table_part) - 1) != 0)
        return false;
    table += sizeof(table_part) - 1;
    const char *slash = memchr(table, '/', (size_t)(end - table));
    if (!slash || slash - table < 3 || slash - table > 255 || (size_t)(end - slash) <= sizeof(stream_part) - 1 ||
        memcmp(slash, stream_part, sizeof(stream_part) - 1) != 0)
        return false;
    for (const char *p = table; p < slash; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              *p == '-' || *p == '.'))
            return false;
    const char *label = slash + sizeof(stream_part) - 1;
    if ((size_t)(end - label) >= sizeof(out->label) || memchr(label, '/', (size_t)(end - label)))
        return false;
    snprintf(out->region, sizeof(out->region), "%.*s", (int)(colon - region), region);
    snprintf(out->account, sizeof(out->account), "%.12s", account);
    snprintf(out->table, sizeof(out->table), "%.*s", (int)(slash - table), table);
    snprintf(out->label, sizeof(out->label), "%.*s", (int)(end - label), label);
    return true;
}

void ddb_stream_arn_format(struct strbuf *out, const char *region, const char *account, const char *table,
                           const char *label)
{
    strbuf_printf(out, "arn:aws:dynamodb:%s:%s:table/%s/stream/%s", region, account, table, label);
}

void ddb_stream_shard_id(int64_t stream_id, int64_t created_ms, char out[DDB_SHARD_ID_LEN + 1])
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)((uint64_t)stream_id >> (8 * i))) * 16777619u;
    snprintf(out, DDB_SHARD_ID_LEN + 1, "shardId-%020lld-%08x", (long long)(created_ms < 0 ? 0 : created_ms),
             (unsigned)h);
}

void ddb_stream_sequence_format(int64_t seq, char out[DDB_SEQUENCE_TEXT_MAX])
{
    /* 10^20 + seq: an int64 is below 10^19, so "1" and its 20 digits. */
    snprintf(out, DDB_SEQUENCE_TEXT_MAX, "1%020lld", (long long)(seq < 0 ? 0 : seq));
}

bool ddb_stream_sequence_parse(const char *text, size_t len, int64_t *seq)
{
    /* "1" then 20 digits holding storage's number (which never nears 10^19). */
    if (len != 21 || text[0] != '1')
        return false;
    uint64_t v = 0;
    for (size_t i = 1; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(text[i] - '0');
    }
    if (v > INT64_MAX)
        return false;
    *seq = (int64_t)v;
    return true;
}

/* ---- shard iterators ------------------------------------------------------------- */

static void put64(unsigned char *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)v >> (56 - 8 * i));
}

static int64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

/* The check value: 8 bytes of SHA-256 over the ARN and the fields. */
static void iterator_check(const char *arn, size_t arn_len, const unsigned char fields[24], unsigned char out[8])
{
    struct checksum_ctx ctx;
    unsigned char digest[CHECKSUM_MAX_DIGEST];
    memset(digest, 0, sizeof(digest));
    if (checksum_init(&ctx, CHECKSUM_SHA256) == 0) {
        checksum_update(&ctx, arn, arn_len);
        checksum_update(&ctx, fields, 24);
        checksum_final(&ctx, digest);
    }
    memcpy(out, digest, 8);
}

void ddb_shard_iterator_encode(struct strbuf *out, const char *stream_arn, const struct ddb_shard_iterator *it)
{
    unsigned char raw[ITERATOR_BYTES];
    put64(raw, it->stream_id);
    put64(raw + 8, it->after_seq);
    put64(raw + 16, it->issued_ms);
    iterator_check(stream_arn, strlen(stream_arn), raw, raw + 24);
    strbuf_puts(out, stream_arn);
    strbuf_puts(out, ITERATOR_VERSION);
    base64_append(out, raw, sizeof(raw));
}

bool ddb_shard_iterator_decode(const char *text, size_t len, struct ddb_stream_arn *arn,
                               struct ddb_shard_iterator *out)
{
    const char *bar = memchr(text, '|', len);
    if (!bar || (size_t)(text + len - bar) != sizeof(ITERATOR_VERSION) - 1 + BASE64_ENCODED_SIZE(ITERATOR_BYTES) - 1 ||
        memcmp(bar, ITERATOR_VERSION, sizeof(ITERATOR_VERSION) - 1) != 0)
        return false;
    size_t arn_len = (size_t)(bar - text);
    if (!ddb_stream_arn_parse(text, arn_len, arn))
        return false;
    const char *b64 = bar + sizeof(ITERATOR_VERSION) - 1;
    size_t b64_len = (size_t)(text + len - b64);
    unsigned char raw[ITERATOR_BYTES + 3], check[8];
    if (!base64_is_canonical(b64, b64_len) || base64_decode_strict(b64, b64_len, raw, sizeof(raw)) != ITERATOR_BYTES)
        return false;
    iterator_check(text, arn_len, raw, check);
    if (memcmp(check, raw + 24, 8) != 0)
        return false;
    out->stream_id = get64(raw);
    out->after_seq = get64(raw + 8);
    out->issued_ms = get64(raw + 16);
    return out->stream_id > 0 && out->after_seq >= 0;
}

/* ---- records ---------------------------------------------------------------------- */

/* A record's eventID: 32 hex digits that name it (MD5 of stream and
 * sequence number), the same however often it is read. */
static void event_id(int64_t stream_id, int64_t seq, char out[33])
{
    char text[48];
    unsigned char md5[16];
    int n = snprintf(text, sizeof(text), "%lld:%lld", (long long)stream_id, (long long)seq);
    checksum_md5(text, (size_t)n, md5);
    hex_encode(md5, sizeof(md5), out);
    out[32] = '\0';
}

void ddb_stream_record_write(struct json_writer *w, const struct ddb_stream_record_context *ctx,
                             const struct ddb_stream_record *r)
{
    char id[33], seq[DDB_SEQUENCE_TEXT_MAX], created[24];
    bool lambda = ctx->event_source_arn != NULL;
    event_id(ctx->stream_id, r->seq, id);
    ddb_stream_sequence_format(r->seq, seq);
    jw_object_open(w, NULL);
    jw_string(w, "eventID", id);
    jw_string(w, "eventName", r->event);
    jw_string(w, "eventVersion", "1.1");
    jw_string(w, "eventSource", "aws:dynamodb");
    jw_string(w, "awsRegion", ctx->region);
    jw_object_open(w, "dynamodb");
    /* Seconds, rounded down, as AWS documents it. */
    int n = snprintf(created, sizeof(created), "%lld", (long long)(r->created_ms / 1000));
    jw_raw(w, "ApproximateCreationDateTime", created, (size_t)n);
    jw_raw(w, "Keys", r->keys, r->keys_len);
    if (r->new_image)
        jw_raw(w, "NewImage", r->new_image, r->new_len);
    if (r->old_image)
        jw_raw(w, "OldImage", r->old_image, r->old_len);
    jw_string(w, "SequenceNumber", seq);
    jw_int(w, "SizeBytes", r->size);
    jw_string(w, "StreamViewType", ctx->view_type);
    jw_object_close(w);
    if (lambda)
        jw_string(w, "eventSourceARN", ctx->event_source_arn);
    if (r->ttl_removal) {
        jw_object_open(w, "userIdentity");
        jw_string(w, lambda ? "type" : "Type", "Service");
        jw_string(w, lambda ? "principalId" : "PrincipalId", "dynamodb.amazonaws.com");
        jw_object_close(w);
    }
    jw_object_close(w);
}
