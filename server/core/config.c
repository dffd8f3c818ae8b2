/* config: see config.h. Every setting has one name used three ways: the
 * long option (--data-dir), the config file key (data-dir = ...) and the
 * environment variable (CLOUDLESS_DATA_DIR). One table drives all three,
 * and names the LocalStack variable that sets the same thing, if any
 * (SERVICES for services), with the function that reads LocalStack's form
 * of the value where it differs (DEBUG=1, GATEWAY_LISTEN=0.0.0.0:4566). */
#include "server/core/config.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum setting_kind { SET_STRING, SET_INT, SET_SIZE, SET_BOOL };

struct setting;
/* Applies a LocalStack variable's value; NULL in the table: taken as is. */
typedef int (*localstack_reader)(struct config *cfg, const struct setting *s, const char *value,
                                 const char *origin);

struct setting {
    const char *name;
    enum setting_kind kind;
    size_t offset;
    const char *help;
    const char *localstack_env;    /* LocalStack's variable for it, or NULL */
    localstack_reader read_localstack;
};

static int read_debug_flag(struct config *cfg, const struct setting *s, const char *value, const char *origin);
static int read_gateway_listen(struct config *cfg, const struct setting *s, const char *value, const char *origin);

#define SETTING(n, k, field, h) {n, k, offsetof(struct config, field), h, NULL, NULL}
#define LOCALSTACK_SETTING(n, k, field, h, env, reader) {n, k, offsetof(struct config, field), h, env, reader}
static const struct setting settings[] = {
    LOCALSTACK_SETTING("host", SET_STRING, host, "address to listen on (127.0.0.1)", "GATEWAY_LISTEN",
                       read_gateway_listen),
    SETTING("port", SET_INT, port, "port to listen on (4566)"),
    SETTING("data-dir", SET_STRING, data_dir, "where state is kept (./.cloudless)"),
    SETTING("config", SET_STRING, config_file, "config file of `name = value` lines"),
    LOCALSTACK_SETTING("log-level", SET_STRING, log_level, "debug, info, warn or error (info)", "DEBUG",
                       read_debug_flag),
    SETTING("tls-cert", SET_STRING, tls_cert, "PEM certificate: serve HTTPS"),
    SETTING("tls-key", SET_STRING, tls_key, "PEM private key for --tls-cert"),
    SETTING("region", SET_STRING, region, "default region (us-east-1)"),
    SETTING("domain", SET_STRING, domain, "virtual-host domain: <bucket>.s3.<domain> (localhost)"),
    SETTING("max-connections", SET_INT, max_connections, "connection limit (1024)"),
    SETTING("idle-timeout", SET_INT, idle_timeout_s, "seconds a connection may idle (60)"),
    SETTING("max-header-bytes", SET_SIZE, max_header_bytes, "request header section limit (65536)"),
    SETTING("max-headers", SET_INT, max_headers, "request header count limit (200)"),
    SETTING("lifecycle-interval", SET_INT, lifecycle_interval_s, "seconds between S3 lifecycle sweeps (3600)"),
    SETTING("lambda-python", SET_STRING, lambda_python, "interpreter for python3.x functions (python3)"),
    SETTING("lambda-node", SET_STRING, lambda_node, "interpreter for nodejs functions (node)"),
    SETTING("lambda-runtimes-dir", SET_STRING, lambda_runtimes_dir, "directory of the Lambda bootstraps (found next to the binary)"),
    SETTING("lambda-user", SET_STRING, lambda_user, "run functions as this user (when started as root)"),
    SETTING("lambda-max-concurrency", SET_INT, lambda_max_concurrency, "environments per function without reserved concurrency (16)"),
    SETTING("lambda-idle-timeout", SET_INT, lambda_idle_timeout_s, "seconds an idle Lambda environment is kept warm; 0 keeps it (600)"),
    SETTING("lambda-retry-base-ms", SET_INT, lambda_retry_base_ms, "async invoke retry backoff unit: retry n waits n times this (60000)"),
    LOCALSTACK_SETTING("services", SET_STRING, services, "comma-separated services to serve, others answer NotImplemented (all)",
                       "SERVICES", NULL),
    LOCALSTACK_SETTING("persistence", SET_BOOL, persistence, "1: keep state in --data-dir; 0: in a temporary directory removed at exit (1)",
                       "PERSISTENCE", NULL),
    LOCALSTACK_SETTING("public-host", SET_STRING, public_host, "host[:port] written into returned URLs such as QueueUrls (the request's Host)",
                       "LOCALSTACK_HOST", NULL),
    SETTING("credentials", SET_STRING, credentials, "strict: only configured keys; localstack: any key, a 12-digit key ID is the account (strict)"),
    SETTING("init-dir", SET_STRING, init_dirs, "colon-separated directories of init hooks: boot.d, start.d, ready.d, shutdown.d (none)"),
    SETTING("clock-control", SET_BOOL, clock_control, "let POST /_cloudless/clock move the server's time forward (off)"),
    LOCALSTACK_SETTING("enforce-iam", SET_BOOL, enforce_iam, "1: every request is decided by IAM policies as AWS decides it (0)",
                       "ENFORCE_IAM", NULL),
};
#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

