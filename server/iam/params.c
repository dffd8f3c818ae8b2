/* params: IAM's request parameters as AWS validates them — required
 * members ("Value null at 'userName'"), names, paths, descriptions, policy
 * documents (IAM's checks and size quotas), tags and paging — each helper
 * answering the error itself and returning NULL/false; and the writers of
 * entities that several families share. */
#include "server/iam/iam_service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/iam/xml.h"

/* AWS's validation messages name members in lower camel case. */
static void member_name(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s", name);
    out[0] = (char)tolower((unsigned char)out[0]);
}

const char *iam_required(struct iam_call *c, const char *name)
{
    const char *v = iam_param(&c->params, name);
    if (v)
        return v;
    char member[64], msg[200];
    member_name(name, member, sizeof(member));
    snprintf(msg, sizeof(msg),
             "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null",
             member);
    iam_send_validation(c, msg);
    return NULL;
}

const char *iam_name(struct iam_call *c, const char *name, size_t max_len)
{
    const char *v = iam_required(c, name);
    if (!v)
        return NULL;
    char member[64], msg[512];
    member_name(name, member, sizeof(member));
    const char *bad = iam_check_name(v, member, max_len, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return NULL;
    }
    return v;
}

const char *iam_path(struct iam_call *c, const char *name, bool policy_path)
{
    const char *v = iam_param(&c->params, name);
    if (!v)
        return "/";
    char member[64], msg[512];
    member_name(name, member, sizeof(member));
    const char *bad = policy_path ? iam_check_policy_path(v, msg, sizeof(msg)) : iam_check_path(v, member, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return NULL;
    }
    return v;
}

bool iam_description(struct iam_call *c, const char **out)
{
    *out = iam_param(&c->params, "Description");
    char msg[512];
    const char *bad = *out ? iam_check_description(*out, "description", msg, sizeof(msg)) : NULL;
    if (bad)
        iam_send_validation(c, bad);
    return !bad;
}

const char *iam_document(struct iam_call *c, const char *name, enum iam_document_type type, size_t max,
                         const char *quota)
{
    const char *doc = iam_required(c, name);
    if (!doc)
        return NULL;
    char member[64], msg[512];
    member_name(name, member, sizeof(member));
    const char *bad = iam_check_length(doc, member, 1, IAM_DOCUMENT_MAX_BYTES, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return NULL;
    }
    if ((bad = iam_document_check(doc, strlen(doc), type))) {
        iam_send_error(c, 400, "MalformedPolicyDocument", "%s", bad);
        return NULL;
    }
    if (max && iam_policy_size(doc) > max) {
        iam_send_error(c, 409, "LimitExceeded", "Cannot exceed quota for %s: %zu", quota, max);
        return NULL;
    }
    return doc;
}

const char *iam_policy_arn(struct iam_call *c, const char *name)
{
    const char *arn = iam_required(c, name);
    if (!arn)
        return NULL;
    char member[64], msg[512];
    member_name(name, member, sizeof(member));
    const char *bad = iam_check_length(arn, member, 20, 2048, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return NULL;
    }
    return arn;
}

