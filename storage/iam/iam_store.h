/* iam_store: IAM's and STS's durable state — users, groups, roles,
 * managed policies (with their versions), instance profiles, inline
 * policies, attachments, group memberships, access keys, STS sessions and
 * service-linked role deletion tasks — behind typed functions; every SQL
 * statement of the two services is in storage/iam/.
 *
 *   storage/iam/schema.c              the iam_* tables
 *   storage/iam/entities.c            the rows every kind shares: create,
 *                                     get, list, rename, delete (with
 *                                     AWS's conflicts), tags, boundaries,
 *                                     role settings
 *   storage/iam/policies.c            managed policies by ARN (AWS's own
 *                                     included), versions, usage
 *   storage/iam/inline_policies.c     policies embedded in users, groups, roles
 *   storage/iam/attachments.c         managed policies attached to them
 *   storage/iam/groups.c              group membership
 *   storage/iam/instance_profiles.c   roles in instance profiles
 *   storage/iam/access_keys.c         IAM users' (and root's) access keys
 *   storage/iam/sessions.c            STS temporary credentials
 *   storage/iam/service_linked_roles.c  deletion tasks
 *   storage/iam/principals.c          every policy that applies to a user,
 *                                     group or role (for evaluation)
 *
 * Every function takes a struct store_conn (storage/core/store.h): writes
 * take the writer, as a store_submit() apply callback gets it, and check
 * AWS's rules (existence, conflicts, quotas) in the same transaction;
 * reads take the loop thread's reader. Names of users, groups, roles,
 * policies and instance profiles compare ignoring case, as IAM's do.
 * A failing call returns its error and writes AWS's message for it into
 * the struct iam_fault it was given. Listing functions call a visitor per
 * row, in name order, until it returns false; what it is given lives until
 * it returns. */
#ifndef CLOUDLESS_STORAGE_IAM_STORE_H
#define CLOUDLESS_STORAGE_IAM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/iam/model.h"

struct store_conn;

enum iam_err {
    IAM_OK = 0,
    IAM_ERR_NO_SUCH_ENTITY,        /* NoSuchEntity, 404 */
    IAM_ERR_EXISTS,                /* EntityAlreadyExists, 409 */
    IAM_ERR_DELETE_CONFLICT,       /* DeleteConflict, 409 */
    IAM_ERR_LIMIT,                 /* LimitExceeded, 409 */
    IAM_ERR_INVALID_INPUT,         /* InvalidInput, 400 */
    IAM_ERR_UNMODIFIABLE,          /* UnmodifiableEntity, 400 */
    IAM_ERR_NOT_ATTACHABLE,        /* PolicyNotAttachable, 400 */
    IAM_ERR_NOMEM,
    IAM_ERR_STORAGE,               /* SQLite failed */
};

struct iam_fault {
    char message[512];
};

/* ---- entities (storage/iam/entities.c) ------------------------------------ */

typedef bool (*iam_entity_visit)(void *arg, const struct iam_entity *e);

/* Inserts e (its kind, account, name, id, path, created_ms and the fields of
 * its kind; tags NULL for none). IAM_ERR_EXISTS when the name is taken,
 * IAM_ERR_LIMIT past the kind's quota of the account. */
enum iam_err iam_entity_create(struct store_conn *writer, const struct iam_entity *e, struct iam_fault *f);
/* Visits the entity (visit NULL: only says whether it exists), or
 * IAM_ERR_NO_SUCH_ENTITY. */
enum iam_err iam_entity_get(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                            iam_entity_visit visit, void *arg, struct iam_fault *f);
/* The account's entities of a kind whose path starts with path_prefix
 * (NULL: any), named after `after` ("" from the start). */
enum iam_err iam_entity_list(struct store_conn *reader, const char *account, enum iam_kind kind,
                             const char *path_prefix, const char *after, iam_entity_visit visit, void *arg);
/* Deletes an entity that nothing refers to any more; IAM_ERR_DELETE_CONFLICT
 * (with AWS's message) when something does: a user's inline or attached
 * policies, access keys or groups; a group's members or policies; a role's
 * policies or instance profiles; an instance profile's role. */
enum iam_err iam_entity_delete(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                               struct iam_fault *f);
/* UpdateUser / UpdateGroup: a new name and/or path (NULL: unchanged); every
 * reference to the name follows. */
enum iam_err iam_entity_rename(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                               const char *new_name, const char *new_path, struct iam_fault *f);
/* Tags: adds (replacing keys) and removes; IAM_ERR_LIMIT beyond 50. */
enum iam_err iam_entity_tag(struct store_conn *writer, const char *account, enum iam_kind kind, const char *name,
                            const char *const *keys, const char *const *values, size_t n_add,
                            const char *const *remove, size_t n_remove, struct iam_fault *f);
/* A user's or role's permissions boundary (policy_arn NULL removes it);
 * the policy must exist. */
