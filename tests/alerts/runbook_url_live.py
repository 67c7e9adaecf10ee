#!/usr/bin/python3
"""Renders UpkeepDown's runbook_url in a real Prometheus, with and without the
upkeep_runbook_url external label.

promtool 2.42 (Debian 12) cannot set external labels in a rule test file (the
`external_labels` key came later), so the unit tests only see the fallback. This test runs
the real server instead: the example config's scrape job and external label, the shipped
rules, a target on a 127.0.0.1 port nobody listens on, 1 s intervals. UpkeepDown turns
pending within seconds, and Prometheus renders annotations of pending alerts too, so its
`for` need not pass. check_alerts.py makes sure every other alert uses the same template.

Usage: runbook_url_live.py PROMETHEUS_BINARY
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ALERTS = os.path.join(ROOT, "alerts")
DEADLINE_SECONDS = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(directory, external_labels, target):
    with open(os.path.join(ALERTS, "prometheus.example.yml"), encoding="utf-8") as f:
        example = yaml.safe_load(f)
    job = next(c for c in example["scrape_configs"] if c["job_name"] == "upkeep")
    targets = os.path.join(directory, "targets.yml")
    with open(targets, "w", encoding="utf-8") as f:
        yaml.safe_dump([{"targets": [target]}], f)
    job["file_sd_configs"] = [{"files": [targets]}]
    config = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s",
                   "evaluation_interval": "1s"},
        "rule_files": [os.path.join(ALERTS, "upkeep.rules.yml")],
        "scrape_configs": [job],
    }
    if external_labels:
        config["global"]["external_labels"] = external_labels
    path = os.path.join(directory, "prometheus.yml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
    return path


class Prometheus:
    """One prometheus process in its own process group, in a temp dir."""

    def __init__(self, binary, external_labels):
        self.dir = tempfile.TemporaryDirectory(prefix="upkeep-runbook-url-")
        self.port = free_port()
        self.target = f"127.0.0.1:{free_port()}"  # closed again: the scrape is refused
        config = write_config(self.dir.name, external_labels, self.target)
        self.log_path = os.path.join(self.dir.name, "prometheus.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [binary, f"--config.file={config}",
                 f"--storage.tsdb.path={os.path.join(self.dir.name, 'data')}",
                 f"--web.listen-address=127.0.0.1:{self.port}"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def alerts(self):
        url = f"http://127.0.0.1:{self.port}/api/v1/alerts"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)["data"]["alerts"]

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.dir.cleanup()

    def log_tail(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-20:])


def wait_for_upkeep_down(prometheus):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if prometheus.process.poll() is not None:
            raise AssertionError("prometheus exited:\n" + prometheus.log_tail())
        try:
            for alert in prometheus.alerts():
                if alert["labels"].get("alertname") == "UpkeepDown":
                    return alert
        except (urllib.error.URLError, ConnectionError, OSError):
            pass  # not listening yet
        time.sleep(0.2)
    raise AssertionError(f"UpkeepDown did not show within {DEADLINE_SECONDS}s:\n"
                         + prometheus.log_tail())


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(os.path.join(ALERTS, "prometheus.example.yml"), encoding="utf-8") as f:
        base = yaml.safe_load(f)["global"]["external_labels"]["upkeep_runbook_url"]
    cases = [
        ("with upkeep_runbook_url", {"upkeep_runbook_url": base}, base + "#upkeepdown"),
        ("without it", None, "docs/runbook.md#upkeepdown"),
    ]
    servers = []
    failures = 0
    try:
        # Both at once: the wait is the servers' start, not the CPU.
        for _, labels, _ in cases:
            servers.append(Prometheus(argv[1], labels))
        for (name, _, want), server in zip(cases, servers):
            alert = wait_for_upkeep_down(server)
            got = alert["annotations"].get("runbook_url")
            instance = alert["labels"].get("instance")
            ok = got == want and instance == server.target
            failures += not ok
            print(f"{'ok' if ok else 'FAIL'}: {name}: UpkeepDown ({alert['state']}) on "
                  f"{instance}: runbook_url {got!r}" + ("" if ok else f", want {want!r}"))
    finally:
        for server in servers:
            server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
