/* s3_website: static website hosting. AWS serves a bucket's website from a
 * host of its own, <bucket>.s3-website-<region>.amazonaws.com or
 * <bucket>.s3-website.<region>.amazonaws.com; here the Host header
 * "<bucket>.s3-website.<domain>", "<bucket>.s3-website-<region>.<domain>"
 * or "<bucket>.s3-website.<region>.<domain>" (domain from --domain,
 * "localhost" by default) selects it.
 *
 * Only GET and HEAD, unauthenticated, as a browser sends them. The bucket's
 * website configuration decides: RedirectAllRequestsTo answers 301 to the
 * other host; otherwise a path ending in '/' (or empty) gets the index
 * document appended, the object must be publicly readable (bucket policy
 * or ACL, as for an anonymous GetObject), and a missing object is answered
 * with the error document and status 404 when one is configured. Routing
 * rules apply as AWS applies them: a rule conditioned on a key prefix only
 * redirects before the lookup; one conditioned on an error code (404 for
 * a missing object, 403 for a private one) redirects instead of that
 * error, its key prefix permitting. Errors are small HTML pages, as AWS's
 * website endpoint answers. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "server/core/log.h"
#include "server/s3/entry.h"
#include "server/s3/s3.h"
#include "storage/s3/s3.h"

/* ---- the configuration ---------------------------------------------------- */

void s3_get_bucket_website(struct s3_call *call) { s3_config_get(call, S3_CONFIG_WEBSITE); }
void s3_put_bucket_website(struct s3_call *call) { s3_config_put(call, S3_CONFIG_WEBSITE); }
void s3_delete_bucket_website(struct s3_call *call) { s3_config_delete(call, S3_CONFIG_WEBSITE); }

/* ---- the website endpoint ------------------------------------------------- */

/* The bucket named by a website Host, malloc'd, or NULL. */
static char *website_bucket(const char *host, const char *domain)
{
    if (!host)
        return NULL;
    const char *marker = strstr(host, ".s3-website");
    if (!marker || marker == host)
        return NULL;
    const char *colon = strrchr(host, ':');
    size_t host_len = colon && colon > marker ? (size_t)(colon - host) : strlen(host);
    const char *rest = marker + strlen(".s3-website");
    size_t rest_len = host_len - (size_t)(rest - host);
    size_t dlen = strlen(domain);
    /* rest is ".<domain>", "-<region>.<domain>" or ".<region>.<domain>" */
    if (rest_len < dlen + 1 || (rest[0] != '.' && rest[0] != '-') ||
        strncasecmp(rest + rest_len - dlen, domain, dlen) != 0 || rest[rest_len - dlen - 1] != '.')
        return NULL;
    return strndup(host, (size_t)(marker - host));
}

static void send_html_error(struct http_req *req, int status, const char *code, const char *message)
{
    char body[1024];
    int n = snprintf(body, sizeof(body),
                     "<html>\n<head><title>%d %s</title></head>\n<body>\n<h1>%d %s</h1>\n<ul>\n"
                     "<li>Code: %s</li>\n<li>Message: %s</li>\n<li>RequestId: %s</li>\n</ul>\n<hr/>\n"
                     "</body>\n</html>\n",
                     status, code, status, code, code, message, req->request_id);
    http_resp_send(req, status, "text/html; charset=utf-8", body, (size_t)(n < 0 ? 0 : n));
}

/* Streams a whole object with `status`. */
static void send_object(struct http_req *req, struct store *st, const struct s3_object *o, int status)
{
    int *fds = o->n_segments ? calloc(o->n_segments, sizeof(int)) : NULL;
    if (o->n_segments && !fds) {
        send_html_error(req, 500, "InternalError", "out of memory");
        return;
    }
    for (size_t i = 0; i < o->n_segments; i++) {
        fds[i] = -1;
        if (!o->segments[i].data && o->segments[i].size > 0 && (fds[i] = store_open_blob(st, o->segments[i].blob_sha256)) < 0) {
            log_error("website: cannot open blob %s", o->segments[i].blob_sha256);
            for (size_t j = 0; j < i; j++)
                if (fds[j] >= 0)
                    close(fds[j]);
            free(fds);
            send_html_error(req, 500, "InternalError", "cannot read the object");
            return;
        }
    }
    char date[40];
    date_http(o->last_modified_ms, date);
    http_resp_header(req, "Content-Type", o->content.content_type ? o->content.content_type : "binary/octet-stream");
    http_resp_headerf(req, "ETag", "\"%s\"", o->etag);
    http_resp_header(req, "Last-Modified", date);
    http_resp_begin(req, status, o->size);
    bool failed = false;
    for (size_t i = 0; i < o->n_segments; i++) {
        if (req->is_head || failed) {
            if (fds[i] >= 0)
                close(fds[i]);
            continue;
        }
        if (o->segments[i].data)
            failed = http_resp_add_data(req, o->segments[i].data, (size_t)o->segments[i].size) < 0;
        else if (fds[i] >= 0)
            failed = http_resp_add_file(req, fds[i], 0, o->segments[i].size) < 0;
    }
    if (failed)
        req->close_after = true;
    free(fds);
    http_resp_end(req);
}

