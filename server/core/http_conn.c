/* http_conn: HTTP/1.1 connections on libevent bufferevents.
 *
 * Bytes read from the socket go through nodejs's http_parser (Debian's
 * libhttp-parser), which handles framing — Content-Length and chunked
 * bodies, keep-alive rules — incrementally, so a body of any size streams
 * through a handler's sink without being held in memory. One request is
 * handled at a time per connection: the parser is paused at the end of each
 * message and resumed when the handler has answered, which keeps pipelined
 * responses in order. Limits: header section bytes and count, a connection
 * limit, and an idle/slow-client timeout. Responses are built in the
 * bufferevent's output buffer; file bodies are added as file segments so
 * libevent can use sendfile.
 *
 * A connection that dies while its request waits on a store completion is
 * kept (without its socket) until the handler answers, so handlers never see
 * a freed request. An answered request is finished (freed, next pipelined
 * request started) from an event of its own, never inside the answer call:
 * a handler may still touch its request after answering. */
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "server/core/http_conn.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "protocol/core/dates.h"
#include "storage/core/clock.h"

/* Above this much unread body after an early error answer, the connection
 * is closed instead of the rest being read and thrown away. */
#define DISCARD_BODY_LIMIT (8 * 1024 * 1024)

struct conn {
    struct server *srv;
    const struct listener_ctx *lc; /* the listener that accepted it */
    struct conn *prev, *next;      /* the server's list, for shutdown */
    struct bufferevent *bev;
    http_parser parser;
    struct http_req *req;
    struct strbuf url;
    struct strbuf field;
    struct strbuf value;
    bool in_value;
    struct http_header *headers;
    size_t n_headers, cap_headers;
    size_t header_bytes;
    bool header_error;             /* a limit was crossed while parsing headers */
    bool in_parse;                 /* inside http_parser_execute */
    struct event *finish_ev;       /* finishes an answered request */
    bool dead;                     /* socket gone; waiting for the handler to answer */
    bool closing;                  /* close once the output is flushed */
    int64_t discarded;
    int rcvlowat;                  /* SO_RCVLOWAT set on the socket (0: the kernel's 1) */
    char peer[64];
};

static http_parser_settings parser_settings;

static void free_headers(struct http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

static void req_free(struct http_req *req)
{
    if (!req)
        return;
    req->srv->n_requests--;
    if (req->cleanup)
        req->cleanup(req);
    free(req->method);
    free(req->url);
    free(req->path);
    free(req->query);
    free_headers(req->headers, req->n_headers);
    strbuf_free(&req->resp_headers);
    free(req);
}

const char *http_req_header(const struct http_req *req, const char *lname)
{
    return http_view_header(&req->view, lname);
}

bool http_req_is_tls(const struct http_req *req)
{
    return req->conn && req->conn->lc->ssl_ctx;
}

static void make_request_id(char out[17])
{
    static uint64_t counter;
    static uint64_t seed;
    if (!seed && RAND_bytes((unsigned char *)&seed, sizeof(seed)) != 1)
        seed = (uint64_t)clock_now_us() ^ (uint64_t)getpid() << 32;
    uint64_t x = seed + 0x9E3779B97F4A7C15ULL * ++counter;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    snprintf(out, 17, "%016" PRIX64, x);
}

/* ---- connection teardown ------------------------------------------- */

static void conn_free(struct conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->finish_ev)
        event_free(c->finish_ev);
    if (c->bev)
        bufferevent_free(c->bev);
    req_free(c->req);
    strbuf_free(&c->url);
    strbuf_free(&c->field);
    strbuf_free(&c->value);
    free_headers(c->headers, c->n_headers);
    c->srv->n_conns--;
    free(c);
}

/* The socket is gone or must go now. A request still in its handler keeps
 * the conn alive (socketless) until it answers. */
static void conn_close(struct conn *c)
{
    if (c->bev) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    c->dead = true;
    struct http_req *req = c->req;
    if (req && !req->responded && req->body_finished)
        return;
    conn_free(c);
}

