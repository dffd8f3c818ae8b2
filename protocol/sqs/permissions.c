/* permissions: the wire form of AddPermission and RemovePermission.
 *
 * AddPermission names a Label, the accounts (AWSAccountId.N; JSON
 * "AWSAccountIds") and up to 7 actions (ActionName.N; JSON "Actions");
 * RemovePermission the Label alone. Neither has a result. */
#include "protocol/sqs/codec.h"

static enum sqs_err decode_add_permission(struct sqs_request *req, const struct sqs_params *ps,
                                          struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)) ||
        (rc = sqs_param_required(ps, "Label", &req->label, err)) ||
        (rc = sqs_param_str_list(req, ps, "AWSAccountId", &req->account_ids, err)) ||
        (rc = sqs_param_str_list(req, ps, "ActionName", &req->actions, err)))
        return rc;
    if (req->account_ids.n == 0)
        return sqs_param_missing(err, "AWSAccountIds");
    if (req->actions.n == 0)
        return sqs_param_missing(err, "Actions");
    if (req->actions.n > 7)
        return sqs_error_set(err, SQS_ERR_OVER_LIMIT,
                             "%zu Actions were found, maximum allowed is 7.", req->actions.n);
    return SQS_OK;
}

static enum sqs_err decode_remove_permission(struct sqs_request *req, const struct sqs_params *ps,
                                             struct sqs_error *err)
{
    enum sqs_err rc;
    if ((rc = sqs_param_required(ps, "QueueUrl", &req->queue_url, err)))
        return rc;
    return sqs_param_required(ps, "Label", &req->label, err);
}

const struct sqs_codec sqs_codec_add_permission = {decode_add_permission, NULL, NULL};
const struct sqs_codec sqs_codec_remove_permission = {decode_remove_permission, NULL, NULL};
