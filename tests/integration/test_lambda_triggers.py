"""Lambda triggers: S3 bucket notifications that invoke a function, and SQS event source
mappings (the API, the poller, the DLQ path, ReportBatchItemFailures, batching windows),
through boto3 and aws-cli v1 and v2.

Handlers record what they were given as files in a temporary directory named by their
OUT environment variable (they run as local processes), or send it to SQS through boto3
with no endpoint in their code.
"""
import glob
import json
import os
import shutil
import tempfile
import time

import harness
from lambda_support import LambdaTestCase, client, unique_name

RECORDING_HANDLER = """
import json, os
def handler(event, context):
    with open(os.path.join(os.environ["OUT"], context.aws_request_id + ".json"), "w") as f:
        json.dump(event, f)
    return "ok"
"""

# Fails the records whose body starts with "fail", reporting them as batchItemFailures.
PARTIAL_HANDLER = """
import json, os
def handler(event, context):
    failures = []
    for record in event["Records"]:
        if record["body"].startswith("fail"):
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            open(os.path.join(os.environ["OUT"], record["body"]), "w").close()
    return {"batchItemFailures": failures}
"""

FAILING_HANDLER = """
import os, uuid
def handler(event, context):
    for record in event["Records"]:
        open(os.path.join(os.environ["OUT"], record["body"] + "." + uuid.uuid4().hex), "w").close()
    raise RuntimeError("cannot process")
"""

# Sends the key of every S3 record to the queue named by RESULT_QUEUE (no endpoint in code).
S3_TO_QUEUE_HANDLER = """
import json, os, boto3
def handler(event, context):
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=os.environ["RESULT_QUEUE"])["QueueUrl"]
    for record in event["Records"]:
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
            "key": record["s3"]["object"]["key"], "bucket": record["s3"]["bucket"]["name"],
            "eventSource": record["eventSource"], "eventName": record["eventName"]}))
    return "ok"
"""


