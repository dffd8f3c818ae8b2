/* log: one-line, levelled log messages to stderr, with a UTC timestamp.
 * The level is set once at start-up from --log-level. */
#ifndef CLOUDLESS_LOG_H
#define CLOUDLESS_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
/* "debug", "info", "warn", "error" -> level; -1 if unknown. */
int log_level_from_name(const char *name);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The request log: one INFO line per request (loop thread). Lines are
 * buffered and written together once the loop given to
 * log_set_event_base() has run its current turn (directly while none is
 * set); any other message first writes what is buffered, so the order of
 * lines holds. */
void log_request(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct event_base;
/* The loop that flushes the request log; NULL stops deferring (before the
 * loop is freed). Either way what is buffered is written first. */
void log_set_event_base(struct event_base *base);
/* Writes what is buffered now. */
void log_flush(void);

#define log_debug(...) do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
