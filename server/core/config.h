/* config: the server's settings, from (lowest to highest precedence) the
 * built-in defaults, a config file, LocalStack's environment variables
 * (SERVICES, PERSISTENCE, DEBUG, LOCALSTACK_HOST, GATEWAY_LISTEN, ENFORCE_IAM), CLOUDLESS_*
 * environment variables and the command line. Also the access keys: `test`/`test` -> account
 * 000000000000 always, plus any from `access_key = AK:SECRET:ACCOUNT` lines
 * in the config file and the comma-separated CLOUDLESS_ACCESS_KEYS. */
#ifndef CLOUDLESS_CONFIG_H
#define CLOUDLESS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct access_key {
    char *access_key;
    char *secret;
    char account[13];
};

struct config {
    char *host;
    int port;
    char *data_dir;
    char *config_file;
    char *log_level;
    char *tls_cert;
    char *tls_key;
    char *region;                  /* default region for new buckets, queue URLs */
    char *domain;                  /* virtual-host domain: <bucket>.s3.<domain> */
    int max_connections;
    int idle_timeout_s;            /* keep-alive idle and slow-client timeout */
    size_t max_header_bytes;
    int max_headers;
    int lifecycle_interval_s;      /* S3 lifecycle expiration sweep period */
    char *lambda_python;           /* interpreter for python3.x runtimes */
    char *lambda_node;             /* interpreter for nodejs runtimes */
    char *lambda_runtimes_dir;     /* the shipped bootstraps; NULL: found next to the binary */
    char *lambda_user;             /* run functions as this user (server running as root) */
    int lambda_max_concurrency;    /* environments per function without reserved concurrency */
    int lambda_idle_timeout_s;     /* an idle environment stops after this long (0: never) */
    int lambda_retry_base_ms;      /* async retry backoff: attempt n waits n * this */
    char *services;                /* comma-separated services to serve; NULL: all */
    int persistence;               /* 0: data in a temporary directory removed at exit */
    char *public_host;             /* host[:port] written into returned URLs; NULL: the Host header */
    char *credentials;             /* "strict" or "localstack" (any access key accepted) */
    char *init_dirs;               /* colon-separated directories of init hooks (boot.d, ready.d, ...) */
    int enforce_iam;               /* 1: requests are decided by IAM policies (server/core/authorize.h) */
    bool any_access_key;           /* credentials = localstack */
    int clock_control;             /* 1: POST /_cloudless/clock may move the time forward */
    struct access_key *keys;
    size_t n_keys;
};

/* Fills cfg from defaults, file, environment and argv. Returns 0 to run,
 * 1 when --help/--version was answered (exit 0), -1 on error (message
 * printed, exit 2). */
int config_load(struct config *cfg, int argc, char **argv);
void config_free(struct config *cfg);
const struct access_key *config_find_key(const struct config *cfg, const char *access_key);
/* The account an access key not configured here stands for when any key is
 * accepted (credentials = localstack), as LocalStack takes it: a 12-digit
 * key ID is the account ID, any other key is account 000000000000. */
void config_guest_account(const char *access_key, char account[13]);

#endif
