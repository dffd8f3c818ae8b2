/* protocol/iam xml: the response side of the query protocol IAM and STS
 * speak, pure — the <ActionResponse><ActionResult>...</ActionResult>
 * <ResponseMetadata> envelope, <ErrorResponse>, and IAM's shapes: users,
 * groups, roles, managed policies, instance profiles, tags, policy
 * documents (URL-encoded, as AWS returns them: RFC 3986 percent-encoding
 * of the document as it was given) and dates (ISO 8601 in whole seconds). */
#ifndef CLOUDLESS_PROTOCOL_IAM_XML_H
#define CLOUDLESS_PROTOCOL_IAM_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/core/strbuf.h"
#include "protocol/iam/model.h"

/* <?xml ...?><{action}Response xmlns="{xmlns}"> and, when the operation
 * has a result, <{action}Result>. */
void iam_xml_open(struct strbuf *sb, const char *xmlns, const char *action, bool has_result);
/* </{action}Result> (when it has one), the ResponseMetadata with the
 * request id, </{action}Response>. */
void iam_xml_close(struct strbuf *sb, const char *action, bool has_result, const char *request_id);
/* <ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/><Message/>
 * </Error><RequestId/></ErrorResponse>. */
void iam_xml_error(struct strbuf *sb, const char *xmlns, bool sender, const char *code, const char *message,
                   const char *request_id);

/* <tag>2024-05-01T12:00:00Z</tag> */
void iam_xml_date(struct strbuf *sb, const char *tag, int64_t ms);
void iam_xml_int(struct strbuf *sb, const char *tag, int64_t value);
void iam_xml_bool(struct strbuf *sb, const char *tag, bool value);
/* A policy document, URL-encoded. */
void iam_xml_document(struct strbuf *sb, const char *tag, const char *json);
/* <IsTruncated>; and <Marker> when truncated. */
void iam_xml_paging(struct strbuf *sb, bool truncated, const char *marker);
/* <Tags><member><Key/><Value/></member>...</Tags> from a JSON array of
 * tags, skipping the first `skip` and writing at most `max` (0: all);
 * returns how many were left after those written. */
size_t iam_xml_tags(struct strbuf *sb, const char *tags_json, size_t skip, size_t max);
/* The members of an entity's element (the caller writes <User>...</User>
 * around them): every field AWS returns for its kind. `full` adds what
 * AWS returns only from Get* (tags, the permissions boundary, a role's
 * last use), not from List*. An instance profile's Roles are the caller's. */
void iam_xml_entity(struct strbuf *sb, const struct iam_entity *e, bool full);
/* <PermissionsBoundary> of an ARN. */
void iam_xml_boundary(struct strbuf *sb, const char *boundary_arn);

#endif
