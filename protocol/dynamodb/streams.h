/* protocol/dynamodb streams: DynamoDB Streams on the wire — the names
 * its API gives what storage keeps (storage/dynamodb/streams.c) — pure.
 *
 *   stream ARN       arn:aws:dynamodb:<region>:<account>:table/<name>/
 *                    stream/<label>, the label being the time the stream
 *                    was enabled ("2024-01-02T03:04:05.678")
 *   shard id         shardId-<20 digits: the stream's creation time in
 *                    ms>-<8 hex digits of its number>: one shard per
 *                    stream, so this names the stream's only shard
 *   sequence number  storage's sequence number (an int64 that grows
 *                    across every stream) plus 10^20, in decimal: 21
 *                    digits, no leading zero, so clients that compare
 *                    them as big integers (the SDKs do) see the order
 *   shard iterator   "<stream ARN>|1|<base64>": the stream's number, the
 *                    position (records after this sequence number), the
 *                    time it was issued (it expires 15 minutes later, as
 *                    AWS's do) and a check value, so a mangled iterator
 *                    is refused rather than read somewhere else
 *   record           the JSON of one stream record, as GetRecords answers
 *                    it, or as the Lambda event of a stream mapping has
 *                    it (with eventSourceARN; userIdentity's members
 *                    lower-case as AWS's event documents them) */
#ifndef CLOUDLESS_PROTOCOL_DYNAMODB_STREAMS_H
#define CLOUDLESS_PROTOCOL_DYNAMODB_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"

/* AWS's retention of stream records, and the life of a shard iterator. */
#define DDB_STREAM_RETENTION_MS (24LL * 60 * 60 * 1000)
#define DDB_ITERATOR_LIFETIME_MS (15LL * 60 * 1000)
/* GetRecords: at most 1000 records, and it stops after 1 MB. */
#define DDB_GET_RECORDS_MAX 1000
#define DDB_GET_RECORDS_BYTES (1024 * 1024)

#define DDB_STREAM_LABEL_MAX 32
#define DDB_SHARD_ID_LEN 37        /* "shardId-" + 20 digits + "-" + 8 hex */
#define DDB_SEQUENCE_TEXT_MAX 41   /* 40 digits at most, and the NUL */

/* One record as storage keeps it. Strings point into the reader's row. */
struct ddb_stream_record {
    int64_t seq;                   /* sequence number: increases across every stream */
    const char *event;             /* "INSERT", "MODIFY", "REMOVE" */
    int64_t created_ms;
    const char *keys;              /* JSON map of AttributeValues */
    size_t keys_len;
    const char *new_image, *old_image;  /* JSON maps, NULL when the view type leaves them out */
    size_t new_len, old_len;
    int64_t size;                  /* SizeBytes */
    bool ttl_removal;              /* removed by time to live: principal dynamodb.amazonaws.com */
};

/* ---- names ------------------------------------------------------------------------ */

struct ddb_stream_arn {
    char region[40];
    char account[13];
    char table[256];
    char label[DDB_STREAM_LABEL_MAX];
};

/* Parses a stream ARN; false when it is not one. */
bool ddb_stream_arn_parse(const char *arn, size_t len, struct ddb_stream_arn *out);
void ddb_stream_arn_format(struct strbuf *out, const char *region, const char *account, const char *table,
                           const char *label);

/* The shard id of stream `stream_id` created at created_ms. */
void ddb_stream_shard_id(int64_t stream_id, int64_t created_ms, char out[DDB_SHARD_ID_LEN + 1]);

void ddb_stream_sequence_format(int64_t seq, char out[DDB_SEQUENCE_TEXT_MAX]);
/* A SequenceNumber as the API takes it: decimal digits of a number this
 * format can hold (false otherwise); 0 and below is none of ours. */
bool ddb_stream_sequence_parse(const char *text, size_t len, int64_t *seq);

/* ---- shard iterators ------------------------------------------------------------- */

struct ddb_shard_iterator {
    int64_t stream_id;
    int64_t after_seq;             /* the records after this sequence number */
    int64_t issued_ms;
};

void ddb_shard_iterator_encode(struct strbuf *out, const char *stream_arn, const struct ddb_shard_iterator *it);
/* Decodes an iterator: its stream ARN (parsed) and position. false when
 * the text is no iterator of ours (mangled, truncated, another format). */
bool ddb_shard_iterator_decode(const char *text, size_t len, struct ddb_stream_arn *arn,
                               struct ddb_shard_iterator *out);

/* ---- records ---------------------------------------------------------------------- */

/* How a record is written: for GetRecords, or for a Lambda event (with
 * the stream's ARN as eventSourceARN). */
struct ddb_stream_record_context {
    const char *region;
    const char *view_type;         /* the stream's StreamViewType */
    int64_t stream_id;             /* with seq, makes the record's eventID */
    const char *event_source_arn;  /* non-NULL: the Lambda event's shape */
};

/* Writes one record as an element of w's open array. The images are
 * stored JSON, written as they are. */
void ddb_stream_record_write(struct json_writer *w, const struct ddb_stream_record_context *ctx,
                             const struct ddb_stream_record *r);

#endif