/* Serves `key` with `status` when it exists and is public: 200; else 404
 * (absent) or 403 (not public), answering nothing. */
static int serve_key(struct http_req *req, struct store *st, const struct s3_bucket *b, const char *key, int status)
{
    struct s3_object o;
    if (store_get_object(st, b->name, key, &o) != S3_OK)
        return 404;
    bool readable = s3_access_anonymous_read(req, b, key);
    if (readable)
        send_object(req, st, &o, status);
    s3_object_free(&o);
    return readable ? 200 : 403;
}

/* Answers a routing rule's redirect for `key`. */
static void send_rule_redirect(struct http_req *req, const struct s3_routing_rule *rule, const char *key)
{
    char *target = s3_routing_rule_target(rule, key);
    if (!target) {
        send_html_error(req, 500, "InternalError", "out of memory");
        return;
    }
    const char *host = rule->host_name ? rule->host_name : http_req_header(req, "host");
    char location[4096];
    snprintf(location, sizeof(location), "%s://%s/%s",
             rule->protocol ? rule->protocol : http_req_is_tls(req) ? "https" : "http", host ? host : "", target);
    free(target);
    http_resp_header(req, "Location", location);
    http_resp_send(req, rule->redirect_code, NULL, NULL, 0);
}

static void serve_website(struct http_req *req, const struct s3_bucket *b, const struct s3_website *w)
{
    struct store *st = req->srv->store;
    if (w->redirect_host) {
        char location[2048];
        snprintf(location, sizeof(location), "%s://%s%s", w->redirect_protocol ? w->redirect_protocol : "http",
                 w->redirect_host, req->path);
        http_resp_header(req, "Location", location);
        http_resp_send(req, 301, NULL, NULL, 0);
        return;
    }
    char *decoded = percent_decode(req->path + 1, strlen(req->path + 1), 0, NULL);
    if (!decoded) {
        send_html_error(req, 400, "InvalidURI", "Couldn't parse the specified URI.");
        return;
    }
    const struct s3_routing_rule *rule = s3_website_route(w, decoded, 0);
    if (rule) {
        send_rule_redirect(req, rule, decoded);
        free(decoded);
        return;
    }
    size_t len = strlen(decoded);
    char *key = NULL;
    if ((len == 0 || decoded[len - 1] == '/') && w->index_suffix) {
        if (asprintf(&key, "%s%s", decoded, w->index_suffix) < 0)
            key = NULL;
    } else {
        key = strdup(decoded);
    }
    if (!key) {
        free(decoded);
        send_html_error(req, 500, "InternalError", "out of memory");
        return;
    }
    /* The object, else a rule for its error, else the error document (whose
     * own 403 or 404 is then the answer), else the error itself. */
    int status = serve_key(req, st, b, key, 200);
    rule = status != 200 ? s3_website_route(w, decoded, status) : NULL;
    if (rule)
        send_rule_redirect(req, rule, decoded);
    else if (status == 404 && w->error_key)
        status = serve_key(req, st, b, w->error_key, 404);
    if (!req->responded && status == 403)
        send_html_error(req, 403, "AccessDenied", "Access Denied");
    else if (!req->responded && status == 404)
        send_html_error(req, 404, "NoSuchKey", "The specified key does not exist.");
    free(decoded);
    free(key);
}

bool s3_website_handle(struct http_req *req)
{
    char *bucket = website_bucket(http_req_header(req, "host"), req->srv->cfg->domain);
    if (!bucket)
        return false;
    req->op_name = "WebsiteGet";
    struct s3_bucket b;
    enum store_config_state state;
    char *doc = NULL;
    struct s3_website w;
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        send_html_error(req, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    } else if (store_get_bucket(req->srv->store, bucket, &b) != S3_OK) {
        send_html_error(req, 404, "NoSuchBucket", "The specified bucket does not exist");
    } else {
        if (store_get_bucket_config(req->srv->store, bucket, "website", &state, &doc) < 0)
            send_html_error(req, 500, "InternalError", "cannot read the website configuration");
        else if (!doc)
            send_html_error(req, 404, "NoSuchWebsiteConfiguration",
                            "The specified bucket does not have a website configuration");
        else if (s3_website_read(doc, &w) < 0)
            send_html_error(req, 500, "InternalError", "cannot read the website configuration");
        else {
            serve_website(req, &b, &w);
            s3_website_free(&w);
        }
        free(doc);
        s3_bucket_free(&b);
    }
    free(bucket);
    return true;
}
