"""The test's Prometheus and Alertmanager configs, made by rewriting the shipped files in
alerts/ (never hand-kept copies, so the test follows what ships). Each rewrite changes only
what a 30-second test on loopback needs and leaves everything else as shipped:

alerts/upkeep.rules.yml
  - `for:` of the alerts the scenario fires (UpkeepDown: 2m) becomes FAST_FOR (1s), so they
    fire within seconds. Every other rule keeps its shipped `for:`: shortened, rules meant for
    long states would fire on a busy CI host (HostCpuSaturated), or on the update itself
    (UpkeepUpdateStuck: upkeep_update_in_progress is 1 while the run lasts) - and a critical
    alert on the updating instance would, by the shipped inhibition, hold back the warning
    under test.
  - a group `interval:` is dropped, so every group is evaluated at the global 1s.
  - ranges are kept: a long range does not delay an alert. UpkeepUpdateRolledBack's
    increase(...[1h]) rises as soon as one sample after the rollback follows one before it.
alerts/alertmanager.example.yml
  - group_wait, group_interval, repeat_interval: short on the root route and on every route
    that sets its own, so a notification leaves within about a second.
  - every webhook URL (placeholders) points at the test's receiver, one path per receiver
    name; other notifier configs (email, chat, ...) are dropped: they would reach outside.
  - mute/active time intervals on routes are dropped: the test must not depend on the clock.
  - routes, matchers, group_by, inhibit_rules and receivers' names are kept: they are what
    the test checks.
alerts/prometheus.example.yml
  - global scrape/evaluation interval and scrape timeout: 1s.
  - external label upkeep_runbook_url: the test's base URL (other external labels kept).
  - rule_files: the rewritten rules; alerting: the test's Alertmanager (alert relabelling kept).
  - the job with file_sd_configs (its name, `upkeep`, relabelling and the rest kept): its files
    become the test's targets file; its own interval/timeout overrides are dropped. Other
    scrape jobs, remote_write and remote_read are dropped: they point at what the test lacks.
alerts/targets.example.yml
  - the test's targets file lists the test's upkeep instances with the labels of the shipped
    file's first group (e.g. site), so target labels are seen to reach the alerts.
"""

import copy
import os

import yaml

FAST_FOR = "1s"
INTERVAL = "1s"
# Alertmanager timings: a group's first notification within a second, updates as fast.
GROUP_WAIT = "1s"
GROUP_INTERVAL = "1s"
REPEAT_INTERVAL = "10s"


class ShapeError(Exception):
    """A shipped file lacks what the test needs (names the file and what is missing)."""


def load(path):
    with open(path, encoding="utf-8") as source:
        document = yaml.safe_load(source)
    if not isinstance(document, (dict, list)):
        raise ShapeError(f"{path}: not a YAML mapping or list")
    return document


def dump(document, path):
    with open(path, "w", encoding="utf-8") as target:
        yaml.safe_dump(document, target, sort_keys=False, default_flow_style=False)
    return path


def rewrite_rules(rules, fast_alerts, source="upkeep.rules.yml"):
    """A copy of the rules document with `for:` of `fast_alerts` set to FAST_FOR and group
    intervals dropped. Raises ShapeError when one of fast_alerts is not there."""
    rules = copy.deepcopy(rules)
    found = set()
    for group in rules.get("groups") or []:
        group.pop("interval", None)
        for rule in group.get("rules") or []:
            if rule.get("alert") in fast_alerts:
                found.add(rule["alert"])
                if "for" in rule:
                    rule["for"] = FAST_FOR
    missing = sorted(set(fast_alerts) - found)
    if missing:
        raise ShapeError(f"{source}: no alert rule named {', '.join(missing)}")
    return rules


def alert_rule(rules, name):
    """The rule of alert `name` (a dict), or None."""
    for group in rules.get("groups") or []:
        for rule in group.get("rules") or []:
            if rule.get("alert") == name:
                return rule
    return None


