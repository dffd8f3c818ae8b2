/* test_iam_store: IAM's storage functions (storage/iam/) against an
 * in-memory database made by the iam schema steps, one connection serving
 * as writer and reader: entities (case-insensitive names, quotas, paging,
 * renames that carry references, delete conflicts, tags), managed
 * policies and their versions (AWS's own included), inline policies with
 * their aggregate size, attachments, group membership, instance profiles,
 * access keys, sessions, service-linked role deletion and the policies
 * that apply to a principal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "storage/core/store_internal.h"
#include "storage/iam/iam_store.h"

#define ACCT "000000000000"
#define OTHER "111111111111"
#define T0 1700000000000LL

static int setup(void **state)
{
    struct store_conn *conn = calloc(1, sizeof(*conn));
    if (!conn || sqlite3_open(":memory:", &conn->db) != SQLITE_OK)
        return -1;
    for (size_t i = 0; i < iam_schema.n_steps; i++)
        if (sqlite3_exec(conn->db, iam_schema.steps[i].sql, NULL, NULL, NULL) != SQLITE_OK)
            return -1;
    *state = conn;
    return 0;
}

static int teardown(void **state)
{
    struct store_conn *conn = *state;
    db_conn_close(conn);
    free(conn);
    return 0;
}

static enum iam_err create(struct store_conn *c, enum iam_kind kind, const char *name, const char *path,
                           struct iam_fault *f)
{
    char id[32];
    snprintf(id, sizeof(id), "%s%s", iam_kind_info(kind)->id_prefix, name);
    const struct iam_entity e = {.kind = kind, .account = ACCT, .name = name, .id = id, .path = path ? path : "/",
                                 .created_ms = T0, .max_session_s = kind == IAM_ROLE ? 3600 : 0,
                                 .trust_policy = kind == IAM_ROLE ? "{}" : NULL};
    return iam_entity_create(c, &e, f);
}

/* ---- visitors that record what they were given -------------------------------------- */

struct seen {
    char names[16][128];
    char extra[16][128];
    int64_t numbers[16];
    size_t n, stop_after;
};

static bool record(struct seen *s, const char *name, const char *extra, int64_t number)
{
    snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
    snprintf(s->extra[s->n], sizeof(s->extra[0]), "%s", extra ? extra : "");
    s->numbers[s->n] = number;
    s->n++;
    return s->n != s->stop_after;
}

static bool record_entity(void *arg, const struct iam_entity *e)
{
    return record(arg, e->name, e->tags, e->kind == IAM_POLICY ? e->attachment_count : e->created_ms);
}
static bool record_inline(void *arg, const char *name, const char *doc) { return record(arg, name, doc, 0); }
static bool record_attached(void *arg, const struct iam_attached *a) { return record(arg, a->policy_name, a->policy_arn, 0); }
static bool record_version(void *arg, const struct iam_policy_version *v)
{
    return record(arg, v->is_default ? "default" : "other", v->document, v->number);
}
static bool record_key(void *arg, const struct iam_access_key *k)
{
    return record(arg, k->key_id, k->user_id ? k->user_id : "root", k->last_used_ms);
}
static bool record_session(void *arg, const struct iam_session *s) { return record(arg, s->arn, s->token, s->expires_ms); }
static bool record_policy_entity(void *arg, enum iam_kind kind, const char *name, const char *id, const char *path)
{
    (void)id;
    (void)path;
    return record(arg, name, iam_kind_info(kind)->word, 0);
}

/* ---- entities ------------------------------------------------------------------------------ */

