/* account: GetAccountAuthorizationDetails — every user, group, role and
 * managed policy of the account with what applies to each (inline
 * policies, attached policies, groups, instance profiles, boundaries, tags,
 * policy versions), filtered by Filter and paged across the four lists
 * (the marker names the list and the last entity shown). */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/iam/xml.h"

enum section { USERS, GROUPS, ROLES, POLICIES, N_SECTIONS };

static const char *const list_names[N_SECTIONS] = {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"};

struct details {
    struct iam_page page;
    struct iam_call *call;
    enum section section;
    bool local_policies, aws_policies;
    enum iam_err err;
    struct iam_fault fault;
};

static bool write_inline(void *arg, const char *name, const char *document)
{
    struct strbuf *sb = arg;
    strbuf_puts(sb, "<member>");
    strbuf_xml_elem(sb, "PolicyName", name);
    iam_xml_document(sb, "PolicyDocument", document);
    strbuf_puts(sb, "</member>");
    return true;
}

static bool write_attached(void *arg, const struct iam_attached *a)
{
    struct strbuf *sb = arg;
    strbuf_puts(sb, "<member>");
    strbuf_xml_elem(sb, "PolicyName", a->policy_name);
    strbuf_xml_elem(sb, "PolicyArn", a->policy_arn);
    strbuf_puts(sb, "</member>");
    return true;
}

static bool write_group_name(void *arg, const struct iam_entity *e)
{
    strbuf_xml_elem(arg, "member", e->name);
    return true;
}

struct profile_writer {
    struct iam_call *call;
    struct strbuf *sb;
    enum iam_err err;
};

static bool write_profile(void *arg, const struct iam_entity *e)
{
    struct profile_writer *w = arg;
    w->err = iam_write_profile(w->call, w->sb, "member", e, false);
    return w->err == IAM_OK;
}

/* One user, group or role with what applies to it. */
static bool write_detail(void *arg, const struct iam_entity *e)
{
    struct details *d = arg;
    struct strbuf *sb = d->page.sb;
    struct store_conn *reader = iam_reader(d->call);
    if (!iam_page_room(&d->page))
        return false;
    const char *lists[] = {"UserPolicyList", "GroupPolicyList", "RolePolicyList"};
    strbuf_puts(sb, "<member>");
    iam_xml_entity(sb, e, e->kind != IAM_GROUP);
    strbuf_printf(sb, "<%s>", lists[e->kind]);
    d->err = iam_inline_get(reader, e->account, e->kind, e->name, NULL, "", write_inline, sb, &d->fault);
    strbuf_printf(sb, "</%s><AttachedManagedPolicies>", lists[e->kind]);
    if (d->err == IAM_OK)
        d->err = iam_attached_list(reader, e->account, e->kind, e->name, NULL, "", write_attached, sb, &d->fault);
    strbuf_puts(sb, "</AttachedManagedPolicies>");
    if (e->kind == IAM_USER) {
        strbuf_puts(sb, "<GroupList>");
        if (d->err == IAM_OK)
            d->err = iam_group_members(reader, e->account, e->name, true, "", write_group_name, sb, &d->fault);
        strbuf_puts(sb, "</GroupList>");
    } else if (e->kind == IAM_ROLE) {
        struct profile_writer w = {d->call, sb, IAM_OK};
        strbuf_puts(sb, "<InstanceProfileList>");
        if (d->err == IAM_OK)
            d->err = iam_profile_links(reader, e->account, e->name, true, "", write_profile, &w, &d->fault);
        if (d->err == IAM_OK)
            d->err = w.err;
        strbuf_puts(sb, "</InstanceProfileList>");
    }
    strbuf_puts(sb, "</member>");
    char marker[200];
    snprintf(marker, sizeof(marker), "%d:%s", (int)d->section, e->name);
    iam_page_shown(&d->page, marker);
    return d->err == IAM_OK;
}

static bool write_version(void *arg, const struct iam_policy_version *v)
{
    struct strbuf *sb = arg;
    char id[24];
    snprintf(id, sizeof(id), "v%lld", (long long)v->number);
    strbuf_puts(sb, "<member>");
    iam_xml_document(sb, "Document", v->document);
    strbuf_xml_elem(sb, "VersionId", id);
    iam_xml_bool(sb, "IsDefaultVersion", v->is_default);
    iam_xml_date(sb, "CreateDate", v->created_ms);
    strbuf_puts(sb, "</member>");
    return true;
}

static bool write_policy_detail(void *arg, const struct iam_entity *e)
{
    struct details *d = arg;
    bool aws = strcmp(e->account, IAM_AWS_ACCOUNT) == 0;
    if ((aws && (!d->aws_policies || (e->attachment_count == 0 && e->boundary_count == 0))) ||
        (!aws && !d->local_policies))
        return true;
    if (!iam_page_room(&d->page))
        return false;
    struct strbuf *sb = d->page.sb;
    char arn[IAM_ARN_MAX], marker[IAM_ARN_MAX];
    iam_arn(arn, sizeof(arn), IAM_POLICY, e->account, e->path, e->name);
    strbuf_puts(sb, "<member>");
    iam_xml_entity(sb, e, false);
    strbuf_puts(sb, "<PolicyVersionList>");
    d->err = iam_policy_versions(iam_reader(d->call), d->call->account, arn, 0, write_version, sb, &d->fault);
    strbuf_puts(sb, "</PolicyVersionList></member>");
    iam_policy_marker(e, marker, sizeof(marker));
    char shown[IAM_ARN_MAX + 8];
    snprintf(shown, sizeof(shown), "%d:%s", (int)POLICIES, marker);
    iam_page_shown(&d->page, shown);
    return d->err == IAM_OK;
}

void iam_get_account_authorization_details(struct iam_call *c)
{
    static const char *const filters[] = {"User", "Group", "Role", "LocalManagedPolicy", "AWSManagedPolicy"};
    bool wanted[5] = {false};
    size_t n_filters = iam_param_count(&c->params, "Filter", NULL);
    for (size_t i = 0; i < n_filters; i++) {
        const char *f = iam_param_member(&c->params, "Filter", i + 1, NULL);
        size_t k = 0;
        while (k < 5 && strcmp(f, filters[k]) != 0)
            k++;
        if (k == 5) {
            char msg[512];
            snprintf(msg, sizeof(msg), "1 validation error detected: Value '[%.100s]' at 'filter' failed to satisfy "
                                       "constraint: Member must satisfy constraint: [Member must satisfy enum value "
                                       "set: [LocalManagedPolicy, Role, Group, User, AWSManagedPolicy]]", f);
            iam_send_validation(c, msg);
            return;
        }
        wanted[k] = true;
    }
    for (size_t k = 0; n_filters == 0 && k < 5; k++)
        wanted[k] = true;
    struct strbuf sb;
    struct details d = {.call = c, .local_policies = wanted[3], .aws_policies = wanted[4], .err = IAM_OK};
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &d.page, &sb)) {
        strbuf_free(&sb);
        return;
    }
    /* The marker: "<section>:<name>" of the last entity shown. */
    enum section from = (enum section)(d.page.marker[0] ? atoi(d.page.marker) : 0);
    const char *after = strchr(d.page.marker, ':');
    after = after ? after + 1 : "";
    static const enum iam_kind kinds[] = {IAM_USER, IAM_GROUP, IAM_ROLE};
    for (d.section = USERS; d.section < N_SECTIONS && d.err == IAM_OK; d.section++) {
        strbuf_printf(&sb, "<%s>", list_names[d.section]);
        bool take = d.section >= from && !d.page.truncated &&
                    (d.section == POLICIES ? (wanted[3] || wanted[4]) : wanted[d.section]);
        const char *start = d.section == from ? after : "";
        enum iam_err err = IAM_OK;
        if (take && d.section == POLICIES)
            err = iam_policy_list(iam_reader(c), c->account, NULL, NULL, false, start, write_policy_detail, &d);
        else if (take)
            err = iam_entity_list(iam_reader(c), c->account, kinds[d.section], NULL, start, write_detail, &d);
        if (d.err == IAM_OK)
            d.err = err;
        strbuf_printf(&sb, "</%s>", list_names[d.section]);
    }
    iam_page_end(&d.page);
    if (d.err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, d.err, &d.fault);
        return;
    }
    iam_finish(c, &sb);
}
