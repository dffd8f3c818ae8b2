"""What a client sees for an operation or a service cloudless does not implement: HTTP
501 NotImplemented in that API's own error shape (so the SDK names the error instead of
"Unknown"), naming the service and the operation, while the server goes on serving.
"""
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import harness
from server import endpoint


def client(service):
    return boto3.client(service, endpoint_url=endpoint().url, region_name=harness.REGION,
                        aws_access_key_id=harness.ACCESS_KEY, aws_secret_access_key=harness.SECRET_KEY,
                        config=Config(retries={"total_max_attempts": 1}))


class NotImplementedTests(unittest.TestCase):

    def assertNotImplemented(self, call, *words, **kwargs):
        with self.assertRaises(ClientError) as caught:
            call(**kwargs)
        response = caught.exception.response
        self.assertEqual(response["Error"]["Code"], "NotImplemented", response)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 501)
        for word in words:
            self.assertIn(word, response["Error"]["Message"])

    def test_operation_of_a_served_json_service(self):
        self.assertNotImplemented(client("logs").start_query, "CloudWatch Logs", "StartQuery",
                                  logGroupName="/x", startTime=0, endTime=1, queryString="fields @message")

    def test_operation_of_a_served_rest_json_service(self):
        lam = client("lambda")
        self.assertNotImplemented(lam.list_layers, "AWS Lambda", "ListLayers")
        self.assertNotImplemented(lam.get_function_url_config, "AWS Lambda", "GetFunctionUrlConfig",
                                  FunctionName="f")

    def test_path_that_is_no_operation_of_a_served_rest_json_service(self):
        response = harness.raw_request("GET", "/2015-03-31/functions/f/no-such-thing")
        self.assertEqual(response.status, 404)
        self.assertEqual(response.headers["x-amzn-errortype"], "UnknownOperationException")

    def test_json_service_not_served(self):
        self.assertNotImplemented(client("kinesis").list_streams, "kinesis", "ListStreams")

    def test_query_service_not_served(self):
        self.assertNotImplemented(client("cloudformation").list_stacks, "cloudformation", "ListStacks")

    def test_rest_json_service_not_served(self):
        self.assertNotImplemented(client("batch").describe_compute_environments, "batch")

    def test_server_keeps_serving(self):
        s3 = harness.s3_client()
        self.assertIn("Buckets", s3.list_buckets())
