"""S3 event notifications into SQS: Put/GetBucketNotificationConfiguration with AWS's
validation, the s3:TestEvent, every event type and filter, key encoding, the message
format as AWS consumer code reads it, aws-cli, and delivery that survives kill -9 (every
acknowledged PUT has an event after the restart; no event exists for a PUT that was
neither acknowledged nor made visible)."""
import json
import os
import threading
import time
import unittest
import urllib.parse

from botocore.exceptions import BotoCoreError, ClientError

import harness
from harness import S3TestCase, aws_cli, s3_client
from sqs_support import sqs_client


def drain(sqs, url, idle_s=1.5, deadline_s=30):
    """Every message until the queue has been empty for idle_s (bodies parsed)."""
    got, last, start = [], time.time(), time.time()
    while time.time() - last < idle_s and time.time() - start < deadline_s:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                    VisibilityTimeout=120).get("Messages", [])
        for m in batch:
            got.append(json.loads(m["Body"]))
        if batch:
            last = time.time()
    return got


def records(messages):
    return [m["Records"][0] for m in messages if "Records" in m]


class NotificationTestCase(S3TestCase):

    def setUp(self):
        super().setUp()
        self.sqs = sqs_client()
        self.queues = []

    def new_queue(self, label="n"):
        name = harness.unique_bucket_name(label)
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        self.addCleanup(self.sqs.delete_queue, QueueUrl=url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def configure(self, arn, events, prefix=None, suffix=None, config_id=None, bucket=None):
        cfg = {"QueueArn": arn, "Events": events}
        rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v is not None]
        if rules:
            cfg["Filter"] = {"Key": {"FilterRules": rules}}
        if config_id:
            cfg["Id"] = config_id
        self.s3.put_bucket_notification_configuration(
            Bucket=bucket or self.bucket, NotificationConfiguration={"QueueConfigurations": [cfg]})

    def queue_with_config(self, events, **kw):
        url, arn = self.new_queue()
        self.configure(arn, events, **kw)
        test = drain(self.sqs, url, idle_s=0.5)
        self.assertEqual([m.get("Event") for m in test], ["s3:TestEvent"])
        return url, arn


