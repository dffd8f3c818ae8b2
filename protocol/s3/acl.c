/* protocol/s3 acl: access control lists — the canned ACLs of x-amz-acl,
 * the x-amz-grant-* headers, and the AccessControlPolicy document both
 * parsed and written. See bucket_config.h.
 *
 * An ACL is an owner plus a list of grants; a grantee is a canonical user
 * (here the owner's account id is its canonical id, as in ListBuckets),
 * one of the three predefined groups, or an e-mail address, which never
 * resolves locally (UnresolvableGrantByEmailAddress, as AWS answers for an
 * address it does not know). The grantee type is taken from the child
 * element present (ID, URI, EmailAddress), which is what xsi:type says. */
#include "protocol/s3/bucket_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/s3/s3.h"
#include "protocol/s3/xml.h"

static const char *const permissions[] = {"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP", NULL};
static const char *const group_uris[] = {S3_ALL_USERS_URI, S3_AUTHENTICATED_USERS_URI,
                                         S3_LOG_DELIVERY_URI, NULL};

static bool listed(const char *v, const char *const *list)
{
    for (size_t i = 0; v && list[i]; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

void s3_acl_free(struct s3_acl *acl)
{
    for (size_t i = 0; i < acl->n_grants; i++) {
        free(acl->grants[i].value);
        free(acl->grants[i].permission);
    }
    free(acl->grants);
    memset(acl, 0, sizeof(*acl));
}

static enum s3_err add_grant(struct s3_acl *acl, enum s3_grantee_type type, const char *value,
                             const char *permission)
{
    struct s3_grant *grown = realloc(acl->grants, (acl->n_grants + 1) * sizeof(*grown));
    if (!grown)
        return S3_ERR_INTERNAL_ERROR;
    acl->grants = grown;
    struct s3_grant *g = &acl->grants[acl->n_grants];
    g->type = type;
    g->value = strdup(value);
    g->permission = strdup(permission);
    if (!g->value || !g->permission) {
        free(g->value);
        free(g->permission);
        return S3_ERR_INTERNAL_ERROR;
    }
    acl->n_grants++;
    return S3_OK;
}

/* The grants a canned ACL adds beside the owner's FULL_CONTROL;
 * `other_bucket_owner` is the bucket's owner when it is not the object's. */
static enum s3_err add_canned_grants(struct s3_acl *acl, const char *name, const char *other_bucket_owner)
{
    static const struct {
        const char *name;
        const char *group;         /* NULL: the grants go to the bucket owner */
        const char *perms[2];
    } canned[] = {
        {"private", NULL, {NULL, NULL}},
        {"aws-exec-read", NULL, {NULL, NULL}},
        {"public-read", S3_ALL_USERS_URI, {"READ", NULL}},
        {"public-read-write", S3_ALL_USERS_URI, {"READ", "WRITE"}},
        {"authenticated-read", S3_AUTHENTICATED_USERS_URI, {"READ", NULL}},
        {"log-delivery-write", S3_LOG_DELIVERY_URI, {"WRITE", "READ_ACP"}},
        {"bucket-owner-read", NULL, {"READ", NULL}},
        {"bucket-owner-full-control", NULL, {"FULL_CONTROL", NULL}},
    };
    for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); i++) {
        if (strcmp(canned[i].name, name) != 0)
            continue;
        enum s3_err err = S3_OK;
        for (size_t p = 0; p < 2 && canned[i].perms[p] && err == S3_OK; p++) {
            if (canned[i].group)
                err = add_grant(acl, S3_GRANTEE_GROUP, canned[i].group, canned[i].perms[p]);
            else if (other_bucket_owner)
                err = add_grant(acl, S3_GRANTEE_USER, other_bucket_owner, canned[i].perms[p]);
        }
        return err;
    }
    return S3_ERR_INVALID_ARGUMENT;
}