class TriggerTestCase(LambdaTestCase):

    def setUp(self):
        super().setUp()
        self.sqs = client("sqs")
        self.s3 = harness.s3_client()

    def out_dir(self):
        folder = tempfile.mkdtemp(prefix="cloudless-trigger-")
        self.addCleanup(shutil.rmtree, folder, True)
        return folder

    def new_queue(self, label, **attributes):
        url = self.sqs.create_queue(QueueName=unique_name(label),
                                    Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
        self.addCleanup(self._delete_queue_quietly, url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def _delete_queue_quietly(self, url):
        try:
            client("sqs").delete_queue(QueueUrl=url)
        except Exception:  # noqa: BLE001 - cleanup only
            pass

    def new_bucket(self, label):
        bucket = harness.unique_bucket_name(label)
        self.s3.create_bucket(Bucket=bucket)
        self.addCleanup(harness.empty_and_delete_bucket, self.s3, bucket)
        return bucket

    def mapping(self, **kwargs):
        created = self.lam.create_event_source_mapping(**kwargs)
        self.addCleanup(self._delete_mapping_quietly, created["UUID"])
        return created

    def _delete_mapping_quietly(self, uuid):
        try:
            client("lambda").delete_event_source_mapping(UUID=uuid)
        except Exception:  # noqa: BLE001 - cleanup only
            pass

    def queue_counts(self, url):
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return (int(attributes["Attributes"]["ApproximateNumberOfMessages"]),
                int(attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"]))

    def recorded_events(self, folder):
        events = []
        for path in glob.glob(os.path.join(folder, "*.json")):
            with open(path) as f:
                events.append(json.load(f))
        return events


class S3TriggerTests(TriggerTestCase):

    def test_notification_needs_the_function_and_its_permission(self):
        name, created = self.create(files={"app.py": RECORDING_HANDLER}, label="s3perm")
        bucket = self.new_bucket("trig-perm")
        config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": created["FunctionArn"],
                                                     "Events": ["s3:ObjectCreated:*"]}]}
        with self.assertRaises(Exception) as caught:
            self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], "InvalidArgument")
        self.assertEqual(error["Message"], "Unable to validate the following destination configurations")
        self.assertEqual(error["ArgumentName1"], created["FunctionArn"])
        self.assertEqual(error["ArgumentValue1"], "Not authorized to invoke function [%s]" % created["FunctionArn"])

        missing = created["FunctionArn"] + "-missing"
        with self.assertRaises(Exception) as caught:
            self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
                "LambdaFunctionConfigurations": [{"LambdaFunctionArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidArgument")

        self.lam.add_permission(FunctionName=name, StatementId="other", Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::some-other-bucket")
        with self.assertRaises(Exception) as caught:
            self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        self.assertEqual(caught.exception.response["Error"]["ArgumentValue1"],
                         "Not authorized to invoke function [%s]" % created["FunctionArn"])

        self.lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::" + bucket)
        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        got = self.s3.get_bucket_notification_configuration(Bucket=bucket)
        self.assertEqual(got["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"], created["FunctionArn"])

    def test_object_created_invokes_the_function_which_calls_sqs_through_boto3(self):
        result_url, _ = self.new_queue("s3result")
        queue_name = result_url.rsplit("/", 1)[1]
        name, created = self.create(files={"app.py": S3_TO_QUEUE_HANDLER}, label="s3trig", Timeout=30,
                                    MemorySize=512, Environment={"Variables": {"RESULT_QUEUE": queue_name}})
        bucket = self.new_bucket("trig-put")
        self.lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                                Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::" + bucket)
        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "LambdaFunctionConfigurations": [{"LambdaFunctionArn": created["FunctionArn"],
                                              "Events": ["s3:ObjectCreated:*"],
                                              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}]}}}]})
        self.s3.put_object(Bucket=bucket, Key="skipped/a.txt", Body=b"not matched")
        self.s3.put_object(Bucket=bucket, Key="in/report one.txt", Body=b"hello")

        def received():
            return self.sqs.receive_message(QueueUrl=result_url, WaitTimeSeconds=1).get("Messages", [])

        messages = self.wait_for(received, timeout=30)
        self.assertEqual(len(messages), 1)
        self.assertEqual(json.loads(messages[0]["Body"]), {
            "key": "in/report+one.txt", "bucket": bucket, "eventSource": "aws:s3", "eventName": "ObjectCreated:Put"})
        self.sqs.delete_message(QueueUrl=result_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        self.assertEqual(self.sqs.receive_message(QueueUrl=result_url, WaitTimeSeconds=1).get("Messages", []), [])


class EventSourceMappingApiTests(TriggerTestCase):

    def test_create_get_list_update_delete(self):
        out = self.out_dir()
        name, created_fn = self.create(files={"app.py": RECORDING_HANDLER}, label="esmapi",
                                       Environment={"Variables": {"OUT": out}})
        _, queue_arn = self.new_queue("esmapi")
        created = self.mapping(EventSourceArn=queue_arn, FunctionName=name)
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(created["State"], "Creating")
        self.assertEqual(created["BatchSize"], 10)
        self.assertEqual(created["MaximumBatchingWindowInSeconds"], 0)
        self.assertEqual(created["EventSourceArn"], queue_arn)
        self.assertEqual(created["FunctionArn"], created_fn["FunctionArn"])
        self.assertEqual(created["FunctionResponseTypes"], [])
        self.assertEqual(created["StateTransitionReason"], "USER_INITIATED")
        uuid = created["UUID"]

        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got["State"], "Enabled")
        self.assertEqual(got["UUID"], uuid)
        listed = self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in listed], [uuid])
        listed = self.lam.list_event_source_mappings(EventSourceArn=queue_arn)["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in listed], [uuid])
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName=name + "-other")["EventSourceMappings"], [])

        scaling = {}
        if "ScalingConfig" in self.lam.meta.service_model.operation_model("UpdateEventSourceMapping").input_shape.members:
            scaling = {"ScalingConfig": {"MaximumConcurrency": 5}}   # botocore 1.29 (Debian) predates it
        updated = self.lam.update_event_source_mapping(
            UUID=uuid, BatchSize=50, MaximumBatchingWindowInSeconds=2, Enabled=False,
            FunctionResponseTypes=["ReportBatchItemFailures"], **scaling)
        self.assertEqual(updated["State"], "Disabling")
        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got["State"], "Disabled")
        self.assertEqual((got["BatchSize"], got["MaximumBatchingWindowInSeconds"]), (50, 2))
        self.assertEqual(got["FunctionResponseTypes"], ["ReportBatchItemFailures"])
        if scaling:
            self.assertEqual(got["ScalingConfig"], {"MaximumConcurrency": 5})
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"], "Enabling")

        mapping_arn = "arn:aws:lambda:%s:000000000000:event-source-mapping:%s" % (harness.REGION, uuid)
        self.lam.tag_resource(Resource=mapping_arn, Tags={"team": "a", "env": "dev"})
        self.lam.untag_resource(Resource=mapping_arn, TagKeys=["env"])
        self.assertEqual(self.lam.list_tags(Resource=mapping_arn)["Tags"], {"team": "a"})

        deleted = self.lam.delete_event_source_mapping(UUID=uuid)
        self.assertEqual(deleted["State"], "Deleting")
        self.assertLambdaError(self.lam.get_event_source_mapping, "ResourceNotFoundException", 404, UUID=uuid)
        self.assertLambdaError(self.lam.delete_event_source_mapping, "ResourceNotFoundException", 404, UUID=uuid)

    def test_paginated_listing(self):
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="esmpage")
        uuids = []
        for i in range(3):
            _, arn = self.new_queue("page%d" % i)
            uuids.append(self.mapping(EventSourceArn=arn, FunctionName=name)["UUID"])
        first = self.lam.list_event_source_mappings(FunctionName=name, MaxItems=2)
        self.assertEqual([m["UUID"] for m in first["EventSourceMappings"]], uuids[:2])
        rest = self.lam.list_event_source_mappings(FunctionName=name, MaxItems=2, Marker=first["NextMarker"])
        self.assertEqual([m["UUID"] for m in rest["EventSourceMappings"]], uuids[2:])
        self.assertNotIn("NextMarker", rest)

    def test_errors(self):
        name, created_fn = self.create(files={"app.py": RECORDING_HANDLER}, label="esmerr", Timeout=60)
        _, queue_arn = self.new_queue("esmerr", VisibilityTimeout=30)
        _, long_arn = self.new_queue("esmlong", VisibilityTimeout=120)
        response = self.assertLambdaError(self.lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                                          EventSourceArn=queue_arn, FunctionName=name)
        self.assertEqual(response["Error"]["Message"],
                         "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds")
        self.assertLambdaError(self.lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                               EventSourceArn=long_arn + "-missing", FunctionName=name)
        self.assertLambdaError(self.lam.create_event_source_mapping, "ResourceNotFoundException", 404,
                               EventSourceArn=long_arn, FunctionName=name + "-missing")
        response = self.assertLambdaError(self.lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                                          EventSourceArn=long_arn, FunctionName=name, BatchSize=100)
        self.assertIn("Maximum batch window in seconds must be greater than 0", response["Error"]["Message"])
        self.assertLambdaError(self.lam.create_event_source_mapping, "InvalidParameterValueException", 400,
                               EventSourceArn=long_arn, FunctionName=name, StartingPosition="LATEST")
        created = self.mapping(EventSourceArn=long_arn, FunctionName=created_fn["FunctionArn"])
        response = self.assertLambdaError(self.lam.create_event_source_mapping, "ResourceConflictException", 409,
                                          EventSourceArn=long_arn, FunctionName=name)
        self.assertIn(created["UUID"], response["Error"]["Message"])
        self.assertLambdaError(self.lam.get_event_source_mapping, "ResourceNotFoundException", 404,
                               UUID="00000000-0000-4000-8000-000000000000")

    def test_cli_v1_and_v2(self):
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="esmcli")
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            with self.subTest(cli=binary):
                _, arn = self.new_queue("esmcli")
                made = harness.aws_cli(binary, "lambda", "create-event-source-mapping", "--function-name", name,
                                       "--event-source-arn", arn, "--batch-size", "5")
                self.assertEqual(made.returncode, 0, made.stderr)
                uuid = json.loads(made.stdout)["UUID"]
                listed = harness.aws_cli(binary, "lambda", "list-event-source-mappings", "--event-source-arn", arn)
                self.assertEqual(listed.returncode, 0, listed.stderr)
                self.assertEqual([m["BatchSize"] for m in json.loads(listed.stdout)["EventSourceMappings"]], [5])
                gone = harness.aws_cli(binary, "lambda", "delete-event-source-mapping", "--uuid", uuid)
                self.assertEqual(gone.returncode, 0, gone.stderr)


