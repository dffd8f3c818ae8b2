/* events_zones: the time zones of EventBridge Scheduler's
 * ScheduleExpressionTimezone, from the tz database's compiled files
 * (/usr/share/zoneinfo, Debian's tzdata package; TZDIR overrides it),
 * parsed by protocol/events/tzif.c and kept once loaded.
 *
 * A zone name is an IANA name ("America/New_York", "Etc/GMT+5", "UTC"):
 * letters, digits, '_', '+', '-' and '/' between parts, never "." or "..",
 * at most 50 bytes (the API's limit), so it can only name a file under
 * the database's directory. Files above 1 MiB are refused. */
#include "server/events/events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/events/tzif.h"
#include "server/core/log.h"

#define ZONE_NAME_MAX 50
#define ZONE_FILE_MAX (1024 * 1024)

struct zone {
    struct zone *next;
    char name[ZONE_NAME_MAX + 1];
    struct events_tzif *tzif;
    struct events_zone zone;
};

struct events_zones {
    struct zone *zones;
};

struct events_zones *events_zones_new(void) { return calloc(1, sizeof(struct events_zones)); }

void events_zones_free(struct events_zones *z)
{
    if (!z)
        return;
    while (z->zones) {
        struct zone *next = z->zones->next;
        events_tzif_free(z->zones->tzif);
        free(z->zones);
        z->zones = next;
    }
    free(z);
}

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > ZONE_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
        return false;
    for (const char *p = name; *p; p++) {
        char ch = *p;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                  ch == '+' || ch == '-' || ch == '/';
        if (!ok || (ch == '/' && p[1] == '/'))
            return false;
    }
    return true;
}

static bool tzif_offset(void *ctx, int64_t utc, int32_t *offset)
{
    *offset = events_tzif_offset(ctx, utc);
    return true;
}

/* The file's bytes (malloc'd) in *data, or NULL. */
static unsigned char *read_zone_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    unsigned char *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= ZONE_FILE_MAX &&
        (data = malloc((size_t)st.st_size))) {
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t r = read(fd, data + got, (size_t)st.st_size - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += (size_t)r;
        }
        if (got != (size_t)st.st_size) {
            free(data);
            data = NULL;
        }
        *len = got;
    }
    close(fd);
    return data;
}

const struct events_zone *events_zone_get(struct events_service *es, const char *name)
{
    struct events_zones *zones = es->zones;
    if (!name || !name_ok(name))
        return NULL;
    for (struct zone *z = zones->zones; z; z = z->next)
        if (strcmp(z->name, name) == 0)
            return &z->zone;
    const char *dir = getenv("TZDIR");
    char path[4200];
    snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    size_t len = 0;
    unsigned char *data = read_zone_file(path, &len);
    if (!data)
        return NULL;
    struct events_tzif *tzif = NULL;
    enum events_tzif_result rc = events_tzif_parse(data, len, &tzif);
    free(data);
    if (rc != EVENTS_TZIF_OK) {
        if (rc == EVENTS_TZIF_INVALID)
            log_warn("scheduler: %s is not a valid tz database file", path);
        return NULL;
    }
    struct zone *z = calloc(1, sizeof(*z));
    if (!z) {
        events_tzif_free(tzif);
        return NULL;
    }
    snprintf(z->name, sizeof(z->name), "%s", name);
    z->tzif = tzif;
    z->zone.utc_offset = tzif_offset;
    z->zone.ctx = tzif;
    z->next = zones->zones;
    zones->zones = z;
    return &z->zone;
}
