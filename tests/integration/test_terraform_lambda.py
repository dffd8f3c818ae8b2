"""Terraform conformance for Lambda and CloudWatch Logs: conformance/terraform-lambda/
main.tf applied against the endpoint (aws_lambda_function from a local zip,
aws_lambda_permission, aws_cloudwatch_log_group, aws_s3_bucket_notification with
lambda_function, aws_lambda_event_source_mapping on an aws_sqs_queue).

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf. One test runs init, apply, invokes the function with boto3,
runs a second plan with -detailed-exitcode that must report no changes (0), then
destroy and checks the function and group are gone. Skipped without terraform.
"""
import json
import os
import shutil
import tempfile
import unittest
import uuid

from harness import Terraform, s3_client, terraform_test
from lambda_support import LambdaTestCase, client, make_zip
from server import endpoint

HANDLER = "import os\ndef handler(event, context):\n    return os.environ['GREETING'] + ' ' + event['who']\n"


@terraform_test
class TerraformLambdaTests(LambdaTestCase):

    def setUp(self):
        super().setUp()
        self.zip_dir = tempfile.mkdtemp(prefix="cloudless-tf-lambda-zip-")
        self.addCleanup(shutil.rmtree, self.zip_dir, True)
        zip_path = os.path.join(self.zip_dir, "fn.zip")
        with open(zip_path, "wb") as f:
            f.write(make_zip({"app.py": HANDLER}))
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-lambda", {"endpoint": endpoint().url, "name_prefix": self.prefix,
                                                 "zip_path": zip_path})
        self.addCleanup(self.tf.remove)

    def test_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        name = self.prefix + "-fn"
        self.assertEqual(json.loads(self.invoke(name, b'{"who": "tf"}')["Body"]), "hello tf")
        policy = json.loads(self.lam.get_policy(FunctionName=name)["Policy"])
        self.assertEqual(policy["Statement"][0]["Sid"], "AllowS3Invoke")
        groups = client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/" + name)["logGroups"]
        self.assertEqual(groups[0]["retentionInDays"], 14)
        notification = s3_client().get_bucket_notification_configuration(Bucket=self.prefix + "-bucket")
        self.assertEqual(notification["LambdaFunctionConfigurations"][0]["LambdaFunctionArn"],
                         self.lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"])
        mappings = self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        self.assertEqual([(m["BatchSize"], m["State"], m["FunctionResponseTypes"]) for m in mappings],
                         [(5, "Enabled", ["ReportBatchItemFailures"])])
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        self.assertLambdaError(self.lam.get_function, "ResourceNotFoundException", 404, FunctionName=name)
        self.assertEqual(self.lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"], [])
        self.assertEqual(client("logs").describe_log_groups(logGroupNamePrefix="/aws/lambda/" + name)["logGroups"], [])
