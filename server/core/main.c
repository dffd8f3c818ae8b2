/* main: the cloudless process. Loads the configuration, runs the boot.d
 * init hooks, opens the store (in a temporary directory with
 * --persistence 0), listens, and runs the libevent loop: start.d hooks,
 * then the log line "Ready." (what LocalStack's users wait for), then
 * ready.d hooks. On SIGTERM/SIGINT it runs the shutdown.d hooks while still
 * serving, then stops accepting, lets in-flight requests finish (up to
 * 10 s), drains the store's commit queue and exits. Also schedules the blob
 * garbage collector. `cloudless health` is the container health check
 * (health_probe.c). */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/core/config.h"
#include "server/core/event_bus.h"
#include "server/core/health_probe.h"
#include "server/core/http_conn.h"
#include "server/core/init_hooks.h"
#include "server/events/entry.h"
#include "server/lambda/entry.h"
#include "server/logs/logs.h"
#include "server/dynamodb/dynamodb.h"
#include "server/core/log.h"
#include "server/s3/entry.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "server/sqs/entry.h"
#include "storage/core/store.h"
#include "storage/core/clock.h"
#include "protocol/core/uuid.h"

#define GC_INTERVAL_S 600
#define GC_TMP_AGE_S 3600
#define SHUTDOWN_GRACE_MS 10000

struct runtime {
    struct server srv;
    struct event *store_event;
    struct event *gc_timer;
    struct event *shutdown_timer;
    struct s3_lifecycle *lifecycle;
    struct event *sig_term, *sig_int;
    struct evconnlistener *listener;
    struct listener_ctx lctx;
    int64_t shutdown_started_ms;
    bool shutdown_hooks_started;
    char *temp_data_dir;           /* --persistence 0: removed at exit */
    char endpoint[300];            /* this server's URL, for init hooks */
};

static void store_notify(void *arg) { event_active(arg, EV_READ, 0); }

static void on_store_ready(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    store_dispatch_completions(arg);
}

static void gc_done(void *arg, bool ok, size_t removed)
{
    (void)arg;
    if (!ok)
        log_warn("garbage collection failed: error");
    else if (removed)
        log_info("garbage collection removed %zu files", removed);
}

static void on_gc_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct runtime *rt = arg;
    if (store_gc(rt->srv.store, GC_TMP_AGE_S, gc_done, rt) < 0)
        log_warn("could not schedule garbage collection");
}

static void on_shutdown_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct runtime *rt = arg;
    if (rt->srv.n_requests == 0 || clock_now_ms() - rt->shutdown_started_ms > SHUTDOWN_GRACE_MS) {
        if (rt->srv.n_requests)
            log_warn("stopping with %d requests still in flight", rt->srv.n_requests);
        event_base_loopbreak(rt->srv.base);
    }
}

/* Stops accepting and lets in-flight requests finish (on_shutdown_tick). */
static void begin_stop(void *arg)
{
    struct runtime *rt = arg;
    if (rt->srv.shutting_down)
        return;
    rt->srv.shutting_down = true;
    sqs_service_shutdown(rt->srv.sqs);
    lambda_service_shutdown(rt->srv.lambda);
    rt->shutdown_started_ms = clock_now_ms();
    if (rt->listener) {
        evconnlistener_free(rt->listener);
        rt->listener = NULL;
    }
    struct timeval tv = {0, 20000};
    event_add(rt->shutdown_timer, &tv);
}

/* The first signal runs the shutdown.d hooks, still serving, then stops; a
 * second one (or a signal while other hooks still run) stops at once. */
static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct runtime *rt = arg;
    if (rt->srv.shutting_down)
        return;
    if (!rt->shutdown_hooks_started && !init_hooks_busy(rt->srv.init)) {
        rt->shutdown_hooks_started = true;
        log_info("signal %d: running shutdown hooks, then finishing in-flight requests and stopping", (int)sig);
        init_hooks_run(rt->srv.init, rt->srv.base, INIT_SHUTDOWN, rt->endpoint, begin_stop, rt);
        return;
    }
    log_info("signal %d: finishing in-flight requests, then stopping", (int)sig);
    begin_stop(rt);
}

static void ready_hooks_done(void *arg)
{
    (void)arg;
}

/* start.d has run: the server serves; say so, then run ready.d. */
static void start_hooks_done(void *arg)
{
    struct runtime *rt = arg;
    if (rt->srv.shutting_down || rt->shutdown_hooks_started)
        return;
    log_info("Ready.");
    init_hooks_run(rt->srv.init, rt->srv.base, INIT_READY, rt->endpoint, ready_hooks_done, rt);
}

