#!/usr/bin/python3
"""Tests the Debian package that `make package` builds, as a user would get it.

  /usr/bin/python3 tests/package/package_test.py build-package/upkeep_0.1.0-1_amd64.deb

1. Its name, control fields and Depends: dpkg-shlibdeps' libraries (every library the
   binary links is covered), adduser (postinst) and libssl-dev (CivetWeb dlopens libssl.so).
2. Its maintainer scripts and conffiles, and its file list against the source tree (dashboards,
   alert rules and docs are globbed when the package is built, so every one must be there).
3. lintian: no error, and no warning beyond the known ones below (each with its reason).
4. The packaged binary, extracted with dpkg-deb -x, starts with the packaged config (its
   /var/lib/upkeep paths moved into a temp dir, on 127.0.0.1 port 0; `check-config` passes on
   it once a token exists), answers /-/ready 200,
   serves /metrics and, with a token made by the packaged `upkeep token create`, the health
   API; then SIGTERM stops it with status 0, and the time that took is printed. It is killed
   (its whole process group) whatever happens.

Nothing is installed; no daemon is left running. Exit status 0 when all passed.
"""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"

# lintian warnings that stay, each with the reason (README "Install from the package").
KNOWN_WARNINGS = {
    # upkeep is not in Debian's archive: the package is built by CPack from the repository, so
    # there is no source package, no Debian bug tracker entry and no ITP to close.
    "initial-upload-closes-no-bugs": "a package built from the repository, not uploaded to Debian",
}

FAILURES = []


def check(condition, message):
    if not condition:
        FAILURES.append(message)
        print(f"  FAIL: {message}", flush=True)
    return condition


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, check=False,
                          timeout=kwargs.pop("timeout", 300), **kwargs)


def expected_version():
    project = re.search(r"project\(upkeep\s+VERSION\s+([0-9.]+)",
                        (ROOT / "CMakeLists.txt").read_text())
    head = (PACKAGING / "debian" / "changelog").read_text().splitlines()[0]
    revision = re.match(r"upkeep \(([^)]+)-([^)-]+)\)", head)
    if not project or not revision:
        sys.exit("cannot read project(VERSION) or the changelog's first line")
    return f"{project.group(1)}-{revision.group(2)}"


def depends_names(depends):
    names = set()
    for item in depends.split(","):
        for alternative in item.split("|"):
            name = alternative.strip().split(" ")[0].split(":")[0]
            if name:
                names.add(name)
    return names


def package_of_library(path):
    """The Debian package that ships a shared library file (dpkg -S, /usr-merge aware)."""
    real = os.path.realpath(path)
    name = os.path.basename(path)
    for candidate in (path, real, "*/" + name):
        found = run(["dpkg", "-S", candidate])
        if found.returncode == 0:
            for line in found.stdout.splitlines():
                package = line.split(":")[0].strip()
                if package:
                    return package
    return None


def names_of(package):
    """A package's own name and the virtual ones it provides (libspdlog1.10: -fmt9)."""
    provides = run(["dpkg-query", "-W", "-f", "${Provides}", package]).stdout
    return {package} | depends_names(provides)


def check_control(deb, control_dir, version, arch):
    print("control fields and Depends", flush=True)
    check(Path(deb).name == f"upkeep_{version}_{arch}.deb",
          f"file name {Path(deb).name}, expected upkeep_{version}_{arch}.deb")
    fields = {}
    for line in (control_dir / "control").read_text().splitlines():
        match = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
        if match:
            fields[match.group(1)] = match.group(2)
    for key, value in {"Package": "upkeep", "Version": version, "Architecture": arch,
                       "Section": "admin", "Priority": "optional"}.items():
        check(fields.get(key) == value, f"{key}: {fields.get(key)!r}, expected {value!r}")
    check(bool(fields.get("Maintainer")), "no Maintainer")
    check(bool(fields.get("Description")), "no Description")
    depends = fields.get("Depends", "")
    print(f"  Depends: {depends}")
    names = depends_names(depends)
    for needed in ("adduser", "libssl-dev", "libc6", "libstdc++6", "libcivetweb1"):
        check(needed in names, f"Depends lacks {needed}")
    check(re.search(r"libc6 \(>= [0-9.]+\)", depends) is not None,
          "libc6 without a version: dpkg-shlibdeps did not run")
    return names


