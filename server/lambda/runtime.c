/* lambda_runtime: execution environments — handler processes speaking the
 * Lambda Runtime API (runtime_api.c serves it) — and the invocations they
 * run.
 *
 * Pools: invocations of one (account, function, version, revision) share a
 * pool of environments. An invocation goes to an environment that is
 * waiting, else it queues in the pool; a new environment is started for it
 * when none comes free within a few milliseconds, while the pool is below
 * its concurrency (see runtime_pool_schedule). A changed or deleted
 * function retires its pools: idle environments stop, busy ones after they
 * answer.
 *
 * Environments: a child process (vfork + execve, its own process group, an
 * explicit environment, RLIMIT_DATA from MemorySize, optionally another
 * user) whose stdout and stderr share one non-blocking pipe read by an
 * event: complete lines become log events of the environment's stream in
 * /aws/lambda/<name> (at most LOG_CAP bytes per invocation, then one
 * truncation line) and the invocation's tail for LogType Tail. Exit is seen
 * through a pidfd, so reaping never blocks and no SIGCHLD handler is
 * needed. Each environment has a slot: a private loopback listener for its
 * Runtime API. A timer enforces Timeout: the process group is killed and
 * the next invocation gets a fresh process.
 *
 * Interpreters: when the configured python or node is a wrapper that execs
 * the real interpreter (pyenv's shims are bash scripts costing tens of ms),
 * the interpreter learnt from the first environment (runtime_api.c) is
 * started directly by later ones. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/rand.h>

#include "protocol/core/hex.h"
#include "server/core/log.h"
#include "server/core/server.h"
#include "server/lambda/runtime.h"
#include "server/logs/logs.h"

#define LOG_CAP (1024 * 1024)          /* log bytes kept per invocation */
#define LINE_MAX_BYTES (256 * 1024)    /* CloudWatch's largest event */
#define MEMORY_SLACK_MB 64             /* the interpreter's own data, beyond MemorySize */

/* ---- configuration snapshots -------------------------------------------------------- */

static int copy_kvs(const struct lambda_kv *src, size_t n, struct lambda_kv **out)
{
    *out = NULL;
    if (!n)
        return 0;
    struct lambda_kv *kv = calloc(n, sizeof(*kv));
    if (!kv)
        return -1;
    for (size_t i = 0; i < n; i++) {
        kv[i].key = strdup(src[i].key);
        kv[i].value = strdup(src[i].value);
        if (!kv[i].key || !kv[i].value) {
            lambda_kvs_free(kv, n);
            return -1;
        }
    }
    *out = kv;
    return 0;
}

struct lambda_exec_config *lambda_exec_config_new(struct lambda_service *svc,
                                                  const struct lambda_function *fn,
                                                  const struct lambda_version *v)
{
    struct lambda_exec_config *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->refs = 1;
    memcpy(c->account, fn->account, sizeof(c->account));
    char arn[512], dir[4096];
    lambda_function_arn(svc, fn, NULL, arn, sizeof(arn));
    lambda_code_dir(svc, v->code_sha_hex, dir, sizeof(dir));
    c->name = strdup(fn->name);
    c->version = strdup(v->version);
    c->revision_id = strdup(v->revision_id);
    c->runtime = strdup(v->runtime);
    c->handler = strdup(v->handler);
    c->code_dir = strdup(dir);
    c->function_arn = strdup(arn);
    c->role = strdup(v->role ? v->role : "");
    c->timeout_s = v->timeout_s;
    c->memory_mb = v->memory_mb;
    c->concurrency = fn->reserved_concurrency >= 0 ? fn->reserved_concurrency
                                                   : svc->srv->cfg->lambda_max_concurrency;
    c->n_env = v->n_env;
    if (!c->name || !c->version || !c->revision_id || !c->runtime || !c->handler || !c->code_dir ||
        !c->function_arn || !c->role || copy_kvs(v->env, v->n_env, &c->env) < 0) {
        c->n_env = 0;
        lambda_exec_config_unref(c);
        return NULL;
    }
    return c;
}

void lambda_exec_config_unref(struct lambda_exec_config *c)
{
    if (!c || --c->refs > 0)
        return;
    free(c->name);
    free(c->version);
    free(c->revision_id);
    free(c->runtime);
    free(c->handler);
    free(c->code_dir);
    free(c->function_arn);
    free(c->role);
    lambda_kvs_free(c->env, c->n_env);
    free(c);
}

/* ---- invocations -------------------------------------------------------------------- */

static void inv_free(struct invocation *inv)
{
    lambda_exec_config_unref(inv->cfg);
    free(inv->invoked_arn);
    free(inv->payload);
    free(inv->client_context);
    strbuf_free(&inv->tail);
    free(inv);
}

static void tail_append(struct invocation *inv, const char *s, size_t len)
{
    strbuf_append(&inv->tail, s, len);
    if (inv->tail.len > 4 * LAMBDA_TAIL_BYTES) {
        size_t keep = LAMBDA_TAIL_BYTES;
        memmove(inv->tail.data, inv->tail.data + inv->tail.len - keep, keep);
        inv->tail.len = keep;
        inv->tail.data[keep] = '\0';
    }
}

