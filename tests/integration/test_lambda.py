"""Lambda through real clients: the function API, invocations of python, node and
provided (bash bootstrap) handlers as local processes, errors and timeouts, versions
and aliases, permissions, tags, concurrency, asynchronous invocations with retries
and OnFailure destinations, a handler calling S3 and SQS with no endpoint in its code,
parallel invokes, bad code packages, and aws-cli v1/v2 flows.
"""
import base64
import concurrent.futures
import hashlib
import io
import json
import os
import tempfile
import time
import unittest
import zipfile

import boto3
from botocore.exceptions import ClientError

import harness
from lambda_support import PYTHON_ECHO, ROLE, LambdaTestCase, client, make_zip, unique_name
from server import OwnServer


class FunctionApiTests(LambdaTestCase):

    def test_create_get_list_update_delete(self):
        code = make_zip({"app.py": PYTHON_ECHO})
        name, created = self.create(code=code, Description="d", Timeout=5, MemorySize=256,
                                    Environment={"Variables": {"A": "1"}}, Tags={"team": "x"},
                                    Architectures=["arm64"])
        self.assertEqual(created["FunctionArn"], "arn:aws:lambda:us-east-1:000000000000:function:%s" % name)
        self.assertEqual(created["CodeSha256"], base64.b64encode(hashlib.sha256(code).digest()).decode())
        self.assertEqual(created["CodeSize"], len(code))
        self.assertEqual((created["State"], created["LastUpdateStatus"]), ("Active", "Successful"))
        self.assertEqual(created["Version"], "$LATEST")
        self.assertEqual(created["Architectures"], ["arm64"])
        self.assertEqual(created["Environment"], {"Variables": {"A": "1"}})
        self.assertRegex(created["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        self.lam.get_waiter("function_active_v2").wait(FunctionName=name)
        got = self.lam.get_function(FunctionName=name)
        self.assertEqual(got["Configuration"]["RevisionId"], created["RevisionId"])
        self.assertEqual(got["Tags"], {"team": "x"})
        self.assertEqual(got["Code"]["RepositoryType"], "S3")
        names = [f["FunctionName"] for page in self.lam.get_paginator("list_functions").paginate(
            PaginationConfig={"PageSize": 1}) for f in page["Functions"]]
        self.assertIn(name, names)
        updated = self.lam.update_function_configuration(FunctionName=name, Timeout=9, Handler="app.handler",
                                                         Environment={"Variables": {"B": "2"}})
        self.assertEqual(updated["Timeout"], 9)
        self.assertNotEqual(updated["RevisionId"], created["RevisionId"])
        self.lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        new_code = make_zip({"app.py": PYTHON_ECHO + "\n# v2\n"})
        after = self.lam.update_function_code(FunctionName=name, ZipFile=new_code)
        self.assertEqual(after["CodeSha256"], base64.b64encode(hashlib.sha256(new_code).digest()).decode())
        config = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual(config["Environment"], {"Variables": {"B": "2"}})
        self.lam.delete_function(FunctionName=name)
        self.assertLambdaError(self.lam.get_function, "ResourceNotFoundException", 404, FunctionName=name)

    def test_errors_of_the_api(self):
        name, _ = self.create()
        self.assertLambdaError(self.lam.create_function, "ResourceConflictException", 409, FunctionName=name,
                               Runtime="python3.12", Handler="app.handler", Role=ROLE,
                               Code={"ZipFile": make_zip({"app.py": "x=1"})})
        self.assertLambdaError(self.lam.create_function, "InvalidParameterValueException", 400,
                               FunctionName=unique_name("img"), Role=ROLE, PackageType="Image",
                               Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest"})
        self.assertLambdaError(self.lam.invoke, "ResourceNotFoundException", 404, FunctionName="nope-" + name)
        self.assertLambdaError(self.lam.update_function_configuration, "PreconditionFailedException", 412,
                               FunctionName=name, Timeout=4, RevisionId="00000000-0000-0000-0000-000000000000")
        settings = self.lam.get_account_settings()
        self.assertEqual(settings["AccountLimit"]["CodeSizeZipped"], 52428800)
        self.assertGreaterEqual(settings["AccountUsage"]["FunctionCount"], 1)

    def test_code_from_s3(self):
        s3 = harness.s3_client()
        bucket = harness.unique_bucket_name("lambda-code")
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(harness.empty_and_delete_bucket, s3, bucket)
        s3.put_object(Bucket=bucket, Key="fn.zip", Body=make_zip({"app.py": PYTHON_ECHO}))
        name = unique_name("s3code")
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                                 Code={"S3Bucket": bucket, "S3Key": "fn.zip"})
        self.addCleanup(self._delete_quietly, name)
        self.assertEqual(json.loads(self.invoke(name, b'{"k": 1}')["Body"])["event"], {"k": 1})
        error = self.assertLambdaError(self.lam.create_function, "InvalidParameterValueException", 400,
                                       FunctionName=unique_name("s3missing"), Runtime="python3.12",
                                       Handler="app.handler", Role=ROLE,
                                       Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
        self.assertIn("NoSuchKey", error["Error"]["Message"])


class InvokeTests(LambdaTestCase):

    def test_python_invoke_context_environment_and_tail(self):
        name, _ = self.create(MemorySize=256, Environment={"Variables": {"MY_VAR": "v"}})
        response = self.invoke(name, b'{"hello": "world"}', LogType="Tail")
        self.assertEqual(response["StatusCode"], 200)
        self.assertEqual(response["ExecutedVersion"], "$LATEST")
        body = json.loads(response["Body"])
        self.assertEqual(body["event"], {"hello": "world"})
        self.assertEqual(body["function_name"], name)
        self.assertEqual(body["memory"], "256")
        self.assertEqual(body["group"], "/aws/lambda/" + name)
        self.assertRegex(body["stream"], r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
        self.assertTrue(0 < body["remaining"] <= 3000)
        env = body["env"]
        self.assertEqual(env["MY_VAR"], "v")
        self.assertEqual(env["AWS_LAMBDA_FUNCTION_NAME"], name)
        self.assertEqual(env["AWS_ENDPOINT_URL"], self.endpoint.url)
        self.assertEqual(env["AWS_ACCESS_KEY_ID"], "test")
        self.assertEqual(env["TZ"], ":UTC")
        self.assertEqual(env["_HANDLER"], "app.handler")
        self.assertNotIn("CLOUDLESS_LAMBDA_RETRY_BASE_MS", env)
        log = base64.b64decode(response["LogResult"]).decode()
        self.assertIn("START RequestId: %s Version: $LATEST" % body["request_id"], log)
        self.assertIn('echo {"hello": "world"}', log)
        self.assertIn("END RequestId: %s" % body["request_id"], log)
        self.assertRegex(log, r"REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB")
        again = json.loads(self.invoke(name)["Body"])
        self.assertEqual(again["pid"], body["pid"], "warm environment reused")

    def test_event_and_dry_run(self):
        name, _ = self.create()
        self.assertEqual(self.invoke(name, InvocationType="DryRun")["StatusCode"], 204)
        self.assertEqual(self.invoke(name, b'{"async": true}', InvocationType="Event")["StatusCode"], 202)

    def test_raising_handler_reports_and_stays_usable(self):
        code = "import os\ndef handler(event, context):\n    if event.get('fail'):\n        raise ValueError('boom')\n    return os.getpid()\n"
        name, _ = self.create(files={"app.py": code})
        first = self.invoke(name, b'{"fail": true}')
        self.assertEqual(first["FunctionError"], "Unhandled")
        error = json.loads(first["Body"])
        self.assertEqual((error["errorType"], error["errorMessage"]), ("ValueError", "boom"))
        self.assertTrue(any("raise ValueError" in line for line in error["stackTrace"]))
        pid = json.loads(self.invoke(name)["Body"])
        self.assertEqual(json.loads(self.invoke(name)["Body"]), pid)
        self.assertNotIn("FunctionError", self.invoke(name))

    def test_timeout_kills_and_next_invoke_gets_a_fresh_process(self):
        code = "import os, time\ndef handler(event, context):\n    if event.get('sleep'):\n        time.sleep(30)\n    return os.getpid()\n"
        name, _ = self.create(files={"app.py": code}, Timeout=1)
        before = json.loads(self.invoke(name)["Body"])
        started = time.monotonic()
        response = self.invoke(name, b'{"sleep": true}')
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(response["FunctionError"], "Unhandled")
        self.assertRegex(json.loads(response["Body"])["errorMessage"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ Task timed out after 1\.00 seconds$")
        after = json.loads(self.invoke(name)["Body"])
        self.assertNotEqual(after, before)

    def test_node_async_and_callback_handlers(self):
        code = ("exports.handler = async (event, context) => ({ n: event.n * 2, fn: context.functionName,"
                " left: context.getRemainingTimeInMillis() > 0 });\n"
                "exports.cb = (event, context, callback) => { console.log('cb called'); callback(null, 'ok:' + event.n); };\n"
                "exports.bad = async () => { throw new TypeError('nope'); };\n")
        for handler, expected in (("index.handler", None), ("index.cb", "ok:21"), ("index.bad", None)):
            with self.subTest(handler=handler):
                name, _ = self.create(files={"index.js": code}, runtime="nodejs20.x", handler=handler, label="node")
                response = self.invoke(name, b'{"n": 21}')
                body = json.loads(response["Body"])
                if handler == "index.handler":
                    self.assertEqual(body, {"n": 42, "fn": name, "left": True})
                elif handler == "index.cb":
                    self.assertEqual(body, expected)
                else:
                    self.assertEqual(response["FunctionError"], "Unhandled")
                    self.assertEqual((body["errorType"], body["errorMessage"]), ("TypeError", "nope"))

    def test_provided_runtime_bash_bootstrap(self):
        bootstrap = """#!/bin/bash
set -euo pipefail
while true; do
  headers=$(mktemp)
  event=$(curl -sS -LD "$headers" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  id=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$headers" | tr -d '[:space:]' | cut -d: -f2)
  echo "bash got $event"
  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$id/response" -d "{\\"bash\\": $event, \\"handler\\": \\"$_HANDLER\\"}" >/dev/null
done
"""
        name = unique_name("bash")
        self.lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="function.handler", Role=ROLE,
                                 Code={"ZipFile": make_zip({"bootstrap": bootstrap}, modes={"bootstrap": 0o755})})
        self.addCleanup(self._delete_quietly, name)
        self.assertEqual(json.loads(self.invoke(name, b'{"x": 1}')["Body"]), {"bash": {"x": 1}, "handler": "function.handler"})
        self.assertEqual(json.loads(self.invoke(name, b'[2]')["Body"])["bash"], [2])

    def test_init_errors(self):
        cases = [
            ({"other.py": "x = 1"}, "app.handler", "Runtime.ImportModuleError", "Unable to import module 'app'"),
            ({"app.py": "x = 1"}, "app.handler", "Runtime.HandlerNotFound", "Handler 'handler' missing on module 'app'"),
            ({"app.py": "import os\nos._exit(3)\n"}, "app.handler", "Runtime.ExitError", "Runtime exited with error: exit status 3"),
        ]
        for files, handler, error_type, message in cases:
            with self.subTest(error_type=error_type):
                name, _ = self.create(files=files, handler=handler, label="init")
                response = self.invoke(name)
                self.assertEqual(response["FunctionError"], "Unhandled")
                body = json.loads(response["Body"])
                self.assertEqual(body["errorType"], error_type)
                self.assertIn(message, body["errorMessage"])

    def test_payload_limits(self):
        name, _ = self.create()
        big = b'"' + b"x" * (6 * 1024 * 1024) + b'"'
        self.assertLambdaError(self.lam.invoke, "RequestTooLargeException", 413, FunctionName=name, Payload=big)
        medium = b'"' + b"x" * (300 * 1024) + b'"'
        self.assertLambdaError(self.lam.invoke, "RequestTooLargeException", 413, FunctionName=name, Payload=medium,
                               InvocationType="Event")
        self.assertLambdaError(self.lam.invoke, "InvalidRequestContentException", 400, FunctionName=name,
                               Payload=b"{not json")
        self.assertEqual(json.loads(self.invoke(name, medium)["Body"])["event"], "x" * (300 * 1024))

    def test_handler_writing_megabytes_is_truncated_and_server_unharmed(self):
        code = "import sys\ndef handler(event, context):\n    for i in range(40000):\n        print('line %06d ' % i + 'y' * 100)\n    return 'done'\n"
        name, _ = self.create(files={"app.py": code}, Timeout=30)
        response = self.invoke(name, LogType="Tail")
        self.assertEqual(json.loads(response["Body"]), "done")
        log = base64.b64decode(response["LogResult"]).decode()
        self.assertIn("REPORT RequestId", log)
        self.assertLessEqual(len(log), 4096)
        self.assertIn("truncated", log)
        self.assertEqual(json.loads(self.invoke(name, LogType="Tail")["Body"]), "done")

    def test_twenty_parallel_invokes(self):
        code = "import time, os\ndef handler(event, context):\n    time.sleep(0.3)\n    return {'i': event['i'], 'pid': os.getpid()}\n"
        name, _ = self.create(files={"app.py": code}, Timeout=20)

        def one(i):
            return json.loads(client("lambda").invoke(FunctionName=name, Payload=json.dumps({"i": i}))["Payload"].read())

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            results = list(pool.map(one, range(20)))
        self.assertEqual([r["i"] for r in results], list(range(20)))
        self.assertGreater(len({r["pid"] for r in results}), 1)

    def test_handler_calls_s3_and_sqs_without_endpoint_in_code(self):
        s3 = harness.s3_client()
        bucket = harness.unique_bucket_name("from-lambda")
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(harness.empty_and_delete_bucket, s3, bucket)
        sqs = client("sqs")
        queue_url = sqs.create_queue(QueueName=unique_name("fromlambda"))["QueueUrl"]
        self.addCleanup(sqs.delete_queue, QueueUrl=queue_url)
        code = ("import boto3\n"
                "def handler(event, context):\n"
                "    boto3.client('s3').put_object(Bucket=event['bucket'], Key='k', Body=b'from lambda')\n"
                "    q = boto3.client('sqs')\n"
                "    url = q.get_queue_url(QueueName=event['queue'])['QueueUrl']\n"
                "    q.send_message(QueueUrl=url, MessageBody='hi from lambda')\n"
                "    return 'ok'\n")
        name, _ = self.create(files={"app.py": code}, Timeout=30, MemorySize=512)
        response = self.invoke(name, json.dumps({"bucket": bucket, "queue": queue_url.rsplit("/", 1)[1]}).encode())
        self.assertNotIn("FunctionError", response, response["Body"])
        self.assertEqual(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"from lambda")
        messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
        self.assertEqual([m["Body"] for m in messages], ["hi from lambda"])


class BadCodeTests(LambdaTestCase):

    def assertBadCode(self, zip_bytes, code="InvalidParameterValueException", status=400):
        response = self.assertLambdaError(self.lam.create_function, code, status, FunctionName=unique_name("bad"),
                                          Runtime="python3.12", Handler="app.handler", Role=ROLE,
                                          Code={"ZipFile": zip_bytes})
        self.assertEqual(self.lam.get_account_settings()["AccountLimit"]["CodeSizeZipped"], 52428800)
        return response

    def test_corrupt_zip(self):
        self.assertIn("Could not unzip", self.assertBadCode(b"PK\x03\x04 definitely not a zip")["Error"]["Message"])

    def test_zip_slip(self):
        self.assertBadCode(make_zip({"../../evil.py": "x"}))
        self.assertBadCode(make_zip({"/etc/evil.py": "x"}))

    def test_symlink_out_of_the_tree(self):
        self.assertBadCode(make_zip({"app.py": "x"}, symlinks={"link": "/etc/passwd"}))

    def test_oversize_unzipped(self):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("big.bin", "w", force_zip64=True) as member:
                chunk = b"\0" * (1 << 20)
                for _ in range(251):
                    member.write(chunk)
        response = self.assertBadCode(buffer.getvalue())
        self.assertIn("262144000", response["Error"]["Message"])


class VersionsAliasesPermissionsTests(LambdaTestCase):

    def test_versions_aliases_and_qualified_invoke(self):
        name, _ = self.create(files={"app.py": "def handler(e, c):\n    return 'one'\n"})
        v1 = self.lam.publish_version(FunctionName=name, Description="first")
        self.assertEqual(v1["Version"], "1")
        self.assertTrue(v1["FunctionArn"].endswith(":%s:1" % name))
        self.lam.update_function_code(FunctionName=name, ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'two'\n"}))
        v2 = self.lam.publish_version(FunctionName=name)
        self.assertEqual(v2["Version"], "2")
        versions = [v["Version"] for v in self.lam.list_versions_by_function(FunctionName=name)["Versions"]]
        self.assertEqual(versions, ["$LATEST", "1", "2"])
        alias = self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        self.assertTrue(alias["AliasArn"].endswith(":%s:live" % name))
        self.assertEqual(json.loads(self.invoke(name + ":live")["Body"]), "one")
        self.assertEqual(self.invoke(name, Qualifier="live")["ExecutedVersion"], "1")
        self.assertEqual(json.loads(self.invoke(name, Qualifier="2")["Body"]), "two")
        self.assertEqual(json.loads(self.invoke(name)["Body"]), "two")
        self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        self.assertEqual(json.loads(self.invoke(name, Qualifier="live")["Body"]), "two")
        self.assertEqual([a["Name"] for a in self.lam.list_aliases(FunctionName=name)["Aliases"]], ["live"])
        self.assertEqual(self.lam.get_alias(FunctionName=name, Name="live")["FunctionVersion"], "2")
        self.assertLambdaError(self.lam.delete_function, "ResourceConflictException", 409, FunctionName=name, Qualifier="2")
        self.lam.delete_alias(FunctionName=name, Name="live")
        self.assertLambdaError(self.lam.get_alias, "ResourceNotFoundException", 404, FunctionName=name, Name="live")
        self.lam.delete_function(FunctionName=name, Qualifier="1")
        self.assertLambdaError(self.lam.invoke, "ResourceNotFoundException", 404, FunctionName=name, Qualifier="1")

    def test_permissions_tags_concurrency_event_invoke_config(self):
        name, created = self.create()
        arn = created["FunctionArn"]
        statement = json.loads(self.lam.add_permission(
            FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
            SourceArn="arn:aws:s3:::bucket")["Statement"])
        self.assertEqual(statement["Principal"], {"Service": "s3.amazonaws.com"})
        self.assertEqual(statement["Condition"]["ArnLike"]["AWS:SourceArn"], "arn:aws:s3:::bucket")
        self.assertLambdaError(self.lam.add_permission, "ResourceConflictException", 409, FunctionName=name,
                               StatementId="s3", Action="lambda:InvokeFunction", Principal="s3.amazonaws.com")
        policy = json.loads(self.lam.get_policy(FunctionName=name)["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["s3"])
        self.lam.remove_permission(FunctionName=name, StatementId="s3")
        self.assertLambdaError(self.lam.get_policy, "ResourceNotFoundException", 404, FunctionName=name)
        self.lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=arn, TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"b": "2"})
        self.assertEqual(self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
                         ["ReservedConcurrentExecutions"], 0)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"], 0)
        self.assertLambdaError(self.lam.invoke, "TooManyRequestsException", 429, FunctionName=name)
        self.lam.delete_function_concurrency(FunctionName=name)
        self.assertNotIn("ReservedConcurrentExecutions", self.lam.get_function_concurrency(FunctionName=name))
        self.assertEqual(self.invoke(name)["StatusCode"], 200)
        self.assertLambdaError(self.lam.get_function_event_invoke_config, "ResourceNotFoundException", 404,
                               FunctionName=name)
        config = self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                                           MaximumEventAgeInSeconds=120)
        self.assertEqual((config["MaximumRetryAttempts"], config["MaximumEventAgeInSeconds"]), (1, 120))
        got = self.lam.get_function_event_invoke_config(FunctionName=name)
        self.assertEqual(got["MaximumRetryAttempts"], 1)
        self.lam.delete_function_event_invoke_config(FunctionName=name)
        self.assertLambdaError(self.lam.get_function_event_invoke_config, "ResourceNotFoundException", 404,
                               FunctionName=name)


class AsyncTests(LambdaTestCase):

    def test_async_retries_then_on_failure_to_sqs(self):
        marker_dir = tempfile.mkdtemp(prefix="cloudless-async-")
        code = ("import os, uuid\n"
                "def handler(event, context):\n"
                "    open(os.path.join(event['dir'], uuid.uuid4().hex), 'w').close()\n"
                "    raise RuntimeError('always fails')\n")
        name, _ = self.create(files={"app.py": code})
        sqs = client("sqs")
        queue_url = sqs.create_queue(QueueName=unique_name("onfailure"))["QueueUrl"]
        self.addCleanup(sqs.delete_queue, QueueUrl=queue_url)
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.lam.put_function_event_invoke_config(FunctionName=name,
                                                  DestinationConfig={"OnFailure": {"Destination": queue_arn}})
        self.assertEqual(self.invoke(name, json.dumps({"dir": marker_dir}).encode(), InvocationType="Event")["StatusCode"], 202)

        def record():
            messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
            return messages and json.loads(messages[0]["Body"])

        body = self.wait_for(record, timeout=20)
        self.assertEqual(len(os.listdir(marker_dir)), 3, "one try and two retries")
        self.assertEqual(body["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(body["requestContext"]["approximateInvokeCount"], 3)
        self.assertEqual(body["requestPayload"], {"dir": marker_dir})
        self.assertEqual(body["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(body["responsePayload"]["errorMessage"], "always fails")

    def test_accepted_events_survive_kill9(self):
        if not self.endpoint.managed:
            self.skipTest("needs a managed server")
        marker_dir = tempfile.mkdtemp(prefix="cloudless-kill9-")
        code = "import os, uuid\ndef handler(event, context):\n    open(os.path.join(event['dir'], uuid.uuid4().hex), 'w').close()\n"
        name, _ = self.create(files={"app.py": code})
        self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
        for _ in range(3):
            self.invoke(name, json.dumps({"dir": marker_dir}).encode(), InvocationType="Event")
        self.endpoint.kill9_and_restart()
        self.lam = client("lambda")
        self.lam.delete_function_concurrency(FunctionName=name)
        self.wait_for(lambda: len(os.listdir(marker_dir)) == 3, timeout=20)


@harness.interpreter_free_test
class CliTests(LambdaTestCase):

    def test_cli_v1_and_v2(self):
        folder = tempfile.mkdtemp(prefix="cloudless-cli-")
        zip_path = os.path.join(folder, "fn.zip")
        with open(zip_path, "wb") as f:
            f.write(make_zip({"app.py": PYTHON_ECHO}))
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            with self.subTest(cli=binary):
                name = unique_name("cli")
                self.addCleanup(self._delete_quietly, name)
                created = harness.aws_cli(binary, "lambda", "create-function", "--function-name", name,
                                          "--runtime", "python3.12", "--handler", "app.handler",
                                          "--zip-file", "fileb://" + zip_path, "--role", ROLE)
                self.assertEqual(created.returncode, 0, created.stderr)
                out = os.path.join(folder, name + ".json")
                args = ["lambda", "invoke", "--function-name", name, "--payload", '{"cli": 1}']
                if binary == harness.AWS_CLI_V2:
                    args += ["--cli-binary-format", "raw-in-base64-out"]
                invoked = harness.aws_cli(binary, *args, out)
                self.assertEqual(invoked.returncode, 0, invoked.stderr)
                with open(out) as f:
                    self.assertEqual(json.load(f)["event"], {"cli": 1})
                listed = harness.aws_cli(binary, "lambda", "list-functions")
                self.assertIn(name, listed.stdout)
                deleted = harness.aws_cli(binary, "lambda", "delete-function", "--function-name", name)
                self.assertEqual(deleted.returncode, 0, deleted.stderr)



@unittest.skipUnless(os.environ.get("CLOUDLESS_BIN"), "needs CLOUDLESS_BIN")
class IdleEnvironmentTests(unittest.TestCase):
    """A server of its own that stops environments idle for a second."""

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-idle-", ["--lambda-idle-timeout", "1"])
        cls.port = cls.server.port
        cls.lam = boto3.client("lambda", endpoint_url="http://127.0.0.1:%d" % cls.port,
                               region_name=harness.REGION, aws_access_key_id=harness.ACCESS_KEY,
                               aws_secret_access_key=harness.SECRET_KEY)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def invoke(self, name):
        answer = self.lam.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
        tail = base64.b64decode(answer["LogResult"]).decode()
        return json.loads(answer["Payload"].read())["pid"], tail

    def test_an_idle_environment_stops_and_the_next_invoke_starts_cold(self):
        code = "import os\ndef handler(event, context):\n    return {'pid': os.getpid()}\n"
        name = unique_name("idle")
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                                 Code={"ZipFile": make_zip({"app.py": code})})
        first, tail = self.invoke(name)
        self.assertIn("Init Duration", tail)
        again, tail = self.invoke(name)
        self.assertEqual(again, first)
        self.assertNotIn("Init Duration", tail)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % first):
            time.sleep(0.1)
        self.assertFalse(os.path.exists("/proc/%d" % first), "the idle environment still runs")
        later, tail = self.invoke(name)
        self.assertNotEqual(later, first)
        self.assertIn("Init Duration", tail)
