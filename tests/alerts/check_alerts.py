#!/usr/bin/python3
"""Checks what promtool cannot about upkeep's alerts: the contract between the rules, their
unit tests, the runbook and the example configs.

- alerts/upkeep.rules.yml has exactly the alerts other parts rely on (dashboards, the
  end-to-end test, the README), each with a severity and summary/description/runbook_url;
- every runbook_url is the one template (the upkeep_runbook_url external label, or the
  relative docs/runbook.md) with the alert's own anchor;
- docs/runbook.md has a section for each alert whose GitHub anchor is that anchor, no
  section for an alert that does not exist, and no in-page link to a missing anchor;
- alerts/tests/*.test.yml has, for every alert, a firing case (with exact labels and all three
  annotations) and a not-firing case;
- the example Prometheus config scrapes the job UpkeepDown selects and sets the external
  label; the example Alertmanager config routes every severity the rules use.

Usage: check_alerts.py [--root REPO_ROOT]. Prints every problem, exits 1 if there is one.
"""

import argparse
import glob
import os
import re
import sys

import yaml

EXPECTED_ALERTS = {
    "UpkeepDown", "UpkeepCollectorFailing", "HostFilesystemStuck", "HostFilesystemAlmostFull",
    "HostFilesystemFillingUp", "HostMemoryPressure", "HostCpuSaturated",
    "UpkeepQueueBacklogGrowing", "UpkeepQueueStuck", "UpkeepQueueProbeFailing",
    "UpkeepUpdateAvailableForAWeek", "UpkeepUpdateCheckFailing", "UpkeepUpdateRolledBack",
    "UpkeepUpdateRollbackFailed", "UpkeepUpdateInterrupted", "UpkeepUpdateStuck",
}
SEVERITIES = {"critical", "warning", "info"}
ANNOTATIONS = {"summary", "description", "runbook_url"}
RUNBOOK_URL_TEMPLATE = ("{{ with $externalLabels.upkeep_runbook_url }}{{ . }}"
                        "{{ else }}docs/runbook.md{{ end }}#")
# What promtool renders (it has no external labels): the template's fallback.
RUNBOOK_URL_FALLBACK = "docs/runbook.md#"
EXTERNAL_LABEL = "upkeep_runbook_url"