class EventSourceMappingPollingTests(TriggerTestCase):

    def test_s3_to_sqs_to_lambda(self):
        out = self.out_dir()
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="pipeline",
                              Environment={"Variables": {"OUT": out}})
        queue_url, queue_arn = self.new_queue("pipeline")
        bucket = self.new_bucket("pipeline")
        self.s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
        self.mapping(EventSourceArn=queue_arn, FunctionName=name)
        self.s3.put_object(Bucket=bucket, Key="photos/cat.jpg", Body=b"meow")

        def s3_records():
            found = []
            for event in self.recorded_events(out):
                for record in event["Records"]:
                    body = json.loads(record["body"])
                    found += [(record, r) for r in body.get("Records", [])]
            return found

        record, s3_record = self.wait_for(s3_records, timeout=20)[0]
        self.assertEqual(s3_record["s3"]["object"]["key"], "photos/cat.jpg")
        self.assertEqual(record["eventSource"], "aws:sqs")
        self.assertEqual(record["eventSourceARN"], queue_arn)
        self.assertEqual(record["awsRegion"], harness.REGION)
        self.assertEqual(set(record["attributes"]) >= {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                                       "ApproximateFirstReceiveTimestamp"}, True)
        self.assertEqual(record["attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(len(record["md5OfBody"]), 32)
        self.assertTrue(record["receiptHandle"])
        self.wait_for(lambda: self.queue_counts(queue_url) == (0, 0), timeout=10)

    def test_message_attributes_and_a_batching_window(self):
        out = self.out_dir()
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="window",
                              Environment={"Variables": {"OUT": out}})
        queue_url, queue_arn = self.new_queue("window")
        self.mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=20, MaximumBatchingWindowInSeconds=1)
        self.sqs.send_message(QueueUrl=queue_url, MessageBody="first", MessageAttributes={
            "color": {"DataType": "String", "StringValue": "blue"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"}})
        for start in (0, 10):
            self.sqs.send_message_batch(QueueUrl=queue_url, Entries=[
                {"Id": str(i), "MessageBody": "m%d" % (start + i)} for i in range(10)])
        self.wait_for(lambda: sum(len(e["Records"]) for e in self.recorded_events(out)) == 21, timeout=15)
        events = self.recorded_events(out)
        self.assertEqual(sorted(len(e["Records"]) for e in events), [1, 20], "a full batch, then the rest after the window")
        first = [r for e in events for r in e["Records"] if r["body"] == "first"][0]
        self.assertEqual(first["messageAttributes"]["color"], {
            "stringValue": "blue", "stringListValues": [], "binaryListValues": [], "dataType": "String"})
        self.assertEqual(first["messageAttributes"]["blob"]["binaryValue"], "AAE=")

    def test_failing_handler_sends_messages_to_the_dlq(self):
        out = self.out_dir()
        name, _ = self.create(files={"app.py": FAILING_HANDLER}, label="dlq", Timeout=1,
                              Environment={"Variables": {"OUT": out}})
        dlq_url, dlq_arn = self.new_queue("dlq")
        queue_url, queue_arn = self.new_queue("dlqsource", VisibilityTimeout=1, RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
        self.mapping(EventSourceArn=queue_arn, FunctionName=name)
        for i in range(3):
            self.sqs.send_message(QueueUrl=queue_url, MessageBody="bad%d" % i)

        def dead_letters():
            attributes = self.sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])
            return int(attributes["Attributes"]["ApproximateNumberOfMessages"]) == 3

        self.wait_for(dead_letters, timeout=30)
        self.assertEqual(self.queue_counts(queue_url), (0, 0))
        attempts = sorted(os.path.basename(p).split(".")[0] for p in glob.glob(os.path.join(out, "bad*")))
        self.assertEqual(attempts, ["bad0", "bad0", "bad1", "bad1", "bad2", "bad2"], "two receives each")

    def test_report_batch_item_failures(self):
        out = self.out_dir()
        name, _ = self.create(files={"app.py": PARTIAL_HANDLER}, label="partial", Timeout=1,
                              Environment={"Variables": {"OUT": out}})
        dlq_url, dlq_arn = self.new_queue("partialdlq")
        queue_url, queue_arn = self.new_queue("partial", VisibilityTimeout=1, RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}))
        self.mapping(EventSourceArn=queue_arn, FunctionName=name, FunctionResponseTypes=["ReportBatchItemFailures"])
        self.sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": "1", "MessageBody": "ok-1"}, {"Id": "2", "MessageBody": "fail-2"}, {"Id": "3", "MessageBody": "ok-3"}])

        def dead():
            return self.sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1).get("Messages", [])

        messages = self.wait_for(dead, timeout=20)
        self.assertEqual([m["Body"] for m in messages], ["fail-2"])
        self.assertEqual(sorted(os.listdir(out)), ["ok-1", "ok-3"])
        self.wait_for(lambda: self.queue_counts(queue_url) == (0, 0), timeout=10)

    def test_disabled_mapping_does_not_poll(self):
        out = self.out_dir()
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="disabled",
                              Environment={"Variables": {"OUT": out}})
        queue_url, queue_arn = self.new_queue("disabled")
        uuid = self.mapping(EventSourceArn=queue_arn, FunctionName=name, Enabled=False)["UUID"]
        self.sqs.send_message(QueueUrl=queue_url, MessageBody="wait")
        time.sleep(1)
        self.assertEqual(self.recorded_events(out), [])
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        events = self.wait_for(lambda: self.recorded_events(out), timeout=10)
        self.assertEqual(events[0]["Records"][0]["body"], "wait")

    def test_mappings_survive_a_restart(self):
        if not self.endpoint.managed:
            self.skipTest("needs a managed server")
        out = self.out_dir()
        name, _ = self.create(files={"app.py": RECORDING_HANDLER}, label="restart",
                              Environment={"Variables": {"OUT": out}})
        queue_url, queue_arn = self.new_queue("restart")
        uuid = self.mapping(EventSourceArn=queue_arn, FunctionName=name, BatchSize=7)["UUID"]
        self.endpoint.kill9_and_restart()
        self.lam = client("lambda")
        self.sqs = client("sqs")
        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual((got["State"], got["BatchSize"]), ("Enabled", 7))
        self.sqs.send_message(QueueUrl=queue_url, MessageBody="after restart")
        events = self.wait_for(lambda: self.recorded_events(out), timeout=10)
        self.assertEqual(events[0]["Records"][0]["body"], "after restart")

