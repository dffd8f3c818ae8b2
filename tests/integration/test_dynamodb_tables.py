"""DynamoDB's control plane through boto3: CreateTable with every setting, DescribeTable
and the waiters, ListTables paging, UpdateTable (throughput, billing, indexes created
with their backfill and dropped, streams), DeleteTable, tags, time to live, continuous
backups, DescribeLimits, DescribeEndpoints, AWS's errors, and what is not served.
"""
import json
import time
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
from botocore.exceptions import ClientError

import harness
from ddb_support import ACCOUNT, DdbTestCase, ddb_client, unique_table


class CreateDescribeTests(DdbTestCase):

    def test_create_answers_creating_then_describe_is_active(self):
        name = unique_table("basic")
        self.addCleanup(self._delete_table, name)
        created = self.ddb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 3})["TableDescription"]
        self.assertEqual(created["TableStatus"], "CREATING")
        self.assertEqual(created["TableArn"], "arn:aws:dynamodb:us-east-1:%s:table/%s" % (ACCOUNT, name))
        self.assertRegex(created["TableId"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertEqual(created["ProvisionedThroughput"],
                         {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 3})
        # a data-plane call before the table is ACTIVE is refused, as on AWS
        self.assertDdbError(self.ddb.get_item, "ResourceNotFoundException", "Requested resource not found",
                            TableName=name, Key={"pk": {"S": "x"}})
        self.assertDdbError(self.ddb.delete_table, "ResourceInUseException",
                            "Attempt to change a resource which is still in use: Table is being created: " + name,
                            TableName=name)
        # the waiter's first DescribeTable sees ACTIVE
        started = time.monotonic()
        self.ddb.get_waiter("table_exists").wait(TableName=name)
        self.assertLess(time.monotonic() - started, 5)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual(table["ItemCount"], 0)

    def test_everything_a_table_can_have(self):
        members = self.ddb.meta.service_model.operation_model("CreateTable").input_shape.members
        if "DeletionProtectionEnabled" not in members:
            self.skipTest("this botocore predates DeletionProtectionEnabled")
        name = self.new_table(
            "full", range_key=("sk", "N"), extra_attributes=[("lsk", "S"), ("gpk", "S"), ("gsk", "B")],
            LocalSecondaryIndexes=[{"IndexName": "by-lsk",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "lsk", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            GlobalSecondaryIndexes=[{"IndexName": "by-gpk",
                                     "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                                                   {"AttributeName": "gsk", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            SSESpecification={"Enabled": True, "SSEType": "KMS"},
            Tags=[{"Key": "env", "Value": "test"}], TableClass="STANDARD_INFREQUENT_ACCESS",
            DeletionProtectionEnabled=True)
        self.addCleanup(self.ddb.update_table, TableName=name, DeletionProtectionEnabled=False)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual([i["IndexName"] for i in table["LocalSecondaryIndexes"]], ["by-lsk"])
        gsi = table["GlobalSecondaryIndexes"][0]
        self.assertEqual((gsi["IndexName"], gsi["IndexStatus"]), ("by-gpk", "ACTIVE"))
        self.assertEqual(gsi["Projection"], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]})
        self.assertEqual(gsi["IndexArn"], table["TableArn"] + "/index/by-gpk")
        self.assertEqual(table["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertEqual(table["LatestStreamArn"], table["TableArn"] + "/stream/" + table["LatestStreamLabel"])
        self.assertEqual(table["SSEDescription"]["Status"], "ENABLED")
        self.assertEqual(table["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertTrue(table["DeletionProtectionEnabled"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"],
                         [{"Key": "env", "Value": "test"}])
        self.assertDdbError(self.ddb.delete_table, "ValidationException",
                            "Resource cannot be deleted as it is currently protected against deletion. Disable "
                            "deletion protection first.", TableName=name)

    def test_create_errors(self):
        name = self.new_table("dup")
        self.assertDdbError(self.ddb.create_table, "ResourceInUseException", "Table already exists: " + name,
                            TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        self.assertDdbError(self.ddb.create_table, "ValidationException",
                            "One or more parameter values were invalid: Some index key attributes are not defined in "
                            "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]",
                            TableName=unique_table("bad"), KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        self.assertDdbError(self.ddb.create_table, "ValidationException",
                            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must "
                            "both be specified when BillingMode is PROVISIONED",
                            TableName=unique_table("bad"), KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        self.assertDdbError(
            self.ddb.create_table, "ValidationException",
            "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            TableName="abc;", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")

    def test_describe_missing_table(self):
        self.assertDdbError(self.ddb.describe_table, "ResourceNotFoundException",
                            "Requested resource not found: Table: nothere not found", TableName="nothere")

    def test_waiter_for_deletion(self):
        name = self.new_table("gone")
        described = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(described["TableStatus"], "DELETING")
        self.ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        self.assertNotIn(name, self.ddb.list_tables()["TableNames"])


class ListTablesTests(DdbTestCase):

    def test_paging(self):
        names = sorted(self.new_table("list%d" % i, wait=False) for i in range(5))
        seen, start = [], None
        while True:
            page = self.ddb.list_tables(Limit=2, **({"ExclusiveStartTableName": start} if start else {}))
            seen += page["TableNames"]
            start = page.get("LastEvaluatedTableName")
            if not start:
                break
        self.assertEqual([n for n in seen if n in names], names)
        self.assertEqual(seen, sorted(seen))
        paginated = [n for p in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3})
                     for n in p["TableNames"]]
        self.assertEqual(paginated, seen)
        self.assertDdbError(self.ddb.list_tables, "ValidationException",
                            "1 validation error detected: Value '500' at 'limit' failed to satisfy constraint: "
                            "Member must have value less than or equal to 100", Limit=500)


    def test_signed_in_the_query_string(self):
        """A presigned request (the signature in the query, the body's hash signed, as dynalite's tests send)."""
        class BodyKeepingQueryAuth(botocore.auth.SigV4QueryAuth):
            """botocore's query signer moves a body into the query; these clients keep it and sign its hash."""
            def _modify_request_before_signing(self, request):
                body, request.data = request.data, ""
                super()._modify_request_before_signing(request)
                request.data = body

        def send(secret):
            request = botocore.awsrequest.AWSRequest(
                method="POST", url=self.endpoint.url + "/", data=b"{}",
                headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables"})
            BodyKeepingQueryAuth(botocore.credentials.Credentials(harness.ACCESS_KEY, secret), "dynamodb",
                                 harness.REGION).add_auth(request)
            try:
                with urllib.request.urlopen(urllib.request.Request(request.url, data=b"{}", method="POST",
                                                                   headers=dict(request.headers))) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        status, answer = send(harness.SECRET_KEY)
        self.assertEqual(status, 200, answer)
        self.assertIn("TableNames", answer)
        status, answer = send("not-the-secret")
        self.assertEqual((status, answer["__type"]), (400, "com.amazon.coral.service#InvalidSignatureException"))

class UpdateTableTests(DdbTestCase):

    def test_throughput_change_is_updating_then_active(self):
        name = self.new_table("tp", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        updated = self.ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 4,
                                                                               "WriteCapacityUnits": 2})
        self.assertEqual(updated["TableDescription"]["TableStatus"], "UPDATING")
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual((table["ProvisionedThroughput"]["ReadCapacityUnits"],
                          table["ProvisionedThroughput"]["WriteCapacityUnits"]), (4, 2))
        self.assertDdbError(self.ddb.update_table, "ValidationException", TableName=name,
                            ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 2})
        self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

    def test_index_created_on_full_table_is_backfilled_then_dropped(self):
        name = self.new_table("gsi")
        with self.ddb_batch(name) as put:
            for i in range(2500):
                item = {"pk": {"S": "k%05d" % i}}
                if i % 2 == 0:
                    item["color"] = {"S": "red" if i % 4 == 0 else "blue"}
                put(item)
        updated = self.ddb.update_table(
            TableName=name, AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by-color",
                                                     "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        index = updated["TableDescription"]["GlobalSecondaryIndexes"][0]
        self.assertEqual(index["IndexStatus"], "CREATING")
        self.assertTrue(index.get("Backfilling"))
        deadline = time.monotonic() + 30
        while self.ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] != "ACTIVE":
            self.assertLess(time.monotonic(), deadline, "the backfill did not finish")
            time.sleep(0.2)
        count = sum(p["Count"] for p in self.ddb.get_paginator("query").paginate(
            TableName=name, IndexName="by-color", KeyConditionExpression="color = :c",
            ExpressionAttributeValues={":c": {"S": "red"}}))
        self.assertEqual(count, 625)
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["GlobalSecondaryIndexes"][0]["ItemCount"], 1250)
        self.assertEqual(table["ItemCount"], 2500)
        dropped = self.ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-color"}}])
        self.assertEqual(dropped["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"], "DELETING")
        self.assertNotIn("GlobalSecondaryIndexes", self.ddb.describe_table(TableName=name)["Table"])
        self.assertDdbError(self.ddb.query, "ValidationException",
                            "The table does not have the specified index: by-color", TableName=name,
                            IndexName="by-color", KeyConditionExpression="color = :c",
                            ExpressionAttributeValues={":c": {"S": "red"}})

    def ddb_batch(self, name):
        ddb = self.ddb

        class Batch:
            def __enter__(self):
                self.pending = []
                return self.put

            def put(self, item):
                self.pending.append({"PutRequest": {"Item": item}})
                if len(self.pending) == 25:
                    self.flush()

            def flush(self):
                if self.pending:
                    ddb.batch_write_item(RequestItems={name: self.pending})
                    self.pending = []

            def __exit__(self, *exc):
                self.flush()
        return Batch()

    def test_stream_enable_disable(self):
        name = self.new_table("stream")
        updated = self.ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True,
                                                                             "StreamViewType": "KEYS_ONLY"})
        label = updated["TableDescription"]["LatestStreamLabel"]
        self.ddb.get_waiter("table_exists").wait(TableName=name)
        self.assertDdbError(self.ddb.update_table, "ValidationException",
                            "Table already has an enabled stream: TableName: " + name,
                            TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        self.assertDdbError(self.ddb.update_table, "ResourceInUseException",
                            "Attempt to change a resource which is still in use: Table is being updated: " + name,
                            TableName=name, BillingMode="PAY_PER_REQUEST")
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertNotIn("StreamSpecification", table)
        self.assertEqual(table["LatestStreamLabel"], label)

    def test_update_errors(self):
        self.assertDdbError(self.ddb.update_table, "ResourceNotFoundException",
                            "Requested resource not found: Table: nothere not found",
                            TableName="nothere", BillingMode="PAY_PER_REQUEST")
        name = self.new_table("upd")
        self.assertDdbError(self.ddb.update_table, "ValidationException",
                            "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                            "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
                            TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})


class SettingsTests(DdbTestCase):

    def test_time_to_live(self):
        name = self.new_table("ttl")
        self.assertEqual(self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "DISABLED"})
        spec = self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                                       "AttributeName": "exp"})
        self.assertEqual(spec["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "exp"})
        self.assertEqual(self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        self.assertDdbError(self.ddb.update_time_to_live, "ValidationException", "TimeToLive is already enabled",
                            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "exp"})
        self.assertEqual(self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"],
                         "DISABLED")

    def test_continuous_backups(self):
        name = self.new_table("pitr")
        described = self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        self.assertEqual(described["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "DISABLED")
        updated = self.ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        recovery = updated["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        self.assertEqual(recovery["PointInTimeRecoveryStatus"], "ENABLED")
        if "RecoveryPeriodInDays" in self.ddb.meta.service_model.shape_for("PointInTimeRecoveryDescription").members:
            self.assertEqual(recovery["RecoveryPeriodInDays"], 35)
        self.assertDdbError(self.ddb.describe_continuous_backups, "TableNotFoundException",
                            "Table not found: nothere", TableName="nothere")

    def test_tags(self):
        name = self.new_table("tags")
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "3"}])
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]),
                         [("a", "3"), ("b", "2")])
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        self.assertDdbError(self.ddb.tag_resource, "ValidationException", "Atleast one Tag needs to be provided as Input.",
                            ResourceArn=arn, Tags=[])
        self.assertDdbError(self.ddb.tag_resource, "ValidationException",
                            "Tag Key cannot be prefixed with aws:, Key: aws:x", ResourceArn=arn,
                            Tags=[{"Key": "aws:x", "Value": "1"}])
        self.assertDdbError(self.ddb.list_tags_of_resource, "AccessDeniedException", ResourceArn="nonsense")

    def test_limits_and_endpoints(self):
        limits = self.ddb.describe_limits()
        self.assertEqual(limits["TableMaxReadCapacityUnits"], 40000)
        endpoints = self.ddb.describe_endpoints()["Endpoints"]
        self.assertEqual(endpoints[0]["Address"], self.endpoint.url.split("://", 1)[1])


