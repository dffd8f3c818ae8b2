"""DynamoDB Streams, time to live and Lambda stream event source mappings, with boto3 and
aws-cli v1 and v2: the Streams API (ListStreams, DescribeStream, GetShardIterator,
GetRecords) over every StreamViewType, its iterators and errors; the TTL sweep deleting
expired items with REMOVE records whose principal is the service; and mappings from a
stream to a function — filters, bisection, partial batch failures, retries and the
OnFailure queue — down to issue 13's test: every PutItem, UpdateItem and DeleteItem of
10,000 seen in key order across a kill -9 of the server, nothing lost and nothing
delivered again once its batch's success was recorded.

Handlers run as local processes and write what they were given to files named by their
OUT environment variable.
"""
import base64
import glob
import hashlib
import json
import os
import shutil
import struct
import tempfile
import threading
import time
import unittest

from botocore.exceptions import ClientError

import harness
from ddb_support import DdbTestCase, ddb_client
from events_support import ClockServer, client as events_client
from lambda_support import ROLE, client, make_zip, unique_name

VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


def streams_client():
    return client("dynamodbstreams")


class StreamsTestCase(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.streams = streams_client()

    def stream_table(self, label="s", view="NEW_AND_OLD_IMAGES", **extra):
        name = self.new_table(label, StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **extra)
        return name, self.ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]

    def shard(self, arn):
        return self.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def iterator(self, arn, kind="TRIM_HORIZON", **extra):
        return self.streams.get_shard_iterator(StreamArn=arn, ShardId=self.shard(arn), ShardIteratorType=kind,
                                               **extra)["ShardIterator"]

    def read_all(self, arn, iterator=None, limit=None):
        """Every record from the iterator (TRIM_HORIZON by default) to the end."""
        iterator = iterator or self.iterator(arn)
        records = []
        while iterator:
            page = self.streams.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
            records += page["Records"]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
        return records

    def assertStreamsError(self, call, code, message=None, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        if message is not None:
            self.assertEqual(error["Message"], message)
        return error


class StreamsApiTests(StreamsTestCase):

    def test_records_of_every_view_type(self):
        for view in VIEW_TYPES:
            with self.subTest(view=view):
                name, arn = self.stream_table("view", view)
                self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
                self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})   # no change: no record
                self.ddb.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                                     ExpressionAttributeValues={":v": {"N": "2"}})
                self.ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})
                self.ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})                  # gone: no record
                records = self.read_all(arn)
                self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"])
                images = {"KEYS_ONLY": (False, False), "NEW_IMAGE": (True, False), "OLD_IMAGE": (False, True),
                          "NEW_AND_OLD_IMAGES": (True, True)}[view]
                for record in records:
                    stream = record["dynamodb"]
                    self.assertEqual(record["eventSource"], "aws:dynamodb")
                    self.assertEqual(record["awsRegion"], harness.REGION)
                    self.assertEqual(len(record["eventID"]), 32)
                    self.assertEqual(stream["Keys"], {"pk": {"S": "a"}})
                    self.assertEqual(stream["StreamViewType"], view)
                    self.assertTrue(stream["SequenceNumber"].isdecimal())
                    self.assertGreater(stream["SizeBytes"], 0)
                    self.assertIn("ApproximateCreationDateTime", stream)
                    self.assertNotIn("userIdentity", record)
                    has_new = record["eventName"] != "REMOVE" and images[0]
                    has_old = record["eventName"] != "INSERT" and images[1]
                    self.assertEqual("NewImage" in stream, has_new, record)
                    self.assertEqual("OldImage" in stream, has_old, record)
                if images[0]:
                    self.assertEqual(records[1]["dynamodb"]["NewImage"]["v"], {"N": "2"})
                if images[1]:
                    self.assertEqual(records[1]["dynamodb"]["OldImage"]["v"], {"N": "1"})
                seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
                self.assertEqual(seqs, sorted(seqs))

    def test_batch_transaction_and_partiql_changes_are_recorded(self):
        name, arn = self.stream_table("forms", "KEYS_ONLY")
        self.ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b%d" % i}}}}
                                                       for i in range(3)]})
        self.ddb.transact_write_items(TransactItems=[
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "b0"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "t"}}}}])
        self.ddb.execute_statement(Statement="INSERT INTO \"%s\" VALUE {'pk': 'q'}" % name)
        records = self.read_all(arn)
        self.assertEqual([(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records],
                         [("INSERT", "b0"), ("INSERT", "b1"), ("INSERT", "b2"), ("REMOVE", "b0"), ("INSERT", "t"),
                          ("INSERT", "q")])

    def test_describe_and_list(self):
        name, arn = self.stream_table("desc", "NEW_IMAGE", range_key=("sk", "N"))
        other, other_arn = self.stream_table("desc2", "KEYS_ONLY")
        listed = self.streams.list_streams(TableName=name)["Streams"]
        self.assertEqual(listed, [{"StreamArn": arn, "TableName": name, "StreamLabel": arn.rsplit("/", 1)[1]}])
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamArn"], arn)
        self.assertEqual(desc["StreamStatus"], "ENABLED")
        self.assertEqual(desc["StreamViewType"], "NEW_IMAGE")
        self.assertEqual(desc["TableName"], name)
        self.assertEqual(desc["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}])
        self.assertIn("CreationRequestDateTime", desc)
        self.assertEqual(len(desc["Shards"]), 1)
        shard = desc["Shards"][0]
        self.assertTrue(shard["ShardId"].startswith("shardId-"))
        self.assertTrue(28 <= len(shard["ShardId"]) <= 65)
        self.assertTrue(shard["SequenceNumberRange"]["StartingSequenceNumber"].isdecimal())
        self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])
        self.assertNotIn("LastEvaluatedShardId", desc)
        after = self.streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=shard["ShardId"])
        self.assertEqual(after["StreamDescription"]["Shards"], [])
        # Paging through the account's streams one at a time finds both.
        found, start = [], None
        while True:
            page = self.streams.list_streams(Limit=1, **({"ExclusiveStartStreamArn": start} if start else {}))
            found += [s["StreamArn"] for s in page["Streams"]]
            start = page.get("LastEvaluatedStreamArn")
            if not start:
                break
        self.assertIn(arn, found)
        self.assertIn(other_arn, found)
        self.assertEqual(len(found), len(set(found)))
        self.assertEqual(self.streams.list_streams(TableName="no-such-table")["Streams"], [])

    def test_iterators(self):
        name, arn = self.stream_table("iter", "KEYS_ONLY")
        for i in range(5):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}})
        records = self.read_all(arn, limit=2)
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in records], ["k%d" % i for i in range(5)])
        seqs = [r["dynamodb"]["SequenceNumber"] for r in records]
        at = self.streams.get_records(ShardIterator=self.iterator(arn, "AT_SEQUENCE_NUMBER", SequenceNumber=seqs[2]))
        self.assertEqual([r["dynamodb"]["SequenceNumber"] for r in at["Records"]], seqs[2:])
        after = self.streams.get_records(
            ShardIterator=self.iterator(arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=seqs[2]))
        self.assertEqual([r["dynamodb"]["SequenceNumber"] for r in after["Records"]], seqs[3:])
        latest = self.iterator(arn, "LATEST")
        page = self.streams.get_records(ShardIterator=latest)
        self.assertEqual(page["Records"], [])
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "late"}})
        page = self.streams.get_records(ShardIterator=page["NextShardIterator"])
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]], ["late"])
        # An iterator works again (it is a position, not a cursor) and across a new client.
        again = streams_client().get_records(ShardIterator=latest)
        self.assertEqual(len(again["Records"]), 1)

    def test_expired_and_mangled_iterators(self):
        name, arn = self.stream_table("expire", "KEYS_ONLY")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
        good = self.iterator(arn)
        prefix, _, payload = good.partition("|1|")
        raw = base64.b64decode(payload)
        stream_id, position, _issued = struct.unpack(">qqq", raw[:24])
        # The same iterator, issued 16 minutes ago (the check value as the format defines it).
        issued = int(time.time() * 1000) - 16 * 60 * 1000
        fields = struct.pack(">qqq", stream_id, position, issued)
        old = prefix + "|1|" + base64.b64encode(fields + hashlib.sha256(prefix.encode() + fields).digest()[:8]).decode()
        error = self.assertStreamsError(self.streams.get_records, "ExpiredIteratorException", ShardIterator=old)
        self.assertIn("900000 milliseconds", error["Message"])
        mangled = prefix + "|1|" + base64.b64encode(struct.pack(">qqq", stream_id, position + 1, _issued)
                                                      + raw[24:]).decode()
        self.assertStreamsError(self.streams.get_records, "ValidationException", "Invalid ShardIterator",
                                ShardIterator=mangled)
        self.assertStreamsError(self.streams.get_records, "ValidationException", "Invalid ShardIterator",
                                ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg")
        self.assertStreamsError(self.streams.get_records, "ValidationException",
                                "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: "
                                "Member must have value less than or equal to 1000", ShardIterator=good, Limit=1001)

    def test_errors(self):
        name, arn = self.stream_table("errs", "KEYS_ONLY")
        shard = self.shard(arn)
        missing = arn.replace(name, name + "-gone")
        self.assertStreamsError(self.streams.describe_stream, "ResourceNotFoundException",
                                "Requested resource not found: Stream: %s not found" % missing, StreamArn=missing)
        self.assertStreamsError(self.streams.describe_stream, "ValidationException",
                                StreamArn="sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf")
        self.assertStreamsError(self.streams.get_shard_iterator, "ResourceNotFoundException",
                                "Requested resource not found: Shard does not exist", StreamArn=arn,
                                ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST")
        self.assertStreamsError(self.streams.get_shard_iterator, "ValidationException", StreamArn=arn, ShardId=shard,
                                ShardIteratorType="AT_SEQUENCE_NUMBER")
        self.assertStreamsError(self.streams.get_shard_iterator, "ValidationException", StreamArn=arn, ShardId=shard,
                                ShardIteratorType="LATEST", SequenceNumber="100000000000000000001")
        self.assertStreamsError(self.streams.get_shard_iterator, "ValidationException", StreamArn=arn, ShardId=shard,
                                ShardIteratorType="AT_SEQUENCE_NUMBER",
                                SequenceNumber="sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv")
        self.assertStreamsError(self.streams.list_streams, "ValidationException",
                                ExclusiveStartStreamArn="kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")
        # Another region's stream is not found here.
        elsewhere = client("dynamodbstreams")
        elsewhere_arn = arn.replace(":" + harness.REGION + ":", ":eu-west-1:")
        self.assertStreamsError(elsewhere.describe_stream, "ResourceNotFoundException", StreamArn=elsewhere_arn)

    def test_disabled_stream_is_a_closed_shard(self):
        name, arn = self.stream_table("closed", "KEYS_ONLY")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
        self.ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})      # no stream: no record
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "DISABLED")
        self.assertIn("EndingSequenceNumber", desc["Shards"][0]["SequenceNumberRange"])
        page = self.streams.get_records(ShardIterator=self.iterator(arn))
        self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]], ["a"])
        self.assertNotIn("NextShardIterator", page)     # the end of a closed shard
        self.ddb.update_table(TableName=name,
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        newer = self.ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        self.assertNotEqual(newer, arn)
        self.assertEqual([s["StreamArn"] for s in self.streams.list_streams(TableName=name)["Streams"]], [newer, arn])

    def test_cli_v1_and_v2(self):
        name, arn = self.stream_table("cli", "NEW_IMAGE")
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "7"}})
        shard = self.shard(arn)
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            with self.subTest(cli=binary):
                listed = harness.aws_cli(binary, "dynamodbstreams", "list-streams", "--table-name", name)
                self.assertEqual(listed.returncode, 0, listed.stderr)
                self.assertEqual(json.loads(listed.stdout)["Streams"][0]["StreamArn"], arn)
                got = harness.aws_cli(binary, "dynamodbstreams", "get-shard-iterator", "--stream-arn", arn,
                                      "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")
                self.assertEqual(got.returncode, 0, got.stderr)
                read = harness.aws_cli(binary, "dynamodbstreams", "get-records", "--shard-iterator",
                                       json.loads(got.stdout)["ShardIterator"])
                self.assertEqual(read.returncode, 0, read.stderr)
                record = json.loads(read.stdout)["Records"][0]
                self.assertEqual(record["dynamodb"]["NewImage"], {"pk": {"S": "a"}, "n": {"N": "7"}})