static void test_entities(void **state)
{
    struct store_conn *c = *state;
    struct iam_fault f;
    assert_int_equal(create(c, IAM_USER, "Bob", "/dev/", &f), IAM_OK);
    assert_int_equal(create(c, IAM_USER, "bob", NULL, &f), IAM_ERR_EXISTS);
    assert_string_equal(f.message, "User with name bob already exists.");
    assert_int_equal(create(c, IAM_USER, "alice", NULL, &f), IAM_OK);
    assert_int_equal(create(c, IAM_USER, "carol", NULL, &f), IAM_OK);
    assert_int_equal(create(c, IAM_ROLE, "bob", NULL, &f), IAM_OK);   /* other kinds have their own names */

    struct seen s = {0};
    assert_int_equal(iam_entity_get(c, ACCT, IAM_USER, "BOB", record_entity, &s, &f), IAM_OK);
    assert_string_equal(s.names[0], "Bob");
    assert_int_equal(iam_entity_get(c, ACCT, IAM_USER, "nobody", record_entity, &s, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_string_equal(f.message, "The user with name nobody cannot be found.");
    assert_int_equal(iam_entity_get(c, OTHER, IAM_USER, "bob", record_entity, &s, &f), IAM_ERR_NO_SUCH_ENTITY);

    s = (struct seen){.stop_after = 2};
    assert_int_equal(iam_entity_list(c, ACCT, IAM_USER, NULL, "", record_entity, &s), IAM_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "alice");
    assert_string_equal(s.names[1], "Bob");
    s = (struct seen){0};
    assert_int_equal(iam_entity_list(c, ACCT, IAM_USER, NULL, "bob", record_entity, &s), IAM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "carol");
    s = (struct seen){0};
    assert_int_equal(iam_entity_list(c, ACCT, IAM_USER, "/dev", "", record_entity, &s), IAM_OK);
    assert_int_equal(s.n, 1);

    /* Tags: users' keys ignore case; 50 at most. */
    const char *keys[] = {"Team", "team"}, *values[] = {"a", "b"};
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "bob", keys, values, 1, NULL, 0, &f), IAM_OK);
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "bob", keys + 1, values + 1, 1, NULL, 0, &f), IAM_OK);
    s = (struct seen){0};
    iam_entity_get(c, ACCT, IAM_USER, "bob", record_entity, &s, &f);
    assert_string_equal(s.extra[0], "[{\"Key\":\"team\",\"Value\":\"b\"}]");
    const char *remove[] = {"TEAM"};
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "bob", NULL, NULL, 0, remove, 1, &f), IAM_OK);
    char many_keys[51][8];
    const char *many[51], *many_values[51];
    for (int i = 0; i < 51; i++) {
        snprintf(many_keys[i], sizeof(many_keys[i]), "k%d", i);
        many[i] = many_keys[i];
        many_values[i] = "v";
    }
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "bob", many, many_values, 51, NULL, 0, &f), IAM_ERR_LIMIT);
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "bob", many, many_values, 50, NULL, 0, &f), IAM_OK);
    assert_int_equal(iam_entity_tag(c, ACCT, IAM_USER, "ghost", many, many_values, 1, NULL, 0, &f),
                     IAM_ERR_NO_SUCH_ENTITY);
}