/* One line of the environment's log: to CloudWatch Logs and to the tail. */
static void env_log(struct env *e, const char *s, size_t len)
{
    struct invocation *inv = e->delivered ? e->inv : NULL;
    int64_t *logged = inv ? &inv->logged : &e->untracked_logged;
    if (*logged >= LOG_CAP) {
        if (inv && !inv->truncated) {
            inv->truncated = true;
            static const char note[] = "[cloudless] log output truncated: this invocation wrote more than 1048576 bytes";
            logs_put(e->rt->svc->srv->logs, e->pool->cfg->account, e->group, e->stream, clock_now_ms(), note,
                     sizeof(note) - 1);
            tail_append(inv, note, sizeof(note) - 1);
            tail_append(inv, "\n", 1);
        }
        return;
    }
    *logged += (int64_t)len;
    logs_put(e->rt->svc->srv->logs, e->pool->cfg->account, e->group, e->stream, clock_now_ms(), s, len);
    if (inv) {
        tail_append(inv, s, len);
        tail_append(inv, "\n", 1);
    }
}

static void env_logf(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void env_logf(struct env *e, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    /* Runtime lines are never truncated away. */
    struct invocation *inv = e->delivered ? e->inv : NULL;
    logs_put(e->rt->svc->srv->logs, e->pool->cfg->account, e->group, e->stream, clock_now_ms(), buf, len);
    if (inv) {
        tail_append(inv, buf, len);
        tail_append(inv, "\n", 1);
    }
}

/* Moves complete lines out of e->line. */
static void flush_lines(struct env *e, bool all)
{
    size_t start = 0;
    for (size_t i = 0; i < e->line.len; i++) {
        if (e->line.data[i] == '\n') {
            env_log(e, e->line.data + start, i - start);
            start = i + 1;
        }
    }
    if ((all || e->line.len - start > LINE_MAX_BYTES) && start < e->line.len) {
        env_log(e, e->line.data + start, e->line.len - start);
        start = e->line.len;
    }
    if (start) {
        memmove(e->line.data, e->line.data + start, e->line.len - start);
        e->line.len -= start;
        if (e->line.data)
            e->line.data[e->line.len] = '\0';
    }
}

/* Reads what the pipe holds now (bounded per call so a chatty handler
 * cannot monopolise the loop); returns false at EOF or error. */
static bool read_output(struct env *e, size_t budget)
{
    char buf[65536];
    while (budget) {
        ssize_t r = read(e->out_fd, buf, sizeof(buf));
        if (r > 0) {
            strbuf_append(&e->line, buf, (size_t)r);
            flush_lines(e, false);
            budget = budget > (size_t)r ? budget - (size_t)r : 0;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
    return true;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct env *e = arg;
    if (!read_output(e, 1 << 20)) {
        flush_lines(e, true);
        event_del(e->out_ev);
    }
}

/* Takes everything written so far, so the handler's output precedes END. */
static void drain_output(struct env *e)
{
    if (e->out_fd >= 0)
        read_output(e, SIZE_MAX);
    flush_lines(e, true);
}

/* "Max Memory Used" of the REPORT line: the largest resident size of the
 * environment's process seen at the end of its invocations, in MiB (0 when
 * unknown). /proc/<pid>/statm (kept open, read again from offset 0) is
 * cheap to produce where status, which has the kernel's own peak, cost a
 * tenth of the loop's time in warm invokes; a peak reached and given back
 * inside one invocation is missed. */
static int64_t max_memory_mb(struct env *e)
{
    if (e->statm_fd < 0) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/statm", (int)e->pid);
        e->statm_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (e->statm_fd < 0)
            return 0;
    }
    char buf[128];
    ssize_t n = pread(e->statm_fd, buf, sizeof(buf) - 1, 0);
    if (n > 0) {
        buf[n] = '\0';
        long long size_pages = 0, resident_pages = 0;
        if (sscanf(buf, "%lld %lld", &size_pages, &resident_pages) == 2) {
            int64_t kib = resident_pages * (sysconf(_SC_PAGESIZE) / 1024);
            if (kib > e->max_rss_kib)
                e->max_rss_kib = kib;
        }
    }
    return (e->max_rss_kib + 1023) / 1024;
}

static void write_end_report(struct env *e, struct invocation *inv)
{
    double ms = (double)(clock_now_us() - inv->start_us) / 1000.0;
    env_logf(e, "END RequestId: %s", inv->request_id);
    char init[64] = "";
    if (e->cold)
        snprintf(init, sizeof(init), "\tInit Duration: %.2f ms", (double)e->init_us / 1000.0);
    env_logf(e, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\tMax Memory Used: %lld MB%s\t",
             inv->request_id, ms, (long long)(ms + 0.999), inv->cfg->memory_mb,
             (long long)max_memory_mb(e), init);
    e->cold = false;
}

/* Hands the result to the invoker and frees the invocation. */
static void inv_complete(struct invocation *inv, const char *payload, size_t len, const char *function_error)
{
    const char *tail = inv->tail.data ? inv->tail.data : "";
    size_t tail_len = inv->tail.len;
    if (tail_len > LAMBDA_TAIL_BYTES) {
        tail += tail_len - LAMBDA_TAIL_BYTES;
        tail_len = LAMBDA_TAIL_BYTES;
    }
    struct lambda_result r = {
        .payload = payload,
        .len = len,
        .function_error = function_error,
        .log_tail = tail,
        .log_tail_len = tail_len,
    };
    inv->done(inv->arg, &r);
    inv_free(inv);
}

/* Ends the environment's current invocation with a result. */
void runtime_env_finish(struct env *e, const char *payload, size_t len, const char *function_error)
{
    struct invocation *inv = e->inv;
    if (!inv)
        return;
    drain_output(e);
    if (e->delivered)
        write_end_report(e, inv);
    evtimer_del(e->timeout_ev);
    e->inv = NULL;
    e->delivered = false;
    inv_complete(inv, payload, len, function_error);
}

/* {"errorType": ..., "errorMessage": ...} into sb. */
static void error_json(struct strbuf *sb, const char *error_type, const char *message)
{
    struct json_writer w;
    jw_init(&w, sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "errorType", error_type);
    jw_string(&w, "errorMessage", message);
    jw_object_close(&w);
}

/* Fails an invocation that never reached an environment. */
static void inv_fail(struct invocation *inv, const char *error_type, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    error_json(&sb, error_type, message);
    inv_complete(inv, sb.data ? sb.data : "{}", sb.data ? sb.len : 2, "Unhandled");
    strbuf_free(&sb);
}

void runtime_env_fail(struct env *e, const char *error_type, const char *message)
{
    struct strbuf sb;
    strbuf_init(&sb);
    error_json(&sb, error_type, message);
    runtime_env_finish(e, sb.data ? sb.data : "{}", sb.data ? sb.len : 2, "Unhandled");
    strbuf_free(&sb);
}

/* ---- environment life --------------------------------------------------------------- */

static void pool_free(struct lambda_runtime *rt, struct pool *p)
{
    for (struct pool **pp = &rt->pools; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    if (p->spawn_timer)
        event_free(p->spawn_timer);
    lambda_exec_config_unref(p->cfg);
    free(p);
}

/* What an environment holds of its own: its slot, events, descriptors. */
static void env_release(struct env *e)
{
    if (e->slot)
        e->slot->env = NULL;
    if (e->exit_ev)
        event_free(e->exit_ev);
    if (e->out_ev)
        event_free(e->out_ev);
    if (e->timeout_ev)
        event_free(e->timeout_ev);
    if (e->pidfd >= 0)
        close(e->pidfd);
    if (e->statm_fd >= 0)
        close(e->statm_fd);
    if (e->out_fd >= 0)
        close(e->out_fd);
    strbuf_free(&e->line);
    free(e);
}

static void env_free(struct env *e)
{
    struct pool *p = e->pool;
    struct lambda_runtime *rt = e->rt;
    for (struct env **pp = &p->envs; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    }
    if (e->state != ENV_DYING)
        p->n_live--;
    if (e->next_req) {
        http_resp_send(e->next_req, 410, NULL, NULL, 0);
        e->next_req = NULL;
    }
    env_release(e);
    if (!rt->stopping) {
        if (p->retired && !p->envs && !p->pending)
            pool_free(rt, p);
        else
            runtime_pool_schedule(p);
    }
}

static void describe_exit(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exit status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "signal: %s", WTERMSIG(status) == SIGKILL ? "killed" : strsignal(WTERMSIG(status)));
    else
        snprintf(out, cap, "exited");
}

static void on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct env *e = arg;
    int status = 0;
    pid_t r = waitpid(e->pid, &status, WNOHANG);
    if (r == 0)
        return;
    drain_output(e);
    if (e->inv) {
        char how[64], msg[200];
        describe_exit(status, how, sizeof(how));
        snprintf(msg, sizeof(msg), "RequestId: %s Error: Runtime exited with error: %s", e->inv->request_id, how);
        env_logf(e, "%s", msg);
        env_logf(e, "Runtime.ExitError");
        runtime_env_fail(e, "Runtime.ExitError", msg);
    }
    env_free(e);
}

void runtime_env_kill(struct env *e)
{
    if (e->state != ENV_DYING) {
        e->state = ENV_DYING;
        e->pool->n_live--;
    }
    if (kill(-e->pid, SIGKILL) < 0 && errno != ESRCH)
        log_warn("lambda: cannot kill environment %d: %s", (int)e->pid, strerror(errno));
    if (e->next_req) {
        http_resp_send(e->next_req, 410, NULL, NULL, 0);
        e->next_req = NULL;
    }
}

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct env *e = arg;
    if (!e->inv)
        return;
    char stamp[32], msg[200];
    date_iso8601(clock_now_ms(), stamp);
    snprintf(msg, sizeof(msg), "%s %s Task timed out after %d.00 seconds", stamp, e->inv->request_id,
             e->inv->cfg->timeout_s);
    drain_output(e);
    env_logf(e, "%s", msg);
    struct strbuf sb;
    strbuf_init(&sb);
    struct json_writer w;
    jw_init(&w, &sb);
    jw_object_open(&w, NULL);
    jw_string(&w, "errorMessage", msg);
    jw_object_close(&w);
    runtime_env_kill(e);
    runtime_env_finish(e, sb.data ? sb.data : "{}", sb.data ? sb.len : 2, "Unhandled");
    strbuf_free(&sb);
}

