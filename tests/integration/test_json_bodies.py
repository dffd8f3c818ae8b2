"""The JSON reader that every JSON service shares, seen from the clients: strings keep
U+0000 exactly (SQS refuses it in a body as AWS does, in both protocols alike; a Lambda
payload carries it through; a Logs message carries it, and so does a Lambda's output
in its log, where ill-formed UTF-8 becomes U+FFFD), and a request nested a
million levels deep gets the service's own error while the server keeps serving.
"""
import json
import time
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import harness
from lambda_support import LambdaTestCase, client, unique_name
from server import endpoint
from sqs_support import SqsTestCase, signed_sqs_request

DEEP = 1000000


def deep_array(depth=DEEP):
    return "[" * depth + "]" * depth


def signed_json(service, path, body, headers):
    """POSTs body (str) signed with SigV4 for service; returns harness.RawResponse."""
    data = body.encode()
    headers = dict(headers, Host=endpoint().hostport)
    request = AWSRequest(method="POST", url=endpoint().url + path, data=data, headers=headers)
    SigV4Auth(Credentials(harness.ACCESS_KEY, harness.SECRET_KEY), service, harness.REGION).add_auth(request)
    return harness.raw_request("POST", path, dict(request.headers.items()), data, timeout=60)


def error_type(response):
    kind = response.headers.get("x-amzn-errortype") or json.loads(response.body or b"{}").get("__type", "")
    return kind.split(":")[0].split("#")[-1]


class SqsNulTests(SqsTestCase):

    MESSAGE = ("Invalid binary character '#x0' was found in the message body, the set of allowed "
               "characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF")

    def test_client_refuses_nul_body(self):
        url = self.new_queue("nul")
        response = self.assertSqsError(self.sqs.send_message, "InvalidMessageContents", QueueUrl=url,
                                       MessageBody="bad\x00char")
        self.assertEqual(response["Error"]["Message"], self.MESSAGE)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))

    def test_both_protocols_agree(self):
        url = self.new_queue("nul-raw")
        as_json = signed_sqs_request({"QueueUrl": url, "MessageBody": "bad\u0000char"}, target="SendMessage")
        self.assertEqual(as_json.status, 400)
        self.assertEqual(error_type(as_json), "InvalidMessageContents")
        self.assertEqual(json.loads(as_json.body)["message"], self.MESSAGE)
        as_query = signed_sqs_request({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "bad\x00char"})
        self.assertEqual(as_query.status, 400)
        self.assertIn(b"<Code>InvalidMessageContents</Code>", as_query.body)
        self.assertIn(self.MESSAGE.replace("'", "&apos;").encode(), as_query.body.replace(b"'", b"&apos;"))
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))

    def test_deep_request(self):
        url = self.new_queue("deep")
        body = '{"QueueUrl": %s, "MessageBody": "x", "MessageAttributes": %s}' % (json.dumps(url), deep_array())
        response = signed_sqs_request(body.encode(), target="SendMessage")
        self.assertEqual(response.status, 400)
        self.assertEqual(error_type(response), "SerializationException")
        self.sqs.send_message(QueueUrl=url, MessageBody="still serving")
        self.assertEqual(self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]["Body"],
                         "still serving")


RAW_LINES = [b"marker nul\x00inside", b"marker bad \xff\xfe bytes, cut \xe2\x82 short, emoji \xf0\x9f\x98\x80"]
RAW_OUTPUT = """
import sys
def handler(event, context):
    for line in %r:
        sys.stdout.buffer.write(line + b"\\n")
    sys.stdout.flush()
    return 1
""" % RAW_LINES

ECHO = """
import json
def handler(event, context):
    return {"seen": event["s"], "length": len(event["s"])}
"""


