/* protocol/scheduler/operations.h: the EventBridge Scheduler operations
 * cloudless serves — its one operation table (see server/core/service.h).
 *
 * X(name, method, path, family, IAM action, handler): Scheduler is REST
 * JSON (signing name "scheduler"); a request is routed by its method and
 * path (protocol/scheduler/route.c), a path segment "{Name}" or
 * "{ResourceArn}" capturing one percent-decoded segment. The family names
 * the file the operation lives in (server/scheduler/<family>.c, and
 * storage/events/schedules.c for the state); handler is the server
 * function, void handler(struct events_call *). An operation not listed
 * here is answered with NotImplemented (HTTP 501). */
#ifndef CLOUDLESS_PROTOCOL_SCHEDULER_OPERATIONS_H
#define CLOUDLESS_PROTOCOL_SCHEDULER_OPERATIONS_H

#define SCHEDULER_OPERATIONS(X)                                                                              \
    X(CreateSchedule, "POST", "/schedules/{Name}", schedules, "scheduler:CreateSchedule", scheduler_create_schedule) \
    X(GetSchedule, "GET", "/schedules/{Name}", schedules, "scheduler:GetSchedule", scheduler_get_schedule)           \
    X(UpdateSchedule, "PUT", "/schedules/{Name}", schedules, "scheduler:UpdateSchedule", scheduler_update_schedule)  \
    X(DeleteSchedule, "DELETE", "/schedules/{Name}", schedules, "scheduler:DeleteSchedule", scheduler_delete_schedule) \
    X(ListSchedules, "GET", "/schedules", schedules, "scheduler:ListSchedules", scheduler_list_schedules)            \
    X(CreateScheduleGroup, "POST", "/schedule-groups/{Name}", groups, "scheduler:CreateScheduleGroup",             \
      scheduler_create_schedule_group)                                                                            \
    X(GetScheduleGroup, "GET", "/schedule-groups/{Name}", groups, "scheduler:GetScheduleGroup",                    \
      scheduler_get_schedule_group)                                                                               \
    X(DeleteScheduleGroup, "DELETE", "/schedule-groups/{Name}", groups, "scheduler:DeleteScheduleGroup",           \
      scheduler_delete_schedule_group)                                                                            \
    X(ListScheduleGroups, "GET", "/schedule-groups", groups, "scheduler:ListScheduleGroups",                       \
      scheduler_list_schedule_groups)                                                                             \
    X(ListTagsForResource, "GET", "/tags/{ResourceArn}", groups, "scheduler:ListTagsForResource",                  \
      scheduler_list_tags_for_resource)                                                                           \
    X(TagResource, "POST", "/tags/{ResourceArn}", groups, "scheduler:TagResource", scheduler_tag_resource)          \
    X(UntagResource, "DELETE", "/tags/{ResourceArn}", groups, "scheduler:UntagResource", scheduler_untag_resource)

#endif
