/* protocol/lambda request: which Lambda operation a request is, from its
 * method, path and query alone, by the table of protocol/lambda/operations.h.
 *
 * A path template's literal segments must equal the request's, each
 * {Label} takes one non-empty segment (percent-decoded, '+' kept), and a
 * "?key=value" tail must be one of the query's parameters. The first
 * template that matches wins: one with such a tail is listed before the
 * same path without it (GetLayerVersionByArn before ListLayers). One '/'
 * ending the path is ignored, as older botocore
 * models end some request URIs with one. Pure: nothing is allocated but
 * the decoded labels. */
#ifndef CLOUDLESS_PROTOCOL_LAMBDA_REQUEST_H
#define CLOUDLESS_PROTOCOL_LAMBDA_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

enum lambda_route_kind {
    LAMBDA_ROUTE_SERVED,           /* an operation of LAMBDA_OPERATIONS */
    LAMBDA_ROUTE_NOT_IMPLEMENTED,  /* one of LAMBDA_NOT_IMPLEMENTED */
    LAMBDA_ROUTE_UNKNOWN,          /* no Lambda operation has this method and path */
};

#define LAMBDA_ROUTE_PARAMS_MAX 3

struct lambda_route_param {
    const char *name;              /* the label, in the template: "FunctionName}..." */
    size_t name_len;               /* its length: 12 */
    char *value;                   /* decoded, NUL-terminated (heap) */
};

struct lambda_route {
    enum lambda_route_kind kind;
    size_t op;                     /* SERVED: the index in LAMBDA_OPERATIONS */
    const char *name;              /* SERVED, NOT_IMPLEMENTED: AWS's operation name */
    struct lambda_route_param params[LAMBDA_ROUTE_PARAMS_MAX];
    size_t n_params;
};

/* Resolves method, path (raw, as received: still percent-encoded) and query
 * (raw, without '?'; may be NULL). 0 with *out filled (to be freed with
 * lambda_route_free whatever the kind), or -1 when out of memory. A label
 * that is not valid percent-encoding does not match. */
int lambda_route_resolve(const char *method, const char *path, const char *query, struct lambda_route *out);
/* The decoded value of label `name`, or NULL. */
const char *lambda_route_param(const struct lambda_route *route, const char *name);
void lambda_route_free(struct lambda_route *route);

/* Whether the path lies under a root of the table ("/2015-03-31/functions",
 * "/2018-10-31/layers", ...: the first two segments of a template), which
 * makes a request Lambda's rather than S3's. */
bool lambda_route_claims_path(const char *path);

#endif