class LambdaNulTests(LambdaTestCase):

    def test_payload_keeps_nul(self):
        name, _ = self.create(files={"app.py": ECHO})
        payload = json.dumps({"s": "a\u0000b"}).encode()
        self.assertIn(b"\\u0000", payload)
        result = self.invoke(name, payload)
        self.assertNotIn("FunctionError", result)
        self.assertEqual(json.loads(result["Body"]), {"seen": "a\u0000b", "length": 3})

    def test_deep_request(self):
        body = '{"FunctionName": "deep", "Runtime": "python3.12", "Tags": %s}' % deep_array()
        response = signed_json("lambda", "/2015-03-31/functions", body, {"Content-Type": "application/json"})
        self.assertEqual(response.status, 400)
        self.assertEqual(error_type(response), "InvalidRequestContentException")
        name, _ = self.create(files={"app.py": ECHO})
        self.assertEqual(json.loads(self.invoke(name, b'{"s": "ok"}')["Body"])["seen"], "ok")


class LogsJsonTests(LambdaTestCase):

    def test_deep_request(self):
        body = '{"logGroupName": "/deep", "tags": %s}' % deep_array()
        response = signed_json("logs", "/", body, {"Content-Type": "application/x-amz-json-1.1",
                                                   "X-Amz-Target": "Logs_20140328.CreateLogGroup"})
        self.assertEqual(response.status, 400)
        self.assertEqual(error_type(response), "SerializationException")
        group = "/it/" + unique_name("after-deep")
        logs = client("logs")
        logs.create_log_group(logGroupName=group)
        logs.delete_log_group(logGroupName=group)

    def test_message_keeps_nul(self):
        logs = client("logs")
        group = "/it/" + unique_name("nul")
        logs.create_log_group(logGroupName=group)
        self.addCleanup(logs.delete_log_group, logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        now = int(time.time() * 1000)
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": now, "message": "before\u0000after"}])
        events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in events], ["before\u0000after"])
        found = logs.filter_log_events(logGroupName=group, filterPattern="after")["events"]
        self.assertEqual([e["message"] for e in found], ["before\u0000after"])

    def test_message_keeps_control_characters(self):
        logs = client("logs")
        group = "/it/" + unique_name("controls")
        logs.create_log_group(logGroupName=group)
        self.addCleanup(logs.delete_log_group, logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        message = "\x01\x1b[31mred\x1b[0m\ttab\r\nline\x7f \u00e9\u20ac\U0001f600 \"quoted\" back\\slash"
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": message}])
        events = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in events], [message])
        found = logs.filter_log_events(logGroupName=group, filterPattern='"red\x1b"')["events"]
        self.assertEqual([e["message"] for e in found], [message])

    def test_lone_surrogate_reads_back_as_text(self):
        # "\udc80" has no UTF-8 form: it must not come back as bytes the client cannot decode.
        logs = client("logs")
        group = "/it/" + unique_name("surrogate")
        logs.create_log_group(logGroupName=group)
        self.addCleanup(logs.delete_log_group, logGroupName=group)
        logs.create_log_stream(logGroupName=group, logStreamName="s")
        logs.put_log_events(logGroupName=group, logStreamName="s",
                            logEvents=[{"timestamp": int(time.time() * 1000), "message": "a\udc80b"}])
        message = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"][0]["message"]
        self.assertEqual((message[0], message[-1]), ("a", "b"))
        self.assertEqual(set(message[1:-1]), {"\ufffd"})

    def test_lambda_output_keeps_nul_and_repairs_utf8(self):
        name, _ = self.create(files={"app.py": RAW_OUTPUT})
        self.invoke(name)
        logs = client("logs")
        group = "/aws/lambda/" + name

        def lines():
            try:
                events = logs.filter_log_events(logGroupName=group, filterPattern="marker")["events"]
            except ClientError:
                return None
            return sorted(e["message"] for e in events) if len(events) == 2 else None

        self.assertEqual(self.wait_for(lines), sorted(raw.decode("utf-8", "replace") for raw in RAW_LINES))
