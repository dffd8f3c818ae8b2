/* init_hooks: see init_hooks.h. A script runs as a child started with
 * posix_spawn (the process has threads: nothing may run between fork and
 * exec), its stdout and stderr on one pipe whose lines the loop logs; its
 * end is seen through a pidfd, so no SIGCHLD handler is needed and the
 * loop never waits. A script that leaves a background process holding the
 * pipe still ends when its own process exits. */
#include "server/core/init_hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "protocol/core/json.h"
#include "server/core/config.h"
#include "server/core/log.h"

extern char **environ;

#define MAX_DEPTH 8
#define MAX_SCRIPTS 1024
#define LINE_MAX_BYTES 1024

enum script_state { SCRIPT_UNKNOWN, SCRIPT_RUNNING, SCRIPT_SUCCESSFUL, SCRIPT_ERROR };

static const char *const stage_dirs[INIT_STAGES] = {"boot.d", "start.d", "ready.d", "shutdown.d"};
static const char *const stage_names[INIT_STAGES] = {"BOOT", "START", "READY", "SHUTDOWN"};
static const char *const state_names[] = {"UNKNOWN", "RUNNING", "SUCCESSFUL", "ERROR"};

struct script {
    char *path;
    const char *name;              /* the path's last component */
    enum init_stage stage;
    enum script_state state;
};

struct init_hooks {
    struct script *scripts;        /* in running order, stage by stage */
    size_t n, cap;
    bool completed[INIT_STAGES];
    char *python;
    char *region;

    /* The stage running on the loop. */
    bool running;
    struct event_base *base;
    enum init_stage stage;
    size_t next;                   /* index of the next script to look at */
    char **envp;
    void (*done)(void *);
    void *done_arg;
    struct script *current;
    pid_t pid;
    int out_fd, pidfd;
    struct event *out_ev, *exit_ev;
    char line[LINE_MAX_BYTES];
    size_t line_len;
};

static int add_script(struct init_hooks *h, const char *path, enum init_stage stage)
{
    if (h->n == MAX_SCRIPTS) {
        log_warn("init: more than %d scripts; %s and later ones are left out", MAX_SCRIPTS, path);
        return 0;
    }
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 16;
        struct script *s = realloc(h->scripts, cap * sizeof(*s));
        if (!s)
            return -1;
        h->scripts = s;
        h->cap = cap;
    }
    struct script *s = &h->scripts[h->n];
    if (!(s->path = strdup(path)))
        return -1;
    s->name = strrchr(s->path, '/') + 1;
    s->stage = stage;
    s->state = SCRIPT_UNKNOWN;
    h->n++;
    return 0;
}

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), m = strlen(suffix);
    return n > m && strcmp(name + n - m, suffix) == 0;
}

/* A directory's .sh and .py files in alphanumerical order, then its
 * subdirectories, depth first. */
static int scan_dir(struct init_hooks *h, const char *dir, enum init_stage stage, int depth)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        if (errno != ENOENT && errno != ENOTDIR)
            log_warn("init: cannot read %s: %s", dir, strerror(errno));
        return 0;
    }
    int rc = 0;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (int i = 0; i < n && rc == 0; i++) {
            const char *name = names[i]->d_name;
            if (name[0] == '.')
                continue;
            char path[4096];
            struct stat st;
            if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) || stat(path, &st) < 0)
                continue;
            if (pass == 0 && S_ISREG(st.st_mode) && (has_suffix(name, ".sh") || has_suffix(name, ".py")))
                rc = add_script(h, path, stage);
            else if (pass == 1 && S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
                rc = scan_dir(h, path, stage, depth + 1);
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

struct init_hooks *init_hooks_new(const struct config *cfg)
{
    struct init_hooks *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->out_fd = h->pidfd = -1;
    h->python = strdup(cfg->lambda_python);
    h->region = strdup(cfg->region);
    char *dirs = cfg->init_dirs ? strdup(cfg->init_dirs) : NULL;
    if (!h->python || !h->region || (cfg->init_dirs && !dirs)) {
        free(dirs);
        init_hooks_free(h);
        return NULL;
    }
    for (int stage = 0; stage < INIT_STAGES; stage++) {
        char *save = NULL;
        char *copy = dirs ? strdup(dirs) : NULL;
        if (dirs && !copy)
            goto fail;
        for (char *d = copy ? strtok_r(copy, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", d, stage_dirs[stage]);
            if (scan_dir(h, path, (enum init_stage)stage, 0) < 0) {
                free(copy);
                goto fail;
            }
        }
        free(copy);
    }
    free(dirs);
    if (h->n)
        log_info("init: %zu script%s found", h->n, h->n == 1 ? "" : "s");
    return h;
fail:
    free(dirs);
    init_hooks_free(h);
    return NULL;
}

/* The environment of a script: the server's, with AWS_ENDPOINT_URL and,
 * where the server's has none, test credentials and the region. */
static char **script_environment(const struct init_hooks *h, const char *endpoint)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **envp = calloc(n + 5, sizeof(*envp));
    if (!envp)
        return NULL;
    size_t k = 0;
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++)
        if (!endpoint || strncmp(environ[i], "AWS_ENDPOINT_URL=", 17) != 0)
            ok = (envp[k++] = strdup(environ[i])) != NULL;
    if (ok && endpoint)
        ok = asprintf(&envp[k++], "AWS_ENDPOINT_URL=%s", endpoint) >= 0;
    if (ok && !getenv("AWS_ACCESS_KEY_ID") && !getenv("AWS_PROFILE")) {
        ok = (envp[k++] = strdup("AWS_ACCESS_KEY_ID=test")) && (envp[k++] = strdup("AWS_SECRET_ACCESS_KEY=test"));
    }
    if (ok && !getenv("AWS_DEFAULT_REGION"))
        ok = asprintf(&envp[k++], "AWS_DEFAULT_REGION=%s", h->region) >= 0;
    if (!ok) {
        for (size_t i = 0; envp[i]; i++)
            free(envp[i]);
        free(envp);
        return NULL;
    }
    return envp;
}

