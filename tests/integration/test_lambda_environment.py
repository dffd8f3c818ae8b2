"""A function's environment: AWS's documented variables, and SDKs that find cloudless.

Debian 12's boto3 1.26 (botocore 1.29) ignores AWS_ENDPOINT_URL; the sitecustomize
cloudless puts on a python function's PYTHONPATH makes its boto3.client("s3"), given
no endpoint, reach cloudless all the same. A provided.al2023 function has no
AWS_EXECUTION_ENV, as on AWS.
"""
import json
import os
import unittest

import harness
from lambda_support import ROLE, LambdaTestCase, make_zip, unique_name
from server import OwnServer

DEBIAN_PYTHON = "/usr/bin/python3"

HANDLER_WITHOUT_ENDPOINT = """
import boto3, botocore, os
def handler(event, context):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=event["bucket"], Key="from-function", Body=b"hello")
    return {"botocore": botocore.__version__, "endpoint": s3.meta.endpoint_url, "uid": os.getuid(),
            "execution_env": os.environ.get("AWS_EXECUTION_ENV")}
"""


@unittest.skipUnless(os.path.exists(DEBIAN_PYTHON), "needs Debian's python3 with boto3 1.26")
class OldBoto3WithoutEndpointTests(unittest.TestCase):
    """A server of its own whose python functions run under Debian's python3."""

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-oldboto-", args=["--lambda-python", DEBIAN_PYTHON])

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_boto3_client_without_endpoint_reaches_cloudless(self):
        s3 = self.server.client("s3")
        lam = self.server.client("lambda")
        bucket = unique_name("oldboto")
        s3.create_bucket(Bucket=bucket)
        name = unique_name("oldboto")
        lam.create_function(FunctionName=name, Runtime="python3.11", Handler="app.handler", Role=ROLE,
                            Code={"ZipFile": make_zip({"app.py": HANDLER_WITHOUT_ENDPOINT})})
        response = lam.invoke(FunctionName=name, Payload=json.dumps({"bucket": bucket}).encode())
        body = json.loads(response["Payload"].read())
        self.assertNotIn("FunctionError", response, body)
        self.assertTrue(body["botocore"].startswith("1.29."), body)
        self.assertTrue(body["endpoint"].startswith("http://127.0.0.1:"), body)
        self.assertEqual(body["execution_env"], "AWS_Lambda_python3.11")
        self.assertEqual(s3.get_object(Bucket=bucket, Key="from-function")["Body"].read(), b"hello")


class DocumentedVariablesTests(LambdaTestCase):

    def test_provided_runtime_has_no_execution_env(self):
        bootstrap = """#!/bin/sh
while true; do
  headers=$(mktemp)
  curl -sS -LD "$headers" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next" >/dev/null
  id=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)
  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$id/response" \\
    -d "{\\"execution_env\\": \\"${AWS_EXECUTION_ENV-unset}\\", \\"region\\": \\"$AWS_REGION\\"}" >/dev/null
done
"""
        name = unique_name("provided-env")
        self.lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="function.handler", Role=ROLE,
                                 Code={"ZipFile": make_zip({"bootstrap": bootstrap}, modes={"bootstrap": 0o755})})
        self.addCleanup(self._delete_quietly, name)
        body = json.loads(self.invoke(name)["Body"])
        self.assertEqual(body, {"execution_env": "unset", "region": harness.REGION})

    def test_python_runtime_has_execution_env(self):
        name, _ = self.create(runtime="python3.12")
        env = json.loads(self.invoke(name)["Body"])["env"]
        self.assertEqual(env["AWS_EXECUTION_ENV"], "AWS_Lambda_python3.12")
        self.assertTrue(env["PYTHONPATH"].endswith("/python/site"), env["PYTHONPATH"])


if __name__ == "__main__":
    unittest.main()
