"""README.md tells the truth about what is served: its "Supported operations"
section is exactly what the operation tables (`cloudless --list-operations`)
say, so an operation added to or removed from a table without the README
following fails the suite."""
import os
import subprocess
import sys
import unittest

import server

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ReadmeTests(unittest.TestCase):

    def test_operation_lists_match_the_tables(self):
        binary = os.environ.get("CLOUDLESS_BIN") or os.path.join(ROOT, "build", "server", "cloudless")
        if not os.path.exists(binary):
            self.skipTest("no server binary at %s (TEST_ENDPOINT runs have none)" % binary)
        result = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "readme_operations.py"),
                                 "--check", binary], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