bool iam_tags(struct iam_call *c, const char *list, const char ***keys, const char ***values, size_t *n)
{
    *keys = *values = NULL;
    *n = iam_param_count(&c->params, list, "Key");
    char msg[512];
    if (*n > IAM_MAX_TAGS) {
        snprintf(msg, sizeof(msg), "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member "
                                   "must have length less than or equal to %d", IAM_MAX_TAGS);
        iam_send_validation(c, msg);
        return false;
    }
    if (*n == 0)
        return true;
    *keys = calloc(*n, sizeof(**keys));
    *values = calloc(*n, sizeof(**values));
    if (!*keys || !*values) {
        free(*keys);
        free(*values);
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return false;
    }
    bool nocase = iam_tags_nocase(c->kind);
    for (size_t i = 0; i < *n; i++) {
        const char *key = iam_param_member(&c->params, list, i + 1, "Key");
        const char *value = iam_param_member(&c->params, list, i + 1, "Value");
        const char *bad = iam_check_tag(key, value ? value : "", msg, sizeof(msg));
        if (!bad && strncasecmp(key, "aws:", 4) == 0) {
            iam_send_error(c, 400, "InvalidInput", "Tag keys starting with 'aws:' are reserved for AWS use.");
            goto refused;
        }
        for (size_t j = 0; !bad && j < i; j++) {
            if (nocase ? strcasecmp((*keys)[j], key) == 0 : strcmp((*keys)[j], key) == 0) {
                iam_send_error(c, 400, "InvalidInput",
                               "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
                goto refused;
            }
        }
        if (bad) {
            iam_send_validation(c, bad);
            goto refused;
        }
        (*keys)[i] = key;
        (*values)[i] = value ? value : "";
    }
    return true;
refused:
    free(*keys);
    free(*values);
    *keys = *values = NULL;
    return false;
}

bool iam_tags_json(struct iam_call *c, char **json)
{
    const char **keys, **values;
    size_t n;
    *json = NULL;
    if (!iam_tags(c, "Tags", &keys, &values, &n))
        return false;
    if (n == 0)
        return true;
    struct strbuf sb;
    strbuf_init(&sb);
    iam_tags_merge(NULL, keys, values, n, NULL, 0, iam_tags_nocase(c->kind), &sb);
    free(keys);
    free(values);
    if (strbuf_failed(&sb)) {
        strbuf_free(&sb);
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return false;
    }
    *json = strbuf_detach(&sb, NULL);
    return true;
}

/* ---- paging ------------------------------------------------------------------------------ */

bool iam_page_begin(struct iam_call *c, struct iam_page *pg, struct strbuf *sb)
{
    memset(pg, 0, sizeof(*pg));
    pg->sb = sb;
    pg->call = c;
    pg->max = IAM_DEFAULT_MAX_ITEMS;
    pg->marker = iam_param(&c->params, "Marker");
    if (!pg->marker)
        pg->marker = "";
    char msg[512];
    int rc = iam_param_int(&c->params, "MaxItems", &pg->max);
    const char *bad = rc < 0 ? "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member "
                               "must be an integer"
                             : iam_check_max_items(pg->max, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return false;
    }
    return true;
}

bool iam_page_room(struct iam_page *pg)
{
    if (pg->n == pg->max) {
        pg->truncated = true;
        return false;
    }
    pg->n++;
    return true;
}

void iam_page_shown(struct iam_page *pg, const char *key) { snprintf(pg->next, sizeof(pg->next), "%s", key); }

void iam_page_end(struct iam_page *pg) { iam_xml_paging(pg->sb, pg->truncated, pg->next); }

/* ---- shared writers and callers ------------------------------------------------------------------ */

void iam_write_entity(struct strbuf *sb, const char *elem, const struct iam_entity *e, bool full)
{
    strbuf_printf(sb, "<%s>", elem);
    iam_xml_entity(sb, e, full);
    strbuf_printf(sb, "</%s>", elem);
}

static bool write_profile_role(void *arg, const struct iam_entity *role)
{
    iam_write_entity(arg, "member", role, false);
    return true;
}

enum iam_err iam_write_profile(struct iam_call *c, struct strbuf *sb, const char *elem, const struct iam_entity *e,
                               bool full)
{
    struct iam_fault f;
    strbuf_printf(sb, "<%s>", elem);
    iam_xml_entity(sb, e, full);
    strbuf_puts(sb, "<Roles>");
    enum iam_err err = iam_profile_links(iam_reader(c), e->account, e->name, false, "", write_profile_role, sb, &f);
    strbuf_printf(sb, "</Roles></%s>", elem);
    return err;
}

const char *iam_own_user(struct iam_call *c, bool *root)
{
    *root = false;
    const char *name = iam_param(&c->params, "UserName");
    if (name) {
        char msg[512];
        const char *bad = iam_check_name(name, "userName", 128, msg, sizeof(msg));
        if (bad) {
            iam_send_validation(c, bad);
            return NULL;
        }
        return name;
    }
    if (c->caller.type == IAM_PRINCIPAL_USER)
        return c->caller.name;
    if (c->caller.type == IAM_PRINCIPAL_ROOT) {
        *root = true;
        return NULL;
    }
    iam_send_validation(c, "Must specify userName when calling with non-User credentials");
    return NULL;
}
