/* protocol/sts: the pure pieces of STS — its answers' shapes (Credentials,
 * AssumedRoleUser), the claims of a web identity token, and the checks of
 * session parameters (session names, durations, the packed size of
 * session policies and tags). The envelope and the request parameters are
 * protocol/iam's (xml.h, query.h): STS speaks the same query protocol. */
#ifndef CLOUDLESS_PROTOCOL_STS_H
#define CLOUDLESS_PROTOCOL_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"

/* Session durations AWS allows, in seconds. */
#define STS_MIN_DURATION 900
#define STS_ROLE_DEFAULT_DURATION 3600
#define STS_ROLE_MAX_DURATION 43200
#define STS_CHAINED_MAX_DURATION 3600        /* a role assumed with a role session's credentials */
#define STS_SESSION_TOKEN_DEFAULT 43200      /* GetSessionToken */
#define STS_SESSION_TOKEN_MAX 129600
#define STS_ROOT_SESSION_TOKEN_MAX 3600
#define STS_SESSION_POLICY_MAX 2048          /* characters of an inline session policy */
#define STS_MAX_POLICY_ARNS 10
#define STS_MAX_SESSION_TAGS 50

/* <Credentials><AccessKeyId/><SecretAccessKey/><SessionToken/><Expiration/></Credentials> */
void sts_xml_credentials(struct strbuf *sb, const char *key_id, const char *secret, const char *token,
                         int64_t expires_ms);
/* <AssumedRoleUser><AssumedRoleId/><Arn/></AssumedRoleUser> */
void sts_xml_assumed_role_user(struct strbuf *sb, const char *assumed_role_id, const char *arn);

/* What a web identity token says about itself. Tokens are OpenID Connect
 * JWTs (base64url header.payload.signature); cloudless reads the payload's
 * claims without checking the signature (there is no identity provider to
 * ask). A token that is no JWT has no claims. */
struct sts_token_claims {
    bool is_jwt;
    char issuer[256];              /* "iss" without its https:// — the provider, as trust policies name it */
    char subject[256];             /* "sub" */
    char audience[256];            /* "aud" (the first one of a list) */
};
void sts_token_claims(const char *token, struct sts_token_claims *out);

/* RoleSessionName: 2-64 characters of [\w+=,.@-]. NULL, or the
 * ValidationError message written to msg. */
const char *sts_check_session_name(const char *name, char *msg, size_t cap);
/* DurationSeconds between min and max: NULL or the ValidationError message. */
const char *sts_check_duration(int64_t seconds, int64_t min, int64_t max, char *msg, size_t cap);
/* PackedPolicySize: the percentage of AWS's packed limit that the session
 * policy (its characters without whitespace), the managed policy ARNs and
 * the session tags use; above 100 is PackedPolicyTooLarge. */
int sts_packed_policy_percent(size_t policy_chars, size_t n_policy_arns, size_t tag_chars, size_t n_tags);

#endif
