/* http_types: header lookup over a parsed request view. */
#include "protocol/core/http_view.h"

#include <string.h>

const char *http_view_header(const struct http_request_view *req, const char *lname)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcmp(req->headers[i].name, lname) == 0)
            return req->headers[i].value;
    return NULL;
}