enum iam_err iam_entity_set_boundary(struct store_conn *writer, const char *account, enum iam_kind kind,
                                     const char *name, const char *policy_arn, struct iam_fault *f);
/* A role's settings: description, max session (0: unchanged), trust
 * policy (NULL: unchanged). Service-linked roles refuse changes but their
 * description (IAM_ERR_UNMODIFIABLE). */
enum iam_err iam_role_update(struct store_conn *writer, const char *account, const char *name, const char *description,
                             int64_t max_session_s, const char *trust_policy, struct iam_fault *f);
/* Records that a role was assumed. */
enum iam_err iam_role_used(struct store_conn *writer, const char *account, const char *name, int64_t when_ms,
                           const char *region);

/* ---- managed policies (storage/iam/policies.c) ------------------------------------ */

/* Creates a policy (its row and version v1 as the default). */
enum iam_err iam_policy_create(struct store_conn *writer, const struct iam_entity *e, const char *document,
                               struct iam_fault *f);
/* The policy an ARN names, for a caller of `account`: its own or AWS's
 * (arn:aws:iam::aws:policy/...), with its usage in the account. */
enum iam_err iam_policy_get(struct store_conn *conn, const char *account, const char *arn, iam_entity_visit visit,
                            void *arg, struct iam_fault *f);
/* The managed policy an ARN names exists for a caller of `account` (its
 * own, or AWS's): IAM_OK, NoSuchEntity or InvalidInput (no policy ARN). */
enum iam_err iam_policy_exists(struct store_conn *conn, const char *account, const char *arn, struct iam_fault *f);
/* ListPolicies: local (scope "Local"), AWS's ("AWS") or both ("All"),
 * under path_prefix, only those attached when only_attached; the marker
 * is "<scope>:<name>" of the last one shown ("" from the start). */
enum iam_err iam_policy_list(struct store_conn *reader, const char *account, const char *scope,
                             const char *path_prefix, bool only_attached, const char *after,
                             iam_entity_visit visit, void *arg);
/* The marker iam_policy_list continues after, for a policy it visited. */
void iam_policy_marker(const struct iam_entity *e, char *out, size_t cap);
/* DeletePolicy: DeleteConflict while attached, used as a boundary, or
 * with versions beside the default. AWS's policies: IAM_ERR_INVALID_INPUT. */
enum iam_err iam_policy_delete(struct store_conn *writer, const char *account, const char *arn, struct iam_fault *f);
/* CreatePolicyVersion: at most 5 versions (IAM_ERR_LIMIT); *number is
 * the new version's. */
enum iam_err iam_policy_version_create(struct store_conn *writer, const char *account, const char *arn,
                                       const char *document, bool set_default, int64_t now_ms, int64_t *number,
                                       struct iam_fault *f);
typedef bool (*iam_version_visit)(void *arg, const struct iam_policy_version *v);
/* One version (number), or every version newest first (number 0). */
enum iam_err iam_policy_versions(struct store_conn *conn, const char *account, const char *arn, int64_t number,
                                 iam_version_visit visit, void *arg, struct iam_fault *f);
/* DeletePolicyVersion (not the default: DeleteConflict) and SetDefaultPolicyVersion. */
enum iam_err iam_policy_version_delete(struct store_conn *writer, const char *account, const char *arn,
                                       int64_t number, struct iam_fault *f);
enum iam_err iam_policy_set_default(struct store_conn *writer, const char *account, const char *arn,
                                    int64_t number, int64_t now_ms, struct iam_fault *f);
/* ListEntitiesForPolicy: the users, groups and roles a policy is attached
 * to (or is the boundary of, with boundaries), kind by kind, by name. */
typedef bool (*iam_policy_entity_visit)(void *arg, enum iam_kind kind, const char *name, const char *id,
                                        const char *path);
enum iam_err iam_policy_entities(struct store_conn *reader, const char *account, const char *arn, bool boundaries,
                                 iam_policy_entity_visit visit, void *arg, struct iam_fault *f);
/* The default version's document of a policy (*document to be freed). */
enum iam_err iam_policy_document(struct store_conn *conn, const char *account, const char *arn, char **document,
                                 struct iam_fault *f);

/* ---- inline policies (storage/iam/inline_policies.c) ------------------------------ */

typedef bool (*iam_inline_visit)(void *arg, const char *name, const char *document);

/* Stores (or replaces) an inline policy of a user, group or role: the
 * owner must exist; IAM_ERR_LIMIT past the owner's aggregate size. */
enum iam_err iam_inline_put(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                            const char *name, const char *document, struct iam_fault *f);
/* One policy (name) or all named after `after` (name NULL). */
enum iam_err iam_inline_get(struct store_conn *conn, const char *account, enum iam_kind kind, const char *owner,
                            const char *name, const char *after, iam_inline_visit visit, void *arg,
                            struct iam_fault *f);
enum iam_err iam_inline_delete(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                               const char *name, struct iam_fault *f);

/* ---- attachments (storage/iam/attachments.c) -------------------------------------- */

