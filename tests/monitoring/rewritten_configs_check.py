#!/usr/bin/python3
"""Fast check of the end-to-end test's config rewriting, without starting any engine: the
shipped files in alerts/ rewrite into configs that promtool and amtool accept, the rewrite
changed what it says (shipped_configs.py) and nothing it should keep, and the shipped routes
send the scenario's alerts to webhook receivers. A shipped file that changes shape fails here
first, with a message naming what the test needs from it.

Usage: rewritten_configs_check.py --source-dir DIR [--promtool P] [--amtool A]
"""

import argparse
import shutil
import sys
import tempfile

import config_set
import shipped_configs as shipped


def check_rules(configs, source_dir):
    original = shipped.load(config_set.shipped_paths(source_dir)["rules"])
    problems = []
    for group in original.get("groups") or []:
        for rule in group.get("rules") or []:
            name = rule.get("alert")
            if not name:
                continue
            rewritten = shipped.alert_rule(configs.rules_document, name)
            for key in ("expr", "labels", "annotations"):
                if rewritten.get(key) != rule.get(key):
                    problems.append(f"{name}: {key} changed by the rewrite")
            expected_for = (shipped.FAST_FOR if name in config_set.SCENARIO_ALERTS
                            and "for" in rule else rule.get("for"))
            if rewritten.get("for") != expected_for:
                problems.append(f"{name}: for {rewritten.get('for')!r}, expected {expected_for!r}")
    for name in config_set.SCENARIO_ALERTS:
        runbook = (shipped.alert_rule(original, name).get("annotations") or {}).get("runbook_url")
        if not runbook or "upkeep_runbook_url" not in runbook:
            problems.append(f"{name}: no runbook_url annotation built from the external label "
                            f"upkeep_runbook_url (the test checks it): {runbook!r}")
    return problems


def check_alertmanager(configs, url_for):
    rewritten = shipped.load(configs.alertmanager)
    problems = []
    for receiver in rewritten.get("receivers") or []:
        for webhook in receiver.get("webhook_configs") or []:
            if webhook.get("url") != url_for(receiver["name"]):
                problems.append(f"receiver {receiver['name']}: url {webhook.get('url')} kept")
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    parser.add_argument("--amtool", default=shutil.which("amtool") or "/usr/bin/amtool")
    args = parser.parse_args(argv)

    def url_for(name):
        return f"http://127.0.0.1:9/receiver/{name}"

    with tempfile.TemporaryDirectory(prefix="upkeep-monitoring-configs-") as work:
        try:
            configs = config_set.write(
                args.source_dir, work, url_for_receiver=url_for,
                alertmanager_address="127.0.0.1:9", targets=["127.0.0.1:1", "127.0.0.1:2"],
                runbook_url="https://runbooks.invalid/runbook.md")
            config_set.check(configs, args.promtool, args.amtool)
        except (shipped.ShapeError, AssertionError) as error:
            print(f"FAILED: {error}")
            return 1
        problems = check_rules(configs, args.source_dir) + check_alertmanager(configs, url_for)
        for name, severity in (("UpkeepDown", "critical"), ("UpkeepUpdateRolledBack", "warning")):
            receivers = config_set.receiver_for(configs, args.amtool, {
                "alertname": name, "severity": severity, "instance": "127.0.0.1:1",
                "job": configs.job_name})
            if not set(receivers) & set(configs.webhook_receivers):
                problems.append(f"{name} routes to {receivers}, none of them a webhook "
                                f"({configs.webhook_receivers})")
            print(f"{name} (severity {severity}) routes to {receivers}")
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print(f"ok: job {configs.job_name!r}, target labels {configs.target_labels}, webhook "
              f"receivers {configs.webhook_receivers}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
