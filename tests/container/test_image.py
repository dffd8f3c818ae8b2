"""The container image under test, run with podman (see run.sh, which builds it).

usage: test_image.py IMAGE

Each check runs one container with host networking on a free loopback port
(GATEWAY_LISTEN=127.0.0.1:PORT), waits until `podman healthcheck run` passes, does
its work, stops the container and removes it:

- the image: healthy, an S3 + SQS + Lambda flow (the function calls S3 through
  boto3 with no endpoint, under the image's boto3 1.26), the server and the
  function not root, `Ready.` and the request log in the container's log, a clean
  stop on SIGTERM, and its size;
- docker/README.md's examples, taken from the README as written: the
  docker-compose service with its init hook (the bucket and queue it creates
  exist), the GitHub Actions service and the GitLab CI service with their steps run
  on the host with their environment.

Prints one line per check and closes with "N passed, N failed".
"""
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import zipfile

import boto3
import yaml
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "docker", "README.md")
SITE = os.path.join(ROOT, "server", "lambda", "runtimes", "python", "site")
HEALTH_TIMEOUT_S = 90
MAX_IMAGE_MB = 300

IMAGE = sys.argv[1] if len(sys.argv) > 1 else "localhost/cloudless-test:latest"


def podman(*args, check=True, timeout=120):
    result = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError("podman %s failed: %s" % (" ".join(args), result.stderr.strip()[-2000:]))
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Container:
    """One container of the image, host network, listening on 127.0.0.1:port."""

    def __init__(self, name, env=None, volumes=(), port=None):
        self.name = "cloudless-test-%s-%d" % (name, os.getpid())
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        podman("rm", "-f", self.name, check=False)
        args = ["run", "-d", "--name", self.name, "--network", "host",
                "-e", "GATEWAY_LISTEN=127.0.0.1:%d" % self.port]
        for key, value in (env or {}).items():
            args += ["-e", "%s=%s" % (key, value)]
        for volume in volumes:
            args += ["-v", volume]
        podman(*args, IMAGE)

    def wait_healthy(self):
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while time.monotonic() < deadline:
            if podman("healthcheck", "run", self.name, check=False).returncode == 0:
                return time.monotonic()
            state = podman("inspect", "--format", "{{.State.Status}}", self.name, check=False).stdout.strip()
            if state not in ("running", "created", ""):
                raise AssertionError("container %s: %s\n%s" % (state, self.name, self.logs()[-3000:]))
            time.sleep(0.5)
        raise AssertionError("not healthy within %ds\n%s" % (HEALTH_TIMEOUT_S, self.logs()[-3000:]))

    def logs(self):
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr

    def main_pid(self):
        return int(podman("inspect", "--format", "{{.State.Pid}}", self.name).stdout.strip())

    def stop(self):
        """SIGTERM, then the exit code."""
        podman("stop", "-t", "20", self.name, check=False, timeout=60)
        return int(podman("inspect", "--format", "{{.State.ExitCode}}", self.name).stdout.strip() or -1)

    def remove(self):
        podman("rm", "-f", self.name, check=False)

    def client(self, service, key="test", secret="test"):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=key,
                            aws_secret_access_key=secret,
                            config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1},
                                          read_timeout=120))


def uid_of(pid):
    with open("/proc/%d/status" % pid) as status:
        return int(next(line for line in status if line.startswith("Uid:")).split()[1])


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


FUNCTION = """
import boto3, botocore, os
def handler(event, context):
    s3 = boto3.client("s3")
    s3.put_object(Bucket=event["bucket"], Key="from-function", Body=b"written by the function")
    return {"uid": os.getuid(), "gid": os.getgid(), "botocore": botocore.__version__,
            "endpoint": s3.meta.endpoint_url}
"""


def check_image_smoke_and_non_root():
    c = Container("smoke")
    try:
        started = time.monotonic()
        c.wait_healthy()
        print("  healthy after %.1fs" % (time.monotonic() - started))
        assert uid_of(c.main_pid()) != 0, "the server runs as root"
        s3, sqs, lam = c.client("s3"), c.client("sqs"), c.client("lambda")
        # S3, with a made-up key: the image takes keys as LocalStack does.
        made_up = c.client("s3", key="AKIAMADEUPEXAMPLE000", secret="made-up")
        made_up.create_bucket(Bucket="smoke")
        made_up.put_object(Bucket="smoke", Key="hello.txt", Body=b"hello")
        assert s3.get_object(Bucket="smoke", Key="hello.txt")["Body"].read() == b"hello"
        # SQS.
        url = sqs.create_queue(QueueName="smoke")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="ping")
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
        assert got[0]["Body"] == "ping", got
        # Lambda: boto3 in the image (1.26) with no endpoint reaches the server.
        lam.create_function(FunctionName="smoke", Runtime="python3.11", Handler="app.handler",
                            Role="arn:aws:iam::000000000000:role/any", Code={"ZipFile": zipped({"app.py": FUNCTION})})
        response = lam.invoke(FunctionName="smoke", Payload=json.dumps({"bucket": "smoke"}).encode())
        body = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, body
        assert body["uid"] != 0 and body["gid"] != 0, "the function runs as root: %s" % body
        assert body["endpoint"].startswith("http://127.0.0.1:"), body
        assert s3.get_object(Bucket="smoke", Key="from-function")["Body"].read() == b"written by the function"
        print("  function: uid %d, botocore %s, endpoint %s" % (body["uid"], body["botocore"], body["endpoint"]))
        logs = c.logs()
        assert re.search(r"(?m) Ready\.$", logs), logs[-2000:]
        assert re.search(r"(?m) INFO s3 PutObject 200 [0-9.]+ms 000000000000:AKIAMADEUPEXAMPLE000 ", logs), logs[-2000:]
        code = c.stop()
        assert code == 0, "exit code %d\n%s" % (code, c.logs()[-2000:])
        assert "stopped" in c.logs()
    finally:
        c.remove()


