"""Shared helpers for the S3 integration tests: clients, CLIs, raw HTTP and a base case.

Everything points at server.endpoint(). Credentials are the fixed test/test pair in
us-east-1; AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point at empty files so a
developer's own AWS configuration cannot leak into a run. Raw requests are signed with
botocore's S3SigV4Auth (optionally at a chosen time or with chosen credentials) and
sent with http.client, so tests can see the exact status, headers and XML body.
"""
import atexit
import datetime
import hashlib
import http.client
import os
import shutil
import subprocess
import tempfile
import unittest
import uuid
import xml.etree.ElementTree as ElementTree

import boto3
from botocore.auth import SIGV4_TIMESTAMP, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from server import endpoint

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
AWS_CLI_V1 = "aws"
AWS_CLI_V2 = "/usr/bin/aws"
CLI_TIMEOUT_SECONDS = 120

_scratch = tempfile.mkdtemp(prefix="cloudless-it-config-")
atexit.register(shutil.rmtree, _scratch, True)


def _isolate_aws_environment():
    empty_config = os.path.join(_scratch, "aws-config")
    empty_credentials = os.path.join(_scratch, "aws-credentials")
    for path in (empty_config, empty_credentials):
        open(path, "w").close()
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update({
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": empty_config,
        "AWS_SHARED_CREDENTIALS_FILE": empty_credentials,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
    })


_isolate_aws_environment()


def terraform_test(cls):
    """Marks a Terraform conformance test: it needs terraform, and it runs
    once per suite (tests/run_integration.sh sets CLOUDLESS_TERRAFORM_TESTS=0
    for the second interpreter: Terraform's provider does not use Python)."""
    if not shutil.which("terraform"):
        return unittest.skip("terraform is not installed")(cls)
    if os.environ.get("CLOUDLESS_TERRAFORM_TESTS") == "0":
        return unittest.skip("Terraform tests run under the first interpreter only")(cls)
    return cls


def interpreter_free_test(cls):
    """Marks a test whose outcome cannot depend on the Python running it: it
    drives a command-line client (aws-cli v1 and v2, s3cmd, rclone), whose
    own Python or binary is the same under either interpreter. A full run
    (tests/run_integration.sh) runs it under the first interpreter only, by
    setting CLOUDLESS_INTERPRETER_FREE_TESTS=0 for the second."""
    if os.environ.get("CLOUDLESS_INTERPRETER_FREE_TESTS") == "0":
        return unittest.skip("does not depend on the interpreter: runs under the first one only")(cls)
    return cls


class Terraform:
    """One conformance/<name> configuration copied into a temp dir, where
    terraform runs offline (the provider from the local mirror the
    configuration's terraformrc names) with the given -var values."""

    TIMEOUT_SECONDS = 600

    def __init__(self, name, variables):
        self.config_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                       "conformance", name)
        self.work_dir = tempfile.mkdtemp(prefix="cloudless-%s-" % name)
        shutil.copy(os.path.join(self.config_dir, "main.tf"), self.work_dir)
        self.variables = [arg for key, value in variables.items() for arg in ("-var", "%s=%s" % (key, value))]

    def run(self, *args):
        env = dict(os.environ)
        env.update({
            "TF_CLI_CONFIG_FILE": os.path.abspath(os.path.join(self.config_dir, "terraformrc")),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        })
        completed = subprocess.run(["terraform"] + list(args) + ["-no-color"], cwd=self.work_dir, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=self.TIMEOUT_SECONDS)
        return completed.returncode, completed.stdout.decode("utf-8", "replace")

    def apply(self):
        """terraform init and apply; destroys what was made when apply fails."""
        code, out = self.run("init")
        if code == 0:
            code, out = self.run("apply", "-auto-approve", *self.variables)
            if code != 0:
                self.run("destroy", "-auto-approve", *self.variables)
        return code, out

    def plan(self):
        """terraform plan -detailed-exitcode: 0 when nothing would change."""
        return self.run("plan", "-detailed-exitcode", *self.variables)

    def destroy(self):
        return self.run("destroy", "-auto-approve", *self.variables)

    def remove(self):
        shutil.rmtree(self.work_dir, ignore_errors=True)


def s3_client(max_attempts=1, **config):
    """A boto3 S3 client for the endpoint; path-style because the host is an IP."""
    return boto3.client(
        "s3", endpoint_url=endpoint().url, region_name=REGION,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"},
                      retries={"total_max_attempts": max_attempts}, **config))


def unique_bucket_name(label):
    return ("it-%s-%s" % (label, uuid.uuid4().hex[:12])).lower()[:63]


def quoted_md5(data):
    return '"%s"' % hashlib.md5(data).hexdigest()


def add_request_headers(client, operation, headers):
    """Send extra headers on every call of one operation (for parameters old SDKs lack)."""
    def inject(request, **_):
        for name, value in headers.items():
            request.headers[name] = value
    client.meta.events.register("before-sign.s3.%s" % operation, inject)


def delete_all_versions(client, bucket):
    """Deletes every version and delete marker it may (GOVERNANCE retention bypassed);
    stops when a round deletes nothing (COMPLIANCE retention, legal holds)."""
    left = None
    while True:
        page = client.list_object_versions(Bucket=bucket)
        entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
        if not entries or len(entries) == left:
            return
        left = len(entries)
        client.delete_objects(Bucket=bucket, BypassGovernanceRetention=True, Delete={
            "Objects": [{"Key": e["Key"], "VersionId": e["VersionId"]} for e in entries], "Quiet": True})


