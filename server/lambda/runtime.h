/* runtime: what the execution environment files share — server/lambda/
 * runtime.c (pools, environments, invocations) and runtime_api.c (the
 * Runtime API each environment talks to). Internal to those two files. */
#ifndef CLOUDLESS_SERVER_LAMBDA_RUNTIME_H
#define CLOUDLESS_SERVER_LAMBDA_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "server/core/http_conn.h"
#include "server/lambda/lambda.h"

struct invocation {
    struct invocation *next;
    struct lambda_exec_config *cfg;
    char request_id[37];
    char *invoked_arn;
    char *payload;
    size_t len;
    char *client_context;
    lambda_invoke_done done;
    void *arg;
    struct strbuf tail;
    int64_t logged;
    bool truncated;
    int64_t start_us;
    int64_t queued_us;             /* when it joined its pool's queue */
    int64_t deadline_ms;
};

enum env_state { ENV_STARTING, ENV_IDLE, ENV_BUSY, ENV_DYING };

struct pool;
struct slot;

struct env {
    struct env *next;
    struct pool *pool;
    struct slot *slot;
    struct lambda_runtime *rt;
    enum env_state state;
    pid_t pid;
    int pidfd;
    int statm_fd;                  /* /proc/<pid>/statm, read for each REPORT */
    int64_t max_rss_kib;           /* the largest resident size seen */
    struct event *exit_ev;
    int out_fd;
    struct event *out_ev;
    struct event *timeout_ev;
    struct strbuf line;
    struct http_req *next_req;     /* parked GET /next */
    struct invocation *inv;        /* assigned */
    bool delivered;
    bool cold;                     /* its first invocation: REPORT shows Init Duration */
    int64_t spawned_us;
    int64_t init_us;               /* spawn to first GET /next */
    int64_t idle_since_us;         /* when it last became idle */
    int64_t credentials_expire_ms; /* its execution role credentials' expiry; 0: the account's keys */
    const char *lang;              /* "python", "node" or "provided" */
    char **learn_exe;              /* where to remember the interpreter, if not yet known */
    int64_t untracked_logged;      /* output outside any invocation */
    char stream[160];
    char group[300];
};

struct pool {
    struct pool *next;
    struct lambda_runtime *rt;
    struct lambda_exec_config *cfg;
    struct env *envs;
    int n_live;                    /* environments not dying */
    struct invocation *pending, *pending_tail;
    struct event *spawn_timer;     /* scale-out for the queue's head (env_schedule) */
    bool retired;
    bool awaiting_credentials;     /* a new environment waits for its role's credentials */
};

struct slot {
    struct listener_ctx lc;
    struct evconnlistener *listener;
    int port;
    struct env *env;
};

struct lambda_runtime {
    struct lambda_service *svc;
    struct pool *pools;
    struct slot **slots;
    size_t n_slots;
    bool stopping;
    uid_t run_uid;
    gid_t run_gid;
    bool switch_user;
    char endpoint[128];
    int eager_busy;                /* busy environments a pool takes on without waiting */
    struct event *reap_timer;      /* stops environments idle past the idle timeout */
    char *python_exe;              /* the interpreters behind lambda_python / lambda_node */
    char *node_exe;
};

/* ---- server/lambda/runtime.c ------------------------------------------------------- */

/* Hands the pool's queued invocations to environments (see runtime.c). */
void runtime_pool_schedule(struct pool *p);
/* Sends the assigned invocation to the environment's parked GET /next. */
void runtime_env_deliver(struct env *e);
/* Ends the environment's current invocation with a result. */
void runtime_env_finish(struct env *e, const char *payload, size_t len, const char *function_error);
/* Ends it with {"errorType", "errorMessage"} as an Unhandled error. */
void runtime_env_fail(struct env *e, const char *error_type, const char *message);
/* Kills the environment's process group; its exit event frees it. */
void runtime_env_kill(struct env *e);

/* ---- server/lambda/runtime_api.c --------------------------------------------------- */

/* A slot with no environment, its listener created when the slot is new;
 * NULL when none can be made. */
struct slot *runtime_slot_get(struct lambda_runtime *rt);
/* Closes every slot's listener (the runtime is being freed). */
void runtime_slots_free(struct lambda_runtime *rt);

#endif