def check_image_size():
    size = int(podman("image", "inspect", "--format", "{{.Size}}", IMAGE).stdout.strip())
    print("  image size: %.0f MB" % (size / 1e6))
    assert size < MAX_IMAGE_MB * 1e6, "the image is %.0f MB" % (size / 1e6)


def readme_files():
    """The README's code blocks that start with '# file: NAME', by name."""
    with open(README) as f:
        text = f.read()
    files = {}
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        first, _, rest = block.partition("\n")
        if first.startswith("# file: "):
            files[first[len("# file: "):].strip()] = block
    return files


def local_address(value, port):
    """A README value with the example's address replaced by this container's."""
    return str(value).replace("127.0.0.1:4566", "127.0.0.1:%d" % port) \
        .replace("localhost:4566", "localhost:%d" % port).replace("aws:4566", "127.0.0.1:%d" % port)


def run_steps(commands, env):
    """Runs CI steps on the host with the job's environment and aws-cli v2, as
    CI images have it: Debian's (2.9), whose PYTHONPATH carries the
    sitecustomize so that it reads AWS_ENDPOINT_URL as recent ones do. (aws-cli
    v1 sends SQS calls to queue.amazonaws.com whatever AWS_ENDPOINT_URL says.)"""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full_env.update(env)
    full_env["PATH"] = "/usr/bin:" + full_env.get("PATH", "/bin")
    full_env["PYTHONPATH"] = SITE
    full_env["AWS_CONFIG_FILE"] = full_env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    for command in commands:
        result = subprocess.run(["bash", "-ec", command], env=full_env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, "step %r failed: %s%s" % (command, result.stdout, result.stderr)
        print("  $ %s\n    %s" % (command, result.stdout.strip().replace("\n", "\n    ")))


def check_compose_example():
    files = readme_files()
    work = tempfile.mkdtemp(prefix="cloudless-compose-")
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    service = yaml.safe_load(files["docker-compose.yml"])["services"]["aws"]
    assert service["image"] == "cloudless:latest", service
    port = free_port()
    env = {k: local_address(v, port) for k, v in service.get("environment", {}).items()}
    volumes = []
    for volume in service.get("volumes", []):
        source, _, target = volume.partition(":")
        volumes.append(os.path.join(work, source) + ":" + target)
    c = Container("compose", env=env, volumes=volumes, port=port)
    try:
        c.wait_healthy()
        with urllib.request.urlopen(c.url + "/_localstack/init", timeout=5) as answer:
            init = json.load(answer)
        assert {"stage": "READY", "name": "init-aws.py", "state": "SUCCESSFUL"} in init.get("scripts", []), init
        assert "uploads" in [b["Name"] for b in c.client("s3").list_buckets()["Buckets"]]
        url = c.client("sqs").get_queue_url(QueueName="jobs")["QueueUrl"]
        print("  hook made bucket uploads and queue %s" % url)
        assert url == "http://localhost:%d/000000000000/jobs" % port, url
        assert c.stop() == 0
    finally:
        c.remove()
        subprocess.run(["rm", "-rf", work])


def check_github_actions_example():
    job = yaml.safe_load(readme_files()["github-actions.yml"])["jobs"]["test"]
    (service,) = job["services"].values()
    assert service["image"] == "cloudless:latest", service
    c = Container("github", env=service.get("env", {}))
    try:
        c.wait_healthy()
        env = {k: local_address(v, c.port) for k, v in job["env"].items()}
        run_steps([step["run"] for step in job["steps"] if "run" in step], env)
        assert "ci-bucket" in [b["Name"] for b in c.client("s3").list_buckets()["Buckets"]]
        c.client("sqs").get_queue_url(QueueName="ci-queue")
    finally:
        c.remove()


def check_gitlab_example():
    job = yaml.safe_load(readme_files()["gitlab-ci.yml"])["test"]
    (service,) = job["services"]
    assert service["name"] == "cloudless:latest", service
    c = Container("gitlab")
    try:
        c.wait_healthy()
        env = {k: local_address(v, c.port) for k, v in job["variables"].items()}
        run_steps(job["script"], env)
        assert "gitlab-bucket" in [b["Name"] for b in c.client("s3").list_buckets()["Buckets"]]
    finally:
        c.remove()


CHECKS = [check_image_size, check_image_smoke_and_non_root, check_compose_example, check_github_actions_example,
          check_gitlab_example]


def main():
    passed = failed = 0
    for check in CHECKS:
        started = time.monotonic()
        print("== %s" % check.__name__, flush=True)
        try:
            check()
            passed += 1
            print("ok (%.1fs)" % (time.monotonic() - started), flush=True)
        except Exception:
            failed += 1
            print("FAILED (%.1fs)\n%s" % (time.monotonic() - started, traceback.format_exc()), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