def github_anchor(heading):
    """The anchor GitHub (and GitLab) give a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def runbook_headings(text):
    """(level, heading) of every ATX heading outside fenced code blocks."""
    headings = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if match and not fenced:
            headings.append((len(match.group(1)), match.group(2)))
    return headings


def load_yaml(path, problems):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as error:
        problems.append(f"{path}: cannot read: {error}")
        return None


def check_rules(rules_path, problems):
    """The alerts by name; problems about each appended."""
    doc = load_yaml(rules_path, problems) or {}
    alerts = {}
    for group in doc.get("groups", []):
        for rule in group.get("rules", []):
            if "alert" not in rule:
                continue
            name = rule["alert"]
            if name in alerts:
                problems.append(f"{rules_path}: alert {name} is defined twice")
            alerts[name] = rule
    for name in sorted(EXPECTED_ALERTS - alerts.keys()):
        problems.append(f"{rules_path}: alert {name} is missing (other parts rely on it)")
    for name in sorted(alerts.keys() - EXPECTED_ALERTS):
        problems.append(f"{rules_path}: alert {name} is not in check_alerts.py's "
                        "EXPECTED_ALERTS (add it there, with a runbook section and tests)")
    for name, rule in sorted(alerts.items()):
        where = f"{rules_path}: {name}"
        severity = (rule.get("labels") or {}).get("severity")
        if severity not in SEVERITIES:
            problems.append(f"{where}: severity is {severity!r}, not one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations") or {}
        for key in sorted(ANNOTATIONS - annotations.keys()):
            problems.append(f"{where}: annotation {key} is missing")
        for key in sorted(ANNOTATIONS & annotations.keys()):
            if not str(annotations[key]).strip():
                problems.append(f"{where}: annotation {key} is empty")
        if "$labels" not in str(annotations.get("description", "")):
            problems.append(f"{where}: description does not name the host ($labels)")
        url = annotations.get("runbook_url")
        want = RUNBOOK_URL_TEMPLATE + github_anchor(name)
        if url is not None and url != want:
            problems.append(f"{where}: runbook_url is {url!r}, want {want!r}")
    return alerts


def check_runbook(runbook_path, alerts, problems):
    try:
        with open(runbook_path, encoding="utf-8") as f:
            text = f.read()
    except OSError as error:
        problems.append(f"{runbook_path}: cannot read: {error}")
        return
    headings = runbook_headings(text)
    anchors = {github_anchor(heading) for _, heading in headings}
    for name in sorted(alerts):
        if github_anchor(name) not in anchors:
            problems.append(f"{runbook_path}: no section for {name} "
                            f"(a heading with anchor #{github_anchor(name)})")
    # A section titled like an alert (one CamelCase word) must be one.
    for level, heading in headings:
        if re.fullmatch(r"(?:[A-Z][a-z0-9]+){2,}", heading) and heading not in alerts:
            problems.append(f"{runbook_path}: section {heading!r} is not an alert of the rules")
    for anchor in sorted(set(re.findall(r"\]\(#([^)]+)\)", text)) - anchors):
        problems.append(f"{runbook_path}: link to #{anchor}, which no heading has")


def check_unit_tests(test_paths, alerts, problems):
    if not test_paths:
        problems.append("no alerts/tests/*.test.yml")
    firing, quiet = set(), set()
    for path in test_paths:
        doc = load_yaml(path, problems) or {}
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []):
                name = case.get("alertname")
                expected = case.get("exp_alerts") or []
                where = f"{path}: {name} at {case.get('eval_time')}"
                if name not in alerts:
                    problems.append(f"{where}: no such alert in the rules")
                    continue
                if not expected:
                    quiet.add(name)
                    continue
                firing.add(name)
                severity = (alerts[name].get("labels") or {}).get("severity")
                for alert in expected:
                    labels = alert.get("exp_labels") or {}
                    annotations = alert.get("exp_annotations") or {}
                    if labels.get("severity") != severity:
                        problems.append(f"{where}: exp_labels severity is "
                                        f"{labels.get('severity')!r}, the rule's {severity!r}")
                    if "instance" not in labels:
                        problems.append(f"{where}: exp_labels has no instance")
                    if set(annotations) != ANNOTATIONS:
                        problems.append(f"{where}: exp_annotations has {sorted(annotations)}, "
                                        f"want {sorted(ANNOTATIONS)}")
                    url = annotations.get("runbook_url")
                    want = RUNBOOK_URL_FALLBACK + github_anchor(name)
                    if url is not None and url != want:
                        problems.append(f"{where}: expected runbook_url {url!r}, want {want!r}")
    for name in sorted(alerts.keys() - firing):
        problems.append(f"alerts/tests: no case where {name} fires")
    for name in sorted(alerts.keys() - quiet):
        problems.append(f"alerts/tests: no case where {name} does not fire (exp_alerts: [])")


def check_prometheus_example(path, alerts, problems):
    doc = load_yaml(path, problems) or {}
    labels = (doc.get("global") or {}).get("external_labels") or {}
    if not str(labels.get(EXTERNAL_LABEL, "")).strip():
        problems.append(f"{path}: global.external_labels.{EXTERNAL_LABEL} is not set")
    if not any(os.path.basename(str(f)) == "upkeep.rules.yml" for f in doc.get("rule_files", [])):
        problems.append(f"{path}: rule_files does not load upkeep.rules.yml")
    down = str((alerts.get("UpkeepDown") or {}).get("expr", ""))
    match = re.search(r'up\{job="([^"]+)"\}', down)
    jobs = [c.get("job_name") for c in doc.get("scrape_configs", [])]
    if not match:
        problems.append("UpkeepDown does not select up{job=\"...\"}")
    elif match.group(1) not in jobs:
        problems.append(f"{path}: no scrape job {match.group(1)!r}, which UpkeepDown selects "
                        f"(jobs: {jobs})")
    if not (doc.get("alerting") or {}).get("alertmanagers"):
        problems.append(f"{path}: no alerting.alertmanagers")


def check_alertmanager_example(path, alerts, problems):
    doc = load_yaml(path, problems) or {}
    routed = set()
    for route in (doc.get("route") or {}).get("routes", []):
        for matcher in route.get("matchers", []):
            match = re.fullmatch(r'\s*severity\s*=\s*"?(\w+)"?\s*', str(matcher))
            if match:
                routed.add(match.group(1))
    used = {(rule.get("labels") or {}).get("severity") for rule in alerts.values()}
    for severity in sorted(s for s in used - routed if s):
        problems.append(f"{path}: no route for severity {severity}")
    if not any("instance" in (rule.get("equal") or []) for rule in doc.get("inhibit_rules", [])):
        problems.append(f"{path}: no inhibit rule limited to the same instance")


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(here)),
                        help="the repository root (default: two levels above this script)")
    args = parser.parse_args(argv)
    alerts_dir = os.path.join(args.root, "alerts")
    problems = []
    alerts = check_rules(os.path.join(alerts_dir, "upkeep.rules.yml"), problems)
    check_runbook(os.path.join(args.root, "docs", "runbook.md"), alerts, problems)
    check_unit_tests(sorted(glob.glob(os.path.join(alerts_dir, "tests", "*.test.yml"))), alerts,
                     problems)
    check_prometheus_example(os.path.join(alerts_dir, "prometheus.example.yml"), alerts, problems)
    check_alertmanager_example(os.path.join(alerts_dir, "alertmanager.example.yml"), alerts,
                               problems)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print(f"{len(alerts)} alerts: severities, annotations, runbook sections, unit tests and "
          "example configs agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
