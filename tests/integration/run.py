"""Runs the S3 integration suite with plain unittest (no pytest needed).

Usage: run.py [test names...]   e.g. run.py test_listing test_objects.RangeTests
With no names every test_*.py here is discovered. The endpoint comes from
TEST_ENDPOINT or CLOUDLESS_BIN (see server.py). The last line printed is
`N passed, N failed` (plus `, N skipped` when tests were skipped); the exit code is
non-zero when anything failed or errored.
"""
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import server  # noqa: E402  (needs HERE on sys.path)


def load_tests(names):
    loader = unittest.TestLoader()
    if names:
        return loader.loadTestsFromNames(names)
    return loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)


def test_id(test):
    """The id of the test itself, so several failing subTests count as one failed test."""
    return getattr(test, "test_case", test).id()


class TimedResult(unittest.TextTestResult):
    """Remembers how long each test took, for the list of the slowest."""

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        durations = getattr(self, "durations", {})
        durations[test.id()] = time.monotonic() - self._started
        self.durations = durations


SLOWEST = 12


def main(names):
    suite = load_tests(names)
    try:
        target = server.endpoint()
    except RuntimeError as error:
        print("cannot start the endpoint: %s" % error, file=sys.stderr)
        print("0 passed, %d failed" % suite.countTestCases())
        return 1
    origin = "managed, log %s" % target.log_path if target.managed else "external"
    print("endpoint %s (%s), python %s" % (target.url, origin, sys.version.split()[0]), file=sys.stderr)
    started = time.monotonic()
    try:
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr, resultclass=TimedResult).run(suite)
    finally:
        target.shutdown()
    failed = len({test_id(test) for test, _ in result.failures + result.errors}) + len(result.unexpectedSuccesses)
    # A sanitizer report in the server's log fails the run, even when every
    # client-side assertion held (leaks are only reported at exit).
    reports = target.sanitizer_reports()
    if reports:
        print("server sanitizer reports (log %s):\n  %s" % (target.log_path, "\n  ".join(reports[:20])),
              file=sys.stderr)
        failed += 1
    skipped = len({test_id(test) for test, _ in result.skipped})
    passed = result.testsRun - failed - skipped - len(result.expectedFailures)
    summary = "%d passed, %d failed" % (passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    slowest = sorted(getattr(result, "durations", {}).items(), key=lambda item: -item[1])[:SLOWEST]
    if slowest:
        print("slowest tests:", file=sys.stderr)
        for name, seconds in slowest:
            print("  %6.1fs %s" % (seconds, name), file=sys.stderr)
    print("took %.1fs" % (time.monotonic() - started), file=sys.stderr)
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
