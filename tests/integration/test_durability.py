"""Durability of a managed server: a clean restart keeps buckets, objects (simple and
multipart) and in-progress uploads; and while several threads PUT concurrently the
server is kill -9'd, after which every PUT that was acknowledged must read back with its
ETag and bytes. Skipped when the endpoint is not started by the fixture."""
import hashlib
import os
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import S3TestCase, quoted_md5, s3_client

MIB = 1024 * 1024
WRITER_THREADS = 8
# Small bodies are stored in the database, larger ones as files: both kinds.
BODY_SIZES = (4 * 1024, 64 * 1024, 300 * 1024)
WRITE_SECONDS_BEFORE_KILL = 1.5


class RestartTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.require_managed_server()

    def test_objects_and_uploads_survive_restart(self):
        small = b"survives restart"
        self.s3.put_object(Bucket=self.bucket, Key="small", Body=small, Metadata={"kept": "yes"})
        part_one, part_two = os.urandom(5 * MIB), b"end"
        upload_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key="multi")["UploadId"]
        parts = [{"PartNumber": n, "ETag": self.s3.upload_part(Bucket=self.bucket, Key="multi", UploadId=upload_id,
                                                               PartNumber=n, Body=body)["ETag"]}
                 for n, body in ((1, part_one), (2, part_two))]
        multi_etag = self.s3.complete_multipart_upload(Bucket=self.bucket, Key="multi", UploadId=upload_id,
                                                       MultipartUpload={"Parts": parts})["ETag"]
        pending_id = self.s3.create_multipart_upload(Bucket=self.bucket, Key="pending")["UploadId"]
        self.s3.upload_part(Bucket=self.bucket, Key="pending", UploadId=pending_id, PartNumber=1, Body=b"p1")

        self.endpoint.restart()

        got = self.s3.get_object(Bucket=self.bucket, Key="small")
        self.assertEqual(got["Body"].read(), small)
        self.assertEqual(got["Metadata"], {"kept": "yes"})
        multi = self.s3.get_object(Bucket=self.bucket, Key="multi")
        self.assertEqual(multi["ETag"], multi_etag)
        self.assertEqual(multi["Body"].read(), part_one + part_two)
        self.assertEqual([o["Key"] for o in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]],
                         ["multi", "small"])
        self.assertEqual([p["ETag"] for p in self.s3.list_parts(Bucket=self.bucket, Key="pending",
                                                                UploadId=pending_id)["Parts"]], [quoted_md5(b"p1")])
        self.assertIn(self.bucket, [b["Name"] for b in self.s3.list_buckets()["Buckets"]])


class CrashTests(S3TestCase):

    def setUp(self):
        super().setUp()
        self.require_managed_server()

    def write_until_failure(self, thread_index, acknowledged, lock, stop):
        client = s3_client(connect_timeout=2, read_timeout=10)
        sequence = 0
        while not stop.is_set():
            key = "t%d/%06d" % (thread_index, sequence)
            body = os.urandom(BODY_SIZES[sequence % len(BODY_SIZES)])
            try:
                etag = client.put_object(Bucket=self.bucket, Key=key, Body=body)["ETag"]
            except Exception:
                return
            with lock:
                acknowledged[key] = (etag, hashlib.md5(body).hexdigest())
            sequence += 1

    def test_acknowledged_puts_survive_kill_9(self):
        acknowledged, lock, stop = {}, threading.Lock(), threading.Event()
        writers = [threading.Thread(target=self.write_until_failure, args=(i, acknowledged, lock, stop))
                   for i in range(WRITER_THREADS)]
        for writer in writers:
            writer.start()
        time.sleep(WRITE_SECONDS_BEFORE_KILL)
        self.endpoint.kill9_and_restart()
        stop.set()
        for writer in writers:
            writer.join(30)
        with lock:
            survivors = dict(acknowledged)
        self.assertGreater(len(survivors), WRITER_THREADS, "too few PUTs were acknowledged to test anything")
        damaged = []
        for key, (etag, md5_hex) in sorted(survivors.items()):
            try:
                got = self.s3.get_object(Bucket=self.bucket, Key=key)
                if got["ETag"] != etag or hashlib.md5(got["Body"].read()).hexdigest() != md5_hex:
                    damaged.append((key, "content or ETag differs"))
            except ClientError as error:
                damaged.append((key, error.response["Error"]["Code"]))
        self.assertEqual(damaged[:10], [], "%d of %d acknowledged PUTs lost" % (len(damaged), len(survivors)))
        # The start-up garbage collection removes the bodies the crash cut off.
        tmp_dir = os.path.join(self.endpoint.data_dir, "tmp")
        deadline = time.time() + 10
        while os.listdir(tmp_dir) and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(os.listdir(tmp_dir), [], "temp files left after GC")


if __name__ == "__main__":
    unittest.main()