/* ---- spawning ----------------------------------------------------------------------- */

struct envp {
    char **items;
    size_t n, cap;
    bool oom;
};

static void envp_add(struct envp *ep, const char *name, const char *value)
{
    if (ep->oom || !value)
        return;
    for (size_t i = 0; i < ep->n; i++) {
        size_t nl = strlen(name);
        if (strncmp(ep->items[i], name, nl) == 0 && ep->items[i][nl] == '=') {
            free(ep->items[i]);
            if (asprintf(&ep->items[i], "%s=%s", name, value) < 0) {
                ep->items[i] = NULL;
                ep->oom = true;
            }
            return;
        }
    }
    if (ep->n + 2 > ep->cap) {
        size_t cap = ep->cap ? ep->cap * 2 : 48;
        char **grown = realloc(ep->items, cap * sizeof(*grown));
        if (!grown) {
            ep->oom = true;
            return;
        }
        ep->items = grown;
        ep->cap = cap;
    }
    if (asprintf(&ep->items[ep->n], "%s=%s", name, value) < 0) {
        ep->oom = true;
        return;
    }
    ep->items[++ep->n] = NULL;
}

static void envp_free(struct envp *ep)
{
    for (size_t i = 0; i < ep->n; i++)
        free(ep->items[i]);
    free(ep->items);
}

