/* health_probe: `cloudless health [options]`, the container HEALTHCHECK.
 * Reads the same configuration as the server (options, CLOUDLESS_* and
 * LocalStack's variables, config file) to find where it listens, asks
 * GET /_localstack/init/ready over loopback (HTTPS when the server has a
 * certificate) and succeeds when the server answers that its ready.d hooks
 * have run: from then on it serves, and what the hooks create exists.
 * Blocking calls with a 3-second timeout: this is a process of its own. */
#include "server/core/health_probe.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "server/core/config.h"

#define PROBE_TIMEOUT_S 3

static int connect_loopback(const struct config *cfg)
{
    const char *host = cfg->host;
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0 || strcmp(host, "") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    char port[8];
    snprintf(port, sizeof(port), "%d", cfg->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "cloudless health: cannot resolve %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        struct timeval tv = {PROBE_TIMEOUT_S, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "cloudless health: nothing listens on %s:%s\n", host, port);
    return fd;
}

/* Sends the request and reads the answer (up to cap - 1 bytes) into buf. */
static int exchange(int fd, SSL *ssl, const char *request, char *buf, size_t cap)
{
    size_t len = strlen(request);
    if ((ssl ? SSL_write(ssl, request, (int)len) : (int)write(fd, request, len)) != (int)len)
        return -1;
    size_t got = 0;
    for (;;) {
        int n = ssl ? SSL_read(ssl, buf + got, (int)(cap - 1 - got)) : (int)read(fd, buf + got, cap - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == cap - 1)
            break;
    }
    buf[got] = '\0';
    return got ? 0 : -1;
}

int health_probe_main(int argc, char **argv)
{
    struct config cfg;
    int rc = config_load(&cfg, argc, argv);
    if (rc != 0) {
        config_free(&cfg);
        return rc > 0 ? 0 : 2;
    }
    int fd = connect_loopback(&cfg);
    int status = 1;
    SSL_CTX *ctx = NULL;
    SSL *ssl = NULL;
    char answer[8192];
    const char request[] = "GET /_localstack/init/ready HTTP/1.1\r\nHost: localhost\r\n"
                           "User-Agent: cloudless-health\r\nConnection: close\r\n\r\n";
    if (fd < 0)
        goto out;
    if (cfg.tls_cert) {
        /* The server's own certificate on loopback: nothing to verify it against. */
        if (!(ctx = SSL_CTX_new(TLS_client_method())) || !(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1 ||
            SSL_connect(ssl) != 1) {
            fprintf(stderr, "cloudless health: TLS handshake failed\n");
            goto out;
        }
    }
    if (exchange(fd, ssl, request, answer, sizeof(answer)) < 0) {
        fprintf(stderr, "cloudless health: no answer\n");
        goto out;
    }
    if (strncmp(answer, "HTTP/1.1 200", 12) != 0) {
        fprintf(stderr, "cloudless health: %.*s\n", (int)strcspn(answer, "\r\n"), answer);
        goto out;
    }
    if (!strstr(answer, "\"completed\":true") && !strstr(answer, "\"completed\": true")) {
        fprintf(stderr, "cloudless health: starting (ready.d hooks not finished)\n");
        goto out;
    }
    printf("healthy\n");
    status = 0;
out:
    if (ssl)
        SSL_free(ssl);
    if (ctx)
        SSL_CTX_free(ctx);
    if (fd >= 0)
        close(fd);
    config_free(&cfg);
    return status;
}