static void test_references_and_renames(void **state)
{
    struct store_conn *c = *state;
    struct iam_fault f;
    create(c, IAM_USER, "u", NULL, &f);
    create(c, IAM_GROUP, "g", NULL, &f);
    assert_int_equal(iam_group_add_user(c, ACCT, "G", "U", &f), IAM_OK);
    assert_int_equal(iam_group_add_user(c, ACCT, "g", "u", &f), IAM_OK);    /* again: no change */
    assert_int_equal(iam_group_add_user(c, ACCT, "g", "nobody", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_inline_put(c, ACCT, IAM_USER, "u", "p", "{\"Statement\":[]}", &f), IAM_OK);
    assert_int_equal(iam_key_create(c, ACCT, "u", "AKIAU1", "secret", T0, &f), IAM_OK);

    assert_int_equal(iam_entity_delete(c, ACCT, IAM_GROUP, "g", &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete entity, must remove users from group first.");
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_USER, "u", &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete entity, must delete policies first.");

    /* A rename carries the membership, the inline policy and the key. */
    assert_int_equal(iam_entity_rename(c, ACCT, IAM_USER, "u", "u2", "/new/", &f), IAM_OK);
    struct seen s = {0};
    assert_int_equal(iam_group_members(c, ACCT, "g", false, "", record_entity, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.names[0], "u2");
    s = (struct seen){0};
    assert_int_equal(iam_inline_get(c, ACCT, IAM_USER, "u2", NULL, "", record_inline, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    s = (struct seen){0};
    assert_int_equal(iam_key_find(c, "AKIAU1", record_key, &s), IAM_OK);
    assert_string_equal(s.extra[0], "AIDAu");
    create(c, IAM_USER, "taken", NULL, &f);
    assert_int_equal(iam_entity_rename(c, ACCT, IAM_USER, "u2", "TAKEN", NULL, &f), IAM_ERR_EXISTS);

    assert_int_equal(iam_inline_delete(c, ACCT, IAM_USER, "u2", "p", &f), IAM_OK);
    assert_int_equal(iam_inline_delete(c, ACCT, IAM_USER, "u2", "p", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_string_equal(f.message, "The user policy with name p cannot be found.");
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_USER, "u2", &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete entity, must delete access keys first.");
    assert_int_equal(iam_key_update(c, ACCT, "u2", "AKIAU1", NULL, &f), IAM_OK);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_USER, "u2", &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete entity, must remove user from all groups first.");
    assert_int_equal(iam_group_remove_user(c, ACCT, "g", "u2", &f), IAM_OK);
    assert_int_equal(iam_group_remove_user(c, ACCT, "g", "u2", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_USER, "u2", &f), IAM_OK);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_GROUP, "g", &f), IAM_OK);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_GROUP, "g", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_string_equal(f.message, "The group with name g cannot be found.");

    /* Roles in instance profiles: one each. */
    create(c, IAM_ROLE, "r", NULL, &f);
    create(c, IAM_ROLE, "r2", NULL, &f);
    create(c, IAM_INSTANCE_PROFILE, "ip", NULL, &f);
    assert_int_equal(iam_profile_add_role(c, ACCT, "ip", "r", &f), IAM_OK);
    assert_int_equal(iam_profile_add_role(c, ACCT, "ip", "r2", &f), IAM_ERR_LIMIT);
    assert_string_equal(f.message, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    s = (struct seen){0};
    assert_int_equal(iam_profile_links(c, ACCT, "r", true, "", record_entity, &s, &f), IAM_OK);
    assert_string_equal(s.names[0], "ip");
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_ROLE, "r", &f), IAM_ERR_DELETE_CONFLICT);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_INSTANCE_PROFILE, "ip", &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete entity, must remove roles from instance profile first.");
    assert_int_equal(iam_profile_remove_role(c, ACCT, "ip", "r", &f), IAM_OK);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_INSTANCE_PROFILE, "ip", &f), IAM_OK);

    /* Role settings; a service-linked role keeps all but its description. */
    assert_int_equal(iam_role_update(c, ACCT, "r", "about", 7200, "{\"x\":1}", &f), IAM_OK);
    s = (struct seen){0};
    iam_entity_get(c, ACCT, IAM_ROLE, "r", record_entity, &s, &f);
    const struct iam_entity linked = {.kind = IAM_ROLE, .account = ACCT, .name = "AWSServiceRoleForX", .id = "AROAX",
                                      .path = "/aws-service-role/x.amazonaws.com/", .created_ms = T0,
                                      .linked_service = "x.amazonaws.com", .trust_policy = "{}", .max_session_s = 3600};
    assert_int_equal(iam_entity_create(c, &linked, &f), IAM_OK);
    assert_int_equal(iam_role_update(c, ACCT, "AWSServiceRoleForX", "d", 0, NULL, &f), IAM_OK);
    assert_int_equal(iam_role_update(c, ACCT, "AWSServiceRoleForX", NULL, 0, "{}", &f), IAM_ERR_UNMODIFIABLE);
    assert_int_equal(iam_entity_delete(c, ACCT, IAM_ROLE, "AWSServiceRoleForX", &f), IAM_ERR_UNMODIFIABLE);
    assert_int_equal(iam_linked_role_delete(c, ACCT, "r", "task/1", T0, &f), IAM_ERR_INVALID_INPUT);
    assert_int_equal(iam_linked_role_delete(c, ACCT, "AWSServiceRoleForX", "task/1", T0, &f), IAM_OK);
    char status[16];
    assert_int_equal(iam_deletion_task(c, ACCT, "task/1", status, &f), IAM_OK);
    assert_string_equal(status, "SUCCEEDED");
    assert_int_equal(iam_deletion_task(c, OTHER, "task/1", status, &f), IAM_ERR_NO_SUCH_ENTITY);
}

/* ---- policies ----------------------------------------------------------------------------------- */

#define POLICY_ARN "arn:aws:iam::" ACCT ":policy/team/p"
#define AWS_ARN "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

static void test_managed_policies(void **state)
{
    struct store_conn *c = *state;
    struct iam_fault f;
    const struct iam_entity p = {.kind = IAM_POLICY, .account = ACCT, .name = "p", .id = "ANPAP", .path = "/team/",
                                 .created_ms = T0, .updated_ms = T0};
    assert_int_equal(iam_policy_create(c, &p, "{\"v\":1}", &f), IAM_OK);
    assert_int_equal(iam_policy_create(c, &p, "{\"v\":1}", &f), IAM_ERR_EXISTS);
    assert_string_equal(f.message, "A policy called p already exists. Duplicate names are not allowed.");
    struct seen s = {0};
    assert_int_equal(iam_policy_get(c, ACCT, POLICY_ARN, record_entity, &s, &f), IAM_OK);
    assert_int_equal(iam_policy_get(c, ACCT, "arn:aws:iam::" ACCT ":policy/p", record_entity, &s, &f),
                     IAM_ERR_NO_SUCH_ENTITY);                               /* wrong path */
    assert_int_equal(iam_policy_get(c, OTHER, POLICY_ARN, record_entity, &s, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_policy_get(c, ACCT, "not-an-arn", record_entity, &s, &f), IAM_ERR_INVALID_INPUT);
    assert_int_equal(iam_policy_get(c, ACCT, AWS_ARN, record_entity, &s, &f), IAM_OK);
    assert_string_equal(s.names[s.n - 1], "AWSLambdaBasicExecutionRole");

    /* Versions: five at most; the default cannot go. */
    int64_t number;
    for (int i = 2; i <= 5; i++)
        assert_int_equal(iam_policy_version_create(c, ACCT, POLICY_ARN, "{\"v\":2}", i == 3, T0 + i, &number, &f), IAM_OK);
    assert_int_equal(number, 5);
    assert_int_equal(iam_policy_version_create(c, ACCT, POLICY_ARN, "{}", false, T0, &number, &f), IAM_ERR_LIMIT);
    s = (struct seen){0};
    assert_int_equal(iam_policy_versions(c, ACCT, POLICY_ARN, 0, record_version, &s, &f), IAM_OK);
    assert_int_equal(s.n, 5);
    assert_int_equal(s.numbers[0], 5);
    assert_string_equal(s.names[2], "default");                          /* v3 */
    assert_int_equal(iam_policy_version_delete(c, ACCT, POLICY_ARN, 3, &f), IAM_ERR_DELETE_CONFLICT);
    assert_int_equal(iam_policy_version_delete(c, ACCT, POLICY_ARN, 9, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_policy_set_default(c, ACCT, POLICY_ARN, 5, T0 + 9, &f), IAM_OK);
    assert_int_equal(iam_policy_version_delete(c, ACCT, POLICY_ARN, 3, &f), IAM_OK);
    assert_int_equal(iam_policy_version_create(c, ACCT, POLICY_ARN, "{\"v\":6}", false, T0, &number, &f), IAM_OK);
    assert_int_equal(number, 6);
    char *doc;
    assert_int_equal(iam_policy_document(c, ACCT, POLICY_ARN, &doc, &f), IAM_OK);
    assert_string_equal(doc, "{\"v\":2}");
    free(doc);
    assert_int_equal(iam_policy_version_create(c, ACCT, AWS_ARN, "{}", false, T0, &number, &f), IAM_ERR_INVALID_INPUT);

    /* Attachments: AWS's and the account's own; ten at most. */
    create(c, IAM_ROLE, "fn", NULL, &f);
    assert_int_equal(iam_attach(c, ACCT, IAM_ROLE, "fn", AWS_ARN, &f), IAM_OK);
    assert_int_equal(iam_attach(c, ACCT, IAM_ROLE, "fn", POLICY_ARN, &f), IAM_OK);
    assert_int_equal(iam_attach(c, ACCT, IAM_ROLE, "fn", POLICY_ARN, &f), IAM_OK);
    assert_int_equal(iam_attach(c, ACCT, IAM_ROLE, "fn", "arn:aws:iam::" ACCT ":policy/none", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_string_equal(f.message, "Policy arn:aws:iam::000000000000:policy/none does not exist or is not attachable.");
    s = (struct seen){0};
    assert_int_equal(iam_attached_list(c, ACCT, IAM_ROLE, "fn", NULL, "", record_attached, &s, &f), IAM_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "p");
    assert_string_equal(s.names[1], "AWSLambdaBasicExecutionRole");
    s = (struct seen){0};
    assert_int_equal(iam_attached_list(c, ACCT, IAM_ROLE, "fn", "/service-role/", "", record_attached, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    s = (struct seen){0};
    assert_int_equal(iam_policy_get(c, ACCT, POLICY_ARN, record_entity, &s, &f), IAM_OK);
    assert_int_equal(s.numbers[0], 1);                                   /* AttachmentCount */
    s = (struct seen){0};
    assert_int_equal(iam_policy_entities(c, ACCT, POLICY_ARN, false, record_policy_entity, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.extra[0], "role");
    assert_int_equal(iam_policy_delete(c, ACCT, POLICY_ARN, &f), IAM_ERR_DELETE_CONFLICT);
    assert_string_equal(f.message, "Cannot delete a policy attached to entities.");

    /* ListPolicies: local then AWS's, filtered. */
    s = (struct seen){0};
    assert_int_equal(iam_policy_list(c, ACCT, "All", NULL, true, "", record_entity, &s), IAM_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.names[0], "p");
    assert_string_equal(s.names[1], "AWSLambdaBasicExecutionRole");
    s = (struct seen){.stop_after = 2};
    assert_int_equal(iam_policy_list(c, ACCT, "AWS", NULL, false, "", record_entity, &s), IAM_OK);
    char marker[300];
    const struct iam_entity second = {.account = "aws", .name = s.names[1]};
    iam_policy_marker(&second, marker, sizeof(marker));
    s = (struct seen){.stop_after = 1};
    assert_int_equal(iam_policy_list(c, ACCT, "All", NULL, false, marker, record_entity, &s), IAM_OK);
    assert_true(strcmp(s.names[0], second.name) > 0);
    s = (struct seen){0};
    assert_int_equal(iam_policy_list(c, ACCT, "Local", NULL, false, "", record_entity, &s), IAM_OK);
    assert_int_equal(s.n, 1);

    /* Deleting: detach, drop the other versions, then it goes. */
    assert_int_equal(iam_detach(c, ACCT, IAM_ROLE, "fn", POLICY_ARN, &f), IAM_OK);
    assert_int_equal(iam_detach(c, ACCT, IAM_ROLE, "fn", POLICY_ARN, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_policy_delete(c, ACCT, POLICY_ARN, &f), IAM_ERR_DELETE_CONFLICT);
    for (int v = 1; v <= 6; v++)
        iam_policy_version_delete(c, ACCT, POLICY_ARN, v, &f);
    assert_int_equal(iam_policy_delete(c, ACCT, POLICY_ARN, &f), IAM_OK);
    assert_int_equal(iam_policy_get(c, ACCT, POLICY_ARN, record_entity, &s, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_policy_delete(c, ACCT, AWS_ARN, &f), IAM_ERR_INVALID_INPUT);

    /* Permissions boundaries name existing policies. */
    assert_int_equal(iam_entity_set_boundary(c, ACCT, IAM_ROLE, "fn", AWS_ARN, &f), IAM_OK);
    assert_int_equal(iam_entity_set_boundary(c, ACCT, IAM_ROLE, "fn", POLICY_ARN, &f), IAM_ERR_NO_SUCH_ENTITY);
    s = (struct seen){0};
    assert_int_equal(iam_policy_entities(c, ACCT, AWS_ARN, true, record_policy_entity, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    assert_int_equal(iam_entity_set_boundary(c, ACCT, IAM_ROLE, "fn", NULL, &f), IAM_OK);
}

static void test_inline_sizes_and_principal_policies(void **state)
{
    struct store_conn *c = *state;
    struct iam_fault f;
    create(c, IAM_USER, "dev", NULL, &f);
    create(c, IAM_GROUP, "devs", NULL, &f);
    iam_group_add_user(c, ACCT, "devs", "dev", &f);
    char big[2100];
    memset(big, ' ', sizeof(big));
    memcpy(big, "{\"a\":\"", 6);
    memset(big + 6, 'x', 1200);
    memcpy(big + 1206, "\"}", 3);
    assert_int_equal(iam_inline_put(c, ACCT, IAM_USER, "dev", "one", big, &f), IAM_OK);
    assert_int_equal(iam_inline_put(c, ACCT, IAM_USER, "dev", "ONE", big, &f), IAM_OK);   /* replaces it */
    assert_int_equal(iam_inline_put(c, ACCT, IAM_USER, "dev", "two", big, &f), IAM_ERR_LIMIT);
    assert_string_equal(f.message, "Maximum policy size of 2048 bytes exceeded for user dev");
    assert_int_equal(iam_inline_put(c, ACCT, IAM_USER, "nobody", "one", big, &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_int_equal(iam_inline_put(c, ACCT, IAM_GROUP, "devs", "g1", "{\"g\":1}", &f), IAM_OK);
    assert_int_equal(iam_attach(c, ACCT, IAM_GROUP, "devs", AWS_ARN, &f), IAM_OK);
    struct seen s = {0};
    assert_int_equal(iam_inline_get(c, ACCT, IAM_USER, "dev", "One", NULL, record_inline, &s, &f), IAM_OK);
    assert_string_equal(s.names[0], "one");
    s = (struct seen){0};
    assert_int_equal(iam_identity_policies(c, ACCT, IAM_USER, "dev", record_inline, &s, &f), IAM_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.names[0], "one");
    assert_string_equal(s.names[1], "g1");
    assert_string_equal(s.names[2], AWS_ARN);
    assert_non_null(strstr(s.extra[2], "logs:PutLogEvents"));
}

/* ---- keys and sessions ------------------------------------------------------------------------- */

static void test_keys_and_sessions(void **state)
{
    struct store_conn *c = *state;
    struct iam_fault f;
    create(c, IAM_USER, "k", "/p/", &f);
    assert_int_equal(iam_key_create(c, ACCT, "k", "AKIA1", "s1", T0, &f), IAM_OK);
    assert_int_equal(iam_key_create(c, ACCT, "k", "AKIA2", "s2", T0, &f), IAM_OK);
    assert_int_equal(iam_key_create(c, ACCT, "k", "AKIA3", "s3", T0, &f), IAM_ERR_LIMIT);
    assert_string_equal(f.message, "Cannot exceed quota for AccessKeysPerUser: 2");
    assert_int_equal(iam_key_create(c, ACCT, NULL, "AKIAROOT", "sr", T0, &f), IAM_OK);
    assert_int_equal(iam_key_create(c, ACCT, "ghost", "AKIA4", "s4", T0, &f), IAM_ERR_NO_SUCH_ENTITY);
    struct seen s = {0};
    assert_int_equal(iam_key_list(c, ACCT, "k", "", record_key, &s, &f), IAM_OK);
    assert_int_equal(s.n, 2);
    s = (struct seen){0};
    assert_int_equal(iam_key_list(c, ACCT, NULL, "", record_key, &s, &f), IAM_OK);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.extra[0], "root");
    assert_int_equal(iam_key_update(c, ACCT, "k", "AKIA1", "Inactive", &f), IAM_OK);
    assert_int_equal(iam_key_update(c, ACCT, NULL, "AKIA1", "Active", &f), IAM_ERR_NO_SUCH_ENTITY);
    assert_string_equal(f.message, "The Access Key with id AKIA1 cannot be found.");
    assert_int_equal(iam_key_used(c, "AKIA2", T0 + 5, "s3", "us-east-1"), IAM_OK);
    s = (struct seen){0};
    assert_int_equal(iam_key_find(c, "AKIA2", record_key, &s), IAM_OK);
    assert_int_equal(s.numbers[0], T0 + 5);
    assert_int_equal(iam_key_find(c, "AKIA9", record_key, &s), IAM_ERR_NO_SUCH_ENTITY);

    const struct iam_session session = {
        .key_id = "ASIA1", .secret = "sec", .token = "tok", .account = ACCT, .type = IAM_SESSION_ROLE,
        .arn = "arn:aws:sts::000000000000:assumed-role/r/s", .user_id = "AROAR:s", .name = "r",
        .role_arn = "arn:aws:iam::000000000000:role/r", .session_name = "s",
        .policy_arns = "[\"" AWS_ARN "\"]", .created_ms = T0, .expires_ms = T0 + 3600000,
    };
    assert_int_equal(iam_session_create(c, &session, &f), IAM_OK);
    s = (struct seen){0};
    assert_int_equal(iam_session_find(c, "ASIA1", record_session, &s), IAM_OK);
    assert_string_equal(s.names[0], session.arn);
    assert_string_equal(s.extra[0], "tok");
    assert_int_equal(iam_sessions_purge(c, T0), IAM_OK);
    assert_int_equal(iam_session_find(c, "ASIA1", record_session, &s), IAM_OK);
    assert_int_equal(iam_sessions_purge(c, T0 + 3600001), IAM_OK);
    assert_int_equal(iam_session_find(c, "ASIA1", record_session, &s), IAM_ERR_NO_SUCH_ENTITY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_entities, setup, teardown),
        cmocka_unit_test_setup_teardown(test_references_and_renames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_managed_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_sizes_and_principal_policies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_sessions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