class UnsupportedTests(DdbTestCase):

    def test_backups_answer_not_implemented(self):
        name = self.new_table("backup")
        response = self.assertDdbError(self.ddb.create_backup, "NotImplemented", status=501, TableName=name,
                                       BackupName="backup")
        self.assertIn("CreateBackup", response["Error"]["Message"])

    def test_unknown_operation(self):
        from harness import raw_request
        response = raw_request("POST", "/", headers={"X-Amz-Target": "DynamoDB_20120810.ListTable",
                                                      "Content-Type": "application/x-amz-json-1.0"}, body=b"{}")
        self.assertEqual(response.status, 400)
        self.assertIn(b"UnknownOperationException", response.body)


class PersistenceTests(DdbTestCase):

    def test_tables_and_items_survive_restart(self):
        if not self.endpoint.managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")
        name = self.new_table("restart", range_key=("sk", "N"))
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"SS": ["x", "y"]}})
        self.endpoint.restart()
        client = ddb_client()
        self.assertEqual(client.describe_table(TableName=name)["Table"]["TableStatus"], "ACTIVE")
        item = client.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]
        self.assertEqual(sorted(item["v"]["SS"]), ["x", "y"])

    def test_acknowledged_puts_survive_kill_9(self):
        if not self.endpoint.managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")
        import threading
        name = self.new_table("kill9")
        acked, stop = [], threading.Event()

        def writer():
            client = ddb_client()
            n = 0
            while not stop.is_set():
                try:
                    client.put_item(TableName=name, Item={"pk": {"S": "k%d" % n}})
                    acked.append(n)
                except Exception:
                    return
                n += 1
        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.5)
        self.endpoint.kill9_and_restart()
        stop.set()
        thread.join()
        client = ddb_client()
        found = {i["pk"]["S"] for p in client.get_paginator("scan").paginate(TableName=name) for i in p["Items"]}
        self.assertTrue(acked)
        self.assertTrue(all("k%d" % n in found for n in acked))


if __name__ == "__main__":
    import unittest
    unittest.main()
