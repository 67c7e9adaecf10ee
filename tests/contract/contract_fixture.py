"""What the contract test runs against: the real upkeep binary on an ephemeral 127.0.0.1 port,
managing a real git checkout (a clone of a bare remote, both owned by nobody, uid 65534, who
runs the git work and the steps as update.user), with API tokens, a SQLite queue and a state
directory in a temp dir. Everything started here is stopped by close(), also on failure."""

import os
import pathlib
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

NOBODY = 65534
LISTENING = re.compile(rb"listening on [^ \n\"]+:([0-9]+)\b")
JOBS_SCHEMA = ("CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT "
               "NULL, progress REAL NOT NULL DEFAULT 0, created_at TEXT, started_at TEXT, "
               "finished_at TEXT);")


class Daemon:
    """`upkeep --config FILE` in its own process group, its output in a log file."""

    def __init__(self, binary, config, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [binary, "--config", config, "--web.listen-address", "127.0.0.1:0"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.port = self._wait_for_port()

    def _wait_for_port(self):
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            match = LISTENING.search(pathlib.Path(self.log_path).read_bytes())
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("upkeep did not start listening:\n" + self.text())

    def text(self):
        return pathlib.Path(self.log_path).read_bytes().decode("utf-8", "replace")

    def terminate(self):
        """SIGTERM to its process group (the daemon and any step or helper it runs)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self):
        self.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()


class Fixture:
    def __init__(self, binary):
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="upkeep-contract-"))
        self.daemons = []
        # nobody must reach the repositories, the markers and the binary, which runs its git
        # helper mode as nobody: a copy in the temp dir, as the build tree may lie under a
        # directory only root can enter (/root in CI).
        self.root.chmod(0o755)
        self.binary = str(self.root / "upkeep")
        shutil.copy2(binary, self.binary)
        os.chmod(self.binary, 0o755)
        self.repos = self._nobody_dir("repos")
        self.markers = self._nobody_dir("markers")
        self.nobody_home = self._nobody_dir("home")
        self.remote = self.repos / "remote.git"
        self.pusher = self.repos / "pusher"
        self.service = self.repos / "service"
        self.state_dir = self.root / "state"
        self.tokens = self.root / "tokens"
        self.queue_db = self.root / "queue.db"
        self.commits = 0

    def close(self):
        self.flag("go")  # a step held by the scenario ends at once
        for daemon in self.daemons:  # all at once: each takes a moment to shut down
            daemon.terminate()
        for daemon in self.daemons:
            daemon.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _nobody_dir(self, name):
        path = self.root / name
        path.mkdir()
        os.chown(path, NOBODY, NOBODY)
        return path

    # --- git, as nobody -------------------------------------------------------------------
    def git(self, cwd, *args):
        environment = {"PATH": "/usr/bin:/bin", "HOME": str(self.nobody_home), "LANG": "C",
                       "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"}
        command = ["git", "-c", "user.name=Upkeep Contract", "-c",
                   "user.email=contract@upkeep.invalid", "-c", "init.defaultBranch=main", "-c",
                   "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args]
        done = subprocess.run(command, cwd=cwd, env=environment, user=NOBODY, group=NOBODY,
                              extra_groups=[], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)} in {cwd}: {done.stderr}{done.stdout}")
        return done.stdout.strip()

    def write_as_nobody(self, path, text):
        path = pathlib.Path(path)
        path.write_text(text)
        os.chown(path, NOBODY, NOBODY)

    def commit(self, directory, subject):
        self.commits += 1
        self.write_as_nobody(directory / f"file-{self.commits}.txt", subject + "\n")
        self.git(directory, "add", f"file-{self.commits}.txt")
        self.git(directory, "commit", "--quiet", "-m", subject)

    def release(self, tag):
        """A commit tagged `tag`, pushed to the remote."""
        self.commit(self.pusher, "Release " + tag)
        self.git(self.pusher, "tag", "-a", "-m", "Release " + tag, tag)
        self.git(self.pusher, "push", "--quiet", "--follow-tags", "origin", "main")

    def make_repositories(self):
        self.git(self.repos, "init", "--quiet", "--bare", str(self.remote))
        self.git(self.repos, "clone", "--quiet", str(self.remote), str(self.pusher))
        self.release("v1.0.0")
        self.git(self.repos, "clone", "--quiet", str(self.remote), str(self.service))

    # --- tokens, queue, config ------------------------------------------------------------
    def create_token(self, name, role):
        done = subprocess.run([self.binary, "token", "create", "--name", name, "--role", role,
                               "--tokens-file", str(self.tokens)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"token create: {done.stderr}")
        return done.stdout.strip()

    def make_queue(self):
        with sqlite3.connect(self.queue_db) as db:
            db.execute(JOBS_SCHEMA)

    def queue(self, statement):
        with sqlite3.connect(self.queue_db) as db:
            db.execute(statement)

    def flag(self, name, present=True):
        """A marker file the steps look at (they run as nobody; root writes the flags)."""
        path = self.markers / name
        if present:
            path.write_text("1\n")
        elif path.exists():
            path.unlink()

    def write_config(self, name, text):
        path = self.root / name
        path.write_text(text.replace("{root}", str(self.root)))
        return str(path)

    def start(self, config):
        index = len(self.daemons)
        daemon = Daemon(self.binary, config, str(self.root / f"upkeep-{index}.log"))
        self.daemons.append(daemon)
        return daemon

    def run_upkeep(self, *args):
        return subprocess.run([self.binary, *args], capture_output=True, text=True, check=False)

    def append_history(self, line):
        with open(self.state_dir / "history.jsonl", "a", encoding="utf-8") as history:
            history.write(line + "\n")

    def wait_until(self, what, predicate, within=15.0):
        deadline = time.monotonic() + within
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)
