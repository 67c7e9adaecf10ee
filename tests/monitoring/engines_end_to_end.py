#!/usr/bin/python3
"""The shipped monitoring end to end through the real engines: Debian's Prometheus and
Alertmanager with configs rewritten from alerts/ (see shipped_configs.py), two real upkeep
instances scraped every second, and a webhook receiver in this process.

1. upkeep "plain" is stopped              -> UpkeepDown (critical) reaches the receiver.
2. upkeep "updater" runs a real update     -> its step fails, it rolls back
   (POST /api/system/update/execute)         -> UpkeepUpdateRolledBack (warning) reaches it.
Each delivery is checked: labels (alertname, instance, job, severity, target and external
labels), the runbook_url annotation (the test's base URL + #<alert name, lowercased>) and the
receiver the shipped routing tree picks. Every process is stopped (its whole group) at the end,
also on failure; a failure prints what was last seen in Prometheus, Alertmanager, the receiver
and the daemons' logs.

Usage: engines_end_to_end.py --upkeep BIN --source-dir DIR [--promtool P] [--amtool A]
       [--prometheus P] [--alertmanager A] [--keep-temp]
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

import config_set
import engines
import upkeep_instances
from delivery_checks import check_delivery
from http_json import request
from processes import ProcessSet, Timeout, free_port, wait_until
from service_repos import ServiceRepos, git_environment
from shipped_configs import ShapeError
from webhook_receiver import WebhookReceiver

RUNBOOK_BASE = "https://runbooks.monitoring-test.invalid/upkeep/docs/runbook.md"
# Bounded waits, generous against the typical times (a loaded 2-core CI machine, ASan), and
# together below the ctest TIMEOUT (tests.cmake), so a hang fails here with what was seen.
READY_WITHIN = 30      # each daemon's start-up (typically < 1 s)
SCRAPED_WITHIN = 45    # Prometheus has scraped both instances (typically ~6 s: Prometheus
#                        hands discovered targets to its scrapers every 5 s)
DELIVERED_WITHIN = 60  # both alerts at the receiver (typically ~3 s)


class Scenario:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.processes = ProcessSet()
        self.receiver = None
        self.prometheus = None
        self.alertmanager = None
        self.plain = None
        self.updater = None
        self.started = time.monotonic()

    def step(self, text):
        print(f"[{time.monotonic() - self.started:5.1f} s] {text}", flush=True)

    def describe(self):
        """What was last seen, for a failure message."""
        parts = []
        if self.prometheus:
            parts += ["Prometheus targets:", engines.describe_targets(self.prometheus),
                      "Prometheus /api/v1/alerts:",
                      engines.describe_prometheus_alerts(self.prometheus)]
        if self.alertmanager:
            parts += ["Alertmanager /api/v2/alerts:",
                      engines.describe_alertmanager_alerts(self.alertmanager)]
        if self.receiver:
            parts += ["webhook receiver payloads:", self.receiver.summary()]
        for process in self.processes:
            parts.append(process.log_tail(15))
        return "\n".join(parts)

    def run(self):
        args = self.args
        env = git_environment(os.path.join(self.work, "home"))
        os.makedirs(env["HOME"])
        self.receiver = WebhookReceiver().start()

        self.step("git repositories: the service's checkout one release behind its remote")
        repos = ServiceRepos(os.path.join(self.work, "repos"), env)
        current, latest = repos.create_behind_remote()
        token = upkeep_instances.create_admin_token(
            args.upkeep, os.path.join(self.work, "tokens"), env)
        updater_config = upkeep_instances.write_config(
            os.path.join(self.work, "upkeep-updater.yaml"),
            upkeep_instances.updater_config(tokens_file=os.path.join(self.work, "tokens"),
                                            checkout=repos.service,
                                            state_dir=os.path.join(self.work, "update-state")))

        self.step("two upkeep instances")
        self.plain = upkeep_instances.start(self.processes, "plain", args.upkeep, self.work,
                                            env, within=READY_WITHIN)
        self.updater = upkeep_instances.start(self.processes, "updater", args.upkeep, self.work,
                                              env, config_path=updater_config,
                                              within=READY_WITHIN)

        self.step("configs rewritten from alerts/, checked by promtool and amtool")
        alertmanager_port = free_port()
        config_dir = os.path.join(self.work, "config")
        os.makedirs(config_dir)
        configs = config_set.write(
            args.source_dir, config_dir, url_for_receiver=self.receiver.url_for,
            alertmanager_address=f"127.0.0.1:{alertmanager_port}",
            targets=[self.plain.address, self.updater.address], runbook_url=RUNBOOK_BASE)
        config_set.check(configs, args.promtool, args.amtool)

        self.step("Alertmanager and Prometheus")
        self.alertmanager = engines.start_alertmanager(
            self.processes, args.alertmanager, configs.alertmanager, self.work, env,
            alertmanager_port).wait_ready(READY_WITHIN)
        self.prometheus = engines.start_prometheus(
            self.processes, args.prometheus, configs.prometheus, self.work,
            env).wait_ready(READY_WITHIN)

        # increase() counts from a sample before the rise: the rollback counter must have been
        # scraped at 0 before the run, else the first sample Prometheus sees is already 1.
        job = configs.job_name
        wait_until(
            "Prometheus to scrape both instances up, and the updater's rolled_back counter at 0",
            lambda: len(engines.query(self.prometheus, f'up{{job="{job}"}} == 1')) == 2 and
            engines.query(self.prometheus,
                          f'upkeep_update_runs_total{{job="{job}",result="rolled_back",'
                          f'instance="{self.updater.address}"}} == 0'),
            SCRAPED_WITHIN, self.describe)

        self.step("POST /api/system/update/execute on the updater (its step fails)")
        status, body = request("POST", self.updater.url("/api/system/update/execute"), body={},
                               headers={"Authorization": f"Bearer {token}"}, timeout=60)
        try:
            result = json.loads(body).get("result")
        except (ValueError, AttributeError):
            result = None
        if status != 200 or result != "rolled_back":
            raise AssertionError(f"execute answered {status}, expected 200 with result "
                                 f"rolled_back:\n{body}\n{self.updater.process.log_tail()}")
        if repos.head(repos.service) != current:
            raise AssertionError(f"the rollback left the checkout at "
                                 f"{repos.head(repos.service)}, not at {current} "
                                 f"(remote: {latest})")

        self.step("stopping upkeep plain (SIGTERM)")
        self.plain.process.stop()

        self.step("waiting for UpkeepDown and UpkeepUpdateRolledBack at the receiver")

        def both_delivered():
            down = [e for e in self.receiver.firing("UpkeepDown")
                    if e[2]["labels"].get("instance") == self.plain.address]
            rolled = [e for e in self.receiver.firing("UpkeepUpdateRolledBack")
                      if e[2]["labels"].get("instance") == self.updater.address]
            return down and rolled
        wait_until("UpkeepDown for the stopped instance and UpkeepUpdateRolledBack for the "
                   "updater at the webhook receiver", both_delivered, DELIVERED_WITHIN,
                   self.describe, every=0.25)

        for alertname, instance, severity in (
                ("UpkeepDown", self.plain.address, "critical"),
                ("UpkeepUpdateRolledBack", self.updater.address, "warning")):
            path, payload, alert = check_delivery(
                self.receiver.firing(alertname), alertname=alertname, instance=instance,
                severity=severity, configs=configs, amtool=args.amtool,
                runbook_base=RUNBOOK_BASE)
            self.step(f"ok: {alertname} for {instance} via receiver {payload['receiver']} "
                      f"({path}), runbook_url {alert['annotations']['runbook_url']}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upkeep", required=True, help="the upkeep binary")
    parser.add_argument("--source-dir", required=True, help="the repository (for alerts/)")
    parser.add_argument("--promtool", default=shutil.which("promtool") or "/usr/bin/promtool")
    parser.add_argument("--amtool", default=shutil.which("amtool") or "/usr/bin/amtool")
    parser.add_argument("--prometheus", default="/usr/bin/prometheus")
    parser.add_argument("--alertmanager", default="/usr/bin/prometheus-alertmanager")
    parser.add_argument("--keep-temp", action="store_true",
                        help="keep the temp dir (logs, configs, data) for a look afterwards")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    # ctest stops a test that ran past its TIMEOUT: turn SIGTERM into an exception, so the
    # `finally` below still stops every daemon.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    work = tempfile.mkdtemp(prefix="upkeep-monitoring-")
    scenario = Scenario(args, work)
    failed = True
    try:
        scenario.run()
        failed = False
    except (AssertionError, ShapeError, Timeout) as error:
        print(f"FAILED: {error}", flush=True)
        if not isinstance(error, Timeout):  # a Timeout carries the description already
            print(scenario.describe(), flush=True)
    finally:
        problems = scenario.processes.stop_all()
        if scenario.receiver:
            scenario.receiver.stop()
        if args.keep_temp:
            print(f"temp dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
        for problem in problems:
            print(f"could not stop {problem}")
    if failed:
        return 1
    scenario.step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
