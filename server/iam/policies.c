/* policies: managed policies by ARN — CreatePolicy, GetPolicy,
 * ListPolicies (Scope, OnlyAttached, PathPrefix, PolicyUsageFilter),
 * DeletePolicy, the versions (CreatePolicyVersion with SetAsDefault,
 * GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
 * SetDefaultPolicyVersion; five at most) and ListEntitiesForPolicy. AWS's
 * own managed policies read like the account's but cannot be changed. */
#include "server/iam/iam_service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "protocol/iam/xml.h"

void iam_create_policy(struct iam_call *c)
{
    c->kind = IAM_POLICY;
    const char *name = iam_name(c, "PolicyName", 128), *path = name ? iam_path(c, "Path", true) : NULL;
    const char *document = path ? iam_document(c, "PolicyDocument", IAM_DOCUMENT_IDENTITY, IAM_MANAGED_POLICY_SIZE,
                                               "PolicySize")
                                : NULL;
    const char *description;
    char *tags;
    if (!document || !iam_description(c, &description) || !iam_tags_json(c, &tags))
        return;
    struct iam_create *cr = iam_create_new(c, tags, 0);
    free(tags);
    if (!cr)
        return;
    cr->entity = (struct iam_entity){.kind = IAM_POLICY, .name = name, .path = path, .description = description,
                                     .default_version = 1};
    cr->document = document;
    iam_create_entity(c, cr);
}

/* The PolicyArn parameter as the call's target; false after answering. */
static bool target_policy(struct iam_call *c)
{
    c->kind = IAM_POLICY;
    return (c->arn = iam_policy_arn(c, "PolicyArn")) != NULL;
}

void iam_get_policy(struct iam_call *c)
{
    if (target_policy(c))
        iam_answer_entity(c);
}

/* ---- ListPolicies ------------------------------------------------------------------- */

struct policy_listing {
    struct iam_page page;
    bool boundaries_only;          /* PolicyUsageFilter=PermissionsBoundary */
};

static bool list_policy(void *arg, const struct iam_entity *e)
{
    struct policy_listing *l = arg;
    if (l->boundaries_only && e->boundary_count == 0)
        return true;
    if (!iam_page_room(&l->page))
        return false;
    iam_write_entity(l->page.sb, "member", e, false);
    char marker[IAM_ARN_MAX];
    iam_policy_marker(e, marker, sizeof(marker));
    iam_page_shown(&l->page, marker);
    return true;
}

/* An enumeration parameter: NULL when absent, the value when it is one of
 * `allowed`, else answers ValidationError and sets *bad. */
static const char *one_of(struct iam_call *c, const char *name, const char *member, const char *const *allowed, bool *bad)
{
    const char *v = iam_param(&c->params, name);
    *bad = false;
    if (!v)
        return NULL;
    char set[256] = "";
    for (size_t i = 0; allowed[i]; i++) {
        if (strcmp(v, allowed[i]) == 0)
            return v;
        snprintf(set + strlen(set), sizeof(set) - strlen(set), "%s%s", i ? ", " : "", allowed[i]);
    }
    char msg[512];
    snprintf(msg, sizeof(msg), "1 validation error detected: Value '%.100s' at '%s' failed to satisfy constraint: "
                               "Member must satisfy enum value set: [%s]", v, member, set);
    iam_send_validation(c, msg);
    *bad = true;
    return NULL;
}

void iam_list_policies(struct iam_call *c)
{
    static const char *const scopes[] = {"All", "AWS", "Local", NULL};
    static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};
    bool bad, only_attached = false;
    const char *scope = one_of(c, "Scope", "scope", scopes, &bad);
    const char *usage = bad ? NULL : one_of(c, "PolicyUsageFilter", "policyUsageFilter", usages, &bad);
    if (bad)
        return;
    if (iam_param_bool(&c->params, "OnlyAttached", &only_attached) < 0) {
        iam_send_validation(c, "1 validation error detected: Value at 'onlyAttached' failed to satisfy constraint: "
                               "Member must be a boolean");
        return;
    }
    const char *prefix = iam_param(&c->params, "PathPrefix");
    char msg[512];
    const char *bad_prefix = prefix ? iam_check_policy_path(prefix, msg, sizeof(msg)) : NULL;
    if (bad_prefix) {
        iam_send_validation(c, bad_prefix);
        return;
    }
    struct strbuf sb;
    struct policy_listing l = {.boundaries_only = usage && strcmp(usage, "PermissionsBoundary") == 0};
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &l.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<Policies>");
    enum iam_err err = iam_policy_list(iam_reader(c), c->account, scope, prefix,
                                       only_attached || (usage && !l.boundaries_only), l.page.marker, list_policy, &l);
    strbuf_puts(&sb, "</Policies>");
    iam_page_end(&l.page);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &(struct iam_fault){""});
        return;
    }
    iam_finish(c, &sb);
}

