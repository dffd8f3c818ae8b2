/* iam_internal: what the storage/iam/ files share and nobody else sees —
 * statement helpers with typed bindings, the entity row loader, and AWS's
 * messages for missing and duplicate entities. */
#ifndef CLOUDLESS_STORAGE_IAM_INTERNAL_H
#define CLOUDLESS_STORAGE_IAM_INTERNAL_H

#include <stdarg.h>

#include "storage/core/store_internal.h"
#include "storage/iam/iam_store.h"

/* The statement for `sql` (a string literal, cached on the connection)
 * with ?1, ?2, ... bound from the arguments as `types` says: 't' a C
 * string (NULL binds NULL), 'i' an int64_t. NULL on error. */
sqlite3_stmt *iam_stmt(struct store_conn *c, const char *sql, const char *types, ...);
/* Runs such a statement to its end: the rows it changed, or -1. */
int iam_run(struct store_conn *c, const char *sql, const char *types, ...);
/* The integer the statement's first row has in its first column (0 when
 * it has no row), or -1 on error. */
int64_t iam_scalar(struct store_conn *c, const char *sql, const char *types, ...);

/* The columns of an entity row (table alias e), policies' usage counts
 * included, for iam_read_entity(). */
#define IAM_ENTITY_COLUMNS                                                                                            \
    "e.account, e.kind, e.name, e.id, e.path, e.created_ms, e.tags, e.description, e.boundary_arn, e.trust_policy,"  \
    " e.max_session_s, e.last_used_ms, e.last_used_region, e.linked_service, e.default_version, e.updated_ms,"       \
    " CASE WHEN e.kind = 3 THEN (SELECT count(*) FROM iam_attachments a WHERE a.account = e.account"                 \
    "   AND a.policy_arn = e.arn) ELSE 0 END,"                                                                       \
    " CASE WHEN e.kind = 3 THEN (SELECT count(*) FROM iam_entities b WHERE b.account = e.account"                    \
    "   AND b.boundary_arn = e.arn) ELSE 0 END"
#define IAM_ENTITY_N_COLUMNS 18
/* Loads columns first..first+17 (IAM_ENTITY_COLUMNS) into e (strings
 * borrowed from the statement). */
void iam_read_entity(sqlite3_stmt *s, int first, struct iam_entity *e);
/* Steps s to its end, visiting each row's entity (columns from 0) until
 * the visitor says stop; resets s. */
enum iam_err iam_visit_entities(sqlite3_stmt *s, iam_entity_visit visit, void *arg);

/* 1 when the entity exists, 0 when not, -1 on error. */
int iam_entity_exists(struct store_conn *c, const char *account, enum iam_kind kind, const char *name);

/* Writes AWS's message and returns err. */
enum iam_err iam_fail(struct iam_fault *f, enum iam_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* NoSuchEntity: "The user with name X cannot be found." and the like. */
enum iam_err iam_no_such(struct iam_fault *f, enum iam_kind kind, const char *name);
/* The entity must exist: IAM_OK, or iam_no_such / IAM_ERR_STORAGE. */
enum iam_err iam_require(struct store_conn *c, const char *account, enum iam_kind kind, const char *name,
                         struct iam_fault *f);

#endif
