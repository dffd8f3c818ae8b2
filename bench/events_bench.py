"""EventBridge rows of bench/run.sh (boto3): sets up a rule on the default bus that
sends every event from source bench.events to an SQS queue, and measures delivery:
how long until every event s3load's events-put had acknowledged is in the queue.

  events_bench.py setup URL                 prints queue_url=...
  events_bench.py wait URL QUEUE_URL N T0   waits until the queue holds N messages
                                            (or TIMEOUT s pass); prints delivered=
                                            e2e_s= (seconds since T0, epoch seconds)
                                            and mps= (delivered / e2e_s)
"""
import json
import os
import sys
import time

import boto3
from botocore.config import Config

TIMEOUT_S = float(os.environ.get("EVENTS_WAIT_TIMEOUT", "120"))


def clients(url):
    kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test",
              config=Config(retries={"total_max_attempts": 3}))
    return boto3.client("events", **kw), boto3.client("sqs", **kw)


def setup(url):
    events, sqs = clients(url)
    queue_url = sqs.create_queue(QueueName="bench-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="bench-events", EventPattern=json.dumps({"source": ["bench.events"]}))
    events.put_targets(Rule="bench-events", Targets=[{"Id": "queue", "Arn": arn}])
    print("queue_url=%s" % queue_url)


def depth(sqs, queue_url):
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def wait(url, queue_url, count, started):
    _, sqs = clients(url)
    deadline = time.time() + TIMEOUT_S
    got = depth(sqs, queue_url)
    while got < count and time.time() < deadline:
        time.sleep(0.01)
        got = depth(sqs, queue_url)
    elapsed = time.time() - started
    print("delivered=%d e2e_s=%.3f mps=%.1f" % (got, elapsed, got / elapsed if elapsed > 0 else 0.0))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2])
    else:
        wait(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