typedef bool (*iam_attached_visit)(void *arg, const struct iam_attached *a);

/* Attaches a managed policy (its own account's or AWS's) to a user, group
 * or role; attaching it again changes nothing. IAM_ERR_LIMIT past 10. */
enum iam_err iam_attach(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                        const char *policy_arn, struct iam_fault *f);
enum iam_err iam_detach(struct store_conn *writer, const char *account, enum iam_kind kind, const char *owner,
                        const char *policy_arn, struct iam_fault *f);
/* The owner's attached policies with a path under path_prefix (NULL:
 * any), by ARN after `after`. */
enum iam_err iam_attached_list(struct store_conn *conn, const char *account, enum iam_kind kind, const char *owner,
                               const char *path_prefix, const char *after, iam_attached_visit visit, void *arg,
                               struct iam_fault *f);

/* ---- groups (storage/iam/groups.c) ------------------------------------------------- */

enum iam_err iam_group_add_user(struct store_conn *writer, const char *account, const char *group, const char *user,
                                struct iam_fault *f);
enum iam_err iam_group_remove_user(struct store_conn *writer, const char *account, const char *group,
                                   const char *user, struct iam_fault *f);
/* A group's users, or (of_user) a user's groups, by name after `after`. */
enum iam_err iam_group_members(struct store_conn *conn, const char *account, const char *name, bool of_user,
                               const char *after, iam_entity_visit visit, void *arg, struct iam_fault *f);

/* ---- instance profiles (storage/iam/instance_profiles.c) -------------------------- */

enum iam_err iam_profile_add_role(struct store_conn *writer, const char *account, const char *profile,
                                  const char *role, struct iam_fault *f);
enum iam_err iam_profile_remove_role(struct store_conn *writer, const char *account, const char *profile,
                                     const char *role, struct iam_fault *f);
/* A profile's roles, or (of_role) the profiles a role is in, by name. */
enum iam_err iam_profile_links(struct store_conn *conn, const char *account, const char *name, bool of_role,
                               const char *after, iam_entity_visit visit, void *arg, struct iam_fault *f);

/* ---- access keys (storage/iam/access_keys.c) --------------------------------------- */

typedef bool (*iam_key_visit)(void *arg, const struct iam_access_key *k);

/* A key for the user (NULL: the account's root user); at most 2 each. */
enum iam_err iam_key_create(struct store_conn *writer, const char *account, const char *user, const char *key_id,
                            const char *secret, int64_t now_ms, struct iam_fault *f);
/* The user's (NULL: root's) keys by id after `after`. */
enum iam_err iam_key_list(struct store_conn *conn, const char *account, const char *user, const char *after,
                          iam_key_visit visit, void *arg, struct iam_fault *f);
/* status "Active" / "Inactive" (NULL: delete the key). */
enum iam_err iam_key_update(struct store_conn *writer, const char *account, const char *user, const char *key_id,
                            const char *status, struct iam_fault *f);
/* Any account's key by id (with its user's path and id): IAM_OK and a
 * visit, or IAM_ERR_NO_SUCH_ENTITY. */
enum iam_err iam_key_find(struct store_conn *conn, const char *key_id, iam_key_visit visit, void *arg);
enum iam_err iam_key_used(struct store_conn *writer, const char *key_id, int64_t when_ms, const char *service,
                          const char *region);

/* ---- sessions (storage/iam/sessions.c) --------------------------------------------- */

typedef bool (*iam_session_visit)(void *arg, const struct iam_session *s);

enum iam_err iam_session_create(struct store_conn *writer, const struct iam_session *s, struct iam_fault *f);
/* A session by its access key id (expired ones too, until purged). */
enum iam_err iam_session_find(struct store_conn *conn, const char *key_id, iam_session_visit visit, void *arg);
/* Deletes sessions that expired before `before_ms`. */
enum iam_err iam_sessions_purge(struct store_conn *writer, int64_t before_ms);

/* ---- service-linked roles (storage/iam/service_linked_roles.c) ---------------------- */

/* Deletes a service-linked role (IAM_ERR_INVALID_INPUT for any other role)
 * with its policies, and records the deletion task `task_id`. */
enum iam_err iam_linked_role_delete(struct store_conn *writer, const char *account, const char *role,
                                    const char *task_id, int64_t now_ms, struct iam_fault *f);
/* The status of a deletion task ("SUCCEEDED"), into status. */
enum iam_err iam_deletion_task(struct store_conn *conn, const char *account, const char *task_id, char status[16],
                               struct iam_fault *f);

/* ---- what applies to a principal (storage/iam/principals.c) ------------------------ */

/* Calls visit with every identity policy of a user (its inline and
 * attached policies, and its groups'), a group or a role: the inline
 * policy's name or the managed policy's ARN, and the document. */
enum iam_err iam_identity_policies(struct store_conn *conn, const char *account, enum iam_kind kind, const char *name,
                                   iam_inline_visit visit, void *arg, struct iam_fault *f);

#endif
