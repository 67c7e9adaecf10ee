"""Real git repositories for the updating upkeep instance, made with the git CLI: a bare
"remote", a "pusher" clone that commits, tags and pushes, and the service's checkout, one
release behind the remote (as tests/support/git_repos.cc makes them for the C++ tests)."""

import os
import subprocess

# A fixed identity and no signing, so neither the machine's nor the user's git config matters
# (HOME and GIT_CONFIG_NOSYSTEM come from git_environment()).
_GIT_CONFIG = ["-c", "user.name=Upkeep Monitoring Test", "-c", "user.email=test@upkeep.invalid",
               "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false",
               "-c", "tag.gpgsign=false"]


def git_environment(home):
    """The environment for the test's git commands (and the daemons it starts): its own HOME,
    no system config, nothing inherited that names a repository."""
    env = dict(os.environ)
    env["HOME"] = home
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    for name in ("XDG_CONFIG_HOME", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    return env


class ServiceRepos:
    def __init__(self, root, env):
        self.root = root
        self.env = env
        self.remote = os.path.join(root, "remote.git")
        self.pusher = os.path.join(root, "pusher")
        self.service = os.path.join(root, "service")
        self._counter = 0

    def git(self, cwd, *args):
        result = subprocess.run(["git", "-C", cwd, *_GIT_CONFIG, *args], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} in {cwd} failed:\n{result.stdout}")
        return result.stdout.strip()

    def release(self, tag):
        """A commit (a file of its own) tagged `tag` in the pusher clone, pushed; its id."""
        self._counter += 1
        name = f"release-{self._counter}.txt"
        with open(os.path.join(self.pusher, name), "w", encoding="utf-8") as release:
            release.write(f"Release {tag}\n")
        self.git(self.pusher, "add", name)
        self.git(self.pusher, "commit", "--quiet", "-m", f"Release {tag}")
        self.git(self.pusher, "tag", "-a", "-m", f"Release {tag}", tag)
        self.git(self.pusher, "push", "--quiet", "--follow-tags", "origin", "main")
        return self.head(self.pusher)

    def head(self, checkout):
        return self.git(checkout, "rev-parse", "HEAD")

    def create_behind_remote(self):
        """v1.0.0 in the service's checkout, v1.1.0 on the remote: an update is available.
        Returns (the checkout's revision, the remote's)."""
        os.makedirs(self.root, exist_ok=True)
        self.git(self.root, "init", "--quiet", "--bare", self.remote)
        self.git(self.root, "clone", "--quiet", self.remote, self.pusher)
        current = self.release("v1.0.0")
        self.git(self.root, "clone", "--quiet", self.remote, self.service)
        latest = self.release("v1.1.0")
        return current, latest
