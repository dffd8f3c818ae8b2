"""bench/lambda_bench.py: the Lambda rows of bench/run.sh that are not a load of
identical requests (those are s3load's lambda-invoke mode). Prints key=value lines.

  setup URL                 creates the echo functions bench-py (python3.12) and
                            bench-node (nodejs20.x) on cloudless and waits for them
  cold URL                  CreateFunction -> first answered invoke (ms, median of 5)
                            beside `python3 -c pass` (ms, median of 5)
  s3 URL                    S3 PUT -> handler start latency (p50/p99 ms over PUTs
                            to a bucket whose ObjectCreated events invoke a function)
  sqs URL                   SQS -> handler throughput: messages queued while the
                            event source mapping is disabled, then drained (msg/s)
  first-invoke URL NAME     waits until NAME answers an invoke (serverless-offline's
                            start-up), then reports the first python invoke (ms)

Every request goes through boto3 with the test/test keys, as a user's would.
"""
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
import zipfile

import boto3
from botocore.config import Config

PY_ECHO = "def handler(event, context):\n    return event\n"
NODE_ECHO = "exports.handler = async (event) => event;\n"
ROLE = "arn:aws:iam::000000000000:role/bench"
STAMP_HANDLER = (
    "import os, time\n"
    "def handler(event, context):\n"
    "    t = time.time()\n"
    "    with open(os.environ['OUT'], 'a') as f:\n"
    "        for r in event['Records']:\n"
    "            f.write('%s %.6f\\n' % (r['s3']['object']['key'], t))\n"
)
COUNT_HANDLER = "def handler(event, context):\n    return {'n': len(event['Records'])}\n"


def client(url, service):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test",
                        config=Config(retries={"total_max_attempts": 1}, read_timeout=300,
                                      s3={"addressing_style": "path"}))


def zipped(name, text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


def create(lam, name, runtime="python3.12", code=PY_ECHO, **extra):
    file_name, handler = ("index.js", "index.handler") if runtime.startswith("nodejs") else ("app.py", "app.handler")
    lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                        Code={"ZipFile": zipped(file_name, code)}, **extra)


def setup(url):
    lam = client(url, "lambda")
    create(lam, "bench-py")
    create(lam, "bench-node", runtime="nodejs20.x", code=NODE_ECHO)
    for name in ("bench-py", "bench-node"):
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
    print("setup=ok")


def cold(url):
    lam = client(url, "lambda")
    lam.list_functions()                      # the connection is open before the clock starts
    colds = []
    for _ in range(5):
        name = "bench-cold-%s" % uuid.uuid4().hex[:8]
        start = time.perf_counter()
        create(lam, name)
        lam.invoke(FunctionName=name, Payload=b"{}")["Payload"].read()
        colds.append((time.perf_counter() - start) * 1000)
        lam.delete_function(FunctionName=name)
    interp = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(["python3", "-c", "pass"], check=True)
        interp.append((time.perf_counter() - start) * 1000)
    print("cold_ms=%.1f python_ms=%.1f" % (statistics.median(colds), statistics.median(interp)))


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def s3_latency(url, count=200):
    lam, s3 = client(url, "lambda"), client(url, "s3")
    out = tempfile.mktemp(prefix="cloudless-bench-s3-")
    name = "bench-s3-%s" % uuid.uuid4().hex[:8]
    create(lam, name, code=STAMP_HANDLER, Environment={"Variables": {"OUT": out}})
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    bucket = "bench-trigger-%s" % uuid.uuid4().hex[:8]
    s3.create_bucket(Bucket=bucket)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::" + bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "LambdaFunctionConfigurations": [{"LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    lam.invoke(FunctionName=name, Payload=json.dumps({"Records": []}).encode())   # warm environment
    sent = {}
    for i in range(count):
        key = "k%d" % i
        sent[key] = time.time()
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        time.sleep(0.005)
    deadline = time.time() + 60
    started = {}
    while time.time() < deadline and len(started) < count:
        time.sleep(0.2)
        if os.path.exists(out):
            with open(out) as f:
                started = dict(line.split() for line in f if line.strip())
    latencies = [(float(started[k]) - sent[k]) * 1000 for k in sent if k in started]
    os.unlink(out)
    print("s3_p50_ms=%.1f s3_p99_ms=%.1f s3_delivered=%d s3_sent=%d" % (
        percentile(latencies, 50), percentile(latencies, 99), len(latencies), count))


def sqs_throughput(url, count=10000):
    lam, sqs = client(url, "lambda"), client(url, "sqs")
    name = "bench-sqs-%s" % uuid.uuid4().hex[:8]
    create(lam, name, code=COUNT_HANDLER)
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    uuid_ = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                            Enabled=False)["UUID"]
    for start in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "MessageBody": "message %d" % (start + i)} for i in range(10)])
    began = time.perf_counter()
    lam.update_event_source_mapping(UUID=uuid_, Enabled=True)
    while True:
        attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        if int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 0:
            break
        if time.perf_counter() - began > 300:
            print("sqs_error=timeout")
            return
        time.sleep(0.01)
    print("sqs_mps=%.0f sqs_msgs=%d" % (count / (time.perf_counter() - began), count))


def first_invoke(url, name, timeout=60):
    """Polls serverless-offline until it answers, then times the first real invoke."""
    deadline = time.time() + timeout
    path = "%s/2015-03-31/functions/%s/invocations" % (url, name)
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url + "/", method="GET"), timeout=1)
            break
        except urllib.error.HTTPError:
            break                               # it answers (404 for /): it is up
        except OSError:
            if time.time() > deadline:
                print("first_error=not-started")
                return
            time.sleep(0.05)
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(path, data=b"{}", method="POST"), timeout=60) as answer:
        answer.read()
    print("first_ms=%.1f" % ((time.perf_counter() - start) * 1000))


def main():
    command, url = sys.argv[1], sys.argv[2]
    if command == "setup":
        setup(url)
    elif command == "cold":
        cold(url)
    elif command == "s3":
        s3_latency(url)
    elif command == "sqs":
        sqs_throughput(url)
    elif command == "first-invoke":
        first_invoke(url, sys.argv[3])
    else:
        sys.exit("unknown command %s" % command)


if __name__ == "__main__":
    main()
