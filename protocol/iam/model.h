/* protocol/iam model: IAM's entities as every layer sees them — users,
 * groups, roles, managed policies and instance profiles ("kinds", which
 * share a name, an id, a path, an ARN, a creation date and tags), policy
 * versions, access keys and STS sessions — plus the facts AWS documents
 * about each kind (names, id prefixes, quotas), and the pure helpers over
 * them: ARNs, generated ids and secrets, and the checks of names, paths,
 * tags and descriptions (names.c).
 *
 * Entities read from storage are views: their strings are borrowed from the
 * reader and live as long as the storage call says (usually until the
 * visitor returns). Tags travel as a JSON array [{"Key":..,"Value":..}],
 * the shape AWS lists them in. */
#ifndef CLOUDLESS_PROTOCOL_IAM_MODEL_H
#define CLOUDLESS_PROTOCOL_IAM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"

#define IAM_XMLNS "https://iam.amazonaws.com/doc/2010-05-08/"
#define STS_XMLNS "https://sts.amazonaws.com/doc/2011-06-15/"

/* The account AWS's own managed policies belong to: arn:aws:iam::aws:policy/... */
#define IAM_AWS_ACCOUNT "aws"

/* Longest ARN cloudless writes: arn:aws:iam::<12>:<type>/<path 512><name 128>. */
#define IAM_ARN_MAX 720
/* Generated unique ids (AIDA..., 21 characters) and access key ids (20). */
#define IAM_ID_LEN 21
#define IAM_KEY_ID_LEN 20
#define IAM_SECRET_LEN 40
#define IAM_TOKEN_LEN 356

/* AWS's documented quotas cloudless applies. */
#define IAM_MAX_TAGS 50
#define IAM_MAX_POLICY_VERSIONS 5
#define IAM_MAX_ATTACHED_POLICIES 10       /* managed policies per user, group or role */
#define IAM_MAX_GROUPS_PER_USER 10
#define IAM_MAX_ACCESS_KEYS 2              /* per user */
#define IAM_MAX_ROLES_PER_PROFILE 1
#define IAM_MANAGED_POLICY_SIZE 6144       /* characters, whitespace not counted */
#define IAM_USER_INLINE_SIZE 2048          /* a user's inline policies together */
#define IAM_GROUP_INLINE_SIZE 5120
#define IAM_ROLE_INLINE_SIZE 10240
#define IAM_TRUST_POLICY_SIZE 2048
#define IAM_DOCUMENT_MAX_BYTES 131072      /* policyDocumentType's length limit */
#define IAM_DEFAULT_MAX_ITEMS 100

enum iam_kind {
    IAM_USER,
    IAM_GROUP,
    IAM_ROLE,
    IAM_POLICY,
    IAM_INSTANCE_PROFILE,
    IAM_KIND_COUNT
};

/* What AWS says about a kind. */
struct iam_kind_info {
    const char *word;              /* "user": ARN type and "The user with name X cannot be found." */
    const char *title;             /* "User": "User with name X already exists." */
    const char *name_member;       /* "UserName" */
    const char *id_member;         /* "UserId" */
    const char *id_prefix;         /* "AIDA" */
    size_t max_name;               /* 64 */
    const char *quota;             /* "UsersPerAccount" */
    int64_t max_count;             /* 5000 */
};
const struct iam_kind_info *iam_kind_info(enum iam_kind kind);

/* One entity as stored (borrowed strings). Fields that do not apply to a
 * kind are NULL / 0. */
struct iam_entity {
    enum iam_kind kind;
    const char *account;
    const char *name;
    const char *id;
    const char *path;
    int64_t created_ms;
    const char *tags;              /* JSON array of {"Key","Value"} */
    const char *boundary_arn;      /* users, roles: the permissions boundary, or NULL */
    const char *description;       /* roles, policies, or NULL */
    /* roles */
    const char *trust_policy;      /* AssumeRolePolicyDocument as given */
    int64_t max_session_s;
    int64_t last_used_ms;          /* 0: never */
    const char *last_used_region;
    const char *linked_service;    /* a service-linked role's service ("elasticbeanstalk.amazonaws.com") */
    /* managed policies */
    int64_t default_version;       /* v<N> */
    int64_t updated_ms;
    int64_t attachment_count;
    int64_t boundary_count;        /* PermissionsBoundaryUsageCount */
};

/* A managed policy's version. */
struct iam_policy_version {
    int64_t number;                /* "v<number>" */
    const char *document;
    int64_t created_ms;
    bool is_default;
};

/* A managed policy attached to a user, group or role. */
struct iam_attached {
    const char *policy_arn;
    const char *policy_name;       /* the last part of the ARN */
};

/* An IAM user's access key (or, for key lookups, a session's). */
struct iam_access_key {
    const char *key_id;
    const char *account;
    const char *user;              /* the user's name */
    const char *user_path;
    const char *user_id;
    const char *secret;
    const char *status;            /* "Active" / "Inactive" */
    int64_t created_ms;
    int64_t last_used_ms;          /* 0: never */
    const char *last_used_service;
    const char *last_used_region;
};

