/* server: the process-wide state shared by the connection, dispatch and
 * service code — the event base, configuration, store, counters — and the
 * HTTP request/response API that service handlers use.
 *
 * Life of a request: http_conn.c parses the header section, builds a
 * struct http_req and calls dispatch_headers(). The dispatcher (or the
 * service it picks) either answers at once or chooses how the body is taken:
 * http_req_read_body() with a sink called for each piece and a completion
 * called at the end. The handler answers with http_resp_* exactly once,
 * possibly later from a store completion; only then does the connection go
 * on to the next pipelined request. */
#ifndef CLOUDLESS_SERVER_H
#define CLOUDLESS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "protocol/core/http_view.h"
#include "protocol/core/strbuf.h"
#include "protocol/iam/evaluation.h"
#include "server/core/config.h"

struct event_base;
struct store;
struct conn;
struct sqs_service;
struct lambda_service;
struct logs_service;
struct ddb_service;
struct events_service;
struct event_bus;
struct init_hooks;

struct server {
    struct event_base *base;
    struct config *cfg;
    struct store *store;
    struct sqs_service *sqs;       /* NULL until created */
    struct lambda_service *lambda; /* NULL until created */
    struct logs_service *logs;     /* NULL until created */
    struct ddb_service *dynamodb;  /* NULL until created */
    struct events_service *events; /* EventBridge and Scheduler; NULL until created */
    struct event_bus *bus;         /* S3 event delivery (event_bus.h); NULL until created */
    const char *vhost_domains[4];  /* "s3.<domain>", "s3.localhost", "s3.localhost.localstack.cloud", NULL */
    char *vhost_storage;
    struct conn *conns;            /* every open connection */
    int n_conns;
    int n_requests;                /* requests between headers and answer */
    bool shutting_down;
    int64_t started_ms;
    unsigned services_off;         /* bit i: cloudless_services[i] not in SERVICES */
    struct init_hooks *init;       /* init hook scripts and their states */
    char session_id[37];           /* a UUID per run, for /_localstack/info */
};

struct http_req;

typedef int (*http_body_sink)(struct http_req *req, const void *data, size_t len);
typedef void (*http_body_done)(struct http_req *req);
typedef void (*http_req_cleanup)(struct http_req *req);

struct http_req {
    struct server *srv;
    struct conn *conn;
    char *method;
    char *url;                     /* raw request target */
    char *path;                    /* raw path part of url */
    char *query;                   /* raw query part, "" when none */
    struct http_header *headers;
    size_t n_headers;
    struct http_request_view view;
    int64_t content_length;        /* -1 when absent */
    bool chunked;                  /* Transfer-Encoding: chunked */
    bool expect_continue;          /* Expect: 100-continue, and "100 Continue" not sent yet */
    bool keep_alive;
    bool is_head;
    char request_id[17];
    char client_ip[64];
    int64_t start_us;
    void *listener_data;           /* the listener's listener_ctx.data (NULL on the main one) */

    /* Set by the handler. */
    void *handler;                 /* the service's per-request state */
    http_req_cleanup cleanup;      /* frees `handler`; runs when the request ends */
    http_body_sink body_sink;
    http_body_done body_done;
    bool body_started;
    bool body_finished;
    bool body_paused;

    /* Response. */
    bool responded;
    bool close_after;              /* send Connection: close and close after writing */
    struct strbuf resp_headers;
    int status;
    const char *op_name;           /* for the access log */
    const char *service;           /* for the access log: "s3", ... (set by dispatch) */
    char principal[160];           /* for the access log: "ACCOUNT:ACCESS_KEY" once authenticated */
    struct iam_principal caller;   /* who signed, once authenticated (auth.c); anonymous until then */
};

/* Entry point of dispatch.c, called once the header section is parsed. */
void dispatch_headers(struct http_req *req);

const char *http_req_header(const struct http_req *req, const char *lname);
/* Whether the request came over TLS (--tls-cert). */
bool http_req_is_tls(const struct http_req *req);

/* Take the body: sink gets every piece (de-chunked), done runs at its end.
 * A sink returning -1 stops reading; the handler must then respond. Sends
 * "100 Continue" first when the client asked for it. A request without a
 * body gets done() at once. */
void http_req_read_body(struct http_req *req, http_body_sink sink, http_body_done done);

/* Flow control for a body sink whose consumer is behind: stop reading the
 * socket after the current piece, and go on later. */
void http_req_pause_body(struct http_req *req);
void http_req_resume_body(struct http_req *req);

/* Response building: add headers, then end with exactly one of the send
 * calls. Date, Server, Content-Length, Connection, x-amz-request-id and
 * x-amz-id-2 are added here. */
void http_resp_header(struct http_req *req, const char *name, const char *value);
void http_resp_headerf(struct http_req *req, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sends a complete response with an in-memory body (copied). For HEAD
 * requests the body is not sent but Content-Length still says its size. */
void http_resp_send(struct http_req *req, int status, const char *content_type,
                    const void *body, size_t len);
/* Starts a response whose body comes from files: Content-Length is
 * `length`; then http_resp_add_file() for each piece, then http_resp_end().
 * For HEAD, add nothing and call http_resp_end(). */
void http_resp_begin(struct http_req *req, int status, int64_t length);
/* Takes ownership of fd (closed when sent, or at once on failure). */
int http_resp_add_file(struct http_req *req, int fd, int64_t offset, int64_t length);
/* Appends bytes (copied) to a response started with http_resp_begin(). */
int http_resp_add_data(struct http_req *req, const void *data, size_t len);
void http_resp_end(struct http_req *req);


#endif
