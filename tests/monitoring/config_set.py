"""Writes the test's rules, Alertmanager, Prometheus and targets files into a temp dir, each
rewritten from the shipped one in alerts/ (shipped_configs.py says what changes and why), and
checks them with the real promtool and amtool before any daemon reads them."""

import os
import subprocess
from dataclasses import dataclass, field

import shipped_configs as shipped

# The alerts the scenario makes fire; their `for:` is shortened.
SCENARIO_ALERTS = ("UpkeepDown", "UpkeepUpdateRolledBack")


@dataclass
class ConfigSet:
    rules: str
    alertmanager: str
    prometheus: str
    targets: str
    job_name: str
    target_labels: dict
    webhook_receivers: list
    rules_document: dict = field(repr=False)


def shipped_paths(source_dir):
    alerts = os.path.join(source_dir, "alerts")
    return {"rules": os.path.join(alerts, "upkeep.rules.yml"),
            "alertmanager": os.path.join(alerts, "alertmanager.example.yml"),
            "prometheus": os.path.join(alerts, "prometheus.example.yml")}


def write(source_dir, out_dir, *, url_for_receiver, alertmanager_address, targets,
          runbook_url):
    """Rewrites the shipped files into out_dir; `targets` are the HOST:PORT to scrape."""
    paths = shipped_paths(source_dir)
    for path in paths.values():
        if not os.path.exists(path):
            raise shipped.ShapeError(f"{path} is missing")
    rules = shipped.rewrite_rules(shipped.load(paths["rules"]), SCENARIO_ALERTS,
                                  source=paths["rules"])
    rules_path = shipped.dump(rules, os.path.join(out_dir, "upkeep.rules.yml"))

    alertmanager, receivers = shipped.rewrite_alertmanager(
        shipped.load(paths["alertmanager"]), url_for_receiver, source=paths["alertmanager"])
    alertmanager_path = shipped.dump(alertmanager, os.path.join(out_dir, "alertmanager.yml"))

    prometheus_source = shipped.load(paths["prometheus"])
    shipped_targets = shipped.shipped_targets_file(
        prometheus_source, os.path.dirname(paths["prometheus"]), source=paths["prometheus"])
    labels = shipped.target_labels(shipped.load(shipped_targets)) \
        if os.path.exists(shipped_targets) else {}
    targets_path = shipped.dump(shipped.targets_document(targets, labels),
                                os.path.join(out_dir, "targets.yml"))
    prometheus = shipped.rewrite_prometheus(
        prometheus_source, rules_file=rules_path, targets_file=targets_path,
        alertmanager_address=alertmanager_address, runbook_url=runbook_url,
        source=paths["prometheus"])
    prometheus_path = shipped.dump(prometheus, os.path.join(out_dir, "prometheus.yml"))
    return ConfigSet(rules=rules_path, alertmanager=alertmanager_path,
                     prometheus=prometheus_path, targets=targets_path,
                     job_name=prometheus["scrape_configs"][0]["job_name"],
                     target_labels=labels, webhook_receivers=receivers, rules_document=rules)


def _run(argv):
    """(exit status, stdout, stdout and stderr for a message)."""
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, timeout=60, check=False)
    return result.returncode, result.stdout, result.stdout + result.stderr


def check(configs, promtool, amtool):
    """promtool check config (which checks the rule files too) and amtool check-config on the
    rewritten files; raises AssertionError with their output when either fails."""
    for argv in ([promtool, "check", "config", configs.prometheus],
                 [amtool, "check-config", configs.alertmanager]):
        status, _, output = _run(argv)
        if status != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({status}):\n{output}")


def receiver_for(configs, amtool, labels):
    """The receiver(s) the rewritten Alertmanager config routes `labels` to, as amtool's own
    routing tree resolves them (a list of names)."""
    argv = [amtool, "config", "routes", "test", f"--config.file={configs.alertmanager}"]
    argv += [f"{name}={value}" for name, value in sorted(labels.items())]
    status, receivers, output = _run(argv)
    if status != 0:
        raise AssertionError(f"{' '.join(argv)} failed ({status}):\n{output}")
    # One line, the receivers in routing-tree order, comma-separated (the --config.file
    # warning goes to stderr).
    return [name.strip() for name in receivers.strip().split(",") if name.strip()]
