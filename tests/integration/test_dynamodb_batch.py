"""DynamoDB's multi-item operations through boto3: BatchGetItem and BatchWriteItem (the
UnprocessedKeys/UnprocessedItems shapes, the Table resource's batch_writer), the
transactions (cancellation reasons, ReturnValuesOnConditionCheckFailure, the
ClientRequestToken kept for ten minutes) and PartiQL (ExecuteStatement,
BatchExecuteStatement, ExecuteTransaction), with AWS's errors.
"""
import uuid

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from ddb_support import DdbTestCase, ddb_resource


class BatchTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.table = self.new_table("batch", range_key=("sk", "N"))

    def key(self, pk, sk):
        return {"pk": {"S": pk}, "sk": {"N": str(sk)}}

    def test_write_then_get(self):
        written = self.ddb.batch_write_item(
            RequestItems={self.table: [{"PutRequest": {"Item": dict(self.key("a", i), v={"S": "v%d" % i})}}
                                       for i in range(25)]},
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(written["UnprocessedItems"], {})
        self.assertEqual(written["ConsumedCapacity"], [{"TableName": self.table, "CapacityUnits": 25.0}])
        got = self.ddb.batch_get_item(RequestItems={self.table: {
            "Keys": [self.key("a", i) for i in range(0, 30, 3)], "ProjectionExpression": "sk, v"}})
        self.assertEqual(got["UnprocessedKeys"], {})
        self.assertEqual(sorted(int(i["sk"]["N"]) for i in got["Responses"][self.table]),
                         [0, 3, 6, 9, 12, 15, 18, 21, 24])
        self.assertEqual(set(got["Responses"][self.table][0]), {"sk", "v"})
        deleted = self.ddb.batch_write_item(RequestItems={self.table: [
            {"DeleteRequest": {"Key": self.key("a", i)}} for i in range(20)]})
        self.assertEqual(deleted["UnprocessedItems"], {})
        self.assertEqual(self.ddb.scan(TableName=self.table, Select="COUNT")["Count"], 5)

    def test_resource_batch_writer_and_query(self):
        table = ddb_resource().Table(self.table)
        with table.batch_writer() as batch:
            for i in range(60):
                batch.put_item(Item={"pk": "w", "sk": i, "payload": "p" * 100})
        items = table.query(KeyConditionExpression=Key("pk").eq("w") & Key("sk").between(10, 19))["Items"]
        self.assertEqual([int(i["sk"]) for i in items], list(range(10, 20)))
        got = ddb_resource().batch_get_item(RequestItems={self.table: {"Keys": [{"pk": "w", "sk": 5}]}})
        self.assertEqual(got["Responses"][self.table][0]["payload"], "p" * 100)

    def test_batch_errors(self):
        self.assertDdbError(self.ddb.batch_write_item, "ValidationException",
                            "Provided list of item keys contains duplicates",
                            RequestItems={self.table: [{"PutRequest": {"Item": self.key("a", 1)}},
                                                       {"DeleteRequest": {"Key": self.key("a", 1)}}]})
        other = self.new_table("batch2", range_key=("sk", "N"), wait=False)
        self.assertDdbError(self.ddb.batch_get_item, "ValidationException",
                            "Too many items requested for the BatchGetItem call",
                            RequestItems={self.table: {"Keys": [self.key("a", i) for i in range(100)]},
                                          other: {"Keys": [self.key("a", 1)]}})
        response = self.assertDdbError(self.ddb.batch_get_item, "ValidationException",
                                       RequestItems={self.table: {"Keys": [self.key("a", i) for i in range(101)]}})
        self.assertIn("at 'requestItems.%s.member.keys' failed to satisfy constraint: "
                      "Member must have length less than or equal to 100" % self.table, response["Error"]["Message"])
        self.assertDdbError(self.ddb.batch_get_item, "ResourceNotFoundException", "Requested resource not found",
                            RequestItems={"missing-" + uuid.uuid4().hex: {"Keys": [self.key("a", 1)]}})
        self.assertDdbError(self.ddb.batch_write_item, "ValidationException",
                            "The provided key element does not match the schema",
                            RequestItems={self.table: [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
        response = self.assertDdbError(self.ddb.batch_write_item, "ValidationException",
                                       RequestItems={self.table: [{"PutRequest": {"Item": self.key("a", i)}}
                                                                  for i in range(26)]})
        self.assertIn("Member must have length less than or equal to 25", response["Error"]["Message"])


class TransactionTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.table = self.new_table("tx")
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "acct-a"}, "balance": {"N": "100"}})
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "acct-b"}, "balance": {"N": "0"}})

    def transfer(self, amount, token=None):
        extra = {"ClientRequestToken": token} if token else {}
        return self.ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": self.table, "Key": {"pk": {"S": "acct-a"}},
                        "UpdateExpression": "SET balance = balance - :n", "ConditionExpression": "balance >= :n",
                        "ExpressionAttributeValues": {":n": {"N": str(amount)}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Update": {"TableName": self.table, "Key": {"pk": {"S": "acct-b"}},
                        "UpdateExpression": "SET balance = balance + :n",
                        "ExpressionAttributeValues": {":n": {"N": str(amount)}}}},
            {"Put": {"TableName": self.table, "Item": {"pk": {"S": "log-%d" % amount}}}},
        ], **extra)

    def balances(self):
        got = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": self.table, "Key": {"pk": {"S": "acct-a"}}}},
            {"Get": {"TableName": self.table, "Key": {"pk": {"S": "acct-b"}}, "ProjectionExpression": "balance"}},
            {"Get": {"TableName": self.table, "Key": {"pk": {"S": "nobody"}}}}])
        self.assertEqual(got["Responses"][2], {})
        return [int(r["Item"]["balance"]["N"]) for r in got["Responses"][:2]]

    def test_all_or_nothing(self):
        self.transfer(30)
        self.assertEqual(self.balances(), [70, 30])
        with self.assertRaises(ClientError) as caught:
            self.transfer(500)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual(response["Error"]["Message"],
                         "Transaction cancelled, please refer cancellation reasons for specific reasons "
                         "[ConditionalCheckFailed, None, None]")
        reasons = response["CancellationReasons"]
        self.assertEqual(reasons[0]["Code"], "ConditionalCheckFailed")
        self.assertEqual(reasons[0]["Message"], "The conditional request failed")
        self.assertEqual(reasons[0]["Item"]["balance"], {"N": "70"})
        self.assertEqual([r["Code"] for r in reasons[1:]], ["None", "None"])
        self.assertEqual(self.balances(), [70, 30])
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "log-500"}}))

    def test_client_request_token_is_idempotent(self):
        token = uuid.uuid4().hex
        self.transfer(10, token)
        self.transfer(10, token)
        self.assertEqual(self.balances(), [90, 10])
        self.assertDdbError(self.transfer, "IdempotentParameterMismatchException", amount=20, token=token)

    def test_condition_check_and_delete(self):
        self.ddb.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": self.table, "Key": {"pk": {"S": "acct-b"}},
                                "ConditionExpression": "attribute_exists(balance)"}},
            {"Delete": {"TableName": self.table, "Key": {"pk": {"S": "acct-a"}}}}])
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "acct-a"}}))

    def test_transaction_errors(self):
        self.assertDdbError(self.ddb.transact_write_items, "ValidationException",
                            "Transaction request cannot include multiple operations on one item",
                            TransactItems=[{"Put": {"TableName": self.table, "Item": {"pk": {"S": "x"}}}},
                                           {"Delete": {"TableName": self.table, "Key": {"pk": {"S": "x"}}}}])
        self.assertDdbError(self.ddb.transact_write_items, "ResourceNotFoundException",
                            "Requested resource not found",
                            TransactItems=[{"Put": {"TableName": "missing-" + uuid.uuid4().hex,
                                                    "Item": {"pk": {"S": "x"}}}}])
        response = self.assertDdbError(self.ddb.transact_get_items, "ValidationException",
                                       TransactItems=[{"Get": {"TableName": self.table,
                                                               "Key": {"pk": {"S": "k%d" % i}}}}
                                                      for i in range(101)])
        self.assertIn("Member must have length less than or equal to 100", response["Error"]["Message"])


class PartiqlTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.table = self.new_table("sql", range_key=("sk", "N"))

    def run_sql(self, statement, *parameters, **extra):
        if parameters:
            extra["Parameters"] = list(parameters)
        return self.ddb.execute_statement(Statement=statement, **extra)

    def test_insert_select_update_delete(self):
        self.run_sql("INSERT INTO \"%s\" VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x', 'y'>>}" % self.table)
        self.run_sql("INSERT INTO \"%s\" VALUE {'pk': ?, 'sk': ?, 'n': ?}" % self.table,
                     {"S": "a"}, {"N": "2"}, {"N": "5"})
        rows = self.run_sql("SELECT * FROM \"%s\" WHERE pk = 'a'" % self.table)["Items"]
        self.assertEqual([r["sk"]["N"] for r in rows], ["1", "2"])
        self.assertEqual(sorted(rows[0]["tags"]["SS"]), ["x", "y"])
        self.run_sql("UPDATE \"%s\" SET n = n + 1 WHERE pk = 'a' AND sk = 2" % self.table)
        one = self.run_sql("SELECT n FROM \"%s\" WHERE pk = 'a' AND sk = 2" % self.table)["Items"]
        self.assertEqual(one, [{"n": {"N": "6"}}])
        self.run_sql("DELETE FROM \"%s\" WHERE pk = 'a' AND sk = 1" % self.table)
        self.assertEqual(self.ddb.scan(TableName=self.table, Select="COUNT")["Count"], 1)
        self.assertDdbError(self.run_sql, "DuplicateItemException", "Duplicate primary key exists in table",
                            statement="INSERT INTO \"%s\" VALUE {'pk': 'a', 'sk': 2}" % self.table)
        self.assertDdbError(self.run_sql, "ConditionalCheckFailedException",
                            statement="UPDATE \"%s\" SET n = 1 WHERE pk = 'zz' AND sk = 9" % self.table)
        self.assertDdbError(self.run_sql, "ResourceNotFoundException",
                            statement="SELECT * FROM \"missing-%s\"" % uuid.uuid4().hex)
        self.assertDdbError(self.run_sql, "ValidationException", statement="SELEKT * FROM t")

    def test_select_pages(self):
        for i in range(12):
            self.run_sql("INSERT INTO \"%s\" VALUE {'pk': 'p', 'sk': %d}" % (self.table, i))
        seen, token = [], None
        while True:
            page = self.run_sql("SELECT sk FROM \"%s\" WHERE pk = 'p'" % self.table, Limit=5,
                                **({"NextToken": token} if token else {}))
            seen += [int(r["sk"]["N"]) for r in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, list(range(12)))

    def test_batch_statements(self):
        self.run_sql("INSERT INTO \"%s\" VALUE {'pk': 'b', 'sk': 1}" % self.table)
        answer = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'b', 'sk': 1}" % self.table},
            {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 'b', 'sk': 2}" % self.table},
            {"Statement": "SELECT * FROM \"%s\" WHERE pk = 'b' AND sk = 1" % self.table}])
        responses = answer["Responses"]
        self.assertEqual(responses[0]["Error"]["Code"], "DuplicateItem")
        self.assertNotIn("Error", responses[1])
        self.assertEqual(responses[2]["Item"]["sk"], {"N": "1"})

    def test_execute_transaction(self):
        self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't', 'sk': 1}" % self.table},
            {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't', 'sk': 2}" % self.table}])
        with self.assertRaises(ClientError) as caught:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't', 'sk': 3}" % self.table},
                {"Statement": "INSERT INTO \"%s\" VALUE {'pk': 't', 'sk': 1}" % self.table}])
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual([r["Code"] for r in response["CancellationReasons"]], ["None", "DuplicateItem"])
        rows = self.run_sql("SELECT sk FROM \"%s\" WHERE pk = 't'" % self.table)["Items"]
        self.assertEqual([r["sk"]["N"] for r in rows], ["1", "2"])
