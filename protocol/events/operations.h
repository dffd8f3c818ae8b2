/* protocol/events/operations.h: the EventBridge operations cloudless
 * serves — its one operation table (see server/core/service.h).
 *
 * X(name, family, IAM action, handler): the X-Amz-Target is
 * "AWSEvents.<name>" (JSON 1.1, signing name "events"); the family names
 * the file the operation lives in (server/events/<family>.c, and
 * storage/events/<family>.c for its state); handler is the server
 * function, void handler(struct events_call *). An operation not listed
 * here is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_EVENTS_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_EVENTS_OPERATIONS_H

#define EVENTS_TARGET_PREFIX "AWSEvents."

#define EVENTS_OPERATIONS(X)                                                                 \
    X(CreateEventBus, buses, "events:CreateEventBus", events_create_event_bus)               \
    X(DeleteEventBus, buses, "events:DeleteEventBus", events_delete_event_bus)               \
    X(DescribeEventBus, buses, "events:DescribeEventBus", events_describe_event_bus)         \
    X(ListEventBuses, buses, "events:ListEventBuses", events_list_event_buses)               \
    X(UpdateEventBus, buses, "events:UpdateEventBus", events_update_event_bus)               \
    X(PutPermission, buses, "events:PutPermission", events_put_permission)                   \
    X(RemovePermission, buses, "events:RemovePermission", events_remove_permission)          \
    X(PutRule, rules, "events:PutRule", events_put_rule)                                     \
    X(DescribeRule, rules, "events:DescribeRule", events_describe_rule)                      \
    X(ListRules, rules, "events:ListRules", events_list_rules)                               \
    X(EnableRule, rules, "events:EnableRule", events_enable_rule)                            \
    X(DisableRule, rules, "events:DisableRule", events_disable_rule)                         \
    X(DeleteRule, rules, "events:DeleteRule", events_delete_rule)                            \
    X(PutTargets, targets, "events:PutTargets", events_put_targets)                          \
    X(RemoveTargets, targets, "events:RemoveTargets", events_remove_targets)                 \
    X(ListTargetsByRule, targets, "events:ListTargetsByRule", events_list_targets_by_rule)   \
    X(ListRuleNamesByTarget, targets, "events:ListRuleNamesByTarget", events_list_rule_names_by_target) \
    X(PutEvents, events, "events:PutEvents", events_put_events)                              \
    X(TestEventPattern, events, "events:TestEventPattern", events_test_event_pattern)        \
    X(TagResource, tags, "events:TagResource", events_tag_resource)                          \
    X(UntagResource, tags, "events:UntagResource", events_untag_resource)                    \
    X(ListTagsForResource, tags, "events:ListTagsForResource", events_list_tags_for_resource)

#endif
