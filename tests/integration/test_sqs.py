"""SQS through real clients: every operation, validation errors, messages and their
attributes, batches, visibility, delays, long polling, dead-letter queues, redrive
tasks, FIFO queues, authentication, queue policies for other accounts (a server of
their own with a second access key), and aws-cli v1/v2 flows.

Run under both interpreters: boto3 1.43 speaks the JSON protocol, boto3 1.26 the
query protocol. boto3 checks MD5OfMessageBody and MD5OfMessageAttributes itself, so a
wrong digest fails the send or receive. Time-dependent checks use short values
(visibility 1 s, delays 1 s, long polls of a few seconds).
"""
import datetime
import json
import os
import subprocess
import threading
import time
import unittest
import xml.etree.ElementTree as ElementTree

import botocore.session
from botocore import xform_name
from botocore.exceptions import ClientError

import harness
from server import OwnServer, endpoint
from sqs_support import (NON_EXISTENT_QUEUE, SqsTestCase, protocol_name, signed_sqs_request,
                         sqs_client, unique_queue_name)


class QueueTests(SqsTestCase):

    def test_create_is_idempotent_and_conflicts_on_different_attributes(self):
        name = unique_queue_name("idem")
        url = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(url, "%s/000000000000/%s" % (endpoint().url, name))
        again = self.sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "5"})["QueueUrl"]
        self.assertEqual(again, url)
        self.assertSqsError(self.sqs.create_queue, "QueueAlreadyExists", QueueName=name,
                            Attributes={"VisibilityTimeout": "6"})

    def test_get_queue_url_and_missing_queue(self):
        url = self.new_queue("url")
        name = url.rsplit("/", 1)[1]
        self.assertEqual(self.sqs.get_queue_url(QueueName=name)["QueueUrl"], url)
        self.assertSqsError(self.sqs.get_queue_url, NON_EXISTENT_QUEUE, QueueName="no-such-queue-xyz")
        self.assertSqsError(self.sqs.send_message, NON_EXISTENT_QUEUE,
                            QueueUrl=url + "-missing", MessageBody="x")

    def test_invalid_queue_names(self):
        for name in ("has space", "x" * 81, "bad.name", "café"):
            with self.subTest(name=name):
                self.assertSqsError(self.sqs.create_queue, "InvalidParameterValue", QueueName=name)

    def test_list_queues_prefix_and_pagination(self):
        prefix = unique_queue_name("list")
        urls = []
        for i in range(5):
            url = self.sqs.create_queue(QueueName="%s-%d" % (prefix, i))["QueueUrl"]
            self.addCleanup(self._delete_quietly, url)
            urls.append(url)
        listed = self.sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"]
        self.assertEqual(sorted(listed), sorted(urls))
        seen, token = [], None
        while True:
            kwargs = {"QueueNamePrefix": prefix, "MaxResults": 2}
            if token:
                kwargs["NextToken"] = token
            page = self.sqs.list_queues(**kwargs)
            self.assertLessEqual(len(page.get("QueueUrls", [])), 2)
            seen.extend(page.get("QueueUrls", []))
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(sorted(seen), sorted(urls))
        self.assertEqual(self.sqs.list_queues(QueueNamePrefix="zz-none-" + prefix).get("QueueUrls", []), [])

    def test_delete_queue(self):
        url = self.new_queue("del")
        self.sqs.delete_queue(QueueUrl=url)
        self.assertSqsError(self.sqs.get_queue_attributes, NON_EXISTENT_QUEUE, QueueUrl=url)

    def test_attributes_get_set_and_counters(self):
        url = self.new_queue("attrs", VisibilityTimeout=7, DelaySeconds=0)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "7")
        self.assertEqual(attrs["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:" + url.rsplit("/", 1)[1])
        for key in ("CreatedTimestamp", "LastModifiedTimestamp", "MaximumMessageSize",
                    "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds", "DelaySeconds"):
            self.assertIn(key, attrs)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "9",
                                                                "MaximumMessageSize": "2048"})
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout",
                                                                            "MaximumMessageSize"])["Attributes"]
        self.assertEqual(attrs, {"VisibilityTimeout": "9", "MaximumMessageSize": "2048"})
        for body in ("a", "b", "c"):
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)
        self.sqs.receive_message(QueueUrl=url)
        counters = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(counters["ApproximateNumberOfMessages"], "2")
        self.assertEqual(counters["ApproximateNumberOfMessagesNotVisible"], "1")
        self.assertEqual(counters["ApproximateNumberOfMessagesDelayed"], "1")

    def test_attribute_validation(self):
        url = self.new_queue("validate")
        self.assertSqsError(self.sqs.set_queue_attributes, "InvalidAttributeName", QueueUrl=url,
                            Attributes={"NoSuchAttribute": "1"})
        for name, value in (("VisibilityTimeout", "43201"), ("DelaySeconds", "901"),
                            ("MessageRetentionPeriod", "59"), ("MaximumMessageSize", "1023"),
                            ("ReceiveMessageWaitTimeSeconds", "21"), ("VisibilityTimeout", "abc")):
            with self.subTest(name=name, value=value):
                self.assertSqsError(self.sqs.set_queue_attributes, "InvalidAttributeValue", QueueUrl=url,
                                    Attributes={name: value})
        self.assertSqsError(self.sqs.get_queue_attributes, "InvalidAttributeName", QueueUrl=url,
                            AttributeNames=["Bogus"])
        self.assertSqsError(self.sqs.create_queue, "InvalidAttributeName",
                            QueueName=unique_queue_name("bad"), Attributes={"Nope": "1"})

    def test_tags(self):
        url = self.sqs.create_queue(QueueName=unique_queue_name("tags"), tags={"env": "test"})["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "test"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"team": "a", "env": "prod"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "prod", "team": "a"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "a"})

    def test_permissions_live_in_the_policy(self):
        url = self.new_queue("perm")
        self.sqs.add_permission(QueueUrl=url, Label="readers", AWSAccountIds=["111122223333"],
                                Actions=["ReceiveMessage", "SendMessage"])
        policy = json.loads(self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
                            ["Attributes"]["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["readers"])
        self.assertSqsError(self.sqs.add_permission, "InvalidParameterValue", QueueUrl=url, Label="readers",
                            AWSAccountIds=["111122223333"], Actions=["SendMessage"])
        self.sqs.remove_permission(QueueUrl=url, Label="readers")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
        self.assertNotIn("readers", attrs.get("Policy", ""))
        self.assertSqsError(self.sqs.remove_permission, "InvalidParameterValue", QueueUrl=url, Label="readers")

    def test_purge(self):
        url = self.new_queue("purge")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        self.sqs.purge_queue(QueueUrl=url)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        self.assertSqsError(self.sqs.purge_queue, "AWS.SimpleQueueService.PurgeQueueInProgress",
                            QueueUrl=url, status=403)


class MessageTests(SqsTestCase):

    def test_send_receive_delete_with_attributes(self):
        url = self.new_queue("msg")
        attributes = {"s": {"DataType": "String", "StringValue": "héllo"},
                      "n": {"DataType": "Number.int", "StringValue": "42"},
                      "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="body ✓", MessageAttributes=attributes,
                                     MessageSystemAttributes={"AWSTraceHeader": {
                                         "DataType": "String", "StringValue": "Root=1-abc"}})
        self.assertIn("MD5OfMessageAttributes", sent)
        got = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"],
                                       AttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        message = got[0]
        self.assertEqual(message["Body"], "body ✓")
        self.assertEqual(message["MessageId"], sent["MessageId"])
        self.assertEqual(message["MessageAttributes"], attributes)
        self.assertEqual(message["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(message["Attributes"]["SenderId"], "test")
        self.assertEqual(message["Attributes"]["AWSTraceHeader"], "Root=1-abc")
        self.assertIn("SentTimestamp", message["Attributes"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])

    def test_selected_message_attributes(self):
        url = self.new_queue("sel")
        self.sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes={
            "keep.a": {"DataType": "String", "StringValue": "1"},
            "drop": {"DataType": "String", "StringValue": "2"}})
        message = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["keep.*"])["Messages"][0]
        self.assertEqual(list(message["MessageAttributes"]), ["keep.a"])

    def test_batches(self):
        url = self.new_queue("batch")
        entries = [{"Id": "e%d" % i, "MessageBody": "m%d" % i} for i in range(10)]
        result = self.sqs.send_message_batch(QueueUrl=url, Entries=entries)
        self.assertEqual(sorted(s["Id"] for s in result["Successful"]), sorted(e["Id"] for e in entries))
        self.assertSqsError(self.sqs.send_message_batch,
                            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", QueueUrl=url,
                            Entries=entries + [{"Id": "e10", "MessageBody": "x"}])
        self.assertSqsError(self.sqs.send_message_batch, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
                            QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}])
        self.assertSqsError(self.sqs.send_message_batch, "AWS.SimpleQueueService.InvalidBatchEntryId",
                            QueueUrl=url, Entries=[{"Id": "bad id!", "MessageBody": "1"}])
        received = self.receive_all(url, 10)
        self.assertEqual(sorted(m["Body"] for m in received), sorted(e["MessageBody"] for e in entries))

    def test_empty_batch_rejected(self):
        url = self.new_queue("emptybatch")
        # botocore validates min length client-side; send the raw request.
        target = "SendMessageBatch"
        if protocol_name() == "json":
            response = signed_sqs_request({"QueueUrl": url, "Entries": []}, target=target)
        else:
            response = signed_sqs_request({"Action": target, "QueueUrl": url, "Version": "2012-11-05"})
        self.assertEqual(response.status, 400)
        self.assertIn(b"EmptyBatchRequest", response.body)

    def test_batch_partial_failure_and_delete_batch(self):
        url = self.new_queue("partial", MaximumMessageSize=1024)
        result = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "ok", "MessageBody": "fine"}, {"Id": "big", "MessageBody": "x" * 2000}])
        self.assertEqual([s["Id"] for s in result["Successful"]], ["ok"])
        self.assertEqual([f["Id"] for f in result["Failed"]], ["big"])
        self.assertTrue(result["Failed"][0]["SenderFault"])
        message = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        deleted = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "ReceiptHandle": message["ReceiptHandle"]}, {"Id": "b", "ReceiptHandle": "garbage"}])
        self.assertEqual([s["Id"] for s in deleted["Successful"]], ["a"])
        self.assertEqual(deleted["Failed"][0]["Id"], "b")
        self.assertEqual(deleted["Failed"][0]["Code"], "ReceiptHandleIsInvalid")

    def test_invalid_receipt_handle(self):
        url = self.new_queue("handle")
        self.assertSqsError(self.sqs.delete_message, "ReceiptHandleIsInvalid", QueueUrl=url,
                            ReceiptHandle="not-a-handle")

    def test_oversized_and_invalid_bodies(self):
        url = self.new_queue("size")
        self.sqs.send_message(QueueUrl=url, MessageBody="x" * 1048576)
        self.assertSqsError(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url,
                            MessageBody="x" * 1048577)
        self.assertSqsError(self.sqs.send_message, "InvalidMessageContents", QueueUrl=url,
                            MessageBody="bad \x01 char")
        self.assertSqsError(self.sqs.send_message, "InvalidMessageContents", QueueUrl=url,
                            MessageBody="bad \ufffe char")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(got), 1)
        self.assertEqual(len(got[0]["Body"]), 1048576)

    def test_receive_parameter_validation(self):
        url = self.new_queue("recvparams")
        self.assertSqsError(self.sqs.receive_message, "InvalidParameterValue", QueueUrl=url,
                            MaxNumberOfMessages=11)
        self.assertSqsError(self.sqs.receive_message, "InvalidParameterValue", QueueUrl=url,
                            WaitTimeSeconds=21)
        self.assertSqsError(self.sqs.send_message, "InvalidParameterValue", QueueUrl=url,
                            MessageBody="x", DelaySeconds=901)

    def test_visibility_timeout_expiry_and_change(self):
        url = self.new_queue("vis", VisibilityTimeout=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="v")
        first = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        time.sleep(1.2)
        second = self.sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(second["MessageId"], first["MessageId"])
        self.assertEqual(second["Attributes"]["ApproximateReceiveCount"], "2")
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=second["ReceiptHandle"],
                                           VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": third["ReceiptHandle"], "VisibilityTimeout": 30}])
        time.sleep(1.2)
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        self.assertSqsError(self.sqs.change_message_visibility, "InvalidParameterValue", QueueUrl=url,
                            ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=43201)

    def test_delays(self):
        url = self.new_queue("delay", DelaySeconds=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="queue-delay")
        self.sqs.send_message(QueueUrl=url, MessageBody="no-delay", DelaySeconds=0)
        first = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in first], ["no-delay"])
        time.sleep(1.2)
        later = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in later], ["queue-delay"])