enum s3_err s3_acl_canned(const char *name, const char *owner, const char *bucket_owner,
                          struct s3_acl *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->owner, sizeof(out->owner), "%s", owner);
    enum s3_err err = add_grant(out, S3_GRANTEE_USER, owner, "FULL_CONTROL");
    bool other = bucket_owner && strcmp(bucket_owner, owner) != 0;
    if (err == S3_OK)
        err = add_canned_grants(out, name, other ? bucket_owner : NULL);
    if (err != S3_OK)
        s3_acl_free(out);
    return err;
}

/* One `key="value"` of a grant header; advances *p. */
static enum s3_err next_header_grantee(const char **p, char *key, size_t key_cap, char **value)
{
    const char *s = *p + strspn(*p, " \t,");
    const char *eq = strchr(s, '=');
    if (!eq)
        return S3_ERR_INVALID_ARGUMENT;
    size_t klen = (size_t)(eq - s);
    while (klen && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
        klen--;
    if (klen == 0 || klen >= key_cap)
        return S3_ERR_INVALID_ARGUMENT;
    memcpy(key, s, klen);
    key[klen] = '\0';
    const char *v = eq + 1 + strspn(eq + 1, " \t");
    const char *end;
    if (*v == '"') {
        v++;
        end = strchr(v, '"');
        if (!end)
            return S3_ERR_INVALID_ARGUMENT;
        *p = end + 1;
    } else {
        end = v + strcspn(v, ",");
        *p = end;
    }
    *value = strndup(v, (size_t)(end - v));
    return *value ? S3_OK : S3_ERR_INTERNAL_ERROR;
}

enum s3_err s3_acl_add_header_grants(struct s3_acl *acl, const char *permission, const char *value)
{
    if (!listed(permission, permissions))
        return S3_ERR_INVALID_ARGUMENT;
    const char *p = value;
    while (*(p + strspn(p, " \t,"))) {
        char key[16];
        char *grantee = NULL;
        enum s3_err err = next_header_grantee(&p, key, sizeof(key), &grantee);
        if (err != S3_OK)
            return err;
        if (strcasecmp(key, "id") == 0)
            err = add_grant(acl, S3_GRANTEE_USER, grantee, permission);
        else if (strcasecmp(key, "uri") == 0)
            err = listed(grantee, group_uris) ? add_grant(acl, S3_GRANTEE_GROUP, grantee, permission)
                                              : S3_ERR_INVALID_ARGUMENT;
        else if (strcasecmp(key, "emailAddress") == 0)
            err = S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL;
        else
            err = S3_ERR_INVALID_ARGUMENT;
        free(grantee);
        if (err != S3_OK)
            return err;
    }
    return S3_OK;
}

static xmlNode *child_elem(const xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (s3_xml_is(c, name))
            return c;
    return NULL;
}

static enum s3_err parse_grant(struct s3_acl *acl, const xmlNode *grant, const char **message)
{
    xmlNode *grantee = child_elem(grant, "Grantee");
    xmlNode *perm = child_elem(grant, "Permission");
    if (!grantee || !perm)
        return S3_ERR_MALFORMED_XML;
    char *permission = NULL, *value = NULL;
    enum s3_err err = s3_xml_text(perm, &permission);
    if (err != S3_OK)
        return err;
    xmlNode *id = child_elem(grantee, "ID"), *uri = child_elem(grantee, "URI");
    xmlNode *email = child_elem(grantee, "EmailAddress");
    if (!listed(permission, permissions)) {
        err = S3_ERR_MALFORMED_XML;
    } else if (email) {
        err = S3_ERR_UNRESOLVABLE_GRANT_BY_EMAIL;
    } else if (id || uri) {
        err = s3_xml_text(id ? id : uri, &value);
        if (err == S3_OK && uri && !listed(value, group_uris)) {
            *message = "Invalid group uri";
            err = S3_ERR_INVALID_ARGUMENT;
        } else if (err == S3_OK && !*value) {
            *message = "Invalid id";
            err = S3_ERR_INVALID_ARGUMENT;
        } else if (err == S3_OK) {
            err = add_grant(acl, id ? S3_GRANTEE_USER : S3_GRANTEE_GROUP, value, permission);
        }
    } else {
        err = S3_ERR_MALFORMED_XML;
    }
    free(permission);
    free(value);
    return err;
}

enum s3_err s3_acl_parse(const char *body, size_t len, struct s3_acl *out, const char **message)
{
    memset(out, 0, sizeof(*out));
    *message = NULL;
    xmlDoc *doc = NULL;
    enum s3_err err = s3_xml_read(body, len, "AccessControlPolicy", &doc);
    if (err != S3_OK)
        return err;
    xmlNode *root = s3_xml_root(doc);
    xmlNode *owner_id = child_elem(child_elem(root, "Owner"), "ID");
    xmlNode *list = child_elem(root, "AccessControlList");
    char *owner = NULL;
    if (!owner_id || !list)
        err = S3_ERR_MALFORMED_XML;
    else
        err = s3_xml_text(owner_id, &owner);
    if (err == S3_OK) {
        snprintf(out->owner, sizeof(out->owner), "%s", owner);
        for (xmlNode *g = list->children; g && err == S3_OK; g = g->next)
            if (s3_xml_is(g, "Grant"))
                err = parse_grant(out, g, message);
    }
    free(owner);
    xmlFreeDoc(doc);
    if (err != S3_OK)
        s3_acl_free(out);
    return err;
}

void s3_acl_xml(struct strbuf *out, const struct s3_acl *acl)
{
    strbuf_puts(out, "<AccessControlPolicy xmlns=\"" S3_XMLNS "\"><Owner>");
    strbuf_xml_elem(out, "ID", acl->owner);
    strbuf_xml_elem(out, "DisplayName", acl->owner);
    strbuf_puts(out, "</Owner><AccessControlList>");
    for (size_t i = 0; i < acl->n_grants; i++) {
        const struct s3_grant *g = &acl->grants[i];
        strbuf_puts(out, "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"");
        if (g->type == S3_GRANTEE_GROUP) {
            strbuf_puts(out, "Group\">");
            strbuf_xml_elem(out, "URI", g->value);
        } else {
            strbuf_puts(out, "CanonicalUser\">");
            strbuf_xml_elem(out, "ID", g->value);
            strbuf_xml_elem(out, "DisplayName", g->value);
        }
        strbuf_puts(out, "</Grantee>");
        strbuf_xml_elem(out, "Permission", g->permission);
        strbuf_puts(out, "</Grant>");
    }
    strbuf_puts(out, "</AccessControlList></AccessControlPolicy>");
}

bool s3_acl_grants_public(const struct s3_acl *acl, const char *permission, bool authenticated)
{
    for (size_t i = 0; i < acl->n_grants; i++) {
        const struct s3_grant *g = &acl->grants[i];
        if (g->type != S3_GRANTEE_GROUP)
            continue;
        bool everyone = strcmp(g->value, S3_ALL_USERS_URI) == 0 ||
                        (authenticated && strcmp(g->value, S3_AUTHENTICATED_USERS_URI) == 0);
        if (everyone && (strcmp(g->permission, permission) == 0 || strcmp(g->permission, "FULL_CONTROL") == 0))
            return true;
    }
    return false;
}

bool s3_acl_is_beyond_owner(const struct s3_acl *acl)
{
    for (size_t i = 0; i < acl->n_grants; i++)
        if (acl->grants[i].type != S3_GRANTEE_USER || strcmp(acl->grants[i].value, acl->owner) != 0)
            return true;
    return false;
}

bool s3_acl_is_public(const struct s3_acl *acl)
{
    static const char *const permissions_granted[] = {"READ", "WRITE", "READ_ACP", "WRITE_ACP"};
    for (size_t i = 0; i < sizeof(permissions_granted) / sizeof(permissions_granted[0]); i++)
        if (s3_acl_grants_public(acl, permissions_granted[i], true))
            return true;
    return false;
}
