/* protocol/iam xml: query-protocol answers and IAM's shapes; see xml.h.
 * Elements are written in the order of AWS's documentation; clients read
 * them by name. */
#include "protocol/iam/xml.h"

#include <stdio.h>
#include <string.h>

#include "protocol/core/dates.h"
#include "protocol/core/json.h"
#include "protocol/core/percent.h"

void iam_xml_open(struct strbuf *sb, const char *xmlns, const char *action, bool has_result)
{
    strbuf_printf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%sResponse xmlns=\"%s\">", action, xmlns);
    if (has_result)
        strbuf_printf(sb, "<%sResult>", action);
}

void iam_xml_close(struct strbuf *sb, const char *action, bool has_result, const char *request_id)
{
    if (has_result)
        strbuf_printf(sb, "</%sResult>", action);
    strbuf_puts(sb, "<ResponseMetadata>");
    strbuf_xml_elem(sb, "RequestId", request_id);
    strbuf_printf(sb, "</ResponseMetadata></%sResponse>", action);
}

void iam_xml_error(struct strbuf *sb, const char *xmlns, bool sender, const char *code, const char *message,
                   const char *request_id)
{
    strbuf_printf(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"%s\"><Error><Type>%s</Type>",
                  xmlns, sender ? "Sender" : "Receiver");
    strbuf_xml_elem(sb, "Code", code);
    strbuf_xml_elem(sb, "Message", message);
    strbuf_puts(sb, "</Error>");
    strbuf_xml_elem(sb, "RequestId", request_id);
    strbuf_puts(sb, "</ErrorResponse>");
}

void iam_xml_date(struct strbuf *sb, const char *tag, int64_t ms)
{
    char iso[32];
    date_iso8601(ms, iso);
    strbuf_printf(sb, "<%s>%.19sZ</%s>", tag, iso, tag);
}

void iam_xml_int(struct strbuf *sb, const char *tag, int64_t value)
{
    strbuf_printf(sb, "<%s>%lld</%s>", tag, (long long)value, tag);
}

void iam_xml_bool(struct strbuf *sb, const char *tag, bool value)
{
    strbuf_printf(sb, "<%s>%s</%s>", tag, value ? "true" : "false", tag);
}

void iam_xml_document(struct strbuf *sb, const char *tag, const char *json)
{
    strbuf_printf(sb, "<%s>", tag);
    percent_encode(sb, json, strlen(json), false);
    strbuf_printf(sb, "</%s>", tag);
}

void iam_xml_paging(struct strbuf *sb, bool truncated, const char *marker)
{
    iam_xml_bool(sb, "IsTruncated", truncated);
    if (truncated && marker)
        strbuf_xml_elem(sb, "Marker", marker);
}

size_t iam_xml_tags(struct strbuf *sb, const char *tags_json, size_t skip, size_t max)
{
    const struct json_value *tags = tags_json ? json_parse(tags_json, strlen(tags_json), NULL) : NULL;
    size_t n = json_is(tags, JSON_ARRAY) ? tags->len : 0, written = 0, left = 0;
    strbuf_puts(sb, "<Tags>");
    for (size_t i = skip; i < n; i++) {
        if (max && written == max) {
            left = n - i;
            break;
        }
        const char *key = json_str(&tags->u.items[i], "Key"), *value = json_str(&tags->u.items[i], "Value");
        strbuf_puts(sb, "<member>");
        strbuf_xml_elem(sb, "Key", key ? key : "");
        strbuf_xml_elem(sb, "Value", value ? value : "");
        strbuf_puts(sb, "</member>");
        written++;
    }
    strbuf_puts(sb, "</Tags>");
    json_free(tags);
    return left;
}

void iam_xml_boundary(struct strbuf *sb, const char *boundary_arn)
{
    strbuf_puts(sb, "<PermissionsBoundary><PermissionsBoundaryType>Policy</PermissionsBoundaryType>");
    strbuf_xml_elem(sb, "PermissionsBoundaryArn", boundary_arn);
    strbuf_puts(sb, "</PermissionsBoundary>");
}

/* Tags are written only when the entity has some, as AWS does. */
static void tags_if_any(struct strbuf *sb, const char *tags_json)
{
    if (tags_json && strcmp(tags_json, "[]") != 0)
        iam_xml_tags(sb, tags_json, 0, 0);
}

static void policy_members(struct strbuf *sb, const struct iam_entity *e, const char *arn, bool full)
{
    char version[24];
    snprintf(version, sizeof(version), "v%lld", (long long)e->default_version);
    strbuf_xml_elem(sb, "PolicyName", e->name);
    strbuf_xml_elem(sb, "PolicyId", e->id);
    strbuf_xml_elem(sb, "Arn", arn);
    strbuf_xml_elem(sb, "Path", e->path);
    strbuf_xml_elem(sb, "DefaultVersionId", version);
    iam_xml_int(sb, "AttachmentCount", e->attachment_count);
    iam_xml_int(sb, "PermissionsBoundaryUsageCount", e->boundary_count);
    iam_xml_bool(sb, "IsAttachable", true);
    if (e->description && *e->description)
        strbuf_xml_elem(sb, "Description", e->description);
    iam_xml_date(sb, "CreateDate", e->created_ms);
    iam_xml_date(sb, "UpdateDate", e->updated_ms);
    if (full)
        tags_if_any(sb, e->tags);
}

void iam_xml_entity(struct strbuf *sb, const struct iam_entity *e, bool full)
{
    const struct iam_kind_info *k = iam_kind_info(e->kind);
    char arn[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), e->kind, e->account, e->path, e->name);
    if (e->kind == IAM_POLICY) {
        policy_members(sb, e, arn, full);
        return;
    }
    strbuf_xml_elem(sb, "Path", e->path);
    strbuf_xml_elem(sb, k->name_member, e->name);
    strbuf_xml_elem(sb, k->id_member, e->id);
    strbuf_xml_elem(sb, "Arn", arn);
    iam_xml_date(sb, "CreateDate", e->created_ms);
    if (e->kind == IAM_ROLE) {
        if (e->trust_policy)
            iam_xml_document(sb, "AssumeRolePolicyDocument", e->trust_policy);
        if (e->description && *e->description)
            strbuf_xml_elem(sb, "Description", e->description);
        iam_xml_int(sb, "MaxSessionDuration", e->max_session_s);
    }
    if (!full)
        return;
    if (e->boundary_arn)
        iam_xml_boundary(sb, e->boundary_arn);
    tags_if_any(sb, e->tags);
    if (e->kind == IAM_ROLE) {
        strbuf_puts(sb, "<RoleLastUsed>");
        if (e->last_used_ms) {
            iam_xml_date(sb, "LastUsedDate", e->last_used_ms);
            strbuf_xml_elem(sb, "Region", e->last_used_region ? e->last_used_region : "us-east-1");
        }
        strbuf_puts(sb, "</RoleLastUsed>");
    }
}