def empty_and_delete_bucket(client, bucket):
    """Best-effort cleanup: aborts uploads, deletes every object, then the bucket."""
    try:
        for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        while True:
            page = client.list_objects_v2(Bucket=bucket)
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if not keys:
                break
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        delete_all_versions(client, bucket)
        client.delete_bucket(Bucket=bucket)
    except ClientError:
        pass


class S3TestCase(unittest.TestCase):
    """Base case: a client, error assertions, and an optional fresh bucket per test."""

    CREATE_BUCKET = True

    def setUp(self):
        self.endpoint = endpoint()
        self.s3 = s3_client()
        if self.CREATE_BUCKET:
            self.bucket = self.new_bucket()

    def new_bucket(self, label=None):
        name = unique_bucket_name(label or type(self).__name__[-20:])
        self.s3.create_bucket(Bucket=name)
        self.addCleanup(empty_and_delete_bucket, self.s3, name)
        return name

    def temp_dir(self):
        path = tempfile.mkdtemp(prefix="cloudless-it-")
        self.addCleanup(shutil.rmtree, path, True)
        return path

    def assertClientError(self, call, code, status, *args, **kwargs):
        """Runs call(*args, **kwargs) and checks the AWS error code and HTTP status."""
        with self.assertRaises(ClientError) as caught:
            call(*args, **kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response.get("Error"))
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        return response

    def require_managed_server(self):
        if not self.endpoint.managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")


# ---- command-line clients -------------------------------------------------------------

def run_command(args, timeout=CLI_TIMEOUT_SECONDS):
    """Runs a command; returns CompletedProcess with text stdout/stderr."""
    completed = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    completed.stdout = completed.stdout.decode("utf-8", "replace")
    completed.stderr = completed.stderr.decode("utf-8", "replace")
    return completed


def aws_cli(binary, *args):
    return run_command([binary, "--endpoint-url", endpoint().url, "--region", REGION] + list(args))


def s3cmd(*args):
    config_path = os.path.join(_scratch, "s3cmd.cfg")
    if not os.path.exists(config_path):
        with open(config_path, "w") as config:
            config.write("[default]\naccess_key = %s\nsecret_key = %s\nhost_base = %s\nhost_bucket = %s\n"
                         "use_https = False\nsignature_v2 = False\nbucket_location = %s\n"
                         % (ACCESS_KEY, SECRET_KEY, endpoint().hostport, endpoint().hostport, REGION))
    hostport = endpoint().hostport
    return run_command(["s3cmd", "-c", config_path, "--host=" + hostport, "--host-bucket=" + hostport,
                        "--no-ssl", "--access_key=" + ACCESS_KEY, "--secret_key=" + SECRET_KEY] + list(args))


RCLONE_REMOTE = "cl"


def rclone(*args):
    config_path = os.path.join(_scratch, "rclone.conf")
    if not os.path.exists(config_path):
        with open(config_path, "w") as config:
            config.write("[%s]\ntype = s3\nprovider = Other\naccess_key_id = %s\nsecret_access_key = %s\n"
                         "endpoint = %s\nregion = %s\nforce_path_style = true\n"
                         % (RCLONE_REMOTE, ACCESS_KEY, SECRET_KEY, endpoint().url, REGION))
    return run_command(["rclone", "--config", config_path, "--retries", "1", "--low-level-retries", "1"]
                       + list(args))


def curl_get(url, output_path):
    """GETs url with curl into output_path; returns the HTTP status code."""
    completed = run_command(["curl", "-s", "--path-as-is", "-o", output_path, "-w", "%{http_code}", url])
    return int(completed.stdout or 0)


# ---- raw HTTP ----------------------------------------------------------------------------

class _TimedS3SigV4Auth(S3SigV4Auth):
    """S3SigV4Auth that signs as if the clock read `when` (to test clock skew)."""

    def __init__(self, credentials, when):
        super().__init__(credentials, "s3", REGION)
        self.when = when

    def add_auth(self, request):
        request.context["timestamp"] = self.when.strftime(SIGV4_TIMESTAMP)
        self._modify_request_before_signing(request)
        canonical_request = self.canonical_request(request)
        string_to_sign = self.string_to_sign(request, canonical_request)
        self._inject_signature_to_request(request, self.signature(string_to_sign, request))


def sign_request(method, path, headers=None, body=b"", access_key=ACCESS_KEY, secret_key=SECRET_KEY, when=None):
    """Returns the headers of a SigV4-signed request for path (which may carry a query)."""
    request = AWSRequest(method=method, url=endpoint().url + path, data=body, headers=dict(headers or {}))
    when = when or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    _TimedS3SigV4Auth(Credentials(access_key, secret_key), when).add_auth(request)
    return dict(request.headers.items())


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def error_code(self):
        """The <Code> of an S3 XML error body, or None."""
        if not self.body:
            return None
        try:
            root = ElementTree.fromstring(self.body)
        except ElementTree.ParseError:
            return None
        code = root.find("Code")
        return code.text if code is not None else None


def raw_request(method, path, headers=None, body=b"", timeout=10):
    """Sends exactly these headers and body; returns RawResponse."""
    connection = http.client.HTTPConnection(endpoint().host, endpoint().port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        headers = dict(headers or {})
        headers.setdefault("Host", endpoint().hostport)
        if body or method in ("PUT", "POST"):
            headers.setdefault("Content-Length", str(len(body)))
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body or None)
        response = connection.getresponse()
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        connection.close()


def signed_request(method, path, headers=None, body=b"", **signing):
    headers = dict(headers or {})
    headers["Host"] = endpoint().hostport
    return raw_request(method, path, sign_request(method, path, headers, body, **signing), body)