def _shorten_route_timings(route, is_root):
    for key, value in (("group_wait", GROUP_WAIT), ("group_interval", GROUP_INTERVAL),
                       ("repeat_interval", REPEAT_INTERVAL)):
        if is_root or key in route:
            route[key] = value
    route.pop("mute_time_intervals", None)
    route.pop("active_time_intervals", None)
    for child in route.get("routes") or []:
        _shorten_route_timings(child, is_root=False)


def rewrite_alertmanager(config, url_for_receiver, source="alertmanager.example.yml"):
    """A copy of the Alertmanager config with short timings and every webhook posting to
    url_for_receiver(receiver name). Returns (config, names of receivers with a webhook)."""
    config = copy.deepcopy(config)
    route = config.get("route")
    if not isinstance(route, dict):
        raise ShapeError(f"{source}: no route")
    _shorten_route_timings(route, is_root=True)
    with_webhook = []
    for receiver in config.get("receivers") or []:
        name = receiver.get("name")
        for key in [k for k in receiver if k.endswith("_configs") and k != "webhook_configs"]:
            del receiver[key]
        for webhook in receiver.get("webhook_configs") or []:
            webhook.pop("url_file", None)
            webhook["url"] = url_for_receiver(name)
        if receiver.get("webhook_configs"):
            with_webhook.append(name)
    if not with_webhook:
        raise ShapeError(f"{source}: no receiver has webhook_configs; the test delivers to one")
    return config, with_webhook


def upkeep_job(prometheus, source="prometheus.example.yml"):
    """The scrape config the targets file feeds: the one with file_sd_configs."""
    jobs = [job for job in prometheus.get("scrape_configs") or [] if job.get("file_sd_configs")]
    if len(jobs) != 1:
        raise ShapeError(f"{source}: expected one scrape job with file_sd_configs, found "
                         f"{[job.get('job_name') for job in jobs]}")
    return jobs[0]


def shipped_targets_file(prometheus, example_dir, source="prometheus.example.yml"):
    """The path of the shipped targets file the upkeep job reads (relative to the example)."""
    files = [f for sd in upkeep_job(prometheus, source)["file_sd_configs"]
             for f in sd.get("files") or []]
    if len(files) != 1:
        raise ShapeError(f"{source}: expected one file under file_sd_configs, found {files}")
    return os.path.join(example_dir, files[0])


def target_labels(targets):
    """The labels of the shipped targets file's first group ({} without any)."""
    if not isinstance(targets, list) or not targets:
        return {}
    return dict(targets[0].get("labels") or {})


def targets_document(addresses, labels):
    """A file_sd document listing `addresses` with `labels`."""
    group = {"targets": list(addresses)}
    if labels:
        group["labels"] = dict(labels)
    return [group]


def rewrite_prometheus(prometheus, *, rules_file, targets_file, alertmanager_address,
                       runbook_url, source="prometheus.example.yml"):
    """A copy of the Prometheus config for the test (see the module comment)."""
    prometheus = copy.deepcopy(prometheus)
    job = upkeep_job(prometheus, source)
    settings = prometheus.setdefault("global", {}) or {}
    prometheus["global"] = settings
    settings["scrape_interval"] = INTERVAL
    settings["scrape_timeout"] = INTERVAL
    settings["evaluation_interval"] = INTERVAL
    labels = settings.get("external_labels") or {}
    labels["upkeep_runbook_url"] = runbook_url
    settings["external_labels"] = labels

    prometheus["rule_files"] = [rules_file]
    alerting = prometheus.get("alerting") or {}
    alerting["alertmanagers"] = [{"static_configs": [{"targets": [alertmanager_address]}]}]
    prometheus["alerting"] = alerting

    for key in [k for k in job if k.endswith("_sd_configs") or k == "static_configs"]:
        del job[key]
    job.pop("scrape_interval", None)
    job.pop("scrape_timeout", None)
    job["file_sd_configs"] = [{"files": [targets_file], "refresh_interval": INTERVAL}]
    prometheus["scrape_configs"] = [job]
    prometheus.pop("remote_write", None)
    prometheus.pop("remote_read", None)
    return prometheus