/* The kinds of STS sessions. */
enum iam_session_type {
    IAM_SESSION_ROLE,              /* AssumeRole, AssumeRoleWithWebIdentity: an assumed-role session */
    IAM_SESSION_USER,              /* GetSessionToken by an IAM user */
    IAM_SESSION_ROOT,              /* GetSessionToken by the account's root keys */
};

/* Temporary credentials and whom they stand for. */
struct iam_session {
    const char *key_id;            /* ASIA... */
    const char *secret;
    const char *token;
    const char *account;
    enum iam_session_type type;
    const char *arn;               /* arn:aws:sts::A:assumed-role/R/S, the user's ARN, or the root ARN */
    const char *user_id;           /* aws:userid: AROA...:S, AIDA..., or the account id */
    const char *name;              /* the role's or the user's name ("" for root) */
    const char *role_arn;          /* assumed-role sessions: the role */
    const char *session_name;
    const char *session_policy;    /* the inline session policy, or NULL */
    const char *policy_arns;       /* JSON array of the session's managed policy ARNs, or NULL */
    const char *tags;              /* JSON array of session tags, or NULL */
    const char *source_key;        /* the access key that asked for the session */
    int64_t created_ms;
    int64_t expires_ms;
};

/* ---- names.c: ARNs, ids, secrets ------------------------------------------------ */

/* "arn:aws:iam::<account>:<word><path><name>" into out (IAM_ARN_MAX). */
void iam_arn(char *out, size_t cap, enum iam_kind kind, const char *account, const char *path,
             const char *name);
/* A managed policy ARN split into account, path and name (pointers into
 * buffers of the caller's: account[13 or "aws"], path and name each at
 * least IAM_ARN_MAX). False when it is no IAM policy ARN. */
bool iam_parse_policy_arn(const char *arn, char account[16], char *path, char *name);
/* The kind, account and name an IAM user/group/role/instance-profile ARN
 * names (path dropped); false when it is none of those. */
bool iam_parse_entity_arn(const char *arn, enum iam_kind *kind, char account[16], char *name, size_t cap);
/* Each of these is false when OpenSSL's generator gives no random bytes;
 * the caller then answers ServiceFailure rather than hand out a guessable
 * id or secret.
 * prefix + random characters of [A-Z2-7] to IAM_ID_LEN (or IAM_KEY_ID_LEN
 * for "AKIA"/"ASIA"), NUL-terminated. */
bool iam_new_id(const char *prefix, char *out, size_t len);
/* IAM_SECRET_LEN characters of [A-Za-z0-9+/]. */
bool iam_new_secret(char out[IAM_SECRET_LEN + 1]);
/* A session token of IAM_TOKEN_LEN base64 characters. */
bool iam_new_session_token(char out[IAM_TOKEN_LEN + 1]);

/* ---- names.c: input checks ------------------------------------------------------ */

/* Each returns NULL when the value is acceptable, else AWS's message for
 * it (a ValidationError unless said otherwise), written into msg. member
 * is the parameter's name in AWS's lower camel case ("userName"). */
const char *iam_check_name(const char *value, const char *member, size_t max_len, char *msg, size_t cap);
/* pathType: "/" or "/.../" of printable ASCII, at most 512. */
const char *iam_check_path(const char *value, const char *member, char *msg, size_t cap);
/* policyPathType: segments of [A-Za-z0-9.,+@=_-]. */
const char *iam_check_policy_path(const char *value, char *msg, size_t cap);
/* pathPrefixType. */
const char *iam_check_path_prefix(const char *value, char *msg, size_t cap);
/* Descriptions: at most 1000 characters of tab, newlines, printable ASCII and Latin-1. */
const char *iam_check_description(const char *value, const char *member, char *msg, size_t cap);
/* A tag key (1-128) or value (0-256) of letters, spaces, digits and _.:/=+-@. */
const char *iam_check_tag(const char *key, const char *value, char *msg, size_t cap);
/* maxItems (1-1000) and a marker (1-320 characters). */
const char *iam_check_max_items(int64_t value, char *msg, size_t cap);
/* Length limits for ARNs (20-2048) and other strings. */
const char *iam_check_length(const char *value, const char *member, size_t min, size_t max, char *msg, size_t cap);
/* The number of characters of a policy document IAM counts against its
 * quotas: everything but whitespace outside strings. */
size_t iam_policy_size(const char *document);
/* The JSON array of tags with the n_add tags of add_keys/add_values
 * merged in (a tag replaces the one of the same key) and the keys in
 * `remove` dropped, written to out. Keys compare ignoring case when
 * `nocase` (users' and roles' tags, as IAM documents), else exactly.
 * Returns the resulting count, or -1 when `tags` is no such array. */
int iam_tags_merge(const char *tags, const char *const *add_keys, const char *const *add_values, size_t n_add,
                   const char *const *remove, size_t n_remove, bool nocase, struct strbuf *out);
/* Whether tag keys of this kind compare ignoring case (users, roles). */
bool iam_tags_nocase(enum iam_kind kind);

#endif
