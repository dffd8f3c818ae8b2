"""IAM enforcement (--enforce-iam): every request decided by AWS's evaluation logic.

A server of its own runs with enforcement on and a second account
(111122223333, a configured key). Over S3, SQS, Lambda, CloudWatch Logs,
DynamoDB, EventBridge, Scheduler, IAM and STS: an IAM user without policies is refused with AWS's AccessDenied wording naming
the principal, action and resource, in each service's shape; an identity policy
allows; an explicit Deny beats the Allow; a resource policy (bucket, queue,
function policy) grants another account, whose own identity policy must allow too;
a permissions boundary cuts an allow; session policies and an expired session;
functions run with their execution role (the handler's own boto3 call is allowed or
refused by the role's policies), CreateFunction checks iam:PassRole and the role's
trust of Lambda, and an SQS mapping needs its role's permission to poll; a rule
reaches a queue only as the queue's policy lets EventBridge, and a schedule only
through a role that trusts Scheduler and may act on the target. The
server log names the statement that decided a denial. aws-cli v1 and v2 see the
same denials. Without --enforce-iam (the suite's shared server) nothing changes.
"""
import datetime
import json
import os
import sqlite3
import subprocess
import tempfile
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from iam_support import LAMBDA_TRUST, unique_name
from lambda_support import make_zip
from server import OwnServer, endpoint

ACCOUNT = "000000000000"
OTHER = "111122223333"
OTHER_KEY, OTHER_SECRET = "otherroot", "othersecret"


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*", **extra):
    return dict({"Effect": "Allow", "Action": action, "Resource": resource}, **extra)


def deny(action, resource="*", **extra):
    return dict({"Effect": "Deny", "Action": action, "Resource": resource}, **extra)


HANDLER = """
import boto3, os
def handler(event, context):
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    who = boto3.client("sts", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).get_caller_identity()["Arn"]
    try:
        return {"who": who, "body": s3.get_object(Bucket=event["bucket"], Key="k")["Body"].read().decode()}
    except Exception as error:
        return {"who": who, "error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
"""


