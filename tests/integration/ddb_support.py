"""Shared helpers for the DynamoDB integration tests: boto3 clients and Table resources,
a table fixture, and AWS-shaped error assertions.

The suite runs under both interpreters (boto3 1.43 under pyenv python3, 1.26 under
/usr/bin/python3); both speak DynamoDB's JSON 1.0 and verify x-amz-crc32. Tables get
unique names and are deleted after each test.
"""
import unittest
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from server import endpoint

ACCOUNT = "000000000000"


def ddb_client(**config):
    return boto3.client("dynamodb", endpoint_url=endpoint().url, region_name=harness.REGION,
                        aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
                        config=Config(retries={"total_max_attempts": 1}, **config))


def ddb_resource():
    return boto3.resource("dynamodb", endpoint_url=endpoint().url, region_name=harness.REGION,
                          aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
                          config=Config(retries={"total_max_attempts": 1}))


def unique_table(label):
    return ("it-%s-%s" % (label, uuid.uuid4().hex[:10]))[:255]


class DdbTestCase(unittest.TestCase):

    def setUp(self):
        self.endpoint = endpoint()
        self.ddb = ddb_client()

    def new_table(self, label="t", hash_key=("pk", "S"), range_key=None, wait=True, **extra):
        name = unique_table(label)
        attrs = {hash_key[0]: hash_key[1]}
        keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
        if range_key:
            attrs[range_key[0]] = range_key[1]
            keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        for name_type in extra.pop("extra_attributes", ()):
            attrs[name_type[0]] = name_type[1]
        if "ProvisionedThroughput" not in extra and "BillingMode" not in extra:
            extra["BillingMode"] = "PAY_PER_REQUEST"
        self.ddb.create_table(TableName=name, KeySchema=keys,
                              AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
                              **extra)
        self.addCleanup(self._delete_table, name)
        if wait:
            self.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        return name

    def _delete_table(self, name):
        try:
            ddb_client().delete_table(TableName=name)
        except ClientError:
            pass

    def assertDdbError(self, call, code, message=None, status=400, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, error)
        if message is not None:
            self.assertEqual(error["Message"], message)
        self.assertEqual(caught.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        return caught.exception.response
