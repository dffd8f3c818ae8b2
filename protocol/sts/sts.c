/* protocol/sts: STS's shapes and checks; see sts.h. */
#include "protocol/sts/sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/base64.h"
#include "protocol/core/dates.h"
#include "protocol/core/json.h"
#include "protocol/iam/model.h"

void sts_xml_credentials(struct strbuf *sb, const char *key_id, const char *secret, const char *token,
                         int64_t expires_ms)
{
    char expires[32];
    date_iso8601(expires_ms, expires);
    strbuf_puts(sb, "<Credentials>");
    strbuf_xml_elem(sb, "AccessKeyId", key_id);
    strbuf_xml_elem(sb, "SecretAccessKey", secret);
    strbuf_xml_elem(sb, "SessionToken", token);
    strbuf_xml_elem(sb, "Expiration", expires);
    strbuf_puts(sb, "</Credentials>");
}

void sts_xml_assumed_role_user(struct strbuf *sb, const char *assumed_role_id, const char *arn)
{
    strbuf_puts(sb, "<AssumedRoleUser>");
    strbuf_xml_elem(sb, "AssumedRoleId", assumed_role_id);
    strbuf_xml_elem(sb, "Arn", arn);
    strbuf_puts(sb, "</AssumedRoleUser>");
}

/* The JSON payload of a JWT, decoded from base64url; NULL when the token
 * has no such part. */
static char *jwt_payload(const char *token, size_t *len)
{
    const char *dot = strchr(token, '.');
    const char *end = dot ? strchr(dot + 1, '.') : NULL;
    if (!end || end == dot + 1 || (size_t)(end - dot) > 64 * 1024)
        return NULL;
    size_t n = (size_t)(end - dot - 1);
    char *b64 = malloc(n + 1);
    unsigned char *out = malloc(n / 4 * 3 + 4);
    long decoded = -1;
    if (b64 && out) {
        for (size_t i = 0; i < n; i++)
            b64[i] = dot[1 + i] == '-' ? '+' : dot[1 + i] == '_' ? '/' : dot[1 + i];
        decoded = base64_decode_lenient(b64, n, out, n / 4 * 3 + 3);
    }
    free(b64);
    if (decoded < 0) {
        free(out);
        return NULL;
    }
    *len = (size_t)decoded;
    return (char *)out;
}

static void copy_claim(const struct json_value *claims, const char *name, char *out, size_t cap)
{
    const struct json_value *v = json_get(claims, name);
    if (json_is(v, JSON_ARRAY) && v->len > 0)
        v = &v->u.items[0];
    snprintf(out, cap, "%s", json_string(v) ? json_string(v) : "");
}

void sts_token_claims(const char *token, struct sts_token_claims *out)
{
    memset(out, 0, sizeof(*out));
    size_t len;
    char *payload = jwt_payload(token, &len);
    const struct json_value *claims = payload ? json_parse(payload, len, NULL) : NULL;
    free(payload);
    if (!json_is(claims, JSON_OBJECT)) {
        json_free(claims);
        return;
    }
    out->is_jwt = true;
    char issuer[256];
    copy_claim(claims, "iss", issuer, sizeof(issuer));
    const char *host = strncmp(issuer, "https://", 8) == 0 ? issuer + 8 : issuer;
    snprintf(out->issuer, sizeof(out->issuer), "%s", host);
    copy_claim(claims, "sub", out->subject, sizeof(out->subject));
    copy_claim(claims, "aud", out->audience, sizeof(out->audience));
    json_free(claims);
}

const char *sts_check_session_name(const char *name, char *msg, size_t cap)
{
    const char *bad = iam_check_length(name, "roleSessionName", 2, 64, msg, cap);
    return bad ? bad : iam_check_name(name, "roleSessionName", 64, msg, cap);
}

const char *sts_check_duration(int64_t seconds, int64_t min, int64_t max, char *msg, size_t cap)
{
    if (seconds >= min && seconds <= max)
        return NULL;
    snprintf(msg, cap,
             "1 validation error detected: Value '%lld' at 'durationSeconds' failed to satisfy constraint: Member must "
             "have value %s than or equal to %lld",
             (long long)seconds, seconds < min ? "greater" : "less", (long long)(seconds < min ? min : max));
    return msg;
}

int sts_packed_policy_percent(size_t policy_chars, size_t n_policy_arns, size_t tag_chars, size_t n_tags)
{
    /* AWS compresses session policies and tags into a binary form whose
     * limit it does not publish; its percentages grow with the policy's
     * text, each ARN and each tag. This estimate keeps that shape: the
     * plain-text limit of 2048 characters is 100 %. */
    size_t packed = policy_chars + 64 * n_policy_arns + tag_chars + 8 * n_tags;
    return (int)((packed * 100 + STS_SESSION_POLICY_MAX - 1) / STS_SESSION_POLICY_MAX);
}