static const struct access_key *account_key(const struct config *cfg, const char *account)
{
    for (size_t i = cfg->n_keys; i-- > 0;)
        if (strcmp(cfg->keys[i].account, account) == 0)
            return &cfg->keys[i];
    return NULL;
}

/* The documented Lambda variables, then the function's own (which may not
 * override the reserved ones, as on AWS). Credentials: the execution
 * role's (creds), else the account's keys. */
static int build_envp(struct lambda_runtime *rt, struct env *e, const char *lang,
                      const struct iam_role_credentials *creds, struct envp *ep)
{
    const struct lambda_exec_config *c = e->pool->cfg;
    const struct config *cfg = rt->svc->srv->cfg;
    char buf[4200];
    for (size_t i = 0; i < c->n_env; i++)
        envp_add(ep, c->env[i].key, c->env[i].value);
    envp_add(ep, "AWS_LAMBDA_FUNCTION_NAME", c->name);
    envp_add(ep, "AWS_LAMBDA_FUNCTION_VERSION", c->version);
    snprintf(buf, sizeof(buf), "%d", c->memory_mb);
    envp_add(ep, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", buf);
    envp_add(ep, "AWS_LAMBDA_LOG_GROUP_NAME", e->group);
    envp_add(ep, "AWS_LAMBDA_LOG_STREAM_NAME", e->stream);
    envp_add(ep, "AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
    envp_add(ep, "AWS_REGION", cfg->region);
    envp_add(ep, "AWS_DEFAULT_REGION", cfg->region);
    snprintf(buf, sizeof(buf), "AWS_Lambda_%s", c->runtime);
    if (strncmp(c->runtime, "provided", 8) != 0)    /* AWS leaves it undefined for OS-only runtimes */
        envp_add(ep, "AWS_EXECUTION_ENV", buf);
    envp_add(ep, "_HANDLER", c->handler);
    envp_add(ep, "LAMBDA_TASK_ROOT", c->code_dir);
    snprintf(buf, sizeof(buf), "%s/%s", rt->svc->runtimes_dir, lang);
    envp_add(ep, "LAMBDA_RUNTIME_DIR", buf);
    snprintf(buf, sizeof(buf), "127.0.0.1:%d", e->slot->port);
    envp_add(ep, "AWS_LAMBDA_RUNTIME_API", buf);
    envp_add(ep, "TZ", ":UTC");
    envp_add(ep, "LANG", "en_US.UTF-8");
    envp_add(ep, "PATH", getenv("PATH") ? getenv("PATH") : "/usr/local/bin:/usr/bin:/bin");
    envp_add(ep, "HOME", getenv("HOME"));
    envp_add(ep, "LD_LIBRARY_PATH", c->code_dir);
    const struct access_key *k = account_key(cfg, c->account);
    if (creds) {
        envp_add(ep, "AWS_ACCESS_KEY_ID", creds->key_id);
        envp_add(ep, "AWS_SECRET_ACCESS_KEY", creds->secret);
        envp_add(ep, "AWS_SESSION_TOKEN", creds->token);
    } else if (k) {
        envp_add(ep, "AWS_ACCESS_KEY_ID", k->access_key);
        envp_add(ep, "AWS_SECRET_ACCESS_KEY", k->secret);
        envp_add(ep, "AWS_SESSION_TOKEN", "cloudless");
    } else if (cfg->any_access_key) {      /* credentials = localstack: the account ID is a key of it */
        envp_add(ep, "AWS_ACCESS_KEY_ID", c->account);
        envp_add(ep, "AWS_SECRET_ACCESS_KEY", "test");
    }
    envp_add(ep, "AWS_ENDPOINT_URL", rt->endpoint);
    /* The handler's code, then the sitecustomize that points boto3 older
     * than 1.31 (which ignores AWS_ENDPOINT_URL) at this endpoint. */
    snprintf(buf, sizeof(buf), "%s:%s/python/site", c->code_dir, rt->svc->runtimes_dir);
    if (strcmp(lang, "python") == 0)
        envp_add(ep, "PYTHONPATH", buf);
    return ep->oom ? -1 : 0;
}

/* Which program starts the runtime: argv[0..2]; lang names the bootstrap dir. */
static int runtime_command(struct lambda_runtime *rt, const struct lambda_exec_config *c,
                           char *bootstrap, size_t cap, const char **program, const char **lang)
{
    const struct config *cfg = rt->svc->srv->cfg;
    if (strncmp(c->runtime, "python3", 7) == 0) {
        *lang = "python";
        *program = cfg->lambda_python;
        snprintf(bootstrap, cap, "%s/python/bootstrap.py", rt->svc->runtimes_dir);
    } else if (strncmp(c->runtime, "nodejs", 6) == 0) {
        *lang = "node";
        *program = cfg->lambda_node;
        snprintf(bootstrap, cap, "%s/node/bootstrap.js", rt->svc->runtimes_dir);
    } else if (strncmp(c->runtime, "provided", 8) == 0) {
        *lang = "provided";
        *program = NULL;
        snprintf(bootstrap, cap, "%s/bootstrap", c->code_dir);
    } else {
        return -1;
    }
    return 0;
}

/* In the child: only async-signal-safe calls until execve. */
/* The child's side of vfork(): it shares the server's memory until execve,
 * so it only makes system calls (no allocation, no stdio); the user switch
 * goes through raw syscalls because glibc's setuid() would signal the
 * server's other threads to switch them too. */
static void exec_child(struct lambda_runtime *rt, const struct lambda_exec_config *c, int out_fd,
                       char *const argv[], char *const envp[], const char *program_path, bool limit_memory)
{
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        _exit(127);
    if (chdir(c->code_dir) < 0)
        _exit(127);
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)(c->memory_mb + MEMORY_SLACK_MB) * 1024 * 1024;
    if (limit_memory)
        setrlimit(RLIMIT_DATA, &rl);
    if (rt->switch_user && (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setgid, rt->run_gid) < 0 ||
                            syscall(SYS_setuid, rt->run_uid) < 0))
        _exit(126);
    /* A function never outlives a server that is killed outright. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execve(program_path, argv, envp);
    _exit(127);
}

/* vfork, not fork: copying the page tables of a server holding a million
 * queued SQS messages took longer than the interpreter's own start (cold
 * start 45 -> 230 ms); the loop waits only until the child's execve. Kept
 * apart so that no caller's variable lives in the frame vfork returns to
 * twice. */
__attribute__((noinline)) static pid_t spawn_child(struct lambda_runtime *rt, const struct lambda_exec_config *c,
                                                   int out_fd, char *const argv[], char *const envp[],
                                                   const char *program_path, bool limit_memory)
{
    pid_t pid = vfork();
    if (pid == 0)
        exec_child(rt, c, out_fd, argv, envp, program_path, limit_memory);
    return pid;
}

/* PATH lookup of a program name (as execvp would), into out. */
static bool find_program(const char *name, char *out, size_t cap)
{
    if (strchr(name, '/')) {
        snprintf(out, cap, "%s", name);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t n = colon ? (size_t)(colon - path) : strlen(path);
        snprintf(out, cap, "%.*s/%s", (int)n, path, name);
        if (n && access(out, X_OK) == 0)
            return true;
        path += n + (colon ? 1 : 0);
    }
    return false;
}

static void stream_name(const struct lambda_exec_config *c, char *out, size_t cap)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof(r)) != 1)
        memset(r, 0, sizeof(r));
    char hex[33], day[32];
    hex_encode(r, sizeof(r), hex);
    date_iso8601(clock_now_ms(), day);     /* "2024-05-01T..." -> "2024/05/01" */
    day[4] = day[7] = '/';
    snprintf(out, cap, "%.10s/[%s]%s", day, c->version, hex);
}

