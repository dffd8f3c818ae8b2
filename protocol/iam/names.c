/* protocol/iam names: the facts of each IAM kind, ARNs, generated ids and
 * secrets, and the checks AWS's model puts on names, paths, descriptions,
 * tags and paging parameters (see model.h). A failed check answers AWS's
 * ValidationError sentence: "1 validation error detected: Value 'x' at
 * 'userName' failed to satisfy constraint: Member must ...". Ids and
 * secrets come from OpenSSL's generator. */
#include "protocol/iam/model.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/rand.h>

#include "protocol/core/base64.h"
#include "protocol/core/json.h"

static const struct iam_kind_info kinds[IAM_KIND_COUNT] = {
    [IAM_USER] = {"user", "User", "UserName", "UserId", "AIDA", 64, "UsersPerAccount", 5000},
    [IAM_GROUP] = {"group", "Group", "GroupName", "GroupId", "AGPA", 128, "GroupsPerAccount", 300},
    [IAM_ROLE] = {"role", "Role", "RoleName", "RoleId", "AROA", 64, "RolesPerAccount", 1000},
    [IAM_POLICY] = {"policy", "Policy", "PolicyName", "PolicyId", "ANPA", 128, "PoliciesPerAccount", 1500},
    [IAM_INSTANCE_PROFILE] = {"instance-profile", "Instance Profile", "InstanceProfileName", "InstanceProfileId",
                              "AIPA", 128, "InstanceProfilesPerAccount", 1000},
};

const struct iam_kind_info *iam_kind_info(enum iam_kind kind) { return &kinds[kind]; }

bool iam_tags_nocase(enum iam_kind kind) { return kind == IAM_USER || kind == IAM_ROLE; }

/* ---- ARNs ------------------------------------------------------------------------ */

void iam_arn(char *out, size_t cap, enum iam_kind kind, const char *account, const char *path, const char *name)
{
    snprintf(out, cap, "arn:aws:iam::%s:%s%s%s", account, kinds[kind].word, path && *path ? path : "/", name);
}

/* "arn:aws:iam::<account>:<rest>": the account and where rest starts. */
static const char *split_iam_arn(const char *arn, char account[16])
{
    if (!arn || strncmp(arn, "arn:aws:iam::", 13) != 0)
        return NULL;
    const char *p = arn + 13, *colon = strchr(p, ':');
    if (!colon || colon == p || (size_t)(colon - p) > 12)
        return NULL;
    memcpy(account, p, (size_t)(colon - p));
    account[colon - p] = '\0';
    return colon + 1;
}

bool iam_parse_policy_arn(const char *arn, char account[16], char *path, char *name)
{
    const char *rest = split_iam_arn(arn, account);
    if (!rest || strncmp(rest, "policy/", 7) != 0)
        return false;
    const char *whole_path = rest + 6, *last = strrchr(whole_path, '/');
    size_t path_len = (size_t)(last - whole_path) + 1;
    if (!last[1] || path_len >= IAM_ARN_MAX || strlen(last + 1) >= IAM_ARN_MAX)
        return false;
    memcpy(path, whole_path, path_len);
    path[path_len] = '\0';
    strcpy(name, last + 1);
    return true;
}

bool iam_parse_entity_arn(const char *arn, enum iam_kind *kind, char account[16], char *name, size_t cap)
{
    const char *rest = split_iam_arn(arn, account);
    if (!rest)
        return false;
    static const enum iam_kind named[] = {IAM_USER, IAM_GROUP, IAM_ROLE, IAM_INSTANCE_PROFILE};
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        size_t n = strlen(kinds[named[i]].word);
        if (strncmp(rest, kinds[named[i]].word, n) == 0 && rest[n] == '/') {
            const char *last = strrchr(rest, '/');
            if (!last[1] || strlen(last + 1) >= cap)
                return false;
            *kind = named[i];
            snprintf(name, cap, "%s", last + 1);
            return true;
        }
    }
    return false;
}

/* ---- ids and secrets ------------------------------------------------------------- */

static bool random_chars(char *out, size_t n, const char *alphabet, size_t alphabet_len)
{
    unsigned char bytes[64];
    while (n > 0) {
        size_t take = n < sizeof(bytes) ? n : sizeof(bytes);
        if (RAND_bytes(bytes, (int)take) != 1)
            return false;
        for (size_t i = 0; i < take; i++)
            *out++ = alphabet[bytes[i] % alphabet_len];
        n -= take;
    }
    return true;
}

bool iam_new_id(const char *prefix, char *out, size_t len)
{
    static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    out[len] = '\0';
    return random_chars(out + p, len - p, base32, 32);
}

