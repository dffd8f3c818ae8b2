/* log: see log.h. Each message is formatted into one buffer and written with
 * a single write() so lines from threads never interleave. */
#include "server/core/log.h"

#include "protocol/core/dates.h"
#include "storage/core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static enum log_level current_level = LOG_INFO;

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

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const tags[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (!log_enabled(level))
        return;
    char line[2048];
    char stamp[32];
    date_iso8601(clock_real_ms(), stamp);
    int n = snprintf(line, sizeof(line), "%s %s ", stamp, tags[level]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
