"""DynamoDB's item operations through boto3's client and its Table resource: PutItem,
GetItem, UpdateItem, DeleteItem with conditions, return values, consumed capacity and
item collection metrics; every attribute type, exact 38-digit numbers, the expression
language and the legacy parameters; size limits and AWS's errors.
"""
from decimal import Decimal

from boto3.dynamodb.conditions import Attr, Key

from ddb_support import DdbTestCase, ddb_resource


class ClientItemTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.table = self.new_table("items", range_key=("sk", "N"))

    def key(self, pk="a", sk="1"):
        return {"pk": {"S": pk}, "sk": {"N": sk}}

    def test_every_type_round_trips(self):
        item = dict(self.key(), s={"S": "héllo\u0000x"}, n={"N": "-12.300"}, b={"B": b"\x00\xff"},
                    t={"BOOL": True}, z={"NULL": True}, ss={"SS": ["b", "a"]}, ns={"NS": ["2", "1.0"]},
                    bs={"BS": [b"x", b"y"]}, l={"L": [{"S": "x"}, {"N": "1"}, {"L": []}]},
                    m={"M": {"inner": {"M": {"deep": {"S": "y"}}}, "": {"S": "empty name"}}}, e={"S": ""})
        self.ddb.put_item(TableName=self.table, Item=item)
        got = self.ddb.get_item(TableName=self.table, Key=self.key(), ConsistentRead=True)["Item"]
        self.assertEqual(got["s"], {"S": "héllo\u0000x"})
        self.assertEqual(got["n"], {"N": "-12.3"})
        self.assertEqual(got["b"], {"B": b"\x00\xff"})
        self.assertEqual(sorted(got["ss"]["SS"]), ["a", "b"])
        self.assertEqual(sorted(got["ns"]["NS"]), ["1", "2"])
        self.assertEqual(got["m"]["M"]["inner"], {"M": {"deep": {"S": "y"}}})
        self.assertEqual(got["e"], {"S": ""})

    def test_numbers_are_exact(self):
        self.ddb.put_item(TableName=self.table, Item=dict(self.key(), n={"N": "9.9999999999999999999999999999999999999E+125"}))
        self.ddb.update_item(TableName=self.table, Key=self.key(), UpdateExpression="SET c = :big ADD d :tiny",
                             ExpressionAttributeValues={":big": {"N": "12345678901234567890123456789012345678"},
                                                        ":tiny": {"N": "0.1"}})
        self.ddb.update_item(TableName=self.table, Key=self.key(), UpdateExpression="SET d = d + :tiny",
                             ExpressionAttributeValues={":tiny": {"N": "0.2"}})
        got = self.ddb.get_item(TableName=self.table, Key=self.key())["Item"]
        self.assertEqual(got["c"]["N"], "12345678901234567890123456789012345678")
        self.assertEqual(got["d"]["N"], "0.3")
        self.assertEqual(got["n"]["N"], "9" * 38 + "0" * 88)
        self.assertDdbError(self.ddb.put_item, "ValidationException",
                            "Attempting to store more than 38 significant digits in a Number",
                            TableName=self.table, Item=dict(self.key(), n={"N": "1" * 39}))

    def test_conditions_and_return_values(self):
        self.ddb.put_item(TableName=self.table, Item=dict(self.key(), v={"N": "1"}))
        old = self.ddb.put_item(TableName=self.table, Item=dict(self.key(), v={"N": "2"}), ReturnValues="ALL_OLD")
        self.assertEqual(old["Attributes"]["v"], {"N": "1"})
        extra = {}
        if "ReturnValuesOnConditionCheckFailure" in self.ddb.meta.service_model.operation_model("PutItem").input_shape.members:
            extra["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        response = self.assertDdbError(
            self.ddb.put_item, "ConditionalCheckFailedException", "The conditional request failed",
            TableName=self.table, Item=self.key(), ConditionExpression="attribute_not_exists(pk)", **extra)
        if "Item" in response:
            self.assertEqual(response["Item"]["v"], {"N": "2"})
        updated = self.ddb.update_item(
            TableName=self.table, Key=self.key(), UpdateExpression="SET v = v + :one, #l = list_append(if_not_exists(#l, :e), :x) REMOVE gone",
            ConditionExpression="v BETWEEN :lo AND :hi AND attribute_type(v, :n)",
            ExpressionAttributeNames={"#l": "list"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":e": {"L": []}, ":x": {"L": [{"S": "x"}]},
                                       ":lo": {"N": "0"}, ":hi": {"N": "5"}, ":n": {"S": "N"}},
            ReturnValues="UPDATED_NEW")
        self.assertEqual(updated["Attributes"], {"v": {"N": "3"}, "list": {"L": [{"S": "x"}]}})
        self.assertEqual(self.ddb.update_item(TableName=self.table, Key=self.key(), UpdateExpression="SET v = :z",
                                              ExpressionAttributeValues={":z": {"N": "0"}},
                                              ReturnValues="UPDATED_OLD")["Attributes"], {"v": {"N": "3"}})
        deleted = self.ddb.delete_item(TableName=self.table, Key=self.key(), ReturnValues="ALL_OLD",
                                       ConditionExpression="size(#l) = :one", ExpressionAttributeNames={"#l": "list"},
                                       ExpressionAttributeValues={":one": {"N": "1"}})
        self.assertEqual(deleted["Attributes"]["v"], {"N": "0"})
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key=self.key()))

    def test_update_creates_and_sets_work(self):
        self.ddb.update_item(TableName=self.table, Key=self.key("new"), UpdateExpression="ADD tags :t, n :one",
                             ExpressionAttributeValues={":t": {"SS": ["a", "b"]}, ":one": {"N": "1"}})
        self.ddb.update_item(TableName=self.table, Key=self.key("new"), UpdateExpression="DELETE tags :a",
                             ExpressionAttributeValues={":a": {"SS": ["a"]}})
        got = self.ddb.get_item(TableName=self.table, Key=self.key("new"))["Item"]
        self.assertEqual((got["tags"], got["n"]), ({"SS": ["b"]}, {"N": "1"}))

    def test_legacy_parameters(self):
        self.ddb.put_item(TableName=self.table, Item=dict(self.key(), v={"S": "x"}),
                          Expected={"pk": {"Exists": False}})
        self.ddb.update_item(TableName=self.table, Key=self.key(),
                             AttributeUpdates={"n": {"Action": "ADD", "Value": {"N": "5"}}},
                             Expected={"v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}})
        got = self.ddb.get_item(TableName=self.table, Key=self.key(), AttributesToGet=["n"])["Item"]
        self.assertEqual(got, {"n": {"N": "5"}})
        self.assertDdbError(self.ddb.get_item, "ValidationException",
                            "Can not use both expression and non-expression parameters in the same request: "
                            "Non-expression parameters: {AttributesToGet} Expression parameters: "
                            "{ProjectionExpression}", TableName=self.table, Key=self.key(),
                            AttributesToGet=["n"], ProjectionExpression="n")

    def test_projection_of_nested_paths(self):
        self.ddb.put_item(TableName=self.table, Item=dict(self.key(), m={"M": {"a": {"L": [{"N": "1"}, {"N": "2"}]},
                                                                                "b": {"S": "x"}}}))
        got = self.ddb.get_item(TableName=self.table, Key=self.key(), ProjectionExpression="m.a[1], #b",
                                ExpressionAttributeNames={"#b": "pk"})["Item"]
        self.assertEqual(got, {"m": {"M": {"a": {"L": [{"N": "2"}]}}}, "pk": {"S": "a"}})

    def test_consumed_capacity(self):
        self.ddb.put_item(TableName=self.table, Item=dict(self.key(), v={"S": "x" * 3000}))
        cap = self.ddb.put_item(TableName=self.table, Item=self.key(), ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
        self.assertEqual(cap, {"TableName": self.table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}})
        cap = self.ddb.get_item(TableName=self.table, Key=self.key(), ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
        self.assertEqual(cap["CapacityUnits"], 0.5)

    def test_errors(self):
        self.assertDdbError(self.ddb.get_item, "ResourceNotFoundException", "Requested resource not found",
                            TableName="no-such-table", Key=self.key())
        self.assertDdbError(self.ddb.get_item, "ValidationException",
                            "The provided key element does not match the schema",
                            TableName=self.table, Key={"pk": {"S": "a"}})
        self.assertDdbError(self.ddb.put_item, "ValidationException",
                            "One or more parameter values were invalid: Missing the key sk in the item",
                            TableName=self.table, Item={"pk": {"S": "a"}})
        self.assertDdbError(self.ddb.put_item, "ValidationException", "Item size has exceeded the maximum allowed size",
                            TableName=self.table, Item=dict(self.key(), big={"S": "x" * 409600}))
        self.assertDdbError(self.ddb.update_item, "ValidationException",
                            "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: size",
                            TableName=self.table, Key=self.key(), UpdateExpression="SET size = :v",
                            ExpressionAttributeValues={":v": {"N": "1"}})
        self.assertDdbError(self.ddb.update_item, "ValidationException",
                            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
                            TableName=self.table, Key=self.key(), UpdateExpression="SET a = :v",
                            ExpressionAttributeValues={":v": {"N": "1"}, ":w": {"N": "1"}})
        self.assertDdbError(self.ddb.update_item, "ValidationException",
                            "One or more parameter values were invalid: Cannot update attribute sk. This attribute is "
                            "part of the key", TableName=self.table, Key=self.key(), UpdateExpression="SET sk = :v",
                            ExpressionAttributeValues={":v": {"N": "1"}})
        self.assertDdbError(self.ddb.put_item, "ValidationException",
                            "One or more parameter values were invalid: An string set  may not be empty",
                            TableName=self.table, Item=dict(self.key(), s={"SS": []}))


class TableResourceTests(DdbTestCase):

    def test_resource_round_trip(self):
        name = self.new_table("resource", range_key=("sk", "N"))
        table = ddb_resource().Table(name)
        self.assertEqual(table.table_status, "ACTIVE")
        table.put_item(Item={"pk": "user", "sk": 1, "price": Decimal("19.99"), "tags": {"a", "b"}, "meta": {"x": [1, 2]}})
        with table.batch_writer() as batch:
            for i in range(2, 40):
                batch.put_item(Item={"pk": "user", "sk": i, "price": Decimal(i)})
        item = table.get_item(Key={"pk": "user", "sk": 1})["Item"]
        self.assertEqual(item["price"], Decimal("19.99"))
        self.assertEqual(item["tags"], {"a", "b"})
        self.assertEqual(item["meta"], {"x": [Decimal(1), Decimal(2)]})
        page = table.query(KeyConditionExpression=Key("pk").eq("user") & Key("sk").between(5, 9),
                           ScanIndexForward=False)
        self.assertEqual([i["sk"] for i in page["Items"]], [9, 8, 7, 6, 5])
        filtered = table.scan(FilterExpression=Attr("price").gt(30))
        self.assertEqual(sorted(i["sk"] for i in filtered["Items"]), list(range(31, 40)))
        table.update_item(Key={"pk": "user", "sk": 1}, UpdateExpression="SET price = price - :x",
                          ExpressionAttributeValues={":x": Decimal("0.99")})
        self.assertEqual(table.get_item(Key={"pk": "user", "sk": 1})["Item"]["price"], Decimal("19"))
        table.delete_item(Key={"pk": "user", "sk": 1})
        self.assertEqual(table.item_count, 38)