def check_linked_libraries(binary, depends):
    """Every library the binary links directly (DT_NEEDED) comes from a package in Depends."""
    needed = re.findall(r"^\s*NEEDED\s+(\S+)$", run(["objdump", "-p", str(binary)]).stdout, re.M)
    listed = run(["ldd", str(binary)])
    if not check(needed and listed.returncode == 0, f"objdump/ldd {binary}: {listed.stderr}"):
        return
    paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", listed.stdout, re.M))
    for soname in needed:
        if not check(soname in paths, f"ldd does not resolve {soname}"):
            continue
        package = package_of_library(paths[soname])
        if check(package is not None, f"no package ships {paths[soname]}"):
            check(bool(names_of(package) & depends),
                  f"{soname} comes from {package}, which Depends does not name")
    print(f"  the {len(needed)} libraries it links come from packages in Depends")


def check_maintainer_scripts(control_dir):
    print("maintainer scripts and conffiles", flush=True)
    conffiles = control_dir / "conffiles"
    check(conffiles.exists() and conffiles.read_text().split() == ["/etc/upkeep/upkeep.yaml"],
          "conffiles must list /etc/upkeep/upkeep.yaml alone")
    check((control_dir / "md5sums").exists(), "no md5sums")
    for name in ("postinst", "prerm", "postrm"):
        script = control_dir / name
        if not check(script.exists(), f"no {name}"):
            continue
        text = script.read_text()
        check(os.stat(script).st_mode & 0o777 == 0o755, f"{name} is not mode 0755")
        check(text.startswith("#!/bin/sh\n") and "\nset -e\n" in text, f"{name}: #!/bin/sh, set -e")
        check(run(["sh", "-n", str(script)]).returncode == 0, f"{name}: sh -n fails")
        # deb-systemd-helper/-invoke come with init-system-helpers: used only when present.
        for tool in ("deb-systemd-helper", "deb-systemd-invoke"):
            if re.search(rf"^\s*{tool} ", text, re.M):
                check(f"command -v {tool}" in text, f"{name} calls {tool} unguarded")
        check("systemctl start" not in text and "systemctl restart" not in text,
              f"{name} starts the unit with systemctl, not deb-systemd-invoke")
    postinst = (control_dir / "postinst").read_text()
    for needed in ("adduser --system", "--group", "--home /var/lib/upkeep", "-m 0700",
                   "deb-systemd-helper enable", "deb-systemd-invoke \"$action\"",
                   "[ -d /run/systemd/system ]"):
        check(needed in postinst, f"postinst lacks {needed!r}")
    postrm = (control_dir / "postrm").read_text()
    check('"$1" = "purge"' in postrm and "rm -rf /var/lib/upkeep" in postrm
          and "! -L /var/lib/upkeep" in postrm, "postrm: purge removes /var/lib/upkeep (no link)")
    check("deb-systemd-helper purge" in postrm, "postrm: deb-systemd-helper purge")
    check("deb-systemd-invoke stop" in (control_dir / "prerm").read_text(), "prerm: stop")


def expected_files():
    files = {
        "/usr/bin/upkeep": "-rwxr-xr-x",
        "/etc/upkeep/upkeep.yaml": "-rw-r--r--",
        "/lib/systemd/system/upkeep.service": "-rw-r--r--",
        "/usr/share/man/man8/upkeep.8.gz": "-rw-r--r--",
        "/usr/share/doc/upkeep/copyright": "-rw-r--r--",
        "/usr/share/doc/upkeep/changelog.Debian.gz": "-rw-r--r--",
        "/usr/share/doc/upkeep/examples/update.conf.example": "-rw-r--r--",
    }
    shipped = [("dashboards", "*.json"), ("dashboards", "provisioning.yaml"), ("alerts", "*.yml")]
    for folder, pattern in shipped:
        for path in (ROOT / folder).glob(pattern):
            files[f"/usr/share/upkeep/{folder}/{path.name}"] = "-rw-r--r--"
    for name in ("runbook.md", "openapi.yaml"):
        if (ROOT / "docs" / name).exists():
            files[f"/usr/share/upkeep/docs/{name}"] = "-rw-r--r--"
    return files