class LongPollTests(SqsTestCase):

    def test_send_wakes_a_waiting_receive(self):
        url = self.new_queue("wake")
        result = {}

        def receive():
            client = sqs_client()
            result["messages"] = client.receive_message(QueueUrl=url, WaitTimeSeconds=10).get("Messages", [])
            result["at"] = time.monotonic()

        waiter = threading.Thread(target=receive)
        waiter.start()
        time.sleep(0.5)
        sent_at = time.monotonic()
        self.sqs.send_message(QueueUrl=url, MessageBody="wake up")
        waiter.join(15)
        self.assertEqual([m["Body"] for m in result["messages"]], ["wake up"])
        self.assertLess(result["at"] - sent_at, 0.1)

    def test_empty_wait_times_out(self):
        url = self.new_queue("timeout", ReceiveMessageWaitTimeSeconds=1)
        started = time.monotonic()
        self.assertEqual(self.sqs.receive_message(QueueUrl=url).get("Messages", []), [])
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        started = time.monotonic()
        self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
        self.assertLess(time.monotonic() - started, 0.5)

    def test_visibility_expiry_wakes_a_waiting_receive(self):
        url = self.new_queue("expiry")
        self.sqs.send_message(QueueUrl=url, MessageBody="again")
        self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=1)
        started = time.monotonic()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5).get("Messages", [])
        self.assertEqual([m["Body"] for m in got], ["again"])
        self.assertLess(time.monotonic() - started, 2.0)

    def test_deleting_the_queue_ends_a_waiting_receive(self):
        url = self.new_queue("gone")
        result = {}

        def receive():
            try:
                sqs_client().receive_message(QueueUrl=url, WaitTimeSeconds=10)
                result["outcome"] = "empty"
            except ClientError as error:
                result["outcome"] = error.response["Error"]["Code"]

        waiter = threading.Thread(target=receive)
        waiter.start()
        time.sleep(0.3)
        started = time.monotonic()
        self.sqs.delete_queue(QueueUrl=url)
        waiter.join(15)
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(result["outcome"], NON_EXISTENT_QUEUE)


