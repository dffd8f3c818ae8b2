"""HTTPS: a second cloudless started with --tls-cert/--tls-key on its own port
(self-signed certificate for 127.0.0.1, made here with the openssl command) serves
S3 to boto3 and aws-cli v2 with certificate verification on (and counts as
aws:SecureTransport for bucket policies), rclone with an SSE-C key (which it sends
over HTTPS only), and a plain-HTTP request to the TLS port
gets no HTTP answer. Needs CLOUDLESS_BIN (skipped against an
external endpoint) and the openssl command."""
import base64
import hashlib
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest
import urllib.request

import boto3
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from harness import ACCESS_KEY, REGION, SECRET_KEY, unique_bucket_name
from server import OwnServer


@unittest.skipUnless(os.environ.get("CLOUDLESS_BIN") and shutil.which("openssl"),
                     "needs CLOUDLESS_BIN and the openssl command")
class TlsTests(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="cloudless-tls-")
        cls.cert = os.path.join(cls.work, "cert.pem")
        key = os.path.join(cls.work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cls.cert], check=True, capture_output=True)
        context = ssl.create_default_context(cafile=cls.cert)

        def answers_https(port):
            with urllib.request.urlopen("https://127.0.0.1:%d/_cloudless/health" % port, context=context,
                                        timeout=1) as r:
                return r.status == 200

        cls.server = OwnServer("cloudless-tls-", ["--tls-cert", cls.cert, "--tls-key", key], work=cls.work,
                               ready=answers_https)
        cls.port = cls.server.port
        cls.url = "https://127.0.0.1:%d" % cls.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_boto3_over_https_with_verification(self):
        s3 = boto3.client("s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, verify=self.cert,
                          config=Config(s3={"addressing_style": "path"}))
        bucket = unique_bucket_name("tls")
        s3.create_bucket(Bucket=bucket)
        body = os.urandom(300 * 1024)
        s3.put_object(Bucket=bucket, Key="k", Body=body)
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), body)
        # The usual "deny plain HTTP" policy lets HTTPS requests through.
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::%s/*" % bucket,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), body)

    def test_aws_cli_v2_over_https(self):
        if not os.path.exists("/usr/bin/aws"):
            self.skipTest("aws-cli v2 is not installed")
        bucket = unique_bucket_name("tls-cli")
        result = subprocess.run(["/usr/bin/aws", "--endpoint-url", self.url, "--region", REGION,
                                 "s3", "mb", "s3://" + bucket],
                                env=dict(os.environ, AWS_CA_BUNDLE=self.cert), capture_output=True,
                                text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("make_bucket: " + bucket, result.stdout)

    def test_rclone_sse_c_over_https(self):
        """rclone (the AWS SDK for Go) refuses to send an SSE-C key over plain HTTP;
        over HTTPS it uploads with its key and reads back with it."""
        if not shutil.which("rclone"):
            self.skipTest("rclone is not installed")
        s3 = boto3.client("s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY, verify=self.cert,
                          config=Config(s3={"addressing_style": "path"}))
        bucket = unique_bucket_name("tls-ssec")
        s3.create_bucket(Bucket=bucket)
        # SSE-C is blocked on a new bucket; lifted with raw XML (older boto3 has
        # no BlockedEncryptionTypes).
        unblock = (b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>"
                   b"AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes>"
                   b"<EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule>"
                   b"</ServerSideEncryptionConfiguration>")
        request = AWSRequest(method="PUT", url="%s/%s?encryption" % (self.url, bucket), data=unblock,
                             headers={"x-amz-content-sha256": hashlib.sha256(unblock).hexdigest()})
        S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=ssl.create_default_context(
            cafile=self.cert), timeout=10)
        try:
            connection.request("PUT", "/%s?encryption" % bucket, unblock, dict(request.headers.items()))
            self.assertEqual(connection.getresponse().status, 200)
        finally:
            connection.close()
        key = base64.b64encode(b"k" * 32).decode()
        remote = ":s3,provider=Other,access_key_id=%s,secret_access_key=%s,endpoint='%s',region=%s,force_path_style=true:%s/rc" \
                 % (ACCESS_KEY, SECRET_KEY, self.url, REGION, bucket)
        flags = ["--no-check-certificate", "--retries", "1", "--s3-sse-customer-algorithm", "AES256",
                 "--s3-sse-customer-key-base64", key]
        local = os.path.join(self.work, "rclone-ssec.txt")
        with open(local, "wb") as handle:
            handle.write(b"sealed by rclone")
        done = subprocess.run(["rclone", "copyto", *flags, local, remote], capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        done = subprocess.run(["rclone", "cat", *flags, remote], capture_output=True, text=True, timeout=60)
        self.assertEqual((done.returncode, done.stdout), (0, "sealed by rclone"), done.stderr)
        head = s3.head_object(Bucket=bucket, Key="rc", SSECustomerAlgorithm="AES256", SSECustomerKey=b"k" * 32)
        self.assertEqual(head["SSECustomerAlgorithm"], "AES256")

    def test_plain_http_to_the_tls_port_gets_no_http_answer(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
            sock.sendall(b"GET /_cloudless/health HTTP/1.1\r\nHost: x\r\n\r\n")
            try:
                data = sock.recv(100)
            except ConnectionResetError:
                data = b""
        self.assertFalse(data.startswith(b"HTTP/"))


if __name__ == "__main__":
    unittest.main()
