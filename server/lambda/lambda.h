/* lambda: the Lambda service's internal model, shared by its files. An
 * operation family has the same file name here as in protocol/lambda and
 * storage/lambda (see protocol/lambda/operations.h for the operations).
 *
 *   service.c       life cycle; the REST API's intake and dispatch by the table
 *   call.c          one API request: answers in AWS's format, shared helpers
 *   functions.c     Create/Get/List/Update/DeleteFunction, versions, PublishVersion
 *   invoke.c        Invoke (RequestResponse, Event, DryRun)
 *   aliases.c       Create/Get/List/Update/DeleteAlias
 *   permissions.c   AddPermission, GetPolicy, RemovePermission
 *   tags.c          ListTags, TagResource, UntagResource
 *   concurrency.c   Put/Get/DeleteFunctionConcurrency
 *   event_invoke_config.c  Put/Update/Get/DeleteFunctionEventInvokeConfig
 *   account.c       GetAccountSettings
 *   esm.c           event source mappings (SQS queues, DynamoDB streams): their
 *                   API and documents
 *   esm_poller.c    the passes over them; the pollers that invoke functions
 *                   with SQS batches
 *   esm_stream.c    the readers that invoke functions with stream batches
 *   store.c         functions in memory and their durable JSON documents
 *   code.c          zips: validated, stored and unpacked on a worker thread
 *   runtime.c       execution environments (child processes) and invocations
 *   runtime_api.c   the Runtime API they talk to on private loopback listeners
 *   role_credentials.c  the execution role's temporary credentials environments run with
 *   async.c         the durable queue of asynchronous invocations, retries and
 *                   destinations
 *   s3_trigger.c    the "lambda" destination of the S3 event bus
 *
 * Everything runs on the event loop thread except the code worker. A
 * function's configuration is copied into a refcounted lambda_exec_config
 * when invoked, so environments and queued invocations never point into a
 * function that may be updated or deleted meanwhile. */
#ifndef CLOUDLESS_LAMBDA_H
#define CLOUDLESS_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"
#include "protocol/core/dates.h"
#include "protocol/core/json.h"
#include "protocol/core/percent.h"
#include "protocol/core/uuid.h"
#include "protocol/lambda/operations.h"
#include "protocol/lambda/request.h"
#include "server/iam/entry.h"
#include "storage/core/clock.h"

struct server;
struct lambda_code;
struct lambda_runtime;
struct lambda_async;
struct lambda_esm;
struct lambda_roles;
struct http_req;

#define LAMBDA_SYNC_PAYLOAD_MAX 6291456        /* 6 MB request and response */
#define LAMBDA_ASYNC_PAYLOAD_MAX 262144        /* 256 KB */
#define LAMBDA_ZIP_REQUEST_MAX 69905067        /* CreateFunction body limit */
#define LAMBDA_ZIP_MAX (50 * 1024 * 1024)
#define LAMBDA_UNZIPPED_MAX 262144000
#define LAMBDA_TAIL_BYTES 4096
#define LAMBDA_DEFAULT_RETRIES 2
#define LAMBDA_DEFAULT_EVENT_AGE_S 21600
#define LAMBDA_CODE_PATH "/_cloudless/lambda/code/"   /* GetFunction's Code.Location */

struct lambda_kv {
    char *key;
    char *value;
};

/* One version's configuration ($LATEST or a published number). */
struct lambda_version {
    char *version;
    char *runtime;
    char *handler;
    char *role;
    char *description;
    char *architecture;            /* "x86_64" or "arm64" */
    int timeout_s;
    int memory_mb;
    int ephemeral_mb;
    struct lambda_kv *env;
    size_t n_env;
    char code_sha_hex[65];         /* names the stored zip and its unpacked tree */
    char code_sha_b64[45];         /* CodeSha256 as AWS shows it */
    int64_t code_size;
    char revision_id[37];
    int64_t last_modified_ms;
};

struct lambda_alias {
    char *name;
    char *version;
    char *description;
    char revision_id[37];
};

/* A resource-policy statement: its Sid and its JSON. */
struct lambda_statement {
    char *sid;
    char *json;
};

/* PutFunctionEventInvokeConfig (one per function in this implementation). */
struct lambda_eic {
    int max_retries;               /* -1: not set (2) */
    int max_age_s;                 /* -1: not set (21600) */
    char *on_success;              /* destination ARNs, NULL when none */
    char *on_failure;
    int64_t modified_ms;
};

