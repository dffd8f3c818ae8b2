/* http_conn: listening sockets and HTTP/1.1 connections (see http_conn.c). */
#ifndef CLOUDLESS_HTTP_CONN_H
#define CLOUDLESS_HTTP_CONN_H

struct evconnlistener;
struct server;
typedef struct ssl_ctx_st SSL_CTX;

struct listener_ctx {
    struct server *srv;
    SSL_CTX *ssl_ctx;              /* NULL for plain HTTP */
};

/* Binds host:port (port 0 = any free port) and starts accepting. */
struct evconnlistener *http_listen(struct listener_ctx *lc, const char *host, int port);
int http_listener_port(struct evconnlistener *l);
/* Frees every connection, answered or not (at exit, after the loop). */
void http_close_all(struct server *srv);

#endif