static void free_environment(char **envp)
{
    for (size_t i = 0; envp && envp[i]; i++)
        free(envp[i]);
    free(envp);
}

/* Starts one script with its output on a pipe; -1 (logged) when it
 * cannot run. */
static int spawn_script(struct init_hooks *h, struct script *s, char **envp, int *out_fd)
{
    if (has_suffix(s->name, ".sh") && access(s->path, X_OK) != 0) {
        log_warn("init: %s %s is not executable (chmod +x); not run", stage_names[s->stage], s->path);
        return -1;
    }
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) < 0) {
        log_error("init: cannot run %s: %s", s->path, strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
    char *py_argv[] = {h->python, s->path, NULL};
    char *sh_argv[] = {s->path, NULL};
    bool py = has_suffix(s->name, ".py");
    pid_t pid;
    int rc = py ? posix_spawnp(&pid, h->python, &fa, NULL, py_argv, envp)
                : posix_spawn(&pid, s->path, &fa, NULL, sh_argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    close(pipefd[1]);
    if (rc != 0) {
        close(pipefd[0]);
        log_warn("init: cannot run %s %s: %s", stage_names[s->stage], s->path, strerror(rc));
        return -1;
    }
    log_info("init: running %s script %s", stage_names[s->stage], s->path);
    s->state = SCRIPT_RUNNING;
    h->pid = pid;
    *out_fd = pipefd[0];
    return 0;
}

/* Logs complete lines of the script's output (long ones in pieces). */
static void take_output(struct init_hooks *h, const char *data, size_t len, bool flush)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c != '\n' && h->line_len < sizeof(h->line) - 1) {
            h->line[h->line_len++] = c;
            continue;
        }
        log_info("init: %s: %.*s", h->current->name, (int)h->line_len, h->line);
        h->line_len = 0;
        if (c != '\n')
            h->line[h->line_len++] = c;
    }
    if (flush && h->line_len) {
        log_info("init: %s: %.*s", h->current->name, (int)h->line_len, h->line);
        h->line_len = 0;
    }
}

