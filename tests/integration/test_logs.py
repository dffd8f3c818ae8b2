"""CloudWatch Logs through real clients: groups, streams, events, filtering, retention,
tags, errors, and `aws logs tail` (aws-cli v2) showing a Lambda handler's print.
"""
import json
import time

import harness
from lambda_support import LambdaTestCase, client, make_zip, unique_name


class LogsTests(LambdaTestCase):

    def setUp(self):
        super().setUp()
        self.logs = client("logs")

    def new_group(self, **extra):
        name = "/it/" + unique_name("group")
        self.logs.create_log_group(logGroupName=name, **extra)
        self.addCleanup(self._delete_group, name)
        return name

    def _delete_group(self, name):
        try:
            client("logs").delete_log_group(logGroupName=name)
        except Exception:
            pass

    def assertLogsError(self, call, code, **kwargs):
        with self.assertRaises(Exception) as caught:
            call(**kwargs)
        self.assertEqual(caught.exception.response["Error"]["Code"], code)

    def test_groups_streams_events(self):
        group = self.new_group(tags={"env": "test"})
        self.assertLogsError(self.logs.create_log_group, "ResourceAlreadyExistsException", logGroupName=group)
        described = self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        self.assertEqual([g["logGroupName"] for g in described], [group])
        self.assertTrue(described[0]["arn"].endswith(":log-group:%s:*" % group))
        self.logs.create_log_stream(logGroupName=group, logStreamName="s1")
        self.assertLogsError(self.logs.create_log_stream, "ResourceAlreadyExistsException", logGroupName=group,
                             logStreamName="s1")
        now = int(time.time() * 1000)
        self.logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
            {"timestamp": now, "message": "first apple"}, {"timestamp": now + 1, "message": "second banana"},
            {"timestamp": now + 2, "message": "third apple pie"}])
        events = self.logs.get_log_events(logGroupName=group, logStreamName="s1", startFromHead=True)["events"]
        self.assertEqual([e["message"] for e in events], ["first apple", "second banana", "third apple pie"])
        latest = self.logs.get_log_events(logGroupName=group, logStreamName="s1", limit=1)["events"]
        self.assertEqual([e["message"] for e in latest], ["third apple pie"])
        filtered = self.logs.filter_log_events(logGroupName=group, filterPattern="apple")["events"]
        self.assertEqual([e["message"] for e in filtered], ["first apple", "third apple pie"])
        phrase = self.logs.filter_log_events(logGroupName=group, filterPattern='"apple pie"')["events"]
        self.assertEqual([e["message"] for e in phrase], ["third apple pie"])
        either = self.logs.filter_log_events(logGroupName=group, filterPattern="?banana ?pie -third")["events"]
        self.assertEqual([e["message"] for e in either], ["second banana"])
        self.logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
            {"timestamp": now + 3, "message": json.dumps({"level": "ERROR", "latency": 250, "user": {"id": "u-7"}})},
            {"timestamp": now + 4, "message": json.dumps({"level": "INFO", "latency": 20})}])
        slow_errors = self.logs.filter_log_events(
            logGroupName=group, filterPattern='{ $.level = "ERR*" && ($.latency > 100 || $.user.id NOT EXISTS) }')
        self.assertEqual([json.loads(e["message"])["latency"] for e in slow_errors["events"]], [250])
        self.assertLogsError(self.logs.filter_log_events, "InvalidParameterException", logGroupName=group,
                             filterPattern="{ $.level = }")
        self.assertLogsError(self.logs.filter_log_events, "InvalidParameterException", logGroupName=group,
                             filterPattern="[ip, status = 404 || status = 500]")
        self.logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=[
            {"timestamp": now + 5, "message": '10.0.0.1 - ann [27/Nov/2026:10:00:00] "GET /a HTTP/1.1" 404 2048'},
            {"timestamp": now + 6, "message": '10.0.0.2 - bob [27/Nov/2026:10:00:01] "GET /b HTTP/1.1" 200 4096'}])
        not_found = self.logs.filter_log_events(logGroupName=group,
                                                filterPattern="[ip, id, user, ts, request, status = 4*, bytes > 1000]")
        self.assertEqual([e["message"].split()[0] for e in not_found["events"]], ["10.0.0.1"])
        regex = self.logs.filter_log_events(logGroupName=group, filterPattern='%" (404|5[0-9]{2}) %')
        self.assertEqual([e["message"].split()[0] for e in regex["events"]], ["10.0.0.1"])
        pages = list(self.logs.get_paginator("filter_log_events").paginate(
            logGroupName=group, PaginationConfig={"PageSize": 1}))
        self.assertEqual(sum(len(p["events"]) for p in pages), 7)
        streams = self.logs.describe_log_streams(logGroupName=group)["logStreams"]
        self.assertEqual(streams[0]["logStreamName"], "s1")
        self.assertEqual(streams[0]["lastEventTimestamp"], now + 6)
        self.assertLogsError(self.logs.put_log_events, "InvalidParameterException", logGroupName=group,
                             logStreamName="s1", logEvents=[{"timestamp": now + 7, "message": "a"},
                                                             {"timestamp": now, "message": "b"}])
        self.assertLogsError(self.logs.put_log_events, "ResourceNotFoundException", logGroupName=group,
                             logStreamName="missing", logEvents=[{"timestamp": now, "message": "a"}])

    def test_retention_and_tags(self):
        group = self.new_group()
        self.logs.put_retention_policy(logGroupName=group, retentionInDays=7)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["retentionInDays"], 7)
        self.assertLogsError(self.logs.put_retention_policy, "InvalidParameterException", logGroupName=group,
                             retentionInDays=8)
        self.logs.delete_retention_policy(logGroupName=group)
        self.assertNotIn("retentionInDays", self.logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0])
        self.logs.tag_log_group(logGroupName=group, tags={"a": "1", "b": "2"})
        self.logs.untag_log_group(logGroupName=group, tags=["a"])
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=group)["tags"], {"b": "2"})
        arn = "arn:aws:logs:us-east-1:000000000000:log-group:%s" % group
        if hasattr(self.logs, "tag_resource"):
            self.logs.tag_resource(resourceArn=arn, tags={"c": "3"})
            self.logs.untag_resource(resourceArn=arn, tagKeys=["b"])
            self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"c": "3"})
        self.logs.delete_log_group(logGroupName=group)
        self.assertLogsError(self.logs.delete_log_group, "ResourceNotFoundException", logGroupName=group)
        self.assertLogsError(self.logs.describe_log_streams, "ResourceNotFoundException", logGroupName=group)

    def test_lambda_output_in_logs_and_aws_logs_tail(self):
        code = "def handler(event, context):\n    print('tail me please', event['n'])\n    return 1\n"
        name, _ = self.create(files={"app.py": code})
        self.invoke(name, b'{"n": 7}')
        group = "/aws/lambda/" + name

        def found():
            try:
                events = self.logs.filter_log_events(logGroupName=group, filterPattern="tail me")["events"]
            except Exception:
                return None
            return events

        events = self.wait_for(found)
        self.assertEqual(events[0]["message"].strip(), "tail me please 7")
        stream = self.logs.describe_log_streams(logGroupName=group)["logStreams"][0]["logStreamName"]
        messages = [e["message"] for e in self.logs.get_log_events(logGroupName=group, logStreamName=stream,
                                                                      startFromHead=True)["events"]]
        self.assertTrue(messages[0].startswith("START RequestId: "))
        self.assertTrue(any(m.startswith("REPORT RequestId: ") for m in messages))
        tail = harness.aws_cli(harness.AWS_CLI_V2, "logs", "tail", group, "--since", "10m")
        self.assertEqual(tail.returncode, 0, tail.stderr)
        self.assertIn("tail me please 7", tail.stdout)
