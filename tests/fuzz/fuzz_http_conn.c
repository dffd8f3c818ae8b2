/* fuzz_http_conn: drives the server's own HTTP layer, server/http_conn.c,
 * over a real 127.0.0.1 connection. Each input is written by a client
 * bufferevent on the same event loop, which then half-closes and reads until
 * the server closes; a loop that does not end within a few seconds aborts.
 * The listener is the real one (http_listen), with small header limits so
 * the fuzzer reaches them; the routing layer (dispatch.c) is replaced by the
 * stub dispatch_headers() below, which uses every handler-facing call the
 * services use, chosen by the request path's first character:
 *   'e'  answers 400 at once without reading the body (the discard path)
 *   'l'  answers on the next loop turn (a handler waiting on the store)
 *   's'  streams its answer with http_resp_begin/add_data/end
 *   any other: reads the body, pausing after every piece and resuming from
 *        the next loop turn (flow control), stopping with -1 after 64 KiB, then
 *        answers with the method, path, query and the body's size.
 * After each input every connection must be gone (n_conns == 0). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "server/core/config.h"
#include "server/core/http_conn.h"
#include "server/core/log.h"
#include "server/core/server.h"

#define BODY_STOP (64 * 1024)

static struct event_base *base;
static struct config cfg;
static struct server srv;
static struct listener_ctx lc;
static struct sockaddr_in server_addr;

/* ---- the stub handler -------------------------------------------------- */

struct stub {
    size_t body_bytes;
    bool answer_later;             /* 'l': the timer answers; else it resumes the body */
    struct event *later;           /* fires on the next loop turn */
};

static void stub_cleanup(struct http_req *req)
{
    struct stub *st = req->handler;
    event_free(st->later);
    free(st);
}

static void answer(struct http_req *req)
{
    struct stub *st = req->handler;
    char text[256];
    int n = snprintf(text, sizeof(text), "%s %.80s ?%.80s %zu host=%s\n", req->method, req->path, req->query,
                     st->body_bytes, http_req_header(req, "host") ? "yes" : "no");
    http_resp_header(req, "x-stub", "1");
    http_resp_send(req, 200, "text/plain", text, n > 0 ? (size_t)n : 0);
}

static void on_later(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct http_req *req = arg;
    struct stub *st = req->handler;
    if (st->answer_later)
        answer(req);
    else
        http_req_resume_body(req);
}

static void next_turn(struct http_req *req)
{
    struct stub *st = req->handler;
    const struct timeval now = {0, 0};
    if (evtimer_add(st->later, &now) != 0)
        on_later(-1, 0, req);
}

static int stub_sink(struct http_req *req, const void *data, size_t len)
{
    (void)data;
    struct stub *st = req->handler;
    st->body_bytes += len;
    if (st->body_bytes > BODY_STOP) {
        http_resp_send(req, 413, "text/plain", "too large\n", 10);
        return -1;
    }
    http_req_pause_body(req);
    next_turn(req);
    return 0;
}

static void stub_done(struct http_req *req) { answer(req); }

void dispatch_headers(struct http_req *req)
{
    struct stub *st = calloc(1, sizeof(*st));
    struct event *later = st ? evtimer_new(base, on_later, req) : NULL;
    if (!later) {
        free(st);
        http_resp_send(req, 503, NULL, NULL, 0);
        return;
    }
    st->later = later;
    req->handler = st;
    req->cleanup = stub_cleanup;
    switch (req->path[0] == '/' ? req->path[1] : req->path[0]) {
    case 'e':
        http_resp_send(req, 400, "text/plain", "early\n", 6);
        break;
    case 'l':
        st->answer_later = true;
        next_turn(req);
        break;
    case 's':
        http_resp_begin(req, 200, 10);
        http_resp_add_data(req, "0123", 4);
        http_resp_add_data(req, "456789", 6);
        http_resp_end(req);
        break;
    default:
        http_req_read_body(req, stub_sink, stub_done);
        break;
    }
}

/* ---- the client -------------------------------------------------------- */

static void client_write(struct bufferevent *bev, void *arg)
{
    (void)arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        shutdown(bufferevent_getfd(bev), SHUT_WR);
}

static void client_read(struct bufferevent *bev, void *arg)
{
    (void)arg;
    evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
    if (what & BEV_EVENT_CONNECTED)
        client_write(bev, arg);
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        *(int *)arg = 1;
}

static void hang(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    fprintf(stderr, "fuzz_http_conn: the exchange did not end\n");
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    log_set_level(LOG_ERROR);
    base = event_base_new();
    cfg.max_connections = 8;
    cfg.idle_timeout_s = 2;
    cfg.max_header_bytes = 2048;
    cfg.max_headers = 16;
    srv.base = base;
    srv.cfg = &cfg;
    lc.srv = &srv;
    struct evconnlistener *l = base ? http_listen(&lc, "127.0.0.1", 0) : NULL;
    if (!l) {
        fprintf(stderr, "fuzz_http_conn: cannot listen\n");
        abort();
    }
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons((uint16_t)http_listener_port(l));
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int closed = 0;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    struct event *timer = evtimer_new(base, hang, NULL);
    const struct timeval limit = {5, 0};
    if (!bev || !timer || evtimer_add(timer, &limit) != 0 ||
        bufferevent_socket_connect(bev, (struct sockaddr *)&server_addr, sizeof(server_addr)) != 0) {
        fprintf(stderr, "fuzz_http_conn: cannot connect\n");
        abort();
    }
    bufferevent_setcb(bev, client_read, client_write, client_event, &closed);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    if (bufferevent_write(bev, data, size) != 0)
        abort();
    while (!closed || srv.n_conns > 0)
        event_base_loop(base, EVLOOP_ONCE);
    bufferevent_free(bev);
    /* Deferred answers and finish events of closed connections. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    event_free(timer);
    return 0;
}