struct lambda_function {
    struct lambda_function *next;
    char account[13];
    char *name;
    struct lambda_version **versions;   /* [0] is $LATEST, then published ones in order */
    size_t n_versions;
    int64_t next_version;
    struct lambda_alias *aliases;
    size_t n_aliases;
    struct lambda_statement *policy;
    size_t n_policy;
    char policy_revision[37];
    struct lambda_kv *tags;
    size_t n_tags;
    int reserved_concurrency;      /* -1 when none */
    struct lambda_eic *eic;        /* NULL when none */
};

struct lambda_service {
    struct server *srv;
    struct lambda_function *functions;
    struct lambda_code *code;
    struct lambda_runtime *runtime;
    struct lambda_async *async;
    struct lambda_esm *esm;
    struct lambda_roles *roles;    /* execution roles' credentials (role_credentials.c) */
    char *lambda_dir;              /* <data-dir>/lambda */
    char *runtimes_dir;            /* the bootstraps cloudless ships */
};

/* ---- server/lambda/store.c -------------------------------------------------------- */

struct lambda_function *lambda_find(struct lambda_service *svc, const char *account, const char *name);
/* The version a qualifier names: NULL/"$LATEST", a number or an alias. */
struct lambda_version *lambda_resolve(struct lambda_function *fn, const char *qualifier);
struct lambda_alias *lambda_find_alias(struct lambda_function *fn, const char *name);
void lambda_function_free(struct lambda_function *fn);
void lambda_version_free(struct lambda_version *v);
struct lambda_version *lambda_version_copy(const struct lambda_version *v);
void lambda_kvs_free(struct lambda_kv *kv, size_t n);
/* Removes from kv the keys that the query's repeated `param` names
 * (UntagResource's ?tagKeys=a&tagKeys=b). */
void lambda_kvs_remove_named(struct lambda_kv *kv, size_t *n, const char *query, const char *param);
/* arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] */
void lambda_function_arn(struct lambda_service *svc, const struct lambda_function *fn,
                         const char *qualifier, char *out, size_t cap);
/* Writes the FunctionConfiguration of a version. */
void lambda_write_config(struct lambda_service *svc, struct json_writer *w, const char *key,
                         const struct lambda_function *fn, const struct lambda_version *v);
/* Makes the function's current state durable (NULL fn: deleted), then
 * done(arg, ok) on the loop thread. -1 when nothing was queued. */
int lambda_persist(struct lambda_service *svc, const struct lambda_function *fn,
                   const char *account, const char *name, void (*done)(void *arg, bool ok), void *arg);
int lambda_load_functions(struct lambda_service *svc, char *err, size_t errlen);

/* ---- server/lambda/code.c --------------------------------------------------------- */

/* Where a zip's bytes are: an in-memory buffer (owned by the job) or the
 * pieces of an S3 object (fds owned by the job, or inline bytes). */
struct lambda_code_piece {
    int fd;                        /* -1 when data is set */
    unsigned char *data;
    int64_t len;
};

struct lambda_code_result {
    int err;                       /* 0, or LAMBDA_CODE_* */
    char sha_hex[65];
    char sha_b64[45];
    int64_t size;
};

enum {
    LAMBDA_CODE_OK = 0,
    LAMBDA_CODE_CORRUPT,           /* not a zip libzip can read */
    LAMBDA_CODE_UNSAFE_PATH,       /* absolute path or `..` */
    LAMBDA_CODE_SYMLINK,
    LAMBDA_CODE_TOO_LARGE_ZIP,
    LAMBDA_CODE_TOO_LARGE_UNZIPPED,
    LAMBDA_CODE_IO,
};

struct lambda_code *lambda_code_new(struct server *srv, const char *lambda_dir);
void lambda_code_free(struct lambda_code *c);
/* Hashes, validates, stores and unpacks a zip off the loop thread; done
 * runs on the loop thread. Takes ownership of pieces. -1 when not queued. */
int lambda_code_submit(struct lambda_code *c, struct lambda_code_piece *pieces, size_t n,
                       void (*done)(void *arg, const struct lambda_code_result *r), void *arg);
/* The unpacked tree of a stored zip. */
void lambda_code_dir(struct lambda_service *svc, const char *sha_hex, char *out, size_t cap);
const char *lambda_code_error_message(int err);

