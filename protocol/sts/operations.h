/* protocol/sts/operations.h: the STS operations cloudless serves — its one
 * operation table (see server/core/service.h).
 *
 * X(name, family, IAM action, handler): the query protocol's Action=<name>
 * (Version=2011-06-15); the family names the file the operation lives in
 * (server/sts/<family>.c; sessions are kept by storage/iam/sessions.c);
 * handler is the server function, void handler(struct iam_call *) — STS
 * runs on IAM's query-protocol path (server/iam/iam_service.h). An action
 * not listed here is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_STS_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_STS_OPERATIONS_H

#define STS_OPERATIONS(X) \
    X(GetCallerIdentity, identity, "sts:GetCallerIdentity", sts_get_caller_identity)                             \
    X(GetAccessKeyInfo, identity, "sts:GetAccessKeyInfo", sts_get_access_key_info)                               \
    X(AssumeRole, sessions, "sts:AssumeRole", sts_assume_role)                                                   \
    X(AssumeRoleWithWebIdentity, sessions, "sts:AssumeRoleWithWebIdentity", sts_assume_role_with_web_identity)   \
    X(GetSessionToken, sessions, "sts:GetSessionToken", sts_get_session_token)

#endif

