"""The HTTP/1.1 layer as clients meet it: virtual-hosted bucket addressing
(Host: <bucket>.s3.localhost), pipelined requests answered in order on one
connection, Expect: 100-continue (also on empty bodies, which boto3 sends
with it: an empty PUT followed by one with a body on the same pooled
connection, and a run of concurrent uploads of mixed sizes that must see no
read timeout and no retry), and — on a second server started with small
limits — the idle timeout and the connection limit.

CLOUDLESS_CONTINUE_SOAK_SECONDS sets how long the mixed-upload run lasts
(5 s by default in the suite; 60 reproduces the issue's run)."""
import os
import socket
import threading
import time
import unittest
import urllib.parse


from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import ACCESS_KEY, REGION, SECRET_KEY, S3TestCase, endpoint, quoted_md5, s3_client
from server import OwnServer


def signed_headers_for(url, method, body=b"", headers=None):
    """SigV4 headers for a request to `url` exactly as botocore signs it,
    Host included (botocore signs it from the URL without adding it)."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    S3SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION).add_auth(request)
    signed = dict(request.headers.items())
    signed["Host"] = urllib.parse.urlsplit(url).netloc
    return signed


def read_response(sock, data=b""):
    """Reads one HTTP response with a Content-Length body, starting with bytes
    already received; returns (status, headers, body, bytes after it)."""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a response")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest[:length], rest[length:]


class HttpTests(S3TestCase):

    def test_virtual_hosted_style(self):
        body = b"virtual host"
        host = "%s.s3.localhost:%d" % (self.bucket, endpoint().port)
        headers = signed_headers_for("http://%s/vh.txt" % host, "PUT", body,
                                     {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            request = "PUT /vh.txt HTTP/1.1\r\n" + "".join("%s: %s\r\n" % kv for kv in headers.items())
            request += "Content-Length: %d\r\n\r\n" % len(body)
            sock.sendall(request.encode() + body)
            status, answer, _, _ = read_response(sock)
        self.assertEqual(status, 200)
        self.assertEqual(answer["etag"], quoted_md5(body))
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="vh.txt")["Body"].read(), body)

    def test_pipelined_requests_are_answered_in_order(self):
        self.s3.put_object(Bucket=self.bucket, Key="a", Body=b"first")
        self.s3.put_object(Bucket=self.bucket, Key="b", Body=b"second")
        url = endpoint().url
        wire = b""
        for key in ("a", "b", "missing"):
            headers = signed_headers_for("%s/%s/%s" % (url, self.bucket, key), "GET",
                                         headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
            wire += ("GET /%s/%s HTTP/1.1\r\n" % (self.bucket, key)).encode()
            wire += "".join("%s: %s\r\n" % kv for kv in headers.items()).encode() + b"\r\n"
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            sock.sendall(wire)
            results, pending = [], b""
            for _ in range(3):
                status, _, body, pending = read_response(sock, pending)
                results.append((status, body))
            self.assertEqual(pending, b"")
        self.assertEqual(results[0], (200, b"first"))
        self.assertEqual(results[1], (200, b"second"))
        self.assertEqual(results[2][0], 404)

    def test_expect_100_continue(self):
        body = os.urandom(100 * 1024)
        url = "%s/%s/continued" % (endpoint().url, self.bucket)
        headers = signed_headers_for(url, "PUT", body, {"x-amz-content-sha256": "UNSIGNED-PAYLOAD",
                                                        "Expect": "100-continue"})
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            head = "PUT /%s/continued HTTP/1.1\r\n" % self.bucket
            head += "".join("%s: %s\r\n" % kv for kv in headers.items())
            head += "Content-Length: %d\r\n\r\n" % len(body)
            sock.sendall(head.encode())
            interim = sock.recv(64)
            self.assertTrue(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), interim)
            sock.sendall(body)
            status, answer, _, _ = read_response(sock)
        self.assertEqual(status, 200)
        self.assertEqual(answer["etag"], quoted_md5(body))

    def raw_put(self, sock, key, body, extra=None, sign=True):
        """Sends a PUT's head with Expect: 100-continue on sock; returns what
        arrives first (the interim answer or the final one)."""
        url = "%s/%s/%s" % (endpoint().url, self.bucket, key)
        headers = {"x-amz-content-sha256": "UNSIGNED-PAYLOAD", "Expect": "100-continue"}
        headers.update(extra or {})
        if sign:
            headers = signed_headers_for(url, "PUT", body, headers)
        else:
            headers["Host"] = endpoint().hostport
        head = "PUT /%s/%s HTTP/1.1\r\n" % (self.bucket, key)
        head += "".join("%s: %s\r\n" % kv for kv in headers.items())
        head += "Content-Length: %d\r\n\r\n" % len(body)
        sock.sendall(head.encode())
        return sock.recv(25)

    def test_expect_100_continue_on_an_empty_body(self):
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            self.assertEqual(self.raw_put(sock, "folder/", b""), b"HTTP/1.1 100 Continue\r\n\r\n")
            status, answer, _, rest = read_response(sock)
            self.assertEqual((status, answer["etag"], answer.get("connection")), (200, quoted_md5(b""), None))
            # The connection goes on with the next upload.
            self.assertEqual(self.raw_put(sock, "folder/x", b"x" * 1024), b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(b"x" * 1024)
            status, answer, _, _ = read_response(sock)
        self.assertEqual((status, answer["etag"]), (200, quoted_md5(b"x" * 1024)))

    def test_refused_expectation_closes_the_connection(self):
        """Refused before its body is asked for, a request that waits for
        "100 Continue" gets its final answer and Connection: close, so no
        client reuses a connection whose state it may have got wrong."""
        with socket.create_connection((endpoint().host, endpoint().port), timeout=10) as sock:
            first = self.raw_put(sock, "anonymous", b"", sign=False)
            status, answer, _, _ = read_response(sock, first)
            self.assertEqual((status, answer.get("connection")), (403, "close"))
            self.assertEqual(sock.recv(1), b"")

    def test_empty_put_then_put_on_one_pooled_connection(self):
        """boto3 sends Expect: 100-continue with an empty PutObject; had the
        server answered at once, botocore would keep a stale response class
        on the pooled connection and the next upload there would wait for
        its read timeout (issue 17)."""
        s3 = s3_client(max_attempts=1, max_pool_connections=1, read_timeout=5)
        started = time.monotonic()
        for key, body in (("folder/", b""), ("folder/a", b"x" * 1024), ("folder/b", b""), ("folder/c", b"y" * 70000)):
            response = s3.put_object(Bucket=self.bucket, Key=key, Body=body)
            self.assertEqual(response["ResponseMetadata"]["RetryAttempts"], 0, key)
            self.assertEqual(response["ETag"], quoted_md5(body), key)
        self.assertLess(time.monotonic() - started, 4)
        self.assertEqual(s3.get_object(Bucket=self.bucket, Key="folder/c")["Body"].read(), b"y" * 70000)

    def test_concurrent_mixed_uploads_see_no_timeout_and_no_retry(self):
        """8 threads PUT 0 B, 1 KiB, 64 KiB and 1 MiB objects in turn with
        boto3's default checksums and retries for CLOUDLESS_CONTINUE_SOAK_SECONDS;
        botocore's retry counter stays at zero and no read times out."""
        duration = float(os.environ.get("CLOUDLESS_CONTINUE_SOAK_SECONDS", "5"))
        sizes = [0, 1024, 64 * 1024, 1024 * 1024]
        payloads = {size: os.urandom(size) for size in sizes}
        s3 = s3_client(max_attempts=3, max_pool_connections=8, read_timeout=10)
        retries, failures, counts = [], [], [0] * 8

        def count_retries(attempts, **_):
            if attempts > 1:
                retries.append(attempts)
        s3.meta.events.register("needs-retry.s3.PutObject", count_retries)
        deadline = time.monotonic() + duration

        def upload(worker):
            n = 0
            try:
                while time.monotonic() < deadline:
                    size = sizes[n % len(sizes)]
                    response = s3.put_object(Bucket=self.bucket, Key="soak/%d/%d" % (worker, n), Body=payloads[size])
                    if response["ResponseMetadata"]["RetryAttempts"] != 0:
                        retries.append(response["ResponseMetadata"]["RetryAttempts"])
                    n += 1
            except Exception as error:  # noqa: BLE001 (reported below)
                failures.append(repr(error))
            counts[worker] = n

        threads = [threading.Thread(target=upload, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(duration + 120)
        self.assertEqual(failures, [])
        self.assertEqual(retries, [])
        self.assertTrue(all(n >= len(sizes) for n in counts), counts)
        one_mib = s3.get_object(Bucket=self.bucket, Key="soak/0/3")["Body"].read()
        self.assertEqual(one_mib, payloads[1024 * 1024])


@unittest.skipUnless(os.environ.get("CLOUDLESS_BIN"), "needs CLOUDLESS_BIN")
class LimitTests(unittest.TestCase):
    """A server of its own with a 1 s idle timeout and room for 2 connections."""

    @classmethod
    def setUpClass(cls):
        cls.server = OwnServer("cloudless-limits-", ["--idle-timeout", "1", "--max-connections", "2"])
        cls.port = cls.server.port
        time.sleep(0.2)   # let the probe connection go

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def health(self, sock):
        sock.sendall(b"GET /_cloudless/health HTTP/1.1\r\nHost: x\r\n\r\n")
        return read_response(sock)[0]

    def connect_within_limit(self):
        """A connection the server accepted: one it has not yet seen another
        test's connections close may be refused with 503 for a moment."""
        deadline = time.monotonic() + 5
        while True:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            try:
                if self.health(sock) == 200:
                    return sock
            except ConnectionError:
                pass
            sock.close()
            if time.monotonic() > deadline:
                raise AssertionError("the server kept refusing connections")
            time.sleep(0.1)

    def test_idle_connection_is_closed(self):
        with self.connect_within_limit() as sock:
            started = time.monotonic()
            self.assertEqual(sock.recv(1), b"")
            self.assertLess(time.monotonic() - started, 4)

    def test_connections_over_the_limit_get_503(self):
        held = []
        try:
            held = [self.connect_within_limit() for _ in range(2)]
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as extra:
                data = extra.recv(200)
            self.assertTrue(data.startswith(b"HTTP/1.1 503"), data)
        finally:
            for sock in held:
                sock.close()


if __name__ == "__main__":
    unittest.main()
