"""EventBridge Scheduler with real clients: schedule groups (tags too) and schedules
(create, get, update, delete, list with filters and pages, AWS's errors and statuses),
and their invocations on a server whose clock the test moves: at() with
ActionAfterCompletion DELETE, cron in a time zone, rate between StartDate and EndDate,
SQS (FIFO with a message group), Lambda and EventBridge targets, the <aws.scheduler.*>
context attributes, dead-letter queues; aws-cli v1 and v2.
"""
import datetime
import json
import time

import harness
from events_support import ACCOUNT, ROLE, ClockServer, EventsTestCase, client, unique
from lambda_support import LambdaTestCase

REGION = harness.REGION
OFF = {"Mode": "OFF"}


def has_action_after_completion(scheduler):
    """ActionAfterCompletion came to the API in 2024 (boto3 1.26 lacks it)."""
    return "ActionAfterCompletion" in scheduler.meta.service_model.shape_for("CreateScheduleInput").members


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


class GroupTests(EventsTestCase):

    def test_create_get_list_delete_and_tags(self):
        name = unique("grp")
        arn = self.scheduler.create_schedule_group(Name=name, Tags=[{"Key": "a", "Value": "1"}])["ScheduleGroupArn"]
        self.assertEqual(arn, "arn:aws:scheduler:%s:%s:schedule-group/%s" % (REGION, ACCOUNT, name))
        group = self.scheduler.get_schedule_group(Name=name)
        self.assertEqual((group["Name"], group["Arn"], group["State"]), (name, arn, "ACTIVE"))
        self.assertIn("CreationDate", group)
        self.assertEqual(self.scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "a", "Value": "1"}])
        self.scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.scheduler.untag_resource(ResourceArn=arn, TagKeys=["a"])
        self.assertEqual(self.scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        listed = [g["Name"] for g in self.scheduler.list_schedule_groups(NamePrefix=name)["ScheduleGroups"]]
        self.assertEqual(listed, [name])
        self.assertIn("default", [g["Name"] for g in self.scheduler.list_schedule_groups()["ScheduleGroups"]])
        self.assertError(self.scheduler.create_schedule_group, "ConflictException", 409, Name=name)
        self.scheduler.delete_schedule_group(Name=name)
        self.assertError(self.scheduler.get_schedule_group, "ResourceNotFoundException", 404, Name=name)
        self.assertError(self.scheduler.delete_schedule_group, "ResourceNotFoundException", 404, Name=name)
        self.assertError(self.scheduler.delete_schedule_group, "ValidationException", 400, Name="default")
        self.assertError(self.scheduler.list_tags_for_resource, "ResourceNotFoundException", 404, ResourceArn=arn)

    def test_deleting_a_group_deletes_its_schedules(self):
        _, queue_arn = self.new_queue()
        name = unique("grp")
        self.scheduler.create_schedule_group(Name=name)
        self.scheduler.create_schedule(Name="s", GroupName=name, ScheduleExpression="rate(1 hour)",
                                       FlexibleTimeWindow=OFF, Target={"Arn": queue_arn, "RoleArn": ROLE})
        self.scheduler.delete_schedule_group(Name=name)
        self.scheduler.create_schedule_group(Name=name)
        self.addCleanup(self._quietly, self.scheduler.delete_schedule_group, Name=name)
        self.assertEqual(self.scheduler.list_schedules(GroupName=name)["Schedules"], [])


class ScheduleTests(EventsTestCase):

    def create(self, name=None, **extra):
        name = name or unique("sch")
        args = dict(Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                    Target={"Arn": self.queue_arn, "RoleArn": ROLE})
        args.update(extra)
        arn = self.scheduler.create_schedule(**args)["ScheduleArn"]
        self.addCleanup(self._quietly, self.scheduler.delete_schedule, Name=name,
                        **({"GroupName": extra["GroupName"]} if "GroupName" in extra else {}))
        return name, arn

    def setUp(self):
        super().setUp()
        self.queue_url, self.queue_arn = self.new_queue()

    def test_create_get_update_delete(self):
        start = int(time.time()) + 3600
        name, arn = self.create(ScheduleExpression="cron(30 9 ? * MON-FRI *)",
                                ScheduleExpressionTimezone="Europe/Paris", Description="weekdays",
                                StartDate=start, EndDate=start + 86400 * 30,
                                FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
                                Target={"Arn": self.queue_arn, "RoleArn": ROLE, "Input": "hello",
                                        "RetryPolicy": {"MaximumRetryAttempts": 3},
                                        "DeadLetterConfig": {"Arn": self.queue_arn}})
        self.assertEqual(arn, "arn:aws:scheduler:%s:%s:schedule/default/%s" % (REGION, ACCOUNT, name))
        got = self.scheduler.get_schedule(Name=name)
        self.assertEqual((got["Name"], got["Arn"], got["GroupName"], got["State"], got["Description"]),
                         (name, arn, "default", "ENABLED", "weekdays"))
        self.assertEqual(got["ScheduleExpression"], "cron(30 9 ? * MON-FRI *)")
        self.assertEqual(got["ScheduleExpressionTimezone"], "Europe/Paris")
        if has_action_after_completion(self.scheduler):
            self.assertEqual(got["ActionAfterCompletion"], "NONE")
        self.assertEqual(got["FlexibleTimeWindow"], {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15})
        self.assertEqual(int(got["StartDate"].timestamp()), start)
        self.assertEqual(got["Target"]["RetryPolicy"], {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 86400})
        self.assertEqual(got["Target"]["Input"], "hello")
        self.scheduler.update_schedule(Name=name, ScheduleExpression="rate(2 hours)", FlexibleTimeWindow=OFF,
                                       State="DISABLED", Target={"Arn": self.queue_arn, "RoleArn": ROLE})
        got = self.scheduler.get_schedule(Name=name)
        self.assertEqual((got["ScheduleExpression"], got["State"], got["ScheduleExpressionTimezone"]),
                         ("rate(2 hours)", "DISABLED", "UTC"))
        self.assertNotIn("Description", got)
        self.assertError(self.scheduler.create_schedule, "ConflictException", 409, Name=name,
                         ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                         Target={"Arn": self.queue_arn, "RoleArn": ROLE})
        self.scheduler.delete_schedule(Name=name)
        self.assertError(self.scheduler.get_schedule, "ResourceNotFoundException", 404, Name=name)
        self.assertError(self.scheduler.delete_schedule, "ResourceNotFoundException", 404, Name=name)
        self.assertError(self.scheduler.update_schedule, "ResourceNotFoundException", 404, Name=name,
                         ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                         Target={"Arn": self.queue_arn, "RoleArn": ROLE})

    def test_list_filters_and_pages(self):
        group = unique("grp")
        self.scheduler.create_schedule_group(Name=group)
        self.addCleanup(self._quietly, self.scheduler.delete_schedule_group, Name=group)
        for i in range(5):
            self.create("s-%d" % i, GroupName=group, State="DISABLED" if i % 2 else "ENABLED")
        seen, token = [], None
        while True:
            page = self.scheduler.list_schedules(GroupName=group, MaxResults=2, **({"NextToken": token} if token else {}))
            seen += [(s["Name"], s["State"], s["Target"]["Arn"]) for s in page["Schedules"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, [("s-%d" % i, "DISABLED" if i % 2 else "ENABLED", self.queue_arn) for i in range(5)])
        disabled = self.scheduler.list_schedules(GroupName=group, State="DISABLED")["Schedules"]
        self.assertEqual([s["Name"] for s in disabled], ["s-1", "s-3"])
        self.assertEqual([s["Name"] for s in self.scheduler.list_schedules(GroupName=group, NamePrefix="s-4")[
            "Schedules"]], ["s-4"])
        self.assertError(self.scheduler.list_schedules, "ResourceNotFoundException", 404, GroupName=group + "x")

    def test_refusals(self):
        target = {"Arn": self.queue_arn, "RoleArn": ROLE}
        cases = [
            dict(ScheduleExpression="rate(1 minutes)"),
            dict(ScheduleExpression="cron(0 3 * * * *)"),
            dict(ScheduleExpression="at(2030-02-30T00:00:00)"),
            dict(ScheduleExpressionTimezone="Mars/Olympus_Mons"),
            dict(ScheduleExpressionTimezone="../../etc/passwd"),
            dict(StartDate=int(time.time()) + 7200, EndDate=int(time.time()) + 3600),
            dict(StartDate=int(time.time()) - 3600),
            dict(FlexibleTimeWindow={"Mode": "FLEXIBLE"}),
            dict(FlexibleTimeWindow={"Mode": "OFF", "MaximumWindowInMinutes": 5}),
            dict(Target={"Arn": self.queue_arn, "RoleArn": "not-a-role"}),
            dict(Target={"Arn": "arn:aws:events:%s:%s:event-bus/default" % (REGION, ACCOUNT), "RoleArn": ROLE}),
            dict(Target={"Arn": "arn:aws:lambda:%s:%s:function:f" % (REGION, ACCOUNT), "RoleArn": ROLE,
                         "Input": "not json"}),
            dict(Target={"Arn": self.new_queue(fifo=True)[1], "RoleArn": ROLE}),
            dict(Target={"Arn": "arn:aws:kinesis:%s:%s:stream/s" % (REGION, ACCOUNT), "RoleArn": ROLE}),
        ]
        for extra in cases:
            args = dict(Name=unique("bad"), ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target)
            args.update(extra)
            with self.subTest(extra=extra):
                self.assertError(self.scheduler.create_schedule, "ValidationException", 400, **args)
        message = self.assertError(self.scheduler.create_schedule, "ValidationException", 400, Name="bad",
                                   ScheduleExpression="rate(1 minutes)", FlexibleTimeWindow=OFF, Target=target)
        self.assertEqual(message, "Invalid Schedule Expression rate(1 minutes).")
        self.assertError(self.scheduler.create_schedule, "ResourceNotFoundException", 404, Name="s",
                         GroupName="no-such-group", ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF,
                         Target=target)

    def test_cli(self):
        for binary in (harness.AWS_CLI_V1, harness.AWS_CLI_V2):
            with self.subTest(cli=binary):
                name = unique("cli")
                target = json.dumps({"Arn": self.queue_arn, "RoleArn": ROLE})
                done = harness.aws_cli(binary, "scheduler", "create-schedule", "--name", name,
                                       "--schedule-expression", "rate(5 minutes)", "--flexible-time-window",
                                       '{"Mode": "OFF"}', "--target", target)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertTrue(json.loads(done.stdout)["ScheduleArn"].endswith("/default/" + name))
                done = harness.aws_cli(binary, "scheduler", "get-schedule", "--name", name)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(json.loads(done.stdout)["ScheduleExpression"], "rate(5 minutes)")
                done = harness.aws_cli(binary, "scheduler", "list-schedules", "--name-prefix", name)
                self.assertEqual([s["Name"] for s in json.loads(done.stdout)["Schedules"]], [name])
                done = harness.aws_cli(binary, "scheduler", "delete-schedule", "--name", name)
                self.assertEqual(done.returncode, 0, done.stderr)
                done = harness.aws_cli(binary, "scheduler", "list-schedule-groups")
                self.assertIn("default", [g["Name"] for g in json.loads(done.stdout)["ScheduleGroups"]])


class InvocationTests(LambdaTestCase, EventsTestCase):
    """Schedules invoking their targets, on a server whose clock the test moves."""

    @classmethod
    def setUpClass(cls):
        cls.server = ClockServer()
        cls.URL = cls.server.url

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        EventsTestCase.setUp(self)
        self.lam = client("lambda", self.url)

    def schedule(self, expression, target, **extra):
        name = unique("sch")
        arn = self.scheduler.create_schedule(Name=name, ScheduleExpression=expression, FlexibleTimeWindow=OFF,
                                             Target=dict(target, RoleArn=ROLE), **extra)["ScheduleArn"]
        self.addCleanup(self._quietly, self.scheduler.delete_schedule, Name=name)
        return name, arn

    def now(self):
        return self.server.now_ms() // 1000

    def test_at_with_delete_after_completion(self):
        url, queue_arn = self.new_queue("at")
        when = self.now() + 3600
        template = ('{"arn": "<aws.scheduler.schedule-arn>", "time": "<aws.scheduler.scheduled-time>", '
                    '"execution": "<aws.scheduler.execution-id>", "attempt": <aws.scheduler.attempt-number>}')
        delete = has_action_after_completion(self.scheduler)
        name, arn = self.schedule("at(%s)" % iso(when)[:-1], {"Arn": queue_arn, "Input": template},
                                  **({"ActionAfterCompletion": "DELETE"} if delete else {}))
        # now() is whole seconds of a clock that runs on: stop two seconds short.
        self.server.advance(3598)
        self.assertNothing(url, wait=0)
        started = time.monotonic()
        self.server.advance(3)
        body = json.loads(self.bodies(url, 1, timeout=5)[0])
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual((body["arn"], body["time"], body["attempt"]), (arn, iso(when), 1))
        self.assertEqual(len(body["execution"]), 36)
        deadline = time.monotonic() + 5
        while delete and time.monotonic() < deadline and self.scheduler.list_schedules(NamePrefix=name)["Schedules"]:
            time.sleep(0.05)
        self.assertEqual(len(self.scheduler.list_schedules(NamePrefix=name)["Schedules"]), 0 if delete else 1)
        self.server.advance(7200)
        self.assertNothing(url)

    def test_cron_in_a_time_zone(self):
        url, queue_arn = self.new_queue("tz")
        self.schedule("cron(0 3 * * ? *)", {"Arn": queue_arn, "Input": '"<aws.scheduler.scheduled-time>"'},
                      ScheduleExpressionTimezone="Asia/Kolkata")
        now = self.now()
        # 03:00 in Kolkata (UTC+05:30) is 21:30 UTC of the day before.
        due = now - now % 86400 + 21 * 3600 + 1800
        if due <= now:
            due += 86400
        self.server.clock({"set_ms": (due - 1) * 1000})
        self.assertNothing(url, wait=0)
        self.server.advance(2)
        self.assertEqual(json.loads(self.bodies(url, 1, timeout=5)[0]), iso(due))

    def test_rate_between_start_and_end(self):
        url, queue_arn = self.new_queue("window")
        start = self.now() + 600
        self.schedule("rate(5 minutes)", {"Arn": queue_arn, "Input": '"<aws.scheduler.scheduled-time>"'},
                      StartDate=start, EndDate=start + 601)
        self.server.advance(598)         # two seconds short: now() is whole seconds of a running clock
        self.assertNothing(url, wait=0)
        got = []
        for _ in range(4):
            self.server.advance(300)
            got += [json.loads(b) for b in self.bodies(url, 1, timeout=2)]
        self.assertEqual(got, [iso(start + 300 * i) for i in range(3)])

    def test_fifo_queue_target(self):
        url, queue_arn = self.new_queue("fifo", fifo=True)
        self.schedule("rate(1 minute)", {"Arn": queue_arn, "Input": '"<aws.scheduler.scheduled-time>"',
                                         "SqsParameters": {"MessageGroupId": "jobs"}})
        self.server.advance(61)
        messages = self.receive(url, 1, AttributeNames=["MessageGroupId"])
        self.assertEqual(messages[0]["Attributes"]["MessageGroupId"], "jobs")

    def test_event_bus_target(self):
        url, queue_arn = self.new_queue("bus")
        bus = self.new_bus()
        self.new_rule({"source": ["it.scheduler"]}, bus=bus, targets=[{"Id": "q", "Arn": queue_arn}])
        bus_arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, bus)
        _, arn = self.schedule("rate(1 minute)", {
            "Arn": bus_arn, "Input": '{"job": "nightly"}',
            "EventBridgeParameters": {"DetailType": "Job Due", "Source": "it.scheduler"}})
        self.server.advance(61)
        event = json.loads(self.bodies(url, 1)[0])
        self.assertEqual((event["source"], event["detail-type"], event["detail"], event["resources"]),
                         ("it.scheduler", "Job Due", {"job": "nightly"}, [arn]))

    def test_lambda_target(self):
        name, created = self.create(files={"app.py": "import json\ndef handler(event, context):\n"
                                                     "    print('scheduled', json.dumps(event))\n"})
        self.schedule("rate(1 minute)", {"Arn": created["FunctionArn"], "Input": '{"who": "scheduler"}'})
        self.server.advance(61)
        logs = client("logs", self.url)

        def ran():
            try:
                events = logs.filter_log_events(logGroupName="/aws/lambda/" + name, filterPattern="scheduled")["events"]
            except Exception:
                return None
            return events
        events = self.wait_for(ran, timeout=20)
        self.assertIn('{"who": "scheduler"}', events[0]["message"])

    def test_dead_letter_queue(self):
        dlq_url, dlq_arn = self.new_queue("dlq")
        missing = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, unique("gone"))
        _, arn = self.schedule("rate(1 minute)", {"Arn": missing, "Input": "payload",
                                                  "DeadLetterConfig": {"Arn": dlq_arn}})
        self.server.advance(61)
        message = self.receive(dlq_url, 1, MessageAttributeNames=["All"])[0]
        self.assertEqual(message["Body"], "payload")
        attrs = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
        self.assertEqual((attrs["SCHEDULE_ARN"], attrs["TARGET_ARN"], attrs["ERROR_CODE"]),
                         (arn, missing, "NO_RESOURCE"))
        self.assertEqual(attrs["GROUP_ARN"], "arn:aws:scheduler:%s:%s:schedule-group/default" % (REGION, ACCOUNT))
        self.assertEqual(len(attrs["EXECUTION_ID"]), 36)

    def test_disabled_schedule_does_not_fire(self):
        url, queue_arn = self.new_queue("off")
        self.schedule("rate(1 minute)", {"Arn": queue_arn}, State="DISABLED")
        self.server.advance(120)
        self.assertNothing(url)


if __name__ == "__main__":
    import unittest
    unittest.main()
