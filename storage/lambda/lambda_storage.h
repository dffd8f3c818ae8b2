/* lambda_storage: what Lambda keeps durably, behind typed functions; every
 * SQL statement over the Lambda tables is in storage/lambda/ and nowhere
 * else.
 *
 *   storage/lambda/functions.c  functions: one JSON document per (account, name)
 *   storage/lambda/async.c      accepted asynchronous invocations and their attempts
 *   storage/lambda/esm.c        event source mappings: one JSON document per UUID,
 *                               a stream mapping's position (and their tables' schema)
 *   storage/lambda/schema.c     the lambda_functions and lambda_events tables
 *
 * Writes take the writer connection a store_submit() apply callback is
 * given (the commit thread, inside the group commit); loads take the loop
 * thread's reader (store_reader()) at start-up. Statements are prepared once
 * per connection (db_stmt). A document's contents are the server's
 * (server/lambda/store.c for functions, server/lambda/esm.c for mappings):
 * storage keeps it whole and gives it back as written.
 *
 * A load calls `each` once per row, in a stable order; `each` returns 0 to
 * go on, or -1 when it ran out of memory, which ends the load with
 * LAMBDA_STORAGE_NO_MEMORY. The strings it is given live until it returns. */
#ifndef CLOUDLESS_STORAGE_LAMBDA_STORAGE_H
#define CLOUDLESS_STORAGE_LAMBDA_STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct store_conn;

/* How a storage call went. */
enum lambda_storage_err {
    LAMBDA_STORAGE_OK = 0,
    LAMBDA_STORAGE_DB,             /* SQLite failed (I/O error, disk full, ...) */
    LAMBDA_STORAGE_NO_MEMORY,
};

/* ---- functions (storage/lambda/functions.c) -------------------------------- */

/* Writes the function's document, replacing the one it had. */
enum lambda_storage_err lambda_functions_put(struct store_conn *writer, const char *account,
                                             const char *name, const char *doc);
/* Removes the function's row (nothing to remove is no error). */
enum lambda_storage_err lambda_functions_delete(struct store_conn *writer, const char *account,
                                                const char *name);
/* Every function, by account and name. err: a one-line reason on failure. */
enum lambda_storage_err lambda_functions_load(struct store_conn *reader,
                                              int (*each)(void *arg, const char *account,
                                                          const char *name, const char *doc),
                                              void *arg, char *err, size_t errlen);

/* ---- asynchronous invocations (storage/lambda/async.c) ---------------------- */

/* One accepted asynchronous invocation: a row of lambda_events from the
 * 202 until it succeeded, went to its destination or was dropped. */
struct lambda_event_row {
    int64_t id;
    const char *account;
    const char *function;          /* the function's name */
    const char *qualifier;         /* "" when unqualified */
    const char *request_id;
    const void *payload;
    size_t len;
    int attempts;                  /* invocations made so far */
    int64_t created_ms;
    int64_t next_ms;               /* when the next attempt is due */
};

enum lambda_storage_err lambda_events_insert(struct store_conn *writer, const struct lambda_event_row *row);
/* After a failed attempt: the attempts made and when the next one is due. */
enum lambda_storage_err lambda_events_reschedule(struct store_conn *writer, int64_t id, int attempts,
                                                 int64_t next_ms);
enum lambda_storage_err lambda_events_delete(struct store_conn *writer, int64_t id);
/* Every queued event, newest (highest id) first. */
enum lambda_storage_err lambda_events_load(struct store_conn *reader,
                                           int (*each)(void *arg, const struct lambda_event_row *row),
                                           void *arg, char *err, size_t errlen);

/* ---- event source mappings (storage/lambda/esm.c) --------------------------- */

/* Writes the mapping's document; an update keeps the row (and so the
 * mapping's place in creation order). */
enum lambda_storage_err lambda_mappings_put(struct store_conn *writer, const char *uuid,
                                            const char *account, const char *doc);
enum lambda_storage_err lambda_mappings_delete(struct store_conn *writer, const char *uuid,
                                               const char *account);
/* Every mapping, in creation order. */
enum lambda_storage_err lambda_mappings_load(struct store_conn *reader,
                                             int (*each)(void *arg, const char *uuid,
                                                         const char *account, const char *doc),
                                             void *arg, char *err, size_t errlen);
/* A stream mapping's position: the sequence number of the last record it
 * is done with (deleted with the mapping). */
enum lambda_storage_err lambda_mapping_position_put(struct store_conn *writer, const char *uuid, int64_t position);
/* Every position (each(arg, uuid, position)). */
enum lambda_storage_err lambda_mapping_positions_load(struct store_conn *reader,
                                                      int (*each)(void *arg, const char *uuid, int64_t position),
                                                      void *arg, char *err, size_t errlen);

#endif
