"""EventBridge with real clients: event buses, rules, targets, PutEvents and delivery
(SQS standard and FIFO, another bus, CloudWatch Logs, Lambda with its resource policy,
dead-letter queues), Input / InputPath / InputTransformer, every event pattern operator
through TestEventPattern and through delivery, S3's EventBridgeConfiguration, tags and
permissions, aws-cli v1 and v2; scheduled rules on a server whose clock the test moves
(rate on time, cron at 03:00, a restart that neither repeats nor loses a firing); and a
kill -9 during the delivery of 10,000 events that loses none.

LongRealTimeTests (CLOUDLESS_LONG_TESTS=1) runs a rate(1 minute) rule for five minutes
of real time with a Lambda and an SQS target.
"""
import json
import os
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

import harness
from events_support import ACCOUNT, ClockServer, EventsTestCase, client, unique
from lambda_support import LambdaTestCase, make_zip
from server import endpoint

REGION = harness.REGION


def event_json(source, detail, detail_type="Test", resources=()):
    return json.dumps({"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": detail_type,
                       "source": source, "account": ACCOUNT, "time": "2024-05-01T12:00:00Z", "region": REGION,
                       "resources": list(resources), "detail": detail})


class BusTests(EventsTestCase):

    def test_create_describe_list_update_delete(self):
        name = unique("bus")
        # Description and UpdateEventBus came to the API in 2024 (boto3 1.26 has neither).
        recent = hasattr(self.events, "update_event_bus")
        created = self.events.create_event_bus(Name=name, Tags=[{"Key": "team", "Value": "a"}],
                                               **({"Description": "orders"} if recent else {}))
        arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, name)
        self.assertEqual(created["EventBusArn"], arn)
        described = self.events.describe_event_bus(Name=name)
        self.assertEqual((described["Name"], described["Arn"]), (name, arn))
        self.assertEqual(self.events.describe_event_bus(Name=arn)["Name"], name)
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "team", "Value": "a"}])
        if recent:
            self.assertIn("CreationTime", described)
            self.assertEqual(described["Description"], "orders")
            self.events.update_event_bus(Name=name, Description="changed")
            self.assertEqual(self.events.describe_event_bus(Name=name)["Description"], "changed")
        names = [b["Name"] for b in self.events.list_event_buses(NamePrefix=name)["EventBuses"]]
        self.assertEqual(names, [name])
        self.assertIn("default", [b["Name"] for b in self.events.list_event_buses()["EventBuses"]])
        self.assertEqual(self.events.describe_event_bus()["Name"], "default")
        self.assertError(self.events.create_event_bus, "ResourceAlreadyExistsException", 400, Name=name)
        self.events.delete_event_bus(Name=name)
        self.assertError(self.events.describe_event_bus, "ResourceNotFoundException", 400, Name=name)
        self.assertError(self.events.delete_event_bus, "ValidationException", 400, Name="default")
        self.assertError(self.events.create_event_bus, "ValidationException", 400, Name="bad name!")

    def test_list_pages(self):
        prefix = unique("page")
        for i in range(5):
            self.events.create_event_bus(Name="%s-%d" % (prefix, i))
            self.addCleanup(self._quietly, self.events.delete_event_bus, Name="%s-%d" % (prefix, i))
        seen, token = [], None
        while True:
            page = self.events.list_event_buses(NamePrefix=prefix, Limit=2, **({"NextToken": token} if token else {}))
            seen += [b["Name"] for b in page["EventBuses"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ["%s-%d" % (prefix, i) for i in range(5)])

    def test_deleting_a_bus_deletes_its_rules(self):
        bus = self.new_bus()
        self.events.put_rule(Name="r", EventBusName=bus, EventPattern='{"source": ["x"]}')
        self.events.delete_event_bus(Name=bus)
        self.events.create_event_bus(Name=bus)
        self.assertEqual(self.events.list_rules(EventBusName=bus)["Rules"], [])

    def test_permissions(self):
        bus = self.new_bus()
        self.events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="111122223333",
                                   StatementId="partner")
        self.events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal="*", StatementId="org",
                                   Condition={"Type": "StringEquals", "Key": "aws:PrincipalOrgID",
                                              "Value": "o-1234567890"})
        policy = json.loads(self.events.describe_event_bus(Name=bus)["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        self.assertEqual(statements["partner"]["Principal"], {"AWS": "arn:aws:iam::111122223333:root"})
        self.assertEqual(statements["partner"]["Resource"],
                         "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, bus))
        self.assertEqual(statements["org"]["Condition"], {"StringEquals": {"aws:PrincipalOrgID": "o-1234567890"}})
        self.events.remove_permission(EventBusName=bus, StatementId="partner")
        policy = json.loads(self.events.describe_event_bus(Name=bus)["Policy"])
        self.assertEqual([s["Sid"] for s in policy["Statement"]], ["org"])
        self.assertError(self.events.remove_permission, "ResourceNotFoundException", 400, EventBusName=bus,
                         StatementId="partner")
        self.events.remove_permission(EventBusName=bus, RemoveAllPermissions=True)
        self.assertNotIn("Policy", self.events.describe_event_bus(Name=bus))


class CrossAccountTests(EventsTestCase):
    """Another account puts events on this account's bus once its policy allows it."""

    OTHER = "111122223333"

    @classmethod
    def setUpClass(cls):
        from server import OwnServer
        cls.server = OwnServer("cloudless-xacct-", env={"CLOUDLESS_ACCESS_KEYS": "OTHERKEY:othersecret:" + cls.OTHER})
        cls.URL = cls.server.url

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_put_events_needs_the_bus_policy(self):
        url, queue_arn = self.new_queue("xacct")
        bus = self.new_bus()
        self.new_rule({"source": ["it.partner"]}, bus=bus, targets=[{"Id": "q", "Arn": queue_arn}])
        bus_arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, bus)
        other = self.server.client("events", access_key="OTHERKEY", secret="othersecret")
        entry = {"Source": "it.partner", "DetailType": "t", "Detail": "{}", "EventBusName": bus_arn}
        denied = other.put_events(Entries=[entry])
        self.assertEqual(denied["Entries"][0]["ErrorCode"], "AccessDeniedException")
        self.events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal=self.OTHER,
                                   StatementId="partner")
        accepted = other.put_events(Entries=[entry])
        self.assertEqual(accepted["FailedEntryCount"], 0)
        event = json.loads(self.bodies(url, 1)[0])
        self.assertEqual((event["id"], event["account"]), (accepted["Entries"][0]["EventId"], self.OTHER))


class RuleTests(EventsTestCase):

    def test_put_describe_list_enable_disable_delete(self):
        name, arn = self.new_rule({"source": ["it.app"]}, Description="d", State="DISABLED")
        self.assertEqual(arn, "arn:aws:events:%s:%s:rule/%s" % (REGION, ACCOUNT, name))
        rule = self.events.describe_rule(Name=name)
        self.assertEqual((rule["Name"], rule["Arn"], rule["State"], rule["Description"], rule["EventBusName"]),
                         (name, arn, "DISABLED", "d", "default"))
        self.assertEqual(json.loads(rule["EventPattern"]), {"source": ["it.app"]})
        self.events.enable_rule(Name=name)
        self.assertEqual(self.events.describe_rule(Name=name)["State"], "ENABLED")
        self.events.disable_rule(Name=name)
        self.assertEqual(self.events.describe_rule(Name=name)["State"], "DISABLED")
        listed = self.events.list_rules(NamePrefix=name)["Rules"]
        self.assertEqual([r["Name"] for r in listed], [name])
        self.events.put_rule(Name=name, ScheduleExpression="rate(5 minutes)")
        self.assertEqual(self.events.describe_rule(Name=name)["ScheduleExpression"], "rate(5 minutes)")
        self.events.delete_rule(Name=name)
        self.assertError(self.events.describe_rule, "ResourceNotFoundException", 400, Name=name)
        self.assertError(self.events.enable_rule, "ResourceNotFoundException", 400, Name=name)

    def test_rules_of_a_custom_bus(self):
        bus = self.new_bus()
        name, arn = self.new_rule({"source": ["x"]}, bus=bus)
        self.assertEqual(arn, "arn:aws:events:%s:%s:rule/%s/%s" % (REGION, ACCOUNT, bus, name))
        self.assertEqual([r["Name"] for r in self.events.list_rules(EventBusName=bus)["Rules"]], [name])
        self.assertEqual(self.events.describe_rule(Name=name, EventBusName=bus)["EventBusName"], bus)
        self.assertError(self.events.describe_rule, "ResourceNotFoundException", 400, Name=name)
        self.assertError(self.events.put_rule, "ValidationException", 400, Name="s", EventBusName=bus,
                         ScheduleExpression="rate(1 hour)")
        self.assertError(self.events.put_rule, "ResourceNotFoundException", 400, Name="r",
                         EventBusName="no-such-bus", EventPattern='{"source": ["x"]}')

    def test_refusals(self):
        message = self.assertError(self.events.put_rule, "InvalidEventPatternException", 400, Name="bad",
                                   EventPattern='{"source": "not-a-list"}')
        self.assertTrue(message.startswith("Event pattern is not valid. Reason: "), message)
        self.assertError(self.events.put_rule, "InvalidEventPatternException", 400, Name="bad",
                         EventPattern="not json")
        for expression in ("rate(1 minutes)", "rate(0 minutes)", "cron(0 3 * * * *)", "cron(0 3 * *)",
                           "at(2030-01-01T00:00:00)", "every day"):
            self.assertError(self.events.put_rule, "ValidationException", 400, Name="bad",
                             ScheduleExpression=expression)
        self.assertError(self.events.put_rule, "ValidationException", 400, Name="bad")
        self.assertError(self.events.put_rule, "ValidationException", 400, Name="bad name", EventPattern="{}")

    def test_delete_needs_force_with_targets(self):
        url, queue_arn = self.new_queue()
        name, _ = self.new_rule({"source": ["x"]}, targets=[{"Id": "q", "Arn": queue_arn}])
        self.assertError(self.events.delete_rule, "ValidationException", 400, Name=name)
        self.events.delete_rule(Name=name, Force=True)
        self.assertEqual(self.events.list_rules(NamePrefix=name)["Rules"], [])

    def test_list_rules_pages(self):
        prefix = unique("pg")
        for i in range(5):
            self.events.put_rule(Name="%s-%d" % (prefix, i), EventPattern='{"source": ["x"]}')
            self.addCleanup(self._quietly, self.events.delete_rule, Name="%s-%d" % (prefix, i))
        seen, token = [], None
        while True:
            page = self.events.list_rules(NamePrefix=prefix, Limit=2, **({"NextToken": token} if token else {}))
            seen += [r["Name"] for r in page["Rules"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ["%s-%d" % (prefix, i) for i in range(5)])

    def test_rule_tags(self):
        name, arn = self.new_rule({"source": ["x"]}, Tags=[{"Key": "a", "Value": "1"}])
        self.events.tag_resource(ResourceARN=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=arn)["Tags"],
                         [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
        self.events.untag_resource(ResourceARN=arn, TagKeys=["a"])
        self.assertEqual(self.events.list_tags_for_resource(ResourceARN=arn)["Tags"], [{"Key": "b", "Value": "2"}])
        self.assertError(self.events.list_tags_for_resource, "ResourceNotFoundException", 400,
                         ResourceARN=arn + "-gone")


class TargetTests(EventsTestCase):

    def test_put_list_remove(self):
        _, queue_arn = self.new_queue()
        name, _ = self.new_rule({"source": ["x"]})
        targets = [{"Id": "a", "Arn": queue_arn, "Input": '{"k": 1}'},
                   {"Id": "b", "Arn": queue_arn, "InputPath": "$.detail",
                    "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
                    "DeadLetterConfig": {"Arn": queue_arn}}]
        self.assertEqual(self.events.put_targets(Rule=name, Targets=targets)["FailedEntryCount"], 0)
        self.assertEqual(self.events.list_targets_by_rule(Rule=name)["Targets"], targets)
        page = self.events.list_targets_by_rule(Rule=name, Limit=1)
        self.assertEqual([t["Id"] for t in page["Targets"]], ["a"])
        page = self.events.list_targets_by_rule(Rule=name, Limit=1, NextToken=page["NextToken"])
        self.assertEqual([t["Id"] for t in page["Targets"]], ["b"])
        self.assertIn(name, self.events.list_rule_names_by_target(TargetArn=queue_arn)["RuleNames"])
        self.events.remove_targets(Rule=name, Ids=["a"])
        self.assertEqual([t["Id"] for t in self.events.list_targets_by_rule(Rule=name)["Targets"]], ["b"])

    def test_refusals(self):
        _, queue_arn = self.new_queue()
        _, fifo_arn = self.new_queue(fifo=True)
        name, _ = self.new_rule({"source": ["x"]})
        bad = [
            {"Id": "a", "Arn": queue_arn, "Input": "not json"},
            {"Id": "a", "Arn": queue_arn, "Input": "{}", "InputPath": "$.detail"},
            {"Id": "a", "Arn": queue_arn, "InputTransformer": {"InputTemplate": "<missing>"}},
            {"Id": "a", "Arn": fifo_arn},
            {"Id": "a", "Arn": "arn:aws:kinesis:%s:%s:stream/s" % (REGION, ACCOUNT)},
            {"Id": "a", "Arn": queue_arn, "RetryPolicy": {"MaximumRetryAttempts": 186}},
            {"Id": "bad id!", "Arn": queue_arn},
            {"Id": "a", "Arn": "arn:aws:events:%s:%s:event-bus/default" % (REGION, ACCOUNT)},
        ]
        for target in bad:
            with self.subTest(target=target):
                self.assertError(self.events.put_targets, "ValidationException", 400, Rule=name, Targets=[target])
        self.assertError(self.events.put_targets, "ResourceNotFoundException", 400, Rule=name + "-gone",
                         Targets=[{"Id": "a", "Arn": queue_arn}])
        self.assertError(self.events.put_targets, "LimitExceededException", 400, Rule=name,
                         Targets=[{"Id": "t%d" % i, "Arn": queue_arn} for i in range(6)])
        self.assertEqual(self.events.list_targets_by_rule(Rule=name)["Targets"], [])


class PutEventsTests(EventsTestCase):

    def test_delivers_the_event_to_a_queue(self):
        url, queue_arn = self.new_queue()
        name, rule_arn = self.new_rule({"source": ["it.orders"], "detail-type": ["Order Placed"]},
                                       targets=[{"Id": "q", "Arn": queue_arn}])
        result = self.events.put_events(Entries=[
            {"Source": "it.orders", "DetailType": "Order Placed", "Detail": '{"id": 7}',
             "Resources": ["arn:aws:s3:::b"], "Time": 1714564800},
            {"Source": "it.other", "DetailType": "Order Placed", "Detail": "{}"}])
        self.assertEqual(result["FailedEntryCount"], 0)
        event = json.loads(self.bodies(url, 1)[0])
        self.assertEqual(event, {"version": "0", "id": result["Entries"][0]["EventId"], "detail-type": "Order Placed",
                                 "source": "it.orders", "account": ACCOUNT, "time": "2024-05-01T12:00:00Z",
                                 "region": REGION, "resources": ["arn:aws:s3:::b"], "detail": {"id": 7}})
        self.assertNothing(url)

    def test_entry_errors(self):
        result = self.events.put_events(Entries=[
            {"Source": "s", "DetailType": "t", "Detail": "{}"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": "s", "DetailType": "t", "Detail": "[1]"},
            {"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": "no-such-bus"}])
        self.assertEqual(result["FailedEntryCount"], 3)
        entries = result["Entries"]
        self.assertIn("EventId", entries[0])
        self.assertEqual((entries[1]["ErrorCode"], entries[1]["ErrorMessage"]),
                         ("InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."))
        self.assertEqual((entries[2]["ErrorCode"], entries[2]["ErrorMessage"]), ("MalformedDetail", "Detail is malformed."))
        self.assertEqual(entries[3]["ErrorCode"], "ResourceNotFoundException")
        self.assertError(self.events.put_events, "ValidationException", 400,
                         Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)
        big = json.dumps({"x": "a" * (256 * 1024)})
        self.assertError(self.events.put_events, "ValidationException", 400,
                         Entries=[{"Source": "s", "DetailType": "t", "Detail": big}])

    def test_input_kinds(self):
        url, queue_arn = self.new_queue()
        self.new_rule({"source": ["it.input"]}, targets=[
            {"Id": "constant", "Arn": queue_arn, "Input": '{"fixed": true}'},
            {"Id": "path", "Arn": queue_arn, "InputPath": "$.detail.order"},
            {"Id": "transformer", "Arn": queue_arn, "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.order.id", "src": "$.source"},
                "InputTemplate": '{"order": <id>, "from": "<src>", "rule": "<aws.events.rule-name>"}'}},
            {"Id": "text", "Arn": queue_arn, "InputTransformer": {
                "InputPathsMap": {"id": "$.detail.order.id"}, "InputTemplate": '"order <id> placed"'}}])
        self.put("it.input", {"order": {"id": 42, "items": [1, 2]}})
        bodies = sorted(self.bodies(url, 4))
        self.assertEqual(bodies, sorted([
            '{"fixed": true}', '{"id":42,"items":[1,2]}', "order 42 placed",
            '{"order":42,"from":"it.input","rule":"%s"}' % self.events.list_rule_names_by_target(
                TargetArn=queue_arn)["RuleNames"][0]]))

    def test_fifo_queue_with_a_message_group(self):
        url, fifo_arn = self.new_queue("fifo", fifo=True)
        self.new_rule({"source": ["it.fifo"]},
                      targets=[{"Id": "f", "Arn": fifo_arn, "SqsParameters": {"MessageGroupId": "g1"}}])
        ids = [self.put("it.fifo", {"n": i}) for i in range(3)]
        messages = self.receive(url, 3, AttributeNames=["MessageGroupId"])
        self.assertEqual([json.loads(m["Body"])["id"] for m in messages], ids)
        self.assertEqual({m["Attributes"]["MessageGroupId"] for m in messages}, {"g1"})

    def test_custom_bus_and_bus_to_bus(self):
        url, queue_arn = self.new_queue()
        source_bus, sink_bus = self.new_bus("src"), self.new_bus("sink")
        sink_arn = "arn:aws:events:%s:%s:event-bus/%s" % (REGION, ACCOUNT, sink_bus)
        self.new_rule({"source": ["it.chain"]}, bus=source_bus, targets=[{"Id": "next", "Arn": sink_arn}])
        self.new_rule({"source": ["it.chain"]}, bus=sink_bus, targets=[{"Id": "q", "Arn": queue_arn}])
        event_id = self.put("it.chain", {"hop": 1}, EventBusName=source_bus)
        event = json.loads(self.bodies(url, 1)[0])
        self.assertEqual((event["id"], event["detail"]), (event_id, {"hop": 1}))
        # An event on the default bus does not reach the custom bus's rules.
        self.put("it.chain", {"hop": 0})
        self.assertNothing(url)

    def test_cloudwatch_logs_target(self):
        logs = client("logs", self.url)
        group = "/aws/events/" + unique("g")
        logs.create_log_group(logGroupName=group)
        self.addCleanup(self._quietly, logs.delete_log_group, logGroupName=group)
        group_arn = "arn:aws:logs:%s:%s:log-group:%s" % (REGION, ACCOUNT, group)
        self.new_rule({"source": ["it.logs"]}, targets=[{"Id": "l", "Arn": group_arn}])
        event_id = self.put("it.logs", {"line": 1})
        deadline = time.monotonic() + 10
        events = []
        while not events and time.monotonic() < deadline:
            events = logs.filter_log_events(logGroupName=group)["events"]
            time.sleep(0.1)
        self.assertEqual(len(events), 1)
        self.assertEqual(events[0]["logStreamName"], event_id)
        self.assertEqual(json.loads(events[0]["message"])["detail"], {"line": 1})

    def test_dead_letter_queue_for_a_missing_target(self):
        dlq_url, dlq_arn = self.new_queue("dlq")
        missing = "arn:aws:sqs:%s:%s:%s" % (REGION, ACCOUNT, unique("gone"))
        _, rule_arn = self.new_rule({"source": ["it.dlq"]},
                                    targets=[{"Id": "gone", "Arn": missing, "DeadLetterConfig": {"Arn": dlq_arn}}])
        event_id = self.put("it.dlq", {"x": 1})
        messages = self.receive(dlq_url, 1, MessageAttributeNames=["All"])
        self.assertEqual(json.loads(messages[0]["Body"])["id"], event_id)
        attrs = {k: v["StringValue"] for k, v in messages[0]["MessageAttributes"].items()}
        self.assertEqual(attrs["RULE_ARN"], rule_arn)
        self.assertEqual(attrs["TARGET_ARN"], missing)
        self.assertEqual(attrs["ERROR_CODE"], "NO_RESOURCE")
        self.assertEqual(attrs["RETRY_ATTEMPTS"], "0")
        self.assertIn("ERROR_MESSAGE", attrs)

    def test_disabled_rule_does_not_match(self):
        url, queue_arn = self.new_queue()
        name, _ = self.new_rule({"source": ["it.off"]}, State="DISABLED", targets=[{"Id": "q", "Arn": queue_arn}])
        self.put("it.off")
        self.assertNothing(url)
        self.events.enable_rule(Name=name)
        self.put("it.off")
        self.assertEqual(len(self.bodies(url, 1)), 1)


# Every operator: (name, pattern of the detail, a detail that matches, one that does not).
OPERATORS = [
    ("exact", {"v": ["blue"]}, {"v": "blue"}, {"v": "Blue"}),
    ("number", {"v": [300]}, {"v": 3.0e2}, {"v": 301}),
    ("boolean", {"v": [True]}, {"v": True}, {"v": "true"}),
    ("null", {"v": [None]}, {"v": None}, {"v": ""}),
    ("empty-string", {"v": [""]}, {"v": ""}, {"v": None}),
    ("prefix", {"v": [{"prefix": "ord-"}]}, {"v": "ord-1"}, {"v": "xord-1"}),
    ("prefix-ignore-case", {"v": [{"prefix": {"equals-ignore-case": "ORD-"}}]}, {"v": "oRd-1"}, {"v": "or-1"}),
    ("suffix", {"v": [{"suffix": ".png"}]}, {"v": "a.png"}, {"v": "a.jpg"}),
    ("suffix-ignore-case", {"v": [{"suffix": {"equals-ignore-case": ".PNG"}}]}, {"v": "a.Png"}, {"v": "a.jpg"}),
    ("equals-ignore-case", {"v": [{"equals-ignore-case": "alice"}]}, {"v": "ALICE"}, {"v": "alicia"}),
    ("wildcard", {"v": [{"wildcard": "dir/*/file-*.txt"}]}, {"v": "dir/a/b/file-1.txt"}, {"v": "dir/a/file.txt"}),
    ("anything-but", {"v": [{"anything-but": "red"}]}, {"v": "blue"}, {"v": "red"}),
    ("anything-but-list", {"v": [{"anything-but": ["red", "green"]}]}, {"v": "blue"}, {"v": "green"}),
    ("anything-but-number", {"v": [{"anything-but": [1, 2]}]}, {"v": 3}, {"v": 2}),
    ("anything-but-prefix", {"v": [{"anything-but": {"prefix": "tmp/"}}]}, {"v": "data/x"}, {"v": "tmp/x"}),
    ("anything-but-suffix", {"v": [{"anything-but": {"suffix": ".tmp"}}]}, {"v": "x.txt"}, {"v": "x.tmp"}),
    ("anything-but-wildcard", {"v": [{"anything-but": {"wildcard": "*/tmp/*"}}]}, {"v": "a/b"}, {"v": "a/tmp/b"}),
    ("anything-but-ignore-case", {"v": [{"anything-but": {"equals-ignore-case": ["RED"]}}]}, {"v": "blue"},
     {"v": "Red"}),
    ("numeric-range", {"v": [{"numeric": [">", 0, "<=", 5]}]}, {"v": 5}, {"v": 0}),
    ("numeric-equal", {"v": [{"numeric": ["=", 1.5]}]}, {"v": 1.5}, {"v": 2}),
    ("exists", {"v": [{"exists": True}]}, {"v": 0}, {"w": 0}),
    ("not-exists", {"v": [{"exists": False}]}, {"w": 1}, {"v": 1}),
    ("cidr", {"v": [{"cidr": "10.0.0.0/24"}]}, {"v": "10.0.0.77"}, {"v": "10.0.1.1"}),
    ("cidr-v6", {"v": [{"cidr": "2001:db8::/32"}]}, {"v": "2001:db8::1"}, {"v": "2001:db9::1"}),
    ("or", {"$or": [{"v": ["a"]}, {"w": [{"numeric": [">", 10]}]}]}, {"w": 11}, {"v": "b", "w": 1}),
    ("array-value", {"v": ["x"]}, {"v": ["w", "x"]}, {"v": ["w", "y"]}),
    ("nested", {"a": {"b": {"c": ["deep"]}}}, {"a": {"b": {"c": "deep"}}}, {"a": {"b": "deep"}}),
    ("array-of-objects", {"items": {"sku": ["A"], "qty": [2]}}, {"items": [{"sku": "A", "qty": 2}]},
     {"items": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}),
    ("several-fields", {"v": ["a"], "w": [{"prefix": "b"}]}, {"v": "a", "w": "bc"}, {"v": "a", "w": "cb"}),
]


class PatternTests(EventsTestCase):
    """Each operator twice: TestEventPattern on an event that should match and one that
    should not, then the same two events through PutEvents and a rule with that pattern,
    whose InputTransformer names the case and the kind of event that reached the queue."""

    def test_every_operator(self):
        url, queue_arn = self.new_queue("patterns")
        source = unique("it.pattern")
        transformer = {"InputPathsMap": {"case": "$.detail.case", "kind": "$.detail.kind"},
                       "InputTemplate": '"<case> <kind>"'}
        for name, pattern, _, _ in OPERATORS:
            full = {"source": [source], "detail": dict(pattern, case=[name])}
            if "$or" in pattern:
                full["detail"] = {"case": [name], "$or": pattern["$or"]}
            self.new_rule(full, targets=[{"Id": "t", "Arn": queue_arn, "InputTransformer": transformer}])
        expected = []
        for name, pattern, good, bad in OPERATORS:
            full = {"source": [source], "detail": dict(pattern, case=[name])}
            if "$or" in pattern:
                full["detail"] = {"case": [name], "$or": pattern["$or"]}
            for kind, detail in (("match", good), ("miss", bad)):
                detail = dict(detail, case=name, kind=kind)
                with self.subTest(operator=name, kind=kind):
                    result = self.events.test_event_pattern(EventPattern=json.dumps(full),
                                                            Event=event_json(source, detail))["Result"]
                    self.assertEqual(result, kind == "match")
                self.put(source, detail)
            expected.append("%s match" % name)
        got = self.bodies(url, len(expected), timeout=15)
        self.assertEqual(sorted(got), sorted(expected))
        self.assertNothing(url)

    def test_refusals_and_test_event_pattern_checks(self):
        for pattern in ('{"v": [{"numeric": [">", "x"]}]}', '{"v": [{"prefix": 1}]}', '{"v": [{"unknown": 1}]}',
                        '{"v": [{"cidr": "10.0.0.0/99"}]}', '{"v": []}', '"text"'):
            with self.subTest(pattern=pattern):
                self.assertError(self.events.test_event_pattern, "InvalidEventPatternException", 400,
                                 EventPattern=pattern, Event=event_json("s", {}))
        self.assertError(self.events.test_event_pattern, "ValidationException", 400,
                         EventPattern='{"source": ["s"]}', Event='{"source": "s"}')


class LambdaTargetTests(LambdaTestCase, EventsTestCase):

    def setUp(self):
        LambdaTestCase.setUp(self)
        EventsTestCase.setUp(self)

    def _logged(self, name, needle, timeout=20):
        logs = client("logs")

        def find():
            try:
                events = logs.filter_log_events(logGroupName="/aws/lambda/" + name)["events"]
            except ClientError:
                return None
            return [e for e in events if needle in e["message"]]
        return self.wait_for(find, timeout=timeout)

    def test_invokes_with_permission_else_dead_letter(self):
        name, created = self.create()
        function_arn = created["FunctionArn"]
        dlq_url, dlq_arn = self.new_queue("dlq")
        rule, rule_arn = self.new_rule({"source": ["it.lambda"]}, targets=[
            {"Id": "fn", "Arn": function_arn, "DeadLetterConfig": {"Arn": dlq_arn}}])
        # No permission for events.amazonaws.com yet: not invoked, dead-lettered.
        denied = self.put("it.lambda", {"try": 1})
        message = self.receive(dlq_url, 1, MessageAttributeNames=["All"])[0]
        self.assertEqual(json.loads(message["Body"])["id"], denied)
        self.assertEqual(message["MessageAttributes"]["ERROR_CODE"]["StringValue"], "NO_PERMISSIONS")
        self.lam.add_permission(FunctionName=name, StatementId="events", Action="lambda:InvokeFunction",
                                Principal="events.amazonaws.com", SourceArn=rule_arn)
        allowed = self.put("it.lambda", {"try": 2})
        self.assertTrue(self._logged(name, allowed))
        self.assertFalse([e for e in client("logs").filter_log_events(
            logGroupName="/aws/lambda/" + name)["events"] if denied in e["message"]])


class S3ToEventBridgeTests(EventsTestCase):

    def test_object_created_and_deleted(self):
        s3 = harness.s3_client()
        bucket = harness.unique_bucket_name("evb")
        s3.create_bucket(Bucket=bucket)
        self.addCleanup(harness.empty_and_delete_bucket, s3, bucket)
        url, queue_arn = self.new_queue()
        self.new_rule({"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}},
                      targets=[{"Id": "q", "Arn": queue_arn}])
        s3.put_bucket_notification_configuration(Bucket=bucket,
                                                 NotificationConfiguration={"EventBridgeConfiguration": {}})
        self.assertIn("EventBridgeConfiguration", s3.get_bucket_notification_configuration(Bucket=bucket))
        s3.put_object(Bucket=bucket, Key="dir/a b.txt", Body=b"hello")
        s3.delete_object(Bucket=bucket, Key="dir/a b.txt")
        events = [json.loads(b) for b in self.bodies(url, 2)]
        created, deleted = sorted(events, key=lambda e: e["detail-type"])
        self.assertEqual(created["detail-type"], "Object Created")
        self.assertEqual(created["source"], "aws.s3")
        self.assertEqual(created["resources"], ["arn:aws:s3:::%s" % bucket])
        self.assertEqual(created["detail"]["object"]["key"], "dir/a b.txt")
        self.assertEqual(created["detail"]["object"]["size"], 5)
        self.assertEqual(created["detail"]["object"]["etag"], "5d41402abc4b2a76b9719d911017c592")
        self.assertEqual(created["detail"]["reason"], "PutObject")
        self.assertEqual(deleted["detail-type"], "Object Deleted")
        self.assertEqual(deleted["detail"]["deletion-type"], "Permanently Deleted")
        self.assertNotIn("size", deleted["detail"]["object"])


@harness.interpreter_free_test
class CliTests(EventsTestCase):

    def _cli(self, binary, *args):
        completed = harness.aws_cli(binary, *args)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        return json.loads(completed.stdout) if completed.stdout.strip() else {}

    def _round_trip(self, binary):
        url, queue_arn = self.new_queue("cli")
        name = unique("cli")
        self.addCleanup(self._quietly, self.events.delete_rule, Name=name, Force=True)
        arn = self._cli(binary, "events", "put-rule", "--name", name, "--event-pattern",
                        '{"source": ["it.cli"]}')["RuleArn"]
        self.assertTrue(arn.endswith("rule/" + name))
        self._cli(binary, "events", "put-targets", "--rule", name, "--targets",
                  json.dumps([{"Id": "q", "Arn": queue_arn}]))
        self.assertEqual(self._cli(binary, "events", "describe-rule", "--name", name)["Name"], name)
        self.assertEqual([r["Name"] for r in self._cli(binary, "events", "list-rules", "--name-prefix", name)["Rules"]],
                         [name])
        entries = json.dumps([{"Source": "it.cli", "DetailType": "cli", "Detail": '{"via": "%s"}' % binary}])
        result = self._cli(binary, "events", "put-events", "--entries", entries)
        self.assertEqual(result["FailedEntryCount"], 0)
        self.assertEqual(json.loads(self.bodies(url, 1)[0])["detail"], {"via": binary})
        tested = self._cli(binary, "events", "test-event-pattern", "--event-pattern", '{"source": ["it.cli"]}',
                           "--event", event_json("it.cli", {}))
        self.assertTrue(tested["Result"])
        self._cli(binary, "events", "remove-targets", "--rule", name, "--ids", "q")
        self._cli(binary, "events", "delete-rule", "--name", name)

    def test_aws_cli_v1(self):
        self._round_trip(harness.AWS_CLI_V1)

    def test_aws_cli_v2(self):
        self._round_trip(harness.AWS_CLI_V2)


class ScheduledRuleTests(EventsTestCase):
    """Scheduled rules on a server whose clock the test moves."""

    @classmethod
    def setUpClass(cls):
        cls.server = ClockServer()
        cls.URL = cls.server.url

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_rate_fires_on_time(self):
        url, queue_arn = self.new_queue("rate")
        while True:
            before = self.server.now_ms()
            name, rule_arn = self.new_rule(ScheduleExpression="rate(1 minute)")
            after = self.server.now_ms()
            if before // 1000 == after // 1000:
                break          # the rule's second is known: its first fire is a minute later
        self.events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue_arn}])
        due = before // 1000 * 1000 + 60000
        self.assertEqual(self.server.clock({"set_ms": due - 500})[0], 200)
        self.assertNothing(url, wait=0)
        for minute in range(5):
            if minute:
                self.assertEqual(self.server.clock({"set_ms": due})[0], 200)
            started = time.monotonic()
            messages = self.receive(url, 1, timeout=5)
            self.assertEqual(len(messages), 1, "minute %d" % minute)
            self.assertLess(time.monotonic() - started, 1.5 if minute == 0 else 1.0)
            event = json.loads(messages[0]["Body"])
            self.assertEqual((event["detail-type"], event["source"], event["resources"], event["detail"]),
                             ("Scheduled Event", "aws.events", [rule_arn], {}))
            self.assertEqual(event["time"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(due // 1000)))
            due += 60000
        self.assertNothing(url, wait=0)

    def test_cron_at_three_through_the_clock(self):
        url, queue_arn = self.new_queue("cron")
        self.new_rule(ScheduleExpression="cron(0 3 * * ? *)", targets=[{"Id": "q", "Arn": queue_arn}])
        now = self.server.now_ms() // 1000
        three = now - now % 86400 + 3 * 3600
        if three <= now:
            three += 86400
        started = time.monotonic()
        status, answer = self.server.clock({"set_ms": (three + 1) * 1000})
        self.assertEqual(status, 200, answer)
        event = json.loads(self.bodies(url, 1, timeout=5)[0])
        self.assertLess(time.monotonic() - started, 1.0)
        self.assertEqual(event["time"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(three)))
        # A jump over many fire times fires once, with the latest of them.
        self.server.advance(3 * 86400)
        events = [json.loads(b) for b in self.bodies(url, 2, timeout=3)]
        self.assertEqual([e["time"] for e in events], [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(three + 3 * 86400))])

    def test_disabled_rule_does_not_fire(self):
        url, queue_arn = self.new_queue("off")
        name, _ = self.new_rule(ScheduleExpression="rate(1 minute)", State="DISABLED",
                                targets=[{"Id": "q", "Arn": queue_arn}])
        self.server.advance(120)
        self.assertNothing(url)

    def test_clock_endpoint(self):
        status, answer = self.server.clock()
        self.assertEqual(status, 200)
        self.assertTrue(answer["control"])
        self.assertEqual(self.server.clock({"set": "2001-01-01T00:00:00Z"})[0], 400)
        self.assertEqual(self.server.clock({"advance_seconds": 1, "advance_ms": 1})[0], 400)
        self.assertEqual(self.server.clock({"set": "yesterday"})[0], 400)
        before = self.server.now_ms()
        self.server.advance(10)
        self.assertGreaterEqual(self.server.now_ms() - before, 10000)


class ClockOffTests(unittest.TestCase):

    def test_the_shared_server_refuses_to_move_its_clock(self):
        from events_support import clock
        status, answer = clock(endpoint().url, {"advance_seconds": 60})
        self.assertEqual((status, answer["error"]), (403, "ClockControlDisabled"))
        status, answer = clock(endpoint().url)
        self.assertEqual(status, 200)
        self.assertFalse(answer["control"])


class RestartTests(EventsTestCase):
    """kill -9 after a scheduled rule fired: after the restart it does not fire again for
    that time (its event may be delivered again, with the same id), and a jump over
    several fire times fires it once."""

    def test_no_repeat_after_kill_9_and_one_catch_up(self):
        server = ClockServer()
        try:
            self.url = server.url
            self.events, self.sqs = client("events", server.url), client("sqs", server.url)
            url, queue_arn = self.new_queue("restart")
            self.new_rule(ScheduleExpression="rate(1 minute)", targets=[{"Id": "q", "Arn": queue_arn}])
            server.advance(61)
            fired = [json.loads(b)["id"] for b in self.bodies(url, 1, timeout=5)]
            self.assertEqual(len(fired), 1)
            work = server.kill9()
            server = ClockServer(work=work)
            self.url = server.url
            self.events, self.sqs = client("events", server.url), client("sqs", server.url)
            url = self.sqs.get_queue_url(QueueName=url.rsplit("/", 1)[1])["QueueUrl"]
            # The server's own clock restarted behind the moved one: the next fire is still
            # ahead. The firing may be delivered again (at least once, if the kill came
            # before its outbox row was removed) but is not repeated: same event id.
            again = {json.loads(b)["id"] for b in self.bodies(url, 5, timeout=2)}
            self.assertLessEqual(again, set(fired))
            server.advance(600)
            caught_up = {json.loads(b)["id"] for b in self.bodies(url, 5, timeout=3)} - set(fired)
            self.assertEqual(len(caught_up), 1)
        finally:
            server.stop()


class DurabilityTests(EventsTestCase):
    """A kill -9 while 10,000 events are being put and delivered: every acknowledged
    event reaches the queue, at least once."""

    TOTAL = 10000

    def setUp(self):
        super().setUp()
        if not endpoint().managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")

    def test_kill_9_during_delivery_loses_nothing(self):
        url, queue_arn = self.new_queue("durable")
        source = unique("it.durable")
        self.new_rule({"source": [source]}, targets=[{"Id": "q", "Arn": queue_arn}])
        acked, lock, killed = set(), threading.Lock(), threading.Event()

        def sender(worker):
            events = client("events")
            n = 0
            while True:
                with lock:
                    if len(acked) >= self.TOTAL:
                        return
                entries = [{"Source": source, "DetailType": "d", "Detail": '{"w": %d, "n": %d}' % (worker, n)}] * 10
                try:
                    result = events.put_events(Entries=entries)
                except (ClientError, BotoCoreError):
                    if not killed.is_set():
                        time.sleep(0.05)
                    time.sleep(0.05)
                    events = client("events")
                    continue
                with lock:
                    acked.update(e["EventId"] for e in result["Entries"] if "EventId" in e)
                n += 1

        threads = [threading.Thread(target=sender, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        while True:
            with lock:
                if len(acked) >= self.TOTAL // 2:
                    break
            time.sleep(0.01)
        endpoint().kill9_and_restart()
        killed.set()
        for thread in threads:
            thread.join(120)
        self.assertGreaterEqual(len(acked), self.TOTAL)
        sqs = client("sqs")
        found = set()
        deadline = time.monotonic() + 120
        while len(acked - found) and time.monotonic() < deadline:
            batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600,
                                        WaitTimeSeconds=1).get("Messages", [])
            found.update(json.loads(m["Body"])["id"] for m in batch)
        self.assertEqual(len(acked - found), 0)


@unittest.skipUnless(os.environ.get("CLOUDLESS_LONG_TESTS") == "1", "set CLOUDLESS_LONG_TESTS=1 (5 minutes)")
class LongRealTimeTests(LambdaTestCase, EventsTestCase):
    """rate(1 minute) for five minutes of real time: a Lambda function and a queue are
    each reached once a minute, within a second of the due time."""

    def setUp(self):
        LambdaTestCase.setUp(self)
        EventsTestCase.setUp(self)

    def test_rate_one_minute_for_five_minutes(self):
        name, created = self.create(files={"app.py": "import json\ndef handler(event, context):\n"
                                                     "    print('tick', json.dumps(event))\n"})
        url, queue_arn = self.new_queue("long")
        rule, rule_arn = self.new_rule(ScheduleExpression="rate(1 minute)", targets=[
            {"Id": "fn", "Arn": created["FunctionArn"]}, {"Id": "q", "Arn": queue_arn}])
        self.lam.add_permission(FunctionName=name, StatementId="events", Action="lambda:InvokeFunction",
                                Principal="events.amazonaws.com", SourceArn=rule_arn)
        def due_of(event):
            return time.mktime(time.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")) - time.timezone

        queue_lateness = []
        for _ in range(5):
            message = self.receive(url, 1, timeout=75, AttributeNames=["SentTimestamp"])[0]
            queue_lateness.append(int(message["Attributes"]["SentTimestamp"]) / 1000.0 -
                                  due_of(json.loads(message["Body"])))
        logs = client("logs")

        def ticks():
            try:
                found = logs.filter_log_events(logGroupName="/aws/lambda/" + name, filterPattern="tick")["events"]
            except ClientError:
                return None
            return found if len(found) >= 5 else None
        ticks = self.wait_for(ticks, timeout=20)
        function_lateness = [e["timestamp"] / 1000.0 - due_of(json.loads(e["message"].split(" ", 1)[1]))
                             for e in ticks[:5]]
        print("lateness of each firing (s): queue %s; function %s" % (
            ", ".join("%.3f" % x for x in queue_lateness), ", ".join("%.3f" % x for x in function_lateness)))
        self.assertTrue(all(0 <= x < 1.0 for x in queue_lateness), queue_lateness)
        self.assertTrue(all(0 <= x < 1.0 for x in function_lateness), function_lateness)


if __name__ == "__main__":
    unittest.main()