/* 1, true, yes, on -> 1; 0, false, no, off, "" -> 0; else -1. */
static int parse_flag(const char *value)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off", ""};
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (strcasecmp(value, yes[i]) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (strcasecmp(value, no[i]) == 0)
            return 0;
    return -1;
}

static int apply(struct config *cfg, const struct setting *s, const char *value, const char *origin)
{
    char *field = (char *)cfg + s->offset;
    if (s->kind == SET_STRING) {
        char *copy = strdup(value);
        if (!copy) {
            fprintf(stderr, "cloudless: out of memory\n");
            return -1;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return 0;
    }
    if (s->kind == SET_BOOL) {
        int flag = parse_flag(value);
        if (flag < 0) {
            fprintf(stderr, "cloudless: %s: invalid value '%s' for %s (1 or 0)\n", origin, value, s->name);
            return -1;
        }
        *(int *)field = flag;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < 0 || v > (s->kind == SET_INT ? 1000000000LL : (1LL << 40))) {
        fprintf(stderr, "cloudless: %s: invalid value '%s' for %s\n", origin, value, s->name);
        return -1;
    }
    if (s->kind == SET_INT)
        *(int *)field = (int)v;
    else
        *(size_t *)field = (size_t)v;
    return 0;
}

static const struct setting *find_setting(const char *name, size_t len)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0)
            return &settings[i];
    return NULL;
}

/* DEBUG=1 (or true) means --log-level debug; any other value leaves the
 * level as it is, as LocalStack reads it (DEBUG is a common name, used by
 * other tools with other values). */
static int read_debug_flag(struct config *cfg, const struct setting *s, const char *value, const char *origin)
{
    return parse_flag(value) == 1 ? apply(cfg, s, "debug", origin) : 0;
}

/* GATEWAY_LISTEN=[host]:port[,more]: the first address is the listen
 * address (host and port; an empty host keeps --host). cloudless listens on
 * one address, so further ones are refused rather than ignored. */
static int read_gateway_listen(struct config *cfg, const struct setting *s, const char *value, const char *origin)
{
    if (strchr(value, ',')) {
        fprintf(stderr, "cloudless: %s: '%s': cloudless listens on one address\n", origin, value);
        return -1;
    }
    const char *colon = strrchr(value, ':');
    const char *port = colon ? colon + 1 : value;
    size_t host_len = colon ? (size_t)(colon - value) : 0;
    const char *host = value;
    if (host_len >= 2 && value[0] == '[' && value[host_len - 1] == ']') {
        host++;
        host_len -= 2;
    }
    if (host_len) {
        char *h = strndup(host, host_len);
        int rc = h ? apply(cfg, s, h, origin) : -1;
        free(h);
        if (rc < 0)
            return -1;
    }
    return apply(cfg, find_setting("port", 4), port, origin);
}

/* "AK:SECRET:ACCOUNT" -> appended to cfg->keys. */
static int add_key(struct config *cfg, const char *spec, const char *origin)
{
    const char *c1 = strchr(spec, ':');
    const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    const char *acct = c2 ? c2 + 1 : NULL;
    bool ok = c1 && c2 && c1 > spec && c2 > c1 + 1 && strlen(acct) == 12;
    for (size_t i = 0; ok && i < 12; i++)
        ok = isdigit((unsigned char)acct[i]);
    if (!ok) {
        fprintf(stderr, "cloudless: %s: access key '%s' is not ACCESS_KEY:SECRET:ACCOUNT_ID (12 digits)\n",
                origin, spec);
        return -1;
    }
    struct access_key *keys = realloc(cfg->keys, (cfg->n_keys + 1) * sizeof(*keys));
    if (!keys)
        return -1;
    cfg->keys = keys;
    struct access_key *k = &keys[cfg->n_keys];
    k->access_key = strndup(spec, (size_t)(c1 - spec));
    k->secret = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
    memcpy(k->account, acct, 13);
    if (!k->access_key || !k->secret) {
        free(k->access_key);
        free(k->secret);
        return -1;
    }
    cfg->n_keys++;
    return 0;
}