/* Starts an environment for the pool (the caller assigns it work) with
 * the execution role's credentials (NULL: the account's keys); NULL when
 * the runtime cannot be started. */
static struct env *env_spawn(struct pool *p, struct lambda_runtime *rt, const struct iam_role_credentials *creds)
{
    const struct lambda_exec_config *c = p->cfg;
    struct env *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->rt = rt;
    e->pool = p;
    e->pidfd = e->out_fd = e->statm_fd = -1;
    e->cold = true;
    e->credentials_expire_ms = creds ? creds->expires_ms : 0;
    strbuf_init(&e->line);
    snprintf(e->group, sizeof(e->group), "/aws/lambda/%s", c->name);
    stream_name(c, e->stream, sizeof(e->stream));
    char bootstrap[4200], program_path[4200];
    const char *program = NULL, *lang = NULL;
    struct envp ep = {0};
    int pipefd[2] = {-1, -1};
    if (runtime_command(rt, c, bootstrap, sizeof(bootstrap), &program, &lang) < 0 ||
        (program && !find_program(program, program_path, sizeof(program_path))) ||
        !(e->slot = runtime_slot_get(rt)) || build_envp(rt, e, lang, creds, &ep) < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
        log_warn("lambda: cannot start an environment for %s (runtime %s)", c->name, c->runtime);
        goto fail;
    }
    e->slot->env = e;
    /* node reserves far more address space than it uses, so its heap is
     * bounded with --max-old-space-size (as AWS does) instead of RLIMIT_DATA. */
    bool node = strcmp(lang, "node") == 0;
    char **known_exe = !program ? NULL : node ? &rt->node_exe : &rt->python_exe;
    if (known_exe && *known_exe && access(*known_exe, X_OK) == 0) {
        program = *known_exe;
        snprintf(program_path, sizeof(program_path), "%s", *known_exe);
    } else if (known_exe && !*known_exe) {
        e->learn_exe = known_exe;
    }
    e->lang = lang;
    char heap[48];
    snprintf(heap, sizeof(heap), "--max-old-space-size=%d", c->memory_mb * 9 / 10);
    char *argv[4] = {program ? (char *)program : bootstrap, NULL, NULL, NULL};
    if (program) {
        argv[1] = node ? heap : bootstrap;
        argv[2] = node ? bootstrap : NULL;
    }
    const char *exe = program ? program_path : bootstrap;
    e->spawned_us = clock_now_us();
    pid_t pid = spawn_child(rt, c, pipefd[1], argv, ep.items, exe, !node);
    close(pipefd[1]);
    envp_free(&ep);
    ep = (struct envp){0};
    if (pid < 0) {
        log_warn("lambda: fork failed: %s", strerror(errno));
        goto fail;
    }
    e->pid = pid;
    e->out_fd = pipefd[0];
    pipefd[0] = -1;
    fcntl(e->out_fd, F_SETFL, fcntl(e->out_fd, F_GETFL) | O_NONBLOCK);
    e->pidfd = pidfd_open(pid, 0);
    struct event_base *base = rt->svc->srv->base;
    e->out_ev = event_new(base, e->out_fd, EV_READ | EV_PERSIST, on_output, e);
    e->exit_ev = e->pidfd >= 0 ? event_new(base, e->pidfd, EV_READ | EV_PERSIST, on_exit_ev, e) : NULL;
    e->timeout_ev = evtimer_new(base, on_timeout, e);
    if (!e->out_ev || !e->exit_ev || !e->timeout_ev) {
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        goto fail;
    }
    event_add(e->out_ev, NULL);
    event_add(e->exit_ev, NULL);
    e->state = ENV_STARTING;
    e->next = p->envs;
    p->envs = e;
    p->n_live++;
    return e;
fail:
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    envp_free(&ep);
    env_release(e);
    return NULL;
}

