"""What a delivered alert must look like at the webhook receiver: its labels from the rule,
the scrape and the target file, the external labels, the runbook_url annotation built from
the test's base URL, and the receiver the shipped routing tree chooses for it."""

import config_set


def expected_runbook_url(base_url, alertname):
    return f"{base_url}#{alertname.lower()}"


def check_delivery(found, *, alertname, instance, severity, configs, amtool, runbook_base):
    """`found` are the receiver's (path, payload, alert) entries of that alert name. Returns
    the one for `instance` after checking it; raises AssertionError naming every mismatch."""
    mine = [entry for entry in found if entry[2]["labels"].get("instance") == instance]
    if not mine:
        seen = sorted({entry[2]["labels"].get("instance") for entry in found})
        raise AssertionError(f"{alertname} reached the receiver for {seen}, not for {instance}")
    path, payload, alert = mine[0]
    labels = alert.get("labels") or {}
    annotations = alert.get("annotations") or {}
    expected_labels = {"alertname": alertname, "instance": instance, "job": configs.job_name,
                       "severity": severity, "upkeep_runbook_url": runbook_base}
    expected_labels.update(configs.target_labels)  # e.g. site: from the targets file
    problems = [f"label {name}={labels.get(name)!r}, expected {value!r}"
                for name, value in expected_labels.items() if labels.get(name) != value]

    runbook = expected_runbook_url(runbook_base, alertname)
    if annotations.get("runbook_url") != runbook:
        problems.append(f"annotation runbook_url={annotations.get('runbook_url')!r}, "
                        f"expected {runbook!r}")

    # The shipped routing tree, as Alertmanager's own amtool resolves it for these labels.
    receivers = config_set.receiver_for(configs, amtool, labels)
    if payload.get("receiver") not in receivers:
        problems.append(f"delivered by receiver {payload.get('receiver')!r}, but the shipped "
                        f"routes send it to {receivers}")
    if path != f"/receiver/{payload.get('receiver')}":
        problems.append(f"posted to {path}, not to receiver {payload.get('receiver')!r}'s URL")
    if problems:
        raise AssertionError(f"{alertname} for {instance} reached the receiver, but:\n  "
                             + "\n  ".join(problems) + f"\n  the alert: {alert}")
    return path, payload, alert
