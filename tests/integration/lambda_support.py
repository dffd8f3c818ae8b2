"""Helpers for the Lambda and Logs integration tests: clients, zips built in memory,
and a base case that deletes the functions a test created.

The async retry backoff is shortened for the managed server through
CLOUDLESS_LAMBDA_RETRY_BASE_MS (set here, before the server starts), so retries and
OnFailure destinations are observable in seconds rather than minutes.
"""
import io
import os
import stat
import time
import unittest
import uuid
import zipfile

os.environ.setdefault("CLOUDLESS_LAMBDA_RETRY_BASE_MS", "300")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import harness  # noqa: E402
from server import endpoint  # noqa: E402

ROLE = "arn:aws:iam::000000000000:role/any"


def client(service, **config):
    return boto3.client(service, endpoint_url=endpoint().url, region_name=harness.REGION,
                        aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=120, **config))


def make_zip(files, modes=None, symlinks=None):
    """A zip of {name: text}; modes gives unix modes, symlinks {name: target}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | stat.S_IFREG) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (0o777 | stat.S_IFLNK) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


PYTHON_ECHO = """
import json, os, sys
def handler(event, context):
    print("echo", json.dumps(event))
    return {"event": event, "request_id": context.aws_request_id, "function_name": context.function_name,
            "version": context.function_version, "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb, "group": context.log_group_name,
            "stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis(),
            "pid": os.getpid(), "env": dict(os.environ)}
"""


def unique_name(label):
    return ("it-%s-%s" % (label, uuid.uuid4().hex[:10]))[:64]


class LambdaTestCase(unittest.TestCase):

    def setUp(self):
        self.endpoint = endpoint()
        self.lam = client("lambda")

    def create(self, code=None, files=None, runtime="python3.12", handler="app.handler", label="fn", **extra):
        name = unique_name(label)
        zip_bytes = code if code is not None else make_zip(files or {"app.py": PYTHON_ECHO})
        response = self.lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                                            Code={"ZipFile": zip_bytes}, **extra)
        self.addCleanup(self._delete_quietly, name)
        return name, response

    def _delete_quietly(self, name):
        try:
            client("lambda").delete_function(FunctionName=name)
        except ClientError:
            pass

    def assertLambdaError(self, call, code, status, *args, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response.get("Error"))
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        return response

    def invoke(self, name, payload=b"{}", **extra):
        response = self.lam.invoke(FunctionName=name, Payload=payload, **extra)
        response["Body"] = response["Payload"].read()
        return response

    def wait_for(self, predicate, timeout=15.0, interval=0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        self.fail("condition not met within %.0fs" % timeout)