/* ---- delivering work ---------------------------------------------------------------- */

static void trace_id(char *out, size_t cap)
{
    unsigned char r[20];
    if (RAND_bytes(r, sizeof(r)) != 1)
        memset(r, 0, sizeof(r));
    char hex[41];
    hex_encode(r, sizeof(r), hex);
    snprintf(out, cap, "Root=1-%08llx-%.24s;Parent=%.16s;Sampled=0", (long long)(clock_now_ms() / 1000), hex,
             hex + 24);
}

void runtime_env_deliver(struct env *e)
{
    struct invocation *inv = e->inv;
    struct http_req *req = e->next_req;
    e->next_req = NULL;
    e->delivered = true;
    inv->start_us = clock_now_us();
    inv->deadline_ms = clock_real_ms() + (int64_t)inv->cfg->timeout_s * 1000;
    env_logf(e, "START RequestId: %s Version: %s", inv->request_id, inv->cfg->version);
    char deadline[32], trace[128];
    snprintf(deadline, sizeof(deadline), "%" PRId64, inv->deadline_ms);
    trace_id(trace, sizeof(trace));
    http_resp_header(req, "Lambda-Runtime-Aws-Request-Id", inv->request_id);
    http_resp_header(req, "Lambda-Runtime-Deadline-Ms", deadline);
    http_resp_header(req, "Lambda-Runtime-Invoked-Function-Arn", inv->invoked_arn);
    http_resp_header(req, "Lambda-Runtime-Trace-Id", trace);
    if (inv->client_context)
        http_resp_header(req, "Lambda-Runtime-Client-Context", inv->client_context);
    req->op_name = "RuntimeNext";
    http_resp_send(req, 200, "application/json", inv->payload, inv->len);
    struct timeval tv = {inv->cfg->timeout_s, 0};
    evtimer_add(e->timeout_ev, &tv);
}

static void assign(struct env *e, struct invocation *inv)
{
    e->inv = inv;
    e->delivered = false;
    e->state = ENV_BUSY;
    if (e->next_req)
        runtime_env_deliver(e);
}

static void on_spawn_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    runtime_pool_schedule(arg);
}

/* Hands queued invocations to environments. While fewer than
 * rt->eager_busy of the pool's environments are busy, an invocation takes
 * an idle one, or a new one when none is idle (up to the function's
 * concurrency), at once. Past that, it first waits up to SPAWN_WAIT_US for
 * a busy one to come free. Lambda starts an environment per concurrent
 * request on its own hardware; here every environment is a process on the
 * user's few cores, and 16 python processes taking turns on 2 cores for a
 * handler that answers in 0.2 ms spent a third of all CPU switching
 * between them. A handler slower than the wait still gets an environment
 * per concurrent invocation, SPAWN_WAIT_US later. */
#define SPAWN_WAIT_US 5000
/* Credentials must outlast an invocation by this much. */
#define CREDENTIALS_SLACK_MS 60000

