/* log: see log.h. Each message is formatted into one buffer and written with
 * a single write() so lines from threads never interleave. Request-log
 * lines (loop thread) are appended to a buffer instead, which a timer
 * writes REQUEST_LOG_DELAY_MS after its first line (or at once when it is
 * full, and at shutdown): at 20,000 requests a second, a hundred write()s
 * instead of one per loop turn, which at one connection was one per request
 * and the only system call a GET made beyond its socket's. Any other
 * message, from any thread, writes the buffer before itself under the same
 * lock, so lines keep their order. */
#include "server/core/log.h"

#include "protocol/core/dates.h"
#include "storage/core/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#define LINE_MAX_BYTES 2048
#define PENDING_MAX (64 * 1024)
#define REQUEST_LOG_DELAY_MS 10

static enum log_level current_level = LOG_INFO;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char pending[PENDING_MAX];
static size_t pending_len;
static struct event *flush_event;
static bool flush_scheduled;

void log_set_level(enum log_level level) { current_level = level; }

int log_level_from_name(const char *name)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

int log_enabled(enum log_level level) { return level >= current_level; }

static void write_all(const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, data, len);
        if (w <= 0)
            return;                /* stderr is gone: nothing better to do */
        data += w;
        len -= (size_t)w;
    }
}

static void flush_locked(void)
{
    write_all(pending, pending_len);
    pending_len = 0;
}

/* "2026-12-07T17:26:01.123Z" for now, the date formatted once a second
 * per thread and the milliseconds written in. */
static void timestamp(char out[32])
{
    static _Thread_local int64_t second = -1;
    static _Thread_local char stamp[32];
    int64_t ms = clock_real_ms();     /* the machine's: a moved clock does not skew the log */
    if (ms / 1000 != second) {
        second = ms / 1000;
        date_iso8601(second * 1000, stamp);
    }
    memcpy(out, stamp, 32);
    int frac = (int)(ms % 1000);
    out[20] = (char)('0' + frac / 100);
    out[21] = (char)('0' + frac / 10 % 10);
    out[22] = (char)('0' + frac % 10);
}

/* "<time> <LEVEL> <message>\n" into line; its length. */
static size_t format_line(char line[LINE_MAX_BYTES], enum log_level level, const char *fmt, va_list ap)
{
    static const char *const tags[] = {"DEBUG ", "INFO ", "WARN ", "ERROR "};
    char stamp[32];
    timestamp(stamp);
    size_t tag_len = strlen(tags[level]);
    memcpy(line, stamp, 24);
    line[24] = ' ';
    memcpy(line + 25, tags[level], tag_len);
    int n = (int)(25 + tag_len);
    int m = vsnprintf(line + n, LINE_MAX_BYTES - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > LINE_MAX_BYTES - 2)
        len = LINE_MAX_BYTES - 2;
    line[len++] = '\n';
    return len;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (!log_enabled(level))
        return;
    char line[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_line(line, level, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&mu);
    flush_locked();
    write_all(line, len);
    pthread_mutex_unlock(&mu);
}

void log_flush(void)
{
    pthread_mutex_lock(&mu);
    flush_locked();
    flush_scheduled = false;
    pthread_mutex_unlock(&mu);
}

static void on_flush(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    log_flush();
}

void log_set_event_base(struct event_base *base)
{
    log_flush();
    if (flush_event) {
        event_free(flush_event);
        flush_event = NULL;
    }
    if (base)
        flush_event = event_new(base, -1, 0, on_flush, NULL);
}

void log_request(const char *fmt, ...)
{
    if (!log_enabled(LOG_INFO))
        return;
    char line[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    size_t len = format_line(line, LOG_INFO, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&mu);
    if (!flush_event) {
        flush_locked();
        write_all(line, len);
    } else {
        if (pending_len + len > sizeof(pending))
            flush_locked();
        memcpy(pending + pending_len, line, len);
        pending_len += len;
        if (!flush_scheduled) {
            static const struct timeval delay = {0, REQUEST_LOG_DELAY_MS * 1000};
            flush_scheduled = event_add(flush_event, &delay) == 0;
            if (!flush_scheduled)
                flush_locked();
        }
    }
    pthread_mutex_unlock(&mu);
}