static int add_key_list(struct config *cfg, const char *list, const char *origin)
{
    char *copy = strdup(list);
    if (!copy)
        return -1;
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t n = strlen(tok);
        while (n && isspace((unsigned char)tok[n - 1]))
            tok[--n] = '\0';
        if (n)
            rc = add_key(cfg, tok, origin);
    }
    free(copy);
    return rc;
}

static int load_file(struct config *cfg, const char *path)
{
    FILE *f = fopen(path, "re");
    if (!f) {
        fprintf(stderr, "cloudless: cannot open config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        lineno++;
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '#' || *p == '\0')
            continue;
        char *eq = strchr(p, '=');
        char origin[300];
        snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
        if (!eq) {
            fprintf(stderr, "cloudless: %s: expected name = value\n", origin);
            rc = -1;
            break;
        }
        char *name_end = eq;
        while (name_end > p && isspace((unsigned char)name_end[-1]))
            name_end--;
        char *value = eq + 1;
        while (isspace((unsigned char)*value))
            value++;
        size_t vlen = strlen(value);
        while (vlen && isspace((unsigned char)value[vlen - 1]))
            value[--vlen] = '\0';
        size_t nlen = (size_t)(name_end - p);
        if (nlen == 10 && strncmp(p, "access_key", 10) == 0) {
            rc = add_key(cfg, value, origin);
            continue;
        }
        const struct setting *s = find_setting(p, nlen);
        if (!s) {
            fprintf(stderr, "cloudless: %s: unknown setting '%.*s'\n", origin, (int)nlen, p);
            rc = -1;
        } else {
            rc = apply(cfg, s, value, origin);
        }
    }
    fclose(f);
    return rc;
}

static void env_name(const struct setting *s, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "CLOUDLESS_");
    for (const char *p = s->name; *p && n + 1 < cap; p++)
        out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[n] = '\0';
}

static void print_help(void)
{
    printf("usage: cloudless [options]\n\n"
           "A local AWS endpoint: S3 and SQS for unmodified AWS clients.\n\n");
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char env[64];
        env_name(&settings[i], env, sizeof(env));
        printf("  --%-18s %s [%s%s%s]\n", settings[i].name, settings[i].help, env,
               settings[i].localstack_env ? ", " : "", settings[i].localstack_env ? settings[i].localstack_env : "");
    }
    printf("  --%-18s %s\n", "version", "print the version and exit");
    printf("  --%-18s %s\n", "list-operations", "print every supported operation (service, name, family, IAM action)");
    printf("  --%-18s %s\n", "help", "print this help and exit");
    printf("\nAccess keys: test/test (account 000000000000) always works; more from\n"
           "CLOUDLESS_ACCESS_KEYS=AK:SECRET:ACCOUNT,... or `access_key = AK:SECRET:ACCOUNT`\n"
           "lines in the config file.\n");
}

/* Applies --name=value / --name value options: in the first pass only
 * --config (so the file can be read before the rest), in the second all
 * others. Returns 1 when --help or --version was given. */
static int parse_argv(struct config *cfg, int argc, char **argv, bool only_config)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            if (!only_config)
                print_help();
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            if (!only_config)
                printf("cloudless %s\n", CLOUDLESS_VERSION);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "cloudless: unexpected argument '%s' (see --help)\n", a);
            return -1;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
        const struct setting *s = find_setting(name, nlen);
        if (!s) {
            fprintf(stderr, "cloudless: unknown option '%s' (see --help)\n", a);
            return -1;
        }
        const char *value = eq ? eq + 1 : NULL;
        /* A switch stands alone (--enforce-iam) or takes its value (--persistence 0). */
        if (!value && s->kind == SET_BOOL && (i + 1 >= argc || parse_flag(argv[i + 1]) < 0))
            value = "1";
        if (!value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "cloudless: option --%s needs a value\n", s->name);
                return -1;
            }
            value = argv[++i];
        }
        bool is_config = strcmp(s->name, "config") == 0;
        if (is_config == only_config && apply(cfg, s, value, "command line") < 0)
            return -1;
    }
    return 0;
}