static void process_input(struct conn *c);

/* Closes once the output is flushed; never from inside the parser, whose
 * caller still uses the connection (process_input closes after it). */
static void conn_close_when_flushed(struct conn *c)
{
    c->closing = true;
    if (c->in_parse || c->dead)
        return;
    bufferevent_disable(c->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_close(c);
}

/* Called when the current request has been answered and its body read. */
static void request_finished(struct conn *c)
{
    struct http_req *req = c->req;
    /* The request log: one line per request at the default level. The
     * query is left out: presigned URLs carry signatures there. */
    if (log_enabled(LOG_INFO)) {
        int64_t us = clock_real_us() - req->start_us;
        log_request("%s %s %d %lld.%lldms %s %s %s %s", req->service ? req->service : "-",
                    req->op_name ? req->op_name : "-", req->status, (long long)(us / 1000),
                    (long long)(us / 100 % 10), req->principal[0] ? req->principal : "-", c->peer,
                    req->method, req->path);
    }
    bool close = req->close_after || !req->keep_alive;
    req_free(req);
    c->req = NULL;
    if (c->dead) {
        conn_free(c);
        return;
    }
    if (close) {
        conn_close_when_flushed(c);
        return;
    }
    http_parser_pause(&c->parser, 0);
    process_input(c);
}

static void on_finish_event(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct conn *c = arg;
    struct http_req *req = c->req;
    if (req && req->responded && (req->body_finished || c->dead))
        request_finished(c);
    else if (!req && c->dead)
        conn_free(c);
}

static void schedule_finish(struct conn *c) { event_active(c->finish_ev, EV_TIMEOUT, 1); }

/* A response has been queued; the request finishes (from its event) once
 * its body is read too. */
static void response_queued(struct http_req *req)
{
    struct conn *c = req->conn;
    req->responded = true;
    if (req->body_finished || c->dead) {
        schedule_finish(c);
        return;
    }
    /* Answered before the body was read (an early error): read and drop
     * the rest if it is small, else close once the answer is out. */
    req->close_after = true;
    int64_t left = req->content_length;
    if (req->chunked || left > DISCARD_BODY_LIMIT || req->expect_continue)
        conn_close_when_flushed(c);
}

/* ---- response ------------------------------------------------------ */

void http_resp_header(struct http_req *req, const char *name, const char *value)
{
    strbuf_puts(&req->resp_headers, name);
    strbuf_puts(&req->resp_headers, ": ");
    strbuf_puts(&req->resp_headers, value);
    strbuf_puts(&req->resp_headers, "\r\n");
}

void http_resp_headerf(struct http_req *req, const char *name, const char *fmt, ...)
{
    char value[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    http_resp_header(req, name, value);
}

static const char *cached_http_date(void)
{
    static char buf[40];
    static int64_t last_s = -1;
    int64_t ms = clock_real_ms();
    if (ms / 1000 != last_s) {
        date_http(ms, buf);
        last_s = ms / 1000;
    }
    return buf;
}

static const char *status_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 416: return "Requested Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

/* Writes the status line and headers into the output buffer. */
static void write_head(struct http_req *req, int status, int64_t length)
{
    struct conn *c = req->conn;
    req->status = status;
    if (c->dead)
        return;
    /* A body not read, or a client still waiting for "100 Continue" (its
     * request refused before the body was asked for): the connection's
     * state is not one to reuse. */
    bool close = req->close_after || !req->keep_alive || c->srv->shutting_down ||
                 !req->body_finished || req->expect_continue;
    if (close)
        req->close_after = true;
    struct evbuffer *out = bufferevent_get_output(c->bev);
    char id2[40];
    snprintf(id2, sizeof(id2), "%s%s", req->request_id, "cloudless=");
    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\n"
                        "Date: %s\r\n"
                        "Server: cloudless\r\n"
                        "x-amz-request-id: %s\r\n"
                        "x-amz-id-2: %s\r\n",
                        status, status_reason(status), cached_http_date(), req->request_id, id2);
    if (length >= 0 && status != 204 && status != 304)
        evbuffer_add_printf(out, "Content-Length: %" PRId64 "\r\n", length);
    if (close)
        evbuffer_add(out, "Connection: close\r\n", 19);
    if (req->resp_headers.len)
        evbuffer_add(out, req->resp_headers.data, req->resp_headers.len);
    evbuffer_add(out, "\r\n", 2);
}

void http_resp_send(struct http_req *req, int status, const char *content_type, const void *body,
                    size_t len)
{
    if (req->responded)
        return;
    if (content_type && len)
        http_resp_header(req, "Content-Type", content_type);
    write_head(req, status, (int64_t)len);
    if (!req->conn->dead && len && !req->is_head && status != 304 && status != 204)
        evbuffer_add(bufferevent_get_output(req->conn->bev), body, len);
    response_queued(req);
}

void http_resp_begin(struct http_req *req, int status, int64_t length)
{
    write_head(req, status, length);
}

int http_resp_add_file(struct http_req *req, int fd, int64_t offset, int64_t length)
{
    if (req->conn->dead || length == 0) {
        close(fd);
        return 0;
    }
    struct evbuffer_file_segment *seg =
        evbuffer_file_segment_new(fd, offset, length, EVBUF_FS_CLOSE_ON_FREE);
    if (!seg) {
        close(fd);
        return -1;
    }
    int rc = evbuffer_add_file_segment(bufferevent_get_output(req->conn->bev), seg, 0, length);
    evbuffer_file_segment_free(seg);
    return rc;
}

int http_resp_add_data(struct http_req *req, const void *data, size_t len)
{
    if (req->conn->dead || len == 0)
        return 0;
    return evbuffer_add(bufferevent_get_output(req->conn->bev), data, len);
}

void http_resp_end(struct http_req *req)
{
    if (!req->responded)
        response_queued(req);
}

/* ---- body ---------------------------------------------------------- */

void http_req_read_body(struct http_req *req, http_body_sink sink, http_body_done done)
{
    req->body_sink = sink;
    req->body_done = done;
    req->body_started = true;
    struct conn *c = req->conn;
    /* Also for an empty body: a client that waited for "100 Continue" and
     * got the final answer instead may reuse the connection in a state
     * where it never reads its next response (botocore does). */
    if (req->expect_continue && !c->dead) {
        evbuffer_add(bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n", 25);
        req->expect_continue = false;
    }
    if (req->body_finished)
        done(req);
}

void http_req_pause_body(struct http_req *req)
{
    struct conn *c = req->conn;
    if (req->body_paused || c->dead)
        return;
    req->body_paused = true;
    bufferevent_disable(c->bev, EV_READ);
    if (c->in_parse)
        http_parser_pause(&c->parser, 1);
}

void http_req_resume_body(struct http_req *req)
{
    struct conn *c = req->conn;
    if (!req->body_paused)
        return;
    req->body_paused = false;
    if (c->dead || c->closing)
        return;
    bufferevent_enable(c->bev, EV_READ);
    if (c->in_parse)
        return;
    http_parser_pause(&c->parser, 0);
    process_input(c);
}

/* ---- parser callbacks ---------------------------------------------- */

static struct conn *conn_of(http_parser *p) { return p->data; }

static int header_limit_hit(struct conn *c, size_t more)
{
    c->header_bytes += more;
    if (c->header_bytes > c->srv->cfg->max_header_bytes ||
        c->n_headers >= (size_t)c->srv->cfg->max_headers) {
        c->header_error = true;
        return -1;
    }
    return 0;
}

static int on_message_begin(http_parser *p)
{
    struct conn *c = conn_of(p);
    strbuf_reset(&c->url);
    strbuf_reset(&c->field);
    strbuf_reset(&c->value);
    free_headers(c->headers, c->n_headers);
    c->headers = NULL;
    c->n_headers = c->cap_headers = 0;
    c->header_bytes = 0;
    c->in_value = false;
    c->discarded = 0;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    struct conn *c = conn_of(p);
    if (header_limit_hit(c, len))
        return -1;
    strbuf_append(&c->url, at, len);
    return 0;
}

static int finish_header(struct conn *c)
{
    if (!c->field.len)
        return 0;
    if (c->n_headers == c->cap_headers) {
        size_t cap = c->cap_headers ? c->cap_headers * 2 : 16;
        struct http_header *h = realloc(c->headers, cap * sizeof(*h));
        if (!h)
            return -1;
        c->headers = h;
        c->cap_headers = cap;
    }
    for (size_t i = 0; i < c->field.len; i++)
        if (c->field.data[i] >= 'A' && c->field.data[i] <= 'Z')
            c->field.data[i] = (char)(c->field.data[i] + 32);
    size_t b = 0, e = c->value.len;
    const char *v = c->value.data ? c->value.data : "";
    while (b < e && (v[b] == ' ' || v[b] == '\t'))
        b++;
    while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        e--;
    char *name = strndup(c->field.data, c->field.len);
    char *value = strndup(v + b, e - b);
    if (!name || !value || strbuf_failed(&c->field) || strbuf_failed(&c->value)) {
        free(name);
        free(value);
        return -1;
    }
    c->headers[c->n_headers].name = name;
    c->headers[c->n_headers].value = value;
    c->n_headers++;
    strbuf_reset(&c->field);
    strbuf_reset(&c->value);
    c->in_value = false;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    struct conn *c = conn_of(p);
    if (header_limit_hit(c, len))
        return -1;
    if (c->in_value && finish_header(c) < 0)
        return -1;
    strbuf_append(&c->field, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    struct conn *c = conn_of(p);
    if (header_limit_hit(c, len))
        return -1;
    c->in_value = true;
    strbuf_append(&c->value, at, len);
    return 0;
}

static struct http_req *build_request(struct conn *c)
{
    struct http_req *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->srv = c->srv;
    req->srv->n_requests++;
    req->conn = c;
    req->start_us = clock_real_us();
    make_request_id(req->request_id);
    snprintf(req->client_ip, sizeof(req->client_ip), "%s", c->peer);
    req->listener_data = c->lc->data;
    strbuf_init(&req->resp_headers);
    req->method = strdup(http_method_str(c->parser.method));
    req->url = strndup(c->url.data ? c->url.data : "/", c->url.len ? c->url.len : 1);
    if (!req->method || !req->url) {
        req_free(req);
        return NULL;
    }
    const char *q = strchr(req->url, '?');
    size_t plen = q ? (size_t)(q - req->url) : strlen(req->url);
    req->path = strndup(req->url, plen);
    req->query = strdup(q ? q + 1 : "");
    if (!req->path || !req->query) {
        req_free(req);
        return NULL;
    }
    req->headers = c->headers;
    req->n_headers = c->n_headers;
    c->headers = NULL;
    c->n_headers = c->cap_headers = 0;
    req->view.method = req->method;
    req->view.path = req->path;
    req->view.query = req->query;
    req->view.headers = req->headers;
    req->view.n_headers = req->n_headers;
    req->chunked = (c->parser.flags & F_CHUNKED) != 0;
    req->content_length = (c->parser.flags & F_CONTENTLENGTH) ? (int64_t)c->parser.content_length : -1;
    req->keep_alive = http_should_keep_alive(&c->parser) != 0;
    req->is_head = c->parser.method == HTTP_HEAD;
    const char *expect = http_req_header(req, "expect");
    req->expect_continue = expect && strcasecmp(expect, "100-continue") == 0;
    return req;
}

static int on_headers_complete(http_parser *p)
{
    struct conn *c = conn_of(p);
    if (finish_header(c) < 0)
        return -1;
    struct http_req *req = build_request(c);
    if (!req) {
        log_error("out of memory building a request from %s", c->peer);
        return -1;
    }
    c->req = req;
    /* A request without a body is complete now as far as handlers care. */
    if (!req->chunked && req->content_length <= 0)
        req->body_finished = true;
    if (c->lc->dispatch)
        c->lc->dispatch(req);
    else
        dispatch_headers(req);
    if (!req->responded && !req->body_started) {
        log_error("internal: no handler took the request %s %s", req->method, req->url);
        http_resp_send(req, 500, NULL, NULL, 0);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    struct conn *c = conn_of(p);
    struct http_req *req = c->req;
    if (!req)
        return -1;
    if (req->responded || !req->body_sink) {
        c->discarded += (int64_t)len;
        return c->discarded > DISCARD_BODY_LIMIT ? -1 : 0;
    }
    if (req->body_sink(req, at, len) < 0) {
        req->body_sink = NULL;
        if (!req->responded) {
            log_error("internal: body sink stopped without an answer");
            http_resp_send(req, 500, NULL, NULL, 0);
        }
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    struct conn *c = conn_of(p);
    struct http_req *req = c->req;
    http_parser_pause(p, 1);
    if (!req)
        return 0;
    if (req->body_finished)
        return 0;   /* no-body request: already handed over */
    req->body_finished = true;
    if (req->responded) {
        schedule_finish(c);
        return 0;
    }
    if (req->body_sink && req->body_done)
        req->body_done(req);
    return 0;
}

/* ---- errors before a request exists ---------------------------------- */

static void answer_protocol_error(struct conn *c, int status, const char *code, const char *message)
{
    if (c->dead || !c->bev)
        return;
    char rid[17];
    make_request_id(rid);
    char body[512];
    int n = snprintf(body, sizeof(body),
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                     "<Message>%s</Message><RequestId>%s</RequestId></Error>",
                     code, message, rid);
    evbuffer_add_printf(bufferevent_get_output(c->bev),
                        "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: cloudless\r\nx-amz-request-id: %s\r\n"
                        "Content-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
                        status, status_reason(status), cached_http_date(), rid, n, body);
}

/* ---- input --------------------------------------------------------- */

/* Reading a long body. libevent 2.1 reads at most 4 KiB per wake-up
 * (EVBUFFER_MAX_READ), whatever bufferevent_set_max_single_read says, so a
 * large upload cost an epoll wake-up, an ioctl, a readv and a parser round
 * per 4 KiB: a third of the loop's time. While a Content-Length body
 * streams on a plain TCP socket, the read callback takes what else the
 * socket holds itself, BODY_READ bytes at a time; and while at least
 * BODY_RCVLOWAT bytes are still to come, the socket's receive low-water
 * mark has the kernel wake us only once that many are there (below it, and
 * between requests, any byte wakes us). A TLS socket keeps libevent's way:
 * its bytes are records, not body. */
#define BODY_READ (64 * 1024)
#define BODY_RCVLOWAT (64 * 1024)
#define BODY_READS_PER_WAKEUP 16

static bool body_streaming(const struct conn *c)
{
    const struct http_req *req = c->req;
    return req && !c->lc->ssl_ctx && !c->dead && !c->closing && !req->chunked && req->content_length > 0 &&
           req->body_started && !req->body_finished && !req->body_paused;
}

static void update_rcvlowat(struct conn *c)
{
    int want = 0;
    if (body_streaming(c)) {
        /* http_parser counts the body bytes it has still to see. */
        uint64_t unparsed = c->parser.content_length;
        uint64_t buffered = evbuffer_get_length(bufferevent_get_input(c->bev));
        if (unparsed > buffered && unparsed - buffered >= BODY_RCVLOWAT)
            want = BODY_RCVLOWAT;
    }
    if (want == c->rcvlowat || c->dead)
        return;
    int value = want ? want : 1;
    if (setsockopt(bufferevent_getfd(c->bev), SOL_SOCKET, SO_RCVLOWAT, &value, sizeof(value)) == 0)
        c->rcvlowat = want;
}

static void process_input(struct conn *c);

/* Reads what the socket holds of a streaming body into the input buffer
 * and parses it. End of stream and errors are left for libevent's next
 * read to report. */
static void read_more_body(struct conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    for (int i = 0; i < BODY_READS_PER_WAKEUP && body_streaming(c); i++) {
        /* The bufferevent keeps its input's end frozen to all but itself. */
        struct evbuffer_iovec vec;
        evbuffer_unfreeze(in, 0);
        ssize_t n = -1;
        if (evbuffer_reserve_space(in, BODY_READ, &vec, 1) == 1) {
            n = recv(bufferevent_getfd(c->bev), vec.iov_base, vec.iov_len, MSG_DONTWAIT);
            vec.iov_len = n > 0 ? (size_t)n : 0;
            if (evbuffer_commit_space(in, &vec, 1) != 0)
                n = -1;
        }
        evbuffer_freeze(in, 0);
        if (n <= 0)
            return;
        process_input(c);
        if ((size_t)n < BODY_READ)
            return;
    }
}

static void process_input(struct conn *c)
{
    if (c->dead || c->closing)
        return;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    c->in_parse = true;
    while (!c->dead && !c->closing && evbuffer_get_length(in) > 0) {
        struct evbuffer_iovec vec;
        if (evbuffer_peek(in, -1, NULL, &vec, 1) < 1)
            break;
        size_t n = http_parser_execute(&c->parser, &parser_settings, vec.iov_base, vec.iov_len);
        enum http_errno err = HTTP_PARSER_ERRNO(&c->parser);
        if (c->dead)
            break;
        evbuffer_drain(in, n);
        if (err == HPE_PAUSED)
            break;     /* the body's consumer is behind, or the request is complete */
        if (err != HPE_OK) {
            struct http_req *req = c->req;
            if (req && !req->responded && req->body_started && !req->body_finished) {
                /* The body broke mid-way (bad chunk framing): nothing is kept. */
                log_info("%s: malformed body: %s", c->peer, http_errno_description(err));
                req->body_sink = NULL;
                answer_protocol_error(c, 400, "IncompleteBody",
                                      "The request body terminated unexpectedly");
            } else if (!req || req->responded || !req->body_started) {
                if (c->header_error)
                    answer_protocol_error(c, 400, "RequestHeaderSectionTooLarge",
                                          "Your request header section exceeds the maximum allowed size.");
                else if (!req)
                    answer_protocol_error(c, 400, "BadRequest", "An error occurred when parsing the HTTP request.");
                log_info("%s: closing: %s", c->peer, c->header_error ? "header limits" : http_errno_description(err));
            }
            c->in_parse = false;
            c->closing = true;
            bufferevent_disable(c->bev, EV_READ);
            if (c->req && !c->req->responded && c->req->body_finished)
                return;    /* handler still running; it will answer then close */
            req_free(c->req);
            c->req = NULL;
            conn_close_when_flushed(c);
            return;
        }
    }
    c->in_parse = false;
    if (c->closing)
        conn_close_when_flushed(c);
    else if (!c->dead)
        update_rcvlowat(c);
}

static void on_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct conn *c = arg;
    process_input(c);
    if (!c->dead && !c->closing)
        read_more_body(c);
}

static void on_write(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0 &&
        !(c->req && !c->req->responded && c->req->body_finished))
        conn_close(c);
}

static void on_event(struct bufferevent *bev, short what, void *arg)
{
    struct conn *c = arg;
    if (what & BEV_EVENT_CONNECTED)
        return;    /* a TLS handshake completed: nothing to do */
    if (what & BEV_EVENT_TIMEOUT) {
        struct http_req *req = c->req;
        if (req && !req->responded && req->body_finished) {
            /* The handler is working; the client is just waiting. */
            bufferevent_enable(bev, EV_READ | EV_WRITE);
            return;
        }
        if (req && req->body_started && !req->body_finished && !req->responded) {
            log_info("%s: request body timed out", c->peer);
            req->body_sink = NULL;
            answer_protocol_error(c, 400, "RequestTimeout",
                                  "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.");
        }
    } else if ((what & BEV_EVENT_EOF) && c->req && c->req->responded == false &&
               c->req->body_started && !c->req->body_finished) {
        log_info("%s: client closed mid-body; nothing stored", c->peer);
    }
    conn_close(c);
}

/* ---- accept -------------------------------------------------------- */

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int socklen,
                      void *arg)
{
    (void)l;
    (void)socklen;
    struct listener_ctx *lc = arg;
    struct server *srv = lc->srv;
    if (srv->shutting_down || srv->n_conns >= srv->cfg->max_connections) {
        static const char busy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        ssize_t w = send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
        (void)w;
        evutil_closesocket(fd);
        log_warn("connection refused: limit of %d connections reached", srv->cfg->max_connections);
        return;
    }
    struct conn *c = calloc(1, sizeof(*c));
    if (!c) {
        evutil_closesocket(fd);
        log_error("out of memory accepting a connection");
        return;
    }
    c->srv = srv;
    c->lc = lc;
    srv->n_conns++;
    c->next = srv->conns;
    if (c->next)
        c->next->prev = c;
    srv->conns = c;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, c->peer, sizeof(c->peer));
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, c->peer, sizeof(c->peer));
    if (lc->ssl_ctx) {
        SSL *ssl = SSL_new(lc->ssl_ctx);
        c->bev = ssl ? bufferevent_openssl_socket_new(srv->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                      BEV_OPT_CLOSE_ON_FREE)
                     : NULL;
        if (!c->bev && ssl)
            SSL_free(ssl);
    } else {
        c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!c->bev) {
        log_error("cannot set up a connection from %s", c->peer);
        evutil_closesocket(fd);
        conn_free(c);
        return;
    }
    c->finish_ev = event_new(srv->base, -1, 0, on_finish_event, c);
    if (!c->finish_ev) {
        log_error("cannot set up a connection from %s", c->peer);
        conn_free(c);
        return;
    }
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
    struct timeval tv = {srv->cfg->idle_timeout_s, 0};
    bufferevent_set_timeouts(c->bev, &tv, &tv);
    /* libevent reads 4 KiB at a time by default: an upload would cost a
     * readv, an ioctl and an epoll round per 4 KiB. 64 KiB chunks stay
     * below malloc's mmap threshold, so they are reused, not faulted in. */
    bufferevent_set_max_single_read(c->bev, 64 * 1024);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

void http_close_all(struct server *srv)
{
    while (srv->conns)
        conn_free(srv->conns);
}

static void on_accept_error(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    log_error("accept failed: %s", strerror(errno));
}

static void init_parser_settings(void)
{
    parser_settings.on_message_begin = on_message_begin;
    parser_settings.on_url = on_url;
    parser_settings.on_header_field = on_header_field;
    parser_settings.on_header_value = on_header_value;
    parser_settings.on_headers_complete = on_headers_complete;
    parser_settings.on_body = on_body;
    parser_settings.on_message_complete = on_message_complete;
}

struct evconnlistener *http_listen(struct listener_ctx *lc, const char *host, int port)
{
    init_parser_settings();
    struct evutil_addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof(portstr), "%d", port);
    int rc = evutil_getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0 || !res) {
        log_error("cannot resolve listen address %s: %s", host, evutil_gai_strerror(rc));
        return NULL;
    }
    struct evconnlistener *l = evconnlistener_new_bind(
        lc->srv->base, on_accept, lc, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
        1024, res->ai_addr, (int)res->ai_addrlen);
    evutil_freeaddrinfo(res);
    if (!l) {
        log_error("cannot listen on %s:%d: %s", host, port, strerror(errno));
        return NULL;
    }
    evconnlistener_set_error_cb(l, on_accept_error);
    return l;
}

int http_listener_port(struct evconnlistener *l)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&ss, &len) < 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}
