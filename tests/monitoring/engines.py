"""Debian's Prometheus and Alertmanager for the test: each on a free 127.0.0.1 port, storage in
the test's temp dir, and what the test reads from their HTTP APIs."""

import os
from urllib.parse import quote

from http_json import get_json, status_of
from processes import free_port, wait_until


class Engine:
    def __init__(self, name, process, port):
        self.name = name
        self.process = process
        self.port = port

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def url(self, path):
        return f"http://{self.address}{path}"

    def wait_ready(self, within=60):
        def ready():
            if not self.process.running():
                raise AssertionError(f"{self.name} exited during start-up\n"
                                     + self.process.log_tail())
            return status_of(self.url("/-/ready")) == 200
        wait_until(f"{self.name} /-/ready on {self.address}", ready, within,
                   self.process.log_tail)
        return self


def start_alertmanager(processes, binary, config, work_dir, env, port):
    """Clustering off (an empty --cluster.listen-address): no gossip port, loopback only. The
    port is chosen before (free_port()): Prometheus's config names it."""
    storage = os.path.join(work_dir, "alertmanager-data")
    os.makedirs(storage, exist_ok=True)
    argv = [binary, f"--config.file={config}", f"--storage.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            "--log.level=debug"]
    process = processes.start("alertmanager", argv, os.path.join(work_dir, "alertmanager.log"),
                              env=env, cwd=work_dir)
    return Engine("alertmanager", process, port)


def start_prometheus(processes, binary, config, work_dir, env):
    port = free_port()
    storage = os.path.join(work_dir, "prometheus-data")
    argv = [binary, f"--config.file={config}", f"--storage.tsdb.path={storage}",
            f"--web.listen-address=127.0.0.1:{port}"]
    process = processes.start("prometheus", argv, os.path.join(work_dir, "prometheus.log"),
                              env=env, cwd=work_dir)
    return Engine("prometheus", process, port)


def query(prometheus, expr):
    """The result vector of an instant query ([] when Prometheus does not answer)."""
    body = get_json(prometheus.url("/api/v1/query?query=" + quote(expr)))
    if not body or body.get("status") != "success":
        return []
    return body["data"]["result"]


def describe_targets(prometheus):
    """Each scrape target's health and last error (/api/v1/targets)."""
    body = get_json(prometheus.url("/api/v1/targets")) or {}
    lines = [f"  {t.get('labels', {}).get('job')} {t.get('scrapeUrl')}: {t.get('health')} "
             f"{t.get('lastError') or ''}".rstrip()
             for t in body.get("data", {}).get("activeTargets", [])]
    return "\n".join(lines) if lines else "  (none)"


def prometheus_alerts(prometheus):
    """Prometheus's pending and firing alerts (/api/v1/alerts)."""
    body = get_json(prometheus.url("/api/v1/alerts"))
    return (body or {}).get("data", {}).get("alerts", []) if body else []


def alertmanager_alerts(alertmanager):
    """The alerts Alertmanager holds (/api/v2/alerts), with their inhibited/silenced state."""
    body = get_json(alertmanager.url("/api/v2/alerts"))
    return body if isinstance(body, list) else []


def describe_prometheus_alerts(prometheus):
    lines = [f"  {a.get('labels', {}).get('alertname')}@{a.get('labels', {}).get('instance')}: "
             f"{a.get('state')} since {a.get('activeAt')}" for a in prometheus_alerts(prometheus)]
    return "\n".join(lines) if lines else "  (none)"


def describe_alertmanager_alerts(alertmanager):
    lines = []
    for alert in alertmanager_alerts(alertmanager):
        labels = alert.get("labels", {})
        status = alert.get("status", {})
        lines.append(f"  {labels.get('alertname')}@{labels.get('instance')}: "
                     f"{status.get('state')} inhibitedBy={status.get('inhibitedBy')} "
                     f"receivers={[r.get('name') for r in alert.get('receivers', [])]}")
    return "\n".join(lines) if lines else "  (none)"