bool iam_new_secret(char out[IAM_SECRET_LEN + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out[IAM_SECRET_LEN] = '\0';
    return random_chars(out, IAM_SECRET_LEN, alphabet, 64);
}

bool iam_new_session_token(char out[IAM_TOKEN_LEN + 1])
{
    /* AWS's tokens are opaque base64; this one starts as theirs do. */
    static const char head[] = "IQoJb3JpZ2luX2VjE";
    unsigned char bytes[IAM_TOKEN_LEN];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1)
        return false;
    char encoded[BASE64_ENCODED_SIZE(IAM_TOKEN_LEN)];
    base64_encode(bytes, sizeof(bytes), encoded);
    memcpy(out, head, sizeof(head) - 1);
    memcpy(out + sizeof(head) - 1, encoded, IAM_TOKEN_LEN - (sizeof(head) - 1));
    out[IAM_TOKEN_LEN] = '\0';
    return true;
}

/* ---- checks ------------------------------------------------------------------------ */

/* The ValidationError sentence for `value` at `member`. */
static const char *constraint(char *msg, size_t cap, const char *value, const char *member, const char *rule)
{
    snprintf(msg, cap, "1 validation error detected: Value '%.300s' at '%s' failed to satisfy constraint: Member must %s",
             value, member, rule);
    return msg;
}

/* UTF-8 code points in s (continuation bytes not counted). */
static size_t characters(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

static const char *check_length(const char *value, const char *member, size_t min, size_t max, char *msg, size_t cap)
{
    char rule[80];
    size_t n = characters(value);
    if (n < min) {
        snprintf(rule, sizeof(rule), "have length greater than or equal to %zu", min);
        return constraint(msg, cap, value, member, rule);
    }
    if (n > max) {
        snprintf(rule, sizeof(rule), "have length less than or equal to %zu", max);
        return constraint(msg, cap, value, member, rule);
    }
    return NULL;
}

const char *iam_check_length(const char *value, const char *member, size_t min, size_t max, char *msg, size_t cap)
{
    return check_length(value, member, min, max, msg, cap);
}

static bool is_name_char(unsigned char c) { return isalnum(c) || c == '_' || strchr("+=,.@-", c); }

const char *iam_check_name(const char *value, const char *member, size_t max_len, char *msg, size_t cap)
{
    const char *bad = check_length(value, member, 1, max_len, msg, cap);
    if (bad)
        return bad;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (!is_name_char(*p))
            return constraint(msg, cap, value, member, "satisfy regular expression pattern: [\\w+=,.@-]+");
    return NULL;
}

const char *iam_check_path(const char *value, const char *member, char *msg, size_t cap)
{
    const char *bad = check_length(value, member, 1, 512, msg, cap);
    if (bad)
        return bad;
    size_t n = strlen(value);
    bool ok = value[0] == '/' && value[n - 1] == '/' && (n == 1 || n > 2);
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)value[i] >= 0x21 && (unsigned char)value[i] <= 0x7E;
    return ok ? NULL
              : constraint(msg, cap, value, member,
                           "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
}

const char *iam_check_policy_path(const char *value, char *msg, size_t cap)
{
    const char *bad = check_length(value, "path", 1, 512, msg, cap);
    if (bad)
        return bad;
    size_t n = strlen(value);
    bool ok = value[0] == '/' && value[n - 1] == '/';
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        ok = c == '/' ? (i == 0 || value[i - 1] != '/') : (isalnum(c) || strchr(".,+@=_-", c));
    }
    return ok ? NULL : constraint(msg, cap, value, "path",
                                  "satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
}

const char *iam_check_path_prefix(const char *value, char *msg, size_t cap)
{
    const char *bad = check_length(value, "pathPrefix", 1, 512, msg, cap);
    if (bad)
        return bad;
    bool ok = value[0] == '/';
    for (const unsigned char *p = (const unsigned char *)value; ok && *p; p++)
        ok = *p >= 0x21 && *p <= 0x7F;
    return ok ? NULL : constraint(msg, cap, value, "pathPrefix",
                                  "satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*");
}

/* The next code point of UTF-8 text, or -1 when it is malformed. */
static long next_code_point(const unsigned char **p)
{
    const unsigned char *s = *p;
    if (s[0] < 0x80) {
        *p = s + 1;
        return s[0];
    }
    int extra = (s[0] & 0xE0) == 0xC0 ? 1 : (s[0] & 0xF0) == 0xE0 ? 2 : (s[0] & 0xF8) == 0xF0 ? 3 : -1;
    if (extra < 0)
        return -1;
    long cp = s[0] & (0x3F >> extra);
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    *p = s + extra + 1;
    return cp;
}

const char *iam_check_description(const char *value, const char *member, char *msg, size_t cap)
{
    const char *bad = check_length(value, member, 0, 1000, msg, cap);
    if (bad)
        return bad;
    for (const unsigned char *p = (const unsigned char *)value; *p;) {
        long cp = next_code_point(&p);
        if (!(cp == 9 || cp == 10 || cp == 13 || (cp >= 0x20 && cp <= 0x7E) || (cp >= 0xA1 && cp <= 0xFF)))
            return constraint(msg, cap, value, member,
                              "satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
    }
    return NULL;
}

/* [\p{L}\p{Z}\p{N}_.:/=+\-@]: ASCII letters, digits, space and the
 * symbols, and any other letter or space outside ASCII. */
static bool tag_text_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        long cp = next_code_point(&p);
        if (cp < 0 || (cp < 0x80 && !isalnum((int)cp) && !strchr(" _.:/=+-@", (int)cp)) || (cp >= 0x80 && cp < 0xA0))
            return false;
    }
    return true;
}