/* ---- server/lambda/runtime.c ------------------------------------------------------ */

/* What an execution environment is built from: an immutable snapshot. */
struct lambda_exec_config {
    int refs;
    char account[13];
    char *name;
    char *version;
    char *revision_id;
    char *runtime;
    char *handler;
    char *code_dir;
    char *function_arn;            /* unqualified */
    char *role;                    /* the execution role's ARN */
    int timeout_s;
    int memory_mb;
    struct lambda_kv *env;
    size_t n_env;
    int concurrency;               /* environments allowed at once; 0 = throttled */
};

struct lambda_exec_config *lambda_exec_config_new(struct lambda_service *svc,
                                                  const struct lambda_function *fn,
                                                  const struct lambda_version *v);
void lambda_exec_config_unref(struct lambda_exec_config *c);

struct lambda_result {
    const char *payload;
    size_t len;
    const char *function_error;    /* "Unhandled" or NULL */
    const char *log_tail;          /* the invocation's last 4 KB of log text */
    size_t log_tail_len;
};

typedef void (*lambda_invoke_done)(void *arg, const struct lambda_result *r);

struct lambda_runtime *lambda_runtime_new(struct lambda_service *svc);
/* Answers parked runtime requests and kills every environment. */
void lambda_runtime_shutdown(struct lambda_runtime *rt);
void lambda_runtime_free(struct lambda_runtime *rt);
/* Runs one invocation (takes a reference to cfg; copies payload). done
 * runs exactly once, later, on the loop thread. -1 when out of memory. */
int lambda_runtime_invoke(struct lambda_runtime *rt, struct lambda_exec_config *cfg,
                          const char *invoked_arn, const char *payload, size_t len,
                          const char *client_context, lambda_invoke_done done, void *arg,
                          char request_id[37]);
/* The function's environments of `version` (NULL: every version) are
 * retired: idle ones stop now, busy ones after their invocation. */
void lambda_runtime_retire(struct lambda_runtime *rt, const char *account, const char *name,
                           const char *version);
/* Execution role credentials some pools waited for are ready (or failed):
 * they are scheduled again. */
void lambda_runtime_credentials_ready(struct lambda_runtime *rt);

/* ---- server/lambda/role_credentials.c --------------------------------------------- */

struct lambda_roles *lambda_roles_new(void);
void lambda_roles_free(struct lambda_roles *roles);
enum lambda_creds {
    LAMBDA_CREDS_READY,            /* *out holds them */
    LAMBDA_CREDS_PENDING,          /* being made: lambda_runtime_credentials_ready() follows */
    LAMBDA_CREDS_NONE,             /* the role cannot be assumed by Lambda */
};
/* The credentials of cfg's execution role for an environment of the
 * function, valid at least until needed_until_ms. */
enum lambda_creds lambda_role_credentials(struct lambda_service *svc, const struct lambda_exec_config *cfg,
                                          int64_t needed_until_ms, struct iam_role_credentials *out);

/* ---- server/lambda/async.c -------------------------------------------------------- */

struct lambda_async *lambda_async_new(struct lambda_service *svc, char *err, size_t errlen);
void lambda_async_free(struct lambda_async *a);
/* The time moved forward: retries that came due run now. */
void lambda_async_clock_moved(struct lambda_async *a);
/* Accepts an event durably; done(arg, ok) once it is on disk. */
int lambda_async_accept(struct lambda_async *a, const char *account, const char *name,
                        const char *qualifier, const char *payload, size_t len,
                        char request_id[37], void (*done)(void *arg, bool ok), void *arg);

/* ---- server/lambda/call.c: one API request ---------------------------------------- */

/* One request to the Lambda API, from its headers to its answer. */
struct lambda_call {
    struct http_req *req;
    struct lambda_service *svc;
    struct lambda_route route;     /* the operation, and its path's labels */
    struct strbuf body;
    size_t limit;                  /* the body the operation takes */
    bool too_large;
    char account[13];
    const struct json_value *json; /* the body, parsed (NULL when empty, and for Invoke) */
    char *fn_name;                 /* from the path */
    char *qualifier;               /* from the path (name:qualifier) or ?Qualifier= */
    /* Pending work. */
    char name_copy[200];
    int status;
    bool publish;
    struct lambda_version *pending_version;
    bool want_tail;
    char invoke_rid[37];
    char condition_function_arn[600];  /* lambda:FunctionArn of a mapping request, "" when none */
};

