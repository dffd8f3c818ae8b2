/* clock_control: the /_cloudless/clock admin endpoint (clock_control.c). */
#ifndef CLOUDLESS_CLOCK_CONTROL_H
#define CLOUDLESS_CLOCK_CONTROL_H

#include <stdbool.h>

struct http_req;

/* Answers the request when it is for /_cloudless/clock; false otherwise. */
bool clock_control_handle(struct http_req *req);

#endif
