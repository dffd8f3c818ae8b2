/* protocol/scheduler route: the router of EventBridge Scheduler's REST
 * API, pure. A request's method and path select one operation of
 * protocol/scheduler/operations.h (its index in that table); a "{Name}" or
 * "{ResourceArn}" segment of the route captures the request's segment,
 * percent-decoded ("/tags/arn%3Aaws%3Ascheduler..." gives the ARN with its
 * ':' and '/'). The query string is not part of the path handed in. */
#ifndef CLOUDLESS_PROTOCOL_SCHEDULER_ROUTE_H
#define CLOUDLESS_PROTOCOL_SCHEDULER_ROUTE_H

#include <stddef.h>

/* The longest captured segment: ResourceArn is at most 1011 bytes. */
#define SCHEDULER_PARAM_MAX 2048

enum scheduler_route_result {
    SCHEDULER_ROUTE_OK,
    SCHEDULER_ROUTE_NO_PATH,       /* no route has this path */
    SCHEDULER_ROUTE_NO_METHOD,     /* the path is a route's, not with this method */
    SCHEDULER_ROUTE_BAD_PARAM,     /* the captured segment is empty, too long or badly encoded */
};

struct scheduler_route {
    int op;                        /* index in SCHEDULER_OPERATIONS */
    char param[SCHEDULER_PARAM_MAX + 1];   /* the captured segment, decoded ("" when none) */
    size_t param_len;
};

enum scheduler_route_result scheduler_route(const char *method, const char *path, size_t path_len,
                                            struct scheduler_route *out);

/* The number of operations, and the name of one. */
size_t scheduler_op_count(void);
const char *scheduler_op_name(int op);

#endif
