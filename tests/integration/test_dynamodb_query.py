"""DynamoDB's Query and Scan through boto3: key conditions on N, S and B sort keys in
AWS's order, pages cut by Limit and by 1 MB with LastEvaluatedKey, ScanIndexForward,
Select, filters, parallel Scan segments, local and global secondary indexes with their
projections (sparse, maintained on every change), and AWS's errors.
"""
from ddb_support import DdbTestCase


class QueryTests(DdbTestCase):

    def setUp(self):
        super().setUp()
        self.table = self.new_table(
            "query", range_key=("sk", "N"), extra_attributes=[("lsk", "S"), ("gpk", "S"), ("gsk", "N")],
            LocalSecondaryIndexes=[{"IndexName": "by-lsk",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "lsk", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            GlobalSecondaryIndexes=[{"IndexName": "by-gpk",
                                     "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                                                   {"AttributeName": "gsk", "KeyType": "RANGE"}],
                                     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["v"]}}])
        requests = []
        for i, sk in enumerate(["-10", "-1.5", "0", "0.25", "2", "10", "100", "1E+3"]):
            item = {"pk": {"S": "p"}, "sk": {"N": sk}, "v": {"N": str(i)}, "other": {"S": "x" * i}}
            if i % 2 == 0:
                item.update(lsk={"S": "l%d" % (8 - i)}, gpk={"S": "g"}, gsk={"N": str(i)})
            requests.append({"PutRequest": {"Item": item}})
        self.ddb.batch_write_item(RequestItems={self.table: requests})

    def query(self, **kwargs):
        return self.ddb.query(TableName=self.table, **kwargs)

    def test_number_order_and_conditions(self):
        items = self.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}})["Items"]
        self.assertEqual([i["sk"]["N"] for i in items], ["-10", "-1.5", "0", "0.25", "2", "10", "100", "1000"])
        between = self.query(KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                             ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"N": "-1.5"}, ":b": {"N": "10"}},
                             ScanIndexForward=False)["Items"]
        self.assertEqual([i["sk"]["N"] for i in between], ["10", "2", "0.25", "0", "-1.5"])
        legacy = self.query(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                                           "sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}})
        self.assertEqual(legacy["Count"], 3)

    def test_pages(self):
        seen, start, pages = [], None, 0
        while True:
            page = self.query(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}, Limit=3,
                              **({"ExclusiveStartKey": start} if start else {}))
            seen += [i["sk"]["N"] for i in page["Items"]]
            pages += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(len(seen), 8)
        self.assertEqual(pages, 3)
        counted = self.query(KeyConditionExpression="pk = :p", FilterExpression="v > :three", Select="COUNT",
                             ExpressionAttributeValues={":p": {"S": "p"}, ":three": {"N": "3"}})
        self.assertEqual((counted["Count"], counted["ScannedCount"]), (4, 8))
        self.assertNotIn("Items", counted)

    def test_one_megabyte_pages(self):
        name = self.new_table("big", range_key=("sk", "N"))
        blob = "x" * 300000
        for i in range(8):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "blob": {"S": blob}})
        first = self.ddb.query(TableName=name, KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertEqual(first["Count"], 4)
        self.assertEqual(first["LastEvaluatedKey"], {"pk": {"S": "p"}, "sk": {"N": "3"}})
        total = sum(p["Count"] for p in self.ddb.get_paginator("query").paginate(
            TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}))
        self.assertEqual(total, 8)

    def test_local_index_keys_only_and_all_attributes(self):
        page = self.query(IndexName="by-lsk", KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertEqual([i["lsk"]["S"] for i in page["Items"]], ["l2", "l4", "l6", "l8"])
        self.assertEqual(set(page["Items"][0]), {"pk", "sk", "lsk"})
        full = self.query(IndexName="by-lsk", KeyConditionExpression="pk = :p", Select="ALL_ATTRIBUTES",
                          ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertIn("other", full["Items"][0])

    def test_global_index_is_sparse_and_maintained(self):
        page = self.query(IndexName="by-gpk", KeyConditionExpression="gpk = :g",
                          ExpressionAttributeValues={":g": {"S": "g"}})
        self.assertEqual([i["gsk"]["N"] for i in page["Items"]], ["0", "2", "4", "6"])
        self.assertEqual(set(page["Items"][0]), {"pk", "sk", "gpk", "gsk", "v"})
        self.ddb.update_item(TableName=self.table, Key={"pk": {"S": "p"}, "sk": {"N": "0"}},
                             UpdateExpression="SET gsk = :n", ExpressionAttributeValues={":n": {"N": "99"}})
        self.ddb.delete_item(TableName=self.table, Key={"pk": {"S": "p"}, "sk": {"N": "2"}})
        self.ddb.update_item(TableName=self.table, Key={"pk": {"S": "p"}, "sk": {"N": "100"}},
                             UpdateExpression="REMOVE gpk")
        page = self.query(IndexName="by-gpk", KeyConditionExpression="gpk = :g",
                          ExpressionAttributeValues={":g": {"S": "g"}})
        self.assertEqual([i["gsk"]["N"] for i in page["Items"]], ["0", "99"])
        self.assertDdbError(self.query, "ValidationException",
                            "Consistent reads are not supported on global secondary indexes",
                            IndexName="by-gpk", ConsistentRead=True, KeyConditionExpression="gpk = :g",
                            ExpressionAttributeValues={":g": {"S": "g"}})
        self.assertDdbError(self.query, "ValidationException",
                            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                            "for global secondary index by-gpk because its projection type is not ALL",
                            IndexName="by-gpk", Select="ALL_ATTRIBUTES", KeyConditionExpression="gpk = :g",
                            ExpressionAttributeValues={":g": {"S": "g"}})

    def test_index_writes_consume_capacity(self):
        key = {"pk": {"S": "c"}, "sk": {"N": "1"}}
        put = self.ddb.put_item(TableName=self.table, Item=dict(key, lsk={"S": "l"}, gpk={"S": "g"}, gsk={"N": "5"}),
                                ReturnConsumedCapacity="INDEXES", ReturnItemCollectionMetrics="SIZE")
        self.assertEqual(put["ConsumedCapacity"], {
            "TableName": self.table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
            "LocalSecondaryIndexes": {"by-lsk": {"CapacityUnits": 1.0}},
            "GlobalSecondaryIndexes": {"by-gpk": {"CapacityUnits": 1.0}}})
        self.assertEqual(put["ItemCollectionMetrics"]["ItemCollectionKey"], {"pk": {"S": "c"}})
        # The global index key moves (a delete and a put); the local index's entry is unchanged.
        moved = self.ddb.update_item(TableName=self.table, Key=key, UpdateExpression="SET gsk = :n",
                                     ExpressionAttributeValues={":n": {"N": "6"}}, ReturnConsumedCapacity="INDEXES")
        self.assertEqual(moved["ConsumedCapacity"], {
            "TableName": self.table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
            "GlobalSecondaryIndexes": {"by-gpk": {"CapacityUnits": 2.0}}})
        total = self.ddb.delete_item(TableName=self.table, Key=key, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(total["ConsumedCapacity"], {"TableName": self.table, "CapacityUnits": 3.0})

    def test_query_errors(self):
        self.assertDdbError(self.query, "ValidationException", "Query condition missed key schema element: pk",
                            KeyConditionExpression="sk = :s", ExpressionAttributeValues={":s": {"N": "1"}})
        self.assertDdbError(self.query, "ValidationException",
                            "Invalid operator used in KeyConditionExpression: OR",
                            KeyConditionExpression="pk = :p OR sk = :s",
                            ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "1"}})
        self.assertDdbError(self.query, "ValidationException",
                            "Query key condition not supported",
                            KeyConditionExpression="pk > :p", ExpressionAttributeValues={":p": {"S": "p"}})
        self.assertDdbError(self.query, "ValidationException",
                            "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
                            KeyConditionExpression="pk = :p", FilterExpression="sk > :s",
                            ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "1"}})


