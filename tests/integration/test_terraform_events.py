"""Terraform conformance for EventBridge and Scheduler: conformance/terraform-events/
main.tf applied against the endpoint (aws_cloudwatch_event_bus, _rule with a rate and
with a pattern, _target with an input transformer, retry policy and dead-letter queue,
aws_lambda_permission for events.amazonaws.com, aws_scheduler_schedule_group and
aws_scheduler_schedule with a time zone).

The AWS provider comes from the local mirror (/opt/tf-plugins) through the CLI config
file next to main.tf. One test runs init and apply, checks what was made with boto3 (and
that an order event reaches the queue through the transformer), runs a second plan with
-detailed-exitcode that must report no changes (0), then destroy and checks everything
is gone. Skipped without terraform.
"""
import json
import os
import shutil
import tempfile
import uuid

from events_support import EventsTestCase, client
from harness import Terraform, terraform_test
from lambda_support import make_zip
from server import endpoint


@terraform_test
class TerraformEventsTests(EventsTestCase):

    def setUp(self):
        super().setUp()
        self.zip_dir = tempfile.mkdtemp(prefix="cloudless-tf-events-zip-")
        self.addCleanup(shutil.rmtree, self.zip_dir, True)
        zip_path = os.path.join(self.zip_dir, "fn.zip")
        with open(zip_path, "wb") as f:
            f.write(make_zip({"app.py": "def handler(event, context):\n    print(event)\n"}))
        self.prefix = "tf-%s" % uuid.uuid4().hex[:10]
        self.tf = Terraform("terraform-events", {"endpoint": endpoint().url, "name_prefix": self.prefix,
                                                 "zip_path": zip_path})
        self.addCleanup(self.tf.remove)

    def test_apply_plan_destroy(self):
        code, out = self.tf.apply()
        self.assertEqual(code, 0, out)
        rule = self.events.describe_rule(Name=self.prefix + "-every-minute")
        self.assertEqual((rule["ScheduleExpression"], rule["State"]), ("rate(1 minute)", "ENABLED"))
        targets = self.events.list_targets_by_rule(Rule=self.prefix + "-every-minute")["Targets"]
        self.assertEqual(json.loads(targets[0]["Input"]), {"from": "terraform"})
        policy = json.loads(client("lambda").get_policy(FunctionName=self.prefix + "-tick")["Policy"])
        self.assertEqual(policy["Statement"][0]["Principal"], {"Service": "events.amazonaws.com"})
        bus = self.prefix + "-orders"
        self.assertEqual(self.events.describe_event_bus(Name=bus)["Name"], bus)
        group = self.scheduler.get_schedule_group(Name=self.prefix + "-jobs")
        self.assertEqual(group["State"], "ACTIVE")
        schedule = self.scheduler.get_schedule(Name=self.prefix + "-nightly", GroupName=self.prefix + "-jobs")
        self.assertEqual(schedule["ScheduleExpressionTimezone"], "Europe/Paris")
        self.assertEqual(schedule["Target"]["RetryPolicy"], {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 600})
        # The pattern rule and its transformer deliver.
        queue = self.sqs.get_queue_url(QueueName=self.prefix + "-orders")["QueueUrl"]
        self.put("shop.orders", {"id": 7, "total": 250}, detail_type="Order Placed", EventBusName=bus)
        self.put("shop.orders", {"id": 8, "total": 20}, detail_type="Order Placed", EventBusName=bus)
        self.assertEqual([json.loads(b) for b in self.bodies(queue, 1)], [{"order": 7, "total": 250}])
        code, out = self.tf.plan()
        self.assertEqual(code, 0, out)
        code, out = self.tf.destroy()
        self.assertEqual(code, 0, out)
        self.assertError(self.events.describe_rule, "ResourceNotFoundException", 400, Name=self.prefix + "-every-minute")
        self.assertError(self.events.describe_event_bus, "ResourceNotFoundException", 400, Name=bus)
        self.assertError(self.scheduler.get_schedule_group, "ResourceNotFoundException", 404, Name=self.prefix + "-jobs")
