/* service_linked_roles: CreateServiceLinkedRole (a role under
 * /aws-service-role/<service>/ that the service alone may assume, named
 * AWSServiceRoleFor<Service>[_<suffix>]), DeleteServiceLinkedRole
 * (answered with a deletion task) and GetServiceLinkedRoleDeletionStatus.
 * cloudless attaches no service policy to the role and deletes it at once,
 * so its task has SUCCEEDED when first asked about. */
#include "server/iam/iam_service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/core/uuid.h"

/* The names AWS gives the roles of some services; others are the service
 * name's parts, capitalized. */
static const struct {
    const char *service, *name;
} known_names[] = {
    {"autoscaling", "AutoScaling"},
    {"ecs", "ECS"},
    {"elasticbeanstalk", "ElasticBeanstalk"},
    {"elasticloadbalancing", "ElasticLoadBalancing"},
    {"rds", "RDS"},
    {"es", "AmazonElasticsearchService"},
    {"opensearchservice", "AmazonOpenSearchService"},
    {"spot", "EC2Spot"},
    {"dynamodb.application-autoscaling", "ApplicationAutoScaling_DynamoDBTable"},
    {"ecs.application-autoscaling", "ApplicationAutoScaling_ECSService"},
    {"replicator.lambda", "LambdaReplicator"},
    {"organizations", "Organizations"},
    {"config", "Config"},
    {"cloudtrail", "CloudTrail"},
    {"guardduty", "AmazonGuardDuty"},
};

/* "AWSServiceRoleFor" + the name of the service whose host part is
 * service[0..n). */
static void role_name(const char *service, size_t n, char *out, size_t cap)
{
    size_t len = (size_t)snprintf(out, cap, "AWSServiceRoleFor");
    for (size_t i = 0; i < sizeof(known_names) / sizeof(known_names[0]); i++) {
        if (strlen(known_names[i].service) == n && strncmp(known_names[i].service, service, n) == 0) {
            snprintf(out + len, cap - len, "%s", known_names[i].name);
            return;
        }
    }
    bool start = true;
    for (size_t i = 0; i < n && len + 1 < cap; i++) {
        if (!isalnum((unsigned char)service[i])) {
            start = true;
            continue;
        }
        out[len++] = start ? (char)toupper((unsigned char)service[i]) : service[i];
        start = false;
    }
    out[len] = '\0';
}

#define NAME_ROOM 160
#define PATH_ROOM 240
#define TRUST_ROOM 400

void iam_create_service_linked_role(struct iam_call *c)
{
    static const char domain[] = ".amazonaws.com";
    const char *service = iam_required(c, "AWSServiceName"), *description;
    if (!service || !iam_description(c, &description))
        return;
    size_t n = strlen(service), d = sizeof(domain) - 1;
    if (n <= d || n > 200 || strcmp(service + n - d, domain) != 0) {
        iam_send_error(c, 400, "InvalidInput", "Service name %.200s is not eligible for a service-linked role.", service);
        return;
    }
    const char *suffix = iam_param(&c->params, "CustomSuffix");
    char msg[512];
    const char *bad = suffix ? iam_check_name(suffix, "customSuffix", 64, msg, sizeof(msg)) : NULL;
    if (bad) {
        iam_send_validation(c, bad);
        return;
    }
    struct iam_create *cr = iam_create_new(c, NULL, NAME_ROOM + PATH_ROOM + TRUST_ROOM);
    if (!cr)
        return;
    char *name = cr->extra, *path = name + NAME_ROOM, *trust = path + PATH_ROOM;
    role_name(service, n - d, name, NAME_ROOM);
    if (suffix)
        snprintf(name + strlen(name), NAME_ROOM - strlen(name), "_%s", suffix);
    snprintf(path, PATH_ROOM, "/aws-service-role/%s/", service);
    snprintf(trust, TRUST_ROOM,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"%s\"]},"
             "\"Action\":[\"sts:AssumeRole\"]}]}",
             service);
    if (strlen(name) > 64) {
        free(cr);
        iam_send_error(c, 400, "InvalidInput", "The role name %s is longer than 64 characters.", name);
        return;
    }
    cr->entity = (struct iam_entity){.kind = IAM_ROLE, .name = name, .path = path, .trust_policy = trust,
                                     .description = description, .max_session_s = 3600,
                                     .linked_service = service};
    iam_create_entity(c, cr);
}

/* DeleteServiceLinkedRole's task id, made on the loop thread. */
struct deletion {
    char task_id[400];
};

static enum iam_err apply_delete(struct store_conn *writer, struct iam_call *c, struct iam_fault *f)
{
    const struct deletion *d = c->work;
    return iam_linked_role_delete(writer, c->account, c->name, d->task_id, c->now_ms, f);
}

static void answer_deletion(struct iam_call *c)
{
    const struct deletion *d = c->work;
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_xml_elem(&sb, "DeletionTaskId", d->task_id);
    iam_finish(c, &sb);
}

static bool task_of_role(void *arg, const struct iam_entity *role)
{
    struct deletion *d = arg;
    char id[37];
    uuid_v4(id);
    const char *service = role->linked_service ? role->linked_service : "unknown";
    snprintf(d->task_id, sizeof(d->task_id), "task/aws-service-role/%s/%s/%s", service, role->name, id);
    return false;
}

void iam_delete_service_linked_role(struct iam_call *c)
{
    if (!(c->name = iam_name(c, "RoleName", 64)))
        return;
    struct deletion *d = calloc(1, sizeof(*d));
    if (!d) {
        iam_send_error(c, 500, "ServiceFailure", "out of memory");
        return;
    }
    c->work = d;
    struct iam_fault f;
    enum iam_err err = iam_entity_get(iam_reader(c), c->account, IAM_ROLE, c->name, task_of_role, d, &f);
    if (err != IAM_OK) {
        iam_send_fault(c, err, &f);
        return;
    }
    iam_submit(c, apply_delete, answer_deletion);
}

void iam_get_service_linked_role_deletion_status(struct iam_call *c)
{
    const char *task = iam_required(c, "DeletionTaskId");
    if (!task)
        return;
    char status[16];
    struct iam_fault f;
    enum iam_err err = iam_deletion_task(iam_reader(c), c->account, task, status, &f);
    if (err != IAM_OK) {
        iam_send_fault(c, err, &f);
        return;
    }
    struct strbuf sb;
    iam_begin(c, &sb);
    strbuf_xml_elem(&sb, "Status", status);
    iam_finish(c, &sb);
}
