"""SQS durability on a managed server: queues, messages and in-flight state survive a
clean restart, and every SendMessage acknowledged before a kill -9 is still there after
the restart (senders keep sending while the process is killed)."""
import threading
import time
import unittest

from botocore.exceptions import BotoCoreError, ClientError

from sqs_support import SqsTestCase, sqs_client


class SqsDurabilityTests(SqsTestCase):

    def setUp(self):
        super().setUp()
        if not self.endpoint.managed:
            self.skipTest("needs a server managed by the fixture (CLOUDLESS_BIN)")

    def test_restart_keeps_messages_and_in_flight_state(self):
        url = self.new_queue("restart", VisibilityTimeout=2)
        dlq = self.new_queue("restartdlq")
        self.sqs.tag_queue(QueueUrl=url, Tags={"kept": "yes"})
        for i in range(5):
            self.sqs.send_message(QueueUrl=url, MessageBody="m%d" % i, MessageAttributes={
                "i": {"DataType": "Number", "StringValue": str(i)}})
        in_flight = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2)["Messages"]
        self.assertEqual(len(in_flight), 2)
        self.endpoint.restart()
        client = sqs_client()
        self.assertEqual(client.list_queue_tags(QueueUrl=url)["Tags"], {"kept": "yes"})
        self.assertIn(dlq, client.list_queues(QueueNamePrefix=dlq.rsplit("/", 1)[1])["QueueUrls"])
        attrs = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "2")
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "3")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "2")
        # The old receipt handle still works for the message in flight.
        client.delete_message(QueueUrl=url, ReceiptHandle=in_flight[0]["ReceiptHandle"])
        self.sqs = client
        got = self.receive_all(url, 4, deadline_s=8, MessageAttributeNames=["All"],
                               AttributeNames=["ApproximateReceiveCount"])
        bodies = sorted(m["Body"] for m in got)
        self.assertEqual(bodies, sorted("m%d" % i for i in range(5) if "m%d" % i != in_flight[0]["Body"]))
        again = [m for m in got if m["MessageId"] == in_flight[1]["MessageId"]][0]
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")

    def test_acknowledged_sends_survive_kill_9(self):
        url = self.new_queue("kill9")
        acked, lock, stop = set(), threading.Lock(), threading.Event()

        def sender(worker):
            client = sqs_client()
            n = 0
            while not stop.is_set():
                try:
                    if n % 2:
                        result = client.send_message_batch(QueueUrl=url, Entries=[
                            {"Id": "e%d" % k, "MessageBody": "w%d-%d-%d" % (worker, n, k)} for k in range(10)])
                        ids = [s["MessageId"] for s in result["Successful"]]
                    else:
                        ids = [client.send_message(QueueUrl=url, MessageBody="w%d-%d" % (worker, n))["MessageId"]]
                except (ClientError, BotoCoreError):
                    return
                with lock:
                    acked.update(ids)
                n += 1

        threads = [threading.Thread(target=sender, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        self.endpoint.kill9_and_restart()
        stop.set()
        for thread in threads:
            thread.join(10)
        self.assertGreater(len(acked), 100)
        self.sqs = sqs_client()
        found = set()
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60).get(
                "Messages", [])
            if not batch:
                break
            found.update(m["MessageId"] for m in batch)
        self.assertEqual(acked - found, set())


if __name__ == "__main__":
    unittest.main()