def check_contents(deb):
    print("file list", flush=True)
    listing = run(["dpkg-deb", "--contents", deb]).stdout
    found = {}
    for line in listing.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 6:
            continue
        mode, owner, path = parts[0], parts[1], parts[5].split(" -> ")[0]
        path = path[1:].rstrip("/") or "/"  # "./usr/bin/" -> "/usr/bin"
        check(owner == "root/root", f"{path} is owned by {owner}")
        if mode.startswith("d"):
            check(mode == "drwxr-xr-x", f"directory {path} has mode {mode}")
        else:
            found[path] = mode
    expected = expected_files()
    for path, mode in sorted(expected.items()):
        if check(path in found, f"{path} is missing"):
            check(found[path] == mode, f"{path} has mode {found[path]}, expected {mode}")
    for path in sorted(set(found) - set(expected)):
        check(False, f"unexpected file {path}")
    dashboards = [p for p in expected if p.startswith("/usr/share/upkeep/dashboards/")]
    alerts = [p for p in expected if p.startswith("/usr/share/upkeep/alerts/")]
    check(len(dashboards) >= 2 and len(alerts) >= 1, "no dashboards or alert rules shipped")
    print(f"  {len(found)} files, as expected: {len(dashboards)} dashboard files, "
          f"{len(alerts)} alert files")


def gzip_is_reproducible(path):
    header = Path(path).read_bytes()[:10]
    # No original name (FNAME, flag 0x08) and no time stamp: what `gzip -n` writes.
    return header[:2] == b"\x1f\x8b" and header[3] & 0x08 == 0 and header[4:8] == b"\0\0\0\0"


def check_extracted(tree):
    print("extracted files", flush=True)
    binary = tree / "usr/bin/upkeep"
    described = run(["file", "-b", str(binary)]).stdout
    check("ELF 64-bit" in described and ", stripped" in described,
          f"/usr/bin/upkeep is not a stripped ELF binary: {described.strip()}")
    for packaged, source in (("etc/upkeep/upkeep.yaml", "upkeep.yaml"),
                             ("lib/systemd/system/upkeep.service", "upkeep.service"),
                             ("usr/share/doc/upkeep/examples/update.conf.example",
                              "update.conf.example")):
        check((tree / packaged).read_bytes() == (PACKAGING / source).read_bytes(),
              f"/{packaged} differs from packaging/{source} (rebuild the package)")
    for gz, source in (("usr/share/man/man8/upkeep.8.gz", PACKAGING / "upkeep.8"),
                       ("usr/share/doc/upkeep/changelog.Debian.gz",
                        PACKAGING / "debian" / "changelog")):
        check(gzip.decompress((tree / gz).read_bytes()) == source.read_bytes(),
              f"/{gz} is not {source.relative_to(ROOT)}")
        check(gzip_is_reproducible(tree / gz), f"/{gz}: not gzip -n (name or time stamp)")
    copyright_text = (tree / "usr/share/doc/upkeep/copyright").read_text()
    check(copyright_text.startswith(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"),
        "copyright is not machine-readable (DEP-5)")
    return binary


def check_lintian(deb):
    print("lintian", flush=True)
    start = time.monotonic()
    result = run(["lintian", "--fail-on", "none", "--no-tag-display-limit", deb], timeout=600)
    took = time.monotonic() - start
    tags = []
    for line in result.stdout.splitlines():
        match = re.match(r"^([EWIPX]): upkeep(?: \S+)?: (\S+)(.*)$", line)
        if match:
            tags.append((match.group(1), match.group(2), match.group(3).strip()))
    check(result.returncode == 0, f"lintian exit status {result.returncode}: {result.stderr}")
    for level, tag, detail in tags:
        reason = KNOWN_WARNINGS.get(tag)
        print(f"  {level}: {tag} {detail}" + (f"  (known: {reason})" if reason else ""))
        check(level != "E", f"lintian error {tag} {detail}")
        check(level != "W" or reason is not None, f"lintian warning {tag} not among the known")
    print(f"  {sum(1 for t in tags if t[0] == 'E')} errors, "
          f"{sum(1 for t in tags if t[0] == 'W')} warnings ({took:.0f} s)")


def http_get(url, token=None, timeout=5):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError):
        return None, b""