class TimeToLiveTests(StreamsTestCase):

    def test_sweep_deletes_expired_items_with_the_service_as_principal(self):
        name, arn = self.stream_table("ttl", "NEW_AND_OLD_IMAGES")
        self.ddb.update_time_to_live(TableName=name,
                                     TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        now = int(time.time())
        for i in range(300):
            expires = now - 60 if i % 3 == 0 else now + 3600
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "k%03d" % i}, "expires": {"N": str(expires)}})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "text"}, "expires": {"S": str(now - 60)}})
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "none"}})
        # Before the sweep reaches it, an expired item is still there (as on AWS).
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "fresh"}, "expires": {"N": str(now - 1)}})
        self.assertIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "fresh"}}))

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            count = self.ddb.scan(TableName=name, Select="COUNT")["Count"]
            if count == 202:
                break
            time.sleep(0.5)
        self.assertEqual(count, 202)       # 200 unexpired, and the items without a number expiry
        self.assertNotIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "fresh"}}))
        self.assertIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "text"}}))
        removals = [r for r in self.read_all(arn) if r["eventName"] == "REMOVE"]
        self.assertEqual(len(removals), 101)
        for record in removals:
            self.assertEqual(record["userIdentity"], {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"})
            self.assertIn("OldImage", record["dynamodb"])
        # A user's own delete has no userIdentity.
        self.ddb.delete_item(TableName=name, Key={"pk": {"S": "k001"}})
        last = self.read_all(arn)[-1]
        self.assertEqual(last["eventName"], "REMOVE")
        self.assertNotIn("userIdentity", last)


    def test_a_moved_clock_expires_items(self):
        """With --clock-control the sweep reads the server's clock: a day ahead, a day's TTL is past."""
        server = ClockServer("cloudless-ttl-clock-")
        self.addCleanup(server.stop)
        ddb = events_client("dynamodb", server.url)
        name = unique_name("ttlclock")
        ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 100})
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        now = server.now_ms() // 1000
        ddb.put_item(TableName=name, Item={"pk": {"S": "day"}, "exp": {"N": str(now + 86400)}})
        ddb.put_item(TableName=name, Item={"pk": {"S": "week"}, "exp": {"N": str(now + 7 * 86400)}})
        time.sleep(6)                      # a sweep on real time removes nothing
        self.assertEqual(ddb.scan(TableName=name, Select="COUNT")["Count"], 2)
        server.advance(86400 + 60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": "day"}}):
            time.sleep(0.5)
        self.assertNotIn("Item", ddb.get_item(TableName=name, Key={"pk": {"S": "day"}}))
        self.assertIn("Item", ddb.get_item(TableName=name, Key={"pk": {"S": "week"}}))

# ---- Lambda event source mappings from a stream ----------------------------------------------

RECORDING_HANDLER = """
import json, os
def handler(event, context):
    with open(os.path.join(os.environ["OUT"], context.aws_request_id + ".json"), "w") as f:
        json.dump(event, f)
    return {}
"""

# Appends each batch (sequence number, key, event of every record) as one line of
# OUT/batches, synced before the function answers; sleeps DELAY seconds first.
LOGGING_HANDLER = """
import json, os, time
def handler(event, context):
    time.sleep(float(os.environ.get("DELAY", "0")))
    line = json.dumps([[r["dynamodb"]["SequenceNumber"], r["dynamodb"]["Keys"]["pk"]["S"], r["eventName"]]
                       for r in event["Records"]])
    with open(os.path.join(os.environ["OUT"], "batches"), "a") as f:
        f.write(line + "\\n")
        f.flush()
        os.fsync(f.fileno())
    return {}
"""

# Logs every batch's keys; fails a batch holding key "bad"; reports records with key
# "partial" as batchItemFailures the first time it sees them.
FAILING_HANDLER = """
import json, os
def handler(event, context):
    keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
    with open(os.path.join(os.environ["OUT"], "batches"), "a") as f:
        f.write(json.dumps(keys) + "\\n")
    if "bad" in keys:
        raise RuntimeError("cannot process")
    seen = os.path.join(os.environ["OUT"], "partial-seen")
    failures = []
    for r in event["Records"]:
        if r["dynamodb"]["Keys"]["pk"]["S"] == "partial" and not os.path.exists(seen):
            open(seen, "w").close()
            failures.append({"itemIdentifier": r["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}
"""


class StreamMappingTestCase(StreamsTestCase):

    def setUp(self):
        super().setUp()
        self.lam = client("lambda")
        self.sqs = client("sqs")

    def out_dir(self):
        folder = tempfile.mkdtemp(prefix="cloudless-ddb-stream-")
        self.addCleanup(shutil.rmtree, folder, True)
        return folder

    def function(self, code, label="fn", **variables):
        name = unique_name(label)
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Handler="app.handler", Role=ROLE,
                                 Code={"ZipFile": make_zip({"app.py": code})},
                                 Environment={"Variables": variables})
        self.addCleanup(self._quietly, lambda: client("lambda").delete_function(FunctionName=name))
        return name

    def mapping(self, **kwargs):
        created = self.lam.create_event_source_mapping(**kwargs)
        self.addCleanup(self._quietly, lambda: client("lambda").delete_event_source_mapping(UUID=created["UUID"]))
        return created

    @staticmethod
    def _quietly(call):
        try:
            call()
        except Exception:  # noqa: BLE001 - cleanup only
            pass

    def batches(self, out):
        path = os.path.join(out, "batches")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f.read().splitlines() if line.strip()]

    def wait_for(self, predicate, timeout=30.0, interval=0.1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        self.fail("condition not met within %.0fs" % timeout)

    def assertLambdaError(self, code, status, **kwargs):
        with self.assertRaises(ClientError) as caught:
            self.lam.create_event_source_mapping(**kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], code, response["Error"])
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status)
        return response["Error"]["Message"]


