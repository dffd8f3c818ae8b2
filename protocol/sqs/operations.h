/* protocol/sqs/operations.h: the SQS operations cloudless serves — its one
 * operation table (see server/core/service.h). Every operation of SQS's
 * API (botocore's 2012-11-05 model) is here, so a name that is not is no
 * SQS operation at all and gets AWS's own answer to that: InvalidAction
 * (query) or UnknownOperationException (JSON), not NotImplemented.
 *
 * X(name, family, IAM action, access, handler):
 *  - name: AWS's operation name, the query protocol's Action and the JSON
 *    protocol's X-Amz-Target "AmazonSQS.<name>"; the enum sqs_op member
 *    is SQS_OP_<name>;
 *  - family: the file the operation lives in, in every layer:
 *    protocol/sqs/<family>.c (its wire form), storage/sqs/<family>.c (its
 *    semantics) and server/sqs/<family>.c where the server has code of its
 *    own for the family;
 *  - IAM action: what a queue Policy must allow (a batch needs its single
 *    form's action, as on AWS);
 *  - access: SQS_GRANTABLE, another account may run it on a queue whose
 *    Policy allows the action; SQS_OWNER_ONLY, cross-account grants do not
 *    apply (AWS's "Cross-account permissions don't apply to this action"),
 *    so only the queue's own account runs it;
 *  - handler: the operation's name in code, the same in every layer:
 *    protocol/sqs/<family>.c describes its wire form as sqs_codec_<handler>
 *    and storage/sqs/<family>.c runs it as engine_<handler>(), which
 *    sqs_engine_execute() dispatches to.
 *
 * The order is the enum's and the listing's: by family. */
#ifndef CLOUDLESS_PROTOCOL_SQS_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_SQS_OPERATIONS_H

#define SQS_TARGET_PREFIX "AmazonSQS."

enum sqs_op_access { SQS_GRANTABLE, SQS_OWNER_ONLY };

#define SQS_OPERATIONS(X)                                                                                       \
    X(CreateQueue, queues, "sqs:CreateQueue", SQS_OWNER_ONLY, create_queue)                                     \
    X(GetQueueUrl, queues, "sqs:GetQueueUrl", SQS_GRANTABLE, get_queue_url)                                     \
    X(ListQueues, queues, "sqs:ListQueues", SQS_OWNER_ONLY, list_queues)                                        \
    X(DeleteQueue, queues, "sqs:DeleteQueue", SQS_OWNER_ONLY, delete_queue)                                     \
    X(GetQueueAttributes, queues, "sqs:GetQueueAttributes", SQS_GRANTABLE, get_queue_attributes)                \
    X(SetQueueAttributes, queues, "sqs:SetQueueAttributes", SQS_OWNER_ONLY, set_queue_attributes)               \
    X(PurgeQueue, queues, "sqs:PurgeQueue", SQS_GRANTABLE, purge_queue)                                         \
    X(ListDeadLetterSourceQueues, queues, "sqs:ListDeadLetterSourceQueues", SQS_GRANTABLE,                      \
      list_dead_letter_source_queues)                                                                           \
    X(SendMessage, messages, "sqs:SendMessage", SQS_GRANTABLE, send_message)                                    \
    X(SendMessageBatch, messages, "sqs:SendMessage", SQS_GRANTABLE, send_message_batch)                         \
    X(ReceiveMessage, messages, "sqs:ReceiveMessage", SQS_GRANTABLE, receive_message)                           \
    X(DeleteMessage, messages, "sqs:DeleteMessage", SQS_GRANTABLE, delete_message)                              \
    X(DeleteMessageBatch, messages, "sqs:DeleteMessage", SQS_GRANTABLE, delete_message_batch)                   \
    X(ChangeMessageVisibility, messages, "sqs:ChangeMessageVisibility", SQS_GRANTABLE,                          \
      change_message_visibility)                                                                                \
    X(ChangeMessageVisibilityBatch, messages, "sqs:ChangeMessageVisibility", SQS_GRANTABLE,                     \
      change_message_visibility_batch)                                                                          \
    X(TagQueue, tags, "sqs:TagQueue", SQS_OWNER_ONLY, tag_queue)                                                \
    X(UntagQueue, tags, "sqs:UntagQueue", SQS_OWNER_ONLY, untag_queue)                                          \
    X(ListQueueTags, tags, "sqs:ListQueueTags", SQS_OWNER_ONLY, list_queue_tags)                                \
    X(AddPermission, permissions, "sqs:AddPermission", SQS_OWNER_ONLY, add_permission)                          \
    X(RemovePermission, permissions, "sqs:RemovePermission", SQS_OWNER_ONLY, remove_permission)                 \
    X(StartMessageMoveTask, move_tasks, "sqs:StartMessageMoveTask", SQS_OWNER_ONLY, start_message_move_task)    \
    X(ListMessageMoveTasks, move_tasks, "sqs:ListMessageMoveTasks", SQS_OWNER_ONLY, list_message_move_tasks)    \
    X(CancelMessageMoveTask, move_tasks, "sqs:CancelMessageMoveTask", SQS_OWNER_ONLY, cancel_message_move_task)

#endif
