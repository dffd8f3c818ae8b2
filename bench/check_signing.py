#!/usr/bin/env python3
"""bench/check_signing.py: proves that s3load signs requests exactly as botocore does.

For each s3load mode that talks S3, it starts a one-shot TCP listener, lets
s3load send one request to it, recomputes the SigV4 Authorization header with
botocore's S3SigV4Auth from the same method, path, query, x-amz-date and payload
hash, and compares the two. It also checks that the x-amz-content-sha256 of a
signed body is the body's real SHA-256. Exit status 0 means every mode matched.

Usage: bench/check_signing.py PATH_TO_S3LOAD
"""
import contextlib
import datetime
import hashlib
import socket
import subprocess
import sys
import threading
import types
from unittest import mock

import botocore.auth
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MODES = [["put"], ["get"], ["list"], ["mkbucket"], ["large-put", "--size", "100000"]]


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            raise RuntimeError("client closed before sending headers")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    length = int(headers.get("Content-Length", "0"))
    while len(body) < length:
        body += conn.recv(65536)
    method, target, _ = lines[0].split(" ")
    return method, target, headers, body


def frozen_clock(stamp):
    """botocore signs with the time it reads itself, whatever the request says:
    pin its clock to the request's x-amz-date, or a second boundary crossed
    between the two signatures makes them differ. botocore 1.26 reads
    datetime.datetime.utcnow(), newer ones get_current_datetime()."""
    when = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when

    clock = types.SimpleNamespace(**{name: getattr(datetime, name) for name in dir(datetime)
                                     if not name.startswith("__")})
    clock.datetime = Frozen
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(botocore.auth, "datetime", clock))
    if hasattr(botocore.auth, "get_current_datetime"):
        stack.enter_context(mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: when))
    return stack


def expected_authorization(port, method, target, headers, body):
    payload_hash = headers["x-amz-content-sha256"]
    request = AWSRequest(method=method, url=f"http://127.0.0.1:{port}{target}", data=body,
                         headers={"x-amz-content-sha256": payload_hash, "Host": headers["Host"]})
    request.context["timestamp"] = headers["x-amz-date"]
    request.context["client_config"] = types.SimpleNamespace(
        s3={"payload_signing_enabled": payload_hash != "UNSIGNED-PAYLOAD"})
    with frozen_clock(headers["x-amz-date"]):
        S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    return request.headers["Authorization"]


def check_mode(s3load, mode_args):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    captured = {}

    def serve():
        conn, _ = listener.accept()
        captured["request"] = read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        conn.close()

    server = threading.Thread(target=serve)
    server.start()
    subprocess.run([s3load, mode_args[0], "--port", str(port), "--requests", "1",
                    "--connections", "1"] + mode_args[1:], check=True, capture_output=True)
    server.join()
    listener.close()
    method, target, headers, body = captured["request"]
    problems = []
    if expected_authorization(port, method, target, headers, body) != headers["Authorization"]:
        problems.append("signature differs from botocore's")
    payload_hash = headers["x-amz-content-sha256"]
    if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
        problems.append("x-amz-content-sha256 is not the body's SHA-256")
    print(f"{mode_args[0]:10} {method} {target}: {'; '.join(problems) or 'ok'}")
    return not problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    results = [check_mode(sys.argv[1], mode) for mode in MODES]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