static int set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->port = 4566;
    cfg->max_connections = 1024;
    cfg->idle_timeout_s = 60;
    cfg->max_header_bytes = 65536;
    cfg->max_headers = 200;
    cfg->lifecycle_interval_s = 3600;
    cfg->lambda_max_concurrency = 16;
    cfg->lambda_idle_timeout_s = 600;
    cfg->lambda_retry_base_ms = 60000;
    cfg->persistence = 1;
    cfg->host = strdup("127.0.0.1");
    cfg->data_dir = strdup("./.cloudless");
    cfg->log_level = strdup("info");
    cfg->region = strdup("us-east-1");
    cfg->domain = strdup("localhost");
    cfg->lambda_python = strdup("python3");
    cfg->lambda_node = strdup("node");
    cfg->credentials = strdup("strict");
    if (!cfg->host || !cfg->data_dir || !cfg->log_level || !cfg->region || !cfg->domain ||
        !cfg->lambda_python || !cfg->lambda_node || !cfg->credentials)
        return -1;
    return add_key(cfg, "test:test:000000000000", "defaults");
}

int config_load(struct config *cfg, int argc, char **argv)
{
    if (set_defaults(cfg) < 0) {
        fprintf(stderr, "cloudless: out of memory\n");
        return -1;
    }
    /* The config file location may come from the environment or argv. */
    const char *env_config = getenv("CLOUDLESS_CONFIG");
    if (env_config && apply(cfg, find_setting("config", 6), env_config, "CLOUDLESS_CONFIG") < 0)
        return -1;
    int rc = parse_argv(cfg, argc, argv, true);
    if (rc != 0)
        return rc == 1 ? parse_argv(cfg, argc, argv, false) : rc;
    if (cfg->config_file && load_file(cfg, cfg->config_file) < 0)
        return -1;
    /* LocalStack's names first, so that CLOUDLESS_* ones win over them. */
    for (size_t i = 0; i < N_SETTINGS; i++) {
        const struct setting *s = &settings[i];
        const char *v = s->localstack_env ? getenv(s->localstack_env) : NULL;
        if (v && (s->read_localstack ? s->read_localstack(cfg, s, v, s->localstack_env)
                                     : apply(cfg, s, v, s->localstack_env)) < 0)
            return -1;
    }
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char env[64];
        env_name(&settings[i], env, sizeof(env));
        const char *v = getenv(env);
        if (v && strcmp(settings[i].name, "config") != 0 && apply(cfg, &settings[i], v, env) < 0)
            return -1;
    }
    const char *keys = getenv("CLOUDLESS_ACCESS_KEYS");
    if (keys && add_key_list(cfg, keys, "CLOUDLESS_ACCESS_KEYS") < 0)
        return -1;
    rc = parse_argv(cfg, argc, argv, false);
    if (rc != 0)
        return rc;
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        fprintf(stderr, "cloudless: --tls-cert and --tls-key go together\n");
        return -1;
    }
    if (cfg->port > 65535) {
        fprintf(stderr, "cloudless: invalid port %d\n", cfg->port);
        return -1;
    }
    if (strcmp(cfg->credentials, "strict") != 0 && strcmp(cfg->credentials, "localstack") != 0) {
        fprintf(stderr, "cloudless: --credentials is strict or localstack, not '%s'\n", cfg->credentials);
        return -1;
    }
    cfg->any_access_key = strcmp(cfg->credentials, "localstack") == 0;
    if (cfg->services && !*cfg->services) {
        free(cfg->services);       /* SERVICES= (empty) means every service, as in LocalStack */
        cfg->services = NULL;
    }
    if (cfg->public_host && (!*cfg->public_host || strpbrk(cfg->public_host, "/\"<>\\ "))) {
        fprintf(stderr, "cloudless: invalid public host '%s' (host or host:port)\n", cfg->public_host);
        return -1;
    }
    return 0;
}

void config_free(struct config *cfg)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (settings[i].kind == SET_STRING)
            free(*(char **)((char *)cfg + settings[i].offset));
    for (size_t i = 0; i < cfg->n_keys; i++) {
        free(cfg->keys[i].access_key);
        free(cfg->keys[i].secret);
    }
    free(cfg->keys);
    memset(cfg, 0, sizeof(*cfg));
}

const struct access_key *config_find_key(const struct config *cfg, const char *access_key)
{
    /* Later definitions win, so a config file can change test's account. */
    for (size_t i = cfg->n_keys; i-- > 0;)
        if (strcmp(cfg->keys[i].access_key, access_key) == 0)
            return &cfg->keys[i];
    return NULL;
}

void config_guest_account(const char *access_key, char account[13])
{
    bool digits = strlen(access_key) == 12;
    for (size_t i = 0; digits && i < 12; i++)
        digits = isdigit((unsigned char)access_key[i]);
    memcpy(account, digits ? access_key : "000000000000", 13);
}
