"""Server fixture for the integration suite: one S3 endpoint shared by every test.

If TEST_ENDPOINT is set (e.g. http://127.0.0.1:5000 for moto_server) the suite talks
to that endpoint and manages nothing. Otherwise CLOUDLESS_BIN names the cloudless
binary: it is started on a free 127.0.0.1 port with a fresh temporary data dir, the
fixture waits for GET /_cloudless/health, and stops it (SIGTERM, then SIGKILL) at
exit. restart() and kill9_and_restart() bring the same binary back on the same port
and data dir; tests that need them skip when the server is not managed here.
"""
import atexit
import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.parse

HEALTH_PATH = "/_cloudless/health"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 5.0


def pick_free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts_connections(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


class OwnServer:
    """A server a test class starts for itself from CLOUDLESS_BIN with extra
    options and environment, its data and log in a temporary folder (or in
    `work`); up once ready(port) answers true (by default: once it accepts
    connections). client() makes a boto3 client for it; stop() ends it and
    removes the folder. Skips the test class without CLOUDLESS_BIN."""

    def __init__(self, prefix, args=(), work=None, ready=accepts_connections, env=None):
        if not os.environ.get("CLOUDLESS_BIN"):
            raise unittest.SkipTest("needs CLOUDLESS_BIN")
        self.work = work or tempfile.mkdtemp(prefix=prefix)
        self.port = pick_free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(self.work, "server.log"), "wb")
        self.process = subprocess.Popen(
            [os.environ["CLOUDLESS_BIN"], "--port", str(self.port), "--data-dir", os.path.join(self.work, "data"),
             *args], stdout=self.log, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if ready(self.port):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError("the server did not start")
            time.sleep(0.05)

    def client(self, service="s3", access_key="test", secret="test"):
        import boto3
        from botocore.config import Config
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=access_key,
                            aws_secret_access_key=secret,
                            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))

    def stop(self):
        self.process.terminate()
        self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.work, ignore_errors=True)


class Endpoint:
    """The endpoint under test, and the process behind it when we own one."""

    def __init__(self):
        external = os.environ.get("TEST_ENDPOINT")
        self.binary = os.environ.get("CLOUDLESS_BIN")
        self.process = None
        self.data_dir = None
        self.log_path = None
        if external:
            self.url = external.rstrip("/")
            self.managed = False
        elif self.binary:
            self.managed = True
            self.data_dir = tempfile.mkdtemp(prefix="cloudless-it-")
            self.log_path = os.path.join(tempfile.gettempdir(), os.path.basename(self.data_dir) + ".log")
            self.url = "http://127.0.0.1:%d" % pick_free_port()
            try:
                self._start()
            except RuntimeError:
                shutil.rmtree(self.data_dir, ignore_errors=True)
                raise
        else:
            raise RuntimeError("set CLOUDLESS_BIN (binary to manage) or TEST_ENDPOINT (existing endpoint)")
        parsed = urllib.parse.urlsplit(self.url)
        self.host = parsed.hostname
        self.port = parsed.port or 80
        self.hostport = "%s:%d" % (self.host, self.port)

    def _start(self):
        port = urllib.parse.urlsplit(self.url).port
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--host", "127.0.0.1", "--port", str(port), "--data-dir", self.data_dir],
                stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("cloudless exited with %s during start; log: %s\n%s"
                                   % (self.process.returncode, self.log_path, self.log_tail()))
            if self.healthy():
                return
            time.sleep(0.05)
        self._kill()
        raise RuntimeError("cloudless not healthy after %.0fs; log: %s\n%s"
                           % (START_TIMEOUT_SECONDS, self.log_path, self.log_tail()))

    def healthy(self):
        connection = http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(self.url).port, timeout=1)
        try:
            connection.request("GET", HEALTH_PATH)
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def log_tail(self, size=4000):
        try:
            with open(self.log_path, "rb") as log:
                return log.read()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def _kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def _terminate(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._kill()

    def restart(self):
        """Clean stop (SIGTERM) and start again on the same port and data dir."""
        self._require_managed()
        self._terminate()
        self._start()

    def kill9_and_restart(self):
        """SIGKILL (no chance to flush anything) and start again on the same data dir."""
        self._require_managed()
        self._kill()
        self._start()

    def _require_managed(self):
        if not self.managed:
            raise RuntimeError("the endpoint is not managed by this fixture")

    def sanitizer_reports(self):
        """Lines in the server log where ASan, LSan or UBSan reported a problem
        (a sanitized build's server logs them there, leaks at exit)."""
        if not self.managed:
            return []
        return [line for line in self.log_tail(size=1 << 30).splitlines()
                if "ERROR: AddressSanitizer" in line or "ERROR: LeakSanitizer" in line
                or "runtime error:" in line]

    def shutdown(self):
        if not self.managed:
            return
        self._terminate()
        self.process = None
        shutil.rmtree(self.data_dir, ignore_errors=True)


_endpoint = None


def endpoint():
    """The shared Endpoint, started on first use and stopped at interpreter exit."""
    global _endpoint
    if _endpoint is None:
        _endpoint = Endpoint()
        atexit.register(_endpoint.shutdown)
    return _endpoint