static void on_loop_started(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct runtime *rt = arg;
    init_hooks_run(rt->srv.init, rt->srv.base, INIT_START, rt->endpoint, start_hooks_done, rt);
}

static SSL_CTX *make_tls(const struct config *cfg)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->tls_cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, cfg->tls_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        char err[256];
        ERR_error_string_n(ERR_get_error(), err, sizeof(err));
        log_error("cannot load TLS certificate %s / key %s: %s", cfg->tls_cert, cfg->tls_key, err);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("cannot raise the open-file limit: %s", strerror(errno));
    }
}

static int setup(struct runtime *rt, struct config *cfg)
{
    struct server *srv = &rt->srv;
    srv->cfg = cfg;
    srv->started_ms = clock_now_ms();
    uuid_v4(srv->session_id);
    srv->services_off = service_disabled_mask(cfg->services);
    if (cfg->services)
        log_info("serving only SERVICES=%s", cfg->services);
    if (asprintf(&srv->vhost_storage, "s3.%s", cfg->domain) < 0)
        return -1;
    /* Virtual-hosted buckets under the configured domain, s3.localhost and
     * LocalStack's s3.localhost.localstack.cloud. */
    size_t n_vhost = 0;
    srv->vhost_domains[n_vhost++] = srv->vhost_storage;
    static const char *const usual_domains[] = {"s3.localhost", "s3.localhost.localstack.cloud"};
    for (size_t i = 0; i < 2; i++)
        if (strcmp(srv->vhost_storage, usual_domains[i]) != 0)
            srv->vhost_domains[n_vhost++] = usual_domains[i];
    srv->vhost_domains[n_vhost] = NULL;
    if (!(srv->init = init_hooks_new(cfg))) {
        log_error("out of memory reading the init hooks");
        return -1;
    }
    init_hooks_run_blocking(srv->init, INIT_BOOT);
    if (!cfg->persistence) {
        const char *tmp = getenv("TMPDIR");
        if (asprintf(&rt->temp_data_dir, "%s/cloudless-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
            !mkdtemp(rt->temp_data_dir)) {
            log_error("cannot create a temporary data directory: %s", strerror(errno));
            free(rt->temp_data_dir);
            rt->temp_data_dir = NULL;
            return -1;
        }
        char *dir = strdup(rt->temp_data_dir);
        if (!dir)
            return -1;
        free(cfg->data_dir);
        cfg->data_dir = dir;
    }
    if (mkdir(cfg->data_dir, 0755) < 0 && errno != EEXIST) {
        log_error("cannot create data directory %s: %s", cfg->data_dir, strerror(errno));
        return -1;
    }
    char err[512];
    if (store_open(cfg->data_dir, &srv->store, err, sizeof(err)) < 0) {
        log_error("cannot open the store in %s: %s", cfg->data_dir, err);
        return -1;
    }
    if (evthread_use_pthreads() < 0 || !(srv->base = event_base_new())) {
        log_error("cannot create the event loop");
        return -1;
    }
    log_set_event_base(srv->base);
    rt->store_event = event_new(srv->base, -1, 0, on_store_ready, srv->store);
    rt->gc_timer = event_new(srv->base, -1, EV_PERSIST, on_gc_timer, rt);
    rt->shutdown_timer = event_new(srv->base, -1, EV_PERSIST, on_shutdown_tick, rt);
    rt->sig_term = evsignal_new(srv->base, SIGTERM, on_signal, rt);
    rt->sig_int = evsignal_new(srv->base, SIGINT, on_signal, rt);
    if (!rt->store_event || !rt->gc_timer || !rt->shutdown_timer || !rt->sig_term || !rt->sig_int) {
        log_error("cannot create events");
        return -1;
    }
    store_set_notifier(srv->store, store_notify, rt->store_event);
    if (!(srv->sqs = sqs_service_new(srv, err, sizeof(err)))) {
        log_error("cannot start SQS: %s", err);
        return -1;
    }
    if (!(srv->bus = event_bus_new(srv)) || s3_notification_start(srv) < 0) {
        log_error("cannot start the S3 event bus");
        return -1;
    }
    if (!(srv->logs = logs_service_new(srv, err, sizeof(err)))) {
        log_error("cannot start CloudWatch Logs: %s", err);
        return -1;
    }
    if (!(srv->dynamodb = ddb_service_new(srv, err, sizeof(err)))) {
        log_error("cannot start DynamoDB: %s", err);
        return -1;
    }
    event_add(rt->sig_term, NULL);
    event_add(rt->sig_int, NULL);
    if (!(rt->lifecycle = s3_lifecycle_start(srv))) {
        log_error("cannot start the S3 lifecycle sweep");
        return -1;
    }
    struct timeval gc_every = {GC_INTERVAL_S, 0};
    event_add(rt->gc_timer, &gc_every);
    /* Sweep what a crash may have left, at once: no upload is under way
     * yet, so every temp file is debris. */
    if (store_gc(srv->store, 0, gc_done, rt) < 0)
        log_warn("could not schedule garbage collection");
    rt->lctx.srv = srv;
    if (cfg->tls_cert && !(rt->lctx.ssl_ctx = make_tls(cfg)))
        return -1;
    rt->listener = http_listen(&rt->lctx, cfg->host, cfg->port);
    if (!rt->listener)
        return -1;
    /* Functions reach this endpoint through AWS_ENDPOINT_URL. */
    cfg->port = http_listener_port(rt->listener);
    if (!(srv->lambda = lambda_service_new(srv, err, sizeof(err)))) {
        log_error("cannot start Lambda: %s", err);
        return -1;
    }
    if (!(srv->events = events_service_new(srv, err, sizeof(err)))) {
        log_error("cannot start EventBridge: %s", err);
        return -1;
    }
    log_info("cloudless %s listening on %s://%s:%d, data in %s%s", CLOUDLESS_VERSION,
             cfg->tls_cert ? "https" : "http", cfg->host, http_listener_port(rt->listener), cfg->data_dir,
             rt->temp_data_dir ? " (removed at exit: persistence 0)" : "");
    const char *host = cfg->host;
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    snprintf(rt->endpoint, sizeof(rt->endpoint), "%s://%s%s%s:%d", cfg->tls_cert ? "https" : "http",
             strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", cfg->port);
    struct timeval now = {0, 0};
    if (event_base_once(srv->base, -1, EV_TIMEOUT, on_loop_started, rt, &now) < 0) {
        log_error("cannot schedule the init hooks");
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
        log_warn("cannot remove %s: %s", path, strerror(errno));
    return 0;
}

static void remove_temp_data_dir(struct runtime *rt)
{
    if (!rt->temp_data_dir)
        return;
    nftw(rt->temp_data_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(rt->temp_data_dir);
    rt->temp_data_dir = NULL;
}

static void teardown(struct runtime *rt)
{
    if (rt->listener)
        evconnlistener_free(rt->listener);
    /* Store completions may still answer requests: run them, then free the
     * connections (whose requests may hold upload writers), then the store. */
    lambda_service_shutdown(rt->srv.lambda);
    logs_service_flush(rt->srv.logs);
    store_stop(rt->srv.store);
    http_close_all(&rt->srv);
    s3_lifecycle_stop(rt->lifecycle);
    if (rt->srv.store)
        store_close(rt->srv.store);
    sqs_service_free(rt->srv.sqs);
    event_bus_free(rt->srv.bus);
    events_service_free(rt->srv.events);
    lambda_service_free(rt->srv.lambda);
    logs_service_free(rt->srv.logs);
    ddb_service_free(rt->srv.dynamodb);
    struct event *events[] = {rt->store_event, rt->gc_timer, rt->shutdown_timer, rt->sig_term, rt->sig_int};
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
        if (events[i])
            event_free(events[i]);
    log_set_event_base(NULL);
    if (rt->srv.base)
        event_base_free(rt->srv.base);
    if (rt->lctx.ssl_ctx)
        SSL_CTX_free(rt->lctx.ssl_ctx);
    free(rt->srv.vhost_storage);
    init_hooks_free(rt->srv.init);
    remove_temp_data_dir(rt);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list-operations") == 0) {
        service_list_operations(stdout);
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "health") == 0)
        return health_probe_main(argc - 1, argv + 1);
    struct config cfg;
    int rc = config_load(&cfg, argc, argv);
    if (rc != 0) {
        config_free(&cfg);
        return rc > 0 ? 0 : 2;
    }
    int level = log_level_from_name(cfg.log_level);
    if (level < 0) {
        fprintf(stderr, "cloudless: unknown log level '%s'\n", cfg.log_level);
        config_free(&cfg);
        return 2;
    }
    log_set_level((enum log_level)level);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    struct runtime rt;
    memset(&rt, 0, sizeof(rt));
    int status = 0;
    if (setup(&rt, &cfg) == 0) {
        event_base_dispatch(rt.srv.base);
        log_info("stopped");
    } else {
        status = 1;
    }
    teardown(&rt);
    config_free(&cfg);
    return status;
}