class ConfigurationTests(NotificationTestCase):

    def test_empty_configuration_by_default(self):
        got = self.s3.get_bucket_notification_configuration(Bucket=self.bucket)
        for field in ("QueueConfigurations", "TopicConfigurations", "LambdaFunctionConfigurations"):
            self.assertNotIn(field, got)
        raw = harness.signed_request("GET", "/%s?notification" % self.bucket)
        self.assertEqual(raw.status, 200)
        self.assertIn(b"<NotificationConfiguration", raw.body)

    def test_round_trip_with_generated_and_given_ids(self):
        _, arn = self.new_queue()
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "mine", "QueueArn": arn, "Events": ["s3:ObjectCreated:Put"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"},
                                                    {"Name": "suffix", "Value": ".jpg"}]}}},
                {"QueueArn": arn, "Events": ["s3:ObjectRemoved:*", "s3:ObjectTagging:*"]}],
            "EventBridgeConfiguration": {}})
        got = self.s3.get_bucket_notification_configuration(Bucket=self.bucket)
        first, second = got["QueueConfigurations"]
        self.assertEqual(first["Id"], "mine")
        self.assertEqual(first["Events"], ["s3:ObjectCreated:Put"])
        rules = {r["Name"].lower(): r["Value"] for r in first["Filter"]["Key"]["FilterRules"]}
        self.assertEqual(rules, {"prefix": "in/", "suffix": ".jpg"})
        self.assertTrue(second["Id"])
        self.assertEqual(second["Events"], ["s3:ObjectRemoved:*", "s3:ObjectTagging:*"])
        self.assertIn("EventBridgeConfiguration", got)
        # An empty configuration turns notifications off.
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration={})
        self.assertNotIn("QueueConfigurations", self.s3.get_bucket_notification_configuration(Bucket=self.bucket))

    def test_unknown_queue_is_refused_with_argument_details(self):
        _, arn = self.new_queue()
        missing = arn + "-missing"
        response = self.assertClientError(
            self.s3.put_bucket_notification_configuration, "InvalidArgument", 400, Bucket=self.bucket,
            NotificationConfiguration={"QueueConfigurations": [{"QueueArn": missing, "Events": ["s3:ObjectCreated:*"]}]})
        self.assertEqual(response["Error"]["Message"], "Unable to validate the following destination configurations")
        self.assertEqual(response["Error"]["ArgumentName1"], missing)
        self.assertEqual(response["Error"]["ArgumentValue1"], "The destination queue does not exist")
        self.assertNotIn("QueueConfigurations", self.s3.get_bucket_notification_configuration(Bucket=self.bucket))

    def test_topics_refused_until_sns_exists(self):
        topic = "arn:aws:sns:us-east-1:000000000000:t"
        response = self.assertClientError(
            self.s3.put_bucket_notification_configuration, "InvalidArgument", 400, Bucket=self.bucket,
            NotificationConfiguration={"TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]})
        self.assertEqual(response["Error"]["ArgumentName1"], topic)

    def test_lambda_with_unknown_function_refused(self):
        fn = "arn:aws:lambda:us-east-1:000000000000:function:nope"
        response = self.assertClientError(
            self.s3.put_bucket_notification_configuration, "InvalidArgument", 400, Bucket=self.bucket,
            NotificationConfiguration={"LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": fn, "Events": ["s3:ObjectCreated:*"]}]})
        self.assertEqual(response["Error"]["Message"], "Unable to validate the following destination configurations")

    def test_overlapping_rules_refused(self):
        _, arn = self.new_queue()
        overlapping = [
            [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}, {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]}],
            [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
             {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
              "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/b"}]}}}],
        ]
        for configs in overlapping:
            self.assertClientError(self.s3.put_bucket_notification_configuration, "InvalidArgument", 400,
                                   Bucket=self.bucket, NotificationConfiguration={"QueueConfigurations": configs})
        # Disjoint prefixes, or different event types, are fine.
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
                {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}},
                {"QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}]})

    def test_bad_filter_and_event_refused(self):
        _, arn = self.new_queue()
        self.assertClientError(self.s3.put_bucket_notification_configuration, "InvalidArgument", 400,
                               Bucket=self.bucket, NotificationConfiguration={"QueueConfigurations": [
                                   {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a"},
                                                                       {"Name": "prefix", "Value": "b"}]}}}]})
        body = ('<NotificationConfiguration><QueueConfiguration><Queue>%s</Queue>'
                '<Event>s3:Nope</Event></QueueConfiguration></NotificationConfiguration>' % arn).encode()
        raw = harness.signed_request("PUT", "/%s?notification" % self.bucket, body=body)
        self.assertEqual(raw.status, 400)
        self.assertEqual(raw.error_code(), "InvalidArgument")

    def test_test_event_sent_on_put(self):
        url, arn = self.new_queue()
        self.configure(arn, ["s3:ObjectCreated:*"])
        messages = drain(self.sqs, url, idle_s=0.5)
        self.assertEqual(len(messages), 1)
        test = messages[0]
        self.assertEqual(test["Service"], "Amazon S3")
        self.assertEqual(test["Event"], "s3:TestEvent")
        self.assertEqual(test["Bucket"], self.bucket)
        self.assertRegex(test["Time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertTrue(test["RequestId"])
        self.assertTrue(test["HostId"])

    def test_aws_cli_v1_and_v2(self):
        _, arn = self.new_queue()
        doc = json.dumps({"QueueConfigurations": [{"Id": "cli", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            done = aws_cli(binary, "s3api", "put-bucket-notification-configuration", "--bucket", self.bucket,
                           "--notification-configuration", doc)
            self.assertEqual(done.returncode, 0, done.stderr)
            got = aws_cli(binary, "s3api", "get-bucket-notification-configuration", "--bucket", self.bucket)
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(json.loads(got.stdout)["QueueConfigurations"][0]["Id"], "cli")


class EventTests(NotificationTestCase):

    def test_put_event_as_a_consumer_reads_it(self):
        url, arn = self.queue_with_config(["s3:ObjectCreated:*"], config_id="uploads")
        put = self.s3.put_object(Bucket=self.bucket, Key="photos/my cat.jpg", Body=b"meow")
        (record,) = records(drain(self.sqs, url))
        self.assertEqual(record["eventVersion"], "2.1")
        self.assertEqual(record["eventSource"], "aws:s3")
        self.assertEqual(record["awsRegion"], harness.REGION)
        self.assertRegex(record["eventTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(record["eventName"], "ObjectCreated:Put")
        self.assertTrue(record["userIdentity"]["principalId"].startswith("AWS:"))
        self.assertEqual(record["requestParameters"]["sourceIPAddress"], "127.0.0.1")
        self.assertEqual(record["responseElements"]["x-amz-request-id"], put["ResponseMetadata"]["RequestId"])
        self.assertEqual(record["responseElements"]["x-amz-id-2"], put["ResponseMetadata"]["HostId"])
        s3 = record["s3"]
        self.assertEqual(s3["s3SchemaVersion"], "1.0")
        self.assertEqual(s3["configurationId"], "uploads")
        self.assertEqual(s3["bucket"]["name"], self.bucket)
        self.assertEqual(s3["bucket"]["arn"], "arn:aws:s3:::" + self.bucket)
        self.assertTrue(s3["bucket"]["ownerIdentity"]["principalId"])
        # What a Lambda or SQS consumer on AWS does with the key.
        self.assertEqual(urllib.parse.unquote_plus(s3["object"]["key"]), "photos/my cat.jpg")
        self.assertEqual(s3["object"]["key"], "photos/my+cat.jpg")
        self.assertEqual(s3["object"]["size"], 4)
        self.assertEqual(s3["object"]["eTag"], put["ETag"].strip('"'))
        self.assertNotIn("versionId", s3["object"])
        self.assertRegex(s3["object"]["sequencer"], r"^[0-9A-F]+$")
        head = self.s3.head_object(Bucket=self.bucket, Key=urllib.parse.unquote_plus(s3["object"]["key"]))
        self.assertEqual(head["ContentLength"], s3["object"]["size"])

    def test_key_encoding_unicode_and_reserved(self):
        url, _ = self.queue_with_config(["s3:ObjectCreated:Put"])
        keys = ["été/ü ß.txt", "a+b=c&d?.txt", "日本語 キー", "x~y(1)!'*.bin"]
        for key in keys:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"x")
        got = [r["s3"]["object"]["key"] for r in records(drain(self.sqs, url))]
        self.assertEqual([urllib.parse.unquote_plus(k) for k in got], keys)
        self.assertEqual(got[0], "%C3%A9t%C3%A9/%C3%BC+%C3%9F.txt")
        self.assertEqual(got[1], "a%2Bb%3Dc%26d%3F.txt")

    def test_every_created_type(self):
        url, _ = self.queue_with_config(["s3:ObjectCreated:*"])
        self.s3.put_object(Bucket=self.bucket, Key="src", Body=b"abc")
        self.s3.copy_object(Bucket=self.bucket, Key="copy", CopySource={"Bucket": self.bucket, "Key": "src"})
        upload = self.s3.create_multipart_upload(Bucket=self.bucket, Key="mp")
        part = self.s3.upload_part(Bucket=self.bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"p" * 10)
        done = self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key="mp", UploadId=upload["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        got = records(drain(self.sqs, url))
        self.assertEqual([(r["eventName"], r["s3"]["object"]["key"]) for r in got], [
            ("ObjectCreated:Put", "src"), ("ObjectCreated:Copy", "copy"),
            ("ObjectCreated:CompleteMultipartUpload", "mp")])
        self.assertEqual(got[1]["s3"]["object"]["size"], 3)
        self.assertEqual(got[2]["s3"]["object"]["eTag"], done["ETag"].strip('"'))
        self.assertEqual(got[2]["s3"]["object"]["size"], 10)

    def test_removed_and_tagging_events(self):
        url, _ = self.queue_with_config(["s3:ObjectRemoved:*", "s3:ObjectTagging:*"])
        self.s3.put_object(Bucket=self.bucket, Key="k", Body=b"abc")
        self.s3.put_object_tagging(Bucket=self.bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
        self.s3.delete_object_tagging(Bucket=self.bucket, Key="k")
        self.s3.delete_object(Bucket=self.bucket, Key="k")
        self.s3.put_object(Bucket=self.bucket, Key="m1", Body=b"1")
        self.s3.put_object(Bucket=self.bucket, Key="m2", Body=b"2")
        self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": "m1"}, {"Key": "m2"}]})
        got = records(drain(self.sqs, url))
        self.assertEqual([(r["eventName"], r["s3"]["object"]["key"]) for r in got], [
            ("ObjectTagging:Put", "k"), ("ObjectTagging:Delete", "k"), ("ObjectRemoved:Delete", "k"),
            ("ObjectRemoved:Delete", "m1"), ("ObjectRemoved:Delete", "m2")])
        self.assertEqual(got[0]["eventVersion"], "2.3")
        self.assertNotIn("size", got[2]["s3"]["object"])
        self.assertNotIn("eTag", got[2]["s3"]["object"])

    def test_versioned_bucket_events(self):
        self.s3.put_bucket_versioning(Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"})
        url, _ = self.queue_with_config(["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
        put = self.s3.put_object(Bucket=self.bucket, Key="v", Body=b"1")
        marker = self.s3.delete_object(Bucket=self.bucket, Key="v")
        self.s3.delete_object(Bucket=self.bucket, Key="v", VersionId=put["VersionId"])
        got = records(drain(self.sqs, url))
        self.assertEqual([r["eventName"] for r in got], [
            "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"])
        self.assertEqual(got[0]["s3"]["object"]["versionId"], put["VersionId"])
        self.assertEqual(got[1]["s3"]["object"]["versionId"], marker["VersionId"])
        self.assertEqual(got[2]["s3"]["object"]["versionId"], put["VersionId"])
        seqs = [int(r["s3"]["object"]["sequencer"], 16) for r in got]
        self.assertEqual(seqs, sorted(seqs))

    def test_filters_and_specific_types(self):
        url, _ = self.queue_with_config(["s3:ObjectCreated:Put"], prefix="in/", suffix=".csv")
        for key in ("in/a.csv", "in/a.txt", "out/a.csv", "in/.csv", "in/sub/b.csv"):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"x")
        self.s3.copy_object(Bucket=self.bucket, Key="in/copied.csv", CopySource={"Bucket": self.bucket, "Key": "in/a.csv"})
        self.s3.delete_object(Bucket=self.bucket, Key="in/a.csv")
        got = [r["s3"]["object"]["key"] for r in records(drain(self.sqs, url))]
        self.assertEqual(got, ["in/a.csv", "in/.csv", "in/sub/b.csv"])

    def test_two_configurations_route_by_prefix(self):
        url_a, arn_a = self.new_queue("a")
        url_b, arn_b = self.new_queue("b")
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "a", "QueueArn": arn_a, "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}}},
                {"Id": "b", "QueueArn": arn_b, "Events": ["s3:ObjectCreated:*"],
                 "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}}}]})
        self.s3.put_object(Bucket=self.bucket, Key="a/1", Body=b"x")
        self.s3.put_object(Bucket=self.bucket, Key="b/1", Body=b"x")
        got_a = records(drain(self.sqs, url_a))
        got_b = records(drain(self.sqs, url_b))
        self.assertEqual([(r["s3"]["configurationId"], r["s3"]["object"]["key"]) for r in got_a], [("a", "a/1")])
        self.assertEqual([(r["s3"]["configurationId"], r["s3"]["object"]["key"]) for r in got_b], [("b", "b/1")])

    def test_no_events_without_configuration_or_after_removal(self):
        url, _ = self.queue_with_config(["s3:ObjectCreated:*"])
        self.s3.put_bucket_notification_configuration(Bucket=self.bucket, NotificationConfiguration={})
        self.s3.put_object(Bucket=self.bucket, Key="quiet", Body=b"x")
        self.assertEqual(drain(self.sqs, url, idle_s=1.0), [])


class DurabilityTests(NotificationTestCase):

    def test_restart_delivers_and_kill9_loses_no_acknowledged_put(self):
        self.require_managed_server()
        url, _ = self.queue_with_config(["s3:ObjectCreated:*"])
        bucket = self.bucket
        acked, lock, stop = set(), threading.Lock(), threading.Event()

        def putter(worker):
            client = s3_client()
            n = 0
            while not stop.is_set():
                key = "w%d/%d" % (worker, n)
                try:
                    client.put_object(Bucket=bucket, Key=key, Body=b"x" * 100)
                except (ClientError, BotoCoreError):
                    return
                with lock:
                    acked.add(key)
                n += 1

        threads = [threading.Thread(target=putter, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        self.endpoint.kill9_and_restart()
        stop.set()
        for thread in threads:
            thread.join(10)
        self.assertGreater(len(acked), 50)
        self.s3 = s3_client()
        self.sqs = sqs_client()
        events = records(drain(self.sqs, url, idle_s=2.0, deadline_s=120))
        keys = {urllib.parse.unquote_plus(r["s3"]["object"]["key"]) for r in events}
        self.assertEqual(acked - keys, set())
        visible = set()
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            visible.update(o["Key"] for o in page.get("Contents", []))
        self.assertEqual(keys - acked - visible, set())
        # Per key, the events came in commit order.
        self.assertEqual(keys, visible)


if __name__ == "__main__":
    unittest.main()