/* Until when an environment starting an invocation now needs credentials. */
static int64_t credentials_needed_until(const struct pool *p)
{
    return clock_now_ms() + (int64_t)p->cfg->timeout_s * 1000 + CREDENTIALS_SLACK_MS;
}

/* The credentials a new environment of the pool runs with, into *creds:
 * true with *use NULL for the account's keys (a role Lambda cannot assume,
 * without enforcement); false when they are being made (the pool waits)
 * or cannot be had (the invocation fails: *fail set). */
static bool spawn_credentials(struct pool *p, struct iam_role_credentials *creds,
                              const struct iam_role_credentials **use, bool *fail)
{
    struct lambda_service *svc = p->rt->svc;
    *use = NULL;
    *fail = false;
    switch (lambda_role_credentials(svc, p->cfg, credentials_needed_until(p), creds)) {
    case LAMBDA_CREDS_READY:
        *use = creds;
        return true;
    case LAMBDA_CREDS_PENDING:
        p->awaiting_credentials = true;
        return false;
    case LAMBDA_CREDS_NONE:
        break;
    }
    *fail = svc->srv->cfg->enforce_iam;
    return !*fail;
}

void runtime_pool_schedule(struct pool *p)
{
    int64_t now = clock_now_us();
    while (p->pending && !p->rt->stopping) {
        struct env *idle = NULL;
        int busy = 0;
        int64_t needed_until = credentials_needed_until(p);
        for (struct env *e = p->envs; e; e = e->next) {
            /* An environment whose credentials could expire during the
             * invocation is stopped rather than reused. */
            if (e->state == ENV_IDLE && !e->inv && e->credentials_expire_ms &&
                e->credentials_expire_ms < needed_until) {
                runtime_env_kill(e);
                continue;
            }
            if (e->state == ENV_IDLE && !idle)
                idle = e;
            else if (e->state == ENV_BUSY || e->state == ENV_STARTING)
                busy++;
        }
        if (!idle && p->n_live >= p->cfg->concurrency)
            return;
        struct invocation *inv = p->pending;
        if (busy >= p->rt->eager_busy && now - inv->queued_us < SPAWN_WAIT_US) {
            if (!p->spawn_timer)
                p->spawn_timer = evtimer_new(p->rt->svc->srv->base, on_spawn_timer, p);
            if (p->spawn_timer) {
                struct timeval tv = {0, (suseconds_t)(SPAWN_WAIT_US - (now - inv->queued_us))};
                if (!evtimer_pending(p->spawn_timer, NULL))
                    evtimer_add(p->spawn_timer, &tv);
                return;
            }
        }
        struct iam_role_credentials creds;
        const struct iam_role_credentials *use = NULL;
        bool no_role = false;
        if (!idle && !spawn_credentials(p, &creds, &use, &no_role) && !no_role)
            return;
        p->pending = inv->next;
        if (!p->pending)
            p->pending_tail = NULL;
        inv->next = NULL;
        if (idle) {
            assign(idle, inv);
            continue;
        }
        if (no_role) {
            inv_fail(inv, "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.");
            continue;
        }
        struct env *e = env_spawn(p, p->rt, use);
        if (!e) {
            inv_fail(inv, "Runtime.Unknown", "The runtime could not be started.");
            continue;
        }
        assign(e, inv);
    }
}

/* ---- the service side --------------------------------------------------------------- */

static bool same_key(const struct lambda_exec_config *a, const struct lambda_exec_config *b)
{
    return strcmp(a->account, b->account) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->version, b->version) == 0 && strcmp(a->revision_id, b->revision_id) == 0;
}

static struct pool *pool_for(struct lambda_runtime *rt, struct lambda_exec_config *cfg)
{
    for (struct pool *p = rt->pools; p; p = p->next) {
        if (!p->retired && same_key(p->cfg, cfg)) {
            if (p->cfg != cfg) {
                cfg->refs++;
                lambda_exec_config_unref(p->cfg);
                p->cfg = cfg;
            }
            return p;
        }
    }
    struct pool *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->rt = rt;
    p->cfg = cfg;
    cfg->refs++;
    p->next = rt->pools;
    rt->pools = p;
    return p;
}

int lambda_runtime_invoke(struct lambda_runtime *rt, struct lambda_exec_config *cfg,
                          const char *invoked_arn, const char *payload, size_t len,
                          const char *client_context, lambda_invoke_done done, void *arg,
                          char request_id[37])
{
    struct invocation *inv = calloc(1, sizeof(*inv));
    if (!inv)
        return -1;
    strbuf_init(&inv->tail);
    inv->cfg = cfg;
    cfg->refs++;
    inv->done = done;
    inv->arg = arg;
    inv->len = len;
    inv->payload = malloc(len + 1);
    inv->invoked_arn = strdup(invoked_arn);
    inv->client_context = client_context ? strdup(client_context) : NULL;
    struct pool *p = pool_for(rt, cfg);
    if (!inv->payload || !inv->invoked_arn || (client_context && !inv->client_context) || !p) {
        inv_free(inv);
        return -1;
    }
    memcpy(inv->payload, payload, len);
    inv->payload[len] = '\0';
    uuid_v4(inv->request_id);
    memcpy(request_id, inv->request_id, 37);
    inv->queued_us = clock_now_us();
    if (p->pending_tail)
        p->pending_tail->next = inv;
    else
        p->pending = inv;
    p->pending_tail = inv;
    runtime_pool_schedule(p);
    return 0;
}

