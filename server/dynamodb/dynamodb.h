/* dynamodb: how the process creates Amazon DynamoDB, how the dispatcher
 * hands it requests (JSON 1.0, X-Amz-Target DynamoDB_20120810.* and
 * DynamoDBStreams_20120810.*: server/dynamodb/service.c), and how other
 * services read its streams inside the process (server/dynamodb/
 * streams.c). */
#ifndef CLOUDLESS_DYNAMODB_H
#define CLOUDLESS_DYNAMODB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/dynamodb/streams.h"

struct server;
struct service_def;
struct ddb_service;

/* Loads nothing eagerly: tables are read when first used. Resumes the
 * work a previous run left (purges of deleted tables, index backfills). */
struct ddb_service *ddb_service_new(struct server *srv, char *err, size_t errlen);
void ddb_service_free(struct ddb_service *ds);

/* The services: X-Amz-Target DynamoDB_20120810.* and
 * DynamoDBStreams_20120810.* (protocol/dynamodb/operations.h). */
extern const struct service_def ddb_service_def;
extern const struct service_def ddb_streams_service_def;

/* ---- streams, for other services (Lambda's stream event source mappings) ---- */

/* A stream as a consumer sees it. */
struct ddb_stream_source {
    int64_t stream_id;             /* changes when the ARN names a newer stream */
    int64_t created_ms;            /* with stream_id, names its shard (ddb_stream_shard_id) */
    char view_type[24];
    bool disabled;                 /* its shard is closed: no more records come */
    int64_t trimmed_seq;           /* records up to this sequence number are gone */
    int64_t last_seq;              /* its last record's sequence number (0: none yet) */
};
/* The stream a stream ARN names; false when there is none (or the store
 * cannot be read: logged). */
bool ddb_stream_find_internal(struct ddb_service *ds, const char *stream_arn, struct ddb_stream_source *out);
/* Visits the stream's records after after_seq in order, at most limit,
 * until visit returns false. -1 when the store cannot be read. */
int ddb_stream_read_internal(struct ddb_service *ds, int64_t stream_id, int64_t after_seq, int64_t limit,
                             bool (*visit)(void *arg, const struct ddb_stream_record *r), void *arg);
/* Called on the loop thread (never from inside a DynamoDB call) when
 * records may have been appended to some stream; one listener, NULL
 * removes it. It must only schedule its reading. */
void ddb_set_stream_listener(struct ddb_service *ds, void (*fn)(void *arg), void *arg);

#endif
