"""Shared helpers for the SQS integration tests: clients, queue fixtures, raw requests.

boto3 1.43 (pyenv python3) speaks SQS's JSON protocol and boto3 1.26 (/usr/bin/python3)
the query protocol, so running the suite under both interpreters covers both. Queues
get unique names and are deleted after each test. Raw requests are signed with
botocore's SigV4Auth for service "sqs" and sent with http.client.
"""
import datetime
import json
import unittest
import urllib.parse
import uuid

import boto3
import botocore
from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness
from server import endpoint

NON_EXISTENT_QUEUE = "AWS.SimpleQueueService.NonExistentQueue"


def sqs_client(access_key=harness.ACCESS_KEY, secret_key=harness.SECRET_KEY, **config):
    return boto3.client(
        "sqs", endpoint_url=endpoint().url, region_name=harness.REGION,
        aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        config=Config(retries={"total_max_attempts": 1}, **config))


def protocol_name():
    """'json' or 'query': what this interpreter's botocore speaks to SQS."""
    model = botocore.session.get_session().get_service_model("sqs")
    return model.metadata["protocol"]


def unique_queue_name(label, fifo=False):
    name = ("it-%s-%s" % (label, uuid.uuid4().hex[:10]))[:75]
    return name + ".fifo" if fifo else name


class SqsTestCase(unittest.TestCase):
    """A client, error assertions and queues deleted after the test."""

    def setUp(self):
        self.endpoint = endpoint()
        self.sqs = sqs_client()

    def new_queue(self, label=None, fifo=False, **attributes):
        name = unique_queue_name(label or type(self).__name__[-20:].lower(), fifo)
        attributes = {k: str(v) for k, v in attributes.items()}
        if fifo:
            attributes["FifoQueue"] = "true"
        url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        self.addCleanup(self._delete_quietly, url)
        return url

    def _delete_quietly(self, url):
        try:
            sqs_client().delete_queue(QueueUrl=url)
        except ClientError:
            pass

    def queue_arn(self, url):
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def assertSqsError(self, call, code, *args, status=400, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response.get("Error"))
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        return response

    def receive_all(self, url, expected, deadline_s=10, **kwargs):
        """Receives (and deletes) until `expected` messages arrived; returns them."""
        got = []
        end = datetime.datetime.now() + datetime.timedelta(seconds=deadline_s)
        while len(got) < expected and datetime.datetime.now() < end:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                             **kwargs).get("Messages", [])
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            got.extend(batch)
        return got


def signed_sqs_request(body, target=None, access_key=harness.ACCESS_KEY, secret_key=harness.SECRET_KEY,
                       when=None, path="/", service="sqs"):
    """POSTs a body (JSON when target is given, else a form) signed for SQS."""
    headers = {"Host": endpoint().hostport}
    if target:
        headers["Content-Type"] = "application/x-amz-json-1.0"
        headers["X-Amz-Target"] = "AmazonSQS." + target
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        data = body if isinstance(body, bytes) else urllib.parse.urlencode(body).encode()
    request = AWSRequest(method="POST", url=endpoint().url + path, data=data, headers=headers)
    auth = SigV4Auth(Credentials(access_key, secret_key), service, harness.REGION)
    if when:
        request.context["timestamp"] = when.strftime(SIGV4_TIMESTAMP)
        auth._modify_request_before_signing(request)
        canonical = auth.canonical_request(request)
        auth._inject_signature_to_request(request, auth.signature(auth.string_to_sign(request, canonical), request))
    else:
        auth.add_auth(request)
    return harness.raw_request("POST", path, dict(request.headers.items()), data)
