#!/usr/bin/env python3
"""Checks the include arrows between upkeep's folders: which folder may include which.

Reads every #include "..." of the C++ sources under each folder of ours and fails, naming the
file and line, on an include that points up or sideways. The rules (DESIGN.md, README "Layout"):

  common      nothing of ours
  queue       common
  auth        common
  exporter    common, queue (its data types)
  controller  common, queue
  server      common, auth, and the snapshot it serves (exporter/snapshot*.h); never controller:
              it declares the interface it calls, app/ plugs the controller in
  app         everything (the composition root); nothing includes app/

Usage: include_arrows.py --root DIR [--expect-violations N]
With --expect-violations the checker passes only when it finds exactly N (the fixture run, which
shows that a forbidden include is caught).
"""

import argparse
import pathlib
import re
import sys

ALLOWED = {
    "common": {"common"},
    "queue": {"common", "queue"},
    "auth": {"common", "auth"},
    "exporter": {"common", "queue", "exporter"},
    "controller": {"common", "queue", "controller"},
    "server": {"common", "auth", "server"},
    "app": {"common", "queue", "exporter", "auth", "controller", "server", "app"},
}
# Single headers a folder may include across an otherwise closed arrow.
ALLOWED_HEADERS = {
    "server": {"exporter/snapshot.h", "exporter/snapshot_ring.h", "exporter/sample.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')


def violations(root: pathlib.Path):
    for folder, allowed in ALLOWED.items():
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            if path.suffix not in (".h", ".cc", ".in"):
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                top = target.split("/", 1)[0]
                if "/" not in target or top not in ALLOWED:
                    continue  # a third-party or generated header, not one of our folders
                if top in allowed or target in ALLOWED_HEADERS.get(folder, set()):
                    continue
                rel = path.relative_to(root)
                yield (f"{rel}:{number}: {folder}/ must not include {target} "
                       f"({folder}/ may include: {', '.join(sorted(allowed))})")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True, type=pathlib.Path)
    parser.add_argument("--expect-violations", type=int, default=None)
    args = parser.parse_args()
    found = list(violations(args.root))
    for line in found:
        print(line)
    if args.expect_violations is not None:
        if len(found) != args.expect_violations:
            print(f"expected {args.expect_violations} violations, found {len(found)}")
            return 1
        print(f"the checker found the {len(found)} forbidden includes of the fixture")
        return 0
    if found:
        print(f"{len(found)} forbidden include(s): move the code down, or pass the value "
              "through an interface owned by the lower folder")
        return 1
    print("include arrows: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
