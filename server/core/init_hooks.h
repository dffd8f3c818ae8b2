/* init_hooks: LocalStack's initialization hooks. Executable scripts (.sh,
 * run as they are, so they need their shebang and execute bit) and Python
 * programs (.py, run with python3) in <dir>/boot.d, start.d, ready.d and
 * shutdown.d of each --init-dir directory run at four moments of the
 * process's life:
 *
 *   BOOT      before the server opens its store and listens (blocking);
 *   START     as the event loop starts;
 *   READY     once the server serves requests and has logged "Ready.";
 *   SHUTDOWN  on SIGTERM/SIGINT, while requests are still served.
 *
 * Scripts run one at a time in alphanumerical order (a directory's files,
 * then its subdirectories, depth first), each after the previous one ended;
 * one that fails (non-zero exit) does not stop the next. Every line a script
 * prints goes to the log. AWS_ENDPOINT_URL, and test credentials and the
 * region when the environment has none, point its AWS clients here. The
 * state of every script and stage is what GET /_localstack/init reports. */
#ifndef CLOUDLESS_INIT_HOOKS_H
#define CLOUDLESS_INIT_HOOKS_H

#include <stdbool.h>

#include "protocol/core/strbuf.h"

struct event_base;
struct config;

enum init_stage { INIT_BOOT, INIT_START, INIT_READY, INIT_SHUTDOWN, INIT_STAGES };

struct init_hooks;

/* Finds the scripts of every stage under cfg->init_dirs (none when unset).
 * NULL on allocation failure. */
struct init_hooks *init_hooks_new(const struct config *cfg);
/* Runs a stage's scripts one after the other and returns when all ended
 * (BOOT: before the event loop exists). */
void init_hooks_run_blocking(struct init_hooks *h, enum init_stage stage);
/* Runs a stage's scripts on the event loop, one after the other; done(arg)
 * is called once all ended (at once when the stage has none). endpoint is
 * the server's URL, given to the scripts as AWS_ENDPOINT_URL. */
void init_hooks_run(struct init_hooks *h, struct event_base *base, enum init_stage stage, const char *endpoint,
                    void (*done)(void *arg), void *arg);
/* Whether a stage's scripts are running on the loop now. */
bool init_hooks_busy(const struct init_hooks *h);
/* Whether the stage has run to its end. */
bool init_hooks_completed(const struct init_hooks *h, enum init_stage stage);
/* The JSON of GET /_localstack/init (stage < 0) or /_localstack/init/<stage>. */
void init_hooks_report(const struct init_hooks *h, int stage, struct strbuf *out);
/* "boot" / "BOOT" -> stage; -1 when unknown. */
int init_stage_from_name(const char *name, size_t len);
void init_hooks_free(struct init_hooks *h);

#endif
