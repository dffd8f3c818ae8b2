/* protocol/lambda request: routing a request to a Lambda operation by the
 * table of operations.h; see request.h.
 *
 * The templates of both lists are tried in order and the first that
 * matches wins, so a template with a query condition is listed before the
 * same path without one (the unit tests check it). A candidate is matched
 * segment by segment without allocating: literal segments compare byte by
 * byte, a {Label} takes any non-empty segment and records where it is.
 * Only the chosen template's labels are percent-decoded. */
#include "protocol/lambda/request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/percent.h"
#include "protocol/lambda/operations.h"

struct route_template {
    const char *name;
    const char *method;
    const char *path;
};

#define SERVED_TEMPLATE(name, method, path, family, action, handler) {#name, method, path},
static const struct route_template served[] = {LAMBDA_OPERATIONS(SERVED_TEMPLATE)};
#define NOT_IMPLEMENTED_TEMPLATE(name, method, path) {#name, method, path},
static const struct route_template not_implemented[] = {LAMBDA_NOT_IMPLEMENTED(NOT_IMPLEMENTED_TEMPLATE)};

/* Where the labels of a matched template are in the request's path. */
struct label_span {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

struct candidate {
    const struct route_template *tpl;
    struct label_span labels[LAMBDA_ROUTE_PARAMS_MAX];
    size_t n_labels;
};

/* Whether the query carries `condition` ("key=value"): 1, 0, or -1 when
 * out of memory. */
static int query_has(const char *query, const char *condition)
{
    const char *eq = strchr(condition, '=');
    char key[32];
    size_t key_len = eq ? (size_t)(eq - condition) : 0;
    if (!eq || key_len >= sizeof(key) || !query)
        return 0;
    memcpy(key, condition, key_len);
    key[key_len] = '\0';
    bool present;
    char *value = query_param(query, key, &present);
    if (!value)
        return present && errno == ENOMEM ? -1 : 0;
    int has = strcmp(value, eq + 1) == 0;
    free(value);
    return has;
}

/* Matches path[0..len) (no trailing '/') against the template's path part,
 * recording its labels in c. Byte by byte, so that most templates are
 * refused at their first differing byte. */
static bool match_path(const char *tpl, const char *path, size_t len, struct candidate *c)
{
    const char *t = tpl, *p = path, *end = path + len;
    c->n_labels = 0;
    while (*t && *t != '?') {
        if (*t != '/' || p == end || *p != '/')
            return false;
        t++;
        p++;
        const char *segment_end = p;
        while (segment_end < end && *segment_end != '/')
            segment_end++;
        if (*t == '{') {
            const char *close = strchr(t, '}');
            if (!close || segment_end == p || c->n_labels == LAMBDA_ROUTE_PARAMS_MAX)
                return false;
            c->labels[c->n_labels++] = (struct label_span){t + 1, (size_t)(close - t - 1), p, (size_t)(segment_end - p)};
            t = close + 1;
        } else {
            while (p < segment_end && *t == *p) {
                t++;
                p++;
            }
            if (p != segment_end || (*t && *t != '/' && *t != '?'))
                return false;
        }
        p = segment_end;
    }
    return p == end;
}

/* The first template of the list that matches: 1 (in *found), 0 when
 * none does, -1 when out of memory. */
static int try_list(const struct route_template *list, size_t n, const char *method, const char *path,
                    size_t len, const char *query, struct candidate *found)
{
    for (size_t i = 0; i < n; i++) {
        struct candidate c = {.tpl = &list[i]};
        if (strcmp(list[i].method, method) != 0 || !match_path(list[i].path, path, len, &c))
            continue;
        const char *condition = strchr(list[i].path, '?');
        int has = condition ? query_has(query, condition + 1) : 1;
        if (has < 0)
            return -1;
        if (has) {
            *found = c;
            return 1;
        }
    }
    return 0;
}

int lambda_route_resolve(const char *method, const char *path, const char *query, struct lambda_route *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = LAMBDA_ROUTE_UNKNOWN;
    size_t len = strlen(path);
    if (len > 1 && path[len - 1] == '/')
        len--;
    struct candidate found = {0};
    int rc = try_list(served, sizeof(served) / sizeof(served[0]), method, path, len, query, &found);
    if (rc == 0)
        rc = try_list(not_implemented, sizeof(not_implemented) / sizeof(not_implemented[0]), method, path, len,
                      query, &found);
    if (rc < 0)
        return -1;
    if (!found.tpl)
        return 0;
    for (size_t i = 0; i < found.n_labels; i++) {
        const struct label_span *l = &found.labels[i];
        char *value = percent_decode(l->value, l->value_len, 0, NULL);
        if (!value) {
            int e = errno;
            lambda_route_free(out);
            return e == ENOMEM ? -1 : 0;   /* not valid percent-encoding: no operation */
        }
        out->params[out->n_params++] = (struct lambda_route_param){l->name, l->name_len, value};
    }
    bool is_served = found.tpl >= served && found.tpl < served + sizeof(served) / sizeof(served[0]);
    out->kind = is_served ? LAMBDA_ROUTE_SERVED : LAMBDA_ROUTE_NOT_IMPLEMENTED;
    out->op = is_served ? (size_t)(found.tpl - served) : 0;
    out->name = found.tpl->name;
    return 0;
}

const char *lambda_route_param(const struct lambda_route *route, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < route->n_params; i++)
        if (route->params[i].name_len == n && memcmp(route->params[i].name, name, n) == 0)
            return route->params[i].value;
    return NULL;
}

void lambda_route_free(struct lambda_route *route)
{
    for (size_t i = 0; i < route->n_params; i++)
        free(route->params[i].value);
    memset(route, 0, sizeof(*route));
    route->kind = LAMBDA_ROUTE_UNKNOWN;
}

/* The length of a template's root: its first two segments. */
static size_t root_length(const char *tpl)
{
    size_t first = strcspn(tpl + 1, "/?") + 1;
    return tpl[first] == '/' ? first + 1 + strcspn(tpl + first + 1, "/?") : first;
}

static bool under_root(const char *path, const struct route_template *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t root = root_length(list[i].path);
        if (strncmp(path, list[i].path, root) == 0 && (path[root] == '\0' || path[root] == '/'))
            return true;
    }
    return false;
}

bool lambda_route_claims_path(const char *path)
{
    /* Every root is dated ("/2015-03-31/..."): most paths (S3's) end here. */
    if (strncmp(path, "/20", 3) != 0)
        return false;
    return under_root(path, served, sizeof(served) / sizeof(served[0])) ||
           under_root(path, not_implemented, sizeof(not_implemented) / sizeof(not_implemented[0]));
}
