#!/usr/bin/python3
"""Checks packaging/upkeep.8: groff renders it without a single warning (-ww: all of them, as
lintian's man check does), it has the sections a daemon's page needs, and it documents every
flag that app/flags.cc accepts. A broken copy shows that a groff warning is caught.

Usage: check_man_page.py --man packaging/upkeep.8 --flags app/flags.cc
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "FILES", "SIGNALS",
            "EXIT STATUS", "EXAMPLES", "SEE ALSO"]
# Besides the table in flags.cc, which holds the flags that set a config key.
OTHER_FLAGS = ["--config", "--help", "--version"]
COMMANDS = ["token create", "token list", "token revoke", "check-config", "update resolve",
            "--owner"]


def groff_warnings(groff, page):
    run = subprocess.run([groff, "-man", "-ww", "-Tutf8", str(page)], capture_output=True,
                         text=True, timeout=60, check=False)
    warnings = run.stderr.strip()
    if run.returncode != 0 and not warnings:
        warnings = f"groff exit status {run.returncode}"
    return warnings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--man", required=True)
    parser.add_argument("--flags", required=True)
    parser.add_argument("--groff", default="groff")
    args = parser.parse_args()

    groff = shutil.which(args.groff)
    if groff is None:
        print("FAIL: groff not found (groff-base; scripts/install-deps.sh test)", file=sys.stderr)
        return 1
    problems = []
    warnings = groff_warnings(groff, args.man)
    if warnings:
        problems.append(f"groff -man -ww warns:\n{warnings}")

    source = Path(args.man).read_text()
    text = source.replace("\\-", "-")  # roff's minus sign, as written in option names
    headings = [h.strip('"') for h in re.findall(r"^\.SH\s+(.+)$", text, re.M)]
    for section in SECTIONS:
        if section not in headings:
            problems.append(f"no .SH {section}")
    flags = re.findall(r'^\s*\{"(--[a-z][a-z.-]*)"', Path(args.flags).read_text(), re.M)
    if not flags:
        problems.append(f"{args.flags}: no flags found in its table (has its layout changed?)")
    for flag in flags + OTHER_FLAGS:
        if not re.search(re.escape(flag) + r"(?![a-z.-])", text):
            problems.append(f"flag {flag} (accepted by upkeep) is not documented")
    for command in COMMANDS:
        if command not in text:
            problems.append(f"{command} is not documented")

    # The check itself: an undefined macro is a groff warning, and must be reported.
    with tempfile.TemporaryDirectory(prefix="upkeep-man-") as temp:
        broken = Path(temp) / "upkeep.8"
        broken.write_text(source.replace(".SH DESCRIPTION", ".SH DESCRIPTION\n.XQ oops", 1))
        if not groff_warnings(groff, broken):
            problems.append("a page with an undefined macro rendered without a warning")

    if problems:
        print("FAIL: " + args.man + "\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"ok: {args.man} renders without warnings and documents {len(flags) + 3} flags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