void lambda_runtime_credentials_ready(struct lambda_runtime *rt)
{
    for (struct pool *p = rt->pools, *next; p; p = next) {
        next = p->next;
        if (p->awaiting_credentials) {
            p->awaiting_credentials = false;
            runtime_pool_schedule(p);
        }
    }
}

void lambda_runtime_retire(struct lambda_runtime *rt, const char *account, const char *name,
                           const char *version)
{
    for (struct pool *p = rt->pools, *next; p; p = next) {
        next = p->next;
        if (p->retired || strcmp(p->cfg->account, account) != 0 || strcmp(p->cfg->name, name) != 0 ||
            (version && strcmp(p->cfg->version, version) != 0))
            continue;
        p->retired = true;
        for (struct env *e = p->envs; e; e = e->next)
            if (e->state == ENV_IDLE || e->state == ENV_STARTING)
                if (!e->inv)
                    runtime_env_kill(e);
        if (!p->envs && !p->pending)
            pool_free(rt, p);
    }
}

/* Lambda stops an environment that has had no invocation for a while
 * (minutes, unspecified); here after --lambda-idle-timeout seconds, so a
 * burst of concurrency does not leave its processes behind for good. The
 * next invocation starts a fresh one (a cold start). */
static void on_reap(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct lambda_runtime *rt = arg;
    int64_t idle_us = (int64_t)rt->svc->srv->cfg->lambda_idle_timeout_s * 1000000;
    int64_t now = clock_now_us();
    for (struct pool *p = rt->pools; p; p = p->next) {
        for (struct env *e = p->envs; e; e = e->next) {
            if (e->state == ENV_IDLE && !e->inv && now - e->idle_since_us >= idle_us) {
                log_debug("lambda: stopping %s's environment %d, idle for %lld s", p->cfg->name, (int)e->pid,
                          (long long)((now - e->idle_since_us) / 1000000));
                runtime_env_kill(e);
            }
        }
    }
}

struct lambda_runtime *lambda_runtime_new(struct lambda_service *svc)
{
    struct lambda_runtime *rt = calloc(1, sizeof(*rt));
    if (!rt)
        return NULL;
    rt->svc = svc;
    /* Two busy environments per core keep the cores fed while one waits on
     * I/O; more only take turns (see env_schedule). */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    rt->eager_busy = cores > 1 ? (int)(2 * cores) : 2;
    const struct config *cfg = svc->srv->cfg;
    const char *host = cfg->host;
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || strcmp(host, "*") == 0)
        host = "127.0.0.1";
    snprintf(rt->endpoint, sizeof(rt->endpoint), "%s://%s%s%s:%d", cfg->tls_cert ? "https" : "http",
             strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", cfg->port);
    if (cfg->lambda_user) {
        struct passwd *pw = getpwnam(cfg->lambda_user);
        if (!pw) {
            log_error("lambda: unknown --lambda-user %s", cfg->lambda_user);
            free(rt);
            return NULL;
        }
        if (geteuid() != 0) {
            log_error("lambda: --lambda-user needs the server to run as root");
            free(rt);
            return NULL;
        }
        rt->run_uid = pw->pw_uid;
        rt->run_gid = pw->pw_gid;
        rt->switch_user = true;
    }
    if (cfg->lambda_idle_timeout_s > 0) {
        int tick_s = cfg->lambda_idle_timeout_s / 4;
        struct timeval tick = {tick_s < 1 ? 1 : tick_s > 30 ? 30 : tick_s, 0};
        rt->reap_timer = event_new(svc->srv->base, -1, EV_PERSIST, on_reap, rt);
        if (!rt->reap_timer || event_add(rt->reap_timer, &tick) != 0) {
            log_error("lambda: cannot start the idle environment timer");
            if (rt->reap_timer)
                event_free(rt->reap_timer);
            free(rt);
            return NULL;
        }
    }
    return rt;
}

void lambda_runtime_shutdown(struct lambda_runtime *rt)
{
    if (!rt || rt->stopping)
        return;
    rt->stopping = true;
    for (struct pool *p = rt->pools; p; p = p->next) {
        while (p->pending) {
            struct invocation *inv = p->pending;
            p->pending = inv->next;
            inv_fail(inv, "Runtime.ExitError", "The server is stopping.");
        }
        p->pending_tail = NULL;
        for (struct env *e = p->envs; e; e = e->next) {
            runtime_env_kill(e);
            if (e->inv)
                runtime_env_fail(e, "Runtime.ExitError", "The server is stopping.");
        }
    }
}

void lambda_runtime_free(struct lambda_runtime *rt)
{
    if (!rt)
        return;
    lambda_runtime_shutdown(rt);
    while (rt->pools) {
        struct pool *p = rt->pools;
        while (p->envs) {
            struct env *e = p->envs;
            waitpid(e->pid, NULL, 0);
            env_free(e);
        }
        pool_free(rt, p);
    }
    runtime_slots_free(rt);
    if (rt->reap_timer)
        event_free(rt->reap_timer);
    free(rt->python_exe);
    free(rt->node_exe);
    free(rt);
}
