/* http_types: the parsed HTTP request as protocol/ code sees it. Built by
 * server/http_conn.c from the wire; header names are lower-cased, values
 * trimmed. No behaviour here. */
#ifndef CLOUDLESS_HTTP_TYPES_H
#define CLOUDLESS_HTTP_TYPES_H

#include <stddef.h>

struct http_header {
    char *name;     /* lower-case */
    char *value;    /* leading/trailing blanks removed */
};

struct http_request_view {
    const char *method;            /* "GET", "PUT", ... */
    const char *path;              /* raw, still percent-encoded, starts with '/' */
    const char *query;             /* raw query without '?', "" when none */
    const struct http_header *headers;
    size_t n_headers;
};

/* First header with this lower-case name, or NULL. */
const char *http_view_header(const struct http_request_view *req, const char *lname);

#endif
