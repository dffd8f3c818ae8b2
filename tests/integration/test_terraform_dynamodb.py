"""Terraform conformance for DynamoDB: conformance/terraform-dynamodb/main.tf applied
against the endpoint (aws_dynamodb_table with a global and a local secondary index,
TTL, a stream, point-in-time recovery, encryption and tags; a PROVISIONED table in the
infrequent-access class with an aws_dynamodb_table_item).

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf. One test runs init and apply, checks the tables with boto3, runs
plan -detailed-exitcode that must report no changes (0), applies again with grow=true
(UpdateTable adds a global index, backfilled, and changes throughput), plans again,
then destroys and checks the tables are gone. Another applies conformance/
terraform-dynamodb-streams/main.tf (a table with a stream, a function, and an
aws_lambda_event_source_mapping from the table's stream_arn with a filter, retries and
an OnFailure queue), writes items and waits for the function to see them, plans (no
changes) and destroys. Skipped without terraform.
"""
import glob
import json
import os
import shutil
import tempfile
import time
import unittest
import uuid

from ddb_support import DdbTestCase
from harness import Terraform, terraform_test
from lambda_support import client, make_zip
from server import endpoint

RECORDING_HANDLER = """
import json, os
def handler(event, context):
    with open(os.path.join(os.environ["OUT"], context.aws_request_id + ".json"), "w") as f:
        json.dump(event, f)
    return {"batchItemFailures": []}
"""


@terraform_test
class TerraformDynamoDbTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-dynamodb", {"endpoint": endpoint().url, "name_prefix": self.prefix})
        self.addCleanup(self.tf.remove)

    def test_apply_plan_grow_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        orders = self.prefix + "-orders"
        table = self.ddb.describe_table(TableName=orders)["Table"]
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertEqual([i["IndexName"] for i in table["GlobalSecondaryIndexes"]], ["by-status"])
        self.assertEqual(table["GlobalSecondaryIndexes"][0]["Projection"],
                         {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]})
        self.assertEqual([i["IndexName"] for i in table["LocalSecondaryIndexes"]], ["by-placed-at"])
        self.assertEqual(table["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertEqual(table["SSEDescription"]["Status"], "ENABLED")
        self.assertEqual(self.ddb.describe_time_to_live(TableName=orders)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})
        backups = self.ddb.describe_continuous_backups(TableName=orders)["ContinuousBackupsDescription"]
        self.assertEqual(backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")
        tags = self.ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags),
                         [("Project", "cloudless"), ("Purpose", "conformance")])
        counters = self.ddb.describe_table(TableName=self.prefix + "-counters")["Table"]
        self.assertEqual(counters["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(self.ddb.get_item(TableName=self.prefix + "-counters", Key={"id": {"S": "visits"}})["Item"],
                         {"id": {"S": "visits"}, "count": {"N": "1"}})
        self.ddb.put_item(TableName=orders, Item={"customer": {"S": "c1"}, "order_id": {"S": "o1"},
                                                  "status": {"S": "open"}, "placed_at": {"N": "1"},
                                                  "total": {"N": "12"}})
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)

        self.tf.variables += ["-var", "grow=true"]
        code, out = self.tf.run("apply", "-auto-approve", *self.tf.variables)
        self.assertEqual(code, 0, out)
        table = self.ddb.describe_table(TableName=orders)["Table"]
        self.assertEqual(sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]), ["by-status", "by-total"])
        self.assertEqual({i["IndexStatus"] for i in table["GlobalSecondaryIndexes"]}, {"ACTIVE"})
        by_total = self.ddb.query(TableName=orders, IndexName="by-total", KeyConditionExpression="#s = :s",
                                  ExpressionAttributeNames={"#s": "status"},
                                  ExpressionAttributeValues={":s": {"S": "open"}})
        self.assertEqual(by_total["Count"], 1)
        counters = self.ddb.describe_table(TableName=self.prefix + "-counters")["Table"]
        self.assertEqual(counters["ProvisionedThroughput"]["ReadCapacityUnits"], 10)
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)

        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        for name in (orders, self.prefix + "-counters"):
            self.assertDdbError(self.ddb.describe_table, "ResourceNotFoundException", TableName=name)


@terraform_test
class TerraformDynamoDbStreamTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.work = tempfile.mkdtemp(prefix="cloudless-tf-ddb-stream-")
        self.addCleanup(shutil.rmtree, self.work, True)
        self.out = os.path.join(self.work, "out")
        os.mkdir(self.out)
        zip_path = os.path.join(self.work, "fn.zip")
        with open(zip_path, "wb") as f:
            f.write(make_zip({"app.py": RECORDING_HANDLER}))
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-dynamodb-streams", {"endpoint": endpoint().url, "name_prefix": self.prefix,
                                                           "zip_path": zip_path, "out_dir": self.out})
        self.addCleanup(self.tf.remove)

    def test_stream_mapping_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        table = self.prefix + "-events"
        stream_arn = self.ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        lam = client("lambda")
        mappings = lam.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"]
        self.assertEqual(len(mappings), 1)
        mapping = mappings[0]
        self.assertEqual((mapping["StartingPosition"], mapping["BatchSize"], mapping["MaximumRetryAttempts"],
                          mapping["BisectBatchOnFunctionError"], mapping["State"]),
                         ("TRIM_HORIZON", 50, 3, True, "Enabled"))
        self.assertEqual(json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]),
                         {"eventName": ["INSERT", "MODIFY"]})
        self.assertTrue(mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith(self.prefix + "-discarded"))

        self.ddb.put_item(TableName=table, Item={"id": {"S": "a"}, "n": {"N": "1"}})
        self.ddb.update_item(TableName=table, Key={"id": {"S": "a"}}, UpdateExpression="SET n = :n",
                             ExpressionAttributeValues={":n": {"N": "2"}})
        self.ddb.delete_item(TableName=table, Key={"id": {"S": "a"}})      # filtered out

        def seen():
            events = []
            for path in glob.glob(os.path.join(self.out, "*.json")):
                with open(path) as f:
                    events += [r["eventName"] for r in json.load(f)["Records"]]
            return events if len(events) >= 2 else None

        deadline = time.monotonic() + 30
        while not seen() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.assertEqual(seen(), ["INSERT", "MODIFY"])

        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        self.assertEqual(lam.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"], [])
        self.assertDdbError(self.ddb.describe_table, "ResourceNotFoundException", TableName=table)


if __name__ == "__main__":
    unittest.main()