const char *iam_check_tag(const char *key, const char *value, char *msg, size_t cap)
{
    const char *bad = check_length(key, "tags.member.key", 1, 128, msg, cap);
    if (bad)
        return bad;
    if (!tag_text_ok(key))
        return constraint(msg, cap, key, "tags.member.key",
                          "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    if ((bad = check_length(value, "tags.member.value", 0, 256, msg, cap)))
        return bad;
    if (!tag_text_ok(value))
        return constraint(msg, cap, value, "tags.member.value",
                          "satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");
    return NULL;
}

const char *iam_check_max_items(int64_t value, char *msg, size_t cap)
{
    char text[24];
    snprintf(text, sizeof(text), "%lld", (long long)value);
    if (value < 1)
        return constraint(msg, cap, text, "maxItems", "have value greater than or equal to 1");
    if (value > 1000)
        return constraint(msg, cap, text, "maxItems", "have value less than or equal to 1000");
    return NULL;
}

size_t iam_policy_size(const char *document)
{
    size_t n = 0;
    bool in_string = false, escaped = false;
    for (const unsigned char *p = (const unsigned char *)document; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        if (in_string) {
            n++;
            if (escaped)
                escaped = false;
            else if (*p == '\\')
                escaped = true;
            else if (*p == '"')
                in_string = false;
        } else if (!isspace(*p)) {
            n++;
            in_string = *p == '"';
        }
    }
    return n;
}

/* ---- tags ---------------------------------------------------------------------------- */

static bool same_key(const char *a, const char *b, bool nocase) { return nocase ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0; }

int iam_tags_merge(const char *tags, const char *const *add_keys, const char *const *add_values, size_t n_add,
                   const char *const *remove, size_t n_remove, bool nocase, struct strbuf *out)
{
    const struct json_value *old = json_parse(tags && *tags ? tags : "[]", tags && *tags ? strlen(tags) : 2, NULL);
    if (!json_is(old, JSON_ARRAY)) {
        json_free(old);
        return -1;
    }
    struct json_writer w;
    jw_init(&w, out);
    jw_array_open(&w, NULL);
    int count = 0;
    for (size_t i = 0; i < old->len; i++) {
        const char *key = json_str(&old->u.items[i], "Key"), *value = json_str(&old->u.items[i], "Value");
        if (!key)
            continue;
        bool dropped = false;
        for (size_t a = 0; a < n_add && !dropped; a++)
            dropped = same_key(key, add_keys[a], nocase);
        for (size_t r = 0; r < n_remove && !dropped; r++)
            dropped = same_key(key, remove[r], nocase);
        if (dropped)
            continue;
        jw_object_open(&w, NULL);
        jw_string(&w, "Key", key);
        jw_string(&w, "Value", value ? value : "");
        jw_object_close(&w);
        count++;
    }
    for (size_t a = 0; a < n_add; a++) {
        bool later = false;   /* a key given twice: the last one counts */
        for (size_t b = a + 1; b < n_add && !later; b++)
            later = same_key(add_keys[a], add_keys[b], nocase);
        if (later)
            continue;
        jw_object_open(&w, NULL);
        jw_string(&w, "Key", add_keys[a]);
        jw_string(&w, "Value", add_values[a]);
        jw_object_close(&w);
        count++;
    }
    jw_array_close(&w);
    json_free(old);
    return count;
}
