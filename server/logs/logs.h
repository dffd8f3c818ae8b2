/* logs: how the process creates CloudWatch Logs, how the dispatcher hands
 * it requests (the JSON 1.1 API, Logs_20140328.*: server/logs/service.c)
 * and the writer other services (Lambda) use to append log events
 * (server/logs/intake.c). */
#ifndef CLOUDLESS_LOGS_H
#define CLOUDLESS_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_req;
struct service_def;
struct server;
struct logs_service;

struct logs_service *logs_service_new(struct server *srv, char *err, size_t errlen);
/* Writes the events still buffered (before store_stop). */
void logs_service_flush(struct logs_service *ls);
void logs_service_free(struct logs_service *ls);

/* The service: X-Amz-Target Logs_20140328.* (protocol/logs/operations.h). */
extern const struct service_def logs_service_def;

/* Appends one event (copied) to group/stream, creating both when missing.
 * Events are buffered and committed in batches within ~50 ms; when more
 * than the buffer limit is pending, events are dropped (counted in the
 * server log). */
void logs_put(struct logs_service *ls, const char *account, const char *group, const char *stream,
              int64_t ts_ms, const char *msg, size_t len);
/* The same, and done(arg, ok) runs on the loop thread once the event is
 * durably stored (ok) or was dropped (false) — for writers that must know
 * (EventBridge's CloudWatch Logs targets). */
void logs_put_acked(struct logs_service *ls, const char *account, const char *group, const char *stream,
                    int64_t ts_ms, const char *msg, size_t len, void (*done)(void *arg, bool ok), void *arg);

#endif
