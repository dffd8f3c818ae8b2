#!/usr/bin/env python3
"""Writes README.md's "Supported operations" section from the operation tables.

Every service declares its operations once (protocol/<service>/operations.h);
`cloudless --list-operations` prints them. This script renders that list as
one table per service — family, operations, IAM actions — between the
README's `<!-- operations:begin -->` and `<!-- operations:end -->` markers.

    scripts/readme_operations.py [--check] [path/to/cloudless]

With --check it changes nothing and exits 1 when the README is not what the
tables say (tests/integration/test_readme.py runs it that way).
"""
import collections
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
BEGIN, END = "<!-- operations:begin -->", "<!-- operations:end -->"


def operations(binary):
    out = subprocess.run([binary, "--list-operations"], check=True, capture_output=True, text=True).stdout
    services = collections.OrderedDict()
    for line in out.splitlines():
        name, title, op, family, action = line.split("\t")
        services.setdefault((name, title), []).append((op, family, action))
    return services


def render(services):
    lines = [BEGIN, "",
             "Generated from the operation tables by `scripts/readme_operations.py`; "
             "anything not listed answers `NotImplemented` (HTTP 501) in the service's "
             "own error format.", ""]
    for (name, title), ops in sorted(services.items(), key=lambda kv: kv[0][1]):
        lines += ["### %s (`%s`, %d operations)" % (title, name, len(ops)), "",
                  "| family | operations | IAM actions |", "|---|---|---|"]
        families = collections.OrderedDict()
        for op, family, action in ops:
            families.setdefault(family, []).append((op, action))
        for family, members in families.items():
            actions = sorted({a for _, a in members})
            lines.append("| %s | %s | %s |" % (family, ", ".join(op for op, _ in members),
                                                ", ".join("`%s`" % a for a in actions)))
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    binary = args[0] if args else os.path.join(ROOT, "build", "server", "cloudless")
    text = open(README, encoding="utf-8").read()
    start, stop = text.find(BEGIN), text.find(END)
    if start < 0 or stop < start:
        print("README.md has no %s ... %s section" % (BEGIN, END), file=sys.stderr)
        return 1
    wanted = text[:start] + render(operations(binary)) + text[stop + len(END):]
    if check:
        if wanted != text:
            print("README.md's operation lists differ from the tables; run scripts/readme_operations.py",
                  file=sys.stderr)
            return 1
        return 0
    with open(README, "w", encoding="utf-8") as f:
        f.write(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