static void script_ended(struct init_hooks *h, int status)
{
    struct script *s = h->current;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    s->state = ok ? SCRIPT_SUCCESSFUL : SCRIPT_ERROR;
    if (ok)
        log_info("init: %s script %s succeeded", stage_names[s->stage], s->path);
    else if (WIFEXITED(status))
        log_warn("init: %s script %s failed with exit code %d", stage_names[s->stage], s->path, WEXITSTATUS(status));
    else
        log_warn("init: %s script %s ended by signal %d", stage_names[s->stage], s->path,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    h->current = NULL;
}

void init_hooks_run_blocking(struct init_hooks *h, enum init_stage stage)
{
    char **envp = script_environment(h, NULL);
    if (!envp) {
        log_error("init: out of memory; %s scripts not run", stage_names[stage]);
        return;
    }
    for (size_t i = 0; i < h->n; i++) {
        struct script *s = &h->scripts[i];
        int fd;
        if (s->stage != stage)
            continue;
        if (spawn_script(h, s, envp, &fd) < 0) {
            s->state = SCRIPT_ERROR;
            continue;
        }
        h->current = s;
        char buf[4096];
        ssize_t r;
        while ((r = read(fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
            if (r > 0)
                take_output(h, buf, (size_t)r, false);
        take_output(h, "", 0, true);
        close(fd);
        int status = 0;
        while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
            ;
        script_ended(h, status);
    }
    free_environment(envp);
    h->completed[stage] = true;
}

static void run_next(struct init_hooks *h);

static void stop_watching(struct init_hooks *h)
{
    if (h->out_ev)
        event_free(h->out_ev);
    if (h->exit_ev)
        event_free(h->exit_ev);
    h->out_ev = h->exit_ev = NULL;
    if (h->out_fd >= 0)
        close(h->out_fd);
    if (h->pidfd >= 0)
        close(h->pidfd);
    h->out_fd = h->pidfd = -1;
}

static void on_output(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct init_hooks *h = arg;
    char buf[4096];
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r > 0) {
        take_output(h, buf, (size_t)r, false);
    } else if (r == 0 || errno != EAGAIN) {
        take_output(h, "", 0, true);
        event_del(h->out_ev);       /* the end comes from the pidfd */
    }
}

static void on_exit_ev(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct init_hooks *h = arg;
    int status = 0;
    pid_t r = waitpid(h->pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR))
        return;
    /* What the script wrote before it ended is in the pipe: take it. */
    char buf[4096];
    ssize_t n;
    while ((n = read(h->out_fd, buf, sizeof(buf))) > 0)
        take_output(h, buf, (size_t)n, false);
    take_output(h, "", 0, true);
    stop_watching(h);
    script_ended(h, r < 0 ? -1 : status);
    run_next(h);
}

static void stage_done(struct init_hooks *h)
{
    h->completed[h->stage] = true;
    h->running = false;
    free_environment(h->envp);
    h->envp = NULL;
    void (*done)(void *) = h->done;
    h->done = NULL;
    if (done)
        done(h->done_arg);
}

static void run_next(struct init_hooks *h)
{
    while (h->next < h->n) {
        struct script *s = &h->scripts[h->next++];
        if (s->stage != h->stage)
            continue;
        int fd;
        if (spawn_script(h, s, h->envp, &fd) < 0) {
            s->state = SCRIPT_ERROR;
            continue;
        }
        h->current = s;
        h->out_fd = fd;
        h->pidfd = pidfd_open(h->pid, 0);
        if (fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && h->pidfd >= 0 &&
            (h->out_ev = event_new(h->base, fd, EV_READ | EV_PERSIST, on_output, h)) &&
            (h->exit_ev = event_new(h->base, h->pidfd, EV_READ | EV_PERSIST, on_exit_ev, h)) &&
            event_add(h->out_ev, NULL) == 0 && event_add(h->exit_ev, NULL) == 0)
            return;
        /* Cannot watch it: wait for it here rather than lose its result. */
        log_warn("init: cannot watch %s; waiting for it", s->path);
        stop_watching(h);
        int status = 0;
        while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
            ;
        script_ended(h, status);
    }
    stage_done(h);
}

void init_hooks_run(struct init_hooks *h, struct event_base *base, enum init_stage stage, const char *endpoint,
                    void (*done)(void *arg), void *arg)
{
    h->running = true;
    h->base = base;
    h->stage = stage;
    h->next = 0;
    h->done = done;
    h->done_arg = arg;
    free_environment(h->envp);
    h->envp = script_environment(h, endpoint);
    if (!h->envp) {
        log_error("init: out of memory; %s scripts not run", stage_names[stage]);
        h->next = h->n;
    }
    run_next(h);
}

bool init_hooks_busy(const struct init_hooks *h)
{
    return h->running;
}

bool init_hooks_completed(const struct init_hooks *h, enum init_stage stage)
{
    return h->completed[stage];
}

static void report_scripts(const struct init_hooks *h, int stage, struct json_writer *w)
{
    jw_array_open(w, "scripts");
    for (size_t i = 0; i < h->n; i++) {
        const struct script *s = &h->scripts[i];
        if (stage >= 0 && (int)s->stage != stage)
            continue;
        jw_object_open(w, NULL);
        jw_string(w, "stage", stage_names[s->stage]);
        jw_string(w, "name", s->name);
        jw_string(w, "state", state_names[s->state]);
        jw_object_close(w);
    }
    jw_array_close(w);
}

void init_hooks_report(const struct init_hooks *h, int stage, struct strbuf *out)
{
    struct json_writer w;
    jw_init(&w, out);
    jw_object_open(&w, NULL);
    if (stage >= 0) {
        jw_bool(&w, "completed", h->completed[stage]);
    } else {
        jw_object_open(&w, "completed");
        for (int i = 0; i < INIT_STAGES; i++)
            jw_bool(&w, stage_names[i], h->completed[i]);
        jw_object_close(&w);
    }
    report_scripts(h, stage, &w);
    jw_object_close(&w);
}

int init_stage_from_name(const char *name, size_t len)
{
    for (int i = 0; i < INIT_STAGES; i++)
        if (strlen(stage_names[i]) == len && strncasecmp(stage_names[i], name, len) == 0)
            return i;
    return -1;
}

void init_hooks_free(struct init_hooks *h)
{
    if (!h)
        return;
    if (h->current) {
        kill(h->pid, SIGTERM);
        waitpid(h->pid, NULL, 0);
    }
    stop_watching(h);
    for (size_t i = 0; i < h->n; i++)
        free(h->scripts[i].path);
    free(h->scripts);
    free_environment(h->envp);
    free(h->python);
    free(h->region);
    free(h);
}
