/* persist: the SQS engine's durable change records <-> SQLite rows (the
 * tables of storage/sqs_schema.c).
 *
 * sqs_persist_apply() runs on the store's commit thread, inside the group
 * commit (from a store_submit() apply callback), with the writer handle; it
 * keeps its prepared statements in `struct sqs_persist` (prepared on first
 * use, finalized when the store closes its writer connection).
 * sqs_persist_load() runs once at start-up on the loop thread's read-only
 * connection and rebuilds the engine: queues first, then messages in seq
 * order. */
#ifndef CLOUDLESS_STORAGE_SQS_PERSIST_H
#define CLOUDLESS_STORAGE_SQS_PERSIST_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "storage/sqs/sqs_engine.h"

struct sqs_persist;

struct sqs_persist *sqs_persist_new(void);
/* Frees the struct only: its statements belong to the writer connection. */
void sqs_persist_free(struct sqs_persist *p);

/* Writes every record of `changes` in order. 0, or -1 (the caller's
 * savepoint undoes the partial work). */
int sqs_persist_apply(struct sqs_persist *p, sqlite3 *db, const struct sqs_changes *changes);

/* Loads every queue and message into `e`. Returns 0, or -1 with a one-line
 * reason in err. `loaded` receives the number of messages. */
int sqs_persist_load(sqlite3 *db, struct sqs_engine *e, int64_t now_ms, size_t *loaded,
                     char *err, size_t errlen);

#endif
