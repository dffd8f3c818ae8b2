/* http_conn: listening sockets and HTTP/1.1 connections (see http_conn.c). */
#ifndef CLOUDLESS_HTTP_CONN_H
#define CLOUDLESS_HTTP_CONN_H

struct evconnlistener;
struct server;
typedef struct ssl_ctx_st SSL_CTX;

struct http_req;

struct listener_ctx {
    struct server *srv;
    SSL_CTX *ssl_ctx;              /* NULL for plain HTTP */
    /* A private listener (the Lambda runtime API) routes its requests here
     * instead of dispatch_headers(); its requests carry `data` as
     * http_req.listener_data. NULL for the main listener. */
    void (*dispatch)(struct http_req *req);
    void *data;
};

/* Binds host:port (port 0 = any free port) and starts accepting. */
struct evconnlistener *http_listen(struct listener_ctx *lc, const char *host, int port);
int http_listener_port(struct evconnlistener *l);
/* Frees every connection, answered or not (at exit, after the loop). */
void http_close_all(struct server *srv);

#endif