class ScanTests(DdbTestCase):

    def test_segments_cover_the_table_once(self):
        name = self.new_table("scan")
        for start in range(0, 300, 25):
            self.ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}}
                                                           for i in range(start, start + 25)]})
        seen = []
        for segment in range(4):
            for page in self.ddb.get_paginator("scan").paginate(TableName=name, Segment=segment, TotalSegments=4,
                                                                PaginationConfig={"PageSize": 40}):
                seen += [i["pk"]["S"] for i in page["Items"]]
        self.assertEqual(sorted(seen), sorted("k%d" % i for i in range(300)))
        whole = [i["pk"]["S"] for p in self.ddb.get_paginator("scan").paginate(TableName=name) for i in p["Items"]]
        self.assertEqual(len(whole), 300)
        self.assertEqual(self.ddb.scan(TableName=name, Select="COUNT")["Count"], 300)
        self.assertDdbError(self.ddb.scan, "ValidationException",
                            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                            "Segment: 4 is not less than TotalSegments: 4", TableName=name, Segment=4, TotalSegments=4)

    def test_scan_filters_and_projection(self):
        name = self.new_table("scanf")
        for i in range(10):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "n": {"N": str(i)},
                                                    "tags": {"SS": ["even" if i % 2 == 0 else "odd"]}})
        page = self.ddb.scan(TableName=name, FilterExpression="contains(tags, :t) AND n IN (:a, :b, :c)",
                             ProjectionExpression="n", ExpressionAttributeValues={
                                 ":t": {"S": "even"}, ":a": {"N": "2"}, ":b": {"N": "3"}, ":c": {"N": "4"}})
        self.assertEqual(sorted(i["n"]["N"] for i in page["Items"]), ["2", "4"])
        self.assertEqual(page["ScannedCount"], 10)
        legacy = self.ddb.scan(TableName=name, ScanFilter={"n": {"ComparisonOperator": "GE",
                                                                "AttributeValueList": [{"N": "8"}]}})
        self.assertEqual(legacy["Count"], 2)
