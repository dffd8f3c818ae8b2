"""aws-cli v1 and v2 against DynamoDB: create-table with a waiter, put/get/update/delete,
query, scan with its automatic paging, batch-write, transact-write, execute-statement,
tags, TTL and the errors the CLI prints, for both CLIs."""
import json
import os
import tempfile

from ddb_support import DdbTestCase, unique_table
from harness import AWS_CLI_V1, AWS_CLI_V2, aws_cli, interpreter_free_test


class AwsCliDynamoDbFlows:
    CLI = None

    def aws(self, *args):
        completed = aws_cli(self.CLI, "--output", "json", "dynamodb", *args)
        self.assertEqual(completed.returncode, 0, "command failed (%d):\nstdout: %s\nstderr: %s"
                         % (completed.returncode, completed.stdout[-2000:], completed.stderr[-2000:]))
        return json.loads(completed.stdout) if completed.stdout.strip() else None

    def aws_fails(self, *args):
        completed = aws_cli(self.CLI, "dynamodb", *args)
        self.assertNotEqual(completed.returncode, 0)
        return completed.stderr

    def json_file(self, value):
        handle = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
        self.addCleanup(os.unlink, handle.name)
        json.dump(value, handle)
        handle.close()
        return "file://" + handle.name

    def test_table_and_item_lifecycle(self):
        name = unique_table("cli")
        created = self.aws("create-table", "--table-name", name,
                           "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                           "AttributeName=sk,AttributeType=N",
                           "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
                           "--billing-mode", "PAY_PER_REQUEST", "--tags", "Key=team,Value=data")
        self.addCleanup(self._delete_table, name)
        self.assertEqual(created["TableDescription"]["TableStatus"], "CREATING")
        self.aws("wait", "table-exists", "--table-name", name)
        self.assertEqual(self.aws("describe-table", "--table-name", name)["Table"]["TableStatus"], "ACTIVE")
        self.assertIn(name, self.aws("list-tables")["TableNames"])

        self.aws("put-item", "--table-name", name, "--item", '{"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "1"}}')
        updated = self.aws("update-item", "--table-name", name, "--key", '{"pk": {"S": "a"}, "sk": {"N": "1"}}',
                           "--update-expression", "ADD n :one",
                           "--expression-attribute-values", '{":one": {"N": "1"}}', "--return-values", "UPDATED_NEW")
        self.assertEqual(updated["Attributes"], {"n": {"N": "2"}})
        got = self.aws("get-item", "--table-name", name, "--key", '{"pk": {"S": "a"}, "sk": {"N": "1"}}')
        self.assertEqual(got["Item"]["n"], {"N": "2"})

        self.aws("batch-write-item", "--request-items", self.json_file(
            {name: [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": str(i)}}}} for i in range(20)]}))
        queried = self.aws("query", "--table-name", name, "--key-condition-expression", "pk = :p AND sk >= :s",
                           "--expression-attribute-values", '{":p": {"S": "b"}, ":s": {"N": "15"}}')
        self.assertEqual([i["sk"]["N"] for i in queried["Items"]], ["15", "16", "17", "18", "19"])
        scanned = self.aws("scan", "--table-name", name, "--page-size", "4")
        self.assertEqual(scanned["Count"], 21)

        self.aws("transact-write-items", "--transact-items", self.json_file([
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
            {"Put": {"TableName": name, "Item": {"pk": {"S": "c"}, "sk": {"N": "1"}}}}]))
        rows = self.aws("execute-statement", "--statement", "SELECT * FROM \"%s\" WHERE pk = 'c'" % name)
        self.assertEqual(rows["Items"], [{"pk": {"S": "c"}, "sk": {"N": "1"}}])
        self.aws("delete-item", "--table-name", name, "--key", '{"pk": {"S": "c"}, "sk": {"N": "1"}}')

        arn = created["TableDescription"]["TableArn"]
        self.assertEqual(self.aws("list-tags-of-resource", "--resource-arn", arn)["Tags"],
                         [{"Key": "team", "Value": "data"}])
        ttl = self.aws("update-time-to-live", "--table-name", name,
                       "--time-to-live-specification", "Enabled=true,AttributeName=expires")
        self.assertEqual(ttl["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(self.aws("describe-time-to-live", "--table-name", name)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})

        self.aws("delete-table", "--table-name", name)
        self.aws("wait", "table-not-exists", "--table-name", name)

    def test_errors_reach_the_cli(self):
        stderr = self.aws_fails("describe-table", "--table-name", "missing-" + unique_table("x"))
        self.assertIn("ResourceNotFoundException", stderr)
        self.assertIn("Requested resource not found", stderr)
        stderr = self.aws_fails("put-item", "--table-name", unique_table("missing"), "--item", '{"pk": {"S": ""}}')
        self.assertIn("ResourceNotFoundException", stderr)
        name = self.new_table("clierr")
        stderr = self.aws_fails("put-item", "--table-name", name, "--item", '{"other": {"S": "v"}}')
        self.assertIn("ValidationException", stderr)
        self.assertIn("One or more parameter values were invalid: Missing the key pk in the item", stderr)
        stderr = self.aws_fails("put-item", "--table-name", name, "--item", '{"pk": {"S": "v"}}',
                                "--condition-expression", "attribute_exists(pk)")
        self.assertIn("ConditionalCheckFailedException", stderr)


@interpreter_free_test
class AwsCliV1DynamoDbTests(AwsCliDynamoDbFlows, DdbTestCase):
    CLI = AWS_CLI_V1


@interpreter_free_test
class AwsCliV2DynamoDbTests(AwsCliDynamoDbFlows, DdbTestCase):
    CLI = AWS_CLI_V2