static enum iam_err apply_delete_policy(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    return iam_policy_delete(writer, c->account, c->arn, f);
}

void iam_delete_policy(struct iam_call *c)
{
    if (target_policy(c))
        iam_submit(c, apply_delete_policy, NULL);
}

/* ---- versions --------------------------------------------------------------------------- */

/* VersionId "v<N>" as its number; 0 after answering ValidationError. */
static int64_t version_param(struct iam_call *c)
{
    const char *v = iam_required(c, "VersionId");
    if (!v)
        return 0;
    char *end = NULL;
    long long n = v[0] == 'v' && v[1] >= '1' && v[1] <= '9' ? strtoll(v + 1, &end, 10) : 0;
    if (n <= 0 || (*end && *end != '.')) {
        char msg[512];
        snprintf(msg, sizeof(msg), "1 validation error detected: Value '%.100s' at 'versionId' failed to satisfy "
                                   "constraint: Member must satisfy regular expression pattern: "
                                   "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", v);
        iam_send_validation(c, msg);
        return 0;
    }
    return n;
}

static void write_version(struct strbuf *sb, const char *elem, const struct iam_policy_version *v, bool document)
{
    char id[24];
    snprintf(id, sizeof(id), "v%lld", (long long)v->number);
    strbuf_printf(sb, "<%s>", elem);
    if (document)
        iam_xml_document(sb, "Document", v->document);
    strbuf_xml_elem(sb, "VersionId", id);
    iam_xml_bool(sb, "IsDefaultVersion", v->is_default);
    iam_xml_date(sb, "CreateDate", v->created_ms);
    strbuf_printf(sb, "</%s>", elem);
}

/* The versions the call asked about, in its answer. */
struct versions {
    struct iam_page page;
    struct strbuf *sb;
    bool documents;
};

static bool write_one_version(void *arg, const struct iam_policy_version *v)
{
    struct versions *vs = arg;
    write_version(vs->sb, "PolicyVersion", v, vs->documents);
    return false;
}

