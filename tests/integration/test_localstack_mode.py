"""cloudless as LocalStack's stand-in: a script written for LocalStack passes unchanged.

The server is started the way a docker-compose file for LocalStack starts it:
SERVICES=s3,sqs, PERSISTENCE=0, LOCALSTACK_HOST, a ready.d init hook that creates a
bucket and a queue, and credentials = localstack (the image's default). Then a
LocalStack-style script: made-up access keys (a 12-digit key ID selects the
account), LOCALSTACK_HOST in QueueUrls, /_localstack/init reporting the hook, and a
request to a service outside SERVICES answered with the clear NotImplemented error.
"""
import http.client
import json
import os
import stat
import tempfile
import time
import unittest
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from server import OwnServer

PUBLIC_HOST = "localstack.example.test:4566"

READY_HOOK = """#!/bin/sh
echo "creating the fixtures"
exec "$PYTHON" - <<'EOF'
import os, boto3
kw = dict(endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_DEFAULT_REGION"])
boto3.client("s3", **kw).create_bucket(Bucket="hook-bucket")
print(boto3.client("sqs", **kw).create_queue(QueueName="hook-queue")["QueueUrl"])
EOF
"""


def init_ready(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/_localstack/init/ready" % port, timeout=2) as answer:
        return json.load(answer)["completed"]


class LocalStackStandInTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="cloudless-localstack-")
        hook_dir = os.path.join(cls.work, "init", "ready.d")
        os.makedirs(hook_dir)
        hook = os.path.join(hook_dir, "01-fixtures.sh")
        with open(hook, "w") as f:
            f.write(READY_HOOK)
        os.chmod(hook, stat.S_IRWXU)
        import sys
        env = {"SERVICES": "s3,sqs", "PERSISTENCE": "0", "LOCALSTACK_HOST": PUBLIC_HOST,
               "CLOUDLESS_CREDENTIALS": "localstack", "CLOUDLESS_INIT_DIR": os.path.join(cls.work, "init"),
               "PYTHON": sys.executable}
        cls.server = OwnServer("cloudless-localstack-", work=cls.work, ready=init_ready, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def client(self, service, key="AKIAMADEUPKEY0000000", secret="anything"):
        return boto3.client(service, endpoint_url=self.server.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))

    def log(self):
        with open(os.path.join(self.work, "server.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def get_json(self, path):
        with urllib.request.urlopen(self.server.url + path, timeout=5) as answer:
            return json.load(answer)

    def test_ready_log_line_and_init_report(self):
        self.assertRegex(self.log(), r"(?m) Ready\.$")
        report = self.get_json("/_localstack/init")
        self.assertTrue(report["completed"]["READY"])
        self.assertIn({"stage": "READY", "name": "01-fixtures.sh", "state": "SUCCESSFUL"}, report["scripts"])
        self.assertIn("init: 01-fixtures.sh: creating the fixtures", self.log())

    def test_hook_fixtures_exist(self):
        s3 = self.client("s3")
        self.assertIn("hook-bucket", [b["Name"] for b in s3.list_buckets()["Buckets"]])
        url = self.client("sqs").get_queue_url(QueueName="hook-queue")["QueueUrl"]
        self.assertEqual(url, "http://%s/000000000000/hook-queue" % PUBLIC_HOST)

    def test_made_up_keys_work_and_a_12_digit_key_selects_the_account(self):
        s3 = self.client("s3")
        s3.create_bucket(Bucket="made-up-key")
        s3.put_object(Bucket="made-up-key", Key="k", Body=b"v")
        self.assertEqual(s3.get_object(Bucket="made-up-key", Key="k")["Body"].read(), b"v")
        other = self.client("sqs", key="111111111111", secret="whatever")
        url = other.create_queue(QueueName="other-account")["QueueUrl"]
        self.assertEqual(url, "http://%s/111111111111/other-account" % PUBLIC_HOST)
        other.send_message(QueueUrl=url, MessageBody="hi")
        messages = other.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(messages[0]["Body"], "hi")
        deadline = time.monotonic() + 5     # request lines are written a few milliseconds late
        while " 111111111111:111111111111 " not in self.log() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertIn(" 111111111111:111111111111 ", self.log())

    def test_known_key_still_has_its_signature_checked(self):
        with self.assertRaises(ClientError) as caught:
            self.client("s3", key="test", secret="wrong").list_buckets()
        self.assertEqual(caught.exception.response["Error"]["Code"], "SignatureDoesNotMatch")

    def test_service_outside_services_answers_not_enabled(self):
        with self.assertRaises(ClientError) as caught:
            self.client("lambda").list_functions()
        error = caught.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 501)
        self.assertEqual(error["Error"]["Code"], "NotImplemented")
        self.assertIn("Service 'lambda' is not enabled", error["Error"]["Message"])
        health = self.get_json("/_localstack/health")["services"]
        self.assertEqual((health["s3"], health["sqs"], health["lambda"]), ("running", "running", "disabled"))

    def test_info_and_vhost_bucket_under_localstack_domain(self):
        info = self.get_json("/_localstack/info")
        self.assertEqual(info["edition"], "cloudless")
        self.assertGreaterEqual(info["uptime"], 0)
        s3 = self.client("s3")
        s3.create_bucket(Bucket="vhost-bucket")
        s3.put_object(Bucket="vhost-bucket", Key="x", Body=b"vhost")
        # A made-up key's signature is not checked: a well-formed header is enough.
        now = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        headers = {"Host": "vhost-bucket.s3.localhost.localstack.cloud:%d" % self.server.port,
                   "x-amz-date": now, "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
                   "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAMADEUPKEY0000000/%s/us-east-1/s3/aws4_request, "
                                    "SignedHeaders=host;x-amz-date, Signature=%s" % (now[:8], "0" * 64)}
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        connection.request("GET", "/x", headers=headers)
        answer = connection.getresponse()
        self.assertEqual((answer.status, answer.read()), (200, b"vhost"))
        connection.close()


class PersistenceZeroTests(unittest.TestCase):

    def test_data_dir_is_temporary_and_removed_at_exit(self):
        server = OwnServer("cloudless-persist0-", env={"PERSISTENCE": "0"})
        try:
            server.client("s3").create_bucket(Bucket="gone-at-exit")
            with open(os.path.join(server.work, "server.log")) as f:
                line = next(l for l in f if "listening on" in l)
            temp = line.split("data in ")[1].split(" ")[0]
            self.assertTrue(os.path.isdir(temp))
            self.assertNotEqual(temp, os.path.join(server.work, "data"))
            server.process.terminate()
            server.process.wait(10)
            self.assertFalse(os.path.exists(temp))
        finally:
            server.stop()


class RequestLogTests(unittest.TestCase):
    """One line per request at the default level; --log-level warn silences it."""

    def request_lines(self, args):
        """The request lines of a server that made a bucket and listed buckets, read once
        it has stopped (request lines are written a few milliseconds late; a stop writes
        what is left)."""
        server = OwnServer("cloudless-reqlog-", args=args)
        try:
            server.client("s3").create_bucket(Bucket="logged")
            server.client("s3").list_buckets()
            server.process.terminate()
            server.process.wait(10)
            with open(os.path.join(server.work, "server.log")) as f:
                return [line for line in f if " INFO s3 " in line]
        finally:
            server.stop()

    def test_info_logs_each_request_and_warn_silences_it(self):
        lines = self.request_lines([])
        self.assertEqual(len(lines), 2, lines)
        self.assertRegex(lines[0], r"^\d{4}-\d\d-\d\dT[0-9:.]+Z INFO s3 CreateBucket 200 [0-9.]+ms "
                                   r"000000000000:test 127\.0\.0\.1 PUT /logged$")
        self.assertEqual(self.request_lines(["--log-level", "warn"]), [])


if __name__ == "__main__":
    unittest.main()