def test_config(temp):
    """The packaged config with /var/lib/upkeep inside `temp` and an ephemeral loopback port."""
    state = temp / "var/lib/upkeep"
    state.mkdir(parents=True, mode=0o700)
    text = (PACKAGING / "upkeep.yaml").read_text()
    check("/var/lib/upkeep" in text, "the packaged config names no /var/lib/upkeep path")
    text = text.replace("/var/lib/upkeep", str(state))
    text, listens = re.subn(r'^(\s*listen_address:).*$', r'\1 "127.0.0.1:0"', text, flags=re.M)
    check(listens == 1, "the packaged config must set web.listen_address once")
    config = temp / "upkeep.yaml"
    config.write_text(text)
    return config


def wait_for_port(log, process, deadline):
    while time.monotonic() < deadline:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", log.read_text(errors="replace"))
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def start_and_stop(binary, temp):
    print("the packaged binary with the packaged config", flush=True)
    config = test_config(temp)
    made = run([str(binary), "token", "create", "--name", "package-test", "--role", "admin",
                "--config", str(config)], timeout=30)
    if not check(made.returncode == 0, f"token create: {made.stderr.strip()}"):
        return
    token = made.stdout.strip()
    checked = run([str(binary), "check-config", "--config", str(config)], timeout=60)
    check(checked.returncode == 0,
          f"check-config on the packaged config: exit {checked.returncode}\n{checked.stdout}")
    log = temp / "upkeep.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(binary), "--config", str(config)], stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    try:
        port = wait_for_port(log, process, time.monotonic() + 30)
        if not check(port is not None, "no 'listening on 127.0.0.1:PORT' within 30 s"):
            return
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200 and process.poll() is None:
            status, _ = http_get(base + "/-/ready")
            if status != 200:
                time.sleep(0.1)
        if not check(status == 200, f"GET /-/ready: {status}, expected 200 within 30 s"):
            return
        status, body = http_get(base + "/metrics")
        check(status == 200 and b"upkeep_build_info" in body, f"GET /metrics: {status}")
        status, _ = http_get(base + "/api/system/health")
        check(status == 401, f"GET /api/system/health without a token: {status}, expected 401")
        status, body = http_get(base + "/api/system/health", token)
        check(status == 200 and "cpu" in json.loads(body or b"{}"),
              f"GET /api/system/health with the token: {status}")
        print(f"  ready on 127.0.0.1:{port}; /metrics and the health API answer", flush=True)

        time.sleep(2)  # idle: a few sample ticks, no request in flight
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - stopping
        check(code == 0, f"after SIGTERM: exit status {code}, expected 0 within 30 s")
        print(f"  shutdown: SIGTERM -> exit {code} in {took:.2f} s", flush=True)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if FAILURES:
            print("  daemon log:\n" + log.read_text(errors="replace"), flush=True)


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} PATH/upkeep_VERSION_ARCH.deb")
    deb = os.path.abspath(sys.argv[1])
    if not os.path.isfile(deb):
        sys.exit(f"{deb}: no such file (make package builds it)")
    version = expected_version()
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="upkeep-package-") as temp_name:
        temp = Path(temp_name)
        control_dir = temp / "control"
        tree = temp / "root"
        for argv in (["dpkg-deb", "--control", deb, str(control_dir)],
                     ["dpkg-deb", "-x", deb, str(tree)]):
            unpacked = run(argv)
            if unpacked.returncode != 0:
                sys.exit(f"{' '.join(argv)}: {unpacked.stderr.strip()}")
        depends = check_control(deb, control_dir, version, arch)
        check_maintainer_scripts(control_dir)
        check_contents(deb)
        binary = check_extracted(tree)
        check_linked_libraries(binary, depends)
        start_and_stop(binary, temp / "run")
        check_lintian(deb)
    if FAILURES:
        print(f"FAILED: {len(FAILURES)} check(s) of {deb}", flush=True)
        return 1
    print(f"ok: {deb}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
