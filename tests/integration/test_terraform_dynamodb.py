"""Terraform conformance for DynamoDB: conformance/terraform-dynamodb/main.tf applied
against the endpoint (aws_dynamodb_table with a global and a local secondary index,
TTL, a stream, point-in-time recovery, encryption and tags; a PROVISIONED table in the
infrequent-access class with an aws_dynamodb_table_item).

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf. One test runs init and apply, checks the tables with boto3, runs
plan -detailed-exitcode that must report no changes (0), applies again with grow=true
(UpdateTable adds a global index, backfilled, and changes throughput), plans again,
then destroys and checks the tables are gone. Skipped without terraform.
"""
import unittest
import uuid

from ddb_support import DdbTestCase
from harness import Terraform, terraform_test
from server import endpoint


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


if __name__ == "__main__":
    unittest.main()
