/* sqs_schema: the SQS tables, as an ordered list of schema steps (see
 * db_migrate in db.c). A change to the SQS schema is a new step at the end;
 * steps already released never change.
 *
 * The tables mirror the queue engine's durable change records
 * (storage/sqs/sqs_engine.h) and are written by storage/sqs/persist.c:
 * a queue row per queue (settable attributes and tags packed as
 * "key\0value\0" pairs), a message row per message keyed by the engine's
 * seq, which only grows, so inserts append to the table's last leaf and
 * the (queue_id, seq) index used by purge and queue deletion does too. */
#include "storage/core/store_internal.h"

static const struct schema_step steps[] = {
    {"queues-messages",
        "CREATE TABLE sqs_queues("
        "  id INTEGER PRIMARY KEY,"
        "  account TEXT NOT NULL,"
        "  name TEXT NOT NULL,"
        "  created_ms INTEGER NOT NULL,"
        "  modified_ms INTEGER NOT NULL,"
        "  last_purge_ms INTEGER NOT NULL,"
        "  attrs BLOB NOT NULL,"
        "  tags BLOB NOT NULL"
        ");"
        "CREATE TABLE sqs_messages("
        "  seq INTEGER PRIMARY KEY,"
        "  queue_id INTEGER NOT NULL,"
        "  message_id TEXT NOT NULL,"
        "  sequence_number TEXT NOT NULL,"
        "  body BLOB NOT NULL,"
        "  attrs BLOB,"
        "  group_id TEXT, dedup_id TEXT, sender_id TEXT, trace_header TEXT, dlq_source_arn TEXT,"
        "  sent_ms INTEGER NOT NULL,"
        "  first_receive_ms INTEGER NOT NULL,"
        "  visible_at_ms INTEGER NOT NULL,"
        "  receive_count INTEGER NOT NULL,"
        "  receipt_nonce INTEGER NOT NULL"
        ");"
        "CREATE INDEX sqs_messages_by_queue ON sqs_messages(queue_id, seq);"},
};

const struct schema_module sqs_schema = {"sqs", steps, sizeof(steps) / sizeof(steps[0])};
