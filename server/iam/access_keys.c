/* access_keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey (Active /
 * Inactive), DeleteAccessKey — for the user UserName names, else for the
 * signing user (or the root user, whose keys then have no user) — and
 * GetAccessKeyLastUsed. A key signs requests as soon as it is created
 * (server/iam/credentials.c); an inactive key is refused. */
#include "server/iam/iam_service.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/iam/xml.h"

/* A new key, made on the loop thread before the write. */
struct new_key {
    const char *user;              /* NULL: the root user */
    char key_id[IAM_KEY_ID_LEN + 1];
    char secret[IAM_SECRET_LEN + 1];
};

static enum iam_err apply_create(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct new_key *k = c->work;
    return iam_key_create(writer, c->account, k->user, k->key_id, k->secret, c->now_ms, f);
}

static void answer_created(struct iam_call *c)
{
    const struct new_key *k = c->work;
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_puts(&sb, "<AccessKey>");
    if (k->user)
        strbuf_xml_elem(&sb, "UserName", k->user);
    strbuf_xml_elem(&sb, "AccessKeyId", k->key_id);
    strbuf_xml_elem(&sb, "Status", "Active");
    strbuf_xml_elem(&sb, "SecretAccessKey", k->secret);
    iam_xml_date(&sb, "CreateDate", c->now_ms);
    strbuf_puts(&sb, "</AccessKey>");
    iam_finish(c, &sb);
}

void iam_create_access_key(struct iam_call *c)
{
    bool root;
    const char *user = iam_own_user(c, &root);
    if (!user && !root)
        return;
    struct new_key *k = calloc(1, sizeof(*k));
    if (!k) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    k->user = user;
    c->work = k;
    if (!iam_new_id("AKIA", k->key_id, IAM_KEY_ID_LEN) || !iam_new_secret(k->secret)) {
        iam_send_error(c, 500, "ServiceFailure", "no random bytes for the new access key");
        return;
    }
    iam_submit(c, apply_create, answer_created);
}

static bool list_key(void *arg, const struct iam_access_key *k)
{
    struct iam_page *pg = arg;
    if (!iam_page_room(pg))
        return false;
    strbuf_puts(pg->sb, "<member>");
    if (k->user)
        strbuf_xml_elem(pg->sb, "UserName", k->user);
    strbuf_xml_elem(pg->sb, "AccessKeyId", k->key_id);
    strbuf_xml_elem(pg->sb, "Status", k->status);
    iam_xml_date(pg->sb, "CreateDate", k->created_ms);
    strbuf_puts(pg->sb, "</member>");
    iam_page_shown(pg, k->key_id);
    return true;
}

void iam_list_access_keys(struct iam_call *c)
{
    bool root;
    const char *user = iam_own_user(c, &root);
    if (!user && !root)
        return;
    struct strbuf sb;
    struct iam_page pg;
    struct iam_fault f;
    iam_begin(c, &sb);
    if (!iam_page_begin(c, &pg, &sb)) {
        strbuf_free(&sb);
        return;
    }
    strbuf_puts(&sb, "<AccessKeyMetadata>");
    enum iam_err err = iam_key_list(iam_reader(c), c->account, user, pg.marker, list_key, &pg, &f);
    strbuf_puts(&sb, "</AccessKeyMetadata>");
    iam_page_end(&pg);
    if (err != IAM_OK) {
        strbuf_free(&sb);
        iam_send_fault(c, err, &f);
        return;
    }
    iam_finish(c, &sb);
}

static enum iam_err apply_update(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    bool delete = strcmp(c->op->name, "DeleteAccessKey") == 0;
    return iam_key_update(writer, c->account, c->name, iam_param(&c->params, "AccessKeyId"),
                          delete ? NULL : iam_param(&c->params, "Status"), f);
}

static void change_key(struct iam_call *c, bool delete)
{
    bool root;
    const char *user = iam_own_user(c, &root);
    const char *key_id = user || root ? iam_required(c, "AccessKeyId") : NULL;
    if (!key_id)
        return;
    char msg[512];
    const char *bad = iam_check_length(key_id, "accessKeyId", 16, 128, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    if (!delete) {
        const char *status = iam_required(c, "Status");
        if (!status)
            return;
        if (strcmp(status, "Active") != 0 && strcmp(status, "Inactive") != 0) {
            snprintf(msg, sizeof(msg), "1 validation error detected: Value '%.100s' at 'status' failed to satisfy "
                                       "constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
                     status);
            iam_send_validation(c, msg);
            return;
        }
    }
    c->name = user;
    iam_submit(c, apply_update, NULL);
}

void iam_update_access_key(struct iam_call *c) { change_key(c, false); }
void iam_delete_access_key(struct iam_call *c) { change_key(c, true); }

/* GetAccessKeyLastUsed's answer for a key of the caller's account. */
struct last_use {
    struct iam_call *call;
    struct strbuf *sb;
    bool found;
};

static bool write_last_use(void *arg, const struct iam_access_key *k)
{
    struct last_use *u = arg;
    if (strcmp(k->account, u->call->account) != 0)
        return false;
    u->found = true;
    if (k->user)
        strbuf_xml_elem(u->sb, "UserName", k->user);
    strbuf_puts(u->sb, "<AccessKeyLastUsed>");
    if (k->last_used_ms)
        iam_xml_date(u->sb, "LastUsedDate", k->last_used_ms);
    strbuf_xml_elem(u->sb, "ServiceName", k->last_used_ms && k->last_used_service ? k->last_used_service : "N/A");
    strbuf_xml_elem(u->sb, "Region", k->last_used_ms && k->last_used_region ? k->last_used_region : "N/A");
    strbuf_puts(u->sb, "</AccessKeyLastUsed>");
    return false;
}

void iam_get_access_key_last_used(struct iam_call *c)
{
    const char *key_id = iam_required(c, "AccessKeyId");
    if (!key_id)
        return;
    struct strbuf sb;
    struct last_use u = {c, &sb, false};
    iam_begin(c, &sb);
    enum iam_err err = iam_key_find(iam_reader(c), key_id, write_last_use, &u);
    if (err == IAM_ERR_STORAGE || err == IAM_ERR_NOMEM || !u.found) {
        strbuf_free(&sb);
        struct iam_fault f;
        snprintf(f.message, sizeof(f.message), "The Access Key with id %.200s cannot be found.", key_id);
        iam_send_fault(c, err == IAM_OK ? IAM_ERR_NO_SUCH_ENTITY : err, &f);
        return;
    }
    iam_finish(c, &sb);
}
