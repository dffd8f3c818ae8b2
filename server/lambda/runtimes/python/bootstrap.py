"""cloudless's Lambda runtime for python3.x functions.

Started by cloudless as the environment's process, with the Lambda variables in its
environment. It imports the handler named by _HANDLER ("module.function", the module
found under LAMBDA_TASK_ROOT), then loops over the Runtime API at
AWS_LAMBDA_RUNTIME_API: GET the next invocation, call the handler with the event and
a context object shaped like AWS's, POST the result or the error (errorMessage,
errorType, stackTrace as AWS's python runtime reports them). A failing import is
posted to /runtime/init/error (Runtime.ImportModuleError, Runtime.HandlerNotFound,
Runtime.UserCodeSyntaxError) before exiting. An exception inside the handler is
reported and the process goes on serving, as on AWS.

Speed: the Runtime API is spoken over one keep-alive socket with a minimal HTTP/1.1
client; a result's POST and the GET for the next invocation are written back to back
(pipelined) and their answers read in turn, so an invocation costs one round trip.
Only what every invocation needs is imported at start-up (the socket module's C core,
_socket, without the selectors and enum machinery of socket.py; the address is
passed to connect() as is, so no name resolution loads the idna codec); traceback
and importlib are imported when a handler fails or is loaded.
"""
import json
import os
import _socket
import sys
import time

RUNTIME_API = os.environ["AWS_LAMBDA_RUNTIME_API"]
TASK_ROOT = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
NEXT_REQUEST = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n"


class LambdaContext:
    """The context argument: AWS's attribute names and get_remaining_time_in_millis()."""

    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, identity):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)


def post_request(path, payload, error_type=None):
    """The bytes of a POST to /2018-06-01/runtime/<path> carrying payload."""
    extra = "Lambda-Runtime-Function-Error-Type: %s\r\n" % error_type if error_type else ""
    head = "POST /2018-06-01/runtime/%s HTTP/1.1\r\nHost: runtime\r\nContent-Type: application/json\r\n" \
           "Content-Length: %d\r\n%s\r\n" % (path, len(payload), extra)
    return head.encode("latin-1") + payload


class RuntimeClient:
    """One keep-alive HTTP/1.1 connection to the Runtime API, reopened when it drops
    (the server closes connections idle longer than its idle timeout, which a long
    handler can exceed)."""

    def __init__(self):
        host, _, port = RUNTIME_API.rpartition(":")
        self.address = (host, int(port or 80))
        self.sock = None
        self.buffer = bytearray()

    def connect(self):
        self.sock = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
        self.sock.connect(self.address)
        self.sock.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        self.buffer = bytearray()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, *requests):
        """Writes the requests back to back, reads their answers in order and returns
        the last one as (status, headers with lower-case names, body). Requests not
        yet answered when the connection drops are sent once more on a new one."""
        answered = 0
        for attempt in (1, 2):
            try:
                if self.sock is None:
                    self.connect()
                self.sock.sendall(b"".join(requests[answered:]))
                while answered < len(requests):
                    answer = self.read_answer()
                    answered += 1
                    if answer[1].get("connection", "").lower() == "close":
                        self.close()
                        if answered < len(requests):
                            raise ConnectionError("the Runtime API closed the connection")
                return answer
            except OSError:
                self.close()
                if attempt == 2:
                    raise

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self.buffer += chunk

    def read_answer(self):
        end = self.buffer.find(b"\r\n\r\n")
        while end < 0:
            self.fill()
            end = self.buffer.find(b"\r\n\r\n")
        lines = self.buffer[:end].decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        stop = start + int(headers.get("content-length") or 0)
        while len(self.buffer) < stop:
            self.fill()
        body = bytes(self.buffer[start:stop])
        del self.buffer[:stop]
        return status, headers, body


def error_body(error_type, message, stack=None):
    return json.dumps({"errorMessage": message, "errorType": error_type,
                       "requestId": "", "stackTrace": stack or []}).encode()


def exception_body(exc):
    import traceback
    stack = traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])
    return json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__,
                       "requestId": "", "stackTrace": stack}, default=str).encode()


def load_handler(client):
    import importlib
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    if TASK_ROOT not in sys.path:
        sys.path.insert(0, TASK_ROOT)
    try:
        if not module_name:
            raise ValueError("Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec)
        module = importlib.import_module(module_name.replace("/", "."))
    except SyntaxError as exc:
        return fail_init(client, "Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, exc))
    except ValueError as exc:
        return fail_init(client, "Runtime.MalformedHandlerName", str(exc))
    except ImportError as exc:
        return fail_init(client, "Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, exc))
    except Exception as exc:
        import traceback
        return fail_init(client, type(exc).__name__, str(exc),
                         traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    handler = getattr(module, function_name, None)
    if handler is None:
        return fail_init(client, "Runtime.HandlerNotFound",
                         "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def fail_init(client, error_type, message, stack=None):
    print("[ERROR] %s: %s" % (error_type, message), flush=True)
    client.exchange(post_request("init/error", error_body(error_type, message, stack), error_type))
    sys.exit(1)


def serve(client, handler):
    status, headers, body = client.exchange(NEXT_REQUEST)
    while status == 200:
        request_id = headers.get("lambda-runtime-aws-request-id")
        deadline = int(headers.get("lambda-runtime-deadline-ms") or 0)
        client_context = headers.get("lambda-runtime-client-context")
        identity = headers.get("lambda-runtime-cognito-identity")
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id") or ""
        context = LambdaContext(request_id, deadline, headers.get("lambda-runtime-invoked-function-arn"),
                                json.loads(client_context) if client_context else None,
                                json.loads(identity) if identity else None)
        try:
            event = json.loads(body) if body else {}
            result = handler(event, context)
            answer = post_request("invocation/%s/response" % request_id, json.dumps(result).encode())
        except Exception as exc:
            import traceback
            traceback.print_exc()
            answer = post_request("invocation/%s/error" % request_id, exception_body(exc), "Unhandled")
        sys.stdout.flush()
        sys.stderr.flush()
        status, headers, body = client.exchange(answer, NEXT_REQUEST)
    sys.exit(0)


def main():
    sys.stdout.reconfigure(line_buffering=True)
    client = RuntimeClient()
    serve(client, load_handler(client))


if __name__ == "__main__":
    main()
