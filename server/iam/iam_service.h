/* iam_service: the request path IAM and STS share — both speak the query
 * protocol (Action=... in a form body, XML answers) on the global
 * endpoint — and the private interface of the server/iam/ files.
 *
 *   server/iam/service.c          the path: body, parameters, the
 *                                 operation from the service's table,
 *                                 authentication; answers and errors;
 *                                 write jobs queued to the group commit
 *                                 and answered once durable; IAM's
 *                                 service_def
 *   server/iam/params.c           parameters as AWS validates them
 *                                 (required members, names, paths,
 *                                 tags, paging) and entity writers
 *   server/iam/<family>.c         one file per family of
 *                                 protocol/iam/operations.h
 *   server/iam/authorization.c    what each request is authorized on
 *   server/iam/credentials.c      access keys and sessions for auth.c
 *   server/iam/principal.c        the policies that apply to a principal
 *   server/sts/                   STS's service_def and handlers, on
 *                                 this same path
 *
 * State is in storage/iam/ (iam_store.h). Reads run on the loop thread's
 * reader; a mutation is an apply function run on the commit thread (it
 * reads the call's parameters, which live until the call is answered) and
 * an answer function run once it is durable. */
#ifndef CLOUDLESS_SERVER_IAM_SERVICE_H
#define CLOUDLESS_SERVER_IAM_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"
#include "protocol/iam/evaluation.h"
#include "protocol/iam/model.h"
#include "protocol/iam/operations.h"
#include "protocol/iam/query.h"
#include "protocol/sts/operations.h"
#include "server/core/service.h"
#include "server/iam/entry.h"
#include "storage/iam/iam_store.h"

struct http_req;
struct server;
struct store_conn;
struct iam_call;

typedef void (*iam_handler)(struct iam_call *c);

/* How long expired STS sessions are kept (then purged by the next session
 * written): they answer ExpiredToken rather than an unknown key. */
#define IAM_SESSION_KEPT_EXPIRED_MS (24LL * 3600 * 1000)

/* A query-protocol service on this path: its definition, XML namespace,
 * handlers (in the order of its operation table), the operations it
 * serves without a signature, and its authorization of a request
 * (server/core/authorize.h: true when it may run, else answered). */
struct iam_query_service {
    const struct service_def *def;
    const char *xmlns;
    const iam_handler *handlers;
    bool (*unsigned_ok)(const char *action);
    bool (*authorized)(struct iam_call *c);
};

/* One request being served. */
struct iam_call {
    struct http_req *req;
    struct server *srv;
    const struct iam_query_service *svc;
    const struct service_op *op;
    struct strbuf body;
    bool too_large;
    struct iam_params params;
    struct iam_principal caller;   /* who signed (anonymous for STS's unsigned operations) */
    char region[33];               /* of the signature's scope */
    const char *account;           /* the caller's account: caller.account */
    /* What a write works on, set by its handler before iam_submit(). */
    enum iam_kind kind;
    const char *name;              /* the entity's name */
    const char *arn;               /* a managed policy's ARN */
    char own_arn[IAM_ARN_MAX];     /* room for one the handler makes */
    int64_t now_ms;
    char new_id[IAM_ID_LEN + 1];   /* the id a create gives */
    void *work;                    /* a family's own state for the write, freed with the call ... */
    void (*work_free)(void *work); /* ... by this (NULL: free()) */
};

/* The handlers of both tables, in their families' files. */
#define IAM_HANDLER_DECLARATION(name, family, action, handler) void handler(struct iam_call *c);
IAM_OPERATIONS(IAM_HANDLER_DECLARATION)
STS_OPERATIONS(IAM_HANDLER_DECLARATION)
#undef IAM_HANDLER_DECLARATION

/* ---- the path (service.c) -------------------------------------------------------- */

/* Takes a request the service claimed: reads its body and runs it. */
void iam_query_intake(struct http_req *req, const struct iam_query_service *svc);
/* Whether a request is signed (header or presigned query) for `service`:
 * 1 yes, 0 for another service, -1 unsigned. */
int iam_signed_for(const struct http_req *req, const char *service);

/* IAM's authorization: the request decided on the entity it names
 * (authorization.c). */
bool iam_authorized(struct iam_call *c);

/* ---- answers (service.c) ----------------------------------------------------------- */

