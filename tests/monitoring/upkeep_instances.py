"""The two upkeep instances of the monitoring test, each the real binary on 127.0.0.1 with a
port the kernel picks (read back from its "listening on HOST:PORT" log line):

- "plain": built-in defaults, no config file. The scenario stops it (UpkeepDown).
- "updater": an admin token, and an update: section for a checkout one release behind its
  remote whose one step fails, so POST /api/system/update/execute rolls back
  (UpkeepUpdateRolledBack).
"""

import os
import pwd
import re
import subprocess
import time

import yaml

from http_json import request, status_of
from processes import wait_until

_LISTENING = re.compile(r'listening on [^ \n"]+:([0-9]+)\b')
# Sampled often, so /metrics shows the rollback's counter a moment after the run.
SAMPLE_INTERVAL = "250ms"


def create_admin_token(upkeep, tokens_file, env):
    """`upkeep token create` (README "Access control"); returns the token (printed once)."""
    result = subprocess.run([upkeep, "token", "create", "--name", "monitoring-test", "--role",
                             "admin", "--tokens-file", tokens_file],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=60, check=False)
    tokens = [line for line in result.stdout.splitlines() if line.startswith("upk_")]
    if result.returncode != 0 or len(tokens) != 1:
        raise AssertionError(f"upkeep token create failed ({result.returncode}):\n"
                             f"{result.stdout}")
    return tokens[0]


def update_user():
    """Who git and the steps run as: the checkout's owner, which is the test's own user (the C++
    update tests do the same). root only works because it is written out (README "Updates")."""
    return pwd.getpwuid(os.geteuid()).pw_name


def updater_config(*, tokens_file, checkout, state_dir):
    """The updating instance's config (README "Updates"): the one step fails, so every run rolls
    back. No queue: require_queue is turned off explicitly (the update: section demands a queue
    source or that opt-out). The restart and health check are commands that pass, so only the
    step decides the run; the step fails before them, so a rollback restarts nothing."""
    return {
        "auth": {"tokens_file": tokens_file},
        "update": {
            "repo": checkout,
            "remote": "origin",
            "branch": "main",
            "user": update_user(),
            "check_interval": 0,  # no background check: only the test's execute fetches
            "require_queue": False,
            "state_dir": state_dir,  # created 0700, outside the checkout
            "drain_timeout": "0s",
            "steps": [{"name": "migrate", "run": "sh -c 'exit 1'", "timeout": "30s"}],
            "restart": {"run": "true", "timeout": "10s"},
            "health_check": {"run": "true", "timeout": "5s", "retries": 1,
                             "interval": "100ms"},
        },
    }


def write_config(path, config):
    with open(path, "w", encoding="utf-8") as target:
        yaml.safe_dump(config, target, sort_keys=False)
    return path


class UpkeepInstance:
    def __init__(self, name, process):
        self.name = name
        self.process = process
        self.port = None

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def url(self, path):
        return f"http://{self.address}{path}"

    def wait_ready(self, within=30):
        """Waits for the log's listening line, then for /-/ready (the first snapshot), both
        within `within` seconds."""
        deadline = time.monotonic() + within

        def listening():
            if not self.process.running():
                raise AssertionError(f"upkeep {self.name} exited during start-up\n"
                                     + self.process.log_tail())
            match = _LISTENING.search(self.process.log())
            return int(match.group(1)) if match else None
        self.port = wait_until(f"upkeep {self.name} to log its listening address", listening,
                               within, self.process.log_tail)
        wait_until(f"upkeep {self.name} /-/ready", lambda: status_of(self.url("/-/ready")) == 200,
                   max(deadline - time.monotonic(), 1), self.process.log_tail)
        return self

    def metrics(self):
        try:
            return request("GET", self.url("/metrics"))[1]
        except OSError:
            return ""


def start(processes, name, upkeep, work_dir, env, config_path=None, within=30):
    """Starts the binary (`--config` when given) on 127.0.0.1:0; returns the ready instance."""
    argv = [upkeep, "--web.listen-address", "127.0.0.1:0", "--sample.interval", SAMPLE_INTERVAL]
    if config_path:
        argv += ["--config", config_path]
    process = processes.start(f"upkeep-{name}", argv, os.path.join(work_dir, f"upkeep-{name}.log"),
                              env=env, cwd=work_dir)
    return UpkeepInstance(name, process).wait_ready(within)
