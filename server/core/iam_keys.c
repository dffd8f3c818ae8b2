/* iam_keys: the global condition keys of a request; see iam_keys.h. */
#include "server/core/iam_keys.h"

#include <stdio.h>
#include <string.h>

#include "protocol/s3/s3.h"
#include "storage/core/clock.h"

void iam_keys_add(struct iam_keys *k, const char *name, const char *value)
{
    if (value && k->n < IAM_KEYS_MAX)
        k->keys[k->n++] = (struct iam_key){name, value};
}

/* The keys every request has, whoever asks. */
static void request_keys(struct iam_keys *k, const struct http_req *req)
{
    memset(k, 0, sizeof(*k));
    int64_t now = clock_now_ms();
    date_iso8601(now, k->now);
    snprintf(k->epoch, sizeof(k->epoch), "%lld", (long long)(now / 1000));
    iam_keys_add(k, "aws:CurrentTime", k->now);
    iam_keys_add(k, "aws:EpochTime", k->epoch);
    if (!req)
        return;                    /* the server's own work: no transport */
    iam_keys_add(k, "aws:SecureTransport", http_req_is_tls(req) ? "true" : "false");
    iam_keys_add(k, "aws:SourceIp", req->client_ip);
    iam_keys_add(k, "aws:UserAgent", http_req_header(req, "user-agent"));
    iam_keys_add(k, "aws:Referer", http_req_header(req, "referer"));
}

void iam_keys_init_principal(struct iam_keys *k, const struct http_req *req, const struct iam_principal *p)
{
    request_keys(k, req);
    iam_keys_add(k, "aws:PrincipalType", iam_principal_type_key(p->type));
    if (p->type == IAM_PRINCIPAL_ANONYMOUS)
        return;
    iam_keys_add(k, "aws:PrincipalAccount", p->account);
    iam_keys_add(k, "aws:PrincipalArn", p->type == IAM_PRINCIPAL_ASSUMED_ROLE ? p->role_arn : p->arn);
    iam_keys_add(k, "aws:userid", p->user_id);
    if (p->type == IAM_PRINCIPAL_USER)
        iam_keys_add(k, "aws:username", p->name);
}

struct iam_context iam_keys_context(const struct iam_keys *k)
{
    return (struct iam_context){k->keys, k->n};
}
