"""Helpers for the EventBridge and Scheduler integration tests: clients for the shared
endpoint or for a server of the test's own, queues to receive what targets get, the
clock endpoint (/_cloudless/clock), and a base case that deletes what a test made.

A server started with --clock-control (ClockServer) lets a test move the time forward
instead of waiting: a cron for 03:00 fires within a second of the clock passing it.
"""
import json
import time
import unittest
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import harness
from server import OwnServer, endpoint

ROLE = "arn:aws:iam::000000000000:role/scheduler"
ACCOUNT = "000000000000"


def client(service, url=None):
    return boto3.client(service, endpoint_url=url or endpoint().url, region_name=harness.REGION,
                        aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=60))


def unique(label):
    return ("it-%s-%s" % (label, uuid.uuid4().hex[:10]))[:64]


def clock(url, body=None):
    """GET (body None) or POST /_cloudless/clock; returns (status, JSON answer)."""
    request = urllib.request.Request(url + "/_cloudless/clock", method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class ClockServer(OwnServer):
    """A server of the test's own with --clock-control."""

    def __init__(self, prefix="cloudless-clock-", work=None, env=None):
        super().__init__(prefix, args=("--clock-control",), work=work, env=env)

    def clock(self, body=None):
        return clock(self.url, body)

    def now_ms(self):
        return self.clock()[1]["now_ms"]

    def advance(self, seconds):
        status, answer = self.clock({"advance_ms": int(seconds * 1000)})
        assert status == 200, answer
        return answer

    def kill9(self):
        """SIGKILL, keeping the data folder; returns it for a new ClockServer(work=...)."""
        self.process.kill()
        self.process.wait(10)
        self.log.close()
        return self.work


class EventsTestCase(unittest.TestCase):
    """Clients for one endpoint (the shared one unless URL is set), queues, receive
    helpers and error assertions."""

    URL = None

    def setUp(self):
        self.url = self.URL or endpoint().url
        self.events = client("events", self.url)
        self.sqs = client("sqs", self.url)
        self.scheduler = client("scheduler", self.url)

    def new_queue(self, label="q", fifo=False, **attributes):
        name = unique(label)[:70] + (".fifo" if fifo else "")
        attrs = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attrs.setdefault("FifoQueue", "true")
            attrs.setdefault("ContentBasedDeduplication", "true")
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self.addCleanup(self._quietly, self.sqs.delete_queue, QueueUrl=url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def new_rule(self, pattern=None, bus=None, targets=(), **extra):
        name = unique("rule")
        args = dict(Name=name, **extra)
        if pattern is not None:
            args["EventPattern"] = pattern if isinstance(pattern, str) else json.dumps(pattern)
        if bus:
            args["EventBusName"] = bus
        arn = self.events.put_rule(**args)["RuleArn"]
        self.addCleanup(self._quietly, self.events.delete_rule, Name=name, Force=True,
                        **({"EventBusName": bus} if bus else {}))
        if targets:
            result = self.events.put_targets(Rule=name, Targets=list(targets), **({"EventBusName": bus} if bus else {}))
            self.assertEqual(result["FailedEntryCount"], 0, result)
        return name, arn

    def new_bus(self, label="bus"):
        name = unique(label)
        self.events.create_event_bus(Name=name)
        self.addCleanup(self._quietly, self.events.delete_event_bus, Name=name)
        return name

    @staticmethod
    def _quietly(call, **kwargs):
        try:
            call(**kwargs)
        except (ClientError, BotoCoreError):
            pass

    def receive(self, url, count, timeout=10.0, **kwargs):
        """Messages until `count` arrived (or the timeout), deleted; returns them."""
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                             **kwargs).get("Messages", [])
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            got.extend(batch)
        return got

    def bodies(self, url, count, timeout=10.0):
        return [m["Body"] for m in self.receive(url, count, timeout)]

    def assertNothing(self, url, wait=1):
        batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait).get(
            "Messages", [])
        self.assertEqual([m["Body"] for m in batch], [])

    def assertError(self, call, code, status, *args, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response.get("Error"))
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status, response.get("Error"))
        return response["Error"].get("Message", "")

    def put(self, source="it.app", detail=None, detail_type="Test", **extra):
        entry = dict(Source=source, DetailType=detail_type, Detail=json.dumps(detail or {}), **extra)
        result = self.events.put_events(Entries=[entry])
        self.assertEqual(result["FailedEntryCount"], 0, result)
        return result["Entries"][0]["EventId"]