static void answer_version(struct iam_call *c, int64_t number, bool document)
{
    struct strbuf sb;
    struct iam_fault f;
    struct versions vs = {.sb = &sb, .documents = document};
    iam_begin(c, &sb);
    enum iam_err err = iam_policy_versions(iam_reader(c), c->account, c->arn, number, write_one_version, &vs, &f);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

/* The version CreatePolicyVersion made. */
struct new_version {
    const char *document;
    bool set_default;
    int64_t number;
};

static enum iam_err apply_create_version(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    struct new_version *nv = c->work;
    return iam_policy_version_create(writer, c->account, c->arn, nv->document, nv->set_default, c->now_ms, &nv->number, f);
}

static void answer_created_version(struct iam_call *c)
{
    const struct new_version *nv = c->work;
    answer_version(c, nv->number, false);
}

void iam_create_policy_version(struct iam_call *c)
{
    struct new_version *nv = calloc(1, sizeof(*nv));
    if (!nv) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    c->work = nv;
    if (!target_policy(c) || !(nv->document = iam_document(c, "PolicyDocument", IAM_DOCUMENT_IDENTITY,
                                                           IAM_MANAGED_POLICY_SIZE, "PolicySize")))
        return;
    if (iam_param_bool(&c->params, "SetAsDefault", &nv->set_default) < 0) {
        iam_send_validation(c, "1 validation error detected: Value at 'setAsDefault' failed to satisfy constraint: "
                               "Member must be a boolean");
        return;
    }
    iam_submit(c, apply_create_version, answer_created_version);
}

void iam_get_policy_version(struct iam_call *c)
{
    int64_t number;
    if (target_policy(c) && (number = version_param(c)))
        answer_version(c, number, true);
}

static bool list_version(void *arg, const struct iam_policy_version *v)
{
    struct versions *vs = arg;
    char id[24];
    snprintf(id, sizeof(id), "v%lld", (long long)v->number);
    /* Newest first: the marker is the last version shown. */
    if (vs->page.marker[0] && v->number >= atoll(vs->page.marker + 1))
        return true;
    if (!iam_page_room(&vs->page))
        return false;
    write_version(vs->sb, "member", v, false);
    iam_page_shown(&vs->page, id);
    return true;
}

void iam_list_policy_versions(struct iam_call *c)
{
    if (!target_policy(c))
        return;
    struct strbuf sb;
    struct iam_fault f;
    struct versions vs = {.sb = &sb};
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &vs.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<Versions>");
    enum iam_err err = iam_policy_versions(iam_reader(c), c->account, c->arn, 0, list_version, &vs, &f);
    strbuf_puts(&sb, "</Versions>");
    iam_page_end(&vs.page);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

static enum iam_err apply_version_change(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const int64_t *number = c->work;
    return strcmp(c->op->name, "DeletePolicyVersion") == 0
               ? iam_policy_version_delete(writer, c->account, c->arn, *number, f)
               : iam_policy_set_default(writer, c->account, c->arn, *number, c->now_ms, f);
}

static void change_version(struct iam_call *c)
{
    int64_t number;
    if (!target_policy(c) || !(number = version_param(c)))
        return;
    int64_t *work = malloc(sizeof(*work));
    if (!work) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    *work = number;
    c->work = work;
    iam_submit(c, apply_version_change, NULL);
}

void iam_delete_policy_version(struct iam_call *c) { change_version(c); }
void iam_set_default_policy_version(struct iam_call *c) { change_version(c); }

/* ---- ListEntitiesForPolicy ------------------------------------------------------------------ */

struct entity_listing {
    struct iam_page page;
    enum iam_kind only;            /* IAM_KIND_COUNT: every kind */
    const char *prefix;
    struct strbuf groups, users, roles;
};

/* Whether (kind, name) comes after the marker "<kind>:<name>", in the
 * order storage lists them: by kind, then by name ignoring case. */
static bool after_marker(const char *marker, enum iam_kind kind, const char *name)
{
    if (!marker[0])
        return true;
    int marker_kind = atoi(marker);
    const char *marker_name = strchr(marker, ':');
    if ((int)kind != marker_kind)
        return (int)kind > marker_kind;
    return !marker_name || strcasecmp(name, marker_name + 1) > 0;
}

static bool list_policy_entity(void *arg, enum iam_kind kind, const char *name, const char *id, const char *path)
{
    struct entity_listing *l = arg;
    char key[300];
    snprintf(key, sizeof(key), "%d:%s", (int)kind, name);
    if ((l->only != IAM_KIND_COUNT && kind != l->only) || strncmp(path, l->prefix, strlen(l->prefix)) != 0 ||
        !after_marker(l->page.marker, kind, name))
        return true;
    if (!iam_page_room(&l->page))
        return false;
    struct strbuf *sb = kind == IAM_USER ? &l->users : kind == IAM_GROUP ? &l->groups : &l->roles;
    const struct iam_kind_info *k = iam_kind_info(kind);
    strbuf_puts(sb, "<member>");
    strbuf_xml_elem(sb, k->name_member, name);
    strbuf_xml_elem(sb, k->id_member, id);
    strbuf_puts(sb, "</member>");
    iam_page_shown(&l->page, key);
    return true;
}

void iam_list_entities_for_policy(struct iam_call *c)
{
    static const char *const filters[] = {"User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy", NULL};
    static const char *const usages[] = {"PermissionsPolicy", "PermissionsBoundary", NULL};
    bool bad;
    if (!target_policy(c))
        return;
    const char *filter = one_of(c, "EntityFilter", "entityFilter", filters, &bad);
    const char *usage = bad ? NULL : one_of(c, "PolicyUsageFilter", "policyUsageFilter", usages, &bad);
    if (bad)
        return;
    struct strbuf sb;
    struct iam_fault f;
    struct entity_listing l = {.only = IAM_KIND_COUNT, .prefix = iam_param(&c->params, "PathPrefix")};
    if (!l.prefix)
        l.prefix = "";
    if (filter)
        l.only = strcmp(filter, "User") == 0 ? IAM_USER : strcmp(filter, "Role") == 0 ? IAM_ROLE
               : strcmp(filter, "Group") == 0 ? IAM_GROUP : IAM_POLICY;    /* policies have no entities */
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &l.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_init(&l.groups);
    strbuf_init(&l.users);
    strbuf_init(&l.roles);
    enum iam_err err = iam_policy_entities(iam_reader(c), c->account, c->arn,
                                           usage && strcmp(usage, "PermissionsBoundary") == 0, list_policy_entity, &l, &f);
    strbuf_puts(&sb, "<PolicyGroups>");
    strbuf_append(&sb, l.groups.data ? l.groups.data : "", l.groups.len);
    strbuf_puts(&sb, "</PolicyGroups><PolicyUsers>");
    strbuf_append(&sb, l.users.data ? l.users.data : "", l.users.len);
    strbuf_puts(&sb, "</PolicyUsers><PolicyRoles>");
    strbuf_append(&sb, l.roles.data ? l.roles.data : "", l.roles.len);
    strbuf_puts(&sb, "</PolicyRoles>");
    bool oom = strbuf_failed(&l.groups) || strbuf_failed(&l.users) || strbuf_failed(&l.roles);
    strbuf_free(&l.groups);
    strbuf_free(&l.users);
    strbuf_free(&l.roles);
    iam_page_end(&l.page);
    if (err != IAM_OK || oom) {
        strbuf_free(&sb);
        if (oom)
            iam_send_error(c, 500, "ServiceFailure", "out of memory");
        else
            iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}
