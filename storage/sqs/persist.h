/* persist: the SQS engine's durable change records <-> SQLite rows (the
 * tables of storage/sqs_schema.c).
 *
 * sqs_persist_apply() runs on the store's commit thread, inside the group
 * commit (from a store_submit() apply callback), with the writer; its
 * statements are cached on the connection. sqs_persist_load() runs once at
 * start-up on the loop thread's reader (store_reader()) and rebuilds the
 * engine: queues first, then messages in seq order. */
#ifndef CLOUDLESS_STORAGE_SQS_PERSIST_H
#define CLOUDLESS_STORAGE_SQS_PERSIST_H

#include <stddef.h>
#include <stdint.h>

#include "storage/sqs/sqs_engine.h"

struct store_conn;

/* Writes every record of `changes` in order. 0, or -1 (the caller's
 * savepoint undoes the partial work). */
int sqs_persist_apply(struct store_conn *writer, const struct sqs_changes *changes);

/* Loads every queue and message into `e`. Returns 0, or -1 with a one-line
 * reason in err. `loaded` receives the number of messages. */
int sqs_persist_load(struct store_conn *reader, struct sqs_engine *e, int64_t now_ms, size_t *loaded,
                     char *err, size_t errlen);

#endif