class DeadLetterTests(SqsTestCase):

    def test_redrive_after_max_receive_count_and_move_back(self):
        dlq = self.new_queue("dlq")
        source = self.new_queue("src", RedrivePolicy=json.dumps(
            {"deadLetterTargetArn": self.queue_arn(dlq), "maxReceiveCount": 2}))
        self.sqs.send_message(QueueUrl=source, MessageBody="poison")
        for _ in range(2):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"]), 1)
        self.assertEqual(self.sqs.receive_message(QueueUrl=source).get("Messages", []), [])
        dead = self.sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"], VisibilityTimeout=0)["Messages"]
        self.assertEqual([m["Body"] for m in dead], ["poison"])
        self.assertEqual(dead[0]["Attributes"]["DeadLetterQueueSourceArn"], self.queue_arn(source))
        self.assertEqual(self.sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"], [source])

        self.move_back_and_check(dlq, source)

    def move_task_call(self, action, **params):
        """Start/List/CancelMessageMoveTask through boto3, or as raw query requests for
        botocore versions whose model predates them (boto3 1.26)."""
        method = getattr(self.sqs, xform_name(action), None)
        if method:
            return method(**params)
        form = {"Action": action, "Version": "2012-11-05"}
        form.update({k: str(v) for k, v in params.items()})
        response = signed_sqs_request(form)
        root = ElementTree.fromstring(response.body)
        strip = lambda tag: tag.rsplit("}", 1)[-1]
        if response.status != 200:
            code = next(e.text for e in root.iter() if strip(e.tag) == "Code")
            raise ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": response.status}},
                              action)
        result = {}
        for element in root.iter():
            if strip(element.tag) == "TaskHandle" and action == "StartMessageMoveTask":
                result["TaskHandle"] = element.text
            if strip(element.tag) in ("Results", "member") and action == "ListMessageMoveTasks" and len(element):
                fields = {strip(c.tag): c.text for c in element}
                if "Status" in fields:
                    fields["ApproximateNumberOfMessagesMoved"] = int(fields["ApproximateNumberOfMessagesMoved"])
                    result.setdefault("Results", []).append(fields)
        return result

    def move_back_and_check(self, dlq, source):
        task = self.move_task_call("StartMessageMoveTask", SourceArn=self.queue_arn(dlq))["TaskHandle"]
        self.assertTrue(task)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            tasks = self.move_task_call("ListMessageMoveTasks", SourceArn=self.queue_arn(dlq))["Results"]
            if tasks and tasks[0]["Status"] == "COMPLETED":
                break
            time.sleep(0.1)
        self.assertEqual(tasks[0]["Status"], "COMPLETED")
        self.assertEqual(tasks[0]["ApproximateNumberOfMessagesMoved"], 1)
        back = self.sqs.receive_message(QueueUrl=source)["Messages"]
        self.assertEqual([m["Body"] for m in back], ["poison"])
        with self.assertRaises(ClientError) as caught:
            self.move_task_call("CancelMessageMoveTask", TaskHandle=task)
        self.assertEqual(caught.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_redrive_policy_validation(self):
        url = self.new_queue("badredrive")
        self.assertSqsError(self.sqs.set_queue_attributes, "InvalidParameterValue", QueueUrl=url,
                            Attributes={"RedrivePolicy": json.dumps({
                                "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope",
                                "maxReceiveCount": 2})})


class FifoTests(SqsTestCase):

    def test_order_dedup_and_group_locking(self):
        url = self.new_queue("fifo", fifo=True)
        first = self.sqs.send_message(QueueUrl=url, MessageBody="a1", MessageGroupId="a", MessageDeduplicationId="1")
        dup = self.sqs.send_message(QueueUrl=url, MessageBody="a1-again", MessageGroupId="a",
                                    MessageDeduplicationId="1")
        self.assertEqual(dup["MessageId"], first["MessageId"])
        self.sqs.send_message(QueueUrl=url, MessageBody="a2", MessageGroupId="a", MessageDeduplicationId="2")
        self.sqs.send_message(QueueUrl=url, MessageBody="b1", MessageGroupId="b", MessageDeduplicationId="3")
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, AttributeNames=["All"])["Messages"]
        self.assertEqual([m["Body"] for m in got], ["a1"])
        self.assertEqual(got[0]["Attributes"]["MessageGroupId"], "a")
        self.assertIn("SequenceNumber", got[0]["Attributes"])
        # Group a is locked while a1 is in flight: only b1 can come out.
        others = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in others], ["b1"])
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
        nxt = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in nxt], ["a2"])

    def test_content_based_deduplication_and_required_group(self):
        url = self.new_queue("cbd", fifo=True, ContentBasedDeduplication="true")
        one = self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        two = self.sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
        self.assertEqual(one["MessageId"], two["MessageId"])
        self.assertLess(int(one["SequenceNumber"]), int(
            self.sqs.send_message(QueueUrl=url, MessageBody="other", MessageGroupId="g")["SequenceNumber"]))
        self.assertSqsError(self.sqs.send_message, "MissingParameter", QueueUrl=url, MessageBody="x")
        plain = self.new_queue("nocbd", fifo=True)
        self.assertSqsError(self.sqs.send_message, "InvalidParameterValue", QueueUrl=plain,
                            MessageBody="x", MessageGroupId="g")

    def test_fifo_name_rules(self):
        self.assertSqsError(self.sqs.create_queue, "InvalidParameterValue",
                            QueueName=unique_queue_name("nofifo"), Attributes={"FifoQueue": "true"})


