/* fuzz_lambda_request: routing Lambda requests (protocol/lambda). The input
 * is "METHOD PATH?QUERY": up to the first space the method, then the path
 * up to the first '?', then the query; every label the router decodes is
 * read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/lambda/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *path = strchr(copy, ' ');
    if (path)
        *path++ = '\0';
    else
        path = copy + strlen(copy);
    char *query = strchr(path, '?');
    if (query)
        *query++ = '\0';
    struct lambda_route r;
    if (lambda_route_resolve(copy, path, query, &r) == 0) {
        for (size_t i = 0; i < r.n_params; i++)
            if (strlen(r.params[i].value) > size)
                abort();
        lambda_route_free(&r);
    }
    lambda_route_claims_path(path);
    free(copy);
    return 0;
}
