/* protocol/iam aws_policies: the AWS managed policies cloudless knows —
 * the ones Terraform configurations and tutorials attach most (Lambda's
 * execution roles, S3, SQS, DynamoDB, CloudWatch Logs, IAM, administrator
 * and power user access) — with the documents, default versions and dates
 * AWS publishes for them. Their ids are made up (stable per name). They
 * are read-only: arn:aws:iam::aws:policy/<path><name>. Sorted by name. */
#include "protocol/iam/aws_policies.h"

#include <string.h>

static const struct iam_aws_policy policies[] = {
    {"AWSLambdaBasicExecutionRole", "/service-role/", "ANPAIW3O6VQKAECIKDSRM", 1, 1428591823000LL, 1428591823000LL,
         "{\"Statement\":[{\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Effe"
         "ct\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AWSLambdaDynamoDBExecutionRole", "/service-role/", "ANPANKO6IY4L6VLWWBMF2", 1, 1428592169000LL, 1428592169000LL,
         "{\"Statement\":[{\"Action\":[\"dynamodb:DescribeStream\",\"dynamodb:GetRecords\",\"dynamodb:GetShardItera"
         "tor\",\"dynamodb:ListStreams\",\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"E"
         "ffect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AWSLambdaExecute", "/", "ANPAG6D2KNQBXTNIF77KQ", 1, 1423248046000LL, 1423248046000LL,
         "{\"Statement\":[{\"Action\":[\"logs:*\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:logs:*:*:*\"},{\"Action\":["
         "\"s3:GetObject\",\"s3:PutObject\"],\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::*\"}],\"Version\":\"2012-10"
         "-17\"}"},
    {"AWSLambdaRole", "/service-role/", "ANPA6YUGJ4JKRYVWEUN2B", 1, 1423248088000LL, 1423248088000LL,
         "{\"Statement\":[{\"Action\":[\"lambda:InvokeFunction\"],\"Effect\":\"Allow\",\"Resource\":[\"*\"]}],\"Version\":"
         "\"2012-10-17\"}"},
    {"AWSLambdaSQSQueueExecutionRole", "/service-role/", "ANPAII676E3NVMVL22LG2", 1, 1529013045000LL, 1529013045000LL,
         "{\"Statement\":[{\"Action\":[\"sqs:ReceiveMessage\",\"sqs:DeleteMessage\",\"sqs:GetQueueAttributes\",\"logs"
         ":CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\""
         "Version\":\"2012-10-17\"}"},
    {"AWSLambdaVPCAccessExecutionRole", "/service-role/", "ANPAL5CMHZBSMWN2R2V7L", 3, 1455232526000LL, 1704494306000LL,
         "{\"Statement\":[{\"Action\":[\"logs:CreateLogGroup\",\"logs:CreateLogStream\",\"logs:PutLogEvents\",\"ec2:C"
         "reateNetworkInterface\",\"ec2:DescribeNetworkInterfaces\",\"ec2:DescribeSubnets\",\"ec2:DeleteNetworkI"
         "nterface\",\"ec2:AssignPrivateIpAddresses\",\"ec2:UnassignPrivateIpAddresses\"],\"Effect\":\"Allow\",\"Res"
         "ource\":\"*\",\"Sid\":\"AWSLambdaVPCAccessExecutionPermissions\"}],\"Version\":\"2012-10-17\"}"},
    {"AWSLambda_FullAccess", "/", "ANPAFBB7N3RTTTMMPOFQY", 7, 1605647648000LL, 1770919251000LL,
         "{\"Statement\":[{\"Action\":[\"cloudformation:DescribeStacks\",\"cloudformation:ListStackResources\",\"cl"
         "oudwatch:ListMetrics\",\"cloudwatch:GetMetricData\",\"ec2:DescribeSecurityGroups\",\"ec2:DescribeSubne"
         "ts\",\"ec2:DescribeVpcs\",\"kms:DescribeKey\",\"kms:ListAliases\",\"iam:GetPolicy\",\"iam:GetPolicyVersion"
         "\",\"iam:GetRole\",\"iam:GetRolePolicy\",\"iam:ListAttachedRolePolicies\",\"iam:ListRolePolicies\",\"iam:L"
         "istRoles\",\"lambda:*\",\"logs:DescribeLogGroups\",\"states:DescribeStateMachine\",\"states:ListStateMac"
         "hines\",\"tag:GetResources\",\"xray:GetTraceSummaries\",\"xray:BatchGetTraces\"],\"Effect\":\"Allow\",\"Reso"
         "urce\":\"*\"},{\"Action\":\"iam:PassRole\",\"Condition\":{\"StringEquals\":{\"iam:PassedToService\":\"lambda.a"
         "mazonaws.com\"}},\"Effect\":\"Allow\",\"Resource\":\"*\"},{\"Action\":[\"logs:DescribeLogStreams\",\"logs:GetL"
         "ogEvents\",\"logs:FilterLogEvents\",\"logs:StartLiveTail\",\"logs:StopLiveTail\"],\"Effect\":\"Allow\",\"Res"
         "ource\":\"arn:aws:logs:*:*:log-group:/aws/lambda/*\"},{\"Action\":\"iam:CreateServiceLinkedRole\",\"Cond"
         "ition\":{\"StringEquals\":{\"iam:AWSServiceName\":\"lambda.amazonaws.com\"}},\"Effect\":\"Allow\",\"Resource"
         "\":\"arn:aws:iam::*:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda\"}],\"Version"
         "\":\"2012-10-17\"}"},
    {"AWSLambda_ReadOnlyAccess", "/", "ANPAHU3HMIFMV5FZOP7U3", 5, 1605647432000LL, 1770919375000LL,
         "{\"Statement\":[{\"Action\":[\"cloudformation:DescribeStacks\",\"cloudformation:ListStacks\",\"cloudforma"
         "tion:ListStackResources\",\"cloudwatch:GetMetricData\",\"cloudwatch:ListMetrics\",\"ec2:DescribeSecuri"
         "tyGroups\",\"ec2:DescribeSubnets\",\"ec2:DescribeVpcs\",\"kms:ListAliases\",\"iam:GetPolicy\",\"iam:GetPol"
         "icyVersion\",\"iam:GetRole\",\"iam:GetRolePolicy\",\"iam:ListAttachedRolePolicies\",\"iam:ListRolePolici"
         "es\",\"iam:ListRoles\",\"logs:DescribeLogGroups\",\"lambda:Get*\",\"lambda:List*\",\"states:DescribeStateM"
         "achine\",\"states:ListStateMachines\",\"tag:GetResources\",\"xray:GetTraceSummaries\",\"xray:BatchGetTra"
         "ces\"],\"Effect\":\"Allow\",\"Resource\":\"*\"},{\"Action\":[\"logs:DescribeLogStreams\",\"logs:GetLogEvents\","
         "\"logs:FilterLogEvents\",\"logs:StartQuery\",\"logs:StopQuery\",\"logs:DescribeQueries\",\"logs:GetLogGro"
         "upFields\",\"logs:GetLogRecord\",\"logs:GetQueryResults\",\"logs:StartLiveTail\",\"logs:StopLiveTail\"],\""
         "Effect\":\"Allow\",\"Resource\":\"arn:aws:logs:*:*:log-group:/aws/lambda/*\"}],\"Version\":\"2012-10-17\"}"},
    {"AdministratorAccess", "/", "ANPAYM7EC6UO52T3S6SMV", 1, 1423247986000LL, 1423247986000LL,
         "{\"Statement\":[{\"Action\":\"*\",\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AmazonDynamoDBFullAccess", "/", "ANPA2TH7XO2OTO4ZBZSEF", 15, 1423248011000LL, 1611941910000LL,
         "{\"Statement\":[{\"Action\":[\"dynamodb:*\",\"dax:*\",\"application-autoscaling:DeleteScalingPolicy\",\"app"
         "lication-autoscaling:DeregisterScalableTarget\",\"application-autoscaling:DescribeScalableTargets\""
         ",\"application-autoscaling:DescribeScalingActivities\",\"application-autoscaling:DescribeScalingPol"
         "icies\",\"application-autoscaling:PutScalingPolicy\",\"application-autoscaling:RegisterScalableTarge"
         "t\",\"cloudwatch:DeleteAlarms\",\"cloudwatch:DescribeAlarmHistory\",\"cloudwatch:DescribeAlarms\",\"clou"
         "dwatch:DescribeAlarmsForMetric\",\"cloudwatch:GetMetricStatistics\",\"cloudwatch:ListMetrics\",\"cloud"
         "watch:PutMetricAlarm\",\"cloudwatch:GetMetricData\",\"datapipeline:ActivatePipeline\",\"datapipeline:C"
         "reatePipeline\",\"datapipeline:DeletePipeline\",\"datapipeline:DescribeObjects\",\"datapipeline:Descri"
         "bePipelines\",\"datapipeline:GetPipelineDefinition\",\"datapipeline:ListPipelines\",\"datapipeline:Put"
         "PipelineDefinition\",\"datapipeline:QueryObjects\",\"ec2:DescribeVpcs\",\"ec2:DescribeSubnets\",\"ec2:De"
         "scribeSecurityGroups\",\"iam:GetRole\",\"iam:ListRoles\",\"kms:DescribeKey\",\"kms:ListAliases\",\"sns:Cre"
         "ateTopic\",\"sns:DeleteTopic\",\"sns:ListSubscriptions\",\"sns:ListSubscriptionsByTopic\",\"sns:ListTopi"
         "cs\",\"sns:Subscribe\",\"sns:Unsubscribe\",\"sns:SetTopicAttributes\",\"lambda:CreateFunction\",\"lambda:L"
         "istFunctions\",\"lambda:ListEventSourceMappings\",\"lambda:CreateEventSourceMapping\",\"lambda:DeleteE"
         "ventSourceMapping\",\"lambda:GetFunctionConfiguration\",\"lambda:DeleteFunction\",\"resource-groups:Li"
         "stGroups\",\"resource-groups:ListGroupResources\",\"resource-groups:GetGroup\",\"resource-groups:GetGr"
         "oupQuery\",\"resource-groups:DeleteGroup\",\"resource-groups:CreateGroup\",\"tag:GetResources\",\"kinesi"
         "s:ListStreams\",\"kinesis:DescribeStream\",\"kinesis:DescribeStreamSummary\"],\"Effect\":\"Allow\",\"Resou"
         "rce\":\"*\"},{\"Action\":\"cloudwatch:GetInsightRuleReport\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:cloud"
         "watch:*:*:insight-rule/DynamoDBContributorInsights*\"},{\"Action\":[\"iam:PassRole\"],\"Condition\":{\"S"
         "tringLike\":{\"iam:PassedToService\":[\"application-autoscaling.amazonaws.com\",\"application-autoscal"
         "ing.amazonaws.com.cn\",\"dax.amazonaws.com\"]}},\"Effect\":\"Allow\",\"Resource\":\"*\"},{\"Action\":[\"iam:Cr"
         "eateServiceLinkedRole\"],\"Condition\":{\"StringEquals\":{\"iam:AWSServiceName\":[\"replication.dynamodb"
         ".amazonaws.com\",\"dax.amazonaws.com\",\"dynamodb.application-autoscaling.amazonaws.com\",\"contributo"
         "rinsights.dynamodb.amazonaws.com\",\"kinesisreplication.dynamodb.amazonaws.com\"]}},\"Effect\":\"Allow"
         "\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AmazonDynamoDBReadOnlyAccess", "/", "ANPAHPF5QQWJXJNI2HMIN", 15, 1423248012000LL, 1731951495000LL,
         "{\"Statement\":[{\"Action\":[\"application-autoscaling:DescribeScalableTargets\",\"application-autoscal"
         "ing:DescribeScalingActivities\",\"application-autoscaling:DescribeScalingPolicies\",\"cloudwatch:Des"
         "cribeAlarmHistory\",\"cloudwatch:DescribeAlarms\",\"cloudwatch:DescribeAlarmsForMetric\",\"cloudwatch:"
         "GetMetricStatistics\",\"cloudwatch:ListMetrics\",\"cloudwatch:GetMetricData\",\"datapipeline:DescribeO"
         "bjects\",\"datapipeline:DescribePipelines\",\"datapipeline:GetPipelineDefinition\",\"datapipeline:List"
         "Pipelines\",\"datapipeline:QueryObjects\",\"dynamodb:BatchGetItem\",\"dynamodb:Describe*\",\"dynamodb:Li"
         "st*\",\"dynamodb:GetAbacStatus\",\"dynamodb:GetItem\",\"dynamodb:GetResourcePolicy\",\"dynamodb:Query\",\""
         "dynamodb:Scan\",\"dynamodb:PartiQLSelect\",\"dax:Describe*\",\"dax:List*\",\"dax:GetItem\",\"dax:BatchGetI"
         "tem\",\"dax:Query\",\"dax:Scan\",\"ec2:DescribeVpcs\",\"ec2:DescribeSubnets\",\"ec2:DescribeSecurityGroups"
         "\",\"iam:GetRole\",\"iam:ListRoles\",\"kms:DescribeKey\",\"kms:ListAliases\",\"sns:ListSubscriptionsByTopi"
         "c\",\"sns:ListTopics\",\"lambda:ListFunctions\",\"lambda:ListEventSourceMappings\",\"lambda:GetFunctionC"
         "onfiguration\",\"resource-groups:ListGroups\",\"resource-groups:ListGroupResources\",\"resource-groups"
         ":GetGroup\",\"resource-groups:GetGroupQuery\",\"tag:GetResources\",\"kinesis:ListStreams\",\"kinesis:Des"
         "cribeStream\",\"kinesis:DescribeStreamSummary\"],\"Effect\":\"Allow\",\"Resource\":\"*\",\"Sid\":\"GeneralRead"
         "OnlyAccess\"},{\"Action\":\"cloudwatch:GetInsightRuleReport\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:cl"
         "oudwatch:*:*:insight-rule/DynamoDBContributorInsights*\",\"Sid\":\"CCIAccess\"}],\"Version\":\"2012-10-1"
         "7\"}"},
    {"AmazonS3FullAccess", "/", "ANPALXVS7PAU2VUTNZIR3", 2, 1423248058000LL, 1632773797000LL,
         "{\"Statement\":[{\"Action\":[\"s3:*\",\"s3-object-lambda:*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version"
         "\":\"2012-10-17\"}"},
    {"AmazonS3ReadOnlyAccess", "/", "ANPAUXU6QUHI6HL3AZ2PT", 3, 1423248059000LL, 1691703099000LL,
         "{\"Statement\":[{\"Action\":[\"s3:Get*\",\"s3:List*\",\"s3:Describe*\",\"s3-object-lambda:Get*\",\"s3-object-"
         "lambda:List*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AmazonSQSFullAccess", "/", "ANPAFDQSV2TELNEPZADPV", 1, 1423248067000LL, 1423248067000LL,
         "{\"Statement\":[{\"Action\":[\"sqs:*\"],\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"AmazonSQSReadOnlyAccess", "/", "ANPAMVP6HZ2ZLW2MPIBF5", 4, 1423248068000LL, 1716574604000LL,
         "{\"Statement\":[{\"Action\":[\"sqs:GetQueueAttributes\",\"sqs:GetQueueUrl\",\"sqs:ListDeadLetterSourceQue"
         "ues\",\"sqs:ListQueues\",\"sqs:ListMessageMoveTasks\",\"sqs:ListQueueTags\"],\"Effect\":\"Allow\",\"Resource"
         "\":\"*\",\"Sid\":\"AmazonSQSReadOnlyAccess\"}],\"Version\":\"2012-10-17\"}"},
    {"CloudWatchLogsFullAccess", "/", "ANPAKT4XYOBT5ERWNTCNQ", 8, 1423248002000LL, 1770919233000LL,
         "{\"Statement\":[{\"Action\":[\"logs:*\",\"cloudwatch:GenerateQuery\",\"cloudwatch:GenerateQueryResultsSum"
         "mary\",\"observabilityadmin:GetS3TableIntegration\",\"observabilityadmin:ListS3TableIntegrations\",\"o"
         "bservabilityadmin:ListTelemetryPipelines\"],\"Effect\":\"Allow\",\"Resource\":\"*\",\"Sid\":\"CloudWatchLogs"
         "FullAccess\"}],\"Version\":\"2012-10-17\"}"},
    {"CloudWatchLogsReadOnlyAccess", "/", "ANPAFIMDFISMNTFCGDP3G", 12, 1423248003000LL, 1770919153000LL,
         "{\"Statement\":[{\"Action\":[\"logs:Describe*\",\"logs:Get*\",\"logs:List*\",\"logs:StartQuery\",\"logs:StopQ"
         "uery\",\"logs:TestMetricFilter\",\"logs:FilterLogEvents\",\"logs:StartLiveTail\",\"logs:StopLiveTail\",\"c"
         "loudwatch:GenerateQuery\",\"cloudwatch:GenerateQueryResultsSummary\",\"observabilityadmin:ListS3Tabl"
         "eIntegrations\",\"observabilityadmin:GetS3TableIntegration\",\"observabilityadmin:ListTelemetryPipel"
         "ines\"],\"Effect\":\"Allow\",\"Resource\":\"*\",\"Sid\":\"CloudWatchLogsReadOnlyAccess\"}],\"Version\":\"2012-10"
         "-17\"}"},
    {"IAMFullAccess", "/", "ANPA73SCBZMPB6KVLEBHI", 2, 1423248038000LL, 1561146000000LL,
         "{\"Statement\":[{\"Action\":[\"iam:*\",\"organizations:DescribeAccount\",\"organizations:DescribeOrganiza"
         "tion\",\"organizations:DescribeOrganizationalUnit\",\"organizations:DescribePolicy\",\"organizations:L"
         "istChildren\",\"organizations:ListParents\",\"organizations:ListPoliciesForTarget\",\"organizations:Li"
         "stRoots\",\"organizations:ListPolicies\",\"organizations:ListTargetsForPolicy\"],\"Effect\":\"Allow\",\"Re"
         "source\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"IAMReadOnlyAccess", "/", "ANPAZQJH4YH6SWVY4ZSWQ", 4, 1423248039000LL, 1516907487000LL,
         "{\"Statement\":[{\"Action\":[\"iam:GenerateCredentialReport\",\"iam:GenerateServiceLastAccessedDetails\""
         ",\"iam:Get*\",\"iam:List*\",\"iam:SimulateCustomPolicy\",\"iam:SimulatePrincipalPolicy\"],\"Effect\":\"Allo"
         "w\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
    {"PowerUserAccess", "/", "ANPAZX3K6SFZLFXOTY2KL", 12, 1423247987000LL, 1770919154000LL,
         "{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\",\"organizations:*\",\"account:*\"],\"Resource\":\""
         "*\"},{\"Action\":[\"account:GetAccountInformation\",\"account:GetGovCloudAccountInformation\",\"account:"
         "GetPrimaryEmail\",\"account:ListRegions\",\"iam:CreateServiceLinkedRole\",\"iam:DeleteServiceLinkedRol"
         "e\",\"iam:ListRoles\",\"organizations:DescribeEffectivePolicy\",\"organizations:DescribeOrganization\"]"
         ",\"Effect\":\"Allow\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}"},
};

#define N_POLICIES (sizeof(policies) / sizeof(policies[0]))

size_t iam_aws_policy_count(void) { return N_POLICIES; }

const struct iam_aws_policy *iam_aws_policy_at(size_t i) { return i < N_POLICIES ? &policies[i] : NULL; }

const struct iam_aws_policy *iam_aws_policy_find(const char *path, const char *name)
{
    for (size_t i = 0; i < N_POLICIES; i++)
        if (strcmp(policies[i].name, name) == 0 && strcmp(policies[i].path, path) == 0)
            return &policies[i];
    return NULL;
}