/* The operations' handlers, one per entry of protocol/lambda/operations.h,
 * each in the file of its family. */
#define LAMBDA_DECLARE_HANDLER(name, method, path, family, action, handler) void handler(struct lambda_call *c);
LAMBDA_OPERATIONS(LAMBDA_DECLARE_HANDLER)

void lambda_send_json(struct http_req *req, int status, struct strbuf *sb);
/* x-amzn-ErrorType `type` and {"Type":"User"|"Service","message":msg}. */
void lambda_send_error_message(struct http_req *req, int status, const char *type, const char *msg);
/* The same for a call; the message is formatted. */
void call_json(struct lambda_call *c, int status, struct strbuf *sb);
void call_error(struct lambda_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void call_empty(struct lambda_call *c, int status);
/* ResourceNotFoundException "Function not found: <arn>[:qualifier]". */
void call_function_not_found(struct lambda_call *c, const char *name, const char *qualifier);
/* InvalidParameterValueException with fmt's one %s. */
void call_invalid(struct lambda_call *c, const char *fmt, const char *arg);
/* ServiceException: the change could not be made durable. */
void call_store_failed(struct lambda_call *c);
/* ?name=value from the query, decoded (caller frees), or NULL. */
char *call_query_param(const struct lambda_call *c, const char *name);
/* Sets fn_name and qualifier from a FunctionName: name, name:qualifier,
 * account:function:name[:qualifier] or the full ARN. -1 out of memory. */
int call_split_function_name(struct lambda_call *c, const char *decoded);
/* The function (or its version) the call names; NULL when answered 404. */
struct lambda_function *call_require_function(struct lambda_call *c);
struct lambda_version *call_require_version(struct lambda_call *c, struct lambda_function *fn);
/* The body's RevisionId, if any, is `current`; else 412 answered, false. */
bool call_check_revision(struct lambda_call *c, const char *current);
/* Persists fn (NULL: deleted) as `name`, then done(c, ok) answers. */
void call_persist(struct lambda_call *c, struct lambda_function *fn, const char *name,
                  void (*done)(void *arg, bool ok));
/* A persist completion answering c->status with no body. */
void call_persisted_empty(void *arg, bool ok);
/* Replaces *field with a copy of value; -1 out of memory (field kept). */
int lambda_replace_str(char **field, const char *value);
/* A base64 text (line breaks allowed) into a new buffer: 0, -1 out of
 * memory, -2 not base64. */
int lambda_decode_base64(const char *in, unsigned char **out, int64_t *len);

/* ---- server/lambda/permissions.c -------------------------------------------------- */

/* The function's resource policy as GetPolicy answers it (its statements,
 * none when it has none). */
void lambda_policy_document(const struct lambda_function *fn, struct strbuf *out);

/* ---- server/lambda/tags.c --------------------------------------------------------- */

/* A Tags object into a new array; -1 out of memory. */
int lambda_parse_tags(const struct json_value *tags, struct lambda_kv **out, size_t *n);
/* The function's tags as the object `key`. */
void lambda_write_tags(struct json_writer *w, const char *key, const struct lambda_function *fn);

/* ---- server/lambda/esm.c, esm_poller.c -------------------------------------------- */

/* Loads the mappings and starts polling (srv->sqs created). */
struct lambda_esm *lambda_esm_new(struct lambda_service *svc, char *err, size_t errlen);
/* No new batches from now on (the runtime fails the running ones). */
void lambda_esm_stop(struct lambda_esm *esm);
void lambda_esm_free(struct lambda_esm *esm);
/* ListTags / TagResource / UntagResource (GET / POST / DELETE) of the
 * mapping an event-source-mapping ARN names. */
void lambda_esm_tags(struct lambda_call *c, const char *arn);

/* ---- server/lambda/service.c -------------------------------------------------------- */

/* Whether the function's resource policy allows the service `principal`
 * lambda:InvokeFunction on `arn` with these aws:SourceArn and
 * aws:SourceAccount (evaluated by protocol/iam). */
bool lambda_policy_allows(const struct lambda_function *fn, const char *principal, const char *arn,
                          const char *source_arn, const char *source_account);

/* ---- server/lambda/s3_trigger.c --------------------------------------------------- */

/* Registers the "lambda" destination on the S3 event bus. -1 on ENOMEM. */
int lambda_s3_trigger_start(struct lambda_service *svc);

#endif