class StreamMappingTests(StreamMappingTestCase):

    def test_api_and_errors(self):
        name, arn = self.stream_table("esmapi", "NEW_IMAGE")
        fn = self.function(RECORDING_HANDLER, OUT=self.out_dir())
        message = self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn)
        self.assertEqual(message, "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                                  "constraint: Member must not be null.")
        message = self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn,
                                         StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=time.time())
        self.assertEqual(message, "Unsupported starting position for arn type: %s" % arn)
        missing = arn.replace(name, name + "-gone")
        message = self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=missing,
                                         FunctionName=fn, StartingPosition="LATEST")
        self.assertEqual(message, "Stream not found: %s" % missing)
        message = self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn,
                                         StartingPosition="LATEST",
                                         FilterCriteria={"Filters": [{"Pattern": "{\"eventName\": \"INSERT\"}"}]})
        self.assertEqual(message, "Invalid filter pattern definition.")
        message = self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn,
                                         StartingPosition="LATEST",
                                         DestinationConfig={"OnSuccess": {"Destination": "arn:aws:sqs:x"}})
        self.assertEqual(message, "Unsupported DestinationConfig parameter for given event source mapping type.")
        self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn,
                               StartingPosition="LATEST", Topics=["orders"])
        self.assertLambdaError("InvalidParameterValueException", 400, EventSourceArn=arn, FunctionName=fn,
                               StartingPosition="LATEST", MaximumRecordAgeInSeconds=30)
        self.assertLambdaError("ValidationException", 400, EventSourceArn=arn, FunctionName=fn,
                               StartingPosition="LATEST", ParallelizationFactor=11)
        self.assertLambdaError("ResourceNotFoundException", 404, EventSourceArn=arn, FunctionName=fn + "-gone",
                               StartingPosition="LATEST")

        queue_url = self.sqs.create_queue(QueueName=unique_name("esmdlq"))["QueueUrl"]
        self.addCleanup(self._quietly, lambda: client("sqs").delete_queue(QueueUrl=queue_url))
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        created = self.mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", BatchSize=50,
                               MaximumBatchingWindowInSeconds=1, ParallelizationFactor=2,
                               BisectBatchOnFunctionError=True, MaximumRetryAttempts=3,
                               MaximumRecordAgeInSeconds=3600, FunctionResponseTypes=["ReportBatchItemFailures"],
                               DestinationConfig={"OnFailure": {"Destination": queue_arn}},
                               FilterCriteria={"Filters": [{"Pattern": "{\"eventName\": [\"INSERT\"]}"}]})
        self.assertEqual(created["State"], "Creating")
        expected = {"StartingPosition": "TRIM_HORIZON", "BatchSize": 50, "MaximumBatchingWindowInSeconds": 1,
                    "ParallelizationFactor": 2, "EventSourceArn": arn, "BisectBatchOnFunctionError": True,
                    "MaximumRetryAttempts": 3, "MaximumRecordAgeInSeconds": 3600,
                    "FunctionResponseTypes": ["ReportBatchItemFailures"], "TumblingWindowInSeconds": 0,
                    "DestinationConfig": {"OnFailure": {"Destination": queue_arn}},
                    "FilterCriteria": {"Filters": [{"Pattern": "{\"eventName\": [\"INSERT\"]}"}]},
                    "LastProcessingResult": "No records processed", "StateTransitionReason": "User action"}
        for key, value in expected.items():
            self.assertEqual(created[key], value, key)
        got = self.lam.get_event_source_mapping(UUID=created["UUID"])
        self.assertEqual(got["State"], "Enabled")
        for key, value in expected.items():
            self.assertEqual(got[key], value, key)
        message = self.assertLambdaError("ResourceConflictException", 409, EventSourceArn=arn, FunctionName=fn,
                                         StartingPosition="LATEST")
        self.assertIn(created["UUID"], message)
        updated = self.lam.update_event_source_mapping(UUID=created["UUID"], BatchSize=10, MaximumRetryAttempts=-1,
                                                       FilterCriteria={}, DestinationConfig={"OnFailure": {}})
        self.assertEqual(updated["State"], "Updating")
        got = self.lam.get_event_source_mapping(UUID=created["UUID"])
        self.assertEqual((got["BatchSize"], got["MaximumRetryAttempts"], got["DestinationConfig"]),
                         (10, -1, {"OnFailure": {}}))
        self.assertNotIn("FilterCriteria", got)
        listed = self.lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in listed], [created["UUID"]])

    def test_changes_reach_the_function_in_order_with_filters(self):
        name, arn = self.stream_table("esmflow", "NEW_AND_OLD_IMAGES")
        out = self.out_dir()
        fn = self.function(RECORDING_HANDLER, OUT=out)
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "before"}})          # before LATEST: not seen
        self.mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="LATEST", BatchSize=4,
                     FilterCriteria={"Filters": [
                         {"Pattern": json.dumps({"eventName": ["INSERT", "REMOVE"]})},
                         {"Pattern": json.dumps({"dynamodb": {"NewImage": {"s": {"S": [{"prefix": "hot"}]}}}})}]})
        for i in range(6):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "v": {"N": "1"}})
        self.ddb.update_item(TableName=name, Key={"pk": {"S": "k0"}}, UpdateExpression="SET s = :s",
                             ExpressionAttributeValues={":s": {"S": "cold"}})   # filtered out
        self.ddb.update_item(TableName=name, Key={"pk": {"S": "k1"}}, UpdateExpression="SET s = :s",
                             ExpressionAttributeValues={":s": {"S": "hotter"}}) # matches the second filter
        self.ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})

        def delivered():
            events = []
            for path in glob.glob(os.path.join(out, "*.json")):
                with open(path) as f:
                    events.append(json.load(f))
            records = sorted((r for e in events for r in e["Records"]),
                             key=lambda r: int(r["dynamodb"]["SequenceNumber"]))
            return records if len(records) == 8 else None

        records = self.wait_for(delivered)
        self.assertEqual([(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records],
                         [("INSERT", "k%d" % i) for i in range(6)] + [("MODIFY", "k1"), ("REMOVE", "k0")])
        first = records[0]
        self.assertEqual(first["eventSourceARN"], arn)
        self.assertEqual(first["eventSource"], "aws:dynamodb")
        self.assertEqual(first["eventVersion"], "1.1")
        self.assertEqual(first["dynamodb"]["NewImage"], {"pk": {"S": "k0"}, "v": {"N": "1"}})
        self.assertIsInstance(first["dynamodb"]["ApproximateCreationDateTime"], (int, float))
        self.assertEqual(records[6]["dynamodb"]["OldImage"], {"pk": {"S": "k1"}, "v": {"N": "1"}})
        self.assertEqual(records[6]["dynamodb"]["NewImage"]["s"], {"S": "hotter"})
        time.sleep(0.5)
        self.assertEqual(delivered(), records)                                  # nothing more, nothing twice

    def test_failures_bisect_report_items_and_go_to_the_failure_queue(self):
        name, arn = self.stream_table("esmfail", "KEYS_ONLY")
        out = self.out_dir()
        fn = self.function(FAILING_HANDLER, OUT=out)
        queue_url = self.sqs.create_queue(QueueName=unique_name("esmfail"))["QueueUrl"]
        self.addCleanup(self._quietly, lambda: client("sqs").delete_queue(QueueUrl=queue_url))
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue_url,
                                                  AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        for key in ["a", "b", "bad", "c", "partial", "d"]:
            self.ddb.put_item(TableName=name, Item={"pk": {"S": key}})
        mapping = self.mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", BatchSize=10,
                               BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
                               FunctionResponseTypes=["ReportBatchItemFailures"],
                               DestinationConfig={"OnFailure": {"Destination": queue_arn}})

        def failure_record():
            messages = self.sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
            return json.loads(messages[0]["Body"]) if messages else None

        record = self.wait_for(failure_record)
        self.assertEqual(record["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        info = record["DDBStreamBatchInfo"]
        self.assertEqual(info["batchSize"], 1)
        self.assertEqual(info["streamArn"], arn)
        self.assertEqual(info["startSequenceNumber"], info["endSequenceNumber"])
        self.assertTrue(info["shardId"].startswith("shardId-"))
        bad = [r for r in self.read_all(arn) if r["dynamodb"]["Keys"]["pk"]["S"] == "bad"][0]
        self.assertEqual(info["startSequenceNumber"], bad["dynamodb"]["SequenceNumber"])

        def finished():
            done = [key for batch in self.batches(out) if "bad" not in batch for key in batch]
            return done if "d" in done and done.count("partial") >= 2 else None

        self.wait_for(finished)
        batches = self.batches(out)
        # The whole batch failed, then was halved until "bad" stood alone (twice: one retry).
        self.assertEqual(batches[0], ["a", "b", "bad", "c", "partial", "d"])
        self.assertEqual([b for b in batches if b == ["bad"]], [["bad"], ["bad"]])
        done = [key for batch in batches if "bad" not in batch for key in batch]
        for key in ["a", "b", "c", "d"]:
            self.assertIn(key, done)
        # "partial" was reported failed once: retried from it, so seen twice.
        self.assertEqual(sum(batch.count("partial") for batch in batches if "bad" not in batch), 2)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"], "OK")


@unittest.skipUnless(os.environ.get("CLOUDLESS_BIN"), "needs a server managed by the fixture (CLOUDLESS_BIN)")
class StreamMappingDurabilityTests(StreamMappingTestCase):
    """Issue 13: a stream-triggered Lambda sees every PutItem, UpdateItem and DeleteItem of
    10,000 in key order, across a kill -9 of the server, with nothing lost and nothing
    delivered again after its batch's success was recorded."""

    KEYS = 3334                     # a put, an update and a delete each: 10,002 changes
    WRITERS = 4

    def write_keys(self, name, keys):
        errors = []

        def writer(part):
            ddb = ddb_client()
            try:
                for key in part:
                    ddb.put_item(TableName=name, Item={"pk": {"S": key}, "v": {"N": "1"}})
                    ddb.update_item(TableName=name, Key={"pk": {"S": key}}, UpdateExpression="SET v = v + :one",
                                    ExpressionAttributeValues={":one": {"N": "1"}})
                    ddb.delete_item(TableName=name, Key={"pk": {"S": key}})
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=writer, args=(keys[i::self.WRITERS],)) for i in range(self.WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

    def test_ten_thousand_changes_across_kill_9(self):
        name, arn = self.stream_table("esmkill", "KEYS_ONLY")
        out = self.out_dir()
        fn = self.function(LOGGING_HANDLER, label="esmkill", OUT=out, DELAY="0.05")
        self.mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", BatchSize=100)
        keys = ["k%05d" % i for i in range(self.KEYS)]
        half = len(keys) // 2
        self.write_keys(name, keys[:half])
        # Kill -9 while the function is still working through the first half.
        self.wait_for(lambda: len(self.batches(out)) >= 5, timeout=60)
        self.assertLess(sum(len(b) for b in self.batches(out)), 3 * half)
        self.endpoint.kill9_and_restart()
        self.ddb = ddb_client()
        self.write_keys(name, keys[half:])

        total = 3 * len(keys)
        self.wait_for(lambda: len({r[0] for b in self.batches(out) for r in b}) >= total, timeout=180, interval=0.5)
        batches = self.batches(out)
        delivered = [r for b in batches for r in b]
        # Nothing lost: every change, once per key in put, update, delete order.
        per_key = {}
        seen = set()
        for seq, key, event in delivered:
            if seq in seen:
                continue
            seen.add(seq)
            per_key.setdefault(key, []).append((int(seq), event))
        self.assertEqual(len(seen), total)
        self.assertEqual(sorted(per_key), keys)
        for key, events in per_key.items():
            self.assertEqual([e for _, e in events], ["INSERT", "MODIFY", "REMOVE"], key)
            self.assertEqual([s for s, _ in events], sorted(s for s, _ in events), key)
        # In stream order, and delivered again only once: after the kill the mapping
        # resumed at most one batch back (the one whose success was not yet recorded).
        rewinds = []
        last = 0
        for index, batch in enumerate(batches):
            first = int(batch[0][0])
            if first <= last:
                rewinds.append(index)
            for seq, _, _ in batch:
                self.assertTrue(int(seq) > last or rewinds and rewinds[-1] == index, (index, seq, last))
                last = max(last, int(seq))
        self.assertLessEqual(len(rewinds), 1, rewinds)
        if rewinds:
            index = rewinds[0]
            redelivered = {r[0] for r in batches[index]} & {r[0] for b in batches[:index] for r in b}
            self.assertTrue(redelivered <= {r[0] for r in batches[index - 1]}, "more than the last batch again")


if __name__ == "__main__":
    unittest.main()