class AuthTests(SqsTestCase):

    def test_unknown_key_and_wrong_secret(self):
        self.assertSqsError(sqs_client(access_key="nobody").list_queues, "InvalidClientTokenId", status=403)
        self.assertSqsError(sqs_client(secret_key="wrong").list_queues, "SignatureDoesNotMatch", status=403)

    def test_anonymous_and_skewed_requests(self):
        response = harness.raw_request("POST", "/", {"Content-Type": "application/x-www-form-urlencoded"},
                                       b"Action=ListQueues&Version=2012-11-05")
        self.assertEqual(response.status, 403)
        self.assertIn(b"MissingAuthenticationToken", response.body)
        old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(hours=1)
        response = signed_sqs_request({}, target="ListQueues", when=old)
        self.assertEqual(response.status, 400)
        self.assertEqual(response.headers.get("x-amzn-query-error"), "RequestExpired;Sender")

    def test_malformed_bodies(self):
        response = signed_sqs_request(b"{not json", target="ListQueues")
        self.assertEqual(response.status, 400)
        self.assertIn(b"SerializationException", response.body)
        response = signed_sqs_request({"Action": "NoSuchAction", "Version": "2012-11-05"})
        self.assertEqual(response.status, 400)
        self.assertIn(b"<Code>InvalidAction</Code>", response.body)
        response = signed_sqs_request({}, target="NoSuchOperation")
        self.assertEqual(response.status, 400)
        self.assertIn(b"UnknownOperationException", response.body)
        response = signed_sqs_request({"QueueName": 5}, target="CreateQueue")
        self.assertEqual(response.status, 400)

    def test_health_lists_sqs(self):
        response = harness.raw_request("GET", "/_cloudless/health")
        self.assertEqual(json.loads(response.body)["services"]["sqs"], "running")