/* Starts the XML of a successful answer with a result element. */
void iam_begin(struct iam_call *c, struct strbuf *sb);
/* Ends it and sends it (a 500 when sb ran out of memory); frees sb. */
void iam_finish(struct iam_call *c, struct strbuf *sb);
/* An answer without a result element. */
void iam_send_empty(struct iam_call *c);
/* An error in the query protocol's shape. */
void iam_send_error(struct iam_call *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* What storage reported, as AWS's error. */
void iam_send_fault(struct iam_call *c, enum iam_err err, const struct iam_fault *f);
/* ValidationError (400). */
void iam_send_validation(struct iam_call *c, const char *message);
/* The reader connection, for storage's reads. */
struct store_conn *iam_reader(struct iam_call *c);

/* ---- writes (service.c) -------------------------------------------------------------- */

typedef enum iam_err (*iam_apply_fn)(struct store_conn *writer, struct iam_call *c, struct iam_fault *f);
/* Runs apply on the commit thread; once durable, answer(c) (NULL: an
 * empty answer), or the error apply reported. */
void iam_submit(struct iam_call *c, iam_apply_fn apply, void (*answer)(struct iam_call *c));

/* ---- parameters (params.c) ------------------------------------------------------------- */

/* A required parameter; NULL after answering ValidationError ("Value null
 * at 'userName'"). */
const char *iam_required(struct iam_call *c, const char *name);
/* A required name (user, group, role, policy, instance profile): pattern
 * and length; NULL after answering. */
const char *iam_name(struct iam_call *c, const char *member, size_t max_len);
/* An optional path (default "/"); NULL after answering. */
const char *iam_path(struct iam_call *c, const char *member, bool policy_path);
/* An optional description; false after answering. */
bool iam_description(struct iam_call *c, const char **out);
/* A required policy document checked as `type`, of at most `max`
 * characters (whitespace not counted; 0: no quota here, else LimitExceeded
 * "Cannot exceed quota for <quota>: <max>"); NULL after answering. */
const char *iam_document(struct iam_call *c, const char *member, enum iam_document_type type, size_t max,
                         const char *quota);
/* A required policy ARN (20-2048 characters); NULL after answering. */
const char *iam_policy_arn(struct iam_call *c, const char *member);
/* The Tags.member.N.Key/Value list (n_tags, each checked, at most 50);
 * false after answering. *keys and *values are to be freed (arrays only). */
bool iam_tags(struct iam_call *c, const char *list, const char ***keys, const char ***values, size_t *n);
/* The tags as a JSON array for a create (NULL when none; to be freed). */
bool iam_tags_json(struct iam_call *c, char **json);

/* Paging: Marker and MaxItems. */
struct iam_page {
    const char *marker;            /* "" from the start */
    int64_t max;
    int64_t n;
    bool truncated;
    char next[IAM_ARN_MAX + 16];   /* the last item shown */
    struct strbuf *sb;
    struct iam_call *call;
};
/* Reads the paging parameters; false after answering. */
bool iam_page_begin(struct iam_call *c, struct iam_page *pg, struct strbuf *sb);
/* Whether one more item fits; when not, the page is truncated. */
bool iam_page_room(struct iam_page *pg);
/* Records `key` as the last item shown. */
void iam_page_shown(struct iam_page *pg, const char *key);
/* Writes IsTruncated and Marker. */
void iam_page_end(struct iam_page *pg);

/* <elem> + iam_xml_entity + </elem>. */
void iam_write_entity(struct strbuf *sb, const char *elem, const struct iam_entity *e, bool full);
/* An instance profile with its roles (read from storage). */
enum iam_err iam_write_profile(struct iam_call *c, struct strbuf *sb, const char *elem, const struct iam_entity *e,
                               bool full);

/* The user a request about "the caller's own" user means: UserName, or
 * the signing IAM user's name; NULL with *root set for the root user;
 * NULL after answering for other callers. */
const char *iam_own_user(struct iam_call *c, bool *root);

/* ---- entities (entities.c): what users, groups, roles, policies and
 * instance profiles share ---------------------------------------------------------------- */

/* A new entity: its row (strings from the call's parameters, the call
 * itself or `extra`), an optional permissions boundary to set, a managed
 * policy's first document, and its tags (JSON, "" for none) kept inline,
 * followed by `extra` bytes for strings the handler makes. A service-linked
 * role (entity.linked_service) whose name is taken is InvalidInput, as
 * AWS answers. */
struct iam_create {
    struct iam_entity entity;
    const char *boundary;
    const char *document;
    char *extra;
    char tags[];
};
/* Copies the tags JSON (NULL: none) into a new struct iam_create with
 * `extra` zeroed bytes after it; NULL after answering when out of memory. */
struct iam_create *iam_create_new(struct iam_call *c, const char *tags_json, size_t extra);
/* Creates it (the call owns cr from then on) and answers with the entity. */
void iam_create_entity(struct iam_call *c, struct iam_create *cr);
/* The element an entity is answered in: "User", "Role", "InstanceProfile". */
const char *iam_element(enum iam_kind kind);
/* Answers with the entity c->kind / c->name (a policy: c->arn) in full. */
void iam_answer_entity(struct iam_call *c);
/* Get<Kind>: the entity named by parameter `member`. */
void iam_get_entity(struct iam_call *c, enum iam_kind kind, const char *member);
/* List<Kind>s: PathPrefix and paging, each in <list><member>. */
void iam_list_entities(struct iam_call *c, enum iam_kind kind, const char *list);
/* Delete<Kind> of the entity named by `member`. */
void iam_delete_entity(struct iam_call *c, enum iam_kind kind, const char *member);
/* Update<Kind> (users, groups): New<Kind>Name and NewPath. */
void iam_update_entity(struct iam_call *c, enum iam_kind kind);

#endif
