"""Real processes for the monitoring test: free loopback ports, daemons in process groups of
their own with their output in a log file, stopped (the whole group) even when the test fails,
and bounded polling.
"""

import os
import signal
import socket
import subprocess
import time

# The parent-death signal is a backstop for the case no `finally` covers: ctest SIGKILLs the
# test at its TIMEOUT, and daemons in sessions of their own would outlive it. setpriv (util-linux,
# always on Debian) sets it and execs, so the pid stays the daemon's.
SETPRIV = "/usr/bin/setpriv"


def free_port():
    """A port no one listens on right now: the kernel's pick for a bind to port 0. For daemons
    that need the port on their command line (Prometheus, Alertmanager); the window between
    closing this socket and the daemon's bind is tiny and nothing else here binds ports."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port):
    """True when something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Timeout(AssertionError):
    """A bounded wait ran out; the message says what was awaited and what was last seen."""


def wait_until(what, probe, within, describe_last=None, every=0.2):
    """Calls probe() until it returns something truthy, for at most `within` seconds; returns
    that value. On timeout raises Timeout naming `what` and, from describe_last(), what was
    seen last."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            seen = describe_last() if describe_last else ""
            raise Timeout(f"timed out after {within:g} s waiting for {what}\n{seen}".rstrip())
        time.sleep(every)


class ManagedProcess:
    """A daemon started in a session (so a process group) of its own, stdout and stderr in
    `log_path`. stop() signals the whole group: what the daemon started goes with it."""

    def __init__(self, name, argv, log_path, env=None, cwd=None):
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.exit_status = None
        command = self.argv
        if os.access(SETPRIV, os.X_OK):
            command = [SETPRIV, "--pdeathsig", "KILL", "--"] + self.argv
        with open(log_path, "ab") as log:
            self._popen = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                           stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                           start_new_session=True)
        self.pid = self._popen.pid

    def running(self):
        return self._popen.poll() is None

    def log(self):
        try:
            with open(self.log_path, "r", encoding="utf-8", errors="replace") as log:
                return log.read()
        except OSError:
            return ""

    def log_tail(self, lines=25):
        tail = self.log().splitlines()[-lines:]
        return f"--- last {len(tail)} lines of {self.name}'s log ({self.log_path}):\n" + \
            "\n".join(tail)

    def _signal_group(self, signum):
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass  # the group is gone already

    def stop(self, grace=10.0):
        """SIGTERM to the group (a graceful exit writes coverage data and runs the sanitizers'
        leak check), SIGKILL to it after `grace` seconds. Then SIGKILL to the group anyway, for
        any child left behind. Returns the exit status (negative: killed by that signal)."""
        if self.exit_status is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.exit_status = self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.exit_status = self._popen.wait()
        self._signal_group(signal.SIGKILL)
        return self.exit_status


class ProcessSet:
    """Every daemon the test started, stopped in reverse order by stop_all() (call it in a
    `finally`). A failure to stop one does not keep the others running."""

    def __init__(self):
        self._processes = []

    def start(self, name, argv, log_path, env=None, cwd=None):
        process = ManagedProcess(name, argv, log_path, env=env, cwd=cwd)
        self._processes.append(process)
        return process

    def __iter__(self):
        return iter(list(self._processes))

    def stop_all(self):
        problems = []
        for process in reversed(self._processes):
            try:
                process.stop()
            except Exception as error:  # noqa: BLE001 -- stop the rest whatever happened
                problems.append(f"{process.name}: {error}")
        return problems
