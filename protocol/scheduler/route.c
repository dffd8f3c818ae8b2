/* protocol/scheduler route: see route.h. The table's routes are matched in
 * order, segment by segment: a literal segment must be equal, a "{...}"
 * segment takes one whole segment of the path. The first route whose path
 * matches and whose method is the request's wins; a path that only other
 * methods have is told apart (NO_METHOD) from one no route has. */
#include "protocol/scheduler/route.h"

#include <string.h>

#include "protocol/core/percent.h"
#include "protocol/scheduler/operations.h"

struct route {
    const char *name, *method, *path;
};

#define SCHEDULER_ROUTE(name, method, path, family, action, handler) {#name, method, path},
static const struct route routes[] = {SCHEDULER_OPERATIONS(SCHEDULER_ROUTE)};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

size_t scheduler_op_count(void) { return N_ROUTES; }

const char *scheduler_op_name(int op)
{
    return op >= 0 && (size_t)op < N_ROUTES ? routes[op].name : NULL;
}

/* Whether path[0..len) has the route's shape; the captured segment's
 * bounds go to *seg / *seg_len (NULL when the route captures none). */
static bool path_matches(const char *pattern, const char *path, size_t len, const char **seg, size_t *seg_len)
{
    *seg = NULL;
    *seg_len = 0;
    size_t i = 0;
    const char *p = pattern;
    while (*p) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t start = i;
            while (i < len && path[i] != '/')
                i++;
            *seg = path + start;
            *seg_len = i - start;
            p = close ? close + 1 : p + strlen(p);
            continue;
        }
        if (i >= len || path[i] != *p)
            return false;
        i++;
        p++;
    }
    return i == len;
}

enum scheduler_route_result scheduler_route(const char *method, const char *path, size_t path_len,
                                            struct scheduler_route *out)
{
    out->op = -1;
    out->param[0] = '\0';
    out->param_len = 0;
    bool path_known = false;
    for (size_t r = 0; r < N_ROUTES; r++) {
        const char *seg;
        size_t seg_len;
        if (!path_matches(routes[r].path, path, path_len, &seg, &seg_len))
            continue;
        path_known = true;
        if (strcmp(routes[r].method, method) != 0)
            continue;
        out->op = (int)r;
        if (!seg)
            return SCHEDULER_ROUTE_OK;
        if (seg_len == 0 || seg_len > SCHEDULER_PARAM_MAX)
            return SCHEDULER_ROUTE_BAD_PARAM;
        long n = percent_decode_into(seg, seg_len, out->param, 0);
        if (n <= 0)
            return SCHEDULER_ROUTE_BAD_PARAM;
        out->param_len = (size_t)n;
        return SCHEDULER_ROUTE_OK;
    }
    return path_known ? SCHEDULER_ROUTE_NO_METHOD : SCHEDULER_ROUTE_NO_PATH;
}
