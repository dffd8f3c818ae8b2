/* identity: GetCallerIdentity (who signed: account, ARN, unique id) and
 * GetAccessKeyInfo (the account an access key belongs to: a configured
 * key's, an IAM key's or an STS session's). */
#include "server/iam/iam_service.h"

#include <stdio.h>
#include <string.h>

#include "server/core/config.h"
#include "server/core/server.h"
#include "server/iam/entry.h"

void sts_get_caller_identity(struct iam_call *c)
{
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_xml_elem(&sb, "UserId", c->caller.user_id);
    strbuf_xml_elem(&sb, "Account", c->caller.account);
    strbuf_xml_elem(&sb, "Arn", c->caller.arn);
    iam_finish(c, &sb);
}

void sts_get_access_key_info(struct iam_call *c)
{
    const char *key_id = iam_required(c, "AccessKeyId");
    if (!key_id)
        return;
    char msg[512];
    const char *bad = iam_check_length(key_id, "accessKeyId", 16, 128, msg, sizeof(msg));
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    char account[13] = "";
    const struct access_key *configured = config_find_key(c->srv->cfg, key_id);
    struct iam_credentials creds;
    if (configured)
        snprintf(account, sizeof(account), "%s", configured->account);
    else if (iam_credentials_find(c->srv, key_id, &creds) == 1)
        snprintf(account, sizeof(account), "%s", creds.principal.account);
    if (!account[0]) {
        iam_send_validation(c, "The access key ID is not one cloudless issued or was configured with.");
        return;
    }
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_xml_elem(&sb, "Account", account);
    iam_finish(c, &sb);
}
