/* protocol/logs/operations.h: the CloudWatch Logs operations cloudless
 * serves — its one operation table (see server/core/service.h).
 *
 * X(name, family, IAM action, handler): the X-Amz-Target is
 * "Logs_20140328.<name>"; the family names the file the operation lives in
 * (server/logs/<family>.c, and storage/logs/<family>.c for its state);
 * handler is the server function, void handler(struct logs_call *). An
 * operation not listed here is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_LOGS_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_LOGS_OPERATIONS_H

#define LOGS_TARGET_PREFIX "Logs_20140328."

#define LOGS_OPERATIONS(X)                                                                   \
    X(CreateLogGroup, groups, "logs:CreateLogGroup", logs_create_log_group)                  \
    X(DeleteLogGroup, groups, "logs:DeleteLogGroup", logs_delete_log_group)                  \
    X(DescribeLogGroups, groups, "logs:DescribeLogGroups", logs_describe_log_groups)         \
    X(PutRetentionPolicy, groups, "logs:PutRetentionPolicy", logs_put_retention_policy)      \
    X(DeleteRetentionPolicy, groups, "logs:DeleteRetentionPolicy", logs_delete_retention_policy) \
    X(CreateLogStream, streams, "logs:CreateLogStream", logs_create_log_stream)              \
    X(DeleteLogStream, streams, "logs:DeleteLogStream", logs_delete_log_stream)              \
    X(DescribeLogStreams, streams, "logs:DescribeLogStreams", logs_describe_log_streams)     \
    X(PutLogEvents, events, "logs:PutLogEvents", logs_put_log_events)                        \
    X(GetLogEvents, events, "logs:GetLogEvents", logs_get_log_events)                        \
    X(FilterLogEvents, events, "logs:FilterLogEvents", logs_filter_log_events)               \
    X(ListTagsLogGroup, tags, "logs:ListTagsLogGroup", logs_list_tags_log_group)             \
    X(TagLogGroup, tags, "logs:TagLogGroup", logs_tag_log_group)                             \
    X(UntagLogGroup, tags, "logs:UntagLogGroup", logs_untag_log_group)                       \
    X(ListTagsForResource, tags, "logs:ListTagsForResource", logs_list_tags_for_resource)    \
    X(TagResource, tags, "logs:TagResource", logs_tag_resource)                              \
    X(UntagResource, tags, "logs:UntagResource", logs_untag_resource)

#endif
