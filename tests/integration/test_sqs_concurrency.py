"""SQS under concurrent consumers: 8 threads, each with its own client, receive and
delete 10,000 messages — every message is processed exactly once while the visibility
timeout (60 s) outlasts the run, so no message may be handed out twice — and FIFO
groups keep their order when several consumers take from them at once."""
import collections
import threading
import unittest

from sqs_support import SqsTestCase, sqs_client

MESSAGES = 10000
CONSUMERS = 8


class SqsConcurrencyTests(SqsTestCase):

    def send_in_parallel(self, url, bodies, threads=4):
        chunks = [bodies[i:i + 10] for i in range(0, len(bodies), 10)]

        def send(part):
            client = sqs_client()
            for chunk in part:
                result = client.send_message_batch(QueueUrl=url, Entries=[
                    {"Id": "e%d" % k, "MessageBody": body} for k, body in enumerate(chunk)])
                self.assertEqual(result.get("Failed", []), [])

        workers = [threading.Thread(target=send, args=(chunks[t::threads],)) for t in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def test_eight_consumers_process_every_message_once(self):
        url = self.new_queue("many", VisibilityTimeout=60)
        self.send_in_parallel(url, ["msg-%d" % i for i in range(MESSAGES)])
        received = collections.Counter()
        lock = threading.Lock()

        def consume():
            client = sqs_client()
            empty = 0
            while empty < 2:
                batch = client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=1).get("Messages", [])
                if not batch:
                    empty += 1
                    continue
                empty = 0
                with lock:
                    received.update(m["Body"] for m in batch)
                result = client.delete_message_batch(QueueUrl=url, Entries=[
                    {"Id": str(k), "ReceiptHandle": m["ReceiptHandle"]} for k, m in enumerate(batch)])
                assert not result.get("Failed"), result

        consumers = [threading.Thread(target=consume) for _ in range(CONSUMERS)]
        for consumer in consumers:
            consumer.start()
        for consumer in consumers:
            consumer.join(120)
        self.assertEqual(len(received), MESSAGES)
        self.assertEqual([body for body, n in received.items() if n > 1], [])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_fifo_groups_keep_order_under_concurrent_consumers(self):
        url = self.new_queue("order", fifo=True, ContentBasedDeduplication="true", VisibilityTimeout=30)
        groups, per_group = 6, 50
        client = sqs_client()
        for n in range(per_group):
            client.send_message_batch(QueueUrl=url, Entries=[
                {"Id": "g%d" % g, "MessageBody": "%d:%d" % (g, n), "MessageGroupId": "g%d" % g}
                for g in range(groups)])
        seen = collections.defaultdict(list)
        lock = threading.Lock()

        def consume():
            consumer = sqs_client()
            empty = 0
            while empty < 2:
                batch = consumer.receive_message(QueueUrl=url, MaxNumberOfMessages=3,
                                                 WaitTimeSeconds=1).get("Messages", [])
                if not batch:
                    empty += 1
                    continue
                empty = 0
                with lock:
                    for m in batch:
                        group, n = m["Body"].split(":")
                        seen[group].append(int(n))
                for m in batch:
                    consumer.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

        consumers = [threading.Thread(target=consume) for _ in range(4)]
        for consumer in consumers:
            consumer.start()
        for consumer in consumers:
            consumer.join(60)
        self.assertEqual(sorted(seen), [str(g) for g in range(groups)])
        for group, numbers in seen.items():
            self.assertEqual(numbers, list(range(per_group)), "group %s out of order" % group)


if __name__ == "__main__":
    unittest.main()
