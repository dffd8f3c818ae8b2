/* status: health, info and init-hook state endpoints (/_cloudless/health,
 * /_localstack/health, /_localstack/info, /_localstack/init); see
 * status.c. */
#ifndef CLOUDLESS_SERVER_STATUS_H
#define CLOUDLESS_SERVER_STATUS_H

#include <stdbool.h>

struct http_req;

/* Answers the request when it is one of these endpoints; false otherwise. */
bool status_handle(struct http_req *req);

#endif