class EnforcementTestCase(unittest.TestCase):
    """One enforcing server for every test of the class; clients for any key."""

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-enforce-", args=["--enforce-iam"],
                               env={"CLOUDLESS_ACCESS_KEYS": "%s:%s:%s" % (OTHER_KEY, OTHER_SECRET, OTHER)})

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, service, key="test", secret="test", token=None):
        return boto3.client(service, endpoint_url=self.server.url, region_name=harness.REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
                            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1},
                                          read_timeout=120))

    def client_for(self, service, creds):
        return self.client(service, creds["AccessKeyId"], creds["SecretAccessKey"], creds.get("SessionToken"))

    def setUp(self):
        self.iam = self.client("iam")
        self.s3 = self.client("s3")

    def user(self, *policies, iam=None, **extra):
        """A new IAM user (in the account `iam` signs for) with inline policies; its key."""
        iam = iam or self.iam
        name = unique_name("user")
        iam.create_user(UserName=name, **extra)
        for i, document in enumerate(policies):
            iam.put_user_policy(UserName=name, PolicyName="p%d" % i, PolicyDocument=document)
        return name, iam.create_access_key(UserName=name)["AccessKey"]

    def bucket(self, body=b"secret data"):
        name = unique_name("bkt")
        self.s3.create_bucket(Bucket=name)
        self.s3.put_object(Bucket=name, Key="k", Body=body)
        return name

    def denied(self, call, code, status, *args, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual((response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]), (code, status),
                         response)
        return response["Error"]["Message"]

    def log(self):
        with open(os.path.join(self.server.work, "server.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")


class S3Tests(EnforcementTestCase):

    def test_implicit_deny_then_allow(self):
        bucket = self.bucket()
        name, key = self.user()
        s3 = self.client_for("s3", key)
        message = self.denied(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="k")
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: s3:GetObject on "
                                  "resource: arn:aws:s3:::%s/k because no identity-based policy allows the "
                                  "s3:GetObject action" % (ACCOUNT, name, bucket))
        self.assertIn("access denied: arn:aws:iam::%s:user/%s s3:GetObject on arn:aws:s3:::%s/k: implicit deny: "
                      "no identity-based policy allows it" % (ACCOUNT, name, bucket), self.log())
        self.iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=policy(
            allow(["s3:GetObject", "s3:ListBucket"], ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket])))
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]], ["k"])
        self.denied(s3.put_object, "AccessDenied", 403, Bucket=bucket, Key="new", Body=b"x")
        self.denied(s3.list_buckets, "AccessDenied", 403)
        # The root keys are allowed as AWS allows root.
        self.assertIn(bucket, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])

    def test_explicit_deny_beats_allow(self):
        bucket = self.bucket()
        self.s3.put_object(Bucket=bucket, Key="secret/x", Body=b"no")
        name, key = self.user(policy(allow("s3:*")), policy(
            {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::%s/secret/*" % bucket}))
        s3 = self.client_for("s3", key)
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        message = self.denied(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="secret/x")
        self.assertTrue(message.endswith("with an explicit deny in an identity-based policy"), message)
        self.assertIn('explicit deny in identity-based policy p1, statement 1 (Sid "NoSecrets")', self.log())
        # A bucket policy's Deny binds the account's users too.
        self.s3.put_bucket_policy(Bucket=bucket, Policy=policy(dict(deny("s3:GetObject", "arn:aws:s3:::%s/k" % bucket),
                                                                    Principal={"AWS": "arn:aws:iam::%s:user/%s"
                                                                               % (ACCOUNT, name)})))
        message = self.denied(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="k")
        self.assertTrue(message.endswith("with an explicit deny in a resource-based policy"), message)

    def test_bucket_policy_grants_a_user_and_another_account(self):
        bucket = self.bucket()
        name, key = self.user()
        self.s3.put_bucket_policy(Bucket=bucket, Policy=policy(
            dict(allow("s3:GetObject", "arn:aws:s3:::%s/*" % bucket),
                 Principal={"AWS": ["arn:aws:iam::%s:user/%s" % (ACCOUNT, name), OTHER]})))
        # In its own account a policy naming the user is enough.
        self.assertEqual(self.client_for("s3", key).get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        # Another account's root needs the bucket policy only; its users need their own policy too.
        other = self.client("s3", OTHER_KEY, OTHER_SECRET)
        self.assertEqual(other.get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        other_iam = self.client("iam", OTHER_KEY, OTHER_SECRET)
        _, visitor_key = self.user(iam=other_iam)
        visitor = self.client_for("s3", visitor_key)
        message = self.denied(visitor.get_object, "AccessDenied", 403, Bucket=bucket, Key="k")
        self.assertEqual(message, "Access Denied")   # S3 words denials across accounts no further
        _, allowed_key = self.user(policy(allow("s3:GetObject")), iam=other_iam)
        self.assertEqual(self.client_for("s3", allowed_key).get_object(Bucket=bucket, Key="k")["Body"].read(),
                         b"secret data")
        self.denied(self.client_for("s3", allowed_key).get_object, "AccessDenied", 403, Bucket=self.bucket(), Key="k")

    def test_permissions_boundary_cuts_an_allow(self):
        bucket = self.bucket()
        boundary = self.iam.create_policy(PolicyName=unique_name("boundary"),
                                          PolicyDocument=policy(allow("s3:ListBucket")))["Policy"]["Arn"]
        name, key = self.user(policy(allow("s3:*")), PermissionsBoundary=boundary)
        s3 = self.client_for("s3", key)
        s3.list_objects_v2(Bucket=bucket)
        message = self.denied(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="k")
        self.assertTrue(message.endswith("because no permissions boundary allows the s3:GetObject action"), message)
        # Group policies count, and an IAM write takes effect at once.
        group = unique_name("group")
        self.iam.create_group(GroupName=group)
        self.iam.put_group_policy(GroupName=group, PolicyName="g", PolicyDocument=policy(deny("s3:ListBucket")))
        self.iam.add_user_to_group(GroupName=group, UserName=name)
        self.denied(s3.list_objects_v2, "AccessDenied", 403, Bucket=bucket)

    def test_conditions_take_the_request_keys(self):
        bucket = self.bucket()
        self.s3.put_object(Bucket=bucket, Key="home/ann/a", Body=b"a")
        name, key = self.user(policy(
            allow("s3:ListBucket", "arn:aws:s3:::%s" % bucket, Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}}),
            allow("s3:GetObject", "arn:aws:s3:::%s/*" % bucket, Condition={"Bool": {"aws:SecureTransport": "true"}})))
        s3 = self.client_for("s3", key)
        self.assertEqual(s3.list_objects_v2(Bucket=bucket, Prefix="home/%s/" % name)["KeyCount"], 0)
        self.denied(s3.list_objects_v2, "AccessDenied", 403, Bucket=bucket, Prefix="home/ann/")
        self.denied(s3.get_object, "AccessDenied", 403, Bucket=bucket, Key="k")   # plain HTTP

    def test_assumed_role_sessions_and_session_policies(self):
        bucket = self.bucket()
        role = unique_name("role")
        self.iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % ACCOUNT}, "Action": "sts:AssumeRole"}]}))
        self.iam.put_role_policy(RoleName=role, PolicyName="all", PolicyDocument=policy(allow("s3:*")))
        sts = self.client("sts")
        arn = "arn:aws:iam::%s:role/%s" % (ACCOUNT, role)
        creds = sts.assume_role(RoleArn=arn, RoleSessionName="full")["Credentials"]
        self.assertEqual(self.client_for("s3", creds).get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        narrow = sts.assume_role(RoleArn=arn, RoleSessionName="narrow",
                                 Policy=policy(allow("s3:ListBucket")))["Credentials"]
        message = self.denied(self.client_for("s3", narrow).get_object, "AccessDenied", 403, Bucket=bucket, Key="k")
        self.assertIn("assumed-role/%s/narrow" % role, message)
        self.assertTrue(message.endswith("because no session policy allows the s3:GetObject action"), message)
        # A user may assume the role only when its own policies allow sts:AssumeRole.
        _, key = self.user()
        user_sts = self.client_for("sts", key)
        message = self.denied(user_sts.assume_role, "AccessDenied", 403, RoleArn=arn, RoleSessionName="user")
        self.assertIn("sts:AssumeRole on resource: %s" % arn, message)
        _, key = self.user(policy(allow("sts:AssumeRole", arn)))
        self.client_for("sts", key).assume_role(RoleArn=arn, RoleSessionName="user")

    def test_expired_session(self):
        bucket = self.bucket()
        _, key = self.user(policy(allow("s3:GetObject")))
        creds = self.client_for("sts", key).get_session_token(DurationSeconds=900)["Credentials"]
        s3 = self.client_for("s3", creds)
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"secret data")
        with sqlite3.connect(os.path.join(self.server.work, "data", "meta.db"), timeout=10) as db:
            db.execute("UPDATE iam_sessions SET expires_ms = ? WHERE key_id = ?",
                       (int(time.time() * 1000) - 1000, creds["AccessKeyId"]))
        self.denied(s3.get_object, "ExpiredToken", 400, Bucket=bucket, Key="k")
        self.denied(self.client_for("sqs", creds).list_queues, "ExpiredToken", 403)


class ServiceTests(EnforcementTestCase):

    def test_sqs_identity_and_queue_policies(self):
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        name, key = self.user(policy(allow("sqs:SendMessage", arn)))
        user_sqs = self.client_for("sqs", key)
        user_sqs.send_message(QueueUrl=url, MessageBody="hi")
        message = self.denied(user_sqs.receive_message, "AccessDenied", 403, QueueUrl=url)
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: sqs:ReceiveMessage on "
                                  "resource: %s because no identity-based policy allows the sqs:ReceiveMessage action"
                         % (ACCOUNT, name, arn))
        # The queue policy grants another account; its users need their own Allow too.
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(
            dict(allow("sqs:SendMessage", arn), Principal={"AWS": OTHER}))})
        self.client("sqs", OTHER_KEY, OTHER_SECRET).send_message(QueueUrl=url, MessageBody="from other")
        other_iam = self.client("iam", OTHER_KEY, OTHER_SECRET)
        _, bare = self.user(iam=other_iam)
        self.denied(self.client_for("sqs", bare).send_message, "AccessDenied", 403, QueueUrl=url, MessageBody="x")
        _, granted = self.user(policy(allow("sqs:SendMessage")), iam=other_iam)
        self.client_for("sqs", granted).send_message(QueueUrl=url, MessageBody="from a user of other")

    def test_s3_notifies_a_queue_whose_policy_lets_it(self):
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        bucket = self.bucket()
        config = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
        with self.assertRaises(ClientError) as caught:
            self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidArgument")
        self.assertEqual(caught.exception.response["Error"]["ArgumentValue1"],
                         "Permissions on the destination queue do not allow S3 to publish notifications from this bucket")
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy(dict(
            allow("sqs:SendMessage", arn), Principal={"Service": "s3.amazonaws.com"},
            Condition={"ArnLike": {"aws:SourceArn": "arn:aws:s3:::%s" % bucket}}))})
        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        self.s3.put_object(Bucket=bucket, Key="new", Body=b"x")
        bodies = []
        deadline = time.monotonic() + 10
        while not any("ObjectCreated" in b for b in bodies) and time.monotonic() < deadline:
            bodies += [m["Body"] for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])]
        self.assertTrue(any("ObjectCreated:Put" in b for b in bodies), bodies)

    def test_dynamodb(self):
        ddb = self.client("dynamodb")
        table = unique_name("table")
        ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        ddb.put_item(TableName=table, Item={"id": {"S": "a"}, "v": {"S": "x"}})
        arn = "arn:aws:dynamodb:us-east-1:%s:table/%s" % (ACCOUNT, table)
        name, key = self.user()
        user_ddb = self.client_for("dynamodb", key)
        message = self.denied(user_ddb.get_item, "AccessDeniedException", 400, TableName=table, Key={"id": {"S": "a"}})
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: dynamodb:GetItem on "
                                  "resource: %s because no identity-based policy allows the dynamodb:GetItem action"
                         % (ACCOUNT, name, arn))
        self.iam.put_user_policy(UserName=name, PolicyName="read", PolicyDocument=policy(
            allow(["dynamodb:GetItem", "dynamodb:BatchGetItem"], arn)))
        self.assertEqual(user_ddb.get_item(TableName=table, Key={"id": {"S": "a"}})["Item"]["v"], {"S": "x"})
        self.denied(user_ddb.put_item, "AccessDeniedException", 400, TableName=table, Item={"id": {"S": "b"}})
        self.denied(user_ddb.batch_write_item, "AccessDeniedException", 400,
                    RequestItems={table: [{"PutRequest": {"Item": {"id": {"S": "c"}}}}]})
        self.denied(user_ddb.list_tables, "AccessDeniedException", 400)

        # DynamoDB Streams: decided on the stream, named or read through an iterator
        stream = ddb.update_table(TableName=table, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
        streams = self.client("dynamodbstreams")
        shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        user_streams = self.client_for("dynamodbstreams", key)
        message = self.denied(user_streams.get_records, "AccessDeniedException", 400, ShardIterator=iterator)
        self.assertIn("dynamodb:GetRecords on resource: %s because" % stream, message)
        self.iam.put_user_policy(UserName=name, PolicyName="stream", PolicyDocument=policy(
            allow(["dynamodb:GetRecords", "dynamodb:DescribeStream"], stream)))
        self.assertIn("Records", user_streams.get_records(ShardIterator=iterator))
        self.assertEqual(user_streams.describe_stream(StreamArn=stream)["StreamDescription"]["StreamArn"], stream)
        self.denied(user_streams.get_shard_iterator, "AccessDeniedException", 400, StreamArn=stream, ShardId=shard,
                    ShardIteratorType="TRIM_HORIZON")

    def test_eventbridge_and_scheduler(self):
        events = self.client("events")
        rule = unique_name("rule")
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["app"]}))
        rule_arn = "arn:aws:events:us-east-1:%s:rule/%s" % (ACCOUNT, rule)
        bus_arn = "arn:aws:events:us-east-1:%s:event-bus/default" % ACCOUNT
        name, key = self.user(policy(allow("events:DescribeRule", rule_arn), allow("events:PutEvents", bus_arn)))
        user_events = self.client_for("events", key)
        self.assertEqual(user_events.describe_rule(Name=rule)["Arn"], rule_arn)
        message = self.denied(user_events.delete_rule, "AccessDeniedException", 400, Name=rule)
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: events:DeleteRule on "
                                  "resource: %s because no identity-based policy allows the events:DeleteRule action"
                         % (ACCOUNT, name, rule_arn))
        self.assertEqual(user_events.put_events(Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}])
                         ["FailedEntryCount"], 0)
        self.denied(user_events.put_events, "AccessDeniedException", 400,
                    Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}", "EventBusName": "other-bus"}])
        self.denied(user_events.list_rules, "AccessDeniedException", 400)
        events.describe_rule(Name=rule)            # the account's root is never refused

        scheduler = self.client("scheduler")
        group = unique_name("group")
        scheduler.create_schedule_group(Name=group)
        schedule_arn = "arn:aws:scheduler:us-east-1:%s:schedule/%s/s1" % (ACCOUNT, group)
        name, key = self.user(policy(allow("scheduler:GetScheduleGroup",
                                           "arn:aws:scheduler:us-east-1:%s:schedule-group/%s" % (ACCOUNT, group))))
        user_scheduler = self.client_for("scheduler", key)
        self.assertEqual(user_scheduler.get_schedule_group(Name=group)["Name"], group)
        message = self.denied(user_scheduler.get_schedule, "AccessDeniedException", 403, Name="s1", GroupName=group)
        self.assertIn("scheduler:GetSchedule on resource: %s because" % schedule_arn, message)
        self.denied(user_scheduler.list_schedules, "AccessDeniedException", 403)

    def receive_one(self, sqs, url, timeout=20):
        """The body and attributes of the first message that reaches the queue within timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get(
                "Messages", [])
            if messages:
                attributes = {k: v["StringValue"] for k, v in messages[0].get("MessageAttributes", {}).items()}
                return messages[0]["Body"], attributes
        self.fail("no message reached %s" % url)

    def queue(self, sqs):
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
        return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def test_deliveries_need_the_targets_permission(self):
        """A rule reaches a queue only as its policy lets events.amazonaws.com; a schedule only
        through a role that trusts scheduler.amazonaws.com and may send; refused deliveries go to
        the dead-letter queue with ERROR_CODE NO_PERMISSIONS."""
        sqs, events, scheduler = self.client("sqs"), self.client("events"), self.client("scheduler")
        target_url, target_arn = self.queue(sqs)
        dlq_url, dlq_arn = self.queue(sqs)
        rule = unique_name("rule")
        rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["enforced"]}))["RuleArn"]
        events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": target_arn,
                                                "DeadLetterConfig": {"Arn": dlq_arn}}])
        entry = {"Source": "enforced", "DetailType": "t", "Detail": json.dumps({"n": 1})}
        events.put_events(Entries=[entry])
        body, attributes = self.receive_one(sqs, dlq_url)
        self.assertEqual(json.loads(body)["detail"], {"n": 1})
        self.assertEqual((attributes["ERROR_CODE"], attributes["RULE_ARN"], attributes["TARGET_ARN"]),
                         ("NO_PERMISSIONS", rule_arn, target_arn))
        self.assertEqual(sqs.receive_message(QueueUrl=target_url).get("Messages", []), [])
        sqs.set_queue_attributes(QueueUrl=target_url, Attributes={"Policy": policy(dict(
            allow("sqs:SendMessage", target_arn), Principal={"Service": "events.amazonaws.com"},
            Condition={"ArnEquals": {"aws:SourceArn": rule_arn}}))})
        entry["Detail"] = json.dumps({"n": 2})
        events.put_events(Entries=[entry])
        body, _ = self.receive_one(sqs, target_url)
        self.assertEqual(json.loads(body)["detail"], {"n": 2})

        scheduler_trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        queue_url, queue_arn = self.queue(sqs)
        for may_send in (False, True):
            role = self.role(policy(allow("sqs:SendMessage" if may_send else "sqs:GetQueueUrl", queue_arn)),
                             trust=scheduler_trust)
            at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime(
                "%Y-%m-%dT%H:%M:%S")
            name = unique_name("once")
            scheduler.create_schedule(Name=name, ScheduleExpression="at(%s)" % at,
                                      FlexibleTimeWindow={"Mode": "OFF"},
                                      Target={"Arn": queue_arn, "RoleArn": role, "Input": json.dumps({"send": may_send}),
                                              "DeadLetterConfig": {"Arn": dlq_arn}})
            if may_send:
                body, _ = self.receive_one(sqs, queue_url)
                self.assertEqual(json.loads(body), {"send": True})
            else:
                body, attributes = self.receive_one(sqs, dlq_url)
                self.assertEqual(json.loads(body), {"send": False})
                self.assertEqual(attributes["ERROR_CODE"], "NO_PERMISSIONS")
                self.assertIn("is not authorized to perform: sqs:SendMessage on resource: %s" % queue_arn,
                              attributes["ERROR_MESSAGE"])
                self.assertEqual(sqs.receive_message(QueueUrl=queue_url).get("Messages", []), [])
        self.assertIn("events: a delivery to %s for %s was refused" % (target_arn, rule_arn), self.log())

    def test_logs(self):
        logs = self.client("logs")
        group = unique_name("group")
        logs.create_log_group(logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        name, key = self.user(policy(allow(["logs:PutLogEvents", "logs:GetLogEvents"],
                                           "arn:aws:logs:us-east-1:%s:log-group:%s:*" % (ACCOUNT, group))))
        user_logs = self.client_for("logs", key)
        user_logs.put_log_events(logGroupName=group, logStreamName="s",
                                 logEvents=[{"timestamp": int(time.time() * 1000), "message": "m"}])
        message = self.denied(user_logs.delete_log_group, "AccessDeniedException", 400, logGroupName=group)
        self.assertIn("logs:DeleteLogGroup on resource: arn:aws:logs:us-east-1:%s:log-group:%s" % (ACCOUNT, group),
                      message)

    def test_iam_itself(self):
        name, key = self.user(policy(allow("iam:GetUser", "arn:aws:iam::%s:user/${aws:username}" % ACCOUNT)))
        user_iam = self.client_for("iam", key)
        self.assertEqual(user_iam.get_user()["User"]["UserName"], name)
        message = self.denied(user_iam.list_users, "AccessDenied", 403)
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: iam:ListUsers because "
                                  "no identity-based policy allows the iam:ListUsers action" % (ACCOUNT, name))
        self.denied(user_iam.create_user, "AccessDenied", 403, UserName=unique_name("x"))
        # No policy can refuse GetCallerIdentity.
        self.assertTrue(self.client_for("sts", key).get_caller_identity()["Arn"].endswith(":user/" + name))

    def test_lambda_api_and_function_policy(self):
        lam = self.client("lambda")
        role = self.role(policy(allow("s3:GetObject")))
        fn = unique_name("fn")
        lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Role=role,
                            Code={"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 'hi'\n"})})
        name, key = self.user()
        user_lam = self.client_for("lambda", key)
        fn_arn = "arn:aws:lambda:us-east-1:%s:function:%s" % (ACCOUNT, fn)
        message = self.denied(user_lam.invoke, "AccessDeniedException", 403, FunctionName=fn)
        self.assertEqual(message, "User: arn:aws:iam::%s:user/%s is not authorized to perform: lambda:InvokeFunction "
                                  "on resource: %s because no identity-based policy allows the lambda:InvokeFunction "
                                  "action" % (ACCOUNT, name, fn_arn))
        # The function policy grants the user, and another account.
        lam.add_permission(FunctionName=fn, StatementId="user", Action="lambda:InvokeFunction",
                           Principal="arn:aws:iam::%s:user/%s" % (ACCOUNT, name))
        self.assertEqual(user_lam.invoke(FunctionName=fn)["Payload"].read(), b'"hi"')
        other = self.client("lambda", OTHER_KEY, OTHER_SECRET)
        self.denied(other.invoke, "AccessDeniedException", 403, FunctionName=fn_arn)
        lam.add_permission(FunctionName=fn, StatementId="other", Action="lambda:InvokeFunction", Principal=OTHER)
        self.assertEqual(other.invoke(FunctionName=fn_arn)["Payload"].read(), b'"hi"')
        self.denied(other.get_function, "AccessDeniedException", 403, FunctionName=fn_arn)

    def role(self, *policies, trust=LAMBDA_TRUST):
        name = unique_name("role")
        self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
        for i, document in enumerate(policies):
            self.iam.put_role_policy(RoleName=name, PolicyName="p%d" % i, PolicyDocument=document)
        return "arn:aws:iam::%s:role/%s" % (ACCOUNT, name)

    def test_create_function_checks_the_role(self):
        lam = self.client("lambda")
        code = {"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return 1\n"})}
        message = self.denied(lam.create_function, "InvalidParameterValueException", 400, FunctionName=unique_name("fn"),
                              Runtime="python3.12", Handler="app.handler", Code=code,
                              Role="arn:aws:iam::%s:role/%s" % (ACCOUNT, unique_name("missing")))
        self.assertEqual(message, "The role defined for the function cannot be assumed by Lambda.")
        not_lambda = self.role(trust={"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]})
        self.denied(lam.create_function, "InvalidParameterValueException", 400, FunctionName=unique_name("fn"),
                    Runtime="python3.12", Handler="app.handler", Code=code, Role=not_lambda)
        # A user needs iam:PassRole on the role besides lambda:CreateFunction.
        role = self.role()
        _, key = self.user(policy(allow("lambda:CreateFunction")))
        message = self.denied(self.client_for("lambda", key).create_function, "AccessDeniedException", 403,
                              FunctionName=unique_name("fn"), Runtime="python3.12", Handler="app.handler", Code=code,
                              Role=role)
        self.assertIn("iam:PassRole on resource: %s" % role, message)
        _, key = self.user(policy(allow("lambda:CreateFunction"), allow("iam:PassRole", role)))
        self.client_for("lambda", key).create_function(FunctionName=unique_name("fn"), Runtime="python3.12",
                                                       Handler="app.handler", Code=code, Role=role)

    def test_functions_run_with_their_role(self):
        bucket = unique_name("bkt")
        self.s3.create_bucket(Bucket=bucket)
        self.s3.put_object(Bucket=bucket, Key="k", Body=b"for the reader")
        lam = self.client("lambda")
        code = {"ZipFile": make_zip({"app.py": HANDLER})}
        results = {}
        for label, role in (("reader", self.role(policy(allow("s3:GetObject", "arn:aws:s3:::%s/*" % bucket)))),
                            ("lacking", self.role(policy(allow("s3:ListBucket"))))):
            fn = unique_name(label)
            lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Role=role, Code=code)
            response = lam.invoke(FunctionName=fn, Payload=json.dumps({"bucket": bucket}).encode())
            results[label] = (fn, role, json.loads(response["Payload"].read()))
            self.assertNotIn("FunctionError", response, results[label])
        fn, role, reader = results["reader"]
        self.assertEqual(reader["body"], "for the reader")
        self.assertEqual(reader["who"], "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role.split("/")[-1], fn))
        fn, role, lacking = results["lacking"]
        self.assertEqual(lacking["error"], "AccessDenied")
        self.assertIn("assumed-role/%s/%s is not authorized to perform: s3:GetObject" % (role.split("/")[-1], fn),
                      lacking["message"])

    def test_sqs_mapping_polls_with_the_function_role(self):
        sqs, lam = self.client("sqs"), self.client("lambda")
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        code = {"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return None\n"})}
        fn = unique_name("fn")
        lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Code=code,
                            Role=self.role(policy(allow("sqs:ReceiveMessage", arn))))
        message = self.denied(lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                              FunctionName=fn, EventSourceArn=arn)
        self.assertEqual(message, "The provided execution role does not have permissions to call DeleteMessage on SQS")
        fn = unique_name("fn")
        lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Code=code, Role=self.role(
            policy(allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"], arn))))
        lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn, BatchSize=1)
        sqs.send_message(QueueUrl=url, MessageBody="to the function")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            if attributes["ApproximateNumberOfMessages"] == "0" and attributes["ApproximateNumberOfMessagesNotVisible"] == "0":
                break
            time.sleep(0.2)
        else:
            self.fail("the mapping did not consume the message")


    def test_stream_mapping_needs_the_role_to_read_the_stream(self):
        ddb, lam = self.client("dynamodb"), self.client("lambda")
        table = unique_name("table")
        stream = ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                  AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                  BillingMode="PAY_PER_REQUEST",
                                  StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
                                  )["TableDescription"]["LatestStreamArn"]
        code = {"ZipFile": make_zip({"app.py": "def handler(e, c):\n    return None\n"})}
        fn = unique_name("fn")
        lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Code=code,
                            Role=self.role(policy(allow(["dynamodb:GetRecords", "dynamodb:DescribeStream"], stream))))
        message = self.denied(lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                              FunctionName=fn, EventSourceArn=stream, StartingPosition="LATEST")
        self.assertEqual(message, "Cannot access stream %s. Please ensure the role can perform the GetRecords, "
                                  "GetShardIterator, DescribeStream, and ListStreams Actions on your stream in IAM."
                         % stream)
        fn = unique_name("fn")
        lam.create_function(FunctionName=fn, Runtime="python3.12", Handler="app.handler", Code=code,
                            Role=self.role(policy(allow("dynamodb:*", stream))))
        lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=stream, StartingPosition="LATEST")

@harness.interpreter_free_test
class CliTests(EnforcementTestCase):
    """aws-cli v1 and v2 see AWS's AccessDenied wording."""

    def run_cli(self, binary, creds, *args):
        env = dict(os.environ, AWS_ACCESS_KEY_ID=creds["AccessKeyId"], AWS_SECRET_ACCESS_KEY=creds["SecretAccessKey"])
        return subprocess.run([binary, "--endpoint-url", self.server.url, "--region", harness.REGION] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                              timeout=harness.CLI_TIMEOUT_SECONDS)

    def test_cli_v1_and_v2(self):
        bucket = self.bucket()
        name, key = self.user(policy(allow("sqs:ListQueues")))
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            with self.subTest(cli=binary):
                denied = self.run_cli(binary, key, "s3api", "get-object", "--bucket", bucket, "--key", "k", "/dev/null")
                self.assertNotEqual(denied.returncode, 0)
                self.assertIn("(AccessDenied)", denied.stderr)
                self.assertIn("User: arn:aws:iam::%s:user/%s is not authorized to perform: s3:GetObject" % (ACCOUNT, name),
                              denied.stderr)
                allowed = self.run_cli(binary, key, "sqs", "list-queues")
                self.assertEqual(allowed.returncode, 0, allowed.stderr)


class SwitchTests(unittest.TestCase):
    """Enforcement is switched on by LocalStack's ENFORCE_IAM and by a config file line too."""

    def refuses_a_user_without_policies(self, server):
        iam = server.client("iam")
        iam.create_user(UserName="u")
        key = iam.create_access_key(UserName="u")["AccessKey"]
        with self.assertRaises(ClientError) as caught:
            server.client("s3", key["AccessKeyId"], key["SecretAccessKey"]).list_buckets()
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")

    def test_localstack_variable(self):
        server = OwnServer("cloudless-enforce-env-", env={"ENFORCE_IAM": "1"})
        try:
            self.refuses_a_user_without_policies(server)
        finally:
            server.stop()

    def test_config_file_line(self):
        work = tempfile.mkdtemp(prefix="cloudless-enforce-config-")
        with open(os.path.join(work, "cloudless.conf"), "w") as f:
            f.write("enforce-iam = 1\n")
        server = OwnServer("cloudless-enforce-config-", work=work, args=["--config", os.path.join(work, "cloudless.conf")])
        try:
            self.refuses_a_user_without_policies(server)
        finally:
            server.stop()


class WithoutEnforcementTests(unittest.TestCase):
    """The suite's shared server: without --enforce-iam any key acts as its account."""

    def test_a_user_without_policies_acts_as_its_account(self):
        iam = boto3.client("iam", endpoint_url=endpoint().url, region_name=harness.REGION)
        s3 = boto3.client("s3", endpoint_url=endpoint().url, region_name=harness.REGION)
        bucket = unique_name("bkt")
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        name = unique_name("user")
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        user_s3 = boto3.client("s3", endpoint_url=endpoint().url, region_name=harness.REGION,
                               aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        self.assertEqual(user_s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"x")
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user(UserName=name)


if __name__ == "__main__":
    unittest.main()
