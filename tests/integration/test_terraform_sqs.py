"""Terraform conformance for SQS: conformance/terraform-sqs/main.tf applied against the
endpoint (aws_sqs_queue standard and FIFO, aws_sqs_queue_policy,
aws_sqs_queue_redrive_policy).

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf, so no network is used. One test runs init, apply, checks the
queues with boto3, runs a second plan with -detailed-exitcode that must report no
changes (0), then destroy and checks the queues are gone. Skipped when terraform is
not installed.
"""
import json
import unittest
import uuid

from harness import Terraform, terraform_test
from sqs_support import NON_EXISTENT_QUEUE, SqsTestCase
from server import endpoint



@terraform_test
class TerraformSqsTests(SqsTestCase):

    def setUp(self):
        super().setUp()
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-sqs", {"endpoint": endpoint().url, "name_prefix": self.prefix})
        self.addCleanup(self.tf.remove)

    def test_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        jobs = self.sqs.get_queue_url(QueueName=self.prefix + "-jobs")["QueueUrl"]
        attrs = self.sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "45")
        self.assertEqual(json.loads(attrs["RedrivePolicy"])["maxReceiveCount"], 4)
        self.assertEqual(json.loads(attrs["Policy"])["Statement"][0]["Sid"], "AllowSendFromAccount")
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=jobs)["Tags"]["Project"], "cloudless")
        ordered = self.sqs.get_queue_url(QueueName=self.prefix + "-ordered.fifo")["QueueUrl"]
        fifo = self.sqs.get_queue_attributes(QueueUrl=ordered, AttributeNames=["All"])["Attributes"]
        self.assertEqual(fifo["DeduplicationScope"], "messageGroup")
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        for name in ("-jobs", "-dlq", "-ordered.fifo"):
            self.assertSqsError(self.sqs.get_queue_url, NON_EXISTENT_QUEUE, QueueName=self.prefix + name)


if __name__ == "__main__":
    unittest.main()