@unittest.skipUnless(os.environ.get("CLOUDLESS_BIN"), "needs CLOUDLESS_BIN")
class OperationTableTests(unittest.TestCase):
    """Every operation of botocore's SQS model is in cloudless's operation table
    (protocol/sqs/operations.h, printed by --list-operations), so a name outside it is
    no SQS operation at all: AWS's own InvalidAction or UnknownOperationException
    (AuthTests.test_malformed_bodies) is the right answer there, not NotImplemented."""

    def test_every_model_operation_is_in_the_table(self):
        listing = subprocess.run([os.environ["CLOUDLESS_BIN"], "--list-operations"], check=True,
                                 capture_output=True, text=True).stdout
        table = [line.split("\t") for line in listing.splitlines() if line.startswith("sqs\t")]
        served = {fields[2] for fields in table}
        self.assertEqual(len(served), len(table))
        model = botocore.session.get_session().get_service_model("sqs")
        self.assertEqual(set(model.operation_names) - served, set())
        for _, _, name, family, action in table:
            self.assertIn(action, ("sqs:" + name, "sqs:" + name[:-len("Batch")]))


class QueuePolicyTests(unittest.TestCase):
    """Another account uses a queue only as its Policy allows, and a Deny in it stops the
    owner too. A server of the test's own knows a second access key."""

    OTHER_ACCOUNT = "111122223333"

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-it-sqs-cross-", env={
            "CLOUDLESS_ACCESS_KEYS": "otherkey:othersecret:%s" % cls.OTHER_ACCOUNT})
        cls.owner = cls.server.client("sqs")
        cls.other = cls.server.client("sqs", "otherkey", "othersecret")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def denied(self, call, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        error = caught.exception.response
        self.assertEqual((error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]), ("AccessDenied", 403))
        return error["Error"]["Message"]

    def new_queue(self, prefix):
        name = unique_queue_name(prefix)
        url = self.owner.create_queue(QueueName=name)["QueueUrl"]
        arn = self.owner.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return name, url, arn

    def test_other_accounts_need_a_grant(self):
        name, url, _ = self.new_queue("cross")
        message = self.denied(self.other.send_message, QueueUrl=url, MessageBody="x")
        self.assertEqual(message, "Access to the resource %s is denied." % url)
        self.denied(self.other.get_queue_url, QueueName=name, QueueOwnerAWSAccountId="000000000000")
        self.owner.add_permission(QueueUrl=url, Label="senders", AWSAccountIds=[self.OTHER_ACCOUNT],
                                  Actions=["SendMessage", "GetQueueUrl"])
        self.other.send_message(QueueUrl=url, MessageBody="from the other account")
        self.other.send_message_batch(QueueUrl=url, Entries=[{"Id": "1", "MessageBody": "batched"}])
        self.assertEqual(self.other.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="000000000000")["QueueUrl"],
                         url)
        self.denied(self.other.receive_message, QueueUrl=url)
        self.denied(self.other.set_queue_attributes, QueueUrl=url, Attributes={"DelaySeconds": "1"})
        bodies = {m["Body"] for m in self.owner.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]}
        self.assertEqual(bodies, {"from the other account", "batched"})
        self.owner.remove_permission(QueueUrl=url, Label="senders")
        self.denied(self.other.send_message, QueueUrl=url, MessageBody="x")

    def test_conditions_and_deny(self):
        _, url, arn = self.new_queue("policy")
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": self.OTHER_ACCOUNT}, "Action": "sqs:*", "Resource": arn,
             "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:PurgeQueue", "Resource": arn}]}
        self.owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.other.send_message(QueueUrl=url, MessageBody="allowed from 127.0.0.1")
        self.assertEqual(self.other.receive_message(QueueUrl=url)["Messages"][0]["Body"], "allowed from 127.0.0.1")
        self.denied(self.owner.purge_queue, QueueUrl=url)
        self.denied(self.other.delete_queue, QueueUrl=url)
        policy["Statement"][0]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
        self.owner.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        self.denied(self.other.send_message, QueueUrl=url, MessageBody="x")
        self.owner.send_message(QueueUrl=url, MessageBody="the owner needs no grant")


