/* status: the process's own endpoints, answered before any service sees
 * the request, under cloudless's names and LocalStack's (tools written for
 * LocalStack probe these):
 *
 *   GET /_cloudless/health, /_localstack/health   every service, "running"
 *                                                 or "disabled" (SERVICES)
 *   GET /_localstack/info                         version, uptime, session
 *   GET /_localstack/init[/<stage>]               the init hooks' states
 *                                                 (init_hooks.h) */
#include "server/core/status.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/core/dates.h"
#include "protocol/core/json.h"
#include "protocol/core/strbuf.h"
#include "server/core/init_hooks.h"
#include "server/core/server.h"
#include "server/core/service.h"
#include "storage/core/clock.h"

static void send_json(struct http_req *req, const char *op, struct strbuf *sb)
{
    req->op_name = op;
    req->service = "cloudless";
    if (strbuf_failed(sb))
        http_resp_send(req, 500, NULL, NULL, 0);
    else
        http_resp_send(req, 200, "application/json", sb->data, sb->len);
    strbuf_free(sb);
}

static void answer_health(struct http_req *req)
{
    struct server *srv = req->srv;
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_object_open(&w, "services");
    for (size_t i = 0; cloudless_services[i]; i++)
        jw_string(&w, cloudless_services[i]->name, srv->services_off & (1u << i) ? "disabled" : "running");
    jw_object_close(&w);
    jw_string(&w, "edition", "cloudless");
    jw_string(&w, "version", CLOUDLESS_VERSION);
    jw_int(&w, "uptime_ms", clock_now_ms() - srv->started_ms);
    jw_int(&w, "connections", srv->n_conns);
    jw_object_close(&w);
    send_json(req, "Health", &sb);
}

static void answer_info(struct http_req *req)
{
    struct server *srv = req->srv;
    char now[32], host[256] = "";
    int64_t ms = clock_now_ms();
    date_iso8601(ms, now);
    if (gethostname(host, sizeof(host) - 1) < 0)
        host[0] = '\0';
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "version", CLOUDLESS_VERSION);
    jw_string(&w, "edition", "cloudless");
    jw_bool(&w, "is_license_activated", false);
    jw_string(&w, "session_id", srv->session_id);
    jw_string(&w, "machine_id", host);
    jw_string(&w, "system", "linux");
    jw_bool(&w, "is_docker", access("/.dockerenv", F_OK) == 0 || access("/run/.containerenv", F_OK) == 0);
    jw_string(&w, "server_time_utc", now);
    jw_int(&w, "uptime", (ms - srv->started_ms) / 1000);
    jw_object_close(&w);
    send_json(req, "Info", &sb);
}

static void answer_init(struct http_req *req, const char *stage_name)
{
    int stage = -1;
    if (*stage_name && (stage = init_stage_from_name(stage_name, strlen(stage_name))) < 0) {
        static const char body[] = "{\"error\": \"no such stage\"}";
        req->op_name = "Init";
        req->service = "cloudless";
        http_resp_send(req, 404, "application/json", body, sizeof(body) - 1);
        return;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    init_hooks_report(req->srv->init, stage, &sb);
    send_json(req, "Init", &sb);
}

bool status_handle(struct http_req *req)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        return false;
    const char *p = req->path;
    if (strcmp(p, "/_cloudless/health") == 0 || strcmp(p, "/_localstack/health") == 0)
        answer_health(req);
    else if (strcmp(p, "/_localstack/info") == 0)
        answer_info(req);
    else if (strcmp(p, "/_localstack/init") == 0)
        answer_init(req, "");
    else if (strncmp(p, "/_localstack/init/", 18) == 0)
        answer_init(req, p + 18);
    else
        return false;
    return true;
}
