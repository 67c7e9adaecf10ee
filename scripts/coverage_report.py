#!/usr/bin/env python3
"""Per-area coverage from a gcov build: a short table, thresholds, HTML pages.

gcovr 5.2 (Debian 12) has one global threshold, so gcov runs once over the build into a JSON
tracefile, then gcovr cuts each area from it with --filter (its summary and HTML), and this
script compares the area's line rate with its threshold. Exit status 1 if an active area is below its threshold. Tests and generated files
are never counted: the filters only take our source directories.

Usage: coverage_report.py --root REPO --build BUILD_DIR --html OUT_DIR [--jobs N]
"""

import argparse
import html
import json
import os
import subprocess
import sys

# name, filter regex, exclude regexes, line threshold (%). Paths are relative to the repo root.
# One area per folder of ours; an area with no instrumented file (controller/ before it exists)
# is reported as not active.
AREAS = [
    ("common", r"common/", [], 85.0),
    ("queue", r"queue/", [], 85.0),
    ("exporter", r"exporter/", [], 85.0),
    ("auth", r"auth/", [], 85.0),
    # Update logic: everything in controller/ except the libgit2 wrappers.
    ("controller", r"controller/", [r"controller/git_"], 90.0),
    # Git operations: the libgit2 wrapper files.
    ("controller-git", r"controller/git_", [], 80.0),
    ("server", r"server/", [], 85.0),
    ("app", r"app/", [], 85.0),
]
ALWAYS_EXCLUDED = [r"tests/", r"build[^/]*/"]


BRANCH_OPTIONS = ["--exclude-unreachable-branches", "--exclude-throw-branches"]


def gcovr(root, arguments):
    result = subprocess.run(["gcovr", "--root", root] + arguments, cwd=root,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("coverage: gcovr failed: " + " ".join(arguments))


def collect(root, build, tracefile, jobs):
    """Runs gcov once over the build; the areas are then cut from this tracefile."""
    arguments = BRANCH_OPTIONS + ["-j", str(jobs), "--json", tracefile]
    for area_filter in sorted({area[1] for area in AREAS}):
        arguments += ["--filter", area_filter]
    for exclude in ALWAYS_EXCLUDED:
        arguments += ["--exclude", exclude]
    gcovr(root, arguments + [build])


def area_summary(root, tracefile, area_filter, excludes, html_dir, summary_path):
    os.makedirs(html_dir, exist_ok=True)
    arguments = BRANCH_OPTIONS + [
        "--add-tracefile", tracefile,
        "--filter", area_filter,
        "--json-summary", summary_path,
        "--html-details", os.path.join(html_dir, "index.html"),
        "--html-title", "upkeep coverage: " + area_filter,
    ]
    for exclude in ALWAYS_EXCLUDED + excludes:
        arguments += ["--exclude", exclude]
    gcovr(root, arguments)
    with open(summary_path) as f:
        return json.load(f)


def percent(covered, total):
    return 100.0 * covered / total if total else 100.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--html", required=True)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    root = os.path.abspath(args.root)
    build = os.path.abspath(args.build)
    out = os.path.abspath(args.html)

    os.makedirs(out, exist_ok=True)
    tracefile = os.path.join(out, "coverage.json")
    collect(root, build, tracefile, args.jobs)
    rows = []
    failed = []
    for name, area_filter, excludes, threshold in AREAS:
        summary = area_summary(root, tracefile, area_filter, excludes, os.path.join(out, name),
                               os.path.join(out, name + "-summary.json"))
        files = summary.get("files", [])
        if not files:
            rows.append((name, area_filter, None, None, threshold, "not active (no code yet)",
                         []))
            continue
        lines = percent(summary["line_covered"], summary["line_total"])
        branches = percent(summary["branch_covered"], summary["branch_total"])
        below = lines < threshold
        # Where the missing lines are: the files with the most uncovered lines first.
        weakest = sorted(
            ((f["line_total"] - f["line_covered"], percent(f["line_covered"], f["line_total"]),
              f["filename"]) for f in files if f["line_covered"] < f["line_total"]),
            reverse=True)
        if below:
            failed.append(name)
        rows.append((name, area_filter, lines, branches, threshold,
                     "BELOW THRESHOLD" if below else "ok", weakest[:5]))

    print("%-15s %-22s %8s %9s %10s  %s" % ("area", "files", "lines", "branches", "threshold",
                                             "result"))
    for name, area_filter, lines, branches, threshold, result, weakest in rows:
        shown = area_filter + ("* (not git_*)" if name == "controller" else "*")
        if lines is None:
            print("%-15s %-22s %8s %9s %9.0f%%  %s" % (name, shown, "-", "-", threshold, result))
            continue
        print("%-15s %-22s %7.1f%% %8.1f%% %9.0f%%  %s" % (name, shown, lines, branches,
                                                            threshold, result))
        if result != "ok":
            for missing, rate, filename in weakest:
                print("    %5.1f%%  %4d lines uncovered  %s" % (rate, missing, filename))
    print("thresholds apply to lines; HTML: %s/index.html" % os.path.relpath(out, root))

    with open(os.path.join(out, "index.html"), "w") as f:
        f.write("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                "<title>upkeep coverage</title></head><body><h1>upkeep coverage</h1>\n"
                "<table border=\"1\" cellpadding=\"4\"><tr><th>area</th><th>lines</th>"
                "<th>branches</th><th>threshold (lines)</th><th>result</th></tr>\n")
        for name, area_filter, lines, branches, threshold, result, _ in rows:
            if lines is None:
                cells = "<td>%s</td><td>-</td><td>-</td>" % html.escape(name)
            else:
                cells = "<td><a href=\"%s/index.html\">%s</a></td><td>%.1f%%</td><td>%.1f%%</td>" % (
                    name, html.escape(name), lines, branches)
            f.write("<tr>%s<td>%.0f%%</td><td>%s</td></tr>\n" % (cells, threshold,
                                                                  html.escape(result)))
        f.write("</table></body></html>\n")

    if failed:
        print("coverage: below threshold: " + ", ".join(failed) +
              " (add tests that assert the behaviour of the uncovered lines; see the HTML)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