@harness.interpreter_free_test
class CliTests(SqsTestCase):

    def run_cli(self, binary, *args):
        completed = harness.aws_cli(binary, "sqs", *args, "--output", "json")
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return json.loads(completed.stdout) if completed.stdout.strip() else {}

    def flow(self, binary):
        name = unique_queue_name("cli")
        url = self.run_cli(binary, "create-queue", "--queue-name", name)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        self.run_cli(binary, "send-message", "--queue-url", url, "--message-body", "from the cli",
                     "--message-attributes", '{"k": {"DataType": "String", "StringValue": "v"}}')
        got = self.run_cli(binary, "receive-message", "--queue-url", url, "--message-attribute-names", "All")
        self.assertEqual(got["Messages"][0]["Body"], "from the cli")
        self.run_cli(binary, "delete-message", "--queue-url", url, "--receipt-handle",
                     got["Messages"][0]["ReceiptHandle"])
        attrs = self.run_cli(binary, "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")
        self.assertEqual(attrs["Attributes"]["ApproximateNumberOfMessages"], "0")
        self.run_cli(binary, "delete-queue", "--queue-url", url)

    def test_aws_cli_v1(self):
        self.flow(harness.AWS_CLI_V1)

    def test_aws_cli_v2(self):
        self.flow(harness.AWS_CLI_V2)


if __name__ == "__main__":
    unittest.main()
